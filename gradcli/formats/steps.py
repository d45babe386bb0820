"""Step-by-step derivations (``--steps``) as plain lines, LaTeX and JSON.

Each step reads ``d/dx (before) = applied = after``: the expression being
differentiated, the rule's formula with its parts filled in (when that says
something), and the result. A derivation ends with its result and the check
against sympy's ``diff``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from gradcli import i18n
from gradcli.formats.common import LATEX_WIDTH, latex_break, latex_rows, latex_width
from gradcli.i18n import DEFAULT, N_, ngettext, speaking
from gradcli.printing import to_latex as latex
from gradcli.printing import to_text, to_unicode
from gradcli.steps import SIGN_NOTE, SUM_NOTE, Derivation, Step, wording

#: how each rule is named for a reader
RULE_NAMES = {
    "constant": N_("constant"),
    "held_constant": N_("held constant"),
    "variable": N_("variable"),
    "constant_multiple": N_("constant multiple"),
    "sum": N_("sum rule"),
    "product": N_("product rule"),
    "quotient": N_("quotient rule"),
    "chain": N_("chain rule"),
    "power": N_("power rule"),
    "exponential": N_("exponential rule"),
    "logarithm": N_("logarithm rule"),
    "trigonometric": N_("trigonometric rule"),
    "inverse_trigonometric": N_("inverse trigonometric rule"),
    "hyperbolic": N_("hyperbolic rule"),
    "absolute_value": N_("absolute value"),
    "sign": N_("sign"),
    "log_differentiation": N_("logarithmic differentiation"),
    "real_part": N_("real part"),
    "simplify": N_("simplify"),
    "unsupported": N_("no rule (sympy's result)"),
}

_CHECKS = {
    "identical": N_("identical to sympy's diff"),
    "symbolic": N_("equal to sympy's diff (the difference simplifies to 0)"),
    "numeric": N_("equal to sympy's diff at random points"),
    "mismatch": N_("DIFFERS from sympy's diff: the steps are wrong, trust the result above"),
    "inconclusive": N_("could not be checked against sympy's diff (no point where all is real)"),
}


def rule_name(step: Step) -> str:
    """The rule's name for a reader, in the active language (``step.rule`` is the machine's)."""
    known = RULE_NAMES.get(step.rule)
    return step.rule.replace("_", " ") if known is None else i18n._(known)


def check_text(derivation: Derivation) -> str:
    known = _CHECKS.get(derivation.verification)
    return derivation.verification if known is None else i18n._(known)


#: notes that begin with the rule's name, shown without it beside the name
_WITHOUT_NAME = {
    SUM_NOTE: N_("term by term"),
    SIGN_NOTE: N_("is constant for {0} ≠ 0; undefined at {0} = 0"),
}


def middle(step: Step, show: Callable[[Any], str]) -> str:
    """The filled-in formula, when it shows something the result does not."""
    if step.applied is None:
        return ""
    shown = show(step.applied)
    return "" if shown == show(step.after) else shown


def note(step: Step, show: Callable[[Any], str]) -> str:
    """The step's note, without repeating the rule's name."""
    return wording(_WITHOUT_NAME.get(step.template, step.template), step, show)


def step_line(step: Step, show: Callable[[Any], str]) -> str:
    """``d/dx (before) = applied = after`` with expressions shown by ``show``."""
    if step.rule == "simplify":
        return f"{show(step.before)} = {show(step.after)}"
    formula = middle(step, show)
    between = f" = {formula}" if formula else ""
    return f"d/d{show(step.wrt)} ({show(step.before)}){between} = {show(step.after)}"


Path = tuple[Any, ...]


def partial_name(path: Path, style: str = "text") -> str:
    """The name of the partial derivative along ``path`` (x, then y, …).

    >>> from sympy import symbols
    >>> x, y = symbols("x y")
    >>> partial_name((x,)), partial_name((x, y), "unicode"), partial_name((y, y))
    ('df/dx', '∂²f/∂x∂y', 'd2f/dy2')
    """
    order = len(path)
    if style == "latex":
        top = r"\partial f" if order == 1 else rf"\partial^{{{order}}} f"
        bottom = " ".join(rf"\partial {latex(v)}" for v in path)
        if order == 2 and path[0] == path[1]:
            bottom = rf"\partial {latex(path[0])}^{{2}}"
        return rf"\frac{{{top}}}{{{bottom}}}"
    show = to_text if style == "text" else to_unicode
    d = "d" if style == "text" else "∂"
    power = "" if order == 1 else (str(order) if style == "text" else "²³⁴"[order - 2])
    if order == 2 and path[0] == path[1]:
        bottom = f"{d}{show(path[0])}{power}"
    else:
        bottom = "".join(f"{d}{show(v)}" for v in path)
    return f"{d}{power}f/{bottom}"


def paths_of(derivations: Sequence[Derivation], paths: Sequence[Path] | None) -> Sequence[Path]:
    return paths if paths is not None else [(d.variable,) for d in derivations]


def heading(derivation: Derivation, path: Path, style: str = "text") -> str:
    """``df/dx, where y is held constant:``; for a second partial, whence it comes."""
    show = to_text if style == "text" else to_unicode
    name = partial_name(path, style)
    if len(path) > 1:
        name += f" = d/d{show(path[-1])} ({partial_name(path[:-1], style)})"
    held = ", ".join(show(s) for s in derivation.held_constant)
    if not held:
        return f"{name}:"
    return ngettext(
        "{partial}, where {held} is held constant:",
        "{partial}, where {held} are held constant:",
        len(derivation.held_constant),
    ).format(partial=name, held=held)


def to_plain(derivations: Sequence[Derivation], paths: Sequence[Path] | None = None) -> str:
    """Numbered lines, indented by depth, in sympy syntax."""
    lines = []
    for derivation, path in zip(derivations, paths_of(derivations, paths)):
        # what comes before a line's ": " is English in every language, as
        # JSON's keys are: scripts read plain text by it (the notes after it
        # are said in the language asked for)
        with speaking(DEFAULT):
            head = f"steps {heading(derivation, path)}"
            names = [rule_name(step) for step in derivation.steps]
        lines.append(head)
        for number, (step, name) in enumerate(zip(derivation.steps, names), start=1):
            indent = "  " * step.depth
            remark = note(step, to_text)
            lines.append(
                f"  {number}. {indent}{name}: {step_line(step, to_text)}"
                + (f"  [{remark}]" if remark else "")
            )
        lines.append(f"  result: {partial_name(path)} = {to_text(derivation.result)}")
        lines.append(f"  check: {check_text(derivation)}")
        lines.extend(f"  note: {remark}" for remark in derivation.notes)
    return "\n".join(lines) + "\n"


def _latex_step(step: Step) -> list[str]:
    """The rows of one step: ``left = applied &= after && rule``.

    A row longer than :data:`~gradcli.formats.common.LATEX_WIDTH` becomes
    rows of its own: the derivative taken, ``= applied``, ``= after`` with
    the rule, each broken at its + and − (see latex_break).
    """
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
    after = latex(step.after)
    if latex_width(rf"{left}{between} &= {after}") <= LATEX_WIDTH:
        return [rf"{left}{between} &= {after} && {label}"]
    rows = [("& " if n == 0 else r"&\qquad ") + piece for n, piece in enumerate(latex_break(left))]
    if formula:
        rows += latex_rows("", formula)
    after_rows = latex_rows("", after)
    after_rows[0] += rf" && {label}"
    return [*rows, *after_rows]


def to_latex(derivations: Sequence[Derivation], paths: Sequence[Path] | None = None) -> str:
    """An ``aligned`` block per partial derivative, ready to paste (amsmath only)."""
    blocks = []
    for derivation, path in zip(derivations, paths_of(derivations, paths)):
        rows = [row for step in derivation.steps for row in _latex_step(step)]
        rows += latex_rows(partial_name(path, "latex"), latex(derivation.result))
        blocks.append("\\[\n\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}\n\\]")
    return "\n".join(blocks) + "\n"


def as_json(
    derivations: Sequence[Derivation], paths: Sequence[Path] | None = None
) -> list[dict[str, Any]]:
    """The ``steps`` key: one object per partial derivative."""
    return [
        {
            "partial": partial_name(path),
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
        for d, path in zip(derivations, paths_of(derivations, paths))
    ]
