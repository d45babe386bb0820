"""``gradcli plot`` of the seed example beside its floor.

The floor is ``python -c "import sympy, matplotlib.pyplot"``: the libraries
any such plot needs, imported and nothing drawn. gradcli parses, builds ∇f,
evaluates the grid with numpy once and writes the PNG. Both are whole
processes, interleaved; the figure is the median wall time, and the issue's
aim is 1.3x.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from common import GRADCLI, PYTHON, environment, interleaved, report, run_command

FLOOR = "import matplotlib; matplotlib.use('Agg'); import sympy, matplotlib.pyplot"


def main() -> None:
    print(f"gradcli plot of the seed, PNG; {environment()}")
    with tempfile.TemporaryDirectory() as folder:
        out = str(Path(folder) / "seed.png")
        cases = [
            ("plot of the seed, contours and ∇f at (1, 3)", ["--at", "1,3"]),
            ("plot of the seed with a descent path", ["--at", "1,3", "--descend-from", "1,3"]),
        ]
        floor = lambda: run_command([PYTHON, "-c", FLOOR])  # noqa: E731
        for case, extra in cases:
            argv = [GRADCLI, "plot", "x^2+y^2+x*y", *extra, "-o", out]
            run_command(argv)  # warm up: font cache, byte code
            mine, theirs = interleaved(lambda argv=argv: run_command(argv), floor, repeats=5)
            report(f"{case}, vs import sympy+pyplot", mine, theirs, 1.3)


if __name__ == "__main__":
    main()
