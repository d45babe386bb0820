"""The one number policy: what a typed number means, and what a value is.

Every command reads numbers and reports values through these functions, so
that ``gradient(at=(0.1,))``, ``descend(start=(0.1,))`` and ``hessian(at=(0.1,))``
start from the same exact point and print the same float:

* :func:`exact` turns a typed number into an exact sympy number. A decimal is
  what the person wrote: ``0.1`` is 1/10, not the binary float nearest it.
* :func:`to_float` turns an exact real constant into the float nearest it
  (correctly rounded: evaluated with enough digits first).
* :func:`value_at` evaluates an expression at a point and says, in one
  wording, when it is undefined, not real or too large there.
* :func:`describe_point` is how a point is named in every message.
* :func:`real_powers` is the one convention for powers of negative numbers:
  an odd root is real, as in a calculus course: (−8)^(1/3) is −2.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import sympy
from mpmath import libmp as mlib

from gradcli.errors import InputError, LimitError, UndefinedError
from gradcli.i18n import _
from gradcli.limits import Limits
from gradcli.magnitude import exceeds_bits

__all__ = [
    "FLOAT_DIGITS",
    "describe_point",
    "exact",
    "exact_decimal",
    "is_large_tree",
    "is_undefined",
    "real_powers",
    "to_float",
    "value_at",
    "values_at",
]

#: digits evaluated before rounding to a float: 40 digits (133 bits) leave a
#: 53-bit float correctly rounded unless the value is within 10⁻⁴⁰ of a
#: halfway point, and only rationals lie on one (those are rounded exactly)
FLOAT_DIGITS = 40

#: an imaginary part this small, relative to the real part, is rounding noise
#: of the evaluation (cbrt of a cube, say), not a complex value
_IMAGINARY_NOISE = sympy.Float(10) ** -30

_INFINITIES = (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)
_INFINITE = frozenset(_INFINITIES)


def exact(
    value: Any,
    what: str | None = None,
    *,
    limits: Limits | None = None,
    symbolic: bool = False,
) -> sympy.Expr:
    """A typed number as an exact, finite, real sympy number.

    ``int`` and ``Fraction`` are exact already; a ``float`` (or a sympy
    ``Float``) becomes the decimal it prints as, which is what a person meant
    by typing it; text is read by gradcli's own parser (never evaluated).
    With ``symbolic=True`` a sympy expression may keep free symbols (a
    parameter's value, a symbolic matrix entry); its decimals become exact.

    >>> exact(0.1), exact(3), exact(Fraction(1, 3)), exact("pi/2")
    (1/10, 3, 1/3, pi/2)
    >>> exact(sympy.Float("2.50"))
    5/2
    >>> exact(float("nan"))
    Traceback (most recent call last):
    ...
    gradcli.errors.InputError: the value must be finite, got nan
    """
    number: sympy.Expr
    if what is None:
        what = _("the value")
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        value = value.item()  # a numpy scalar (or 0-d array) is the Python number it holds
    if isinstance(value, (bool, bytes)) or value is None:
        raise InputError(_not_a_number(what, repr(value)))
    if isinstance(value, int):
        number = sympy.Integer(value)
    elif isinstance(value, Fraction):
        number = sympy.Rational(value.numerator, value.denominator)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise InputError(_not_finite(what, str(value)))
        number = _decimal(repr(float(value)))
    elif isinstance(value, sympy.Float):
        if not value.is_finite:
            raise InputError(_not_finite(what, str(value)))
        # the shortest decimal that reads back as this Float, at its precision
        number = _decimal(mlib.to_str(value._mpf_, mlib.prec_to_dps(value._prec)))
    elif isinstance(value, str):
        from gradcli.parse import parse_function

        number = parse_function(value, limits=limits).expr
        if number.free_symbols:
            raise InputError(_not_a_number(what, repr(value)))
    elif isinstance(value, sympy.Expr) and not isinstance(value, sympy.MatrixBase):
        if value.free_symbols and not symbolic:
            raise InputError(_not_a_number(what, str(value)))
        number = value
        if number.has(sympy.Float):
            number = number.xreplace({f: exact(f, what) for f in number.atoms(sympy.Float)})
    else:
        raise InputError(_not_a_number(what, repr(value)))
    if number.has(*_INFINITIES) or number.is_extended_real is False:
        raise InputError(
            _("{what} must be a finite real number, got {value}").format(
                what=what, value=str(number)
            )
        )
    return number


def _not_a_number(what: str, value: str) -> str:
    return _("{what} must be a number, got {value}").format(what=what, value=value)


def _not_finite(what: str, value: str) -> str:
    return _("{what} must be finite, got {value}").format(what=what, value=value)


def _decimal(text: str) -> sympy.Rational:
    fraction = Fraction(text)
    return sympy.Rational(fraction.numerator, fraction.denominator)


#: a plain numeric literal: sign, digits with a decimal point, exponent; or p/q
_LITERAL = re.compile(
    r"(?P<sign>[+-]?)(?:(?P<mantissa>[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE](?P<exponent>[+-]?[0-9]+))?"
    r"|(?P<numerator>[0-9]+)/(?P<denominator>[0-9]+))"
)
_NOT_FINITE = frozenset({"nan", "inf", "infinity"})


def exact_decimal(text: str, what: str, *, limits: Limits | None = None) -> sympy.Rational:
    """A plain numeric literal from a data file as an exact rational.

    Only a literal is read: an optional sign, digits with an optional decimal
    point and exponent, or a fraction ``p/q``; never an expression, so a data
    cell cannot ask for any computation. ``what`` names the place in messages.
    The literal's digits and exponent are bounded by ``limits`` (``max_digits``,
    ``max_exponent``), as a number typed into an expression is.

    >>> exact_decimal("-1.5", "x"), exact_decimal("3e-2", "x"), exact_decimal(" 1/3 ", "x")
    (-3/2, 3/100, 1/3)
    >>> exact_decimal("abc", 'points.csv, line 4, column "y"')
    Traceback (most recent call last):
    ...
    gradcli.errors.InputError: points.csv, line 4, column "y": "abc" is not a number
    """
    limits = limits or Limits()
    literal = text.strip()
    match = _LITERAL.fullmatch(literal)
    if match is None:
        if not literal:
            raise InputError(_("{where}: the cell is empty").format(where=what))
        if literal.lstrip("+-").lower() in _NOT_FINITE:
            raise InputError(
                _('{where}: "{literal}" is not a finite number').format(where=what, literal=literal)
            )
        raise InputError(
            _('{where}: "{literal}" is not a number').format(where=what, literal=literal)
        )
    digits = sum(len(match[part] or "") for part in ("mantissa", "numerator", "denominator"))
    digits -= literal.count(".")
    if digits > limits.max_digits:
        raise LimitError(
            _("{where}: a number has {digits} digits; the limit is {limit}").format(
                where=what, digits=f"{digits:,}", limit=f"{limits.max_digits:,}"
            )
        )
    if match["numerator"] is not None:
        if int(match["denominator"]) == 0:
            raise InputError(
                _('{where}: "{literal}" divides by zero').format(where=what, literal=literal)
            )
        fraction = Fraction(int(match["numerator"]), int(match["denominator"]))
    else:
        exponent = match["exponent"] or "0"
        if len(exponent.lstrip("+-")) > 12 or abs(int(exponent)) > limits.max_exponent:
            raise LimitError(
                _("{where}: a number's exponent is larger than {limit}").format(
                    where=what, limit=f"{limits.max_exponent:,}"
                )
            )
        fraction = Fraction(match["mantissa"]) * Fraction(10) ** int(exponent)
    if match["sign"] == "-":
        fraction = -fraction
    return sympy.Rational(fraction.numerator, fraction.denominator)


def to_float(value: sympy.Expr) -> float:
    """The float nearest an exact real constant (``nan`` if it has none).

    A rational is divided exactly; anything else is evaluated to
    :data:`FLOAT_DIGITS` digits first, so the float is correctly rounded,
    not the accumulated error of float arithmetic on rounded parts.

    >>> to_float(sympy.sqrt(74)), to_float(sympy.Rational(1, 3))
    (8.602325267042627, 0.3333333333333333)
    >>> to_float(sympy.Integer(10) ** 400)
    inf
    """
    if value.is_Rational:
        try:
            return int(value.p) / int(value.q)
        except OverflowError:
            return math.inf if value.p > 0 else -math.inf
    if is_large_tree(value):
        shared = _float_through_shared_parts(value)
        if shared is not None:
            return shared
    try:
        approx = value.evalf(FLOAT_DIGITS)
    except (TypeError, ValueError, ArithmeticError):
        return math.nan
    if approx.has(*_INFINITIES) or not approx.is_number:
        return math.nan
    real, imaginary = approx.as_real_imag()
    if not real.is_Number:
        return math.nan
    if imaginary != 0 and abs(imaginary) > _IMAGINARY_NOISE * max(1, abs(real)):
        return math.nan
    try:
        return float(real)
    except (TypeError, ValueError, OverflowError):
        return math.nan


#: a value whose tree has more nodes than this is evaluated part by shared part
_LARGE_TREE = 300
#: ... and so is one with functions nested this deep: evalf raises its working
#: precision at every level of tanh(½ + tanh(½ + …)) and again for every
#: factor of a chain rule, so even a small tree takes it seconds
_DEEP_NESTING = 4


def is_large_tree(value: sympy.Basic) -> bool:
    """Whether the tree has more than _LARGE_TREE nodes (counted only that far),
    or functions nested _DEEP_NESTING deep."""
    if any(count > _LARGE_TREE for count, _unused in enumerate(sympy.preorder_traversal(value), 1)):
        return True
    return _function_depth(value, {}) >= _DEEP_NESTING


def _function_depth(node: sympy.Basic, seen: dict[sympy.Basic, int]) -> int:
    """How deeply applied functions (sin, exp, …) nest in ``node``; each
    shared part is measured once."""
    depth = seen.get(node)
    if depth is None:
        inner = max((_function_depth(a, seen) for a in node.args), default=0)
        depth = seen[node] = inner + isinstance(node, sympy.Function)
    return depth


def _float_through_shared_parts(value: sympy.Expr) -> float | None:
    """The float of a large value, each shared part evaluated once (or None)."""
    parts = _approximate_shared(value)
    if parts is None:
        return None
    real, imaginary = parts
    if imaginary != 0 and abs(imaginary) > _IMAGINARY_NOISE * max(1, abs(real)):
        return None
    result = float(real)
    return result if math.isfinite(result) else None


def floats_of(values: Sequence[sympy.Expr]) -> list[float]:
    """:func:`to_float` of each value; large ones share one evaluation.

    The components of ∇f at a point share most of their parts (the chain
    rule repeats the inner levels in every one), so their common
    subexpressions are evaluated once for all of them.
    """
    large = [i for i, v in enumerate(values) if not v.is_Rational and is_large_tree(v)]
    floats = [math.nan if i in large else to_float(v) for i, v in enumerate(values)]
    if large:
        together = _approximate_shared(sympy.Tuple(*(values[i] for i in large)))
        for at, i in enumerate(large):
            if together is not None:
                real, imaginary = together[0][at], together[1][at]
                noise = _IMAGINARY_NOISE * max(1, abs(real))
                if imaginary == 0 or abs(imaginary) <= noise:
                    floats[i] = float(real)
                    continue
            floats[i] = to_float(values[i])
    return floats


def _approximate_shared(value: sympy.Basic) -> tuple[Any, Any] | None:
    """A large constant's real and imaginary parts to FLOAT_DIGITS (or None).

    sympy's evalf walks the tree, and the tree of ∇f at a point can be
    exponentially larger than the expression: each level of
    tanh(x₁ + tanh(x₂ + …)) appears again in every factor of the chain rule,
    so evalf of a 20-level one does not finish in minutes. Its common
    subexpressions, evaluated once each with mpmath at 40 and again at 60
    digits, give the value in milliseconds; when the two disagree in their
    floats (severe cancellation), or mpmath cannot evaluate a part, None
    sends the value to evalf, which raises its precision until it is sure.

    The numbers in the tree become symbols first (:func:`_constants_apart`):
    finding common subexpressions asks the sign of each new one, and for a
    constant such as tanh(½ + tanh(½ + …)) sympy answers by evalf, level by
    level, which is the cost this avoids.
    """
    import mpmath

    many = isinstance(value, sympy.Tuple)
    try:
        abstract, constants = _constants_apart(value)
        evaluate = sympy.lambdify(
            list(constants.values()),
            list(abstract) if many else abstract,
            modules="mpmath",
            cse=True,
            docstring_limit=0,
            # no implemented_function here: its search walks the whole tree,
            # every shared part again each time it appears
            use_imps=False,
        )
        results = []
        for digits in (FLOAT_DIGITS, FLOAT_DIGITS + 20):
            with mpmath.workdps(digits):
                raw = evaluate(*(_mpmath_value(c, digits) for c in constants))
                numbers = [mpmath.mpc(r) for r in (raw if many else [raw])]
                results.append(
                    (
                        [sympy.Float(n.real, FLOAT_DIGITS) for n in numbers],
                        [sympy.Float(n.imag, FLOAT_DIGITS) for n in numbers],
                    )
                )
    except Exception:  # noqa: BLE001 - anything mpmath cannot do, evalf does
        return None
    (real, imaginary), (real2, imaginary2) = results
    for parts in (real, imaginary):
        if not all(p.is_finite for p in parts):
            return None
    if [float(r) for r in real] != [float(r) for r in real2] or [float(i) for i in imaginary] != [
        float(i) for i in imaginary2
    ]:
        return None
    if many:
        return real, imaginary
    return real[0], imaginary[0]


def _constants_apart(value: sympy.Basic) -> tuple[sympy.Basic, dict[sympy.Basic, sympy.Symbol]]:
    """``value`` with each number a symbol, unevaluated, and the numbers' symbols.

    An integer exponent stays (mpmath raises to it exactly). Each shared
    part is rebuilt once, so the walk is linear in the distinct parts.
    """
    constants: dict[sympy.Basic, sympy.Symbol] = {}
    memo: dict[sympy.Basic, sympy.Basic] = {}

    def walk(node: sympy.Basic, exponent: bool = False) -> sympy.Basic:
        if exponent and node.is_Integer:
            return node
        done = memo.get(node)
        if done is not None:
            return done
        if (node.is_Number and node.is_nonzero) or isinstance(node, sympy.NumberSymbol):
            result = constants.get(node)
            if result is None:
                # its sign known, so that sympy's questions stay cheap to
                # answer; a Symbol, not a Dummy, which lambdify would replace
                # by a symbol without assumptions, rebuilding the whole tree
                positive = bool(node.is_positive)
                result = sympy.Symbol(
                    f"c{len(constants)}", real=True, positive=positive, negative=not positive
                )
                constants[node] = result
        elif not node.args:
            result = node
        else:
            args = [walk(a, exponent=node.is_Pow and i == 1) for i, a in enumerate(node.args)]
            try:
                result = node.func(*args, evaluate=False)
            except TypeError:
                result = node.func(*args)
        memo[node] = result
        return result

    return walk(value), constants


def _mpmath_value(constant: sympy.Basic, digits: int) -> Any:
    """A number of the tree at the working precision, as mpmath takes it."""
    import mpmath

    if constant.is_Rational:
        return mpmath.mpf(int(constant.p)) / int(constant.q)
    return mpmath.mpmathify(constant.evalf(digits + 10))


def real_powers(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` with each odd root of a possibly negative base made real.

    sympy's ``x**(1/3)`` is the principal (complex) root, so at ``x = -8`` it
    is not real; a calculus course means the real cube root, −2. A power
    ``b**(p/q)`` in lowest terms with ``q`` odd becomes ``sign(b)**p·|b|**(p/q)``
    (what ``sympy.real_root`` builds), equal to it wherever ``b ≥ 0``; with ``q``
    even (a square root) it stays undefined for negative ``b``. Expressions
    keep the plain power for printing and differentiation; this is applied
    where they are evaluated, so every command evaluates them alike.

    >>> x = sympy.Symbol("x", real=True)
    >>> real_powers(x ** sympy.Rational(2, 3) + x ** sympy.Rational(1, 2))
    sqrt(x) + Abs(x)**(2/3)
    >>> real_powers(1 / x ** sympy.Rational(1, 3)).subs(x, -8)
    -1/2
    """
    if not _has(expr, _odd_root):
        return expr
    return expr.replace(_odd_root, _real_odd_root)


