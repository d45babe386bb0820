"""Tests for how descent runs are drawn: names, colours, order, nothing cut off, the f − f* panel.

The regressions of the issue "plots of several runs": duplicate legend
entries and reused colours, paths hidden under others, labels cut off at the
figure's edge or hidden behind a colour bar, and a panel of f(θ_k) that a
diverged run flattened. Figures are built (not written) and measured after
``canvas.draw()``; the panel's numbers are checked without matplotlib,
against the runs' own values.
"""

from __future__ import annotations

import math
from functools import cache
from itertools import combinations, pairwise
from typing import Any

import pytest
import sympy

from gradcli.descent import compare, descend
from gradcli.formats.descent import run_label
from gradcli.parse import parse_function
from gradcli.plot.draw import RUN_COLOURS, build_figure, run_styles
from gradcli.plot.progress import progress
from gradcli.plot.scene import Scene, build_scene
from gradcli.plot.subject import CriticalMark, Run, run_names

SEED = "x^2+y^2+xy"
ROSENBROCK = "(1-x)^2+100(y-x^2)^2"
FAST: dict[str, Any] = {"grid": 40}


def _seed(**options: Any) -> Scene:
    f = parse_function(SEED)
    runs = compare(f.expr, f.variables, (1, 3), lrs=(0.1, 0.6, 0.7))
    return build_scene(f, runs=runs, **{**FAST, **options})


@cache
def _nine_runs() -> tuple[Scene, Any]:
    """The issue's comparison: three methods × three rates, nine runs, on the full grid
    (whose lowest level, 0.000717, made wide colour-bar labels: f's label went behind
    the second bar)."""
    f = parse_function(ROSENBROCK)
    runs = compare(
        f.expr, f.variables, (-1.5, 2), methods=("gd", "momentum", "adam"),
        lrs=(0.001, 0.0005, 0.01), steps=3000,
    )  # fmt: skip
    return build_scene(f, runs=runs), runs


@pytest.fixture
def rosenbrock() -> tuple[Scene, Any]:
    return _nine_runs()


def _panel(figure: Any) -> Any:
    return next(a for a in figure.axes if a.get_xlabel() == "step k")


def _drawn_tick_labels(axis: Any) -> list[Any]:
    """The tick labels drawn: those of ticks inside the view (the others keep old places)."""
    lo, hi = sorted(axis.get_view_interval())
    slack = (hi - lo) * 1e-9
    return [
        label
        for tick in axis.get_major_ticks() + axis.get_minor_ticks()
        if lo - slack <= tick.get_loc() <= hi + slack
        for label in (tick.label1, tick.label2)
        if label.get_visible() and label.get_text()
    ]


def _all_axes(figure: Any) -> list[Any]:
    """Every axes, insets included."""
    from matplotlib.axes import Axes

    return list(figure.findobj(Axes))


def _texts(figure: Any) -> list[Any]:
    """Every text drawn: titles, labels, drawn tick labels, legends, annotations."""
    from matplotlib.text import Text

    ticks = {
        label
        for axes in _all_axes(figure)
        for axis in (axes.xaxis, axes.yaxis)
        for tick in axis.get_major_ticks() + axis.get_minor_ticks()
        for label in (tick.label1, tick.label2)
    }
    shown = [t for t in figure.findobj(Text) if t not in ticks and t.get_visible() and t.get_text()]
    return shown + [t for a in _all_axes(figure) for axis in (a.xaxis, a.yaxis)
                    for t in _drawn_tick_labels(axis)]  # fmt: skip


def _layout_texts(figure: Any) -> list[Any]:
    """The texts the layout places: titles, axis labels, drawn tick labels, legends."""
    out = [figure.get_suptitle() and figure._suptitle]
    for axes in _all_axes(figure):
        out += [axes.title, axes.xaxis.label, axes.yaxis.label]
        out += _drawn_tick_labels(axes.xaxis) + _drawn_tick_labels(axes.yaxis)
        if axes.get_legend() is not None:
            out += axes.get_legend().get_texts()
    return [t for t in out if t and t.get_visible() and t.get_text()]


