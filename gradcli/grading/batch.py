"""A class at once: rows of a CSV or JSON Lines batch, read lazily, and the summary
of how the class did.

Every line that is a row gives exactly one :class:`BatchRow`, whatever it
holds: a batch is read line by line (``\\n``, ``\\r\\n`` or a lone ``\\r`` ends
a line), so a quote left open, a NUL byte or a line past the bound spoils
only its own row, and bytes that are not UTF-8 only their own cell.
"""

from __future__ import annotations

import csv
import itertools
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO, Any

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
from gradcli.i18n import N_, _, ngettext
from gradcli.lines import LongLine, lines, reader

__all__ = [
    "COLUMNS",
    "MAX_LINE",
    "BatchReader",
    "LongLine",
    "read_lines",
    "similar_column",
    "summarize",
]

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
#: marks a pass-through column in a parsed CSV header (no field name starts so)
_EXTRA = "+"
#: a line longer than this many bytes is a malformed row of its own, never held
MAX_LINE = 1_000_000


def summarize(results: Iterable[RowResult]) -> BatchSummary:
    """Count a batch: rows all right, right answers per part, common mistakes."""
    rows = all_correct = with_wrong = unreadable = undecided = malformed = 0
    per_part: dict[str, list[int]] = {}
    mistakes: Counter[str] = Counter()
    for result in results:
        rows += 1
        malformed += result.malformed
        verdicts = part_verdicts(result.parts)
        seen = {v for _unused, v in verdicts}
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
        malformed=malformed,
    )


def read_lines(stream: IO[bytes], *, max_line: int = MAX_LINE) -> Iterator[str | LongLine]:
    r"""The lines of a batch's bytes, read lazily by :func:`gradcli.lines.lines`.

    A line ends at ``\n``, ``\r\n`` or a lone ``\r`` (old Mac files), from a
    file or a pipe alike. A UTF-8 byte-order mark (Excel) is dropped and a
    UTF-16 batch refused; bytes that are not UTF-8 become U+FFFD and spoil
    only their own cell. A line longer than ``max_line`` bytes is never held:
    it is a :class:`LongLine`, given as soon as the bound is passed (so
    endless input without a line end is refused at once).

    >>> import io
    >>> list(read_lines(io.BytesIO(b"\xef\xbb\xbfid,gradient\ra,2x\r\nb,\xff")))
    ['id,gradient', 'a,2x', 'b,\ufffd']
    """
    for line in lines(reader(stream), max_line=max_line, utf16=_(_UTF16)):
        yield line if isinstance(line, LongLine) else line.decode("utf-8", "replace")


_UTF16 = N_("the batch is UTF-16 text: save it as UTF-8 (CSV UTF-8)")


