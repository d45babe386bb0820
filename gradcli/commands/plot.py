"""``gradcli plot``: contour maps, gradient fields, descent paths, curves."""

from __future__ import annotations

from typing import Any

import click

from gradcli.commands.base import (
    emit,
    limit_options,
    read_expression,
    report,
    split_names,
    variables_option,
)
from gradcli.errors import InputError
from gradcli.limits import Limits


@click.command()
@click.argument("expression")
@click.option(
    "--output",
    "-o",
    required=True,
    metavar="FILE",
    help="The picture to write: .png, .svg or .pdf.",
)
@click.option(
    "--at",
    metavar="POINT",
    help="Draw ∇f and −∇f here, with the level curve through it and its tangent.",
)
@click.option(
    "--descend-from",
    "starts",
    multiple=True,
    metavar="POINT",
    help="Draw gradient descent from this point (repeat for several starts).",
)
@click.option(
    "--lr",
    metavar="RATES",
    help="Learning rates for --descend-from, comma-separated: 0.1,0.6,0.7 [default: the method's].",
)
@click.option(
    "--method",
    "methods",
    default="gd",
    show_default=True,
    metavar="NAMES",
    help="gd, momentum, nesterov, adam or newton; several comma-separated.",
)
@click.option("--steps", type=int, default=None, help="Most steps of each descent.")
@click.option("--tol", type=float, default=1e-8, show_default=True, help="Stop when |∇f| < tol.")
@click.option("--beta", type=float, default=None, help="Momentum β (momentum, nesterov, adam).")
@click.option("--ascent", is_flag=True, help="Climb (θ ← θ + α∇f) instead of descending.")
@click.option("--critical", is_flag=True, help="Mark the critical points: min, max, saddle.")
@click.option(
    "--range",
    "window",
    metavar="xmin,xmax,ymin,ymax",
    help="The window [default: around P, the critical points and the paths]; "
    "for one variable xmin,xmax is enough.",
)
@click.option(
    "--slice",
    "slice_vars",
    metavar="x,y",
    help="With three or more variables: the two drawn; the others are fixed at P.",
)
@click.option(
    "--dpi",
    type=click.IntRange(10, 1200),
    default=150,
    show_default=True,
    help="Resolution of a PNG.",
)
@click.option(
    "--format",
    "-f",
    "output_format",
    type=click.Choice(["plain", "json"], case_sensitive=False),
    default="plain",
    show_default=True,
    help="What to print about the picture: a few lines, or its data as JSON.",
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
) -> None:
    """Draw EXPRESSION: contours, the gradient field, ∇f at a point, descent paths.

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
    """
    from gradcli.budget import run_bounded
    from gradcli.plot import output_format as picture_format
    from gradcli.plot import require_matplotlib

    require_matplotlib()
    picture_format(output)
    if not starts and (lr is not None or steps is not None or beta is not None or ascent):
        raise InputError("--lr, --steps, --beta and --ascent need --descend-from")
    text = read_expression(expression, limits)
    options: dict[str, Any] = dict(
        at=at,
        starts=starts,
        lr=lr,
        methods=methods,
        steps=steps,
        tol=tol,
        beta=beta,
        ascent=ascent,
        critical=critical,
        window=window,
        slice_vars=split_names(slice_vars),
        dpi=dpi,
        output=output,
        output_format=output_format.lower(),
        variables=split_names(variables),
        latex=latex,
        limits=limits,
    )
    shown, messages = run_bounded(lambda: render(text, **options), timeout=limits.timeout)
    emit(shown)
    for message in messages:
        report(message)


