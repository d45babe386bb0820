"""``gradcli critical`` output: JSON, CSV, plain text and LaTeX.

JSON (schema ``gradcli/schemas/critical.json``): ``schema_version`` first;
``critical_points`` is a list of objects, each with ``point`` (exact
strings, or null for a numeric point), ``point_float``, ``kind`` (``local
min``, ``local max``, ``saddle``, ``degenerate``, ``nondifferentiable``: ∇f
does not exist there), ``value``, ``value_float``,
``numeric``, ``tolerance`` and ``eigenvalues_float``; a set of infinitely many
critical points has ``set`` (its equations, ``"x = y"``) instead of ``point``.
Then ``convexity``, ``global_min`` and ``global_max``, each an object with
its evidence. Exact values are sympy syntax; an algebraic number beyond
radicals is sympy's ``CRootOf(polynomial, k)``, the k-th real root counting
from 0. Floats are under ``*_float`` keys, null where not finite.

CSV: a row per point or set, one column per coordinate and per eigenvalue
(never a list in a cell), booleans ``true``/``false``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Any

import sympy

from gradcli.critical import (
    CriticalAnalysis,
    CriticalPoint,
    CriticalSet,
    GlobalExtremum,
)
from gradcli.critical.results import verdict_label
from gradcli.formats.common import (
    LATEX_WIDTH,
    bool_text,
    csv_text,
    distinct,
    dumps,
    latex_break,
    latex_decimal,
    latex_rows,
    latex_tuple,
    latex_width,
    packed,
    texts,
    versioned,
)
from gradcli.formats.jacobian import latex_escape
from gradcli.i18n import _
from gradcli.kinds import label
from gradcli.parse import Function
from gradcli.printing import decimal, to_text, to_unicode
from gradcli.printing import to_latex as latex

#: exact forms longer than this many characters are shown as decimals by
#: the formats meant for reading (plain text keeps both)
LONG = 80


@dataclass(frozen=True)
class CriticalReport:
    """A critical-point analysis with the function it belongs to."""

    function: Function
    gradient: tuple[sympy.Expr, ...]
    analysis: CriticalAnalysis


def finite(value: float | None) -> float | None:
    """``value``, or None when it is missing, NaN or infinite (JSON has no NaN)."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def finites(values: Sequence[float]) -> list[float | None]:
    """Each value as :func:`finite` gives it."""
    return [finite(v) for v in values]


def set_equations(found: CriticalSet, printer: Any = to_text) -> list[str]:
    """The set's equations as ``lhs = rhs`` strings."""
    return [f"{printer(eq.lhs)} = {printer(eq.rhs)}" for eq in found.equations]


def set_description(found: CriticalSet, n: int) -> str:
    """What the set is, in words: ``x = y (a line)``, ``all of ℝ²``."""
    if not found.equations:
        if found.numeric:
            return _("a continuum of critical points (found numerically, not described)")
        return _("every point of {space}").format(space="ℝ" + ("" if n == 1 else _superscript(n)))
    shown = ", ".join(set_equations(found, to_unicode))
    return _("{equations} ({shape})").format(equations=shown, shape=shape(found))


def shape(found: CriticalSet) -> str:
    """``a line``, ``a curve``, ``a plane``, … from the dimension and equations."""
    linear = all(
        (eq.lhs - eq.rhs).is_polynomial() and sympy.Poly(eq.lhs - eq.rhs).total_degree() <= 1
        for eq in found.equations
    )
    if found.dimension == 1:
        return _("a line") if linear else _("a curve")
    if found.dimension == 2:
        return _("a plane") if linear else _("a surface")
    return _("a {dimension}-dimensional set").format(dimension=found.dimension)


