"""`gradcli check` on the command line: one answer, and a class's batch file."""

from __future__ import annotations

import csv
import io
import json
import os
import select
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import invoke
from tests.golden import assert_golden

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


def batch(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Any:
    return invoke("check", *args, input=input, env=env)


def golden(name: str, text: str) -> None:
    """Compare with a golden file; GRADCLI_UPDATE_GOLDEN=1 rewrites it (read the diff)."""
    assert_golden(name, text, folder=DATA)


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
        assert row["message"]
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


def test_pass_through_columns_are_noted_on_stderr() -> None:
    result = batch(F, "--batch", "-", "-f", "csv", input='id,email,gradient\na,a@b,"2x+y, x+2y"\n')
    assert "note: passing through columns: email" in result.stderr
    assert "a,a@b,2,gradient,correct" in result.stdout


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
    assert "budget" in rows[1]["message"]
    assert "budget" in rows[2]["message"]


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


# --------------------------------------------------------------------------
# Pass-through columns: name, email, section, … kept in every format

ROSTER = DATA / "roster.csv"
GRADCLI = str(Path(sys.executable).parent / "gradcli")


def roster(output_format: str, *args: str, env: dict[str, str] | None = None) -> Any:
    result = invoke("check", F, "--at", "1,3", "--batch", str(ROSTER), "-f", output_format,
                    *args, env=env)  # fmt: skip
    assert result.exit_code == 0, result
    return result


def test_pass_through_columns_in_csv_come_after_the_id() -> None:
    result = roster("csv")
    lines = result.stdout.splitlines()
    assert lines[0] == "id,name,section,email,line,part,verdict,method,mistakes,message,answer_read"
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 22  # a line per part: 7 students with 3 parts, hal with 1
    seen = {r["id"]: (r["name"], r["section"], r["email"]) for r in rows}
    assert seen["ben"] == ("Ben, B", "B", "ben@example.org")
    assert seen["cai"] == ("Cai", "A", "")
    assert seen["hal"] == ("Hal", "B", "hal@example.org")
    assert "gradcli: note: passing through columns: name, section, email\n" in result.stderr


def test_pass_through_columns_in_json_are_an_object_always_present() -> None:
    rows = roster("json").json["rows"]
    assert rows[0]["columns"] == {"name": "Ann Lee", "section": "A", "email": "ann@example.org"}
    assert list(rows[0]["columns"]) == ["name", "section", "email"]
    none = batch(F, "--batch", "-", "-f", "json", input='id,gradient\na,"2x+y, x+2y"\n')
    assert none.json["rows"][0]["columns"] == {}


def test_pass_through_columns_in_plain_text_are_name_value_fields() -> None:
    lines = roster("plain").stdout.splitlines()
    assert lines[0] == (
        'ann name="Ann Lee" section=A email=ann@example.org gradient: correct (symbolic)'
    )
    assert lines[3].startswith('ben name="Ben, B" section=B email=ben@example.org gradient: wrong')
    assert lines[6].startswith("cai name=Cai section=A gradient: wrong")  # an empty cell: left out


def test_pass_through_columns_in_the_table_golden() -> None:
    text = (
        "id,name,section,gradient,email\n"
        'ann,Ann Lee,A,"2x + y, x + 2y",ann@example.org\n'
        'ben,"Ben, B",B,"2x, 2y",ben@example.org\n'
        'cai,Caitlin Llewellyn-Fairweather,A,"x + x + y, x + 2y",\n'
        'hal,Hal,B,"2x + y; x + 2y",hal@example.org\n'
    )
    result = batch(F, "--batch", "-", input=text, env={"COLUMNS": "120"})
    assert result.exit_code == 0, result
    golden("roster.out.table", result.stdout)


def test_a_long_pass_through_cell_is_shortened_in_the_table() -> None:
    long = "a remark far too long for a column of a table"
    result = batch(F, "--batch", "-", input=f'id,remark,gradient\nann,{long},"2x+y, x+2y"\n')
    assert result.exit_code == 0, result
    assert "remark" in result.stdout
    assert long not in result.stdout
    assert "a remark far to…" in result.stdout


def test_json_lines_pass_through_text_and_numbers_as_written() -> None:
    text = (
        '{"id": "a", "name": "Ann", "score": 8.50, "tags": ["x"], "gradient": "2x+y, x+2y"}\n'
        '{"id": "b", "gradient": "2x, 2y", "email": "b@x", "name": null}\n'
    )
    as_csv = batch(F, "--batch", "-", "-f", "csv", input=text)
    assert as_csv.exit_code == 0, as_csv
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert list(rows[0])[:4] == ["id", "name", "score", "email"]  # in the order first seen
    assert [(r["id"], r["name"], r["score"], r["email"]) for r in rows] == [
        ("a", "Ann", "8.50", ""),  # a key missing from a line: an empty cell
        ("b", "", "", "b@x"),
    ]
    assert "note: ignoring columns: 'tags' (not text or a number)" in as_csv.stderr
    as_json = batch(F, "--batch", "-", "-f", "json", input=text).json["rows"]
    assert [r["columns"] for r in as_json] == [{"name": "Ann", "score": "8.50"}, {"email": "b@x"}]


def test_a_json_lines_decimal_answer_keeps_the_figures_written() -> None:
    text = '{"id": "a", "magnitude": 8.60}\n'  # √74 = 8.6023…: three figures, as written
    rows = batch(F, "--at", "1,3", "--batch", "-", "-f", "json", input=text).json["rows"]
    assert rows[0]["parts"][0]["given"] == "8.60"
    assert rows[0]["parts"][0]["message"] == "correct to 3 significant figures"


def test_reserved_names_keep_their_meaning() -> None:
    text = 'Student,Function,name,Gradient\nann,x*y,Ann,"y, x"\n'
    result = batch("--batch", "-", "-f", "json", input=text)
    (row,) = result.json["rows"]
    assert (row["id"], row["correct"], row["columns"]) == ("ann", True, {"name": "Ann"})


def test_a_pass_through_column_named_like_an_output_column_is_marked_as_input() -> None:
    text = 'id,Verdict,gradient\na,pass,"2x+y, x+2y"\n'
    lines = batch(F, "--batch", "-", "-f", "csv", input=text).stdout.splitlines()
    assert lines[0].startswith("id,Verdict (input),line,part,verdict,")
    assert lines[1].startswith("a,pass,2,gradient,correct,")


def test_a_malformed_row_passes_nothing_through() -> None:
    text = 'id,name,gradient\na,Ann,"2x+y, x+2y"\nb,Bo,2x,2y\n'
    rows = batch(F, "--batch", "-", "-f", "json", input=text).json["rows"]
    assert [r["columns"] for r in rows] == [{"name": "Ann"}, {}]
    lines = batch(F, "--batch", "-", "-f", "csv", input=text).stdout.splitlines()
    assert lines[2].startswith("b,,3,row,unreadable,")


def test_unnamed_and_repeated_columns_are_dropped_with_a_note() -> None:
    text = 'id,name,gradient,,name\na,Ann,"2x+y, x+2y",,Bo\n'
    result = batch(F, "--batch", "-", "-f", "json", input=text)
    assert result.json["rows"][0]["columns"] == {"name": "Ann"}
    assert (
        "note: ignoring columns: column 4 (no name), 'name' (a second column of that name)"
        in result.stderr
    )


def test_a_misspelt_answer_column_is_passed_through_with_a_hint() -> None:
    text = 'id,gradient,valeu\na,"2x+y, x+2y","5, 7"\n'
    result = batch(F, "--batch", "-", "-f", "csv", input=text)
    assert "note: passing through columns: valeu (did you mean value?)" in result.stderr


#: what a terminal acts on or that hides text: ESC, BEL, CSI, RLO
RAW = ("\x1b", "\x07", "\x9b", "\u202e")


@pytest.mark.parametrize("output_format", ["csv", "json", "plain", "table"])
def test_pass_through_names_and_values_are_untrusted_text(output_format: str) -> None:
    text = 'id,"\x1b[31mnick",gradient\nann,"\x1b[2J\x07evil\u202e\x9b",' + '"2x+y, x+2y"\n'
    result = batch(F, "--batch", "-", "-f", output_format, input=text)
    assert result.exit_code == 0, result
    for char in RAW:
        assert char not in result.stdout + result.stderr, (char, result)
    if output_format == "csv":  # the data kept, each such character as \uXXXX
        lines = result.stdout.splitlines()
        assert lines[0].startswith("id,\\u001b[31mnick,line,")
        assert lines[1].startswith("ann,\\u001b[2J\\u0007evil\\u202e\\u009b,2,")
    elif output_format == "json":  # escaped as JSON does: the data itself once parsed
        (row,) = result.json["rows"]
        assert row["columns"] == {"\x1b[31mnick": "\x1b[2J\x07evil\u202e\x9b"}
    elif output_format == "plain":  # each one a '?', as in error messages
        assert result.stdout.startswith("ann ?[31mnick=?[2J?evil?? gradient: correct")
    assert "?[31mnick" in result.stderr  # the note names it safely


# --------------------------------------------------------------------------
# One name for one thing in every format; how each answer was read


SINGLE_CSV = ["part", "component", "label", "verdict", "method", "mistakes", "message", "given",
              "answer_read"]  # fmt: skip
BATCH_CSV = ["id", "line", "part", "verdict", "method", "mistakes", "message", "answer_read"]


def test_single_and_batch_csv_share_their_column_names() -> None:
    single = invoke("check", F, "--gradient", "2x, 2y", "-f", "csv").stdout.splitlines()[0]
    assert single.split(",") == SINGLE_CSV
    text = 'id,gradient\na,"2x, 2y"\n'
    batched = batch(F, "--batch", "-", "-f", "csv", input=text).stdout.splitlines()[0]
    assert batched.split(",") == BATCH_CSV
    assert set(BATCH_CSV) - {"id", "line"} <= set(SINGLE_CSV)
    revealed = batch(F, "--batch", "-", "-f", "csv", "--reveal", input=text).stdout
    assert revealed.splitlines()[0].split(",") == [*BATCH_CSV, "expected"]


def test_answer_read_in_every_machine_format() -> None:
    args = ("check", "e^(xy)", "--gradient", "ye^xy, xe^xy", "--at", "0,1", "--value", "1, 0")
    parts = invoke(*args, "-f", "json").json["parts"]
    assert [p["answer_read"] for p in parts] == ["y*exp(x*y)", "x*exp(x*y)", "1", "0"]
    rows = list(csv.DictReader(io.StringIO(invoke(*args, "-f", "csv").stdout)))
    assert [r["answer_read"] for r in rows] == ["y*exp(x*y)", "x*exp(x*y)", "1", "0"]
    text = 'id,gradient,value\nann,"ye^xy, xe^xy","1, 0"\n'
    batched = batch("e^(xy)", "--at", "0,1", "--batch", "-", "-f", "csv", input=text).stdout
    rows = list(csv.DictReader(io.StringIO(batched)))
    assert [r["answer_read"] for r in rows] == ["(y*exp(x*y), x*exp(x*y))", "(1, 0)"]
    json_rows = batch("e^(xy)", "--at", "0,1", "--batch", "-", "-f", "json", input=text).json
    assert json_rows["rows"][0]["parts"][0]["answer_read"] == "y*exp(x*y)"


def test_an_unreadable_answer_was_not_read() -> None:
    result = invoke("check", F, "--gradient", "2x + y, sinn(x) + 2y", "-f", "json")
    assert [p["answer_read"] for p in result.json["parts"]] == [None]


def test_the_tables_show_a_reading_only_where_it_differs_from_the_typing() -> None:
    read = invoke("check", "e^(xy)", "--gradient", "ye^xy, x e^(x y)", env={"COLUMNS": "120"})
    assert "read as y·e^(x·y)" in read.stdout
    assert "read as x·e^(x·y)" in read.stdout
    # terms in another order, a number written plainly: nothing to say
    literal = invoke("check", F, "--gradient", "y+2x, 2y+x", "--at", "1,3", "--magnitude", "8.60")
    assert "read as" not in literal.stdout
    text = 'id,gradient\nann,"ye^xy, xe^xy"\nben,"y e^(x y), x e^(x y)"\n'
    table = batch("e^(xy)", "--batch", "-", input=text, env={"COLUMNS": "120"}).stdout
    assert "read as (y·e^(x·y), x·e^(x·y))" in table


def test_the_readme_documents_every_output_column() -> None:
    from gradcli.grading import PARTS
    from tests.conftest import DOCS, readme_section

    section = readme_section("# Checking and grading", DOCS / "grading.md")
    single = invoke("check", F, "--gradient", "2x", "--reveal", "-f", "csv").stdout
    gradebook = SUMMARY_WEIGHTED.splitlines()[0].split(",")
    names = {*single.splitlines()[0].split(","), *BATCH_CSV, *gradebook}
    for name in sorted(names - {"name", "section", "email", *PARTS}):
        assert f"| `{name}` |" in section, name


# --------------------------------------------------------------------------
# --summary: a gradebook, one line per student

#: roster.csv scored with gradient=2 and half credit for a carried error, by hand:
#: ben's value and magnitude follow from his wrong gradient, as fay's value does
SUMMARY_WEIGHTED = """\
id,name,section,email,score,max_score,percent,gradient,value,magnitude,review
ann,Ann Lee,A,ann@example.org,4,4,100,correct,correct,correct,false
ben,"Ben, B",B,ben@example.org,1,4,25,wrong,wrong,wrong,false
cai,Cai,A,,1,4,25,wrong,wrong,correct,false
dee,Dee,B,dee@example.org,3,4,75,correct,correct,wrong,false
eli,Eli,A,eli@example.org,4,4,100,correct,correct,correct,false
fay,Fay,B,fay@example.org,1.5,4,37.5,wrong,wrong,correct,false
gus,Gus,A,gus@example.org,3,4,75,correct,correct,wrong,false
hal,Hal,B,hal@example.org,0,4,0,unreadable,,,true
"""

#: and with every part worth 1, no credit for a carried error
SUMMARY_PLAIN = """\
id,name,section,email,score,max_score,percent,gradient,value,magnitude,review
ann,Ann Lee,A,ann@example.org,3,3,100,correct,correct,correct,false
ben,"Ben, B",B,ben@example.org,0,3,0,wrong,wrong,wrong,false
cai,Cai,A,,1,3,33.3,wrong,wrong,correct,false
dee,Dee,B,dee@example.org,2,3,66.7,correct,correct,wrong,false
eli,Eli,A,eli@example.org,3,3,100,correct,correct,correct,false
fay,Fay,B,fay@example.org,1,3,33.3,wrong,wrong,correct,false
gus,Gus,A,gus@example.org,2,3,66.7,correct,correct,wrong,false
hal,Hal,B,hal@example.org,0,3,0,unreadable,,,true
"""


@pytest.mark.parametrize("output_format", ["csv", "json", "plain", "table"])
def test_the_gradebook_has_a_line_per_student(tmp_path: Path, output_format: str) -> None:
    path = tmp_path / "grades.csv"
    result = roster(output_format, "--summary", str(path), "--weights", "gradient=2",
                    "--carried-credit", "1/2")  # fmt: skip
    assert path.read_text(encoding="utf-8") == SUMMARY_WEIGHTED
    assert "max_score" not in result.stdout  # the gradebook goes to its file only


def test_the_gradebook_by_default_weighs_every_part_1(tmp_path: Path) -> None:
    path = tmp_path / "grades.csv"
    roster("json", "--summary", str(path))
    assert path.read_text(encoding="utf-8") == SUMMARY_PLAIN


def test_the_gradebook_of_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "grades.csv"
    text = (
        '{"id": "a", "name": "Ann", "gradient": "2x+y, x+2y"}\n'
        "not json\n"
        '{"id": "c", "gradient": "2x, x+2y", "email": "c@x", "critical": "(0,0)"}\n'
    )
    result = batch(F, "--batch", "-", "--summary", str(path), input=text)
    assert result.exit_code == 0, result
    assert path.read_text(encoding="utf-8") == (
        "id,name,email,score,max_score,percent,gradient,critical,review\n"
        "a,Ann,,1,2,50,correct,,false\n"
        "2,,,0,2,0,,,true\n"  # the line that is not JSON: named by its line
        "c,,c@x,1.5,2,75,wrong,correct,false\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--summary", "-"), "--summary -: stdout carries the batch's results"),
        (("--summary", "{tmp}/missing/grades.csv"), "cannot write --summary"),
        (("--summary", "{tmp}"), "it is a directory"),
        (("--weights", "gradient=2"), "--weights needs --summary"),
        (("--carried-credit", "1"), "--carried-credit needs --summary"),
        (("--summary", "{tmp}/g.csv", "--weights", "gradeint=2"), "unknown part 'gradeint'"),
        (("--summary", "{tmp}/g.csv", "--weights", "gradient=2,gradient=1"), "given twice"),
        (("--summary", "{tmp}/g.csv", "--weights", "gradient=-1"), "a number, 0 or more"),
        (("--summary", "{tmp}/g.csv", "--weights", "gradient"), "is not PART=WEIGHT"),
        (("--summary", "{tmp}/g.csv", "--carried-credit", "3/2"), "from 0 to 1"),
        (("--summary", "{tmp}/g.csv", "--carried-credit", "half"), "from 0 to 1"),
    ],
)
def test_gradebook_usage_errors_are_one_line_before_grading(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    given = [arg.format(tmp=tmp_path) for arg in args]
    result = batch(F, "--at", "1,3", "--batch", str(ROSTER), "-f", "csv", *given)
    assert result.exit_code == 2, result
    assert result.stdout == ""  # nothing graded: not even the CSV header
    (line,) = result.stderr.splitlines()
    assert line.startswith("gradcli: error: ") and message in line, result
    assert list(tmp_path.iterdir()) == []


def test_gradebook_options_need_a_batch() -> None:
    result = invoke("check", F, "--gradient", "2x, 2y", "--summary", "grades.csv")
    assert result.exit_code == 2, result
    assert "--summary needs --batch" in result.stderr


def test_the_gradebook_never_overwrites_the_batch(tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    path.write_bytes(ROSTER.read_bytes())
    result = batch(F, "--at", "1,3", "--batch", str(path), "--summary", str(path))
    assert result.exit_code == 2, result
    assert "would overwrite the --batch file" in result.stderr
    assert path.read_bytes() == ROSTER.read_bytes()


def test_the_gradebook_replaces_its_file_whole_keeping_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "grades.csv"
    path.write_text("an old report\n", encoding="utf-8")
    path.chmod(0o640)
    roster("csv", "--summary", str(path))
    assert path.read_text(encoding="utf-8") == SUMMARY_PLAIN
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["grades.csv"]  # no temporary file left


def test_a_gradebook_that_cannot_be_written_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    path = tmp_path / "grades.csv"
    path.write_text("an old report\n", encoding="utf-8")
    monkeypatch.setattr(os, "fsync", full)
    result = batch(F, "--at", "1,3", "--batch", str(ROSTER), "--summary", str(path), "-f", "csv")
    assert result.exit_code == 74, result
    assert result.stderr.splitlines()[-1] == (
        f"gradcli: error: cannot write --summary {path}: No space left on device"
    )
    assert path.read_text(encoding="utf-8") == "an old report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["grades.csv"]


def test_a_killed_run_leaves_no_gradebook(tmp_path: Path) -> None:
    path = tmp_path / "grades.csv"
    command = [GRADCLI, "check", F, "--batch", "-", "-f", "csv", "--summary", str(path)]
    with subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    ) as process:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(b'id,name,gradient\nann,Ann,"2x+y, x+2y"\n')
        process.stdin.flush()
        ready, _, _ = select.select([process.stdout], [], [], 60)
        assert ready, "no output within a minute"
        assert process.stdout.readline().startswith(b"id,name,line,")  # under way
        process.kill()
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------
# --jobs


def test_jobs_default_to_the_cpus_this_process_may_use(monkeypatch: pytest.MonkeyPatch) -> None:
    from gradcli.commands.check import default_jobs

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 3, 5}, raising=False)
    assert default_jobs() == 3
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    assert default_jobs() == 6
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert default_jobs() == 1


