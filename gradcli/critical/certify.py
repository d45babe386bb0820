"""Certifying critical points: an exact solution must make ∇f exactly zero, and a
numeric one must survive Newton's method at 50 digits (quadratic contraction to
a point where |∇f| is below 10⁻²⁵ of its scale), or it is not reported.

A tolerance alone cannot tell a critical point from a point near a degenerate
one: at (0.00066, 0, 0), ∇(x⁶ + y⁶ + z⁶ - 6xyz) ≈ 7.6e-16, far below any float
tolerance, yet the only critical point near it is the origin. Newton's method
tells them apart. At a simple root (an invertible Hessian) the step shrinks
quadratically, the digits doubling each step, to the working precision in a
handful of steps; near a degenerate root it shrinks only linearly (by 4/5 per
step there), and the iterates head for that root instead.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import sympy

from gradcli.critical.context import Candidate, Context, close, distance
from gradcli.i18n import _
from gradcli.numbers import exact_sign
from gradcli.tolerances import CERTIFY_DIGITS, NUMERIC_GRADIENT_ZERO

__all__ = ["Certificate", "Failure", "certified_candidates", "certify", "solves_exactly"]

#: Newton steps allowed: from a float start (16 correct digits at best, 8 at
#: worst) quadratic convergence reaches 10⁻⁵⁰ in 3 to 5 steps; linear
#: convergence (a degenerate root) would need hundreds
_NEWTON_STEPS = 12
#: digits carried beyond CERTIFY_DIGITS, so that rounding stays below the floor
_GUARD_DIGITS = 10
#: a step counts as quadratic when its size (relative to the point's scale) is
#: at most the previous one's to this power: 2 in theory, 1.5 leaves room for
#: the constant of an ill-conditioned Hessian
_QUADRATIC = 1.5
#: seconds one point's certification may take past the deadline: a point the
#: search found is worth a moment
_GRACE = 0.5
#: points named in the note about uncertified ones
_SHOWN = 3


@dataclass(frozen=True)
class Certificate:
    """A numeric critical point, certified by Newton's method.

    ``point`` has :data:`~gradcli.tolerances.CERTIFY_DIGITS` correct digits
    (mpmath numbers); ``steps`` are the sizes of the Newton steps that led
    there (quadratically shrinking); ``residual`` is max |∂f/∂xᵢ| at ``point``.
    """

    point: tuple[Any, ...]
    steps: tuple[Any, ...]
    residual: Any

    @property
    def floats(self) -> tuple[float, ...]:
        """The point's coordinates, each correctly rounded to a float."""
        return tuple(float(v) for v in self.point)


@dataclass(frozen=True)
class Failure:
    """Why a numeric point could not be certified, and where Newton's iterates
    were when it gave up (``None`` if they left the reals)."""

    reason: str
    end: tuple[float, ...] | None = None


