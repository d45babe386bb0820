"""Untrusted text → sympy expressions, without running any of it.

This is gradcli's own grammar: a tokenizer and a precedence-climbing parser
that build sympy objects directly from a table of allowed names. Nothing in the
text is ever handed to ``eval``, ``exec``, ``sympify`` or ``parse_expr``, and
no name is looked up on a module: a name is a function from ``FUNCTIONS``, a
constant from ``CONSTANTS``, or a real variable.

The grammar, loosest binding first::

    sum      := term (("+" | "-") term)*
    term     := ("-" | "+") term | unary (("*" | "/" | juxtaposition) unary)*
    unary    := ("-" | "+") unary | power
    power    := postfix ("^" unary)?             right-associative
    postfix  := primary superscript*
    primary  := number | name | function | "(" sum ")" | "|" sum "|" | "√" unary

``**`` is ``^``; ``·``, ``×`` and ``−`` are ``*``, ``*`` and ``-``.
Juxtaposition is multiplication at the level of ``*`` and ``/``.

Where typing leaves two readings, the text is read as textbooks mean it and
a note says so, or it is refused with both readings as the hint; never read
a third way in silence (docs/syntax.md lists each rule):

* a name made of single letters that are all variables (``xy`` beside ``x``
  and ``y``) is their product, one factor: ``e^xy`` is e^(x·y);
* a function run into its argument is applied to it: ``sin2x`` is sin(2x),
  ``ylnx`` is y·ln(x); so is a function, a space and a product written
  together: ``sin 2x``;
* ``e^-2x`` is e^(−2x); ``2^3x`` and ``x^-2y`` are refused, ``x^2y`` is x²·y;
* ``x/2y`` is refused; ``1/2 x^2`` is (1/2)·x²;
* ``sin^-1`` is asin;
* in a function, ``f(x, y) = …`` declares the variables, ``z = …`` names the
  function, and any other equation ``lhs = rhs`` is the level surface
  lhs − rhs = 0.

Every bound in :class:`~gradcli.limits.Limits` is checked before sympy is
asked to build anything that big.
"""

from __future__ import annotations

import difflib
import keyword
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy

from gradcli.errors import (
    GradcliError,
    InputError,
    LimitError,
    MathError,
    ParseError,
    UndefinedError,
)
from gradcli.i18n import _, ngettext
from gradcli.limits import Limits
from gradcli.magnitude import approx as _approx
from gradcli.magnitude import log2_magnitude as _log2_magnitude
from gradcli.magnitude import rational_log2_size

# --------------------------------------------------------------------------
# The tables: everything a name in the input can mean.


@dataclass(frozen=True)
class FunctionSpec:
    """A function the grammar accepts: how to build it, and its arity."""

    build: Callable[..., sympy.Expr]
    min_args: int = 1
    max_args: int = 1


def _log(x: sympy.Expr, base: sympy.Expr | None = None) -> sympy.Expr:
    return sympy.log(x) if base is None else sympy.log(x, base)


def _exp(x: sympy.Expr) -> sympy.Expr:
    """``e^x``, kept as typed when ``x`` holds a logarithm.

    sympy rewrites ``exp(2·log(u))`` as ``u**2`` as it builds it, which is
    defined where ``log(u)`` is not: ``e^(2 ln x)`` at x = −3 would be 9.

    >>> x = symbol("x")
    >>> _exp(2 * sympy.log(x))
    exp(2*log(x))
    """
    if x.has(sympy.log):
        return sympy.exp(x, evaluate=False)
    return sympy.exp(x)


def _product(factors: Sequence[sympy.Expr]) -> sympy.Expr:
    """The product of ``factors``, an e^(ln u) among them kept as typed.

    sympy merges the exponentials of a product, so 2·e^(ln x) becomes 2x,
    defined where ln x is not; :func:`_exp` keeps e^(ln x) alone, and this
    keeps it in a product.

    >>> x = symbol("x")
    >>> _product([sympy.Integer(2), _exp(sympy.log(x))])
    2*exp(log(x))
    """
    product = sympy.Mul(*factors)
    # only exponentials among the factors themselves are merged
    kept = any(
        isinstance(base, sympy.exp) and base.args[0].has(sympy.log)
        for base in (f.base if f.is_Pow else f for f in factors)
    )
    if kept and not product.has(sympy.log):
        return sympy.Mul(*factors, evaluate=False)
    return product


def _root(x: sympy.Expr, n: sympy.Expr) -> sympy.Expr:
    return _real_power(x, sympy.Integer(1) / n)


def _real_power(base: sympy.Expr, exponent: sympy.Expr) -> sympy.Expr:
    """``base**exponent``, where an odd root of a negative number is real.

    sympy's ``(-8)**(1/3)`` is the principal, complex root; a calculus course
    means −2 (``numbers.real_powers`` applies the same rule to variables).

    >>> _real_power(sympy.Integer(-8), sympy.Rational(1, 3))
    -2
    """
    if (
        exponent.is_Rational
        and not exponent.is_Integer
        and exponent.q % 2 == 1
        and not base.free_symbols
        and base.is_negative
    ):
        magnitude = sympy.Pow(-base, exponent)
        return -magnitude if exponent.p % 2 else magnitude
    return sympy.Pow(base, exponent)


_ONE = FunctionSpec
FUNCTIONS: Mapping[str, FunctionSpec] = {
    "sin": _ONE(sympy.sin),
    "cos": _ONE(sympy.cos),
    "tan": _ONE(sympy.tan),
    "sec": _ONE(sympy.sec),
    "csc": _ONE(sympy.csc),
    "cosec": _ONE(sympy.csc),
    "cot": _ONE(sympy.cot),
    "asin": _ONE(sympy.asin),
    "acos": _ONE(sympy.acos),
    "atan": _ONE(sympy.atan),
    "acot": _ONE(sympy.acot),
    "asec": _ONE(sympy.asec),
    "acsc": _ONE(sympy.acsc),
    "arcsin": _ONE(sympy.asin),
    "arccos": _ONE(sympy.acos),
    "arctan": _ONE(sympy.atan),
    "arccot": _ONE(sympy.acot),
    "arcsec": _ONE(sympy.asec),
    "arccsc": _ONE(sympy.acsc),
    "atan2": FunctionSpec(sympy.atan2, 2, 2),
    "arctan2": FunctionSpec(sympy.atan2, 2, 2),
    "sinh": _ONE(sympy.sinh),
    "cosh": _ONE(sympy.cosh),
    "tanh": _ONE(sympy.tanh),
    "sech": _ONE(sympy.sech),
    "csch": _ONE(sympy.csch),
    "coth": _ONE(sympy.coth),
    "asinh": _ONE(sympy.asinh),
    "acosh": _ONE(sympy.acosh),
    "atanh": _ONE(sympy.atanh),
    "arsinh": _ONE(sympy.asinh),
    "arcosh": _ONE(sympy.acosh),
    "artanh": _ONE(sympy.atanh),
    "arcsinh": _ONE(sympy.asinh),
    "arccosh": _ONE(sympy.acosh),
    "arctanh": _ONE(sympy.atanh),
    "exp": _ONE(lambda x: _exp(x)),
    "log": FunctionSpec(_log, 1, 2),
    "ln": _ONE(sympy.log),
    "log10": _ONE(lambda x: sympy.log(x, 10)),
    "log2": _ONE(lambda x: sympy.log(x, 2)),
    "sqrt": _ONE(sympy.sqrt),
    "cbrt": _ONE(lambda x: _real_power(x, sympy.Rational(1, 3))),
    "root": FunctionSpec(_root, 2, 2),
    "abs": _ONE(sympy.Abs),
    "Abs": _ONE(sympy.Abs),
    "sign": _ONE(sympy.sign),
    "sgn": _ONE(sympy.sign),
    # sympy writes |e^z| as e^re(z) when z may be complex: read it back
    "re": _ONE(sympy.re),
}

CONSTANTS: Mapping[str, sympy.Expr] = {
    "pi": sympy.pi,
    "e": sympy.E,
    # sympy prints Euler's number as E: read it back the same
    "E": sympy.E,
}

#: Greek letters accepted as variable names, and the ASCII name each stands for.
GREEK: Mapping[str, str] = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon",
    "ϵ": "epsilon", "ζ": "zeta", "η": "eta", "θ": "theta", "ϑ": "theta",
    "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi",
    "ρ": "rho", "σ": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi",
    "ϕ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega",
    "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda", "Ξ": "Xi",
    "Σ": "Sigma", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega",
}  # fmt: skip
GREEK_NAMES = frozenset(GREEK.values())

# Letters that look like Latin ones: accepting them would grade silently
# against the wrong variable, so each is refused with the letter it mimics.
_LOOKALIKES: Mapping[str, str] = {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x",
    "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h",
    "ӏ": "l", "ɡ": "g", "ı": "i", "ο": "o", "ς": "s",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O",
    "Р": "P", "С": "C", "Т": "T", "Х": "X", "У": "Y", "Ѕ": "S", "І": "I",
    "Ј": "J", "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I",
    "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y",
    "Χ": "X",
}  # fmt: skip

_OPERATOR_CHARS: Mapping[str, str] = {
    "−": "-", "–": "-", "‒": "-", "﹣": "-",
    "·": "*", "⋅": "*", "∙": "*", "×": "*", "∗": "*",
    "÷": "/", "∕": "/", "∣": "|",
}  # fmt: skip
_ROOT_SIGNS: Mapping[str, int] = {"√": 2, "∛": 3, "∜": 4}
_SUPERSCRIPTS: Mapping[str, str] = {
    "⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6",
    "⁷": "7", "⁸": "8", "⁹": "9", "⁻": "-", "⁺": "+",
}  # fmt: skip
_SUBSCRIPTS: Mapping[str, str] = {chr(0x2080 + d): str(d) for d in range(10)}
_VULGAR: Mapping[str, Fraction] = {
    "½": Fraction(1, 2), "⅓": Fraction(1, 3), "⅔": Fraction(2, 3), "¼": Fraction(1, 4),
    "¾": Fraction(3, 4), "⅕": Fraction(1, 5), "⅙": Fraction(1, 6), "⅛": Fraction(1, 8),
}  # fmt: skip


def _unsupported(ch: str) -> str | None:
    """Why a character is refused, in the active language (``None``: not listed)."""
    comparison = _("comparisons are not supported")
    no_operator = _("'{character}' is not an operator here").format(character=ch)
    quotes = _("quotes have no meaning in an expression")
    return {
        "!": _("factorials are not supported"),
        "=": _("give an expression, not an equation (drop the '… =' part)"),
        "<": comparison,
        ">": comparison,
        "≤": comparison,
        "≥": comparison,
        "≠": comparison,
        "∞": _("infinity is not a number gradcli computes with"),
        "∂": _("write the function itself: gradcli takes the derivatives"),
        "∇": _("write the function itself: gradcli takes the gradient"),
        "∫": _("integrals are not supported"),
        "∑": _("sums are not supported: write the terms out"),
        "'": quotes,
        '"': quotes,
        "`": _("backquotes have no meaning in an expression"),
        ";": _("one expression at a time"),
        ".": _("'.' only appears inside a number such as 0.5"),
        "%": no_operator,
        "&": no_operator,
        "~": no_operator,
        "@": no_operator,
        "$": _("'$' is not needed: write the expression itself"),
        "#": _("'#' starts a comment only in a batch file"),
        "\\": _("LaTeX must start with a backslash command (or give --latex)"),
    }.get(ch)


_NAME_MAX = 64
_OPEN_FOR = {")": "(", "]": "[", "}": "{"}
_CLOSE_FOR = {"(": ")", "[": "]", "{": "}"}
_NAME_CHARS = re.compile(r"[A-Za-z0-9_]")
_LOG_BASE = re.compile(r"^log_([0-9]+)$")
#: Greek letters spelt out inside a longer name (sintheta, thetax); not the
#: two-letter ones, which are as likely two variables (xi, mu), but pi
_SPELT_GREEK = "|".join(sorted((g for g in GREEK_NAMES if len(g) > 2), key=len, reverse=True))
_UNIT = re.compile(f"(?:pi|{_SPELT_GREEK}|[A-Za-z" + "".join(GREEK) + "])[0-9]*")
#: Python's keywords are never names here (``lambda`` is the Greek letter)
_PYTHON_WORDS = frozenset(keyword.kwlist) - {"lambda"}
#: names of numbers that are not real, or not numbers
_NOT_REAL_NAMES = frozenset({"I", "oo", "zoo", "inf", "infinity", "Infinity", "nan", "NaN"})


