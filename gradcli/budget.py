"""Time budgets that really hold.

Two tools, for two kinds of work:

* :func:`time_limit` interrupts Python-level work (simplification, solving)
  with a timer signal. It is cheap, but a signal cannot stop long C-level
  work such as arithmetic on a huge integer.
* :func:`run_bounded` and :func:`map_bounded` run work in a forked child
  process that is killed when its budget runs out; nothing can outlive that.
  The parent also watches the child's memory and kills it past its bound, so
  one input cannot exhaust the machine's memory either. The command line runs
  every computation this way. :class:`Pool` runs several such workers at
  once from one thread (no thread is ever started in the parent: forking
  beside another thread can hand a child a half-imported module).

Workers never outlive the parent: on Linux each gets the parent-death signal
(SIGKILL), and anywhere a worker exits when the parent's end of its pipe
closes; while workers live, SIGTERM and SIGHUP make the parent kill them and
exit with 128 + the signal (:func:`guarded`). Where there is no ``fork``
(Windows) the bounds cannot hold, and :func:`require_bounds` refuses to run
unless ``GRADCLI_IN_PROCESS=1`` asks for unbounded in-process work.

For debugging, ``GRADCLI_IN_PROCESS=1`` runs that work in the calling process
instead (under :func:`time_limit`, without the memory bound): ``breakpoint()``
works in it, and an unexpected exception keeps its own traceback.
"""

from __future__ import annotations

import math
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
from typing import Any, Generic, NoReturn, TypeVar

from gradcli import i18n
from gradcli.errors import BudgetExceeded, GradcliError, MathError
from gradcli.i18n import N_, _

T = TypeVar("T")
R = TypeVar("R")


class _Timeout(BaseException):
    """Raised inside :func:`time_limit`; a BaseException so that sympy's
    ``except Exception`` clauses cannot swallow it."""


#: seconds after a time-out alarm before it fires again, if the first was lost
_ALARM_RETRY = 0.05
#: what a time limit names when the caller does not say
_COMPUTATION = N_("the computation")


