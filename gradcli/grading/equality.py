"""The one equality engine: exact where it can be, and never a float's word alone.

Equality is decided in this order, and every result says which way decided:

``symbolic``
    the answer is the expected expression, or their difference expands or
    simplifies to 0 within the simplify budget (real symbols; trig, log and
    power identities), or to a nonzero constant (then it is different, however
    small: decimals in an answer are exact);
``numeric``
    random points of the common domain (drawn with a fixed seed; points
    where either is undefined are skipped) screen with floats, relative
    :data:`~gradcli.tolerances.NUMERIC_RTOL`; an agreement is confirmed with
    exact fractions or 50 digits at a few of them
    (:meth:`~gradcli.grading.evaluator.Evaluator.compare`), and a difference
    with corners or jumps is accepted only piece by piece or region by region
    (:mod:`gradcli.grading.pieces`). When fewer than
    :data:`~gradcli.grading.evaluator.MIN_POINTS` remain, or a region cannot
    be settled, the result says so instead of guessing;
``decimal``
    a decimal answer (``8.60`` for √74) is judged by a
    :class:`~gradcli.grading.decimals.DecimalRule`: correctly rounded to the
    figures written, exactly N figures, or a tolerance.

``check`` grades with it, and ``steps`` verifies its derivations with it
(:func:`equivalent` with ``exact=True`` and the function as ``within``).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sympy

from gradcli.budget import time_limit
from gradcli.derivatives import kinks
from gradcli.errors import BudgetExceeded
from gradcli.grading.decimals import DecimalRule, whole_number
from gradcli.grading.evaluator import (
    PRECISE_DIGITS,
    Comparison,
    Evaluator,
    differing,
    precise_size,
)
from gradcli.grading.pieces import (
    MAX_KINKS,
    Pieces,
    crossing_points,
    expose_kinks,
    smooth_pieces,
    split,
)
from gradcli.grading.results import DECIMAL, NUMERIC, SYMBOLIC
from gradcli.i18n import N_, _
from gradcli.limits import Limits
from gradcli.parse import natural_key
from gradcli.printing import to_text

if TYPE_CHECKING:
    from gradcli.grading.answers import Entry

__all__ = [
    "Equality",
    "constants_equal",
    "decide",
    "equivalent",
    "number_equality",
]


@dataclass(frozen=True)
class Equality:
    """How an answer compared with the expected expression.

    ``equal`` is ``None`` when the check could not decide; ``detail`` says
    how it was decided, or why not, in one line. ``identical`` is true when
    the two are the same expression as written, before any simplification.
    ``caveat`` is true when the answer is equal where both are defined but
    undefined where the expected one is defined (``detail`` says where): a
    right answer whose detail is worth showing.
    """

    equal: bool | None
    method: str | None
    detail: str
    identical: bool = False
    caveat: bool = False


#: points of the regions, where floats differ, whose difference is confirmed with 50 digits
_CONFIRMED = 3
#: points of each region where floats agree that are looked at with 50 digits
_PER_REGION = 2


def _same() -> Equality:
    return Equality(True, SYMBOLIC, _("the same expression"), identical=True)


def _simplifies() -> Equality:
    return Equality(True, SYMBOLIC, _("the difference simplifies to 0"))


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
    diff must be: simplification is tried first even when the answer has a
    cancelled factor (every agreement at random points is confirmed exactly
    or with 50 digits, in either mode).
    Points where an expression of ``within`` is undefined are not used.

    >>> x = sympy.Symbol("x", real=True)
    >>> equivalent(2 * sympy.sin(x) * sympy.cos(x), sympy.sin(2 * x)).method
    'symbolic'
    >>> equivalent((x**2 - 1) / (x - 1), x + 1).detail
    'equal at 16 random points where both are defined; the answer is undefined where x - 1 = 0'
    >>> equivalent(x, x + sympy.Rational(1, 10**12)).equal
    False
    >>> equivalent(abs(x), x).detail
    'differs at x = -2.17'
    >>> equivalent(x / abs(x), sympy.sign(x)).method
    'symbolic'
    """
    limits = limits or Limits()
    # a sympy Float is the exact binary number it holds, not a float to compare loosely
    answer, expected = _exact_floats(answer), _exact_floats(expected)
    free = answer.free_symbols | expected.free_symbols
    for expr in within:
        free |= expr.free_symbols
    symbols = sorted(free, key=lambda s: natural_key(s.name))
    evaluator = Evaluator(tuple(symbols), seed, within=within)
    return decide(answer, expected, evaluator, prefer=prefer, limits=limits, exact=exact)


