"""Every example in the README is true: each ``$ command`` in a ``console``
block runs, and prints exactly what the README shows below it.

Run with GRADCLI_UPDATE_README=1 to rewrite the shown outputs from real runs
(then read the diff before committing it).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest

from tests.conftest import README, readme_examples, readme_section, run_shell, shell_fixtures

EXAMPLES = readme_examples(README.read_text(encoding="utf-8")) if README.exists() else []


def test_readme_has_examples() -> None:
    assert len(EXAMPLES) >= 10


@pytest.mark.parametrize(("command", "expected"), EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_readme_example(command: str, expected: str, tmp_path: Path) -> None:
    assert run_shell(command, shell_fixtures(tmp_path)) == expected


def test_sections_are_found_whole() -> None:
    section = readme_section("## Exit codes and errors")
    assert section.startswith("## Exit codes and errors\n")
    assert "| 70 |" in section
    assert "\n## " not in section  # stops before the next section
    assert "### For developers" in section  # keeps its subsections


def test_exit_codes_in_the_readme_are_the_enum() -> None:
    from gradcli.errors import ExitCode

    table = re.findall(r"^\| (\d+) \|", readme_section("## Exit codes and errors"), re.M)
    assert [int(code) for code in table] == sorted(int(code) for code in ExitCode)


def test_no_stale_copies_of_readme_sections() -> None:
    """The README is the one text; the old per-section copies are gone."""
    assert not (README.parent / "docs" / "readme").exists()


def update() -> None:  # pragma: no cover - a maintenance tool
    text = README.read_text(encoding="utf-8")

    def fill(match: re.Match[str]) -> str:
        block = match.group(1)
        out = []
        for command, _ in readme_examples("```console\n" + block + "```"):
            with tempfile.TemporaryDirectory() as tmp:
                out.append(f"$ {command}\n{run_shell(command, shell_fixtures(Path(tmp)))}")
        return "```console\n" + "".join(out) + "```"

    README.write_text(re.compile(r"```console\n(.*?)```", re.S).sub(fill, text), encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    update()


def test_readme_python_examples() -> None:
    """The README's Python blocks run as doctests: the API they show is true."""
    import doctest

    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for i, block in enumerate(blocks):
        test = parser.get_doctest(block, {}, f"README python block {i + 1}", "README.md", 0)
        runner.run(test)
    assert runner.failures == 0, f"{runner.failures} README python example(s) failed"