@contextmanager
def time_limit(seconds: float, what: str = _COMPUTATION) -> Iterator[None]:
    """Raise :class:`BudgetExceeded` if the block runs longer than ``seconds``.

    ``what`` names the work in the message: a noun phrase marked with ``N_``,
    said in the active language.

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
    previous_delay, _interval = signal.getitimer(signal.ITIMER_REAL)
    if previous_delay and previous_delay <= seconds:
        # an enclosing limit ends first: its timer and handler stay armed, and
        # its BudgetExceeded is the one that comes out of this block
        yield
        return
    previous_handler = signal.getsignal(signal.SIGALRM)
    started = time.monotonic()
    token = object()

    def on_alarm(signum: int, frame: object) -> None:
        # Python may run this handler inside a garbage-collector callback or
        # a __del__, where an exception is unraisable and silently dropped:
        # fire again shortly, so the limit holds anyway (the finally below
        # disarms the timer once the exception has arrived)
        signal.setitimer(signal.ITIMER_REAL, _ALARM_RETRY)
        raise _Timeout(token)

    signal.signal(signal.SIGALRM, on_alarm)
    try:
        # armed inside the try: a limit so short that it fires at once must
        # still be disarmed, and its handler removed, by the finally below
        signal.setitimer(signal.ITIMER_REAL, seconds)
        yield
    except _Timeout as exc:
        if exc.args and exc.args[0] is token:
            raise BudgetExceeded(
                _("{what} ran out of its {seconds:g} s budget").format(
                    what=i18n._(what), seconds=seconds
                )
            ) from None
        raise
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_delay:
            remaining = previous_delay - (time.monotonic() - started)
            # the outer deadline may have passed while we ran: fire it at once
            signal.setitimer(signal.ITIMER_REAL, max(remaining, 1e-6))


class Allowance:
    """Seconds of optional work that one result shares among all its steps.

    Simplifying each partial derivative, rationalising a unit direction:
    each makes an answer nicer, none is needed for it. A per-step limit would
    let n steps take n times as long; one allowance bounds them together.
    When it is spent, :meth:`spend` raises :class:`BudgetExceeded` at once
    and the caller keeps the exact unsimplified form; :attr:`cut` names each
    step that was cut, to say so.

    >>> share = Allowance(1.0)
    >>> with share.spend("tidying"):
    ...     pass
    >>> share.cut
    []
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.spent = 0.0
        #: what was cut short, or refused because nothing was left, in order
        self.cut: list[str] = []

    def _cut(self, what: str) -> None:
        if what not in self.cut:
            self.cut.append(what)

    @property
    def left(self) -> float:
        return max(self.seconds - self.spent, 0.0)

    @contextmanager
    def spend(self, what: str, *, most: float | None = None) -> Iterator[None]:
        """Run the block on what is left (at most ``most`` seconds of it); a
        step cut short, or refused, is added to :attr:`cut`."""
        seconds = self.left if most is None else min(self.left, most)
        if seconds <= 0:
            self._cut(what)
            raise BudgetExceeded(
                _("{what}: its share of the time budget is spent").format(what=i18n._(what))
            )
        started = time.monotonic()
        try:
            with time_limit(seconds, what):
                yield
        except BudgetExceeded:
            self._cut(what)
            raise
        finally:
            self.spent += time.monotonic() - started


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
    #: a bug in the call (an unexpected exception in the worker), with its
    #: traceback: one item's bug, which need not end a batch
    crash: InternalError | None = None

    def unwrap(self) -> R:
        if self.error is not None:
            raise self.error
        if self.crash is not None:
            raise self.crash
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
    down. An unexpected exception in one call is that item's ``crash``. Workers
    are replaced every ``recycle_after`` items to keep memory flat over long
    batches.

    >>> [o.value for o in map_bounded(lambda n: n * n, [1, 2, 3], timeout=10)]
    [1, 4, 9]
    """
    if in_process():
        yield from _map_here(fn, items, timeout=timeout)
        return
    require_bounds()
    memory_bytes = _memory_bound(max_memory)

    iterator = iter(items)
    pending: list[T] = []
    exhausted = False
    with guarded():
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


class Pool(Generic[T, R]):
    """Up to ``size`` workers computing ``fn`` at once, all driven from this thread.

    No thread is started: every worker is forked from the one thread that
    drives the pool, so a child never inherits a half-done import or a lock
    held by another thread. :meth:`submit` hands an item to an idle worker;
    :meth:`next_done` waits for any worker's answer, enforcing each call's own
    deadline and the memory bound as :func:`map_bounded` does.

    >>> with Pool(lambda n: n * n, 2) as pool:
    ...     pool.submit("a", 3, timeout=10)
    ...     pool.next_done()
    ('a', Outcome(value=9, error=None, crash=None))
    """

    def __init__(
        self,
        fn: Callable[[T], R],
        size: int,
        *,
        recycle_after: int = 500,
        max_memory: int | None = None,
    ) -> None:
        require_bounds()
        self._fn = fn
        self.size = max(1, size)
        self._recycle_after = recycle_after
        self._memory_bytes = _memory_bound(max_memory)
        self._idle: list[_Worker[T, R]] = []
        self._busy: dict[_Worker[T, R], Any] = {}
        self._guard = guarded()

    def __enter__(self) -> Pool[T, R]:
        self._guard.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.close()
        finally:
            self._guard.__exit__(None, None, None)

    @property
    def idle(self) -> bool:
        """Whether a worker is free for :meth:`submit`."""
        return len(self._busy) < self.size

    @property
    def busy(self) -> int:
        return len(self._busy)

    def submit(self, key: Any, item: T, *, timeout: float) -> None:
        """Start ``fn(item)`` on an idle worker; its answer comes back under ``key``."""
        if not self.idle:
            raise RuntimeError("no idle worker")
        while self._idle and not self._idle[-1].alive:
            self._idle.pop()
        worker = self._idle.pop() if self._idle else _Worker(self._fn)
        self._busy[worker] = key
        worker.start(item, timeout)

    def next_done(self) -> tuple[Any, Outcome[R]]:
        """Wait for one answer: ``(key, outcome)``."""
        if not self._busy:
            raise RuntimeError("nothing submitted")
        for worker in self._busy:
            if worker.failed is not None:  # it could not even take the item
                return self._done(worker, worker.failed)
        while True:
            # answers already there first: one read late is still in time
            ready, _w, _x = select.select([w.receive for w in self._busy], [], [], 0)
            if ready:
                worker = next(w for w in self._busy if w.receive == ready[0])
                return self._done(worker, worker.finish(self._memory_bytes))
            now = time.monotonic()
            for worker in list(self._busy):
                if worker.deadline <= now:
                    return self._done(worker, worker.timed_out())
                if worker.over_memory(self._memory_bytes):
                    return self._done(worker, worker.out_of_memory(self._memory_bytes))
            wait = min(_WATCH_INTERVAL, max(0.0, min(w.deadline for w in self._busy) - now))
            ready, _w, _x = select.select([w.receive for w in self._busy], [], [], wait)
            if ready:
                worker = next(w for w in self._busy if w.receive == ready[0])
                return self._done(worker, worker.finish(self._memory_bytes))

    def _done(self, worker: _Worker[T, R], outcome: Outcome[R]) -> tuple[Any, Outcome[R]]:
        key = self._busy.pop(worker)
        if worker.alive and worker.served < self._recycle_after:
            self._idle.append(worker)
        else:
            worker.close()
        return key, outcome

    def close(self) -> None:
        """Kill every worker, busy or idle."""
        for worker in [*self._busy, *self._idle]:
            worker.close()
        self._busy.clear()
        self._idle.clear()


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
            yield Outcome(error=BudgetExceeded(_("out of memory")))
            continue
        # outside the time limit: the caller's own work is not this call's
        yield Outcome(value=value)


def _too_deep() -> BudgetExceeded:
    return BudgetExceeded(_("the expression is too deeply nested to compute"))


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


# --------------------------------------------------------------------------
# Where the bounds hold


class Unbounded(GradcliError):
    """This platform cannot bound a computation (no ``fork``)."""


def require_bounds() -> None:
    """Refuse to run unbounded work silently where ``fork`` is missing (Windows).

    The time and memory bounds need a forked worker the parent can kill. Where
    there is none, gradcli says so rather than running past ``--timeout``;
    ``GRADCLI_IN_PROCESS=1`` runs anyway, in-process and without the bounds
    (a timer still interrupts Python-level work where ``setitimer`` exists).
    """
    if not _can_fork():
        raise Unbounded(
            _(
                "the time and memory bounds need fork(), which {platform} lacks; "
                "set GRADCLI_IN_PROCESS=1 to run without them"
            ).format(platform=sys.platform)
        )


# --------------------------------------------------------------------------
# Signals: the parent's end is its workers' end


class Terminated(SystemExit):
    """The parent was asked to stop (SIGTERM, SIGHUP): it exits with 128 + the signal.

    Raised by the signal handler once the message is written; as it unwinds,
    the code that owns the workers kills them, so none outlives its parent. A
    SystemExit, so that no ``except Exception`` (nor click, which turns a
    KeyboardInterrupt into its own Abort) stops it.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)
        self.signum = signum
        self.name = signal.Signals(signum).name