def _has(expr: sympy.Basic, test: Any) -> bool:
    """Whether some part of ``expr`` passes ``test``, each shared part looked
    at once (sympy's ``has`` walks the whole tree, which the chain rule makes
    far larger than its distinct parts)."""
    seen: set[sympy.Basic] = set()
    stack = [expr]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        if test(node):
            return True
        stack.extend(node.args)
    return False


def _odd_root(node: sympy.Basic) -> bool:
    return bool(
        node.is_Pow
        and node.exp.is_Rational
        and not node.exp.is_Integer
        and node.exp.q % 2 == 1
        and not node.base.is_nonnegative
    )


def _real_odd_root(node: sympy.Pow) -> sympy.Expr:
    base, exponent = node.base, node.exp
    magnitude = sympy.Pow(sympy.Abs(base), exponent)
    return magnitude if exponent.p % 2 == 0 else sympy.sign(base) * magnitude


def is_undefined(value: sympy.Basic) -> bool:
    """Whether an exact value is undefined: infinite, ``nan``, or a derivative
    sympy could not take (the second derivative of ``|x|`` at 0, say)."""
    return _has(value, _is_unusable)


def _is_unusable(node: sympy.Basic) -> bool:
    return node in _INFINITE or isinstance(node, (sympy.Derivative, sympy.Subs, sympy.DiracDelta))


