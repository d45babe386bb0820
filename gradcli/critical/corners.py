"""Critical points where ∇f does not exist: the corners of |u| (and jumps of sign(u)).

sympy's ∇f of ``|x| + |y|`` is ``(sign(x), sign(y))``, which is never zero
off the axes and wrongly zero at the origin, where f has no gradient at all.
In the textbook sense a point where ∇f does not exist is a critical point. The
candidates are found by solving ``u = 0`` for some of the kink arguments ``u``
(:func:`gradcli.derivatives.kinks`) together with the partial derivatives
that exist on that set (those that do not depend on the side of the corner);
each is then checked by :func:`gradcli.derivatives.gradient_at`, and what it
is (minimum, maximum, neither) is decided exactly or left undecided.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import sympy

from gradcli.critical.context import Candidate, Context
from gradcli.critical.results import NONDIFFERENTIABLE, CriticalPoint
from gradcli.critical.solve import exact_candidate
from gradcli.derivatives import (
    NotDifferentiableError,
    gradient_at,
    kinks,
    partial_derivatives,
    piece,
)
from gradcli.errors import MathError, UndefinedError
from gradcli.i18n import _
from gradcli.numbers import exact_sign, to_float, value_at
from gradcli.second_order import within

__all__ = ["corner_points", "split_corners"]

#: at most this many systems ``{u = 0 for u in S}`` are solved
_MAX_SYSTEMS = 64
#: share of the budget all those solves may use
_SOLVE_SHARE = 0.15
#: seconds to decide one sign
_SIGN_SECONDS = 0.5

_KINK_FUNCTIONS = (sympy.Abs, sympy.sign, sympy.Heaviside, sympy.DiracDelta)


def corner_points(ctx: Context) -> tuple[list[tuple[sympy.Expr, ...]], bool]:
    """Exact points where some kink arguments vanish together with the partial
    derivatives that exist there; and whether every system was solved."""
    arguments = kinks(ctx.expr)
    found: list[tuple[sympy.Expr, ...]] = []
    solved_all = True
    systems = [
        subset
        for size in range(1, min(len(arguments), ctx.n) + 1)
        for subset in combinations(arguments, size)
    ]
    if len(systems) > _MAX_SYSTEMS:
        systems, solved_all = systems[:_MAX_SYSTEMS], False
    deadline = ctx.share(_SOLVE_SHARE)
    for subset in systems:
        signs = {u: sympy.Dummy(f"s{i}", real=True) for i, u in enumerate(subset)}
        smooth = piece(ctx.expr, signs)
        equations = list(subset)
        for derivative in partial_derivatives(smooth, ctx.variables):
            if derivative.free_symbols & set(signs.values()) or derivative.has(*_KINK_FUNCTIONS):
                continue  # does not exist on the set (or not known to): no equation
            equations.append(derivative)
        solutions = within(
            lambda equations=equations: sympy.solve(equations, ctx.variables, dict=True),
            deadline,
        )
        if solutions is None:
            solved_all = False
            continue
        for solution in solutions:
            if set(solution) != set(ctx.variables):
                solved_all = False  # a curve of corners: not listed point by point
                continue
            point = tuple(solution[v] for v in ctx.variables)
            if any(c.free_symbols or c.is_extended_real is False for c in point):
                continue
            if point not in found:
                found.append(point)
    return found, solved_all


def split_corners(
    ctx: Context, candidates: Sequence[Candidate], corners: Sequence[tuple[sympy.Expr, ...]]
) -> tuple[list[Candidate], list[CriticalPoint]]:
    """The candidates where f is differentiable (∇f = 0 there), and the points
    where it is not, classified. A candidate of the ordinary search that sits
    on a corner (sign(0) = 0 made sympy's ∇f vanish) moves to the corners."""
    smooth: list[Candidate] = []
    points: list[tuple[sympy.Expr, ...]] = []
    reasons: dict[tuple[sympy.Expr, ...], str] = {}
    for candidate in candidates:
        if candidate.exact is None:
            smooth.append(candidate)
            continue
        reason = _not_differentiable(ctx, candidate.exact)
        if reason is None:
            smooth.append(candidate)
        elif candidate.exact not in points:
            points.append(candidate.exact)
            reasons[candidate.exact] = reason
    known = {c.exact for c in candidates if c.exact is not None}
    for point in corners:
        if point in points or point in known:
            continue
        reason = _not_differentiable(ctx, point)
        if reason is not None:
            points.append(point)
            reasons[point] = reason
        elif _gradient_vanishes(ctx, point):
            # on the corner, yet differentiable with ∇f = 0 (|x|·|y| at 0)
            found = exact_candidate(ctx, point)
            if found is not None:
                smooth.append(found)
                known.add(point)
    return smooth, [_corner(ctx, p, reasons[p]) for p in points]


def _gradient_vanishes(ctx: Context, point: tuple[sympy.Expr, ...]) -> bool:
    try:
        gradient = gradient_at(ctx.expr, ctx.variables, ctx.values(point))
    except MathError:
        return False
    return all(exact_sign(g, seconds=_SIGN_SECONDS) == 0 for g, _ in gradient)


def _not_differentiable(ctx: Context, point: tuple[sympy.Expr, ...]) -> str | None:
    """Why f has no gradient at the point, or ``None`` if it has one (or f is
    undefined there, which is no point of f at all)."""
    try:
        gradient_at(ctx.expr, ctx.variables, ctx.values(point))
    except NotDifferentiableError as error:
        return error.message.partition(": ")[2] or error.message
    except UndefinedError:
        return None
    except MathError as error:
        return _("undecided: {reason}").format(reason=error.message)
    return None


def _corner(ctx: Context, point: tuple[sympy.Expr, ...], reason: str) -> CriticalPoint:
    values = ctx.values(point)
    value, value_float = value_at(ctx.expr, values)
    verdict, evidence = _what_it_is(ctx, point, value)
    note = _("f is not differentiable here ({reason}); {evidence}").format(
        reason=reason, evidence=evidence
    )
    return CriticalPoint(
        point=point,
        point_float=tuple(to_float(c) for c in point),
        kind=NONDIFFERENTIABLE,
        value=value,
        value_float=value_float if value_float is not None else to_float(value),
        numeric=False,
        tolerance=None,
        eigenvalues_float=(),
        note=note,
        higher_order=verdict,
    )


def _what_it_is(
    ctx: Context, point: tuple[sympy.Expr, ...], value: sympy.Expr
) -> tuple[str | None, str]:
    """``minimum``/``maximum``/``neither`` decided exactly, or ``None``, with the evidence."""
    difference = ctx.expr - value
    if difference.is_nonnegative:
        return "minimum", _(
            "f ≥ {value} everywhere (from the signs of its terms): a minimum"
        ).format(value=value)
    if difference.is_nonpositive:
        return "maximum", _(
            "f ≤ {value} everywhere (from the signs of its terms): a maximum"
        ).format(value=value)
    slopes = _axis_slopes(ctx, point)
    if any(s < 0 for s in slopes) and any(s > 0 for s in slopes):
        return "neither", _("f rises along one axis and falls along another: neither")
    if ctx.n == 1 and len(slopes) == 2:
        if all(s > 0 for s in slopes):
            return "minimum", _("f rises on both sides: a strict local minimum")
        if all(s < 0 for s in slopes):
            return "maximum", _("f falls on both sides: a strict local maximum")
    return None, _("whether it is a minimum or a maximum is undecided")


def _axis_slopes(ctx: Context, point: tuple[sympy.Expr, ...]) -> list[int]:
    """The signs of the one-sided derivatives of f along ±each axis, where
    they can be told exactly (each side of each corner is a smooth piece)."""
    values = ctx.values(point)
    try:
        vanishing = [
            u
            for u in kinks(ctx.expr)
            if exact_sign(value_at(u, values)[0], seconds=_SIGN_SECONDS) == 0
        ]
    except UndefinedError:
        return []
    jumping = {
        node.args[0]
        for node in sympy.preorder_traversal(ctx.expr)
        if isinstance(node, (sympy.sign, sympy.Heaviside))
    }
    slopes = []
    for variable in ctx.variables:
        for direction in (1, -1):
            side = {}
            for u in vanishing:
                try:
                    rate = value_at(partial_derivatives(u, (variable,))[0], values)[0] * direction
                except UndefinedError:
                    break
                sign = exact_sign(rate, seconds=_SIGN_SECONDS)
                if sign == 0 and u not in jumping:
                    # |u| stays at its corner to first order along this axis:
                    # s·u changes at the rate s·0 on either side
                    sign = 1
                if sign in (None, 0):
                    break
                side[u] = sympy.Integer(sign)
            else:
                smooth = piece(ctx.expr, side)
                try:
                    derivative = partial_derivatives(smooth, (variable,))[0]
                    slope = value_at(derivative, values)[0] * direction
                except UndefinedError:
                    continue
                sign = exact_sign(slope, seconds=_SIGN_SECONDS)
                if sign is not None:
                    slopes.append(sign)
    return slopes
