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
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar

import click
from click.core import ParameterSource

from gradcli.errors import InputError, LimitError, reason_of
from gradcli.i18n import N_, _
from gradcli.limits import Limits, files_refused
from gradcli.runner import Line

if TYPE_CHECKING:
    pass

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Settings:
    """Global settings from the group's options (and each command's ``--color``)."""

    #: ``--color``: auto, always or never; auto is decided where a table is
    #: drawn (:func:`gradcli.render.console.wants_color`), so that a run
    #: without a table never imports rich
    color: str = "never"
    #: whether stdout is a terminal, for ``--color auto``
    terminal: bool = False
    width: int = 100
    #: whether ``@FILE`` may be read (``--no-files``, GRADCLI_NO_FILES=1)
    files: bool = True


def settings(ctx: click.Context | None = None) -> Settings:
    """The settings of ``ctx`` (by default the current context) or its parents."""
    ctx = ctx or click.get_current_context(silent=True)
    while ctx is not None:
        if isinstance(ctx.obj, Settings):
            return ctx.obj
        ctx = ctx.parent
    return Settings()


def screen_settings(color: str, *, files: bool = True) -> Settings:
    """Settings for ``--color`` ``color`` and the stdout gradcli writes to now."""
    return Settings(
        color=color, terminal=_is_terminal(sys.stdout), width=terminal_width(), files=files
    )


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, OSError, ValueError):
        return False


def terminal_width() -> int:
    """The terminal's width (COLUMNS first), or COLUMNS or 100 when stdout is not one."""
    if _is_terminal(sys.stdout):
        return max(40, shutil.get_terminal_size((100, 24)).columns)
    columns = os.environ.get("COLUMNS", "").strip()
    return max(40, int(columns)) if columns.isascii() and columns.isdigit() else 100


#: ``--color``'s choices
COLOR_CHOICES = ("auto", "always", "never")
COLOR_HELP = N_(
    "Colour in tables. auto: rich decides from the terminal, NO_COLOR, FORCE_COLOR, "
    "CLICOLOR_FORCE, CLICOLOR and TERM (see docs/shell.md)."
)
#: ``--color`` after a command
COLOR_AFTER_HELP = N_(
    "Colour in tables. auto: rich decides from the terminal, NO_COLOR, FORCE_COLOR, "
    "CLICOLOR_FORCE, CLICOLOR and TERM (see docs/shell.md). "
    "Overrides a --color given before the command."
)


