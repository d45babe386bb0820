"""``gradcli check`` output: JSON, CSV and plain text, for one answer or a batch.

The JSON keys and CSV columns are the machine contract, documented in the
docs (a table: column → meaning) and by the JSON Schemas ``check.json`` and
``check-batch.json``; one thing has one name in every format (``message``,
``answer_read``). One check is ``{"schema_version": 1, "correct", "parts":
[...], ...}`` with a record per component; a batch is one document
``{"schema_version": 1, "rows": [...], "summary": {...}}`` with a record per
row (with the same ``parts`` and its pass-through ``columns``) on a line of
its own, while its CSV has a line per row and part. The gradebook
(``--summary``) is a CSV with a line per row; booleans are ``true``/``false``.

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
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from gradcli.errors import _printable
from gradcli.formats.common import csv_text, dumps, texts, versioned
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
from gradcli.grading.report import Report
from gradcli.grading.results import part_label
from gradcli.i18n import _, ngettext
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
        "answer_read": part.answer_read,
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
        # not "summary": a batch's summary is an object of counts
        "summary_line": verdict.summary,
        "notes": list(verdict.notes),
    }


def to_json(verdict: Verdict) -> str:
    """One JSON object on one line, ``schema_version`` first."""
    return dumps(versioned(as_dict(verdict))) + "\n"


def batch_json_start() -> str:
    """The start of a batch's JSON document, up to the ``[`` of its rows.

    >>> batch_json_start()
    '{"schema_version": 1, "language": "en", "rows": ['
    """
    return dumps(versioned({}))[:-1] + ', "rows": ['


_HEADER = [
    "part",
    "component",
    "label",
    "verdict",
    "method",
    "mistakes",
    "message",
    "given",
    "answer_read",
]


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
            p.answer_read,
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
    """A line per component, ``part[i] label: verdict (method): message``.

    The keys (before the first ``: ``) are English in every language, for
    scripts that grep them; what follows is in the active language.
    """
    lines = [
        f"function: {to_text(verdict.function.expr)}",
        f"variables: {', '.join(v.name for v in verdict.function.variables)}",
    ]
    if verdict.point is not None:
        lines.append(f"point: {', '.join(to_text(c) for c in verdict.point)}")
    if verdict.along is not None:
        lines.append(f"along: {', '.join(to_text(c) for c in verdict.along)}")
    lines.extend(_plain_part(p) for p in verdict.parts)
    lines.append(f"summary: {verdict.summary}")
    return "\n".join(_printable(line) for line in lines) + "\n"


def _plain_part(p: PartResult) -> str:
    where = p.part if p.component is None else f"{p.part}[{p.component}]"
    line = f"{where} {p.label}: {p.verdict}"
    return line + _details(p.method, p.mistakes, p.message, p.expected)


def _details(
    method: str | None, mistakes: Sequence[str], message: str, expected: str | None
) -> str:
    """`` (method) [mistakes]: message | expected: …``, each where there is one.

    The verdict, the method and the mistakes are the machine's words, English
    in every language as in JSON (``grep ': wrong'`` works under ``--lang ko``);
    the message is said in the language asked for.
    """
    line = ""
    if method:
        line += f" ({method})"
    if mistakes:
        line += f" [{', '.join(mistakes)}]"
    if message:
        line += f": {message}"
    if expected is not None:
        line += f" | expected: {expected}"
    return line


# --------------------------------------------------------------------------
# How an answer was read, for people


def shown_reading(text: str) -> str:
    """An answer's reading (sympy syntax) in a compact form for people: ``^`` for
    powers, ``·`` between factors (none after a number), ``e^u`` and ``√u``.

    >>> shown_reading("y*exp(x*y)")
    'y·e^(x·y)'
    >>> shown_reading("2*cos(2*x) + x**2 - 5*sqrt(74)/74")
    '2cos(2x) + x^2 - 5√74/74'
    >>> shown_reading("2**3*x + E*pi")
    '2^3·x + e·π'
    """
    out = _calls(text.replace("**", "^"))
    out = re.sub(r"(?<![\w.])E(?![\w(])", "e", out)
    out = re.sub(r"(?<![\w.])pi(?![\w(])", "π", out)
    out = re.sub(r"(?<![\w.^/])(\d+(?:\.\d+)?)\*(?=[A-Za-z_(√])", r"\1", out)
    return out.replace("*", "·")


def _calls(text: str) -> str:
    """``exp(u)`` as ``e^u`` and ``sqrt(u)`` as ``√u``, parenthesised unless u is one word."""
    for name, sign in (("exp", "e^"), ("sqrt", "√")):
        out, at = [], 0
        for match in re.finditer(rf"(?<![\w.]){name}\(", text):
            if match.start() < at:
                continue
            depth, end = 1, match.end()
            while end < len(text) and depth:
                depth += {"(": 1, ")": -1}.get(text[end], 0)
                end += 1
            if depth:
                break  # unbalanced: left as it is
            inner = _calls(text[match.end() : end - 1])
            word = re.fullmatch(r"[\w.]+", inner) is not None
            out.append(text[at : match.start()] + sign + (inner if word else f"({inner})"))
            at = end
        text = "".join(out) + text[at:]
    return text


def answer_shown(part: PartResult) -> str | None:
    """How a component was read, compactly, where that differs from what was typed.

    Not for a reordering of the same terms (``y+2x`` read as ``2x + y``), nor
    for an answer without variables (``sqrt(40)`` is read as 2√10 and ``8.60``
    as 43/5: sympy's arithmetic, not a way of reading the typing; and a
    decimal is graded by the figures written).

    >>> answer_shown(PartResult("gradient", 0, "", "correct", given="ye^xy",
    ...                         answer_read="y*exp(x*y)"))
    'y·e^(x·y)'
    >>> answer_shown(PartResult("gradient", 0, "", "correct", given="y+2x",
    ...                         answer_read="2*x + y")) is None
    True
    """
    if part.answer_read is None or part.method == DECIMAL or not _has_variable(part.answer_read):
        return None
    shown = shown_reading(part.answer_read)
    return shown if _letters(shown) != _letters(shown_reading(part.given)) else None


#: names in sympy syntax that are not variables: constants (functions are followed by "(")
_CONSTANTS = frozenset({"E", "pi", "I", "oo", "zoo", "nan"})


def _has_variable(text: str) -> bool:
    """Whether an expression in sympy syntax names a variable.

    >>> _has_variable("2*sqrt(10) + pi"), _has_variable("y*exp(x)")
    (False, True)
    """
    for match in re.finditer(r"(?<![\w.])([A-Za-z_]\w*)(\()?", text):
        if match.group(2) is None and match.group(1) not in _CONSTANTS:
            return True
    return False


def _letters(text: str) -> list[str]:
    """The characters of an answer, sorted: the same for a mere reordering."""
    text = text.replace("π", "pi").replace("−", "-").replace("×", "·")
    return sorted(re.sub(r"\s+", "", text))


def part_reading(parts: Sequence[PartResult]) -> str | None:
    """How one part (its components) was read, compactly, if that differs from what
    was typed in any component: ``(y·e^(x·y), x·e^(x·y))``."""
    if not any(answer_shown(p) for p in parts):
        return None
    return _folded([None if p.answer_read is None else shown_reading(p.answer_read) for p in parts])


def _folded(values: Sequence[str | None]) -> str | None:
    """A part's components as one text: one alone, several in parentheses (``?``: not read)."""
    if all(v is None for v in values):
        return None
    if len(values) == 1:
        return values[0]
    return "(" + ", ".join("?" if v is None else v for v in values) + ")"


