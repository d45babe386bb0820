"""Solving ∇f = 0: exactly (sympy, or the polynomial real solver), and numerically
(Levenberg–Marquardt from many starts in the box), with simple exact numbers
recognised among the numeric roots."""

from __future__ import annotations

import math
import time
from fractions import Fraction
from itertools import product
from typing import Any

import sympy

from gradcli.critical.context import SOLVE_SHARE, Candidate, Context, close
from gradcli.critical.polynomial import real_solutions
from gradcli.critical.results import CriticalSet
from gradcli.errors import UndefinedError
from gradcli.i18n import _
from gradcli.numbers import exact_sign, to_float, value_at
from gradcli.second_order import OUT_OF_TIME, bounded, within
from gradcli.tolerances import NUMERIC_GRADIENT_ZERO

__all__ = ["exact_candidate", "new_points", "numeric_search", "recognise", "solve_exactly"]

Solution = dict[sympy.Symbol, sympy.Expr]

#: a numeric coordinate is recognised as a simple exact number within this
#: (relative) distance; the exact gradient there then decides
_RECOGNISE = 1e-7
#: denominators tried when recognising p/q, p/q·π and √(p/q)
_MAX_DENOMINATOR = 12
#: a numeric point lies on an exact set when its equations hold within this
_ON_SET = 1e-6
#: Levenberg–Marquardt: iterations, starting damping, and the largest damping
#: before a start is abandoned
_ITERATIONS = 300
_DAMPING = 1e-4
_MAX_DAMPING = 1e12
#: random starts, beyond a grid of about this many points
_RANDOM_STARTS = 100
_GRID_STARTS = 200
#: one variable: grid points scanned for sign changes of f', and bisections of
#: each bracket (enough to reach adjacent floats from any bracket in the box)
_BRACKET_POINTS = 20_001
_BISECTIONS = 64
_MAX_BRACKETS = 100
#: a bisected bracket is a root only where |f'| fell by this factor
_BRACKET_SHRINK = 1e-6
#: the numeric search leaves this share of the budget for classification
_KEEP_FOR_LATER = 0.3


def solve_exactly(ctx: Context, rational: bool) -> tuple[str, list[Solution]]:
    """Solve ∇f = 0: a status and the solutions as dicts.

    ``"complete"``: every real solution, exactly (a zero-dimensional
    polynomial system, or a linear one); ``"ok"``: what sympy's ``solve``
    found, which may miss some; ``"timeout"`` or ``"failed"``: nothing.
    """
    end = ctx.share(SOLVE_SHARE)
    if rational and not any(g.has(sympy.Float) for g in ctx.gradient):
        found = _solve_polynomial(ctx, end)
        if found is OUT_OF_TIME:
            return "timeout", []
        if found is not None:
            return "complete", [ctx.values(p) for p in found]

    def solve() -> Any:
        return sympy.solve(list(ctx.gradient), list(ctx.variables), dict=True)

    try:
        result = bounded(solve, end)
    except Exception as error:  # noqa: BLE001 - sympy raises many kinds; the numeric search follows
        ctx.notes.append(
            _("sympy could not solve ∇f = 0 ({error})").format(error=type(error).__name__)
        )
        return "failed", []
    if result is OUT_OF_TIME:
        ctx.notes.append(_timeout_note(ctx))
        return "timeout", []
    if not isinstance(result, list) or not all(isinstance(s, dict) for s in result):
        ctx.notes.append(_("sympy gave no usable solution of ∇f = 0"))
        return "failed", []
    if rational and all(_is_linear(g, ctx.variables) for g in ctx.gradient):
        # a linear system: sympy's general solution is every solution
        return "complete", result
    return "ok", result


def _timeout_note(ctx: Context) -> str:
    return _("the symbolic solve ran out of its {seconds} s budget").format(
        seconds=f"{SOLVE_SHARE * ctx.budget:g}"
    )


