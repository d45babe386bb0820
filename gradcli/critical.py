"""Critical points of a scalar function: where ∇f = 0, and what each one is.

The gradient is solved symbolically within a time budget. When sympy fails,
runs out of time, or the function is not polynomial (so its solution may be
incomplete), a numeric search runs as well: Levenberg–Marquardt on ∇f from a
grid and seeded random starts in a box. Numeric points that turn out to be
simple exact numbers (rationals, rational multiples of π, square roots) are
checked exactly and promoted; the rest are marked numeric, with the tolerance
their gradient met.

Each point is classified by the second-derivative test; where the test is
inconclusive, f is sampled on small spheres around the point. Infinitely many
critical points (a line, a curve, all of ℝⁿ) are described by equations rather
than sampled. The convexity verdict and the global extrema come with their
evidence.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations, product
from typing import Any

import sympy

from gradcli.derivatives import gradient_of, hessian_of
from gradcli.errors import BudgetExceeded, InputError, UndefinedError
from gradcli.numbers import value_at
from gradcli.second_order import (
    INDEFINITE,
    NEGATIVE_DEFINITE,
    NEGATIVE_SEMIDEFINITE,
    OUT_OF_TIME,
    POSITIVE_DEFINITE,
    POSITIVE_SEMIDEFINITE,
    Matrix,
    _exact_sign,
    bounded,
    check_expr,
    check_variables,
    matrix_definiteness,
    sylvester,
)
from gradcli.second_order import analyse as _analyse
from gradcli.second_order import within as _bounded

LOCAL_MIN = "local min"
LOCAL_MAX = "local max"
SADDLE = "saddle"
DEGENERATE = "degenerate"

#: a numeric point is kept when every component of its gradient is below this
NUMERIC_TOLERANCE = 1e-8

# exact expressions beyond this many operations are handled with decimals
_SMALL = 200
# share of the budget the symbolic solve may use
_SOLVE_SHARE = 0.4
# share of the budget the convexity proof may use
_CONVEXITY_SHARE = 0.2
# numeric points with a singular Hessian beyond this count are a continuum
_CONTINUUM = 12
# principal minors are proved symbolically only up to this many variables
_MAX_PROOF_SIZE = 4


@dataclass(frozen=True)
class CriticalPoint:
    """One isolated critical point and its classification.

    ``kind`` is ``"local min"``, ``"local max"``, ``"saddle"`` or
    ``"degenerate"`` (second-derivative test inconclusive); for a degenerate
    point ``higher_order`` is what sampling f around it showed: ``"minimum"``,
    ``"maximum"``, ``"neither"``, ``"flat"``, or ``None`` if not checked.
    ``point`` and ``value`` are exact (possibly long: ``CRootOf`` expressions
    for roots not expressible in radicals), or ``None`` for numeric points.
    ``tolerance`` bounds |∂f/∂xᵢ| at a numeric point; it is ``None`` for exact
    ones.
    """

    point: tuple[sympy.Expr, ...] | None
    point_float: tuple[float, ...]
    kind: str
    value: sympy.Expr | None
    value_float: float
    numeric: bool
    tolerance: float | None
    eigenvalues_float: tuple[float, ...]
    note: str = ""
    higher_order: str | None = None


@dataclass(frozen=True)
class CriticalSet:
    """Infinitely many critical points, described by equations.

    ``equations`` hold on the set (``Eq(x, y)`` for the line x = y); an empty
    tuple with ``numeric=False`` means every point of ℝⁿ (a constant f), and
    with ``numeric=True`` a continuum the numeric search found but could not
    describe. ``dimension`` is the number of free coordinates. ``kind`` is
    ``"local min"``/``"local max"`` (non-strict: f is constant along the set),
    ``"saddle"``, or ``"degenerate"`` when it differs along the set or f is
    flat. ``samples`` are a few points of the set.
    """

    equations: tuple[sympy.Basic, ...]
    dimension: int
    kind: str
    value: sympy.Expr | None
    value_float: float | None
    numeric: bool
    samples: tuple[tuple[float, ...], ...]
    note: str = ""


@dataclass(frozen=True)
class Convexity:
    """Whether f is convex, with the evidence.

    ``verdict`` is ``"strictly convex"``, ``"convex"``, ``"strictly concave"``,
    ``"concave"``, ``"neither"`` or ``"unknown"``. A proof holds on all of ℝⁿ
    (where f is defined); ``not_convex_at``/``not_concave_at`` are exact points
    where the Hessian has a negative/positive eigenvalue (the same point when
    it is indefinite there).
    """

    verdict: str
    evidence: str
    not_convex_at: tuple[sympy.Expr, ...] | None = None
    not_concave_at: tuple[sympy.Expr, ...] | None = None


@dataclass(frozen=True)
class GlobalExtremum:
    """The global minimum or maximum, when it can be told.

    ``status`` is ``"found"`` (``points``/``sets`` are where it is attained),
    ``"none"`` (provably not attained: unbounded, or no critical point), or
    ``"unknown"``; ``reason`` says why in one line.
    """

    kind: str
    status: str
    points: tuple[CriticalPoint, ...]
    sets: tuple[CriticalSet, ...]
    value: sympy.Expr | None
    value_float: float | None
    reason: str


@dataclass(frozen=True)
class CriticalAnalysis:
    """The critical points of f, its convexity and its global extrema.

    ``method`` is ``"symbolic"`` (sympy solved ∇f = 0), ``"numeric"`` (the
    symbolic solve failed; points come from the numeric search) or ``"mixed"``.
    ``complete`` is true when the points and sets are provably all critical
    points on ℝⁿ; otherwise the numeric search covered only ``box`` (in every
    coordinate).
    """

    variables: tuple[sympy.Symbol, ...]
    points: tuple[CriticalPoint, ...]
    sets: tuple[CriticalSet, ...]
    convexity: Convexity
    global_min: GlobalExtremum
    global_max: GlobalExtremum
    method: str
    complete: bool
    box: tuple[float, float]
    notes: tuple[str, ...] = ()


def critical_points(
    expr: sympy.Expr,
    variables: Sequence[sympy.Symbol],
    *,
    box: tuple[Any, Any] = (-10, 10),
    time_budget: float = 5.0,
    seed: int = 0,
) -> CriticalAnalysis:
    """Find and classify the critical points of ``expr``.

    Parameters
    ----------
    expr : sympy.Expr
        A real scalar function of ``variables`` with no other symbols.
    variables : sequence of sympy.Symbol
        The variables, in order.
    box : (lo, hi)
        The region ``[lo, hi]ⁿ`` the numeric search (and the convexity
        counterexample search) covers.
    time_budget : float
        Seconds for the whole analysis; the symbolic solve gets 40 % of it.
    seed : int
        Seed of the random starts: the same seed gives the same answer.

    Raises
    ------
    InputError
        Bad ``expr``, ``variables``, ``box`` or budget; or ``expr`` has
        parameters (symbols that are not variables).
    BudgetExceeded
        Neither the symbolic solve nor the numeric search got anywhere within
        ``time_budget`` (a partial answer is returned, with a note, instead
        whenever there is one).

    Examples
    --------
    >>> x, y = sympy.symbols("x y", real=True)
    >>> result = critical_points(x**2 + y**2 + x*y, (x, y))
    >>> [(p.point, p.kind) for p in result.points]
    [((0, 0), 'local min')]
    >>> result.convexity.verdict, result.global_min.status
    ('strictly convex', 'found')
    """
    variables = check_variables(variables)
    expr = check_expr(expr)
    extra = expr.free_symbols - set(variables)
    if extra:
        names = ", ".join(sorted(str(s) for s in extra))
        raise InputError(
            f"f has parameters ({names}): give them values to find its critical points"
        )
    if expr.has(sympy.I):
        raise InputError("f must be real-valued")
    if not isinstance(time_budget, (int, float)) or not time_budget > 0:
        raise InputError(f"the time budget must be positive, got {time_budget!r}")
    lo, hi = _check_box(box)
    deadline = time.monotonic() + time_budget
    work = _Work(expr, variables, lo, hi, seed, deadline, time_budget)
    return work.run()


# ---------------------------------------------------------------------------
# input


def _check_box(box: Any) -> tuple[Fraction, Fraction]:
    if isinstance(box, (str, bytes)):
        raise InputError("the box must be a pair of numbers (lo, hi), not a string")
    try:
        lo_raw, hi_raw = box
    except (TypeError, ValueError):
        raise InputError("the box must be a pair of numbers (lo, hi)") from None
    lo, hi = _fraction(lo_raw), _fraction(hi_raw)
    if not lo < hi:
        raise InputError(f"the box needs lo < hi, got [{float(lo):g}, {float(hi):g}]")
    return lo, hi


def _fraction(value: Any) -> Fraction:
    if isinstance(value, (bool, str, bytes)):
        raise InputError(f"a box bound must be a number, got {value!r}")
    if isinstance(value, sympy.Rational):
        return Fraction(int(value.p), int(value.q))
    if isinstance(value, sympy.Float):
        value = float(value)
    if isinstance(value, (int, Fraction)):
        return Fraction(value)
    if isinstance(value, float) and math.isfinite(value):
        return Fraction(value).limit_denominator(10**6)
    raise InputError(f"a box bound must be a finite number, got {value!r}")


# ---------------------------------------------------------------------------
# the analysis


@dataclass
class _Candidate:
    """A point before classification."""

    exact: tuple[sympy.Expr, ...] | None
    floats: tuple[float, ...]
    numeric: bool
    note: str = ""
    algebraic: _Algebraic | None = None


@dataclass(frozen=True)
class _Algebraic:
    """A point whose coordinates are polynomials in one real algebraic number.

    ``substitution`` gives each variable as a polynomial in ``poly.gen``; an
    expression polynomial in the variables is reduced modulo the irreducible
    ``poly`` and evaluated at ``root``: the reduced form is zero exactly when
    the value is zero, which makes exact signs cheap.
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
        u = self.poly.gen
        at = {u: self.root}
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


