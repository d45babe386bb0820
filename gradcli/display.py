"""How results show themselves in Jupyter, in a rich console, and as JSON data.

The one home of the display glue, so that the result dataclasses stay thin:
each inherits :class:`Displayable`, whose methods ask this module, and this
module asks the output formats (:mod:`gradcli.formats`, the one source of
each result's JSON and LaTeX) and the renderers (:mod:`gradcli.render`, the
rich tables). Everything is imported when first shown, so that importing a
result class costs nothing: the core stays free of rich, and ``to_dict()``
of free of it too.

* ``to_dict()``: exactly what the command's ``--format json`` prints for
  the same input, as plain JSON-ready data;
* ``_repr_latex_()``: the ``--format latex`` block inside ``$$ … $$``, which
  Jupyter hands to MathJax (results that are mathematics);
* ``_repr_markdown_()``: a short summary (a descent run, a checked answer);
* ``__rich__()``: the tables ``gradcli`` prints, for ``rich.print(result)``.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from gradcli.i18n import _, ngettext

if TYPE_CHECKING:
    from rich.console import RenderableType

    from gradcli.critical.results import CriticalAnalysis
    from gradcli.descent.results import DescentRun
    from gradcli.formats.critical import CriticalReport
    from gradcli.grading.results import Verdict
    from gradcli.second_order import HessianReport, HessianResult

__all__ = ["Displayable", "latex", "markdown", "renderable", "short_repr", "to_dict"]


class Displayable:
    """Rich display and ``to_dict()`` for a result dataclass (a mixin)."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """This result as the command's ``--format json`` prints it (JSON-ready)."""
        return to_dict(self)

    def _repr_latex_(self) -> str | None:
        return latex(self)

    def _repr_markdown_(self) -> str | None:
        return markdown(self)

    def __rich__(self) -> RenderableType:
        return renderable(self)


# --------------------------------------------------------------------------
# JSON


def to_dict(result: object) -> dict[str, Any]:
    """The JSON object ``gradcli <command> --format json`` prints for ``result``.

    Read back from the format's own JSON text, so that it is the same object,
    key for key, and holds only JSON types (strings for exact values).

    >>> from gradcli import gradient
    >>> to_dict(gradient("x^2 + y^2 + xy", at="1,3"))["magnitude"]
    'sqrt(74)'
    """
    command, subject = _subject(result)
    formats = importlib.import_module(f"gradcli.formats.{command}")
    if command == "steps":
        return json.loads(json.dumps(formats.as_json(subject)[0]))
    text = formats.to_json(subject)
    data: dict[str, Any] = json.loads(text)
    return data


def _subject(result: object) -> tuple[str, Any]:
    """The command a result comes from, and what its format and render functions take.

    The one place that knows which result is which: ``to_dict``, ``latex``,
    ``markdown`` and ``renderable`` all ask it. A result's class is looked up
    only in modules already imported (a result exists, so its module does).
    """
    for module, name, command, subject in _KINDS:
        loaded = sys.modules.get(module)
        if loaded is not None and isinstance(result, getattr(loaded, name)):
            return command, subject(result)
    raise TypeError(f"no display for {type(result).__name__}")


#: (module, class, command, what the command's formats take)
_KINDS: tuple[tuple[str, str, str, Callable[[Any], Any]], ...] = (
    ("gradcli.calculus", "Gradient", "grad", lambda r: r),
    ("gradcli.calculus", "Jacobian", "jacobian", lambda r: r),
    ("gradcli.second_order", "HessianResult", "hessian", lambda r: hessian_report(r)),
    ("gradcli.critical.results", "CriticalAnalysis", "critical", lambda r: critical_report(r)),
    ("gradcli.descent.results", "DescentRun", "descent", lambda r: r),
    ("gradcli.grading.results", "Verdict", "check", lambda r: r),
    ("gradcli.steps", "Derivation", "steps", lambda r: [r]),
)


