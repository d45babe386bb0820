"""Untrusted input, proved through the real command: no code runs, time holds.

Every entry of ``tests/data/hostile.jsonl`` (code-execution attempts through
each Python feature, sympy's string re-entry paths, CPU and memory bombs, deep
nesting, long inputs, control and lookalike characters, LaTeX, points, and
valid-but-tricky inputs that must be accepted) runs through the installed
``gradcli`` console script in a subprocess, in an empty directory of its own.
Each run must give the expected exit code, a one-line ``gradcli: error:`` on
stderr (caret and hint lines may follow, indented), no traceback, no file in
its directory (every code-execution payload would create ``pwned`` there),
and end well within its time budget. Accepted inputs must print an
expression that reads back to the same expression.

One entry of each category runs through the console script in a process of
its own; the others run the same entry point, ``gradcli.cli.main``, in a
child forked from this process (its own directory, environment and standard
streams, exit code and output read back the same way), which spares each the
interpreter's start-up and sympy's import: the corpus takes seconds, not
minutes, on two cores.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
import sympy

from gradcli.errors import GradcliError
from gradcli.limits import Limits
from gradcli.parse import parse_expression

DATA = Path(__file__).parent / "data" / "hostile.jsonl"
TIMEOUT = 5.0
#: a bound, not a benchmark: the budget plus start-up on a busy machine
WALL_CLOCK = TIMEOUT + 10.0


def _gradcli() -> str:
    found = shutil.which("gradcli", path=str(Path(sys.executable).parent))
    found = found or shutil.which("gradcli")
    if found is None:  # pragma: no cover - the dev install provides it
        pytest.skip("the gradcli console script is not installed")
    return found


def _load() -> list[dict[str, Any]]:
    entries = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if line.strip():
            entry = json.loads(line)
            if "repeat" in entry:
                entry["expr"] = "".join(piece * count for piece, count in entry["repeat"])
            entries.append(entry)
    return entries


CORPUS = _load()
BY_ID = {entry["id"]: entry for entry in CORPUS}


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADCLI_")}
    env.update({"NO_COLOR": "1", "COLUMNS": "80", "PYTHONIOENCODING": "utf-8"})
    env.update(extra or {})
    return env


@dataclass(frozen=True)
class Run:
    """One finished run of the console script."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    leftovers: tuple[str, ...]

    def __repr__(self) -> str:  # shown when an assertion fails
        shown = " ".join(repr(a)[:80] for a in self.args)
        return (
            f"gradcli {shown}\n-> exit {self.returncode} in {self.seconds:.2f} s, "
            f"files left: {self.leftovers}\n--- stdout ---\n{self.stdout[:2000]}"
            f"--- stderr ---\n{self.stderr[:2000]}"
        )


def _run(
    args: list[str],
    *,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    files: dict[str, str] | None = None,
) -> Run:
    """Run the console script in an empty directory of its own.

    ``files`` are written there first (and are not counted as left over).
    """
    with tempfile.TemporaryDirectory(prefix="gradcli-hostile-") as cwd:
        for name, content in (files or {}).items():
            Path(cwd, name).write_bytes(content.encode("utf-8", "surrogateescape"))
        started = time.monotonic()
        done = subprocess.run(
            [_gradcli(), *args],
            cwd=cwd,
            env=_env(env),
            input=stdin.encode("utf-8", "surrogateescape") if stdin is not None else None,
            capture_output=True,
            timeout=WALL_CLOCK + 30,
        )
        seconds = time.monotonic() - started
        leftovers = tuple(sorted(set(os.listdir(cwd)) - set(files or {})))
    return Run(
        args=tuple(args),
        returncode=done.returncode,
        stdout=done.stdout.decode("utf-8", "replace"),
        stderr=done.stderr.decode("utf-8", "replace"),
        seconds=seconds,
        leftovers=leftovers,
    )


def _run_entry(entry: dict[str, Any]) -> Run:
    """One corpus entry, its expression after '--' (a leading '-' stays an expression).

    A NUL cannot travel in a command line: such an expression is read from
    a file with ``@FILE`` instead.
    """
    expression, files = entry["expr"], None
    if "\x00" in expression:
        expression, files = "@input.txt", {"input.txt": entry["expr"]}
    command = ["grad", "--format", "json", "--timeout", str(TIMEOUT), *entry.get("args", [])]
    return _run([*command, "--", expression], env=entry.get("env"), files=files)


