"""critical, hessian and jacobian in Korean: the kinds, verdicts, reasons, table
headers, LaTeX words and errors are Korean, while what a script reads (JSON keys,
``kind``, ``verdict``, ``status``, ``definiteness``, ``meaning``, CSV headers) is
exactly as in English.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest

from gradcli.critical import critical_points
from gradcli.formats.critical import CriticalReport, as_dict, to_latex
from gradcli.i18n import installed, speaking
from gradcli.kinds import Definiteness, PointKind, label
from gradcli.parse import parse_function
from tests.conftest import invoke
from tests.katex import katex_errors, katex_module
from tests.schemas import validate
from tests.test_i18n import has_hangul

pytestmark = pytest.mark.skipif(not installed("ko"), reason="the Korean catalogue is not built")

HIMMELBLAU = "(x^2+y-11)^2+(x+y^2-7)^2"


def machine(value: Any) -> Any:
    """The shape of a JSON value with every human sentence blanked: keys, types,
    and the enum values scripts compare, kept."""
    human = {"evidence", "reason", "note", "notes"}
    if isinstance(value, dict):
        # ``language`` says which language the sentences are in
        return {
            k: ("<text>" if k in human else machine(v)) for k, v in value.items() if k != "language"
        }
    if isinstance(value, list):
        return [machine(v) for v in value]
    return value


@functools.cache
def himmelblau(lang: str) -> CriticalReport:
    """Himmelblau's function analysed in ``lang`` (the sentences are made then)."""
    from gradcli.calculus import partial_derivatives

    with speaking(lang):
        function = parse_function(HIMMELBLAU)
        analysis = critical_points(function.expr, function.variables, time_budget=20)
        gradient = partial_derivatives(function.expr, function.variables)
        return CriticalReport(function, gradient, analysis)


def test_labels_are_korean_and_values_stay_english() -> None:
    with speaking("ko"):
        assert label(PointKind.MINIMUM.short) == "극소점"
        assert label(PointKind.SADDLE.test_verdict) == "안장점"
        assert Definiteness.POSITIVE_DEFINITE.label == "양의 정부호"
        assert label("indefinite") == "부정부호"
        # the machine's words do not move
        assert PointKind.MINIMUM.short == "local min"
        assert str(Definiteness.INDEFINITE) == "indefinite"
    assert label("local min") == "local min"


def test_himmelblau_json_has_the_english_keys_and_kinds() -> None:
    with speaking("ko"):
        korean = as_dict(himmelblau("ko"))
    english = as_dict(himmelblau("en"))
    assert machine(korean) == machine(english)
    validate("critical", {"schema_version": 1, "language": "ko", **korean})  # no enum translated
    assert sorted(p["kind"] for p in korean["critical_points"]) == sorted(
        ["local min"] * 4 + ["local max"] + ["saddle"] * 4
    )
    assert korean["convexity"]["verdict"] == "neither"
    assert korean["global_min"]["status"] == english["global_min"]["status"]
    # the sentences are Korean, and say the same
    assert (
        has_hangul(korean["convexity"]["evidence"])
        and "헤세 행렬" in korean["convexity"]["evidence"]
    )
    assert not has_hangul(english["convexity"]["evidence"])
    for key in ("global_min", "global_max"):
        assert has_hangul(korean[key]["reason"])


def test_himmelblau_latex_is_korean_and_renders() -> None:
    with speaking("ko"):
        latex = to_latex(himmelblau("ko"))
    assert r"\text{극소점}" in latex and r"\text{안장점}" in latex
    assert "전역 최솟값" in latex and "볼록" in latex
    if katex_module() is None:
        pytest.skip("KaTeX is not installed")
    assert katex_errors([latex, to_latex(himmelblau("en"))]) == [None, None]


def test_critical_cli_speaks_korean() -> None:
    result = invoke("--lang", "ko", "critical", "x^2 + y^2 + x*y", env={"COLUMNS": "100"})
    assert result.exit_code == 0, result
    out = result.stdout
    assert "임계점" in out and "극소점" in out and "종류" in out
    assert "볼록성: f는 순볼록 함수입니다" in out
    assert "전역 최솟값: f = 0 ((0, 0)에서)" in out
    assert "local min" not in out and "global minimum" not in out


def test_critical_cli_json_and_csv_are_the_same_in_korean() -> None:
    args = ("critical", "x^3 - 3x + y^2")
    english = invoke(*args, "--format", "json")
    korean = invoke("--lang", "ko", *args, "--format", "json")
    assert english.exit_code == korean.exit_code == 0
    assert machine(korean.json) == machine(english.json)
    assert has_hangul(korean.json["global_min"]["reason"])
    csv_en = invoke(*args, "--format", "csv").stdout.splitlines()
    csv_ko = invoke("--lang", "ko", *args, "--format", "csv").stdout.splitlines()
    assert csv_ko[0] == csv_en[0]
    assert [row.split(",")[0] for row in csv_ko] == [row.split(",")[0] for row in csv_en]


def test_hessian_speaks_korean_and_keeps_its_machine_values() -> None:
    args = ("hessian", "x^3 - 3x + y^2", "--at", "1,0")
    table = invoke("--lang", "ko", *args, env={"COLUMNS": "100"})
    assert table.exit_code == 0, table
    assert "헤세 행렬" in table.stdout and "H는 양의 정부호입니다" in table.stdout
    assert "극소점" in table.stdout and "고윳값: 2, 6" in table.stdout
    korean = invoke("--lang", "ko", *args, "--format", "json").json
    english = invoke(*args, "--format", "json").json
    assert korean.keys() == english.keys()
    assert (korean["definiteness"], korean["meaning"]) == ("positive definite", "local minimum")
    assert {k: v for k, v in korean.items() if k != "language"} == {
        k: v for k, v in english.items() if k != "language"
    }
    latex = invoke("--lang", "ko", *args, "--format", "latex").stdout
    assert r"\text{양의 정부호: 극소점}" in latex


def test_errors_are_korean() -> None:
    result = invoke("--lang", "ko", "critical", "x^2", "--box", "3,1")
    assert result.exit_code == 2 and has_hangul(result.stderr), result
    assert "--box" in result.stderr
    with speaking("ko"), pytest.raises(Exception, match="매개변수"):
        critical_points("a*x^2", "x")


def test_help_is_korean() -> None:
    result = invoke("--lang", "ko", "critical", "--help")
    assert result.exit_code == 0 and "임계점" in result.stdout, result
    assert "gradcli critical" in result.stdout  # the examples stay as they are
