"""Each output format of `grad`, pinned whole against golden files."""

from __future__ import annotations

import csv
import io
import json

import pytest

from gradcli.calculus import gradient
from gradcli.formats import grad as formats
from gradcli.parse import parse_expression
from gradcli.render.console import Screen
from gradcli.render.grad import to_table
from tests.golden import assert_golden

SEED = gradient("x**2+y**2+x*y", at="1,3")
SYMBOLIC = gradient("x*exp(x*y)")
CRITICAL = gradient("x^2 + y^2", at="0,0")
ALONG = gradient("x^2+y^2+xy", at="1,3", along="1,1")


@pytest.mark.parametrize(
    ("name", "render"),
    [
        ("json", formats.to_json),
        ("csv", formats.to_csv),
        ("plain", formats.to_plain),
        ("latex", formats.to_latex),
        ("table", lambda r: to_table(r, Screen(width=80, color=False))),
    ],
)
@pytest.mark.parametrize(
    ("case", "result"),
    [("seed", SEED), ("symbolic", SYMBOLIC), ("critical", CRITICAL), ("along", ALONG)],
)
def test_golden(name: str, render, case: str, result) -> None:  # type: ignore[no-untyped-def]
    assert_golden(f"grad_{case}.{name}", render(result))


def test_json_contract_for_the_seed() -> None:
    data = json.loads(formats.to_json(SEED))
    assert data["expression"] == "x**2 + x*y + y**2"
    assert data["variables"] == ["x", "y"]
    assert data["gradient"] == ["2*x + y", "x + 2*y"]
    assert data["point"] == ["1", "3"]
    assert data["value"] == ["5", "7"]
    assert data["value_float"] == [5.0, 7.0]
    assert data["magnitude"] == "sqrt(74)"
    assert data["magnitude_float"] == pytest.approx(8.602325267042627)
    assert data["direction"] == ["5*sqrt(74)/74", "7*sqrt(74)/74"]
    assert data["direction_float"] == pytest.approx([0.5812381937190965, 0.8137334712067351])


def test_json_values_read_back_with_our_own_parser() -> None:
    data = json.loads(formats.to_json(SEED))
    for text, exact in zip(data["gradient"], SEED.components):
        assert parse_expression(text) == exact
    assert SEED.at is not None
    assert parse_expression(data["magnitude"]) == SEED.at.magnitude
    for text, exact in zip(data["direction"], SEED.at.direction or ()):
        assert parse_expression(text) == exact


def test_json_without_a_point_has_null_point_keys() -> None:
    data = json.loads(formats.to_json(SYMBOLIC))
    for key in ("point", "value", "value_float", "magnitude", "direction"):
        assert data[key] is None


def test_json_direction_is_null_at_a_critical_point() -> None:
    data = json.loads(formats.to_json(CRITICAL))
    assert data["critical"] is True
    assert data["direction"] is None and data["direction_float"] is None


def test_csv_reads_back_with_the_csv_module() -> None:
    rows = list(csv.DictReader(io.StringIO(formats.to_csv(SEED))))
    assert [row["variable"] for row in rows] == ["x", "y"]
    assert [row["value"] for row in rows] == ["5", "7"]
    assert {row["magnitude"] for row in rows} == {"sqrt(74)"}
    assert float(rows[0]["magnitude_float"]) == pytest.approx(8.602325267042627)
    assert list(rows[0]) == list(formats.CSV_COLUMNS)


def test_csv_has_the_same_columns_with_and_without_a_point() -> None:
    for result in (SEED, SYMBOLIC, CRITICAL, ALONG):
        header = formats.to_csv(result).splitlines()[0]
        assert header == ",".join(formats.CSV_COLUMNS)
    assert formats.to_csv(SEED, header=False) == formats.to_csv(SEED).split("\n", 1)[1]


def test_json_starts_with_the_schema_version() -> None:
    text = formats.to_json(SEED, head={"line": 4, "input": "x"})
    assert text.startswith(
        '{"schema_version": 1, "language": "en", "line": 4, "input": "x", "expression"'
    )


def test_plain_has_no_notes_they_are_messages() -> None:
    assert "note:" not in formats.to_plain(ALONG)
    assert formats.notes_of(ALONG) == ("note: read 'xy' as x·y (a product of variables)",)


def test_plain_is_one_fact_a_line() -> None:
    lines = formats.to_plain(SEED).splitlines()
    facts = dict(line.split(": ", 1) for line in lines)
    assert facts["magnitude"] == "sqrt(74)"
    assert facts["df/dx"] == "2*x + y"


def test_latex_has_the_gradient_as_students_write_it() -> None:
    assert r"\nabla f(x, y) &= \left(2 x + y,\ x + 2 y\right)" in formats.to_latex(SEED)
