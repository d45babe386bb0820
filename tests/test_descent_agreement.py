"""Descent agrees with the rest of gradcli and with independent oracles.

The oracles are sympy's ``diff`` evaluated at 30 digits, central finite
differences, exact linear algebra, the plain reference loop and the
``hessian`` command's core: never the fast engine's own pieces.
"""

from __future__ import annotations

import math

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradcli.calculus import gradient
from gradcli.descent import PointKind, StopReason, descend
from gradcli.descent.compile import _compile
from gradcli.descent.engine import _hessian_at
from gradcli.descent.reference import reference_points
from gradcli.parse import parse_function
from gradcli.second_order import hessian

x, y = sympy.symbols("x y", real=True)


def _parsed(text: str) -> tuple[sympy.Expr, tuple[sympy.Symbol, ...]]:
    f = parse_function(text)
    return f.expr, f.variables


def _oracle_gradient(expr: sympy.Expr, variables: tuple[sympy.Symbol, ...], point) -> list[float]:
    values = {v: sympy.Rational(str(p)) for v, p in zip(variables, point)}
    return [float(sympy.diff(expr, v).xreplace(values).evalf(30)) for v in variables]


# --------------------------------------------------------------------------
# the examples of issue 12


def test_one_step_on_a_squared_denominator_follows_the_true_gradient() -> None:
    expr, variables = _parsed("(x^2+1)/(y^2+1)+y^2")
    run = descend(expr, variables, (1, 1), lr=0.01, steps=1)
    g = _oracle_gradient(expr, variables, (1, 1))
    assert g == [1.0, 1.0]
    assert run.points[1] == pytest.approx((1 - 0.01 * g[0], 1 - 0.01 * g[1]), rel=1e-15)


@pytest.mark.parametrize(
    ("text", "start", "lr", "critical_point", "kind"),
    [
        ("x/(1+x^2)", (0.5,), 0.1, (-1,), PointKind.MINIMUM),
        ("log(x^2+y^2+1)", (1, -2), 0.1, (0, 0), PointKind.MINIMUM),
        ("-log(x^2+y^2+1)", (1, -2), 0.1, (0, 0), PointKind.MAXIMUM),
    ],
)
def test_the_final_kind_is_what_hessian_says_there(
    text: str, start: tuple, lr: float, critical_point: tuple, kind: PointKind
) -> None:
    expr, variables = _parsed(text)
    ascent = kind is PointKind.MAXIMUM
    run = descend(expr, variables, start, lr=lr, steps=5000, ascent=ascent)
    assert run.stop_reason is StopReason.CONVERGED
    assert run.final_point == pytest.approx(critical_point, abs=1e-6)
    assert run.final_kind is kind
    assert hessian(expr, variables, at=critical_point).meaning == kind.test_verdict


def test_a_valley_of_critical_points_is_degenerate_in_both_commands() -> None:
    expr, variables = _parsed("x^2/(1+y^2)")
    run = descend(expr, variables, (1, 1), lr=0.1, steps=5000)
    assert run.final_kind is PointKind.DEGENERATE
    x_end, y_end = run.final_point
    assert abs(x_end) < 1e-6
    at = (0, sympy.Rational(str(y_end)))
    assert hessian(expr, variables, at=at).meaning == PointKind.DEGENERATE.test_verdict


def test_the_minimum_of_a_logistic_loss_is_a_minimum() -> None:
    # a convex loss of two samples: its Hessian is positive definite everywhere
    expr, variables = _parsed("log(1+exp(-(2x+y))) + log(1+exp(x-3y)) + (x^2+y^2)/10")
    run = descend(expr, variables, (1, 1), lr=0.5, steps=10_000)
    assert run.stop_reason is StopReason.CONVERGED
    assert run.final_kind is PointKind.MINIMUM
    at = tuple(sympy.Rational(str(v)) for v in run.final_point)
    assert str(hessian(expr, variables, at=at).definiteness) == "positive definite"


def test_newton_goes_downhill_on_a_softplus() -> None:
    expr, variables = _parsed("log(1+e^x)+y^2")
    run = descend(expr, variables, (1, 1), method="newton", steps=5)
    assert all(b < a for a, b in zip(run.values, run.values[1:]))


# --------------------------------------------------------------------------
# generated functions: quotients, logs, exponentials, powers, trig, compositions


def _functions() -> st.SearchStrategy[sympy.Expr]:
    leaves = st.sampled_from([x, y, x + 1, y - 2, sympy.Integer(3), x * y])

    def extend(children: st.SearchStrategy[sympy.Expr]) -> st.SearchStrategy[sympy.Expr]:
        unary = st.tuples(
            st.sampled_from(["exp", "log", "sin", "cos", "sqrt", "square", "inverse"]), children
        ).map(_apply)
        binary = st.tuples(st.sampled_from(["+", "*", "/"]), children, children).map(_combine)
        return unary | binary

    return st.recursive(leaves, extend, max_leaves=5).filter(
        lambda e: e.free_symbols == {x, y} and e.is_finite is not False
    )


def _apply(pair: tuple[str, sympy.Expr]) -> sympy.Expr:
    name, u = pair
    # every one defined and smooth on the whole plane
    return {
        "exp": lambda: sympy.exp(u / 4),
        "log": lambda: sympy.log(1 + u**2),
        "sin": lambda: sympy.sin(u),
        "cos": lambda: sympy.cos(u),
        "sqrt": lambda: sympy.sqrt(2 + u**2),
        "square": lambda: u**2,
        "inverse": lambda: 1 / (1 + u**2),
    }[name]()


def _combine(triple: tuple[str, sympy.Expr, sympy.Expr]) -> sympy.Expr:
    op, a, b = triple
    if op == "+":
        return a + b
    if op == "*":
        return a * b
    return a / (1 + b**2)


