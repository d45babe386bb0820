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
from gradcli.errors import ExitCode, InputError
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
    variables: list[str] | None
    plot: str | None
    output_format: str
    latex: bool | None


@click.command(cls=Command)
@click.argument("expression")
@click.option(
    "--from",
    "start",
    required=True,
    metavar="POINT",
    help="The start point θ_0: 1,3 or -1/2,pi/4 or 'x=1, y=3' (parameters may be named too).",
)
@click.option(
    "--lr",
    metavar="α[,α…]",
    help="The learning rate α, exact when written as 1/10; several compare them "
    "[default: gd 0.1, momentum and nesterov 0.001, adam 0.01, newton 1].",
)
@click.option(
    "--steps",
    type=click.IntRange(min=1),
    default=None,
    help="The most steps [default: gd 1000, momentum, nesterov and adam 10000, newton 100].",
)
@click.option(
    "--tol",
    type=float,
    default=1e-8,
    show_default=True,
    help="Stop when |∇f| < tol (and when steps get shorter than tol·min(1, α)); "
    "0 runs exactly --steps steps.",
)
@click.option("--ascent", is_flag=True, help="Climb instead: θ ← θ + α∇f, to maximise f.")
@click.option(
    "--method",
    default=None,
    metavar="M[,M…]",
    help="gd, momentum, nesterov, adam or newton; several compare them [default: gd].",
)
@click.option("--beta", type=float, help="Momentum β (momentum, nesterov, adam) [default: 0.9].")
@click.option("--beta2", type=float, help="Adam's β₂ [default: 0.999].")
@click.option("--eps", type=float, help="Adam's ε [default: 1e-8].")
@click.option(
    "--every",
    type=click.IntRange(min=1),
    default=None,
    help="Show every K-th step between the first and the last ones [default: about 8 rows].",
)
@click.option(
    "--exact",
    is_flag=True,
    help=f"Also do the first {EXACT_STEPS} steps in exact (rational) arithmetic.",
)
@click.option(
    "--compare",
    is_flag=True,
    help="Compare runs side by side (implied by several --lr or --method values; "
    "alone it compares every method).",
)
@variables_option
@click.option("--plot", metavar="FILE", help="Also draw the run(s) over f's contours into FILE.")
@format_option()
@limit_options
def descend(
    expression: str,
    start: str,
    lr: str | None,
    steps: int | None,
    tol: float,
    ascent: bool,
    method: str | None,
    beta: float | None,
    beta2: float | None,
    eps: float | None,
    every: int | None,
    exact: bool,
    compare: bool,
    variables: str | None,
    plot: str | None,
    output_format: str,
    latex: bool | None,
    limits: Limits,
) -> int:
    """Gradient descent on EXPRESSION from --from: every step, and why it stopped.

    \b
    Examples:
      gradcli descend "x^2 + y^2 + xy" --from 1,3
      gradcli descend "x^2 + y^2 + xy" --from 1,3 --lr 0.7
      gradcli descend "x^2 + y^2 + xy" --from 1,3 --lr 1/10 --steps 2 --exact
      gradcli descend "x^2 + y^2 + xy" --from 1,3 --lr 0.01,0.1,0.5,0.7
      gradcli descend "(1-x)^2 + 100(y-x^2)^2" --from -1.5,2 --method gd,momentum,adam
      gradcli descend "x^2 + y^2 + xy" --from 1,3 --format csv > steps.csv

    The table shows k, θ_k, f(θ_k), ∇f(θ_k), |∇f(θ_k)| and the step taken,
    for the first steps, every K-th one (--every) and the last ones; then why
    it stopped and what the last point is (from the Hessian there: a minimum,
    or a saddle or a plateau where descent stalled). Stop reasons: converged
    (|∇f| < tol), no_progress (steps shorter than tol·min(1, α)), max_steps,
    diverged (f not finite or growing past 10¹²·max(1, |f(θ_0)|)): then L, the
    largest eigenvalue of the Hessian, bounds α (gd is stable only for α < 2/L).

    Exit codes: 0 converged, no progress or out of steps (the reason is shown);
    3 diverged (the explanation goes to stderr too); 2 bad options. A
    comparison exits 0 unless every run diverged.
    """
    names = split_names(variables)
    lrs = lr.strip() if lr is not None else None
    methods = tuple(m.strip().lower() for m in (method or "gd").split(",") if m.strip())
    if not methods:
        raise InputError("--method needs at least one name: gd, momentum, nesterov, adam, newton")
    several = len(methods) > 1 or (lrs is not None and _has_top_level_comma(lrs))
    comparing = compare or several
    if compare and not several and method is None:
        # --compare alone: every method, each with its own defaults
        methods = ("gd", "momentum", "nesterov", "adam", "newton")
    if comparing and exact:
        raise InputError("--exact writes out one run's steps; it cannot be used in a comparison")
    if comparing and every is not None:
        raise InputError("--every chooses the rows of one run's table, not of a comparison")
    request = Request(
        expression=read_expression(expression, limits),
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
        variables=names,
        plot=plot,
        output_format=output_format.lower(),
        latex=latex,
    )
    screen = settings()
    progress = _stderr_is_terminal()

    def job() -> Output:
        output, code, messages = compute(request, screen, limits, progress=progress)
        return Output(output, tuple(messages), code)

    return runner.run(job, timeout=limits.timeout)


