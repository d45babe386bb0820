"""Errors and exit codes through the real command line, and the switch for debugging.

In-process through :func:`tests.conftest.invoke`, and through the installed
console script in a subprocess; a bug is injected by replacing a core
function (in the subprocess, by a ``sitecustomize`` module on PYTHONPATH).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import gradcli.calculus
from gradcli.errors import ExitCode
from tests.conftest import Result, invoke

GRADCLI = str(Path(sys.executable).parent / "gradcli")
SEED = ("x^2 + y^2 + xy", "--at", "1,3")


def _one_line_error(result: Result, code: int, fragment: str) -> None:
    assert result.exit_code == code, result
    assert result.stdout == "", result
    assert result.stderr.count("\n") == 1, result
    assert result.stderr.startswith("gradcli: error: ") and fragment in result.stderr, result


# --------------------------------------------------------------------------
# a point or vector of the wrong length is bad usage, in every command

WRONG_LENGTH = [
    (("grad", "x*y", "--at", "1"), "has 1 coordinate but the function has 2 variables"),
    (("grad", "x*y", "--at", "1,2,3"), "has 3 coordinates but the function has 2 variables"),
    (("grad", "x*y", "--at", "1,1", "--along", "1"), "--along has 1 components"),
    (("hessian", "x*y", "--at", "1"), "has 1 coordinate but the function has 2 variables"),
    (("hessian", "x*y", "--at", "1,2,3"), "has 3 coordinates but the function has 2"),
    (("jacobian", "x*y, x+y", "--at", "1"), "has 1 coordinate but the function has 2"),
    (("descend", "x*y", "--from", "1"), "has 1 coordinate but the function has 2 variables"),
    (("descend", "x^2", "--from", "1,2"), "has 2 coordinates but the function has 1 variable"),
    (("critical", "x^2 + y^2", "--box", "-1,0,1"), "--box needs two numbers LO,HI, got 3"),
    (("check", "x*y", "--at", "1", "--value", "1,2"), "has 1 coordinate but the function has 2"),
]


@pytest.mark.parametrize(
    ("args", "fragment"), WRONG_LENGTH, ids=[" ".join(a) for a, _ in WRONG_LENGTH]
)
def test_a_wrong_length_is_a_usage_error(args: tuple[str, ...], fragment: str) -> None:
    result = invoke(*args, "--format", "json")
    assert result.exit_code == ExitCode.USAGE == 2, result
    assert result.stdout == "", result
    first = result.stderr.splitlines()[0]
    assert first.startswith("gradcli: error: ") and fragment in first, result


def test_a_wrong_length_in_a_batch_line_is_exit_2_and_the_rest_goes_on() -> None:
    result = invoke("grad", "x^2", "--at", "-", "-f", "csv", input="3\n1,2\n4\n")
    assert result.exit_code == 2, result
    assert result.stdout.splitlines()[1:] == ["3.0,6.0,6.0", "nan,nan,nan", "4.0,8.0,8.0"]


def test_the_math_that_cannot_be_done_stays_3() -> None:
    _one_line_error(invoke("grad", "1/x", "--at", "0"), 3, "division by zero")
    _one_line_error(invoke("hessian", "log(x)", "--at", "-1"), 3, "not real")


# --------------------------------------------------------------------------
# a bug in gradcli: its own exit code, one line, the traceback on --debug


def _broken_gradient(*args: object, **kwargs: object) -> object:
    raise RuntimeError("injected failure")


@pytest.fixture
def broken(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """The core's gradient raises, as a bug would (a forked worker inherits it)."""
    monkeypatch.setattr(gradcli.calculus, "gradient", _broken_gradient)
    return monkeypatch


BUG_LINE = (
    "gradcli: internal error: RuntimeError: injected failure (a bug in gradcli; rerun with --debug)"
)


@pytest.mark.parametrize("in_process", ["1", "0"])
def test_a_bug_exits_70_with_one_line(in_process: str, broken: pytest.MonkeyPatch) -> None:
    broken.setenv("GRADCLI_IN_PROCESS", in_process)
    result = invoke("grad", *SEED)
    assert result.exit_code == ExitCode.BUG == 70, result
    assert result.stdout == ""
    assert result.stderr == BUG_LINE + "\n"


