"""``gradcli grad`` output: JSON, CSV, plain text and LaTeX.

The JSON keys are the machine contract (``gradcli/schemas/grad.json``):
exact values are strings in sympy syntax that gradcli reads back, each with
a ``*_float`` number beside it; a key keeps its type in every mode. Notes
(how the input was read) are data in JSON, and messages on stderr in the
plain format (see :func:`notes_of`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy

from gradcli.calculus import Gradient
from gradcli.formats.common import (
    LATEX_WIDTH,
    bool_text,
    csv_text,
    dumps,
    float_text,
    floats,
    item,
    latex_decimal,
    latex_point,
    latex_rows,
    latex_tuple,
    latex_width,
    point_floats,
    texts,
    versioned,
)
from gradcli.i18n import _
from gradcli.printing import to_latex as latex
from gradcli.printing import to_text


def as_dict(result: Gradient) -> dict[str, Any]:
    """The JSON object for one gradient, as a plain dict, ``schema_version`` first."""
    function = result.function
    at = result.at
    out: dict[str, Any] = {
        "expression": to_text(function.expr),
        "variables": [v.name for v in function.variables],
        "parameters": [p.name for p in function.parameters],
        "gradient": texts(result.components),
        "point": texts(at.point) if at else None,
        "point_float": point_floats(at.point) if at else None,
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
    return versioned(out)


def to_json(
    result: Gradient,
    *,
    head: dict[str, Any] | None = None,
    steps: list[dict[str, Any]] | None = None,
) -> str:
    """One JSON object on one line (JSON Lines when there are many).

    ``head`` holds the keys a batch line starts with (``line``, ``input``),
    right after ``schema_version``; ``steps`` is the ``--steps`` derivations.
    """
    record = versioned({**(head or {}), **as_dict(result)})
    if steps is not None:
        record["steps"] = steps
    return dumps(record) + "\n"


def notes_of(result: Gradient) -> tuple[str, ...]:
    """The notes as messages for stderr (``note: …``), for plain and table output."""
    return tuple(_("note: {note}").format(note=note) for note in result.notes)


#: the CSV header: JSON keys; a list key gives, on the row of variable i, its
#: i-th item; a single value repeats on every row of its expression
CSV_COLUMNS = (
    "expression",
    "variable",
    "gradient",
    "point",
    "value",
    "value_float",
    "function_value",
    "function_value_float",
    "magnitude",
    "magnitude_float",
    "direction",
    "direction_float",
    "critical",
    "along",
    "unit_along",
    "unit_along_float",
    "directional_derivative",
    "directional_derivative_float",
    "angle_float",
)


def csv_rows(result: Gradient) -> list[list[object]]:
    """One row per variable, in the order of :data:`CSV_COLUMNS` (no header)."""
    function, at = result.function, result.at
    d = at.directional if at is not None else None
    expression = to_text(function.expr)

    def exact(value: sympy.Basic | None) -> str | None:
        return None if value is None else to_text(value)

    rows: list[list[object]] = []
    for i, (variable, component) in enumerate(zip(function.variables, result.components)):
        row: list[object] = [expression, variable.name, to_text(component)]
        if at is None:
            row += [None] * (len(CSV_COLUMNS) - len(row))
            rows.append(row)
            continue
        row += [
            to_text(at.point[i]),
            to_text(at.value[i]),
            float_text(item(at.value_float, i)),
            to_text(at.function_value),
            float_text(at.function_value_float),
            to_text(at.magnitude),
            float_text(at.magnitude_float),
            exact(item(at.direction, i)),
            float_text(item(at.direction_float, i)),
            bool_text(at.critical),
        ]
        if d is None:
            row += [None] * 6
        else:
            row += [
                to_text(d.along[i]),
                to_text(d.unit_along[i]),
                float_text(item(d.unit_along_float, i)),
                to_text(d.derivative),
                float_text(d.derivative_float),
                float_text(d.angle_float),
            ]
        rows.append(row)
    return rows


def to_csv(result: Gradient, *, header: bool = True) -> str:
    """A header (unless ``header`` is false) and one row per variable.

    Always the same columns (:data:`CSV_COLUMNS`), so that many expressions
    share one header; a cell is empty where its value is not computed.
    """
    text = csv_text(CSV_COLUMNS, csv_rows(result))
    return text if header else text.split("\n", 1)[1]


def to_plain(result: Gradient) -> str:
    """One fact a line, ``key: value``, in sympy syntax: easy to grep and cut.

    The notes are not here: they are messages (see :func:`notes_of`).
    """
    function = result.function
    lines = [
        f"function: {to_text(function.expr)}",
        f"variables: {', '.join(v.name for v in function.variables)}",
    ]
    if function.parameters:
        lines.append(f"parameters: {', '.join(p.name for p in function.parameters)}")
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
        # the key and its value are for scripts; the reason is for people
        reason = _("the gradient is zero: no direction of ascent")
        lines.append(f"critical: yes ({reason})")
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


def _approx(exact: sympy.Basic, value: float | None) -> str:
    r"""`` \approx 8.602325`` beside an exact value that is not a plain integer."""
    if value is None or exact.is_Integer:
        return ""
    return rf" \approx {latex_decimal(value)}"


def latex_vector_rows(
    whole: str, parts: Sequence[str], exprs: Sequence[sympy.Basic], suffix: str = ""
) -> list[str]:
    r"""``whole &= (a, b)`` when that fits a line; else ``part_i &= e_i`` a row each.

    Each row is broken at + and − when still too long (see latex_break).
    """
    row = rf"{whole} &= {latex_tuple(exprs)}{suffix}"
    if latex_width(row) <= LATEX_WIDTH:
        return [row]
    out: list[str] = []
    for part, expr in zip(parts, exprs):
        out += latex_rows(part, latex(expr))
    return out


def _decimals(values: Sequence[float]) -> str:
    r"""``\left(0.5812, 0.8137\right)``: four significant digits each."""
    return r"\left(" + ", ".join(latex_decimal(v, 4) for v in values) + r"\right)"


def _approx_vector(name: str, parts: Sequence[str], values: Sequence[float]) -> list[str]:
    r"""``name \approx (0.5812, 0.8137)``, or a row per part when that is long."""
    row = rf"{name} &\approx {_decimals(values)}"
    if latex_width(row) <= LATEX_WIDTH:
        return [row]
    return [rf"{part} &\approx {latex_decimal(v, 4)}" for part, v in zip(parts, values)]


def to_latex(result: Gradient) -> str:
    r"""An ``align*`` block to paste into a write-up (amsmath only).

    A row longer than :data:`~gradcli.formats.common.LATEX_WIDTH` characters
    is broken: a vector into a row per component, an expression at its
    top-level + and −, a long \|∇f\| = \sqrt{S} as \|∇f\|² = S, a long
    direction as its decimals.
    """
    function = result.function
    variables = function.variables
    names = ", ".join(latex(v) for v in variables)
    partials = [rf"\frac{{\partial f}}{{\partial {latex(v)}}}" for v in variables]
    rows = latex_rows(rf"f({names})", latex(function.expr))
    rows += latex_vector_rows(rf"\nabla f({names})", partials, result.components)
    at = result.at
    if at is not None:
        point = latex_point(at.point)
        rows += latex_vector_rows(
            rf"\nabla f({point})", [rf"{p}({point})" for p in partials], at.value
        )
        norm = rf"\left\|\nabla f({point})\right\|"
        row = rf"{norm} &= {latex(at.magnitude)}{_approx(at.magnitude, at.magnitude_float)}"
        squared = at.magnitude.is_Pow and at.magnitude.exp == sympy.Rational(1, 2)
        if latex_width(row) <= LATEX_WIDTH:
            rows.append(row)
        elif squared and at.magnitude_float is not None:
            rows += latex_rows(rf"{norm}^{{2}}", latex(at.magnitude.base))
            rows.append(rf"{norm} &\approx {latex_decimal(at.magnitude_float)}")
        else:
            rows += latex_rows(norm, latex(at.magnitude))
        units = [rf"\hat{{u}}_{{{latex(v)}}}" for v in variables]
        if at.critical:
            words = _("critical point: no direction of ascent")
            rows.append(r"&\text{" + words + "}")
        elif at.direction is not None or at.direction_float is not None:
            whole = None
            if at.direction is not None:
                whole = rf"\hat{{u}} &= {latex_tuple(at.direction)}"
                if at.direction_float is not None:
                    whole += rf" \approx {_decimals(at.direction_float)}"
            if whole is not None and latex_width(whole) <= LATEX_WIDTH:
                rows.append(whole)
            elif at.direction_float is not None:
                # too long exactly (or not given): the decimals of ∇f/|∇f|
                rows.append(r"\hat{u} &= \frac{\nabla f}{\left\|\nabla f\right\|}")
                rows += _approx_vector("", units, at.direction_float)
            else:
                rows += latex_vector_rows(r"\hat{u}", units, at.direction or ())
        d = at.directional
        if d is not None:
            rows += latex_rows(
                rf"D_{{\hat{{v}}}} f({point})",
                latex(d.derivative) + _approx(d.derivative, d.derivative_float),
            )
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}\n"
