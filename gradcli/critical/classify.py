"""What each critical point is: the second-derivative test (exact where it can be,
else from eigenvalues with the named tolerances), and, where it is
inconclusive, f sampled on small spheres around the point."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from itertools import combinations, product
from typing import Any

import sympy

from gradcli.critical.certify import to_sympy
from gradcli.critical.context import SMALL, Candidate, Context, distance, to_mp
from gradcli.critical.polynomial import Algebraic
from gradcli.critical.results import CriticalPoint
from gradcli.derivatives import NotDifferentiableError, hessian_at
from gradcli.errors import MathError, UndefinedError
from gradcli.i18n import _
from gradcli.kinds import Definiteness, PointKind, classify, definiteness_from_eigenvalues
from gradcli.numbers import exact_sign, to_float
from gradcli.second_order import OUT_OF_TIME, analyse, bounded, sylvester, within
from gradcli.tolerances import (
    EIGENVALUE_ZERO_APPROXIMATE_POINT,
    EIGENVALUE_ZERO_EXACT_POINT,
    NUMERIC_GRADIENT_ZERO,
)

__all__ = ["classify_all", "higher_text", "neighbourhood"]

#: digits f is evaluated with around a point
_SAMPLE_DIGITS = 50
#: radii of the spheres f is sampled on around a point
_RADII = (1e-4, 1e-3, 1e-2, 1e-1)
#: around a point known to many digits, f differs from f(point) when the
#: difference exceeds this (relative): far above the 50-digit rounding
_ACCURATE_ZERO = 1e-35
#: around a point known only to about NUMERIC_GRADIENT_ZERO, f(point) itself
#: is off by ~|∇f|·r and float noise: differences below that are no change
_FLOAT_NOISE = 1e-13
#: the largest sampling radius, as a share of the distance to the nearest
#: other critical point (the sphere must not reach it)
_NEIGHBOUR_SHARE = 0.3
#: seconds the higher-order check gets at least, past the point's share
_HIGHER_ORDER_SECONDS = 0.2

Second = tuple[Definiteness | None, tuple[float, ...], sympy.Expr | None]


def classify_all(ctx: Context, candidates: list[Candidate]) -> list[CriticalPoint]:
    """Each candidate classified, with an equal share of the time left."""
    points = []
    for i, candidate in enumerate(candidates):
        others = [c.floats for j, c in enumerate(candidates) if j != i]
        nearest = min((distance(candidate.floats, o) for o in others), default=math.inf)
        points.append(_classify(ctx, candidate, nearest, len(candidates) - i))
    return points


def _classify(ctx: Context, candidate: Candidate, nearest: float, left: int) -> CriticalPoint:
    end = min(ctx.deadline, time.monotonic() + max(ctx.remaining(), 0) / (2 * left))
    notes = [candidate.note] if candidate.note else []
    definiteness, eigenvalues, value = _second_order(ctx, candidate, end, notes)
    # every candidate solves ∇f = 0 exactly or is certified to 50 digits; where
    # the test cannot be applied, the higher-order check below decides
    kind = PointKind.DEGENERATE if definiteness is None else classify(definiteness, critical=True)
    higher: str | None = None
    if kind is PointKind.DEGENERATE:
        notes.insert(0, _("second-derivative test inconclusive"))
        point: Sequence[Any] = candidate.exact or candidate.refined or candidate.floats
        radius = min(max(_RADII), _NEIGHBOUR_SHARE * nearest)
        accurate = candidate.exact is not None or candidate.refined is not None
        checked = bounded(
            lambda: neighbourhood(ctx, point, accurate=accurate, largest=radius),
            max(end, time.monotonic() + _HIGHER_ORDER_SECONDS),
        )
        if checked is OUT_OF_TIME:
            notes.append(_("higher-order check skipped: out of time"))
        else:
            higher = checked
            notes.append(
                _("higher-order check: {verdict}").format(verdict=higher_text(higher, ctx.n))
            )
    return CriticalPoint(
        point=candidate.exact,
        point_float=candidate.floats,
        kind=kind.short,
        value=value,
        value_float=_value_float(ctx, candidate, value),
        numeric=candidate.numeric,
        tolerance=NUMERIC_GRADIENT_ZERO if candidate.numeric else None,
        eigenvalues_float=eigenvalues,
        note="; ".join(notes),
        higher_order=higher,
        refined=None if candidate.refined is None else to_sympy(candidate.refined),
    )


def _second_order(ctx: Context, candidate: Candidate, end: float, notes: list[str]) -> Second:
    """The Hessian's definiteness and eigenvalues at the point, and f's exact value."""
    exact = candidate.exact
    if exact is None:
        assert candidate.refined is not None
        return (*_at_refined(ctx, candidate.refined, notes), None)
    values = ctx.values(exact)
    value = ctx.expr.xreplace(values)
    if candidate.algebraic is not None and _rational_hessian(ctx):
        definiteness, eigenvalues, reduced = _at_algebraic(ctx, candidate.algebraic, end)
        return definiteness, eigenvalues, (value if reduced is None else reduced)
    if ctx.remaining() <= 0 or sum(sympy.count_ops(v) for v in exact) > SMALL:
        # an exact point too costly to handle exactly: its floats decide
        return (*_at_floats(ctx, candidate.floats, notes), value)
    try:
        # at a corner of |u| the pieces decide (x·|x| has no f'' at 0)
        matrix_at = tuple(
            tuple(v for v, _unused in row)
            for row in hessian_at(
                ctx.expr, ctx.variables, values, what=lambda i, j: _("a second partial is {}")
            )
        )
    except NotDifferentiableError:
        notes.append(_("f is not twice differentiable here"))
        return None, (), value
    except UndefinedError:
        notes.append(_("the Hessian is undefined here"))
        return None, (), value
    except MathError as error:
        notes.append(error.message)
        return None, (), value
    if sum(sympy.count_ops(v) for row in matrix_at for v in row) > SMALL:
        matrix_at = tuple(tuple(v.evalf(30) for v in row) for row in matrix_at)
    analysis = analyse(matrix_at, end, [])
    return analysis.definiteness, analysis.eigenvalues_float or (), value


def _at_refined(
    ctx: Context, refined: tuple[Any, ...], notes: list[str]
) -> tuple[Definiteness | None, tuple[float, ...]]:
    """At a certified point: the Hessian evaluated at 50 digits and rounded, so
    its floats are as accurate as an exact point's (the exact-point tolerance)."""
    import mpmath
    import numpy as np

    with mpmath.workdps(_SAMPLE_DIGITS):
        try:
            rows = ctx.compiled("hessian_mpmath")(*refined)
            h = np.array([[_real_float(v) for v in row] for row in rows])
        except (TypeError, ValueError, ZeroDivisionError, OverflowError):
            h = np.array([[math.nan]])
    if not np.all(np.isfinite(h)):
        notes.append(_("the Hessian is undefined here"))
        return None, ()
    eigenvalues = tuple(float(v) for v in np.linalg.eigvalsh(h))
    return definiteness_from_eigenvalues(eigenvalues, zero=EIGENVALUE_ZERO_EXACT_POINT), eigenvalues


