"""f made ready to picture: P read exactly and evaluated, parameters put in, the slice chosen.

Also the runs in the plotted variables and the critical points in the plotted
plane. No matplotlib. ∇f comes from :func:`gradcli.derivatives.gradient_of`,
its value at P from :func:`gradcli.calculus.evaluate_gradient` (the numbers
``gradcli grad`` prints), the critical points from
:func:`gradcli.critical.critical_points`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

import sympy

from gradcli.derivatives import gradient_of
from gradcli.errors import DimensionError, InputError, UndefinedError
from gradcli.i18n import N_, _, language, ngettext, speaking
from gradcli.limits import Limits
from gradcli.numbers import to_float
from gradcli.parse import Function
from gradcli.plot.geometry import Point

if TYPE_CHECKING:
    from gradcli.descent import DescentRun

__all__ = [
    "KIND_LABELS",
    "CriticalMark",
    "Run",
    "Subject",
    "check_window",
    "critical_marks",
    "kind_label",
    "prepare",
    "read_point",
    "run_names",
]

#: the kinds of critical points (the values scripts read) as a picture and a summary name them
KIND_LABELS = {
    "local min": N_("local min"),
    "local max": N_("local max"),
    "saddle": N_("saddle"),
    "degenerate": N_("degenerate"),
}

#: a critical point is on the slice when each fixed coordinate matches to this
ON_SLICE = 1e-6


#: a run's fields that are outcomes (or already named), never what tells runs apart
_OUTCOMES = frozenset(
    {"method", "lr", "stop_reason", "steps", "final_value", "gradient_norm", "message",
     "oscillating", "warning", "exact_note", "final_kind"}
)  # fmt: skip


@dataclass(frozen=True)
class CriticalMark:
    """A critical point as marked: plotted coordinates, its kind and f there."""

    point: Point
    kind: str
    value: float | None = None


@dataclass(frozen=True)
class Run:
    """A descent run in the plotted coordinates, for the panel of f(θ_k).

    ``name`` tells it apart from the other runs (``gd α=0.1``, with β or the
    start when those differ); ``label`` adds its outcome.
    """

    label: str
    method: str
    lr: float
    stop_reason: str
    oscillating: bool
    diverged: bool
    #: the run climbed (--ascent): its f* is a maximum
    ascent: bool
    name: str
    #: θ_k in the plotted variables
    coords: tuple[tuple[float, ...], ...]
    values: tuple[float, ...]


@dataclass(frozen=True)
class Subject:
    """f prepared for drawing: parameters put in, the slice chosen, P evaluated."""

    expr: sympy.Expr
    variables: tuple[sympy.Symbol, ...]
    axes: tuple[sympy.Symbol, ...]
    fixed: tuple[tuple[sympy.Symbol, sympy.Expr], ...]
    #: f with the fixed variables put in: a function of ``axes`` only
    local: sympy.Expr
    point: tuple[float, ...] | None
    at: tuple[float, ...] | None
    value_at: float | None
    gradient: tuple[float, ...] | None
    gradient_text: str | None
    arrow: tuple[float, ...] | None
    runs: tuple[Run, ...]
    #: ", a = 2" when parameters were given values
    parameter_text: str


def read_point(
    function: Function, at: Mapping[Any, Any] | Sequence[Any] | str, *, limits: Limits
) -> dict[sympy.Symbol, sympy.Expr]:
    """P's exact coordinates (and named parameters): text as ``--at`` reads it,
    numbers by :func:`gradcli.numbers.exact` (0.1 is 1/10).

    >>> from gradcli.parse import parse_function
    >>> read_point(parse_function("x*y"), (0.1, "pi"), limits=Limits())
    {x: 1/10, y: pi}
    """
    from gradcli.calculus import point_values

    return point_values(function, at, limits=limits)


def prepare(
    function: Function,
    at: Any,
    runs: Sequence[DescentRun],
    slice_vars: Sequence[str] | None,
    limits: Limits,
    notes: list[str],
    labels: str | None = None,
) -> Subject:
    """f ready to draw; ``labels`` is the language the runs are named in (the active one)."""
    from gradcli.calculus import evaluate_gradient
    from gradcli.printing import to_unicode

    variables = function.variables
    if not variables:
        raise InputError(_("f has no variables: there is nothing to plot"))
    values = None if at is None else read_point(function, at, limits=limits)
    given = {p: values[p] for p in function.parameters if values is not None and p in values}
    expr = _with_parameters(function, given, runs)
    axes = _choose_axes(variables, slice_vars)
    start = values
    if start is None and len(variables) > 2 and runs:
        start = {v: sympy.Float(c) for v, c in zip(variables, runs[0].points[0])}
        notes.append(_("the slice passes through the start of the first descent"))
    if len(variables) > 2 and start is None:
        raise InputError(
            _(
                "f has {count} variables: it is drawn as a slice through a point; "
                "give --at (the variables not drawn are fixed there)"
            ).format(count=len(variables))
        )
    fixed = tuple((v, start[v]) for v in variables if v not in axes) if start else ()
    _refuse_float_overflow(expr)
    value_at = gradient = arrow = gradient_text = at_plotted = point = None
    if values is not None:
        result = evaluate_gradient(
            Function(expr=expr, variables=variables),
            gradient_of(expr, variables),
            {v: values[v] for v in variables},
            limits=limits,
        )
        value_at = result.function_value_float
        gradient = result.value_float
        gradient_text = _vector_text(result.value, gradient)
        if gradient is not None:
            arrow = tuple(gradient[variables.index(a)] for a in axes)
        point = tuple(to_float(values[v]) for v in variables)
        at_plotted = tuple(to_float(values[a]) for a in axes)
    with speaking(labels or language()):
        drawn = _runs(runs, variables, axes)
    if drawn and len(variables) > 2:
        notes.append(_("the descent paths are drawn projected onto the slice"))
    return Subject(
        expr=expr,
        variables=variables,
        axes=axes,
        fixed=fixed,
        local=expr.xreplace(dict(fixed)) if fixed else expr,
        point=point,
        at=at_plotted,
        value_at=value_at,
        gradient=gradient,
        gradient_text=gradient_text,
        arrow=arrow,
        runs=drawn,
        parameter_text="".join(f", {p.name} = {to_unicode(v)}" for p, v in given.items()),
    )


def _refuse_float_overflow(expr: sympy.Expr) -> None:
    """Raise when f holds a constant floating point cannot hold (``x*10^400``).

    The picture is computed in floating point, where such a constant is
    infinite and f would look undefined everywhere: say what is wrong instead.
    """
    from gradcli.magnitude import float_overflow

    shown = float_overflow(expr)
    if shown is not None:
        raise UndefinedError(
            _(
                "f is too large for floating point, in which plot draws:"
                " its constant {constant} is beyond about 1.8e308"
            ).format(constant=shown)
        )


def _with_parameters(
    function: Function, given: Mapping[sympy.Symbol, sympy.Expr], runs: Sequence[DescentRun]
) -> sympy.Expr:
    """f with its parameters' values put in: from P, or else from the runs' f."""
    expr = function.expr.xreplace(dict(given)) if given else function.expr
    missing = [p.name for p in function.parameters if p not in given]
    if not missing:
        return expr
    from_run = runs[0].expr if runs else None
    if from_run is None or from_run.free_symbols - set(function.variables):
        example = ", ".join(f"{v.name}=1" for v in function.variables[:2]) + f", {missing[0]}=2"
        raise InputError(
            _(
                "f has parameters ({parameters}): give their values in --at, as in '{example}'"
            ).format(parameters=", ".join(missing), example=example)
        )
    return from_run


def _choose_axes(
    variables: tuple[sympy.Symbol, ...], slice_vars: Sequence[str] | None
) -> tuple[sympy.Symbol, ...]:
    if slice_vars is None:
        return variables[:2]
    if len(variables) < 3:
        raise InputError(_("--slice is for functions of three or more variables"))
    names = [str(n).strip() for n in slice_vars]
    by_name = {v.name: v for v in variables}
    if len(names) != 2 or names[0] == names[1]:
        raise InputError(
            _("--slice needs two different variables, got {names}").format(
                names=repr(",".join(names))
            )
        )
    unknown = [n for n in names if n not in by_name]
    if unknown:
        known = ", ".join(by_name)
        raise InputError(
            _("--slice: {name} is not a variable of f (variables: {variables})").format(
                name=repr(unknown[0]), variables=known
            )
        )
    return (by_name[names[0]], by_name[names[1]])


def _runs(
    runs: Sequence[DescentRun],
    variables: tuple[sympy.Symbol, ...],
    axes: tuple[sympy.Symbol, ...],
) -> tuple[Run, ...]:
    names = [v.name for v in variables]
    out = []
    for run, name in zip(runs, run_names(runs)):
        if [v.name for v in run.variables] != names:
            raise DimensionError(
                _("a descent run is in ({run_variables}) but f is in ({variables})").format(
                    run_variables=", ".join(v.name for v in run.variables),
                    variables=", ".join(names),
                )
            )
        index = [names.index(a.name) for a in axes]
        out.append(
            Run(
                label=_("{run}: {outcome}").format(run=name, outcome=_outcome(run)),
                method=run.method,
                lr=run.lr,
                stop_reason=run.stop_reason.value,
                oscillating=run.oscillating,
                diverged=run.diverged,
                ascent=run.ascent,
                name=name,
                coords=tuple(tuple(p[i] for i in index) for p in run.points),
                values=tuple(run.values),
            )
        )
    return tuple(out)


def run_names(runs: Sequence[DescentRun]) -> list[str]:
    """A different name for each run: the tables' :func:`~gradcli.formats.descent.run_label`,
    and where two runs share it, the settings that tell them apart.

    >>> import sympy
    >>> from gradcli.descent import descend
    >>> x = sympy.Symbol("x", real=True)
    >>> runs = [descend(x**2, (x,), (1,), method="momentum", beta=b, steps=2) for b in (0.5, 0.9)]
    >>> run_names([*runs, descend(x**2, (x,), (2,), steps=2)])
    ['momentum α=0.001, β=0.5', 'momentum α=0.001, β=0.9', 'gd α=0.1']
    """
    from gradcli.formats.descent import run_label

    names = [run_label(run) for run in runs]
    groups: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        groups.setdefault(name, []).append(i)
    for members in groups.values():
        if len(members) < 2:
            continue
        settings = [_settings(runs[i]) for i in members]
        keys = dict.fromkeys(key for shown in settings for key in shown)
        differing = [key for key in keys if len({shown.get(key) for shown in settings}) > 1]
        for i, shown in zip(members, settings):
            names[i] += "".join(f", {shown[key]}" for key in differing if key in shown)
    # runs alike in every setting are numbered
    for name in {n for n in names if names.count(n) > 1}:
        for i in (i for i, n in enumerate(names) if n == name):
            names[i] += _(" (run {number})").format(number=i + 1)
    return names


def _settings(run: DescentRun) -> dict[str, str]:
    """A run's settings, each as it would be named: ``from (1, 3)``, ``β=0.9``, ``seed=2``."""
    start = ", ".join(f"{c:g}" for c in run.points[0])
    shown = {"start": _("from ({start})").format(start=start)}
    for key, symbol in (("beta", "β"), ("beta2", "β₂"), ("eps", "ε")):
        value = getattr(run, key)
        if value is not None:
            shown[key] = f"{symbol}={value:g}"
    shown["ascent"] = _("ascent") if run.ascent else _("descent")
    shown["max_steps"] = _("≤{count} steps").format(count=run.max_steps)
    # and any other plain setting, such as one added for a new kind of run
    for field in dataclasses.fields(run):
        value = getattr(run, field.name)
        if (
            field.name not in _OUTCOMES
            and field.name not in shown
            and isinstance(value, (bool, int, float, str))
            and not isinstance(value, Enum)
        ):
            shown[field.name] = f"{field.name}={value:g}" if isinstance(value, float) else (
                f"{field.name}={value}"
            )  # fmt: skip
    return shown


