"""Write the man pages from the click definitions (``make docs``).

``click-man gradcli`` walks the group's registered commands, and gradcli's
group registers none: it loads each command when it runs, so that
``gradcli --help`` stays fast. Here the real command objects are gathered
into a group for click-man, which writes ``gradcli.1`` and one
``gradcli-COMMAND.1`` per command, with every option.

    python docs/make_man.py [TARGET_DIR]     # default: build/man
"""

from __future__ import annotations

import copy
import importlib
import sys
from pathlib import Path

import click
from click_man.core import write_man_pages

from gradcli import __version__
from gradcli.cli import COMMANDS, SUMMARIES, cli

ROOT = Path(__file__).resolve().parent.parent


def real_commands() -> dict[str, click.Command]:
    """Each command of the lazy group, loaded: its options and help, not a stand-in."""
    commands = {}
    for name, target in COMMANDS.items():
        module, attribute = target.split(":")
        command = roff_safe(getattr(importlib.import_module(module), attribute))
        # the one-line summary `gradcli --help` lists, for NAME and the COMMANDS list
        command.short_help = command.short_help or _roff_text(SUMMARIES[name])
        commands[name] = command
    return commands


def roff_safe(command: click.Command) -> click.Command:
    """A copy of ``command`` whose help texts roff prints as written.

    click-man copies them as they are, and roff reads a backslash as an escape
    (``printf 'x\\n'`` would lose its ``\\n``) and a line that starts with a
    dot as a request.
    """
    safe = copy.copy(command)
    safe.help = _roff_text(command.help)
    safe.short_help = _roff_text(command.short_help)
    safe.params = []
    for param in command.params:
        param = copy.copy(param)
        if isinstance(param, click.Option):
            param.help = _roff_text(param.help)
        safe.params.append(param)
    return safe


def _roff_text(text: str | None) -> str | None:
    if text is None:
        return None
    lines = []
    for line in text.replace("\\", "\\e").splitlines():
        body = line.lstrip()
        if body.startswith((".", "'")):  # after the indent, which cleandoc removes
            line = line[: len(line) - len(body)] + "\\&" + body
        lines.append(line)
    return "\n".join(lines)


def unfilled(page: str) -> str:
    """Keep click's unwrapped blocks (the indented examples) as lines: roff ``.nf``/``.fi``."""
    out: list[str] = []
    block = False
    for line in page.splitlines():
        indented = line.startswith("  ") and bool(line.strip())
        if indented and not block and out and out[-1].rstrip().endswith(":"):
            out.append(".nf")
            block = True
        elif block and not indented:
            out.append(".fi")
            block = False
        out.append(line)
    if block:
        out.append(".fi")
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else ROOT / "build" / "man"
    target.mkdir(parents=True, exist_ok=True)
    group = roff_safe(
        click.Group(
            "gradcli", commands=real_commands(), params=cli.params, help=cli.help, epilog=cli.epilog
        )
    )
    write_man_pages("gradcli", group, version=__version__, target_dir=str(target))
    for path in target.glob("gradcli*.1"):
        path.write_text(unfilled(path.read_text(encoding="utf-8")), encoding="utf-8")
    pages = sorted(path.name for path in target.glob("gradcli*.1"))
    print(f"wrote {len(pages)} man pages to {target}: {', '.join(pages)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