def test_debug_shows_the_real_traceback_in_process(broken: pytest.MonkeyPatch) -> None:
    broken.setenv("GRADCLI_IN_PROCESS", "1")
    result = invoke("--debug", "grad", *SEED)
    assert result.exit_code == 70, result
    lines = result.stderr.splitlines()
    assert lines[0] == BUG_LINE
    assert lines[1] == "Traceback (most recent call last):"
    # the frames are this process's own: from the command line down to the bug
    assert 'gradcli/cli.py", line' in result.stderr
    assert "in _broken_gradient" in result.stderr
    assert "_serve" not in result.stderr
    assert lines[-1] == "RuntimeError: injected failure"


def test_debug_shows_the_workers_traceback_when_forked(broken: pytest.MonkeyPatch) -> None:
    broken.delenv("GRADCLI_IN_PROCESS", raising=False)
    result = invoke("--debug", "grad", *SEED)
    assert result.exit_code == 70, result
    assert result.stderr.splitlines()[0] == BUG_LINE
    assert "in _serve" in result.stderr and "in _broken_gradient" in result.stderr


def test_a_bug_on_one_batch_line_is_that_lines_error(monkeypatch: pytest.MonkeyPatch) -> None:
    original = gradcli.calculus.gradient

    def fails_on_sin(function: Any, **options: Any) -> Any:
        if "sin" in str(function.expr):
            raise RuntimeError("injected failure")
        return original(function, **options)

    monkeypatch.setattr(gradcli.calculus, "gradient", fails_on_sin)
    result = invoke("grad", "-", "-f", "plain", input="x^2\nsin(x)\ny^2\n")
    # every line gets its record: the lines before and after the bug run too
    assert result.exit_code == 70, result
    assert result.stdout.count("variables:") == 2
    assert result.stderr == (
        "gradcli: line 2: internal error: RuntimeError: injected failure"
        " (a bug in gradcli; rerun with --debug)\n"
    )


