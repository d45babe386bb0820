"""The work behind ``gradcli plot``: read the request, run the descents, draw, describe."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from gradcli.i18n import _
from gradcli.limits import Limits

__all__ = ["PlotRequest", "run"]


@dataclass(frozen=True)
class PlotRequest:
    """``gradcli plot``'s options, as typed (text is read by :func:`run`)."""

    text: str
    output: str
    at: str | None = None
    #: --descend-from, each a point
    starts: tuple[str, ...] = ()
    #: --lr: comma-separated rates, or None for each method's own
    lr: str | None = None
    methods: tuple[str, ...] = ("gd",)
    steps: int | None = None
    tol: float = 1e-8
    beta: float | None = None
    ascent: bool = False
    critical: bool = False
    #: --range: xmin,xmax,ymin,ymax (or xmin,xmax for a curve)
    window: str | None = None
    slice_vars: tuple[str, ...] | None = None
    dpi: int = 150
    #: what to print: "plain" or "json"
    output_format: str = "plain"
    variables: tuple[str, ...] | None = None
    latex: bool | None = None
    limits: Limits = field(default_factory=Limits)


def run(request: PlotRequest) -> tuple[str, tuple[str, ...]]:
    """Compute, draw and describe: what to print, and the messages for stderr."""
    from gradcli.descent import compare
    from gradcli.parse import parse_function, parse_point
    from gradcli.plot import plot_function
    from gradcli.plot.summary import to_json, to_plain

    limits = request.limits
    function = parse_function(
        request.text,
        variables=None if request.variables is None else list(request.variables),
        limits=limits,
        latex=request.latex,
    )
    point = None if request.at is None else parse_point(request.at, function, limits=limits)
    runs: list[Any] = []
    if request.starts:
        rates = None if request.lr is None else numbers(request.lr, "--lr", limits)
        for start_text in request.starts:
            start = parse_point(start_text, function, limits=limits)
            # parameters of f keep the values --at gave them, unless the start names its own
            for parameter in function.parameters:
                if point is not None and parameter in point and parameter not in start:
                    start[parameter] = point[parameter]
            runs += compare(
                function.expr,
                function.variables,
                start,
                lrs=rates,
                methods=request.methods,
                steps=request.steps,
                tol=request.tol,
                beta=request.beta,
                ascent=request.ascent,
                limits=limits,
            )
    summary = plot_function(
        function,
        path=request.output,
        at=point,
        runs=runs,
        critical=request.critical,
        window=None if request.window is None else numbers(request.window, "--range", limits),
        slice_vars=request.slice_vars,
        dpi=request.dpi,
        limits=limits,
    )
    messages = [_("note: {note}").format(note=note) for note in (*function.notes, *summary.notes)]
    messages += _run_warnings(runs, [p.name for p in summary.paths])
    if request.output_format == "json":
        return to_json(summary), tuple(messages)
    return to_plain(summary), tuple(messages)


def numbers(text: str, option: str, limits: Limits) -> tuple[float, ...]:
    """Comma-separated constants (0.1, 1/3, pi/2), read as every option's numbers are, as floats.

    >>> numbers("0.1, 1/4, pi/2", "--lr", Limits())
    (0.1, 0.25, 1.5707963267948966)
    """
    from gradcli.numbers import to_float
    from gradcli.parse import parse_numbers

    return tuple(to_float(value) for value in parse_numbers(text, option, limits))


def _run_warnings(runs: Sequence[Any], names: Sequence[str]) -> list[str]:
    """A warning for each run that diverged (with the stable rates) or warned."""
    messages = []
    for run, name in zip(runs, names):
        if run.diverged:
            bound = _stable_below(run)
            if bound is None:
                messages.append(_("warning: {run} {message}").format(run=name, message=run.message))
            else:
                messages.append(
                    _("warning: {run} {message}; {method} is stable only for α < {bound}").format(
                        run=name, message=run.message, method=run.method, bound=bound
                    )
                )
        elif run.warning:
            messages.append(_("warning: {run}: {message}").format(run=name, message=run.warning))
    return messages


def _stable_below(run: Any) -> str | None:
    """The rate below which the run's method is stable (``2/3``), when it is known."""
    from gradcli.printing import decimal, to_unicode

    diagnosis = run.diagnosis
    if diagnosis is None or diagnosis.lr_bound is None:
        return None
    if diagnosis.exact_lr_bound is not None:
        return to_unicode(diagnosis.exact_lr_bound)
    return decimal(diagnosis.lr_bound, 4)
