"""Faults in streams, files, encodings and the command line's own errors.

Each test runs the installed ``gradcli`` in a subprocess, as a user or a
grading script would, and checks the documented exit code, a one-line
``gradcli: error:`` message (no traceback, no internal error) and, for
batches, one result per input line.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

GRADCLI = shutil.which("gradcli", path=str(Path(sys.executable).parent)) or "gradcli"
BASH = shutil.which("bash")

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX streams and devices")


def run(
    *args: str,
    stdin: bytes | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [GRADCLI, *args],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        timeout=60,
        env={**os.environ, "GRADCLI_TIMEOUT": "20", **(env or {})},
        cwd=cwd,
    )


def shell(command: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """``command`` in bash, with $G the gradcli script: for closed and full streams."""
    assert BASH is not None
    return subprocess.run(
        [BASH, "-c", command],
        capture_output=True,
        timeout=60,
        env={**os.environ, "G": GRADCLI, **(env or {})},
    )


def assert_one_error(stderr: bytes, *, extra: int = 0) -> str:
    """stderr is one ``gradcli: error:`` line (plus up to ``extra`` indented lines)."""
    text = stderr.decode("utf-8", "replace")
    lines = text.splitlines()
    assert lines, "no message"
    assert lines[0].startswith("gradcli: error: "), text
    assert len(lines) <= 1 + extra, text
    assert all(line.startswith("  ") for line in lines[1:]), text
    assert "Traceback" not in text and "internal error" not in text, text
    return lines[0]


# --------------------------------------------------------------------------
# 1. Reading input is bounded before it is held


def test_a_fifo_as_file_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    done = run("grad", f"@{fifo}", "--at", "1")
    assert done.returncode == 2
    assert "not a regular file" in assert_one_error(done.stderr)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_a_device_as_file_is_refused(device: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    done = run("grad", f"@{device}")
    assert done.returncode == 2
    assert "not a regular file" in assert_one_error(done.stderr)


def test_a_directory_as_file_is_refused(tmp_path: Path) -> None:
    done = run("grad", f"@{tmp_path}")
    assert done.returncode == 2
    assert_one_error(done.stderr)


def test_an_endless_stdin_line_is_that_lines_error_and_the_rest_go_on() -> None:
    # 3 MB of NULs (as from /dev/zero) without a newline, then two good lines
    data = b"\0" * 3_000_000 + b"\nx*y\nx+y\n"
    done = run("grad", "-", "--format", "json", stdin=data)
    assert done.returncode == 2
    records = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [r["line"] for r in records] == [1, 2, 3]
    assert "error" in records[0] and records[1]["gradient"] == ["y", "x"]
    errors = done.stderr.decode().splitlines()
    assert len(errors) == 1 and errors[0].startswith("gradcli: line 1: error: ")


def test_a_bom_on_stdin_lines_is_dropped() -> None:
    done = run("grad", "-", "--format", "csv", stdin=b"\xef\xbb\xbfx*y\nx+y\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().splitlines()[1].startswith("x*y,x,y,")


def test_a_bom_in_an_at_file_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(b"\xef\xbb\xbfx*y\n")
    done = run("grad", f"@{path}", "--at", "1,2", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["gradient"] == ["y", "x"]


@pytest.mark.parametrize("ending", [b"\r", b"\r\n", b"\n"])
def test_stdin_lines_end_at_cr_crlf_and_lf_alike(ending: bytes) -> None:
    data = ending.join([b"x*y", b"x+y", b"x^2*y", b""])
    done = run("grad", "-", "--format", "json", stdin=data)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [r["line"] for r in records] == [1, 2, 3]
    assert [r["expression"] for r in records] == ["x*y", "x + y", "x**2*y"]


# --------------------------------------------------------------------------
# 2. Output faults


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_stdout_full_is_one_line_and_exit_74() -> None:
    done = shell('"$G" grad "x^2 + y^2" --at 1,3 > /dev/full')
    assert done.returncode == 74
    assert "cannot write the output" in assert_one_error(done.stderr)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_stdout_full_in_a_batch_is_exit_74() -> None:
    done = shell('printf "x*y\\nx+y\\n" | "$G" grad - --format json > /dev/full')
    assert done.returncode == 74
    assert_one_error(done.stderr)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_help_to_a_full_stdout_is_exit_74() -> None:
    done = shell('"$G" --help > /dev/full')
    assert done.returncode == 74
    assert_one_error(done.stderr)


def test_stdout_closed_is_one_line_and_exit_74() -> None:
    done = shell('"$G" grad "x^2" --at 1 >&-')
    assert done.returncode == 74
    assert "stdout is closed" in assert_one_error(done.stderr)


def test_stderr_closed_still_gives_the_output_and_the_code() -> None:
    done = shell('"$G" grad "x^2" --at 1 --format plain 2>&-')
    assert done.returncode == 0
    assert b"magnitude: 2" in done.stdout
    bad = shell('"$G" grad "x^2" --at 1,2 2>&-')
    assert bad.returncode == 2 and bad.stdout == b""


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_stderr_full_is_silent_with_the_code() -> None:
    done = shell('"$G" grad "x^2" --at 1 --format plain 2>/dev/full')
    assert done.returncode == 0 and b"magnitude: 2" in done.stdout
    bad = shell('"$G" grad "x^2" --at 1,2 2>/dev/full')
    assert bad.returncode == 2


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("stderr", ["2>&-", "2>/dev/full"])
def test_both_streams_failing_exit_74_silently(stderr: str) -> None:
    done = shell(f'"$G" grad "x^2" --at 1 >/dev/full {stderr}')
    assert done.returncode == 74


def test_a_reader_that_leaves_is_not_an_error() -> None:
    done = shell('"$G" grad - --format csv < <(yes "x*y" | head -n 3000) | head -n 1')
    assert done.returncode == 0
    assert done.stderr == b""


# --------------------------------------------------------------------------
# 3. Output encodings that are not UTF-8

TABLE_COMMANDS = [
    ["grad", "x^2 + y^2 + xy", "--at", "1,3"],
    ["grad", "x^2*y", "--steps"],
    ["hessian", "x^2*y + y^3", "--at", "1,2"],
    ["jacobian", "x*y, x + y", "--at", "1,2"],
    ["critical", "x^3 - 3x + y^2"],
    ["descend", "x^2 + y^2", "--from", "1,1", "--lr", "1/4"],
    ["check", "x^2 + y^2", "--gradient", "2x, 2y"],
]


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
@pytest.mark.parametrize("command", TABLE_COMMANDS, ids=lambda c: c[0] + c[-1])
def test_tables_fall_back_to_ascii_forms(encoding: str, command: list[str]) -> None:
    done = run(*command, env={"PYTHONIOENCODING": encoding})
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode("ascii")  # nothing the stream could not hold
    assert "?" not in text.replace("?)", "")
    # only notes (read 'xy' as x·y), which are messages
    assert all(line.startswith(b"gradcli: note: ") for line in done.stderr.splitlines())


def test_the_ascii_table_spells_the_symbols() -> None:
    done = run("grad", "x^2 + y^2 + xy", "--at", "1,3", env={"PYTHONIOENCODING": "cp1252"})
    text = done.stdout.decode("ascii")
    assert "sqrt(74)" in text and "grad f(1, 3)" in text and "df/dx" in text


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
@pytest.mark.parametrize(
    "command",
    [
        ["grad", "x^2 + y^2 + xy", "--at", "1,3"],
        ["critical", "x^3 - 3x + y^2"],
        ["descend", "x^2 + y^2", "--from", "1,1", "--lr", "1/4"],
        ["check", "x^2 + y^2", "--gradient", "2x, 2y"],
        ["hessian", "θ*x^2*y", "--at", "1,2,3"],
    ],
    ids=lambda c: c[0],
)
def test_json_is_valid_in_any_encoding(encoding: str, command: list[str]) -> None:
    done = run(*command, "--format", "json", env={"PYTHONIOENCODING": encoding})
    assert done.returncode == 0, done.stderr
    json.loads(done.stdout.decode("ascii"))


@pytest.mark.parametrize("output_format", ["plain", "csv", "latex"])
def test_other_formats_replace_what_the_encoding_lacks(output_format: str) -> None:
    done = run(
        "grad", "θ*x + y", "--at", "1,2,3", "--format", output_format,
        env={"PYTHONIOENCODING": "ascii"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    done.stdout.decode("ascii")


def test_errors_on_an_ascii_stderr_are_one_line() -> None:
    done = run("grad", "∂x + )", env={"PYTHONIOENCODING": "ascii"})
    assert done.returncode == 2
    assert_one_error(done.stderr, extra=3)


# --------------------------------------------------------------------------
# 4. Click's own usage errors


@pytest.mark.parametrize(
    "args",
    [
        ["grad", "--bogus"],
        ["grad"],
        ["nosuch"],
        ["grad", "x", "--format", "xml"],
        ["grad", "x", "--timeout", "soon"],
        ["--color", "purple", "grad", "x"],
        ["grad", "x", "--at"],
    ],
)
def test_usage_errors_are_one_gradcli_line(args: list[str]) -> None:
    done = run(*args)
    assert done.returncode == 2
    first = assert_one_error(done.stderr, extra=1)
    assert "Usage:" not in done.stderr.decode() and "Try " not in done.stderr.decode()
    assert first.strip() != "gradcli: error:"


@pytest.mark.parametrize("args", [["--help"], ["grad", "--help"], ["-h"]])
def test_help_stays_normal(args: list[str]) -> None:
    done = run(*args)
    assert done.returncode == 0
    assert done.stdout.startswith(b"Usage: gradcli")
    assert done.stderr == b""


# --------------------------------------------------------------------------
# 5. @FILE can be turned off, and never echoes more than one line


def test_no_files_option_refuses_at_file(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_text("x*y\n")
    done = run("--no-files", "grad", f"@{path}")
    assert done.returncode == 2
    assert "--no-files" in assert_one_error(done.stderr, extra=1)
    assert done.stdout == b""


def test_no_files_environment_refuses_at_file(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_text("x*y\n")
    done = run("hessian", f"@{path}", env={"GRADCLI_NO_FILES": "1"})
    assert done.returncode == 2
    assert_one_error(done.stderr, extra=1)
    allowed = run("grad", f"@{path}", "--format", "json", env={"GRADCLI_NO_FILES": "0"})
    assert allowed.returncode == 0


def test_no_files_leaves_plain_expressions_alone() -> None:
    done = run("--no-files", "grad", "x^2", "--at", "1", "--format", "json")
    assert done.returncode == 0
    assert json.loads(done.stdout)["magnitude"] == "2"


def test_a_parse_error_in_a_file_shows_only_its_line(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("x + y\n+ )\nTOP SECRET second line\nmore secrets\n")
    done = run("grad", f"@{path}")
    assert done.returncode == 2
    text = done.stderr.decode()
    assert "SECRET" not in text and "secrets" not in text
    assert_one_error(done.stderr, extra=3)


# --------------------------------------------------------------------------
# 6. Numbers are read by the parser only


@pytest.mark.parametrize("point", ["1_000", "１", "١"])
def test_odd_digits_in_a_point_are_refused_alike(point: str) -> None:
    done = run("grad", "x^2", "--at", point)
    assert done.returncode == 2
    assert_one_error(done.stderr, extra=3)


@pytest.mark.parametrize("value", ["1_000", "１０", "١٠", "ten"])
@pytest.mark.parametrize("option", ["--timeout", "--max-length", "--max-depth"])
def test_odd_digits_in_a_numeric_option_are_refused_as_in_a_point(option: str, value: str) -> None:
    done = run("grad", "x^2", "--at", "1", option, value)
    assert done.returncode == 2
    assert option in assert_one_error(done.stderr, extra=3)


@pytest.mark.parametrize("value", ["5", "15/2", "2.5e1"])
def test_a_numeric_option_reads_what_the_parser_reads(value: str) -> None:
    done = run("grad", "x^2", "--at", "1", "--format", "json", "--timeout", value)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["magnitude"] == "2"


def test_a_bad_columns_variable_is_not_a_crash() -> None:
    done = run("grad", "x^2", "--at", "1", env={"COLUMNS": "wide"})
    assert done.returncode == 0, done.stderr
