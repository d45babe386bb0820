"""`gradcli hessian` through the real command line: results, formats, errors."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradcli.parse import parse_expression
from tests.conftest import FORMATS, Result, failing, invoke, strict_json
from tests.golden import assert_golden

SEED = "x^2 + y^2 + xy"


def ok(*args: str) -> Result:
    """A run that succeeds at 80 columns, with nothing on stderr but notes
    (``read 'xy' as x·y``: messages in table and plain output)."""
    result = invoke(*args, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result
    assert all(line.startswith("gradcli: note: ") for line in result.stderr.splitlines()), result
    return result


def hessian_json(expression: str, *args: str) -> Any:
    return strict_json(ok("hessian", expression, *args, "--format", "json"))


# ---------------------------------------------------------------------------
# the cases


def test_seed_matrix_eigenvalues_and_definiteness() -> None:
    data = hessian_json(SEED)
    assert data["hessian"] == [["2", "1"], ["1", "2"]]
    assert data["determinant"] == "3"
    assert data["eigenvalues"] == ["1", "3"]
    assert data["eigenvalues_float"] == [1.0, 3.0]
    assert data["definiteness"] == "positive definite"
    assert data["point"] is None and data["meaning"] is None


def test_seed_at_its_minimum() -> None:
    data = hessian_json(SEED, "--at", "0,0")
    assert data["point"] == ["0", "0"]
    assert data["gradient_at"] == ["0", "0"]
    assert data["hessian_at"] == [["2", "1"], ["1", "2"]]
    assert data["hessian_at_float"] == [[2.0, 1.0], [1.0, 2.0]]
    assert data["determinant_float"] == 3.0
    assert data["meaning"] == "local minimum"
    assert data["function_value"] == "0"


def test_away_from_a_critical_point_the_test_does_not_apply() -> None:
    data = hessian_json(SEED, "--at", "1,3")
    assert data["gradient_at"] == ["5", "7"]
    assert data["definiteness"] == "positive definite"
    assert data["meaning"] == "not a critical point"
    table = ok("hessian", SEED, "--at", "1,3").stdout
    assert "∇f(1, 3) = (5, 7)" in table
    assert "not a critical point" in table


@pytest.mark.parametrize(
    ("expression", "point", "definiteness", "meaning"),
    [
        ("x^2 - y^2", "0,0", "indefinite", "saddle point"),
        ("x^3 - 3x + y^2", "1,0", "positive definite", "local minimum"),
        ("x^3 - 3x + y^2", "-1,0", "indefinite", "saddle point"),
        ("xy - x^2 - y^2", "0,0", "negative definite", "local maximum"),
        ("x^4 + y^4", "0,0", "positive semidefinite", "test inconclusive"),
        ("(x - y)^2", "1,1", "positive semidefinite", "test inconclusive"),
        ("(1-x)^2 + 100(y-x^2)^2", "1,1", "positive definite", "local minimum"),
    ],
)
def test_second_derivative_test(
    expression: str, point: str, definiteness: str, meaning: str
) -> None:
    data = hessian_json(expression, "--at", point)
    assert (data["definiteness"], data["meaning"]) == (definiteness, meaning)


def test_rosenbrock_hessian_at_its_minimum() -> None:
    data = hessian_json("(1-x)^2 + 100(y-x^2)^2", "--at", "1,1")
    assert data["hessian_at"] == [["802", "-400"], ["-400", "200"]]
    assert data["determinant"] == "400"
    low, high = data["eigenvalues_float"]
    assert low == pytest.approx(0.3993607674876216) and high == pytest.approx(1001.6006392325123)


def test_symbolic_matrix_without_a_point() -> None:
    data = hessian_json("x^3*y + sin(x)")
    assert data["hessian"] == [["6*x*y - sin(x)", "3*x**2"], ["3*x**2", "0"]]
    assert data["determinant"] == "-9*x**4"
    assert data["eigenvalues"] is None and data["definiteness"] is None
    assert "give a point (--at)" in ok("hessian", "x^3*y + sin(x)").stdout


def test_long_exact_eigenvalues_are_shown_as_decimals_in_the_table() -> None:
    data = hessian_json("x^3*y + sin(x)", "--at", "1,2")
    assert "sin(1)" in data["eigenvalues"][0]
    table = ok("hessian", "x^3*y + sin(x)", "--at", "1,2").stdout
    assert "eigenvalues: ≈ -0.7554172, ≈ 11.91395 (exact forms: --format json)" in table
    assert "12 - sin(1) ≈ 11.15853" in table


def test_parameters_named_in_the_point() -> None:
    args = ("a*x^2 + b*y^2", "--vars", "x,y", "--at", "x=0, y=0, a=1, b=-1")
    data = hessian_json(*args)
    assert data["parameters"] == ["a", "b"]
    assert data["hessian"] == [["2*a", "0"], ["0", "2*b"]]
    assert data["hessian_at"] == [["2", "0"], ["0", "-2"]]
    assert data["parameter_values"] == {"a": "1", "b": "-1"}
    assert data["meaning"] == "saddle point"
    assert "at the point: a = 1, b = -1" in ok("hessian", *args).stdout


def test_parameters_left_symbolic() -> None:
    data = hessian_json("a*x^2 + b*y^2", "--vars", "x,y", "--at", "0,0")
    assert data["hessian_at"] == [["2*a", "0"], ["0", "2*b"]]
    assert data["hessian_at_float"] is None and data["eigenvalues_float"] is None
    assert data["definiteness"] is None and data["meaning"] is None


def test_values_read_back_with_our_own_parser() -> None:
    data = hessian_json("x^3*y + exp(x*y)", "--at", "1,2")
    for row in data["hessian"] + data["hessian_at"]:
        for entry in row:
            parse_expression(entry)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.integers(-3, 3), min_size=6, max_size=6),
    st.tuples(st.integers(-2, 2), st.integers(-2, 2)),
)
def test_the_hessian_is_symmetric(coefficients: list[int], point: tuple[int, int]) -> None:
    a, b, c, d, e, g = coefficients
    expression = f"0 + {a}*x^3 + {b}*x^2*y + {c}*x*y^2 + {d}*y^3 + {e}*x*y + {g}*sin(x*y)"
    data = hessian_json(expression, "--vars", "x,y", "--at", f"{point[0]},{point[1]}")
    for matrix in (data["hessian"], data["hessian_at"], data["hessian_at_float"]):
        assert all(matrix[i][j] == matrix[j][i] for i in range(2) for j in range(2))


# ---------------------------------------------------------------------------
# formats


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "args",
    [
        (SEED,),
        (SEED, "--at", "1,3"),
        ("x^4 + y^4", "--at", "0,0"),
        ("x^3*y + sin(x)", "--at", "1,2"),
        ("sin(x*y)",),
        ("x^3", "--at", "2"),
        ("a*x^2 + y", "--vars", "x,y", "--at", "1,1"),
        ("x^2 + y^2 + z^2 - xy - yz", "--at", "1,2,3"),
    ],
)
def test_every_format_renders_every_result(fmt: str, args: tuple[str, ...]) -> None:
    result = ok("hessian", *args, "--format", fmt)
    assert result.stdout.endswith("\n")
    if fmt == "json":
        strict_json(result)
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(result.stdout)))
        variables = 3 if "z" in args[0] else (1 if args[0] == "x^3" else 2)
        assert len(rows) == 1 + variables**2
    elif fmt == "latex":
        assert result.stdout.startswith("\\begin{align*}")


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden_seed(fmt: str) -> None:
    assert_golden(f"hessian_seed.{fmt}", ok("hessian", SEED, "--at", "0,0", "-f", fmt).stdout)


# ---------------------------------------------------------------------------
# errors


def test_wrong_length_point_exits_as_grad_does() -> None:
    result = failing("hessian", SEED, "--at", "1,2,3")
    # a wrong-length point is a usage error (2) in every command
    assert result.exit_code == failing("grad", SEED, "--at", "1,2,3").exit_code == 2
    assert "the point has 3 coordinates but the function has 2 variables (x, y)" in result.stderr


def test_undefined_second_partial_exits_3() -> None:
    result = failing("hessian", "x^(3/2) + y", "--at", "0,1")
    assert result.exit_code == 3
    assert "∂²f/∂x² is undefined at (x, y) = (0, 1)" in result.stderr


def test_f_not_real_at_the_point_exits_3() -> None:
    result = failing("hessian", "log(x)", "--at", "-1")
    assert result.exit_code == 3
    assert "f is not real at x = -1" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("x^2 +",), "error: "),
        (("5",), "the function has no variables"),
        ((SEED, "--at", "1,"), "a point needs one number per variable"),
        ((SEED, "--at", "q=1, y=2"), "'q' is not a variable"),
        ((SEED, "--vars", ","), "--vars needs at least one name"),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...], message: str) -> None:
    result = failing("hessian", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_help_shows_examples() -> None:
    result = ok("hessian", "--help")
    assert 'gradcli hessian "x^2 + y^2 + xy"' in result.stdout
