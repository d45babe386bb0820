"""Helpers shared by the output formats."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

import sympy

from gradcli.printing import to_latex, to_text

#: the version of the JSON shapes in ``gradcli/schemas``: raised when a key is
#: removed or changes meaning or type (adding a key does not raise it)
SCHEMA_VERSION = 1


def versioned(obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` with ``schema_version`` as its first key, as every JSON document has.

    >>> versioned({"a": 1})
    {'schema_version': 1, 'a': 1}
    """
    return {"schema_version": SCHEMA_VERSION, **obj}


def dumps(obj: dict[str, Any]) -> str:
    r"""One JSON object on one line, UTF-8 kept readable, no NaN or Infinity.

    Where stdout's encoding is not UTF-8 (cp1252, ASCII) every non-ASCII
    character is escaped, so that the JSON stays valid there. Characters a
    terminal might act on, or that hide text, are escaped always, even
    though JSON allows them raw: C1 controls, bidirectional and zero-width
    marks, line separators, lone surrogates (from a non-UTF-8 input byte).

    >>> dumps({"a": [1.5, None]})
    '{"a": [1.5, null]}'
    >>> dumps({"input": "x" + chr(0x9B) + chr(0x202E)})
    '{"input": "x\\u009b\\u202e"}'
    """
    text = json.dumps(obj, ensure_ascii=not _utf_output(), allow_nan=False)
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _utf_output() -> bool:
    """Whether stdout takes every character as it is (a UTF encoding)."""
    import codecs
    import sys

    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        return codecs.lookup(encoding).name.startswith("utf")
    except LookupError:
        return False


# only ever inside JSON strings, where \uXXXX is the same character
_UNSAFE = re.compile(
    "[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e"
    "\u2060-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]"
)


#: beyond this many expressions in one list, print them in canonical order
BULK = 200


def texts(exprs: Sequence[sympy.Basic] | None) -> list[str] | None:
    """Each expression in sympy syntax, or None."""
    if exprs is None:
        return None
    in_bulk = len(exprs) > BULK
    return [to_text(e, in_bulk=in_bulk) for e in exprs]


def floats(values: Iterable[float] | None) -> list[float] | None:
    return None if values is None else [float(v) for v in values]


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV with a header row, ``\\n`` line ends, quoted only where needed.

    >>> print(csv_text(["a", "b"], [[1, "x, y"]]), end="")
    a,b
    1,"x, y"
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()


def latex_tuple(exprs: Sequence[sympy.Basic]) -> str:
    r"""``\left(a,\ b\right)``, or the single entry for one variable.

    >>> latex_tuple([sympy.Integer(5), sympy.Integer(7)])
    '\\left(5,\\ 7\\right)'
    """
    if len(exprs) == 1:
        return to_latex(exprs[0])
    return r"\left(" + r",\ ".join(to_latex(e) for e in exprs) + r"\right)"


def latex_point(exprs: Sequence[sympy.Basic]) -> str:
    return ", ".join(to_latex(e) for e in exprs)


def float_text(value: float | None) -> str:
    """A float for CSV: ``repr`` precision, empty when missing."""
    return "" if value is None else repr(float(value))
