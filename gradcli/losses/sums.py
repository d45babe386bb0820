"""The mean of a one-row expression over the rows of a table, exactly.

A polynomial with rational coefficients (the squared error of a polynomial
model) is summed as a polynomial in the parameters: each row adds to the
coefficients of a few monomials, in rational arithmetic, so 2,000 rows
collapse to the handful of terms of θᵀAθ + bᵀθ + c. So are the polynomial
terms of a sum (the −y·m of the logistic loss); any other term is summed
plainly, each row's numbers put in.

Putting numbers into ``log(1 + e^(w·x + b))`` with ``xreplace`` costs sympy
milliseconds a row: each ``log``, ``exp`` and ``|…|`` rebuilt asks the
assumptions system whether its argument is zero, positive, a logarithm… ,
which for an argument still in the parameters settles nothing (sympy then
builds the very object it started from). :class:`_Filler` rebuilds such a
function without asking, and evaluates it only where its argument is a number.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import sympy
from sympy.polys.polyerrors import BasePolynomialError

__all__ = ["mean_over_rows"]

#: a one-row polynomial with more terms than this is summed plainly
_MAX_TERMS = 2_000


def mean_over_rows(
    sample: sympy.Expr,
    parameters: Sequence[sympy.Symbol],
    data: Sequence[sympy.Symbol],
    rows: Sequence[Sequence[sympy.Rational]],
) -> sympy.Expr:
    """(1/N) Σᵢ sample(θ; dataᵢ): ``data`` are the symbols each row gives values to.

    >>> w, x, y = sympy.symbols("w x y", real=True)
    >>> rows = [(sympy.Integer(1), sympy.Integer(2)), (sympy.Integer(2), sympy.Integer(3))]
    >>> mean_over_rows((w * x - y) ** 2, [w], [x, y], rows)
    5*w**2/2 - 8*w + 13/2
    >>> mean_over_rows(abs(w * x - y), [w], [x, y], rows)
    Abs(w - 2)/2 + Abs(2*w - 3)/2
    """
    polynomial: list[sympy.Expr] = []
    other: list[sympy.Expr] = []
    for term in sympy.Add.make_args(sample):
        (polynomial if _is_polynomial(term, parameters, data) else other).append(term)
    collapsed = _polynomial_mean(sympy.Add(*polynomial), parameters, data, rows)
    if collapsed is None:
        other, collapsed = [*polynomial, *other], sympy.Integer(0)
    if not other:
        return collapsed
    fill = _Filler(sympy.Add(*other), {s: i for i, s in enumerate(data)})
    return sympy.Add(*(fill(row) for row in rows)) / sympy.Integer(len(rows)) + collapsed


class _Filler:
    """``node`` as a function of a row of values for ``data``: each distinct
    subexpression that holds data is rebuilt once a row, in post-order.

    >>> w, x = sympy.symbols("w x", real=True)
    >>> fill = _Filler(sympy.log(1 + sympy.exp(w * x)), {x: 0})
    >>> fill([sympy.Integer(2)]), fill([sympy.Integer(0)])
    (log(exp(2*w) + 1), log(2))
    """

    def __init__(self, node: sympy.Expr, data: dict[sympy.Symbol, int]) -> None:
        self.data = data
        self.order: dict[sympy.Basic, int] = {}
        #: per step: the constant, or the data's index, or (node, its steps)
        self.steps: list[tuple[str, Any]] = []
        self._add(node)

    def _add(self, node: sympy.Basic) -> int:
        known = self.order.get(node)
        if known is not None:
            return known
        if node in self.data:
            step: tuple[str, Any] = ("value", self.data[node])
        elif not any(s in self.data for s in node.free_symbols):
            step = ("constant", node)
        else:
            step = ("node", (node, [self._add(arg) for arg in node.args]))
        self.order[node] = len(self.steps)
        self.steps.append(step)
        return self.order[node]

    def __call__(self, row: Sequence[sympy.Expr]) -> sympy.Expr:
        done: list[Any] = []
        for kind, what in self.steps:
            if kind == "value":
                done.append(row[what])
            elif kind == "constant":
                done.append(what)
            else:
                node, at = what
                done.append(_rebuilt(node, [done[i] for i in at]))
        return done[-1]


def _rebuilt(node: sympy.Basic, args: list[sympy.Expr]) -> sympy.Expr:
    """``node`` with new ``args``; a function of the parameters is not re-evaluated."""
    if isinstance(node, sympy.Function) and not all(arg.is_number for arg in args):
        return node.func(*args, evaluate=False)
    return node.func(*args)


def _polynomial_mean(
    sample: sympy.Expr,
    parameters: Sequence[sympy.Symbol],
    data: Sequence[sympy.Symbol],
    rows: Sequence[Sequence[sympy.Rational]],
) -> sympy.Expr | None:
    """The mean expanded; None when ``sample`` is not a polynomial over ℚ or too long."""
    try:
        poly = sympy.Poly(sample, *parameters, *data, domain=sympy.QQ)
    except BasePolynomialError:
        return None
    if len(poly.terms()) > _MAX_TERMS:
        return None
    k = len(parameters)
    terms = [
        (monomial[:k], monomial[k:], Fraction(int(c.numerator), int(c.denominator)))
        for monomial, c in poly.terms()
    ]
    sums: dict[tuple[int, ...], Fraction] = {}
    for row in rows:
        values = [Fraction(int(v.p), int(v.q)) for v in row]
        for of_parameters, of_data, coefficient in terms:
            value = coefficient
            for v, power in zip(values, of_data):
                if power:
                    value *= v**power
            if value:
                sums[of_parameters] = sums.get(of_parameters, Fraction(0)) + value
    n = len(rows)
    return sympy.Add(
        *(
            sympy.Rational(total.numerator, total.denominator * n)
            * sympy.Mul(*(p**e for p, e in zip(parameters, monomial)))
            for monomial, total in sums.items()
        )
    )


def _is_polynomial(
    term: sympy.Expr, parameters: Sequence[sympy.Symbol], data: Sequence[sympy.Symbol]
) -> bool:
    try:
        sympy.Poly(term, *parameters, *data, domain=sympy.QQ)
    except BasePolynomialError:
        return False
    return True