def _exact_floats(expr: sympy.Expr) -> sympy.Expr:
    floats = expr.atoms(sympy.Float)
    return expr.xreplace({f: sympy.Rational(f) for f in floats}) if floats else expr


def decide(
    answer: sympy.Expr,
    expected: sympy.Expr,
    evaluator: Evaluator,
    *,
    prefer: str,
    limits: Limits,
    exact: bool = False,
) -> Equality:
    """The engine behind :func:`equivalent`, with the random points already drawn.

    Exact reasoning decides first where it can: the difference simplifies to
    0, or to a nonzero constant. Random points then screen with floats, and
    every agreement is confirmed with 50 digits (the evaluator's
    ``compare``). A difference with non-smooth parts is accepted only piece
    by piece or region by region (:mod:`gradcli.grading.pieces`).
    """
    if answer == expected:
        return _same()
    if not answer.free_symbols and not expected.free_symbols:
        return constants_equal(answer, expected, limits)
    extra: list[sympy.Expr] | None = None
    tried = False
    constant: Equality | None = None
    if prefer == SYMBOLIC:
        difference = answer - expected
        if difference == 0:
            return _same()
        # an answer defined on less than the expected one is shown numerically,
        # with where it is undefined: for a student, not for a derivation (exact)
        extra = [] if exact else _extra_conditions(answer, expected, evaluator)
        if not extra:
            tried = True
            simplified = simplified_difference(difference, limits)
            if simplified == 0:
                # simplification works where both are defined: e^(2 ln x) is
                # x² only for x > 0, so an answer must also be defined everywhere
                # the expected one is; and sympy takes sign(x)² for 1, also at 0
                gap = evaluator.domain_gap(answer, expected)
                if gap is not None:
                    return _undefined(evaluator, gap)
                return _on_jumps(answer, expected, evaluator) or _simplifies()
            constant = _nonzero_constant(simplified)
    result = evaluator.compare(answer, expected)
    if constant is not None and result.status != "too_few":
        # exactly different, wherever both are defined (if they ever are)
        return constant
    if result.status == "equal":
        seen_answer, seen_expected = expose_kinks(answer), expose_kinks(expected)
        pieces = split(seen_answer, seen_expected)
        if pieces is not None:
            return _piecewise(seen_answer, seen_expected, pieces, evaluator, limits)
        if extra is None:
            extra = _extra_conditions(answer, expected, evaluator)
        if extra:
            where = ", ".join(f"{_text(c)} = 0" for c in extra)
            detail = _(
                "equal at {count} random points where both are defined; "
                "the answer is undefined where {conditions}"
            ).format(count=result.points, conditions=where)
            return Equality(True, NUMERIC, detail, caveat=True)
        return Equality(
            True, NUMERIC, _("equal at {count} random points").format(count=result.points)
        )
    if result.status == "different":
        return Equality(False, NUMERIC, _differs(evaluator.describe(result), result.size))
    if result.status in ("undefined", "too_large"):
        return _undefined(evaluator, result)
    if result.status == "unconfirmed":
        if not tried and simplifies_to_zero(answer - expected, limits):
            gap = evaluator.domain_gap(answer, expected)
            return _simplifies() if gap is None else _undefined(evaluator, gap)
        return Equality(
            None,
            None,
            _(
                "cannot decide: the values agree in floats, but the difference cannot be "
                "evaluated exactly, and it does not simplify to 0"
            ),
        )
    if not tried and simplifies_to_zero(answer - expected, limits):
        gap = evaluator.domain_gap(answer, expected)
        return _simplifies() if gap is None else _undefined(evaluator, gap)
    return Equality(
        None,
        None,
        _(
            "cannot decide: only {count} of {tried} random points lie in "
            "the domain of both, and the difference does not simplify to 0"
        ).format(count=result.points, tried=result.tried),
    )


def _on_jumps(answer: sympy.Expr, expected: sympy.Expr, evaluator: Evaluator) -> Equality | None:
    """A difference on a line where the answer's sign(u) is 0 and the key has no jump.

    The pieces are compared on each side of u = 0; sign(u) (or Heaviside(u))
    takes a third value on the line itself. Where u is linear in a variable,
    that variable is solved for and the two compared on the line.
    """
    own = {
        node.args[0]
        for node in sympy.preorder_traversal(answer)
        if isinstance(node, (sympy.sign, sympy.Heaviside))
    }
    theirs = set(kinks(expected))
    for u in own - theirs:
        for v in sorted(u.free_symbols & set(evaluator.symbols), key=lambda s: s.name):
            try:
                poly = sympy.Poly(u, v)
            except sympy.PolynomialError:
                continue
            if poly.degree() != 1:
                continue
            slope, intercept = poly.all_coeffs()
            if not slope.is_number or slope == 0:
                continue
            on_line = (answer - expected).xreplace({v: -intercept / slope})
            if evaluator.identically_zero(on_line) is False:
                return Equality(
                    False,
                    NUMERIC,
                    _("differs where {expression} = 0, where {sign} is 0").format(
                        expression=_text(u), sign=_text(sympy.sign(u))
                    ),
                )
            break
    return None


