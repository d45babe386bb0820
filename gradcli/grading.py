"""Checking answers: is a student's gradient (value, length, direction, …) right?

Equality is decided in this order, and every result says which way decided:

``symbolic``
    the answer is the expected expression, or their difference simplifies to
    0 within the simplify budget (real symbols; trig, log and power identities);
``numeric``
    the two agree, relative tolerance 1e-9, at random points of their common
    domain, drawn with a fixed seed; points where either is undefined are
    skipped, and when fewer than :data:`MIN_POINTS` remain the check says so
    instead of guessing;
``decimal``
    a decimal answer (``8.60`` for √74) agrees with the exact value to the
    significant figures written (at least 2), or within a relative 1e-3; an
    explicit tolerance replaces both rules.

A wrong answer is examined for typical mistakes, named from :data:`MISTAKES`.
Everything here is pure: text and sympy in, frozen dataclasses out. A batch of
answers goes through one :class:`Grader`, which parses and differentiates each
distinct problem once.
"""

from __future__ import annotations

import csv
import difflib
import functools
import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import sympy

from gradcli.budget import time_limit
from gradcli.calculus import (
    FunctionLike,
    GradientAt,
    as_function,
    evaluate,
    evaluate_gradient,
    partial_derivatives,
    point_values,
)
from gradcli.errors import (
    BudgetExceeded,
    DimensionError,
    ExitCode,
    GradcliError,
    InputError,
    ParseError,
    UndefinedError,
)
from gradcli.limits import Limits
from gradcli.parse import (
    Function,
    natural_key,
    parse_expression,
    parse_function,
    parse_point,
    parse_vector,
    split_top_level,
)
from gradcli.printing import decimal, to_text, to_unicode

# --------------------------------------------------------------------------
# The vocabulary

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

#: relative tolerance for symbolic answers compared at random points
NUMERIC_RTOL = 1e-9
#: relative tolerance for decimal answers, unless the precision written says more
DECIMAL_RTOL = 1e-3
#: fewest points of the common domain a numeric comparison needs
MIN_POINTS = 5

_KINDS = {"min": "local min", "max": "local max", "saddle": "saddle", "degenerate": "degenerate"}
_NO_DIRECTION = frozenset({"none", "undefined", "no direction", "dne", "n/a", "0"})


# --------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class Equality:
    """How an answer compared with the expected expression.

    ``equal`` is ``None`` when the check could not decide; ``detail`` says
    how it was decided, or why not, in one line.
    """

    equal: bool | None
    method: str | None
    detail: str


