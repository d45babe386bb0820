"""Descent loop: gradcli's numeric run beside hand-written Python loops.

The case is issue 5's: 10,000 steps of gradient descent on the 2-D Rosenbrock
function (1 − x)² + 100 (y − x²)² from (−1.5, 2) with α = 0.001. Every
contender runs in this process, interleaved with the others, several times;
figures are medians of the CPU time (a run that waits for a core on a busy
machine is not charged for the wait). All of them compute the same descent,
checked to the last bit before timing.

* loop: gradcli's hot loop (∇f, the update and the stop test, eight steps
  per call of the compiled block, ∇f and θ of every step kept), against the
  bare hand-written loop (∇f coded by hand and the update, nothing kept).
  The issue's aim: 1.5.
* numeric run: the loop and what makes the trajectory of it: f(θ_k) for
  every row (one call per block), |∇f|, every row tested again for a stop
  at C speed. Against the bare loop (context) and against a hand-written
  loop doing the same work (f, |∇f|², a stop test, every row kept).
* naive lambdify: a loop over a lambdified gradient returning a list, the
  usual way, against the bare loop (context; the issue says about 1.7).
* descend(): the public call end to end, compiling f and classifying the end
  point, against the bare loop (context).
* command: the whole ``gradcli descend`` of this case (table output) against
  ``python -c "import sympy"``, both as processes, wall time. The issue's
  aim: 1.3. ``gradcli grad`` of the seed example beside it shows what any
  sympy-based gradcli command costs on this machine.
"""

from __future__ import annotations

import gc
import math
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import sympy
from common import GRADCLI, PYTHON, environment, interleaved, report, run_command

from gradcli import descent
from gradcli.descent import compile as compiling
from gradcli.descent import engine
from gradcli.descent import options as descent_options

STEPS = 10_000
LR = 0.001
START = (-1.5, 2.0)
REPEATS = 21


def bare_loop() -> tuple[float, float]:
    """The baseline: the derivative coded by hand, nothing but the update."""
    x, y = START
    lr = LR
    for _ in range(STEPS):
        gx = 400.0 * x * (x * x - y) + 2.0 * (x - 1.0)
        gy = 200.0 * (y - x * x)
        x = x - lr * gx
        y = y - lr * gy
    return x, y


