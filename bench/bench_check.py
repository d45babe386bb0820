"""Benchmark: grade a class of 10,000 answers to one problem with `gradcli check --batch`.

Run from the repository root: ``.venv/bin/python bench/bench_check.py``. The rows
are generated with a fixed seed and are nearly all distinct (so the grader's
cache of identical answers does not help): correct answers in many forms (some
settled only numerically), typical mistakes with random coefficients, decimals
and a little malformed or hostile text. The real command line runs in a
subprocess, start-up included, writing CSV; prints one line.
"""

from __future__ import annotations

import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time

ROWS = 10_000
AIM_SECONDS = 10.0
PROBLEM = "x**2+y**2+x*y"
POINT = "1,3"


def gradient_answer(rng: random.Random) -> str:
    k = rng.randint(2, 99)
    m = rng.randint(2, 99)
    forms = [
        # correct, settled by sympy's own normal form
        lambda: f"y + {k}x - {k - 2}x, {m}y - {m - 2}y + x",
        # correct, settled at random points ((k²(4x²−y²))/(k(2x−y)) = k(2x+y))
        lambda: f"({k}(4x^2-y^2))/({k}(2x-y)), (x^2 + {2 - m}xy - {2 * m}y^2)/(x - {m}y)",
        # missing the x·y term's derivative, with noise that keeps the text distinct
        lambda: f"2x + {k}y - {k}y, 2y + {m}x - {m}x",
        # the power rule's 2 forgotten
        lambda: f"x + y + 0*{k}x, x + y + 0*{m}y",
        # swapped
        lambda: f"x + {k}y - {k - 2}y, 2x + y + {m}x - {m}x",
        # wrong in no typical way: every detector runs
        lambda: f"{k}x + y, x + {m}y",
        # sign error
        lambda: f"-{k}x-y+{k - 2}x, -x-2y",
    ]
    return rng.choice(forms)()


def value_answer(rng: random.Random) -> str:
    return rng.choice(
        [
            "5,7",
            "(5, 7)",
            f"{rng.randint(1, 9)}, 7",
            "7,5",
            f"5.{rng.randint(0, 9)}, 7",
            f"{rng.choice(['<', '('])}5, {rng.randint(6, 8)}{rng.choice(['>', ')'])}",
        ]
    )


def magnitude_answer(rng: random.Random) -> str:
    return rng.choice(
        [
            "sqrt(74)",
            "8.6",
            "8.60",
            f"8.{rng.randint(0, 999):03d}",
            "74",
            f"sqrt({rng.randint(60, 90)})",
            f"{rng.uniform(1, 20):.{rng.randint(1, 5)}f}",
        ]
    )


def junk(rng: random.Random) -> str:
    return rng.choice(
        [
            "__import__('os').system('true')",
            "2x + + y",
            "sinn(x), y",
            "x" * 20_000,
            "(" * 500 + "x" + ")" * 500,
            "9^9^9^9, 1",
            "lambda: 0",
        ]
    )


def write_rows(path: str, rng: random.Random) -> list[str]:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "gradient", "value", "magnitude"])
        gradients = []
        for i in range(ROWS):
            gradient = junk(rng) if rng.random() < 0.01 else gradient_answer(rng)
            gradients.append(gradient)
            writer.writerow([f"s{i:05d}", gradient, value_answer(rng), magnitude_answer(rng)])
    return gradients


def _distinct_expressions(texts: list[str]) -> int:
    from gradcli.errors import GradcliError
    from gradcli.parse import parse_vector

    seen = set()
    for text in texts:
        try:
            seen.add(parse_vector(text, variables=["x", "y"]))
        except GradcliError:
            seen.add(text)
    return len(seen)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    rng = random.Random(20260101)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "answers.csv")
        gradients = write_rows(path, rng)
        command = [sys.executable, "-m", "gradcli", "check", PROBLEM, "--at", POINT]
        command += ["--batch", path, "--format", "csv", *sys.argv[1:]]
        cpu_before = _children_cpu()
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
        cpu = _children_cpu() - cpu_before
    graded = {line.split(",", 1)[0] for line in done.stdout.splitlines()[1:] if line}
    distinct = len(set(gradients))
    expressions = _distinct_expressions(gradients)
    if done.returncode != 0 or len(graded) != ROWS:
        print(f"bench_check: FAILED: exit {done.returncode}, {len(graded)} of {ROWS} rows graded")
        print(done.stderr[-2000:], file=sys.stderr)
        return 1
    per_row_ms = 1000 * elapsed / ROWS
    verdict = "meets" if elapsed < AIM_SECONDS else "does not meet"
    print(
        f"bench_check: {ROWS:,} rows ({distinct:,} distinct gradient texts, {expressions:,} "
        f"distinct as expressions) in {elapsed:.2f} s, "
        f"{per_row_ms:.3f} ms per row ({cpu:.1f} s of CPU), "
        f"{elapsed / AIM_SECONDS:.2f}x the {AIM_SECONDS:g} s aim: {verdict} it"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