@dataclass(frozen=True)
class PartResult:
    """The verdict on one component of one part of an answer.

    ``component`` is the 0-based index of the component (row-major for the
    Hessian, the point's place for critical points), or ``None`` for a part
    that is one value or that failed as a whole. ``expected`` (sympy syntax)
    and ``expected_shown`` (unicode) are ``None`` unless revealed.
    ``position`` and ``hint`` locate an unreadable answer in ``given``.
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


@dataclass(frozen=True)
class Verdict:
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


@dataclass(frozen=True)
class RowResult:
    """The verdicts on one batch row (a row that failed has one ``row`` part)."""

    line: int
    id: str
    parts: tuple[PartResult, ...]

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


# --------------------------------------------------------------------------
# Public API


def check(
    f: FunctionLike,
    *,
    gradient: str | None = None,
    at: str | None = None,
    value: str | None = None,
    magnitude: str | None = None,
    direction: str | None = None,
    along: str | None = None,
    directional: str | None = None,
    hessian: str | None = None,
    critical: str | None = None,
    variables: Sequence[str] | None = None,
    tol: float | None = None,
    seed: int = 0,
    reveal: bool = False,
    limits: Limits | None = None,
) -> Verdict:
    """Check a student's answers about ``f``: each part, each component.

    Parameters
    ----------
    f : the function (text, read by gradcli's parser, or a parsed Function).
    gradient : ∇f, a vector such as ``"2x + y, x + 2y"`` or ``"<2x+y, x+2y>"``.
    at : the point for ``value``, ``magnitude``, ``direction``, ``directional``.
    value, magnitude, direction : ∇f at the point, its length, its unit vector.
    along, directional : a direction v, and the rate of change of f along it.
    hessian : the matrix of second partials, ``"[[2, 1], [1, 2]]"``.
    critical : critical points with optional kinds, ``"(0,0) min; (1,1) saddle"``.
    tol : relative tolerance for decimal answers (default: see module notes).
    seed : seed of the random points of the numeric comparison.
    reveal : include the expected answers in the result.

    >>> v = check("x^2 + y^2 + xy", gradient="y + 2x, 2y + x", at="1,3", magnitude="8.6")
    >>> v.correct, [(p.label, p.method) for p in v.parts]
    (True, [('∂f/∂x', 'symbolic'), ('∂f/∂y', 'symbolic'), ('|∇f(1, 3)|', 'decimal')])
    >>> v.parts[-1].message
    'correct to 2 significant figures'
    >>> check("x^2 + y^2 + xy", gradient="2x, 2y").parts[0].mistakes
    ('missing_term',)
    """
    limits = limits or Limits()
    answers = {
        name: text
        for name, text in (
            ("gradient", gradient),
            ("value", value),
            ("magnitude", magnitude),
            ("direction", direction),
            ("directional", directional),
            ("hessian", hessian),
            ("critical", critical),
        )
        if text is not None
    }
    if not answers:
        raise InputError("nothing to check: give an answer, such as --gradient or --value")
    needs_point = [name for name in answers if name in _NEEDS_POINT]
    if needs_point and at is None:
        raise InputError(f"--{needs_point[0]} needs the point: give --at too")
    if "directional" in answers and along is None:
        raise InputError("--directional needs the direction: give --along too")
    if along is not None and "directional" not in answers:
        raise InputError("--along is used only with --directional")
    grader = Grader(tol=tol, seed=seed, reveal=reveal, prefer=SYMBOLIC, limits=limits)
    function = as_function(f, variables=variables, limits=limits)
    problem = grader.prepare(function, at=at, along=along)
    parts = grader.grade_answers(problem, answers)
    return Verdict(
        function=function,
        parts=parts,
        point=problem.point,
        along=problem.along_vector,
        seed=seed,
        revealed=reveal,
        notes=function.notes,
    )


def equivalent(
    answer: sympy.Expr,
    expected: sympy.Expr,
    *,
    seed: int = 0,
    prefer: str = SYMBOLIC,
    limits: Limits | None = None,
) -> Equality:
    """Decide whether two expressions are equal: symbolically, else numerically.

    With ``prefer="numeric"`` (what a batch uses) the random points come first
    and simplification only settles what they cannot.

    >>> x = sympy.Symbol("x", real=True)
    >>> equivalent(2 * sympy.sin(x) * sympy.cos(x), sympy.sin(2 * x)).method
    'symbolic'
    >>> equivalent((x**2 - 1) / (x - 1), x + 1).detail
    'equal at 16 random points where both are defined; the answer is undefined where x - 1 = 0'
    """
    limits = limits or Limits()
    symbols = sorted(answer.free_symbols | expected.free_symbols, key=lambda s: natural_key(s.name))
    evaluator = _Evaluator(tuple(symbols), seed)
    return _decide(answer, expected, evaluator, prefer=prefer, limits=limits)


def significant_figures(literal: str) -> int | None:
    """Significant figures written in a decimal number; ``None`` if it is not one.

    Leading zeros do not count; trailing zeros after the point do. A whole
    number (``9``) is exact, not a decimal.

    >>> significant_figures("8.6"), significant_figures("8.60"), significant_figures("0.0050")
    (2, 3, 2)
    >>> significant_figures("9") is None
    True
    """
    match = _DECIMAL_LITERAL.fullmatch(literal.strip())
    if not match or ("." not in literal and "e" not in literal.lower()):
        return None
    digits = match.group("mantissa").replace(".", "").lstrip("0")
    return max(len(digits), 1)


@functools.lru_cache(maxsize=8192)
def decimal_verdict(literal: str, value: float, *, tol: float | None = None) -> tuple[bool, str]:
    """Whether a decimal answer is right for an exact ``value``, and how close.

    Without ``tol`` the answer is right when it is within relative
    :data:`DECIMAL_RTOL` of the value, or when it is the value correctly
    rounded to the significant figures written (at least 2). With ``tol`` it
    must be within that relative tolerance (absolute when the value is 0).

    >>> decimal_verdict("8.6", math.sqrt(74))
    (True, 'correct to 2 significant figures')
    >>> decimal_verdict("8.7", math.sqrt(74))
    (False, '8.7 is not correct to the 2 significant figures written')
    """
    figures = significant_figures(literal)
    if figures is None:
        raise InputError(f"{literal!r} is not a decimal number")
    given = float(_literal_fraction(literal))
    error = abs(given - value)
    if tol is None:
        half_unit = _last_place(literal) / 2
        ok = error <= DECIMAL_RTOL * abs(value) or (
            figures >= 2 and error <= half_unit * (1 + 1e-9)
        )
    else:
        ok = error <= (tol * abs(value) if value != 0 else tol)
    agree = _agreeing_figures(given, value, figures)
    if ok:
        if agree == 0:
            return True, f"correct within the relative tolerance {tol or DECIMAL_RTOL:g}"
        return True, f"correct to {_figures(agree)}"
    if tol is None and figures < 2 and agree == figures:
        return False, f"{literal.strip()} has too few significant figures: give at least 2"
    return False, f"{literal.strip()} is not correct to the {_figures(figures)} written"


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


def summarize(results: Iterable[RowResult]) -> BatchSummary:
    """Count a batch: rows all right, right answers per part, common mistakes."""
    rows = all_correct = with_wrong = unreadable = undecided = 0
    per_part: dict[str, list[int]] = {}
    mistakes: Counter[str] = Counter()
    for result in results:
        rows += 1
        verdicts = part_verdicts(result.parts)
        seen = {v for _, v in verdicts}
        if result.correct:
            all_correct += 1
        elif UNREADABLE in seen:
            unreadable += 1
        elif WRONG in seen:
            with_wrong += 1
        else:
            undecided += 1
        for part, verdict in verdicts:
            if part == "row":
                continue
            counts = per_part.setdefault(part, [0, 0])
            counts[0] += verdict == CORRECT
            counts[1] += 1
        for part in {p.part for p in result.parts}:
            mistakes.update({m for p in result.parts if p.part == part for m in p.mistakes})
    order = {name: i for i, name in enumerate(PARTS)}
    return BatchSummary(
        rows=rows,
        all_correct=all_correct,
        with_wrong=with_wrong,
        unreadable=unreadable,
        undecided=undecided,
        parts=tuple(
            (part, c[0], c[1]) for part, c in sorted(per_part.items(), key=lambda i: order[i[0]])
        ),
        mistakes=tuple(sorted(mistakes.items(), key=lambda item: (-item[1], item[0]))),
    )


# --------------------------------------------------------------------------
# Batch input: CSV or JSON Lines, one row per student answer

#: column names accepted for each field of a batch row
COLUMNS: Mapping[str, tuple[str, ...]] = {
    "id": ("id", "student", "student_id"),
    "expression": ("expression", "expr", "function", "f", "problem"),
    "vars": ("vars", "variables"),
    "at": ("at", "point"),
    "along": ("along",),
    **{part: (part,) for part in PARTS},
}
_COLUMN_OF = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}
_MAX_LINE = 1_000_000


class BatchReader:
    """Rows of a CSV (with a header) or JSON Lines batch, read lazily.

    The format is decided by the first non-blank line: ``{`` starts JSON
    Lines. A malformed line becomes a row with an ``error``, never an
    exception, so that every input row gets exactly one result. Columns that
    are not in :data:`COLUMNS` are listed in ``ignored``.

    >>> rows = list(BatchReader(["id,gradient", "ann,\\"2x, 2y\\""]))
    >>> rows[0].id, dict(rows[0].fields)
    ('ann', {'gradient': '2x, 2y'})
    """

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)
        self.ignored: list[str] = []
        self.columns: list[str] = []

    def __iter__(self) -> Iterator[BatchRow]:
        head: list[str] = []
        for line in self._lines:
            head.append(line)
            if line.strip():
                break
        source = itertools.chain(head, self._lines)
        if head and head[-1].lstrip().startswith("{"):
            return self._jsonl(source)
        return self._csv(source, _delimiter(head[-1] if head else ""))

    def _csv(self, source: Iterator[str], delimiter: str) -> Iterator[BatchRow]:
        counted = _Counted(source)
        reader = csv.reader(counted, delimiter=delimiter)
        header: list[str | None] | None = None
        while True:
            start = counted.count + 1
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                if header is None:
                    raise InputError(f"line {start}: not a CSV header: {error}") from None
                yield BatchRow(start, str(start), error=f"malformed CSV: {error}")
                continue
            if not record or all(not cell.strip() for cell in record):
                continue
            if header is None:
                header = self._header(record)
                continue
            if len(record) != len(header):
                hint = ' (quote answers that contain commas: "5,7")' * (len(record) > len(header))
                yield BatchRow(
                    start,
                    _row_id(record, header, start),
                    error=f"{_count(len(record), 'field')}, but the header has {len(header)}{hint}",
                )
                continue
            fields = tuple(
                (name, cell.strip()) for name, cell in zip(header, record) if name is not None
            )
            yield _row(start, fields)
        if header is None:
            raise InputError("the batch file is empty: it needs a header line and rows")

    def _header(self, record: list[str]) -> list[str | None]:
        names: list[str | None] = []
        for raw in record:
            key = re.sub(r"[\s\-]+", "_", raw.strip().lower())
            name = _COLUMN_OF.get(key)
            if name is None:
                self.ignored.append(raw.strip())
            elif name in names:
                raise InputError(f"the batch header names the column '{name}' twice")
            names.append(name)
        self.columns = [n for n in names if n is not None]
        if not any(n in PARTS for n in names):
            raise InputError(
                "the batch header has no answer columns: name them like the options "
                f"({', '.join(PARTS)})"
            )
        return names

    def _jsonl(self, source: Iterator[str]) -> Iterator[BatchRow]:
        for number, raw in enumerate(source, start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if len(line) > _MAX_LINE:
                yield BatchRow(number, str(number), error=f"a line longer than {_MAX_LINE:,}")
                continue
            try:
                record = json.loads(line)
            except (ValueError, RecursionError) as error:
                yield BatchRow(number, str(number), error=f"not JSON: {_first_line(error)}")
                continue
            if not isinstance(record, dict):
                yield BatchRow(number, str(number), error="each line must be a JSON object")
                continue
            fields: list[tuple[str, str]] = []
            problem = None
            for raw_key, raw_value in record.items():
                key = re.sub(r"[\s\-]+", "_", str(raw_key).strip().lower())
                name = _COLUMN_OF.get(key)
                if name is None:
                    if raw_key not in self.ignored:
                        self.ignored.append(str(raw_key))
                    continue
                text = _json_text(raw_value)
                if text is None:
                    problem = f"the value of '{raw_key}' must be text, a number or a list"
                    break
                fields.append((name, text))
            if problem:
                yield BatchRow(number, _json_id(record, number), error=problem)
                continue
            yield _row(number, tuple(fields))


class Grader:
    """Grades answers, parsing and differentiating each distinct problem once.

    ``expression``, ``variables``, ``at`` and ``along`` are the defaults a
    batch row's own columns override. ``prefer`` is ``"symbolic"`` (try
    simplification first, as a single check does) or ``"numeric"`` (random
    points first, simplification only where they cannot decide: the fast
    order for a batch).

    >>> grader = Grader(expression="x*y")
    >>> row = BatchRow(1, "ann", (("gradient", "y, x"),))
    >>> [p.verdict for p in grader.grade_row(row).parts]
    ['correct', 'correct']
    """

    def __init__(
        self,
        *,
        expression: str | None = None,
        variables: Sequence[str] | None = None,
        at: str | None = None,
        along: str | None = None,
        tol: float | None = None,
        seed: int = 0,
        reveal: bool = False,
        prefer: str = NUMERIC,
        limits: Limits | None = None,
    ) -> None:
        if tol is not None and not (isinstance(tol, (int, float)) and 0 < tol < 1):
            raise InputError(f"--tol must be a relative tolerance between 0 and 1, got {tol}")
        if prefer not in (SYMBOLIC, NUMERIC):
            raise InputError(f"prefer must be 'symbolic' or 'numeric', not {prefer!r}")
        self.expression = expression
        self.variables = tuple(variables) if variables else None
        self.at = at
        self.along = along
        self.tol = tol
        self.seed = seed
        self.reveal = reveal
        self.prefer = prefer
        self.limits = limits or Limits()
        self._problems: dict[tuple[Any, ...], _Problem | GradcliError] = {}
        self._answers: dict[tuple[Any, ...], tuple[PartResult, ...]] = {}

    def prepare(
        self, function: Function, *, at: str | None = None, along: str | None = None
    ) -> _Problem:
        """The problem for ``function``: its gradient, point, random points."""
        return _Problem(function, at=at, along=along, seed=self.seed, limits=self.limits)

    def grade_answers(
        self, problem: _Problem, answers: Mapping[str, str]
    ) -> tuple[PartResult, ...]:
        """Grade each given part of one answer to ``problem``."""
        context = _Context()
        out: list[PartResult] = []
        for part in PARTS:
            text = answers.get(part)
            if text is None:
                continue
            grade = getattr(self, f"_grade_{part}")
            try:
                out.extend(grade(problem, text, context))
            except BudgetExceeded as error:
                out.append(_failed(part, UNDECIDED, error.message, text))
            except (InputError, DimensionError) as error:
                out.append(_unreadable(part, text, error))
            except GradcliError as error:
                out.append(_failed(part, UNDECIDED, _describe(error), text))
        return tuple(out)

    def grade_row(self, row: BatchRow) -> RowResult:
        """Grade one batch row; every failure becomes a verdict, never an exception."""
        if row.error is not None:
            return row_failure(row, UNREADABLE, row.error)
        fields = dict(row.fields)
        expression = fields.get("expression") or self.expression
        if not expression:
            return row_failure(
                row, UNREADABLE, "no expression: give EXPR or an 'expression' column"
            )
        answers = {part: fields[part] for part in PARTS if fields.get(part)}
        if not answers:
            return row_failure(row, UNREADABLE, "no answers in this row")
        names = fields.get("vars")
        variables = tuple(n for n in re.split(r"[\s,]+", names) if n) if names else self.variables
        at = fields.get("at") or self.at
        along = fields.get("along") or self.along
        for part in answers:
            if part in _NEEDS_POINT and not at:
                return row_failure(row, UNREADABLE, f"{part} needs a point: an 'at' column or --at")
        if "directional" in answers and not along:
            return row_failure(
                row, UNREADABLE, "directional needs a direction: an 'along' column or --along"
            )
        key = (expression, variables, at, along)
        problem = self._problems.get(key)
        if problem is None:
            try:
                function = parse_function(expression, variables=variables, limits=self.limits)
                problem = self.prepare(function, at=at, along=along)
            except GradcliError as error:
                problem = error
            if len(self._problems) > 1000:
                self._problems.clear()
            if not isinstance(problem, BudgetExceeded):  # out of time may not be for good
                self._problems[key] = problem
        if isinstance(problem, GradcliError):
            verdict = UNREADABLE if isinstance(problem, InputError) else UNDECIDED
            return row_failure(row, verdict, f"the problem cannot be used: {_describe(problem)}")
        answer_key = (key, tuple(sorted(answers.items())))
        parts = self._answers.get(answer_key)
        if parts is None:
            parts = self.grade_answers(problem, answers)
            if len(self._answers) > 20_000:
                self._answers.clear()
            if all(p.verdict != UNDECIDED for p in parts):
                self._answers[answer_key] = parts
        return RowResult(line=row.line, id=row.id, parts=parts)

    # -- the parts

    def _decide(self, problem: _Problem, answer: sympy.Expr, expected: sympy.Expr) -> Equality:
        return _decide(answer, expected, problem.evaluator, prefer=self.prefer, limits=self.limits)

    def _shown(self, expr: Any) -> tuple[str | None, str | None]:
        if not self.reveal:
            return None, None
        if isinstance(expr, tuple):
            return (
                "(" + ", ".join(to_text(e) for e in expr) + ")",
                "(" + ", ".join(to_unicode(e) for e in expr) + ")",
            )
        return to_text(expr), to_unicode(expr)

    def _grade_gradient(self, problem: _Problem, text: str, context: _Context) -> list[PartResult]:
        entries = problem.read(text)
        n = len(problem.variables)
        labels = [f"∂f/∂{v}" for v in problem.shown]
        if len(entries) != n:
            return [self._wrong_length("gradient", "∇f", text, n, len(entries), problem.gradient)]
        context.gradient = tuple(e.expr for e in entries)
        # many texts are one expression once read (2x + 3y - 3y is 2x): grade it once
        key = ("gradient", tuple((e.expr, e.approximate) for e in entries))
        known = problem.graded.get(key)
        if known is not None:
            context.gradient_right = all(p.verdict == CORRECT for p in known)
            return [replace(p, given=e.text) for p, e in zip(known, entries)]
        decisions = [
            self._decide(problem, entry.expr, expected)
            for entry, expected in zip(entries, problem.gradient)
        ]
        context.gradient_right = all(d.equal for d in decisions)
        swapped = self._permutation(problem, entries, decisions, problem.gradient)
        out = []
        for i, (entry, decision) in enumerate(zip(entries, decisions)):
            shown = self._shown(problem.gradient[i])
            if decision.equal is not False:
                out.append(_decided("gradient", i, labels[i], entry, decision, shown))
                continue
            if i in swapped:
                j = swapped[i]
                found = [
                    ("swapped_components", f"this is {labels[j]} (the components are swapped)")
                ]
            else:
                found = _diagnose_symbolic(problem, entry, i, self.limits)
            out.append(_wrong("gradient", i, labels[i], entry, decision, found, shown))
        if len(problem.graded) > 10_000:
            problem.graded.clear()
        if all(p.verdict != UNDECIDED for p in out):
            problem.graded[key] = out
        return out

    def _permutation(
        self,
        problem: _Problem,
        entries: Sequence[_Entry],
        decisions: Sequence[Equality],
        expected: Sequence[sympy.Expr],
    ) -> dict[int, int]:
        """Wrong components that are another component, when all fit a reordering."""
        wrong = [i for i, d in enumerate(decisions) if d.equal is False]
        if len(expected) < 2 or not wrong:
            return {}
        mapping: dict[int, int] = {}
        for i in wrong:
            for j, target in enumerate(expected):
                if j != i and _same(problem, entries[i], target, self.tol):
                    mapping[i] = j
                    break
            else:
                return {}
        # the wrong components must be each other, reordered
        if set(mapping.values()) != set(mapping):
            return {}
        return mapping

    def _wrong_length(
        self, part: str, label: str, text: str, wanted: int, got: int, expected: Any
    ) -> PartResult:
        shown = self._shown(tuple(expected)) if expected is not None else (None, None)
        what = {
            "gradient": f"∇f has {_count(wanted, 'component')} (one per variable)",
            "value": f"∇f at the point has {_count(wanted, 'component')}",
            "direction": f"the direction has {_count(wanted, 'component')}",
        }.get(part, f"the answer should have {_count(wanted, 'component')}")
        return PartResult(
            part=part,
            component=None,
            label=label,
            verdict=WRONG,
            mistakes=("wrong_length",),
            message=f"{what}; the answer has {got}",
            given=text.strip(),
            expected=shown[0],
            expected_shown=shown[1],
        )

    def _grade_value(self, problem: _Problem, text: str, context: _Context) -> list[PartResult]:
        at = problem.at_result()
        entries = problem.read(text)
        where = problem.point_shown
        labels = [f"∂f/∂{v}({where})" for v in problem.shown]
        n = len(problem.variables)
        if len(entries) != n:
            return [self._wrong_length("value", f"∇f({where})", text, n, len(entries), at.value)]
        floats = at.value_float or (None,) * n
        context.value = tuple(e.expr for e in entries)
        decisions = [
            self._constant(problem, entry, exact, approx)
            for entry, exact, approx in zip(entries, at.value, floats)
        ]
        context.value_right = all(d.equal for d in decisions)
        if context.value_right:
            return [
                _decided("value", i, labels[i], entry, d, self._shown(at.value[i]))
                for i, (entry, d) in enumerate(zip(entries, decisions))
            ]
        whole = self._vector_mistakes(problem, entries, at.value, "value", context)
        out = []
        for i, (entry, decision) in enumerate(zip(entries, decisions)):
            shown = self._shown(at.value[i])
            if decision.equal is not False:
                out.append(_decided("value", i, labels[i], entry, decision, shown))
                continue
            found = whole or self._component_mistakes(problem, entry, i, at.value, labels)
            out.append(_wrong("value", i, labels[i], entry, decision, found, shown))
        return out

    def _component_mistakes(
        self,
        problem: _Problem,
        entry: _Entry,
        i: int,
        expected: Sequence[sympy.Expr],
        labels: Sequence[str],
    ) -> list[tuple[str, str]]:
        if problem.varies(entry):
            return [
                (
                    "not_evaluated",
                    f"this depends on the variables: evaluate it at ({problem.point_shown})",
                )
            ]
        target = expected[i]
        if target != 0 and _same(problem, entry, -target, self.tol):
            return [("sign_error", "the sign is wrong")]
        for j, other in enumerate(expected):
            if j != i and other != target and _same(problem, entry, other, self.tol):
                return [("wrong_variable", f"this is {labels[j]}")]
        factor = _simple_factor(entry, target)
        if factor is not None:
            return [("constant_factor", f"off by a factor of {factor}")]
        return []

    def _vector_mistakes(
        self,
        problem: _Problem,
        entries: Sequence[_Entry],
        expected: Sequence[sympy.Expr],
        part: str,
        context: _Context,
    ) -> list[tuple[str, str]]:
        """Mistakes that explain the whole vector at once."""
        n = len(expected)
        if any(problem.varies(e) for e in entries):
            return [
                (
                    "not_evaluated",
                    f"the answer depends on the variables: evaluate it at ({problem.point_shown})",
                )
            ]

        def fits(vector: Sequence[sympy.Expr] | None) -> bool:
            return vector is not None and all(
                _same(problem, entry, target, self.tol) for entry, target in zip(entries, vector)
            )

        if 1 < n <= 4:
            for order in itertools.permutations(range(n)):
                if list(order) != list(range(n)) and fits([expected[k] for k in order]):
                    return [("swapped_components", "the components are in the wrong order")]
        if any(t != 0 for t in expected) and fits([-t for t in expected]):
            if part == "direction":
                return [("sign_error", "this is the direction of steepest descent, −∇f/|∇f|")]
            return [("sign_error", "the signs are wrong")]
        if part == "direction":
            scale = _positive_multiple(entries, expected, self.tol)
            if scale is not None:
                return [
                    (
                        "not_normalized",
                        f"it points the right way but its length is {decimal(scale, 4)}, not 1: "
                        "divide by its length",
                    )
                ]
        carried = problem.carried_vector(
            context, use_value=part == "direction", unit=part == "direction"
        )
        if carried is not None and fits(carried[0]):
            return [("carried_error", f"this follows from your {carried[1]}, which is wrong")]
        for point, shown, vector in problem.wrong_points(part):
            if fits(vector):
                key = sympy.default_sort_key
                swapped = sorted(point, key=key) == sorted(problem.point or (), key=key)
                reason = ": the coordinates are swapped" if swapped else ""
                return [
                    (
                        "wrong_point",
                        f"this is the value at ({shown}), not at ({problem.point_shown}){reason}",
                    )
                ]
        return []

    def _constant(
        self, problem: _Problem, entry: _Entry, exact: sympy.Expr, approx: float | None
    ) -> Equality:
        """Compare an answer with an exact value at the point."""
        if problem.varies(entry):
            return Equality(False, None, "")
        if exact.free_symbols or entry.expr.free_symbols:
            return self._decide(problem, entry.expr, exact)
        return _constant_equality(entry, exact, approx, tol=self.tol, limits=self.limits)

    def _scalar(
        self,
        problem: _Problem,
        part: str,
        label: str,
        text: str,
        exact: sympy.Expr,
        approx: float | None,
        candidates: Callable[[], Iterator[tuple[str, str, sympy.Expr]]],
    ) -> list[PartResult]:
        entries = problem.read(text)
        shown = self._shown(exact)
        if len(entries) != 1:
            return [
                PartResult(
                    part=part,
                    component=None,
                    label=label,
                    verdict=WRONG,
                    mistakes=("wrong_length",),
                    message=f"the {part} is one number; the answer has {len(entries)} components",
                    given=text.strip(),
                    expected=shown[0],
                    expected_shown=shown[1],
                )
            ]
        entry = entries[0]
        decision = self._constant(problem, entry, exact, approx)
        if decision.equal is not False:
            return [_decided(part, None, label, entry, decision, shown)]
        found: list[tuple[str, str]] = []
        if problem.varies(entry):
            found = [
                (
                    "not_evaluated",
                    f"this depends on the variables: evaluate it at ({problem.point_shown})",
                )
            ]
        else:
            for mistake, message, target in candidates():
                if _same(problem, entry, target, self.tol):
                    found = [(mistake, message)]
                    break
        return [_wrong(part, None, label, entry, decision, found, shown)]

    def _grade_magnitude(self, problem: _Problem, text: str, context: _Context) -> list[PartResult]:
        at = problem.at_result()

        def candidates() -> Iterator[tuple[str, str, sympy.Expr]]:
            squared = sympy.Add(*(v**2 for v in at.value))
            yield ("magnitude_squared", "this is |∇f|²: take the square root", squared)
            yield ("sign_error", "a magnitude is never negative", -at.magnitude)
            carried = problem.carried_vector(context, use_value=True)
            if carried is not None:
                norm = sympy.sqrt(sympy.Add(*(c**2 for c in carried[0])))
                message = f"this is the length of your {carried[1]}, which is wrong"
                yield ("carried_error", message, norm)
            for _, shown, vector in problem.wrong_points("value"):
                norm = sympy.sqrt(sympy.Add(*(c**2 for c in vector)))
                message = f"this is |∇f| at ({shown}), not at ({problem.point_shown})"
                yield ("wrong_point", message, norm)

        label = f"|∇f({problem.point_shown})|"
        return self._scalar(
            problem, "magnitude", label, text, at.magnitude, at.magnitude_float, candidates
        )

    def _grade_direction(self, problem: _Problem, text: str, context: _Context) -> list[PartResult]:
        at = problem.at_result()
        label = f"û({problem.point_shown})"
        if at.direction is None:
            given = text.strip()
            none = given.lower().strip("()[]<> ") in _NO_DIRECTION or _all_zero(
                given, problem, self.limits
            )
            message = f"∇f = 0 at ({problem.point_shown}): there is no direction of steepest ascent"
            return [
                PartResult(
                    part="direction",
                    component=None,
                    label=label,
                    verdict=CORRECT if none else WRONG,
                    method=SYMBOLIC,
                    message=message if not none else "∇f = 0 here: no direction, as you said",
                    given=given,
                    expected="none" if self.reveal else None,
                    expected_shown="none" if self.reveal else None,
                )
            ]
        entries = problem.read(text)
        n = len(problem.variables)
        if len(entries) != n:
            return [self._wrong_length("direction", label, text, n, len(entries), at.direction)]
        floats = at.direction_float or (None,) * n
        decisions = [
            self._constant(problem, entry, exact, approx)
            for entry, exact, approx in zip(entries, at.direction, floats)
        ]
        labels = [f"û_{v}" for v in problem.shown]
        whole: list[tuple[str, str]] = []
        if not all(d.equal for d in decisions):
            whole = self._vector_mistakes(problem, entries, at.direction, "direction", context)
        out = []
        for i, (entry, decision) in enumerate(zip(entries, decisions)):
            shown = self._shown(at.direction[i])
            if decision.equal is not False:
                out.append(_decided("direction", i, labels[i], entry, decision, shown))
            else:
                out.append(_wrong("direction", i, labels[i], entry, decision, whole, shown))
        return out

    def _grade_directional(
        self, problem: _Problem, text: str, context: _Context
    ) -> list[PartResult]:
        at = problem.at_result()
        d = at.directional
        assert d is not None
        along = problem.along_vector or ()
        length = sympy.sqrt(sympy.Add(*(c**2 for c in along)))

        def candidates() -> Iterator[tuple[str, str, sympy.Expr]]:
            raw = sympy.Add(*(g * c for g, c in zip(at.value, along)))
            if length != 1:
                message = f"v was not normalised: divide ∇f·v by |v| = {to_unicode(length)}"
                yield ("not_normalized", message, raw)
            yield ("sign_error", "the sign is wrong", -d.derivative)
            if at.magnitude != d.derivative:
                message = "this is |∇f|, the largest rate of change; the rate along v is ∇f·v/|v|"
                yield ("max_rate", message, at.magnitude)
            carried = problem.carried_vector(context, use_value=True)
            if carried is not None:
                rate = sympy.Add(*(g * c for g, c in zip(carried[0], along))) / length
                yield (
                    "carried_error",
                    f"this follows from your {carried[1]}, which is wrong",
                    rate,
                )
            for _, shown, vector in problem.wrong_points("value"):
                rate = sympy.Add(*(g * c for g, c in zip(vector, along))) / length
                message = f"this is the rate at ({shown}), not at ({problem.point_shown})"
                yield ("wrong_point", message, rate)

        label = f"D_v f({problem.point_shown})"
        return self._scalar(
            problem, "directional", label, text, d.derivative, d.derivative_float, candidates
        )

    def _grade_hessian(self, problem: _Problem, text: str, context: _Context) -> list[PartResult]:
        rows = _read_matrix(text, problem, self.limits)
        n = len(problem.variables)
        matrix = problem.hessian()
        flat_expected = [entry for row in matrix for entry in row]
        if len(rows) != n or any(len(row) != n for row in rows):
            shape = f"{len(rows)}×{len(rows[0]) if rows else 0}"
            if len({len(row) for row in rows}) > 1:
                shape = f"{len(rows)} rows of different lengths"
            shown = self._shown(tuple(flat_expected))
            return [
                PartResult(
                    part="hessian",
                    component=None,
                    label="H",
                    verdict=WRONG,
                    mistakes=("wrong_length",),
                    message=f"the Hessian of a function of {_count(n, 'variable')} is {n}×{n}; "
                    f"the answer is {shape}",
                    given=text.strip(),
                    expected=shown[0],
                    expected_shown=shown[1],
                )
            ]
        entries = [entry for row in rows for entry in row]
        names = problem.shown
        labels = [
            f"∂²f/∂{names[i]}²" if i == j else f"∂²f/∂{names[i]}∂{names[j]}"
            for i in range(n)
            for j in range(n)
        ]
        at_point = problem.point is not None and all(not problem.varies(e) for e in entries)
        if at_point and any(e.free_symbols & set(problem.variables) for e in flat_expected):
            targets, floats = problem.hessian_at()
            labels = [f"{label}({problem.point_shown})" for label in labels]
        else:
            targets, floats = list(flat_expected), [None] * len(flat_expected)
        out = []
        for k, entry in enumerate(entries):
            target = targets[k]
            shown = self._shown(target)
            if target.free_symbols or entry.expr.free_symbols:
                decision = self._decide(problem, entry.expr, target)
            else:
                decision = _constant_equality(
                    entry, target, floats[k], tol=self.tol, limits=self.limits
                )
            if decision.equal is not False:
                out.append(_decided("hessian", k, labels[k], entry, decision, shown))
                continue
            found = self._hessian_mistakes(problem, entry, k, targets, labels)
            out.append(_wrong("hessian", k, labels[k], entry, decision, found, shown))
        return out

    def _hessian_mistakes(
        self,
        problem: _Problem,
        entry: _Entry,
        k: int,
        targets: Sequence[sympy.Expr],
        labels: Sequence[str],
    ) -> list[tuple[str, str]]:
        n = len(problem.variables)
        i, j = divmod(k, n)
        target = targets[k]
        if target != 0 and _same(problem, entry, -target, self.tol):
            return [("sign_error", "the sign is wrong")]
        for other, expr in enumerate(targets):
            if expr != target and _same(problem, entry, expr, self.tol):
                return [("wrong_variable", f"this is {labels[other]}")]
        if target.free_symbols:
            ratio = problem.evaluator.ratio(entry.expr, target)
            if ratio is not None and ratio != 1:
                return [("constant_factor", f"off by a factor of {_fraction_text(ratio)}")]
            for g in {problem.gradient[i], problem.gradient[j]}:
                if _same(problem, entry, g, self.tol):
                    return [("", "this is a first derivative: differentiate it once more")]
        else:
            factor = _simple_factor(entry, target)
            if factor is not None:
                return [("constant_factor", f"off by a factor of {factor}")]
        return []

    def _grade_critical(self, problem: _Problem, text: str, context: _Context) -> list[PartResult]:
        given = _read_critical(text, problem, self.limits)
        found = problem.critical()
        matched: set[int] = set()
        out: list[PartResult] = []
        for index, (point, kind, item) in enumerate(given):
            label = f"({_shown_point(point)})"
            match = None
            for k, candidate in enumerate(found.points):
                if k not in matched and _same_point(point, candidate, self.tol):
                    match = k
                    break
            if match is None:
                gradient = problem.gradient_at(point)
                why = (
                    f"∇f there is ({_shown_point(gradient)}), not 0"
                    if gradient is not None
                    else "∇f is undefined there"
                )
                out.append(
                    PartResult(
                        part="critical",
                        component=index,
                        label=label,
                        verdict=WRONG,
                        method=SYMBOLIC if gradient is not None else None,
                        mistakes=("extra_point",),
                        message=f"not a critical point: {why}",
                        given=item,
                    )
                )
                continue
            matched.add(match)
            candidate = found.points[match]
            shown: tuple[str | None, str | None] = (None, None)
            if self.reveal:
                expected = f"({_shown_point(candidate.exact or candidate.floats)}) {candidate.kind}"
                shown = (expected, expected)
            if _approximate_text(item):
                method = DECIMAL
            else:
                method = SYMBOLIC if candidate.exact is not None else NUMERIC
            if kind is not None and kind != candidate.kind:
                out.append(
                    PartResult(
                        part="critical",
                        component=index,
                        label=label,
                        verdict=WRONG,
                        method=method,
                        mistakes=("wrong_kind",),
                        message=f"a critical point, but not a {kind}",
                        given=item,
                        expected=shown[0],
                        expected_shown=shown[1],
                    )
                )
                continue
            message = "a critical point" + (f", a {kind}" if kind else "")
            if kind is None and candidate.kind:
                message += " (its kind was not given)"
            out.append(
                PartResult(
                    part="critical",
                    component=index,
                    label=label,
                    verdict=CORRECT,
                    method=method,
                    message=message,
                    given=item,
                    expected=shown[0],
                    expected_shown=shown[1],
                )
            )
        missing = [c for k, c in enumerate(found.points) if k not in matched]
        if missing:
            listed: str | None = None
            if self.reveal:
                listed = "; ".join(
                    f"({_shown_point(c.exact or c.floats)}) {c.kind}" for c in missing
                )
            noun = "critical point is" if len(missing) == 1 else "critical points are"
            out.append(
                PartResult(
                    part="critical",
                    component=None,
                    label="all found",
                    verdict=WRONG,
                    mistakes=("missing_point",),
                    message=f"{len(missing)} {noun} missing",
                    given=text.strip(),
                    expected=listed,
                    expected_shown=listed,
                )
            )
        elif not given and not found.points:
            out.append(
                PartResult(
                    part="critical",
                    component=None,
                    label="all found",
                    verdict=CORRECT,
                    method=SYMBOLIC,
                    message="f has no critical points"
                    + ("" if found.complete else " that were found"),
                    given=text.strip(),
                )
            )
        if found.note and out:
            out[-1] = replace(out[-1], message=f"{out[-1].message} ({found.note})")
        return out


# --------------------------------------------------------------------------
# Problems: one function (and point), prepared once for many answers

_NEEDS_POINT = frozenset({"value", "magnitude", "direction", "directional"})


@dataclass
class _Context:
    """What earlier parts of the same answer said, for carried errors."""

    gradient: tuple[sympy.Expr, ...] | None = None
    gradient_right: bool = True
    value: tuple[sympy.Expr, ...] | None = None
    value_right: bool = True


@dataclass(frozen=True)
class _Critical:
    exact: tuple[sympy.Expr, ...] | None
    floats: tuple[float, ...]
    kind: str


@dataclass(frozen=True)
class _CriticalSet:
    points: tuple[_Critical, ...]
    complete: bool
    note: str = ""


class _Problem:
    """A function, its gradient, the point, and cached work for its answers."""

    def __init__(
        self,
        function: Function,
        *,
        at: str | None,
        along: str | None,
        seed: int,
        limits: Limits,
    ) -> None:
        self.function = function
        self.variables = function.variables
        self.symbols = (*function.variables, *function.parameters)
        self.names = [s.name for s in self.symbols]
        #: the variables as shown to people
        self.shown = [to_unicode(v) for v in self.variables]
        self.limits = limits
        self.seed = seed
        self.gradient = partial_derivatives(function.expr, function.variables)
        self.evaluator = _Evaluator(self.symbols, seed)
        self.at_text = at
        self.along_text = along
        self.values = point_values(function, at, limits=limits) if at is not None else None
        self.point = (
            tuple(self.values[v] for v in self.variables) if self.values is not None else None
        )
        self.point_shown = _shown_point(self.point) if self.point is not None else ""
        self.along_vector: tuple[sympy.Expr, ...] | None = None
        if along is not None:
            self.along_vector = parse_vector(along, limits=limits)
        self._cache: dict[Any, Any] = {}
        self._read: dict[str, list[_Entry] | GradcliError] = {}
        #: results of a part for answers that read as the same expressions
        self.graded: dict[Any, list[PartResult]] = {}

    def _memo(self, key: Any, make: Callable[[], Any]) -> Any:
        if key not in self._cache:
            try:
                self._cache[key] = make()
            except BudgetExceeded:
                raise
            except GradcliError as error:
                self._cache[key] = error
        value = self._cache[key]
        if isinstance(value, GradcliError):
            raise value
        return value

    def varies(self, entry: _Entry) -> bool:
        """Whether an answer depends on the variables (parameters may remain)."""
        return not entry.free.isdisjoint(self.variables)

    def read(self, text: str) -> list[_Entry]:
        """An answer's components, read once per distinct text."""
        if len(self._read) > 10_000:
            self._read.clear()
        found = self._read.get(text)
        if found is None:
            try:
                found = _read_vector(text, self, self.limits)
            except BudgetExceeded:
                raise
            except GradcliError as error:
                found = error
            self._read[text] = found
        if isinstance(found, GradcliError):
            raise found
        return found

    def at_result(self) -> GradientAt:
        """∇f at the point: value, magnitude, direction, directional derivative."""
        at_text = self.at_text
        if at_text is None:
            raise InputError("this part needs a point: give --at")
        return self._memo(
            "at",
            lambda: evaluate_gradient(
                self.function,
                self.gradient,
                at_text,
                along=self.along_text,
                limits=self.limits,
            ),
        )

    def gradient_at(self, point: Sequence[sympy.Expr]) -> tuple[sympy.Expr, ...] | None:
        """∇f at another point, or ``None`` where it is undefined."""
        values = dict(zip(self.variables, point))
        if self.values:
            values.update({p: v for p, v in self.values.items() if p not in self.variables})
        out = []
        for component in self.gradient:
            try:
                exact, _ = evaluate(component, values, limits=self.limits)
            except UndefinedError:
                return None
            out.append(exact)
        return tuple(out)

    def wrong_points(
        self, part: str
    ) -> list[tuple[tuple[sympy.Expr, ...], str, tuple[sympy.Expr, ...]]]:
        """Nearby mistakes for the point: swapped or negated coordinates.

        Each is the point, as shown, with ∇f there (or its unit vector).
        """

        def make() -> list[tuple[tuple[sympy.Expr, ...], str, tuple[sympy.Expr, ...]]]:
            point = self.point or ()
            n = len(point)
            tried: list[tuple[sympy.Expr, ...]] = []
            orders = itertools.permutations(range(n)) if n <= 3 else iter([tuple(range(n))])
            for order in orders:
                tried.append(tuple(point[k] for k in order))
            tried.append(tuple(-c for c in point))
            for k in range(n):
                tried.append(tuple(-c if m == k else c for m, c in enumerate(point)))
            out = []
            seen = {point}
            for candidate in tried:
                if candidate in seen:
                    continue
                seen.add(candidate)
                value = self.gradient_at(candidate)
                if value is None:
                    continue
                if part == "direction":
                    norm = sympy.sqrt(sympy.Add(*(v**2 for v in value)))
                    if norm == 0:
                        continue
                    value = tuple(sympy.radsimp(v / norm) for v in value)
                out.append((candidate, _shown_point(candidate), value))
            return out[:12]

        return self._memo(("wrong points", part), make)

    def carried_vector(
        self, context: _Context, *, use_value: bool, unit: bool = False
    ) -> tuple[tuple[sympy.Expr, ...], str] | None:
        """What the student's own earlier wrong answer gives, and which answer that was.

        The value at the point comes from their ``value`` when ``use_value`` and
        it was wrong, else from their wrong gradient evaluated at the point.
        """
        vector: tuple[sympy.Expr, ...] | None = None
        source = ""
        if use_value and context.value is not None and not context.value_right:
            vector, source = context.value, "value of ∇f"
        elif context.gradient is not None and not context.gradient_right and self.values:
            floats = self.evaluator.at(context.gradient, self.values)
            if floats is None:
                return None
            vector = tuple(sympy.Float(v) for v in floats)
            source = "gradient at the point"
        if vector is None or any(v.free_symbols & set(self.variables) for v in vector):
            return None
        if unit:
            norm = sympy.sqrt(sympy.Add(*(v**2 for v in vector)))
            if norm == 0:
                return None
            vector = tuple(sympy.radsimp(v / norm) for v in vector)
        return vector, source

    def hessian(self) -> tuple[tuple[sympy.Expr, ...], ...]:
        return self._memo(
            "hessian",
            lambda: tuple(tuple(sympy.diff(g, v) for v in self.variables) for g in self.gradient),
        )

    def hessian_at(self) -> tuple[list[sympy.Expr], list[float | None]]:
        def make() -> tuple[list[sympy.Expr], list[float | None]]:
            assert self.values is not None
            exact: list[sympy.Expr] = []
            floats: list[float | None] = []
            for row in self.hessian():
                for entry in row:
                    e, f = evaluate(
                        entry,
                        self.values,
                        what="the Hessian is {} at the point",
                        limits=self.limits,
                    )
                    exact.append(e)
                    floats.append(f)
            return exact, floats

        return self._memo("hessian at", make)

    def terms(self, i: int) -> list[tuple[sympy.Expr, sympy.Expr, str, str]]:
        """Each term of f with its derivative by x_i, and both as shown to people."""

        def make() -> list[tuple[sympy.Expr, sympy.Expr, str, str]]:
            expr = self.function.expr
            terms = expr.args if isinstance(expr, sympy.Add) else (expr,)
            out = []
            for term in terms:
                derivative = sympy.diff(term, self.variables[i])
                out.append((term, derivative, to_unicode(term), to_unicode(derivative)))
            return out

        return self._memo(("terms", i), make)

    def chain_candidates(self, i: int) -> list[tuple[sympy.Expr, sympy.Expr, sympy.Expr]]:
        """For each composite F(u) in f: ∂f/∂x_i with the inner derivative ∂u/∂x_i dropped."""

        def make() -> list[tuple[sympy.Expr, sympy.Expr, sympy.Expr]]:
            x = self.variables[i]
            expr = self.function.expr
            out = []
            seen = set()
            for node in sympy.preorder_traversal(expr):
                inner = _inner(node)
                if inner is None or not inner.has(x) or node in seen:
                    continue
                seen.add(node)
                inner_derivative = sympy.diff(inner, x)
                if inner_derivative == 1:
                    continue
                dummy = sympy.Dummy("s")
                outer = node.xreplace({inner: dummy})
                replaced = expr.xreplace({node: dummy})
                derivative_outer = sympy.diff(outer, dummy).xreplace({dummy: inner})
                candidate = (
                    sympy.diff(replaced, x).xreplace({dummy: node})
                    + sympy.diff(replaced, dummy).xreplace({dummy: node}) * derivative_outer
                )
                out.append((node, inner_derivative, candidate))
                if len(out) >= 12:
                    break
            return out

        return self._memo(("chain", i), make)

    def critical(self) -> _CriticalSet:
        return self._memo("critical", self._find_critical)

    def _find_critical(self) -> _CriticalSet:
        if self.function.parameters:
            names = ", ".join(p.name for p in self.function.parameters)
            raise InputError(f"f has parameters ({names}): critical points need their values")
        budget = max(1.0, min(5.0, self.limits.timeout / 2))
        try:
            from gradcli.critical import critical_points
        except ImportError:  # pragma: no cover - the module is part of gradcli
            return self._solve_critical(budget)
        result = critical_points(
            self.function.expr, self.variables, time_budget=budget, seed=self.seed
        )
        points = tuple(
            _Critical(exact=p.point, floats=tuple(float(c) for c in p.point_float), kind=p.kind)
            for p in result.points
        )
        note = ""
        if result.sets:
            note = (
                "f also has infinitely many critical points on curves or surfaces; "
                "only the isolated ones are checked"
            )
        elif not result.complete:
            note = "the search for critical points may be incomplete"
        return _CriticalSet(points=points, complete=bool(result.complete), note=note)

    def _solve_critical(self, budget: float) -> _CriticalSet:
        with time_limit(budget, "solving ∇f = 0"):
            solutions = sympy.solve(list(self.gradient), list(self.variables), dict=True)
        points = []
        matrix = sympy.Matrix(self.hessian())
        for solution in solutions:
            point = tuple(solution.get(v, v) for v in self.variables)
            if any(c.free_symbols or not c.is_real for c in point):
                continue
            at = matrix.xreplace(dict(zip(self.variables, point)))
            eigen = [float(sympy.re(e)) for e in at.evalf().eigenvals(multiple=True)]
            if all(e > 1e-12 for e in eigen):
                kind = "local min"
            elif all(e < -1e-12 for e in eigen):
                kind = "local max"
            elif any(e > 1e-12 for e in eigen) and any(e < -1e-12 for e in eigen):
                kind = "saddle"
            else:
                kind = "degenerate"
            points.append(_Critical(point, tuple(float(c) for c in point), kind))
        return _CriticalSet(points=tuple(points), complete=True)


def _inner(node: sympy.Basic) -> sympy.Expr | None:
    """The inner function u of a composite F(u), when u is not a bare symbol."""
    if isinstance(node, sympy.Function) and len(node.args) == 1:
        inner = node.args[0]
    elif isinstance(node, sympy.Pow) and not node.exp.free_symbols:
        inner = node.base
    elif isinstance(node, sympy.Pow) and node.base is sympy.E:
        inner = node.exp
    else:
        return None
    if inner.is_Symbol or not inner.free_symbols:
        return None
    return inner


# --------------------------------------------------------------------------
# Reading answers


@dataclass(frozen=True)
class _Entry:
    """One component of an answer, as read."""

    expr: sympy.Expr
    text: str
    #: the decimal number written, when the component is just that
    literal: str | None = None
    #: a number with a decimal point or exponent appears in it
    approximate: bool = False
    #: its float, when it is a constant
    value: float | None = None
    #: its free symbols
    free: frozenset[sympy.Symbol] = frozenset()


_DECIMAL_LITERAL = re.compile(
    r"[+\-−]?\s*(?P<mantissa>\d+\.?\d*|\.\d+)(?P<exponent>[eE][+\-−]?\d+)?"
)
_APPROXIMATE = re.compile(r"\d\.|\.\d|\d[eE][+\-−]?\d")


def _approximate_text(text: str) -> bool:
    return bool(_APPROXIMATE.search(text))


def _literal_fraction(literal: str) -> Fraction:
    return Fraction(literal.strip().replace("−", "-").replace(" ", ""))


def _last_place(literal: str) -> float:
    """The place value of the last digit written: 0.01 for 8.60."""
    match = _DECIMAL_LITERAL.fullmatch(literal.strip())
    assert match is not None
    mantissa = match.group("mantissa")
    exponent = int(match.group("exponent")[1:].replace("−", "-")) if match.group("exponent") else 0
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return 10.0 ** (exponent - decimals)


def _agreeing_figures(given: float, value: float, cap: int) -> int:
    """The most significant figures (up to ``cap``) to which ``given`` is right."""
    if given == value:
        return cap
    reference = abs(given) if given != 0 else abs(value)
    if reference == 0 or not math.isfinite(reference):
        return 0
    leading = math.floor(math.log10(reference))
    error = abs(given - value)
    best = 0
    for figures in range(1, cap + 1):
        if error <= 0.5 * 10.0 ** (leading - figures + 1) * (1 + 1e-9):
            best = figures
        else:
            break
    return best


def _figures(n: int) -> str:
    return f"{n} significant figure" + ("" if n == 1 else "s")


def _entry(expr: sympy.Expr, text: str) -> _Entry:
    stripped = text.strip()
    approximate = _approximate_text(stripped)
    literal = stripped if approximate and significant_figures(stripped) is not None else None
    free = frozenset(expr.free_symbols)
    value = None if free else _to_float(expr)
    return _Entry(
        expr=expr, text=stripped, literal=literal, approximate=approximate, value=value, free=free
    )


def _read_vector(text: str, problem: _Problem, limits: Limits) -> list[_Entry]:
    """Components of a vector answer: ``(a, b)``, ``<a, b>``, ``a, b``, ``(a, b)/c``."""
    try:
        exprs = parse_vector(text, variables=problem.names, limits=limits)
    except ParseError:
        scaled = _scaled_vector(text, problem, limits)
        if scaled is None:
            raise
        entries = scaled
    else:
        parts = _component_texts(text)
        if len(parts) != len(exprs):
            parts = [to_text(e) for e in exprs]
        entries = [_entry(e, t) for e, t in zip(exprs, parts)]
    _check_symbols(entries, text, problem)
    return entries


def _component_texts(text: str) -> list[str]:
    stripped = text.strip()
    if len(stripped) >= 2 and (stripped[0], stripped[-1]) in {("(", ")"), ("[", "]"), ("<", ">")}:
        inner = stripped[1:-1]
        parts = split_top_level(inner)
        if stripped[0] == "<" or len(parts) > 1:
            return [p for p, _ in parts]
    return [p for p, _ in split_top_level(text)]


def _scaled_vector(text: str, problem: _Problem, limits: Limits) -> list[_Entry] | None:
    """``(5, 7)/sqrt(74)`` or ``1/sqrt(74) (5, 7)``: a scalar times a vector."""
    group = _vector_group(text)
    if group is None:
        return None
    start, end = group
    prefix, inner, suffix = text[:start], text[start + 1 : end], text[end + 1 :]
    before = prefix.strip()
    after = suffix.strip()
    if not before and not after:
        return None
    if before and not (before in "+-−" or before[-1] in "*·×)" or before[-1].isalnum()):
        return None
    if after and after[0] not in "/*·×÷":
        return None
    scalar_text = prefix + "(1)" + suffix
    try:
        scalar = parse_expression(scalar_text, variables=problem.names, limits=limits)
    except GradcliError as error:
        position = error.position
        if position is not None and position >= len(prefix) + 3:
            position += (end + 1 - start) - 3
        elif position is not None and position >= len(prefix):
            position = start
        raise type(error)(error.message, text=text, position=position, hint=error.hint) from None
    try:
        exprs = parse_vector(inner, variables=problem.names, limits=limits)
    except GradcliError as error:
        position = None if error.position is None else error.position + start + 1
        raise type(error)(error.message, text=text, position=position, hint=error.hint) from None
    parts = [p for p, _ in split_top_level(inner)]
    if len(parts) != len(exprs):
        parts = [to_text(e) for e in exprs]
    out = []
    for expr, part in zip(exprs, parts):
        shown = f"{prefix.strip()}({part.strip()}){suffix.strip()}"
        entry = _entry(sympy.Mul(scalar, expr), shown)
        out.append(
            _Entry(
                expr=entry.expr,
                text=shown,
                literal=None,
                approximate=entry.approximate,
                value=entry.value,
                free=entry.free,
            )
        )
    return out


def _vector_group(text: str) -> tuple[int, int] | None:
    """The first bracketed group at the top level that holds a comma."""
    depth = 0
    i = 0
    pairs = {"(": ")", "[": "]", "<": ">"}
    while i < len(text):
        ch = text[i]
        if (ch in "([" and depth == 0) or ch == "<":
            close = pairs[ch]
            level = 0
            for j in range(i, len(text)):
                if text[j] == ch:
                    level += 1
                elif text[j] == close:
                    level -= 1
                    if level == 0:
                        if ch == "<" or len(split_top_level(text[i + 1 : j])) > 1:
                            return i, j
                        break
            depth += 1 if ch in "([" else 0
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        i += 1
    return None


def _read_matrix(text: str, problem: _Problem, limits: Limits) -> list[list[_Entry]]:
    """Rows of a matrix: ``[[a, b], [c, d]]``, ``[a, b], [c, d]`` or ``a, b; c, d``."""
    stripped = text.strip()
    offset = len(text) - len(text.lstrip())
    rows: list[tuple[str, int]]
    if split_top_level(stripped, ";") and len(split_top_level(stripped, ";")) > 1:
        rows = split_top_level(stripped, ";")
    else:
        if (
            len(stripped) >= 2
            and stripped[0] in "[("
            and stripped[1:].lstrip()[:1] in ("[", "(")
            and _closes_at_end(stripped)
        ):
            stripped = stripped[1:-1]
            offset += 1
        rows = split_top_level(stripped)
        if len(problem.variables) == 1 and len(rows) == 1:
            pass
        elif not all(r.strip()[:1] in ("[", "(") for r, _ in rows):
            raise ParseError(
                "write the Hessian as rows, such as [[2, 1], [1, 2]] or 2, 1; 1, 2",
                text=text,
                position=None,
            )
    out = []
    for row_text, start in rows:
        try:
            exprs = parse_vector(row_text, variables=problem.names, limits=limits)
        except GradcliError as error:
            position = None if error.position is None else error.position + offset + start
            raise type(error)(
                error.message, text=text, position=position, hint=error.hint
            ) from None
        parts = _component_texts(row_text)
        if len(parts) != len(exprs):
            parts = [to_text(e) for e in exprs]
        entries = [_entry(e, t) for e, t in zip(exprs, parts)]
        _check_symbols(entries, text, problem)
        out.append(entries)
    return out


def _closes_at_end(text: str) -> bool:
    depth = 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return i == len(text) - 1
    return False


_KIND_WORDS = re.compile(
    r"\s*(?:(?:local|relative|rel\.?)\s+)?"
    r"(?P<kind>minimum|min|maximum|max|saddle(?:\s+point)?|degenerate|inconclusive)\s*$",
    re.IGNORECASE,
)


def _read_critical(
    text: str, problem: _Problem, limits: Limits
) -> list[tuple[tuple[sympy.Expr, ...], str | None, str]]:
    """Points with optional kinds: ``(0,0) min; (1,1) saddle``, or ``none``."""
    stripped = text.strip()
    if stripped.lower() in ("none", "no critical points", "{}", "[]", "()"):
        return []
    items = split_top_level(text, ";")
    if len(items) == 1:
        items = split_top_level(text, ",")
        if len(problem.variables) > 1 and not all(item.strip()[:1] in "([<" for item, _ in items):
            items = [(text, 0)]
    out = []
    for item, start in items:
        match = _KIND_WORDS.search(item)
        kind = None
        point_text = item
        if match:
            word = match.group("kind").lower()
            kind = _KINDS.get(word[:3] if word[:3] in ("min", "max") else word.split()[0])
            if word == "inconclusive":
                kind = "degenerate"
            point_text = item[: match.start()]
        if not point_text.strip():
            raise ParseError("a kind without a point", text=text, position=start)
        try:
            values = parse_point(point_text, problem.function, limits=limits)
        except DimensionError:
            raise
        except GradcliError as error:
            position = None if error.position is None else error.position + start
            raise type(error)(
                error.message, text=text, position=position, hint=error.hint
            ) from None
        out.append((tuple(values[v] for v in problem.variables), kind, item.strip()))
    return out


def _check_symbols(entries: Sequence[_Entry], text: str, problem: _Problem) -> None:
    known = set(problem.symbols)
    for entry in entries:
        extra = sorted(entry.expr.free_symbols - known, key=lambda s: natural_key(s.name))
        if extra:
            name = extra[0].name
            match = re.search(rf"(?<![A-Za-z_]){re.escape(name)}(?![A-Za-z0-9_])", text)
            close = difflib.get_close_matches(name, problem.names, 1)
            names = ", ".join(problem.names) or "none"
            raise ParseError(
                f"'{name}' is not a variable of f (its variables: {names})",
                text=text,
                position=match.start() if match else None,
                hint=f"did you mean {close[0]}?" if close else None,
            )


def _all_zero(text: str, problem: _Problem, limits: Limits) -> bool:
    try:
        entries = _read_vector(text, problem, limits)
    except GradcliError:
        return False
    return all(e.expr == 0 for e in entries)


def _delimiter(header: str) -> str:
    """``,`` unless the header names answer columns only when split on ``;`` or a tab.

    Spreadsheets in many languages save CSV with semicolons.
    """
    for delimiter in (",", ";", "\t"):
        names = {
            re.sub(r"[\s\-]+", "_", n.strip().strip('"').lower()) for n in header.split(delimiter)
        }
        if names & set(PARTS):
            return delimiter
    return ","


def _json_text(value: Any) -> str | None:
    if value is None:
        return ""
    if isinstance(value, bool):
        return None
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, list):
        items = [_json_text(v) if not isinstance(v, list) else None for v in value]
        if all(i is not None for i in items):
            return ", ".join(i for i in items if i is not None)
        rows = [_json_text(v) if isinstance(v, list) else None for v in value]
        if all(r is not None for r in rows):
            return "[" + ", ".join(f"[{r}]" for r in rows) + "]"
    return None


