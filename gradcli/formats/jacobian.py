"""``gradcli jacobian`` output: JSON, CSV, plain text and LaTeX.

Also the matrix helpers the Hessian's formats share: a matrix as rows of
sympy-syntax strings, as rows of floats, and as a LaTeX ``pmatrix``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy

from gradcli.calculus import Jacobian
from gradcli.formats.common import (
    LATEX_WIDTH,
    csv_text,
    dumps,
    float_text,
    latex_point,
    latex_rows,
    latex_width,
    point_floats,
    texts,
    versioned,
)
from gradcli.i18n import _
from gradcli.printing import to_latex as latex
from gradcli.printing import to_text

Rows = Sequence[Sequence[sympy.Expr]]


def matrix_texts(matrix: Rows | None) -> list[list[str]] | None:
    """Each row as a list of sympy-syntax strings, or None.

    >>> matrix_texts([[sympy.Integer(2), sympy.Integer(1)]])
    [['2', '1']]
    """
    if matrix is None:
        return None
    return [[to_text(v) for v in row] for row in matrix]


def matrix_floats(matrix: Sequence[Sequence[float]] | None) -> list[list[float]] | None:
    """Each row as a list of floats, or None."""
    if matrix is None:
        return None
    return [[float(v) for v in row] for row in matrix]


def latex_matrix(matrix: Rows) -> str:
    r"""A ``pmatrix`` of the entries.

    >>> latex_matrix([[sympy.Integer(2), sympy.Integer(1)], [sympy.Integer(1), sympy.Integer(2)]])
    '\\begin{pmatrix} 2 & 1 \\\\ 1 & 2 \\end{pmatrix}'
    """
    rows = [" & ".join(latex(v) for v in row) for row in matrix]
    return r"\begin{pmatrix} " + r" \\ ".join(rows) + r" \end{pmatrix}"


def matrix_width(matrix: Rows) -> float:
    """About how wide a ``pmatrix`` is as typeset (see latex_width): its widest row."""
    return max((sum(latex_width(latex(v)) + 2 for v in row) for row in matrix), default=0) + 2


def latex_escape(text: str) -> str:
    r"""Plain text for ``\text{…}``: LaTeX's special characters escaped.

    >>> latex_escape("x_1 & 50%")
    'x\\_1 \\& 50\\%'
    """
    special = {
        "\\": r"\textbackslash{}",
        "{": r"\{",
        "}": r"\}",
        "_": r"\_",
        "^": r"\^{}",
        "&": r"\&",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "~": r"\~{}",
        # what gradcli's own messages use, as maths
        "≥": r"$\geq$",
        "≤": r"$\leq$",
        "≠": r"$\neq$",
        "≈": r"$\approx$",
        "→": r"$\to$",
        "∞": r"$\infty$",
        "ℝ": r"$\mathbf{R}$",  # \mathbb would need amssymb
        "∇": r"$\nabla$",
        "ⁿ": r"$^n$",
        "²": r"$^2$",
        "³": r"$^3$",
        "·": r"$\cdot$",
    }
    return "".join(special.get(ch, ch) for ch in text)


def parameters(result: Jacobian) -> list[str]:
    """Names of the symbols that are not variables, in order."""
    free: set[sympy.Symbol] = set().union(*(c.free_symbols for c in result.components))
    return sorted(s.name for s in free - set(result.variables))


def as_dict(result: Jacobian) -> dict[str, Any]:
    """The JSON object for one Jacobian, as a plain dict, ``schema_version`` first."""
    return versioned(
        {
            "components": texts(result.components),
            "variables": [v.name for v in result.variables],
            "parameters": parameters(result),
            "jacobian": matrix_texts(result.matrix),
            "point": texts(result.point),
            "point_float": point_floats(result.point),
            "jacobian_at": matrix_texts(result.matrix_at),
            "jacobian_at_float": matrix_floats(result.matrix_at_float),
            "notes": list(result.notes),
        }
    )


def to_json(result: Jacobian) -> str:
    """One JSON object on one line."""
    return dumps(as_dict(result)) + "\n"


def notes_of(result: Jacobian) -> tuple[str, ...]:
    """The notes as messages for stderr (``note: …``), for plain and table output."""
    return tuple(_("note: {note}").format(note=note) for note in result.notes)


def to_csv(result: Jacobian) -> str:
    """One row per component: the component, then ∂fᵢ/∂xⱼ for each variable.

    At a point, the exact values and then their floats follow.
    """
    names = [v.name for v in result.variables]
    header = ["component", *(f"d/d{n}" for n in names)]
    if result.matrix_at is not None:
        header += [f"at_d/d{n}" for n in names]
        header += [f"at_d/d{n}_float" for n in names]
    rows: list[list[object]] = []
    for i, component in enumerate(result.components):
        row: list[object] = [to_text(component), *(to_text(v) for v in result.matrix[i])]
        if result.matrix_at is not None:
            row += [to_text(v) for v in result.matrix_at[i]]
            floats = (
                result.matrix_at_float[i]
                if result.matrix_at_float is not None
                else [None] * len(names)
            )
            row += [float_text(v) for v in floats]
        rows.append(row)
    return csv_text(header, rows)


def to_plain(result: Jacobian) -> str:
    """One fact a line: ``df1/dx: y``; at a point ``at_df1/dx: 2`` (notes: :func:`notes_of`)."""
    names = [v.name for v in result.variables]
    lines = [f"variables: {', '.join(names)}"]
    extra = parameters(result)
    if extra:
        lines.append(f"parameters: {', '.join(extra)}")
    for i, component in enumerate(result.components, start=1):
        lines.append(f"f{i}: {to_text(component)}")
    for i, row in enumerate(result.matrix, start=1):
        for name, entry in zip(names, row):
            lines.append(f"df{i}/d{name}: {to_text(entry)}")
    if result.point is not None and result.matrix_at is not None:
        lines.append(f"point: {', '.join(to_text(p) for p in result.point)}")
        for i, row in enumerate(result.matrix_at, start=1):
            for j, (name, entry) in enumerate(zip(names, row)):
                lines.append(f"at_df{i}/d{name}: {to_text(entry)}")
                if result.matrix_at_float is not None:
                    lines.append(f"at_df{i}/d{name}_float: {result.matrix_at_float[i - 1][j]!r}")
    return "\n".join(lines) + "\n"


def _matrix_rows(name: str, where: str, result: Jacobian, matrix: Rows) -> list[str]:
    r"""``name(where) &= pmatrix`` when it fits a line; else each ∂fᵢ/∂xⱼ a row."""
    left = f"{name}({where})"
    if latex_width(left) + matrix_width(matrix) <= LATEX_WIDTH:
        return [rf"{left} &= {latex_matrix(matrix)}"]
    out: list[str] = []
    for i, entries in enumerate(matrix, start=1):
        for variable, entry in zip(result.variables, entries):
            left = rf"\frac{{\partial f_{{{i}}}}}{{\partial {latex(variable)}}}({where})"
            out += latex_rows(left, latex(entry))
    return out


def to_latex(result: Jacobian) -> str:
    r"""An ``align*`` block: the components, J, and J at the point (amsmath only).

    Too wide for a line, the components are given one a row (f_1, f_2, …)
    and the matrices entry by entry, each broken at + and − if still long.
    """
    names = ", ".join(latex(v) for v in result.variables)
    components = r" \\ ".join(latex(c) for c in result.components)
    row = rf"F({names}) &= \begin{{pmatrix}} {components} \end{{pmatrix}}"
    if latex_width(f"F({names})") + matrix_width([[c] for c in result.components]) <= LATEX_WIDTH:
        rows = [row]
    else:
        rows = [
            line
            for i, component in enumerate(result.components, start=1)
            for line in latex_rows(rf"f_{{{i}}}({names})", latex(component))
        ]
    rows += _matrix_rows("J_F", names, result, result.matrix)
    if result.point is not None and result.matrix_at is not None:
        rows += _matrix_rows("J_F", latex_point(result.point), result, result.matrix_at)
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}\n"
