"""`gradcli descend` through the real command line: outputs, exit codes, errors."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradcli.formats.descent import FIRST_ROWS, LAST_ROWS, shown_rows
from gradcli.printing import decimal
from tests.conftest import Result, invoke
from tests.golden import assert_golden

SEED = ("descend", "x^2 + y^2 + xy", "--from", "1,3")
NOTE_XY = "gradcli: note: read 'xy' as x·y (a product of variables)\n"
ROSENBROCK = ("descend", "(1-x)^2 + 100(y-x^2)^2", "--from", "-1.5,2")
WIDTH = {"COLUMNS": "80"}


def run(*args: str, **kwargs: Any) -> Result:
    return invoke(*args, env={**WIDTH, **kwargs.pop("env", {})}, **kwargs)


def strict_json(text: str) -> Any:
    """JSON as a strict reader sees it: NaN or Infinity would be an error."""

    def refuse(name: str) -> None:
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def single(data: dict[str, Any]) -> dict[str, Any]:
    """A single run's JSON: the run's keys beside the document's (``runs`` holds one)."""
    [only] = data["runs"]
    return {**{k: v for k, v in data.items() if k != "runs"}, **only}


# ---------------------------------------------------------------------------
# golden files: the seed example at α = 0.1, five steps


@pytest.mark.parametrize("fmt", ["table", "plain", "json", "csv", "latex"])
def test_golden_seed(fmt: str) -> None:
    result = run(*SEED, "--lr", "0.1", "--steps", "5", "--format", fmt)
    assert result.exit_code == 0, result
    assert result.stderr == ("" if fmt == "json" else NOTE_XY)
    assert_golden(f"descend_seed.{fmt}", result.stdout)


def test_golden_seed_exact_latex() -> None:
    result = run(*SEED, "--lr", "0.1", "--steps", "2", "--exact", "--format", "latex")
    assert result.exit_code == 0, result
    assert_golden("descend_seed_exact.latex", result.stdout)


def test_golden_comparison_table() -> None:
    result = run(*SEED, "--lr", "0.01,0.1,0.5,0.7")
    assert result.exit_code == 0, result
    assert_golden("descend_compare.table", result.stdout)


# ---------------------------------------------------------------------------
# the "done when" list


def test_x_squared_exact_steps_are_powers_of_four_fifths() -> None:
    result = run("descend", "x^2", "--from", "1", "--lr", "0.1", "--exact", "--format", "json")
    assert result.exit_code == 0, result
    exact = single(result.json)["exact"]
    assert exact["points"] == [[f"{4**k}/{5**k}" if k else "1"] for k in range(11)]
    assert exact["values"][3] == f"{4**6}/{5**6}"
    table = invoke(
        "descend", "x^2", "--from", "1", "--lr", "1/10", "--exact", env={"COLUMNS": "200"}
    ).stdout
    assert "α = 0.1 = 1/10" in table
    for k in range(1, 11):
        assert re.search(rf"│\s+{k} │ {4**k}/{5**k}\s+│", table), k


def test_homework_two_steps_from_1_3() -> None:
    result = run(*SEED, "--lr", "0.1", "--steps", "2", "--exact")
    assert result.exit_code == 0, result
    assert "│ 1 │ (1/2, 23/10)" in result.stdout
    assert "│ 2 │ (17/100, 179/100)" in result.stdout
    assert "669/100" in result.stdout  # f(θ_1), exactly
    assert "reached the maximum of 2 steps" in result.stdout
    data = single(run(*SEED, "--lr", "1/10", "--steps", "2", "--exact", "-f", "json").json)
    assert data["exact"]["points"] == [["1", "3"], ["1/2", "23/10"], ["17/100", "179/100"]]
    assert data["exact"]["values"] == ["13", "669/100", "35373/10000"]


