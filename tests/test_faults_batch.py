"""Fault injection for ``gradcli check --batch``: malformed CSV and JSON Lines.

Each test runs the real console script in a subprocess on a file of
``tests/data/faults/batch_*`` (or input made here), and asserts the exit
code, that every message is one ``gradcli:`` line (no traceback, no
"internal error"), and that every input row gets exactly one result.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

FAULTS = Path(__file__).parent / "data" / "faults"
F = "x^2+y^2+xy"
RIGHT = '"2x + y, x + 2y"'


def _gradcli() -> str:
    found = shutil.which("gradcli", path=str(Path(sys.executable).parent))
    found = found or shutil.which("gradcli")
    if found is None:  # pragma: no cover - the dev install provides it
        pytest.skip("the gradcli console script is not installed")
    return found


@dataclass(frozen=True)
class Run:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)

    def __repr__(self) -> str:  # shown when an assertion fails
        return (
            f"gradcli {' '.join(repr(a)[:80] for a in self.args)}\n-> exit {self.returncode}\n"
            f"--- stdout ---\n{self.stdout[:3000]}--- stderr ---\n{self.stderr[:3000]}"
        )


def gradcli(*args: str, stdin: bytes | None = None) -> Run:
    """The console script, one worker, no colour, at a fixed width."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADCLI_")}
    env.update({"NO_COLOR": "1", "COLUMNS": "100", "PYTHONIOENCODING": "utf-8"})
    done = subprocess.run(
        [_gradcli(), *args],
        env=env,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        timeout=300,
    )
    run = Run(
        tuple(args),
        done.returncode,
        done.stdout.decode("utf-8", "replace"),
        done.stderr.decode("utf-8", "replace"),
    )
    assert "Traceback" not in run.stdout + run.stderr, run
    assert "internal error" not in run.stdout + run.stderr, run
    for line in run.stderr.splitlines():
        assert line.startswith("gradcli: "), run
    return run


def batch(source: str | Path, *args: str, stdin: bytes | None = None) -> Run:
    return gradcli("check", F, "--jobs", "1", "--batch", str(source), *args, stdin=stdin)


def failed(run: Run, code: int, words: str) -> None:
    """A refusal: the exit code and exactly one ``gradcli: error:`` line."""
    assert run.returncode == code, run
    assert run.stdout == "", run
    (line,) = run.stderr.splitlines()
    assert line.startswith("gradcli: error: "), run
    assert words in line, run


def input_rows(data: bytes) -> int:
    """The rows of a batch, counted here apart from gradcli's reader: the
    non-blank lines (any line end) after the header, or all of them in JSON Lines."""
    lines = [line for line in re.split(rb"\r\n|\r|\n", data) if line.strip()]
    return len(lines) if lines[0].lstrip().startswith(b"{") else len(lines) - 1


def results(run: Run) -> list[dict[str, Any]]:
    """The rows of a JSON batch output, after checking the summary counts them."""
    assert run.returncode == 0, run
    data = run.json
    assert data["summary"]["rows"] == len(data["rows"]), run
    return list(data["rows"])


def message(row: dict[str, Any]) -> str:
    (part,) = row["parts"]
    assert part["part"] == "row" and part["verdict"] == "unreadable", row
    return str(part["message"])


# --------------------------------------------------------------------------
# An open quote, NUL bytes, encodings, sizes


def test_an_open_quote_spoils_only_its_own_row() -> None:
    path = FAULTS / "batch_unclosed_quote.csv"
    rows = results(batch(path, "--at", "1,3", "-f", "json"))
    assert len(rows) == input_rows(path.read_bytes()) == 7
    assert [r["id"] for r in rows] == ["ann", "ben", "cai", "dee", "eli", "fay", "gus"]
    assert [r["line"] for r in rows] == [2, 3, 4, 5, 6, 7, 8]
    eli = rows[4]
    assert "line 6" in message(eli) and "quote" in message(eli)
    assert rows[-1]["correct"] is True  # the row after the open quote is graded
    summary = batch(path, "--at", "1,3", "-f", "json").json["summary"]
    assert (summary["rows"], summary["malformed"], summary["unreadable"]) == (7, 1, 2)


def test_an_open_quote_in_a_big_class_loses_nobody() -> None:
    lines = ["id,gradient", 'early,"2x + y, x + 2y'] + [f"s{i},{RIGHT}" for i in range(300)]
    data = ("\n".join(lines) + "\n").encode()
    rows = results(batch("-", "-f", "json", stdin=data))
    assert len(rows) == input_rows(data) == 301
    assert "not closed" in message(rows[0])
    assert all(r["correct"] for r in rows[1:])


