"""A small data table read from untrusted CSV text: named columns of exact numbers.

The first line that is not blank and not a ``#`` comment is the header of
column names; each later such line is one row. Cells are separated by commas,
or by tabs when the header holds a tab. Every cell is a plain numeric literal
read exactly (:func:`gradcli.numbers.exact_decimal`): ``0.1`` is 1/10. Every
bound in :class:`TableLimits` is checked before the data it guards is held.
"""

from __future__ import annotations

import csv
import keyword
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sympy

from gradcli.errors import GradcliError, InputError, LimitError, reason_of
from gradcli.i18n import _, ngettext
from gradcli.lines import BOM
from gradcli.numbers import exact_decimal
from gradcli.parse import CONSTANTS, FUNCTIONS, parse_expression, symbol

if TYPE_CHECKING:
    import numpy

__all__ = ["Table", "TableLimits", "read_table", "read_table_file"]

_UTF16 = (b"\xff\xfe", b"\xfe\xff")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


@dataclass(frozen=True)
class TableLimits:
    """The bounds one data table is read under.

    >>> TableLimits().max_rows
    2000
    """

    #: bytes of input
    max_bytes: int = 1_000_000
    #: data rows (the header and comments not counted)
    max_rows: int = 2_000
    #: columns
    max_columns: int = 20
    #: characters in one cell
    max_cell: int = 100


@dataclass(frozen=True)
class Table:
    """Named columns of exact numbers, and where they were read from.

    ``lines`` holds the line of the file each row was read from (1-based), so
    that a message about a row can name it.

    >>> table = read_table("x,y\\n1,2.5\\n3,-1/2\\n", source="points.csv")
    >>> table.columns, table.column("y")
    (('x', 'y'), (5/2, -1/2))
    >>> table.lines
    (2, 3)
    """

    columns: tuple[str, ...]
    rows: tuple[tuple[sympy.Rational, ...], ...]
    source: str = "data"
    lines: tuple[int, ...] = ()

    def index(self, name: str) -> int:
        """The position of column ``name``; an :class:`InputError` naming the columns if none."""
        try:
            return self.columns.index(name)
        except ValueError:
            raise InputError(
                _('no column "{name}" in {source}: its columns are {columns}').format(
                    name=name, source=self.source, columns=", ".join(self.columns)
                )
            ) from None

    def column(self, name: str) -> tuple[sympy.Rational, ...]:
        """The values of column ``name``, one per row."""
        at = self.index(name)
        return tuple(row[at] for row in self.rows)

    def line(self, row: int) -> int:
        """The line of the file that row ``row`` (0-based) was read from."""
        return self.lines[row] if self.lines else row + 2

    def as_array(self, names: Sequence[str] | None = None) -> numpy.ndarray:
        """The columns ``names`` (all by default) as a float64 array, one row per row.

        Each value is the float nearest the exact number.

        >>> read_table("x,y\\n1,1/3\\n").as_array(["y", "x"]).tolist()
        [[0.3333333333333333, 1.0]]
        """
        import numpy

        chosen = [self.index(n) for n in (self.columns if names is None else names)]
        values = [[int(row[i].p) / int(row[i].q) for i in chosen] for row in self.rows]
        return numpy.array(values, dtype=numpy.float64).reshape(len(self.rows), len(chosen))


def read_table_file(path: str, limits: TableLimits | None = None) -> Table:
    """The table in the file at ``path``; never more than the byte bound is read."""
    limits = limits or TableLimits()
    try:
        with open(path, "rb") as stream:
            data = stream.read(limits.max_bytes + 1)
    except OSError as error:
        raise InputError(
            _("cannot read {path}: {reason}").format(path=path, reason=reason_of(error))
        ) from None
    return read_table(data, source=path, limits=limits)


def read_table(
    data: bytes | str, *, source: str = "data", limits: TableLimits | None = None
) -> Table:
    """The table in CSV text; ``source`` names it in messages (a file's name).

    >>> read_table("# heights\\nx\\ty\\n\\n0.5\\t2\\n").rows
    ((1/2, 2),)
    >>> read_table("x,y\\n1,abc\\n", source="points.csv")
    Traceback (most recent call last):
    ...
    gradcli.errors.InputError: points.csv, line 2, column "y": "abc" is not a number
    """
    limits = limits or TableLimits()
    text = _decoded(data, source, limits)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    numbered = (
        (number, line)
        for number, line in enumerate(lines, start=1)
        if line.strip() and not line.lstrip().startswith("#")
    )
    first = next(numbered, None)
    if first is None:
        raise InputError(
            _("{source} is empty: it needs a header of column names and rows").format(source=source)
        )
    header_line, header = first
    delimiter = "\t" if "\t" in header else ","
    where = _where(source, header_line)
    columns = _column_names(_cells(header, delimiter, source, header_line, limits), where)
    rows: list[tuple[sympy.Rational, ...]] = []
    numbers: list[int] = []
    for number, line in numbered:
        if len(rows) == limits.max_rows:
            raise LimitError(
                _("{source} has more than {limit:,} data rows (the limit)").format(
                    source=source, limit=limits.max_rows
                )
            )
        cells = _cells(line, delimiter, source, number, limits)
        if len(cells) != len(columns):
            raise InputError(_cell_count(source, number, len(cells), len(columns)))
        rows.append(
            tuple(
                exact_decimal(cell, _cell_where(source, number, name))
                for cell, name in zip(cells, columns)
            )
        )
        numbers.append(number)
    if not rows:
        raise InputError(
            _("{source} has no data rows: only the header {columns}").format(
                source=source, columns=", ".join(columns)
            )
        )
    return Table(columns=columns, rows=tuple(rows), source=source, lines=tuple(numbers))


