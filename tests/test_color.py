"""Colour: --color before or after the command, and the environment for --color auto."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gradcli.render.console import wants_color
from tests.conftest import invoke

ESC = "\x1b["
GRAD = ("grad", "x^2 + y^2 + xy", "--at", "1,3")
#: every variable that may turn colour on or off
COLOR_VARIABLES = (
    "NO_COLOR",
    "FORCE_COLOR",
    "CLICOLOR",
    "CLICOLOR_FORCE",
    "TTY_COMPATIBLE",
    "TERM",
)


def run(*args: str, **env: str) -> Any:
    """gradcli in-process (stdout is not a terminal), with only ``env``'s colour variables."""
    clean: dict[str, str | None] = dict.fromkeys(COLOR_VARIABLES)
    clean.update(env)
    result = invoke(*args, env=clean)  # type: ignore[arg-type]  # None unsets, as click's
    assert result.exit_code == 0, result
    return result


def coloured(*args: str, **env: str) -> bool:
    return ESC in run(*args, **env).stdout


def test_not_a_terminal_no_colour() -> None:
    assert not coloured(*GRAD)
    assert not coloured(*GRAD, TERM="xterm-256color")


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"FORCE_COLOR": "1"}, True),
        ({"FORCE_COLOR": "0"}, True),  # rich, as force-color.org: any non-empty value
        ({"FORCE_COLOR": ""}, False),
        ({"CLICOLOR_FORCE": "1"}, True),
        ({"CLICOLOR_FORCE": "0"}, False),
        ({"TTY_COMPATIBLE": "1"}, True),
        # NO_COLOR wins over every way of forcing colour (no-color.org)
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        ({"CLICOLOR_FORCE": "1", "NO_COLOR": "yes"}, False),
        ({"FORCE_COLOR": "1", "NO_COLOR": ""}, True),
        # a dumb terminal takes no escapes, even forced
        ({"FORCE_COLOR": "1", "TERM": "dumb"}, False),
        ({"CLICOLOR_FORCE": "1", "CLICOLOR": "0"}, True),
    ],
)
def test_the_environment_decides_auto(env: dict[str, str], expected: bool) -> None:
    assert coloured(*GRAD, **env) is expected
    assert coloured("--color", "auto", *GRAD, **env) is expected


def test_the_option_wins_over_the_environment() -> None:
    assert coloured("--color", "always", *GRAD, NO_COLOR="1")
    assert coloured("--color", "always", *GRAD, TERM="dumb")
    assert not coloured("--color", "never", *GRAD, FORCE_COLOR="1")
    assert not coloured("--color", "never", *GRAD, CLICOLOR_FORCE="1")


def test_color_after_the_command() -> None:
    assert coloured(*GRAD, "--color", "always")
    assert not coloured(*GRAD, "--color", "never", FORCE_COLOR="1")
    # after the command wins over before it
    assert not coloured("--color", "always", *GRAD, "--color", "never")
    assert coloured("--color", "never", *GRAD, "--color", "always")
    # and auto after the command lets the environment decide again
    assert not coloured("--color", "always", *GRAD, "--color", "auto")
    assert coloured("--color", "never", *GRAD, "--color", "auto", FORCE_COLOR="1")


@pytest.mark.parametrize(
    "args",
    [
        ("hessian", "x^2*y", "--at", "1,2"),
        ("jacobian", "x*y, x+y", "--at", "1,2"),
        ("critical", "x^2 + y^2"),
        ("descend", "x^2", "--from", "1", "--steps", "2"),
        ("check", "x^2", "--gradient", "2x"),
    ],
)
def test_every_command_takes_color_after_it(args: tuple[str, ...]) -> None:
    assert ESC in invoke(*args, "--color", "always").stdout
    assert ESC not in invoke(*args, "--color", "never", env={"FORCE_COLOR": "1"}).stdout


def test_the_same_table_with_or_without_colour() -> None:
    import re

    plain = run(*GRAD).stdout
    forced = run(*GRAD, "--color", "always").stdout
    assert re.sub(r"\x1b\[[0-9;]*m", "", forced) == plain


def test_machine_formats_never_take_colour() -> None:
    for fmt in ("plain", "json", "csv", "latex"):
        assert not coloured(*GRAD, "--format", fmt, "--color", "always", FORCE_COLOR="1")


def test_a_bad_choice_is_a_usage_error() -> None:
    result = invoke(*GRAD, "--color", "sometimes")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("gradcli: error: Invalid value for '--color'")


def test_wants_color_alone() -> None:
    assert wants_color("auto", terminal=True, environ={"TERM": "xterm"})
    assert not wants_color("auto", terminal=True, environ={"TERM": "unknown"})
    assert not wants_color("auto", terminal=True, environ={"TERM": "xterm", "CLICOLOR": "0"})
    assert wants_color("auto", terminal=True, environ={"TERM": "xterm", "CLICOLOR": "1"})
    assert not wants_color("auto", terminal=True, environ={"TERM": "xterm", "NO_COLOR": "1"})
    assert not wants_color("auto", terminal=False, environ={})
    assert not wants_color("never", terminal=True, environ={"FORCE_COLOR": "1"})


# --------------------------------------------------------------------------
# Through the real console script, on a pseudo-terminal

GRADCLI = str(Path(sys.executable).parent / "gradcli")


def on_a_terminal(*args: str, **env: str) -> str:
    """What ``gradcli ARGS`` writes to a pseudo-terminal, 80 columns wide."""
    environ = {k: v for k, v in os.environ.items() if k not in COLOR_VARIABLES}
    environ.update({"COLUMNS": "80", "LINES": "24", **env})
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen(
            [GRADCLI, *args],
            stdin=subprocess.DEVNULL,
            stdout=follower,
            stderr=follower,
            env=environ,
            close_fds=True,
        )
        os.close(follower)
        chunks = []
        while True:
            ready, _, _ = select.select([leader], [], [], 60)
            if not ready:
                break
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the other end closed: Linux says EIO
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert process.wait(timeout=60) == 0
    finally:
        os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_a_terminal_gets_colour() -> None:
    shown = on_a_terminal(*GRAD, TERM="xterm")
    assert ESC in shown and "√74" in shown


@pytest.mark.parametrize(
    ("env", "args"),
    [
        ({"TERM": "xterm", "NO_COLOR": "1"}, ()),
        ({"TERM": "dumb"}, ()),
        ({"TERM": "xterm", "CLICOLOR": "0"}, ()),
        ({"TERM": "xterm", "TTY_COMPATIBLE": "0"}, ()),
        ({"TERM": "xterm"}, ("--color", "never")),
    ],
)
def test_a_terminal_without_colour(env: dict[str, str], args: tuple[str, ...]) -> None:
    shown = on_a_terminal(*GRAD, *args, **env)
    assert ESC not in shown and "√74" in shown


def test_never_before_the_command_always_after_it_on_a_terminal() -> None:
    shown = on_a_terminal("--color", "never", *GRAD, "--color", "always", TERM="dumb")
    assert ESC in shown
