"""The one runner: commands hand it jobs, and only it writes output and decides exit codes.

A command turns its options into a *job*: a function that asks the core for
a result and formats it, returning an :class:`Output` (text for stdout,
messages for stderr, an exit code) or just the text. The runner runs jobs
within the time and memory budget (in a child process, see
:mod:`gradcli.budget`; ``GRADCLI_IN_PROCESS=1`` keeps them here for
debugging), one job or one per input line, writes data to stdout and each
message to stderr as one line, and returns the exit code. :func:`failure` is
the crash handler at the top: every error becomes one worded line and one
code there.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from gradcli.errors import ExitCode, GradcliError, describe, describe_bug
from gradcli.i18n import _

if TYPE_CHECKING:
    from gradcli.budget import Outcome

T = TypeVar("T")
R = TypeVar("R")

#: items sent to a worker per message in :func:`map_chunked`; a chunk that
#: overruns is done again item by item, so one hostile item costs only itself
CHUNK = 100


@dataclass(frozen=True)
class Output:
    """What a job gives the terminal: data, messages (one line each) and an exit code.

    >>> Output("5, 7\\n").exit_code
    <ExitCode.OK: 0>
    """

    text: str = ""
    messages: tuple[str, ...] = ()
    exit_code: int = ExitCode.OK


@dataclass(frozen=True)
class Line:
    """One input line of a batch, with its line number."""

    number: int
    text: str


# --------------------------------------------------------------------------
# Running jobs


def run(job: Callable[[], Output | str], *, timeout: float) -> int:
    """Run one job within ``timeout`` seconds, write its output, return its exit code."""
    from gradcli.budget import run_bounded

    return write([run_bounded(job, timeout=timeout)])


def compute(fn: Callable[[], R], *, timeout: float) -> R:
    """Run ``fn`` within ``timeout`` seconds and hand back its value, writing nothing.

    For work a command goes on from, such as the compiled gradient that
    ``grad --at -`` then evaluates at each streamed point.
    """
    from gradcli.budget import run_bounded

    return run_bounded(fn, timeout=timeout)


class Bug(GradcliError):
    """A bug in gradcli met by one item of a batch: that item's error, exit code 70.

    Lets a batch give the item its record and go on; the message is
    :func:`gradcli.errors.describe_bug`'s.
    """

    exit_code = ExitCode.BUG


def compute_each(fn: Callable[[T], R], items: Iterable[T], *, timeout: float) -> Iterator[R]:
    """``fn`` on each item, in order, each call within ``timeout``, in one long-lived worker.

    For a stream whose calls share state the worker keeps (``grad --at -``
    compiles its gradient once, on its first call). Nothing is written; the
    first error ends the stream, raised here.
    """
    from gradcli.budget import map_bounded

    for outcome in map_bounded(fn, items, timeout=timeout, recycle_after=1 << 30):
        yield outcome.unwrap()


def run_lines(
    job: Callable[[Line], Output | str],
    lines: Iterable[Line],
    *,
    timeout: float,
    on_error: Callable[[Line, GradcliError], str] | None = None,
) -> int:
    """Run ``job`` on each line, each within ``timeout``; a bad line does not stop the rest.

    A failed line is reported with its number, and ``on_error`` may give the
    data that stands for it on stdout. A bug met by one line is that line's
    failure (a :class:`Bug`, exit code 70 at the end), not the end of the
    batch. The exit code is the most serious one.
    """
    from gradcli.budget import map_bounded

    worst = int(ExitCode.OK)
    seen: list[Line] = []

    def remember() -> Iterator[Line]:
        for line in lines:
            seen.append(line)
            yield line

    for outcome in map_bounded(job, remember(), timeout=timeout):
        line = seen.pop(0)
        error = _error_of(outcome)
        if error is None:
            worst = max(worst, write([outcome.value or ""]))
            continue
        if isinstance(error, Bug):
            report(_("line {number}: {message}").format(number=line.number, message=error.message))
        else:
            report(
                _("line {number}: error: {message}").format(
                    number=line.number, message=describe(error)
                )
            )
        worst = max(worst, int(error.exit_code))
        if on_error is not None:
            emit(on_error(line, error))
    return worst


def _error_of(outcome: Outcome[Any]) -> GradcliError | None:
    """The outcome's error, a bug as a :class:`Bug`; ``None`` if it has a value."""
    if outcome.crash is not None:
        return Bug(describe_bug(outcome.crash.summary))
    return outcome.error


