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

import json
from typing import TYPE_CHECKING, Any

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
    kind = type(result).__name__
    if kind == "Gradient":
        from gradcli.formats import grad

        text = grad.to_json(result)  # type: ignore[arg-type]
    elif kind == "Jacobian":
        from gradcli.formats import jacobian

        text = jacobian.to_json(result)  # type: ignore[arg-type]
    elif kind == "HessianResult":
        from gradcli.formats import hessian

        text = hessian.to_json(hessian_report(result))  # type: ignore[arg-type]
    elif kind == "CriticalAnalysis":
        from gradcli.formats import critical

        text = critical.to_json(critical_report(result))  # type: ignore[arg-type]
    elif kind == "DescentRun":
        from gradcli.formats import descent

        text = descent.to_json(result)  # type: ignore[arg-type]
    elif kind == "Verdict":
        from gradcli.formats import check

        text = check.to_json(result)  # type: ignore[arg-type]
    elif kind == "Derivation":
        from gradcli.formats import steps

        return json.loads(json.dumps(steps.as_json([result])[0]))  # type: ignore[list-item]
    else:
        raise TypeError(f"no JSON form for {kind}")
    data: dict[str, Any] = json.loads(text)
    return data


def hessian_report(result: HessianResult) -> HessianReport:
    """The :class:`~gradcli.second_order.HessianReport` the formats take."""
    from gradcli.second_order import HessianReport

    if result.function is None:
        raise ValueError("this Hessian was computed without its function: use gradcli.hessian")
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
        raise ValueError("this analysis was made without its function: use gradcli.critical_points")
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
    kind = type(result).__name__
    if kind == "Gradient":
        from gradcli.formats import grad

        block = grad.to_latex(result)  # type: ignore[arg-type]
    elif kind == "Jacobian":
        from gradcli.formats import jacobian

        block = jacobian.to_latex(result)  # type: ignore[arg-type]
    elif kind == "HessianResult":
        from gradcli.formats import hessian

        if result.function is None:  # type: ignore[attr-defined]
            return None
        block = hessian.to_latex(hessian_report(result))  # type: ignore[arg-type]
    elif kind == "CriticalAnalysis":
        from gradcli.formats import critical

        if result.function is None:  # type: ignore[attr-defined]
            return None
        block = critical.to_latex(critical_report(result))  # type: ignore[arg-type]
    elif kind == "Derivation":
        from gradcli.formats import steps

        block = steps.to_latex([result])  # type: ignore[list-item]
    else:
        return None
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
    kind = type(result).__name__
    if kind == "DescentRun":
        return _descent_markdown(result)  # type: ignore[arg-type]
    if kind == "Verdict":
        return _verdict_markdown(result)  # type: ignore[arg-type]
    return None


def _descent_markdown(run: DescentRun) -> str:
    from gradcli.descent.results import point_text
    from gradcli.formats.descent import kind_text, learning_rate_text, method_title
    from gradcli.printing import decimal, to_unicode

    names = ", ".join(to_unicode(v) for v in run.variables)
    lines = [
        f"**f({names}) = {_cell(to_unicode(run.expr))}**",
        "",
        f"{method_title(run)} from {point_text(run.points[0])}, α = {learning_rate_text(run)}:"
        f" **{run.stop_reason.value.replace('_', ' ')}** after {run.steps}"
        f" step{'s' * (run.steps != 1)}",
        "",
        f"- final point: {point_text(run.final_point)}",
        f"- f there: {decimal(run.final_value)}, |∇f| = {decimal(run.gradient_norm, 3)}",
        f"- it is {kind_text(run)}",
    ]
    lines.append(f"- {run.message}")
    if run.warning:
        lines.append(f"- warning: {run.warning}")
    if run.diagnosis is not None:
        lines.append(f"- why: {run.diagnosis.message}")
    lines.extend(f"- note: {note}" for note in run.notes)
    return "\n".join(lines)


def _verdict_markdown(verdict: Verdict) -> str:
    from gradcli.printing import to_unicode

    function = verdict.function
    names = ", ".join(to_unicode(v) for v in function.variables)
    title = f"**f({names}) = {_cell(to_unicode(function.expr))}**"
    if verdict.point is not None:
        title += f" at ({', '.join(to_unicode(c) for c in verdict.point)})"
    lines = [title, ""]
    lines.extend(f"note: {note}  " for note in verdict.notes)
    if verdict.notes:
        lines.append("")
    lines += [
        "| part | component | answer | verdict | method | feedback |",
        "|---|---|---|---|---|---|",
    ]
    marks = {"correct": "✓ correct", "wrong": "✗ wrong"}
    for part in verdict.parts:
        feedback = part.message
        if part.mistakes:
            feedback = "; ".join(filter(None, (", ".join(part.mistakes), feedback)))
        cells = (
            part.part,
            part.label,
            part.given,
            marks.get(part.verdict, part.verdict),
            part.method or "",
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

    kind = type(result).__name__
    if kind == "Gradient":
        from gradcli.render import grad

        items = grad.renderables(result)  # type: ignore[arg-type]
    elif kind == "Jacobian":
        from gradcli.render import jacobian

        items = jacobian.renderables(result)  # type: ignore[arg-type]
    elif kind == "HessianResult":
        from gradcli.render import hessian

        items = hessian.renderables(hessian_report(result))  # type: ignore[arg-type]
    elif kind == "CriticalAnalysis":
        from gradcli.render import critical

        items = critical.renderables(critical_report(result))  # type: ignore[arg-type]
    elif kind == "DescentRun":
        from gradcli.render import descent

        items = descent.renderables(result, notes=result.notes)  # type: ignore[arg-type, attr-defined]
    elif kind == "Verdict":
        from gradcli.render import check

        items = check.renderables(result)  # type: ignore[arg-type]
    elif kind == "Derivation":
        from gradcli.render import steps

        items = steps.renderables([result])  # type: ignore[list-item]
    else:
        raise TypeError(f"no rich form for {kind}")
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