# --------------------------------------------------------------------------
# Batches


@dataclass(frozen=True)
class PartLine:
    """One part of one answer, its components folded together (batch output)."""

    part: str
    verdict: str
    method: str | None
    mistakes: tuple[str, ...]
    message: str
    expected: str | None
    #: how the answer was read (sympy syntax); several components in parentheses
    answer_read: str | None = None


_WEAKEST = {SYMBOLIC: 0, NUMERIC: 1, DECIMAL: 2}


def part_lines(parts: Sequence[PartResult]) -> list[PartLine]:
    """Each part once, in order: the worst verdict, and what its components said.

    >>> part_lines([PartResult("magnitude", None, "|∇f|", "correct", "decimal",
    ...                        message="correct to 2 significant figures")])[0].message
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
            # a caveat (the answer is undefined where f's is not) is said even when right
            and (p.verdict != CORRECT or p.method == DECIMAL or p.caveat)
        ]
        if len({message for _label, message in said}) == 1 and len(said) > 1:
            notes = [said[0][1]]
        else:
            notes = [f"{label}: {message}" if len(mine) > 1 else message for label, message in said]
        expected = None
        shown = [p.expected for p in mine if p.expected is not None]
        if shown:
            expected = shown[0] if len(shown) == 1 else "(" + ", ".join(shown) + ")"
        read = _folded([p.answer_read for p in mine])
        out.append(PartLine(part, verdict, method, mistakes, "; ".join(notes), expected, read))
    return out


def _said(part: PartResult) -> str:
    """The message, and for an unreadable answer where it went wrong and a hint."""
    message = part.message
    if part.position is not None:
        message = _("{message} (at position {position})").format(
            message=message, position=part.position + 1
        )
    if part.hint:
        message += f"; {part.hint}"
    return message


def row_dict(result: RowResult) -> dict[str, Any]:
    """One batch row as a JSON object: its id, line, pass-through columns, verdict, parts."""
    return {
        "id": result.id,
        "line": result.line,
        "columns": dict(result.extra),
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
    if summary.malformed:
        counts = ngettext(
            "{rows} row: {correct} all correct, {wrong} with a wrong part, "
            "{unreadable} unreadable ({malformed} malformed), {undecided} undecided",
            "{rows} rows: {correct} all correct, {wrong} with a wrong part, "
            "{unreadable} unreadable ({malformed} malformed), {undecided} undecided",
            summary.rows,
        )
    else:
        counts = ngettext(
            "{rows} row: {correct} all correct, {wrong} with a wrong part, "
            "{unreadable} unreadable, {undecided} undecided",
            "{rows} rows: {correct} all correct, {wrong} with a wrong part, "
            "{unreadable} unreadable, {undecided} undecided",
            summary.rows,
        )
    lines = [
        counts.format(
            rows=summary.rows,
            correct=summary.all_correct,
            wrong=summary.with_wrong,
            unreadable=summary.unreadable,
            malformed=summary.malformed,
            undecided=summary.undecided,
        )
    ]
    if summary.parts:
        shown = ", ".join(
            f"{part_label(part)} {right}/{total}" for part, right, total in summary.parts
        )
        lines.append(_("correct per part: {parts}").format(parts=shown))
    if summary.mistakes:
        common = ", ".join(f"{name} ({count})" for name, count in summary.mistakes[:mistakes])
        lines.append(_("most common mistakes: {mistakes}").format(mistakes=common))
    return lines


#: a batch's CSV columns; the pass-through columns come after ``id``
BATCH_HEADER = ["id", "line", "part", "verdict", "method", "mistakes", "message", "answer_read"]


def input_names(columns: Sequence[str], taken: Sequence[str]) -> list[str]:
    """Pass-through columns' names for a CSV header: as written, but one named like a
    column of gradcli's own (ignoring case) gets `` (input)`` after it.

    >>> input_names(["name", "Score"], ["id", "score"])
    ['name', 'Score (input)']
    """
    own = {name.casefold() for name in taken}
    return [f"{name} (input)" if name.casefold() in own else name for name in columns]


def batch_columns(*, reveal: bool, columns: Sequence[str] = ()) -> list[str]:
    """The header of a batch's CSV: ``id``, the pass-through columns, then gradcli's."""
    own = [*BATCH_HEADER, "expected"] if reveal else BATCH_HEADER
    return [own[0], *input_names(columns, own), *own[1:]]


def batch_header(*, reveal: bool, columns: Sequence[str] = ()) -> str:
    """The header line of a batch's CSV."""
    names = batch_columns(reveal=reveal, columns=columns)
    return csv_text([str(_csv_cell(name)) for name in names], [])