def write(outputs: Iterable[Output | str]) -> int:
    """Write each output (its data, then its messages) as it comes; the worst exit code."""
    worst = int(ExitCode.OK)
    for output in outputs:
        if isinstance(output, str):
            output = Output(output)
        emit(output.text)
        for message in output.messages:
            report(message)
        worst = max(worst, int(output.exit_code))
    return worst


def map_chunked(
    fn: Callable[[T], R],
    items: Iterable[T],
    *,
    timeout: float,
    failed: Callable[[T, GradcliError], R],
    jobs: int = 1,
    chunk: int = CHUNK,
    started: Callable[[], None] | None = None,
) -> Iterator[R]:
    """``fn`` on each item, in order, in killable worker processes, chunk by chunk.

    ``fn`` should bound each item to ``timeout`` itself; a chunk has twice
    that plus a second. A chunk that overruns, or whose worker dies (a stray
    item stuck in C code), is done again item by item, each within
    ``timeout`` + 1 s, and ``failed(item, error)`` stands for an item that
    fails even alone. With ``jobs`` > 1 and more than one chunk, that many
    workers take alternate chunks at once; results still come out in input
    order. ``started()`` runs once the first chunks are read, before any result.

    >>> list(map_chunked(lambda n: n * n, range(5), timeout=10, failed=None, chunk=2))
    [0, 1, 4, 9, 16]
    """
    from gradcli.budget import in_process

    chunks = _chunks(iter(items), chunk)
    head = list(itertools.islice(chunks, 2))
    if started is not None:
        started()
    everything = itertools.chain(head, chunks)
    if in_process():
        jobs = 1  # one lane: a breakpoint in fn stops the only thread there is
    jobs = max(1, min(jobs, max_jobs()))
    if jobs > 1 and len(head) > 1:
        lanes = _parallel(fn, everything, timeout, failed, jobs)
    else:
        lanes = _lane(fn, everything, timeout, failed)
    for results in lanes:
        yield from results


def max_jobs() -> int:
    """The most workers a batch runs at once: twice the CPUs, and never more than 8.

    More workers than that only compete for the same CPUs: each call's
    budget is wall-clock time, so an overloaded machine would turn answers
    into "out of time" that ``--jobs 1`` grades.
    """
    return max(1, min(MAX_JOBS, 2 * (os.cpu_count() or 1)))


#: the cap of :func:`max_jobs`
MAX_JOBS = 8


def _lane(
    fn: Callable[[T], R],
    chunks: Iterator[list[T]],
    timeout: float,
    failed: Callable[[T, GradcliError], R],
) -> Iterator[list[R]]:
    """Chunks done by one worker; a chunk that fails is done again item by item."""
    from gradcli.budget import map_bounded

    pending: list[list[T]] = []

    def remember() -> Iterator[list[T]]:
        for chunk in chunks:
            pending.append(chunk)
            yield chunk

    for outcome in map_bounded(
        lambda chunk: [fn(item) for item in chunk], remember(), timeout=timeout * 2 + 1.0
    ):
        chunk = pending.pop(0)
        if _succeeded(outcome):
            yield outcome.value  # type: ignore[misc]
            continue
        singles = map_bounded(fn, chunk, timeout=timeout + 1)
        yield [_value_or(failed, item, single) for item, single in zip(chunk, singles)]


def _succeeded(outcome: Outcome[Any]) -> bool:
    return outcome.error is None and outcome.crash is None and outcome.value is not None


def _value_or(failed: Callable[[T, GradcliError], R], item: T, outcome: Outcome[R]) -> R:
    """The item's result, or what ``failed`` makes of its error (a bug included)."""
    error = _error_of(outcome)
    return outcome.value if error is None else failed(item, error)  # type: ignore[return-value]


