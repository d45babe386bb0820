"""The one source of derivatives: ∇f, the Hessian and the Jacobian.

Every command (grad, hessian, jacobian, critical, descend, check, plot, the
steps' verification) takes its derivatives from here, so that what descent
follows is, symbol for symbol, what ``gradcli grad`` prints and what
``gradcli hessian`` classifies with. Results are cached per (expression,
variables): a batch that asks for the same function twice differentiates it
once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import lru_cache
from itertools import product

import sympy
from sympy.core.function import AppliedUndef, ArgumentIndexError

from gradcli.errors import MathError, NotDifferentiableError
from gradcli.i18n import _
from gradcli.limits import Limits
from gradcli.numbers import (
    describe_point,
    exact,
    exact_sign,
    substituted,
    value_at,
    values_at,
)
from gradcli.printing import to_unicode

__all__ = [
    "Matrix",
    "NotDifferentiableError",
    "derivatives_along",
    "gradient_at",
    "gradient_of",
    "hessian_at",
    "hessian_of",
    "jacobian_of",
    "kinks",
    "partial_derivatives",
    "piece",
]

Matrix = tuple[tuple[sympy.Expr, ...], ...]

# a cache entry is a few sympy trees; batches repeat a handful of functions
_CACHE_SIZE = 256


#: derivatives of sums over data, taken term by term from their one-row form
_SUMS: dict[tuple[sympy.Expr, tuple[sympy.Symbol, ...]], _SumOverRows] = {}
#: sums remembered at most (a command builds one or two losses)
_MOST_SUMS = 8


class _SumOverRows:
    """L = (1/N) Σᵢ ℓ(θ; rowᵢ) + p(θ), differentiated through ℓ and p.

    By linearity ∇L = (1/N) Σᵢ ∇ℓ(θ; rowᵢ) + ∇p and likewise for the
    Hessian: ℓ and p are differentiated here once, by the rules every
    derivative follows, and each row is then put into the result by
    ``fill``. On 250 rows of a logistic loss that is milliseconds where
    differentiating the expanded sum takes seconds.
    """

    def __init__(
        self,
        sample: sympy.Expr,
        penalty: sympy.Expr,
        variables: tuple[sympy.Symbol, ...],
        fill: Callable[[sympy.Expr], sympy.Expr],
    ) -> None:
        self.sample, self.penalty, self.variables, self.fill = sample, penalty, variables, fill
        self._gradient: tuple[sympy.Expr, ...] | None = None
        self._hessian: Matrix | None = None

    def gradient(self) -> tuple[sympy.Expr, ...]:
        if self._gradient is None:
            self._gradient = tuple(
                self.fill(d) + p
                for d, p in zip(
                    _gradient(self.sample, self.variables), _gradient(self.penalty, self.variables)
                )
            )
        return self._gradient

    def hessian(self) -> Matrix:
        if self._hessian is None:
            rows = _hessian(self.sample, self.variables)
            penalty = _hessian(self.penalty, self.variables)
            n = len(self.variables)
            upper = {
                (i, j): self.fill(rows[i][j]) + penalty[i][j] for i in range(n) for j in range(i, n)
            }
            self._hessian = tuple(
                tuple(upper[min(i, j), max(i, j)] for j in range(n)) for i in range(n)
            )
        return self._hessian


def sum_over_rows(
    expr: sympy.Expr,
    variables: Sequence[sympy.Symbol],
    *,
    sample: sympy.Expr,
    penalty: sympy.Expr,
    fill: Callable[[sympy.Expr], sympy.Expr],
) -> None:
    """Declare ``expr`` to be ``fill(sample) + penalty``, the mean of a one-row
    expression over rows of data plus a penalty, so that its derivatives in
    ``variables`` are taken from ``sample``'s and ``penalty``'s.

    ``fill(e)`` must give (1/N) Σᵢ e(rowᵢ) for any expression ``e`` in the
    row's symbols (:func:`gradcli.losses.sums.mean_over_rows`).
    """
    key = (expr, tuple(variables))
    if len(_SUMS) >= _MOST_SUMS:
        _SUMS.pop(next(iter(_SUMS)))
    _SUMS[key] = _SumOverRows(sample, penalty, tuple(variables), fill)


def gradient_of(expr: sympy.Expr, variables: Sequence[sympy.Symbol]) -> tuple[sympy.Expr, ...]:
    """∇f: ``∂expr/∂v`` for each variable, in order (unsimplified, cached).

    >>> x, y = sympy.symbols("x y", real=True)
    >>> gradient_of(x**2 + x*y + y**2, (x, y))
    (2*x + y, x + 2*y)
    """
    known = _SUMS.get((expr, tuple(variables)))
    if known is not None:
        return known.gradient()
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
    known = _SUMS.get((expr, tuple(variables)))
    if known is not None:
        return known.hessian()
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
        real = (
            expr.replace(_is_log_abs, lambda e: _LogAbs(e.args[0].args[0]))
            .replace(sympy.Abs, _RealAbs)
            .replace(sympy.sign, _RealSign)
        )
        return tuple(_restored(d) for d in partial_derivatives(real, variables))
    if not isinstance(expr, sympy.Add) or len(expr.args) < 8:
        return tuple(derivative(expr, v) for v in variables)
    wanted = set(variables)
    terms_with: dict[sympy.Symbol, list[sympy.Expr]] = {v: [] for v in variables}
    for term in expr.args:
        for s in term.free_symbols & wanted:
            terms_with[s].append(term)
    memo: dict[tuple[sympy.Expr, sympy.Symbol], sympy.Expr] = {}
    return tuple(sympy.Add(*(_diff_by_shape(t, v, memo) for t in terms_with[v])) for v in variables)


def derivative(expr: sympy.Expr, variable: sympy.Symbol) -> sympy.Expr:
    """``sympy.diff(expr, variable)``, each distinct part differentiated once.

    sympy's own rules, applied the way its ``diff`` applies them, so the
    result is the same expression; but sympy wraps every step in a
    ``Derivative`` that rewalks the step's whole result, and asks for the
    free symbols of every part again, so a composition n levels deep costs
    it n² walks of n nodes for each variable. Here each part is visited once
    per variable and whether it holds the variable is remembered. Parts with
    rules of their own (|u|, sign, Piecewise, min, max, …) are left to sympy.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> derivative(sympy.tanh(x + sympy.tanh(x * y)), x)
    (1 - tanh(x + tanh(x*y))**2)*(y*(1 - tanh(x*y)**2) + 1)
    """
    holds: dict[sympy.Basic, bool] = {}
    done: dict[sympy.Basic, sympy.Expr] = {}

    def has_variable(node: sympy.Basic) -> bool:
        known = holds.get(node)
        if known is None:
            known = node == variable or any(has_variable(a) for a in node.args)
            holds[node] = known
        return known

    def d(node: sympy.Expr) -> sympy.Expr:
        result = done.get(node)
        if result is not None:
            return result
        if not has_variable(node):
            result = sympy.S.Zero
        elif node == variable:
            result = sympy.S.One
        elif isinstance(node, sympy.Add):
            result = node.func(*(d(a) for a in node.args))
        elif isinstance(node, sympy.Mul):
            terms = []
            args = list(node.args)
            for i, factor in enumerate(args):
                change = d(factor)
                if change:
                    term = sympy.S.One
                    for part in (*args[:i], change, *args[i + 1 :]):
                        term = term * part
                    terms.append(term)
            result = sympy.Add.fromiter(terms)
        elif isinstance(node, sympy.Pow):
            base, exponent = node.args
            result = node * (d(exponent) * sympy.log(base) + d(base) * exponent / base)
        elif _differentiated_by_the_chain_rule(node):
            terms = []
            for i, argument in enumerate(node.args, 1):
                change = d(argument)
                if change.is_zero:
                    continue
                try:
                    outer = node.fdiff(i)
                except ArgumentIndexError:
                    outer = sympy.Function.fdiff(node, i)
                terms.append(outer * change)
            result = sympy.Add(*terms)
        else:
            result = sympy.diff(node, variable)
        done[node] = result
        return result

    return d(expr)


def _differentiated_by_the_chain_rule(node: sympy.Basic) -> bool:
    """A function such as sin or exp, whose derivative sympy takes by the
    chain rule alone (not |u|, sign, min, max, Piecewise, f(x) …)."""
    return (
        isinstance(node, sympy.Function)
        and not isinstance(node, AppliedUndef)
        and type(node)._eval_derivative is sympy.Function._eval_derivative
    )


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


class _LogAbs(sympy.Function):
    """log|u| for a real u: its derivative is du/u (not sign(u)·du/|u|, which
    simplifies to a Piecewise that claims 0 where log|u| is undefined)."""

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return 1 / self.args[0]


def _is_log_abs(node: sympy.Basic) -> bool:
    return isinstance(node, sympy.log) and isinstance(node.args[0], sympy.Abs)


def _restored(expr: sympy.Expr) -> sympy.Expr:
    restored = (
        expr.replace(_LogAbs, lambda u: sympy.log(sympy.Abs(u)))
        .replace(_RealAbs, sympy.Abs)
        .replace(_RealSign, sympy.sign)
    )
    if restored.has(sympy.DiracDelta):
        restored = restored.replace(_vanishing_delta, lambda e: sympy.Integer(0))
    return restored


def _vanishing_delta(node: sympy.Basic) -> bool:
    """``u·δ(u)`` (times anything): zero, as ``x·δ(x)`` is (d/dx of x²·sign(x))."""
    if not isinstance(node, sympy.Mul):
        return False
    deltas = [a.args[0] for a in node.args if isinstance(a, sympy.DiracDelta) and len(a.args) == 1]
    if not deltas:
        return False
    factors = [a.base if a.is_Pow and a.exp.is_positive else a for a in node.args]
    return any(u in factors or -u in factors for u in deltas)


def _diff_by_shape(
    term: sympy.Expr,
    variable: sympy.Symbol,
    memo: dict[tuple[sympy.Expr, sympy.Symbol], sympy.Expr],
) -> sympy.Expr:
    """d term/d variable, through a canonical renaming of the term's symbols.

    The term's coefficients are renamed too: a loss summed over data rows
    has thousands of terms of one shape, log(e^(−51a/50 + k) + 1)/250 and
    log(e^(3a/4 + k) + 1)/250, that differ only in their numbers; each shape
    is differentiated once (a 250-row logistic loss: 0.1 s, not 2.4 s).
    """
    from gradcli.parse import natural_key

    symbols = sorted(term.free_symbols, key=lambda s: natural_key(s.name))
    # the stand-ins keep each symbol's assumptions, so renaming changes nothing
    stand_ins = [sympy.Symbol(f"_gradcli_{i}", **s.assumptions0) for i, s in enumerate(symbols)]
    numbers = _coefficients(term)
    # a number's stand-in knows its sign: what sympy may ask of it
    number_stand_ins = [
        sympy.Symbol(f"_gradcli_n{i}", rational=True, positive=bool(n > 0), negative=bool(n < 0))
        for i, n in enumerate(numbers)
    ]
    renaming = {**dict(zip(symbols, stand_ins)), **dict(zip(numbers, number_stand_ins))}
    canonical = substituted(term, renaming, symbolic=True)
    key = (canonical, stand_ins[symbols.index(variable)])
    derivative = memo.get(key)
    if derivative is None:
        derivative = memo[key] = sympy.diff(*key)
    back = {**dict(zip(stand_ins, symbols)), **dict(zip(number_stand_ins, numbers))}
    return substituted(derivative, back, symbolic=True)


def _coefficients(term: sympy.Expr) -> list[sympy.Rational]:
    """The rational coefficients and constant terms of ``term``'s sums and products.

    Numbers that appear anywhere else (an exponent, as in x², or a function's
    own argument) are left alone, so that renaming by value touches only the
    places where a number is a mere constant factor or summand; ±1 is left
    too (sympy writes −u as −1·u).
    """
    coefficients: list[sympy.Rational] = []
    elsewhere: set[sympy.Basic] = set()
    stack: list[tuple[sympy.Basic, bool]] = [(term, False)]
    while stack:
        node, in_sum_or_product = stack.pop()
        if node.is_Rational:
            if in_sum_or_product:
                coefficients.append(node)
            else:
                elsewhere.add(node)
        elif node.is_Pow:
            stack.append((node.base, False))
            stack.append((node.exp, False))
        elif not node.is_Atom:
            inside = bool(node.is_Mul or node.is_Add)
            stack.extend((a, inside) for a in node.args)
    chosen: list[sympy.Rational] = []
    for number in coefficients:
        if number not in elsewhere and abs(number) != 1 and number not in chosen:
            chosen.append(number)
    return chosen


# --------------------------------------------------------------------------
# Derivatives at a point where f may have a corner or a jump


#: the functions whose argument's zero set may be a corner or a jump of f
_KINKS = (sympy.Abs, sympy.sign, sympy.Heaviside)
#: of those, the ones that jump (their value at 0 is neither side's)
_JUMPS = (sympy.sign, sympy.Heaviside)
#: sign patterns are enumerated only when at most this many kinks meet at the
#: point and the derivative is not a polynomial in their signs (2⁸ patterns)
_MAX_ENUMERATED = 8
#: seconds to decide whether one kink's argument is zero at the point
_ZERO_SECONDS = 1.0


def kinks(expr: sympy.Expr) -> tuple[sympy.Expr, ...]:
    """The arguments ``u`` of ``|u|``, ``sign(u)`` and ``Heaviside(u)`` in ``expr``:
    where ``u = 0`` f may have a corner or a jump, and sympy's derivative
    (``d|u| = sign(u)·du`` with ``sign(0) = 0``) is not the derivative.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> kinks(abs(x - y) + sympy.sign(x) * abs(x - y))
    (x - y, x)
    """
    found: dict[sympy.Expr, None] = {}
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, _KINKS):
            found.setdefault(node.args[0], None)
    return tuple(found)


Value = tuple[sympy.Expr, "float | None"]


def gradient_at(
    expr: sympy.Expr,
    variables: Sequence[sympy.Symbol],
    values: Mapping[sympy.Symbol, sympy.Expr],
    *,
    components: Sequence[sympy.Expr] | None = None,
    what: str | None = None,
    f: str = "f",
    limits: Limits | None = None,
) -> tuple[Value, ...]:
    """∇f at a point, exact and as floats, or an error where it does not exist.

    Off the kinks of f this is :func:`gradient_of` (or ``components``, the
    same derivatives tidied) at the point. Where the argument ``u`` of some
    ``|u|``/``sign(u)`` vanishes, f is the same near the point as one of its
    pieces, each ``|u|`` replaced by ``s·u`` and ``sign(u)`` by ``s`` for a
    sign ``s = ±1``: f is differentiable there when every piece has the same
    value and the same gradient, and that is ∇f. Otherwise
    :class:`NotDifferentiableError` says which kink is the corner or jump.
    ``what`` words an undefined component (``{f}``, ``{name}``, ``{where}``
    filled in; by default "∂f/∂x is … at …"); ``f`` is what the messages
    call the function.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> [v for v, _ in gradient_at(abs(x) ** 3 + y, (x, y), {x: 0, y: 0})]
    [0, 1]
    >>> try:
    ...     gradient_at(abs(x - y), (x, y), {x: 1, y: 1})
    ... except NotDifferentiableError as error:
    ...     print(error)
    f is not differentiable at x = 1, y = 1: |x - y| has a corner where x - y = 0
    """
    variables = tuple(variables)
    values = {k: exact(v, symbolic=True) for k, v in values.items()}
    where = describe_point(values)
    if what is None:
        what = _("∂{f}/∂{name} is {{}} at {where}")
    names = [what.format(f=f, name=v.name, where=where) for v in variables]
    pieces = _Pieces.at(expr, values, where, limits, f)
    if pieces is None:
        if components is None:
            components = gradient_of(expr, variables)
        return tuple(values_at(components, values, whats=names, limits=limits))
    pieces.continuous()
    first = partial_derivatives(pieces.expr, variables)
    return pieces.common(first, names, False)


def hessian_at(
    expr: sympy.Expr,
    variables: Sequence[sympy.Symbol],
    values: Mapping[sympy.Symbol, sympy.Expr],
    *,
    what: Callable[[int, int], str] | None = None,
    limits: Limits | None = None,
) -> tuple[tuple[Value, ...], ...]:
    """The Hessian at a point, exact and as floats, or an error where f is not
    twice differentiable there (``x·|x|`` at 0: f'' jumps from −2 to 2).

    Off the kinks this is :func:`hessian_of` at the point; on one, the pieces
    of :func:`gradient_at` must agree in their second derivatives too.
    ``what(i, j)`` words an undefined entry (``{}`` for its state).

    >>> x = sympy.Symbol("x", real=True)
    >>> hessian_at(abs(x) ** 3, (x,), {x: 0})
    (((0, 0.0),),)
    >>> try:
    ...     hessian_at(x * abs(x), (x,), {x: 0})
    ... except NotDifferentiableError as error:
    ...     print(error.message.partition(": ")[2])
    its first derivatives have a corner where x = 0 (from |x|)
    """
    variables = tuple(variables)
    values = {k: exact(v, symbolic=True) for k, v in values.items()}
    where = describe_point(values)
    n = len(variables)

    def name(i: int, j: int) -> str:
        if what is not None:
            return what(i, j)
        pair = f"{variables[i].name}²" if i == j else f"{variables[i].name}∂{variables[j].name}"
        return _("∂²f/∂{pair} is {{}} at {where}").format(pair=pair, where=where)

    pieces = _Pieces.at(expr, values, where, limits)
    if pieces is None:
        matrix = hessian_of(expr, variables)
        entries = values_at(
            [matrix[i][j] for i in range(n) for j in range(n)],
            values,
            whats=[name(i, j) for i in range(n) for j in range(n)],
            limits=limits,
        )
        return tuple(tuple(entries[i * n : (i + 1) * n]) for i in range(n))
    pieces.continuous()
    first = partial_derivatives(pieces.expr, variables)
    undefined = _("∂{f}/∂{name} is {{}} at {where}")
    pieces.common(
        first, [undefined.format(f="f", name=v.name, where=where) for v in variables], False
    )
    second = [partial_derivatives(g, variables[i:]) for i, g in enumerate(first)]
    upper = pieces.common(
        [second[i][j - i] for i in range(n) for j in range(i, n)],
        [name(i, j) for i in range(n) for j in range(i, n)],
        True,
    )
    at = dict(zip(((i, j) for i in range(n) for j in range(i, n)), upper))
    return tuple(tuple(at[min(i, j), max(i, j)] for j in range(n)) for i in range(n))


class _Pieces:
    """f near a point where some kinks vanish: one smooth piece per sign pattern."""

    def __init__(
        self,
        expr: sympy.Expr,
        values: dict[sympy.Symbol, sympy.Expr],
        where: str,
        limits: Limits | None,
        vanishing: list[sympy.Expr],
        f: str = "f",
    ) -> None:
        self.f = f
        self.original = expr
        self.values = values
        self.where = where
        self.limits = limits
        self.vanishing = vanishing
        # |2y - 2| and |y - 1| turn at the same place with the same sign: one
        # sign for both, or their pieces would disagree where f does not
        self.signs: list[sympy.Symbol] = []
        by_argument: dict[sympy.Expr, sympy.Expr] = {}
        representative: dict[sympy.Symbol, sympy.Expr] = {}
        for u in vanishing:
            for s, r in representative.items():
                ratio = constant_ratio(u, r)
                if ratio is not None:
                    by_argument[u] = s if ratio > 0 else -s
                    break
            else:
                s = sympy.Dummy(f"s{len(self.signs)}", real=True)
                self.signs.append(s)
                representative[s] = u
                by_argument[u] = s
        self.jumping = {
            by_argument[node.args[0]].free_symbols.pop()
            for node in sympy.preorder_traversal(expr)
            if isinstance(node, _JUMPS) and node.args[0] in by_argument
        }
        self.kink_of = {
            s: next(
                node
                for node in sympy.preorder_traversal(expr)
                if isinstance(node, _KINKS) and node.args[0] == u
            )
            for s, u in representative.items()
        }
        self.expr = piece(expr, by_argument)

    @classmethod
    def at(
        cls,
        expr: sympy.Expr,
        values: dict[sympy.Symbol, sympy.Expr],
        where: str,
        limits: Limits | None,
        f: str = "f",
    ) -> _Pieces | None:
        """The pieces of f at the point, or ``None`` when no kink vanishes there."""
        vanishing = []
        for u in kinks(expr):
            undefined = _("{f} is {{}} at {where}").format(f=f, where=where)
            value, _approx = value_at(u, values, what=undefined, limits=limits)
            if value.free_symbols:
                # a parameter without a value: the derivative stays symbolic,
                # true wherever u ≠ 0
                continue
            sign = exact_sign(value, seconds=_ZERO_SECONDS)
            if sign is None:
                raise MathError(
                    _(
                        "cannot decide whether {f} is differentiable at {where}: "
                        "cannot tell whether {part} is 0 there"
                    ).format(f=f, where=where, part=to_unicode(u))
                )
            if sign == 0:
                vanishing.append(u)
        if not vanishing:
            return None
        return cls(expr, values, where, limits, vanishing, f)

    def continuous(self) -> None:
        """Refuse a jump: the pieces' values at the point must agree with f's."""
        undefined = _("{f} is {{}} at {where}").format(f=self.f, where=self.where)
        own, _approx = value_at(self.original, self.values, what=undefined, limits=self.limits)
        value, _approx = value_at(self.expr, self.values, what=undefined, limits=self.limits)
        culprit = self._depends(value - own, with_zero=True)
        if culprit is not None:
            kink = self.kink_of[culprit]
            raise NotDifferentiableError(
                _(
                    "{f} is not differentiable at {where}: it jumps where {part} = 0 (from {kink})"
                ).format(
                    f=self.f,
                    where=self.where,
                    part=to_unicode(kink.args[0]),
                    kink=to_unicode(kink),
                )
            )

    def common(
        self, derivatives: Sequence[sympy.Expr], names: Sequence[str], twice: bool
    ) -> tuple[Value, ...]:
        """The derivatives' common value over all pieces, or an error naming a corner."""
        out = []
        for derivative, name in zip(derivatives, names):
            value, _approx = value_at(derivative, self.values, what=name, limits=self.limits)
            culprit = self._depends(value, with_zero=False)
            if culprit is not None:
                kink = self.kink_of[culprit]
                u = to_unicode(kink.args[0])
                if twice:
                    message = _(
                        "{f} is not twice differentiable at {where}: its first "
                        "derivatives have a corner where {part} = 0 (from {kink})"
                    )
                elif isinstance(kink, sympy.Abs):
                    message = _(
                        "{f} is not differentiable at {where}: {kink} has a corner where {part} = 0"
                    )
                else:
                    message = _(
                        "{f} is not differentiable at {where}: {kink} jumps where {part} = 0"
                    )
                raise NotDifferentiableError(
                    message.format(f=self.f, where=self.where, part=u, kink=to_unicode(kink))
                )
            if self._depends(value, with_zero=True) is not None:
                if twice:
                    message = _(
                        "cannot decide whether {f} is twice differentiable at {where}: "
                        "it differs on the surface where a sign(…) is 0"
                    )
                else:
                    message = _(
                        "cannot decide whether {f} is differentiable at {where}: "
                        "it differs on the surface where a sign(…) is 0"
                    )
                raise MathError(message.format(f=self.f, where=self.where))
            plus = {s: sympy.Integer(1) for s in self.signs}
            out.append(
                value_at(derivative.xreplace(plus), self.values, what=name, limits=self.limits)
            )
        return tuple(out)

    def _depends(self, value: sympy.Expr, *, with_zero: bool) -> sympy.Symbol | None:
        """A sign the exact ``value`` depends on (``with_zero``: also s = 0 for a
        sign(u), the value on u = 0), or ``None`` if it is the same for all."""
        signs = [s for s in self.signs if s in value.free_symbols]
        if not signs:
            return None
        multilinear = _multilinear(value, signs)
        if multilinear is not None and not with_zero:
            for monomial, coefficient in multilinear.terms():
                if any(monomial):
                    sign = exact_sign(coefficient, seconds=_ZERO_SECONDS)
                    if sign is None:
                        raise MathError(
                            _("cannot decide whether {f} is differentiable at {where}").format(
                                f=self.f, where=self.where
                            )
                        )
                    if sign != 0:
                        return signs[next(i for i, k in enumerate(monomial) if k)]
            return None
        if len(signs) > _MAX_ENUMERATED:
            raise MathError(
                _(
                    "cannot decide whether {f} is differentiable at {where}: "
                    "{count} corners meet there"
                ).format(f=self.f, where=self.where, count=len(signs))
            )
        choices = [(-1, 0, 1) if with_zero and s in self.jumping else (-1, 1) for s in signs]
        first = value.xreplace({s: sympy.Integer(1) for s in signs})
        for pattern in product(*choices):
            other = value.xreplace(dict(zip(signs, map(sympy.Integer, pattern))))
            if other.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
                return signs[0]
            sign = exact_sign(other - first, seconds=_ZERO_SECONDS)
            if sign is None:
                raise MathError(
                    _("cannot decide whether {f} is differentiable at {where}").format(
                        f=self.f, where=self.where
                    )
                )
            if sign != 0:
                changed = [s for s, c in zip(signs, pattern) if c != 1]
                return changed[0]
        return None