def _in_batch(entry: dict[str, Any]) -> bool:
    """Whether an entry can be one line of a batch on stdin."""
    text = entry["expr"]
    return (
        not entry.get("args")
        and not entry.get("env")
        and not any(ch in text for ch in "\n\r\x00\udcff")
        and text.strip() == text
        and bool(text)
        and not text.startswith(("#", "@"))
        and len(text) <= 10_000
    )


#: accepted inputs without options are proved in one batch; all others one by one
BATCHED_VALID = [e["id"] for e in CORPUS if e["exit"] == 0 and _in_batch(e)]
ONE_BY_ONE = [e["id"] for e in CORPUS if e["id"] not in BATCHED_VALID]


#: the first entry of each category: run through the console script itself
THROUGH_THE_SCRIPT = set(
    {e["category"]: e["id"] for e in reversed(CORPUS) if e["id"] in ONE_BY_ONE}.values()
)


@pytest.fixture(scope="module")
def corpus_runs() -> dict[str, Run]:
    """Every entry that needs its own run, once: the console script for one
    entry of each category, a forked child for the rest, two at a time."""
    runs = {key: _run_entry(BY_ID[key]) for key in ONE_BY_ONE if key in THROUGH_THE_SCRIPT}
    forked = [key for key in ONE_BY_ONE if key not in THROUGH_THE_SCRIPT]
    for start in range(0, len(forked), 2):
        pending = {key: _start_forked(BY_ID[key]) for key in forked[start : start + 2]}
        runs.update({key: child.finish() for key, child in pending.items()})
    return runs


@dataclass
class _Forked:
    """A child running ``gradcli.cli.main`` on one corpus entry."""

    pid: int
    args: tuple[str, ...]
    cwd: tempfile.TemporaryDirectory[str]
    streams: tempfile.TemporaryDirectory[str]
    files: tuple[str, ...]
    started: float

    def finish(self) -> Run:
        deadline = self.started + WALL_CLOCK + 30
        while True:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                os.kill(self.pid, signal.SIGKILL)
                _, status = os.waitpid(self.pid, 0)
                break
            time.sleep(0.005)
        seconds = time.monotonic() - self.started
        out = Path(self.streams.name)
        leftovers = tuple(sorted(set(os.listdir(self.cwd.name)) - set(self.files)))
        run = Run(
            args=self.args,
            returncode=os.waitstatus_to_exitcode(status),
            stdout=(out / "stdout").read_bytes().decode("utf-8", "replace"),
            stderr=(out / "stderr").read_bytes().decode("utf-8", "replace"),
            seconds=seconds,
            leftovers=leftovers,
        )
        self.cwd.cleanup()
        self.streams.cleanup()
        return run


def _start_forked(entry: dict[str, Any]) -> _Forked:
    """Fork a child that runs the entry as the console script would, from
    ``gradcli.cli.main`` on: its own empty directory, environment and
    standard streams (stdout and stderr to files, stdin empty)."""
    expression, files = entry["expr"], {}
    if "\x00" in expression:
        expression, files = "@input.txt", {"input.txt": entry["expr"]}
    args = ["grad", "--format", "json", "--timeout", str(TIMEOUT), *entry.get("args", [])]
    args += ["--", expression]
    cwd = tempfile.TemporaryDirectory(prefix="gradcli-hostile-")
    streams = tempfile.TemporaryDirectory(prefix="gradcli-streams-")
    for name, content in files.items():
        Path(cwd.name, name).write_bytes(content.encode("utf-8", "surrogateescape"))
    environment = _env(entry.get("env"))
    sys.stdout.flush()
    sys.stderr.flush()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns to pytest
        code = 70
        try:
            os.chdir(cwd.name)
            os.environ.clear()
            os.environ.update(environment)
            for fd, path, flags in (
                (0, os.devnull, os.O_RDONLY),
                (1, os.path.join(streams.name, "stdout"), os.O_WRONLY | os.O_CREAT),
                (2, os.path.join(streams.name, "stderr"), os.O_WRONLY | os.O_CREAT),
            ):
                opened = os.open(path, flags, 0o600)
                os.dup2(opened, fd)
                os.close(opened)
            # what the interpreter makes of fds 0-2 at start-up, with
            # PYTHONIOENCODING=utf-8
            sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
            sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
            sys.stderr = open(  # noqa: SIM115
                2, "w", encoding="utf-8", errors="backslashreplace", closefd=False
            )
            from gradcli.cli import main

            try:
                main(args)
                code = 0
            except SystemExit as done:
                code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:  # noqa: BLE001 - reported as the child's own output
            import traceback

            os.write(2, traceback.format_exc().encode())
        finally:
            os._exit(code)
    return _Forked(
        pid=pid,
        args=tuple(args),
        cwd=cwd,
        streams=streams,
        files=tuple(files),
        started=started,
    )


