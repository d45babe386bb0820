"""The one equality engine, which ``check`` grades with and ``steps`` verifies with.

The oracle is sympy's own ``diff`` evaluated at rational points with 30
digits, never the engine under test.
"""

from __future__ import annotations

import operator
from typing import Any

import pytest
import sympy
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from gradcli.grading.equality import equivalent
from gradcli.grading.evaluator import MIN_POINTS, Evaluator
from gradcli.steps import derive

x, y = sympy.symbols("x y", real=True)

# -- generated functions: quotients, logs, exponentials, powers, trig, compositions

LEAVES = [x, x, y, sympy.Integer(1), sympy.Integer(2), sympy.Integer(3), sympy.Rational(1, 2)]
POWERS = [2, 3, -1, -2, sympy.Rational(1, 2), sympy.Rational(-3, 2), sympy.Rational(1, 3)]
FUNCTIONS = [sympy.log, sympy.exp, sympy.sin, sympy.cos, sympy.tan, sympy.atan, sympy.sqrt]


def _extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.builds(operator.add, children, children),
        st.builds(operator.sub, children, children),
        st.builds(operator.mul, children, children),
        st.builds(operator.truediv, children, children),
        st.builds(operator.pow, children, st.sampled_from(POWERS)),
        st.builds(lambda f, u: f(u), st.sampled_from(FUNCTIONS), children),
    )


def _with_x(f: Any) -> Any:
    """A function of x: one drawn without x gets x for y, or is multiplied by x."""
    if x not in f.free_symbols:
        f = f.xreplace({y: x})
    return f if x in f.free_symbols else f * x


functions = st.recursive(st.sampled_from(LEAVES), _extend, max_leaves=6).map(_with_x)

#: rational points, none of them a simple pole such as x = -1/2
POINTS = [
    {x: sympy.Rational(a), y: sympy.Rational(b)}
    for a, b in [
        ("7/5", "3/4"),
        ("5/13", "-5/2"),
        ("-6/5", "2/7"),
        ("9/4", "11/10"),
        ("-7/11", "-4/3"),
    ]
]


def _real_value(expr: sympy.Expr, point: dict[sympy.Symbol, sympy.Expr]) -> sympy.Float | None:
    """``expr`` at ``point`` with 30 digits, or ``None`` where it is not a finite real."""
    try:
        # substituted exactly first, so that a pole is zoo, not a huge number
        value = expr.xreplace(point).evalf(30)
    except (TypeError, ValueError, ArithmeticError):
        return None
    if not value.is_number or value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return None
    real, imaginary = value.as_real_imag()
    if not real.is_Number or abs(imaginary) > 1e-25 * max(1, abs(real)):
        return None
    return real


def _agrees_with_diff(result: sympy.Expr, oracle: sympy.Expr) -> int:
    """At how many points ``result`` equals sympy's derivative (asserting it does)."""
    agreed = 0
    for point in POINTS:
        want = _real_value(oracle, point)
        got = _real_value(result, point)
        if want is None or got is None:
            continue
        assert abs(got - want) <= 1e-20 * max(1, abs(want)), (point, got, want)
        agreed += 1
    return agreed


def _sampled(expr: sympy.Expr) -> bool:
    """Whether enough of the engine's random points lie in the domain of ``expr``."""
    import numpy as np

    values = Evaluator((x, y), seed=0).values(expr, level=1)
    return int(np.count_nonzero(np.isfinite(values))) >= 4 * MIN_POINTS


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(f=functions)
def test_steps_equal_diff_and_the_engine_tells_right_from_nearly_right(f: Any) -> None:
    assume(isinstance(f, sympy.Expr) and x in f.free_symbols)
    assume(not f.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo))
    oracle = sympy.diff(f, x)
    d = derive(f, x, variables=(x, y), time_budget=1.0)
    # every steps result is sympy's derivative, checked at 30 digits
    assume(_agrees_with_diff(d.result, oracle) >= 2)
    assert d.verification != "mismatch"
    assume(_sampled(oracle))
    # the engine accepts diff's result for the steps' form, in either role and order;
    # read in real numbers, a simplified form such as |x^(4/3)| is undefined for
    # x < 0 (sympy takes the principal value), so it counts only where defined
    for answer, expected in ((oracle, d.result), (d.result, oracle)):
        for prefer in ("symbolic", "numeric"):
            accepted = equivalent(answer, expected, prefer=prefer, within=(answer,))
            assert accepted.equal is True, (prefer, accepted)
            event(f"accepted ({prefer} first): {accepted.method}")
    assert equivalent(oracle, d.result, exact=True, within=(f,)).equal is True
    # the numeric half alone, on another form of the same derivative
    numeric = Evaluator((x, y), seed=0).compare(sympy.together(oracle), d.result, exact=True)
    assert numeric.status == "equal", numeric
    # and rejects diff's result plus a small term that is nowhere 0
    small = (1 + oracle**2) / 10**6
    for exact in (False, True):
        rejected = equivalent(oracle + small, d.result, exact=exact)
        assert rejected.equal is False, rejected


