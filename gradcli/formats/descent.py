"""``gradcli descend`` output: JSON, CSV, plain text and LaTeX.

One run is a trajectory θ_0 … θ_K and a verdict; several runs (``--compare``)
are the same, side by side. JSON is one shape for both (schema
``gradcli/schemas/descend.json``): what the runs share (``expression``,
``variables``, ``start``, ``loss``, ``notes``) at the top and a ``runs`` array
of one or more runs, each with its whole trajectory as arrays (non-finite
values of a diverged run as ``null``). CSV is one table for both too: a row
per step of each run, told apart by ``run``, ``method`` and ``lr``. Plain and
LaTeX show the rows a reader looks at: the first ones, every K-th one and the
last ones (:func:`shown_rows`, shared with the table).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from itertools import chain
from operator import itemgetter
from typing import Any

from gradcli.derivatives import gradient_of
from gradcli.descent import METHOD_NAMES, DescentRun, PointKind
from gradcli.formats.common import (
    LATEX_WIDTH,
    distinct,
    dumps,
    latex_rows,
    latex_width,
    packed,
    texts,
    versioned,
)
from gradcli.formats.jacobian import latex_escape
from gradcli.i18n import N_, _, ngettext
from gradcli.printing import decimal, to_text
from gradcli.printing import to_latex as latex

#: rows always shown at the start and at the end of a trajectory
FIRST_ROWS = 5
LAST_ROWS = 3
#: at most this many rows between them when ``every`` is chosen automatically
MIDDLE_ROWS = 8
#: steps written out in LaTeX when there are no exact steps
LATEX_STEPS = 3
#: each stop reason (a machine value) as a person reads it
REASON_LABELS: dict[str, str] = {
    "converged": N_("converged"),
    "no_progress": N_("no progress"),
    "max_steps": N_("max steps"),
    "diverged": N_("diverged"),
}


#: a stop reason in LaTeX's comparison: the value itself in English
LATEX_REASONS: dict[str, str] = {
    "converged": N_("converged"),
    "no_progress": N_("no_progress"),
    "max_steps": N_("max_steps"),
    "diverged": N_("diverged"),
}


def reason_label(run: DescentRun) -> str:
    """Why ``run`` stopped, in words of the active language: ``no progress``."""
    value = run.stop_reason.value
    label = REASON_LABELS.get(value)
    return _(label) if label is not None else value.replace("_", " ")


# ---------------------------------------------------------------------------
# shared helpers


def shown_rows(steps: int, every: int | None = None) -> list[int]:
    """The step numbers k shown for a run of ``steps`` steps.

    The first rows, every ``every``-th row and the last rows; ``every`` None
    picks 1, 2, 5, 10, 20, 50… so that at most 8 rows lie between them.

    >>> shown_rows(3)
    [0, 1, 2, 3]
    >>> shown_rows(179)
    [0, 1, 2, 3, 4, 20, 40, 60, 80, 100, 120, 140, 160, 177, 178, 179]
    >>> shown_rows(30, every=10)
    [0, 1, 2, 3, 4, 10, 20, 28, 29, 30]
    """
    if every is None:
        every = auto_every(steps)
    rows = set(range(min(FIRST_ROWS, steps + 1)))
    rows.update(range(max(0, steps - LAST_ROWS + 1), steps + 1))
    rows.update(range(0, steps + 1, every))
    return sorted(rows)


def auto_every(steps: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50… leaving at most 8 middle rows.

    >>> auto_every(10), auto_every(179), auto_every(10_000)
    (1, 20, 2000)
    """
    middle = steps - FIRST_ROWS - LAST_ROWS + 1
    scale = 1
    while True:
        for factor in (1, 2, 5):
            every = factor * scale
            if middle <= 0 or middle // every <= MIDDLE_ROWS:
                return every
        scale *= 10


def number(value: float | None) -> float | None:
    """A float for JSON: ``None`` for NaN, ±inf or a missing value.

    >>> number(0.5), number(float("nan")), number(float("inf"))
    (0.5, None, None)
    """
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def numbers(values: Sequence[float] | None) -> list[float | None] | None:
    return None if values is None else [number(v) for v in values]


