"""The one place a rich Console is made, and how text reaches it safely.

Colour is decided by the caller (a terminal, and NO_COLOR unset); rendering
happens into a string so that the command line decides where it goes. Where
stdout's encoding cannot hold the tables' symbols (cp1252, ASCII), they are
drawn again in ASCII forms: ``sqrt(74)``, ``grad f``, ``df/dx``, ``+--+``.
"""

from __future__ import annotations

import codecs
import copy
import dataclasses
import io
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.console import Console, RenderableType
from rich.padding import Padding
from rich.style import Style
from rich.table import Table
from rich.text import Text
from rich.tree import Tree


@dataclass(frozen=True)
class Screen:
    """What the output goes to: its width and whether it takes colour."""

    width: int = 100
    color: bool = False


def wants_color(choice: str, *, terminal: bool, environ: Mapping[str, str] | None = None) -> bool:
    """Whether a table gets colour: ``--color`` ``choice``, and for ``auto`` the environment.

    ``always`` and ``never`` win over everything. ``auto``: NO_COLOR (set and
    not empty) turns colour off, whatever else is set (no-color.org);
    CLICOLOR_FORCE (set and not ``0``) turns it on, else CLICOLOR=0 turns it
    off (bixense.com/clicolors); otherwise rich decides as it would for
    stdout: TTY_COMPATIBLE, FORCE_COLOR (set and not empty, even ``0``), a
    terminal, and never on TERM=dumb or TERM=unknown.

    >>> wants_color("auto", terminal=True, environ={"TERM": "xterm"})
    True
    >>> wants_color("auto", terminal=True, environ={"TERM": "dumb"})
    False
    >>> wants_color("auto", terminal=False, environ={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    False
    >>> wants_color("always", terminal=False, environ={"NO_COLOR": "1"})
    True
    """
    if choice in ("always", "never"):
        return choice == "always"
    env = dict(os.environ if environ is None else environ)
    if env.get("NO_COLOR", ""):
        return False
    if env.get("CLICOLOR_FORCE", "0") not in ("", "0"):
        env["FORCE_COLOR"] = "1"
    elif env.get("CLICOLOR") == "0":
        return False
    console = Console(file=_Stdout(terminal), color_system="auto", _environ=env)
    return console.color_system is not None


class _Stdout(io.StringIO):
    """Stands for stdout when rich asks whether it is a terminal."""

    def __init__(self, terminal: bool) -> None:
        super().__init__()
        self._terminal = terminal

    def isatty(self) -> bool:
        return self._terminal


def render(build: Callable[[], list[RenderableType]], screen: Screen) -> str:
    """Render what ``build`` returns to a string for ``screen``.

    When stdout cannot encode the result, ``build`` runs again and its
    renderables are drawn in ASCII forms.
    """
    shown = _render(build(), screen, _Sink())
    encoding = output_encoding()
    if _encodes(shown, encoding):
        return shown
    # Hangul that the encoding holds (EUC-KR, CP949) stays: only symbols are spelled
    keep = encoding if _encodes("한글", encoding) else ""
    drawn = _render([ascii_renderable(item, keep) for item in build()], screen, _AsciiSink())
    out = ascii_form(drawn, keep)
    return out.encode(keep or "ascii", "replace").decode(keep or "ascii")


def output_encoding() -> str:
    """stdout's encoding (UTF-8 when it names none)."""
    return str(getattr(sys.stdout, "encoding", None) or "utf-8")


def _encodes(shown: str, encoding: str) -> bool:
    try:
        if codecs.lookup(encoding).name.startswith("utf"):
            return True
        shown.encode(encoding)
    except (LookupError, UnicodeError):
        return False
    return True


class _Sink(io.StringIO):
    """Where rich thinks it writes: the capture gets the text."""

    encoding = "utf-8"


class _AsciiSink(_Sink):
    encoding = "ascii"


