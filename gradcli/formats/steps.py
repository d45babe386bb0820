"""Step-by-step derivations (``--steps``) as plain lines, LaTeX and JSON.

Each step reads ``d/dx (before) = applied = after``: the expression being
differentiated, the rule's formula with its parts filled in (when that says
something), and the result. A derivation ends with its result and the check
against sympy's ``diff``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from gradcli.printing import to_latex as latex
from gradcli.printing import to_text
from gradcli.steps import Derivation, Step

#: how each rule is named for a reader
RULE_NAMES = {
    "constant": "constant",
    "held_constant": "held constant",
    "variable": "variable",
    "constant_multiple": "constant multiple",
    "sum": "sum rule",
    "product": "product rule",
    "quotient": "quotient rule",
    "chain": "chain rule",
    "power": "power rule",
    "exponential": "exponential rule",
    "logarithm": "logarithm rule",
    "trigonometric": "trigonometric rule",
    "inverse_trigonometric": "inverse trigonometric rule",
    "hyperbolic": "hyperbolic rule",
    "absolute_value": "absolute value",
    "sign": "sign",
    "log_differentiation": "logarithmic differentiation",
    "real_part": "real part",
    "simplify": "simplify",
    "unsupported": "no rule (sympy's result)",
}

_CHECKS = {
    "identical": "identical to sympy's diff",
    "symbolic": "equal to sympy's diff (the difference simplifies to 0)",
    "numeric": "equal to sympy's diff at random points",
    "mismatch": "DIFFERS from sympy's diff: the steps are wrong, trust the result above",
    "inconclusive": "could not be checked against sympy's diff (no point where all is real)",
}


def rule_name(step: Step) -> str:
    return RULE_NAMES.get(step.rule, step.rule.replace("_", " "))


def check_text(derivation: Derivation) -> str:
    return _CHECKS.get(derivation.verification, derivation.verification)


def middle(step: Step, show: Callable[[Any], str]) -> str:
    """The filled-in formula, when it shows something the result does not."""
    if step.applied is None:
        return ""
    shown = show(step.applied)
    return "" if shown == show(step.after) else shown


def note(step: Step, show: Callable[[Any], str]) -> str:
    """The step's note, without repeating the rule's name."""
    text = step.describe(show)
    name = rule_name(step)
    if text.startswith(name):
        text = text[len(name) :].lstrip(": ")
    return text


def step_line(step: Step, show: Callable[[Any], str]) -> str:
    """``d/dx (before) = applied = after`` with expressions shown by ``show``."""
    if step.rule == "simplify":
        return f"{show(step.before)} = {show(step.after)}"
    formula = middle(step, show)
    between = f" = {formula}" if formula else ""
    return f"d/d{show(step.wrt)} ({show(step.before)}){between} = {show(step.after)}"


def heading(derivation: Derivation, show: Callable[[Any], str], d: str = "df/d") -> str:
    variable = show(derivation.variable)
    held = ", ".join(show(s) for s in derivation.held_constant)
    if not held:
        return f"{d}{variable}:"
    verb = "is" if len(derivation.held_constant) == 1 else "are"
    return f"{d}{variable}, where {held} {verb} held constant:"


def to_plain(derivations: Sequence[Derivation]) -> str:
    """Numbered lines, indented by depth, in sympy syntax."""
    lines = []
    for derivation in derivations:
        lines.append("steps " + heading(derivation, to_text))
        for number, step in enumerate(derivation.steps, start=1):
            indent = "  " * step.depth
            remark = note(step, to_text)
            lines.append(
                f"  {number}. {indent}{rule_name(step)}: {step_line(step, to_text)}"
                + (f"  [{remark}]" if remark else "")
            )
        lines.append(f"  result: df/d{to_text(derivation.variable)} = {to_text(derivation.result)}")
        lines.append(f"  check: {check_text(derivation)}")
        lines.extend(f"  note: {remark}" for remark in derivation.notes)
    return "\n".join(lines) + "\n"


def _latex_step(step: Step) -> str:
    wrt = latex(step.wrt)
    if step.rule == "simplify":
        left = latex(step.before)
    elif step.wrt.name.startswith(("u", "v", "w", "s", "t", "p", "q")) and step.depth > 0:
        left = rf"\frac{{d}}{{d{wrt}}}\left({latex(step.before)}\right)"
    else:
        left = rf"\frac{{\partial}}{{\partial {wrt}}}\left({latex(step.before)}\right)"
    formula = middle(step, latex)
    between = rf" = {formula}" if formula else ""
    label = rf"\text{{{rule_name(step)}}}"
    if step.rule == "chain" and step.u is not None and step.inner is not None:
        label += rf",\ {latex(step.u)} = {latex(step.inner)}"
    return rf"{left}{between} &= {latex(step.after)} && {label}"


def to_latex(derivations: Sequence[Derivation]) -> str:
    """An ``aligned`` block per partial derivative, ready to paste."""
    blocks = []
    for derivation in derivations:
        x = latex(derivation.variable)
        rows = [_latex_step(step) for step in derivation.steps]
        rows.append(rf"\frac{{\partial f}}{{\partial {x}}} &= {latex(derivation.result)}")
        blocks.append("\\[\n\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}\n\\]")
    return "\n".join(blocks) + "\n"


def as_json(derivations: Sequence[Derivation]) -> list[dict[str, Any]]:
    """The ``steps`` key: one object per variable."""
    return [
        {
            "variable": to_text(d.variable),
            "held_constant": [to_text(s) for s in d.held_constant],
            "rules": [
                {
                    "rule": step.rule,
                    "depth": step.depth,
                    "wrt": to_text(step.wrt),
                    "before": to_text(step.before),
                    "applied": to_text(step.applied) if step.applied is not None else None,
                    "after": to_text(step.after),
                    "before_latex": latex(step.before),
                    "after_latex": latex(step.after),
                    "note": step.note,
                }
                for step in d.steps
            ],
            "result": to_text(d.result),
            "verified": d.verified,
            "verification": d.verification,
            "notes": list(d.notes),
        }
        for d in derivations
    ]
