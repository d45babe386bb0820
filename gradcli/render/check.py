"""``gradcli check`` as rich tables: one answer part by part, or a class at once."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from gradcli.formats.check import answer_shown, part_lines, part_reading, summary_lines
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
            _answer(p.given, answer_shown(p)),
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


def _answer(given: str, read: str | None) -> Text:
    """The answer as typed, and below it how it was read where that differs."""
    cell = text(given)
    if read is not None:
        cell.append_text(text(f"\nread as {read}", "dim"))
    return cell


def _feedback(mistakes: Sequence[str], message: str) -> str:
    if not mistakes:
        return message
    return f"{message} [{', '.join(mistakes)}]" if message else ", ".join(mistakes)


def to_table(result: Verdict, screen: Screen) -> str:
    return render(lambda: renderables(result), screen)


#: the widest a pass-through column is shown (longer cells end in …)
COLUMN_WIDTH = 16


def batch_renderables(
    results: Sequence[RowResult],
    summary: BatchSummary,
    *,
    reveal: bool,
    columns: Sequence[str] | None = None,
) -> list[RenderableType]:
    """The class as one table: a row's pass-through ``columns`` after its id
    (by default those its rows have), then a line per part."""
    if columns is None:
        columns = list(dict.fromkeys(name for r in results for name, _ in r.extra))
    table = Table(show_edge=True, header_style="bold")
    table.add_column("id", overflow="fold")
    for name in columns:
        table.add_column(text(name), overflow="ellipsis", no_wrap=True, max_width=COLUMN_WIDTH)
    for name in ("part", "verdict", "method", "feedback"):
        table.add_column(name, overflow="fold")
    if reveal:
        table.add_column("expected", overflow="fold")
    for result in results:
        first = True
        values = dict(result.extra)
        for line in part_lines(result.parts):
            read = part_reading([p for p in result.parts if p.part == line.part])
            feedback = _feedback(line.mistakes, line.message)
            if read is not None:
                feedback = f"read as {read}" + (f"; {feedback}" if feedback else "")
            row: list[RenderableType] = [
                text(result.id if first else ""),
                *(text(values.get(name, "") if first else "") for name in columns),
                text(line.part),
                _verdict(line.verdict),
                text(line.method or ""),
                text(feedback),
            ]
            if reveal:
                row.append(text(line.expected or ""))
            table.add_row(*row)
            first = False
    out: list[RenderableType] = [table]
    out.extend(text(line) for line in summary_lines(summary))
    return out


def batch_table(
    results: Sequence[RowResult],
    summary: BatchSummary,
    screen: Screen,
    *,
    reveal: bool,
    columns: Sequence[str] | None = None,
) -> str:
    return render(
        lambda: batch_renderables(results, summary, reveal=reveal, columns=columns), screen
    )