def _render(items: list[RenderableType], screen: Screen, sink: _Sink) -> str:
    console = Console(
        file=sink,
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
    parts = []
    for item in items:
        narrow = isinstance(item, Table) and _cuts_words(item, console)
        with console.capture() as capture:
            if isinstance(item, Table) and narrow:
                item = stacked(item, screen.width)
            console.print(item)
        parts.append(_TRAILING.sub(r"\1", capture.get()) if narrow else capture.get())
    return "".join(parts)


#: the spaces a grid pads its last column with, before any closing escape
_TRAILING = re.compile(r" +((?:\x1b\[[0-9;]*m)*)$", re.M)


# --------------------------------------------------------------------------
# Narrow screens: a table too wide to show whole is shown one row at a time

#: what rich puts where it cuts a word
_CUT = "…"


def _cuts_words(table: Table, console: Console) -> bool:
    """Whether ``table`` on ``console`` would cut or fold a word (a number) of a cell.

    The table is drawn once with every column cutting what does not fit,
    and its ellipses are counted against those its cells hold. A column that
    cuts on purpose (``no_wrap`` with a ``max_width``) is left out.
    """
    probe = copy.copy(table)
    probe.columns = []
    held = _plain(table.title).count(_CUT) + _plain(table.caption).count(_CUT)
    for column in table.columns:
        cells: list[Any] = list(column._cells)
        if column.no_wrap and column.max_width is not None:
            cells = ["x" * column.max_width] * len(cells)
        else:
            held += sum(_plain(cell).count(_CUT) for cell in [column.header, *cells])
            cells = [_narrowed(cell) for cell in cells]
        probe.columns.append(
            dataclasses.replace(
                column, header=_narrowed(column.header), overflow="ellipsis", _cells=cells
            )
        )
    with console.capture() as capture:
        console.print(probe)
    return capture.get().count(_CUT) > held


def _narrowed(cell: Any) -> Any:
    """``cell`` with each double-width letter (Hangul) as two narrow ones, for the probe.

    The same width, and the same words: rich, wrapping a line that ends in
    double-width letters and a space, cuts its last word with an ellipsis
    where it would fit (rich 15), which would read as a number cut.
    """
    if isinstance(cell, Text) and not cell.plain.isascii():
        return Text(
            _narrowed(cell.plain),
            justify=cell.justify,
            overflow=cell.overflow,
            no_wrap=cell.no_wrap,
        )
    if isinstance(cell, str) and not cell.isascii():
        return "".join("xx" if cell_len(c) == 2 else c for c in cell)
    return cell


def _plain(cell: Any) -> str:
    if isinstance(cell, Text):
        return cell.plain
    return cell if isinstance(cell, str) else ""


def stacked(table: Table, width: int = 80) -> Table:
    """``table`` one row at a time: each row's first cell, then each other
    column's name and value on a line of its own, for a screen ``width`` wide.

    Values fold rather than being cut, and empty cells are left out.

    >>> wide = Table("k", "θ_k", "f(θ_k)")
    >>> wide.add_row("0", "(1.2345678, 3.4567891)", "13.000001")
    >>> wide.add_row("1", "(1, 2)", "")
    >>> print(render(lambda: [wide], Screen(width=24)), end="")
    k        0
      θ_k    (1.2345678,
             3.4567891)
      f(θ_k) 13.000001
    k        1
      θ_k    (1, 2)
    """
    grid = Table.grid(padding=(0, 1))
    grid.title = table.title
    grid.caption = table.caption
    grid.add_column(style=table.header_style, overflow="fold", max_width=max(8, width // 3))
    grid.add_column(overflow="fold")
    headers = [_header(column.header) for column in table.columns]
    cells = [list(column._cells) for column in table.columns]
    for r in range(table.row_count):
        row = [column[r] if r < len(column) else "" for column in cells]
        grid.add_row(headers[0], row[0])
        for header, cell in zip(headers[1:], row[1:]):
            if _plain(cell).strip() or not isinstance(cell, (str, Text)):
                grid.add_row(Padding(header, (0, 0, 0, 2)), cell)
    return grid


def _header(header: Any) -> Text:
    return header.copy() if isinstance(header, Text) else Text(str(header))


def text(value: str, style: str = "") -> Text:
    """User-derived text as plain text: never read as markup or escapes.

    ``x[/]`` or an escape sequence in an expression must print as itself.
    """
    cleaned = "".join(ch if ch.isprintable() or ch == "\n" else "\ufffd" for ch in value)
    return Text(cleaned, style=style)


# --------------------------------------------------------------------------
# ASCII forms, for a stream that cannot hold the symbols

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ⁿⁱ", "0123456789-+ni")
_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉₋₊ᵢⱼₖₙ", "0123456789-+ijkn")
_ROOT = re.compile(r"([√∛])(\w+(?:\.\w+)?)?")
_WORDS = {
    "∇": "grad ",
    "∂": "d",
    "·": "*",
    "×": "*",
    "−": "-",
    "–": "-",
    "—": "-",
    "±": "+/-",
    "≈": "~",
    "≤": "<=",
    "≥": ">=",
    "≠": "!=",
    "…": "...",
    "→": "->",
    "←": "<-",
    "∞": "oo",
    "°": " deg",
    "✓": "ok",
    "✗": "X",
    "†": "+",
    "π": "pi",
    "‖": "||",
    "ℝ": "R",
    "\ufffd": "?",
}


def ascii_form(text: str, keep: str = "") -> str:
    """``text`` with its mathematical symbols spelled in ASCII.

    With ``keep``, an encoding, Hangul letters that it holds are kept as they are.

    >>> ascii_form("|∇f(1, 3)| = √74 ≈ 8.602325, ∂f/∂x = 2·x + y, ℝ² θ₀")
    '|grad f(1, 3)| = sqrt(74) ~ 8.602325, df/dx = 2*x + y, R^2 theta_0'
    """
    if text.isascii():
        return text
    from gradcli.parse import GREEK

    text = _ROOT.sub(_root, text)
    text = re.sub("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ⁿⁱ]+", lambda m: "^" + m.group().translate(_SUPERSCRIPTS), text)
    text = re.sub("[₀₁₂₃₄₅₆₇₈₉₋₊ᵢⱼₖₙ]+", lambda m: "_" + m.group().translate(_SUBSCRIPTS), text)
    text = text.replace("∇ ", "∇")
    out = []
    for ch in text:
        if ch.isascii() or (keep and _is_hangul(ch) and _encodes(ch, keep)):
            out.append(ch)
        elif ch in _WORDS:
            out.append(_WORDS[ch])
        elif ch in GREEK:
            out.append(GREEK[ch])
        else:
            out.append(_spelled(ch))
    return "".join(out)


def _is_hangul(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("HANGUL")


def _root(match: re.Match[str]) -> str:
    name = "sqrt" if match.group(1) == "√" else "cbrt"
    radicand = match.group(2)
    return f"{name}({radicand})" if radicand else name


def _spelled(ch: str) -> str:
    """One character in ASCII: its decomposition, a Greek name, or ``?``."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if plain.isascii():
        return plain
    name = unicodedata.name(ch, "")
    if name.startswith("GREEK ") and " LETTER " in name:
        word = name.split(" LETTER ")[-1].split()[0].lower()
        return word.capitalize() if "CAPITAL" in name else word
    return "?"


def ascii_renderable(item: Any, keep: str = "") -> Any:
    """A table, tree, text or string with its words in :func:`ascii_form`."""
    if isinstance(item, str):
        return ascii_form(item, keep)
    if isinstance(item, Text):
        return _ascii_text(item, keep)
    if isinstance(item, Table):
        item.title = ascii_renderable(item.title, keep)
        item.caption = ascii_renderable(item.caption, keep)
        for column in item.columns:
            column.header = ascii_renderable(column.header, keep)
            column.footer = ascii_renderable(column.footer, keep)
            column._cells = [ascii_renderable(cell, keep) for cell in column._cells]
        return item
    if isinstance(item, Tree):
        item.label = ascii_renderable(item.label, keep)
        for child in item.children:
            ascii_renderable(child, keep)
        return item
    return item


def _ascii_text(value: Text, keep: str = "") -> Text:
    """A rich Text in ASCII forms, keeping the style of each stretch."""
    if value.plain.isascii():
        return value
    cuts = sorted({offset for span in value.spans for offset in (span.start, span.end)})
    out = Text(
        style=value.style,
        justify=value.justify,
        overflow=value.overflow,
        no_wrap=value.no_wrap,
        end=value.end,
    )
    for piece in value.divide(cuts):
        styles = [
            Style.parse(s) if isinstance(s, str) else s for s in (sp.style for sp in piece.spans)
        ]
        out.append(ascii_form(piece.plain, keep), Style.combine(styles) if styles else None)
    return out
