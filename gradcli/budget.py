"""Time budgets that really hold.

Two tools, for two kinds of work:

* :func:`time_limit` interrupts Python-level work (simplification, solving)
  with a timer signal. It is cheap, but a signal cannot stop long C-level
  work such as arithmetic on a huge integer.
* :func:`run_bounded` and :func:`map_bounded` run work in a forked child
  process that is killed when its budget runs out; nothing can outlive that.
  The parent also watches the child's memory and kills it past its bound, so
  one input cannot exhaust the machine's memory either. The command line runs
  every computation this way.

For debugging, ``GRADCLI_IN_PROCESS=1`` runs that work in the calling process
instead (under :func:`time_limit`, without the memory bound): ``breakpoint()``
works in it, and an unexpected exception keeps its own traceback.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from gradcli.errors import BudgetExceeded, GradcliError, MathError

T = TypeVar("T")
R = TypeVar("R")


class _Timeout(BaseException):
    """Raised inside :func:`time_limit`; a BaseException so that sympy's
    ``except Exception`` clauses cannot swallow it."""


@contextmanager
def time_limit(seconds: float, what: str = "the computation") -> Iterator[None]:
    """Raise :class:`BudgetExceeded` if the block runs longer than ``seconds``.

    Works in the main thread of a process on POSIX; elsewhere it does nothing
    (the hard limit of :func:`run_bounded` still holds for the command line).
    Nested limits keep the tighter deadline.

    >>> with time_limit(1.0):
    ...     1 + 1
    2
    """
    if (
        seconds <= 0
        or not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return
    previous_handler = signal.getsignal(signal.SIGALRM)
    previous_delay, _ = signal.getitimer(signal.ITIMER_REAL)
    started = time.monotonic()
    token = object()

    def on_alarm(signum: int, frame: object) -> None:
        raise _Timeout(token)

    delay = seconds if previous_delay == 0 else min(seconds, previous_delay)
    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, delay)
    try:
        yield
    except _Timeout as exc:
        if exc.args and exc.args[0] is token and (previous_delay == 0 or seconds < previous_delay):
            raise BudgetExceeded(f"{what} ran out of its {seconds:g} s budget") from None
        raise
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_delay:
            remaining = previous_delay - (time.monotonic() - started)
            # the outer deadline may have passed while we ran: fire it at once
            signal.setitimer(signal.ITIMER_REAL, max(remaining, 1e-6))


def _can_fork() -> bool:
    return hasattr(os, "fork") and sys.platform != "emscripten"


def in_process() -> bool:
    """Whether bounded work runs here rather than in a child: set
    ``GRADCLI_IN_PROCESS`` to anything but ``0`` to debug."""
    return os.environ.get("GRADCLI_IN_PROCESS", "").strip() not in ("", "0")


@dataclass(frozen=True)
class Outcome(Generic[R]):
    """The result of one bounded call: a value or the error it raised."""

    value: R | None = None
    error: GradcliError | None = None

    def unwrap(self) -> R:
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]


class _Crash(MathError):
    """The worker died: killed for memory, or crashed in C code."""


def run_bounded(fn: Callable[[], R], *, timeout: float, max_memory: int | None = None) -> R:
    """Run ``fn()`` in a child process killed after ``timeout`` seconds.

    The result (or the :class:`GradcliError` it raised) travels back pickled.
    Other exceptions come back as their traceback text inside an
    ``InternalError`` so that the caller's crash handler can report them.
    Without ``fork`` (Windows), or with ``GRADCLI_IN_PROCESS=1``, ``fn`` runs
    in-process under :func:`time_limit` and other exceptions propagate as
    they are.
    ``max_memory`` is in megabytes, by default ``GRADCLI_MAX_MEMORY`` or 2000.

    >>> run_bounded(lambda: 6 * 7, timeout=10)
    42
    """
    outcomes = list(map_bounded(lambda _item: fn(), [None], timeout=timeout, max_memory=max_memory))
    return outcomes[0].unwrap()


class InternalError(Exception):
    """An unexpected exception in a child (a bug); carries the child's traceback.

    ``summary`` is "Type: message" of the child's exception.
    """

    def __init__(self, summary: str, traceback_text: str) -> None:
        super().__init__(summary)
        self.summary = summary
        self.traceback_text = traceback_text


def map_bounded(
    fn: Callable[[T], R],
    items: Iterable[T],
    *,
    timeout: float,
    recycle_after: int = 500,
    max_memory: int | None = None,
) -> Iterator[Outcome[R]]:
    """Apply ``fn`` to each item in a worker process, each call within ``timeout``.

    Yields one :class:`Outcome` per item, in order, as soon as it is ready. A
    call that overruns its budget of time, or of memory (``max_memory``
    megabytes of resident memory, by default ``GRADCLI_MAX_MEMORY`` or 2000),
    is killed with its worker and reported as :class:`BudgetExceeded`; a fresh
    worker goes on with the next item, so one bad input cannot take a batch
    down. Workers are replaced every ``recycle_after`` items to keep memory
    flat over long batches.

    >>> [o.value for o in map_bounded(lambda n: n * n, [1, 2, 3], timeout=10)]
    [1, 4, 9]
    """
    if in_process() or not _can_fork():
        yield from _map_here(fn, items, timeout=timeout)
        return
    memory_bytes = _memory_bound(max_memory)

    iterator = iter(items)
    pending: list[T] = []
    exhausted = False
    while True:
        # a worker serves a run of up to ``recycle_after`` items; items are
        # read lazily so that a stream of input is processed as it arrives
        if not pending and not exhausted:
            try:
                pending.append(next(iterator))
            except StopIteration:
                exhausted = True
        if not pending:
            return
        worker = _Worker(fn)
        try:
            served = 0
            while served < recycle_after:
                if not pending:
                    try:
                        pending.append(next(iterator))
                    except StopIteration:
                        exhausted = True
                        break
                item = pending.pop(0)
                outcome = worker.call(item, timeout, memory_bytes)
                served += 1
                yield outcome
                if not worker.alive:
                    break
        finally:
            worker.close()


def _map_here(fn: Callable[[T], R], items: Iterable[T], *, timeout: float) -> Iterator[Outcome[R]]:
    """:func:`map_bounded` in this process: each call under :func:`time_limit`.

    Errors that a child would turn into an outcome do so here too; any other
    exception propagates with its real traceback.
    """
    for item in items:
        try:
            with time_limit(timeout):
                value = fn(item)
        except GradcliError as error:
            yield Outcome(error=error)
            continue
        except RecursionError:
            yield Outcome(error=_too_deep())
            continue
        except MemoryError:
            yield Outcome(error=BudgetExceeded("out of memory"))
            continue
        # outside the time limit: the caller's own work is not this call's
        yield Outcome(value=value)


def _too_deep() -> BudgetExceeded:
    return BudgetExceeded("the expression is too deeply nested to compute")


_HEADER = struct.Struct("!Q")
#: how often the parent looks at its worker's memory, in seconds
_WATCH_INTERVAL = 0.05


def _memory_bound(max_memory: int | None) -> int:
    """The memory bound in bytes: the argument, else the environment's."""
    if max_memory is None:
        from gradcli.limits import Limits

        max_memory = Limits.from_env().max_memory
    return int(max_memory) * 1024 * 1024


