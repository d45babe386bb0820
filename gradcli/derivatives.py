"""The one source of derivatives: ∇f, the Hessian and the Jacobian.

Every command (grad, hessian, jacobian, critical, descend, check, plot, the
steps' verification) takes its derivatives from here, so that what descent
follows is, symbol for symbol, what ``gradcli grad`` prints and what
``gradcli hessian`` classifies with. Results are cached per (expression,
variables): a batch that asks for the same function twice differentiates it
once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache

import sympy

__all__ = [
    "Matrix",
    "derivatives_along",
    "gradient_of",
    "hessian_of",
    "jacobian_of",
    "partial_derivatives",
]

Matrix = tuple[tuple[sympy.Expr, ...], ...]

# a cache entry is a few sympy trees; batches repeat a handful of functions
_CACHE_SIZE = 256


def gradient_of(expr: sympy.Expr, variables: Sequence[sympy.Symbol]) -> tuple[sympy.Expr, ...]:
    """∇f: ``∂expr/∂v`` for each variable, in order (unsimplified, cached).

    >>> x, y = sympy.symbols("x y", real=True)
    >>> gradient_of(x**2 + x*y + y**2, (x, y))
    (2*x + y, x + 2*y)
    """
    return _gradient(expr, tuple(variables))


def hessian_of(expr: sympy.Expr, variables: Sequence[sympy.Symbol]) -> Matrix:
    """The symmetric matrix of second partials, ``H[i][j] = ∂²f/∂xᵢ∂xⱼ``.

    Each second partial is the derivative of :func:`gradient_of`'s component,
    taken once for ``i ≤ j`` and mirrored, so the matrix is symmetric by
    construction.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> hessian_of(x**3 * y, (x, y))
    ((6*x*y, 3*x**2), (3*x**2, 0))
    """
    return _hessian(expr, tuple(variables))


def jacobian_of(components: Sequence[sympy.Expr], variables: Sequence[sympy.Symbol]) -> Matrix:
    """The Jacobian, one row per component: the gradient of each.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> jacobian_of((x*y, x + y), (x, y))
    ((y, x), (1, 1))
    """
    return tuple(gradient_of(c, variables) for c in components)


def derivatives_along(
    expr: sympy.Expr, variable: sympy.Symbol, orders: range
) -> Iterator[tuple[int, sympy.Expr]]:
    """``(k, dᵏf/dxᵏ)`` for each k in ``orders``, each from the one before,
    starting from :func:`hessian_of`'s second derivative (orders from 2 up).

    >>> x = sympy.Symbol("x", real=True)
    >>> list(derivatives_along(x**4, x, range(2, 5)))
    [(2, 12*x**2), (3, 24*x), (4, 24)]
    """
    if orders.start < 2 or orders.step != 1:
        raise ValueError("orders must count up by one from 2 or more")
    derivative = hessian_of(expr, (variable,))[0][0]
    for order in range(2, orders.stop):
        if order > 2:
            derivative = sympy.diff(derivative, variable)
        if order >= orders.start:
            yield order, derivative


@lru_cache(maxsize=_CACHE_SIZE)
def _gradient(expr: sympy.Expr, variables: tuple[sympy.Symbol, ...]) -> tuple[sympy.Expr, ...]:
    return partial_derivatives(expr, variables)


@lru_cache(maxsize=_CACHE_SIZE)
def _hessian(expr: sympy.Expr, variables: tuple[sympy.Symbol, ...]) -> Matrix:
    gradient = _gradient(expr, variables)
    n = len(variables)
    entries: dict[tuple[int, int], sympy.Expr] = {}
    for i in range(n):
        row = partial_derivatives(gradient[i], variables[i:])
        for j, entry in enumerate(row, start=i):
            entries[i, j] = entry
    return tuple(tuple(entries[min(i, j), max(i, j)] for j in range(n)) for i in range(n))


def partial_derivatives(
    expr: sympy.Expr, variables: Sequence[sympy.Symbol]
) -> tuple[sympy.Expr, ...]:
    """∂expr/∂v for each variable, differentiating a sum term by term.

    Each variable is differentiated only through the terms that contain it,
    so the cost of a sum of n terms in n variables grows linearly, not as n².
    Terms of the same shape (``100*(x2 - x1^2)^2`` and ``100*(x3 - x2^2)^2``)
    are differentiated once, in a canonical form, and renamed back: most of
    the cost of sympy's ``diff`` is its assumption queries on each new result.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> partial_derivatives(x**2 + x*y + y**2, (x, y))
    (2*x + y, x + 2*y)
    """
    if expr.has(sympy.Abs, sympy.sign):
        real = expr.replace(sympy.Abs, _RealAbs).replace(sympy.sign, _RealSign)
        return tuple(_restored(d) for d in partial_derivatives(real, variables))
    if not isinstance(expr, sympy.Add) or len(expr.args) < 8:
        return tuple(sympy.diff(expr, v) for v in variables)
    wanted = set(variables)
    terms_with: dict[sympy.Symbol, list[sympy.Expr]] = {v: [] for v in variables}
    for term in expr.args:
        for s in term.free_symbols & wanted:
            terms_with[s].append(term)
    memo: dict[tuple[sympy.Expr, sympy.Symbol], sympy.Expr] = {}
    return tuple(sympy.Add(*(_diff_by_shape(t, v, memo) for t in terms_with[v])) for v in variables)


class _RealAbs(sympy.Function):
    """|u| for a real u, differentiated as a real function: d|u| = sign(u)·du.

    sympy's Abs differentiates through re and im when it cannot tell that u
    is real (sqrt(x) - 3 is complex for x < 0), which leaves unevaluated
    derivatives that no point can be put into. gradcli's functions are real
    where they are defined, so the real rules hold there.
    """

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return _RealSign(self.args[0])


class _RealSign(sympy.Function):
    """sign(u) for a real u: its derivative is 2·δ(u), zero off u = 0."""

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return 2 * sympy.DiracDelta(self.args[0])


def _restored(expr: sympy.Expr) -> sympy.Expr:
    return expr.replace(_RealAbs, sympy.Abs).replace(_RealSign, sympy.sign)


def _diff_by_shape(
    term: sympy.Expr,
    variable: sympy.Symbol,
    memo: dict[tuple[sympy.Expr, sympy.Symbol], sympy.Expr],
) -> sympy.Expr:
    """d term/d variable, through a canonical renaming of the term's symbols."""
    from gradcli.parse import natural_key

    symbols = sorted(term.free_symbols, key=lambda s: natural_key(s.name))
    # the stand-ins keep each symbol's assumptions, so renaming changes nothing
    stand_ins = [sympy.Symbol(f"_gradcli_{i}", **s.assumptions0) for i, s in enumerate(symbols)]
    canonical = term.xreplace(dict(zip(symbols, stand_ins)))
    key = (canonical, stand_ins[symbols.index(variable)])
    derivative = memo.get(key)
    if derivative is None:
        derivative = memo[key] = sympy.diff(*key)
    return derivative.xreplace(dict(zip(stand_ins, symbols)))
