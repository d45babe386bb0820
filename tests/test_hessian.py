"""The Hessian core: known matrices, exact classification, errors, properties."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from gradcli.errors import DimensionError, InputError, UndefinedError
from gradcli.second_order import (
    INDEFINITE,
    NEGATIVE_DEFINITE,
    NEGATIVE_SEMIDEFINITE,
    NOT_CRITICAL,
    POSITIVE_DEFINITE,
    POSITIVE_SEMIDEFINITE,
    analysed,
    hessian,
    hessian_matrix,
    matrix_definiteness,
    sylvester,
)

x, y, z = sympy.symbols("x y z", real=True)
a = sympy.Symbol("a", real=True)


# ---------------------------------------------------------------------------
# known answers


def test_seed_example_symbolic_and_at_a_point() -> None:
    h = hessian(x**2 + y**2 + x * y, (x, y), at=(1, 3))
    assert h.matrix == ((2, 1), (1, 2))
    assert h.at_point == (1, 3)
    assert h.gradient_at == (5, 7)
    assert h.matrix_at == ((2, 1), (1, 2))
    assert h.matrix_at_float == ((2.0, 1.0), (1.0, 2.0))
    assert h.determinant == 3
    assert h.determinant_float == 3.0
    assert h.eigenvalues == (1, 3)
    assert h.eigenvalues_float == pytest.approx((1.0, 3.0), rel=1e-15)
    assert h.definiteness == POSITIVE_DEFINITE
    # (1, 3) is not where the gradient vanishes: no min/max verdict there
    assert h.meaning == NOT_CRITICAL
    assert h.notes == ()


def test_seed_example_at_its_critical_point_is_a_minimum() -> None:
    h = hessian(x**2 + y**2 + x * y, (x, y), at=(0, 0))
    assert h.gradient_at == (0, 0)
    assert h.meaning == "local minimum"


def test_constant_hessian_is_classified_without_a_point() -> None:
    h = hessian(x**2 + y**2 + x * y, (x, y))
    assert h.at_point is None and h.matrix_at is None and h.matrix_at_float is None
    assert h.determinant == 3
    assert h.eigenvalues == (1, 3)
    assert h.definiteness == POSITIVE_DEFINITE
    assert h.meaning is None


def test_non_constant_hessian_without_a_point_is_symbolic_only() -> None:
    rosenbrock = (1 - x) ** 2 + 100 * (y - x**2) ** 2
    h = hessian(rosenbrock, (x, y))
    assert h.matrix == ((1200 * x**2 - 400 * y + 2, -400 * x), (-400 * x, 200))
    assert h.determinant == 80000 * x**2 - 80000 * y + 400
    assert h.eigenvalues is None and h.eigenvalues_float is None
    assert h.definiteness is None and h.meaning is None


def test_rosenbrock_minimum() -> None:
    h = hessian((1 - x) ** 2 + 100 * (y - x**2) ** 2, (x, y), at=(1, 1))
    assert h.matrix_at == ((802, -400), (-400, 200))
    assert h.determinant == 400
    assert h.eigenvalues == (501 - sympy.sqrt(250601), 501 + sympy.sqrt(250601))
    assert h.eigenvalues_float == pytest.approx((0.39936076748, 1001.60063923252))
    assert h.definiteness == POSITIVE_DEFINITE
    assert h.meaning == "local minimum"


@pytest.mark.parametrize(
    ("expr", "definiteness", "meaning"),
    [
        (x**2 - y**2, INDEFINITE, "saddle point"),
        (-(x**2) - y**2 - x * y, NEGATIVE_DEFINITE, "local maximum"),
        (x**4 + y**4, POSITIVE_SEMIDEFINITE, "test inconclusive"),
        (y**2 + x**3, POSITIVE_SEMIDEFINITE, "test inconclusive"),
        (-(x**4) - y**2, NEGATIVE_SEMIDEFINITE, "test inconclusive"),
        (x * y, INDEFINITE, "saddle point"),
    ],
)
def test_second_derivative_test_at_the_origin(
    expr: sympy.Expr, definiteness: str, meaning: str
) -> None:
    h = hessian(expr, (x, y), at=(0, 0))
    assert h.definiteness == definiteness
    assert h.meaning == meaning


def test_exact_reasoning_beats_the_float_tolerance() -> None:
    # a tiny but nonzero eigenvalue: floats would call it zero (semidefinite)
    tiny = sympy.Rational(1, 10**20)
    h = hessian(tiny * x**2 + y**2, (x, y), at=(0, 0))
    assert h.eigenvalues == (2 * tiny, 2)
    assert h.definiteness == POSITIVE_DEFINITE
    # and an exact zero eigenvalue stays exactly zero
    assert hessian(y**2, (x, y), at=(0, 0)).definiteness == POSITIVE_SEMIDEFINITE


def test_three_variables_with_irrational_eigenvalues() -> None:
    h = hessian(x**3 * y + z**2 * x, (x, y, z), at=(1, 2, 3))
    assert h.matrix_at == ((12, 3, 6), (3, 0, 0), (6, 0, 2))
    assert h.determinant == -18
    assert h.eigenvalues is not None
    floats = [float(v) for v in h.eigenvalues]
    assert floats == sorted(floats)
    assert h.eigenvalues_float == pytest.approx(floats, rel=1e-12)
    assert np.prod(floats) == pytest.approx(-18)
    assert h.definiteness == INDEFINITE


def test_one_variable() -> None:
    h = hessian(x**3, (x,), at=(2,))
    assert h.matrix == ((6 * x,),)
    assert h.matrix_at == ((12,),)
    assert h.eigenvalues == (12,)
    assert h.meaning == NOT_CRITICAL


def test_irrational_point() -> None:
    h = hessian(sympy.sin(x) * sympy.sin(y), (x, y), at=(sympy.pi / 2, sympy.pi / 2))
    assert h.matrix_at == ((-1, 0), (0, -1))
    assert h.meaning == "local maximum"


def test_float_point_uses_float_reasoning() -> None:
    h = hessian(x**2 + y**2, (x, y), at=(0.5, 0.25))
    assert h.definiteness == POSITIVE_DEFINITE
    assert h.meaning == NOT_CRITICAL


def test_fraction_and_sympy_coordinates() -> None:
    h = hessian(x**3 + y**3, (x, y), at=(Fraction(1, 2), sympy.Rational(-1, 3)))
    assert h.matrix_at == ((3, 0), (0, -2))
    assert h.definiteness == INDEFINITE


def test_parameters_stay_symbolic() -> None:
    h = hessian(a * x**2 + y, (x, y), at=(1, 2))
    assert h.matrix_at == ((2 * a, 0), (0, 0))
    assert h.matrix_at_float is None and h.eigenvalues_float is None
    assert h.definiteness is None
    # the gradient (2a, 1) is nonzero whatever a is
    assert h.meaning == NOT_CRITICAL


def test_mixed_partials_are_computed_once_and_mirrored() -> None:
    f = sympy.exp(x * y) + sympy.sin(x) * z**2
    m = hessian_matrix(f, (x, y, z))
    assert all(m[i][j] is m[j][i] for i in range(3) for j in range(3))
    assert sympy.Matrix(m) == sympy.hessian(f, (x, y, z))


def test_out_of_budget_degrades_to_floats() -> None:
    h = hessian((1 - x) ** 2 + 100 * (y - x**2) ** 2, (x, y), at=(1, 1), time_budget=1e-9)
    assert h.eigenvalues is None
    assert h.eigenvalues_float == pytest.approx((0.39936076748, 1001.60063923252))
    assert h.definiteness == POSITIVE_DEFINITE
    assert any("budget" in note for note in h.notes)


def test_matrix_definiteness_and_sylvester() -> None:
    assert matrix_definiteness([[2, 1], [1, 2]]) == POSITIVE_DEFINITE
    assert matrix_definiteness([[0, 0], [0, 2]]) == POSITIVE_SEMIDEFINITE
    assert matrix_definiteness([[0, 0], [0, 0]]) == POSITIVE_SEMIDEFINITE
    assert matrix_definiteness([[-1, 0], [0, 0]]) == NEGATIVE_SEMIDEFINITE
    assert matrix_definiteness([[1, 2], [2, 1]]) == INDEFINITE
    # leading minors alone would wrongly call this positive semidefinite
    assert matrix_definiteness([[0, 0], [0, -1]]) == NEGATIVE_SEMIDEFINITE
    # a typed decimal is exact (the one number policy): 1e-30 is 10⁻³⁰, not noise
    assert matrix_definiteness([[1.0, 0.0], [0.0, 1e-30]]) == POSITIVE_DEFINITE
    assert matrix_definiteness([[1.0, 0.0], [0.0, 0.0]]) == POSITIVE_SEMIDEFINITE
    assert matrix_definiteness([[a, 0], [0, 1]]) is None
    assert sylvester({(0,): -1, (1,): -1, (0, 1): 1}, 2) == NEGATIVE_DEFINITE


# ---------------------------------------------------------------------------
# errors


def test_undefined_second_partial_is_named() -> None:
    with pytest.raises(UndefinedError, match=r"∂²f/∂x² is undefined at \(x, y\) = \(0, 1\)"):
        hessian(x ** sympy.Rational(3, 2) + y**2, (x, y), at=(0, 1))


def test_undefined_first_partial_is_named() -> None:
    with pytest.raises(UndefinedError, match="∂f/∂x is undefined"):
        analysed(1 / x + y, (x, y), at=(0, 1))
    # hessian() reads f at the point first, as `gradcli hessian` does
    with pytest.raises(UndefinedError, match="f is undefined at x = 0, y = 1"):
        hessian(1 / x + y, (x, y), at=(0, 1))


def test_not_real_at_the_point() -> None:
    with pytest.raises(UndefinedError, match="not real"):
        hessian(sympy.log(x) * y, (x, y), at=(-1, 2))


def test_removable_singularity_is_still_undefined_as_written() -> None:
    with pytest.raises(UndefinedError):
        hessian(sympy.sin(x) / x + y, (x, y), at=(0, 0))


def test_wrong_number_of_coordinates() -> None:
    with pytest.raises(DimensionError, match="the point has 3 coordinates but the function has 2"):
        hessian(x * y, (x, y), at=(1, 2, 3))


@pytest.mark.parametrize(
    ("expr", "variables", "at"),
    [
        (x**2, (), None),
        (x**2, (x, x), None),
        (x**2, (x**2,), None),
        (sympy.Matrix([x]), (x,), None),
        (x**2, (x,), ("x",)),
        (x**2, (x,), (float("nan"),)),
        (x**2, (x,), (True,)),
        (x**2, (x,), (sympy.oo,)),
        (x**2, (x,), (x,)),
    ],
)
def test_bad_input(expr: object, variables: object, at: object) -> None:
    with pytest.raises(InputError):
        hessian(expr, variables, at=at)  # type: ignore[arg-type]


def test_matrix_definiteness_rejects_non_square() -> None:
    with pytest.raises(InputError):
        matrix_definiteness([[1, 2]])
    with pytest.raises(InputError):
        matrix_definiteness([])


# ---------------------------------------------------------------------------
# properties

_coefficient = st.integers(-4, 4)
_MONOMIALS = [x**i * y**j for i in range(4) for j in range(4) if 2 <= i + j <= 3]


@settings(deadline=None, max_examples=40)
@given(
    st.lists(_coefficient, min_size=len(_MONOMIALS), max_size=len(_MONOMIALS)),
    st.tuples(st.integers(-3, 3), st.integers(-3, 3)),
)
def test_properties_at_integer_points(coefficients: list[int], point: tuple[int, int]) -> None:
    f = sum((c * m for c, m in zip(coefficients, _MONOMIALS)), sympy.Integer(0))
    h = hessian(f, (x, y), at=point)
    assert sympy.Matrix(h.matrix) == sympy.hessian(f, (x, y))
    assert h.matrix_at is not None and h.matrix_at_float is not None
    assert sympy.Matrix(h.matrix_at).is_symmetric()
    assert h.eigenvalues_float is not None
    assert list(h.eigenvalues_float) == sorted(h.eigenvalues_float)
    assert h.determinant is not None
    assert float(np.prod(h.eigenvalues_float)) == pytest.approx(
        float(h.determinant), abs=1e-9 * (1 + max(abs(v) for v in h.eigenvalues_float)) ** 2
    )
    if h.eigenvalues is not None:
        assert [float(v) for v in h.eigenvalues] == pytest.approx(h.eigenvalues_float, abs=1e-9)
    # exact and float classifications agree when no eigenvalue is near zero
    if all(abs(v) > 1e-6 for v in h.eigenvalues_float):
        signs = {v > 0 for v in h.eigenvalues_float}
        expected = {
            frozenset({True}): POSITIVE_DEFINITE,
            frozenset({False}): NEGATIVE_DEFINITE,
            frozenset({True, False}): INDEFINITE,
        }[frozenset(signs)]
        assert h.definiteness == expected


@pytest.mark.parametrize(
    "text",
    [
        # a logistic loss at a point where its gradient is not zero
        "log(1+exp(-(2x+y))) + log(1+exp(x-3y))",
        # log-sum-exp: its gradient is never zero
        "log(exp(x)+exp(y)+exp(x+y))",
    ],
)
@pytest.mark.parametrize("budget", [1e-6, 2.0])
def test_no_verdict_where_the_gradient_is_not_zero_whatever_the_budget(
    text: str, budget: float
) -> None:
    from gradcli.parse import parse_function

    f = parse_function(text)
    result = hessian(
        f.expr, f.variables, at=(sympy.Rational(1, 3), sympy.Rational(-1, 2)), time_budget=budget
    )
    # oracle: the gradient evaluated by sympy's own diff at 30 digits
    values = dict(zip(f.variables, (sympy.Rational(1, 3), sympy.Rational(-1, 2))))
    assert any(abs(sympy.diff(f.expr, v).xreplace(values).evalf(30)) > 1e-3 for v in f.variables)
    assert result.meaning == "not a critical point"


def test_a_gradient_that_keeps_a_parameter_gets_no_verdict() -> None:
    a = sympy.Symbol("a", real=True)
    # ∇f(0, 0) = (a, 0): critical only when a = 0, so no kind can be named
    result = hessian(x**2 + a * x + y**2, (x, y), at=(0, 0))
    assert str(result.definiteness) == "positive definite"
    assert result.meaning == "undecided"
