"""``gradcli grad`` as a rich table, with the facts a student reads off it."""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from gradcli.calculus import Gradient
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
        out.append(text("parameters: " + ", ".join(to_unicode(p) for p in function.parameters)))
    # the notes are messages: the command sends them to stderr
    at = result.at
    point = _vector([to_unicode(p) for p in at.point]) if at else ""
    point_args = point[1:-1] if point.startswith("(") else point
    table = Table(show_edge=True, header_style="bold")
    table.add_column("variable")
    table.add_column("partial derivative")
    if at is not None:
        table.add_column(
            f"at ({point_args})" if len(at.point) > 1 else f"at {point}", justify="right"
        )
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
        out.append(text(f"with {to_unicode(parameter)} = {to_unicode(value)}"))
    value = _vector([to_unicode(v) for v in at.value])
    f_value = _with_decimal(
        to_unicode(at.function_value), at.function_value, at.function_value_float
    )
    out.append(text(f"f({point_args}) = {f_value}"))
    if at.critical:
        out.append(text(f"∇f({point_args}) = {value}", "bold"))
        out.append(
            text(
                "∇f = 0: a critical point. There is no direction of steepest ascent here "
                "(a minimum, maximum or saddle: see `gradcli hessian`)."
            )
        )
    else:
        out.append(text(f"∇f({point_args}) = {value}   the direction of steepest ascent", "bold"))
        magnitude = _with_decimal(to_unicode(at.magnitude), at.magnitude, at.magnitude_float)
        out.append(text(f"|∇f({point_args})| = {magnitude}   the rate of increase that way"))
        if at.direction is not None:
            unit = _vector([to_unicode(d) for d in at.direction])
            descent = _vector([to_unicode(-d) for d in at.direction])
            if at.direction_float is not None:
                unit += " ≈ " + _vector([decimal(v, 4) for v in at.direction_float])
                descent += " ≈ " + _vector([decimal(-v, 4) for v in at.direction_float])
            out.append(text(f"unit direction û = {unit}"))
            out.append(text(f"steepest descent −û = {descent}"))
        elif at.direction_float is not None:
            # the exact form is too long to print: ∇f/|∇f| from the lines above
            unit = _vector([decimal(v, 4) for v in at.direction_float])
            descent = _vector([decimal(-v, 4) for v in at.direction_float])
            out.append(text(f"unit direction û = ∇f/|∇f| ≈ {unit}"))
            out.append(text(f"steepest descent −û ≈ {descent}"))
    d = at.directional
    if d is not None:
        unit_v = _vector([to_unicode(c) for c in d.unit_along])
        out.append(
            text(
                f"along v = {_vector([to_unicode(c) for c in d.along])}, normalised to v̂ = {unit_v}"
            )
        )
        rate = _with_decimal(to_unicode(d.derivative), d.derivative, d.derivative_float)
        out.append(text(f"D_v̂ f({point_args}) = ∇f · v̂ = {rate}", "bold"))
        if d.angle_float is not None:
            import math

            degrees = math.degrees(d.angle_float)
            out.append(
                Text(
                    f"angle between v and ∇f: {decimal(degrees, 4)}°. The rate is largest "
                    f"along ∇f (= |∇f|), zero along the level curve (90°), most negative "
                    f"along −∇f."
                )
            )
    return out


def to_table(result: Gradient, screen: Screen) -> str:
    return render(lambda: renderables(result), screen)