def _not_real(name: str, subject: str) -> str:
    """Why ``name`` (one of :data:`_NOT_REAL_NAMES`) is refused, said of ``subject``."""
    if name == "I":
        message = _("{subject} is the imaginary unit in sympy: gradcli works with real numbers")
    elif name in ("oo", "inf"):
        message = _("{subject} (infinity) is not a number gradcli computes with")
    elif name == "zoo":
        message = _("{subject} (complex infinity) is not a number gradcli computes with")
    elif name in ("nan", "NaN"):
        message = _("{subject} (not a number) is not a number gradcli computes with")
    else:
        message = _("{subject} is not a number gradcli computes with")
    return message.format(subject=subject)


#: functions too short to suggest inside a name: "red" is not re(d)
_NO_PREFIX_HINT = frozenset({"re"})
#: Greek letters that are also special functions: gamma(x) is refused, not γ·x
_GREEK_FUNCTIONS = frozenset({"gamma", "Gamma", "beta", "zeta", "eta", "psi"})
#: names people try that are deliberately not functions here
_REFUSED_FUNCTIONS = frozenset({
    "factorial", "binomial", "fibonacci", "floor", "ceil", "ceiling", "min", "max",
    "mod", "sum", "prod", "diff", "integrate", "limit", "eval", "exec", "open", "print",
    "Symbol", "sympify", "import", "getattr", "compile", "input", "globals",
})  # fmt: skip


# --------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class Function:
    """A parsed function of some variables.

    ``variables`` are what derivatives are taken with respect to, in order;
    ``parameters`` are the other free symbols. ``notes`` say how the text was
    read where a reader might have meant something else (``xy`` as ``x·y``).
    """

    expr: sympy.Expr
    variables: tuple[sympy.Symbol, ...]
    parameters: tuple[sympy.Symbol, ...] = ()
    source: str = ""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Token:
    kind: str  # num name product op open close comma bar sup root end
    text: str
    pos: int
    value: Any = None
    #: where the token's source ends, when that is not pos + len(text) (π is "pi")
    end: int = -1

    @property
    def stop(self) -> int:
        return self.end if self.end >= 0 else self.pos + len(self.text)


# --------------------------------------------------------------------------
# Public API


def parse_expression(
    text: str,
    *,
    variables: Sequence[str] = (),
    limits: Limits | None = None,
    latex: bool | None = None,
) -> sympy.Expr:
    """Parse one expression into sympy, building it from the allowed names only.

    Parameters
    ----------
    text : the expression, as a user typed it.
    variables : names that are variables even where a rule would read them
        otherwise (``xy`` stays one name when ``xy`` is listed).
    limits : the bounds to enforce (length, nesting, number size).
    latex : read the text as LaTeX; ``None`` decides from a leading backslash.

    >>> parse_expression("x^2 + 2xy + y²")
    x**2 + 2*x*y + y**2
    >>> parse_expression(r"\\frac{1}{2}\\sin(\\theta)")
    sin(theta)/2
    """
    return _parse(text, variables, limits or Limits(), latex)[0]


def parse_function(
    text: str,
    *,
    variables: str | sympy.Symbol | Sequence[str | sympy.Symbol] | None = None,
    limits: Limits | None = None,
    latex: bool | None = None,
) -> Function:
    """Parse a function and decide which of its symbols are variables.

    Without ``variables`` every free symbol is a variable, in natural order
    (``x2`` before ``x10``); with them, the others are parameters.

    >>> f = parse_function("a*x^2 + b*y", variables=["x", "y"])
    >>> f.variables, f.parameters
    ((x, y), (a, b))
    """
    limits = limits or Limits()
    variables = variable_names(variables)
    names = [_check_variable_name(v) for v in variables] if variables else []
    if len(set(names)) != len(names):
        raise InputError(_("--vars lists a variable twice"))
    if isinstance(text, str) and len(text) <= limits.max_length and "=" in text:
        equation = _read_equation(text, names, limits, latex)
        if equation is not None:
            expr, declared, notes = equation
            if declared and names and declared != names:
                raise InputError(
                    _(
                        "the function declares its variables as {declared} but --vars gives {given}"
                    ).format(declared=", ".join(declared), given=", ".join(names))
                )
            names = names or declared
            variables = variables or declared
        else:
            expr, notes = _parse(text, names, limits, latex)
    else:
        expr, notes = _parse(text, names, limits, latex)
    free = sorted(expr.free_symbols, key=lambda s: natural_key(s.name))
    if variables:
        chosen = tuple(symbol(n) for n in names)
        parameters = tuple(s for s in free if s not in chosen)
    else:
        chosen = tuple(free)
        parameters = ()
    return Function(
        expr=expr, variables=chosen, parameters=parameters, source=text, notes=tuple(notes)
    )


_DEFINITION = re.compile(r"\s*([^\W\d_][\w]*)\s*\(([^()]*)\)\s*")


def _read_equation(
    text: str, names: list[str], limits: Limits, latex: bool | None
) -> tuple[sympy.Expr, list[str], list[str]] | None:
    """``f(x, y) = …``, ``z = …`` or ``x^2 + y^2 = 14``, read as a function.

    Returns the function, the variables a definition declares, and notes; or
    ``None`` when the text has no equals sign of its own (``y=3`` inside
    brackets, ``<=``), which the parser then refuses as usual.
    """
    at = _equals_sign(text)
    if at is None:
        return None
    lhs, rhs = text[:at], text[at + 1 :]
    if not lhs.strip() or not rhs.strip():
        raise ParseError(_("an equation needs a left and a right side"), text=text, position=at)
    declared = _declared(lhs, text)
    if declared is not None:
        expr, notes = _parse_side(text, rhs, at + 1, names or declared, limits, latex)
        notes.insert(
            0,
            _("read '{lhs} = …' as the function of {variables}").format(
                lhs=lhs.strip(), variables=", ".join(declared)
            ),
        )
        return expr, declared, notes
    left, left_notes = _parse_side(text, lhs, 0, names, limits, latex)
    right, right_notes = _parse_side(text, rhs, at + 1, names, limits, latex)
    notes = left_notes + right_notes
    if left.is_Symbol and left not in right.free_symbols and left.name not in names:
        notes.insert(
            0,
            _(
                "read '{lhs} = …' as the function {lhs} = {rhs} "
                "(for the level surface write {lhs} - ({rhs}))"
            ).format(lhs=lhs.strip(), rhs=rhs.strip()),
        )
        return right, [], notes
    surface = left - right
    simple = re.fullmatch(r"[\w.]+", rhs.strip())
    shown = (
        lhs.strip()
        if right == 0
        else f"{lhs.strip()} - {rhs.strip() if simple else '(' + rhs.strip() + ')'}"
    )
    notes.insert(
        0,
        _("read the equation as the level surface F = 0, with F = {surface}").format(surface=shown),
    )
    return surface, [], notes


def split_definition(text: str) -> tuple[list[str], str, int] | None:
    """``F(x, y) = (…, …)``: the variables declared, the body, and its offset.

    ``None`` when the text does not start with such a definition.

    >>> split_definition("F(r, θ) = (r cos θ, r sin θ)")
    (['r', 'theta'], ' (r cos θ, r sin θ)', 9)
    """
    at = _equals_sign(text)
    if at is None:
        return None
    declared = _declared(text[:at], text)
    if declared is None or not text[at + 1 :].strip():
        return None
    return declared, text[at + 1 :], at + 1


def _equals_sign(text: str) -> int | None:
    """Where the one top-level ``=`` is (not ``==``, ``<=``, ``y=3`` in brackets)."""
    signs = [
        i
        for i in range(len(text))
        if text[i] == "="
        and _depth_at(text, i) == 0
        and text[i - 1 : i] not in ("<", ">", "!", "=")
        and text[i + 1 : i + 2] != "="
    ]
    return signs[0] if len(signs) == 1 else None


def _declared(lhs: str, text: str) -> list[str] | None:
    """The variables ``f(x, y)`` declares, or ``None`` if ``lhs`` is no definition."""
    definition = _DEFINITION.fullmatch(lhs)
    if not definition or definition.group(1) in FUNCTIONS:
        return None
    declared = []
    for part in definition.group(2).split(","):
        try:
            declared.append(_check_variable_name(part))
        except InputError:
            raise ParseError(
                _("'{definition}' declares '{name}', which is not a variable name").format(
                    definition=lhs.strip(), name=part.strip()
                ),
                text=text,
                position=definition.start(2),
            ) from None
    if len(set(declared)) != len(declared):
        raise ParseError(
            _("'{definition}' declares a variable twice").format(definition=lhs.strip()),
            text=text,
            position=0,
        )
    return declared


def _parse_side(
    whole: str, side: str, offset: int, names: Sequence[str], limits: Limits, latex: bool | None
) -> tuple[sympy.Expr, list[str]]:
    try:
        return _parse(side, names, limits, latex)
    except GradcliError as error:
        if error.text != side:
            raise
        raise _shift(error, whole, offset) from None


def _depth_at(text: str, index: int) -> int:
    depth = 0
    for ch in text[:index]:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
    return depth


_COLLECTING: ContextVar[list[str] | None] = ContextVar("gradcli_reading_notes", default=None)


@contextmanager
def reading_notes() -> Iterator[list[str]]:
    """Collect the notes of every text read inside the block.

    Answers are read deep inside a grader, through several readers; the notes
    on how each was read (``2cos2x`` as 2·cos(2x)) are gathered here for the
    verdict, without threading them through every reader.

    >>> with reading_notes() as notes:
    ...     read = parse_vector("2cos2x, 1")
    >>> notes
    ["read 'cos2x' as cos(2x)"]
    """
    notes: list[str] = []
    token = _COLLECTING.set(notes)
    try:
        yield notes
    finally:
        _COLLECTING.reset(token)


def parse_vector(
    text: str,
    *,
    variables: Sequence[str] = (),
    limits: Limits | None = None,
    latex: bool | None = None,
) -> tuple[sympy.Expr, ...]:
    """Parse a comma-separated vector, optionally in ``( )``, ``[ ]`` or ``< >``.

    >>> parse_vector("<2x + y, x + 2y>", variables=["x", "y"])
    (2*x + y, x + 2*y)
    """
    limits = limits or Limits()
    if len(text) > limits.max_length:
        raise _too_long(text, limits)
    inner, offset = _strip_vector_brackets(text)
    parts = split_top_level(inner)
    if not parts or any(not part.strip() for part, _start in parts):
        raise ParseError(_("empty component in the vector"), text=text, position=None)
    out = []
    for part, start in parts:
        try:
            out.append(_parse(part, variables, limits, latex)[0])
        except GradcliError as error:
            raise _shift(error, text, offset + start) from None
    return tuple(out)


def parse_numbers(
    text: str, option: str, limits: Limits, *, what: str | None = None, hint: str | None = None
) -> tuple[sympy.Expr, ...]:
    """The comma-separated constants an option takes (``0.1, 1/10, pi/4``), exact.

    Read by the safe parser, like any expression; each must be a number (``what``
    words that complaint, by default "OPTION needs numbers", with ``hint``). A
    value that is not real, such as ``log(-1)``, is a usage error naming the option.
    """
    entries = split_top_level(text)
    if not entries:
        raise InputError(_("{option} needs a number").format(option=option))
    if any(not part.strip() for part, _start in entries):
        raise InputError(
            _("{option} has an empty entry: {text}").format(option=option, text=repr(text)),
            hint=_("remove the empty component"),
        )
    try:
        values = parse_vector(text, limits=limits)
    except MathError as error:
        raise InputError(f"{option}: {error.message}") from None
    for value in values:
        if value.free_symbols:
            if what is None:
                message = _("{option} needs numbers, got {value}").format(
                    option=option, value=value
                )
            else:
                message = _("{what}, got {value}").format(what=what, value=value)
            raise InputError(message, hint=hint)
    return values


