"""The one place a rich Console is made, and how text reaches it safely.

Colour is decided by the caller (a terminal, and NO_COLOR unset); rendering
happens into a string so that the command line decides where it goes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Console, RenderableType
from rich.text import Text


@dataclass(frozen=True)
class Screen:
    """What the output goes to: its width and whether it takes colour."""

    width: int = 100
    color: bool = False


def render(build: Callable[[], list[RenderableType]], screen: Screen) -> str:
    """Render what ``build`` returns to a string for ``screen``."""
    console = Console(
        width=screen.width,
        force_terminal=screen.color,
        color_system="standard" if screen.color else None,
        no_color=not screen.color,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=False,
        legacy_windows=False,
    )
    with console.capture() as capture:
        for item in build():
            console.print(item)
    return capture.get()


def text(value: str, style: str = "") -> Text:
    """User-derived text as plain text: never read as markup or escapes.

    ``x[/]`` or an escape sequence in an expression must print as itself.
    """
    cleaned = "".join(ch if ch.isprintable() or ch == "\n" else "\ufffd" for ch in value)
    return Text(cleaned, style=style)
