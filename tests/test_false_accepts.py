"""A grader with zero false accepts: every verdict is proved, or honestly not given.

Each class of wrong answer the old engine accepted is run through the real
console script; the properties use sympy's own diff (through gradcli's
gradient, checked against it elsewhere) as the oracle of the right answer.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest
import sympy
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from gradcli.errors import GradcliError
from gradcli.grading import DecimalRule, check
from gradcli.parse import parse_function
from gradcli.printing import to_text
from tests.conftest import invoke


def run(*args: str, stdin: str | None = None) -> tuple[int, dict]:
    """``gradcli check ARGS --format json`` in-process (click's runner): exit code and JSON."""
    result = invoke("check", *args, "--format", "json", input=stdin)
    assert "Traceback" not in result.stderr, result
    return result.exit_code, json.loads(result.stdout)


def script(*args: str, stdin: str | None = None) -> tuple[int, dict]:
    """The same through the real console script, in its own process."""
    done = subprocess.run(
        [sys.executable, "-m", "gradcli", "check", *args, "--format", "json"],
        capture_output=True,
        text=True,
        input=stdin,
        check=False,
        timeout=120,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout)


def verdicts(result: dict) -> list[str]:
    return [p["verdict"] for p in result["parts"]]


# --------------------------------------------------------------------------
# Exact differences too small for floats


@pytest.mark.parametrize(
    ("f", "answer"),
    [
        ("x^2 + y", "2x + 1e-11, 1"),
        ("x^2 + y", "2x + 0.0000000001, 1"),
        ("x^2 + y", "2x - 1/10^15, 1"),
        # a coefficient rounded to 15 figures is not 1/3
        ("x^2*y/3 + y", "2x*y/3, 0.333333333333333*x^2 + 1"),
        # 2^(t/5.1), its exponent rounded to 12 figures
        ("5.1*2^(t/5.1)/ln(2)", "2^(0.196078431373*t)"),
        # a constant term off by one under values near 10^13
        ("x^14/14 + 3x^13 + x^2*y + y", "x^13 + 39x^12 + 2x*y + 1, x^2 + 1"),
    ],
)
def test_a_difference_floats_cannot_see_is_wrong(f: str, answer: str) -> None:
    code, result = script(f, "--gradient", answer)
    assert "wrong" in verdicts(result), result
    assert code == 1


def test_a_tiny_constant_is_rejected_by_the_symbolic_step_with_its_value() -> None:
    _, result = run("x^2 + y", "--gradient", "2x + 1e-11, 1")
    first = result["parts"][0]
    assert (first["verdict"], first["method"]) == ("wrong", "symbolic")
    assert "1/100000000000" in first["message"]


def test_a_tiny_constant_in_a_batch_is_wrong() -> None:
    batch = 'id,gradient\nann,"2x + 0.0000000001, 1"\nben,"2x, 1"\n'
    code, result = script("x^2 + y", "--batch", "-", stdin=batch)
    assert code == 0
    rows = {row["id"]: verdicts(row) for row in result["rows"]}
    assert rows == {"ann": ["wrong", "correct"], "ben": ["correct", "correct"]}


def test_rationals_are_not_floats() -> None:
    _, result = script("99999998/99999999 * x", "--at", "1", "--value", "99999999/10^8")
    assert verdicts(result) == ["wrong"]


def test_an_identically_zero_answer_against_zero_is_right() -> None:
    zero = "sqrt(2x*sqrt(x^2+1) + 2x^2 + 1) - sqrt(x^2+1) - x"
    code, result = run("y", "--vars", "x,y", "--gradient", f"{zero}, 1")
    assert verdicts(result) == ["correct", "correct"], result
    assert code == 0
    assert all(not p["mistakes"] for p in result["parts"])
    code, result = run("x + y", "--gradient", f"{zero} + 1, 1")
    assert verdicts(result) == ["correct", "correct"]


# --------------------------------------------------------------------------
# Non-smooth parts


@pytest.mark.parametrize(
    "answer",
    [
        "2x + abs(x - 3) - (x - 3), 1",
        "2x + 1e-11*(abs(x - 3) - (x - 3)), 1",
        "2x + sqrt((x - 50)^2) - (x - 50), 1",
        "2x + sign(x - 40) + 1, 1",
        # differs only on a small disc around (2, 3)
        "2x, 1 + abs(1/100 - (x-2)^2 - (y-3)^2) + 1/100 - (x-2)^2 - (y-3)^2",
        # the same, by a tiny amount
        "2x, 1 + 1e-9*(abs(1/100 - (x-2)^2 - (y-3)^2) + 1/100 - (x-2)^2 - (y-3)^2)",
        # differs on a thin strip only
        "2x + abs(abs(x - 7) - 1/1000) - (abs(x - 7) - 1/1000), 1",
    ],
)
def test_an_answer_that_differs_on_one_region_is_wrong(answer: str) -> None:
    code, result = run("x^2 + y", "--gradient", answer)
    assert "wrong" in verdicts(result), result
    assert code == 1


@pytest.mark.parametrize(
    ("f", "answer"),
    [
        ("abs(x) + y^2", "x/abs(x), 2y"),
        ("abs(x) + y^2", "sign(x), 2y"),
        ("abs(x - y)", "sign(x - y), -sign(x - y)"),
        ("x*abs(x) + y", "2abs(x), 1"),
        ("sqrt(x^2) + y", "x/sqrt(x^2), 1"),
    ],
)
def test_right_non_smooth_answers_are_proved_piece_by_piece(f: str, answer: str) -> None:
    code, result = run(f, "--gradient", answer)
    assert verdicts(result) == ["correct", "correct"], result
    assert code == 0


def test_the_domain_of_f_bounds_the_comparison_and_the_feedback() -> None:
    # 1/|x| is 1/x wherever ln(x) + ln(y) exists
    _, result = run("ln(x) + ln(y)", "--gradient", "1/abs(x), 1/y")
    assert verdicts(result) == ["correct", "correct"], result
    # a wrong answer is shown wrong at a point where f exists (x > 0 and y > 0)
    _, result = run("ln(x) + ln(y)", "--gradient", "1/x + x^3, 1/y")
    message = result["parts"][0]["message"]
    assert "differs at x = " in message
    coordinates = [
        float(p.split("=")[1].split(",")[0]) for p in message.split("at ")[1].split(", ")
    ]
    assert all(c > 0 for c in coordinates), message


# --------------------------------------------------------------------------
# Decimals


@pytest.mark.parametrize(
    ("options", "verdict"),
    [
        (("--magnitude", "8.60"), "correct"),
        (("--magnitude", "8.6"), "correct"),
        (("--magnitude", "8.6023"), "correct"),
        (("--magnitude", "8.61"), "wrong"),
        (("--magnitude", "8.603"), "wrong"),
        (("--magnitude", "8.60", "--sigfigs", "3"), "correct"),
        (("--magnitude", "8.6", "--sigfigs", "3"), "wrong"),
        (("--magnitude", "8.602", "--sigfigs", "3"), "wrong"),
        (("--magnitude", "8.7", "--tol", "0.02"), "correct"),
        (("--magnitude", "8.7", "--tol", "0.01"), "wrong"),
        (("--magnitude", "8.6", "--abs-tol", "0.01"), "correct"),
    ],
)
def test_decimal_rules(options: tuple[str, ...], verdict: str) -> None:
    _, result = run("x^2 + y^2 + xy", "--at", "1,3", *options)
    assert verdicts(result) == [verdict], result


def test_the_tolerance_boundary_is_inclusive_and_exact() -> None:
    _, result = script("x", "--at", "1", "--value", "1.05", "--tol", "0.05")
    assert verdicts(result) == ["correct"]
    assert "relative tolerance 0.05" in result["parts"][0]["message"]
    _, result = script("x", "--at", "1", "--value", "1.0500001", "--tol", "0.05")
    assert verdicts(result) == ["wrong"]
    _, result = script("x", "--at", "1", "--value", "0.95", "--abs-tol", "0.05")
    assert verdicts(result) == ["correct"]
    assert "absolute tolerance" in result["parts"][0]["message"]


def test_a_tie_has_one_correctly_rounded_neighbour() -> None:
    rule = DecimalRule()
    value = sympy.Rational(199, 4000)  # 0.04975 exactly
    assert rule.judge("0.0498", value)[0] is True
    assert rule.judge("0.0497", value)[0] is False
    assert rule.judge("-0.0498", -value)[0] is True
    assert DecimalRule(sigfigs=3).judge("0.0498", value)[0] is True


def test_the_message_names_the_rule_that_decided() -> None:
    rule = DecimalRule(tol=Fraction(1, 100))
    ok, message = rule.judge("8.61", sympy.sqrt(74))
    assert ok and "relative tolerance 0.01" in message and "figures" not in message
    ok, message = DecimalRule(sigfigs=3).judge("8.6023", sympy.sqrt(74))
    assert not ok and "give exactly 3 significant figures" in message


def test_a_decimal_against_a_large_value_uses_its_last_place() -> None:
    rule = DecimalRule()
    assert rule.judge("20.57", sympy.Rational(205668, 10000))[0] is True
    assert rule.judge("20.56", sympy.Rational(205668, 10000))[0] is False


@settings(max_examples=200, deadline=None)
@given(
    st.fractions(min_value=-1000, max_value=1000).filter(lambda v: v != 0),
    st.integers(2, 8),
)
def test_the_correctly_rounded_decimal_is_right_and_its_neighbours_are_not(
    value: Fraction, figures: int
) -> None:
    exact = sympy.Rational(value.numerator, value.denominator)
    # the correctly rounded literal, computed independently in exact decimal arithmetic
    with localcontext() as context:
        context.prec = 80
        exact_decimal = Decimal(value.numerator) / Decimal(value.denominator)
        place = Decimal(1).scaleb(exact_decimal.adjusted() - figures + 1)
        rounded = exact_decimal.quantize(place, rounding=ROUND_HALF_UP)
    if len(rounded.as_tuple().digits) != figures:
        return  # rounding up added a figure (9.99 → 10.0): judged by the figures written
    assert DecimalRule().judge(f"{rounded:e}", exact)[0] is True, (rounded, value)
    for neighbour in (rounded + place, rounded - place):
        if neighbour != 0 and len(neighbour.as_tuple().digits) == figures:
            assert DecimalRule().judge(f"{neighbour:e}", exact)[0] is False, (neighbour, value)


# --------------------------------------------------------------------------
# Parts that cannot be graded whole


def test_one_undefined_component_does_not_take_down_the_part() -> None:
    code, result = script("x^2 + y^2", "--gradient", "2x + sqrt(-2), 2y")
    assert verdicts(result) == ["wrong", "correct"]
    assert "not real" in result["parts"][0]["message"]
    assert code == 1
    code, result = script("x^2 + y^2", "--at", "1,1", "--value", "log(-1), 2")
    assert verdicts(result) == ["wrong", "correct"]
    code, result = script("x^2 + y^2", "--at", "1,1", "--magnitude", "sqrt(-8)")
    assert verdicts(result) == ["wrong"]


@pytest.mark.parametrize("answer", ["d/dx(x^2)", "2k", "sqrt(74) + a"])
def test_foreign_symbols_in_a_number_are_unreadable(answer: str) -> None:
    code, result = run("x^2 + y^2 + xy", "--at", "1,3", "--magnitude", answer)
    assert verdicts(result) == ["unreadable"], result
    assert code == 2


# --------------------------------------------------------------------------
# Properties: f's own gradient is right; plus any nonzero exact constant or any
# non-smooth bump that is nonzero on a region, it is wrong

_names = st.sampled_from(["x", "y"])
_atoms = st.one_of(_names, st.integers(1, 4).map(str))


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, children).map(lambda p: f"({p[0]}) + ({p[1]})"),
        st.tuples(children, children).map(lambda p: f"({p[0]})*({p[1]})"),
        st.tuples(children, children).map(lambda p: f"({p[0]})/(({p[1]})^2 + 1)"),
        st.tuples(children, st.integers(2, 3)).map(lambda p: f"({p[0]})^{p[1]}"),
        st.sampled_from(["sin", "cos", "exp", "atan"]).flatmap(
            lambda fn: children.map(lambda c: f"{fn}({c})")
        ),
        children.map(lambda c: f"ln(({c})^2 + 1)"),
        children.map(lambda c: f"exp(-({c})^2)"),
        children.map(lambda c: f"sqrt(({c})^2 + 1)"),
    )