def _notes(command: str, subject: Any) -> tuple[str, ...]:
    """How f was read (and analysed): what the command says on stderr, ``note: …``."""
    formats = importlib.import_module(f"gradcli.formats.{command}")
    if hasattr(formats, "notes_of"):
        return tuple(formats.notes_of(subject))
    return tuple(_("note: {note}").format(note=note) for note in getattr(subject, "notes", ()))


def hessian_report(result: HessianResult) -> HessianReport:
    """The :class:`~gradcli.second_order.HessianReport` the formats take."""
    from gradcli.second_order import HessianReport

    if result.function is None:
        raise ValueError(_("this Hessian was computed without its function: use gradcli.hessian"))
    return HessianReport(
        result.function,
        result,
        result.parameter_values,
        result.function_value,
        result.function_value_float,
    )


def critical_report(analysis: CriticalAnalysis) -> CriticalReport:
    """The :class:`~gradcli.formats.critical.CriticalReport` the formats take."""
    from gradcli.derivatives import partial_derivatives
    from gradcli.formats.critical import CriticalReport

    function = analysis.function
    if function is None:
        raise ValueError(
            _("this analysis was made without its function: use gradcli.critical_points")
        )
    gradient = partial_derivatives(function.expr, function.variables)
    return CriticalReport(function, gradient, analysis)


# --------------------------------------------------------------------------
# Jupyter


def latex(result: object) -> str | None:
    r"""The ``--format latex`` block as Jupyter's ``text/latex``, or None.

    A block that is not already display mathematics is put in ``$$ … $$``.

    >>> from gradcli import gradient
    >>> print(latex(gradient("x^2 + y^2 + xy", at="1,3")))  # doctest: +ELLIPSIS
    $$\begin{align*}
    f(x, y) &= x^{2} + x y + y^{2} \\
    ...
    \end{align*}$$
    """
    if getattr(result, "function", "") is None:
        return None  # made by a lower-level call that does not keep f
    command, subject = _subject(result)
    if command in ("descent", "check"):
        return None  # not one formula: shown as Markdown
    block = importlib.import_module(f"gradcli.formats.{command}").to_latex(subject)
    return math_block(block)


def math_block(block: str) -> str:
    r"""A LaTeX block as display mathematics: ``$$ … $$`` unless it is one already.

    >>> math_block("x^2\n")
    '$$x^2$$'
    >>> math_block("\\[\nx^2\n\\]\n")
    '\\[\nx^2\n\\]'
    """
    block = block.strip()
    if block.startswith(("\\[", "$$")):
        return block
    return f"$${block}$$"


def markdown(result: object) -> str | None:
    """A short Markdown summary for results that are not one formula, or None.

    >>> from gradcli import check
    >>> print(markdown(check("x^2 + y^2", gradient="2x, 2y")))
    **f(x, y) = x² + y²**
    <BLANKLINE>
    | part | component | answer | verdict | method | feedback |
    |---|---|---|---|---|---|
    | gradient | ∂f/∂x | 2x | ✓ correct | symbolic |  |
    | gradient | ∂f/∂y | 2y | ✓ correct | symbolic |  |
    <BLANKLINE>
    All 1 part correct.
    """
    command, subject = _subject(result)
    if command == "descent":
        return _descent_markdown(subject)
    if command == "check":
        return _verdict_markdown(subject)
    return None


