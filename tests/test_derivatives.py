"""Tests for gradcli.derivatives, the one source of ∇f, the Hessian and the Jacobian."""

from __future__ import annotations

import random

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from gradcli.derivatives import (
    derivatives_along,
    gradient_of,
    hessian_of,
    jacobian_of,
    partial_derivatives,
)

xs = sympy.symbols("x1:7", real=True)
x, y = xs[0], xs[1]

_shapes = [
    lambda a, b: 100 * (b - a**2) ** 2 + (1 - a) ** 2,
    lambda a, b: sympy.exp(a * b) / (1 + b**2),
    lambda a, b: sympy.log(1 + a**2 + b**4),
    lambda a, b: sympy.sin(a) * sympy.cos(b) ** 2,
    lambda a, b: a / (1 + (a - b) ** 2),
]


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 5), st.integers(0, 5)), min_size=1, max_size=12
    )
)
def test_gradient_and_hessian_are_sympys_own(terms: list[tuple[int, int, int]]) -> None:
    # sums of 8 or more terms take the term-by-term path: compare both with plain diff
    expr = sympy.Add(*(_shapes[k](xs[i], xs[j]) for k, i, j in terms))
    variables = tuple(sorted(expr.free_symbols, key=str))
    gradient = gradient_of(expr, variables)
    for g, v in zip(gradient, variables):
        assert sympy.expand(g - sympy.diff(expr, v)) == 0
    if len(variables) <= 3:
        matrix = hessian_of(expr, variables)
        oracle = sympy.hessian(expr, variables)
        for i in range(len(variables)):
            for j in range(len(variables)):
                assert matrix[i][j] == matrix[j][i]
                assert sympy.expand(matrix[i][j] - oracle[i, j]) == 0


def test_a_large_sum_of_one_shape_is_differentiated_term_by_term() -> None:
    n = 40
    zs = sympy.symbols(f"z1:{n + 1}", real=True)
    rosenbrock = sum(100 * (zs[i + 1] - zs[i] ** 2) ** 2 + (1 - zs[i]) ** 2 for i in range(n - 1))
    assert partial_derivatives(rosenbrock, zs) == tuple(sympy.diff(rosenbrock, z) for z in zs)


def test_jacobian_rows_are_gradients() -> None:
    components = (x * y, sympy.sin(x) / (1 + y**2))
    assert jacobian_of(components, (x, y)) == tuple(
        tuple(sympy.diff(c, v) for v in (x, y)) for c in components
    )
    assert sympy.Matrix(jacobian_of(components, (x, y))) == sympy.Matrix(components).jacobian(
        [x, y]
    )


def test_results_are_cached() -> None:
    expr = sympy.exp(x * y) / (1 + x**2)
    assert gradient_of(expr, (x, y)) is gradient_of(expr, [x, y])
    assert hessian_of(expr, (x, y)) is hessian_of(expr, (x, y))


def test_higher_derivatives_along_one_variable() -> None:
    expr = sympy.sin(x) * sympy.exp(x)
    for order, derivative in derivatives_along(expr, x, range(2, 7)):
        assert sympy.simplify(derivative - sympy.diff(expr, x, order)) == 0
    assert [k for k, _ in derivatives_along(expr, x, range(4, 6))] == [4, 5]


def test_variables_not_in_the_function_have_zero_partials() -> None:
    rng = random.Random(1)
    expr = x**3 + rng.randint(1, 9) * x
    assert gradient_of(expr, (x, y)) == (3 * x**2 + expr.coeff(x), 0)


def test_abs_and_sign_differentiate_by_the_real_rules() -> None:
    import mpmath

    # sympy cannot tell that sqrt(x) - 3 is real and leaves Derivative(...) behind
    expr = abs(sympy.sqrt(x) - 3)
    ((second,),) = hessian_of(expr, (x,))
    assert not second.has(sympy.Derivative)
    value = float(second.subs(x, 2))
    mpmath.mp.dps = 30
    oracle = mpmath.diff(lambda t: abs(mpmath.sqrt(t) - 3), 2, 2)
    assert value == pytest.approx(float(oracle), rel=1e-12)
    assert gradient_of(abs(x) * y + sympy.sign(y) * x, (x, y)) == (
        y * sympy.sign(x) + sympy.sign(y),
        2 * x * sympy.DiracDelta(y) + abs(x),
    )
