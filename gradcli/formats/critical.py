"""``gradcli critical`` output: JSON, CSV, plain text and LaTeX.

JSON: ``critical_points`` is a list of objects, each with ``point`` (exact
strings, or null for a numeric point), ``point_float``, ``kind`` (``local
min``, ``local max``, ``saddle``, ``degenerate``, ``nondifferentiable``: ∇f
does not exist there), ``value``, ``value_float``,
``numeric``, ``tolerance`` and ``eigenvalues_float``; a set of infinitely many
critical points has ``set`` (its equations, ``"x = y"``) instead of ``point``.
Then ``convexity``, ``global_min`` and ``global_max``, each an object with
its evidence. Exact values are sympy syntax; an algebraic number beyond
radicals is sympy's ``CRootOf(polynomial, k)``, the k-th real root counting
from 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sympy

from gradcli.critical import (
    CriticalAnalysis,
    CriticalPoint,
    CriticalSet,
    GlobalExtremum,
)
from gradcli.formats.common import csv_text, dumps, latex_tuple, texts
from gradcli.formats.jacobian import latex_escape
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


def set_equations(found: CriticalSet, printer: Any = to_text) -> list[str]:
    """The set's equations as ``lhs = rhs`` strings."""
    return [f"{printer(eq.lhs)} = {printer(eq.rhs)}" for eq in found.equations]


def set_description(found: CriticalSet, n: int) -> str:
    """What the set is, in words: ``x = y (a line)``, ``all of ℝ²``."""
    if not found.equations:
        if found.numeric:
            return "a continuum of critical points (found numerically, not described)"
        return "every point of ℝ" + ("" if n == 1 else _superscript(n))
    shown = ", ".join(set_equations(found, to_unicode))
    return f"{shown} ({shape(found)})"


def shape(found: CriticalSet) -> str:
    """``a line``, ``a curve``, ``a plane``, … from the dimension and equations."""
    linear = all(
        (eq.lhs - eq.rhs).is_polynomial() and sympy.Poly(eq.lhs - eq.rhs).total_degree() <= 1
        for eq in found.equations
    )
    if found.dimension == 1:
        return "a line" if linear else "a curve"
    if found.dimension == 2:
        return "a plane" if linear else "a surface"
    return f"a {found.dimension}-dimensional set"


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
    """The convexity verdict as a phrase: ``f is strictly convex``.

    >>> verdict_text("neither")
    'f is neither convex nor concave'
    """
    if verdict == "neither":
        return "f is neither convex nor concave"
    if verdict == "unknown":
        return "not decided"
    return f"f is {verdict}"


def kind_text(point: CriticalPoint) -> str:
    """``local min``; a degenerate point with what the higher-order check showed."""
    if point.kind == "degenerate" and point.higher_order:
        return f"degenerate: {point.higher_order}"
    if point.kind == "nondifferentiable":
        return f"not differentiable: {point.higher_order or 'undecided'}"
    return point.kind


# ---------------------------------------------------------------------------
# JSON


def point_dict(point: CriticalPoint) -> dict[str, Any]:
    """The JSON object for one isolated critical point."""
    return {
        "point": texts(point.point),
        "point_float": list(point.point_float),
        "kind": point.kind,
        "value": None if point.value is None else to_text(point.value),
        "value_float": finite(point.value_float),
        "numeric": point.numeric,
        "tolerance": point.tolerance,
        "eigenvalues_float": list(point.eigenvalues_float),
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
        "samples_float": [list(s) for s in found.samples],
        "note": found.note,
    }


