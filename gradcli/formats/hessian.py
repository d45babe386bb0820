"""``gradcli hessian`` output: JSON, CSV, plain text and LaTeX.

The JSON keys are the machine contract: ``hessian`` (rows of strings),
``hessian_at``, ``determinant``, ``eigenvalues`` and their ``*_float``
numbers, ``definiteness`` and ``meaning``. Values are sympy syntax that
gradcli reads back.
"""

from __future__ import annotations

from typing import Any

from gradcli.formats.common import csv_text, dumps, float_text, floats, latex_point, texts
from gradcli.formats.jacobian import latex_escape, latex_matrix, matrix_floats, matrix_texts
from gradcli.kinds import PointKind
from gradcli.printing import decimal, to_text
from gradcli.printing import to_latex as latex
from gradcli.second_order import NOT_CRITICAL, HessianReport

#: what each verdict of the second-derivative test means, in a sentence
EXPLAIN = {
    "local minimum": "a local minimum: f curves upward in every direction",
    "local maximum": "a local maximum: f curves downward in every direction",
    "saddle point": "a saddle point: f curves upward along some directions, downward along others",
    "test inconclusive": "the second-derivative test is inconclusive: a zero eigenvalue leaves "
    "higher-order terms to decide (try gradcli critical)",
    NOT_CRITICAL: "not a critical point (∇f ≠ 0 there): the second-derivative test applies "
    "only where ∇f = 0",
    PointKind.UNKNOWN.test_verdict: "undecided: whether ∇f = 0 here cannot be told (a parameter "
    "remains, or a sign is out of reach), so the second-derivative test gives no verdict",
}

__all__ = ["EXPLAIN", "HessianReport", "as_dict", "to_csv", "to_json", "to_latex", "to_plain"]


def as_dict(report: HessianReport) -> dict[str, Any]:
    """The JSON object for one Hessian, as a plain dict."""
    function, result = report.function, report.result
    out: dict[str, Any] = {
        "expression": to_text(function.expr),
        "variables": [v.name for v in function.variables],
        "parameters": [p.name for p in function.parameters],
        "hessian": matrix_texts(result.matrix),
        "determinant": None if result.determinant is None else to_text(result.determinant),
        "point": texts(result.at_point),
        "function_value": None if report.function_value is None else to_text(report.function_value),
        "function_value_float": report.function_value_float,
        "gradient_at": texts(result.gradient_at),
        "hessian_at": matrix_texts(result.matrix_at),
        "hessian_at_float": matrix_floats(result.matrix_at_float),
        "determinant_float": result.determinant_float,
        "eigenvalues": texts(result.eigenvalues),
        "eigenvalues_float": floats(result.eigenvalues_float),
        "definiteness": result.definiteness,
        "meaning": result.meaning,
        "notes": [*function.notes, *result.notes],
    }
    if report.parameter_values:
        out["parameter_values"] = {p.name: to_text(v) for p, v in report.parameter_values}
    return out


def to_json(report: HessianReport) -> str:
    """One JSON object on one line."""
    return dumps(as_dict(report)) + "\n"


def to_csv(report: HessianReport) -> str:
    """One row per matrix entry: ``row, column, entry`` (and at the point, the
    exact value and its float)."""
    result = report.result
    names = [v.name for v in result.variables]
    header = ["row", "column", "second_partial"]
    if result.matrix_at is not None:
        header += ["value", "value_float"]
    rows: list[list[object]] = []
    for i, row in enumerate(result.matrix):
        for j, entry in enumerate(row):
            line: list[object] = [names[i], names[j], to_text(entry)]
            if result.matrix_at is not None:
                value = result.matrix_at_float[i][j] if result.matrix_at_float is not None else None
                line += [to_text(result.matrix_at[i][j]), float_text(value)]
            rows.append(line)
    return csv_text(header, rows)


def to_plain(report: HessianReport) -> str:
    """One fact a line, ``key: value``, in sympy syntax."""
    function, result = report.function, report.result
    names = [v.name for v in function.variables]
    lines = [f"function: {to_text(function.expr)}", f"variables: {', '.join(names)}"]
    if function.parameters:
        lines.append(f"parameters: {', '.join(p.name for p in function.parameters)}")
    for note in (*function.notes, *result.notes):
        lines.append(f"note: {note}")
    for i, row in enumerate(result.matrix):
        for j in range(i, len(row)):
            lines.append(f"{_partial(names, i, j)}: {to_text(row[j])}")
    if result.at_point is not None:
        lines.append(f"point: {', '.join(to_text(p) for p in result.at_point)}")
        for parameter, value in report.parameter_values:
            lines.append(f"parameter: {parameter.name} = {to_text(value)}")
        if report.function_value is not None:
            lines.append(f"function_value: {to_text(report.function_value)}")
        if report.function_value_float is not None:
            lines.append(f"function_value_float: {report.function_value_float!r}")
    if result.gradient_at is not None:
        lines.append(f"gradient_at: {', '.join(to_text(g) for g in result.gradient_at)}")
    if result.matrix_at is not None:
        for i, row in enumerate(result.matrix_at):
            for j in range(i, len(row)):
                lines.append(f"at_{_partial(names, i, j)}: {to_text(row[j])}")
    if result.determinant is not None:
        lines.append(f"determinant: {to_text(result.determinant)}")
    if result.determinant_float is not None:
        lines.append(f"determinant_float: {result.determinant_float!r}")
    if result.eigenvalues is not None:
        lines.append(f"eigenvalues: {', '.join(to_text(v) for v in result.eigenvalues)}")
    if result.eigenvalues_float is not None:
        lines.append(f"eigenvalues_float: {', '.join(repr(v) for v in result.eigenvalues_float)}")
    if result.definiteness is not None:
        lines.append(f"definiteness: {result.definiteness}")
    if result.meaning is not None:
        lines.append(f"meaning: {result.meaning}")
    return "\n".join(lines) + "\n"


def _partial(names: list[str], i: int, j: int) -> str:
    """``d2f/dx2`` or ``d2f/dxdy`` for plain text."""
    if i == j:
        return f"d2f/d{names[i]}2"
    return f"d2f/d{names[i]}d{names[j]}"


def to_latex(report: HessianReport) -> str:
    r"""An ``align*`` block: f, H, and at the point H, det H, λ and the verdict."""
    function, result = report.function, report.result
    names = ", ".join(latex(v) for v in function.variables)
    rows = [
        rf"f({names}) &= {latex(function.expr)}",
        rf"H_f({names}) &= {latex_matrix(result.matrix)}",
    ]
    where = names
    if result.at_point is not None and result.matrix_at is not None:
        where = latex_point(result.at_point)
        rows.append(rf"H_f({where}) &= {latex_matrix(result.matrix_at)}")
    if result.determinant is not None:
        row = rf"\det H_f({where}) &= {latex(result.determinant)}"
        if result.determinant_float is not None and not result.determinant.is_Integer:
            row += rf" \approx {decimal(result.determinant_float)}"
        rows.append(row)
    if result.eigenvalues is not None:
        rows.append(r"\lambda &= " + r",\ ".join(latex(v) for v in result.eigenvalues))
    elif result.eigenvalues_float is not None:
        shown = r",\ ".join(decimal(v) for v in result.eigenvalues_float)
        rows.append(r"\lambda &\approx " + shown)
    if result.definiteness is not None:
        verdict = str(result.definiteness)
        if result.meaning is not None:
            verdict += f": {result.meaning}"
        rows.append(rf"&\text{{{latex_escape(verdict)}}}")
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}\n"