def _superscript(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def is_long(expr: sympy.Basic) -> bool:
    """Whether an exact value is too long to read, or an algebraic number that
    only sympy's ``CRootOf`` can write (shown as a decimal instead)."""
    return len(to_text(expr)) > LONG or expr.has(sympy.CRootOf)


def point_is_long(point: CriticalPoint) -> bool:
    """Whether the exact point is missing or too long to read."""
    if point.point is None:
        return True
    return any(is_long(v) for v in point.point) or sum(len(to_text(v)) for v in point.point) > LONG


def verdict_text(verdict: str) -> str:
    """The convexity verdict as a phrase, in the active language: ``f is strictly convex``.

    >>> verdict_text("neither")
    'f is neither convex nor concave'
    """
    if verdict == "neither":
        return _("f is neither convex nor concave")
    if verdict == "unknown":
        return _("not decided")
    return _("f is {verdict}").format(verdict=verdict_label(verdict))


def kind_text(point: CriticalPoint) -> str:
    """``local min``; a degenerate point with what the higher-order check showed
    (in the active language: the machine's ``kind`` stays English)."""
    if point.kind == "degenerate" and point.higher_order:
        return _("degenerate: {higher_order}").format(higher_order=label(point.higher_order))
    if point.kind == "nondifferentiable":
        return _("not differentiable: {higher_order}").format(
            higher_order=label(point.higher_order or "undecided")
        )
    return label(point.kind)


# ---------------------------------------------------------------------------
# JSON


def point_dict(point: CriticalPoint) -> dict[str, Any]:
    """The JSON object for one isolated critical point."""
    return {
        "point": texts(point.point),
        "point_float": finites(point.point_float),
        "kind": point.kind,
        "value": None if point.value is None else to_text(point.value),
        "value_float": finite(point.value_float),
        "numeric": point.numeric,
        "tolerance": point.tolerance,
        "eigenvalues_float": finites(point.eigenvalues_float),
        "higher_order": point.higher_order,
        "note": point.note,
    }


def set_dict(found: CriticalSet) -> dict[str, Any]:
    """The JSON object for a set of critical points."""
    return {
        "set": set_equations(found),
        "dimension": found.dimension,
        "kind": found.kind,
        "value": None if found.value is None else to_text(found.value),
        "value_float": finite(found.value_float),
        "numeric": found.numeric,
        "samples_float": [finites(s) for s in found.samples],
        "note": found.note,
    }


def extremum_dict(extremum: GlobalExtremum) -> dict[str, Any]:
    """``status`` (found / none / unknown), value, where, and the reason."""
    at: list[dict[str, Any]] = [
        {"point": texts(p.point), "point_float": finites(p.point_float)} for p in extremum.points
    ]
    at += [{"set": set_equations(s)} for s in extremum.sets]
    return {
        "status": extremum.status,
        "value": None if extremum.value is None else to_text(extremum.value),
        "value_float": finite(extremum.value_float),
        "at": at,
        "reason": extremum.reason,
    }


def as_dict(report: CriticalReport) -> dict[str, Any]:
    """The JSON object for one analysis, as a plain dict."""
    function, analysis = report.function, report.analysis
    convexity = analysis.convexity
    return {
        "expression": to_text(function.expr),
        "variables": [v.name for v in analysis.variables],
        "gradient": texts(report.gradient),
        "method": analysis.method,
        "complete": analysis.complete,
        "box": [float(b) for b in analysis.box],
        "critical_points": [point_dict(p) for p in analysis.points]
        + [set_dict(s) for s in analysis.sets],
        "convexity": {
            "verdict": convexity.verdict,
            "evidence": convexity.evidence,
            "not_convex_at": texts(convexity.not_convex_at),
            "not_concave_at": texts(convexity.not_concave_at),
        },
        "global_min": extremum_dict(analysis.global_min),
        "global_max": extremum_dict(analysis.global_max),
        "notes": [*function.notes, *analysis.notes],
    }


def to_json(report: CriticalReport) -> str:
    """One JSON object on one line, ``schema_version`` first."""
    return dumps(versioned(as_dict(report))) + "\n"


# ---------------------------------------------------------------------------
# CSV


def to_csv(report: CriticalReport) -> str:
    """One row per critical point (or set), one value per cell.

    Columns: ``kind``, ``higher_order``, the exact coordinates (a column per
    variable), their floats (``x_float``, …), ``value``, ``value_float``,
    ``numeric`` (``true``/``false``), ``tolerance``, an eigenvalue per column
    (``eigenvalue_1_float``, …, ascending), ``set_dimension``, an equation per
    column (``set_equation_1``, …) and ``note``. A point leaves the set's
    columns empty, a set the point's.
    """
    analysis = report.analysis
    n = len(analysis.variables)
    own = {"kind", "higher_order", "value", "numeric", "tolerance", "set_dimension", "note"}
    # a variable named like a column (value, kind) is told apart
    names = [f"{v.name} (variable)" if v.name in own else v.name for v in analysis.variables]
    equations = max([n, *(len(s.equations) for s in analysis.sets)])
    header = [
        "kind",
        "higher_order",
        *names,
        *(_float_column(v.name, n) for v in analysis.variables),
        "value",
        "value_float",
        "numeric",
        "tolerance",
        *(f"eigenvalue_{i}_float" for i in range(1, n + 1)),
        "set_dimension",
        *(f"set_equation_{i}" for i in range(1, equations + 1)),
        "note",
    ]
    rows: list[list[object]] = []
    for p in analysis.points:
        exact = [to_text(v) for v in p.point] if p.point is not None else [""] * n
        eigenvalues = [_number(v) for v in p.eigenvalues_float]
        rows.append(
            [
                p.kind,
                p.higher_order or "",
                *exact,
                *(_number(v) for v in p.point_float),
                "" if p.value is None else to_text(p.value),
                _number(p.value_float),
                bool_text(p.numeric),
                "" if p.tolerance is None else repr(p.tolerance),
                *eigenvalues,
                *([""] * (n - len(eigenvalues))),
                "",
                *([""] * equations),
                p.note,
            ]
        )
    for s in analysis.sets:
        shown = set_equations(s)
        rows.append(
            [
                s.kind,
                "",
                *([""] * (2 * n)),
                "" if s.value is None else to_text(s.value),
                _number(s.value_float),
                bool_text(s.numeric),
                "",
                *([""] * n),
                s.dimension,
                *shown,
                *([""] * (equations - len(shown))),
                s.note,
            ]
        )
    return csv_text(distinct(header), rows)


def _float_column(name: str, n: int) -> str:
    """``x_float``; a variable whose name would make another column's is told apart."""
    taken = {"value_float", *(f"eigenvalue_{i}_float" for i in range(1, n + 1))}
    column = f"{name}_float"
    return f"{name} (variable)_float" if column in taken else column


def _number(value: float | None) -> str:
    shown = finite(value)
    return "" if shown is None else repr(shown)


# ---------------------------------------------------------------------------
# plain text


def notes_of(report: CriticalReport) -> tuple[str, ...]:
    """How f was read and how it was analysed, as messages for stderr (``note: …``)."""
    return tuple(
        _("note: {note}").format(note=note)
        for note in (*report.function.notes, *report.analysis.notes)
    )


def to_plain(report: CriticalReport) -> str:
    """One fact a line, ``key: value``; points numbered ``point_1``, ``point_2``…"""
    function, analysis = report.function, report.analysis
    names = [v.name for v in analysis.variables]
    lines = [
        f"function: {to_text(function.expr)}",
        f"variables: {', '.join(names)}",
        f"gradient: {', '.join(to_text(g) for g in report.gradient)}",
        f"method: {analysis.method}",
        f"complete: {'yes' if analysis.complete else 'no'}",
        f"box: {analysis.box[0]!r}, {analysis.box[1]!r}",
    ]
    for i, p in enumerate(analysis.points, start=1):
        key = f"point_{i}"
        if p.point is not None:
            lines.append(f"{key}: {', '.join(to_text(v) for v in p.point)}")
        lines.append(f"{key}_float: {', '.join(repr(v) for v in p.point_float)}")
        lines.append(f"{key}_kind: {p.kind}")
        if p.higher_order:
            lines.append(f"{key}_higher_order: {p.higher_order}")
        if p.value is not None:
            lines.append(f"{key}_value: {to_text(p.value)}")
        if finite(p.value_float) is not None:
            lines.append(f"{key}_value_float: {p.value_float!r}")
        if p.eigenvalues_float:
            shown = ", ".join(repr(v) for v in p.eigenvalues_float)
            lines.append(f"{key}_eigenvalues_float: {shown}")
        if p.numeric:
            lines.append(f"{key}_numeric: yes, |df/dxi| <= {p.tolerance!r}")
        if p.note:
            lines.append(f"{key}_note: {p.note}")
    for i, s in enumerate(analysis.sets, start=1):
        key = f"set_{i}"
        lines.append(f"{key}: {'; '.join(set_equations(s)) or set_description(s, len(names))}")
        lines.append(f"{key}_dimension: {s.dimension}")
        lines.append(f"{key}_kind: {s.kind}")
        if s.value is not None:
            lines.append(f"{key}_value: {to_text(s.value)}")
        if s.numeric:
            lines.append(f"{key}_numeric: yes")
        if s.note:
            lines.append(f"{key}_note: {s.note}")
    convexity = analysis.convexity
    lines.append(f"convexity: {convexity.verdict}")
    lines.append(f"convexity_evidence: {convexity.evidence}")
    for key, extremum in (("global_min", analysis.global_min), ("global_max", analysis.global_max)):
        lines.append(f"{key}: {extremum.status}")
        if extremum.value is not None:
            lines.append(f"{key}_value: {to_text(extremum.value)}")
        elif finite(extremum.value_float) is not None:
            lines.append(f"{key}_value_float: {extremum.value_float!r}")
        lines.append(f"{key}_reason: {extremum.reason}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# LaTeX: gradcli's sentences, their maths typeset as maths

_TOKEN = re.compile(
    r"(?P<number>\d+(?:\.\d+)?(?:e[+-]?\d+)?(?![A-Za-z_]))"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<space>\s+)"
    r"|(?P<char>.)",
    re.S,
)
#: characters that are maths wherever they stand
_MATH_CHARS = set("+*/^=<>≤≥→∞ℝ|²³ⁿ·√π≈≠−∇∂")
_OPEN, _CLOSE = "([", ")]"
_RELATIONS = re.compile(r"\s*(<=|>=|==|=|<|>|≤|≥|→|≈|≠)\s*")
_RELATION_LATEX = {
    "<=": r"\leq",
    ">=": r"\geq",
    "==": "=",
    "=": "=",
    "<": "<",
    ">": ">",
    "≤": r"\leq",
    "≥": r"\geq",
    "→": r"\to",
    "≈": r"\approx",
    "≠": r"\neq",
}


@dataclass
class _Token:
    text: str
    kind: str  # number, word, space, char
    math: bool = False


def _tokens(text: str, variables: Sequence[str]) -> list[_Token]:
    """``text`` cut into tokens, each marked maths or words: numbers and names
    first, then the characters, which depend on their neighbours."""
    from gradcli.parse import CONSTANTS, FUNCTIONS

    tokens = [_Token(m.group(), m.lastgroup or "char") for m in _TOKEN.finditer(text)]
    names = set(variables)
    for i, token in enumerate(tokens):
        before = tokens[i - 1].text if i else ""
        after = tokens[i + 1].text if i + 1 < len(tokens) else ""
        if token.kind == "number":
            token.math = True
        elif token.kind == "word":
            name = token.text
            if name == "f" or (after == "(" and name in FUNCTIONS) or name == "CRootOf":
                token.math = True
            elif name in names or name in CONSTANTS:
                # a variable that is also a word ("a") is maths beside an operator
                token.math = (len(name) == 1 and name not in "aAI") or bool(
                    set(before + after) & (_MATH_CHARS | set("-()"))
                )
    for i, token in enumerate(tokens):
        if token.kind != "char":
            continue
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if token.text in _MATH_CHARS:
            token.math = True
        elif token.text == "-":
            # a hyphen before a word ("second-derivative") is the word's
            token.math = following is None or following.kind != "word" or following.math
        elif token.text == "'" and i and tokens[i - 1].math:
            token.math = True
    _mark_groups(tokens)
    return tokens


def _mark_groups(tokens: list[_Token]) -> None:
    """A bracketed group holding only maths (``(-5/32, 0)``) is maths, brackets and
    commas included; one holding words is words (its maths stays maths)."""
    stack: list[int] = []
    for i, token in enumerate(tokens):
        if token.kind != "char":
            continue
        if token.text in _OPEN:
            stack.append(i)
        elif token.text in _CLOSE and stack:
            start = stack.pop()
            inner = tokens[start + 1 : i]
            if (
                inner
                and all(
                    t.math or t.kind == "space" or (t.kind == "char" and t.text == ",")
                    for t in inner
                )
                and any(t.math for t in inner)
            ):
                for t in tokens[start : i + 1]:
                    t.math = t.kind != "space" or t.math
            # a call's brackets are the call's: f(x), sqrt(2)
            elif start and tokens[start - 1].math and tokens[start - 1].kind == "word":
                for t in tokens[start : i + 1]:
                    t.math = True


def _spans(tokens: Sequence[_Token]) -> list[tuple[bool, str]]:
    """Runs of maths and of words; spaces between two maths tokens are maths."""
    out: list[tuple[bool, str]] = []
    for i, token in enumerate(tokens):
        math = token.math
        if token.kind == "space":
            before = next((t.math for t in reversed(tokens[:i]) if t.kind != "space"), False)
            after = next((t.math for t in tokens[i + 1 :] if t.kind != "space"), False)
            math = before and after
        if out and out[-1][0] == math:
            out[-1] = (math, out[-1][1] + token.text)
        else:
            out.append((math, token.text))
    return out


def _math_pieces(text: str, variables: Sequence[str]) -> list[str]:
    """A run of maths in gradcli's syntax as LaTeX, in pieces a line may end after."""
    text = text.strip()
    if len(text) >= 2 and text[0] in _OPEN and _closing(text, 0) == len(text) - 1:
        items = [t for t, _ in _split_top(text[1:-1])]
        if text[0] == "[" and items and all(i.strip().startswith("[") for i in items):
            rows = [
                [_expression(c, variables) for c, _ in _split_top(r.strip()[1:-1])] for r in items
            ]
            if len({len(r) for r in rows}) == 1:
                body = r" \\ ".join(" & ".join(r) for r in rows)
                return [rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"]
        shown = [_math_text(i, variables) for i in items]
        if len(shown) == 1:
            return [text[0] + shown[0] + text[-1]]
        pieces = (
            [text[0] + shown[0] + ","] + [s + "," for s in shown[1:-1]] + [shown[-1] + text[-1]]
        )
        return [pieces[0], *(r"\ " + p for p in pieces[1:])]
    return [_math_text(text, variables)]


def _closing(text: str, start: int) -> int:
    depth = 0
    for i in range(start, len(text)):
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(text[i], 0)
        if depth == 0:
            return i
    return -1


def _split_top(text: str) -> list[tuple[str, int]]:
    from gradcli.parse import split_top_level

    return split_top_level(text)


def _math_text(text: str, variables: Sequence[str]) -> str:
    """Maths with relations (``f → -∞``, ``x = 0``), each side as LaTeX."""
    text = text.strip()
    if len(text) >= 2 and text[0] in _OPEN and _closing(text, 0) == len(text) - 1:
        return " ".join(_math_pieces(text, variables))
    parts = _RELATIONS.split(text)
    out = []
    for i, part in enumerate(parts):
        out.append(_RELATION_LATEX[part] if i % 2 else _expression(part, variables))
    return " ".join(p for p in out if p)


def _expression(text: str, variables: Sequence[str]) -> str:
    r"""One expression of gradcli's syntax as LaTeX (``∞``, ``ℝ^2``, ``1e-08`` too);
    what the parser cannot read is shown as it is, upright."""
    from gradcli.errors import GradcliError
    from gradcli.formats.common import latex_decimal
    from gradcli.parse import parse_expression

    text = text.strip().replace("−", "-")
    if not text:
        return ""
    if text.lstrip("+-") == "∞":
        return ("-" if text.startswith("-") else "") + r"\infty"
    space = re.fullmatch(r"ℝ(?:\^?(\d+|ⁿ|n))?", text)
    if space:
        power = space.group(1)
        power = "n" if power in ("ⁿ", "n") else power
        return r"\mathbf{R}" + (f"^{{{power}}}" if power else "")
    if re.fullmatch(r"-?\d+(?:\.\d+)?e[+-]?\d+", text):
        return latex_decimal(float(text))
    if re.fullmatch(r"-?\d+\.\d+", text):
        return text  # a decimal as shown, not the fraction it equals
    if text.startswith(("(", "[")) and _closing(text, 0) == len(text) - 1:
        return " ".join(_math_pieces(text, variables))
    try:
        return latex(parse_expression(text, variables=variables))
    except (GradcliError, RecursionError, ValueError, TypeError):
        return rf"\mathrm{{{latex_escape(text)}}}"


def prose_rows(text: str, variables: Sequence[str], *, width: int = 64) -> list[str]:
    r"""``text``, one of gradcli's sentences, as rows of an ``align*`` (each
    starting ``&``): words in ``\text{}``, the maths in it typeset, a row
    ending before it passes ``width`` characters.

    >>> prose_rows("the Hessian is indefinite at (-5/32, 0)", ["x", "y"])
    ['&\\text{the Hessian is indefinite at }(- \\frac{5}{32},\\ 0)']
    """
    atoms: list[tuple[bool, str]] = []
    for is_math, span in _spans(_tokens(text, variables)):
        if is_math:
            for piece in _math_pieces(span, variables):
                # a long polynomial (a principal minor) continues at its + and −
                parts = latex_break(piece, width) if latex_width(piece) > width else [piece]
                atoms += [(True, parts[0]), *((True, " " + p) for p in parts[1:])]
        else:
            atoms += [(False, w) for w in re.findall(r"\S+\s*|\s+", span)]
    rows: list[list[tuple[bool, str]]] = [[]]
    length = 0.0
    for is_math, atom in atoms:
        size = latex_width(atom) if is_math else _text_width(atom)
        # words written onto maths (a Korean particle: "f = 0입니다") stay with it
        glued = not is_math and rows[-1] and rows[-1][-1][0] and not atom[0].isspace()
        if (
            rows[-1]
            and length + size > width
            and atom.strip()
            and atom[0] not in ",;:.)]"
            and not glued
        ):
            rows.append([])
            length = 0.0
        rows[-1].append((is_math, atom))
        length += size
    return [("&" if i == 0 else r"&\quad ") + _row_latex(row) for i, row in enumerate(rows)]


def _text_width(words: str) -> int:
    """How many columns words take: a wide (CJK, Hangul) character takes two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in words)


def _row_latex(row: Sequence[tuple[bool, str]]) -> str:
    """A row's atoms: runs of words in one ``\\text{}``, maths as it is."""
    runs = [
        (is_math, "".join(a for _, a in group)) for is_math, group in groupby(row, itemgetter(0))
    ]
    parts = []
    for i, (is_math, joined) in enumerate(runs):
        if i == 0:
            joined = joined.lstrip().removeprefix(r"\ ")
        if i == len(runs) - 1:
            joined = joined.rstrip()
        if not is_math:
            joined = rf"\text{{{latex_escape(joined)}}}" if joined.strip() else ""
        parts.append(joined)
    return "".join(parts)


# ---------------------------------------------------------------------------
# LaTeX


def _latex_point(point: CriticalPoint) -> str:
    if not point_is_long(point) and point.point is not None:
        return latex_tuple(point.point)
    shown = r",\ ".join(latex_decimal(v) for v in point.point_float)
    return rf"\approx \left({shown}\right)" if len(point.point_float) > 1 else rf"\approx {shown}"


def _latex_value(value: sympy.Expr | None, value_float: float | None) -> str:
    """``f = 2``, ``f \approx 104.0152`` or nothing."""
    if value is not None and not is_long(value):
        return f"f = {latex(value)}"
    shown = finite(value_float)
    return "" if shown is None else rf"f \approx {latex_decimal(shown)}"


#: the words of a kind in sentences (each shown through kinds.label)
_KIND_WORDS = {
    "local min": "local minimum",
    "local max": "local maximum",
    "saddle": "saddle point",
    "degenerate": "degenerate",
    "nondifferentiable": "not differentiable",
}


def _latex_words(message: str, **maths: str) -> str:
    r"""A translated ``message`` whose ``{fields}`` are LaTeX maths: the words
    around them in ``\text{}``, the maths as it is."""
    parts = re.split(r"\{(\w+)\}", message)
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(maths[part])
        elif part:
            out.append(rf"\text{{{latex_escape(part)}}}")
    return "".join(out)


def _gradient_rows(report: CriticalReport) -> list[str]:
    r"""``\nabla f(x, y) = (…, …) = 0`` on one row, or where that is too long,
    ``\partial f / \partial x_i = … = 0`` a row each (continued at + and −)."""
    variables = report.analysis.variables
    names = ", ".join(latex(v) for v in variables)
    whole = rf"\nabla f({names}) &= {latex_tuple(report.gradient)} = 0"
    if latex_width(whole) <= LATEX_WIDTH:
        return [whole]
    rows: list[str] = []
    for v, g in zip(variables, report.gradient):
        left = rf"\frac{{\partial f}}{{\partial {latex(v)}}}"
        part = latex_rows(left, latex(g))
        part[-1] += " = 0"
        rows += part
    return rows


def _point_rows(p: CriticalPoint) -> list[str]:
    """A point, what it is and f there: one row, or continued on rows of their own."""
    words = label(_KIND_WORDS[p.kind])
    if p.kind in ("degenerate", "nondifferentiable") and p.higher_order:
        words = _("{kind} ({higher_order})").format(kind=words, higher_order=label(p.higher_order))
    items = [rf"\text{{{latex_escape(words)}}}"]
    if p.numeric and p.tolerance is not None:
        # the tolerance bounds every |∂f/∂xᵢ|: the largest, ‖∇f‖∞
        tolerance = latex_decimal(p.tolerance)
        items.append(
            _latex_words(
                _("numeric: {bound}"),
                bound=rf"\left\|\nabla f\right\|_{{\infty}} \leq {tolerance}",
            )
        )
    value = _latex_value(p.value, p.value_float)
    if value:
        items.append(value)
    return packed(rf"{_latex_point(p)} &: " + items[0], [(r",\quad ", i) for i in items[1:]])


def _set_rows(found: CriticalSet, variables: Sequence[sympy.Symbol]) -> list[str]:
    equations = r",\ ".join(f"{latex(eq.lhs)} = {latex(eq.rhs)}" for eq in found.equations)
    n = len(variables)
    if equations:
        where = equations
    elif found.numeric:
        where = _latex_words(_("a continuum of critical points, found numerically"))
    else:
        space = r"\mathbf{R}" + ("" if n == 1 else f"^{{{n}}}")
        where = _latex_words(_("every point of {space}"), space=space)
    kind = label(_KIND_WORDS[found.kind])
    items = [_latex_words(_("{kind} (a set of critical points)").format(kind=kind))]
    if found.value is not None:
        items.append(f"f = {latex(found.value)}")
    return packed(rf"{where} &: " + items[0], [(r",\quad ", i) for i in items[1:]])


def to_latex(report: CriticalReport) -> str:
    r"""An ``align*`` block: f, ∇f = 0, each point with its kind, the verdicts.

    Only amsmath is needed (ℝ is ``\mathbf{R}``); KaTeX and MathJax render it.
    Rows are kept to about :data:`~gradcli.formats.layout.WIDTH` characters: f and the
    partial derivatives are continued at their + and −, sentences at a word.
    """
    function, analysis = report.function, report.analysis
    names = ", ".join(latex(v) for v in analysis.variables)
    variables = [v.name for v in analysis.variables]
    rows = latex_rows(f"f({names})", latex(function.expr))
    rows += _gradient_rows(report)
    for p in analysis.points:
        rows += _point_rows(p)
    for s in analysis.sets:
        rows += _set_rows(s, analysis.variables)
    convexity = analysis.convexity
    verdict = _("{verdict}: {evidence}").format(
        verdict=verdict_text(convexity.verdict), evidence=convexity.evidence
    )
    rows += prose_rows(verdict, variables)
    for name, extremum in (
        (_("global minimum"), analysis.global_min),
        (_("global maximum"), analysis.global_max),
    ):
        rows += prose_rows(_extremum_words(name, extremum), variables)
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}\n"


def _extremum_words(name: str, extremum: GlobalExtremum) -> str:
    """The global minimum or maximum as a sentence, its maths in gradcli's syntax."""
    fields = {"label": name, "reason": extremum.reason}
    if extremum.status == "none":
        return _("{label}: none ({reason})").format(**fields)
    if extremum.status != "found":
        return _("{label}: cannot be told ({reason})").format(**fields)
    value = extremum_value(extremum, approx="")
    relation = "=" if extremum.value is not None and not is_long(extremum.value) else "≈"
    where = where_text(extremum.points, approx="≈ ")
    where += ["; ".join(set_equations(found)) for found in extremum.sets]
    fields.update(value=f"f {relation} {value}", where=", ".join(where))
    if value and where:
        return _("{label}: {value} at {where} ({reason})").format(**fields)
    if value:
        return _("{label}: {value} ({reason})").format(**fields)
    if where:
        return _("{label}: found at {where} ({reason})").format(**fields)
    return _("{label}: found ({reason})").format(**fields)


def extremum_value(extremum: GlobalExtremum, printer: Any = to_text, approx: str = "≈ ") -> str:
    """The global extremum's value: exact if short, else a decimal, else ''."""
    if extremum.value is not None and not is_long(extremum.value):
        return str(printer(extremum.value))
    shown = finite(extremum.value_float)
    return "" if shown is None else f"{approx}{decimal(shown)}"


def where_text(
    points: Sequence[CriticalPoint], printer: Any = to_text, approx: str = "≈ "
) -> list[str]:
    """Each point as ``(a, b)``: exact if short, else ``≈ (decimals)``."""
    out = []
    for p in points:
        if not point_is_long(p) and p.point is not None:
            items = [str(printer(v)) for v in p.point]
            out.append(items[0] if len(items) == 1 else "(" + ", ".join(items) + ")")
        else:
            items = [decimal(v) for v in p.point_float]
            out.append(approx + (items[0] if len(items) == 1 else "(" + ", ".join(items) + ")"))
    return out