def _terminate(signum: int) -> NoReturn:
    error = Terminated(signum)
    try:
        message = _("terminated by {signal}").format(signal=error.name)
        sys.stderr.write(f"gradcli: {message}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    raise error


_STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)
_deferring = 0
_pending: list[int] = []


def _on_stop(signum: int, frame: object) -> None:
    if _deferring:
        _pending.append(signum)
        return
    _terminate(signum)


@contextmanager
def guarded() -> Iterator[None]:
    """While workers live, SIGTERM and SIGHUP raise :class:`Terminated` here.

    The exception unwinds through the code that owns the workers, which kills
    them, so none outlives its parent. (A SIGKILL cannot be caught: on Linux
    the workers get the parent-death signal; elsewhere they notice that
    their pipe closed.) Only in the main thread, and only over the default
    handlers: a program that set its own keeps them.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}
    for signum in _STOP_SIGNALS:
        if signal.getsignal(signum) is signal.SIG_DFL:
            previous[signum] = signal.signal(signum, _on_stop)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def deferred_signals() -> Iterator[None]:
    """Hold SIGTERM and SIGHUP until the block ends (a record is written whole)."""
    global _deferring
    _deferring += 1
    try:
        yield
    finally:
        _deferring -= 1
        if not _deferring and _pending:
            signum = _pending[0]
            _pending.clear()
            _terminate(signum)


#: the parent's ends of every live worker's pipes: a newly forked worker
#: closes them, so that only the parent holds a worker's pipe open
_PARENT_FDS: set[int] = set()


def _die_with_parent(parent: int) -> None:  # pragma: no cover - runs in the child
    """In a fresh worker: die when the parent does, however it goes."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            pr_set_pdeathsig = 1
            libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)


def _watch_pipe(receive: int) -> None:  # pragma: no cover - runs in the child
    """Exit as soon as the parent's end of the pipe closes, even mid-computation.

    The parent writes only while the worker waits for an item, so a hang-up
    seen while computing means the parent is gone. Complements the Linux
    parent-death signal on other systems (a thread cannot interrupt C code
    that holds the GIL; the signal can).
    """
    poller = select.poll()
    poller.register(receive, 0)  # hang-ups and errors are always reported
    while True:
        for _fd, event in poller.poll():
            if event & (select.POLLHUP | select.POLLERR | select.POLLNVAL):
                os._exit(1)


