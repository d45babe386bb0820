"""The safe parser: what it accepts, what it refuses and where, and its bounds.

Expected parses are written as sympy syntax (``to_text``) so that each case
reads as one line; the parser builds sympy objects from its own tables only.
"""

from __future__ import annotations

import time

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradcli.budget import time_limit
from gradcli.errors import (
    DimensionError,
    GradcliError,
    InputError,
    LimitError,
    ParseError,
    UndefinedError,
)
from gradcli.limits import Limits
from gradcli.magnitude import exceeds_bits
from gradcli.parse import (
    parse_expression,
    parse_function,
    parse_point,
    parse_vector,
    symbol,
)
from gradcli.printing import to_text, to_unicode


def read(text: str, **kwargs: object) -> str:
    return to_text(parse_expression(text, **kwargs))  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# What is accepted


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x^2 + y^2 + xy", "x**2 + x*y + y**2"),
        ("x**2", "x**2"),
        ("2x", "2*x"),
        ("2 x y", "2*x*y"),
        ("1/(2x)", "1/(2*x)"),
        ("x/2*y", "x*y/2"),
        ("-x^2", "-x**2"),
        ("2^-1", "1/2"),
        ("x^-1 / 2", "1/(2*x)"),
        ("2^3^2", "512"),
        ("--x", "x"),
        ("(x+1)(x-1)", "(x - 1)*(x + 1)"),
        ("2[x+1]", "2*x + 2"),
        ("{x}", "x"),
        ("sin x", "sin(x)"),
        ("sin x^2", "sin(x**2)"),
        ("sin(x)cos(y)", "sin(x)*cos(y)"),
        ("sin^2(x)", "sin(x)**2"),
        ("sin^2 x", "sin(x)**2"),
        ("sin²(x)", "sin(x)**2"),
        ("cos^(2)(x)", "cos(x)**2"),
        ("sin[x]", "sin(x)"),
        ("ln x", "log(x)"),
        ("ln|x|", "log(Abs(x))"),
        ("log(8, 2)", "3"),
        ("log_2(x)", "log(x)/log(2)"),
        ("log_10 x", "log(x)/log(10)"),
        ("exp x", "exp(x)"),
        ("e^x", "exp(x)"),
        ("E^x", "exp(x)"),
        ("2e", "2*E"),
        ("2e3", "2000"),
        ("2e-3", "1/500"),
        ("2e3x", "2000*x"),
        ("0.5x", "x/2"),
        (".5", "1/2"),
        ("1e300*x", "1" + "0" * 300 + "*x"),
        ("|x|", "Abs(x)"),
        ("||x| - 1|", "Abs(Abs(x) - 1)"),
        ("|x||y|", "Abs(x)*Abs(y)"),
        ("sqrt(x)", "sqrt(x)"),
        ("cbrt(x)", "x**(1/3)"),
        ("root(x, 4)", "x**(1/4)"),
        ("atan2(y, x)", "atan2(y, x)"),
        ("arctan(x)", "atan(x)"),
        ("sgn(x)", "sign(x)"),
        ("x ^ y", "x**y"),
        ("1j", "j"),
        ("x_1 + x_{12}", "x_1 + x_12"),
        ("x_1x_2", "x_1*x_2"),
        ("x1x2 + x1 + x2", "x1*x2 + x1 + x2"),
        ("lambda", "lambda"),
    ],
)
def test_accepted(text: str, expected: str) -> None:
    assert read(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x−1", "x - 1"),
        ("x×y", "x*y"),
        ("x·y", "x*y"),
        ("2⋅x", "2*x"),
        ("x÷2", "x/2"),
        ("π x", "pi*x"),
        ("2π", "2*pi"),
        ("θ^2 + φ", "phi + theta**2"),
        ("α β", "alpha*beta"),
        ("λ x", "lambda*x"),
        ("x²y³", "x**2*y**3"),
        ("x⁻¹", "1/x"),
        ("x²²", "x**22"),
        ("½x", "x/2"),
        ("√x", "sqrt(x)"),
        ("√(x+1)", "sqrt(x + 1)"),
        ("∛x", "x**(1/3)"),
        ("∣x∣", "Abs(x)"),
        ("x₁ + x₂", "x_1 + x_2"),
        ("x\u00a0+\u20031", "x + 1"),
        ("x\t+\n1", "x + 1"),
    ],
)
def test_unicode_maths_is_normalised(text: str, expected: str) -> None:
    assert read(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (r"\frac{a}{b}", "a/b"),
        (r"\frac12", "1/2"),
        (r"\frac{1}{2}x", "x/2"),
        (r"\dfrac{1}{x}", "1/x"),
        (r"\sqrt{x^2+y^2}", "sqrt(x**2 + y**2)"),
        (r"\sqrt[3]{x}", "x**(1/3)"),
        (r"x^{10}", "x**10"),
        (r"\sin(x)", "sin(x)"),
        (r"\sin x", "sin(x)"),
        (r"\sin^2\theta", "sin(theta)**2"),
        (r"\sin^{2}(x)", "sin(x)**2"),
        (r"\ln x", "log(x)"),
        (r"\log_{10}(x)", "log(x)/log(10)"),
        (r"e^{x^2}", "exp(x**2)"),
        (r"\exp{x}", "exp(x)"),
        (r"x \cdot y", "x*y"),
        (r"x\times y", "x*y"),
        (r"x \div y", "x/y"),
        (r"\left( x + 1 \right)^2", "(x + 1)**2"),
        (r"\left| x \right|", "Abs(x)"),
        (r"\lvert x \rvert", "Abs(x)"),
        (r"\pi x", "pi*x"),
        (r"\alpha\beta", "alpha*beta"),
        (r"\varepsilon", "epsilon"),
        (r"\mathrm{e}^x", "exp(x)"),
        (r"\operatorname{sign}(x)", "sign(x)"),
        (r"x_1x_2", "x_1*x_2"),
        (r"\,x\!y", "x*y"),
        (r"\frac{\sin x}{\cos x}", "sin(x)/cos(x)"),
    ],
)
def test_latex_as_students_write_it(text: str, expected: str) -> None:
    assert read(text) == expected


