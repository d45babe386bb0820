"""``gradcli descend`` as rich tables, and its progress bar on a terminal."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from typing import Any

from rich.console import Console, RenderableType
from rich.table import Table

from gradcli.descent import DescentRun, StopReason
from gradcli.formats.descent import (
    FIRST_ROWS,
    LAST_ROWS,
    auto_every,
    kind_text,
    learning_rate_text,
    method_label,
    method_title,
    reason_label,
    run_label,
    shown_rows,
)
from gradcli.i18n import N_, _, ngettext
from gradcli.printing import decimal, to_unicode
from gradcli.render.console import Screen, render, text


def _vector(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else "(" + ", ".join(items) + ")"


#: significant digits in the iteration table: enough to watch θ settle
DIGITS = 5


def _floats(values: Sequence[float], digits: int = DIGITS) -> str:
    return _vector([decimal(v, digits) for v in values])


def _header(run: DescentRun) -> list[RenderableType]:
    names = ", ".join(to_unicode(v) for v in run.variables)
    out: list[RenderableType] = []
    if run.loss_formula is not None:
        out.append(text(run.loss_formula, "bold"))
        out.append(text(f"  = {to_unicode(run.expr)}", "bold"))
    else:
        out.append(text(f"f({names}) = {to_unicode(run.expr)}", "bold"))
    return out


def _row_cells(run: DescentRun, k: int) -> list[str]:
    exact = run.points_exact if run.exact else None
    step = decimal(run.step_lengths[k], DIGITS) if k < run.steps else ""
    if exact is not None and k < len(exact):
        assert run.values_exact is not None and run.gradients_exact is not None
        return [
            str(k),
            _vector([to_unicode(v) for v in exact[k]]),
            to_unicode(run.values_exact[k]),
            _vector([to_unicode(v) for v in run.gradients_exact[k]]),
            decimal(run.gradient_norms[k], DIGITS),
            step,
        ]
    return [
        str(k),
        _floats(run.points[k]),
        decimal(run.values[k], DIGITS),
        _floats(run.gradients[k]),
        decimal(run.gradient_norms[k], DIGITS),
        step,
    ]


def iteration_table(run: DescentRun, every: int | None = None) -> Table:
    """k, θ_k, f(θ_k), ∇f(θ_k), |∇f(θ_k)| and the step taken, for the rows shown."""
    table = Table(show_edge=True, header_style="bold")
    table.add_column("k", justify="right")
    table.add_column("θ_k")
    table.add_column("f(θ_k)", justify="right")
    table.add_column("∇f(θ_k)")
    table.add_column("|∇f|", justify="right")
    # the length of the step taken from θ_k, |θ_{k+1} − θ_k|
    table.add_column(_("step"), justify="right")
    exact = len(run.points_exact or ()) if run.exact else 0
    rows = sorted(set(shown_rows(run.steps, every)) | set(range(exact)))
    first = max(FIRST_ROWS, exact)
    previous = -1
    for k in rows:
        # an ellipsis where the first rows end and where the last ones begin;
        # between them the rows are every K-th, which k itself shows
        if k > previous + 1 and (previous < first or k > run.steps - LAST_ROWS):
            table.add_row("…", "", "", "", "", "")
        table.add_row(*(text(cell) for cell in _row_cells(run, k)))
        previous = k
    return table


def epoch_table(run: DescentRun, every: int | None = None) -> Table:
    """One row per epoch of a mini-batch run: where it ended, L and |∇L| there,
    and the losses of the epoch's batches (their spread is SGD's noise)."""
    table = Table(show_edge=True, header_style="bold")
    for name, justify in (
        (_("epoch"), "right"),
        ("k", "right"),
        ("θ_k", "left"),
        ("L(θ_k)", "right"),
        ("|∇L|", "right"),
        (_("batch losses"), "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    ends = (0, *run.epoch_ends)
    previous = -1
    last = len(ends) - 1
    for e in shown_rows(last, every):
        if e > previous + 1 and (previous < FIRST_ROWS or e > last - LAST_ROWS):
            table.add_row("…", "", "", "", "", "")
        k = ends[e]
        losses = run.batch_losses[ends[e - 1] : k] if e else ()
        spread = ""
        if losses:
            low, high = min(losses), max(losses)
            mean = sum(losses) / len(losses)
            spread = decimal(mean, 3)
            if high > low:
                spread += f" ({decimal(low, 2)}–{decimal(high, 2)})"
        table.add_row(
            str(e),
            str(k),
            _floats(run.points[k]),
            decimal(run.values[k], DIGITS),
            decimal(run.gradient_norms[k], DIGITS),
            spread,
        )
        previous = e
    return table


#: English ordinal endings, each a message (a language may write every ordinal alike)
_ORDINALS = {1: N_("{number}st"), 2: N_("{number}nd"), 3: N_("{number}rd")}


def _ordinal(k: int) -> str:
    if k % 100 in (11, 12, 13):
        return _("{number}th").format(number=k)
    ending = _ORDINALS.get(k % 10)
    return (_(ending) if ending else _("{number}th")).format(number=k)


def _verdict(run: DescentRun) -> list[RenderableType]:
    style = "bold red" if run.diverged else "bold"
    out: list[RenderableType] = [
        text(_("stop reason: {message}").format(message=run.message), style)
    ]
    if run.exact_note:
        out.append(text(_("note: {note}").format(note=run.exact_note), "yellow"))
    final = ngettext(
        "final θ = {point}, f(θ) = {value}, |∇f(θ)| = {norm}, after {count} step",
        "final θ = {point}, f(θ) = {value}, |∇f(θ)| = {norm}, after {count} steps",
        run.steps,
    )
    out.append(
        text(
            final.format(
                point=_floats(run.final_point),
                value=decimal(run.final_value),
                norm=decimal(run.gradient_norm),
                count=run.steps,
            )
        )
    )
    out.append(text(_("the point: {kind}").format(kind=kind_text(run))))
    if run.warning:
        out.append(text(_("warning: {message}").format(message=run.warning), "bold yellow"))
    if run.diagnosis is not None:
        why = _("why: {message}").format(message=run.diagnosis.message)
        out.append(text(why, "red" if run.diverged else "yellow"))
    return out


def renderables(run: DescentRun, *, every: int | None = None) -> list[RenderableType]:
    out = _header(run)
    start = _floats(run.points[0])
    if run.batch_size is not None:
        out.append(
            text(
                _(
                    "{method} from {start}, α = {rate}, {epochs} epochs of {steps} steps,"
                    " tol = {tol}"
                ).format(
                    method=method_title(run),
                    start=start,
                    rate=learning_rate_text(run),
                    epochs=run.epochs,
                    steps=run.max_steps // max(1, run.epochs or 1),
                    tol=f"{run.tol:g}",
                )
            )
        )
        out.append(epoch_table(run, every))
        out.append(
            text(
                _(
                    "(L and |∇L| over all rows at the end of each epoch; the mean, lowest"
                    " and highest loss of the epoch's batches)"
                ),
                "dim",
            )
        )
        out.extend(_verdict(run))
        return out
    out.append(
        text(
            _("{method} from {start}, α = {rate}, at most {steps} steps, tol = {tol}").format(
                method=method_title(run),
                start=start,
                rate=learning_rate_text(run),
                steps=run.max_steps,
                tol=f"{run.tol:g}",
            )
        )
    )
    out.append(iteration_table(run, every))
    if run.steps + 1 > FIRST_ROWS + LAST_ROWS and (every or auto_every(run.steps)) > 1:
        k = every or auto_every(run.steps)
        shown = _("(the first and last steps, and every {ordinal} one between)")
        out.append(text(shown.format(ordinal=_ordinal(k)), "dim"))
    out.extend(_verdict(run))
    return out


def to_table(run: DescentRun, screen: Screen, *, every: int | None = None) -> str:
    """One run: the settings, the iterations shown, the verdict."""
    return render(lambda: renderables(run, every=every), screen)


def compare_renderables(
    runs: Sequence[DescentRun],
) -> list[RenderableType]:
    first = runs[0]
    out = _header(first)
    if first.ascent:
        title = _("ascent from {start}, tol = {tol}")
    else:
        title = _("descent from {start}, tol = {tol}")
    out.append(text(title.format(start=_floats(first.points[0]), tol=f"{first.tol:g}")))
    table = Table(show_edge=True, header_style="bold")
    table.add_column(_("method"))
    table.add_column("α", justify="right")
    table.add_column(_("steps"), justify="right")
    table.add_column(_("final f"), justify="right")
    table.add_column("|∇f|", justify="right")
    table.add_column(_("stop reason"))
    table.add_column(_("final θ"))
    for run in runs:
        style = "red" if run.diverged else ""
        table.add_row(
            text(method_label(run)),
            text(decimal(run.lr)),
            text(f"{run.steps}"),
            text(decimal(run.final_value, DIGITS)),
            text(decimal(run.gradient_norm, DIGITS)),
            text(reason_label(run), style),
            text(_floats(run.final_point)),
        )
    out.append(table)
    for run in runs:
        label = run_label(run)
        if run.diverged and run.diagnosis is not None:
            out.append(text(f"{label}: {run.diagnosis.message}", "red"))
        elif run.warning:
            warning = _("{run}: warning: {message}").format(run=label, message=run.warning)
            out.append(text(warning, "yellow"))
        elif run.stop_reason is StopReason.MAX_STEPS:
            out.append(text(f"{label}: {run.message}"))
        if run.oscillating and not run.diverged:
            names = _joined(run.oscillating_variables)
            flips = _("{run}: oscillated (the steps in {names} flipped sign step after step)")
            out.append(text(flips.format(run=label, names=names)))
    return out


def _joined(names: Sequence[str]) -> str:
    """``x and y and z`` in English."""
    shown = names[0] if names else ""
    for name in names[1:]:
        shown = _("{first} and {second}").format(first=shown, second=name)
    return shown


def compare_to_table(runs: Sequence[DescentRun], screen: Screen) -> str:
    """Several runs side by side: steps, final f, |∇f|, final θ, stop reason."""
    return render(lambda: compare_renderables(runs), screen)


class ProgressBar:
    """A progress bar on stderr that shows only once a run outlasts ``delay`` s.

    Called as ``bar(done, total)`` (the core's ``on_progress``); ``close()``
    removes it. Nothing is drawn for runs shorter than ``delay``.
    """

    def __init__(self, what: str, *, delay: float = 0.5, stream: Any = None) -> None:
        self.what = what
        self.delay = delay
        self.stream = stream if stream is not None else sys.stderr
        self.started = time.monotonic()
        self._progress: Any = None
        self._task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self._progress is None:
            if time.monotonic() - self.started < self.delay:
                return
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            # drawn only when stderr is a terminal: the caller checks
            console = Console(file=self.stream, stderr=True, force_terminal=True)
            self._progress = Progress(
                TextColumn(self.what),
                BarColumn(),
                MofNCompleteColumn(),
                console=console,
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task(self.what, total=total)
        self._progress.update(self._task, completed=done, total=total)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