class _Work:
    """One analysis: the function, its derivatives and compiled versions."""

    def __init__(
        self,
        expr: sympy.Expr,
        variables: tuple[sympy.Symbol, ...],
        lo: Fraction,
        hi: Fraction,
        seed: int,
        deadline: float,
        budget: float,
    ) -> None:
        self.expr = expr
        self.variables = variables
        self.n = len(variables)
        self.lo, self.hi = lo, hi
        self.seed = seed
        self.deadline = deadline
        self.budget = budget
        self.gradient, self.matrix = gradient_of(expr, variables), hessian_of(expr, variables)
        self.notes: list[str] = []
        self._compiled: dict[str, Callable[..., Any]] = {}
        self._algebraic: dict[tuple[sympy.Expr, ...], _Algebraic] = {}
        self._minors: dict[tuple[int, ...], sympy.Expr] | None = None
        self._search_cut = False

    # -- compiled functions ------------------------------------------------

    def compiled(self, name: str) -> Callable[..., Any]:
        if name not in self._compiled:
            if name == "gradient":
                target: Any = list(self.gradient)
                modules = "numpy"
            elif name == "hessian":
                target = [list(row) for row in self.matrix]
                modules = "numpy"
            elif name == "f_numpy":
                target = self.expr
                modules = "numpy"
            else:
                target = self.expr
                modules = "mpmath"
            self._compiled[name] = sympy.lambdify(self.variables, target, modules=modules)
        return self._compiled[name]

    def batch(self, name: str, points: Any, shape: tuple[int, ...]) -> Any:
        """Evaluate a compiled function at many points: shape + (m,) floats."""
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

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def share(self, fraction: float) -> float:
        """A deadline ``fraction`` of the whole budget from now (or the end)."""
        return min(self.deadline, time.monotonic() + fraction * self.budget)

    # -- the pipeline ------------------------------------------------------

    def run(self) -> CriticalAnalysis:
        if all(g.is_zero for g in self.gradient):
            return self._constant()
        if any(
            e.has(sympy.DiracDelta, sympy.Derivative, sympy.Subs) for r in self.matrix for e in r
        ):
            self.notes.append(
                "f is not twice differentiable everywhere: points where it is not "
                "differentiable are not found"
            )
        rational = all(g.is_rational_function(*self.variables) for g in self.gradient)
        status, solutions = self._solve(rational)
        exact: list[_Candidate] = []
        sets: list[CriticalSet] = []
        for solution in solutions:
            if set(solution) >= set(self.variables) and not any(
                solution[v].free_symbols & set(self.variables) for v in self.variables
            ):
                point = tuple(solution[v] for v in self.variables)
                candidate = self._exact_candidate(point)
                if candidate is not None:
                    candidate.algebraic = self._algebraic.get(point)
                    exact.append(candidate)
            else:
                found = self._describe_set(solution)
                if found is not None:
                    sets.append(found)
        complete = status == "complete"
        if not rational and status == "ok":
            inside = [c for c in exact if self._in_box(c.floats)]
            if len(inside) < len(exact):
                self.notes.append(
                    f"sympy also found {len(exact) - len(inside)} critical point(s) outside the box"
                )
            exact = inside
            self.notes.append(
                "f is not polynomial: sympy's solution may be incomplete, so the box "
                f"{self._box_text()} was also searched numerically; there may be critical "
                "points outside it"
            )
        from_solve = bool(exact or sets)
        numeric: list[_Candidate] = []
        if not complete:
            numeric = self._numeric_candidates(exact, sets)
        if self._search_cut and not (exact or sets or numeric):
            raise BudgetExceeded(
                f"the critical point search ran out of its {self.budget:g} s budget before "
                "finding anything (raise the budget)"
            )
        numeric, continuum = self._continuum(numeric)
        sets.extend(continuum)
        searched = bool(numeric or continuum)
        candidates = exact + numeric
        points = self._classify_all(candidates)
        points.sort(key=lambda p: p.point_float)
        convexity = self._convexity()
        global_min = self._global("minimum", points, sets, convexity, complete)
        global_max = self._global("maximum", points, sets, convexity, complete)
        if searched:
            method = "mixed" if from_solve else "numeric"
        else:
            method = "symbolic" if from_solve or complete else "numeric"
        return CriticalAnalysis(
            variables=self.variables,
            points=tuple(points),
            sets=tuple(sets),
            convexity=convexity,
            global_min=global_min,
            global_max=global_max,
            method=method,
            complete=complete,
            box=(float(self.lo), float(self.hi)),
            notes=tuple(self.notes),
        )

    def _box_text(self) -> str:
        return f"[{float(self.lo):g}, {float(self.hi):g}]" + ("" if self.n == 1 else f"^{self.n}")

    def _in_box(self, point: Sequence[float], margin: float = 1e-9) -> bool:
        lo, hi = float(self.lo), float(self.hi)
        slack = margin * (hi - lo)
        return all(lo - slack <= v <= hi + slack for v in point)

    # -- constant function ---------------------------------------------------

    def _constant(self) -> CriticalAnalysis:
        value = self.expr
        everything = CriticalSet(
            equations=(),
            dimension=self.n,
            kind=DEGENERATE,
            value=value,
            value_float=_to_float(value),
            numeric=False,
            samples=((0.0,) * self.n,),
            note="f is constant: every point is critical, each both a (non-strict) "
            "local minimum and maximum",
        )
        convexity = Convexity("convex", "f is constant: both convex and concave")
        extremum = {
            kind: GlobalExtremum(
                kind, "found", (), (everything,), value, _to_float(value), "f is constant"
            )
            for kind in ("minimum", "maximum")
        }
        return CriticalAnalysis(
            variables=self.variables,
            points=(),
            sets=(everything,),
            convexity=convexity,
            global_min=extremum["minimum"],
            global_max=extremum["maximum"],
            method="symbolic",
            complete=True,
            box=(float(self.lo), float(self.hi)),
            notes=(),
        )

    # -- symbolic solve ------------------------------------------------------

    def _solve(self, rational: bool) -> tuple[str, list[dict[sympy.Symbol, sympy.Expr]]]:
        """Solve ∇f = 0: a status and the solutions as dicts.

        ``"complete"``: every real solution, exactly (a zero-dimensional
        polynomial system); ``"ok"``: what sympy's ``solve`` found, which may
        miss some; ``"timeout"`` or ``"failed"``: nothing.
        """
        end = self.share(_SOLVE_SHARE)
        if rational and not any(g.has(sympy.Float) for g in self.gradient):
            found = self._solve_polynomial(end)
            if found is OUT_OF_TIME:
                return "timeout", []
            if found is not None:
                return "complete", [dict(zip(self.variables, p, strict=True)) for p in found]

        def solve() -> Any:
            return sympy.solve(list(self.gradient), list(self.variables), dict=True)

        try:
            result = bounded(solve, end)
        except Exception as error:  # noqa: BLE001 - sympy raises many kinds; the numeric search follows
            self.notes.append(f"sympy could not solve ∇f = 0 ({type(error).__name__})")
            return "failed", []
        if result is OUT_OF_TIME:
            self.notes.append(
                f"the symbolic solve ran out of its {_SOLVE_SHARE * self.budget:g} s budget"
            )
            return "timeout", []
        if not isinstance(result, list) or not all(isinstance(s, dict) for s in result):
            self.notes.append("sympy gave no usable solution of ∇f = 0")
            return "failed", []
        if rational and all(_is_linear(g, self.variables) for g in self.gradient):
            # a linear system: sympy's general solution is every solution
            return "complete", result
        return "ok", result

    def _solve_polynomial(self, end: float) -> Any:
        """All real solutions of a polynomial ∇f = 0, or ``None`` if there are
        infinitely many (or the algebra fails), or :data:`OUT_OF_TIME`."""
        numerators = []
        denominators = []
        for g in self.gradient:
            numerator, denominator = sympy.together(g).as_numer_denom()
            numerators.append(sympy.expand(numerator))
            denominators.append(denominator)
        try:
            found = bounded(
                lambda: _real_solutions(numerators, self.variables, self.seed),
                end,
            )
        except Exception as error:  # noqa: BLE001 - sympy's algebra raises many kinds
            self.notes.append(f"the exact polynomial solver failed ({type(error).__name__})")
            return None
        if found is OUT_OF_TIME:
            self.notes.append(
                f"the symbolic solve ran out of its {_SOLVE_SHARE * self.budget:g} s budget"
            )
            return OUT_OF_TIME
        if found is None:
            return None
        result = []
        for point, algebraic in found:
            if algebraic is not None:
                self._algebraic[point] = algebraic
                if all(algebraic.value(d) not in (0, sympy.nan) for d in denominators):
                    result.append(point)
                continue
            values = dict(zip(self.variables, point, strict=True))
            if all(
                _exact_sign(d.xreplace(values), self.deadline) not in (0, None)
                for d in denominators
            ):
                result.append(point)
        return result

    def _exact_candidate(self, point: tuple[sympy.Expr, ...]) -> _Candidate | None:
        """The solution as a real point, or ``None`` if it is not real."""
        floats = []
        for value in point:
            if value.is_extended_real is False or value.has(sympy.zoo, sympy.nan, sympy.oo):
                return None
            # a point already found is worth a moment even past the deadline
            approx = _bounded(
                lambda value=value: value.evalf(30).as_real_imag(), time.monotonic() + 1.0
            )
            if approx is None:
                return None
            real, imag = approx
            if not (real.is_number and imag.is_number) or abs(imag) > 1e-20 * (1 + abs(real)):
                return None
            floats.append(float(real))
        return _Candidate(point, tuple(floats), numeric=False)

    def _describe_set(self, solution: dict[sympy.Symbol, sympy.Expr]) -> CriticalSet | None:
        """A parametric solution as equations, classified by sampling."""
        free = [v for v in self.variables if v not in solution]
        equations = tuple(sympy.Eq(v, solution[v]) for v in self.variables if v in solution)
        samples: list[tuple[sympy.Expr, ...]] = []
        for values in _set_parameters(len(free), self.lo, self.hi):
            if len(samples) == 3 or self.remaining() <= 0:
                break
            assignment = dict(zip(free, values, strict=True))
            point = tuple(
                assignment[v] if v in assignment else solution[v].xreplace(assignment)
                for v in self.variables
            )
            candidate = self._exact_candidate(point)
            if candidate is not None:
                samples.append(point)
        if not samples:
            return None
        on_set = self.expr.xreplace(solution)
        value = _bounded(lambda: sympy.simplify(on_set), self.share(0.05))
        if value is None or value.free_symbols & set(self.variables):
            value = None
        verdicts = [self._neighbourhood(point, exact=True) for point in samples]
        kind, note = _set_kind(verdicts)
        shown = ", ".join(f"{eq.lhs} = {eq.rhs}" for eq in equations)
        if value is not None:
            note = f"f = {value} on {shown}; {note}"
        return CriticalSet(
            equations=equations,
            dimension=len(free),
            kind=kind,
            value=value,
            value_float=None if value is None else _to_float(value),
            numeric=False,
            samples=tuple(tuple(_to_float(v) for v in p) for p in samples),
            note=note,
        )

    # -- numeric search ------------------------------------------------------

    def _numeric_candidates(
        self, exact: list[_Candidate], sets: list[CriticalSet]
    ) -> list[_Candidate]:
        found = self._newton()
        result: list[_Candidate] = []
        for floats in found:
            if any(_close(floats, c.floats) for c in exact + result):
                continue
            if any(self._on_set(floats, s) for s in sets):
                continue
            result.append(self._recognise(floats))
        return result

    def _newton(self) -> list[tuple[float, ...]]:
        """Levenberg–Marquardt on ∇f from many starts; converged distinct points."""
        import numpy as np

        with np.errstate(all="ignore"):  # overflow far out is expected, and discarded
            return self._levenberg_marquardt()

    def _levenberg_marquardt(self) -> list[tuple[float, ...]]:
        import numpy as np

        n = self.n
        lo, hi = float(self.lo), float(self.hi)
        rng = np.random.default_rng(self.seed)
        per_axis = int(200 ** (1 / n)) if n <= 7 else 1
        parts = []
        if per_axis >= 2:
            axis = lo + (hi - lo) * (np.arange(per_axis) + 0.5) / per_axis
            parts.append(np.array(list(product(axis, repeat=n)), dtype=float))
        parts.append(rng.uniform(lo, hi, size=(100, n)))
        x = np.concatenate(parts)
        m = x.shape[0]
        far = 100 * max(abs(lo), abs(hi), 1.0)
        g = self.batch("gradient", x, (n,)).T
        residual = np.sum(g * g, axis=1)
        alive = np.isfinite(residual)
        residual[~alive] = np.inf
        damping = np.full(m, 1e-4)
        step = np.full(m, np.inf)
        eye = np.eye(n)
        for _ in range(300):
            if self.remaining() <= 0.3 * self.budget:
                self.notes.append("the numeric search stopped early: out of time")
                self._search_cut = True
                break
            active = alive & (residual > 0) & (step > 1e-15 * (1 + np.abs(x).max(axis=1)))
            active &= damping < 1e12
            if not active.any():
                break
            xa, ga = x[active], g[active]
            h = np.moveaxis(self.batch("hessian", xa, (n, n)), -1, 0)
            ok = np.all(np.isfinite(h), axis=(1, 2))
            h[~ok] = 0.0
            normal = h @ h
            scale = np.trace(normal, axis1=1, axis2=2) / n + 1e-300
            lhs = normal + (damping[active] * scale)[:, None, None] * eye
            rhs = -(h @ ga[:, :, None])[:, :, 0]
            try:
                delta = np.linalg.solve(lhs, rhs[:, :, None])[:, :, 0]
            except np.linalg.LinAlgError:
                delta = np.stack([np.linalg.lstsq(a, b, rcond=None)[0] for a, b in zip(lhs, rhs)])
            trial = xa + delta
            gt = self.batch("gradient", trial, (n,)).T
            rt = np.sum(gt * gt, axis=1)
            better = (
                ok & np.isfinite(rt) & (rt <= residual[active]) & np.all(np.isfinite(trial), axis=1)
            )
            index = np.flatnonzero(active)
            won, lost = index[better], index[~better]
            x[won], g[won], residual[won] = trial[better], gt[better], rt[better]
            step[won] = np.abs(delta[better]).max(axis=1)
            damping[won] = np.maximum(damping[won] / 10, 1e-15)
            damping[lost] *= 10
            alive &= np.abs(x).max(axis=1) < far
        converged = alive & (np.sqrt(residual) <= NUMERIC_TOLERANCE)
        order = np.flatnonzero(converged)
        order = order[np.argsort(residual[order], kind="stable")]
        kept: list[tuple[tuple[float, ...], float]] = []
        for i in order:
            point = tuple(float(v) for v in x[i])
            if not self._in_box(point):
                continue
            radius = 20 * (step[i] if np.isfinite(step[i]) else 0.0)
            if any(_close(point, other, radius + r) for other, r in kept):
                continue
            kept.append((point, radius))
        return [point for point, _ in kept]

    def _on_set(self, point: tuple[float, ...], found: CriticalSet) -> bool:
        if found.numeric or not found.equations:
            return False
        values = {v: sympy.Float(c) for v, c in zip(self.variables, point, strict=True)}
        for eq in found.equations:
            try:
                gap = complex((eq.lhs - eq.rhs).xreplace(values).evalf(20))
            except (TypeError, ValueError):
                return False
            if not abs(gap) <= 1e-6 * (1 + max(abs(v) for v in point)):
                return False
        return True

    def _recognise(self, floats: tuple[float, ...]) -> _Candidate:
        """Promote a numeric point to exact if simple exact values check out."""
        guess = tuple(_simple_number(v) for v in floats)
        if all(v is not None for v in guess) and self.remaining() > 0:
            point = tuple(v for v in guess if v is not None)
            values = dict(zip(self.variables, point, strict=True))
            if all(_exact_sign(g.xreplace(values), self.deadline) == 0 for g in self.gradient):
                return _Candidate(
                    point,
                    tuple(_to_float(v) for v in point),
                    numeric=False,
                    note="found numerically, verified exactly",
                )
        return _Candidate(None, floats, numeric=True)

    # -- classification ------------------------------------------------------

    def _classify_all(self, candidates: list[_Candidate]) -> list[CriticalPoint]:
        points = []
        for i, candidate in enumerate(candidates):
            others = [c.floats for j, c in enumerate(candidates) if j != i]
            nearest = min((_distance(candidate.floats, o) for o in others), default=math.inf)
            points.append(self._classify(candidate, nearest, len(candidates) - i))
        return points

    def _classify(self, candidate: _Candidate, nearest: float, left: int) -> CriticalPoint:
        import numpy as np

        end = min(self.deadline, time.monotonic() + max(self.remaining(), 0) / (2 * left))
        notes = [candidate.note] if candidate.note else []
        exact = candidate.exact
        definiteness: str | None = None
        eigenvalues: tuple[float, ...] = ()
        value: sympy.Expr | None = None
        classified = False
        if exact is not None:
            values = dict(zip(self.variables, exact, strict=True))
            value = self.expr.xreplace(values)
            if candidate.algebraic is not None and self._rational_hessian():
                definiteness, eigenvalues, reduced = self._classify_algebraic(
                    candidate.algebraic, end
                )
                value = reduced if reduced is not None else value
                classified = True
            elif self.remaining() > 0 and sum(sympy.count_ops(v) for v in exact) <= _SMALL:
                classified = True
                try:
                    matrix_at = tuple(
                        tuple(
                            value_at(entry, values, what="a second partial is {}")[0]
                            for entry in row
                        )
                        for row in self.matrix
                    )
                except UndefinedError:
                    notes.append("the Hessian is undefined here")
                else:
                    if sum(sympy.count_ops(v) for row in matrix_at for v in row) > _SMALL:
                        matrix_at = tuple(tuple(v.evalf(30) for v in row) for row in matrix_at)
                    analysis = _analyse(matrix_at, end, [])
                    definiteness = analysis.definiteness
                    eigenvalues = analysis.eigenvalues_float or ()
        if not classified:
            # numeric points, and exact ones too costly to handle exactly
            h = self.batch("hessian", np.array([candidate.floats]), (self.n, self.n))[..., 0]
            if np.all(np.isfinite(h)):
                eigenvalues = tuple(float(v) for v in np.linalg.eigvalsh(h))
                definiteness = _numeric_definiteness(eigenvalues)
            else:
                notes.append("the Hessian is undefined here")
        value_float = math.nan
        if value is not None and sympy.count_ops(value) <= _SMALL:
            computed = _bounded(lambda: _to_float(value), time.monotonic() + 1.0)
            value_float = math.nan if computed is None else computed
        if math.isnan(value_float):
            value_float = float(self.batch("f_numpy", np.array([candidate.floats]), ())[0])
        kind = {
            POSITIVE_DEFINITE: LOCAL_MIN,
            NEGATIVE_DEFINITE: LOCAL_MAX,
            INDEFINITE: SADDLE,
        }.get(definiteness or "", DEGENERATE)
        higher: str | None = None
        if kind == DEGENERATE:
            notes.insert(0, "second-derivative test inconclusive")
            radius = min(0.1, 0.3 * nearest)
            point: tuple[Any, ...] = exact if exact is not None else candidate.floats
            checked = bounded(
                lambda: self._neighbourhood(point, exact=exact is not None, largest=radius),
                max(end, time.monotonic() + 0.2),
            )
            if checked is OUT_OF_TIME:
                notes.append("higher-order check skipped: out of time")
            else:
                higher = checked
                notes.append(f"higher-order check: {_higher_text(higher, self.n)}")
        return CriticalPoint(
            point=exact,
            point_float=candidate.floats,
            kind=kind,
            value=value,
            value_float=value_float,
            numeric=candidate.numeric,
            tolerance=NUMERIC_TOLERANCE if candidate.numeric else None,
            eigenvalues_float=eigenvalues,
            note="; ".join(notes),
            higher_order=higher,
        )

    def _rational_hessian(self) -> bool:
        return all(e.is_rational_function(*self.variables) for row in self.matrix for e in row)

    def _classify_algebraic(
        self, algebraic: _Algebraic, end: float
    ) -> tuple[str | None, tuple[float, ...], sympy.Expr | None]:
        """Definiteness (exact, from the principal minors), eigenvalues and value
        at a point with algebraic coordinates."""
        import numpy as np

        if self._minors is None:
            m = sympy.Matrix(self.matrix)
            self._minors = {
                rows: sympy.expand(m.extract(list(rows), list(rows)).det())
                for k in range(1, self.n + 1)
                for rows in combinations(range(self.n), k)
            }
        signs: dict[tuple[int, ...], int] = {}
        for rows, minor in self._minors.items():
            reduced = algebraic.value(minor)
            sign = None if reduced is None else _exact_sign(reduced, end)
            if sign is None:
                break
            signs[rows] = sign
        entries = [[algebraic.value(e) for e in row] for row in self.matrix]
        matrix = np.array(
            [[math.nan if v is None else _to_float(v) for v in row] for row in entries]
        )
        eigenvalues: tuple[float, ...] = ()
        if np.all(np.isfinite(matrix)):
            eigenvalues = tuple(float(v) for v in np.linalg.eigvalsh(matrix))
        if len(signs) == len(self._minors):
            definiteness: str | None = sylvester(signs, self.n)
        else:
            definiteness = _numeric_definiteness(eigenvalues) if eigenvalues else None
        return definiteness, eigenvalues, algebraic.value(self.expr)

    def _neighbourhood(
        self, point: tuple[Any, ...], *, exact: bool, largest: float = 0.1
    ) -> str | None:
        """Sample f on small spheres around ``point``: how it compares with f(point).

        ``"minimum"``, ``"maximum"``, ``"neither"``, ``"flat"`` (no change),
        or ``None`` when f cannot be evaluated around it.
        """
        import mpmath

        f = self.compiled("f_mpmath")
        radii = [r for r in (1e-4, 1e-3, 1e-2, 1e-1) if r <= largest] or [largest]
        if not exact:
            radii = [r for r in radii if r >= 1e-3] or [radii[-1]]
        signs: set[int] = set()
        with mpmath.workdps(50):
            try:
                if exact:
                    centre = [_mp(v) for v in point]
                    values = dict(zip(self.variables, point, strict=True))
                    f0 = _mp(self.expr.xreplace(values))
                else:
                    centre = [mpmath.mpf(v) for v in point]
                    f0 = f(*centre)
            except (TypeError, ValueError, ZeroDivisionError):
                return None
            if not isinstance(f0, mpmath.mpf):
                return None
            for r in radii:
                if exact:
                    zero = mpmath.mpf(10) ** -35 * (1 + abs(f0))
                else:
                    zero = 10 * NUMERIC_TOLERANCE * r + 1e-13 * (1 + abs(f0))
                for u in _directions(self.n, self.seed):
                    shifted = [c + r * mpmath.mpf(float(ui)) for c, ui in zip(centre, u)]
                    try:
                        value = f(*shifted)
                    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
                        continue
                    if not isinstance(value, mpmath.mpf):
                        continue
                    d = value - f0
                    signs.add(0 if abs(d) <= zero else (1 if d > 0 else -1))
                if 1 in signs and -1 in signs:
                    return "neither"
        if not signs:
            return None
        if signs == {0}:
            return "flat"
        if -1 not in signs:
            return "minimum"
        if 1 not in signs:
            return "maximum"
        return "neither"

    def _continuum(
        self, candidates: list[_Candidate]
    ) -> tuple[list[_Candidate], list[CriticalSet]]:
        """Many searched points with a singular Hessian are a continuum: describe it
        as numeric sets (one per sign of the Hessian, classified at a few samples)
        instead of listing the points."""
        import numpy as np

        if len(candidates) < _CONTINUUM:
            return candidates, []
        array = np.array([c.floats for c in candidates])
        h = np.moveaxis(self.batch("hessian", array, (self.n, self.n)), -1, 0)
        groups: dict[str, list[tuple[int, int]]] = {}
        for i, matrix in enumerate(h):
            if not np.all(np.isfinite(matrix)):
                continue
            eigenvalues = tuple(float(v) for v in np.linalg.eigvalsh(matrix))
            definiteness = _numeric_definiteness(eigenvalues)
            if definiteness in (POSITIVE_SEMIDEFINITE, NEGATIVE_SEMIDEFINITE):
                zero = 1e-7 * max(1.0, *(abs(v) for v in eigenvalues))
                zeros = sum(abs(v) <= zero for v in eigenvalues)
                groups.setdefault(definiteness, []).append((i, zeros))
        if sum(len(g) for g in groups.values()) < _CONTINUUM:
            return candidates, []
        found = []
        for members in groups.values():
            points = sorted(
                (candidates[i].floats for i, _ in members), key=lambda p: sum(map(abs, p))
            )
            samples = points[:5]
            verdicts = [self._neighbourhood(p, exact=False) for p in samples]
            kind, note = _set_kind(verdicts)
            values = self.batch("f_numpy", np.array(points), ())
            spread = float(np.nanmax(values) - np.nanmin(values))
            first = float(values[0])
            nullity = [k for _, k in members]
            found.append(
                CriticalSet(
                    equations=(),
                    dimension=max(set(nullity), key=nullity.count),
                    kind=kind,
                    value=None,
                    value_float=first if spread <= 1e-9 * (1 + abs(first)) else None,
                    numeric=True,
                    samples=tuple(samples),
                    note=f"a continuum of critical points found numerically ({len(points)} "
                    f"samples in the box), not described by equations; {note}",
                )
            )
        self.notes.append("the numeric search found a continuum of critical points")
        dropped = {i for members in groups.values() for i, _ in members}
        return [c for i, c in enumerate(candidates) if i not in dropped], found

    # -- convexity -----------------------------------------------------------

    def _convexity(self) -> Convexity:
        matrix = self.matrix
        if all(not v.free_symbols for row in matrix for v in row):
            verdict = {
                POSITIVE_DEFINITE: "strictly convex",
                POSITIVE_SEMIDEFINITE: "convex",
                NEGATIVE_DEFINITE: "strictly concave",
                NEGATIVE_SEMIDEFINITE: "concave",
                INDEFINITE: "neither",
                None: "unknown",
            }[matrix_definiteness(matrix, time_budget=max(self.remaining(), 0.1))]
            shown = _matrix_text(matrix)
            if all(v == 0 for row in matrix for v in row):
                return Convexity(
                    "convex", "the Hessian is zero: f is affine, both convex and concave"
                )
            evidence = {
                "strictly convex": f"the Hessian {shown} is constant and positive definite",
                "convex": f"the Hessian {shown} is constant and positive semidefinite",
                "strictly concave": f"the Hessian {shown} is constant and negative definite",
                "concave": f"the Hessian {shown} is constant and negative semidefinite",
                "neither": f"the Hessian {shown} is constant and indefinite",
                "unknown": f"the definiteness of the constant Hessian {shown} was not decided",
            }[verdict]
            witness = tuple(sympy.Integer(0) for _ in self.variables)
            return Convexity(
                verdict,
                evidence,
                not_convex_at=witness if verdict in ("neither",) else None,
                not_concave_at=witness if verdict in ("neither",) else None,
            )
        end = self.share(_CONVEXITY_SHARE)
        domain = "" if _defined_everywhere(self.expr) else " where f is defined"
        where = "ℝ" if self.n == 1 else f"ℝ^{self.n}"
        proof = self._prove(matrix, end)
        if proof is not None:
            verdict, evidence = proof
            return Convexity(verdict, f"{evidence} on {where}{domain}")
        not_convex, not_concave, sampled = self._counterexamples()
        if not_convex is not None and not_concave is not None:
            if not_convex == not_concave:
                evidence = f"the Hessian is indefinite at {_point_text(not_convex)}"
            else:
                evidence = (
                    f"the Hessian has a negative eigenvalue at {_point_text(not_convex)} "
                    f"and a positive one at {_point_text(not_concave)}"
                )
            return Convexity("neither", evidence, not_convex, not_concave)
        if not_convex is not None:
            evidence = (
                f"not convex (the Hessian has a negative eigenvalue at {_point_text(not_convex)}); "
                "concavity not decided"
            )
        elif not_concave is not None:
            evidence = (
                "not concave (the Hessian has a positive eigenvalue at "
                f"{_point_text(not_concave)}); "
                "convexity not proved, though the Hessian is positive semidefinite at "
                f"all {sampled} points sampled in the box {self._box_text()}"
            )
        else:
            evidence = "the Hessian could not be evaluated in the box; no proof found"
        return Convexity("unknown", evidence, not_convex, not_concave)

    def _prove(self, matrix: Matrix, end: float) -> tuple[str, str] | None:
        """Prove the Hessian semidefinite everywhere from its principal minors."""
        n = self.n
        if n > _MAX_PROOF_SIZE:
            return None
        m = sympy.Matrix(matrix)
        minors: dict[tuple[int, ...], sympy.Expr] = {}
        for k in range(1, n + 1):
            for rows in combinations(range(n), k):
                det = _bounded(
                    lambda rows=rows: _tidy(m.extract(list(rows), list(rows)).det()), end
                )
                if det is None:
                    return None
                minors[rows] = det
        leading = [minors[tuple(range(k))] for k in range(1, n + 1)]
        for sign, name in ((1, "convex"), (-1, "concave")):
            # for -H the minors of order k change sign by (-1)**k
            def signed(rows: tuple[int, ...], sign: int = sign) -> sympy.Expr:
                return minors[rows] * (sign ** len(rows))

            if all(_proved(signed(tuple(range(k))), "positive", end) for k in range(1, n + 1)):
                shown = ", ".join(str(d) for d in leading)
                return (
                    f"strictly {name}",
                    f"the leading principal minors of the Hessian ({shown}) are "
                    f"{'positive' if sign == 1 else 'alternating in sign'} everywhere: "
                    f"it is {'positive' if sign == 1 else 'negative'} definite",
                )
            if all(_proved(signed(rows), "nonnegative", end) for rows in minors):
                shown = ", ".join(str(d) for d in minors.values())
                return (
                    name,
                    f"the principal minors of the {'' if sign == 1 else 'negated '}Hessian "
                    f"({shown}) are nonnegative everywhere: the Hessian is "
                    f"{'positive' if sign == 1 else 'negative'} semidefinite",
                )
        return None

    def _counterexamples(
        self,
    ) -> tuple[tuple[sympy.Expr, ...] | None, tuple[sympy.Expr, ...] | None, int]:
        """Exact points of the box where the Hessian is not PSD / not NSD."""
        import numpy as np

        n = self.n
        per_axis = {1: 41, 2: 9, 3: 5}.get(n, 3 if n <= 6 else 1)
        rng = np.random.default_rng(self.seed)
        middle, half = (self.lo + self.hi) / 2, (self.hi - self.lo) / 2
        grid: list[tuple[Fraction, ...]] = []
        # the whole box, and two smaller boxes around its middle, where
        # curvature often changes sign at a small scale
        for scale, randoms in ((Fraction(1), 64), (Fraction(1, 4), 32), (Fraction(1, 16), 0)):
            lo, hi = middle - half * scale, middle + half * scale
            if per_axis > 1:
                axis = [lo + (hi - lo) * Fraction(i, per_axis - 1) for i in range(per_axis)]
                grid.extend(product(axis, repeat=n))
            for _ in range(randoms):
                grid.append(
                    tuple(
                        lo + (hi - lo) * Fraction(int(k), 16) for k in rng.integers(0, 17, size=n)
                    )
                )
        grid = list(dict.fromkeys(grid))
        # simplest points first: the witness shown is then a small one
        grid.sort(key=lambda p: (max(abs(v) for v in p), sum(abs(v) for v in p)))
        array = np.array([[float(v) for v in p] for p in grid])
        h = np.moveaxis(self.batch("hessian", array, (n, n)), -1, 0)
        defined = np.isfinite(self.batch("f_numpy", array, ()))
        finite = np.all(np.isfinite(h), axis=(1, 2)) & defined
        eig = np.full((len(grid), n), np.nan)
        if finite.any():
            eig[finite] = np.linalg.eigvalsh(h[finite])
        scale = np.nanmax(np.abs(eig), axis=1, initial=0.0)
        tol = 1e-9 * np.maximum(scale, 1.0)
        negative = finite & (eig[:, 0] < -tol)
        positive = finite & (eig[:, -1] > tol)
        both = np.flatnonzero(negative & positive)

        def confirm(i: int, wanted: set[str]) -> tuple[sympy.Expr, ...] | None:
            point = tuple(sympy.Rational(v.numerator, v.denominator) for v in grid[i])
            values = dict(zip(self.variables, point, strict=True))
            at = [[entry.xreplace(values) for entry in row] for row in self.matrix]
            try:
                found = matrix_definiteness(at, time_budget=max(min(self.remaining(), 0.5), 0.05))
            except InputError:
                return None
            return point if found in wanted else None

        has_negative = {INDEFINITE, NEGATIVE_DEFINITE, NEGATIVE_SEMIDEFINITE}
        has_positive = {INDEFINITE, POSITIVE_DEFINITE, POSITIVE_SEMIDEFINITE}
        for i in both[:3]:
            witness = confirm(int(i), {INDEFINITE})
            if witness is not None:
                return witness, witness, int(finite.sum())
        not_convex = next(
            (w for i in np.flatnonzero(negative)[:3] if (w := confirm(int(i), has_negative))), None
        )
        not_concave = next(
            (w for i in np.flatnonzero(positive)[:3] if (w := confirm(int(i), has_positive))), None
        )
        return not_convex, not_concave, int(finite.sum())

    # -- global extrema ------------------------------------------------------

    def _global(
        self,
        kind: str,
        points: list[CriticalPoint],
        sets: list[CriticalSet],
        convexity: Convexity,
        complete: bool,
    ) -> GlobalExtremum:
        minimum = kind == "minimum"
        sign = 1 if minimum else -1
        local = LOCAL_MIN if minimum else LOCAL_MAX
        side = "below" if minimum else "above"
        infinity = "-∞" if minimum else "∞"
        good = ("convex", "strictly convex") if minimum else ("concave", "strictly concave")
        bad = ("concave", "strictly concave") if minimum else ("convex", "strictly convex")

        def answer(status: str, reason: str, **found: Any) -> GlobalExtremum:
            return GlobalExtremum(
                kind,
                status,
                found.get("points", ()),
                found.get("sets", ()),
                found.get("value"),
                found.get("value_float"),
                reason,
            )

        everywhere = _defined_everywhere(self.expr)
        if convexity.verdict in good + bad and not everywhere:
            return answer(
                "unknown",
                f"f is {convexity.verdict} where it is defined, but that is not all of ℝⁿ",
            )
        if convexity.verdict in good:
            if points or sets:
                first: CriticalPoint | CriticalSet = points[0] if points else sets[0]
                unique = convexity.verdict.startswith("strictly")
                if len(points) == 1 and not sets:
                    reason = f"f is {convexity.verdict}, so its local {kind} is the global {kind}"
                else:
                    reason = f"f is {convexity.verdict}, so every critical point is a global {kind}"
                return answer(
                    "found",
                    reason + (" (and there is only one)" if unique else ""),
                    points=tuple(points),
                    sets=tuple(sets),
                    value=first.value,
                    value_float=first.value_float,
                )
            if complete:
                return answer(
                    "none", f"f is {convexity.verdict} with no critical point: no global {kind}"
                )
            return answer(
                "unknown", f"f is {convexity.verdict}, but no critical point was found in the box"
            )
        if convexity.verdict in bad:
            return answer("none", f"f is {convexity.verdict} and not constant: unbounded {side}")
        direction = self._unbounded_direction(sign)
        if direction is not None:
            return answer(
                "none",
                f"f is unbounded {side}: f → {infinity} along the direction "
                f"{_point_text(direction)}",
            )
        candidates: list[tuple[float, CriticalPoint | CriticalSet]] = []
        for p in points:
            if p.kind == local or (p.kind == DEGENERATE and p.higher_order == kind):
                candidates.append((p.value_float, p))
        for s in sets:
            if s.kind == local and s.value_float is not None:
                candidates.append((s.value_float, s))
        if not candidates:
            return answer("unknown", f"no local {kind} was found, and f is not {good[0]}")
        best_float = sign * min(sign * v for v, _ in candidates)
        close = [c for v, c in candidates if abs(v - best_float) <= 1e-9 * (1 + abs(best_float))]
        tied = {
            "points": tuple(c for c in close if isinstance(c, CriticalPoint)),
            "sets": tuple(c for c in close if isinstance(c, CriticalSet)),
        }
        best_exact = next((c.value for c in close if c.value is not None), None)
        bound = best_exact
        if bound is None and abs(best_float - round(best_float)) <= 1e-9:
            bound = sympy.Integer(round(best_float))
        if bound is not None:
            how = self._bounded_by(bound, sign)
            if how is not None:
                return answer(
                    "found",
                    f"f {'≥' if minimum else '≤'} {bound} everywhere ({how}), and f = {bound} here",
                    value=bound,
                    value_float=_to_float(bound),
                    **tied,
                )
        where = (
            _point_text(f"{v:.6g}" for v in close[0].samples[0])
            if isinstance(close[0], CriticalSet)
            else _point_text(f"{v:.6g}" for v in close[0].point_float)
        )
        best_text = f"the {'least' if minimum else 'greatest'} critical value found is " + (
            f"{best_float:.6g} at {where}"
        )
        if self._coercive(sign):
            if complete:
                return answer(
                    "found",
                    f"f → {'∞' if minimum else '-∞'} in every direction and all critical points "
                    f"are known: {best_text}",
                    value=best_exact,
                    value_float=best_float,
                    **tied,
                )
            return answer(
                "unknown",
                f"f has a global {kind} (f → {'∞' if minimum else '-∞'} in every direction), "
                f"but critical points outside the box may have been missed; {best_text}",
            )
        return answer("unknown", f"f is not {good[0]} and no bound {side} was proved; {best_text}")

    def _bounded_by(self, bound: sympy.Expr, sign: int) -> str | None:
        """How sign·(f - bound) ≥ 0 was proved everywhere, or ``None``."""
        end = self.share(0.05)
        if _proved(sign * (self.expr - bound), "nonnegative", end):
            return "proved from the signs of its terms"

        def interval() -> bool:
            everything = sympy.AccumBounds(-sympy.oo, sympy.oo)
            image = self.expr.xreplace({v: everything for v in self.variables})
            if not isinstance(image, sympy.AccumBounds):
                return False
            edge = image.min if sign == 1 else image.max
            return bool((sign * (edge - bound)).is_nonnegative)

        if _bounded(interval, end):
            return "by interval arithmetic"
        return None

    def _polynomial(self) -> sympy.Poly | None:
        if not self.expr.is_polynomial(*self.variables):
            return None
        result = _bounded(lambda: sympy.Poly(self.expr, *self.variables), self.share(0.05))
        return result

    def _unbounded_direction(self, sign: int) -> tuple[sympy.Expr, ...] | None:
        """A direction u along which sign·f(t·u) → -∞, proved from f(t·u)."""
        poly = self._polynomial()
        if poly is None or poly.total_degree() < 1:
            return None
        t = sympy.Dummy("t")
        for u in _integer_directions(self.n, self.seed):
            if self.remaining() <= 0:
                return None
            line = _bounded(
                lambda u=u: sympy.Poly(
                    poly.as_expr().xreplace({v: c * t for v, c in zip(self.variables, u)}), t
                ),
                self.share(0.02),
            )
            if line is None or line.degree() < 1:
                continue
            lead = sign * line.LC()
            if lead < 0:
                return tuple(sympy.Integer(c) for c in u)
            if line.degree() % 2 == 1:
                return tuple(sympy.Integer(-c) for c in u)
        return None

    def _coercive(self, sign: int) -> bool:
        """sign·f → ∞ in every direction: proved for polynomials whose top form
        is definite."""
        poly = self._polynomial()
        if poly is None:
            return False
        degree = poly.total_degree()
        if degree < 2 or degree % 2:
            return False
        top = sum(
            (
                sign * c * sympy.Mul(*(v**e for v, e in zip(self.variables, monomial)))
                for monomial, c in poly.terms()
                if sum(monomial) == degree
            ),
            sympy.Integer(0),
        )
        return _positive_form(top, self.variables, degree, self.share(0.05))


