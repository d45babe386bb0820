"""From the rows of a run to a DescentRun: the final point's kind, oscillation, the diagnosis."""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import sympy

from gradcli import i18n
from gradcli.budget import time_limit
from gradcli.derivatives import derivatives_along, gradient_at
from gradcli.descent.compile import _Program
from gradcli.descent.engine import _eigenvalues, _hessian_at, _norms, _Raw, _step_lengths
from gradcli.descent.options import _Options
from gradcli.descent.results import (
    METHOD_NAMES,
    OSCILLATION_RUN,
    ZERO_EIGENVALUE,
    DescentRun,
    Diagnosis,
    StopReason,
    point_text,
)
from gradcli.errors import BudgetExceeded, GradcliError, NotDifferentiableError
from gradcli.i18n import N_, _, ngettext
from gradcli.kinds import PointKind, classify, definiteness_from_eigenvalues, label
from gradcli.limits import Limits
from gradcli.numbers import exact, real_powers
from gradcli.printing import decimal, to_unicode


def _assemble(
    expr: sympy.Expr,
    variables: tuple[sympy.Symbol, ...],
    program: _Program,
    options: _Options,
    raw: _Raw,
    theta0: tuple[float, ...],
    *,
    ascent: bool,
    limits: Limits,
) -> DescentRun:
    layout = program.layout
    width, n, flat = layout.width, layout.n, raw.flat
    steps = raw.count - 1
    values = tuple(raw.values)
    norms = tuple(raw.norms if raw.norms is not None else _norms(flat, layout))
    gradients = tuple(zip(*(flat[layout.gradient_at + i :: width] for i in range(n))))
    columns = [[theta0[i], *flat[layout.point_at + i : steps * width : width]] for i in range(n)]
    points = tuple(zip(*columns))
    if layout.has_step or options.stepwise:
        lengths = tuple(_step_lengths(flat[: steps * width], layout, theta0))
    else:
        lengths = tuple(map(options.lr.__mul__, norms[:steps]))
    # a mini-batch run zigzags by its batches' noise, not by overshooting
    oscillating_in = () if options.mini_batches else _oscillating(columns)
    names = tuple(str(v) for v in variables)
    final_point = points[-1]
    # a run whose α shrank (a schedule) or was searched for can stand still
    # far from any critical point: only its curvature is reported then
    reason = raw.reason
    if reason is StopReason.NO_PROGRESS and options.stepwise:
        reason = StopReason.MAX_STEPS
    if reason is StopReason.MAX_STEPS and options.tol == 0 and norms[-1] < _CRITICAL_NORM:
        # --tol 0 ran every step asked; where it ended, ∇f may well be 0
        reason = StopReason.CONVERGED
    kind, eigenvalues = _classify(expr, program, final_point, reason, limits)
    # the curvature of what is minimised: −f for ascent
    curvatures = tuple(sorted(-v for v in eigenvalues)) if ascent else eigenvalues
    quadratic = all(not h.free_symbols for row in program.hessian for h in row)
    evidence = _Evidence(
        norms=norms,
        seen=[-v for v in values] if ascent else values,
        oscillating=bool(oscillating_in),
        curvatures=curvatures,
        quadratic=quadratic,
        kinked=expr.has(sympy.Abs, sympy.sign, sympy.Heaviside),
    )
    message = _stop_message(raw, options, steps, evidence)
    warning = _warning(kind, raw.reason, ascent, norms[-1], eigenvalues, options.method)
    corner = _corner(expr, variables, final_point, limits)
    if corner is not None:
        kind, eigenvalues = PointKind.UNKNOWN, ()
        warning = _(
            "{corner}; the |∇f| shown there is the formula's value (sign(0) = 0), "
            "not a gradient; see gradcli critical for what the point is"
        ).format(corner=corner)
    diagnosis = None
    if raw.reason is StopReason.DIVERGED or oscillating_in:
        diagnosis = _diagnose(
            program,
            options,
            points,
            raw,
            ascent,
            tuple(names[i] for i in oscillating_in),
            limits,
            quadratic=quadratic,
        )
    return DescentRun(
        expr=expr,
        variables=variables,
        method=options.method,
        lr=options.lr,
        max_steps=options.steps,
        tol=options.tol,
        beta=options.beta,
        beta2=options.beta2,
        eps=options.eps,
        ascent=ascent,
        points=points,
        values=values,
        gradients=gradients,
        gradient_norms=norms,
        step_lengths=lengths,
        stop_reason=raw.reason,
        steps=steps,
        final_point=final_point,
        final_value=values[-1],
        gradient_norm=norms[-1],
        message=message,
        oscillating=bool(oscillating_in),
        oscillating_variables=tuple(names[i] for i in oscillating_in),
        diagnosis=diagnosis,
        final_kind=kind,
        final_eigenvalues=eigenvalues,
        warning=warning,
        lr_exact=options.lr_exact,
    )