def test_latex_can_be_forced_or_refused() -> None:
    assert read("x^{2}", latex=True) == "x**2"
    with pytest.raises(ParseError, match="backslash"):
        parse_expression(r"\sin x", latex=False)


# --------------------------------------------------------------------------
# Names: juxtaposition, reserved words, lookalikes


def test_a_juxtaposition_of_variables_is_their_product_with_a_note() -> None:
    f = parse_function("x^2 + y^2 + xy")
    assert to_text(f.expr) == "x**2 + x*y + y**2"
    assert f.notes == ("read 'xy' as x·y (a product of variables)",)
    f = parse_function("xe^x")
    assert to_text(f.expr) == "x*exp(x)"
    assert f.notes == ("read 'xe' as x·e (a product of variables and e)",)


def test_letters_side_by_side_are_a_product_with_a_note() -> None:
    # xy is x·y in every textbook, whether or not x and y also appear alone
    f = parse_function("xy")
    assert f.expr == symbol("x") * symbol("y")
    assert f.notes == ("read 'xy' as x·y (a product; a variable named xy needs --vars)",)
    assert parse_expression("x + xy") == symbol("x") + symbol("x") * symbol("y")
    # a longer name is a name (rate, loss), unless its letters are all variables
    assert parse_function("rate").variables == (symbol("rate"),)


def test_declared_variables_decide() -> None:
    assert to_text(parse_function("xy", variables=["x", "y"]).expr) == "x*y"
    f = parse_function("xy + x", variables=["xy", "x"])
    assert f.variables == (symbol("xy"), symbol("x"))
    assert f.notes == ()
    f = parse_function("xyz + x", variables=["x", "y"])
    assert f.parameters == (symbol("z"),)
    assert any("read 'xyz' as x·y·z" in note for note in f.notes)


@pytest.mark.parametrize("word", ["True", "None", "if", "import", "class", "not", "and"])
def test_python_words_are_not_names(word: str) -> None:
    with pytest.raises(ParseError, match="is a word of Python"):
        parse_expression(f"{word} + x")
    with pytest.raises(InputError, match="word of Python"):
        parse_function("x", variables=[word])


@pytest.mark.parametrize("name", ["I", "oo", "zoo", "nan", "inf"])
def test_names_of_non_real_numbers_need_vars(name: str) -> None:
    with pytest.raises(ParseError, match="gradcli") as caught:
        parse_expression(f"2*{name}")
    assert caught.value.position == 2
    assert caught.value.hint == f"a variable named {name} needs --vars"
    assert parse_function(f"2*{name}", variables=[name]).variables == (symbol(name),)