# ---------------------------------------------------------------------------
# helpers


def _real_solutions(
    polys: list[sympy.Expr], variables: tuple[sympy.Symbol, ...], seed: int
) -> list[tuple[tuple[sympy.Expr, ...], _Algebraic | None]] | None:
    """Every real solution of a zero-dimensional polynomial system, exactly.

    ``None`` when the system has infinitely many complex solutions. The ideal
    is made radical (square-free univariate eliminants, Seidenberg's lemma) and
    brought into shape position by a linear change of the last variable, so
    that each real root of one univariate polynomial gives one real solution:
    nothing is lost, unlike ``sympy.solve``, which drops roots it cannot write
    in radicals.
    """
    import random

    basis = sympy.groebner(polys, *variables, order="lex")
    if list(basis.exprs) == [1]:
        return []
    if not basis.is_zero_dimensional:
        return None
    n = len(variables)
    radical = list(basis.exprs)
    for v in variables:
        order = [w for w in variables if w != v] + [v]
        eliminant = next(
            p for p in sympy.groebner(polys, *order, order="lex").exprs if p.free_symbols <= {v}
        )
        radical.append(sympy.Poly(eliminant, v).sqf_part().as_expr())
    rng = random.Random(seed)
    last = variables[-1]
    for attempt in range(6):
        shifts = (
            [0] * (n - 1)
            if attempt == 0
            else [rng.choice((1, 2, 3, -1, -2, -3)) for _ in range(n - 1)]
        )
        u = last if attempt == 0 else sympy.Dummy("t", real=True)
        change = {last: u - sum(c * v for c, v in zip(shifts, variables[:-1]))}
        shifted = [sympy.expand(p.xreplace(change)) for p in radical]
        gens = [*variables[:-1], u]
        exprs = list(sympy.groebner(shifted, *gens, order="lex").exprs)
        shape = _shape(exprs, variables[:-1], u)
        if shape is None:
            continue
        eliminant, formulas = shape
        points = []
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
                algebraic = _Algebraic(poly, r, substitution) if poly.degree() > 2 else None
                points.append((point, algebraic))
        return points
    return None


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


