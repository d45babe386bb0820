"""Gradient descent, watched step by step: θ ← θ − α∇f(θ) and its relatives.

:func:`descend` runs one method from one start point and returns a
:class:`DescentRun`: the whole trajectory (points, values, gradients, their
norms, step lengths), why it stopped, whether it oscillated, why it diverged
(the Hessian's largest eigenvalue L and the stability bound α < 2/L) and what
kind of point it ended at. :func:`compare` runs several learning rates or
methods from the same start, for the side-by-side teaching table.

Methods and their defaults (used when ``lr``, ``steps``, ``beta``… are None):

============  =======  ======  ======================================================
method        lr       steps   update (g = ∇f(θ_k); ascent uses −α for α)
============  =======  ======  ======================================================
``gd``        0.1      1000    θ ← θ − α g
``momentum``  0.001    10000   b ← β b + g;  θ ← θ − α b  (heavy ball, β = 0.9)
``nesterov``  0.001    10000   b ← β b + g;  θ ← θ − α (g + β b)  (β = 0.9)
``adam``      0.01     10000   Adam, β = 0.9, β2 = 0.999, ε = 1e-8
``newton``    1.0      100     θ ← θ − α H⁻¹ g  (H the Hessian at θ_k)
``armijo``    1.0      1000    θ ← θ − t g, t = α·2⁻ʲ by backtracking (descent.plain)
============  =======  ======  ======================================================

The momentum-type defaults are tuned so that all of them reach the minimiser
(1, 1) of Rosenbrock's (1 − x)² + 100 (y − x²)² from (−1.5, 2) within their
step budgets. ``nesterov`` is the one-gradient-per-step form (the one PyTorch
uses), so f and ∇f are recorded at the points the method actually visits.
``newton`` seeks a critical point of any kind; ``ascent`` does not change it.

Stop reasons (checked at every θ_k, in this order):

* ``diverged``: f(θ_k) is not finite, cannot be evaluated (overflow, a math
  domain error, a complex value), or |f(θ_k)| > 1e12·max(1, |f(θ_0)|); or the
  Newton step is undefined (singular Hessian). The command exits with 3.
* ``converged``: |∇f(θ_k)| < tol.
* ``no_progress``: θ stopped moving: two successive steps, as taken in
  floating point, shorter than tol·min(1, α) while |∇f| ≥ tol. A ``gd`` step
  is α|∇f|, so for gd this means θ − α∇f rounds back to θ.
* ``max_steps``: θ_steps was reached. Not a failure: the command exits with 0
  and shows the reason.

Speed: ∇f, the update and the stop test are compiled once into one Python
function with ``sympy.lambdify`` (``math`` module, common subexpressions
shared, eight steps unrolled per call, values returned in tuples), so the
hot loop costs one call, one ``append`` and one test per eight steps, and
keeps only ∇f(θ_k) and θ_{k+1}. The test looks at the last step of a block;
afterwards f(θ_k) is computed for all rows (one call per block), |∇f| and
the step lengths by C-level maps, and every row is tested again at C speed,
so that the run stops at the first step that meets a test, as a step-by-step
loop would. (More steps per call make the loop faster still, about 1.4× a
bare hand-written loop at sixteen, but cost more to compile than they save
below about a million steps.) Exact arithmetic (``exact=True``) evaluates
the sympy expressions on rationals for the first ``max_exact_steps`` steps.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import sympy

from gradcli.budget import time_limit
from gradcli.descent.assemble import _assemble
from gradcli.descent.compile import _compile
from gradcli.descent.engine import _run
from gradcli.descent.exact import _with_exact_steps
from gradcli.descent.options import (
    _check_start,
    _check_variables,
    _method_info,
    _resolve_options,
    _split_point,
)
from gradcli.descent.results import (
    METHOD_NAMES,
    METHODS,
    DescentRun,
    Diagnosis,
    StopReason,
)
from gradcli.descent.rows import data_program, is_large
from gradcli.descent.schedules import SCHEDULES, Schedule
from gradcli.descent.stochastic import Batching, _run_stochastic
from gradcli.descent.text import Descents, descend_text
from gradcli.errors import InputError
from gradcli.i18n import N_, _, ngettext
from gradcli.kinds import PointKind
from gradcli.limits import Limits
from gradcli.numbers import to_float
from gradcli.parse import Function

if TYPE_CHECKING:
    from gradcli.calculus import FunctionLike, PointLike, VariablesLike

__all__ = [
    "METHODS",
    "METHOD_NAMES",
    "SCHEDULES",
    "DescentRun",
    "Descents",
    "Diagnosis",
    "PointKind",
    "Schedule",
    "StopReason",
    "compare",
    "descend",
    "descend_text",
]


def descend(
    f: FunctionLike,
    variables: VariablesLike | None = None,
    start: PointLike | None = None,
    *,
    lr: Any = None,
    steps: int | None = None,
    tol: float = 1e-8,
    method: str = "gd",
    beta: float | None = None,
    beta2: float | None = None,
    eps: float | None = None,
    schedule: Schedule | str | None = None,
    ascent: bool = False,
    exact: bool = False,
    max_exact_steps: int = 20,
    data: Any = None,
    batch_size: int | None = None,
    epochs: int | None = None,
    seed: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    limits: Limits | None = None,
) -> DescentRun:
    """Run gradient descent (or a relative) on ``f`` from ``start``.

    Parameters
    ----------
    f : str, sympy.Expr or Function
        The function: text (read by gradcli's own parser), a sympy
        expression, or a parsed Function; with no parameters left once
        ``start`` has given them values.
    variables : str or sequence of str or sympy.Symbol, optional
        The variables θ, in the order of ``start``; by default every symbol
        of f, in natural order.
    start : str, sequence, mapping or number
        θ_0 (required): ``"1,3"``, ``"x=1, y=3, a=2"`` (values given for
        parameters of f are put into f), ``(1, 3)`` or ``{"x": 1, "y": 3}``.
        Exact: a float is the decimal it prints as (0.1 is 1/10).
    lr, steps, beta, beta2, eps : optional
        Learning rate α, most steps, and the method's constants; None takes
        the method's default (see the module docstring).
    tol : float
        Stop when |∇f(θ_k)| < tol.
    method : str
        One of ``gd``, ``momentum``, ``nesterov``, ``adam``, ``newton``, ``armijo``.
    schedule : Schedule or str, optional
        How α changes with the step: ``"exp:gamma=0.9"`` (see
        :mod:`gradcli.descent.schedules`); constant by default.
    ascent : bool
        Climb instead: θ ← θ + α∇f, to maximise f.
    exact : bool
        Also compute the first ``max_exact_steps`` steps in exact arithmetic.
    data : gradcli.losses.Loss, optional
        The loss built from data that ``expr`` is (``data.expr``): with
        ``batch_size`` or ``epochs`` the run draws mini-batches of its rows
        (:mod:`gradcli.descent.stochastic`); ``batch_size=1`` is SGD.
    batch_size, epochs, seed : optional
        Rows per mini-batch [all of them], passes over the data [50], and the
        seed of the shuffle (None: a fresh one each run).
    on_progress : callable, optional
        Called as ``on_progress(k, steps)`` every 1024 steps and at the end.
    limits : Limits, optional
        Time budgets and the size bound on exact numbers.

    Returns
    -------
    DescentRun

    Examples
    --------
    >>> run = descend("x^2 + y^2 + xy", start="1,3", lr=0.1)
    >>> run.stop_reason.value, run.steps, run.final_kind.value
    ('converged', 179, 'minimum')
    >>> x, y = sympy.symbols("x y", real=True)
    >>> descend(x**2, (x,), (1,), exact=True, steps=3).points_exact
    ((1,), (4/5,), (16/25,), (64/125,))
    """
    limits = limits or Limits()
    function, point = _function_and_start(f, variables, start, limits)
    expr, start = _split_point(function.expr, function.variables, point)
    variables = _check_variables(expr, function.variables)
    options = _resolve_options(
        method, lr=lr, steps=steps, tol=tol, beta=beta, beta2=beta2, eps=eps, schedule=schedule
    )
    start_exact = _check_start(start, variables)
    if exact and options.stepwise:
        raise InputError(
            _(
                "exact steps follow a constant learning rate: they cannot be used with a"
                " schedule or a line search"
            )
        )
    if max_exact_steps < 0:
        raise InputError(
            _("the number of exact steps must be at least 0, got {value}").format(
                value=max_exact_steps
            )
        )
    if data is not None and data.expr != expr:
        raise InputError(_("the function must be the loss built from the data (data.expr)"))
    batching = _batching(data, steps, ascent, exact, batch_size, epochs, seed)
    if batching is not None:
        options = replace(options, mini_batches=True)
    # exact steps need the sum itself; every other run takes the rows one by one
    row_wise = data is not None and not exact
    if data is not None and exact and is_large(data):
        raise InputError(
            _("exact steps are written out for a loss over a few rows; this one has {rows}").format(
                rows=len(data.labels)
            )
        )
    if row_wise:
        options = replace(options, row_wise=True)
    with time_limit(limits.timeout, N_("preparing f for descent")):
        if row_wise:
            program = data_program(data, options.method)
        else:
            # Armijo's search is gd with a chosen step: it needs f and ∇f only
            program = _compile(expr, variables, "gd" if method == "armijo" else options.method)
    theta0 = tuple(to_float(v) for v in start_exact)
    with time_limit(limits.timeout, N_("gradient descent")), _collector_paused():
        if batching is None:
            raw = _run(program, options, theta0, ascent=ascent, on_progress=on_progress)
        else:
            raw, trace = _run_stochastic(data, options, batching, theta0, on_progress)
        run = _assemble(
            expr, variables, program, options, raw, theta0, ascent=ascent, limits=limits
        )
    if not options.schedule.is_constant:
        run = replace(run, schedule=options.schedule.text)
    if batching is not None:
        run = replace(
            run,
            batch_size=batching.batch_size,
            epochs=batching.epochs,
            seed=batching.seed,
            batch_losses=trace.batch_losses,
            epoch_ends=trace.epoch_ends,
            max_steps=batching.epochs * batching.steps_per_epoch(len(data.labels)),
        )
        if run.stop_reason is StopReason.MAX_STEPS:
            run = replace(run, message=_epochs_message(run, batching, len(data.labels)))
    if exact:
        run = _with_exact_steps(
            run, program, options, start_exact, min(run.steps, max_exact_steps), limits
        )
    if function.notes:
        run = replace(run, notes=function.notes)
    return run


def _function_and_start(
    f: FunctionLike, variables: VariablesLike | None, start: PointLike | None, limits: Limits
) -> tuple[Function, dict[sympy.Symbol, sympy.Expr]]:
    """f and θ_0 given any way the API takes them; θ_0 may name parameters."""
    from gradcli.calculus import as_function, point_values

    if start is None:
        raise TypeError(_("descend() needs a start point: start=(1, 3) or start='1,3'"))
    function = as_function(f, variables=variables, limits=limits)
    if not function.variables:
        raise InputError(_("descent needs at least one variable"))
    return function, point_values(function, start, limits=limits)


def _epochs_message(run: DescentRun, batching: Batching, rows: int) -> str:
    """Why a mini-batch run stopped after its epochs, and what its noise means."""
    per = batching.steps_per_epoch(rows)
    epochs = ngettext("{count} epoch", "{count} epochs", batching.epochs).format(
        count=batching.epochs
    )
    if batching.batch_size >= rows:
        batches = _("one batch of all {rows} rows").format(rows=rows)
    elif rows % batching.batch_size:
        batches = _("{batches} mini-batches of {size}, the last of {last},").format(
            batches=per, size=batching.batch_size, last=rows % batching.batch_size
        )
    else:
        batches = _("{batches} mini-batches of {size}").format(
            batches=per, size=batching.batch_size
        )
    text = _(
        "ran the {epochs} asked, {steps} steps in all ({batches} an epoch):"
        " L = {loss:.4g}, |∇L| = {norm:.3g}"
    ).format(
        epochs=epochs,
        steps=run.steps,
        batches=batches,
        loss=run.final_value,
        norm=run.gradient_norm,
    )
    ends = [run.values[k] for k in run.epoch_ends]
    half = ends[len(ends) // 2 :]
    if len(half) >= 2 and half[-1] < 0.9 * half[0]:
        # L kept falling through the second half of the epochs: more of them help
        return text + _("; L was still falling: raise --epochs (or α)")
    if batching.batch_size < rows and run.schedule == "constant":
        text += _(
            "; L has stopped falling, and at a constant α the batches' noise keeps θ moving"
            " about where it settled: a decaying --schedule or a larger --batch-size lets"
            " it settle further"
        )
    return text


#: passes over the data when only --batch-size is given
DEFAULT_EPOCHS = 50


def _batching(
    data: Any,
    steps: int | None,
    ascent: bool,
    exact: bool,
    batch_size: int | None,
    epochs: int | None,
    seed: int | None,
) -> Batching | None:
    """How mini-batches are drawn, or None for a full-batch run."""
    if batch_size is None and epochs is None:
        if seed is not None and data is not None:
            raise InputError(_("--seed shuffles mini-batches: give --batch-size or --epochs too"))
        return None
    if data is None:
        raise InputError(
            _("mini-batches are drawn from rows of data: --batch-size and --epochs need --data")
        )
    if steps is not None:
        raise InputError(_("with mini-batches, give --epochs (passes over the data), not --steps"))
    if ascent:
        raise InputError(_("a loss is minimised: --ascent does not apply to mini-batches"))
    if exact:
        raise InputError(_("exact steps cannot follow randomly drawn mini-batches"))
    rows = len(data.labels)
    size = rows if batch_size is None else batch_size
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise InputError(
            _("the batch size must be a whole number ≥ 1, got {value}").format(
                value=repr(batch_size)
            )
        )
    if size > rows:
        raise InputError(
            _("the batch size {size} is larger than the {rows} rows of the data").format(
                size=size, rows=rows
            )
        )
    count = DEFAULT_EPOCHS if epochs is None else epochs
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise InputError(
            _("the number of epochs must be at least 1, got {value}").format(value=repr(epochs))
        )
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise InputError(
            _("the seed must be a whole number ≥ 0, got {value}").format(value=repr(seed))
        )
    return Batching(batch_size=size, epochs=count, seed=seed)


def compare(
    f: FunctionLike,
    variables: VariablesLike | None = None,
    start: PointLike | None = None,
    *,
    lrs: Iterable[Any] | None = None,
    methods: Iterable[str] = ("gd",),
    grid: bool = True,
    **options: Any,
) -> tuple[DescentRun, ...]:
    """Run several learning rates and/or methods from the same start.

    ``f``, ``variables`` and ``start`` are as for :func:`descend`. With
    ``grid`` each method runs with each learning rate in ``lrs`` (its own
    default lr when ``lrs`` is None), in the order given; without it the
    i-th method runs with the i-th rate (a single method or rate goes with
    every one of the other list). ``beta``, ``beta2`` and ``eps`` go only
    to the methods that use them. Other options are as in :func:`descend`;
    ``on_progress`` is called as ``on_progress(i, total)`` after each run.

    Examples
    --------
    >>> x, y = sympy.symbols("x y", real=True)
    >>> runs = compare(x**2 + y**2 + x*y, (x, y), (1, 3), lrs=(0.1, 0.6, 0.7))
    >>> [r.stop_reason.value for r in runs]
    ['converged', 'converged', 'diverged']
    >>> [r.oscillating for r in runs]
    [False, True, True]
    >>> runs = compare(x**2, (x,), (1,), methods=("gd", "adam"), lrs=(0.1, 0.01), grid=False)
    >>> [(r.method, r.lr) for r in runs]
    [('gd', 0.1), ('adam', 0.01)]
    """
    methods = tuple(methods)
    if not methods:
        raise InputError(_("compare needs at least one method"))
    rates: tuple[Any, ...] = (None,) if lrs is None else tuple(lrs)
    if not rates:
        raise InputError(_("compare needs at least one learning rate"))
    on_progress = options.pop("on_progress", None)
    if "lr" in options or "method" in options:
        raise InputError(_("compare takes lrs= and methods=, not lr= or method="))
    for name in methods:
        _method_info(name)
    if grid or len(methods) == 1 or len(rates) == 1:
        jobs = [(name, rate) for name in methods for rate in rates]
    elif len(methods) == len(rates):
        jobs = list(zip(methods, rates))
    else:
        raise InputError(
            _(
                "{methods} methods and {rates} learning rates cannot be paired:"
                " give one rate per method, or ask for the grid of every combination"
            ).format(methods=len(methods), rates=len(rates))
        )
    limits = options.get("limits") or Limits()
    function, point = _function_and_start(f, variables, start, limits)
    runs = []
    for i, (name, rate) in enumerate(jobs):
        info = METHODS[name]
        given = dict(options)
        for key in ("beta", "beta2", "eps"):
            if getattr(info, key) is None:
                given.pop(key, None)
        runs.append(descend(function, start=point, lr=rate, method=name, **given))
        if on_progress is not None:
            on_progress(i + 1, len(jobs))
    return tuple(runs)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a trajectory is built.

    A run keeps every row it makes, and the collector would walk them again
    and again (a third of the time of a 10,000-step run). Nothing made here
    forms a cycle; the collector resumes, as it was, when the block ends.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
