"""``gradcli descend``: watch θ ← θ − α∇f converge, oscillate or diverge."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

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
from gradcli.commands.data import DataRequest, build, data_options, data_request
from gradcli.errors import ExitCode, InputError
from gradcli.i18n import N_, _
from gradcli.limits import Limits
from gradcli.runner import Output

#: exact steps computed with --exact (the first rows of the table)
EXACT_STEPS = 10


@dataclass(frozen=True)
class Request:
    """What the user asked for, as text still to be parsed in the child."""

    expression: str
    start: str
    lrs: str | None
    methods: tuple[str, ...]
    steps: int | None
    tol: float
    ascent: bool
    beta: float | None
    beta2: float | None
    eps: float | None
    every: int | None
    exact: bool
    compare: bool
    #: every method with every rate, not method i with rate i
    grid: bool
    variables: list[str] | None
    plot: str | None
    output_format: str
    latex: bool | None
    #: stdout is a terminal: the table already shows the explanation there
    on_terminal: bool = False
    #: a loss built from data, instead of ``expression``
    data: DataRequest | None = None
    schedule: str | None = None
    batch_size: int | None = None
    epochs: int | None = None
    seed: int | None = None


@click.command(
    cls=Command,
    help=N_("""Gradient descent on EXPRESSION from --from: every step, and why it stopped.

    With --data and --model instead of EXPRESSION, the function is the loss
    of the model on a table of data (see --loss), and --batch-size, --epochs
    and --seed run mini-batch or stochastic gradient descent on it.

    \b
    Examples:
      gradcli descend "x^2 + y^2 + xy" --from 1,3
      gradcli descend "x^2 + y^2 + xy" --from 1,3 --lr 0.7
      gradcli descend "x^2 + y^2 + xy" --from 1,3 --lr 1/10 --steps 2 --exact
      gradcli descend "x^2 + y^2 + xy" --from 1,3 --lr 0.01,0.1,0.5,0.7
      gradcli descend "(1-x)^2 + 100(y-x^2)^2" --from -1.5,2 --method gd,momentum,adam
      gradcli descend "(1-x)^2 + 100(y-x^2)^2" --from -1.5,2 --method gd,adam --lr 0.001,0.01
      gradcli descend "x^2 + y^2 + xy" --from 1,3 --format csv > steps.csv
      gradcli descend --data points.csv --model "w*x + b" --from 0,0 --lr 0.05
      gradcli descend --data points.csv --model "w*x + b" --from 0,0 --batch-size 1 --seed 1

    The table shows k, θ_k, f(θ_k), ∇f(θ_k), |∇f(θ_k)| and the step taken,
    for the first steps, every K-th one (--every) and the last ones; then why
    it stopped and what the last point is (from the Hessian there: a minimum,
    or a saddle or a plateau where descent stalled). Stop reasons: converged
    (|∇f| < tol), no_progress (steps shorter than tol·min(1, α)), max_steps,
    diverged (f not finite or growing past 10¹²·max(1, |f(θ_0)|)): then L, the
    largest eigenvalue of the Hessian, bounds α (gd is stable only for α < 2/L).

    Several methods and rates: one method runs with each rate; one rate goes
    to each method; two lists of equal length pair up (gd with 0.001, adam
    with 0.01); --grid runs every combination.

    Exit codes: 0 converged, no progress or out of steps (the reason is shown);
    3 diverged (the explanation goes to stderr too); 2 bad options. A
    comparison exits 0 unless every run diverged.
    """),
)
@click.argument("expression", required=False)
@click.option(
    "--from",
    "start",
    required=True,
    metavar="POINT",
    help=N_("The start point θ_0: 1,3 or -1/2,pi/4 or 'x=1, y=3' (parameters may be named too)."),
)
@click.option(
    "--lr",
    metavar="α[,α…]",
    help=N_(
        "The learning rate α, exact when written as 1/10; several compare them "
        "[default: gd 0.1, momentum and nesterov 0.001, adam 0.01, newton 1]."
    ),
)
@click.option(
    "--steps",
    type=click.IntRange(min=1),
    default=None,
    help=N_("The most steps [default: gd 1000, momentum, nesterov and adam 10000, newton 100]."),
)
@click.option(
    "--tol",
    type=float,
    default=1e-8,
    show_default=True,
    help=N_(
        "Stop when |∇f| < tol (and when steps get shorter than tol·min(1, α)); "
        "0 runs exactly --steps steps."
    ),
)
@click.option("--ascent", is_flag=True, help=N_("Climb instead: θ ← θ + α∇f, to maximise f."))
@click.option(
    "--method",
    default=None,
    metavar="M[,M…]",
    help=N_(
        "gd, momentum, nesterov, adam, newton or armijo (gd with a backtracking line "
        "search); several compare them [default: gd]. Momentum, Nesterov and Adam are "
        "torch.optim's SGD(momentum=β), SGD(momentum=β, nesterov=True) and Adam."
    ),
)
@click.option(
    "--beta", type=float, help=N_("Momentum β (momentum, nesterov, adam) [default: 0.9].")
)
@click.option("--beta2", type=float, help=N_("Adam's β₂ [default: 0.999]."))
@click.option("--eps", type=float, help=N_("Adam's ε [default: 1e-8]."))
@click.option(
    "--schedule",
    metavar="NAME[:k=v,…]",
    help=N_(
        "How α changes: constant, step:gamma=0.5,every=10, exp:gamma=0.99, "
        "inverse:gamma=0.1 (α/(1+γt)) or cosine:min=0; t counts steps, or epochs with "
        "--batch-size [default: constant]."
    ),
)
@data_options
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    help=N_("Rows per mini-batch, with --data: 1 is SGD [default: all rows]."),
)
@click.option(
    "--epochs",
    type=click.IntRange(min=1),
    help=N_("Passes over the data's rows, with --data and mini-batches [default: 50]."),
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    help=N_("Seed of the shuffle of mini-batches: the same seed, the same run."),
)
@click.option(
    "--every",
    type=click.IntRange(min=1),
    default=None,
    help=N_("Show every K-th step between the first and the last ones [default: about 8 rows]."),
)
@click.option(
    "--exact",
    is_flag=True,
    # the number is EXACT_STEPS (a test checks that they agree)
    help=N_("Also do the first 10 steps in exact (rational) arithmetic."),
)
@click.option(
    "--compare",
    is_flag=True,
    help=N_(
        "Compare runs side by side (implied by several --lr or --method values; "
        "alone it compares every method)."
    ),
)
@click.option(
    "--grid",
    is_flag=True,
    help=N_(
        "Run every --method with every --lr (by default lists of equal length "
        "pair up: the i-th method with the i-th rate)."
    ),
)
@variables_option
@click.option(
    "--plot",
    metavar="FILE",
    # file names in shell completion; a directory is refused by the plot's own check
    type=click.Path(),
    help=N_("Also draw the run(s) over f's contours into FILE."),
)
@format_option()
@limit_options
def descend(
    expression: str | None,
    start: str,
    lr: str | None,
    steps: int | None,
    tol: float,
    ascent: bool,
    method: str | None,
    beta: float | None,
    beta2: float | None,
    eps: float | None,
    schedule: str | None,
    data_path: str | None,
    model: str | None,
    loss_name: str,
    target: str,
    l2: str | None,
    l1: str | None,
    batch_size: int | None,
    epochs: int | None,
    seed: int | None,
    every: int | None,
    exact: bool,
    compare: bool,
    grid: bool,
    variables: str | None,
    plot: str | None,
    output_format: str,
    latex: bool | None,
    limits: Limits,
) -> int:
    names = split_names(variables)
    lrs = lr.strip() if lr is not None else None
    loss_request = data_request(data_path, model, loss_name, target, l2, l1)
    if loss_request is None and expression is None:
        raise InputError(_("give the function to descend on, or --data and --model"))
    if loss_request is not None and expression is not None:
        raise InputError(_("give either EXPRESSION or --data with --model, not both"))
    if loss_request is None and (batch_size or epochs or seed is not None):
        raise InputError(_("--batch-size, --epochs and --seed draw mini-batches from --data"))
    methods = tuple(m.strip().lower() for m in (method or "gd").split(",") if m.strip())
    if not methods:
        raise InputError(
            _("--method needs at least one name: gd, momentum, nesterov, adam, newton")
        )
    rate_count = _count_top_level(lrs) if lrs is not None else 1
    several = len(methods) > 1 or rate_count > 1
    if len(methods) > 1 and rate_count > 1 and len(methods) != rate_count and not grid:
        raise InputError(
            _(
                "--method names {methods} methods and --lr {rates} rates: give one rate"
                " per method to pair them, or add --grid to run every combination"
            ).format(methods=len(methods), rates=rate_count)
        )
    comparing = compare or several
    if compare and not several and method is None:
        # --compare alone: every method, each with its own defaults
        methods = ("gd", "momentum", "nesterov", "adam", "newton")
    if comparing and exact:
        raise InputError(_("--exact writes out one run's steps; it cannot be used in a comparison"))
    if comparing and every is not None:
        raise InputError(_("--every chooses the rows of one run's table, not of a comparison"))
    request = Request(
        expression=read_expression(expression, limits) if expression is not None else "",
        start=start,
        lrs=lrs,
        methods=methods,
        steps=steps,
        tol=tol,
        ascent=ascent,
        beta=beta,
        beta2=beta2,
        eps=eps,
        every=every,
        exact=exact,
        compare=comparing,
        grid=grid or len(methods) == 1 or rate_count == 1,
        variables=names,
        plot=plot,
        output_format=output_format.lower(),
        latex=latex,
        on_terminal=_is_terminal(sys.stdout),
        data=loss_request,
        schedule=schedule,
        batch_size=batch_size,
        epochs=epochs,
        seed=seed,
    )
    screen = settings()
    progress = _stderr_is_terminal()

    def job() -> Output:
        output, code, messages = compute(request, screen, limits, progress=progress)
        return Output(output, tuple(messages), code)

    return runner.run(job, timeout=limits.timeout)


def _count_top_level(text: str) -> int:
    """How many comma-separated items ``text`` lists (commas inside brackets do not count)."""
    from gradcli.parse import split_top_level

    return len(split_top_level(text))


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # a closed or odd stream
        return False


def _stderr_is_terminal() -> bool:
    return _is_terminal(sys.stderr)


def compute(
    request: Request, screen: Settings, limits: Limits, *, progress: bool = False
) -> tuple[str, int, list[str]]:
    """Parse, descend and format; runs inside the budgeted child.

    Returns the output, the exit code and the messages for stderr.
    """
    from gradcli.descent import descend_text

    if request.plot:
        _check_plot(request.plot)
    bar = _progress_bar(_("runs") if request.compare else _("descending")) if progress else None
    loss = build(request.data, limits) if request.data is not None else None
    extra: dict[str, Any] = {}
    if loss is not None:
        extra = {"data": loss, "batch_size": request.batch_size, "epochs": request.epochs}
        extra["seed"] = request.seed
    try:
        done = descend_text(
            request.expression if loss is None else None,
            request.start,
            lrs=request.lrs,
            methods=request.methods,
            compare=request.compare,
            grid=request.grid,
            variables=request.variables,
            latex=request.latex,
            exact=request.exact,
            max_exact_steps=EXACT_STEPS,
            limits=limits,
            on_progress=bar,
            steps=request.steps,
            tol=request.tol,
            beta=request.beta,
            beta2=request.beta2,
            eps=request.eps,
            ascent=request.ascent,
            schedule=request.schedule,
            **extra,
        )
    finally:
        if bar is not None:
            bar.close()
    function, point, runs = done.function, done.start, done.runs
    # how f was read: data in JSON (its notes key), a message in every other format
    messages = (
        []
        if request.output_format == "json"
        else [_("note: {note}").format(note=n) for n in function.notes]
    )
    if request.plot:
        messages.extend(_plot(function, runs, request.plot, point, limits))
    # a table on the terminal already shows the stop reason and why: stderr,
    # on the same screen, would say it all again
    shown = request.output_format == "table" and request.on_terminal
    if request.compare:
        output = _format_comparison(runs, request, screen)
        code = ExitCode.MATH if all(run.diverged for run in runs) else ExitCode.OK
        if request.output_format != "table":
            # the table shows these itself; with data on stdout they go to stderr
            from gradcli.formats.descent import run_label

            for run in runs:
                if run.diverged:
                    said = run.message
                elif run.warning:
                    said = run.warning
                else:
                    continue
                warning = _("warning: {run}: {message}").format(run=run_label(run), message=said)
                messages.append(warning)
        if code and not shown:
            messages.insert(0, _("error: every run diverged"))
        return output, int(code), messages
    run = runs[0]
    output = _format_run(run, request, screen)
    if run.diverged:
        if not shown:
            messages.insert(0, _("error: {message}").format(message=run.message))
            if run.diagnosis is not None:
                messages.insert(1, _("why: {message}").format(message=run.diagnosis.message))
        return output, int(ExitCode.MATH), messages
    if request.output_format != "table":
        # the table shows these itself; with data on stdout they go to stderr
        if run.warning:
            messages.insert(0, _("warning: {message}").format(message=run.warning))
        if run.exact_note:
            messages.append(_("note: {note}").format(note=run.exact_note))
    return output, int(ExitCode.OK), messages


def _progress_bar(what: str) -> Any:
    from gradcli.render.descent import ProgressBar

    return ProgressBar(what)


def _check_plot(path: str) -> None:
    """Fail before descending if the picture cannot be drawn (exit 2)."""
    try:
        from gradcli.plot import output_format, require_matplotlib
    except ImportError as error:  # pragma: no cover - gradcli.plot ships with gradcli
        raise InputError(_("--plot is not available: {error}").format(error=error)) from None
    require_matplotlib()
    output_format(path)


def _plot(function: Any, runs: Sequence[Any], path: str, point: Any, limits: Limits) -> list[str]:
    """The figure of ``gradcli plot … --descend-from P`` for these runs."""
    from gradcli.plot import plot_function

    # parameters of f get their values from the start point, as the runs did
    at = point if function.parameters else None
    summary = plot_function(function, path=path, at=at, runs=tuple(runs), limits=limits)
    return [
        _("wrote {path}").format(path=path),
        *(_("note: {note}").format(note=note) for note in summary.notes),
    ]


def _format_run(run: Any, request: Request, screen: Settings) -> str:
    options: dict[str, Any] = {}
    if request.output_format in ("table", "plain"):
        options["every"] = request.every
    return formatted("descent", run, request.output_format, screen, **options)


def _format_comparison(runs: Sequence[Any], request: Request, screen: Settings) -> str:
    return formatted("descent", runs, request.output_format, screen, name="compare_to")
