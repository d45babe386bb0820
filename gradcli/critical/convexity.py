"""Whether f is convex or concave: a constant Hessian classified exactly, a proof
from the signs of the principal minors, or exact counterexample points."""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from itertools import combinations, product
from typing import Any

import sympy

from gradcli.critical.context import CONVEXITY_SHARE, Context
from gradcli.critical.results import Convexity
from gradcli.derivatives import Matrix
from gradcli.errors import InputError
from gradcli.i18n import _
from gradcli.kinds import Definiteness
from gradcli.second_order import matrix_definiteness, within
from gradcli.tolerances import EIGENVALUE_ZERO_EXACT_POINT

__all__ = ["convexity", "defined_everywhere", "point_text", "proved"]

#: principal minors are proved symbolically only up to this many variables
_MAX_PROOF_SIZE = 4
#: counterexample candidates confirmed exactly, per kind
_CONFIRMED = 3
#: seconds one exact confirmation may take, at most and at least
_CONFIRM_SECONDS = (0.5, 0.05)

_VERDICT = {
    Definiteness.POSITIVE_DEFINITE: "strictly convex",
    Definiteness.POSITIVE_SEMIDEFINITE: "convex",
    Definiteness.NEGATIVE_DEFINITE: "strictly concave",
    Definiteness.NEGATIVE_SEMIDEFINITE: "concave",
    Definiteness.INDEFINITE: "neither",
    None: "unknown",
}

_HAS_NEGATIVE = {
    Definiteness.INDEFINITE,
    Definiteness.NEGATIVE_DEFINITE,
    Definiteness.NEGATIVE_SEMIDEFINITE,
}
_HAS_POSITIVE = {
    Definiteness.INDEFINITE,
    Definiteness.POSITIVE_DEFINITE,
    Definiteness.POSITIVE_SEMIDEFINITE,
}

#: functions that are finite and real for every real argument
_TOTAL = (
    sympy.exp,
    sympy.sin,
    sympy.cos,
    sympy.atan,
    sympy.sinh,
    sympy.cosh,
    sympy.tanh,
    sympy.asinh,
    sympy.Abs,
    sympy.sign,
    sympy.Max,
    sympy.Min,
    sympy.erf,
)


def convexity(ctx: Context) -> Convexity:
    """The convexity verdict, with its evidence."""
    matrix = ctx.matrix
    if all(not v.free_symbols for row in matrix for v in row):
        return _constant_hessian(ctx, matrix)
    end = ctx.share(CONVEXITY_SHARE)
    space = "ℝ" if ctx.n == 1 else f"ℝ^{ctx.n}"
    if defined_everywhere(ctx.expr):
        region = space
    else:
        region = _("{space} where f is defined").format(space=space)
    proof = _prove(matrix, ctx.n, end)
    if proof is not None:
        verdict, evidence = proof
        return Convexity(verdict, evidence.format(region=region))
    not_convex, not_concave, sampled = _counterexamples(ctx)
    if not_convex is not None and not_concave is not None:
        if not_convex == not_concave:
            evidence = _("the Hessian is indefinite at {point}").format(
                point=point_text(not_convex)
            )
        else:
            evidence = _(
                "the Hessian has a negative eigenvalue at {point} and a positive one at {other}"
            ).format(point=point_text(not_convex), other=point_text(not_concave))
        return Convexity("neither", evidence, not_convex, not_concave)
    if not_convex is not None:
        evidence = _(
            "not convex (the Hessian has a negative eigenvalue at {point}); concavity not decided"
        ).format(point=point_text(not_convex))
    elif not_concave is not None:
        evidence = _(
            "not concave (the Hessian has a positive eigenvalue at {point}); "
            "convexity not proved, though the Hessian is positive semidefinite at "
            "all {count} points sampled in the box {box}"
        ).format(point=point_text(not_concave), count=sampled, box=ctx.box_text())
    else:
        evidence = _("the Hessian could not be evaluated in the box; no proof found")
    return Convexity("unknown", evidence, not_convex, not_concave)


