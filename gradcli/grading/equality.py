"""The one equality engine: symbolic, numeric at random points, decimal to the figures written.

Equality is decided in this order, and every result says which way decided:

``symbolic``
    the answer is the expected expression, or their difference simplifies to
    0 within the simplify budget (real symbols; trig, log and power identities);
``numeric``
    the two agree, relative tolerance :data:`~gradcli.tolerances.NUMERIC_RTOL`,
    at random points of their common domain, drawn with a fixed seed; points
    where either is undefined are skipped, and when fewer than
    :data:`~gradcli.grading.evaluator.MIN_POINTS` remain the check says so
    instead of guessing;
``decimal``
    a decimal answer (``8.60`` for √74) agrees with the exact value to the
    significant figures written (at least 2), or within
    :data:`~gradcli.tolerances.DECIMAL_RTOL`; an explicit tolerance replaces
    both rules.

``check`` grades with it, and ``steps`` verifies its derivations with it
(:func:`equivalent` with ``exact=True`` and the function as ``within``).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import sympy

from gradcli.budget import time_limit
from gradcli.errors import BudgetExceeded, InputError
from gradcli.grading.evaluator import Evaluator, constant_float
from gradcli.grading.results import DECIMAL, NUMERIC, SYMBOLIC
from gradcli.limits import Limits
from gradcli.parse import natural_key
from gradcli.printing import to_text
from gradcli.tolerances import DECIMAL_RTOL

if TYPE_CHECKING:
    from gradcli.grading.answers import Entry

__all__ = [
    "Equality",
    "approximate_text",
    "decide",
    "decimal_verdict",
    "equivalent",
    "number_equality",
    "significant_figures",
]

#: two constants are the same number when their correctly rounded floats
#: agree this closely (that is, are the same float), unless simplification
#: proves it first
_SAME_CONSTANT = 1e-20
#: a decimal on the half-unit boundary of its last place still counts as
#: correctly rounded (the float of the exact value may sit just past it)
_HALF_UNIT_SLACK = 1e-9


@dataclass(frozen=True)
class Equality:
    """How an answer compared with the expected expression.

    ``equal`` is ``None`` when the check could not decide; ``detail`` says
    how it was decided, or why not, in one line. ``identical`` is true when
    the two are the same expression as written, before any simplification.
    """

    equal: bool | None
    method: str | None
    detail: str
    identical: bool = False


_SAME = Equality(True, SYMBOLIC, "the same expression", identical=True)
_SIMPLIFIES = Equality(True, SYMBOLIC, "the difference simplifies to 0")


def equivalent(
    answer: sympy.Expr,
    expected: sympy.Expr,
    *,
    seed: int = 0,
    prefer: str = SYMBOLIC,
    limits: Limits | None = None,
    exact: bool = False,
    within: Sequence[sympy.Expr] = (),
) -> Equality:
    """Decide whether two expressions are equal: symbolically, else numerically.

    With ``prefer="numeric"`` (what a batch uses) the random points come first
    and simplification only settles what they cannot. ``exact`` asks whether
    the two are the same function, as a derivation checked against sympy's
    diff must be, not whether an answer is right within the tolerance:
    simplification is tried first even when the answer has a cancelled
    factor, and agreement at random points is confirmed with 40 digits.
    Points where an expression of ``within`` is undefined are not used.

    >>> x = sympy.Symbol("x", real=True)
    >>> equivalent(2 * sympy.sin(x) * sympy.cos(x), sympy.sin(2 * x)).method
    'symbolic'
    >>> equivalent((x**2 - 1) / (x - 1), x + 1).detail
    'equal at 16 random points where both are defined; the answer is undefined where x - 1 = 0'
    >>> equivalent(x, x + sympy.Rational(1, 10**12)).equal
    True
    >>> equivalent(x, x + sympy.Rational(1, 10**12), exact=True).equal
    False
    """
    limits = limits or Limits()
    free = answer.free_symbols | expected.free_symbols
    for expr in within:
        free |= expr.free_symbols
    symbols = sorted(free, key=lambda s: natural_key(s.name))
    evaluator = Evaluator(tuple(symbols), seed, within=within)
    return decide(answer, expected, evaluator, prefer=prefer, limits=limits, exact=exact)


def decide(
    answer: sympy.Expr,
    expected: sympy.Expr,
    evaluator: Evaluator,
    *,
    prefer: str,
    limits: Limits,
    exact: bool = False,
) -> Equality:
    """The engine behind :func:`equivalent`, with the random points already drawn."""
    if answer == expected:
        return _SAME
    if not answer.free_symbols and not expected.free_symbols:
        return constants_equal(answer, expected, limits)
    extra: list[sympy.Expr] | None = None
    tried = False
    if prefer == SYMBOLIC:
        difference = answer - expected
        if difference == 0:
            return _SAME
        # an answer defined on less than the expected one is shown numerically,
        # with where it is undefined: for a student, not for a derivation (exact)
        extra = [] if exact else _extra_conditions(answer, expected, evaluator)
        if not extra:
            tried = True
            if simplifies_to_zero(difference, limits):
                return _SIMPLIFIES
    result = evaluator.compare(answer, expected, exact=exact)
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
    if not tried and simplifies_to_zero(answer - expected, limits):
        return _SIMPLIFIES
    return Equality(
        None,
        None,
        f"cannot decide: only {result.points} of {result.tried} random points lie in "
        "the domain of both, and the difference does not simplify to 0",
    )


def constants_equal(answer: sympy.Expr, expected: sympy.Expr, limits: Limits) -> Equality:
    """Two expressions without symbols: their floats, then simplification."""
    a = constant_float(answer)
    b = constant_float(expected)
    if a is None or b is None:
        if simplifies_to_zero(answer - expected, limits):
            return _SIMPLIFIES
        return Equality(None, None, "cannot decide: the values cannot be evaluated")
    if abs(a - b) > _SAME_CONSTANT * max(abs(a), abs(b), 1e-300):
        return Equality(False, NUMERIC, "a different number")
    if simplifies_to_zero(answer - expected, limits):
        return _SIMPLIFIES
    return Equality(True, NUMERIC, "equal to 20 significant figures")


def number_equality(
    entry: Entry,
    exact: sympy.Expr,
    approx: float | None,
    *,
    tol: float | None,
    limits: Limits,
) -> Equality:
    """An answer that is a number, against the exact number expected."""
    if entry.expr == exact:
        return Equality(True, SYMBOLIC, "the same number", identical=True)
    exact_result = constants_equal(entry.expr, exact, limits)
    if exact_result.equal or not entry.approximate:
        return exact_result
    value = approx if approx is not None else constant_float(exact)
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


def simplifies_to_zero(difference: sympy.Expr, limits: Limits) -> bool:
    """Whether expand or simplify turn ``difference`` into 0 within the simplify budget."""
    try:
        with time_limit(limits.simplify_timeout, "simplification"):
            if sympy.expand(difference) == 0:
                return True
            return bool(sympy.simplify(difference) == 0)
    except (BudgetExceeded, RecursionError, TypeError):
        # TypeError: sympy's own "Invalid NaN comparison" inside simplify; not proved
        return False


def _extra_conditions(
    answer: sympy.Expr, expected: sympy.Expr, evaluator: Evaluator
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


@functools.lru_cache(maxsize=4096)
def _text(expr: sympy.Basic) -> str:
    return to_text(expr)


# -- decimals ------------------------------------------------------------------

_DECIMAL_LITERAL = re.compile(
    r"[+\-−]?\s*(?P<mantissa>\d+\.?\d*|\.\d+)(?P<exponent>[eE][+\-−]?\d+)?"
)
_APPROXIMATE = re.compile(r"\d\.|\.\d|\d[eE][+\-−]?\d")


def approximate_text(text: str) -> bool:
    """Whether ``text`` has a number with a decimal point or an exponent in it.

    >>> approximate_text("8.6"), approximate_text("1/3"), approximate_text("2e-3 x")
    (True, False, True)
    """
    return bool(_APPROXIMATE.search(text))


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
    :data:`~gradcli.tolerances.DECIMAL_RTOL` of the value, or when it is the
    value correctly rounded to the significant figures written (at least 2).
    With ``tol`` it must be within that relative tolerance (absolute when the
    value is 0).

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
            figures >= 2 and error <= half_unit * (1 + _HALF_UNIT_SLACK)
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
        if error <= 0.5 * 10.0 ** (leading - figures + 1) * (1 + _HALF_UNIT_SLACK):
            best = figures
        else:
            break
    return best


def _figures(n: int) -> str:
    return f"{n} significant figure" + ("" if n == 1 else "s")
