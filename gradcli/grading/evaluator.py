"""Values of expressions at seeded random points, many at once with numpy.

This is the numeric half of the equality engine (:mod:`gradcli.grading.equality`)
and the instrument the mistake finder measures answers with: a comparison at
random points, a constant ratio between two expressions, a derivative by
central differences. numpy is imported where it is used, so that importing
gradcli stays light.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy

from gradcli.i18n import _
from gradcli.numbers import real_powers, to_float
from gradcli.printing import decimal
from gradcli.tolerances import NUMERIC_RTOL

__all__ = [
    "MIN_POINTS",
    "PRECISE_DIGITS",
    "Comparison",
    "Evaluator",
    "constant_float",
    "differing",
    "precise_size",
]

#: fewest points of the common domain a numeric comparison needs
MIN_POINTS = 5

#: points of the first, small pool per variable (at least 16 in all); the
#: wide pool, out to ±100, has 512 (screened whenever the small one agrees)
_SMALL_POOL_PER_VARIABLE = 6
_WIDE_POOL = 512

#: a value this small, relative to the typical one of its column, is compared
#: absolutely: a zero computed as 1e-17 is not a relative difference of 1
#: (and the gap is then settled exactly anyway)
_ABSOLUTE_FLOOR = 1e-12

#: how many of the largest float gaps are looked at again, exactly or with 50
#: digits: a difference that is not 0 is 0 at a random point by chance only
_CONFIRM_POINTS = 2

#: bits of a float's mantissa: a 50-digit evaluation with fewer bits than
#: this could not resolve its value at all
_FLOAT_BITS = 53

#: the step of the central differences, relative to the coordinate (≥ 1):
#: near the cube root of the float epsilon, where truncation and rounding
#: errors are both about 1e-10
_DIFFERENCE_STEP = 1e-5
#: central differences agree with a derivative within this (relative)
_DIFFERENCE_RTOL = 1e-4


@dataclass(frozen=True)
class Comparison:
    """How two expressions compared at the random points."""

    #: equal, different, undefined (answer undefined where expected is not),
    #: too_large (the answer overflows where expected does not), too_few,
    #: unconfirmed (floats agree, but no point could be evaluated exactly)
    status: str
    points: int
    tried: int
    where: int | None = None
    level: int = 0
    #: the largest difference relative to the values (absolute where they are
    #: below 1), for a "different" result
    worst: float = 0.0
    #: |answer − expected| where it was measured with 50 digits (too small for floats)
    size: float | None = None


class Evaluator:
    """Values of expressions at a fixed set of random points, with numpy.

    The points are drawn once from a seeded generator: a small set first, and
    a large, wider one when too few of the small set lie in the domain. Each
    expression's values come from one walk over its tree with vectorised
    numpy operations: compiling each answer with ``lambdify`` would cost more
    than all the rest of grading it. Values of expected expressions are kept.

    Values are taken as everywhere in gradcli: an odd root of a negative
    number is real (:func:`gradcli.numbers.real_powers`), so ∛x is compared
    at negative points too.

    ``within`` restricts comparisons to the points where each of those
    expressions is defined (the steps' check compares derivatives only where
    the function itself is real).

    >>> x = sympy.Symbol("x", real=True)
    >>> Evaluator((x,), seed=0).compare(sympy.sin(x) ** 2, 1 - sympy.cos(x) ** 2).status
    'equal'
    """

    def __init__(
        self,
        symbols: Sequence[sympy.Symbol],
        seed: int,
        *,
        within: Sequence[sympy.Expr] = (),
    ) -> None:
        self.symbols = tuple(symbols)
        self.within = tuple(within)
        self.seed = seed
        self._drawn: list[Any] | None = None
        self._kept: list[dict[sympy.Basic, Any]] = [{}, {}]
        self._recent: list[dict[sympy.Basic, Any]] = [{}, {}]
        self._domains: list[Any] = [None, None]
        #: work kept for this evaluator's points by other modules (breakpoint crossings)
        self.extras: dict[Any, Any] = {}

    @property
    def pools(self) -> list[Any]:
        """The small and the wide pool of random points (rows are points)."""
        return self._pools

    @property
    def _pools(self) -> list[Any]:
        """The two pools of points, drawn when first needed (numpy is not imported before)."""
        if self._drawn is None:
            import numpy as np

            rng = np.random.default_rng(self.seed)
            k = len(self.symbols)
            small = max(16, _SMALL_POOL_PER_VARIABLE * k)
            self._drawn = [_draw(rng, k, small, wide=False), _draw(rng, k, _WIDE_POOL, wide=True)]
        return self._drawn

    def values(self, expr: sympy.Basic, level: int = 0, keep: bool = False) -> Any:
        """The float values of ``expr`` at the points of pool ``level`` (nan: undefined)."""
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
                out = _numeric(_real(expr), columns, pool.shape[0], memo)
            except (_Unsupported, KeyError, TypeError, ValueError, OverflowError, RecursionError):
                out = _fallback(_real(expr), self.symbols, pool)
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
                    value = float(_numeric(_real(expr), columns, 1, {})[0])
                except (_Unsupported, KeyError, TypeError, ValueError, OverflowError):
                    return None
                if not math.isfinite(value):
                    return None
                out.append(value)
        return tuple(out)

    def compare(
        self,
        answer: sympy.Expr,
        expected: sympy.Expr,
        *,
        exact: bool = False,
        confirm: bool = True,
    ) -> Comparison:
        """Compare at both pools of points: floats screen, exact arithmetic decides.

        Every point of both pools (the small one near the origin, the wide one
        out to ±100) is screened in floats. With ``confirm`` (grading, not
        naming a mistake) no float verdict stands alone:

        * where the answer is undefined (nan, or an overflow) and the
          expected one is not, the answer is evaluated with 50 digits there
          (cosh(800x) − sinh(800x) overflows in floats but is defined);
        * where the floats differ beyond rounding (relative
          :data:`~gradcli.tolerances.NUMERIC_RTOL`), the largest gaps are
          evaluated exactly (fractions) or with 50 digits: a gap that is float
          rounding is not a difference;
        * where they agree, the difference is evaluated so at points of both
          pools, so that a difference too small for floats (a constant
          1e-11, 0.333333333333333 for 1/3, an error of 1 in values near
          10¹³) is a difference.

        ``exact`` is kept for callers that check derivations: every comparison
        is now confirmed, so it changes nothing here.
        """
        import numpy as np

        del exact
        columns: list[tuple[Any, Any]] = []
        for level in (0, 1):
            # the wide pool is evaluated only when the small one shows no difference
            a = self._restricted(self.values(answer, level), level)
            e = self._restricted(self.values(expected, level, keep=True), level)
            columns.append((a, e))
            lost = self._lost(answer, expected, a, e, level, confirm)
            if lost is not None:
                status, row = lost
                return self._result(columns, status, row, level)
            rows = np.flatnonzero(differing(a, e))
            if rows.size:
                scale = np.maximum(np.maximum(np.abs(a[rows]), np.abs(e[rows])), 1.0)
                relative = np.abs(a[rows] - e[rows]) / scale
                found = sorted(
                    ((float(r), level, int(row)) for r, row in zip(relative, rows)), reverse=True
                )
                for worst, _size, row in found[:_CONFIRM_POINTS]:
                    if not confirm:
                        return self._result(columns, "different", row, level, worst=worst)
                    size = self._difference_at(answer, expected, level, row)
                    if size is None or size:
                        # a gap that 50 digits cannot settle stays a gap
                        return self._result(columns, "different", row, level, worst=worst)
        counts = [int(np.count_nonzero(np.isfinite(a) & np.isfinite(e))) for a, e in columns]
        if sum(counts) < MIN_POINTS:
            return self._result(columns, "too_few", None, 0)
        if confirm:
            confirmed = 0
            for level, row in self._confirming(columns):
                size = self._difference_at(answer, expected, level, row)
                if size:
                    a, e = columns[level]
                    scale = max(abs(float(a[row])), abs(float(e[row])), 1.0)
                    return self._result(
                        columns, "different", row, level, worst=size / scale, size=size
                    )
                confirmed += size is not None
            if not confirmed:
                # floats agree, but nowhere could the difference be evaluated exactly
                return self._result(columns, "unconfirmed", None, 0)
        return self._result(columns, "equal", None, 0)

    def _lost(
        self,
        answer: sympy.Expr,
        expected: sympy.Expr,
        a: Any,
        e: Any,
        level: int,
        confirm: bool,
    ) -> tuple[str, int] | None:
        """A point where the answer is undefined (or overflows) and the expected one is not.

        With ``confirm``, a point where floats fail but the answer is defined
        in real arithmetic is compared there instead (cosh(800x) − sinh(800x)
        overflows in floats): ``("different", row)`` if it differs.
        """
        import numpy as np

        if int(np.count_nonzero(np.isfinite(e))) < MIN_POINTS and level == 0:
            return None  # too few points here to say: the wide pool decides
        for row in np.flatnonzero(np.isfinite(e) & ~np.isfinite(a))[:_CONFIRM_POINTS]:
            point = self._pools[level][row]
            if confirm and self.defined_at(answer, point):
                size = self.difference_size(answer, expected, point)
                if size == 0.0:
                    continue
                if size is not None:
                    return "different", int(row)
            # an overflow (beyond 1.8e308) is a size, not a hole in the domain
            return ("too_large" if np.isinf(a[row]) else "undefined"), int(row)
        return None

    def _result(
        self,
        columns: Sequence[tuple[Any, Any]],
        status: str,
        row: int | None,
        level: int,
        *,
        worst: float = 0.0,
        size: float | None = None,
    ) -> Comparison:
        """A comparison's result, counting the points as the pool that decided shows them."""
        import numpy as np

        counts = [int(np.count_nonzero(np.isfinite(a) & np.isfinite(e))) for a, e in columns]
        shown = 0 if counts[0] >= MIN_POINTS or len(columns) == 1 else 1
        if row is not None:
            shown = level
        e = columns[min(shown, len(columns) - 1)][1]
        points = counts[min(shown, len(counts) - 1)]
        return Comparison(status, points, int(e.shape[0]), row, level, worst, size)

    def _confirming(self, columns: Sequence[tuple[Any, Any]]) -> list[tuple[int, int]]:
        """Points where an agreement is confirmed: one near the origin, and the
        wide pool's farthest (a difference may live far away)."""
        import numpy as np

        out = []
        for level, (a, e) in enumerate(columns):
            rows = np.flatnonzero(np.isfinite(a) & np.isfinite(e))
            if not rows.size:
                continue
            if level == 0:
                out.append((level, int(rows[0])))
            else:
                far = rows[int(np.argmax(np.abs(self._pools[level][rows]).max(axis=1)))]
                out.append((level, int(far)))
        if len(out) < 2 and columns:
            # one pool only: two of its points
            level = out[0][0] if out else 0
            a, e = columns[level]
            rows = np.flatnonzero(np.isfinite(a) & np.isfinite(e))
            out.extend((level, int(r)) for r in rows[1:2])
        return out

    def identically_zero(self, expr: sympy.Expr) -> bool | None:
        """Whether ``expr`` is 0 at the random points (floats, then 50 digits at a few).

        ``None`` when too few points are defined.
        """
        zero = sympy.S.Zero
        status = self.compare(expr, zero).status
        if status == "equal":
            return True
        if status == "different":
            return False
        return None

    def values_at(self, expr: sympy.Expr, points: Any) -> Any:
        """The float values of ``expr`` at the rows of ``points`` (nan: undefined)."""
        import numpy as np

        columns = {s: points[:, k] for k, s in enumerate(self.symbols)}
        with np.errstate(all="ignore"):
            try:
                return _numeric(_real(expr), columns, points.shape[0], {})
            except (_Unsupported, KeyError, TypeError, ValueError, OverflowError, RecursionError):
                return _fallback(_real(expr), self.symbols, points)

    def inside(self, points: Any) -> Any:
        """Which rows of ``points`` lie where every expression of ``within`` is defined."""
        import numpy as np

        inside = np.all(np.isfinite(points), axis=1)
        for expr in self.within:
            inside &= np.isfinite(self.values_at(expr, points))
        return inside

    def defined_at(self, expr: sympy.Expr, row: Any) -> bool:
        """Whether ``expr`` has a finite real value at one point, in real arithmetic.

        Evaluated with 50 digits, after checking each logarithm, even root and
        inverse function on the way: √(9 − x²)·√(1/(9 − x²)) is −1 at x = 14
        in complex numbers, and undefined in real ones.
        """
        point = {s: sympy.Rational(float(v)) for s, v in zip(self.symbols, row)}
        real = _real(expr)
        for node in sympy.preorder_traversal(real):
            if not _node_defined(node, point):
                return False
        return _resolved(real, point) is not None

    def domain_gap(self, answer: sympy.Expr, expected: sympy.Expr) -> Comparison | None:
        """A point where the answer is undefined and the expected answer is not.

        The floats of both pools point at candidates (nan or an overflow); each
        is confirmed in real arithmetic with 50 digits.
        """
        import numpy as np

        for level in (0, 1):
            a = self._restricted(self.values(answer, level), level)
            e = self._restricted(self.values(expected, level, keep=True), level)
            for row in np.flatnonzero(np.isfinite(e) & ~np.isfinite(a))[:_CONFIRM_POINTS]:
                if not self.defined_at(answer, self._pools[level][row]):
                    status = "too_large" if np.isinf(a[row]) else "undefined"
                    count = int(np.count_nonzero(np.isfinite(e)))
                    return Comparison(status, count, int(e.shape[0]), int(row), level)
        return None

    def difference_size(self, answer: sympy.Expr, expected: sympy.Expr, row: Any) -> float | None:
        """|answer − expected| at one point: exactly in fractions for rational
        functions, else with 50 digits (sympy's evalf, which raises its working
        precision where a sum cancels and returns no digit for a true 0).

        0.0 when the difference is 0 (or resolves no digit); ``None`` when it
        cannot be evaluated as a real number there.
        """
        exact = self._rational_difference(answer, expected, row)
        if exact is not None:
            # exact: any difference is one, however small (or large)
            if not exact:
                return 0.0
            try:
                return abs(float(exact)) or math.ulp(0.0)
            except OverflowError:
                return math.inf
        point = {s: sympy.Rational(float(v)) for s, v in zip(self.symbols, row)}
        return _resolved(_real(_difference(answer, expected)), point)

    def describe_row(self, row: Any) -> str:
        """A point as shown in messages: ``x = 1.23, y = -0.5``."""
        return ", ".join(f"{s.name} = {decimal(float(v), 3)}" for s, v in zip(self.symbols, row))

    def same(self, answer: sympy.Expr, target: sympy.Expr) -> bool:
        """Whether an answer is ``target`` at the random points: to name a mistake, not to grade."""
        return self.compare(answer, target, confirm=False).status == "equal"

    def difference(self, answer: sympy.Expr, expected: sympy.Expr) -> Any:
        """The values of ``answer - expected``, if enough of them are defined."""
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
        h = _DIFFERENCE_STEP * np.maximum(np.abs(pool[:, k]), 1.0)
        shifted = []
        for sign in (1.0, -1.0):
            moved = pool.copy()
            moved[:, k] += sign * h
            columns = {s: moved[:, m] for m, s in enumerate(self.symbols)}
            with np.errstate(all="ignore"):
                try:
                    shifted.append(_numeric(_real(expr), columns, moved.shape[0], {}))
                except (_Unsupported, KeyError, TypeError, ValueError, OverflowError):
                    return False
        with np.errstate(all="ignore"):
            slope = (shifted[0] - shifted[1]) / (2 * h)
        wanted = self.values(target, keep=True)
        ok = np.isfinite(slope) & np.isfinite(wanted)
        if np.count_nonzero(ok) < MIN_POINTS:
            return False
        scale = np.maximum(np.abs(wanted[ok]), 1e-3 * float(np.abs(wanted[ok]).max()) + 1e-300)
        return bool(np.all(np.abs(slope[ok] - wanted[ok]) <= _DIFFERENCE_RTOL * scale))

    def describe(self, result: Comparison) -> str:
        """The point where a comparison failed: ``x = 1.23, y = -0.5``."""
        if result.where is None or not self.symbols:
            return _("the point checked")
        return self.describe_row(self._pools[result.level][result.where])

    def _restricted(self, values: Any, level: int) -> Any:
        """``values`` with nan where an expression of ``within`` is undefined."""
        import numpy as np

        if not self.within:
            return values
        if self._domains[level] is None:
            inside = np.ones(self._pools[level].shape[0], dtype=bool)
            for expr in self.within:
                inside &= np.isfinite(self.values(expr, level, keep=True))
            self._domains[level] = inside
        return np.where(self._domains[level], values, np.nan)

    def _rational_difference(
        self, answer: sympy.Expr, expected: sympy.Expr, row: Any
    ) -> Fraction | None:
        """answer − expected at ``row`` in exact fractions, when both are rational functions.

        Most answers are polynomials or quotients of them: fractions settle
        them exactly, and far faster than 50-digit evaluation. The expected
        answer's values are kept (it is the same for a whole class).
        """
        key = tuple(float(v) for v in row)
        point = {s: Fraction(v) for s, v in zip(self.symbols, key)}
        a = _fraction_at(answer, point)
        if a is None:
            return None
        memo = self.extras.setdefault("fractions", {})
        if (expected, key) not in memo:
            if len(memo) > 10_000:
                memo.clear()
            memo[(expected, key)] = _fraction_at(expected, point)
        e = memo[(expected, key)]
        return None if e is None else a - e

    def _difference_at(
        self, answer: sympy.Expr, expected: sympy.Expr, level: int, row: int
    ) -> float | None:
        """|answer − expected| at one pool point, with 50 digits (see :meth:`difference_size`)."""
        return self.difference_size(answer, expected, self._pools[level][row])


