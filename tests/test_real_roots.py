"""An odd root of a negative number is real in every numeric path (issue 13, R8).

``numbers.value_at`` takes (−8)^(1/3) as −2; descent's compiled code (f, ∇f,
the Hessian and the exact steps), its plain reference loop, the plot's
numbers and grading's random-point comparisons must agree with it. The
oracle is mpmath's real root — the branch of ``mpmath.root`` on the real
axis, raised to p — with mpmath's own numerical differentiation for the
derivatives: neither shares code with gradcli. Each command is also run
through the installed console script.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from gradcli.descent import descend
from gradcli.descent.compile import _compile
from gradcli.descent.reference import reference_points
from gradcli.grading.equality import equivalent
from gradcli.grading.evaluator import Evaluator
from gradcli.numbers import value_at
from gradcli.parse import parse_function
from gradcli.plot.scene import ContourMap, Curve, build_scene

GRADCLI = shutil.which("gradcli", path=str(Path(sys.executable).parent)) or "gradcli"

x, y = sympy.symbols("x y", real=True)

#: relative agreement of a float computation with the 30-digit oracle
RTOL = 1e-9


def real_power(v: Any, r: Fraction) -> mpmath.mpf:
    """v^(p/q) for odd q, read in real numbers: the real q-th root, to the p.

    For v < 0 the real q-th root is the root of branch k = (q − 1)/2 (angle π).
    """
    v = _mpf(v)
    p, q = r.numerator, r.denominator
    assert q % 2 == 1
    root = mpmath.root(v, q, (q - 1) // 2) if v < 0 else mpmath.root(v, q)
    root = mpmath.mpc(root)
    assert abs(root.imag) <= mpmath.mpf(10) ** -25 * max(1, abs(root.real))
    return root.real**p


def _mpf(v: Any) -> Any:
    if isinstance(v, Fraction):
        return mpmath.mpf(v.numerator) / v.denominator
    return mpmath.mpf(v)


def close(got: float, want: Any, rtol: float = RTOL) -> bool:
    return abs(got - float(want)) <= rtol * max(1.0, abs(float(want)))


# ---------------------------------------------------------------------------
# descent: compiled value, gradient, Hessian, the blocks, against mpmath


odd_roots = st.builds(
    Fraction, st.integers(-4, 8).filter(lambda p: p != 0), st.sampled_from([3, 5, 7])
).filter(lambda r: r.denominator > 1)
negatives = st.fractions(min_value=Fraction(-40), max_value=Fraction(-1, 20), max_denominator=97)
anything = st.fractions(min_value=Fraction(-3), max_value=Fraction(3), max_denominator=17)


def _f(r: Fraction) -> sympy.Expr:
    return x ** sympy.Rational(r.numerator, r.denominator) * (y + 2) + y**2


def _oracle(r: Fraction) -> Any:
    return lambda a, b: real_power(a, r) * (b + 2) + b**2


@settings(max_examples=60, deadline=None)
@given(r=odd_roots, a=negatives, b=anything)
def test_compiled_descent_agrees_with_the_real_root(r: Fraction, a: Fraction, b: Fraction) -> None:
    f, oracle = _f(r), _oracle(r)
    mpmath.mp.dps = 30
    at = (_mpf(a), _mpf(b))
    want = oracle(*at)
    want_g = [mpmath.diff(oracle, at, order) for order in ((1, 0), (0, 1))]
    want_h = [mpmath.diff(oracle, at, order) for order in ((2, 0), (1, 1), (0, 2))]
    program = _compile(f, (x, y), "newton")
    value, *grad = program.value_and_gradient(float(a), float(b))
    assert close(value, want), (value, want)
    assert all(close(g, w) for g, w in zip(grad, want_g)), (grad, want_g)
    assert program.hessian_upper is not None
    hessian = program.hessian_upper(float(a), float(b))
    assert all(close(h, w, 1e-8) for h, w in zip(hessian, want_h)), (hessian, want_h)
    # the same number as every command's exact value at the point
    _, exact_float = value_at(f, {x: sympy.Rational(a), y: sympy.Rational(b)})
    assert exact_float is not None and close(exact_float, want)
    # the unrolled blocks and the values function (gd): one tiny step
    run = descend(f, (x, y), (a, b), lr=1e-9, steps=2, tol=1e-300)
    assert close(run.values[0], want)
    assert all(close(g, w) for g, w in zip(run.gradients[0], want_g))
    assert close(run.values[1], oracle(*run.points[1]))


def test_the_derivatives_are_those_of_f_made_real_not_of_sign_and_abs() -> None:
    # d/dx of sign(x)·|x|^(1/3) would bring DiracDelta: the compiled ∇f is f's own
    program = _compile(x ** sympy.Rational(1, 3) * y, (x, y), "gd")
    assert not any(g.has(sympy.DiracDelta) for g in program.real.gradient)
    assert program.gradient == (y / (3 * x ** sympy.Rational(2, 3)), x ** sympy.Rational(1, 3))
    assert program.real.gradient[1].has(sympy.sign)


def test_ordinary_functions_compile_as_they_were() -> None:
    f = (1 - x) ** 2 + 100 * (y - x**2) ** 2
    program = _compile(f, (x, y), "gd")
    assert program.real.expr is f
    assert program.real.gradient == program.gradient


@pytest.mark.parametrize("method", ["gd", "momentum", "nesterov", "adam", "newton"])
def test_descent_from_a_negative_start_follows_the_reference_loop(method: str) -> None:
    f = x ** sympy.Rational(4, 3) + (y - 1) ** 2 + x ** sympy.Rational(5, 3) / 10
    lr = 0.5 if method == "newton" else 0.01
    run = descend(f, (x, y), (-3, 2), method=method, lr=lr, steps=30, tol=1e-300)
    ref = reference_points(f, (x, y), (-3.0, 2.0), method=method, lr=lr, steps=run.steps)
    assert run.steps == 30
    for got, want in zip(run.points, ref):
        assert got == pytest.approx(want, rel=1e-9, abs=1e-12)


def test_exact_steps_take_the_real_root() -> None:
    run = descend(x ** sympy.Rational(2, 3) + (y - 1) ** 2, (x, y), (-8, 1), exact=True, steps=2)
    assert run.values_exact[0] == 4
    assert run.gradients_exact[0] == (sympy.Rational(-1, 3), 0)
    assert run.points_exact[1] == (sympy.Rational(-239, 30), 1)
    assert all(sympy.im(v) == 0 for v in run.values_exact)


def test_an_even_root_of_a_negative_number_stays_undefined() -> None:
    from gradcli.errors import UndefinedError

    with pytest.raises(UndefinedError, match="start point"):
        descend(x ** sympy.Rational(3, 4) + y**2, (x, y), (-1, 0))


# ---------------------------------------------------------------------------
# plot: the scene's numbers against mpmath


def test_the_curve_of_a_cube_root_has_its_negative_half() -> None:
    mpmath.mp.dps = 30
    scene = build_scene(parse_function("cbrt(x)"), at="-8", grid=200)
    curve = scene.surface
    assert isinstance(curve, Curve)
    assert scene.undefined_share == 0.0
    assert scene.value_at == -2.0
    assert scene.gradient == pytest.approx((1 / 12,))
    negative = curve.xs < 0
    assert negative.all()
    third = Fraction(1, 3)
    for v, value, slope in zip(curve.xs, curve.values, curve.slopes):
        assert close(float(value), real_power(v, third))
        assert close(float(slope), mpmath.diff(lambda t: real_power(t, third), v))


def test_the_map_of_a_two_thirds_power_is_defined_left_of_zero() -> None:
    mpmath.mp.dps = 30
    f = parse_function("x^(2/3) + (y-1)^2")
    scene = build_scene(f, at="-1,0", window=(-3, 1, -2, 2), grid=20)
    surface = scene.surface
    assert isinstance(surface, ContourMap)
    assert scene.gradient == pytest.approx((-2 / 3, -2))
    two_thirds = Fraction(2, 3)
    for a, b, value in zip(surface.grid_x.flat, surface.grid_y.flat, surface.values.flat):
        want = real_power(a, two_thirds) + (mpmath.mpf(b) - 1) ** 2
        assert close(float(value), want), (a, b, value, want)
    assert surface.field is not None
    assert np.isfinite(surface.field.u[surface.field.x < -0.1]).all()


def test_the_curve_of_a_fourth_root_is_undefined_left_of_zero() -> None:
    scene = build_scene(parse_function("x^(1/4)"), window=(-4, 4), grid=200)
    curve = scene.surface
    assert isinstance(curve, Curve)
    assert np.isnan(curve.values[curve.xs < 0]).all()
    assert np.isfinite(curve.values[curve.xs > 0]).all()


# ---------------------------------------------------------------------------
# grading: the random points include negative x


def test_the_evaluator_takes_the_real_root_at_negative_points() -> None:
    mpmath.mp.dps = 30
    evaluator = Evaluator((x,), seed=0)
    for level in (0, 1):
        points = evaluator._pools[level][:, 0]
        assert (points < 0).any()
        values = evaluator.values(sympy.cbrt(x) ** 5, level)
        for v, value in zip(points, values):
            assert close(float(value), real_power(v, Fraction(5, 3)), 1e-12)
    (one,) = evaluator.at([x ** sympy.Rational(2, 3)], {x: sympy.Integer(-8)}) or (None,)
    assert one == pytest.approx(4.0)


def test_equality_at_negative_points_tells_right_from_wrong() -> None:
    derivative = sympy.diff(sympy.cbrt(x), x)
    right = 1 / (3 * (x**2) ** sympy.Rational(1, 3))
    wrong = sympy.sign(x) * sympy.Abs(x) ** sympy.Rational(-2, 3) / 3
    accepted = equivalent(right, derivative)
    assert (accepted.equal, accepted.method) == (True, "numeric")
    exact = equivalent(right, derivative, exact=True)
    assert exact.equal is True
    refused = equivalent(wrong, derivative)
    assert refused.equal is False and "x = -" in refused.detail


# ---------------------------------------------------------------------------
# the commands, through the installed console script


def run(*args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [GRADCLI, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "GRADCLI_TIMEOUT": "30"},
    )
    for stream in (result.stdout, result.stderr):
        assert "internal error" not in stream, stream
        assert "Traceback" not in stream, stream
    return result


def test_cli_descend_from_a_negative_start() -> None:
    result = run(
        "descend", "x^(2/3) + (y-1)^2", "--from", "-8,1", "--steps", "3", "--exact",
        "--format", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)["runs"][0]
    trajectory = data["trajectory"]
    assert trajectory["values"][0] == pytest.approx(4.0)
    assert trajectory["gradients"][0] == pytest.approx([-1 / 3, 0.0])
    assert all(p[0] < 0 for p in trajectory["points"])
    assert data["exact"]["values"][0] == "4"
    assert data["exact"]["gradients"][0] == ["-1/3", "0"]
    assert data["exact"]["note"] is None


@pytest.mark.parametrize("method", ["gd", "newton"])
def test_cli_descend_finds_a_minimum_only_real_roots_have(method: str) -> None:
    # f' = 2x + 2x^(-2/3) is 0 where x^(5/3) = -1: at x = -1, a minimum (f'' = 10/3)
    result = run(
        "descend", "x^2 + 6cbrt(x) + y^2", "--from", "-3,1", "--method", method,
        "--format", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)["runs"][0]
    assert (data["stop_reason"], data["final_kind"]) == ("converged", "minimum")
    assert data["final_point"] == pytest.approx([-1.0, 0.0], abs=1e-7)


def test_cli_descend_an_even_root_of_a_negative_start_is_an_error() -> None:
    result = run("descend", "x^(3/4) + y^2", "--from", "-1,0")
    assert result.returncode == 3, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith("gradcli: error: ") and "start point" in lines[0]
    assert all(line.startswith("  ") for line in lines[1:])


def test_cli_plot_draws_the_negative_half(tmp_path: Path) -> None:
    out = tmp_path / "cbrt.png"
    result = run("plot", "cbrt(x)", "-o", str(out), "--dpi", "50", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["undefined_share"] == 0.0
    low, high = data["value_range"]
    assert low == pytest.approx(float(real_power(data["window"][0], Fraction(1, 3))))
    assert low < 0 < high
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    at = run("plot", "cbrt(x)", "--at", "-8", "-o", str(out), "--dpi", "50", "--format", "json")
    assert at.returncode == 0, at.stderr
    assert json.loads(at.stdout)["value_at"] == -2.0


def test_cli_check_grades_at_negative_points() -> None:
    right = run("check", "cbrt(x)", "--gradient", "1/(3*cbrt(x^2))", "--format", "json")
    assert right.returncode == 0, right.stderr
    assert json.loads(right.stdout)["parts"][0]["verdict"] == "correct"
    # equal to the derivative for x > 0 only: the negative points show it
    wrong = run("check", "cbrt(x)", "--gradient", "sign(x)*abs(x)^(-2/3)/3", "--format", "json")
    assert wrong.returncode == 1, wrong.stderr
    part = json.loads(wrong.stdout)["parts"][0]
    assert part["verdict"] == "wrong" and "x = -" in part["message"]
    value = run("check", "cbrt(x) + y", "--at", "-8,1", "--value", "1/12, 1")
    assert value.returncode == 0, value.stderr
