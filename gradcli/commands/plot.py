"""``gradcli plot``: contour maps, gradient fields, descent paths, curves."""

from __future__ import annotations

import click

from gradcli import runner
from gradcli.commands.base import (
    Command,
    limit_options,
    read_expression,
    split_names,
    variables_option,
)
from gradcli.errors import InputError
from gradcli.i18n import N_, _
from gradcli.limits import Limits


@click.command(
    cls=Command,
    help=N_("""Draw EXPRESSION: contours, the gradient field, ∇f at a point, descent paths.

    \b
    Examples:
      gradcli plot "x^2 + y^2 + xy" --at 1,3 -o bowl.png
      gradcli plot "x^2 + y^2 + xy" --at 1,3 --descend-from 1,3 --lr 0.1,0.6,0.7 -o seed.png
      gradcli plot "(x^2 + y - 11)^2 + (x + y^2 - 7)^2" --critical -o himmelblau.svg
      gradcli plot "x^3 - 3x" --at 2 -o cubic.pdf
      gradcli plot "x^2 + 2y^2 + 3z^2" --at 1,1,1 --slice x,z -o slice.png

    Two variables give a contour map with the gradient field (arrows of one
    length, coloured by |∇f|); one variable gives the curve, its tangent at
    --at and the derivative; three or more a slice through --at. With
    --descend-from, a second panel shows f(θ_k) against k. Needs matplotlib:
    pip install 'gradcli[plot]'.
    """),
)
@click.argument("expression")
@click.option(
    "--output",
    "-o",
    required=True,
    # a path for shell completion only: the writer checks it
    type=click.Path(readable=False),
    metavar="FILE",
    help=N_("The picture to write: .png, .svg or .pdf."),
)
@click.option(
    "--at",
    metavar="POINT",
    help=N_("Draw ∇f and −∇f here, with the level curve through it and its tangent."),
)
@click.option(
    "--descend-from",
    "starts",
    multiple=True,
    metavar="POINT",
    help=N_("Draw gradient descent from this point (repeat for several starts)."),
)
@click.option(
    "--lr",
    metavar="RATES",
    help=N_(
        "Learning rates for --descend-from, comma-separated: 0.1,0.6,0.7 [default: the method's]."
    ),
)
@click.option(
    "--method",
    "methods",
    default="gd",
    show_default=True,
    metavar="NAMES",
    help=N_("gd, momentum, nesterov, adam or newton; several comma-separated."),
)
@click.option("--steps", type=int, default=None, help=N_("Most steps of each descent."))
@click.option(
    "--tol", type=float, default=1e-8, show_default=True, help=N_("Stop when |∇f| < tol.")
)
@click.option("--beta", type=float, default=None, help=N_("Momentum β (momentum, nesterov, adam)."))
@click.option("--ascent", is_flag=True, help=N_("Climb (θ ← θ + α∇f) instead of descending."))
@click.option("--critical", is_flag=True, help=N_("Mark the critical points: min, max, saddle."))
@click.option(
    "--range",
    "window",
    metavar="xmin,xmax,ymin,ymax",
    help=N_(
        "The window [default: around P, the critical points and the paths]; "
        "for one variable xmin,xmax is enough."
    ),
)
@click.option(
    "--slice",
    "slice_vars",
    metavar="x,y",
    help=N_("With three or more variables: the two drawn; the others are fixed at P."),
)
@click.option(
    "--dpi",
    type=click.IntRange(10, 1200),
    default=150,
    show_default=True,
    help=N_("Resolution of a PNG."),
)
@click.option(
    "--format",
    "-f",
    "output_format",
    type=click.Choice(["plain", "json"], case_sensitive=False),
    default="plain",
    show_default=True,
    help=N_("What to print about the picture: a few lines, or its data as JSON."),
)
@variables_option
@limit_options
def plot(
    expression: str,
    output: str,
    at: str | None,
    starts: tuple[str, ...],
    lr: str | None,
    methods: str,
    steps: int | None,
    tol: float,
    beta: float | None,
    ascent: bool,
    critical: bool,
    window: str | None,
    slice_vars: str | None,
    dpi: int,
    output_format: str,
    variables: str | None,
    latex: bool | None,
    limits: Limits,
) -> int:
    if not starts and (lr is not None or steps is not None or beta is not None or ascent):
        raise InputError(_("--lr, --steps, --beta and --ascent need --descend-from"))
    slice_names, variable_names = split_names(slice_vars), split_names(variables)
    text = read_expression(expression, limits)

    def job() -> runner.Output:
        # gradcli.plot imports sympy, and drawing imports matplotlib: that is
        # work too, so it happens here, within the budget
        from gradcli.plot import output_format as picture_format
        from gradcli.plot import require_matplotlib
        from gradcli.plot.job import PlotRequest, run

        picture_format(output)
        require_matplotlib()
        request = PlotRequest(
            text=text,
            output=output,
            at=at,
            starts=starts,
            lr=lr,
            methods=tuple(split_names(methods) or ["gd"]),
            steps=steps,
            tol=tol,
            beta=beta,
            ascent=ascent,
            critical=critical,
            window=window,
            slice_vars=None if slice_names is None else tuple(slice_names),
            dpi=dpi,
            output_format=output_format.lower(),
            variables=None if variable_names is None else tuple(variable_names),
            latex=latex,
            limits=limits,
        )
        return runner.Output(*run(request))

    return runner.run(job, timeout=limits.timeout)
