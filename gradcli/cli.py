"""The command line: a click group whose commands load only when used.

``main`` is the console script. :func:`run` maps click's own outcomes to exit
codes and hands every other failure to :func:`gradcli.runner.failure`, the one
place where errors become one-line messages and exit codes.
"""

from __future__ import annotations

import codecs
import importlib
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from click.shell_completion import CompletionItem

from gradcli import __version__, runner
from gradcli.commands.base import COLOR_CHOICES, COLOR_HELP, EnvOption, screen_settings
from gradcli.errors import ExitCode, InputError, OutputError
from gradcli.limits import files_refused

#: command name → "module:attribute"; importing a module is deferred until
#: the command runs, so that `gradcli --help` does not import sympy
COMMANDS = {
    "grad": "gradcli.commands.grad:grad",
    "check": "gradcli.commands.check:check",
    "descend": "gradcli.commands.descend:descend",
    "hessian": "gradcli.commands.hessian:hessian",
    "jacobian": "gradcli.commands.jacobian:jacobian",
    "critical": "gradcli.commands.critical:critical",
    "plot": "gradcli.commands.plot:plot",
}

# `gradcli --help` lists commands without importing them
SUMMARIES = {
    "grad": "The gradient: partial derivatives, value, magnitude, direction.",
    "check": "Check answers (gradient, value, direction, Hessian, …) and name the mistakes.",
    "descend": "Gradient descent step by step: converge, oscillate or diverge, and why.",
    "hessian": "The Hessian: second partials, eigenvalues, definiteness, second-derivative test.",
    "jacobian": "The Jacobian matrix of a vector-valued function, symbolic and at a point.",
    "critical": "Critical points and their kinds, convexity, and the global minimum and maximum.",
    "plot": "Pictures: contour map, gradient field, ∇f at a point, descent paths (PNG/SVG/PDF).",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        if _listing_only(ctx):
            # a light stand-in with the short help, for `gradcli --help` and
            # for completing a command's name; completing its options and
            # their values loads the command itself (a light import too)
            return click.Command(name, help=SUMMARIES[name], short_help=SUMMARIES[name])
        module_name, attribute = target.split(":")
        command: click.Command = getattr(importlib.import_module(module_name), attribute)
        return command


def _listing_only(ctx: click.Context) -> bool:
    # while the group formats its own help, commands are only listed
    return bool(ctx.meta.get("gradcli.listing"))


class _Group(LazyGroup):
    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with _listing(ctx):
            super().format_commands(ctx, formatter)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        with _listing(ctx):
            return super().shell_complete(ctx, incomplete)


@contextmanager
def _listing(ctx: click.Context) -> Iterator[None]:
    ctx.meta["gradcli.listing"] = True
    try:
        yield
    finally:
        ctx.meta["gradcli.listing"] = False


EPILOG = """\b
Exit codes:
  0    success
  1    a checked answer is wrong
  2    bad usage or unreadable input (a point of the wrong length too)
  3    the mathematics cannot be done (undefined at the point, out of time)
  70   a bug in gradcli: rerun with --debug for the traceback
  74   the output cannot be written (stdout closed or full)
  130  interrupted

\b
Environment (the defaults; docs/shell.md says more):
  GRADCLI_TIMEOUT=10           seconds for one computation (--timeout)
  GRADCLI_SIMPLIFY_TIMEOUT=2   seconds of optional simplifying, at most
  GRADCLI_MAX_LENGTH=10000     characters in one expression (--max-length)
  GRADCLI_MAX_DEPTH=100        nesting of brackets and calls (--max-depth)
  GRADCLI_MAX_DIGITS=3100      digits in one number literal
  GRADCLI_MAX_EXPONENT=1000    size of a float literal's exponent
  GRADCLI_MAX_BITS=10000       bits of any exact number the input makes
  GRADCLI_MAX_MEMORY=2000      megabytes one computation may use
  GRADCLI_NO_FILES=1           refuse @FILE arguments (--no-files)
  NO_COLOR, FORCE_COLOR, CLICOLOR_FORCE, TERM=dumb: colour, as --color auto

For developers: GRADCLI_IN_PROCESS=1 runs each computation in the gradcli
process itself, so that breakpoint() works and tracebacks are real.
"""


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EPILOG)
@click.version_option(__version__, "--version", "-V", prog_name="gradcli")
@click.option("--debug", is_flag=True, help="Show the full traceback of an unexpected error.")
@click.option(
    "--color",
    type=click.Choice(COLOR_CHOICES),
    default="auto",
    show_default=True,
    help=COLOR_HELP,
)
@click.option(
    "--no-files",
    cls=EnvOption,
    is_flag=True,
    envvar="GRADCLI_NO_FILES",
    show_envvar=True,
    help="Refuse @FILE arguments: for servers that pass untrusted text (GRADCLI_NO_FILES=1).",
)
@click.pass_context
def cli(ctx: click.Context, debug: bool, color: str, no_files: bool) -> None:
    """gradcli: gradients, exactly, from the command line.

    \b
    Examples:
      gradcli grad "x^2 + y^2 + xy" --at 1,3
      gradcli grad "x^2 + y^2 + xy" --at 1,3 --format json | jq .magnitude_float
      echo "sin(x*y)" | gradcli grad - --format plain

    Expressions are read by gradcli's own parser (no code is ever run): ^ or **
    for powers, 2x and xy for products, sin cos tan exp ln log sqrt abs …, pi
    and e. An expression may start with '-': gradcli grad "-x^2" --at 1.
    """
    ctx.obj = screen_settings(color, files=not (no_files or files_refused()))