def _color_after_command(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """``--color`` given after the command: it replaces the group's choice."""
    if value is not None and not ctx.resilient_parsing:
        ctx.obj = replace(settings(ctx), color=value)


def color_option(f: F) -> F:
    """``--color`` after the command (``gradcli grad x --color never``) too."""
    return click.option(
        "--color",
        type=click.Choice(COLOR_CHOICES),
        default=None,
        expose_value=False,
        callback=_color_after_command,
        help=COLOR_AFTER_HELP,
    )(f)


# --------------------------------------------------------------------------
# Reading the command line: an expression may start with '-'


class Command(click.Command):
    """A command whose expression argument may start with '-' (``"-x^2"``).

    click takes every token that starts with '-' for an option. Here a token
    is an option only if it starts with ``--`` (a name this command does not
    know is still refused, with click's suggestion) or is a cluster of this
    command's short options (``-f``, ``-fjson``, ``-h``); any other token
    (``-x^2``, ``-(x+y)``, ``-2x``, ``-xy``) is an argument. An option's
    value is taken as before, whatever it starts with (``--at -1,2``). A
    ``--`` makes the next token an argument, and options after it are
    still options. '-' alone stays stdin.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            ordered = _arguments_last(args, self._options(ctx), ctx)
        except click.UsageError:
            if not ctx.resilient_parsing:  # completing `--at <TAB>`: click copes
                raise
            ordered = args
        return super().parse_args(ctx, ordered)

    def _options(self, ctx: click.Context) -> dict[str, click.Option]:
        options: dict[str, click.Option] = {}
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                for name in param.opts:
                    options[name] = param
                for name in param.secondary_opts:
                    options[name] = _FLAG
        return options


#: stands for the ``--no-…`` half of a boolean flag: it takes no value
_FLAG = click.Option(["--gradcli-flag"], is_flag=True)


def _arguments_last(
    args: Sequence[str], options: dict[str, click.Option], ctx: click.Context | None = None
) -> list[str]:
    """``args`` with the options first, then ``--`` and the arguments, for click.

    >>> at = click.Option(["--at"])
    >>> _arguments_last(["-x^2", "--at", "-1"], {"--at": at})
    ['--at', '-1', '--', '-x^2']
    >>> _arguments_last(["--", "-x", "--at", "1"], {"--at": at})
    ['--at', '1', '--', '-x']
    """
    front: list[str] = []
    arguments: list[str] = []
    i = 0
    while i < len(args):
        token = args[i]
        i += 1
        if token == "--":
            arguments.extend(args[i : i + 1])
            i += 1
            continue
        takes = _option_values(token, options)
        if takes is None:
            arguments.append(token)
            continue
        front.append(token)
        if takes == _OPTIONAL:
            # like click: the next token is the value unless it starts with '-'
            takes = int(i < len(args) and not args[i].startswith("-"))
        if i + takes > len(args):
            wanted = (
                _("Option {name} requires an argument.")
                if takes == 1
                else _("Option {name} requires {count} arguments.")
            )
            message = wanted.format(name=repr(token), count=takes)
            raise click.BadOptionUsage(token, message, ctx)
        front.extend(args[i : i + takes])
        i += takes
    return [*front, "--", *arguments] if arguments else front


_OPTIONAL = -1


def _option_values(token: str, options: dict[str, click.Option]) -> int | None:
    """How many following tokens ``token`` takes as an option; None: not an option.

    ``_OPTIONAL`` for an option whose value may be left out (``--steps``).
    """
    if token.startswith("--"):
        name, equals, _value = token.partition("=")
        option = options.get(name)
        if option is None or equals:
            return 0  # unknown (click says so) or its value attached
        return _values(option)
    if len(token) < 2 or not token.startswith("-"):
        return None
    if token in options:
        return _values(options[token])
    # a cluster of short options: flags, and perhaps one taking the rest as its value
    for at, letter in enumerate(token[1:], start=1):
        option = options.get(f"-{letter}")
        if not (letter.isascii() and letter.isalpha()) or option is None:
            return None
        if _values(option):
            rest = token[at + 1 :]
            return 0 if rest.isascii() and rest.isalpha() else None
    return 0


def _values(option: click.Option) -> int:
    if option.is_flag or option.count:
        return 0
    if getattr(option, "_flag_needs_value", False):
        return _OPTIONAL
    return max(1, option.nargs)


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
        option = param.opts[0] if param is not None and param.opts else _("the option")
        plain = _PLAIN_NUMBER.fullmatch(text)
        number = float(text) if plain else self._parsed(text, option)
        if not self.integer:
            return number
        if not number.is_integer():
            self.fail(_("{text} is not a whole number").format(text=repr(text)), param, ctx)
        return int(number)

    def _parsed(self, text: str, option: str) -> float:
        from gradcli.parse import parse_numbers

        try:
            values = parse_numbers(text, option, Limits())
        except InputError as error:
            # a message that names the option already is kept (in any language's word order)
            if option in error.message:
                raise
            raise InputError(
                _("{option}: {message}").format(option=option, message=error.message),
                text=error.text,
                position=error.position,
                hint=error.hint,
            ) from None
        if len(values) != 1:
            raise InputError(
                _("{option} takes one number, got {count}").format(option=option, count=len(values))
            )
        try:
            return float(values[0])
        except (TypeError, ValueError, OverflowError):
            raise InputError(
                _("{option} needs a real number, got {text}").format(option=option, text=repr(text))
            ) from None


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
        help=N_("Output format: a rich table, plain 'key: value' lines, JSON, CSV or LaTeX."),
    )


class EnvOption(click.Option):
    """An option whose environment variable ``--help`` shows, read by gradcli.

    click does not read the variable itself: :meth:`Limits.from_env
    <gradcli.limits.Limits.from_env>` (and :func:`gradcli.limits.files_refused`)
    do, so that "option, else environment, else default" is decided in one
    place and a bad value gets the same one-line error wherever it is used.
    """

    def value_from_envvar(self, ctx: click.Context) -> Any:
        return None


def limit_options(f: F) -> F:
    """--timeout, --max-length, --max-depth, --latex and --color, shared by every command.

    The three bounds are folded into ``limits``: an option given on the
    command line wins over its GRADCLI_* variable, which wins over the default.
    """
    defaults = Limits()

    def bound(name: str, kind: Number, help: str) -> Any:
        return click.option(
            f"--{name.replace('_', '-')}",
            cls=EnvOption,
            type=kind,
            default=getattr(defaults, name),
            show_default=True,
            envvar=f"GRADCLI_{name.upper()}",
            show_envvar=True,
            help=help,
        )

    @bound("timeout", NUMBER, N_("Wall-clock budget in seconds for each computation."))
    @bound("max_length", INTEGER, N_("Longest expression accepted, in characters."))
    @bound("max_depth", INTEGER, N_("Deepest nesting accepted."))
    @click.option(
        "--latex/--no-latex",
        "latex",
        default=None,
        help=N_("Read input as LaTeX (default: when it contains a \\command)."),
    )
    @color_option
    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        # a value click filled in is the default shown in --help: from_env decides
        given = {
            name: value
            for name in ("timeout", "max_length", "max_depth")
            if (value := kwargs.pop(name)) is not None
            and ctx.get_parameter_source(name) is not ParameterSource.DEFAULT
        }
        limits = Limits.from_env().with_options(**given)
        return f(*args, limits=limits, **kwargs)

    return wrapper


def at_option(
    help: str = N_("A point: 1,3 or -1/2,pi/4 or 'x=1, y=3' (parameters may be named too)."),
) -> Any:
    return click.option("--at", "at", metavar="POINT", help=help)


#: ``--steps``' help, by what a command derives (a whole sentence each, for translation)
_STEPS_HELP = {
    "partial derivative": N_(
        "Show how each partial derivative is found, rule by rule; "
        "--steps=full shows every sub-step."
    ),
    "second partial": N_(
        "Show how each second partial is found, rule by rule; --steps=full shows every sub-step."
    ),
}


def steps_option(what: str) -> Any:
    """``--steps`` (brief) or ``--steps=full``: derivations rule by rule."""
    help = _STEPS_HELP.get(
        what, f"Show how each {what} is found, rule by rule; --steps=full shows every sub-step."
    )
    return click.option(
        "--steps",
        "steps",
        is_flag=False,
        flag_value="brief",
        default=None,
        type=click.Choice(["brief", "full"]),
        help=help,
    )


def refuse_csv_steps(steps: str | None, output_format: str) -> None:
    if steps is not None and output_format == "csv":
        raise InputError(_("--steps has no CSV form: use --format plain, json or latex"))


def variables_option(f: F) -> F:
    return click.option(
        "--vars",
        "variables",
        default=None,
        metavar="x,y",
        help=N_(
            "The variables, in order; other symbols are parameters "
            "[default: every symbol, x2 before x10]."
        ),
    )(f)


def split_names(text: str | None) -> list[str] | None:
    if text is None:
        return None
    names = [n.strip() for n in text.replace(" ", ",").split(",") if n.strip()]
    if not names:
        raise InputError(_("--vars needs at least one name"))
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
    from gradcli.render.console import Screen, wants_color

    return Screen(width=screen.width, color=wants_color(screen.color, terminal=screen.terminal))


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
            _("reading {path} as a file is turned off (--no-files or GRADCLI_NO_FILES)").format(
                path=repr(text)
            ),
            hint=_("pass the expression itself"),
        )
    if path in _STDIN_NAMES:
        raw = sys.stdin.buffer.read(4 * (limits.max_length + 1))
        content = _decoded(raw, "stdin")
    else:
        content = _read_regular(path, limits.max_length + 1)
    if len(content) > limits.max_length:
        raise LimitError(
            _(
                "{source} holds more than {count} characters "
                "(raise it with --max-length or GRADCLI_MAX_LENGTH)"
            ).format(
                source="stdin" if path in _STDIN_NAMES else path, count=f"{limits.max_length:,}"
            )
        )
    return content.strip()


_STDIN_NAMES = ("-", "/dev/stdin")


def files_allowed() -> bool:
    """Whether ``@file`` may be read: not with ``--no-files`` or GRADCLI_NO_FILES=1."""
    return settings().files and not files_refused()


def _read_regular(path: str, characters: int) -> str:
    """At most ``characters`` characters of a regular file, without blocking."""
    with _regular_file(path) as fd:
        try:
            with open(fd, encoding="utf-8-sig", closefd=False) as handle:
                return handle.read(characters)
        except UnicodeDecodeError:
            raise InputError(_("{path} is not UTF-8 text").format(path=path)) from None


def read_regular_bytes(path: str, most: int) -> bytes:
    """At most ``most`` bytes of a regular file, without blocking."""
    with _regular_file(path) as fd, open(fd, "rb", closefd=False) as handle:
        return handle.read(most)


@contextmanager
def _regular_file(path: str) -> Iterator[int]:
    """A descriptor of ``path``, refused unless it is a regular file: a FIFO or
    a device would block or never end. Errors become one-line InputErrors."""
    import stat

    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        raise InputError(
            _("cannot read {path}: {reason}").format(path=path, reason=reason_of(error))
        ) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputError(_("cannot read {path}: not a regular file").format(path=path))
        yield fd
    except OSError as error:
        raise InputError(
            _("cannot read {path}: {reason}").format(path=path, reason=reason_of(error))
        ) from None
    finally:
        os.close(fd)


def _decoded(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(_("{path} is not UTF-8 text").format(path=name)) from None


#: the longest stdin line held when the caller gives no bound
LINE_CAP = 1_000_000


@dataclass(frozen=True)
class CutLine(Line):
    """A stdin line longer than the bound: only its start is kept, if anything."""


def stdin_lines(stream: Any = None, *, max_length: int | None = None) -> Iterator[Line]:
    """Lines from stdin, skipping blanks and ``#`` comments, read lazily.

    Read by :func:`gradcli.lines.lines`: lines end at LF, CRLF or a lone CR,
    as in a file, and a byte-order mark at the start is dropped. At most
    ``max_length`` + 1 characters of a line are held: a longer line is a
    :class:`CutLine`, which :func:`refuse_cut` makes that line's error, and
    the next lines go on.
    """
    if max_length is None:
        max_length = max(Limits.from_env().max_length, LINE_CAP)
    texts: Iterator[str | None]
    if stream is None:
        from gradcli.lines import LongLine, lines, reader

        # bytes, decoded leniently: a stray non-UTF-8 byte makes one bad line
        # (the parser names the character), not a crash of the whole batch
        texts = (
            None if isinstance(raw, LongLine) else raw.decode("utf-8", "surrogateescape")
            for raw in lines(reader(sys.stdin.buffer), max_line=4 * (max_length + 1))
        )
    else:
        texts = (raw.removeprefix("\ufeff") if n == 0 else raw for n, raw in enumerate(stream))
    for number, raw in enumerate(texts, start=1):
        if raw is None:
            yield CutLine(number, "")
            continue
        line = raw.strip()
        if len(line) > max_length:
            yield CutLine(number, line[: max_length + 1])
        elif line and not line.startswith("#"):
            yield Line(number, line)


def refuse_cut(line: Line, limits: Limits) -> None:
    """A :class:`CutLine` is its line's error: it is longer than ``--max-length``."""
    if isinstance(line, CutLine):
        raise LimitError(
            _(
                "the line is longer than {count} characters "
                "(raise it with --max-length or GRADCLI_MAX_LENGTH)"
            ).format(count=f"{limits.max_length:,}")
        )
