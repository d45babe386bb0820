"""`gradcli grad` and `grad --steps` in Korean: people read Korean, scripts the same data."""

from __future__ import annotations

import json
import re
import time

import pytest
from rich.cells import cell_len

from gradcli import i18n
from gradcli.budget import time_limit
from gradcli.calculus import gradient
from gradcli.errors import BudgetExceeded
from gradcli.formats import grad as formats
from gradcli.formats.steps import as_json, to_plain
from gradcli.i18n import N_, speaking
from gradcli.render.console import Screen
from gradcli.render.grad import to_table
from gradcli.steps import derive_all
from tests.conftest import invoke

pytestmark = pytest.mark.skipif(
    not i18n.installed("ko"), reason="the Korean catalogue is not compiled (make setup)"
)

SEED = "x^2+y^2+xy"
HANGUL = re.compile("[\uac00-\ud7a3]")


def _seed_table(width: int) -> str:
    with speaking("ko"):
        return to_table(gradient(SEED, at="1,3"), Screen(width=width, color=False))


def test_the_seed_table_speaks_korean() -> None:
    table = _seed_table(80)
    for words in ("변수", "편미분", "(1, 3)에서", "가장 가파르게 증가하는 방향", "단위 방향"):
        assert words in table
    # the mathematics is the same as in English
    assert "∂f/∂x = 2x + y" in table and "|∇f(1, 3)| = √74 ≈ 8.602325" in table
    assert "variable" not in table and "steepest" not in table


@pytest.mark.parametrize("width", [80, 40])
def test_the_korean_table_keeps_within_the_terminal(width: int) -> None:
    # a Hangul syllable takes two columns: the box must still close on each line
    lines = _seed_table(width).splitlines()
    box = [line for line in lines if line[:1] in "┏┃┡│└"]
    assert len(box) == 6
    assert all(cell_len(line) <= width for line in lines)
    assert len({cell_len(line) for line in box}) == 1  # every row as wide as the header


def test_a_critical_point_and_a_direction_are_said_in_korean() -> None:
    with speaking("ko"):
        critical = to_table(gradient("x^2 + y^2", at="0,0"), Screen(width=80, color=False))
        along = to_table(gradient(SEED, at="1,3", along="1,1"), Screen(width=80, color=False))
        latex = formats.to_latex(gradient("x^2", at="0"))
    assert "∇f = 0: 임계점(critical point)입니다" in critical
    assert "v와 ∇f 사이의 각: 9.462°" in along and "등위선" in along
    assert r"\text{임계점: 증가하는 방향이 없습니다}" in latex


def test_the_steps_speak_korean_and_keep_their_rules() -> None:
    with speaking("ko"):
        korean = derive_all(SEED)
        text = to_plain(korean)
        shown = as_json(korean)
    english = as_json(derive_all(SEED))
    # plain keeps its keys English (the rule names too); the notes are Korean
    assert "steps df/dx, where y is held constant:" in text
    assert "sum rule: d/dx (x**2 + x*y + y**2)" in text
    assert "[항별로 미분]" in text and "power rule" in text and "constant multiple" in text
    assert "check: sympy의 diff와 똑같습니다" in text
    # what scripts compare stays English; only the notes are in the reader's language
    assert [[r["rule"] for r in d["rules"]] for d in shown] == [
        ["sum", "power", "constant_multiple", "held_constant"],
        ["sum", "held_constant", "constant_multiple", "power"],
    ]
    assert [[r["rule"] for r in d["rules"]] for d in english] == [
        [r["rule"] for r in d["rules"]] for d in shown
    ]
    assert shown[0]["verification"] == english[0]["verification"] == "identical"
    assert shown[0]["rules"][0]["note"] == "합의 법칙: 항별로 미분"
    assert english[0]["rules"][0]["note"] == "sum rule: term by term"


def test_a_shortened_note_does_not_depend_on_its_wording() -> None:
    with speaking("ko"):
        text = to_plain(derive_all("sign(x) + x - y", "x, y"))
    # the rule's name stands beside the note, which does not repeat it
    assert "sign: d/dx (sign(x)) = 0  [x ≠ 0에서 상수이고, x = 0에서는 정의되지 않습니다]" in text
    assert "[합/차의 법칙: 항별로 미분]" in text


def _json(*args: str) -> dict[str, object]:
    result = invoke(*args)
    assert result.exit_code == 0, result
    return json.loads(result.stdout)


def test_json_has_the_same_keys_and_values_in_korean() -> None:
    args = ("grad", SEED, "--at", "1,3", "--along", "1,1", "--steps", "--format", "json")
    english, korean = _json(*args), _json("--lang", "ko", *args)
    assert list(english) == list(korean)
    human = {"language", "notes", "steps"}
    assert {k: v for k, v in english.items() if k not in human} == {
        k: v for k, v in korean.items() if k not in human
    }
    assert HANGUL.search(korean["notes"][0]) and not HANGUL.search(english["notes"][0])
    for e, k in zip(english["steps"], korean["steps"]):  # type: ignore[call-overload]
        assert list(e) == list(k)
        assert [r["rule"] for r in e["rules"]] == [r["rule"] for r in k["rules"]]
        assert (e["result"], e["verified"], e["verification"]) == (
            k["result"],
            k["verified"],
            k["verification"],
        )


def test_csv_and_plain_keys_stay_english() -> None:
    english = invoke("grad", "x^2", "--at", "0", "--format", "plain")
    korean = invoke("--lang", "ko", "grad", "x^2", "--at", "0", "--format", "plain")
    assert korean.stdout.replace("그래디언트가 0입니다: 증가하는 방향이 없습니다", "") == (
        english.stdout.replace("the gradient is zero: no direction of ascent", "")
    )
    csv = ("grad", SEED, "--at", "1,3", "--format", "csv")
    assert invoke("--lang", "ko", *csv).stdout == invoke(*csv).stdout


def test_errors_say_error_in_korean_with_the_same_exit_code() -> None:
    english = invoke("grad", SEED, "--at", "1")
    korean = invoke("--lang", "ko", "grad", SEED, "--at", "1")
    assert english.exit_code == korean.exit_code != 0
    assert english.stderr.startswith("gradcli: error: ")
    assert korean.stderr.startswith("gradcli: 오류: 점의 좌표는 1개인데 함수의 변수는 2개입니다")


def test_a_time_limit_names_its_work_in_korean() -> None:
    limit = time_limit(0.01, N_("the step-by-step derivation"))
    with speaking("ko"), pytest.raises(BudgetExceeded) as caught, limit:
        end = time.monotonic() + 2
        while time.monotonic() < end:
            pass
    assert str(caught.value.message).startswith("단계별 유도: 0.01초의 시간 제한을 넘었습니다")
