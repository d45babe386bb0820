"""The expression reader in Korean: its errors, hints and reading notes are Korean
sentences, while what a script reads (the expression, the variables, the error's
class, exit code and position, the caret line, option names) is as in English.
"""

from __future__ import annotations

import pytest
import sympy

from gradcli.errors import (
    DimensionError,
    ExitCode,
    InputError,
    LimitError,
    ParseError,
    UndefinedError,
    describe,
)
from gradcli.i18n import language, speaking
from gradcli.limits import Limits
from gradcli.numbers import exact, exact_decimal, value_at
from gradcli.parse import (
    parse_expression,
    parse_function,
    parse_numbers,
    parse_point,
    reading_notes,
)
from tests.conftest import invoke
from tests.test_i18n import has_hangul

X, Y = sympy.symbols("x y", real=True)


def both(call):  # type: ignore[no-untyped-def]
    """``call()`` in English and in Korean (a value, or the error it raised)."""
    out = []
    for lang in ("en", "ko"):
        with speaking(lang) as spoken:
            assert spoken == lang, "the Korean catalogue is not built (tool.py build)"
            try:
                out.append(call())
            except Exception as error:  # noqa: BLE001 - compared below
                out.append(error)
    return out


#: text, the note's key Korean words, the reading the note shows (as in English)
NOTES = [
    ("x^2 + 2xy + y^2", "변수의 곱", "x·y"),
    ("sin2x + ylnx", "해석했습니다", "sin(2x)"),
    ("e^-2x + y", "해석했습니다", "e^(-2x)"),
    ("1/2 x^2 + y", "해석했습니다", "(1/2)·x^2"),
    ("sin^-1(x) + y", "역함수", "asin"),
    ("x^3/2 + y", "지수가 분수라면", "x^(3/2)"),
    ("z = x^2 + y^2", "등위면", "z - (x^2 + y^2)"),
    ("x^2 + y^2 = 14", "등위면 F = 0", "x^2 + y^2 - 14"),
    ("f(x, y) = x^2 y", "x, y의 함수", "'f(x, y) = …'"),
]


@pytest.mark.parametrize(("text", "korean", "reading"), NOTES)
def test_reading_notes_are_korean_and_read_the_same(text: str, korean: str, reading: str) -> None:
    english, ko = both(lambda: parse_function(text))
    assert ko.expr == english.expr and ko.variables == english.variables
    assert len(ko.notes) == len(english.notes) >= 1
    assert english.notes[0].startswith("read ")
    assert has_hangul(ko.notes[0]) and korean in ko.notes[0], ko.notes
    # the mathematics in the note is shown exactly as in English
    assert reading in english.notes[0] and reading in ko.notes[0], (english.notes, ko.notes)


def test_notes_collected_while_grading_are_korean() -> None:
    with speaking("ko"), reading_notes() as notes:
        parse_expression("2cos2x")
    assert notes == ["'cos2x'(을)를 cos(2x)의 뜻으로 해석했습니다"]


#: refused text, and a Korean word its message must use
ERRORS = [
    ("x/2y", "모호"),
    ("sin 2x y", "괄호가 없어서"),
    ("x+)", "짝이 없는"),
    ("(x+1]", "닫는 괄호"),
    ("2 3", "연달아"),
    ("oo*x", "무한대"),
    ("Ln(x)", "알 수 없는 함수"),
    ("x ≤ 3", "비교"),
    ("x ∙ y!", "계승"),
    ("\\frac{1}{2", "빠졌습니다"),
    ("\\frac{1}{2}}", "짝이 맞지 않는"),
    ("\\foo x", "LaTeX 명령"),
    ("хy", "모양과 다른 문자"),
    ("", "비어 있습니다"),
]


@pytest.mark.parametrize(("text", "korean"), ERRORS)
def test_parse_errors_are_korean_and_located_the_same(text: str, korean: str) -> None:
    english, ko = both(lambda: parse_expression(text))
    assert isinstance(english, ParseError) and type(ko) is type(english)
    assert has_hangul(ko.message) and korean in ko.message, ko.message
    assert not has_hangul(english.message)
    assert (ko.position, ko.text, ko.exit_code) == (english.position, english.text, ExitCode.USAGE)
    assert ko.located() == english.located()  # the caret line stays as it is
    assert (ko.hint is None) == (english.hint is None)
    if ko.hint:
        assert has_hangul(ko.hint), ko.hint


