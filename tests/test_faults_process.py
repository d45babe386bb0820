"""Faults of processes, signals and budgets, through the real ``gradcli`` command.

When gradcli goes, however it goes, its workers go with it; a bug in one line
of a batch is that line's record; parallel grading gives the verdicts of one
worker; all heavy work happens inside the budget; out-of-range bounds are usage
errors; a platform that cannot bound work says so.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from gradcli import runner
from gradcli.errors import ExitCode
from gradcli.runner import Line, Output

GRADCLI = str(Path(sys.executable).parent / "gradcli")
linux_only = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")

#: ∏ sin(x + i·y), i < 159: its gradient takes far longer than a test waits
HARD = "*".join(f"sin(x+{i}*y)" for i in range(159))


def _one_error_line(stderr: str, *needles: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("gradcli: "), stderr
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    for needle in needles:
        assert needle in lines[0], stderr
    return lines[0]


# --------------------------------------------------------------------------
# Processes: /proc, read directly


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, ppid) of a process, None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return fields[0], int(fields[1])


def _children(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat is not None and stat[1] == pid and stat[0] != "Z":
                found.add(int(entry))
    return found


def _running(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def _wait_for_workers(parent: subprocess.Popen[str], count: int = 1) -> set[int]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        workers = _children(parent.pid)
        if len(workers) >= count:
            time.sleep(0.5)  # let them start their work
            return _children(parent.pid)
        assert parent.poll() is None, parent.communicate()
        time.sleep(0.05)
    raise AssertionError("no worker started")


def _assert_gone(workers: set[int]) -> None:
    deadline = time.monotonic() + 5  # generous: they go at once
    while time.monotonic() < deadline and any(_running(pid) for pid in workers):
        time.sleep(0.05)
    assert not [pid for pid in workers if _running(pid)], "a worker outlived gradcli"


@pytest.fixture
def hard_file(tmp_path: Path) -> Path:
    path = tmp_path / "hard.txt"
    path.write_text(HARD)
    return path


def _start(*args: str, stdin: int | None = subprocess.DEVNULL) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [GRADCLI, *args],
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _ended_by(process: subprocess.Popen[str], signum: int) -> None:
    _, err = process.communicate(timeout=10)
    if signum == signal.SIGKILL:
        assert process.returncode == -signal.SIGKILL
    else:
        assert process.returncode == 128 + signum
        _one_error_line(err, f"terminated by {signal.Signals(signum).name}")


@linux_only
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM, signal.SIGHUP])
def test_a_killed_gradcli_leaves_no_worker(hard_file: Path, signum: int) -> None:
    process = _start("grad", f"@{hard_file}", "--at", "1,2", "--timeout", "60")
    workers = _wait_for_workers(process)
    process.send_signal(signum)
    _ended_by(process, signum)
    _assert_gone(workers)


@linux_only
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_batch_leaves_no_worker(tmp_path: Path, hard_file: Path, signum: int) -> None:
    rows = tmp_path / "rows.csv"
    # three chunks of rows, so that two workers grade at once
    rows.write_text("id,gradient\n" + "".join(f's{i},"1, 1"\n' for i in range(250)))
    process = _start(
        "check", f"@{hard_file}", "--batch", str(rows), "--jobs", "2", "--timeout", "60"
    )
    workers = _wait_for_workers(process, count=2)
    assert len(workers) == 2
    process.send_signal(signum)
    _ended_by(process, signum)
    _assert_gone(workers)


@linux_only
def test_sigterm_mid_batch_keeps_every_written_record_whole() -> None:
    process = _start("grad", "-", "--at", "2,3", "--format", "json", stdin=subprocess.PIPE)
    assert process.stdin is not None and process.stdout is not None
    for text in ("x*y", "x+y", "x^2*y"):
        process.stdin.write(text + "\n")
        process.stdin.flush()
        assert json.loads(process.stdout.readline())["input"] == text
    process.stdin.write(HARD + "\n")  # a line still being worked on
    process.stdin.flush()
    workers = _wait_for_workers(process)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=10)
    assert process.returncode == 128 + signal.SIGTERM
    _one_error_line(err, "terminated by SIGTERM")
    assert all(json.loads(line) for line in out.splitlines())
    _assert_gone(workers)


# --------------------------------------------------------------------------
# A bug in one line is that line's record


def test_every_line_of_grad_dash_gets_its_record() -> None:
    result = subprocess.run(
        [GRADCLI, "grad", "-", "--at", "2,3", "--format", "json"],
        input="x*y\nsign(y^x)\nx+y\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["line"] for r in records] == [1, 2, 3]
    assert records[0]["value"] == ["3", "2"] and records[2]["value"] == ["1", "1"]
    assert "Traceback" not in result.stderr
    # sign(y^x) met a bug once; whatever becomes of it, it has its record
    if "error" in records[1]:
        assert result.returncode == records[1]["exit_code"]
    else:
        assert result.returncode == 0


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_bug_in_one_line_is_that_line_s_error_and_exit_70(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GRADCLI_IN_PROCESS", raising=False)

    def job(line: Line) -> Output:
        if line.text == "bug":
            raise KeyError("a bug")
        return Output(line.text + "\n")

    def lines() -> Iterator[Line]:
        yield from (Line(n, text) for n, text in enumerate(["a", "bug", "c"], start=1))

    code = runner.run_lines(job, lines(), timeout=10, on_error=lambda line, error: "?\n")
    assert code == ExitCode.BUG
    captured = capsys.readouterr()
    assert captured.out == "a\n?\nc\n"
    assert captured.err.startswith("gradcli: line 2: internal error: KeyError: 'a bug'")


# --------------------------------------------------------------------------
# Parallel grading: the verdicts of one worker


def _class(rows: int) -> str:
    answers = ['"2x+y, x+2y"', '"2x, 2y"', '"y, x"', '"(2x+y), (x+2y)"', "oops("]
    return "id,gradient\n" + "".join(f"s{i},{answers[i % 5]}\n" for i in range(rows))


@pytest.mark.parametrize("jobs", ["16", "64"])
def test_parallel_grading_equals_one_worker(jobs: str) -> None:
    text = _class(260)  # three chunks: the parallel path

    def grade(n: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [GRADCLI, "check", "x^2+xy+y^2", "--batch", "-", "-f", "csv", "--jobs", n],
            input=text,
            capture_output=True,
            text=True,
            timeout=300,
        )

    one, many = grade("1"), grade(jobs)
    assert one.returncode == many.returncode == 0, many.stderr
    assert "internal error" not in many.stdout + many.stderr
    assert many.stdout == one.stdout
    assert many.stderr == one.stderr
    assert len(one.stdout.splitlines()) == 261


def test_the_job_count_is_capped() -> None:
    assert 1 <= runner.max_jobs() <= runner.MAX_JOBS


# --------------------------------------------------------------------------
# Heavy work inside the budget


def _in_parent(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )


def test_plot_imports_matplotlib_only_in_its_worker(tmp_path: Path) -> None:
    result = _in_parent(
        "import sys\n"
        "from gradcli.cli import run\n"
        "code = run(['plot', 'x^2 + y^2', '-o', 'f.png'])\n"
        "print(code, 'matplotlib' in sys.modules)\n",
        tmp_path,
    )
    assert result.stdout.split()[-2:] == ["0", "False"], result.stderr
    assert (tmp_path / "f.png").exists()


def test_streamed_points_compile_only_in_the_worker(tmp_path: Path) -> None:
    result = _in_parent(
        "import os, sys, io\n"
        "import sympy\n"
        "real = sympy.lambdify\n"
        "where = []\n"
        "def spy(*a, **k):\n"
        "    if os.getpid() == PARENT: where.append('parent')\n"
        "    return real(*a, **k)\n"
        "PARENT = os.getpid()\n"
        "sympy.lambdify = spy\n"
        "sys.stdin = io.TextIOWrapper(io.BytesIO(b'1,2\\n3,4\\n'))\n"
        "from gradcli.cli import run\n"
        "code = run(['grad', 'x^2*y', '--at', '-', '-f', 'csv'])\n"
        "print(code, where)\n",
        tmp_path,
    )
    assert "x,y,df/dx_float,df/dy_float,magnitude_float\n1,2,4.0,1.0," in result.stdout, (
        result.stderr
    )
    assert result.stdout.splitlines()[-1] == "0 []", result.stderr


@pytest.mark.parametrize(
    ("args", "env", "needle"),
    [
        (("--timeout", "1e10"), {}, "--timeout must be at most"),
        (("--timeout", "0"), {}, "--timeout must be positive"),
        (("--max-length", "10000000000000"), {}, "--max-length must be at most"),
        ((), {"GRADCLI_TIMEOUT": "1e12"}, "GRADCLI_TIMEOUT must be at most"),
        ((), {"GRADCLI_MAX_MEMORY": "9999999999999"}, "GRADCLI_MAX_MEMORY must be at most"),
    ],
)
def test_bounds_out_of_range_are_usage_errors(
    args: tuple[str, ...], env: dict[str, str], needle: str
) -> None:
    result = subprocess.run(
        [GRADCLI, "grad", "x^2", "--at", "1", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
    )
    assert result.returncode == ExitCode.USAGE
    assert result.stdout == ""
    _one_error_line(result.stderr, "error:", needle)


# --------------------------------------------------------------------------
# A platform without fork refuses, rather than run unbounded


def test_without_fork_gradcli_refuses_loudly(tmp_path: Path) -> None:
    code = (
        "import os\ndel os.fork\nfrom gradcli.cli import main\nmain(['grad', 'x^2', '--at', '3'])\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "GRADCLI_IN_PROCESS"}
    refused = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env
    )
    assert refused.returncode == ExitCode.USAGE
    assert refused.stdout == ""
    _one_error_line(refused.stderr, "need fork()", "GRADCLI_IN_PROCESS=1")
    allowed = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={**env, "GRADCLI_IN_PROCESS": "1"},
    )
    assert allowed.returncode == 0, allowed.stderr
    assert "6" in allowed.stdout