def _json_id(record: Mapping[str, Any], number: int) -> str:
    for key in COLUMNS["id"]:
        if key in record and isinstance(record[key], (str, int)):
            return str(record[key])
    return str(number)


def _row_id(record: Sequence[str], header: Sequence[str | None], line: int) -> str:
    if "id" in header:
        index = header.index("id")
        if index < len(record) and record[index].strip():
            return record[index].strip()
    return str(line)


def _row(line: int, fields: tuple[tuple[str, str], ...]) -> BatchRow:
    found = dict(fields)
    ident = found.get("id") or str(line)
    return BatchRow(line=line, id=ident, fields=tuple((k, v) for k, v in fields if k != "id"))


class _Counted:
    """A line iterator that counts the lines taken (csv's own count can lag)."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self.count = 0

    def __iter__(self) -> _Counted:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.count += 1
        return line


def _first_line(error: BaseException) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__


# --------------------------------------------------------------------------
# Equality: symbolic, numeric at random points, decimal


def _decide(
    answer: sympy.Expr,
    expected: sympy.Expr,
    evaluator: _Evaluator,
    *,
    prefer: str,
    limits: Limits,
) -> Equality:
    if answer == expected:
        return Equality(True, SYMBOLIC, "the same expression")
    if not answer.free_symbols and not expected.free_symbols:
        return _constants_equal(answer, expected, limits)
    extra: list[sympy.Expr] | None = None
    tried = False
    if prefer == SYMBOLIC:
        difference = answer - expected
        if difference == 0:
            return Equality(True, SYMBOLIC, "the same expression")
        extra = _extra_conditions(answer, expected, evaluator)
        if not extra:
            tried = True
            if _simplifies_to_zero(difference, limits):
                return Equality(True, SYMBOLIC, "the difference simplifies to 0")
    result = evaluator.compare(answer, expected)
    if result.status == "equal":
        detail = f"equal at {result.points} random points"
        if extra is None:
            extra = _extra_conditions(answer, expected, evaluator)
        if extra:
            where = ", ".join(f"{_text(c)} = 0" for c in extra)
            detail += f" where both are defined; the answer is undefined where {where}"
        return Equality(True, NUMERIC, detail)
    if result.status == "different":
        return Equality(False, NUMERIC, f"differs at {evaluator.describe(result)}")
    if result.status == "undefined":
        return Equality(
            False,
            NUMERIC,
            f"the answer is undefined at {evaluator.describe(result)}, "
            "where the expected answer is defined",
        )
    if result.status == "too_large":
        return Equality(
            False,
            NUMERIC,
            f"the answer is far too large at {evaluator.describe(result)} "
            "(beyond 10^308), where the expected answer is not",
        )
    if not tried and _simplifies_to_zero(answer - expected, limits):
        return Equality(True, SYMBOLIC, "the difference simplifies to 0")
    return Equality(
        None,
        None,
        f"cannot decide: only {result.points} of {result.tried} random points lie in "
        "the domain of both, and the difference does not simplify to 0",
    )


def _constants_equal(answer: sympy.Expr, expected: sympy.Expr, limits: Limits) -> Equality:
    a = _precise(answer)
    b = _precise(expected)
    if a is None or b is None:
        if _simplifies_to_zero(answer - expected, limits):
            return Equality(True, SYMBOLIC, "the difference simplifies to 0")
        return Equality(None, None, "cannot decide: the values cannot be evaluated")
    if abs(a - b) > 1e-20 * max(abs(a), abs(b), 1e-300):
        return Equality(False, NUMERIC, "a different number")
    if _simplifies_to_zero(answer - expected, limits):
        return Equality(True, SYMBOLIC, "the difference simplifies to 0")
    return Equality(True, NUMERIC, "equal to 20 significant figures")


def _constant_equality(
    entry: _Entry,
    exact: sympy.Expr,
    approx: float | None,
    *,
    tol: float | None,
    limits: Limits,
) -> Equality:
    """An answer that is a number, against the exact number expected."""
    if entry.expr == exact:
        return Equality(True, SYMBOLIC, "the same number")
    exact_result = _constants_equal(entry.expr, exact, limits)
    if exact_result.equal or not entry.approximate:
        return exact_result
    value = approx if approx is not None else _to_float(exact)
    if value is None:
        return exact_result
    if entry.literal is not None:
        ok, message = decimal_verdict(entry.literal, value, tol=tol)
        return Equality(ok, DECIMAL, message)
    given = entry.value
    rtol = tol if tol is not None else DECIMAL_RTOL
    if given is not None and abs(given - value) <= rtol * abs(value):
        return Equality(True, DECIMAL, f"correct within the relative tolerance {rtol:g}")
    return Equality(False, DECIMAL, f"not within the relative tolerance {rtol:g}")


def _simplifies_to_zero(difference: sympy.Expr, limits: Limits) -> bool:
    try:
        with time_limit(limits.simplify_timeout, "simplification"):
            if sympy.expand(difference) == 0:
                return True
            return bool(sympy.simplify(difference) == 0)
    except (BudgetExceeded, RecursionError):
        return False


def _extra_conditions(
    answer: sympy.Expr, expected: sympy.Expr, evaluator: _Evaluator
) -> list[sympy.Expr]:
    """Denominators of the answer that the expected answer lacks, and that vanish.

    The numeric comparison already catches an answer undefined on a region
    where the expected one is defined; what it cannot see are the points
    where a cancelled factor vanishes, as in (x² − 1)/(x − 1) against x + 1.
    A factor vanishes when it changes sign among the wide set of random
    points (x² + 1 never does).
    """
    theirs = _denominators(expected)
    return [c for c in _denominators(answer) if c not in theirs and evaluator.changes_sign(c)]


@functools.lru_cache(maxsize=4096)
def _denominators(expr: sympy.Expr) -> list[sympy.Expr]:
    """The factors of ``expr``'s denominators, without powers, constants or signs."""
    out: list[sympy.Expr] = []
    for node in sympy.preorder_traversal(expr):
        if (
            isinstance(node, sympy.Pow)
            and node.exp.is_Number
            and node.exp < 0
            and node.base.free_symbols
            and not isinstance(node.base, sympy.exp)
        ):
            for factor in _factors(node.base):
                if factor not in out:
                    out.append(factor)
    return out


