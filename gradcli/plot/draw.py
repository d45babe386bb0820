"""The only module that imports matplotlib: a :class:`~gradcli.plot.scene.Scene` becomes a file.

matplotlib is imported inside the functions, with the non-interactive Agg
backend, so that no display is needed and every other command works (and
starts fast) without it. Nothing here computes mathematics: every number
drawn comes from the scene.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gradcli.errors import InputError
from gradcli.plot.scene import ContourMap, CriticalMark, Curve, DrawnPath, Run, Scene

__all__ = ["INSTALL", "Drawn", "draw", "require_matplotlib"]

#: how to get the optional extra
INSTALL = "pip install 'gradcli[plot]'"

RUN_COLOURS = ("#ff7f0e", "#e7298a", "#7b2cbf", "#8c564b", "#00a6d6", "#bcbd22", "#ffffff")
_GRADIENT_COLOUR = "#c00000"
_DESCENT_COLOUR = "#0050c8"
_LEVEL_COLOUR = "white"

_CRITICAL_STYLE: Mapping[str, dict[str, Any]] = {
    "local min": {"marker": "o", "facecolor": "white", "edgecolor": "black"},
    "local max": {"marker": "^", "facecolor": "black", "edgecolor": "white"},
    "saddle": {"marker": "X", "facecolor": "#ffd400", "edgecolor": "black"},
    "degenerate": {"marker": "D", "facecolor": "#999999", "edgecolor": "black"},
}

#: figure sizes in inches: (map or curve) × (with the panel of f(θ_k) or not)
_SIZES = {
    ("contour", True): (13.6, 6.8),
    ("contour", False): (8.4, 7.0),
    ("curve", True): (14.0, 7.0),
    ("curve", False): (8.4, 7.2),
}


@dataclass(frozen=True)
class Drawn:
    """What drawing decided: the title shown and the picture's size in pixels."""

    title: str
    size_px: tuple[int, int]


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


