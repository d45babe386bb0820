"""``gradcli hessian`` as rich tables: the matrix, at a point its values,
determinant, eigenvalues, definiteness and what they mean there."""

from __future__ import annotations

from rich.console import RenderableType

from gradcli.formats.hessian import HessianReport, explain
from gradcli.i18n import _
from gradcli.kinds import label
from gradcli.printing import decimal, to_unicode
from gradcli.render.console import Screen, render, text
from gradcli.render.jacobian import (
    arguments,
    equals,
    exact_cells,
    is_long,
    matrix_table,
    vector,
    with_decimal,
)

#: eigenvalues longer than this are shown as decimals (--format json has them)
SHORT = 30


def renderables(report: HessianReport) -> list[RenderableType]:
    function, result = report.function, report.result
    names = [to_unicode(v) for v in function.variables]
    out: list[RenderableType] = [
        text(f"f({arguments(names)}) = {to_unicode(function.expr)}", "bold")
    ]
    if function.parameters:
        names_shown = ", ".join(to_unicode(p) for p in function.parameters)
        out.append(text(_("parameters: {names}").format(names=names_shown)))
    if report.parameter_values:
        given = ", ".join(f"{to_unicode(p)} = {to_unicode(v)}" for p, v in report.parameter_values)
        out.append(text(_("at the point: {values}").format(values=given)))
    # the notes are messages: the command sends them to stderr
    constant = all(not v.free_symbols for row in result.matrix for v in row)
    if constant:
        heading = _(
            "Hessian H: row i, column j is ∂²f/∂xᵢ∂xⱼ (symmetric); "
            "constant: the same at every point"
        )
    else:
        heading = _("Hessian H: row i, column j is ∂²f/∂xᵢ∂xⱼ (symmetric)")
    out.append(text(heading))
    cells = [[to_unicode(v) for v in row] for row in result.matrix]
    out.append(matrix_table("H", names, names, cells, numbers=constant))
    where = arguments(names)
    if result.at_point is not None and result.matrix_at is not None:
        where = arguments([to_unicode(p) for p in result.at_point])
        if not constant:
            cells = exact_cells(result.matrix_at, result.matrix_at_float)
            out.append(matrix_table(f"H({where})", names, names, cells, numbers=True))
    if result.determinant is not None:
        shown = with_decimal(result.determinant, result.determinant_float)
        out.append(text(f"det H({where}) {equals(shown)}"))
    eigenvalues = _eigenvalues(report)
    if eigenvalues:
        out.append(text(_("eigenvalues: {values}").format(values=eigenvalues)))
    if result.definiteness is not None:
        out.append(
            text(
                _("H is {definiteness}").format(definiteness=label(str(result.definiteness))),
                "bold",
            )
        )
    elif result.at_point is None:
        out.append(
            text(_("give a point (--at) for the eigenvalues and the second-derivative test"))
        )
    if report.function_value is not None:
        shown = with_decimal(report.function_value, report.function_value_float)
        out.append(text(f"f({where}) {equals(shown)}"))
    if result.gradient_at is not None:
        gradient = vector([to_unicode(g) for g in result.gradient_at])
        out.append(text(f"∇f({where}) = {gradient}"))
    if result.meaning is not None:
        out.append(
            text(
                _("at ({point}): {meaning}").format(point=where, meaning=explain(result.meaning)),
                "bold",
            )
        )
    return out


def _eigenvalues(report: HessianReport) -> str:
    result = report.result
    exact = result.eigenvalues
    values = result.eigenvalues_float
    if exact is not None and not any(is_long(v, SHORT) for v in exact):
        items = [
            with_decimal(v, None if values is None else values[i]) for i, v in enumerate(exact)
        ]
        return ", ".join(items)
    if values is not None:
        shown = ", ".join(f"≈ {decimal(v)}" for v in values)
        if exact is not None:
            shown = _("{values} (exact forms: --format json)").format(values=shown)

        return shown
    return ""


def to_table(report: HessianReport, screen: Screen) -> str:
    return render(lambda: renderables(report), screen)