def _factors(expr: sympy.Expr) -> list[sympy.Expr]:
    """``expr``'s factors, each without a power, a constant factor or a sign."""
    if not expr.free_symbols:
        return []
    if isinstance(expr, sympy.Mul):
        return [f for arg in expr.args for f in _factors(arg)]
    if isinstance(expr, sympy.Pow) and expr.exp.is_positive:
        return _factors(expr.base)
    _, primitive = expr.as_content_primitive()
    if primitive.could_extract_minus_sign():
        primitive = -primitive
    return [primitive]


def _same(problem: _Problem, entry: _Entry, target: sympy.Expr, tol: float | None) -> bool:
    """Whether an answer is ``target``: for detecting what a wrong answer is."""
    if entry.expr == target:
        return True
    if not target.free_symbols and entry.value is not None:
        value = _to_float(target)
        if value is None:
            return False
        if entry.approximate:
            if entry.literal is not None:
                return decimal_verdict(entry.literal, value, tol=tol)[0]
            rtol = tol if tol is not None else DECIMAL_RTOL
            return abs(entry.value - value) <= rtol * abs(value)
        return abs(entry.value - value) <= 1e-12 * max(abs(value), 1e-300)
    return problem.evaluator.compare(entry.expr, target).status == "equal"


def _simple_factor(entry: _Entry, target: sympy.Expr) -> str | None:
    """A small factor (2, 1/2, 3, …) between a number answered and the number expected."""
    value = _to_float(target)
    if entry.value is None or value is None or value == 0 or entry.value == 0:
        return None
    ratio = entry.value / value
    fraction = Fraction(ratio).limit_denominator(4)
    if fraction in (1, -1) or abs(fraction.numerator) > 4:
        return None
    tolerance = 1e-3 if entry.approximate else 1e-12
    if abs(float(fraction) - ratio) <= tolerance * abs(ratio):
        return str(fraction)
    return None


