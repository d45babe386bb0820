"""``gradcli check`` in Korean: verdicts, feedback, summaries, table headers and
errors are Korean, while what a machine reads (JSON keys, verdict, method and
mistake values, CSV headers and cells, plain keys, exit codes) is as in English.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gradcli import i18n
from gradcli.formats.check import summary_lines
from gradcli.grading import BatchSummary, check
from tests.conftest import invoke
from tests.test_i18n import has_hangul

SEED = "x^2+y^2+xy"
#: a wrong gradient (each component misses a term), a right value, a wrong kind
WRONG = ("check", SEED, "--gradient", "2x, 2y", "--at", "1,3", "--value", "5,7")
BATCH = 'id,name,gradient,magnitude\nann,Ann,"y+2x, 2y+x",8.6\nben,Ben,"2x, 2y",9\n'


#: in-process (no budgeted child): fast, and the language is this process's
ENV = {"COLUMNS": "100", "NO_COLOR": "1", "GRADCLI_IN_PROCESS": "1"}


def korean(*args: str) -> Any:
    return invoke("--lang", "ko", *args, env=ENV)


def english(*args: str) -> Any:
    return invoke(*args, env=ENV)


def test_a_wrong_answer_is_told_in_korean() -> None:
    result = korean(*WRONG)
    assert result.exit_code == 1, result  # a wrong answer, in any language
    out = result.stdout
    # the headers, the verdicts and the part's name in Korean; the codes as they are
    for word in ("부분", "판정", "피드백", "✗ 오답", "✓ 정답", "그래디언트"):
        assert word in out, (word, out)
    assert "[missing_term]" in out
    assert "2개 부분 중 1개 정답" in out  # the summary line, counted
    assert "wrong" not in out and "verdict" not in out


def test_json_in_korean_has_the_english_keys_and_values() -> None:
    ours, theirs = korean(*WRONG, "--format", "json"), english(*WRONG, "--format", "json")
    assert ours.exit_code == theirs.exit_code == 1
    ko, en = json.loads(ours.stdout), json.loads(theirs.stdout)
    ko.pop("language", None), en.pop("language", None)
    assert list(ko) == list(en)
    machine = ("part", "component", "label", "verdict", "method", "mistakes", "given")
    assert [{k: p[k] for k in machine} for p in ko["parts"]] == [
        {k: p[k] for k in machine} for p in en["parts"]
    ]
    assert [list(p) for p in ko["parts"]] == [list(p) for p in en["parts"]]
    assert [p["verdict"] for p in ko["parts"]] == ["wrong", "wrong", "correct", "correct"]
    assert ko["parts"][0]["mistakes"] == ["missing_term"]
    # the messages are the translated part: Korean, where the English says something
    assert has_hangul(ko["summary_line"]) and not has_hangul(en["summary_line"])
    assert has_hangul(ko["parts"][0]["message"])


def test_plain_keeps_its_english_keys_and_verdicts_and_says_korean_messages() -> None:
    ours, theirs = korean(*WRONG, "--format", "plain"), english(*WRONG, "--format", "plain")
    keys = [[line.split(": ", 1)[0] for line in r.stdout.splitlines()] for r in (ours, theirs)]
    assert keys[0] == keys[1]
    # the verdict and method are machine words, English as in JSON: grep ': wrong' works
    assert "gradient[0] ∂f/∂x: wrong (numeric) [missing_term]: x·y의 " in ours.stdout
    assert "gradient[0] ∂f/∂x: wrong (numeric) [missing_term]: " in theirs.stdout


def test_api_verdict_in_korean() -> None:
    with i18n.speaking("ko"):
        verdict = check(SEED, gradient="2x, 2y", critical="(0, 0) max")
        # the summary is said when asked for, in the language spoken then
        assert verdict.summary == "2개 부분 중 0개 정답; 오답: 그래디언트, 임계점."
    assert [p.verdict for p in verdict.parts] == ["wrong", "wrong", "wrong"]
    assert verdict.parts[-1].mistakes == ("wrong_kind",)
    assert verdict.parts[-1].message.startswith("임계점이지만")  # said when graded
    english = check(SEED, gradient="2x, 2y", critical="(0, 0) max")
    assert english.summary == "0 of 2 parts correct; wrong: gradient, critical."


def test_batch_summary_counts_in_korean() -> None:
    summary = BatchSummary(3, 1, 1, 1, 0, (("gradient", 1, 3),), (("sign_error", 2),), malformed=1)
    with i18n.speaking("ko"):
        lines = summary_lines(summary)
    assert lines == [
        "3개 행: 모두 정답 1, 틀린 부분 있음 1, 읽을 수 없음 1(형식이 잘못됨 1), 판정 불가 0",
        "부분별 정답 수: 그래디언트 1/3",
        "가장 흔한 실수: sign_error (2)",
    ]
    assert summary_lines(summary)[0] == (
        "3 rows: 1 all correct, 1 with a wrong part, 1 unreadable (1 malformed), 0 undecided"
    )


def test_batch_csv_in_korean_keeps_its_header_and_values(tmp_path: Path) -> None:
    path = tmp_path / "class.csv"
    path.write_text(BATCH, encoding="utf-8")
    args = ("check", SEED, "--at", "1,3", "--batch", str(path), "--format", "csv", "--jobs", "1")
    ours, theirs = korean(*args), english(*args)
    assert ours.exit_code == theirs.exit_code == 0
    rows = [[line.split(",")[:6] for line in r.stdout.splitlines()] for r in (ours, theirs)]
    assert rows[0] == rows[1]  # header, id, name, line, part, verdict: unchanged
    assert "gradcli: 요약: 2개 행: 모두 정답 1, 틀린 부분 있음 1" in ours.stderr
    assert "참고: 그대로 전달하는 열: name" in ours.stderr


def test_errors_in_korean(tmp_path: Path) -> None:
    missing = korean("check", SEED, "--batch", str(tmp_path / "none.csv"))
    assert missing.exit_code == 2
    assert "읽을 수 없습니다" in missing.stderr
    nothing = korean("check", SEED)
    assert nothing.exit_code == 2
    assert "채점할 것이 없습니다" in nothing.stderr
    unreadable = korean("check", SEED, "--critical", "(0, 0) minn")
    assert unreadable.exit_code == 2
    assert "점의 종류" in unreadable.stderr  # "'minn' is neither a number nor a kind of point"


def test_help_in_korean_and_english() -> None:
    theirs, ours = english("check", "--help"), korean("check", "--help")
    assert "EXPRESSION에 대한 답을 채점합니다" in ours.stdout
    assert "기대하는 답을 보여 줍니다." in ours.stdout
    assert "Check answers about EXPRESSION: each part, each component, and why." in theirs.stdout
    assert "Seed of the random test points, 0 to" in theirs.stdout
    assert "Show the expected answers." in theirs.stdout and "기대하는" not in theirs.stdout


def test_a_caveat_on_a_right_answer_is_said_in_a_korean_batch(tmp_path: Path) -> None:
    # the batch shows a right answer's message when it has a caveat: decided by
    # PartResult.caveat, not by the English wording of the message
    path = tmp_path / "class.csv"
    path.write_text("id,gradient\nann,(x^2-1)/(x-1)\n", encoding="utf-8")
    args = ("check", "x^2/2 + x", "--batch", str(path), "--format", "plain", "--jobs", "1")
    ours, theirs = korean(*args), english(*args)
    assert theirs.stdout.startswith("ann gradient: correct (numeric): equal at ")
    first = ours.stdout.splitlines()[0]
    assert first.startswith("ann gradient: correct (numeric): ") and "x - 1 = 0" in first