@pytest.mark.parametrize(
    ("text", "position", "looks_like"),
    [
        ("х^2", 0, "x"),  # Cyrillic ha
        ("x + у", 4, "y"),  # Cyrillic u
        ("sin(ѕ)", 4, "s"),  # Cyrillic dze
        ("ο + 1", 0, "o"),  # Greek omicron
        ("ｘ^2", 0, "x"),  # fullwidth
        ("𝑥^2", 0, "x"),  # mathematical italic
        ("𝐱", 0, "x"),  # mathematical bold
        ("ⅹ", 0, "x"),  # roman numeral
        ("ℯ^x", 0, "e"),  # script e
        ("ﬁ", 0, "fi"),  # ligature: never NFKC-normalised into a name
        ("𝟙 + x", 0, "1"),
    ],
)
def test_lookalike_letters_are_refused_and_named(text: str, position: int, looks_like: str) -> None:
    with pytest.raises(ParseError, match="is not the letter it looks like") as caught:
        parse_expression(text)
    assert caught.value.position == position
    assert caught.value.hint == f"it looks like '{looks_like}': retype it on a plain keyboard"


@pytest.mark.parametrize(
    "character",
    [
        "\x00", "\x07", "\x1b", "\x7f", "\x85", "\x0b", "\x1c",  # controls
        "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad",  # invisible
        "\u202a", "\u202e", "\u2066", "\u2069", "\u061c",  # bidirectional
        "\u2028", "\ue000", "\U000e0041",  # separators, private use, tags
    ],
)  # fmt: skip
def test_control_bidi_and_invisible_characters_are_refused(character: str) -> None:
    with pytest.raises(ParseError, match="invisible or control character") as caught:
        parse_expression(f"x{character}+1")
    assert caught.value.position == 1
    located = caught.value.located()
    assert character not in located and "?" in located


def test_a_byte_that_is_not_utf8_is_named() -> None:
    # how Python carries the byte 0xFF of a command line that is not UTF-8
    with pytest.raises(ParseError) as caught:
        parse_expression("x\udcff")
    assert caught.value.message == "a byte that is not UTF-8 text (0xFF) in the expression"
    assert caught.value.position == 1


# --------------------------------------------------------------------------
# Errors say where, and what to do


LOWER_CASE = "function names are lower case: did you mean sin? (a variable named Sin needs --vars)"
INVERSE = "write the inverse function by its name, or 1/ln(x) for the reciprocal"
INDEXING = "'x[' looks like indexing, which expressions do not have"
SUBSCRIPT = "write x_1 for a subscript, or x*(…) for a product"
GAMMA = "gamma is a variable here: for a product write gamma*(…)"
EQUATION = "unexpected '=': give an expression, not an equation (drop the '… =' part)"
QUOTES = "unexpected ''': quotes have no meaning in an expression"
DOT = "unexpected '.': '.' only appears inside a number such as 0.5"
PARTIAL = "\\partial: write the function itself: gradcli takes the derivatives"


@pytest.mark.parametrize(
    ("text", "message", "position", "hint"),
    [
        ("sin(x", "missing ')'", 3, "the '(' here is never closed"),
        ("(x", "missing ')'", 0, "the '(' here is never closed"),
        ("sin(", "the expression ends too early", 4, "missing ')'"),
        ("x)", "unmatched ')'", 1, None),
        ("[x)", "'[' at position 1 is closed by ')'", 2, "close it with ']'"),
        ("x +", "the expression ends too early", 3, None),
        ("x^", "missing exponent after '^'", 2, None),
        ("2 3", "two numbers in a row", 2, "write the operator between them, e.g. 2*3"),
        ("sine(x)", "unknown function 'sine'", 0, "did you mean sin?"),
        ("Sin(x)", "unknown function 'Sin'", 0, LOWER_CASE),
        ("ln^-1(x)", "ln^-1 is ambiguous", 0, INVERSE),
        ("x[0]", INDEXING, 1, SUBSCRIPT),
        ("gamma(x)", "'gamma(…)' is not a function gradcli accepts", 0, GAMMA),
        ("factorial(5)", "'factorial' is not a function gradcli accepts", 0, None),
        ("x!", "unexpected '!': factorials are not supported", 1, None),
        ("x = 1", EQUATION, 2, None),
        ("x.y", DOT, 1, None),
        ("'x'", QUOTES, 0, None),
        ("0x1F", "hexadecimal, binary and octal numbers are not supported", 0, "write decimals"),
        ("atan2(y)", "atan2 takes 2 arguments, got 1", 0, None),
        ("()", "empty brackets", 0, None),
        ("", "the expression is empty", 0, None),
        (r"\frac{1}{2", "missing '}'", 10, None),
        (r"\sinx", "unknown LaTeX command \\sinx", 0, "did you mean \\sin?"),
        (r"\int x", "\\int: integrals are not supported", 0, None),
        (r"\partial x", PARTIAL, 0, None),
    ],
)
def test_errors_say_where_and_suggest(
    text: str, message: str, position: int, hint: str | None
) -> None:
    with pytest.raises(ParseError) as caught:
        parse_expression(text)
    error = caught.value
    assert (error.message, error.position, error.hint) == (message, position, hint)
    assert error.text == text


