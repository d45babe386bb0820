"""Tests for gradcli.plot and ``gradcli plot``: the figure's data, not just a file.

Each picture is checked through its PlotSummary (window, contour levels, the
arrow at P, each path as drawn against ``descend``'s trajectory, critical
points) and, for the seed example, through the matplotlib artists themselves.
Files are checked by their magic bytes. Small grids and dpi 50 keep it fast.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradcli import plot as plotting
from gradcli.descent import compare, descend
from gradcli.errors import DimensionError, InputError, UndefinedError
from gradcli.parse import parse_function, parse_point
from gradcli.plot import PlotSummary, plot_function
from tests.conftest import invoke

SEED = "x**2+y**2+x*y"
HIMMELBLAU = "(x^2+y-11)^2+(x+y^2-7)^2"
FAST: dict[str, Any] = {"dpi": 50, "grid": 40}

PNG = b"\x89PNG\r\n\x1a\n"


def _assert_picture(path: Path, fmt: str) -> None:
    data = path.read_bytes()
    assert len(data) > 1000
    if fmt == "png":
        assert data.startswith(PNG)
    elif fmt == "pdf":
        assert data.startswith(b"%PDF-")
        assert data.rstrip().endswith(b"%%EOF")
    else:
        assert b"<svg" in data[:2000]
        assert data.rstrip().endswith(b"</svg>")


def _seed(tmp_path: Path, name: str = "seed.png", **options: Any) -> tuple[PlotSummary, Any]:
    f = parse_function(SEED)
    start = parse_point("1,3", f)
    runs = compare(f.expr, f.variables, start, lrs=(0.1, 0.6, 0.7))
    summary = plot_function(
        f, path=tmp_path / name, at=parse_point("1,3", f), runs=runs, **{**FAST, **options}
    )
    return summary, runs


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> tuple[PlotSummary, Any]:
    return _seed(tmp_path_factory.mktemp("seed"))


def _on_edge(point: tuple[float, float], window: tuple[float, ...]) -> bool:
    x0, x1, y0, y1 = window
    inside = x0 - 1e-9 <= point[0] <= x1 + 1e-9 and y0 - 1e-9 <= point[1] <= y1 + 1e-9
    edge = min(abs(point[0] - x0), abs(point[0] - x1), abs(point[1] - y0), abs(point[1] - y1))
    return inside and edge < 1e-9


def _inside(point: tuple[float, ...], window: tuple[float, ...]) -> bool:
    x0, x1, y0, y1 = window
    return x0 - 1e-9 <= point[0] <= x1 + 1e-9 and y0 - 1e-9 <= point[1] <= y1 + 1e-9


# ---------------------------------------------------------------------------
# the seed example: arrow, level curve, three paths


def test_seed_arrow_at_p_is_the_gradient(seed: tuple[PlotSummary, Any]) -> None:
    summary, _ = seed
    assert summary.kind == "contour"
    assert summary.axes == ("x", "y")
    assert summary.point == summary.at == (1.0, 3.0)
    assert summary.arrow == (5.0, 7.0)
    assert summary.gradient_text == "(5, 7)"
    assert summary.value_at == 13.0
    # drawn from P along (5, 7), and the tangent is perpendicular to it
    assert summary.arrow_start == (1.0, 3.0)
    assert summary.arrow_end is not None and summary.tangent is not None
    dx, dy = summary.arrow_end[0] - 1.0, summary.arrow_end[1] - 3.0
    assert dx * 7 - dy * 5 == pytest.approx(0, abs=1e-12)
    assert dx > 0 and dy > 0
    assert summary.tangent[0] * 5 + summary.tangent[1] * 7 == pytest.approx(0, abs=1e-12)
    assert math.hypot(*summary.tangent) == pytest.approx(1)


def test_seed_window_is_square_around_p_and_the_converging_paths(
    seed: tuple[PlotSummary, Any],
) -> None:
    summary, runs = seed
    x0, x1, y0, y1 = summary.window
    assert x1 - x0 == pytest.approx(y1 - y0)
    assert _inside((1.0, 3.0), summary.window)
    for run in runs[:2]:
        assert all(_inside(p, summary.window) for p in run.points)
    # the arrow at P fits too
    assert summary.arrow_end is not None and _inside(summary.arrow_end, summary.window)


def test_seed_contour_levels_span_the_values_on_the_window(
    seed: tuple[PlotSummary, Any],
) -> None:
    summary, _ = seed
    x0, x1, y0, y1 = summary.window
    corners = [(a, b) for a in (x0, x1) for b in (y0, y1)]
    highest = max(a * a + b * b + a * b for a, b in corners)
    assert summary.value_range is not None
    low, high = summary.value_range
    assert 0 <= low < 0.05  # the minimum (0, 0) is in the window
    assert high == pytest.approx(highest, rel=1e-9)
    assert summary.levels_range == (low, high)
    assert list(summary.levels) == sorted(set(summary.levels))
    assert len(summary.levels) >= 8
    assert summary.undefined_share == 0


def test_seed_paths_are_descends_trajectories(seed: tuple[PlotSummary, Any]) -> None:
    summary, runs = seed
    assert [p.lr for p in summary.paths] == [0.1, 0.6, 0.7]
    assert [p.stop_reason for p in summary.paths] == ["converged", "converged", "diverged"]
    assert [p.oscillating for p in summary.paths] == [False, True, True]
    for drawn, run in zip(summary.paths[:2], runs[:2]):
        # wholly inside: every point drawn, exactly, with start and end marked
        assert drawn.points == run.points
        assert drawn.exits == ()
        assert drawn.start == (1.0, 3.0)
        assert drawn.end == run.final_point
        assert drawn.values == run.values


def test_seed_diverging_path_is_clipped_where_it_leaves(seed: tuple[PlotSummary, Any]) -> None:
    summary, runs = seed
    drawn, run = summary.paths[2], runs[2]
    assert drawn.exits, "the diverging path must leave the window"
    assert drawn.end is None
    first = drawn.exit_steps[0]
    # the points up to the step that leaves are the trajectory's, then the edge
    assert drawn.pieces[0][:-1] == run.points[:first]
    assert drawn.pieces[0][-1] == drawn.exits[0]
    assert _on_edge(drawn.exits[0], summary.window)
    assert not _inside(run.points[first], summary.window)
    for point in drawn.points:
        assert _inside(point, summary.window)
    for exit_point in drawn.exits:
        assert _on_edge(exit_point, summary.window)
    assert "diverged" in drawn.label


def test_seed_values_panel_uses_a_log_scale(seed: tuple[PlotSummary, Any]) -> None:
    summary, _ = seed
    assert summary.values_scale == "log"
    assert summary.title == "$f(x, y) = x^{2} + x y + y^{2}$"


def test_seed_artists_match_the_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The matplotlib figure itself: axis limits, path lines, the ∇f arrow."""
    figures: list[Any] = []
    monkeypatch.setattr(plotting, "_save", lambda figure, canvas: figures.append(figure))
    summary, runs = _seed(tmp_path)
    (figure,) = figures
    ax = figure.axes[0]
    values_panel = next(a for a in figure.axes if a.get_title().startswith("$f("))
    assert ax.get_xlim() == summary.xlim
    assert ax.get_ylim() == summary.ylim
    lines = [tuple(zip(line.get_xdata(), line.get_ydata())) for line in ax.get_lines()]
    for drawn in summary.paths:
        for piece in drawn.pieces:
            assert piece in lines
    arrows = [a for a in ax.texts if getattr(a, "arrow_patch", None) is not None]
    tips = {tuple(a.xy) for a in arrows}
    assert summary.arrow_end in tips
    assert ax.get_aspect() == 1.0
    assert values_panel.get_yscale() == "log"
    plotted = [line.get_ydata() for line in values_panel.get_lines() if len(line.get_ydata()) > 2]
    assert list(plotted[0]) == [v for v in runs[0].values if v > 0]
    assert figure._suptitle.get_text() == summary.title


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_files_are_valid_in_each_format(tmp_path: Path, fmt: str) -> None:
    f = parse_function("x*y")
    summary = plot_function(f, path=tmp_path / f"f.{fmt}", at=(1, 2), **FAST)
    assert summary.format == fmt
    _assert_picture(tmp_path / f"f.{fmt}", fmt)
    if fmt == "png":
        width, height = summary.size_px
        header = (tmp_path / "f.png").read_bytes()[16:24]
        assert (int.from_bytes(header[:4], "big"), int.from_bytes(header[4:], "big")) == (
            width,
            height,
        )


