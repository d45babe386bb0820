"""Compiling f, ∇f (from gradcli.derivatives) and one step of a method into Python functions."""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache, reduce
from typing import Any

import sympy

from gradcli.budget import time_limit
from gradcli.derivatives import gradient_of, hessian_of
from gradcli.descent.options import _Options
from gradcli.descent.results import _UNROLL, _UNROLL_MAX_VARIABLES
from gradcli.errors import BudgetExceeded, MathError
from gradcli.i18n import N_, _
from gradcli.numbers import real_powers


def _printer() -> Any:
    """sympy's own Python printer, told to refuse what ``math`` cannot compute
    (DiracDelta, say) rather than write a name that fails when called, and to
    keep the terms of a sum in the order they were built (``θ - α*g``, not
    ``-α*g + θ``: one operation fewer)."""
    from sympy.printing.pycode import PythonCodePrinter

    return PythonCodePrinter(
        {
            "fully_qualified_modules": False,
            "inline": True,
            "allow_unknown_functions": False,
            "order": "none",
        }
    )


class _Emitter:
    """Collects straight-line assignments ``symbol = expression``."""

    def __init__(self) -> None:
        self.assignments: list[tuple[sympy.Symbol, sympy.Expr]] = []

    def __call__(self, expr: Any) -> Any:
        if isinstance(expr, sympy.Basic) and not expr.is_Atom:
            name = sympy.Dummy()
            self.assignments.append((name, expr))
            return name
        return expr


