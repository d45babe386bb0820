"""Decimal answers, judged as a teacher means them, in exact decimal arithmetic.

A decimal answer (``8.60`` for √74) is compared with the exact value by one
:class:`DecimalRule`:

default
    the answer is the exact value **correctly rounded to the figures
    written** (half a unit in the last place written, a tie rounded away from
    zero), with at least 2 significant figures. A student who writes more
    figures than needed is right as long as every figure is: ``8.6023`` is
    right for √74 = 8.60232…, ``8.6024`` is not.
``sigfigs=N``
    the answer must be written with exactly N significant figures and be the
    exact value correctly rounded to them, as STACK's ``NumSigFigs`` test
    does: ``8.6`` and ``8.6023`` are both refused when 3 figures are asked
    (each says how many it has), ``8.60`` is right.
``tol`` / ``abs_tol``
    the answer is within the relative tolerance (of the exact value) or the
    absolute one; the boundary is inclusive. When the exact value is 0 a
    relative tolerance is taken as absolute.

Everything is decided with fractions: the decimal written is a fraction, a
rational exact value is one, and an irrational one is evaluated with enough
digits that its rounding cannot be wrong (it cannot sit on a tie). So
``1.05`` against 1 with ``tol=0.05`` is right, and ``0.0497`` is not 199/4000
to 3 figures while ``0.0498`` is.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from fractions import Fraction

import sympy

from gradcli.errors import InputError
from gradcli.i18n import _, language, ngettext
from gradcli.numbers import real_powers
from gradcli.printing import to_text

__all__ = [
    "DEFAULT_RULE",
    "DecimalRule",
    "approximate_text",
    "decimal_parts",
    "significant_figures",
    "tolerance",
    "whole_number",
]

#: fewest significant figures a decimal answer needs under the default rule
MIN_FIGURES = 2
#: decimal digits beyond the last place an irrational value is evaluated with
_GUARD_DIGITS = 30

_DECIMAL_LITERAL = re.compile(
    r"(?P<sign>[+\-−]?)\s*(?P<mantissa>\d+\.?\d*|\.\d+)(?P<exponent>[eE][+\-−]?\d+)?"
)
_APPROXIMATE = re.compile(r"\d\.|\.\d|\d[eE][+\-−]?\d")


def approximate_text(text: str) -> bool:
    """Whether ``text`` has a number with a decimal point or an exponent in it.

    >>> approximate_text("8.6"), approximate_text("1/3"), approximate_text("2e-3 x")
    (True, False, True)
    """
    return bool(_APPROXIMATE.search(text))


def decimal_parts(literal: str) -> tuple[Fraction, int, int] | None:
    """A decimal number's exact value, significant figures and last place's power of 10.

    ``None`` if ``literal`` is not one decimal number (a whole number such as
    ``9`` is exact, not a decimal).

    >>> decimal_parts("8.60")
    (Fraction(43, 5), 3, -2)
    >>> decimal_parts("-1.5e3")
    (Fraction(-1500, 1), 2, 2)
    """
    stripped = literal.strip()
    match = _DECIMAL_LITERAL.fullmatch(stripped)
    if not match or ("." not in stripped and "e" not in stripped.lower()):
        return None
    mantissa = match.group("mantissa")
    exponent_text = match.group("exponent")
    exponent = int(exponent_text[1:].replace("−", "-")) if exponent_text else 0
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    digits = mantissa.replace(".", "").lstrip("0")
    value = Fraction(mantissa) * Fraction(10) ** exponent
    if match.group("sign") in ("-", "−"):
        value = -value
    return value, max(len(digits), 1), exponent - decimals


_WHOLE = re.compile(r"[+\-−]?\s*\d+")


def whole_number(text: str) -> bool:
    """Whether ``text`` is a whole number as written (``1200``, ``-7``)."""
    return bool(_WHOLE.fullmatch(text.strip()))


def significant_figures(literal: str) -> int | None:
    """Significant figures written in a decimal number; ``None`` if it is not one.

    Leading zeros do not count; trailing zeros after the point do.

    >>> significant_figures("8.6"), significant_figures("8.60"), significant_figures("0.0050")
    (2, 3, 2)
    >>> significant_figures("9") is None
    True
    """
    parts = decimal_parts(literal)
    return None if parts is None else parts[1]


def tolerance(value: object, option: str) -> Fraction | None:
    """A tolerance as the exact fraction typed: ``"0.05"`` is 1/20, not a binary float.

    >>> tolerance("0.05", "--tol")
    Fraction(1, 20)
    """
    if value is None:
        return None
    try:
        if isinstance(value, float):
            if not math.isfinite(value):
                raise ValueError
            # the shortest decimal that reads back as this float: what was typed
            fraction = Fraction(repr(value))
        else:
            fraction = Fraction(str(value).strip())
    except (ValueError, ZeroDivisionError):
        raise InputError(
            _("{option} must be a number, not {value}").format(option=option, value=repr(value))
        ) from None
    if fraction < 0:
        raise InputError(
            _("{option} must not be negative, got {value}").format(option=option, value=value)
        )
    if fraction and not _TOLERANCE_RANGE[0] <= fraction <= _TOLERANCE_RANGE[1]:
        raise InputError(
            _("{option} must be between 1e-1000 and 1e1000, got {value}").format(
                option=option, value=value
            )
        )
    return fraction


#: tolerances beyond these are not tolerances (and would make numbers of
#: millions of digits)
_TOLERANCE_RANGE = (Fraction(1, 10**1000), Fraction(10**1000))


@dataclass(frozen=True)
class DecimalRule:
    """How a decimal answer is judged: by the figures written, exactly N figures, or a tolerance."""

    #: relative tolerance (of the exact value)
    tol: Fraction | None = None
    #: absolute tolerance
    abs_tol: Fraction | None = None
    #: the answer must give exactly this many significant figures
    sigfigs: int | None = None

    def __post_init__(self) -> None:
        if self.tol is not None and not 0 < self.tol < 1:
            raise InputError(
                _("--tol must be a relative tolerance between 0 and 1, got {value}").format(
                    value=f"{float(self.tol):g}"
                )
            )
        if self.sigfigs is not None and not 1 <= self.sigfigs <= 50:
            raise InputError(
                _("--sigfigs must be from 1 to 50, got {value}").format(value=self.sigfigs)
            )
        if self.sigfigs is not None and (self.tol is not None or self.abs_tol is not None):
            raise InputError(_("--sigfigs cannot be combined with --tol or --abs-tol"))

    @property
    def uses_tolerance(self) -> bool:
        return self.tol is not None or self.abs_tol is not None

    def judge(self, literal: str, exact: sympy.Expr) -> tuple[bool, str]:
        """Whether the decimal ``literal`` is right for the exact value, and which rule said so.

        >>> rule = DecimalRule()
        >>> rule.judge("8.60", sympy.sqrt(74))
        (True, 'correct to 3 significant figures')
        >>> rule.judge("8.61", sympy.sqrt(74))
        (False, '8.61 is not the exact value rounded to the 3 significant figures written')
        >>> DecimalRule(tol=Fraction(1, 20)).judge("1.05", sympy.S.One)
        (True, 'within the relative tolerance 0.05')
        """
        # the message is in the language spoken: a cached one must be in it too
        return _judge(self, literal.strip(), exact, language())

    def judge_whole(self, text: str, exact: sympy.Expr) -> tuple[bool, str]:
        """A whole number under ``sigfigs``: its trailing zeros may or may not be
        significant (1200 has 2 to 4 figures), as in STACK's NumSigFigs.

        >>> DecimalRule(sigfigs=2).judge_whole("1200", sympy.Integer(1234))
        (True, 'correct to 2 significant figures')
        """
        assert self.sigfigs is not None
        compact = text.strip().replace(" ", "").replace("−", "-")
        digits = compact.lstrip("+-").lstrip("0") or "0"
        fewest, most = max(len(digits.rstrip("0")), 1), len(digits)
        wanted = _figures(self.sigfigs)
        if not fewest <= self.sigfigs <= most:
            message = _("{answer} does not have {figures}")
            return False, message.format(answer=text.strip(), figures=wanted)
        magnitude = _magnitude(exact)
        if magnitude is None or magnitude == 0:
            return False, _("not the exact value")
        rounded = _rounded(exact, _log10(magnitude) - self.sigfigs + 1)
        given = Fraction(int(compact))
        if rounded != given:
            message = _("{answer} is not the exact value rounded to {figures}")
            return False, message.format(answer=text.strip(), figures=wanted)
        return True, _("correct to {figures}").format(figures=wanted)

    def judge_value(self, answer: sympy.Expr, exact: sympy.Expr) -> tuple[bool, str]:
        """A number that is not one decimal (``2*4.3``), by the tolerances only."""
        if not self.uses_tolerance:
            raise ValueError("judge_value needs a tolerance")
        given = _approximation(answer, 60)
        if given is None:
            return False, _("the answer is not a real number")
        return _within(self, to_text(answer), given, exact)


DEFAULT_RULE = DecimalRule()


@functools.lru_cache(maxsize=8192)
def _judge(rule: DecimalRule, literal: str, exact: sympy.Expr, lang: str) -> tuple[bool, str]:
    """:meth:`DecimalRule.judge`, its message in the language ``lang`` (spoken now)."""
    parts = decimal_parts(literal)
    if parts is None:
        raise InputError(_("{answer} is not a decimal number").format(answer=repr(literal)))
    given, figures, place = parts
    if rule.uses_tolerance:
        return _within(rule, literal, given, exact)
    if rule.sigfigs is not None and given == 0 and exact.is_zero:
        return True, _("the exact value is 0")
    if rule.sigfigs is not None and figures != rule.sigfigs:
        if figures < rule.sigfigs:
            message = _("{answer} has {figures}; give {wanted}")
        else:
            message = _("{answer} has {figures}: give exactly {wanted}")
        return False, message.format(
            answer=literal, figures=_figures(figures), wanted=_figures(rule.sigfigs)
        )
    if rule.sigfigs is not None:
        # N figures of the exact value, wherever the student's last figure is:
        # "1.0" is not 0.96 to 2 figures, and "0." is no figure of 0.3 at all
        magnitude = _magnitude(exact)
        if magnitude is None:
            return False, _("the exact value is not a real number")
        if magnitude == 0:
            return False, _("{answer} is not 0, the exact value").format(answer=literal)
        place = _log10(magnitude) - rule.sigfigs + 1
    rounded = _rounded(exact, place)
    if rounded is None:
        return False, _("the exact value is not a real number")
    if given != rounded:
        message = _("{answer} is not the exact value rounded to the {figures} written")
        return False, message.format(answer=literal, figures=_figures(figures))
    if rule.sigfigs is None and figures < MIN_FIGURES:
        message = _("{answer} has too few significant figures: give at least {count}")
        return False, message.format(answer=literal, count=MIN_FIGURES)
    return True, _("correct to {figures}").format(figures=_figures(figures))


def _within(
    rule: DecimalRule, literal: str, given: Fraction, exact: sympy.Expr
) -> tuple[bool, str]:
    """The tolerance rule: |answer − value| ≤ tol·|value| or ≤ abs_tol, inclusive."""
    # each bound and which tolerance it is: "relative", "zero" (relative, taken
    # as absolute because the value is 0) or "absolute"
    bounds: list[tuple[Fraction, str]] = []
    value_magnitude = _magnitude(exact)
    if value_magnitude is None:
        return False, _("the exact value is not a real number")
    if rule.tol is not None:
        if exact.is_zero:
            bounds.append((rule.tol, "zero"))
        else:
            bounds.append((rule.tol * value_magnitude, "relative"))
    if rule.abs_tol is not None:
        bounds.append((rule.abs_tol, "absolute"))
    digits = _digits_for(max(b for b, _kind in bounds), exact)
    error = _error(given, exact, digits)
    if error is None:
        return False, _("the exact value is not a real number")
    tol = _shown(rule.tol) if rule.tol is not None else ""
    abs_tol = _shown(rule.abs_tol) if rule.abs_tol is not None else ""
    for bound, kind in bounds:
        if error <= bound:
            if kind == "zero":
                message = _("within the tolerance {tolerance} (absolute, the value is 0)")
            elif kind == "relative":
                message = _("within the relative tolerance {tolerance}")
            else:
                message = _("within the absolute tolerance {tolerance}")
                tol = abs_tol
            return True, message.format(tolerance=tol)
    kinds = [kind for _bound, kind in bounds]
    if kinds == ["zero", "absolute"]:
        message = _(
            "{answer} is not within the tolerance {tolerance} (absolute, the value is 0) "
            "or the absolute tolerance {absolute}"
        )
    elif kinds == ["relative", "absolute"]:
        message = _(
            "{answer} is not within the relative tolerance {tolerance} "
            "or the absolute tolerance {absolute}"
        )
    elif kinds == ["zero"]:
        message = _("{answer} is not within the tolerance {tolerance} (absolute, the value is 0)")
    elif kinds == ["relative"]:
        message = _("{answer} is not within the relative tolerance {tolerance}")
    else:
        message = _("{answer} is not within the absolute tolerance {absolute}")
    return False, message.format(answer=literal, tolerance=tol, absolute=abs_tol)


def _exact_fraction(exact: sympy.Expr) -> Fraction | None:
    if exact.is_Rational:
        return Fraction(int(exact.p), int(exact.q))
    return None


@functools.lru_cache(maxsize=4096)
def _approximation(exact: sympy.Expr, digits: int) -> Fraction | None:
    """``exact`` to ``digits`` significant digits, as a fraction; ``None`` if not real."""
    known = _exact_fraction(exact)
    if known is not None:
        return known
    try:
        value = real_powers(exact).evalf(digits)
    except (TypeError, ValueError, ArithmeticError, RecursionError):
        return None
    if not isinstance(value, sympy.Float) or not value.is_finite:
        return None
    rational = sympy.Rational(value)
    return Fraction(int(rational.p), int(rational.q))


def _magnitude(exact: sympy.Expr) -> Fraction | None:
    value = _approximation(exact, 60)
    return None if value is None else abs(value)


def _digits_for(scale: Fraction, exact: sympy.Expr) -> int:
    """Digits that resolve ``exact`` well below ``scale``."""
    magnitude = _magnitude(exact) or Fraction(1)
    lead = _log10(magnitude) if magnitude else 0
    below = -_log10(scale) if scale else 0
    return max(30, lead + below + _GUARD_DIGITS)


def _log10(value: Fraction) -> int:
    """⌊log₁₀ value⌋ of a positive fraction, exactly (floats underflow below 1e-308)."""
    if value <= 0:
        return 0
    numerator, denominator = value.numerator, value.denominator
    power = len(str(numerator)) - len(str(denominator))
    # 10^power ≤ value < 10^(power+1), after at most one step down
    if Fraction(10) ** power > value:
        power -= 1
    return power


def _error(given: Fraction, exact: sympy.Expr, digits: int) -> Fraction | None:
    value = _approximation(exact, digits)
    return None if value is None else abs(given - value)


def _rounded(exact: sympy.Expr, place: int) -> Fraction | None:
    """``exact`` rounded to a multiple of 10^place, a tie away from zero."""
    magnitude = _magnitude(exact)
    if magnitude is None:
        return None
    lead = _log10(magnitude) if magnitude else place
    value = _approximation(exact, max(30, lead - place + _GUARD_DIGITS))
    if value is None:
        return None
    unit = Fraction(10) ** place
    steps = math.floor(abs(value) / unit + Fraction(1, 2))
    return (steps * unit) * (1 if value >= 0 else -1)


def _figures(n: int) -> str:
    """``n`` significant figures, in words: a noun phrase that messages put in a sentence."""
    return ngettext("{count} significant figure", "{count} significant figures", n).format(count=n)


def _shown(value: Fraction) -> str:
    """A tolerance as it was typed: 0.05, 1e-06 (any size: not through a float)."""
    if value and not Fraction(10) ** -300 < value < Fraction(10) ** 300:
        exponent = _log10(value)
        return f"{float(value / Fraction(10) ** exponent):g}e{exponent:+d}"
    return f"{float(value):g}"
