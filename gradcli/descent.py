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
import math
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from enum import Enum
from functools import lru_cache, reduce
from itertools import chain
from typing import Any

import sympy

from gradcli.budget import time_limit
from gradcli.derivatives import gradient_of, hessian_of
from gradcli.errors import (
    BudgetExceeded,
    DimensionError,
    InputError,
    LimitError,
    MathError,
    UndefinedError,
)
from gradcli.kinds import PointKind, classify, definiteness_from_eigenvalues
from gradcli.limits import Limits
from gradcli.numbers import exact
from gradcli.tolerances import EIGENVALUE_ZERO_APPROXIMATE_POINT

__all__ = [
    "METHODS",
    "METHOD_NAMES",
    "DescentRun",
    "Diagnosis",
    "PointKind",
    "StopReason",
    "compare",
    "descend",
]


class StopReason(str, Enum):
    """Why a descent stopped; the value is the name shown to users."""

    CONVERGED = "converged"
    NO_PROGRESS = "no_progress"
    MAX_STEPS = "max_steps"
    DIVERGED = "diverged"


@dataclass(frozen=True)
class _MethodInfo:
    lr: float
    steps: int
    beta: float | None = None
    beta2: float | None = None
    eps: float | None = None


#: the methods and their defaults
METHODS: dict[str, _MethodInfo] = {
    "gd": _MethodInfo(lr=0.1, steps=1000),
    "momentum": _MethodInfo(lr=0.001, steps=10_000, beta=0.9),
    "nesterov": _MethodInfo(lr=0.001, steps=10_000, beta=0.9),
    "adam": _MethodInfo(lr=0.01, steps=10_000, beta=0.9, beta2=0.999, eps=1e-8),
    "newton": _MethodInfo(lr=1.0, steps=100),
}

#: each method's name in words
METHOD_NAMES: dict[str, str] = {
    "gd": "gradient descent",
    "momentum": "heavy-ball momentum",
    "nesterov": "Nesterov momentum",
    "adam": "Adam",
    "newton": "Newton's method",
}

#: every step is kept (about 200 bytes for two variables): a bound on memory
MAX_STEPS = 2_000_000
#: |f| beyond this multiple of max(1, |f(θ_0)|) counts as divergence
DIVERGENCE_FACTOR = 1e12
#: a component whose step flips sign this many times in a row oscillates
OSCILLATION_RUN = 5
#: eigenvalues within this fraction of max(1, max |λ|) of zero count as zero
ZERO_EIGENVALUE = EIGENVALUE_ZERO_APPROXIMATE_POINT
#: steps per call of the compiled block: more make a faster loop and slower compiling
_UNROLL = 8
#: at most this many variables get several steps unrolled into one call
_UNROLL_MAX_VARIABLES = 6
#: steps per progress report
_CHUNK = 1024


@dataclass(frozen=True)
class Diagnosis:
    """Why a run diverged or oscillated, in terms of the Hessian's spectrum.

    ``largest_eigenvalue`` is L, the largest eigenvalue of the Hessian: exact
    when f is quadratic (its Hessian is constant), else at the start point.
    ``lr_bound`` is the largest stable learning rate for the method on the
    quadratic model (2/L for gd), ``exact_lr_bound`` the same as an exact
    sympy number when it is known (2/3 for x² + y² + xy).
    """

    message: str
    largest_eigenvalue: float | None = None
    smallest_eigenvalue: float | None = None
    lr_bound: float | None = None
    exact_lr_bound: sympy.Expr | None = None
    #: "quadratic" (exact, f is quadratic) or "start" (the Hessian at θ_0)
    where: str = "start"


@dataclass(frozen=True)
class DescentRun:
    """One descent from one start point: the options, the trajectory, the verdict.

    The trajectory holds θ_0 … θ_K (K = ``steps``): ``points``, ``values``,
    ``gradients`` and ``gradient_norms`` have K + 1 entries, ``step_lengths``
    has K: ``step_lengths[k]`` = |θ_{k+1} − θ_k|, the step taken from θ_k.
    Values may be ``nan`` or ``inf`` at the last point of a diverged run.
    """

    expr: sympy.Expr
    variables: tuple[sympy.Symbol, ...]
    method: str
    lr: float
    max_steps: int
    tol: float
    beta: float | None
    beta2: float | None
    eps: float | None
    ascent: bool
    points: tuple[tuple[float, ...], ...]
    values: tuple[float, ...]
    gradients: tuple[tuple[float, ...], ...]
    gradient_norms: tuple[float, ...]
    step_lengths: tuple[float, ...]
    stop_reason: StopReason
    #: K, the number of steps taken
    steps: int
    final_point: tuple[float, ...]
    final_value: float
    gradient_norm: float
    #: one line explaining the stop reason
    message: str
    #: the sign of some component's step flipped step after step
    oscillating: bool
    oscillating_variables: tuple[str, ...]
    diagnosis: Diagnosis | None
    final_kind: PointKind
    #: the Hessian's eigenvalues at the final point, ascending
    final_eigenvalues: tuple[float, ...]
    #: set when the run stopped at a point that is not what it was looking for
    warning: str | None
    exact: bool = False
    lr_exact: sympy.Expr | None = None
    points_exact: tuple[tuple[sympy.Expr, ...], ...] | None = None
    values_exact: tuple[sympy.Expr, ...] | None = None
    gradients_exact: tuple[tuple[sympy.Expr, ...], ...] | None = None
    #: why fewer exact steps than asked for were computed
    exact_note: str | None = None

    @property
    def diverged(self) -> bool:
        """True when the run diverged (the command exits with 3)."""
        return self.stop_reason is StopReason.DIVERGED


# ---------------------------------------------------------------------------
# public functions


def descend(
    expr: sympy.Expr,
    variables: Sequence[sympy.Symbol],
    start: Sequence[Any] | Mapping[sympy.Symbol, Any],
    *,
    lr: Any = None,
    steps: int | None = None,
    tol: float = 1e-8,
    method: str = "gd",
    beta: float | None = None,
    beta2: float | None = None,
    eps: float | None = None,
    ascent: bool = False,
    exact: bool = False,
    max_exact_steps: int = 20,
    on_progress: Callable[[int, int], None] | None = None,
    limits: Limits | None = None,
) -> DescentRun:
    """Run gradient descent (or a relative) on ``expr`` from ``start``.

    Parameters
    ----------
    expr : sympy.Expr
        The function f, in the real symbols ``variables`` only.
    variables : sequence of sympy.Symbol
        The variables θ, in the order of ``start``.
    start : sequence of numbers, or mapping
        θ_0: ints, floats, Fractions or sympy numbers, in the order of
        ``variables``; or ``{symbol: value}`` as ``parse_point`` returns it,
        where values given for parameters of f are put into f.
    lr, steps, beta, beta2, eps : optional
        Learning rate α, most steps, and the method's constants; None takes
        the method's default (see the module docstring).
    tol : float
        Stop when |∇f(θ_k)| < tol.
    method : str
        One of ``gd``, ``momentum``, ``nesterov``, ``adam``, ``newton``.
    ascent : bool
        Climb instead: θ ← θ + α∇f, to maximise f.
    exact : bool
        Also compute the first ``max_exact_steps`` steps in exact arithmetic.
    on_progress : callable, optional
        Called as ``on_progress(k, steps)`` every 1024 steps and at the end.
    limits : Limits, optional
        Time budgets and the size bound on exact numbers.

    Returns
    -------
    DescentRun

    Examples
    --------
    >>> x, y = sympy.symbols("x y", real=True)
    >>> run = descend(x**2 + y**2 + x*y, (x, y), (1, 3), lr=0.1)
    >>> run.stop_reason.value, run.final_kind.value
    ('converged', 'minimum')
    >>> descend(x**2, (x,), (1,), exact=True, steps=3).points_exact
    ((1,), (4/5,), (16/25,), (64/125,))
    """
    limits = limits or Limits()
    if isinstance(start, Mapping):
        expr, start = _split_point(expr, variables, start)
    variables = _check_variables(expr, variables)
    options = _resolve_options(method, lr=lr, steps=steps, tol=tol, beta=beta, beta2=beta2, eps=eps)
    start_exact = _check_start(start, variables)
    if max_exact_steps < 0:
        raise InputError(f"the number of exact steps must be at least 0, got {max_exact_steps}")
    with time_limit(limits.timeout, "preparing f for descent"):
        program = _compile(expr, variables, options.method)
    theta0 = tuple(float(v) for v in start_exact)
    with time_limit(limits.timeout, "gradient descent"), _collector_paused():
        raw = _run(program, options, theta0, ascent=ascent, on_progress=on_progress)
        run = _assemble(
            expr, variables, program, options, raw, theta0, ascent=ascent, limits=limits
        )
    if exact:
        run = _with_exact_steps(
            run, program, options, start_exact, min(run.steps, max_exact_steps), limits
        )
    return run


