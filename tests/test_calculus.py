"""The gradient core: known answers, evaluation at points, and properties."""

from __future__ import annotations

import math

import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gradcli.calculus import gradient, jacobian, partial_derivatives
from gradcli.errors import DimensionError, InputError, UndefinedError
from gradcli.parse import symbol

x, y, z, a, b = (symbol(n) for n in "xyzab")


def test_seed_example_exactly() -> None:
    g = gradient("x**2+y**2+x*y", at="1,3")
    assert g.components == (2 * x + y, x + 2 * y)
    assert g.at is not None
    assert g.at.value == (5, 7)
    assert g.at.value_float == (5.0, 7.0)
    assert g.at.magnitude == sympy.sqrt(74)
    assert g.at.magnitude_float == pytest.approx(8.602325267042627, rel=1e-15)
    assert g.at.direction == (5 * sympy.sqrt(74) / 74, 7 * sympy.sqrt(74) / 74)
    assert g.at.direction_float == pytest.approx((0.5812381937190965, 0.8137334712067351))
    assert g.at.function_value == 13
    assert not g.at.critical


def test_floats_are_correctly_rounded_from_the_exact_value() -> None:
    g = gradient("x^2+y^2+xy", at="1,3")
    assert g.at is not None and g.at.direction_float is not None
    for exact, approx in zip(g.at.direction, g.at.direction_float):
        assert approx == float(sympy.N(exact, 30))


def test_one_variable() -> None:
    g = gradient("x^3", at="2")
    assert g.components == (3 * x**2,)
    assert g.at is not None and g.at.value == (12,)
    assert g.at.direction == (1,)


def test_without_a_point_only_the_symbolic_gradient() -> None:
    g = gradient("sin(x*y)")
    assert g.components == (y * sympy.cos(x * y), x * sympy.cos(x * y))
    assert g.at is None


def test_critical_point_has_no_direction() -> None:
    g = gradient("x^2 + y^2", at="0,0")
    assert g.at is not None
    assert g.at.critical
    assert g.at.direction is None and g.at.direction_float is None
    assert g.at.magnitude == 0


def test_abs_differentiates_to_sign_with_real_symbols() -> None:
    assert gradient("abs(x)").components == (sympy.sign(x),)
    assert not gradient("abs(x) + log(y)").components[0].has(sympy.re, sympy.im)


def test_parameters_stay_symbolic_unless_named() -> None:
    g = gradient("a*x^2 + b*y", variables=["x", "y"], at="1, 2")
    assert g.function.parameters == (a, b)
    assert g.at is not None
    assert g.at.value == (2 * a, b)
    assert g.at.value_float is None and g.at.magnitude_float is None
    named = gradient("a*x^2 + b*y", variables=["x", "y"], at="x=1, y=2, a=3, b=4")
    assert named.at is not None and named.at.value == (6, 4)


@pytest.mark.parametrize(
    ("point", "values"),
    [
        ("-1/2, pi/4", (sympy.Rational(-1, 2), sympy.pi / 4)),
        ("y=3, x=1", (1, 3)),
        ("sqrt(2), e", (sympy.sqrt(2), sympy.E)),
        ((1, 3), (1, 3)),
        ({"x": 1, "y": 3}, (1, 3)),
    ],
)
def test_point_forms(point: object, values: tuple[object, ...]) -> None:
    g = gradient("x*y", at=point)  # type: ignore[arg-type]
    assert g.at is not None and g.at.point == values


def test_natural_variable_order() -> None:
    assert gradient("x10 + x2^2 + x1").variables == (symbol("x1"), symbol("x2"), symbol("x10"))


@pytest.mark.parametrize(
    ("expression", "point", "message"),
    [
        ("1/x", "0", "undefined at x = 0 (division by zero)"),
        ("log(x)", "-1", "not real at x = -1"),
        ("sqrt(x) + y", "0, 1", "∂f/∂x is undefined"),
        ("asin(x)", "2", "not real"),
        ("x^5000", "1000", "larger than"),
    ],
)
def test_undefined_at_the_point(expression: str, point: str, message: str) -> None:
    with pytest.raises(UndefinedError, match=message.replace("(", r"\(").replace(")", r"\)")):
        gradient(expression, at=point)


def test_point_of_the_wrong_length() -> None:
    with pytest.raises(DimensionError, match="2 variables"):
        gradient("x*y", at="1")


def test_directional_derivative_along_1_1() -> None:
    g = gradient("x^2+y^2+xy", at="1,3", along="1,1")
    assert g.at is not None and g.at.directional is not None
    d = g.at.directional
    assert d.derivative == 6 * sympy.sqrt(2)
    assert d.unit_along == (sympy.sqrt(2) / 2, sympy.sqrt(2) / 2)
    assert d.derivative_float == pytest.approx(12 / math.sqrt(2))


def test_directional_derivative_extremes() -> None:
    along_gradient = gradient("x^2+y^2+xy", at="1,3", along="5,7").at
    assert along_gradient is not None and along_gradient.directional is not None
    assert along_gradient.directional.derivative == along_gradient.magnitude
    tangent = gradient("x^2+y^2+xy", at="1,3", along="7,-5").at
    assert tangent is not None and tangent.directional is not None
    assert tangent.directional.derivative == 0


