"""Grading the critical points answered: each matched to one that f has, its kind
compared, and the ones left out named."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import sympy

from gradcli.grading.critical_answers import CriticalAnswer, read_critical
from gradcli.grading.decimals import approximate_text, significant_figures
from gradcli.grading.equality import constants_equal
from gradcli.grading.evaluator import constant_float
from gradcli.grading.parts import Marking, Shown
from gradcli.grading.problem import Context, CriticalPoint, CriticalSet, Problem, shown_point
from gradcli.grading.results import (
    CORRECT,
    DECIMAL,
    NUMERIC,
    SYMBOLIC,
    UNDECIDED,
    WRONG,
    PartResult,
)
from gradcli.i18n import _, ngettext
from gradcli.kinds import PointKind
from gradcli.kinds import label as kind_label
from gradcli.printing import to_unicode

__all__ = ["grade_critical"]

#: a decimal point this close (relative) to a critical point is a rounding mistake
_NEAR = 1e-2
#: a coordinate answered exactly is the one of a point found numerically when
#: their floats agree this closely (the point is certified to 50 digits, then
#: rounded to a float)
_SAME_COORDINATE = 1e-12
#: a decimal with more figures than this is compared with a numerically found
#: coordinate to the float's own precision
_FLOAT_FIGURES = 15
_FLOAT_RTOL = 4e-16


def grade_critical(
    marking: Marking, problem: Problem, text: str, context: Context
) -> list[PartResult]:
    given = read_critical(text, problem, marking.limits)
    found = problem.critical()
    matched: set[int] = set()
    out: list[PartResult] = []
    for index, answer in enumerate(given):
        match = next(
            (
                k
                for k, candidate in enumerate(found.points)
                if k not in matched and _same_point(answer, candidate, marking)
            ),
            None,
        )
        if match is None:
            again = next(
                (k for k in matched if _same_point(answer, found.points[k], marking)),
                None,
            )
            if again is not None:
                out.append(_repeated(index, answer))
                continue
            near = _near(answer, found.points, matched)
            if near is not None:
                # given, but rounded wrong: wrong here, and not missing too
                matched.add(near)
                out.append(_misrounded(marking, index, answer, found.points[near]))
            else:
                out.append(_not_critical(problem, index, answer.point, answer.text, answer.kind))
            continue
        matched.add(match)
        graded = _critical_point(
            marking, index, answer.point, answer.kind, answer.text, found.points[match]
        )
        # the point as typed: 0.82, not 41/50
        out.append(replace(graded, label=f"({', '.join(answer.coordinates)})"))
    missing = [c for k, c in enumerate(found.points) if k not in matched]
    closing = _all_found(problem, marking, text, given, found, missing)
    if closing is not None:
        out.append(closing)
    said = closing is not None and not missing  # the closing line says it already
    if found.note and out and not said:
        out[-1] = replace(out[-1], message=f"{out[-1].message} ({found.note})")
    return out


def _repeated(index: int, answer: CriticalAnswer) -> PartResult:
    """A critical point given a second time."""
    return PartResult(
        part="critical",
        component=index,
        label=f"({', '.join(answer.coordinates)})",
        verdict=WRONG,
        method=SYMBOLIC,
        mistakes=("extra_point",),
        message=_("this critical point is already in the answer"),
        given=answer.text,
    )


def _expected(candidate: CriticalPoint) -> Shown:
    """A critical point as expected: its kind's machine words (``expected``), and
    for people its kind in the active language (``expected_shown``)."""
    point = f"({shown_point(candidate.exact or candidate.floats)})"
    return f"{point} {candidate.kind}", f"{point} {kind_label(candidate.kind)}"


def _near(answer: CriticalAnswer, points: Sequence[CriticalPoint], matched: set[int]) -> int | None:
    """The critical point a decimal answer is close to (1%), when it is not its rounding."""
    if not any(significant_figures(text) is not None for text in answer.coordinates):
        return None
    values = [constant_float(c) for c in answer.point]
    for k, candidate in enumerate(points):
        if k not in matched and all(
            v is not None and abs(v - t) <= _NEAR * max(abs(t), 1e-3)
            for v, t in zip(values, candidate.floats)
        ):
            return k
    return None


def _misrounded(
    marking: Marking, index: int, answer: CriticalAnswer, candidate: CriticalPoint
) -> PartResult:
    """A decimal point near a critical point, but not that point rounded as written."""
    shown: Shown = (None, None)
    if marking.reveal:
        shown = _expected(candidate)
    return PartResult(
        part="critical",
        component=index,
        label=f"({', '.join(answer.coordinates)})",
        verdict=WRONG,
        method=DECIMAL,
        mistakes=(),
        message=_(
            "close to a critical point, but not its coordinates rounded to the figures written"
        ),
        given=answer.text,
        expected=shown[0],
        expected_shown=shown[1],
    )


def _not_critical(
    problem: Problem, index: int, point: tuple[sympy.Expr, ...], item: str, kind: str | None
) -> PartResult:
    gradient = problem.gradient_at(point)
    if gradient is not None and all(g == 0 for g in gradient):
        # ∇f = 0 there exactly, but the search did not list it (a point of a
        # curve of critical points, or one it missed): right, kind unchecked
        return PartResult(
            part="critical",
            component=index,
            label=f"({shown_point(point)})",
            verdict=CORRECT if kind is None else UNDECIDED,
            method=SYMBOLIC,
            message=_("a critical point: ∇f = 0 there")
            if kind is None
            else _(
                "a critical point: ∇f = 0 there; whether it is a {kind} is not checked here"
            ).format(kind=kind_label(kind)),
            given=item,
        )
    message = (
        _("not a critical point: ∇f there is ({gradient}), not 0").format(
            gradient=shown_point(gradient)
        )
        if gradient is not None
        else _("not a critical point: ∇f is undefined there")
    )
    return PartResult(
        part="critical",
        component=index,
        label=f"({shown_point(point)})",
        verdict=WRONG,
        method=SYMBOLIC if gradient is not None else None,
        mistakes=("extra_point",),
        message=message,
        given=item,
    )


def _critical_point(
    marking: Marking,
    index: int,
    point: tuple[sympy.Expr, ...],
    kind: str | None,
    item: str,
    candidate: CriticalPoint,
) -> PartResult:
    """A point answered that is a critical point: right, or of the wrong kind."""
    shown: Shown = (None, None)
    if marking.reveal:
        shown = _expected(candidate)
    if approximate_text(item):
        method = DECIMAL
    else:
        method = SYMBOLIC if candidate.exact is not None else NUMERIC
    wrong_kind = kind is not None and kind not in _kinds_of(candidate)
    unsettled = (
        wrong_kind
        and candidate.kind in (PointKind.DEGENERATE.short, PointKind.NONDIFFERENTIABLE.short)
        and _BY_VALUES.get(candidate.higher_order or "") is None
        and kind != PointKind.DEGENERATE.short
    )
    if unsettled:
        # neither the second-derivative test nor f's values around it settle the kind
        return PartResult(
            part="critical",
            component=index,
            label=f"({shown_point(point)})",
            verdict=UNDECIDED,
            method=None,
            message=_(
                "a critical point; whether it is a {kind} cannot be decided here "
                "(the second-derivative test cannot tell: {test})"
            ).format(kind=kind_label(kind or ""), test=kind_label(candidate.kind)),
            given=item,
            expected=shown[0],
            expected_shown=shown[1],
        )
    if wrong_kind:
        message = _("a critical point, but not a {kind}").format(kind=kind_label(kind or ""))
    elif kind is not None and kind != candidate.kind:
        message = _(
            "a critical point, a {kind}: the second-derivative test cannot tell "
            "({test}), but f's values around it show it"
        ).format(kind=kind_label(kind), test=kind_label(candidate.kind))
    elif kind:
        message = _("a critical point, a {kind}").format(kind=kind_label(kind))
    elif kind is None and candidate.kind:
        message = _("a critical point (its kind was not given)")
    else:
        message = _("a critical point")
    return PartResult(
        part="critical",
        component=index,
        label=f"({shown_point(point)})",
        verdict=WRONG if wrong_kind else CORRECT,
        method=method,
        mistakes=("wrong_kind",) if wrong_kind else (),
        message=message,
        given=item,
        expected=shown[0],
        expected_shown=shown[1],
    )


#: the kind a student may name for a point the second-derivative test cannot
#: classify, by what f's values around it show
_BY_VALUES = {
    "minimum": PointKind.MINIMUM.short,
    "maximum": PointKind.MAXIMUM.short,
    "neither": PointKind.SADDLE.short,
}


def _kinds_of(candidate: CriticalPoint) -> set[str]:
    """The kinds right for a critical point: its kind, and for a degenerate (or
    nondifferentiable) one what f does around it (x⁴ + y⁴ has a minimum at 0)."""
    kinds = {candidate.kind}
    if candidate.kind in (PointKind.DEGENERATE.short, PointKind.NONDIFFERENTIABLE.short):
        seen = _BY_VALUES.get(candidate.higher_order or "")
        if seen is not None:
            kinds.add(seen)
    return kinds


def _never_zero(problem: Problem) -> str | None:
    """A component of ∇f that is provably never 0 (``∂f/∂y = 1``), shown; else ``None``."""
    for name, component in zip(problem.shown, problem.gradient):
        if component.is_nonzero or (component.is_number and component != 0):
            return f"∂f/∂{name} = {to_unicode(component)}"
    return None


def _all_found(
    problem: Problem,
    marking: Marking,
    text: str,
    given: Sequence[Any],
    found: CriticalSet,
    missing: Sequence[CriticalPoint],
) -> PartResult | None:
    """The closing line: the points missing, or "no critical points" rightly said."""
    if missing:
        listed: Shown = (None, None)
        if marking.reveal:
            each = [_expected(c) for c in missing]
            listed = ("; ".join(e[0] or "" for e in each), "; ".join(e[1] or "" for e in each))
        return PartResult(
            part="critical",
            component=None,
            label="all found",
            verdict=WRONG,
            mistakes=("missing_point",),
            message=ngettext(
                "{count} critical point is missing",
                "{count} critical points are missing",
                len(missing),
            ).format(count=len(missing)),
            given=text.strip(),
            expected=listed[0],
            expected_shown=listed[1],
        )
    if not given and not found.points:
        never = _never_zero(problem)
        if never is not None:
            return PartResult(
                part="critical",
                component=None,
                label="all found",
                verdict=CORRECT,
                method=SYMBOLIC,
                message=_("f has no critical points: {component} is never 0").format(
                    component=never
                ),
                given=text.strip(),
            )
        if found.sets:
            return PartResult(
                part="critical",
                component=None,
                label="all found",
                verdict=WRONG,
                method=SYMBOLIC,
                mistakes=("missing_point",),
                message=_("f has infinitely many critical points (on curves or surfaces)"),
                given=text.strip(),
            )
        if not found.complete:
            return PartResult(
                part="critical",
                component=None,
                label="all found",
                verdict=UNDECIDED,
                message=_("no critical points were found, but the search may be incomplete"),
                given=text.strip(),
            )
        return PartResult(
            part="critical",
            component=None,
            label="all found",
            verdict=CORRECT,
            method=SYMBOLIC,
            message=_("f has no critical points"),
            given=text.strip(),
        )
    return None


def _same_point(answer: CriticalAnswer, candidate: CriticalPoint, marking: Marking) -> bool:
    """Whether each coordinate answered is the candidate's, by the rule for numbers.

    A decimal written alone is judged as any decimal answer is (correctly
    rounded to the figures written, or ``--sigfigs``/``--tol``/``--abs-tol``);
    anything else is compared exactly with an exact point, or within float
    rounding with a point that was found numerically.
    """
    for k, (coordinate, text) in enumerate(zip(answer.point, answer.coordinates)):
        exact = candidate.exact[k] if candidate.exact is not None else None
        target = exact if exact is not None else sympy.Rational(candidate.floats[k])
        if coordinate == target and marking.rule.sigfigs is None:
            continue
        figures = significant_figures(text)
        if figures is not None:
            if exact is None and figures > _FLOAT_FIGURES:
                # more figures than the point found numerically is known to as a float
                value = constant_float(coordinate)
                if value is not None and abs(value - candidate.floats[k]) <= _FLOAT_RTOL * max(
                    abs(candidate.floats[k]), 1e-300
                ):
                    continue
                return False
            if marking.rule.judge(text, target)[0]:
                continue
            return False
        if approximate_text(text) and marking.rule.uses_tolerance:
            if not coordinate.free_symbols and marking.rule.judge_value(coordinate, target)[0]:
                continue
            return False
        if exact is not None:
            if constants_equal(coordinate, exact, marking.limits).equal:
                continue
            return False
        value = constant_float(coordinate)
        if value is None or abs(value - candidate.floats[k]) > _SAME_COORDINATE * max(
            abs(candidate.floats[k]), 1.0
        ):
            return False
    return True