def _at_floats(
    ctx: Context, floats: tuple[float, ...], notes: list[str]
) -> tuple[Definiteness | None, tuple[float, ...]]:
    """From the Hessian in float arithmetic at the point's floats."""
    import numpy as np

    h = ctx.batch("hessian", np.array([floats]), (ctx.n, ctx.n))[..., 0]
    if not np.all(np.isfinite(h)):
        notes.append(_("the Hessian is undefined here"))
        return None, ()
    eigenvalues = tuple(float(v) for v in np.linalg.eigvalsh(h))
    definiteness = definiteness_from_eigenvalues(
        eigenvalues, zero=EIGENVALUE_ZERO_APPROXIMATE_POINT, floor=1.0
    )
    return definiteness, eigenvalues


def _real_float(value: Any) -> float:
    import mpmath

    value = mpmath.mpmathify(value)
    if isinstance(value, mpmath.mpc):
        if abs(value.imag) > mpmath.mpf(10) ** -(_SAMPLE_DIGITS - 5) * (1 + abs(value.real)):
            return math.nan
        value = value.real
    return float(value)


def _rational_hessian(ctx: Context) -> bool:
    return all(e.is_rational_function(*ctx.variables) for row in ctx.matrix for e in row)


def _at_algebraic(ctx: Context, algebraic: Algebraic, end: float) -> Second:
    """Definiteness (exact, from the principal minors), eigenvalues and value
    at a point with algebraic coordinates."""
    import numpy as np

    minors = _principal_minors(ctx)
    signs: dict[tuple[int, ...], int] = {}
    for rows, minor in minors.items():
        reduced = algebraic.value(minor)
        sign = None if reduced is None else exact_sign(reduced, seconds=end - time.monotonic())
        if sign is None:
            break
        signs[rows] = sign
    entries = [[algebraic.value(e) for e in row] for row in ctx.matrix]
    matrix = np.array([[math.nan if v is None else to_float(v) for v in row] for row in entries])
    eigenvalues: tuple[float, ...] = ()
    if np.all(np.isfinite(matrix)):
        eigenvalues = tuple(float(v) for v in np.linalg.eigvalsh(matrix))
    definiteness: Definiteness | None = None
    if len(signs) == len(minors):
        definiteness = sylvester(signs, ctx.n)
    elif eigenvalues:
        definiteness = definiteness_from_eigenvalues(eigenvalues)
    return definiteness, eigenvalues, algebraic.value(ctx.expr)


def _principal_minors(ctx: Context) -> dict[tuple[int, ...], sympy.Expr]:
    """Every principal minor of the symbolic Hessian, expanded (computed once)."""
    if ctx.minors is None:
        m = sympy.Matrix(ctx.matrix)
        ctx.minors = {
            rows: sympy.expand(m.extract(list(rows), list(rows)).det())
            for k in range(1, ctx.n + 1)
            for rows in combinations(range(ctx.n), k)
        }
    return ctx.minors