@dataclass(frozen=True)
class _Evidence:
    """What a run showed, for the advice after it ran out of steps."""

    norms: Sequence[float]
    #: f along the run (−f for ascent): what was minimised
    seen: Sequence[float]
    oscillating: bool
    #: eigenvalues of the minimised function's Hessian at the final point
    curvatures: tuple[float, ...]
    quadratic: bool
    #: f has kinks (|u|: the hinge, the MAE, an L1 penalty)
    kinked: bool


def _advice(options: _Options, evidence: _Evidence) -> str:
    """What to change after running out of steps, from what the run showed.

    For gd the curvature at the final point decides: with L and μ the
    largest and smallest eigenvalues, α = 2/(L + μ) converges fastest on
    the quadratic model and α < 2/L is stable, so a larger α helps only
    below 2/(L + μ); above it a smaller one is faster, and near 2/L the run
    barely converges. A run whose gradient grew needs a smaller α; one that
    went uphill on some steps overshoots; one about a kink needs α to decay.
    """
    norms, seen = evidence.norms, evidence.seen
    first, last = norms[0], norms[-1]
    if options.method == "armijo":
        return _("raise the step limit (the line search chooses each step's α)")
    if not (math.isfinite(first) and math.isfinite(last)) or last > first:
        return _("|∇f| grew: lower the learning rate")
    if evidence.kinked and evidence.oscillating and options.schedule.is_constant:
        return _(
            "f has kinks (|…|), where the gradient jumps and steps of a constant α zigzag"
            " without settling: a decaying --schedule (inverse, exp) lets them shrink"
        )
    if not options.schedule.is_constant:
        rate = options.schedule.rate(options.lr, options.steps, options.steps)
        return _("raise the step limit; the {schedule} schedule ended at α = {rate:.3g}").format(
            schedule=options.schedule.text, rate=rate
        )
    if options.method == "newton":
        if options.lr != 1:
            return _(
                "Newton's method takes the full step α = 1 (α = {lr:g} was asked):"
                " use it, or raise the step limit"
            ).format(lr=options.lr)
        return _("raise the step limit (Newton's steps are not converging here: try gd first)")
    curvatures = evidence.curvatures
    finite = bool(curvatures) and all(math.isfinite(v) for v in curvatures)
    largest = curvatures[-1] if finite else 0.0
    smallest = curvatures[0] if finite else 0.0
    if options.method == "gd" and largest > 0:
        return _gd_advice(options.lr, largest, smallest, evidence)
    uphill = sum(1 for a, b in pairwise(seen) if b > a)
    if uphill:
        return _(
            "raise the step limit; f went up on {uphill} of the {steps} steps"
            " ({method} overshoots and comes back), so a smaller α damps it"
        ).format(uphill=uphill, steps=len(seen) - 1, method=_method_name(options.method))
    if evidence.oscillating:
        return _(
            "the steps oscillated, so a larger learning rate would not help: raise the step limit"
        )
    return _("raise the step limit, or the learning rate (f went down at every step)")