def same_work_loop() -> list[tuple[float, ...]]:
    """By hand, what gradcli's loop does: f, ∇f, |∇f|², stop tests, rows kept."""
    x, y = START
    lr, tol2 = LR, 1e-16
    f0 = (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2
    high = 1e12 * max(1.0, abs(f0))
    rows = []
    append = rows.append
    for _ in range(STEPS + 1):
        a = x - 1.0
        b = x * x - y
        f = a * a + 100.0 * b * b
        gx = 400.0 * x * b + 2.0 * a
        gy = -200.0 * b
        g2 = gx * gx + gy * gy
        x = x - lr * gx
        y = y - lr * gy
        append((f, g2, gx, gy, x, y))
        if not (g2 >= tol2 and -high < f < high):
            break
    return rows


def make_naive_loop() -> Callable[[], tuple[float, float]]:
    x, y = sympy.symbols("x y", real=True)
    f = (1 - x) ** 2 + 100 * (y - x**2) ** 2
    gradient = sympy.lambdify((x, y), [sympy.diff(f, x), sympy.diff(f, y)], "math")

    def naive_loop() -> tuple[float, float]:
        px, py = START
        for _ in range(STEPS):
            gx, gy = gradient(px, py)
            px = px - LR * gx
            py = py - LR * gy
        return px, py

    return naive_loop


def _compiled() -> tuple[object, object]:
    x, y = sympy.symbols("x y", real=True)
    f = (1 - x) ** 2 + 100 * (y - x**2) ** 2
    program = compiling._compile(f, (x, y), "gd")
    options = descent_options._resolve_options(
        "gd", lr=LR, steps=STEPS, tol=1e-8, beta=None, beta2=None, eps=None
    )
    return program, options


def make_hot_loop() -> Callable[[], object]:
    """gradcli's hot loop alone, exactly as descend() runs it for this case."""
    program, _ = _compiled()
    layout = program.layout  # type: ignore[attr-defined]
    blocks = -(-(STEPS + 1) // layout.unroll)
    carry = (*START, LR, *(math.inf,) * layout.checks)
    tests = (-1e12 * 12.5, 1e12 * 12.5, 1e-16, (1e-8 * LR) ** 2)

    def hot_loop() -> object:
        rows: list[object] = []
        with descent._collector_paused():
            engine._fast_gd(program.block, carry, blocks, rows.append, *tests)  # type: ignore[attr-defined]
        return rows

    return hot_loop


def make_gradcli_loop() -> Callable[[], object]:
    """gradcli's numeric run with f compiled beforehand (as descend() runs it)."""
    program, options = _compiled()

    def gradcli_loop() -> object:
        with descent._collector_paused():
            return engine._run(program, options, START, ascent=False, on_progress=None)  # type: ignore[arg-type]

    return gradcli_loop


def gradcli_descend() -> object:
    """The public call, compiling f afresh each time."""
    compiling._compile.cache_clear()
    x, y = sympy.symbols("x y", real=True)
    f = (1 - x) ** 2 + 100 * (y - x**2) ** 2
    return descent.descend(f, (x, y), START, lr=LR, steps=STEPS)


def timed(function: Callable[[], object]) -> Callable[[], tuple[float, float]]:
    """A (wall, CPU) timer of one call, in the shape common.interleaved takes.

    The cyclic collector is paused while the call runs and its result is
    freed, as descend() pauses it for its loop. Memory freed by one run is
    reused by the next, as in a long session; a single cold run in a fresh
    process also pays for fresh pages (the command's case, timed below).
    """

    def run() -> tuple[float, float]:
        gc.disable()
        try:
            wall, cpu = time.perf_counter(), time.process_time()
            function()
            return time.perf_counter() - wall, time.process_time() - cpu
        finally:
            gc.enable()

    return run


def check_agreement(gradcli_loop: Callable[[], object]) -> None:
    """Every contender must compute the same descent."""
    bare = bare_loop()
    rows = same_work_loop()
    raw = gradcli_loop()
    flat = raw.flat  # type: ignore[attr-defined]
    width = len(flat) // raw.count  # type: ignore[attr-defined]
    last = flat[STEPS * width - 2 : STEPS * width]  # θ_STEPS, made by row STEPS - 1
    for theirs in (rows[STEPS - 1][-2:], tuple(last)):
        if not all(math.isclose(a, b, rel_tol=1e-12) for a, b in zip(bare, theirs)):
            raise SystemExit(f"the loops disagree: {bare} vs {theirs}")


COMMAND = [
    GRADCLI, "descend", "(1-x)^2 + 100(y-x^2)^2", "--from", "-1.5,2",
    "--lr", str(LR), "--steps", str(STEPS),
]  # fmt: skip
SEED_GRAD = [GRADCLI, "grad", "x**2+y**2+x*y", "--at", "1,3"]


def main() -> None:
    hot_loop = make_hot_loop()
    gradcli_loop = make_gradcli_loop()
    naive_loop = make_naive_loop()
    check_agreement(gradcli_loop)
    for function in (bare_loop, same_work_loop, naive_loop, hot_loop, gradcli_loop):
        function()  # warm up
    gradcli_descend()
    print(f"gd on Rosenbrock from {START}, α = {LR}, {STEPS:,} steps; {environment()}")
    cases = [
        ("loop: gradcli's hot loop vs bare hand loop", hot_loop, bare_loop, 1.5),
        ("context: numeric run (loop, f, |∇f|, re-test) vs bare", gradcli_loop, bare_loop, 5),
        ("numeric run vs hand loop doing the same work", gradcli_loop, same_work_loop, 1.5),
        ("context: naive lambdify loop vs bare hand loop", naive_loop, bare_loop, 1.7),
        ("context: descend() compiling f vs bare hand loop", gradcli_descend, bare_loop, 50),
    ]
    for case, subject, baseline, aim in cases:
        ours, theirs = interleaved(timed(subject), timed(baseline), repeats=REPEATS, use_cpu=True)
        report(case, ours * 1e3, theirs * 1e3, aim, unit="ms")
    with compiled_modules():
        sympy_floor = lambda: run_command([PYTHON, "-c", "import sympy"])  # noqa: E731
        for case, argv, aim in [
            ("command: gradcli descend (this case) vs import sympy", COMMAND, 1.3),
            ("context: gradcli grad (the seed) vs import sympy", SEED_GRAD, 1.3),
        ]:
            run_command(argv)  # warm up: write the byte code
            ours, theirs = interleaved(lambda argv=argv: run_command(argv), sympy_floor, repeats=9)
            report(case, ours, theirs, aim)


@contextmanager
def compiled_modules() -> Iterator[None]:
    """Let the commands keep their byte code, as an installed gradcli does.

    With PYTHONDONTWRITEBYTECODE set (as on some machines), every run would
    compile gradcli's modules from source again while sympy's come compiled;
    the byte code goes to a temporary folder, not into the working tree.
    """
    saved = {k: os.environ.get(k) for k in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    with tempfile.TemporaryDirectory() as folder:
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["PYTHONPYCACHEPREFIX"] = folder
        run_command([PYTHON, "-c", "import sympy"])
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


if __name__ == "__main__":
    main()