def test_the_caret_points_at_the_place() -> None:
    with pytest.raises(ParseError) as caught:
        parse_expression("x + sin(y")
    assert caught.value.located() == "  x + sin(y\n         ^"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1/0", "division by zero"),
        ("0^-1", "0 to the power -1 is undefined"),
        ("log(0)", "divides by zero"),
        ("log(x, 1)", "base must be positive and not 1"),
        ("log(x, -2)", "base must be positive and not 1"),
        ("sqrt(-1)", "not real"),
        ("asin(2)", "not real"),
        ("(-8)^(1/4)", "not real"),
    ],
)
def test_undefined_constants_are_math_errors(text: str, message: str) -> None:
    with pytest.raises(UndefinedError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_expression(text)


def test_messages_quoting_input_are_one_safe_line() -> None:
    error = ParseError("'\x1b[2J' is not a variable\nsecond line", hint="a\x07hint")
    assert error.message == "'?[2J' is not a variable second line"
    assert error.hint == "a?hint"
    assert len(ParseError("x = " + "9" * 100_000).message) == 500


# --------------------------------------------------------------------------
# Bounds: each one holds, and each can be raised


@pytest.mark.parametrize(
    ("text", "limits", "message"),
    [
        ("x" * 10_001, Limits(), "the input is 10,001 characters long; the limit is 10,000"),
        ("(" * 101 + "x" + ")" * 101, Limits(), "brackets nest more than 100 deep"),
        ("-" * 101 + "x", Limits(), "nests more than 100 deep"),
        ("sin(" * 101 + "x" + ")" * 101, Limits(), "nest more than 100 deep"),
        ("1" * 3101, Limits(), "a number has 3,101 digits; the limit is 3,100"),
        ("1e1001", Limits(), "a number's exponent is larger than 1000"),
        ("2^10001", Limits(), "larger than 2^10,000"),
        ("9^9^9^9", Limits(), "larger than 2^10,000"),
        ("(1/3)^10000", Limits(), "larger than 2^10,000"),
        ("exp(10^5)", Limits(), "larger than 2^10,000"),
        ("sin(cos(exp(exp(exp(exp(1))))))", Limits(), "larger than 2^10,000"),
        ("(2^5000)*(2^5000)*(2^5000)", Limits(), "would exceed 10,000 bits"),
        ("x^(10^9)", Limits(), "the exponent 1000000000 is beyond ±10,000"),
        ("sin(x)^(2^100)", Limits(), "is beyond ±10,000"),
        ("x^9000*x^9000", Limits(), "the exponent 18000 is beyond ±10,000"),
        ("x" * 101, Limits(max_length=100), "the limit is 100"),
    ],
)
def test_bounds_are_checked_before_sympy_computes(text: str, limits: Limits, message: str) -> None:
    started = time.monotonic()
    with pytest.raises(LimitError, match=message.replace("^", r"\^").replace("(", r"\(")):
        parse_expression(text, limits=limits)
    assert time.monotonic() - started < 2


@pytest.mark.parametrize(
    ("text", "limits"),
    [
        ("1+" * 5001 + "1", Limits(max_length=20_000)),
        ("(" * 150 + "x" + ")" * 150, Limits(max_depth=200)),
        ("(" * 2000 + "x" + ")" * 2000, Limits(max_depth=3000)),
        ("1" * 5000, Limits(max_digits=6000, max_bits=20_000)),
        ("2^20000", Limits(max_bits=30_000)),
        ("x^20000", Limits(max_bits=30_000)),
    ],
)
def test_each_bound_can_be_raised(text: str, limits: Limits) -> None:
    parse_expression(text, limits=limits)


def test_raising_the_bits_lets_large_numbers_print_and_read_back() -> None:
    limits = Limits(max_bits=30_000)
    value = parse_expression("2^20000", limits=limits)
    assert parse_expression(to_text(value), limits=limits) == value


def test_a_printed_number_within_the_bits_reads_back_with_default_bounds() -> None:
    value = parse_expression("2^9999 - 1")
    assert parse_expression(to_text(value)) == value


# --------------------------------------------------------------------------
# Points and vectors go through the same parser and bounds


@pytest.mark.parametrize(
    ("point", "error"),
    [
        ("__import__('os'), 1", ParseError),
        ("9^9^9^9, 1", LimitError),
        ("1" + "+1" * 6000 + ", 1", LimitError),
        ("y, 1", ParseError),
        ("1", DimensionError),
        ("x=1, x=2", ParseError),
        ("x=1, z=2", ParseError),
        ("\x1b[2J=1, y=1", ParseError),
    ],
)
def test_points_are_parsed_safely_with_the_same_bounds(point: str, error: type) -> None:
    f = parse_function("x*y")
    with pytest.raises(error) as caught:
        parse_point(point, f)
    assert "\x1b" not in caught.value.message


def test_a_point_may_be_exact_and_bracketed() -> None:
    values = parse_point("<1/2, pi/4>", parse_function("x*y"))
    assert values == {symbol("x"): sympy.Rational(1, 2), symbol("y"): sympy.pi / 4}


def test_vectors_are_parsed_safely() -> None:
    assert parse_vector("[x, y^2]") == (symbol("x"), symbol("y") ** 2)
    with pytest.raises(ParseError, match="empty component"):
        parse_vector("1,,2")
    with pytest.raises(LimitError):
        parse_vector("1, 9^9^9^9")


# --------------------------------------------------------------------------
# Magnitudes at a point are estimated before they are computed


@pytest.mark.parametrize(
    ("expression", "point", "too_large"),
    [
        ("x^y", (10, 10**9), True),
        ("x^(x^x)", (10, 0), True),
        ("exp(x)", (10**6, 0), True),
        ("sin(exp(x))", (10**6, 0), True),
        ("x^1000", (sympy.Rational(1, 3), 0), False),
        ("x^1000*y", (sympy.Rational(1, 3), 2), False),
        ("x^2 + y^2", (1, 3), False),
        ("tan(x)", (10**1000, 0), False),
        ("exp(x)", (-(10**6), 0), False),
    ],
)
def test_exceeds_bits(expression: str, point: tuple[object, object], too_large: bool) -> None:
    x, y = symbol("x"), symbol("y")
    values = {x: sympy.Rational(point[0]), y: sympy.Rational(point[1])}
    started = time.monotonic()
    assert exceeds_bits(parse_expression(expression), values, 10_000) is too_large
    assert time.monotonic() - started < 1


# --------------------------------------------------------------------------
# Fuzzing: anything in, an expression or our error out, quickly

MATH_PIECES = [
    *"xyz0123456789.+-*/^()[]{}|, e_!='\\",
    "sin", "cos", "exp", "log", "ln", "sqrt", "abs", "atan2", "pi", "**", "x_1",
    "\\frac", "\\sqrt", "\\left(", "\\right)", "\\cdot", "\\theta", "\\sin",
    "²", "⁻¹", "√", "π", "·", "−", "θ", "½", "∣", "1e9", "9^9", "xy", "sin^2",
    "\u200b", "\u202e", "х", "ｘ", "\x00", "lambda", "__", "import", "True",
]  # fmt: skip
math_text = st.lists(st.sampled_from(MATH_PIECES), max_size=40).map("".join)
FUZZ = settings(
    max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck), database=None
)