functions = st.recursive(_atoms, _combine, max_leaves=4)

constants = st.one_of(
    st.integers(-5, 5).filter(bool).map(str),
    st.tuples(st.integers(1, 9), st.integers(2, 9)).map(lambda p: f"{p[0]}/{p[1]}"),
    st.integers(1, 15).map(lambda k: f"1e-{k}"),
    st.integers(1, 12).map(lambda k: "0." + "0" * (k - 1) + "1"),
)


def _bump(data: tuple[int, int, int, int, str]) -> str:
    a, b, c, d, shape = data
    if shape == "half-plane":
        u = f"({a}*x + {b}*y + {c})"
        return f"(abs{u} - {u})"
    if shape == "step":
        u = f"({a}*x + {b}*y + {c})"
        return f"(sign{u} + 1)"
    radius = f"{abs(d) + 1}/10"
    u = f"({radius} - (x - {a})^2 - (y - {b})^2)"
    return f"(abs{u} + {u})"


bumps = st.tuples(
    st.integers(-3, 3).filter(bool),
    st.integers(-3, 3),
    st.integers(-9, 9),
    st.integers(-5, 5),
    st.sampled_from(["half-plane", "step", "island"]),
).map(_bump)


def _gradient_texts(text: str) -> list[str]:
    try:
        function = parse_function(text, variables=["x", "y"])
    except GradcliError:
        reject()  # a function gradcli refuses to read (exp(-4096)² is beyond its bounds)
    function = parse_function(text, variables=["x", "y"])
    return [to_text(sympy.diff(function.expr, v)) for v in function.variables]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(functions)