def _outcome(run: DescentRun) -> str:
    """How a run ended, in a few words: ``converged in 12 steps``."""
    n = run.steps
    reason = run.stop_reason.value
    if run.oscillating:
        if reason == "converged":
            text = ngettext(
                "oscillating, converged in {count} step",
                "oscillating, converged in {count} steps",
                n,
            )
        elif reason == "diverged":
            text = ngettext(
                "oscillating, diverged after {count} step",
                "oscillating, diverged after {count} steps",
                n,
            )
        elif reason == "no_progress":
            text = ngettext(
                "oscillating, stuck after {count} step", "oscillating, stuck after {count} steps", n
            )
        else:
            text = ngettext(
                "oscillating, stopped after {count} step (the most allowed)",
                "oscillating, stopped after {count} steps (the most allowed)",
                n,
            )
    elif reason == "converged":
        text = ngettext("converged in {count} step", "converged in {count} steps", n)
    elif reason == "diverged":
        text = ngettext("diverged after {count} step", "diverged after {count} steps", n)
    elif reason == "no_progress":
        text = ngettext("stuck after {count} step", "stuck after {count} steps", n)
    else:
        text = ngettext(
            "stopped after {count} step (the most allowed)",
            "stopped after {count} steps (the most allowed)",
            n,
        )
    return text.format(count=n)  # fmt: skip