def test_a_batch_without_jobs_runs_that_many_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    from gradcli import runner

    asked: list[int] = []
    real = runner.map_chunked

    def spy(*args: Any, **kwargs: Any) -> Any:
        asked.append(kwargs["jobs"])
        return real(*args, **kwargs)

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    monkeypatch.setattr(runner, "map_chunked", spy)
    result = batch(F, "--batch", "-", "-f", "csv", input='id,gradient\na,"2x+y, x+2y"\n')
    assert result.exit_code == 0, result
    assert asked == [3]
    assert "affinity" in invoke("check", "--help").stdout


def test_verdicts_with_two_jobs_are_those_of_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gradcli import runner

    header, *rows = ROSTER.read_text(encoding="utf-8").splitlines()
    lines = [header] + [f"{n}{row}" for n in range(30) for row in rows]  # 240 rows: 3 chunks
    path = tmp_path / "class.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    lanes: list[int] = []
    real = runner._parallel
    monkeypatch.setattr(runner, "_parallel", lambda *a: lanes.append(a[-1]) or real(*a))
    outputs = []
    for jobs in ("1", "2"):
        summary = tmp_path / f"grades{jobs}.csv"
        result = batch(F, "--at", "1,3", "--batch", str(path), "-f", "csv", "--jobs", jobs,
                       "--summary", str(summary))  # fmt: skip
        assert result.exit_code == 0, result
        outputs.append((result.stdout, result.stderr, summary.read_bytes()))
    assert lanes == [2]  # --jobs 2 did grade in two workers
    assert outputs[0] == outputs[1]
    verdicts = {r["verdict"] for r in csv.DictReader(io.StringIO(outputs[0][0]))}
    assert verdicts == {"correct", "wrong", "unreadable"}


