"""The one runner: jobs within budget, data on stdout, one-line messages on stderr, exit codes."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from gradcli import runner
from gradcli.budget import InternalError
from gradcli.errors import BudgetExceeded, ExitCode, GradcliError, ParseError, UndefinedError
from gradcli.runner import Line, Output

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def _stderr_lines(err: str) -> list[str]:
    lines = err.splitlines()
    assert all(line.startswith("gradcli: ") for line in lines), err
    return [line.removeprefix("gradcli: ") for line in lines]


# --------------------------------------------------------------------------
# write: data to stdout, each message one line on stderr, the worst code


def test_write_sends_data_to_stdout_and_messages_to_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = runner.write(
        [
            Output("5, 7\n", ("note: read 'xy' as x·y",)),
            "plain text counts as data\n",
            Output(messages=("warning: undefined at 1 point",), exit_code=ExitCode.USAGE),
            Output("more data\n", exit_code=ExitCode.OK),
        ]
    )
    out, err = capsys.readouterr()
    assert out == "5, 7\nplain text counts as data\nmore data\n"
    assert _stderr_lines(err) == ["note: read 'xy' as x·y", "warning: undefined at 1 point"]
    assert code == ExitCode.USAGE


def test_write_streams_as_outputs_come(capsys: pytest.CaptureFixture[str]) -> None:
    seen: list[str] = []

    def outputs() -> Iterator[Output]:
        yield Output("first\n")
        seen.append(capsys.readouterr().out)  # already written before the next is made
        yield Output("second\n")

    runner.write(outputs())
    assert seen == ["first\n"]


def test_write_of_nothing_is_success(capsys: pytest.CaptureFixture[str]) -> None:
    assert runner.write([]) == ExitCode.OK
    assert capsys.readouterr() == ("", "")


# --------------------------------------------------------------------------
# run and run_lines: jobs in a budgeted child


@needs_fork
def test_run_computes_in_a_child_and_returns_the_jobs_code(
    capsys: pytest.CaptureFixture[str],
) -> None:
    parent = os.getpid()
    code = runner.run(
        lambda: Output(f"{os.getpid() != parent}\n", ("note: done",), ExitCode.WRONG_ANSWER),
        timeout=10,
    )
    out, err = capsys.readouterr()
    assert (out, _stderr_lines(err), code) == ("True\n", ["note: done"], ExitCode.WRONG_ANSWER)


@needs_fork
def test_run_lets_the_users_errors_through_for_the_crash_handler() -> None:
    def job() -> str:
        raise UndefinedError("f is undefined at x = 0")

    with pytest.raises(UndefinedError):
        runner.run(job, timeout=10)


@needs_fork
def test_run_holds_the_time_budget() -> None:
    started = time.monotonic()
    with pytest.raises(BudgetExceeded):
        runner.run(lambda: str(7 ** (3 * 10**7) % 10), timeout=0.5)
    assert time.monotonic() - started < 5


def test_in_process_switch_runs_the_job_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADCLI_IN_PROCESS", "1")
    pids: list[int] = []

    def job() -> str:
        pids.append(os.getpid())  # a child's list would not be ours
        return ""

    runner.run(job, timeout=10)
    assert pids == [os.getpid()]


def test_in_process_a_bug_keeps_its_own_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADCLI_IN_PROCESS", "1")

    def job() -> str:
        raise KeyError("the real one")

    with pytest.raises(KeyError, match="the real one"):
        runner.run(job, timeout=10)


@needs_fork
def test_forked_a_bug_comes_back_with_the_childs_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("GRADCLI_IN_PROCESS", raising=False)

    def broken_job() -> str:
        raise KeyError("the real one")

    with pytest.raises(InternalError) as caught:
        runner.run(broken_job, timeout=10)
    assert "broken_job" in caught.value.traceback_text


@pytest.mark.parametrize("in_process", ["0", "1"])
def test_run_lines_reports_bad_lines_and_goes_on(
    in_process: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GRADCLI_IN_PROCESS", in_process)

    def job(line: Line) -> Output:
        if line.text == "bad":
            raise ParseError("unexpected 'b'", text=line.text, position=0, hint="try x")
        if line.text == "undefined":
            raise UndefinedError("f is undefined")
        return Output(f"{line.text.upper()}\n", (f"note: did {line.text}",))

    lines = [Line(1, "a"), Line(3, "bad"), Line(4, "b"), Line(7, "undefined"), Line(8, "c")]
    code = runner.run_lines(job, lines, timeout=10)
    out, err = capsys.readouterr()
    assert out == "A\nB\nC\n"
    assert _stderr_lines(err) == [
        "note: did a",
        "line 3: error: unexpected 'b' (at position 1); try x",
        "note: did b",
        "line 7: error: f is undefined",
        "note: did c",
    ]
    assert code == ExitCode.MATH  # the most serious failure's code


def test_run_lines_gives_a_failed_line_its_stand_in(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GRADCLI_IN_PROCESS", "1")

    def job(line: Line) -> str:
        if line.number == 2:
            raise ParseError("no")
        return f"{line.number}\n"

    def stand_in(line: Line, error: GradcliError) -> str:
        return f"{line.number} failed: {error.exit_code}\n"

    code = runner.run_lines(
        job, [Line(1, "a"), Line(2, "b"), Line(3, "c")], timeout=10, on_error=stand_in
    )
    assert capsys.readouterr().out == "1\n2 failed: 2\n3\n"
    assert code == ExitCode.USAGE


# --------------------------------------------------------------------------
# map_chunked: the batch scheduler


def _square(n: int) -> int:
    return n * n


@needs_fork
@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_map_chunked_gives_one_result_per_item_in_order(jobs: int) -> None:
    results = list(
        runner.map_chunked(_square, range(23), timeout=10, failed=None, jobs=jobs, chunk=4)
    )  # type: ignore[arg-type]
    assert results == [n * n for n in range(23)]


@needs_fork
@pytest.mark.parametrize("jobs", [1, 2])
def test_map_chunked_loses_only_the_item_that_kills_its_worker(jobs: int) -> None:
    def fn(n: int) -> int:
        if n == 6:
            os._exit(3)  # stuck in C, say: the worker dies with its chunk
        return n * n

    def failed(n: int, error: GradcliError) -> int:
        return -1

    results = list(runner.map_chunked(fn, range(12), timeout=10, failed=failed, jobs=jobs, chunk=4))
    assert results == [-1 if n == 6 else n * n for n in range(12)]


@needs_fork
def test_map_chunked_retries_an_overrunning_chunk_item_by_item() -> None:
    def fn(n: int) -> int:
        if n == 2:
            time.sleep(30)
        return n

    failures: list[tuple[int, type]] = []

    def failed(n: int, error: GradcliError) -> int:
        failures.append((n, type(error)))
        return -1

    started = time.monotonic()
    results = list(runner.map_chunked(fn, range(5), timeout=0.3, failed=failed, chunk=5))
    assert results == [0, 1, -1, 3, 4]
    assert failures == [(2, BudgetExceeded)]
    assert time.monotonic() - started < 10


def test_map_chunked_calls_started_before_the_first_result() -> None:
    events: list[str] = []

    def fn(n: int) -> int:
        return n

    results = runner.map_chunked(
        fn,
        range(3),
        timeout=10,
        failed=None,
        started=lambda: events.append("started"),  # type: ignore[arg-type]
    )
    assert events == []  # nothing happens until the results are asked for
    assert next(results) == 0
    assert events == ["started"]


# --------------------------------------------------------------------------
# failure: the crash handler


def test_a_users_error_is_one_line_with_its_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert runner.failure(UndefinedError("f is undefined at x = 0")) == ExitCode.MATH
    assert capsys.readouterr().err == "gradcli: error: f is undefined at x = 0\n"


def test_a_parse_error_adds_the_caret(capsys: pytest.CaptureFixture[str]) -> None:
    assert runner.failure(ParseError("unexpected ')'", text="x+)", position=2)) == 2
    assert capsys.readouterr().err == (
        "gradcli: error: unexpected ')' (at position 3)\n  x+)\n    ^\n"
    )


def _raise_bug() -> None:
    raise RuntimeError("the real bug")


@pytest.mark.parametrize("debug", [False, True])
def test_an_unexpected_exception_is_a_bug(debug: bool, capsys: pytest.CaptureFixture[str]) -> None:
    try:
        _raise_bug()
    except RuntimeError as error:
        code = runner.failure(error, debug=debug)
    assert code == ExitCode.BUG == 70
    err = capsys.readouterr().err
    first = err.splitlines()[0]
    assert first == (
        "gradcli: internal error: RuntimeError: the real bug (a bug in gradcli; rerun with --debug)"
    )
    if debug:
        assert "Traceback (most recent call last)" in err and "_raise_bug" in err
    else:
        assert err.count("\n") == 1


@pytest.mark.parametrize("debug", [False, True])
def test_a_childs_bug_is_a_bug_too(debug: bool, capsys: pytest.CaptureFixture[str]) -> None:
    error = InternalError("KeyError: 'x'", "Traceback (most recent call last):\n  in the child\n")
    assert runner.failure(error, debug=debug) == ExitCode.BUG
    err = capsys.readouterr().err
    assert err.splitlines()[0] == (
        "gradcli: internal error: KeyError: 'x' (a bug in gradcli; rerun with --debug)"
    )
    assert ("in the child" in err) is debug


def test_an_interrupt_is_130(capsys: pytest.CaptureFixture[str]) -> None:
    assert runner.failure(KeyboardInterrupt()) == ExitCode.INTERRUPTED == 130
    assert capsys.readouterr().err == "gradcli: interrupted\n"


def test_anything_else_is_not_swallowed() -> None:
    with pytest.raises(SystemExit):
        runner.failure(SystemExit(4))