def _gd_advice(lr: float, largest: float, smallest: float, evidence: _Evidence) -> str:
    """The advice for gd from the curvatures L ≥ μ at the final point (L > 0)."""
    there = _("f is quadratic") if evidence.quadratic else _("at the final point")
    bound = 2 / largest
    limit = f"2/L = {_decimal_beside(bound, lr)}"
    fastest = 2 / (largest + smallest) if smallest > 0 else None
    best = f"2/(L + μ) = {_decimal_beside(fastest, lr)}" if fastest is not None else None
    slow = ""
    if smallest > 0 and largest / smallest >= 100:
        slow = _(
            "; f is ill-conditioned ({there}: L/μ ≈ {ratio:.3g}), which makes gd"
            " slow: momentum or newton take such valleys faster"
        ).format(there=there, ratio=largest / smallest)
    lower = _("lower it toward {best}, the fastest").format(best=best) if best else _("lower it")
    if lr >= bound * (1 - 1e-12):
        return _(
            "α = {lr:g} is the stability bound {limit} ({there}) itself: the steps along the"
            " stiffest direction flip sign forever, so {lower}"
        ).format(lr=lr, limit=limit, there=there, lower=lower)
    if lr >= 0.9 * bound:
        return _(
            "α = {lr:g} is at the edge of stability, {limit} ({there}): a larger learning"
            " rate would diverge and this one barely converges, so {lower}"
        ).format(lr=lr, limit=limit, there=there, lower=lower)
    if fastest is not None and lr > fastest:
        return _(
            "α = {lr:g} is past {best} ({there}), the fastest rate: a smaller α converges"
            " faster; or raise the step limit{ill_conditioned}"
        ).format(lr=lr, best=best, there=there, ill_conditioned=slow)
    if best is not None:
        return _(
            "raise the step limit, or α up to {best} ({there}), the fastest rate"
            " (gd is stable up to {limit}){ill_conditioned}"
        ).format(best=best, there=there, limit=limit, ill_conditioned=slow)
    return _("raise the step limit, or α, below {limit} ({there}){ill_conditioned}").format(
        limit=limit, there=there, ill_conditioned=slow
    )


def _oscillating(columns: Sequence[Sequence[float]]) -> tuple[int, ...]:
    """Components whose step flips sign ``OSCILLATION_RUN`` times in a row.

    ``columns`` holds θ_0 … θ_K, one list per component.
    """
    found = []
    run = b"\x01" * OSCILLATION_RUN
    for i, column in enumerate(columns):
        if len(column) < OSCILLATION_RUN + 2:
            continue
        deltas = list(map(operator.sub, column[1:], column[:-1]))
        flips = bytes(map((0.0).__gt__, map(operator.mul, deltas[1:], deltas[:-1])))
        if run in flips:
            found.append(i)
    return tuple(found)


def _classify(
    expr: sympy.Expr,
    program: _Program,
    point: tuple[float, ...],
    reason: StopReason,
    limits: Limits,
) -> tuple[PointKind, tuple[float, ...]]:
    """The kind of point from the Hessian's eigenvalues there (numerically).

    A diverged run ends nowhere in particular (``UNKNOWN``); a run out of steps
    ends at a point that is not critical (``NOT_CRITICAL``), whose eigenvalues
    are still returned.
    """
    if reason is StopReason.DIVERGED or not all(math.isfinite(v) for v in point):
        return PointKind.UNKNOWN, ()
    matrix = _hessian_at(program, point)
    if matrix is None:
        return PointKind.UNKNOWN, ()
    eigenvalues = _eigenvalues(matrix)
    if not all(math.isfinite(v) for v in eigenvalues):
        return PointKind.UNKNOWN, ()
    # a run out of steps ended where |∇f| ≥ tol: its curvature is reported,
    # but a point that is not critical has no kind
    critical = reason is not StopReason.MAX_STEPS
    definiteness = definiteness_from_eigenvalues(eigenvalues, zero=ZERO_EIGENVALUE, floor=1.0)
    kind = classify(definiteness, critical=critical)
    if kind is PointKind.DEGENERATE and len(point) == 1:
        kind = _higher_derivative_test(expr, program.variables[0], point[0], limits)
    return kind, eigenvalues


def _corner(
    expr: sympy.Expr,
    variables: Sequence[sympy.Symbol],
    point: tuple[float, ...],
    limits: Limits,
) -> str | None:
    """Why f has no gradient at the final point, if it ends on a corner of |u|.

    Descent on |x| + y² from x = 0 stays on the corner x = 0, where the float
    formula sign(0)·… gives 0: there is no gradient there to be small.
    """
    if not expr.has(sympy.Abs, sympy.sign, sympy.Heaviside) or not all(
        math.isfinite(v) for v in point
    ):
        return None
    values = {v: exact(c) for v, c in zip(variables, point)}
    try:
        with time_limit(limits.simplify_timeout, N_("the corner test")):
            gradient_at(expr, variables, values, limits=limits)
    except NotDifferentiableError as error:
        # the point as the run shows it, not as the exact rationals of its floats
        reason = error.message.partition(": ")[2] or error.message
        shown = ", ".join(f"{c:.6g}" for c in point)
        return _("f is not differentiable at the final point ({point}): {reason}").format(
            point=shown, reason=reason
        )
    except GradcliError:
        return None
    return None


