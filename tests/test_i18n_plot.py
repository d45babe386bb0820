"""``gradcli plot`` in Korean: the words of the picture and summary, a Hangul font, machine values.

A Korean picture must show Hangul, never boxes: matplotlib says "Glyph …
missing from font(s)" (a warning) or "does not have a glyph" (mathtext's
log) when a letter has no font, so both are caught. Without any font with
Hangul the picture's words are English and a note says how to get one.
Small grids and dpi 40 keep it fast.
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import gradcli.plot.draw as drawing
from gradcli.descent import compare
from gradcli.i18n import installed, speaking
from gradcli.parse import parse_function, parse_point
from gradcli.plot import plot_function
from gradcli.plot.summary import to_plain
from tests.conftest import invoke
from tests.test_i18n import has_hangul

SEED = "x^2+y^2+xy"
FAST: dict[str, Any] = {"dpi": 40, "grid": 30}
#: what matplotlib says when a letter has no glyph in the fonts it tried
MISSING = re.compile(r"missing from font|does not have a glyph|substituting with a dummy", re.I)

pytestmark = pytest.mark.skipif(
    not installed("ko"), reason="the Korean catalogue is not compiled (make setup)"
)


def _texts(figure: Any) -> list[str]:
    """Every text drawn in ``figure``: titles, labels, legends, annotations."""
    from matplotlib.text import Text

    return [t.get_text() for t in figure.findobj(Text) if t.get_text() and t.get_visible()]


def _picture(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, at: str, lrs: tuple[float, ...]
) -> tuple[Any, Any]:
    """f drawn with runs from P and its critical points: the summary and the figure."""
    figures: list[Any] = []
    save = drawing._save

    def keep(figure: Any, *args: Any) -> None:
        figures.append(figure)
        save(figure, *args)

    monkeypatch.setattr(drawing, "_save", keep)
    f = parse_function(text)
    point = parse_point(at, f)
    runs = compare(f.expr, f.variables, point, lrs=lrs)
    path = tmp_path / "picture.png"
    summary = plot_function(f, path=path, at=point, runs=runs, critical=True, **FAST)
    assert path.read_bytes().startswith(b"\x89PNG")
    return summary, figures[0]


@pytest.fixture
def complaints(caplog: pytest.LogCaptureFixture) -> Iterator[list[str]]:
    """What matplotlib warned or logged while the test drew."""
    said: list[str] = []
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        yield said
        said += [str(w.message) for w in caught]
        said += [r.getMessage() for r in caplog.records]


def test_a_korean_map_has_hangul_from_its_font_and_no_missing_glyph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, complaints: list[str]
) -> None:
    import matplotlib
    from matplotlib.text import Text

    with speaking("ko"):
        summary, figure = _picture(tmp_path, monkeypatch, SEED, "1,3", (0.1, 0.7))
        assert summary.notes == ()  # a Hangul font is installed (the plot extra's)
        summary_lines = to_plain(summary)
    texts = _texts(figure)
    # written as PNG inside the complaints fixture: no letter drawn as a box
    assert [c for c in complaints if MISSING.search(c)] == []
    # the words are Korean: the map's title, the legend, the panel, the colour bar
    for word in ("그래디언트 벡터장", "가장 가파르게 증가하는 방향", "등위선", "극소점", "스텝 k"):
        assert any(word in t for t in texts), (word, texts)
    assert any("|∇f|" in t and has_hangul(t) for t in texts)
    # mathtext cannot fall back to a second font: no Hangul inside a $…$ line
    for text in texts:
        for line in text.split("\n"):
            assert not (has_hangul(line) and line.count("$") >= 2), line
    # words in NanumGothic, the mathematics in DejaVu Sans; matplotlib's settings untouched
    families = {tuple(t.get_fontfamily()) for t in figure.findobj(Text) if has_hangul(t.get_text())}
    assert families == {("DejaVu Sans", "NanumGothic")}
    assert "NanumGothic" not in matplotlib.rcParams["font.family"]
    # the summary printed after saving is Korean; the numbers are as in English
    assert "저장했습니다" in summary_lines and "∇f(1, 3) = (5, 7)" in summary_lines
    assert "임계점: 극소점 1개" in summary_lines
    assert summary.paths[0].label == "gd α=0.1: 179 스텝 만에 수렴"


def test_without_a_hangul_font_the_picture_is_english_with_a_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, complaints: list[str]
) -> None:
    monkeypatch.setattr(drawing, "hangul_families", lambda: ())
    with speaking("ko"):
        summary, figure = _picture(tmp_path, monkeypatch, "x^3 - 3x", "2", (0.01, 0.7))
    texts = _texts(figure)
    assert not any(has_hangul(t) for t in texts), texts
    assert {"f and its tangent at P", "the derivative f'", "local max", "step k"} <= set(texts)
    assert summary.paths[1].label == "gd α=0.7: diverged after 4 steps"
    (note,) = summary.notes
    assert has_hangul(note) and "pip install 'gradcli[plot]'" in note
    assert "fonts-noto-cjk" in note
    assert [c for c in complaints if MISSING.search(c)] == []


def test_the_note_reaches_stderr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(drawing, "hangul_families", lambda: ())
    picture = tmp_path / "seed.png"
    result = invoke(
        "--lang", "ko", "plot", "x^3 - 3x", "--at", "2", "-o", str(picture), "--dpi", "40",
        env={"GRADCLI_IN_PROCESS": "1"},
    )  # fmt: skip
    assert result.exit_code == 0, result
    assert "gradcli: 참고: 한글 글꼴이 설치되어 있지 않아" in result.stderr
    assert "저장했습니다" in result.stdout


def test_json_keys_and_values_scripts_read_are_the_english_ones(tmp_path: Path) -> None:
    args = ("plot", "x^3 - 3x", "--at", "2", "--descend-from", "2", "--lr", "0.01,0.7",
            "--critical", "--dpi", "40", "-f", "json")  # fmt: skip
    env = {"GRADCLI_IN_PROCESS": "1"}
    english = invoke(*args, "-o", str(tmp_path / "en.png"), env=env)
    korean = invoke("--lang", "ko", *args, "-o", str(tmp_path / "ko.png"), env=env)
    assert english.exit_code == korean.exit_code == 0, (english, korean)
    en, ko = json.loads(english.stdout), json.loads(korean.stdout)
    assert list(en) == list(ko)
    assert [c["kind"] for c in ko["critical"]] == ["local max", "local min"]
    assert (
        [(p["method"], p["stop_reason"]) for p in ko["paths"]]
        == [(p["method"], p["stop_reason"]) for p in en["paths"]]
        == [("gd", "converged"), ("gd", "diverged")]
    )
    assert [list(p) for p in ko["paths"]] == [list(p) for p in en["paths"]]
    assert ko["arrow"] == en["arrow"] == [9.0]
    assert ko["title"] == en["title"]  # f itself, in mathematical notation
    assert has_hangul(ko["paths"][0]["label"]) and not has_hangul(en["paths"][0]["label"])
    # f'' = 12 at the start x = 2: gd is stable there for α < 2/12
    assert "gradcli: 경고: gd α=0.7" in korean.stderr
    assert "gd 방법은 α < 0.1667일 때만 안정적입니다" in korean.stderr


def test_errors_and_help_in_korean(tmp_path: Path) -> None:
    bad = invoke("--lang", "ko", "plot", SEED, "-o", str(tmp_path / "f.gif"))
    assert bad.exit_code == 2
    assert bad.stderr.startswith("gradcli: 오류") or "그림 형식을 알 수 없습니다" in bad.stderr
    assert "그림 형식을 알 수 없습니다" in bad.stderr and ".png, .svg" in bad.stderr
    shown = invoke("--lang", "ko", "plot", "--help", env={"COLUMNS": "100"})
    assert shown.exit_code == 0
    assert "EXPRESSION을 그립니다" in shown.stdout
    assert "--descend-from" in shown.stdout and "표의 색" in shown.stdout
    assert 'gradcli plot "x^2 + y^2 + xy" --at 1,3 -o bowl.png' in shown.stdout