def _column(values: Sequence[float]) -> Sequence[float | None]:
    """A trajectory's column for JSON, as it is when every value is finite."""
    try:
        if math.isfinite(sum(values)):
            return values
    except TypeError:  # pragma: no cover - values are floats
        pass
    return [number(v) for v in values]


def _rows(rows: Sequence[Sequence[float]]) -> Sequence[Sequence[float | None]]:
    """Points or gradients for JSON (tuples are arrays), NaN and ±inf as null."""
    try:
        if math.isfinite(sum(map(sum, rows))):
            return rows
    except TypeError:  # pragma: no cover - values are floats
        pass
    return [[number(v) for v in row] for row in rows]


def method_title(run: DescentRun) -> str:
    """``gradient descent``, ``heavy-ball momentum (β = 0.9)``, … for a run.

    >>> import sympy
    >>> from gradcli.descent import descend
    >>> x = sympy.Symbol("x", real=True)
    >>> method_title(descend(x**2, (x,), (1,), method="momentum", steps=2))
    'heavy-ball momentum (β = 0.9)'
    """
    # METHOD_NAMES is marked for translation where it is defined
    name = _(METHOD_NAMES[run.method])
    if run.ascent:
        name = (
            _("gradient ascent")
            if run.method == "gd"
            else _("{method}, ascending").format(method=name)
        )
    constants = [
        f"{symbol} = {value:g}"
        for symbol, value in (("β", run.beta), ("β₂", run.beta2), ("ε", run.eps))
        if value is not None
    ]
    if run.batch_size is not None:
        if run.batch_size == 1:
            name = _("stochastic {method}").format(method=name)
        else:
            name = _("mini-batch {method}").format(method=name)
        constants.insert(0, _("batches of {size}").format(size=run.batch_size))
        if run.seed is not None:
            constants.append(_("seed {seed}").format(seed=run.seed))
    if run.schedule != "constant":
        constants.append(_("schedule {schedule}").format(schedule=run.schedule))
    return f"{name} ({', '.join(constants)})" if constants else name


def learning_rate_text(run: DescentRun) -> str:
    """α as the user meant it: ``0.1``, or ``1/10`` in exact mode.

    >>> import sympy
    >>> from gradcli.descent import descend
    >>> x = sympy.Symbol("x", real=True)
    >>> learning_rate_text(descend(x**2, (x,), (1,), lr=0.1, steps=1))
    '0.1'
    """
    shown = decimal(run.lr)
    exact = run.lr_exact
    if run.exact and exact is not None and not exact.is_Integer and to_text(exact) != shown:
        return f"{shown} = {to_text(exact)}"
    return shown


def kind_text(run: DescentRun) -> str:
    """What the final point is, in words, with the Hessian's eigenvalues."""
    shown = ", ".join(decimal(v, 4) for v in run.final_eigenvalues)
    kind = run.final_kind
    if len(run.final_eigenvalues) == 1 and kind in (PointKind.MINIMUM, PointKind.MAXIMUM):
        if run.final_eigenvalues[0] != 0:
            if kind is PointKind.MINIMUM:
                return _("a minimum (f'' = {value} > 0)").format(value=shown)
            return _("a maximum (f'' = {value} < 0)").format(value=shown)
        if kind is PointKind.MINIMUM:
            return _("a minimum (f'' = 0, and the first non-zero derivative has even order)")
        return _("a maximum (f'' = 0, and the first non-zero derivative has even order)")
    if kind is PointKind.MINIMUM:
        return _("a minimum (the Hessian's eigenvalues {values} are all positive)").format(
            values=shown
        )
    if kind is PointKind.MAXIMUM:
        return _("a maximum (the Hessian's eigenvalues {values} are all negative)").format(
            values=shown
        )
    if kind is PointKind.SADDLE:
        return _("a saddle point (the Hessian's eigenvalues {values} have both signs)").format(
            values=shown
        )
    if kind is PointKind.INFLECTION:
        return _(
            "an inflection point (f' = f'' = 0 and the first non-zero derivative has odd order)"
        )
    if kind is PointKind.DEGENERATE:
        return _(
            "degenerate (the Hessian has a zero eigenvalue: {values}); the test says nothing"
        ).format(values=shown)
    if kind is PointKind.NOT_CRITICAL:
        return _("not a critical point: |∇f| is not below tol there")
    if run.diverged:
        return _("unknown: the run diverged")
    return _("unknown: the Hessian cannot be evaluated there")


