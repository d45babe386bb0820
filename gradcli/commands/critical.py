"""``gradcli critical``: where ∇f = 0, what each point is, and whether f is convex."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from gradcli import runner
from gradcli.commands.base import (
    Command,
    Settings,
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

if TYPE_CHECKING:
    import sympy

    from gradcli.formats.critical import CriticalReport

#: share of the time left that the analysis may use; the rest is for parsing,
#: printing, and the slack the hard limit needs
ANALYSIS_SHARE = 0.7


@dataclass(frozen=True)
class Request:
    """What the user asked for, as text still to be parsed in the child."""

    expression: str
    box: str | None
    variables: list[str] | None
    output_format: str
    latex: bool | None
    #: when the command started (``time.monotonic``): the budget counts from it
    started: float


@click.command(
    cls=Command,
    help=N_(
        """The critical points of EXPRESSION, their kinds, convexity and global extrema.

    \b
    Examples:
      gradcli critical "x^2 + y^2 + xy"
      gradcli critical "x^3 - 3x + y^2"
      gradcli critical "(x - y)^2"
      gradcli critical "(x^2 + y - 11)^2 + (x + y^2 - 7)^2" --format json
      gradcli critical "sin(x)*sin(y)" --box -4,4

    ∇f = 0 is solved exactly where sympy can within the time budget (--timeout);
    otherwise, and for functions that are not polynomial, the box is searched
    numerically and those points are marked numeric with their tolerance.
    Each point is a local min, local max, saddle, or degenerate (the
    second-derivative test is inconclusive; f is then sampled around it).
    Infinitely many critical points (a line of minima) are described by
    equations. A convex f's local minimum is its global minimum.
    """
    ),
)
@click.argument("expression")
@click.option(
    "--box",
    metavar="LO,HI",
    help=N_(
        "The region [LO, HI]ⁿ the numeric search covers (and where convexity "
        "counterexamples are sought) [default: -10,10]."
    ),
)
@variables_option
@format_option()
@limit_options
def critical(
    expression: str,
    box: str | None,
    variables: str | None,
    output_format: str,
    latex: bool | None,
    limits: Limits,
) -> int:
    request = Request(
        expression=read_expression(expression, limits),
        box=box,
        variables=split_names(variables),
        output_format=output_format,
        latex=latex,
        started=time.monotonic(),
    )
    screen = settings()
    return runner.run(lambda: render(request, screen, limits), timeout=limits.timeout)


def parse_box(text: str, limits: Limits) -> tuple[sympy.Expr, sympy.Expr]:
    """``LO,HI`` as two real numbers with LO < HI (``-pi, pi`` is fine)."""
    import sympy

    from gradcli.errors import InputError
    from gradcli.i18n import _
    from gradcli.parse import parse_numbers

    hint = _("for example --box -4,4")
    bounds = parse_numbers(text, "--box", limits, hint=hint)
    if len(bounds) != 2:
        raise InputError(
            _("--box needs two numbers LO,HI, got {count}").format(count=len(bounds)), hint=hint
        )
    out = []
    for bound in bounds:
        if bound.is_Rational:
            out.append(bound)
            continue
        value = bound.evalf(30)
        real, imaginary = value.as_real_imag()
        if imaginary != 0 or not real.is_finite:
            raise InputError(_("--box needs finite real numbers, got {bound}").format(bound=bound))
        out.append(sympy.Float(real, 30))
    if not out[0] < out[1]:
        raise InputError(
            _("--box needs LO < HI, got {lo}, {hi}").format(lo=bounds[0], hi=bounds[1])
        )
    return out[0], out[1]


def compute(request: Request, limits: Limits) -> CriticalReport:
    """Parse the function and the box, and analyse the critical points."""
    from gradcli.calculus import partial_derivatives
    from gradcli.critical import critical_points
    from gradcli.errors import InputError
    from gradcli.formats.critical import CriticalReport
    from gradcli.i18n import _
    from gradcli.parse import parse_function

    function = parse_function(
        request.expression, variables=request.variables, limits=limits, latex=request.latex
    )
    if not function.variables:
        raise InputError(_("the function has no variables: it has no critical points to find"))

    box = parse_box(request.box, limits) if request.box is not None else (-10, 10)
    left = limits.timeout - (time.monotonic() - request.started)
    analysis = critical_points(
        function.expr, function.variables, box=box, time_budget=max(0.2, ANALYSIS_SHARE * left)
    )
    gradient = partial_derivatives(function.expr, function.variables)
    return CriticalReport(function, gradient, analysis)


def render(request: Request, screen: Settings, limits: Limits) -> Output:
    """Compute and format one analysis; runs inside the budgeted child.

    JSON carries the notes in its ``notes`` key; in every other format they
    are messages, for stderr.
    """
    from gradcli.formats.critical import notes_of

    report = compute(request, limits)
    text = formatted("critical", report, request.output_format, screen)
    return Output(text, () if request.output_format == "json" else notes_of(report))