def _positive_multiple(
    entries: Sequence[_Entry], expected: Sequence[sympy.Expr], tol: float | None
) -> float | None:
    """The length of a vector answered, when it is a positive multiple of the unit expected."""
    ratios = []
    for entry, target in zip(entries, expected):
        value = _to_float(target)
        if entry.value is None or value is None:
            return None
        if value == 0:
            if abs(entry.value) > 1e-12:
                return None
            continue
        ratios.append(entry.value / value)
    if not ratios or ratios[0] <= 0:
        return None
    approximate = any(e.approximate for e in entries)
    rtol = (tol or DECIMAL_RTOL) if approximate else 1e-9
    # decimals a few percent off in length are a matter of rounding, not of normalising
    off = 0.05 if approximate else rtol
    if all(abs(r - ratios[0]) <= rtol * ratios[0] for r in ratios) and abs(ratios[0] - 1) > off:
        return ratios[0]
    return None


def _same_point(given: Sequence[sympy.Expr], candidate: _Critical, tol: float | None) -> bool:
    for k, coordinate in enumerate(given):
        value = _to_float(coordinate)
        target = candidate.floats[k]
        if value is None:
            return False
        if candidate.exact is not None and coordinate == candidate.exact[k]:
            continue
        scale = max(abs(target), 1.0)
        if abs(value - target) <= 1e-9 * scale:
            continue
        rtol = tol if tol is not None else DECIMAL_RTOL
        if _approximate_text(to_text(coordinate)) or not coordinate.is_Rational:
            if abs(value - target) <= rtol * scale:
                continue
        elif (
            coordinate.is_Rational
            and not coordinate.is_Integer
            and abs(value - target) <= rtol * scale
        ):
            # a decimal such as 0.33 arrives as the rational 33/100
            continue
        return False
    return True