def parse_point(
    text: str,
    function: Function,
    *,
    limits: Limits | None = None,
) -> dict[sympy.Symbol, sympy.Expr]:
    """Parse a point for ``function``: ``1,3``, ``-1/2, pi/4`` or ``y=3, x=1``.

    Returns the values of the variables, and of any parameters that were named.
    Values are exact constants; each is parsed by the same safe grammar.

    >>> f = parse_function("x^2 + y^2 + xy")
    >>> parse_point("1, 3", f)
    {x: 1, y: 3}
    """
    limits = limits or Limits()
    if len(text) > limits.max_length:
        raise _too_long(text, limits)
    inner, offset = _strip_vector_brackets(text)
    parts = split_top_level(inner)
    if not parts or any(not part.strip() for part, _start in parts):
        raise ParseError(_("a point needs one number per variable, separated by commas"), text=text)
    if len(parts) == 1:
        # 1 2, as points are written one per line on standard input
        bare = inner.strip()
        lead = offset + len(inner) - len(inner.lstrip())
        if len(bare) > 2 and (bare[0], bare[-1]) in {("(", ")"), ("[", "]"), ("<", ">")}:
            bare, lead = bare[1:-1], lead + 1
        spaced = [(m.group(0), lead + m.start()) for m in re.finditer(r"\S+", bare)]
        # with one variable, "pi / 2" is one coordinate; "1 -2" is two
        if (
            len(spaced) > 1
            and all(_balanced_prefix(piece) for piece, _start in spaced)
            and (len(function.variables) > 1 or all(_NUMBER.fullmatch(p) for p, _start in spaced))
        ):
            parts, offset = spaced, 0
    by_name = {s.name: s for s in (*function.variables, *function.parameters)}
    named = [_split_assignment(part) for part, _start in parts]
    values: dict[sympy.Symbol, sympy.Expr] = {}
    if all(name is not None for name, _text, _offset in named):
        for (name, value_text, value_offset), (_part, start) in zip(named, parts):
            assert name is not None
            canonical = _canonical_name(name)
            if canonical not in by_name:
                known = ", ".join(by_name) or _("none")
                raise ParseError(
                    _("'{name}' is not a variable of the function (variables: {known})").format(
                        name=name, known=known
                    ),
                    text=text,
                    position=offset + start,
                )
            sym = by_name[canonical]
            if sym in values:
                raise ParseError(
                    _("'{name}' is given twice").format(name=name),
                    text=text,
                    position=offset + start,
                )
            values[sym] = _constant(value_text, text, offset + start + value_offset, limits)
        missing = [s.name for s in function.variables if s not in values]
        if missing:
            raise ParseError(
                _("no value given for {names}").format(names=", ".join(missing)), text=text
            )
        return values
    if any(name is not None for name, _text, _offset in named):
        raise ParseError(_("name every coordinate (x=1, y=3) or none (1, 3)"), text=text)
    if len(parts) != len(function.variables):
        from gradcli.errors import DimensionError

        names = ", ".join(s.name for s in function.variables)
        if len(function.variables) == 1:
            message = _(
                "the point has {count} coordinates but the function has {variables} variable "
                "({names})"
            )
        else:
            message = ngettext(
                "the point has {count} coordinate but the function has {variables} variables "
                "({names})",
                "the point has {count} coordinates but the function has {variables} variables "
                "({names})",
                len(parts),
            )
        raise DimensionError(
            message.format(count=len(parts), variables=len(function.variables), names=names)
        )
    for sym, (part, start) in zip(function.variables, parts):
        values[sym] = _constant(part, text, offset + start, limits)
    return values


def variable_names(
    variables: str | sympy.Symbol | Iterable[str | sympy.Symbol] | None,
) -> list[str] | None:
    """Variables as the Python API takes them: ``"x, y"``, names, or symbols.

    Only the names count: a sympy symbol stands for the variable of its name.

    >>> variable_names("x, y"), variable_names([symbol("x"), "y"]), variable_names(None)
    (['x', 'y'], ['x', 'y'], None)
    """
    if variables is None:
        return None
    if isinstance(variables, str):
        return [name.strip() for name in variables.split(",")]
    if isinstance(variables, sympy.Symbol):
        return [variables.name]
    if not isinstance(variables, Iterable) or isinstance(variables, (bytes, sympy.Basic)):
        raise InputError(
            _("the variables must be names or sympy symbols, got {value}").format(
                value=repr(variables)
            )
        )
    names = []
    for v in variables:
        if isinstance(v, sympy.Symbol):
            names.append(v.name)
        elif isinstance(v, str):
            names.append(v)
        else:
            raise InputError(
                _("every variable must be a symbol or a name, got {value}").format(value=repr(v))
            )
    return names


def symbol(name: str) -> sympy.Symbol:
    """The real symbol gradcli uses for a variable name.

    A Greek letter is one symbol however it is written: ``θ`` in ``--vars``
    is the ``theta`` of the expression.

    >>> symbol("x").is_real, symbol("θ") == symbol("theta")
    (True, True)
    """
    return sympy.Symbol(_canonical_name(name), real=True)


def natural_key(name: str) -> tuple[Any, ...]:
    """Sort key that puts ``x2`` before ``x10``.

    >>> sorted(["x10", "x2", "y", "x1"], key=natural_key)
    ['x1', 'x2', 'x10', 'y']
    """
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name))


def split_top_level(text: str, separator: str = ",") -> list[tuple[str, int]]:
    """Split on ``separator`` outside brackets; each part with its offset.

    >>> split_top_level("atan2(y, x), 3")
    [('atan2(y, x)', 0), (' 3', 12)]
    """
    parts: list[tuple[str, int]] = []
    depth = 0
    start = 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == separator and depth == 0:
            parts.append((text[start:i], start))
            start = i + 1
    parts.append((text[start:], start))
    if len(parts) == 1 and not parts[0][0].strip():
        return []
    return parts


# --------------------------------------------------------------------------
# Helpers for points and vectors


def _strip_vector_brackets(text: str) -> tuple[str, int]:
    """Drop one pair of enclosing brackets around a whole vector."""
    stripped = text.strip()
    lead = len(text) - len(text.lstrip())
    if len(stripped) >= 2 and (stripped[0], stripped[-1]) in {("(", ")"), ("[", "]"), ("<", ">")}:
        inner = stripped[1:-1]
        # only when the brackets enclose the whole vector: "(x+1), (y)" keeps them
        if stripped[0] == "<" or (
            split_top_level(inner) and _balanced_prefix(inner) and "," in inner
        ):
            return inner, lead + 1
    return text, 0


_NUMBER = re.compile(r"[-+−]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:/[0-9]+)?")


def _balanced_prefix(text: str) -> bool:
    depth = 0
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _split_assignment(part: str) -> tuple[str | None, str, int]:
    if "=" not in part:
        return None, part, 0
    name, _sign, value = part.partition("=")
    return name.strip(), value, len(name) + 1


def _constant(text: str, whole: str, offset: int, limits: Limits) -> sympy.Expr:
    try:
        value = _parse(text, (), limits, None)[0]
    except GradcliError as error:
        raise _shift(error, whole, offset) from None
    if value.free_symbols:
        names = ", ".join(sorted(s.name for s in value.free_symbols))
        raise ParseError(
            _("a coordinate must be a number, not an expression in {names}").format(names=names),
            text=whole,
            position=offset + len(text) - len(text.lstrip()),
        )
    return value


def _shift(error: GradcliError, text: str, offset: int) -> GradcliError:
    """The same error, located in the whole text that ``error.text`` is part of."""
    position = None if error.position is None else error.position + offset
    return type(error)(error.message, text=text, position=position, hint=error.hint)


def _check_variable_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise InputError(_("--vars has an empty name"))
    tokens = _Tokenizer(name, Limits()).run()
    if len(tokens) != 2 or tokens[0].kind != "name":
        raise InputError(_("--vars: '{name}' is not a variable name").format(name=name))
    canonical = _canonical_name(tokens[0].text)
    if canonical in _PYTHON_WORDS:
        raise InputError(
            _("--vars: '{name}' is a word of Python, not a variable name").format(name=name)
        )
    if canonical in FUNCTIONS or canonical in CONSTANTS:
        raise InputError(
            _("--vars: '{name}' is a function or constant, not a variable").format(name=name)
        )
    return canonical


def _canonical_name(name: str) -> str:
    return "".join(GREEK.get(ch, ch) for ch in name.strip())


def _too_long(text: str, limits: Limits) -> LimitError:
    return LimitError(
        _(
            "the input is {length} characters long; the limit is {limit} "
            "(raise it with --max-length or GRADCLI_MAX_LENGTH)"
        ).format(length=f"{len(text):,}", limit=f"{limits.max_length:,}")
    )


# --------------------------------------------------------------------------
# The tokenizer


class _Tokenizer:
    def __init__(self, text: str, limits: Limits) -> None:
        self.text = text
        self.limits = limits
        self.tokens: list[Token] = []

    def error(self, message: str, pos: int, hint: str | None = None) -> ParseError:
        return ParseError(message, text=self.text, position=pos, hint=hint)

    def run(self) -> list[Token]:
        text = self.text
        n = len(text)
        i = 0
        depth = 0
        while i < n:
            ch = text[i]
            if ch in " \t\r\n" or (ch.isspace() and unicodedata.category(ch) == "Zs"):
                i += 1
                continue
            if ch in "0123456789" or (ch == "." and i + 1 < n and text[i + 1] in "0123456789"):
                i = self._number(i)
            elif ch == "π":
                self.tokens.append(Token("name", "pi", i, end=i + 1))
                i += 1
            elif ch.isalpha() or ch == "_":
                i = self._name(i)
            elif ch == "*" and text.startswith("**", i):
                self.tokens.append(Token("op", "^", i, end=i + 2))
                i += 2
            elif ch in "+-*/^":
                self.tokens.append(Token("op", ch, i))
                i += 1
            elif ch in _OPERATOR_CHARS:
                mapped = _OPERATOR_CHARS[ch]
                kind = "bar" if mapped == "|" else "op"
                self.tokens.append(Token(kind, mapped, i))
                i += 1
            elif ch in "([{":
                depth += 1
                if depth > self.limits.max_depth:
                    raise LimitError(
                        _(
                            "brackets nest more than {depth} deep "
                            "(raise it with --max-depth or GRADCLI_MAX_DEPTH)"
                        ).format(depth=self.limits.max_depth),
                        text=text,
                        position=i,
                    )
                self.tokens.append(Token("open", ch, i))
                i += 1
            elif ch in ")]}":
                depth -= 1
                self.tokens.append(Token("close", ch, i))
                i += 1
            elif ch == ",":
                self.tokens.append(Token("comma", ch, i))
                i += 1
            elif ch == "|":
                self.tokens.append(Token("bar", ch, i))
                i += 1
            elif ch in _SUPERSCRIPTS:
                i = self._superscript(i)
            elif ch in _ROOT_SIGNS:
                self.tokens.append(Token("root", ch, i, _ROOT_SIGNS[ch]))
                i += 1
            elif ch in _VULGAR:
                self.tokens.append(Token("num", ch, i, _VULGAR[ch]))
                i += 1
            else:
                raise self._bad_character(ch, i)
        self.tokens.append(Token("end", "", n))
        return self.tokens

    def _bad_character(self, ch: str, i: int) -> ParseError:
        reason = _unsupported(ch)
        if reason is not None:
            return self.error(
                _("unexpected '{character}': {reason}").format(character=ch, reason=reason), i
            )
        code = f"U+{ord(ch):04X}"
        if 0xDC80 <= ord(ch) <= 0xDCFF:
            # how Python carries a byte that is not UTF-8 (surrogateescape)
            return self.error(
                _("a byte that is not UTF-8 text ({byte}) in the expression").format(
                    byte=f"0x{ord(ch) - 0xDC00:02X}"
                ),
                i,
                hint=_("save the input as UTF-8"),
            )
        name = unicodedata.name(ch, code)
        category = unicodedata.category(ch)
        if category in {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"} or (
            ch.isspace() and category != "Zs"
        ):
            described = f"{name} ({code})" if name != code else code
            return self.error(
                _("invisible or control character {character} in the expression").format(
                    character=described
                ),
                i,
                hint=_("retype the expression: it contains a character that does not show"),
            )
        lookalike = _lookalike(ch)
        if lookalike:
            return self.error(
                _("'{character}' ({name}) is not the letter it looks like").format(
                    character=ch, name=name
                ),
                i,
                hint=_("it looks like '{letter}': retype it on a plain keyboard").format(
                    letter=lookalike
                ),
            )
        return self.error(
            _("unexpected character '{character}' ({name})").format(character=ch, name=name), i
        )

    def _number(self, i: int) -> int:
        text = self.text
        if re.match(r"0[xXbBoO][0-9A-Fa-f]", text[i : i + 3]):
            raise self.error(
                _("hexadecimal, binary and octal numbers are not supported"),
                i,
                hint=_("write decimals"),
            )
        m = re.compile(r"[0-9]*\.?[0-9]*").match(text, i)
        assert m is not None
        end = m.end()
        mantissa = text[i:end]
        exponent = 0
        e = re.compile(r"[eE]([+-]?[0-9]+)").match(text, end)
        if e:
            exponent_text = e.group(1)
            if (
                len(exponent_text.lstrip("+-")) > 6
                or abs(int(exponent_text)) > self.limits.max_exponent
            ):
                raise LimitError(
                    _("a number's exponent is larger than {limit}").format(
                        limit=self.limits.max_exponent
                    ),
                    text=text,
                    position=i,
                )
            exponent = int(exponent_text)
            end = e.end()
        digits = len(mantissa.replace(".", "").lstrip("0"))
        allowed = max(self.limits.max_digits, _digits_for_bits(self.limits.max_bits))
        if digits > allowed:
            raise LimitError(
                _(
                    "a number has {digits} digits; the limit is {limit} "
                    "(raise it with GRADCLI_MAX_DIGITS)"
                ).format(digits=f"{digits:,}", limit=f"{allowed:,}"),
                text=text,
                position=i,
            )
        if mantissa.count(".") > 1 or mantissa == ".":
            raise self.error(_("malformed number"), i)
        value = Fraction(mantissa) * Fraction(10) ** exponent
        if end < len(text) and text[end] == "." and end + 1 < len(text) and text[end + 1].isdigit():
            raise self.error(_("malformed number: two decimal points"), end)
        self.tokens.append(Token("num", text[i:end], i, value))
        return end

    def _name(self, i: int) -> int:
        text = self.text
        end = i
        while end < len(text) and (
            _NAME_CHARS.match(text[end]) or text[end] in GREEK or _is_name_letter(text[end])
        ):
            ch = text[end]
            if not ch.isascii() and ch not in GREEK and ch != "π":
                raise self._bad_character(ch, end)
            end += 1
            if ch == "_" and end < len(text) and text[end].isdigit():
                # x_1x_2 is x_1·x_2: a name ends after its subscript's digits
                while end < len(text) and text[end] in "0123456789":
                    end += 1
                break
        if end < len(text) and text[end] in _SUBSCRIPTS and text[i:end].isalpha():
            # x₁₂ is the name x_12
            start = end
            while end < len(text) and text[end] in _SUBSCRIPTS:
                end += 1
            sub = "".join(_SUBSCRIPTS[c] for c in text[start:end])
            self.tokens.append(Token("name", text[i:start] + "_" + sub, i, end=end))
            return end
        # x_{12} is the name x_12, as in LaTeX
        if end < len(text) and text[end - 1] == "_" and text[end] == "{":
            close = text.find("}", end)
            sub = text[end + 1 : close] if close > 0 else ""
            if not (sub.isascii() and sub.isalnum()):
                raise self.error(_("a subscript must be letters or digits, as in x_{1}"), end)
            name = text[i:end] + sub
            end = close + 1
        else:
            # π inside a name is pi, as a letter of it: cos2πx is cos2pix
            name = text[i:end].replace("π", "pi")
        if name.startswith("_"):
            raise self.error(_("a name must start with a letter"), i)
        if name.endswith("_"):
            raise self.error(_("a name cannot end with '_'"), i + len(name) - 1)
        if len(name) > _NAME_MAX:
            raise self.error(_("a name longer than {limit} characters").format(limit=_NAME_MAX), i)
        self.tokens.append(Token("name", name, i, end=end))
        return end

    def _superscript(self, i: int) -> int:
        text = self.text
        end = i
        while end < len(text) and text[end] in _SUPERSCRIPTS:
            end += 1
        raw = "".join(_SUPERSCRIPTS[c] for c in text[i:end])
        if not re.fullmatch(r"[+-]?[0-9]+", raw) or len(raw) > 6:
            raise self.error(_("a superscript must be a whole number such as ² or ⁻¹"), i)
        self.tokens.append(Token("sup", text[i:end], i, int(raw)))
        return end