def method_label(run: DescentRun) -> str:
    """What ran, without α: ``gd``, ``sgd``, ``momentum B=8``, a schedule after it."""
    return _with_schedule(_batched_name(run), run)


def run_label(run: DescentRun) -> str:
    """A short name for a run in a comparison: ``gd α=0.1``, ``sgd α=0.02``.

    A mini-batch run names its batch size (``momentum B=8 α=0.01``; B = 1
    with gd is ``sgd``), and a schedule is named after α.
    """
    return _with_schedule(f"{_batched_name(run)} α={decimal(run.lr)}", run)


def _batched_name(run: DescentRun) -> str:
    if run.batch_size is None:
        return run.method
    return (
        "sgd" if run.batch_size == 1 and run.method == "gd" else f"{run.method} B={run.batch_size}"
    )


def _with_schedule(label: str, run: DescentRun) -> str:
    return label if run.schedule == "constant" else f"{label} {run.schedule}"


def _exact_rows(run: DescentRun) -> int:
    return len(run.points_exact) if run.exact and run.points_exact else 0


# ---------------------------------------------------------------------------
# JSON


def document(runs: Sequence[DescentRun]) -> dict[str, Any]:
    """The JSON document for one run or several: what they share, then ``runs``."""
    first = runs[0]
    return versioned(
        {
            "expression": to_text(first.expr),
            "variables": [v.name for v in first.variables],
            "start": numbers(first.points[0]),
            "loss": first.loss_formula,
            "notes": list(first.notes),
            "runs": [as_dict(run) for run in runs],
        }
    )


def as_dict(run: DescentRun) -> dict[str, Any]:
    """The JSON object for one run: settings, summary, trajectory, exact steps."""
    diagnosis = run.diagnosis
    out: dict[str, Any] = {
        "method": run.method,
        "learning_rate": run.lr,
        "learning_rate_exact": to_text(run.lr_exact) if run.lr_exact is not None else None,
        "ascent": run.ascent,
        "max_steps": run.max_steps,
        "tol": run.tol,
        "beta": run.beta,
        "beta2": run.beta2,
        "eps": run.eps,
        "stop_reason": run.stop_reason.value,
        "message": run.message,
        "steps": run.steps,
        "final_point": numbers(run.final_point),
        "final_value": number(run.final_value),
        "gradient_norm": number(run.gradient_norm),
        "final_kind": run.final_kind.value,
        "final_eigenvalues": numbers(run.final_eigenvalues),
        "warning": run.warning,
        "oscillating": run.oscillating,
        "oscillating_variables": list(run.oscillating_variables),
        "diagnosis": None,
        "schedule": run.schedule,
        "mini_batches": None,
        # whole columns at C speed; a diverged run's last values become null
        "trajectory": {
            "points": _rows(run.points),
            "values": _column(run.values),
            "gradients": _rows(run.gradients),
            "gradient_norms": _column(run.gradient_norms),
            "step_lengths": _column(run.step_lengths),
        },
        "exact": None,
    }
    if diagnosis is not None:
        out["diagnosis"] = {
            "message": diagnosis.message,
            "largest_eigenvalue": number(diagnosis.largest_eigenvalue),
            "smallest_eigenvalue": number(diagnosis.smallest_eigenvalue),
            "lr_bound": number(diagnosis.lr_bound),
            "lr_bound_exact": (
                to_text(diagnosis.exact_lr_bound) if diagnosis.exact_lr_bound is not None else None
            ),
            "where": diagnosis.where,
            "at_step": diagnosis.at_step,
        }
    if run.batch_size is not None:
        out["mini_batches"] = {
            "batch_size": run.batch_size,
            "epochs": run.epochs,
            "seed": run.seed,
            "epoch_ends": list(run.epoch_ends),
            "batch_losses": _column(run.batch_losses),
        }
    if run.exact and run.points_exact is not None:
        out["exact"] = {
            "points": [texts(p) for p in run.points_exact],
            "values": texts(run.values_exact or ()),
            "gradients": [texts(g) for g in run.gradients_exact or ()],
            "note": run.exact_note,
        }
    return out


