"""Large functions: the n-dimensional Rosenbrock function, n = 10, 100, 1000.

Time to parse, differentiate and evaluate the gradient at a point, both with
the expression on the command line (the length bound raised through
GRADCLI_MAX_LENGTH) and from a file (`gradcli grad @rosen.txt`). The growth
exponent comes from a fit of log(time) against log(n); the aim is n = 1000 in
under 3 s and growth no worse than n^1.2. The baseline for the ratio is
`python -c "import sympy"`, run beside it.
"""

from __future__ import annotations

import math
import os
import subprocess
import tempfile
import time
from pathlib import Path

from common import GRADCLI, PYTHON, report, run_command


def rosenbrock(n: int) -> str:
    return " + ".join(f"100*(x{i + 1} - x{i}^2)^2 + (1 - x{i})^2" for i in range(1, n))


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    env = {**os.environ, "GRADCLI_MAX_LENGTH": "1000000", "GRADCLI_TIMEOUT": "300"}
    sizes = (10, 100, 1000)
    times = {}
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            text = rosenbrock(n)
            point = ",".join(["0.5"] * n)
            source = Path(folder) / f"rosen{n}.txt"
            source.write_text(text)
            floor = min(run_command([PYTHON, "-c", "import sympy"])[0] for _ in range(3))
            argv = [GRADCLI, "grad", text, "--at", point, "--format", "json"]
            on_line = min(timed(argv, env) for _ in range(2 if n < 1000 else 1))
            from_file = timed([GRADCLI, "grad", f"@{source}", "--at", point, "-f", "json"], env)
            times[n] = min(on_line, from_file)
            aim = 3.0 / floor if n == 1000 else 10.0
            report(
                f"Rosenbrock n={n}: parse + gradient + value, vs import sympy", on_line, floor, aim
            )
            report(f"Rosenbrock n={n} from @file, vs import sympy", from_file, floor, aim)
    exponent = math.log(times[1000] / times[100]) / math.log(10)
    print(
        f"{'Rosenbrock growth exponent from n=100 to n=1000':<58} n^{exponent:.2f}"
        f"  (aim ≤ n^1.2)  {'meets' if exponent <= 1.2 else 'MISSES'}"
    )
    print(
        f"{'Rosenbrock n=1000 total':<58} {times[1000]:.2f} s"
        f"  (aim < 3 s)  {'meets' if times[1000] < 3 else 'MISSES'}"
    )


if __name__ == "__main__":
    main()
