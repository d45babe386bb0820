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
from gradcli.i18n import _, ngettext
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
        raise InputError(
            _("unknown method {method}: choose one of {known}").format(
                method=repr(method), known=known
            )
        )
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
        raise InputError(_("Armijo's line search chooses each step's α: a schedule does not apply"))
    if method == "newton" and not schedule.is_constant:
        raise InputError(
            _("Newton's method takes full steps: a learning-rate schedule does not apply")
        )
    lr_exact = exact(info.lr if lr is None else lr, _("the learning rate"))
    lr_value = float(lr_exact)
    if not lr_value > 0 or not math.isfinite(lr_value):
        raise InputError(
            _("the learning rate must be positive, got {value}").format(value=_show(lr))
        )
    if schedule.name == "cosine" and schedule.parameters["min"] > lr_value:
        raise InputError(
            _(
                "the cosine schedule's min ({min:g}) is above α ="
                " {lr:g}: it would raise α, not lower it"
            ).format(min=schedule.parameters["min"], lr=lr_value)
        )
    if steps is None:
        steps = info.steps
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise InputError(
            _("the number of steps must be at least 1, got {value}").format(value=repr(steps))
        )
    if steps > MAX_STEPS:
        raise LimitError(
            _("at most {limit:,} steps can be recorded, got {steps:,}").format(
                limit=MAX_STEPS, steps=steps
            )
        )
    tol_value = _plain_float(tol, _("the tolerance"))
    # 0 means "never stop early": run exactly --steps steps, as homework asks
    if not tol_value >= 0 or not math.isfinite(tol_value):
        raise InputError(
            _("the tolerance must be 0 or positive, got {value}").format(value=repr(tol))
        )
    constants: dict[str, float | None] = {}
    for name, given in (("beta", beta), ("beta2", beta2), ("eps", eps)):
        default = getattr(info, name)
        if default is None:
            if given is not None:
                raise InputError(
                    _("--{option} does not apply to --method {method}").format(
                        option=name, method=method
                    )
                )
            constants[name] = None
            continue
        value = default if given is None else _plain_float(given, name)
        if name == "eps":
            if not (value > 0 and math.isfinite(value)):
                raise InputError(_("eps must be positive, got {value}").format(value=repr(given)))
        elif not 0 <= value < 1:
            raise InputError(
                _("{option} must be in [0, 1), got {value}").format(option=name, value=repr(given))
            )
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
        raise InputError(_("the function must be a sympy expression"))
    if isinstance(variables, sympy.Symbol):
        variables = (variables,)
    variables = tuple(variables)
    if not variables:
        raise InputError(_("descent needs at least one variable"))
    for v in variables:
        if not isinstance(v, sympy.Symbol):
            raise InputError(_("{value} is not a variable").format(value=repr(v)))
    if len(set(variables)) != len(variables):
        raise InputError(_("a variable is listed twice"))
    extra = expr.free_symbols - set(variables)
    if extra:
        names = ", ".join(sorted(str(s) for s in extra))
        raise InputError(
            _("f depends on {names} besides its variables: give their values").format(names=names)
        )
    if expr.has(sympy.I, sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise InputError(_("f must be a real-valued, finite expression"))
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
        raise DimensionError(
            _("the start point gives no value for {variables}").format(variables=", ".join(missing))
        )
    extra = {k: v for k, v in point.items() if k not in set(variables)}
    if extra:
        free: set[Any] = getattr(expr, "free_symbols", set())
        unknown = sorted(str(k) for k in extra if k not in free)
        if unknown:
            raise InputError(
                _("{names} is neither a variable nor a parameter of f").format(
                    names=", ".join(unknown)
                )
            )
        values = {k: exact(v, _("the value of {name}").format(name=k)) for k, v in extra.items()}
        expr = expr.xreplace(values)
    return expr, tuple(point[v] for v in variables)


def _check_start(
    start: Sequence[Any], variables: tuple[sympy.Symbol, ...]
) -> tuple[sympy.Expr, ...]:
    if isinstance(start, (str, bytes)) or not isinstance(start, Iterable):
        raise InputError(_("the start point must be a sequence of numbers"))
    values = tuple(start)
    if len(values) != len(variables):
        coordinates = ngettext("{count} coordinate", "{count} coordinates", len(values))
        names = ngettext("{count} variable", "{count} variables", len(variables))
        raise DimensionError(
            _("the start point has {coordinates} but f has {variables}").format(
                coordinates=coordinates.format(count=len(values)),
                variables=names.format(count=len(variables)),
            )
        )
    return tuple(exact(v, _("a start coordinate")) for v in values)


def _plain_float(value: Any, what: str) -> float:
    if isinstance(value, (bool, str, bytes)):
        raise InputError(
            _("{what} must be a number, got {value}").format(what=what, value=repr(value))
        )
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InputError(
            _("{what} must be a number, got {value}").format(what=what, value=repr(value))
        ) from None


def _show(value: Any) -> str:
    return str(value) if isinstance(value, sympy.Basic) else repr(value)
