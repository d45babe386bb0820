"""`gradcli descend` in Korean: tables, plain text, LaTeX and data-file errors are
Korean; JSON keys, CSV, stop reasons and kinds (what scripts read) are not."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from gradcli import i18n
from gradcli.commands.descend import EXACT_STEPS
from gradcli.losses import read_table
from tests.conftest import Result, invoke

pytestmark = pytest.mark.skipif(
    not i18n.installed("ko"), reason="the Korean catalogue is not built"
)

HANGUL = re.compile("[\uac00-\ud7a3]")
#: x² from 1 with α = 1.5: θ ← θ − 1.5·2θ = −2θ, so |θ| doubles each step and f diverges
DIVERGING = ("descend", "x^2", "--from", "1", "--lr", "1.5")
LOSSES = Path(__file__).parent / "data" / "losses"


def run(lang: str, *args: str) -> Result:
    return invoke("--lang", lang, *args, env={"COLUMNS": "100", "GRADCLI_IN_PROCESS": "1"})


def both(*args: str) -> tuple[Result, Result]:
    return run("en", *args), run("ko", *args)


def shape(value: Any) -> Any:
    """The keys of a JSON document, all the way down, with its non-text values."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    return "<text>" if isinstance(value, str) else value


def test_a_diverging_run_is_shown_in_korean_in_its_table():
    english, korean = both(*DIVERGING)
    assert english.exit_code == korean.exit_code == 3
    for header in ("스텝 길이", "멈춘 이유:", "최종 θ", "마지막 점: 알 수 없음"):
        assert header in korean.stdout, header
    # the mathematical headers stay as they are
    for header in ("θ_k", "f(θ_k)", "∇f(θ_k)", "|∇f|"):
        assert header in korean.stdout and header in english.stdout
    assert "step" not in korean.stdout and "stop reason" not in korean.stdout
    # 20 steps: |θ_20| = 2²⁰, f = 2⁴⁰ ≈ 1.0995e12 passes 1e12; both say 20 steps
    assert "20 스텝 후" in korean.stdout and "after 20 steps" in english.stdout
    assert korean.stderr.startswith("gradcli: 오류: ")


def test_plain_text_keeps_its_keys_and_values_and_speaks_korean_in_its_sentences():
    english, korean = both(*DIVERGING, "--format", "plain")
    assert english.exit_code == korean.exit_code == 3
    en_lines = english.stdout.splitlines()
    ko_lines = korean.stdout.splitlines()
    # scripts grep the keys (README: grep -E "^(stop_reason|steps|final_point):")
    assert [line.split(":")[0] for line in en_lines] == [line.split(":")[0] for line in ko_lines]
    assert "stop_reason: diverged" in ko_lines and "steps: 20" in ko_lines
    message = next(line for line in ko_lines if line.startswith("message: "))
    assert HANGUL.search(message)


def test_json_has_the_same_keys_and_enum_values_in_korean():
    english, korean = both(*DIVERGING, "--format", "json")
    assert english.exit_code == korean.exit_code == 3
    en, ko = json.loads(english.stdout), json.loads(korean.stdout)
    en.pop("language", None), ko.pop("language", None)
    assert shape(ko) == shape(en)
    en_run, ko_run = en["runs"][0], ko["runs"][0]
    for key in ("method", "stop_reason", "final_kind", "schedule"):
        assert ko_run[key] == en_run[key]
    assert ko_run["stop_reason"] == "diverged" and ko_run["final_kind"] == "unknown"
    assert ko_run["trajectory"] == en_run["trajectory"]
    assert HANGUL.search(ko_run["message"]) and not HANGUL.search(en_run["message"])


def test_csv_is_the_same_in_every_language():
    english, korean = both(*DIVERGING, "--format", "csv")
    assert korean.stdout == english.stdout
    assert korean.stdout.startswith("run,method,lr,k,x,f,df/dx,grad_norm,step_length\n")


def test_latex_words_are_korean_and_katex_renders_them():
    from tests.katex import katex_errors

    diverged = run("ko", *DIVERGING, "--format", "latex")
    # a saddle: converged, "but not a minimum"; x² + y² exactly, with α = 1/10
    saddle = run("ko", "descend", "x^2 - y^2", "--from", "1,0", "--format", "latex")
    compared = run(
        "ko", "descend", "x^2 + 3y^2", "--from", "1,1", "--method", "gd,newton", "--format", "latex"
    )
    assert (
        r"\text{20 스텝 후 발산}\text{: } L = 2,\ \alpha < 1 \text{일 때만 안정}" in diverged.stdout
    )
    assert r"\text{, 그러나 극소점은 아님}" in saddle.stdout
    assert r"\text{방법} & \alpha & \text{스텝 수}" in compared.stdout
    assert r"\text{수렴}" in compared.stdout
    documents = [diverged.stdout, saddle.stdout, compared.stdout]
    assert katex_errors(documents) == [None, None, None]


def test_a_comparison_labels_stop_reasons_in_korean():
    korean = run("ko", "descend", "x^2", "--from", "1", "--lr", "0.1,1.5")
    assert korean.exit_code == 0
    assert "멈춘 이유" in korean.stdout and "발산" in korean.stdout and "수렴" in korean.stdout
    assert "gd α=1.5:" in korean.stdout  # a run's label is its method's code


def test_data_file_errors_are_korean_with_the_same_exit_code(tmp_path: Path):
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1,2\n3\n", encoding="utf-8")
    args = ("descend", "--data", str(bad), "--model", "w*x", "--from", "0")
    english, korean = both(*args)
    assert english.exit_code == korean.exit_code == 2
    assert "line 3: 1 cell, but the header names 2 columns" in english.stderr
    assert "3번째 줄: 셀이 1개인데 머리글의 열은 2개입니다" in korean.stderr
    with i18n.speaking("ko"), pytest.raises(Exception, match='"abc"'):
        read_table("x,y\n1,abc\n", source="points.csv")


def test_a_loss_model_error_and_a_label_note_are_korean():
    line = str(LOSSES / "line.csv")
    korean = run("ko", "descend", "--data", line, "--model", "w*x", "--target", "z", "--from", "0")
    assert korean.exit_code == 2
    assert '"z" 열이 없습니다' in korean.stderr and "--target" in korean.stderr
    with i18n.speaking("ko"):
        from gradcli.losses import build_loss

        table = read_table("x,c\n1,0\n2,1\n", source="c.csv")
        loss = build_loss("w*x", table, loss="hinge", target="c")
    assert "힌지 손실은 0(을)를 -1(으)로 읽습니다" in " ".join(loss.notes)
    assert loss.labels == (-1, 1)  # the values are the same in every language


def test_help_is_korean_and_the_exact_steps_in_it_agree_with_the_code():
    english, korean = both("descend", "--help")
    assert english.exit_code == korean.exit_code == 0
    assert "학습률" in korean.stdout and "--from" in korean.stdout
    assert "learning rate" in english.stdout and not HANGUL.search(english.stdout)
    # the help text cannot hold a field: its number must be EXACT_STEPS by hand
    assert f"first {EXACT_STEPS} steps in exact" in " ".join(english.stdout.split())
    assert f"처음 {EXACT_STEPS} 스텝을" in korean.stdout