def main(argv: list[str] | None = None) -> None:
    """The console script: run the group and exit with its code."""
    guard_streams()
    try:
        code = run(argv)
        sys.stdout.flush()
    except OutputError as error:  # what was left to write could not be written
        code = runner.failure(error)
    runner.finish(code)


# --------------------------------------------------------------------------
# The standard streams, made safe once


def guard_streams() -> None:
    """Make stdout and stderr safe to write, whatever they are connected to.

    A closed descriptor gets /dev/null (so that no file or pipe gradcli opens
    takes its number); a write to stdout that fails (closed, full, an I/O
    error) becomes :class:`OutputError`, one line and exit code 74; a failing
    or closed stderr is silent, so the exit code alone tells. A stream whose
    encoding cannot hold every character replaces what it cannot encode.
    """
    closed = {fd: not _is_open(fd) for fd in (0, 1, 2)}
    for fd, is_closed in closed.items():
        if is_closed:
            _devnull_on(fd)
    out = None if closed[1] else sys.stdout
    err = None if closed[2] else sys.stderr
    sys.stdout = _Guarded(_lenient(out, 1), "stdout", silent=False, closed=out is None)
    sys.stderr = _Guarded(_lenient(err, 2), "stderr", silent=True, closed=False)


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def _devnull_on(fd: int) -> None:
    try:
        null = os.open(os.devnull, os.O_RDWR)
        if null != fd:
            os.dup2(null, fd)
            os.close(null)
    except OSError:
        pass


def _lenient(stream: Any, fd: int) -> Any:
    """``stream`` (or one on ``fd``) replacing characters its encoding lacks."""
    if stream is None:
        stream = open(fd, "w", encoding="utf-8", closefd=False)  # noqa: SIM115 - lives as long as gradcli
    encoding = getattr(stream, "encoding", None) or "utf-8"
    # stderr already uses backslashreplace: kept
    strict = getattr(stream, "errors", "strict") == "strict"
    if not _is_utf(encoding) and strict and hasattr(stream, "reconfigure"):
        stream.reconfigure(errors="replace")
    return stream


def _is_utf(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name.startswith("utf")
    except LookupError:
        return False


class _Guarded:
    """A text stream whose write failures are gradcli's to report.

    stdout raises :class:`OutputError` (a broken pipe stays a
    ``BrokenPipeError``: the reader left, which is not a failure); stderr
    drops what it cannot write. After a failure the descriptor points at
    /dev/null, so that flushing at exit is quiet. No ``buffer`` attribute:
    click then writes through this object too.
    """

    def __init__(self, stream: Any, name: str, *, silent: bool, closed: bool) -> None:
        self._stream = stream
        self._name = name
        self._silent = silent
        self._failed: str | None = f"{name} is closed" if closed else None

    @property
    def encoding(self) -> str:
        return str(getattr(self._stream, "encoding", None) or "utf-8")

    @property
    def errors(self) -> str:
        return str(getattr(self._stream, "errors", None) or "strict")

    def write(self, text: str | bytes) -> int:
        if isinstance(text, (bytes, bytearray)):  # click.echo(bytes): shell completion
            text = bytes(text).decode("utf-8", "replace")
        if self._failed is not None:
            if text and not self._silent:
                raise OutputError(f"cannot write the output: {self._failed}")
            return len(text)
        return int(self._guard(lambda: self._stream.write(text), len(text)))

    def flush(self) -> None:
        if self._failed is None:
            self._guard(self._stream.flush, None)

    def _guard(self, action: Any, fallback: Any) -> Any:
        try:
            return action()
        except BrokenPipeError:
            if self._silent:
                return self._fail("the reader is gone", fallback)
            raise
        except (OSError, ValueError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            result = self._fail(reason, fallback)
            if not self._silent:
                raise OutputError(f"cannot write the output: {reason}") from None
            return result

    def _fail(self, reason: str, fallback: Any) -> Any:
        self._failed = reason
        try:
            _devnull_on(self._stream.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return fallback

    def fileno(self) -> int:
        return int(self._stream.fileno())

    def isatty(self) -> bool:
        try:
            return bool(self._stream.isatty())
        except (OSError, ValueError):
            return False

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    @property
    def closed(self) -> bool:
        return False

    @property
    def name(self) -> str:
        return f"<{self._name}>"


def run(argv: list[str] | None = None) -> int:
    """Run gradcli with ``argv`` and return its exit code; never raises.

    Messages go to stderr, one line each (a parse error adds the expression
    with a caret under the offending character).
    """
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        # without standalone mode click returns what the command returns: its
        # exit code (None when it has nothing to say)
        returned = cli.main(args=argv, prog_name="gradcli", standalone_mode=False)
        return returned if isinstance(returned, int) else ExitCode.OK
    except click.exceptions.Exit as done:
        return int(done.exit_code)
    except click.ClickException as error:
        return runner.failure(_usage_error(error), debug=debug)
    except click.exceptions.Abort:
        return runner.failure(KeyboardInterrupt(), debug=debug)
    except (Exception, KeyboardInterrupt) as error:  # noqa: BLE001 - the crash handler
        return runner.failure(error, debug=debug)


def _usage_error(error: click.ClickException) -> InputError:
    """Click's own error as gradcli's: one line, and a hint where help is."""
    hint = None
    if isinstance(error, click.UsageError) and error.ctx is not None:
        hint = f"see '{error.ctx.command_path} --help'"
    return InputError(error.format_message().strip().rstrip("."), hint=hint)
