"""Magnitudes of constant expressions, estimated without building them.

sympy evaluates constants eagerly and exactly: ``2**(10**9)`` is a
125-megabyte integer, and ``sin(cos(exp(exp(exp(exp(1))))))`` makes it chase
ever more digits. Before such a value is built, or evaluated at a point, its
size is estimated here in floating point with mpmath, checking every
intermediate, so that a runaway tower is refused before it is computed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
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


def float_overflow(expr: sympy.Expr) -> str | None:
    """A constant in ``expr`` too large for a float (beyond about 1.8e308),
    shown in three digits, or ``None``.

    Compiled (numpy or math) code holds constants as floats: there such a
    constant is an ``OverflowError`` or infinite, and f would look undefined.

    >>> x = sympy.Symbol("x")
    >>> float_overflow(x * sympy.Integer(10) ** 400), float_overflow(x * 10**300)
    ('1.00e+400', None)
    """
    for number in expr.atoms(sympy.Number):
        if not number.is_finite:
            continue
        if abs(number) > _FLOAT_MAX:
            return str(sympy.Float(number, 3)).lower()
    return None


_FLOAT_MAX = sympy.Float(1.7976931348623157e308)


def rational_log2_size(value: Fraction) -> float:
    """log2 of numerator plus log2 of denominator: the bits a power multiplies.

    ``(p/q)^n`` holds about ``n`` times this many bits.

    >>> rational_log2_size(Fraction(1, 2)), rational_log2_size(Fraction(-8, 3)) > 4.58
    (1.0, True)
    """
    import math

    p, q = abs(value.numerator), value.denominator
    return (math.log2(p) if p else 0.0) + math.log2(q)


class _TooLarge(Exception):
    pass


class _Undefined(Exception):
    """An infinite or nan intermediate: undefined, not large (log of 0)."""


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
    if node is sympy.I:
        return mpmath.mpc(0, 1)
    if node.is_Float:
        return mpmath.mpf(node)
    # unknown parts make the whole unknown (None), never an error
    if node.is_Add:
        terms = [_estimate_node(a, mp) for a in node.args]
        return None if any(t is None for t in terms) else mpmath.fsum(terms)
    if node.is_Mul:
        result = mpmath.mpf(1)
        for a in node.args:
            factor = _estimate_node(a, mp)
            if factor is None:
                return None
            result = _guard(result * factor)
        return result
    if node.is_Pow:
        base = _estimate_node(node.args[0], mp)
        exponent = _estimate_node(node.args[1], mp)
        if base is None or exponent is None:
            return None
        if base == 0:
            return mpmath.mpf(0)
        magnitude = abs(mpmath.re(exponent)) * abs(mpmath.log(abs(base), 2))
        if magnitude > _ESTIMATE_LIMIT_BITS:
            raise _TooLarge
        return _guard(mpmath.power(mpmath.mpc(base), exponent))
    if isinstance(node, sympy.exp):
        argument = _estimate_node(node.args[0], mp)
        if argument is None:
            return None
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
        sympy.log: mpmath.log, sympy.Abs: abs, sympy.sign: mpmath.sign, sympy.re: mpmath.re,
    }  # fmt: skip


class _LazyTable(dict[type, Callable[..., Any]]):
    """The mpmath table, built on first use so that importing is cheap."""

    def get(self, key: Any, default: Any = None) -> Any:
        if not self:
            self.update(_mpmath_table())
        return super().get(key, default)


_MPMATH: dict[type, Callable[..., Any]] = _LazyTable()


def exceeds_bits(
    expr: sympy.Expr, values: Mapping[sympy.Symbol, sympy.Expr], max_bits: int
) -> bool:
    """Whether evaluating ``expr`` at ``values`` makes a number beyond ``max_bits``.

    Every subexpression is estimated before sympy would compute it: exact
    rationals exactly (while they stay within the bound), everything else in
    low-precision floating point. A power such as ``x^y`` at ``(10, 10^9)``,
    an ``exp(x)`` at ``x = 10^6`` (whose sine would need a million bits of
    precision) or ``x^1000`` at ``x = 1/3^20`` is refused this way, in
    microseconds, instead of being computed. Subexpressions that cannot be
    estimated are given the benefit of the doubt.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> exceeds_bits(x**y, {x: sympy.Integer(10), y: sympy.Integer(10**9)}, 10_000)
    True
    >>> exceeds_bits(x**y, {x: sympy.Integer(10), y: sympy.Integer(100)}, 10_000)
    False
    """
    import mpmath

    walker = _Walker(values, max_bits)
    try:
        with mpmath.workprec(40):
            walker.node(expr)
    except _TooLarge:
        return True
    except (_Undefined, RecursionError, OverflowError, ValueError, ZeroDivisionError):
        # an undefined value (log of 0, 1/0) is for the evaluation to name
        return False
    return False


class _Walker:
    """Bottom-up estimates of an expression's subexpressions at a point.

    Each node gives ``(exact, estimate)``: ``exact`` a ``Fraction`` when sympy
    would hold the value as an exact rational, ``estimate`` an mpmath number,
    or ``None`` where nothing is known (a parameter without a value).
    """

    def __init__(self, values: Mapping[sympy.Symbol, sympy.Expr], max_bits: int) -> None:
        self.values = values
        self.max_bits = max_bits
        self.seen: dict[Any, tuple[Fraction | None, Any]] = {}

    def node(self, node: Any) -> tuple[Fraction | None, Any]:
        known = self.seen.get(node)
        if known is None:
            known = self.seen[node] = self._node(node)
        return known

    def _node(self, node: Any) -> tuple[Fraction | None, Any]:
        import mpmath

        if node.is_Symbol:
            value = self.values.get(node)
            return (None, None) if value is None else self.node(value)
        if node.is_Rational:
            return self._exact(Fraction(int(node.p), int(node.q)))
        if node.is_Float:
            return None, self._check(mpmath.mpf(node))
        if node is sympy.pi:
            return None, mpmath.pi
        if node is sympy.E:
            return None, mpmath.e
        parts = [self.node(a) for a in node.args]
        if node.is_Add or node.is_Mul:
            if all(exact is not None for exact, _ in parts):
                return self._combine(node, [exact for exact, _ in parts])  # type: ignore[misc]
            if any(estimate is None for _, estimate in parts):
                return None, None
            if node.is_Add:
                return None, self._check(mpmath.fsum(e for _, e in parts))
            result = mpmath.mpf(1)
            for _, estimate in parts:
                result = self._check(result * estimate)
            return None, result
        if node.is_Pow:
            return self._power(parts[0], parts[1])
        if isinstance(node, sympy.exp):
            argument = parts[0][1]
            if argument is None:
                return None, None
            if mpmath.re(argument) > self.max_bits * 0.6931471805599453:
                raise _TooLarge
            return None, self._check(mpmath.exp(argument))
        function = _MPMATH.get(type(node))
        if function is None or any(estimate is None for _, estimate in parts):
            return None, None
        return None, self._check(function(*(estimate for _, estimate in parts)))

    def _exact(self, value: Fraction) -> tuple[Fraction, Any]:
        import mpmath

        if value.numerator.bit_length() + value.denominator.bit_length() > self.max_bits + 64:
            raise _TooLarge
        return value, mpmath.mpf(value.numerator) / value.denominator

    def _combine(self, node: Any, exacts: list[Fraction]) -> tuple[Fraction, Any]:
        # the bound on the result's size is checked before it is computed
        if sum(e.numerator.bit_length() + e.denominator.bit_length() for e in exacts) > (
            4 * self.max_bits
        ):
            raise _TooLarge
        result = Fraction(0) if node.is_Add else Fraction(1)
        for e in exacts:
            result = result + e if node.is_Add else result * e
        return self._exact(result)

    def _power(
        self, base: tuple[Fraction | None, Any], exponent: tuple[Fraction | None, Any]
    ) -> tuple[Fraction | None, Any]:
        import mpmath

        (base_exact, base_value), (exp_exact, exp_value) = base, exponent
        if base_value is None or exp_value is None:
            return None, None
        if base_value == 0:
            return (Fraction(0), mpmath.mpf(0)) if base_exact is not None else (None, base_value)
        if base_exact is not None and exp_exact is not None and exp_exact.denominator == 1:
            n = abs(exp_exact.numerator)
            size = rational_log2_size(base_exact)
            if size and n > (self.max_bits + 64) / size:
                raise _TooLarge
            if exp_exact.numerator < 0:
                return self._exact(Fraction(base_exact.denominator, base_exact.numerator) ** n)
            return self._exact(base_exact**n)
        growth = mpmath.re(exp_value) * mpmath.log(abs(base_value), 2)
        if growth > self.max_bits:
            raise _TooLarge
        return None, self._check(mpmath.power(mpmath.mpc(base_value), exp_value))

    def _check(self, value: Any) -> Any:
        import mpmath

        if mpmath.isnan(value):
            raise _Undefined
        if mpmath.isinf(value):
            # an infinite result of finite arguments: a pole (log 0), unless
            # it overflowed, which the size check below would have refused
            raise _Undefined
        if value != 0 and mpmath.log(abs(value), 2) > self.max_bits:
            raise _TooLarge
        return value