def _higher_derivative_test(
    expr: sympy.Expr, variable: sympy.Symbol, at: float, limits: Limits
) -> PointKind:
    """One variable with f'' ≈ 0: the first derivative that is not zero decides."""
    try:
        with time_limit(limits.simplify_timeout, N_("the higher-derivative test")):
            for order, derivative in derivatives_along(expr, variable, range(3, 9)):
                # taken as every value is: an odd root of a negative number is real
                value = real_powers(derivative).xreplace({variable: sympy.Float(at)})
                number = float(value) if value.is_number else math.nan
                if not math.isfinite(number):
                    break
                if abs(number) > ZERO_EIGENVALUE:
                    if order % 2:
                        return PointKind.INFLECTION
                    return PointKind.MINIMUM if number > 0 else PointKind.MAXIMUM
    except (BudgetExceeded, TypeError, ValueError):
        pass
    return PointKind.DEGENERATE


def _stop_message(raw: _Raw, options: _Options, steps: int, evidence: _Evidence) -> str:
    norm = evidence.norms[-1]
    if raw.reason is StopReason.CONVERGED:
        return ngettext(
            "converged: |∇f| = {norm:.3g} < tol = {tol:g} after {steps} step",
            "converged: |∇f| = {norm:.3g} < tol = {tol:g} after {steps} steps",
            steps,
        ).format(norm=norm, tol=options.tol, steps=steps)
    if raw.reason is StopReason.NO_PROGRESS and raw.detail:
        return _("no progress: {detail}, while |∇f| = {norm:.3g} is not below tol").format(
            detail=raw.detail, norm=norm
        )
    if raw.reason is StopReason.NO_PROGRESS:
        small = options.tol * min(1.0, options.lr)
        shrunk = ""
        if not options.schedule.is_constant:
            rate = options.schedule.rate(options.lr, steps, options.steps)
            shrunk = _("; the {schedule} schedule had lowered α to {rate:.3g}").format(
                schedule=options.schedule.text, rate=rate
            )
        return _(
            "no progress: two steps in a row were shorter than {small:.3g} = tol·min(1, α)"
            " while |∇f| = {norm:.3g} is not below tol = {tol:g}{schedule_note}"
        ).format(small=small, norm=norm, tol=options.tol, schedule_note=shrunk)
    if raw.reason is StopReason.MAX_STEPS and options.tol == 0:
        return _("ran the {steps} steps asked (--tol 0): |∇f| = {norm:.3g} at the end").format(
            steps=options.steps, norm=norm
        )
    if raw.reason is StopReason.MAX_STEPS:
        advice = _advice(options, evidence)
        return _(
            "reached the maximum of {steps} steps with |∇f| = {norm:.3g}"
            " (not below tol = {tol:g}): {advice}"
        ).format(steps=options.steps, norm=norm, tol=options.tol, advice=advice)
    return _("diverged at step {step}: {detail}").format(step=steps, detail=raw.detail)


