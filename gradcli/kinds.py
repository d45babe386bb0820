"""One vocabulary for what a point is, and the one function that decides it.

Inside gradcli a point's kind and a matrix's definiteness are enums; the
words each output uses ("local minimum" in ``hessian``, "local min" in
``critical``, "minimum" in ``descend``) are chosen at the edge from these
tables, so that the commands cannot disagree about what a point is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import Enum

from gradcli import i18n
from gradcli.i18n import N_
from gradcli.tolerances import EIGENVALUE_ZERO_EXACT_POINT

__all__ = [
    "Definiteness",
    "PointKind",
    "classify",
    "definiteness_from_eigenvalues",
    "definiteness_from_signs",
    "label",
]


class Definiteness(str, Enum):
    """The definiteness of a symmetric matrix; the value is the word shown."""

    POSITIVE_DEFINITE = "positive definite"
    NEGATIVE_DEFINITE = "negative definite"
    POSITIVE_SEMIDEFINITE = "positive semidefinite"
    NEGATIVE_SEMIDEFINITE = "negative semidefinite"
    INDEFINITE = "indefinite"

    def __str__(self) -> str:
        return self.value

    @property
    def label(self) -> str:
        """The definiteness in the active language, for people (the value stays English)."""
        return i18n._(_DEFINITENESS_LABEL[self])


class PointKind(str, Enum):
    """What a point is; the value is the word ``descend`` shows."""

    MINIMUM = "minimum"
    MAXIMUM = "maximum"
    SADDLE = "saddle"
    #: one variable, f'' = 0 and the first non-zero derivative has odd order
    INFLECTION = "inflection"
    #: an eigenvalue is zero: the second-derivative test says nothing
    DEGENERATE = "degenerate"
    #: ∇f ≠ 0 there: not a critical point, so no kind
    NOT_CRITICAL = "not_critical"
    #: the Hessian could not be evaluated there
    UNKNOWN = "unknown"
    #: f has no derivative there (a corner or a jump of |u|, sign(u)): a
    #: critical point in the textbook sense, outside the second-derivative test
    NONDIFFERENTIABLE = "nondifferentiable"

    def __str__(self) -> str:
        return self.value

    @property
    def test_verdict(self) -> str:
        """The second-derivative test's words (``gradcli hessian``)."""
        return _TEST_VERDICT[self]

    @property
    def short(self) -> str:
        """The words of a table of critical points (``gradcli critical``)."""
        return _SHORT[self]


_TEST_VERDICT = {
    PointKind.MINIMUM: "local minimum",
    PointKind.MAXIMUM: "local maximum",
    PointKind.SADDLE: "saddle point",
    PointKind.INFLECTION: "test inconclusive",
    PointKind.DEGENERATE: "test inconclusive",
    PointKind.NOT_CRITICAL: "not a critical point",
    PointKind.UNKNOWN: "undecided",
    PointKind.NONDIFFERENTIABLE: "not differentiable",
}

_SHORT = {
    PointKind.MINIMUM: "local min",
    PointKind.MAXIMUM: "local max",
    PointKind.SADDLE: "saddle",
    PointKind.INFLECTION: "degenerate",
    PointKind.DEGENERATE: "degenerate",
    PointKind.NOT_CRITICAL: "not critical",
    PointKind.UNKNOWN: "undecided",
    PointKind.NONDIFFERENTIABLE: "nondifferentiable",
}

_DEFINITENESS_LABEL = {
    Definiteness.POSITIVE_DEFINITE: N_("positive definite"),
    Definiteness.NEGATIVE_DEFINITE: N_("negative definite"),
    Definiteness.POSITIVE_SEMIDEFINITE: N_("positive semidefinite"),
    Definiteness.NEGATIVE_SEMIDEFINITE: N_("negative semidefinite"),
    Definiteness.INDEFINITE: N_("indefinite"),
}

