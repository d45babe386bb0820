"""Pictures of f: contour maps, gradient fields, descent paths and curves.

:func:`plot_function` draws one figure and returns a :class:`PlotSummary`,
the figure's data (window, contour levels, the gradient arrow at P, each
descent path as drawn), so that tests and scripts can check the picture
without looking at it.

* Two variables: filled contours of f with labelled contour lines and a
  colour bar; ∇f as arrows of equal length on a grid, coloured by |∇f|; at P
  the arrows ∇f (steepest ascent) and −∇f, the level curve through P and its
  tangent, which is perpendicular to ∇f; critical points marked by kind.
* Descent runs: each path on the map, start and end marked, clipped to the
  window with a marker where it leaves; a second panel shows f(θ_k) against k.
* One variable: the curve with its tangent at P, and the derivative below.
* Three or more: a slice through P in two chosen variables, the others fixed
  at P.

This is the only module that imports matplotlib, always inside a function and
with the non-interactive Agg backend, so that no display is needed and every
other command works without it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sympy

from gradcli.errors import DimensionError, InputError, UndefinedError
from gradcli.limits import Limits
from gradcli.parse import Function

if TYPE_CHECKING:
    import numpy as np

    from gradcli.descent import DescentRun

__all__ = [
    "FORMATS",
    "INSTALL",
    "CriticalMark",
    "DrawnPath",
    "PlotSummary",
    "plot_function",
    "require_matplotlib",
]

#: how to get the optional extra
INSTALL = "pip install 'gradcli[plot]'"
#: output formats, chosen by the file's extension
FORMATS = ("png", "svg", "pdf")
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

_RUN_COLOURS = ("#ff7f0e", "#e7298a", "#7b2cbf", "#8c564b", "#00a6d6", "#bcbd22", "#ffffff")
_GRADIENT_COLOUR = "#c00000"
_DESCENT_COLOUR = "#0050c8"
_LEVEL_COLOUR = "white"


def _arrow_colours() -> Any:
    """Grey to black: the gradient field's colours, by |∇f|."""
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("gradcli_field", ["#b0b0b0", "#000000"])


def _outline(patheffects: Any) -> list[Any]:
    return [patheffects.withStroke(linewidth=4, foreground="black")]


_CRITICAL_STYLE: Mapping[str, dict[str, Any]] = {
    "local min": {"marker": "o", "facecolor": "white", "edgecolor": "black"},
    "local max": {"marker": "^", "facecolor": "black", "edgecolor": "white"},
    "saddle": {"marker": "X", "facecolor": "#ffd400", "edgecolor": "black"},
    "degenerate": {"marker": "D", "facecolor": "#999999", "edgecolor": "black"},
}


# ---------------------------------------------------------------------------
# results


@dataclass(frozen=True)
class DrawnPath:
    """One descent run as drawn, in the plotted coordinates.

    ``pieces`` are the polylines inside the window (a path that leaves and
    comes back has several); ``exits`` are the points where it leaves, on the
    window's edge, and ``exit_steps`` the k of the step that left. ``start``
    and ``end`` are θ_0 and the final point, or None when outside the window.
    ``values`` are the finite f(θ_k) drawn in the second panel.
    """

    label: str
    method: str
    lr: float
    stop_reason: str
    oscillating: bool
    pieces: tuple[tuple[tuple[float, float], ...], ...]
    exits: tuple[tuple[float, float], ...]
    exit_steps: tuple[int, ...]
    start: tuple[float, float] | None
    end: tuple[float, float] | None
    values: tuple[float, ...]

    @property
    def points(self) -> tuple[tuple[float, float], ...]:
        """Every vertex drawn, piece after piece."""
        return tuple(p for piece in self.pieces for p in piece)


@dataclass(frozen=True)
class CriticalMark:
    """A critical point as marked: plotted coordinates and its kind."""

    point: tuple[float, float]
    kind: str


@dataclass(frozen=True)
class PlotSummary:
    """What a figure shows, for tests and scripts.

    ``kind`` is ``"contour"`` (two plotted variables) or ``"curve"`` (one:
    the plotted coordinates are (x, f(x))). ``axes`` names the plotted
    variables, ``fixed`` the others with their values on a slice. ``arrow``
    is ∇f at P in the plotted variables (f'(P) for a curve) and ``gradient``
    the whole gradient there; ``arrow_start``/``arrow_end`` are where the
    ∇f arrow is drawn (its length is a share of the window, not |∇f|).
    ``levels`` are the filled contour levels, ``value_range`` the finite f
    on the grid, ``undefined_share`` the share of the grid where f is
    undefined (left blank). ``values_scale`` is the second panel's y scale.
    """

    path: str
    format: str
    kind: str
    axes: tuple[str, ...]
    fixed: tuple[tuple[str, float], ...]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    levels: tuple[float, ...]
    value_range: tuple[float, float] | None
    undefined_share: float
    #: P in all the variables, and in the plotted ones
    point: tuple[float, ...] | None
    at: tuple[float, ...] | None
    value_at: float | None
    gradient: tuple[float, ...] | None
    gradient_text: str | None
    arrow: tuple[float, ...] | None
    arrow_start: tuple[float, float] | None
    arrow_end: tuple[float, float] | None
    tangent: tuple[float, float] | None
    paths: tuple[DrawnPath, ...]
    values_scale: str | None
    critical: tuple[CriticalMark, ...]
    title: str
    dpi: int
    size_px: tuple[int, int]
    notes: tuple[str, ...] = ()

    @property
    def levels_range(self) -> tuple[float, float] | None:
        """The lowest and highest contour level."""
        return (self.levels[0], self.levels[-1]) if self.levels else None

    @property
    def window(self) -> tuple[float, float, float, float]:
        """(xmin, xmax, ymin, ymax)."""
        return (*self.xlim, *self.ylim)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "path": self.path,
            "format": self.format,
            "kind": self.kind,
            "axes": list(self.axes),
            "fixed": {name: value for name, value in self.fixed},
            "window": list(self.window),
            "levels": list(self.levels),
            "levels_range": None if self.levels_range is None else list(self.levels_range),
            "value_range": None if self.value_range is None else list(self.value_range),
            "undefined_share": self.undefined_share,
            "point": None if self.point is None else list(self.point),
            "at": None if self.at is None else list(self.at),
            "value_at": self.value_at,
            "gradient": None if self.gradient is None else list(self.gradient),
            "gradient_text": self.gradient_text,
            "arrow": None if self.arrow is None else list(self.arrow),
            "tangent": None if self.tangent is None else list(self.tangent),
            "paths": [
                {
                    "label": p.label,
                    "method": p.method,
                    "lr": p.lr,
                    "stop_reason": p.stop_reason,
                    "oscillating": p.oscillating,
                    "points": [list(q) for q in p.points],
                    "pieces": len(p.pieces),
                    "exits": [list(q) for q in p.exits],
                    "exit_steps": list(p.exit_steps),
                    "start": None if p.start is None else list(p.start),
                    "end": None if p.end is None else list(p.end),
                }
                for p in self.paths
            ],
            "values_scale": self.values_scale,
            "critical": [{"point": list(c.point), "kind": c.kind} for c in self.critical],
            "title": self.title,
            "dpi": self.dpi,
            "size_px": list(self.size_px),
            "notes": list(self.notes),
        }