def _warning(
    kind: PointKind,
    reason: StopReason,
    ascent: bool,
    norm: float,
    eigenvalues: tuple[float, ...],
    method: str = "gd",
) -> str | None:
    goal = PointKind.MAXIMUM if ascent else PointKind.MINIMUM
    if reason not in (StopReason.CONVERGED, StopReason.NO_PROGRESS) or kind in (
        goal,
        PointKind.UNKNOWN,
        PointKind.NOT_CRITICAL,
    ):
        return None
    found = label(kind.value)
    shown = ", ".join(f"{v:.3g}" for v in eigenvalues)
    if kind is PointKind.SADDLE:
        if ascent:
            saddle = _(
                "ascent stalled at a saddle point: |∇f| = {norm:.2g} is tiny, but the Hessian"
                " has eigenvalues of both signs ({eigenvalues}), so this is not a maximum"
            )
        else:
            saddle = _(
                "descent stalled at a saddle point: |∇f| = {norm:.2g} is tiny, but the Hessian"
                " has eigenvalues of both signs ({eigenvalues}), so this is not a minimum"
            )
        return saddle.format(norm=norm, eigenvalues=shown)
    if kind is PointKind.INFLECTION:
        if ascent:
            return _(
                "ascent stalled at an inflection point: f' and f'' vanish there and the first"
                " non-zero derivative has odd order, so this is not a maximum"
            )
        return _(
            "descent stalled at an inflection point: f' and f'' vanish there and the first"
            " non-zero derivative has odd order, so this is not a minimum"
        )
    if kind is PointKind.DEGENERATE:
        if ascent:
            degenerate = _(
                "ascent stalled where |∇f| = {norm:.2g} is tiny but the Hessian has a zero"
                " eigenvalue ({eigenvalues}): a plateau or a degenerate point, not surely a maximum"
            )
        else:
            degenerate = _(
                "descent stalled where |∇f| = {norm:.2g} is tiny but the Hessian has a zero"
                " eigenvalue ({eigenvalues}): a plateau or a degenerate point, not surely a minimum"
            )
        return degenerate.format(norm=norm, eigenvalues=shown)
    if method == "newton":
        # Newton's step goes to the critical point of the local quadratic model,
        # whatever its kind: no start is to blame
        if kind is PointKind.MINIMUM and ascent:
            return _(
                "Newton's method found a minimum, not a maximum: it seeks a critical point"
                " of any kind; gd or a start nearer a maximum finds one"
            )
        if kind is PointKind.MAXIMUM and not ascent:
            return _(
                "Newton's method found a maximum, not a minimum: it seeks a critical point"
                " of any kind; gd or a start nearer a minimum finds one"
            )
        if ascent:
            newton = _(
                "Newton's method found a {kind}, not a maximum: it seeks a critical point"
                " of any kind; gd or a start nearer a maximum finds one"
            )
        else:
            newton = _(
                "Newton's method found a {kind}, not a minimum: it seeks a critical point"
                " of any kind; gd or a start nearer a minimum finds one"
            )
        return newton.format(kind=found)
    if kind is PointKind.MINIMUM and ascent:
        return _(
            "ascent stopped at a minimum, not a maximum: the start is at or next to a"
            " critical point of the other kind; start somewhere else"
        )
    if kind is PointKind.MAXIMUM and not ascent:
        return _(
            "descent stopped at a maximum, not a minimum: the start is at or next to a"
            " critical point of the other kind; start somewhere else"
        )
    if ascent:
        other = _(
            "ascent stopped at a {kind}, not a maximum: the start is at or next to a"
            " critical point of the other kind; start somewhere else"
        )
    else:
        other = _(
            "descent stopped at a {kind}, not a minimum: the start is at or next to a"
            " critical point of the other kind; start somewhere else"
        )
    return other.format(kind=found)