def _solve_polynomial(ctx: Context, end: float) -> Any:
    """All real solutions of a polynomial ∇f = 0, or ``None`` if there are
    infinitely many (or the algebra fails), or :data:`OUT_OF_TIME`."""
    numerators = []
    denominators = []
    for g in ctx.gradient:
        numerator, denominator = sympy.together(g).as_numer_denom()
        numerators.append(sympy.expand(numerator))
        denominators.append(denominator)
    try:
        found = bounded(lambda: real_solutions(numerators, ctx.variables, ctx.seed), end)
    except Exception as error:  # noqa: BLE001 - sympy's algebra raises many kinds
        ctx.notes.append(
            _("the exact polynomial solver failed ({error})").format(error=type(error).__name__)
        )
        return None
    if found is OUT_OF_TIME:
        ctx.notes.append(_timeout_note(ctx))
        return OUT_OF_TIME
    if found is None:
        return None
    result = []
    for point, algebraic in found:
        if algebraic is not None:
            ctx.algebraic[point] = algebraic
            if all(algebraic.value(d) not in (0, sympy.nan) for d in denominators):
                result.append(point)
            continue
        values = ctx.values(point)
        signs = (exact_sign(d.xreplace(values), seconds=ctx.remaining()) for d in denominators)
        if all(sign not in (0, None) for sign in signs):
            result.append(point)
    return result


def exact_candidate(ctx: Context, point: tuple[sympy.Expr, ...]) -> Candidate | None:
    """An exact solution as a candidate point, or ``None`` if it is not real."""
    floats = []
    for value in point:
        if value.is_extended_real is False:
            return None
        # a point already found is worth a moment even past the deadline
        try:
            found = within(lambda value=value: value_at(value, {}), time.monotonic() + 1.0)
        except UndefinedError:
            return None
        if found is None or found[1] is None:
            return None
        floats.append(found[1])
    return Candidate(point, tuple(floats), numeric=False, algebraic=ctx.algebraic.get(point))


# ---------------------------------------------------------------------------
# the numeric search


def numeric_search(ctx: Context) -> list[tuple[float, ...]]:
    """Levenberg–Marquardt on ∇f from a grid and seeded random starts in the box:
    the distinct points where every |∂f/∂xᵢ| ≤ NUMERIC_GRADIENT_ZERO."""
    import numpy as np

    with np.errstate(all="ignore"):  # overflow far out is expected, and discarded
        x, residual, step = _levenberg_marquardt(ctx, _starts(ctx))
        if ctx.n == 1:
            roots = _bracketed_roots(ctx)
            x = np.concatenate([roots, x])
            residual = np.concatenate([np.zeros(len(roots)), residual])
            step = np.concatenate([np.zeros(len(roots)), step])
    converged = np.flatnonzero(np.sqrt(residual) <= NUMERIC_GRADIENT_ZERO)
    converged = converged[np.argsort(residual[converged], kind="stable")]
    kept: list[tuple[tuple[float, ...], float]] = []
    for i in converged:
        point = tuple(float(v) for v in x[i])
        if not ctx.in_box(point):
            continue
        # a start still moving by step is within about 20 steps of its root
        radius = 20 * (step[i] if np.isfinite(step[i]) else 0.0)
        if any(close(point, other, radius + r) for other, r in kept):
            continue
        kept.append((point, radius))
    return [point for point, _ in kept]


def _bracketed_roots(ctx: Context) -> Any:
    """For one variable: the roots of f' where it changes sign on a fine grid,
    bisected to the last bit, as an (m, 1) array.

    Newton-like steps from a few hundred starts miss the roots of a derivative
    as steep as ``9999x^9998 - 1`` (flat to within 10^-400 on most of the box,
    and overflowing just past its roots); a change of sign cannot be missed.
    A sign change across a pole (``1/x``) is not a root: there |f'| grows as
    the bracket shrinks, and it is dropped.
    """
    import numpy as np

    lo, hi = float(ctx.lo), float(ctx.hi)
    grid = np.linspace(lo, hi, _BRACKET_POINTS)
    g = ctx.batch("gradient", grid[:, None], (1,))[0]
    finite = np.isfinite(g)
    change = finite[:-1] & finite[1:] & (np.sign(g[:-1]) * np.sign(g[1:]) < 0)
    index = _spread(np.flatnonzero(change))
    zeros = grid[_spread(np.flatnonzero(finite & (g == 0)))]
    if not index.size:
        return zeros[:, None]
    a, b = grid[index], grid[index + 1]
    ga, scale = g[index], np.maximum(np.abs(g[index]), np.abs(g[index + 1]))
    for _bisection in range(_BISECTIONS):
        mid = (a + b) / 2
        gm = ctx.batch("gradient", mid[:, None], (1,))[0]
        left = np.sign(gm) * np.sign(ga) <= 0
        b = np.where(left, mid, b)
        a, ga = np.where(left, a, mid), np.where(left, ga, gm)
    ends = ctx.batch("gradient", np.concatenate([a, b])[:, None], (1,))[0]
    smallest = np.fmin(np.abs(ends[: len(a)]), np.abs(ends[len(a) :]))
    root = np.abs(ends[: len(a)]) <= np.abs(ends[len(a) :])
    keep = smallest <= _BRACKET_SHRINK * np.maximum(scale, 1.0)
    return np.concatenate([zeros, np.where(root, a, b)[keep]])[:, None]