@pytest.fixture(scope="module")
def batch_run() -> tuple[Run, dict[str, dict[str, Any]]]:
    """Every single-line entry, good and bad, as one batch on stdin."""
    entries = [e for e in CORPUS if _in_batch(e)]
    stdin = "".join(e["expr"] + "\n" for e in entries)
    run = _run(["grad", "-", "--format", "json", "--timeout", str(TIMEOUT)], stdin=stdin)
    # JSON keeps U+2028 and U+0085 unescaped: split on newlines only
    records = [json.loads(line) for line in run.stdout.split("\n") if line]
    assert len(records) == len(entries), run
    return run, {e["id"]: record for e, record in zip(entries, records)}


# --------------------------------------------------------------------------
# The corpus itself


def test_the_corpus_is_large_and_covers_every_kind() -> None:
    assert len(CORPUS) >= 200
    assert len(BY_ID) == len(CORPUS), "ids must be unique"
    kinds = {entry["category"] for entry in CORPUS}
    assert kinds >= {
        "code-execution",
        "sympy-reentry",
        "cpu-bomb",
        "nesting",
        "long-input",
        "unicode-control",
        "unicode-lookalike",
        "latex",
        "point",
        "output",
        "tricky-valid",
    }
    assert sum(entry["exit"] == 0 for entry in CORPUS) >= 50
    assert any(len(entry["expr"]) >= 100_000 for entry in CORPUS)
    payloads = [e for e in CORPUS if "pwned" in e["expr"] or "pwned" in str(e.get("args"))]
    assert len(payloads) >= 20


@pytest.mark.parametrize("entry_id", ONE_BY_ONE)
def test_hostile_input(entry_id: str, corpus_runs: dict[str, Run]) -> None:
    entry = BY_ID[entry_id]
    run = corpus_runs[entry_id]
    assert run.returncode == entry["exit"], run
    assert "Traceback" not in run.stderr + run.stdout, run
    assert "internal error" not in run.stderr + run.stdout, run
    assert run.leftovers == (), run
    assert run.seconds < WALL_CLOCK, run
    if entry["exit"] == 0 and "--format" in entry.get("args", []):
        # a table's notes (read 'red' as r·e·d) are messages, on stderr
        notes = [line for line in run.stderr.splitlines() if not line.startswith("gradcli: note: ")]
        assert notes == [] and run.stdout, run
    elif entry["exit"] == 0:
        assert run.stderr == "", run
        result = json.loads(run.stdout)
        if entry.get("expression") is not None:
            assert result["expression"] == entry["expression"], run
        _assert_reads_back(result["expression"], entry["expr"], entry.get("env"))
    else:
        lines = run.stderr.splitlines()
        assert lines and lines[0].startswith("gradcli: error: "), run
        assert all(line.startswith("  ") for line in lines[1:]), run
        assert "\x1b" not in run.stderr, run


@pytest.mark.parametrize("entry_id", BATCHED_VALID)
def test_tricky_but_valid_input(
    entry_id: str, batch_run: tuple[Run, dict[str, dict[str, Any]]]
) -> None:
    entry = BY_ID[entry_id]
    record = batch_run[1][entry_id]
    assert "error" not in record, record
    if entry.get("expression") is not None:
        assert record["expression"] == entry["expression"], record
    _assert_reads_back(record["expression"], entry["expr"], None)


def _assert_reads_back(printed: str, original: str, env: dict[str, str] | None) -> None:
    """The printed expression parses back to the expression the input gave."""
    limits = replace(Limits.from_env(_env(env)), max_length=200_000, max_depth=3000)
    first = parse_expression(original, limits=limits)
    names = sorted(s.name for s in first.free_symbols)
    back = parse_expression(printed, variables=names, limits=limits)
    if back != first:
        # sympy keeps 1/(2*(x+1)) as built but reads it back as 1/(2*x+2)
        assert sympy.expand(back - first) == 0, (printed, original)