def _diagnose(
    program: _Program,
    options: _Options,
    points: Sequence[tuple[float, ...]],
    raw: _Raw,
    ascent: bool,
    oscillating: tuple[str, ...],
    limits: Limits,
    *,
    quadratic: bool,
) -> Diagnosis:
    """Explain a divergence or an oscillation from what the run showed.

    Two kinds of evidence are told apart. f *fell* without end when the last
    values are below every value seen and still falling: then f may be
    unbounded (proved when f is quadratic and bends down somewhere). f
    *rose* when a step went uphill: the step overshot, and the curvature L
    where that first happened bounds α (α < 2/L for gd). An oscillation that
    did not diverge is explained by the curvature at the final point, where
    the steps flipped. Himmelblau's function from (0, 0) with α = 0.1 rises
    to 10¹⁸ although f ≥ 0: an overshoot, not an unbounded f.
    """
    sign = -1 if ascent else 1
    # the values of the function being minimised: −f for ascent
    seen = [sign * v for v in raw.values]
    # an overflow (a math range error) ends a run that grew past floats; a
    # domain error (√ of a negative) one that left where f is defined
    overflowed = raw.overflowed
    falling = raw.reason is StopReason.DIVERGED and _fell_without_end(seen, overflowed)
    uphill = None if falling else _first_uphill(seen)
    exact_largest: sympy.Expr | None = None
    matrix: list[list[float]] | None
    at_step: int | None = None
    if quadratic:
        where = "quadratic"
        try:
            matrix = [[sign * float(h) for h in row] for row in program.hessian]
        except TypeError:
            matrix = None
        if matrix is not None and len(matrix) <= 2:
            exact_largest = _exact_largest_eigenvalue(program, sign, limits)
    else:
        if raw.reason is not StopReason.DIVERGED and _finite(points[-1]):
            where, at_step = "final", len(points) - 1
        elif uphill is not None:
            where, at_step = ("start", 0) if uphill == 0 else ("uphill", uphill)
        else:
            where, at_step = "start", 0
        matrix = _hessian_at(program, points[at_step])
        if matrix is not None:
            matrix = [[sign * v for v in row] for row in matrix]
    eigenvalues = _eigenvalues(matrix) if matrix is not None else ()
    if eigenvalues and not all(math.isfinite(v) for v in eigenvalues):
        eigenvalues = ()
    largest = eigenvalues[-1] if eigenvalues else None
    smallest = eigenvalues[0] if eigenvalues else None
    bound, exact_bound, rule = _lr_bound(options, largest, exact_largest)
    of = _("the Hessian of −f") if ascent else _("the Hessian")
    Of = _("The Hessian of −f") if ascent else _("The Hessian")
    if quadratic:
        there = _("f is quadratic, so this is exact")
    elif where == "final":
        there = _("at the final point, where the steps flipped")
    elif where == "uphill" and at_step is not None:
        there = _("at θ_{step} = {point}, where the first uphill step began").format(
            step=at_step, point=point_text(points[at_step])
        )
    elif uphill == 0:
        there = _("at the start point, where the first step already went uphill")
    else:
        there = _("at the start point")
    sentences = []
    if raw.reason is StopReason.DIVERGED:
        name = _method_name(options.method)
        if options.mini_batches:
            name = _("mini-batch {method}").format(method=name)
        if ascent:
            if options.method == "gd":
                name = _("gradient ascent")
            else:
                name = _("{method} (ascent)").format(method=name)
        name = name[0].upper() + name[1:]
        sentences.append(_("{method} diverged: {detail}").format(method=name, detail=raw.detail))
    if oscillating:
        names = _(" and ").join(oscillating)
        sentences.append(
            _("Oscillation: the steps in {variables} flipped sign step after step").format(
                variables=names
            )
        )
    if falling:
        finite = [v for v in raw.values if math.isfinite(v)]
        extreme = max(finite) if ascent else min(finite)
        if ascent:
            falling_text = _(
                "f rose to {value:.3g}, above every value the run saw, and was still rising"
            )
        else:
            falling_text = _(
                "f fell to {value:.3g}, below every value the run saw, and was still falling"
            )
        sentences.append(falling_text.format(value=extreme))
    elif raw.reason is StopReason.DIVERGED and uphill is not None:
        if ascent:
            overshot = _(
                "f fell from {before:.3g} at step {step} to {after:.3g} at step {next_step}:"
                " the step overshot"
            )
        else:
            overshot = _(
                "f rose from {before:.3g} at step {step} to {after:.3g} at step {next_step}:"
                " the step overshot"
            )
        sentences.append(
            overshot.format(
                before=raw.values[uphill],
                step=uphill,
                after=raw.values[uphill + 1],
                next_step=uphill + 1,
            )
        )
    bends_wrong = False
    if largest is not None and smallest is not None:
        zero = ZERO_EIGENVALUE * max(1.0, abs(largest), abs(smallest))
        shown = _number_text(largest, exact_largest)
        if largest <= zero:
            bends_wrong = True
            sentences.append(
                _(
                    "{hessian} has no positive eigenvalue (L = {largest}, {there}):"
                    " f is flat or bends the wrong way in every direction there"
                ).format(hessian=Of, largest=shown, there=there)
            )
        else:
            sentences.append(
                _("The largest eigenvalue of {hessian} is L = {largest} ({there})").format(
                    hessian=of, largest=shown, there=there
                )
            )
        stiffest = _stiffest_row(program, points, at_step, options)
        if stiffest is not None and bound is not None and rule is not None:
            # the steps followed batches, not the whole loss: its bound is not theirs
            row_bound = 2 / stiffest if options.method == "gd" else bound * largest / stiffest
            if options.lr >= row_bound:
                batches = _(
                    "But each step follows a mini-batch, and one row's loss can be stiffer than"
                    " the whole: the stiffest row has L = {stiffest:.6g}, which asks for"
                    " α < {bound}, and α = {lr:g} is too large"
                )
            else:
                batches = _(
                    "But each step follows a mini-batch, and one row's loss can be stiffer than"
                    " the whole: the stiffest row has L = {stiffest:.6g}, which asks for"
                    " α < {bound}, and α = {lr:g} is within it"
                )
            sentences.append(
                batches.format(
                    stiffest=stiffest,
                    bound=_decimal_beside(row_bound, options.lr),
                    lr=options.lr,
                )
            )
            bound = None  # said above, for the batches
        if bound is not None and rule is not None:
            bound_text = _number_text(bound, exact_bound, beside=options.lr)
            stable = i18n._(rule).format(bound=bound_text)
            if options.lr >= bound:
                verdict = _("{rule}, and α = {lr:g} is too large")
            else:
                verdict = _("{rule}, and α = {lr:g} is within it")
            sentences.append(verdict.format(rule=stable, lr=options.lr))
            if options.method == "gd" and oscillating and options.lr > 1 / largest:
                inverse = _number_text(1 / largest, _exact_ratio(1, exact_largest))
                sentences.append(
                    _(
                        "Since α > 1/L = {inverse}, each step overshoots along the steepest"
                        " direction and flips sign"
                    ).format(inverse=inverse)
                )
        if largest > zero and smallest < -zero:
            bends_wrong = True
            if ascent:
                negative = _(
                    "{hessian} also has the negative eigenvalue {smallest:.3g}:"
                    " f is not concave there"
                )
            else:
                negative = _(
                    "{hessian} also has the negative eigenvalue {smallest:.3g}:"
                    " f is not convex there"
                )
            sentences.append(negative.format(hessian=Of, smallest=smallest))
    if quadratic and bends_wrong:
        # a quadratic that bends the wrong way along some direction goes on forever there
        if ascent:
            sentences.append(
                _("A quadratic that is not concave has no maximum: f is unbounded above")
            )
        else:
            sentences.append(
                _("A quadratic that is not convex has no minimum: f is unbounded below")
            )
    elif falling:
        if ascent:
            sentences.append(_("f may be unbounded above: no maximum stopped the run"))
        else:
            sentences.append(_("f may be unbounded below: no minimum stopped the run"))
    if options.method == "adam":
        sentences.append(
            _(
                "Adam moves each coordinate by about α per step whatever the gradient's size,"
                " so a smaller α is the remedy"
            )
        )
    elif options.method == "newton" and raw.reason is StopReason.DIVERGED:
        sentences.append(
            _(
                "Newton's method jumps to the critical point of the local quadratic model;"
                " far from a minimum that jump can run away: try a smaller α or gd"
            )
        )
    elif raw.reason is StopReason.DIVERGED and not falling and bound is None and uphill is not None:
        sentences.append(_("The steps were too large for the curvature met: lower α"))
    message = ". ".join(sentences) if sentences else _("No curvature information is available")
    return Diagnosis(
        message=message + ".",
        largest_eigenvalue=largest,
        smallest_eigenvalue=smallest,
        lr_bound=bound,
        exact_lr_bound=exact_bound,
        where=where,
        at_step=at_step,
    )