#: the words of every table above, marked for the catalogue: a machine value
#: (JSON, CSV) stays English, and :func:`label` shows it in the active language
_LABELS = {
    "local minimum": N_("local minimum"),
    "local maximum": N_("local maximum"),
    "saddle point": N_("saddle point"),
    "test inconclusive": N_("test inconclusive"),
    "not a critical point": N_("not a critical point"),
    "undecided": N_("undecided"),
    "not differentiable": N_("not differentiable"),
    "local min": N_("local min"),
    "local max": N_("local max"),
    "saddle": N_("saddle"),
    "degenerate": N_("degenerate"),
    "not critical": N_("not critical"),
    "nondifferentiable": N_("nondifferentiable"),
    # what sampling around a degenerate point showed (CriticalPoint.higher_order)
    "minimum": N_("minimum"),
    "maximum": N_("maximum"),
    "neither": N_("neither"),
    "flat": N_("flat"),
}


def label(words: str) -> str:
    """A kind's English machine words (``"local min"``, ``"saddle point"``,
    ``"positive definite"``) as shown to a person, in the active language;
    words it does not know are returned as they are.

    >>> label("local min"), label(str(Definiteness.INDEFINITE))
    ('local min', 'indefinite')
    """
    known = _LABELS.get(words)
    if known is None:
        try:
            return Definiteness(words).label
        except ValueError:
            return words
    return i18n._(known)


_BY_DEFINITENESS = {
    Definiteness.POSITIVE_DEFINITE: PointKind.MINIMUM,
    Definiteness.NEGATIVE_DEFINITE: PointKind.MAXIMUM,
    Definiteness.INDEFINITE: PointKind.SADDLE,
    Definiteness.POSITIVE_SEMIDEFINITE: PointKind.DEGENERATE,
    Definiteness.NEGATIVE_SEMIDEFINITE: PointKind.DEGENERATE,
}


def classify(definiteness: Definiteness | None, *, critical: bool | None) -> PointKind:
    """What a point is, from whether ∇f vanishes there and the Hessian's definiteness.

    ``critical`` is ``True`` when ∇f = 0 there (proved, or within the
    caller's stated tolerance), ``False`` when ∇f ≠ 0, ``None`` when it could
    not be told. No kind is ever named at a point that is not critical, or
    may not be: the second-derivative test says nothing there.

    >>> classify(Definiteness.POSITIVE_DEFINITE, critical=True)
    <PointKind.MINIMUM: 'minimum'>
    >>> classify(Definiteness.POSITIVE_DEFINITE, critical=False).test_verdict
    'not a critical point'
    >>> classify(Definiteness.INDEFINITE, critical=None)
    <PointKind.UNKNOWN: 'unknown'>
    """
    if critical is False:
        return PointKind.NOT_CRITICAL
    if critical is None or definiteness is None:
        return PointKind.UNKNOWN
    return _BY_DEFINITENESS[Definiteness(definiteness)]


def definiteness_from_signs(signs: Iterable[int]) -> Definiteness:
    """Definiteness from the signs (-1, 0, 1) of all the eigenvalues.

    >>> definiteness_from_signs([1, 0]).value
    'positive semidefinite'
    """
    present = set(signs)
    if 1 in present and -1 in present:
        return Definiteness.INDEFINITE
    if -1 in present:
        return (
            Definiteness.NEGATIVE_DEFINITE
            if 0 not in present
            else Definiteness.NEGATIVE_SEMIDEFINITE
        )
    if 1 in present:
        return (
            Definiteness.POSITIVE_DEFINITE
            if 0 not in present
            else Definiteness.POSITIVE_SEMIDEFINITE
        )
    return Definiteness.POSITIVE_SEMIDEFINITE  # the zero matrix (also negative semidefinite)


def definiteness_from_eigenvalues(
    eigenvalues: Sequence[float],
    *,
    zero: float = EIGENVALUE_ZERO_EXACT_POINT,
    floor: float = 0.0,
) -> Definiteness:
    """Definiteness from float eigenvalues: ``|λ| ≤ zero · max(floor, max |λ|)`` is 0.

    ``zero`` is one of the tolerances in :mod:`gradcli.tolerances`, chosen by
    how accurate the matrix is; ``floor`` keeps a matrix of tiny entries from
    having every eigenvalue count as large.

    >>> definiteness_from_eigenvalues([1e-20, 3.0]).value
    'positive semidefinite'
    >>> definiteness_from_eigenvalues([-1.0, 2.0]).value
    'indefinite'
    """
    scale = max(floor, *(abs(v) for v in eigenvalues)) if eigenvalues else floor
    bound = zero * scale
    return definiteness_from_signs(
        0 if abs(v) <= bound else (1 if v > 0 else -1) for v in eigenvalues
    )