def _defined_everywhere(expr: sympy.Expr) -> bool:
    """Whether ``expr`` is provably finite and real at every real point."""
    if expr.is_Atom:
        return bool(expr.is_Symbol or (expr.is_number and expr.is_finite and expr.is_real))
    if isinstance(expr, sympy.Pow):
        base, exponent = expr.args
        if not (_defined_everywhere(base) and _defined_everywhere(exponent)):
            return False
        if exponent.is_integer and exponent.is_nonnegative:
            return True
        return bool(base.is_positive)
    if isinstance(expr, (sympy.Add, sympy.Mul, *_TOTAL)):
        return all(_defined_everywhere(arg) for arg in expr.args)
    if isinstance(expr, sympy.Piecewise):
        return all(_defined_everywhere(e) for e, _ in expr.args)
    return False


def _real_array(value: Any, m: int) -> Any:
    import numpy as np

    array = np.asarray(value)
    if np.iscomplexobj(array):
        real = np.where(np.abs(array.imag) <= 1e-12 * (1 + np.abs(array.real)), array.real, np.nan)
        array = real
    try:
        return np.broadcast_to(array.astype(float), (m,))
    except (TypeError, ValueError):
        return np.full(m, np.nan)


def _mp(value: sympy.Expr) -> Any:
    """An exact real number as an mpmath number at the working precision."""
    import mpmath

    return mpmath.re(value.evalf(60)._to_mpmath(mpmath.mp.prec + 20))


