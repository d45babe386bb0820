"""Checks shared by the machine-contract tests: one type per key, CSV cells."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

#: a cell holding several numbers separated by spaces (``-6.0 2.0``): a list in a cell
_NUMBER_LIST = re.compile(r"^\s*[-+]?[\d.]+(?:e[-+]?\d+)?(?:\s+[-+]?[\d.]+(?:e[-+]?\d+)?)+\s*$")


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def key_types(documents: Iterable[Any]) -> dict[str, set[str]]:
    """Every key path (``runs[].trajectory.values[]``) and the JSON types it held."""
    seen: dict[str, set[str]] = {}

    def walk(value: Any, path: str) -> None:
        seen.setdefault(path, set()).add(json_type(value))
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{path}.{key}" if path else key)
        elif isinstance(value, list):
            for item in value:
                walk(item, f"{path}[]")

    for document in documents:
        walk(document, "")
    return seen


def assert_one_type_per_key(documents: Iterable[Any], *, mixed: Iterable[str] = ()) -> None:
    """No key holds two types (null aside) across ``documents``, except the paths
    ``mixed`` names (lists of alternatives told apart by their keys)."""
    allowed = set(mixed)
    changing = {
        path: types - {"null"}
        for path, types in key_types(documents).items()
        if len(types - {"null"}) > 1 and path not in allowed
    }
    assert not changing, changing


def assert_first_key_is_the_version(document: dict[str, Any]) -> None:
    assert next(iter(document)) == "schema_version"
    assert document["schema_version"] == 1


def csv_rows(text: str) -> list[list[str]]:
    """The rows of a CSV output, checked: one header, every row as long as it,
    no list of numbers in a cell."""
    rows = list(csv.reader(io.StringIO(text)))
    assert rows, "no CSV"
    header = rows[0]
    assert len(set(header)) == len(header), header
    for row in rows[1:]:
        assert len(row) == len(header), (header, row)
        assert row != header, "a second header"
        for cell in row:
            assert not _NUMBER_LIST.match(cell), (header, row, cell)
    return rows


def assert_booleans(rows: list[list[str]], columns: Iterable[str]) -> None:
    """The ``columns`` hold ``true`` or ``false`` (or nothing)."""
    header = rows[0]
    for name in columns:
        i = header.index(name)
        assert {row[i] for row in rows[1:]} <= {"true", "false", ""}, name