def _colour_bars(figure: Any) -> list[Any]:
    """The axes of the map's colour bars (of its filled contours and of its arrows)."""
    drawn = figure.axes[0].collections
    return [c.colorbar.ax for c in drawn if getattr(c, "colorbar", None) is not None]


def _overlap(a: Any, b: Any) -> bool:
    """More than a pixel of overlap both ways."""
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return width > 1 and height > 1


# ---------------------------------------------------------------------------
# names: one per run, the tables' label first


def test_names_are_the_tables_labels_when_those_differ() -> None:
    x, y = sympy.symbols("x y", real=True)
    f = x**2 + y**2
    runs = [descend(f, (x, y), (1, 3), lr=lr, steps=5) for lr in (0.1, 0.2, 1e-5)]
    assert run_names(runs) == [run_label(r) for r in runs] == ["gd α=0.1", "gd α=0.2", "gd α=1e-5"]


def test_names_add_what_tells_runs_of_one_method_and_rate_apart() -> None:
    x, y = sympy.symbols("x y", real=True)
    f = x**2 + 3 * y**2
    runs = [
        descend(f, (x, y), (1, 3), method="momentum", beta=0.5, steps=5),
        descend(f, (x, y), (1, 3), method="momentum", beta=0.9, steps=5),
        descend(f, (x, y), (1, 3), steps=5),
        descend(f, (x, y), (-2, 1), steps=5),
        descend(f, (x, y), (-2, 1), steps=5),
    ]
    names = run_names(runs)
    assert names == [
        "momentum α=0.001, β=0.5",
        "momentum α=0.001, β=0.9",
        "gd α=0.1, from (1, 3)",
        "gd α=0.1, from (-2, 1) (run 4)",
        "gd α=0.1, from (-2, 1) (run 5)",
    ]
    assert all(name.startswith(run_label(run)) for name, run in zip(names, runs))


def test_scene_labels_are_name_and_outcome(rosenbrock: tuple[Scene, Any]) -> None:
    scene, runs = rosenbrock
    assert [p.name for p in scene.paths] == [run_label(r) for r in runs]
    assert len({p.name for p in scene.paths}) == 9
    for path in scene.paths:
        assert path.label.startswith(path.name + ": ")


# ---------------------------------------------------------------------------
# colours, legend entries and draw order


def test_one_legend_entry_and_one_colour_per_run(rosenbrock: tuple[Scene, Any]) -> None:
    scene, _ = rosenbrock
    figure = build_figure(scene, dpi=50)
    legend = _panel(figure).get_legend()
    # long entries are broken into lines, so that the legend stays as wide as the panel
    labels = [" ".join(t.get_text().split()) for t in legend.get_texts()]
    assert labels == [p.label for p in scene.paths]
    assert len(set(labels)) == len(labels) == 9
    colours = [h.get_color() for h in legend.legend_handles]
    assert len(set(colours)) == 9
    # no other legend names a run: the map's lists only markers
    map_labels = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert map_labels == ["start", "end", "leaves the window"]
    # each run's path on the map is drawn in its legend colour, and only its path
    ax = figure.axes[0]
    for path, colour in zip(scene.paths, colours):
        for piece in path.pieces:
            (line,) = [
                line for line in ax.get_lines()
                if tuple(zip(line.get_xdata(), line.get_ydata())) == piece
            ]  # fmt: skip
            assert line.get_color() == colour


def test_more_runs_than_colours_get_line_styles() -> None:
    f = parse_function(SEED)
    runs = compare(f.expr, f.variables, (1, 3), lrs=tuple(0.05 * k for k in range(1, 13)), steps=30)
    scene = build_scene(f, runs=runs, **FAST)
    styles = run_styles(scene.paths, scene.window)
    assert [s.colour for s in styles[:10]] == list(RUN_COLOURS)
    assert len({(s.colour, s.dashes) for s in styles}) == 12
    legend = _panel(build_figure(scene, dpi=50)).get_legend()
    assert len({(h.get_color(), h.get_linestyle()) for h in legend.legend_handles}) == 12
    # so many runs are named without their outcomes
    assert [t.get_text() for t in legend.get_texts()] == [p.name for p in scene.paths]


