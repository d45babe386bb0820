"""Grading each part of an answer, component by component: ∇f, its value, length and
direction at the point, the rate along a direction, the Hessian.

Each ``grade_<part>(marking, problem, text, context)`` returns the
:class:`~gradcli.grading.results.PartResult` of every component; equality is
decided by :mod:`~gradcli.grading.equality`, mistakes are named by
:mod:`~gradcli.grading.mistakes`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import sympy

from gradcli.errors import DimensionError, GradcliError
from gradcli.grading import mistakes
from gradcli.grading.answers import Entry, all_zero, check_separated, read_matrix
from gradcli.grading.decimals import DecimalRule
from gradcli.grading.equality import Equality, decide, number_equality
from gradcli.grading.problem import Context, Problem
from gradcli.grading.results import (
    CORRECT,
    SYMBOLIC,
    UNDECIDED,
    UNREADABLE,
    WRONG,
    PartResult,
)
from gradcli.i18n import _, ngettext
from gradcli.limits import Limits
from gradcli.printing import to_text, to_unicode

__all__ = [
    "Marking",
    "Shown",
    "failed",
    "grade_direction",
    "grade_directional",
    "grade_gradient",
    "grade_hessian",
    "grade_magnitude",
    "grade_value",
    "unreadable",
]

#: answers meaning "∇f = 0 here, so there is no direction" (in English or Korean,
#: whatever language gradcli speaks)
_NO_DIRECTION = frozenset(
    {"none", "undefined", "no direction", "dne", "n/a", "0", "없음", "방향 없음", "정의되지 않음"}
)
#: results of answers that read the same, kept per problem before clearing
_GRADED_CACHE = 10_000

Shown = tuple[str | None, str | None]


@dataclass(frozen=True)
class Marking:
    """How answers are marked: the rule for decimals, what is revealed, the engine's order."""

    rule: DecimalRule
    reveal: bool
    prefer: str
    limits: Limits

    def decide(self, problem: Problem, entry: Entry, expected: sympy.Expr) -> Equality:
        """Compare an answer with an expression (∇f's component, a Hessian entry)."""
        if entry.undefined is not None:
            return Equality(False, SYMBOLIC, entry.undefined)
        return decide(
            entry.expr, expected, problem.evaluator, prefer=self.prefer, limits=self.limits
        )

    def constant(self, problem: Problem, entry: Entry, exact: sympy.Expr) -> Equality:
        """Compare an answer with an exact value at the point."""
        if entry.undefined is not None:
            return Equality(False, SYMBOLIC, entry.undefined)
        if problem.varies(entry):
            return Equality(False, None, "")
        if exact.free_symbols or entry.expr.free_symbols:
            return self.decide(problem, entry, exact)
        return number_equality(entry, exact, rule=self.rule, limits=self.limits)

    def shown(self, expr: Any) -> Shown:
        """The expected answer in sympy syntax and in unicode, when it is revealed."""
        if not self.reveal:
            return None, None
        if isinstance(expr, tuple):
            return (
                "(" + ", ".join(to_text(e) for e in expr) + ")",
                "(" + ", ".join(to_unicode(e) for e in expr) + ")",
            )
        return to_text(expr), to_unicode(expr)


def grade_gradient(
    marking: Marking, problem: Problem, text: str, context: Context
) -> list[PartResult]:
    entries = problem.read(text)
    n = len(problem.variables)
    labels = [f"∂f/∂{v}" for v in problem.shown]
    if len(entries) != n:
        return [_wrong_length(marking, "gradient", "∇f", text, n, len(entries), problem.gradient)]
    context.gradient = tuple(e.expr for e in entries)
    # many texts are one expression once read (2x + 3y - 3y is 2x): grade it once
    key = ("gradient", tuple((e.expr, e.approximate) for e in entries))
    known = problem.graded.get(key)
    if known is not None:
        context.gradient_right = all(p.verdict == CORRECT for p in known)
        return [replace(p, given=e.text) for p, e in zip(known, entries)]
    decisions = [
        marking.decide(problem, entry, expected)
        for entry, expected in zip(entries, problem.gradient)
    ]
    context.gradient_right = all(d.equal for d in decisions)
    defined = all(e.undefined is None for e in entries)
    swapped = (
        mistakes.permutation(problem, entries, decisions, problem.gradient, marking.rule)
        if defined
        else {}
    )
    out = []
    for i, (entry, decision) in enumerate(zip(entries, decisions)):
        shown = marking.shown(problem.gradient[i])
        if decision.equal is not False:
            out.append(_decided("gradient", i, labels[i], entry, decision, shown))
            continue
        if i in swapped:
            j = swapped[i]
            message = _("this is {label} (the components are swapped)").format(label=labels[j])
            found = [("swapped_components", message)]
        elif entry.undefined is not None:
            found = []
        else:
            found = mistakes.diagnose_symbolic(problem, entry, i)
        out.append(_wrong("gradient", i, labels[i], entry, decision, found, shown))
    if len(problem.graded) > _GRADED_CACHE:
        problem.graded.clear()
    if all(p.verdict != UNDECIDED for p in out):
        problem.graded[key] = out
    return out


