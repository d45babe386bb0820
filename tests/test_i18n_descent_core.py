"""The descent core in Korean: diagnoses, advice and errors are Korean, machine values are not."""

from __future__ import annotations

import re

import pytest
import sympy

from gradcli import i18n
from gradcli.descent import StopReason, descend, descend_text
from gradcli.errors import InputError
from gradcli.kinds import PointKind

pytestmark = pytest.mark.skipif(
    not i18n.installed("ko"), reason="the Korean catalogue is not built"
)

HANGUL = re.compile("[\uac00-\ud7a3]")
x, y = sympy.symbols("x y", real=True)


def _both(call):
    """The result of ``call()`` in English, then in Korean."""
    with i18n.speaking("en"):
        english = call()
    with i18n.speaking("ko"):
        korean = call()
    return english, korean


def test_a_diverging_descent_is_diagnosed_in_korean_with_the_same_machine_values():
    # x² with α = 1.5: each step maps x to (1 − 2α)x = −2x, so it oscillates and diverges;
    # L = 2 exactly, so the stable bound is 2/L = 1
    english, korean = _both(lambda: descend(x**2, (x,), (1,), lr=1.5))
    assert english.stop_reason is korean.stop_reason is StopReason.DIVERGED
    assert korean.stop_reason.value == "diverged"
    assert korean.final_kind is english.final_kind is PointKind.UNKNOWN
    assert korean.oscillating and korean.oscillating_variables == ("x",)
    assert korean.steps == english.steps
    assert korean.points == english.points
    ko, en = korean.diagnosis, english.diagnosis
    assert ko is not None and en is not None
    assert (ko.where, ko.at_step) == (en.where, en.at_step) == ("quadratic", None)
    assert ko.largest_eigenvalue == en.largest_eigenvalue == 2.0
    assert ko.lr_bound == en.lr_bound == 1.0
    assert ko.exact_lr_bound == en.exact_lr_bound == 1
    assert "diverged" in en.message and "too large" in en.message
    for term in ("발산", "진동", "경사 하강법", "고윳값", "너무 큽니다"):
        assert term in ko.message, term
    assert "발산" in korean.message
    for english_words in ("diverged", "Oscillation", "too large", "largest eigenvalue"):
        assert english_words not in ko.message
    # the mathematics is not translated
    assert "α < 2/L = 1" in ko.message and "α = 1.5" in ko.message


def test_advice_after_running_out_of_steps_is_korean_and_keeps_its_numbers():
    english, korean = _both(
        lambda: descend_text("x^2 + y^2 + xy", "1,3", lrs="0.1", steps=5).runs[0]
    )
    assert korean.stop_reason is english.stop_reason is StopReason.MAX_STEPS
    assert korean.final_kind is PointKind.NOT_CRITICAL
    assert "raise the step limit" in english.message
    assert HANGUL.search(korean.message) and "스텝" in korean.message
    # the bounds 2/(L + μ) = 1/2 and 2/L = 2/3 (L = 3, μ = 1) are said in both
    for bound in ("2/(L + μ) = 0.500", "2/L = 0.667"):
        assert bound in english.message and bound in korean.message


def test_an_overflow_is_told_apart_from_the_words_in_korean_too():
    # −exp(x²) from 1 overflows (a math range error, f = NaN at the end): the
    # values before it fell without end, so f may be unbounded below
    english, korean = _both(lambda: descend_text("-exp(x^2)", "1", lrs="0.1").runs[0])
    assert korean.stop_reason is StopReason.DIVERGED
    assert "may be unbounded below" in english.diagnosis.message
    assert "아래로 유계가 아닐 수 있습니다" in korean.diagnosis.message
    assert korean.diagnosis.where == english.diagnosis.where == "start"


def test_a_saddle_warning_and_the_stop_message_are_korean():
    english, korean = _both(lambda: descend(x**2 - y**2, (x, y), (1, 0), lr=0.1))
    assert korean.stop_reason is english.stop_reason is StopReason.CONVERGED
    assert korean.final_kind is english.final_kind is PointKind.SADDLE
    assert english.message.startswith("converged")
    assert korean.message.startswith("수렴했습니다")
    assert "안장점" in korean.warning and "극소점" in korean.warning


def test_option_errors_are_korean_and_name_the_options_as_typed():
    with i18n.speaking("ko"), pytest.raises(InputError) as caught:
        descend(x**2, (x,), (1,), method="sgd")
    assert "알 수 없는 방법" in caught.value.message and "'sgd'" in caught.value.message
    with i18n.speaking("ko"), pytest.raises(InputError) as caught:
        descend(x**2, (x,), (1,), schedule="cosine:min=1", lr=0.1)
    assert "스케줄" in caught.value.message and "cosine" in caught.value.message
    with i18n.speaking("ko"), pytest.raises(InputError) as caught:
        descend(x**2, (x,), (1,), lr=-1)
    assert "학습률" in caught.value.message and "-1" in caught.value.message
