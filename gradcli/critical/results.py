"""What a critical-point analysis returns: frozen dataclasses and the kind words."""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from gradcli import i18n
from gradcli.display import Displayable
from gradcli.i18n import N_
from gradcli.kinds import PointKind
from gradcli.parse import Function
from gradcli.tolerances import NUMERIC_GRADIENT_ZERO

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
    "verdict_label",
]

LOCAL_MIN = PointKind.MINIMUM.short
LOCAL_MAX = PointKind.MAXIMUM.short
SADDLE = PointKind.SADDLE.short
DEGENERATE = PointKind.DEGENERATE.short
NONDIFFERENTIABLE = PointKind.NONDIFFERENTIABLE.short

#: the convexity verdicts (machine values, English in JSON) as people read them
_VERDICT_LABEL = {
    "strictly convex": N_("strictly convex"),
    "convex": N_("convex"),
    "strictly concave": N_("strictly concave"),
    "concave": N_("concave"),
    "neither": N_("neither convex nor concave"),
    "unknown": N_("not decided"),
}


def verdict_label(verdict: str) -> str:
    """A convexity verdict (``"strictly convex"``) in the active language."""
    known = _VERDICT_LABEL.get(verdict)
    return verdict if known is None else i18n._(known)


#: the bound on every |∂f/∂xᵢ| at the floats of a numeric point (stated in
#: the output as its ``tolerance``); the point itself is certified far beyond it
NUMERIC_TOLERANCE = NUMERIC_GRADIENT_ZERO


@dataclass(frozen=True)
class CriticalPoint:
    """One isolated critical point and its classification.

    ``kind`` is ``"local min"``, ``"local max"``, ``"saddle"``,
    ``"degenerate"`` (second-derivative test inconclusive) or
    ``"nondifferentiable"`` (∇f does not exist there: a corner of |u|); for a
    degenerate point ``higher_order`` is what sampling f around it showed:
    ``"minimum"``, ``"maximum"``, ``"neither"``, ``"flat"``, or ``None`` if not
    checked; for a nondifferentiable point what an exact check proved
    (``"minimum"``, ``"maximum"``, ``"neither"``), or ``None`` (undecided).
    ``point`` and ``value`` are exact (possibly long: ``CRootOf`` expressions
    for roots not expressible in radicals), or ``None`` for numeric points.
    ``tolerance`` bounds |∂f/∂xᵢ| at ``point_float`` of a numeric point; it is
    ``None`` for exact ones. ``refined`` is a numeric point to
    :data:`~gradcli.tolerances.CERTIFY_DIGITS` digits, where Newton's method
    certified it (``None`` for exact points).
    """

    point: tuple[sympy.Expr, ...] | None
    point_float: tuple[float, ...]
    kind: str
    value: sympy.Expr | None
    value_float: float
    numeric: bool
    tolerance: float | None
    eigenvalues_float: tuple[float, ...]
    note: str = ""
    higher_order: str | None = None
    refined: tuple[sympy.Float, ...] | None = None


@dataclass(frozen=True)
class CriticalSet:
    """Infinitely many critical points, described by equations.

    ``equations`` hold on the set (``Eq(x, y)`` for the line x = y); an empty
    tuple with ``numeric=False`` means every point of ℝⁿ (a constant f), and
    with ``numeric=True`` a continuum the numeric search found but could not
    describe. ``dimension`` is the number of free coordinates. ``kind`` is
    ``"local min"``/``"local max"`` (non-strict: f is constant along the set),
    ``"saddle"``, or ``"degenerate"`` when it differs along the set or f is
    flat. ``samples`` are a few points of the set.
    """

    equations: tuple[sympy.Basic, ...]
    dimension: int
    kind: str
    value: sympy.Expr | None
    value_float: float | None
    numeric: bool
    samples: tuple[tuple[float, ...], ...]
    note: str = ""


@dataclass(frozen=True)
class Convexity:
    """Whether f is convex, with the evidence.

    ``verdict`` is ``"strictly convex"``, ``"convex"``, ``"strictly concave"``,
    ``"concave"``, ``"neither"`` or ``"unknown"``. A proof holds on all of ℝⁿ
    (where f is defined); ``not_convex_at``/``not_concave_at`` are exact points
    where the Hessian has a negative/positive eigenvalue (the same point when
    it is indefinite there).
    """

    verdict: str
    evidence: str
    not_convex_at: tuple[sympy.Expr, ...] | None = None
    not_concave_at: tuple[sympy.Expr, ...] | None = None


@dataclass(frozen=True)
class GlobalExtremum:
    """The global minimum or maximum, when it can be told.

    ``status`` is ``"found"`` (``points``/``sets`` are where it is attained),
    ``"none"`` (provably not attained: unbounded, or no critical point), or
    ``"unknown"``; ``reason`` says why in one line.
    """

    kind: str
    status: str
    points: tuple[CriticalPoint, ...]
    sets: tuple[CriticalSet, ...]
    value: sympy.Expr | None
    value_float: float | None
    reason: str


@dataclass(frozen=True)
class CriticalAnalysis(Displayable):
    """The critical points of f, its convexity and its global extrema.

    ``method`` is ``"symbolic"`` (sympy solved ∇f = 0), ``"numeric"`` (the
    symbolic solve failed; points come from the numeric search) or ``"mixed"``.
    ``complete`` is true when the points and sets are provably all critical
    points on ℝⁿ; otherwise the numeric search covered only ``box`` (in every
    coordinate).
    """

    variables: tuple[sympy.Symbol, ...]
    points: tuple[CriticalPoint, ...]
    sets: tuple[CriticalSet, ...]
    convexity: Convexity
    global_min: GlobalExtremum
    global_max: GlobalExtremum
    method: str
    complete: bool
    box: tuple[float, float]
    notes: tuple[str, ...] = ()
    #: the function analysed, as read (what to_dict() and the display show)
    function: Function | None = None