# ---------------------------------------------------------------------------
# critical points, undefined regions, windows


def test_himmelblau_marks_its_nine_critical_points_by_kind(tmp_path: Path) -> None:
    f = parse_function(HIMMELBLAU)
    summary = plot_function(f, path=tmp_path / "h.png", critical=True, **FAST)
    kinds = sorted(m.kind for m in summary.critical)
    assert kinds == ["local max"] + ["local min"] * 4 + ["saddle"] * 4
    minima = {(round(m.point[0], 6), round(m.point[1], 6)) for m in summary.critical}
    assert (3.0, 2.0) in minima
    maximum = next(m for m in summary.critical if m.kind == "local max")
    assert maximum.point == pytest.approx((-0.270845, -0.923039), abs=1e-6)
    assert all(_inside(m.point, summary.window) for m in summary.critical)
    # many decades of f: the levels crowd towards the valleys
    levels = summary.levels
    assert levels[1] - levels[0] < (levels[-1] - levels[-2]) / 10


def test_undefined_region_is_left_blank(tmp_path: Path) -> None:
    f = parse_function("sqrt(1 - x^2 - y^2)")
    summary = plot_function(f, path=tmp_path / "d.png", window=(-2, 2, -2, 2), **FAST)
    assert summary.undefined_share == pytest.approx(1 - math.pi / 16, abs=0.05)
    assert summary.value_range is not None
    assert summary.value_range[0] >= 0
    assert summary.value_range[1] <= 1
    assert any("undefined" in note for note in summary.notes)


