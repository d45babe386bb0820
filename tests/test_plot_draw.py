"""Tests for gradcli.plot.draw, plot_function and ``gradcli plot``: the figure and the file.

The numbers of a picture are tested in test_plot_scene.py; here the
matplotlib figure itself is checked against its PlotSummary (axis limits,
path lines, the ∇f arrow, legend entries, one colour per run), files by
their magic bytes, and the command line by its output. Small grids and dpi
50 keep it fast.
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gradcli.plot.draw as drawing
from gradcli.descent import compare, descend
from gradcli.errors import InputError
from gradcli.parse import parse_function, parse_point
from gradcli.plot import PlotSummary, geometry, plot_function
from tests.conftest import invoke

SEED = "x**2+y**2+x*y"
HIMMELBLAU = "(x^2+y-11)^2+(x+y^2-7)^2"
FAST: dict[str, Any] = {"dpi": 50, "grid": 40}
ROOT = Path(__file__).resolve().parent.parent

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


def _seed_figure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[PlotSummary, Any, Any]:
    """The seed picture, its runs, and the matplotlib figure (not written)."""
    figures: list[Any] = []
    monkeypatch.setattr(drawing, "_save", lambda figure, *args: figures.append(figure))
    f = parse_function(SEED)
    runs = compare(f.expr, f.variables, parse_point("1,3", f), lrs=(0.1, 0.6, 0.7))
    summary = plot_function(
        f, path=tmp_path / "seed.png", at=parse_point("1,3", f), runs=runs, **FAST
    )
    (figure,) = figures
    return summary, runs, figure


def _values_panel(figure: Any) -> Any:
    """The panel of f(θ_k) (or f − f*) against k."""
    return next(a for a in figure.axes if a.get_xlabel() == "step k")


# ---------------------------------------------------------------------------
# the figure


def test_seed_artists_match_the_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The matplotlib figure itself: axis limits, path lines, the ∇f arrow."""
    summary, runs, figure = _seed_figure(tmp_path, monkeypatch)
    assert summary.arrow == (5.0, 7.0) and summary.gradient_text == "(5, 7)"
    ax = figure.axes[0]
    values_panel = _values_panel(figure)
    assert ax.get_xlim() == summary.xlim
    assert ax.get_ylim() == summary.ylim
    lines = [tuple(zip(line.get_xdata(), line.get_ydata())) for line in ax.get_lines()]
    for drawn in summary.paths:
        for piece in drawn.pieces:
            assert piece in lines
    arrows = [a for a in ax.texts if getattr(a, "arrow_patch", None) is not None]
    tips = {tuple(a.xy) for a in arrows}
    assert summary.arrow_end in tips
    # −∇f too: the tip mirrored through P
    assert summary.arrow_end is not None
    mirrored = (2 * 1.0 - summary.arrow_end[0], 2 * 3.0 - summary.arrow_end[1])
    assert any(math.dist(tip, mirrored) < 1e-12 for tip in tips)
    assert ax.get_aspect() == 1.0
    # two runs converged: the panel shows f − f*, f* the lower of their final values
    assert values_panel.get_yscale() == "log"
    reference = min(runs[0].final_value, runs[1].final_value)
    assert summary.values_reference == reference
    assert values_panel.get_ylabel().startswith("f − f*,  f* ≈ 0 (the best converged value)")
    plotted = [line.get_ydata() for line in values_panel.get_lines() if len(line.get_ydata()) > 2]
    gaps = [v - reference for v in runs[0].values]
    shown = [(h, g) for h, g in zip(plotted[0], gaps) if g > 1e-15]
    assert len(shown) > 150 and all(h == g for h, g in shown)
    assert figure._suptitle.get_text() == summary.title == "$f(x, y) = x^{2} + x y + y^{2}$"
    # the contour levels drawn are the summary's
    (filled,) = [c for c in ax.collections if hasattr(c, "levels") and len(c.levels) > 2][:1]
    assert tuple(filled.levels) == summary.levels


def test_seed_legends_and_one_colour_per_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary, _, figure = _seed_figure(tmp_path, monkeypatch)
    ax = figure.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [
        r"$\nabla f(P)$: steepest ascent",
        r"$-\nabla f(P)$: steepest descent",
        r"tangent, $\perp\ \nabla f$",
        "level curve through P",
        "start",
        "end",
        "leaves the window",
    ]
    values_panel = _values_panel(figure)
    panel_labels = [t.get_text() for t in values_panel.get_legend().get_texts()]
    assert panel_labels == [p.label for p in summary.paths]
    # each run has its own colour, the same on the map and in the panel
    colours = {}
    for drawn in summary.paths:
        (line,) = [
            line for line in ax.get_lines()
            if tuple(zip(line.get_xdata(), line.get_ydata())) == drawn.pieces[0]
        ]  # fmt: skip
        colours[drawn.label] = line.get_color()
    assert len(set(colours.values())) == len(summary.paths)
    for line in values_panel.get_lines():
        if line.get_label() in colours:
            assert line.get_color() == colours[line.get_label()]


