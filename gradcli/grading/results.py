"""The words of grading (parts, verdicts, methods, mistakes) and its frozen results."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import sympy

from gradcli.display import Displayable
from gradcli.errors import ExitCode
from gradcli.i18n import N_, _, ngettext
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
    "label_shown",
    "method_label",
    "part_label",
    "part_verdicts",
    "row_failure",
    "summary_line",
    "verdict_label",
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
    "swapped_components": N_("the right components in the wrong order"),
    "sign_error": N_("a wrong sign: of the whole answer or of one term"),
    "constant_factor": N_("off by a constant factor (the power rule's 2, a missing 1/2, …)"),
    "missing_term": N_("the derivative of one term of f is missing"),
    "wrong_variable": N_(
        "differentiated with respect to the wrong variable, or another variable not held constant"
    ),
    "missing_chain_factor": N_("the chain rule's inner derivative is missing"),
    "antiderivative": N_("integrated instead of differentiated"),
    "function_itself": N_("the answer is f itself"),
    "wrong_point": N_("evaluated at the wrong point, or with swapped coordinates"),
    "carried_error": N_("follows correctly from the student's own earlier wrong answer"),
    "not_evaluated": N_("an expression where a number at the point was asked"),
    "magnitude_squared": N_("|∇f|² instead of |∇f|"),
    "not_normalized": N_("a direction not divided by its length"),
    "max_rate": N_("|∇f| (the largest rate of change) instead of the rate along the direction"),
    "wrong_kind": N_("a critical point of the wrong kind (min, max, saddle)"),
    "missing_point": N_("a critical point is missing"),
    "extra_point": N_("a point that is not a critical point"),
    "wrong_length": N_("the wrong number of components (or the wrong shape of matrix)"),
}

_SEVERITY = {CORRECT: 0, UNDECIDED: 1, WRONG: 2, UNREADABLE: 3}

#: the words shown to a person for each verdict, part, method and label; the
#: values themselves (in JSON and CSV) stay English
_VERDICT_LABELS = {
    CORRECT: N_("correct"),
    WRONG: N_("wrong"),
    UNREADABLE: N_("unreadable"),
    UNDECIDED: N_("undecided"),
}
_PART_LABELS = {
    "gradient": N_("gradient"),
    "value": N_("value"),
    "magnitude": N_("magnitude"),
    "direction": N_("direction"),
    "directional": N_("directional"),
    "hessian": N_("hessian"),
    "critical": N_("critical"),
    "row": N_("row"),
}
_METHOD_LABELS = {SYMBOLIC: N_("symbolic"), NUMERIC: N_("numeric"), DECIMAL: N_("decimal")}
#: the component labels that are words (the others are notation: ∂f/∂x, |∇f|)
_WORD_LABELS = {"all found": N_("all found"), "row": N_("row")}


def verdict_label(verdict: str) -> str:
    """A verdict as shown to a person, in the active language (``"correct"``)."""
    known = _VERDICT_LABELS.get(verdict)
    return verdict if known is None else _(known)


def part_label(part: str) -> str:
    """A part's name as shown to a person, in the active language (``"gradient"``)."""
    known = _PART_LABELS.get(part)
    return part if known is None else _(known)


def method_label(method: str) -> str:
    """A method as shown to a person, in the active language (``"symbolic"``)."""
    known = _METHOD_LABELS.get(method)
    return method if known is None else _(known)


def label_shown(label: str) -> str:
    """A component's label as shown to a person: a word label (``"all found"``)
    in the active language, notation (``∂f/∂x``) as it is."""
    known = _WORD_LABELS.get(label)
    return label if known is None else _(known)


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
    #: a right answer whose message says a caveat a batch shows too (the answer is
    #: undefined where the expected one is defined)
    caveat: bool = False


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
        return _("Nothing was checked.")
    right = sum(1 for _unused, v in verdicts if v == CORRECT)
    total = len(verdicts)
    if right == total:
        return ngettext("All {total} part correct.", "All {total} parts correct.", total).format(
            total=total
        )
    pieces = [
        ngettext(
            "{right} of {total} part correct", "{right} of {total} parts correct", total
        ).format(right=right, total=total)
    ]
    for verdict in (WRONG, UNREADABLE, UNDECIDED):
        names = [part_label(part) for part, v in verdicts if v == verdict]
        if names:
            pieces.append(
                _("{verdict}: {parts}").format(
                    verdict=verdict_label(verdict), parts=", ".join(names)
                )
            )
    return "; ".join(pieces) + "."


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
