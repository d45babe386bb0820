"""Tests for gradcli.plot.scene (and its geometry): the picture's numbers, without matplotlib.

Each scene is checked against an oracle that is not the scene's code: ∇f by
sympy's diff, by central finite differences and by ``gradcli grad``'s own
answer; the paths against ``descend``'s trajectories; the grid against f
evaluated directly. Nothing here imports matplotlib, and a subprocess proves
that building a whole scene does not either.
"""

from __future__ import annotations

import math
import subprocess
import sys
from typing import Any

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from gradcli.calculus import gradient
from gradcli.descent import compare
from gradcli.errors import DimensionError, InputError, UndefinedError
from gradcli.limits import Limits
from gradcli.parse import parse_function, parse_point
from gradcli.plot import geometry
from gradcli.plot.scene import ContourMap, Curve, Scene, build_scene, read_point

SEED = "x**2+y**2+x*y"
HIMMELBLAU = "(x^2+y-11)^2+(x+y^2-7)^2"
FAST: dict[str, Any] = {"grid": 40}


def _on_edge(point: tuple[float, ...], window: tuple[float, ...]) -> bool:
    x0, x1, y0, y1 = window
    edge = min(abs(point[0] - x0), abs(point[0] - x1), abs(point[1] - y0), abs(point[1] - y1))
    return _inside(point, window) and edge < 1e-9


def _inside(point: tuple[float, ...], window: tuple[float, ...]) -> bool:
    x0, x1, y0, y1 = window
    return x0 - 1e-9 <= point[0] <= x1 + 1e-9 and y0 - 1e-9 <= point[1] <= y1 + 1e-9


def _seed_scene(**options: Any) -> tuple[Scene, Any]:
    f = parse_function(SEED)
    runs = compare(f.expr, f.variables, parse_point("1,3", f), lrs=(0.1, 0.6, 0.7))
    return build_scene(f, at=parse_point("1,3", f), runs=runs, **{**FAST, **options}), runs


@pytest.fixture(scope="module")
def seed() -> tuple[Scene, Any]:
    return _seed_scene()


# ---------------------------------------------------------------------------
# the seed example: arrow, grid, levels, window, paths


def test_seed_arrow_at_p_is_the_gradient(seed: tuple[Scene, Any]) -> None:
    scene, _ = seed
    assert scene.kind == "contour" and scene.axes == ("x", "y")
    assert scene.point == scene.at == (1.0, 3.0)
    # ∂/∂x (x² + y² + xy) = 2x + y = 5 and ∂/∂y = x + 2y = 7 at (1, 3)
    assert scene.arrow == scene.gradient == (5.0, 7.0)
    assert scene.gradient_text == "(5, 7)"
    assert scene.value_at == 13.0
    pointer = scene.pointer
    assert pointer is not None and pointer.start == (1.0, 3.0)
    dx, dy = pointer.end[0] - 1.0, pointer.end[1] - 3.0
    assert dx * 7 - dy * 5 == pytest.approx(0, abs=1e-12)
    assert dx > 0 and dy > 0
    # a share of the window, not |∇f|
    side = min(scene.window[1] - scene.window[0], scene.window[3] - scene.window[2])
    assert math.hypot(dx, dy) == pytest.approx(0.2 * side)
    # the level curve's tangent is perpendicular to ∇f, and a unit vector
    assert pointer.tangent[0] * 5 + pointer.tangent[1] * 7 == pytest.approx(0, abs=1e-12)
    assert math.hypot(*pointer.tangent) == pytest.approx(1)


def test_seed_grid_is_f_on_the_window(seed: tuple[Scene, Any]) -> None:
    scene, _ = seed
    surface = scene.surface
    assert isinstance(surface, ContourMap)
    x, y = surface.grid_x, surface.grid_y
    assert surface.values.shape == (40, 40)
    assert x[0, 0] == scene.window[0] and x[0, -1] == scene.window[1]
    assert y[0, 0] == scene.window[2] and y[-1, 0] == scene.window[3]
    np.testing.assert_allclose(surface.values, x**2 + y**2 + x * y, rtol=1e-14, atol=1e-14)
    # the level curve through P is drawn at f(P)
    assert surface.level_at_p == 13.0