def grade_value(
    marking: Marking, problem: Problem, text: str, context: Context
) -> list[PartResult]:
    at = problem.at_result()
    entries = problem.read(text)
    where = problem.point_shown
    labels = [f"∂f/∂{v}({where})" for v in problem.shown]
    n = len(problem.variables)
    if len(entries) != n:
        return [_wrong_length(marking, "value", f"∇f({where})", text, n, len(entries), at.value)]
    context.value = tuple(e.expr for e in entries)
    decisions = [marking.constant(problem, entry, exact) for entry, exact in zip(entries, at.value)]
    context.value_right = all(d.equal for d in decisions)
    if context.value_right:
        return [
            _decided("value", i, labels[i], entry, d, marking.shown(at.value[i]))
            for i, (entry, d) in enumerate(zip(entries, decisions))
        ]
    defined = all(e.undefined is None for e in entries)
    whole: mistakes.Found = []
    if defined:
        whole = mistakes.vector_mistakes(problem, entries, at.value, "value", context, marking.rule)
    out = []
    for i, (entry, decision) in enumerate(zip(entries, decisions)):
        shown = marking.shown(at.value[i])
        if decision.equal is not False:
            out.append(_decided("value", i, labels[i], entry, decision, shown))
            continue
        found = (
            []
            if entry.undefined is not None
            else whole
            or mistakes.component_mistakes(problem, entry, i, at.value, labels, marking.rule)
        )
        out.append(_wrong("value", i, labels[i], entry, decision, found, shown))
    return out


def grade_magnitude(
    marking: Marking, problem: Problem, text: str, context: Context
) -> list[PartResult]:
    at = problem.at_result()
    label = f"|∇f({problem.point_shown})|"
    candidates = mistakes.magnitude_candidates(problem, context, at)
    return _scalar(
        marking, problem, "magnitude", label, text, at.magnitude, at.magnitude_float, candidates
    )


def grade_directional(
    marking: Marking, problem: Problem, text: str, context: Context
) -> list[PartResult]:
    at = problem.at_result()
    d = at.directional
    assert d is not None
    label = f"D_v f({problem.point_shown})"
    candidates = mistakes.directional_candidates(problem, context, at)
    return _scalar(
        marking, problem, "directional", label, text, d.derivative, d.derivative_float, candidates
    )


def _scalar(
    marking: Marking,
    problem: Problem,
    part: str,
    label: str,
    text: str,
    exact: sympy.Expr,
    approx: float | None,
    candidates: Iterator[mistakes.Candidate],
) -> list[PartResult]:
    """A part that is one number at the point (|∇f|, the rate along v)."""
    entries = problem.read(text)
    shown = marking.shown(exact)
    if len(entries) != 1:
        if part == "magnitude":
            message = _("the magnitude is one number; the answer has {count} components")
        else:
            message = _("the directional is one number; the answer has {count} components")
        return [
            PartResult(
                part=part,
                component=None,
                label=label,
                verdict=WRONG,
                mistakes=("wrong_length",),
                message=message.format(count=len(entries)),
                given=text.strip(),
                expected=shown[0],
                expected_shown=shown[1],
            )
        ]
    entry = entries[0]
    decision = marking.constant(problem, entry, exact)
    if decision.equal is not False:
        return [_decided(part, None, label, entry, decision, shown)]
    found = (
        mistakes.scalar_mistakes(problem, entry, candidates, marking.rule, expected=exact)
        if entry.undefined is None
        else []
    )
    return [_wrong(part, None, label, entry, decision, found, shown)]