# ---------------------------------------------------------------------------
# public functions


def require_matplotlib() -> None:
    """Raise :class:`InputError` (exit 2) saying how to install matplotlib.

    >>> require_matplotlib()  # matplotlib is installed here
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise InputError(
            f"plotting needs matplotlib, an optional extra: install it with {INSTALL}"
        ) from None


def output_format(path: str | Path) -> str:
    """The format a file name asks for: ``png``, ``svg`` or ``pdf``.

    >>> output_format("seed.PNG"), output_format("out/f.pdf")
    ('png', 'pdf')
    """
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise InputError(
            f"cannot tell the picture's format from {str(path)!r}: "
            "end the file name in .png, .svg or .pdf"
        )
    return suffix


def plot_function(
    function: Function,
    *,
    path: str | Path,
    at: Mapping[sympy.Symbol, Any] | Sequence[Any] | str | None = None,
    runs: Sequence[DescentRun] = (),
    critical: bool = False,
    window: Sequence[float] | None = None,
    slice_vars: Sequence[str] | None = None,
    dpi: int = 150,
    limits: Limits | None = None,
    grid: int = GRID,
) -> PlotSummary:
    """Draw f (with ∇f at P, descent paths, critical points) into ``path``.

    Parameters
    ----------
    function : Function
        f, from :func:`gradcli.parse.parse_function`. Values for its
        parameters come from ``at`` (``"x=1, y=3, a=2"``).
    path : str or Path
        The file to write; ``.png``, ``.svg`` or ``.pdf`` picks the format.
    at : point, optional
        P, as :func:`gradcli.parse.parse_point` returns it (or text, or a
        sequence of numbers): the gradient arrow, level curve and tangent are
        drawn there, and a slice passes through it.
    runs : sequence of DescentRun
        Descent runs of f to draw, with a panel of f(θ_k) against k.
    critical : bool
        Find the critical points and mark each by kind.
    window : (xmin, xmax, ymin, ymax), optional
        The plotted region; by default chosen around P, the critical points
        and the (non-diverging) paths. For one variable ymin, ymax bound f.
    slice_vars : pair of names, optional
        The two variables a function of three or more is drawn in; the
        others are fixed at P. Default: the first two.
    dpi : int
        Resolution of a PNG (and of the images inside a PDF or SVG).
    limits : Limits, optional
        Time budgets (the critical-point search gets half of ``timeout``).
    grid : int
        Grid points along each axis of a contour map.

    Returns
    -------
    PlotSummary

    Examples
    --------
    >>> import tempfile, os
    >>> from gradcli.parse import parse_function, parse_point
    >>> f = parse_function("x^2 + y^2 + xy")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     s = plot_function(f, path=os.path.join(folder, "f.png"),
    ...                       at=parse_point("1,3", f), dpi=40, grid=30)
    >>> s.arrow, s.gradient_text, s.format
    ((5.0, 7.0), '(5, 7)', 'png')
    """
    require_matplotlib()
    limits = limits or Limits()
    fmt = output_format(path)
    if isinstance(dpi, bool) or not isinstance(dpi, int) or not 10 <= dpi <= 1200:
        raise InputError(
            f"the resolution must be a whole number of dpi from 10 to 1200, got {dpi!r}"
        )
    if isinstance(grid, bool) or not isinstance(grid, int) or not 10 <= grid <= 2000:
        raise InputError(f"the grid must have 10 to 2000 points a side, got {grid!r}")
    scene = _prepare(function, at, runs, slice_vars, limits)
    rect = _check_window(window, len(scene.axes))
    marks: tuple[CriticalMark, ...] = ()
    notes = list(scene.notes)
    if critical:
        marks = _critical_marks(scene, rect, limits, notes)
    canvas = _Canvas(path=Path(path), format=fmt, dpi=dpi, grid=grid)
    if len(scene.axes) == 2:
        return _draw_map(scene, marks, rect, canvas, notes)
    return _draw_curve(scene, marks, rect, canvas, notes)


# ---------------------------------------------------------------------------
# what is drawn, before drawing it


@dataclass(frozen=True)
class _Run:
    """A descent run in the plotted coordinates."""

    label: str
    method: str
    lr: float
    stop_reason: str
    oscillating: bool
    diverged: bool
    #: θ_k in the plotted variables (a curve adds f(θ_k) when it is drawn)
    coords: tuple[tuple[float, ...], ...]
    values: tuple[float, ...]


@dataclass(frozen=True)
class _Scene:
    """f prepared for drawing: parameters put in, the slice chosen, P evaluated."""

    expr: sympy.Expr
    variables: tuple[sympy.Symbol, ...]
    #: the one or two plotted variables
    axes: tuple[sympy.Symbol, ...]
    #: the other variables, fixed at P
    fixed: tuple[tuple[sympy.Symbol, sympy.Expr], ...]
    #: f with the fixed variables put in: a function of ``axes`` only
    local: sympy.Expr
    #: P in all the variables, and in the plotted ones
    point: tuple[float, ...] | None
    at: tuple[float, ...] | None
    value_at: float | None
    gradient: tuple[float, ...] | None
    gradient_text: str | None
    #: ∇f at P along the plotted variables
    arrow: tuple[float, ...] | None
    runs: tuple[_Run, ...]
    #: ", a = 2" when parameters were given values
    parameter_text: str
    notes: tuple[str, ...]


@dataclass(frozen=True)
class _Canvas:
    path: Path
    format: str
    dpi: int
    grid: int


def _prepare(
    function: Function,
    at: Any,
    runs: Sequence[DescentRun],
    slice_vars: Sequence[str] | None,
    limits: Limits,
) -> _Scene:
    from gradcli.calculus import evaluate_gradient, partial_derivatives, point_values
    from gradcli.printing import to_unicode

    variables = function.variables
    if not variables:
        raise InputError("f has no variables: there is nothing to plot")
    notes: list[str] = []
    values = None if at is None else point_values(function, at, limits=limits)
    given = {p: values[p] for p in function.parameters if values is not None and p in values}
    missing = [p.name for p in function.parameters if p not in given]
    expr = function.expr.xreplace(given) if given else function.expr
    if missing:
        from_run = runs[0].expr if runs else None
        if from_run is None or from_run.free_symbols - set(variables):
            example = ", ".join(f"{v.name}=1" for v in variables[:2]) + f", {missing[0]}=2"
            raise InputError(
                f"f has parameters ({', '.join(missing)}): give their values in --at, "
                f"as in '{example}'"
            )
        expr = from_run
    parameter_text = "".join(f", {p.name} = {to_unicode(v)}" for p, v in given.items())
    axes = _choose_axes(variables, slice_vars)
    start = values
    if start is None and len(variables) > 2 and runs:
        start = {v: sympy.Float(c) for v, c in zip(variables, runs[0].points[0])}
        notes.append("the slice passes through the start of the first descent")
    if len(variables) > 2 and start is None:
        raise InputError(
            f"f has {len(variables)} variables: it is drawn as a slice through a point; "
            "give --at (the variables not drawn are fixed there)"
        )
    fixed = tuple((v, start[v]) for v in variables if v not in axes) if start else ()
    local = expr.xreplace(dict(fixed)) if fixed else expr
    value_at = gradient = arrow = gradient_text = at_plotted = None
    if values is not None:
        point = {v: values[v] for v in variables}
        components = partial_derivatives(expr, variables)
        result = evaluate_gradient(
            Function(expr=expr, variables=variables), components, point, limits=limits
        )
        value_at = result.function_value_float
        gradient = result.value_float
        gradient_text = _vector_text(result.value, gradient)
        if gradient is not None:
            arrow = tuple(gradient[variables.index(a)] for a in axes)
        at_plotted = tuple(float(values[a]) for a in axes)
    drawn = _runs(runs, variables, axes)
    if drawn and len(variables) > 2:
        notes.append("the descent paths are drawn projected onto the slice")
    return _Scene(
        expr=expr,
        variables=variables,
        axes=axes,
        fixed=fixed,
        local=local,
        point=None if values is None else tuple(float(values[v]) for v in variables),
        at=at_plotted,
        value_at=value_at,
        gradient=gradient,
        gradient_text=gradient_text,
        arrow=arrow,
        runs=drawn,
        parameter_text=parameter_text,
        notes=tuple(notes),
    )


def _choose_axes(
    variables: tuple[sympy.Symbol, ...], slice_vars: Sequence[str] | None
) -> tuple[sympy.Symbol, ...]:
    if slice_vars is None:
        return variables[:2]
    if len(variables) < 3:
        raise InputError("--slice is for functions of three or more variables")
    names = [str(n).strip() for n in slice_vars]
    by_name = {v.name: v for v in variables}
    if len(names) != 2 or names[0] == names[1]:
        raise InputError(f"--slice needs two different variables, got {','.join(names)!r}")
    unknown = [n for n in names if n not in by_name]
    if unknown:
        known = ", ".join(by_name)
        raise InputError(f"--slice: {unknown[0]!r} is not a variable of f (variables: {known})")
    return (by_name[names[0]], by_name[names[1]])


def _runs(
    runs: Sequence[DescentRun],
    variables: tuple[sympy.Symbol, ...],
    axes: tuple[sympy.Symbol, ...],
) -> tuple[_Run, ...]:
    names = [v.name for v in variables]
    starts = {tuple(run.points[0]) for run in runs}
    out = []
    for run in runs:
        if [v.name for v in run.variables] != names:
            raise DimensionError(
                f"a descent run is in ({', '.join(v.name for v in run.variables)}) "
                f"but f is in ({', '.join(names)})"
            )
        index = [names.index(a.name) for a in axes]
        name = f"{run.method} α={run.lr:g}"
        if len(starts) > 1:
            name += " from (" + ", ".join(f"{c:g}" for c in run.points[0]) + ")"
        out.append(
            _Run(
                label=f"{name}: {_outcome(run)}",
                method=run.method,
                lr=run.lr,
                stop_reason=run.stop_reason.value,
                oscillating=run.oscillating,
                diverged=run.diverged,
                coords=tuple(tuple(p[i] for i in index) for p in run.points),
                values=tuple(run.values),
            )
        )
    return tuple(out)


def _outcome(run: DescentRun) -> str:
    steps = f"{run.steps} step{'s' * (run.steps != 1)}"
    swinging = "oscillating, " if run.oscillating else ""
    reason = run.stop_reason.value
    if reason == "converged":
        return f"{swinging}converged in {steps}"
    if reason == "diverged":
        return f"{swinging}diverged after {steps}"
    if reason == "no_progress":
        return f"{swinging}stuck after {steps}"
    return f"{swinging}stopped after {steps} (the most allowed)"


def _vector_text(exact: Sequence[sympy.Expr], floats: Sequence[float] | None) -> str:
    from gradcli.printing import decimal, to_unicode

    shown = [to_unicode(e) for e in exact]
    if floats is not None and sum(len(s) for s in shown) > 40:
        shown = [decimal(v, 4) for v in floats]
    return "(" + ", ".join(shown) + ")"


def _check_window(window: Sequence[float] | None, dimensions: int) -> tuple[float, ...] | None:
    if window is None:
        return None
    try:
        numbers = tuple(float(v) for v in window)
    except (TypeError, ValueError):
        raise InputError("the window must be numbers: xmin,xmax,ymin,ymax") from None
    wanted = (2, 4) if dimensions == 1 else (4,)
    if len(numbers) not in wanted:
        shape = "xmin,xmax or xmin,xmax,ymin,ymax" if dimensions == 1 else "xmin,xmax,ymin,ymax"
        raise InputError(f"the window needs {' or '.join(map(str, wanted))} numbers: {shape}")
    if not all(math.isfinite(v) for v in numbers):
        raise InputError("the window's bounds must be finite numbers")
    for lo, hi, axis in zip(numbers[::2], numbers[1::2], "xy"):
        if not lo < hi:
            raise InputError(f"the window needs {axis}min < {axis}max, got {lo:g} and {hi:g}")
    return numbers


def _critical_marks(
    scene: _Scene, rect: tuple[float, ...] | None, limits: Limits, notes: list[str]
) -> tuple[CriticalMark, ...]:
    """The critical points in the plotted plane, by kind."""
    from gradcli.critical import critical_points
    from gradcli.errors import BudgetExceeded

    reach = [10.0]
    if rect is not None:
        reach += [abs(v) for v in rect[:4] if len(scene.axes) == 2 or v in rect[:2]]
    if scene.at is not None:
        reach += [1.5 * abs(v) for v in scene.at]
    reach += [1.5 * abs(float(v)) for _, v in scene.fixed]
    for run in scene.runs:
        reach += [1.5 * abs(v) for v in run.coords[0]]
    bound = math.ceil(max(v for v in reach if math.isfinite(v)))
    try:
        analysis = critical_points(
            scene.expr, scene.variables, box=(-bound, bound), time_budget=limits.timeout / 2
        )
    except BudgetExceeded:
        notes.append("the critical points could not be found in time; none are marked")
        return ()
    notes.extend(analysis.notes)
    if analysis.sets:
        notes.append("f has infinitely many critical points (a curve or more); they are not marked")
    if not analysis.complete:
        notes.append(f"critical points were searched for in [{-bound}, {bound}] only")
    index = [scene.variables.index(a) for a in scene.axes]
    fixed_at = {scene.variables.index(v): float(c) for v, c in scene.fixed}
    marks = []
    off_slice = 0
    for p in analysis.points:
        if any(abs(p.point_float[i] - c) > 1e-6 * (1 + abs(c)) for i, c in fixed_at.items()):
            off_slice += 1
            continue
        if len(index) == 2:
            point = (p.point_float[index[0]], p.point_float[index[1]])
        else:
            point = (p.point_float[index[0]], p.value_float)
        marks.append(CriticalMark(point=point, kind=p.kind))
    if off_slice:
        notes.append(f"{off_slice} critical point(s) lie off this slice and are not marked")
    return tuple(marks)


# ---------------------------------------------------------------------------
# numbers for drawing


_NUMERIC_ERRORS = (
    NameError,
    TypeError,
    AttributeError,
    ValueError,
    ZeroDivisionError,
    OverflowError,
)


def _numeric(
    exprs: Sequence[sympy.Expr], variables: Sequence[sympy.Symbol]
) -> Callable[..., list[np.ndarray]]:
    """Expressions as numpy functions of arrays: NaN wherever one is undefined.

    numpy does the work; an expression numpy cannot evaluate falls back to
    Python's math module, point by point.
    """
    import numpy as np

    exprs = list(exprs)
    fast = sympy.lambdify(variables, exprs, modules="numpy", cse=True)

    def evaluate(*arrays: np.ndarray) -> list[np.ndarray]:
        shape = np.broadcast(*arrays).shape
        with np.errstate(all="ignore"):
            try:
                values = list(fast(*arrays))
            except _NUMERIC_ERRORS:
                values = _pointwise(exprs, variables, arrays, shape)
        return [_real(v, shape) for v in values]

    return evaluate


def _pointwise(
    exprs: Sequence[sympy.Expr],
    variables: Sequence[sympy.Symbol],
    arrays: Sequence[np.ndarray],
    shape: tuple[int, ...],
) -> list[np.ndarray]:
    import numpy as np

    slow = sympy.lambdify(variables, list(exprs), modules="math")
    columns = [np.broadcast_to(a, shape) for a in arrays]
    out = [np.full(shape, np.nan) for _ in exprs]
    for index in np.ndindex(*shape):
        try:
            values = slow(*(float(c[index]) for c in columns))
        except (*_NUMERIC_ERRORS, ArithmeticError):
            continue
        for j, value in enumerate(values):
            if isinstance(value, (int, float)):
                out[j][index] = value
    return out


def _real(value: Any, shape: tuple[int, ...]) -> np.ndarray:
    """A float array of ``shape``: NaN where the value is not a finite real."""
    import numpy as np

    array = np.asarray(value)
    if array.dtype.kind == "c":
        small = np.abs(array.imag) <= 1e-12 * np.maximum(1.0, np.abs(array.real))
        array = np.where(small, array.real, np.nan)
    elif array.dtype.kind not in "fiub":
        array = np.vectorize(_to_float, otypes=[float])(array)
    out = np.array(np.broadcast_to(array, shape), dtype=float)
    out[~np.isfinite(out)] = np.nan
    return out


def _to_float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        return math.nan


def _gradient_field(scene: _Scene) -> Callable[[np.ndarray], np.ndarray]:
    """∇f in the plotted variables, for an (n, 2) array of points."""
    import numpy as np

    from gradcli.calculus import partial_derivatives
    from gradcli.points import compile_gradient

    components = partial_derivatives(scene.local, scene.axes)
    local = Function(expr=scene.local, variables=scene.axes)
    fast = compile_gradient(local, components)
    slow = _numeric([scene.local, *components], scene.axes)

    def field(points: np.ndarray) -> np.ndarray:
        try:
            return fast(points)
        except _NUMERIC_ERRORS:
            f, *parts = slow(points[:, 0], points[:, 1])
            out = np.column_stack(parts)
            out[~np.isfinite(f)] = np.nan
            return out

    return field


def _nice_step(span: float) -> float:
    """1, 2 or 5 times a power of ten, about ``span``."""
    if not span > 0:
        return 1.0
    power = 10 ** math.floor(math.log10(span))
    for factor in (1, 2, 5, 10):
        if span <= factor * power:
            return float(factor * power)
    return 10.0 * power


def _auto_range(values: Sequence[float], half_floor: float = 1.0) -> tuple[float, float]:
    """A range around ``values`` with 30 % to spare, on round numbers."""
    lo, hi = min(values), max(values)
    centre = (lo + hi) / 2
    half = max(0.65 * (hi - lo), half_floor)
    step = _nice_step(half / 4)
    return (
        math.floor((centre - half) / step) * step,
        math.ceil((centre + half) / step) * step,
    )


def _auto_map_window(scene: _Scene, marks: Sequence[CriticalMark]) -> tuple[float, ...]:
    """Around P, the critical points and the paths; square, on round numbers."""
    points: list[tuple[float, ...]] = []
    if scene.at is not None:
        points.append(scene.at)
    points += [m.point for m in marks]
    for run in scene.runs:
        finite = [p for p in run.coords if all(math.isfinite(c) for c in p)]
        points += finite[:1] if run.diverged else finite
    if not points:
        return (-5.0, 5.0, -5.0, 5.0)
    # a diverging path is followed while it stays near the rest, so that its
    # first swings show before it leaves the window
    centre = [(min(p[i] for p in points) + max(p[i] for p in points)) / 2 for i in (0, 1)]
    reach = max(max(abs(p[i] - centre[i]) for p in points) for i in (0, 1))
    reach = 1.6 * max(reach, 1.0)
    for run in scene.runs:
        if run.diverged:
            for p in run.coords[1:]:
                if not all(abs(p[i] - centre[i]) <= reach for i in (0, 1)):
                    break
                points.append(p)
    floor = 1.0 if len(points) > 1 else max(2.0, 0.5 * max(abs(c) for c in points[0]))
    rect = _square(points, floor)
    if scene.at is not None and scene.arrow is not None and any(scene.arrow):
        # leave room for the arrows ±∇f and the tangent drawn at P
        length = ARROW_SHARE * (rect[1] - rect[0]) * 1.15
        norm = math.hypot(*scene.arrow)
        ux, uy = scene.arrow[0] / norm, scene.arrow[1] / norm
        px, py = scene.at
        for sx, sy in ((ux, uy), (-ux, -uy), (-uy, ux), (uy, -ux)):
            points.append((px + length * sx, py + length * sy))
        rect = _square(points, floor)
    return rect


def _square(points: Sequence[tuple[float, ...]], floor: float) -> tuple[float, ...]:
    x0, x1 = _auto_range([p[0] for p in points], floor)
    y0, y1 = _auto_range([p[1] for p in points], floor)
    side = max(x1 - x0, y1 - y0)
    # the same span both ways, so that ∇f is seen perpendicular to the level curve
    grow_x, grow_y = (side - (x1 - x0)) / 2, (side - (y1 - y0)) / 2
    return (x0 - grow_x, x1 + grow_x, y0 - grow_y, y1 + grow_y)


def _levels(values: np.ndarray) -> tuple[np.ndarray, str]:
    """Contour levels for the finite values of f, and the colour bar's extension.

    A few huge values (near a pole) are left out of the colour range; when
    most of the map is near the bottom (or top) of the range, levels crowd
    there, so that a valley shows its shape.
    """
    import numpy as np
    from matplotlib.ticker import MaxNLocator

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
        levels = bottom + (top - bottom) * crowd
    elif share > 0.75:
        levels = top - (top - bottom) * crowd[::-1]
    else:
        levels = np.asarray(MaxNLocator(nbins=14).tick_values(bottom, top), dtype=float)
        levels = levels[(levels > bottom) & (levels < top)]
        levels = np.concatenate([[bottom], levels, [top]])
    inner = np.array([float(f"{v:.2g}") for v in levels[1:-1]])
    levels = np.unique(np.concatenate([[bottom], inner[(inner > bottom) & (inner < top)], [top]]))
    extend = {(False, False): "neither", (True, False): "min", (False, True): "max"}.get(
        (bottom > lo, top < hi), "both"
    )
    return levels, extend


def _values_scale(series: Sequence[Sequence[float]]) -> str:
    """Log scale for f(θ_k) where it helps: positive values over decades."""
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


# ---------------------------------------------------------------------------
# clipping paths to the window


def _clip_segment(
    p: tuple[float, float], q: tuple[float, float], rect: Sequence[float]
) -> tuple[tuple[float, float], tuple[float, float], bool] | None:
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


def _inside(p: Sequence[float], rect: Sequence[float]) -> bool:
    return rect[0] <= p[0] <= rect[1] and rect[2] <= p[1] <= rect[3]


def _clip_path(
    coords: Sequence[tuple[float, float]], rect: Sequence[float]
) -> tuple[
    tuple[tuple[tuple[float, float], ...], ...], tuple[tuple[float, float], ...], tuple[int, ...]
]:
    """A path cut to the window: its pieces, where it leaves, and at which step."""
    pieces: list[tuple[tuple[float, float], ...]] = []
    exits: list[tuple[float, float]] = []
    steps: list[int] = []
    current: list[tuple[float, float]] = []
    previous: tuple[float, float] | None = None
    for k, point in enumerate(coords):
        if not all(math.isfinite(c) for c in point):
            break
        if previous is None:
            if _inside(point, rect):
                current = [point]
        elif _inside(previous, rect) or _inside(point, rect):
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


def _drawn_paths(
    runs: Sequence[_Run], rect: Sequence[float], curve: Sequence[tuple[float, float]] | None = None
) -> tuple[DrawnPath, ...]:
    out = []
    for run in runs:
        coords = (
            [(p[0], v) for p, v in zip(run.coords, run.values)]
            if curve is not None
            else [(p[0], p[1]) for p in run.coords]
        )
        pieces, exits, steps = _clip_path(coords, rect)
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
                start=first if _inside(first, rect) else None,
                end=last if finite_last and _inside(last, rect) else None,
                values=tuple(v for v in run.values if math.isfinite(v)),
            )
        )
    return tuple(out)


# ---------------------------------------------------------------------------
# drawing


def _figure(width: float, height: float) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _title(scene: _Scene) -> str:
    """f in mathematical notation (mathtext), or plain unicode if that fails."""
    from gradcli.printing import to_unicode

    names = ", ".join(sympy.latex(v) for v in scene.variables)
    body = sympy.latex(scene.expr)
    title = f"$f({names}) = {body}$"
    if len(body) > 160 or not _mathtext_renders(title):
        plain = to_unicode(scene.expr)
        if len(plain) > 90:
            plain = plain[:89] + "…"
        title = f"f({', '.join(v.name for v in scene.variables)}) = {plain}"
    title += scene.parameter_text
    if scene.fixed:
        fixed = ", ".join(f"{v.name} = {to_unicode(c)}" for v, c in scene.fixed)
        drawn = " and ".join(a.name for a in scene.axes)
        title += f"\nslice through P: {fixed} fixed; {drawn} vary"
    return title


def _mathtext_renders(text: str) -> bool:
    from matplotlib.mathtext import MathTextParser

    try:
        MathTextParser("path").parse(text)
    except Exception:  # noqa: BLE001  (any failure: fall back to plain text)
        return False
    return True


def _point_text(point: Sequence[float]) -> str:
    from gradcli.printing import decimal

    return "(" + ", ".join(decimal(c, 4) for c in point) + ")"


def _save(figure: Any, canvas: _Canvas) -> None:
    try:
        figure.savefig(canvas.path, format=canvas.format, dpi=canvas.dpi)
    except OSError as error:
        raise InputError(f"cannot write {canvas.path}: {error.strerror or error}") from None


def _draw_values(axes: Any, runs: Sequence[_Run], colours: Sequence[str]) -> str:
    """The second panel: f(θ_k) against k, one line per run."""
    scale = _values_scale([run.values for run in runs])
    for run, colour in zip(runs, colours):
        pairs = [(k, v) for k, v in enumerate(run.values) if math.isfinite(v)]
        if scale == "log":
            pairs = [(k, v) for k, v in pairs if v > 0]
        if not pairs:
            continue
        ks, vs = zip(*pairs)
        axes.plot(
            ks, vs, color=colour, lw=1.6, marker="." if len(ks) <= 80 else None, label=run.label
        )
        if run.diverged:
            axes.plot(ks[-1], vs[-1], "x", color=colour, ms=10, mew=2.5)
            axes.annotate(
                "diverged", (ks[-1], vs[-1]), xytext=(-8, 6), textcoords="offset points",
                ha="right", fontsize=8, color=colour,
            )  # fmt: skip
    if scale == "log":
        axes.set_yscale("log")
    elif scale == "symlog":
        axes.set_yscale("symlog", linthresh=1.0)
    axes.set_xlabel("step k")
    axes.set_ylabel(r"$f(\theta_k)$")
    axes.set_title(r"$f(\theta_k)$ against $k$" + (" (log scale)" if scale == "log" else ""))
    axes.grid(True, alpha=0.3, which="both" if scale == "log" else "major")
    axes.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.11), frameon=False)
    return scale


def _draw_paths(axes: Any, drawn: Sequence[DrawnPath], colours: Sequence[str]) -> None:
    starts_drawn: set[tuple[float, float]] = set()
    for path, colour in zip(drawn, colours):
        for piece in path.pieces:
            xs, ys = zip(*piece)
            many = sum(len(p) for p in path.pieces) > 300
            axes.plot(
                xs, ys, color=colour, lw=1.8, marker=None if many else "o", ms=3,
                zorder=6, solid_capstyle="round",
            )  # fmt: skip
        for (x, y), k in zip(path.exits, path.exit_steps):
            axes.plot(x, y, marker="o", ms=11, mfc="none", mec=colour, mew=2.2, zorder=7)
            dx, dy = _inwards(axes, x, y)
            axes.annotate(
                f"leaves, k={k}", (x, y), xytext=(16 * dx, 16 * dy), textcoords="offset points",
                ha="center", va="center", fontsize=7.5, color="black", zorder=8,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": colour, "alpha": 0.85},
            )  # fmt: skip
        if path.start is not None and path.start not in starts_drawn:
            starts_drawn.add(path.start)
            axes.plot(*path.start, marker="o", ms=10, mfc="black", mec="white", mew=1.5, zorder=9)
        if path.end is not None:
            axes.plot(*path.end, marker="*", ms=16, mfc=colour, mec="black", mew=1, zorder=9)


def _inwards(axes: Any, x: float, y: float) -> tuple[float, float]:
    """The unit direction from an edge point towards the window's middle."""
    (x0, x1), (y0, y1) = axes.get_xlim(), axes.get_ylim()
    dx = ((x0 + x1) / 2 - x) / (x1 - x0)
    dy = ((y0 + y1) / 2 - y) / (y1 - y0)
    size = math.hypot(dx, dy) or 1.0
    return dx / size, dy / size


