"""No derivative where there is none (issue 13, "Where the derivative does not exist").

Through the real console script: a corner or jump of |u|, sign(u) is an
error (exit 3) in grad, jacobian and hessian, a point of its own kind in
critical; f undefined is said with its cause. The mechanism
(:func:`gradcli.derivatives.gradient_at`/``hessian_at``) is checked against
one-sided difference quotients at high precision, an oracle that does not
share its code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import mpmath
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradcli.derivatives import NotDifferentiableError, gradient_at, hessian_at, kinks
from gradcli.errors import ExitCode, MathError

GRADCLI = Path(sys.executable).with_name("gradcli")

x, y = sympy.symbols("x y", real=True)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env["NO_COLOR"] = "1"
    return subprocess.run(
        [str(GRADCLI), *args], capture_output=True, text=True, timeout=120, env=env
    )


def one_line_error(result: subprocess.CompletedProcess[str], code: ExitCode) -> str:
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("gradcli: error: "), result.stderr
    assert "internal error" not in lines[0] and "Traceback" not in result.stderr
    return lines[0].removeprefix("gradcli: error: ")


# --------------------------------------------------------------------------
# through the console script


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("grad", "abs(x-y)", "--at", "1,1"),
            "f is not differentiable at x = 1, y = 1: |x - y| has a corner where x - y = 0",
        ),
        (
            ("grad", "abs(x)+y", "--at", "0,1"),
            "f is not differentiable at x = 0, y = 1: |x| has a corner where x = 0",
        ),
        (
            ("grad", "sqrt(x^2)", "--at", "0"),
            "f is not differentiable at x = 0: |x| has a corner where x = 0",
        ),
        (
            ("grad", "abs(log(x))", "--at", "1"),
            "f is not differentiable at x = 1: |log(x)| has a corner where log(x) = 0",
        ),
        (
            ("grad", "abs(x)+abs(y)", "--at", "0,0", "--along", "1,1"),
            "f is not differentiable at x = 0, y = 0: |x| has a corner where x = 0",
        ),
        (
            ("grad", "sign(x)", "--at", "0"),
            "f is not differentiable at x = 0: it jumps where x = 0 (from sign(x))",
        ),
        (
            ("hessian", "abs(x-y)", "--at", "1,1"),
            "f is not differentiable at x = 1, y = 1: |x - y| has a corner where x - y = 0",
        ),
        (
            ("hessian", "x*abs(x)", "--at", "0"),
            "f is not twice differentiable at x = 0: its first derivatives have a corner "
            "where x = 0 (from |x|)",
        ),
        (
            ("jacobian", "x*abs(x), abs(y)", "--at", "0,0"),
            "f2 is not differentiable at x = 0, y = 0: |y| has a corner where y = 0",
        ),
        (
            ("jacobian", "abs(x-y)", "--at", "2,2"),
            "f is not differentiable at x = 2, y = 2: |x - y| has a corner where x - y = 0",
        ),
    ],
)
def test_no_derivative_at_a_corner_or_jump(args: tuple[str, ...], message: str) -> None:
    for fmt in ("plain", "json"):
        assert one_line_error(run(*args, "--format", fmt), ExitCode.MATH) == message


@pytest.mark.parametrize(
    ("expression", "at", "value"),
    [
        ("abs(x)^3", "0", ["0"]),
        ("x*abs(x)", "0", ["0"]),
        ("abs(x)*abs(y)", "0,0", ["0", "0"]),
        ("abs(x)^3 + y", "0,0", ["0", "1"]),
        ("abs(x-y)", "1,2", ["-1", "1"]),
        ("sign(x)*x^2", "0", ["0"]),
    ],
)
def test_differentiable_at_a_corner_is_not_refused(
    expression: str, at: str, value: list[str]
) -> None:
    result = run("grad", expression, "--at", at, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["value"] == value


def test_hessian_at_a_corner_where_f_is_twice_differentiable() -> None:
    result = run("hessian", "abs(x)^3", "--at", "0", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["hessian_at"] == [["0"]]


def test_log_of_zero_is_undefined_and_the_derivative_is_1_over_x() -> None:
    message = one_line_error(run("grad", "ln|x*y|", "--at", "0,1"), ExitCode.MATH)
    assert message == "f is undefined at x = 0, y = 1 (log of 0)"
    result = run("grad", "ln|x*y|", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["gradient"] == ["1/x", "1/y"]


@pytest.mark.parametrize(
    ("args", "start"),
    [
        (("grad", "atan2(z, asec(z))", "--at", "0"), "f is undefined at z = 0"),
        (("grad", "sin(x)/x", "--at", "0"), "f is undefined at x = 0"),
        (("hessian", "sin(x)/x", "--at", "0"), "f is undefined at x = 0"),
        (("grad", "cbrt(x)", "--at", "0"), "∂f/∂x is undefined at x = 0"),
    ],
)
def test_undefined_is_said_not_crashed(args: tuple[str, ...], start: str) -> None:
    assert one_line_error(run(*args), ExitCode.MATH).startswith(start)


def test_critical_of_a_removable_singularity_is_clean() -> None:
    result = run("critical", "sin(x)/x", "--format", "json")
    assert result.returncode in (0, 3), result.stderr
    assert "internal error" not in result.stderr
    if result.returncode == 0:
        points = json.loads(result.stdout)["critical_points"]
        assert all(abs(p["point_float"][0]) > 1 for p in points)  # never x = 0


def critical_json(expression: str) -> dict:
    result = run("critical", expression, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("expression", "point", "verdict"),
    [
        ("abs(x)+abs(y)", ["0", "0"], "minimum"),
        ("abs(x)", ["0"], "minimum"),
        ("abs(x)+y^2", ["0", "0"], "minimum"),
        ("-abs(x)", ["0"], "maximum"),
        ("abs(x)-abs(y)", ["0", "0"], "neither"),
    ],
)
def test_critical_lists_the_corner_as_a_point_of_its_own_kind(
    expression: str, point: list[str], verdict: str
) -> None:
    report = critical_json(expression)
    corners = [p for p in report["critical_points"] if p["kind"] == "nondifferentiable"]
    assert [p["point"] for p in corners] == [point]
    assert corners[0]["higher_order"] == verdict
    assert corners[0]["eigenvalues_float"] == []
    # nothing else claims ∇f = 0 at the corner
    assert all(p["point"] != point for p in report["critical_points"] if p not in corners)
    # the convexity and global lines do not contradict the point
    assert report["convexity"]["verdict"] in ("convex", "strictly convex", "unknown", "neither")
    if verdict == "minimum":
        assert report["convexity"]["verdict"] not in ("neither",)
        assert report["global_min"]["status"] == "found"
        assert report["global_min"]["value"] == "0"
        assert "not convex" not in report["global_min"]["reason"]


def test_critical_table_names_the_kind() -> None:
    result = run("critical", "abs(x)+abs(y)", "--format", "plain")
    assert result.returncode == 0, result.stderr
    assert "point_1_kind: nondifferentiable" in result.stdout
    assert "point_1_higher_order: minimum" in result.stdout


# --------------------------------------------------------------------------
# the mechanism, against one-sided difference quotients


def quotients(f: sympy.Expr, point: dict, variable: sympy.Symbol) -> tuple[mpmath.mpf, ...]:
    """Right and left difference quotients along one axis, at 60 digits."""
    with mpmath.workdps(60):
        h = mpmath.mpf(10) ** -25
        g = sympy.lambdify(tuple(point), f, modules="mpmath")
        at = [
            mpmath.mpf(Fraction(str(v)).numerator) / Fraction(str(v)).denominator
            for v in point.values()
        ]
        i = list(point).index(variable)

        def shifted(step: mpmath.mpf) -> mpmath.mpf:
            moved = list(at)
            moved[i] += step
            return g(*moved)

        centre = g(*at)
        return (shifted(h) - centre) / h, (centre - shifted(-h)) / h


@pytest.mark.parametrize(
    ("f", "point"),
    [
        (abs(x) ** 3, {x: 0}),
        (x * abs(x), {x: 0}),
        (abs(x) * abs(y), {x: 0, y: 0}),
        (abs(x) ** 3 + x * abs(y) + y, {x: 0, y: 0}),
        (sympy.sign(x) * x**2 + y * abs(x - y) ** 2, {x: 0, y: 0}),
        (abs(x - 1) * (x - 1) + abs(y), {x: 1, y: 2}),
    ],
)
def test_gradient_at_a_corner_matches_quotients_from_both_sides(f, point) -> None:
    gradient = gradient_at(f, tuple(point), point)
    for variable, (value, approx) in zip(point, gradient):
        right, left = quotients(f, point, variable)
        with mpmath.workdps(60):
            assert abs(right - left) < mpmath.mpf(10) ** -20
            assert abs(right - mpmath.mpf(int(value.p)) / int(value.q)) < mpmath.mpf(10) ** -20
        assert approx == float(value)


@pytest.mark.parametrize(
    ("f", "point", "variable"),
    [
        (abs(x - y), {x: 1, y: 1}, x),
        (abs(x) + y, {x: 0, y: 1}, x),
        (abs(sympy.log(x)), {x: 1}, x),
        (abs(x) - abs(y), {x: 0, y: 0}, y),
    ],
)
def test_no_gradient_where_the_one_sided_quotients_differ(f, point, variable) -> None:
    right, left = quotients(f, point, variable)
    assert abs(right - left) > 1
    with pytest.raises(NotDifferentiableError):
        gradient_at(f, tuple(point), point)


def test_second_derivative_jumps_at_x_abs_x() -> None:
    right, left = quotients(2 * abs(x), {x: 0}, x)  # f' = 2|x|: its quotients differ
    assert abs(right - left) == 4
    with pytest.raises(NotDifferentiableError, match="not twice differentiable"):
        hessian_at(x * abs(x), (x,), {x: 0})
    assert hessian_at(abs(x) ** 3, (x,), {x: 0}) == (((0, 0.0),),)


def test_kinks_are_collected_once() -> None:
    assert kinks(abs(x - y) + sympy.sign(x) * abs(x - y)) == (x - y, x)


def test_undecidable_zero_is_not_guessed() -> None:
    # whether u = 0 at the point needs more than the time allowed: say so
    hard = sympy.sin(sympy.pi / 7) ** 2 + sympy.cos(sympy.pi / 7) ** 2 - 1
    try:
        gradient_at(abs(x - 1 - hard), (x,), {x: 1})
    except NotDifferentiableError:
        pass  # decided: it is 0, so a corner
    except MathError as error:
        assert "cannot decide" in error.message


# random piecewise functions: sums of c·|a·(x, y) + b| and c·|u|·u with some
# kinks through a random rational point


rationals = st.fractions(min_value=-3, max_value=3, max_denominator=7)
normals = st.tuples(st.integers(-3, 3), st.integers(-3, 3)).filter(lambda a: a != (0, 0))


@st.composite
def corner_functions(draw):
    p = (draw(rationals), draw(rationals))
    terms = draw(
        st.lists(
            st.tuples(normals, st.sampled_from([-2, -1, 1, 2]), st.booleans(), st.booleans()),
            min_size=1,
            max_size=3,
        )
    )
    expr = draw(st.integers(-2, 2)) * x + draw(st.integers(-2, 2)) * y
    directions = [(1, 0), (0, 1)]
    for (a1, a2), c, through, smooth in terms:
        offset = -(a1 * p[0] + a2 * p[1]) if through else draw(rationals)
        u = a1 * x + a2 * y + sympy.Rational(offset.numerator, offset.denominator)
        # |u|·u is differentiable at its corner, |u| is not
        expr += c * abs(u) * (u if smooth else 1)
        directions += [(a1, a2), (-a2, a1)]
    point = {
        x: sympy.Rational(p[0].numerator, p[0].denominator),
        y: sympy.Rational(p[1].numerator, p[1].denominator),
    }
    return expr, point, directions


def directional(f, point, d, sign):
    with mpmath.workdps(60):
        h = mpmath.mpf(10) ** -25
        g = sympy.lambdify((x, y), f, modules="mpmath")
        px, py = (mpmath.mpf(int(v.p)) / int(v.q) for v in (point[x], point[y]))
        return (g(px + sign * h * d[0], py + sign * h * d[1]) - g(px, py)) / h


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corner_functions())
def test_verdict_agrees_with_one_sided_quotients(case) -> None:
    with mpmath.workdps(60):
        f, point, directions = case
        tiny = mpmath.mpf(10) ** -20
        try:
            gradient = gradient_at(f, (x, y), point)
        except NotDifferentiableError:
            # some direction where f'(p; d) + f'(p; -d) ≠ 0: a corner
            assert any(
                abs(directional(f, point, d, 1) + directional(f, point, d, -1)) > tiny
                for d in directions
            )
            return
        for i, axis in enumerate(((1, 0), (0, 1))):
            right = directional(f, point, axis, 1)
            left = -directional(f, point, axis, -1)
            assert abs(right - left) < tiny
            assert abs(right - mpmath.mpf(int(gradient[i][0].p)) / int(gradient[i][0].q)) < tiny
        for d in directions:
            assert abs(directional(f, point, d, 1) + directional(f, point, d, -1)) < tiny


def test_kinks_that_are_multiples_of_each_other_turn_together() -> None:
    # |2y - 2| - 2|y - 1| is 0 everywhere: found by the property above
    x, y = sympy.symbols("x y", real=True)
    flat = -2 * abs(y - 1) + abs(2 * y - 2)
    assert [value for value, _ in gradient_at(flat, (x, y), {x: 0, y: 1})] == [0, 0]
    # |1 - y| turns with the opposite sign of y - 1: |y - 1| + |1 - y| = 2|y - 1|
    with pytest.raises(NotDifferentiableError):
        gradient_at(abs(y - 1) + abs(1 - y), (x, y), {x: 0, y: 1})
    assert [v for v, _ in gradient_at(abs(y - 1) - abs(1 - y), (x, y), {x: 0, y: 1})] == [0, 0]