def _parses_or_refuses(text: str) -> None:
    started = time.monotonic()
    try:
        with time_limit(5, "the fuzz case"):
            expr = parse_expression(text)
    except GradcliError as error:
        assert error.message and "\n" not in error.message
        if error.position is not None:
            assert 0 <= error.position <= len(error.text)
    else:
        assert isinstance(expr, sympy.Expr)
    assert time.monotonic() - started < 5


@FUZZ
@given(math_text)
def test_fuzz_math_flavoured_text(text: str) -> None:
    _parses_or_refuses(text)


@FUZZ
@given(st.text(max_size=80))
def test_fuzz_arbitrary_unicode(text: str) -> None:
    _parses_or_refuses(text)


@FUZZ
@given(math_text)
def test_fuzz_points(text: str) -> None:
    f = parse_function("x*y")
    try:
        with time_limit(5):
            parse_point(text, f)
    except GradcliError:
        pass


# --------------------------------------------------------------------------
# Round trip: what gradcli prints, it reads back as the same expression

EXPONENTS = ["2", "3", "-1", "-2", "1/2", "(2/3)", "(-3/2)", "x"]
ATOMS = ["x", "y", "z", "θ", "x_1", "x2", "a", "0", "1", "2", "10", "1/2", "3/4", "0.5", "pi", "e"]
FUNCTIONS = [
    "sin", "cos", "tan", "sec", "csc", "cot", "asin", "atan", "acot", "sinh", "cosh",
    "tanh", "asinh", "acosh", "atanh", "exp", "log", "ln", "sqrt", "cbrt", "abs", "sign",
]  # fmt: skip


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", " ", "·"]), inner).map(
            lambda t: f"({t[0]}){t[1]}({t[2]})"
        ),
        st.tuples(inner, st.sampled_from(EXPONENTS)).map(lambda t: f"({t[0]})^{t[1]}"),
        st.tuples(st.sampled_from(FUNCTIONS), inner).map(lambda t: f"{t[0]}({t[1]})"),
        inner.map(lambda a: f"|{a}|"),
        inner.map(lambda a: f"-({a})"),
        st.tuples(inner, inner).map(lambda t: f"atan2({t[0]}, {t[1]})"),
        st.tuples(inner, st.sampled_from(["2", "10"])).map(lambda t: f"log({t[0]}, {t[1]})"),
    )