def to_json(run: DescentRun) -> str:
    """One JSON object on one line: the document of :func:`document` with one run."""
    return dumps(document([run])) + "\n"


def compare_to_json(runs: Sequence[DescentRun]) -> str:
    """One JSON object on one line, with a run per element of ``runs``."""
    return dumps(document(runs)) + "\n"


# ---------------------------------------------------------------------------
# CSV


def csv_header(run: DescentRun, *, exact: bool = True) -> list[str]:
    """``run``, ``method``, ``lr``, then k, θ, f, ∇f, |∇f|, the step (and the exact θ, f)."""
    # a variable named like a column of the table (k, f, lr) is told apart
    own = {"run", "method", "lr", "k", "f", "grad_norm", "step_length"}
    names = [f"{v.name} (variable)" if v.name in own else v.name for v in run.variables]
    header = ["run", "method", "lr", "k", *names, "f", *(f"df/d{v.name}" for v in run.variables)]
    header += ["grad_norm", "step_length"]
    if exact and _exact_rows(run):
        header += [*(f"{n}_exact" for n in names), "f_exact"]
    return distinct(header)


def csv_lines(run: DescentRun, number: int = 1, *, exact: bool = True) -> list[str]:
    """One line per θ_k: the run's number, method and α, then k, θ_k, f, ∇f, |∇f|,
    the step taken from θ_k (empty on the last line) and, with ``exact``, θ_k and
    f exactly for the first steps (empty after them).

    Numbers are written by ``repr`` (``nan`` and ``inf`` as Python and
    pandas write them), whole columns at a time; they never need quoting.
    """
    n = len(run.variables)
    prefix = f"{number},{run.method},{run.lr!r},"
    columns: list[Iterable[str]] = [map(str, range(run.steps + 1))]
    columns += [map(repr, map(itemgetter(i), run.points)) for i in range(n)]
    columns.append(map(repr, run.values))
    columns += [map(repr, map(itemgetter(i), run.gradients)) for i in range(n)]
    columns.append(map(repr, run.gradient_norms))
    columns.append(chain(map(repr, run.step_lengths), [""]))
    written = _exact_rows(run) if exact else 0
    if written:
        assert run.points_exact is not None and run.values_exact is not None
        shown = [[*map(to_text, p), to_text(v)] for p, v in zip(run.points_exact, run.values_exact)]
        shown += [[""] * (n + 1)] * (run.steps + 1 - written)
        columns.append(map(",".join, ([_csv_cell(c) for c in row] for row in shown)))
    return [prefix + line for line in map(",".join, zip(*columns))]