def _spread(index: Any) -> Any:
    """At most :data:`_MAX_BRACKETS` of these indices, evenly spread: a flat
    stretch of f' or ``sin(1000x)`` must not make thousands of candidates
    (as many as the other starts give is plenty to show a continuum)."""
    import numpy as np

    if index.size <= _MAX_BRACKETS:
        return index
    return index[np.linspace(0, index.size - 1, _MAX_BRACKETS).round().astype(int)]


def _starts(ctx: Context) -> Any:
    """A grid of about 200 points in the box, and 100 seeded random ones."""
    import numpy as np

    n = ctx.n
    lo, hi = float(ctx.lo), float(ctx.hi)
    per_axis = int(_GRID_STARTS ** (1 / n)) if n <= 7 else 1
    parts = []
    if per_axis >= 2:
        axis = lo + (hi - lo) * (np.arange(per_axis) + 0.5) / per_axis
        parts.append(np.array(list(product(axis, repeat=n)), dtype=float))
    parts.append(np.random.default_rng(ctx.seed).uniform(lo, hi, size=(_RANDOM_STARTS, n)))
    return np.concatenate(parts)


def _levenberg_marquardt(ctx: Context, x: Any) -> tuple[Any, Any, Any]:
    """Minimise |∇f|² from every start at once: the end points, their |∇f|²
    (``inf`` for starts lost far away) and their last step."""
    import numpy as np

    n, m = ctx.n, x.shape[0]
    far = 100 * max(abs(float(ctx.lo)), abs(float(ctx.hi)), 1.0)
    g = ctx.batch("gradient", x, (n,)).T
    residual = np.sum(g * g, axis=1)
    alive = np.isfinite(residual)
    residual[~alive] = np.inf
    damping = np.full(m, _DAMPING)
    step = np.full(m, np.inf)
    for _iteration in range(_ITERATIONS):
        if ctx.remaining() <= _KEEP_FOR_LATER * ctx.budget:
            ctx.notes.append(_("the numeric search stopped early: out of time"))
            ctx.search_cut = True
            break
        active = alive & (residual > 0) & (step > 1e-15 * (1 + np.abs(x).max(axis=1)))
        active &= damping < _MAX_DAMPING
        if not active.any():
            break
        index = np.flatnonzero(active)
        delta, ok = _damped_steps(ctx, x[index], g[index], damping[index])
        trial = x[index] + delta
        gt = ctx.batch("gradient", trial, (n,)).T
        rt = np.sum(gt * gt, axis=1)
        better = ok & np.isfinite(rt) & (rt <= residual[index]) & np.all(np.isfinite(trial), axis=1)
        won, lost = index[better], index[~better]
        x[won], g[won], residual[won] = trial[better], gt[better], rt[better]
        step[won] = np.abs(delta[better]).max(axis=1)
        damping[won] = np.maximum(damping[won] / 10, 1e-15)
        damping[lost] *= 10
        alive &= np.abs(x).max(axis=1) < far
    residual[~alive] = np.inf
    return x, residual, step


