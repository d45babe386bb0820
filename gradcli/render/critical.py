"""``gradcli critical`` as a rich table: each critical point and its kind, then
the convexity verdict and the global extrema, each with its evidence."""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table

from gradcli.critical import CriticalPoint
from gradcli.critical.results import GlobalExtremum
from gradcli.formats.critical import (
    CriticalReport,
    extremum_value,
    kind_text,
    point_is_long,
    set_description,
    verdict_text,
    where_text,
)
from gradcli.i18n import _
from gradcli.kinds import label
from gradcli.printing import decimal, to_unicode
from gradcli.render.console import Screen, render, text
from gradcli.render.jacobian import arguments, equals, vector, with_decimal


def _point_cell(point: CriticalPoint) -> str:
    return where_text([point], to_unicode)[0]


def _value_cell(point: CriticalPoint) -> str:
    import math

    value = point.value_float if math.isfinite(point.value_float) else None
    return with_decimal(point.value, value)


def _eigenvalues_cell(values: tuple[float, ...]) -> str:
    return ", ".join(decimal(v, 4) for v in values) if values else "?"


def renderables(report: CriticalReport) -> list[RenderableType]:
    function, analysis = report.function, report.analysis
    names = [to_unicode(v) for v in analysis.variables]
    n = len(names)
    out: list[RenderableType] = [
        text(f"f({arguments(names)}) = {to_unicode(function.expr)}", "bold"),
        text(f"∇f({arguments(names)}) = {vector([to_unicode(g) for g in report.gradient])}"),
    ]
    count = len(analysis.points)
    if not count and not analysis.sets:
        if analysis.complete:
            out.append(text(_("no critical points: ∇f = 0 has no real solution"), "bold"))
        else:
            out.append(text(_("no critical points found ({how})").format(how=_how(report)), "bold"))
    else:
        out.append(text(_("critical points (∇f = 0), {how}").format(how=_how(report)), "bold"))
        out.append(_table(report))
    footnotes = _footnotes(report)
    out.extend(text(line) for line in footnotes)
    convexity = analysis.convexity
    out.append(
        text(_("convexity: {verdict}").format(verdict=verdict_text(convexity.verdict)), "bold")
    )
    out.append(text(_("  evidence: {evidence}").format(evidence=convexity.evidence)))
    for extremum in (analysis.global_min, analysis.global_max):
        out.append(text(_extremum_head(extremum, n), "bold"))
        out.append(text(f"  {extremum.reason}"))
    return out


def _extremum_head(extremum: GlobalExtremum, n: int) -> str:
    """``global minimum: f = 0 at (0, 0)``, ``global maximum: none``, …"""
    minimum = extremum.kind == "minimum"
    if extremum.status == "none":
        return _("global minimum: none") if minimum else _("global maximum: none")
    if extremum.status != "found":
        if minimum:
            return _("global minimum: cannot be told")
        return _("global maximum: cannot be told")
    value = extremum_value(extremum, to_unicode)
    where = ", ".join(
        where_text(extremum.points, to_unicode) + [set_description(s, n) for s in extremum.sets]
    )
    fields = {"value": f"f {equals(value)}", "where": where}
    if value and where:
        if minimum:
            return _("global minimum: {value} at {where}").format(**fields)
        return _("global maximum: {value} at {where}").format(**fields)
    if value:
        if minimum:
            return _("global minimum: {value}").format(**fields)
        return _("global maximum: {value}").format(**fields)
    if where:
        if minimum:
            return _("global minimum: attained at {where}").format(**fields)
        return _("global maximum: attained at {where}").format(**fields)
    return _("global minimum: attained") if minimum else _("global maximum: attained")


def _how(report: CriticalReport) -> str:
    """How the points were found, and how far the list can be trusted."""
    analysis = report.analysis
    n = len(analysis.variables)
    where = "ℝ" if n == 1 else f"ℝ{''.join('⁰¹²³⁴⁵⁶⁷⁸⁹'[int(d)] for d in str(n))}"
    lo, hi = (decimal(v) for v in analysis.box)
    if analysis.complete:
        return _("solved exactly: all of them on {space}").format(space=where)
    if analysis.method == "symbolic":
        return _("from sympy's solution (it may miss some)")
    box = f"[{lo}, {hi}]" + ("" if n == 1 else f"^{n}")
    if analysis.method == "mixed":
        return _("mixed: searched in the box {box}").format(box=box)
    return _("numeric: searched in the box {box}").format(box=box)


def _table(report: CriticalReport) -> Table:
    analysis = report.analysis
    table = Table(show_edge=True, header_style="bold")
    table.add_column("#", justify="right")
    table.add_column(_("point"))
    table.add_column(_("f there"))
    table.add_column(_("eigenvalues of H"))
    table.add_column(_("kind"))
    row = 0
    for p in analysis.points:
        row += 1
        kind = kind_text(p)
        if p.numeric:
            kind += " †"
        table.add_row(
            text(str(row)),
            text(_point_cell(p)),
            text(_value_cell(p)),
            text(_eigenvalues_cell(p.eigenvalues_float)),
            text(kind),
        )
    for s in analysis.sets:
        row += 1
        value = _("varies") if s.value is None and s.value_float is None else ""
        if s.value is not None:
            value = with_decimal(s.value, s.value_float)
        elif s.value_float is not None:
            value = f"≈ {decimal(s.value_float)}"
        table.add_row(
            text(str(row)),
            text(set_description(s, len(analysis.variables))),
            text(value),
            text(_("(varies)")),
            text(_("{kind} (a set)").format(kind=label(s.kind))),
        )
    return table


def _footnotes(report: CriticalReport) -> list[str]:
    analysis = report.analysis
    rows: dict[str, list[int]] = {}  # note -> the rows it belongs to
    row = 0
    long_points = False
    numeric = None
    for p in analysis.points:
        row += 1
        if p.note:
            rows.setdefault(p.note, []).append(row)
        if p.numeric:
            numeric = p.tolerance
        elif point_is_long(p):
            long_points = True
    for s in analysis.sets:
        row += 1
        if s.note:
            rows.setdefault(s.note, []).append(row)
    lines = [f"{', '.join(map(str, numbers))}: {note}" for note, numbers in rows.items()]
    if long_points:
        lines.append(
            _(
                "≈: the exact coordinates are algebraic numbers too long to show "
                "(--format json has them)"
            )
        )
    if numeric is not None:
        lines.append(
            _(
                "†: numeric, found by Levenberg–Marquardt from many starts in the box; "
                "|∂f/∂xᵢ| ≤ {tolerance} there"
            ).format(tolerance=f"{numeric:g}")
        )

    return lines


def to_table(report: CriticalReport, screen: Screen) -> str:
    return render(lambda: renderables(report), screen)