def value_at(
    expr: sympy.Expr,
    values: Mapping[sympy.Symbol, sympy.Expr],
    *,
    what: str | None = None,
    limits: Limits | None = None,
) -> tuple[sympy.Expr, float | None]:
    """The exact value of ``expr`` at a point, and its correctly rounded float.

    Raises :class:`UndefinedError` when the value is undefined (division by
    zero), not real, or larger than the limits allow there; its message is
    ``what`` with the state filled in. The float is ``None`` when the value
    still depends on a parameter.

    >>> x = sympy.Symbol("x", real=True)
    >>> value_at(sympy.sqrt(x), {x: sympy.Integer(2)})
    (sqrt(2), 1.4142135623730951)
    >>> value_at(1 / x, {x: sympy.Integer(0)}, what="f is {} at x = 0")
    Traceback (most recent call last):
    ...
    gradcli.errors.UndefinedError: f is undefined at x = 0 (division by zero)
    """
    if what is None:
        what = _("the value is {}")
    return values_at([expr], values, whats=[what], limits=limits)[0]


def values_at(
    exprs: Sequence[sympy.Expr],
    values: Mapping[sympy.Symbol, sympy.Expr],
    *,
    whats: Sequence[str],
    limits: Limits | None = None,
) -> list[tuple[sympy.Expr, float | None]]:
    """:func:`value_at` of each expression at one point, ``whats[i]`` wording
    the i-th one's trouble; the first in order that fails raises.

    The large ones (the components of ∇f of a deep composition) share most
    of their parts, and their floats come from one evaluation of them all.
    """
    limits = limits or Limits()
    exact_values: list[sympy.Expr | UndefinedError] = []
    shared_parts: dict[sympy.Basic, sympy.Basic] = {}
    for expr, what in zip(exprs, whats):
        try:
            exact_values.append(_exact_value(expr, values, what, limits, shared_parts))
        except UndefinedError as error:
            exact_values.append(error)
    large = [
        i
        for i, v in enumerate(exact_values)
        if isinstance(v, sympy.Expr) and not v.free_symbols and is_large_tree(v)
    ]
    shared: dict[int, tuple[Any, Any]] = {}
    if large:
        together = _approximate_shared(sympy.Tuple(*(exact_values[i] for i in large)))
        if together is not None:
            shared = {i: (together[0][k], together[1][k]) for k, i in enumerate(large)}
    results: list[tuple[sympy.Expr, float | None]] = []
    for i, (expr, what) in enumerate(zip(exprs, whats)):
        value = exact_values[i]
        if isinstance(value, UndefinedError):
            raise value
        if value.free_symbols:
            results.append((value, None))
            continue
        parts = shared.get(i)
        if parts is None and i in large:
            parts = _approximate_shared(value)
        results.append(_with_float(expr, values, value, what, parts))
    return results


