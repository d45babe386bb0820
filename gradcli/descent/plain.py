"""A step-by-step loop: Newton's method, schedules and Armijo's line search.

The compiled blocks of :mod:`gradcli.descent.engine` fix α for a whole run;
here each step is one call of the compiled f and ∇f and one update, with
α_t from the schedule, or from backtracking, or a Newton step (which solves
a linear system each step anyway). The update formulas are
:func:`gradcli.descent.compile._update_rule`'s, the ones every run uses.

Armijo's backtracking (``--method armijo``): from α_t, halve the step until
f(θ − α_t g) ≤ f(θ) − c·α_t·|g|² with c = 10⁻⁴ (Nocedal & Wright, Algorithm
3.1, ρ = 1/2); θ ← θ − α_t g. After 60 halvings without enough decrease
the run stops with ``no_progress``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from gradcli.descent.compile import _identity, _initial_state, _params, _Program, _update_rule
from gradcli.descent.engine import (
    _EVALUATION_ERRORS,
    _Bounds,
    _diverged_row,
    _newton_direction,
    _Raw,
    _undefined_text,
)
from gradcli.descent.options import _Options
from gradcli.descent.results import _CHUNK, StopReason, point_text
from gradcli.i18n import _

#: the sufficient-decrease constant c of Armijo's condition
ARMIJO_C = 1e-4
#: the factor each failed trial step is multiplied by
ARMIJO_SHRINK = 0.5
#: trial steps before the line search gives up
ARMIJO_TRIALS = 60


def _run_plain(
    program: _Program,
    options: _Options,
    theta0: tuple[float, ...],
    f0: float,
    ascent: bool,
    on_progress: Callable[[int, int], None] | None,
) -> _Raw:
    """Run one step per loop turn, with α_t from the schedule (or a line search).

    Newton's step is θ − α_t H⁻¹∇f; a singular Hessian ends the run (diverged).
    """
    n = len(theta0)
    bounds = _Bounds.of(options, f0)
    sign = -1.0 if ascent else 1.0
    rule = "gd" if options.method in ("armijo", "newton") else options.method
    state: Any = list(_initial_state(rule, n))
    evaluate = program.value_and_gradient
    theta = theta0
    flat: list[Any] = []
    values: list[Any] = []
    norms: list[float] = []
    previous_tiny = False
    for k in range(options.steps + 1):
        try:
            out = evaluate(*theta)
            value = float(out[0])
            grad = tuple(float(g) for g in out[1:])
        except _EVALUATION_ERRORS as error:
            flat.extend((math.nan,) * (2 * n))
            values.append(math.nan)
            norms.append(math.nan)
            return _Raw(
                flat, values, k + 1, StopReason.DIVERGED, _undefined_text(theta, error), f0, norms
            )
        norm = math.hypot(*grad)
        values.append(value)
        norms.append(norm)
        found: tuple[StopReason, str] | None = None
        detail = _diverged_row(value, norm, bounds.high)
        if detail is not None:
            found = (StopReason.DIVERGED, detail)
        elif norm < bounds.tol:
            found = (StopReason.CONVERGED, "")
        elif k == options.steps:
            found = (StopReason.MAX_STEPS, "")
        new: tuple[float, ...] | None = None
        if found is None:
            rate = options.schedule.rate(options.lr, k, options.steps)
            try:
                if options.method == "newton":
                    direction = _newton_direction(program, theta, grad)
                    if direction is None:
                        found = (
                            StopReason.DIVERGED,
                            _(
                                "the Hessian is singular at {point}: the Newton step is undefined"
                            ).format(point=point_text(theta)),
                        )
                    else:
                        new = tuple(t - rate * d for t, d in zip(theta, direction))
                elif options.method == "armijo":
                    new = _armijo_step(evaluate, theta, sign * value, grad, rate, sign)
                    if new is None:
                        found = (
                            StopReason.NO_PROGRESS,
                            _(
                                "the line search found no step that lowers f enough after"
                                " {halvings} halvings of α"
                            ).format(halvings=ARMIJO_TRIALS),
                        )
                else:
                    params = _params(options, sign, rate)
                    moved, state = _update_rule(
                        rule, theta, grad, state, params, _identity, math.sqrt
                    )
                    new = tuple(moved)
            except _EVALUATION_ERRORS as error:
                found = (StopReason.DIVERGED, _undefined_text(theta, error))
        if found is not None or new is None:
            flat.extend((*grad, *(math.nan,) * n))
            reason, why = found if found is not None else (StopReason.DIVERGED, "")
            return _Raw(flat, values, k + 1, reason, why, f0, norms)
        flat.extend((*grad, *new))
        if options.method == "armijo":
            # a searched step is short where f curves sharply: only one that
            # leaves θ as it was is no progress
            tiny = new == theta
        else:
            tiny = math.hypot(*(t1 - t0 for t0, t1 in zip(theta, new))) < bounds.small
        if tiny and previous_tiny:
            flat[-n:] = [math.nan] * n
            why = ""
            if options.method == "armijo":
                why = _(
                    "the line search's steps no longer move θ (where the gradient jumps, at a"
                    " kink of f, no step along −∇f lowers f)"
                )
            return _Raw(flat, values, k + 1, StopReason.NO_PROGRESS, why, f0, norms)
        previous_tiny = tiny
        theta = new
        if on_progress is not None and k and k % _CHUNK == 0:
            on_progress(k, options.steps)
    raise AssertionError("unreachable")  # pragma: no cover


def _armijo_step(
    evaluate: Callable[..., tuple[Any, ...]],
    theta: tuple[float, ...],
    value: float,
    grad: tuple[float, ...],
    rate: float,
    sign: float,
) -> tuple[float, ...] | None:
    """θ − t·g for the first t = rate·ρ^j that lowers ``sign``·f enough, or None.

    ``value`` is sign·f(θ); a trial point where f cannot be evaluated is
    treated as too far and halved, as a line search does at a domain's edge.
    """
    decrease = ARMIJO_C * sum(g * g for g in grad)
    t = rate
    for _trial in range(ARMIJO_TRIALS):
        trial = tuple(c - sign * t * g for c, g in zip(theta, grad))
        try:
            trial_value = sign * float(evaluate(*trial)[0])
        except _EVALUATION_ERRORS:
            trial_value = math.nan
        if trial_value <= value - t * decrease:  # False for NaN
            return trial
        t *= ARMIJO_SHRINK
    return None
