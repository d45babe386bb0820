"""Critical points: textbook cases pinned, sets, convexity, budgets, properties."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from gradcli.critical import (
    DEGENERATE,
    LOCAL_MAX,
    LOCAL_MIN,
    NUMERIC_TOLERANCE,
    SADDLE,
    CriticalAnalysis,
    CriticalPoint,
    critical_points,
)
from gradcli.critical.context import Context, check_box
from gradcli.critical.solve import numeric_search
from gradcli.errors import BudgetExceeded, InputError
from gradcli.second_order import hessian

x, y, z = sympy.symbols("x y z", real=True)
pi = sympy.pi

HIMMELBLAU = (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2
ROSENBROCK = (1 - x) ** 2 + 100 * (y - x**2) ** 2
#: a degree-12 system that sympy cannot solve within a small budget
HARD = x**12 + y**12 - 3 * x**5 * y + 2 * x**3 * y**4 - x * y + y**2


def kinds(result: CriticalAnalysis) -> dict[str, int]:
    counts: dict[str, int] = {}
    for p in result.points:
        counts[p.kind] = counts.get(p.kind, 0) + 1
    return counts


def only(result: CriticalAnalysis) -> CriticalPoint:
    assert len(result.points) == 1, result.points
    return result.points[0]


# ---------------------------------------------------------------------------
# the textbook cases


def test_seed_example() -> None:
    result = critical_points(x**2 + y**2 + x * y, (x, y))
    p = only(result)
    assert p.point == (0, 0)
    assert p.point_float == (0.0, 0.0)
    assert p.kind == LOCAL_MIN
    assert p.value == 0 and p.value_float == 0.0
    assert not p.numeric and p.tolerance is None
    assert p.eigenvalues_float == pytest.approx((1.0, 3.0))
    assert result.sets == ()
    assert result.method == "symbolic" and result.complete
    assert result.convexity.verdict == "strictly convex"
    assert "[[2, 1], [1, 2]]" in result.convexity.evidence
    assert result.global_min.status == "found"
    assert result.global_min.points == (p,)
    assert result.global_min.value == 0
    assert "strictly convex" in result.global_min.reason
    assert result.global_max.status == "none"


def test_saddle() -> None:
    result = critical_points(x**2 - y**2, (x, y))
    p = only(result)
    assert (p.point, p.kind, p.value) == ((0, 0), SADDLE, 0)
    assert result.convexity.verdict == "neither"
    assert result.convexity.not_convex_at == (0, 0)
    assert result.global_min.status == "none" and "unbounded below" in result.global_min.reason
    assert result.global_max.status == "none"


def test_minimum_and_saddle() -> None:
    result = critical_points(x**3 - 3 * x + y**2, (x, y))
    assert [(p.point, p.kind, p.value) for p in result.points] == [
        ((-1, 0), SADDLE, 2),
        ((1, 0), LOCAL_MIN, -2),
    ]
    assert result.complete
    # the local minimum is not global: f → -∞ as x → -∞
    assert result.global_min.status == "none"
    assert "(-1, 0)" in result.global_min.reason
    witness = result.convexity.not_convex_at
    assert witness is not None
    assert hessian(x**3 - 3 * x + y**2, (x, y), at=witness).definiteness == "indefinite"


def test_degenerate_minimum() -> None:
    result = critical_points(x**4 + y**4, (x, y))
    p = only(result)
    assert p.point == (0, 0)
    assert p.kind == DEGENERATE
    assert p.higher_order == "minimum"
    assert p.note == "second-derivative test inconclusive; higher-order check: minimum"
    assert result.convexity.verdict == "convex"
    assert result.global_min.status == "found" and result.global_min.points == (p,)


def test_inflection_in_one_variable() -> None:
    p = only(critical_points(x**3, (x,)))
    assert (p.point, p.kind, p.higher_order) == ((0,), DEGENERATE, "neither")
    assert "neither a minimum nor a maximum (inflection)" in p.note


def test_monkey_saddle() -> None:
    p = only(critical_points(x**3 - 3 * x * y**2, (x, y)))
    assert (p.kind, p.higher_order) == (DEGENERATE, "neither")
    assert "degenerate saddle" in p.note


def test_line_of_minima() -> None:
    result = critical_points((x - y) ** 2, (x, y))
    assert result.points == ()
    (line,) = result.sets
    (equation,) = line.equations
    assert sympy.expand(equation.lhs - equation.rhs) in (x - y, y - x)
    assert line.dimension == 1
    assert line.kind == LOCAL_MIN
    assert line.value == 0
    assert not line.numeric
    assert all(a == pytest.approx(b) for a, b in line.samples)
    assert result.convexity.verdict == "convex"
    assert result.global_min.status == "found"
    assert result.global_min.sets == (line,)


def test_himmelblau() -> None:
    result = critical_points(HIMMELBLAU, (x, y))
    assert kinds(result) == {LOCAL_MIN: 4, LOCAL_MAX: 1, SADDLE: 4}
    # sympy.solve finds only 4 of the 9: the exact solver must find them all
    assert result.complete and result.method == "symbolic"
    minima = [p for p in result.points if p.kind == LOCAL_MIN]
    assert (3, 2) in [p.point for p in minima]
    known = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]
    for expected in known:
        assert any(p.point_float == pytest.approx(expected, abs=1e-6) for p in minima)
    assert all(p.value == 0 for p in minima)
    (top,) = [p for p in result.points if p.kind == LOCAL_MAX]
    assert top.point_float == pytest.approx((-0.270845, -0.923039), abs=1e-6)
    assert top.value_float == pytest.approx(181.616522, abs=1e-6)
    assert result.global_min.status == "found"
    assert sorted(p.point_float for p in result.global_min.points) == sorted(
        p.point_float for p in minima
    )
    assert result.global_max.status == "none"
    assert result.convexity.verdict == "neither"


def test_himmelblau_numeric_search_alone() -> None:
    """The numeric fallback finds all nine points with a tiny gradient."""
    context = Context(HIMMELBLAU, (x, y), Fraction(-10), Fraction(10), 0, 5.0)
    found = numeric_search(context)
    assert len(found) == 9
    gradient = [sympy.diff(HIMMELBLAU, v) for v in (x, y)]
    for point in found:
        values = {x: sympy.Rational(point[0]), y: sympy.Rational(point[1])}
        assert max(abs(float(g.xreplace(values))) for g in gradient) <= NUMERIC_TOLERANCE
    assert any(p == pytest.approx((3.0, 2.0), abs=1e-8) for p in found)


def test_rosenbrock() -> None:
    result = critical_points(ROSENBROCK, (x, y))
    p = only(result)
    assert (p.point, p.kind, p.value) == ((1, 1), LOCAL_MIN, 0)
    assert result.convexity.verdict == "neither"
    assert result.global_min.status == "found"
    assert "f ≥ 0 everywhere" in result.global_min.reason


def test_sine_product_on_a_box() -> None:
    result = critical_points(sympy.sin(x) * sympy.sin(y), (x, y), box=(-4, 4))
    assert not result.complete
    found = {p.point: p.kind for p in result.points}
    half = pi / 2
    expected = {(i * pi, j * pi): SADDLE for i in (-1, 0, 1) for j in (-1, 0, 1)}
    expected |= {(half, half): LOCAL_MAX, (-half, -half): LOCAL_MAX}
    expected |= {(half, -half): LOCAL_MIN, (-half, half): LOCAL_MIN}
    assert found == expected
    assert all(not p.numeric for p in result.points)
    assert result.convexity.verdict == "neither"
    assert result.convexity.not_convex_at == (0, 0)
    assert result.global_min.status == "found" and result.global_min.value == -1
    assert result.global_max.value == 1
    assert any("outside" in note for note in result.notes)


def test_hard_system_ends_with_the_numeric_fallback() -> None:
    result = critical_points(HARD, (x, y), time_budget=4.0)
    assert result.points
    if not result.complete:
        assert any("budget" in note for note in result.notes)
        assert result.method in ("numeric", "mixed")
    for p in result.points:
        values = {x: sympy.Rational(p.point_float[0]), y: sympy.Rational(p.point_float[1])}
        residual = max(abs(float(sympy.diff(HARD, v).xreplace(values))) for v in (x, y))
        assert residual <= (p.tolerance or 1e-12)
    assert any(p.kind == LOCAL_MIN and p.value_float < -3.5 for p in result.points)
    assert result.global_max.status == "none"


# ---------------------------------------------------------------------------
# more cases


def test_constant_function() -> None:
    result = critical_points(sympy.Integer(3), (x, y))
    (everything,) = result.sets
    assert everything.equations == () and everything.dimension == 2
    assert everything.value == 3
    assert result.global_min.status == result.global_max.status == "found"


def test_affine_function_has_no_critical_point() -> None:
    result = critical_points(x + 2 * y, (x, y))
    assert result.points == () and result.sets == ()
    assert result.complete
    assert result.global_min.status == "none"
    assert result.global_max.status == "none"


def test_circle_of_minima_and_a_maximum() -> None:
    result = critical_points((x**2 + y**2 - 1) ** 2, (x, y))
    p = only(result)
    assert (p.point, p.kind) == ((0, 0), LOCAL_MAX)
    assert len(result.sets) == 2
    for arc in result.sets:
        assert arc.kind == LOCAL_MIN and arc.value == 0
        assert all(sx**2 + sy**2 == pytest.approx(1) for sx, sy in arc.samples)
    assert result.global_min.status == "found"
    assert len(result.global_min.sets) == 2


def test_lines_of_saddles_in_three_variables() -> None:
    result = critical_points(x * y * z, (x, y, z))
    assert result.points == ()
    assert len(result.sets) == 3
    assert all(s.kind == SADDLE and s.dimension == 1 for s in result.sets)


def test_three_variable_quadratic() -> None:
    result = critical_points(x**2 + 2 * y**2 + 3 * z**2 + x * y - z, (x, y, z))
    p = only(result)
    assert p.point == (0, 0, sympy.Rational(1, 6))
    assert p.value == sympy.Rational(-1, 12)
    assert result.convexity.verdict == "strictly convex"


def test_concave() -> None:
    result = critical_points(-(x**2) - y**2, (x, y))
    assert only(result).kind == LOCAL_MAX
    assert result.convexity.verdict == "strictly concave"
    assert result.global_max.status == "found"
    assert result.global_min.status == "none"


def test_strict_convexity_proved_for_a_non_polynomial() -> None:
    result = critical_points(sympy.exp(x) + sympy.exp(-x) + y**2, (x, y))
    p = only(result)
    assert (p.point, p.kind, p.value) == ((0, 0), LOCAL_MIN, 2)
    assert result.convexity.verdict == "strictly convex"
    assert result.global_min.status == "found"


def test_bounded_rational_function() -> None:
    result = critical_points(1 / (1 + x**2 + y**2), (x, y))
    assert only(result).kind == LOCAL_MAX
    assert result.global_max.status == "found" and result.global_max.value == 1


def test_numeric_continuum_is_described_not_listed() -> None:
    # sympy gives up on the Piecewise; every point of x <= 0, y = 0 is a minimum
    f = sympy.Piecewise((x**2, x > 0), (0, True)) + y**2
    result = critical_points(f, (x, y))
    assert result.method == "numeric"
    assert result.points == ()
    (found,) = result.sets
    assert found.numeric and found.equations == ()
    assert found.kind == LOCAL_MIN
    assert all(sx <= 1e-9 and abs(sy) <= 1e-9 for sx, sy in found.samples)


def test_the_same_seed_gives_the_same_answer() -> None:
    f = sympy.sin(x) * sympy.cos(y) + x / 10
    first = critical_points(f, (x, y), box=(-3, 3), seed=7)
    again = critical_points(f, (x, y), box=(-3, 3), seed=7)
    assert [p.point_float for p in first.points] == [p.point_float for p in again.points]


def test_tiny_budget_gives_a_clear_error_or_a_partial_answer() -> None:
    try:
        result = critical_points(HARD, (x, y), time_budget=0.05)
    except BudgetExceeded as error:
        assert "ran out of its 0.05 s budget" in str(error)
    else:  # a very fast machine: what was found must be right
        assert result.points and not result.complete
        assert all(p.tolerance is not None or not p.numeric for p in result.points)


# ---------------------------------------------------------------------------
# errors


@pytest.mark.parametrize(
    ("expr", "variables", "options"),
    [
        (x**2 + z, (x,), {}),  # a parameter
        (sympy.I * x, (x,), {}),
        (x**2, (), {}),
        (x**2, (x,), {"box": (1, 1)}),
        (x**2, (x,), {"box": (2, -2)}),
        (x**2, (x,), {"box": (0,)}),
        (x**2, (x,), {"box": (0, float("inf"))}),
        (x**2, (x,), {"box": (True, 2)}),
        (x**2, (x,), {"time_budget": 0}),
        (x**2, (x,), {"time_budget": -1.0}),
    ],
)
def test_bad_input(expr: object, variables: object, options: dict[str, object]) -> None:
    with pytest.raises(InputError):
        critical_points(expr, variables, **options)  # type: ignore[arg-type]


def test_box_accepts_exact_and_float_bounds() -> None:
    assert check_box((sympy.Rational(-1, 2), 0.25)) == (Fraction(-1, 2), Fraction(1, 4))
    # a decimal is what it prints as, not the binary float nearest it
    assert check_box((0.1, 2.3)) == (Fraction(1, 10), Fraction(23, 10))
    assert check_box((-3, Fraction(1, 3))) == (Fraction(-3), Fraction(1, 3))


def test_parameter_error_names_them() -> None:
    with pytest.raises(InputError, match=r"parameters \(a, b\)"):
        critical_points(sympy.Symbol("a") * x**2 + sympy.Symbol("b"), (x,))


# ---------------------------------------------------------------------------
# properties

_MONOMIALS = [x**i * y**j for i in range(5) for j in range(5) if 1 <= i + j <= 4]


@settings(deadline=None, max_examples=20)
@given(st.lists(st.tuples(st.sampled_from(_MONOMIALS), st.integers(-5, 5)), min_size=1, max_size=5))
def test_the_gradient_vanishes_at_every_reported_point(terms: list[tuple[sympy.Expr, int]]) -> None:
    f = sum((c * m for m, c in terms), sympy.Integer(0))
    result = critical_points(f, (x, y), time_budget=1.5)
    gradient = [sympy.diff(f, v) for v in (x, y)]
    for p in result.points:
        if p.numeric:
            assert p.tolerance is not None
            values = {x: sympy.Rational(p.point_float[0]), y: sympy.Rational(p.point_float[1])}
            assert max(abs(float(g.xreplace(values))) for g in gradient) <= p.tolerance
        else:
            assert p.point is not None
            values = dict(zip((x, y), p.point))
            if all(v.is_Rational for v in p.point):
                assert [g.xreplace(values) for g in gradient] == [0, 0]
            else:
                assert max(abs(complex(g.xreplace(values).evalf(50))) for g in gradient) < 1e-30
            h = hessian(f, (x, y), at=p.point, time_budget=0.5)
            assert h.matrix_at is not None
            assert sympy.Matrix(h.matrix_at).is_symmetric()
        assert len(p.eigenvalues_float) == 2
    for found in result.sets:
        for sample in found.samples:
            values = {x: sympy.Float(sample[0], 30), y: sympy.Float(sample[1], 30)}
            assert max(abs(complex(g.xreplace(values))) for g in gradient) < 1e-9