def _csv_cell(text: str) -> str:
    """A cell as the csv module writes it: quoted only where needed."""
    if any(c in text for c in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def to_csv(run: DescentRun) -> str:
    """A header and a row per step, for plotting elsewhere: :func:`compare_to_csv`'s
    table for one run (with the exact columns after --exact)."""
    return ",".join(csv_header(run)) + "\n" + "".join(line + "\n" for line in csv_lines(run))


def compare_to_csv(runs: Sequence[DescentRun]) -> str:
    """Every run's steps in one table under one header, told apart by ``run``
    (1, 2, …), ``method`` and ``lr``."""
    lines = [",".join(csv_header(runs[0], exact=False))]
    for i, run in enumerate(runs, start=1):
        lines += csv_lines(run, i, exact=False)
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# plain


def _floats(values: Sequence[float]) -> str:
    return ", ".join(repr(float(v)) for v in values)


def to_plain(run: DescentRun, *, every: int | None = None) -> str:
    """``key: value`` lines: the settings, the rows shown, the verdict."""
    lines = [
        *([f"loss: {run.loss_formula}"] if run.loss_formula is not None else []),
        f"function: {to_text(run.expr)}",
        f"variables: {', '.join(v.name for v in run.variables)}",
        f"method: {run.method}",
        f"learning_rate: {run.lr!r}",
    ]
    if run.schedule != "constant":
        lines.append(f"schedule: {run.schedule}")
    if run.batch_size is not None:
        lines.append(f"batch_size: {run.batch_size}")
        lines.append(f"epochs: {run.epochs}")
        if run.seed is not None:
            lines.append(f"seed: {run.seed}")
    if run.exact and run.lr_exact is not None:
        lines.append(f"learning_rate_exact: {to_text(run.lr_exact)}")
    for name in ("beta", "beta2", "eps"):
        value = getattr(run, name)
        if value is not None:
            lines.append(f"{name}: {value!r}")
    if run.ascent:
        lines.append("ascent: yes")
    lines += [f"tol: {run.tol!r}", f"max_steps: {run.max_steps}"]
    exact = _exact_rows(run)
    for k in sorted(set(shown_rows(run.steps, every)) | set(range(exact))):
        step = repr(run.step_lengths[k]) if k < run.steps else "none"
        lines.append(
            f"step {k}: theta = {_floats(run.points[k])}; f = {run.values[k]!r};"
            f" grad = {_floats(run.gradients[k])}; grad_norm = {run.gradient_norms[k]!r};"
            f" step_length = {step}"
        )
        if k < exact:
            assert run.points_exact is not None and run.values_exact is not None
            shown = ", ".join(to_text(v) for v in run.points_exact[k])
            lines.append(f"exact {k}: theta = {shown}; f = {to_text(run.values_exact[k])}")
    if run.exact_note:
        lines.append(f"exact_note: {run.exact_note}")
    lines += [
        f"stop_reason: {run.stop_reason.value}",
        f"message: {run.message}",
        f"steps: {run.steps}",
        f"final_point: {_floats(run.final_point)}",
        f"final_value: {run.final_value!r}",
        f"gradient_norm: {run.gradient_norm!r}",
        f"final_kind: {run.final_kind.value}",
    ]
    if run.final_eigenvalues:
        lines.append(f"eigenvalues: {_floats(run.final_eigenvalues)}")
    if run.oscillating:
        lines.append(f"oscillating: {', '.join(run.oscillating_variables)}")
    if run.warning:
        lines.append(f"warning: {run.warning}")
    if run.diagnosis is not None:
        lines.append(f"diagnosis: {run.diagnosis.message}")
    for e, k in enumerate(run.epoch_ends, start=1):
        lines.append(f"epoch {e}: k = {k}; loss = {run.values[k]!r}")
    return "\n".join(lines) + "\n"


def compare_to_plain(runs: Sequence[DescentRun]) -> str:
    """One line per run: method, α, steps, final f, |∇f|, stop reason."""
    lines = [
        f"function: {to_text(runs[0].expr)}",
        f"start: {_floats(runs[0].points[0])}",
    ]
    for run in runs:
        flags = " oscillating" if run.oscillating else ""
        lines.append(
            f"run: method = {run.method}; lr = {run.lr!r}; steps = {run.steps};"
            f" final_value = {run.final_value!r}; gradient_norm = {run.gradient_norm!r};"
            f" final_point = {_floats(run.final_point)}; stop_reason = {run.stop_reason.value};"
            f" final_kind = {run.final_kind.value};{flags}".rstrip(";")
        )
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# LaTeX


def latex_float(value: float, digits: int = 7) -> str:
    r"""A float in LaTeX: ``0.5``, ``-6.447765 \cdot 10^{-9}``, ``\infty``.

    >>> latex_float(-6.447764839223397e-09)
    '-6.447765 \\cdot 10^{-9}'
    >>> latex_float(1e-08)
    '10^{-8}'
    """
    if math.isnan(value):
        return r"\mathrm{NaN}"
    if math.isinf(value):
        return r"\infty" if value > 0 else r"-\infty"
    shown = decimal(value, digits)
    if "e" in shown:
        mantissa, exponent = shown.split("e")
        power = rf"10^{{{int(exponent)}}}"
        if mantissa in ("1", "-1"):
            return mantissa[:-1] + power
        return rf"{mantissa} \cdot {power}"
    return shown


#: a vector showing more than this many characters is written as a column
VECTOR_WIDTH = 40


def _times(gradient: Sequence[str]) -> str:
    r"""What follows α in a step: a vector as it is, a number after ``\cdot``
    (``1.5 \cdot 2``, ``1.5 \cdot \left(-4\right)``: side by side, ``1.5 2``
    would read as one number, and ``1.5 -4`` as a subtraction)."""
    if len(gradient) > 1:
        return _latex_vector(gradient)
    (value,) = gradient
    return rf"\cdot \left({value}\right)" if value.lstrip().startswith("-") else rf"\cdot {value}"


def _latex_vector(items: Sequence[str]) -> str:
    r"""``a``, ``\left(a,\ b\right)``, or a column (``pmatrix``) when that is long."""
    if len(items) == 1:
        return items[0]
    inline = r"\left(" + r",\ ".join(items) + r"\right)"
    if latex_width(inline) <= VECTOR_WIDTH:
        return inline
    return r"\begin{pmatrix} " + r" \\ ".join(items) + r" \end{pmatrix}"


def _gradient_rows(run: DescentRun, names: str) -> list[str]:
    r"""``\nabla f(x, y) = (…)``, or a row per partial derivative where that is long."""
    gradient = gradient_of(run.expr, run.variables)
    whole = rf"\nabla f({names}) &= {_latex_vector([latex(g) for g in gradient])}"
    if latex_width(whole) <= LATEX_WIDTH:
        return [whole]
    rows: list[str] = []
    for v, g in zip(run.variables, gradient):
        rows += latex_rows(rf"\frac{{\partial f}}{{\partial {latex(v)}}}", latex(g))
    return rows


def _latex_rule(run: DescentRun) -> list[str]:
    """The update rule, an equation a row."""
    sign = "+" if run.ascent else "-"
    g = r"\nabla f(\theta_{k})"
    if run.batch_size is not None:
        # the gradient of the loss over the k-th mini-batch of rows
        g = r"\nabla L_{B_k}(\theta_{k})"
    step = r"\theta_{k+1} &= \theta_{k} " + sign
    if run.method == "armijo":
        return [
            rf"\theta_{{k+1}} &= \theta_{{k}} - t_k {g}",
            r"t_k &= \alpha 2^{-j} "
            + latex_sentence(_(" with the least {j} such that"), math={"j": r"j \geq 0"}),
            r"&\quad f(\theta_{k} - t_k \nabla f) \le f(\theta_{k}) - 10^{-4} t_k \|\nabla f\|^2",
        ]
    if run.method == "gd":
        return [rf"{step} \alpha {g}"]
    if run.method == "momentum":
        return [rf"b_{{k+1}} &= \beta b_{{k}} + {g}", rf"{step} \alpha b_{{k+1}}"]
    if run.method == "nesterov":
        return [
            rf"b_{{k+1}} &= \beta b_{{k}} + {g}",
            rf"{step} \alpha \left({g} + \beta b_{{k+1}}\right)",
        ]
    if run.method == "adam":
        return [
            rf"m_{{k+1}} &= \beta_1 m_{{k}} + (1 - \beta_1) {g}",
            rf"v_{{k+1}} &= \beta_2 v_{{k}} + (1 - \beta_2) {g}^{{2}}",
            rf"{step} \alpha \frac{{\hat m_{{k+1}}}}{{\sqrt{{\hat v_{{k+1}}}} + \varepsilon}}",
        ]
    return [rf"\theta_{{k+1}} &= \theta_{{k}} - \alpha H(\theta_{{k}})^{{-1}} {g}"]


def to_latex(run: DescentRun) -> str:
    r"""The first steps written out as a worked solution, in an ``align*`` block.

    Exact steps (``--exact``) are written with their rational numbers, else
    the first three steps in decimals; then the result and why it stopped.
    Rows are kept to about :data:`~gradcli.formats.layout.WIDTH` characters: f and ∇f
    are continued at + and −, a step's f and ∇f go to a row of their own,
    and a long vector is a column.
    """
    names = ", ".join(latex(v) for v in run.variables)
    alpha = latex(run.lr_exact) if run.exact and run.lr_exact is not None else decimal(run.lr)
    rows = latex_rows(f"f({names})", latex(run.expr))
    rows += _gradient_rows(run, names)
    rule = _latex_rule(run)
    rate = (
        rf"\alpha = {alpha}"
        if run.schedule == "constant"
        else r"\alpha_k "
        + latex_sentence(
            _(": {schedule} from {alpha}"), text={"schedule": run.schedule}, math={"alpha": alpha}
        )
    )
    rows += rule[:-1] + packed(rule[-1], [(r", \quad ", rate)])
    exact = _exact_rows(run)
    if exact:
        assert run.points_exact is not None and run.values_exact is not None
        assert run.gradients_exact is not None
        points = [[latex(v) for v in p] for p in run.points_exact]
        values = [latex(v) for v in run.values_exact]
        grads = [[latex(v) for v in g] for g in run.gradients_exact]
        written, relation = exact - 1, "="
    else:
        written = min(run.steps, LATEX_STEPS)
        points = [[latex_float(v) for v in run.points[k]] for k in range(written + 1)]
        values = [latex_float(run.values[k]) for k in range(written + 1)]
        grads = [[latex_float(v) for v in run.gradients[k]] for k in range(written + 1)]
        relation = r"\approx"
    sign = "+" if run.ascent else "-"
    for k in range(written + 1):
        items: list[tuple[str, str]] = []
        if k == 0:
            head = rf"\theta_{{0}} &= {_latex_vector(points[k])}"
        elif run.method == "gd" and run.schedule == "constant" and run.batch_size is None:
            # θ_k = θ_{k-1} − α∇f(θ_{k-1}) = …: long fractions put each part on a row
            head = rf"\theta_{{{k}}} &= {_latex_vector(points[k - 1])}"
            items.append((" ", rf"{sign} {alpha} {_times(grads[k - 1])}"))
            items.append((" ", rf"{relation} {_latex_vector(points[k])}"))
        else:
            head = rf"\theta_{{{k}}} &{relation} {_latex_vector(points[k])}"
        items.append((r", \quad ", rf"f(\theta_{{{k}}}) {relation} {values[k]}"))
        items.append(
            (r", \quad ", rf"\nabla f(\theta_{{{k}}}) {relation} {_latex_vector(grads[k])}")
        )
        rows += packed(head, items)
    last = run.steps
    if last > written:
        rows.append(r"&\;\;\vdots")
        point = _latex_vector([latex_float(v) for v in run.final_point])
        rows += packed(
            rf"\theta_{{{last}}} &\approx {point}",
            [
                (r", \quad ", rf"f(\theta_{{{last}}}) \approx {latex_float(run.final_value)}"),
                (
                    r", \quad ",
                    rf"\left\|\nabla f(\theta_{{{last}}})\right\|"
                    rf" \approx {latex_float(run.gradient_norm)}",
                ),
            ],
        )
    rows += _latex_verdict(run)
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}\n"


