"""Narrow terminals: every number a table shows is whole, never cut to "8.6…".

A table that would cut a word at the terminal's width is shown one row at a
time instead (:func:`gradcli.render.console.stacked`). The numbers are read
back and compared with the same run at a width where nothing is cut, and
with the JSON output's floats.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import invoke

WIDTHS = (40, 60, 80)
WIDE = 200

#: a decimal as the tables print one: -0.5812, 13, 8.6023, 2.1452e-17
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?")

COMMANDS = {
    "grad": ("grad", "x^2 + y^2 + x*y", "--at", "1,3"),
    "grad, four variables": ("grad", "sin(x)*exp(y)*z^3 + w", "--at", "1.5,2.25,3.125,4"),
    "hessian": ("hessian", "x^3*y^2*z + exp(x*y*z)", "--at", "1.5,2.5,3.5"),
    "jacobian": ("jacobian", "x*y*z + 1.25, x^2 - y^3*z", "--at", "1.5,2.5,3.5"),
    "critical": ("critical", "x^3 - 3x + y^2 - 2.5*x*y"),
    "check": ("check", "x^2*y", "--gradient", "2*x*y, x^2", "--at", "1,2"),
    "descend": ("descend", "x^2 + y^2 + x*y", "--from", "1,3"),
    "descend, three methods": (
        "descend",
        "x^2+3y^2",
        "--from",
        "1,1",
        "--method",
        "gd,momentum,adam",
    ),
}


def shown(args: tuple[str, ...], width: int) -> str:
    result = invoke(*args, env={"COLUMNS": str(width), "NO_COLOR": "1"})
    assert result.exit_code == 0, result
    return result.stdout


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_same_numbers_whole_at_every_width(name: str, width: int) -> None:
    args = COMMANDS[name]
    narrow, wide = shown(args, width), shown(args, WIDE)
    # (one row at a time repeats the column names, and the numbers they hold)
    assert set(NUMBER.findall(narrow)) == set(NUMBER.findall(wide)), narrow
    # nothing cut: the only ellipses are those a wide run shows too (rows left out)
    assert narrow.count("…") == wide.count("…"), narrow
    assert max(len(line) for line in narrow.splitlines()) <= width, narrow


def test_a_narrow_descent_shows_each_step_whole_against_json() -> None:
    args = COMMANDS["descend"]
    out = shown(args, 40)
    trajectory = invoke(*args, "--format", "json").json["runs"][0]["trajectory"]
    norms, values = trajectory["gradient_norms"], trajectory["values"]
    steps: dict[int, dict[str, str]] = {}
    k = None
    for line in out.splitlines():
        if match := re.fullmatch(r"k +(\d+)", line):
            k = int(match.group(1))
            steps[k] = {}
        elif k is not None and (match := re.fullmatch(r"  (\S+) +(.+)", line)):
            steps[k][match.group(1)] = match.group(2)
    assert len(steps) >= 10 and 0 in steps
    for k, cells in steps.items():
        # five significant digits, as the wide table shows them
        assert float(cells["|∇f|"]) == pytest.approx(norms[k], rel=1e-4), (k, cells)
        assert float(cells["f(θ_k)"]) == pytest.approx(values[k], rel=1e-4, abs=1e-12), (k, cells)
        point = [float(v) for v in NUMBER.findall(cells["θ_k"])]
        assert point == pytest.approx(trajectory["points"][k], rel=1e-4, abs=1e-12)
    assert steps[0]["|∇f|"] == "8.6023"  # √74 = 8.60232526…


def test_a_table_that_fits_stays_a_table() -> None:
    out = shown(COMMANDS["grad"], 60)
    assert "┏" in out and "variable" in out.splitlines()[2]
    narrow = shown(COMMANDS["grad, four variables"], 40)
    assert "┏" not in narrow and "variable" in narrow


def test_the_magnitude_is_whole_in_a_narrow_grad() -> None:
    args = COMMANDS["grad, four variables"]
    record = invoke(*args, "--format", "json").json
    out = shown(args, 40)
    for value in record["value_float"]:
        assert any(float(n) == pytest.approx(value, rel=1e-6) for n in NUMBER.findall(out)), value
