"""The panel of f(θ_k) against k, as numbers: the best value f*, the scale, each run's line.

When f* is known (a run converged there, or a local minimum was found) the
panel shows the gap f(θ_k) − f* on a log scale, where linear convergence is a
straight line and the rates of several runs can be compared; otherwise it
shows f(θ_k) itself. A diverged run is followed only while it stays within a
band around the other runs' values, and marked where it leaves, so that its
growth cannot flatten everything else. No matplotlib.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from gradcli.i18n import _
from gradcli.plot import geometry
from gradcli.plot.subject import CriticalMark, Run

__all__ = ["Line", "Progress", "progress"]

#: a diverged run is followed up to this many times the others' range beyond it
LINEAR_MARGIN = 1.0
#: on a log scale, at least this many decades beyond (or a quarter of the decades shown)
LOG_MARGIN = 2.0
#: a gap below this many units of rounding of f* is zero: f reached f*
ROUNDING = 8 * sys.float_info.epsilon
#: a value this far below f* (relative to max(1, |f*|)) shows that f* is not the best value
BELOW_REFERENCE = 1e-9
#: f* shown as 0 when within this share of the values' size of it
SHOWN_AS_ZERO = 1e-9


@dataclass(frozen=True)
class Line:
    """One run in the panel: steps k and the heights drawn (f, or f − f*).

    A diverged run's line stops where it leaves the panel: ``exit`` is that
    point, on the edge (k between two steps), ``exit_step`` the first k
    outside. Heights at or below :attr:`Progress.floor` are drawn on it.
    """

    steps: tuple[int, ...]
    heights: tuple[float, ...]
    exit: tuple[float, float] | None
    exit_step: int | None


@dataclass(frozen=True)
class Progress:
    """What the panel of f(θ_k) shows."""

    #: "log", "symlog" or "linear"
    scale: str
    #: f*, and where it came from ("the best converged value"); None when unknown
    reference: float | None
    reference_source: str | None
    #: the y axis label and the panel's title
    label: str
    title: str
    ylim: tuple[float, float]
    #: with f*: gaps at or below this are drawn on it (f − f* is 0 to rounding)
    floor: float | None
    #: one per run, in the runs' order
    lines: tuple[Line, ...]


def progress(runs: Sequence[Run], marks: Sequence[CriticalMark] = ()) -> Progress:
    """The panel for ``runs``; ``marks`` are critical points found, whose minima give f*.

    >>> run = Run(label="gd", method="gd", lr=0.1, stop_reason="converged", oscillating=False,
    ...           diverged=False, ascent=False, name="gd", coords=((1.0,),) * 3,
    ...           values=(5.0, 2.5, 2.0))
    >>> shown = progress([run])
    >>> shown.scale, shown.reference, shown.label, shown.lines[0].heights
    ('log', 2.0, 'f − f*,  f* ≈ 2 (the best converged value)', (3.0, 0.5, 0.16666666666666666))
    """
    sign = -1.0 if runs and all(run.ascent for run in runs) else 1.0
    reference, source = _reference(runs, marks, sign)
    if reference is not None:
        gaps = [[sign * (v - reference) for v in run.values] for run in runs]
        noise = ROUNDING * abs(reference)
        shown = [g for run, series in zip(runs, gaps) for g in _body(run, series) if g > noise]
        if shown:
            return _gap_panel(runs, gaps, reference, source or "", sign, min(shown), max(shown))
    return _value_panel(runs)


def _reference(
    runs: Sequence[Run], marks: Sequence[CriticalMark], sign: float
) -> tuple[float | None, str | None]:
    """f*: the best value a run converged to, or the best local minimum found, if no run
    went clearly beyond it."""
    candidates = [
        (sign * run.values[-1], _("the best converged value"))
        for run in runs
        if run.stop_reason == "converged" and math.isfinite(run.values[-1])
    ]
    kind = "local max" if sign < 0 else "local min"
    found = [m.value for m in marks if m.kind == kind and m.value is not None]
    if found:
        source = (
            _("the highest local maximum found")
            if sign < 0
            else _("the lowest local minimum found")
        )
        candidates.append((min(sign * v for v in found), source))
    if not candidates:
        return None, None
    best, source = min(candidates, key=lambda c: c[0])
    reference = sign * best
    slack = BELOW_REFERENCE * max(1.0, abs(reference))
    for run in runs:
        if any(sign * (v - reference) < -slack for v in run.values if math.isfinite(v)):
            return None, None
    return reference, source


def _body(run: Run, series: Sequence[float]) -> list[float]:
    """The values that set the panel's range: all of a run's, a diverged run's first."""
    return [v for v in (series[:1] if run.diverged else series) if math.isfinite(v)]