# --------------------------------------------------------------------------
# The batch path: one bad line does not take the batch down


def test_one_bad_line_does_not_take_the_batch_down(
    batch_run: tuple[Run, dict[str, dict[str, Any]]],
) -> None:
    """Good and hostile lines mixed: an answer for every line, in order."""
    run, records = batch_run
    assert "Traceback" not in run.stderr + run.stdout, run
    assert "internal error" not in run.stderr + run.stdout, run
    assert run.leftovers == (), run
    for number, (entry_id, record) in enumerate(records.items(), start=1):
        assert record["line"] == number
        assert record.get("exit_code", 0) == BY_ID[entry_id]["exit"], (entry_id, record)
    failures = [line for line in run.stderr.splitlines() if line.startswith("gradcli: line ")]
    assert len(failures) == sum("error" in record for record in records.values()), run
    assert all(line.startswith("gradcli: line ") for line in run.stderr.splitlines()), run
    assert "\x1b" not in run.stderr, run
    assert run.returncode == 3, run  # the most serious failure's code


def test_a_line_that_is_not_utf8_is_one_bad_line() -> None:
    run = _run(["grad", "-", "--format", "plain"], stdin="x^2\n\udcff\nx^3\n")
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr, run
    assert run.returncode == 2, run
    assert "df/dx: 3*x**2" in run.stdout, run


def _max_rss_of_a_batch(count: int) -> tuple[int, float]:
    """Peak resident memory (kB) of any process of one batch run, and its time."""
    lines = "".join(f"x^{i % 7 + 2} + sin(x*y) + {i}*y\n" for i in range(count))
    probe = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], stdin=sys.stdin, stdout=subprocess.DEVNULL, check=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", probe, _gradcli(), "grad", "-", "--format", "json", "--no-simplify"],
        input=lines,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=600,
        check=True,
    )
    return int(done.stdout.strip()), time.monotonic() - started


def test_memory_stays_flat_over_thousands_of_inputs() -> None:
    small, _ = _max_rss_of_a_batch(200)
    large, seconds = _max_rss_of_a_batch(1600)
    # workers are recycled every 500 inputs: 8 times the input (three
    # recycled workers), not 8 times the memory
    assert large < small * 1.5 + 30_000, (small, large)
    assert seconds < 240


# --------------------------------------------------------------------------
# Output is text: never markup, never terminal escapes


@pytest.mark.parametrize("expression", ["x[/]", "[bold]x[/bold]", "x\x1b[31m", "[/]"])
def test_markup_and_escapes_in_an_expression_are_shown_as_text(expression: str) -> None:
    run = _run(["grad", "--format", "table", "--", expression])
    assert run.returncode == 2, run
    assert "Traceback" not in run.stderr, run
    assert "\x1b" not in run.stderr + run.stdout, run
    assert run.stderr.startswith("gradcli: error: "), run


def test_names_that_look_like_markup_print_as_themselves_in_a_table() -> None:
    run = _run(["grad", "--format", "table", "--", "[bold]x + [red]"])
    assert run.returncode == 0, run
    assert "bold" in run.stdout and "red" in run.stderr, run  # in the note: read 'red' as r·e·d
    assert "\x1b" not in run.stdout, run


def test_escapes_in_a_point_or_batch_never_reach_the_terminal() -> None:
    run = _run(["grad", "x", "--at", "\x1b[2J=1"])
    assert run.returncode == 2 and "\x1b" not in run.stderr, run
    run = _run(["grad", "-", "--format", "json"], stdin="x\x1b]0;title\x07\nx^2\n")
    assert run.returncode == 2, run
    assert "\x1b" not in run.stderr, run
    records = [json.loads(line) for line in run.stdout.split("\n") if line]
    assert records[1]["expression"] == "x**2"
    assert "\x1b" in records[0]["input"]  # JSON carries it escaped, as data


# --------------------------------------------------------------------------
# The shell: pipes, Ctrl-C, leading '-'


