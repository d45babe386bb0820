"""Write the man pages from the click definitions (``make docs``).

``click-man gradcli`` walks the group's registered commands, and gradcli's
group registers none: it loads each command when it runs, so that
``gradcli --help`` stays fast. Here the real command objects are gathered
into a group for click-man, which writes ``gradcli.1`` and one
``gradcli-COMMAND.1`` per command, with every option.

    python docs/make_man.py [TARGET_DIR]     # default: build/man
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click
from click_man.core import write_man_pages

from gradcli import __version__
from gradcli.cli import COMMANDS, cli

ROOT = Path(__file__).resolve().parent.parent


def real_commands() -> dict[str, click.Command]:
    """Each command of the lazy group, loaded: its options and help, not a stand-in."""
    commands = {}
    for name, target in COMMANDS.items():
        module, attribute = target.split(":")
        commands[name] = getattr(importlib.import_module(module), attribute)
    return commands


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else ROOT / "build" / "man"
    target.mkdir(parents=True, exist_ok=True)
    group = click.Group(
        "gradcli",
        commands=real_commands(),
        params=cli.params,
        help=cli.help,
        epilog=cli.epilog,
    )
    write_man_pages("gradcli", group, version=__version__, target_dir=str(target))
    pages = sorted(path.name for path in target.glob("gradcli*.1"))
    print(f"wrote {len(pages)} man pages to {target}: {', '.join(pages)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
