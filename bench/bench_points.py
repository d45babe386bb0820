"""Many points: 1,000,000 points of the seed function through `--at - --format csv`.

Baselines, run interleaved in the same session: awk computing the same
hand-coded gradient on the same file (the floor for text in, text out), both
with awk's default 6 significant digits and with full precision (%.17g, as
gradcli prints every digit), and a hand-written Python streaming loop.
"""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

from common import GRADCLI, PYTHON, interleaved, report, run_command

AWK_DEFAULT = (
    'BEGIN{OFS=","; print "x,y,dfdx,dfdy,magnitude"} '
    "{gx=2*$1+$2; gy=$1+2*$2; print $1,$2,gx,gy,sqrt(gx*gx+gy*gy)}"
)
AWK_FULL = (
    'BEGIN{print "x,y,dfdx,dfdy,magnitude"} '
    "{gx=2*$1+$2; gy=$1+2*$2; "
    'printf "%s,%s,%.17g,%.17g,%.17g\\n", $1,$2,gx,gy,sqrt(gx*gx+gy*gy)}'
)
PYTHON_LOOP = """
import math, sys
write = sys.stdout.write
write("x,y,dfdx,dfdy,magnitude\\n")
for line in sys.stdin:
    a, b = line.rstrip("\\n").split(",")
    x, y = float(a), float(b)
    gx, gy = 2 * x + y, x + 2 * y
    write(f"{a},{b},{gx!r},{gy!r},{math.sqrt(gx * gx + gy * gy)!r}\\n")
"""


def main(count: int = 1_000_000) -> None:
    with tempfile.TemporaryDirectory() as folder:
        points = Path(folder) / "points.csv"
        rng = random.Random(1)
        with points.open("w") as out:
            for _ in range(count):
                out.write(f"{rng.uniform(-10, 10):.6f},{rng.uniform(-10, 10):.6f}\n")
        path = str(points)
        ours = lambda: run_command(  # noqa: E731
            [GRADCLI, "grad", "x**2+y**2+x*y", "--at", "-", "--format", "csv"], stdin_path=path
        )
        baselines = [
            ("awk, default %.6g output", ["awk", "-F,", AWK_DEFAULT, path], 2.5),
            ("awk, full-precision %.17g output", ["awk", "-F,", AWK_FULL, path], 2.5),
        ]
        for name, argv, aim in baselines:
            mine, theirs = interleaved(
                ours, lambda argv=argv: run_command(argv), repeats=3, use_cpu=True
            )
            report(f"1M points, CPU time: gradcli vs {name}", mine, theirs, aim)
        mine, theirs = interleaved(
            ours, lambda: run_command([PYTHON, "-c", PYTHON_LOOP], stdin_path=path), repeats=3
        )
        report("1M points, wall time: gradcli vs a hand-written Python loop", mine, theirs, 1.0)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