def _to_float(value: sympy.Expr) -> float:
    try:
        real, _ = value.evalf(30).as_real_imag()
        return float(real)
    except (TypeError, ValueError):
        return math.nan


def _distance(a: Sequence[float], b: Sequence[float]) -> float:
    return max((abs(x - y) for x, y in zip(a, b)), default=0.0)


def _close(a: Sequence[float], b: Sequence[float], extra: float = 0.0) -> bool:
    scale = 1 + max((abs(v) for v in (*a, *b)), default=0.0)
    return _distance(a, b) <= 1e-6 * scale + extra


def _simple_number(v: float) -> sympy.Expr | None:
    """A simple exact number within 1e-7 of ``v``: p/q, p/q·π or ±√(p/q)."""
    near = 1e-7 * (1 + abs(v))
    q = Fraction(v).limit_denominator(12)
    if abs(v - float(q)) <= near:
        return sympy.Rational(q.numerator, q.denominator)
    q = Fraction(v / math.pi).limit_denominator(12)
    if abs(v - float(q) * math.pi) <= near:
        return sympy.Rational(q.numerator, q.denominator) * sympy.pi
    q = Fraction(v * v).limit_denominator(12)
    if q > 0 and abs(abs(v) - math.sqrt(q)) <= near:
        root = sympy.sqrt(sympy.Rational(q.numerator, q.denominator))
        return root if v > 0 else -root
    return None


