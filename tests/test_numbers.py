"""Tests for gradcli.numbers: the one number policy, against independent oracles."""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from gradcli.errors import InputError, UndefinedError
from gradcli.numbers import describe_point, exact, exact_sign, to_float, value_at
from gradcli.parse import parse_function

x, y = sympy.symbols("x y", real=True)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_float_is_the_decimal_it_prints_as(value: float) -> None:
    number = exact(value)
    assert number == sympy.Rational(
        Fraction(repr(value)).numerator, Fraction(repr(value)).denominator
    )
    # and it reads back as the same float
    assert to_float(number) == value


@pytest.mark.parametrize(
    ("typed", "wanted"),
    [
        (0.1, sympy.Rational(1, 10)),
        ("0.1", sympy.Rational(1, 10)),
        (sympy.Float("0.1"), sympy.Rational(1, 10)),
        (sympy.Float(0.1), sympy.Rational(1, 10)),
        (Fraction(1, 3), sympy.Rational(1, 3)),
        ("pi/2", sympy.pi / 2),
        (7, sympy.Integer(7)),
        (2.5e-300, sympy.Rational(25, 10**301)),
    ],
)
def test_every_spelling_of_a_number_is_the_same_exact_number(typed: object, wanted: object) -> None:
    assert exact(typed) == wanted


@pytest.mark.parametrize(
    "bad", [math.nan, math.inf, -math.inf, True, None, b"1", "x", sympy.I, sympy.oo, x, [1]]
)
def test_what_is_not_a_finite_real_number_is_refused(bad: object) -> None:
    with pytest.raises(InputError):
        exact(bad, "a coordinate")


def test_symbols_are_kept_only_when_asked() -> None:
    a = sympy.Symbol("a", real=True)
    assert exact(a + sympy.Float("0.5"), symbolic=True) == a + sympy.Rational(1, 2)
    with pytest.raises(InputError, match="a coordinate must be a number"):
        exact(a, "a coordinate")


_constants = st.builds(
    lambda kind, p, q: {
        "sqrt": sympy.sqrt(sympy.Rational(p, q)),
        "exp": sympy.exp(sympy.Rational(p, q)),
        "log": sympy.log(sympy.Rational(p, q)),
        "pi": sympy.pi * sympy.Rational(p, q),
        "atan": sympy.atan(sympy.Rational(p, q)),
        "sum": sympy.sqrt(p) + sympy.sqrt(q) - sympy.Rational(1, q),
    }[kind],
    st.sampled_from(["sqrt", "exp", "log", "pi", "atan", "sum"]),
    st.integers(1, 10**6),
    st.integers(1, 10**6),
)


@settings(max_examples=200, deadline=None)
@given(_constants)
def test_floats_are_correctly_rounded(value: sympy.Expr) -> None:
    # the oracle: mpmath at 60 digits, rounded to the nearest double by hand
    with mpmath.workdps(60):
        precise = mpmath.mpf(sympy.N(value, 60))
        if abs(precise) > 1e300:
            assert to_float(value) == float(precise)  # overflow rounds to ±inf or the max
            return
        candidate = float(precise)
        neighbours = [
            math.nextafter(candidate, -math.inf),
            candidate,
            math.nextafter(candidate, math.inf),
        ]
        nearest = min(neighbours, key=lambda f: abs(mpmath.mpf(f) - precise))
    assert to_float(value) == nearest


@given(st.integers(-(10**40), 10**40), st.integers(1, 10**40))
def test_rationals_round_exactly(p: int, q: int) -> None:
    assert to_float(sympy.Rational(p, q)) == p / q  # Python's int division rounds correctly


def test_to_float_of_what_has_no_float() -> None:
    assert math.isnan(to_float(sympy.I + 1))
    assert to_float(sympy.Integer(10) ** 400) == math.inf
    assert to_float(-(sympy.Integer(10) ** 400)) == -math.inf