def _is_name_letter(ch: str) -> bool:
    return ch.isalpha()


def _lookalike(ch: str) -> str | None:
    if ch == "µ":  # the micro sign
        return _("μ (Greek mu)")
    if ch in _LOOKALIKES:
        return _LOOKALIKES[ch]
    decomposed = unicodedata.normalize("NFKD", ch)
    if decomposed != ch and decomposed.isascii() and decomposed.isalnum():
        return decomposed
    return None


# --------------------------------------------------------------------------
# LaTeX: translated into the plain grammar, keeping a map back to positions


_LATEX_FUNCTIONS = {
    "sin", "cos", "tan", "sec", "csc", "cot", "arcsin", "arccos", "arctan",
    "sinh", "cosh", "tanh", "coth", "exp", "ln", "log", "sqrt",
}  # fmt: skip
_LATEX_SPACES = {",", ";", ":", "!", " ", "quad", "qquad", "displaystyle", "left", "right",
                 "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr"}  # fmt: skip
_LATEX_OPERATORS = {"cdot": "*", "times": "*", "div": "/", "ast": "*"}
_LATEX_CONSTANTS = {"pi": "pi", "e": "e"}
_LATEX_GREEK = {name: name for name in GREEK_NAMES} | {
    "varepsilon": "epsilon",
    "vartheta": "theta",
    "varphi": "phi",
}


def _latex_unsupported(name: str) -> str | None:
    """Why a LaTeX command is refused, in the active language (``None``: not listed)."""
    comparison = _("comparisons are not supported: give an expression")
    integrals = _("integrals are not supported")
    terms = _("write the terms out")
    reasons = {
        "partial": _("write the function itself: gradcli takes the derivatives"),
        "nabla": _("write the function itself: gradcli takes the gradient"),
        "int": integrals,
        "iint": integrals,
        "oint": integrals,
        "sum": _("sums are not supported: write the terms out"),
        "prod": _("products are not supported: write the factors out"),
        "lim": _("limits are not supported"),
        "infty": _("infinity is not a number gradcli computes with"),
        "cdots": terms,
        "ldots": terms,
        "dots": terms,
        "%": _("'{character}' is not an operator here").format(character="%"),
        "\\": _("one expression on one line"),
    }
    if name in _LATEX_COMPARISONS:
        return comparison
    return reasons.get(name)


_LATEX_COMPARISONS = frozenset(
    {"le", "leq", "ge", "geq", "lt", "gt", "neq", "ne", "approx", "equiv", "to"}
)


class _LatexTranslator:
    """LaTeX → the plain grammar. Positions map back to the LaTeX source."""

    def __init__(self, text: str, limits: Limits) -> None:
        self.text = text
        self.limits = limits
        self.out: list[str] = []
        self.where: list[int] = []

    def emit(self, s: str, pos: int) -> None:
        self.out.append(s)
        self.where.extend([pos] * len(s))

    def error(self, message: str, pos: int, hint: str | None = None) -> ParseError:
        return ParseError(message, text=self.text, position=pos, hint=hint)

    def run(self) -> tuple[str, list[int]]:
        end = self._sequence(0, None, 0)
        if end != len(self.text):
            raise self.error(_("unbalanced '{bracket}'").format(bracket="}"), end)
        return "".join(self.out), self.where

    def _group(self, i: int, depth: int) -> int:
        """Translate a ``{…}`` group (or one character) into parentheses."""
        i = self._skip_spaces(i)
        if i >= len(self.text):
            raise self.error(_("missing argument in braces { }"), i)
        if self.text[i] == "{":
            self.emit("(", i)
            end = self._sequence(i + 1, "}", depth + 1)
            self.emit(")", end - 1)
            return end
        if self.text[i] == "\\":
            self.emit("(", i)
            j = self._command(i, depth + 1)
            self.emit(")", j - 1)
            return j
        self.emit("(" + self.text[i] + ")", i)
        return i + 1

    def _skip_spaces(self, i: int) -> int:
        while i < len(self.text) and self.text[i].isspace():
            i += 1
        return i

    def _sequence(self, i: int, closer: str | None, depth: int) -> int:
        if depth > self.limits.max_depth:
            raise LimitError(
                _("LaTeX groups nest more than {depth} deep").format(depth=self.limits.max_depth)
            )
        text = self.text
        while i < len(text):
            ch = text[i]
            if closer is not None and ch == closer:
                return i + 1
            if ch == "}":
                raise self.error(_("unbalanced '{bracket}'").format(bracket="}"), i)
            if ch == "{":
                self.emit("(", i)
                i = self._sequence(i + 1, "}", depth + 1)
                self.emit(")", i - 1)
            elif ch == "\\":
                i = self._command(i, depth)
            elif ch == "^":
                self.emit("^", i)
                i = self._group(i + 1, depth)
            elif ch == "_":
                i = self._subscript(i)
            else:
                self.emit(ch, i)
                i += 1
        if closer is not None:
            raise self.error(_("missing '{bracket}'").format(bracket=closer), len(text))
        return i

    def _subscript(self, i: int) -> int:
        # x_1 and x_{12} are names: glue the subscript onto the name before it
        j = i + 1
        if j < len(self.text) and self.text[j] == "{":
            k = self.text.find("}", j)
            if k < 0:
                raise self.error(_("missing '{bracket}'").format(bracket="}"), len(self.text))
            sub = self.text[j + 1 : k].strip()
            end = k + 1
        else:
            sub = self.text[j : j + 1]
            end = j + 1
        if not sub.isalnum() or not sub.isascii():
            raise self.error(_("a subscript must be letters or digits, as in x_{1}"), i)
        # the subscript ends the name: x_1x_2 is x_1·x_2
        self.emit("_" + sub + " ", i)
        return end

    def _command(self, i: int, depth: int) -> int:
        text = self.text
        j = i + 1
        if j < len(text) and not text[j].isalpha():
            name = text[j]
            j += 1
        else:
            while j < len(text) and text[j].isalpha():
                j += 1
            name = text[i + 1 : j]
        if name in _LATEX_SPACES:
            if name in {"left", "right", "bigl", "bigr", "Bigl", "Bigr", "big", "Big"}:
                # \left( \right| \left. : the delimiter that follows is what counts
                k = self._skip_spaces(j)
                if text.startswith("\\{", k) or text.startswith("\\}", k):
                    self.emit("(" if text[k + 1] == "{" else ")", k)
                    return k + 2
                if text.startswith("\\lvert", k) or text.startswith("\\rvert", k):
                    self.emit("|", k)
                    return k + 6
                if text.startswith("\\vert", k):
                    self.emit("|", k)
                    return k + 5
                if k < len(text) and text[k] == ".":
                    return k + 1
                if k < len(text) and text[k] in "()[]|":
                    self.emit(text[k], k)
                    return k + 1
            self.emit(" ", i)
            return j
        if name in ("frac", "dfrac", "tfrac"):
            self.emit("((", i)
            j = self._group(j, depth + 1)
            self.emit(")/(", j)
            j = self._group(j, depth + 1)
            self.emit("))", j - 1)
            return j
        if name == "sqrt":
            k = self._skip_spaces(j)
            if k < len(text) and text[k] == "[":
                close = text.find("]", k)
                if close < 0:
                    raise self.error(_("missing ']' in \\sqrt[n]{…}"), k)
                self.emit("root(", i)
                j = self._group(close + 1, depth + 1)
                self.emit(",(", close)
                inner = _LatexTranslator(text[k + 1 : close], self.limits)
                translated, _where = inner.run()
                self.emit(translated, k + 1)
                self.emit("))", close)
                return j
            self.emit("sqrt", i)
            return self._group(j, depth + 1)
        if name in ("lvert", "rvert", "vert", "mid"):
            self.emit("|", i)
            return j
        if name in ("{", "}"):
            self.emit("(" if name == "{" else ")", i)
            return j
        if name in ("mathrm", "operatorname", "text", "mathit"):
            k = self._skip_spaces(j)
            if k >= len(text) or text[k] != "{":
                raise self.error(
                    _("{command} needs a {{…}} argument").format(command="\\" + name), j
                )
            close = text.find("}", k)
            if close < 0:
                raise self.error(_("missing '{bracket}'").format(bracket="}"), len(text))
            self.emit(" " + text[k + 1 : close].strip() + " ", k + 1)
            return close + 1
        if name in _LATEX_OPERATORS:
            self.emit(_LATEX_OPERATORS[name], i)
            return j
        if name in _LATEX_FUNCTIONS or name in FUNCTIONS:
            # \log_{10}: the subscript joins the name, as log_10
            self.emit(" " + name + ("" if text.startswith("_", j) else " "), i)
            return j
        if name in _LATEX_CONSTANTS:
            self.emit(" " + _LATEX_CONSTANTS[name] + " ", i)
            return j
        if name in _LATEX_GREEK:
            self.emit(" " + _LATEX_GREEK[name] + " ", i)
            return j
        reason = _latex_unsupported(name)
        if reason is not None:
            raise self.error(f"\\{name}: {reason}", i)
        suggestion = difflib.get_close_matches(
            name, [*_LATEX_FUNCTIONS, *_LATEX_GREEK, "frac", "sqrt", "cdot", "left", "right"], 1
        )
        hint = (
            _("did you mean {suggestion}?").format(suggestion="\\" + suggestion[0])
            if suggestion
            else None
        )
        raise self.error(_("unknown LaTeX command {command}").format(command="\\" + name), i, hint)


