"""One analysis's context: the function, its derivatives, the box, the budget and
its shares, and the function compiled for numpy and mpmath."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import product
from typing import TYPE_CHECKING, Any

import sympy

from gradcli.derivatives import gradient_of, hessian_of
from gradcli.errors import InputError
from gradcli.i18n import _
from gradcli.numbers import exact, real_powers

if TYPE_CHECKING:
    from gradcli.critical.polynomial import Algebraic

#: share of the budget the symbolic solve may use
SOLVE_SHARE = 0.4
#: share of the budget the convexity proof may use
CONVEXITY_SHARE = 0.2
#: exact expressions beyond this many operations are handled with decimals
SMALL = 200

#: two points found numerically are the same when they differ by less than this
#: (relative to 1 + their size): Levenberg–Marquardt stops within ~1e-8 of a
#: simple root, and distinct critical points this close are not told apart
SAME_POINT = 1e-6

#: a complex value whose imaginary part is below this (relative) is real: numpy
#: evaluates ``x**(1/3)`` of a negative x as complex
_IMAGINARY_NOISE = 1e-12

# digits of an exact value converted to mpmath beyond the working precision
_GUARD_BITS = 20


def check_box(box: Any) -> tuple[Fraction, Fraction]:
    """The search box ``(lo, hi)`` as exact fractions, by the one number policy.

    A decimal bound is what it prints as (``0.1`` is 1/10); an irrational exact
    bound (``pi/2``) is its decimal to 30 digits.

    >>> check_box((0.1, 3))
    (Fraction(1, 10), Fraction(3, 1))
    """
    if isinstance(box, (str, bytes)):
        raise InputError(_("the box must be a pair of numbers (lo, hi), not a string"))
    try:
        lo_raw, hi_raw = box
    except (TypeError, ValueError):
        raise InputError(_("the box must be a pair of numbers (lo, hi)")) from None
    lo, hi = _bound(lo_raw), _bound(hi_raw)
    if not lo < hi:
        raise InputError(
            _("the box needs lo < hi, got [{lo}, {hi}]").format(
                lo=f"{float(lo):g}", hi=f"{float(hi):g}"
            )
        )
    return lo, hi


def _bound(value: Any) -> Fraction:
    if isinstance(value, (str, bytes)):
        raise InputError(_("a box bound must be a number, got {value}").format(value=repr(value)))
    number = exact(value, _("a box bound"))
    if not number.is_Rational:
        number = exact(sympy.Float(number.evalf(30), 30), _("a box bound"))
    return Fraction(int(number.p), int(number.q))


@dataclass
class Candidate:
    """A critical point before classification: exact, or certified numerically."""

    exact: tuple[sympy.Expr, ...] | None
    floats: tuple[float, ...]
    numeric: bool
    note: str = ""
    algebraic: Algebraic | None = None
    #: a numeric point to CERTIFY_DIGITS digits (mpmath numbers)
    refined: tuple[Any, ...] | None = None


@dataclass
class Context:
    """The function being analysed and what every step shares about it."""

    expr: sympy.Expr
    variables: tuple[sympy.Symbol, ...]
    lo: Fraction
    hi: Fraction
    seed: int
    budget: float
    deadline: float = float("inf")
    notes: list[str] = field(default_factory=list)
    #: the exact solver's points with algebraic coordinates
    algebraic: dict[tuple[sympy.Expr, ...], Algebraic] = field(default_factory=dict)
    #: the symbolic Hessian's principal minors, keyed by their rows (once computed)
    minors: dict[tuple[int, ...], sympy.Expr] | None = None
    #: the numeric search stopped for lack of time
    search_cut: bool = False
    _compiled: dict[str, Callable[..., Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.n = len(self.variables)
        self.gradient = gradient_of(self.expr, self.variables)
        self.matrix = hessian_of(self.expr, self.variables)

    @classmethod
    def start(
        cls,
        expr: sympy.Expr,
        variables: tuple[sympy.Symbol, ...],
        box: tuple[Fraction, Fraction],
        *,
        seed: int,
        budget: float,
    ) -> Context:
        """A context whose budget starts now."""
        return cls(expr, variables, *box, seed, budget, time.monotonic() + budget)

    # -- time ------------------------------------------------------------

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def share(self, fraction: float) -> float:
        """A deadline ``fraction`` of the whole budget from now (or the end)."""
        return min(self.deadline, time.monotonic() + fraction * self.budget)

    # -- the box ---------------------------------------------------------

    def in_box(self, point: Sequence[float], margin: float = 1e-9) -> bool:
        lo, hi = float(self.lo), float(self.hi)
        slack = margin * (hi - lo)
        return all(lo - slack <= v <= hi + slack for v in point)

    def box_text(self) -> str:
        power = "" if self.n == 1 else f"^{self.n}"
        return f"[{float(self.lo):g}, {float(self.hi):g}]{power}"

    def values(self, point: Sequence[sympy.Expr]) -> dict[sympy.Symbol, sympy.Expr]:
        return dict(zip(self.variables, point, strict=True))

    # -- compiled functions ------------------------------------------------

    def compiled(self, name: str) -> Callable[..., Any]:
        """f, ∇f or the Hessian compiled for ``numpy`` or ``mpmath``.

        ``name`` is ``gradient``/``hessian``/``f_numpy`` (numpy) or
        ``gradient_mpmath``/``hessian_mpmath``/``f_mpmath``.
        """
        if name not in self._compiled:
            what, _sep, library = name.partition("_")

            target: Any = {
                "gradient": list(self.gradient),
                "hessian": [list(row) for row in self.matrix],
                "f": self.expr,
            }[what]
            modules = library or "numpy"
            # an odd root of a negative number is real, as wherever values are taken
            target = (
                real_powers(target)
                if isinstance(target, sympy.Expr)
                else [
                    [real_powers(e) for e in row] if isinstance(row, list) else real_powers(row)
                    for row in target
                ]
            )
            self._compiled[name] = sympy.lambdify(self.variables, target, modules=modules)
        return self._compiled[name]

    def batch(self, name: str, points: Any, shape: tuple[int, ...]) -> Any:
        """Evaluate a numpy-compiled function at many points: shape + (m,) floats."""
        import numpy as np

        m = points.shape[0]
        with np.errstate(all="ignore"):
            try:
                raw = self.compiled(name)(*(points[:, i] for i in range(self.n)))
            except (TypeError, ValueError, ZeroDivisionError, OverflowError, NameError):
                return np.full((*shape, m), np.nan)
            out = np.empty((*shape, m))
            for index in product(*(range(k) for k in shape)):
                value: Any = raw
                for i in index:
                    value = value[i]
                out[index] = _real_array(value, m)
        return out


def _real_array(value: Any, m: int) -> Any:
    import numpy as np

    array = np.asarray(value)
    if np.iscomplexobj(array):
        noise = _IMAGINARY_NOISE * (1 + np.abs(array.real))
        array = np.where(np.abs(array.imag) <= noise, array.real, np.nan)
    try:
        return np.broadcast_to(array.astype(float), (m,))
    except (TypeError, ValueError):
        return np.full(m, np.nan)


def to_mp(value: sympy.Expr) -> Any:
    """An exact real number as an mpmath number at the working precision."""
    import mpmath

    digits = mpmath.mp.dps + 10
    return mpmath.re(value.evalf(digits)._to_mpmath(mpmath.mp.prec + _GUARD_BITS))


def distance(a: Sequence[float], b: Sequence[float]) -> float:
    """The largest coordinate difference of two points."""
    return max((abs(x - y) for x, y in zip(a, b)), default=0.0)


def close(a: Sequence[float], b: Sequence[float], extra: float = 0.0) -> bool:
    """Whether two points are the same point, up to :data:`SAME_POINT` (plus ``extra``)."""
    scale = 1 + max((abs(v) for v in (*a, *b)), default=0.0)
    return distance(a, b) <= SAME_POINT * scale + extra
