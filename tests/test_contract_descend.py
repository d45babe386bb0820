"""``gradcli descend``'s machine contract: one JSON shape for one run and for a
comparison (an object with ``runs``), valid under the shipped schema, one type
per key in every mode; one CSV table with one header."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.conftest import invoke
from tests.contract import assert_first_key_is_the_version, assert_one_type_per_key, csv_rows
from tests.schemas import validate

LOSSES = Path(__file__).parent / "data" / "losses"
LINE = str(LOSSES / "line.csv")
PLANE = str(LOSSES / "plane.tsv")
SEED = "x^2 + y^2 + xy"

#: (arguments, exit code, what the case shows)
CASES = [
    ((SEED, "--from", "1,3"), 0, "one run"),
    ((SEED, "--from", "1,3", "--lr", "0.01,0.1,0.5,0.7"), 0, "rates compared, one diverged"),
    (
        (
            "(1-x)^2 + 100(y-x^2)^2",
            "--from",
            "-1.5,2",
            "--method",
            "gd,momentum,adam",
            "--lr",
            "0.001",
            "--steps",
            "300",
        ),
        0,
        "methods compared",
    ),
    ((SEED, "--from", "1,3", "--lr", "0.7"), 3, "diverged"),
    ((SEED, "--from", "1,3", "--lr", "1/10", "--steps", "3", "--exact"), 0, "exact steps"),
    (("--data", LINE, "--model", "w*x + b", "--from", "0,0", "--lr", "0.05"), 0, "data"),
    (
        (
            "--data",
            LINE,
            "--model",
            "w*x + b",
            "--from",
            "0,0",
            "--batch-size",
            "1",
            "--seed",
            "1",
            "--epochs",
            "5",
        ),
        0,
        "sgd",
    ),
    (
        (
            "--data",
            PLANE,
            "--model",
            "a*x1 + b*x2 + c",
            "--target",
            "y",
            "--from",
            "0,0,0",
            "--lr",
            "0.01",
            "--steps",
            "50",
        ),
        0,
        "three parameters",
    ),
    (("x^3 - 3x", "--from", "0.5", "--method", "newton"), 0, "one variable, newton"),
    (("-(x^2 + y^2)", "--from", "1,1", "--ascent", "--method", "nesterov"), 0, "ascent"),
    ((SEED, "--from", "1,3", "--method", "armijo"), 0, "armijo"),
    ((SEED, "--from", "1,3", "--schedule", "exp:gamma=0.99"), 0, "a schedule"),
    (("x^2 - y^2", "--from", "1,0"), 0, "a saddle"),
]
IDS = [what for _, _, what in CASES]


@functools.cache
def output(args: tuple[str, ...], fmt: str, code: int) -> str:
    result = invoke("descend", *args, "--format", fmt)
    assert result.exit_code == code, result
    return result.stdout


def document(args: tuple[str, ...], code: int) -> Any:
    return json.loads(output(args, "json", code), parse_constant=lambda name: pytest.fail(name))


@pytest.mark.parametrize(("args", "code", "what"), CASES, ids=IDS)
def test_the_json_is_valid_under_the_schema(args: tuple[str, ...], code: int, what: str) -> None:
    data = document(args, code)
    validate("descend", data)
    assert_first_key_is_the_version(data)


def test_one_run_and_a_comparison_have_one_shape() -> None:
    one = document(*CASES[0][:2])
    several = document(*CASES[1][:2])
    assert list(one) == list(several)
    assert len(one["runs"]) == 1 and len(several["runs"]) == 4
    assert [r["learning_rate"] for r in several["runs"]] == [0.01, 0.1, 0.5, 0.7]
    assert [r["stop_reason"] for r in several["runs"]][-1] == "diverged"
    assert one["start"] == [1.0, 3.0] == one["runs"][0]["trajectory"]["points"][0]


def test_every_case_shows_what_it_is_meant_to() -> None:
    data = {what: document(args, code) for args, code, what in CASES}
    assert data["diverged"]["runs"][0]["diagnosis"]["lr_bound_exact"] == "2/3"
    assert data["exact steps"]["runs"][0]["exact"]["points"][1] == ["1/2", "23/10"]
    assert data["data"]["loss"].startswith("L(w, b) = ")
    assert data["sgd"]["runs"][0]["mini_batches"]["batch_size"] == 1
    assert data["one run"]["runs"][0]["mini_batches"] is None
    assert data["a saddle"]["runs"][0]["final_kind"] == "saddle"


def test_a_key_never_changes_type() -> None:
    assert_one_type_per_key(document(args, code) for args, code, _ in CASES)


def test_a_wrong_document_is_rejected() -> None:
    data = document(*CASES[0][:2])
    for spoil in (
        lambda d: d.pop("schema_version"),
        lambda d: d.__setitem__("runs", d["runs"][0]),  # the old single-run shape
        lambda d: d["runs"][0].__setitem__("stop_reason", "done"),
        lambda d: d["runs"][0].__setitem__("learning_rate", "0.1"),
        lambda d: d["runs"][0]["trajectory"].__setitem__("values", "1 2"),
        lambda d: d.__setitem__("runs", []),
    ):
        spoiled = json.loads(json.dumps(data))
        spoil(spoiled)
        with pytest.raises(jsonschema.ValidationError):
            validate("descend", spoiled)


def test_the_schemas_enums_are_the_codes() -> None:
    from gradcli.descent import PointKind
    from gradcli.descent.results import METHODS, StopReason
    from gradcli.schemas import schema

    run = schema("descend")["$defs"]["run"]["properties"]
    assert run["stop_reason"]["enum"] == [r.value for r in StopReason]
    assert run["final_kind"]["enum"] == [k.value for k in PointKind]
    assert run["method"]["enum"] == list(METHODS)


@pytest.mark.parametrize(("args", "code", "what"), CASES, ids=IDS)
def test_the_csv_is_one_table(args: tuple[str, ...], code: int, what: str) -> None:
    rows = csv_rows(output(args, "csv", code))
    data = document(args, code)
    header = rows[0]
    assert header[:4] == ["run", "method", "lr", "k"]
    runs = data["runs"]
    assert len(rows) - 1 == sum(r["steps"] + 1 for r in runs)
    assert {row[0] for row in rows[1:]} == {str(i) for i in range(1, len(runs) + 1)}
    names = data["variables"]
    last = [row for row in rows[1:] if row[0] == "1"][-1]
    cells = dict(zip(header, last))
    final = runs[0]["final_point"]
    if None not in final:  # a diverged run's CSV keeps inf and nan, its JSON null
        assert [float(cells[n]) for n in names] == final


def test_a_variable_named_like_a_column_is_told_apart() -> None:
    args = ("k^2 + f^2", "--from", "1,2", "--steps", "2")
    rows = csv_rows(output(args, "csv", 0))  # csv_rows: no name twice
    assert rows[0][:8] == ["run", "method", "lr", "k", "f (variable)", "k (variable)", "f", "df/df"]
    assert rows[1][4:6] == ["1.0", "2.0"]  # --from in the variables' order: f = 1, k = 2