def test_f_own_gradient_is_all_correct(text: str) -> None:
    result = check(text, gradient=", ".join(_gradient_texts(text)), variables=["x", "y"])
    assert result.correct, result.parts


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(functions, constants, st.integers(0, 1))
def test_plus_a_nonzero_exact_constant_is_wrong(text: str, c: str, k: int) -> None:
    components = _gradient_texts(text)
    components[k] = f"({components[k]}) + {c}"
    result = check(text, gradient=", ".join(components), variables=["x", "y"])
    assert result.parts[k].verdict == "wrong", result.parts[k]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(functions, constants, bumps, st.integers(0, 1))
def test_plus_a_non_smooth_bump_is_wrong(text: str, c: str, bump: str, k: int) -> None:
    components = _gradient_texts(text)
    components[k] = f"({components[k]}) + ({c})*{bump}"
    result = check(text, gradient=", ".join(components), variables=["x", "y"])
    assert result.parts[k].verdict == "wrong", (components[k], result.parts[k])


# --------------------------------------------------------------------------
# Critical points as students write them


@pytest.mark.parametrize(
    "answer",
    [
        "(1, 0): local min; (-1, 0): saddle",
        "(1,0) is a local minimum; (-1,0) is a saddle point;",
        "min (1,0); saddle (-1,0)",
        "(1,0) - min; (-1,0) - saddle",
        "(1,0) min and (-1,0) saddle",
        "local min at (1, 0)\nsaddle point at (-1, 0)",
    ],
)
def test_critical_points_written_as_students_write_them(answer: str) -> None:
    code, result = script("x^3 - 3x + y^2", "--critical", answer)
    assert verdicts(result) == ["correct", "correct"], result
    assert code == 0


