"""What every command shares: options, running a job within budget, output.

A command parses its options, builds a *job* (a function from one input to
the output text), and hands it to :func:`run_one` or :func:`run_batch`. Jobs
run in a child process that is killed when the time budget runs out, and
they render to a string there, so that even printing a result is bounded.
Data goes to stdout, messages to stderr.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from gradcli.errors import ExitCode, GradcliError, InputError, LimitError
from gradcli.limits import Limits

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Settings:
    """Global settings from the group's options."""

    debug: bool = False
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


def formatted(kind: str, result: Any, output_format: str, screen: Settings) -> str:
    """``result`` in ``output_format``, by ``gradcli.formats.<kind>.to_<format>``
    or, for a table, ``gradcli.render.<kind>.to_table``; imported only when used.
    """
    import importlib

    if output_format == "table":
        from gradcli.render.console import Screen

        tables = importlib.import_module(f"gradcli.render.{kind}")
        return str(tables.to_table(result, Screen(width=screen.width, color=screen.color)))
    formats = importlib.import_module(f"gradcli.formats.{kind}")
    return str(getattr(formats, f"to_{output_format}")(result))


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


@dataclass(frozen=True)
class Line:
    """One input line of a batch, with its line number."""

    number: int
    text: str


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


# --------------------------------------------------------------------------
# Running jobs and writing output


def run_one(job: Callable[[], str], limits: Limits) -> None:
    """Run one job within the time budget and write its output."""
    from gradcli.budget import run_bounded

    emit(run_bounded(job, timeout=limits.timeout))


def run_batch(
    job: Callable[[Line], str],
    lines: Iterator[Line],
    limits: Limits,
    *,
    on_error: Callable[[Line, GradcliError], str | None] | None = None,
) -> None:
    """Run ``job`` on each line; a bad line is reported and the rest go on.

    Exits with the most serious failure's code when any line failed.
    """
    worst = ExitCode.OK
    for line, outcome in zip_outcomes(lines, job, limits):
        if outcome.error is None:
            emit(outcome.value or "")
            continue
        error = outcome.error
        report(f"line {line.number}: error: {one_line(error)}")
        worst = max(worst, error.exit_code)
        if on_error is not None:
            replacement = on_error(line, error)
            if replacement:
                emit(replacement)
    if worst != ExitCode.OK:
        raise click.exceptions.Exit(int(worst))


def zip_outcomes(
    lines: Iterator[Line], job: Callable[[Line], str], limits: Limits
) -> Iterator[tuple[Line, Any]]:
    """Pair each line with its outcome, reading input lazily."""
    from gradcli.budget import map_bounded

    seen: list[Line] = []

    def remember() -> Iterator[Line]:
        for line in lines:
            seen.append(line)
            yield line

    for outcome in map_bounded(job, remember(), timeout=limits.timeout):
        yield seen.pop(0), outcome


class ReaderGone(Exception):
    """stdout was closed by its reader (``| head``): not an error.

    Deliberately not an OSError: click turns a broken pipe into exit 1 itself.
    """


def emit(text: str) -> None:
    """Write data to stdout."""
    if text:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:
            raise ReaderGone from None


def report(message: str) -> None:
    """Write one message line to stderr."""
    sys.stderr.write(f"gradcli: {message}\n")
    sys.stderr.flush()


def one_line(error: GradcliError) -> str:
    """The error as one line: message, position and hint."""
    message = error.message
    if error.position is not None and error.text:
        message += f" (at position {error.position + 1})"
    if error.hint:
        message += f"; {error.hint}"
    return message
