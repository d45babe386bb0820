"""`gradcli critical` through the real command line: the issue's textbook cases,
sets, numeric points, budgets, every format, errors."""

from __future__ import annotations

import csv
import functools
import io
import json
import math
import time
from typing import Any

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradcli.errors import GradcliError
from gradcli.parse import parse_expression, parse_function
from tests.conftest import FORMATS, failing, invoke, ok, strict_json
from tests.golden import assert_golden

SEED = "x^2 + y^2 + xy"
HIMMELBLAU = "(x^2 + y - 11)^2 + (x + y^2 - 7)^2"
ROSENBROCK = "(1-x)^2 + 100(y-x^2)^2"
#: a degree-12 system sympy cannot solve within a small budget
HARD = "x^12 + y^12 - 3x^5 y + 2x^3 y^4 - x y + y^2"


def critical(expression: str, *args: str) -> Any:
    return strict_json(ok("critical", expression, *args, "--format", "json"))


def points(data: Any) -> list[dict[str, Any]]:
    return [p for p in data["critical_points"] if "point" in p]


def kinds(data: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for p in points(data):
        counts[p["kind"]] = counts.get(p["kind"], 0) + 1
    return counts


def assert_gradient_zero(expression: str, data: Any) -> None:
    """At every point reported, ∇f = 0: exactly where the point reads back with
    gradcli's parser, else within the stated tolerance (or float rounding)."""
    function = parse_function(expression)
    variables = function.variables
    gradient = [sympy.diff(function.expr, v) for v in variables]
    numeric = sympy.lambdify(variables, gradient, modules="mpmath")
    for p in points(data):
        exact = None
        if p["point"] is not None:
            try:
                exact = [parse_expression(c) for c in p["point"]]
            except GradcliError:
                exact = None  # CRootOf(...): sympy's notation, not ours
        if exact is not None:
            values = dict(zip(variables, exact))
            assert all(sympy.simplify(g.xreplace(values)) == 0 for g in gradient), p
            continue
        # the tolerance of a numeric point bounds each |∂f/∂xᵢ| at its floats;
        # an exact point shown as floats is off by rounding only
        tolerance = p["tolerance"] if p["numeric"] else 1e-9
        residual = max(abs(float(g)) for g in numeric(*p["point_float"]))
        assert residual <= 2 * tolerance, p


# ---------------------------------------------------------------------------
# the textbook cases


def test_seed() -> None:
    data = critical(SEED)
    [p] = data["critical_points"]
    assert p["point"] == ["0", "0"] and p["point_float"] == [0.0, 0.0]
    assert p["kind"] == "local min"
    assert (p["value"], p["value_float"]) == ("0", 0.0)
    assert p["eigenvalues_float"] == pytest.approx([1.0, 3.0])
    assert p["numeric"] is False
    assert data["convexity"]["verdict"] == "strictly convex"
    assert "[[2, 1], [1, 2]]" in data["convexity"]["evidence"]
    assert data["global_min"]["status"] == "found"
    assert data["global_min"]["at"] == [{"point": ["0", "0"], "point_float": [0.0, 0.0]}]
    assert "its local minimum is the global minimum" in data["global_min"]["reason"]
    assert data["global_max"]["status"] == "none"
    assert data["complete"] is True


def test_seed_table_says_what_the_seed_teaches() -> None:
    table = ok("critical", SEED).stdout
    assert "│ 1 │ (0, 0) │ 0       │ 1, 3             │ local min │" in table
    assert "convexity: f is strictly convex" in table
    assert "global minimum: f = 0 at (0, 0)" in table
    assert "so its local minimum is the global minimum" in table


def test_saddle() -> None:
    data = critical("x^2 - y^2")
    [p] = data["critical_points"]
    assert (p["point"], p["kind"]) == (["0", "0"], "saddle")
    assert data["convexity"]["verdict"] == "neither"
    assert data["global_min"]["status"] == "none"


def test_a_minimum_and_a_saddle() -> None:
    data = critical("x^3 - 3x + y^2")
    assert [(p["point"], p["kind"], p["value"]) for p in points(data)] == [
        (["-1", "0"], "saddle", "2"),
        (["1", "0"], "local min", "-2"),
    ]
    # the local minimum is not global: f → -∞ as x → -∞
    assert data["global_min"]["status"] == "none"
    assert "unbounded below" in data["global_min"]["reason"]


def test_degenerate_minimum() -> None:
    data = critical("x^4 + y^4")
    [p] = data["critical_points"]
    assert (p["kind"], p["higher_order"]) == ("degenerate", "minimum")
    assert "second-derivative test inconclusive" in p["note"]
    assert data["convexity"]["verdict"] == "convex"
    assert data["global_min"]["status"] == "found"
    assert "degenerate: minimum" in ok("critical", "x^4 + y^4").stdout


def test_inflection() -> None:
    [p] = critical("x^3")["critical_points"]
    assert (p["point"], p["kind"], p["higher_order"]) == (["0"], "degenerate", "neither")


def test_line_of_minima() -> None:
    data = critical("(x - y)^2")
    [s] = data["critical_points"]
    assert "point" not in s
    assert s["set"] == ["x = y"]
    assert (s["dimension"], s["kind"], s["value"]) == (1, "local min", "0")
    assert data["convexity"]["verdict"] == "convex"
    assert data["complete"] is True  # a linear system: sympy's solution is all of it
    assert data["global_min"]["at"] == [{"set": ["x = y"]}]
    table = ok("critical", "(x - y)^2").stdout
    assert "x = y (a line)" in table
    assert "local min (a set)" in table


def test_constant_function_every_point() -> None:
    data = critical("3 + 0*x", "--vars", "x,y")
    [s] = data["critical_points"]
    assert s["set"] == [] and s["dimension"] == 2
    assert "every point of ℝ²" in ok("critical", "3 + 0*x", "--vars", "x,y").stdout


def test_himmelblau() -> None:
    data = critical(HIMMELBLAU)
    assert kinds(data) == {"local min": 4, "local max": 1, "saddle": 4}
    minima = sorted(tuple(p["point_float"]) for p in points(data) if p["kind"] == "local min")
    expected = [(-3.779310, -3.283186), (-2.805118, 3.131313), (3.0, 2.0), (3.584428, -1.848127)]
    for found, known in zip(minima, expected):
        assert found == pytest.approx(known, abs=1e-6)
    # exact zeros stay exact in floats too
    assert {p["value_float"] for p in points(data) if p["kind"] == "local min"} == {0.0}
    [top] = [p for p in points(data) if p["kind"] == "local max"]
    assert top["point_float"] == pytest.approx([-0.270845, -0.923039], abs=1e-6)
    assert top["value_float"] == pytest.approx(181.616522, abs=1e-6)
    assert data["global_min"]["status"] == "found" and data["global_min"]["value"] == "0"
    assert len(data["global_min"]["at"]) == 4
    assert_gradient_zero(HIMMELBLAU, data)


def test_himmelblau_table_shows_long_exact_points_as_decimals() -> None:
    table = ok("critical", HIMMELBLAU).stdout
    assert "CRootOf" not in table
    assert "≈ (-0.2708446, -0.9230386)" in table
    assert "│ (3, 2) " in table
    assert "exact coordinates are algebraic numbers too long to show" in table


def test_rosenbrock() -> None:
    data = critical(ROSENBROCK)
    [p] = data["critical_points"]
    assert (p["point"], p["kind"], p["value"]) == (["1", "1"], "local min", "0")
    assert data["global_min"]["status"] == "found"
    assert data["convexity"]["verdict"] == "neither"


def test_sin_sin_on_a_box() -> None:
    data = critical("sin(x)*sin(y)", "--box", "-4,4")
    assert kinds(data) == {"local min": 2, "local max": 2, "saddle": 9}
    assert all(abs(v) <= 4 for p in points(data) for v in p["point_float"])
    assert ["pi/2", "-pi/2"] in [p["point"] for p in points(data) if p["kind"] == "local min"]
    assert data["box"] == [-4.0, 4.0]
    assert any("there may be critical points outside it" in n for n in data["notes"])
    assert data["global_min"]["value"] == "-1" and data["global_max"]["value"] == "1"
    assert_gradient_zero("sin(x)*sin(y)", data)


def test_box_accepts_exact_numbers() -> None:
    data = critical("sin(x)*sin(y)", "--box", "-pi/2, pi/2")
    assert data["box"] == pytest.approx([-math.pi / 2, math.pi / 2], abs=1e-6)
    assert points(data)[0]["point"] == ["-pi/2", "-pi/2"]


@pytest.mark.parametrize(
    "expression",
    [SEED, "x^2 - y^2", "x^3 - 3x + y^2", "x^4 + y^4", ROSENBROCK, "x*y*exp(-x^2-y^2)"],
)
def test_gradient_is_zero_at_every_point(expression: str) -> None:
    assert_gradient_zero(expression, critical(expression))


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(-3, 3), min_size=5, max_size=5))
def test_gradient_is_zero_at_every_point_of_random_cubics(coefficients: list[int]) -> None:
    a, b, c, d, e = coefficients
    expression = f"0 + {a}*x^3 + {b}*x*y + {c}*y^2 + {d}*x + {e}*y^3 + x^2"
    data = critical(expression, "--vars", "x,y")
    assert_gradient_zero(expression, data)
    for p in points(data):
        hessian = strict_json(
            ok(
                "hessian",
                expression,
                "--vars",
                "x,y",
                "--at",
                ",".join(repr(v) for v in p["point_float"]),
                "--format",
                "json",
            )
        )["hessian_at_float"]
        assert hessian[0][1] == hessian[1][0]