def test_longer_paths_are_drawn_first_and_wider() -> None:
    scene = _seed()
    lengths = [
        sum(math.dist(a, b) for piece in p.pieces for a, b in pairwise(piece)) for p in scene.paths
    ]
    styles = run_styles(scene.paths, scene.window)
    by_length = sorted(range(3), key=lambda i: -lengths[i])
    assert [styles[i].zorder for i in by_length] == sorted(s.zorder for s in styles)
    assert [styles[i].width for i in by_length] == sorted((s.width for s in styles), reverse=True)
    # the two converged runs end at the minimum: the star below is the bigger one
    ended = sorted((s.zorder, s.end_size) for s, p in zip(styles, scene.paths) if p.end)
    assert len(ended) == 2 and ended[0][1] > ended[1][1]


# ---------------------------------------------------------------------------
# nothing cut off, nothing hidden


def _log_xy() -> Scene:
    return build_scene(parse_function("log(x*y)"), **FAST)


def _one_variable() -> Scene:
    f = parse_function("x^4-3x^2+x")
    return build_scene(f, runs=compare(f.expr, f.variables, (2,)), **FAST)


def _three_methods() -> Scene:
    """gd, momentum and Adam on Rosenbrock's function, each at its own rate."""
    f = parse_function(ROSENBROCK)
    runs = [
        run
        for method, lr in (("gd", 0.001), ("momentum", 0.0005), ("adam", 0.01))
        for run in compare(f.expr, f.variables, (-1.5, 2), methods=(method,), lrs=(lr,), steps=3000)
    ]
    return build_scene(f, runs=runs)


_FIGURES = [_log_xy, _seed, _one_variable, _three_methods]
_NAMES = ["log", "seed", "curve", "three"]


@pytest.mark.parametrize("dpi", [50, 150])
@pytest.mark.parametrize("make", _FIGURES, ids=_NAMES)
def test_every_text_lies_inside_the_figure(make: Any, dpi: int) -> None:
    figure = build_figure(make(), dpi=dpi)
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    box = figure.bbox
    for text in _texts(figure):
        extent = text.get_window_extent(renderer)
        assert box.x0 - 1 <= extent.x0 and extent.x1 <= box.x1 + 1, text.get_text()
        assert box.y0 - 1 <= extent.y0 and extent.y1 <= box.y1 + 1, text.get_text()


def _nine() -> Scene:
    return _nine_runs()[0]


@pytest.mark.parametrize(
    "make", [_log_xy, _seed, _three_methods, _nine], ids=["log", "seed", "three", "nine"]
)
def test_no_text_behind_a_colour_bar_and_no_labels_overlap(make: Any) -> None:
    figure = build_figure(make(), dpi=100)
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    bars = _colour_bars(figure)
    assert len(bars) == 2
    for text in _texts(figure):
        extent = text.get_window_extent(renderer)
        for bar in bars:
            if text.axes is not bar:
                assert not _overlap(bar.bbox, extent), text.get_text()
    placed = [(t, t.get_window_extent(renderer)) for t in _layout_texts(figure)]
    for (a, box_a), (b, box_b) in combinations(placed, 2):
        assert not _overlap(box_a, box_b), (a.get_text(), b.get_text())
    # the bars stand beside the map, as tall as it
    ax = figure.axes[0].get_position()
    for bar in bars:
        position = bar.get_position()
        assert position.x0 > ax.x1
        assert position.y0 == pytest.approx(ax.y0) and position.y1 == pytest.approx(ax.y1)
    assert {bar.yaxis.label.get_text() for bar in bars} == {
        "f(x, y)",
        r"$|\nabla f|$, the arrows' colour",
    }


# ---------------------------------------------------------------------------
# the panel of f(θ_k): f − f* when f* is known, diverged runs cut


