"""``gradcli check`` as rich tables: one answer part by part, or a class at once."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from gradcli.formats.check import answer_shown, part_lines, part_reading, summary_lines
from gradcli.grading import CORRECT, UNDECIDED, UNREADABLE, WRONG, BatchSummary, RowResult, Verdict
from gradcli.grading.results import label_shown, method_label, part_label, verdict_label
from gradcli.i18n import N_, _
from gradcli.printing import to_unicode
from gradcli.render.console import Screen, render, text

_MARK = {CORRECT: "✓", WRONG: "✗", UNREADABLE: "?", UNDECIDED: "…"}
_STYLE = {CORRECT: "green", WRONG: "red", UNREADABLE: "yellow", UNDECIDED: "yellow"}
#: the columns' headers, translated when shown
_PART, _COMPONENT, _ANSWER = N_("part"), N_("component"), N_("answer")
_VERDICT, _METHOD, _FEEDBACK = N_("verdict"), N_("method"), N_("feedback")
_EXPECTED, _ID = N_("expected"), N_("id")


def _verdict(verdict: str) -> RenderableType:
    mark = _MARK.get(verdict)
    shown = verdict_label(verdict) if mark is None else f"{mark} {verdict_label(verdict)}"
    return text(shown, _STYLE.get(verdict, ""))


def renderables(result: Verdict) -> list[RenderableType]:
    function = result.function
    names = ", ".join(to_unicode(v) for v in function.variables)
    title = f"f({names}) = {to_unicode(function.expr)}"
    if result.point is not None:
        point = ", ".join(to_unicode(c) for c in result.point)
        title += "   " + _("at ({point})").format(point=point)
    if result.along is not None:
        direction = ", ".join(to_unicode(c) for c in result.along)
        title += "   " + _("along ({direction})").format(direction=direction)
    out: list[RenderableType] = [text(title, "bold")]
    table = Table(show_edge=True, header_style="bold")
    for name in (_PART, _COMPONENT, _ANSWER, _VERDICT, _METHOD, _FEEDBACK):
        table.add_column(_(name), overflow="fold")
    if result.revealed:
        table.add_column(_(_EXPECTED), overflow="fold")
    previous = None
    for p in result.parts:
        row: list[RenderableType] = [
            text(part_label(p.part) if p.part != previous else ""),
            text(label_shown(p.label) if p.component is not None or p.label != p.part else ""),
            _answer(p.given, answer_shown(p)),
            _verdict(p.verdict),
            text(method_label(p.method) if p.method else ""),
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
        cell.append_text(text("\n" + _("read as {reading}").format(reading=read), "dim"))
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
        columns = list(dict.fromkeys(name for r in results for name, _unused in r.extra))
    table = Table(show_edge=True, header_style="bold")
    table.add_column(_(_ID), overflow="fold")
    for name in columns:
        table.add_column(text(name), overflow="ellipsis", no_wrap=True, max_width=COLUMN_WIDTH)
    for header in (_PART, _VERDICT, _METHOD, _FEEDBACK):
        table.add_column(_(header), overflow="fold")
    if reveal:
        table.add_column(_(_EXPECTED), overflow="fold")
    for result in results:
        first = True
        values = dict(result.extra)
        for line in part_lines(result.parts):
            read = part_reading([p for p in result.parts if p.part == line.part])
            feedback = _feedback(line.mistakes, line.message)
            if read is not None:
                reading = _("read as {reading}").format(reading=read)
                feedback = f"{reading}; {feedback}" if feedback else reading
            row: list[RenderableType] = [
                text(result.id if first else ""),
                *(text(values.get(name, "") if first else "") for name in columns),
                text(part_label(line.part)),
                _verdict(line.verdict),
                text(method_label(line.method) if line.method else ""),
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