def _draw_marks(axes: Any, marks: Sequence[CriticalMark]) -> None:
    for kind, style in _CRITICAL_STYLE.items():
        points = [m.point for m in marks if m.kind == kind]
        if points:
            xs, ys = zip(*points)
            axes.scatter(
                xs, ys, s=110, marker=style["marker"], c=style["facecolor"],
                edgecolors=style["edgecolor"], linewidths=1.5, zorder=10,
            )  # fmt: skip


def _legend_handles(
    scene: _Scene, drawn: Sequence[DrawnPath], marks: Sequence[CriticalMark], curve: bool
) -> list[Any]:
    from matplotlib import patheffects
    from matplotlib.lines import Line2D

    handles: list[Any] = []
    if scene.at is not None and scene.arrow is not None:
        if curve:
            handles.append(
                Line2D([], [], color=_GRADIENT_COLOUR, lw=2, ls="--", label="tangent at P")
            )
        elif any(scene.arrow):
            handles += [
                Line2D([], [], color=_GRADIENT_COLOUR, lw=2.5, marker=">", ms=7,
                       label=r"$\nabla f(P)$: steepest ascent"),
                Line2D([], [], color=_DESCENT_COLOUR, lw=2.5, marker=">", ms=7,
                       label=r"$-\nabla f(P)$: steepest descent"),
                Line2D([], [], color="black", lw=1.5, ls=":", label=r"tangent, $\perp\ \nabla f$"),
            ]  # fmt: skip
        if not curve:
            handles.append(
                Line2D(
                    [],
                    [],
                    color=_LEVEL_COLOUR,
                    lw=2.2,
                    ls="--",
                    label="level curve through P",
                    path_effects=_outline(patheffects),
                )
            )
    if drawn:
        handles.append(
            Line2D([], [], ls="none", marker="o", ms=9, mfc="black", mec="white", label="start")
        )
        if any(p.end is not None for p in drawn):
            handles.append(
                Line2D([], [], ls="none", marker="*", ms=13, mfc="#bbbbbb", mec="black",
                       label="end")
            )  # fmt: skip
        if any(p.exits for p in drawn):
            handles.append(
                Line2D([], [], ls="none", marker="o", ms=10, mfc="none", mec="#555555", mew=2,
                       label="leaves the window")
            )  # fmt: skip
    for kind, style in _CRITICAL_STYLE.items():
        if any(m.kind == kind for m in marks):
            handles.append(
                Line2D([], [], ls="none", marker=style["marker"], ms=10, mfc=style["facecolor"],
                       mec=style["edgecolor"], mew=1.5, label=kind)
            )  # fmt: skip
    return handles


