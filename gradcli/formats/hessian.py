"""``gradcli hessian`` output: JSON, CSV, plain text and LaTeX.

The JSON keys are the machine contract: ``hessian`` (rows of strings),
``hessian_at``, ``determinant``, ``eigenvalues`` and their ``*_float``
numbers, ``definiteness`` and ``meaning``. Values are sympy syntax that
gradcli reads back.
"""

from __future__ import annotations

from typing import Any

from gradcli import i18n
from gradcli.formats.common import (
    LATEX_WIDTH,
    csv_text,
    dumps,
    float_text,
    floats,
    item,
    latex_decimal,
    latex_point,
    latex_rows,
    latex_width,
    point_floats,
    texts,
    versioned,
)
from gradcli.formats.jacobian import (
    latex_escape,
    latex_matrix,
    matrix_floats,
    matrix_texts,
    matrix_width,
)
from gradcli.i18n import N_, _
from gradcli.kinds import PointKind, label
from gradcli.printing import to_latex as latex
from gradcli.printing import to_text
from gradcli.second_order import NOT_CRITICAL, HessianReport

#: what each verdict of the second-derivative test (``meaning``, a machine
#: value) means, in a sentence: shown through :func:`explain`
EXPLAIN = {
    "local minimum": N_("a local minimum: f curves upward in every direction"),
    "local maximum": N_("a local maximum: f curves downward in every direction"),
    "saddle point": N_(
        "a saddle point: f curves upward along some directions, downward along others"
    ),
    "test inconclusive": N_(
        "the second-derivative test is inconclusive: a zero eigenvalue leaves "
        "higher-order terms to decide (try gradcli critical)"
    ),
    NOT_CRITICAL: N_(
        "not a critical point (∇f ≠ 0 there): the second-derivative test applies only where ∇f = 0"
    ),
    PointKind.UNKNOWN.test_verdict: N_(
        "undecided: whether ∇f = 0 here cannot be told (a parameter "
        "remains, or a sign is out of reach), so the second-derivative test gives no verdict"
    ),
}


def explain(meaning: str) -> str:
    """The second-derivative test's verdict explained, in the active language."""
    known = EXPLAIN.get(meaning)
    return label(meaning) if known is None else i18n._(known)


__all__ = [
    "EXPLAIN",
    "HessianReport",
    "as_dict",
    "explain",
    "notes_of",
    "to_csv",
    "to_json",
    "to_latex",
    "to_plain",
]