# -- the modes the two users need


def test_grading_and_a_derivation_both_see_a_tiny_exact_difference() -> None:
    tiny = sympy.Rational(1, 10**12)
    assert equivalent(2 * x, 2 * x + tiny).equal is False
    assert equivalent(2 * x, 2 * x + tiny, prefer="numeric").equal is False
    exact = equivalent(2 * x, 2 * x + tiny, exact=True)
    assert (exact.equal, exact.method) == (False, "symbolic")


def test_identical_is_told_apart_from_simplified() -> None:
    same = equivalent(2 * x + y, y + 2 * x)
    assert (same.equal, same.identical) == (True, True)
    simplified = equivalent(sympy.sin(x) ** 2, 1 - sympy.cos(x) ** 2)
    assert (simplified.equal, simplified.method, simplified.identical) == (True, "symbolic", False)


def test_a_cancelled_factor_is_a_caveat_for_students_not_for_derivations() -> None:
    answer, expected = (x**2 - 1) / (x - 1), x + 1
    student = equivalent(answer, expected)
    assert (student.method, "x - 1 = 0" in student.detail) == ("numeric", True)
    derivation = equivalent(answer, expected, exact=True)
    assert (derivation.equal, derivation.method) == (True, "symbolic")


def test_within_keeps_only_the_points_where_the_function_is_real() -> None:
    # x and x + 1 differ everywhere, but sqrt(-1 - x²) is real nowhere
    f = sympy.sqrt(-1 - x**2)
    assert equivalent(x, x + 1, prefer="numeric").equal is False
    nowhere = equivalent(x, x + 1, prefer="numeric", within=(f,))
    assert nowhere.equal is None and nowhere.detail.startswith("cannot decide: only 0 of")


def test_sign_and_abs_derivatives_are_zero_away_from_zero() -> None:
    # sympy writes d sign(x)/dx as 2·DiracDelta(x): 0 on the real line away from 0
    verdict = equivalent(sympy.Integer(0) * x + 0, 2 * sympy.DiracDelta(x), prefer="numeric")
    assert verdict.equal is True


def test_piecewise_results_of_simplify_are_evaluated() -> None:
    piecewise = sympy.Piecewise((sympy.nan, sympy.Eq(x, 0)), (2 * x, True))
    assert equivalent(piecewise, 2 * x, prefer="numeric").equal is True
    assert equivalent(piecewise, 3 * x, prefer="numeric").equal is False


def test_a_complex_value_is_undefined_not_its_real_part() -> None:
    # acosh(i·π·y) is complex for every real y: its real part must not pass for it
    complex_valued = sympy.acosh(sympy.I * sympy.pi * y)
    verdict = equivalent(sympy.re(complex_valued), complex_valued, prefer="numeric")
    assert verdict.equal is not True


def test_two_forms_of_zero_differ_only_by_rounding() -> None:
    # sign(x)/(2x) − |x|/(2x²) is 0 for x ≠ 0; floats leave 1e-17 behind
    zero = sympy.sign(x) / (2 * x) - sympy.Abs(x) / (2 * x**2)
    assert equivalent(sympy.Integer(0) * x, zero, prefer="numeric").equal is True
    assert equivalent(x / 10**6, zero, prefer="numeric").equal is False
