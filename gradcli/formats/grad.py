"""``gradcli grad`` output: JSON, CSV, plain text and LaTeX.

The JSON keys are the machine contract, documented in the README; values are
sympy syntax that gradcli reads back, with ``*_float`` numbers beside them.
"""

from __future__ import annotations

from typing import Any

from gradcli.calculus import Gradient
from gradcli.formats.common import (
    csv_text,
    dumps,
    float_text,
    floats,
    latex_point,
    latex_tuple,
    texts,
)
from gradcli.printing import decimal, to_text
from gradcli.printing import to_latex as latex


def as_dict(result: Gradient) -> dict[str, Any]:
    """The JSON object for one gradient, as a plain dict."""
    function = result.function
    at = result.at
    out: dict[str, Any] = {
        "expression": to_text(function.expr),
        "variables": [v.name for v in function.variables],
        "parameters": [p.name for p in function.parameters],
        "gradient": texts(result.components),
        "point": texts(at.point) if at else None,
        "function_value": to_text(at.function_value) if at else None,
        "function_value_float": at.function_value_float if at else None,
        "value": texts(at.value) if at else None,
        "value_float": floats(at.value_float) if at else None,
        "magnitude": to_text(at.magnitude) if at else None,
        "magnitude_float": at.magnitude_float if at else None,
        "direction": texts(at.direction) if at else None,
        "direction_float": floats(at.direction_float) if at else None,
        "critical": at.critical if at else None,
        "notes": list(result.notes),
    }
    if at is not None and at.parameter_values:
        out["parameter_values"] = {p.name: to_text(v) for p, v in at.parameter_values}
    if at is not None and at.directional is not None:
        d = at.directional
        out.update(
            {
                "along": texts(d.along),
                "unit_along": texts(d.unit_along),
                "unit_along_float": floats(d.unit_along_float),
                "directional_derivative": to_text(d.derivative),
                "directional_derivative_float": d.derivative_float,
                "angle_float": d.angle_float,
            }
        )
    return out


def to_json(result: Gradient) -> str:
    """One JSON object on one line (JSON Lines when there are many)."""
    return dumps(as_dict(result)) + "\n"


def csv_header(result: Gradient) -> list[str]:
    names = [v.name for v in result.variables]
    partials = [f"df/d{n}" for n in names]
    if result.at is None:
        return ["expression", *partials]
    return [
        *names,
        *partials,
        "magnitude",
        *(f"{p}_float" for p in partials),
        "magnitude_float",
    ]


def csv_row(result: Gradient) -> list[object]:
    at = result.at
    if at is None:
        return [to_text(result.function.expr), *(to_text(c) for c in result.components)]
    value_float = at.value_float or [None] * len(at.value)
    return [
        *(to_text(p) for p in at.point),
        *(to_text(v) for v in at.value),
        to_text(at.magnitude),
        *(float_text(v) for v in value_float),
        float_text(at.magnitude_float),
    ]


def to_csv(result: Gradient) -> str:
    """A header and one row: the point, ∇f there (exact, then floats), |∇f|.

    Without a point: the expression and the symbolic partials.
    """
    return csv_text(csv_header(result), [csv_row(result)])


def to_plain(result: Gradient) -> str:
    """One fact a line, ``key: value``, in sympy syntax: easy to grep and cut."""
    function = result.function
    lines = [
        f"function: {to_text(function.expr)}",
        f"variables: {', '.join(v.name for v in function.variables)}",
    ]
    if function.parameters:
        lines.append(f"parameters: {', '.join(p.name for p in function.parameters)}")
    for note in result.notes:
        lines.append(f"note: {note}")
    for variable, component in zip(function.variables, result.components):
        lines.append(f"df/d{variable.name}: {to_text(component)}")
    at = result.at
    if at is None:
        return "\n".join(lines) + "\n"

    def vector(exprs: Any) -> str:
        return ", ".join(to_text(e) for e in exprs)

    def numbers(values: Any) -> str:
        return ", ".join(repr(float(v)) for v in values)

    lines.append(f"point: {vector(at.point)}")
    for parameter, value in at.parameter_values:
        lines.append(f"parameter: {parameter.name} = {to_text(value)}")
    lines.append(f"function_value: {to_text(at.function_value)}")
    if at.function_value_float is not None:
        lines.append(f"function_value_float: {at.function_value_float!r}")
    lines.append(f"value: {vector(at.value)}")
    if at.value_float is not None:
        lines.append(f"value_float: {numbers(at.value_float)}")
    lines.append(f"magnitude: {to_text(at.magnitude)}")
    if at.magnitude_float is not None:
        lines.append(f"magnitude_float: {at.magnitude_float!r}")
    if at.critical:
        lines.append("critical: yes (the gradient is zero: no direction of ascent)")
    if at.direction is not None:
        lines.append(f"direction: {vector(at.direction)}")
        lines.append(f"descent_direction: {vector(-d for d in at.direction)}")
    if at.direction_float is not None:
        lines.append(f"direction_float: {numbers(at.direction_float)}")
    d = at.directional
    if d is not None:
        lines.append(f"along: {vector(d.along)}")
        lines.append(f"unit_along: {vector(d.unit_along)}")
        lines.append(f"directional_derivative: {to_text(d.derivative)}")
        if d.derivative_float is not None:
            lines.append(f"directional_derivative_float: {d.derivative_float!r}")
        if d.angle_float is not None:
            lines.append(f"angle_float: {d.angle_float!r}")
    return "\n".join(lines) + "\n"


def to_latex(result: Gradient) -> str:
    r"""An ``align*`` block to paste into a write-up."""
    function = result.function
    names = ", ".join(latex(v) for v in function.variables)
    rows = [
        rf"f({names}) &= {latex(function.expr)}",
        rf"\nabla f({names}) &= {latex_tuple(result.components)}",
    ]
    at = result.at
    if at is not None:
        point = latex_point(at.point)
        rows.append(rf"\nabla f({point}) &= {latex_tuple(at.value)}")
        magnitude = rf"\left\|\nabla f({point})\right\| &= {latex(at.magnitude)}"
        if at.magnitude_float is not None and not at.magnitude.is_Integer:
            magnitude += rf" \approx {decimal(at.magnitude_float)}"
        rows.append(magnitude)
        if at.critical:
            rows.append(r"&\text{critical point: no direction of ascent}")
        elif at.direction is not None:
            unit = rf"\hat{{u}} &= {latex_tuple(at.direction)}"
            if at.direction_float is not None:
                shown = ", ".join(decimal(v, 4) for v in at.direction_float)
                unit += rf" \approx \left({shown}\right)"
            rows.append(unit)
        elif at.direction_float is not None:
            shown = ", ".join(decimal(v, 4) for v in at.direction_float)
            rows.append(
                rf"\hat{{u}} &= \frac{{\nabla f}}{{\left\|\nabla f\right\|}}"
                rf" \approx \left({shown}\right)"
            )
        d = at.directional
        if d is not None:
            row = rf"D_{{\hat{{v}}}} f({point}) &= {latex(d.derivative)}"
            if d.derivative_float is not None and not d.derivative.is_Integer:
                row += rf" \approx {decimal(d.derivative_float)}"
            rows.append(row)
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}\n"
