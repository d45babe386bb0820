"""Stochastic and mini-batch gradient descent on a loss built from data.

Each epoch shuffles the N rows (numpy's ``default_rng(seed)``, so a seed
makes a run reproducible) and walks through them in mini-batches of B rows
(the last one smaller when B does not divide N; B = 1 is SGD, B = N is
full-batch gradient descent). A step uses the batch's gradient

    g = (1/|batch|) Σ_{i ∈ batch} ∇ℓ(θ; xᵢ, yᵢ) + ∇penalty(θ)

with ∇ℓ and ∇penalty from :func:`gradcli.derivatives.gradient_of` (the
one home of derivatives), evaluated by numpy over the batch's rows, and
the method's update (:func:`gradcli.descent.compile._update_rule`). α_t
follows the schedule with t the epoch.

The trajectory records, at every θ_k, the whole loss L(θ_k) and its
gradient ∇L(θ_k) (the mean over all rows: what the table and the plot
show, so the noise of the batches is seen against the true loss), and the
loss of the batch each step used. The run stops when it diverges, when
|∇L| < tol at the end of an epoch, or after the epochs asked for.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sympy

from gradcli.derivatives import gradient_of, hessian_of
from gradcli.descent.compile import _identity, _initial_state, _params, _update_rule
from gradcli.descent.engine import DIVERGENCE_FACTOR, _Raw, _Why
from gradcli.descent.options import _Options
from gradcli.descent.results import MAX_STEPS, StopReason
from gradcli.errors import InputError, LimitError
from gradcli.i18n import _
from gradcli.numbers import real_powers

#: rows × recorded points evaluated for the whole-loss trajectory, at most
MAX_EVALUATIONS = 50_000_000
#: rows × points per vectorised evaluation (memory: 8 bytes each, a few arrays)
_CHUNK_CELLS = 1_000_000


@dataclass(frozen=True)
class Batching:
    """How the rows are drawn: batch size, epochs, seed."""

    batch_size: int
    epochs: int
    seed: int | None = None

    def steps_per_epoch(self, rows: int) -> int:
        return -(-rows // self.batch_size)


@dataclass(frozen=True)
class Trace:
    """What a stochastic run adds to its trajectory."""

    #: the loss of the mini-batch each step used (one per step)
    batch_losses: tuple[float, ...]
    #: k of the point reached at the end of each epoch
    epoch_ends: tuple[int, ...]


class _Softplus(sympy.Function):
    """log(1 + e^u), evaluated as numpy's logaddexp(0, u): finite for any u.

    The logistic loss of a row with logit 800 is 800, but e^800 overflows a
    float; ``torch.nn.BCEWithLogitsLoss`` computes it this way for that reason.
    """

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return _Sigmoid(self.args[0])


class _Sigmoid(sympy.Function):
    """σ(u) = e^u/(1 + e^u) = 1/(1 + e^(−u)), evaluated without overflow."""

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        u = self.args[0]
        return _Sigmoid(u) * (1 - _Sigmoid(u))


def _sigmoid(u: Any) -> Any:
    import numpy as np

    # tanh never overflows: σ(u) = (1 + tanh(u/2))/2
    return (1 + np.tanh(np.asarray(u, dtype=float) / 2)) / 2


def _softplus(u: Any) -> Any:
    import numpy as np

    return np.logaddexp(0.0, u)


#: how numpy evaluates the stable forms
_STABLE = {"_Softplus": _softplus, "_Sigmoid": _sigmoid}


def _stable(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` with each log(1 + e^u) as softplus(u), for evaluation in floats.

    Differentiated by the core, softplus gives σ and σ(1 − σ), whose stable
    forms stay finite where e^u overflows. The exact loss keeps log(1 + e^u).
    """

    def is_softplus(node: sympy.Basic) -> bool:
        if not isinstance(node, sympy.log):
            return False
        inner = node.args[0]
        return (
            isinstance(inner, sympy.Add)
            and len(inner.args) == 2
            and sympy.Integer(1) in inner.args
            and any(isinstance(a, sympy.exp) for a in inner.args)
        )

    def softplus(node: sympy.Basic) -> sympy.Expr:
        (power,) = (a for a in node.args[0].args if isinstance(a, sympy.exp))
        return _Softplus(power.args[0])

    return expr.replace(is_softplus, softplus)