def batch_csv_rows(result: RowResult, *, reveal: bool, columns: Sequence[str] = ()) -> str:
    """A batch row's CSV lines (no header): one per part, with the ``columns`` passed
    through (empty where the row has no such column)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    cells = _cells(result, columns)
    for row in _records(result, reveal):
        writer.writerow([_csv_cell(v) for v in [row[0], *cells, *row[1:]]])
    return buffer.getvalue()


def _cells(result: RowResult, columns: Sequence[str]) -> list[str]:
    values = dict(result.extra)
    return [values.get(name, "") for name in columns]


def _message(result: RowResult, line: PartLine) -> str:
    """A part's message, after how its answer was read where that was not literal."""
    reading = [note for p in result.parts if p.part == line.part for note in p.notes]
    return "; ".join([*reading, line.message] if line.message else reading)


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
            _message(result, line),
            line.answer_read,
        ]
        if reveal:
            row.append(line.expected)
        out.append(row)
    return out


def batch_json_row(result: RowResult) -> str:
    """A batch row as one line of JSON (the ``rows`` array holds these)."""
    return dumps(row_dict(result))


def batch_plain_rows(result: RowResult) -> str:
    """A batch row as plain lines: ``id name=Ann part: verdict (method): message``,
    the pass-through columns (those not empty) as ``name=value`` on each of its lines
    (English before the first ``: ``, as in :func:`to_plain`)."""
    fields = "".join(f" {_token(name)}={_token(value)}" for name, value in result.extra if value)
    lines = []
    for line in part_lines(result.parts):
        text = f"{result.id}{fields} {line.part}: {line.verdict}"
        text += _details(line.method, line.mistakes, _message(result, line), line.expected)
        lines.append(_printable(text))
    return "\n".join(lines) + "\n"


