"""Gradient descent for the ML learner, through the real command line.

True diagnoses (each kind of run, and the advice it gets), methods paired
with their own rates, losses built from data checked against hand-written
numpy, SGD that a seed reproduces, the closed-form least-squares solution,
schedules, Armijo's line search, and optimiser conventions checked against
PyTorch's published update formulas (written out here in numpy).
"""

from __future__ import annotations

import json
import math
import os
import pty
import subprocess
import sys
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sympy

from gradcli.descent import StopReason, descend
from gradcli.descent.schedules import Schedule
from gradcli.errors import InputError
from tests.conftest import invoke
from tests.golden import assert_golden

SEED = ("descend", "x^2 + y^2 + xy", "--from", "1,3")
HIMMELBLAU = "(x^2 + y - 11)^2 + (x + y^2 - 7)^2"

#: y ≈ 2x + 1 with noise
LINE = "x,y\n0,1.1\n1,2.9\n2,5.2\n3,6.8\n4,9.1\n"
#: two features and 0/1 labels that are not separable (the logistic minimum is finite)
CLASSES = "x1,x2,label\n0,0,0\n1,0,0\n0,1,1\n1,1,1\n2,1,0\n1,2,1\n2,2,1\n0,2,0\n"


def script(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """gradcli ARGS as its own process, the way a shell runs it."""
    done = subprocess.run(
        [sys.executable, "-m", "gradcli", *args],
        capture_output=True,
        text=True,
        input=stdin,
        check=False,
        timeout=120,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def as_json(*args: str) -> Any:
    """One run's JSON (its keys beside the document's), or a list of them for a comparison."""
    result = invoke(*args, "--format", "json")
    assert result.exit_code in (0, 3), result
    return flat(result.json)


def flat(data: dict) -> Any:
    """``descend``'s document as the runs' objects, each with the document's keys."""
    shared = {k: v for k, v in data.items() if k != "runs"}
    runs = [{**shared, **run} for run in data["runs"]]
    return runs[0] if len(runs) == 1 else runs


@pytest.fixture
def line_csv(tmp_path: Path) -> str:
    path = tmp_path / "line.csv"
    path.write_text(LINE)
    return str(path)


@pytest.fixture
def classes_csv(tmp_path: Path) -> str:
    path = tmp_path / "classes.csv"
    path.write_text(CLASSES)
    return str(path)


def _line_data() -> tuple[np.ndarray, np.ndarray]:
    rows = np.array([[float(c) for c in r.split(",")] for r in LINE.splitlines()[1:]])
    return rows[:, 0], rows[:, 1]


def _class_data() -> tuple[np.ndarray, np.ndarray]:
    rows = np.array([[float(c) for c in r.split(",")] for r in CLASSES.splitlines()[1:]])
    return rows[:, :2], rows[:, 2]


# --------------------------------------------------------------------------
# the diagnosis of each kind of run, and its advice


def test_a_converged_run_needs_no_explanation() -> None:
    run = as_json(*SEED, "--lr", "0.1")
    assert run["stop_reason"] == "converged"
    assert run["diagnosis"] is None and run["warning"] is None
    assert run["final_kind"] == "minimum"


def test_oscillating_but_converging_is_explained_by_the_bound() -> None:
    run = as_json(*SEED, "--lr", "0.6")
    assert run["stop_reason"] == "converged" and run["oscillating"]
    message = run["diagnosis"]["message"]
    assert "2/L = 2/3 ≈ 0.667, and α = 0.6 is within it" in message
    assert "Since α > 1/L = 1/3 ≈ 0.333" in message


def test_diverging_names_the_bound_with_its_decimal() -> None:
    result = invoke(
        "descend", "x^2 + 3y^2 + xy", "--from", "1,3", "--lr", "0.7", "--format", "json"
    )
    assert result.exit_code == 3
    diagnosis = flat(result.json)["diagnosis"]
    # L = 4 + √5, so 2/L = 2(4 − √5)/11
    assert "L = √5 + 4 ≈ 6.24" in diagnosis["message"]
    assert "2/L = 2(4 - √5)/11 ≈ 0.321" in diagnosis["message"]
    assert "1/L = (4 - √5)/11 ≈ 0.160" in diagnosis["message"]
    assert diagnosis["lr_bound"] == pytest.approx(2 / (4 + math.sqrt(5)))
    assert sympy.sympify(diagnosis["lr_bound_exact"]) == 2 * (4 - sympy.sqrt(5)) / 11


def test_stalled_at_a_saddle_is_a_warning() -> None:
    run = as_json("descend", "x^2 - y^2", "--from", "1,0")
    assert run["stop_reason"] == "converged"
    assert run["final_kind"] == "saddle"
    assert run["warning"].startswith("descent stalled at a saddle point")


def test_a_slow_run_is_told_how_far_alpha_may_grow() -> None:
    run = as_json(*SEED, "--lr", "0.001", "--steps", "30")
    assert run["stop_reason"] == "max_steps"
    assert "raise the step limit, or α up to 2/(L + μ) = 0.500" in run["message"]
    assert "stable up to 2/L = 0.667" in run["message"]


def test_at_the_edge_of_stability_a_larger_rate_is_not_advised() -> None:
    # α just below 2/L: the run oscillates and creeps; more α diverges
    run = as_json(*SEED, "--lr", "0.665", "--steps", "30")
    assert run["oscillating"]
    assert "a larger learning rate would diverge" in run["message"]
    assert "or the learning rate" not in run["message"]


def test_the_bound_shows_enough_digits_to_tell_alpha_from_it(line_csv: str) -> None:
    """The issue's case: α = 0.18 beside 2/L ≈ 0.1803 on an MSE loss."""
    model = ("descend", "--data", line_csv, "--model", "w*x + b", "--from", "w=0, b=0")
    bound = as_json(*model, "--lr", "1", "--steps", "200")["diagnosis"]["lr_bound"]
    alpha = float(f"{bound * 0.998:.4g}")
    run = as_json(*model, "--lr", str(alpha), "--steps", "40")
    assert "a larger learning rate would diverge" in run["message"], run["message"]
    shown = run["message"].split("2/L = ")[1].split(" ")[0]
    # the decimal shown for 2/L differs from α's
    assert float(shown) != alpha and abs(float(shown) - bound) < 1e-3 * bound


def test_himmelblau_is_an_overshoot_not_an_unbounded_function() -> None:
    """f ≥ 0 everywhere: its growth to 10¹⁸ is a too-large step."""
    done = script("descend", HIMMELBLAU, "--from", "0,0", "--lr", "0.1", "--format", "json")
    assert done.returncode == 3
    diagnosis = flat(json.loads(done.stdout))["diagnosis"]
    message = diagnosis["message"]
    assert "unbounded" not in message
    assert "the step overshot" in message
    assert diagnosis["where"] == "uphill" and diagnosis["at_step"] == 1
    assert diagnosis["lr_bound"] < 0.1
    assert "is too large" in message


def test_unbounded_below_only_with_evidence() -> None:
    run = as_json("descend", "-x^2 - y^2", "--from", "1,1")
    message = run["diagnosis"]["message"]
    assert "below every value the run saw, and was still falling" in message
    # a quadratic: a proof, not a guess
    assert "f is unbounded below" in message
    run = as_json("descend", "x - exp(y)", "--from", "0,0", "--lr", "0.5")
    message = run["diagnosis"]["message"]
    assert "f may be unbounded below" in message


def test_on_a_terminal_the_explanation_is_printed_once() -> None:
    """The table shows why; stderr, on the same screen, does not repeat it."""
    parent, child = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "gradcli", *SEED, "--lr", "0.7"],
            stdout=child,
            stderr=subprocess.PIPE,
            env={**os.environ, "COLUMNS": "100"},
            check=False,
            timeout=120,
        )
        os.close(child)
        child = -1
        shown = b""
        while True:
            try:
                chunk = os.read(parent, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        if child >= 0:
            os.close(child)
        os.close(parent)
    assert done.returncode == 3
    # only how f was read: the table already says why it diverged
    assert done.stderr.decode() == "gradcli: note: read 'xy' as x·y (a product of variables)\n"
    assert shown.decode().count("Gradient descent is stable only for") == 1
    # piped, the table is data and stderr explains
    piped = script(*SEED, "--lr", "0.7")
    assert piped.returncode == 3 and "why: " in piped.stderr


# --------------------------------------------------------------------------
# methods paired with their own rates


def test_methods_pair_with_their_own_rates() -> None:
    runs = as_json(
        "descend",
        "(1-x)^2 + 100(y-x^2)^2",
        "--from",
        "-1.5,2",
        "--method",
        "gd,momentum,adam",
        "--lr",
        "0.001,0.0005,0.01",
        "--steps",
        "200",
    )
    assert [(r["method"], r["learning_rate"]) for r in runs] == [
        ("gd", 0.001),
        ("momentum", 0.0005),
        ("adam", 0.01),
    ]


def test_the_grid_when_asked() -> None:
    runs = as_json(*SEED, "--method", "gd,adam", "--lr", "0.1,0.01", "--grid", "--steps", "20")
    assert [(r["method"], r["learning_rate"]) for r in runs] == [
        ("gd", 0.1),
        ("gd", 0.01),
        ("adam", 0.1),
        ("adam", 0.01),
    ]


def test_lists_of_different_lengths_do_not_pair() -> None:
    result = invoke(*SEED, "--method", "gd,adam", "--lr", "0.1,0.2,0.3")
    assert result.exit_code == 2
    assert "give one rate per method" in result.stderr and "--grid" in result.stderr


# --------------------------------------------------------------------------
# losses from data, against numpy


def _numpy_mse(w: float, b: float) -> tuple[float, tuple[float, float]]:
    x, y = _line_data()
    r = w * x + b - y
    return float(np.mean(r**2)), (float(np.mean(2 * r * x)), float(np.mean(2 * r)))


def _numpy_logistic(theta: np.ndarray) -> tuple[float, np.ndarray]:
    features, labels = _class_data()
    z = features @ theta[:2] + theta[2]
    loss = np.mean(np.logaddexp(0.0, z) - labels * z)
    p = 1 / (1 + np.exp(-z))
    grad = np.array(
        [np.mean((p - labels) * features[:, 0]), np.mean((p - labels) * features[:, 1])]
    )
    return float(loss), np.append(grad, np.mean(p - labels))


@pytest.mark.parametrize(("w", "b"), [(0.0, 0.0), (1.5, -0.5), (2.0, 1.0)])
def test_mse_and_its_gradient_match_numpy(line_csv: str, w: float, b: float) -> None:
    done = script(
        "grad",
        "--data",
        line_csv,
        "--model",
        "w*x + b",
        "--at",
        f"w={w}, b={b}",
        "--format",
        "json",
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    names = result["variables"]
    value, (dw, db) = _numpy_mse(w, b)
    assert result["function_value_float"] == pytest.approx(value, rel=1e-12)
    got = dict(zip(names, result["value_float"]))
    assert got["w"] == pytest.approx(dw, rel=1e-12, abs=1e-12)
    assert got["b"] == pytest.approx(db, rel=1e-12, abs=1e-12)


def test_logistic_loss_and_gradient_match_numpy(classes_csv: str) -> None:
    theta = {"a": 0.3, "c": -0.2, "k": 0.1}
    done = script(
        "grad",
        "--data",
        classes_csv,
        "--model",
        "a*x1 + c*x2 + k",
        "--target",
        "label",
        "--loss",
        "logistic",
        "--at",
        ", ".join(f"{n}={v}" for n, v in theta.items()),
        "--no-simplify",
        "--format",
        "json",
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    value, grad = _numpy_logistic(np.array([theta["a"], theta["c"], theta["k"]]))
    assert result["function_value_float"] == pytest.approx(value, rel=1e-12)
    got = dict(zip(result["variables"], result["value_float"]))
    assert [got["a"], got["c"], got["k"]] == pytest.approx(list(grad), rel=1e-10)


def test_grad_shows_the_loss_as_a_sum_over_the_rows(line_csv: str) -> None:
    result = invoke("grad", "--data", line_csv, "--model", "w*x + b", "--format", "plain")
    assert result.exit_code == 0, result
    assert "note: L(" in result.stderr and "(1/5) Σᵢ" in result.stderr  # notes are messages
    assert "∂L/∂w = (1/5) Σᵢ 2xᵢ·(" in result.stderr


@pytest.mark.parametrize("fmt", ["json", "plain"])
def test_golden_losses(line_csv: str, classes_csv: str, fmt: str) -> None:
    mse = invoke("grad", "--data", line_csv, "--model", "w*x + b", "--format", fmt)
    logistic = invoke(
        "grad",
        "--data",
        classes_csv,
        "--model",
        "a*x1 + c*x2 + k",
        "--target",
        "label",
        "--loss",
        "logistic",
        # simplifying these sums takes the whole budget, which a golden file cannot
        "--no-simplify",
        "--format",
        fmt,
    )
    assert mse.exit_code == 0 and logistic.exit_code == 0
    # the file's path is the test's temporary folder: name it as the docs do
    assert_golden(f"grad_mse.{fmt}", mse.stdout.replace(line_csv, "line.csv"))
    assert_golden(f"grad_logistic.{fmt}", logistic.stdout.replace(classes_csv, "classes.csv"))


def test_gd_on_the_mse_reaches_the_least_squares_solution(line_csv: str) -> None:
    x, y = _line_data()
    (w, b), *_ = np.linalg.lstsq(np.column_stack([x, np.ones_like(x)]), y, rcond=None)
    run = as_json(
        "descend", "--data", line_csv, "--model", "w*x + b", "--from", "w=0, b=0", "--lr", "0.05"
    )
    assert run["stop_reason"] == "converged" and run["final_kind"] == "minimum"
    found = dict(zip(run["variables"], run["final_point"]))
    assert found["w"] == pytest.approx(w, abs=1e-7) and found["b"] == pytest.approx(b, abs=1e-7)


def test_the_logistic_minimum_matches_scipy(classes_csv: str) -> None:
    from scipy.optimize import minimize

    oracle = minimize(
        lambda t: _numpy_logistic(t)[0],
        np.zeros(3),
        jac=lambda t: _numpy_logistic(t)[1],
        method="BFGS",
        options={"gtol": 1e-12},
    )
    run = as_json(
        "descend",
        "--data",
        classes_csv,
        "--model",
        "a*x1 + c*x2 + k",
        "--target",
        "label",
        "--loss",
        "logistic",
        "--from",
        "a=0, c=0, k=0",
        "--lr",
        "1",
        "--steps",
        "50000",
        "--tol",
        "1e-10",
    )
    assert run["stop_reason"] == "converged", run["message"]
    found = dict(zip(run["variables"], run["final_point"]))
    assert [found["a"], found["c"], found["k"]] == pytest.approx(list(oracle.x), abs=1e-5)


# --------------------------------------------------------------------------
# mini-batches


def _sgd(line_csv: str, *extra: str) -> dict:
    return as_json(
        "descend",
        "--data",
        line_csv,
        "--model",
        "w*x + b",
        "--from",
        "w=0, b=0",
        "--lr",
        "0.02",
        *extra,
    )


def test_sgd_with_a_seed_is_reproducible(line_csv: str) -> None:
    first = _sgd(line_csv, "--batch-size", "1", "--epochs", "20", "--seed", "7")
    again = _sgd(line_csv, "--batch-size", "1", "--epochs", "20", "--seed", "7")
    other = _sgd(line_csv, "--batch-size", "1", "--epochs", "20", "--seed", "8")
    assert first["trajectory"] == again["trajectory"]
    assert first["trajectory"]["points"] != other["trajectory"]["points"]
    batches = first["mini_batches"]
    assert batches["batch_size"] == 1 and batches["epochs"] == 20 and batches["seed"] == 7
    assert len(batches["epoch_ends"]) == 20 and batches["epoch_ends"][-1] == first["steps"] == 100
    assert len(batches["batch_losses"]) == 100
    # the noise: single rows' losses spread far more than the whole loss moves at the end
    last = batches["batch_losses"][-5:]
    assert max(last) - min(last) > 0


def test_a_batch_of_every_row_is_full_batch_gradient_descent(line_csv: str) -> None:
    batched = _sgd(line_csv, "--batch-size", "5", "--epochs", "30")
    full = _sgd(line_csv, "--steps", "30", "--tol", "0")
    assert np.allclose(batched["trajectory"]["points"], full["trajectory"]["points"], atol=1e-12)
    assert np.allclose(batched["trajectory"]["values"], full["trajectory"]["values"], atol=1e-12)


def test_sgd_with_a_decaying_schedule_settles_near_the_minimum(line_csv: str) -> None:
    x, y = _line_data()
    (w, b), *_ = np.linalg.lstsq(np.column_stack([x, np.ones_like(x)]), y, rcond=None)
    run = _sgd(
        line_csv,
        "--batch-size",
        "1",
        "--epochs",
        "300",
        "--seed",
        "1",
        "--schedule",
        "inverse:gamma=0.05",
    )
    found = dict(zip(run["variables"], run["final_point"]))
    assert found["w"] == pytest.approx(w, abs=0.05) and found["b"] == pytest.approx(b, abs=0.1)
    assert run["schedule"] == "inverse:gamma=0.05"


def test_the_table_shows_one_row_per_epoch(line_csv: str) -> None:
    result = invoke(
        "descend", "--data", line_csv, "--model", "w*x + b", "--from", "0,0",
        "--lr", "0.02", "--batch-size", "2", "--epochs", "4", "--seed", "3",
    )  # fmt: skip
    assert result.exit_code == 0, result
    assert "mini-batch gradient descent (batches of 2, seed 3)" in result.stdout
    assert "┃ epoch ┃" in result.stdout and "batch losses" in result.stdout
    assert "ran the 4 epochs asked, 12 steps in all (3 mini-batches of 2, the last of 1," in (
        result.stdout.replace("\n", "")
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--batch-size", "9"), "larger than the 5 rows"),
        (("--batch-size", "1", "--steps", "10"), "give --epochs"),
        (("--batch-size", "1", "--method", "newton"), "takes full-batch steps"),
        (("--batch-size", "1", "--ascent"), "--ascent does not apply"),
    ],
)
def test_mini_batch_misuse_is_a_usage_error(
    line_csv: str, args: tuple[str, ...], message: str
) -> None:
    result = invoke("descend", "--data", line_csv, "--model", "w*x + b", "--from", "0,0", *args)
    assert result.exit_code == 2, result
    assert message in result.stderr


def test_batch_options_need_data() -> None:
    result = invoke(*SEED, "--batch-size", "2")
    assert result.exit_code == 2 and "--data" in result.stderr


# --------------------------------------------------------------------------
# data is untrusted input


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("x,y\n1,2\n2,abc\n", 'line 3, column "y"'),
        ("x,z\n1,2\n", 'no column "y"'),
        ("x,y\n1,2\n3\n", "line 3"),
        ("", "is empty"),
        ("x,y\n1,nan\n", 'column "y"'),
    ],
)
def test_bad_data_is_one_clear_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content)
    done = script("descend", "--data", str(path), "--model", "w*x + b", "--from", "0,0")
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith("gradcli: error: "), done.stderr
    assert message in done.stderr, done.stderr


