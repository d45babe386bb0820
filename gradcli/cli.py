"""The command line: a click group whose commands load only when used.

``main`` is the console script. :func:`run` maps click's own outcomes to exit
codes and hands every other failure to :func:`gradcli.runner.failure`, the one
place where errors become one-line messages and exit codes.
"""

from __future__ import annotations

import importlib
import sys

import click

from gradcli import __version__, runner
from gradcli.commands.base import Settings, decide_color, terminal_width
from gradcli.errors import ExitCode

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
        if ctx.resilient_parsing or _listing_only(ctx):
            # a light stand-in with the short help, for `gradcli --help`
            return click.Command(name, help=SUMMARIES[name], short_help=SUMMARIES[name])
        module_name, attribute = target.split(":")
        command: click.Command = getattr(importlib.import_module(module_name), attribute)
        return command


def _listing_only(ctx: click.Context) -> bool:
    # while the group formats its own help, commands are only listed
    return bool(ctx.meta.get("gradcli.listing"))


class _Group(LazyGroup):
    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        ctx.meta["gradcli.listing"] = True
        try:
            super().format_commands(ctx, formatter)
        finally:
            ctx.meta["gradcli.listing"] = False


EPILOG = """\b
Exit codes:
  0    success
  1    a checked answer is wrong
  2    bad usage or unreadable input (a point of the wrong length too)
  3    the mathematics cannot be done (undefined at the point, out of time)
  70   a bug in gradcli: rerun with --debug for the traceback
  130  interrupted

For developers: GRADCLI_IN_PROCESS=1 runs each computation in the gradcli
process itself, so that breakpoint() works and tracebacks are real.
"""


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EPILOG)
@click.version_option(__version__, "--version", "-V", prog_name="gradcli")
@click.option("--debug", is_flag=True, help="Show the full traceback of an unexpected error.")
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour in tables: auto means on a terminal unless NO_COLOR is set.",
)
@click.pass_context
def cli(ctx: click.Context, debug: bool, color: str) -> None:
    """gradcli: gradients, exactly, from the command line.

    \b
    Examples:
      gradcli grad "x^2 + y^2 + xy" --at 1,3
      gradcli grad "x^2 + y^2 + xy" --at 1,3 --format json | jq .magnitude_float
      echo "sin(x*y)" | gradcli grad - --format plain

    Expressions are read by gradcli's own parser (no code is ever run): ^ or **
    for powers, 2x and xy for products, sin cos tan exp ln log sqrt abs …, pi
    and e. An expression starting with '-' goes after '--'.
    """
    use_color = decide_color(color)
    ctx.obj = Settings(color=use_color, width=terminal_width(use_color))


def main(argv: list[str] | None = None) -> None:
    """The console script: run the group and exit with its code."""
    runner.finish(run(argv))


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
        error.show()
        return ExitCode.USAGE
    except click.exceptions.Abort:
        return runner.failure(KeyboardInterrupt(), debug=debug)
    except (Exception, KeyboardInterrupt) as error:  # noqa: BLE001 - the crash handler
        return runner.failure(error, debug=debug)