def test_undefined_everywhere_is_a_math_error(tmp_path: Path) -> None:
    f = parse_function("log(-x^2 - y^2 - 1)")
    with pytest.raises(UndefinedError, match="undefined everywhere"):
        plot_function(f, path=tmp_path / "u.png", **FAST)


def test_a_pole_does_not_swamp_the_colour_range(tmp_path: Path) -> None:
    f = parse_function("1/(x^2 + y^2)")
    summary = plot_function(f, path=tmp_path / "p.png", window=(-1, 1, -1, 1), grid=41, dpi=50)
    assert summary.levels_range is not None and summary.value_range is not None
    assert summary.levels_range[1] < summary.value_range[1] / 4


def test_given_window_is_the_axis_limits(tmp_path: Path) -> None:
    f = parse_function(SEED)
    runs = compare(f.expr, f.variables, (1, 3), lrs=(0.6,))
    summary = plot_function(f, path=tmp_path / "w.png", runs=runs, window=(-1, 2, 0, 4), **FAST)
    assert summary.window == (-1.0, 2.0, 0.0, 4.0)
    (drawn,) = summary.paths
    assert drawn.exits and drawn.exit_steps[0] == 1
    assert _on_edge(drawn.exits[0], summary.window)


def test_no_point_no_paths_gives_a_default_window(tmp_path: Path) -> None:
    summary = plot_function(parse_function("x*y"), path=tmp_path / "d.png", **FAST)
    assert summary.window == (-5.0, 5.0, -5.0, 5.0)
    assert summary.arrow is None and summary.paths == ()


def test_critical_point_at_p_draws_no_arrow(tmp_path: Path) -> None:
    summary = plot_function(parse_function("x^2 - y^2"), path=tmp_path / "c.png", at=(0, 0), **FAST)
    assert summary.arrow == (0.0, 0.0)
    assert summary.arrow_end is None
    assert any("critical point" in note for note in summary.notes)


# ---------------------------------------------------------------------------
# one variable, slices, parameters


def test_one_variable_curve_with_tangent_and_path(tmp_path: Path) -> None:
    f = parse_function("x^3 - 3x")
    runs = compare(f.expr, f.variables, (2,), lrs=(0.05,))
    summary = plot_function(f, path=tmp_path / "c.png", at=(2,), runs=runs, **FAST)
    assert summary.kind == "curve"
    assert summary.arrow == (9.0,)
    assert summary.value_at == 2.0
    assert summary.tangent == pytest.approx((1 / math.sqrt(82), 9 / math.sqrt(82)))
    (drawn,) = summary.paths
    assert drawn.points == tuple(zip((p[0] for p in runs[0].points), runs[0].values))
    assert drawn.end == pytest.approx((1.0, -2.0), abs=1e-6)