#: with --tol 0, a final |∇f| below this (the default tol) is a critical point
_CRITICAL_NORM = 1e-8


def _stiffest_row(
    program: _Program,
    points: Sequence[tuple[float, ...]],
    at_step: int | None,
    options: _Options,
) -> float | None:
    """The largest one-row curvature where the Hessian was taken (mini-batch runs)."""
    if not options.mini_batches or program.rows is None:
        return None
    point = points[at_step or 0]
    if not _finite(point):
        return None
    value: float = program.rows.stiffest_row(*point)
    return value if math.isfinite(value) and value > 0 else None


def _finite(point: Sequence[float]) -> bool:
    return all(math.isfinite(v) for v in point)


#: steps in a row that must each lower f before "still falling" is claimed
_FALLING_RUN = 3


def _fell_without_end(seen: Sequence[float], overflowed: bool = False) -> bool:
    """Whether the minimised values end below all before them, still falling.

    ``seen`` is f (−f for ascent) along the run; a last value of −inf counts
    as falling, a NaN as no evidence (√x from 4 falls to 0.3, then leaves its
    domain) unless it came of an overflow (``overflowed``): then the values
    before it decide.
    """
    if not seen:
        return False
    if math.isnan(seen[-1]) and not overflowed:
        return False  # the run ended where f is undefined: that says nothing of its bounds
    finite = [v for v in seen if not math.isnan(v)]
    if len(finite) < 2 or (math.isinf(finite[-1]) and finite[-1] > 0):
        return False
    tail = finite[-(_FALLING_RUN + 1) :]
    still_falling = all(b < a for a, b in pairwise(tail))
    return still_falling and finite[-1] < min(finite[:-1]) and finite[-1] < finite[0]


