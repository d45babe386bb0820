"""The only module that imports matplotlib: a :class:`~gradcli.plot.scene.Scene` becomes a file.

matplotlib is imported inside the functions, with the non-interactive Agg
backend, so that no display is needed and every other command works (and
starts fast) without it. Nothing here computes mathematics: every number
drawn comes from the scene.

Words in Korean need a font with Hangul: the ``plot`` extra installs
koreanize-matplotlib, whose NanumGothic is registered with matplotlib here
(the package itself is never imported: that would change matplotlib's
settings for everyone). A picture in Korean is drawn with a list of
families, DejaVu Sans first, so that each glyph comes from the first that
has it: the mathematics (∇, θ, √, −) from DejaVu, the Hangul from
NanumGothic or a system font such as Noto Sans CJK KR. Without any font
with Hangul, the picture's words are English, and a note says how to get one.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from gradcli import i18n
from gradcli.errors import InputError, reason_of
from gradcli.i18n import _
from gradcli.plot.progress import Line, Progress
from gradcli.plot.scene import ContourMap, CriticalMark, Curve, DrawnPath, Scene
from gradcli.plot.subject import kind_label

__all__ = [
    "INSTALL",
    "RUN_COLOURS",
    "RUN_DASHES",
    "Drawn",
    "RunStyle",
    "build_figure",
    "draw",
    "hangul_families",
    "picture_language",
    "require_matplotlib",
    "run_styles",
]

#: how to get the optional extra
INSTALL = "pip install 'gradcli[plot]'"

#: font families with Hangul, in the order tried: the plot extra's, then system fonts
HANGUL_FAMILIES = ("NanumGothic", "Noto Sans CJK KR", "Noto Sans KR", "Source Han Sans KR",
                   "Noto Sans CJK JP", "UnDotum", "Baekmuk Gulim")  # fmt: skip
#: the family a picture's mathematics is drawn in (matplotlib's own: ∇, θ, √, −)
MATHS_FAMILY = "DejaVu Sans"
#: koreanize-matplotlib's font files, registered without importing the package
_PACKAGED_FONTS = ("NanumGothic.ttf", "NanumGothicBold.ttf")

#: the runs' colours: matplotlib's qualitative tab10, ten hues told apart at a
#: glance, with its blue and red last (they are the arrows ±∇f at P)
RUN_COLOURS = ("#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2",
               "#17becf", "#bcbd22", "#7f7f7f", "#1f77b4", "#d62728")  # fmt: skip
#: beyond ten runs the colours come round again, each ten with the next line style
RUN_DASHES = ("-", "--", ":", "-.")
#: the top run's line, in points; each run below it is wider by a step, up to the widest
_THINNEST, _WIDTH_STEP, _WIDEST = 1.4, 1.6, 6.0
#: an end star, in points; one under another star grows by a step, up to a few
_END, _END_STEP, _END_NESTED = 11.0, 6.0, 3
#: ends nearer than this share of the window's diagonal are at the same point
_SAME_END = 0.02
_CURVE_COLOUR = "#222222"
#: at most this many passes of the layout before the colour bars are fitted to the map,
#: fewer when no axes moves by more than this share of the figure
_LAYOUT_PASSES, _SETTLED = 4, 1e-3
#: a path with at most this many vertices shows each step as a dot
_DOTTED_STEPS = 60
#: with more runs than this, the legend names them (in columns) without their outcomes
_FULL_LEGEND = 10
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
class RunStyle:
    """How one run is drawn, the same on the map (or curve) and in the panel of f(θ_k)."""

    colour: str
    dashes: str
    width: float
    #: the end star's size: bigger under the stars of runs ending at the same point
    end_size: float
    #: runs drawn later (shorter paths) lie on top
    zorder: float


def run_styles(paths: Sequence[DrawnPath], window: Sequence[float]) -> list[RunStyle]:
    """A colour (and line style) per run, and the order runs are drawn in.

    No path may hide another. Paths of runs on one function often share a
    stretch (a valley, the way into the minimum), so colour alone is not
    enough: the longest paths are drawn first, widest, and each shorter one
    on top of them a little thinner, so that every path below still shows as
    a coloured border along the ones above it; a star under others that end
    at the same point is bigger, so that they show nested. (Small multiples,
    a map per run, would lose the comparison the figure is for.)

    >>> from gradcli.plot.scene import DrawnPath
    >>> def path(*points):
    ...     return DrawnPath("", "gd", 0.1, "converged", False, (points,), (), (), None, None, ())
    >>> styles = run_styles([path((0, 0), (1, 0)), path((0, 0), (4, 0))], (0, 4, 0, 4))
    >>> [s.colour for s in styles], styles[1].width > styles[0].width
    (['#ff7f0e', '#2ca02c'], True)
    """
    x0, x1, y0, y1 = window
    sx, sy = (x1 - x0) or 1.0, (y1 - y0) or 1.0

    def length(path: DrawnPath) -> float:
        return sum(
            math.hypot((b[0] - a[0]) / sx, (b[1] - a[1]) / sy)
            for piece in path.pieces
            for a, b in pairwise(piece)
        )

    def above(i: int) -> int:
        """How many stars drawn after run i's end at the same point."""
        end = paths[i].end
        if end is None:
            return 0
        near = _SAME_END * math.hypot(sx, sy)
        return sum(
            1
            for j in order[rank[i] + 1 :]
            if (other := paths[j].end) is not None and math.dist(end, other) <= near
        )

    order = sorted(range(len(paths)), key=lambda i: (-length(paths[i]), i))
    rank = {run: position for position, run in enumerate(order)}
    share = [rank[i] / max(1, len(paths) - 1) for i in range(len(paths))]
    step = min(_WIDTH_STEP, (_WIDEST - _THINNEST) / max(1, len(paths) - 1))
    return [
        RunStyle(
            colour=RUN_COLOURS[i % len(RUN_COLOURS)],
            dashes=RUN_DASHES[(i // len(RUN_COLOURS)) % len(RUN_DASHES)],
            width=_THINNEST + step * (len(paths) - 1 - rank[i]) if len(paths) > 1 else 2.0,
            end_size=_END + _END_STEP * min(above(i), _END_NESTED),
            zorder=6 + share[i],
        )
        for i in range(len(paths))
    ]


@dataclass(frozen=True)
class Drawn:
    """What drawing decided: the title shown and the picture's size in pixels."""

    title: str
    size_px: tuple[int, int]


def hangul_families() -> tuple[str, ...]:
    """The font families with Hangul that matplotlib can use, in :data:`HANGUL_FAMILIES`' order.

    koreanize-matplotlib's NanumGothic (the ``plot`` extra) is registered first.
    """
    from matplotlib import font_manager

    _register_packaged_fonts(font_manager)
    found = []
    for family in HANGUL_FAMILIES:
        try:
            font_manager.findfont(
                font_manager.FontProperties(family=family), fallback_to_default=False
            )
        except ValueError:
            continue
        found.append(family)
    return tuple(found)


_registered: list[str] = []


def _register_packaged_fonts(font_manager: Any) -> None:
    """Add koreanize-matplotlib's font files to matplotlib's fonts, once."""
    import importlib.util

    if _registered:
        return
    _registered.append("tried")
    try:
        spec = importlib.util.find_spec("koreanize_matplotlib")
    except (ImportError, ValueError):
        return
    if spec is None or spec.origin is None:
        return
    folder = Path(spec.origin).parent / "fonts"
    for name in _PACKAGED_FONTS:
        if (folder / name).is_file():
            try:
                font_manager.fontManager.addfont(str(folder / name))
            except (OSError, RuntimeError, ValueError):
                continue
            _registered.append(name)


def picture_language() -> tuple[str, tuple[str, ...]]:
    """The language a picture's words are drawn in, and a note when it is not the active one.

    The active language, when it is English or a font with Hangul is
    installed; otherwise English, never boxes in place of the letters.
    """
    spoken = i18n.language()
    if spoken == i18n.DEFAULT or hangul_families():
        return spoken, ()
    return i18n.DEFAULT, (
        _(
            "no font with Hangul is installed, so the picture's words are in English: "
            "{install} brings one (koreanize-matplotlib), or install a system font "
            "(apt install fonts-noto-cjk)"
        ).format(install=INSTALL),
    )


@contextmanager
def _drawn_in(language: str | None) -> Iterator[None]:
    """Draw in ``language`` (by default the active one): its words, and a font with its letters.

    Only the figures made inside are affected: matplotlib's settings are
    restored afterwards.
    """
    import matplotlib

    language = language or i18n.language()
    families = () if language == i18n.DEFAULT else hangul_families()
    with i18n.speaking(language), matplotlib.rc_context():
        if families:
            matplotlib.rcParams["font.family"] = [MATHS_FAMILY, *families]
        yield


def require_matplotlib() -> None:
    """Raise :class:`InputError` (exit 2) saying how to install matplotlib.

    >>> require_matplotlib()  # matplotlib is installed here
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise InputError(
            _("plotting needs matplotlib, an optional extra: install it with {install}").format(
                install=INSTALL
            )
        ) from None


def draw(scene: Scene, *, path: Path, format: str, dpi: int, language: str | None = None) -> Drawn:
    """Draw ``scene`` into ``path`` (``format`` png, svg or pdf, ``dpi`` for images).

    Its words are in ``language`` (by default the active one; see :func:`picture_language`).
    """
    with _drawn_in(language):
        figure = build_figure(scene, dpi=dpi)
        _save(figure, path, format, dpi)
    width, height = figure.get_size_inches()
    return Drawn(title=figure.get_suptitle(), size_px=(round(width * dpi), round(height * dpi)))


def build_figure(scene: Scene, *, dpi: int = 100, language: str | None = None) -> Any:
    """The matplotlib figure of ``scene``, not yet written (tests look inside it).

    Its words are in ``language``, by default the active one.
    """
    with _drawn_in(language):
        return _build_figure(scene, dpi)


def _build_figure(scene: Scene, dpi: int) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # laid out at the resolution it is saved at, so that what is measured is what is written
    figure = Figure(figsize=_SIZES[scene.kind, bool(scene.runs)], dpi=dpi, layout="constrained")
    FigureCanvasAgg(figure)
    styles = run_styles(scene.paths, scene.window)
    bars: list[Any] = []
    if isinstance(scene.surface, ContourMap):
        panel, bars = _draw_map(figure, scene, scene.surface, styles)
    else:
        panel = _draw_curve(figure, scene, scene.surface, styles)
    if panel is not None and scene.progress is not None:
        _draw_progress(panel, scene.progress, scene.paths, styles)
    figure.suptitle(_title(scene), fontsize=13)
    if bars:
        _fit_bars(figure, bars)
    return figure


def _fit_bars(figure: Any, bars: Sequence[Any]) -> None:
    """The map's colour bars as tall as the map and beside it; the layout then stays.

    Constrained layout makes room for the bars (their ticks and labels) beside
    the map's cell, so that nothing is cut off or covered; but a map drawn to
    scale is smaller than its cell, and the bars would stick out past it.
    """
    # the layout settles over a few passes, once the map has taken its aspect
    placed = [a for a in figure.axes if all(a is not bar.ax for bar in bars)]
    before: list[float] = []
    for _unused in range(_LAYOUT_PASSES):
        figure.draw_without_rendering()
        now = [v for a in placed for v in a.get_position().bounds]
        if before and max(abs(a - b) for a, b in zip(now, before)) < _SETTLED:
            break
        before = now
    figure.set_layout_engine("none")
    ax = bars[0].mappable.axes
    cell, shown = ax.get_position(original=True), ax.get_position(original=False)
    positions = [bar.ax.get_position() for bar in bars]
    gap = min(p.x0 for p in positions) - cell.x1
    shift = max(0.0, min(p.x0 for p in positions) - (shown.x1 + gap))
    for bar, box in zip(bars, positions):
        bar.ax.set_position([box.x0 - shift, shown.y0, box.width, shown.height])


def _sides(figure: Any, widths: Sequence[float]) -> tuple[Any, Any]:
    """Two side-by-side grids, each laid out on its own.

    The panel's legend of runs takes room under it; in one grid that room
    would be taken from under the map too.
    """
    outer = figure.add_gridspec(1, 2, width_ratios=widths)
    return outer[0, 0].subgridspec(1, 1), outer[0, 1].subgridspec(1, 1)


# ---------------------------------------------------------------------------
# a contour map


def _draw_map(
    figure: Any, scene: Scene, surface: ContourMap, styles: Sequence[RunStyle]
) -> tuple[Any, list[Any]]:
    """The map with everything on it; returns the panel for f(θ_k), if any, and the colour bars."""
    if scene.runs:
        left, right = _sides(figure, [1.4, 1])
        ax, panel = figure.add_subplot(left[0, 0]), figure.add_subplot(right[0, 0])
    else:
        ax, panel = figure.add_subplot(), None
    x0, x1, y0, y1 = scene.window
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    filled = _draw_contours(ax, scene, surface)
    arrows = _draw_field(ax, surface) if surface.field is not None else None
    # the colour bars are laid out with the map (not drawn over the figure's
    # edge, nor over each other): the field's first, so that f's own bar
    # stands next to the map
    bars = []
    if arrows is not None:
        bars.append(figure.colorbar(arrows, ax=ax, pad=0.015, fraction=0.04, aspect=35))
        bars[0].set_label(_(r"$|\nabla f|$, the arrows' colour"))
    bars.append(_colour_bar(figure, ax, filled, f"f({scene.axes[0]}, {scene.axes[1]})"))
    if scene.at is not None:
        _draw_point(ax, scene, surface)
    _draw_paths(ax, scene.paths, styles)
    _draw_marks(ax, scene.critical)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal" if scene.equal_aspect else "auto")
    # drawn to scale, the map is smaller than its cell: at the cell's top left
    # corner, its labels stand where the layout made room for them
    ax.set_anchor("NW")
    ax.set_xlabel(f"${scene.axis_tex[0]}$")
    ax.set_ylabel(f"${scene.axis_tex[1]}$")
    handles = _legend_handles(scene, curve=False)
    if handles:
        ax.legend(
            handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.09), ncol=3,
            fontsize=8, frameon=False,
        )  # fmt: skip
    ax.set_title(_map_title(bool(scene.paths), bool(scene.critical)), fontsize=10)
    return panel, bars


def _map_title(paths: bool, critical: bool) -> str:
    if paths and critical:
        return _("f, its gradient field and descent paths and critical points")
    if paths:
        return _("f, its gradient field and descent paths")
    if critical:
        return _("f, its gradient field and critical points")
    return _("f, its gradient field")


def _draw_contours(ax: Any, scene: Scene, surface: ContourMap) -> Any:
    """Filled contours, labelled lines and the level curve through P; returns the fill."""
    import numpy as np
    from matplotlib import patheffects

    masked = np.ma.masked_invalid(surface.values)
    grid = (surface.grid_x, surface.grid_y, masked)
    levels = np.array(surface.levels)
    # paler under descent paths, so that their colours stand out
    alpha = 0.45 if scene.paths else 0.6
    filled = ax.contourf(*grid, levels=levels, cmap="viridis", extend=surface.extend, alpha=alpha)
    lines = ax.contour(*grid, levels=levels, colors="black", linewidths=0.5, alpha=0.55)
    ax.clabel(lines, lines.levels[1::2], fmt=_level_label, fontsize=7, inline=True)
    if surface.level_at_p is not None:
        ax.contour(
            *grid, levels=[surface.level_at_p], colors=_LEVEL_COLOUR, linewidths=2.2,
            linestyles="--", zorder=4, path_effects=_outline(patheffects),
        )  # fmt: skip
    return filled


def _colour_bar(figure: Any, ax: Any, filled: Any, label: str) -> Any:
    from matplotlib.ticker import FuncFormatter

    bar = figure.colorbar(filled, ax=ax, pad=0.015, fraction=0.04, aspect=35)
    bar.set_label(label)
    bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _position: _level_label(v)))
    return bar


def _draw_field(ax: Any, surface: ContourMap) -> Any:
    """The gradient field: arrows of one length, coloured by |∇f|; returns the arrows."""
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
    return ax.quiver(
        field.x, field.y, field.u, field.v, field.size, cmap=colours, norm=norm, angles="xy",
        scale_units="xy", scale=1 / field.length, pivot="mid", width=0.0032, headwidth=4,
        headlength=4.5, zorder=3,
    )  # fmt: skip


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
            else _(r"$\nabla f$ in {first}, {second}: {arrow}").format(
                first=scene.axes[0], second=scene.axes[1], arrow=_point_text(scene.arrow)),
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


def _draw_curve(figure: Any, scene: Scene, surface: Curve, styles: Sequence[RunStyle]) -> Any:
    """f with its tangent at P above, f' below; returns the panel for f(θ_k), if any."""
    if scene.runs:
        outer, right = _sides(figure, [1.45, 1])
        grid = outer[0, 0].subgridspec(2, 1, height_ratios=[2, 1])
        panel = figure.add_subplot(right[0, 0])
    else:
        grid, panel = figure.add_gridspec(2, 1, height_ratios=[2, 1]), None
    ax = figure.add_subplot(grid[0, 0])
    below = figure.add_subplot(grid[1, 0], sharex=ax)
    name = scene.axis_tex[0]
    x0, x1, y0, y1 = scene.window
    ax.plot(surface.xs, surface.values, color=_CURVE_COLOUR, lw=2, label=f"$f({name})$", zorder=3)
    below.plot(surface.xs, surface.slopes, color="#555555", lw=1.8, label=f"$f'({name})$")
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
    _draw_paths(ax, scene.paths, styles)
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
    ax.set_title(_("f and its tangent at P") if scene.at is not None else "f", fontsize=10)
    below.set_title(_("the derivative f'"), fontsize=10)
    handles = _legend_handles(scene, curve=True)
    if handles:
        ax.legend(handles=handles, fontsize=8, loc="best")
    return panel


# ---------------------------------------------------------------------------
# paths, marks, the panel of f(θ_k), legend and title


def _draw_progress(
    axes: Any, shown: Progress, paths: Sequence[DrawnPath], styles: Sequence[RunStyle]
) -> None:
    """The second panel: f(θ_k) (or f − f*) against k, one line per run, one legend entry each."""
    from matplotlib.lines import Line2D
    from matplotlib.ticker import MaxNLocator

    handles = []
    exits = 0
    last = max((line.steps[-1] for line in shown.lines if line.steps), default=0)
    for line, path, style in zip(shown.lines, paths, styles):
        text = _legend_text(path, many=len(paths) > _FULL_LEGEND)
        handles.append(Line2D([], [], color=style.colour, ls=style.dashes, lw=2, label=text))
        if not line.steps:
            continue
        axes.plot(
            line.steps, line.heights, color=style.colour, ls=style.dashes,
            lw=min(style.width, 2.6), alpha=0.9, zorder=2 + style.zorder / 10,
            marker="." if len(line.steps) <= _DOTTED_STEPS else None, label=path.label,
        )  # fmt: skip
        if line.exit is not None:
            _mark_exit(axes, line, style, exits, right=line.exit[0] > 0.6 * last)
            exits += 1
    if shown.scale == "symlog":
        axes.set_yscale("symlog", linthresh=1.0)
    else:
        axes.set_yscale(shown.scale)
    axes.set_ylim(*shown.ylim)
    if shown.floor is not None:
        axes.axhline(shown.floor, color="#555555", lw=0.8, ls=":", zorder=1)
        axes.annotate(
            _("f = f* to rounding"), (0.01, shown.floor), xycoords=("axes fraction", "data"),
            xytext=(0, 2), textcoords="offset points", fontsize=7, color="#555555", va="bottom",
        )  # fmt: skip
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel(_("step k"))
    axes.set_ylabel(shown.label)
    axes.set_title(shown.title, fontsize=10)
    axes.grid(True, alpha=0.3, which="both" if shown.scale == "log" else "major")
    # one entry per run, under the panel; many runs share it in columns
    many = len(handles) > _FULL_LEGEND
    axes.legend(
        handles=handles, fontsize=7 if many else 8, frameon=False, loc="upper center",
        bbox_to_anchor=(0.5, -0.11), ncol=1 if not many else 2 if len(handles) <= 30 else 3,
    )  # fmt: skip


def _mark_exit(axes: Any, line: Line, style: RunStyle, index: int, *, right: bool) -> None:
    """Where a diverging run leaves the panel: a mark on the edge, and the step.

    The ``index``-th such mark's text stands lower (or higher), so that runs
    leaving at the same step keep their texts apart.
    """
    assert line.exit is not None
    k, height = line.exit
    up = height >= line.heights[-1]
    width = min(style.width, 2.6)
    axes.plot([line.steps[-1], k], [line.heights[-1], height], color=style.colour,
              ls=style.dashes, lw=width, alpha=0.9)  # fmt: skip
    axes.plot(k, height, marker="^" if up else "v", ms=10, mfc=style.colour, mec="black",
              clip_on=False, zorder=9)  # fmt: skip
    axes.annotate(
        _("leaves, k={step}").format(step=line.exit_step), (k, height), fontsize=7.5,
        ha="right" if right else "left",
        xytext=(-7 if right else 7, (-10 - 11 * index) if up else (4 + 11 * index)),
        textcoords="offset points", color="black", zorder=9,
        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": style.colour, "alpha": 0.85},
    )  # fmt: skip


def _legend_text(path: DrawnPath, *, many: bool) -> str:
    """A run's legend entry: its name and outcome, or only its name when there are many
    runs; broken into lines, so that the legend never grows wider than the panel.

    >>> from gradcli.plot.scene import DrawnPath
    >>> label = "momentum α=0.001, β=0.5: oscillating, stopped after 3000 steps (the most allowed)"
    >>> path = DrawnPath(label, "momentum", 0.001, "max_steps", True, (), (), (), None, None, (),
    ...                  "momentum α=0.001, β=0.5")
    >>> print(_legend_text(path, many=False))
    momentum α=0.001, β=0.5: oscillating, stopped after 3000 steps (the most
      allowed)
    >>> _legend_text(path, many=True)
    'momentum α=0.001, β=0.5'
    """
    import textwrap

    return textwrap.fill(path.name if many else path.label, 28 if many else 72,
                         subsequent_indent="  ", break_on_hyphens=False)  # fmt: skip


def _draw_paths(axes: Any, drawn: Sequence[DrawnPath], styles: Sequence[RunStyle]) -> None:
    """Each run's path in its style: the longest lowest (see :func:`run_styles`)."""

    starts_drawn: set[tuple[float, float]] = set()
    for path, style in zip(drawn, styles):
        dotted = sum(len(p) for p in path.pieces) <= _DOTTED_STEPS
        # (no pale halo: the halo of a path on top would cover the one below)
        for piece in path.pieces:
            xs, ys = zip(*piece)
            axes.plot(
                xs, ys, color=style.colour, ls=style.dashes, lw=style.width,
                marker="o" if dotted else None, ms=style.width + 1.5, mec="white", mew=0.5,
                zorder=style.zorder, solid_capstyle="round",
            )  # fmt: skip
        for (x, y), k in zip(path.exits, path.exit_steps):
            axes.plot(x, y, marker="o", ms=11, mfc="none", mec=style.colour, mew=2.2, zorder=7)
            dx, dy = _inwards(axes, x, y)
            axes.annotate(
                _("leaves, k={step}").format(step=k), (x, y), xytext=(16 * dx, 16 * dy),
                textcoords="offset points",
                ha="center", va="center", fontsize=7.5, color="black", zorder=8,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": style.colour,
                      "alpha": 0.85},
            )  # fmt: skip
        if path.end is not None:
            axes.plot(*path.end, marker="*", ms=style.end_size, mfc=style.colour, mec="black",
                      mew=0.8, zorder=9 + style.zorder / 10)  # fmt: skip
    for path in drawn:
        if path.start is not None and path.start not in starts_drawn:
            starts_drawn.add(path.start)
            axes.plot(*path.start, marker="o", ms=10, mfc="black", mec="white", mew=1.5, zorder=10)


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
                Line2D([], [], color=_GRADIENT_COLOUR, lw=2, ls="--", label=_("tangent at P"))
            )
        elif any(scene.arrow):
            handles += [
                Line2D([], [], color=_GRADIENT_COLOUR, lw=2.5, marker=">", ms=7,
                       label=_(r"$\nabla f(P)$: steepest ascent")),
                Line2D([], [], color=_DESCENT_COLOUR, lw=2.5, marker=">", ms=7,
                       label=_(r"$-\nabla f(P)$: steepest descent")),
                Line2D([], [], color="black", lw=1.5, ls=":",
                       label=_(r"tangent, $\perp\ \nabla f$")),
            ]  # fmt: skip
        if not curve:
            handles.append(
                Line2D([], [], color=_LEVEL_COLOUR, lw=2.2, ls="--",
                       label=_("level curve through P"), path_effects=_outline(patheffects))
            )  # fmt: skip
    drawn = scene.paths
    if drawn:
        handles.append(
            Line2D([], [], ls="none", marker="o", ms=9, mfc="black", mec="white", label=_("start"))
        )
        if any(p.end is not None for p in drawn):
            handles.append(
                Line2D([], [], ls="none", marker="*", ms=13, mfc="#bbbbbb", mec="black",
                       label=_("end"))
            )  # fmt: skip
        if any(p.exits for p in drawn):
            handles.append(
                Line2D([], [], ls="none", marker="o", ms=10, mfc="none", mec="#555555", mew=2,
                       label=_("leaves the window"))
            )  # fmt: skip
    for kind, style in _CRITICAL_STYLE.items():
        if any(m.kind == kind for m in scene.critical):
            handles.append(
                Line2D([], [], ls="none", marker=style["marker"], ms=10, mfc=style["facecolor"],
                       mec=style["edgecolor"], mew=1.5, label=kind_label(kind))
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

    With a true minus sign, as on the axes.

    >>> [_level_label(v) for v in (2186.0, 0.000530289, -12.5, 91.0, 1.5e7)]
    ['2190', '0.00053', '−12.5', '91', '1.5e+07']
    """
    value = float(value)
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    if 1 <= abs(value) < 1e6:
        digits = 3 - 1 - math.floor(math.log10(abs(value)))
        text = f"{round(value, digits):.10g}"
    else:
        text = f"{value:.3g}"
    return text.replace("-", "\N{MINUS SIGN}")


def _point_text(point: Sequence[float]) -> str:
    from gradcli.printing import decimal

    return "(" + ", ".join(decimal(c, 4) for c in point) + ")"


def _save(figure: Any, path: Path, format: str, dpi: int) -> None:
    try:
        figure.savefig(path, format=format, dpi=dpi)
    except OSError as error:
        raise InputError(
            _("cannot write {path}: {reason}").format(path=path, reason=reason_of(error))
        ) from None