class BatchReader:
    """Rows of a CSV (with a header) or JSON Lines batch, read lazily.

    The format is decided by the first non-blank line: ``{`` starts JSON
    Lines. Each item of ``lines`` is one line (as :func:`read_lines` gives
    them). A malformed line becomes a row with an ``error``, never an
    exception, so that every input row gets exactly one result: a CSV
    quote must close on its own line, so one left open cannot take the rows
    after it. A column named twice (ignoring case, spaces and dashes, or by
    two of its names) is an error: of the header in CSV, of its row in JSON
    Lines.

    Columns that are not in :data:`COLUMNS` (name, email, section, …) are
    passed through: each row's ``extra`` holds them, (name as written, cell),
    and ``extra`` lists their names in the order first seen (as the CSV
    header has them; in JSON Lines the keys whose values are text or
    numbers, a number as written). Those that cannot be passed through are
    described in ``ignored``: a CSV column without a name, a second column
    of one name (the first is kept), a JSON value that is not text or a
    number. A malformed CSV line passes nothing through (its cells cannot be
    trusted to be in their columns).

    >>> reader = BatchReader(["id,gradient,name", 'ann,"2x, 2y",Ann Lee', 'ben,"2x, 2y'])
    >>> rows = list(reader)
    >>> rows[0].id, dict(rows[0].fields), rows[0].extra, reader.extra
    ('ann', {'gradient': '2x, 2y'}, (('name', 'Ann Lee'),), ['name'])
    >>> rows[1].id, rows[1].error
    ('ben', 'line 3: a quote (") is not closed on its line')
    """

    def __init__(self, lines: Iterable[str | LongLine], *, max_line: int = MAX_LINE) -> None:
        self._lines = iter(lines)
        self._max_line = max_line
        #: the pass-through columns' names, in the order first seen
        self.extra: list[str] = []
        #: the columns dropped, each described ("'tags' (not text or a number)")
        self.ignored: list[str] = []
        #: the grader's columns the CSV header names
        self.columns: list[str] = []
        #: "csv" or "jsonl", once the first line is read
        self.format: str | None = None

    def __iter__(self) -> Iterator[BatchRow]:
        numbered = enumerate((self._bounded(line) for line in self._lines), start=1)
        head: list[tuple[int, str | LongLine]] = []
        for number, line in numbered:
            head.append((number, line))
            if isinstance(line, LongLine):
                raise InputError(
                    _("line {number}: {problem}: not a CSV or JSON Lines batch").format(
                        number=number, problem=_too_long(line)
                    )
                )
            if line.strip():
                break
        source = itertools.chain(head, numbered)
        first = head[-1][1] if head else ""
        if isinstance(first, str) and first.lstrip().startswith("{"):
            self.format = "jsonl"
            return self._jsonl(source)
        self.format = "csv"
        return self._csv(source, _delimiter(first if isinstance(first, str) else ""))

    def _bounded(self, line: str | LongLine) -> str | LongLine:
        if isinstance(line, str):
            line = line.rstrip("\r\n").removeprefix("\ufeff")
            if len(line) > self._max_line:
                return LongLine(self._max_line)
        return line

    def _csv(
        self, source: Iterator[tuple[int, str | LongLine]], delimiter: str
    ) -> Iterator[BatchRow]:
        header: list[str | None] | None = None
        for number, line in source:
            if isinstance(line, LongLine):
                if header is None:
                    raise InputError(_not_header(number, _too_long(line)))
                yield BatchRow(number, str(number), error=_on_line(number, _too_long(line)))
                continue
            if not line.strip():
                continue
            record, problem = _cells(line, delimiter)
            if header is None:
                if problem is not None:
                    raise InputError(_not_header(number, problem))
                header = self._header(record)
                continue
            if problem is not None:
                yield BatchRow(
                    number, _row_id(record, header, number), error=_on_line(number, problem)
                )
                continue
            if all(not cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                problem = _fields_problem(len(record), len(header))
                yield BatchRow(
                    number, _row_id(record, header, number), error=_on_line(number, problem)
                )
                continue
            fields = tuple(
                (name, cell.strip())
                for name, cell in zip(header, record)
                if name is not None and not name.startswith(_EXTRA)
            )
            extra = tuple(
                (name[1:], cell.strip())
                for name, cell in zip(header, record)
                if name is not None and name.startswith(_EXTRA)
            )
            yield _row(number, fields, extra)
        if header is None:
            raise InputError(_("the batch file is empty: it needs a header line and rows"))

    def _header(self, record: list[str]) -> list[str | None]:
        """Each column's field, ``_EXTRA`` + its name to pass through, or ``None`` to drop."""
        names: list[str | None] = []
        for index, raw in enumerate(record, start=1):
            name = _COLUMN_OF.get(_key(raw))
            written = raw.strip()
            if name is not None and name in names:
                raise InputError(
                    _("the batch header names the column '{name}' twice").format(name=name)
                )
            if name is None and not written:
                self.ignored.append(_("column {index} (no name)").format(index=index))
            elif name is None and written in self.extra:
                self.ignored.append(
                    _("{name} (a second column of that name)").format(name=_quoted(written))
                )
            elif name is None:
                self.extra.append(written)
                name = _EXTRA + written
            names.append(name)
        self.columns = [n for n in names if n is not None and not n.startswith(_EXTRA)]
        if not any(n in PARTS for n in names):
            raise InputError(
                _(
                    "the batch header has no answer columns: name them like the options ({parts})"
                ).format(parts=", ".join(PARTS))
            )
        return names

    def _jsonl(self, source: Iterator[tuple[int, str | LongLine]]) -> Iterator[BatchRow]:
        for number, raw in source:
            if isinstance(raw, LongLine):
                yield BatchRow(number, str(number), error=_on_line(number, _too_long(raw)))
                continue
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            try:
                # a decimal as written: 8.60 keeps its three figures, for grading and show
                record = json.loads(line, object_pairs_hook=_Pairs, parse_float=str)
            except json.JSONDecodeError as error:
                problem = _("line {number}: not JSON: {error} (at column {column})").format(
                    number=number, error=error.msg, column=error.colno
                )
                yield BatchRow(number, str(number), error=problem)
                continue
            except (ValueError, RecursionError) as error:
                yield BatchRow(
                    number,
                    str(number),
                    error=_("line {number}: not JSON: {error}").format(
                        number=number, error=_first_line(error)
                    ),
                )
                continue
            if not isinstance(record, _Pairs):
                yield BatchRow(
                    number,
                    str(number),
                    error=_("line {number}: each line must be a JSON object").format(number=number),
                )
                continue
            yield self._json_row(number, record)

    def _json_row(self, number: int, record: _Pairs) -> BatchRow:
        fields: list[tuple[str, str]] = []
        extra: dict[str, str] = {}
        named: dict[str, str] = {}
        problem = None
        for raw_key, raw_value in record:
            name = _COLUMN_OF.get(_key(raw_key))
            if name is None:
                self._pass(raw_key.strip(), raw_value, extra)
                continue
            if name in named:
                first = named[name]
                problem = problem or (
                    _("line {number}: the key {key} is given twice").format(
                        number=number, key=_quoted(raw_key)
                    )
                    if first == raw_key
                    else _(
                        "line {number}: the keys {first} and {second} both name the column '{name}'"
                    ).format(
                        number=number, first=_quoted(first), second=_quoted(raw_key), name=name
                    )
                )
                continue
            named[name] = raw_key
            text = _json_text(raw_value)
            if text is None:
                problem = problem or _(
                    "line {number}: the value of {key} must be text, a number or a list"
                ).format(number=number, key=_quoted(raw_key))
                continue
            fields.append((name, text))
        if problem is not None:
            return BatchRow(
                number, _json_id(record, number), error=problem, extra=tuple(extra.items())
            )
        return _row(number, tuple(fields), tuple(extra.items()))

    def _pass(self, key: str, value: Any, extra: dict[str, str]) -> None:
        """Pass a JSON key through (into ``extra``) if its value is text or a number."""
        if not key:
            self._ignore(_("a key with no name"))
        elif isinstance(value, str):  # a number too: read as written (parse_float=str)
            if key not in extra:
                extra[key] = value.strip()
        elif isinstance(value, int) and not isinstance(value, bool):
            if key not in extra:
                extra[key] = str(value)
        elif value is not None:
            self._ignore(_("{key} (not text or a number)").format(key=_quoted(key)))
            return
        if key and key not in self.extra:
            self.extra.append(key)

    def _ignore(self, what: str) -> None:
        if what not in self.ignored:
            self.ignored.append(what)


class _Pairs(list[tuple[str, Any]]):
    """A JSON object as its (key, value) pairs in order: duplicate keys kept, to refuse."""


def similar_column(name: str) -> str | None:
    """The grader's column a pass-through column's name looks like a misspelling of.

    >>> similar_column("gradeint"), similar_column("email")
    ('gradient', None)
    """
    import difflib

    close = difflib.get_close_matches(_key(name), list(_COLUMN_OF), 1, cutoff=0.8)
    return close[0] if close else None


def _key(raw: str) -> str:
    """A column's name as it is looked up: no case, spaces or dashes."""
    return re.sub(r"[\s\-]+", "_", raw.strip().casefold())


def _cells(line: str, delimiter: str) -> tuple[list[str], str | None]:
    """The cells of one CSV line, and what is wrong with it (``None``: nothing).

    The csv module lets a quoted cell run on over line ends, so that one
    quote left open takes every following row into its cell. Each line is
    read alone, followed by a line of its own: if that line is taken into
    a cell, a quote was left open. The cells before that one are kept (to
    name the row). A NUL byte (a binary or damaged file; Python < 3.11's csv
    refuses it) makes its line malformed on every Python.
    """
    try:
        records = list(csv.reader([line.replace("\x00", ""), "-"], delimiter=delimiter))
    except csv.Error as error:  # a cell past csv.field_size_limit()
        return [], _("malformed CSV: {error}").format(error=error)
    cells = records[0] if records else []
    if len(records) < 2:
        return cells[:-1], _('a quote (") is not closed on its line')
    if "\x00" in line:
        return cells, _("a NUL byte: is this a text file?")
    return cells, None


def _quoted(key: str) -> str:
    """A key for a message: quoted, and shortened if long."""
    return repr(key if len(key) <= 40 else key[:39] + "…")


def _too_long(line: LongLine) -> str:
    return _("longer than {limit} bytes").format(limit=f"{line.limit:,}")


def _on_line(number: int, problem: str) -> str:
    return _("line {number}: {problem}").format(number=number, problem=problem)


def _not_header(number: int, problem: str) -> str:
    return _("line {number}: not a CSV header: {problem}").format(number=number, problem=problem)


def _fields_problem(fields: int, header: int) -> str:
    """A row with the wrong number of fields; with too many, a hint to quote commas."""
    if fields > header:
        return ngettext(
            '{count} field, but the header has {header} (quote answers that contain commas: "5,7")',
            "{count} fields, but the header has {header} "
            '(quote answers that contain commas: "5,7")',
            fields,
        ).format(count=fields, header=header)
    return ngettext(
        "{count} field, but the header has {header}",
        "{count} fields, but the header has {header}",
        fields,
    ).format(count=fields, header=header)


def _delimiter(header: str) -> str:
    """``,`` unless the header names answer columns only when split on ``;`` or a tab.

    Spreadsheets in many languages save CSV with semicolons.
    """
    for delimiter in (",", ";", "\t"):
        names = {_key(n.strip().strip('"')) for n in header.split(delimiter)}
        if names & set(PARTS):
            return delimiter
    return ","


def _json_text(value: Any) -> str | None:
    if isinstance(value, _Pairs):
        return None
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


def _json_id(record: _Pairs, number: int) -> str:
    for key, value in record:
        if _COLUMN_OF.get(_key(key)) == "id" and isinstance(value, (str, int)):
            return str(value)
    return str(number)


def _row_id(record: Sequence[str], header: Sequence[str | None], line: int) -> str:
    if "id" in header:
        index = header.index("id")
        if index < len(record) and record[index].strip():
            return record[index].strip()
    return str(line)


def _row(
    line: int, fields: tuple[tuple[str, str], ...], extra: tuple[tuple[str, str], ...] = ()
) -> BatchRow:
    found = dict(fields)
    ident = found.get("id") or str(line)
    return BatchRow(
        line=line, id=ident, fields=tuple((k, v) for k, v in fields if k != "id"), extra=extra
    )


def _first_line(error: BaseException) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__