def constant_ratio(u: sympy.Expr, r: sympy.Expr) -> sympy.Expr | None:
    """``u / r`` when it is a nonzero number (``2y - 2`` over ``y - 1`` is 2)."""
    try:
        ratio = sympy.cancel(u / r)
    except (sympy.PolynomialError, TypeError, ValueError):
        return None
    if ratio.is_number and ratio.is_extended_real and ratio != 0:
        return ratio
    return None


def piece(expr: sympy.Expr, signs: Mapping[sympy.Expr, sympy.Expr]) -> sympy.Expr:
    """``expr`` with ``|u|`` → ``s·u``, ``sign(u)`` → ``s``, ``Heaviside(u)`` →
    ``(1 + s)/2`` for each vanishing ``u`` (matched on the original tree)."""
    if not expr.args:
        return expr
    if isinstance(expr, _KINKS) and expr.args[0] in signs:
        s = signs[expr.args[0]]
        if isinstance(expr, sympy.Abs):
            return s * piece(expr.args[0], signs)
        if isinstance(expr, sympy.sign):
            return s
        return (1 + s) / 2
    return expr.func(*(piece(a, signs) for a in expr.args))


def _multilinear(value: sympy.Expr, signs: Sequence[sympy.Symbol]) -> sympy.Poly | None:
    """``value`` as a polynomial in the signs, each power reduced by s² = 1,
    or ``None`` when it is not polynomial in them."""
    expanded = sympy.expand(value)
    if not expanded.is_polynomial(*signs):
        return None
    reduced = expanded.replace(
        lambda e: e.is_Pow and e.base in signs and e.exp.is_Integer and e.exp > 0,
        lambda e: e.base if e.exp % 2 else sympy.Integer(1),
    )
    return sympy.Poly(sympy.expand(reduced), *signs)
