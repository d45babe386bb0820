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
from typing import TypeVar

from gradcli.errors import ExitCode, GradcliError, describe, describe_bug

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


def run_lines(
    job: Callable[[Line], Output | str],
    lines: Iterable[Line],
    *,
    timeout: float,
    on_error: Callable[[Line, GradcliError], str] | None = None,
) -> int:
    """Run ``job`` on each line, each within ``timeout``; a bad line does not stop the rest.

    A failed line is reported with its number, and ``on_error`` may give the
    data that stands for it on stdout. The exit code is the most serious one.
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
        if outcome.error is None:
            worst = max(worst, write([outcome.value or ""]))
            continue
        report(f"line {line.number}: error: {describe(outcome.error)}")
        worst = max(worst, int(outcome.error.exit_code))
        if on_error is not None:
            emit(on_error(line, outcome.error))
    return worst


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
    if jobs > 1 and len(head) > 1:
        lanes = _parallel(fn, everything, timeout, failed, jobs)
    else:
        lanes = _lane(fn, everything, timeout, failed)
    for results in lanes:
        yield from results


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
        if outcome.error is None and outcome.value is not None:
            yield outcome.value
            continue
        singles = map_bounded(fn, chunk, timeout=timeout + 1)
        yield [
            single.value if single.error is None else failed(item, single.error)  # type: ignore[misc]
            for item, single in zip(chunk, singles)
        ]


def _parallel(
    fn: Callable[[T], R],
    chunks: Iterator[list[T]],
    timeout: float,
    failed: Callable[[T, GradcliError], R],
    jobs: int,
) -> Iterator[list[R]]:
    """Chunks done by ``jobs`` lanes at once (a thread and a worker each), in order."""
    import queue
    import threading

    inboxes: list[queue.Queue[list[T] | None]] = [queue.Queue() for _ in range(jobs)]
    outboxes: list[queue.Queue[tuple[bool, object]]] = [queue.Queue() for _ in range(jobs)]

    def serve(k: int) -> None:
        def mine() -> Iterator[list[T]]:
            while (chunk := inboxes[k].get()) is not None:
                yield chunk

        try:
            for results in _lane(fn, mine(), timeout, failed):
                outboxes[k].put((True, results))
        except BaseException as error:  # noqa: BLE001 - handed over to the main thread
            outboxes[k].put((False, error))

    def take(k: int) -> list[R]:
        ok, value = outboxes[k].get()
        if not ok:
            raise value  # type: ignore[misc]
        return value  # type: ignore[return-value]

    threads = [
        threading.Thread(target=serve, args=(k,), name=f"gradcli-lane-{k}", daemon=True)
        for k in range(jobs)
    ]
    for thread in threads:
        thread.start()
    in_flight: list[int] = []
    try:
        for index, chunk in enumerate(chunks):
            lane = index % jobs
            inboxes[lane].put(chunk)
            in_flight.append(lane)
            if len(in_flight) >= 2 * jobs:
                yield take(in_flight.pop(0))
        while in_flight:
            yield take(in_flight.pop(0))
    finally:
        for inbox in inboxes:
            inbox.put(None)
        for thread in threads:
            thread.join(timeout=timeout * 2 + 10)


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
        report(f"error: {describe(error, lines=True)}")
        return int(error.exit_code)
    if isinstance(error, KeyboardInterrupt):
        report("interrupted")
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