def test_critical_points_are_marked_in_the_legend(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    figures: list[Any] = []
    monkeypatch.setattr(drawing, "_save", lambda figure, *args: figures.append(figure))
    summary = plot_function(
        parse_function(HIMMELBLAU), path=tmp_path / "h.png", critical=True, **FAST
    )
    (figure,) = figures
    labels = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert labels == ["local min", "local max", "saddle"]
    kinds = sorted(m.kind for m in summary.critical)
    assert kinds == ["local max"] + ["local min"] * 4 + ["saddle"] * 4
    scattered = np.concatenate([c.get_offsets() for c in figure.axes[0].collections
                                if c.__class__.__name__ == "PathCollection"])  # fmt: skip
    assert len(scattered) == 9
    for mark in summary.critical:
        assert np.min(np.hypot(*(scattered - np.array(mark.point)).T)) < 1e-12


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


def test_a_curve_is_drawn_with_its_derivative(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    figures: list[Any] = []
    monkeypatch.setattr(drawing, "_save", lambda figure, *args: figures.append(figure))
    summary = plot_function(parse_function("x^3 - 3x"), path=tmp_path / "c.png", at=(2,), **FAST)
    (figure,) = figures
    assert summary.kind == "curve" and summary.arrow == (9.0,)
    top, below = figure.axes[:2]
    assert top.get_xlim() == summary.xlim and top.get_ylim() == summary.ylim
    assert below.get_title() == "the derivative f'"
    xs, slopes = below.get_lines()[0].get_data()
    np.testing.assert_allclose(slopes, 3 * np.asarray(xs) ** 2 - 3, atol=1e-12)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"path": "f.jpg"}, "png, .svg or .pdf"),
        ({"dpi": 5}, "10 to 1200"),
        ({"dpi": True}, "10 to 1200"),
    ],
)
def test_bad_requests(tmp_path: Path, options: dict[str, Any], message: str) -> None:
    options = {"path": tmp_path / "f.png", **options}
    with pytest.raises(InputError, match=message):
        plot_function(parse_function("x*y"), **options)


def test_unwritable_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot write"):
        plot_function(parse_function("x*y"), path=tmp_path / "no" / "f.png", **FAST)


def test_title_falls_back_to_plain_text_when_mathtext_fails() -> None:
    assert drawing._mathtext_renders("$x^{2}$")
    assert not drawing._mathtext_renders(r"$\frac{x$")


@settings(max_examples=300, deadline=None)
@given(
    st.floats(-1e8, 1e8, allow_nan=False),
    st.floats(1e-9, 1e8, allow_nan=False),
    st.sampled_from([4, 9, 14]),
)
def test_levels_ticks_are_matplotlibs(lo: float, span: float, bins: int) -> None:
    """The scene chooses levels without matplotlib; they are MaxNLocator's."""
    from matplotlib.ticker import MaxNLocator

    hi = lo + span
    if not hi > lo:
        return
    expected = MaxNLocator(nbins=bins).tick_values(lo, hi)
    assert geometry.ticks(lo, hi, bins).tolist() == expected.tolist()


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
# the README's pictures


def test_readme_pictures_come_from_make_pictures() -> None:
    """Each picture command is an example in the manual, and its picture is shown there."""
    docs = ROOT / "docs"
    sys.path.insert(0, str(docs))
    try:
        import make_pictures
    finally:
        sys.path.remove(str(docs))
    pages = {page: page.read_text(encoding="utf-8") for page in docs.rglob("*.md")}
    for command in make_pictures.COMMANDS:
        # plot writes with -o, descend with --plot
        picture = re.split(r" (?:-o|--plot) ", command)[-1].split()[0]
        # a page of the manual shows the command and, below it, its picture
        assert any(
            command in re.findall(r"^\$ (gradcli .*)$", text, re.M)
            and re.search(rf"\]\((\.\./)?{re.escape(picture)}\)", text)
            for text in pages.values()
        ), command
        assert (docs / picture).read_bytes().startswith(PNG)
