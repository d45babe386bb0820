"""Plane geometry for pictures: round windows, contour levels, paths cut to a window.

Numbers in, numbers out: no sympy, no matplotlib. :func:`ticks` is
matplotlib's ``MaxNLocator`` (with its default steps), written out
so that a scene can choose its contour levels without importing matplotlib;
the drawing tests compare the two.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = [
    "Point",
    "auto_range",
    "clip_path",
    "inside",
    "levels",
    "nice_step",
    "robust_range",
    "square",
    "ticks",
    "values_scale",
]

Point = tuple[float, float]
Pieces = tuple[tuple[Point, ...], ...]

#: MaxNLocator's default steps (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10), as its
#: staircase: a tenth of each below, and 15 above
_STEPS = np.array([1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10])
_STAIRCASE = np.concatenate([0.1 * _STEPS[:-1], _STEPS, [10 * _STEPS[1]]])
#: contour levels: about this many bands between the lowest and highest
_BANDS = 14


def nice_step(span: float) -> float:
    """1, 2 or 5 times a power of ten, about ``span``.

    >>> nice_step(0.3), nice_step(7), nice_step(0)
    (0.5, 10.0, 1.0)
    """
    if not span > 0:
        return 1.0
    power = 10 ** math.floor(math.log10(span))
    for factor in (1, 2, 5, 10):
        if span <= factor * power:
            return float(factor * power)
    return 10.0 * power


def auto_range(values: Sequence[float], half_floor: float = 1.0) -> tuple[float, float]:
    """A range around ``values`` with 30 % to spare, on round numbers.

    >>> auto_range([1.0, 3.0])
    (0.5, 3.5)
    """
    lo, hi = min(values), max(values)
    centre = (lo + hi) / 2
    half = max(0.65 * (hi - lo), half_floor)
    step = nice_step(half / 4)
    return (
        math.floor((centre - half) / step) * step,
        math.ceil((centre + half) / step) * step,
    )


def square(points: Sequence[Sequence[float]], floor: float) -> tuple[float, float, float, float]:
    """A window around ``points`` with the same span both ways.

    The same span both ways shows ∇f perpendicular to the level curve.

    >>> square([(0.0, 0.0), (4.0, 1.0)], 1.0)
    (-1.0, 5.0, -2.5, 3.5)
    """
    x0, x1 = auto_range([p[0] for p in points], floor)
    y0, y1 = auto_range([p[1] for p in points], floor)
    side = max(x1 - x0, y1 - y0)
    grow_x, grow_y = (side - (x1 - x0)) / 2, (side - (y1 - y0)) / 2
    return (x0 - grow_x, x1 + grow_x, y0 - grow_y, y1 + grow_y)


def robust_range(values: np.ndarray) -> tuple[float, float]:
    """The range of a curve's values, leaving out a pole's huge tail, padded by 8 %."""
    lo, hi = float(values.min()), float(values.max())
    q_lo, q_hi = (float(q) for q in np.quantile(values, [0.02, 0.98]))
    bulk = q_hi - q_lo
    if hi - q_hi > 3 * bulk:
        hi = q_hi
    if q_lo - lo > 3 * bulk:
        lo = q_lo
    if not hi > lo:
        lo, hi = lo - max(1.0, abs(lo)) * 0.5, hi + max(1.0, abs(hi)) * 0.5
    pad = 0.08 * (hi - lo)
    return lo - pad, hi + pad


def ticks(lo: float, hi: float, bins: int = _BANDS) -> np.ndarray:
    """Round values spanning [lo, hi] in at most ``bins`` steps (``lo < hi``).

    matplotlib's ``MaxNLocator(nbins=bins).tick_values(lo, hi)``, the same
    arithmetic, so that the levels (and the picture) are what they were.

    >>> ticks(0.0, 1.0, 4).tolist()
    [0.0, 0.25, 0.5, 0.75, 1.0]
    """
    if hi - lo <= max(abs(lo), abs(hi)) * 1e-14:  # matplotlib's nonsingular
        lo, hi = lo - 1e-13 * abs(lo), hi + 1e-13 * abs(hi)
    span, middle = hi - lo, (hi + lo) / 2
    offset = 0.0
    if abs(middle) / span >= 100:
        offset = math.copysign(10 ** (math.log10(abs(middle)) // 1), middle)
    scale = 10 ** (math.log10(span / bins) // 1)
    low_end, high_end = lo - offset, hi - offset
    steps = _STAIRCASE * scale
    large = np.nonzero(steps >= (high_end - low_end) / bins)[0]
    first = large[0] if large.size else len(steps) - 1
    out = np.array([])
    for step in steps[: first + 1][::-1]:
        best = (low_end // step) * step
        slop = _slop(step, offset)
        d, m = divmod(low_end - best, step)
        start = d + 1 if abs(m / step - 1) < slop else d
        d, m = divmod(high_end - best, step)
        stop = d if abs(m / step) < slop else d + 1
        out = np.arange(start, stop + 1) * step + best
        if ((out <= high_end) & (out >= low_end)).sum() >= 2:
            break
    return out + offset


def _slop(step: float, offset: float) -> float:
    """How near a multiple of ``step`` counts as on it (more with a large offset)."""
    if offset == 0:
        return 1e-10
    return min(0.4999, max(1e-10, 10 ** (math.log10(abs(offset) / step) - 12)))


def levels(values: np.ndarray) -> tuple[np.ndarray, str]:
    """Contour levels for the finite values of f, and the colour bar's extension.

    A few huge values (near a pole) are left out of the colour range; when
    most of the map is near the bottom (or top) of the range, levels crowd
    there, so that a valley shows its shape. The extension says which ends
    were cut: ``"neither"``, ``"min"``, ``"max"`` or ``"both"``.

    >>> found, extend = levels(np.linspace(0.0, 10.0, 101))
    >>> found.tolist(), extend
    ([0.0, 0.8, 1.6, 2.4, 3.2, 4.0, 4.8, 5.6, 6.4, 7.2, 8.0, 8.8, 9.6, 10.0], 'neither')
    """
    lo, hi = float(values.min()), float(values.max())
    q_lo, q_hi = (float(q) for q in np.quantile(values, [0.01, 0.99]))
    bulk = q_hi - q_lo
    top = hi if hi - q_hi <= 2 * bulk else q_hi
    bottom = lo if q_lo - lo <= 2 * bulk else q_lo
    if not top > bottom:
        pad = max(1.0, abs(bottom)) * 0.5
        return np.array([bottom - pad, bottom + pad]), "neither"
    share = (float(np.median(np.clip(values, bottom, top))) - bottom) / (top - bottom)
    crowd = (np.geomspace(1, 201, 17) - 1) / 200
    if share < 0.25:
        found = bottom + (top - bottom) * crowd
    elif share > 0.75:
        found = top - (top - bottom) * crowd[::-1]
    else:
        found = ticks(bottom, top)
        found = found[(found > bottom) & (found < top)]
        found = np.concatenate([[bottom], found, [top]])
    inner = np.array([float(f"{v:.2g}") for v in found[1:-1]])
    found = np.unique(np.concatenate([[bottom], inner[(inner > bottom) & (inner < top)], [top]]))
    extend = {(False, False): "neither", (True, False): "min", (False, True): "max"}.get(
        (bottom > lo, top < hi), "both"
    )
    return found, extend


def values_scale(series: Sequence[Sequence[float]]) -> str:
    """``"log"`` for f(θ_k) when positive over decades, ``"symlog"`` for a huge
    outlier, else ``"linear"``.

    >>> values_scale([[100.0, 1.0, 0.01]]), values_scale([[-1.0, 1, 2, 1e9]])
    ('log', 'symlog')
    >>> values_scale([[1, 2]])
    'linear'
    """
    finite = [v for values in series for v in values if math.isfinite(v)]
    if not finite:
        return "linear"
    positive = [v for v in finite if v > 0]
    if len(positive) == len(finite) and max(positive) / min(positive) > 100:
        return "log"
    biggest = max(abs(v) for v in finite)
    typical = sorted(abs(v) for v in finite)[len(finite) // 2]
    if biggest > 1000 * max(typical, 1e-300):
        return "symlog"
    return "linear"


def inside(p: Sequence[float], rect: Sequence[float]) -> bool:
    """Whether ``p`` lies in the window ``(xmin, xmax, ymin, ymax)``, edges included."""
    return rect[0] <= p[0] <= rect[1] and rect[2] <= p[1] <= rect[3]


def _clip_segment(p: Point, q: Point, rect: Sequence[float]) -> tuple[Point, Point, bool] | None:
    """The part of the segment p→q inside ``rect`` (Liang–Barsky).

    Returns (a, b, left): ``left`` when the segment ends outside. None when
    no part is inside.
    """
    x0, x1, y0, y1 = rect
    dx, dy = q[0] - p[0], q[1] - p[1]
    if not (math.isfinite(dx) and math.isfinite(dy)):
        return None
    t0, t1 = 0.0, 1.0
    for pk, qk in ((-dx, p[0] - x0), (dx, x1 - p[0]), (-dy, p[1] - y0), (dy, y1 - p[1])):
        if pk == 0:
            if qk < 0:
                return None
            continue
        t = qk / pk
        if pk < 0:
            if t > t1:
                return None
            t0 = max(t0, t)
        else:
            if t < t0:
                return None
            t1 = min(t1, t)
    a = p if t0 == 0 else (p[0] + t0 * dx, p[1] + t0 * dy)
    b = q if t1 == 1 else (p[0] + t1 * dx, p[1] + t1 * dy)
    return a, b, t1 < 1


def clip_path(
    coords: Sequence[Point], rect: Sequence[float]
) -> tuple[Pieces, tuple[Point, ...], tuple[int, ...]]:
    """A path cut to the window: its pieces, where it leaves, and at which step.

    >>> clip_path([(0.0, 0.0), (2.0, 0.0)], (-1, 1, -1, 1))
    ((((0.0, 0.0), (1.0, 0.0)),), ((1.0, 0.0),), (1,))
    """
    pieces: list[tuple[Point, ...]] = []
    exits: list[Point] = []
    steps: list[int] = []
    current: list[Point] = []
    previous: Point | None = None
    for k, point in enumerate(coords):
        if not all(math.isfinite(c) for c in point):
            break
        if previous is None:
            if inside(point, rect):
                current = [point]
        elif inside(previous, rect) or inside(point, rect):
            # a step between two points outside is not drawn, even where
            # the line would cross the window: that is where a zig-zag
            # diverges, and the crossing lines would be noise
            clipped = _clip_segment(previous, point, rect)
            if clipped is not None:
                a, b, left = clipped
                if not current:
                    current = [a]
                current.append(b)
                if left:
                    exits.append(b)
                    steps.append(k)
                    pieces.append(tuple(current))
                    current = []
        previous = point
    if current:
        pieces.append(tuple(current))
    return tuple(pieces), tuple(exits), tuple(steps)
