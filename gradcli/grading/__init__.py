"""Checking answers: is a student's gradient (value, length, direction, …) right?

Everything here is pure: text and sympy in, frozen dataclasses out. A batch of
answers goes through one :class:`Grader`, which parses and differentiates each
distinct problem once. The modules, from the bottom up:

``results``
    the words (parts, verdicts, methods, mistakes) and the frozen results;
``evaluator``
    values of expressions at seeded random points, vectorised with numpy;
``equality``
    the one equality engine (symbolic, numeric, decimal), which ``steps``
    verifies its derivations with too;
``answers``
    reading an answer: vectors, matrices, critical points with kinds;
``problem``
    one function and point, prepared once for many answers;
``mistakes``
    naming the mistake in a wrong answer;
``parts``
    grading each part, component by component;
``critical_part``
    grading the critical points answered, and their kinds;
``grader``
    the :class:`Grader` and :func:`check`;
``batch``
    reading a class's answers (CSV, JSON Lines) and summarizing them.
"""

from __future__ import annotations

from gradcli.grading.batch import COLUMNS, BatchReader, summarize
from gradcli.grading.decimals import DecimalRule, significant_figures
from gradcli.grading.equality import Equality, equivalent
from gradcli.grading.evaluator import MIN_POINTS
from gradcli.grading.grader import Grader, check
from gradcli.grading.results import (
    CORRECT,
    DECIMAL,
    MISTAKES,
    NUMERIC,
    PARTS,
    SYMBOLIC,
    UNDECIDED,
    UNREADABLE,
    WRONG,
    BatchRow,
    BatchSummary,
    PartResult,
    RowResult,
    Verdict,
    exit_code,
    is_correct,
    part_verdicts,
    row_failure,
    summary_line,
)
from gradcli.tolerances import NUMERIC_RTOL

__all__ = [
    "COLUMNS",
    "CORRECT",
    "DECIMAL",
    "MIN_POINTS",
    "MISTAKES",
    "NUMERIC",
    "NUMERIC_RTOL",
    "PARTS",
    "SYMBOLIC",
    "UNDECIDED",
    "UNREADABLE",
    "WRONG",
    "BatchReader",
    "BatchRow",
    "BatchSummary",
    "DecimalRule",
    "Equality",
    "Grader",
    "PartResult",
    "RowResult",
    "Verdict",
    "check",
    "equivalent",
    "exit_code",
    "is_correct",
    "part_verdicts",
    "row_failure",
    "significant_figures",
    "summarize",
    "summary_line",
]