expressions = st.recursive(st.sampled_from(ATOMS), _extend, max_leaves=8)


def _assert_same(back: sympy.Expr, original: sympy.Expr, printed: str) -> None:
    if back == original:
        return
    # sympy keeps 1/(2*(x + 1)) as built, but 2*(x + 1) typed in becomes
    # 2*x + 2: the same value, and after one round the text is stable
    assert sympy.expand(back - original) == 0 or sympy.simplify(back - original) == 0, printed
    assert parse_expression(to_text(back)) == back, printed


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(expressions)
def test_printed_expressions_read_back(text: str) -> None:
    try:
        with time_limit(5):
            original = parse_expression(text)
    except GradcliError:
        return
    names = [s.name for s in original.free_symbols]
    with time_limit(10):
        for printer in (to_text, to_unicode):
            printed = printer(original)
            _assert_same(parse_expression(printed, variables=names), original, printed)


@pytest.mark.parametrize(
    "text",
    [
        "|-|x||",
        # a coefficient of |…| inside |…|: found by the property above
        "|(x)+(|(x)+(x)|)|",
        "|(-(|y|))+(|(x)+(x)|)|",
        "(1/2)/(x+1)",
        "-(a + 2)*atan(a/2)",
        "|exp(acosh(θ))|",
        "||y| - |sin(y)||",
        "5*sqrt(74)/74",
        "x^(2/3) + x^(-1/2)",
        "θ^2 + λ*x_1",
        "exp(-x^2)*sqrt(2)/2",
    ],
)
def test_known_hard_cases_read_back(text: str) -> None:
    original = parse_expression(text)
    for printer in (to_text, to_unicode):
        printed = printer(original)
        _assert_same(parse_expression(printed), original, printed)


def test_what_sympy_builds_in_two_steps_is_rebuilt_to_its_one_step_form() -> None:
    # |-|x|| is built as Abs(-Abs(x)) -> Abs(Abs(x)); typed in, Abs(Abs(x)) is Abs(x)
    assert parse_expression("|-|x||") == sympy.Abs(symbol("x"))


# --------------------------------------------------------------------------
# Reading rules: what is not literally what was typed says how it was read