def test_a_bug_in_one_graded_row_leaves_the_batch_going(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import gradcli.grading

    original = gradcli.grading.Grader.grade_row

    def grade_row(self: Any, row: Any) -> Any:
        if row.id == "b":
            raise RuntimeError("injected failure")
        return original(self, row)

    monkeypatch.setattr(gradcli.grading.Grader, "grade_row", grade_row)
    answers = tmp_path / "answers.csv"
    answers.write_text('id,gradient\na,"2x+y, x+2y"\nb,"2x, 2y"\nc,"2x+y, x+2y"\n')
    result = invoke("check", "x^2+y^2+xy", "--batch", str(answers), "-f", "json")
    assert result.exit_code == 0, result
    rows = result.json["rows"]
    assert [row["id"] for row in rows] == ["a", "b", "c"]
    assert "internal error: RuntimeError: injected failure" in str(rows[1])
    # debugging: in-process, the bug is not turned into a verdict
    monkeypatch.setenv("GRADCLI_IN_PROCESS", "1")
    result = invoke("check", "x^2+y^2+xy", "--batch", str(answers), "-f", "json")
    assert result.exit_code == 70, result
    assert BUG_LINE in result.stderr


# --------------------------------------------------------------------------
# the in-process switch changes where jobs run, not what they give


@pytest.mark.parametrize(
    "args",
    [
        ("grad", *SEED, "-f", "json"),
        ("grad", *SEED, "--along", "1,1", "-f", "plain"),
        ("hessian", "x^3 - 3x + y^2", "--at", "1,0", "--steps", "-f", "plain"),
        ("jacobian", "x*y, x+y", "--at", "1,2", "-f", "latex"),
        ("check", "x^2+y^2+xy", "--gradient", "2x, 2y"),
        ("grad", "1/x", "--at", "0"),
        ("grad", "x+)"),
    ],
)
def test_in_process_gives_the_same_answers(
    args: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRADCLI_IN_PROCESS", "0")
    forked = invoke(*args)
    monkeypatch.setenv("GRADCLI_IN_PROCESS", "1")
    here = invoke(*args)
    assert (here.exit_code, here.stdout, here.stderr) == (
        forked.exit_code,
        forked.stdout,
        forked.stderr,
    )


def test_in_process_batch_grading_gives_the_same_verdicts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    answers = tmp_path / "answers.csv"
    rows = ["id,gradient"] + [f'r{n},"{n}x+y, x+2y"' for n in range(250)]
    answers.write_text("\n".join(rows) + "\n")
    args = ("check", "x^2+y^2+xy", "--batch", str(answers), "-f", "csv", "--jobs", "2")
    monkeypatch.setenv("GRADCLI_IN_PROCESS", "0")
    forked = invoke(*args)
    monkeypatch.setenv("GRADCLI_IN_PROCESS", "1")
    here = invoke(*args)
    assert forked.exit_code == here.exit_code == 0
    assert here.stdout == forked.stdout
    rows = [line.split(",", 4) for line in here.stdout.splitlines()[1:]]
    # every row once, in order; only r2's ∂f/∂x = 2x + y is right
    assert [row[0] for row in rows] == [f"r{n}" for n in range(250)]
    assert [row[0] for row in rows if row[3] == "correct"] == ["r2"]
    assert {row[3] for row in rows} == {"correct", "wrong"}


# --------------------------------------------------------------------------
# the installed console script


def _console(
    *args: str, env: dict[str, str] | None = None, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [GRADCLI, *args],
        capture_output=True,
        text=True,
        input=input,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
        timeout=120,
    )


INJECT = textwrap.dedent(
    """
    import os
    import sys

    def breakpoint_hook(*args, **kwargs):
        sys.stderr.write(f"breakpoint reached in process {os.getpid()}\\n")

    mode = os.environ.get("GRADCLI_TEST_INJECT")
    if mode:
        import gradcli.calculus as calculus

        real = calculus.gradient

        def gradient(*args, **kwargs):
            if mode == "breakpoint":
                breakpoint()
                return real(*args, **kwargs)
            raise RuntimeError("injected failure")

        calculus.gradient = gradient
    """
)


@pytest.fixture
def injecting(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "sitecustomize.py").write_text(INJECT, encoding="utf-8")
    return {
        "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]),
        "PYTHONBREAKPOINT": "sitecustomize.breakpoint_hook",
    }


def test_console_script_data_on_stdout_messages_on_stderr() -> None:
    done = _console("grad", *SEED, "-f", "json")
    assert done.returncode == 0 and done.stderr == ""
    assert '"magnitude": "sqrt(74)"' in done.stdout
    done = _console("grad", "-", "-f", "json", input="x^2\nsin(x\n")
    assert done.returncode == 2
    assert len(done.stdout.splitlines()) == 2  # the bad line's record stands in for it
    assert done.stderr.splitlines() == [
        "gradcli: line 2: error: missing ')' (at position 4); the '(' here is never closed"
    ]


def test_console_script_wrong_length_exits_2() -> None:
    for args in (("grad", "x*y", "--at", "1"), ("hessian", "x*y", "--at", "1,2,3")):
        done = _console(*args)
        assert done.returncode == 2, done
        assert done.stdout == "" and done.stderr.count("\n") == 1, done


def test_console_script_a_bug_exits_70(injecting: dict[str, str]) -> None:
    done = _console("grad", *SEED, env={**injecting, "GRADCLI_TEST_INJECT": "raise"})
    assert done.returncode == 70, done
    assert (done.stdout, done.stderr) == ("", BUG_LINE + "\n")


def test_console_script_debug_in_process_shows_the_real_traceback(
    injecting: dict[str, str],
) -> None:
    env = {**injecting, "GRADCLI_TEST_INJECT": "raise", "GRADCLI_IN_PROCESS": "1"}
    done = _console("--debug", "grad", *SEED, env=env)
    assert done.returncode == 70, done
    assert done.stderr.splitlines()[0] == BUG_LINE
    assert 'sitecustomize.py", line' in done.stderr and 'cli.py", line' in done.stderr
    assert done.stderr.splitlines()[-1] == "RuntimeError: injected failure"


@pytest.mark.parametrize("in_process", ["1", "0"])
def test_console_script_breakpoint_stops_in_the_main_process_only_in_process(
    in_process: str, injecting: dict[str, str]
) -> None:
    env = {**injecting, "GRADCLI_TEST_INJECT": "breakpoint", "GRADCLI_IN_PROCESS": in_process}
    process = subprocess.Popen(
        [GRADCLI, "grad", *SEED, "-f", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert '"value": ["5", "7"]' in out
    reached = err.strip().removeprefix("breakpoint reached in process ")
    assert (int(reached) == process.pid) is (in_process == "1"), err


def test_help_documents_the_exit_codes_and_the_switch() -> None:
    from gradcli.cli import EPILOG

    shown = invoke("--help").stdout
    for code in ExitCode:
        assert f"  {int(code):<4} " in shown, f"exit code {int(code)} is not in --help"
    assert "70   a bug in gradcli: rerun with --debug" in shown
    assert "GRADCLI_IN_PROCESS=1" in shown
    assert "GRADCLI_IN_PROCESS" in EPILOG


# --------------------------------------------------------------------------
# Limits from the environment: shown by --help, read in one place


@pytest.mark.parametrize("command", ["grad", "check", "descend", "hessian", "jacobian", "critical"])
def test_help_shows_each_limits_variable_and_default(command: str) -> None:
    shown = " ".join(invoke(command, "--help", env={"COLUMNS": "200"}).stdout.split())
    assert "[env var: GRADCLI_TIMEOUT; default: 10.0]" in shown
    assert "[env var: GRADCLI_MAX_LENGTH; default: 10000]" in shown
    assert "[env var: GRADCLI_MAX_DEPTH; default: 100]" in shown
    assert "[env GRADCLI" not in shown  # the old hand-written form
    top = " ".join(invoke("--help", env={"COLUMNS": "200"}).stdout.split())
    assert "[env var: GRADCLI_NO_FILES]" in top


LONG = "+".join(["x"] * 30)  # 59 characters


def test_an_option_wins_over_its_variable_which_wins_over_the_default() -> None:
    assert invoke("grad", LONG, "-f", "json").exit_code == 0  # default 10000
    _one_line_error(
        invoke("grad", LONG, "-f", "json", env={"GRADCLI_MAX_LENGTH": "20"}),
        2,
        "the limit is 20 (raise it with --max-length or GRADCLI_MAX_LENGTH)",
    )
    ok = invoke("grad", LONG, "--max-length", "100", "-f", "json", env={"GRADCLI_MAX_LENGTH": "20"})
    assert ok.exit_code == 0 and ok.json["gradient"] == ["30"], ok
    _one_line_error(invoke("grad", LONG, "--max-length", "20", "-f", "json"), 2, "the limit is 20")
    # the option given as its default value still wins over the variable
    same = invoke(
        "grad", LONG, "--max-length", "10000", "-f", "json", env={"GRADCLI_MAX_LENGTH": "20"}
    )
    assert same.exit_code == 0, same
    deep = "(" * 8 + "x" + ")" * 8
    shallow = invoke("grad", deep, env={"GRADCLI_MAX_DEPTH": "3"})
    assert shallow.exit_code == 2 and "nest more than 3 deep" in shallow.stderr, shallow
    assert invoke("grad", deep, "--max-depth", "50", env={"GRADCLI_MAX_DEPTH": "3"}).exit_code == 0


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("GRADCLI_TIMEOUT", "soon", "gradcli: error: GRADCLI_TIMEOUT='soon' is not a number"),
        ("GRADCLI_TIMEOUT", "-1", "gradcli: error: GRADCLI_TIMEOUT must be a positive number"),
        ("GRADCLI_MAX_LENGTH", "1e5", "gradcli: error: GRADCLI_MAX_LENGTH='1e5' is not a whole"),
        ("GRADCLI_MAX_DEPTH", "deep", "gradcli: error: GRADCLI_MAX_DEPTH='deep' is not a whole"),
        ("GRADCLI_MAX_MEMORY", "0", "gradcli: error: GRADCLI_MAX_MEMORY must be a positive"),
        ("GRADCLI_NO_FILES", "maybe", "gradcli: error: GRADCLI_NO_FILES='maybe' is not 1, true"),
    ],
)
def test_a_bad_variable_is_one_line_and_exit_2(variable: str, value: str, message: str) -> None:
    for args in (("grad", *SEED), ("hessian", "x^2*y", "--at", "1,2", "-f", "json")):
        result = invoke(*args, env={variable: value})
        _one_line_error(result, 2, "")
        assert result.stderr.startswith(message), result


@pytest.mark.parametrize(
    ("value", "refused"), [("1", True), ("yes", True), ("0", False), ("", False)]
)
def test_no_files_from_the_environment(tmp_path: Path, value: str, refused: bool) -> None:
    path = tmp_path / "f.txt"
    path.write_text("x*y", encoding="utf-8")
    result = invoke("grad", f"@{path}", "-f", "json", env={"GRADCLI_NO_FILES": value})
    if refused:
        assert result.exit_code == 2 and result.stdout == "", result
        assert "turned off (--no-files or GRADCLI_NO_FILES)" in result.stderr, result
    else:
        assert result.exit_code == 0 and result.json["gradient"] == ["y", "x"], result


def test_root_help_names_every_limit_variable_with_its_default() -> None:
    import dataclasses

    from gradcli.limits import Limits

    shown = invoke("--help").stdout
    for field in dataclasses.fields(Limits):
        default = field.default
        text = f"{default:g}" if isinstance(default, float) else str(default)
        assert f"GRADCLI_{field.name.upper()}={text} " in shown, field.name