@pytest.mark.parametrize("output_format", ["csv", "plain", "table"])
def test_every_format_has_every_row_and_counts_the_malformed(output_format: str) -> None:
    run = batch(FAULTS / "batch_unclosed_quote.csv", "--at", "1,3", "-f", output_format)
    assert run.returncode == 0, run
    if output_format == "csv":
        records = list(csv.DictReader(io.StringIO(run.stdout)))
        assert len({(r["id"], r["line"]) for r in records}) == 7, run
    else:
        for name in ("ann", "ben", "cai", "dee", "eli", "fay", "gus"):
            assert re.search(rf"^│? ?{name} ", run.stdout, re.MULTILINE), (name, run)
    assert "7 rows: 3 all correct, 2 with a wrong part, 2 unreadable (1 malformed)" in (
        run.stdout + run.stderr
    ), run


def test_an_open_quote_in_the_header_is_a_usage_error() -> None:
    failed(batch("-", stdin=b'id,"gradient\nann,2x\n'), 2, "line 1: not a CSV header")


def test_nul_bytes_make_their_rows_malformed() -> None:
    data = (FAULTS / "batch_nul.csv").read_bytes()
    rows = results(batch("-", "-f", "json", stdin=data))
    assert len(rows) == input_rows(data) == 5
    assert [r["correct"] for r in rows] == [True, False, False, False, True]
    for row, line in zip(rows[1:4], (3, 4, 5)):
        assert f"line {line}" in message(row) and "NUL" in message(row)


def test_bytes_that_are_not_utf8_spoil_only_their_cell() -> None:
    data = (FAULTS / "batch_mixed_encoding.csv").read_bytes()
    rows = results(batch("-", "-f", "json", stdin=data))
    assert len(rows) == input_rows(data) == 5
    assert [r["id"] for r in rows][:3] == ["José", "Jos\ufffd", "ann"]
    assert [r["correct"] for r in rows] == [True, True, False, False, True]
    assert rows[2]["parts"][0]["verdict"] == "unreadable"  # the bad byte is in its answer


def test_a_giant_cell_and_a_giant_line_are_their_own_rows() -> None:
    data = (
        f'id,gradient\nann,{RIGHT}\ncell,"{"x" * 200_000}"\nline,"{"x" * 2_000_000}"\nben,{RIGHT}\n'
    ).encode()
    rows = results(batch("-", "-f", "json", stdin=data))
    assert len(rows) == input_rows(data) == 4
    assert [r["correct"] for r in rows] == [True, False, False, True]
    assert "line 3" in message(rows[1])
    assert "line 4" in message(rows[2]) and "longer than" in message(rows[2])


def test_a_giant_json_line_is_its_own_row() -> None:
    data = (
        f'{{"id": "a", "gradient": {RIGHT}}}\n{{"id": "b", "gradient": "{"x" * 2_000_000}"}}\n'
        f'{{"id": "c", "gradient": {RIGHT}}}\n'
    ).encode()
    rows = results(batch("-", "-f", "json", stdin=data))
    assert len(rows) == input_rows(data) == 3
    assert [r["correct"] for r in rows] == [True, False, True]
    assert "line 2" in message(rows[1]) and "longer than" in message(rows[1])


def test_endless_input_without_a_line_end_is_refused_at_once() -> None:
    failed(batch("/dev/zero"), 2, "longer than")


def test_a_utf16_batch_is_refused_with_what_to_do() -> None:
    data = "id,gradient\nann,2x\n".encode("utf-16")
    failed(batch("-", stdin=data), 2, "UTF-16")


# --------------------------------------------------------------------------
# stdin is read like a file: BOM, CR, CRLF


@pytest.mark.parametrize("ending", [b"\r", b"\r\n", b"\n"])
def test_stdin_reads_a_bom_and_any_line_end_like_a_file(tmp_path: Path, ending: bytes) -> None:
    data = (FAULTS / "batch_bom_cr.csv").read_bytes().replace(b"\r", ending)
    path = tmp_path / "batch.csv"
    path.write_bytes(data)
    from_file = batch(path, "-f", "json")
    from_stdin = batch("-", "-f", "json", stdin=data)
    assert from_file.stdout == from_stdin.stdout
    rows = results(from_stdin)
    assert len(rows) == input_rows(data) == 3
    assert [r["id"] for r in rows] == ["ann", "ben", "cai"]  # the id column despite the BOM
    assert [r["correct"] for r in rows] == [True, False, False]


def test_a_bom_on_stdin_json_lines_is_dropped() -> None:
    data = b'\xef\xbb\xbf{"id": "ann", "gradient": "2x + y, x + 2y"}\r'
    data += b'{"id": "ben", "gradient": "2x"}\r'
    rows = results(batch("-", "-f", "json", stdin=data))
    assert [(r["id"], r["correct"]) for r in rows] == [("ann", True), ("ben", False)]


# --------------------------------------------------------------------------
# A column named twice: an error in a CSV header and in a JSON line alike


def test_json_keys_that_name_one_column_twice_are_an_error_of_their_row() -> None:
    data = (FAULTS / "batch_case_keys.jsonl").read_bytes()
    rows = results(batch("-", "-f", "json", stdin=data))
    assert len(rows) == input_rows(data) == 5
    assert [r["id"] for r in rows] == ["ann", "ben", "cai", "dee", "eli"]
    assert [r["correct"] for r in rows] == [False, True, False, False, True]
    assert "'gradient' and 'Gradient' both name the column 'gradient'" in message(rows[0])
    assert "the key 'gradient' is given twice" in message(rows[2])
    assert "'expression' and 'Function' both name the column 'expression'" in message(rows[3])
    assert all(f"line {n}" in message(rows[n - 1]) for n in (1, 3, 4))


