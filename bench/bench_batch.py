"""Many expressions: 200 lines on stdin through one ``gradcli grad -``.

``gradcli grad - --at 1,2 --format json`` (one worker serves the stream, each
line in its own budget) against a bare sympy script that reads the same lines
with ``sympify`` and does ``diff`` and ``subs`` for each, printing the values:
what the per-expression work costs at the least. Both are whole processes,
start-up included, interleaved; the figure is the median CPU time and the
issue's aim is 3x. It is reported twice: as gradcli runs by default (each
partial derivative simplified within its share of the budget, which the bare
script does not do) and with ``--no-simplify`` (the same work as the script).
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from common import GRADCLI, PYTHON, environment, interleaved, report, run_command

COUNT = 200

BARE = """
import sys, sympy
x, y = sympy.symbols("x y", real=True)
point = {x: 1, y: 2}
for line in sys.stdin:
    f = sympy.sympify(line.replace("^", "**"), locals={"x": x, "y": y})
    values = [sympy.diff(f, v).subs(point) for v in (x, y)]
    print([str(v) for v in values], [float(v) for v in values])
"""

PIECES = [
    "x^{a}*y^{b}",
    "sin({a}*x)*cos(y)",
    "exp({a}*x - y)",
    "log(x^2 + {b}*y^2)",
    "(x + {a})/(y^2 + {b})",
    "sqrt(x^2 + y^2 + {a})",
    "atan(y/({a}*x))",
    "tanh({a}*x*y)",
]


def expressions(rng: random.Random) -> list[str]:
    """Homework-sized functions of x and y: two or three pieces each."""
    lines = []
    for _ in range(COUNT):
        pieces = rng.sample(PIECES, rng.randint(2, 3))
        terms = [p.format(a=rng.randint(1, 5), b=rng.randint(1, 4)) for p in pieces]
        lines.append(" + ".join(terms))
    return lines


def main() -> None:
    print(f"{COUNT} expressions on stdin, --at 1,2; {environment()}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "expressions.txt"
        path.write_text("\n".join(expressions(random.Random(17))) + "\n")
        bare = lambda: run_command([PYTHON, "-c", BARE], stdin_path=str(path))  # noqa: E731
        command = [GRADCLI, "grad", "-", "--at", "1,2", "--format", "json"]
        for label, extra in (("simplified", []), ("--no-simplify", ["--no-simplify"])):
            ours = lambda extra=extra: run_command(  # noqa: E731
                [*command, *extra], stdin_path=str(path)
            )
            mine, theirs = interleaved(ours, bare, repeats=3, use_cpu=True)
            report(f"{COUNT} expressions, {label}, CPU: vs bare diff+subs", mine, theirs, 3.0)


if __name__ == "__main__":
    main()