def _damped_steps(ctx: Context, x: Any, g: Any, damping: Any) -> tuple[Any, Any]:
    """The Levenberg–Marquardt steps (HᵀH + λ·s·I)δ = -Hᵀ∇f at many points, and
    where the Hessian was finite."""
    import numpy as np

    n = ctx.n
    h = np.moveaxis(ctx.batch("hessian", x, (n, n)), -1, 0)
    ok = np.all(np.isfinite(h), axis=(1, 2))
    h[~ok] = 0.0
    normal = h @ h  # H is symmetric: HᵀH = H·H
    scale = np.trace(normal, axis1=1, axis2=2) / n + 1e-300
    lhs = normal + (damping * scale)[:, None, None] * np.eye(n)
    rhs = -(h @ g[:, :, None])[:, :, 0]
    try:
        delta = np.linalg.solve(lhs, rhs[:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:
        delta = np.stack([np.linalg.lstsq(a, b, rcond=None)[0] for a, b in zip(lhs, rhs)])
    return delta, ok


def new_points(
    ctx: Context,
    found: list[tuple[float, ...]],
    known: list[Candidate],
    sets: list[CriticalSet],
) -> list[tuple[float, ...]]:
    """The numeric points that are neither a known point nor on an exact set."""
    result: list[tuple[float, ...]] = []
    for floats in found:
        if any(close(floats, c.floats) for c in known) or any(close(floats, p) for p in result):
            continue
        if any(_on_set(ctx, floats, s) for s in sets):
            continue
        result.append(floats)
    return result


def _on_set(ctx: Context, point: tuple[float, ...], found: CriticalSet) -> bool:
    if found.numeric or not found.equations:
        return False
    values = {v: sympy.Float(c) for v, c in zip(ctx.variables, point, strict=True)}
    for eq in found.equations:
        try:
            gap = complex((eq.lhs - eq.rhs).xreplace(values).evalf(20))
        except (TypeError, ValueError):
            return False
        if not abs(gap) <= _ON_SET * (1 + max(abs(v) for v in point)):
            return False
    return True


# ---------------------------------------------------------------------------
# exact numbers among the numeric points


def recognise(ctx: Context, floats: tuple[float, ...]) -> Candidate | None:
    """The numeric point as an exact one, if simple exact values near it (p/q,
    p/q·π, ±√(p/q), or the floats themselves) make ∇f exactly zero."""
    guesses = [tuple(_simple_number(v) for v in floats)]
    guesses.append(tuple(sympy.Rational(v) for v in floats))
    for guess in guesses:
        if ctx.remaining() <= 0:
            return None
        if any(v is None for v in guess):
            continue
        point = tuple(v for v in guess if v is not None)
        values = ctx.values(point)
        end = ctx.deadline
        if all(
            exact_sign(g.xreplace(values), seconds=end - time.monotonic()) == 0
            for g in ctx.gradient
        ):
            return Candidate(
                point,
                tuple(to_float(v) for v in point),
                numeric=False,
                note=_("found numerically, verified exactly"),
            )
    return None


def _simple_number(v: float) -> sympy.Expr | None:
    """A simple exact number within 1e-7 of ``v``: p/q, p/q·π or ±√(p/q).

    >>> _simple_number(0.33333333), _simple_number(-1.5707963), _simple_number(0.7071068)
    (1/3, -pi/2, sqrt(2)/2)
    """
    near = _RECOGNISE * (1 + abs(v))
    q = Fraction(v).limit_denominator(_MAX_DENOMINATOR)
    if abs(v - float(q)) <= near:
        return sympy.Rational(q.numerator, q.denominator)
    q = Fraction(v / math.pi).limit_denominator(_MAX_DENOMINATOR)
    if abs(v - float(q) * math.pi) <= near:
        return sympy.Rational(q.numerator, q.denominator) * sympy.pi
    q = Fraction(v * v).limit_denominator(_MAX_DENOMINATOR)
    if q > 0 and abs(abs(v) - math.sqrt(q)) <= near:
        root = sympy.sqrt(sympy.Rational(q.numerator, q.denominator))
        return root if v > 0 else -root
    return None


def _is_linear(expr: sympy.Expr, variables: tuple[sympy.Symbol, ...]) -> bool:
    """Whether ``expr`` is a polynomial of degree at most 1 in ``variables``."""
    if not expr.is_polynomial(*variables):
        return False
    return bool(sympy.Poly(expr, *variables).total_degree() <= 1)