# --------------------------------------------------------------------------
# The parser


def _parse(
    text: str, variables: Sequence[str], limits: Limits, latex: bool | None
) -> tuple[sympy.Expr, list[str]]:
    if not isinstance(text, str):
        raise InputError(_("an expression must be text"))
    if len(text) > limits.max_length:
        raise _too_long(text, limits)
    _allow_int_digits(limits)
    variables = [_canonical_name(v) for v in variables]
    source = text
    where: list[int] | None = None
    # each level of nesting costs the parser and sympy a dozen or so frames
    previous_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous_limit, min(20 * limits.max_depth + 1000, 100_000)))
    try:
        if latex or (latex is None and "\\" in text):
            text, where = _LatexTranslator(text, limits).run()
        tokens = _Tokenizer(text, limits).run()
        parser = _Parser(text, tokens, variables, limits)
        expr = parser.parse()
        collecting = _COLLECTING.get()
        if collecting is not None:
            collecting.extend(parser.notes)
        return expr, parser.notes
    except RecursionError:
        # only when --max-depth was raised far beyond the default
        raise LimitError(_("the expression nests too deeply to read (lower --max-depth)")) from None
    except GradcliError as error:
        if where is None or error.text != text:
            raise
        position = error.position
        if position is not None:
            position = where[position] if position < len(where) else len(source)
        raise type(error)(error.message, text=source, position=position, hint=error.hint) from None
    finally:
        sys.setrecursionlimit(previous_limit)


def _digits_for_bits(bits: int) -> int:
    """Decimal digits of the largest number the bit bound allows (and a margin).

    >>> _digits_for_bits(10_000)
    3030
    """
    return int((bits + 64) * 0.30102999566398) + 1


def _allow_int_digits(limits: Limits) -> None:
    """Let Python convert integers as large as the bounds allow.

    Python refuses int-to-text conversions beyond 4,300 digits as a guard
    against quadratic work; gradcli's own bounds (``max_digits``,
    ``max_bits``) are that guard here, so when they are raised on purpose
    the conversions they allow must work, in reading and in printing.
    """
    if not hasattr(sys, "set_int_max_str_digits"):  # pragma: no cover - Python < 3.10.7
        return
    needed = max(limits.max_digits, _digits_for_bits(limits.max_bits)) + 64
    current = sys.get_int_max_str_digits()
    if current and current < needed:
        sys.set_int_max_str_digits(min(needed, 2**31 - 1))


