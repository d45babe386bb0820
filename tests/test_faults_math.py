"""Inputs that once gave "internal error" in the mathematics (issue 14).

Each test runs the installed ``gradcli`` in a subprocess, as a user or a
grading script would, and checks the documented exit code, no traceback and
no internal error, and either a one-line ``gradcli: error:`` message or
numbers that agree with an independent oracle (sympy's own ``diff``, mpmath).
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
import pytest
import sympy

GRADCLI = shutil.which("gradcli", path=str(Path(sys.executable).parent)) or "gradcli"


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [GRADCLI, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "GRADCLI_TIMEOUT": "30"},
    )
    for stream in (result.stdout, result.stderr):
        assert "internal error" not in stream, stream
        assert "Traceback" not in stream, stream
    return result


def assert_one_error(result: subprocess.CompletedProcess[str], code: int = 3) -> str:
    """Exit ``code`` and one ``gradcli: error:`` line (a located caret may follow)."""
    assert result.returncode == code, (result.returncode, result.stderr)
    lines = result.stderr.splitlines()
    assert lines and lines[0].startswith("gradcli: error: "), result.stderr
    assert all(line.startswith("  ") for line in lines[1:]), result.stderr
    return lines[0]


def ok_json(*args: str, stdin: str = "") -> Any:
    result = run(*args, "--format", "json", stdin=stdin)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# ---------------------------------------------------------------------------
# 1. numbers too large: exact steps past 4,300 digits, constants past floats


def test_exact_steps_stop_at_the_size_bound_before_printing() -> None:
    for output in ("table", "plain", "json", "csv", "latex"):
        result = run(
            "descend", "x^4", "--from", "1/2", "--lr", "1/10", "--exact", "--format", output
        )
        assert result.returncode == 0, result.stderr
        assert "exact numbers grew past" in result.stdout + result.stderr


def test_exact_steps_are_the_exact_iteration() -> None:
    data = ok_json("descend", "x^4", "--from", "1/2", "--lr", "1/10", "--exact")
    shown = [Fraction(p[0]) for p in data["runs"][0]["exact"]["points"]]
    assert len(shown) >= 5
    x = Fraction(1, 2)
    for value in shown:  # the oracle: x ← x - (1/10)·4x³ in Python's fractions
        assert value == x
        x -= Fraction(1, 10) * 4 * x**3


@pytest.mark.parametrize("expression", ["x*10^400", "x^2 + 10^400", "10^400*x^2"])
def test_descend_from_a_value_beyond_floats_is_a_clear_error(expression: str) -> None:
    line = assert_one_error(run("descend", expression, "--from", "1"))
    assert "too large for floating point" in line


def test_streamed_points_with_a_constant_beyond_floats() -> None:
    line = assert_one_error(run("grad", "x^2+10^400", "--at", "-", stdin="1\n2\n"))
    assert "too large for floating point" in line


def test_plot_of_a_constant_beyond_floats_says_so(tmp_path: Path) -> None:
    out = tmp_path / "f.png"
    line = assert_one_error(run("plot", "x*10^400", "--output", str(out)))
    assert "too large for floating point" in line
    assert "undefined everywhere" not in line


# ---------------------------------------------------------------------------
# 2. the fast --at - path: functions numpy lacks, and one reader for numbers


def test_streamed_gradient_of_sign_matches_the_careful_path() -> None:
    result = run("grad", "sign(x)", "--at", "-", "--format", "json", stdin="1.5\n0\n-2\n")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["value_float"] for r in records] == [[0.0], [None], [0.0]]
    assert result.returncode in (0, 3), result.stderr
    # the oracle: sympy's d/dx sign(x) = 2·DiracDelta(x), 0 away from 0
    x = sympy.Symbol("x", real=True)
    assert sympy.diff(sympy.sign(x), x).subs(x, sympy.Rational(3, 2)) == 0
    for at in ("1.5", "-2"):
        assert ok_json("grad", "sign(x)", "--at", at)["value_float"] == [0.0]


@pytest.mark.parametrize("number", ["1_000", "\uff13", "\u0661", "inf", "nan", "1e5", ".5", "-2."])
def test_streamed_numbers_are_read_as_at_reads_them(number: str) -> None:
    at = run("grad", "x^2", "--at", number, "--format", "json")
    stream = run("grad", "x^2", "--at", "-", "--format", "json", stdin=number + "\n")
    record = json.loads(stream.stdout.splitlines()[0])
    if at.returncode == 0:
        assert record["value_float"] == [2 * float(number)]
    else:
        assert_one_error(at, 2)
        assert record["value_float"] == [None], record


# ---------------------------------------------------------------------------
# 3, 4. Hessians: eigenvalues beyond sympy's solver, huge exact numbers


def _oracle_eigenvalues(expression: str, variables: list[str], point: list[str]) -> list[float]:
    """Eigenvalues by sympy's diff and mpmath's eigsy at 50 digits."""
    symbols = [sympy.Symbol(v, real=True) for v in variables]
    expr = sympy.sympify(expression, locals={v: s for v, s in zip(variables, symbols)})
    values = {s: sympy.Rational(p) for s, p in zip(symbols, point)}
    matrix = sympy.hessian(expr, symbols).subs(values)
    with mpmath.workdps(50):
        rows = [[mpmath.mpf(str(sympy.N(v, 60))) for v in row] for row in matrix.tolist()]
        return sorted(float(v) for v in mpmath.eigsy(mpmath.matrix(rows), eigvals_only=True))


@pytest.mark.parametrize(
    ("expression", "oracle", "point"),
    [
        ("pi*x*y*z*w*v", "pi*x*y*z*w*v", "1,2,3,4,5"),
        (
            "sqrt(2)*(x^2+y^2+z^2+w^2+v^2) + x*y*z*w*v",
            "sqrt(2)*(x**2+y**2+z**2+w**2+v**2) + x*y*z*w*v",
            "1,1,1,1,1",
        ),
        ("x^y", "x**y", "3/2,-5/3"),
        ("(y^2)^x", "(y**2)**x", "7/5,-4/5"),
    ],
)
def test_hessian_eigenvalues_fall_back_to_numeric(expression: str, oracle: str, point: str) -> None:
    data = ok_json("hessian", expression, "--at", point)
    expected = _oracle_eigenvalues(oracle, data["variables"], point.split(","))
    assert data["eigenvalues_float"] == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert any("numeric eigenvalues" in note for note in data["notes"])
    for output in ("table", "plain", "csv", "latex"):
        assert run("hessian", expression, "--at", point, "--format", output).returncode == 0


def test_critical_with_five_variables_and_irrational_hessian() -> None:
    data = ok_json("critical", "pi*(x^2+y^2+z^2+w^2+v^2)+x*y+sqrt(2)*z*w+v*y")
    (point,) = data["critical_points"]
    assert point["kind"] == "local min"


def test_hessian_where_sympy_leaves_a_derivative_unevaluated() -> None:
    # f = |√x - 3| = 3 - √x near 2, so f'' = x^(-3/2)/4 there (0.0884)
    result = run("hessian", "abs(sqrt(x) - 3)", "--at", "2", "--format", "json")
    if result.returncode == 0:
        (row,) = json.loads(result.stdout)["hessian_at_float"]
        assert row[0] == pytest.approx(float(mpmath.mpf(2) ** -1.5 / 4), rel=1e-12)
    else:
        assert_one_error(result, 3)


def test_steps_survive_sympy_failing_to_simplify() -> None:
    data = ok_json("grad", "abs(sin(exp(sqrt(x)))+x)", "--at", "1", "--steps", "full")
    x = sympy.Symbol("x", positive=True)
    f = sympy.Abs(sympy.sin(sympy.exp(sympy.sqrt(x))) + x)
    expected = float(sympy.diff(f, x).subs(x, 1).evalf(30))
    assert data["value_float"][0] == pytest.approx(expected, rel=1e-12)


# ---------------------------------------------------------------------------
# 5. a search that is not exhaustive says so


def test_critical_points_of_a_steep_polynomial_are_found() -> None:
    data = ok_json("critical", "x^9999 - x")
    with mpmath.workdps(30):
        root = float((mpmath.mpf(1) / 9999) ** (mpmath.mpf(1) / 9998))
    found = sorted(p["point_float"][0] for p in data["critical_points"])
    assert found == pytest.approx([-root, root], rel=1e-12)


def test_no_critical_point_found_is_not_none_exist() -> None:
    result = run("critical", "tan(x)")
    assert result.returncode == 0, result.stderr
    # the table says what was done; the note (stderr) that it may have missed some
    assert "no critical points found (numeric: searched in the box [-10, 10])" in result.stdout
    assert "none found by a numeric search in the box [-10, 10]" in result.stderr
    assert "not exhaustive" in result.stderr
