"""What a picture of f shows, as numbers: window, grid, levels, arrows, paths, critical points.

:func:`build_scene` computes everything a figure draws and returns a frozen
:class:`Scene`; it never imports matplotlib, so that the mathematics of a
picture can be tested (and used) without it. f, P, the runs and the critical
points are read by :mod:`gradcli.plot.subject`; ∇f over the window comes from
:func:`gradcli.derivatives.gradient_of`, and the paths are the
:class:`~gradcli.descent.DescentRun` trajectories given, cut to the window.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy

from gradcli.derivatives import gradient_of
from gradcli.errors import InputError, UndefinedError
from gradcli.i18n import _, language, speaking
from gradcli.limits import Limits
from gradcli.numbers import to_float
from gradcli.parse import Function
from gradcli.plot import geometry
from gradcli.plot.geometry import Point
from gradcli.plot.numeric import gradient_field, numeric
from gradcli.plot.progress import Progress, progress
from gradcli.plot.subject import (
    CriticalMark,
    Run,
    Subject,
    check_window,
    critical_marks,
    prepare,
    read_point,
)

if TYPE_CHECKING:
    from gradcli.descent import DescentRun

__all__ = [
    "ARROWS",
    "ARROW_SHARE",
    "GRID",
    "MAX_ASPECT",
    "SAMPLES",
    "ContourMap",
    "CriticalMark",
    "Curve",
    "DrawnPath",
    "Field",
    "PointArrow",
    "Progress",
    "Run",
    "Scene",
    "build_scene",
    "read_point",
]

#: contour grid: points along each axis
GRID = 200
#: arrows of the gradient field along each axis
ARROWS = 17
#: samples of a curve of one variable
SAMPLES = 600
#: the arrow at P, as a fraction of the window's smaller side
ARROW_SHARE = 0.2
#: a window whose sides differ by more than this factor is not drawn to scale
MAX_ASPECT = 3.0
#: each field arrow's length, as a share of the grid's spacing
FIELD_ARROW_SHARE = 0.62
#: |∇f| over more than this factor is coloured on a log scale
FIELD_LOG_RATIO = 100
#: a title's LaTeX longer than this is shown as plain text
LONGEST_TEX = 160


@dataclass(frozen=True)
class DrawnPath:
    """One descent run as drawn, in the plotted coordinates.

    ``pieces`` are the polylines inside the window (a path that leaves and
    comes back has several); ``exits`` are the points where it leaves, on the
    window's edge, and ``exit_steps`` the k of the step that left. ``start``
    and ``end`` are θ_0 and the final point, or None when outside the window.
    ``values`` are the run's finite f(θ_k). ``name`` tells the run apart from
    the others (the legend's entry); ``label`` adds its outcome.
    """

    label: str
    method: str
    lr: float
    stop_reason: str
    oscillating: bool
    pieces: tuple[tuple[Point, ...], ...]
    exits: tuple[Point, ...]
    exit_steps: tuple[int, ...]
    start: Point | None
    end: Point | None
    values: tuple[float, ...]
    name: str = ""

    @property
    def points(self) -> tuple[Point, ...]:
        """Every vertex drawn, piece after piece."""
        return tuple(p for piece in self.pieces for p in piece)


@dataclass(frozen=True)
class PointArrow:
    """∇f at P as drawn: from P along ∇f, a share of the window long (not |∇f|).

    For a curve, ``unit`` and ``tangent`` are both the tangent's direction.
    """

    start: Point
    end: Point
    unit: Point
    length: float
    #: the unit tangent of the level curve through P (perpendicular to ∇f)
    tangent: Point


@dataclass(frozen=True, eq=False)
class Field:
    """The gradient field: unit arrows on a grid where ∇f is finite and not 0."""

    x: np.ndarray
    y: np.ndarray
    u: np.ndarray
    v: np.ndarray
    #: |∇f| at each arrow (its colour), and whether that scale is logarithmic
    size: np.ndarray
    log: bool
    #: each arrow's drawn length, in plotted units
    length: float


@dataclass(frozen=True, eq=False)
class ContourMap:
    """f on a grid over the window (NaN where undefined), with its levels."""

    grid_x: np.ndarray
    grid_y: np.ndarray
    values: np.ndarray
    levels: tuple[float, ...]
    #: which ends of the colour range were cut: neither, min, max or both
    extend: str
    field: Field | None
    #: f(P), when P's level curve is among the levels
    level_at_p: float | None


@dataclass(frozen=True, eq=False)
class Curve:
    """f and f' sampled across the window (NaN where undefined, or past a pole)."""

    xs: np.ndarray
    values: np.ndarray
    slopes: np.ndarray
    #: the y range shown for f'
    slope_range: tuple[float, float] | None
    #: the tangent at P across the window
    tangent_line: tuple[Point, Point] | None


@dataclass(frozen=True, eq=False)
class Scene:
    """Everything a picture of f shows, in numbers."""

    #: "contour" (two plotted variables) or "curve" (one: points are (x, f(x)))
    kind: str
    variables: tuple[str, ...]
    axes: tuple[str, ...]
    #: the plotted variables in LaTeX, for axis labels
    axis_tex: tuple[str, ...]
    #: the variables not plotted, fixed at P
    fixed: tuple[tuple[str, float], ...]
    window: tuple[float, float, float, float]
    #: a contour map drawn to scale (its sides differ by at most MAX_ASPECT)
    equal_aspect: bool
    surface: ContourMap | Curve
    value_range: tuple[float, float]
    undefined_share: float
    #: P in all the variables, and in the plotted ones
    point: tuple[float, ...] | None
    at: tuple[float, ...] | None
    value_at: float | None
    gradient: tuple[float, ...] | None
    gradient_text: str | None
    #: ∇f at P along the plotted variables (f'(P) for a curve)
    arrow: tuple[float, ...] | None
    pointer: PointArrow | None
    runs: tuple[Run, ...]
    paths: tuple[DrawnPath, ...]
    #: the panel of f(θ_k) against k (None without runs), and its y scale
    progress: Progress | None
    values_scale: str | None
    critical: tuple[CriticalMark, ...]
    #: the title: f in mathtext (None when too long), in plain text, and what follows
    title_tex: str | None
    title_plain: str
    title_suffix: str
    notes: tuple[str, ...]

    @property
    def levels(self) -> tuple[float, ...]:
        return self.surface.levels if isinstance(self.surface, ContourMap) else ()


def build_scene(
    function: Function,
    *,
    at: Mapping[Any, Any] | Sequence[Any] | str | None = None,
    runs: Sequence[DescentRun] = (),
    critical: bool = False,
    window: Sequence[float] | None = None,
    slice_vars: Sequence[str] | None = None,
    limits: Limits | None = None,
    grid: int = GRID,
    labels: str | None = None,
) -> Scene:
    """What a picture of f shows; the arguments are :func:`gradcli.plot.plot_function`'s.

    ``labels`` is the language of the picture's words (its title, the runs'
    names, the panel's labels): by default the active one; notes and errors
    are always in the active one.

    >>> from gradcli.parse import parse_function
    >>> scene = build_scene(parse_function("x^2 + y^2 + xy"), at="1,3", grid=20)
    >>> scene.arrow, scene.gradient_text, scene.value_at, scene.window
    ((5.0, 7.0), '(5, 7)', 13.0, (-1.0, 3.0, 1.0, 5.0))
    """
    limits = limits or Limits()
    if isinstance(grid, bool) or not isinstance(grid, int) or not 10 <= grid <= 2000:
        raise InputError(
            _("the grid must have 10 to 2000 points a side, got {grid}").format(grid=repr(grid))
        )
    labels = labels or language()
    notes: list[str] = []
    subject = prepare(function, at, runs, slice_vars, limits, notes, labels)
    rect = check_window(window, len(subject.axes))
    marks = critical_marks(subject, rect, limits, notes) if critical else ()
    if len(subject.axes) == 2:
        return _contour_scene(subject, marks, rect, grid, notes, labels)
    return _curve_scene(subject, marks, rect, grid, notes, labels)


# ---------------------------------------------------------------------------
# two plotted variables: a contour map


def _contour_scene(
    subject: Subject,
    marks: tuple[CriticalMark, ...],
    rect: tuple[float, ...] | None,
    grid: int,
    notes: list[str],
    labels: str,
) -> Scene:
    x0, x1, y0, y1 = rect if rect is not None else _auto_map_window(subject, marks)
    window = (x0, x1, y0, y1)
    grid_x, grid_y = np.meshgrid(np.linspace(x0, x1, grid), np.linspace(y0, y1, grid))
    (values,) = numeric([subject.local], subject.axes)(grid_x, grid_y)
    finite = np.isfinite(values)
    if not finite.any():
        raise UndefinedError(
            _(
                "f is undefined everywhere in the window {window}: choose another with --range"
            ).format(window=f"[{x0:g}, {x1:g}] × [{y0:g}, {y1:g}]")
        )
    undefined_share = _undefined_share(finite, notes)
    levels, extend = geometry.levels(values[finite])
    side = min(x1 - x0, y1 - y0)
    pointer = level_at_p = None
    if subject.at is not None:
        if subject.value_at is not None and levels[0] <= subject.value_at <= levels[-1]:
            level_at_p = subject.value_at
        if subject.arrow is not None and any(subject.arrow):
            pointer = _map_pointer(subject.at, subject.arrow, ARROW_SHARE * side)
        elif subject.arrow is not None:
            notes.append(_("∇f = 0 at P: P is a critical point, with no direction of ascent"))
    surface = ContourMap(
        grid_x=grid_x,
        grid_y=grid_y,
        values=values,
        levels=tuple(float(v) for v in levels),
        extend=extend,
        field=_field(subject, window),
        level_at_p=level_at_p,
    )
    paths = _drawn_paths(subject.runs, window, curve=False)
    return _scene(
        subject, kind="contour", window=window, surface=surface, finite_values=values[finite],
        undefined_share=undefined_share, pointer=pointer, paths=paths,
        critical=_shown(marks, window, notes), found=marks,
        equal_aspect=max(x1 - x0, y1 - y0) <= MAX_ASPECT * side, notes=notes, labels=labels,
    )  # fmt: skip


def _map_pointer(at: tuple[float, ...], arrow: tuple[float, ...], length: float) -> PointArrow:
    px, py = at
    gx, gy = arrow
    norm = math.hypot(gx, gy)
    ux, uy = gx / norm, gy / norm
    return PointArrow(
        start=(px, py),
        end=(px + length * ux, py + length * uy),
        unit=(ux, uy),
        length=length,
        tangent=(-uy, ux),
    )


def _field(subject: Subject, window: tuple[float, float, float, float]) -> Field | None:
    """∇f on an ARROWS × ARROWS grid: unit arrows, coloured by |∇f|."""
    x0, x1, y0, y1 = window
    step_x, step_y = (x1 - x0) / ARROWS, (y1 - y0) / ARROWS
    qx, qy = np.meshgrid(
        x0 + step_x * (np.arange(ARROWS) + 0.5), y0 + step_y * (np.arange(ARROWS) + 0.5)
    )
    points = np.column_stack([qx.ravel(), qy.ravel()])
    vectors = gradient_field(subject.local, subject.axes)(points)
    size = np.hypot(vectors[:, 0], vectors[:, 1])
    ok = np.isfinite(size) & (size > 0)
    if not ok.any():
        return None
    shown = size[ok]
    low, high = float(shown.min()), float(shown.max())
    return Field(
        x=points[ok, 0],
        y=points[ok, 1],
        u=vectors[ok, 0] / shown,
        v=vectors[ok, 1] / shown,
        size=shown,
        log=low > 0 and high / low > FIELD_LOG_RATIO,
        length=FIELD_ARROW_SHARE * min(step_x, step_y),
    )


def _auto_map_window(
    subject: Subject, marks: Sequence[CriticalMark]
) -> tuple[float, float, float, float]:
    """Around P, the critical points and the paths; square, on round numbers."""
    points: list[Sequence[float]] = []
    if subject.at is not None:
        points.append(subject.at)
    points += [m.point for m in marks]
    for run in subject.runs:
        finite = [p for p in run.coords if all(math.isfinite(c) for c in p)]
        points += finite[:1] if run.diverged else finite
    if not points:
        return (-5.0, 5.0, -5.0, 5.0)
    # a diverging path is followed while it stays near the rest, so that its
    # first swings show before it leaves the window
    centre = [(min(p[i] for p in points) + max(p[i] for p in points)) / 2 for i in (0, 1)]
    reach = max(max(abs(p[i] - centre[i]) for p in points) for i in (0, 1))
    reach = 1.6 * max(reach, 1.0)
    for run in subject.runs:
        if run.diverged:
            for p in run.coords[1:]:
                if not all(abs(p[i] - centre[i]) <= reach for i in (0, 1)):
                    break
                points.append(p)
    floor = 1.0 if len(points) > 1 else max(2.0, 0.5 * max(abs(c) for c in points[0]))
    rect = geometry.square(points, floor)
    if subject.at is not None and subject.arrow is not None and any(subject.arrow):
        # leave room for the arrows ±∇f and the tangent drawn at P
        pointer = _map_pointer(subject.at, subject.arrow, ARROW_SHARE * (rect[1] - rect[0]) * 1.15)
        (px, py), (ux, uy), length = pointer.start, pointer.unit, pointer.length
        for sx, sy in ((ux, uy), (-ux, -uy), (-uy, ux), (uy, -ux)):
            points.append((px + length * sx, py + length * sy))
        rect = geometry.square(points, floor)
    return rect


# ---------------------------------------------------------------------------
# one plotted variable: a curve and its derivative


def _curve_scene(
    subject: Subject,
    marks: tuple[CriticalMark, ...],
    rect: tuple[float, ...] | None,
    grid: int,
    notes: list[str],
    labels: str,
) -> Scene:
    x0, x1 = (rect[0], rect[1]) if rect is not None else _auto_curve_range(subject, marks)
    xs = np.linspace(x0, x1, max(SAMPLES, grid))
    values, slopes = numeric([subject.local, *gradient_of(subject.local, subject.axes)],
                             subject.axes)(xs)  # fmt: skip
    slopes[~np.isfinite(values)] = np.nan
    finite = np.isfinite(values)
    if not finite.any():
        raise UndefinedError(
            _("f is undefined everywhere in {window}: choose another window with --range").format(
                window=f"[{x0:g}, {x1:g}]"
            )
        )
    undefined_share = _undefined_share(finite, notes)
    value_range = values[finite]
    if rect is not None and len(rect) == 4:
        y0, y1 = rect[2], rect[3]
    else:
        y0, y1 = geometry.robust_range(value_range)
    # a pole: don't join +∞ to −∞ across it
    span = y1 - y0
    values[(values < y0 - 10 * span) | (values > y1 + 10 * span)] = np.nan
    window = (x0, x1, y0, y1)
    pointer = tangent_line = None
    if subject.at is not None and subject.value_at is not None and subject.arrow is not None:
        px, fx, slope = subject.at[0], subject.value_at, subject.arrow[0]
        tangent_line = ((x0, fx + slope * (x0 - px)), (x1, fx + slope * (x1 - px)))
        norm = math.hypot(1.0, slope)
        tangent = (1 / norm, slope / norm)
        pointer = PointArrow(
            start=(px, fx),
            end=(px + tangent[0], fx + tangent[1]),
            unit=tangent,
            length=1.0,
            tangent=tangent,
        )
    finite_slopes = slopes[np.isfinite(slopes)]
    surface = Curve(
        xs=xs,
        values=values,
        slopes=slopes,
        slope_range=geometry.robust_range(finite_slopes) if finite_slopes.size else None,
        tangent_line=tangent_line,
    )
    paths = _drawn_paths(subject.runs, window, curve=True)
    return _scene(
        subject, kind="curve", window=window, surface=surface, finite_values=value_range,
        undefined_share=undefined_share, pointer=pointer, paths=paths,
        critical=_shown(marks, window, notes), found=marks, equal_aspect=False, notes=notes,
        labels=labels,
    )  # fmt: skip


def _auto_curve_range(subject: Subject, marks: Sequence[CriticalMark]) -> tuple[float, float]:
    xs: list[float] = []
    if subject.at is not None:
        xs.append(subject.at[0])
    xs += [m.point[0] for m in marks]
    for run in subject.runs:
        finite = [p[0] for p in run.coords if math.isfinite(p[0])]
        xs += finite[:1] if run.diverged else finite
    if not xs:
        return -5.0, 5.0
    floor = 1.0 if len(xs) > 1 else max(2.0, 0.5 * abs(xs[0]))
    return geometry.auto_range(xs, floor)


# ---------------------------------------------------------------------------
# shared by both


def _undefined_share(finite: np.ndarray, notes: list[str]) -> float:
    share = float(1 - finite.mean())
    if share > 0:
        notes.append(
            _("f is undefined on {share} of the window (left blank)").format(share=f"{share:.0%}")
        )
    return share


def _shown(
    marks: tuple[CriticalMark, ...], window: Sequence[float], notes: list[str]
) -> tuple[CriticalMark, ...]:
    shown = tuple(m for m in marks if geometry.inside(m.point, window))
    if len(shown) < len(marks):
        notes.append(
            _("{count} critical point(s) lie outside the window").format(
                count=len(marks) - len(shown)
            )
        )
    return shown


def _drawn_paths(
    runs: Sequence[Run], rect: Sequence[float], *, curve: bool
) -> tuple[DrawnPath, ...]:
    """Each run cut to the window; on a curve, a path runs along (θ_k, f(θ_k))."""
    out = []
    for run in runs:
        coords = (
            [(p[0], v) for p, v in zip(run.coords, run.values)]
            if curve
            else [(p[0], p[1]) for p in run.coords]
        )
        pieces, exits, steps = geometry.clip_path(coords, rect)
        first, last = coords[0], coords[-1]
        finite_last = all(math.isfinite(c) for c in last)
        out.append(
            DrawnPath(
                label=run.label,
                method=run.method,
                lr=run.lr,
                stop_reason=run.stop_reason,
                oscillating=run.oscillating,
                pieces=pieces,
                exits=exits,
                exit_steps=steps,
                start=first if geometry.inside(first, rect) else None,
                end=last if finite_last and geometry.inside(last, rect) else None,
                values=tuple(v for v in run.values if math.isfinite(v)),
                name=run.name,
            )
        )
    return tuple(out)


def _scene(
    subject: Subject,
    *,
    kind: str,
    window: tuple[float, float, float, float],
    surface: ContourMap | Curve,
    finite_values: np.ndarray,
    undefined_share: float,
    pointer: PointArrow | None,
    paths: tuple[DrawnPath, ...],
    critical: tuple[CriticalMark, ...],
    found: tuple[CriticalMark, ...],
    equal_aspect: bool,
    notes: list[str],
    labels: str,
) -> Scene:
    """The scene; ``found`` are all the critical points found, which may give f*.

    Its words are in the language ``labels``.
    """
    with speaking(labels):
        title_tex, title_plain, title_suffix = _title(subject)
        panel = progress(subject.runs, found) if subject.runs else None
    return Scene(
        kind=kind,
        variables=tuple(v.name for v in subject.variables),
        axes=tuple(a.name for a in subject.axes),
        axis_tex=tuple(sympy.latex(a) for a in subject.axes),
        fixed=tuple((v.name, to_float(c)) for v, c in subject.fixed),
        window=window,
        equal_aspect=equal_aspect,
        surface=surface,
        value_range=(float(finite_values.min()), float(finite_values.max())),
        undefined_share=undefined_share,
        point=subject.point,
        at=subject.at,
        value_at=subject.value_at,
        gradient=subject.gradient,
        gradient_text=subject.gradient_text,
        arrow=subject.arrow,
        pointer=pointer,
        runs=subject.runs,
        paths=paths,
        progress=panel,
        values_scale=None if panel is None else panel.scale,
        critical=critical,
        title_tex=title_tex,
        title_plain=title_plain,
        title_suffix=title_suffix,
        notes=tuple(notes),
    )


def _title(subject: Subject) -> tuple[str | None, str, str]:
    """f in mathtext (None when too long to show), in plain text, and what follows."""
    from gradcli.printing import to_unicode

    names = ", ".join(sympy.latex(v) for v in subject.variables)
    body = sympy.latex(subject.expr)
    tex = f"$f({names}) = {body}$" if len(body) <= LONGEST_TEX else None
    plain = to_unicode(subject.expr)
    if len(plain) > 90:
        plain = plain[:89] + "…"
    plain = f"f({', '.join(v.name for v in subject.variables)}) = {plain}"
    suffix = subject.parameter_text
    if subject.fixed:
        fixed = ", ".join(f"{v.name} = {to_unicode(c)}" for v, c in subject.fixed)
        first, second = subject.axes[0].name, subject.axes[-1].name
        suffix += "\n" + _("slice through P: {fixed} fixed; {first} and {second} vary").format(
            fixed=fixed, first=first, second=second
        )
    return tex, plain, suffix
