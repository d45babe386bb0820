"""The Grader: each distinct problem prepared once, its answers graded part by part;
:func:`check` grades one student's answer, :meth:`Grader.grade_row` one batch row."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from fractions import Fraction
from typing import Any, TypeAlias

import sympy

from gradcli.calculus import FunctionLike, PointLike, VariablesLike, as_function, point_text
from gradcli.errors import BudgetExceeded, DimensionError, GradcliError, InputError, describe
from gradcli.grading import parts
from gradcli.grading.critical_part import grade_critical
from gradcli.grading.decimals import DecimalRule, tolerance
from gradcli.grading.parts import Marking, failed, unreadable
from gradcli.grading.problem import Context, Problem
from gradcli.grading.results import (
    NUMERIC,
    PARTS,
    SYMBOLIC,
    UNDECIDED,
    UNREADABLE,
    BatchRow,
    PartResult,
    RowResult,
    Verdict,
    row_failure,
)
from gradcli.i18n import _
from gradcli.limits import Limits
from gradcli.parse import Function, parse_function, reading_notes

__all__ = ["Grader", "check"]

#: the parts that are values at the point, so need ``at``
_NEEDS_POINT = frozenset({"value", "magnitude", "direction", "directional"})
#: each part's grading function, in the order of PARTS
_GRADERS: dict[str, Callable[[Marking, Problem, str, Context], list[PartResult]]] = {
    "gradient": parts.grade_gradient,
    "value": parts.grade_value,
    "magnitude": parts.grade_magnitude,
    "direction": parts.grade_direction,
    "directional": parts.grade_directional,
    "hessian": parts.grade_hessian,
    "critical": grade_critical,
}
#: distinct problems, and distinct answers, kept before the caches are cleared
_PROBLEMS = 1000
_ANSWERS = 20_000


#: an answer: text as a student types it, or numbers, sympy values, sequences
#: of them, a matrix (for the Hessian)
Answer: TypeAlias = "str | float | Fraction | sympy.Basic | Sequence[Any]"


def check(
    f: FunctionLike,
    *,
    gradient: Answer | None = None,
    at: PointLike | None = None,
    value: Answer | None = None,
    magnitude: Answer | None = None,
    direction: Answer | None = None,
    along: str | Sequence[object] | None = None,
    directional: Answer | None = None,
    hessian: Answer | None = None,
    critical: str | None = None,
    variables: VariablesLike | None = None,
    tol: float | str | None = None,
    abs_tol: float | str | None = None,
    sigfigs: int | None = None,
    seed: int = 0,
    reveal: bool = False,
    limits: Limits | None = None,
) -> Verdict:
    """Check a student's answers about ``f``: each part, each component.

    Parameters
    ----------
    f : the function: text (read by gradcli's parser), a sympy expression,
        or a parsed Function.
    gradient : ∇f, a vector such as ``"2x + y, x + 2y"`` or ``"<2x+y, x+2y>"``.
    at : the point for ``value``, ``magnitude``, ``direction``, ``directional``:
        ``"1,3"``, ``"x=1, y=3"``, ``(1, 3)`` or ``{"x": 1, "y": 3}``.
    value, magnitude, direction : ∇f at the point, its length, its unit vector.
    along, directional : a direction v, and the rate of change of f along it.
    hessian : the matrix of second partials, ``"[[2, 1], [1, 2]]"``.
    critical : critical points with optional kinds, ``"(0,0) min; (1,1) saddle"``.
    tol, abs_tol : relative and absolute tolerances for decimal answers, as
        typed ("0.05" is exactly 1/20); by default a decimal must be the
        exact value correctly rounded to the figures written
        (:mod:`gradcli.grading.decimals`).
    sigfigs : a decimal answer must give exactly this many significant figures.
    seed : seed of the random points of the numeric comparison.
    reveal : include the expected answers in the result.

    Examples
    --------
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
        name: _answer_text(name, text)
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
        raise InputError(_("nothing to check: give an answer, such as --gradient or --value"))
    needs_point = [name for name in answers if name in _NEEDS_POINT]
    if needs_point and at is None:
        raise InputError(
            _("--{option} needs the point: give --at too").format(option=needs_point[0])
        )
    if "directional" in answers and along is None:
        raise InputError(_("--directional needs the direction: give --along too"))
    if along is not None and "directional" not in answers:
        raise InputError(_("--along is used only with --directional"))
    grader = Grader(
        tol=tol,
        abs_tol=abs_tol,
        sigfigs=sigfigs,
        seed=seed,
        reveal=reveal,
        prefer=SYMBOLIC,
        limits=limits,
    )
    function = _in_real_symbols(as_function(f, variables=variables, limits=limits))
    if at is not None and not isinstance(at, str):
        at = point_text(function, at, limits=limits)
    if along is not None and not isinstance(along, str):
        along = _vector_text(along, limits)
    problem = grader.prepare(function, at=at, along=along)
    parts = grader.grade_answers(problem, answers)
    return Verdict(
        function=function,
        parts=parts,
        point=problem.point,
        along=problem.along_vector,
        seed=seed,
        revealed=reveal,
        notes=function.notes + tuple(f"--{p.part}: {note}" for p in parts for note in p.notes),
    )


def _in_real_symbols(function: Function) -> Function:
    """``function`` in gradcli's real symbols, those the answers are read into.

    An answer is text, read as gradcli reads any expression; f built in
    Python from ``sympy.symbols("x y")`` must be in the same symbols, or its
    x and the answer's x would be two different variables.
    """
    from gradcli.parse import symbol

    renamed = {s: symbol(s.name) for s in function.expr.free_symbols if s != symbol(s.name)}
    renamed.update({v: symbol(v.name) for v in function.variables if v != symbol(v.name)})
    if not renamed:
        return function
    return replace(
        function,
        expr=function.expr.xreplace(renamed),
        variables=tuple(renamed.get(v, v) for v in function.variables),
        parameters=tuple(renamed.get(p, p) for p in function.parameters),
    )


def _answer_text(part: str, answer: object) -> str:
    """An answer given as Python values (numbers, sympy, sequences, a matrix), as text.

    Answers are read as a student typed them: a float keeps its decimal
    digits (so that significant figures are judged), sympy values are
    printed in a syntax that reads back, rows of a matrix are ``;``-separated.
    """
    import math

    from gradcli.printing import to_text

    if isinstance(answer, str):
        return answer
    if type(answer).__module__ == "numpy" and hasattr(answer, "tolist"):
        answer = answer.tolist()
    if isinstance(answer, sympy.MatrixBase):
        answer = answer.tolist()
    if isinstance(answer, float) and math.isfinite(answer):
        return repr(answer)
    if isinstance(answer, (int, Fraction)) and not isinstance(answer, bool):
        return str(answer)
    if isinstance(answer, sympy.Basic) and not isinstance(answer, sympy.Tuple):
        return to_text(answer)
    if (
        part != "critical"
        and isinstance(answer, (Sequence, sympy.Tuple))
        and not isinstance(answer, bytes)
        and answer
    ):
        items = list(answer)
        if all(isinstance(i, (Sequence, sympy.Tuple)) and not isinstance(i, str) for i in items):
            return "; ".join(", ".join(_answer_text(part, c) for c in row) for row in items)
        return ", ".join(_answer_text(part, c) for c in items)
    raise InputError(
        _(
            "--{option}: give the answer as text (such as '2x, 2y'), numbers, sympy values or a "
            "sequence of them, not {answer}"
        ).format(option=part, answer=repr(answer))
    )


def _vector_text(vector: Sequence[object], limits: Limits) -> str:
    """A direction given as numbers, as text that reads back exactly."""
    from gradcli.numbers import exact
    from gradcli.printing import to_text

    if isinstance(vector, (bytes, Mapping)) or not isinstance(vector, Sequence):
        raise InputError(
            _("--along must be text or a sequence of numbers, got {vector}").format(
                vector=repr(vector)
            )
        )
    what = _("a component of --along")
    return ", ".join(to_text(exact(c, what, limits=limits)) for c in vector)


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
        tol: float | str | None = None,
        abs_tol: float | str | None = None,
        sigfigs: int | None = None,
        seed: int = 0,
        reveal: bool = False,
        prefer: str = NUMERIC,
        limits: Limits | None = None,
    ) -> None:
        rule = DecimalRule(
            tol=tolerance(tol, "--tol"), abs_tol=tolerance(abs_tol, "--abs-tol"), sigfigs=sigfigs
        )
        if prefer not in (SYMBOLIC, NUMERIC):
            raise InputError(
                _("prefer must be 'symbolic' or 'numeric', not {prefer!r}").format(prefer=prefer)
            )
        self.expression = expression
        self.variables = tuple(variables) if variables else None
        self.at = at
        self.along = along
        self.rule = rule
        self.seed = seed
        self.reveal = reveal
        self.prefer = prefer
        self.limits = limits or Limits()
        self.marking = Marking(rule=rule, reveal=reveal, prefer=prefer, limits=self.limits)
        self._problems: dict[tuple[Any, ...], Problem | GradcliError] = {}
        self._answers: dict[tuple[Any, ...], tuple[PartResult, ...]] = {}

    def prepare(
        self, function: Function, *, at: str | None = None, along: str | None = None
    ) -> Problem:
        """The problem for ``function``: its gradient, point, random points."""
        return Problem(function, at=at, along=along, seed=self.seed, limits=self.limits)

    def grade_answers(self, problem: Problem, answers: Mapping[str, str]) -> tuple[PartResult, ...]:
        """Grade each given part of one answer to ``problem``."""
        context = Context()
        out: list[PartResult] = []
        for part in PARTS:
            text = answers.get(part)
            if text is None:
                continue
            graded: list[PartResult] = []
            with reading_notes() as notes:
                try:
                    graded.extend(_GRADERS[part](self.marking, problem, text, context))
                except BudgetExceeded as error:
                    graded.append(failed(part, UNDECIDED, error.message, text))
                except (InputError, DimensionError) as error:
                    graded.append(unreadable(part, text, error))
                except GradcliError as error:
                    graded.append(failed(part, UNDECIDED, _describe(error), text))
            if notes and graded:
                graded[0] = replace(graded[0], notes=tuple(dict.fromkeys(notes)))
            out.extend(graded)
        return tuple(out)

    def grade_row(self, row: BatchRow) -> RowResult:
        """Grade one batch row; every failure becomes a verdict, never an exception."""
        if row.error is not None:
            return row_failure(row, UNREADABLE, row.error)
        fields = dict(row.fields)
        expression = fields.get("expression") or self.expression
        if not expression:
            return row_failure(
                row, UNREADABLE, _("no expression: give EXPR or an 'expression' column")
            )
        answers = {part: fields[part] for part in PARTS if fields.get(part)}
        if not answers:
            return row_failure(row, UNREADABLE, _("no answers in this row"))
        names = fields.get("vars")
        variables = tuple(n for n in re.split(r"[\s,]+", names) if n) if names else self.variables
        at = fields.get("at") or self.at
        along = fields.get("along") or self.along
        for part in answers:
            if part in _NEEDS_POINT and not at:
                return row_failure(
                    row,
                    UNREADABLE,
                    _("{part} needs a point: an 'at' column or --at").format(part=part),
                )
        if "directional" in answers and not along:
            return row_failure(
                row, UNREADABLE, _("directional needs a direction: an 'along' column or --along")
            )
        key = (expression, variables, at, along)
        problem = self._problem(key)
        if isinstance(problem, GradcliError):
            verdict = UNREADABLE if isinstance(problem, InputError) else UNDECIDED
            return row_failure(
                row,
                verdict,
                _("the problem cannot be used: {reason}").format(reason=_describe(problem)),
            )
        answer_key = (key, tuple(sorted(answers.items())))
        parts = self._answers.get(answer_key)
        if parts is None:
            parts = self.grade_answers(problem, answers)
            if len(self._answers) > _ANSWERS:
                self._answers.clear()
            if all(p.verdict != UNDECIDED for p in parts):
                self._answers[answer_key] = parts
        return RowResult(line=row.line, id=row.id, parts=parts, extra=row.extra)

    def _problem(self, key: tuple[Any, ...]) -> Problem | GradcliError:
        """The prepared problem for (expression, variables, at, along), or why there is none."""
        problem = self._problems.get(key)
        if problem is None:
            expression, variables, at, along = key
            try:
                function = parse_function(expression, variables=variables, limits=self.limits)
                problem = self.prepare(function, at=at, along=along)
            except GradcliError as error:
                problem = error
            if len(self._problems) > _PROBLEMS:
                self._problems.clear()
            if not isinstance(problem, BudgetExceeded):  # out of time may not be for good
                self._problems[key] = problem
        return problem


def _describe(error: GradcliError) -> str:
    # read apart from the answer it quotes, so the position names its text
    return describe(error, quote=True)