def _node_defined(node: sympy.Basic, point: Mapping[sympy.Symbol, sympy.Expr]) -> bool:
    """Whether one node of an expression is defined in real numbers at the point."""
    if isinstance(node, sympy.log):
        return _sign_at(node.args[0], point) == 1
    if isinstance(node, (sympy.asin, sympy.acos)):
        arg = node.args[0]
        return _sign_at(1 - arg, point) in (0, 1) and _sign_at(1 + arg, point) in (0, 1)
    if isinstance(node, sympy.acosh):
        return _sign_at(node.args[0] - 1, point) in (0, 1)
    if isinstance(node, sympy.atanh):
        arg = node.args[0]
        return _sign_at(1 - arg, point) == 1 and _sign_at(1 + arg, point) == 1
    if node.is_Pow and node.base.free_symbols:
        exponent = node.exp
        if exponent.is_Rational and not exponent.is_Integer and exponent.q % 2 == 0:
            wanted = (1,) if exponent < 0 else (0, 1)
            return _sign_at(node.base, point) in wanted
        if exponent.is_negative:
            return _sign_at(node.base, point) != 0
    return True


def _sign_at(expr: sympy.Basic, point: Mapping[sympy.Symbol, sympy.Expr]) -> int | None:
    """The sign of a real value at the point with 30 digits (``None``: not real)."""
    try:
        value = expr.evalf(30, subs=dict(point))
    except (TypeError, ValueError, ArithmeticError, RecursionError):
        return None
    if not isinstance(value, sympy.Expr) or value.free_symbols:
        return None
    real, imaginary = value.as_real_imag()
    if not real.is_Number or (imaginary != 0 and _resolves(imaginary)):
        return None
    if not _resolves(real):
        return 0
    return 1 if real > 0 else -1


