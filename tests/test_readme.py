"""Every example in the README and the manual (docs/) is true: each ``$ command``
in a ``console`` block runs, and prints exactly what the page shows below it;
each ``python`` block runs as a doctest.

To rewrite the shown outputs from real runs (then read the diff before
committing it)::

    python -m tests.test_readme                 # every page
    python -m tests.test_readme docs/syntax.md  # some pages
"""

from __future__ import annotations

import doctest
import re
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import (
    DOCS,
    README,
    ROOT,
    doc_files,
    readme_examples,
    readme_section,
    run_shell,
    shell_fixtures,
)

FILES = doc_files()
EXAMPLES = [
    (path, command, expected)
    for path in FILES
    for command, expected in readme_examples(path.read_text(encoding="utf-8"))
]
PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_every_page_is_tested() -> None:
    assert len(EXAMPLES) >= 80
    # the front page shows every command at least once
    shown = " ".join(command for path, command, _ in EXAMPLES if path == README)
    from gradcli.cli import COMMANDS

    for name in COMMANDS:
        assert f"gradcli {name} " in shown, name
    # and so does the command's own page
    for name in COMMANDS:
        page = DOCS / "commands" / f"{name}.md"
        assert any(path == page for path, _, _ in EXAMPLES), name


@pytest.mark.parametrize(
    ("path", "command", "expected"),
    EXAMPLES,
    ids=[f"{_name(path)}: {command}" for path, command, _ in EXAMPLES],
)
def test_example(path: Path, command: str, expected: str, tmp_path: Path) -> None:
    assert run_shell(command, shell_fixtures(tmp_path)) == expected


def test_sections_are_found_whole() -> None:
    page = DOCS / "exit-codes.md"
    whole = readme_section("# Exit codes and errors", page)
    assert whole == page.read_text(encoding="utf-8")  # a title gives the whole page
    section = readme_section("## For developers", page)
    assert section.startswith("## For developers\n")
    assert "GRADCLI_IN_PROCESS=1" in section
    grading = DOCS / "grading.md"
    mistakes = readme_section("## Mistakes", grading)
    assert "| `missing_term` |" in mistakes
    assert "\n## " not in mistakes  # stops before the next section
    batch = readme_section("## For teachers: a class at once", grading)
    assert "### A gradebook: `--summary`" in batch  # keeps its subsections


def test_exit_codes_in_the_docs_are_the_enum() -> None:
    from gradcli.errors import ExitCode

    page = readme_section("# Exit codes and errors", DOCS / "exit-codes.md")
    table = re.findall(r"^\| (\d+) \|", page, re.M)
    assert [int(code) for code in table] == sorted(int(code) for code in ExitCode)


def test_no_stale_copies_of_readme_sections() -> None:
    """The manual is the one text; the old per-section copies are gone."""
    assert not (DOCS / "readme").exists()


@pytest.mark.parametrize(
    "path",
    [path for path in FILES if PYTHON_BLOCK.search(path.read_text(encoding="utf-8"))],
    ids=_name,
)
def test_python_examples(path: Path) -> None:
    """Each page's Python blocks run as doctests: the API they show is true."""
    blocks = PYTHON_BLOCK.findall(path.read_text(encoding="utf-8"))
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for i, block in enumerate(blocks):
        name = f"{_name(path)} python block {i + 1}"
        runner.run(parser.get_doctest(block, {}, name, str(path), 0))
    assert runner.failures == 0, f"{runner.failures} Python example(s) failed in {_name(path)}"


def test_the_readme_has_python() -> None:
    assert PYTHON_BLOCK.search(README.read_text(encoding="utf-8"))


def update(paths: list[Path]) -> None:  # pragma: no cover - a maintenance tool
    """Rewrite the output shown under each ``$ command`` of ``paths`` from a real run."""

    def fill(match: re.Match[str]) -> str:
        out = []
        for command, _ in readme_examples("```console\n" + match.group(1) + "```"):
            with tempfile.TemporaryDirectory() as tmp:
                out.append(f"$ {command}\n{run_shell(command, shell_fixtures(Path(tmp)))}")
        return "```console\n" + "".join(out) + "```"

    for path in paths:
        text = path.read_text(encoding="utf-8")
        new = re.compile(r"```console\n(.*?)```", re.S).sub(fill, text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"updated {_name(path)}")


if __name__ == "__main__":  # pragma: no cover
    update([Path(arg).resolve() for arg in sys.argv[1:]] or FILES)


def test_the_front_page_says_what_the_seed_prints_on_stderr() -> None:
    from tests.conftest import invoke

    shown = " ".join(README.read_text(encoding="utf-8").split())
    done = invoke("grad", "x^2+y^2+xy", "--at", "1,3")
    (note,) = done.stderr.splitlines()
    assert f"`{note}`" in shown
