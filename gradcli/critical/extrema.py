"""The global minimum and maximum, with their evidence: convexity, an unbounded
direction, a proved bound attained at a critical point, or coercivity with
every critical point known."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations, product
from typing import Any

import sympy

from gradcli.critical.context import Context
from gradcli.critical.convexity import defined_everywhere, point_text, proved
from gradcli.critical.results import (
    DEGENERATE,
    LOCAL_MAX,
    LOCAL_MIN,
    NONDIFFERENTIABLE,
    Convexity,
    CriticalPoint,
    CriticalSet,
    GlobalExtremum,
    verdict_label,
)
from gradcli.i18n import _
from gradcli.numbers import to_float
from gradcli.second_order import within

__all__ = ["global_extremum"]

#: two critical values (floats) are the same value within this (relative)
_SAME_VALUE = 1e-9
#: shares of the budget: proving a bound, making a polynomial, one line of it
_BOUND_SHARE = 0.05
_LINE_SHARE = 0.02

Found = CriticalPoint | CriticalSet


@dataclass(frozen=True)
class _Side:
    """The words and sign of one side: the minimum or the maximum."""

    kind: str

    @property
    def minimum(self) -> bool:
        return self.kind == "minimum"

    @property
    def sign(self) -> int:
        return 1 if self.minimum else -1

    @property
    def local(self) -> str:
        return LOCAL_MIN if self.minimum else LOCAL_MAX

    def say(self, for_minimum: str, for_maximum: str) -> str:
        """The sentence (already translated) for this side."""
        return for_minimum if self.minimum else for_maximum

    @property
    def good(self) -> tuple[str, str]:
        return ("convex", "strictly convex") if self.minimum else ("concave", "strictly concave")

    @property
    def bad(self) -> tuple[str, str]:
        return ("concave", "strictly concave") if self.minimum else ("convex", "strictly convex")

    def answer(self, status: str, reason: str, **found: Any) -> GlobalExtremum:
        return GlobalExtremum(
            self.kind,
            status,
            found.get("points", ()),
            found.get("sets", ()),
            found.get("value"),
            found.get("value_float"),
            reason,
        )


def global_extremum(
    ctx: Context,
    kind: str,
    points: list[CriticalPoint],
    sets: list[CriticalSet],
    convexity: Convexity,
    complete: bool,
) -> GlobalExtremum:
    """The global ``"minimum"`` or ``"maximum"`` of f, or why it is not known."""
    side = _Side(kind)
    verdict = convexity.verdict
    shown = verdict_label(verdict)
    if verdict in side.good + side.bad and not defined_everywhere(ctx.expr):
        return side.answer(
            "unknown",
            _("f is {verdict} where it is defined, but that is not all of ℝⁿ").format(
                verdict=shown
            ),
        )
    if verdict in side.good:
        return _convex(side, verdict, points, sets, complete)
    if verdict in side.bad:
        reason = side.say(
            _("f is {verdict} and not constant: unbounded below"),
            _("f is {verdict} and not constant: unbounded above"),
        )
        return side.answer("none", reason.format(verdict=shown))
    direction = _unbounded_direction(ctx, side.sign)
    if direction is not None:
        reason = side.say(
            _("f is unbounded below: f → -∞ along the direction {direction}"),
            _("f is unbounded above: f → ∞ along the direction {direction}"),
        )
        return side.answer("none", reason.format(direction=point_text(direction)))
    return _best_critical_value(ctx, side, points, sets, complete)


def _convex(
    side: _Side,
    verdict: str,
    points: list[CriticalPoint],
    sets: list[CriticalSet],
    complete: bool,
) -> GlobalExtremum:
    """On a convex f (for the minimum; concave for the maximum) every critical
    point is a global one."""
    shown = verdict_label(verdict)
    if points or sets:
        first: Found = points[0] if points else sets[0]
        if len(points) == 1 and not sets:
            reason = side.say(
                _("f is {verdict}, so its local minimum is the global minimum"),
                _("f is {verdict}, so its local maximum is the global maximum"),
            )
        else:
            reason = side.say(
                _("f is {verdict}, so every critical point is a global minimum"),
                _("f is {verdict}, so every critical point is a global maximum"),
            )
        reason = reason.format(verdict=shown)
        if verdict.startswith("strictly"):
            reason = _("{reason} (and there is only one)").format(reason=reason)
        return side.answer(
            "found",
            reason,
            points=tuple(points),
            sets=tuple(sets),
            value=first.value,
            value_float=first.value_float,
        )
    if complete:
        reason = side.say(
            _("f is {verdict} with no critical point: no global minimum"),
            _("f is {verdict} with no critical point: no global maximum"),
        )
        return side.answer("none", reason.format(verdict=shown))
    return side.answer(
        "unknown",
        _("f is {verdict}, but no critical point was found in the box").format(verdict=shown),
    )


def _best_critical_value(
    ctx: Context,
    side: _Side,
    points: list[CriticalPoint],
    sets: list[CriticalSet],
    complete: bool,
) -> GlobalExtremum:
    """The least (greatest) local critical value, and whether it is global: a
    proved bound, or coercivity with every critical point known."""
    sign = side.sign
    candidates: list[tuple[float, Found]] = []
    for p in points:
        if p.kind == side.local or (
            p.kind in (DEGENERATE, NONDIFFERENTIABLE) and p.higher_order == side.kind
        ):
            candidates.append((p.value_float, p))
    for s in sets:
        if s.kind == side.local and s.value_float is not None:
            candidates.append((s.value_float, s))
    if not candidates:
        return side.answer(
            "unknown",
            side.say(
                _("no local minimum was found, and f is not proved convex"),
                _("no local maximum was found, and f is not proved concave"),
            ),
        )
    best_float = sign * min(sign * v for v, _unused in candidates)
    close = [c for v, c in candidates if abs(v - best_float) <= _SAME_VALUE * (1 + abs(best_float))]
    tied = {
        "points": tuple(c for c in close if isinstance(c, CriticalPoint)),
        "sets": tuple(c for c in close if isinstance(c, CriticalSet)),
    }
    best_exact = next((c.value for c in close if c.value is not None), None)
    bound = best_exact
    if bound is None and abs(best_float - round(best_float)) <= _SAME_VALUE:
        bound = sympy.Integer(round(best_float))
    if bound is not None:
        how = _bounded_by(ctx, bound, sign)
        if how is not None:
            reason = side.say(
                _("f ≥ {bound} everywhere ({how}), and f = {bound} here"),
                _("f ≤ {bound} everywhere ({how}), and f = {bound} here"),
            )
            return side.answer(
                "found",
                reason.format(bound=bound, how=how),
                value=bound,
                value_float=to_float(bound),
                **tied,
            )
    first = close[0]
    where_floats = first.samples[0] if isinstance(first, CriticalSet) else first.point_float
    where = point_text(f"{v:.6g}" for v in where_floats)
    best_text = side.say(
        _("the least critical value found is {value} at {point}"),
        _("the greatest critical value found is {value} at {point}"),
    ).format(value=f"{best_float:.6g}", point=where)
    if _coercive(ctx, sign):
        if complete:
            reason = side.say(
                _("f → ∞ in every direction and all critical points are known: {best}"),
                _("f → -∞ in every direction and all critical points are known: {best}"),
            )
            return side.answer(
                "found",
                reason.format(best=best_text),
                value=best_exact,
                value_float=best_float,
                **tied,
            )
        reason = side.say(
            _(
                "f has a global minimum (f → ∞ in every direction), "
                "but critical points outside the box may have been missed; {best}"
            ),
            _(
                "f has a global maximum (f → -∞ in every direction), "
                "but critical points outside the box may have been missed; {best}"
            ),
        )
        return side.answer("unknown", reason.format(best=best_text))
    reason = side.say(
        _("f is not proved convex and no bound below was proved; {best}"),
        _("f is not proved concave and no bound above was proved; {best}"),
    )
    return side.answer("unknown", reason.format(best=best_text))


def _bounded_by(ctx: Context, bound: sympy.Expr, sign: int) -> str | None:
    """How sign·(f - bound) ≥ 0 was proved everywhere, or ``None``."""
    end = ctx.share(_BOUND_SHARE)
    if proved(sign * (ctx.expr - bound), "nonnegative", end):
        return _("proved from the signs of its terms")

    def interval() -> bool:
        everything = sympy.AccumBounds(-sympy.oo, sympy.oo)
        image = ctx.expr.xreplace({v: everything for v in ctx.variables})
        if not isinstance(image, sympy.AccumBounds):
            return False
        edge = image.min if sign == 1 else image.max
        return bool((sign * (edge - bound)).is_nonnegative)

    if within(interval, end):
        return _("by interval arithmetic")

    return None


def _polynomial(ctx: Context) -> sympy.Poly | None:
    if not ctx.expr.is_polynomial(*ctx.variables):
        return None
    result: sympy.Poly | None = within(
        lambda: sympy.Poly(ctx.expr, *ctx.variables), ctx.share(_BOUND_SHARE)
    )
    return result


def _unbounded_direction(ctx: Context, sign: int) -> tuple[sympy.Expr, ...] | None:
    """A direction u along which sign·f(t·u) → -∞, proved from f(t·u)."""
    poly = _polynomial(ctx)
    if poly is None or poly.total_degree() < 1:
        return None
    t = sympy.Dummy("t")
    for u in _integer_directions(ctx.n, ctx.seed):
        if ctx.remaining() <= 0:
            return None
        line = within(
            lambda u=u: sympy.Poly(
                poly.as_expr().xreplace({v: c * t for v, c in zip(ctx.variables, u)}), t
            ),
            ctx.share(_LINE_SHARE),
        )
        if line is None or line.degree() < 1:
            continue
        lead = sign * line.LC()
        if lead < 0:
            return tuple(sympy.Integer(c) for c in u)
        if line.degree() % 2 == 1:
            return tuple(sympy.Integer(-c) for c in u)
    return None


def _integer_directions(n: int, seed: int) -> list[tuple[int, ...]]:
    """The axes, the diagonals of pairs of axes, and a few seeded random
    integer directions."""
    import numpy as np

    found: list[tuple[int, ...]] = []
    for i in range(n):
        for s in (1, -1):
            e = [0] * n
            e[i] = s
            found.append(tuple(e))
    for i, j in combinations(range(n), 2):
        for si, sj in product((1, -1), repeat=2):
            e = [0] * n
            e[i], e[j] = si, sj
            found.append(tuple(e))
    rng = np.random.default_rng(seed)
    for row in rng.integers(-3, 4, size=(16, n)):
        if any(row):
            found.append(tuple(int(v) for v in row))
    return found


def _coercive(ctx: Context, sign: int) -> bool:
    """sign·f → ∞ in every direction: proved for polynomials whose top form
    is definite."""
    poly = _polynomial(ctx)
    if poly is None:
        return False
    degree = poly.total_degree()
    if degree < 2 or degree % 2:
        return False
    top = sum(
        (
            sign * c * sympy.Mul(*(v**e for v, e in zip(ctx.variables, monomial)))
            for monomial, c in poly.terms()
            if sum(monomial) == degree
        ),
        sympy.Integer(0),
    )
    return _positive_form(top, ctx.variables, degree, ctx.share(_BOUND_SHARE))


def _positive_form(
    form: sympy.Expr, variables: tuple[sympy.Symbol, ...], degree: int, end: float
) -> bool:
    """Whether a homogeneous polynomial of even degree is positive off the origin."""
    n = len(variables)
    if n == 1:
        return bool(form.xreplace({variables[0]: 1}) > 0)
    if n == 2:
        x, y = variables

        def two() -> bool:
            lead = form.xreplace({x: 1, y: 0})
            if not lead > 0:
                return False
            dehomogenised = sympy.Poly(form.xreplace({y: 1}), x)
            return dehomogenised.count_roots() == 0 and dehomogenised.eval(0) > 0

        return bool(within(two, end))
    # pure powers with positive coefficients and a nonnegative rest
    poly = sympy.Poly(form, *variables)
    rest = form
    for i, v in enumerate(variables):
        c = poly.coeff_monomial(tuple(degree if j == i else 0 for j in range(n)))
        if not c > 0:
            return False
        rest -= c * v**degree
    return proved(sympy.expand(rest), "nonnegative", end)
