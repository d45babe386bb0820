"""Pictures of f: contour maps, gradient fields, descent paths and curves.

:func:`plot_function` draws one figure and returns a :class:`PlotSummary`,
the figure's data (window, contour levels, the gradient arrow at P, each
descent path as drawn), so that tests and scripts can check the picture
without looking at it. It is two steps, each its own module:

* :mod:`gradcli.plot.scene` computes what the picture shows, as numbers
  (with :mod:`~gradcli.plot.geometry`, :mod:`~gradcli.plot.numeric` and
  :mod:`~gradcli.plot.progress`); it never imports matplotlib.
* :mod:`gradcli.plot.draw` turns that scene into a file; it is the only
  module that imports matplotlib, inside its functions.

What is drawn:

* Two variables: filled contours of f with labelled contour lines and a
  colour bar; ∇f as arrows of equal length on a grid, coloured by |∇f|; at P
  the arrows ∇f (steepest ascent) and −∇f, the level curve through P and its
  tangent, which is perpendicular to ∇f; critical points marked by kind.
* Descent runs: each path on the map in its own colour, start and end
  marked, clipped to the window with a marker where it leaves; a second panel
  shows f(θ_k) against k, or f(θ_k) − f* on a log scale when the best value
  f* is known (:mod:`~gradcli.plot.progress`), with one legend entry per run.
* One variable: the curve with its tangent at P, and the derivative below.
* Three or more: a slice through P in two chosen variables, the others fixed
  at P.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gradcli.errors import InputError
from gradcli.i18n import _
from gradcli.limits import Limits
from gradcli.parse import Function
from gradcli.plot.draw import INSTALL, require_matplotlib
from gradcli.plot.scene import GRID, CriticalMark, DrawnPath
from gradcli.plot.summary import PlotSummary

if TYPE_CHECKING:
    from gradcli.descent import DescentRun

__all__ = [
    "FORMATS",
    "INSTALL",
    "CriticalMark",
    "DrawnPath",
    "PlotSummary",
    "output_format",
    "plot_function",
    "require_matplotlib",
]

#: output formats, chosen by the file's extension
FORMATS = ("png", "svg", "pdf")


def output_format(path: str | Path) -> str:
    """The format a file name asks for: ``png``, ``svg`` or ``pdf``.

    >>> output_format("seed.PNG"), output_format("out/f.pdf")
    ('png', 'pdf')
    """
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise InputError(
            _(
                "cannot tell the picture's format from {path}: "
                "end the file name in .png, .svg or .pdf"
            ).format(path=repr(str(path)))
        )
    return suffix


def plot_function(
    function: Function,
    *,
    path: str | Path,
    at: Mapping[Any, Any] | Sequence[Any] | str | None = None,
    runs: Sequence[DescentRun] = (),
    critical: bool = False,
    window: Sequence[float] | None = None,
    slice_vars: Sequence[str] | None = None,
    dpi: int = 150,
    limits: Limits | None = None,
    grid: int = GRID,
) -> PlotSummary:
    """Draw f (with ∇f at P, descent paths, critical points) into ``path``.

    Parameters
    ----------
    function : Function
        f, from :func:`gradcli.parse.parse_function`. Values for its
        parameters come from ``at`` (``"x=1, y=3, a=2"``).
    path : str or Path
        The file to write; ``.png``, ``.svg`` or ``.pdf`` picks the format.
    at : point, optional
        P, as :func:`gradcli.parse.parse_point` returns it (or text, or a
        sequence of numbers, read exactly: 0.1 is 1/10): the gradient arrow,
        level curve and tangent are drawn there, and a slice passes through it.
    runs : sequence of DescentRun
        Descent runs of f to draw, with a panel of f(θ_k) against k.
    critical : bool
        Find the critical points and mark each by kind.
    window : (xmin, xmax, ymin, ymax), optional
        The plotted region; by default chosen around P, the critical points
        and the (non-diverging) paths. For one variable ymin, ymax bound f.
    slice_vars : pair of names, optional
        The two variables a function of three or more is drawn in; the
        others are fixed at P. Default: the first two.
    dpi : int
        Resolution of a PNG (and of the images inside a PDF or SVG).
    limits : Limits, optional
        Time budgets (the critical-point search gets half of ``timeout``).
    grid : int
        Grid points along each axis of a contour map.

    Returns
    -------
    PlotSummary

    Examples
    --------
    >>> import tempfile, os
    >>> from gradcli.parse import parse_function, parse_point
    >>> f = parse_function("x^2 + y^2 + xy")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     s = plot_function(f, path=os.path.join(folder, "f.png"),
    ...                       at=parse_point("1,3", f), dpi=40, grid=30)
    >>> s.arrow, s.gradient_text, s.format
    ((5.0, 7.0), '(5, 7)', 'png')
    """
    from gradcli.plot.draw import draw
    from gradcli.plot.scene import build_scene
    from gradcli.plot.summary import summarise

    require_matplotlib()
    fmt = output_format(path)
    if isinstance(dpi, bool) or not isinstance(dpi, int) or not 10 <= dpi <= 1200:
        raise InputError(
            _("the resolution must be a whole number of dpi from 10 to 1200, got {dpi}").format(
                dpi=repr(dpi)
            )
        )
    from gradcli.plot.draw import picture_language

    # without a font for the active language's letters, the picture's words are English
    labels, font_notes = picture_language()
    scene = build_scene(
        function,
        at=at,
        runs=runs,
        critical=critical,
        window=window,
        slice_vars=slice_vars,
        limits=limits,
        grid=grid,
        labels=labels,
    )
    drawn = draw(scene, path=Path(path), format=fmt, dpi=dpi, language=labels)
    return summarise(
        scene, path=str(Path(path)), format=fmt, dpi=dpi, title=drawn.title,
        size_px=drawn.size_px, notes=font_notes,
    )  # fmt: skip
