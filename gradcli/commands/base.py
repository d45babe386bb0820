"""What every command shares: its options, reading its input, formatting its result.

A command is options plus a call: it reads its options into a job (a
function that asks the core for a result and formats it with
:func:`formatted`), and returns what :mod:`gradcli.runner` makes of it, the
exit code. Jobs run in a budgeted child process and format there, so that
even printing a result is bounded.
"""

from __future__ import annotations

import functools
import importlib
import os
import re
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import click

from gradcli.errors import InputError, LimitError
from gradcli.limits import Limits
from gradcli.runner import Line

if TYPE_CHECKING:
    pass

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Settings:
    """Global settings from the group's options."""

    color: bool = False
    width: int = 100
    #: whether ``@FILE`` may be read (``--no-files``, GRADCLI_NO_FILES=1)
    files: bool = True


def settings() -> Settings:
    ctx = click.get_current_context(silent=True)
    while ctx is not None:
        if isinstance(ctx.obj, Settings):
            return ctx.obj
        ctx = ctx.parent
    return Settings()


def decide_color(choice: str, stream: Any = None) -> bool:
    """Colour on a terminal only, and never when NO_COLOR is set (no-color.org)."""
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def terminal_width(color: bool) -> int:
    if color or sys.stdout.isatty():
        return max(40, shutil.get_terminal_size((100, 24)).columns)
    columns = os.environ.get("COLUMNS", "").strip()
    return max(40, int(columns)) if columns.isascii() and columns.isdigit() else 100


# --------------------------------------------------------------------------
# Options shared by commands


_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


class Number(click.ParamType):
    """An option's number, read as ``--at`` reads one: by gradcli's parser.

    Plain ASCII decimals are read directly (the parser reads them the same
    way); anything else (``1/2``, ``1_000``, full-width or Arabic-Indic
    digits) goes to :func:`gradcli.parse.parse_numbers`, so that every
    option refuses what ``--at`` refuses. ``integer`` wants a whole number.
    """

    def __init__(self, *, integer: bool = False) -> None:
        self.integer = integer
        self.name = "integer" if integer else "float"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        text = str(value).strip()
        option = param.opts[0] if param is not None and param.opts else "the option"
        plain = _PLAIN_NUMBER.fullmatch(text)
        number = float(text) if plain else self._parsed(text, option)
        if not self.integer:
            return number
        if not number.is_integer():
            self.fail(f"{text!r} is not a whole number", param, ctx)
        return int(number)

    def _parsed(self, text: str, option: str) -> float:
        from gradcli.parse import parse_numbers

        try:
            values = parse_numbers(text, option, Limits())
        except InputError as error:
            if error.message.startswith(option):
                raise
            raise InputError(
                f"{option}: {error.message}",
                text=error.text,
                position=error.position,
                hint=error.hint,
            ) from None
        if len(values) != 1:
            raise InputError(f"{option} takes one number, got {len(values)}")
        try:
            return float(values[0])
        except (TypeError, ValueError, OverflowError):
            raise InputError(f"{option} needs a real number, got {text!r}") from None


#: ``type=`` for options that take one number or one whole number
NUMBER = Number()
INTEGER = Number(integer=True)


def format_option(formats: tuple[str, ...] = ("table", "plain", "json", "csv", "latex")) -> Any:
    return click.option(
        "--format",
        "-f",
        "output_format",
        type=click.Choice(formats, case_sensitive=False),
        default="table",
        show_default=True,
        help="Output format: a rich table, plain 'key: value' lines, JSON, CSV or LaTeX.",
    )


def limit_options(f: F) -> F:
    """--timeout, --max-length, --max-depth and --latex, folded into ``limits``."""

    @click.option(
        "--timeout",
        type=NUMBER,
        default=None,
        help="Wall-clock budget in seconds for each computation [default: 10; "
        "env GRADCLI_TIMEOUT].",
    )
    @click.option(
        "--max-length",
        type=INTEGER,
        default=None,
        help="Longest expression accepted, in characters [default: 10000; env GRADCLI_MAX_LENGTH].",
    )
    @click.option(
        "--max-depth",
        type=INTEGER,
        default=None,
        help="Deepest nesting accepted [default: 100; env GRADCLI_MAX_DEPTH].",
    )
    @click.option(
        "--latex/--no-latex",
        "latex",
        default=None,
        help="Read input as LaTeX (default: when it contains a \\command).",
    )
    @functools.wraps(f)
    def wrapper(
        *args: Any,
        timeout: float | None,
        max_length: int | None,
        max_depth: int | None,
        **kwargs: Any,
    ) -> Any:
        limits = Limits.from_env().with_options(
            timeout=timeout, max_length=max_length, max_depth=max_depth
        )
        return f(*args, limits=limits, **kwargs)

    return wrapper  # type: ignore[return-value]