def compare(
    expr: sympy.Expr,
    variables: Sequence[sympy.Symbol],
    start: Sequence[Any] | Mapping[sympy.Symbol, Any],
    *,
    lrs: Iterable[Any] | None = None,
    methods: Iterable[str] = ("gd",),
    **options: Any,
) -> tuple[DescentRun, ...]:
    """Run several learning rates and/or methods from the same start.

    Each method runs with each learning rate in ``lrs`` (its own default lr
    when ``lrs`` is None), in the order given. ``beta``, ``beta2`` and ``eps``
    go only to the methods that use them. Other options are as in
    :func:`descend`; ``on_progress`` is called as ``on_progress(i, total)``
    after each run.

    Examples
    --------
    >>> x, y = sympy.symbols("x y", real=True)
    >>> runs = compare(x**2 + y**2 + x*y, (x, y), (1, 3), lrs=(0.1, 0.6, 0.7))
    >>> [r.stop_reason.value for r in runs]
    ['converged', 'converged', 'diverged']
    >>> [r.oscillating for r in runs]
    [False, True, True]
    """
    methods = tuple(methods)
    if not methods:
        raise InputError("compare needs at least one method")
    rates: tuple[Any, ...] = (None,) if lrs is None else tuple(lrs)
    if not rates:
        raise InputError("compare needs at least one learning rate")
    on_progress = options.pop("on_progress", None)
    if "lr" in options or "method" in options:
        raise InputError("compare takes lrs= and methods=, not lr= or method=")
    for name in methods:
        _method_info(name)
    jobs = [(name, rate) for name in methods for rate in rates]
    runs = []
    for i, (name, rate) in enumerate(jobs):
        info = METHODS[name]
        given = dict(options)
        for key in ("beta", "beta2", "eps"):
            if getattr(info, key) is None:
                given.pop(key, None)
        runs.append(descend(expr, variables, start, lr=rate, method=name, **given))
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


# ---------------------------------------------------------------------------
# checking the input


@dataclass(frozen=True)
class _Options:
    method: str
    lr: float
    lr_exact: sympy.Expr
    steps: int
    tol: float
    beta: float | None
    beta2: float | None
    eps: float | None


def _method_info(method: str) -> _MethodInfo:
    if not isinstance(method, str) or method not in METHODS:
        known = ", ".join(METHODS)
        raise InputError(f"unknown method {method!r}: choose one of {known}")
    return METHODS[method]


def _resolve_options(
    method: str,
    *,
    lr: Any,
    steps: int | None,
    tol: float,
    beta: float | None,
    beta2: float | None,
    eps: float | None,
) -> _Options:
    info = _method_info(method)
    lr_exact = exact(info.lr if lr is None else lr, "the learning rate")
    lr_value = float(lr_exact)
    if not lr_value > 0 or not math.isfinite(lr_value):
        raise InputError(f"the learning rate must be positive, got {_show(lr)}")
    if steps is None:
        steps = info.steps
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise InputError(f"the number of steps must be at least 1, got {steps!r}")
    if steps > MAX_STEPS:
        raise LimitError(f"at most {MAX_STEPS:,} steps can be recorded, got {steps:,}")
    tol_value = _plain_float(tol, "the tolerance")
    if not tol_value > 0 or not math.isfinite(tol_value):
        raise InputError(f"the tolerance must be positive, got {tol!r}")
    constants: dict[str, float | None] = {}
    for name, given in (("beta", beta), ("beta2", beta2), ("eps", eps)):
        default = getattr(info, name)
        if default is None:
            if given is not None:
                raise InputError(f"--{name} does not apply to --method {method}")
            constants[name] = None
            continue
        value = default if given is None else _plain_float(given, name)
        if name == "eps":
            if not (value > 0 and math.isfinite(value)):
                raise InputError(f"eps must be positive, got {given!r}")
        elif not 0 <= value < 1:
            raise InputError(f"{name} must be in [0, 1), got {given!r}")
        constants[name] = value
    return _Options(
        method=method,
        lr=lr_value,
        lr_exact=lr_exact,
        steps=steps,
        tol=tol_value,
        beta=constants["beta"],
        beta2=constants["beta2"],
        eps=constants["eps"],
    )