def test_an_unreadable_critical_answer_is_unreadable_not_wrong() -> None:
    code, result = run("x^3 - 3x + y^2", "--critical", "(1,0) minimumm; (-1,0) saddle")
    assert verdicts(result) == ["unreadable"]
    assert code == 2


def test_decimal_coordinates_follow_the_decimal_rule() -> None:
    # the critical points of x^3 - 2x + y^2 are (±√6/3, 0), √6/3 = 0.81649…
    _, result = run("x^3 - 2x + y^2", "--critical", "(0.82, 0) min; (-0.82, 0) saddle")
    assert verdicts(result) == ["correct", "correct"]
    _, result = run("x^3 - 2x + y^2", "--critical", "(0.817, 0) min; (-0.8165, 0) saddle")
    assert verdicts(result) == ["wrong", "correct"]
    assert "rounded" in result["parts"][0]["message"]


# --------------------------------------------------------------------------
# Found by review: differences far from the origin, below 1e-30, or hidden by
# overflow or by complex arithmetic


@pytest.mark.parametrize(
    ("f", "answer", "verdict"),
    [
        ("x^2+y", "2x + 1e-40*x, 1", "wrong"),
        ("x^2+y", "2x + x^2*10^(-31), 1", "wrong"),
        ("x^2+y", "2x + exp(-(x-20)^2), 1", "wrong"),
        ("x^2+y", "2x + (x/10)^60, 1", "wrong"),
        ("x^2+y", "2x + asin(sin(x/2)) - x/2, 1", "wrong"),
        ("exp(20x)", "20exp(20x) + 1e7*exp(-100x^2)", "wrong"),
        # undefined where the key is defined, though complex numbers would cancel
        ("x^2+y", "2x + 2*asin(x/3) + 2*acos(x/3) - pi, 1", "wrong"),
        ("x^2+y", "2x + ln(3-x) + ln(3+x) - ln(9-x^2), 1", "wrong"),
        ("x^2+y", "2x*sqrt(9-x^2)*sqrt(1/(9-x^2)), 1", "wrong"),
        # simplification holds only where the answer is defined
        ("x^3/3+y", "e^(2 ln x), 1", "wrong"),
        ("x^2+y", "2*exp(ln(x)), 1", "wrong"),
        # identities that floats get wrong by cancellation or overflow
        ("x^2+y", "2x + 1e20*(asinh(x) - ln(x + sqrt(x^2+1))), 1", "correct"),
        ("x^2+y", "2x*(cosh(800x) - sinh(800x))*exp(800x), 1", "correct"),
    ],
)
def test_review_cases(f: str, answer: str, verdict: str) -> None:
    _, result = run(f, "--gradient", answer)
    assert verdicts(result)[0] == verdict, result
    _, batch = run(f, "--batch", "-", stdin=f'id,gradient\na,"{answer}"\n')
    assert verdicts(batch["rows"][0])[0] == verdict, batch