@dataclass
class _Parser:
    text: str
    tokens: list[Token]
    variables: Sequence[str]
    limits: Limits
    notes: list[str] = field(default_factory=list)
    i: int = 0
    depth: int = 0
    bars: int = 0
    _symbols: dict[str, sympy.Symbol] = field(default_factory=dict)

    # -- entry

    def parse(self) -> sympy.Expr:
        if self.tokens[0].kind == "end":
            raise ParseError(_("the expression is empty"), text=self.text, position=0)
        self._resolve_names()
        expr = self.sum()
        tok = self.peek()
        if tok.kind != "end":
            raise self._unexpected(tok)
        return self._finish(expr)

    def _finish(self, expr: sympy.Expr) -> sympy.Expr:
        if not isinstance(expr, sympy.Expr):
            raise ParseError(_("not an expression"), text=self.text, position=0)
        expr = _canonical(expr)
        if expr.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
            raise UndefinedError(_("the expression is undefined: it divides by zero"))
        if expr.has(sympy.I):
            raise UndefinedError(_("the expression is not real (it contains an imaginary number)"))
        for node in sympy.preorder_traversal(expr):
            if node.is_Pow and node.base.free_symbols and not node.exp.free_symbols:
                # x^9000·x^9000 merges into one power: bound it too
                self._check_degree(node.exp, None)
            elif (
                (node.is_Pow or node.is_Function)
                and not node.free_symbols
                and (node.is_real is False)
            ):
                raise UndefinedError(
                    _("the expression is not real: {value} is not a real number").format(
                        value=_shorten(str(node))
                    )
                )
        return expr

    # -- token helpers

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def error(self, message: str, pos: int, hint: str | None = None) -> ParseError:
        return ParseError(message, text=self.text, position=pos, hint=hint)

    def _unexpected(self, tok: Token) -> ParseError:
        if tok.kind == "close":
            return self.error(_("unmatched '{bracket}'").format(bracket=tok.text), tok.pos)
        if tok.kind == "comma":
            return self.error(
                _("unexpected ',': one expression is expected here"),
                tok.pos,
                hint=_("commas separate the arguments of a function such as atan2(y, x)"),
            )
        if tok.kind == "end":
            return self.error(_("the expression ends too early"), tok.pos)
        return self.error(_("unexpected '{token}'").format(token=tok.text), tok.pos)

    def _enter(self, pos: int) -> None:
        self.depth += 1
        if self.depth > self.limits.max_depth:
            raise LimitError(
                _(
                    "the expression nests more than {depth} deep "
                    "(raise it with --max-depth or GRADCLI_MAX_DEPTH)"
                ).format(depth=self.limits.max_depth),
                text=self.text,
                position=pos,
            )

    def _leave(self) -> None:
        self.depth -= 1

    # -- names

    def _resolve_names(self) -> None:
        """Decide, before parsing, what each multi-letter name means.

        A juxtaposition like ``xy`` (or ``x1x2``) is a product when each of its
        letters is a variable of the expression, standing alone somewhere or
        listed in ``variables``; ``e`` may be among them (``xe^x``). Without
        ``variables``, a name that mixes such letters with others (``xy``
        beside a lone ``x`` but no lone ``y``) is refused as ambiguous.
        """
        declared = set(self.variables)
        singles = {
            _canonical_name(t.text)
            for t in self.tokens
            if t.kind == "name" and _units(t.text) == [t.text] and t.text not in CONSTANTS
        } | {v for v in declared if _units(v) == [v] or v in GREEK_NAMES}
        out: list[Token] = []
        for idx, tok in enumerate(self.tokens):
            if tok.kind != "name":
                out.append(tok)
                continue
            name = tok.text
            canonical = _canonical_name(name)
            following = self.tokens[idx + 1] if idx + 1 < len(self.tokens) else None
            self._check_reserved(tok, declared)
            if (
                canonical in _GREEK_FUNCTIONS
                and canonical not in declared
                and following is not None
                and following.kind == "open"
                and following.pos == tok.stop
            ):
                raise self.error(
                    _("'{name}(…)' is not a function gradcli accepts").format(name=name),
                    tok.pos,
                    hint=_("{name} is a variable here: for a product write {name}*(…)").format(
                        name=name
                    ),
                )
            if (
                canonical in declared
                or name in FUNCTIONS
                or name in CONSTANTS
                or canonical in GREEK_NAMES
                or _LOG_BASE.match(name)
            ):
                out.append(tok)
                continue
            adjacent = (
                following is not None and following.kind == "open" and following.pos == tok.stop
            )
            if name in _REFUSED_FUNCTIONS and following is not None and following.kind == "open":
                raise self.error(
                    _("'{name}' is not a function gradcli accepts").format(name=name), tok.pos
                )
            if adjacent and following is not None and following.text == "[":
                raise self.error(
                    _("'{name}[' looks like indexing, which expressions do not have").format(
                        name=name
                    ),
                    following.pos,
                    hint=_("write {name}_1 for a subscript, or {name}*(…) for a product").format(
                        name=name
                    ),
                )
            self._check_notation(tok, following)
            run_in = self._run_in(tok, following)
            if run_in is not None:
                out.extend(run_in)
                continue
            units = _units(name)
            variables = [u for u in units if _canonical_name(u) in singles]
            if len(units) > 1 and variables and all(u in variables or u == "e" for u in units):
                out.extend(_product_tokens(tok, units, following))
                shown = "·".join(units)
                if len(variables) == len(units):
                    note = _("read '{typed}' as {reading} (a product of variables)")
                else:
                    note = _("read '{typed}' as {reading} (a product of variables and e)")
                typed = self.text[tok.pos : tok.stop]
                self.notes.append(note.format(typed=typed, reading=shown))
                continue
            if (
                len(units) > 1
                and following is not None
                and following.kind == "open"
                and following.pos == tok.stop
            ):
                close = difflib.get_close_matches(name, list(FUNCTIONS), 1)
                if not close:
                    close = difflib.get_close_matches(name.lower(), list(FUNCTIONS), 1)
                hint = (
                    _("did you mean {suggestion}?").format(suggestion=close[0])
                    if close
                    else _("for a product write {name}*(…)").format(name=name)
                )
                raise self.error(_("unknown function '{name}'").format(name=name), tok.pos, hint)
            prefix = _function_prefix(name)
            if prefix and re.fullmatch(r"[A-Za-z]\d*", name[len(prefix) :]):
                rest = name[len(prefix) :]
                raise self.error(
                    _("unknown name '{name}'").format(name=name),
                    tok.pos,
                    hint=_(
                        "did you mean {function}({argument})? "
                        "(a variable named {name} needs --vars)"
                    ).format(function=prefix, argument=rest, name=name),
                )
            if 1 < len(units) <= 3:
                # xy is x·y in every textbook, whether or not x and y appear alone
                out.extend(_product_tokens(tok, units, following))
                self.notes.append(
                    _(
                        "read '{typed}' as {reading} (a product; a variable named {name} "
                        "needs --vars)"
                    ).format(
                        typed=self.text[tok.pos : tok.stop], reading="·".join(units), name=name
                    )
                )
                continue
            out.append(tok)
        self.tokens = out

    def _check_notation(self, tok: Token, following: Token | None) -> None:
        """Refuse names that are a function written another way: ``Ln``, ``SIN x``,
        ``log_b x``, ``tg x``. Read as letters they would be a product."""
        name = tok.text
        lowered = name.lower()
        title = name[:1].isupper() and name[1:].islower()
        if lowered != name and (lowered in FUNCTIONS or (title and _run_in_pieces(lowered))):
            called = following is not None and following.kind == "open"
            unknown = _("unknown function '{name}'") if called else _("unknown name '{name}'")
            raise self.error(
                unknown.format(name=name),
                tok.pos,
                hint=_(
                    "function names are lower case: did you mean {lowered}? "
                    "(a variable named {name} needs --vars)"
                ).format(lowered=lowered, name=name),
            )
        if name.startswith("log_"):
            raise self.error(
                _("unknown name '{name}'").format(name=name),
                tok.pos,
                hint=_("a logarithm to base b is log(x, b); log_2(x) and log_10(x) are read too"),
            )
        for alias, meant in _OTHER_NOTATIONS.items():
            if name.startswith(alias) and _ARGUMENT.fullmatch(name[len(alias) :]):
                if meant is None:
                    hint = _("write log10(x) for the base-10 logarithm, or log2(x) for base 2")
                else:
                    hint = _("write {function}").format(function=meant)
                raise self.error(
                    _("'{alias}' is not a function name gradcli uses").format(alias=alias),
                    tok.pos,
                    hint=hint,
                )
        for unit in _units(name):
            if unit in _NOT_REAL_NAMES:
                subject = _("'{unit}' in '{name}'").format(unit=unit, name=name)
                raise self.error(
                    _not_real(unit, subject),
                    tok.pos,
                    hint=_("a variable named {name} needs --vars").format(name=name),
                )

    def _run_in(self, tok: Token, following: Token | None) -> list[Token] | None:
        """``sin2x``, ``ylnx``, ``xsin(x)``: a function name run into its neighbours.

        Read as textbooks mean it, with a note: what follows the function in the
        name is its argument (``sin2x`` is sin(2x), ``tanxy`` is tan(x·y)), and
        what precedes it multiplies (``ylnx`` is y·ln(x)). Refused where two
        readings are both common: ``sinx^2`` and ``log2x``.
        """
        pieces = _run_in_pieces(_canonical_name(tok.text))
        if pieces is None:
            return None
        name = tok.text
        last_function, last_argument = pieces[-1][1][1], pieces[-1][2][1]
        if (
            following is not None
            and following.kind == "open"
            and following.pos == tok.stop
            and last_argument
        ):
            return None  # sine(x) is a misspelt function, not sin(e)·x
        if (
            last_argument.isdigit()
            and following is not None
            and following.pos > tok.stop
            and following.kind in ("num", "name", "open", "root", "bar")
            and not (following.kind == "name" and following.text in FUNCTIONS)
        ):
            # sin2 x: sin(2x), sin(2)·x, or sin²x pasted from a PDF?
            then = {"open": "(…)", "bar": "|…|", "root": following.text + "…"}.get(
                following.kind, following.text
            )
            raise self.error(
                _("'{text}' is ambiguous").format(text=f"{name} {then}"),
                tok.pos,
                hint=_("write {first}, {second} or {third}").format(
                    first=f"{last_function}({last_argument}{then})",
                    second=f"{last_function}({last_argument})*{then}",
                    third=f"{last_function}^{last_argument}({then})",
                ),
            )
        tight_power = (
            following is not None
            and following.pos == tok.stop
            and (following.kind == "sup" or (following.kind == "op" and following.text == "^"))
        )
        if tight_power and last_argument:
            power = re.match(
                r"(?:\^|\*\*)[-+]?[0-9A-Za-z.]+|[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+", self.text[tok.stop :]
            )
            exponent = power.group(0) if power else "^…"
            raise self.error(
                _("'{text}' is ambiguous").format(text=f"{name}{exponent}"),
                tok.pos,
                hint=_("write {first} or {second}").format(
                    first=f"{last_function}({last_argument}{exponent})",
                    second=f"{last_function}({last_argument}){exponent}",
                ),
            )
        if not last_argument and len(pieces) > 1 and not pieces[-2][2][1]:
            return None  # lnsin(x): the brackets would close inside the name
        typed = self.text[tok.pos : tok.stop]

        def place(offset: int) -> int:
            # θ is spelt theta in the pieces: past one, positions are the name's
            return tok.pos + offset if typed == _canonical_name(tok.text) else tok.pos

        tokens: list[Token] = []
        shown: list[str] = []
        #: functions applied to what follows them in the name: lnsinx is ln(sin(x))
        outer: list[str] = []
        for index, ((prefix_at, prefix), (function_at, fn), (argument_at, arg)) in enumerate(
            pieces
        ):
            if prefix:
                units = _argument_units(prefix)
                before = Token("name", prefix, place(prefix_at))
                tokens.extend(_product_tokens(before, units, None))
                shown.extend(units)
            start = place(function_at)
            if fn in ("log2", "log10") and arg:
                raise self.error(
                    _("'{text}' is ambiguous").format(text=name),
                    tok.pos,
                    hint=_(
                        "write {function}({argument}) for the base-{base} logarithm, "
                        "or log({base}{argument}) for the logarithm of {base}·{argument}"
                    ).format(function=fn, argument=arg, base=fn[3:]),
                )
            tokens.append(Token("name", fn, start, end=start + len(fn)))
            at = place(argument_at)
            if not arg and index + 1 < len(pieces):
                tokens.append(Token("open", "(", at, value=True, end=at))
                outer.append(fn)
                continue
            if arg:
                tokens.append(Token("open", "(", at, value=True, end=at))
                for unit in _argument_units(arg):
                    if unit.isdigit():
                        tokens.append(Token("num", unit, at, Fraction(int(unit)), end=at))
                    else:
                        tokens.append(Token("name", unit, at, end=at))
                tokens.append(Token("close", ")", at, value=True, end=tok.stop))
                reading = f"{fn}({_shown_units(_argument_units(arg))})"
            else:
                reading = fn
            for function in reversed(outer):
                tokens.append(Token("close", ")", at, value=True, end=tok.stop))
                reading = f"{function}({reading})"
            outer.clear()
            shown.append(reading)
        self.notes.append(
            _("read '{typed}' as {reading}").format(
                typed=self.text[tok.pos : tok.stop], reading="·".join(shown)
            )
        )
        return tokens

    def _check_reserved(self, tok: Token, declared: set[str]) -> None:
        """Refuse Python's words and the names of non-real numbers."""
        name = tok.text
        if name in _PYTHON_WORDS:
            raise self.error(
                _("'{name}' is a word of Python, not of mathematics").format(name=name), tok.pos
            )
        if name in _NOT_REAL_NAMES and name not in declared:
            raise self.error(
                _not_real(name, f"'{name}'"),
                tok.pos,
                hint=_("a variable named {name} needs --vars").format(name=name),
            )

    def _symbol(self, name: str) -> sympy.Symbol:
        canonical = _canonical_name(name)
        sym = self._symbols.get(canonical)
        if sym is None:
            sym = self._symbols[canonical] = symbol(canonical)
        return sym

    # -- grammar

    def sum(self) -> sympy.Expr:
        terms = [self.term()]
        while True:
            tok = self.peek()
            if tok.kind == "op" and tok.text in "+-":
                self.take()
                term = self.term()
                terms.append(term if tok.text == "+" else -term)
            else:
                break
        if len(terms) == 1:
            return terms[0]
        self._check_numbers(terms, "sum")
        return sympy.Add(*terms)

    def _starts_operand(self, tok: Token) -> bool:
        if tok.kind in ("num", "name", "product", "open", "root"):
            return True
        # a bar inside |…| closes it; elsewhere it opens a new |…|
        return tok.kind == "bar" and self.bars == 0

    def term(self) -> sympy.Expr:
        first = self.peek()
        if first.kind == "op" and first.text in "+-":
            # a leading sign negates the whole term: -a*b is -(a*b), as sympy
            # prints it, so that printed expressions read back the same
            return self._signed(self.term)
        factors = [self.unary()]
        previous = first
        while True:
            tok = self.peek()
            if tok.kind == "op" and tok.text in "*/":
                self.take()
                nxt = self.peek()
                if nxt.kind == "end" or (nxt.kind == "op" and nxt.text in "*/^"):
                    raise self.error(
                        _("missing operand after '{operator}'").format(operator=tok.text), nxt.pos
                    )
                factor = self.unary()
                if tok.text == "/":
                    if factor == 0:
                        raise UndefinedError(
                            _("division by zero"), text=self.text, position=tok.pos
                        )
                    self._check_divisor(first.pos, tok, nxt)
                    factor = self._power(factor, sympy.Integer(-1), tok.pos)
                factors.append(factor)
                previous = nxt
            elif self._starts_operand(tok):
                if tok.kind == "num" and previous.kind == "num" and self._adjacent_numbers():
                    raise self.error(
                        _("two numbers in a row"),
                        tok.pos,
                        hint=_("write the operator between them, e.g. 2*3"),
                    )
                factors.append(self.power())
                previous = tok
            else:
                break
        if len(factors) == 1:
            return factors[0]
        self._check_numbers(factors, "product")
        return _product(factors)

    def _check_divisor(self, start: int, slash: Token, divisor: Token) -> None:
        """``x/2y`` is x/(2y) to some readers and (x/2)·y to others: refused.

        With a space (``1/2 x^2``) it is read left to right, with a note; a
        product of letters after ``/`` (``x/yz``) is refused like ``x/2y``.
        """
        numerator = self.text[start : slash.pos].strip()
        denominator = self._source(divisor.pos)
        after = self.peek()
        if divisor.kind == "product" and self.tokens[self.i - 1] is divisor:
            units = divisor.value
            if numerator in ("d", "∂") and units[0] == numerator and len(units) == 2:
                # d/dx(x^2): an instruction to differentiate, not a value
                raise self.error(
                    _("'{text}' asks for a derivative: write the derivative itself").format(
                        text=f"{numerator}/{divisor.text}"
                    ),
                    slash.pos - len(numerator),
                    hint=_("{name} is not a variable here; for d/dx(x^2) write 2x").format(
                        name=numerator
                    ),
                )
            rest = "*".join(units[1:])
            raise self.error(
                _("'{text}' is ambiguous").format(text=f"{numerator}/{divisor.text}"),
                divisor.pos,
                hint=_("write {first} or {second}").format(
                    first=f"{numerator}/({'*'.join(units)})",
                    second=f"({numerator}/{units[0]})*{rest}",
                ),
            )
        if not self._starts_operand(after):
            return
        tight = self.tokens[self.i - 1].stop == after.pos
        notes = len(self.notes)
        try:
            self.power()
            following = self._source(after.pos)
        except GradcliError:
            following = after.text
        if tight:
            raise self.error(
                _("'{text}' is ambiguous").format(text=f"{numerator}/{denominator}{following}"),
                after.pos,
                hint=_("write {first} or {second}").format(
                    first=f"{numerator}/({denominator}{following})",
                    second=f"({numerator}/{denominator})*{following}",
                ),
            )
        # read the factor again, as a factor of the product
        del self.notes[notes:]
        self.i = self._rewind(after)
        self.notes.append(
            _("read '{typed}' as {reading}").format(
                typed=f"{numerator}/{denominator} {following}",
                reading=f"({numerator}/{denominator})·{following}",
            )
        )

    def _rewind(self, tok: Token) -> int:
        """The index of ``tok`` (reading goes back to it)."""
        for index in range(self.i - 1, -1, -1):
            if self.tokens[index] is tok:
                return index
        raise AssertionError("token not found")  # pragma: no cover

    def _adjacent_numbers(self) -> bool:
        prev = self.tokens[self.i - 1]
        return prev.kind == "num"

    def unary(self) -> sympy.Expr:
        tok = self.peek()
        if tok.kind == "op" and tok.text in "+-":
            return self._signed(self.unary)
        return self.power()

    def _signed(self, operand: Callable[[], sympy.Expr]) -> sympy.Expr:
        """A sign and what ``operand`` parses after it, one level deeper."""
        sign = self.take()
        self._enter(sign.pos)
        try:
            nxt = self.peek()
            if nxt.kind == "end":
                raise self.error(
                    _("missing operand after '{operator}'").format(operator=sign.text), nxt.pos
                )
            value = operand()
        finally:
            self._leave()
        return -value if sign.text == "-" else value

    def power(self) -> sympy.Expr:
        start = self.peek()
        base = self.postfix()
        tok = self.peek()
        if tok.kind == "op" and tok.text == "^":
            self.take()
            nxt = self.peek()
            if nxt.kind == "end" or (nxt.kind == "op" and nxt.text in "*/^"):
                raise self.error(_("missing exponent after '^'"), nxt.pos)
            self._enter(tok.pos)
            k = self.i
            while self.tokens[k].kind == "op" and self.tokens[k].text in "+-":
                k += 1
            # e^(2)x: an exponent in brackets ends at its bracket
            bracketed = self.tokens[k].kind in ("open", "bar")
            try:
                exponent = self.unary()
                if not bracketed and self._tight(self.peek()):
                    exponent = self._run_on_exponent(start, base, nxt, exponent)
                if not bracketed:
                    self._check_fraction_exponent(tok, start, nxt)
            finally:
                self._leave()
            return self._power(base, exponent, tok.pos)
        return base

    def _check_fraction_exponent(self, caret: Token, start: Token, first: Token) -> None:
        """``x^1/2``: x^(1/2) to whoever typed it, (x^1)/2 by the rules.

        Nobody writes x^1 for x, so ``x^1/2`` and ``x^-1/3`` are refused with
        both readings; ``x^3/2`` is read as (x³)/2, with a note. Python's
        ``x**3/2`` (how gradcli prints) means (x³)/2 as Python reads it.
        """
        last = self.tokens[self.i - 1]
        slash, denominator = self.peek(), self.peek(1)
        if not (
            self.text[caret.pos : caret.stop] == "^"
            and last.kind == "num"
            and last.value.denominator == 1
            and slash.kind == "op"
            and slash.text == "/"
            and slash.pos == last.stop
            and denominator.kind == "num"
            and denominator.pos == slash.stop
        ):
            return
        base = self.text[start.pos : first.pos].rstrip()
        exponent = self._source(first.pos)
        if last.value % int(denominator.value or 1) == 0:
            return  # x^4/2 is x⁴/2: x^(4/2) would be written x^2
        if last.value == 1:
            raise self.error(
                _("'{text}' is ambiguous").format(text=f"{base}{exponent}/{denominator.text}"),
                slash.pos,
                hint=_("write {first} or {second}").format(
                    first=f"{base}({exponent}/{denominator.text})",
                    second=f"({base}{exponent})/{denominator.text}",
                ),
            )
        self.notes.append(
            _("read '{typed}' as {reading} (for a fractional power write {power})").format(
                typed=f"{base}{exponent}/{denominator.text}",
                reading=f"({base}{exponent})/{denominator.text}",
                power=f"{base}({exponent}/{denominator.text})",
            )
        )

    def _run_on_exponent(
        self, start: Token, base: sympy.Expr, first: Token, exponent: sympy.Expr
    ) -> sympy.Expr:
        """An exponent typed without brackets, run on into letters: ``e^-2x``.

        On ``e`` the whole run is the exponent, as every textbook means it
        (with a note); on a number (``2^3x``), or after a sign (``x^-2y``),
        both readings are common and it is refused; ``x^2y`` is x²·y.
        """
        signed = first.kind == "op"
        exponent_text = self._source(first.pos)
        after = self.peek()
        if base is sympy.E:
            factors = [exponent]
            runs: list[Token] = []
            while self._tight(self.peek()):
                runs.append(self.peek())
                factors.append(self.power())
            whole = self._source(start.pos)
            letters = [u for r in runs for u in (r.value if r.kind == "product" else (r.text,))]
            if len([u for u in letters if u not in CONSTANTS]) > 1:
                # e^-2xy: e^(-2xy), or e^(-2x)·y as in -2e^(-2x)·y?
                head = self.text[first.pos : runs[0].pos] + letters[0]
                rest = "".join(letters[1:])
                raise self.error(
                    _("'{text}' is ambiguous").format(text=whole),
                    runs[0].pos,
                    hint=_("write {first} or {second}").format(
                        first=f"e^({head}{rest})", second=f"e^({head})*{rest}"
                    ),
                )
            self.notes.append(
                _("read '{typed}' as {reading}").format(
                    typed=whole, reading=f"e^({self._source(first.pos)})"
                )
            )
            return sympy.Mul(*factors)
        if not base.free_symbols or signed:
            shown_base = self.text[start.pos : first.pos].rstrip()
            notes = len(self.notes)
            try:
                self.power()
                following = self._source(after.pos)
            except GradcliError:
                following = after.text
            del self.notes[notes:]
            raise self.error(
                _("'{text}' is ambiguous").format(text=f"{shown_base}{exponent_text}{following}"),
                after.pos,
                hint=_("write {first} or {second}").format(
                    first=f"{shown_base}({exponent_text}{following})",
                    second=f"{shown_base}{exponent_text}*{following}",
                ),
            )
        return exponent

    def postfix(self) -> sympy.Expr:
        expr = self.primary()
        while self.peek().kind == "sup":
            tok = self.take()
            expr = self._power(expr, sympy.Integer(tok.value), tok.pos)
        return expr

    def primary(self) -> sympy.Expr:
        tok = self.peek()
        if tok.kind == "num":
            self.take()
            value: Fraction = tok.value
            return sympy.Rational(value.numerator, value.denominator)
        if tok.kind == "name":
            return self.name()
        if tok.kind == "product":
            self.take()
            return sympy.Mul(*(self._unit(unit) for unit in tok.value))
        if tok.kind == "open":
            self.take()
            self._enter(tok.pos)
            saved_bars, self.bars = self.bars, 0
            try:
                if self.peek().kind == "close":
                    raise self.error(_("empty brackets"), tok.pos)
                inner = self.sum()
                self._expect_close(tok)
            finally:
                self.bars = saved_bars
                self._leave()
            return inner
        if tok.kind == "bar":
            self.take()
            self._enter(tok.pos)
            self.bars += 1
            try:
                after = self.peek(1)
                if self.peek().kind == "bar" and not (
                    after.kind in ("num", "name", "open", "root", "bar")
                    or (after.kind == "op" and after.text in "+-")
                ):
                    # ||x| - 1| opens twice; only | | with nothing inside is empty
                    raise self.error(_("empty | |"), tok.pos)
                inner = self.sum()
                close = self.peek()
                if close.kind != "bar":
                    raise self.error(
                        _("missing closing '|'"), close.pos if close.kind != "end" else tok.pos
                    )
                self.take()
            finally:
                self.bars -= 1
                self._leave()
            return self._apply("abs", [inner], tok.pos)
        if tok.kind == "root":
            self.take()
            self._enter(tok.pos)
            try:
                if self.peek().kind == "end":
                    raise self.error(
                        _("missing operand after '{operator}'").format(operator=tok.text), tok.pos
                    )
                start = self.peek()
                radicand = self.power()
                if self._tight(self.peek()) and start.kind != "open":
                    # √2x: √(2x) to some readers, √2·x to others
                    radicand_text = self._source(start.pos)
                    after = self.peek()
                    self.power()
                    following = self._source(after.pos)
                    raise self.error(
                        _("'{text}' is ambiguous").format(
                            text=f"{tok.text}{radicand_text}{following}"
                        ),
                        after.pos,
                        hint=_("write {first} or {second}").format(
                            first=f"{tok.text}({radicand_text}{following})",
                            second=f"{tok.text}{radicand_text}*{following}",
                        ),
                    )
            finally:
                self._leave()
            return self._power(radicand, sympy.Rational(1, tok.value), tok.pos)
        if tok.kind == "end":
            raise self.error(_("the expression ends too early"), tok.pos, hint=self._ending_hint())
        raise self._unexpected(tok)

    def _ending_hint(self) -> str | None:
        if self.i > 0 and self.tokens[self.i - 1].kind == "open":
            return _("missing '{bracket}'").format(bracket=")")
        return None

    def _expect_close(self, opener: Token) -> None:
        tok = self.peek()
        expected = _CLOSE_FOR[opener.text]
        if tok.kind == "close":
            if tok.text != expected:
                raise self.error(
                    _("'{opener}' at position {position} is closed by '{closer}'").format(
                        opener=opener.text, position=opener.pos + 1, closer=tok.text
                    ),
                    tok.pos,
                    hint=_("close it with '{bracket}'").format(bracket=expected),
                )
            self.take()
            return
        if tok.kind == "end":
            raise self.error(
                _("missing '{bracket}'").format(bracket=expected),
                opener.pos,
                hint=_("the '{bracket}' here is never closed").format(bracket=opener.text),
            )
        raise self._unexpected(tok)

    def name(self) -> sympy.Expr:
        tok = self.take()
        name = tok.text
        log_base = _LOG_BASE.match(name)
        if name in FUNCTIONS or log_base:
            return self.call(tok)
        if name in CONSTANTS and name not in self.variables:
            return CONSTANTS[name]
        if self.peek().kind == "open" and self.peek().pos == tok.stop:
            close = difflib.get_close_matches(name, list(FUNCTIONS), 1)
            if close and len(name) > 1 and name.lower() == close[0].lower():
                raise self.error(
                    _("unknown function '{name}'").format(name=name),
                    tok.pos,
                    _("did you mean {suggestion}?").format(suggestion=close[0]),
                )
        return self._symbol(name)

    def _unit(self, name: str) -> sympy.Expr:
        if name in CONSTANTS and name not in self.variables:
            return CONSTANTS[name]
        return self._symbol(name)

    def _tight(self, tok: Token) -> bool:
        """Whether ``tok`` is a number or letters written right after the last token."""
        if tok.kind not in ("num", "name", "product") or self.i == 0:
            return False
        if tok.kind == "name" and (tok.text in FUNCTIONS or _LOG_BASE.match(tok.text)):
            return False
        return self.tokens[self.i - 1].stop == tok.pos

    def _source(self, start: int) -> str:
        """The text from ``start`` to the end of the last token read."""
        return self.text[start : self.tokens[self.i - 1].stop].strip()

    def call(self, tok: Token) -> sympy.Expr:
        name = tok.text
        exponent: sympy.Expr | None = None
        nxt = self.peek()
        # sin^2(x) and sin²(x): the power of the function's value
        if nxt.kind == "sup" or (nxt.kind == "op" and nxt.text == "^"):
            self.take()
            if nxt.kind == "sup":
                exponent = sympy.Integer(nxt.value)
            else:
                self._enter(nxt.pos)
                try:
                    exponent = self.unary()
                finally:
                    self._leave()
            if exponent == -1:
                inverse = _INVERSES.get(name)
                if inverse is None:
                    raise self.error(
                        _("{name}^-1 is ambiguous").format(name=name),
                        tok.pos,
                        hint=_(
                            "write the inverse function by its name, or 1/{name}(x) "
                            "for the reciprocal"
                        ).format(name=name),
                    )
                # sin⁻¹ is arcsin in every calculus textbook
                self.notes.append(
                    _(
                        "read '{typed}' as {inverse}, the inverse of {name} "
                        "(for the reciprocal write 1/{name}(x))"
                    ).format(typed=self._source(tok.pos), inverse=inverse, name=name)
                )
                name, exponent = inverse, None
            if self.peek().kind != "open" and not self._starts_operand(self.peek()):
                raise self.error(
                    _("write {name}^n(…) with the argument in brackets, or ({name}(…))^n").format(
                        name=name
                    ),
                    tok.pos,
                )
        args: list[sympy.Expr]
        if self.peek().kind == "open":
            opener = self.take()
            self._enter(opener.pos)
            saved_bars, self.bars = self.bars, 0
            try:
                args = self._arguments(opener, name)
            finally:
                self.bars = saved_bars
                self._leave()
        elif self._starts_operand(self.peek()) or (
            self.peek().kind == "op" and self.peek().text == "-"
        ):
            # sin x, ln 2: the argument is the next factor (sin x^2 = sin(x^2)),
            # and sin 2x is sin(2x), as textbooks mean it
            start = self.peek()
            self._enter(tok.pos)
            try:
                argument = self.unary()
                if self._tight(self.peek()):
                    factors = [argument]
                    while self._tight(self.peek()):
                        factors.append(self.power())
                    argument = sympy.Mul(*factors)
                    power = "" if exponent is None else f"^{exponent}"
                    self.notes.append(
                        _("read '{typed}' as {reading}").format(
                            typed=self._source(tok.pos),
                            reading=f"{name}{power}({self._source(start.pos)})",
                        )
                    )
                args = [argument]
            finally:
                self._leave()
            after = self.peek()
            if self._starts_operand(after) and not (
                after.kind == "name" and (after.text in FUNCTIONS or _LOG_BASE.match(after.text))
            ):
                # sin 2x: sin(2x) to some readers, sin(2)·x to others
                argument = self.text[start.pos : after.pos].strip()
                following = {"open": "(…)", "bar": "|…|", "root": after.text + "…"}.get(
                    after.kind, after.text
                )
                space = " " if self.text[after.pos - 1].isspace() else ""
                raise self.error(
                    _("'{text}' is ambiguous without brackets").format(
                        text=f"{name} {argument}{space}{following}"
                    ),
                    after.pos,
                    hint=_("write {first} or {second}").format(
                        first=f"{name}({argument}{space}{following})",
                        second=f"{name}({argument})*{following}",
                    ),
                )
            if after.kind == "op" and after.text == "/":
                # tan^-1 y/x, sin x/2: the quotient's function, or a function over a number?
                argument = self.text[start.pos : after.pos].strip()
                self.take()
                denominator = self.peek()
                try:
                    self.unary()
                    below = self._source(denominator.pos)
                except GradcliError:
                    below = denominator.text
                raise self.error(
                    _("'{text}' is ambiguous without brackets").format(text=self._source(tok.pos)),
                    after.pos,
                    hint=_("write {first} or {second}").format(
                        first=f"{name}({argument}/{below})",
                        second=f"{name}({argument})/{below}",
                    ),
                )
        else:
            raise self.error(
                _("{name} needs an argument, as in {name}(x)").format(name=name), tok.pos
            )
        log_base = _LOG_BASE.match(name)
        if log_base:
            if len(args) != 1:
                raise self.error(_("{name} takes one argument").format(name=name), tok.pos)
            args.append(sympy.Integer(int(log_base.group(1))))
            name = "log"
        result = self._apply(name, args, tok.pos)
        if exponent is not None:
            result = self._power(result, exponent, tok.pos)
        return result

    def _arguments(self, opener: Token, name: str) -> list[sympy.Expr]:
        args: list[sympy.Expr] = []
        if self.peek().kind == "close":
            raise self.error(_("{name}() needs an argument").format(name=name), opener.pos)
        while True:
            args.append(self.sum())
            tok = self.peek()
            if tok.kind == "comma":
                self.take()
                continue
            self._expect_close(opener)
            return args

    # -- building, within bounds

    def _apply(self, name: str, args: list[sympy.Expr], pos: int) -> sympy.Expr:
        spec = FUNCTIONS[name]
        if not spec.min_args <= len(args) <= spec.max_args:
            wanted = (
                str(spec.min_args)
                if spec.min_args == spec.max_args
                else _("{least} or {most}").format(least=spec.min_args, most=spec.max_args)
            )
            raise self.error(
                ngettext(
                    "{name} takes {wanted} argument, got {count}",
                    "{name} takes {wanted} arguments, got {count}",
                    spec.max_args,
                ).format(name=name, wanted=wanted, count=len(args)),
                pos,
            )
        if name == "root" and (args[1].free_symbols or args[1] == 0):
            raise self.error(_("root(x, n) needs a nonzero number n"), pos)
        if name == "log" and len(args) == 2 and not args[1].free_symbols:
            base = _approx(args[1])
            if base is not None and (base <= 0 or args[1] == 1):
                raise UndefinedError(
                    _("a logarithm's base must be positive and not 1"),
                    text=self.text,
                    position=pos,
                )
        for arg in args:
            if not arg.free_symbols:
                self._check_magnitude(arg, pos)
        if name == "exp" and not args[0].free_symbols:
            self._check_exp(args[0], pos)
        return spec.build(*args)

    def _power(self, base: sympy.Expr, exponent: sympy.Expr, pos: int) -> sympy.Expr:
        if base == 0 and (exponent.is_negative or exponent == 0):
            raise UndefinedError(
                _("0 to the power {exponent} is undefined").format(exponent=exponent),
                text=self.text,
                position=pos,
            )
        if base.free_symbols and not exponent.free_symbols:
            self._check_degree(exponent, pos)
        if base.is_Rational and exponent.is_Integer:
            size = rational_log2_size(Fraction(int(base.p), int(base.q)))
            # compared as int against float: no overflow however large
            if size and abs(int(exponent)) > self.limits.max_bits / size:
                raise self._number_too_large(pos)
        elif not base.free_symbols and not exponent.free_symbols:
            self._check_magnitude(base, pos)
            self._check_magnitude(exponent, pos)
            estimate = _log2_magnitude(base)
            scale = _approx(exponent)
            if (
                estimate is not None
                and scale is not None
                and abs(scale * estimate) > self.limits.max_bits
            ):
                raise self._number_too_large(pos)
        if base is sympy.E:
            return _exp(exponent)
        return _real_power(base, exponent)

    def _check_degree(self, exponent: sympy.Expr, pos: int | None) -> None:
        """A constant power of a variable expression stays within ``max_bits``.

        ``x^(10^9)`` is harmless to write but not to work with: simplification
        and evaluation build lists and numbers of that size in C code that no
        signal interrupts. At ``x = 2`` it is a number of that many bits, so
        the bit bound is the natural bound on the exponent too.
        """
        size = _approx(exponent)
        if size is None or abs(size) > self.limits.max_bits:
            shown = _shorten(str(exponent))
            raise LimitError(
                _(
                    "the exponent {exponent} is beyond ±{limit} "
                    "(raise the bound with GRADCLI_MAX_BITS)"
                ).format(exponent=shown, limit=f"{self.limits.max_bits:,}"),
                text=self.text if pos is not None else "",
                position=pos,
            )

    def _check_numbers(self, items: list[sympy.Expr], what: str) -> None:
        total = sum(_size(e) for e in items if e.is_Rational)
        if total > self.limits.max_bits + 64:
            if what == "sum":
                message = _(
                    "a sum of numbers would exceed {limit} bits (raise it with GRADCLI_MAX_BITS)"
                )
            else:
                message = _(
                    "a product of numbers would exceed {limit} bits "
                    "(raise it with GRADCLI_MAX_BITS)"
                )
            raise LimitError(message.format(limit=f"{self.limits.max_bits:,}"))

    def _check_magnitude(self, value: sympy.Expr, pos: int) -> None:
        estimate = _log2_magnitude(value)
        if estimate is None or estimate > self.limits.max_bits:
            raise self._number_too_large(pos)

    def _check_exp(self, argument: sympy.Expr, pos: int) -> None:
        value = _approx(argument)
        if value is None or value > self.limits.max_bits * 0.6931471805599453:
            raise self._number_too_large(pos)

    def _number_too_large(self, pos: int) -> LimitError:
        return LimitError(
            _(
                "this would make a number larger than 2^{limit} "
                "(raise the bound with GRADCLI_MAX_BITS)"
            ).format(limit=f"{self.limits.max_bits:,}"),
            text=self.text,
            position=pos,
        )