@pytest.mark.parametrize(("along", "error"), [("0,0", "zero vector"), ("1,2,3", "3 components")])
def test_bad_directions(along: str, error: str) -> None:
    with pytest.raises(InputError, match=error):
        gradient("x*y", at="1,1", along=along)


def test_along_needs_a_point() -> None:
    with pytest.raises(InputError, match="needs a point"):
        gradient("x*y", along="1,1")


def test_jacobian_shares_the_gradient_code() -> None:
    J = jacobian("x*y, x + y, sin(x)", at="0, 2")
    assert J.matrix == ((y, x), (1, 1), (sympy.cos(x), 0))
    assert J.matrix_at == ((2, 0), (1, 1), (1, 0))
    assert jacobian("x^2 + y^2 + xy").matrix == (gradient("x^2 + y^2 + xy").components,)


def test_term_wise_differentiation_matches_diff() -> None:
    n = 30
    xs = [symbol(f"x{i}") for i in range(1, n + 1)]
    rosen = sympy.Add(
        *[100 * (xs[i + 1] - xs[i] ** 2) ** 2 + (1 - xs[i]) ** 2 for i in range(n - 1)]
    )
    fast = partial_derivatives(rosen, xs)
    assert all(sympy.expand(f - sympy.diff(rosen, v)) == 0 for f, v in zip(fast, xs))


# -- property: every gradient agrees with central finite differences ------------

_unary = [sympy.sin, sympy.cos, sympy.exp, sympy.atan, sympy.tanh, lambda e: sympy.log(1 + e**2)]


def _expressions() -> st.SearchStrategy[sympy.Expr]:
    leaves = st.sampled_from([x, y, z, sympy.Integer(2), sympy.Rational(1, 3), sympy.pi])

    def extend(children: st.SearchStrategy[sympy.Expr]) -> st.SearchStrategy[sympy.Expr]:
        return st.one_of(
            st.tuples(children, children).map(lambda p: p[0] + p[1]),
            st.tuples(children, children).map(lambda p: p[0] * p[1]),
            st.tuples(children, st.integers(2, 3)).map(lambda p: p[0] ** p[1]),
            st.tuples(st.sampled_from(_unary), children).map(lambda p: p[0](p[1])),
        )

    return st.recursive(leaves, extend, max_leaves=6)


@settings(max_examples=60, deadline=None)
@given(
    _expressions(),
    st.tuples(*[st.floats(-2, 2, allow_nan=False) for _ in range(3)]),
)
def test_gradient_agrees_with_central_differences(
    expr: sympy.Expr, point: tuple[float, float, float]
) -> None:
    assume(expr.free_symbols)
    g = gradient(expr, simplify=False)
    values = dict(zip((x, y, z), point))
    f = sympy.lambdify((x, y, z), expr, "math")
    for variable, component in zip(g.variables, g.components):
        index = (x, y, z).index(variable)
        h = 1e-6 * max(1.0, abs(point[index]))
        plus = list(point)
        minus = list(point)
        plus[index] += h
        minus[index] -= h
        try:
            numeric = (f(*plus) - f(*minus)) / (2 * h)
            exact = float(component.xreplace({k: sympy.Float(v, 30) for k, v in values.items()}))
        except (OverflowError, ValueError, ZeroDivisionError, TypeError):
            continue
        assume(math.isfinite(numeric) and abs(exact) < 1e6)
        assert numeric == pytest.approx(exact, rel=1e-4, abs=1e-4)


@pytest.mark.parametrize(("text", "at"), [("1.07^x", "10"), ("8.66^x", "-3"), ("2.5^(x*y)", "1,2")])
def test_decimal_bases_stay_small_and_readable(text: str, at: str) -> None:
    import mpmath

    result = gradient(text, at=at)
    # simplify may not fold the constant log into a tower: log(b**(b**x))
    assert not any(
        isinstance(node, sympy.log) and node.args[0].is_Pow
        for c in result.components
        for node in sympy.preorder_traversal(c)
    )
    assert result.at is not None and result.at.value_float is not None
    # the oracle: mpmath on the decimal base as typed, at 30 digits
    mpmath.mp.dps = 30
    f = sympy.lambdify(result.variables, result.function.expr, "mpmath")
    point = [mpmath.mpf(sympy.Rational(p)) for p in at.split(",")]
    for i, want in enumerate(result.at.value_float):
        slope = mpmath.diff(
            lambda t, i=i: f(*[t if j == i else p for j, p in enumerate(point)]), point[i]
        )
        assert want == pytest.approx(float(slope), rel=1e-12)
    assert all(len(str(v)) < 200 for v in result.at.value)


def test_a_decimal_base_through_the_real_command() -> None:
    import json
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "gradcli", "grad", "8.66^x", "--at", "-3", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["gradient"] == ["(433/50)**x*log(433/50)"]
    assert record["value"] == ["125000*log(433/50)/81182737"]