@functools.lru_cache(maxsize=4096)
def _precise(expr: sympy.Expr) -> float | None:
    try:
        value = expr.evalf(30)
    except (TypeError, ValueError, RecursionError):
        return None
    real, imaginary = value.as_real_imag()
    if not real.is_number or not real.is_finite or (imaginary != 0 and abs(imaginary) > 1e-25):
        return None
    try:
        result = float(real)
    except (TypeError, ValueError, OverflowError):
        return None
    return result if math.isfinite(result) else None


@functools.lru_cache(maxsize=4096)
def _to_float(expr: sympy.Expr) -> float | None:
    try:
        value = float(expr)
    except (TypeError, ValueError, OverflowError):
        return _precise(expr)
    return value if math.isfinite(value) else None


def _diagnose_symbolic(
    problem: _Problem, entry: _Entry, i: int, limits: Limits
) -> list[tuple[str, str]]:
    """Name the mistake in a wrong partial derivative ∂f/∂x_i, if it is a typical one."""
    evaluator = problem.evaluator
    answer = entry.expr
    expected = problem.gradient[i]
    x = problem.variables[i]
    names = problem.shown
    f = problem.function.expr
    for j, other in enumerate(problem.gradient):
        if j != i and other != expected and evaluator.same(answer, other):
            return [
                (
                    "wrong_variable",
                    f"this is ∂f/∂{names[j]}: differentiate with respect to {names[i]}",
                )
            ]
    if evaluator.same(answer, f):
        return [("function_itself", "this is f itself: differentiate it")]
    for node, inner_derivative, candidate in problem.chain_candidates(i):
        if evaluator.same(answer, candidate):
            return [
                (
                    "missing_chain_factor",
                    f"the chain rule's inner derivative is missing: {to_unicode(node)} needs "
                    f"the factor {to_unicode(inner_derivative)}",
                )
            ]
    if entry.approximate and evaluator.ratio(answer, expected, rtol=1e-2) is not None:
        return [("", "close, but decimals are read exactly: write fractions such as 1/3")]
    ratio = evaluator.ratio(answer, expected)
    if ratio is not None and ratio != 1:
        if ratio == -1:
            return [("sign_error", "the sign is wrong")]
        return [("constant_factor", f"off by a constant factor of {_fraction_text(ratio)}")]
    found = _term_mistakes(problem, answer, i)
    if found:
        return found
    if evaluator.derivative_is(answer, x, f):
        return [
            (
                "antiderivative",
                f"this is an antiderivative of f with respect to {names[i]}: differentiate instead",
            )
        ]
    return []


