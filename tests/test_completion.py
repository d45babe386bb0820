"""Shell completion, through the real console script as bash, zsh and fish call it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

GRADCLI = str(Path(sys.executable).parent / "gradcli")


def complete(shell: str, words: str, cword: int | None = None) -> list[str]:
    """What ``gradcli`` offers for ``words`` (the last one being completed)."""
    env = {**os.environ, "_GRADCLI_COMPLETE": f"{shell}_complete", "COMP_WORDS": words}
    # bash and zsh give the index of the word completed, fish the word itself
    if shell == "fish":
        env["COMP_CWORD"] = words.split(" ")[-1]
    else:
        env["COMP_CWORD"] = str(len(words.split(" ")) - 1 if cword is None else cword)
    done = subprocess.run([GRADCLI], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout.splitlines()


def bash(words: str) -> list[str]:
    """bash's answer as (type, value) lines: ``plain,--format``."""
    return complete("bash", words)


def offered(words: str) -> list[str]:
    return [line.split(",", 1)[1] for line in bash(words) if line]


def test_command_names() -> None:
    assert offered("gradcli ") == [
        "grad",
        "check",
        "descend",
        "hessian",
        "jacobian",
        "critical",
        "plot",
    ]
    assert offered("gradcli he") == ["hessian"]


def test_a_commands_options() -> None:
    assert offered("gradcli grad --f") == ["--format"]
    assert offered("gradcli descend x --f") == ["--from", "--format"]
    assert offered("gradcli hessian --max-") == ["--max-length", "--max-depth"]
    # after an expression that starts with '-', as the command reads it
    assert offered("gradcli grad -x^2 --at 1 --for") == ["--format"]


@pytest.mark.parametrize("command", ["grad", "hessian", "jacobian", "critical", "descend"])
def test_format_choices(command: str) -> None:
    assert offered(f"gradcli {command} --format ") == ["table", "plain", "json", "csv", "latex"]
    assert offered(f"gradcli {command} -f j") == ["json"]


def test_each_commands_own_choices() -> None:
    assert offered("gradcli check --format ") == ["table", "plain", "json", "csv"]
    assert offered("gradcli plot x -o a.png --format ") == ["plain", "json"]


def test_option_values_that_start_a_word() -> None:
    assert offered("gradcli grad x^2 --at 1 --format p") == ["plain"]
    assert offered("gradcli grad --loss ") == [
        "mse",
        "mae",
        "logistic",
        "bce",
        "cross-entropy",
        "hinge",
    ]
    # --at takes free text: nothing is offered, and nothing fails
    assert offered("gradcli grad --at ") == []


def test_color_before_and_after_the_command() -> None:
    assert offered("gradcli --c") == ["--color"]
    assert offered("gradcli --color ") == ["auto", "always", "never"]
    assert offered("gradcli grad x --col") == ["--color"]
    assert offered("gradcli grad x --color n") == ["never"]


def test_file_options_complete_file_names() -> None:
    assert bash("gradcli grad --data ") == ["file,"]
    assert bash("gradcli descend --data po") == ["file,po"]
    assert bash("gradcli plot x -o ") == ["file,"]
    assert bash("gradcli plot x --output pic") == ["file,pic"]


def test_zsh_and_fish_get_the_help_too() -> None:
    zsh = complete("zsh", "gradcli gr")
    assert zsh == ["plain", "grad", SUMMARY_GRAD]
    assert complete("zsh", "gradcli grad --data ") == ["file", "", "_"]
    fish = complete("fish", "gradcli grad --f")
    assert fish == [
        "plain,--format\tOutput format: a rich table, plain 'key: value' lines, JSON, CSV or LaTeX."
    ]
    assert complete("fish", "gradcli plot x -o ") == ["file,"]


SUMMARY_GRAD = "The gradient: partial derivatives, value, magnitude, direction."


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_sourcing_scripts(shell: str) -> None:
    env = {**os.environ, "_GRADCLI_COMPLETE": f"{shell}_source"}
    done = subprocess.run([GRADCLI], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "_GRADCLI_COMPLETE" in done.stdout
    assert f"{shell}_complete" in done.stdout


def test_the_bash_script_completes_in_bash(tmp_path: Path) -> None:
    """Source the generated script in bash and call its function as bash would."""
    script = tmp_path / "gradcli-complete.bash"
    env = {**os.environ, "_GRADCLI_COMPLETE": "bash_source"}
    script.write_text(
        subprocess.run(
            [GRADCLI], env=env, capture_output=True, text=True, timeout=60, check=True
        ).stdout
    )
    driver = (
        f"source {script}\n"
        "COMP_WORDS=(gradcli grad -f '')\nCOMP_CWORD=3\n"
        "_gradcli_completion gradcli\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
        "complete -p gradcli\n"
    )
    path = str(Path(GRADCLI).parent) + os.pathsep + os.environ.get("PATH", "")
    done = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", driver],
        env={**os.environ, "PATH": path},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:5] == ["table", "plain", "json", "csv", "latex"]
    assert lines[5].startswith("complete -o nosort -F _gradcli_completion gradcli")


def test_completion_imports_nothing_heavy() -> None:
    """Loading a command to complete its options stays as light as `--help`."""
    code = (
        "import sys\nfrom gradcli.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    for command in ("grad", "check", "descend", "hessian", "jacobian", "critical", "plot"):
        env = {
            **os.environ,
            "_GRADCLI_COMPLETE": "bash_complete",
            "COMP_WORDS": f"gradcli {command} --f",
            "COMP_CWORD": "2",
        }
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
        )
        modules = set(done.stderr.split())
        assert "click" in modules and "--format" in done.stdout
        assert not {"sympy", "rich", "numpy", "matplotlib", "mpmath"} & modules, command