def _latex_verdict(run: DescentRun) -> list[str]:
    n = run.steps
    reason = run.stop_reason.value
    if reason == "converged":
        condition = rf"\left\|\nabla f\right\| < {latex_float(run.tol)}"
        sentence = ngettext(
            "converged after {count} step: {condition}",
            "converged after {count} steps: {condition}",
            n,
        )
        text = "&" + latex_sentence(sentence, text={"count": n}, math={"condition": condition})
        kind = run.final_kind
        if kind is PointKind.MINIMUM:
            text += latex_sentence(_(", a minimum"))
        elif kind is PointKind.MAXIMUM:
            text += latex_sentence(_(", a maximum"))
        elif kind is not PointKind.UNKNOWN:
            text += latex_sentence(
                _(", but not a maximum") if run.ascent else _(", but not a minimum")
            )
        return [text]
    if reason == "no_progress":
        sentence = ngettext(
            "no progress after {count} step: the steps became too short",
            "no progress after {count} steps: the steps became too short",
            n,
        )
        return ["&" + latex_sentence(sentence, text={"count": n})]
    if reason == "max_steps":
        sentence = ngettext(
            "stopped at the maximum of {count} step", "stopped at the maximum of {count} steps", n
        )
        return ["&" + latex_sentence(sentence, text={"count": n})]
    sentence = ngettext("diverged after {count} step", "diverged after {count} steps", n)
    text = "&" + latex_sentence(sentence, text={"count": n})
    diagnosis = run.diagnosis
    if diagnosis is None or diagnosis.lr_bound is None:
        return [text]
    assert diagnosis.largest_eigenvalue is not None
    largest = latex_float(diagnosis.largest_eigenvalue)
    if diagnosis.exact_lr_bound is not None:
        bound = latex(diagnosis.exact_lr_bound)
    else:
        bound = latex_float(diagnosis.lr_bound)
    stable = latex_sentence(
        _("stable only for {condition}"), math={"condition": rf"\alpha < {bound}"}
    )
    return packed(text + rf"\text{{: }} L = {largest}", [(r",\ ", stable)])