def _constant_hessian(ctx: Context, matrix: Matrix) -> Convexity:
    if all(v == 0 for row in matrix for v in row):
        return Convexity("convex", _("the Hessian is zero: f is affine, both convex and concave"))
    found = matrix_definiteness(matrix, time_budget=max(ctx.remaining(), 0.1))
    verdict = _VERDICT[found]
    shown = _matrix_text(matrix)
    evidence = (
        _("the definiteness of the constant Hessian {matrix} was not decided").format(matrix=shown)
        if found is None
        else _("the Hessian {matrix} is constant and {definiteness}").format(
            matrix=shown, definiteness=found.label
        )
    )
    witness = tuple(sympy.Integer(0) for _unused in ctx.variables) if verdict == "neither" else None
    return Convexity(verdict, evidence, not_convex_at=witness, not_concave_at=witness)


def _prove(matrix: Matrix, n: int, end: float) -> tuple[str, str] | None:
    """Prove the Hessian semidefinite everywhere from its principal minors."""
    if n > _MAX_PROOF_SIZE:
        return None
    m = sympy.Matrix(matrix)
    minors: dict[tuple[int, ...], sympy.Expr] = {}
    for k in range(1, n + 1):
        for rows in combinations(range(n), k):
            det = within(lambda rows=rows: _tidy(m.extract(list(rows), list(rows)).det()), end)
            if det is None:
                return None
            minors[rows] = det
    leading = [minors[tuple(range(k))] for k in range(1, n + 1)]
    for sign, name in ((1, "convex"), (-1, "concave")):
        # for -H the minors of order k change sign by (-1)**k
        def signed(rows: tuple[int, ...], sign: int = sign) -> sympy.Expr:
            return minors[rows] * (sign ** len(rows))

        # each evidence keeps a {region} field: ℝⁿ, or where f is defined
        if all(proved(signed(tuple(range(k))), "positive", end) for k in range(1, n + 1)):
            shown = ", ".join(str(d) for d in leading)
            if sign == 1:
                evidence = _(
                    "the leading principal minors of the Hessian ({minors}) are positive "
                    "everywhere: it is positive definite on {region}"
                )
            else:
                evidence = _(
                    "the leading principal minors of the Hessian ({minors}) are alternating "
                    "in sign everywhere: it is negative definite on {region}"
                )
            return f"strictly {name}", evidence.replace("{minors}", shown)
        if all(proved(signed(rows), "nonnegative", end) for rows in minors):
            shown = ", ".join(str(d) for d in minors.values())
            if sign == 1:
                evidence = _(
                    "the principal minors of the Hessian ({minors}) are nonnegative "
                    "everywhere: the Hessian is positive semidefinite on {region}"
                )
            else:
                evidence = _(
                    "the principal minors of the negated Hessian ({minors}) are nonnegative "
                    "everywhere: the Hessian is negative semidefinite on {region}"
                )
            return name, evidence.replace("{minors}", shown)

    return None


def _grid(ctx: Context) -> list[tuple[Fraction, ...]]:
    """Exact points of the box to look for counterexamples at, simplest first:
    a grid and random points in the whole box, and in two smaller boxes around
    its middle, where curvature often changes sign at a small scale."""
    import numpy as np

    n = ctx.n
    per_axis = {1: 41, 2: 9, 3: 5}.get(n, 3 if n <= 6 else 1)
    rng = np.random.default_rng(ctx.seed)
    middle, half = (ctx.lo + ctx.hi) / 2, (ctx.hi - ctx.lo) / 2
    grid: list[tuple[Fraction, ...]] = []
    for scale, randoms in ((Fraction(1), 64), (Fraction(1, 4), 32), (Fraction(1, 16), 0)):
        lo, hi = middle - half * scale, middle + half * scale
        if per_axis > 1:
            axis = [lo + (hi - lo) * Fraction(i, per_axis - 1) for i in range(per_axis)]
            grid.extend(product(axis, repeat=n))
        for _unused in range(randoms):
            ks = rng.integers(0, 17, size=n)
            grid.append(tuple(lo + (hi - lo) * Fraction(int(k), 16) for k in ks))
    grid = list(dict.fromkeys(grid))
    # simplest points first: the witness shown is then a small one
    grid.sort(key=lambda p: (max(abs(v) for v in p), sum(abs(v) for v in p)))
    return grid