def _set_parameters(count: int, lo: Fraction, hi: Fraction) -> list[tuple[sympy.Expr, ...]]:
    """Simple parameter values (inside the box first) to sample a set at."""
    simple = [Fraction(0), Fraction(1, 2), Fraction(-1, 3), Fraction(1), Fraction(-2), Fraction(3)]
    simple = [v for v in simple if lo <= v <= hi] + [
        lo + (hi - lo) * Fraction(k, 7) for k in (2, 5)
    ]
    values = [sympy.Rational(v.numerator, v.denominator) for v in simple]
    combos: list[tuple[sympy.Expr, ...]] = []
    for i in range(len(values)):
        combos.append(tuple(values[(i + j) % len(values)] for j in range(count)))
    return combos


def _set_kind(verdicts: list[str | None]) -> tuple[str, str]:
    seen = set(verdicts)
    if seen == {"minimum"}:
        return LOCAL_MIN, "neighbours off the set are not lower: (non-strict) local minima"
    if seen == {"maximum"}:
        return LOCAL_MAX, "neighbours off the set are not higher: (non-strict) local maxima"
    if seen == {"neither"}:
        return SADDLE, "f is both higher and lower nearby: saddle points"
    if seen == {"flat"}:
        return DEGENERATE, "f is constant near the set"
    return DEGENERATE, "the kind differs along the set (or could not be checked)"