def _term_mistakes(problem: _Problem, answer: sympy.Expr, i: int) -> list[tuple[str, str]]:
    """One term of f differentiated wrongly, left out, or not held constant."""
    evaluator = problem.evaluator
    expected = problem.gradient[i]
    names = problem.shown
    terms = problem.terms(i)
    if len(terms) < 2:
        return []
    difference = evaluator.difference(answer, expected)
    if difference is None:
        return []
    for _, derivative, shown_term, shown_derivative in terms:
        if derivative == 0:
            continue
        ratio = evaluator.ratio_values(difference, derivative)
        if ratio is None:
            continue
        if ratio == -1:
            return [
                (
                    "missing_term",
                    f"missing {shown_derivative}, the derivative of {shown_term} "
                    f"with respect to {names[i]}",
                )
            ]
        if ratio == -2:
            return [
                (
                    "sign_error",
                    f"the term {shown_derivative} (from {shown_term}) has the wrong sign",
                )
            ]
        return [
            (
                "constant_factor",
                f"the derivative of {shown_term} with respect to {names[i]} is off by a factor "
                f"of {_fraction_text(1 + ratio)}",
            )
        ]
    x = problem.variables[i]
    for term, derivative, shown_term, _ in terms:
        if derivative != 0 or not term.free_symbols:
            continue
        others = [v for v in problem.variables if v != x and term.has(v)]
        for other in others:
            if evaluator.ratio_values(difference, sympy.diff(term, other)) == 1 or (
                evaluator.ratio_values(difference, term) == 1
            ):
                return [
                    (
                        "wrong_variable",
                        f"{to_unicode(other)} was not held constant: the term {shown_term} "
                        f"does not depend on {names[i]}, so its derivative is 0",
                    )
                ]
    return []


def _fraction_text(value: float) -> str:
    fraction = Fraction(value).limit_denominator(1000)
    if abs(float(fraction) - value) <= 1e-9 * abs(value):
        return str(fraction)
    return decimal(value, 6)


# --------------------------------------------------------------------------
# Numbers at random points, many at once


@dataclass(frozen=True)
class _Comparison:
    #: equal, different, undefined (answer undefined where expected is not),
    #: too_large (the answer overflows where expected does not), too_few
    status: str
    points: int
    tried: int
    where: int | None = None
    level: int = 0
    #: the largest relative difference, for a "different" result
    worst: float = 0.0


class _Evaluator:
    """Values of expressions at a fixed set of random points, with numpy.

    The points are drawn once from a seeded generator: a small set first, and
    a large, wider one when too few of the small set lie in the domain. Each
    expression's values come from one walk over its tree with vectorised
    numpy operations: compiling each answer with ``lambdify`` would cost more
    than all the rest of grading it. Values of expected expressions are kept.
    """

    def __init__(self, symbols: Sequence[sympy.Symbol], seed: int) -> None:
        import numpy as np

        self.symbols = tuple(symbols)
        rng = np.random.default_rng(seed)
        k = len(self.symbols)
        small = max(16, 6 * k)
        self._pools = [_draw(rng, k, small, wide=False), _draw(rng, k, 512, wide=True)]
        self._kept: list[dict[sympy.Basic, Any]] = [{}, {}]
        self._recent: list[dict[sympy.Basic, Any]] = [{}, {}]

    def values(self, expr: sympy.Basic, level: int = 0, keep: bool = False) -> Any:
        import numpy as np

        pool = self._pools[level]
        # expected expressions are kept; an answer's values only for a while
        memo = self._kept[level] if keep else self._recent[level]
        found = memo.get(expr)
        if found is not None:
            return found
        if len(memo) > 5000:
            memo.clear()
        columns = {s: pool[:, k] for k, s in enumerate(self.symbols)}
        with np.errstate(all="ignore"):
            try:
                out = _numeric(expr, columns, pool.shape[0], memo)
            except (_Unsupported, KeyError, TypeError, ValueError, OverflowError, RecursionError):
                out = _fallback(expr, self.symbols, pool)
        memo[expr] = out
        return out

    def at(
        self, exprs: Sequence[sympy.Expr], values: Mapping[sympy.Symbol, sympy.Expr]
    ) -> tuple[float, ...] | None:
        """The floats of ``exprs`` at one point; ``None`` where one is undefined."""
        import numpy as np

        columns = {s: np.array([_number(values[s])]) for s in self.symbols if s in values}
        out = []
        with np.errstate(all="ignore"):
            for expr in exprs:
                try:
                    value = float(_numeric(expr, columns, 1, {})[0])
                except (_Unsupported, KeyError, TypeError, ValueError, OverflowError):
                    return None
                if not math.isfinite(value):
                    return None
                out.append(value)
        return tuple(out)

    def compare(self, answer: sympy.Expr, expected: sympy.Expr) -> _Comparison:
        import numpy as np

        result = _Comparison("too_few", 0, 0)
        for level in (0, 1):
            a = self.values(answer, level)
            e = self.values(expected, level, keep=True)
            result = _compare_values(a, e, level)
            if result.status == "different" and result.worst < 1e-5:
                rows = np.flatnonzero(np.isfinite(a) & np.isfinite(e))
                if all(self._precisely_equal(answer, expected, level, int(r)) for r in rows[:3]):
                    result = _Comparison("equal", result.points, result.tried, level=level)
            if result.status != "too_few":
                return result
        return result

    def same(self, answer: sympy.Expr, target: sympy.Expr) -> bool:
        return self.compare(answer, target).status == "equal"

    def difference(self, answer: sympy.Expr, expected: sympy.Expr) -> Any:
        import numpy as np

        a = self.values(answer)
        e = self.values(expected, keep=True)
        d = a - e
        if np.count_nonzero(np.isfinite(d)) < MIN_POINTS:
            return None
        return d

    def ratio(self, answer: sympy.Expr, expected: sympy.Expr, rtol: float = NUMERIC_RTOL) -> Any:
        """The constant ``answer / expected``, if it is one."""
        return _constant_ratio(self.values(answer), self.values(expected, keep=True), rtol)

    def ratio_values(self, values: Any, expr: sympy.Expr) -> Any:
        return _constant_ratio(values, self.values(expr, keep=True), NUMERIC_RTOL)

    def changes_sign(self, expr: sympy.Expr) -> bool:
        """Whether ``expr`` takes both signs (or 0) among the wide random points."""
        import numpy as np

        values = self.values(expr, 1)
        values = values[np.isfinite(values)]
        return bool(values.size) and bool(values.min() <= 0 <= values.max())

    def derivative_is(self, expr: sympy.Expr, x: sympy.Symbol, target: sympy.Expr) -> bool:
        """Whether ∂expr/∂x is ``target``, by central differences (to spot mistakes)."""
        import numpy as np

        if x not in self.symbols:
            return False
        k = self.symbols.index(x)
        pool = self._pools[0]
        h = 1e-5 * np.maximum(np.abs(pool[:, k]), 1.0)
        shifted = []
        for sign in (1.0, -1.0):
            moved = pool.copy()
            moved[:, k] += sign * h
            columns = {s: moved[:, m] for m, s in enumerate(self.symbols)}
            with np.errstate(all="ignore"):
                try:
                    shifted.append(_numeric(expr, columns, moved.shape[0], {}))
                except (_Unsupported, KeyError, TypeError, ValueError, OverflowError):
                    return False
        with np.errstate(all="ignore"):
            slope = (shifted[0] - shifted[1]) / (2 * h)
        wanted = self.values(target, keep=True)
        ok = np.isfinite(slope) & np.isfinite(wanted)
        if np.count_nonzero(ok) < MIN_POINTS:
            return False
        scale = np.maximum(np.abs(wanted[ok]), 1e-3 * float(np.abs(wanted[ok]).max()) + 1e-300)
        return bool(np.all(np.abs(slope[ok] - wanted[ok]) <= 1e-4 * scale))

    def describe(self, result: _Comparison) -> str:
        if result.where is None or not self.symbols:
            return "the point checked"
        row = self._pools[result.level][result.where]
        return ", ".join(f"{s.name} = {decimal(float(v), 3)}" for s, v in zip(self.symbols, row))

    def _precisely_equal(
        self, answer: sympy.Expr, expected: sympy.Expr, level: int, row: int
    ) -> bool:
        point = {s: sympy.Rational(float(v)) for s, v in zip(self.symbols, self._pools[level][row])}
        a = _precise(answer.xreplace(point))
        b = _precise(expected.xreplace(point))
        if a is None or b is None:
            return False
        return abs(a - b) <= 1e-12 * max(abs(a), abs(b), 1e-300)


