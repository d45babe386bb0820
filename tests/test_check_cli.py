"""`gradcli check` on the command line: one answer, and a class's batch file."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import invoke

DATA = Path(__file__).parent / "data" / "check"
F = "x**2+y**2+x*y"


# --------------------------------------------------------------------------
# One answer


def test_the_issue_example_is_all_correct() -> None:
    result = invoke(
        "check", F, "--gradient", "y+2x, 2y+x", "--at", "1,3", "--value", "5,7",
        "--magnitude", "sqrt(74)",
    )  # fmt: skip
    assert result.exit_code == 0, result
    assert "All 3 parts correct." in result.stdout
    assert "✗" not in result.stdout
    assert result.stderr == ""


def test_a_decimal_magnitude() -> None:
    result = invoke("check", F, "--at", "1,3", "--magnitude", "8.6", "-f", "json")
    assert result.exit_code == 0, result
    (part,) = result.json["parts"]
    assert part["method"] == "decimal"
    assert part["message"] == "correct to 2 significant figures"


def test_a_wrong_gradient_exits_1_and_names_the_missing_term() -> None:
    result = invoke("check", F, "--gradient", "2x, 2y", "-f", "json")
    assert result.exit_code == 1, result
    assert result.stderr == ""
    data = result.json
    assert data["correct"] is False
    for part in data["parts"]:
        assert part["verdict"] == "wrong"
        assert part["mistakes"] == ["missing_term"]
        assert "x·y" in part["message"]


def test_json_keys_are_the_contract() -> None:
    result = invoke("check", F, "--gradient", "2x+y, x+2y", "-f", "json")
    data = result.json
    assert {"correct", "parts"} <= set(data)
    for part in data["parts"]:
        assert {"part", "component", "verdict", "method", "mistakes", "message"} <= set(part)
        assert part["verdict"] in ("correct", "wrong", "unreadable", "undecided")
        assert part["method"] in ("symbolic", "numeric", "decimal", None)


def test_expected_answers_only_with_reveal() -> None:
    hidden = invoke("check", F, "--gradient", "2x, 2y", "-f", "json").json
    shown = invoke("check", F, "--gradient", "2x, 2y", "-f", "json", "--reveal").json
    assert [p["expected"] for p in hidden["parts"]] == [None, None]
    assert [p["expected"] for p in shown["parts"]] == ["2*x + y", "x + 2*y"]
    table = invoke("check", F, "--gradient", "2x, 2y", "--reveal")
    assert "expected" in table.stdout and "2x + y" in table.stdout


def test_an_unreadable_answer_exits_2_with_the_place_and_a_hint() -> None:
    result = invoke("check", F, "--gradient", "2x + y, sinn(x) + 2y")
    assert result.exit_code == 2, result
    assert "unreadable" in result.stdout
    lines = result.stderr.splitlines()
    assert lines[0].startswith("gradcli: error: --gradient: ")
    assert "(at position 9)" in lines[0]
    assert lines[1] == "  2x + y, sinn(x) + 2y"
    assert lines[2] == "          ^"
    assert lines[3].startswith("  hint: did you mean sin")


def test_an_unreadable_part_does_not_hide_the_others() -> None:
    result = invoke(
        "check", F, "--at", "1,3", "--value", "5,7", "--magnitude", "sqrt(74", "-f", "json"
    )
    assert result.exit_code == 2
    verdicts = [(p["part"], p["verdict"]) for p in result.json["parts"]]
    assert verdicts == [("value", "correct"), ("value", "correct"), ("magnitude", "unreadable")]


def test_equivalent_forms_on_the_command_line() -> None:
    for f, answer in [
        ("sin(x)^2", "sin(2x)"),
        ("exp(x+y)", "e^x e^y, e^x e^y"),
        ("x|x|/2", "sqrt(x^2)"),
    ]:
        result = invoke("check", f, "--gradient", answer)
        assert result.exit_code == 0, result


def test_numeric_equality_says_where_both_are_defined() -> None:
    result = invoke("check", "x^2/2 + x", "--gradient", "(x^2-1)/(x-1)", "-f", "json")
    assert result.exit_code == 0, result
    (part,) = result.json["parts"]
    assert part["method"] == "numeric"
    assert "where both are defined" in part["message"]


@pytest.mark.parametrize("fmt", ["table", "plain", "json", "csv"])
def test_every_format(fmt: str) -> None:
    result = invoke(
        "check", F, "--gradient", "2x+y, x+2y", "--at", "1,3", "--value", "5,7", "-f", fmt
    )
    assert result.exit_code == 0, result
    assert result.stdout


def test_csv_has_a_line_per_component() -> None:
    result = invoke("check", F, "--gradient", "2x+y, x+2y", "--at", "1,3", "--magnitude", "74",
                    "-f", "csv")  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["part"], r["component"], r["verdict"]) for r in rows] == [
        ("gradient", "0", "correct"),
        ("gradient", "1", "correct"),
        ("magnitude", "", "wrong"),
    ]
    assert rows[2]["mistakes"] == "magnitude_squared"


def test_the_seed_is_reported_and_used() -> None:
    one = invoke("check", F, "--gradient", "2x+y, x+y", "--seed", "3", "-f", "json").json
    two = invoke("check", F, "--gradient", "2x+y, x+y", "--seed", "3", "-f", "json").json
    assert one == two
    assert one["seed"] == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((F,), "nothing to check"),
        ((F, "--value", "5,7"), "--value needs the point"),
        (("--gradient", "2x"), "give the function"),
        ((F, "--gradient", "2x", "--batch", "x.csv"), "cannot be combined with --batch"),
        ((F, "--at", "1,3", "--magnitude", "1", "--tol", "2"), "--tol must be"),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...], message: str) -> None:
    result = invoke("check", *args)
    assert result.exit_code == 2, result
    assert message in result.stderr
    assert result.stdout == ""


def test_a_point_outside_the_domain_is_a_math_error() -> None:
    result = invoke("check", "ln(x)", "--at", "-1", "--value", "1")
    assert result.exit_code == 3, result


def test_help_lists_check() -> None:
    result = invoke("--help")
    assert "check" in result.stdout


# --------------------------------------------------------------------------
# A class at once


def batch(*args: str, input: str | None = None) -> Any:
    return invoke("check", *args, input=input)


def golden(name: str, text: str) -> None:
    """Compare with a golden file; GRADCLI_UPDATE_GOLDEN=1 rewrites it (read the diff)."""
    path = DATA / name
    if os.environ.get("GRADCLI_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"differs from {path}"


def test_batch_csv_golden() -> None:
    result = batch(F, "--at", "1,3", "--batch", str(DATA / "class.csv"), "-f", "csv")
    assert result.exit_code == 0, result
    golden("class.out.csv", result.stdout)
    golden("class.err", result.stderr)


def test_batch_table_golden() -> None:
    result = invoke("check", F, "--at", "1,3", "--batch", str(DATA / "class.csv"),
                    env={"COLUMNS": "100"})  # fmt: skip
    assert result.exit_code == 0, result
    golden("class.out.table", result.stdout)


def test_batch_json_has_one_record_per_input_row_and_a_summary() -> None:
    result = batch(F, "--at", "1,3", "--batch", str(DATA / "class.csv"), "-f", "json")
    assert result.exit_code == 0, result
    data = result.json
    assert [row["id"] for row in data["rows"]] == [
        "ann", "ben", "cai", "dee", "eli", "fay", "gus", "hal",
    ]  # fmt: skip
    assert data["summary"]["rows"] == 8
    assert data["summary"]["parts"]["gradient"] == {"correct": 4, "total": 8}
    hal = data["rows"][-1]
    assert hal["parts"][0]["verdict"] == "unreadable"


def test_batch_from_json_lines_on_stdin() -> None:
    text = (DATA / "class.jsonl").read_text(encoding="utf-8")
    result = batch(F, "--at", "1,3", "--batch", "-", "-f", "json", input=text)
    assert result.exit_code == 0, result
    rows = result.json["rows"]
    assert [r["id"] for r in rows] == ["ann", "ben", "cai", "5", "dee", "7", "eve"]
    assert rows[-1]["correct"] is True  # its own problem, x*y at (2, 1)


def test_hostile_rows_are_unreadable_with_a_reason_and_nothing_runs(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = (
        (DATA / "hostile.csv").read_text(encoding="utf-8").replace("echo pwned", f"touch {marker}")
    )
    result = batch(F, "--batch", "-", "-f", "csv", input=text)
    assert result.exit_code == 0, result
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 18
    sized = {"digits", "tower", "bigexp"}  # refused or not, by the limits in force
    for row in rows:
        if row["id"] == "ok":
            assert row["verdict"] == "correct", row
            continue
        allowed = {"unreadable", "wrong"} if row["id"] in sized else {"unreadable"}
        assert row["verdict"] in allowed, row
        assert row["feedback"]
    assert not marker.exists()


def test_the_problem_given_once_or_per_row() -> None:
    text = 'id,expression,at,gradient,value\na,,,"2x+y, x+2y",\nb,x*y,"2,1","y, x","1, 2"\n'
    result = batch(F, "--batch", "-", "-f", "csv", input=text)
    assert result.exit_code == 0, result
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["id"], r["part"], r["verdict"]) for r in rows] == [
        ("a", "gradient", "correct"),
        ("b", "gradient", "correct"),
        ("b", "value", "correct"),
    ]


def test_rows_without_a_problem_are_unreadable() -> None:
    result = batch("--batch", "-", "-f", "csv", input="id,gradient\na,2x\n")
    assert result.exit_code == 0, result
    assert "no expression" in result.stdout


def test_ignored_columns_are_noted_on_stderr() -> None:
    result = batch(F, "--batch", "-", "-f", "csv", input='id,email,gradient\na,a@b,"2x+y, x+2y"\n')
    assert "note: ignoring columns: email" in result.stderr
    assert "a,2,gradient,correct" in result.stdout


@pytest.mark.parametrize(
    ("args", "input", "message"),
    [
        (("--batch", "/nonexistent/answers.csv"), None, "cannot read"),
        (("--batch", "-"), "id,email\na,b\n", "no answer columns"),
        (("--batch", "-"), "", "empty"),
    ],
)
def test_a_batch_file_that_cannot_be_read_exits_2(
    args: tuple[str, ...], input: str | None, message: str
) -> None:
    result = batch(F, *args, input=input)
    assert result.exit_code == 2, result
    assert message in result.stderr


def many_rows(n: int) -> str:
    lines = ["id,gradient"]
    answers = ['"2x+y, x+2y"', '"2x, 2y"', '"x+2y, 2x+y"', '"2x + y + {i}x - {i}x, x+2y"']
    for i in range(n):
        lines.append(f"s{i}," + answers[i % len(answers)].format(i=i))
    return "\n".join(lines) + "\n"


def test_parallel_workers_keep_the_order() -> None:
    text = many_rows(450)
    one = batch(F, "--batch", "-", "-f", "csv", "--jobs", "1", input=text)
    two = batch(F, "--batch", "-", "-f", "csv", "--jobs", "2", input=text)
    assert one.exit_code == two.exit_code == 0
    assert one.stdout == two.stdout
    ids = [line.split(",")[0] for line in one.stdout.splitlines()[1:]]
    assert ids == [f"s{i}" for i in range(450)]


def test_a_row_out_of_time_is_undecided_and_the_rest_go_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import signal
    import time

    from gradcli.grading import Grader

    real = Grader.grade_row

    def grade_row(self: Grader, row: Any) -> Any:
        if row.id == "slow":  # Python-level work: the row's budget interrupts it
            time.sleep(30)
        if row.id == "stuck":  # as if stuck in C code: the signal cannot interrupt it
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
            time.sleep(30)
        return real(self, row)

    monkeypatch.setattr(Grader, "grade_row", grade_row)
    text = 'id,gradient\na,"2x+y, x+2y"\nslow,"2x, 2y"\nstuck,"2x, 2y"\nb,"2x, 2y"\n'
    started = time.monotonic()
    result = batch(F, "--batch", "-", "-f", "csv", "--timeout", "0.5", "--jobs", "1", input=text)
    assert time.monotonic() - started < 20
    assert result.exit_code == 0, result
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["id"], r["verdict"]) for r in rows] == [
        ("a", "correct"),
        ("slow", "undecided"),
        ("stuck", "undecided"),
        ("b", "wrong"),
    ]
    assert "budget" in rows[1]["feedback"]
    assert "budget" in rows[2]["feedback"]


def test_batch_plain_output() -> None:
    result = batch(F, "--at", "1,3", "--batch", str(DATA / "class.csv"), "-f", "plain")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "ann gradient: correct (symbolic)"
    assert lines[-3].startswith("summary: 8 rows")


def test_json_lines_value_lists_are_vectors() -> None:
    text = json.dumps({"id": "a", "gradient": ["2x+y", "x+2y"], "value": [5, 7]}) + "\n"
    result = batch(F, "--at", "1,3", "--batch", "-", "-f", "json", input=text)
    assert result.json["rows"][0]["correct"] is True


def test_an_answer_read_by_a_rule_says_how_it_was_read() -> None:
    # 2cos2x is 2·cos(2x): correct, and the verdict says it was read so
    result = invoke("check", "sin(2x) + y^2", "--gradient", "2cos2x, 2y", "-f", "json")
    assert result.exit_code == 0, result
    assert result.json["notes"] == ["--gradient: read 'cos2x' as cos(2x)"]
    literal = invoke("check", "sin(2x) + y^2", "--gradient", "2cos(2x), 2y", "-f", "json")
    assert literal.json["notes"] == []


def test_batch_rows_say_how_their_answers_were_read(tmp_path: Path) -> None:
    batch = tmp_path / "answers.csv"
    batch.write_text('id,gradient\nann,"2cos2x, 2y"\nbob,"2cos(2x), 2y"\n', encoding="utf-8")
    rows = invoke("check", "sin(2x) + y^2", "--batch", str(batch), "-f", "json").json["rows"]
    assert [row["notes"] for row in rows] == [["gradient: read 'cos2x' as cos(2x)"], []]
    plain = invoke("check", "sin(2x) + y^2", "--batch", str(batch), "-f", "plain").stdout
    assert "ann gradient: correct (symbolic): read 'cos2x' as cos(2x)" in plain


@pytest.mark.parametrize(
    ("part", "answer", "hint"),
    [
        ("--gradient", "2x 2y", "write 2x, 2y"),
        ("--value", "2 4", "write 2, 4"),
        ("--hessian", "2 0; 0 2", "write 2, 0"),
        ("--hessian", "[[2 0],[0 2]]", "write 2, 0"),
    ],
)
def test_components_separated_by_spaces_are_unreadable_not_multiplied(
    part: str, answer: str, hint: str
) -> None:
    # read as a product, "2x 2y" would be the wrong answer 4xy; it is neither
    args = ["check", "x^2 + y^2", part, answer, "--at", "1,2"]
    result = invoke(*args, "-f", "json")
    assert result.exit_code == 2, result
    assert [p["verdict"] for p in result.json["parts"]] == ["unreadable"]
    assert f"hint: {hint}" in result.stderr