def _draw_map(
    scene: _Scene,
    marks: tuple[CriticalMark, ...],
    rect: tuple[float, ...] | None,
    canvas: _Canvas,
    notes: list[str],
) -> PlotSummary:
    import numpy as np
    from matplotlib import patheffects
    from matplotlib.colors import LogNorm, Normalize
    from matplotlib.ticker import FuncFormatter

    x0, x1, y0, y1 = rect if rect is not None else _auto_map_window(scene, marks)
    xs = np.linspace(x0, x1, canvas.grid)
    ys = np.linspace(y0, y1, canvas.grid)
    grid_x, grid_y = np.meshgrid(xs, ys)
    (values,) = _numeric([scene.local], scene.axes)(grid_x, grid_y)
    finite = np.isfinite(values)
    if not finite.any():
        raise UndefinedError(
            f"f is undefined everywhere in the window [{x0:g}, {x1:g}] × [{y0:g}, {y1:g}]: "
            "choose another with --range"
        )
    undefined_share = float(1 - finite.mean())
    if undefined_share > 0:
        notes.append(f"f is undefined on {undefined_share:.0%} of the window (left blank)")
    levels, extend = _levels(values[finite])
    masked = np.ma.masked_invalid(values)

    colours = [_RUN_COLOURS[i % len(_RUN_COLOURS)] for i in range(len(scene.runs))]
    figure = _figure(13.6, 6.8) if scene.runs else _figure(8.4, 7.0)
    if scene.runs:
        grid = figure.add_gridspec(1, 2, width_ratios=[1.4, 1])
        ax = figure.add_subplot(grid[0])
        panel = figure.add_subplot(grid[1])
    else:
        ax = figure.add_subplot()
        panel = None

    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    filled = ax.contourf(
        grid_x, grid_y, masked, levels=levels, cmap="viridis", extend=extend, alpha=0.6
    )
    lines = ax.contour(
        grid_x, grid_y, masked, levels=levels, colors="black", linewidths=0.5, alpha=0.55
    )
    ax.clabel(lines, lines.levels[1::2], fmt=_level_label, fontsize=7, inline=True)
    # colour bars beside the map itself (an equal-aspect map is narrower than its cell)
    bar = figure.colorbar(filled, cax=ax.inset_axes((1.03, 0.0, 0.04, 1.0)))
    bar.set_label(f"f({scene.axes[0].name}, {scene.axes[1].name})")
    bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _level_label(v)))

    # the gradient field: arrows of one length, coloured by |∇f|
    step_x, step_y = (x1 - x0) / ARROWS, (y1 - y0) / ARROWS
    qx, qy = np.meshgrid(
        x0 + step_x * (np.arange(ARROWS) + 0.5), y0 + step_y * (np.arange(ARROWS) + 0.5)
    )
    field = _gradient_field(scene)(np.column_stack([qx.ravel(), qy.ravel()]))
    size = np.hypot(field[:, 0], field[:, 1])
    ok = np.isfinite(size) & (size > 0)
    if ok.any():
        shown = size[ok]
        low, high = float(shown.min()), float(shown.max())
        norm = (
            LogNorm(vmin=low, vmax=high)
            if low > 0 and high / low > 100
            else Normalize(vmin=0 if high == low else low, vmax=high)
        )
        arrows = ax.quiver(
            qx.ravel()[ok], qy.ravel()[ok], field[ok, 0] / shown, field[ok, 1] / shown, shown,
            cmap=_arrow_colours(), norm=norm, angles="xy", scale_units="xy",
            scale=1 / (0.62 * min(step_x, step_y)), pivot="mid", width=0.0032,
            headwidth=4, headlength=4.5, zorder=3,
        )  # fmt: skip
        field_bar = figure.colorbar(arrows, cax=ax.inset_axes((1.25, 0.0, 0.04, 1.0)))
        field_bar.set_label(r"$|\nabla f|$, the arrows' colour")

    side = min(x1 - x0, y1 - y0)
    equal = max(x1 - x0, y1 - y0) <= MAX_ASPECT * side
    arrow_start = arrow_end = tangent = None
    if scene.at is not None:
        px, py = scene.at
        if scene.value_at is not None and levels[0] <= scene.value_at <= levels[-1]:
            ax.contour(
                grid_x, grid_y, masked, levels=[scene.value_at], colors=_LEVEL_COLOUR,
                linewidths=2.2, linestyles="--", zorder=4, path_effects=_outline(patheffects),
            )  # fmt: skip
        if scene.arrow is not None and any(scene.arrow):
            gx, gy = scene.arrow
            norm_g = math.hypot(gx, gy)
            ux, uy = gx / norm_g, gy / norm_g
            length = ARROW_SHARE * side
            arrow_start, arrow_end = (px, py), (px + length * ux, py + length * uy)
            tangent = (-uy, ux)
            ax.plot(
                [px - 0.8 * length * tangent[0], px + 0.8 * length * tangent[0]],
                [py - 0.8 * length * tangent[1], py + 0.8 * length * tangent[1]],
                color="black", lw=1.6, ls=":", zorder=7,
            )  # fmt: skip
            for sign, colour in ((1, _GRADIENT_COLOUR), (-1, _DESCENT_COLOUR)):
                ax.annotate(
                    "", xy=(px + sign * length * ux, py + sign * length * uy), xytext=(px, py),
                    arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 2.6,
                                "mutation_scale": 20, "shrinkA": 0, "shrinkB": 0},
                    zorder=8,
                )  # fmt: skip
            if equal:
                corner = 0.045 * side
                ax.plot(
                    [px + corner * ux, px + corner * (ux + tangent[0]), px + corner * tangent[0]],
                    [py + corner * uy, py + corner * (uy + tangent[1]), py + corner * tangent[1]],
                    color="black", lw=1, zorder=8,
                )  # fmt: skip
            ax.annotate(
                rf"$\nabla f$ = {scene.gradient_text}" if len(scene.variables) == 2
                else rf"$\nabla f$ in {scene.axes[0].name}, {scene.axes[1].name}: "
                + _point_text(scene.arrow),
                (px + length * ux, py + length * uy), xytext=(6 * ux, 6 * uy + 4),
                textcoords="offset points", fontsize=9, color=_GRADIENT_COLOUR,
                ha="left" if ux >= 0 else "right", zorder=9,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.8},
            )  # fmt: skip
        elif scene.arrow is not None:
            notes.append("∇f = 0 at P: P is a critical point, with no direction of ascent")
        ax.plot(px, py, marker="o", ms=7, mfc="white", mec="black", zorder=9)
        ax.annotate(
            "P " + _point_text(scene.at), (px, py), xytext=(-8, -14), textcoords="offset points",
            ha="right", fontsize=9, zorder=9,
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.8},
        )  # fmt: skip

    rect_drawn = (x0, x1, y0, y1)
    drawn = _drawn_paths(scene.runs, rect_drawn)
    _draw_paths(ax, drawn, colours)
    _draw_marks(ax, [m for m in marks if _inside(m.point, rect_drawn)])
    shown_marks = tuple(m for m in marks if _inside(m.point, rect_drawn))
    if len(shown_marks) < len(marks):
        notes.append(f"{len(marks) - len(shown_marks)} critical point(s) lie outside the window")

    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal" if equal else "auto")
    ax.set_xlabel(f"${sympy.latex(scene.axes[0])}$")
    ax.set_ylabel(f"${sympy.latex(scene.axes[1])}$")
    handles = _legend_handles(scene, drawn, shown_marks, curve=False)
    if handles:
        ax.legend(
            handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.09), ncol=3,
            fontsize=8, frameon=False,
        )  # fmt: skip
    extras = [name for name, shown in (("descent paths", drawn), ("critical points", shown_marks))
              if shown]  # fmt: skip
    ax.set_title("f, its gradient field" + "".join(f" and {e}" for e in extras), fontsize=10)
    scale = _draw_values(panel, scene.runs, colours) if panel is not None else None
    title = _title(scene)
    figure.suptitle(title, fontsize=13)
    _save(figure, canvas)
    width, height = figure.get_size_inches()
    return PlotSummary(
        path=str(canvas.path),
        format=canvas.format,
        kind="contour",
        axes=tuple(a.name for a in scene.axes),
        fixed=tuple((v.name, float(c)) for v, c in scene.fixed),
        xlim=(x0, x1),
        ylim=(y0, y1),
        levels=tuple(float(v) for v in levels),
        value_range=(float(values[finite].min()), float(values[finite].max())),
        undefined_share=undefined_share,
        point=scene.point,
        at=scene.at,
        value_at=scene.value_at,
        gradient=scene.gradient,
        gradient_text=scene.gradient_text,
        arrow=scene.arrow,
        arrow_start=arrow_start,
        arrow_end=arrow_end,
        tangent=tangent,
        paths=drawn,
        values_scale=scale,
        critical=shown_marks,
        title=title,
        dpi=canvas.dpi,
        size_px=(round(width * canvas.dpi), round(height * canvas.dpi)),
        notes=tuple(notes),
    )