def _draw(rng: Any, k: int, n: int, *, wide: bool) -> Any:
    """``n`` random points in ``k`` dimensions; half with every coordinate positive."""
    import numpy as np

    spread = 10.0 ** rng.uniform(-2.0, 2.0, (n, k)) if wide else rng.uniform(0.2, 2.5, (n, k))
    magnitudes = spread
    signs = rng.choice(np.array([-1.0, 1.0]), (n, k))
    signs[: n // 2] = 1.0
    return magnitudes * signs


def _compare_values(a: Any, e: Any, level: int) -> _Comparison:
    import numpy as np

    tried = int(e.shape[0])
    a_ok = np.isfinite(a)
    e_ok = np.isfinite(e)
    both = a_ok & e_ok
    count = int(np.count_nonzero(both))
    lost = np.flatnonzero(e_ok & ~a_ok)
    if lost.size and np.count_nonzero(e_ok) >= MIN_POINTS:
        where = int(lost[0])
        # an overflow (beyond 1.8e308) is a size, not a hole in the domain
        status = "too_large" if np.isinf(a[where]) else "undefined"
        return _Comparison(status, count, tried, where, level)
    if count < MIN_POINTS:
        return _Comparison("too_few", count, tried, None, level)
    av = a[both]
    ev = e[both]
    scale = np.maximum(np.abs(av), np.abs(ev))
    floor = 1e-12 * float(scale.max())
    bad = np.abs(av - ev) > NUMERIC_RTOL * scale + floor
    if not bad.any():
        return _Comparison("equal", count, tried, None, level)
    where = int(np.flatnonzero(both)[int(np.flatnonzero(bad)[0])])
    worst = float((np.abs(av - ev) / np.where(scale > 0, scale, 1.0)).max())
    return _Comparison("different", count, tried, where, level, worst)


def _constant_ratio(a: Any, b: Any, rtol: float) -> float | None:
    import numpy as np

    ok = np.isfinite(a) & np.isfinite(b)
    if np.count_nonzero(ok) < MIN_POINTS:
        return None
    av, bv = a[ok], b[ok]
    big = np.abs(bv) > 1e-12 * max(float(np.abs(bv).max()), 1e-300)
    if np.count_nonzero(big) < MIN_POINTS:
        return None
    # where b vanishes, a must too
    if np.any(np.abs(av[~big]) > 1e-9 * max(float(np.abs(av).max()), 1e-300)):
        return None
    ratios = av[big] / bv[big]
    first = float(ratios[0])
    if first == 0 or not np.all(np.abs(ratios - first) <= rtol * abs(first)):
        return None
    fraction = Fraction(first).limit_denominator(1000)
    if abs(float(fraction) - first) <= rtol * abs(first):
        return float(fraction)
    return first


class _Unsupported(Exception):
    pass


def _numeric(
    expr: sympy.Basic, columns: Mapping[sympy.Basic, Any], n: int, memo: dict[sympy.Basic, Any]
) -> Any:
    import numpy as np

    hit = memo.get(expr)
    if hit is not None:
        return hit
    if expr.is_Symbol:
        out = columns[expr]
    elif expr.is_Number or expr.is_NumberSymbol:
        out = np.full(n, _number(expr))
    elif expr.is_Add:
        out = sum(
            (_numeric(a, columns, n, memo) for a in expr.args[1:]),
            _numeric(expr.args[0], columns, n, memo),
        )
    elif expr.is_Mul:
        out = _numeric(expr.args[0], columns, n, memo)
        for a in expr.args[1:]:
            out = out * _numeric(a, columns, n, memo)
    elif expr.is_Pow:
        base = _numeric(expr.base, columns, n, memo)
        exponent = expr.exp
        if exponent is sympy.S.Half:
            out = np.sqrt(base)
        elif exponent.is_Number:
            out = np.power(base, _number(exponent))
        else:
            out = np.power(base, _numeric(exponent, columns, n, memo))
    elif isinstance(expr, sympy.exp):
        out = np.exp(_numeric(expr.args[0], columns, n, memo))
    else:
        function = _ufuncs().get(type(expr))
        if function is None:
            raise _Unsupported(type(expr).__name__)
        out = function(*(_numeric(a, columns, n, memo) for a in expr.args))
    out = np.asarray(out, dtype=float)
    if out.shape != (n,):
        out = np.broadcast_to(out, (n,)).astype(float)
    memo[expr] = out
    return out


def _number(expr: sympy.Basic) -> float:
    try:
        return float(expr)
    except (TypeError, ValueError):
        return math.nan
    except OverflowError:
        return math.inf


_UFUNCS: dict[type, Callable[..., Any]] = {}


def _ufuncs() -> dict[type, Callable[..., Any]]:
    if not _UFUNCS:
        import numpy as np

        _UFUNCS.update(
            {
                sympy.sin: np.sin,
                sympy.cos: np.cos,
                sympy.tan: np.tan,
                sympy.sec: lambda x: 1 / np.cos(x),
                sympy.csc: lambda x: 1 / np.sin(x),
                sympy.cot: lambda x: np.cos(x) / np.sin(x),
                sympy.asin: np.arcsin,
                sympy.acos: np.arccos,
                sympy.atan: np.arctan,
                sympy.acot: lambda x: np.arctan(1 / x),
                sympy.asec: lambda x: np.arccos(1 / x),
                sympy.acsc: lambda x: np.arcsin(1 / x),
                sympy.atan2: np.arctan2,
                sympy.sinh: np.sinh,
                sympy.cosh: np.cosh,
                sympy.tanh: np.tanh,
                sympy.sech: lambda x: 1 / np.cosh(x),
                sympy.csch: lambda x: 1 / np.sinh(x),
                sympy.coth: lambda x: 1 / np.tanh(x),
                sympy.asinh: np.arcsinh,
                sympy.acosh: np.arccosh,
                sympy.atanh: np.arctanh,
                sympy.log: np.log,
                sympy.Abs: np.abs,
                sympy.sign: np.sign,
            }
        )
    return _UFUNCS


def _fallback(expr: sympy.Basic, symbols: Sequence[sympy.Symbol], pool: Any) -> Any:
    """Values through ``lambdify`` for the rare function the walk does not know."""
    import numpy as np

    try:
        function = sympy.lambdify(symbols, expr, modules="numpy")
        with np.errstate(all="ignore"):
            out = function(*(pool[:, k] for k in range(len(symbols))))
        out = np.asarray(out, dtype=float)
        return np.broadcast_to(out, (pool.shape[0],)).astype(float)
    except Exception:  # noqa: BLE001 - anything unevaluable counts as undefined
        return np.full(pool.shape[0], math.nan)


# --------------------------------------------------------------------------
# Building results


def _decided(
    part: str,
    component: int | None,
    label: str,
    entry: _Entry,
    decision: Equality,
    shown: tuple[str | None, str | None],
) -> PartResult:
    verdict = CORRECT if decision.equal else UNDECIDED
    message = decision.detail
    if decision.equal and decision.method == SYMBOLIC:
        message = ""
    return PartResult(
        part=part,
        component=component,
        label=label,
        verdict=verdict,
        method=decision.method,
        message=message,
        given=entry.text,
        expected=shown[0],
        expected_shown=shown[1],
    )


def _wrong(
    part: str,
    component: int | None,
    label: str,
    entry: _Entry,
    decision: Equality,
    found: Sequence[tuple[str, str]],
    shown: tuple[str | None, str | None],
) -> PartResult:
    mistakes = tuple(dict.fromkeys(name for name, _ in found if name))
    message = "; ".join(message for _, message in found) or decision.detail or "not correct"
    return PartResult(
        part=part,
        component=component,
        label=label,
        verdict=WRONG,
        method=decision.method,
        mistakes=mistakes,
        message=message,
        given=entry.text,
        expected=shown[0],
        expected_shown=shown[1],
    )


def _unreadable(part: str, text: str, error: GradcliError) -> PartResult:
    if isinstance(error, DimensionError):
        return PartResult(
            part=part,
            component=None,
            label=part,
            verdict=WRONG,
            mistakes=("wrong_length",),
            message=error.message,
            given=text.strip(),
        )
    position = error.position if error.text == text else None
    return PartResult(
        part=part,
        component=None,
        label=part,
        verdict=UNREADABLE,
        message=error.message,
        given=text,
        position=position,
        hint=error.hint,
    )


def _failed(part: str, verdict: str, message: str, text: str) -> PartResult:
    return PartResult(
        part=part, component=None, label=part, verdict=verdict, message=message, given=text
    )


def row_failure(row: BatchRow, verdict: str, message: str) -> RowResult:
    """The result of a row that could not be graded: one ``row`` part saying why."""
    return RowResult(
        line=row.line,
        id=row.id,
        parts=(PartResult("row", None, "row", verdict, message=message),),
    )


def _describe(error: GradcliError) -> str:
    message = error.message
    if error.position is not None and error.text:
        message += f" (at position {error.position + 1} of {error.text!r})"
    if error.hint:
        message += f"; {error.hint}"
    return message


@functools.lru_cache(maxsize=4096)
def _text(expr: sympy.Basic) -> str:
    return to_text(expr)


def _shown_point(point: Sequence[Any]) -> str:
    return ", ".join(
        to_unicode(c) if isinstance(c, sympy.Basic) else decimal(float(c), 6) for c in point
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


_SEVERITY = {CORRECT: 0, UNDECIDED: 1, WRONG: 2, UNREADABLE: 3}


__all__ = [
    "MISTAKES",
    "PARTS",
    "BatchReader",
    "BatchRow",
    "BatchSummary",
    "Equality",
    "Grader",
    "PartResult",
    "RowResult",
    "Verdict",
    "check",
    "decimal_verdict",
    "equivalent",
    "exit_code",
    "row_failure",
    "significant_figures",
    "summarize",
    "summary_line",
]
