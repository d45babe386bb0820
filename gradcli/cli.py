"""The command line: a click group whose commands load only when used.

``main`` is the console script. :func:`run` maps click's own outcomes to exit
codes and hands every other failure to :func:`gradcli.runner.failure`, the one
place where errors become one-line messages and exit codes.
"""

from __future__ import annotations

import codecs
import gettext
import importlib
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unicodedata import east_asian_width

import click
from click.shell_completion import CompletionItem

from gradcli import __version__, i18n, runner
from gradcli.commands.base import COLOR_CHOICES, COLOR_HELP, EnvOption, screen_settings
from gradcli.errors import ExitCode, InputError, OutputError, reason_of
from gradcli.i18n import N_, _
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
    "grad": N_("The gradient: partial derivatives, value, magnitude, direction."),
    "check": N_("Check answers (gradient, value, direction, Hessian, …) and name the mistakes."),
    "descend": N_("Gradient descent step by step: converge, oscillate or diverge, and why."),
    "hessian": N_(
        "The Hessian: second partials, eigenvalues, definiteness, second-derivative test."
    ),
    "jacobian": N_("The Jacobian matrix of a vector-valued function, symbolic and at a point."),
    "critical": N_(
        "Critical points and their kinds, convexity, and the global minimum and maximum."
    ),
    "plot": N_(
        "Pictures: contour map, gradient field, ∇f at a point, descent paths (PNG/SVG/PDF)."
    ),
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
            summary = _(SUMMARIES[name])
            return click.Command(name, help=summary, short_help=summary)
        module_name, attribute = target.split(":")
        command: click.Command = getattr(importlib.import_module(module_name), attribute)
        return localise(command)


def localise(command: click.Command) -> click.Command:
    """``command`` with its help texts in the active language.

    Commands are built when their module is imported, before the language is
    known, so their texts are marked with ``N_`` and translated here, when
    the command is about to be used. The English texts are kept on the
    command, so that it can be localised again into another language.
    """
    texts: list[tuple[Any, str]] = [(command, "help"), (command, "short_help")]
    texts.append((command, "epilog"))
    texts += [(param, "help") for param in command.params]
    english: dict[tuple[int, str], str | None] = command.__dict__.setdefault(
        "_gradcli_english", {(id(owner), name): getattr(owner, name, None) for owner, name in texts}
    )
    for owner, name in texts:
        original = english.get((id(owner), name))
        if original:
            setattr(owner, name, _(original))
    # click makes the --help option once per command, with its help text in
    # the language of that moment: say it again in this one
    help_option = command.__dict__.get("_help_option")
    if isinstance(help_option, click.Option):
        help_option.help = _("Show this message and exit.")
    command.context_class = _Context
    return command


#: stands after each double-width character while click wraps help text, so
#: that click, which counts characters, counts the two columns it takes
_WIDE = "\x00"


class _HelpFormatter(click.HelpFormatter):
    """click's help layout, wrapped by terminal columns rather than characters.

    A Hangul syllable takes two columns: wrapped by characters, Korean help
    would run to twice the terminal's width.
    """

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(_widened(prog), _widened(args), _widened(prefix))

    def write_heading(self, heading: str) -> None:
        super().write_heading(_widened(heading))

    def write_text(self, text: str) -> None:
        super().write_text(_widened(text))

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        widened = [(_widened(term), _widened(text)) for term, text in rows]
        super().write_dl(widened, col_max, col_spacing)

    def getvalue(self) -> str:
        return super().getvalue().replace(_WIDE, "")


class _Context(click.Context):
    formatter_class = _HelpFormatter


def _widened(text: Any) -> Any:
    if not text:
        return text
    return "".join(c + _WIDE if east_asian_width(c) in "WF" else c for c in text)


def _listing_only(ctx: click.Context) -> bool:
    # while the group formats its own help, commands are only listed
    return bool(ctx.meta.get("gradcli.listing"))


class _Group(LazyGroup):
    context_class = _Context

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