def kind_label(kind: str) -> str:
    """A critical point's kind as people read it, in the active language."""
    return _translated(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


def _translated(message: str) -> str:
    """A message marked with ``N_`` (a constant), in the active language."""
    from gradcli import i18n

    return i18n._(message)


def _vector_text(exact_values: Sequence[sympy.Expr], floats: Sequence[float] | None) -> str:
    from gradcli.printing import decimal, to_unicode

    shown = [to_unicode(e) for e in exact_values]
    if floats is not None and sum(len(s) for s in shown) > 40:
        shown = [decimal(v, 4) for v in floats]
    return "(" + ", ".join(shown) + ")"


def check_window(window: Sequence[float] | None, dimensions: int) -> tuple[float, ...] | None:
    if window is None:
        return None
    try:
        numbers = tuple(float(v) for v in window)
    except (TypeError, ValueError):
        raise InputError(_("the window must be numbers: xmin,xmax,ymin,ymax")) from None
    wanted = (2, 4) if dimensions == 1 else (4,)
    if len(numbers) not in wanted:
        if dimensions == 1:
            raise InputError(_("the window needs 2 or 4 numbers: xmin,xmax or xmin,xmax,ymin,ymax"))
        raise InputError(_("the window needs 4 numbers: xmin,xmax,ymin,ymax"))
    if not all(math.isfinite(v) for v in numbers):
        raise InputError(_("the window's bounds must be finite numbers"))
    for lo, hi, axis in zip(numbers[::2], numbers[1::2], "xy"):
        if not lo < hi:
            raise InputError(
                _("the window needs {axis}min < {axis}max, got {low} and {high}").format(
                    axis=axis, low=f"{lo:g}", high=f"{hi:g}"
                )
            )
    return numbers


def critical_marks(
    subject: Subject, rect: tuple[float, ...] | None, limits: Limits, notes: list[str]
) -> tuple[CriticalMark, ...]:
    """The critical points in the plotted plane, by kind."""
    from gradcli.critical import critical_points
    from gradcli.errors import BudgetExceeded

    reach = [10.0]
    if rect is not None:
        reach += [abs(v) for v in rect[:4] if len(subject.axes) == 2 or v in rect[:2]]
    if subject.at is not None:
        reach += [1.5 * abs(v) for v in subject.at]
    reach += [1.5 * abs(to_float(v)) for _, v in subject.fixed]
    for run in subject.runs:
        reach += [1.5 * abs(v) for v in run.coords[0]]
    bound = math.ceil(max(v for v in reach if math.isfinite(v)))
    try:
        analysis = critical_points(
            subject.expr, subject.variables, box=(-bound, bound), time_budget=limits.timeout / 2
        )
    except BudgetExceeded:
        notes.append(_("the critical points could not be found in time; none are marked"))
        return ()
    notes.extend(analysis.notes)
    if analysis.sets:
        notes.append(
            _("f has infinitely many critical points (a curve or more); they are not marked")
        )
    if not analysis.complete:
        notes.append(
            _("critical points were searched for in [{low}, {high}] only").format(
                low=-bound, high=bound
            )
        )
    index = [subject.variables.index(a) for a in subject.axes]
    fixed_at = {subject.variables.index(v): to_float(c) for v, c in subject.fixed}
    marks = []
    off_slice = 0
    for p in analysis.points:
        if any(abs(p.point_float[i] - c) > ON_SLICE * (1 + abs(c)) for i, c in fixed_at.items()):
            off_slice += 1
            continue
        if len(index) == 2:
            point = (p.point_float[index[0]], p.point_float[index[1]])
        else:
            point = (p.point_float[index[0]], p.value_float)
        marks.append(CriticalMark(point=point, kind=p.kind, value=p.value_float))
    if off_slice:
        notes.append(
            _("{count} critical point(s) lie off this slice and are not marked").format(
                count=off_slice
            )
        )
    return tuple(marks)