def as_dict(report: HessianReport) -> dict[str, Any]:
    """The JSON object for one Hessian, as a plain dict, ``schema_version`` first."""
    function, result = report.function, report.result
    out: dict[str, Any] = {
        "expression": to_text(function.expr),
        "variables": [v.name for v in function.variables],
        "parameters": [p.name for p in function.parameters],
        "hessian": matrix_texts(result.matrix),
        "determinant": None if result.determinant is None else to_text(result.determinant),
        "point": texts(result.at_point),
        "point_float": point_floats(result.at_point),
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
    return versioned(out)


def to_json(report: HessianReport, *, steps: list[dict[str, Any]] | None = None) -> str:
    """One JSON object on one line; ``steps``: the ``--steps`` derivations."""
    record = as_dict(report)
    if steps is not None:
        record["steps"] = steps
    return dumps(record) + "\n"


def notes_of(report: HessianReport) -> tuple[str, ...]:
    """The notes as messages for stderr (``note: …``), for plain and table output."""
    return tuple(
        _("note: {note}").format(note=note)
        for note in (*report.function.notes, *report.result.notes)
    )


def csv_columns(report: HessianReport) -> list[str]:
    """The CSV header: ``eigenvalue_i`` and its float for each of the n eigenvalues."""
    eigen = [
        column
        for i in range(1, len(report.result.variables) + 1)
        for column in (f"eigenvalue_{i}", f"eigenvalue_{i}_float")
    ]
    return [
        "expression",
        "row",
        "column",
        "hessian",
        "hessian_at",
        "hessian_at_float",
        "function_value",
        "function_value_float",
        "determinant",
        "determinant_float",
        *eigen,
        "definiteness",
        "meaning",
    ]


def to_csv(report: HessianReport) -> str:
    """One row per matrix entry (row, column: variable names), the entry and
    its value at the point; the rest (f there, det, the eigenvalues in
    ascending order, the definiteness, the verdict) repeats on every row.

    The columns are always the same for n variables; a cell is empty where
    its value is not computed.
    """
    function, result = report.function, report.result
    names = [v.name for v in result.variables]

    def exact(value: Any) -> str | None:
        return None if value is None else to_text(value)

    summary: list[object] = [
        exact(report.function_value),
        float_text(report.function_value_float),
        exact(result.determinant),
        float_text(result.determinant_float),
    ]
    for i in range(len(names)):
        summary += [
            exact(item(result.eigenvalues, i)),
            float_text(item(result.eigenvalues_float, i)),
        ]
    summary += [result.definiteness, result.meaning]
    rows: list[list[object]] = []
    for i, row in enumerate(result.matrix):
        for j, entry in enumerate(row):
            at_row = item(result.matrix_at, i)
            at_float = item(result.matrix_at_float, i)
            rows.append(
                [
                    to_text(function.expr),
                    names[i],
                    names[j],
                    to_text(entry),
                    exact(item(at_row, j)),
                    float_text(item(at_float, j)),
                    *summary,
                ]
            )
    return csv_text(csv_columns(report), rows)


def to_plain(report: HessianReport) -> str:
    """One fact a line, ``key: value``, in sympy syntax (the notes: :func:`notes_of`)."""
    function, result = report.function, report.result
    names = [v.name for v in function.variables]
    lines = [f"function: {to_text(function.expr)}", f"variables: {', '.join(names)}"]
    if function.parameters:
        lines.append(f"parameters: {', '.join(p.name for p in function.parameters)}")
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


def _matrix_rows(name: str, where: str, variables: Any, matrix: Any) -> list[str]:
    r"""``name(where) &= pmatrix`` when it fits a line; else each ∂²f/∂xᵢ∂xⱼ
    (i ≤ j) a row of its own, broken at + and − if still long."""
    left = f"{name}({where})"
    if latex_width(left) + matrix_width(matrix) <= LATEX_WIDTH:
        return [rf"{left} &= {latex_matrix(matrix)}"]
    out: list[str] = []
    for i, first in enumerate(variables):
        for j in range(i, len(variables)):
            second = variables[j]
            if i == j:
                bottom = rf"\partial {latex(first)}^{{2}}"
            else:
                bottom = rf"\partial {latex(first)} \partial {latex(second)}"
            out += latex_rows(
                rf"\frac{{\partial^{{2}} f}}{{{bottom}}}({where})", latex(matrix[i][j])
            )
    return out


def to_latex(report: HessianReport) -> str:
    r"""An ``align*`` block: f, H, and at the point H, det H, λ and the verdict.

    amsmath only. A matrix too wide for a line is given entry by entry, and
    a long expression is broken at + and − (see latex_break).
    """
    function, result = report.function, report.result
    variables = function.variables
    names = ", ".join(latex(v) for v in variables)
    rows = latex_rows(rf"f({names})", latex(function.expr))
    rows += _matrix_rows("H_f", names, variables, result.matrix)
    where = names
    if result.at_point is not None and result.matrix_at is not None:
        where = latex_point(result.at_point)
        rows += _matrix_rows("H_f", where, variables, result.matrix_at)
    if result.determinant is not None:
        shown = latex(result.determinant)
        if result.determinant_float is not None and not result.determinant.is_Integer:
            shown += rf" \approx {latex_decimal(result.determinant_float)}"
        rows += latex_rows(rf"\det H_f({where})", shown)
    if result.eigenvalues is not None:
        row = r"\lambda &= " + r",\ ".join(latex(v) for v in result.eigenvalues)
        if latex_width(row) <= LATEX_WIDTH:
            rows.append(row)
        else:
            for i, value in enumerate(result.eigenvalues, start=1):
                rows += latex_rows(rf"\lambda_{{{i}}}", latex(value))
    elif result.eigenvalues_float is not None:
        shown = r",\ ".join(latex_decimal(v) for v in result.eigenvalues_float)
        rows.append(r"\lambda &\approx " + shown)
    if result.definiteness is not None:
        verdict = label(str(result.definiteness))
        if result.meaning is not None:
            verdict = _("{definiteness}: {meaning}").format(
                definiteness=verdict, meaning=label(result.meaning)
            )
        rows.append(rf"&\text{{{latex_escape(verdict)}}}")

    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}\n"
