"""The machine contract of grad, hessian and jacobian: real outputs against the
JSON Schemas shipped in gradcli/schemas, keys that keep their type in every
mode, and CSV that a csv reader takes as one table."""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any

import jsonschema
import pytest
import sympy

from gradcli.parse import parse_expression
from gradcli.schemas import names, schema
from tests.conftest import invoke
from tests.schemas import validate, validate_lines

SEED = ("grad", "x^2+y^2+xy")

#: (schema, arguments, stdin): every JSON shape of grad, hessian and jacobian
RUNS: list[tuple[str, tuple[str, ...], str | None]] = [
    ("grad", (*SEED, "--at", "1,3"), None),
    ("grad", SEED, None),
    ("grad", ("grad", "x*exp(x*y)"), None),
    ("grad", ("grad", "a*x^2+b*y", "--vars", "x,y", "--at", "x=1, y=2, a=3"), None),
    ("grad", ("grad", "x^2 + y^2", "--at", "0,0"), None),
    ("grad", (*SEED, "--at", "1,3", "--along", "1,1"), None),
    ("grad", ("grad", "x^2*y", "--steps"), None),
    ("grad", ("grad", "sin(x^2*y)", "--steps=full", "--at", "1,2"), None),
    ("grad", ("grad", "x^3", "--at", "2"), None),
    ("grad", ("grad", "-", "--at", "1,2"), "x^2+y\nx*y\n"),
    ("grad", ("grad", "-", "--at", "1,2"), "x^2+y\nsin(\nx*y\n"),
    ("grad-points", (*SEED, "--at", "-"), "1,3\n0,0\nhello\n"),
    ("grad-points", ("grad", "log(x)+y", "--at", "-"), "1,1\n-1,1\n"),
    ("hessian", ("hessian", "x^2+y^2+xy", "--at", "0,0"), None),
    ("hessian", ("hessian", "x^3-3x+y^2"), None),
    ("hessian", ("hessian", "x^3-3x+y^2", "--at", "1,0"), None),
    ("hessian", ("hessian", "x^2*y+a*y^3", "--vars", "x,y", "--at", "1,2"), None),
    ("hessian", ("hessian", "x^2 + a*x + y^2", "--vars", "x,y", "--at", "0,0"), None),
    ("hessian", ("hessian", "x^4+y^4", "--at", "0,0"), None),
    ("hessian", ("hessian", "x^2*y + sin(y)", "--steps"), None),
    ("jacobian", ("jacobian", "x*y, x+y, sin(x)", "--at", "1,pi"), None),
    ("jacobian", ("jacobian", "x*y, x+y, a*sin(x)", "--vars", "x,y"), None),
    ("jacobian", ("jacobian", "xy, x"), None),
]


def json_run(args: tuple[str, ...], stdin: str | None) -> str:
    result = invoke(*args, "--format", "json", input=stdin)
    assert result.exit_code in (0, 2), result
    return result.stdout


@pytest.mark.parametrize(("name", "args", "stdin"), RUNS, ids=lambda v: str(v)[:40])
def test_real_output_is_valid_under_its_schema(
    name: str, args: tuple[str, ...], stdin: str | None
) -> None:
    out = json_run(args, stdin)
    assert validate_lines(name, out) >= 1
    for line in out.splitlines():
        record = json.loads(line)
        assert next(iter(record)) == "schema_version" and record["schema_version"] == 1