def extremum_dict(extremum: GlobalExtremum) -> dict[str, Any]:
    """``status`` (found / none / unknown), value, where, and the reason."""
    at: list[dict[str, Any]] = [
        {"point": texts(p.point), "point_float": list(p.point_float)} for p in extremum.points
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
        "box": list(analysis.box),
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
    """One JSON object on one line."""
    return dumps(as_dict(report)) + "\n"


# ---------------------------------------------------------------------------
# CSV


def to_csv(report: CriticalReport) -> str:
    """One row per critical point (or set): exact coordinates, floats, value,
    kind, eigenvalues (separated by spaces) and notes.

    A set has its equations in ``set`` and no coordinates.
    """
    analysis = report.analysis
    names = [v.name for v in analysis.variables]
    header = [
        "kind",
        *names,
        *(f"{n}_float" for n in names),
        "value",
        "value_float",
        "numeric",
        "tolerance",
        "eigenvalues_float",
        "set",
        "note",
    ]
    rows: list[list[object]] = []
    for p in analysis.points:
        exact = [to_text(v) for v in p.point] if p.point is not None else [""] * len(names)
        rows.append(
            [
                kind_text(p),
                *exact,
                *(repr(v) for v in p.point_float),
                "" if p.value is None else to_text(p.value),
                _number(p.value_float),
                "yes" if p.numeric else "no",
                "" if p.tolerance is None else repr(p.tolerance),
                " ".join(repr(v) for v in p.eigenvalues_float),
                "",
                p.note,
            ]
        )
    for s in analysis.sets:
        rows.append(
            [
                s.kind,
                *([""] * (2 * len(names))),
                "" if s.value is None else to_text(s.value),
                _number(s.value_float),
                "yes" if s.numeric else "no",
                "",
                "",
                "; ".join(set_equations(s)) or set_description(s, len(names)),
                s.note,
            ]
        )
    return csv_text(header, rows)


def _number(value: float | None) -> str:
    shown = finite(value)
    return "" if shown is None else repr(shown)


# ---------------------------------------------------------------------------
# plain text


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
    for note in (*function.notes, *analysis.notes):
        lines.append(f"note: {note}")
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
# LaTeX


def _latex_point(point: CriticalPoint) -> str:
    if not point_is_long(point) and point.point is not None:
        return latex_tuple(point.point)
    shown = r",\ ".join(decimal(v) for v in point.point_float)
    return rf"\approx \left({shown}\right)" if len(point.point_float) > 1 else rf"\approx {shown}"


def _latex_value(value: sympy.Expr | None, value_float: float | None) -> str:
    """``f = 2``, ``f \approx 104.0152`` or nothing."""
    if value is not None and not is_long(value):
        return f"f = {latex(value)}"
    shown = finite(value_float)
    return "" if shown is None else rf"f \approx {decimal(shown)}"


_KIND_WORDS = {
    "local min": "local minimum",
    "local max": "local maximum",
    "saddle": "saddle point",
    "degenerate": "degenerate",
    "nondifferentiable": "not differentiable",
}


def to_latex(report: CriticalReport) -> str:
    r"""An ``align*`` block: f, ∇f = 0, each point with its kind, the verdicts."""
    function, analysis = report.function, report.analysis
    names = ", ".join(latex(v) for v in analysis.variables)
    rows = [
        rf"f({names}) &= {latex(function.expr)}",
        rf"\nabla f({names}) &= {latex_tuple(report.gradient)} = 0",
    ]
    for p in analysis.points:
        words = _KIND_WORDS[p.kind]
        if p.kind in ("degenerate", "nondifferentiable") and p.higher_order:
            words += f" ({p.higher_order})"
        if p.numeric:
            words += f", numeric (|grad f| <= {p.tolerance:g})"
        value = _latex_value(p.value, p.value_float)
        value = rf",\quad {value}" if value else ""
        rows.append(rf"{_latex_point(p)} &: \text{{{latex_escape(words)}}}{value}")
    for s in analysis.sets:
        equations = r",\ ".join(f"{latex(eq.lhs)} = {latex(eq.rhs)}" for eq in s.equations)
        where = (
            equations or rf"\text{{{latex_escape(set_description(s, len(analysis.variables)))}}}"
        )
        words = _KIND_WORDS[s.kind] + " (a set of critical points)"
        value = "" if s.value is None else rf",\quad f = {latex(s.value)}"
        rows.append(rf"{where} &: \text{{{latex_escape(words)}}}{value}")
    convexity = analysis.convexity
    verdict = verdict_text(convexity.verdict)
    rows.append(rf"&\text{{{latex_escape(f'{verdict}: {convexity.evidence}')}}}")
    for label, extremum in (
        ("global minimum", analysis.global_min),
        ("global maximum", analysis.global_max),
    ):
        rows.append(rf"&\text{{{latex_escape(_extremum_words(label, extremum))}}}")
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}\n"


def _extremum_words(label: str, extremum: GlobalExtremum) -> str:
    status = {"found": "", "none": "none", "unknown": "cannot be told"}[extremum.status]
    if extremum.status == "found":
        value = extremum_value(extremum, approx="approx. ")
        status = f"f = {value}" if value else "found"
        where = where_text(extremum.points, approx="approx. ")
        where += ["; ".join(set_equations(found)) for found in extremum.sets]
        if where:
            status += " at " + ", ".join(where)
    return f"{label}: {status} ({extremum.reason})"


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
