"""Regenerate the manual's pictures from the real commands (``make pictures``).

Each picture is made by running exactly the command a page of the manual
shows (tests/test_plot_draw.py checks that it does, with the picture below
it), in this folder, with the ``gradcli`` that sits beside this Python; its
output is printed so that the page's text can be checked against it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: the manual's picture commands; each writes its picture into docs/
COMMANDS = (
    'gradcli plot "x**2+y**2+x*y" --at 1,3 --descend-from 1,3 --lr 0.1,0.6,0.7 '
    "--dpi 100 -o seed.png",
    'gradcli plot "(x^2+y-11)^2+(x+y^2-7)^2" --critical --dpi 100 -o himmelblau.png',
    'gradcli --lang ko plot "x^2+y^2+xy" --at 1,3 --descend-from 1,3 --lr 0.1,0.7 '
    "--dpi 100 -o seed-ko.png",
    'gradcli descend --data points.csv --model "w*x + b" --from 0,0 '
    "--method gd,momentum,adam --lr 0.05,0.02,0.3 --plot ml.png",
)


def main() -> int:
    gradcli = Path(sys.executable).parent / "gradcli"
    for command in COMMANDS:
        print(f"$ {command}", flush=True)
        done = subprocess.run(
            ["bash", "-c", command.replace("gradcli ", f"{gradcli} ", 1)],
            cwd=HERE,
            check=False,
        )
        if done.returncode != 0:
            print(f"make_pictures: the command failed with exit code {done.returncode}")
            return done.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