def test_every_schema_is_a_valid_draft_2020_12_schema_with_descriptions() -> None:
    mine = {"grad", "grad-points", "hessian", "jacobian", "steps"}
    assert mine <= set(names())
    for name in mine:
        shape = schema(name)
        jsonschema.Draft202012Validator.check_schema(shape)
        assert shape["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        for objects in _objects(shape):
            for key, prop in objects["properties"].items():
                assert prop.get("description"), f"{name}: {key} has no description"


def _objects(node: Any) -> list[dict[str, Any]]:
    """Every object schema (with properties) inside ``node``."""
    found = []
    if isinstance(node, dict):
        if "properties" in node:
            found.append(node)
        for value in node.values():
            found += _objects(value)
    elif isinstance(node, list):
        for value in node:
            found += _objects(value)
    return found


def test_the_steps_definition_is_the_same_everywhere() -> None:
    steps = {k: v for k, v in schema("steps").items() if k not in ("$schema", "title")}
    steps["description"] = schema("grad")["$defs"]["gradient"]["properties"]["steps"]["description"]
    assert schema("grad")["$defs"]["gradient"]["properties"]["steps"] == steps
    assert schema("hessian")["properties"]["steps"] == steps


@pytest.mark.parametrize(
    ("name", "document"),
    [
        # magnitude as a number: the old stream shape, wrong in grad.json
        (
            "grad",
            {**json.loads(invoke(*SEED, "--at", "1,3", "-f", "json").stdout), "magnitude": 8.6},
        ),
        # the old stream line, without schema_version and with its old keys
        ("grad-points", {"line": 1, "point": [1.0, 3.0], "gradient": [5.0, 7.0], "magnitude": 8.6}),
        (
            "grad-points",
            {
                "schema_version": 1,
                "line": 1,
                "point_float": [1.0],
                "value_float": ["5"],
                "magnitude_float": 1.0,
            },
        ),
        (
            "hessian",
            {
                **json.loads(invoke("hessian", "x*y", "-f", "json").stdout),
                "eigenvalues_float": "-1.0 1.0",
            },
        ),
        (
            "jacobian",
            {**json.loads(invoke("jacobian", "x*y, x", "-f", "json").stdout), "schema_version": 2},
        ),
        ("jacobian", {**json.loads(invoke("jacobian", "x*y, x", "-f", "json").stdout), "extra": 1}),
    ],
)
def test_a_wrong_document_is_rejected(name: str, document: dict[str, Any]) -> None:
    with pytest.raises(jsonschema.ValidationError):
        validate(name, document)


# --------------------------------------------------------------------------
# one meaning, one type per key, in every mode


def test_a_stream_line_uses_the_float_keys_of_a_single_point() -> None:
    single = invoke(*SEED, "--at", "1,3", "-f", "json").json
    line = json.loads(invoke(*SEED, "--at", "-", "-f", "json", input="1,3\n").stdout)
    assert set(line) - {"line"} <= set(single)
    for key in ("value_float", "magnitude_float"):
        assert line[key] == pytest.approx(single[key])
    assert line["point_float"] == [1.0, 3.0]
    assert isinstance(single["magnitude"], str) and "magnitude" not in line
    assert line["magnitude_float"] == pytest.approx(math.sqrt(74))


def test_keys_keep_their_type_across_modes() -> None:
    runs = [
        invoke(*SEED, "-f", "json").json,
        invoke(*SEED, "--at", "1,3", "-f", "json").json,
        invoke(*SEED, "--at", "1,3", "--along", "1,1", "-f", "json").json,
        invoke("grad", "x^2+y^2", "--at", "0,0", "-f", "json").json,
        invoke("grad", "a*x", "--vars", "x", "--at", "1", "-f", "json").json,
        *map(
            json.loads,
            invoke(
                "grad", "-", "--at", "1,2", "-f", "json", input="x^2\nx*y\n"
            ).stdout.splitlines(),
        ),
        json.loads(invoke(*SEED, "--at", "-", "-f", "json", input="1,3\n").stdout),
    ]
    kinds: dict[str, set[str]] = {}
    for run in runs:
        for key, value in run.items():
            kinds.setdefault(key, set()).add(_kind(value))
    for key, seen in kinds.items():
        typed = seen - {"null"}
        if any(kind.startswith("list of ") and kind != "list of " for kind in typed):
            typed.discard("list of ")  # an empty list fits any list
        assert len(typed) <= 1, f"{key} is {seen}"


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, list):
        items = {_kind(v) for v in value} - {"null"}
        return "list of " + ",".join(sorted(items))
    return type(value).__name__.replace("int", "float")


