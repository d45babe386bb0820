"""A gradebook from a graded batch: one score per student, from weights per part.

Pure: graded rows (:class:`RowResult`) in, frozen values out, in exact
fractions; formatting them is :mod:`gradcli.formats.check`'s business.

A part's score is its weight times the share of its components that are
right: ``weight × credit / components``, where a correct component earns 1,
one whose only mistake is ``carried_error`` (it follows correctly from the
student's own earlier wrong answer) earns ``carried_credit``, and any other
earns 0. Every result of a part counts as one component: the closing "all
found" line of ``critical`` (its missing points, however many) counts as one,
like each point answered. A student's maximum is the sum of the weights of
every part answered anywhere in the batch, so a part left blank scores 0 of
its weight. A row with an undecided or unreadable component (or that could
not be graded at all) is marked for review.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from gradcli.errors import InputError
from gradcli.grading.results import (
    CORRECT,
    PARTS,
    UNDECIDED,
    UNREADABLE,
    WRONG,
    PartResult,
    RowResult,
    part_verdicts,
)
from gradcli.i18n import _

__all__ = [
    "PartScore",
    "Report",
    "Scoring",
    "StudentScore",
    "component_credit",
    "parse_fraction",
    "parse_weights",
    "part_score",
    "score_batch",
    "score_row",
]

#: the mistake that earns ``carried_credit`` when it is a component's only one
CARRIED = "carried_error"


@dataclass(frozen=True)
class Scoring:
    """How a batch is scored: a weight per part (1 unless given) and credit for
    a carried error (a fraction from 0 to 1).

    >>> Scoring((("gradient", Fraction(2)),)).weight("gradient"), Scoring().weight("value")
    (Fraction(2, 1), Fraction(1, 1))
    """

    weights: tuple[tuple[str, Fraction], ...] = ()
    carried_credit: Fraction = Fraction(0)

    def __post_init__(self) -> None:
        for part, weight in self.weights:
            if part not in PARTS:
                raise ValueError(
                    _("unknown part {part}: the parts are {parts}").format(
                        part=repr(part), parts=", ".join(PARTS)
                    )
                )
            if weight < 0:
                raise ValueError(
                    _("the weight of {part} is negative: {weight}").format(part=part, weight=weight)
                )
        if not 0 <= self.carried_credit <= 1:
            raise ValueError(
                _("carried_credit must be from 0 to 1, not {value}").format(
                    value=self.carried_credit
                )
            )

    def weight(self, part: str) -> Fraction:
        """The weight of ``part``: as given, else 1."""
        return dict(self.weights).get(part, Fraction(1))


@dataclass(frozen=True)
class PartScore:
    """One part of one student's answer, scored.

    ``verdict`` is the part's worst component's verdict, ``None`` when the row
    did not answer the part (it then scores 0 of its weight, with 0 components).
    """

    part: str
    verdict: str | None
    weight: Fraction
    score: Fraction
    components: int


@dataclass(frozen=True)
class StudentScore:
    """One row of a batch (a student), scored: the row of a gradebook."""

    line: int
    id: str
    #: the row's pass-through columns (name, email, …), as the batch gave them
    columns: tuple[tuple[str, str], ...]
    #: one per part of the batch, in the order of :data:`PARTS`
    parts: tuple[PartScore, ...]
    #: an undecided or unreadable component, or a row that could not be graded
    review: bool

    @property
    def score(self) -> Fraction:
        return sum((p.score for p in self.parts), Fraction(0))

    @property
    def max_score(self) -> Fraction:
        return sum((p.weight for p in self.parts), Fraction(0))

    @property
    def percent(self) -> Fraction | None:
        """The score as a percentage of the maximum (``None`` when the maximum is 0)."""
        top = self.max_score
        return None if top == 0 else 100 * self.score / top


@dataclass(frozen=True)
class Report:
    """A gradebook: the batch's parts and pass-through columns, and a row per student."""

    parts: tuple[str, ...]
    columns: tuple[str, ...]
    students: tuple[StudentScore, ...]


def component_credit(result: PartResult, *, carried_credit: Fraction = Fraction(0)) -> Fraction:
    """What one component earns: 1 if correct, ``carried_credit`` if its only
    mistake is a carried error, else 0.

    >>> carried = PartResult("value", 0, "", "wrong", mistakes=("carried_error",))
    >>> component_credit(carried, carried_credit=Fraction(1, 2))
    Fraction(1, 2)
    """
    if result.verdict == CORRECT:
        return Fraction(1)
    if result.verdict == WRONG and result.mistakes == (CARRIED,):
        return carried_credit
    return Fraction(0)


def part_score(
    components: Sequence[PartResult], *, weight: Fraction, carried_credit: Fraction = Fraction(0)
) -> Fraction:
    """``weight`` × the components' credit / their number (0 for no components).

    >>> right = PartResult("gradient", 0, "", "correct")
    >>> part_score([right, PartResult("gradient", 1, "", "wrong")], weight=Fraction(2))
    Fraction(1, 1)
    """
    if not components:
        return Fraction(0)
    earned = sum(
        (component_credit(p, carried_credit=carried_credit) for p in components), Fraction(0)
    )
    return weight * earned / len(components)


