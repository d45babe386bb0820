"""``--data``, ``--model`` and ``--loss``: the options that build a loss from data.

``grad`` and ``descend`` share them. The file is read in the parent process
(a bounded read of a regular file or stdin, never a FIFO that blocks); the
table and the loss are built in the budgeted child, from the bytes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from gradcli.commands.base import read_regular_bytes
from gradcli.errors import InputError, LimitError
from gradcli.i18n import N_, _, ngettext
from gradcli.limits import Limits

F = TypeVar("F", bound=Callable[..., Any])

#: the loss names --loss accepts (gradcli.losses.KINDS has the aliases too)
LOSS_NAMES = ("mse", "mae", "logistic", "bce", "cross-entropy", "hinge")


@dataclass(frozen=True)
class DataRequest:
    """A loss to build: the table's bytes and how to read them."""

    data: bytes
    source: str
    model: str
    loss: str
    target: str
    l2: str | None
    l1: str | None


def data_options(command: F) -> F:
    """The options that build L(θ) from a table of data."""
    options = [
        click.option(
            "--data",
            "data_path",
            # a path for shell completion only: the bounded reader checks it
            type=click.Path(readable=False, allow_dash=True),
            metavar="FILE",
            help=N_(
                "A CSV table (a header of column names, then numbers; - for stdin): "
                "the function becomes the loss of --model on it."
            ),
        ),
        click.option(
            "--model",
            metavar="EXPR",
            help=N_("The model, in the table's columns and its parameters θ: 'w*x + b'."),
        ),
        click.option(
            "--loss",
            "loss_name",
            type=click.Choice(LOSS_NAMES, case_sensitive=False),
            default="mse",
            show_default=True,
            help=N_(
                "mse, mae, logistic (bce: the model is the logit, labels 0/1) or hinge "
                "(labels -1/1), each the mean over the rows."
            ),
        ),
        click.option(
            "--target",
            default="y",
            show_default=True,
            metavar="COLUMN",
            help=N_("The column of labels."),
        ),
        click.option("--l2", metavar="λ", help=N_("Add λ·Σθ² (L2 regularisation) to the loss.")),
        click.option("--l1", metavar="λ", help=N_("Add λ·Σ|θ| (L1 regularisation) to the loss.")),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def data_request(
    data_path: str | None,
    model: str | None,
    loss_name: str,
    target: str,
    l2: str | None,
    l1: str | None,
) -> DataRequest | None:
    """The loss asked for, with the file read; None when --data is not given.

    A data option given without --data is an error: it would be ignored.
    """
    if data_path is None:
        ctx = click.get_current_context(silent=True)
        given = [
            f"--{name.removesuffix('_name')}"
            for name in ("model", "loss_name", "target", "l2", "l1")
            if ctx is not None
            and ctx.get_parameter_source(name) not in (None, ParameterSource.DEFAULT)
        ]
        if given:
            raise InputError(
                ngettext(
                    "{options} builds a loss from data: give --data FILE too",
                    "{options} build a loss from data: give --data FILE too",
                    len(given),
                ).format(options=", ".join(given))
            )
        return None
    if model is None:
        raise InputError(_("--data needs --model: the model whose loss is built, e.g. 'w*x + b'"))
    from gradcli.losses import TableLimits

    most = TableLimits().max_bytes
    data = read_bytes(data_path, most)
    return DataRequest(
        data=data,
        source="stdin" if data_path == "-" else data_path,
        model=model,
        loss=loss_name.lower(),
        target=target,
        l2=l2,
        l1=l1,
    )


def build(request: DataRequest, limits: Limits) -> Any:
    """The :class:`gradcli.losses.Loss` asked for (in the child)."""
    from gradcli.losses import build_loss, read_table

    table = read_table(request.data, source=request.source)
    return build_loss(
        request.model,
        table,
        loss=request.loss,
        target=request.target,
        l2=request.l2 if request.l2 is not None else 0,
        l1=request.l1 if request.l1 is not None else 0,
        limits=limits,
    )


def read_bytes(path: str, most: int) -> bytes:
    """At most ``most`` + 1 bytes of a regular file or stdin, never blocking on a FIFO."""
    if path == "-":
        stdin = getattr(sys.stdin, "buffer", None)
        if stdin is None:
            raise InputError(_("cannot read the data from stdin"))
        data = stdin.read(most + 1)
    else:
        data = read_regular_bytes(path, most + 1)
    if len(data) > most:
        name = "stdin" if path == "-" else path
        raise LimitError(
            _("{source} holds more than {count} bytes of data").format(
                source=name, count=f"{most:,}"
            )
        )
    return bytes(data)


def loss_function(loss: Any) -> Any:
    """L as a :class:`gradcli.parse.Function` whose notes say what L and ∇L are.

    The notes give L with Σ over the rows, then each ∂L/∂θⱼ the same way,
    (1/N) Σᵢ ∂ℓ/∂θⱼ(θ; xᵢ, yᵢ) plus the penalty's part: the form a student's
    derivation has, beside the expanded result the command computes.
    """
    from dataclasses import replace

    return replace(loss.function(), notes=(*loss_lines(loss), *loss.notes))


def loss_lines(loss: Any) -> tuple[str, ...]:
    """L and each ∂L/∂θⱼ with Σ over the rows, one line each."""
    import sympy

    from gradcli.derivatives import gradient_of
    from gradcli.printing import to_unicode

    rows = len(loss.labels)
    lines = [loss.described()]
    subscripted = {
        s: sympy.Symbol(to_unicode(s) + "ᵢ", real=True) for s in (*loss.features, loss.target)
    }
    sample = gradient_of(loss.sample, loss.parameters)
    penalty = gradient_of(loss.penalty, loss.parameters)
    for parameter, inner, extra in zip(loss.parameters, sample, penalty):
        # after the renaming: rebuilding 2·(b + w·x − y) would distribute the 2 again
        term = sympy.factor_terms(inner.xreplace(subscripted))
        shown = to_unicode(term)
        if rows > 1:
            shown = f"(1/{rows}) Σᵢ {_bracketed(shown, term)}"
        if extra != 0:
            shown += f" + {_bracketed(to_unicode(extra), extra)}"
        lines.append(f"∂L/∂{to_unicode(parameter)} = {shown}")
    return tuple(lines)


def _bracketed(text: str, expr: Any) -> str:
    return f"[{text}]" if expr.is_Add else text
