"""``gradcli grad``: the gradient, its value, length and direction."""

from __future__ import annotations

from typing import Any

import click

from gradcli.commands.base import (
    Line,
    Settings,
    format_option,
    limit_options,
    one_line,
    read_expression,
    run_batch,
    run_one,
    settings,
    split_names,
    stdin_lines,
    variables_option,
)
from gradcli.errors import GradcliError
from gradcli.limits import Limits


@click.command()
@click.argument("expression")
@click.option("--at", "at", metavar="POINT", help="A point: 1,3 or -1/2,pi/4 or 'x=1, y=3'.")
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
@variables_option
@format_option()
@limit_options
def grad(
    expression: str,
    at: str | None,
    along: str | None,
    simplify: bool,
    variables: str | None,
    output_format: str,
    latex: bool | None,
    limits: Limits,
) -> None:
    """The gradient of EXPRESSION, and at a point its value, length and direction.

    \b
    Examples:
      gradcli grad "x^2 + y^2 + xy" --at 1,3
      gradcli grad "x^3" --at 2
      gradcli grad "a*x^2 + b*y" --vars x,y --at "x=1, y=2"
      gradcli grad "x^2 + y^2 + xy" --at 1,3 --along 1,1
      gradcli grad "x*exp(y)" --format latex
      gradcli grad @function.txt --at 0,1
      printf 'x^2\\nsin(x*y)\\n' | gradcli grad - --format json

    EXPRESSION '-' reads one expression a line from stdin (blank lines and
    # comments skipped); '@FILE' reads it from a file. ∇f points the way of
    steepest ascent; |∇f| is the rate of increase that way.
    """
    names = split_names(variables)
    screen = settings()
    options: dict[str, Any] = dict(
        at=at, along=along, variables=names, simplify=simplify, limits=limits, latex=latex
    )
    if expression == "-":
        run_batch(
            lambda line: render(line.text, output_format, screen, line=line, **options),
            stdin_lines(),
            limits,
            on_error=_error_record if output_format == "json" else None,
        )
        return
    text = read_expression(expression, limits)
    run_one(lambda: render(text, output_format, screen, **options), limits)


def _error_record(line: Line, error: GradcliError) -> str:
    """In JSON Lines, a failed input still gets its line: nothing is dropped."""
    from gradcli.formats.common import dumps

    return (
        dumps(
            {
                "line": line.number,
                "input": line.text,
                "error": one_line(error),
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
    line: Line | None = None,
) -> str:
    """Compute and format one gradient; runs inside the budgeted child."""
    from gradcli.calculus import gradient
    from gradcli.parse import parse_function

    function = parse_function(text, variables=variables, limits=limits, latex=latex)
    result = gradient(function, at=at, along=along, simplify=simplify, limits=limits)
    if output_format == "table":
        from gradcli.render.console import Screen
        from gradcli.render.grad import to_table

        return to_table(result, Screen(width=screen.width, color=screen.color))
    from gradcli.formats import grad as formats

    if output_format == "json" and line is not None:
        from gradcli.formats.common import dumps

        return dumps({"line": line.number, "input": line.text, **formats.as_dict(result)}) + "\n"
    formatter = {
        "json": formats.to_json,
        "csv": formats.to_csv,
        "plain": formats.to_plain,
        "latex": formats.to_latex,
    }[output_format]
    return formatter(result)
