"""``gradcli jacobian`` as rich tables, and the matrix helpers the Hessian shares."""

from __future__ import annotations

from collections.abc import Sequence

import sympy
from rich.console import RenderableType
from rich.table import Table

from gradcli.calculus import Jacobian
from gradcli.i18n import _
from gradcli.printing import decimal, is_exactly, to_unicode
from gradcli.render.console import Screen, render, text

#: exact forms longer than this many characters are shown as decimals
LONG = 80


def vector(items: Sequence[str]) -> str:
    """``(a, b)``, or the single item alone."""
    return items[0] if len(items) == 1 else "(" + ", ".join(items) + ")"


def arguments(items: Sequence[str]) -> str:
    """``a, b``: a point as the arguments of f."""
    return ", ".join(items)


def is_long(expr: sympy.Basic, limit: int = LONG) -> bool:
    """Whether the exact form is too long for a table cell (or a ``CRootOf``)."""
    return len(to_unicode(expr)) > limit or expr.has(sympy.CRootOf)


def with_decimal(exact: sympy.Expr | None, value: float | None, digits: int = 7) -> str:
    """``√2 ≈ 1.414214``; just ``3`` when exact says it all; ``≈ 1.414214`` when
    the exact form is too long (or missing)."""
    if exact is None or is_long(exact):
        return "?" if value is None else f"≈ {decimal(value, digits)}"
    shown = to_unicode(exact)
    if value is None or is_exactly(exact, value):
        return shown
    return f"{shown} ≈ {decimal(value, digits)}"


def equals(shown: str) -> str:
    """``= 3`` or ``≈ 2.5``: the relation to print before a value.

    >>> equals("√2 ≈ 1.414214"), equals("≈ 1.414214")
    ('= √2 ≈ 1.414214', '≈ 1.414214')
    """
    return shown if shown.startswith("≈") else f"= {shown}"


def matrix_table(
    corner: str,
    rows: Sequence[str],
    columns: Sequence[str],
    cells: Sequence[Sequence[str]],
    *,
    numbers: bool = False,
) -> Table:
    """A labelled matrix: ``corner`` top left, one row per ``rows`` label."""
    table = Table(show_edge=True, header_style="bold")
    table.add_column(corner)
    for column in columns:
        table.add_column(column, justify="right" if numbers else "left")
    for label, row in zip(rows, cells):
        table.add_row(text(label), *(text(cell) for cell in row))
    return table


def exact_cells(
    matrix: Sequence[Sequence[sympy.Expr]],
    floats: Sequence[Sequence[float]] | None,
) -> list[list[str]]:
    """Each entry exact, with its decimal beside it where that adds something."""
    return [
        [with_decimal(v, None if floats is None else floats[i][j]) for j, v in enumerate(row)]
        for i, row in enumerate(matrix)
    ]


def renderables(result: Jacobian) -> list[RenderableType]:
    names = [to_unicode(v) for v in result.variables]
    m = len(result.components)
    labels = [f"f{i}" for i in range(1, m + 1)] if m > 1 else ["f"]
    out: list[RenderableType] = []
    for label, component in zip(labels, result.components):
        out.append(text(f"{label}({arguments(names)}) = {to_unicode(component)}", "bold"))
    # the notes are messages: the command sends them to stderr
    if m == 1:
        heading = _(
            "Jacobian J ({rows}×{columns}): row i, column j is ∂fᵢ/∂xⱼ; one row: the gradient ∇f"
        )
    else:
        heading = _("Jacobian J ({rows}×{columns}): row i, column j is ∂fᵢ/∂xⱼ")
    out.append(text(heading.format(rows=m, columns=len(names))))

    cells = [[to_unicode(v) for v in row] for row in result.matrix]
    out.append(matrix_table("J", labels, names, cells))
    if result.point is not None and result.matrix_at is not None:
        point = arguments([to_unicode(p) for p in result.point])
        cells = exact_cells(result.matrix_at, result.matrix_at_float)
        out.append(matrix_table(f"J({point})", labels, names, cells, numbers=True))
    return out


def to_table(result: Jacobian, screen: Screen) -> str:
    return render(lambda: renderables(result), screen)