def _fraction_at(expr: sympy.Expr, point: Mapping[sympy.Basic, Fraction]) -> Fraction | None:
    try:
        return _fraction_value(expr, point)
    except ZeroDivisionError:
        return None


def _fraction_value(expr: sympy.Basic, point: Mapping[sympy.Basic, Fraction]) -> Fraction | None:
    if expr.is_Symbol:
        return point.get(expr)
    if expr.is_Rational:
        return Fraction(int(expr.p), int(expr.q))
    if expr.is_Add or expr.is_Mul:
        values = []
        for arg in expr.args:
            value = _fraction_value(arg, point)
            if value is None:
                return None
            values.append(value)
        out = values[0]
        for value in values[1:]:
            out = out + value if expr.is_Add else out * value
        return out
    if expr.is_Pow and expr.exp.is_Integer and abs(int(expr.exp)) <= _FRACTION_POWER:
        base = _fraction_value(expr.base, point)
        return None if base is None else base ** int(expr.exp)
    return None


#: the largest integer power evaluated in exact fractions (beyond it, 50 digits)
_FRACTION_POWER = 64


@functools.lru_cache(maxsize=4096)
def _difference(answer: sympy.Expr, expected: sympy.Expr) -> sympy.Expr:
    return answer - expected


#: digits a difference is evaluated with to tell whether it is 0
PRECISE_DIGITS = 50