def test_describe_words_position_and_hint_in_korean() -> None:
    english, ko = both(lambda: parse_expression("x/2y"))
    with speaking("ko"):
        shown = describe(ko, lines=True)
        quoted = describe(ko, quote=True)
    lines = shown.splitlines()
    assert lines[0] == "'x/2y'의 뜻이 모호합니다 (위치 4)"
    assert lines[1:3] == describe(english, lines=True).splitlines()[1:3]  # the caret
    assert lines[3] == "  도움말: x/(2y), (x/2)*y 중 하나로 쓰십시오"
    assert "('x/2y'의 위치 4)" in quoted


def test_point_errors_are_korean() -> None:
    f = parse_function("x^2 + y")
    dimension = both(lambda: parse_point("1, 2, 3", f))
    assert all(isinstance(e, DimensionError) for e in dimension)
    assert (
        dimension[0].message
        == "the point has 3 coordinates but the function has 2 variables (x, y)"
    )
    assert dimension[1].message == "점의 좌표는 3개인데 함수의 변수는 2개입니다 (x, y)"
    unknown = both(lambda: parse_point("z=1, x=2", f))
    assert "변수가 아닙니다" in unknown[1].message and "x, y" in unknown[1].message
    # the values read are the same in both languages
    assert both(lambda: parse_point("y=3, x=1/2", f)) == [{X: sympy.Rational(1, 2), Y: 3}] * 2


def test_option_messages_start_with_the_option_in_korean() -> None:
    # commands/base.py decides whether to prefix the option by the message's start
    for text in ("", "1,,2", "x"):
        _english, ko = both(lambda text=text: parse_numbers(text, "--lr", Limits()))
        assert isinstance(ko, InputError) and ko.message.startswith("--lr"), ko.message
        assert has_hangul(ko.message)


def test_limit_errors_are_korean_and_name_the_same_bound() -> None:
    english, ko = both(lambda: parse_expression("x" * 20, limits=Limits(max_length=10)))
    assert isinstance(ko, LimitError) and "GRADCLI_MAX_LENGTH" in ko.message
    assert "20자" in ko.message and "10자" in ko.message
    english, ko = both(lambda: Limits.from_env({"GRADCLI_MAX_DEPTH": "-3"}))
    assert english.message == "GRADCLI_MAX_DEPTH must be a positive number, got '-3'"
    assert ko.message == "GRADCLI_MAX_DEPTH의 값은 양수여야 합니다 (받은 값: '-3')"
    _english, ko = both(lambda: Limits().with_options(timeout=1e10))
    assert ko.message == "--timeout의 값은 1,000,000 이하여야 합니다 (받은 값: 1e+10)"


def test_values_and_numbers_speak_korean() -> None:
    english, ko = both(lambda: value_at(1 / X, {X: sympy.Integer(0)}))
    assert isinstance(ko, UndefinedError)
    assert english.message == "the value is undefined (division by zero)"
    assert ko.message == "값은 정의되지 않음 (0으로 나누기)"
    english, ko = both(lambda: exact(float("nan")))
    assert ko.message == "값에는 유한한 값이 와야 합니다 (받은 값: nan)"
    english, ko = both(lambda: exact_decimal("abc", 'points.csv, line 4, column "y"'))
    assert ko.message == 'points.csv, line 4, column "y": "abc"(은)는 수가 아닙니다'
    # the numbers themselves do not depend on the language
    assert both(lambda: exact("pi/2")) == [sympy.pi / 2] * 2


def test_the_language_is_restored_and_english_is_unchanged() -> None:
    with speaking("ko"):
        parse_function("xy")
    assert language() == "en"
    assert parse_function("xy").notes == (
        "read 'xy' as x·y (a product; a variable named xy needs --vars)",
    )


def test_cli_notes_and_errors_in_korean_keep_json_the_same() -> None:
    english = invoke("grad", "x^2 + 2xy + y^2", "--at", "1,2", "--format", "json")
    ko = invoke("--lang", "ko", "grad", "x^2 + 2xy + y^2", "--at", "1,2", "--format", "json")
    assert english.exit_code == ko.exit_code == 0
    data_en, data_ko = english.json, ko.json
    assert data_en.keys() == data_ko.keys()
    assert data_en["notes"] == ["read 'xy' as x·y (a product of variables)"]
    assert data_ko["notes"] == ["'xy'(을)를 x·y의 뜻으로 해석했습니다 (변수의 곱)"]
    assert data_en["language"] == "en" and data_ko["language"] == "ko"
    assert {k: v for k, v in data_ko.items() if k not in ("notes", "language")} == {
        k: v for k, v in data_en.items() if k not in ("notes", "language")
    }
    refused = invoke("--lang", "ko", "grad", "x/2y")
    assert refused.exit_code == ExitCode.USAGE and refused.stdout == ""
    first = refused.stderr.splitlines()[0]
    assert first.startswith("gradcli: ") and first.endswith(" 'x/2y'의 뜻이 모호합니다 (위치 4)")