def _exact_value(
    expr: sympy.Expr,
    values: Mapping[sympy.Symbol, sympy.Expr],
    what: str,
    limits: Limits,
    memo: dict[sympy.Basic, sympy.Basic] | None = None,
) -> sympy.Expr:
    """``expr`` at the point, exactly; UndefinedError where it has no value.
    ``memo`` keeps the parts already substituted, for the next expression."""
    if exceeds_bits(expr, values, limits.max_bits):
        larger = _("a number larger than 2^{bits}").format(bits=f"{limits.max_bits:,}")
        raise UndefinedError(what.format(larger))
    try:
        value = substituted(real_powers(expr), values, memo)
    except (TypeError, ValueError, ZeroDivisionError):
        # sympy compares a nan while building the value (atan2(0, asec(0)))
        raise UndefinedError(what.format(_("undefined")) + _cause(expr, values)) from None
    if _has(value, _is_infinite):
        raise UndefinedError(what.format(_("undefined")) + _cause(expr, values))
    _check_logarithms(expr, values, what)
    if is_undefined(value):
        raise UndefinedError(what.format(_("undefined")))
    if value.free_symbols and value.is_extended_real is False:
        raise UndefinedError(what.format(_("not real")))
    return value


#: parts whose symbols are not all free: xreplace knows how to substitute into them
_BINDING = (sympy.Derivative, sympy.Subs)