@pytest.mark.parametrize(
    ("options", "verdict"),
    [
        (("--at", "3,0", "--value", "0., 1", "--sigfigs", "1"), "wrong"),
        (("--at", "1,0", "--value", "1.0, 1", "--sigfigs", "2"), "wrong"),
        (("--at", "0,0", "--value", "0.00, 1", "--sigfigs", "2"), "correct"),
    ],
)
def test_sigfigs_count_from_the_exact_value(options: tuple[str, ...], verdict: str) -> None:
    f = {"3,0": "x^2/20+y", "1,0": "0.48x^2+y", "0,0": "x^2+y"}[options[1]]
    _, result = run(f, *options)
    assert verdicts(result)[0] == verdict, result


@pytest.mark.parametrize(
    "options",
    [
        ("--magnitude", "8.7", "--abs-tol", "1e400"),
        ("--magnitude", "8.7", "--tol", "1e-400"),
    ],
)
def test_extreme_tolerances_are_judged_not_crashed(options: tuple[str, ...]) -> None:
    code, result = run("x^2+y^2+xy", "--at", "1,3", *options)
    assert code in (0, 1)
    assert verdicts(result) in (["correct"], ["wrong"])


def test_values_below_floats_are_judged_exactly() -> None:
    _, result = run("e^(-1000)*x + y", "--at", "1,0", "--value", "5.1e-435, 1")
    assert verdicts(result) == ["correct", "correct"]
    _, result = run("e^(-1000)*x + y", "--at", "1,0", "--value", "5.2e-435, 1")
    assert verdicts(result) == ["wrong", "correct"]


@pytest.mark.parametrize(
    "answer",
    [
        # a corner region bounded by three breakpoints
        "2x + (abs(x-1)+x-1)*(abs(y-1)+y-1)*(abs(2.001-x-y)+2.001-x-y), 1",
        # far out, where two breakpoints meet
        "2x + (abs(x-120)+x-120)*(abs(y-120)+y-120), 1",
        # narrow intervals of a breakpoint that is not a polynomial
        "2x + abs(sin(x)-0.99999) + sin(x) - 0.99999, 1",
        "2x + abs(sqrt(x^2+1) - 150) + sqrt(x^2+1) - 150, 1",
        # an island of high degree
        "2x + abs(1e-12 - ((x+3)^2+(y+3)^2)^3) + 1e-12 - ((x+3)^2+(y+3)^2)^3, 1",
    ],
)
def test_regions_between_breakpoints_are_sampled(answer: str) -> None:
    _, result = run("x^2 + y", "--gradient", answer)
    assert verdicts(result)[0] == "wrong", result