def test_data_that_is_not_a_regular_file_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    done = script("descend", "--data", str(fifo), "--model", "w*x + b", "--from", "0,0")
    assert done.returncode == 2 and "not a regular file" in done.stderr


def test_data_from_stdin() -> None:
    done = script(
        "grad", "--data", "-", "--model", "w*x + b", "--at", "w=1, b=1", "--format", "json",
        stdin=LINE,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "stdin" in json.loads(done.stdout)["notes"][0]


@pytest.mark.parametrize("option", [("--model", "w*x"), ("--loss", "mae"), ("--l2", "1")])
def test_a_data_option_without_data_is_refused(option: tuple[str, str]) -> None:
    """Given without --data it would be silently ignored."""
    for command in (("grad", "x^2"), ("descend", "x^2", "--from", "1")):
        result = invoke(*command, *option)
        assert result.exit_code == 2, result
        assert f"{option[0]} builds a loss from data: give --data FILE too" in result.stderr


# --------------------------------------------------------------------------
# schedules, Armijo, and the optimisers' conventions

X = sympy.Symbol("x", real=True)
Y = sympy.Symbol("y", real=True)


@pytest.mark.parametrize(
    ("text", "rates"),
    [
        ("step:gamma=0.5,every=2", [0.1, 0.1, 0.05, 0.05, 0.025]),
        ("exp:gamma=0.5", [0.1, 0.05, 0.025, 0.0125, 0.00625]),
        ("inverse:gamma=1", [0.1, 0.05, 0.1 / 3, 0.025, 0.02]),
        ("cosine", [0.1 * (1 + math.cos(math.pi * t / 5)) / 2 for t in range(5)]),
    ],
)
def test_schedules_set_each_steps_rate(text: str, rates: list[float]) -> None:
    """On f = x², a gd step is θ_{k+1} = (1 − 2α_k)θ_k: the ratios give α_k."""
    run = descend(X**2, (X,), (1,), lr=0.1, steps=5, tol=0, schedule=text)
    points = [p[0] for p in run.points]
    seen = [(1 - b / a) / 2 for a, b in pairwise(points)]
    assert seen == pytest.approx(rates, rel=1e-12)


def test_unknown_schedules_and_parameters_are_refused() -> None:
    with pytest.raises(InputError, match="unknown schedule"):
        Schedule.read("warmup")
    with pytest.raises(InputError, match="no parameter 'rate'"):
        Schedule.read("exp:rate=2")
    with pytest.raises(InputError, match="gamma must be in"):
        Schedule.read("exp:gamma=2")
    result = invoke(*SEED, "--method", "newton", "--schedule", "exp")
    assert result.exit_code == 2


def test_a_shrunken_rate_that_stalls_is_not_called_a_minimum() -> None:
    run = as_json(*SEED, "--schedule", "exp:gamma=0.5")
    assert run["stop_reason"] == "no_progress"
    assert run["final_kind"] == "not_critical"
    assert "schedule had lowered α" in run["message"]


def test_armijo_goes_downhill_every_step_and_finds_the_minimum() -> None:
    rosenbrock = (1 - X) ** 2 + 100 * (Y - X**2) ** 2
    run = descend(rosenbrock, (X, Y), (-1.5, 2), method="armijo", steps=20000, tol=1e-6)
    assert all(b < a for a, b in zip(run.values, run.values[1:]))
    assert run.stop_reason is StopReason.CONVERGED
    assert run.final_point == pytest.approx((1, 1), abs=1e-5)


def _torch_like(method: str, grad, theta0: np.ndarray, lr: float, steps: int) -> np.ndarray:
    """The update rules of torch.optim's documentation, written out in numpy.

    SGD(momentum=β, dampening=0): b ← βb + g; θ ← θ − α·b (nesterov: θ ← θ − α(g + βb)).
    Adam(betas=(β₁, β₂), eps=ε): m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²;
    θ ← θ − α·(m/(1 − β₁ᵗ))/(√(v/(1 − β₂ᵗ)) + ε).
    """
    theta = theta0.astype(float)
    b = np.zeros_like(theta)
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    out = [theta.copy()]
    for t in range(1, steps + 1):
        g = grad(theta)
        if method == "adam":
            m = 0.9 * m + 0.1 * g
            v = 0.999 * v + 0.001 * g * g
            theta = theta - lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
        else:
            b = 0.9 * b + g
            theta = theta - lr * (g + 0.9 * b if method == "nesterov" else b)
        out.append(theta.copy())
    return np.array(out)


@pytest.mark.parametrize("method", ["momentum", "nesterov", "adam"])
def test_the_optimisers_follow_torch_optim(method: str) -> None:
    def grad(t: np.ndarray) -> np.ndarray:
        return np.array([2 * t[0] + t[1], t[0] + 6 * t[1]])

    expected = _torch_like(method, grad, np.array([1.0, 3.0]), 0.01, 50)
    run = descend(X**2 + 3 * Y**2 + X * Y, (X, Y), (1, 3), lr=0.01, steps=50, tol=0, method=method)
    assert np.allclose(np.array(run.points), expected, rtol=1e-12, atol=1e-14)


# --------------------------------------------------------------------------
# found by an independent review, and fixed


def test_a_logistic_loss_with_large_logits_is_finite(tmp_path: Path) -> None:
    """log(1 + e^800) overflows a float; the loss, 800, does not."""
    path = tmp_path / "far.csv"
    path.write_text("x,y\n800,1\n-800,0\n1,1\n-1,0\n")
    run = as_json(
        "descend", "--data", str(path), "--model", "w*x", "--loss", "logistic", "--from", "1"
    )
    features = np.array([800.0, -800.0, 1.0, -1.0])
    labels = np.array([1.0, 0.0, 1.0, 0.0])
    assert run["trajectory"]["values"][0] == pytest.approx(
        float(np.mean(np.logaddexp(0, features) - labels * features)), rel=1e-12
    )
    assert all(math.isfinite(v) for v in run["trajectory"]["values"])


def test_grad_of_a_logistic_loss_at_a_point_answers_in_time() -> None:
    done = script(
        "grad", "--data", "tests/data/losses/classes.csv", "--model", "a*x1 + c*x2 + k",
        "--target", "label", "--loss", "logistic", "--at", "0.3,-0.2,0.1", "--format", "json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["magnitude_float"] > 0


@pytest.mark.parametrize(
    ("args", "advice"),
    [
        # α = 2/L exactly: the stiff direction flips forever
        (("x^2 + 10y^2", "--from", "1,1", "--lr", "0.1"), "flip sign forever, so lower it"),
        # past the fastest rate 2/(L + μ) = 1/2: a smaller α is faster
        (("x^2 + y^2", "--from", "3,2", "--lr", "0.8", "--steps", "5"), "a smaller α converges"),
        # momentum that went uphill is not "steadily downhill"
        (
            (
                "x^2 + 10y^2",
                "--from",
                "3,2",
                "--method",
                "momentum",
                "--lr",
                "0.05",
                "--steps",
                "30",
            ),
            "f went up on 13 of the 30 steps",
        ),
        (
            ("x^2 + y^2", "--from", "1,1", "--method", "newton", "--lr", "2", "--steps", "10"),
            "takes the full step α = 1",
        ),
    ],
)
def test_advice_names_what_helps(args: tuple[str, ...], advice: str) -> None:
    run = as_json("descend", *args)
    assert run["stop_reason"] == "max_steps"
    assert advice in run["message"], run["message"]
    assert "steadily downhill" not in run["message"]


def test_a_run_to_the_exact_minimum_with_tol_0_is_a_minimum() -> None:
    run = as_json("descend", "x^2", "--from", "1", "--lr", "0.5", "--tol", "0", "--steps", "10")
    assert run["gradient_norm"] == 0 and run["final_kind"] == "minimum"


def test_leaving_the_domain_is_no_evidence_of_unboundedness() -> None:
    result = invoke("descend", "sqrt(x)", "--from", "4", "--lr", "0.5", "--format", "json")
    assert result.exit_code == 3
    assert "unbounded" not in flat(result.json)["diagnosis"]["message"]


def test_sgd_divergence_is_explained_by_the_stiffest_row(line_csv: str) -> None:
    run = as_json(
        "descend", "--data", line_csv, "--model", "w*x + b", "--from", "0,0", "--lr", "0.14",
        "--batch-size", "1", "--epochs", "300", "--seed", "1",
    )  # fmt: skip
    assert run["stop_reason"] == "diverged"
    message = run["diagnosis"]["message"]
    # the row x = 4 alone has curvature 2(x² + 1) = 34
    assert "the stiffest row has L = 34" in message and "α = 0.14 is too large" in message
    assert "is within it" not in message


def test_an_sgd_run_still_falling_is_told_to_run_longer(line_csv: str) -> None:
    run = _sgd(line_csv, "--batch-size", "1", "--epochs", "3", "--seed", "1", "--lr", "0.001")
    assert "L was still falling: raise --epochs" in run["message"]
    assert "noise" not in run["message"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--method", "armijo", "--schedule", "exp"), "a schedule does not apply"),
        (("--lr", "0.02", "--schedule", "cosine:min=1"), "would raise α"),
        (("--schedule", "step:gamma=0.5,gamma=0.1"), "given twice"),
    ],
)
def test_schedules_that_cannot_mean_anything_are_refused(
    args: tuple[str, ...], message: str
) -> None:
    result = invoke(*SEED, *args)
    assert result.exit_code == 2 and message in result.stderr, result


def test_newton_at_a_maximum_is_not_blamed_on_the_start() -> None:
    run = as_json("descend", "-x^2 - y^2", "--from", "1,1", "--method", "newton")
    assert run["final_kind"] == "maximum"
    assert run["warning"].startswith("Newton's method found a maximum, not a minimum")


def test_the_commands_offer_every_loss_the_core_builds() -> None:
    """--loss lists its names literally (gradcli.losses imports sympy, and
    the command line must start without it): they must stay the core's."""
    from gradcli.commands.data import LOSS_NAMES
    from gradcli.losses.samples import _ALIASES, KINDS

    assert sorted(LOSS_NAMES) == sorted([*KINDS, *_ALIASES])
