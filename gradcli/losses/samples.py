"""The loss of one row, by kind, and the labels each kind takes.

``m`` is the model's value on a row and ``y`` its label (``t`` for the hinge):

==============  ==========================  ======================================
kind            ℓ(m, y)                     labels
==============  ==========================  ======================================
``mse``         (m − y)²                    any number
``mae``         |m − y|                     any number
``logistic``    log(1 + e^m) − y·m          0 and 1 (−1 and 1 read as 0 and 1)
``hinge``       (u + |u|)/2, u = 1 − t·m    −1 and 1 (0 and 1 read as −1 and 1)
==============  ==========================  ======================================

``(u + |u|)/2`` is max(0, u) written with ``|u|``, whose kink gradcli's
derivatives know (:mod:`gradcli.derivatives`).
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy

from gradcli.errors import InputError
from gradcli.i18n import N_, _
from gradcli.losses.table import Table
from gradcli.printing import to_unicode

__all__ = ["KINDS", "kind_of", "kink_note", "labels_for", "sample_loss", "shown_sample"]

#: the kinds of loss, and what each is called in full
KINDS: Mapping[str, str] = {
    "mse": N_("mean squared error"),
    "mae": N_("mean absolute error"),
    "logistic": N_("logistic loss (binary cross-entropy of the logit)"),
    "hinge": N_("hinge loss"),
}
_ALIASES: Mapping[str, str] = {"bce": "logistic", "cross-entropy": "logistic"}

#: the labels each classification loss takes, and the pair it reads as them
_LABELS: Mapping[str, tuple[frozenset[int], frozenset[int]]] = {
    "logistic": (frozenset({0, 1}), frozenset({-1, 1})),
    "hinge": (frozenset({-1, 1}), frozenset({0, 1})),
}


def kind_of(name: str) -> str:
    """The kind of loss a name stands for.

    >>> kind_of("MSE"), kind_of("cross-entropy")
    ('mse', 'logistic')
    """
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    if key not in KINDS:
        known = ", ".join([*KINDS, *_ALIASES])
        raise InputError(
            _('unknown loss "{name}": choose one of {known}').format(name=name, known=known)
        )
    return key


def sample_loss(kind: str, model: sympy.Expr, target: sympy.Expr) -> sympy.Expr:
    """ℓ for one row whose model value is ``model`` and label ``target``.

    >>> m, y = sympy.symbols("m y", real=True)
    >>> sample_loss("logistic", m, y)
    -m*y + log(exp(m) + 1)
    >>> sample_loss("hinge", m, y)
    -m*y/2 + Abs(m*y - 1)/2 + 1/2
    """
    if kind == "mse":
        return (model - target) ** 2
    if kind == "mae":
        return sympy.Abs(model - target)
    if kind == "logistic":
        return sympy.log(1 + sympy.exp(model)) - target * model
    if kind == "hinge":
        margin = 1 - target * model
        return (margin + sympy.Abs(margin)) / 2
    raise InputError(_('unknown loss "{name}"').format(name=kind))


def shown_sample(kind: str, model: sympy.Expr, target: sympy.Expr) -> str:
    """ℓ for one row as people read it: max(0, …) for the hinge.

    >>> m, y = sympy.symbols("m y", real=True)
    >>> shown_sample("hinge", m, y), shown_sample("logistic", m, y)
    ('max(0, 1 - m·y)', 'log(1 + e^m) - m·y')
    """
    if kind == "logistic":
        product = target * model
        shown = f"log(1 + {to_unicode(sympy.exp(model))})"
        if product == 0:
            return shown
        minus = to_unicode(product)
        return f"{shown} - ({minus})" if product.is_Add else f"{shown} - {minus}"
    if kind == "hinge":
        product = target * model
        if product.is_Add or product.is_Number:
            return f"max(0, {to_unicode(1 - product)})"
        return f"max(0, 1 - {to_unicode(product)})"
    return to_unicode(sample_loss(kind, model, target))


def kink_note(kind: str) -> str | None:
    """What a loss with a corner should say about its gradient there."""
    if kind == "mae":
        return _("the MAE has a kink where a residual is 0: its gradient there is not defined")
    if kind == "hinge":
        return _("the hinge loss has a kink where t·m is 1: its gradient there is not defined")
    return None


def labels_for(
    kind: str, table: Table, target: str
) -> tuple[tuple[sympy.Rational, ...], tuple[str, ...]]:
    """The labels the loss uses, read from column ``target``, and a note if mapped.

    A classification loss takes its own pair of labels; the other usual pair
    is read as it (a note says so); any other label is an error naming its line.

    >>> from gradcli.losses.table import read_table
    >>> labels_for("hinge", read_table("x,c\\n1,0\\n2,1\\n"), "c")
    ((-1, 1), ('the labels are 0 and 1: the hinge loss reads 0 as -1',))
    """
    column = table.column(target)
    if kind not in _LABELS:
        return column, ()
    wanted, other = _LABELS[kind]
    values = set(column)
    if values <= wanted:
        return column, ()
    if values <= other:
        (old,) = other - wanted
        (new,) = wanted - other
        if kind == "logistic":
            read = _("the labels are {low} and {high}: the logistic loss reads {old} as {new}")
        else:
            read = _("the labels are {low} and {high}: the hinge loss reads {old} as {new}")
        low, high = sorted(other)
        note = read.format(low=low, high=high, old=old, new=new)
        return tuple(sympy.Integer(new) if v == old else v for v in column), (note,)
    allowed = wanted if values & (wanted - other) else other
    row = next(i for i, value in enumerate(column) if value not in allowed)
    (low, high), (other_low, other_high) = sorted(wanted), sorted(other)
    raise InputError(
        _(
            '{source}, line {line}, column "{column}": the {kind} loss takes labels {low} and'
            " {high} (or {other_low} and {other_high}), not {value}"
        ).format(
            source=table.source,
            line=table.line(row),
            column=target,
            kind=kind,
            low=low,
            high=high,
            other_low=other_low,
            other_high=other_high,
            value=column[row],
        )
    )
