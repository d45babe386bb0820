"""Time and memory budgets that really hold, and the bounds that configure them."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from dataclasses import fields

import pytest

from gradcli.budget import InternalError, Outcome, map_bounded, run_bounded, time_limit
from gradcli.errors import BudgetExceeded, ExitCode, InputError, MathError, ParseError
from gradcli.limits import Limits

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


# --------------------------------------------------------------------------
# time_limit: a signal for Python-level work


def _spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_time_limit_interrupts_python_work() -> None:
    started = time.monotonic()
    expected = r"simplification ran out of its 0\.2 s budget"
    with pytest.raises(BudgetExceeded, match=expected), time_limit(0.2, "simplification"):
        _spin(5)
    assert time.monotonic() - started < 1.5


def test_time_limit_lets_quick_work_through_and_clears_its_timer() -> None:
    import signal

    with time_limit(2):
        value = sum(range(1000))
    assert value == 499500
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_sympy_cannot_swallow_the_timeout() -> None:
    # the signal raises a BaseException, which `except Exception` does not catch
    def stubborn() -> None:
        for _ in range(100):
            try:
                _spin(0.05)
            except Exception:  # noqa: BLE001 - what a library might do
                pass

    with pytest.raises(BudgetExceeded), time_limit(0.2):
        stubborn()


def test_nested_limits_keep_the_tighter_deadline() -> None:
    started = time.monotonic()
    with (
        pytest.raises(BudgetExceeded, match="outer"),
        time_limit(0.3, "outer"),
        time_limit(5, "inner"),
    ):
        _spin(5)
    assert time.monotonic() - started < 1.5


def test_an_inner_limit_gives_the_outer_its_remaining_time_back() -> None:
    started = time.monotonic()
    with pytest.raises(BudgetExceeded, match="outer"), time_limit(0.6, "outer"):
        with pytest.raises(BudgetExceeded, match="inner"), time_limit(0.1, "inner"):
            _spin(5)
        _spin(5)
    assert 0.4 < time.monotonic() - started < 2


def test_time_limit_is_inert_outside_the_main_thread() -> None:
    results: list[str] = []

    def work() -> None:
        with time_limit(0.01):
            _spin(0.1)
        results.append("done")

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(5)
    assert results == ["done"]


# --------------------------------------------------------------------------
# run_bounded and map_bounded: a worker process that can be killed


@needs_fork
def test_run_bounded_returns_the_value() -> None:
    assert run_bounded(lambda: {"answer": 42}, timeout=10) == {"answer": 42}


@needs_fork
def test_run_bounded_passes_our_errors_back_unchanged() -> None:
    def fail() -> None:
        raise ParseError("unexpected ')'", text="x+)", position=2, hint="a hint")

    with pytest.raises(ParseError) as caught:
        run_bounded(fail, timeout=10)
    assert (caught.value.message, caught.value.position, caught.value.hint) == (
        "unexpected ')'",
        2,
        "a hint",
    )


@needs_fork
def test_run_bounded_kills_long_c_level_work() -> None:
    """7^(3·10^7) is one C call of tens of seconds: no signal stops it, a kill does."""
    started = time.monotonic()
    with pytest.raises(BudgetExceeded, match="out of time"):
        run_bounded(lambda: 7 ** (3 * 10**7) % 10, timeout=0.5)
    assert time.monotonic() - started < 3


@needs_fork
def test_run_bounded_stops_a_worker_that_outgrows_its_memory() -> None:
    started = time.monotonic()
    with pytest.raises(BudgetExceeded, match=r"out of memory: .*more than 150 MB"):
        run_bounded(lambda: len(b"x" * (2000 << 20)), timeout=30, max_memory=150)
    assert time.monotonic() - started < 10


@needs_fork
def test_the_memory_bound_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADCLI_MAX_MEMORY", "150")
    with pytest.raises(BudgetExceeded, match="150 MB"):
        run_bounded(lambda: len(b"x" * (2000 << 20)), timeout=30)


@needs_fork
def test_a_worker_that_dies_is_a_math_error_not_a_crash() -> None:
    with pytest.raises(MathError, match="killed"):
        run_bounded(lambda: os._exit(9), timeout=10)


@needs_fork
def test_deep_recursion_in_the_worker_is_out_of_budget() -> None:
    def deep(n: int) -> int:
        return deep(n + 1) + 1

    with pytest.raises(BudgetExceeded, match="too deeply nested"):
        run_bounded(lambda: deep(0), timeout=10)


@needs_fork
def test_an_unexpected_exception_comes_back_with_its_traceback() -> None:
    with pytest.raises(InternalError) as caught:
        run_bounded(lambda: 1 // 0, timeout=10)
    assert "ZeroDivisionError" in str(caught.value)
    assert "Traceback" in caught.value.traceback_text


@needs_fork
def test_one_bad_item_does_not_take_the_batch_down() -> None:
    def job(n: int) -> int:
        if n == 2:
            _spin(30)
        if n == 4:
            raise ParseError("bad line")
        if n == 5:
            os._exit(1)
        return n * n

    outcomes = list(map_bounded(job, range(8), timeout=0.5))
    assert [o.value for o in outcomes] == [0, 1, None, 9, None, None, 36, 49]
    assert isinstance(outcomes[2].error, BudgetExceeded)
    assert isinstance(outcomes[4].error, ParseError)
    assert isinstance(outcomes[5].error, MathError)
    assert outcomes[2].error.exit_code == ExitCode.MATH


@needs_fork
def test_workers_are_recycled_to_keep_memory_flat() -> None:
    pids = [
        o.value for o in map_bounded(lambda _: os.getpid(), range(10), timeout=10, recycle_after=3)
    ]
    assert len(set(pids)) == 4
    assert os.getpid() not in pids


@needs_fork
def test_items_are_read_as_they_are_needed() -> None:
    read: list[int] = []

    def items() -> Iterator[int]:
        for n in range(5):
            read.append(n)
            yield n

    outcomes = map_bounded(lambda n: n, items(), timeout=10)
    assert next(outcomes).value == 0
    assert read == [0]
    assert [o.value for o in outcomes] == [1, 2, 3, 4]


# --------------------------------------------------------------------------
# GRADCLI_IN_PROCESS: the same work in this process, for debugging


@pytest.fixture
def here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADCLI_IN_PROCESS", "1")


@pytest.mark.parametrize(
    ("value", "expected"), [("1", True), ("yes", True), ("0", False), ("", False)]
)
def test_the_switch_reads_the_environment(
    value: str, expected: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gradcli.budget import in_process

    monkeypatch.setenv("GRADCLI_IN_PROCESS", value)
    assert in_process() is expected


@pytest.mark.usefixtures("here")
def test_in_process_work_runs_in_this_process() -> None:
    assert run_bounded(os.getpid, timeout=10) == os.getpid()
    assert [o.value for o in map_bounded(lambda _: os.getpid(), range(3), timeout=10)] == [
        os.getpid()
    ] * 3


@pytest.mark.usefixtures("here")
def test_in_process_the_time_budget_still_holds_for_python_work() -> None:
    started = time.monotonic()
    outcomes = list(map_bounded(lambda n: _spin(30) if n == 1 else n, range(3), timeout=0.3))
    assert [o.value for o in outcomes] == [0, None, 2]
    assert isinstance(outcomes[1].error, BudgetExceeded)
    assert time.monotonic() - started < 3


@pytest.mark.usefixtures("here")
def test_in_process_errors_become_outcomes_as_in_a_child() -> None:
    def deep(n: int) -> int:
        return deep(n + 1) + 1

    def job(n: int) -> int:
        if n == 1:
            raise ParseError("bad line")
        if n == 2:
            return deep(0)
        return n

    outcomes = list(map_bounded(job, range(4), timeout=10))
    assert [o.value for o in outcomes] == [0, None, None, 3]
    assert isinstance(outcomes[1].error, ParseError)
    assert isinstance(outcomes[2].error, BudgetExceeded)
    assert "too deeply nested" in outcomes[2].error.message


@pytest.mark.usefixtures("here")
def test_in_process_a_bug_raises_itself_with_its_traceback() -> None:
    def broken_job() -> int:
        return 1 // 0

    with pytest.raises(ZeroDivisionError) as caught:
        run_bounded(broken_job, timeout=10)
    assert caught.traceback[-1].name == "broken_job"


@pytest.mark.usefixtures("here")
def test_in_process_the_caller_s_time_is_not_the_call_s() -> None:
    """A value is handed over outside the time limit: slow consumers are not cut short."""
    for outcome in map_bounded(lambda n: n, range(2), timeout=0.2):
        _spin(0.4)
        assert outcome.error is None


def test_outcome_unwraps_a_value_or_raises_its_error() -> None:
    assert Outcome(value=3).unwrap() == 3
    with pytest.raises(ParseError):
        Outcome(error=ParseError("no")).unwrap()


# --------------------------------------------------------------------------
# Limits: every bound has an environment variable


def test_the_defaults() -> None:
    limits = Limits()
    assert (limits.max_length, limits.max_depth, limits.timeout) == (10_000, 100, 10.0)
    assert limits.max_memory == 2_000
    assert limits.simplify_timeout < limits.timeout


@pytest.mark.parametrize("name", [f.name for f in fields(Limits)])
def test_every_bound_has_an_environment_variable(name: str) -> None:
    value = "7" if isinstance(getattr(Limits(), name), int) else "7.5"
    limits = Limits.from_env({"GRADCLI_" + name.upper(): value})
    assert getattr(limits, name) == (7 if value == "7" else 7.5)


@pytest.mark.parametrize(
    ("variable", "raw", "message"),
    [
        ("GRADCLI_MAX_LENGTH", "lots", "is not a whole number"),
        ("GRADCLI_MAX_LENGTH", "1e5", "is not a whole number"),
        ("GRADCLI_MAX_LENGTH", "0", "must be a positive number"),
        ("GRADCLI_MAX_DEPTH", "-5", "must be a positive number"),
        ("GRADCLI_TIMEOUT", "inf", "must be a positive number"),
        ("GRADCLI_TIMEOUT", "nan", "must be a positive number"),
        ("GRADCLI_TIMEOUT", "soon", "is not a number"),
    ],
)
def test_bad_environment_values_are_input_errors(variable: str, raw: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        Limits.from_env({variable: raw})
    assert variable in caught.value.message


def test_an_empty_environment_variable_means_the_default() -> None:
    assert Limits.from_env({"GRADCLI_MAX_LENGTH": ""}) == Limits()


def test_options_override_and_must_be_positive_and_finite() -> None:
    limits = Limits().with_options(max_length=50_000, timeout=None)
    assert (limits.max_length, limits.timeout) == (50_000, 10.0)
    for bad in (0, -1, float("inf"), float("nan")):
        with pytest.raises(InputError, match="--timeout must be positive"):
            Limits().with_options(timeout=bad)


def test_an_alarm_that_is_swallowed_fires_again() -> None:
    # a garbage-collector callback or __del__ drops the exception the alarm
    # raises in it; the limit must hold all the same
    import signal
    import time

    swallowed: list[BaseException] = []
    with pytest.raises(BudgetExceeded), time_limit(0.1):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                sum(range(1000))
            except BaseException as error:  # as an unraisable context does
                if swallowed:
                    raise
                swallowed.append(error)
    assert len(swallowed) == 1
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