def _higher_text(verdict: str | None, n: int) -> str:
    if verdict == "minimum":
        return "minimum"
    if verdict == "maximum":
        return "maximum"
    if verdict == "neither":
        return "neither a minimum nor a maximum " + (
            "(inflection)" if n == 1 else "(degenerate saddle)"
        )
    if verdict == "flat":
        return "f is constant nearby (non-strict minimum and maximum)"
    return "f could not be evaluated around the point"


def _numeric_definiteness(eigenvalues: Sequence[float]) -> str:
    scale = max((abs(v) for v in eigenvalues), default=0.0)
    zero = 1e-7 * max(scale, 1.0)
    signs = {0 if abs(v) <= zero else (1 if v > 0 else -1) for v in eigenvalues}
    if 1 in signs and -1 in signs:
        return INDEFINITE
    if -1 in signs:
        return NEGATIVE_DEFINITE if 0 not in signs else NEGATIVE_SEMIDEFINITE
    if 1 in signs:
        return POSITIVE_DEFINITE if 0 not in signs else POSITIVE_SEMIDEFINITE
    return POSITIVE_SEMIDEFINITE


def _directions(n: int, seed: int) -> list[tuple[float, ...]]:
    """Unit directions to probe around a point: an even spread, deterministic."""
    if n == 1:
        return [(1.0,), (-1.0,)]
    if n == 2:
        return [(math.cos(a), math.sin(a)) for a in (2 * math.pi * k / 96 for k in range(96))]
    import numpy as np

    found: list[tuple[float, ...]] = []
    for i in range(n):
        for s in (1.0, -1.0):
            e = [0.0] * n
            e[i] = s
            found.append(tuple(e))
    for i, j in combinations(range(n), 2):
        for si, sj in product((1.0, -1.0), repeat=2):
            e = [0.0] * n
            e[i], e[j] = si / math.sqrt(2), sj / math.sqrt(2)
            found.append(tuple(e))
    rng = np.random.default_rng(seed)
    for row in rng.normal(size=(96, n)):
        found.append(tuple(float(v) for v in row / np.linalg.norm(row)))
    return found


