"""Grading the critical points answered: each matched to one that f has, its kind
compared, and the ones left out named."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import sympy

from gradcli.grading.answers import read_critical
from gradcli.grading.decimals import DecimalRule, approximate_text
from gradcli.grading.evaluator import constant_float
from gradcli.grading.parts import Marking, Shown
from gradcli.grading.problem import Context, CriticalPoint, CriticalSet, Problem, shown_point
from gradcli.grading.results import CORRECT, DECIMAL, NUMERIC, SYMBOLIC, WRONG, PartResult
from gradcli.printing import to_text
from gradcli.tolerances import DECIMAL_RTOL

__all__ = ["grade_critical"]

#: a coordinate of a critical point answered is the one found when their
#: floats agree this closely (the point was found numerically, or is irrational)
_SAME_COORDINATE = 1e-9


def grade_critical(
    marking: Marking, problem: Problem, text: str, context: Context
) -> list[PartResult]:
    given = read_critical(text, problem, marking.limits)
    found = problem.critical()
    matched: set[int] = set()
    out: list[PartResult] = []
    for index, (point, kind, item) in enumerate(given):
        match = next(
            (
                k
                for k, candidate in enumerate(found.points)
                if k not in matched and _same_point(point, candidate, marking.rule)
            ),
            None,
        )
        if match is None:
            out.append(_not_critical(problem, index, point, item))
            continue
        matched.add(match)
        out.append(_critical_point(marking, index, point, kind, item, found.points[match]))
    missing = [c for k, c in enumerate(found.points) if k not in matched]
    closing = _all_found(marking, text, given, found, missing)
    if closing is not None:
        out.append(closing)
    if found.note and out:
        out[-1] = replace(out[-1], message=f"{out[-1].message} ({found.note})")
    return out


def _not_critical(
    problem: Problem, index: int, point: tuple[sympy.Expr, ...], item: str
) -> PartResult:
    gradient = problem.gradient_at(point)
    why = (
        f"∇f there is ({shown_point(gradient)}), not 0"
        if gradient is not None
        else "∇f is undefined there"
    )
    return PartResult(
        part="critical",
        component=index,
        label=f"({shown_point(point)})",
        verdict=WRONG,
        method=SYMBOLIC if gradient is not None else None,
        mistakes=("extra_point",),
        message=f"not a critical point: {why}",
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
        expected = f"({shown_point(candidate.exact or candidate.floats)}) {candidate.kind}"
        shown = (expected, expected)
    if approximate_text(item):
        method = DECIMAL
    else:
        method = SYMBOLIC if candidate.exact is not None else NUMERIC
    wrong_kind = kind is not None and kind != candidate.kind
    if wrong_kind:
        message = f"a critical point, but not a {kind}"
    else:
        message = "a critical point" + (f", a {kind}" if kind else "")
        if kind is None and candidate.kind:
            message += " (its kind was not given)"
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


def _all_found(
    marking: Marking,
    text: str,
    given: Sequence[Any],
    found: CriticalSet,
    missing: Sequence[CriticalPoint],
) -> PartResult | None:
    """The closing line: the points missing, or "no critical points" rightly said."""
    if missing:
        listed: str | None = None
        if marking.reveal:
            listed = "; ".join(f"({shown_point(c.exact or c.floats)}) {c.kind}" for c in missing)
        noun = "critical point is" if len(missing) == 1 else "critical points are"
        return PartResult(
            part="critical",
            component=None,
            label="all found",
            verdict=WRONG,
            mistakes=("missing_point",),
            message=f"{len(missing)} {noun} missing",
            given=text.strip(),
            expected=listed,
            expected_shown=listed,
        )
    if not given and not found.points:
        return PartResult(
            part="critical",
            component=None,
            label="all found",
            verdict=CORRECT,
            method=SYMBOLIC,
            message="f has no critical points" + ("" if found.complete else " that were found"),
            given=text.strip(),
        )
    return None


def _same_point(given: Sequence[sympy.Expr], candidate: CriticalPoint, rule: DecimalRule) -> bool:
    for k, coordinate in enumerate(given):
        value = constant_float(coordinate)
        target = candidate.floats[k]
        if value is None:
            return False
        if candidate.exact is not None and coordinate == candidate.exact[k]:
            continue
        scale = max(abs(target), 1.0)
        if abs(value - target) <= _SAME_COORDINATE * scale:
            continue
        rtol = float(rule.tol) if rule.tol is not None else DECIMAL_RTOL
        if approximate_text(to_text(coordinate)) or not coordinate.is_Rational:
            if abs(value - target) <= rtol * scale:
                continue
        elif (
            coordinate.is_Rational
            and not coordinate.is_Integer
            and abs(value - target) <= rtol * scale
        ):
            # a decimal such as 0.33 arrives as the rational 33/100
            continue
        return False
    return True