def at_option(
    help: str = "A point: 1,3 or -1/2,pi/4 or 'x=1, y=3' (parameters may be named too).",
) -> Any:
    return click.option("--at", "at", metavar="POINT", help=help)


def steps_option(what: str) -> Any:
    """``--steps`` (brief) or ``--steps=full``: derivations rule by rule."""
    return click.option(
        "--steps",
        "steps",
        is_flag=False,
        flag_value="brief",
        default=None,
        type=click.Choice(["brief", "full"]),
        help=f"Show how each {what} is found, rule by rule; --steps=full shows every sub-step.",
    )


def refuse_csv_steps(steps: str | None, output_format: str) -> None:
    if steps is not None and output_format == "csv":
        raise InputError("--steps has no CSV form: use --format plain, json or latex")


def variables_option(f: F) -> F:
    return click.option(
        "--vars",
        "variables",
        default=None,
        metavar="x,y",
        help="The variables, in order; other symbols are parameters "
        "[default: every symbol, x2 before x10].",
    )(f)


def split_names(text: str | None) -> list[str] | None:
    if text is None:
        return None
    names = [n.strip() for n in text.replace(" ", ",").split(",") if n.strip()]
    if not names:
        raise InputError("--vars needs at least one name")
    return names


def formatted(
    kind: str,
    result: Any,
    output_format: str,
    screen: Settings,
    *,
    name: str = "to",
    **options: Any,
) -> str:
    """``result`` in ``output_format``: the one way commands dispatch formats.

    A table is ``gradcli.render.<kind>.<name>_table(result, screen, **options)``,
    any other format ``gradcli.formats.<kind>.<name>_<format>(result, **options)``;
    each module is imported only when used.
    """
    if output_format == "table":
        tables = importlib.import_module(f"gradcli.render.{kind}")
        return str(getattr(tables, f"{name}_table")(result, screen_of(screen), **options))
    formats = importlib.import_module(f"gradcli.formats.{kind}")
    return str(getattr(formats, f"{name}_{output_format}")(result, **options))


def formatted_with_steps(
    kind: str,
    result: Any,
    output_format: str,
    screen: Settings,
    derivations: Sequence[Any] | None,
    paths: Sequence[Any] | None = None,
    *,
    head: dict[str, Any] | None = None,
) -> str:
    """``result`` followed by the derivations ``--steps`` asked for (None: not asked).

    ``head`` holds keys that come first in a JSON record (a batch line's
    number and input); the other formats do not show it.
    """
    shown = tuple(derivations or ())
    if output_format == "table":
        from gradcli.render.console import render

        def build() -> list[Any]:
            from gradcli.render import steps as step_trees

            tables = importlib.import_module(f"gradcli.render.{kind}")
            return list(tables.renderables(result)) + step_trees.renderables(shown, paths)

        return render(build, screen_of(screen))
    from gradcli.formats import steps as step_formats

    formats = importlib.import_module(f"gradcli.formats.{kind}")
    if output_format == "json":
        from gradcli.formats.common import dumps

        record = {**(head or {}), **formats.as_dict(result)}
        if derivations is not None:
            record["steps"] = step_formats.as_json(shown, paths)
        return dumps(record) + "\n"
    text = str(getattr(formats, f"to_{output_format}")(result))
    if derivations is not None:
        text += getattr(step_formats, f"to_{output_format}")(shown, paths)
    return text


def screen_of(screen: Settings) -> Any:
    """The renderer's :class:`~gradcli.render.console.Screen` for these settings."""
    from gradcli.render.console import Screen

    return Screen(width=screen.width, color=screen.color)


# --------------------------------------------------------------------------
# Reading input