def _undefined(evaluator: Evaluator, result: Comparison) -> Equality:
    """The answer is undefined (or beyond floats) where the expected answer is not."""
    where = evaluator.describe(result)
    if result.status == "too_large":
        return Equality(
            False,
            NUMERIC,
            _(
                "the answer is far too large at {point} (beyond 10^308), "
                "where the expected answer is not"
            ).format(point=where),
        )
    return Equality(False, NUMERIC, _undefined_at(where))


def _undefined_at(where: str) -> str:
    return _("the answer is undefined at {point}, where the expected answer is defined").format(
        point=where
    )


def _differs(where: str, size: float | None = None) -> str:
    if size is None:
        return _("differs at {point}").format(point=where)
    return _("differs at {point}, by {size} (a difference too small for floats to see)").format(
        point=where, size=f"{size:.3g}"
    )


def _nonzero_constant(simplified: sympy.Expr | None) -> Equality | None:
    """The verdict when the difference is a nonzero number: exactly different."""
    if simplified is None or simplified.free_symbols:
        return None
    size = precise_size(simplified)
    if not size:
        return None
    return Equality(
        False,
        SYMBOLIC,
        _("the answer differs by the constant {constant}").format(constant=_text(simplified)),
    )


def _piecewise(
    answer: sympy.Expr,
    expected: sympy.Expr,
    pieces: Pieces,
    evaluator: Evaluator,
    limits: Limits,
) -> Equality:
    """Two expressions equal at the random points, whose difference has corners or jumps."""
    import numpy as np

    difference = answer - expected
    where = pieces.shown()
    unproven: list[dict[sympy.Expr, sympy.Expr]] | None = None
    if len(pieces.kinks) <= MAX_KINKS:
        unproven = []
        exactly = True
        for signs, smooth in smooth_pieces(difference, pieces):
            if smooth == 0 or simplified_difference(smooth, limits, expand_only=True) == 0:
                continue
            exactly = False
            if not evaluator.identically_zero(smooth):
                unproven.append(signs)
        if not unproven and not pieces.jumps:
            on_line = _on_jumps(answer, expected, evaluator)
            if on_line is not None:
                return on_line
            if exactly:
                detail = _("equal on each side of {breakpoints} = 0")
            else:
                detail = _(
                    "equal on each side of {breakpoints} = 0 "
                    "(each piece at the random points, to 50 digits)"
                )
            return Equality(
                True, SYMBOLIC if exactly else NUMERIC, detail.format(breakpoints=where)
            )
    points = np.concatenate([*evaluator.pools, crossing_points(pieces, evaluator)])
    points = points[evaluator.inside(points)]
    a = evaluator.values_at(answer, points)
    e = evaluator.values_at(expected, points)
    defined = np.isfinite(e)
    for row in np.flatnonzero(defined & ~np.isfinite(a))[:_CONFIRMED]:
        where = evaluator.describe_row(points[row])
        size = None
        if evaluator.defined_at(answer, points[row]):
            # floats overflowed where the answer is defined: compare there
            size = evaluator.difference_size(answer, expected, points[row])
            if size == 0.0:
                continue
        if size is None:
            return Equality(False, NUMERIC, _undefined_at(where))
        return Equality(False, NUMERIC, _differs(where))
    for row in np.flatnonzero(differing(a, e))[:_CONFIRMED]:
        size = evaluator.difference_size(answer, expected, points[row])
        if size is None or size > 0:
            return Equality(False, NUMERIC, _differs(evaluator.describe_row(points[row])))
    if unproven is None:
        return Equality(
            None,
            None,
            _(
                "cannot decide: the answer agrees at every point sampled, but {breakpoints} "
                "make too many pieces to check each"
            ).format(breakpoints=where),
        )
    regions = pieces.region_of(evaluator, points)
    seen = False
    for signs in unproven:
        pattern = np.array([float(signs[u]) for u in pieces.kinks])
        rows = np.flatnonzero(np.all(regions == pattern, axis=1) & defined)
        for row in rows[:_PER_REGION]:
            size = evaluator.difference_size(answer, expected, points[row])
            if size:
                # floats may or may not have seen it here: say where, not how small
                return Equality(False, NUMERIC, _differs(evaluator.describe_row(points[row])))
        seen = seen or bool(rows.size)
    if seen:
        return Equality(
            None,
            None,
            _(
                "cannot decide: the answer agrees at every point sampled, but not provably on "
                "each side of {breakpoints} = 0"
            ).format(breakpoints=where),
        )
    on_line = _on_jumps(answer, expected, evaluator)
    if on_line is not None:
        return on_line
    return Equality(
        True,
        NUMERIC,
        _(
            "equal on every region of the domain that the breakpoints ({breakpoints} = 0) make, "
            "sampled on both sides of each along each variable"
        ).format(breakpoints=where),
    )


