"""Magnitudes of constant expressions, estimated without building them.

sympy evaluates constants eagerly and exactly: ``2**(10**9)`` is a
125-megabyte integer, and ``sin(cos(exp(exp(exp(exp(1))))))`` makes it chase
ever more digits. Before such a value is built, or evaluated at a point, its
size is estimated here in floating point with mpmath, checking every
intermediate, so that a runaway tower is refused before it is computed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy


def approx(value: sympy.Expr) -> float | None:
    """A float estimate of a real constant, or ``None`` when too large to tell."""
    import mpmath

    try:
        estimate = _estimate(value)
    except (OverflowError, ValueError, ZeroDivisionError, _TooLarge):
        return None
    if estimate is None:
        return None
    try:
        real = mpmath.re(estimate)
        if mpmath.isinf(real) or mpmath.isnan(real) or abs(real) > 1e300:
            return None
        return float(real)
    except (OverflowError, ValueError):
        return None


def log2_magnitude(value: sympy.Expr) -> float | None:
    """log2 |value| of a constant, or ``None`` when it cannot be bounded."""
    import mpmath

    try:
        estimate = _estimate(value)
    except (OverflowError, ValueError, ZeroDivisionError, _TooLarge):
        return None
    if estimate is None:
        return None
    if estimate == 0:
        return 0.0
    try:
        return float(mpmath.log(abs(estimate), 2))
    except (OverflowError, ValueError):
        return None


class _TooLarge(Exception):
    pass


_ESTIMATE_LIMIT_BITS = 1 << 20


def _estimate(value: Any) -> Any:
    """Evaluate a constant with mpmath at low precision, refusing runaway sizes.

    Every intermediate is checked before the next operation, so an
    ``exp(exp(exp(…)))`` tower is refused before it is computed.
    """
    import mpmath

    mp = mpmath.mp
    with mpmath.workprec(40):
        return _estimate_node(value, mp)


def _estimate_node(node: Any, mp: Any) -> Any:
    import mpmath

    if node.is_Rational:
        return mpmath.mpf(int(node.p)) / int(node.q)
    if node is sympy.pi:
        return mpmath.pi
    if node is sympy.E:
        return mpmath.e
    if node.is_Add:
        return mpmath.fsum(_estimate_node(a, mp) for a in node.args)
    if node.is_Mul:
        result = mpmath.mpf(1)
        for a in node.args:
            result *= _estimate_node(a, mp)
            _guard(result)
        return result
    if node.is_Pow:
        base = _estimate_node(node.args[0], mp)
        exponent = _estimate_node(node.args[1], mp)
        if base == 0:
            return mpmath.mpf(0)
        magnitude = abs(mpmath.re(exponent)) * abs(mpmath.log(abs(base), 2))
        if magnitude > _ESTIMATE_LIMIT_BITS:
            raise _TooLarge
        return _guard(mpmath.power(mpmath.mpc(base), exponent))
    if isinstance(node, sympy.exp):
        argument = _estimate_node(node.args[0], mp)
        if abs(mpmath.re(argument)) > _ESTIMATE_LIMIT_BITS:
            raise _TooLarge
        return _guard(mpmath.exp(argument))
    function = _MPMATH.get(type(node))
    if function is None:
        return None
    arguments = [_estimate_node(a, mp) for a in node.args]
    if any(a is None for a in arguments):
        return None
    return _guard(function(*arguments))


def _guard(value: Any) -> Any:
    import mpmath

    if value is None:
        return None
    if mpmath.isnan(value) or mpmath.isinf(value):
        raise _TooLarge
    if value != 0 and abs(mpmath.log(abs(value), 2)) > _ESTIMATE_LIMIT_BITS:
        raise _TooLarge
    return value


def _mpmath_table() -> dict[type, Callable[..., Any]]:
    import mpmath

    return {
        sympy.sin: mpmath.sin, sympy.cos: mpmath.cos, sympy.tan: mpmath.tan,
        sympy.sec: mpmath.sec, sympy.csc: mpmath.csc, sympy.cot: mpmath.cot,
        sympy.asin: mpmath.asin, sympy.acos: mpmath.acos, sympy.atan: mpmath.atan,
        sympy.acot: mpmath.acot, sympy.asec: mpmath.asec, sympy.acsc: mpmath.acsc,
        sympy.atan2: lambda y, x: mpmath.atan2(mpmath.re(y), mpmath.re(x)),
        sympy.sinh: mpmath.sinh, sympy.cosh: mpmath.cosh, sympy.tanh: mpmath.tanh,
        sympy.sech: mpmath.sech, sympy.csch: mpmath.csch, sympy.coth: mpmath.coth,
        sympy.asinh: mpmath.asinh, sympy.acosh: mpmath.acosh, sympy.atanh: mpmath.atanh,
        sympy.log: mpmath.log, sympy.Abs: abs, sympy.sign: mpmath.sign,
    }  # fmt: skip


class _LazyTable(dict[type, Callable[..., Any]]):
    """The mpmath table, built on first use so that importing is cheap."""

    def get(self, key: Any, default: Any = None) -> Any:
        if not self:
            self.update(_mpmath_table())
        return super().get(key, default)


_MPMATH: dict[type, Callable[..., Any]] = _LazyTable()
