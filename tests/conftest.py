"""Shared test helpers: run the real command line in-process."""

from __future__ import annotations

import json
from dataclasses import dataclass
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
