"""Helpers shared by the output formats."""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

import sympy

from gradcli import i18n
from gradcli.printing import decimal, to_latex, to_text

#: the version of the JSON shapes in ``gradcli/schemas``: raised when a key is
#: removed or changes meaning or type (adding a key does not raise it)
SCHEMA_VERSION = 1


def versioned(obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` after ``schema_version`` and ``language``, as every JSON document begins.

    ``language`` is the language of the message values (notes, feedback,
    diagnoses, errors); keys and enum values are English in every language.

    >>> versioned({"a": 1})
    {'schema_version': 1, 'language': 'en', 'a': 1}
    """
    return {"schema_version": SCHEMA_VERSION, "language": i18n.language(), **obj}


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


def point_floats(point: Sequence[sympy.Expr] | None) -> list[float] | None:
    """The point's coordinates as floats; None where one is not a real number
    (a parameter left in it) or beyond floats (10^1000), or None without a point."""
    from gradcli.numbers import to_float

    if point is None:
        return None
    values = [to_float(p) if p.is_number else math.nan for p in point]
    return values if all(math.isfinite(v) for v in values) else None


def distinct(header: Sequence[str]) -> list[str]:
    """``header`` with no name twice: a repeat gets `` (2)``, `` (3)``, … after it.

    Columns named after variables can meet the command's own (a variable
    ``x_float`` beside x's float column): every column keeps its place and a
    name of its own, so that a reader that keys rows by name loses none.

    >>> distinct(["x", "x_float", "x_float", "x_float_float"])
    ['x', 'x_float', 'x_float (2)', 'x_float_float']
    """
    out: list[str] = []
    for name in header:
        shown, count = name, 1
        while shown in out:
            count += 1
            shown = f"{name} ({count})"
        out.append(shown)
    return out


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


def bool_text(value: bool | None) -> str:
    """A boolean for CSV: ``true`` or ``false`` (as in JSON), empty when missing."""
    return "" if value is None else ("true" if value else "false")


def item(values: Sequence[Any] | None, i: int) -> Any:
    """``values[i]``, or None when there are no values (a CSV cell left empty)."""
    return None if values is None else values[i]


# --------------------------------------------------------------------------
# LaTeX: decimals as maths, long lines broken

#: a LaTeX line wider than this many characters as typeset (see latex_width)
#: is broken at + and − (see latex_break): about a page's width at 10 pt
LATEX_WIDTH = 60

#: commands that show nothing of their own (their arguments are counted)
_SILENT = frozenset(
    [
        "left",
        "right",
        "bigl",
        "bigr",
        "Bigl",
        "Bigr",
        "biggl",
        "biggr",
        "frac",
        "dfrac",
        "sqrt",
        "begin",
        "end",
        "mathrm",
        "mathbf",
        "operatorname",
        "text",
        "displaystyle",
        "limits",
    ]
)
#: commands shown as their name
_NAMED = frozenset(
    [
        "sin",
        "cos",
        "tan",
        "cot",
        "sec",
        "csc",
        "arcsin",
        "arccos",
        "arctan",
        "sinh",
        "cosh",
        "tanh",
        "coth",
        "log",
        "ln",
        "exp",
        "det",
        "max",
        "min",
        "lim",
        "sign",
        "re",
        "im",
    ]
)


def _widths(latex: str) -> list[float]:
    r"""Running width of ``latex`` as typeset, ``out[i]`` for ``latex[:i]``.

    A rough count, meant to decide where a line breaks: a letter or digit is
    1, a command such as ``\alpha`` 1 and ``\sin`` 3, a binary sign 2 (with
    its spacing), braces, spaces, ``^``, ``_``, ``&`` and ``\left`` nothing.
    A fraction counts both its parts (more than it shows: a safe side).
    """
    cost = [0.0] * len(latex)
    i = 0
    while i < len(latex):
        ch = latex[i]
        if ch == "\\":
            match = _COMMAND.match(latex, i)
            name = match.group(1) if match else ""
            end = match.end() if match else i + 1
            if name in ("begin", "end"):
                close = latex.find("}", end)
                end = close + 1 if close >= 0 else end
            elif name in ("quad", "qquad"):
                cost[i] = 2.0 if name == "quad" else 4.0
            elif name in _NAMED:
                cost[i] = float(len(name))
            elif name not in _SILENT and name.isalpha():
                cost[i] = 1.0
            elif name in (",", ";", " ", ":"):
                cost[i] = 0.5
            i = end
            continue
        if ch in "+-=<>":
            cost[i] = 2.0
        elif ch == ",":
            cost[i] = 1.5
        elif ch not in "{}^_& \n":
            cost[i] = 1.0
        i += 1
    out = [0.0]
    for c in cost:
        out.append(out[-1] + c)
    return out


def latex_width(latex: str) -> float:
    r"""About how many characters wide ``latex`` is as typeset; a matrix (a
    column vector) is as wide as its widest row.

    >>> latex_width(r"\frac{\partial f}{\partial x} &= 2 x + y")
    11.0
    >>> latex_width(r"x = \begin{pmatrix} 10 \\ 2 \end{pmatrix}")
    7.0
    """

    def widest(match: re.Match[str]) -> str:
        rows = match.group(2).split(r"\\")
        return "#" * (2 + int(max(latex_width(row) for row in rows)))

    return _widths(_MATRIX.sub(widest, latex))[-1]


_MATRIX = re.compile(r"\\begin\{([pbvV]?matrix)\}(.*?)\\end\{\1\}", re.S)


def packed(head: str, items: Sequence[tuple[str, str]], *, width: int = LATEX_WIDTH) -> list[str]:
    r"""``head``, then each ``(separator, item)``: an item that would take its row
    past ``width`` (:func:`latex_width`) starts a row of its own, ``&\quad item``
    (the row before it keeps a separator's comma). For the rows of ``align*``
    whose items are sentences: a point, what it is, f there.

    >>> packed("a &= 1", [(r",\quad ", "b = 2")], width=8)
    ['a &= 1,', '&\\quad b = 2']
    """
    rows = [head]
    for separator, item in items:
        if latex_width(rows[-1] + separator + item) > width:
            if separator.lstrip().startswith(","):
                rows[-1] += ","
            rows.append(rf"&\quad {item}")
        else:
            rows[-1] += separator + item
    return rows


def latex_decimal(value: float, digits: int = 7) -> str:
    r"""A float as maths: ``1.5 \times 10^{-8}``, never ``1.5e-8``.

    >>> latex_decimal(8.602325267042627), latex_decimal(1.5e-08)
    ('8.602325', '1.5 \\times 10^{-8}')
    """
    if not math.isfinite(value):
        return r"\mathrm{NaN}" if math.isnan(value) else ("-" if value < 0 else "") + r"\infty"
    shown = decimal(value, digits)
    if "e" not in shown:
        return shown
    mantissa, exponent = shown.split("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


_COMMAND = re.compile(r"\\([A-Za-z]+|.)")


def _break_points(latex: str) -> tuple[list[tuple[int, int]], list[tuple[int, int, int, int]]]:
    r"""Where ``latex`` may be cut, and its ``\left``…``\right`` pairs.

    A cut goes before a binary `` + `` or `` - `` outside every brace and
    environment (``\frac{…}{…}``, ``\sqrt{…}``, a matrix stay whole), even
    inside ``\left(``…``\right)``. Each pair is (start of \left, its end,
    start of \right, its end). A cut is (where, how many \left it is inside).
    """
    cuts: list[tuple[int, int]] = []
    pairs: list[tuple[int, int, int, int]] = []
    braces = environments = 0
    lefts: list[tuple[int, int]] = []
    i = 0
    while i < len(latex):
        ch = latex[i]
        if ch == "\\":
            match = _COMMAND.match(latex, i)
            name = match.group(1) if match else ""
            end = match.end() if match else i + 1
            if name == "begin":
                environments += 1
            elif name == "end":
                environments -= 1
            elif name == "left" and braces == 0 and environments == 0:
                lefts.append((i, end))
            elif name == "right" and braces == 0 and environments == 0 and lefts:
                start, start_end = lefts.pop()
                pairs.append((start, start_end, i, end))
            i = end
            continue
        if ch == "{":
            braces += 1
        elif ch == "}":
            braces -= 1
        elif (
            ch == " "
            and i > 0
            and latex[i + 1 : i + 3] in ("+ ", "- ")
            and braces == 0
            and environments == 0
        ):
            cuts.append((i, len(lefts)))
        i += 1
    return cuts, pairs


def _choose(
    cuts: list[tuple[int, int]], widths: list[float], start: int, end: int, width: int
) -> list[int]:
    """Where to cut ``[start, end)``: greedily at the outermost cuts, and
    within a piece still too long, at the cuts one level in."""
    inside = [(at, depth) for at, depth in cuts if start < at < end]
    if widths[end] - widths[start] <= width or not inside:
        return []
    top = min(depth for _, depth in inside)
    level = [at for at, depth in inside if depth == top]
    chosen: list[int] = []
    begin = start
    for n, at in enumerate(level):
        following = level[n + 1] if n + 1 < len(level) else end
        if widths[following] - widths[begin] > width:
            chosen.append(at)
            begin = at
    out: list[int] = []
    bounds = [start, *chosen, end]
    for a, b in itertools.pairwise(bounds):
        if a != start:
            out.append(a)
        out += _choose(cuts, widths, a, b, width)
    return out


def _group_end(latex: str, start: int) -> int:
    """The index of the ``}`` closing the ``{`` at ``start`` (-1: none)."""
    depth = 0
    i = start
    while i < len(latex):
        ch = latex[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _open_fractions(latex: str, width: int) -> str:
    r"""Each ``\frac{A}{B}`` outside braces whose A is longer than ``width``
    written ``\frac{1}{B} \left(A\right)``, the same value, so that A can
    be broken at its + and −.

    >>> _open_fractions(r"\frac{a + b}{c}", 3)
    '\\frac{1}{c} \\left(a + b\\right)'
    """
    out: list[str] = []
    braces = environments = 0
    i = 0
    while i < len(latex):
        if latex.startswith("\\frac{", i) and braces == 0 and environments == 0:
            top = _group_end(latex, i + 5)
            if top > 0 and latex[top + 1 : top + 2] == "{":
                bottom = _group_end(latex, top + 1)
                numerator = latex[i + 6 : top]
                if bottom > 0 and latex_width(numerator) > width:
                    denominator = latex[top + 2 : bottom]
                    out.append(rf"\frac{{1}}{{{denominator}}} \left({numerator}\right)")
                    i = bottom + 1
                    continue
        ch = latex[i]
        if ch == "\\":
            match = _COMMAND.match(latex, i)
            end = match.end() if match else i + 1
            name = match.group(1) if match else ""
            environments += {"begin": 1, "end": -1}.get(name, 0)
            out.append(latex[i:end])
            i = end
            continue
        braces += {"{": 1, "}": -1}.get(ch, 0)
        out.append(ch)
        i += 1
    return "".join(out)


def latex_break(latex: str, width: int = LATEX_WIDTH) -> list[str]:
    r"""``latex`` cut into pieces of about ``width`` characters, at + and −.

    Each piece but the first starts with its sign. A cut falls only outside
    braces and environments; a ``\left``…``\right`` pair that a cut splits
    becomes ``\Bigl``…``\Bigr``, which LaTeX allows on different lines. A
    fraction with a long numerator is first written ``\frac{1}{B} (A)``. A
    term with no such place (a long root, denominator or exponent) stays
    whole.

    >>> latex_break("a + b - c", width=3)
    ['a', '+ b', '- c']
    >>> latex_break(r"2 \left(x + y\right)", width=5)
    ['2 \\Bigl(x', '+ y\\Bigr)']
    >>> latex_break("a + b")
    ['a + b']
    """
    if latex_width(latex) <= width:
        return [latex]
    for _ in range(8):  # a fraction within a fraction's numerator, and so on
        opened = _open_fractions(latex, width)
        if opened == latex:
            break
        latex = opened
    cuts, pairs = _break_points(latex)
    chosen = _choose(cuts, _widths(latex), 0, len(latex), width)
    if not chosen:
        return [latex]
    # \left…\right pairs split by a cut become \Bigl…\Bigr
    edits: list[tuple[int, int, str]] = []
    for left, left_end, right, right_end in pairs:
        if any(left < cut < right for cut in chosen):
            edits.append((left, left_end, r"\Bigl"))
            edits.append((right, right_end, r"\Bigr"))
    bounds = [0, *chosen, len(latex)]
    pieces = []
    for a, b in itertools.pairwise(bounds):
        piece = latex[a:b]
        for start_at, end_at, new in sorted(edits, reverse=True):
            if a <= start_at < b:
                piece = piece[: start_at - a] + new + piece[end_at - a :]
        pieces.append(piece.strip())
    return pieces


def latex_rows(
    left: str, right: str, *, relation: str = "=", width: int = LATEX_WIDTH
) -> list[str]:
    r"""Rows of an ``align*``: ``left &= right``, a long ``right`` continued on
    rows of its own (``&\quad + …``).

    >>> latex_rows("f", "a + b", width=3)
    ['f &= a', '&\\quad + b']
    """
    pieces = latex_break(right, width)
    return [f"{left} &{relation} {pieces[0]}", *(rf"&\quad {p}" for p in pieces[1:])]