def substituted(
    expr: sympy.Expr,
    values: Mapping[sympy.Basic, sympy.Basic],
    memo: dict[sympy.Basic, sympy.Basic] | None = None,
    *,
    symbolic: bool = False,
) -> sympy.Expr:
    """``expr.xreplace(values)``, each distinct part rebuilt once.

    xreplace rebuilds the tree, and the chain rule's tree repeats its inner
    levels in every factor: tens of thousands of nodes for a few hundred
    distinct ones, each rebuilt with its numeric arguments evaluated again.
    A part with bound variables (a derivative, a sum) is left to xreplace.
    ``memo`` may carry the parts done between calls with the same values.

    With ``symbolic=True`` (a renaming of symbols) a function whose new
    arguments are not all numbers is rebuilt as it stands: sympy would ask
    its assumptions system of every new argument whether it is zero, a
    logarithm, …, milliseconds a node, for an argument still in symbols that
    settles nothing.

    >>> x = sympy.Symbol("x")
    >>> substituted(sympy.sin(x) ** 2 + sympy.sin(x), {x: sympy.pi / 2})
    2
    """
    memo = {} if memo is None else memo
    mapping = dict(values)

    def walk(node: sympy.Basic) -> sympy.Basic:
        done = memo.get(node)
        if done is not None:
            return done
        if node in mapping:
            result = mapping[node]
        elif not node.args:
            result = node
        elif isinstance(node, _BINDING) or getattr(node, "bound_symbols", None):
            result = node.xreplace(mapping)
        else:
            args = [walk(a) for a in node.args]
            if all(a is b for a, b in zip(args, node.args)):
                result = node
            elif symbolic and isinstance(node, sympy.Function):
                unevaluated = not all(a.is_number for a in args)
                result = node.func(*args, evaluate=False) if unevaluated else node.func(*args)
            else:
                result = node.func(*args)
        memo[node] = result
        return result

    return walk(expr)