# ---------------------------------------------------------------------------
# budgets


def test_a_hard_system_ends_within_the_timeout() -> None:
    started = time.monotonic()
    result = invoke("critical", HARD, "--timeout", "3", "--format", "json")
    elapsed = time.monotonic() - started
    assert elapsed < 3.5, elapsed
    assert result.exit_code in (0, 3), result
    if result.exit_code == 3:
        assert "budget" in result.stderr or "time" in result.stderr
        return
    data = strict_json(result)
    assert data["method"] in ("numeric", "mixed")
    numeric = [p for p in points(data) if p["numeric"]]
    assert numeric and all(p["point"] is None and p["tolerance"] == 1e-8 for p in numeric)
    assert_gradient_zero(HARD, data)


def test_numeric_points_are_marked_in_the_table() -> None:
    table = ok("critical", HARD, "--timeout", "3").stdout
    assert "local min †" in table
    assert "†: numeric, found by Levenberg–Marquardt" in table
    assert "|∂f/∂xᵢ| ≤" in table


# ---------------------------------------------------------------------------
# formats


CASES = [
    ("x^3 - 3x + y^2",),
    ("x^4 + y^4",),
    ("(x - y)^2",),
    ("3 + 0*x", "--vars", "x,y"),
    ("x^3",),
    ("x + y",),
    (HIMMELBLAU,),
    ("sin(x)*sin(y)", "--box", "-4,4"),
    (HARD, "--timeout", "3"),
]