def test_csv_headers_that_name_one_column_twice_are_an_error() -> None:
    failed(batch("-", stdin=b"id,gradient,Gradient\nann,2x,2y\n"), 2, "twice")


# --------------------------------------------------------------------------
# --seed


@pytest.mark.parametrize("seed", ["-1", "4294967296", str(-(10**30))])
@pytest.mark.parametrize("where", ["one", "batch"])
def test_a_seed_out_of_range_is_a_usage_error(seed: str, where: str) -> None:
    if where == "one":
        run = gradcli("check", F, "--gradient", "2x+y, x+2y", f"--seed={seed}")
    else:
        run = batch("-", f"--seed={seed}", stdin=b"id,gradient\nann,2x\n")
    failed(run, 2, "--seed")


@pytest.mark.parametrize("seed", ["0", "4294967295"])
def test_the_ends_of_the_seed_range_work(seed: str) -> None:
    run = gradcli("check", "sin(x)^2", "--gradient", "2sin(x)cos(x)", "--seed", seed, "-f", "json")
    assert run.returncode == 0, run
    assert run.json["seed"] == int(seed)


# --------------------------------------------------------------------------
# Control characters from the input never reach a terminal raw

#: what a terminal acts on or that hides text: ESC, BEL, BS, CSI, CR, RLO
RAW = ("\x1b", "\x07", "\x08", "\x9b", "\r", "\u202e")


@pytest.mark.parametrize("output_format", ["plain", "table"])
def test_plain_and_table_show_control_characters_visibly(output_format: str) -> None:
    run = batch(FAULTS / "batch_control_id.csv", "-f", output_format)
    assert run.returncode == 0, run
    for char in RAW:
        assert char not in run.stdout + run.stderr, (char, run)
    assert "[2J" in run.stdout and "ann" in run.stdout and "cai" in run.stdout
    if output_format == "plain":  # the documented rule: each one is a '?'
        assert "?[2J?]0;pwned?ann gradient: correct" in run.stdout, run
        assert "ben?[31m?? gradient: wrong" in run.stdout, run


def test_csv_escapes_control_characters_and_json_keeps_them_escaped() -> None:
    path = FAULTS / "batch_control_id.csv"
    run = batch(path, "-f", "csv")
    assert run.returncode == 0, run
    for char in RAW:
        assert char not in run.stdout + run.stderr, (char, run)
    ids = [r["id"] for r in csv.DictReader(io.StringIO(run.stdout))]
    assert ids == [
        "\\u001b[2J\\u001b]0;pwned\\u0007ann",
        "ben\\u001b[31m\\u009b\\u0008",
        "\\u202ecai",
    ]
    as_json = batch(path, "-f", "json")
    for char in RAW:
        assert char not in as_json.stdout, (char, as_json)
    ids = [r["id"] for r in results(as_json)]  # JSON: the data itself, escaped as JSON does
    assert ids == ["\x1b[2J\x1b]0;pwned\x07ann", "ben\x1b[31m\x9b\x08", "\u202ecai"]


def test_ignored_column_names_are_shown_safely() -> None:
    run = batch("-", "-f", "csv", stdin=f"id,\x1b[2Jevil,gradient\nann,x,{RIGHT}\n".encode())
    assert run.returncode == 0, run
    assert "note: passing through columns: ?[2Jevil" in run.stderr, run
    assert "\x1b" not in run.stderr


# --------------------------------------------------------------------------
# The line reader against an oracle: re.split on the whole input


class _Trickle:
    """A stream that gives a few bytes a read, as a pipe may."""

    def __init__(self, data: bytes, rng: Any) -> None:
        self._data, self._rng, self._at = data, rng, 0

    def read1(self, size: int) -> bytes:
        step = self._rng.randint(1, 7)
        piece = self._data[self._at : self._at + step]
        self._at += step
        return piece


def test_read_lines_agrees_with_splitting_the_whole_input() -> None:
    import random

    from gradcli.grading.batch import LongLine, read_lines

    rng = random.Random(14)
    for _ in range(3000):
        data = bytes(rng.choice(b"ab\r\n\xff") for _ in range(rng.randint(0, 60)))
        if rng.random() < 0.2:
            data = b"\xef\xbb\xbf" + data
        bound = rng.randint(1, 10)
        parts = re.split(rb"\r\n|\r|\n", data.removeprefix(b"\xef\xbb\xbf"))
        if parts[-1] == b"":
            parts.pop()
        expected = [
            LongLine(bound) if len(p) > bound else p.decode("utf-8", "replace") for p in parts
        ]
        for stream in (_Trickle(data, rng), io.BytesIO(data)):
            assert list(read_lines(stream, max_line=bound)) == expected, (data, bound)  # type: ignore[arg-type]