def test_three_variables_slice_through_p(tmp_path: Path) -> None:
    f = parse_function("x^2 + 2y^2 + 3z^2 + x*z")
    summary = plot_function(
        f, path=tmp_path / "s.png", at=(1, 1, 1), slice_vars=("x", "z"), critical=True, **FAST
    )
    assert summary.axes == ("x", "z")
    assert summary.fixed == (("y", 1.0),)
    assert summary.gradient == (3.0, 4.0, 7.0)
    assert summary.arrow == (3.0, 7.0)
    assert "y = 1 fixed" in summary.title
    assert summary.critical == ()  # (0, 0, 0) is off the slice y = 1
    assert any("off this slice" in note for note in summary.notes)


def test_slice_needs_a_point(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--at"):
        plot_function(parse_function("x*y*z"), path=tmp_path / "s.png", **FAST)


def test_parameters_take_their_values_from_at(tmp_path: Path) -> None:
    f = parse_function("a*x^2 + y^2", variables=["x", "y"])
    summary = plot_function(f, path=tmp_path / "a.png", at=parse_point("x=1, y=1, a=3", f), **FAST)
    assert summary.arrow == (6.0, 2.0)
    assert summary.title.endswith(", a = 3")
    with pytest.raises(InputError, match="parameters"):
        plot_function(f, path=tmp_path / "b.png", at=parse_point("1, 1", f), **FAST)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"path": "f.jpg"}, InputError, "png, .svg or .pdf"),
        ({"window": (1, 0, 0, 1)}, InputError, "xmin < xmax"),
        ({"window": (0, 1)}, InputError, "4 numbers"),
        ({"slice_vars": ("x", "y")}, InputError, "three or more"),
        ({"dpi": 5}, InputError, "10 to 1200"),
        ({"at": (1, 2, 3)}, DimensionError, "coordinates"),
    ],
)
def test_bad_requests(
    tmp_path: Path, options: dict[str, Any], error: type[Exception], message: str
) -> None:
    options = {"path": tmp_path / "f.png", **options}
    with pytest.raises(error, match=message):
        plot_function(parse_function("x*y"), **options)


def test_unwritable_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot write"):
        plot_function(parse_function("x*y"), path=tmp_path / "no" / "f.png", **FAST)


def test_title_falls_back_to_plain_text_when_mathtext_fails() -> None:
    assert plotting._mathtext_renders("$x^{2}$")
    assert not plotting._mathtext_renders(r"$\frac{x$")


# ---------------------------------------------------------------------------
# clipping, as a property


_coordinate = st.floats(min_value=-20, max_value=20, allow_nan=False)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_coordinate, _coordinate), min_size=1, max_size=12))
def test_clipped_paths_stay_in_the_window_and_keep_inside_points(
    coords: list[tuple[float, float]],
) -> None:
    window = (-5.0, 5.0, -3.0, 4.0)
    pieces, exits, steps = plotting._clip_path(coords, window)
    drawn = [p for piece in pieces for p in piece]
    assert all(_inside(p, window) for p in drawn)
    assert all(_on_edge(p, window) for p in exits)
    assert len(exits) == len(steps) and list(steps) == sorted(steps)
    # every trajectory point inside the window is drawn as it is
    for point in coords:
        if _inside(point, window):
            assert point in drawn


# ---------------------------------------------------------------------------
# the command line


def test_cli_seed_example(tmp_path: Path) -> None:
    out = tmp_path / "seed.png"
    result = invoke(
        "plot", SEED, "--at", "1,3", "--descend-from", "1,3", "--lr", "0.1,0.6,0.7",
        "-o", str(out), "--dpi", "50",
    )  # fmt: skip
    assert result.exit_code == 0, result
    _assert_picture(out, "png")
    lines = result.stdout.splitlines()
    assert lines[0] == f"wrote {out} (png, 680×340 px)"
    assert "∇f(1, 3) = (5, 7)" in lines
    assert "gd α=0.1: converged in 179 steps" in lines
    assert "gd α=0.6: oscillating, converged in 93 steps" in lines
    assert lines[-1].startswith("gd α=0.7: oscillating, diverged after 146 steps; leaves")
    assert result.stderr.startswith("gradcli: warning: gd α=0.7 diverged at step 146")
    assert result.stderr.rstrip().endswith("gd is stable only for α < 2/3")


