"""Every real solution of a zero-dimensional polynomial system, exactly.

Gröbner bases bring the system into shape position, so that each real root
of one univariate polynomial gives one real solution (nothing is lost, unlike
``sympy.solve``, which drops roots it cannot write in radicals). A solution
whose coordinates are polynomials in a root of degree > 2 is kept with its
:class:`Algebraic` description, which makes exact signs there cheap.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import sympy

__all__ = ["Algebraic", "real_solutions"]

# linear changes of coordinates tried to reach shape position
_ATTEMPTS = 6


@dataclass(frozen=True)
class Algebraic:
    """A point whose coordinates are polynomials in one real algebraic number.

    ``substitution`` gives each variable as a polynomial in ``poly.gen``; an
    expression polynomial in the variables is reduced modulo the irreducible
    ``poly`` and evaluated at ``root``: the reduced form is zero exactly when
    the value is zero, which makes exact signs cheap.

    >>> u, x = sympy.symbols("u x")
    >>> poly = sympy.Poly(u**3 - 2, u)
    >>> point = Algebraic(poly, sympy.CRootOf(u**3 - 2, 0), {x: u})
    >>> point.value(x**3 - 2), point.value(x**4)
    (0, 2*CRootOf(u**3 - 2, 0))
    """

    poly: sympy.Poly
    root: sympy.Expr
    substitution: dict[sympy.Symbol, sympy.Expr]

    def value(self, expr: sympy.Expr) -> sympy.Expr | None:
        """The exact value of a rational function of the variables here
        (``nan`` where its denominator vanishes), or ``None`` for others."""
        variables = tuple(self.substitution)
        if not expr.is_rational_function(*variables):
            return None
        numerator, denominator = sympy.fraction(sympy.cancel(expr))
        top = self._reduce(numerator)
        bottom = self._reduce(denominator)
        if bottom.is_zero:
            return sympy.nan
        if top.is_zero:
            return sympy.Integer(0)
        at = {self.poly.gen: self.root}
        return top.as_expr().xreplace(at) / bottom.as_expr().xreplace(at)

    def _reduce(self, expr: sympy.Expr) -> sympy.Poly:
        """A polynomial in the variables as a polynomial in u modulo ``poly``."""
        u = self.poly.gen
        images = [sympy.Poly(q, u, domain="QQ") for q in self.substitution.values()]
        powers: dict[tuple[int, int], sympy.Poly] = {}

        def power(i: int, e: int) -> sympy.Poly:
            if (i, e) not in powers:
                base = images[i] if e == 1 else power(i, e - 1) * images[i]
                powers[i, e] = base.rem(self.poly)
            return powers[i, e]

        total = sympy.Poly(0, u, domain="QQ")
        for monomial, coefficient in sympy.Poly(expr, *self.substitution).terms():
            term = sympy.Poly(coefficient, u, domain="QQ")
            for i, e in enumerate(monomial):
                if e:
                    term = (term * power(i, e)).rem(self.poly)
            total += term
        return total.rem(self.poly)


Solution = tuple[tuple[sympy.Expr, ...], Algebraic | None]


def real_solutions(
    polys: list[sympy.Expr], variables: tuple[sympy.Symbol, ...], seed: int
) -> list[Solution] | None:
    """Every real solution of a zero-dimensional polynomial system, exactly.

    ``None`` when the system has infinitely many complex solutions (or shape
    position is not reached). The ideal is made radical (square-free
    univariate eliminants, Seidenberg's lemma) and brought into shape position
    by a linear change of the last variable.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> sorted(point for point, _ in real_solutions([x**2 - 1, y - x], (x, y), 0))
    [(-1, -1), (1, 1)]
    >>> real_solutions([x - y], (x, y), 0) is None
    True
    """
    basis = sympy.groebner(polys, *variables, order="lex")
    if list(basis.exprs) == [1]:
        return []
    if not basis.is_zero_dimensional:
        return None
    radical = list(basis.exprs)
    for v in variables:
        order = [w for w in variables if w != v] + [v]
        eliminant = next(
            p for p in sympy.groebner(polys, *order, order="lex").exprs if p.free_symbols <= {v}
        )
        radical.append(sympy.Poly(eliminant, v).sqf_part().as_expr())
    rng = random.Random(seed)
    n = len(variables)
    last = variables[-1]
    for attempt in range(_ATTEMPTS):
        shifts = (
            [0] * (n - 1)
            if attempt == 0
            else [rng.choice((1, 2, 3, -1, -2, -3)) for _ in range(n - 1)]
        )
        u = last if attempt == 0 else sympy.Dummy("t", real=True)
        change = {last: u - sum(c * v for c, v in zip(shifts, variables[:-1]))}
        shifted = [sympy.expand(p.xreplace(change)) for p in radical]
        exprs = list(sympy.groebner(shifted, *variables[:-1], u, order="lex").exprs)
        shape = _shape(exprs, variables[:-1], u)
        if shape is not None:
            return _points(*shape, variables, shifts, u)
    return None


def _points(
    eliminant: sympy.Expr,
    formulas: list[sympy.Expr],
    variables: tuple[sympy.Symbol, ...],
    shifts: list[int],
    u: sympy.Symbol,
) -> list[Solution]:
    """The real points of a system in shape position, one per real root of the eliminant."""
    points: list[Solution] = []
    for factor, _ in sympy.factor_list(eliminant, u)[1]:
        poly = sympy.Poly(factor, u)
        if poly.degree() < 1:
            continue
        if poly.degree() <= 2:
            roots = [r for r in sympy.roots(poly, multiple=True) if r.is_real]
        else:
            roots = list(poly.real_roots())
        reduced = [sympy.Poly(q, u).rem(poly).as_expr() for q in formulas]
        tail_u = sympy.Poly(u - sum(c * q for c, q in zip(shifts, reduced)), u).rem(poly)
        substitution = dict(zip(variables, [*reduced, tail_u.as_expr()]))
        for r in roots:
            point = tuple(sympy.expand(q.xreplace({u: r})) for q in substitution.values())
            algebraic = Algebraic(poly, r, substitution) if poly.degree() > 2 else None
            points.append((point, algebraic))
    return points


def _shape(
    exprs: list[sympy.Expr], head: tuple[sympy.Symbol, ...], u: sympy.Symbol
) -> tuple[sympy.Expr, list[sympy.Expr]] | None:
    """A lex basis ``[a₁x₁ - q₁(u), …, p(u)]`` as ``(p, [q₁, …])``, else ``None``."""
    if len(exprs) != len(head) + 1 or exprs[-1].free_symbols - {u}:
        return None
    formulas = []
    for expr, v in zip(exprs, head):
        poly = sympy.Poly(expr, v)
        if poly.degree() != 1 or poly.LC().free_symbols:
            return None
        rest = sympy.expand(expr - poly.LC() * v)
        if rest.free_symbols - {u}:
            return None
        formulas.append(-rest / poly.LC())
    return exprs[-1], formulas