def test_exact_strings_read_back_as_the_floats_beside_them() -> None:
    data = invoke("grad", "sin(x)*y", "--at", "pi/6,2", "--along", "1,2", "-f", "json").json
    for exact, value in [
        (data["magnitude"], data["magnitude_float"]),
        (data["function_value"], data["function_value_float"]),
        (data["directional_derivative"], data["directional_derivative_float"]),
        *zip(data["value"], data["value_float"]),
        *zip(data["direction"], data["direction_float"]),
    ]:
        assert float(parse_expression(exact)) == pytest.approx(value, rel=1e-12)
    # an independent oracle: sympy's own derivative
    x, y = sympy.symbols("x y")
    expected = [sympy.diff(sympy.sin(x) * y, v).subs({x: sympy.pi / 6, y: 2}) for v in (x, y)]
    assert data["value_float"] == pytest.approx([float(e) for e in expected])


# --------------------------------------------------------------------------
# CSV: one table, no lists in a cell, true/false


def rows_of(text: str) -> list[dict[str, str]]:
    reader = csv.reader(io.StringIO(text))
    header, *rows = list(reader)
    assert len(set(header)) == len(header)
    assert all(len(row) == len(header) for row in rows)
    return [dict(zip(header, row)) for row in rows]


def test_grad_csv_keeps_f_and_is_a_row_per_variable() -> None:
    rows = rows_of(invoke(*SEED, "--at", "1,3", "-f", "csv").stdout)
    assert [r["variable"] for r in rows] == ["x", "y"]
    assert [r["gradient"] for r in rows] == ["2*x + y", "x + 2*y"]
    assert [r["value"] for r in rows] == ["5", "7"]
    assert {r["function_value"] for r in rows} == {"13"}
    assert {r["function_value_float"] for r in rows} == {"13.0"}
    assert {r["critical"] for r in rows} == {"false"}
    assert float(rows[0]["magnitude_float"]) == pytest.approx(math.sqrt(74))
    zero = rows_of(invoke("grad", "x^2+y^2", "--at", "0,0", "-f", "csv").stdout)
    assert {r["critical"] for r in zero} == {"true"} and {r["direction"] for r in zero} == {""}


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (("grad", "-", "--at", "1,2"), "x^2+y\nx*y\nz*x\n"),
        (("grad", "-", "--at", "1,2"), "x^2+y\nx*y\n# a comment\nsin(\n"),
    ],
)
def test_many_expressions_give_one_csv_table(args: tuple[str, ...], stdin: str | None) -> None:
    out = invoke(*args, "-f", "csv", input=stdin).stdout
    assert out.count("expression,variable,") == 1
    rows = rows_of(out)
    assert [r["expression"] for r in rows][:4] == ["x**2 + y", "x**2 + y", "x*y", "x*y"]
    assert rows[2]["value"] == "2" and rows[3]["value"] == "1"


def test_no_cell_holds_a_list() -> None:
    outputs = [
        invoke(*SEED, "--at", "1,3", "--along", "1,1", "-f", "csv").stdout,
        invoke("hessian", "x^3-3x+y^2", "--at", "1,0", "-f", "csv").stdout,
        invoke("jacobian", "x*y, x+y", "--at", "1,2", "-f", "csv").stdout,
        invoke(*SEED, "--at", "-", "-f", "csv", input="1,3\n2,2\n").stdout,
    ]
    for out in outputs:
        for row in rows_of(out):
            for value in row.values():
                assert " " not in value or not _all_numbers(value.split()), value


def _all_numbers(words: list[str]) -> bool:
    try:
        [float(w) for w in words]
    except ValueError:
        return False
    return len(words) > 1


def test_hessian_csv_keeps_det_eigenvalues_and_definiteness() -> None:
    rows = rows_of(invoke("hessian", "x^3-3x+y^2", "--at", "1,0", "-f", "csv").stdout)
    assert [(r["row"], r["column"], r["hessian"], r["hessian_at"]) for r in rows] == [
        ("x", "x", "6*x", "6"),
        ("x", "y", "0", "0"),
        ("y", "x", "0", "0"),
        ("y", "y", "2", "2"),
    ]
    first = rows[0]
    assert first["determinant"] == "12" and float(first["determinant_float"]) == 12.0
    assert (first["eigenvalue_1"], first["eigenvalue_2"]) == ("2", "6")
    assert (float(first["eigenvalue_1_float"]), float(first["eigenvalue_2_float"])) == (2.0, 6.0)
    assert first["definiteness"] == "positive definite"
    assert first["meaning"] == "local minimum"
    assert first["function_value"] == "-2"


