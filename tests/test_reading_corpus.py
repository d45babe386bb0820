"""What students type, read through the real command (issue 13, /work/notes/rules13.md).

``tests/data/reading/corpus.jsonl`` holds one typed function a row with the
reading the rules R1–R8 give it, or the refusal they demand. The rows run
through ``gradcli grad - --format json`` (one process per ``--vars``), and each
reading is compared mathematically with the expected one, built here by sympy
from the test data (never from user text). An accepted row whose ``note`` is
null is read literally: its notes must be empty. A refused row names a
substring of the one-line error and, for an ambiguity, both readings.

``points.jsonl`` (R8 values at negative points, R9 points written ``1 2``,
R10) and ``answers.jsonl`` (answers in ``check`` read by the same rules) need
one process a row and stay short.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import sympy

DATA = Path(__file__).parent / "data" / "reading"
GRADCLI = str(Path(sys.executable).parent / "gradcli")
TIMEOUT = 120


def _load(name: str) -> list[dict[str, Any]]:
    with (DATA / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


ROWS = _load("corpus.jsonl")
POINTS = _load("points.jsonl")
ANSWERS = _load("answers.jsonl")
FAMILIES = sorted({row["family"] for row in ROWS})

_NAME = re.compile(r"[^\W\d]\w*")
_NUMBERS = {
    "__builtins__": {},
    "Integer": sympy.Integer,
    "Float": sympy.Float,
    "Rational": sympy.Rational,
    "Symbol": sympy.Symbol,
}
_CONSTANTS = {"pi": sympy.pi, "E": sympy.E, "I": sympy.I, "oo": sympy.oo, "zoo": sympy.zoo}


@cache
def math(text: str) -> sympy.Expr:
    """A sympy expression of trusted test text (or of gradcli's printed output).

    A name called like a function is sympy's function; ``pi``, ``E``, ``S``
    are sympy's; every other name is a real symbol, as gradcli's are.
    """
    names: dict[str, Any] = {"S": sympy.S, **_CONSTANTS}
    for match in _NAME.finditer(text):
        name = match.group()
        called = text[match.end() : match.end() + 1] == "("
        if called:
            names[name] = getattr(sympy, name)
        elif name not in names:
            names[name] = sympy.Symbol(name, real=True)
    return sympy.parse_expr(text, local_dict=names, global_dict=dict(_NUMBERS))


def same(got: str, expected: str) -> bool:
    a, b = math(got), math(expected)
    if a == b:
        return True
    difference = a - b
    return bool(sympy.expand(difference) == 0 or sympy.simplify(difference) == 0)


def run(args: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [GRADCLI, *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=TIMEOUT,
        check=False,
    )


def _no_crash(proc: subprocess.CompletedProcess[str], what: str) -> None:
    assert "Traceback" not in proc.stderr, f"{what}: traceback\n{proc.stderr}"
    assert "internal error" not in proc.stderr, f"{what}: internal error\n{proc.stderr}"


@pytest.fixture(scope="module")
def records() -> dict[int, dict[str, Any]]:
    """The JSON record of each corpus row, by row index: one process per --vars."""
    groups: dict[str | None, list[int]] = defaultdict(list)
    for index, row in enumerate(ROWS):
        groups[row.get("vars")].append(index)
    found: dict[int, dict[str, Any]] = {}
    for variables, indexes in groups.items():
        args = ["grad", "-", "--format", "json", "--no-simplify"]
        if variables:
            args += ["--vars", variables]
        stdin = "".join(ROWS[i]["input"] + "\n" for i in indexes)
        proc = run(args, stdin)
        what = f"gradcli {' '.join(args)}"
        _no_crash(proc, what)
        out = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
        assert [r["line"] for r in out] == list(range(1, len(indexes) + 1)), (
            f"{what}: one record per input line expected\n{proc.stdout}\n{proc.stderr}"
        )
        for index, record in zip(indexes, out, strict=True):
            found[index] = record
    return found


def mismatch(row: dict[str, Any], record: dict[str, Any]) -> str | None:
    """Why ``record`` is not what ``row`` expects, or None."""
    problems: list[str] = []
    if row["expect"] is None:
        if "error" not in record:
            problems.append("accepted, but must be refused")
        else:
            code = row.get("exit_code", 2)
            if record.get("exit_code") != code:
                problems.append(f"exit code {record.get('exit_code')}, expected {code}")
            if row["error"] not in record["error"]:
                problems.append(f"error lacks {row['error']!r}")
            for hint in row.get("hint") or []:
                if hint not in record["error"]:
                    problems.append(f"hint lacks {hint!r}")
    elif "error" in record:
        problems.append("refused, but must be accepted")
    else:
        if not same(record["expression"], row["expect"]):
            problems.append("a different function")
        notes = record.get("notes", [])
        if row["note"] is None and notes:
            problems.append("literal reading, but notes were given")
        if row["note"] is not None and not any(row["note"] in note for note in notes):
            problems.append(f"no note contains {row['note']!r}")
        for key in ("variables", "parameters"):
            if key in row and record.get(key) != row[key]:
                problems.append(f"{key} {record.get(key)}, expected {row[key]}")
    if not problems:
        return None
    want = (
        f"refusal ~{row['error']!r} hint {row.get('hint')}"
        if row["expect"] is None
        else f"{row['expect']} note ~{row['note']!r}"
        + "".join(f" {k} {row[k]}" for k in ("variables", "parameters") if k in row)
    )
    got = (
        f"error {record['error']!r} (exit {record.get('exit_code')})"
        if "error" in record
        else f"{record['expression']} notes {record.get('notes')} variables "
        f"{record.get('variables')} parameters {record.get('parameters')}"
    )
    where = f" --vars {row['vars']}" if row.get("vars") else ""
    return (
        f"{row['input']!r}{where} [{row['why']}]: {'; '.join(problems)}\n"
        f"    expected: {want}\n    got:      {got}"
    )


def test_corpus_is_large_and_well_formed() -> None:
    assert len(ROWS) >= 300
    assert len({(r["input"], r.get("vars")) for r in ROWS}) == len(ROWS), "duplicate rows"
    for row in ROWS:
        text = row["input"]
        assert text.strip() and not text.lstrip().startswith("#") and "\n" not in text, row
        assert row["why"], row
        if row["expect"] is None:
            assert isinstance(row["error"], str), row
        else:
            math(row["expect"])  # the expectation itself is well formed


@pytest.mark.parametrize("family", FAMILIES)
def test_corpus_family(family: str, records: dict[int, dict[str, Any]]) -> None:
    failures = [
        message
        for index, row in enumerate(ROWS)
        if row["family"] == family and (message := mismatch(row, records[index])) is not None
    ]
    total = sum(1 for row in ROWS if row["family"] == family)
    assert not failures, f"{len(failures)} of {total} rows of {family!r}:\n" + "\n".join(failures)


def _point_args(row: dict[str, Any]) -> list[str]:
    args = list(row["args"])
    return args if "--format" in args else [*args, "--format", "json"]


@pytest.fixture(scope="module")
def single_runs() -> dict[tuple[str, int], subprocess.CompletedProcess[str]]:
    """Each row of points.jsonl and answers.jsonl run once, two processes at a time."""
    jobs = [(("points", i), _point_args(r), r.get("stdin", "")) for i, r in enumerate(POINTS)]
    jobs += [(("answers", i), _point_args(r), "") for i, r in enumerate(ANSWERS)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = pool.map(lambda job: (job[0], run(job[1], job[2])), jobs)
        return dict(done)


def _point_id(row: dict[str, Any]) -> str:
    return " ".join(row["args"]) + (f" <<< {row['stdin']!r}" if "stdin" in row else "")


@pytest.mark.parametrize("index", range(len(POINTS)), ids=[_point_id(r) for r in POINTS])
def test_points(index: int, single_runs: dict[tuple[str, int], Any]) -> None:
    row = POINTS[index]
    args = _point_args(row)
    proc = single_runs["points", index]
    what = f"gradcli {' '.join(args)} [{row['why']}]"
    _no_crash(proc, what)
    detail = f"{what}\n-> exit {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}"
    assert proc.returncode == row["exit_code"], detail
    if "error" in row:
        assert row["error"] in proc.stderr, detail
        assert len(proc.stderr.strip().splitlines()) == 1, detail
    if proc.returncode != 0:
        return
    out = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    if "gradient_float" in row:
        got = [record["value_float"] for record in out]
        assert len(got) == len(row["gradient_float"]), detail
        for values, wanted in zip(got, row["gradient_float"], strict=True):
            assert values == pytest.approx(wanted), detail
        return
    (record,) = out
    if "expression" in row:
        assert same(record["expression"], row["expression"]), detail
    if "function_value" in row:
        assert same(record["function_value"], row["function_value"]), detail
    if "value" in row:
        assert len(record["value"]) == len(row["value"]), detail
        for got_value, wanted_value in zip(record["value"], row["value"], strict=True):
            assert same(got_value, wanted_value), detail


@pytest.mark.parametrize("index", range(len(ANSWERS)), ids=[" ".join(r["args"]) for r in ANSWERS])
def test_answers(index: int, single_runs: dict[tuple[str, int], Any]) -> None:
    row = ANSWERS[index]
    args = _point_args(row)
    proc = single_runs["answers", index]
    what = f"gradcli {' '.join(args)} [{row['why']}]"
    _no_crash(proc, what)
    detail = f"{what}\n-> exit {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}"
    assert proc.returncode == row["exit_code"], detail
    if "error" in row:
        assert row["error"] in proc.stderr, detail
        assert proc.stderr.startswith("gradcli: error: "), detail
    if "correct" in row:
        assert json.loads(proc.stdout)["correct"] is row["correct"], detail