@functools.lru_cache(maxsize=4096)
def precise_size(difference: sympy.Expr) -> float | None:
    """|difference| of a constant, when evalf resolves it; 0.0 when it resolves no digit.

    sympy's evalf raises its working precision where a sum cancels, so a
    nonzero result has digits it vouches for: then the difference is not 0,
    however small (1e-11, or 1/3 − 0.333333333333333). A difference that is
    0 resolves no digit (or is exactly 0). ``None``: it cannot be evaluated
    as a real number.

    >>> precise_size(sympy.Rational(1, 10**11)) > 0, precise_size(sympy.sqrt(2) ** 2 - 2)
    (True, 0.0)
    """
    return _resolved(_real(difference), {})


def _resolved(expr: sympy.Basic, point: Mapping[sympy.Symbol, sympy.Expr]) -> float | None:
    try:
        value = expr.evalf(PRECISE_DIGITS, subs=dict(point) if point else None)
    except (TypeError, ValueError, ArithmeticError, RecursionError):
        return None
    if not isinstance(value, sympy.Expr) or value.free_symbols:
        return None
    if value.is_zero:
        return 0.0
    real, imaginary = value.as_real_imag()
    for part in (real, imaginary):
        if not (part.is_Number and part.is_finite):
            return None
    if imaginary != 0 and _resolves(imaginary):
        return None
    if not _resolves(real):
        return 0.0
    return abs(float(real)) or math.ulp(0.0)


