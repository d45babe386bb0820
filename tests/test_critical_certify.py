"""Certified critical points (gradcli.critical.certify), proved against oracles
that are not the code under test: a hand derivation, sympy's ``diff``, mpmath
at 50 digits, and ``gradcli hessian``'s verdict."""

from __future__ import annotations

from fractions import Fraction
from itertools import pairwise
from typing import Any

import mpmath
import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gradcli.critical import NUMERIC_TOLERANCE, CriticalAnalysis, critical_points
from gradcli.critical.certify import Certificate, Failure, certify
from gradcli.critical.context import Context
from gradcli.errors import BudgetExceeded
from gradcli.second_order import hessian

x, y, z = sympy.symbols("x y z", real=True)

#: hessian's words for the kinds critical lists
HESSIAN_WORDS = {
    "local min": "local minimum",
    "local max": "local maximum",
    "saddle": "saddle point",
    "degenerate": "test inconclusive",
}


def gradient_at(expr: sympy.Expr, variables: tuple[sympy.Symbol, ...], point: Any) -> float:
    """max |∂f/∂xᵢ| at ``point`` (floats, mpmath numbers or sympy Floats), by
    sympy's diff evaluated by mpmath at 50 digits."""
    partials = [sympy.diff(expr, v) for v in variables]
    with mpmath.workdps(50):
        numeric = sympy.lambdify(variables, partials, modules="mpmath")
        values = numeric(*(mpmath.mpf(v) for v in point))
        return max(float(abs(mpmath.mpmathify(v))) for v in values)


# ---------------------------------------------------------------------------
# x⁶ + y⁶ + z⁶ − 6xyz: five critical points, and no artefact near the origin


def test_sextic_lists_exactly_its_five_critical_points() -> None:
    """∇f = 6(x⁵ − yz, y⁵ − xz, z⁵ − xy). Multiplying the equations gives
    (xyz)⁵ = (xyz)², so xyz = 0 or xyz = 1. If xyz = 0, say x = 0, then yz = 0
    and y⁵ = z⁵ = 0: the origin. If xyz = 1, x⁶ = x·yz = 1, so |x| = |y| = |z| = 1
    with product 1: (1, 1, 1) and the three points with two -1s."""
    f = x**6 + y**6 + z**6 - 6 * x * y * z
    expected = {(0, 0, 0), (1, 1, 1), (1, -1, -1), (-1, 1, -1), (-1, -1, 1)}
    result = critical_points(f, (x, y, z), time_budget=4.0)
    assert len(result.points) == 5, [p.point_float for p in result.points]
    assert {p.point for p in result.points} == expected
    for p in result.points:
        assert p.point is not None
        values = dict(zip((x, y, z), p.point))
        assert all(sympy.diff(f, v).xreplace(values) == 0 for v in (x, y, z))
        verdict = hessian(f, (x, y, z), at=p.point).meaning
        assert verdict == HESSIAN_WORDS[p.kind]
    kinds = sorted(p.kind for p in result.points)
    assert kinds == ["degenerate", "local min", "local min", "local min", "local min"]
    assert not any("could not be certified" in note for note in result.notes)


def test_newton_does_not_certify_the_artefact_near_the_degenerate_origin() -> None:
    # |∇f| ≈ 7.6e-16 here, yet the only critical point nearby is the origin:
    # Newton's steps shrink by 4/5 each (linearly), towards it
    f = x**6 + y**6 + z**6 - 6 * x * y * z
    context = Context(f, (x, y, z), Fraction(-10), Fraction(10), 0, 5.0)
    start = (0.0006620248164772144, 0.0, 0.0)
    assert gradient_at(f, (x, y, z), start) < 1e-14
    outcome = certify(context, start)
    assert isinstance(outcome, Failure)
    assert "quadratically" in outcome.reason
    assert outcome.end is not None and 0 < outcome.end[0] < start[0] / 5