def test_seed_window_is_square_around_p_and_the_converging_paths(
    seed: tuple[Scene, Any],
) -> None:
    scene, runs = seed
    x0, x1, y0, y1 = scene.window
    assert x1 - x0 == pytest.approx(y1 - y0)
    assert scene.equal_aspect
    assert _inside((1.0, 3.0), scene.window)
    for run in runs[:2]:
        assert all(_inside(p, scene.window) for p in run.points)
    assert scene.pointer is not None and _inside(scene.pointer.end, scene.window)
    # on round numbers
    assert all(float(v) == round(v * 2) / 2 for v in scene.window)


def test_seed_contour_levels_span_the_values_on_the_window(seed: tuple[Scene, Any]) -> None:
    scene, _ = seed
    x0, x1, y0, y1 = scene.window
    highest = max(a * a + b * b + a * b for a in (x0, x1) for b in (y0, y1))
    low, high = scene.value_range
    assert 0 <= low < 0.05  # the minimum (0, 0) is in the window
    assert high == pytest.approx(highest, rel=1e-9)
    assert (scene.levels[0], scene.levels[-1]) == (low, high)
    assert list(scene.levels) == sorted(set(scene.levels))
    assert len(scene.levels) >= 8
    assert scene.undefined_share == 0


def test_seed_field_arrows_point_along_the_gradient(seed: tuple[Scene, Any]) -> None:
    scene, _ = seed
    assert isinstance(scene.surface, ContourMap)
    field = scene.surface.field
    assert field is not None
    assert len(field.x) == 17 * 17  # ∇f = 0 only at (0, 0), not a grid point here
    gx, gy = 2 * field.x + field.y, field.x + 2 * field.y
    size = np.hypot(gx, gy)
    np.testing.assert_allclose(field.size, size, rtol=1e-12)
    np.testing.assert_allclose(field.u, gx / size, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(field.v, gy / size, rtol=1e-12, atol=1e-12)
    # grid points are cell centres; over 100× in |∇f| the colours are logarithmic
    assert field.x.min() > scene.window[0] and field.x.max() < scene.window[1]
    assert field.log == (size.max() / size.min() > 100)


def test_seed_paths_are_descends_trajectories(seed: tuple[Scene, Any]) -> None:
    scene, runs = seed
    assert [p.lr for p in scene.paths] == [0.1, 0.6, 0.7]
    assert [p.stop_reason for p in scene.paths] == ["converged", "converged", "diverged"]
    assert [p.oscillating for p in scene.paths] == [False, True, True]
    for drawn, run in zip(scene.paths[:2], runs[:2]):
        assert drawn.points == run.points
        assert drawn.exits == ()
        assert drawn.start == (1.0, 3.0)
        assert drawn.end == run.final_point
        assert drawn.values == run.values
    # and the panel of f(θ_k) holds every run's values, in order
    assert [r.values for r in scene.runs] == [r.values for r in runs]
    assert scene.values_scale == "log"


def test_seed_diverging_path_is_clipped_where_it_leaves(seed: tuple[Scene, Any]) -> None:
    scene, runs = seed
    drawn, run = scene.paths[2], runs[2]
    assert drawn.exits, "the diverging path must leave the window"
    assert drawn.end is None
    first = drawn.exit_steps[0]
    assert drawn.pieces[0][:-1] == run.points[:first]
    assert drawn.pieces[0][-1] == drawn.exits[0]
    assert _on_edge(drawn.exits[0], scene.window)
    assert not _inside(run.points[first], scene.window)
    assert all(_inside(p, scene.window) for p in drawn.points)
    assert all(_on_edge(p, scene.window) for p in drawn.exits)
    assert "diverged" in drawn.label


def test_seed_title(seed: tuple[Scene, Any]) -> None:
    scene, _ = seed
    assert scene.title_tex == "$f(x, y) = x^{2} + x y + y^{2}$"
    assert scene.title_plain == "f(x, y) = x² + x·y + y²"
    assert scene.title_suffix == ""


# ---------------------------------------------------------------------------
# ∇f at P against independent oracles


def test_arrow_is_what_gradcli_grad_says() -> None:
    text = "(x^2+1)/(y^2+1)+y^2"  # a squared denominator: issue 12's wrong descent
    scene = build_scene(parse_function(text), at="1,1", **FAST)
    answer = gradient(text, at="1,1").at
    assert answer is not None
    assert scene.gradient == answer.value_float == (1.0, 1.0)
    assert scene.value_at == answer.function_value_float


_TRICKY = ["(x^2+1)/(y^2+1)+y^2", "log(1+exp(x))+y^2", "sin(x*y)+x/(1+y^2)", "x^3*y-exp(-x)*y"]


@settings(max_examples=25, deadline=None)
@given(
    st.sampled_from(_TRICKY),
    st.integers(-20, 20).map(lambda k: k / 10),
    st.integers(-20, 20).map(lambda k: k / 10),
)
def test_arrow_agrees_with_sympy_diff_and_finite_differences(text: str, a: float, b: float) -> None:
    f = parse_function(text)
    x, y = f.variables
    scene = build_scene(f, at=(a, b), window=(-3, 3, -3, 3), grid=10)
    exact_point = {x: sympy.Rational(str(a)), y: sympy.Rational(str(b))}
    expected = [float(sympy.diff(f.expr, v).xreplace(exact_point).evalf(30)) for v in (x, y)]
    assert scene.gradient == pytest.approx(expected, rel=1e-12, abs=1e-12)
    numeric = sympy.lambdify((x, y), f.expr, "math")
    h = 1e-6
    central = [
        (numeric(a + h, b) - numeric(a - h, b)) / (2 * h),
        (numeric(a, b + h) - numeric(a, b - h)) / (2 * h),
    ]
    assert scene.gradient == pytest.approx(central, rel=1e-5, abs=1e-5)


def test_a_decimal_point_is_read_exactly_whatever_its_type() -> None:
    f = parse_function("x*y")
    x, y = f.variables
    as_text = read_point(f, "0.1, 0.3", limits=Limits())
    assert read_point(f, (0.1, 0.3), limits=Limits()) == as_text
    assert read_point(f, {"y": 0.3, "x": 0.1}, limits=Limits()) == as_text
    assert as_text == {x: sympy.Rational(1, 10), y: sympy.Rational(3, 10)}
    scene = build_scene(f, at=(0.1, 0.3), **FAST)
    assert scene.gradient_text == "(3/10, 1/10)"


# ---------------------------------------------------------------------------
# critical points, undefined regions, windows


def test_himmelblau_marks_its_nine_critical_points_by_kind() -> None:
    f = parse_function(HIMMELBLAU)
    scene = build_scene(f, critical=True, **FAST)
    kinds = sorted(m.kind for m in scene.critical)
    assert kinds == ["local max"] + ["local min"] * 4 + ["saddle"] * 4
    minima = {(round(m.point[0], 6), round(m.point[1], 6)) for m in scene.critical}
    assert (3.0, 2.0) in minima
    maximum = next(m for m in scene.critical if m.kind == "local max")
    assert maximum.point == pytest.approx((-0.270845, -0.923039), abs=1e-6)
    # each mark is a zero of ∇f (sympy's diff, evaluated at the mark)
    x, y = f.variables
    for mark in scene.critical:
        at = {x: mark.point[0], y: mark.point[1]}
        assert all(abs(float(sympy.diff(f.expr, v).subs(at))) < 1e-8 for v in (x, y))
    assert all(_inside(m.point, scene.window) for m in scene.critical)
    # many decades of f: the levels crowd towards the valleys
    levels = scene.levels
    assert levels[1] - levels[0] < (levels[-1] - levels[-2]) / 10


def test_undefined_region_is_left_blank() -> None:
    scene = build_scene(parse_function("sqrt(1 - x^2 - y^2)"), window=(-2, 2, -2, 2), **FAST)
    assert scene.undefined_share == pytest.approx(1 - math.pi / 16, abs=0.05)
    assert scene.value_range[0] >= 0 and scene.value_range[1] <= 1
    assert isinstance(scene.surface, ContourMap)
    assert np.isnan(scene.surface.values[0, 0])  # the corner (-2, -2)
    assert any("undefined" in note for note in scene.notes)


def test_undefined_everywhere_is_a_math_error() -> None:
    with pytest.raises(UndefinedError, match="undefined everywhere"):
        build_scene(parse_function("log(-x^2 - y^2 - 1)"), **FAST)


def test_a_pole_does_not_swamp_the_colour_range() -> None:
    scene = build_scene(parse_function("1/(x^2 + y^2)"), window=(-1, 1, -1, 1), grid=41)
    assert scene.levels[-1] < scene.value_range[1] / 4
    assert isinstance(scene.surface, ContourMap) and scene.surface.extend == "max"


def test_given_window_is_the_axis_limits() -> None:
    f = parse_function(SEED)
    runs = compare(f.expr, f.variables, (1, 3), lrs=(0.6,))
    scene = build_scene(f, runs=runs, window=(-1, 2, 0, 4), **FAST)
    assert scene.window == (-1.0, 2.0, 0.0, 4.0)
    (drawn,) = scene.paths
    assert drawn.exits and drawn.exit_steps[0] == 1
    assert _on_edge(drawn.exits[0], scene.window)


def test_no_point_no_paths_gives_a_default_window() -> None:
    scene = build_scene(parse_function("x*y"), **FAST)
    assert scene.window == (-5.0, 5.0, -5.0, 5.0)
    assert scene.arrow is None and scene.pointer is None and scene.paths == ()
    assert scene.values_scale is None


def test_critical_point_at_p_draws_no_arrow() -> None:
    scene = build_scene(parse_function("x^2 - y^2"), at=(0, 0), **FAST)
    assert scene.arrow == (0.0, 0.0)
    assert scene.pointer is None
    assert any("critical point" in note for note in scene.notes)


# ---------------------------------------------------------------------------
# one variable, slices, parameters


def test_one_variable_curve_with_tangent_and_path() -> None:
    f = parse_function("x^3 - 3x")
    runs = compare(f.expr, f.variables, (2,), lrs=(0.05,))
    scene = build_scene(f, at=(2,), runs=runs, **FAST)
    assert scene.kind == "curve"
    assert scene.arrow == (9.0,)  # 3x² − 3 at 2
    assert scene.value_at == 2.0
    assert scene.pointer is not None
    assert scene.pointer.tangent == pytest.approx((1 / math.sqrt(82), 9 / math.sqrt(82)))
    surface = scene.surface
    assert isinstance(surface, Curve)
    np.testing.assert_allclose(surface.values, surface.xs**3 - 3 * surface.xs, atol=1e-12)
    np.testing.assert_allclose(surface.slopes, 3 * surface.xs**2 - 3, atol=1e-12)
    assert surface.tangent_line is not None
    (lx0, ly0), (lx1, ly1) = surface.tangent_line
    assert (ly1 - ly0) / (lx1 - lx0) == pytest.approx(9.0)
    (drawn,) = scene.paths
    assert drawn.points == tuple(zip((p[0] for p in runs[0].points), runs[0].values))
    assert drawn.end == pytest.approx((1.0, -2.0), abs=1e-6)


def test_a_curve_with_a_pole_has_a_finite_value_range() -> None:
    scene = build_scene(parse_function("1/x"), at=(0.5,), **FAST)
    assert all(math.isfinite(v) for v in scene.value_range)
    assert scene.window[2] < -2 < 2 < scene.window[3]
    surface = scene.surface
    assert isinstance(surface, Curve)
    # the far tails of the pole are cut, so that +∞ is not joined to −∞
    shown = surface.values[np.isfinite(surface.values)]
    assert shown.max() <= scene.window[3] + 10 * (scene.window[3] - scene.window[2])


def test_three_variables_slice_through_p() -> None:
    f = parse_function("x^2 + 2y^2 + 3z^2 + x*z")
    scene = build_scene(f, at=(1, 1, 1), slice_vars=("x", "z"), critical=True, **FAST)
    assert scene.axes == ("x", "z")
    assert scene.fixed == (("y", 1.0),)
    assert scene.gradient == (3.0, 4.0, 7.0)
    assert scene.arrow == (3.0, 7.0)
    assert "y = 1 fixed" in scene.title_suffix
    assert scene.critical == ()  # (0, 0, 0) is off the slice y = 1
    assert any("off this slice" in note for note in scene.notes)
    # the grid is f with y = 1 put in
    assert isinstance(scene.surface, ContourMap)
    x, z = scene.surface.grid_x, scene.surface.grid_y
    np.testing.assert_allclose(scene.surface.values, x**2 + 2 + 3 * z**2 + x * z, rtol=1e-13)


def test_slice_needs_a_point() -> None:
    with pytest.raises(InputError, match="--at"):
        build_scene(parse_function("x*y*z"), **FAST)


def test_parameters_take_their_values_from_at() -> None:
    f = parse_function("a*x^2 + y^2", variables=["x", "y"])
    scene = build_scene(f, at=parse_point("x=1, y=1, a=3", f), **FAST)
    assert scene.arrow == (6.0, 2.0)
    assert scene.title_suffix == ", a = 3"
    with pytest.raises(InputError, match="parameters"):
        build_scene(f, at=parse_point("1, 1", f), **FAST)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"window": (1, 0, 0, 1)}, InputError, "xmin < xmax"),
        ({"window": (0, 1)}, InputError, "4 numbers"),
        ({"window": (0, 1, 0, math.inf)}, InputError, "finite"),
        ({"slice_vars": ("x", "y")}, InputError, "three or more"),
        ({"grid": 5}, InputError, "10 to 2000"),
        ({"at": (1, 2, 3)}, DimensionError, "coordinates"),
        ({"at": {"x": 1, "q": 2}}, InputError, "not a variable"),
    ],
)
def test_bad_requests(options: dict[str, Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        build_scene(parse_function("x*y"), **options)


# ---------------------------------------------------------------------------
# geometry


_coordinate = st.floats(min_value=-20, max_value=20, allow_nan=False)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_coordinate, _coordinate), min_size=1, max_size=12))
def test_clipped_paths_stay_in_the_window_and_keep_inside_points(
    coords: list[tuple[float, float]],
) -> None:
    window = (-5.0, 5.0, -3.0, 4.0)
    pieces, exits, steps = geometry.clip_path(coords, window)
    drawn = [p for piece in pieces for p in piece]
    assert all(_inside(p, window) for p in drawn)
    assert all(_on_edge(p, window) for p in exits)
    assert len(exits) == len(steps) and list(steps) == sorted(steps)
    for point in coords:
        if _inside(point, window):
            assert point in drawn
    # each exit lies on the segment from the step before to the step that left
    for exit_point, k in zip(exits, steps):
        (ax, ay), (bx, by) = coords[k - 1], coords[k]
        cross = (bx - ax) * (exit_point[1] - ay) - (by - ay) * (exit_point[0] - ax)
        assert abs(cross) <= 1e-9 * (1 + abs(bx - ax) + abs(by - ay)) ** 2


