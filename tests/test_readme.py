"""Every example in the README is true: each ``$ command`` in a ``console``
block runs, and prints exactly what the README shows below it.

Run with GRADCLI_UPDATE_README=1 to rewrite the shown outputs from real runs
(then read the diff before committing it).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BLOCK = re.compile(r"```console\n(.*?)```", re.S)


def _examples(text: str) -> list[tuple[str, str]]:
    """(command, expected output) pairs from the README's console blocks."""
    examples = []
    for block in BLOCK.findall(text):
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


def _run(command: str, cwd: Path) -> str:
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


EXAMPLES = _examples(README.read_text(encoding="utf-8")) if README.exists() else []


def test_readme_has_examples() -> None:
    assert len(EXAMPLES) >= 10


def _fixtures(folder: Path) -> Path:
    """The files the README's examples read, as a reader would make them."""
    (folder / "functions.txt").write_text("x^2 + y^2\nsin(x*y)\nlog(x+\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize(("command", "expected"), EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_readme_example(command: str, expected: str, tmp_path: Path) -> None:
    assert _run(command, _fixtures(tmp_path)) == expected


def update() -> None:  # pragma: no cover - a maintenance tool
    text = README.read_text(encoding="utf-8")

    def fill(match: re.Match[str]) -> str:
        import tempfile

        block = match.group(1)
        out = []
        for command, _ in _examples("```console\n" + block + "```"):
            with tempfile.TemporaryDirectory() as tmp:
                out.append(f"$ {command}\n{_run(command, _fixtures(Path(tmp)))}")
        return "```console\n" + "".join(out) + "```"

    README.write_text(BLOCK.sub(fill, text), encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    update()