def constants_equal(answer: sympy.Expr, expected: sympy.Expr, limits: Limits) -> Equality:
    """Two numbers, compared exactly: as fractions, else their difference to 50 digits.

    A difference that evaluates to a nonzero number (sympy's evalf resolves
    its digits) is a different number, however small; one that evaluates to
    nothing resolvable is 0 when simplification says so, and equal to 50
    digits otherwise.
    """
    if answer.is_Rational and expected.is_Rational:
        if answer == expected:
            return _same()
        return Equality(False, SYMBOLIC, _("a different number"))
    difference = answer - expected
    if difference == 0:
        return _same()
    size = precise_size(difference)
    if size is None:
        if simplifies_to_zero(difference, limits):
            return _simplifies()
        return Equality(None, None, _("cannot decide: the values cannot be evaluated"))
    if size > 0:
        return Equality(False, NUMERIC, _("a different number"))
    if simplifies_to_zero(difference, limits):
        return _simplifies()
    return Equality(
        True,
        NUMERIC,
        _("equal to {count} significant figures").format(count=PRECISE_DIGITS),
    )


def number_equality(
    entry: Entry,
    exact: sympy.Expr,
    *,
    rule: DecimalRule,
    limits: Limits,
) -> Equality:
    """An answer that is a number, against the exact number expected.

    A decimal written alone is judged by ``rule``
    (:mod:`gradcli.grading.decimals`); anything else is compared exactly, a
    decimal inside an expression being the exact number it spells.
    """
    if entry.literal is not None and (rule.sigfigs is not None or entry.expr != exact):
        ok, message = rule.judge(entry.literal, exact)
        return Equality(ok, DECIMAL, message)
    if entry.expr == exact:
        return Equality(True, SYMBOLIC, _("the same number"), identical=True)
    if rule.sigfigs is not None and whole_number(entry.text):
        # 1200 is 1234 to 2 figures: its trailing zeros may or may not count
        ok, message = rule.judge_whole(entry.text, exact)
        return Equality(ok, DECIMAL, message)
    result = constants_equal(entry.expr, exact, limits)
    if result.equal is False and rule.uses_tolerance and not entry.free:
        # a tolerance is about the value, however the number is written
        ok, message = rule.judge_value(entry.expr, exact)
        return Equality(ok, DECIMAL, message)
    if result.equal is False and entry.approximate:
        return Equality(
            False,
            DECIMAL,
            _(
                "a decimal inside an expression is read exactly, and this one is not the value: "
                "give the decimal alone (8.60) or an exact expression (sqrt(74))"
            ),
        )
    return result


def simplifies_to_zero(difference: sympy.Expr, limits: Limits) -> bool:
    """Whether expand or simplify turn ``difference`` into 0 within the simplify budget."""
    return simplified_difference(difference, limits) == 0


def simplified_difference(
    difference: sympy.Expr, limits: Limits, *, expand_only: bool = False
) -> sympy.Expr | None:
    """``difference`` expanded, else simplified, within the simplify budget (``None``: out of time).

    Expansion alone settles polynomials and decides a constant difference
    (1/10¹¹ is not 0); simplify is tried only when that leaves symbols.
    """
    try:
        with time_limit(limits.simplify_timeout, N_("simplification")):
            expanded = sympy.expand(difference)
            if expanded == 0 or not expanded.free_symbols or expand_only:
                return expanded
            return sympy.simplify(difference)
    except (BudgetExceeded, RecursionError, TypeError):
        # TypeError: sympy's own "Invalid NaN comparison" inside simplify; not proved
        return None


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
    _content, primitive = expr.as_content_primitive()
    if primitive.could_extract_minus_sign():
        primitive = -primitive
    return [primitive]


@functools.lru_cache(maxsize=4096)
def _text(expr: sympy.Basic) -> str:
    return to_text(expr)