@settings(max_examples=100, deadline=None)
@given(st.floats(-1e6, 1e6, allow_nan=False), st.floats(1e-6, 1e6, allow_nan=False))
def test_auto_range_holds_its_values_with_room(centre: float, spread: float) -> None:
    values = [centre - spread / 2, centre + spread / 2]
    lo, hi = geometry.auto_range(values)
    assert lo <= values[0] and values[1] <= hi
    assert hi - lo >= 1.3 * spread - 1e-9 * abs(centre)


# ---------------------------------------------------------------------------
# no matplotlib


def test_scene_modules_do_not_import_matplotlib() -> None:
    """A whole scene (P, descents, critical points) is built without matplotlib."""
    code = (
        "import sys\n"
        "from gradcli.plot.scene import build_scene\n"
        "from gradcli.parse import parse_function\n"
        "from gradcli.descent import compare\n"
        "f = parse_function('x^3 - 3*x + y^2')\n"
        "runs = compare(f.expr, f.variables, (2, 1), lrs=(0.05,))\n"
        "scene = build_scene(f, at='2,1', runs=runs, critical=True, grid=20)\n"
        "assert scene.arrow == (9.0, 2.0), scene.arrow\n"
        "assert 'matplotlib' not in sys.modules, 'the scene imported matplotlib'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
