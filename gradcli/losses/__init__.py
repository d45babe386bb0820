"""Losses built from data: a model and a small table → L(θ), exact.

:func:`read_table` reads a CSV table of exact numbers; :func:`build_loss`
builds from it the loss of a model whose other names are the parameters θ::

    >>> from gradcli.losses import build_loss, read_table
    >>> table = read_table("x,y\\n0,1\\n1,3\\n", source="points.csv")
    >>> build_loss("w*x + b", table).expr
    b**2 + b*w - 4*b + w**2/2 - 3*w + 5

The loss is a mean over the N rows, as scikit-learn's and PyTorch's losses
are by default (``reduction="mean"``), plus a penalty; mᵢ is the model on
row i and yᵢ its label::

    mse       L = (1/N) Σᵢ (mᵢ − yᵢ)²
    mae       L = (1/N) Σᵢ |mᵢ − yᵢ|
    logistic  L = (1/N) Σᵢ [log(1 + e^(mᵢ)) − yᵢ·mᵢ]     mᵢ the logit, yᵢ ∈ {0, 1}
    hinge     L = (1/N) Σᵢ max(0, 1 − tᵢ·mᵢ)              tᵢ ∈ {−1, 1}
    penalty   + l2·Σⱼ θⱼ² + l1·Σⱼ |θⱼ|

``logistic`` (also ``bce``, ``cross-entropy``) is the binary cross-entropy of
σ(mᵢ), −yᵢ·log σ(mᵢ) − (1 − yᵢ)·log(1 − σ(mᵢ)), as
``torch.nn.BCEWithLogitsLoss`` computes it. The hinge's max(0, u) is written
(u + |u|)/2, whose kink gradcli's derivatives know. The L2 penalty is
λ‖θ‖², so its gradient is 2λθ: PyTorch's ``weight_decay=wd`` adds wd·θ to
the gradient, which is λ = wd/2. Every parameter is penalised, the
intercept too.
"""

from __future__ import annotations

from gradcli.losses.build import Loss, build_loss
from gradcli.losses.samples import KINDS
from gradcli.losses.table import Table, TableLimits, read_table, read_table_file

__all__ = ["KINDS", "Loss", "Table", "TableLimits", "build_loss", "read_table", "read_table_file"]
