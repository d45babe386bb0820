"""``gradcli check``'s machine contract: one answer and a batch, in JSON valid
under the shipped schemas (one type per key, batch rows as single checks'
parts), CSV with one header and a value per cell, the gradebook's booleans."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.conftest import invoke
from tests.contract import (
    assert_booleans,
    assert_first_key_is_the_version,
    assert_one_type_per_key,
    csv_rows,
)
from tests.schemas import validate

DATA = Path(__file__).parent / "data" / "check"
F = "x^2 + y^2 + xy"

#: (arguments, exit code, what the case shows)
SINGLE = [
    ((F, "--gradient", "2x + y, x + 2y"), 0, "right"),
    ((F, "--gradient", "2x, 2y"), 1, "wrong: a missing term"),
    ((F, "--at", "1,3", "--magnitude", "74"), 1, "wrong: |∇f|²"),
    ((F, "--at", "1,3", "--value", "5,7", "--magnitude", "8.60", "--reveal"), 0, "revealed"),
    ((F, "--gradient", "2x + (y"), 2, "unreadable"),
    (("sqrt(-1-x^2-y^2)", "--gradient", "0, 0"), 3, "undecided"),
    ((F, "--at", "1,3", "--along", "1,1", "--directional", "12/sqrt(2)"), 0, "directional"),
    (
        ("x^3-3x+y^2", "--hessian", "[[6x,0],[0,2]]", "--critical", "(1,0) min; (-1,0) max"),
        1,
        "hessian and critical points",
    ),
]
#: (batch file, extra arguments)
BATCHES = [
    ("class.csv", ("--at", "1,3")),
    ("class.jsonl", ("--at", "1,3")),
    ("roster.csv", ("--at", "1,3", "--reveal")),
    ("hostile.csv", ()),
]


def single(args: tuple[str, ...], code: int, fmt: str = "json") -> str:
    result = invoke("check", *args, "--format", fmt)
    assert result.exit_code == code, result
    return result.stdout


def batch(name: str, args: tuple[str, ...], fmt: str) -> str:
    result = invoke("check", F, *args, "--batch", str(DATA / name), "--format", fmt)
    assert result.exit_code == 0, result
    return result.stdout


def loads(text: str) -> Any:
    return json.loads(text, parse_constant=lambda name: pytest.fail(name))


@pytest.mark.parametrize(("args", "code", "what"), SINGLE, ids=[w for *_, w in SINGLE])
def test_one_check_is_valid_under_the_schema(args: tuple[str, ...], code: int, what: str) -> None:
    data = loads(single(args, code))
    validate("check", data)
    assert_first_key_is_the_version(data)


@pytest.mark.parametrize(("name", "args"), BATCHES, ids=[n for n, _ in BATCHES])
def test_a_batch_is_valid_under_the_schema(name: str, args: tuple[str, ...]) -> None:
    text = batch(name, args, "json")
    data = loads(text)
    validate("check-batch", data)
    assert_first_key_is_the_version(data)
    # a row to a line, as it is graded: each line but the first and last is a row
    lines = text.splitlines()
    assert lines[0] == '{"schema_version": 1, "language": "en", "rows": ['
    assert [loads(line.rstrip(",")) for line in lines[1:-1]] == data["rows"]


def test_an_empty_batch_is_valid_too() -> None:
    result = invoke("check", F, "--batch", "-", "--format", "json", input="id,gradient\n")
    validate("check-batch", result.stdout)
    assert loads(result.stdout)["rows"] == []


def test_a_key_never_changes_type() -> None:
    documents = [loads(single(args, code)) for args, code, _ in SINGLE]
    documents += [loads(batch(name, args, "json")) for name, args in BATCHES]
    assert_one_type_per_key(documents)
    # a batch row's parts are a single check's
    parts = [p for d in documents[: len(SINGLE)] for p in d["parts"]]
    rows = [p for d in documents[len(SINGLE) :] for r in d["rows"] for p in r["parts"]]
    assert_one_type_per_key([{"parts": parts}, {"parts": rows}])


def test_a_wrong_document_is_rejected() -> None:
    data = loads(single(*SINGLE[1][:2]))
    for spoil in (
        lambda d: d.pop("schema_version"),
        lambda d: d.__setitem__("correct", "no"),
        lambda d: d["parts"][0].__setitem__("verdict", "right"),
        lambda d: d["parts"][0].__setitem__("mistakes", "missing_term"),
        lambda d: d["parts"][0].__setitem__("mistakes", ["no_such_mistake"]),
    ):
        spoiled = json.loads(json.dumps(data))
        spoil(spoiled)
        with pytest.raises(jsonschema.ValidationError):
            validate("check", spoiled)
    whole = loads(batch("class.csv", ("--at", "1,3"), "json"))
    whole["rows"][0]["line"] = "2"
    with pytest.raises(jsonschema.ValidationError):
        validate("check-batch", whole)


def test_the_schemas_enums_are_the_codes() -> None:
    from gradcli.grading import results
    from gradcli.schemas import schema

    part = schema("check")["$defs"]["part"]["properties"]
    assert part["part"]["enum"] == [*results.PARTS, "row"]
    verdicts = [results.CORRECT, results.WRONG, results.UNREADABLE, results.UNDECIDED]
    assert part["verdict"]["enum"] == verdicts
    assert part["method"]["enum"] == [results.SYMBOLIC, results.NUMERIC, results.DECIMAL, None]
    assert part["mistakes"]["items"]["enum"] == list(results.MISTAKES)
    assert schema("check-batch")["$defs"]["part"] == schema("check")["$defs"]["part"]


@pytest.mark.parametrize(("args", "code", "what"), SINGLE, ids=[w for *_, w in SINGLE])
def test_one_checks_csv_has_a_value_per_cell(args: tuple[str, ...], code: int, what: str) -> None:
    rows = csv_rows(single(args, code, "csv"))
    assert len(rows) - 1 == len(loads(single(args, code))["parts"])


@pytest.mark.parametrize(("name", "args"), BATCHES, ids=[n for n, _ in BATCHES])
def test_a_batchs_csv_has_one_header(name: str, args: tuple[str, ...]) -> None:
    rows = csv_rows(batch(name, args, "csv"))
    assert rows[0][0] == "id" and "verdict" in rows[0]


def test_the_gradebooks_booleans_are_true_or_false(tmp_path: Path) -> None:
    path = tmp_path / "grades.csv"
    result = invoke("check", F, "--at", "1,3", "--batch", str(DATA / "class.jsonl"),
                    "--summary", str(path), "--format", "csv")  # fmt: skip
    assert result.exit_code == 0, result
    rows = csv_rows(path.read_text(encoding="utf-8"))
    assert_booleans(rows, ["review"])
    assert {row[-1] for row in rows[1:]} == {"true", "false"}
