"""Tests for gradcli.descent: known answers, properties and every error path."""

from __future__ import annotations

import math

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from gradcli.descent import (
    METHODS,
    DescentRun,
    PointKind,
    StopReason,
    compare,
    descend,
)
from gradcli.errors import DimensionError, InputError, MathError, UndefinedError

x, y, z = sympy.symbols("x y z", real=True)
SEED = x**2 + y**2 + x * y  # the function: L = 3, so GD needs α < 2/3
ROSENBROCK = (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _distance(p: tuple[float, ...], q: tuple[float, ...]) -> float:
    return math.dist(p, q)


def _assert_consistent(run: DescentRun) -> None:
    """The trajectory's arrays agree with each other and with f."""
    k = run.steps
    assert len(run.points) == len(run.values) == len(run.gradients) == k + 1
    assert len(run.gradient_norms) == k + 1
    assert len(run.step_lengths) == k
    assert run.final_point == run.points[-1]
    assert run.final_value == run.values[-1]
    assert run.gradient_norm == run.gradient_norms[-1]
    f = sympy.lambdify(run.variables, run.expr, "math")
    grad = sympy.lambdify(run.variables, [sympy.diff(run.expr, v) for v in run.variables], "math")
    for i in sorted({0, 1, k // 2, k - 1, k} & set(range(k + 1))):
        point = run.points[i]
        if not all(math.isfinite(v) for v in point) or not math.isfinite(run.values[i]):
            continue
        assert run.values[i] == pytest.approx(f(*point), rel=1e-9, abs=1e-12)
        assert run.gradients[i] == pytest.approx(tuple(grad(*point)), rel=1e-9, abs=1e-12)
        assert run.gradient_norms[i] == pytest.approx(math.hypot(*run.gradients[i]), rel=1e-12)
        if i < k:
            moved = _distance(run.points[i + 1], point)
            assert run.step_lengths[i] == pytest.approx(moved, rel=1e-6, abs=1e-15)


# ---------------------------------------------------------------------------
# the "done when" list


def test_x_squared_exact_steps_are_powers_of_four_fifths() -> None:
    run = descend(x**2, (x,), (1,), lr=0.1, exact=True)
    assert run.lr_exact == sympy.Rational(1, 10)
    assert len(run.points_exact) == 21  # max_exact_steps = 20
    for k, (point,) in enumerate(run.points_exact):
        assert point == sympy.Rational(4, 5) ** k
    assert run.values_exact[3] == sympy.Rational(4, 5) ** 6
    assert run.gradients_exact[1] == (sympy.Rational(8, 5),)
    for k in range(30):
        assert run.points[k][0] == pytest.approx(0.8**k, rel=1e-12)
    assert run.exact_note is None


def test_exact_homework_two_steps_from_1_3() -> None:
    run = descend(SEED, (x, y), (1, 3), lr=0.1, exact=True, max_exact_steps=2)
    half, r23_10 = sympy.Rational(1, 2), sympy.Rational(23, 10)
    assert run.points_exact == (
        (1, 3),
        (half, r23_10),
        (sympy.Rational(17, 100), sympy.Rational(179, 100)),
    )
    assert run.values_exact[:2] == (13, sympy.Rational(669, 100))
    assert run.gradients_exact[0] == (5, 7)
    assert run.points[1] == pytest.approx((0.5, 2.3))


def test_exact_accepts_sympy_rationals_and_fractions() -> None:
    from fractions import Fraction

    run = descend(
        x**2, (x,), (sympy.Rational(1, 3),), lr=Fraction(1, 4), exact=True, max_exact_steps=2
    )
    assert run.points_exact == (
        (sympy.Rational(1, 3),),
        (sympy.Rational(1, 6),),
        (sympy.Rational(1, 12),),
    )
    assert run.lr == 0.25


def test_seed_converges_for_small_lr() -> None:
    run = descend(SEED, (x, y), (1, 3), lr=0.1)
    assert run.stop_reason is StopReason.CONVERGED
    assert run.gradient_norm < 1e-8
    assert _distance(run.final_point, (0.0, 0.0)) < 1e-8
    assert not run.oscillating
    assert run.diagnosis is None
    assert run.final_kind is PointKind.MINIMUM
    assert run.final_eigenvalues == pytest.approx((1.0, 3.0))
    assert run.warning is None
    assert not run.diverged
    assert run.message.startswith("converged")
    _assert_consistent(run)


def test_stops_at_the_first_step_below_tol() -> None:
    run = descend(SEED, (x, y), (1, 3), lr=0.1, tol=1e-6)
    assert run.gradient_norms[-1] < 1e-6
    assert all(norm >= 1e-6 for norm in run.gradient_norms[:-1])


def test_seed_oscillates_then_converges_at_0_6() -> None:
    run = descend(SEED, (x, y), (1, 3), lr=0.6)
    assert run.stop_reason is StopReason.CONVERGED
    assert _distance(run.final_point, (0.0, 0.0)) < 1e-8
    assert run.oscillating
    assert set(run.oscillating_variables) == {"x", "y"}
    assert run.diagnosis is not None
    assert "2/3" in run.diagnosis.message and "1/3" in run.diagnosis.message
    assert "within" in run.diagnosis.message
    _assert_consistent(run)


def test_seed_diverges_at_0_7_with_the_two_thirds_bound() -> None:
    run = descend(SEED, (x, y), (1, 3), lr=0.7)
    assert run.stop_reason is StopReason.DIVERGED
    assert run.diverged
    assert run.oscillating
    assert run.steps < 1000
    diagnosis = run.diagnosis
    assert diagnosis is not None
    assert diagnosis.largest_eigenvalue == pytest.approx(3.0)
    assert diagnosis.lr_bound == pytest.approx(2 / 3)
    assert diagnosis.exact_lr_bound == sympy.Rational(2, 3)
    assert diagnosis.where == "quadratic"
    assert "L = 3" in diagnosis.message
    assert "α < 2/L = 2/3" in diagnosis.message
    assert "too large" in diagnosis.message
    assert run.final_kind is PointKind.UNKNOWN
    # the run stops at the first value past the bound, not later
    bound = 1e12 * max(1.0, abs(run.values[0]))
    assert abs(run.values[-1]) > bound
    assert all(abs(v) <= bound for v in run.values[:-1])
    _assert_consistent(run)


@pytest.mark.parametrize("method", ["momentum", "adam", "nesterov"])
def test_rosenbrock_reaches_the_scipy_minimiser(method: str) -> None:
    scipy_optimize = pytest.importorskip("scipy.optimize")

    def fun(p: list[float]) -> float:
        return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2

    def jac(p: list[float]) -> list[float]:
        return [-2 * (1 - p[0]) - 400 * p[0] * (p[1] - p[0] ** 2), 200 * (p[1] - p[0] ** 2)]

    reference = scipy_optimize.minimize(
        fun, [-1.5, 2.0], jac=jac, method="BFGS", options={"gtol": 1e-10}
    ).x
    run = descend(ROSENBROCK, (x, y), (-1.5, 2), method=method)
    assert run.stop_reason is StopReason.CONVERGED
    assert run.steps <= METHODS[method].steps
    assert run.final_point == pytest.approx(tuple(reference), abs=1e-6)
    assert run.final_point == pytest.approx((1.0, 1.0), abs=1e-6)
    assert run.final_kind is PointKind.MINIMUM
    _assert_consistent(run)


def test_x_cubed_from_zero_stalls_at_an_inflection() -> None:
    run = descend(x**3, (x,), (0,))
    assert run.stop_reason is StopReason.CONVERGED
    assert run.steps == 0
    assert run.final_kind is PointKind.INFLECTION
    assert run.warning is not None and "not a minimum" in run.warning
    assert "inflection" in run.warning


def test_saddle_is_flagged() -> None:
    run = descend(x**2 - y**2, (x, y), (1, 0))
    assert run.stop_reason is StopReason.CONVERGED
    assert run.final_kind is PointKind.SADDLE
    assert run.warning is not None and "saddle" in run.warning


def test_plateau_is_degenerate() -> None:
    run = descend(sympy.exp(-(x**2) - y**2), (x, y), (10, 10))
    assert run.stop_reason is StopReason.CONVERGED
    assert run.steps == 0
    assert run.final_kind is PointKind.DEGENERATE
    assert run.warning is not None and "plateau" in run.warning


def test_flat_minimum_in_one_variable() -> None:
    run = descend(x**4, (x,), (0,))
    assert run.final_kind is PointKind.MINIMUM
    assert run.warning is None


def test_reaching_max_steps_is_not_a_failure() -> None:
    run = descend(SEED, (x, y), (1, 3), lr=0.01, steps=5)
    assert run.stop_reason is StopReason.MAX_STEPS
    assert run.steps == 5
    assert not run.diverged
    assert run.final_kind is PointKind.NOT_CRITICAL
    assert run.final_eigenvalues == pytest.approx((1.0, 3.0))
    assert "maximum of 5 steps" in run.message
    _assert_consistent(run)


@pytest.mark.parametrize("steps", [1, 2, 3, 4, 5, 7, 8, 9])
def test_step_limit_is_exact_whatever_the_unrolling(steps: int) -> None:
    run = descend(x**2, (x,), (1,), steps=steps)
    assert run.steps == steps
    assert run.points[-1][0] == pytest.approx(0.8**steps, rel=1e-12)


def test_newton_solves_a_quadratic_in_one_step() -> None:
    f = (x - 1) ** 2 + 2 * (y + 2) ** 2 + x * y
    run = descend(f, (x, y), (5, 5), method="newton")
    assert run.lr == 1.0
    assert run.stop_reason is StopReason.CONVERGED
    assert run.steps == 1
    assert run.final_point == pytest.approx((16 / 7, -18 / 7), abs=1e-12)
    assert run.final_kind is PointKind.MINIMUM
    _assert_consistent(run)
    exact = descend(f, (x, y), (5, 5), method="newton", exact=True)
    assert exact.points_exact[1] == (sympy.Rational(16, 7), sympy.Rational(-18, 7))


def test_newton_stops_on_a_singular_hessian() -> None:
    run = descend(x**3 + x, (x,), (0,), method="newton")
    assert run.stop_reason is StopReason.DIVERGED
    assert "singular" in run.message


def test_newton_in_three_variables() -> None:
    f = x**2 + 2 * y**2 + 3 * z**2 + x * y + y * z - x
    run = descend(f, (x, y, z), (1, 1, 1), method="newton")
    assert run.stop_reason is StopReason.CONVERGED
    assert run.steps == 1
    assert run.final_kind is PointKind.MINIMUM
    assert len(run.final_eigenvalues) == 3


def test_ascent_climbs_to_the_maximum() -> None:
    run = descend(-(x**2 + y**2), (x, y), (1, 2), ascent=True)
    assert run.ascent
    assert run.stop_reason is StopReason.CONVERGED
    assert _distance(run.final_point, (0.0, 0.0)) < 1e-8
    assert run.final_kind is PointKind.MAXIMUM
    assert run.warning is None
    assert run.values[-1] > run.values[0]


def test_ascent_on_a_bowl_diverges_upward() -> None:
    run = descend(x**2 + y**2, (x, y), (1, 1), ascent=True)
    assert run.stop_reason is StopReason.DIVERGED
    assert run.diagnosis is not None
    assert "ascent" in run.diagnosis.message and "unbounded above" in run.diagnosis.message


def test_unbounded_below_is_explained() -> None:
    run = descend(-(x**2), (x,), (1,))
    assert run.stop_reason is StopReason.DIVERGED
    assert run.diagnosis is not None
    assert run.diagnosis.lr_bound is None
    assert "no positive eigenvalue" in run.diagnosis.message
    assert "unbounded below" in run.diagnosis.message


def test_non_quadratic_divergence_uses_the_hessian_at_the_start() -> None:
    run = descend(ROSENBROCK, (x, y), (-1.5, 2), lr=0.01)
    assert run.stop_reason is StopReason.DIVERGED
    diagnosis = run.diagnosis
    assert diagnosis is not None and diagnosis.where == "start"
    # H(−1.5, 2) = [[1902, 600], [600, 200]]
    largest = 1051 + math.hypot(851, 600)
    assert diagnosis.largest_eigenvalue == pytest.approx(largest)
    assert diagnosis.lr_bound == pytest.approx(2 / largest)
    assert diagnosis.exact_lr_bound is None
    assert "at the start point" in diagnosis.message


@pytest.mark.parametrize(
    ("method", "bound", "stable", "unstable"),
    [
        ("momentum", sympy.Rational(19, 15), 1.2, 1.35),
        ("nesterov", sympy.Rational(19, 42), 0.43, 0.48),
    ],
)
def test_momentum_stability_bounds(
    method: str, bound: sympy.Rational, stable: float, unstable: float
) -> None:
    good = descend(SEED, (x, y), (1, 3), method=method, lr=stable, steps=20_000)
    assert good.stop_reason is StopReason.CONVERGED
    bad = descend(SEED, (x, y), (1, 3), method=method, lr=unstable, steps=20_000)
    assert bad.stop_reason is StopReason.DIVERGED
    assert bad.diagnosis is not None
    assert bad.diagnosis.exact_lr_bound == bound


def test_gd_standing_still_is_no_progress() -> None:
    # near 1e8 a float step of 0.2·δ rounds away before |∇f| = 2δ gets below tol
    run = descend((x - 10**8) ** 2, (x,), (10**8 + 1,))
    assert run.stop_reason is StopReason.NO_PROGRESS
    assert run.gradient_norm >= 1e-8
    assert run.points[-1] == run.points[-2]
    assert run.step_lengths[-1] == pytest.approx(0.0, abs=1e-7)
    assert run.message.startswith("no progress")


# ---------------------------------------------------------------------------
# leaving the domain, overflow, values that are not real


def test_leaving_the_domain_part_way_is_divergence() -> None:
    # 5 → 3.8 → 2.54 → 1.15 → −0.72, where log is undefined
    run = descend(x + sympy.log(x), (x,), (5,), lr=1)
    assert run.stop_reason is StopReason.DIVERGED
    assert run.steps == 4
    assert run.points[-1][0] < 0
    assert math.isnan(run.values[-1])
    assert "cannot be evaluated" in run.message
    assert run.values[:-1] == pytest.approx([math.log(p[0]) + p[0] for p in run.points[:-1]])


def test_leaving_the_domain_inside_a_block_is_found_afterwards() -> None:
    # 5 → 2.4 → 0.992 → −0.008 → 59.7 …: f = x²/2 + log x is undefined at
    # step 3, while ∇f = x + 1/x is defined and the block ends at x > 0
    run = descend(x**2 / 2 + sympy.log(x), (x,), (5,), lr=0.5)
    assert run.stop_reason is StopReason.DIVERGED
    assert run.steps == 3
    assert run.points[-1][0] < 0
    assert math.isnan(run.values[-1])
    assert "cannot be evaluated" in run.message


@pytest.mark.parametrize("method", ["momentum", "nesterov"])
def test_stops_at_the_first_step_below_tol_inside_a_block(method: str) -> None:
    # momentum-type methods spiral in: |∇f| dips below tol and comes back
    for tol in (1e-2, 1e-3, 1e-4):
        run = descend(SEED, (x, y), (1, 3), method=method, lr=0.3, tol=tol, steps=20_000)
        assert run.stop_reason is StopReason.CONVERGED
        assert run.gradient_norms[-1] < tol
        assert all(norm >= tol for norm in run.gradient_norms[:-1])


def test_domain_error_in_the_first_block() -> None:
    run = descend(sympy.log(x) + x**2, (x,), (1,), lr=2)
    assert run.stop_reason is StopReason.DIVERGED
    assert run.steps == 1
    assert run.points[1] == (-5.0,)


def test_overflow_is_divergence() -> None:
    run = descend(sympy.exp(x**2), (x,), (3,), lr=1)
    assert run.stop_reason is StopReason.DIVERGED
    assert run.diverged


def test_complex_values_are_divergence() -> None:
    # an even root of a negative number is not real (an odd one is: R8)
    run = descend(x ** sympy.Rational(5, 4), (x,), (1,), lr=2)
    assert run.stop_reason is StopReason.DIVERGED
    assert run.steps == 1
    assert "not real" in run.message


def test_complex_values_after_the_first_block() -> None:
    # 5 → 3.88 → 2.83 → 1.85 → 0.98 → 0.23 → −0.29, where x**(5/4) is not real
    run = descend(x ** sympy.Rational(5, 4), (x,), (5,), lr=0.6)
    assert run.stop_reason is StopReason.DIVERGED
    assert run.steps == 6
    assert run.points[-1][0] < 0 < run.points[-2][0]
    assert "not real" in run.message
    assert all(isinstance(v, float) for v in run.values)


def test_variables_named_like_math_constants() -> None:
    e, pi = sympy.symbols("e pi", real=True)
    run = descend((e - 1) ** 2 + (pi - 2) ** 2, (e, pi), (0, 0))
    assert run.final_point == pytest.approx((1.0, 2.0), abs=1e-8)


def test_start_as_a_mapping_with_parameters() -> None:
    a = sympy.Symbol("a", real=True)
    run = descend(a * x**2 + y**2, (x, y), {y: 3, a: 2, x: 1}, lr=0.1, exact=True)
    assert run.expr == 2 * x**2 + y**2
    assert run.points_exact[1] == (sympy.Rational(3, 5), sympy.Rational(12, 5))
    with pytest.raises(DimensionError, match="no value for y"):
        descend(x**2 + y**2, (x, y), {x: 1})
    with pytest.raises(InputError, match="'y' is not a variable of f, nor a parameter"):
        descend(x**2, (x,), {x: 1, y: 2})


def test_parsed_input() -> None:
    parse = pytest.importorskip("gradcli.parse")
    function = parse.parse_function("x^2 + y^2 + xy")
    run = descend(function.expr, function.variables, parse.parse_point("1, 3", function))
    assert run.stop_reason is StopReason.CONVERGED
    assert run.points[1] == pytest.approx((0.5, 2.3))


# ---------------------------------------------------------------------------
# compare, progress


def test_compare_learning_rates() -> None:
    runs = compare(SEED, (x, y), (1, 3), lrs=(0.01, 0.1, 0.5, 0.7))
    assert [r.lr for r in runs] == [0.01, 0.1, 0.5, 0.7]
    assert [r.stop_reason for r in runs] == [
        StopReason.MAX_STEPS,
        StopReason.CONVERGED,
        StopReason.CONVERGED,
        StopReason.DIVERGED,
    ]
    assert runs[1].steps > runs[2].steps


def test_compare_methods_takes_their_own_defaults() -> None:
    runs = compare(SEED, (x, y), (1, 3), methods=("gd", "momentum", "adam"), beta=0.8)
    assert [r.method for r in runs] == ["gd", "momentum", "adam"]
    assert [r.lr for r in runs] == [0.1, 0.001, 0.01]
    assert runs[0].beta is None and runs[1].beta == 0.8 and runs[2].beta == 0.8
    assert runs[2].beta2 == 0.999
    assert all(r.stop_reason is StopReason.CONVERGED for r in runs)


def test_compare_errors() -> None:
    with pytest.raises(InputError):
        compare(SEED, (x, y), (1, 3), lrs=())
    with pytest.raises(InputError):
        compare(SEED, (x, y), (1, 3), methods=())
    with pytest.raises(InputError):
        compare(SEED, (x, y), (1, 3), methods=("gd", "sgd"))
    with pytest.raises(InputError):
        compare(SEED, (x, y), (1, 3), lr=0.1)


def test_progress_is_reported_sparingly() -> None:
    calls: list[tuple[int, int]] = []
    run = descend(
        x**2, (x,), (1,), lr=1e-4, steps=5000, on_progress=lambda k, n: calls.append((k, n))
    )
    assert run.stop_reason is StopReason.MAX_STEPS
    assert 3 <= len(calls) <= 6
    assert [k for k, _ in calls] == sorted(k for k, _ in calls)
    assert calls[-1] == (5000, 5000)
    assert all(n == 5000 for _, n in calls)


# ---------------------------------------------------------------------------
# errors


@pytest.mark.parametrize("lr", [0, -0.1, 0.0, math.inf, math.nan, "x", True])
def test_bad_learning_rate(lr: object) -> None:
    with pytest.raises(InputError):
        descend(SEED, (x, y), (1, 3), lr=lr)


@pytest.mark.parametrize("steps", [0, -5, 1.5, True, "10"])
def test_bad_step_count(steps: object) -> None:
    with pytest.raises(InputError):
        descend(SEED, (x, y), (1, 3), steps=steps)  # type: ignore[arg-type]


@pytest.mark.parametrize("start", [(1,), (1, 2, 3), ()])
def test_start_of_the_wrong_length(start: tuple[int, ...]) -> None:
    with pytest.raises(DimensionError, match="2 variables"):
        descend(SEED, (x, y), start)


@pytest.mark.parametrize(
    "start", [(1, math.nan), (1, math.inf), (1, sympy.I), (1, "y"), "12", (1, y)]
)
def test_start_that_is_not_a_real_number(start: object) -> None:
    with pytest.raises(InputError):
        descend(SEED, (x, y), start)  # type: ignore[arg-type]


def test_unknown_method() -> None:
    with pytest.raises(InputError, match="unknown method 'sgd'"):
        descend(SEED, (x, y), (1, 3), method="sgd")


@pytest.mark.parametrize(
    "options",
    [
        {"beta": 0.9},
        {"method": "momentum", "beta": 1.0},
        {"method": "momentum", "beta": -0.1},
        {"method": "adam", "beta2": 1.5},
        {"method": "adam", "eps": 0},
        {"method": "newton", "eps": 1e-8},
        {"tol": -1e-8},
        {"max_exact_steps": -1},
    ],
)
def test_bad_options(options: dict[str, object]) -> None:
    with pytest.raises(InputError):
        descend(SEED, (x, y), (1, 3), **options)  # type: ignore[arg-type]


def test_function_with_parameters_is_refused() -> None:
    a = sympy.Symbol("a", real=True)
    with pytest.raises(InputError, match="depends on a"):
        descend(a * x**2, (x,), (1,))


@pytest.mark.parametrize("bad", [x + sympy.I, x + sympy.oo, "x +", [x]])
def test_function_that_is_not_a_real_expression(bad: object) -> None:
    with pytest.raises(InputError):
        descend(bad, (x,), (1,))  # type: ignore[arg-type]


@pytest.mark.parametrize("variables", [(), (x, x), (x**2,)])
def test_bad_variables(variables: tuple[object, ...]) -> None:
    with pytest.raises(InputError):
        descend(x**2, variables, (1,) * len(variables))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("f", "message"),
    [
        (sympy.log(x), "f is undefined"),
        (1 / x, "f is undefined"),
        (sympy.sqrt(x), "gradient of f is undefined"),
    ],
)
def test_undefined_at_the_start(f: sympy.Expr, message: str) -> None:
    with pytest.raises(UndefinedError, match=message):
        descend(f, (x,), (0,))


def test_unsupported_function_is_a_math_error() -> None:
    with pytest.raises(MathError, match="LambertW"):
        descend(sympy.LambertW(x), (x,), (1,))


def test_a_hessian_python_cannot_evaluate_leaves_the_kind_unknown() -> None:
    # the Hessian of |x| holds DiracDelta(x)
    run = descend(sympy.Abs(x) + y**2, (x, y), (0, 1))
    assert run.stop_reason is StopReason.CONVERGED
    assert run.final_point == pytest.approx((0.0, 0.0), abs=1e-8)
    assert run.final_kind is PointKind.UNKNOWN
    with pytest.raises(MathError, match="Hessian"):
        descend(sympy.Abs(x) + y**2, (x, y), (0, 1), method="newton")


def test_exact_numbers_that_grow_too_large_stop_the_exact_part() -> None:
    run = descend(ROSENBROCK, (x, y), (-1.5, 2), lr=0.001, exact=True, steps=50)
    assert run.exact_note is not None and "10000 bits" in run.exact_note
    assert 2 <= len(run.points_exact) < 21
    assert len(run.values_exact) == len(run.points_exact)
    assert run.steps == 50


# ---------------------------------------------------------------------------
# properties


@st.composite
def _quadratics(draw: st.DrawFn) -> tuple[sympy.Matrix, sympy.Matrix, tuple[int, int]]:
    a = draw(st.integers(1, 10))
    c = draw(st.integers(1, 10))
    limit = math.isqrt(a * c - 1)
    b = draw(st.integers(-limit, limit))
    d = draw(st.integers(-10, 10))
    e = draw(st.integers(-10, 10))
    start = (draw(st.integers(-5, 5)), draw(st.integers(-5, 5)))
    return sympy.Matrix([[a, b], [b, c]]), sympy.Matrix([d, e]), start


@settings(deadline=None, max_examples=25)
@given(problem=_quadratics(), fraction=st.floats(0.1, 0.9))
def test_gd_converges_on_positive_definite_quadratics(
    problem: tuple[sympy.Matrix, sympy.Matrix, tuple[int, int]], fraction: float
) -> None:
    matrix, linear, start = problem
    theta = sympy.Matrix([x, y])
    f = (theta.T * matrix * theta / 2 - linear.T * theta)[0]
    minimiser = tuple(float(v) for v in matrix.solve(linear))
    largest = max(float(v) for v in matrix.eigenvals())
    lr = fraction * 2 / largest
    run = descend(f, (x, y), start, lr=lr, tol=1e-9, steps=200_000)
    assert run.stop_reason is StopReason.CONVERGED
    assert run.final_point == pytest.approx(minimiser, abs=1e-6)
    assert run.final_kind is PointKind.MINIMUM
    assert run.values[-1] <= run.values[0] + 1e-12


@settings(deadline=None, max_examples=15)
@given(
    method=st.sampled_from(["gd", "momentum", "nesterov", "adam"]),
    steps=st.integers(1, 40),
    start=st.tuples(st.integers(-3, 3), st.integers(-3, 3)),
)
def test_trajectory_arrays_agree(method: str, steps: int, start: tuple[int, int]) -> None:
    run = descend(SEED + sympy.sin(x), (x, y), start, method=method, lr=0.05, steps=steps)
    assert run.steps <= steps
    _assert_consistent(run)
