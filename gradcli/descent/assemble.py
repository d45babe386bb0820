"""From the rows of a run to a DescentRun: the final point's kind, oscillation, the diagnosis."""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from typing import Any

import sympy

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
)
from gradcli.errors import BudgetExceeded, GradcliError, NotDifferentiableError
from gradcli.kinds import PointKind, classify, definiteness_from_eigenvalues
from gradcli.limits import Limits
from gradcli.numbers import exact, real_powers


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
    if layout.has_step:
        lengths = tuple(_step_lengths(flat[: steps * width], layout, theta0))
    else:
        lengths = tuple(map(options.lr.__mul__, norms[:steps]))
    oscillating_in = _oscillating(columns)
    names = tuple(str(v) for v in variables)
    final_point = points[-1]
    kind, eigenvalues = _classify(expr, program, final_point, raw.reason, limits)
    message = _stop_message(raw, options, steps, norms, bool(oscillating_in))
    warning = _warning(kind, raw.reason, ascent, norms[-1], eigenvalues)
    corner = _corner(expr, variables, final_point, limits)
    if corner is not None:
        kind, eigenvalues = PointKind.UNKNOWN, ()
        warning = (
            f"{corner}; the |∇f| shown there is the formula's value (sign(0) = 0), "
            "not a gradient; see gradcli critical for what the point is"
        )
    diagnosis = None
    if raw.reason is StopReason.DIVERGED or oscillating_in:
        diagnosis = _diagnose(
            program,
            options,
            points[0],
            raw,
            ascent,
            tuple(names[i] for i in oscillating_in),
            limits,
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


def _advice(norms: Sequence[float], oscillating: bool) -> str:
    """What to change after running out of steps, from what the run showed.

    A larger α helps only a run that crept steadily downhill: one that
    oscillated is near its stability bound already (more α diverges), and one
    whose gradient grew needs a smaller α.
    """
    first, last = norms[0], norms[-1]
    if not (math.isfinite(first) and math.isfinite(last)) or last > first:
        return "|∇f| grew: lower the learning rate"
    if oscillating:
        return (
            "the steps oscillated, so a larger learning rate would not help: raise the step limit"
        )
    return "raise the step limit, or the learning rate (the run went steadily downhill)"


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
        with time_limit(limits.simplify_timeout, "the corner test"):
            gradient_at(expr, variables, values, limits=limits)
    except NotDifferentiableError as error:
        # the point as the run shows it, not as the exact rationals of its floats
        reason = error.message.partition(": ")[2] or error.message
        shown = ", ".join(f"{c:.6g}" for c in point)
        return f"f is not differentiable at the final point ({shown}): {reason}"
    except GradcliError:
        return None
    return None


def _higher_derivative_test(
    expr: sympy.Expr, variable: sympy.Symbol, at: float, limits: Limits
) -> PointKind:
    """One variable with f'' ≈ 0: the first derivative that is not zero decides."""
    try:
        with time_limit(limits.simplify_timeout, "the higher-derivative test"):
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


def _stop_message(
    raw: _Raw, options: _Options, steps: int, norms: Sequence[float], oscillating: bool
) -> str:
    norm = norms[-1]
    plural = "s" if steps != 1 else ""
    if raw.reason is StopReason.CONVERGED:
        return f"converged: |∇f| = {norm:.3g} < tol = {options.tol:g} after {steps} step{plural}"
    if raw.reason is StopReason.NO_PROGRESS:
        small = options.tol * min(1.0, options.lr)
        return (
            f"no progress: two steps in a row were shorter than {small:.3g} = tol·min(1, α)"
            f" while |∇f| = {norm:.3g} is not below tol = {options.tol:g}"
        )
    if raw.reason is StopReason.MAX_STEPS and options.tol == 0:
        return f"ran the {options.steps} steps asked (--tol 0): |∇f| = {norm:.3g} at the end"
    if raw.reason is StopReason.MAX_STEPS:
        return (
            f"reached the maximum of {options.steps} steps with |∇f| = {norm:.3g}"
            f" (not below tol = {options.tol:g}): {_advice(norms, oscillating)}"
        )
    return f"diverged at step {steps}: {raw.detail}"


def _warning(
    kind: PointKind,
    reason: StopReason,
    ascent: bool,
    norm: float,
    eigenvalues: tuple[float, ...],
) -> str | None:
    goal = PointKind.MAXIMUM if ascent else PointKind.MINIMUM
    if reason not in (StopReason.CONVERGED, StopReason.NO_PROGRESS) or kind in (
        goal,
        PointKind.UNKNOWN,
    ):
        return None
    verb = "ascent" if ascent else "descent"
    target = goal.value
    shown = ", ".join(f"{v:.3g}" for v in eigenvalues)
    if kind is PointKind.SADDLE:
        return (
            f"{verb} stalled at a saddle point: |∇f| = {norm:.2g} is tiny, but the Hessian"
            f" has eigenvalues of both signs ({shown}), so this is not a {target}"
        )
    if kind is PointKind.INFLECTION:
        return (
            f"{verb} stalled at an inflection point: f' and f'' vanish there and the first"
            f" non-zero derivative has odd order, so this is not a {target}"
        )
    if kind is PointKind.DEGENERATE:
        return (
            f"{verb} stalled where |∇f| = {norm:.2g} is tiny but the Hessian has a zero"
            f" eigenvalue ({shown}): a plateau or a degenerate point, not surely a {target}"
        )
    return (
        f"{verb} stopped at a {kind.value}, not a {target}: the start is at or next to a"
        " critical point of the other kind; start somewhere else"
    )


def _diagnose(
    program: _Program,
    options: _Options,
    theta0: tuple[float, ...],
    raw: _Raw,
    ascent: bool,
    oscillating: tuple[str, ...],
    limits: Limits,
) -> Diagnosis:
    """Explain a divergence or an oscillation by the curvature L and the bound on α."""
    sign = -1 if ascent else 1
    quadratic = all(not h.free_symbols for row in program.hessian for h in row)
    exact_largest: sympy.Expr | None = None
    matrix: list[list[float]] | None
    if quadratic:
        where = "quadratic"
        try:
            matrix = [[sign * float(h) for h in row] for row in program.hessian]
        except TypeError:
            matrix = None
        if matrix is not None and len(matrix) <= 2:
            exact_largest = _exact_largest_eigenvalue(program, sign, limits)
    else:
        where = "start"
        matrix = _hessian_at(program, theta0)
        if matrix is not None:
            matrix = [[sign * v for v in row] for row in matrix]
    eigenvalues = _eigenvalues(matrix) if matrix is not None else ()
    if eigenvalues and not all(math.isfinite(v) for v in eigenvalues):
        eigenvalues = ()
    largest = eigenvalues[-1] if eigenvalues else None
    smallest = eigenvalues[0] if eigenvalues else None
    bound, exact_bound, rule = _lr_bound(options, largest, exact_largest)
    of = "the Hessian of −f" if ascent else "the Hessian"
    there = "f is quadratic, so this is exact" if quadratic else "at the start point"
    sentences = []
    if raw.reason is StopReason.DIVERGED:
        name = _method_name(options.method)
        if ascent:
            name = "gradient ascent" if options.method == "gd" else name + " (ascent)"
        sentences.append(name[0].upper() + name[1:] + " diverged: " + raw.detail)
    if oscillating:
        names = " and ".join(oscillating)
        sentences.append(f"Oscillation: the steps in {names} flipped sign step after step")
    if largest is not None and smallest is not None:
        shown = str(exact_largest) if exact_largest is not None else f"{largest:.6g}"
        zero = ZERO_EIGENVALUE * max(1.0, abs(largest), abs(smallest))
        way = "above" if ascent else "below"
        if largest <= zero:
            sentences.append(
                f"{of[0].upper() + of[1:]} has no positive eigenvalue (L = {shown}, {there}):"
                f" f is flat or bends the wrong way in every direction, so there is no"
                f" {'maximum' if ascent else 'minimum'} to settle in and f may be unbounded {way}"
            )
        else:
            sentences.append(f"The largest eigenvalue of {of} is L = {shown} ({there})")
        if bound is not None and rule is not None:
            bound_text = _number_text(bound, exact_bound)
            verdict = "too large" if options.lr >= bound else "within it"
            sentences.append(f"{rule} = {bound_text}, and α = {options.lr:g} is {verdict}")
            if options.method == "gd" and oscillating and options.lr > 1 / largest:
                inverse = _number_text(1 / largest, _exact_ratio(1, exact_largest))
                sentences.append(
                    f"Since α > 1/L = {inverse}, each step overshoots along the steepest"
                    " direction and flips sign"
                )
        if largest > zero and smallest < -zero:
            sentences.append(
                f"{of[0].upper() + of[1:]} also has the negative eigenvalue {smallest:.3g}:"
                f" f is not {'concave' if ascent else 'convex'} there and may be unbounded {way}"
            )
    if options.method == "adam":
        sentences.append(
            "Adam moves each coordinate by about α per step whatever the gradient's size,"
            " so a smaller α is the remedy"
        )
    elif options.method == "newton" and raw.reason is StopReason.DIVERGED:
        sentences.append(
            "Newton's method jumps to the critical point of the local quadratic model;"
            " far from a minimum that jump can run away: try a smaller α or gd"
        )
    message = ". ".join(sentences) if sentences else "No curvature information is available"
    return Diagnosis(
        message=message + ".",
        largest_eigenvalue=largest,
        smallest_eigenvalue=smallest,
        lr_bound=bound,
        exact_lr_bound=exact_bound,
        where=where,
    )


def _method_name(method: str) -> str:
    return METHOD_NAMES[method]


def _lr_bound(
    options: _Options, largest: float | None, exact_largest: sympy.Expr | None
) -> tuple[float | None, sympy.Expr | None, str | None]:
    """The largest stable α on the quadratic model, exactly when L is exact."""
    if largest is None or largest <= 0 or options.method in ("adam", "newton"):
        return None, None, None
    if options.method == "gd":
        numerator, rule = sympy.Integer(2), "Gradient descent is stable only for α < 2/L"
    else:
        beta = exact(options.beta or 0.0, "beta")
        if options.method == "momentum":
            numerator = 2 * (1 + beta)
            rule = "Heavy-ball momentum is stable only for α < 2(1 + β)/L"
        else:
            numerator = 2 * (1 + beta) / (1 + 2 * beta)
            rule = "Nesterov momentum is stable only for α < 2(1 + β)/((1 + 2β)L)"
    bound = float(numerator) / largest
    return bound, _exact_ratio(numerator, exact_largest), rule


def _exact_ratio(numerator: Any, denominator: sympy.Expr | None) -> sympy.Expr | None:
    if denominator is None:
        return None
    try:
        return sympy.radsimp(sympy.Integer(1) * numerator / denominator)
    except (TypeError, ValueError, ZeroDivisionError):  # pragma: no cover - defensive
        return None


def _number_text(value: float, exact: sympy.Expr | None) -> str:
    if exact is None:
        return f"{value:.6g}"
    if exact.is_Integer:
        return str(exact)
    return f"{exact} ≈ {value:.3g}"


def _exact_largest_eigenvalue(program: _Program, sign: int, limits: Limits) -> sympy.Expr | None:
    """L exactly, for a constant Hessian of at most 2×2 (else None)."""
    try:
        with time_limit(limits.simplify_timeout, "the exact eigenvalues"):
            matrix = sympy.Matrix([[sign * h for h in row] for row in program.hessian])
            roots = list(matrix.eigenvals())
            return max(roots, key=lambda r: float(r))
    except (BudgetExceeded, TypeError, ValueError):
        return None