def test_newton_certifies_a_simple_root_to_fifty_digits() -> None:
    # Himmelblau's maximum is a root of a quintic: no exact recognition helps
    f = (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2
    context = Context(f, (x, y), Fraction(-10), Fraction(10), 0, 5.0)
    outcome = certify(context, (-0.2708446, -0.9230386))
    assert isinstance(outcome, Certificate)
    assert gradient_at(f, (x, y), outcome.point) < 1e-40
    # the digits double: each step is below the square of the one before
    big = [s for s in outcome.steps if s > 1e-45]
    assert all(b <= a**1.5 for a, b in pairwise(big))
    # sympy's own root of the system, at 50 digits, agrees
    with mpmath.workdps(50):
        oracle = sympy.nsolve([sympy.diff(f, x), sympy.diff(f, y)], (x, y), (-0.27, -0.92), prec=50)
        assert max(abs(outcome.point[i] - mpmath.mpf(str(oracle[i]))) for i in range(2)) < 1e-40


def test_a_near_miss_is_not_a_critical_point() -> None:
    # f' = (x² + 10⁻¹⁰)·e^(…) > 0 everywhere: no critical point, although
    # |f'(0)| = 10⁻¹⁰ passes the search's float tolerance
    f = sympy.exp(x**3 / 3 + x / 10**10)
    result = critical_points(f, (x,), box=(-3, 3))
    assert result.points == ()
    assert any("could not be certified" in note for note in result.notes)


def test_numeric_points_carry_their_certified_digits() -> None:
    f = sympy.sin(x) * sympy.cos(y) + x / 10
    result = critical_points(f, (x, y), box=(-3, 3))
    numeric = [p for p in result.points if p.numeric]
    assert numeric
    for p in numeric:
        assert p.refined is not None and p.tolerance == NUMERIC_TOLERANCE
        assert gradient_at(f, (x, y), p.refined) < 1e-40
        assert p.point_float == tuple(float(v) for v in p.refined)
        # x = -acos(-1/10) exactly (∂f/∂x = cos x·cos y + 1/10 with y = 0 or π)
        assert (
            abs(abs(p.refined[0]) - sympy.acos(sympy.Rational(-1, 10))) < 1e-40
            or abs(abs(p.refined[1]) - sympy.acos(sympy.Rational(-1, 10))) < 1e-40
        )


# ---------------------------------------------------------------------------
# every reported point, of generated functions


def _term(draw: st.DrawFn, variables: tuple[sympy.Symbol, ...]) -> sympy.Expr:
    v = draw(st.sampled_from(variables))
    w = draw(st.sampled_from(variables))
    c = sympy.Integer(draw(st.integers(-3, 3).filter(bool)))
    shape = draw(st.integers(0, 8))
    return [
        c * v**2,
        c * v * w,
        c * v**3 / 3,
        c * sympy.exp(v / 2),
        c * sympy.log(1 + v**2),
        c * sympy.sin(v),
        c * sympy.cos(v) * sympy.cos(w),
        c * v / (1 + w**2),
        c / (2 + v**2),
    ][shape]


@st.composite
def functions(draw: st.DrawFn) -> tuple[sympy.Expr, tuple[sympy.Symbol, ...]]:
    n = draw(st.integers(1, 3))
    variables = (x, y, z)[:n]
    # a coercive part keeps the critical points few and inside the box
    f = sum((v**2 / 2 for v in variables), sympy.Integer(0))
    for _ in range(draw(st.integers(1, 3))):
        f += _term(draw, variables)
    return f, variables


def _analysis(f: sympy.Expr, variables: tuple[sympy.Symbol, ...]) -> CriticalAnalysis:
    try:
        return critical_points(f, variables, box=(-3.5, 3.5), time_budget=2.0)
    except BudgetExceeded:
        assume(False)
        raise


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(functions())
def test_every_reported_point_is_critical_to_fifty_digits(
    case: tuple[sympy.Expr, tuple[sympy.Symbol, ...]],
) -> None:
    f, variables = case
    result = _analysis(f, variables)
    partials = [sympy.diff(f, v) for v in variables]
    for p in result.points:
        if p.numeric:
            assert p.refined is not None and p.point is None
            assert gradient_at(f, variables, p.refined) < 1e-20, p
            continue
        assert p.point is not None
        values = dict(zip(variables, p.point))
        if all(v.is_Rational for v in p.point):
            assert [g.xreplace(values) for g in partials] == [0] * len(variables), p
        else:
            gradient = [g.xreplace(values).evalf(50) for g in partials]
            assert max(abs(complex(g)) for g in gradient) < 1e-20, p
        verdict = hessian(f, variables, at=p.point, time_budget=1.0).meaning
        # "undecided": hessian could not prove ∇f = 0 there (a LambertW point)
        if verdict not in (None, "undecided"):
            assert verdict == HESSIAN_WORDS[p.kind], (p, verdict)


def test_a_critical_point_on_a_decimal_box_bound_is_found() -> None:
    # f' = eˣ − e^(1/10) vanishes at x = 1/10 exactly, the box's lower bound
    f = sympy.exp(x) - x * sympy.E ** sympy.Rational(1, 10)
    result = critical_points(f, (x,), box=(0.1, 1))
    (p,) = result.points
    assert p.point == (sympy.Rational(1, 10),)
    assert (p.kind, result.box) == ("local min", (0.1, 1.0))


@pytest.mark.parametrize("bound", [0.1, 0.1234567, 2.675])
def test_box_bounds_are_the_decimals_typed(bound: float) -> None:
    from gradcli.critical.context import check_box

    lo, _ = check_box((bound, 10))
    assert lo == Fraction(repr(bound))