def _parallel(
    fn: Callable[[T], R],
    chunks: Iterator[list[T]],
    timeout: float,
    failed: Callable[[T, GradcliError], R],
    jobs: int,
) -> Iterator[list[R]]:
    """Chunks done by ``jobs`` workers at once, yielded in input order.

    One thread drives every worker (:class:`gradcli.budget.Pool`): forking
    from a process with other threads running can hand a child a module
    half-imported by another thread, and so verdicts that ``--jobs 1`` never
    gives. A chunk that fails is done again item by item, by the same workers,
    before any new chunk starts.
    """
    from collections import deque

    from gradcli.budget import Pool

    def work(task: tuple[str, Any]) -> Any:
        kind, payload = task
        if kind == "chunk":
            return [fn(item) for item in payload]
        return fn(payload)

    waiting: dict[int, list[T]] = {}  # chunks sent, by index
    done: dict[int, list[R]] = {}  # results not yet yielded
    partial: dict[int, list[Any]] = {}  # chunks being redone item by item
    left: dict[int, int] = {}
    redo: deque[tuple[int, int]] = deque()
    sent = shown = 0
    exhausted = False
    with Pool(work, jobs) as pool:
        while True:
            while pool.idle:
                if redo:
                    index, position = redo.popleft()
                    item = waiting[index][position]
                    pool.submit(("one", index, position), ("one", item), timeout=timeout + 1)
                elif not exhausted and sent - shown < 2 * jobs:
                    try:
                        chunk = next(chunks)
                    except StopIteration:
                        exhausted = True
                        break
                    waiting[sent] = chunk
                    pool.submit(("chunk", sent), ("chunk", chunk), timeout=timeout * 2 + 1.0)
                    sent += 1
                else:
                    break
            while shown in done:
                waiting.pop(shown)
                yield done.pop(shown)
                shown += 1
            if not pool.busy:
                if exhausted and not redo:
                    return
                continue
            key, outcome = pool.next_done()
            if key[0] == "chunk":
                index = key[1]
                if _succeeded(outcome):
                    done[index] = outcome.value  # type: ignore[assignment]
                else:
                    size = len(waiting[index])
                    partial[index], left[index] = [None] * size, size
                    redo.extend((index, position) for position in range(size))
                continue
            _kind, index, position = key
            partial[index][position] = _value_or(failed, waiting[index][position], outcome)
            left[index] -= 1
            if not left[index]:
                del left[index]
                done[index] = partial.pop(index)


def _chunks(items: Iterator[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# --------------------------------------------------------------------------
# Writing, and the crash handler


class ReaderGone(Exception):
    """stdout was closed by its reader (``| head``): not an error.

    Deliberately not an OSError: click turns a broken pipe into exit 1 itself.
    """


def emit(text: str) -> None:
    """Write data to stdout."""
    if text:
        from gradcli.budget import deferred_signals

        # a SIGTERM waits until the record is out: what was written stays whole
        with deferred_signals():
            try:
                sys.stdout.write(text)
                sys.stdout.flush()
            except BrokenPipeError:
                raise ReaderGone from None


def report(message: str) -> None:
    """Write one message to stderr, as ``gradcli: message``."""
    sys.stderr.write(f"gradcli: {message}\n")
    sys.stderr.flush()


def failure(error: BaseException, *, debug: bool = False) -> int:
    """Report ``error`` for people and return the exit code it means.

    The user's errors are one line (a parse error adds the expression with a
    caret); a bug in gradcli is one line with a hint to rerun with
    ``--debug``, which adds the traceback. Anything but an exception (such as
    ``SystemExit``) is raised again.
    """
    from gradcli.budget import InternalError

    if isinstance(error, GradcliError):
        report(_("error: {message}").format(message=describe(error, lines=True)))
        return int(error.exit_code)
    if isinstance(error, KeyboardInterrupt):
        report(_("interrupted"))
        return int(ExitCode.INTERRUPTED)
    if isinstance(error, (BrokenPipeError, ReaderGone)):
        silence_stdout()
        return int(ExitCode.OK)
    if isinstance(error, InternalError):
        report(describe_bug(error.summary))
        if debug:
            sys.stderr.write(error.traceback_text)
            sys.stderr.flush()
        return int(ExitCode.BUG)
    if isinstance(error, Exception):
        report(describe_bug(f"{type(error).__name__}: {error}"))
        if debug:
            import traceback

            traceback.print_exception(type(error), error, error.__traceback__, file=sys.stderr)
            sys.stderr.flush()
        return int(ExitCode.BUG)
    raise error


def silence_stdout() -> None:
    """The reader went away (``| head``): send the rest nowhere, quietly."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def finish(code: int) -> None:
    """Flush stdout and exit with ``code``."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()
    sys.exit(code)