def test_converged_runs_give_f_star_and_a_log_gap() -> None:
    scene = _seed()
    shown = scene.progress
    assert shown is not None
    converged = [r.values[-1] for r in scene.runs if r.stop_reason == "converged"]
    assert len(converged) == 2 and shown.reference == min(converged)
    assert shown.scale == scene.values_scale == "log"
    assert shown.label == "f − f*,  f* ≈ 0 (the best converged value)"
    assert shown.floor is not None
    for run, line in zip(scene.runs[:2], shown.lines[:2]):
        assert line.steps == tuple(range(len(run.values)))
        for height, value in zip(line.heights, run.values):
            assert height == max(value - shown.reference, shown.floor)
    figure = build_figure(scene, dpi=50)
    panel = _panel(figure)
    assert panel.get_yscale() == "log"
    assert panel.get_ylabel().startswith("f − f*")


def test_a_diverged_run_is_cut_where_it_leaves_and_marked() -> None:
    scene = _seed()
    shown = scene.progress
    assert shown is not None and shown.reference is not None
    reference = shown.reference
    line, run = shown.lines[2], scene.runs[2]
    assert run.diverged and line.exit is not None and line.exit_step is not None
    top = shown.ylim[1]
    assert line.exit[1] == top
    assert max(line.heights) <= top
    # the run's own values: inside up to the exit, beyond it at the exit step
    assert run.values[line.exit_step] - reference > top
    assert all(v - reference <= top for v in run.values[: line.exit_step])
    # the panel's top is a few decades above the other runs, not the 10^13 the run reached
    others = max(v - reference for r in scene.runs[:2] for v in r.values)
    assert top <= others * 1e6
    panel = _panel(build_figure(scene, dpi=50))
    assert panel.get_ylim()[1] == pytest.approx(top)
    assert any(t.get_text() == f"leaves, k={line.exit_step}" for t in panel.texts)


def test_without_a_converged_run_the_panel_shows_f(rosenbrock: tuple[Scene, Any]) -> None:
    scene, runs = rosenbrock
    assert not any(r.stop_reason.value == "converged" for r in runs)
    shown = scene.progress
    assert shown is not None and shown.reference is None
    assert shown.scale == "log" and shown.label == r"$f(\theta_k)$"
    # the two diverged runs leave through the top, which stays near the others' values
    exits = [line for line, r in zip(shown.lines, runs) if r.diverged]
    assert len(exits) == 2 and all(line.exit is not None for line in exits)
    highest = max(v for r in runs if not r.diverged for v in r.values)
    assert shown.ylim[1] <= highest * 1e4


def _run(values: tuple[float, ...], stop: str = "converged", ascent: bool = False) -> Run:
    return Run(
        label="r", method="gd", lr=0.1, stop_reason=stop, oscillating=False,
        diverged=stop == "diverged", ascent=ascent, name="r",
        coords=((0.0,),) * len(values), values=values,
    )  # fmt: skip


def test_f_star_is_refused_when_a_run_goes_below_it() -> None:
    shown = progress([_run((5.0, 2.0, 1.0)), _run((5.0, 0.5, 0.1), "max_steps")])
    assert shown.reference is None and shown.label == r"$f(\theta_k)$"


def test_f_star_from_the_lowest_local_minimum_found() -> None:
    marks = [CriticalMark((0.0, 0.0), "local min", 0.5), CriticalMark((1.0, 1.0), "saddle", -4)]
    shown = progress([_run((9.0, 3.0, 1.0), "max_steps")], marks)
    assert shown.reference == 0.5
    assert shown.label == "f − f*,  f* ≈ 0.5 (the lowest local minimum found)"
    assert shown.lines[0].heights == (8.5, 2.5, 0.5)


def test_ascent_shows_f_star_minus_f() -> None:
    shown = progress([_run((-9.0, -3.0, -1.0), ascent=True)])
    assert shown.reference == -1.0 and shown.label.startswith("f* − f,")
    assert shown.lines[0].heights[:2] == (8.0, 2.0)


def test_a_run_that_diverges_downwards_leaves_through_the_bottom() -> None:
    shown = progress([_run((1.0, 0.5, 0.2), "max_steps"), _run((1.0, -5.0, -1e9), "diverged")])
    line = shown.lines[1]
    assert shown.reference is None and shown.scale == "linear"
    assert line.exit is not None and line.exit[1] == shown.ylim[0] > -1e9