def _first_uphill(seen: Sequence[float]) -> int | None:
    """The first step k whose value at θ_{k+1} is above that at θ_k, if any."""
    for k in range(len(seen) - 1):
        if seen[k + 1] > seen[k]:  # False when either is NaN
            return k
    return None


def _method_name(method: str) -> str:
    return i18n._(METHOD_NAMES[method])


def _lr_bound(
    options: _Options, largest: float | None, exact_largest: sympy.Expr | None
) -> tuple[float | None, sympy.Expr | None, str | None]:
    """The largest stable α on the quadratic model, exactly when L is exact."""
    if largest is None or largest <= 0 or options.method in ("adam", "newton"):
        return None, None, None
    # the rule is a message whose {bound} is filled in where it is said
    if options.method == "gd":
        numerator, rule = (
            sympy.Integer(2),
            N_("Gradient descent is stable only for α < 2/L = {bound}"),
        )
    else:
        beta = exact(options.beta or 0.0, "beta")
        if options.method == "momentum":
            numerator = 2 * (1 + beta)
            rule = N_("Heavy-ball momentum is stable only for α < 2(1 + β)/L = {bound}")
        else:
            numerator = 2 * (1 + beta) / (1 + 2 * beta)
            rule = N_("Nesterov momentum is stable only for α < 2(1 + β)/((1 + 2β)L) = {bound}")
    bound = float(numerator) / largest
    return bound, _exact_ratio(numerator, exact_largest), rule


def _exact_ratio(numerator: Any, denominator: sympy.Expr | None) -> sympy.Expr | None:
    if denominator is None:
        return None
    try:
        return sympy.radsimp(sympy.Integer(1) * numerator / denominator)
    except (TypeError, ValueError, ZeroDivisionError):  # pragma: no cover - defensive
        return None


def _number_text(value: float, exact: sympy.Expr | None, *, beside: float | None = None) -> str:
    """A bound as text: exact with its decimal (``(17 - √265)/4 ≈ 0.180``).

    The decimal has three significant digits, more when it must differ from
    ``beside`` (the α it is compared with): α = 0.18 against 2/L = 0.1803…
    shows ``≈ 0.1803``, not ``≈ 0.180``.
    """
    if exact is None and beside is None:
        return f"{value:.6g}"
    shown = _decimal_beside(value, beside)
    if exact is None:
        return shown
    if exact.is_Integer:
        return str(exact)
    # (17 - √265)/4 rather than 17/4 - √265/4
    return f"{to_unicode(sympy.factor_terms(sympy.together(exact)))} ≈ {shown}"


def _decimal_beside(value: float, beside: float | None) -> str:
    if not math.isfinite(value):
        return str(value)
    digits = 3
    while digits < 17 and beside is not None and value != beside:
        if float(f"{value:.{digits}g}") != float(f"{beside:.{digits}g}"):
            break
        digits += 1
    if 1e-4 <= abs(value) < 10**digits:
        # fixed point, trailing zeros kept: 0.180 says three digits were meant
        return f"{value:#.{digits}g}".rstrip(".")
    return decimal(value, digits)


def _exact_largest_eigenvalue(program: _Program, sign: int, limits: Limits) -> sympy.Expr | None:
    """L exactly, for a constant Hessian of at most 2×2 (else None)."""
    try:
        with time_limit(limits.simplify_timeout, N_("the exact eigenvalues")):
            matrix = sympy.Matrix([[sign * h for h in row] for row in program.hessian])
            roots = list(matrix.eigenvals())
            return max(roots, key=lambda r: float(r))
    except (BudgetExceeded, TypeError, ValueError):
        return None