def test_a_stream_csv_names_its_float_columns() -> None:
    out = invoke(*SEED, "--at", "-", "-f", "csv", input="1,3\n").stdout
    assert out.splitlines()[0] == "x,y,df/dx_float,df/dy_float,magnitude_float"


# --------------------------------------------------------------------------
# notes: data in JSON, messages elsewhere


@pytest.mark.parametrize("fmt", ["plain", "table"])
@pytest.mark.parametrize(
    "args",
    [(*SEED, "--at", "1,3"), ("hessian", "xy + y^2"), ("jacobian", "xy, x")],
    ids=["grad", "hessian", "jacobian"],
)
def test_notes_go_to_stderr_in_plain_and_table(args: tuple[str, ...], fmt: str) -> None:
    result = invoke(*args, "--format", fmt)
    assert result.exit_code == 0, result
    assert "read 'xy'" not in result.stdout
    assert result.stderr.startswith("gradcli: note: read 'xy' as x·y")


def test_notes_stay_data_in_json() -> None:
    result = invoke(*SEED, "--at", "1,3", "-f", "json")
    assert result.json["notes"] == ["read 'xy' as x·y (a product of variables)"]
    assert result.stderr == ""


def test_the_docs_page_lists_every_key_of_every_schema() -> None:
    from pathlib import Path

    from gradcli.schemas import names

    page = (Path(__file__).parent.parent / "docs" / "machine-output.md").read_text("utf-8")
    assert {"grad", "hessian", "jacobian", "critical", "descend", "check"} <= set(names())
    for name in names():
        for objects in _objects(schema(name)):
            for key in objects["properties"]:
                assert f"| `{key}` |" in page, f"{name}: {key} is not in docs/machine-output.md"


def test_a_loss_from_data_is_a_gradient_document(tmp_path: Any) -> None:
    data = tmp_path / "points.csv"
    data.write_text("x,y\n1,2\n2,4\n3,5\n", encoding="utf-8")
    args = ("grad", "--data", str(data), "--model", "w*x+b", "--at", "w=1,b=0")
    out = invoke(*args, "-f", "json")
    assert out.exit_code == 0, out
    validate("grad", out.stdout)
    record = out.json
    assert record["variables"] == ["w", "b"] and record["value"] == ["-22/3", "-10/3"]
    # the oracle: d/dw, d/db of (1/3) Σ (w·x + b − y)² at w = 1, b = 0, by hand
    rows = [(1, 2), (2, 4), (3, 5)]
    assert record["value_float"] == pytest.approx(
        [sum(2 * x * (x - y) for x, y in rows) / 3, sum(2 * (x - y) for x, y in rows) / 3]
    )
    plain = invoke(*args, "-f", "plain")
    assert "note:" not in plain.stdout and "gradcli: note: L(w, b)" in plain.stderr


def test_a_point_beyond_floats_gives_null_floats_not_invalid_json() -> None:
    result = invoke("grad", "tan(x)", "--at", "10^1000", "-f", "json")
    assert result.exit_code == 0, result
    validate("grad", result.stdout)
    assert result.json["point"] == ["1" + "0" * 1000] and result.json["point_float"] is None


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (("descend", "x_exact^2+x^2", "--vars", "x,x_exact", "--from", "1,1", "--exact"), None),
        (("descend", "k^2+f^2+lr^2", "--vars", "k,f,lr", "--from", "1,1,1", "--steps", "2"), None),
        (("critical", "x^2+x_float^2", "--vars", "x,x_float"), None),
        (("critical", "kind^2+value^2", "--vars", "kind,value"), None),
        (("grad", "magnitude_float^2+x", "--vars", "x,magnitude_float", "--at", "-"), "1,2\n"),
        (("grad", "expression^2+variable", "--vars", "expression,variable", "--at", "1,2"), None),
    ],
)
def test_no_csv_header_names_a_column_twice(args: tuple[str, ...], stdin: str | None) -> None:
    # variables named like the command's own columns, or like each other's floats
    done = invoke(*args, "-f", "csv", input=stdin)
    assert done.exit_code == 0, done
    header = next(csv.reader(io.StringIO(done.stdout)))
    assert len(set(header)) == len(header), header
