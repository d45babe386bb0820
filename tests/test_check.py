"""The answer checker's core: equality, decimals, mistakes, batches, formats."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradcli.calculus import gradient
from gradcli.formats import check as formats
from gradcli.grading import (
    MISTAKES,
    BatchReader,
    BatchRow,
    DecimalRule,
    Grader,
    PartResult,
    RowResult,
    Verdict,
    check,
    equivalent,
    exit_code,
    significant_figures,
    summarize,
    summary_line,
)
from gradcli.parse import parse_expression, parse_function
from gradcli.printing import to_text
from gradcli.render.check import batch_table, to_table
from gradcli.render.console import Screen

DATA = Path(__file__).parent / "data" / "check"
F = "x^2 + y^2 + xy"


def verdicts(result: Verdict) -> list[tuple[str, int | None, str]]:
    return [(p.part, p.component, p.verdict) for p in result.parts]


def mistakes(result: Verdict, part: str | None = None) -> set[str]:
    return {m for p in result.parts if part in (None, p.part) for m in p.mistakes}


# --------------------------------------------------------------------------
# The examples


def test_everything_right_is_all_correct() -> None:
    result = check(F, gradient="y+2x, 2y+x", at="1,3", value="5,7", magnitude="sqrt(74)")
    assert result.correct
    assert result.exit_code == 0
    assert {p.verdict for p in result.parts} == {"correct"}
    assert result.summary == "All 3 parts correct."


def test_magnitude_to_two_significant_figures() -> None:
    result = check(F, at="1,3", magnitude="8.6")
    (part,) = result.parts
    assert (part.verdict, part.method) == ("correct", "decimal")
    assert part.message == "correct to 2 significant figures"


def test_missing_xy_term_is_named_for_each_component() -> None:
    result = check(F, gradient="2x, 2y")
    assert result.exit_code == 1
    x, y = result.parts
    assert x.verdict == y.verdict == "wrong"
    assert x.mistakes == y.mistakes == ("missing_term",)
    assert "missing y" in x.message and "x·y" in x.message
    assert "missing x" in y.message and "x·y" in y.message


def test_expected_answers_only_with_reveal() -> None:
    hidden = check(F, gradient="2x, 2y")
    shown = check(F, gradient="2x, 2y", reveal=True)
    assert all(p.expected is None for p in hidden.parts)
    assert [p.expected for p in shown.parts] == ["2*x + y", "x + 2*y"]


# --------------------------------------------------------------------------
# Equality


def expr(text: str) -> sympy.Expr:
    return parse_expression(text)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("sin(2x)", "2 sin(x) cos(x)"),
        ("e^x e^y", "exp(x+y)"),
        ("sqrt(x^2)", "|x|"),
        ("sin(x)^2 + cos(x)^2", "1"),
        ("tan(x)", "sin(x)/cos(x)"),
        ("(x+1)^3", "x^3 + 3x^2 + 3x + 1"),
    ],
)
def test_equivalent_forms_are_proved_symbolically(answer: str, expected: str) -> None:
    result = equivalent(expr(answer), expr(expected))
    assert (result.equal, result.method) == (True, "symbolic")


@pytest.mark.parametrize(
    ("answer", "expected"),
    [("sin(2x)", "2 sin(x) cos(x)"), ("e^x e^y", "exp(x+y)"), ("acosh(x)", "ln(x+sqrt(x^2-1))")],
)
def test_numeric_first_agrees(answer: str, expected: str) -> None:
    result = equivalent(expr(answer), expr(expected), prefer="numeric")
    assert result.equal is True
    assert result.method == "numeric"


def test_removable_singularity_is_numeric_and_says_so() -> None:
    result = equivalent(expr("(x^2-1)/(x-1)"), expr("x+1"))
    assert (result.equal, result.method) == (True, "numeric")
    assert "where both are defined" in result.detail
    assert "x - 1 = 0" in result.detail


def test_removable_singularity_in_a_check() -> None:
    result = check("x^2/2 + x + y", gradient="(x^2-1)/(x-1), 1")
    assert result.correct
    assert result.parts[0].method == "numeric"
    assert "where both are defined" in result.parts[0].message


def test_wrong_is_found_at_a_point() -> None:
    result = equivalent(expr("2x + y"), expr("2x + 2y"))
    assert (result.equal, result.method) == (False, "numeric")
    assert result.detail.startswith("differs at x = ")


def test_answer_undefined_where_expected_is_defined_is_wrong() -> None:
    result = equivalent(expr("2 ln(x)"), expr("ln(x^2)"))
    assert result.equal is False
    assert "undefined" in result.detail


def test_too_few_points_in_the_domain_is_undecided_not_a_guess() -> None:
    result = equivalent(expr("sqrt(-1-x^2)"), expr("sqrt(-1-x^2) + 1"))
    assert result.equal is None
    assert result.method is None
    assert result.detail.startswith("cannot decide: only 0 of")


def test_undecided_verdict_and_exit_code() -> None:
    result = check("sqrt(-1-x^2-y^2)", gradient="0, 0")
    assert {p.verdict for p in result.parts} == {"undecided"}
    assert result.exit_code == 3


def test_narrow_domain_still_sampled() -> None:
    result = equivalent(expr("2 sqrt(1-x^2-y^2)"), expr("sqrt(4-4x^2-4y^2)"), prefer="numeric")
    assert result.equal is True


def test_seed_makes_the_points_reproducible() -> None:
    first = equivalent(expr("x + y"), expr("x + 2y"), seed=7)
    again = equivalent(expr("x + y"), expr("x + 2y"), seed=7)
    other = equivalent(expr("x + y"), expr("x + 2y"), seed=8)
    assert first == again
    assert first.detail != other.detail


def test_rounding_noise_is_not_a_difference() -> None:
    # equal, but evaluated in floats through very different roundings
    assert equivalent(expr("(x+1)^12"), sympy.expand(expr("(x+1)^12"))).equal is True


def test_a_tiny_exact_difference_is_a_difference() -> None:
    # decimals in an answer are exact: 1e-12 is 1/10^12, not float rounding
    assert equivalent(expr("x"), expr("x + 1e-12")).equal is False
    assert equivalent(expr("x"), expr("x + 1e-12"), prefer="numeric").equal is False
    assert equivalent(expr("x"), expr("x + 1e-6")).equal is False


# --------------------------------------------------------------------------
# Decimals


@pytest.mark.parametrize(
    ("literal", "figures"),
    [("8.6", 2), ("8.60", 3), ("0.0050", 2), ("8.602", 4), ("86e-1", 2), ("1.0e2", 2), ("-0.5", 1)],
)
def test_significant_figures(literal: str, figures: int) -> None:
    assert significant_figures(literal) == figures


@pytest.mark.parametrize("literal", ["9", "x", "8.6.1", "", "1/2"])
def test_not_decimals(literal: str) -> None:
    assert significant_figures(literal) is None


ROOT74 = sympy.sqrt(74)  # 8.6023252670…


@pytest.mark.parametrize(
    ("literal", "ok", "message"),
    [
        ("8.6", True, "correct to 2 significant figures"),
        ("8.60", True, "correct to 3 significant figures"),
        ("8.602", True, "correct to 4 significant figures"),
        ("8.6023", True, "correct to 5 significant figures"),
        (
            "8.603",
            False,
            "8.603 is not the exact value rounded to the 4 significant figures written",
        ),
        ("8.61", False, "8.61 is not the exact value rounded to the 3 significant figures written"),
        ("8.7", False, "8.7 is not the exact value rounded to the 2 significant figures written"),
        ("9.", False, "9. has too few significant figures: give at least 2"),
    ],
)
def test_decimal_rule(literal: str, ok: bool, message: str) -> None:
    assert DecimalRule().judge(literal, ROOT74) == (ok, message)


def test_explicit_tolerance_replaces_the_rule() -> None:
    from fractions import Fraction

    assert DecimalRule(tol=Fraction(1, 10**4)).judge("8.6", ROOT74)[0] is False
    assert DecimalRule(tol=Fraction(1, 10**4)).judge("8.603", ROOT74)[0] is True
    assert DecimalRule(tol=Fraction(2, 100)).judge("8.7", ROOT74)[0] is True


def test_decimal_answers_in_a_check() -> None:
    result = check(F, at="1,3", value="5.0, 7.00", magnitude="8.602", direction="0.581, 0.814")
    assert result.correct
    methods = {p.part: p.method for p in result.parts}
    assert methods == {"value": "symbolic", "magnitude": "decimal", "direction": "decimal"}


def test_integers_are_exact_not_decimals() -> None:
    assert not check(F, at="1,3", magnitude="9").correct


def test_decimals_in_a_symbolic_answer_are_exact() -> None:
    assert check("x^2/4", gradient="0.5x").correct
    wrong = check("x^2/3", gradient="0.667x")
    assert not wrong.correct
    assert "decimals are read exactly" in wrong.parts[0].message


# --------------------------------------------------------------------------
# Mistakes: each detected on a case, and never on the right answer

MISTAKE_CASES = [
    # (f, options, the right answers, mistake)
    (F, {"gradient": "x + 2y, 2x + y"}, {"gradient": "2x+y, x+2y"}, "swapped_components"),
    (F, {"gradient": "-2x - y, -x - 2y"}, {"gradient": "2x+y, x+2y"}, "sign_error"),
    (F, {"gradient": "2x - y, x + 2y"}, {"gradient": "2x+y, x+2y"}, "sign_error"),
    ("x^3 + y^2", {"gradient": "x^2, 2y"}, {"gradient": "3x^2, 2y"}, "constant_factor"),
    (F, {"gradient": "x + y, x + 2y"}, {"gradient": "2x+y, x+2y"}, "constant_factor"),
    (F, {"gradient": "2x, 2y"}, {"gradient": "2x+y, x+2y"}, "missing_term"),
    ("x^2 y", {"gradient": "x^2, x^2"}, {"gradient": "2xy, x^2"}, "wrong_variable"),
    ("x^2 + y^2", {"gradient": "2x + 2y, 2y"}, {"gradient": "2x, 2y"}, "wrong_variable"),
    ("sin(x^2 y)", {"gradient": "cos(x^2 y), x^2 cos(x^2 y)"},
     {"gradient": "2xy cos(x^2 y), x^2 cos(x^2 y)"}, "missing_chain_factor"),
    ("exp(3x) + y", {"gradient": "exp(3x), 1"}, {"gradient": "3exp(3x), 1"},
     "missing_chain_factor"),
    (F, {"gradient": "x^3/3 + xy^2 + x^2y/2, x + 2y"}, {"gradient": "2x+y, x+2y"},
     "antiderivative"),
    ("x y + y", {"gradient": "xy + y, x + 1"}, {"gradient": "y, x+1"}, "function_itself"),
    (F, {"at": "1,3", "value": "-1, -5"}, {"at": "1,3", "value": "5,7"}, "wrong_point"),
    ("x^2 + 3y", {"at": "1,3", "value": "6, 3"}, {"at": "1,3", "value": "2,3"}, "wrong_point"),
    (F, {"at": "1,3", "magnitude": "74"}, {"at": "1,3", "magnitude": "sqrt(74)"},
     "magnitude_squared"),
    (F, {"at": "1,3", "direction": "5, 7"}, {"at": "1,3", "direction": "(5,7)/sqrt(74)"},
     "not_normalized"),
    (F, {"at": "1,3", "along": "1,1", "directional": "12"},
     {"at": "1,3", "along": "1,1", "directional": "12/sqrt(2)"}, "not_normalized"),
    (F, {"at": "1,3", "along": "1,1", "directional": "sqrt(74)"},
     {"at": "1,3", "along": "1,1", "directional": "6 sqrt(2)"}, "max_rate"),
    (F, {"gradient": "2x + y"}, {"gradient": "2x+y, x+2y"}, "wrong_length"),
    (F, {"at": "1,3", "value": "5, 7, 0"}, {"at": "1,3", "value": "5, 7"}, "wrong_length"),
    (F, {"hessian": "[[2, 1]]"}, {"hessian": "[[2, 1], [1, 2]]"}, "wrong_length"),
    (F, {"gradient": "2x + y + 1, x + 2y", "at": "1,3", "value": "6, 7"},
     {"gradient": "2x+y, x+2y", "at": "1,3", "value": "5, 7"}, "carried_error"),
    (F, {"at": "1,3", "value": "2x+y, x+2y"}, {"at": "1,3", "value": "5, 7"}, "not_evaluated"),
    ("x^3 - 3x + y^2", {"critical": "(1,0) max; (-1,0) saddle"},
     {"critical": "(1,0) min; (-1,0) saddle"}, "wrong_kind"),
    ("x^3 - 3x + y^2", {"critical": "(1,0) min"}, {"critical": "(1,0) min; (-1,0) saddle"},
     "missing_point"),
    ("x^3 - 3x + y^2", {"critical": "(1,0) min; (0,0) saddle; (-1,0) saddle"},
     {"critical": "(1,0) min; (-1,0) saddle"}, "extra_point"),
    (F, {"hessian": "[[-2, 1], [1, 2]]"}, {"hessian": "[[2, 1], [1, 2]]"}, "sign_error"),
]  # fmt: skip


@pytest.mark.parametrize(("f", "wrong", "right", "mistake"), MISTAKE_CASES)
def test_mistake_is_named_and_not_on_the_right_answer(
    f: str, wrong: dict[str, str], right: dict[str, str], mistake: str
) -> None:
    result = check(f, **wrong)
    assert not result.correct
    assert mistake in mistakes(result), result.parts
    fine = check(f, **right)
    assert fine.correct, fine.parts
    assert not mistakes(fine)


def test_every_mistake_in_the_vocabulary_has_a_case() -> None:
    assert {case[3] for case in MISTAKE_CASES} == set(MISTAKES)


def test_swapped_coordinates_are_named() -> None:
    result = check("x^2 + 3y", at="1,3", value="6, 3")
    assert "coordinates are swapped" in result.parts[0].message


def test_descent_direction_is_named() -> None:
    result = check(F, at="1,3", direction="(-5,-7)/sqrt(74)")
    assert mistakes(result) == {"sign_error"}
    assert "steepest descent" in result.parts[0].message


# --------------------------------------------------------------------------
# Reading answers


@pytest.mark.parametrize(
    "text", ["2x+y, x+2y", "(2x+y, x+2y)", "<2x+y, x+2y>", "[2x+y, x+2y]", "(2x+y), (x+2y)"]
)
def test_vector_forms(text: str) -> None:
    assert check(F, gradient=text).correct


@pytest.mark.parametrize(
    "text", ["(5,7)/sqrt(74)", "1/sqrt(74) (5, 7)", "(1/sqrt(74))*<5, 7>", "<5,7>/sqrt(74)"]
)
def test_scaled_vectors(text: str) -> None:
    assert check(F, at="1,3", direction=text).correct


@pytest.mark.parametrize("text", ["[[2,1],[1,2]]", "[2,1],[1,2]", "2, 1; 1, 2", "((2, 1), (1, 2))"])
def test_matrix_forms(text: str) -> None:
    assert check(F, hessian=text).correct


def test_hessian_at_a_point() -> None:
    assert check("x^3 + y^2", at="1,2", hessian="[[6, 0], [0, 2]]").correct
    assert check("x^3 + y^2", hessian="[[6x, 0], [0, 2]]").correct


def test_critical_points_in_any_order_and_words() -> None:
    f = "x^3 - 3x + y^2"
    assert check(f, critical="(-1, 0) saddle point, (1, 0) local minimum").correct
    assert check(f, critical="(1,0); (-1,0)").correct
    assert check("x^2 + y^2 + 1", critical="(0.0, 0.0) min").parts[0].method == "decimal"
    assert check("x + y", critical="none").correct


def test_unreadable_answer_keeps_the_position_and_hint() -> None:
    # sinx alone reads as sin(x) (R1); with a power after it, it is ambiguous
    result = check(F, gradient="2x + y, sinx^2")
    (part,) = result.parts
    assert part.verdict == "unreadable"
    assert result.exit_code == 2
    assert part.given == "2x + y, sinx^2"
    assert part.position == 8
    assert part.hint and "sin(x)^2" in part.hint


def test_a_symbol_that_is_not_a_variable_is_unreadable() -> None:
    result = check(F, gradient="2x + y, x + 2z")
    (part,) = result.parts
    assert part.verdict == "unreadable"
    assert "'z' is not a variable" in part.message
    assert part.position == 13


def test_parameters_are_allowed() -> None:
    assert check("a x^2 + b y", variables=["x", "y"], gradient="2 a x, b").correct


def test_other_parts_still_graded_when_one_is_unreadable() -> None:
    result = check(F, gradient="2x+y, ", at="1,3", value="5,7")
    assert verdicts(result) == [
        ("gradient", None, "unreadable"),
        ("value", 0, "correct"),
        ("value", 1, "correct"),
    ]


def test_direction_at_a_critical_point() -> None:
    assert check("x^2 + y^2", at="0,0", direction="none").correct
    assert not check("x^2 + y^2", at="0,0", direction="1, 0").correct


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "nothing to check"),
        ({"value": "5,7"}, "--value needs the point"),
        ({"at": "1,3", "directional": "1"}, "--directional needs the direction"),
        ({"gradient": "2x+y, x+2y", "along": "1,1"}, "--along is used only with --directional"),
    ],
)
def test_usage_errors(options: dict[str, str], message: str) -> None:
    from gradcli.errors import InputError

    with pytest.raises(InputError, match=message):
        check(F, **options)


# --------------------------------------------------------------------------
# Property: the true gradient is always right, and a shifted one never

_names = st.sampled_from(["x", "y"])
_atoms = st.one_of(_names, st.integers(1, 4).map(str))


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, children).map(lambda p: f"({p[0]}) + ({p[1]})"),
        st.tuples(children, children).map(lambda p: f"({p[0]})*({p[1]})"),
        st.tuples(children, st.integers(2, 3)).map(lambda p: f"({p[0]})^{p[1]}"),
        st.sampled_from(["sin", "cos", "exp"]).flatmap(
            lambda fn: children.map(lambda c: f"{fn}({c})")
        ),
        children.map(lambda c: f"ln(({c})^2 + 1)"),
        children.map(lambda c: f"sqrt(({c})^2 + 1)"),
    )


functions = st.recursive(_atoms, _combine, max_leaves=4)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(functions)
def test_the_true_gradient_is_always_correct(text: str) -> None:
    function = parse_function(text, variables=["x", "y"])
    components = gradient(function, simplify=False).components
    answer = ", ".join(to_text(c) for c in components)
    result = check(function, gradient=answer)
    assert result.correct, result.parts
    assert not mistakes(result)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(functions)
def test_a_shifted_gradient_is_never_correct(text: str) -> None:
    function = parse_function(text, variables=["x", "y"])
    components = gradient(function, simplify=False).components
    answer = ", ".join(f"({to_text(c)}) + 1" for c in components)
    result = check(function, gradient=answer)
    assert {p.verdict for p in result.parts} == {"wrong"}


# --------------------------------------------------------------------------
# Batches


def test_csv_rows_and_aliases() -> None:
    reader = BatchReader(["Student, Function ,Gradient,email", 'ann, x*y ,"y, x",a@b'])
    (row,) = list(reader)
    assert row.id == "ann"
    assert dict(row.fields) == {"expression": "x*y", "gradient": "y, x"}
    assert reader.extra == ["email"]


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_separated_files(delimiter: str) -> None:
    lines = [f"id{delimiter}gradient{delimiter}value", f"ann{delimiter}2x, 2y{delimiter}5,7"]
    (row,) = list(BatchReader(lines))
    assert dict(row.fields) == {"gradient": "2x, 2y", "value": "5,7"}


def test_malformed_csv_rows_are_rows_with_an_error() -> None:
    lines = ["id,gradient", 'a,"2x, 2y"', "b,2x,2y", "", "c"]
    rows = list(BatchReader(lines))
    assert [(r.line, r.id, r.error is None) for r in rows] == [
        (2, "a", True),
        (3, "b", False),
        (5, "c", False),
    ]
    assert "quote answers that contain commas" in (rows[1].error or "")


def test_a_field_past_the_csv_limit_is_a_malformed_row() -> None:
    lines = ["id,gradient", 'a,"' + "x" * 200_000 + '"', "b,2x"]
    rows = list(BatchReader(lines))
    assert [r.error is None for r in rows] == [False, True]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], "empty"),
        (["id,email"], "no answer columns"),
        (["id,gradient,Gradient"], "twice"),
    ],
)
def test_unusable_batch_files(lines: list[str], message: str) -> None:
    from gradcli.errors import InputError

    with pytest.raises(InputError, match=message):
        list(BatchReader(lines))


def test_json_lines() -> None:
    rows = list(BatchReader((DATA / "class.jsonl").read_text().splitlines()))
    assert [r.id for r in rows] == ["ann", "ben", "cai", "5", "dee", "7", "eve"]
    assert dict(rows[0].fields)["value"] == "5, 7"
    assert [r.error is not None for r in rows] == [False, False, False, True, True, True, False]


def test_every_row_gets_one_result_whatever_it_holds() -> None:
    grader = Grader(expression=F)
    rows = list(BatchReader((DATA / "hostile.csv").read_text().splitlines()))
    results = [grader.grade_row(row) for row in rows]
    assert len(results) == len(rows) == 18
    assert [r.id for r in results][-3:] == ["ok", "short", "toomany"]
    # whether a huge number is refused depends on the limits (GRADCLI_MAX_DIGITS …)
    sized = {"digits", "tower", "bigexp"}
    for result in results:
        if result.id == "ok":
            assert result.correct
        else:
            allowed = {"unreadable", "wrong"} if result.id in sized else {"unreadable"}
            assert {p.verdict for p in result.parts} <= allowed, result
            assert all(p.message for p in result.parts)


def test_row_problems_are_reasons_not_crashes() -> None:
    grader = Grader()
    no_problem = grader.grade_row(BatchRow(1, "a", (("gradient", "1"),)))
    bad_problem = grader.grade_row(BatchRow(2, "b", (("expression", "x +"), ("gradient", "1"))))
    no_point = grader.grade_row(BatchRow(3, "c", (("expression", "x"), ("value", "1"))))
    for result, words in [
        (no_problem, "no expression"),
        (bad_problem, "the problem cannot be used"),
        (no_point, "needs a point"),
    ]:
        (part,) = result.parts
        assert (part.part, part.verdict) == ("row", "unreadable")
        assert words in part.message


def test_summary_counts() -> None:
    grader = Grader(expression=F, at="1,3")
    rows = list(BatchReader((DATA / "class.csv").read_text().splitlines()))
    summary = summarize(grader.grade_row(row) for row in rows)
    assert (summary.rows, summary.all_correct, summary.with_wrong, summary.unreadable) == (
        8,
        2,
        5,
        1,
    )
    assert summary.parts == (("gradient", 4, 8), ("value", 4, 7), ("magnitude", 4, 7))
    # counted once per answer and part: ben's value and magnitude, fay's value
    assert summary.mistakes[:2] == (("carried_error", 3), ("swapped_components", 2))


def test_exit_codes_and_summary_line() -> None:
    assert exit_code(["correct", "undecided", "wrong"]) == 1
    assert exit_code(["wrong", "unreadable"]) == 2
    assert exit_code(["correct", "undecided"]) == 3
    parts = [
        PartResult("gradient", 0, "", "correct"),
        PartResult("value", 0, "", "wrong"),
        PartResult("magnitude", None, "", "unreadable"),
    ]
    assert summary_line(parts) == "1 of 3 parts correct; wrong: value; unreadable: magnitude."


# --------------------------------------------------------------------------
# Formats: exact output for one fixed result


def fixed_verdict() -> Verdict:
    function = parse_function(F)
    return Verdict(
        function=function,
        point=(sympy.Integer(1), sympy.Integer(3)),
        seed=0,
        revealed=True,
        parts=(
            PartResult("gradient", 0, "∂f/∂x", "correct", "symbolic", given="y + 2x",
                       expected="2*x + y", expected_shown="2x + y"),
            PartResult("gradient", 1, "∂f/∂y", "wrong", "numeric", ("missing_term",),
                       "missing x, the derivative of x·y with respect to y",
                       given="2y", expected="x + 2*y", expected_shown="x + 2y"),
            PartResult("magnitude", None, "|∇f(1, 3)|", "correct", "decimal",
                       message="correct to 2 significant figures", given="8.6",
                       expected="sqrt(74)", expected_shown="√74"),
            PartResult("value", None, "value", "unreadable", message="unexpected ')'",
                       given="5, 7)", position=4),
        ),
    )  # fmt: skip


def golden(name: str, text: str) -> None:
    """Compare with a golden file; GRADCLI_UPDATE_GOLDEN=1 rewrites it (read the diff)."""
    path = DATA / name
    if os.environ.get("GRADCLI_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"differs from {path}"


def test_json_golden() -> None:
    text = formats.to_json(fixed_verdict())
    golden("verdict.json", text)
    data = json.loads(text)
    assert data["correct"] is False
    assert set(data["parts"][0]) >= {
        "part", "component", "verdict", "method", "mistakes", "message",
    }  # fmt: skip


def test_csv_golden() -> None:
    golden("verdict.csv", formats.to_csv(fixed_verdict()))


def test_plain_golden() -> None:
    golden("verdict.txt", formats.to_plain(fixed_verdict()))


def test_table_golden() -> None:
    golden("verdict.table", to_table(fixed_verdict(), Screen(width=100, color=False)))


def fixed_rows() -> list[RowResult]:
    right = PartResult(
        "gradient",
        0,
        "∂f/∂x",
        "correct",
        "symbolic",
        given="2cos2x",
        notes=("read 'cos2x' as cos(2x)",),
    )
    return [
        RowResult(2, "ann", (right, PartResult("magnitude", None, "|∇f|", "correct", "decimal",
                                                message="correct to 2 significant figures"))),
        RowResult(3, "ben", (PartResult("gradient", 0, "∂f/∂x", "wrong", "numeric",
                                        ("sign_error",), "the sign is wrong", given="-2x-y"),
                             PartResult("gradient", 1, "∂f/∂y", "wrong", "numeric",
                                        ("sign_error",), "the sign is wrong", given="-x-2y"))),
        RowResult(4, "cai", (PartResult("row", None, "row", "unreadable",
                                        message="2 fields, but the header has 3"),)),
    ]  # fmt: skip


def test_batch_csv_golden() -> None:
    rows = fixed_rows()
    text = formats.batch_header(reveal=False) + "".join(
        formats.batch_csv_rows(r, reveal=False) for r in rows
    )
    golden("batch.csv", text)


def test_batch_json_row_golden() -> None:
    golden("batch.jsonl", "".join(formats.batch_json_row(r) + "\n" for r in fixed_rows()))


def test_batch_table_golden() -> None:
    rows = fixed_rows()
    text = batch_table(rows, summarize(rows), Screen(width=100, color=False), reveal=False)
    golden("batch.table", text)


def test_summary_dict() -> None:
    data = formats.summary_dict(summarize(fixed_rows()))
    assert data == {
        "rows": 3,
        "all_correct": 1,
        "with_wrong": 1,
        "unreadable": 1,
        "undecided": 0,
        "malformed": 0,
        "parts": {"gradient": {"correct": 1, "total": 2}, "magnitude": {"correct": 1, "total": 1}},
        "mistakes": [{"mistake": "sign_error", "count": 1}],
    }