def draw(scene: Scene, *, path: Path, format: str, dpi: int) -> Drawn:
    """Draw ``scene`` into ``path`` (``format`` png, svg or pdf, ``dpi`` for images)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=_SIZES[scene.kind, bool(scene.runs)], layout="constrained")
    colours = [RUN_COLOURS[i % len(RUN_COLOURS)] for i in range(len(scene.runs))]
    if isinstance(scene.surface, ContourMap):
        panel = _draw_map(figure, scene, scene.surface, colours)
    else:
        panel = _draw_curve(figure, scene, scene.surface, colours)
    if panel is not None:
        _draw_values(panel, scene.runs, scene.values_scale or "linear", colours)
    title = _title(scene)
    figure.suptitle(title, fontsize=13)
    _save(figure, path, format, dpi)
    width, height = figure.get_size_inches()
    return Drawn(title=title, size_px=(round(width * dpi), round(height * dpi)))


# ---------------------------------------------------------------------------
# a contour map


def _draw_map(figure: Any, scene: Scene, surface: ContourMap, colours: Sequence[str]) -> Any:
    """The map with everything on it; returns the panel for f(θ_k), if any."""
    if scene.runs:
        grid = figure.add_gridspec(1, 2, width_ratios=[1.4, 1])
        ax, panel = figure.add_subplot(grid[0]), figure.add_subplot(grid[1])
    else:
        ax, panel = figure.add_subplot(), None
    x0, x1, y0, y1 = scene.window
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    _draw_contours(figure, ax, scene, surface)
    if surface.field is not None:
        _draw_field(figure, ax, surface)
    if scene.at is not None:
        _draw_point(ax, scene, surface)
    _draw_paths(ax, scene.paths, colours)
    _draw_marks(ax, scene.critical)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal" if scene.equal_aspect else "auto")
    ax.set_xlabel(f"${scene.axis_tex[0]}$")
    ax.set_ylabel(f"${scene.axis_tex[1]}$")
    handles = _legend_handles(scene, curve=False)
    if handles:
        ax.legend(
            handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.09), ncol=3,
            fontsize=8, frameon=False,
        )  # fmt: skip
    extras = [name for name, shown in (("descent paths", scene.paths),
                                       ("critical points", scene.critical)) if shown]  # fmt: skip
    ax.set_title("f, its gradient field" + "".join(f" and {e}" for e in extras), fontsize=10)
    return panel


def _draw_contours(figure: Any, ax: Any, scene: Scene, surface: ContourMap) -> None:
    """Filled contours, labelled lines, the colour bar and the level curve through P."""
    import numpy as np
    from matplotlib import patheffects
    from matplotlib.ticker import FuncFormatter

    masked = np.ma.masked_invalid(surface.values)
    grid = (surface.grid_x, surface.grid_y, masked)
    levels = np.array(surface.levels)
    filled = ax.contourf(*grid, levels=levels, cmap="viridis", extend=surface.extend, alpha=0.6)
    lines = ax.contour(*grid, levels=levels, colors="black", linewidths=0.5, alpha=0.55)
    ax.clabel(lines, lines.levels[1::2], fmt=_level_label, fontsize=7, inline=True)
    # colour bars beside the map itself (an equal-aspect map is narrower than its cell)
    bar = figure.colorbar(filled, cax=ax.inset_axes((1.03, 0.0, 0.04, 1.0)))
    bar.set_label(f"f({scene.axes[0]}, {scene.axes[1]})")
    bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _level_label(v)))
    if surface.level_at_p is not None:
        ax.contour(
            *grid, levels=[surface.level_at_p], colors=_LEVEL_COLOUR, linewidths=2.2,
            linestyles="--", zorder=4, path_effects=_outline(patheffects),
        )  # fmt: skip


def _draw_field(figure: Any, ax: Any, surface: ContourMap) -> None:
    """The gradient field: arrows of one length, coloured by |∇f|."""
    from matplotlib.colors import LinearSegmentedColormap, LogNorm, Normalize

    field = surface.field
    assert field is not None
    low, high = float(field.size.min()), float(field.size.max())
    norm = (
        LogNorm(vmin=low, vmax=high)
        if field.log
        else Normalize(vmin=0 if high == low else low, vmax=high)
    )
    colours = LinearSegmentedColormap.from_list("gradcli_field", ["#b0b0b0", "#000000"])
    arrows = ax.quiver(
        field.x, field.y, field.u, field.v, field.size, cmap=colours, norm=norm, angles="xy",
        scale_units="xy", scale=1 / field.length, pivot="mid", width=0.0032, headwidth=4,
        headlength=4.5, zorder=3,
    )  # fmt: skip
    field_bar = figure.colorbar(arrows, cax=ax.inset_axes((1.25, 0.0, 0.04, 1.0)))
    field_bar.set_label(r"$|\nabla f|$, the arrows' colour")


def _draw_point(ax: Any, scene: Scene, surface: ContourMap) -> None:
    """P, with ±∇f, the tangent to the level curve and the right angle between them."""
    assert scene.at is not None
    px, py = scene.at
    pointer = scene.pointer
    if pointer is not None and scene.arrow is not None:
        (ux, uy), (tx, ty), length = pointer.unit, pointer.tangent, pointer.length
        ax.plot(
            [px - 0.8 * length * tx, px + 0.8 * length * tx],
            [py - 0.8 * length * ty, py + 0.8 * length * ty],
            color="black", lw=1.6, ls=":", zorder=7,
        )  # fmt: skip
        for sign, colour in ((1, _GRADIENT_COLOUR), (-1, _DESCENT_COLOUR)):
            ax.annotate(
                "", xy=(px + sign * length * ux, py + sign * length * uy), xytext=(px, py),
                arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 2.6,
                            "mutation_scale": 20, "shrinkA": 0, "shrinkB": 0},
                zorder=8,
            )  # fmt: skip
        if scene.equal_aspect:
            corner = 0.045 * min(scene.window[1] - scene.window[0],
                                 scene.window[3] - scene.window[2])  # fmt: skip
            ax.plot(
                [px + corner * ux, px + corner * (ux + tx), px + corner * tx],
                [py + corner * uy, py + corner * (uy + ty), py + corner * ty],
                color="black", lw=1, zorder=8,
            )  # fmt: skip
        ax.annotate(
            rf"$\nabla f$ = {scene.gradient_text}" if len(scene.variables) == 2
            else rf"$\nabla f$ in {scene.axes[0]}, {scene.axes[1]}: " + _point_text(scene.arrow),
            pointer.end, xytext=(6 * ux, 6 * uy + 4),
            textcoords="offset points", fontsize=9, color=_GRADIENT_COLOUR,
            ha="left" if ux >= 0 else "right", zorder=9,
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.8},
        )  # fmt: skip
    ax.plot(px, py, marker="o", ms=7, mfc="white", mec="black", zorder=9)
    ax.annotate(
        "P " + _point_text(scene.at), (px, py), xytext=(-8, -14), textcoords="offset points",
        ha="right", fontsize=9, zorder=9,
        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.8},
    )  # fmt: skip


# ---------------------------------------------------------------------------
# a curve


def _draw_curve(figure: Any, scene: Scene, surface: Curve, colours: Sequence[str]) -> Any:
    """f with its tangent at P above, f' below; returns the panel for f(θ_k), if any."""
    grid = figure.add_gridspec(2, 2 if scene.runs else 1, height_ratios=[2, 1],
                               width_ratios=[1.45, 1] if scene.runs else [1])  # fmt: skip
    ax = figure.add_subplot(grid[0, 0])
    below = figure.add_subplot(grid[1, 0], sharex=ax)
    panel = figure.add_subplot(grid[:, 1]) if scene.runs else None
    name = scene.axis_tex[0]
    x0, x1, y0, y1 = scene.window
    ax.plot(surface.xs, surface.values, color="#1f4e9c", lw=2.2, label=f"$f({name})$", zorder=3)
    below.plot(surface.xs, surface.slopes, color="#444444", lw=1.8, label=f"$f'({name})$")
    below.axhline(0, color="black", lw=0.8, alpha=0.6)
    if surface.tangent_line is not None and scene.at is not None and scene.arrow is not None:
        (lx0, ly0), (lx1, ly1) = surface.tangent_line
        px, fx, slope = scene.at[0], scene.value_at, scene.arrow[0]
        ax.plot([lx0, lx1], [ly0, ly1], color=_GRADIENT_COLOUR, lw=1.8, ls="--", zorder=4)
        ax.plot(px, fx, marker="o", ms=8, mfc="white", mec="black", zorder=9)
        ax.annotate(
            f"P = ({_point_text((px,))[1:-1]}, {_point_text((fx or 0.0,))[1:-1]})\n"
            f"f'(P) = {scene.gradient_text[1:-1] if scene.gradient_text else ''}",
            (px, fx), xytext=(10, -28), textcoords="offset points", fontsize=9, zorder=9,
            bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": "#999999", "alpha": 0.9},
        )  # fmt: skip
        below.plot(px, slope, marker="o", ms=7, mfc="white", mec="black", zorder=9)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    _draw_paths(ax, scene.paths, colours)
    _draw_marks(ax, scene.critical)
    if scene.critical:
        _draw_marks(below, [CriticalMark((m.point[0], 0.0), m.kind) for m in scene.critical])
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    if surface.slope_range is not None:
        below.set_ylim(*surface.slope_range)
    ax.set_ylabel(f"$f({name})$")
    below.set_ylabel(f"$f'({name})$")
    below.set_xlabel(f"${name}$")
    ax.grid(True, alpha=0.3)
    below.grid(True, alpha=0.3)
    ax.set_title("f and its tangent at P" if scene.at is not None else "f", fontsize=10)
    below.set_title("the derivative f'", fontsize=10)
    handles = _legend_handles(scene, curve=True)
    if handles:
        ax.legend(handles=handles, fontsize=8, loc="best")
    return panel


