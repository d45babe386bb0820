"""Shared test helpers: run the real command line in-process, and the README's examples."""

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
    """A run that must succeed quietly, at 80 columns."""
    result = invoke(*args, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result
    assert result.stderr == "", result
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
# The README's examples: each ``$ command`` in a ``console`` block, and its output

README = Path(__file__).resolve().parent.parent / "README.md"
_BLOCK = re.compile(r"```console\n(.*?)```", re.S)


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


def readme_section(heading: str) -> str:
    """The README's section under ``heading`` (``## Pictures``), up to the next of its level."""
    lines = README.read_text(encoding="utf-8").splitlines(keepends=True)
    level = heading.split(" ", 1)[0]
    start = next(i for i, line in enumerate(lines) if line.rstrip("\n") == heading)
    end = next(
        (
            i
            for i in range(start + 1, len(lines))
            if lines[i].startswith("#") and lines[i].split(" ", 1)[0] in _levels_up_to(level)
        ),
        len(lines),
    )
    return "".join(lines[start:end])


def _levels_up_to(level: str) -> set[str]:
    return {"#" * n for n in range(1, len(level) + 1)}


def run_shell(command: str, cwd: Path) -> str:
    """Run a README command with this environment's gradcli, as a reader would.

    Returns stdout, then ``[exit N]`` when N is not 0 (as the README shows it).
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


#: the README's data set (make docs draws its picture from the same file)
POINTS = Path(__file__).resolve().parent.parent / "docs" / "points.csv"


def shell_fixtures(folder: Path) -> Path:
    """The files the README's examples read, as a reader would make them."""
    (folder / "functions.txt").write_text("x^2 + y^2\nsin(x*y)\nlog(x+\n", encoding="utf-8")
    # the data of the README's machine-learning examples, as docs/points.csv holds it
    (folder / "points.csv").write_text(POINTS.read_text(encoding="utf-8"), encoding="utf-8")
    return folder
