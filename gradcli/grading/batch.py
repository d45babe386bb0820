"""A class at once: rows of a CSV or JSON Lines batch, read lazily, and the summary
of how the class did."""

from __future__ import annotations

import csv
import itertools
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from gradcli.errors import InputError
from gradcli.grading.results import (
    CORRECT,
    PARTS,
    UNREADABLE,
    WRONG,
    BatchRow,
    BatchSummary,
    RowResult,
    part_verdicts,
)

__all__ = ["COLUMNS", "BatchReader", "summarize"]

#: column names accepted for each field of a batch row
COLUMNS: Mapping[str, tuple[str, ...]] = {
    "id": ("id", "student", "student_id"),
    "expression": ("expression", "expr", "function", "f", "problem"),
    "vars": ("vars", "variables"),
    "at": ("at", "point"),
    "along": ("along",),
    **{part: (part,) for part in PARTS},
}
_COLUMN_OF = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}
#: a JSON line longer than this is refused, not parsed
_MAX_LINE = 1_000_000


def summarize(results: Iterable[RowResult]) -> BatchSummary:
    """Count a batch: rows all right, right answers per part, common mistakes."""
    rows = all_correct = with_wrong = unreadable = undecided = 0
    per_part: dict[str, list[int]] = {}
    mistakes: Counter[str] = Counter()
    for result in results:
        rows += 1
        verdicts = part_verdicts(result.parts)
        seen = {v for _, v in verdicts}
        if result.correct:
            all_correct += 1
        elif UNREADABLE in seen:
            unreadable += 1
        elif WRONG in seen:
            with_wrong += 1
        else:
            undecided += 1
        for part, verdict in verdicts:
            if part == "row":
                continue
            counts = per_part.setdefault(part, [0, 0])
            counts[0] += verdict == CORRECT
            counts[1] += 1
        for part in {p.part for p in result.parts}:
            mistakes.update({m for p in result.parts if p.part == part for m in p.mistakes})
    order = {name: i for i, name in enumerate(PARTS)}
    return BatchSummary(
        rows=rows,
        all_correct=all_correct,
        with_wrong=with_wrong,
        unreadable=unreadable,
        undecided=undecided,
        parts=tuple(
            (part, c[0], c[1]) for part, c in sorted(per_part.items(), key=lambda i: order[i[0]])
        ),
        mistakes=tuple(sorted(mistakes.items(), key=lambda item: (-item[1], item[0]))),
    )


