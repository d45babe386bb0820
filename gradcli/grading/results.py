"""The words of grading (parts, verdicts, methods, mistakes) and its frozen results."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import sympy

from gradcli.display import Displayable
from gradcli.errors import ExitCode
from gradcli.parse import Function

__all__ = [
    "CORRECT",
    "DECIMAL",
    "MISTAKES",
    "NUMERIC",
    "PARTS",
    "SYMBOLIC",
    "UNDECIDED",
    "UNREADABLE",
    "WRONG",
    "BatchRow",
    "BatchSummary",
    "PartResult",
    "RowResult",
    "Verdict",
    "exit_code",
    "is_correct",
    "part_verdicts",
    "row_failure",
    "summary_line",
]

#: the parts of an answer, in the order they are graded and shown; ``row`` is
#: a batch row that could not be graded at all
PARTS = ("gradient", "value", "magnitude", "direction", "directional", "hessian", "critical")

CORRECT = "correct"
WRONG = "wrong"
UNREADABLE = "unreadable"
#: the check could not decide: too few points in the domain, or out of time
UNDECIDED = "undecided"

SYMBOLIC = "symbolic"
NUMERIC = "numeric"
DECIMAL = "decimal"

#: each mistake a wrong answer can be diagnosed with, and what it means
MISTAKES: Mapping[str, str] = {
    "swapped_components": "the right components in the wrong order",
    "sign_error": "a wrong sign: of the whole answer or of one term",
    "constant_factor": "off by a constant factor (the power rule's 2, a missing 1/2, …)",
    "missing_term": "the derivative of one term of f is missing",
    "wrong_variable": "differentiated with respect to the wrong variable, "
    "or another variable not held constant",
    "missing_chain_factor": "the chain rule's inner derivative is missing",
    "antiderivative": "integrated instead of differentiated",
    "function_itself": "the answer is f itself",
    "wrong_point": "evaluated at the wrong point, or with swapped coordinates",
    "carried_error": "follows correctly from the student's own earlier wrong answer",
    "not_evaluated": "an expression where a number at the point was asked",
    "magnitude_squared": "|∇f|² instead of |∇f|",
    "not_normalized": "a direction not divided by its length",
    "max_rate": "|∇f| (the largest rate of change) instead of the rate along the direction",
    "wrong_kind": "a critical point of the wrong kind (min, max, saddle)",
    "missing_point": "a critical point is missing",
    "extra_point": "a point that is not a critical point",
    "wrong_length": "the wrong number of components (or the wrong shape of matrix)",
}

_SEVERITY = {CORRECT: 0, UNDECIDED: 1, WRONG: 2, UNREADABLE: 3}


@dataclass(frozen=True)
class PartResult:
    """The verdict on one component of one part of an answer.

    ``component`` is the 0-based index of the component (row-major for the
    Hessian, the point's place for critical points), or ``None`` for a part
    that is one value or that failed as a whole. ``expected`` (sympy syntax)
    and ``expected_shown`` (unicode) are ``None`` unless revealed.
    ``position`` and ``hint`` locate an unreadable answer in ``given``;
    ``notes`` say how the answer was read where that is not literally what
    was typed (on the first component of a part).
    """

    part: str
    component: int | None
    label: str
    verdict: str
    method: str | None = None
    mistakes: tuple[str, ...] = ()
    message: str = ""
    given: str = ""
    expected: str | None = None
    expected_shown: str | None = None
    position: int | None = None
    hint: str | None = None
    notes: tuple[str, ...] = ()
    #: how the answer was read, in sympy syntax (``y*exp(x*y)`` for ``ye^xy``),
    #: when it could be read
    answer_read: str | None = None


@dataclass(frozen=True)
class Verdict(Displayable):
    """Every part of one student's answer, checked."""

    function: Function
    parts: tuple[PartResult, ...]
    point: tuple[sympy.Expr, ...] | None = None
    along: tuple[sympy.Expr, ...] | None = None
    seed: int = 0
    revealed: bool = False
    notes: tuple[str, ...] = ()

    @property
    def correct(self) -> bool:
        return is_correct(self.parts)

    @property
    def exit_code(self) -> int:
        return exit_code(p.verdict for p in self.parts)

    @property
    def summary(self) -> str:
        return summary_line(self.parts)


@dataclass(frozen=True)
class BatchRow:
    """One row of a batch file: its answers by column, or why it is malformed."""

    line: int
    id: str
    fields: tuple[tuple[str, str], ...] = ()
    error: str | None = None
    #: the columns the grader does not use (name, email, section), passed through
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RowResult:
    """The verdicts on one batch row (a row that failed has one ``row`` part).

    ``malformed`` marks a row that could not be read as a row of its file (an
    open quote, a NUL byte, a line past the bound, not JSON, …).
    """

    line: int
    id: str
    parts: tuple[PartResult, ...]
    malformed: bool = False
    #: the row's columns the grader does not use, passed through to every output
    extra: tuple[tuple[str, str], ...] = ()

    @property
    def correct(self) -> bool:
        return is_correct(self.parts)


@dataclass(frozen=True)
class BatchSummary:
    """How a class did: rows, right answers per part, the commonest mistakes."""

    rows: int
    all_correct: int
    with_wrong: int
    unreadable: int
    undecided: int
    #: (part, correct, total) for each part that was answered
    parts: tuple[tuple[str, int, int], ...]
    #: (mistake, how many answers made it), most common first
    mistakes: tuple[tuple[str, int], ...]
    #: rows that could not be read as rows of the file (counted in ``unreadable`` too)
    malformed: int = 0


def exit_code(verdicts: Iterable[str]) -> int:
    """The exit code for a set of verdicts: 2 unreadable, 1 wrong, 3 undecided, 0.

    >>> exit_code(["correct", "wrong"]), exit_code(["correct"])
    (1, 0)
    """
    seen = set(verdicts)
    if UNREADABLE in seen:
        return int(ExitCode.USAGE)
    if WRONG in seen:
        return int(ExitCode.WRONG_ANSWER)
    if UNDECIDED in seen:
        return int(ExitCode.MATH)
    return int(ExitCode.OK)


def is_correct(parts: Sequence[PartResult]) -> bool:
    """Every component of every part is correct (and there is at least one)."""
    return bool(parts) and all(p.verdict == CORRECT for p in parts)


def part_verdicts(parts: Iterable[PartResult]) -> list[tuple[str, str]]:
    """Each part once, in order, with its worst component's verdict.

    >>> part_verdicts([PartResult("gradient", 0, "", "correct"),
    ...                PartResult("gradient", 1, "", "wrong")])
    [('gradient', 'wrong')]
    """
    worst: dict[str, str] = {}
    for p in parts:
        current = worst.get(p.part, CORRECT)
        worst[p.part] = max(current, p.verdict, key=_SEVERITY.__getitem__)
    return list(worst.items())


def summary_line(parts: Sequence[PartResult]) -> str:
    """One line for the student: how many parts are right, and which are not.

    >>> summary_line([PartResult("gradient", 0, "", "correct")])
    'All 1 part correct.'
    """
    verdicts = part_verdicts(parts)
    if not verdicts:
        return "Nothing was checked."
    right = sum(1 for _, v in verdicts if v == CORRECT)
    total = len(verdicts)
    noun = "part" if total == 1 else "parts"
    if right == total:
        return f"All {total} {noun} correct."
    line = f"{right} of {total} {noun} correct"
    for verdict in (WRONG, UNREADABLE, UNDECIDED):
        names = [part for part, v in verdicts if v == verdict]
        if names:
            line += f"; {verdict}: {', '.join(names)}"
    return line + "."


def row_failure(row: BatchRow, verdict: str, message: str) -> RowResult:
    """The result of a row that could not be graded: one ``row`` part saying why.

    A row the reader found malformed (``row.error``) is marked ``malformed``.
    """
    return RowResult(
        line=row.line,
        id=row.id,
        parts=(PartResult("row", None, "row", verdict, message=message),),
        malformed=row.error is not None,
        extra=row.extra,
    )