def _counterexamples(
    ctx: Context,
) -> tuple[tuple[sympy.Expr, ...] | None, tuple[sympy.Expr, ...] | None, int]:
    """Exact points of the box where the Hessian is not PSD / not NSD (screened
    in floats, confirmed exactly), and how many points had a finite Hessian."""
    import numpy as np

    n = ctx.n
    grid = _grid(ctx)
    array = np.array([[float(v) for v in p] for p in grid])
    h = np.moveaxis(ctx.batch("hessian", array, (n, n)), -1, 0)
    defined = np.isfinite(ctx.batch("f_numpy", array, ()))
    finite = np.all(np.isfinite(h), axis=(1, 2)) & defined
    eig = np.full((len(grid), n), np.nan)
    if finite.any():
        eig[finite] = np.linalg.eigvalsh(h[finite])
    scale = np.nanmax(np.abs(eig), axis=1, initial=0.0)
    tol = EIGENVALUE_ZERO_EXACT_POINT * np.maximum(scale, 1.0)
    negative = finite & (eig[:, 0] < -tol)
    positive = finite & (eig[:, -1] > tol)
    sampled = int(finite.sum())

    def confirm(i: int, wanted: set[Definiteness]) -> tuple[sympy.Expr, ...] | None:
        point = tuple(sympy.Rational(v.numerator, v.denominator) for v in grid[i])
        values = ctx.values(point)
        at = [[entry.xreplace(values) for entry in row] for row in ctx.matrix]
        seconds = max(min(ctx.remaining(), _CONFIRM_SECONDS[0]), _CONFIRM_SECONDS[1])
        try:
            found = matrix_definiteness(at, time_budget=seconds)
        except InputError:
            return None
        return point if found in wanted else None

    for i in np.flatnonzero(negative & positive)[:_CONFIRMED]:
        witness = confirm(int(i), {Definiteness.INDEFINITE})
        if witness is not None:
            return witness, witness, sampled
    not_convex = next(
        (w for i in np.flatnonzero(negative)[:_CONFIRMED] if (w := confirm(int(i), _HAS_NEGATIVE))),
        None,
    )
    not_concave = next(
        (w for i in np.flatnonzero(positive)[:_CONFIRMED] if (w := confirm(int(i), _HAS_POSITIVE))),
        None,
    )
    return not_convex, not_concave, sampled


def defined_everywhere(expr: sympy.Expr) -> bool:
    """Whether ``expr`` is provably finite and real at every real point.

    >>> x = sympy.Symbol("x", real=True)
    >>> defined_everywhere(sympy.exp(x) + x**2), defined_everywhere(sympy.log(x))
    (True, False)
    """
    if expr.is_Atom:
        return bool(expr.is_Symbol or (expr.is_number and expr.is_finite and expr.is_real))
    if isinstance(expr, sympy.Pow):
        base, exponent = expr.args
        if not (defined_everywhere(base) and defined_everywhere(exponent)):
            return False
        if exponent.is_integer and exponent.is_nonnegative:
            return True
        return bool(base.is_positive)
    if isinstance(expr, (sympy.Add, sympy.Mul, *_TOTAL)):
        return all(defined_everywhere(arg) for arg in expr.args)
    if isinstance(expr, sympy.Piecewise):
        return all(defined_everywhere(e) for e, _ in expr.args)
    return False


def proved(value: sympy.Expr, wanted: str, end: float) -> bool:
    """Whether sympy proves ``value`` ``"positive"``/``"nonnegative"`` for all real values."""

    def attempt() -> bool:
        for form in (value, sympy.factor(value)):
            if wanted == "positive" and form.is_positive:
                return True
            if wanted == "nonnegative" and form.is_nonnegative:
                return True
        return False

    return bool(within(attempt, end))


def _tidy(value: sympy.Expr) -> sympy.Expr:
    return sympy.expand(value) if value.is_polynomial() else value


def _matrix_text(matrix: Matrix) -> str:
    return "[" + ", ".join("[" + ", ".join(str(v) for v in row) + "]" for row in matrix) + "]"


def point_text(point: Iterable[Any]) -> str:
    """A point in messages: ``(1, -1/2)``."""
    return "(" + ", ".join(str(v) for v in point) + ")"