@pytest.mark.parametrize(
    ("text", "expected", "note"),
    [
        # a function run into its argument
        ("sin2x + y", "sin(2*x) + y", "read 'sin2x' as sin(2x)"),
        ("cos3y", "cos(3*y)", "read 'cos3y' as cos(3y)"),
        ("tanxy", "tan(x*y)", "read 'tanxy' as tan(xy)"),
        ("ylnx", "y*log(x)", "read 'ylnx' as y·ln(x)"),
        ("ln2x", "log(2*x)", "read 'ln2x' as ln(2x)"),
        ("sinx", "sin(x)", "read 'sinx' as sin(x)"),
        ("sinh2x", "sinh(2*x)", "read 'sinh2x' as sinh(2x)"),
        ("xsin(x)", "x*sin(x)", "read 'xsin' as x·sin"),
        ("sinxcosy", "sin(x)*cos(y)", "read 'sinxcosy' as sin(x)·cos(y)"),
        ("sinpix", "sin(pi*x)", "read 'sinpix' as sin(πx)"),
        # a function, a space, and a product written together
        ("sin 2x", "sin(2*x)", "read 'sin 2x' as sin(2x)"),
        ("ln 2x + 1", "log(2*x) + 1", "read 'ln 2x' as ln(2x)"),
        # exponents of e typed without brackets
        ("e^-2x", "exp(-2*x)", "read 'e^-2x' as e^(-2x)"),
        ("e^2x", "exp(2*x)", "read 'e^2x' as e^(2x)"),
        ("e^3t", "exp(3*t)", "read 'e^3t' as e^(3t)"),
        ("e^xy + x + y", "exp(x*y) + x + y", "read 'xy' as x·y"),
        # division then a factor, with a space
        ("1/2 x^2", "x**2/2", "read '1/2 x^2' as (1/2)·x^2"),
        # inverse-function notation
        ("tan^-1(y/x)", "atan(y/x)", "read 'tan^-1' as atan"),
        ("sin^-1 x", "asin(x)", "read 'sin^-1' as asin"),
        ("cos⁻¹(x)", "acos(x)", "read 'cos⁻¹' as acos"),
    ],
)
def test_readings_that_are_not_literal_say_so(text: str, expected: str, note: str) -> None:
    f = parse_function(text)
    assert sympy.simplify(f.expr - _expr(expected)) == 0
    assert any(note in n for n in f.notes), f.notes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x^2y", "x**2*y"),
        ("xy^2 + x + y", "x*y**2 + x + y"),
        ("sin x^2", "sin(x**2)"),
        ("e^x(1+x)", "(1 + x)*exp(x)"),
        ("e^x y", "y*exp(x)"),
        ("x/2*y", "x*y/2"),
        ("sin x cos y", "sin(x)*cos(y)"),
        ("e^-x", "exp(-x)"),
    ],
)
def test_literal_readings_have_no_note(text: str, expected: str) -> None:
    f = parse_function(text)
    assert sympy.simplify(f.expr - _expr(expected)) == 0
    assert not [n for n in f.notes if "product of variables" not in n], f.notes


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("x/2y", "write x/(2y) or (x/2)*y"),
        ("1/2x", "write 1/(2x) or (1/2)*x"),
        ("x/yz + y + z", "write x/(y*z) or (x/y)*z"),
        ("2^3x", "write 2^(3x) or 2^3*x"),
        ("x^-2y", "write x^(-2y) or x^-2*y"),
        ("sinx^2", "write sin(x^2) or sin(x)^2"),
        ("log2x", "write log2(x) for the base-2 logarithm, or log(2x)"),
        ("ln^-1(x)", "1/ln(x) for the reciprocal"),
        ("sin 2 x", "write sin(2 x) or sin(2)*x"),
    ],
)
def test_ambiguous_readings_are_refused_with_both(text: str, hint: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_function(text)
    assert "ambiguous" in caught.value.message
    assert caught.value.hint is not None and hint in caught.value.hint


@pytest.mark.parametrize(
    ("text", "expected", "variables", "note"),
    [
        ("f(x, y) = x^2 + y", "x**2 + y", ["x", "y"], "as the function of x, y"),
        ("f(y, x) = x^2 + y", "x**2 + y", ["y", "x"], "as the function of y, x"),
        ("f(x, y, z) = x*y", "x*y", ["x", "y", "z"], "as the function of x, y, z"),
        ("z = x^2 + y^2", "x**2 + y**2", ["x", "y"], "level surface write z - (x^2 + y^2)"),
        ("x^2+y^2+z^2 = 14", "x**2 + y**2 + z**2 - 14", ["x", "y", "z"], "F = x^2+y^2+z^2 - 14"),
        ("x^2 + y^2 = z", "x**2 + y**2 - z", ["x", "y", "z"], "F = x^2 + y^2 - z"),
        ("x*y = 0", "x*y", ["x", "y"], "F = x*y"),
    ],
)
def test_definitions_and_equations(
    text: str, expected: str, variables: list[str], note: str
) -> None:
    f = parse_function(text)
    assert sympy.simplify(f.expr - _expr(expected)) == 0
    assert [v.name for v in f.variables] == variables
    assert any(note in n for n in f.notes), f.notes


def test_a_definition_and_vars_must_agree() -> None:
    assert parse_function("f(x, y) = x + y", variables=["x", "y"]).expr == _expr("x + y")
    with pytest.raises(InputError, match="declares its variables as x, y"):
        parse_function("f(x, y) = x + y", variables=["y", "x"])


def test_equals_signs_the_function_reader_does_not_take() -> None:
    for text in ("x = = 1", "x == 1", "x <= 1", "= x", "x ="):
        with pytest.raises(ParseError):
            parse_function(text)
    with pytest.raises(ParseError, match="not an equation"):
        parse_expression("f(x) = x")


def test_points_may_be_separated_by_spaces() -> None:
    f = parse_function("x^2 + y")
    assert parse_point("1 2", f) == {symbol("x"): 1, symbol("y"): 2}
    assert parse_point("(1 -2)", f) == {symbol("x"): 1, symbol("y"): -2}
    assert parse_point("pi/2 1", f) == {symbol("x"): sympy.pi / 2, symbol("y"): 1}
    # one variable: "1 -2" is two numbers, as on standard input; "pi / 2" is one
    with pytest.raises(DimensionError, match="2 coordinates"):
        parse_point("1 -2", parse_function("x^2"))
    assert parse_point("pi / 2", parse_function("x^2")) == {symbol("x"): sympy.pi / 2}


def test_greek_in_vars_is_the_symbol_of_the_expression() -> None:
    f = parse_function("r cos θ", variables=["r", "θ"])
    assert f.variables == (symbol("r"), symbol("theta"))
    assert f.parameters == ()


def _expr(text: str) -> sympy.Expr:
    names = {n: symbol(n) for n in ("x", "y", "z", "t")}
    return sympy.sympify(text, locals=names)


@pytest.mark.parametrize(
    ("text", "value"),
    [("(-8)^(1/3)", -2), ("cbrt(-27)", -3), ("root(-32, 5)", -2), (r"\sqrt[3]{-8}", -2),
     ("(-8)^(2/3)", 4), ("(-8)^(-1/3)", sympy.Rational(-1, 2)), ("∛(-8)", -2)],
)  # fmt: skip
def test_an_odd_root_of_a_negative_number_is_real(text: str, value: sympy.Expr) -> None:
    assert parse_expression(text) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # longer names stay names: only 2-3 letters, or letters that are all
        # variables, are a product
        ("rate*x + r", "rate*x + r"),
        ("loss + s", "loss + s"),
        ("xmin + x", "xmin + x"),
        # pi and spelt-out Greek letters are units of a name
        ("2pix", "2*pi*x"),
        ("thetax + theta + x", "theta*x + theta + x"),
        ("cos2πx", "cos(2*pi*x)"),
        ("sinπx", "sin(pi*x)"),
        ("cosecx", "csc(x)"),
    ],
)
def test_names_made_of_letters(text: str, expected: str) -> None:
    names = {n: symbol(n) for n in ("x", "r", "s", "rate", "loss", "xmin", "theta")}
    assert parse_expression(text) == sympy.sympify(expected, locals=names)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Ln x", "function names are lower case: did you mean ln?"),
        ("SIN x", "function names are lower case: did you mean sin?"),
        ("Ix", "'I' in 'Ix' is the imaginary unit"),
        ("tgx", "write tan(x)"),
        ("lg(x)", "log10(x)"),
        ("log_b x", "log(x, b)"),
        ("√2x", "write √(2x) or √2*x"),
        ("1/2|x|", "write 1/(2|x|) or (1/2)*|x|"),
        ("x^1/2", "write x^(1/2) or (x^1)/2"),
        ("x^-1/3", "write x^(-1/3) or (x^-1)/3"),
        ("tan^-1 y/x", "write atan(y/x) or atan(y)/x"),
        ("sin x/2", "write sin(x/2) or sin(x)/2"),
        ("sin2 x", "write sin(2x), sin(2)*x or sin^2(x)"),
        ("-2e^-2xy", "write e^(-2xy) or e^(-2x)*y"),
    ],
)
def test_more_ambiguous_or_foreign_notation_is_refused(text: str, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_expression(text)
    assert message in f"{caught.value.message} {caught.value.hint}"


def test_a_fraction_after_a_power_is_read_left_to_right_with_a_note() -> None:
    f = parse_function("x^3/2")
    assert f.expr == symbol("x") ** 3 / 2
    assert f.notes == ("read 'x^3/2' as (x^3)/2 (for a fractional power write x^(3/2))",)
    # x^2/2 has no other sensible reading, and Python's x**3/2 is Python's
    assert parse_function("x^2/2").notes == ()
    assert parse_function("x**3/2").notes == ()


def test_a_name_in_vars_on_the_left_of_an_equation_is_a_level_surface() -> None:
    f = parse_function("z = x + y", variables=["x", "y", "z"])
    assert f.expr == symbol("z") - symbol("x") - symbol("y")


def test_d_over_dx_is_an_instruction_not_a_quotient() -> None:
    from gradcli.errors import ParseError

    with pytest.raises(ParseError, match="asks for a derivative") as caught:
        parse_expression("d/dx(x^2)", variables=["x"])
    assert caught.value.position == 0
    # a quotient of other letters is still refused as ambiguous, with both readings
    with pytest.raises(ParseError, match="ambiguous"):
        parse_expression("a/bx", variables=["a", "b", "x"])
