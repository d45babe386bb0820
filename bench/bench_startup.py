"""Start-up: a one-shot `gradcli grad` against `python -c "import sympy"`.

The floor for any sympy-based tool is importing sympy; gradcli should add
little on top of it. `--help` and `--version` import no sympy at all.
"""

from __future__ import annotations

from common import GRADCLI, PYTHON, interleaved, report, run_command

SEED = [GRADCLI, "grad", "x**2+y**2+x*y", "--at", "1,3"]


def main() -> None:
    sympy_floor = lambda: run_command([PYTHON, "-c", "import sympy"])  # noqa: E731
    python_floor = lambda: run_command([PYTHON, "-c", "pass"])  # noqa: E731
    cases = [
        (
            "start-up: grad --format json vs import sympy",
            [*SEED, "--format", "json"],
            sympy_floor,
            1.15,
        ),
        ("start-up: grad (rich table) vs import sympy", SEED, sympy_floor, 1.22),
        ("start-up: --help vs python -c pass", [GRADCLI, "--help"], python_floor, 5),
        ("start-up: --version vs python -c pass", [GRADCLI, "--version"], python_floor, 5),
    ]
    for case, argv, baseline, aim in cases:
        ours, theirs = interleaved(lambda argv=argv: run_command(argv), baseline, repeats=9)
        report(case, ours, theirs, aim)


if __name__ == "__main__":
    main()