class BatchReader:
    """Rows of a CSV (with a header) or JSON Lines batch, read lazily.

    The format is decided by the first non-blank line: ``{`` starts JSON
    Lines. A malformed line becomes a row with an ``error``, never an
    exception, so that every input row gets exactly one result. Columns that
    are not in :data:`COLUMNS` are listed in ``ignored``.

    >>> rows = list(BatchReader(["id,gradient", "ann,\\"2x, 2y\\""]))
    >>> rows[0].id, dict(rows[0].fields)
    ('ann', {'gradient': '2x, 2y'})
    """

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)
        self.ignored: list[str] = []
        self.columns: list[str] = []

    def __iter__(self) -> Iterator[BatchRow]:
        head: list[str] = []
        for line in self._lines:
            head.append(line)
            if line.strip():
                break
        source = itertools.chain(head, self._lines)
        if head and head[-1].lstrip().startswith("{"):
            return self._jsonl(source)
        return self._csv(source, _delimiter(head[-1] if head else ""))

    def _csv(self, source: Iterator[str], delimiter: str) -> Iterator[BatchRow]:
        counted = _Counted(source)
        reader = csv.reader(counted, delimiter=delimiter)
        header: list[str | None] | None = None
        while True:
            start = counted.count + 1
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                if header is None:
                    raise InputError(f"line {start}: not a CSV header: {error}") from None
                yield BatchRow(start, str(start), error=f"malformed CSV: {error}")
                continue
            if not record or all(not cell.strip() for cell in record):
                continue
            if header is None:
                header = self._header(record)
                continue
            if len(record) != len(header):
                hint = ' (quote answers that contain commas: "5,7")' * (len(record) > len(header))
                yield BatchRow(
                    start,
                    _row_id(record, header, start),
                    error=f"{_count(len(record), 'field')}, but the header has {len(header)}{hint}",
                )
                continue
            fields = tuple(
                (name, cell.strip()) for name, cell in zip(header, record) if name is not None
            )
            yield _row(start, fields)
        if header is None:
            raise InputError("the batch file is empty: it needs a header line and rows")

    def _header(self, record: list[str]) -> list[str | None]:
        names: list[str | None] = []
        for raw in record:
            key = re.sub(r"[\s\-]+", "_", raw.strip().lower())
            name = _COLUMN_OF.get(key)
            if name is None:
                self.ignored.append(raw.strip())
            elif name in names:
                raise InputError(f"the batch header names the column '{name}' twice")
            names.append(name)
        self.columns = [n for n in names if n is not None]
        if not any(n in PARTS for n in names):
            raise InputError(
                "the batch header has no answer columns: name them like the options "
                f"({', '.join(PARTS)})"
            )
        return names

    def _jsonl(self, source: Iterator[str]) -> Iterator[BatchRow]:
        for number, raw in enumerate(source, start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if len(line) > _MAX_LINE:
                yield BatchRow(number, str(number), error=f"a line longer than {_MAX_LINE:,}")
                continue
            try:
                record = json.loads(line)
            except (ValueError, RecursionError) as error:
                yield BatchRow(number, str(number), error=f"not JSON: {_first_line(error)}")
                continue
            if not isinstance(record, dict):
                yield BatchRow(number, str(number), error="each line must be a JSON object")
                continue
            yield self._json_row(number, record)

    def _json_row(self, number: int, record: dict[str, Any]) -> BatchRow:
        fields: list[tuple[str, str]] = []
        for raw_key, raw_value in record.items():
            key = re.sub(r"[\s\-]+", "_", str(raw_key).strip().lower())
            name = _COLUMN_OF.get(key)
            if name is None:
                if raw_key not in self.ignored:
                    self.ignored.append(str(raw_key))
                continue
            text = _json_text(raw_value)
            if text is None:
                problem = f"the value of '{raw_key}' must be text, a number or a list"
                return BatchRow(number, _json_id(record, number), error=problem)
            fields.append((name, text))
        return _row(number, tuple(fields))


def _delimiter(header: str) -> str:
    """``,`` unless the header names answer columns only when split on ``;`` or a tab.

    Spreadsheets in many languages save CSV with semicolons.
    """
    for delimiter in (",", ";", "\t"):
        names = {
            re.sub(r"[\s\-]+", "_", n.strip().strip('"').lower()) for n in header.split(delimiter)
        }
        if names & set(PARTS):
            return delimiter
    return ","


def _json_text(value: Any) -> str | None:
    if value is None:
        return ""
    if isinstance(value, bool):
        return None
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, list):
        items = [_json_text(v) if not isinstance(v, list) else None for v in value]
        if all(i is not None for i in items):
            return ", ".join(i for i in items if i is not None)
        rows = [_json_text(v) if isinstance(v, list) else None for v in value]
        if all(r is not None for r in rows):
            return "[" + ", ".join(f"[{r}]" for r in rows) + "]"
    return None


def _json_id(record: Mapping[str, Any], number: int) -> str:
    for key in COLUMNS["id"]:
        if key in record and isinstance(record[key], (str, int)):
            return str(record[key])
    return str(number)


def _row_id(record: Sequence[str], header: Sequence[str | None], line: int) -> str:
    if "id" in header:
        index = header.index("id")
        if index < len(record) and record[index].strip():
            return record[index].strip()
    return str(line)


def _row(line: int, fields: tuple[tuple[str, str], ...]) -> BatchRow:
    found = dict(fields)
    ident = found.get("id") or str(line)
    return BatchRow(line=line, id=ident, fields=tuple((k, v) for k, v in fields if k != "id"))


class _Counted:
    """A line iterator that counts the lines taken (csv's own count can lag)."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self.count = 0

    def __iter__(self) -> _Counted:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.count += 1
        return line


def _first_line(error: BaseException) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