def _units(name: str) -> list[str]:
    """The letters of a name, each with the digits after it, if that is all it is.

    >>> _units("xy"), _units("x1x2"), _units("x_1"), _units("2x")
    (['x', 'y'], ['x1', 'x2'], [], [])
    >>> _units("thetax"), _units("pix"), _units("θx")
    (['theta', 'x'], ['pi', 'x'], ['θ', 'x'])
    """
    units = _UNIT.findall(name)
    return units if "".join(units) == name else []


#: functions as other countries' textbooks write them
#: (None: lg, which has two meanings, said in its own hint)
_OTHER_NOTATIONS: Mapping[str, str | None] = {
    "arctg": "atan(x)",
    "ctg": "cot(x)",
    "tg": "tan(x)",
    "lg": None,
}

#: f^-1 written for the inverse function: sin^-1(x) is asin(x)
_INVERSES: Mapping[str, str] = {
    "sin": "asin", "cos": "acos", "tan": "atan", "cot": "acot", "sec": "asec",
    "csc": "acsc", "sinh": "asinh", "cosh": "acosh", "tanh": "atanh",
}  # fmt: skip

#: functions that may be run into their argument (sin2x); not root(x, n)
_RUN_IN_FUNCTIONS = sorted(
    (f for f, spec in FUNCTIONS.items() if spec.min_args == 1 and f not in _NO_PREFIX_HINT),
    key=len,
    reverse=True,
)
_UNIT_TEXT = rf"[0-9]+|pi|{_SPELT_GREEK}|[A-Za-z](?:_[0-9]+|[0-9]*)"
_ARGUMENT = re.compile(rf"(?:{_UNIT_TEXT})*")
_SPELT_GREEK_AT = re.compile(_SPELT_GREEK)


