"""Run every benchmark in bench/ and print one line per case.

Each figure is a ratio against a baseline measured in the same run, since the
machine is shared and absolute times drift. Run with `make bench`.
"""

from __future__ import annotations

import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    print(
        f"gradcli benchmarks: {platform.machine()}, {platform.python_version()}, "
        f"{__import__('os').cpu_count()} cores"
    )
    failed = 0
    started = time.perf_counter()
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"\n== {script.stem}", flush=True)
        done = subprocess.run([sys.executable, str(script)], cwd=HERE)
        failed += done.returncode != 0
    print(f"\nall benchmarks: {time.perf_counter() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
