"""What a descent returns: stop reasons, methods and their defaults, the run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

import sympy

from gradcli.display import Displayable, short_repr
from gradcli.i18n import N_
from gradcli.kinds import PointKind
from gradcli.tolerances import EIGENVALUE_ZERO_APPROXIMATE_POINT


class StopReason(str, Enum):
    """Why a descent stopped; the value is the name shown to users."""

    CONVERGED = "converged"
    NO_PROGRESS = "no_progress"
    MAX_STEPS = "max_steps"
    DIVERGED = "diverged"


@dataclass(frozen=True)
class _MethodInfo:
    lr: float
    steps: int
    beta: float | None = None
    beta2: float | None = None
    eps: float | None = None


#: the methods and their defaults
METHODS: dict[str, _MethodInfo] = {
    "gd": _MethodInfo(lr=0.1, steps=1000),
    "momentum": _MethodInfo(lr=0.001, steps=10_000, beta=0.9),
    "nesterov": _MethodInfo(lr=0.001, steps=10_000, beta=0.9),
    "adam": _MethodInfo(lr=0.01, steps=10_000, beta=0.9, beta2=0.999, eps=1e-8),
    "newton": _MethodInfo(lr=1.0, steps=100),
    "armijo": _MethodInfo(lr=1.0, steps=1000),
}

#: each method's name in words, in English: shown as ``_(METHOD_NAMES[method])``
METHOD_NAMES: dict[str, str] = {
    "gd": N_("gradient descent"),
    "momentum": N_("heavy-ball momentum"),
    "nesterov": N_("Nesterov momentum"),
    "adam": N_("Adam"),
    "newton": N_("Newton's method"),
    "armijo": N_("gradient descent with Armijo backtracking"),
}

#: every step is kept (about 200 bytes for two variables): a bound on memory
MAX_STEPS = 2_000_000
#: |f| beyond this multiple of max(1, |f(θ_0)|) counts as divergence
DIVERGENCE_FACTOR = 1e12
#: a component whose step flips sign this many times in a row oscillates
OSCILLATION_RUN = 5
#: eigenvalues within this fraction of max(1, max |λ|) of zero count as zero
ZERO_EIGENVALUE = EIGENVALUE_ZERO_APPROXIMATE_POINT
#: steps per call of the compiled block: more make a faster loop and slower compiling
_UNROLL = 8
#: at most this many variables get several steps unrolled into one call
_UNROLL_MAX_VARIABLES = 6
#: steps per progress report
_CHUNK = 1024


@dataclass(frozen=True)
class Diagnosis:
    """Why a run diverged or oscillated, in terms of the Hessian's spectrum.

    ``largest_eigenvalue`` is L, the largest eigenvalue of the Hessian: exact
    when f is quadratic (its Hessian is constant), else at the point ``where``
    says.
    ``lr_bound`` is the largest stable learning rate for the method on the
    quadratic model (2/L for gd), ``exact_lr_bound`` the same as an exact
    sympy number when it is known (2/3 for x² + y² + xy).
    """

    message: str
    largest_eigenvalue: float | None = None
    smallest_eigenvalue: float | None = None
    lr_bound: float | None = None
    exact_lr_bound: sympy.Expr | None = None
    #: where the Hessian was taken: "quadratic" (f is quadratic: everywhere,
    #: exactly), "start" (θ_0), "uphill" (θ_k where the first uphill step
    #: began) or "final" (the last point, where an oscillation settled)
    where: str = "start"
    #: k of that θ_k (None when f is quadratic)
    at_step: int | None = None


@dataclass(frozen=True)
class DescentRun(Displayable):
    """One descent from one start point: the options, the trajectory, the verdict.

    The trajectory holds θ_0 … θ_K (K = ``steps``): ``points``, ``values``,
    ``gradients`` and ``gradient_norms`` have K + 1 entries, ``step_lengths``
    has K: ``step_lengths[k]`` = |θ_{k+1} − θ_k|, the step taken from θ_k.
    Values may be ``nan`` or ``inf`` at the last point of a diverged run.
    """

    expr: sympy.Expr
    variables: tuple[sympy.Symbol, ...]
    method: str
    lr: float
    max_steps: int
    tol: float
    beta: float | None
    beta2: float | None
    eps: float | None
    ascent: bool
    points: tuple[tuple[float, ...], ...]
    values: tuple[float, ...]
    gradients: tuple[tuple[float, ...], ...]
    gradient_norms: tuple[float, ...]
    step_lengths: tuple[float, ...]
    stop_reason: StopReason
    #: K, the number of steps taken
    steps: int
    final_point: tuple[float, ...]
    final_value: float
    gradient_norm: float
    #: one line explaining the stop reason
    message: str
    #: the sign of some component's step flipped step after step
    oscillating: bool
    oscillating_variables: tuple[str, ...]
    diagnosis: Diagnosis | None
    final_kind: PointKind
    #: the Hessian's eigenvalues at the final point, ascending
    final_eigenvalues: tuple[float, ...]
    #: set when the run stopped at a point that is not what it was looking for
    warning: str | None
    exact: bool = False
    lr_exact: sympy.Expr | None = None
    points_exact: tuple[tuple[sympy.Expr, ...], ...] | None = None
    values_exact: tuple[sympy.Expr, ...] | None = None
    gradients_exact: tuple[tuple[sympy.Expr, ...], ...] | None = None
    #: why fewer exact steps than asked for were computed
    exact_note: str | None = None
    #: how f's text was read where that was not literally what was typed
    notes: tuple[str, ...] = ()
    #: for a loss built from data, L written with Σ over the rows
    loss_formula: str | None = None
    #: how α changed: ``constant``, or the schedule as typed (``exp:gamma=0.9``)
    schedule: str = "constant"
    #: mini-batch runs (on a loss from data): rows per batch, epochs, seed
    batch_size: int | None = None
    epochs: int | None = None
    seed: int | None = None
    #: the loss of the mini-batch each step used (one per step; empty for full batch)
    batch_losses: tuple[float, ...] = ()
    #: k of the point reached at the end of each epoch (empty for full batch)
    epoch_ends: tuple[int, ...] = ()

    @property
    def diverged(self) -> bool:
        """True when the run diverged (the command exits with 3)."""
        return self.stop_reason is StopReason.DIVERGED

    def __repr__(self) -> str:
        # the trajectory is in the fields; the repr says where it went
        return short_repr(self)


def point_text(theta: Sequence[Any]) -> str:
    """A point in messages: ``(1, 2.5)``, floats to 6 significant digits."""
    parts = []
    for v in theta:
        parts.append(f"{v:.6g}" if isinstance(v, float) else str(v))
    return "(" + ", ".join(parts) + ")"