def _with_float(
    expr: sympy.Expr,
    values: Mapping[sympy.Symbol, sympy.Expr],
    value: sympy.Expr,
    what: str,
    parts: tuple[Any, Any] | None,
) -> tuple[sympy.Expr, float]:
    """A constant value and its float, from its real and imaginary ``parts``
    to FLOAT_DIGITS digits (evaluated here when not given)."""
    if parts is not None:
        real, imaginary = parts
    else:
        approx = value.evalf(FLOAT_DIGITS)
        if approx.has(*_INFINITIES):
            raise UndefinedError(what.format(_("undefined")) + _cause(expr, values))
        real, imaginary = approx.as_real_imag()
    if imaginary != 0 and abs(imaginary) > _IMAGINARY_NOISE * max(1, abs(real)):
        raise UndefinedError(
            what.format(_("not real"))
            + _(" (a logarithm, square root or inverse trigonometric function outside its domain)")
        )
    if not real.is_Number or not real.is_finite:
        raise UndefinedError(what.format(_("undefined")))
    if imaginary != 0:
        # rounding noise of the evaluation: the value itself is real
        value = sympy.re(value)
    number = to_float(value) if value.is_Rational else _rounded(real)
    if not math.isfinite(number):
        raise UndefinedError(what.format(_("too large to represent as a float")))
    return value, number


def _is_infinite(node: sympy.Basic) -> bool:
    return node in _INFINITE