def _has_top_level_comma(text: str) -> bool:
    depth = 0
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            return True
    return False


def _stderr_is_terminal() -> bool:
    return bool(getattr(sys.stderr, "isatty", lambda: False)())


def compute(
    request: Request, screen: Settings, limits: Limits, *, progress: bool = False
) -> tuple[str, int, list[str]]:
    """Parse, descend and format; runs inside the budgeted child.

    Returns the output, the exit code and the messages for stderr.
    """
    from gradcli.descent import descend_text

    if request.plot:
        _check_plot(request.plot)
    bar = _progress_bar("runs" if request.compare else "descending") if progress else None
    try:
        done = descend_text(
            request.expression,
            request.start,
            lrs=request.lrs,
            methods=request.methods,
            compare=request.compare,
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
        )
    finally:
        if bar is not None:
            bar.close()
    function, point, runs = done.function, done.start, done.runs
    messages: list[str] = []
    if request.plot:
        messages.extend(_plot(function, runs, request.plot, point, limits))
    if request.compare:
        output = _format_comparison(runs, request, screen, function.notes)
        code = ExitCode.MATH if all(run.diverged for run in runs) else ExitCode.OK
        if request.output_format != "table":
            # the table shows these itself; with data on stdout they go to stderr
            from gradcli.formats.descent import run_label

            for run in runs:
                if run.diverged:
                    messages.append(f"warning: {run_label(run)}: {run.message}")
                elif run.warning:
                    messages.append(f"warning: {run_label(run)}: {run.warning}")
        if code:
            messages.insert(0, "error: every run diverged")
        return output, int(code), messages
    run = runs[0]
    output = _format_run(run, request, screen, function.notes)
    if run.diverged:
        messages.insert(0, f"error: {run.message}")
        if run.diagnosis is not None:
            messages.insert(1, f"why: {run.diagnosis.message}")
        return output, int(ExitCode.MATH), messages
    if request.output_format != "table":
        # the table shows these itself; with data on stdout they go to stderr
        if run.warning:
            messages.insert(0, f"warning: {run.warning}")
        if run.exact_note:
            messages.append(f"note: {run.exact_note}")
    return output, int(ExitCode.OK), messages


def _progress_bar(what: str) -> Any:
    from gradcli.render.descent import ProgressBar

    return ProgressBar(what)


def _check_plot(path: str) -> None:
    """Fail before descending if the picture cannot be drawn (exit 2)."""
    try:
        from gradcli.plot import output_format, require_matplotlib
    except ImportError as error:  # pragma: no cover - gradcli.plot ships with gradcli
        raise InputError(f"--plot is not available: {error}") from None
    require_matplotlib()
    output_format(path)


def _plot(function: Any, runs: Sequence[Any], path: str, point: Any, limits: Limits) -> list[str]:
    """The figure of ``gradcli plot … --descend-from P`` for these runs."""
    from gradcli.plot import plot_function

    # parameters of f get their values from the start point, as the runs did
    at = point if function.parameters else None
    summary = plot_function(function, path=path, at=at, runs=tuple(runs), limits=limits)
    return [f"wrote {path}", *(f"note: {note}" for note in summary.notes)]


def _format_run(run: Any, request: Request, screen: Settings, notes: Sequence[str]) -> str:
    options: dict[str, Any] = {}
    if request.output_format in ("table", "plain"):
        options["every"] = request.every
    if request.output_format == "table":
        options["notes"] = notes
    return formatted("descent", run, request.output_format, screen, **options)


def _format_comparison(
    runs: Sequence[Any], request: Request, screen: Settings, notes: Sequence[str]
) -> str:
    options = {"notes": notes} if request.output_format == "table" else {}
    return formatted("descent", runs, request.output_format, screen, name="compare_to", **options)
