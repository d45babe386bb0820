"""Descent on a loss over rows of data, evaluated by numpy row-wise.

The expanded sum is a poor thing to compute with: over many rows it is too
large to compile (a 100-row logistic loss: 14 s to prepare), and its
log(1 + e^m) overflows a float at m > 709 where the loss is finite. So L,
∇L and the Hessian are taken as means over the rows of ℓ's, ∇ℓ's and
∇²ℓ's (each differentiated once, by the one mathematical core, in stable
forms), evaluated by numpy, and the run steps one step at a time
(:mod:`gradcli.descent.plain`, or mini-batches). Only ``--exact`` steps,
on a small table, use the sum itself.
"""

from __future__ import annotations

from typing import Any

from gradcli.descent.compile import _Layout, _n_params, _Program, _RealForms, _state_size
from gradcli.descent.stochastic import _Sampler

#: a loss whose expanded sum has more nodes than this has no exact steps
MAX_SYMBOLIC_NODES = 600


def is_large(loss: Any) -> bool:
    """Whether ``loss`` is too large a sum to step in exact arithmetic."""
    from gradcli.descent.compile import _count_nodes

    return _count_nodes(loss.expr, MAX_SYMBOLIC_NODES + 1) > MAX_SYMBOLIC_NODES


def data_program(loss: Any, method: str) -> _Program:
    """A program whose numbers come from the rows: see the module docstring.

    ``hessian`` is the exact constant Hessian when ℓ's and the penalty's are
    constant (a quadratic loss, for the exact stability bound), else the
    Hessian of one row's loss, whose free symbols say "not constant".
    """
    from gradcli.derivatives import hessian_of

    sampler = _Sampler(loss)
    parameters = tuple(loss.parameters)
    n = len(parameters)
    sample = hessian_of(loss.sample, parameters)
    penalty = hessian_of(loss.penalty, parameters)
    constant = all(
        not (h.free_symbols & set(parameters)) for row in (*sample, *penalty) for h in row
    )
    # constant: the exact Hessian of L (the quadratic model is exact); else
    # one row's Hessian, whose symbols say so
    hessian = hessian_of(loss.expr, parameters) if constant else sample
    rule = "gd" if method == "armijo" else method
    layout = _Layout(
        n=n,
        unroll=1,
        has_step=True,
        n_state=_state_size(rule, n),
        n_params=_n_params(rule),
    )

    def unavailable(*_: Any) -> Any:
        raise AssertionError("a loss over many rows runs without compiled blocks")

    return _Program(
        loss.expr,
        parameters,
        (),
        hessian,
        _RealForms(loss.expr, (), ()),
        method,
        layout,
        unavailable,
        unavailable,
        unavailable,
        sampler.value_and_gradient,
        sampler.hessian,
        sampler,
    )
