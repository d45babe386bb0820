"""Step-by-step derivations of partial derivatives, one named rule per step.

A :class:`Derivation` is a flat, ordered list of :class:`Step` records (each
with a ``depth`` so that a renderer can rebuild the tree), followed by a
simplification and a check against the core's derivative (:mod:`gradcli.derivatives`).

The engine is a recursive dispatch on the sympy node type. Each step's
``after`` is assembled from its children's ``after`` by the rule's formula, so
the derivation is correct by construction: for every step except ``simplify``,
``after == diff(before, wrt)``; for ``simplify``, ``after == before``.

Rule vocabulary (:data:`RULES`): a difference has no rule of its own, because
sympy stores ``a - b`` as ``a + (-1)·b``; the ``sum`` rule covers both and its
note says "sum/difference" when a term is subtracted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import sympy

from gradcli import i18n
from gradcli.budget import time_limit
from gradcli.derivatives import gradient_of
from gradcli.display import Displayable
from gradcli.errors import BudgetExceeded, InputError, UndefinedError
from gradcli.i18n import N_, _
from gradcli.limits import Limits

if TYPE_CHECKING:
    from gradcli.calculus import FunctionLike, VariablesLike
    from gradcli.parse import Function

__all__ = ["RULES", "Derivation", "Step", "derive", "derive_all", "rule_names"]

#: every value :attr:`Step.rule` can take
RULES: tuple[str, ...] = (
    "constant",  # a term with no variable in it: 0
    "held_constant",  # a term in other variables only, which are held constant: 0
    "variable",  # d/dx x = 1
    "constant_multiple",  # (c·f)' = c·f'
    "sum",  # (f + g)' = f' + g' (also differences)
    "product",  # (f·g)' = f'·g + f·g'
    "quotient",  # (f/g)' = (f'·g − f·g')/g²
    "chain",  # (f∘u)' = f'(u)·u'
    "power",  # (xⁿ)' = n·xⁿ⁻¹, any constant n (√, ∛, 1/x …)
    "exponential",  # (eˣ)' = eˣ, (aˣ)' = aˣ·ln a
    "logarithm",  # (ln x)' = 1/x; log_b x = ln x / ln b
    "trigonometric",  # sin cos tan sec csc cot
    "inverse_trigonometric",  # asin acos atan acot asec acsc atan2
    "hyperbolic",  # sinh cosh tanh sech csch coth asinh acosh atanh
    "absolute_value",  # |x|' = sign(x), undefined at 0
    "sign",  # sign(x)' = 0 away from 0, undefined at 0
    "log_differentiation",  # (f^g)' = f^g·(g·ln f)'
    "real_part",  # (re u)' = u' where u is real; the parser reads |e^z| as e^re(z)
    "simplify",  # the final rewriting; after == before
    "unsupported",  # no rule: sympy's derivative shown as is
)


def rule_names() -> tuple[str, ...]:
    """The fixed vocabulary of rule names a :class:`Step` can carry.

    >>> rule_names()[:3]
    ('constant', 'held_constant', 'variable')
    """
    return RULES


@dataclass(frozen=True)
class Step:
    """One rule applied: ``d(before)/d(wrt) = after``.

    ``applied`` is the rule's formula with the parts filled in, left
    unevaluated (``y*1`` before it becomes ``y``), or ``None`` when it would
    read the same as ``after``. For the chain rule, ``u`` is the placeholder,
    ``inner`` what it stands for and ``outer`` the outer function of ``u``.
    The note is ``template`` with ``{0}``, ``{1}`` … filled by printing
    ``values``, so every renderer prints the expressions its own way; the
    template is an English message marked with ``N_``, said in the active
    language (``{names}`` is all the values, comma-separated; ``{function}``
    is ``function``, the name of a function with no rule).
    """

    rule: str
    before: sympy.Expr
    after: sympy.Expr
    wrt: sympy.Symbol
    depth: int = 0
    applied: sympy.Expr | None = None
    template: str = ""
    values: tuple[sympy.Expr, ...] = ()
    inner: sympy.Expr | None = None
    outer: sympy.Expr | None = None
    u: sympy.Symbol | None = None
    function: str = ""

    def describe(self, printer: Callable[[sympy.Expr], str]) -> str:
        """The note, with expressions printed by ``printer`` (e.g. ``sympy.latex``)."""
        return wording(self.template, self, printer)

    @property
    def note(self) -> str:
        """The note with expressions in sympy syntax."""
        return self.describe(sympy.sstr)

    def __reduce__(self) -> tuple[Any, ...]:
        # unpickling rebuilds sympy objects evaluated, which would turn the
        # unevaluated ``applied`` (y*1) into its value (y): keep its skeleton
        items = tuple((f.name, getattr(self, f.name)) for f in fields(self) if f.name != "applied")
        return (_unpickle_step, (items, _freeze(self.applied)))


def _freeze(e: Any) -> Any:
    """Unevaluated sums, products and powers as nested (class, args) tuples."""
    if isinstance(e, (sympy.Add, sympy.Mul, sympy.Pow)):
        return (type(e), tuple(_freeze(arg) for arg in e.args))
    return e


def _thaw(frozen: Any) -> Any:
    if isinstance(frozen, tuple):
        cls, args = frozen
        return cls(*(_thaw(arg) for arg in args), evaluate=False)
    return frozen


def _unpickle_step(items: tuple[tuple[str, Any], ...], applied: Any) -> Step:
    return Step(**dict(items), applied=_thaw(applied))


@dataclass(frozen=True)
class Derivation(Displayable):
    """The step-by-step derivation of one partial derivative.

    ``verification`` says how ``result`` was checked against ``reference``
    (sympy's ``diff``): ``identical``, ``symbolic`` (their difference simplifies
    to 0), ``numeric`` (agree at random real points), ``mismatch`` or
    ``inconclusive`` (no point where both are real); ``verified`` is true for
    the first three.
    """

    expr: sympy.Expr
    variable: sympy.Symbol
    held_constant: tuple[sympy.Symbol, ...]
    steps: tuple[Step, ...]
    raw_result: sympy.Expr
    result: sympy.Expr
    reference: sympy.Expr
    verified: bool
    verification: str
    notes: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """True when every step has a rule (no ``unsupported`` step)."""
        return all(step.rule != "unsupported" for step in self.steps)


def wording(template: str, step: Step, printer: Callable[[sympy.Expr], str]) -> str:
    """``template`` (an ``N_`` message) in the active language, filled from ``step``."""
    if not template:
        return ""
    printed = [printer(value) for value in step.values]
    return i18n._(template).format(*printed, names=", ".join(printed), function=step.function)


#: notes whose wording the renderers shorten (they show the rule's name beside it)
SUM_NOTE = N_("sum rule: term by term")
DIFFERENCE_NOTE = N_("sum/difference rule: term by term")
SIGN_NOTE = N_("sign is constant for {0} ≠ 0; undefined at {0} = 0")

# one-argument functions: rule, derivative at u, note ({0} is printed as u)
_Rule = tuple[str, Callable[[sympy.Expr], sympy.Expr], str]
_ONE = sympy.Integer(1)


def _rsqrt(value: sympy.Expr) -> sympy.Expr:
    return _ONE / sympy.sqrt(value)


def _asec(u: sympy.Expr) -> sympy.Expr:
    return _ONE / (sympy.Abs(u) * sympy.sqrt(u**2 - 1))


_TRIG, _ARC, _HYP = "trigonometric", "inverse_trigonometric", "hyperbolic"
_FUNCTIONS: dict[type, _Rule] = {
    sympy.exp: ("exponential", sympy.exp, "(e^{0})' = e^{0}"),
    sympy.log: ("logarithm", lambda u: _ONE / u, "(ln {0})' = 1/{0}"),
    sympy.sin: (_TRIG, sympy.cos, "sin' = cos"),
    sympy.cos: (_TRIG, lambda u: -sympy.sin(u), "cos' = -sin"),
    sympy.tan: (_TRIG, lambda u: sympy.sec(u) ** 2, "tan' = sec²"),
    sympy.sec: (_TRIG, lambda u: sympy.sec(u) * sympy.tan(u), "sec' = sec·tan"),
    sympy.csc: (_TRIG, lambda u: -sympy.csc(u) * sympy.cot(u), "csc' = -csc·cot"),
    sympy.cot: (_TRIG, lambda u: -(sympy.csc(u) ** 2), "cot' = -csc²"),
    sympy.asin: (_ARC, lambda u: _rsqrt(1 - u**2), "(asin {0})' = 1/√(1 - {0}²)"),
    sympy.acos: (_ARC, lambda u: -_rsqrt(1 - u**2), "(acos {0})' = -1/√(1 - {0}²)"),
    sympy.atan: (_ARC, lambda u: _ONE / (1 + u**2), "(atan {0})' = 1/(1 + {0}²)"),
    sympy.acot: (_ARC, lambda u: -_ONE / (1 + u**2), "(acot {0})' = -1/(1 + {0}²)"),
    sympy.asec: (_ARC, _asec, "(asec {0})' = 1/(|{0}|·√({0}² - 1))"),
    sympy.acsc: (_ARC, lambda u: -_asec(u), "(acsc {0})' = -1/(|{0}|·√({0}² - 1))"),
    sympy.sinh: (_HYP, sympy.cosh, "sinh' = cosh"),
    sympy.cosh: (_HYP, sympy.sinh, "cosh' = sinh"),
    sympy.tanh: (_HYP, lambda u: sympy.sech(u) ** 2, "tanh' = sech²"),
    sympy.sech: (_HYP, lambda u: -sympy.sech(u) * sympy.tanh(u), "sech' = -sech·tanh"),
    sympy.csch: (_HYP, lambda u: -sympy.csch(u) * sympy.coth(u), "csch' = -csch·coth"),
    sympy.coth: (_HYP, lambda u: -(sympy.csch(u) ** 2), "coth' = -csch²"),
    sympy.asinh: (_HYP, lambda u: _rsqrt(u**2 + 1), "(asinh {0})' = 1/√({0}² + 1)"),
    sympy.acosh: (_HYP, lambda u: _rsqrt(u**2 - 1), "(acosh {0})' = 1/√({0}² - 1), {0} > 1"),
    sympy.atanh: (_HYP, lambda u: _ONE / (1 - u**2), "(atanh {0})' = 1/(1 - {0}²)"),
    sympy.Abs: ("absolute_value", sympy.sign, N_("|{0}|' = sign({0}), undefined at {0} = 0")),
    # sympy answers 2·DiracDelta(u): on the real line that is 0 away from u = 0
    sympy.sign: ("sign", lambda u: 0 * u, SIGN_NOTE),
}


def _minus(a: sympy.Expr, b: sympy.Expr) -> sympy.Expr:
    """-(a·b), left unevaluated so that a student sees the formula filled in."""
    return sympy.Mul(-1, sympy.Mul(a, b, evaluate=False), evaluate=False)


def _is_denominator(factor: sympy.Expr) -> bool:
    """sympy keeps a/b as a·b⁻¹: a factor with a negative exponent is a denominator."""
    return isinstance(factor, sympy.Pow) and factor.exp.is_Rational and factor.exp.is_negative


# names for the chain rule's placeholder, one per nesting level
_PLACEHOLDERS = ("u", "v", "w", "s", "t", "p", "q")


class _Engine:
    """Differentiates with respect to ``x``, recording one step per rule applied.

    Steps are recorded in pre-order (a parent before its children), so the flat
    list reads top-down; a parent's slot is reserved first and filled once its
    children have given their derivatives.
    """

    def __init__(self, x: sympy.Symbol, held: frozenset[sympy.Symbol], full: bool, taken: set[str]):
        self.x = x
        self.held = held
        self.full = full
        self.taken = taken
        self.chain_level = 0
        self.steps: list[Step | None] = []

    def _open(self) -> int:
        self.steps.append(None)
        return len(self.steps) - 1

    def _put(
        self,
        slot: int | None,
        rule: str,
        before: sympy.Expr,
        after: sympy.Expr,
        depth: int,
        **fields: Any,
    ) -> sympy.Expr:
        fields.setdefault("wrt", self.x)
        step = Step(rule, before, after, depth=depth, **fields)
        if slot is None:
            self.steps.append(step)
        else:
            self.steps[slot] = step
        return after

    def child(self, e: sympy.Expr, depth: int, *, linear: bool = False) -> sympy.Expr:
        """Differentiate a part. In short mode a student skips x → 1, -x → -1 and
        c → 0 inside a rule, and c·x → c when a note already shows it (``linear``)."""
        if self.full or not self._trivial(e, linear):
            return self.derive(e, depth)
        mark = len(self.steps)
        result = self.derive(e, depth)
        del self.steps[mark:]
        return result

    def _trivial(self, e: sympy.Expr, linear: bool) -> bool:
        if e in (self.x, -self.x) or self.x not in e.free_symbols:
            return True
        return linear and e.as_independent(self.x, as_Add=False)[1] == self.x

    def derive(self, e: sympy.Expr, depth: int) -> sympy.Expr:
        """Dispatch on the node type; every branch records its step(s)."""
        x = self.x
        if x not in e.free_symbols:
            return self._constant(e, depth)
        if e == x:
            return self._put(
                None, "variable", e, _ONE, depth, template="d{0}/d{0} = 1", values=(x,)
            )
        if isinstance(e, sympy.Add):
            return self._sum(e, depth)
        if isinstance(e, sympy.Mul):
            return self._product(e, depth)
        if isinstance(e, sympy.Pow):
            return self._power(e, depth)
        if isinstance(e, sympy.atan2):
            return self._atan2(e, depth)
        if isinstance(e, sympy.re):
            return self._real_part(e, depth)
        if type(e) in _FUNCTIONS and len(e.args) == 1:
            rule, derivative, template = _FUNCTIONS[type(e)]
            return self._apply(rule, e, e.args[0], type(e), derivative, template, depth)
        # no rule: show sympy's own derivative rather than invent steps
        name = getattr(e.func, "__name__", type(e).__name__)
        note = N_("no step rule for {function}: this is sympy's result")
        return self._put(
            None,
            "unsupported",
            e,
            gradient_of(e, (x,))[0],
            depth,
            template=note,
            function=name,
        )

    def _constant(self, e: sympy.Expr, depth: int) -> sympy.Expr:
        held = sorted(e.free_symbols & self.held, key=str)
        if not held:
            return self._put(None, "constant", e, 0 * e, depth, template=N_("a constant: 0"))
        template = N_("{names} held constant, so the term is a constant: 0")
        return self._put(
            None, "held_constant", e, 0 * e, depth, template=template, values=tuple(held)
        )

    def _sum(self, e: sympy.Add, depth: int) -> sympy.Expr:
        slot = self._open()
        terms = e.as_ordered_terms()
        constants = [t for t in terms if self.x not in t.free_symbols]
        parts: list[sympy.Expr] = []
        for term in terms:
            if term not in constants:
                parts.append(self.child(term, depth + 1))
            elif self.full:
                parts.append(self.derive(term, depth + 1))
            elif term is constants[0]:  # one short line for all the constant terms
                parts.append(self._constant(sympy.Add(*constants), depth + 1))
        difference = any(t.could_extract_minus_sign() for t in terms)
        applied = sympy.Add(*parts, evaluate=False) if len(parts) > 1 else None
        return self._put(
            slot,
            "sum",
            e,
            sympy.Add(*parts),
            depth,
            applied=applied,
            template=DIFFERENCE_NOTE if difference else SUM_NOTE,
        )

    def _product(self, e: sympy.Mul, depth: int) -> sympy.Expr:
        factors = e.as_ordered_factors()
        consts = [f for f in factors if self.x not in f.free_symbols]
        parts = [f for f in factors if self.x in f.free_symbols]
        coeff, rest = sympy.Mul(*consts), sympy.Mul(*parts)
        if coeff != 1 and rest != e:
            slot = self._open()
            d_rest = self.child(rest, depth + 1)
            template = N_("{0} is a constant factor")
            if any(isinstance(f, sympy.Pow) and isinstance(f.base, sympy.log) for f in consts):
                template = N_("log_b(u) = ln(u)/ln(b), so {0} is a constant factor")
            return self._put(
                slot,
                "constant_multiple",
                e,
                coeff * d_rest,
                depth,
                applied=sympy.Mul(coeff, d_rest, evaluate=False),
                template=template,
                values=(coeff,),
            )
        denominators = [1 / f for f in parts if _is_denominator(f)]
        numerators = [f for f in parts if not _is_denominator(f)]
        if denominators and (numerators or len(denominators) > 1):
            return self._quotient(e, sympy.Mul(*numerators), sympy.Mul(*denominators), depth)
        slot = self._open()
        derivatives = [self.child(f, depth + 1) for f in parts]
        terms = [(d, *parts[:i], *parts[i + 1 :]) for i, d in enumerate(derivatives)]
        after = sympy.Add(*(sympy.Mul(*t) for t in terms))
        applied = sympy.Add(*(sympy.Mul(*t, evaluate=False) for t in terms), evaluate=False)
        return self._put(
            slot, "product", e, after, depth, applied=applied, template="(f·g)' = f'·g + f·g'"
        )

    def _quotient(self, e: sympy.Expr, num: sympy.Expr, den: sympy.Expr, depth: int) -> sympy.Expr:
        slot = self._open()
        d_num, d_den = self.child(num, depth + 1), self.child(den, depth + 1)
        after = (d_num * den - num * d_den) / den**2
        applied = sympy.Mul(
            sympy.Add(sympy.Mul(d_num, den, evaluate=False), _minus(num, d_den), evaluate=False),
            sympy.Pow(sympy.Pow(den, 2, evaluate=False), -1, evaluate=False),
            evaluate=False,
        )
        template = N_("(f/g)' = (f'·g - f·g')/g² with f = {0}, g = {1}")
        return self._put(
            slot, "quotient", e, after, depth, applied=applied, template=template, values=(num, den)
        )

    def _power(self, e: sympy.Pow, depth: int) -> sympy.Expr:
        base, n = e.base, e.exp
        if self.x in base.free_symbols and self.x in n.free_symbols:
            return self._log_differentiation(e, base, n, depth)
        if self.x in base.free_symbols:
            template = {
                sympy.Rational(1, 2): N_("√{0} = {0}^(1/2), so (√{0})' = 1/(2√{0})"),
                sympy.Rational(1, 3): N_("∛{0} = {0}^(1/3), so (∛{0})' = (1/3)·{0}^(-2/3)"),
            }.get(n, N_("({0}^n)' = n·{0}^(n-1) with n = {1}"))
            return self._apply(
                "power",
                e,
                base,
                lambda u: u**n,
                lambda u: n * u ** (n - 1),
                template,
                depth,
                extra=(n,),
            )
        return self._apply(
            "exponential",
            e,
            n,
            lambda u: base**u,
            lambda u: base**u * sympy.log(base),
            N_("(a^{0})' = a^{0}·ln(a) with a = {1}"),
            depth,
            extra=(base,),
        )

    def _log_differentiation(
        self, e: sympy.Expr, base: sympy.Expr, exponent: sympy.Expr, depth: int
    ) -> sympy.Expr:
        # y = f^g ⇒ ln y = g·ln f ⇒ y' = y·(g·ln f)'; the child derives g·ln f
        slot = self._open()
        log_form = exponent * sympy.log(base)
        d_log = self.derive(log_form, depth + 1)
        return self._put(
            slot,
            "log_differentiation",
            e,
            e * d_log,
            depth,
            applied=sympy.Mul(e, d_log, evaluate=False),
            template=N_("y = f^g, so ln y = {0} and y' = y·(ln y)'"),
            values=(log_form,),
        )

    def _atan2(self, e: sympy.Expr, depth: int) -> sympy.Expr:
        slot = self._open()
        a, b = e.args
        d_a, d_b = self.child(a, depth + 1, linear=True), self.child(b, depth + 1, linear=True)
        applied = sympy.Mul(
            sympy.Add(sympy.Mul(b, d_a, evaluate=False), _minus(a, d_b), evaluate=False),
            sympy.Pow(sympy.Add(a**2, b**2, evaluate=False), -1, evaluate=False),
            evaluate=False,
        )
        template = N_("atan2(a, b)' = (b·a' - a·b')/(a² + b²) with a = {0}, b = {1}")
        return self._put(
            slot,
            _ARC,
            e,
            (b * d_a - a * d_b) / (a**2 + b**2),
            depth,
            applied=applied,
            template=template,
            values=(a, b),
        )

    def _real_part(self, e: sympy.Expr, depth: int) -> sympy.Expr:
        # sympy keeps re(u) only when u may be complex (re(asin(x)) for |x| > 1);
        # where u is real, as the textbook rules assume, re(u) = u
        slot = self._open()
        d_inner = self.child(e.args[0], depth + 1, linear=True)
        template = N_("re(u) = u where u is real, so (re u)' = u'")
        return self._put(slot, "real_part", e, d_inner, depth, template=template)

    def _apply(
        self,
        rule: str,
        e: sympy.Expr,
        inner: sympy.Expr,
        outer_of: Callable[[sympy.Expr], sympy.Expr],
        derivative_of: Callable[[sympy.Expr], sympy.Expr],
        template: str,
        depth: int,
        extra: tuple[sympy.Expr, ...] = (),
    ) -> sympy.Expr:
        """A rule for f(inner): directly when inner is x, else by the chain rule.

        The chain step's first child is the outer rule applied to a placeholder
        ``u`` (its ``wrt`` is ``u``), the rest derive du/dx.
        """
        if inner == self.x:
            return self._put(
                None,
                rule,
                e,
                derivative_of(inner),
                depth,
                template=template,
                values=(inner, *extra),
            )
        slot = self._open()
        u = self._placeholder()
        outer, d_outer = outer_of(u), derivative_of(u)
        self._put(
            None, rule, outer, d_outer, depth + 1, wrt=u, template=template, values=(u, *extra)
        )
        self.chain_level += 1
        try:
            d_inner = self.child(inner, depth + 1, linear=True)
        finally:
            self.chain_level -= 1
        d_outer_at = d_outer.xreplace({u: inner})
        return self._put(
            slot,
            "chain",
            e,
            d_outer_at * d_inner,
            depth,
            applied=sympy.Mul(d_outer_at, d_inner, evaluate=False),
            template="{0} = {1}, d{0}/d{2} = {3}",
            values=(u, inner, self.x, d_inner),
            inner=inner,
            outer=outer,
            u=u,
        )

    def _placeholder(self) -> sympy.Symbol:
        """u for the outermost chain, v inside it, …, never a name the input uses."""
        free = [n for n in _PLACEHOLDERS if n not in self.taken]
        if self.chain_level < len(free):
            return sympy.Symbol(free[self.chain_level], real=True)
        k = self.chain_level
        while f"u{k}" in self.taken:
            k += 1
        return sympy.Symbol(f"u{k}", real=True)


def derive(
    f: FunctionLike,
    variable: str | sympy.Symbol,
    *,
    variables: VariablesLike | None = None,
    full: bool = False,
    limits: Limits | None = None,
    time_budget: float = 2.0,
) -> Derivation:
    """Derive ∂f/∂variable step by step, then simplify and check it.

    Parameters
    ----------
    f : str, sympy.Expr or Function
        The function: text (read by gradcli's own parser), a sympy
        expression, or a parsed Function.
    variable : str or sympy.Symbol
        The variable to differentiate with respect to, by name or symbol.
    variables : str or sequence of str or sympy.Symbol, optional
        The function's variables; the others are held constant. By default
        every symbol of ``f`` is a variable. Other symbols are parameters.
    limits : Limits, optional
        Bounds on the size of text input.
    full : bool
        Record every sub-step (d/dx x = 1, each constant term, c·x inside a
        chain); by default the steps a student skips are folded away.
    time_budget : float
        Seconds for each phase: the steps (with sympy's diff), the
        simplification, the verification. A slow simplification keeps the
        result as derived; a slow symbolic check falls back to numeric points.

    Returns
    -------
    Derivation

    Raises
    ------
    InputError
        Arguments of the wrong kind, or a variable not among ``variables``.
    UndefinedError
        The expression contains an infinity or NaN.
    BudgetExceeded
        The steps ran out of time, or the expression is too deeply nested.

    Examples
    --------
    >>> x, y = sympy.symbols("x y", real=True)
    >>> d = derive(x**2 + y**2 + x*y, x, variables=(x, y))
    >>> for step in d.steps:
    ...     print(step.depth, step.rule, step.before, "->", step.after)
    0 sum x**2 + x*y + y**2 -> 2*x + y
    1 power x**2 -> 2*x
    1 constant_multiple x*y -> y
    1 held_constant y**2 -> 0
    >>> d.result, d.verified, d.held_constant
    (2*x + y, True, (y,))
    >>> derive("x^2*y", "x").result
    2*x*y
    """
    from gradcli.parse import Function

    try:  # the engine, sympy's diff and simplify all recurse on the expression tree
        function = _read(f, variables, limits)
        # without variables every symbol is one, as the steps have always read it
        chosen = function.variables if variables is not None or isinstance(f, Function) else ()
        return _derive(function.expr, _variable(variable, function), chosen, full, time_budget)
    except RecursionError:
        raise BudgetExceeded(
            _("the expression is too deeply nested to derive step by step")
        ) from None


def _derive(
    expr: sympy.Expr,
    variable: sympy.Symbol,
    variables: tuple[sympy.Symbol, ...],
    full: bool,
    time_budget: float,
) -> Derivation:
    variables = _check(expr, variable, variables, time_budget)
    held = tuple(v for v in variables if v != variable)
    taken = {str(s) for s in expr.free_symbols | set(variables)}
    engine = _Engine(variable, frozenset(held), full, taken)
    with time_limit(time_budget, N_("the step-by-step derivation")):
        raw = engine.derive(expr, 0)
        # what every other command uses: the steps must arrive at the core's derivative
        reference = gradient_of(expr, (variable,))[0]
    steps = [s for s in engine.steps if s is not None]
    notes: list[str] = []
    result = raw
    try:  # a slow simplification leaves the result as derived
        with time_limit(time_budget, N_("simplifying the derivative")):
            result = _tidy(raw)
    except BudgetExceeded:
        notes.append(
            _("simplifying ran out of its {seconds:g} s budget: the result is as derived").format(
                seconds=time_budget
            )
        )
    if result != raw:
        steps.append(Step("simplify", raw, result, variable, template=N_("simplified")))
    verification = _verify(expr, result, reference, time_budget)
    return Derivation(
        expr=expr,
        variable=variable,
        held_constant=held,
        steps=tuple(steps),
        raw_result=raw,
        result=result,
        reference=reference,
        verified=verification in ("identical", "symbolic", "numeric"),
        verification=verification,
        notes=tuple(notes),
    )


def derive_all(
    f: FunctionLike,
    variables: VariablesLike | None = None,
    *,
    full: bool = False,
    limits: Limits | None = None,
    time_budget: float = 2.0,
) -> tuple[Derivation, ...]:
    """Derive every partial derivative of the gradient, in the order of ``variables``.

    ``f`` and ``variables`` are as for :func:`derive`; by default every
    symbol of ``f`` is a variable, in natural order.

    Examples
    --------
    >>> [d.result for d in derive_all("x^2*y")]
    [2*x*y, x**2]
    >>> x, y = sympy.symbols("x y", real=True)
    >>> [d.result for d in derive_all(x**2 * y, (y, x))]
    [x**2, 2*x*y]
    """
    function = _read(f, variables, limits)
    if not function.variables:
        raise InputError(_("a gradient needs at least one variable"))
    return tuple(
        derive(function, v, variables=function.variables, full=full, time_budget=time_budget)
        for v in function.variables
    )


def _read(f: FunctionLike, variables: VariablesLike | None, limits: Limits | None) -> Function:
    from gradcli.calculus import as_function

    return as_function(f, variables=variables, limits=limits)


def _variable(variable: object, function: Function) -> sympy.Symbol:
    """The symbol to differentiate by: a name or symbol, matched by name to f's."""
    if isinstance(variable, str):
        from gradcli.parse import symbol

        variable = symbol(variable.strip())
    if not isinstance(variable, sympy.Symbol):
        raise InputError(
            _("can only differentiate with respect to a symbol, not {variable}").format(
                variable=variable
            )
        )
    for known in (*function.variables, *function.parameters):
        if known.name == variable.name:
            return known
    return variable


def _check(
    expr: object, variable: object, variables: tuple[sympy.Symbol, ...], time_budget: float
) -> tuple[sympy.Symbol, ...]:
    """Validate the arguments; return the variables (inferred when not given)."""
    if not isinstance(expr, sympy.Expr):
        raise InputError(
            _("expected a sympy expression, got {kind}").format(kind=type(expr).__name__)
        )
    if not isinstance(variable, sympy.Symbol):
        raise InputError(
            _("can only differentiate with respect to a symbol, not {variable}").format(
                variable=variable
            )
        )
    if not all(isinstance(v, sympy.Symbol) for v in variables):
        raise InputError(_("every variable must be a symbol"))
    if len(set(variables)) != len(variables):
        raise InputError(_("a variable is listed twice"))
    if variables and variable not in variables:
        names = ", ".join(str(v) for v in variables)
        raise InputError(
            _("{variable} is not one of the variables ({names})").format(
                variable=variable, names=names
            )
        )
    if not time_budget > 0:
        raise InputError(
            _("the time budget must be positive, got {seconds}").format(seconds=time_budget)
        )
    if expr.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise UndefinedError(_("the expression is undefined (it contains an infinity or NaN)"))
    if variables:
        return tuple(variables)
    return tuple(sorted(expr.free_symbols | {variable}, key=str))


def _tidy(raw: sympy.Expr) -> sympy.Expr:
    """The shortest of simplify, factor_terms and raw (ties: in that order).

    A form that brings in a constant the raw result does not have (simplify
    turns sin + cos into √2·sin(x + π/4)) is not what a student expects.
    """
    candidates = [sympy.simplify(raw), sympy.factor_terms(raw)]
    known = _constants(raw)
    tidy = [c for c in candidates if _constants(c) <= known] + [raw]
    return min(tidy, key=sympy.count_ops)


def _constants(e: sympy.Expr) -> set[sympy.Expr]:
    """π, e and surds such as √2 in e."""
    powers = {p for p in e.atoms(sympy.Pow) if p.is_number}
    return set(e.atoms(sympy.NumberSymbol)) | powers


def _verify(expr: sympy.Expr, result: sympy.Expr, reference: sympy.Expr, time_budget: float) -> str:
    """How result = reference was established: identical, symbolic, numeric, … .

    Decided by gradcli's one equality engine (:mod:`gradcli.grading.equality`),
    simplification first, within ``time_budget``; then random points, within
    another ``time_budget``.
    """
    from gradcli.grading.results import SYMBOLIC

    return _verification(expr, result, reference, time_budget, prefer=SYMBOLIC)


def _compare_numerically(expr: sympy.Expr, a: sympy.Expr, b: sympy.Expr) -> str:
    """The equality engine's verdict on a = b from random points first.

    Simplification only settles what the points cannot (none lies in the
    domain): ``numeric``, ``mismatch`` or ``inconclusive``, as a rule.
    """
    from gradcli.grading.results import NUMERIC

    return _verification(expr, a, b, 2.0, prefer=NUMERIC)


#: what sympy itself may raise while simplifying or evaluating a comparison
_SYMPY_FAILURES = (TypeError, ValueError, ArithmeticError, RecursionError)


def _verification(
    expr: sympy.Expr, a: sympy.Expr, b: sympy.Expr, time_budget: float, *, prefer: str
) -> str:
    """a = b as the equality engine decides it, in the words of :attr:`Derivation.verification`.

    The derivation must be exactly sympy's derivative (``exact``); agreement at
    random points is confirmed exactly or with 50 digits, as every comparison
    is. A point counts only where
    ``expr`` itself is real and finite (|acos(x)| is real for x > 1, but
    acos(x) is not, so the textbook rule does not apply there), and where
    ``a`` is: the points are read in real numbers, where a negative number to
    the power 4/3 is undefined, while sympy's forms take its principal value.
    """
    from gradcli.grading.equality import equivalent
    from gradcli.grading.results import NUMERIC, SYMBOLIC
    from gradcli.limits import Limits

    limits = Limits().with_options(simplify_timeout=time_budget)
    try:
        # the simplification's own budget, then as long again for the points
        with time_limit(2 * time_budget, N_("checking the derivation")):
            equality = equivalent(a, b, prefer=prefer, limits=limits, exact=True, within=(expr, a))
    except BudgetExceeded:
        return "inconclusive"
    except _SYMPY_FAILURES:
        # sympy's simplification can fail on its own assumptions ("Invalid
        # NaN comparison" inside cosh(...)'s sign test): points may still tell
        if prefer == NUMERIC:
            return "inconclusive"
        return _verification(expr, a, b, time_budget, prefer=NUMERIC)
    if equality.equal is None:
        return "inconclusive"
    if not equality.equal:
        return "mismatch"
    if equality.identical:
        return "identical"
    return {SYMBOLIC: "symbolic", NUMERIC: "numeric"}[str(equality.method)]
