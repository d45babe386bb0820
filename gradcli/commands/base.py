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
    return int(os.environ.get("COLUMNS", "100") or 100)


# --------------------------------------------------------------------------
# Options shared by commands


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
        type=float,
        default=None,
        help="Wall-clock budget in seconds for each computation [default: 10; "
        "env GRADCLI_TIMEOUT].",
    )
    @click.option(
        "--max-length",
        type=int,
        default=None,
        help="Longest expression accepted, in characters [default: 10000; env GRADCLI_MAX_LENGTH].",
    )
    @click.option(
        "--max-depth",
        type=int,
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
    """The expression itself, or the contents of ``@file``."""
    if not text.startswith("@") or len(text) == 1:
        return text
    path = text[1:]
    try:
        with open(path, encoding="utf-8") as handle:
            content = handle.read(limits.max_length + 1)
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text") from None
    if len(content) > limits.max_length:
        raise LimitError(
            f"{path} holds more than {limits.max_length:,} characters "
            "(raise it with --max-length or GRADCLI_MAX_LENGTH)"
        )
    return content.strip()


def stdin_lines(stream: Any = None) -> Iterator[Line]:
    """Lines from stdin, skipping blanks and ``#`` comments, read lazily."""
    if stream is None:
        # bytes, decoded leniently: a stray non-UTF-8 byte makes one bad line
        # (the parser names the character), not a crash of the whole batch
        stream = (raw.decode("utf-8", "surrogateescape") for raw in sys.stdin.buffer)
    for number, raw in enumerate(stream, start=1):
        line = raw.strip()
        if line and not line.startswith("#"):
            yield Line(number, line)