def test_seed_converges_to_the_origin_at_0_1() -> None:
    result = run(*SEED, "--lr", "0.1", "-f", "json")
    assert result.exit_code == 0, result
    data = single(result.json)
    assert data["stop_reason"] == "converged"
    assert data["gradient_norm"] < 1e-8
    assert math.dist(data["final_point"], (0, 0)) < 1e-8
    assert data["final_kind"] == "minimum"
    assert not data["oscillating"]
    table = run(*SEED, "--lr", "0.1")
    assert "stop reason: converged" in table.stdout
    assert "the point: a minimum" in table.stdout


def test_seed_oscillates_then_converges_at_0_6() -> None:
    result = run(*SEED, "--lr", "0.6")
    assert result.exit_code == 0, result
    out = result.stdout
    assert "stop reason: converged" in out
    assert "Oscillation: the steps in x and y flipped sign" in out
    data = single(run(*SEED, "--lr", "0.6", "-f", "json").json)
    assert data["oscillating"] and data["stop_reason"] == "converged"
    assert math.dist(data["final_point"], (0, 0)) < 1e-8


def test_seed_diverges_at_0_7_with_the_two_thirds_bound() -> None:
    result = run(*SEED, "--lr", "0.7")
    assert result.exit_code == 3, result
    first, *rest = result.stderr.splitlines()
    assert first.startswith("gradcli: error: diverged at step ")
    explanation = " ".join(rest)
    assert "L = 3" in explanation and "α < 2/L = 2/3" in explanation
    assert "too large" in explanation
    assert "stop reason: diverged" in result.stdout
    assert "2/L = 2/3" in result.stdout
    data = single(strict_json(run(*SEED, "--lr", "0.7", "-f", "json").stdout))
    assert data["stop_reason"] == "diverged"
    assert data["diagnosis"]["lr_bound_exact"] == "2/3"
    assert data["diagnosis"]["largest_eigenvalue"] == pytest.approx(3.0)


@pytest.mark.parametrize("method", ["momentum", "adam"])
def test_rosenbrock_reaches_the_scipy_minimiser(method: str) -> None:
    scipy_optimize = pytest.importorskip("scipy.optimize")

    def fun(p: list[float]) -> float:
        return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2

    def jac(p: list[float]) -> list[float]:
        return [-2 * (1 - p[0]) - 400 * p[0] * (p[1] - p[0] ** 2), 200 * (p[1] - p[0] ** 2)]

    reference = scipy_optimize.minimize(
        fun, [-1.5, 2.0], jac=jac, method="BFGS", options={"gtol": 1e-10}
    ).x
    result = run(*ROSENBROCK, "--method", method, "-f", "json")
    assert result.exit_code == 0, result
    data = single(result.json)
    assert data["stop_reason"] == "converged"
    assert data["steps"] <= data["max_steps"] == 10_000
    assert data["final_point"] == pytest.approx(list(reference), abs=1e-6)
    assert data["final_point"] == pytest.approx([1.0, 1.0], abs=1e-6)


def test_x_cubed_from_zero_stalls_at_an_inflection() -> None:
    result = run("descend", "x^3", "--from", "0")
    assert result.exit_code == 0, result
    assert "the point: an inflection point" in result.stdout
    assert "not a minimum" in result.stdout
    assert "warning: descent stalled" in result.stdout
    machine = run("descend", "x^3", "--from", "0", "-f", "json")
    assert single(machine.json)["final_kind"] == "inflection"
    assert machine.stderr.startswith("gradcli: warning: descent stalled at an inflection point")


def test_saddle_is_flagged() -> None:
    result = run("descend", "x^2 - y^2", "--from", "1,0")
    assert result.exit_code == 0, result
    assert "the point: a saddle point" in result.stdout
    assert "stalled at a saddle point" in result.stdout