def _resolves(number: sympy.Expr) -> bool:
    """Whether a number evalf returned has digits (a cancelled sum comes back as 0.e-173)."""
    if number == 0:
        return False
    precision = getattr(number, "_prec", _FLOAT_BITS)
    return bool(precision >= _FLOAT_BITS)


@functools.lru_cache(maxsize=4096)
def constant_float(expr: sympy.Expr) -> float | None:
    """The correctly rounded float of a real constant; ``None`` if it has no finite one.

    >>> constant_float(sympy.sqrt(2)), constant_float(sympy.zoo)
    (1.4142135623730951, None)
    """
    try:
        value = to_float(_real(expr))
    except (TypeError, ValueError, ArithmeticError, RecursionError):
        return None
    return value if math.isfinite(value) else None


@functools.lru_cache(maxsize=4096)
def _real(expr: sympy.Basic) -> sympy.Basic:
    """``expr`` as its values are taken: an odd root of a negative number is real."""
    return real_powers(expr) if isinstance(expr, sympy.Expr) else expr


def _draw(rng: Any, k: int, n: int, *, wide: bool) -> Any:
    """``n`` random points in ``k`` dimensions; half with every coordinate positive."""
    import numpy as np

    spread = 10.0 ** rng.uniform(-2.0, 2.0, (n, k)) if wide else rng.uniform(0.2, 2.5, (n, k))
    magnitudes = spread
    signs = rng.choice(np.array([-1.0, 1.0]), (n, k))
    signs[: n // 2] = 1.0
    return magnitudes * signs


def differing(a: Any, e: Any) -> Any:
    """Where two columns of values differ beyond float rounding (nan never differs)."""
    import numpy as np

    scale = np.maximum(np.abs(a), np.abs(e))
    finite = np.isfinite(a) & np.isfinite(e)
    with np.errstate(invalid="ignore"):
        gap = np.abs(a - e)
        relative = finite & (gap > NUMERIC_RTOL * scale)
    if not relative.any():
        return relative
    # the typical size, not the largest: values out to x = 100 may be astronomic
    floor = _ABSOLUTE_FLOOR * float(np.median(scale[finite]))
    return relative & (gap > NUMERIC_RTOL * scale + floor)


#: a divisor this small, relative to its largest value, counts as zero
_VANISHING = 1e-12
#: where the divisor vanishes, the dividend must be this small (relative) too
_VANISHING_DIVIDEND = 1e-9
#: a ratio is shown as a fraction with a denominator up to this
_RATIO_DENOMINATOR = 1000


def _constant_ratio(a: Any, b: Any, rtol: float) -> float | None:
    import numpy as np

    ok = np.isfinite(a) & np.isfinite(b)
    if np.count_nonzero(ok) < MIN_POINTS:
        return None
    av, bv = a[ok], b[ok]
    big = np.abs(bv) > _VANISHING * max(float(np.abs(bv).max()), 1e-300)
    if np.count_nonzero(big) < MIN_POINTS:
        return None
    # where b vanishes, a must too
    if np.any(np.abs(av[~big]) > _VANISHING_DIVIDEND * max(float(np.abs(av).max()), 1e-300)):
        return None
    ratios = av[big] / bv[big]
    first = float(ratios[0])
    if first == 0 or not np.all(np.abs(ratios - first) <= rtol * abs(first)):
        return None
    fraction = Fraction(first).limit_denominator(_RATIO_DENOMINATOR)
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
    elif isinstance(expr, sympy.Piecewise):
        out = np.full(n, np.nan)
        taken = np.zeros(n, dtype=bool)
        for piece, condition in expr.args:
            where = _holds(condition, columns, n, memo) & ~taken
            if where.any():
                out = np.where(where, _numeric(piece, columns, n, memo), out)
            taken |= where
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


def _holds(
    condition: sympy.Basic,
    columns: Mapping[sympy.Basic, Any],
    n: int,
    memo: dict[sympy.Basic, Any],
) -> Any:
    """Where a condition of a ``Piecewise`` holds, as a boolean array."""
    import numpy as np

    if condition is sympy.true:
        return np.ones(n, dtype=bool)
    if condition is sympy.false:
        return np.zeros(n, dtype=bool)
    if isinstance(condition, sympy.And):
        return np.logical_and.reduce([_holds(c, columns, n, memo) for c in condition.args])
    if isinstance(condition, sympy.Or):
        return np.logical_or.reduce([_holds(c, columns, n, memo) for c in condition.args])
    if isinstance(condition, sympy.Not):
        return ~_holds(condition.args[0], columns, n, memo)
    compare = _RELATIONS.get(type(condition))
    if compare is None:
        raise _Unsupported(type(condition).__name__)
    lhs, rhs = (_numeric(side, columns, n, memo) for side in condition.args)
    return compare(lhs, rhs)


_RELATIONS: dict[type, Callable[[Any, Any], Any]] = {
    sympy.Eq: lambda a, b: a == b,
    sympy.Ne: lambda a, b: a != b,
    sympy.Lt: lambda a, b: a < b,
    sympy.Le: lambda a, b: a <= b,
    sympy.Gt: lambda a, b: a > b,
    sympy.Ge: lambda a, b: a >= b,
}


def _number(expr: sympy.Basic) -> float:
    """A constant's float for the walk: ``nan`` when it has none, ``±inf`` past floats."""
    if not isinstance(expr, sympy.Expr):
        return math.nan
    try:
        return to_float(expr)
    except (TypeError, ValueError, ArithmeticError):
        return math.nan


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
                # the derivative of sign or |u|' on the real line: 0 away from
                # u = 0, undefined at it (sympy writes 2·DiracDelta(u))
                sympy.DiracDelta: lambda u, *order: np.where(u != 0, 0.0, np.nan),
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
        out = np.asarray(out)
        if np.iscomplexobj(out):  # a complex value is undefined in the real reading
            out = np.where(out.imag == 0, out.real, np.nan)
        return np.broadcast_to(out.astype(float), (pool.shape[0],)).astype(float)
    except Exception:  # noqa: BLE001 - anything unevaluable counts as undefined
        return np.full(pool.shape[0], math.nan)
