"""How ``check`` judges an answer and names the mistake, in Korean: the explanation a
student reads is Korean, while every value a script reads (verdict, method, mistake
code, label, how the answer was read) is the same as in English.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
import sympy

from gradcli import check
from gradcli.errors import GradcliError, InputError
from gradcli.grading.decimals import DecimalRule, tolerance
from gradcli.grading.equality import equivalent
from gradcli.i18n import speaking
from tests.test_i18n import has_hangul

SEED = "x^2 + x*y + y^2"

#: answers with a known mistake: the arguments of check, the mistake code of the
#: part that is wrong, its English explanation (as before translation), and a
#: Korean term the explanation must use
CASES: dict[str, tuple[dict[str, Any], str, str, str]] = {
    "missing term": (
        {"gradient": "2x, 2y"},
        "missing_term",
        "missing y, the derivative of x·y with respect to x",
        "도함수",
    ),
    "wrong variable": (
        {"gradient": "2x + y, 2x + y"},
        "wrong_variable",
        "this is ∂f/∂x: differentiate with respect to y",
        "미분하십시오",
    ),
    "chain rule": (
        {"f": "sin(x*y)", "gradient": "cos(x*y), x*cos(x*y)"},
        "missing_chain_factor",
        "the chain rule's inner derivative is missing: sin(x·y) needs the factor y",
        "연쇄 법칙",
    ),
    "steepest descent": (
        {"at": "1,3", "direction": "(-5, -7)/sqrt(74)"},
        "sign_error",
        "this is the direction of steepest descent, −∇f/|∇f|",
        "가장 가파른 감소 방향",
    ),
    "not normalised": (
        {"at": "1,3", "direction": "5, 7"},
        "not_normalized",
        "it points the right way but its length is 8.602, not 1: divide by its length",
        "길이",
    ),
    "swapped": (
        {"at": "1,3", "value": "7, 5"},
        "swapped_components",
        "the components are in the wrong order",
        "성분",
    ),
    "wrong point": (
        {"at": "1,3", "value": "6, 9", "f": "x^2*y"},
        "wrong_point",
        "this is the value at (3, 1), not at (1, 3): the coordinates are swapped",
        "좌표",
    ),
    "squared": (
        {"at": "1,3", "magnitude": "74"},
        "magnitude_squared",
        "this is |∇f|²: take the square root",
        "제곱근",
    ),
    "hessian shape": (
        {"hessian": "[[2, 1], [1, 2], [0, 0]]"},
        "wrong_length",
        "the Hessian of a function of 2 variables is 2×2; the answer is 3×2",
        "헤세 행렬",
    ),
    "gradient length": (
        {"gradient": "2x + y, x + 2y, 0"},
        "wrong_length",
        "∇f has 2 components (one per variable); the answer has 3",
        "성분",
    ),
}


def _both(arguments: dict[str, Any]) -> tuple[Any, Any]:
    arguments = dict(arguments)
    f = arguments.pop("f", SEED)
    english = check(f, **arguments)
    with speaking("ko"):
        korean = check(f, **arguments)
    return english, korean


def _machine(verdict: Any) -> list[tuple[Any, ...]]:
    return [
        (p.part, p.component, p.label, p.verdict, p.method, p.mistakes, p.given, p.answer_read)
        for p in verdict.parts
    ]


@pytest.mark.parametrize("name", CASES)
def test_a_mistake_is_explained_in_korean_and_named_by_the_same_code(name: str) -> None:
    arguments, code, explained, term = CASES[name]
    english, korean = _both(arguments)
    assert _machine(korean) == _machine(english)
    assert english.correct is korean.correct is False
    named = [(e, k) for e, k in zip(english.parts, korean.parts) if code in e.mistakes]
    assert named, [p.mistakes for p in english.parts]
    e, k = named[0]
    assert e.message == explained
    assert has_hangul(k.message) and term in k.message, k.message
    # the mathematics in the explanation is kept as it is
    for piece in ("x·y", "sin(x·y)", "−∇f/|∇f|", "|∇f|²", "(3, 1)", "2×2", "8.602"):
        if piece in e.message:
            assert piece in k.message


def test_a_right_answer_with_a_caveat_says_so_by_a_flag_not_by_its_wording() -> None:
    english, korean = _both({"f": "x^2 + y", "gradient": "(x^2 - 1)/(x - 1) + x - 1, 1"})
    assert _machine(korean) == _machine(english)
    first_en, first_ko = english.parts[0], korean.parts[0]
    assert first_en.verdict == "correct" and first_en.caveat and first_ko.caveat
    assert not english.parts[1].caveat
    assert first_en.message == (
        "equal at 16 random points where both are defined; the answer is undefined where x - 1 = 0"
    )
    assert "x - 1 = 0" in first_ko.message and "정의되지 않습니다" in first_ko.message


def test_equality_details_follow_the_language_spoken() -> None:
    x = sympy.Symbol("x", real=True)
    assert equivalent(abs(x), x).detail == "differs at x = -2.17"
    with speaking("ko"):
        assert equivalent(abs(x), x).detail == "x = -2.17에서 다릅니다"
        same = equivalent(x + 1, 1 + x)
        assert same.equal is True and has_hangul(same.detail)


def test_a_decimal_verdict_is_not_cached_in_the_language_of_an_earlier_run() -> None:
    rule = DecimalRule(sigfigs=3)
    root = sympy.sqrt(74)
    assert rule.judge("8.6", root) == (
        False,
        "8.6 has 2 significant figures; give 3 significant figures",
    )
    with speaking("ko"):
        ok, message = rule.judge("8.6", root)
        assert ok is False
        assert "유효숫자 2자리" in message and "유효숫자 3자리" in message
        assert DecimalRule(tol=Fraction(1, 20)).judge("1.05", sympy.S.One) == (
            True,
            "상대 허용 오차 0.05 이내입니다",
        )
    assert rule.judge("8.60", root) == (True, "correct to 3 significant figures")


def test_errors_about_reading_an_answer_are_korean_and_keep_their_hint_fields() -> None:
    with speaking("ko"):
        verdict = check(SEED, gradient="2x 2y")
        (part,) = verdict.parts
        assert part.verdict == "unreadable"
        assert part.message == "성분은 쉼표로 구분해야 합니다"
        assert part.hint == "다음과 같이 쓰십시오: 2x, 2y"
        (unknown,) = check(SEED, gradient="2x, 2z").parts
        assert unknown.verdict == "unreadable"
        assert "'z'" in unknown.message and "변수" in unknown.message
        with pytest.raises(InputError) as caught:
            tolerance("-1", "--tol")
        assert caught.value.message == "--tol의 값은 음수일 수 없습니다(받은 값: -1)"
        with pytest.raises(GradcliError) as combined:
            DecimalRule(tol=Fraction(1, 10), sigfigs=2)
        assert "--sigfigs" in combined.value.message and has_hangul(combined.value.message)


def test_a_component_with_no_value_is_named_in_the_korean_reason() -> None:
    english, korean = _both({"gradient": "1/0, x + 2y"})
    assert _machine(korean) == _machine(english)
    assert english.parts[0].verdict == korean.parts[0].verdict == "wrong"
    assert english.parts[0].message.startswith("1/0 is ")
    assert korean.parts[0].message.startswith("1/0: ")


@pytest.mark.parametrize("answer", ["none", "없음", "방향 없음"])
def test_no_direction_may_be_said_in_either_language(answer: str) -> None:
    with speaking("ko"):
        (part,) = check(SEED, at="0,0", direction=answer).parts
    assert (part.verdict, part.mistakes) == ("correct", ())
    assert part.message == "이 점에서 ∇f = 0입니다: 답한 대로 방향이 없습니다"


def test_a_wrong_point_that_gives_the_right_value_names_no_mistake() -> None:
    # |∇f| at (−1, −1) is |∇f| at (1, 1): 2·1.414 is wrong for its decimal, not its point
    (part,) = check("x^2 + y^2", at="1,1", magnitude="2*1.414").parts
    assert (part.verdict, part.mistakes) == ("wrong", ())
    assert part.message.startswith("a decimal inside an expression is read exactly")
    # a wrong point whose value differs is still named
    (named,) = check("x^2*y", at="1,3", magnitude="sqrt(117)").parts
    assert named.mistakes == ("wrong_point",)
    assert named.message == "this is |∇f| at (3, 1), not at (1, 3)"
