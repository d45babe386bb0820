"""The first steps of a descent again, in exact arithmetic."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import sympy

from gradcli.budget import time_limit
from gradcli.descent.compile import _count_nodes, _identity, _Program, _update_rule
from gradcli.descent.options import _Options
from gradcli.descent.results import DescentRun
from gradcli.errors import BudgetExceeded
from gradcli.i18n import N_, _
from gradcli.limits import Limits
from gradcli.numbers import exact


def _with_exact_steps(
    run: DescentRun,
    program: _Program,
    options: _Options,
    start: tuple[sympy.Expr, ...],
    count: int,
    limits: Limits,
) -> DescentRun:
    """The first ``count`` steps again, in exact arithmetic.

    Values come from substituting exact numbers into the sympy expressions
    (their real forms: an odd root of a negative number is real),
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
        with time_limit(limits.simplify_timeout, N_("the exact steps")):
            for k in range(count + 1):
                mapping = dict(zip(variables, theta))
                value = _value_at(program.real.expr, mapping)
                grad = tuple(_value_at(g, mapping) for g in program.real.gradient)
                if value is None or any(g is None for g in grad):
                    note = _(
                        "f is not a finite real number at step {step} in exact arithmetic"
                    ).format(step=k)
                    break
                too_big = _too_big((value, *grad), _bits(limits))
                if too_big:
                    note = _(
                        "exact numbers grew past {limit} at step {step};"
                        " the rest is in floating point"
                    ).format(limit=too_big, step=k)
                    break
                values.append(value)
                gradients.append(grad)
                if k == count:
                    break
                if options.method == "newton":
                    new = _exact_newton(program, mapping, theta, grad, a)
                    if new is None:
                        note = _("the Hessian is singular at step {step}").format(step=k)
                        break
                else:
                    new_list, state = _update_rule(
                        options.method, theta, grad, state, params, _identity, sympy.sqrt
                    )
                    new = tuple(new_list)
                too_big = _too_big(new, _bits(limits))
                if too_big:
                    note = _(
                        "exact numbers grew past {limit} after step {step};"
                        " the rest is in floating point"
                    ).format(limit=too_big, step=k)
                    break
                theta = new
                points.append(theta)
    except BudgetExceeded:
        note = _("exact arithmetic ran out of its {seconds:g} s budget").format(
            seconds=limits.simplify_timeout
        )
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
    matrix = sympy.Matrix([[h.xreplace(mapping) for h in row] for row in program.real.hessian])
    if matrix.det() == 0:
        return None
    direction = matrix.LUsolve(sympy.Matrix(grad))
    return tuple(t - a * d for t, d in zip(theta, direction))


def _bits(limits: Limits) -> int:
    """The bit bound for exact steps: ``max_bits``, but never more than the
    14,000 bits (about 4,200 digits) that Python still converts to text."""
    return min(limits.max_bits, 14_000)


def _too_big(values: Sequence[sympy.Expr], max_bits: int) -> str | None:
    """Why these exact numbers are too big to go on with, or None.

    Every rational inside a value counts, not only a value that is itself
    rational: ``sqrt(p/q)`` with a 20,000-bit ``p`` is as big as ``p``, and
    printing it would fail (Python converts at most 4,300 digits to text).
    """
    for v in values:
        if _count_nodes(v, 201) > 200:
            return _("200 terms")
        for r in v.atoms(sympy.Rational):
            if max(int(r.p).bit_length(), int(r.q).bit_length()) > max_bits:
                return _("{bits} bits").format(bits=max_bits)
    return None
