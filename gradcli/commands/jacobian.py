"""``gradcli jacobian``: the matrix of first partials of a vector-valued function."""

from __future__ import annotations

from dataclasses import dataclass

import click

from gradcli import runner
from gradcli.commands.base import (
    Command,
    Settings,
    at_option,
    format_option,
    formatted,
    limit_options,
    read_expression,
    settings,
    split_names,
    variables_option,
)
from gradcli.i18n import N_
from gradcli.limits import Limits
from gradcli.runner import Output


@dataclass(frozen=True)
class Request:
    """What the user asked for, as text still to be parsed in the child."""

    components: str
    at: str | None
    variables: list[str] | None
    output_format: str
    latex: bool | None


@click.command(
    cls=Command,
    help=N_(
        """The Jacobian matrix of COMPONENTS (one function per comma), and at a point.

    \b
    Examples:
      gradcli jacobian "x*y, x+y, sin(x)"
      gradcli jacobian "x*y, x+y, sin(x)" --at 1,pi
      gradcli jacobian "r*cos(t), r*sin(t)" --vars r,t --format latex
      gradcli jacobian "x^2 + y^2 + xy" --at 1,3 --format json

    Row i, column j is ∂fᵢ/∂xⱼ. One component gives one row: the gradient.
    COMPONENTS may be written (a, b), [a, b] or <a, b>; '@FILE' reads them
    from a file.
    """
    ),
)
@click.argument("components")
@at_option()
@variables_option
@format_option()
@limit_options
def jacobian(
    components: str,
    at: str | None,
    variables: str | None,
    output_format: str,
    latex: bool | None,
    limits: Limits,
) -> int:
    request = Request(
        components=read_expression(components, limits),
        at=at,
        variables=split_names(variables),
        output_format=output_format,
        latex=latex,
    )
    screen = settings()
    return runner.run(lambda: render(request, screen, limits), timeout=limits.timeout)


def render(request: Request, screen: Settings, limits: Limits) -> Output:
    """Compute and format one Jacobian; runs inside the budgeted child.

    JSON carries the notes in its ``notes`` key; in every other format they
    are messages, for stderr.
    """
    from gradcli.calculus import jacobian as compute
    from gradcli.errors import InputError
    from gradcli.i18n import _

    result = compute(
        request.components,
        at=request.at,
        variables=request.variables,
        limits=limits,
        latex=request.latex,
    )
    if not result.variables:
        raise InputError(
            _("the components have no variables: nothing to differentiate"),
            hint=_("name them with --vars"),
        )
    from gradcli.formats.jacobian import notes_of

    text = formatted("jacobian", result, request.output_format, screen)
    notes = () if request.output_format == "json" else notes_of(result)
    return Output(text, notes)
