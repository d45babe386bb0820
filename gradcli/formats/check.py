"""``gradcli check`` output: JSON, CSV and plain text, for one answer or a batch.

The JSON keys are the machine contract, documented in the README. One check is
``{"correct", "parts": [...], ...}`` with a record per component; a batch has
a record per row (with the same ``parts``) and a ``summary``, while its CSV
has a line per row and part.

Text that came from input (ids, answers, messages quoting them) never brings
a raw control character to a terminal: plain text shows each control or
invisible character as ``?`` (a tab or line end as a space), as error
messages do; CSV keeps the data but writes such a character as ``\\uXXXX``
(tab and newline excepted: CSV quotes them); JSON escapes them as JSON does.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gradcli.errors import _printable
from gradcli.formats.common import csv_text, dumps, texts
from gradcli.grading import (
    CORRECT,
    DECIMAL,
    NUMERIC,
    SYMBOLIC,
    BatchSummary,
    PartResult,
    RowResult,
    Verdict,
    part_verdicts,
)
from gradcli.printing import to_text


def part_dict(part: PartResult) -> dict[str, Any]:
    """One component's verdict as a JSON object."""
    out: dict[str, Any] = {
        "part": part.part,
        "component": part.component,
        "label": part.label,
        "verdict": part.verdict,
        "method": part.method,
        "mistakes": list(part.mistakes),
        "message": part.message,
        "given": part.given,
        "expected": part.expected,
    }
    if part.position is not None:
        out["position"] = part.position
    if part.hint:
        out["hint"] = part.hint
    return out


def as_dict(verdict: Verdict) -> dict[str, Any]:
    """The JSON object for one checked answer."""
    return {
        "correct": verdict.correct,
        "expression": to_text(verdict.function.expr),
        "variables": [v.name for v in verdict.function.variables],
        "point": texts(verdict.point),
        "along": texts(verdict.along),
        "seed": verdict.seed,
        "parts": [part_dict(p) for p in verdict.parts],
        "summary": verdict.summary,
        "notes": list(verdict.notes),
    }


def to_json(verdict: Verdict) -> str:
    """One JSON object on one line."""
    return dumps(as_dict(verdict)) + "\n"


_HEADER = ["part", "component", "label", "verdict", "method", "mistakes", "message", "given"]


def to_csv(verdict: Verdict) -> str:
    """A line per component; ``expected`` is a last column when revealed."""
    header = [*_HEADER, "expected"] if verdict.revealed else _HEADER
    rows = []
    for p in verdict.parts:
        row: list[object] = [
            p.part,
            p.component,
            p.label,
            p.verdict,
            p.method,
            ";".join(p.mistakes),
            p.message,
            p.given,
        ]
        if verdict.revealed:
            row.append(p.expected)
        rows.append([_csv_cell(v) for v in row])
    return csv_text(header, rows)


