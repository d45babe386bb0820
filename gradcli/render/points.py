"""Streamed points as a rich table (meant for a few points)."""

from __future__ import annotations

from rich.table import Table

from gradcli.i18n import _
from gradcli.parse import Function
from gradcli.points import Chunk
from gradcli.printing import decimal, to_unicode
from gradcli.render.console import Screen, render, text


def to_table(function: Function, chunk: Chunk, screen: Screen) -> str:
    names = [to_unicode(v) for v in function.variables]
    table = Table(header_style="bold")
    table.add_column(_("line"), justify="right")
    table.add_column(_("point"))
    for name in names:
        table.add_column(f"∂f/∂{name}", justify="right")
    table.add_column("|∇f|", justify="right")
    k = len(names)
    for number, point, gradient, magnitude in zip(
        chunk.line_numbers, chunk.points.tolist(), chunk.gradients.tolist(), chunk.magnitudes
    ):
        table.add_row(
            str(number),
            text("(" + ", ".join(decimal(v) for v in point) + ")"),
            *(text(decimal(gradient[j])) for j in range(k)),
            text(decimal(float(magnitude))),
        )
    return render(lambda: [table], screen)
