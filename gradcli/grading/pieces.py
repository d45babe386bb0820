"""Answers with non-smooth parts: equal piece by piece, or sampled on every region.

An answer holding |u|, sign(u) or Heaviside(u) (or a square root of a
square, which is |u|) can agree with the key almost everywhere and differ on
one region, which random points may miss. Its own breakpoints say where it
can change: each ``u = 0`` splits the plane. So the difference d is split
into its smooth pieces (|u| → ±u for each pattern of signs, as
:func:`gradcli.derivatives.piece` does for f's own corners):

* a piece that is 0 (exactly, or at the random points to 50 digits, as any
  smooth answer is judged) is equal on its whole region;
* a piece that is not 0 must have a region with no point in the domain.
  The regions are sampled: the random points, points on both sides of every
  breakpoint along every variable from several base points, and the
  extremes of each breakpoint's ``u`` (where an island of ``u > 0`` has its
  middle). A sampled point where d ≠ 0 is a counterexample; a region that
  shows up but where d is 0 at the points sampled, or more pieces than can be
  enumerated, leaves the verdict undecided.

Nothing is accepted on random points alone when the difference has
non-smooth parts.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sympy

from gradcli.budget import time_limit
from gradcli.derivatives import constant_ratio, kinks, piece
from gradcli.errors import BudgetExceeded, GradcliError
from gradcli.grading.evaluator import Evaluator
from gradcli.i18n import N_, _

__all__ = ["Pieces", "expose_kinks", "split"]

#: independent breakpoints whose sign patterns are enumerated (2⁶ pieces)
MAX_KINKS = 6
#: base points each breakpoint is crossed from, along each variable
_BASES = 6
#: distances on each side of a crossing, relative to max(1, |crossing|)
_OFFSETS = (1e-6, 1e-3, 3e-2, 0.3)
#: crossings kept per line
_CROSSINGS = 8
#: the scan for crossings of a non-polynomial breakpoint: a symmetric grid
_GRID = 600
#: bisection steps refining a crossing found on the grid
_BISECTIONS = 60
#: breakpoints sampled around (beyond them only a counterexample can decide)
_SAMPLED_KINKS = 12
#: breakpoints whose meeting points are looked for (pairs of them), and Newton steps
_VERTEX_KINKS = 8
_NEWTON_STEPS = 30
#: Newton steps towards a breakpoint's extremes (slow near a high-order one)
_NEWTON_EXTREME_STEPS = 80
#: a breakpoint's extremes are looked for only up to this degree and time
_EXTREME_DEGREE = 4
_EXTREME_SECONDS = 0.5


@dataclass(frozen=True)
class Pieces:
    """The independent breakpoints of a difference, and how the others follow them.

    ``linked`` maps a breakpoint to (the independent one, the sign of their
    ratio): |2y − 2| and |1 − y| share one sign pattern.
    """

    kinks: tuple[sympy.Expr, ...]
    linked: Mapping[sympy.Expr, tuple[sympy.Expr, int]]
    #: where other functions jump (atan2's cut): sampled around, not split into pieces
    jumps: tuple[sympy.Expr, ...] = ()

    def patterns(self) -> Iterator[dict[sympy.Expr, sympy.Expr]]:
        """Each assignment of signs to the breakpoints, the linked ones following."""
        for signs in itertools.product((1, -1), repeat=len(self.kinks)):
            out: dict[sympy.Expr, sympy.Expr] = {
                u: sympy.Integer(s) for u, s in zip(self.kinks, signs)
            }
            for u, (independent, sign) in self.linked.items():
                out[u] = out[independent] * sign
            yield out

    def region_of(self, evaluator: Evaluator, points: Any) -> Any:
        """Each point's sign pattern, as a row of ±1 (0 on a breakpoint)."""
        import numpy as np

        columns = [np.sign(evaluator.values_at(u, points)) for u in self.kinks]
        if not columns:
            return np.zeros((points.shape[0], 0))
        return np.stack(columns, axis=1)

    def shown(self) -> str:
        """The breakpoints for a message: the first three, and how many more."""
        from gradcli.printing import to_unicode

        every = self.kinks + self.jumps
        listed = ", ".join(to_unicode(u) for u in every[:3])
        more = len(every) - 3
        if more > 0:
            return _("{breakpoints} and {count} more").format(breakpoints=listed, count=more)
        return listed