def _identity(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class _Layout:
    """Where things are in what a compiled block takes and returns.

    A block of ``unroll`` steps takes the *carry* and returns ``(carry',
    record)``. The carry is ``θ, state, params`` (the method's extra state:
    momentum buffers, Adam's moments; its constants) and the checks of the
    block's last step: [the squared lengths of the last two steps, for
    methods whose step is not α|∇f|,] |∇f|² and f. The record holds one row
    per step, ``g_1..g_n, θ'_1..θ'_n``: ∇f at θ_k, then θ_{k+1}. The values
    f(θ_k) are not computed in the loop but afterwards, from the records.
    """

    n: int
    unroll: int
    has_step: bool
    n_state: int
    n_params: int

    @property
    def width(self) -> int:
        return 2 * self.n

    @property
    def records(self) -> int:
        return self.unroll * self.width

    @property
    def gradient_at(self) -> int:
        return 0

    @property
    def point_at(self) -> int:
        return self.n

    @property
    def checks(self) -> int:
        return 2 + 2 * self.has_step

    @property
    def carry(self) -> int:
        return self.n + self.n_state + self.n_params + self.checks


@dataclass(frozen=True)
class _RealForms:
    """f, ∇f and the Hessian with each odd root of a negative base real.

    The derivatives are those of f (from :mod:`gradcli.derivatives`), made
    real afterwards, never the derivatives of the real form's sign and |…|.
    """

    expr: sympy.Expr
    gradient: tuple[sympy.Expr, ...]
    hessian: tuple[tuple[sympy.Expr, ...], ...]

    @classmethod
    def of(
        cls,
        expr: sympy.Expr,
        gradient: tuple[sympy.Expr, ...],
        hessian: tuple[tuple[sympy.Expr, ...], ...],
    ) -> _RealForms:
        return cls(
            real_powers(expr),
            tuple(real_powers(g) for g in gradient),
            tuple(tuple(real_powers(h) for h in row) for row in hessian),
        )


#: a block: carry -> (carry', record)
_Block = Callable[[tuple[Any, ...]], tuple[tuple[Any, ...], tuple[Any, ...]]]


@dataclass(frozen=True)
class _Program:
    """Compiled pieces for one (f, variables, method)."""

    expr: sympy.Expr
    variables: tuple[sympy.Symbol, ...]
    gradient: tuple[sympy.Expr, ...]
    hessian: tuple[tuple[sympy.Expr, ...], ...]
    #: f, ∇f and the Hessian as values are taken (:func:`gradcli.numbers.real_powers`:
    #: an odd root of a negative number is real); the code is compiled from these
    real: _RealForms
    method: str
    layout: _Layout
    block: _Block
    #: a block's record -> f at each of its rows' θ_{k+1}
    values: Callable[[tuple[Any, ...]], tuple[Any, ...]]
    #: the same, one step per call; built when a block fails part way
    single: Callable[[], _Block]
    #: θ -> (f, g) as floats (Newton and point checks)
    value_and_gradient: Callable[..., tuple[Any, ...]]
    #: θ -> the Hessian's upper triangle, row by row (None: not computable)
    hessian_upper: Callable[..., tuple[Any, ...]] | None
    #: for a loss over data rows: what evaluates them (gradcli.descent.stochastic)
    rows: Any = None


def _update_rule(
    method: str,
    theta: Sequence[Any],
    grad: Sequence[Any],
    state: Sequence[Any],
    params: Sequence[Any],
    emit: Callable[[Any], Any],
    sqrt: Callable[[Any], Any],
) -> tuple[list[Any], list[Any]]:
    """One step of ``method``: (θ', state').

    Written once for floats, exact numbers and sympy symbols (code
    generation). ``params[0]`` is the signed learning rate (−α for ascent).
    """
    n = len(theta)
    a = params[0]
    if method == "gd":
        return [emit(theta[i] - a * grad[i]) for i in range(n)], []
    if method in ("momentum", "nesterov"):
        beta = params[1]
        buffer = [emit(beta * state[i] + grad[i]) for i in range(n)]
        if method == "momentum":
            direction = buffer
        else:
            direction = [emit(grad[i] + beta * buffer[i]) for i in range(n)]
        return [emit(theta[i] - a * direction[i]) for i in range(n)], buffer
    if method == "adam":
        beta1, one_minus_beta1, beta2, one_minus_beta2, eps = params[1:6]
        m = [emit(beta1 * state[i] + one_minus_beta1 * grad[i]) for i in range(n)]
        v = [emit(beta2 * state[n + i] + one_minus_beta2 * grad[i] * grad[i]) for i in range(n)]
        c1 = emit(state[2 * n] * beta1)
        c2 = emit(state[2 * n + 1] * beta2)
        k1 = emit(1 / (1 - c1))
        k2 = emit(1 / (1 - c2))
        direction = [emit(m[i] * k1 / (sqrt(v[i] * k2) + eps)) for i in range(n)]
        return [emit(theta[i] - a * direction[i]) for i in range(n)], [*m, *v, c1, c2]
    raise AssertionError(method)  # pragma: no cover - checked by _method_info


def _total(terms: list[Any]) -> Any:
    """The sum of at least one term, without a leading 0."""
    return reduce(operator.add, terms)


def _state_size(method: str, n: int) -> int:
    return {"gd": 0, "momentum": n, "nesterov": n, "adam": 2 * n + 2, "newton": 0}[method]


def _initial_state(method: str, n: int) -> tuple[float, ...]:
    if method == "adam":
        return (0.0,) * (2 * n) + (1.0, 1.0)
    return (0.0,) * _state_size(method, n)


def _params(options: _Options, sign: float, rate: float | None = None) -> tuple[float, ...]:
    """The method's constants for a step with learning rate ``rate`` (α by default)."""
    a = sign * (options.lr if rate is None else rate)
    if options.method in ("momentum", "nesterov"):
        return (a, options.beta or 0.0)
    if options.method == "adam":
        b1, b2 = options.beta or 0.0, options.beta2 or 0.0
        return (a, b1, 1 - b1, b2, 1 - b2, options.eps or 0.0)
    return (a,)


def _n_params(method: str) -> int:
    return {"momentum": 2, "nesterov": 2, "adam": 6}.get(method, 1)


def _hoist_powers(
    assignments: list[tuple[sympy.Symbol, sympy.Expr]], exprs: list[sympy.Expr]
) -> tuple[list[tuple[sympy.Symbol, sympy.Expr]], list[sympy.Expr]]:
    """Write every small integer power as products of one named base, and
    integer coefficients as floats.

    ``u**2`` becomes the product ``u*u`` and ``u**-2`` the quotient
    ``1/(u*u)``, as unevaluated sympy nodes, so that sympy's own printer
    writes them with its own, correct, brackets; ``400*u`` becomes
    ``400.0*u``. CPython has fast paths for float-by-float arithmetic, none
    for ``**`` or for an int times a float. A compound base gets a name
    first, so it is computed once.
    """
    out: list[tuple[sympy.Symbol, sympy.Expr]] = []

    def visit(expr: sympy.Expr) -> sympy.Expr:
        if expr.is_Atom:
            return expr
        args = [visit(arg) for arg in expr.args]
        if isinstance(expr, sympy.Add):
            args = [_as_float(arg, smallest=1) for arg in args]
        elif isinstance(expr, sympy.Mul):
            args = [_as_float(arg, smallest=2) for arg in args]
        if any(new is not old for new, old in zip(args, expr.args)):
            # unevaluated, or sympy would fold u*u back into u**2
            with sympy.evaluate(False):
                expr = expr.func(*args)
        if isinstance(expr, sympy.Pow) and expr.exp.is_Integer and 2 <= abs(int(expr.exp)) <= 4:
            base = expr.base
            if not base.is_Atom:
                base = sympy.Dummy()
                out.append((base, expr.base))
            k = int(expr.exp)
            product = sympy.Mul(*[base] * abs(k), evaluate=False)
            expr = product if k > 0 else sympy.Pow(product, -1, evaluate=False)
        return expr

    for name, expr in assignments:
        new = visit(expr)
        out.append((name, new))
    return out, [visit(e) for e in exprs]


def _as_float(value: sympy.Expr, *, smallest: int) -> sympy.Expr:
    """An integer term or factor as the float it equals exactly; anything else,
    and an integer below ``smallest`` in size (a factor ±1 prints as a sign),
    unchanged."""
    if value.is_Integer and smallest <= abs(int(value)) < _EXACT_FLOAT_INTEGER:
        return sympy.Float(int(value))
    return value


#: integers below this print exactly as sympy Floats (15 significant digits)
_EXACT_FLOAT_INTEGER = 10**15


@lru_cache(maxsize=32)
def _compile(expr: sympy.Expr, variables: tuple[sympy.Symbol, ...], method: str) -> _Program:
    n = len(variables)
    # the same ∇f and Hessian as every other command: compiled here, never re-derived
    gradient = gradient_of(expr, variables)
    hessian = hessian_of(expr, variables)
    # values as every command takes them: (-8)^(1/3) = -2 (unchanged without odd roots)
    real = _RealForms.of(expr, gradient, hessian)
    # generated code names the variables _v0, _v1…: a user's "e" or "pi"
    # must not meet math.e or math.pi there
    safe = tuple(sympy.Symbol(f"_v{i}", real=True) for i in range(n))
    rename = dict(zip(variables, safe))
    template, reduced = _shared_subexpressions(
        [real.expr.xreplace(rename), *(g.xreplace(rename) for g in real.gradient)]
    )
    template, reduced = _hoist_powers(list(template), list(reduced))
    upper = tuple(real.hessian[i][j].xreplace(rename) for i in range(n) for j in range(i, n))
    hessian_upper: Callable[..., tuple[Any, ...]] | None = None
    try:
        # the Hessian only classifies the end point, except for Newton's
        # method; |x| has one (DiracDelta) that Python cannot evaluate
        hessian_upper = _lambdify(list(safe), upper, None)
    except NotImplementedError:
        if method == "newton":
            raise MathError(_("Newton's method needs a Hessian that can be evaluated")) from None
    try:
        value_and_gradient = _lambdify(list(safe), tuple(reduced), template)
        if method != "newton":
            size = len(template) + sum(_count_nodes(e) for e in reduced)
            unroll = _UNROLL if n <= _UNROLL_MAX_VARIABLES and size <= 400 else 1
            block = _block_function(template, reduced, safe, method, unroll)
            values = _values_function(template, reduced, safe, block[1])
    except NotImplementedError as error:
        # sympy's printer names the function it cannot write in Python
        detail = str(error).splitlines()[0].rsplit(":", 1)[-1].strip()
        raise MathError(
            _("f cannot be evaluated numerically: {function} is not supported").format(
                function=detail
            )
        ) from None
    if method == "newton":
        layout = _Layout(n=n, unroll=1, has_step=True, n_state=0, n_params=1)

        def unavailable() -> _Block:
            raise AssertionError("newton runs without a compiled block")  # pragma: no cover

        return _Program(
            expr, variables, gradient, hessian, real, method, layout, _no_block, _no_block,
            unavailable, value_and_gradient, hessian_upper,
        )  # fmt: skip
    cache: list[_Block] = []

    def single() -> _Block:
        if not cache:
            cache.append(
                block[0] if unroll == 1 else _block_function(template, reduced, safe, method, 1)[0]
            )
        return cache[0]

    return _Program(
        expr, variables, gradient, hessian, real, method, block[1], block[0], values, single,
        value_and_gradient, hessian_upper,
    )  # fmt: skip


def _shared_subexpressions(
    exprs: list[sympy.Expr],
) -> tuple[list[tuple[sympy.Symbol, sympy.Expr]], list[sympy.Expr]]:
    """Common subexpressions, with sympy's "basic" rewriting when it is cheap.

    The rewriting finds the shared x - 1 and x**2 - y of Rosenbrock's f and
    ∇f, which plain elimination misses once diff has expanded 200*(y - x**2).
    """
    if sum(_count_nodes(e, 2_000) for e in exprs) < 2_000:
        try:
            with time_limit(1.0, N_("simplifying f")):
                return sympy.cse(exprs, optimizations="basic")
        except BudgetExceeded:
            pass
    return sympy.cse(exprs)


def _no_block(carry: tuple[Any, ...]) -> Any:  # pragma: no cover
    raise AssertionError("newton runs without a compiled block")


def _count_nodes(expr: sympy.Basic, cap: int = 10_000) -> int:
    count = 0
    for _node in sympy.preorder_traversal(expr):
        count += 1
        if count >= cap:
            break
    return count


def _block_function(
    template: list[tuple[sympy.Symbol, sympy.Expr]],
    reduced: list[sympy.Expr],
    variables: tuple[sympy.Symbol, ...],
    method: str,
    unroll: int,
) -> tuple[_Block, _Layout]:
    """Straight-line code for ``unroll`` steps: carry -> (carry', record)."""
    n = len(variables)
    has_step = method != "gd"
    layout = _Layout(
        n=n, unroll=unroll, has_step=has_step, n_state=_state_size(method, n),
        n_params=_n_params(method),
    )  # fmt: skip
    inputs = [sympy.Symbol(f"_in{i}") for i in range(layout.carry)]
    theta: list[Any] = inputs[:n]
    state: list[Any] = inputs[n : n + layout.n_state]
    params = inputs[n + layout.n_state : n + layout.n_state + layout.n_params]
    emit = _Emitter()
    records: list[Any] = []
    # the squared length of the step before the block's first
    steps2: list[Any] = [inputs[layout.carry - 3]] if has_step else []
    mapping: dict[sympy.Basic, Any] = {}
    grad: list[Any] = []
    # unevaluated arithmetic: building the code costs a fraction of the time,
    # and the code is what was written, operation for operation
    with sympy.evaluate(False):
        for step in range(unroll):
            mapping = dict(zip(variables, theta))
            for name, sub in template:
                mapping[name] = emit(sub.xreplace(mapping))
            grad = [emit(g.xreplace(mapping)) for g in reduced[1:]]
            new, state = _update_rule(method, theta, grad, state, params, emit, sympy.sqrt)
            if has_step and step >= unroll - 2:
                # the step as taken in floating point, so that standing still shows
                moves = [emit(t1 - t0) for t0, t1 in zip(theta, new)]
                steps2.append(emit(_total([d * d for d in moves])))
            records.extend(grad)
            records.extend(new)
            theta = new
        # the last step's f and |∇f|², for the test at the end of the block
        value = emit(reduced[0].xreplace(mapping))
        norm2 = emit(_total([g * g for g in grad]))
    carry = (*theta, *state, *params, *steps2[-2:], norm2, value)
    assert len(carry) == layout.carry
    function = sympy.lambdify(
        [tuple(inputs)], (carry, tuple(records)), modules="math", printer=_printer(),
        cse=lambda e: (emit.assignments, e), docstring_limit=0,
    )  # fmt: skip
    return function, layout


def _values_function(
    template: list[tuple[sympy.Symbol, sympy.Expr]],
    reduced: list[sympy.Expr],
    variables: tuple[sympy.Symbol, ...],
    layout: _Layout,
) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """Straight-line code: a block's record -> f at each row's θ_{k+1}."""
    n, width = layout.n, layout.width
    inputs = [sympy.Symbol(f"_in{i}") for i in range(layout.records)]
    emit = _Emitter()
    values = []
    # only the subexpressions (shared with ∇f) that f needs
    needed = set(reduced[0].free_symbols)
    for name, sub in reversed(template):
        if name in needed:
            needed |= sub.free_symbols
    used = [(name, sub) for name, sub in template if name in needed]
    with sympy.evaluate(False):
        for step in range(layout.unroll):
            at = step * width + n
            mapping: dict[sympy.Basic, Any] = dict(zip(variables, inputs[at : at + n]))
            for name, sub in used:
                mapping[name] = emit(sub.xreplace(mapping))
            values.append(emit(reduced[0].xreplace(mapping)))
    function: Callable[[tuple[Any, ...]], tuple[Any, ...]] = sympy.lambdify(
        [tuple(inputs)], tuple(values), modules="math", printer=_printer(),
        cse=lambda e: (emit.assignments, e), docstring_limit=0,
    )  # fmt: skip
    return function


def _lambdify(
    args: list[sympy.Symbol],
    outputs: tuple[sympy.Expr, ...],
    template: list[tuple[sympy.Symbol, sympy.Expr]] | None,
) -> Callable[..., tuple[Any, ...]]:
    if template is None:
        return sympy.lambdify(
            args, outputs, modules="math", printer=_printer(), cse=True, docstring_limit=0
        )
    assignments = list(template)
    return sympy.lambdify(
        args, outputs, modules="math", printer=_printer(),
        cse=lambda e: (assignments, e), docstring_limit=0,
    )  # fmt: skip