def test_reaching_max_steps_exits_zero_with_the_reason() -> None:
    result = run(*SEED, "--lr", "0.01", "--steps", "5")
    assert result.exit_code == 0, result
    assert "stop reason: reached the maximum of 5 steps" in result.stdout
    assert "not a critical point" in result.stdout
    assert single(run(*SEED, "--lr", "0.01", "--steps", "5", "-f", "json").json)["stop_reason"] == (
        "max_steps"
    )


# ---------------------------------------------------------------------------
# the formats agree with each other


def _table_rows(table: str) -> dict[int, list[str]]:
    rows = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip("│").split("│")]
        if line.startswith("│") and cells[0].isdigit():
            rows[int(cells[0])] = cells[1:]
    return rows


def _vector(values: list[float]) -> str:
    shown = [decimal(v, 5) for v in values]
    return shown[0] if len(shown) == 1 else "(" + ", ".join(shown) + ")"


@pytest.mark.parametrize("lr", ["0.1", "0.6", "0.7"])
def test_json_csv_and_table_agree(lr: str) -> None:
    args = (*SEED, "--lr", lr, "--every", "7")
    data = single(strict_json(run(*args, "-f", "json").stdout))
    whole = list(csv.reader(io.StringIO(run(*args, "-f", "csv").stdout)))
    assert {tuple(row[:3]) for row in whole[1:]} == {("1", "gd", repr(float(lr)))}
    rows = [row[3:] for row in whole]  # after run, method and lr
    table = _table_rows(invoke(*args, env={"COLUMNS": "200"}).stdout)
    trajectory = data["trajectory"]
    steps = data["steps"]
    assert rows[0] == ["k", "x", "y", "f", "df/dx", "df/dy", "grad_norm", "step_length"]
    assert len(rows) == steps + 2
    assert sorted(table) == shown_rows(steps, 7)
    for k in range(steps + 1):
        point = trajectory["points"][k]
        value = trajectory["values"][k]
        gradient = trajectory["gradients"][k]
        norm = trajectory["gradient_norms"][k]
        step = trajectory["step_lengths"][k] if k < steps else None
        row = rows[k + 1]
        assert int(row[0]) == k
        assert [float(v) for v in row[1:3]] == point
        assert float(row[3]) == value
        assert [float(v) for v in row[4:6]] == gradient
        assert float(row[6]) == norm
        assert (float(row[7]) if row[7] else None) == step
        if k in table:
            cells = table[k]
            assert cells[0] == _vector(point)
            assert cells[1] == decimal(value, 5)
            assert cells[2] == _vector(gradient)
            assert cells[3] == decimal(norm, 5)
            assert cells[4] == (decimal(step, 5) if step is not None else "")
    assert data["final_point"] == trajectory["points"][-1]
    assert data["final_value"] == trajectory["values"][-1]
    assert data["gradient_norm"] == trajectory["gradient_norms"][-1]


def test_plain_rows_match_the_json() -> None:
    args = (*SEED, "--lr", "0.1", "--steps", "30")
    data = single(run(*args, "-f", "json").json)
    plain = run(*args, "-f", "plain").stdout
    lines = [line for line in plain.splitlines() if line.startswith("step ")]
    assert [int(line.split(":")[0].split()[1]) for line in lines] == shown_rows(30)
    first = lines[0]
    assert "theta = 1.0, 3.0; f = 13.0; grad = 5.0, 7.0" in first
    assert f"final_value: {data['final_value']!r}" in plain
    assert "stop_reason: max_steps" in plain


def test_diverged_values_are_null_in_json_and_nan_in_csv() -> None:
    args = ("descend", "x + log(x)", "--from", "5", "--lr", "1")
    result = run(*args, "-f", "json")
    assert result.exit_code == 3, result
    data = single(strict_json(result.stdout))
    assert data["stop_reason"] == "diverged"
    assert data["trajectory"]["values"][-1] is None
    assert data["final_value"] is None
    assert "cannot be evaluated" in data["message"]
    assert "cannot be evaluated" in result.stderr.splitlines()[0]
    last = list(csv.reader(io.StringIO(run(*args, "-f", "csv").stdout)))[-1]
    assert last[5] == "nan"  # f, after run, method, lr, k and x