def test_value_at_says_what_went_wrong_in_one_wording() -> None:
    where = {x: sympy.Integer(0), y: sympy.Integer(-1)}
    with pytest.raises(UndefinedError, match=r"^f is undefined at here \(division by zero\)$"):
        value_at(1 / x, where, what="f is {} at here")
    with pytest.raises(UndefinedError, match="not real"):
        value_at(sympy.log(y), where, what="f is {} at here")
    with pytest.raises(UndefinedError, match="larger than"):
        value_at(sympy.Integer(10) ** (x + 10**6), where, what="f is {} at here")


def test_value_at_keeps_a_parameter() -> None:
    a = sympy.Symbol("a", real=True)
    assert value_at(a * x, {x: sympy.Integer(2)}) == (2 * a, None)


def test_exact_sign() -> None:
    assert exact_sign(sympy.sqrt(2) + sympy.sqrt(3) - sympy.sqrt(5 + 2 * sympy.sqrt(6))) == 0
    assert exact_sign(sympy.pi - sympy.Rational(355, 113)) == -1
    assert exact_sign(sympy.E - sympy.Rational(2718281828, 10**9)) == 1
    assert exact_sign(x) is None


def test_points_are_named_one_way() -> None:
    assert describe_point({x: sympy.Rational(1, 2), y: 3}) == "x = 1/2, y = 3"


@pytest.mark.parametrize(
    ("text", "at"),
    [("e^(2 ln x)", -3), ("exp(log(x)/3)", -8), ("x*log(x)", -1), ("e^(x ln x)", -2)],
)
def test_a_logarithm_of_a_negative_number_is_not_real_whatever_it_feeds(text: str, at: int) -> None:
    # e^(2 ln x) = x² only where ln x exists: at x < 0 f is undefined, not x²
    f = parse_function(text)
    (x,) = f.variables
    with pytest.raises(UndefinedError, match="logarithm of a negative number"):
        value_at(f.expr, {x: sympy.Integer(at)}, what="f is {}")
    assert value_at(f.expr, {x: sympy.Integer(-at)}, what="f is {}")[1] is not None


# --------------------------------------------------------------------------
# floats of large values: shared parts evaluated once (issue 17)


def _nested_tanh(depth: int) -> sympy.Expr:
    xs = sympy.symbols(f"x1:{depth + 1}", real=True)
    expr = xs[-1]
    for x in reversed(xs[:-1]):
        expr = sympy.tanh(x + expr)
    return expr, xs


@pytest.mark.parametrize("depth", [9, 11])
def test_a_large_value_has_the_float_evalf_gives(depth: int) -> None:
    """The shared-parts path agrees with sympy's evalf at 50 digits, to the last bit."""
    from gradcli.derivatives import gradient_of
    from gradcli.numbers import floats_of, is_large_tree

    expr, xs = _nested_tanh(depth)
    point = {x: sympy.Rational(k, 7) for k, x in enumerate(xs, 1)}
    values = [g.xreplace(point) for g in gradient_of(expr, xs)]
    magnitude = sympy.sqrt(sympy.Add(*(v**2 for v in values)))
    assert is_large_tree(magnitude)
    oracle = float(magnitude.evalf(50))
    assert to_float(magnitude) == oracle
    assert floats_of(values) == [float(v.evalf(50)) for v in values]


def test_a_value_mpmath_cannot_settle_falls_back_to_evalf() -> None:
    """Catastrophic cancellation: 40 and 60 digits disagree, and evalf decides."""
    from gradcli.numbers import _approximate_shared

    x = sympy.Integer(10) ** 50
    tiny = sympy.exp(sympy.Rational(1, 10**45)) - 1
    value = sympy.Add(*([tiny] * 40), evaluate=False) * x - sympy.Add(
        *([sympy.Rational(1, 10**45) * x] * 40)
    )
    assert _approximate_shared(value) is None or to_float(value) == float(value.evalf(80))
    assert to_float(value) == float(value.evalf(80))