def _gap_panel(
    runs: Sequence[Run],
    gaps: Sequence[Sequence[float]],
    reference: float,
    source: str,
    sign: float,
    lowest: float,
    highest: float,
) -> Progress:
    floor = lowest / 3
    decades = math.log10(highest / floor)
    ceiling = highest * 10 ** max(LOG_MARGIN, decades / 4)
    lines = [_line(series, (-math.inf, ceiling), run.diverged, "log") for run, series in
             zip(runs, gaps)]  # fmt: skip
    lines = [
        Line(line.steps, tuple(max(h, floor) for h in line.heights), line.exit, line.exit_step)
        for line in lines
    ]
    top = ceiling if any(line.exit for line in lines) else highest * 10 ** (0.04 * decades + 0.1)
    size = max((abs(v) for run in runs for v in _body(run, run.values)), default=1.0)
    value = "0" if abs(reference) <= SHOWN_AS_ZERO * max(1.0, size) else _number(reference)
    gap = "f − f*" if sign > 0 else "f* − f"
    return Progress(
        scale="log",
        reference=reference,
        reference_source=source,
        label=_("{gap},  f* ≈ {value} ({source})").format(gap=gap, value=value, source=source),
        title=_("{gap} against k (log scale)").format(gap=gap),
        ylim=(floor / 10 ** (0.04 * decades + 0.1), top),
        floor=floor,
        lines=tuple(lines),
    )


def _value_panel(runs: Sequence[Run]) -> Progress:
    series = [list(run.values) for run in runs]
    body = [v for run, values in zip(runs, series) for v in _body(run, values)]
    if len(body) == len(runs) and all(run.diverged for run in runs):
        # every run diverged: follow each while |f| stays within 1000 times where it began
        body = [
            v
            for values in series
            for v in values
            if math.isfinite(v) and abs(v) <= 1000 * max(1.0, abs(values[0]))
        ]
    if not body:
        body = [0.0]
    scale = geometry.values_scale([body])
    lo, hi = min(body), max(body)
    if scale == "log":
        decades = math.log10(hi / lo)
        margin = 10 ** max(LOG_MARGIN, decades / 4)
        band = (lo / margin, hi * margin)
        pad = 10 ** (0.04 * decades + 0.1)
        view = (lo / pad, hi * pad)
    else:
        span = hi - lo if hi > lo else max(1.0, abs(hi))
        band = (lo - LINEAR_MARGIN * span, hi + LINEAR_MARGIN * span)
        view = (lo - 0.05 * span, hi + 0.05 * span)
    lines = [_line(values, band, run.diverged, scale) for run, values in zip(runs, series)]
    exits = [line.exit for line in lines if line.exit is not None]
    if any(e[1] >= band[1] for e in exits):
        view = (view[0], band[1])
    if any(e[1] <= band[0] for e in exits):
        view = (band[0], view[1])
    return Progress(
        scale=scale,
        reference=None,
        reference_source=None,
        label=r"$f(\theta_k)$",
        title=_(r"$f(\theta_k)$ against $k$ (log scale)")
        if scale == "log"
        else _(r"$f(\theta_k)$ against $k$"),
        ylim=view,
        floor=None,
        lines=tuple(lines),
    )


def _line(values: Sequence[float], band: tuple[float, float], diverged: bool, scale: str) -> Line:
    """A run's heights, cut where a diverged run leaves ``band`` or stops being finite.

    >>> _line([1.0, 4.0, 16.0, 64.0], (0.0, 10.0), True, "linear")
    Line(steps=(0, 1), heights=(1.0, 4.0), exit=(1.5, 10.0), exit_step=2)
    """
    lo, hi = band
    steps: list[int] = []
    heights: list[float] = []
    for k, v in enumerate(values):
        if not math.isfinite(v):
            if diverged and heights:
                return Line(tuple(steps), tuple(heights), (steps[-1], heights[-1]), k)
            continue
        if diverged and not lo <= v <= hi:
            if not heights:
                return Line((), (), None, k)
            edge = hi if v > hi else lo
            before = heights[-1]
            if scale == "log" and before > 0 and v > 0 and edge > 0:
                share = math.log(edge / before) / math.log(v / before)
            else:
                share = (edge - before) / (v - before)
            return Line(tuple(steps), tuple(heights), (k - 1 + share, edge), k)
        steps.append(k)
        heights.append(v)
    return Line(tuple(steps), tuple(heights), None, None)


def _number(value: float) -> str:
    from gradcli.printing import decimal

    return decimal(value, 4).replace("-", "\N{MINUS SIGN}")
