"""sympy expressions as numpy functions of arrays: NaN wherever one is undefined."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sympy

from gradcli.derivatives import gradient_of
from gradcli.numbers import real_powers
from gradcli.parse import Function

__all__ = ["gradient_field", "numeric"]

#: what evaluating a formula numerically may raise where it is undefined
NUMERIC_ERRORS = (
    NameError,
    TypeError,
    AttributeError,
    ValueError,
    ZeroDivisionError,
    OverflowError,
)

#: an imaginary part this small against the real part is rounding noise
#: (numpy's cbrt of a negative number through a complex power, say)
_IMAGINARY_NOISE = 1e-12


def numeric(
    exprs: Sequence[sympy.Expr], variables: Sequence[sympy.Symbol]
) -> Callable[..., list[np.ndarray]]:
    """Expressions as numpy functions of arrays: NaN wherever one is undefined.

    Values are taken as everywhere in gradcli (:func:`gradcli.numbers.real_powers`):
    an odd root of a negative number is real. numpy does the work; an
    expression numpy cannot evaluate falls back to Python's math module,
    point by point.

    >>> x = sympy.Symbol("x", real=True)
    >>> (values,) = numeric([sympy.log(x)], [x])(np.array([-1.0, 1.0]))
    >>> values.tolist()
    [nan, 0.0]
    >>> (values,) = numeric([sympy.cbrt(x)], [x])(np.array([-8.0, 8.0]))
    >>> values.tolist()
    [-2.0, 2.0]
    """
    from gradcli.points import for_numpy

    exprs = [real_powers(e) for e in exprs]
    fast = sympy.lambdify(variables, [for_numpy(e) for e in exprs], modules="numpy", cse=True)

    def evaluate(*arrays: np.ndarray) -> list[np.ndarray]:
        shape = np.broadcast(*arrays).shape
        with np.errstate(all="ignore"):
            try:
                values = list(fast(*arrays))
            except NUMERIC_ERRORS:
                values = _pointwise(exprs, variables, arrays, shape)
        return [_real(v, shape) for v in values]

    return evaluate


def gradient_field(
    expr: sympy.Expr, variables: Sequence[sympy.Symbol]
) -> Callable[[np.ndarray], np.ndarray]:
    """∇f (from :func:`gradcli.derivatives.gradient_of`) for an (n, k) array of points.

    Rows where f is undefined are NaN.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> gradient_field(x**2 + y**2 + x*y, (x, y))(np.array([[1.0, 3.0]])).tolist()
    [[5.0, 7.0]]
    """
    from gradcli.points import compile_gradient

    # the derivatives of f, then evaluated as every value is (an odd root is real)
    real = real_powers(expr)
    components = [real_powers(g) for g in gradient_of(expr, variables)]
    fast = compile_gradient(Function(expr=real, variables=tuple(variables)), components)
    slow = numeric([real, *components], variables)

    def field(points: np.ndarray) -> np.ndarray:
        try:
            return fast(points)
        except NUMERIC_ERRORS:
            f, *parts = slow(*(points[:, i] for i in range(points.shape[1])))
            out = np.column_stack(parts)
            out[~np.isfinite(f)] = np.nan
            return out

    return field


def _pointwise(
    exprs: Sequence[sympy.Expr],
    variables: Sequence[sympy.Symbol],
    arrays: Sequence[np.ndarray],
    shape: tuple[int, ...],
) -> list[np.ndarray]:
    slow = sympy.lambdify(variables, list(exprs), modules="math")
    columns = [np.broadcast_to(a, shape) for a in arrays]
    out = [np.full(shape, np.nan) for _ in exprs]
    for index in np.ndindex(*shape):
        try:
            values = slow(*(float(c[index]) for c in columns))
        except (*NUMERIC_ERRORS, ArithmeticError):
            continue
        for j, value in enumerate(values):
            if isinstance(value, (int, float)):
                out[j][index] = value
    return out


def _real(value: Any, shape: tuple[int, ...]) -> np.ndarray:
    """A float array of ``shape``: NaN where the value is not a finite real."""
    array = np.asarray(value)
    if array.dtype.kind == "c":
        small = np.abs(array.imag) <= _IMAGINARY_NOISE * np.maximum(1.0, np.abs(array.real))
        array = np.where(small, array.real, np.nan)
    elif array.dtype.kind not in "fiub":
        array = np.vectorize(_to_float, otypes=[float])(array)
    out = np.array(np.broadcast_to(array, shape), dtype=float)
    out[~np.isfinite(out)] = np.nan
    return out


def _to_float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        return math.nan
