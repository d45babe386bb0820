"""Tests for gradcli.losses: tables read from untrusted CSV, and losses built from them.

The losses are checked against oracles that are not the code under test: a
hand-written numpy implementation of each loss and its gradient, the
closed-form least-squares solution, and sympy's own sums of the rows.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from gradcli.derivatives import gradient_of
from gradcli.errors import InputError, LimitError, UndefinedError
from gradcli.losses import Loss, Table, TableLimits, build_loss, read_table, read_table_file
from gradcli.numbers import exact_decimal
from gradcli.parse import parse_function, symbol

DATA = Path(__file__).resolve().parent / "data" / "losses"
LINE = str(DATA / "line.csv")
CLASSES = str(DATA / "classes.csv")
PLANE = str(DATA / "plane.tsv")

w, b, w1, w2 = (symbol(n) for n in ("w", "b", "w1", "w2"))


# --------------------------------------------------------------------------
# The oracle: each loss and its gradient for a linear model, in numpy


def oracle(
    kind: str, X: np.ndarray, y: np.ndarray, weights: np.ndarray, bias: float, l2: float, l1: float
) -> tuple[float, np.ndarray]:
    """L and ∇L = (∂L/∂w₁, …, ∂L/∂b) for the model X·w + b, by hand."""
    z = X @ weights + bias
    n = len(y)
    if kind == "mse":
        value = np.mean((z - y) ** 2)
        dz = 2 * (z - y) / n
    elif kind == "mae":
        value = np.mean(np.abs(z - y))
        dz = np.sign(z - y) / n
    elif kind == "logistic":
        value = np.mean(np.logaddexp(0, z) - y * z)
        dz = (1 / (1 + np.exp(-z)) - y) / n
    elif kind == "hinge":
        t = np.where(y == 0, -1.0, y)
        margin = 1 - t * z
        value = np.mean(np.maximum(0, margin))
        dz = np.where(margin > 0, -t, 0.0) / n
    else:
        raise AssertionError(kind)
    theta = np.append(weights, bias)
    value += l2 * np.sum(theta**2) + l1 * np.sum(np.abs(theta))
    grad = np.append(X.T @ dz, np.sum(dz)) + 2 * l2 * theta + l1 * np.sign(theta)
    return float(value), grad


def close(actual: float, wanted: float, rel: float = 1e-10) -> bool:
    return math.isclose(actual, wanted, rel_tol=rel, abs_tol=rel)


#: (loss, table file, model, its weights in order, label column)
CASES = [
    *((kind, LINE, "w*x + b", (w,), "y") for kind in ("mse", "mae")),
    *((kind, PLANE, "w1*x1 + w2*x2 + b", (w1, w2), "y") for kind in ("mse", "mae")),
    *((kind, CLASSES, "w1*x1 + w2*x2 + b", (w1, w2), "label") for kind in ("logistic", "hinge")),
    ("hinge", CLASSES, "w1*x1 + b", (w1,), "label"),
]


@pytest.mark.parametrize(("kind", "path", "model", "weights", "target"), CASES)
@pytest.mark.parametrize(("l2", "l1"), [(0, 0), ("0.01", 0), ("1/20", "0.1")])
def test_loss_and_gradient_match_the_numpy_oracle(
    kind: str,
    path: str,
    model: str,
    weights: tuple[sympy.Symbol, ...],
    target: str,
    l2: str,
    l1: str,
) -> None:
    table = read_table_file(path)
    loss = build_loss(model, table, loss=kind, target=target, l2=l2, l1=l1)
    order = (*weights, b)
    assert set(loss.parameters) == set(order)
    value = sympy.lambdify(order, loss.expr, "numpy")
    grad = sympy.lambdify(order, gradient_of(loss.expr, order), "numpy")
    features = [f.name for f in loss.features]
    X, y = table.as_array(features), table.as_array([target])[:, 0]
    rng = np.random.default_rng(7)
    for theta in rng.uniform(-2, 2, size=(6, len(order))):
        wanted, wanted_grad = oracle(
            kind, X, y, theta[:-1], theta[-1], float(sympy.Rational(l2)), float(sympy.Rational(l1))
        )
        assert close(float(value(*theta)), wanted)
        assert all(close(float(g), v) for g, v in zip(grad(*theta), wanted_grad))


def test_exact_value_at_a_rational_point_is_the_oracle_correctly_rounded() -> None:
    loss = build_loss("w*x + b", read_table_file(LINE))
    exact = loss.expr.xreplace({w: sympy.Rational(2), b: sympy.Rational(1)})
    # residuals 0.1, -0.1, 0.2, -0.2 (with y = 2x + 1): the mean of their squares
    assert exact == sympy.Rational(1, 40)


# --------------------------------------------------------------------------
# Least squares: ∇L_mse = 0 exactly where numpy's lstsq puts the minimum


@pytest.mark.parametrize(
    ("path", "model", "weights"), [(LINE, "w*x + b", (w,)), (PLANE, "w1*x1 + w2*x2 + b", (w1, w2))]
)
def test_the_mse_gradient_vanishes_at_the_least_squares_solution(
    path: str, model: str, weights: tuple[sympy.Symbol, ...]
) -> None:
    table = read_table_file(path)
    loss = build_loss(model, table)
    features = [f.name for f in loss.features]
    X = np.column_stack([table.as_array(features), np.ones(len(table.rows))])
    solution, *_ = np.linalg.lstsq(X, table.as_array(["y"])[:, 0], rcond=None)
    # b comes first in the loss's natural order; lstsq puts it last
    order = (*weights, b)
    found = sympy.solve(gradient_of(loss.expr, order), order, dict=True)
    assert len(found) == 1
    assert all(found[0][s].is_Rational for s in order)
    assert [float(found[0][s]) for s in order] == pytest.approx(solution, rel=1e-10)


def test_the_mse_of_a_polynomial_model_collapses_to_a_few_terms() -> None:
    rows = "\n".join(f"{i / 7:.4f},{i % 5}" for i in range(300))
    loss = build_loss("a*x^2 + w*x + b", read_table("x,y\n" + rows))
    assert len(loss.expr.args) <= 10  # the monomials of degree ≤ 2 in a, w, b
    plain = sum(
        (loss.sample.xreplace({symbol("x"): r[0], loss.target: r[1]}) for r in loss.table.rows),
        sympy.Integer(0),
    )
    assert sympy.expand(plain / 300 - loss.expr) == 0


def test_a_polynomial_too_long_to_expand_is_summed_plainly(monkeypatch: pytest.MonkeyPatch) -> None:
    import gradcli.losses.sums

    table = read_table_file(CLASSES)
    expanded = build_loss("w1*x1 + w2*x2 + b", table, target="label")
    monkeypatch.setattr(gradcli.losses.sums, "_MAX_TERMS", 0)
    plain = build_loss("w1*x1 + w2*x2 + b", table, target="label")
    assert plain.expr != expanded.expr  # a sum of six squares
    assert sympy.expand(plain.expr) == expanded.expr


# --------------------------------------------------------------------------
# The mean of the rows' gradients is the gradient of the mean


@pytest.mark.parametrize("kind", ["mse", "mae", "logistic", "hinge"])
def test_gradient_of_the_mean_is_the_mean_of_the_rows_gradients(kind: str) -> None:
    table = read_table("x1,x2,t\n0.5,1,1\n-1,2,0\n3,-1/3,1\n")
    loss = build_loss("w1*x1 + w2*x2^2 + exp(b)", table, loss=kind, target="t", l2="1/3", l1=2)
    rows = [
        {**dict(zip(loss.features, row[:2])), loss.target: label}
        for row, label in zip(table.rows, loss.labels)
    ]
    per_row = gradient_of(loss.sample, loss.parameters)
    wanted = [sum((g.xreplace(r) for r in rows), sympy.Integer(0)) / 3 for g in per_row]
    whole = gradient_of(loss.expr, loss.parameters)
    penalty = gradient_of(loss.penalty, loss.parameters)
    for got, of_penalty, want in zip(whole, penalty, wanted):
        assert sympy.simplify(got - of_penalty - want) == 0


def test_labels_are_mapped_and_said_so() -> None:
    table = read_table_file(CLASSES)
    hinge = build_loss("w1*x1 + w2*x2 + b", table, loss="hinge", target="label")
    assert set(hinge.labels) == {-1, 1}
    assert any("reads 0 as -1" in note for note in hinge.notes)
    signed = read_table("x,y\n1,-1\n2,1\n")
    logistic = build_loss("w*x", signed, loss="bce")
    assert logistic.kind == "logistic"
    assert logistic.labels == (0, 1)
    assert any("reads -1 as 0" in note for note in logistic.notes)
    assert build_loss("w*x", signed, loss="hinge").notes == (
        "the hinge loss has a kink where t·m is 1: its gradient there is not defined",
    )


# --------------------------------------------------------------------------
# What a Loss says about itself


def test_parameters_features_and_target_are_the_parsers_symbols() -> None:
    loss = build_loss("w1*x1 + w2*x2 + b", read_table_file(CLASSES), target="label")
    parsed = parse_function("w1*x1 + w2*x2 + b + label").expr.free_symbols
    assert set(loss.parameters) | set(loss.features) | {loss.target} == parsed
    # in the order the model names them
    assert loss.parameters == (w1, w2, b)
    assert [f.name for f in loss.features] == ["x1", "x2"]


def test_the_function_is_what_the_other_commands_take() -> None:
    from gradcli import gradient

    loss = build_loss("w*x + b", read_table_file(LINE), l2="0.01")
    function = loss.function()
    assert function.variables == loss.parameters
    assert function.expr == loss.expr
    g = gradient(function, at="1,2")
    wanted = [d.xreplace({w: 1, b: 2}) for d in gradient_of(loss.expr, loss.parameters)]
    assert list(g.at.value) == wanted


def test_formula() -> None:
    loss = build_loss("w*x + b", read_table_file(LINE))
    assert loss.formula() == "L(w, b) = (1/4) Σᵢ (b + w·xᵢ - yᵢ)²"
    assert loss.formula(written_out=True) == (
        "L(w, b) = (1/4)·[(b - 11/10)² + (b + w - 29/10)² + (b + 2w - 26/5)² + (b + 3w - 34/5)²]"
    )
    logistic = build_loss(
        "w1*x1 + w2*x2 + b", read_table_file(CLASSES), loss="logistic", target="label", l1="1/2"
    )
    assert logistic.formula() == (
        "L(w1, w2, b) = (1/6) Σᵢ [log(1 + e^(b + w1·x1ᵢ + w2·x2ᵢ)) - labelᵢ·(b + w1·x1ᵢ + w2·x2ᵢ)]"
        " + (1/2)·(|b| + |w1| + |w2|)"
    )
    hinge = build_loss("w*x", read_table("x,y\n1,1\n"), loss="hinge")
    assert hinge.formula() == "L(w) = Σᵢ max(0, 1 - w·xᵢ·yᵢ)"
    assert hinge.formula(written_out=True) == "L(w) = max(0, 1 - w)"


def test_notes() -> None:
    line = read_table_file(LINE)
    mae = build_loss("w*x + b", line, loss="mae")
    assert "the MAE has a kink where a residual is 0: its gradient there is not defined" in (
        mae.notes
    )
    assert build_loss("w*x + b", line).notes == ()
    constant = build_loss("c", line)
    assert any("uses no column" in note for note in constant.notes)
    assert constant.expr == sympy.expand(
        sum(((symbol("c") - y) ** 2 for y in line.column("y")), sympy.Integer(0)) / 4
    )
    l1 = build_loss("w*x + b", line, l1="0.1")
    assert any("L1 penalty has a kink" in note for note in l1.notes)
    parsed = build_loss("wx + b", line)  # the parser's reading is passed on
    assert any("w·x" in note for note in parsed.notes)
    assert parsed.features == (symbol("x"),)


def test_a_parsed_function_is_taken_as_the_model() -> None:
    line = read_table_file(LINE)
    model = parse_function("w*x + b", variables=["x"])
    assert build_loss(model, line).expr == build_loss("w*x + b", line).expr


# --------------------------------------------------------------------------
# Reading tables


def test_comments_blank_lines_bom_tabs_and_crlf() -> None:
    table = read_table_file(PLANE)
    assert table.columns == ("x1", "x2", "y")
    assert table.column("y")[0] == sympy.Rational(21, 10)
    assert table.lines == (4, 5, 6, 7, 8)
    assert table.as_array(["x1", "y"]).shape == (5, 2)
    assert table.source == PLANE


def test_cells_are_exact() -> None:
    table = read_table(' a , "b" \n .5, -1/3 \n 3e-2 ,+2\n')
    assert table.columns == ("a", "b")
    assert table.rows == (
        (sympy.Rational(1, 2), sympy.Rational(-1, 3)),
        (sympy.Rational(3, 100), sympy.Integer(2)),
    )
    assert isinstance(table, Table)
    assert table.as_array().dtype == np.float64


@pytest.mark.parametrize(
    ("data", "wanted"),
    [
        ("x,y\n1,2\n3,abc\n", 'points.csv, line 3, column "y": "abc" is not a number'),
        ("x,y\n1,nan\n", 'points.csv, line 2, column "y": "nan" is not a finite number'),
        ("x,y\n1,-inf\n", 'column "y": "-inf" is not a finite number'),
        ("x,y\n1,\n", 'points.csv, line 2, column "y": the cell is empty'),
        ("x,y\n1,2*3\n", '"2*3" is not a number'),
        ("x,y\n1,1/0\n", "divides by zero"),
        ("x,y\n# a comment\n1,2,3\n", "points.csv, line 3: 3 cells, but the header names 2"),
        ("x,y\n1\n", "points.csv, line 2: 1 cell, but"),
        ("", "points.csv is empty"),
        ("# only a comment\n\n", "points.csv is empty"),
        ("x,y\n", "points.csv has no data rows"),
        ("x,x\n1,2\n", 'two columns are named "x"'),
        ("x,2y\n1,2\n", 'the column name "2y" is not a name'),
        ("x,my y\n1,2\n", 'the column name "my y" is not a name'),
        ("x,sin\n1,2\n", 'the column name "sin" is a function or constant'),
        ("x,e\n1,2\n", 'the column name "e" is a function or constant'),
        ("x,for\n1,2\n", 'the column name "for" is a word of Python'),
        ("x,,y\n1,2,3\n", "points.csv, line 1: column 2 has no name"),
        ('x,y\n1,"2\n', "points.csv, line 2: bad quoting"),
        ('x,y\n1,"2" 3\n', "points.csv, line 2: bad quoting"),
    ],
)
def test_bad_tables_are_refused_naming_the_place(data: str, wanted: str) -> None:
    with pytest.raises(InputError) as error:
        read_table(data, source="points.csv")
    assert wanted in error.value.message


def test_bad_bytes_are_refused() -> None:
    with pytest.raises(InputError, match="UTF-16"):
        read_table("x,y\n1,2\n".encode("utf-16"), source="points.csv")
    with pytest.raises(InputError, match="UTF-16"):
        read_table("x,y\n1,2\n".encode("utf-16-le"), source="points.csv")
    with pytest.raises(InputError, match=r"points\.csv, line 2: not UTF-8 text"):
        read_table(b"x,y\n1,\xff\n", source="points.csv")
    assert read_table(b"\xef\xbb\xbfx,y\n1,2\n").columns == ("x", "y")
    assert read_table("\ufeffx,y\n1,2\n").columns == ("x", "y")


@pytest.mark.parametrize(
    ("data", "limits", "wanted"),
    [
        ("x\n" + "1\n" * 2001, TableLimits(), "more than 2,000 data rows"),
        ("x\n1\n2\n3\n", TableLimits(max_rows=2), "more than 2 data rows"),
        (",".join(f"c{i}" for i in range(21)) + "\n", TableLimits(), "more than 20 columns"),
        ("x\n" + "1" * 101 + "\n", TableLimits(), "longer than 100 characters"),
        ("x\n" + "1\n" * 600_000, TableLimits(), "larger than 1,000,000 bytes"),
        ("x\n12\n", TableLimits(max_bytes=4), "larger than 4 bytes"),
        ("x\n1e5000\n", TableLimits(), "exponent is larger than 1,000"),
    ],
)
def test_bounds(data: str, limits: TableLimits, wanted: str) -> None:
    with pytest.raises(LimitError) as error:
        read_table(data, source="big.csv", limits=limits)
    assert wanted in error.value.message
    with pytest.raises(LimitError):
        read_table(data.encode(), source="big.csv", limits=limits)


def test_a_file_is_read_only_up_to_the_bound(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(b"x\n" + b"1\n" * 600_000)
    with pytest.raises(LimitError, match="larger than 1,000,000 bytes"):
        read_table_file(str(big))
    with pytest.raises(InputError, match=r"cannot read .*missing\.csv"):
        read_table_file(str(tmp_path / "missing.csv"))
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes("x,y\n1,2\n".encode("utf-16"))
    with pytest.raises(InputError, match=r"utf16\.csv is UTF-16 text: save it as UTF-8"):
        read_table_file(str(utf16))


def test_exact_decimal() -> None:
    assert exact_decimal("-1.5", "c") == sympy.Rational(-3, 2)
    assert exact_decimal("1/3", "c") == sympy.Rational(1, 3)
    assert exact_decimal("2.50E+1", "c") == 25
    for bad in ("0x10", "1_000", "1.2.3", "pi", "１", "1e", "--1", "(1)"):
        with pytest.raises(InputError, match="is not a number"):
            exact_decimal(bad, "c")
    with pytest.raises(LimitError):
        exact_decimal("9" * 4000, "c")


# --------------------------------------------------------------------------
# Building losses: what is refused


@pytest.mark.parametrize(
    ("model", "options", "wanted"),
    [
        (
            "w*x + b",
            {"target": "label"},
            'no column "label" in points.csv: its columns are x, y; name the label column'
            " with --target",
        ),
        ("w*x + y", {}, 'uses the label column "y"'),
        ("x^2", {}, "has no parameters to fit"),
        ("w*x", {"loss": "cross-entropy"}, 'points.csv, line 3, column "y": the logistic loss'),
        ("w*x", {"loss": "hinge"}, "not 2"),
        ("w*x", {"loss": "huber"}, 'unknown loss "huber"'),
        ("w*x", {"l2": "-0.01"}, "--l2 must be at least 0"),
        ("w*x", {"l1": "-1/2"}, "--l1 must be at least 0"),
        ("w*x", {"l2": "abc"}, "--l2 must be a number"),
        ("w*x +", {}, "the expression ends too early"),
    ],
)
def test_bad_losses_are_refused(model: str, options: dict[str, Any], wanted: str) -> None:
    table = read_table("x,y\n1,0\n2,2\n3,1\n", source="points.csv")
    with pytest.raises(InputError) as error:
        build_loss(model, table, **options)
    assert wanted in error.value.message


@pytest.mark.parametrize(
    ("model", "wanted"),
    [
        ("w*log(x)", "points.csv, line 3: the loss is undefined on this row (x = 0, y = 1)"),
        ("w/x + b", "points.csv, line 3: the loss is undefined"),
        ("w*sqrt(x)", "points.csv, line 4: the loss is not real on this row (x = -4, y = 3)"),
    ],
)
def test_a_row_where_the_model_is_undefined_is_named(model: str, wanted: str) -> None:
    table = read_table("x,y\n1,2\n0,1\n-4,3\n", source="points.csv")
    with pytest.raises(UndefinedError) as error:
        build_loss(model, table)
    assert wanted in error.value.message


def test_logistic_labels_other_than_the_pairs_name_their_line() -> None:
    table = read_table("x,y\n1,0\n2,1\n3,-1\n", source="points.csv")
    with pytest.raises(InputError, match=r'line 4, column "y": .* not -1'):
        build_loss("w*x", table, loss="logistic")


# --------------------------------------------------------------------------
# Property: the mse of any small table is the numpy oracle's


cells = st.integers(-999, 999).map(lambda n: n / 100)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 2).flatmap(
        lambda k: st.lists(st.lists(cells, min_size=k + 1, max_size=k + 1), min_size=1, max_size=8)
    ),
    st.lists(st.integers(-300, 300), min_size=3, max_size=3),
)
def test_the_mse_is_the_oracles_on_any_small_table(
    rows: list[list[float]], theta: list[int]
) -> None:
    k = len(rows[0]) - 1
    header = ",".join([*(f"x{j + 1}" for j in range(k)), "y"])
    text = header + "\n" + "\n".join(",".join(repr(v) for v in row) for row in rows)
    model = " + ".join([*(f"w{j + 1}*x{j + 1}" for j in range(k)), "b"])
    loss: Loss = build_loss(model, read_table(text))
    weights = [sympy.Rational(t, 100) for t in theta[:k]]
    bias = sympy.Rational(theta[-1], 100)
    point = {**dict(zip((w1, w2)[:k], weights)), b: bias}
    X = np.array([row[:k] for row in rows])
    y = np.array([row[k] for row in rows])
    wanted, _ = oracle("mse", X, y, np.array([float(v) for v in weights]), float(bias), 0, 0)
    assert math.isclose(float(loss.expr.xreplace(point)), wanted, rel_tol=1e-12, abs_tol=1e-12)
