"""`gradcli jacobian` through the real command line: results, formats, errors."""

from __future__ import annotations

import csv
import io

import pytest

from gradcli.parse import parse_expression
from tests.conftest import FORMATS, Result, failing, invoke, strict_json
from tests.golden import assert_golden

SEED = "x*y, x+y, sin(x)"


def ok(*args: str) -> Result:
    """A run that succeeds at 80 columns, with nothing on stderr but notes
    (``read 'xy' as x·y``: messages in table and plain output)."""
    result = invoke(*args, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result
    assert all(line.startswith("gradcli: note: ") for line in result.stderr.splitlines()), result
    return result


def jacobian_json(*args: str) -> dict[str, object]:
    data: dict[str, object] = strict_json(ok("jacobian", *args, "--format", "json"))
    return data


def test_symbolic_matrix() -> None:
    data = jacobian_json(SEED)
    assert data["components"] == ["x*y", "x + y", "sin(x)"]
    assert data["variables"] == ["x", "y"]
    assert data["jacobian"] == [["y", "x"], ["1", "1"], ["cos(x)", "0"]]
    assert data["point"] is None and data["jacobian_at"] is None


def test_at_a_point() -> None:
    data = jacobian_json(SEED, "--at", "1,pi")
    assert data["point"] == ["1", "pi"]
    assert data["jacobian_at"] == [["pi", "1"], ["1", "1"], ["cos(1)", "0"]]
    assert data["jacobian_at_float"] == [
        [3.141592653589793, 1.0],
        [1.0, 1.0],
        [0.5403023058681398, 0.0],
    ]


def test_one_component_is_the_gradient() -> None:
    expression = "x^2 + y^2 + xy"
    data = jacobian_json(expression, "--at", "1,3")
    grad = strict_json(ok("grad", expression, "--at", "1,3", "--format", "json"))
    assert data["jacobian"] == [grad["gradient"]]
    assert data["jacobian_at"] == [grad["value"]]
    assert "one row: the gradient ∇f" in ok("jacobian", expression).stdout


def test_brackets_and_polar_coordinates() -> None:
    data = jacobian_json("<r*cos(t), r*sin(t)>", "--vars", "r,t")
    assert data["jacobian"] == [["cos(t)", "-r*sin(t)"], ["sin(t)", "r*cos(t)"]]


def test_parameters_named_in_the_point() -> None:
    data = jacobian_json("a*x*y, x + y", "--vars", "x,y", "--at", "x=1, y=2, a=3")
    assert data["parameters"] == ["a"]
    assert data["jacobian"] == [["a*y", "a*x"], ["1", "1"]]
    assert data["jacobian_at"] == [["6", "3"], ["1", "1"]]


def test_values_read_back_with_our_own_parser() -> None:
    data = jacobian_json("x*exp(y), sqrt(x^2 + y^2)", "--at", "3,4")
    for rows in (data["jacobian"], data["jacobian_at"]):
        assert isinstance(rows, list)
        for row in rows:
            for entry in row:
                parse_expression(entry)


def test_table() -> None:
    table = ok("jacobian", SEED, "--at", "1,pi").stdout
    assert "Jacobian J (3×2): row i, column j is ∂fᵢ/∂xⱼ" in table
    assert "cos(1) ≈ 0.5403023" in table


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "args",
    [
        (SEED,),
        (SEED, "--at", "1,pi"),
        ("x^2 + y^2",),
        ("a*x, x*y", "--vars", "x,y", "--at", "1,2"),
        ("x*y*z, x + y + z, exp(z)", "--at", "0,1,2"),
    ],
)
def test_every_format_renders_every_result(fmt: str, args: tuple[str, ...]) -> None:
    result = ok("jacobian", *args, "--format", fmt)
    assert result.stdout.endswith("\n")
    if fmt == "json":
        strict_json(result)
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(result.stdout)))
        assert len(rows) == 1 + len(args[0].split(","))
    elif fmt == "latex":
        assert result.stdout.startswith("\\begin{align*}")


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden_seed(fmt: str) -> None:
    assert_golden(f"jacobian_seed.{fmt}", ok("jacobian", SEED, "--at", "1,pi", "-f", fmt).stdout)


def test_wrong_length_point_exits_as_grad_does() -> None:
    result: Result = failing("jacobian", SEED, "--at", "1,2,3")
    assert result.exit_code == failing("grad", "x*y", "--at", "1,2,3").exit_code == 2


def test_undefined_entry_exits_3() -> None:
    result = failing("jacobian", "log(x), y", "--at", "0,1")
    assert result.exit_code == 3
    assert "∂f1/∂x is undefined" in result.stderr


@pytest.mark.parametrize(
    ("components", "message"),
    [("x, , y", "empty component"), ("5, 6", "no variables"), ("x +", "error: ")],
)
def test_usage_errors_exit_2(components: str, message: str) -> None:
    result = failing("jacobian", components)
    assert result.exit_code == 2
    assert message in result.stderr


def test_how_the_components_were_read_is_said() -> None:
    data = invoke("jacobian", "sin2x, x y", "--at", "0,1", "-f", "json").json
    assert data["notes"] == ["read 'sin2x' as sin(2x)"]
    assert data["jacobian_at"] == [["2", "0"], ["1", "0"]]
    assert invoke("jacobian", "sin(2x), x y", "-f", "json").json["notes"] == []


def test_greek_variables_are_the_expression_s_symbols() -> None:
    # θ in --vars is the θ of the components: no zero column
    data = invoke("jacobian", "r cos θ, r sin θ", "--vars", "r,θ", "-f", "json").json
    assert data["jacobian"] == [["cos(theta)", "-r*sin(theta)"], ["sin(theta)", "r*cos(theta)"]]


def test_a_definition_declares_the_variables_and_their_order() -> None:
    data = invoke("jacobian", "F(y, x) = (x*y, x)", "-f", "json").json
    assert data["variables"] == ["y", "x"]
    assert data["jacobian"] == [["x", "y"], ["0", "1"]]
    assert data["notes"] == ["read the definition as the components of a function of y, x"]
    clash = invoke("jacobian", "F(y, x) = (x*y, x)", "--vars", "x,y")
    assert clash.exit_code == 2
    assert "declares its variables as y, x" in clash.stderr