def _check_variables(expr: Any, variables: Sequence[Any]) -> tuple[sympy.Symbol, ...]:
    if not isinstance(expr, sympy.Expr):
        raise InputError("the function must be a sympy expression")
    if isinstance(variables, sympy.Symbol):
        variables = (variables,)
    variables = tuple(variables)
    if not variables:
        raise InputError("descent needs at least one variable")
    for v in variables:
        if not isinstance(v, sympy.Symbol):
            raise InputError(f"{v!r} is not a variable")
    if len(set(variables)) != len(variables):
        raise InputError("a variable is listed twice")
    extra = expr.free_symbols - set(variables)
    if extra:
        names = ", ".join(sorted(str(s) for s in extra))
        raise InputError(f"f depends on {names} besides its variables: give their values")
    if expr.has(sympy.I, sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise InputError("f must be a real-valued, finite expression")
    return variables


def _split_point(
    expr: Any, variables: Sequence[Any], point: Mapping[Any, Any]
) -> tuple[Any, tuple[Any, ...]]:
    """A point given as {symbol: value} (``parse_point``'s result): the start
    in the order of ``variables``, and f with any named parameters put in."""
    if isinstance(variables, sympy.Symbol):
        variables = (variables,)
    missing = [str(v) for v in variables if v not in point]
    if missing:
        raise DimensionError(f"the start point gives no value for {', '.join(missing)}")
    extra = {k: v for k, v in point.items() if k not in set(variables)}
    if extra:
        free: set[Any] = getattr(expr, "free_symbols", set())
        unknown = sorted(str(k) for k in extra if k not in free)
        if unknown:
            raise InputError(f"{', '.join(unknown)} is neither a variable nor a parameter of f")
        values = {k: exact(v, f"the value of {k}") for k, v in extra.items()}
        expr = expr.xreplace(values)
    return expr, tuple(point[v] for v in variables)


def _check_start(
    start: Sequence[Any], variables: tuple[sympy.Symbol, ...]
) -> tuple[sympy.Expr, ...]:
    if isinstance(start, (str, bytes)) or not isinstance(start, Iterable):
        raise InputError("the start point must be a sequence of numbers")
    values = tuple(start)
    if len(values) != len(variables):
        raise DimensionError(
            f"the start point has {len(values)} coordinate{'s' * (len(values) != 1)}"
            f" but f has {len(variables)} variable{'s' * (len(variables) != 1)}"
        )
    return tuple(exact(v, "a start coordinate") for v in values)


def _plain_float(value: Any, what: str) -> float:
    if isinstance(value, (bool, str, bytes)):
        raise InputError(f"{what} must be a number, got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be a number, got {value!r}") from None


def _show(value: Any) -> str:
    return str(value) if isinstance(value, sympy.Basic) else repr(value)


# ---------------------------------------------------------------------------
# compiling f, ∇f and the update into one function


def _printer() -> Any:
    """sympy's own Python printer, told to refuse what ``math`` cannot compute
    (DiracDelta, say) rather than write a name that fails when called."""
    from sympy.printing.pycode import PythonCodePrinter

    return PythonCodePrinter(
        {"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": False}
    )


class _Emitter:
    """Collects straight-line assignments ``symbol = expression``."""

    def __init__(self) -> None:
        self.assignments: list[tuple[sympy.Symbol, sympy.Expr]] = []

    def __call__(self, expr: Any) -> Any:
        if isinstance(expr, sympy.Basic) and not expr.is_Atom:
            name = sympy.Dummy()
            self.assignments.append((name, expr))
            return name
        return expr


def _identity(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class _Layout:
    """Where things are in what a compiled block takes and returns.

    A block of ``unroll`` steps takes the *carry* and returns ``(carry',
    record)``. The carry is ``θ, state, params`` (the method's extra state:
    momentum buffers, Adam's moments; its constants) and the checks of the
    block's last step: [the squared lengths of the last two steps, for
    methods whose step is not α|∇f|,] |∇f|² and f. The record holds one row
    per step, ``g_1..g_n, θ'_1..θ'_n``: ∇f at θ_k, then θ_{k+1}. The values
    f(θ_k) are not computed in the loop but afterwards, from the records.
    """

    n: int
    unroll: int
    has_step: bool
    n_state: int
    n_params: int

    @property
    def width(self) -> int:
        return 2 * self.n

    @property
    def records(self) -> int:
        return self.unroll * self.width

    @property
    def gradient_at(self) -> int:
        return 0

    @property
    def point_at(self) -> int:
        return self.n

    @property
    def checks(self) -> int:
        return 2 + 2 * self.has_step

    @property
    def carry(self) -> int:
        return self.n + self.n_state + self.n_params + self.checks


#: a block: carry -> (carry', record)
_Block = Callable[[tuple[Any, ...]], tuple[tuple[Any, ...], tuple[Any, ...]]]


@dataclass(frozen=True)
class _Program:
    """Compiled pieces for one (f, variables, method)."""

    expr: sympy.Expr
    variables: tuple[sympy.Symbol, ...]
    gradient: tuple[sympy.Expr, ...]
    hessian: tuple[tuple[sympy.Expr, ...], ...]
    method: str
    layout: _Layout
    block: _Block
    #: a block's record -> f at each of its rows' θ_{k+1}
    values: Callable[[tuple[Any, ...]], tuple[Any, ...]]
    #: the same, one step per call; built when a block fails part way
    single: Callable[[], _Block]
    #: θ -> (f, g) as floats (Newton and point checks)
    value_and_gradient: Callable[..., tuple[Any, ...]]
    #: θ -> the Hessian's upper triangle, row by row (None: not computable)
    hessian_upper: Callable[..., tuple[Any, ...]] | None


def _update_rule(
    method: str,
    theta: Sequence[Any],
    grad: Sequence[Any],
    state: Sequence[Any],
    params: Sequence[Any],
    emit: Callable[[Any], Any],
    sqrt: Callable[[Any], Any],
) -> tuple[list[Any], list[Any]]:
    """One step of ``method``: (θ', state').

    Written once for floats, exact numbers and sympy symbols (code
    generation). ``params[0]`` is the signed learning rate (−α for ascent).
    """
    n = len(theta)
    a = params[0]
    if method == "gd":
        return [emit(theta[i] - a * grad[i]) for i in range(n)], []
    if method in ("momentum", "nesterov"):
        beta = params[1]
        buffer = [emit(beta * state[i] + grad[i]) for i in range(n)]
        if method == "momentum":
            direction = buffer
        else:
            direction = [emit(grad[i] + beta * buffer[i]) for i in range(n)]
        return [emit(theta[i] - a * direction[i]) for i in range(n)], buffer
    if method == "adam":
        beta1, one_minus_beta1, beta2, one_minus_beta2, eps = params[1:6]
        m = [emit(beta1 * state[i] + one_minus_beta1 * grad[i]) for i in range(n)]
        v = [emit(beta2 * state[n + i] + one_minus_beta2 * grad[i] * grad[i]) for i in range(n)]
        c1 = emit(state[2 * n] * beta1)
        c2 = emit(state[2 * n + 1] * beta2)
        k1 = emit(1 / (1 - c1))
        k2 = emit(1 / (1 - c2))
        direction = [emit(m[i] * k1 / (sqrt(v[i] * k2) + eps)) for i in range(n)]
        return [emit(theta[i] - a * direction[i]) for i in range(n)], [*m, *v, c1, c2]
    raise AssertionError(method)  # pragma: no cover - checked by _method_info


def _total(terms: list[Any]) -> Any:
    """The sum of at least one term, without a leading 0."""
    return reduce(operator.add, terms)


def _state_size(method: str, n: int) -> int:
    return {"gd": 0, "momentum": n, "nesterov": n, "adam": 2 * n + 2, "newton": 0}[method]


def _initial_state(method: str, n: int) -> tuple[float, ...]:
    if method == "adam":
        return (0.0,) * (2 * n) + (1.0, 1.0)
    return (0.0,) * _state_size(method, n)


def _params(options: _Options, sign: float) -> tuple[float, ...]:
    a = sign * options.lr
    if options.method in ("momentum", "nesterov"):
        return (a, options.beta or 0.0)
    if options.method == "adam":
        b1, b2 = options.beta or 0.0, options.beta2 or 0.0
        return (a, b1, 1 - b1, b2, 1 - b2, options.eps or 0.0)
    return (a,)


def _n_params(method: str) -> int:
    return {"momentum": 2, "nesterov": 2, "adam": 6}.get(method, 1)


def _hoist_powers(
    assignments: list[tuple[sympy.Symbol, sympy.Expr]], exprs: list[sympy.Expr]
) -> tuple[list[tuple[sympy.Symbol, sympy.Expr]], list[sympy.Expr]]:
    """Write every small integer power as products of one named base.

    ``u**2`` becomes the product ``u*u`` and ``u**-2`` the quotient
    ``1/(u*u)``, as unevaluated sympy nodes, so that sympy's own printer
    writes them (CPython has a fast path for float products, none for
    ``**``) with its own, correct, brackets. A compound base gets a name
    first, so it is computed once.
    """
    out: list[tuple[sympy.Symbol, sympy.Expr]] = []

    def visit(expr: sympy.Expr) -> sympy.Expr:
        if expr.is_Atom:
            return expr
        args = [visit(arg) for arg in expr.args]
        if any(new is not old for new, old in zip(args, expr.args)):
            # unevaluated, or sympy would fold u*u back into u**2
            with sympy.evaluate(False):
                expr = expr.func(*args)
        if isinstance(expr, sympy.Pow) and expr.exp.is_Integer and 2 <= abs(int(expr.exp)) <= 4:
            base = expr.base
            if not base.is_Atom:
                base = sympy.Dummy()
                out.append((base, expr.base))
            k = int(expr.exp)
            product = sympy.Mul(*[base] * abs(k), evaluate=False)
            expr = product if k > 0 else sympy.Pow(product, -1, evaluate=False)
        return expr

    for name, expr in assignments:
        new = visit(expr)
        out.append((name, new))
    return out, [visit(e) for e in exprs]


@lru_cache(maxsize=32)
def _compile(expr: sympy.Expr, variables: tuple[sympy.Symbol, ...], method: str) -> _Program:
    n = len(variables)
    # the same ∇f and Hessian as every other command: compiled here, never re-derived
    gradient = gradient_of(expr, variables)
    hessian = hessian_of(expr, variables)
    # generated code names the variables _v0, _v1…: a user's "e" or "pi"
    # must not meet math.e or math.pi there
    safe = tuple(sympy.Symbol(f"_v{i}", real=True) for i in range(n))
    rename = dict(zip(variables, safe))
    template, reduced = _shared_subexpressions(
        [expr.xreplace(rename), *(g.xreplace(rename) for g in gradient)]
    )
    template, reduced = _hoist_powers(list(template), list(reduced))
    upper = tuple(hessian[i][j].xreplace(rename) for i in range(n) for j in range(i, n))
    hessian_upper: Callable[..., tuple[Any, ...]] | None = None
    try:
        # the Hessian only classifies the end point, except for Newton's
        # method; |x| has one (DiracDelta) that Python cannot evaluate
        hessian_upper = _lambdify(list(safe), upper, None)
    except NotImplementedError:
        if method == "newton":
            raise MathError("Newton's method needs a Hessian that can be evaluated") from None
    try:
        value_and_gradient = _lambdify(list(safe), tuple(reduced), template)
        if method != "newton":
            size = len(template) + sum(_count_nodes(e) for e in reduced)
            unroll = _UNROLL if n <= _UNROLL_MAX_VARIABLES and size <= 400 else 1
            block = _block_function(template, reduced, safe, method, unroll)
            values = _values_function(template, reduced, safe, block[1])
    except NotImplementedError as error:
        # sympy's printer names the function it cannot write in Python
        detail = str(error).splitlines()[0].rsplit(":", 1)[-1].strip()
        raise MathError(f"f cannot be evaluated numerically: {detail} is not supported") from None
    if method == "newton":
        layout = _Layout(n=n, unroll=1, has_step=True, n_state=0, n_params=1)

        def unavailable() -> _Block:
            raise AssertionError("newton runs without a compiled block")  # pragma: no cover

        return _Program(
            expr, variables, gradient, hessian, method, layout, _no_block, _no_block,
            unavailable, value_and_gradient, hessian_upper,
        )  # fmt: skip
    cache: list[_Block] = []

    def single() -> _Block:
        if not cache:
            cache.append(
                block[0] if unroll == 1 else _block_function(template, reduced, safe, method, 1)[0]
            )
        return cache[0]

    return _Program(
        expr, variables, gradient, hessian, method, block[1], block[0], values, single,
        value_and_gradient, hessian_upper,
    )  # fmt: skip


def _shared_subexpressions(
    exprs: list[sympy.Expr],
) -> tuple[list[tuple[sympy.Symbol, sympy.Expr]], list[sympy.Expr]]:
    """Common subexpressions, with sympy's "basic" rewriting when it is cheap.

    The rewriting finds the shared x - 1 and x**2 - y of Rosenbrock's f and
    ∇f, which plain elimination misses once diff has expanded 200*(y - x**2).
    """
    if sum(_count_nodes(e, 2_000) for e in exprs) < 2_000:
        try:
            with time_limit(1.0, "simplifying f"):
                return sympy.cse(exprs, optimizations="basic")
        except BudgetExceeded:
            pass
    return sympy.cse(exprs)


def _no_block(carry: tuple[Any, ...]) -> Any:  # pragma: no cover
    raise AssertionError("newton runs without a compiled block")


def _count_nodes(expr: sympy.Basic, cap: int = 10_000) -> int:
    count = 0
    for _ in sympy.preorder_traversal(expr):
        count += 1
        if count >= cap:
            break
    return count


def _block_function(
    template: list[tuple[sympy.Symbol, sympy.Expr]],
    reduced: list[sympy.Expr],
    variables: tuple[sympy.Symbol, ...],
    method: str,
    unroll: int,
) -> tuple[_Block, _Layout]:
    """Straight-line code for ``unroll`` steps: carry -> (carry', record)."""
    n = len(variables)
    has_step = method != "gd"
    layout = _Layout(
        n=n, unroll=unroll, has_step=has_step, n_state=_state_size(method, n),
        n_params=_n_params(method),
    )  # fmt: skip
    inputs = [sympy.Symbol(f"_in{i}") for i in range(layout.carry)]
    theta: list[Any] = inputs[:n]
    state: list[Any] = inputs[n : n + layout.n_state]
    params = inputs[n + layout.n_state : n + layout.n_state + layout.n_params]
    emit = _Emitter()
    records: list[Any] = []
    # the squared length of the step before the block's first
    steps2: list[Any] = [inputs[layout.carry - 3]] if has_step else []
    mapping: dict[sympy.Basic, Any] = {}
    grad: list[Any] = []
    # unevaluated arithmetic: building the code costs a fraction of the time,
    # and the code is what was written, operation for operation
    with sympy.evaluate(False):
        for step in range(unroll):
            mapping = dict(zip(variables, theta))
            for name, sub in template:
                mapping[name] = emit(sub.xreplace(mapping))
            grad = [emit(g.xreplace(mapping)) for g in reduced[1:]]
            new, state = _update_rule(method, theta, grad, state, params, emit, sympy.sqrt)
            if has_step and step >= unroll - 2:
                # the step as taken in floating point, so that standing still shows
                moves = [emit(t1 - t0) for t0, t1 in zip(theta, new)]
                steps2.append(emit(_total([d * d for d in moves])))
            records.extend(grad)
            records.extend(new)
            theta = new
        # the last step's f and |∇f|², for the test at the end of the block
        value = emit(reduced[0].xreplace(mapping))
        norm2 = emit(_total([g * g for g in grad]))
    carry = (*theta, *state, *params, *steps2[-2:], norm2, value)
    assert len(carry) == layout.carry
    function = sympy.lambdify(
        [tuple(inputs)], (carry, tuple(records)), modules="math", printer=_printer(),
        cse=lambda e: (emit.assignments, e), docstring_limit=0,
    )  # fmt: skip
    return function, layout


def _values_function(
    template: list[tuple[sympy.Symbol, sympy.Expr]],
    reduced: list[sympy.Expr],
    variables: tuple[sympy.Symbol, ...],
    layout: _Layout,
) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """Straight-line code: a block's record -> f at each row's θ_{k+1}."""
    n, width = layout.n, layout.width
    inputs = [sympy.Symbol(f"_in{i}") for i in range(layout.records)]
    emit = _Emitter()
    values = []
    # only the subexpressions (shared with ∇f) that f needs
    needed = set(reduced[0].free_symbols)
    for name, sub in reversed(template):
        if name in needed:
            needed |= sub.free_symbols
    used = [(name, sub) for name, sub in template if name in needed]
    with sympy.evaluate(False):
        for step in range(layout.unroll):
            at = step * width + n
            mapping: dict[sympy.Basic, Any] = dict(zip(variables, inputs[at : at + n]))
            for name, sub in used:
                mapping[name] = emit(sub.xreplace(mapping))
            values.append(emit(reduced[0].xreplace(mapping)))
    function: Callable[[tuple[Any, ...]], tuple[Any, ...]] = sympy.lambdify(
        [tuple(inputs)], tuple(values), modules="math", printer=_printer(),
        cse=lambda e: (emit.assignments, e), docstring_limit=0,
    )  # fmt: skip
    return function


def _lambdify(
    args: list[sympy.Symbol],
    outputs: tuple[sympy.Expr, ...],
    template: list[tuple[sympy.Symbol, sympy.Expr]] | None,
) -> Callable[..., tuple[Any, ...]]:
    if template is None:
        return sympy.lambdify(
            args, outputs, modules="math", printer=_printer(), cse=True, docstring_limit=0
        )
    assignments = list(template)
    return sympy.lambdify(
        args, outputs, modules="math", printer=_printer(),
        cse=lambda e: (assignments, e), docstring_limit=0,
    )  # fmt: skip


# ---------------------------------------------------------------------------
# running


@dataclass(frozen=True)
class _Raw:
    """What the loop hands to the assembly: rows of ``layout.width`` floats
    (∇f(θ_k), θ_{k+1}), the values f(θ_k), and why the run stopped."""

    flat: list[Any]
    values: list[Any]
    count: int
    reason: StopReason
    detail: str
    f0: float
    #: |∇f(θ_k)| for each row, when already computed
    norms: list[float] | None = None


_EVALUATION_ERRORS = (ArithmeticError, ValueError, TypeError)


def _start_values(program: _Program, theta0: tuple[float, ...]) -> tuple[float, tuple[float, ...]]:
    where = _point_text(theta0)
    try:
        out = program.value_and_gradient(*theta0)
        value = float(out[0])
    except _EVALUATION_ERRORS as error:
        point = dict(zip(program.variables, (exact(v, "θ") for v in theta0)))
        if _value_at(program.expr, point) is not None:
            raise UndefinedError(
                f"the gradient of f is undefined at the start point {where}"
            ) from None
        raise UndefinedError(f"f is undefined at the start point {where}: {error}") from None
    if not math.isfinite(value):
        raise UndefinedError(f"f is not finite at the start point {where}")
    try:
        grad = tuple(float(g) for g in out[1:])
    except _EVALUATION_ERRORS:
        grad = (math.nan,)
    if not all(math.isfinite(g) for g in grad):
        raise UndefinedError(f"the gradient of f is undefined at the start point {where}")
    return value, grad


def _run(
    program: _Program,
    options: _Options,
    theta0: tuple[float, ...],
    *,
    ascent: bool,
    on_progress: Callable[[int, int], None] | None,
) -> _Raw:
    f0, _ = _start_values(program, theta0)
    if options.method == "newton":
        raw = _run_newton(program, options, theta0, f0, on_progress)
    else:
        raw = _run_blocks(program, options, theta0, f0, ascent, on_progress)
    if on_progress is not None:
        on_progress(raw.count - 1, options.steps)
    return raw


@dataclass(frozen=True)
class _Bounds:
    """The stop tests' thresholds for one run."""

    #: |f| beyond this is divergence
    high: float
    tol: float
    #: a step shorter than this is tiny (no progress after two in a row)
    small: float

    @classmethod
    def of(cls, options: _Options, f0: float) -> _Bounds:
        return cls(
            high=DIVERGENCE_FACTOR * max(1.0, abs(f0)),
            tol=options.tol,
            small=options.tol * min(1.0, options.lr),
        )


#: rows of a block: (carry', record) as the compiled block returned it
_Blocks = list[tuple[tuple[Any, ...], tuple[Any, ...]]]


def _run_blocks(
    program: _Program,
    options: _Options,
    theta0: tuple[float, ...],
    f0: float,
    ascent: bool,
    on_progress: Callable[[int, int], None] | None,
) -> _Raw:
    layout = program.layout
    n, unroll = layout.n, layout.unroll
    bounds = _Bounds.of(options, f0)
    total_blocks = -(-(options.steps + 1) // unroll)
    params = _params(options, -1.0 if ascent else 1.0)
    checks = (math.inf,) * layout.checks
    carry0 = (*theta0, *_initial_state(options.method, n), *params, *checks)
    blocks: _Blocks = []
    fast = _fast_steps if layout.has_step else _fast_gd
    chunk = max(1, _CHUNK // unroll) if on_progress is not None else total_blocks
    tests = (-bounds.high, bounds.high, options.tol**2, bounds.small**2)
    stop: tuple[int, StopReason, str] | None = None
    while stop is None and len(blocks) < total_blocks:
        count = min(chunk, total_blocks - len(blocks))
        carry = blocks[-1][0] if blocks else carry0
        try:
            triggered = fast(program.block, carry, count, blocks.append, *tests)
        except _EVALUATION_ERRORS:
            start = blocks[-1][0] if blocks else carry0
            tail = _single_steps(program, options, start, len(blocks) * unroll, bounds)
            return _finish(program, blocks, tail, f0, options, theta0)
        if triggered:
            # the last row of the last block met a test: find the first row
            # of that block that does (a test of the block's end only can
            # miss a row inside it; _finish looks at every row again)
            i = len(blocks) - 1
            carry = blocks[i - 1][0] if i else carry0
            values, failures = _block_values(program, blocks[i - 1 : i + 1] if i else blocks, f0)
            if i:
                values, failures = values[unroll:], {k - unroll: v for k, v in failures.items()}
            before2 = carry[-3] if layout.has_step else math.inf
            stop = _first_stop(
                blocks[i][1], values, failures, layout, i * unroll, carry[:n], before2, bounds
            )
        if on_progress is not None and stop is None and len(blocks) < total_blocks:
            on_progress(len(blocks) * unroll, options.steps)
    return _finish(program, blocks, None, f0, options, theta0)


def _fast_gd(
    block: _Block,
    carry: tuple[Any, ...],
    count: int,
    append: Callable[[Any], None],
    low: float,
    high: float,
    tol2: float,
    step2: float,
) -> bool:
    """The hot loop: one call, one append and one test per block of steps.

    The test is of the block's last step only: |∇f|² ≥ tol² and f within
    bounds (a NaN fails it). A block that raises is not kept, so the last
    block kept holds the carry of the one that failed.
    """
    for _ in range(count):
        out = block(carry)
        append(out)
        carry = out[0]
        if not (carry[-2] >= tol2 and low < carry[-1] < high):
            return True
    return False


def _fast_steps(
    block: _Block,
    carry: tuple[Any, ...],
    count: int,
    append: Callable[[Any], None],
    low: float,
    high: float,
    tol2: float,
    step2: float,
) -> bool:
    """The hot loop for methods whose step is not α|∇f|: also two tiny steps."""
    for _ in range(count):
        out = block(carry)
        append(out)
        carry = out[0]
        if not (
            carry[-2] >= tol2
            and low < carry[-1] < high
            and (carry[-3] >= step2 or carry[-4] >= step2)
        ):
            return True
    return False


def _block_values(
    program: _Program, blocks: _Blocks, f0: float
) -> tuple[list[Any], dict[int, str]]:
    """f(θ_k) for θ_0 (``f0``) and each row's θ_{k+1}, and where f failed.

    One call per block; a block where f cannot be evaluated everywhere is
    done again point by point, and each failure is described by its row.
    """
    values: list[Any] = [f0]
    failures: dict[int, str] = {}
    try:
        values.extend(chain.from_iterable(map(program.values, (out[1] for out in blocks))))
    except _EVALUATION_ERRORS:
        del values[1:]
        n, width = program.layout.n, program.layout.width
        for out in blocks:
            try:
                values.extend(program.values(out[1]))
            except _EVALUATION_ERRORS:
                record = out[1]
                for at in range(n, len(record), width):
                    theta = record[at : at + n]
                    try:
                        values.append(program.value_and_gradient(*theta)[0])
                    except _EVALUATION_ERRORS as error:
                        failures[len(values)] = _undefined_text(theta, error)
                        values.append(math.nan)
    return values, failures


def _norms(flat: Sequence[Any], layout: _Layout) -> list[float]:
    """|∇f(θ_k)| of each row (NaN where a gradient is not a real number)."""
    n, width = layout.n, layout.width
    columns = [flat[i::width] for i in range(n)]
    try:
        return list(map(math.hypot, *columns))
    except TypeError:
        out = []
        for row in zip(*columns):
            try:
                out.append(math.hypot(*row))
            except TypeError:
                out.append(math.nan)
        return out


def _diverged_row(value: Any, norm: float, high: float) -> str | None:
    """Why f(θ_k) = ``value`` and |∇f(θ_k)| = ``norm`` show divergence, or None."""
    if type(value) is complex:
        return "f is not real there"
    if not math.isfinite(value):
        return f"f = {value} is not finite"
    if abs(value) > high:
        return f"|f| = {abs(value):.3g} grew past {DIVERGENCE_FACTOR:g}·max(1, |f(θ_0)|)"
    if not math.isfinite(norm):
        return "the gradient is not finite"
    return None


def _first_stop(
    flat: Sequence[Any],
    values: Sequence[Any],
    failures: Mapping[int, str],
    layout: _Layout,
    first_step: int,
    theta: Sequence[Any],
    before2: float,
    bounds: _Bounds,
    norms: list[float] | None = None,
) -> tuple[int, StopReason, str] | None:
    """The first row of ``flat`` (row i is step ``first_step + i``) that stops a run.

    ``values[i]`` is f at row i's θ (``failures[i]`` says why f could not be
    evaluated there); ``theta`` is where the first row's step started from
    and ``before2`` the squared length of the step before it. Tests, by row
    and then in this order: diverged, converged, no progress. Columns are
    tested whole, at C speed; a row that fails a test is looked at alone.
    """
    width = layout.width
    rows = len(flat) // width
    if rows == 0:
        return None
    values = values[:rows]
    if norms is None:
        norms = _norms(flat, layout)
    found: list[tuple[int, int, StopReason, str]] = []
    try:
        clean = (
            math.isfinite(sum(values) + sum(norms))
            and max(values) <= bounds.high
            and min(values) >= -bounds.high
        )
    except TypeError:
        clean = False
    if not clean:
        for i in range(rows):
            detail = failures.get(i) or _diverged_row(values[i], norms[i], bounds.high)
            if detail is not None:
                found.append((i, 0, StopReason.DIVERGED, detail))
                break
    converged = _first_below(norms, bounds.tol)
    if converged >= 0:
        found.append((converged, 1, StopReason.CONVERGED, ""))
    if layout.has_step:
        lengths = _step_lengths(flat, layout, theta)
        tiny = bytes(map(bounds.small.__gt__, lengths))
        before = before2 < bounds.small**2
        # two tiny steps in a row: the second is the row that stops
        pair = ((b"\x01" if before else b"\x00") + tiny).find(b"\x01\x01")
        if pair >= 0:
            found.append((pair, 2, StopReason.NO_PROGRESS, ""))
    if not found:
        return None
    i, _, reason, detail = min(found)
    return first_step + i, reason, detail


def _first_below(numbers: list[float], bound: float) -> int:
    """The index of the first number below ``bound`` (-1 if none; NaN is not).

    ``min`` settles most cases at C speed: a converged run usually meets
    the test at its last row only.
    """
    if not numbers:
        return -1
    if numbers[0] < bound:
        return 0
    if numbers[0] >= bound:  # not NaN: then min passes over any NaN after it
        if min(numbers) >= bound:
            return -1
        if numbers[-1] < bound and min(numbers[:-1]) >= bound:
            return len(numbers) - 1
    return bytes(map(bound.__gt__, numbers)).find(1)


def _step_lengths(flat: Sequence[Any], layout: _Layout, theta: Sequence[Any]) -> list[float]:
    """|θ_{k+1} − θ_k| for each row, θ_k of the first row being ``theta``."""
    n, width = layout.n, layout.width
    moves = []
    for i in range(n):
        nexts = flat[n + i :: width]
        moves.append(map(operator.sub, nexts, [theta[i], *nexts[:-1]]))
    try:
        return list(map(math.hypot, *moves))
    except TypeError:
        return [math.nan] * (len(flat) // width)


@dataclass(frozen=True)
class _Tail:
    """Rows made one step at a time after a block failed, and why they end."""

    rows: list[tuple[Any, ...]]
    values: list[Any]
    stop: tuple[int, StopReason, str]


def _single_steps(
    program: _Program,
    options: _Options,
    carry: tuple[Any, ...],
    first_step: int,
    bounds: _Bounds,
) -> _Tail:
    """Redo a block that raised, one step at a time, to find the step that fails."""
    single = program.single()
    layout = program.layout
    width, n = layout.width, layout.n
    rows: list[tuple[Any, ...]] = []
    values: list[Any] = []
    k = first_step
    while True:
        try:
            out_carry, record = single(carry)
            row = tuple(float(v) for v in record[:width])
            value = float(out_carry[-1])
        except _EVALUATION_ERRORS as error:
            rows.append((math.nan,) * width)
            values.append(math.nan)
            return _Tail(rows, values, (k, StopReason.DIVERGED, _undefined_text(carry[:n], error)))
        rows.append(row)
        values.append(value)
        before2 = carry[-3] if layout.has_step else math.inf
        stop = _first_stop(row, (value,), {}, layout, k, carry[:n], before2, bounds)
        if stop is None and k >= options.steps:
            stop = (k, StopReason.MAX_STEPS, "")
        if stop is not None:
            return _Tail(rows, values, stop)
        carry = out_carry
        k += 1


def _undefined_text(theta: Sequence[Any], error: BaseException) -> str:
    if isinstance(error, TypeError):
        # a complex number met a comparison or a float conversion
        return f"f is not real at {_point_text(theta)}"
    return f"f cannot be evaluated at {_point_text(theta)} ({error or type(error).__name__})"


def _finish(
    program: _Program,
    blocks: _Blocks,
    tail: _Tail | None,
    f0: float,
    options: _Options,
    theta0: tuple[float, ...],
) -> _Raw:
    """Rows and values up to the stop, every row tested again at C speed.

    The hot loop tests the last row of each block only, so a stop inside a
    block can pass unseen; the steps after it changed nothing before it, so
    cutting the rows there gives the run that would have stopped in time.
    """
    layout = program.layout
    width = layout.width
    flat: list[Any] = list(chain.from_iterable(map(operator.itemgetter(1), blocks)))
    values, failures = _block_values(program, blocks, f0)
    blocks.clear()  # the rows live on in ``flat``: a long run's memory, not twice
    if tail is not None:
        del values[len(flat) // width :]
        flat.extend(chain.from_iterable(tail.rows))
        values.extend(tail.values)
    rows = min(len(flat) // width, options.steps + 1)
    del flat[rows * width :]
    del values[rows:]
    norms = _norms(flat, layout)
    bounds = _Bounds.of(options, f0)
    stop = _first_stop(flat, values, failures, layout, 0, theta0, math.inf, bounds, norms)
    hint = tail.stop if tail is not None else None
    # the failure that sent the loop step by step names its own cause
    if hint is not None and (
        stop is None or hint[0] < stop[0] or (hint[0] == stop[0] and hint[1] is StopReason.DIVERGED)
    ):
        stop = hint
    if stop is None or stop[0] > options.steps:
        stop = (options.steps, StopReason.MAX_STEPS, "")
    count = stop[0] + 1
    del flat[count * width :]
    del values[count:]
    del norms[count:]
    if type(values[-1]) is complex:
        values[-1] = math.nan
    last = flat[(count - 1) * width :]
    if any(type(v) is complex for v in last):
        flat[(count - 1) * width :] = [math.nan if type(v) is complex else v for v in last]
    raw = _Raw(flat, values, count, stop[1], stop[2], f0, norms)
    if raw.reason is StopReason.MAX_STEPS and not layout.has_step:
        raw = _stagnation(raw, layout)
    return raw


def _stagnation(raw: _Raw, layout: _Layout) -> _Raw:
    """Gradient descent that stood still: θ − α∇f rounds back to θ.

    Once a gd step leaves θ unchanged, every later one does too, so the run
    is cut where that began and reported as ``no_progress``. (The hot loop
    does not compute gd's step; this looks at the points afterwards.)
    """
    width, last = layout.width, raw.count - 1
    # θ_1 … θ_K, one column per variable
    columns = [raw.flat[layout.point_at + i : last * width : width] for i in range(layout.n)]
    if last < 3 or any(column[-1] != column[-2] for column in columns):
        return raw
    same: bytes | None = None
    for column in columns:
        equal = bytes(map(operator.eq, column[1:], column[:-1]))
        same = equal if same is None else bytes(map(operator.and_, same, equal))
    assert same is not None
    # same[j]: θ_{j+2} == θ_{j+1}, so steps j+1 and j+2 were both zero
    count = same.find(1) + 3
    del raw.flat[count * width :]
    norms = raw.norms[:count] if raw.norms is not None else None
    values = raw.values[:count]
    return _Raw(raw.flat, values, count, StopReason.NO_PROGRESS, "", raw.f0, norms)


def _run_newton(
    program: _Program,
    options: _Options,
    theta0: tuple[float, ...],
    f0: float,
    on_progress: Callable[[int, int], None] | None,
) -> _Raw:
    """Newton's method: a plain loop, since each step solves a linear system."""
    n = len(theta0)
    bounds = _Bounds.of(options, f0)
    a = options.lr
    theta = theta0
    flat: list[Any] = []
    values: list[Any] = []
    norms: list[float] = []
    previous_tiny = False
    for k in range(options.steps + 1):
        try:
            out = program.value_and_gradient(*theta)
            value = float(out[0])
            grad = tuple(float(g) for g in out[1:])
        except _EVALUATION_ERRORS as error:
            flat.extend((math.nan,) * (2 * n))
            values.append(math.nan)
            norms.append(math.nan)
            detail = _undefined_text(theta, error)
            return _Raw(flat, values, k + 1, StopReason.DIVERGED, detail, f0, norms)
        norm = math.hypot(*grad)
        values.append(value)
        norms.append(norm)
        found: tuple[StopReason, str] | None = None
        detail_text = _diverged_row(value, norm, bounds.high)
        if detail_text is not None:
            found = (StopReason.DIVERGED, detail_text)
        elif norm < bounds.tol:
            found = (StopReason.CONVERGED, "")
        elif k == options.steps:
            found = (StopReason.MAX_STEPS, "")
        direction: tuple[float, ...] | None = None
        if found is None:
            direction = _newton_direction(program, theta, grad)
            if direction is None:
                found = (
                    StopReason.DIVERGED,
                    f"the Hessian is singular at {_point_text(theta)}:"
                    " the Newton step is undefined",
                )
        if found is not None or direction is None:
            flat.extend((*grad, *(math.nan,) * n))
            reason, detail = found if found is not None else (StopReason.DIVERGED, "")
            return _Raw(flat, values, k + 1, reason, detail, f0, norms)
        new = tuple(t - a * d for t, d in zip(theta, direction))
        flat.extend((*grad, *new))
        tiny = math.hypot(*(t1 - t0 for t0, t1 in zip(theta, new))) < bounds.small
        if tiny and previous_tiny:
            flat[-n:] = [math.nan] * n
            return _Raw(flat, values, k + 1, StopReason.NO_PROGRESS, "", f0, norms)
        previous_tiny = tiny
        theta = new
        if on_progress is not None and k and k % _CHUNK == 0:
            on_progress(k, options.steps)
    raise AssertionError("unreachable")  # pragma: no cover


def _newton_direction(
    program: _Program, theta: tuple[float, ...], grad: tuple[float, ...]
) -> tuple[float, ...] | None:
    """H⁻¹ g at θ, or None when H is singular or cannot be evaluated."""
    matrix = _hessian_at(program, theta)
    if matrix is None:
        return None
    n = len(theta)
    if n == 1:
        h = matrix[0][0]
        return None if h == 0 else (grad[0] / h,)
    import numpy

    try:
        solution = numpy.linalg.solve(numpy.array(matrix), numpy.array(grad))
    except numpy.linalg.LinAlgError:
        return None
    result = tuple(float(v) for v in solution)
    return result if all(math.isfinite(v) for v in result) else None


def _hessian_at(program: _Program, theta: Sequence[float]) -> list[list[float]] | None:
    n = len(theta)
    if program.hessian_upper is None:
        return None
    try:
        upper = [float(v) for v in program.hessian_upper(*theta)]
    except _EVALUATION_ERRORS:
        return None
    if not all(math.isfinite(v) for v in upper):
        return None
    matrix = [[0.0] * n for _ in range(n)]
    it = iter(upper)
    for i in range(n):
        for j in range(i, n):
            matrix[i][j] = matrix[j][i] = next(it)
    return matrix


def _eigenvalues(matrix: list[list[float]]) -> tuple[float, ...]:
    """Ascending eigenvalues of a symmetric matrix (closed form up to 2×2)."""
    n = len(matrix)
    if n == 1:
        return (matrix[0][0],)
    if n == 2:
        a, b, c = matrix[0][0], matrix[0][1], matrix[1][1]
        mean = (a + c) / 2
        radius = math.hypot((a - c) / 2, b)
        return (mean - radius, mean + radius)
    import numpy

    return tuple(float(v) for v in numpy.linalg.eigvalsh(numpy.array(matrix)))


# ---------------------------------------------------------------------------
# from rows to a DescentRun


def _assemble(
    expr: sympy.Expr,
    variables: tuple[sympy.Symbol, ...],
    program: _Program,
    options: _Options,
    raw: _Raw,
    theta0: tuple[float, ...],
    *,
    ascent: bool,
    limits: Limits,
) -> DescentRun:
    layout = program.layout
    width, n, flat = layout.width, layout.n, raw.flat
    steps = raw.count - 1
    values = tuple(raw.values)
    norms = tuple(raw.norms if raw.norms is not None else _norms(flat, layout))
    gradients = tuple(zip(*(flat[layout.gradient_at + i :: width] for i in range(n))))
    columns = [[theta0[i], *flat[layout.point_at + i : steps * width : width]] for i in range(n)]
    points = tuple(zip(*columns))
    if layout.has_step:
        lengths = tuple(_step_lengths(flat[: steps * width], layout, theta0))
    else:
        lengths = tuple(map(options.lr.__mul__, norms[:steps]))
    oscillating_in = _oscillating(columns)
    names = tuple(str(v) for v in variables)
    final_point = points[-1]
    kind, eigenvalues = _classify(expr, program, final_point, raw.reason, limits)
    message = _stop_message(raw, options, steps, norms[-1])
    warning = _warning(kind, raw.reason, ascent, norms[-1], eigenvalues)
    diagnosis = None
    if raw.reason is StopReason.DIVERGED or oscillating_in:
        diagnosis = _diagnose(
            program,
            options,
            points[0],
            raw,
            ascent,
            tuple(names[i] for i in oscillating_in),
            limits,
        )
    return DescentRun(
        expr=expr,
        variables=variables,
        method=options.method,
        lr=options.lr,
        max_steps=options.steps,
        tol=options.tol,
        beta=options.beta,
        beta2=options.beta2,
        eps=options.eps,
        ascent=ascent,
        points=points,
        values=values,
        gradients=gradients,
        gradient_norms=norms,
        step_lengths=lengths,
        stop_reason=raw.reason,
        steps=steps,
        final_point=final_point,
        final_value=values[-1],
        gradient_norm=norms[-1],
        message=message,
        oscillating=bool(oscillating_in),
        oscillating_variables=tuple(names[i] for i in oscillating_in),
        diagnosis=diagnosis,
        final_kind=kind,
        final_eigenvalues=eigenvalues,
        warning=warning,
        lr_exact=options.lr_exact,
    )


def _point_text(theta: Sequence[Any]) -> str:
    parts = []
    for v in theta:
        parts.append(f"{v:.6g}" if isinstance(v, float) else str(v))
    return "(" + ", ".join(parts) + ")"


def _oscillating(columns: Sequence[Sequence[float]]) -> tuple[int, ...]:
    """Components whose step flips sign ``OSCILLATION_RUN`` times in a row.

    ``columns`` holds θ_0 … θ_K, one list per component.
    """
    found = []
    run = b"\x01" * OSCILLATION_RUN
    for i, column in enumerate(columns):
        if len(column) < OSCILLATION_RUN + 2:
            continue
        deltas = list(map(operator.sub, column[1:], column[:-1]))
        flips = bytes(map((0.0).__gt__, map(operator.mul, deltas[1:], deltas[:-1])))
        if run in flips:
            found.append(i)
    return tuple(found)


def _classify(
    expr: sympy.Expr,
    program: _Program,
    point: tuple[float, ...],
    reason: StopReason,
    limits: Limits,
) -> tuple[PointKind, tuple[float, ...]]:
    """The kind of point from the Hessian's eigenvalues there (numerically).

    A diverged run ends nowhere in particular (``UNKNOWN``); a run out of steps
    ends at a point that is not critical (``NOT_CRITICAL``), whose eigenvalues
    are still returned.
    """
    if reason is StopReason.DIVERGED or not all(math.isfinite(v) for v in point):
        return PointKind.UNKNOWN, ()
    matrix = _hessian_at(program, point)
    if matrix is None:
        return PointKind.UNKNOWN, ()
    eigenvalues = _eigenvalues(matrix)
    if not all(math.isfinite(v) for v in eigenvalues):
        return PointKind.UNKNOWN, ()
    # a run out of steps ended where |∇f| ≥ tol: its curvature is reported,
    # but a point that is not critical has no kind
    critical = reason is not StopReason.MAX_STEPS
    definiteness = definiteness_from_eigenvalues(eigenvalues, zero=ZERO_EIGENVALUE, floor=1.0)
    kind = classify(definiteness, critical=critical)
    if kind is PointKind.DEGENERATE and len(point) == 1:
        kind = _higher_derivative_test(expr, program.variables[0], point[0], limits)
    return kind, eigenvalues


def _higher_derivative_test(
    expr: sympy.Expr, variable: sympy.Symbol, at: float, limits: Limits
) -> PointKind:
    """One variable with f'' ≈ 0: the first derivative that is not zero decides."""
    try:
        with time_limit(limits.simplify_timeout, "the higher-derivative test"):
            derivative = hessian_of(expr, (variable,))[0][0]
            for order in range(3, 9):
                derivative = sympy.diff(derivative, variable)
                value = derivative.xreplace({variable: sympy.Float(at)})
                number = float(value) if value.is_number else math.nan
                if not math.isfinite(number):
                    break
                if abs(number) > ZERO_EIGENVALUE:
                    if order % 2:
                        return PointKind.INFLECTION
                    return PointKind.MINIMUM if number > 0 else PointKind.MAXIMUM
    except (BudgetExceeded, TypeError, ValueError):
        pass
    return PointKind.DEGENERATE


def _stop_message(raw: _Raw, options: _Options, steps: int, norm: float) -> str:
    plural = "s" if steps != 1 else ""
    if raw.reason is StopReason.CONVERGED:
        return f"converged: |∇f| = {norm:.3g} < tol = {options.tol:g} after {steps} step{plural}"
    if raw.reason is StopReason.NO_PROGRESS:
        small = options.tol * min(1.0, options.lr)
        return (
            f"no progress: two steps in a row were shorter than {small:.3g} = tol·min(1, α)"
            f" while |∇f| = {norm:.3g} is not below tol = {options.tol:g}"
        )
    if raw.reason is StopReason.MAX_STEPS:
        return (
            f"reached the maximum of {options.steps} steps with |∇f| = {norm:.3g}"
            f" (not below tol = {options.tol:g}): raise the step limit or the learning rate"
        )
    return f"diverged at step {steps}: {raw.detail}"


def _warning(
    kind: PointKind,
    reason: StopReason,
    ascent: bool,
    norm: float,
    eigenvalues: tuple[float, ...],
) -> str | None:
    goal = PointKind.MAXIMUM if ascent else PointKind.MINIMUM
    if reason not in (StopReason.CONVERGED, StopReason.NO_PROGRESS) or kind in (
        goal,
        PointKind.UNKNOWN,
    ):
        return None
    verb = "ascent" if ascent else "descent"
    target = goal.value
    shown = ", ".join(f"{v:.3g}" for v in eigenvalues)
    if kind is PointKind.SADDLE:
        return (
            f"{verb} stalled at a saddle point: |∇f| = {norm:.2g} is tiny, but the Hessian"
            f" has eigenvalues of both signs ({shown}), so this is not a {target}"
        )
    if kind is PointKind.INFLECTION:
        return (
            f"{verb} stalled at an inflection point: f' and f'' vanish there and the first"
            f" non-zero derivative has odd order, so this is not a {target}"
        )
    if kind is PointKind.DEGENERATE:
        return (
            f"{verb} stalled where |∇f| = {norm:.2g} is tiny but the Hessian has a zero"
            f" eigenvalue ({shown}): a plateau or a degenerate point, not surely a {target}"
        )
    return (
        f"{verb} stopped at a {kind.value}, not a {target}: the start is at or next to a"
        " critical point of the other kind; start somewhere else"
    )


def _diagnose(
    program: _Program,
    options: _Options,
    theta0: tuple[float, ...],
    raw: _Raw,
    ascent: bool,
    oscillating: tuple[str, ...],
    limits: Limits,
) -> Diagnosis:
    """Explain a divergence or an oscillation by the curvature L and the bound on α."""
    sign = -1 if ascent else 1
    quadratic = all(not h.free_symbols for row in program.hessian for h in row)
    exact_largest: sympy.Expr | None = None
    matrix: list[list[float]] | None
    if quadratic:
        where = "quadratic"
        try:
            matrix = [[sign * float(h) for h in row] for row in program.hessian]
        except TypeError:
            matrix = None
        if matrix is not None and len(matrix) <= 2:
            exact_largest = _exact_largest_eigenvalue(program, sign, limits)
    else:
        where = "start"
        matrix = _hessian_at(program, theta0)
        if matrix is not None:
            matrix = [[sign * v for v in row] for row in matrix]
    eigenvalues = _eigenvalues(matrix) if matrix is not None else ()
    if eigenvalues and not all(math.isfinite(v) for v in eigenvalues):
        eigenvalues = ()
    largest = eigenvalues[-1] if eigenvalues else None
    smallest = eigenvalues[0] if eigenvalues else None
    bound, exact_bound, rule = _lr_bound(options, largest, exact_largest)
    of = "the Hessian of −f" if ascent else "the Hessian"
    there = "f is quadratic, so this is exact" if quadratic else "at the start point"
    sentences = []
    if raw.reason is StopReason.DIVERGED:
        name = _method_name(options.method)
        if ascent:
            name = "gradient ascent" if options.method == "gd" else name + " (ascent)"
        sentences.append(name[0].upper() + name[1:] + " diverged: " + raw.detail)
    if oscillating:
        names = " and ".join(oscillating)
        sentences.append(f"Oscillation: the steps in {names} flipped sign step after step")
    if largest is not None and smallest is not None:
        shown = str(exact_largest) if exact_largest is not None else f"{largest:.6g}"
        zero = ZERO_EIGENVALUE * max(1.0, abs(largest), abs(smallest))
        way = "above" if ascent else "below"
        if largest <= zero:
            sentences.append(
                f"{of[0].upper() + of[1:]} has no positive eigenvalue (L = {shown}, {there}):"
                f" f is flat or bends the wrong way in every direction, so there is no"
                f" {'maximum' if ascent else 'minimum'} to settle in and f may be unbounded {way}"
            )
        else:
            sentences.append(f"The largest eigenvalue of {of} is L = {shown} ({there})")
        if bound is not None and rule is not None:
            bound_text = _number_text(bound, exact_bound)
            verdict = "too large" if options.lr >= bound else "within it"
            sentences.append(f"{rule} = {bound_text}, and α = {options.lr:g} is {verdict}")
            if options.method == "gd" and oscillating and options.lr > 1 / largest:
                inverse = _number_text(1 / largest, _exact_ratio(1, exact_largest))
                sentences.append(
                    f"Since α > 1/L = {inverse}, each step overshoots along the steepest"
                    " direction and flips sign"
                )
        if largest > zero and smallest < -zero:
            sentences.append(
                f"{of[0].upper() + of[1:]} also has the negative eigenvalue {smallest:.3g}:"
                f" f is not {'concave' if ascent else 'convex'} there and may be unbounded {way}"
            )
    if options.method == "adam":
        sentences.append(
            "Adam moves each coordinate by about α per step whatever the gradient's size,"
            " so a smaller α is the remedy"
        )
    elif options.method == "newton" and raw.reason is StopReason.DIVERGED:
        sentences.append(
            "Newton's method jumps to the critical point of the local quadratic model;"
            " far from a minimum that jump can run away: try a smaller α or gd"
        )
    message = ". ".join(sentences) if sentences else "No curvature information is available"
    return Diagnosis(
        message=message + ".",
        largest_eigenvalue=largest,
        smallest_eigenvalue=smallest,
        lr_bound=bound,
        exact_lr_bound=exact_bound,
        where=where,
    )


def _method_name(method: str) -> str:
    return METHOD_NAMES[method]


def _lr_bound(
    options: _Options, largest: float | None, exact_largest: sympy.Expr | None
) -> tuple[float | None, sympy.Expr | None, str | None]:
    """The largest stable α on the quadratic model, exactly when L is exact."""
    if largest is None or largest <= 0 or options.method in ("adam", "newton"):
        return None, None, None
    if options.method == "gd":
        numerator, rule = sympy.Integer(2), "Gradient descent is stable only for α < 2/L"
    else:
        beta = exact(options.beta or 0.0, "beta")
        if options.method == "momentum":
            numerator = 2 * (1 + beta)
            rule = "Heavy-ball momentum is stable only for α < 2(1 + β)/L"
        else:
            numerator = 2 * (1 + beta) / (1 + 2 * beta)
            rule = "Nesterov momentum is stable only for α < 2(1 + β)/((1 + 2β)L)"
    bound = float(numerator) / largest
    return bound, _exact_ratio(numerator, exact_largest), rule


def _exact_ratio(numerator: Any, denominator: sympy.Expr | None) -> sympy.Expr | None:
    if denominator is None:
        return None
    try:
        return sympy.radsimp(sympy.Integer(1) * numerator / denominator)
    except (TypeError, ValueError, ZeroDivisionError):  # pragma: no cover - defensive
        return None


def _number_text(value: float, exact: sympy.Expr | None) -> str:
    if exact is None:
        return f"{value:.6g}"
    if exact.is_Integer:
        return str(exact)
    return f"{exact} ≈ {value:.3g}"


def _exact_largest_eigenvalue(program: _Program, sign: int, limits: Limits) -> sympy.Expr | None:
    """L exactly, for a constant Hessian of at most 2×2 (else None)."""
    try:
        with time_limit(limits.simplify_timeout, "the exact eigenvalues"):
            matrix = sympy.Matrix([[sign * h for h in row] for row in program.hessian])
            roots = list(matrix.eigenvals())
            return max(roots, key=lambda r: float(r))
    except (BudgetExceeded, TypeError, ValueError):
        return None


# ---------------------------------------------------------------------------
# exact steps


def _with_exact_steps(
    run: DescentRun,
    program: _Program,
    options: _Options,
    start: tuple[sympy.Expr, ...],
    count: int,
    limits: Limits,
) -> DescentRun:
    """The first ``count`` steps again, in exact arithmetic.

    Values come from substituting exact numbers into the sympy expressions,
    which keeps rationals rational (a lambdified function would not: it
    prints 1/3 as a float division). A step stops the exact part when its
    numbers grow past ``limits.max_bits`` or the time budget runs out.
    """
    variables = program.variables
    n = len(variables)
    a = -options.lr_exact if run.ascent else options.lr_exact
    params: tuple[sympy.Expr, ...] = (a,)
    state: list[Any] = []
    if options.method in ("momentum", "nesterov"):
        params = (a, exact(options.beta or 0.0, "beta"))
        state = [sympy.Integer(0)] * n
    elif options.method == "adam":
        b1 = exact(options.beta or 0.0, "beta")
        b2 = exact(options.beta2 or 0.0, "beta2")
        params = (a, b1, 1 - b1, b2, 1 - b2, exact(options.eps or 0.0, "eps"))
        state = [sympy.Integer(0)] * (2 * n) + [sympy.Integer(1), sympy.Integer(1)]
    theta: tuple[sympy.Expr, ...] = start
    points = [theta]
    values: list[sympy.Expr] = []
    gradients: list[tuple[sympy.Expr, ...]] = []
    note: str | None = None
    try:
        with time_limit(limits.simplify_timeout, "the exact steps"):
            for k in range(count + 1):
                mapping = dict(zip(variables, theta))
                value = _value_at(run.expr, mapping)
                grad = tuple(_value_at(g, mapping) for g in program.gradient)
                if value is None or any(g is None for g in grad):
                    note = f"f is not a finite real number at step {k} in exact arithmetic"
                    break
                values.append(value)
                gradients.append(grad)
                if k == count:
                    break
                if options.method == "newton":
                    new = _exact_newton(program, mapping, theta, grad, a)
                    if new is None:
                        note = f"the Hessian is singular at step {k}"
                        break
                else:
                    new_list, state = _update_rule(
                        options.method, theta, grad, state, params, _identity, sympy.sqrt
                    )
                    new = tuple(new_list)
                too_big = _too_big(new, limits.max_bits)
                if too_big:
                    note = (
                        f"exact numbers grew past {too_big} after step {k};"
                        " the rest is in floating point"
                    )
                    break
                theta = new
                points.append(theta)
    except BudgetExceeded:
        note = f"exact arithmetic ran out of its {limits.simplify_timeout:g} s budget"
    del points[len(values) :]
    return replace(
        run,
        exact=True,
        points_exact=tuple(points),
        values_exact=tuple(values),
        gradients_exact=tuple(gradients),
        exact_note=note,
    )


def _value_at(expr: sympy.Expr, mapping: dict[sympy.Symbol, sympy.Expr]) -> sympy.Expr | None:
    """``expr`` at an exact point, or None when it is not a finite real number."""
    value = expr.xreplace(mapping)
    if not value.is_number or value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo, sympy.I):
        return None
    if value.is_extended_real is False:
        return None
    return value


def _exact_newton(
    program: _Program,
    mapping: dict[sympy.Symbol, sympy.Expr],
    theta: tuple[sympy.Expr, ...],
    grad: tuple[sympy.Expr | None, ...],
    a: sympy.Expr,
) -> tuple[sympy.Expr, ...] | None:
    matrix = sympy.Matrix([[h.xreplace(mapping) for h in row] for row in program.hessian])
    if matrix.det() == 0:
        return None
    direction = matrix.LUsolve(sympy.Matrix(grad))
    return tuple(t - a * d for t, d in zip(theta, direction))


def _too_big(values: Sequence[sympy.Expr], max_bits: int) -> str | None:
    for v in values:
        if isinstance(v, sympy.Rational):
            if max(int(v.p).bit_length(), int(v.q).bit_length()) > max_bits:
                return f"{max_bits} bits"
        elif _count_nodes(v, 201) > 200:
            return "200 terms"
    return None
