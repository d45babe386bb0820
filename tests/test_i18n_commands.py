"""The issue's six runs in Korean: golden files of what a student sees, and proof that
the machine formats do not change with the language.

For each run: the table (80 columns, and 40 for the seed) is a golden file;
the JSON in Korean has exactly the English keys, validates against the same
schema (so no enum value was translated), and differs from the English only
in message values, each of which is then Korean; the plain format's keys
(``key: value``, which scripts grep) are the English keys.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len

from tests.conftest import invoke
from tests.golden import GOLDEN, assert_golden
from tests.schemas import validate
from tests.test_i18n import has_hangul

SEED = "x^2+y^2+xy"
HIMMELBLAU = "(x^2+y-11)^2+(x+y^2-7)^2"

#: name → (the arguments, the schema of its JSON)
RUNS: dict[str, tuple[tuple[str, ...], str]] = {
    "grad": (("grad", SEED, "--at", "1,3"), "grad"),
    "grad-steps": (("grad", SEED, "--at", "1,3", "--steps"), "grad"),
    "check-wrong": (("check", SEED, "--gradient", "2x, 2y", "--at", "1,3"), "check"),
    "descend-diverges": (("descend", SEED, "--from", "1,3", "--lr", "0.7"), "descend"),
    "critical-himmelblau": (("critical", HIMMELBLAU), "critical"),
    "hessian": (("hessian", "x^3 - 3x + y^2", "--at", "1,0"), "hessian"),
}


def korean(*args: str, columns: int = 80) -> Any:
    return invoke("--lang", "ko", *args, env={"COLUMNS": str(columns), "NO_COLOR": "1"})


def english(*args: str) -> Any:
    return invoke(*args, env={"COLUMNS": "80", "NO_COLOR": "1"})


@pytest.mark.parametrize("name", RUNS)
def test_a_korean_run_reads_as_the_golden_file(name: str) -> None:
    args, _schema = RUNS[name]
    result = korean(*args)
    assert result.exit_code in (0, 1, 3), result
    shown = (
        f"$ gradcli --lang ko {shlex.join(args)}\n{result.stdout}--- stderr ---\n{result.stderr}"
    )
    assert_golden(f"ko/{name}.txt", shown)
    assert has_hangul(result.stdout + result.stderr)
    _fits(result.stdout, 80)


def test_the_seed_in_korean_fits_40_columns() -> None:
    result = korean("grad", SEED, "--at", "1,3", columns=40)
    assert result.exit_code == 0
    _fits(result.stdout, 40)
    assert_golden("ko/grad-40.txt", result.stdout)


#: the machine formats of the same runs; critical on a function quicker than
#: Himmelblau's (whose JSON test_i18n_critical compares through the API)
MACHINE_RUNS = {
    **{name: run for name, run in RUNS.items() if name != "critical-himmelblau"},
    "critical": (("critical", "x^3 - 3x + y^2 - xy"), "critical"),
}


@pytest.mark.parametrize("name", MACHINE_RUNS)
def test_json_has_the_english_keys_and_values_but_messages(name: str) -> None:
    args, schema = MACHINE_RUNS[name]
    ours, theirs = korean(*args, "--format", "json"), english(*args, "--format", "json")
    assert ours.exit_code == theirs.exit_code
    ko, en = json.loads(ours.stdout), json.loads(theirs.stdout)
    assert (ko.pop("language"), en.pop("language")) == ("ko", "en")
    validate(schema, {"language": "ko", **ko})
    assert _skeleton(ko) == _skeleton(en)
    translated = [
        (path, a, b) for path, a, b in _strings_apart(ko, en) if a != b and not has_hangul(a)
    ]
    assert not translated, translated  # what changed is a message, now in Korean


@pytest.mark.parametrize("name", MACHINE_RUNS)
def test_plain_keeps_the_english_keys(name: str) -> None:
    args, _schema = MACHINE_RUNS[name]
    ours, theirs = korean(*args, "--format", "plain"), english(*args, "--format", "plain")
    assert _plain_keys(ours.stdout) == _plain_keys(theirs.stdout)


PLOT = ("plot", SEED, "--at", "1,3", "--descend-from", "1,3", "--lr", "0.1,0.7", "--dpi", "40")


def test_plot_in_korean_reads_as_the_golden_file(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    picture = tmp_path / "seed.png"
    result = korean(*PLOT, "-o", str(picture))
    assert result.exit_code == 0, result
    assert picture.read_bytes().startswith(b"\x89PNG")
    shown = f"{result.stdout.replace(str(picture), 'seed.png')}--- stderr ---\n{result.stderr}"
    assert_golden("ko/plot.txt", shown)
    assert has_hangul(result.stdout)


def test_plot_json_has_the_english_keys_and_values_but_words(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    ours = korean(*PLOT, "-o", str(tmp_path / "ko.png"), "--format", "json")
    theirs = english(*PLOT, "-o", str(tmp_path / "en.png"), "--format", "json")
    ko, en = json.loads(ours.stdout), json.loads(theirs.stdout)
    assert (ko.pop("language"), en.pop("language")) == ("ko", "en")
    assert _skeleton(ko) == _skeleton(en)
    changed = [
        (path, a, b)
        for path, a, b in _strings_apart(ko, en)
        if a != b and not has_hangul(a) and path != ".path"
    ]
    assert not changed, changed


def test_csv_headers_are_english() -> None:
    args = ("grad", SEED, "--at", "1,3", "--format", "csv")
    ours, theirs = korean(*args), english(*args)
    assert ours.stdout.splitlines()[0] == theirs.stdout.splitlines()[0]


def test_the_golden_files_are_korean() -> None:
    # a golden file written while the catalogue was missing would be English
    for path in (GOLDEN / "ko").glob("*.txt"):
        assert has_hangul(path.read_text(encoding="utf-8")), path


# --------------------------------------------------------------------------


def _fits(output: str, columns: int) -> None:
    """Every line fits the terminal, counting a Hangul syllable as two columns,
    and every table's lines are equally wide (its borders line up)."""
    lines = output.splitlines()
    assert all(cell_len(line) <= columns for line in lines), [
        (cell_len(line), line) for line in lines if cell_len(line) > columns
    ]
    table: list[str] = []
    for line in lines:
        if line[:1] in "┏┌╭":
            table = [line]
        elif table:
            table.append(line)
            if line[:1] in "└╰┗":
                assert len({cell_len(row) for row in table}) == 1, table
                table = []


def _skeleton(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _skeleton(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_skeleton(item) for item in value]
    return type(value).__name__


def _strings_apart(a: Any, b: Any, path: str = "") -> list[tuple[str, str, str]]:
    if isinstance(a, dict):
        return [pair for key in a for pair in _strings_apart(a[key], b[key], f"{path}.{key}")]
    if isinstance(a, list):
        return [
            pair
            for i, (x, y) in enumerate(zip(a, b))
            for pair in _strings_apart(x, y, f"{path}[{i}]")
        ]
    return [(path, a, b)] if isinstance(a, str) else []


def _plain_keys(text: str) -> list[str]:
    """The keys of ``key: value`` lines (``stop_reason``, ``gradient[0] ∂f/∂x``), not
    the lines of prose among them (a derivation's steps, indented, after its heading)."""
    keys = (line.split(": ", 1)[0] for line in text.splitlines() if ": " in line)
    return [key for key in keys if re.fullmatch(r"[A-Za-z_][\w\[\]/∂ ]*", key)]
