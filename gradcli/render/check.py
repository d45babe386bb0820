"""``gradcli check`` as rich tables: one answer part by part, or a class at once."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import RenderableType
from rich.table import Table

from gradcli.formats.check import part_lines, summary_lines
from gradcli.grading import CORRECT, UNDECIDED, UNREADABLE, WRONG, BatchSummary, RowResult, Verdict
from gradcli.printing import to_unicode
from gradcli.render.console import Screen, render, text

_MARK = {
    CORRECT: "✓ correct",
    WRONG: "✗ wrong",
    UNREADABLE: "? unreadable",
    UNDECIDED: "… undecided",
}
_STYLE = {CORRECT: "green", WRONG: "red", UNREADABLE: "yellow", UNDECIDED: "yellow"}


def _verdict(verdict: str) -> RenderableType:
    return text(_MARK.get(verdict, verdict), _STYLE.get(verdict, ""))


def renderables(result: Verdict) -> list[RenderableType]:
    function = result.function
    names = ", ".join(to_unicode(v) for v in function.variables)
    title = f"f({names}) = {to_unicode(function.expr)}"
    if result.point is not None:
        title += f"   at ({', '.join(to_unicode(c) for c in result.point)})"
    if result.along is not None:
        title += f"   along ({', '.join(to_unicode(c) for c in result.along)})"
    out: list[RenderableType] = [text(title, "bold")]
    out.extend(text(f"note: {note}", "yellow") for note in result.notes)
    table = Table(show_edge=True, header_style="bold")
    for name in ("part", "component", "answer", "verdict", "method", "feedback"):
        table.add_column(name, overflow="fold")
    if result.revealed:
        table.add_column("expected", overflow="fold")
    previous = None
    for p in result.parts:
        row: list[RenderableType] = [
            text(p.part if p.part != previous else ""),
            text(p.label if p.component is not None or p.label != p.part else ""),
            text(p.given),
            _verdict(p.verdict),
            text(p.method or ""),
            text(_feedback(p.mistakes, p.message)),
        ]
        if result.revealed:
            row.append(text(p.expected_shown or p.expected or ""))
        table.add_row(*row)
        previous = p.part
    out.append(table)
    style = "bold green" if result.correct else "bold"
    out.append(text(result.summary, style))
    return out


def _feedback(mistakes: Sequence[str], message: str) -> str:
    if not mistakes:
        return message
    return f"{message} [{', '.join(mistakes)}]" if message else ", ".join(mistakes)


def to_table(result: Verdict, screen: Screen) -> str:
    return render(lambda: renderables(result), screen)


def batch_renderables(
    results: Sequence[RowResult], summary: BatchSummary, *, reveal: bool
) -> list[RenderableType]:
    table = Table(show_edge=True, header_style="bold")
    for name in ("id", "part", "verdict", "method", "feedback"):
        table.add_column(name, overflow="fold")
    if reveal:
        table.add_column("expected", overflow="fold")
    for result in results:
        first = True
        for line in part_lines(result.parts):
            row: list[RenderableType] = [
                text(result.id if first else ""),
                text(line.part),
                _verdict(line.verdict),
                text(line.method or ""),
                text(_feedback(line.mistakes, line.feedback)),
            ]
            if reveal:
                row.append(text(line.expected or ""))
            table.add_row(*row)
            first = False
    out: list[RenderableType] = [table]
    out.extend(text(line) for line in summary_lines(summary))
    return out


def batch_table(
    results: Sequence[RowResult], summary: BatchSummary, screen: Screen, *, reveal: bool
) -> str:
    return render(lambda: batch_renderables(results, summary, reveal=reveal), screen)