# --------------------------------------------------------------------------
# Excel's "CSV UTF-8": a byte-order mark before the header

BOM_FILES = {
    "comma-lf": '\ufeffid,name,gradient\nann,Ann,"2x+y, x+2y"\nben,Ben,"2x, 2y"\n',
    "semicolon-crlf": "\ufeffid;name;gradient\r\nann;Ann;2x+y, x+2y\r\nben;Ben;2x, 2y\r\n",
}


def _bom_checked(stdout: str) -> None:
    rows = json.loads(stdout)["rows"]
    assert [r["id"] for r in rows] == ["ann", "ben"]  # the id column, despite the BOM
    assert [r["columns"] for r in rows] == [{"name": "Ann"}, {"name": "Ben"}]
    assert [r["correct"] for r in rows] == [True, False]


@pytest.mark.parametrize("kind", sorted(BOM_FILES))
@pytest.mark.parametrize("source", ["file", "stdin"])
def test_a_bom_first_csv_through_click(tmp_path: Path, kind: str, source: str) -> None:
    data = BOM_FILES[kind]
    path = tmp_path / "answers.csv"
    path.write_bytes(data.encode("utf-8"))
    where, given = (str(path), None) if source == "file" else ("-", data)
    result = batch(F, "--batch", where, "-f", "json", input=given)
    assert result.exit_code == 0, result
    _bom_checked(result.stdout)
    assert "note: passing through columns: name\n" in result.stderr
    as_csv = batch(F, "--batch", where, "-f", "csv", input=given)
    assert as_csv.stdout.startswith("id,name,line,part,")


@pytest.mark.parametrize("kind", sorted(BOM_FILES))
@pytest.mark.parametrize("source", ["file", "stdin"])
def test_a_bom_first_csv_through_the_console_script(tmp_path: Path, kind: str, source: str) -> None:
    data = BOM_FILES[kind].encode("utf-8")
    path = tmp_path / "answers.csv"
    path.write_bytes(data)
    where = str(path) if source == "file" else "-"
    done = subprocess.run(
        [GRADCLI, "check", F, "--batch", where, "-f", "json", "--jobs", "1"],
        input=data if source == "stdin" else None,
        stdin=None if source == "stdin" else subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done
    _bom_checked(done.stdout.decode("utf-8"))
    assert b"passing through columns: name\n" in done.stderr
    assert "\ufeff".encode() not in done.stdout + done.stderr