def split(answer: sympy.Expr, expected: sympy.Expr) -> Pieces | None:
    """The breakpoints of ``answer − expected``; ``None`` when both are smooth."""
    found = tuple(dict.fromkeys(kinks(answer) + kinks(expected)))
    jumps = tuple(
        dict.fromkeys(
            arg
            for expr in (answer, expected)
            for node in sympy.preorder_traversal(expr)
            if isinstance(node, sympy.atan2)
            for arg in node.args
            if arg.free_symbols
        )
    )
    if not found and not jumps:
        return None
    independent: list[sympy.Expr] = []
    linked: dict[sympy.Expr, tuple[sympy.Expr, int]] = {}
    for u in found:
        for v in independent:
            if not _may_be_multiple(u, v):
                continue
            ratio = constant_ratio(u, v)
            if ratio is not None:
                linked[u] = (v, 1 if ratio > 0 else -1)
                break
        else:
            independent.append(u)
    return Pieces(tuple(independent), linked, jumps)


#: two points where a ratio of breakpoints must be the same if it is a constant
_PROBE_POINTS = (sympy.Rational(3, 7), sympy.Rational(-5, 11), sympy.Rational(13, 17))


def _may_be_multiple(u: sympy.Expr, v: sympy.Expr) -> bool:
    """Whether u/v may be a constant: the same ratio at two points (cheap, before cancel)."""
    symbols = sorted(u.free_symbols | v.free_symbols, key=lambda s: s.name)
    ratios = []
    for shift in range(2):
        point = {s: _PROBE_POINTS[(k + shift) % 3] + shift for k, s in enumerate(symbols)}
        try:
            value = complex((u.xreplace(point) / v.xreplace(point)).evalf(15))
        except (TypeError, ValueError, ZeroDivisionError, ArithmeticError):
            return True
        ratios.append(value)
    first, second = ratios
    return abs(first - second) <= 1e-9 * max(abs(first), 1.0)


def expose_kinks(expr: sympy.Expr, seconds: float = 0.2) -> sympy.Expr:
    """``expr`` with each square root of a square written as |u|: √(x² − 2x + 1) is |x − 1|.

    An even root of a polynomial that factors as a square is a hidden corner;
    factoring the base (within ``seconds``) lets sympy write it as |u|.
    """
    roots = [
        node
        for node in sympy.preorder_traversal(expr)
        if node.is_Pow
        and node.exp.is_Rational
        and not node.exp.is_Integer
        and node.exp.q % 2 == 0
        and node.base.is_polynomial()
        and node.base.free_symbols
    ]
    if not roots:
        return expr
    replaced: dict[sympy.Basic, sympy.Expr] = {}
    try:
        with time_limit(seconds, N_("looking for square roots of squares")):
            for node in roots:
                factored = sympy.factor(node.base)
                if factored != node.base:
                    rebuilt = sympy.Pow(factored, node.exp)
                    if rebuilt.has(sympy.Abs):
                        replaced[node] = rebuilt
    except (BudgetExceeded, sympy.PolynomialError):
        return expr
    return expr.xreplace(replaced) if replaced else expr


def smooth_pieces(
    difference: sympy.Expr, pieces: Pieces
) -> Iterator[tuple[dict[sympy.Expr, sympy.Expr], sympy.Expr]]:
    """Each sign pattern with the smooth piece of ``difference`` on its region."""
    for signs in pieces.patterns():
        yield signs, piece(difference, signs)