# ---------------------------------------------------------------------------
# paths, marks, the panel of f(θ_k), legend and title


def _draw_values(axes: Any, runs: Sequence[Run], scale: str, colours: Sequence[str]) -> None:
    """The second panel: f(θ_k) against k, one line per run."""
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


def _draw_paths(axes: Any, drawn: Sequence[DrawnPath], colours: Sequence[str]) -> None:
    starts_drawn: set[tuple[float, float]] = set()
    for path, colour in zip(drawn, colours):
        many = sum(len(p) for p in path.pieces) > 300
        for piece in path.pieces:
            xs, ys = zip(*piece)
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


def _legend_handles(scene: Scene, *, curve: bool) -> list[Any]:
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
                Line2D([], [], color=_LEVEL_COLOUR, lw=2.2, ls="--",
                       label="level curve through P", path_effects=_outline(patheffects))
            )  # fmt: skip
    drawn = scene.paths
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
        if any(m.kind == kind for m in scene.critical):
            handles.append(
                Line2D([], [], ls="none", marker=style["marker"], ms=10, mfc=style["facecolor"],
                       mec=style["edgecolor"], mew=1.5, label=kind)
            )  # fmt: skip
    return handles


def _outline(patheffects: Any) -> list[Any]:
    return [patheffects.withStroke(linewidth=4, foreground="black")]


def _title(scene: Scene) -> str:
    """f in mathematical notation (mathtext), or plain unicode if that fails."""
    head = scene.title_plain
    if scene.title_tex is not None and _mathtext_renders(scene.title_tex):
        head = scene.title_tex
    return head + scene.title_suffix


def _mathtext_renders(text: str) -> bool:
    from matplotlib.mathtext import MathTextParser

    try:
        MathTextParser("path").parse(text)
    except Exception:  # noqa: BLE001  (any failure: fall back to plain text)
        return False
    return True


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


def _point_text(point: Sequence[float]) -> str:
    from gradcli.printing import decimal

    return "(" + ", ".join(decimal(c, 4) for c in point) + ")"


def _save(figure: Any, path: Path, format: str, dpi: int) -> None:
    try:
        figure.savefig(path, format=format, dpi=dpi)
    except OSError as error:
        raise InputError(f"cannot write {path}: {error.strerror or error}") from None