@functools.cache
def report(args: tuple[str, ...]) -> Any:
    """One analysis per case, computed as the command does, for every format."""
    from gradcli.commands.critical import Request, compute
    from gradcli.limits import Limits

    options = dict(zip(args[1::2], args[2::2]))
    limits = Limits(timeout=float(options.get("--timeout", 10)))
    names = options.get("--vars")
    request = Request(
        expression=args[0],
        box=options.get("--box"),
        variables=names.split(",") if names else None,
        output_format="json",
        latex=None,
        started=time.monotonic(),
    )
    return compute(request, limits)


def render(fmt: str, args: tuple[str, ...]) -> str:
    from gradcli.formats import critical as formats
    from gradcli.render.console import Screen
    from gradcli.render.critical import to_table

    if fmt == "table":
        return to_table(report(args), Screen(width=80))
    renderer = {
        "json": formats.to_json,
        "csv": formats.to_csv,
        "plain": formats.to_plain,
        "latex": formats.to_latex,
    }[fmt]
    return str(renderer(report(args)))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("args", CASES, ids=[c[0] for c in CASES])
def test_every_format_renders_every_result(fmt: str, args: tuple[str, ...]) -> None:
    output = render(fmt, args)
    assert output.endswith("\n")
    if fmt == "json":
        data = json.loads(output, parse_constant=lambda name: pytest.fail(f"{name} in JSON"))
        for entry in data["critical_points"]:
            assert ("point" in entry) != ("set" in entry)
            if "point" in entry:
                assert len(entry["point_float"]) == len(data["variables"])
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(output)))
        assert len({len(row) for row in rows}) == 1
        data = report(args)
        assert len(rows) == 1 + len(data.analysis.points) + len(data.analysis.sets)
    elif fmt == "latex":
        assert output.startswith("\\begin{align*}")


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden_seed(fmt: str) -> None:
    assert_golden(f"critical_seed.{fmt}", ok("critical", SEED, "-f", fmt).stdout)


def test_no_critical_points() -> None:
    data = critical("x + y")
    assert data["critical_points"] == []
    assert data["global_min"]["status"] == "none"
    assert "no critical points: ∇f = 0 has no real solution" in ok("critical", "x + y").stdout


# ---------------------------------------------------------------------------
# errors


@pytest.mark.parametrize(
    ("box", "message"),
    [
        ("3,1", "--box needs LO < HI"),
        ("1", "--box needs two numbers"),
        ("1,2,3", "--box needs two numbers"),
        ("a,1", "--box needs numbers"),
        ("1,", "--box has an empty entry"),
        ("log(-1),2", "--box: the expression is not real"),
    ],
)
def test_bad_box_exits_2(box: str, message: str) -> None:
    result = failing("critical", SEED, "--box", box)
    assert result.exit_code == 2
    assert message in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("a*x^2 + y^2", "--vars", "x,y"), "f has parameters (a)"),
        (("7",), "the function has no variables"),
        (("x^2 +",), "error: "),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...], message: str) -> None:
    result = failing("critical", *args)
    assert result.exit_code == 2
    assert message in result.stderr