def _run_in_pieces(
    name: str,
) -> list[tuple[tuple[int, str], tuple[int, str], tuple[int, str]]] | None:
    """A name split into (prefix, function, argument) pieces, each with its offset.

    >>> [(p[1], f[1], a[1]) for p, f, a in _run_in_pieces("ylnx")]
    [('y', 'ln', 'x')]
    >>> [(p[1], f[1], a[1]) for p, f, a in _run_in_pieces("sinxcos2y")]
    [('', 'sin', 'x'), ('', 'cos', '2y')]
    >>> [(p[1], f[1], a[1]) for p, f, a in _run_in_pieces("sinthetacostheta")]
    [('', 'sin', 'theta'), ('', 'cos', 'theta')]
    >>> _run_in_pieces("x_1") is None, _run_in_pieces("xy") is None
    (True, True)
    """
    if not name.isascii():
        return None
    found: list[tuple[int, str]] = []
    i = 0
    while i < len(name):
        function = next((f for f in _RUN_IN_FUNCTIONS if name.startswith(f, i)), None)
        if function is None:
            # no function inside a Greek letter's name: thetacos is θ·cos, not θ·a·cos
            greek = _SPELT_GREEK_AT.match(name, i)
            i = greek.end() if greek else i + 1
            continue
        found.append((i, function))
        i += len(function)
    if not found:
        return None
    pieces = []
    previous_end = 0
    for k, (start, function) in enumerate(found):
        end = start + len(function)
        following = found[k + 1][0] if k + 1 < len(found) else len(name)
        prefix = name[previous_end:start]
        argument = name[end:following]
        if k > 0 and prefix:
            return None  # the previous function's argument takes everything up to here
        if prefix and (prefix[0].isdigit() or not _ARGUMENT.fullmatch(prefix)):
            return None
        if not _ARGUMENT.fullmatch(argument):
            return None
        pieces.append(((previous_end, prefix), (start, function), (end, argument)))
        previous_end = following
    return pieces


def _argument_units(text: str) -> list[str]:
    """``2xy`` → ``['2', 'x', 'y']``; ``pix`` → ``['pi', 'x']``.

    >>> _argument_units("2theta"), _argument_units("x_1y")
    (['2', 'theta'], ['x_1', 'y'])
    """
    return re.findall(_UNIT_TEXT, text)


def _shown_units(units: list[str]) -> str:
    """Units as a reader writes them: ``2πx``, ``2xy``, but ``theta·x``.

    >>> _shown_units(["2", "pi", "x"]), _shown_units(["theta", "x"])
    ('2πx', 'theta·x')
    """
    shown = ["π" if unit == "pi" else unit for unit in units]
    letters = [u for u in shown if not u.isdigit()]
    if all(len(u) == 1 or re.fullmatch(r"[A-Za-z]_?[0-9]+", u) for u in letters):
        return "".join(shown)
    return "".join(shown[: len(shown) - len(letters)]) + "·".join(letters)


def _product_tokens(tok: Token, units: list[str], following: Token | None) -> list[Token]:
    """``xy`` as one factor x·y, so ``e^xy`` is e^(x·y); before a power
    the letters stay apart, so ``xy^2`` is x·y²."""
    if following is not None and (
        following.kind == "sup" or (following.kind == "op" and following.text == "^")
    ):
        out = []
        pos = tok.pos
        for unit in units:
            out.append(Token("name", unit, pos))
            pos += len(unit)
        return out
    if len(units) == 1:
        return [Token("name", units[0], tok.pos, end=tok.stop)]
    return [Token("product", tok.text, tok.pos, tuple(units), end=tok.stop)]


def _function_prefix(name: str) -> str | None:
    best = None
    for fn in FUNCTIONS:
        if fn in _NO_PREFIX_HINT:
            continue
        if name.startswith(fn) and len(name) > len(fn) and (best is None or len(fn) > len(best)):
            best = fn
    return best


def _canonical(expr: sympy.Expr) -> sympy.Expr:
    """The expression rebuilt bottom-up until it no longer changes.

    sympy evaluates each node once, as it is built, so ``|-|x||`` stays
    ``Abs(Abs(x))`` although ``Abs(Abs(x))`` typed in is ``Abs(x)``. Rebuilding
    gives the form that printing and parsing again reproduces exactly.

    >>> x = symbol("x")
    >>> _canonical(sympy.Abs(-sympy.Abs(x)))
    Abs(x)
    """
    for _round in range(3):
        rebuilt = _rebuild(expr, {})
        if rebuilt == expr:
            return expr
        expr = rebuilt
    return expr


def _rebuild(node: Any, memo: dict[Any, Any]) -> Any:
    done = memo.get(node)
    if done is None:
        if node.is_Atom or not node.args:
            done = node
        elif node.func is sympy.exp:
            done = _exp(_rebuild(node.args[0], memo))
        elif node.is_Mul:
            done = _product([_rebuild(a, memo) for a in node.args])
        else:
            done = node.func(*(_rebuild(a, memo) for a in node.args))
        memo[node] = done
    return done


def _shorten(text: str, width: int = 40) -> str:
    """A long number or expression shown by its ends, for messages."""
    if len(text) <= width:
        return text
    return _("{start}…{end} ({length} characters)").format(
        start=text[: width // 2], end=text[-(width // 4) :], length=f"{len(text):,}"
    )


def _size(value: sympy.Expr) -> int:
    """Bits in an exact rational: numerator plus denominator."""
    if not value.is_Rational:
        return 0
    p, q = value.as_numer_denom()
    return int(abs(int(p))).bit_length() + int(q).bit_length()


__all__ = [
    "CONSTANTS",
    "FUNCTIONS",
    "GREEK",
    "Function",
    "parse_expression",
    "parse_function",
    "parse_point",
    "parse_vector",
    "reading_notes",
    "split_definition",
    "symbol",
    "variable_names",
]