_points = st.tuples(
    st.integers(-8, 8).map(lambda k: k / 4), st.integers(-8, 8).map(lambda k: k / 4)
)

_settings = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_settings
@given(_functions(), _points, st.sampled_from(["gd", "momentum", "nesterov", "adam"]))
def test_the_engine_takes_the_reference_loops_steps(
    expr: sympy.Expr, start: tuple[float, float], method: str
) -> None:
    lr = 1e-3
    try:
        expected = reference_points(expr, (x, y), start, method=method, lr=lr, steps=6)
    except (ValueError, OverflowError, ZeroDivisionError, TypeError):
        return  # outside f's domain or beyond floats: nothing to compare
    if not all(math.isfinite(v) for p in expected for v in p):
        return
    run = descend(expr, (x, y), start, method=method, lr=lr, steps=6, tol=1e-300)
    for got, want in zip(run.points, expected):
        assert got == pytest.approx(want, rel=1e-9, abs=1e-12)


@_settings
@given(_functions(), _points)
def test_descents_hessian_is_hessians_and_the_finite_differences(
    expr: sympy.Expr, point: tuple[float, float]
) -> None:
    exact_point = tuple(sympy.Rational(str(p)) for p in point)
    try:
        expected = hessian(expr, (x, y), at=exact_point).matrix_at_float
    except Exception:  # noqa: BLE001 - undefined there: nothing to compare
        return
    if expected is None or not all(math.isfinite(v) for row in expected for v in row):
        return
    program = _compile(expr, (x, y), "gd")
    got = _hessian_at(program, point)
    assert got is not None
    for row_got, row_want in zip(got, expected):
        assert row_got == pytest.approx(row_want, rel=1e-9, abs=1e-9)
    # an oracle that shares no code: central differences of sympy's own ∇f
    grad = sympy.lambdify((x, y), [sympy.diff(expr, v) for v in (x, y)], "mpmath")
    import mpmath

    mpmath.mp.dps = 30
    h = mpmath.mpf("1e-10")
    for j in range(2):
        plus = [mpmath.mpf(p) for p in point]
        minus = list(plus)
        plus[j] += h
        minus[j] -= h
        column = [(a - b) / (2 * h) for a, b in zip(grad(*plus), grad(*minus))]
        for i in range(2):
            assert float(column[i]) == pytest.approx(expected[i][j], rel=1e-6, abs=1e-6)


@_settings
@given(_functions(), _points)
def test_every_gradient_agrees_with_finite_differences(
    expr: sympy.Expr, point: tuple[float, float]
) -> None:
    try:
        result = gradient(expr, at=point, simplify=False)
    except Exception:  # noqa: BLE001 - undefined there
        return
    import mpmath

    mpmath.mp.dps = 30
    f = sympy.lambdify((x, y), expr, "mpmath")
    h = mpmath.mpf("1e-12")
    assert result.at is not None and result.at.value_float is not None
    for j, want in enumerate(result.at.value_float):
        plus = [mpmath.mpf(str(p)) for p in point]
        minus = list(plus)
        plus[j] += h
        minus[j] -= h
        slope = float((f(*plus) - f(*minus)) / (2 * h))
        assert slope == pytest.approx(want, rel=1e-8, abs=1e-8)


def test_one_newton_step_is_theta_minus_h_inverse_gradient_exactly() -> None:
    expr, variables = _parsed("x^4/(1+y^2) + exp(x*y/3) + y^2")
    start = (sympy.Rational(1, 2), sympy.Rational(-3, 4))
    values = dict(zip(variables, start))
    g = sympy.Matrix([sympy.diff(expr, v) for v in variables]).xreplace(values)
    h = sympy.hessian(expr, variables).xreplace(values)
    expected = sympy.Matrix(start) - h.LUsolve(g)
    run = descend(expr, variables, (0.5, -0.75), method="newton", steps=1)
    assert run.points[1] == pytest.approx([float(v.evalf(30)) for v in expected], rel=1e-12)


def test_a_typed_decimal_is_the_same_exact_point_in_every_command() -> None:
    expr, variables = _parsed("x^2*y + y^3")
    tenth = sympy.Rational(1, 10)
    assert gradient(expr, at=(0.1, 0.3)).at.point == (tenth, 3 * tenth)
    assert hessian(expr, variables, at=(0.1, 0.3)).at_point == (tenth, 3 * tenth)
    run = descend(expr, variables, (0.1, 0.3), steps=1, exact=True)
    assert run.points_exact[0] == (tenth, 3 * tenth)
    assert gradient(expr, at="0.1, 0.3").at.point == (tenth, 3 * tenth)


@pytest.mark.parametrize(
    ("text", "start", "ascent"),
    [
        ("x/(1+x^2)", (0.5,), False),
        ("x/(1+x^2)", (0.5,), True),
        ("log(x^2+y^2+1)", (1, -2), False),
        ("x^3 - 3x + y^2", (2, 1), False),
    ],
)
def test_descend_critical_and_hessian_name_the_end_point_alike(
    text: str, start: tuple, ascent: bool
) -> None:
    from gradcli.critical import critical_points

    expr, variables = _parsed(text)
    run = descend(expr, variables, start, lr=0.05, steps=20_000, ascent=ascent)
    assert run.stop_reason is StopReason.CONVERGED
    found = [
        p
        for p in critical_points(expr, variables).points
        if p.point_float == pytest.approx(run.final_point, abs=1e-5)
    ]
    assert len(found) == 1
    point = found[0]
    assert point.kind == run.final_kind.short
    assert hessian(expr, variables, at=point.point).meaning == run.final_kind.test_verdict
