"""Shared test helpers: run the real command line in-process, and the docs' examples."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from gradcli.cli import run

# The tests expect English unless they ask for another language: the machine's
# locale (LANG=ko_KR.UTF-8) must not decide, for runs in-process or in a
# subprocess. LANGUAGE is the first variable gettext and gradcli read.
os.environ.pop("GRADCLI_LANG", None)
os.environ["LANGUAGE"] = "en"


@dataclass(frozen=True)
class Result:
    """What one run of gradcli gave: exit code, stdout and stderr apart."""

    args: tuple[str, ...]
    exit_code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)

    def __repr__(self) -> str:  # shown by pytest when an assertion fails
        return (
            f"gradcli {' '.join(self.args)!s}\n-> exit {self.exit_code}\n"
            f"--- stdout ---\n{self.stdout}--- stderr ---\n{self.stderr}"
        )


def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    """Run ``gradcli ARGS`` in-process, as the console script would."""
    runner = CliRunner()
    with runner.isolation(input=input, env=env) as (stdout, stderr, _):
        code = run(list(args))
    return Result(
        args=args,
        exit_code=code,
        stdout=stdout.getvalue().decode(),
        stderr=stderr.getvalue().decode(),
    )


@pytest.fixture
def gradcli() -> Any:
    return invoke


#: every output format of a command that prints results
FORMATS = ("table", "plain", "json", "csv", "latex")


def ok(*args: str) -> Result:
    """A run that must succeed quietly, at 80 columns: stderr holds notes at most.

    Notes (how the input was read) are messages on stderr outside JSON.
    """
    result = invoke(*args, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result
    assert all(line.startswith("gradcli: note: ") for line in result.stderr.splitlines()), result
    return result


def failing(*args: str) -> Result:
    """A run that must fail with one error message and nothing on stdout."""
    result = invoke(*args)
    assert result.exit_code != 0, result
    assert result.stdout == "", result
    assert result.stderr.startswith("gradcli: error: "), result
    return result


def strict_json(result: Result) -> Any:
    """The JSON on stdout, refusing NaN and Infinity as the contract does."""

    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in JSON output")

    return json.loads(result.stdout, parse_constant=refuse)


# --------------------------------------------------------------------------
# The documentation's examples: each ``$ command`` in a ``console`` block, and its output

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
#: the manual's pages (``make docs`` builds them into a site)
DOCS = ROOT / "docs"
_BLOCK = re.compile(r"```console\n(.*?)```", re.S)


def doc_files() -> list[Path]:
    """The README and every page of the manual: each one's examples must be true."""
    return [README, *sorted(DOCS.rglob("*.md"))]


def readme_examples(text: str) -> list[tuple[str, str]]:
    """(command, expected output) pairs from the ``console`` blocks of ``text``."""
    examples = []
    for block in _BLOCK.findall(text):
        command = None
        output: list[str] = []
        for line in block.splitlines(keepends=True):
            if line.startswith("$ "):
                if command is not None:
                    examples.append((command, "".join(output)))
                command, output = line[2:].rstrip("\n"), []
            elif command is not None:
                output.append(line)
        if command is not None:
            examples.append((command, "".join(output)))
    return examples


def readme_section(heading: str, path: Path = README) -> str:
    """The section of ``path`` under ``heading`` (``## Pictures``), up to the next of its level.

    ``# Title`` gives a whole page. Lines in fenced code blocks are never headings.
    """
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    level = heading.split(" ", 1)[0]
    fenced, headings = False, []
    for i, line in enumerate(lines):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith("#"):
            headings.append(i)
    start = next(i for i in headings if lines[i].rstrip("\n") == heading)
    end = next(
        (i for i in headings if i > start and lines[i].split(" ", 1)[0] in _levels_up_to(level)),
        len(lines),
    )
    return "".join(lines[start:end])


def _levels_up_to(level: str) -> set[str]:
    return {"#" * n for n in range(1, len(level) + 1)}


def run_shell(command: str, cwd: Path) -> str:
    """Run a documented command with this environment's gradcli, as a reader would.

    Returns stdout, then ``[exit N]`` when N is not 0 (as the docs show it).
    """
    bin_dir = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        "NO_COLOR": "1",
        "COLUMNS": "80",
    }
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.stdout + (f"[exit {done.returncode}]\n" if done.returncode else "")


#: the manual's data set (make pictures draws its picture from the same file)
POINTS = DOCS / "points.csv"


def shell_fixtures(folder: Path) -> Path:
    """The files the documentation's examples read, as a reader would make them."""
    (folder / "functions.txt").write_text("x^2 + y^2\nsin(x*y)\nlog(x+\n", encoding="utf-8")
    # the data of the machine-learning examples, as docs/points.csv holds it
    (folder / "points.csv").write_text(POINTS.read_text(encoding="utf-8"), encoding="utf-8")
    return folder
