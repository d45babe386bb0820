"""PlotSummary: what a written picture shows, as data (JSON) and as a few lines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gradcli.i18n import _
from gradcli.plot.scene import CriticalMark, DrawnPath, Scene
from gradcli.plot.subject import kind_label

__all__ = ["PlotSummary", "summarise", "to_json", "to_plain"]


@dataclass(frozen=True)
class PlotSummary:
    """What a figure shows, for tests and scripts.

    ``kind`` is ``"contour"`` (two plotted variables) or ``"curve"`` (one:
    the plotted coordinates are (x, f(x))). ``axes`` names the plotted
    variables, ``fixed`` the others with their values on a slice. ``arrow``
    is ∇f at P in the plotted variables (f'(P) for a curve) and ``gradient``
    the whole gradient there; ``arrow_start``/``arrow_end`` are where the
    ∇f arrow is drawn (its length is a share of the window, not |∇f|).
    ``levels`` are the filled contour levels, ``value_range`` the finite f
    on the grid, ``undefined_share`` the share of the grid where f is
    undefined (left blank). ``values_scale`` is the second panel's y scale,
    ``values_reference`` the f* it subtracts (None when it shows f itself).
    """

    path: str
    format: str
    kind: str
    axes: tuple[str, ...]
    fixed: tuple[tuple[str, float], ...]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    levels: tuple[float, ...]
    value_range: tuple[float, float] | None
    undefined_share: float
    #: P in all the variables, and in the plotted ones
    point: tuple[float, ...] | None
    at: tuple[float, ...] | None
    value_at: float | None
    gradient: tuple[float, ...] | None
    gradient_text: str | None
    arrow: tuple[float, ...] | None
    arrow_start: tuple[float, float] | None
    arrow_end: tuple[float, float] | None
    tangent: tuple[float, float] | None
    paths: tuple[DrawnPath, ...]
    values_scale: str | None
    critical: tuple[CriticalMark, ...]
    title: str
    dpi: int
    size_px: tuple[int, int]
    notes: tuple[str, ...] = ()
    #: f* when the second panel shows f − f*
    values_reference: float | None = None

    @property
    def levels_range(self) -> tuple[float, float] | None:
        """The lowest and highest contour level."""
        return (self.levels[0], self.levels[-1]) if self.levels else None

    @property
    def window(self) -> tuple[float, float, float, float]:
        """(xmin, xmax, ymin, ymax)."""
        return (*self.xlim, *self.ylim)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "path": self.path,
            "format": self.format,
            "kind": self.kind,
            "axes": list(self.axes),
            "fixed": {name: value for name, value in self.fixed},
            "window": list(self.window),
            "levels": list(self.levels),
            "levels_range": _listed(self.levels_range),
            "value_range": _listed(self.value_range),
            "undefined_share": self.undefined_share,
            "point": _listed(self.point),
            "at": _listed(self.at),
            "value_at": self.value_at,
            "gradient": _listed(self.gradient),
            "gradient_text": self.gradient_text,
            "arrow": _listed(self.arrow),
            "tangent": _listed(self.tangent),
            "paths": [
                {
                    "label": p.label,
                    "name": p.name,
                    "method": p.method,
                    "lr": p.lr,
                    "stop_reason": p.stop_reason,
                    "oscillating": p.oscillating,
                    "points": [list(q) for q in p.points],
                    "pieces": len(p.pieces),
                    "exits": [list(q) for q in p.exits],
                    "exit_steps": list(p.exit_steps),
                    "start": _listed(p.start),
                    "end": _listed(p.end),
                }
                for p in self.paths
            ],
            "values_scale": self.values_scale,
            "values_reference": self.values_reference,
            "critical": [{"point": list(c.point), "kind": c.kind} for c in self.critical],
            "title": self.title,
            "dpi": self.dpi,
            "size_px": list(self.size_px),
            "notes": list(self.notes),
        }


def _listed(values: tuple[Any, ...] | None) -> list[Any] | None:
    return None if values is None else list(values)


def summarise(
    scene: Scene,
    *,
    path: str,
    format: str,
    dpi: int,
    title: str,
    size_px: tuple[int, int],
    notes: tuple[str, ...] = (),
) -> PlotSummary:
    """The summary of ``scene`` drawn into ``path`` with this title and size.

    ``notes`` are said about the drawing, after the scene's own.
    """
    pointer = scene.pointer
    x0, x1, y0, y1 = scene.window
    return PlotSummary(
        path=path,
        format=format,
        kind=scene.kind,
        axes=scene.axes,
        fixed=scene.fixed,
        xlim=(x0, x1),
        ylim=(y0, y1),
        levels=scene.levels,
        value_range=scene.value_range,
        undefined_share=scene.undefined_share,
        point=scene.point,
        at=scene.at,
        value_at=scene.value_at,
        gradient=scene.gradient,
        gradient_text=scene.gradient_text,
        arrow=scene.arrow,
        arrow_start=None if pointer is None else pointer.start,
        arrow_end=None if pointer is None else pointer.end,
        tangent=None if pointer is None else pointer.tangent,
        paths=scene.paths,
        values_scale=scene.values_scale,
        critical=scene.critical,
        title=title,
        dpi=dpi,
        size_px=size_px,
        notes=(*scene.notes, *notes),
        values_reference=None if scene.progress is None else scene.progress.reference,
    )


def to_json(summary: PlotSummary) -> str:
    """The summary as one JSON document (``gradcli plot -f json``), after
    ``schema_version`` and ``language`` as every JSON document of gradcli."""
    from gradcli.formats.common import dumps, versioned

    return dumps(versioned(summary.as_dict())) + "\n"


def to_plain(summary: PlotSummary) -> str:
    """A few lines about the picture (``gradcli plot``'s default output)."""
    from gradcli.printing import decimal

    def point(values: Any) -> str:
        return "(" + ", ".join(decimal(v, 4) for v in values) + ")"

    width, height = summary.size_px
    x0, x1, y0, y1 = summary.window
    lines = [
        _("wrote {path} ({format}, {width}×{height} px)").format(
            path=summary.path, format=summary.format, width=width, height=height
        )
    ]
    names = summary.axes
    if summary.kind == "curve":
        lines.append(
            _("window: {x} from {xmin} to {xmax}").format(
                x=names[0], xmin=decimal(x0), xmax=decimal(x1)
            )
        )
    else:
        lines.append(
            _("window: {x} from {xmin} to {xmax}, {y} from {ymin} to {ymax}").format(
                x=names[0],
                xmin=decimal(x0),
                xmax=decimal(x1),
                y=names[1],
                ymin=decimal(y0),
                ymax=decimal(y1),
            )
        )
    for name, value in summary.fixed:
        lines.append(_("slice: {name} = {value}").format(name=name, value=decimal(value)))
    if summary.point is not None and summary.gradient_text is not None:
        shown = point(summary.point)
        if summary.kind == "curve":
            lines.append(f"f'{shown} = {summary.gradient_text[1:-1]}")
        else:
            lines.append(f"∇f{shown} = {summary.gradient_text}")
    for path in summary.paths:
        line = path.label
        if path.exit_steps:
            line = _("{run}; leaves the window at step {step}").format(
                run=path.label, step=path.exit_steps[0]
            )
        lines.append(line)
    if summary.critical:
        kinds: dict[str, int] = {}
        for mark in summary.critical:
            kinds[mark.kind] = kinds.get(mark.kind, 0) + 1
        counted = ", ".join(
            _("{count} {kind}").format(count=n, kind=kind_label(kind)) for kind, n in kinds.items()
        )
        lines.append(_("critical points: {counted}").format(counted=counted))
    return "\n".join(lines) + "\n"