@pytest.mark.parametrize(
    ("f", "answer", "verdict"),
    [
        # infinitely many critical points: "none" is wrong
        ("(x-y)^2", "none", "wrong"),
        ("x^2*y^2", "none", "wrong"),
        # sympy's complex family y = ±i·x has one real point, (0, 0)
        ("(x^2+y^2)^2", "none", "wrong"),
        ("(x^2+y^2)^2", "(0,0) min", "correct"),
        # degenerate points: f's values around them give the kind
        ("x^4+y^4", "(0,0) min", "correct"),
        ("x^4-y^4", "(0,0) saddle", "correct"),
        ("x^4+y^4", "(0,0) max", "wrong"),
        # a point on a curve of critical points is one, whatever the search listed
        ("(x-y)^2", "(1,1)", "correct"),
        # no critical points, proved by a component that is never 0
        ("exp(x)+y", "none", "correct"),
    ],
)
def test_critical_sets_and_degenerate_points(f: str, answer: str, verdict: str) -> None:
    _, result = run(f, "--critical", answer)
    assert verdicts(result)[0] == verdict, result


@pytest.mark.parametrize(
    ("options", "verdict"),
    [
        # a whole number's trailing zeros may or may not be significant
        (("--value", "1200, 1", "--sigfigs", "2"), "correct"),
        (("--value", "1230, 1", "--sigfigs", "3"), "correct"),
        (("--value", "1000, 1", "--sigfigs", "2"), "wrong"),
        (("--value", "1200, 1", "--sigfigs", "1"), "wrong"),
        # a tolerance is about the value, however it is written
        (("--value", "1240, 1", "--tol", "0.01"), "correct"),
        (("--value", "1260, 1", "--tol", "0.01"), "wrong"),
    ],
)
def test_whole_numbers_under_sigfigs_and_tolerances(options: tuple[str, ...], verdict: str) -> None:
    _, result = run("1234x + y", "--at", "1,0", *options)
    assert verdicts(result)[0] == verdict, result


@pytest.mark.parametrize(
    ("f", "options", "verdict"),
    [
        # sign(u) is 0 on u = 0, where the key has no jump
        ("x^2+y", ("--gradient", "2x + 1 - abs(sign(x)), 1"), "wrong"),
        ("x^2+y", ("--gradient", "2x + sign(x)^2 - 1, 1"), "wrong"),
        ("x^2+y", ("--gradient", "2abs(x)*sign(x), 1"), "correct"),
        # atan2 jumps where its first argument is 0 and its second negative
        ("x*y", ("--gradient", "y + atan2(0, 200-x), x"), "wrong"),
        # one undefined Hessian entry is wrong on its own
        ("x*y*z", ("--hessian", "[[0,z,y],[z,0,x],[y,x,1/0]]"), "wrong"),
        # a whole number written with a space after its minus sign
        ("-1234*x+y", ("--at", "0,0", "--value", "- 1200, 1", "--sigfigs", "2"), "correct"),
        # a point given twice
        ("x^3-3x+y^2", ("--critical", "(1,0) min; (-1,0) saddle; (1,0) min"), "wrong"),
    ],
)
def test_second_review_cases(f: str, options: tuple[str, ...], verdict: str) -> None:
    _, result = run(f, *options)
    assert verdict in verdicts(result), result
    if verdict == "correct":
        assert set(verdicts(result)) == {"correct"}, result


def test_a_tolerance_beyond_reason_is_a_usage_error() -> None:
    result = invoke("check", "x^2", "--at", "1", "--value", "2", "--tol", "1e-999999")
    assert result.exit_code == 2, result
    assert "between 1e-1000 and 1e1000" in result.stderr


def test_an_agreement_no_point_can_confirm_is_not_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    """Floats alone never accept: if 50 digits fail everywhere, only a proof can."""
    from gradcli.grading import equivalent
    from gradcli.grading import evaluator as module

    monkeypatch.setattr(module, "_resolved", lambda expr, point: None)
    monkeypatch.setattr(module.Evaluator, "_rational_difference", lambda *args: None)
    x = sympy.Symbol("x", real=True)
    unproved = equivalent(sympy.sin(x) + sympy.Rational(1, 10**12), sympy.sin(x), prefer="numeric")
    assert unproved.equal is not True, unproved
    proved = equivalent(2 * sympy.sin(x) * sympy.cos(x), sympy.sin(2 * x), prefer="numeric")
    assert proved.equal is True, proved
