"""``gradcli hessian``: the matrix of second partials and what it says at a point."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from gradcli import runner
from gradcli.commands.base import (
    Command,
    Settings,
    at_option,
    format_option,
    formatted_with_steps,
    limit_options,
    read_expression,
    refuse_csv_steps,
    settings,
    split_names,
    steps_option,
    variables_option,
)
from gradcli.i18n import N_
from gradcli.limits import Limits
from gradcli.runner import Output

if TYPE_CHECKING:
    from gradcli.second_order import HessianReport


@dataclass(frozen=True)
class Request:
    """What the user asked for, as text still to be parsed in the child.

    Options that change what is shown (``--steps`` for the second partials,
    say) become fields here and are read in :func:`render`.
    """

    expression: str
    at: str | None
    variables: list[str] | None
    output_format: str
    latex: bool | None
    #: when the command started (``time.monotonic``): the budget counts from it
    started: float
    #: ``--steps``: None, "brief" or "full"
    steps: str | None = None


@click.command(
    cls=Command,
    help=N_(
        """The Hessian of EXPRESSION, and at a point its eigenvalues and meaning.

    \b
    Examples:
      gradcli hessian "x^2 + y^2 + xy"
      gradcli hessian "x^3 - 3x + y^2" --at 1,0
      gradcli hessian "x^2 - y^2" --at 0,0 --format json
      gradcli hessian "a*x^2 + b*y^2" --vars x,y --at "x=0, y=0, a=1, b=-1"
      gradcli hessian @function.txt --format latex
      gradcli hessian "x^2*y + sin(y)" --steps

    At a point: the determinant, the eigenvalues (exact when sympy finds them
    in time, else decimal), the definiteness, and the second-derivative test:
    positive definite at a critical point is a local minimum, negative definite
    a local maximum, indefinite a saddle point; semidefinite is inconclusive.
    Where ∇f ≠ 0 the point is not critical and the test does not apply.
    """
    ),
)
@click.argument("expression")
@at_option()
@steps_option("second partial")
@variables_option
@format_option()
@limit_options
def hessian(
    expression: str,
    at: str | None,
    steps: str | None,
    variables: str | None,
    output_format: str,
    latex: bool | None,
    limits: Limits,
) -> int:
    refuse_csv_steps(steps, output_format)
    request = Request(
        steps=steps,
        expression=read_expression(expression, limits),
        at=at,
        variables=split_names(variables),
        output_format=output_format,
        latex=latex,
        started=time.monotonic(),
    )
    screen = settings()
    return runner.run(lambda: render(request, screen, limits), timeout=limits.timeout)


def compute(request: Request, limits: Limits) -> HessianReport:
    """The Hessian the request asks for (see :func:`gradcli.second_order.hessian_report`)."""
    from gradcli.second_order import hessian_report

    return hessian_report(
        request.expression,
        at=request.at,
        variables=request.variables,
        latex=request.latex,
        limits=limits,
        started=request.started,
    )


def second_partial_steps(report: HessianReport, full: bool, budget: float) -> tuple[Any, Any]:
    """Derivations of each distinct second partial, ∂²f/∂xᵢ∂xⱼ with i ≤ j.

    Each is the derivative along xⱼ of ∂f/∂xᵢ, as a student would find it.
    """
    from gradcli.steps import derive

    function = report.function
    derivations = []
    paths = []
    for i, first in enumerate(function.variables):
        partial = derive(function.expr, first, variables=function.variables, time_budget=budget)
        for second in function.variables[i:]:
            derivations.append(
                derive(
                    partial.result,
                    second,
                    variables=function.variables,
                    full=full,
                    time_budget=budget,
                )
            )
            paths.append((first, second))
    return tuple(derivations), tuple(paths)


def render(request: Request, screen: Settings, limits: Limits) -> Output:
    """Compute and format one Hessian; runs inside the budgeted child.

    JSON carries the notes in its ``notes`` key; in every other format they
    are messages, for stderr.
    """
    from gradcli.formats import hessian as formats

    report = compute(request, limits)
    derivations = paths = None
    if request.steps is not None:
        derivations, paths = second_partial_steps(
            report, request.steps == "full", limits.simplify_timeout
        )
    if request.output_format == "json":
        from gradcli.formats.steps import as_json

        shown = None if derivations is None else as_json(derivations, paths)
        return Output(formats.to_json(report, steps=shown))
    text = formatted_with_steps(
        "hessian", report, request.output_format, screen, derivations, paths
    )
    return Output(text, formats.notes_of(report))