def crossing_points(pieces: Pieces, evaluator: Evaluator) -> Any:
    """Points on both sides of every breakpoint along every variable, and its extremes.

    Cached on the evaluator, per set of breakpoints.
    """
    import numpy as np

    cache: dict[Any, Any] = evaluator.extras
    key = ("crossings", pieces.kinks, pieces.jumps)
    found = cache.get(key)
    if found is not None:
        return found
    bases = _bases(evaluator)
    rows: list[Any] = []
    symbols = evaluator.symbols
    for u in (pieces.kinks + pieces.jumps)[:_SAMPLED_KINKS]:
        for k, v in enumerate(symbols):
            if not u.has(v):
                continue
            for base in bases:
                for root in _crossings(u, k, base, evaluator):
                    for offset in _OFFSETS:
                        step = offset * max(1.0, abs(root))
                        for side in (-1.0, 1.0):
                            point = base.copy()
                            point[k] = root + side * step
                            rows.append(point)
        extremes = _extremes(u, symbols) or _newton_extremes(u, bases, evaluator)
        for extreme in extremes + _line_extremes(u, bases, evaluator):
            rows.append(extreme)
            for k in range(len(symbols)):
                for side in (-1.0, 1.0):
                    point = extreme.copy()
                    point[k] += side * 1e-3 * max(1.0, abs(extreme[k]))
                    rows.append(point)
    # where two breakpoints meet, every region around the corner
    kinks = pieces.kinks[:_VERTEX_KINKS]
    for i, u in enumerate(kinks):
        for v in kinks[i + 1 :]:
            for vertex, pair in _vertices(u, v, bases, evaluator):
                for offset in _OFFSETS[:3]:
                    for signs in itertools.product((-1.0, 1.0), repeat=2):
                        point = vertex.copy()
                        for k, sign in zip(pair, signs):
                            point[k] += sign * offset * max(1.0, abs(vertex[k]))
                        rows.append(point)
    points = np.array(rows, dtype=float) if rows else np.zeros((0, len(symbols)))
    cache[key] = points
    return points


def _bases(evaluator: Evaluator) -> list[Any]:
    """A few points of the domain to draw lines from: from both pools, and 1, 1, …"""
    import numpy as np

    pools = evaluator.pools
    candidates = np.concatenate(
        [np.ones((1, len(evaluator.symbols))), pools[0][:_BASES], pools[1][:_BASES]]
    )
    inside = evaluator.inside(candidates)
    chosen = candidates[inside][:_BASES]
    if len(chosen) < _BASES:
        chosen = np.concatenate([chosen, candidates[~inside][: _BASES - len(chosen)]])
    return [row.copy() for row in chosen]


def _crossings(u: sympy.Expr, k: int, base: Any, evaluator: Evaluator) -> list[float]:
    """Where ``u`` is 0 along variable ``k`` through ``base``."""
    import numpy as np

    symbols = evaluator.symbols
    x = symbols[k]
    fixed = {s: sympy.Rational(float(base[m])) for m, s in enumerate(symbols) if m != k}
    roots = _polynomial_roots(u, x, fixed)
    if roots is not None:
        return roots[:_CROSSINGS]
    ramp = _ramp()
    line = np.repeat(base[None, :], ramp.size, axis=0)
    line[:, k] = ramp
    values = evaluator.values_at(u, line)
    ok = np.isfinite(values)
    signs = np.sign(values)
    out: list[float] = [float(t) for t in ramp[ok & (values == 0)]]
    change = ok[:-1] & ok[1:] & (signs[:-1] * signs[1:] < 0)
    lo = ramp[:-1][change]
    hi = ramp[1:][change]
    if lo.size:
        lo_sign = signs[:-1][change]
        for _step in range(_BISECTIONS):
            mid = (lo + hi) / 2
            probe = np.repeat(base[None, :], mid.size, axis=0)
            probe[:, k] = mid
            mid_sign = np.sign(evaluator.values_at(u, probe))
            same = mid_sign == lo_sign
            lo = np.where(same, mid, lo)
            hi = np.where(same, hi, mid)
        out.extend(float(t) for t in (lo + hi) / 2)
    return out[:_CROSSINGS]