def _resident_bytes(pid: int) -> int | None:
    """The resident memory of a process, where /proc tells it (Linux)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            fields = handle.read().split()
        return int(fields[1]) * _PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return None


_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class _OutOfMemory(Exception):
    """The worker grew past its memory bound."""


class _Worker(Generic[T, R]):
    """A forked child that takes items on a pipe and answers on another."""

    def __init__(self, fn: Callable[[T], R]) -> None:
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            os.close(to_child_w)
            os.close(from_child_r)
            _serve(fn, to_child_r, from_child_w)
        os.close(to_child_r)
        os.close(from_child_w)
        self.pid = pid
        self.alive = True
        self._send = to_child_w
        self._receive = from_child_r

    def call(self, item: T, timeout: float, memory_bytes: int | None = None) -> Outcome[R]:
        try:
            _write_message(self._send, item)
        except (BrokenPipeError, pickle.PicklingError):
            self.close()
            return Outcome(error=_Crash("the worker process stopped unexpectedly"))
        deadline = time.monotonic() + timeout

        def watch() -> None:
            if memory_bytes is None:
                return
            used = _resident_bytes(self.pid)
            if used is not None and used > memory_bytes:
                raise _OutOfMemory

        try:
            message = _read_message(self._receive, deadline, watch)
        except _OutOfMemory:
            self.close()
            megabytes = (memory_bytes or 0) // (1024 * 1024)
            return Outcome(
                error=BudgetExceeded(
                    f"out of memory: the computation needed more than {megabytes:,} MB "
                    "(raise it with GRADCLI_MAX_MEMORY)"
                )
            )
        except TimeoutError:
            self.close()
            return Outcome(
                error=BudgetExceeded(
                    f"out of time: the {timeout:g} s budget ran out (raise it with --timeout)"
                )
            )
        except EOFError:
            self.close()
            return Outcome(error=_Crash("the computation was killed (out of memory?)"))
        kind, payload = message
        if kind == "ok":
            return Outcome(value=payload)
        if kind == "error":
            return Outcome(error=payload)
        self.close()
        raise InternalError(payload[0], payload[1])

    def close(self) -> None:
        if not self.alive:
            return
        self.alive = False
        for fd in (self._send, self._receive):
            try:
                os.close(fd)
            except OSError:
                pass
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


def _serve(fn: Callable[[Any], Any], receive: int, send: int) -> None:  # pragma: no cover
    """The child's loop: answer items until the parent closes the pipe."""
    import traceback

    # the parent owns the terminal: a Ctrl-C is the parent's to handle
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    code = 0
    try:
        while True:
            try:
                item = _read_message(receive, None)
            except EOFError:
                break
            try:
                reply: tuple[str, Any] = ("ok", fn(item))
            except GradcliError as error:
                reply = ("error", error)
            except RecursionError:
                reply = ("error", _too_deep())
            except MemoryError:
                reply = ("error", BudgetExceeded("out of memory"))
            except Exception as error:  # noqa: BLE001 - reported by the parent
                reply = ("crash", (f"{type(error).__name__}: {error}", traceback.format_exc()))
            try:
                _write_message(send, reply)
            except (pickle.PicklingError, TypeError, AttributeError) as error:
                _write_message(
                    send, ("crash", (f"cannot send the result: {error}", traceback.format_exc()))
                )
    except BaseException:  # noqa: BLE001 - the child must always reach os._exit
        code = 1
    finally:
        os._exit(code)


def _write_message(fd: int, obj: object) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_message(fd: int, deadline: float | None, watch: Callable[[], None] | None = None) -> Any:
    header = _read_exactly(fd, _HEADER.size, deadline, watch)
    (length,) = _HEADER.unpack(header)
    return pickle.loads(_read_exactly(fd, length, deadline, watch))


def _read_exactly(
    fd: int, size: int, deadline: float | None, watch: Callable[[], None] | None = None
) -> bytes:
    """Read ``size`` bytes, raising TimeoutError past ``deadline``.

    While waiting, ``watch()`` runs every few hundredths of a second; it may
    raise to abandon the read (the memory watchdog does).
    """
    chunks = []
    remaining = size
    while remaining:
        if deadline is not None or watch is not None:
            while True:
                wait = _WATCH_INTERVAL if watch is not None else 3600.0
                if deadline is not None:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise TimeoutError
                    wait = min(wait, left)
                ready, _, _ = select.select([fd], [], [], wait)
                if ready:
                    break
                if watch is not None:
                    watch()
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
