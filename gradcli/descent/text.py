"""A descent asked for in text, as the command line and notebooks write it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import sympy

from gradcli.descent.results import DescentRun
from gradcli.errors import InputError
from gradcli.i18n import _
from gradcli.limits import Limits
from gradcli.parse import Function


@dataclass(frozen=True)
class Descents:
    """The runs of one request, with the function and the start they were read as."""

    function: Function
    #: the start point's values, parameters included (``x=1, y=3, a=2``)
    start: Mapping[sympy.Symbol, sympy.Expr]
    runs: tuple[DescentRun, ...]


def descend_text(
    expression: str | Function | None,
    start: str,
    *,
    lrs: str | None = None,
    methods: Sequence[str] = ("gd",),
    compare: bool = False,
    grid: bool = True,
    variables: Sequence[str] | None = None,
    latex: bool | None = None,
    exact: bool = False,
    max_exact_steps: int = 20,
    limits: Limits | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    data: Any = None,
    **options: Any,
) -> Descents:
    """Read f, the start and the learning rates, then descend once or compare.

    ``lrs`` is a list such as ``"0.1, 1/20"``; with ``compare`` every method
    runs with every rate (``grid``) or with its own (the i-th method with the
    i-th rate), else the first method with the first rate. Other
    options (``steps``, ``tol``, ``beta``, ``ascent``, ``batch_size``, …) are
    :func:`descend`'s. With ``data`` (a :class:`gradcli.losses.Loss`) the
    function is that loss and ``expression`` must be None.

    >>> done = descend_text("x^2 + y^2 + xy", "1,3", lrs="0.1", steps=5)
    >>> done.runs[0].lr_exact, done.runs[0].steps
    (1/10, 5)
    """
    from gradcli.descent import compare as compare_runs
    from gradcli.descent import descend
    from gradcli.parse import parse_function, parse_numbers, parse_point

    limits = limits or Limits()
    if data is not None:
        function = data.function()
        options["data"] = data
    elif expression is None:
        raise InputError(_("give the function to descend on, or a loss built from data"))
    elif isinstance(expression, Function):
        function = expression
    else:
        function = parse_function(expression, variables=variables, limits=limits, latex=latex)
    point = parse_point(start, function, limits=limits)
    rates = (
        None
        if lrs is None
        else parse_numbers(lrs, "--lr", limits, what=_("the learning rate must be a number"))
    )
    if compare:
        runs = compare_runs(
            function.expr,
            function.variables,
            point,
            lrs=rates,
            methods=methods,
            grid=grid,
            on_progress=on_progress,
            limits=limits,
            **options,
        )
    else:
        runs = (
            descend(
                function.expr,
                function.variables,
                point,
                lr=rates[0] if rates else None,
                method=methods[0],
                exact=exact,
                max_exact_steps=max_exact_steps,
                on_progress=on_progress,
                limits=limits,
                **options,
            ),
        )
    if function.notes:
        runs = tuple(replace(run, notes=function.notes) for run in runs)
    if data is not None:
        runs = tuple(replace(run, loss_formula=data.described()) for run in runs)
    return Descents(function, point, tuple(runs))