def _descent_markdown(run: DescentRun) -> str:
    from gradcli.descent.results import point_text
    from gradcli.formats.descent import (
        kind_text,
        learning_rate_text,
        method_title,
        reason_label,
    )
    from gradcli.printing import decimal, to_unicode

    names = ", ".join(to_unicode(v) for v in run.variables)
    lines = [
        f"**f({names}) = {_cell(to_unicode(run.expr))}**",
        "",
        ngettext(
            "{method} from {start}, α = {rate}: **{stop}** after {n} step",
            "{method} from {start}, α = {rate}: **{stop}** after {n} steps",
            run.steps,
        ).format(
            method=method_title(run),
            start=point_text(run.points[0]),
            rate=learning_rate_text(run),
            stop=reason_label(run),
            n=run.steps,
        ),
        "",
        _("- final point: {point}").format(point=point_text(run.final_point)),
        _("- f there: {value}, |∇f| = {norm}").format(
            value=decimal(run.final_value), norm=decimal(run.gradient_norm, 3)
        ),
        _("- it is {kind}").format(kind=kind_text(run)),
    ]
    lines.append(f"- {run.message}")
    if run.warning:
        lines.append(_("- warning: {warning}").format(warning=run.warning))
    if run.diagnosis is not None:
        lines.append(_("- why: {reason}").format(reason=run.diagnosis.message))
    lines.extend(_("- note: {note}").format(note=note) for note in run.notes)
    return "\n".join(lines)


def _verdict_markdown(verdict: Verdict) -> str:
    from gradcli.grading.results import label_shown, method_label, part_label, verdict_label
    from gradcli.printing import to_unicode

    function = verdict.function
    names = ", ".join(to_unicode(v) for v in function.variables)
    title = f"**f({names}) = {_cell(to_unicode(function.expr))}**"
    if verdict.point is not None:
        point = ", ".join(to_unicode(c) for c in verdict.point)
        title = _("{function} at ({point})").format(function=title, point=point)
    lines = [title, ""]
    lines.extend(_("note: {note}").format(note=note) + "  " for note in verdict.notes)
    if verdict.notes:
        lines.append("")
    header = (
        _("part"),
        _("component"),
        _("answer"),
        _("verdict"),
        _("method"),
        _("feedback"),
    )
    lines += ["| " + " | ".join(header) + " |", "|---|---|---|---|---|---|"]
    marks = {"correct": "✓ ", "wrong": "✗ "}
    for part in verdict.parts:
        feedback = part.message
        if part.mistakes:
            feedback = "; ".join(filter(None, (", ".join(part.mistakes), feedback)))
        cells = (
            part_label(part.part),
            label_shown(part.label),
            part.given,
            marks.get(part.verdict, "") + verdict_label(part.verdict),
            method_label(part.method) if part.method else "",
            feedback,
        )
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines += ["", verdict.summary]
    return "\n".join(lines)


def _cell(text: str) -> str:
    """Text safe inside Markdown: no table bars, emphasis or raw HTML from it.

    >>> _cell("|x|*2 <b>")
    '\\\\|x\\\\|\\\\*2 &lt;b&gt;'
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "\\|*_`[]$#":
        text = text.replace(ch, "\\" + ch)
    return " ".join(text.split())


# --------------------------------------------------------------------------
# rich


def renderable(result: object) -> RenderableType:
    """The tables ``gradcli`` prints for ``result``, as one rich renderable."""
    from rich.console import Group
    from rich.text import Text

    command, subject = _subject(result)
    items = list(importlib.import_module(f"gradcli.render.{command}").renderables(subject))
    # the command prints how f was read on stderr; here it belongs with the rest
    items += [Text(note, style="yellow") for note in _notes(command, subject)]
    return Group(*items)


# --------------------------------------------------------------------------
# repr


def short_repr(run: DescentRun) -> str:
    """A descent run in one line: its settings and where it ended, not every step.

    >>> from gradcli import descend
    >>> descend("(x - 2)^2", start=0.5, lr=0.25)
    DescentRun(method='gd', lr=0.25, steps=29, stop='converged', last=(2,), f=7.81e-18)
    """
    last = ", ".join(f"{v:.3g}" for v in run.final_point)
    if len(run.final_point) == 1:
        last += ","
    return (
        f"DescentRun(method={run.method!r}, lr={run.lr!r}, steps={run.steps},"
        f" stop={run.stop_reason.value!r}, last=({last}), f={run.final_value:.3g})"
    )