def grade_direction(
    marking: Marking, problem: Problem, text: str, context: Context
) -> list[PartResult]:
    at = problem.at_result()
    label = f"û({problem.point_shown})"
    if at.direction is None:
        return [_no_direction(marking, problem, text, label)]
    entries = problem.read(text)
    n = len(problem.variables)
    if len(entries) != n:
        return [_wrong_length(marking, "direction", label, text, n, len(entries), at.direction)]
    decisions = [
        marking.constant(problem, entry, exact) for entry, exact in zip(entries, at.direction)
    ]
    labels = [f"û_{v}" for v in problem.shown]
    whole: mistakes.Found = []
    if not all(d.equal for d in decisions) and all(e.undefined is None for e in entries):
        whole = mistakes.vector_mistakes(
            problem, entries, at.direction, "direction", context, marking.rule
        )
    out = []
    for i, (entry, decision) in enumerate(zip(entries, decisions)):
        shown = marking.shown(at.direction[i])
        if decision.equal is not False:
            out.append(_decided("direction", i, labels[i], entry, decision, shown))
        else:
            out.append(_wrong("direction", i, labels[i], entry, decision, whole, shown))
    return out


def _no_direction(marking: Marking, problem: Problem, text: str, label: str) -> PartResult:
    """The direction where ∇f = 0: right only when the answer says there is none."""
    given = text.strip()
    none = given.lower().strip("()[]<> ") in _NO_DIRECTION or all_zero(
        given, problem, marking.limits
    )
    if none:
        message = _("∇f = 0 here: no direction, as you said")
    else:
        message = _("∇f = 0 at ({point}): there is no direction of steepest ascent").format(
            point=problem.point_shown
        )
    return PartResult(
        part="direction",
        component=None,
        label=label,
        verdict=CORRECT if none else WRONG,
        method=SYMBOLIC,
        message=message,
        given=given,
        expected="none" if marking.reveal else None,
        expected_shown="none" if marking.reveal else None,
    )


def grade_hessian(
    marking: Marking, problem: Problem, text: str, context: Context
) -> list[PartResult]:
    rows = read_matrix(text, problem, marking.limits)
    n = len(problem.variables)
    flat_expected = [entry for row in problem.hessian() for entry in row]
    if len(rows) != n or any(len(row) != n for row in rows):
        return [_wrong_shape(marking, rows, n, text, flat_expected)]
    entries = [entry for row in rows for entry in row]
    names = problem.shown
    labels = [
        f"∂²f/∂{names[i]}²" if i == j else f"∂²f/∂{names[i]}∂{names[j]}"
        for i in range(n)
        for j in range(n)
    ]
    at_point = problem.point is not None and all(not problem.varies(e) for e in entries)
    targets: list[sympy.Expr]
    if at_point and any(e.free_symbols & set(problem.variables) for e in flat_expected):
        targets = problem.hessian_at()[0]
        labels = [f"{label}({problem.point_shown})" for label in labels]
    else:
        targets = list(flat_expected)
    out = []
    for k, entry in enumerate(entries):
        target = targets[k]
        shown = marking.shown(target)
        if entry.undefined is not None:
            decision = Equality(False, SYMBOLIC, entry.undefined)
        elif target.free_symbols or entry.expr.free_symbols:
            decision = marking.decide(problem, entry, target)
        else:
            decision = number_equality(entry, target, rule=marking.rule, limits=marking.limits)
        if decision.equal is not False:
            out.append(_decided("hessian", k, labels[k], entry, decision, shown))
            continue
        found = (
            mistakes.hessian_mistakes(problem, entry, k, targets, labels, marking.rule)
            if entry.undefined is None
            else []
        )
        out.append(_wrong("hessian", k, labels[k], entry, decision, found, shown))
    return out


def _wrong_shape(
    marking: Marking,
    rows: Sequence[Sequence[Entry]],
    n: int,
    text: str,
    flat_expected: Sequence[sympy.Expr],
) -> PartResult:
    if len({len(row) for row in rows}) > 1:
        message = ngettext(
            "the Hessian of a function of {n} variable is {n}×{n}; "
            "the answer is {rows} rows of different lengths",
            "the Hessian of a function of {n} variables is {n}×{n}; "
            "the answer is {rows} rows of different lengths",
            n,
        )
    else:
        message = ngettext(
            "the Hessian of a function of {n} variable is {n}×{n}; the answer is {rows}×{columns}",
            "the Hessian of a function of {n} variables is {n}×{n}; the answer is {rows}×{columns}",
            n,
        )
    columns = len(rows[0]) if rows else 0
    shown = marking.shown(tuple(flat_expected))
    return PartResult(
        part="hessian",
        component=None,
        label="H",
        verdict=WRONG,
        mistakes=("wrong_length",),
        message=message.format(n=n, rows=len(rows), columns=columns),
        given=text.strip(),
        expected=shown[0],
        expected_shown=shown[1],
    )