def _token(text: str) -> str:
    r"""A name or value in ``name=value``: as it is, or in double quotes (with ``\"``
    and ``\\`` escaped) when empty or holding a space, ``=``, ``:`` or a quote.

    >>> _token("Ann"), _token("Ann Lee"), _token('say "hi"')
    ('Ann', '"Ann Lee"', '"say \\"hi\\""')
    """
    if text and not re.search(r'[\s=:"\\]', text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --------------------------------------------------------------------------
# The gradebook (--summary)


def report_columns(report: Report) -> list[str]:
    """The gradebook's header: ``id``, the pass-through columns, ``score``,
    ``max_score``, ``percent``, a column per part of the batch, ``review``."""
    own = ["id", "score", "max_score", "percent", *report.parts, "review"]
    return [own[0], *input_names(report.columns, own), *own[1:]]


def report_csv(report: Report) -> str:
    """The gradebook as CSV: a line per student (row of the batch).

    Scores have at most 2 decimals and percentages 1 (rounded half up); a
    part's cell is its verdict, empty where the row did not answer it;
    ``review`` is ``true`` when a component is undecided or unreadable (or the
    row could not be graded), else ``false``.
    """
    rows = []
    for student in report.students:
        values = dict(student.columns)
        percent = student.percent
        rows.append(
            [
                _csv_cell(v)
                for v in [
                    student.id,
                    *(values.get(name, "") for name in report.columns),
                    _decimal(student.score, 2),
                    _decimal(student.max_score, 2),
                    "" if percent is None else _decimal(percent, 1),
                    *(p.verdict or "" for p in student.parts),
                    "true" if student.review else "false",
                ]
            ]
        )
    return csv_text([str(_csv_cell(name)) for name in report_columns(report)], rows)


def _decimal(value: Fraction, places: int) -> str:
    """A fraction as a decimal: rounded half up to ``places``, no trailing zeros.

    >>> _decimal(Fraction(2, 3), 2), _decimal(Fraction(5, 2), 2), _decimal(Fraction(3), 2)
    ('0.67', '2.5', '3')
    """
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    text = f"{exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