def _csv_cell(value: object) -> object:
    r"""A CSV cell's value, control and invisible characters written as ``\uXXXX``.

    >>> _csv_cell("a" + chr(27) + "[2J")
    'a\\u001b[2J'
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", value)
    return value


#: characters a terminal acts on or that hide text (the set ``formats.common.dumps``
#: escapes in JSON, and the C0 controls but tab and newline)
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e"
    "\u2060-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]"
)


def to_plain(verdict: Verdict) -> str:
    """A line per component, ``part[i] label: verdict (method): message``."""
    lines = [
        f"function: {to_text(verdict.function.expr)}",
        f"variables: {', '.join(v.name for v in verdict.function.variables)}",
    ]
    if verdict.point is not None:
        lines.append(f"point: {', '.join(to_text(c) for c in verdict.point)}")
    if verdict.along is not None:
        lines.append(f"along: {', '.join(to_text(c) for c in verdict.along)}")
    lines.extend(f"note: {note}" for note in verdict.notes)
    lines.extend(_plain_part(p) for p in verdict.parts)
    lines.append(f"summary: {verdict.summary}")
    return "\n".join(_printable(line) for line in lines) + "\n"


def _plain_part(p: PartResult) -> str:
    where = p.part if p.component is None else f"{p.part}[{p.component}]"
    line = f"{where} {p.label}: {p.verdict}"
    if p.method:
        line += f" ({p.method})"
    if p.mistakes:
        line += f" [{', '.join(p.mistakes)}]"
    if p.message:
        line += f": {p.message}"
    if p.expected is not None:
        line += f" | expected: {p.expected}"
    return line


# --------------------------------------------------------------------------
# Batches


@dataclass(frozen=True)
class PartLine:
    """One part of one answer, its components folded together (batch output)."""

    part: str
    verdict: str
    method: str | None
    mistakes: tuple[str, ...]
    feedback: str
    expected: str | None


_WEAKEST = {SYMBOLIC: 0, NUMERIC: 1, DECIMAL: 2}


def part_lines(parts: Sequence[PartResult]) -> list[PartLine]:
    """Each part once, in order: the worst verdict, and what its components said.

    >>> part_lines([PartResult("magnitude", None, "|∇f|", "correct", "decimal",
    ...                        message="correct to 2 significant figures")])[0].feedback
    'correct to 2 significant figures'
    """
    out = []
    for part, verdict in part_verdicts(parts):
        mine = [p for p in parts if p.part == part]
        deciding = [p for p in mine if p.verdict == verdict]
        methods = [p.method for p in deciding if p.method]
        method = max(methods, key=lambda m: _WEAKEST.get(m, 0)) if methods else None
        mistakes = tuple(dict.fromkeys(m for p in mine for m in p.mistakes))
        said = [
            (p.label, _said(p))
            for p in mine
            if p.message
            and (p.verdict != CORRECT or p.method == DECIMAL or "where both" in p.message)
        ]
        if len({message for _, message in said}) == 1 and len(said) > 1:
            notes = [said[0][1]]
        else:
            notes = [f"{label}: {message}" if len(mine) > 1 else message for label, message in said]
        expected = None
        shown = [p.expected for p in mine if p.expected is not None]
        if shown:
            expected = shown[0] if len(shown) == 1 else "(" + ", ".join(shown) + ")"
        out.append(PartLine(part, verdict, method, mistakes, "; ".join(notes), expected))
    return out


def _said(part: PartResult) -> str:
    """The message, and for an unreadable answer where it went wrong and a hint."""
    message = part.message
    if part.position is not None:
        message += f" (at position {part.position + 1})"
    if part.hint:
        message += f"; {part.hint}"
    return message


def row_dict(result: RowResult) -> dict[str, Any]:
    """One batch row as a JSON object: its id, line, verdict and parts."""
    return {
        "id": result.id,
        "line": result.line,
        "correct": result.correct,
        "parts": [part_dict(p) for p in result.parts],
        "notes": [f"{p.part}: {note}" for p in result.parts for note in p.notes],
    }


def summary_dict(summary: BatchSummary) -> dict[str, Any]:
    """The batch summary as a JSON object."""
    return {
        "rows": summary.rows,
        "all_correct": summary.all_correct,
        "with_wrong": summary.with_wrong,
        "unreadable": summary.unreadable,
        "undecided": summary.undecided,
        "malformed": summary.malformed,
        "parts": {part: {"correct": right, "total": total} for part, right, total in summary.parts},
        "mistakes": [{"mistake": name, "count": count} for name, count in summary.mistakes],
    }


def summary_lines(summary: BatchSummary, *, mistakes: int = 5) -> list[str]:
    """The summary in a few lines of text, for people.

    >>> summary_lines(BatchSummary(3, 1, 0, 2, 0, (), (), malformed=1))
    ['3 rows: 1 all correct, 0 with a wrong part, 2 unreadable (1 malformed), 0 undecided']
    """
    # malformed rows are some of the unreadable ones: named only when there are any
    malformed = f" ({summary.malformed} malformed)" if summary.malformed else ""
    lines = [
        f"{summary.rows} row{'s' if summary.rows != 1 else ''}: "
        f"{summary.all_correct} all correct, {summary.with_wrong} with a wrong part, "
        f"{summary.unreadable} unreadable{malformed}, {summary.undecided} undecided"
    ]
    if summary.parts:
        lines.append(
            "correct per part: "
            + ", ".join(f"{part} {right}/{total}" for part, right, total in summary.parts)
        )
    if summary.mistakes:
        common = summary.mistakes[:mistakes]
        lines.append(
            "most common mistakes: " + ", ".join(f"{name} ({count})" for name, count in common)
        )
    return lines


BATCH_HEADER = ["id", "line", "part", "verdict", "method", "mistakes", "feedback"]


def batch_header(*, reveal: bool) -> str:
    """The header line of a batch's CSV."""
    return csv_text([*BATCH_HEADER, "expected"] if reveal else BATCH_HEADER, [])


def batch_csv_rows(result: RowResult, *, reveal: bool) -> str:
    """A batch row's CSV lines (no header): one per part."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in _records(result, reveal):
        writer.writerow([_csv_cell(v) for v in row])
    return buffer.getvalue()


def _feedback(result: RowResult, line: PartLine) -> str:
    """A part's feedback, after how its answer was read where that was not literal."""
    reading = [note for p in result.parts if p.part == line.part for note in p.notes]
    return "; ".join([*reading, line.feedback] if line.feedback else reading)


def _records(result: RowResult, reveal: bool) -> list[list[object]]:
    out = []
    for line in part_lines(result.parts):
        row: list[object] = [
            result.id,
            result.line,
            line.part,
            line.verdict,
            line.method,
            ";".join(line.mistakes),
            _feedback(result, line),
        ]
        if reveal:
            row.append(line.expected)
        out.append(row)
    return out


def batch_json_row(result: RowResult) -> str:
    """A batch row as one line of JSON (the ``rows`` array holds these)."""
    return dumps(row_dict(result))


def batch_plain_rows(result: RowResult) -> str:
    """A batch row as plain lines: ``id part: verdict (method): feedback``."""
    lines = []
    for line in part_lines(result.parts):
        text = f"{result.id} {line.part}: {line.verdict}"
        if line.method:
            text += f" ({line.method})"
        if line.mistakes:
            text += f" [{', '.join(line.mistakes)}]"
        feedback = _feedback(result, line)
        if feedback:
            text += f": {feedback}"
        if line.expected is not None:
            text += f" | expected: {line.expected}"
        lines.append(_printable(text))
    return "\n".join(lines) + "\n"
