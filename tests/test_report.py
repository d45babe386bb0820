"""The gradebook: scoring a graded batch (gradcli.grading.report) and its CSV."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradcli.errors import InputError
from gradcli.formats.check import report_csv
from gradcli.grading import PARTS, PartResult, RowResult
from gradcli.grading.report import (
    Report,
    Scoring,
    component_credit,
    parse_fraction,
    parse_weights,
    part_score,
    score_batch,
    score_row,
)

HALF = Fraction(1, 2)


def part(name: str, component: int | None, verdict: str, *mistakes: str) -> PartResult:
    return PartResult(name, component, "", verdict, mistakes=mistakes)


RIGHT = part("gradient", 0, "correct")
WRONG = part("gradient", 1, "wrong", "sign_error")
CARRIED = part("value", 0, "wrong", "carried_error")


# --------------------------------------------------------------------------
# One component, one part


@pytest.mark.parametrize(
    ("result", "credit"),
    [
        (RIGHT, 1),
        (WRONG, 0),
        (CARRIED, HALF),
        (part("value", 0, "wrong", "carried_error", "sign_error"), 0),  # not its only mistake
        (part("value", 0, "undecided"), 0),
        (part("value", None, "unreadable"), 0),
        (part("row", None, "unreadable"), 0),
    ],
)
def test_what_a_component_earns(result: PartResult, credit: Fraction) -> None:
    assert component_credit(result, carried_credit=HALF) == credit


def test_a_carried_error_earns_nothing_by_default() -> None:
    assert component_credit(CARRIED) == 0


def test_a_part_scores_its_weight_times_the_share_right() -> None:
    assert part_score([RIGHT, WRONG], weight=Fraction(3)) == Fraction(3, 2)
    assert part_score([RIGHT, RIGHT, WRONG], weight=Fraction(1)) == Fraction(2, 3)
    assert part_score([CARRIED, CARRIED], weight=Fraction(2), carried_credit=HALF) == 1
    assert part_score([], weight=Fraction(5)) == 0


def test_missing_critical_points_count_as_one_component() -> None:
    found = part("critical", 0, "correct")
    missing = part("critical", None, "wrong", "missing_point")  # however many are missing
    assert part_score([found, missing], weight=Fraction(1)) == HALF
    extra = part("critical", 1, "wrong", "extra_point")
    assert part_score([found, extra, missing], weight=Fraction(3)) == 1


# --------------------------------------------------------------------------
# A row, a batch


def test_a_row_is_scored_on_every_part_of_its_batch() -> None:
    row = RowResult(2, "ann", (RIGHT, WRONG), extra=(("name", "Ann"),))
    scoring = Scoring((("gradient", Fraction(2)),))
    student = score_row(row, ("gradient", "value"), scoring)
    assert [(p.part, p.verdict, p.score, p.weight, p.components) for p in student.parts] == [
        ("gradient", "wrong", 1, 2, 2),
        ("value", None, 0, 1, 0),  # not answered: 0 of its weight
    ]
    assert (student.score, student.max_score, student.percent) == (1, 3, Fraction(100, 3))
    assert student.columns == (("name", "Ann"),)
    assert student.review is False


@pytest.mark.parametrize("verdict", ["undecided", "unreadable"])
def test_an_undecided_or_unreadable_part_asks_for_review(verdict: str) -> None:
    row = RowResult(2, "ann", (RIGHT, part("value", None, verdict)))
    assert score_row(row, ("gradient", "value"), Scoring()).review is True


def test_a_row_that_could_not_be_graded_scores_0_for_review() -> None:
    failed = RowResult(3, "3", (part("row", None, "unreadable"),), malformed=True)
    student = score_row(failed, ("gradient",), Scoring())
    assert (student.score, student.max_score, student.review) == (0, 1, True)
    assert [p.verdict for p in student.parts] == [None]


def test_a_batch_has_the_parts_answered_in_order_and_the_columns_first_seen() -> None:
    rows = [
        RowResult(2, "a", (CARRIED,), extra=(("name", "A"), ("email", "a@x"))),
        RowResult(3, "b", (part("critical", 0, "correct"), RIGHT), extra=(("section", "1"),)),
        RowResult(4, "c", (part("row", None, "undecided"),), extra=(("email", "c@x"),)),
    ]
    report = score_batch(rows)
    assert report.parts == ("gradient", "value", "critical")
    assert report.columns == ("name", "email", "section")
    assert [s.id for s in report.students] == ["a", "b", "c"]
    assert score_batch(rows, columns=["email"]).columns == ("email",)


def test_a_batch_with_nothing_to_score_has_no_percentage() -> None:
    rows = [RowResult(2, "a", (RIGHT,))]
    (student,) = score_batch(rows, Scoring((("gradient", Fraction(0)),))).students
    assert (student.score, student.max_score, student.percent) == (0, 0, None)


verdicts = st.sampled_from(["correct", "wrong", "undecided", "unreadable"])
mistake_sets = st.sampled_from([(), ("carried_error",), ("sign_error",)])
components = st.lists(
    st.tuples(st.sampled_from(PARTS), verdicts, mistake_sets), min_size=1, max_size=12
)


@given(components, st.fractions(0, 1))
def test_scores_agree_with_counting_by_hand(
    answer: list[tuple[str, str, tuple[str, ...]]], credit: Fraction
) -> None:
    results = tuple(
        PartResult(name, i, "", verdict, mistakes=mistakes if verdict == "wrong" else ())
        for i, (name, verdict, mistakes) in enumerate(answer)
    )
    weights = tuple((name, Fraction(i + 1)) for i, name in enumerate(PARTS))
    (student,) = score_batch([RowResult(2, "a", results)], Scoring(weights, credit)).students
    # by hand: each part is a share of its weight, each component an equal share of it
    expected = Fraction(0)
    for name in {p.part for p in results}:
        mine = [p for p in results if p.part == name]
        right = sum(p.verdict == "correct" for p in mine)
        carried = sum(p.verdict == "wrong" and p.mistakes == ("carried_error",) for p in mine)
        expected += dict(weights)[name] * (right + credit * carried) / len(mine)
    assert student.score == expected
    assert 0 <= student.score <= student.max_score
    if all(p.verdict == "correct" for p in results):
        assert student.percent == 100
    assert student.review == any(p.verdict in ("undecided", "unreadable") for p in results)


def test_scoring_refuses_what_it_cannot_mean() -> None:
    with pytest.raises(ValueError, match="unknown part"):
        Scoring((("gradeint", Fraction(1)),))
    with pytest.raises(ValueError, match="negative"):
        Scoring((("gradient", Fraction(-1)),))
    with pytest.raises(ValueError, match="from 0 to 1"):
        Scoring(carried_credit=Fraction(3, 2))


# --------------------------------------------------------------------------
# Reading --weights and --carried-credit


@pytest.mark.parametrize(
    ("text", "weights"),
    [
        ("gradient=2,value=1", (("gradient", 2), ("value", 1))),
        (" Gradient = 0.5 , critical=3/2 ", (("gradient", HALF), ("critical", Fraction(3, 2)))),
        ("hessian=0", (("hessian", 0),)),
    ],
)
def test_weights(text: str, weights: tuple[tuple[str, Fraction], ...]) -> None:
    assert parse_weights(text) == weights


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "give PART=WEIGHT pairs"),
        ("gradient", "'gradient' is not PART=WEIGHT"),
        ("=2", "is not PART=WEIGHT"),
        ("gradeint=2", "unknown part 'gradeint' (did you mean gradient?)"),
        ("row=1", "unknown part 'row'"),
        ("gradient=1,gradient=2", "gradient is given twice"),
        ("gradient=-1", "must be a number, 0 or more"),
        ("gradient=two", "not 'two'"),
        ("gradient=1/0", "not '1/0'"),
        ("gradient=1e999999999", "not '1e999999999'"),
    ],
)
def test_bad_weights_are_one_line_usage_errors(text: str, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)) as error:
        parse_weights(text)
    assert "\n" not in error.value.message


@pytest.mark.parametrize(
    ("text", "value"), [("0", 0), ("0.5", HALF), (".5", HALF), ("1/3", Fraction(1, 3)), ("1", 1)]
)
def test_a_fraction(text: str, value: Fraction) -> None:
    assert parse_fraction(text, name="--carried-credit", at_most=Fraction(1)) == value


@pytest.mark.parametrize("text", ["1.5", "3/2", "-0.5", "half", "nan", "", "1/0", "1" * 50])
def test_a_fraction_out_of_bounds_or_unreadable(text: str) -> None:
    with pytest.raises(InputError, match="--carried-credit must be a number from 0 to 1"):
        parse_fraction(text, name="--carried-credit", at_most=Fraction(1))


# --------------------------------------------------------------------------
# The gradebook's CSV


def test_the_gradebook_csv() -> None:
    rows = [
        RowResult(2, "ann", (RIGHT, RIGHT, CARRIED), extra=(("name", "Ann"), ("score", "9"))),
        RowResult(3, "b\x1bn", (part("row", None, "unreadable"),), extra=(("name", "Ben, B"),)),
        RowResult(
            4, "cai", (RIGHT, WRONG, part("value", 0, "correct"), part("value", 1, "undecided"))
        ),
    ]
    scoring = Scoring((("gradient", Fraction(2)), ("value", Fraction(1))), carried_credit=HALF)
    assert report_csv(score_batch(rows, scoring)) == (
        "id,name,score (input),score,max_score,percent,gradient,value,review\n"
        "ann,Ann,9,2.5,3,83.3,correct,wrong,false\n"
        'b\\u001bn,"Ben, B",,0,3,0,,,true\n'
        "cai,,,1.5,3,50,wrong,undecided,true\n"
    )


def test_an_empty_gradebook_is_its_header() -> None:
    assert report_csv(Report((), (), ())) == "id,score,max_score,percent,review\n"


def test_scores_round_half_up() -> None:
    rows = [RowResult(2, "a", (RIGHT, WRONG, WRONG, WRONG, WRONG, WRONG, WRONG, WRONG))]
    # 1/8 of 1 is 0.125: 0.13, and 12.5 %
    line = report_csv(score_batch(rows)).splitlines()[1]
    assert line == "a,0.13,1,12.5,wrong,false"
