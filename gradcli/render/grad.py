"""``gradcli grad`` as a rich table, with the facts a student reads off it."""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from gradcli.calculus import Gradient
from gradcli.i18n import _
from gradcli.printing import decimal, is_exactly, to_unicode
from gradcli.render.console import Screen, render, text


def _with_decimal(exact_text: str, exact: object, value: float | None, digits: int = 7) -> str:
    if value is None or is_exactly(exact, value):
        return exact_text
    return f"{exact_text} ≈ {decimal(value, digits)}"


def _vector(items: list[str]) -> str:
    return items[0] if len(items) == 1 else "(" + ", ".join(items) + ")"


def renderables(result: Gradient) -> list[RenderableType]:
    function = result.function
    names = ", ".join(to_unicode(v) for v in function.variables)
    out: list[RenderableType] = [text(f"f({names}) = {to_unicode(function.expr)}", "bold")]
    if function.parameters:
        names_of = ", ".join(to_unicode(p) for p in function.parameters)
        out.append(text(_("parameters: {names}").format(names=names_of)))
    # the notes are messages: the command sends them to stderr
    at = result.at
    point = _vector([to_unicode(p) for p in at.point]) if at else ""
    point_args = point[1:-1] if point.startswith("(") else point
    table = Table(show_edge=True, header_style="bold")
    table.add_column(_("variable"))
    table.add_column(_("partial derivative"))
    if at is not None:
        shown = f"({point_args})" if len(at.point) > 1 else point
        table.add_column(_("at {point}").format(point=shown), justify="right")
    for i, (variable, component) in enumerate(zip(function.variables, result.components)):
        name = to_unicode(variable)
        row: list[RenderableType] = [text(name), text(f"∂f/∂{name} = {to_unicode(component)}")]
        if at is not None:
            value_float = at.value_float[i] if at.value_float else None
            row.append(text(_with_decimal(to_unicode(at.value[i]), at.value[i], value_float)))
        table.add_row(*row)
    out.append(table)
    if at is None:
        gradient = _vector([to_unicode(c) for c in result.components])
        out.append(text(f"∇f({names}) = {gradient}"))
        return out
    for parameter, value in at.parameter_values:
        out.append(
            text(
                _("with {parameter} = {value}").format(
                    parameter=to_unicode(parameter), value=to_unicode(value)
                )
            )
        )
    value = _vector([to_unicode(v) for v in at.value])
    f_value = _with_decimal(
        to_unicode(at.function_value), at.function_value, at.function_value_float
    )
    out.append(text(f"f({point_args}) = {f_value}"))
    if at.critical:
        out.append(text(f"∇f({point_args}) = {value}", "bold"))
        out.append(
            text(
                _(
                    "∇f = 0: a critical point. There is no direction of steepest ascent here "
                    "(a minimum, maximum or saddle: see `gradcli hessian`)."
                )
            )
        )
    else:
        gradient = f"∇f({point_args}) = {value}"
        out.append(
            text(
                _("{gradient}   the direction of steepest ascent").format(gradient=gradient), "bold"
            )
        )
        magnitude = _with_decimal(to_unicode(at.magnitude), at.magnitude, at.magnitude_float)
        length = f"|∇f({point_args})| = {magnitude}"
        out.append(text(_("{magnitude}   the rate of increase that way").format(magnitude=length)))
        if at.direction is not None:
            unit = _vector([to_unicode(d) for d in at.direction])
            descent = _vector([to_unicode(-d) for d in at.direction])
            if at.direction_float is not None:
                unit += " ≈ " + _vector([decimal(v, 4) for v in at.direction_float])
                descent += " ≈ " + _vector([decimal(-v, 4) for v in at.direction_float])
            out.append(text(_("unit direction û = {unit}").format(unit=unit)))
            out.append(text(_("steepest descent −û = {descent}").format(descent=descent)))
        elif at.direction_float is not None:
            # the exact form is too long to print: ∇f/|∇f| from the lines above
            unit = _vector([decimal(v, 4) for v in at.direction_float])
            descent = _vector([decimal(-v, 4) for v in at.direction_float])
            out.append(text(_("unit direction û = ∇f/|∇f| ≈ {unit}").format(unit=unit)))
            out.append(text(_("steepest descent −û ≈ {descent}").format(descent=descent)))
    d = at.directional
    if d is not None:
        unit_v = _vector([to_unicode(c) for c in d.unit_along])
        along = _vector([to_unicode(c) for c in d.along])
        out.append(
            text(_("along v = {along}, normalised to v̂ = {unit}").format(along=along, unit=unit_v))
        )
        rate = _with_decimal(to_unicode(d.derivative), d.derivative, d.derivative_float)
        out.append(text(f"D_v̂ f({point_args}) = ∇f · v̂ = {rate}", "bold"))
        if d.angle_float is not None:
            import math

            degrees = math.degrees(d.angle_float)
            out.append(
                Text(
                    _(
                        "angle between v and ∇f: {degrees}°. The rate is largest "
                        "along ∇f (= |∇f|), zero along the level curve (90°), most negative "
                        "along −∇f."
                    ).format(degrees=decimal(degrees, 4))
                )
            )
    return out


def to_table(result: Gradient, screen: Screen) -> str:
    return render(lambda: renderables(result), screen)