class _Worker(Generic[T, R]):
    """A forked child that takes items on a pipe and answers on another."""

    def __init__(self, fn: Callable[[T], R]) -> None:
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            try:
                _die_with_parent(parent)
                for fd in (to_child_w, from_child_r, *_PARENT_FDS):
                    try:
                        os.close(fd)
                    except OSError:
                        pass
                _PARENT_FDS.clear()
                for signum in _STOP_SIGNALS:
                    signal.signal(signum, signal.SIG_DFL)
                if hasattr(select, "poll"):
                    threading.Thread(target=_watch_pipe, args=(to_child_r,), daemon=True).start()
            except BaseException:  # noqa: BLE001 - the child must never return
                os._exit(1)
            _serve(fn, to_child_r, from_child_w)
        os.close(to_child_r)
        os.close(from_child_w)
        self.pid = pid
        self.alive = True
        self.served = 0
        self.deadline = math.inf
        self.timeout = 0.0
        self.failed: Outcome[R] | None = None
        self._send = to_child_w
        self.receive = from_child_r
        _PARENT_FDS.update((to_child_w, from_child_r))

    def call(self, item: T, timeout: float, memory_bytes: int | None = None) -> Outcome[R]:
        """``fn(item)`` within ``timeout`` seconds and ``memory_bytes``."""
        self.start(item, timeout)
        if self.failed is not None:
            return self.failed
        return self.finish(memory_bytes)

    def start(self, item: T, timeout: float) -> None:
        """Send ``item``; the answer is read by :meth:`finish`."""
        self.served += 1
        self.timeout = timeout
        self.failed = None
        try:
            _write_message(self._send, item)
        except (BrokenPipeError, pickle.PicklingError):
            self.close()
            self.failed = Outcome(error=_Crash(_("the worker process stopped unexpectedly")))
        self.deadline = time.monotonic() + timeout

    def finish(self, memory_bytes: int | None = None) -> Outcome[R]:
        """Wait for the answer to the item sent, within its deadline."""

        def watch() -> None:
            if self.over_memory(memory_bytes):
                raise _OutOfMemory

        try:
            message = _read_message(self.receive, self.deadline, watch)
        except _OutOfMemory:
            return self.out_of_memory(memory_bytes)
        except TimeoutError:
            return self.timed_out()
        except EOFError:
            self.close()
            return Outcome(error=_Crash(_("the computation was killed (out of memory?)")))
        kind, payload = message
        if kind == "ok":
            return Outcome(value=payload)
        if kind == "error":
            return Outcome(error=payload)
        return Outcome(crash=InternalError(payload[0], payload[1]))

    def over_memory(self, memory_bytes: int | None) -> bool:
        if memory_bytes is None:
            return False
        used = _resident_bytes(self.pid)
        return used is not None and used > memory_bytes

    def out_of_memory(self, memory_bytes: int | None) -> Outcome[R]:
        self.close()
        megabytes = (memory_bytes or 0) // (1024 * 1024)
        return Outcome(
            error=BudgetExceeded(
                _(
                    "out of memory: the computation needed more than {megabytes:,} MB "
                    "(raise it with GRADCLI_MAX_MEMORY)"
                ).format(megabytes=megabytes)
            )
        )

    def timed_out(self) -> Outcome[R]:
        self.close()
        return Outcome(
            error=BudgetExceeded(
                _("out of time: the {seconds:g} s budget ran out (raise it with --timeout)").format(
                    seconds=self.timeout
                )
            )
        )

    def close(self) -> None:
        if not self.alive:
            return
        self.alive = False
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        for fd in (self._send, self.receive):
            _PARENT_FDS.discard(fd)
            try:
                os.close(fd)
            except OSError:
                pass
        while True:
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                break
            except InterruptedError:
                continue
            break


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
                reply = ("error", BudgetExceeded(_("out of memory")))
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
                    wait = max(0.0, min(wait, deadline - time.monotonic()))
                ready, _w, _x = select.select([fd], [], [], wait)
                if ready:  # an answer already there counts, even if read late
                    break
                if deadline is not None and time.monotonic() >= deadline:
                    raise TimeoutError
                if watch is not None:
                    watch()
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
