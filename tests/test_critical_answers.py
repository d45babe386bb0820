"""Critical points answered as students write them: read, or refused, never misread."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from gradcli.errors import DimensionError, LimitError, ParseError
from gradcli.grading.critical_answers import CriticalAnswer, read_critical
from gradcli.grading.problem import Problem
from gradcli.kinds import PointKind
from gradcli.limits import Limits
from gradcli.parse import parse_function


def _problem(f: str) -> Problem:
    return Problem(parse_function(f), at=None, along=None, seed=0, limits=Limits())


TWO = _problem("x^3 - 3x + y^2")  # a local min at (1, 0), a saddle at (-1, 0)
ONE = _problem("x^3 - 3x")  # a local min at 1, a local max at -1

MIN, MAX, SADDLE, DEGENERATE = (
    PointKind.MINIMUM.short,
    PointKind.MAXIMUM.short,
    PointKind.SADDLE.short,
    PointKind.DEGENERATE.short,
)


def _read(text: str, problem: Problem = TWO) -> list[tuple[tuple[sympy.Expr, ...], str | None]]:
    return [(a.point, a.kind) for a in read_critical(text, problem, Limits())]


READ_TWO = [
    # the form read before, and "none"
    ("(0,0) min; (1,1) saddle", [((0, 0), MIN), ((1, 1), SADDLE)]),
    ("(1,0); (-1,0)", [((1, 0), None), ((-1, 0), None)]),
    ("(0, 0), (1, 1)", [((0, 0), None), ((1, 1), None)]),
    ("none", []),
    ("No critical points", []),
    ("{}", []),
    ("[]", []),
    ("()", []),
    # a kind after the point, among fillers
    ("(0, 0): saddle; (1, 1): local min", [((0, 0), SADDLE), ((1, 1), MIN)]),
    (
        "(0,0) is a saddle point; (1,1) is a local minimum;",
        [((0, 0), SADDLE), ((1, 1), MIN)],
    ),
    ("(0,0) - saddle", [((0, 0), SADDLE)]),
    ("(0,0) – saddle", [((0, 0), SADDLE)]),
    ("(0,0) = saddle", [((0, 0), SADDLE)]),
    ("(0,0) → min", [((0, 0), MIN)]),
    ("(0,0) -> min", [((0, 0), MIN)]),
    ("(0,0) (saddle), (1,1) (local max)", [((0, 0), SADDLE), ((1, 1), MAX)]),
    ("the point (1,0) is a minimum", [((1, 0), MIN)]),
    # a kind before the point
    ("saddle (0,0); min (1,1)", [((0, 0), SADDLE), ((1, 1), MIN)]),
    ("local max at (1, 2)", [((1, 2), MAX)]),
    ("saddle point at (0,0)", [((0, 0), SADDLE)]),
    ("a minimum at (1,0)", [((1, 0), MIN)]),
    ("relative minimum: (1,0)", [((1, 0), MIN)]),
    ("rel. max (1,2)", [((1, 2), MAX)]),
    ("Min (1,0)", [((1, 0), MIN)]),
    ("MIN (1,0)", [((1, 0), MIN)]),
    ("minimum point (1,0)", [((1, 0), MIN)]),
    ("saddle pt (0,0)", [((0, 0), SADDLE)]),
    ("saddle pt. (0,0)", [((0, 0), SADDLE)]),
    ("min - (1,0)", [((1, 0), MIN)]),
    # the words for a point the test says nothing about
    ("[0, 0] neither; [1, 1] test fails", [((0, 0), DEGENERATE), ((1, 1), DEGENERATE)]),
    ("(0,0) inconclusive and (1,1) degenerate", [((0, 0), DEGENERATE), ((1, 1), DEGENERATE)]),
    ("(0,0) inflection point", [((0, 0), PointKind.INFLECTION.short)]),
    # separators
    ("(0,0) saddle and (1,1) min", [((0, 0), SADDLE), ((1, 1), MIN)]),
    ("(0,0) saddle, (1,1) min", [((0, 0), SADDLE), ((1, 1), MIN)]),
    ("(0,0) saddle,(1,1) min", [((0, 0), SADDLE), ((1, 1), MIN)]),
    ("(0,0) saddle, and (1,1) min", [((0, 0), SADDLE), ((1, 1), MIN)]),
    ("(0,0) saddle & (1,1) min", [((0, 0), SADDLE), ((1, 1), MIN)]),
    ("(0,0) saddle\n(1,1) min\n", [((0, 0), SADDLE), ((1, 1), MIN)]),
    ("- (0,0) saddle\n- (1,1) min", [((0, 0), SADDLE), ((1, 1), MIN)]),
    ("• (0,0) saddle\n• min at (1,1)", [((0, 0), SADDLE), ((1, 1), MIN)]),
    ("(0,0) is a saddle. (1,1) is a min.", [((0, 0), SADDLE), ((1, 1), MIN)]),
    ("(0,0), saddle", [((0, 0), SADDLE)]),
    ("{(0,0) saddle, (1,1) min}", [((0, 0), SADDLE), ((1, 1), MIN)]),
    # points written with names, or without brackets
    ("(x, y) = (0, 0) saddle", [((0, 0), SADDLE)]),
    ("(y, x) = (2, 1): saddle", [((1, 2), SADDLE)]),
    ("x=1, y=0: min", [((1, 0), MIN)]),
    ("y = 0, x = 1 is a min", [((1, 0), MIN)]),
    ("x=1, y=0: min, x=-1, y=0: saddle", [((1, 0), MIN), ((-1, 0), SADDLE)]),
    ("x=1, y=0, x=-1, y=0", [((1, 0), None), ((-1, 0), None)]),
    ("min at x = 1 and y = 0", [((1, 0), MIN)]),
    ("min at x=1, y=0, saddle at x=-1, y=0", [((1, 0), MIN), ((-1, 0), SADDLE)]),
    ("x=1, y=0, min", [((1, 0), MIN)]),
    ("1, 2 min; 3 4 max", [((1, 2), MIN), ((3, 4), MAX)]),
    ("1, 2 min, 3, 4 max", [((1, 2), MIN), ((3, 4), MAX)]),
    ("atan2(1, 2), 0 min", [((sympy.atan(sympy.Rational(1, 2)), 0), MIN)]),
    ("(1/2, -sqrt(3)) saddle", [((sympy.Rational(1, 2), -sympy.sqrt(3)), SADDLE)]),
]

READ_ONE = [
    ("x = 1 min; x = -1 max", [((1,), MIN), ((-1,), MAX)]),
    ("1: min, -1: max", [((1,), MIN), ((-1,), MAX)]),
    ("min at x=1", [((1,), MIN)]),
    ("min at 1 and max at -1", [((1,), MIN), ((-1,), MAX)]),
    ("min -1", [((-1,), MIN)]),
    ("-1 - max", [((-1,), MAX)]),
    ("1, -1", [((1,), None), ((-1,), None)]),
    ("(1) min, (-1) max", [((1,), MIN), ((-1,), MAX)]),
    ("x = 1 (min), x = -1 (max)", [((1,), MIN), ((-1,), MAX)]),
    ("pi / 2 min", [((sympy.pi / 2,), MIN)]),
    ("sqrt 2 neither", [((sympy.sqrt(2),), DEGENERATE)]),
    ("e min", [((sympy.E,), MIN)]),
    ("* 1 min\n* -1 max", [((1,), MIN), ((-1,), MAX)]),
    ("- 1 min", [((-1,), MIN)]),  # one line: a minus sign, as parse_point reads it
]


@pytest.mark.parametrize(("text", "expected"), READ_TWO)
def test_forms_read_for_two_variables(text: str, expected: list[object]) -> None:
    assert _read(text) == expected


@pytest.mark.parametrize(("text", "expected"), READ_ONE)
def test_forms_read_for_one_variable(text: str, expected: list[object]) -> None:
    assert _read(text, ONE) == expected


def test_a_parameter_named_like_a_filler_word_is_a_variable_when_given_a_value() -> None:
    problem = _problem("f(a, b) = a^2 + b^2")
    assert _read("a = 0, b = 1 is a min", problem) == [((0, 1), MIN)]
    assert _read("(0, 1) is a min", problem) == [((0, 1), MIN)]


def test_each_answer_keeps_its_coordinates_and_item_as_typed() -> None:
    given = read_critical(
        "0.82, sqrt(6)/3 is a min; (y, x) = (2.50, -1): saddle\n  rel. max at x=1 , y = 3.0 ",
        TWO,
        Limits(),
    )
    assert given == [
        CriticalAnswer(
            point=(sympy.Rational(41, 50), sympy.sqrt(6) / 3),
            coordinates=("0.82", "sqrt(6)/3"),
            kind=MIN,
            text="0.82, sqrt(6)/3 is a min",
        ),
        CriticalAnswer(
            point=(-1, sympy.Rational(5, 2)),
            coordinates=("-1", "2.50"),
            kind=SADDLE,
            text="(y, x) = (2.50, -1): saddle",
        ),
        CriticalAnswer(
            point=(1, 3),
            coordinates=("1", "3.0"),
            kind=MAX,
            text="rel. max at x=1 , y = 3.0",
        ),
    ]
    assert read_critical("1 -2 saddle", TWO, Limits())[0].coordinates == ("1", "-2")


#: unreadable: a ParseError pointing at the place (the text quoted from there)
REFUSED = [
    (TWO, "(0,0) maximumm", "maximumm"),
    (TWO, "(0,0) saddle; (1,1) maximumm", "maximumm"),
    (TWO, "0 0 minimun", "minimun"),  # not a third coordinate
    (TWO, "global min (1,0)", "global"),
    (TWO, "(0,0) saddle (1,1) min", "saddle (1,1)"),
    (TWO, "(0,0) (1,1)", "(1,1)"),
    (TWO, "(0,0) saddle pt. (1,1) min", "saddle pt."),
    (TWO, "min (1,0) max", "max"),
    (TWO, "saddle, (0,0)", "saddle"),
    (TWO, "(0,0) min; saddle", "saddle"),
    (TWO, "min at x=1, y=0 saddle", "saddle"),
    (TWO, "(0,0) local", "local"),
    (TWO, "(0,0) ✓", "✓"),
    (TWO, "5 (0,0) min", "5 (0,0)"),
    (TWO, "(0,0) is (1,1)", "is (1,1)"),
    (TWO, "(x, z) = (0, 0) min", "(x, z)"),
    (TWO, "x=1 : min", "x=1"),  # no value for y
    (TWO, "is", "is"),
    (TWO, ";", None),
    (TWO, "", None),
    (ONE, "min - 1", "- 1"),  # a minus sign, or a separator?
    (ONE, "- 1 min\n- -1 max", "- 1 min"),  # a bullet, or a minus sign?
    (ONE, "1 min -1 max", "min -1"),
    (ONE, "x = 1 maximumm", "maximumm"),
    (ONE, "1 mx", "mx"),
]


@pytest.mark.parametrize(("problem", "text", "at"), REFUSED)
def test_what_cannot_be_read_is_refused_where_it_is(
    problem: Problem, text: str, at: str | None
) -> None:
    with pytest.raises(ParseError) as caught:
        read_critical(text, problem, Limits())
    assert not isinstance(caught.value, DimensionError)
    if at is not None:
        assert caught.value.text == text
        assert caught.value.position is not None
        assert text[caught.value.position :].startswith(at)


def test_a_word_that_is_no_kind_names_the_kinds() -> None:
    with pytest.raises(ParseError) as caught:
        read_critical("(0,0) saddle; (1,1) maximumm", TWO, Limits())
    assert caught.value.hint is not None
    assert "did you mean maximum?" in caught.value.hint
    assert all(word in caught.value.hint for word in ("min", "max", "saddle", "degenerate"))


@pytest.mark.parametrize(
    ("problem", "text", "at"),
    [
        (TWO, "(1,2,3) min", "(1,2,3)"),
        (TWO, "(0,0) saddle; [1, 2, 3] max", "[1, 2, 3]"),
        (TWO, "1, 2, 3 min", "1, 2, 3"),
        (TWO, "(1) min", "(1)"),
        (ONE, "(1, 2) min", "(1, 2)"),
    ],
)
def test_a_point_written_with_the_wrong_number_of_coordinates_is_a_dimension_error(
    problem: Problem, text: str, at: str
) -> None:
    with pytest.raises(DimensionError) as caught:
        read_critical(text, problem, Limits())
    assert caught.value.position is not None
    assert text[caught.value.position :].startswith(at)


def test_an_answer_longer_than_the_limit_is_refused_before_reading() -> None:
    with pytest.raises(LimitError) as caught:
        read_critical("(0,0) min; " * 20, TWO, Limits(max_length=100))
    assert "limit" in str(caught.value)


# --------------------------------------------------------------------------
# Any list of points, written any supported way, is read back exactly

#: the words for each kind, as ``critical`` names it
WORDINGS = {
    MIN: ["min", "minimum", "local min", "local minimum", "relative minimum", "rel. min",
          "rel min", "minimum point", "Min", "MIN", "local min pt"],
    MAX: ["max", "maximum", "local max", "Local Maximum", "relative max", "rel. max",
          "maximum point", "MAX"],
    SADDLE: ["saddle", "saddle point", "saddle pt", "Saddle", "SADDLE POINT", "(saddle)"],
    DEGENERATE: ["degenerate", "inconclusive", "neither", "test fails"],
}  # fmt: skip

#: how a point is written: with one variable, with two
STYLES = {
    1: {
        "bare": "{0}",
        "paren": "({0})",
        "named": "x = {0}",
        "named_tight": "x={0}",
    },
    2: {
        "paren": "({0}, {1})",
        "tight": "({0},{1})",
        "square": "[{0}, {1}]",
        "header": "(x, y) = ({0}, {1})",
        "named": "x = {0}, y = {1}",
        "named_tight": "x={0},y={1}",
        "bare": "{0}, {1}",
        "spaced": "{0} {1}",
    },
}
BRACKETED = {"paren", "tight", "square", "header"}
AFTER = [" ", ": ", " - ", " – ", " = ", " → ", " -> ", " is a ", " is ", ", "]
BEFORE = [" ", " at ", ": ", " is at "]


@dataclass(frozen=True)
class _Written:
    """One point as a student wrote it, and what it must read as."""

    point: tuple[int, ...]
    kind: str | None
    text: str
    #: no comma after it can add coordinates to it
    bracketed: bool
    named: bool
    #: its kind is written before it, after it
    first: bool
    last: bool


@st.composite
def _item(draw: st.DrawFn, n: int) -> _Written:
    point = tuple(draw(st.integers(-20, 20)) for _ in range(n))
    style = draw(st.sampled_from(sorted(STYLES[n])))
    written = STYLES[n][style].format(*point)
    kind = draw(st.sampled_from([None, *WORDINGS]))
    first = False
    if kind is not None:
        words = draw(st.sampled_from(WORDINGS[kind]))
        first = draw(st.booleans())
        if first:
            joiners = [*BEFORE, " - "] if style in BRACKETED and n > 1 else BEFORE
            lead = draw(st.sampled_from(["", "a ", "the "]))
            written = lead + words + draw(st.sampled_from(joiners)) + written
        else:
            written = written + draw(st.sampled_from(AFTER)) + words
    return _Written(
        point=point,
        kind=kind,
        text=written,
        bracketed=style in BRACKETED or n == 1,
        named=style.startswith("named"),
        first=first,
        last=kind is not None and not first,
    )


def _separators(left: _Written, right: _Written) -> list[str]:
    """The separators that keep ``left`` and ``right`` two points."""
    out = ["; ", ";", " ;\n", " and ", " & "]
    if (
        left.bracketed
        or left.last
        or right.bracketed
        or right.first
        or (left.named and right.named)
    ):
        out += [", ", ","]
    ends = left.text
    sentence = ends[-1] == ")" or (ends[-1].isalpha() and not ends.endswith("pt"))
    if sentence and not right.text[0].islower():
        out.append(". ")
    return out


@st.composite
def _answer(draw: st.DrawFn, n: int) -> tuple[str, list[_Written]]:
    items = draw(st.lists(_item(n), min_size=1, max_size=4))
    layout = draw(st.sampled_from(["inline", "lines", "bullets"]))
    if layout == "inline":
        text = items[0].text
        for left, right in itertools.pairwise(items):
            text += draw(st.sampled_from(_separators(left, right))) + right.text
        text += draw(st.sampled_from(["", ";", " ; "]))
    else:
        bullet = draw(st.sampled_from(["* ", "• "])) if layout == "bullets" else ""
        text = "\n".join(bullet + item.text for item in items) + "\n"
    return text, items


@settings(max_examples=300, deadline=None)
@given(n=st.sampled_from([1, 2]), data=st.data())
def test_any_answer_written_any_supported_way_is_read_back_exactly(
    n: int, data: st.DataObject
) -> None:
    text, items = data.draw(_answer(n))
    problem = ONE if n == 1 else TWO
    given = read_critical(text, problem, Limits())
    assert [(a.point, a.kind) for a in given] == [(i.point, i.kind) for i in items]
    assert [a.coordinates for a in given] == [tuple(str(c) for c in i.point) for i in items]
    assert [a.text for a in given] == [i.text for i in items]
    assert all(a.kind is None or a.kind in {k.short for k in PointKind} for a in given)