EPILOG = N_("""\b
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
  GRADCLI_LANG=ko              the language of messages (--lang)
  NO_COLOR, FORCE_COLOR, CLICOLOR_FORCE, TERM=dumb: colour, as --color auto

For developers: GRADCLI_IN_PROCESS=1 runs each computation in the gradcli
process itself, so that breakpoint() works and tracebacks are real.
""")


@click.group(
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=EPILOG,
    help=N_("""gradcli: gradients, exactly, from the command line.

    \b
    Examples:
      gradcli grad "x^2 + y^2 + xy" --at 1,3
      gradcli grad "x^2 + y^2 + xy" --at 1,3 --format json | jq .magnitude_float
      echo "sin(x*y)" | gradcli grad - --format plain

    Expressions are read by gradcli's own parser (no code is ever run): ^ or **
    for powers, 2x and xy for products, sin cos tan exp ln log sqrt abs …, pi
    and e. An expression may start with '-': gradcli grad "-x^2" --at 1.
    """),
)
@click.version_option(__version__, "--version", "-V", prog_name="gradcli")
@click.option(
    "--lang",
    cls=EnvOption,
    metavar="LANG",
    envvar="GRADCLI_LANG",
    show_envvar=True,
    is_eager=True,
    expose_value=False,
    callback=lambda ctx, param, value: _speak(value),
    help=N_(
        "The language of messages: en or ko. Default: GRADCLI_LANG, else the locale "
        "(LANGUAGE, LC_ALL, LC_MESSAGES, LANG), else English. Machine formats keep "
        "their English keys and values."
    ),
)
@click.option("--debug", is_flag=True, help=N_("Show the full traceback of an unexpected error."))
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
    help=N_("Refuse @FILE arguments: for servers that pass untrusted text (GRADCLI_NO_FILES=1)."),
)
@click.pass_context
def cli(ctx: click.Context, debug: bool, color: str, no_files: bool) -> None:
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
        # why writing fails; a stream closed from the start says so when
        # written to, in the language gradcli speaks by then
        self._failed: str | None = "" if closed else None

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
                reason = self._failed or _("{stream} is closed").format(stream=self._name)
                raise OutputError(_("cannot write the output: {reason}").format(reason=reason))
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
                return self._fail(_("the reader is gone"), fallback)
            raise
        except (OSError, ValueError) as error:
            reason = reason_of(error)
            result = self._fail(reason, fallback)
            if not self._silent:
                raise OutputError(
                    _("cannot write the output: {reason}").format(reason=reason)
                ) from None
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
    args = list(argv if argv is not None else sys.argv[1:])
    debug = "--debug" in args
    with _speaking(_language_option(args)):
        try:
            # without standalone mode click returns what the command returns:
            # its exit code (None when it has nothing to say)
            returned = cli.main(args=args, prog_name="gradcli", standalone_mode=False)
            return returned if isinstance(returned, int) else ExitCode.OK
        except click.exceptions.Exit as done:
            return int(done.exit_code)
        except _NO_ARGUMENTS as bare:  # `gradcli` alone: the help, laid out, as click shows it
            sys.stderr.write(bare.format_message() + "\n")
            return ExitCode.USAGE
        except click.ClickException as error:
            return runner.failure(_usage_error(error), debug=debug)
        except click.exceptions.Abort:
            return runner.failure(KeyboardInterrupt(), debug=debug)
        except (Exception, KeyboardInterrupt) as error:  # noqa: BLE001 - the crash handler
            return runner.failure(error, debug=debug)


# --------------------------------------------------------------------------
# The language


def _language_option(args: list[str]) -> str | None:
    """The value of ``--lang`` among the group's options, before the command.

    Read ahead of click, because the language must be known before click
    parses anything: its own errors and ``--help`` are said in it too.
    """
    for index, arg in enumerate(args):
        if arg in COMMANDS or arg == "--":
            return None
        if arg == "--lang" and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
    return None


@contextmanager
def _speaking(option: str | None) -> Iterator[None]:
    """Speak the language asked for while gradcli runs, then as before.

    A language gradcli does not speak is left to the ``--lang`` option to
    refuse, as a usage error. click's own messages (``Usage:``, ``No such
    option``) use the global gettext domain: gradcli's catalogue serves them
    while it runs.
    """
    before = (i18n.language(), gettext.textdomain(), os.environ.get("LANGUAGE"))
    try:
        _use(i18n.requested(option))
    except ValueError:
        _use(i18n.DEFAULT)
    try:
        yield
    finally:
        i18n.set_language(before[0])
        gettext.textdomain(before[1])
        _restore("LANGUAGE", before[2])