def render(
    text: str,
    *,
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
    slice_vars: list[str] | None,
    dpi: int,
    output: str,
    output_format: str,
    variables: list[str] | None,
    latex: bool | None,
    limits: Limits,
) -> tuple[str, tuple[str, ...]]:
    """Compute, draw and describe; runs inside the budgeted child.

    Returns what to print and the messages for stderr.
    """
    from gradcli.descent import compare
    from gradcli.formats.common import dumps
    from gradcli.parse import parse_function, parse_point
    from gradcli.plot import plot_function

    function = parse_function(text, variables=variables, limits=limits, latex=latex)
    point = None if at is None else parse_point(at, function, limits=limits)
    runs: list[Any] = []
    if starts:
        rates = None if lr is None else _numbers(lr, "--lr", limits)
        names = split_names(methods) or ["gd"]
        for start_text in starts:
            start = parse_point(start_text, function, limits=limits)
            for parameter in function.parameters:
                if point is not None and parameter in point and parameter not in start:
                    start[parameter] = point[parameter]
            runs += compare(
                function.expr,
                function.variables,
                start,
                lrs=rates,
                methods=names,
                steps=steps,
                tol=tol,
                beta=beta,
                ascent=ascent,
                limits=limits,
            )
    summary = plot_function(
        function,
        path=output,
        at=point,
        runs=runs,
        critical=critical,
        window=None if window is None else _numbers(window, "--range", limits),
        slice_vars=slice_vars,
        dpi=dpi,
        limits=limits,
    )
    messages = [f"note: {note}" for note in (*function.notes, *summary.notes)]
    for run, drawn in zip(runs, summary.paths):
        name = drawn.label.split(":")[0]
        if run.diverged:
            messages.append(f"warning: {name} {run.message}{_stable_below(run)}")
        elif run.warning:
            messages.append(f"warning: {name}: {run.warning}")
    if output_format == "json":
        return dumps(summary.as_dict()) + "\n", tuple(messages)
    return _plain(summary), tuple(messages)


def _stable_below(run: Any) -> str:
    """The clause "; gd is stable only for α < 2/3", when the bound is known."""
    from gradcli.printing import decimal, to_unicode

    diagnosis = run.diagnosis
    if diagnosis is None or diagnosis.lr_bound is None:
        return ""
    if diagnosis.exact_lr_bound is not None:
        bound = to_unicode(diagnosis.exact_lr_bound)
    else:
        bound = decimal(diagnosis.lr_bound, 4)
    return f"; {run.method} is stable only for α < {bound}"


def _numbers(text: str, option: str, limits: Limits) -> tuple[float, ...]:
    """Comma-separated constants (0.1, 1/3, pi/2) as floats."""
    from gradcli.parse import parse_vector

    values = []
    for value in parse_vector(text, limits=limits):
        if value.free_symbols:
            raise InputError(f"{option} takes numbers, got {value}")
        try:
            values.append(float(value))
        except (TypeError, ValueError):
            raise InputError(f"{option} takes real numbers, got {value}") from None
    return tuple(values)


def _plain(summary: Any) -> str:
    """A few lines about the picture."""
    from gradcli.printing import decimal

    def point(values: Any) -> str:
        return "(" + ", ".join(decimal(v, 4) for v in values) + ")"

    width, height = summary.size_px
    x0, x1, y0, y1 = summary.window
    lines = [f"wrote {summary.path} ({summary.format}, {width}×{height} px)"]
    names = summary.axes
    if summary.kind == "curve":
        lines.append(f"window: {names[0]} from {decimal(x0)} to {decimal(x1)}")
    else:
        lines.append(
            f"window: {names[0]} from {decimal(x0)} to {decimal(x1)}, "
            f"{names[1]} from {decimal(y0)} to {decimal(y1)}"
        )
    for name, value in summary.fixed:
        lines.append(f"slice: {name} = {decimal(value)}")
    if summary.point is not None and summary.gradient_text is not None:
        shown = point(summary.point)
        if summary.kind == "curve":
            lines.append(f"f'{shown} = {summary.gradient_text[1:-1]}")
        else:
            lines.append(f"∇f{shown} = {summary.gradient_text}")
    for path in summary.paths:
        line = path.label
        if path.exit_steps:
            line += f"; leaves the window at step {path.exit_steps[0]}"
        lines.append(line)
    if summary.critical:
        kinds: dict[str, int] = {}
        for mark in summary.critical:
            kinds[mark.kind] = kinds.get(mark.kind, 0) + 1
        counted = ", ".join(f"{n} {kind}" for kind, n in kinds.items())
        lines.append(f"critical points: {counted}")
    return "\n".join(lines) + "\n"
