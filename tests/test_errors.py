"""The error hierarchy, its exit codes, and the one place that words errors."""

from __future__ import annotations

import pytest

from gradcli import errors
from gradcli.errors import (
    BudgetExceeded,
    DimensionError,
    ExitCode,
    GradcliError,
    InputError,
    LimitError,
    MathError,
    ParseError,
    UndefinedError,
    describe,
    describe_bug,
)


def test_exit_codes_are_the_documented_numbers() -> None:
    assert {code.name: int(code) for code in ExitCode} == {
        "OK": 0,
        "WRONG_ANSWER": 1,
        "USAGE": 2,
        "MATH": 3,
        "BUG": 70,  # EX_SOFTWARE in sysexits.h
        "OUTPUT": 74,  # EX_IOERR in sysexits.h
        "INTERRUPTED": 130,
    }


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (InputError("no"), ExitCode.USAGE),
        (ParseError("no"), ExitCode.USAGE),
        (LimitError("no"), ExitCode.USAGE),
        (DimensionError("the point has 1 coordinate but the function has 2"), ExitCode.USAGE),
        (MathError("no"), ExitCode.MATH),
        (UndefinedError("no"), ExitCode.MATH),
        (BudgetExceeded("no"), ExitCode.MATH),
    ],
)
def test_each_error_has_its_exit_code(error: GradcliError, code: ExitCode) -> None:
    assert error.exit_code == code


def test_a_wrong_length_is_bad_input_not_impossible_mathematics() -> None:
    assert issubclass(DimensionError, InputError)
    assert not issubclass(DimensionError, MathError)


def test_a_bug_has_a_code_of_its_own() -> None:
    user_codes = {int(cls.exit_code) for cls in (InputError, MathError)}
    assert int(ExitCode.BUG) not in user_codes | {0, 1, 130}


def test_describe_on_one_line_keeps_position_and_hint() -> None:
    error = ParseError(
        "unknown name 'sinx'", text="sinx + y", position=0, hint="did you mean sin(x)?"
    )
    assert describe(error) == "unknown name 'sinx' (at position 1); did you mean sin(x)?"
    assert "\n" not in describe(error)


def test_describe_for_a_terminal_puts_a_caret_under_the_place() -> None:
    error = ParseError("unexpected '*'", text="x + * y", position=4, hint="remove it")
    shown = describe(error, lines=True).splitlines()
    assert shown == [
        "unexpected '*' (at position 5)",
        "  x + * y",
        "      ^",
        "  hint: remove it",
    ]
    # the caret sits under the offending character
    assert shown[2].index("^") == shown[1].index("*")


def test_describe_quotes_the_text_when_asked() -> None:
    error = ParseError("unexpected ')'", text="x+)", position=2)
    assert describe(error, quote=True) == "unexpected ')' (at position 3 of 'x+)')"


def test_describe_without_a_position_is_the_message() -> None:
    assert describe(UndefinedError("f is not real at x = -1")) == "f is not real at x = -1"
    assert describe(UndefinedError("f is not real at x = -1"), lines=True) == (
        "f is not real at x = -1"
    )


def test_describe_bug_is_one_line_with_the_debug_hint() -> None:
    line = describe_bug("RuntimeError: boom\nsecond line \x1b[2J")
    assert "\n" not in line and "\x1b" not in line
    assert line.startswith("internal error: RuntimeError: boom")
    assert line.endswith("(a bug in gradcli; rerun with --debug)")


def test_messages_quoting_hostile_input_stay_one_printable_line() -> None:
    error = InputError("'\x1b[31m' is not a variable\nreally", hint="a\rb")
    assert error.message == "'?[31m' is not a variable really"
    assert "\n" not in describe(error)


def test_dead_names_are_gone() -> None:
    """Nothing raised NotConvergedError; a diverging descent is a result, not an error."""
    assert not hasattr(errors, "NotConvergedError")
