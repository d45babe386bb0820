"""``gradcli critical``'s machine contract: its JSON against the shipped schema,
one type per key whatever the case, CSV with a value per cell."""

from __future__ import annotations

import functools
import json
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

#: (arguments, what the case shows)
CASES = [
    (("x^3 - 3x + y^2",), "a polynomial: a saddle and a minimum"),
    (("x^2 + y^2 + xy",), "one minimum, convex"),
    (("x + y",), "no critical point"),
    (("(x - y)^2",), "infinitely many: a line"),
    (("x^2 + y^2 + z^2 - 2x*y*z",), "three variables"),
    (("x^4 + y^4",), "degenerate: the higher-order check"),
    (("x^3 - 3x",), "one variable"),
    (("abs(x) + y^2",), "not differentiable; the maximum undecided"),
    (("sin(x)*sin(y)", "--box", "-2,2"), "mixed: solved and searched"),
    (("x^12 + y^12 - 3x^5 y + 2x^3 y^4 - x y + y^2", "--timeout", "4"), "numeric points"),
    (("x^6/6 - x^2/2 - x + y^2",), "a root beyond radicals: CRootOf"),
    (("1", "--vars", "x,y"), "a constant: every point"),
]


@functools.cache
def output(args: tuple[str, ...], fmt: str) -> str:
    result = invoke("critical", *args, "--format", fmt)
    assert result.exit_code == 0, result
    return result.stdout


def document(args: tuple[str, ...]) -> Any:
    return json.loads(output(args, "json"), parse_constant=lambda name: pytest.fail(name))


@pytest.mark.parametrize(("args", "what"), CASES, ids=[what for _, what in CASES])
def test_the_json_is_valid_under_the_schema(args: tuple[str, ...], what: str) -> None:
    data = document(args)
    validate("critical", data)
    assert_first_key_is_the_version(data)


def test_every_case_shows_what_it_is_meant_to() -> None:
    """The cases cover points, sets, none, numeric and nondifferentiable points."""
    data = {what: document(args) for args, what in CASES}
    assert data["no critical point"]["critical_points"] == []
    [line] = data["infinitely many: a line"]["critical_points"]
    assert line["set"] == ["x = y"] and line["dimension"] == 1
    numeric = data["numeric points"]["critical_points"]
    assert any(p["point"] is None and p["numeric"] for p in numeric)
    assert all(isinstance(p["tolerance"], float) for p in numeric if p["numeric"])
    [corner] = data["not differentiable; the maximum undecided"]["critical_points"]
    assert corner["kind"] == "nondifferentiable" and corner["eigenvalues_float"] == []
    assert data["not differentiable; the maximum undecided"]["global_max"]["status"] == "unknown"
    assert any(
        "CRootOf" in c
        for p in data["a root beyond radicals: CRootOf"]["critical_points"]
        for c in p["point"]
    )
    [everything] = data["a constant: every point"]["critical_points"]
    assert everything["set"] == [] and everything["dimension"] == 2


def test_a_key_never_changes_type() -> None:
    documents = [document(args) for args, _ in CASES]
    # critical_points holds points and sets, told apart by "point" or "set"; the
    # schema's oneOf checks each whole
    assert_one_type_per_key(documents)


def test_a_wrong_document_is_rejected() -> None:
    data = document(CASES[0][0])
    validate("critical", data)
    for spoil in (
        lambda d: d.pop("schema_version"),
        lambda d: d["critical_points"][0].__setitem__("eigenvalues_float", "-6.0 2.0"),
        lambda d: d["critical_points"][0].__setitem__("kind", "minimum"),
        lambda d: d["critical_points"][0].__setitem__("value", 2),
        lambda d: d.__setitem__("extra", 1),
        lambda d: d["global_min"].__setitem__("status", "maybe"),
    ):
        spoiled = json.loads(json.dumps(data))
        spoil(spoiled)
        with pytest.raises(jsonschema.ValidationError):
            validate("critical", spoiled)


def test_the_schemas_enums_are_the_codes() -> None:
    from gradcli.critical import results
    from gradcli.critical.convexity import _VERDICT
    from gradcli.schemas import schema

    shape = schema("critical")
    kinds = [results.LOCAL_MIN, results.LOCAL_MAX, results.SADDLE, results.DEGENERATE]
    point = shape["$defs"]["point"]["properties"]
    assert point["kind"]["enum"] == [*kinds, results.NONDIFFERENTIABLE]
    assert shape["$defs"]["set"]["properties"]["kind"]["enum"] == kinds
    verdicts = shape["properties"]["convexity"]["properties"]["verdict"]["enum"]
    assert set(verdicts) == set(_VERDICT.values())


@pytest.mark.parametrize("name", ["critical", "descend", "check", "check-batch"])
def test_every_property_is_described(name: str) -> None:
    """Every property of critical's, descend's and check's schemas says what it is."""
    import jsonschema

    from gradcli.schemas import schema

    jsonschema.Draft202012Validator.check_schema(schema(name))

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                assert sub.get("description"), f"{path}.{name}"
            for key, sub in node.items():
                walk(sub, f"{path}.{key}")
        elif isinstance(node, list):
            for sub in node:
                walk(sub, path)

    walk(schema(name), name)


@pytest.mark.parametrize(("args", "what"), CASES, ids=[what for _, what in CASES])
def test_the_csv_has_a_value_per_cell(args: tuple[str, ...], what: str) -> None:
    rows = csv_rows(output(args, "csv"))
    data = document(args)
    header = rows[0]
    n = len(data["variables"])
    assert [f"eigenvalue_{i}_float" for i in range(1, n + 1)] == [
        h for h in header if h.startswith("eigenvalue_")
    ]
    assert_booleans(rows, ["numeric"])
    assert len(rows) - 1 == len(data["critical_points"])
    for row, p in zip(rows[1:], data["critical_points"]):
        cells = dict(zip(header, row))
        assert cells["kind"] == p["kind"]
        if "point" in p:
            eigenvalues = [cells[f"eigenvalue_{i}_float"] for i in range(1, n + 1)]
            assert [float(v) for v in eigenvalues if v] == p["eigenvalues_float"]
            assert [float(cells[f"{v}_float"]) for v in data["variables"]] == p["point_float"]
        else:
            equations = [cells[h] for h in header if h.startswith("set_equation_")]
            assert [e for e in equations if e] == p["set"]
            assert int(cells["set_dimension"]) == p["dimension"]


def test_a_variable_named_like_a_column_is_told_apart() -> None:
    rows = csv_rows(output(("value^2 + kind^2",), "csv"))  # csv_rows: no name twice
    assert rows[0][:6] == [
        "kind", "higher_order", "kind (variable)", "value (variable)",
        "kind_float", "value (variable)_float",
    ]  # fmt: skip