def _decoded(data: bytes | str, source: str, limits: TableLimits) -> str:
    """The text of the input: UTF-8 without a byte-order mark, within the byte bound."""
    if isinstance(data, str):
        if len(data) > limits.max_bytes or len(data.encode("utf-8", "replace")) > limits.max_bytes:
            raise _too_large(source, limits)
        return data.removeprefix("\ufeff")
    if len(data) > limits.max_bytes:
        raise _too_large(source, limits)
    if data.startswith(_UTF16) or (len(data) >= 2 and b"\x00" in data[:2]):
        raise InputError(_("{source} is UTF-16 text: save it as UTF-8").format(source=source))
    try:
        return data.removeprefix(BOM).decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(
            _("{source}, line {line}: not UTF-8 text").format(source=source, line=line)
        ) from None


def _too_large(source: str, limits: TableLimits) -> LimitError:
    return LimitError(
        _("{source} is larger than {limit:,} bytes (the limit)").format(
            source=source, limit=limits.max_bytes
        )
    )


def _cells(line: str, delimiter: str, source: str, number: int, limits: TableLimits) -> list[str]:
    """The cells of one line, stripped; a bound exceeded or a bad quote is an error."""
    if len(line) > (limits.max_cell + 3) * limits.max_columns:
        raise LimitError(
            _("{source}, line {line} is longer than {count} cells allow").format(
                source=source, line=number, count=limits.max_columns
            )
        )
    try:
        reader = csv.reader(
            [line.rstrip()], delimiter=delimiter, skipinitialspace=True, strict=True
        )
        cells = next(reader)
    except csv.Error as error:
        raise InputError(
            _("{source}, line {line}: bad quoting ({error})").format(
                source=source, line=number, error=error
            )
        ) from None
    if len(cells) > limits.max_columns:
        raise LimitError(
            _("{source}, line {line} has more than {count} columns").format(
                source=source, line=number, count=limits.max_columns
            )
        )
    for cell in cells:
        if len(cell) > limits.max_cell:
            raise LimitError(
                _("{source}, line {line}: a cell is longer than {count} characters").format(
                    source=source, line=number, count=limits.max_cell
                )
            )
    return [cell.strip() for cell in cells]


def _column_names(names: list[str], where: str) -> tuple[str, ...]:
    """The header's names, each one gradcli's parser reads as that one variable."""
    seen: set[str] = set()
    for position, name in enumerate(names, start=1):
        if not name:
            raise InputError(
                _("{where}: column {position} has no name in the header").format(
                    where=where, position=position
                )
            )
        problem = _name_problem(name)
        if problem:
            raise InputError(problem.format(where=where, name=name))
        if name in seen:
            raise InputError(
                _('{where}: two columns are named "{name}"').format(where=where, name=name)
            )
        seen.add(name)
    return tuple(names)


def _name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a column, or None: it must be read back as itself.

    The message has the fields ``{where}`` (the header's line) and ``{name}``.
    """
    if not _NAME.fullmatch(name):
        return _(
            '{where}: the column name "{name}" is not a name: use letters, digits and _,'
            " starting with a letter"
        )
    if name in FUNCTIONS or name in CONSTANTS:
        return _(
            '{where}: the column name "{name}" is a function or constant gradcli knows:'
            " rename the column"
        )
    if keyword.iskeyword(name) and name != "lambda":
        return _('{where}: the column name "{name}" is a word of Python: rename the column')
    try:
        read: Any = parse_expression(name, variables=[name])
    except GradcliError:
        read = None
    if read != symbol(name):
        return _(
            '{where}: the column name "{name}" is not a name gradcli can read as a variable:'
            " rename the column"
        )
    return None


def _where(source: str, line: int) -> str:
    """Where a message points: ``points.csv, line 3``."""
    return _("{source}, line {line}").format(source=source, line=line)


def _cell_where(source: str, line: int, column: str) -> str:
    """Where a cell is: ``points.csv, line 3, column "y"``."""
    return _('{source}, line {line}, column "{column}"').format(
        source=source, line=line, column=column
    )


def _cell_count(source: str, line: int, cells: int, columns: int) -> str:
    """A row with ``cells`` cells under a header of ``columns`` names."""
    if columns == 1:
        message = ngettext(
            "{source}, line {line}: {cells} cell, but the header names {columns} column",
            "{source}, line {line}: {cells} cells, but the header names {columns} column",
            cells,
        )
    else:
        message = ngettext(
            "{source}, line {line}: {cells} cell, but the header names {columns} columns",
            "{source}, line {line}: {cells} cells, but the header names {columns} columns",
            cells,
        )
    return message.format(source=source, line=line, cells=cells, columns=columns)
