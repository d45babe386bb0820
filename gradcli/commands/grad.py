"""``gradcli grad``: the gradient, its value, length and direction."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import click

from gradcli import runner
from gradcli.commands.base import (
    Settings,
    format_option,
    formatted_with_steps,
    limit_options,
    read_expression,
    refuse_csv_steps,
    screen_of,
    settings,
    split_names,
    stdin_lines,
    steps_option,
    variables_option,
)
from gradcli.errors import ExitCode, GradcliError, InputError, describe
from gradcli.limits import Limits
from gradcli.runner import Line, Output


@click.command()
@click.argument("expression")
@click.option(
    "--at",
    "at",
    metavar="POINT",
    help="A point: 1,3 or -1/2,pi/4 or 'x=1, y=3'; '-' streams points from stdin.",
)
@click.option(
    "--along",
    metavar="VECTOR",
    help="A direction for the directional derivative at --at (normalised first).",
)
@click.option(
    "--simplify/--no-simplify",
    default=True,
    show_default=True,
    help="Tidy each partial derivative (within a 2 s budget; never on huge sums).",
)
@steps_option("partial derivative")
@variables_option
@format_option()
@limit_options
def grad(
    expression: str,
    at: str | None,
    along: str | None,
    simplify: bool,
    steps: str | None,
    variables: str | None,
    output_format: str,
    latex: bool | None,
    limits: Limits,
) -> int:
    """The gradient of EXPRESSION, and at a point its value, length and direction.

    \b
    Examples:
      gradcli grad "x^2 + y^2 + xy" --at 1,3
      gradcli grad "x^3" --at 2
      gradcli grad "a*x^2 + b*y" --vars x,y --at "x=1, y=2"
      gradcli grad "x^2 + y^2 + xy" --at 1,3 --along 1,1
      gradcli grad "x*exp(y)" --format latex
      gradcli grad "x^2 + y^2 + xy" --steps
      gradcli grad @function.txt --at 0,1
      printf 'x^2\\nsin(x*y)\\n' | gradcli grad - --format json
      seq 1 5 | gradcli grad "x^3" --at - --format csv

    EXPRESSION '-' reads one expression a line from stdin (blank lines and
    # comments skipped); '@FILE' reads it from a file. ∇f points the way of
    steepest ascent; |∇f| is the rate of increase that way.
    """
    names = split_names(variables)
    screen = settings()
    if at == "-":
        if expression == "-":
            raise InputError("stdin can hold the expressions or the points, not both")
        if along is not None:
            raise InputError("--along is not available with streamed points")
        text = read_expression(expression, limits)
        return runner.write(stream_points(text, output_format, screen, names, limits, latex))
    refuse_csv_steps(steps, output_format)
    options: dict[str, Any] = dict(
        at=at,
        along=along,
        variables=names,
        simplify=simplify,
        limits=limits,
        latex=latex,
        steps=steps,
    )
    if expression == "-":
        return runner.run_lines(
            lambda line: render(line.text, output_format, screen, line=line, **options),
            stdin_lines(),
            timeout=limits.timeout,
            on_error=_error_record if output_format == "json" else None,
        )
    text = read_expression(expression, limits)
    return runner.run(
        lambda: render(text, output_format, screen, **options), timeout=limits.timeout
    )


def _error_record(line: Line, error: GradcliError) -> str:
    """In JSON Lines, a failed input still gets its line: nothing is dropped."""
    from gradcli.formats.common import dumps

    return (
        dumps(
            {
                "line": line.number,
                "input": line.text,
                "error": describe(error),
                "exit_code": int(error.exit_code),
            }
        )
        + "\n"
    )


def render(
    text: str,
    output_format: str,
    screen: Settings,
    *,
    at: str | None,
    along: str | None,
    variables: list[str] | None,
    simplify: bool,
    limits: Limits,
    latex: bool | None,
    steps: str | None = None,
    line: Line | None = None,
) -> str:
    """Compute and format one gradient; runs inside the budgeted child."""
    from gradcli.calculus import gradient
    from gradcli.parse import parse_function

    function = parse_function(text, variables=variables, limits=limits, latex=latex)
    result = gradient(function, at=at, along=along, simplify=simplify, limits=limits)
    derivations: tuple[Any, ...] = ()
    if steps is not None:
        from gradcli.steps import derive_all

        derivations = derive_all(
            function.expr,
            function.variables,
            full=steps == "full",
            time_budget=limits.simplify_timeout,
        )
    head = None if line is None else {"line": line.number, "input": line.text}
    return formatted_with_steps(
        "grad", result, output_format, screen, None if steps is None else derivations, head=head
    )


def stream_points(
    text: str,
    output_format: str,
    screen: Settings,
    variables: list[str] | None,
    limits: Limits,
    latex: bool | None,
) -> Iterator[Output]:
    """``--at -``: the gradient at each point on stdin, one row per point.

    The symbolic work runs within the time budget; the numeric loop then runs
    here, compiled once, chunk by chunk as input arrives.
    """
    import gc
    import sys

    from gradcli.calculus import partial_derivatives
    from gradcli.formats import points as formats
    from gradcli.parse import parse_function
    from gradcli.points import blocks_of_lines, evaluate_chunks

    if output_format == "latex":
        raise InputError("--format latex is not available for streamed points")

    def symbolic() -> tuple[Any, tuple[Any, ...]]:
        function = parse_function(text, variables=variables, limits=limits, latex=latex)
        return function, partial_derivatives(function.expr, function.variables)

    function, components = runner.compute(symbolic, timeout=limits.timeout)
    names = [v.name for v in function.variables]
    stdin = sys.stdin.buffer
    read = getattr(stdin, "read1", stdin.read)
    unreadable = undefined = 0
    # millions of short-lived floats and lists: the cycle collector would
    # rescan them over and over for nothing (none of them form cycles)
    gc.disable()
    if output_format == "csv":
        yield Output(formats.header(names))
    elif output_format == "plain":
        yield Output("# " + formats.header(names, " "))
    for chunk in evaluate_chunks(function, components, blocks_of_lines(read), limits=limits):
        unreadable += len(chunk.bad)
        undefined += chunk.undefined
        if output_format == "table":
            from gradcli.render.points import to_table

            rows = to_table(function, chunk, screen_of(screen))
        else:
            rows = getattr(formats, f"to_{output_format}")(chunk)
        # the messages after the rows they belong to: 2>&1 keeps the story in order
        yield Output(rows, tuple(f"line {bad.number}: error: {bad.reason}" for bad in chunk.bad))
    if undefined:
        yield Output(
            messages=(f"warning: the gradient is undefined at {undefined} point(s), shown as NaN",)
        )
    if unreadable:
        yield Output(
            messages=(f"{unreadable} line(s) could not be read, shown as NaN",),
            exit_code=ExitCode.USAGE,
        )
