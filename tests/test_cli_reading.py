"""Reading the command line and input files as people write them (issue 13, R10 and R11).

Through the installed console script in a subprocess: an expression may
start with '-' in every command, '--' may be followed by options, option
values may be negative, unknown options are still refused with a hint, and
a byte-order mark at the start of an @file or of stdin is dropped by every
reader.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

GRADCLI = str(Path(sys.executable).parent / "gradcli")


def gradcli(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADCLI_")}
    env.update({"NO_COLOR": "1", "COLUMNS": "100", "PYTHONIOENCODING": "utf-8"})
    env["GRADCLI_TIMEOUT"] = "30"
    done = subprocess.run([GRADCLI, *args], input=stdin, capture_output=True, timeout=120, env=env)
    return subprocess.CompletedProcess(
        done.args, done.returncode, done.stdout.decode(), done.stderr.decode()
    )


def ok(done: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert done.returncode == 0, (done.args, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    return done


def one_error(done: subprocess.CompletedProcess[str], code: int, fragment: str) -> str:
    """One ``gradcli: error:`` line (and perhaps an indented hint), the exit code given."""
    assert done.returncode == code, (done.args, done.stdout, done.stderr)
    lines = done.stderr.splitlines()
    assert lines and lines[0].startswith("gradcli: error: "), done.stderr
    assert all(line.startswith("  ") for line in lines[1:]), done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    assert fragment in lines[0], done.stderr
    return done.stderr


# --------------------------------------------------------------------------
# R11: an expression may start with '-', in every command


def test_grad_reads_a_leading_minus() -> None:
    record = json.loads(ok(gradcli("grad", "-x^2", "--at", "1", "-f", "json")).stdout)
    assert record["gradient"] == ["-2*x"] and record["value"] == ["-2"]


def test_critical_reads_a_leading_minus_bracket() -> None:
    done = ok(gradcli("critical", "-(x^2+y^2)^2 + x^2", "--format", "json"))
    assert json.loads(done.stdout)["expression"] == "x**2 - (x**2 + y**2)**2"


def test_hessian_reads_a_leading_minus_number() -> None:
    record = json.loads(ok(gradcli("hessian", "-2x^2+y", "--at", "0,0", "-f", "json")).stdout)
    assert record["hessian"] == [["-4", "0"], ["0", "0"]]


def test_descend_reads_a_leading_minus_function() -> None:
    record = json.loads(ok(gradcli("descend", "-cos(x)", "--from", "1", "-f", "json")).stdout)
    assert record["expression"] == "-cos(x)"


def test_jacobian_reads_a_leading_minus() -> None:
    record = json.loads(ok(gradcli("jacobian", "-x*y, x+y", "-f", "json")).stdout)
    assert record["jacobian"][0] == ["-y", "-x"]


def test_plot_reads_a_leading_minus(tmp_path: Path) -> None:
    out = tmp_path / "f.svg"
    ok(gradcli("plot", "-x^2-y^2", "-o", str(out)))
    assert out.stat().st_size > 0


def test_check_reads_a_leading_minus_before_its_options() -> None:
    done = ok(gradcli("check", "-x^2-y^2", "--gradient", "-2x,-2y", "-f", "json"))
    assert json.loads(done.stdout)["correct"] is True


@pytest.mark.parametrize("expression", ["-x", "-xy", "-2x", "-(x+y)", "-.5x", "-sin(x)"])
def test_every_kind_of_leading_minus_is_the_expression(expression: str) -> None:
    record = json.loads(ok(gradcli("grad", expression, "-f", "json")).stdout)
    assert record["expression"].startswith("-"), record


# --------------------------------------------------------------------------
# '--' makes the next token the expression; options may follow it


def test_check_takes_options_after_double_dash() -> None:
    done = ok(gradcli("check", "--", "-x^2-y^2", "--gradient", "-2x,-2y", "-f", "json"))
    assert json.loads(done.stdout)["correct"] is True


def test_options_before_double_dash_still_work() -> None:
    record = json.loads(ok(gradcli("grad", "--at", "1", "-f", "json", "--", "-x^2")).stdout)
    assert record["value"] == ["-2"]


def test_a_second_argument_after_the_expression_is_still_refused() -> None:
    # an unquoted `gradcli grad x^2 + y^2` must not become three expressions
    one_error(gradcli("grad", "--", "-x", "-y"), 2, "unexpected extra argument (-y)")


# --------------------------------------------------------------------------
# option values are taken as before, negative or not


def test_a_negative_point_goes_to_its_option() -> None:
    record = json.loads(ok(gradcli("grad", "-x^2", "--at", "-1", "-f", "json")).stdout)
    assert record["point"] == ["-1"] and record["value"] == ["2"]


def test_a_negative_point_with_equals_goes_to_its_option() -> None:
    record = json.loads(ok(gradcli("grad", "x*y", "--at=-1,2", "-f", "json")).stdout)
    assert record["value"] == ["2", "-1"]


def test_a_negative_learning_rate_goes_to_its_option_and_is_refused_there() -> None:
    one_error(gradcli("descend", "x^2", "--from", "-1", "--lr", "-0.1"), 2, "learning rate")


def test_steps_without_a_value_before_a_leading_minus() -> None:
    done = ok(gradcli("grad", "--steps", "-x^2", "-f", "plain"))
    assert "power rule" in done.stdout


def test_a_short_option_with_its_value_attached() -> None:
    assert json.loads(ok(gradcli("grad", "-x", "-fjson")).stdout)["gradient"] == ["-1"]


def test_help_is_still_an_option() -> None:
    assert "Usage: gradcli grad" in ok(gradcli("grad", "-h")).stdout


# --------------------------------------------------------------------------
# unknown options are still refused, with click's suggestion


def test_an_unknown_long_option_is_refused_with_a_suggestion() -> None:
    stderr = one_error(gradcli("grad", "x", "--formt", "json"), 2, "No such option '--formt'")
    assert "Did you mean '--format'?" in stderr and "see 'gradcli grad --help'" in stderr


def test_an_unknown_long_option_after_a_leading_minus_is_refused() -> None:
    one_error(gradcli("critical", "-x^2", "--boxx", "0,1"), 2, "No such option '--boxx'")


def test_an_unknown_option_with_equals_is_refused() -> None:
    one_error(gradcli("check", "-x^2", "--gradent=-2x"), 2, "No such option '--gradent'")


# --------------------------------------------------------------------------
# R10: a byte-order mark at the start of an @file or of stdin is dropped

BOM = b"\xef\xbb\xbf"


@pytest.mark.parametrize("command", ["grad", "hessian", "critical"])
def test_a_bom_in_an_at_file_is_dropped(tmp_path: Path, command: str) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(BOM + b"-x^2*y\r\n")
    record = json.loads(ok(gradcli(command, f"@{path}", "-f", "json")).stdout)
    assert record["expression"] == "-x**2*y"


def test_a_bom_in_an_at_file_of_check_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(BOM + b"x*y")
    done = ok(gradcli("check", f"@{path}", "--gradient", "y, x", "-f", "json"))
    assert json.loads(done.stdout)["correct"] is True


def test_a_bom_on_stdin_read_as_at_dash_is_dropped() -> None:
    record = json.loads(ok(gradcli("grad", "@-", "-f", "json", stdin=BOM + b"x*y\n")).stdout)
    assert record["gradient"] == ["y", "x"]


def test_a_bom_on_stdin_lines_of_grad_dash_is_dropped() -> None:
    done = ok(gradcli("grad", "-", "-f", "json", stdin=BOM + b"-x*y\r\nx+y\n"))
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["gradient"] for r in records] == [["-y", "-x"], ["1", "1"]]


def test_a_bom_on_streamed_points_is_dropped() -> None:
    done = ok(gradcli("grad", "x^2", "--at", "-", "-f", "csv", stdin=BOM + b"1\r\n2\r3\n"))
    assert done.stdout.splitlines() == [
        "x,df/dx_float,magnitude_float",
        "1,2.0,2.0",
        "2,4.0,4.0",
        "3,6.0,6.0",
    ]


def test_a_bom_on_a_batch_on_stdin_is_dropped() -> None:
    data = BOM + b"id,gradient\nann,2x\nben,x\n"
    done = ok(gradcli("check", "x^2", "--batch", "-", "-f", "json", stdin=data))
    rows = json.loads(done.stdout)["rows"]
    assert [(r["id"], r["correct"]) for r in rows] == [("ann", True), ("ben", False)]


# --------------------------------------------------------------------------
# every line reader: UTF-16 refused, an over-long line is that line's error


@pytest.mark.parametrize(
    "args",
    [("grad", "-"), ("grad", "x", "--at", "-"), ("check", "x^2", "--batch", "-")],
    ids=["grad -", "grad --at -", "check --batch -"],
)
def test_utf16_on_stdin_is_refused_in_one_line(args: tuple[str, ...]) -> None:
    one_error(gradcli(*args, stdin="x\n".encode("utf-16")), 2, "UTF-16")


@pytest.mark.parametrize("length", [10_001, 20_000, 50_000])
def test_an_over_long_stdin_line_says_the_limit_not_a_wrong_length(length: int) -> None:
    data = b"x" * length + b"\nx*y\n"
    done = gradcli("grad", "-", "-f", "json", stdin=data)
    assert done.returncode == 2
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["line"] for r in records] == [1, 2]
    assert records[1]["gradient"] == ["y", "x"]
    errors = done.stderr.splitlines()
    assert errors == [
        "gradcli: line 1: error: the line is longer than 10,000 characters "
        "(raise it with --max-length or GRADCLI_MAX_LENGTH)"
    ]


def test_the_line_reader_imports_no_sympy() -> None:
    code = "import sys, gradcli.lines; print('sympy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr
