"""gradcli in the learner's language: the catalogue is whole, the language is chosen
as documented, and a Korean run changes the words but never what a machine reads.

The other ``test_i18n_*.py`` files try each command's own messages in Korean.
"""

from __future__ import annotations

import ast
import os
import shlex
import string
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from gradcli import i18n
from gradcli.cli import CLICK_MESSAGES, CLICK_PLURALS
from gradcli.errors import GradcliError
from tests.conftest import ROOT, invoke

PACKAGE = ROOT / "gradcli"
LOCALE = PACKAGE / "locale"
KO = LOCALE / "ko" / "LC_MESSAGES" / "gradcli.po"
TEMPLATE = LOCALE / "gradcli.pot"
HANGUL = range(0xAC00, 0xD7A4)


def has_hangul(text: str) -> bool:
    return any(ord(c) in HANGUL for c in text)


def extracted(folder: Path) -> dict[str, Any]:
    """Every message marked in the code under ``folder`` (as ``make messages`` finds them)."""
    found: dict[str, Any] = {}
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(folder), method_map=[("**.py", "python")]
    ):
        found[message if isinstance(message, str) else message[0]] = message
    return found


def catalogue(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as source:
        return read_po(source, locale=locale)


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.fixture(scope="module")
def code_messages() -> dict[str, Any]:
    return extracted(PACKAGE)


@pytest.fixture(scope="module")
def korean() -> Catalog:
    return catalogue(KO, "ko")


# --------------------------------------------------------------------------
# The catalogue


def test_every_message_in_the_code_has_a_korean_translation(
    code_messages: dict[str, Any], korean: Catalog
) -> None:
    translated = {
        key
        for key in code_messages
        if (entry := korean.get(key)) is not None
        and not entry.fuzzy
        and all(str(s).strip() for s in _strings(entry.string))
    }
    missing = sorted(set(code_messages) - translated)
    assert not missing, (
        f"{len(missing)} messages without Korean (run make messages): {missing[:20]}"
    )
    assert len(code_messages) > 500  # the extraction found the code's messages


def test_the_catalogue_and_template_hold_only_the_codes_messages(
    code_messages: dict[str, Any], korean: Catalog
) -> None:
    stale = sorted(str(m.id) for m in korean if m.id and _key(m.id) not in code_messages)
    assert not stale, f"messages no longer in the code (run make messages): {stale[:20]}"
    template = {_key(m.id) for m in catalogue(TEMPLATE) if m.id}
    assert template == set(code_messages), "gradcli/locale/gradcli.pot is stale: make messages"


def test_translations_keep_every_field(korean: Catalog) -> None:
    # a translation that loses or renames a {field} would fail at run time in Korean
    wrong = []
    for message in korean:
        if not message.id:
            continue
        english = _strings(message.id)
        for text in _strings(message.string):
            if fields(text) != fields(english[-1]):
                wrong.append((english[0], text))
    assert not wrong, wrong[:10]


def test_the_compiled_catalogue_is_the_one_in_use(korean: Catalog) -> None:
    # what gettext reads (the .mo that the build compiled) says what the .po says
    with i18n.speaking("ko") as spoken:
        assert spoken == "ko"
        stale = [
            m.id for m in korean if m.id and isinstance(m.id, str) and i18n._(m.id) != m.string
        ]
    assert not stale, f"{len(stale)} messages differ from the .po: rebuild (make setup)"


def test_every_marked_message_is_one_literal() -> None:
    # _(f"...") or _("a" + b) cannot be in the catalogue: it would stay English.
    # _(NAME) looks up a message marked with N_() where it was written.
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "i18n.py":  # the mechanism itself
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _called(node) in ("_", "N_", "ngettext"):
                count = 2 if _called(node) == "ngettext" else 1
                lookup = _called(node) == "_" and isinstance(
                    node.args[0], (ast.Name, ast.Attribute, ast.Subscript)
                )
                if not lookup and not all(_is_literal(arg) for arg in node.args[:count]):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, offenders


def test_click_messages_translated_by_gradcli_are_clicks_own() -> None:
    import click

    folder = Path(click.__file__).parent
    clicks = extracted(folder)
    source = "".join(path.read_text(encoding="utf-8") for path in folder.glob("*.py"))
    ours = [*CLICK_MESSAGES, *CLICK_PLURALS]
    # marked by click, or a literal click looks up through a variable ("required")
    assert [m for m in ours if m not in clicks and f'"{m}"' not in source] == []


# --------------------------------------------------------------------------
# Human text outside the catalogue


def unmarked_messages() -> Iterator[str]:
    """Places where a sentence reaches a person without passing the catalogue.

    A literal (or f-string) with words given straight to an error, a note, a
    click help text or a rich table header: each should be ``_()`` or ``N_()``.
    """
    # gradcli's own errors reach people; a TypeError or an assertion is a bug report
    errors = {cls.__name__ for cls in _subclasses(GradcliError)}
    sinks = errors | {"report", "note", "add_column", "Table", "Panel", "Text"}
    sinks |= {"BadParameter", "UsageError", "ClickException", "BadOptionUsage"}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "i18n.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _called(node)
            values: list[ast.expr] = []
            if name in sinks:
                values += node.args[:1]
            values += [
                k.value
                for k in node.keywords
                if k.arg in ("help", "short_help", "epilog", "hint", "title", "caption")
            ]
            for value in values:
                if _is_words(value):
                    yield f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(value)[:70]}"


def test_no_sentence_reaches_a_person_unmarked() -> None:
    found = list(unmarked_messages())
    assert not found, "\n".join(found)


# --------------------------------------------------------------------------
# Choosing the language


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (("--lang", "ko"), {}, "ko"),
        (("--lang=ko_KR.UTF-8",), {}, "ko"),
        ((), {"GRADCLI_LANG": "ko"}, "ko"),
        ((), {"LANGUAGE": None, "LANG": "ko_KR.UTF-8"}, "ko"),
        ((), {"LANGUAGE": "ko:en"}, "ko"),
        (("--lang", "en"), {"GRADCLI_LANG": "ko"}, "en"),
        ((), {"GRADCLI_LANG": "en", "LANGUAGE": None, "LANG": "ko_KR.UTF-8"}, "en"),
        ((), {"LANGUAGE": None, "LANG": "fr_FR.UTF-8"}, "en"),
        ((), {"LANGUAGE": None, "LANG": "C"}, "en"),
    ],
)
def test_the_language_is_the_option_then_gradcli_lang_then_the_locale(
    args: tuple[str, ...], env: dict[str, str | None], expected: str
) -> None:
    result = invoke(*args, "grad", "x^2", "--at", "3", "--format", "json", env=env)  # type: ignore[arg-type]
    assert result.exit_code == 0, result
    assert result.json["language"] == expected
    assert i18n.language() == "en"  # and the test process is left as it was


@pytest.mark.parametrize(("args", "env"), [(("--lang", "fr"), {}), ((), {"GRADCLI_LANG": "xx"})])
def test_a_language_without_messages_is_a_usage_error(
    args: tuple[str, ...], env: dict[str, str]
) -> None:
    result = invoke(*args, "grad", "x^2", env=env)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("gradcli: error: ")
    assert "en, ko" in result.stderr


def test_the_console_script_speaks_korean() -> None:
    script = Path(sys.executable).with_name("gradcli")
    done = subprocess.run(
        [str(script), "--lang", "ko", "grad", "x^2+y^2+xy", "--at", "1,3"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "그래디언트" in done.stdout or "편미분" in done.stdout
    assert has_hangul(done.stderr)  # the note on how 'xy' was read


def test_help_and_clicks_own_messages_speak_korean() -> None:
    group = invoke("--lang", "ko", "--help")
    assert group.exit_code == 0
    assert has_hangul(group.stdout)
    assert "--lang LANG" in group.stdout  # option names stay
    command = invoke("--lang", "ko", "grad", "--help")
    assert command.exit_code == 0
    assert has_hangul(command.stdout.split("Options")[0])
    assert "--format" in command.stdout
    unknown = invoke("--lang", "ko", "grad", "--no-such-option", "x")
    assert unknown.exit_code == 2
    assert has_hangul(unknown.stderr), unknown
    english = invoke("grad", "--help")
    assert not has_hangul(english.stdout)  # the Korean texts did not stay behind


def test_a_missing_catalogue_is_said_and_english_spoken(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "installed", lambda lang: lang == "en")
    result = invoke("--lang", "ko", "grad", "x^2", "--at", "1", "--format", "json")
    assert result.exit_code == 0
    assert result.json["language"] == "en"
    assert "no compiled ko catalogue" in result.stderr


def test_the_api_speaks_the_language_set() -> None:
    from gradcli import gradient

    with i18n.speaking("ko"):
        korean = gradient("xy", at="1,3").notes
    english = gradient("xy", at="1,3").notes
    assert korean and english
    assert all(has_hangul(note) for note in korean)
    assert not any(has_hangul(note) for note in english)
    with pytest.raises(ValueError, match="en, ko"):
        i18n.set_language("tlh")


# --------------------------------------------------------------------------
# helpers


def _subclasses(cls: type) -> set[type]:
    import gradcli.budget  # noqa: F401 - its errors are GradcliErrors too

    found = set(cls.__subclasses__())
    return {cls} | found | {sub for child in found for sub in _subclasses(child)}


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, (tuple, list)) else [str(value)]


def _key(message_id: Any) -> str:
    return str(message_id[0] if isinstance(message_id, (tuple, list)) else message_id)


def _called(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _is_literal(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _is_words(node: ast.expr) -> bool:
    """A bare literal or f-string holding two English words or more."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    else:
        return False
    return sum(len(word) > 1 and word.isalpha() for word in text.split()) >= 2


# --------------------------------------------------------------------------
# Found by review: the language from the environment, the terminal, the system


def test_the_groups_help_speaks_the_language_from_the_environment() -> None:
    for env in ({"GRADCLI_LANG": "ko"}, {"LANGUAGE": "ko"}):
        result = invoke("--help", env=env)
        assert result.exit_code == 0
        assert "명령줄에서 정확하게" in result.stdout, result
    late = invoke("--help", "--lang", "ko")
    assert "명령줄에서 정확하게" in late.stdout


def _script(*args: str, env: dict[str, str] | None = None, shell: str = "") -> Any:
    script = Path(sys.executable).with_name("gradcli")
    command = " ".join(shlex.quote(a) for a in (str(script), *args)) + shell
    return subprocess.run(
        ["bash", "-c", command],
        capture_output=True,
        timeout=60,
        check=False,
        env={**os.environ, **(env or {})},
    )


def test_a_closed_stdout_and_the_systems_reasons_are_said_in_korean(tmp_path: Path) -> None:
    closed = _script("--lang", "ko", "grad", "x^2", "--at", "1", shell=" >&-")
    assert closed.returncode == 74
    assert "stdout(이)가 닫혀 있습니다" in closed.stderr.decode()
    missing = invoke("--lang", "ko", "grad", f"@{tmp_path / 'none.txt'}")
    assert missing.exit_code == 2
    assert "그런 파일이나 디렉터리가 없습니다" in missing.stderr, missing


def test_an_encoding_that_holds_hangul_keeps_it_one_that_cannot_gets_english() -> None:
    args = ("--lang", "ko", "check", "x^2+y^2+xy", "--gradient", "2x, 2y", "--at", "1,3")
    euc = _script(*args, env={"PYTHONIOENCODING": "euc-kr", "NO_COLOR": "1"})
    assert euc.returncode == 1
    shown = euc.stdout.decode("euc-kr")
    assert "그래디언트" in shown and "빠졌습니다" in shown and "?" not in shown
    ascii_only = _script(*args, env={"PYTHONIOENCODING": "ascii", "NO_COLOR": "1"})
    assert ascii_only.returncode == 1
    assert "missing y" in ascii_only.stdout.decode("ascii")
    assert "cannot show ko; speaking English" in ascii_only.stderr.decode("ascii")


def test_a_korean_batch_at_80_columns_is_a_table(tmp_path: Path) -> None:
    answers = tmp_path / "answers.csv"
    answers.write_text('id,gradient\nivy,"cos2x, ye^xy"\nhal,"2x + y; x + 2y"\n', encoding="utf-8")
    result = invoke(
        "--lang", "ko", "check", "x^2+y^2+xy", "--at", "1,3", "--batch", str(answers),
        env={"COLUMNS": "80", "NO_COLOR": "1"},
    )  # fmt: skip
    assert result.stdout.startswith("┏"), result  # not one row at a time
