"""`gradcli grad` through the real command line: outputs, pipelines, errors."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Result, invoke

SEED = ("grad", "x**2+y**2+x*y", "--at", "1,3")
GRADCLI = str(Path(sys.executable).parent / "gradcli")


def test_seed_table() -> None:
    result = invoke(*SEED)
    assert result.exit_code == 0, result
    assert "f(x, y) = x² + x·y + y²" in result.stdout
    assert "∂f/∂x = 2x + y" in result.stdout
    assert "|∇f(1, 3)| = √74 ≈ 8.602325" in result.stdout
    assert "(5√74/74, 7√74/74) ≈ (0.5812, 0.8137)" in result.stdout
    assert result.stderr == ""


def test_no_colour_when_not_a_terminal() -> None:
    assert "\x1b[" not in invoke(*SEED).stdout


def test_colour_on_request_but_never_with_no_color() -> None:
    assert "\x1b[" in invoke("--color", "always", *SEED).stdout
    assert "\x1b[" not in invoke(*SEED, env={"NO_COLOR": "1"}).stdout


@pytest.mark.parametrize("fmt", ["json", "csv", "plain", "latex"])
def test_machine_formats_write_nothing_to_stderr(fmt: str) -> None:
    result = invoke(*SEED, "--format", fmt)
    assert result.exit_code == 0, result
    assert result.stderr == ""


def test_json_magnitude() -> None:
    assert invoke(*SEED, "-f", "json").json["magnitude_float"] == pytest.approx(8.602325267042627)


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")
def test_jq_consumes_the_json() -> None:
    out = subprocess.run(
        f"{GRADCLI} grad 'x**2+y**2+x*y' --at 1,3 --format json | jq .magnitude_float",
        shell=True,
        capture_output=True,
        text=True,
        check=True,
    )
    assert float(out.stdout) == pytest.approx(8.602325267042627)


def test_python_json_load_consumes_the_json() -> None:
    out = subprocess.run(
        f"{GRADCLI} grad 'x**2+y**2+x*y' --at 1,3 --format json | "
        f"{sys.executable} -c 'import json,sys; print(json.load(sys.stdin)[\"value\"])'",
        shell=True,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "['5', '7']"


def test_csv_reads_back() -> None:
    rows = list(csv.DictReader(io.StringIO(invoke(*SEED, "-f", "csv").stdout)))
    assert [(r["variable"], r["point"], r["value"]) for r in rows] == [
        ("x", "1", "5"),
        ("y", "3", "7"),
    ]
    assert {r["magnitude"] for r in rows} == {"sqrt(74)"}


def test_one_variable() -> None:
    assert invoke("grad", "x^3", "--at", "2", "-f", "json").json["value"] == ["12"]


def test_without_a_point() -> None:
    data = invoke("grad", "x^2+y^2+xy", "-f", "json").json
    assert data["gradient"] == ["2*x + y", "x + 2*y"]
    assert data["point"] is None


def test_vars_makes_parameters() -> None:
    data = invoke("grad", "a*x^2+b*y", "--vars", "x,y", "-f", "json").json
    assert data["variables"] == ["x", "y"] and data["parameters"] == ["a", "b"]
    assert data["gradient"] == ["2*a*x", "b"]


def test_expression_from_a_file(tmp_path: Path) -> None:
    source = tmp_path / "f.txt"
    source.write_text("x^2 + y^2 + xy\n", encoding="utf-8")
    data = invoke("grad", f"@{source}", "--at", "1,3", "-f", "json").json
    assert data["value"] == ["5", "7"]


def test_leading_minus_after_double_dash() -> None:
    result = invoke("grad", "--at", "1", "-f", "json", "--", "-x^2")
    assert result.exit_code == 0, result
    assert result.json["value"] == ["-2"]


def test_batch_from_stdin_keeps_going_and_reports_line_numbers() -> None:
    result = invoke("grad", "-", "-f", "json", input="x^2\n\n# a comment\nsin(x\ny^3\n")
    assert result.exit_code == 2
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["line"] for line in lines] == [1, 4, 5]
    assert lines[0]["gradient"] == ["2*x"]
    assert "error" in lines[1] and lines[1]["exit_code"] == 2
    assert lines[2]["gradient"] == ["3*y**2"]
    assert result.stderr.startswith("gradcli: line 4: error: ")
    assert len(result.stderr.splitlines()) == 1


def test_batch_all_good_exits_zero() -> None:
    result = invoke("grad", "-", "-f", "plain", input="x^2\ny^2\n")
    assert result.exit_code == 0, result
    assert result.stdout.count("variables:") == 2


def _assert_one_line_error(result: Result, code: int, fragment: str) -> None:
    assert result.exit_code == code, result
    assert result.stdout == ""
    first = result.stderr.splitlines()[0]
    assert first.startswith("gradcli: error: "), result
    assert fragment in first, result
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (("grad", "x+)"), 2, "unmatched ')'"),
        (("grad", "sinx^2"), 2, "'sinx^2' is ambiguous"),
        (("grad", "foo(x)"), 2, "unknown function"),
        (("grad", "x*y", "--at", "1,z"), 2, "must be a number"),
        (("grad", "x^2", "--at", "a=1"), 2, "not a variable"),
        (("grad", "9^9^9^9"), 2, "larger than"),
        (("grad", "x" * 20_000), 2, "limit is 10,000"),
        (("grad", "@/nonexistent/file"), 2, "cannot read"),
        (("grad", "x*y", "--at", "1"), 2, "2 variables"),
        (("grad", "1/x", "--at", "0"), 3, "division by zero"),
        (("grad", "log(x)", "--at", "-1"), 3, "not real"),
        (("grad", "x*y", "--at", "1,1", "--along", "0,0"), 2, "zero vector"),
        (("grad", "x*y", "--at", "1,1", "--along", "1,2,3"), 2, "3 components"),
        (("grad", "x", "--timeout", "-1"), 2, "must be positive"),
    ],
)
def test_errors_are_one_line_with_a_documented_code(
    args: tuple[str, ...], code: int, fragment: str
) -> None:
    _assert_one_line_error(invoke(*args), code, fragment)


def test_parse_errors_show_a_caret() -> None:
    result = invoke("grad", "x + * y")
    assert result.stderr.splitlines()[1:3] == ["  x + * y", "      ^"]


def test_usage_errors_exit_2() -> None:
    assert invoke("grad").exit_code == 2
    assert invoke("grad", "x", "--format", "yaml").exit_code == 2
    assert invoke("nonsense").exit_code == 2


def test_max_length_can_be_raised() -> None:
    long = "+".join(["x"] * 6000)
    assert invoke("grad", long, "-f", "json").exit_code == 2
    assert invoke("grad", long, "-f", "json", "--max-length", "20000").exit_code == 0
    ok = invoke("grad", long, "-f", "json", env={"GRADCLI_MAX_LENGTH": "20000"})
    assert ok.json["gradient"] == ["6000"]


def test_version_and_help() -> None:
    assert invoke("--version").stdout.startswith("gradcli, version ")
    helped = invoke("--help")
    assert helped.exit_code == 0 and "grad" in helped.stdout
    grad_help = invoke("grad", "--help")
    assert "Examples:" in grad_help.stdout and "--at" in grad_help.stdout


def test_python_dash_m_runs() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "gradcli", "grad", "x^2", "--at", "3", "-f", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout)["value"] == ["6"]