def test_a_closed_pipe_ends_quietly() -> None:
    with tempfile.TemporaryDirectory() as cwd:
        done = subprocess.run(
            ["bash", "-c", f"'{_gradcli()}' grad x --at 1 | head -0; echo ${{PIPESTATUS[0]}}"],
            cwd=cwd,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.stderr == "", done.stderr
    assert int(done.stdout.strip()) in (0, 1), done.stdout


def test_a_batch_into_a_closed_pipe_ends_quietly() -> None:
    with tempfile.TemporaryDirectory() as cwd:
        done = subprocess.run(
            ["bash", "-c", f"yes 'x^2 + y' | head -2000 | '{_gradcli()}' grad - | head -1"],
            cwd=cwd,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr
    assert done.stderr == "", done.stderr
    assert done.stdout.startswith("f(x, y)"), done.stdout


def test_a_closed_pipe_exits_zero() -> None:
    done = subprocess.run(
        ["bash", "-c", f"'{_gradcli()}' grad x --at 1 | head -0; exit ${{PIPESTATUS[0]}}"],
        env=_env(),
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


SLOW = {"GRADCLI_MAX_BITS": "1000000000", "GRADCLI_MAX_MEMORY": "4000"}
#: 7^(3·10^7) is one call into C's integer power: tens of seconds, little memory,
#: and no signal interrupts it. Only a process that can be killed bounds it.
SLOW_EXPRESSION = "x*7^(3*10^7)"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs /proc")
def test_ctrl_c_exits_130_with_one_line_and_leaves_no_process() -> None:
    with tempfile.TemporaryDirectory() as cwd:
        process = subprocess.Popen(
            [_gradcli(), "grad", SLOW_EXPRESSION, "--timeout", "120"],
            cwd=cwd,
            env=_env(SLOW),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
            # as at a terminal: a shell running this in the background
            # (`make test &`) starts it with SIGINT ignored, which gradcli
            # would inherit and rightly leave ignored
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        workers: list[int] = []
        deadline = time.monotonic() + 30
        # Ctrl-C mid-computation: once a worker has spent CPU time on it (not
        # while it is still being set up, nor the parent still starting)
        while time.monotonic() < deadline:
            time.sleep(0.1)
            workers = _children(process.pid)
            if workers and _cpu_seconds(workers[0]) >= 0.5:
                break
        started = time.monotonic()
        # a terminal's Ctrl-C goes to the whole foreground process group
        os.killpg(process.pid, signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
        seconds = time.monotonic() - started
    assert workers, "the computation should run in a worker process"
    assert process.returncode == 130, stderr
    assert stderr.strip() == "gradcli: interrupted", stderr
    assert stdout == ""
    assert seconds < 5
    time.sleep(0.2)
    assert not any(_alive(pid) for pid in workers), "the worker outlived Ctrl-C"


def test_an_expression_starting_with_minus_goes_after_double_dash() -> None:
    run = _run(["grad", "--at", "1", "--format", "json", "--", "-x^2"])
    assert run.returncode == 0, run
    result = json.loads(run.stdout)
    assert result["expression"] == "-x**2"
    assert result["value"] == ["-2"]


# --------------------------------------------------------------------------
# Time: the budget holds inside C code, and simplification degrades gracefully


def test_the_time_budget_holds_during_c_level_integer_work() -> None:
    """With the bit bound raised on purpose, sympy is asked for 7^(3·10^7).

    That is one long call into C that no signal interrupts; the killable
    worker still ends it at the timeout.
    """
    run = _run(["grad", SLOW_EXPRESSION, "--timeout", "2"], env=SLOW)
    assert run.returncode == 3, run
    assert run.stderr.startswith("gradcli: error: out of time"), run
    assert run.seconds < 2 + 6, run


def test_the_memory_bound_holds() -> None:
    """A computation that outgrows GRADCLI_MAX_MEMORY is stopped, not the machine.

    With the bit bound raised on purpose, simplifying sin(x)^(10^9) makes
    sympy build a list of 10^9 items in C, gigabytes in a second.
    """
    run = _run(
        ["grad", "sin(x)^(10^9)", "--timeout", "60"],
        env={"GRADCLI_MAX_BITS": "10000000000", "GRADCLI_MAX_MEMORY": "300"},
    )
    assert run.returncode == 3, run
    assert run.stderr.startswith("gradcli: error: out of memory"), run
    assert run.seconds < 30, run


def test_simplification_runs_out_of_its_own_budget_and_shows_the_derivative() -> None:
    run = _run(
        ["grad", "sin(10(x+5)^4)", "--format", "json"],
        env={"GRADCLI_SIMPLIFY_TIMEOUT": "0.5"},
    )
    assert run.returncode == 0, run
    assert run.seconds < 0.5 + 8, run
    result = json.loads(run.stdout)
    (component,) = result["gradient"]
    x = sympy.Symbol("x", real=True)
    expected = sympy.diff(sympy.sin(10 * (x + 5) ** 4), x)
    assert sympy.expand(parse_expression(component) - expected) == 0
    assert any("unsimplified" in note for note in result["notes"]) or len(component) < 40


def test_the_default_simplify_budget_keeps_a_slow_derivative_fast() -> None:
    run = _run(["grad", "sin(10(x+5)^4)"])
    assert run.returncode == 0, run
    assert run.seconds < 2 + 8, run


# --------------------------------------------------------------------------
# The parser runs no code: the sympy paths that would are never reached


@pytest.fixture
def evaluators(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Record every string that reaches eval or exec, and refuse sympy's parser.

    sympy itself uses exec for code it writes (monomial helpers); what must
    never reach either is text from the input. ``parse_expr`` is where
    ``sympify`` sends a string: it must not be called at all.
    """
    import builtins

    import sympy.parsing.sympy_parser as sympy_parser

    seen: list[str] = []
    real_eval, real_exec = builtins.eval, builtins.exec

    def spy_eval(source: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(str(source))
        return real_eval(source, *args, **kwargs)

    def spy_exec(source: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(str(source))
        return real_exec(source, *args, **kwargs)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        seen.append("parse_expr: " + repr(args)[:200])
        raise AssertionError("sympy was asked to parse a string")

    monkeypatch.setattr(builtins, "eval", spy_eval)
    monkeypatch.setattr(builtins, "exec", spy_exec)
    monkeypatch.setattr(sympy_parser, "parse_expr", refuse)
    yield seen


def test_no_input_text_reaches_eval_exec_or_sympify(evaluators: list[str]) -> None:
    from gradcli.budget import time_limit
    from gradcli.calculus import gradient

    limits = Limits(max_length=200_000, max_depth=3000)
    for entry in CORPUS:
        if entry["id"] in ("thousand-variable-product", "squared-nest-50"):
            continue  # bounded by the worker's budget, not by this test
        try:
            with time_limit(10):
                gradient(entry["expr"], simplify=False, limits=limits)
        except GradcliError:
            pass
    # sympy and dataclasses write code of their own; no payload may be in it
    markers = ("pwned", "__import__(", "__subclasses__", "os.system", "__globals__")
    leaked = [source[:120] for source in evaluators if any(m in source for m in markers)]
    assert leaked == []
    assert not any(source.startswith("parse_expr") for source in evaluators)


def test_the_spy_sees_sympify_on_a_string(evaluators: list[str]) -> None:
    with pytest.raises((AssertionError, sympy.SympifyError)):
        sympy.sympify("x + 1")
    assert any(source.startswith("parse_expr") for source in evaluators)


def _string_evaluations(path: Path) -> list[str]:
    """Calls in a module that could evaluate a string as code."""
    forbidden = {"eval", "exec", "compile", "__import__", "sympify", "parse_expr", "S"}
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        if isinstance(function, ast.Name) and function.id in forbidden:
            found.append(f"{path.name}:{node.lineno}: {function.id}(…)")
        elif isinstance(function, ast.Attribute) and function.attr in (
            "sympify",
            "parse_expr",
            "S",
        ):
            found.append(f"{path.name}:{node.lineno}: .{function.attr}(…)")
        elif (
            isinstance(function, ast.Attribute)
            and isinstance(function.value, ast.Name)
            and function.value.id == "sympy"
            and function.attr not in ("Symbol", "Dummy")
            and any(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args)
        ):
            found.append(f"{path.name}:{node.lineno}: sympy.{function.attr}('…')")
    return found


def test_no_module_evaluates_a_string() -> None:
    package = Path(__file__).parent.parent / "gradcli"
    found = [hit for path in sorted(package.rglob("*.py")) for hit in _string_evaluations(path)]
    assert found == []