def certify(ctx: Context, floats: Sequence[float]) -> Certificate | Failure:
    """Refine a numeric point by Newton's method on ∇f at 50 digits, and certify it.

    Certified when the steps shrink quadratically to below 10⁻⁵⁰ of the
    point's scale within a few steps, max |∂f/∂xᵢ| at the refined point is
    below 10⁻²⁵ of its scale, and at the point's floats below
    :data:`~gradcli.tolerances.NUMERIC_GRADIENT_ZERO` (the tolerance the
    output states).
    """
    import mpmath

    stop = max(ctx.deadline, time.monotonic() + _GRACE)
    with mpmath.workdps(CERTIFY_DIGITS + _GUARD_DIGITS):
        x = [mpmath.mpf(v) for v in floats]
        scale = 1 + max(abs(v) for v in x)
        floor = mpmath.mpf(10) ** -CERTIFY_DIGITS * scale
        steps: list[Any] = []
        while len(steps) < _NEWTON_STEPS and not (steps and steps[-1] <= floor):
            if time.monotonic() > stop:
                return Failure(_("out of time"), _floats(x))
            step = _newton_step(ctx, x)
            if isinstance(step, Failure):
                return step
            x = [v - s for v, s in zip(x, step)]
            steps.append(max(abs(s) for s in step))
        if steps[-1] > floor or not _quadratic([s / scale for s in steps], floor / scale):
            return Failure(_("Newton's method does not converge quadratically there"), _floats(x))
        # a coordinate below the accuracy reached is zero, as far as anyone can tell
        x = [mpmath.mpf(0) if abs(v) <= floor else v for v in x]
        gradient = _real_vector(ctx.compiled("gradient_mpmath")(*x))
        hessian = _real_vector(_flat(ctx.compiled("hessian_mpmath")(*x)))
        if gradient is None or hessian is None:
            return Failure(_("∇f is not real there"))
        residual = max(abs(g) for g in gradient)
        size = max([mpmath.mpf(1), *(abs(h) for h in hessian)]) * scale
        if residual > mpmath.mpf(10) ** -(CERTIFY_DIGITS // 2) * size:
            return Failure(_("∇f does not vanish at Newton's limit"), _floats(x))
        rounded = [mpmath.mpf(v) for v in _floats(x) or ()]
        at_floats = _real_vector(ctx.compiled("gradient_mpmath")(*rounded))
        if at_floats is None or max(abs(g) for g in at_floats) > NUMERIC_GRADIENT_ZERO:
            return Failure(_("|∇f| at the nearest floats exceeds the stated tolerance"), _floats(x))
        return Certificate(tuple(x), tuple(steps), residual)


def _newton_step(ctx: Context, x: list[Any]) -> list[Any] | Failure:
    """H(x)⁻¹∇f(x), at the working precision."""
    import mpmath

    try:
        gradient = _real_vector(ctx.compiled("gradient_mpmath")(*x))
        hessian = _real_vector(_flat(ctx.compiled("hessian_mpmath")(*x)))
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return Failure(_("f is not defined near the point"), _floats(x))
    if gradient is None or hessian is None:
        return Failure(_("∇f or the Hessian is not real near the point"), _floats(x))
    n = len(x)
    matrix = mpmath.matrix([hessian[i * n : (i + 1) * n] for i in range(n)])
    try:
        step = mpmath.lu_solve(matrix, mpmath.matrix(gradient))
    except ZeroDivisionError:
        return Failure(_("the Hessian is singular there"), _floats(x))
    return [step[i] for i in range(n)]


def _quadratic(steps: list[Any], floor: Any) -> bool:
    """Whether, among the steps above the rounding floor, one shrank
    quadratically from the step before (a single step: the start was a root to
    50 digits already). With the floor reached in a few steps, this rules out
    the linear convergence of a degenerate root."""
    above = [s for s in steps if s > floor]
    if len(above) < 2:
        return True
    return any(a < 1 and b <= a**_QUADRATIC for a, b in pairwise(above))


def _flat(rows: Any) -> list[Any]:
    return [v for row in rows for v in row]


def _real_vector(values: Sequence[Any]) -> list[Any] | None:
    """The values as finite real mpmath numbers (rounding-noise imaginary parts
    dropped), or ``None``."""
    import mpmath

    out = []
    noise = mpmath.mpf(10) ** -(CERTIFY_DIGITS + _GUARD_DIGITS // 2)
    for raw in values:
        value = mpmath.mpmathify(raw)
        if isinstance(value, mpmath.mpc):
            if abs(value.imag) > noise * (1 + abs(value.real)):
                return None
            value = value.real
        if not mpmath.isfinite(value):
            return None
        out.append(value)
    return out


def _floats(x: Sequence[Any]) -> tuple[float, ...] | None:
    try:
        result = tuple(float(v) for v in x)
    except (TypeError, ValueError, OverflowError):
        return None
    return result if all(abs(v) < float("inf") for v in result) else None


# ---------------------------------------------------------------------------
# applied to the analysis's points


def solves_exactly(ctx: Context, candidate: Candidate, *, seconds: float) -> bool:
    """Whether an exact solution from sympy's ``solve`` makes ∇f zero: ``False``
    only when a component is provably nonzero there."""
    assert candidate.exact is not None
    values = ctx.values(candidate.exact)
    end = time.monotonic() + seconds
    for g in ctx.gradient:
        sign = exact_sign(g.xreplace(values), seconds=end - time.monotonic())
        if sign not in (0, None):
            return False
    return True


def certified_candidates(
    ctx: Context, found: list[tuple[float, ...]], known: list[Candidate]
) -> list[Candidate]:
    """The numeric points that Newton's method certifies, as candidates.

    A point whose iterates head for a point already known (an exact one, or
    one certified before it) is that point's neighbourhood, seen through a
    loose tolerance, and is dropped; any other point that fails is named in a
    note, not reported.
    """
    certified: list[Candidate] = []
    failed: list[tuple[tuple[float, ...], Failure]] = []
    for floats in found:
        result = certify(ctx, floats)
        if isinstance(result, Failure):
            failed.append((floats, result))
            continue
        point = result.floats
        if not ctx.in_box(point) or any(close(point, c.floats) for c in known + certified):
            continue
        certified.append(Candidate(None, point, numeric=True, refined=result.point))
    listed = [c.floats for c in known + certified]
    uncertified = [
        (floats, failure)
        for floats, failure in failed
        if not _heads_for(floats, failure.end, listed)
    ]
    if uncertified:
        where = ", ".join(
            "(" + ", ".join(f"{v:.6g}" for v in floats) + ")"
            for floats, _unused in uncertified[:_SHOWN]
        )
        reasons = "; ".join(sorted({failure.reason for _unused, failure in uncertified}))
        if len(uncertified) <= _SHOWN:
            message = _(
                "{count} point(s) where |∇f| ≤ {tolerance} near {points} could not be "
                "certified as critical points ({reasons}) and are not listed"
            )
        else:
            message = _(
                "{count} point(s) where |∇f| ≤ {tolerance} near {points} and {more} more could "
                "not be certified as critical points ({reasons}) and are not listed"
            )
        ctx.notes.append(
            message.format(
                count=len(uncertified),
                tolerance=f"{NUMERIC_GRADIENT_ZERO:g}",
                points=where,
                more=len(uncertified) - _SHOWN,
                reasons=reasons,
            )
        )
    return certified


def _heads_for(
    start: tuple[float, ...], end: tuple[float, ...] | None, listed: list[tuple[float, ...]]
) -> bool:
    """Whether Newton's iterates went from ``start`` at least halfway to the
    listed point nearest where they ended."""
    if end is None or not listed:
        return False
    target = min(listed, key=lambda p: distance(end, p))
    return distance(end, target) <= distance(start, target) / 2


def to_sympy(point: Sequence[Any]) -> tuple[sympy.Float, ...]:
    """A refined point as sympy Floats of CERTIFY_DIGITS digits."""
    return tuple(sympy.Float(v, CERTIFY_DIGITS) for v in point)