def score_row(result: RowResult, parts: Sequence[str], scoring: Scoring) -> StudentScore:
    """One graded row, scored on ``parts`` (the parts of its batch)."""
    verdicts = dict(part_verdicts(result.parts))
    scores = []
    for part in parts:
        mine = [p for p in result.parts if p.part == part]
        weight = scoring.weight(part)
        scores.append(
            PartScore(
                part=part,
                verdict=verdicts.get(part),
                weight=weight,
                score=part_score(mine, weight=weight, carried_credit=scoring.carried_credit),
                components=len(mine),
            )
        )
    # a component undecided beside a wrong one: the part is wrong, but look at it
    review = any(p.verdict in (UNDECIDED, UNREADABLE) for p in result.parts)
    return StudentScore(result.line, result.id, result.extra, tuple(scores), review)


def score_batch(
    results: Iterable[RowResult],
    scoring: Scoring | None = None,
    *,
    columns: Sequence[str] | None = None,
) -> Report:
    """Score every row of a batch: the gradebook.

    The batch's parts are those answered in at least one row, in the order of
    :data:`PARTS`; ``columns`` (the pass-through columns) default to the names
    in the rows' ``extra``, in the order first seen.

    >>> rows = [RowResult(2, "ann", (PartResult("gradient", 0, "", "correct"),)),
    ...         RowResult(3, "ben", (PartResult("value", 0, "", "wrong"),))]
    >>> report = score_batch(rows)
    >>> report.parts, [(s.id, str(s.score), str(s.max_score)) for s in report.students]
    (('gradient', 'value'), [('ann', '1', '2'), ('ben', '0', '2')])
    """
    scoring = scoring or Scoring()
    rows = list(results)
    answered = {p.part for row in rows for p in row.parts}
    parts = tuple(part for part in PARTS if part in answered)
    if columns is None:
        columns = list(dict.fromkeys(name for row in rows for name, _unused in row.extra))
    return Report(
        parts=parts,
        columns=tuple(columns),
        students=tuple(score_row(row, parts, scoring) for row in rows),
    )


# --------------------------------------------------------------------------
# Reading the options


_NUMBER = re.compile(r"\d+/\d+|\d+(?:\.\d*)?|\.\d+")


def parse_fraction(text: str, *, name: str, at_most: Fraction | None = None) -> Fraction:
    """A number, 0 or more (up to ``at_most``), written as ``2``, ``0.5`` or ``1/2``, exactly.

    >>> parse_fraction("1/3", name="--carried-credit")
    Fraction(1, 3)
    >>> parse_fraction("2", name="--carried-credit", at_most=Fraction(1))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
      ...
    gradcli.errors.InputError: --carried-credit must be a number from 0 to 1, ... not '2'
    """
    written = text.strip()
    if at_most is None:
        problem = _("{name} must be a number, 0 or more, such as 0.5 or 1/2, not {given}")
    else:
        problem = _("{name} must be a number from 0 to {most}, such as 0.5 or 1/2, not {given}")
    problem = problem.format(name=name, most=at_most, given=repr(written[:40]))
    if len(written) > 40 or not _NUMBER.fullmatch(written):
        raise InputError(problem)
    try:
        value = Fraction(written)
    except ZeroDivisionError:
        raise InputError(problem) from None
    if at_most is not None and value > at_most:
        raise InputError(problem)
    return value


def parse_weights(text: str) -> tuple[tuple[str, Fraction], ...]:
    """``--weights``: ``PART=WEIGHT`` pairs separated by commas, each part once.

    >>> parse_weights("gradient=2, value=1/2")
    (('gradient', Fraction(2, 1)), ('value', Fraction(1, 2)))
    >>> parse_weights("gradeint=2")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
      ...
    gradcli.errors.InputError: --weights: unknown part 'gradeint' (did you mean gradient?); ...
    """
    out: dict[str, Fraction] = {}
    pairs = [pair.strip() for pair in text.split(",")]
    if not any(pairs):
        raise InputError(_("--weights: give PART=WEIGHT pairs, such as gradient=2,value=1"))
    for pair in pairs:
        name, equals, number = (piece.strip() for piece in pair.partition("="))
        if not equals or not name:
            raise InputError(
                _("--weights: {pair} is not PART=WEIGHT (such as gradient=2,value=1)").format(
                    pair=repr(pair[:40])
                )
            )
        part = name.casefold()
        if part not in PARTS:
            close = difflib.get_close_matches(part, PARTS, 1)
            message = (
                _("--weights: unknown part {name} (did you mean {close}?); the parts are {parts}")
                if close
                else _("--weights: unknown part {name}; the parts are {parts}")
            )
            raise InputError(
                message.format(
                    name=repr(name[:40]), close=close[0] if close else "", parts=", ".join(PARTS)
                )
            )
        if part in out:
            raise InputError(_("--weights: {part} is given twice").format(part=part))
        out[part] = parse_fraction(
            number, name=_("--weights: the weight of {part}").format(part=part)
        )
    return tuple(out.items())