class _Sampler:
    """ℓ and ∇ℓ over rows of the data, and the penalty, compiled with numpy."""

    def __init__(self, loss: Any) -> None:
        import numpy as np

        parameters = tuple(loss.parameters)
        self.inputs = (*parameters, *loss.features, loss.target)
        self.parameters = parameters
        self.loss = loss
        self.sample = _stable(loss.sample)
        sample_gradient = gradient_of(self.sample, parameters)
        penalty_gradient = gradient_of(loss.penalty, parameters)
        outputs = [real_powers(e) for e in (self.sample, *sample_gradient)]
        self.rows = sympy.lambdify(self.inputs, outputs, modules=[_STABLE, "numpy"], cse=True)
        self.penalty = sympy.lambdify(
            parameters,
            [real_powers(e) for e in (loss.penalty, *penalty_gradient)],
            modules="numpy",
        )
        self._hessian_rows: Any = None
        table = loss.table
        self.columns = [np.array([float(v) for v in table.column(f.name)]) for f in loss.features]
        self.labels = np.array([float(v) for v in loss.labels])
        self.n = len(parameters)

    @property
    def size(self) -> int:
        return len(self.labels)

    def batch(self, theta: Sequence[float], index: Any) -> tuple[float, tuple[float, ...]]:
        """The batch's mean loss and gradient at θ, penalty included."""
        value, *grad = self._means(theta, [c[index] for c in self.columns], self.labels[index])
        return value, tuple(grad)

    def _means(self, theta: Sequence[float], columns: Any, labels: Any) -> tuple[float, ...]:
        """ℓ and ∇ℓ averaged over the given rows, plus the penalty and its gradient."""
        import numpy as np

        with np.errstate(all="ignore"):
            out = self.rows(*theta, *columns, labels)
            extra = self.penalty(*theta)
        count = len(labels)
        return tuple(
            float(np.mean(np.broadcast_to(o, (count,)))) + float(p) for o, p in zip(out, extra)
        )

    def hessian(self, *theta: float) -> tuple[float, ...]:
        """The upper triangle of ∇²L at θ, row by row: the mean of ∇²ℓ, plus ∇²p."""
        import numpy as np

        return tuple(
            float(np.mean(np.broadcast_to(o, (self.size,)))) + float(p)
            for o, p in self._hessian_entries(theta)
        )

    def stiffest_row(self, *theta: float) -> float:
        """The largest curvature of one row's loss (with the penalty) at θ.

        A mini-batch step follows its batch's curvature, which a single row
        can push far above the whole loss's: the row with x = 4 in a linear
        MSE has curvature 2(x² + 1) = 34 where the mean is 12.
        """
        import numpy as np

        n = self.n
        matrices = np.zeros((self.size, n, n))
        entries = iter(self._hessian_entries(theta))
        for i in range(n):
            for j in range(i, n):
                value, penalty = next(entries)
                column = np.broadcast_to(value, (self.size,)) + float(penalty)
                matrices[:, i, j] = matrices[:, j, i] = column
        if not np.all(np.isfinite(matrices)):
            return math.nan
        return float(np.linalg.eigvalsh(matrices)[:, -1].max())

    def _hessian_entries(self, theta: Sequence[float]) -> list[tuple[Any, Any]]:
        """For each upper-triangle entry: ∇²ℓ on every row, and ∇²p (compiled once)."""
        import numpy as np

        n = self.n
        if self._hessian_rows is None:
            rows, penalty = (
                _off_kinks(hessian_of(e, self.parameters)) for e in (self.sample, self.loss.penalty)
            )
            upper = [(i, j) for i in range(n) for j in range(i, n)]
            self._hessian_rows = (
                sympy.lambdify(
                    self.inputs,
                    [real_powers(rows[i][j]) for i, j in upper],
                    modules=[_STABLE, "numpy"],
                ),
                sympy.lambdify(
                    self.parameters, [real_powers(penalty[i][j]) for i, j in upper], modules="numpy"
                ),
            )
        of_rows, of_penalty = self._hessian_rows
        with np.errstate(all="ignore"):
            return list(zip(of_rows(*theta, *self.columns, self.labels), of_penalty(*theta)))

    def value_and_gradient(self, *theta: float) -> tuple[float, ...]:
        """L and ∇L at θ over all the rows (what a full-batch step uses)."""
        return self._means(theta, self.columns, self.labels)

    def whole(self, thetas: Any) -> tuple[Any, Any]:
        """L and ∇L at each row of ``thetas`` (shape K × n): all rows of the data."""
        import numpy as np

        k = len(thetas)
        values = np.empty(k)
        gradients = np.empty((k, self.n))
        step = max(1, _CHUNK_CELLS // max(1, self.size))
        columns = [c[None, :] for c in self.columns]
        labels = self.labels[None, :]
        with np.errstate(all="ignore"):
            for start in range(0, k, step):
                part = thetas[start : start + step]
                shape = (len(part), self.size)
                out = self.rows(*(part[:, i : i + 1] for i in range(self.n)), *columns, labels)
                means = [np.broadcast_to(o, shape).mean(axis=1) for o in out]
                extra = self.penalty(*(part[:, i] for i in range(self.n)))
                values[start : start + len(part)] = means[0] + np.broadcast_to(
                    extra[0], (len(part),)
                )
                for i in range(self.n):
                    gradients[start : start + len(part), i] = means[i + 1] + np.broadcast_to(
                        extra[i + 1], (len(part),)
                    )
        return values, gradients


def _off_kinks(matrix: Any) -> Any:
    """The Hessian away from the kinks of |u| (hinge, MAE, L1), where δ(u) is 0.

    At a kink itself there is no Hessian; the run's corner test says so.
    """
    return tuple(
        tuple(h.replace(sympy.DiracDelta, lambda *_: sympy.Integer(0)) for h in row)
        for row in matrix
    )


def _run_stochastic(
    loss: Any,
    options: _Options,
    batching: Batching,
    theta0: tuple[float, ...],
    on_progress: Callable[[int, int], None] | None,
) -> tuple[_Raw, Trace]:
    """Epochs of shuffled mini-batches from θ_0; see the module docstring."""
    import numpy as np

    if options.method in ("newton", "armijo"):
        raise InputError(
            _(
                "--method {method} takes full-batch steps: mini-batches need gd,"
                " momentum, nesterov or adam"
            ).format(method=options.method)
        )
    sampler = _Sampler(loss)
    rows = sampler.size
    per_epoch = batching.steps_per_epoch(rows)
    total = batching.epochs * per_epoch
    if total > MAX_STEPS:
        raise LimitError(
            _("at most {limit:,} steps can be recorded, got {steps:,}").format(
                limit=MAX_STEPS, steps=total
            )
        )
    if (total + 1) * rows > MAX_EVALUATIONS:
        raise LimitError(
            _(
                "{epochs} epochs of {batches} batches over {rows} rows is too much"
                " to record: make --batch-size larger or --epochs fewer"
            ).format(epochs=batching.epochs, batches=per_epoch, rows=rows)
        )
    rng = np.random.default_rng(batching.seed)
    n = len(theta0)
    state: Any = list(_initial_state(options.method, n))
    theta = theta0
    points = [theta0]
    batch_losses: list[float] = []
    epoch_ends: list[int] = []
    failed = False
    with np.errstate(all="ignore"):
        for epoch in range(batching.epochs):
            order = rng.permutation(rows)
            rate = options.schedule.rate(options.lr, epoch, batching.epochs)
            params = _params(options, 1.0, rate)
            for j in range(per_epoch):
                index = order[j * batching.batch_size : (j + 1) * batching.batch_size]
                try:
                    value, grad = sampler.batch(theta, index)
                    moved, state = _update_rule(
                        options.method, theta, grad, state, params, _identity, math.sqrt
                    )
                except (ArithmeticError, ValueError, TypeError):
                    failed = True
                    break
                batch_losses.append(value)
                theta = tuple(float(v) for v in moved)
                points.append(theta)
                if not all(map(math.isfinite, theta)):
                    failed = True
                    break
            epoch_ends.append(len(points) - 1)
            if failed:
                break
            if on_progress is not None:
                on_progress(len(points) - 1, total)
    values, gradients = sampler.whole(np.array(points))
    raw = _raw(points, values, gradients, epoch_ends, options, failed)
    kept = raw.count - 1
    trace = Trace(
        batch_losses=tuple(batch_losses[:kept]),
        epoch_ends=tuple(e for e in epoch_ends if e <= kept) or (kept,),
    )
    return raw, trace


def _raw(
    points: list[tuple[float, ...]],
    values: Any,
    gradients: Any,
    epoch_ends: list[int],
    options: _Options,
    failed: bool,
) -> _Raw:
    """The rows up to the first stop: diverged anywhere, converged at an epoch's end."""
    f0 = float(values[0])
    high = DIVERGENCE_FACTOR * max(1.0, abs(f0))
    norms = [math.hypot(*g) for g in gradients.tolist()]
    value_list = [float(v) for v in values]
    stop, reason, detail = len(points) - 1, StopReason.MAX_STEPS, ""
    for k, (v, norm) in enumerate(zip(value_list, norms)):
        if not math.isfinite(v) or abs(v) > high or not math.isfinite(norm):
            if math.isfinite(v):
                why: str = _("|L| = {value:.3g} grew past {factor:g}·max(1, |L(θ_0)|)").format(
                    value=abs(v), factor=DIVERGENCE_FACTOR
                )
            else:
                why = _Why.overflow(_("L is not finite"))
            stop, reason, detail = k, StopReason.DIVERGED, why
            break
    else:
        if failed:
            stop, reason, detail = len(points) - 1, StopReason.DIVERGED, _("a step failed")
    if options.tol > 0:
        # the whole gradient is small: looked at where an epoch ends, as a
        # training loop validates once per epoch
        for k in (0, *epoch_ends):
            if k > stop:
                break
            if norms[k] < options.tol:
                stop, reason, detail = k, StopReason.CONVERGED, ""
                break
    n = len(points[0])
    flat: list[Any] = []
    grads = gradients.tolist()
    for k in range(stop + 1):
        nxt = points[k + 1] if k < stop else (math.nan,) * n
        flat.extend((*grads[k], *nxt))
    return _Raw(flat, value_list[: stop + 1], stop + 1, reason, detail, f0, norms[: stop + 1])
