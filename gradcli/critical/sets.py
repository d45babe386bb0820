"""Infinitely many critical points: sympy's parametric solutions as equations, and
continua the numeric search runs into, each classified by sampling f near it."""

from __future__ import annotations

from fractions import Fraction

import sympy

from gradcli.critical.classify import neighbourhood
from gradcli.critical.context import Context
from gradcli.critical.results import DEGENERATE, LOCAL_MAX, LOCAL_MIN, SADDLE, CriticalSet
from gradcli.critical.solve import exact_candidate
from gradcli.i18n import _
from gradcli.kinds import Definiteness, definiteness_from_eigenvalues
from gradcli.numbers import to_float
from gradcli.second_order import within
from gradcli.tolerances import EIGENVALUE_ZERO_APPROXIMATE_POINT

__all__ = ["describe_set", "numeric_continuum", "set_kind"]

#: numeric points with a singular Hessian beyond this count are a continuum
_CONTINUUM = 12
#: exact points of a set sampled, and numeric points of a continuum
_SET_SAMPLES = 3
_CONTINUUM_SAMPLES = 5
#: f is constant on a numeric continuum when its values there differ by less
#: than this (relative): the points are known to about 1e-8
_SAME_VALUE = 1e-9
#: share of the budget simplifying f on a set may take
_SIMPLIFY_SHARE = 0.05

Solution = dict[sympy.Symbol, sympy.Expr]


def describe_set(ctx: Context, solution: Solution) -> CriticalSet | None:
    """A parametric solution of ∇f = 0 as equations, classified by sampling
    f around a few of its points (``None`` if it has no real point)."""
    free = [v for v in ctx.variables if v not in solution]
    equations = tuple(sympy.Eq(v, solution[v]) for v in ctx.variables if v in solution)
    samples: list[tuple[sympy.Expr, ...]] = []
    for values in _set_parameters(len(free), ctx.lo, ctx.hi):
        if len(samples) == _SET_SAMPLES or ctx.remaining() <= 0:
            break
        assignment = dict(zip(free, values, strict=True))
        point = tuple(
            assignment[v] if v in assignment else solution[v].xreplace(assignment)
            for v in ctx.variables
        )
        if exact_candidate(ctx, point) is not None:
            samples.append(point)
    if not samples:
        return None
    on_set = ctx.expr.xreplace(solution)
    value = within(lambda: sympy.simplify(on_set), ctx.share(_SIMPLIFY_SHARE))
    if value is None or value.free_symbols & set(ctx.variables):
        value = None
    verdicts = [neighbourhood(ctx, point, accurate=True) for point in samples]
    kind, note = set_kind(verdicts)
    shown = ", ".join(f"{eq.lhs} = {eq.rhs}" for eq in equations)
    if value is not None:
        note = _("f = {value} on {set}; {note}").format(value=value, set=shown, note=note)
    return CriticalSet(
        equations=equations,
        dimension=len(free),
        kind=kind,
        value=value,
        value_float=None if value is None else to_float(value),
        numeric=False,
        samples=tuple(tuple(to_float(v) for v in p) for p in samples),
        note=note,
    )


def _set_parameters(count: int, lo: Fraction, hi: Fraction) -> list[tuple[sympy.Expr, ...]]:
    """Simple parameter values (inside the box first) to sample a set at."""
    simple = [Fraction(0), Fraction(1, 2), Fraction(-1, 3), Fraction(1), Fraction(-2), Fraction(3)]
    simple = [v for v in simple if lo <= v <= hi] + [
        lo + (hi - lo) * Fraction(k, 7) for k in (2, 5)
    ]
    values = [sympy.Rational(v.numerator, v.denominator) for v in simple]
    return [tuple(values[(i + j) % len(values)] for j in range(count)) for i in range(len(values))]


def set_kind(verdicts: list[str | None]) -> tuple[str, str]:
    """A set's kind, and why, from the higher-order verdicts at its samples."""
    seen = set(verdicts)
    if seen == {"minimum"}:
        return LOCAL_MIN, _("neighbours off the set are not lower: (non-strict) local minima")
    if seen == {"maximum"}:
        return LOCAL_MAX, _("neighbours off the set are not higher: (non-strict) local maxima")
    if seen == {"neither"}:
        return SADDLE, _("f is both higher and lower nearby: saddle points")
    if seen == {"flat"}:
        return DEGENERATE, _("f is constant near the set")
    return DEGENERATE, _("the kind differs along the set (or could not be checked)")


def numeric_continuum(
    ctx: Context, found: list[tuple[float, ...]]
) -> tuple[list[int], list[CriticalSet]]:
    """Many numeric points with a singular Hessian are a continuum: described as
    numeric sets (one per sign of the Hessian, classified at a few samples)
    instead of listed. Returns the indices of the points that are not part of
    one, and the sets."""
    import numpy as np

    everything = list(range(len(found)))
    if len(found) < _CONTINUUM:
        return everything, []
    h = np.moveaxis(ctx.batch("hessian", np.array(found), (ctx.n, ctx.n)), -1, 0)
    groups: dict[Definiteness, list[tuple[int, int]]] = {}
    for i, matrix in enumerate(h):
        if not np.all(np.isfinite(matrix)):
            continue
        eigenvalues = tuple(float(v) for v in np.linalg.eigvalsh(matrix))
        definiteness = definiteness_from_eigenvalues(
            eigenvalues, zero=EIGENVALUE_ZERO_APPROXIMATE_POINT, floor=1.0
        )
        if definiteness in (
            Definiteness.POSITIVE_SEMIDEFINITE,
            Definiteness.NEGATIVE_SEMIDEFINITE,
        ):
            zero = EIGENVALUE_ZERO_APPROXIMATE_POINT * max(1.0, *(abs(v) for v in eigenvalues))
            zeros = sum(abs(v) <= zero for v in eigenvalues)
            groups.setdefault(definiteness, []).append((i, zeros))
    if sum(len(g) for g in groups.values()) < _CONTINUUM:
        return everything, []
    sets = [
        _continuum_set(ctx, [found[i] for i, _ in members], members) for members in groups.values()
    ]
    ctx.notes.append(_("the numeric search found a continuum of critical points"))
    dropped = {i for members in groups.values() for i, _ in members}
    return [i for i in everything if i not in dropped], sets


def _continuum_set(
    ctx: Context, members: list[tuple[float, ...]], nullities: list[tuple[int, int]]
) -> CriticalSet:
    import numpy as np

    points = sorted(members, key=lambda p: sum(map(abs, p)))
    samples = points[:_CONTINUUM_SAMPLES]
    kind, note = set_kind([neighbourhood(ctx, p, accurate=False) for p in samples])
    values = ctx.batch("f_numpy", np.array(points), ())
    spread = float(np.nanmax(values) - np.nanmin(values))
    first = float(values[0])
    nullity = [k for _, k in nullities]
    return CriticalSet(
        equations=(),
        dimension=max(set(nullity), key=nullity.count),
        kind=kind,
        value=None,
        value_float=first if spread <= _SAME_VALUE * (1 + abs(first)) else None,
        numeric=True,
        samples=tuple(samples),
        note=_(
            "a continuum of critical points found numerically ({count} samples in the box), "
            "not described by equations; {note}"
        ).format(count=len(points), note=note),
    )