# -- results


def _wrong_length(
    marking: Marking, part: str, label: str, text: str, wanted: int, got: int, expected: Any
) -> PartResult:
    check_separated(text, got, wanted)  # "2x 2y" is unreadable, not one wrong component
    shown = marking.shown(tuple(expected)) if expected is not None else (None, None)
    if part == "gradient":
        message = ngettext(
            "∇f has {count} component (one per variable); the answer has {given}",
            "∇f has {count} components (one per variable); the answer has {given}",
            wanted,
        )
    elif part == "value":
        message = ngettext(
            "∇f at the point has {count} component; the answer has {given}",
            "∇f at the point has {count} components; the answer has {given}",
            wanted,
        )
    elif part == "direction":
        message = ngettext(
            "the direction has {count} component; the answer has {given}",
            "the direction has {count} components; the answer has {given}",
            wanted,
        )
    else:
        message = ngettext(
            "the answer should have {count} component; the answer has {given}",
            "the answer should have {count} components; the answer has {given}",
            wanted,
        )
    return PartResult(
        part=part,
        component=None,
        label=label,
        verdict=WRONG,
        mistakes=("wrong_length",),
        message=message.format(count=wanted, given=got),
        given=text.strip(),
        expected=shown[0],
        expected_shown=shown[1],
    )


def _decided(
    part: str,
    component: int | None,
    label: str,
    entry: Entry,
    decision: Equality,
    shown: Shown,
) -> PartResult:
    verdict = CORRECT if decision.equal else UNDECIDED
    message = decision.detail
    if decision.equal and decision.method == SYMBOLIC:
        message = ""
    return PartResult(
        part=part,
        component=component,
        label=label,
        verdict=verdict,
        method=decision.method,
        message=message,
        given=entry.text,
        expected=shown[0],
        expected_shown=shown[1],
        answer_read=read_as(entry),
        caveat=decision.caveat,
    )


def _wrong(
    part: str,
    component: int | None,
    label: str,
    entry: Entry,
    decision: Equality,
    found: Sequence[tuple[str, str]],
    shown: Shown,
) -> PartResult:
    names = tuple(dict.fromkeys(name for name, _message in found if name))
    said = [message for _name, message in found]
    if not names and decision.detail:
        # a hint that names no mistake does not replace what the comparison found
        said.append(decision.detail)
    message = "; ".join(said) or _("not correct")
    return PartResult(
        part=part,
        component=component,
        label=label,
        verdict=WRONG,
        method=decision.method,
        mistakes=names,
        message=message,
        given=entry.text,
        expected=shown[0],
        expected_shown=shown[1],
        answer_read=read_as(entry),
    )


def read_as(entry: Entry) -> str | None:
    """How an answer's component was read, in sympy syntax (``None``: it has no value)."""
    return None if entry.undefined is not None else _text(entry.expr)


@functools.lru_cache(maxsize=8192)
def _text(expr: sympy.Expr) -> str:
    return to_text(expr)


def unreadable(part: str, text: str, error: GradcliError) -> PartResult:
    """The result of an answer that cannot be read (or has the wrong number of components)."""
    if isinstance(error, DimensionError):
        return PartResult(
            part=part,
            component=None,
            label=part,
            verdict=WRONG,
            mistakes=("wrong_length",),
            message=error.message,
            given=text.strip(),
        )
    position = error.position if error.text == text else None
    return PartResult(
        part=part,
        component=None,
        label=part,
        verdict=UNREADABLE,
        message=error.message,
        given=text,
        position=position,
        hint=error.hint,
    )


def failed(part: str, verdict: str, message: str, text: str) -> PartResult:
    """The result of a part that could not be graded at all, and why."""
    return PartResult(
        part=part, component=None, label=part, verdict=verdict, message=message, given=text
    )
