"""Checking what a descent is asked to do: method, learning rate, steps, tolerance, start point."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy

from gradcli.descent.results import MAX_STEPS, METHODS, _MethodInfo
from gradcli.descent.schedules import Schedule
from gradcli.errors import DimensionError, InputError, LimitError
from gradcli.numbers import exact


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
    schedule: Schedule = field(default_factory=Schedule)
    #: the steps use mini-batches of data (gradcli.descent.stochastic)
    mini_batches: bool = False
    #: f is a loss over many rows, evaluated row-wise (gradcli.descent.rows)
    row_wise: bool = False

    @property
    def stepwise(self) -> bool:
        """Whether α or the gradient changes from step to step beyond a fixed
        rule: the run goes one step at a time, and its steps are measured."""
        return (
            self.method == "armijo"
            or not self.schedule.is_constant
            or self.mini_batches
            or self.row_wise
        )


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
    schedule: Schedule | str | None = None,
) -> _Options:
    info = _method_info(method)
    if isinstance(schedule, str):
        schedule = Schedule.read(schedule)
    schedule = schedule or Schedule()
    if method == "armijo" and not schedule.is_constant:
        raise InputError("Armijo's line search chooses each step's α: a schedule does not apply")
    if method == "newton" and not schedule.is_constant:
        raise InputError(
            "Newton's method takes full steps: a learning-rate schedule does not apply"
        )
    lr_exact = exact(info.lr if lr is None else lr, "the learning rate")
    lr_value = float(lr_exact)
    if not lr_value > 0 or not math.isfinite(lr_value):
        raise InputError(f"the learning rate must be positive, got {_show(lr)}")
    if schedule.name == "cosine" and schedule.parameters["min"] > lr_value:
        raise InputError(
            f"the cosine schedule's min ({schedule.parameters['min']:g}) is above α ="
            f" {lr_value:g}: it would raise α, not lower it"
        )
    if steps is None:
        steps = info.steps
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise InputError(f"the number of steps must be at least 1, got {steps!r}")
    if steps > MAX_STEPS:
        raise LimitError(f"at most {MAX_STEPS:,} steps can be recorded, got {steps:,}")
    tol_value = _plain_float(tol, "the tolerance")
    # 0 means "never stop early": run exactly --steps steps, as homework asks
    if not tol_value >= 0 or not math.isfinite(tol_value):
        raise InputError(f"the tolerance must be 0 or positive, got {tol!r}")
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
        schedule=schedule,
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