@functools.lru_cache(maxsize=1)
def _ramp() -> Any:
    """The values a breakpoint is scanned at along a line: dense near 0, out to ±10⁴."""
    import numpy as np

    return np.unique(
        np.concatenate(
            [
                -np.logspace(4, -3, _GRID // 2),
                np.linspace(-10.0, 10.0, _GRID),
                np.logspace(-3, 4, _GRID // 2),
            ]
        )
    )


def _newton_extremes(u: sympy.Expr, bases: Sequence[Any], evaluator: Evaluator) -> list[Any]:
    """Critical points of ``u`` by Newton's method on ∇u = 0 from the base points.

    For breakpoints that are not polynomials of low degree (whose extremes
    ``critical`` finds exactly): the middle of an island of high degree, such
    as 10⁻¹² − ((x+3)² + (y+3)²)³ > 0.
    """
    import numpy as np

    from gradcli.derivatives import gradient_of, hessian_of

    symbols = evaluator.symbols
    present = [k for k, s in enumerate(symbols) if u.has(s)]
    if not present or len(present) > 3:
        return []
    variables = [symbols[k] for k in present]
    gradient = gradient_of(u, variables)
    hessian = hessian_of(u, variables)
    points = np.array(bases, dtype=float)
    n = len(present)
    for _step in range(_NEWTON_EXTREME_STEPS):
        g = np.stack([evaluator.values_at(c, points) for c in gradient], axis=1)
        h = np.stack(
            [
                np.stack([evaluator.values_at(hessian[i][j], points) for j in range(n)], axis=1)
                for i in range(n)
            ],
            axis=1,
        )
        ok = np.all(np.isfinite(g), axis=1) & np.all(np.isfinite(h), axis=(1, 2))
        ok &= np.abs(np.linalg.det(np.where(ok[:, None, None], h, np.eye(n)))) > 1e-300
        if not ok.any():
            break
        step = np.zeros((points.shape[0], n))
        step[ok] = np.linalg.solve(h[ok], g[ok][..., None])[..., 0]
        for column, k in enumerate(present):
            points[:, k] -= np.where(ok, step[:, column], 0.0)
    finite = np.all(np.isfinite(points), axis=1)
    return [row.copy() for row in points[finite]]


def _line_extremes(u: sympy.Expr, bases: Sequence[Any], evaluator: Evaluator) -> list[Any]:
    """Local extremes of ``u`` along each variable through each base point.

    A region u > 0 that is a narrow interval (sin x > 0.99999) has a maximum of
    u in its middle even when the scan steps over both of its ends.
    """
    import numpy as np

    out: list[Any] = []
    ramp = _ramp()
    for k, v in enumerate(evaluator.symbols):
        if not u.has(v):
            continue
        for base in bases[:2]:
            line = np.repeat(base[None, :], ramp.size, axis=0)
            line[:, k] = ramp
            values = evaluator.values_at(u, line)
            with np.errstate(all="ignore"):  # inf − inf where u overflows: not a turn
                slope = np.diff(values)
                bends = slope[:-1] * slope[1:]
            turns = np.flatnonzero(np.isfinite(bends) & (bends < 0))
            for i in turns[:_CROSSINGS]:
                lo, hi = float(ramp[i]), float(ramp[i + 2])
                maximum = slope[i] > 0
                for _step in range(_BISECTIONS):
                    # golden-section-like narrowing by comparing two inner points
                    a, b = lo + (hi - lo) / 3, hi - (hi - lo) / 3
                    probe = np.repeat(base[None, :], 2, axis=0)
                    probe[0, k], probe[1, k] = a, b
                    fa, fb = evaluator.values_at(u, probe)
                    if not (np.isfinite(fa) and np.isfinite(fb)):
                        break
                    if (fa < fb) == maximum:
                        lo = a
                    else:
                        hi = b
                point = base.copy()
                point[k] = (lo + hi) / 2
                out.append(point)
    return out


def _vertices(
    u: sympy.Expr, v: sympy.Expr, bases: Sequence[Any], evaluator: Evaluator
) -> list[tuple[Any, tuple[int, int]]]:
    """Points where two breakpoints meet, by Newton's method from the base points.

    Along each pair of variables both depend on; the Jacobian by central
    differences (breakpoints are smooth where they vanish, or nearly).
    """
    import numpy as np

    symbols = evaluator.symbols
    present = [k for k, s in enumerate(symbols) if u.has(s) or v.has(s)]
    out: list[tuple[Any, tuple[int, int]]] = []
    for pair in itertools.combinations(present, 2):
        points = np.array(bases, dtype=float)
        for _step in range(_NEWTON_STEPS):
            f = np.stack([evaluator.values_at(u, points), evaluator.values_at(v, points)], axis=1)
            jacobian = np.zeros((points.shape[0], 2, 2))
            for column, k in enumerate(pair):
                h = 1e-7 * np.maximum(np.abs(points[:, k]), 1.0)
                ahead, behind = points.copy(), points.copy()
                ahead[:, k] += h
                behind[:, k] -= h
                for row, w in enumerate((u, v)):
                    jacobian[:, row, column] = (
                        evaluator.values_at(w, ahead) - evaluator.values_at(w, behind)
                    ) / (2 * h)
            ok = np.all(np.isfinite(f), axis=1) & np.all(np.isfinite(jacobian), axis=(1, 2))
            ok &= np.abs(np.linalg.det(np.where(ok[:, None, None], jacobian, 1.0))) > 1e-12
            if not ok.any():
                break
            step = np.zeros((points.shape[0], 2))
            step[ok] = np.linalg.solve(jacobian[ok], f[ok][..., None])[..., 0]
            for column, k in enumerate(pair):
                points[:, k] -= np.where(ok, step[:, column], 0.0)
        f = np.stack([evaluator.values_at(u, points), evaluator.values_at(v, points)], axis=1)
        size = np.maximum(np.abs(points).max(axis=1), 1.0)
        met = np.all(np.isfinite(f), axis=1) & (np.abs(f).max(axis=1) <= 1e-9 * size)
        seen: set[tuple[float, ...]] = set()
        for point in points[met]:
            key = tuple(np.round(point, 9))
            if key not in seen:
                seen.add(key)
                out.append((point.copy(), pair))
    return out[: _CROSSINGS * 2]


def _polynomial_roots(
    u: sympy.Expr, x: sympy.Symbol, fixed: Mapping[sympy.Symbol, sympy.Expr]
) -> list[float] | None:
    """The real roots of ``u`` in ``x`` when it is a polynomial there; ``None`` if not."""
    import numpy as np

    line = u.xreplace(dict(fixed))
    if line.free_symbols - {x} or not line.is_polynomial(x):
        return None
    try:
        coefficients = [float(c) for c in sympy.Poly(line, x).all_coeffs()]
    except (sympy.PolynomialError, TypeError, ValueError, OverflowError):
        return None
    if len(coefficients) > 30 or not all(np.isfinite(coefficients)):
        return None
    if len(coefficients) <= 1:
        return []
    roots = np.roots(coefficients)
    real = roots[np.abs(roots.imag) <= 1e-9 * np.maximum(1.0, np.abs(roots.real))].real
    return sorted({float(r) for r in real})


def _extremes(u: sympy.Expr, symbols: Sequence[sympy.Symbol]) -> list[Any]:
    """Real points where ∇u = 0, for a polynomial ``u`` of low degree (islands' middles)."""
    return list(_extremes_cached(u, tuple(symbols)))


@functools.lru_cache(maxsize=256)
def _extremes_cached(u: sympy.Expr, symbols: tuple[sympy.Symbol, ...]) -> tuple[Any, ...]:
    """The critical points of ``u``, as gradcli's ``critical`` finds them within a short budget."""
    import numpy as np

    from gradcli.critical import critical_points

    present = [s for s in symbols if u.has(s)]
    if not present or not u.is_polynomial(*present):
        return ()
    try:
        if sympy.Poly(u, *present).total_degree() > _EXTREME_DEGREE:
            return ()
        found = critical_points(u, present, time_budget=_EXTREME_SECONDS)
    except (BudgetExceeded, GradcliError, sympy.PolynomialError):
        return ()
    out = []
    for point in found.points[:8]:
        row = np.ones(len(symbols))
        for s, value in zip(present, point.point_float):
            row[symbols.index(s)] = float(value)
        out.append(row)
    return tuple(out)