def _check_logarithms(
    expr: sympy.Expr, values: Mapping[sympy.Symbol, sympy.Expr], what: str
) -> None:
    """A real logarithm of a negative number is undefined, even where the value
    it feeds is real again: ``e^(2 ln x)`` at x = −3 is not 9.

    >>> x = sympy.Symbol("x", real=True)
    >>> f = sympy.exp(2 * sympy.log(x), evaluate=False)
    >>> _check_logarithms(f, {x: sympy.Integer(-3)}, "f is {}")
    Traceback (most recent call last):
    ...
    gradcli.errors.UndefinedError: f is not real (the logarithm of a negative number)
    """
    if not expr.has(sympy.log):
        return
    point = dict(values)
    for node in expr.atoms(sympy.log):
        try:
            argument = node.args[0].xreplace(point)
        except (TypeError, ValueError, ZeroDivisionError):
            continue
        if (
            isinstance(argument, sympy.Expr)
            and argument.is_number
            and argument.is_extended_negative
        ):
            raise UndefinedError(
                what.format(_("not real")) + _(" (the logarithm of a negative number)")
            )


def _cause(expr: sympy.Expr, values: Mapping[sympy.Symbol, sympy.Expr]) -> str:
    """Why ``expr`` is undefined at the point, in words: the innermost log of
    0 or division by zero found, division by zero when nothing more is known.

    >>> x = sympy.Symbol("x", real=True)
    >>> _cause(sympy.log(abs(x)) + 1, {x: sympy.Integer(0)})
    ' (log of 0)'
    """
    point = dict(values)
    for node in sympy.postorder_traversal(expr):
        if isinstance(node, sympy.log):
            argument, logarithm = node.args[0], True
        elif node.is_Pow and node.exp.is_negative:
            argument, logarithm = node.base, False
        else:
            continue
        try:
            if argument.xreplace(point).is_zero:
                return _(" (log of 0)") if logarithm else _(" (division by zero)")
        except (TypeError, ValueError, ZeroDivisionError):
            continue
    return _(" (division by zero)")


def _rounded(approx: sympy.Float) -> float:
    try:
        return float(approx)
    except OverflowError:
        return math.inf


def describe_point(values: Mapping[sympy.Symbol, Any]) -> str:
    """How a point is named in every message: ``x = 1, y = 3``.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> describe_point({x: sympy.Integer(-1), y: 0.5})
    'x = -1, y = 0.5'
    """
    from gradcli.printing import to_text

    def shown(value: Any) -> str:
        if isinstance(value, sympy.Basic):
            return to_text(value)
        if isinstance(value, float):
            return repr(value)
        return str(value)

    return ", ".join(f"{getattr(s, 'name', s)} = {shown(v)}" for s, v in values.items())


def exact_sign(value: sympy.Expr, *, seconds: float = 1.0) -> int | None:
    """The sign (-1, 0, 1) of an exact real constant, or ``None`` if it cannot be told.

    Assumptions first, then an evaluation at 50 digits (sympy's evalf makes
    the sign of a result above :data:`~gradcli.tolerances.EXACT_SIGN_FLOOR`
    right), then simplification within ``seconds``.

    >>> exact_sign(sympy.sqrt(2) - sympy.Rational(7, 5)), exact_sign(sympy.Integer(0))
    (1, 0)
    >>> exact_sign(sympy.sin(sympy.pi / 7) ** 2 + sympy.cos(sympy.pi / 7) ** 2 - 1)
    0
    """
    from gradcli.budget import time_limit
    from gradcli.errors import BudgetExceeded
    from gradcli.tolerances import EXACT_SIGN_FLOOR

    if value.is_Number:
        if value is sympy.nan or not value.is_finite:
            return None
        return 0 if value == 0 else (1 if value > 0 else -1)
    if value.has(*_INFINITIES):
        return None
    if value.free_symbols or seconds <= 0:
        return None
    try:
        with time_limit(seconds, "deciding a sign"):
            if value.is_zero:
                return 0
            if value.is_positive:
                return 1
            if value.is_negative:
                return -1
            approx = value.evalf(50).as_real_imag()[0]
            if approx.is_Number and abs(approx) > EXACT_SIGN_FLOOR:
                return 1 if approx > 0 else -1
            if sympy.simplify(value).is_zero:
                return 0
    except BudgetExceeded:
        return None
    return None