def test_cli_json_matches_descend(tmp_path: Path) -> None:
    out = tmp_path / "seed.svg"
    result = invoke(
        "plot", SEED, "--at", "1,3", "--descend-from", "1,3", "--lr", "0.1",
        "-o", str(out), "-f", "json", "--dpi", "50",
    )  # fmt: skip
    assert result.exit_code == 0, result
    data = result.json
    assert data["format"] == "svg" and data["arrow"] == [5.0, 7.0]
    f = parse_function(SEED)
    run = descend(f.expr, f.variables, (1, 3), lr=0.1)
    assert data["paths"][0]["points"] == [list(p) for p in run.points]
    assert data["levels_range"] == data["levels"][:1] + data["levels"][-1:]
    _assert_picture(out, "svg")


def test_cli_curve_slice_and_critical(tmp_path: Path) -> None:
    curve = invoke("plot", "x^3 - 3x", "--at", "2", "-o", str(tmp_path / "c.pdf"), "--dpi", "50")
    assert curve.exit_code == 0, curve
    assert "f'(2) = 9" in curve.stdout.splitlines()
    _assert_picture(tmp_path / "c.pdf", "pdf")
    sliced = invoke(
        "plot", "x^2 + 2y^2 + 3z^2", "--at", "1,1,1", "--slice", "x,z",
        "-o", str(tmp_path / "s.png"), "--dpi", "50",
    )  # fmt: skip
    assert sliced.exit_code == 0, sliced
    assert "slice: y = 1" in sliced.stdout.splitlines()
    assert "∇f(1, 1, 1) = (2, 4, 6)" in sliced.stdout.splitlines()
    himmelblau = invoke(
        "plot", HIMMELBLAU, "--critical", "-o", str(tmp_path / "h.png"), "--dpi", "50"
    )
    assert himmelblau.exit_code == 0, himmelblau
    assert himmelblau.stdout.splitlines()[-1] == (
        "critical points: 4 local min, 4 saddle, 1 local max"
    )


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["x*y", "-o", "f.gif"], 2, "end the file name in .png, .svg or .pdf"),
        (["x*y", "--lr", "0.1", "-o", "f.png"], 2, "need --descend-from"),
        (["x*y", "--range", "0,1", "-o", "f.png"], 2, "4 numbers"),
        (["x*y", "--descend-from", "1,1", "--method", "sgd", "-o", "f.png"], 2, "unknown method"),
        (["log(x*y)", "--at", "-1,1", "-o", "f.png"], 3, "not real"),
        (["x*y"], 2, "Missing option '--output'"),
    ],
)
def test_cli_errors(tmp_path: Path, args: list[str], code: int, message: str) -> None:
    args = [str(tmp_path / a) if a.startswith("f.") else a for a in args]
    result = invoke("plot", *args)
    assert result.exit_code == code, result
    assert message in result.stderr
    assert result.stdout == ""


def test_without_matplotlib_plot_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    result = invoke("plot", "x*y", "-o", str(tmp_path / "f.png"))
    assert result.exit_code == 2, result
    assert "pip install 'gradcli[plot]'" in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "f.png").exists()
    # every other command still works
    grad = invoke("grad", "x^2 + y^2", "--at", "1,2", "-f", "json")
    assert grad.exit_code == 0, grad
    assert grad.json["value"] == ["2", "4"]


# ---------------------------------------------------------------------------
# the README section is true


def _section_examples() -> list[tuple[str, str]]:
    from tests.test_readme import _examples

    section = Path(__file__).resolve().parent.parent / "docs" / "readme" / "plot.md"
    return _examples(section.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("command", "expected"), _section_examples())
def test_readme_section_examples(command: str, expected: str, tmp_path: Path) -> None:
    from tests.test_readme import _run

    assert _run(command, tmp_path) == expected


def test_readme_pictures_come_from_make_pictures() -> None:
    docs = Path(__file__).resolve().parent.parent / "docs"
    sys.path.insert(0, str(docs))
    try:
        import make_pictures
    finally:
        sys.path.remove(str(docs))
    shown = [command for command, _ in _section_examples()]
    for command in make_pictures.COMMANDS:
        assert command in shown
        picture = command.rsplit("-o ", 1)[1]
        assert f"](docs/{picture})" in (docs / "readme" / "plot.md").read_text(encoding="utf-8")
        assert (docs / picture).read_bytes().startswith(PNG)