# ---------------------------------------------------------------------------
# comparisons


def test_compare_learning_rates() -> None:
    result = run(*SEED, "--lr", "0.01,0.1,0.5,0.7")
    assert result.exit_code == 0, result
    out = result.stdout
    for reason in ("max steps", "converged", "diverged"):
        assert reason in out
    assert "gd α=0.5: oscillated (the steps in x and y flipped sign" in out
    assert "gd α=0.7: Gradient descent diverged" in out
    data = strict_json(run(*SEED, "--lr", "0.01,0.1,0.5,0.7", "-f", "json").stdout)["runs"]
    assert len(data) == 4
    assert [r["stop_reason"] for r in data] == ["max_steps", "converged", "converged", "diverged"]
    assert [r["learning_rate"] for r in data] == [0.01, 0.1, 0.5, 0.7]


def test_compare_methods_on_rosenbrock() -> None:
    result = run(*ROSENBROCK, "--method", "gd,momentum,adam", "-f", "json")
    assert result.exit_code == 0, result
    data = result.json["runs"]
    assert [r["method"] for r in data] == ["gd", "momentum", "adam"]
    assert [r["stop_reason"] for r in data] == ["diverged", "converged", "converged"]
    assert result.stderr.startswith("gradcli: warning: gd α=0.1: diverged")


def test_compare_alone_runs_every_method() -> None:
    data = run(*SEED, "--compare", "-f", "json").json["runs"]
    assert [r["method"] for r in data] == ["gd", "momentum", "nesterov", "adam", "newton"]