def read_expression(text: str, limits: Limits) -> str:
    """The expression itself, or the contents of ``@file``.

    Only a regular file (or stdin, as ``@-`` or ``@/dev/stdin``) is read, and
    at most ``max_length`` + 1 characters of it: a FIFO or a device would
    block or never end. A byte-order mark is dropped. ``--no-files`` or
    GRADCLI_NO_FILES=1 refuse ``@file`` altogether.
    """
    if not text.startswith("@") or len(text) == 1:
        return text
    path = text[1:]
    if not files_allowed():
        raise InputError(
            f"reading {text!r} as a file is turned off (--no-files or GRADCLI_NO_FILES)",
            hint="pass the expression itself",
        )
    if path in _STDIN_NAMES:
        raw = sys.stdin.buffer.read(4 * (limits.max_length + 1))
        content = _decoded(raw, "stdin")
    else:
        content = _read_regular(path, limits.max_length + 1)
    if len(content) > limits.max_length:
        raise LimitError(
            f"{'stdin' if path in _STDIN_NAMES else path} holds more than "
            f"{limits.max_length:,} characters (raise it with --max-length or GRADCLI_MAX_LENGTH)"
        )
    return content.strip()


_STDIN_NAMES = ("-", "/dev/stdin")


def files_allowed() -> bool:
    """Whether ``@file`` may be read: not with ``--no-files`` or GRADCLI_NO_FILES=1."""
    if os.environ.get("GRADCLI_NO_FILES", "").strip().lower() in ("1", "true", "yes", "on"):
        return False
    return settings().files


def _read_regular(path: str, characters: int) -> str:
    """At most ``characters`` characters of a regular file, without blocking."""
    import stat

    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputError(f"cannot read {path}: not a regular file")
        with open(fd, encoding="utf-8-sig", closefd=False) as handle:
            return handle.read(characters)
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text") from None
    finally:
        os.close(fd)


def _decoded(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{name} is not UTF-8 text") from None


#: the longest stdin line held when the caller gives no bound: longer lines
#: are cut here and then refused by the parser's own length check
LINE_CAP = 1_000_000


def stdin_lines(stream: Any = None, *, max_length: int | None = None) -> Iterator[Line]:
    """Lines from stdin, skipping blanks and ``#`` comments, read lazily.

    Lines end at LF, CRLF or a lone CR, as in a file; a byte-order mark at the
    start is dropped. At most ``max_length`` + 1 characters of a line are
    held: a longer line is cut there, so that the parser refuses it as too
    long (that line's error) and the next lines go on.
    """
    if max_length is None:
        max_length = max(Limits.from_env().max_length, LINE_CAP)
    if stream is None:
        # bytes, decoded leniently: a stray non-UTF-8 byte makes one bad line
        # (the parser names the character), not a crash of the whole batch
        texts = (
            raw.decode("utf-8", "surrogateescape")
            for raw in bounded_lines(_reader(sys.stdin.buffer), 4 * (max_length + 1))
        )
    else:
        texts = (raw[: max_length + 1] for raw in stream)
    for number, raw in enumerate(texts, start=1):
        if number == 1:
            raw = raw.removeprefix("\ufeff")
        line = raw[: max_length + 1].strip()
        if line and not line.startswith("#"):
            yield Line(number, line)


def _reader(stream: Any) -> Callable[[int], bytes]:
    read: Callable[[int], bytes] = getattr(stream, "read1", stream.read)
    return read


def bounded_lines(read: Callable[[int], bytes], limit: int, size: int = 1 << 16) -> Iterator[bytes]:
    r"""Lines of a byte stream, each cut to at most ``limit`` bytes, as they arrive.

    ``read(n)`` returns up to ``n`` bytes of what is available (``read1``).
    Lines end at ``\n``, ``\r\n`` or a lone ``\r``; the rest of an over-long
    line is read and dropped, so memory stays bounded whatever comes in.

    >>> import io
    >>> list(bounded_lines(io.BytesIO(b"ab\r\ncdefg\rh\n\ni").read1, 3))
    [b'ab', b'cde', b'h', b'', b'i']
    """
    kept = b""
    pending_cr = False  # the last chunk ended with \r: a \n next belongs to it
    while True:
        data = read(size)
        if not data:
            break
        if pending_cr and data.startswith(b"\n"):
            data = data[1:]
        pending_cr = data.endswith(b"\r")
        pieces = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
        for piece in pieces[:-1]:
            yield kept + piece[: limit - len(kept)]
            kept = b""
        kept += pieces[-1][: limit - len(kept)]
    if kept:
        yield kept