def _level_label(value: float) -> str:
    """A contour level in three significant digits: 0.43, 12, 2190, 1.2e+06.

    >>> [_level_label(v) for v in (2186.0, 0.000530289, -12.5, 91.0, 1.5e7)]
    ['2190', '0.00053', '-12.5', '91', '1.5e+07']
    """
    value = float(value)
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    if 1 <= abs(value) < 1e6:
        digits = 3 - 1 - math.floor(math.log10(abs(value)))
        return f"{round(value, digits):.10g}"
    return f"{value:.3g}"


def _robust_range(values: np.ndarray) -> tuple[float, float]:
    """The range of a curve's values, leaving out a pole's huge tail."""
    import numpy as np

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


def _draw_curve(
    scene: _Scene,
    marks: tuple[CriticalMark, ...],
    rect: tuple[float, ...] | None,
    canvas: _Canvas,
    notes: list[str],
) -> PlotSummary:
    import numpy as np

    from gradcli.calculus import partial_derivatives

    (variable,) = scene.axes
    if rect is not None:
        x0, x1 = rect[0], rect[1]
    else:
        xs_core: list[float] = []
        if scene.at is not None:
            xs_core.append(scene.at[0])
        xs_core += [m.point[0] for m in marks]
        for run in scene.runs:
            finite = [p[0] for p in run.coords if math.isfinite(p[0])]
            xs_core += finite[:1] if run.diverged else finite
        if not xs_core:
            x0, x1 = -5.0, 5.0
        else:
            floor = 1.0 if len(xs_core) > 1 else max(2.0, 0.5 * abs(xs_core[0]))
            x0, x1 = _auto_range(xs_core, floor)
    (derivative,) = partial_derivatives(scene.local, scene.axes)
    xs = np.linspace(x0, x1, max(SAMPLES, canvas.grid))
    values, slopes = _numeric([scene.local, derivative], scene.axes)(xs)
    slopes[~np.isfinite(values)] = np.nan
    finite = np.isfinite(values)
    if not finite.any():
        raise UndefinedError(
            f"f is undefined everywhere in [{x0:g}, {x1:g}]: choose another window with --range"
        )
    undefined_share = float(1 - finite.mean())
    if undefined_share > 0:
        notes.append(f"f is undefined on {undefined_share:.0%} of the window (left blank)")
    if rect is not None and len(rect) == 4:
        y0, y1 = rect[2], rect[3]
    else:
        y0, y1 = _robust_range(values[finite])
    # a pole: don't join +∞ to −∞ across it
    span = y1 - y0
    values[(values < y0 - 10 * span) | (values > y1 + 10 * span)] = np.nan

    colours = [_RUN_COLOURS[i % len(_RUN_COLOURS)] for i in range(len(scene.runs))]
    figure = _figure(14.0, 7.0) if scene.runs else _figure(8.4, 7.2)
    grid = figure.add_gridspec(2, 2 if scene.runs else 1, height_ratios=[2, 1],
                               width_ratios=[1.45, 1] if scene.runs else [1])  # fmt: skip
    ax = figure.add_subplot(grid[0, 0])
    below = figure.add_subplot(grid[1, 0], sharex=ax)
    panel = figure.add_subplot(grid[:, 1]) if scene.runs else None
    name = sympy.latex(variable)
    ax.plot(xs, values, color="#1f4e9c", lw=2.2, label=f"$f({name})$", zorder=3)
    below_finite = slopes[np.isfinite(slopes)]
    below.plot(xs, slopes, color="#444444", lw=1.8, label=f"$f'({name})$")
    below.axhline(0, color="black", lw=0.8, alpha=0.6)
    tangent = arrow_start = arrow_end = None
    if scene.at is not None and scene.value_at is not None and scene.arrow is not None:
        px, fx = scene.at[0], scene.value_at
        slope = scene.arrow[0]
        ax.plot([x0, x1], [fx + slope * (x0 - px), fx + slope * (x1 - px)],
                color=_GRADIENT_COLOUR, lw=1.8, ls="--", zorder=4)  # fmt: skip
        ax.plot(px, fx, marker="o", ms=8, mfc="white", mec="black", zorder=9)
        ax.annotate(
            f"P = ({_point_text((px,))[1:-1]}, {_point_text((fx,))[1:-1]})\n"
            f"f'(P) = {scene.gradient_text[1:-1] if scene.gradient_text else ''}",
            (px, fx), xytext=(10, -28), textcoords="offset points", fontsize=9, zorder=9,
            bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": "#999999", "alpha": 0.9},
        )  # fmt: skip
        below.plot(px, slope, marker="o", ms=7, mfc="white", mec="black", zorder=9)
        norm = math.hypot(1.0, slope)
        tangent = (1 / norm, slope / norm)
        arrow_start, arrow_end = (px, fx), (px + tangent[0], fx + tangent[1])
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    drawn = _drawn_paths(scene.runs, (x0, x1, y0, y1), curve=[])
    _draw_paths(ax, drawn, colours)
    shown_marks = tuple(m for m in marks if _inside(m.point, (x0, x1, y0, y1)))
    _draw_marks(ax, shown_marks)
    if shown_marks:
        _draw_marks(below, [CriticalMark((m.point[0], 0.0), m.kind) for m in shown_marks])
    if len(shown_marks) < len(marks):
        notes.append(f"{len(marks) - len(shown_marks)} critical point(s) lie outside the window")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    if below_finite.size:
        below.set_ylim(*_robust_range(below_finite))
    ax.set_ylabel(f"$f({name})$")
    below.set_ylabel(f"$f'({name})$")
    below.set_xlabel(f"${name}$")
    ax.grid(True, alpha=0.3)
    below.grid(True, alpha=0.3)
    ax.set_title("f and its tangent at P" if scene.at is not None else "f", fontsize=10)
    below.set_title("the derivative f'", fontsize=10)
    handles = _legend_handles(scene, drawn, shown_marks, curve=True)
    if handles:
        ax.legend(handles=handles, fontsize=8, loc="best")
    scale = _draw_values(panel, scene.runs, colours) if panel is not None else None
    title = _title(scene)
    figure.suptitle(title, fontsize=13)
    _save(figure, canvas)
    width, height = figure.get_size_inches()
    return PlotSummary(
        path=str(canvas.path),
        format=canvas.format,
        kind="curve",
        axes=(variable.name,),
        fixed=(),
        xlim=(x0, x1),
        ylim=(y0, y1),
        levels=(),
        value_range=(float(values[finite].min()), float(values[finite].max())),
        undefined_share=undefined_share,
        point=scene.point,
        at=scene.at,
        value_at=scene.value_at,
        gradient=scene.gradient,
        gradient_text=scene.gradient_text,
        arrow=scene.arrow,
        arrow_start=arrow_start,
        arrow_end=arrow_end,
        tangent=tangent,
        paths=drawn,
        values_scale=scale,
        critical=shown_marks,
        title=title,
        dpi=canvas.dpi,
        size_px=(round(width * canvas.dpi), round(height * canvas.dpi)),
        notes=tuple(notes),
    )