def test_compare_csv_has_a_row_per_step_of_each_run() -> None:
    text = run(*SEED, "--lr", "0.1,0.5", "-f", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [
        "run", "method", "lr", "k", "x", "y", "f", "df/dx", "df/dy", "grad_norm", "step_length",
    ]  # fmt: skip
    steps = [r["steps"] for r in run(*SEED, "--lr", "0.1,0.5", "-f", "json").json["runs"]]
    assert len(rows) == steps[0] + steps[1] + 2
    assert rows[0]["run"] == "1" and rows[-1]["run"] == "2"


@pytest.mark.parametrize("fmt", ["plain", "latex"])
def test_compare_other_formats(fmt: str) -> None:
    result = run(*SEED, "--lr", "0.1,0.7", "-f", fmt)
    assert result.exit_code == 0, result
    assert "diverged" in result.stdout


def test_compare_where_every_run_diverges_exits_3() -> None:
    result = run(*SEED, "--lr", "0.7,0.8")
    assert result.exit_code == 3, result
    assert result.stderr.startswith("gradcli: error: every run diverged")


# ---------------------------------------------------------------------------
# options


def test_every_chooses_the_rows() -> None:
    rows = _table_rows(run(*SEED, "--lr", "0.1", "--every", "50").stdout)
    assert sorted(rows) == [0, 1, 2, 3, 4, 50, 100, 150, 177, 178, 179]


def test_parameters_take_their_values_from_the_start_point() -> None:
    result = run("descend", "a*x^2 + y^2", "--vars", "x,y", "--from", "x=1, y=3, a=2", "-f", "json")
    assert result.exit_code == 0, result
    assert result.json["expression"] == "2*x**2 + y**2"


def test_ascent_climbs_to_a_maximum() -> None:
    result = run("descend", "1 - x^2 - y^2", "--from", "1,2", "--ascent")
    assert result.exit_code == 0, result
    assert "gradient ascent from (1, 2)" in result.stdout
    assert "the point: a maximum" in result.stdout


def test_newton_solves_a_quadratic_in_one_step() -> None:
    data = single(run(*SEED, "--method", "newton", "-f", "json").json)
    assert data["steps"] == 1 and data["final_point"] == [0.0, 0.0]


def test_method_constants_reach_the_run() -> None:
    data = run(*ROSENBROCK, "--method", "adam", "--beta", "0.8", "--beta2", "0.99", "--eps", "1e-6",
               "--steps", "10", "-f", "json").json["runs"][0]  # fmt: skip
    assert (data["beta"], data["beta2"], data["eps"]) == (0.8, 0.99, 1e-6)


def test_no_progress_bar_when_stderr_is_not_a_terminal() -> None:
    result = run(*ROSENBROCK, "--method", "momentum", "-f", "json")
    assert result.stderr == ""


def test_progress_bar_draws_only_after_its_delay() -> None:
    from gradcli.render.descent import ProgressBar

    quiet = io.StringIO()
    bar = ProgressBar("descending", delay=60, stream=quiet)
    bar(10, 100)
    bar.close()
    assert quiet.getvalue() == ""
    shown = io.StringIO()
    bar = ProgressBar("descending", delay=0, stream=shown)
    bar(50, 100)
    bar(100, 100)
    bar.close()
    assert "descending" in shown.getvalue()


def test_plot_draws_the_runs(tmp_path: Path) -> None:
    pytest.importorskip("gradcli.plot")
    pytest.importorskip("matplotlib")
    path = tmp_path / "descent.png"
    result = run(*SEED, "--lr", "0.1,0.6", "--plot", str(path), "-f", "json")
    assert result.exit_code == 0, result
    assert path.read_bytes()[:4] == b"\x89PNG"
    assert f"gradcli: wrote {path}" in result.stderr


def test_help_has_examples() -> None:
    result = invoke("descend", "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout and "--compare" in result.stdout


# ---------------------------------------------------------------------------
# errors


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("descend", "x^2"), "Missing option '--from'"),
        ((*SEED, "--lr", "0.1,,0.2"), "--lr has an empty entry"),
        ((*SEED, "--lr", "a"), "the learning rate must be a number"),
        ((*SEED, "--lr", "0"), "the learning rate must be positive"),
        ((*SEED, "--lr", "1/"), "error:"),
        ((*SEED, "--steps", "0"), "Invalid value for '--steps'"),
        ((*SEED, "--steps", "3000000"), "at most 2,000,000 steps"),
        ((*SEED, "--tol", "-1"), "the tolerance must be 0 or positive"),
        ((*SEED, "--method", "sgd"), "unknown method 'sgd'"),
        ((*SEED, "--beta", "0.9"), "--beta does not apply to --method gd"),
        ((*SEED, "--method", "momentum", "--beta", "1.5"), "beta must be in [0, 1)"),
        ((*SEED, "--lr", "0.1,0.2", "--exact"), "--exact"),
        ((*SEED, "--compare", "--every", "5"), "--every"),
        (("descend", "x^2 +", "--from", "1"), "error:"),
        (("descend", "x^2", "--from", "1", "--format", "xml"), "Invalid value for '--format'"),
        (("descend", "x^2", "--from", "1", "--plot", "out.gif"), "end the file name in"),
    ],
)
def test_bad_usage_exits_2(args: tuple[str, ...], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2, result
    assert message in result.stderr
    assert result.stdout == ""


def test_a_point_of_the_wrong_dimension_is_a_usage_error() -> None:
    result = run("descend", "x^2 + y^2", "--from", "1")
    assert result.exit_code == 2, result
    assert "the point has 1 coordinate but the function has 2 variables" in result.stderr


def test_undefined_at_the_start_exits_3() -> None:
    result = run("descend", "log(x)", "--from", "0")
    assert result.exit_code == 3, result
    assert "undefined at the start point" in result.stderr


def test_user_text_is_not_markup() -> None:
    after = invoke("descend", "x^2", "--from", "1", "--steps", "1", "--color", "always")
    assert after.exit_code == 0 and "\x1b[" in after.stdout  # after the command too
    out = invoke("--color", "always", "descend", "x^2", "--from", "1", "--steps", "1")
    assert out.exit_code == 0 and "\x1b[" in out.stdout


# ---------------------------------------------------------------------------
# properties of the rows shown


@given(steps=st.integers(0, 5000), every=st.one_of(st.none(), st.integers(1, 400)))
def test_shown_rows(steps: int, every: int | None) -> None:
    rows = shown_rows(steps, every)
    assert rows == sorted(set(rows))
    assert rows[0] == 0 and rows[-1] == steps
    assert set(range(min(FIRST_ROWS, steps + 1))) <= set(rows)
    assert set(range(max(0, steps - LAST_ROWS + 1), steps + 1)) <= set(rows)
    if every is None:
        assert len(rows) <= FIRST_ROWS + LAST_ROWS + 9
    else:
        assert all(k % every == 0 for k in rows[FIRST_ROWS:-LAST_ROWS] if k < steps - LAST_ROWS)


def test_how_f_was_read_is_said_in_every_format() -> None:
    # data in JSON; elsewhere a message on stderr, so that stdout stays data
    for fmt in ("table", "plain", "csv", "latex"):
        done = invoke("descend", "e^-2x + x^2", "--from", "1", "-f", fmt)
        assert "gradcli: note: read 'e^-2x' as e^(-2x)" in done.stderr.splitlines(), done
        assert "read 'e^-2x'" not in done.stdout, done
    data = invoke("descend", "e^-2x + x^2", "--from", "1", "-f", "json").json
    assert data["notes"] == ["read 'e^-2x' as e^(-2x)"]
    assert invoke("descend", "x^2", "--from", "1", "-f", "json").json["notes"] == []


def test_a_run_that_ends_on_a_corner_says_there_is_no_gradient_there() -> None:
    # from x = 0, descent on |x| + y² stays on the corner x = 0, where the
    # formula sign(0)·… reads 0: that is not a gradient
    data = invoke("descend", "abs(x) + y^2", "--from", "0,1", "-f", "json").json["runs"][0]
    assert data["final_kind"] == "unknown"
    assert data["warning"].startswith("f is not differentiable at the final point (0, ")
    assert "|x| has a corner where x = 0" in data["warning"]
    # off the corner, and where |x|³ is flat, no such warning
    smooth = invoke("descend", "abs(x)^3 + y^2", "--from", "0,1", "-f", "json").json["runs"][0]
    assert "not differentiable" not in (smooth["warning"] or "")


@pytest.mark.parametrize("method", ["gd", "momentum", "nesterov", "adam", "newton"])
@pytest.mark.parametrize("start", ["1,3", "0,0"])
def test_tol_0_runs_exactly_the_steps_asked(method: str, start: str) -> None:
    """Homework says "perform 50 iterations": --tol 0 never stops early, even at a minimum."""
    result = invoke(
        "descend", "x^2 + y^2", "--from", start, "--lr", "0.1", "--steps", "50",
        "--tol", "0", "--method", method, "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result
    data = single(result.json)
    assert data["steps"] == 50
    assert data["stop_reason"] == "max_steps"
    assert data["message"].startswith("ran the 50 steps asked (--tol 0)")


@pytest.mark.parametrize(
    ("lr", "advice"),
    [
        # |∇f| grew: more α would only make it worse
        ("0.7", "|∇f| grew: lower the learning rate"),
        # oscillating but converging, just under 2/L = 2/3
        ("0.66", "edge of stability, 2/L = 0.667 (f is quadratic): a larger learning rate"),
        # creeping downhill
        ("0.001", "raise the step limit, or α up to 2/(L + μ)"),
    ],
)
def test_advice_after_running_out_of_steps_follows_the_evidence(lr: str, advice: str) -> None:
    result = invoke(*SEED, "--lr", lr, "--steps", "30", "--format", "json")
    message = single(result.json)["message"]
    assert message.startswith("reached the maximum of 30 steps"), message
    assert advice in message, message