def _speak(option: str | None) -> None:
    """``--lang``'s check: a language gradcli has no messages in is a usage error;
    one it cannot speak here is said, and English spoken."""
    try:
        wanted = i18n.requested(option)
    except ValueError as error:
        source = "'--lang'" if option else "GRADCLI_LANG"
        raise click.BadParameter(str(error), param_hint=source) from None
    note = _use(wanted)
    if note:
        runner.report(_("note: {note}").format(note=note))


def _use(wanted: str) -> str | None:
    """Speak ``wanted``, click's words and the help texts too; or English, and why.

    English when the catalogue is not installed, or when stdout's encoding
    cannot hold the language's letters (Korean on an ASCII terminal would be
    question marks).
    """
    encoding = str(getattr(sys.stdout, "encoding", None) or "utf-8")
    spoken = i18n.set_language(wanted if _holds(encoding, wanted) else i18n.DEFAULT)
    _click_speaks(spoken)
    localise(cli)
    if spoken == wanted:
        return None
    if not _holds(encoding, wanted):
        return _(
            "the output's encoding ({encoding}) cannot show {language}; speaking English"
        ).format(encoding=encoding, language=wanted)
    return _(
        "no compiled {language} catalogue is installed (make setup, or reinstall gradcli); "
        "speaking English"
    ).format(language=wanted)


#: letters each language needs its output to hold
_LETTERS = {"ko": "한글"}


def _holds(encoding: str, lang: str) -> bool:
    try:
        _LETTERS.get(lang, "").encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _click_speaks(lang: str) -> None:
    if lang == i18n.DEFAULT:
        gettext.textdomain("messages")
        return
    gettext.bindtextdomain(i18n.DOMAIN, str(i18n.LOCALE_DIR))
    gettext.textdomain(i18n.DOMAIN)
    os.environ["LANGUAGE"] = lang


def _restore(variable: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(variable, None)
    else:
        os.environ[variable] = value


#: click's own messages that gradcli's catalogue translates (click marks them
#: for gettext's global domain); a test checks that each is still one of click's
CLICK_MESSAGES = (
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    N_("Show this message and exit."),
    N_("Show the version and exit."),
    N_("default: {default}"),
    N_("env var: {var}"),
    N_("No such option {name!r}."),
    N_("No such command {name!r}."),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing parameter: {param_name}"),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Invalid value: {message}"),
    N_("Missing command."),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."),
    N_("{value!r} is not a valid boolean. Recognized values: {states}"),
    N_("{name} {filename!r} does not exist."),
    N_("{name} {filename!r} is a directory."),
    N_("{name} {filename!r} is not readable."),
    N_("file"),
    N_("directory"),
    N_("path"),
    N_("Option {name!r} does not take a value."),
    # looked up by click through a variable: _(extra["required"])
    N_("required"),
)
#: and those with a plural (the count is only there to mark them)
CLICK_PLURALS = (
    i18n.ngettext("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)", 1),
    i18n.ngettext(
        "Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments.", 1
    ),
    i18n.ngettext("{value!r} is not {choice}.", "{value!r} is not one of {choices}.", 1),
    i18n.ngettext(
        "Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})", 1
    ),
)


#: what click raises for a group given no command (click 8.2; a stand-in before)
_NO_ARGUMENTS: type[click.ClickException] = getattr(
    click.exceptions, "NoArgsIsHelpError", type("_Never", (click.ClickException,), {})
)


def _usage_error(error: click.ClickException) -> InputError:
    """Click's own error as gradcli's: one line, and a hint where help is."""
    hint = None
    if isinstance(error, click.UsageError) and error.ctx is not None:
        hint = _("see '{command} --help'").format(command=error.ctx.command_path)
    return InputError(error.format_message().strip().rstrip("."), hint=hint)