def _value_float(ctx: Context, candidate: Candidate, value: sympy.Expr | None) -> float:
    """f at the point as a float: correctly rounded from the exact value or
    the 50-digit point when there is one, else in float arithmetic."""
    import mpmath
    import numpy as np

    result = math.nan
    if value is not None and sympy.count_ops(value) <= SMALL:
        computed = within(lambda: to_float(value), time.monotonic() + 1.0)
        result = math.nan if computed is None else computed
    elif candidate.refined is not None:
        with mpmath.workdps(_SAMPLE_DIGITS):
            try:
                result = _real_float(ctx.compiled("f_mpmath")(*candidate.refined))
            except (TypeError, ValueError, ZeroDivisionError, OverflowError):
                result = math.nan
    if math.isnan(result):
        result = float(ctx.batch("f_numpy", np.array([candidate.floats]), ())[0])
    return result


# ---------------------------------------------------------------------------
# the higher-order check


def neighbourhood(
    ctx: Context, point: Sequence[Any], *, accurate: bool, largest: float = 0.1
) -> str | None:
    """Sample f on small spheres around ``point``: how it compares with f(point).

    ``point`` is exact (sympy numbers), or mpmath numbers or floats;
    ``accurate`` says it is known to many digits (exact or certified), else it
    is a float point and differences within its own error count as none.
    ``"minimum"``, ``"maximum"``, ``"neither"``, ``"flat"`` (no change), or
    ``None`` when f cannot be evaluated around it.
    """
    import mpmath

    f = ctx.compiled("f_mpmath")
    radii = [r for r in _RADII if r <= largest] or [largest]
    if not accurate:
        radii = [r for r in radii if r >= 1e-3] or [radii[-1]]
    signs: set[int] = set()
    with mpmath.workdps(_SAMPLE_DIGITS):
        try:
            centre, f0 = _centre(ctx, point)
        except (TypeError, ValueError, ZeroDivisionError):
            return None
        if not isinstance(f0, mpmath.mpf):
            return None
        for r in radii:
            if accurate:
                zero = _ACCURATE_ZERO * (1 + abs(f0))
            else:
                zero = 10 * NUMERIC_GRADIENT_ZERO * r + _FLOAT_NOISE * (1 + abs(f0))
            for u in _directions(ctx.n, ctx.seed):
                shifted = [c + r * mpmath.mpf(float(ui)) for c, ui in zip(centre, u)]
                try:
                    value = f(*shifted)
                except (TypeError, ValueError, ZeroDivisionError, OverflowError):
                    continue
                if not isinstance(value, mpmath.mpf):
                    continue
                d = value - f0
                signs.add(0 if abs(d) <= zero else (1 if d > 0 else -1))
            if 1 in signs and -1 in signs:
                return "neither"
    return _verdict(signs)


def _centre(ctx: Context, point: Sequence[Any]) -> tuple[list[Any], Any]:
    """The point and f there, as mpmath numbers (f exactly first, when exact)."""
    import mpmath

    if all(isinstance(v, sympy.Basic) for v in point):
        centre = [to_mp(v) for v in point]
        return centre, to_mp(ctx.expr.xreplace(ctx.values(point)))
    centre = [mpmath.mpf(v) for v in point]
    return centre, ctx.compiled("f_mpmath")(*centre)


def _verdict(signs: set[int]) -> str | None:
    if not signs:
        return None
    if signs == {0}:
        return "flat"
    if -1 not in signs:
        return "minimum"
    if 1 not in signs:
        return "maximum"
    return "neither"


def higher_text(verdict: str | None, n: int) -> str:
    """The higher-order check's verdict in words."""
    if verdict == "minimum":
        return _("minimum")
    if verdict == "maximum":
        return _("maximum")
    if verdict == "neither":
        if n == 1:
            return _("neither a minimum nor a maximum (inflection)")
        return _("neither a minimum nor a maximum (degenerate saddle)")
    if verdict == "flat":
        return _("f is constant nearby (non-strict minimum and maximum)")
    return _("f could not be evaluated around the point")


def _directions(n: int, seed: int) -> list[tuple[float, ...]]:
    """Unit directions to probe around a point: an even spread, deterministic."""
    if n == 1:
        return [(1.0,), (-1.0,)]
    if n == 2:
        return [(math.cos(a), math.sin(a)) for a in (2 * math.pi * k / 96 for k in range(96))]
    import numpy as np

    found: list[tuple[float, ...]] = []
    for i in range(n):
        for s in (1.0, -1.0):
            e = [0.0] * n
            e[i] = s
            found.append(tuple(e))
    for i, j in combinations(range(n), 2):
        for si, sj in product((1.0, -1.0), repeat=2):
            e = [0.0] * n
            e[i], e[j] = si / math.sqrt(2), sj / math.sqrt(2)
            found.append(tuple(e))
    rng = np.random.default_rng(seed)
    for row in rng.normal(size=(96, n)):
        found.append(tuple(float(v) for v in row / np.linalg.norm(row)))
    return found
