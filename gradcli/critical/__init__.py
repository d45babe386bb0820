"""Critical points of a scalar function: where ∇f = 0, and what each one is.

The gradient is solved exactly within a time budget (:mod:`.solve`, with the
polynomial real solver of :mod:`.polynomial`). When that fails, runs out of
time, or the function is not polynomial (so its solution may be incomplete), a
numeric search runs as well: Levenberg–Marquardt on ∇f from a grid and seeded
random starts in a box. Numeric points that turn out to be simple exact
numbers are checked exactly and promoted; every other numeric point is
certified by Newton's method at 50 digits (:mod:`.certify`), or not reported.

Each point is classified by the second-derivative test; where the test is
inconclusive, f is sampled on small spheres around the point
(:mod:`.classify`). Infinitely many critical points (a line, a curve, all of
ℝⁿ) are described by equations rather than sampled (:mod:`.sets`). The
convexity verdict (:mod:`.convexity`) and the global extrema
(:mod:`.extrema`) come with their evidence. :mod:`.context` holds what every
step shares: the function, its derivatives, the box and the budget.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import sympy

from gradcli.critical.certify import certified_candidates, solves_exactly
from gradcli.critical.classify import classify_all
from gradcli.critical.context import Candidate, Context, check_box
from gradcli.critical.convexity import convexity
from gradcli.critical.corners import corner_points, split_corners
from gradcli.critical.extrema import global_extremum
from gradcli.critical.results import (
    DEGENERATE,
    LOCAL_MAX,
    LOCAL_MIN,
    NONDIFFERENTIABLE,
    NUMERIC_TOLERANCE,
    SADDLE,
    Convexity,
    CriticalAnalysis,
    CriticalPoint,
    CriticalSet,
    GlobalExtremum,
)
from gradcli.critical.sets import describe_set, numeric_continuum
from gradcli.critical.solve import (
    exact_candidate,
    new_points,
    numeric_search,
    recognise,
    solve_exactly,
)
from gradcli.derivatives import kinks
from gradcli.errors import BudgetExceeded, InputError
from gradcli.i18n import _
from gradcli.limits import Limits
from gradcli.numbers import to_float
from gradcli.second_order import check_expr, check_variables

if TYPE_CHECKING:
    from gradcli.calculus import FunctionLike, VariablesLike

__all__ = [
    "DEGENERATE",
    "LOCAL_MAX",
    "LOCAL_MIN",
    "NONDIFFERENTIABLE",
    "NUMERIC_TOLERANCE",
    "SADDLE",
    "Convexity",
    "CriticalAnalysis",
    "CriticalPoint",
    "CriticalSet",
    "GlobalExtremum",
    "critical_points",
]

#: seconds checking one of sympy's solutions exactly may take
_CHECK_SECONDS = 1.0

#: share of ``limits.timeout`` the analysis takes by default, as on the
#: command line (the rest is for parsing and printing)
ANALYSIS_SHARE = 0.7


def critical_points(
    f: FunctionLike,
    variables: VariablesLike | None = None,
    *,
    box: str | tuple[Any, Any] = (-10, 10),
    limits: Limits | None = None,
    time_budget: float | None = None,
    seed: int = 0,
) -> CriticalAnalysis:
    """Find and classify the critical points of ``f``.

    Parameters
    ----------
    f : str, sympy.Expr or Function
        A real scalar function with no parameters: text (read by gradcli's
        own parser), a sympy expression, or a parsed Function.
    variables : str or sequence of str or sympy.Symbol, optional
        The variables, in order; by default every symbol, in natural order.
    box : (lo, hi) or str
        The region ``[lo, hi]ⁿ`` the numeric search (and the convexity
        counterexample search) covers, ``(-4, 4)`` or ``"-4,4"``; a decimal
        bound is exact (0.1 is 1/10).
    limits : Limits, optional
        Bounds on the input and its time: the analysis takes
        :data:`ANALYSIS_SHARE` of ``limits.timeout`` by default.
    time_budget : float, optional
        Seconds for the whole analysis instead; the symbolic solve gets 40 %.
    seed : int
        Seed of the random starts: the same seed gives the same answer.

    Raises
    ------
    InputError
        Bad ``f``, ``variables``, ``box`` or budget; or ``f`` has
        parameters (symbols that are not variables).
    BudgetExceeded
        Neither the symbolic solve nor the numeric search got anywhere within
        ``time_budget`` (a partial answer is returned, with a note, instead
        whenever there is one).

    Examples
    --------
    >>> result = critical_points("x^3 - 3x + y^2")
    >>> [(p.point, p.kind) for p in result.points]
    [((-1, 0), 'saddle'), ((1, 0), 'local min')]
    >>> x, y = sympy.symbols("x y", real=True)
    >>> result = critical_points(x**2 + y**2 + x*y, (x, y))
    >>> [(p.point, p.kind) for p in result.points]
    [((0, 0), 'local min')]
    >>> result.convexity.verdict, result.global_min.status
    ('strictly convex', 'found')
    """
    from gradcli.calculus import as_function

    limits = limits or Limits()
    if time_budget is None:
        time_budget = ANALYSIS_SHARE * limits.timeout
    function = as_function(f, variables=variables, limits=limits)
    if not function.variables:
        raise InputError(_("the function has no variables: it has no critical points to find"))
    if isinstance(box, str):
        box = _read_box(box, limits)
    variables = check_variables(function.variables)
    expr = check_expr(function.expr)
    extra = expr.free_symbols - set(variables)
    if extra:
        names = ", ".join(sorted(str(s) for s in extra))
        raise InputError(
            _("f has parameters ({names}): give them values to find its critical points").format(
                names=names
            )
        )
    if expr.has(sympy.I):
        raise InputError(_("f must be real-valued"))
    if not isinstance(time_budget, (int, float)) or not time_budget > 0:
        raise InputError(
            _("the time budget must be positive, got {budget}").format(budget=repr(time_budget))
        )
    ctx = Context.start(expr, variables, check_box(box), seed=seed, budget=time_budget)
    return replace(_analyse(ctx), function=function)


def _read_box(text: str, limits: Limits) -> tuple[sympy.Expr, sympy.Expr]:
    """``"LO,HI"`` as two exact numbers, read as ``--box`` is."""
    from gradcli.parse import parse_numbers

    bounds = parse_numbers(text, _("the box"), limits, hint=_("for example box=(-4, 4)"))
    if len(bounds) != 2:
        raise InputError(
            _("the box needs two numbers LO,HI, got {count}").format(count=len(bounds))
        )
    return bounds[0], bounds[1]


def _analyse(ctx: Context) -> CriticalAnalysis:
    """Solve, search, certify, classify; then convexity and the global extrema."""
    if all(g.is_zero for g in ctx.gradient):
        return _constant(ctx)
    corners: list[tuple[sympy.Expr, ...]] = []
    if kinks(ctx.expr):
        corners, solved_all = corner_points(ctx)
        if solved_all:
            note = _(
                "f is not differentiable where the argument u of |u| or sign(u) is 0: such "
                "points are listed as 'nondifferentiable' where some u = 0 and the partial "
                "derivatives that exist there vanish"
            )
        else:
            note = _(
                "f is not differentiable where the argument u of |u| or sign(u) is 0: such "
                "points are listed as 'nondifferentiable' where some u = 0 and the partial "
                "derivatives that exist there vanish (not every such system could be solved)"
            )
        ctx.notes.append(note)
    elif any(e.has(sympy.DiracDelta, sympy.Derivative, sympy.Subs) for r in ctx.matrix for e in r):
        ctx.notes.append(
            _(
                "f is not twice differentiable everywhere: points where it is not "
                "differentiable are not found"
            )
        )
    rational = all(g.is_rational_function(*ctx.variables) for g in ctx.gradient)
    status, solutions = solve_exactly(ctx, rational)
    exact, sets = _exact_points(ctx, solutions, checked=status == "complete")
    complete = status == "complete"
    if not rational and status == "ok":
        exact = _in_the_box(ctx, exact)
    from_solve = bool(exact or sets)
    numeric: list[Candidate] = []
    continuum: list[CriticalSet] = []
    if not complete:
        numeric, continuum = _numeric_points(ctx, exact, sets)
    if ctx.search_cut and not (exact or sets or numeric or continuum or corners):
        raise BudgetExceeded(
            _(
                "the critical point search ran out of its {seconds} s budget before "
                "finding anything (raise the budget)"
            ).format(seconds=f"{ctx.budget:g}")
        )
    sets.extend(continuum)
    if not complete and not (exact or sets or numeric or corners):
        ctx.notes.append(
            _(
                "none found by a numeric search in the box {box}; the search is "
                "not exhaustive, so there may still be critical points"
            ).format(box=ctx.box_text())
        )
    smooth, corner = split_corners(ctx, exact + numeric, corners)
    points = classify_all(ctx, smooth) + corner
    points.sort(key=lambda p: p.point_float)
    verdict = convexity(ctx)
    if numeric or continuum:
        method = "mixed" if from_solve else "numeric"
    else:
        method = "symbolic" if from_solve or complete else "numeric"
    return CriticalAnalysis(
        variables=ctx.variables,
        points=tuple(points),
        sets=tuple(sets),
        convexity=verdict,
        global_min=global_extremum(ctx, "minimum", points, sets, verdict, complete),
        global_max=global_extremum(ctx, "maximum", points, sets, verdict, complete),
        method=method,
        complete=complete,
        box=(float(ctx.lo), float(ctx.hi)),
        notes=tuple(ctx.notes),
    )


def _exact_points(
    ctx: Context, solutions: list[dict[sympy.Symbol, sympy.Expr]], *, checked: bool
) -> tuple[list[Candidate], list[CriticalSet]]:
    """sympy's solutions as real points and sets; unless the solver's answer is
    exact by construction (``checked``), a point where ∇f is provably nonzero
    is dropped."""
    points: list[Candidate] = []
    sets: list[CriticalSet] = []
    wrong = 0
    for solution in solutions:
        if set(solution) >= set(ctx.variables) and not any(
            solution[v].free_symbols & set(ctx.variables) for v in ctx.variables
        ):
            candidate = exact_candidate(ctx, tuple(solution[v] for v in ctx.variables))
            if candidate is None:
                continue
            if checked or solves_exactly(ctx, candidate, seconds=_CHECK_SECONDS):
                points.append(candidate)
            else:
                wrong += 1
        elif any(value.has(sympy.I) for value in solution.values()):
            # a complex family (y = -i·x for (x² + y²)²): only its real points count
            for point in _real_points(ctx, solution):
                candidate = exact_candidate(ctx, point)
                if (
                    candidate is not None
                    and all(c.exact != candidate.exact for c in points)
                    and solves_exactly(ctx, candidate, seconds=_CHECK_SECONDS)
                ):
                    points.append(candidate)
        else:
            found = describe_set(ctx, solution)
            if found is not None:
                sets.append(found)
    if wrong:
        ctx.notes.append(
            _("sympy gave {count} solution(s) where ∇f ≠ 0; they are not listed").format(
                count=wrong
            )
        )
    return points, sets


def _real_points(
    ctx: Context, solution: dict[sympy.Symbol, sympy.Expr]
) -> list[tuple[sympy.Expr, ...]]:
    """The real points of a family of solutions written with i: where every
    imaginary part vanishes, when that leaves no free variable."""
    import time

    from gradcli.second_order import within

    free = [v for v in ctx.variables if v not in solution]
    imaginary = [sympy.im(value) for value in solution.values()]
    found = within(
        lambda: sympy.solve(imaginary, free, dict=True), time.monotonic() + _CHECK_SECONDS
    )
    out = []
    for values in found or []:
        if set(values) != set(free):
            continue
        point = tuple(
            values[v] if v in values else sympy.re(solution[v].xreplace(values))
            for v in ctx.variables
        )
        if not any(c.free_symbols for c in point):
            out.append(point)
    return out


def _in_the_box(ctx: Context, exact: list[Candidate]) -> list[Candidate]:
    """sympy's points of a non-polynomial f that lie in the box (the numeric
    search covers only the box, so the answer is about the box)."""
    inside = [c for c in exact if ctx.in_box(c.floats)]
    if len(inside) < len(exact):
        ctx.notes.append(
            _("sympy also found {count} critical point(s) outside the box").format(
                count=len(exact) - len(inside)
            )
        )
    ctx.notes.append(
        _(
            "f is not polynomial: sympy's solution may be incomplete, so the box "
            "{box} was also searched numerically; there may be critical "
            "points outside it"
        ).format(box=ctx.box_text())
    )
    return inside


def _numeric_points(
    ctx: Context, exact: list[Candidate], sets: list[CriticalSet]
) -> tuple[list[Candidate], list[CriticalSet]]:
    """The numeric search's new points, recognised as exact or certified, and
    the continua it ran into."""
    found = new_points(ctx, numeric_search(ctx), exact, sets)
    # recognised first: an exact point's own floats decide whether it is part
    # of a continuum (the search stops only near it)
    candidates = [recognise(ctx, floats) or floats for floats in found]
    floats = [c.floats if isinstance(c, Candidate) else c for c in candidates]
    kept, continuum = numeric_continuum(ctx, floats)
    recognised = [c for i in kept if isinstance(c := candidates[i], Candidate)]
    rest = [c for i in kept if not isinstance(c := candidates[i], Candidate)]
    certified = certified_candidates(ctx, rest, exact + recognised)
    return recognised + certified, continuum


def _constant(ctx: Context) -> CriticalAnalysis:
    value = ctx.expr
    everything = CriticalSet(
        equations=(),
        dimension=ctx.n,
        kind=DEGENERATE,
        value=value,
        value_float=to_float(value),
        numeric=False,
        samples=((0.0,) * ctx.n,),
        note=_(
            "f is constant: every point is critical, each both a (non-strict) "
            "local minimum and maximum"
        ),
    )
    extremum = {
        kind: GlobalExtremum(
            kind, "found", (), (everything,), value, to_float(value), _("f is constant")
        )
        for kind in ("minimum", "maximum")
    }
    return CriticalAnalysis(
        variables=ctx.variables,
        points=(),
        sets=(everything,),
        convexity=Convexity("convex", _("f is constant: both convex and concave")),
        global_min=extremum["minimum"],
        global_max=extremum["maximum"],
        method="symbolic",
        complete=True,
        box=(float(ctx.lo), float(ctx.hi)),
        notes=(),
    )
