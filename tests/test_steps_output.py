"""`grad --steps`: the derivations as plain lines, LaTeX, JSON and rich trees."""

from __future__ import annotations

import pytest

from gradcli.formats import steps as formats
from gradcli.parse import parse_function
from gradcli.steps import derive_all
from tests.conftest import invoke
from tests.golden import assert_golden

EXAMPLES = {
    "seed": "x**2 + y**2 + x*y",
    "x_exp_xy": "x*e^(x*y)",
    "sin_x2y": "sin(x^2*y)",
    "ln_sum_squares": "ln(x^2 + y^2)",
    "x_pow_y": "x^y",
    "quotient": "(x + y)/(x - y)",
    "atan_y_over_x": "atan(y/x)",
    "norm3": "sqrt(x^2 + y^2 + z^2)",
}


def _derivations(text: str):  # type: ignore[no-untyped-def]
    function = parse_function(text)
    return derive_all(function.expr, function.variables)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_golden_plain(name: str) -> None:
    assert_golden(f"steps_{name}.plain", formats.to_plain(_derivations(EXAMPLES[name])))


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_golden_latex(name: str) -> None:
    assert_golden(f"steps_{name}.latex", formats.to_latex(_derivations(EXAMPLES[name])))


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_example_is_verified(name: str) -> None:
    assert all(d.verified for d in _derivations(EXAMPLES[name]))


def test_seed_steps_for_x_read_as_a_teacher_would_write_them() -> None:
    result = invoke("grad", "x**2+y**2+x*y", "--steps", "-f", "json")
    assert result.exit_code == 0, result
    by_x, by_y = result.json["steps"]
    assert by_x["variable"] == "x" and by_x["held_constant"] == ["y"]
    rules = [(r["rule"], r["before"], r["after"]) for r in by_x["rules"]]
    assert rules == [
        ("sum", "x**2 + x*y + y**2", "2*x + y"),
        ("power", "x**2", "2*x"),
        ("constant_multiple", "x*y", "y"),
        ("held_constant", "y**2", "0"),
    ]
    assert by_x["rules"][2]["applied"] == "y*1"
    assert by_x["result"] == "2*x + y" and by_x["verified"] is True
    assert [r["rule"] for r in by_y["rules"]] == [
        "sum",
        "held_constant",
        "constant_multiple",
        "power",
    ]
    assert by_x["rules"][1]["after_latex"] == "2 x"


def test_table_shows_a_tree_per_partial() -> None:
    out = invoke("grad", "x**2+y**2+x*y", "--steps").stdout
    assert "Steps for ∂f/∂x, where y is held constant:" in out
    assert "constant multiple: d/dx (x·y) = y·1 = y" in out
    assert "check: identical to sympy's diff" in out


def test_full_shows_more_than_brief() -> None:
    brief = invoke("grad", "sin(x^2*y)", "--steps", "-f", "plain").stdout
    full = invoke("grad", "sin(x^2*y)", "--steps=full", "-f", "plain").stdout
    assert full.count("\n") > brief.count("\n")


def test_steps_have_no_csv_form() -> None:
    result = invoke("grad", "x^2", "--steps", "-f", "csv")
    assert result.exit_code == 2
    assert "no CSV form" in result.stderr


def test_latex_is_an_aligned_block_per_partial() -> None:
    out = invoke("grad", "x^y", "--steps", "-f", "latex").stdout
    assert out.count(r"\begin{aligned}") == 2
    assert r"\text{exponential rule}" in out


def test_hessian_steps_derive_each_second_partial_from_the_first() -> None:
    result = invoke("hessian", "x^2*y + sin(y)", "--steps", "-f", "json")
    assert result.exit_code == 0, result
    steps = result.json["steps"]
    assert [s["partial"] for s in steps] == ["d2f/dx2", "d2f/dxdy", "d2f/dy2"]
    assert [s["result"] for s in steps] == ["2*y", "2*x", "-sin(y)"]
    assert steps[1]["rules"][0]["before"] == "2*x*y"  # d/dy of df/dx
    assert all(s["verified"] for s in steps)


def test_hessian_steps_in_every_format() -> None:
    plain = invoke("hessian", "x^2*y", "--steps", "-f", "plain").stdout
    assert "steps d2f/dxdy = d/dy (df/dx), where x is held constant:" in plain
    latex = invoke("hessian", "x^2*y", "--steps", "-f", "latex").stdout
    assert r"\frac{\partial^{2} f}{\partial x \partial y} &= 2 x" in latex
    table = invoke("hessian", "x^2*y", "--steps").stdout
    assert "result: ∂²f/∂x² = 2y" in table
    assert invoke("hessian", "x^2*y", "--steps", "-f", "csv").exit_code == 2