def latex_sentence(
    template: str, *, text: dict[str, Any] | None = None, math: dict[str, str] | None = None
) -> str:
    r"""A sentence in LaTeX: its words (and ``text`` fields) in ``\text{…}``, each
    ``math`` field the LaTeX given, the pieces joined by spaces.

    ``template`` is a translated message, so its words and fields may come in
    any order.

    >>> latex_sentence("stable only for {condition}", math={"condition": r"\alpha < 1"})
    '\\text{stable only for } \\alpha < 1'
    >>> latex_sentence("after {count} steps", text={"count": 3})
    '\\text{after 3 steps}'
    """
    import string

    text, math = text or {}, math or {}
    pieces: list[str] = []
    words = ""
    for literal, field, spec, _conversion in string.Formatter().parse(template):
        words += literal
        if field is None:
            continue
        if field in math:
            if words:
                pieces.append(r"\text{" + latex_escape(words) + "}")
            words = ""
            pieces.append(math[field])
        else:
            words += format(text[field], spec or "")
    if words:
        pieces.append(r"\text{" + latex_escape(words) + "}")
    return " ".join(pieces)


def compare_to_latex(runs: Sequence[DescentRun]) -> str:
    r"""An ``array`` of the runs (method, α, steps, final f, ‖∇f‖, stop reason) in a
    ``gather*``: amsmath in a document, and KaTeX and MathJax render it."""
    lines = [
        r"\begin{gather*}",
        r"\begin{array}{llrrrl}",
        " & ".join(
            [
                latex_sentence(_("method")),
                r"\alpha",
                latex_sentence(_("steps")),
                "f",
                r"\left\|\nabla f\right\|",
                latex_sentence(_("stop")) + r" \\",
            ]
        ),
        r"\hline",
    ]
    for run in runs:
        method = latex_escape(method_label(run))
        reason = latex_escape(_(LATEX_REASONS[run.stop_reason.value]))
        lines.append(
            rf"\text{{{method}}} & {latex_float(run.lr)} & {run.steps} &"
            rf" {latex_float(run.final_value)} & {latex_float(run.gradient_norm)} &"
            rf" \text{{{reason}}} \\"
        )
    lines += [r"\end{array}", r"\end{gather*}"]
    return "\n".join(lines) + "\n"
