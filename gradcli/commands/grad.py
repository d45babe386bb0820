"""``gradcli grad``: the gradient, its value, length and direction."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import click

from gradcli import runner
from gradcli.commands.base import (
    Command,
    Settings,
    format_option,
    formatted_with_steps,
    limit_options,
    read_expression,
    refuse_csv_steps,
    refuse_cut,
    screen_of,
    settings,
    split_names,
    stdin_lines,
    steps_option,
    variables_option,
)
from gradcli.commands.data import DataRequest, build, data_options, data_request, loss_function
from gradcli.errors import ExitCode, GradcliError, InputError, describe
from gradcli.i18n import N_, _, ngettext
from gradcli.limits import Limits
from gradcli.runner import Line, Output


@click.command(
    cls=Command,
    help=N_("""The gradient of EXPRESSION, and at a point its value, length and direction.

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
      printf 'x^2 + y\\nx*y\\n' | gradcli grad - --at 1,2 --format csv
      seq 1 5 | gradcli grad "x^3" --at - --format csv
      gradcli grad --data points.csv --model "w*x + b" --loss mse --at w=1,b=0

    EXPRESSION '-' reads one expression a line from stdin (blank lines and
    # comments skipped); '@FILE' reads it from a file. ∇f points the way of
    steepest ascent; |∇f| is the rate of increase that way.

    With --data and --model instead of EXPRESSION, the function is the loss
    L(θ) of the model on the table (see --loss): shown with Σ over the rows,
    as a derivation writes it, and summed out exactly, with ∇L.
    """),
)
@click.argument("expression", required=False)
@click.option(
    "--at",
    "at",
    metavar="POINT",
    help=N_("A point: 1,3 or -1/2,pi/4 or 'x=1, y=3'; '-' streams points from stdin."),
)
@click.option(
    "--along",
    metavar="VECTOR",
    help=N_("A direction for the directional derivative at --at (normalised first)."),
)
@click.option(
    "--simplify/--no-simplify",
    default=True,
    show_default=True,
    help=N_("Tidy each partial derivative (within a tenth of --timeout; never on huge ones)."),
)
@steps_option("partial derivative")
@variables_option
@data_options
@format_option()
@limit_options
def grad(
    expression: str | None,
    at: str | None,
    along: str | None,
    simplify: bool,
    steps: str | None,
    variables: str | None,
    data_path: str | None,
    model: str | None,
    loss_name: str,
    target: str,
    l2: str | None,
    l1: str | None,
    output_format: str,
    latex: bool | None,
    limits: Limits,
) -> int:
    names = split_names(variables)
    screen = settings()
    loss_request = data_request(data_path, model, loss_name, target, l2, l1)
    if loss_request is not None:
        if expression is not None:
            raise InputError(_("give either EXPRESSION or --data with --model, not both"))
        if at == "-":
            raise InputError(_("--at - streams points for an EXPRESSION, not for --data"))
        refuse_csv_steps(steps, output_format)
        request = loss_request
        return runner.run(
            lambda: render(
                "",
                output_format,
                screen,
                at=at,
                along=along,
                variables=None,
                simplify=simplify,
                limits=limits,
                latex=latex,
                steps=steps,
                data=request,
            ),
            timeout=limits.timeout,
        )
    if expression is None:
        raise InputError(_("give the function, or --data and --model for a loss built from data"))
    if at == "-":
        if expression == "-":
            raise InputError(_("stdin can hold the expressions or the points, not both"))
        if along is not None:
            raise InputError(_("--along is not available with streamed points"))
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

        def job(line: Line) -> Any:
            refuse_cut(line, limits)
            return render(line.text, output_format, screen, line=line, **options)

        if output_format == "csv":
            # one header for every expression: the columns do not depend on them
            from gradcli.formats.common import csv_text
            from gradcli.formats.grad import CSV_COLUMNS

            runner.emit(csv_text(CSV_COLUMNS, []))
        return runner.run_lines(
            job,
            stdin_lines(max_length=limits.max_length),
            timeout=limits.timeout,
            on_error=_error_record if output_format == "json" else None,
        )
    text = read_expression(expression, limits)
    return runner.run(
        lambda: render(text, output_format, screen, **options), timeout=limits.timeout
    )


def _error_record(line: Line, error: GradcliError) -> str:
    """In JSON Lines, a failed input still gets its line: nothing is dropped."""
    from gradcli.formats.common import dumps, versioned

    return (
        dumps(
            versioned(
                {
                    "line": line.number,
                    "input": line.text,
                    "error": describe(error),
                    "exit_code": int(error.exit_code),
                }
            )
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
    data: DataRequest | None = None,
) -> Output:
    """Compute and format one gradient; runs inside the budgeted child.

    JSON carries the notes in its ``notes`` key; in every other format they
    are messages, for stderr. A batch line's JSON starts with its
    ``line`` and ``input``; its CSV rows come without the header.
    """
    from gradcli.calculus import gradient
    from gradcli.parse import parse_function

    if data is not None:
        function = loss_function(build(data, limits))
    else:
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
    from gradcli.formats import grad as formats

    if output_format == "json":
        from gradcli.formats.steps import as_json

        head = None if line is None else {"line": line.number, "input": line.text}
        shown = None if steps is None else as_json(derivations)
        return Output(formats.to_json(result, head=head, steps=shown))
    if output_format == "csv":
        return Output(formats.to_csv(result, header=line is None), formats.notes_of(result))
    text = formatted_with_steps(
        "grad", result, output_format, screen, None if steps is None else derivations
    )
    return Output(text, formats.notes_of(result))


def stream_points(
    text: str,
    output_format: str,
    screen: Settings,
    variables: list[str] | None,
    limits: Limits,
    latex: bool | None,
) -> Iterator[Output]:
    """``--at -``: the gradient at each point on stdin, one row per point.

    Everything heavy runs in a bounded worker: the symbolic work first, then
    each block of input as it arrives, evaluated by the gradient compiled once
    in that worker and formatted there, each block within the time budget.
    Only reading stdin and writing stdout happen here.
    """
    import sys

    from gradcli.calculus import partial_derivatives
    from gradcli.parse import parse_function
    from gradcli.points import blocks_of_lines

    if output_format == "latex":
        raise InputError(_("--format latex is not available for streamed points"))

    def symbolic() -> tuple[Any, tuple[Any, ...]]:
        function = parse_function(text, variables=variables, limits=limits, latex=latex)
        return function, partial_derivatives(function.expr, function.variables)

    function, components = runner.compute(symbolic, timeout=limits.timeout)
    names = [v.name for v in function.variables]
    stdin = sys.stdin.buffer
    read = getattr(stdin, "read1", stdin.read)
    evaluate = _Evaluator(function, components, output_format, screen, limits)
    # the first call refuses a function with parameters before any input is
    # read; the header waits for the first block, whose call compiles, so
    # that an error there comes before any output
    blocks: Iterator[Any] = itertools.chain([None], blocks_of_lines(read))
    header = True
    unreadable = undefined = 0
    for result in runner.compute_each(evaluate, blocks, timeout=limits.timeout):
        if result is None:  # the check before input
            continue
        if header:
            yield _header(output_format, names)
            header = False
        rows, bad, block_undefined = result
        unreadable += len(bad)
        undefined += block_undefined
        # the messages after the rows they belong to: 2>&1 keeps the story in order
        failed = _("line {number}: error: {message}")
        yield Output(
            rows, tuple(failed.format(number=number, message=reason) for number, reason in bad)
        )
    if header:
        yield _header(output_format, names)
    if undefined:
        yield Output(
            messages=(
                ngettext(
                    "warning: the gradient is undefined at {count} point(s), shown as NaN",
                    "warning: the gradient is undefined at {count} point(s), shown as NaN",
                    undefined,
                ).format(count=undefined),
            )
        )
    if unreadable:
        yield Output(
            messages=(
                ngettext(
                    "{count} line(s) could not be read, shown as NaN",
                    "{count} line(s) could not be read, shown as NaN",
                    unreadable,
                ).format(count=unreadable),
            ),
            exit_code=ExitCode.USAGE,
        )


def _header(output_format: str, names: list[str]) -> Output:
    from gradcli.formats import points as formats

    if output_format == "csv":
        return Output(formats.header(names))
    if output_format == "plain":
        return Output("# " + formats.header(names, " "))
    return Output()


class _Starved(Exception):
    """The evaluator asked for a block that has not come yet."""


class _Evaluator:
    """In the worker: one block of points in, its formatted rows out.

    The gradient is compiled once per worker (on its first block) and kept by
    one long-lived :func:`gradcli.points.evaluate_chunks`, which is handed
    each block as it comes. A block without a point ends that generator; the
    next block starts a new one (and compiles again).
    """

    def __init__(
        self,
        function: Any,
        components: tuple[Any, ...],
        output_format: str,
        screen: Settings,
        limits: Limits,
    ) -> None:
        self.function = function
        self.components = components
        self.output_format = output_format
        self.screen = screen
        self.limits = limits
        self.blocks: list[Any] = []
        self.chunks: Iterator[Any] | None = None

    def _next_block(self) -> Iterator[Any]:
        while True:
            if not self.blocks:
                raise _Starved
            yield self.blocks.pop()

    def _start(self) -> Iterator[Any]:
        from gradcli.points import evaluate_chunks

        return evaluate_chunks(
            self.function, self.components, self._next_block(), limits=self.limits
        )

    def __call__(self, block: Any) -> tuple[str, list[tuple[int, str]], int] | None:
        import gc

        # millions of short-lived floats and lists: the cycle collector would
        # rescan them over and over for nothing (none of them form cycles)
        gc.disable()
        if block is None:
            if self.function.parameters:
                from gradcli.points import compile_gradient

                compile_gradient(self.function, self.components)  # refuses, before compiling
            return None
        if self.chunks is None:
            self.chunks = self._start()  # compiles on its first block
        self.blocks.append(block)
        try:
            chunk = next(self.chunks)
        except _Starved:
            self.chunks = None
            return "", [], 0
        if self.output_format == "table":
            from gradcli.render.points import to_table

            rows = to_table(self.function, chunk, screen_of(self.screen))
        else:
            from gradcli.formats import points as formats

            rows = getattr(formats, f"to_{self.output_format}")(chunk)
        return rows, [(bad.number, bad.reason) for bad in chunk.bad], chunk.undefined