def _integer_directions(n: int, seed: int) -> list[tuple[int, ...]]:
    import numpy as np

    found: list[tuple[int, ...]] = []
    for i in range(n):
        for s in (1, -1):
            e = [0] * n
            e[i] = s
            found.append(tuple(e))
    for i, j in combinations(range(n), 2):
        for si, sj in product((1, -1), repeat=2):
            e = [0] * n
            e[i], e[j] = si, sj
            found.append(tuple(e))
    rng = np.random.default_rng(seed)
    for row in rng.integers(-3, 4, size=(16, n)):
        if any(row):
            found.append(tuple(int(v) for v in row))
    return found


def _is_linear(expr: sympy.Expr, variables: tuple[sympy.Symbol, ...]) -> bool:
    """Whether ``expr`` is a polynomial of degree at most 1 in ``variables``."""
    if not expr.is_polynomial(*variables):
        return False
    return bool(sympy.Poly(expr, *variables).total_degree() <= 1)


def _tidy(value: sympy.Expr) -> sympy.Expr:
    return sympy.expand(value) if value.is_polynomial() else value


def _proved(value: sympy.Expr, wanted: str, end: float) -> bool:
    """Whether sympy can prove ``value`` positive / nonnegative for all real values."""

    def attempt() -> bool:
        for form in (value, sympy.factor(value)):
            if wanted == "positive" and form.is_positive:
                return True
            if wanted == "nonnegative" and form.is_nonnegative:
                return True
        return False

    return bool(_bounded(attempt, end))


def _positive_form(
    form: sympy.Expr, variables: tuple[sympy.Symbol, ...], degree: int, end: float
) -> bool:
    """Whether a homogeneous polynomial of even degree is positive off the origin."""
    n = len(variables)
    if n == 1:
        return bool(form.xreplace({variables[0]: 1}) > 0)
    if n == 2:
        x, y = variables

        def two() -> bool:
            lead = form.xreplace({x: 1, y: 0})
            if not lead > 0:
                return False
            dehomogenised = sympy.Poly(form.xreplace({y: 1}), x)
            return dehomogenised.count_roots() == 0 and dehomogenised.eval(0) > 0

        return bool(_bounded(two, end))
    # pure powers with positive coefficients and a nonnegative rest
    poly = sympy.Poly(form, *variables)
    coefficients = []
    rest = form
    for i, v in enumerate(variables):
        monomial = tuple(degree if j == i else 0 for j in range(n))
        c = poly.coeff_monomial(monomial)
        if not c > 0:
            return False
        coefficients.append(c)
        rest -= c * v**degree
    return _proved(sympy.expand(rest), "nonnegative", end)


def _matrix_text(matrix: Matrix) -> str:
    return "[" + ", ".join("[" + ", ".join(str(v) for v in row) + "]" for row in matrix) + "]"


def _point_text(point: Iterable[Any]) -> str:
    return "(" + ", ".join(str(v) for v in point) + ")"
