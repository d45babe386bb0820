"""A model and a table → the loss L(θ), exact: :func:`build_loss` and :class:`Loss`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy

from gradcli.derivatives import sum_over_rows
from gradcli.errors import InputError, UndefinedError
from gradcli.i18n import _, ngettext
from gradcli.limits import Limits
from gradcli.losses.samples import kind_of, kink_note, labels_for, sample_loss, shown_sample
from gradcli.losses.sums import mean_over_rows
from gradcli.losses.table import Table
from gradcli.numbers import describe_point, exact, exact_sign
from gradcli.parse import Function, natural_key, parse_function, symbol
from gradcli.printing import to_unicode

__all__ = ["Loss", "build_loss"]

#: a table this small may also be shown as its sum written out
_WRITTEN_OUT_ROWS = 4
#: a row whose loss holds one of these makes L undefined or not real
_NOT_REAL = (sympy.I, sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)


@dataclass(frozen=True)
class Loss:
    """L(θ) = (1/N) Σᵢ ℓ(θ; xᵢ, yᵢ) + penalty(θ), built from a model and a table.

    ``sample`` is ℓ for one generic row, in the parameters, the ``features``
    and the ``target`` symbol; ``labels`` is the target column as the loss
    uses it (after reading −1/1 as 0/1 or the reverse); ``expr`` is the whole
    L, exact.
    """

    kind: str
    model: sympy.Expr
    parameters: tuple[sympy.Symbol, ...]
    features: tuple[sympy.Symbol, ...]
    target: sympy.Symbol
    sample: sympy.Expr
    penalty: sympy.Expr
    labels: tuple[sympy.Rational, ...]
    table: Table
    expr: sympy.Expr
    l2: sympy.Expr
    l1: sympy.Expr
    notes: tuple[str, ...] = ()

    def function(self) -> Function:
        """L as a function of the parameters, for every command that takes one."""
        return Function(
            expr=self.expr,
            variables=self.parameters,
            parameters=(),
            source=self.formula(),
            notes=self.notes,
        )

    def formula(self, *, written_out: bool = False) -> str:
        """L on one line, with Σ over the rows (row i's values subscripted ᵢ).

        With ``written_out``, a table of at most four rows shows the sum's terms.

        >>> from gradcli.losses.table import read_table
        >>> loss = build_loss("w*x + b", read_table("x,y\\n0,1\\n1,3\\n"), l2="1/10")
        >>> loss.formula()
        'L(w, b) = (1/2) Σᵢ (b + w·xᵢ - yᵢ)² + (1/10)·(b² + w²)'
        >>> loss.formula(written_out=True)
        'L(w, b) = (1/2)·[(b - 1)² + (b + w - 3)²] + (1/10)·(b² + w²)'
        """
        n = len(self.table.rows)
        head = f"L({', '.join(to_unicode(p) for p in self.parameters)}) = "
        if written_out and n <= _WRITTEN_OUT_ROWS:
            values = self._rows()
            terms = [
                shown_sample(self.kind, self.model.xreplace(row), row[self.target])
                for row in values
            ]
            body = " + ".join(terms)
            mean = f"(1/{n})·[{body}]" if n > 1 else body
        else:
            subscripted = {s: sympy.Symbol(to_unicode(s) + "ᵢ", real=True) for s in self.features}
            target = sympy.Symbol(to_unicode(self.target) + "ᵢ", real=True)
            row = shown_sample(self.kind, self.model.xreplace(subscripted), target)
            if self.kind == "logistic":  # two terms, both summed
                row = f"[{row}]"
            mean = f"(1/{n}) Σᵢ {row}" if n > 1 else f"Σᵢ {row}"
        return head + mean + self._shown_penalty()

    def described(self) -> str:
        """:meth:`formula`, and the rows it sums over: what the commands print first."""
        rows = len(self.labels)
        return ngettext(
            "{formula}, over the {count} row of {source}",
            "{formula}, over the {count} rows of {source}",
            rows,
        ).format(formula=self.formula(), count=rows, source=self.table.source)

    def _rows(self) -> list[dict[sympy.Symbol, sympy.Expr]]:
        at = [self.table.index(f.name) for f in self.features]
        return [
            {**{f: row[i] for f, i in zip(self.features, at)}, self.target: label}
            for row, label in zip(self.table.rows, self.labels)
        ]

    def _shown_penalty(self) -> str:
        parts = []
        for weight, term in (
            (self.l2, sympy.Add(*(p**2 for p in self.parameters))),
            (self.l1, sympy.Add(*(sympy.Abs(p) for p in self.parameters))),
        ):
            if weight == 0:
                continue
            inner = to_unicode(term)
            if term.is_Add:
                inner = f"({inner})"
            if weight == 1:
                parts.append(inner)
                continue
            shown = to_unicode(weight)
            plain = weight.is_Integer or isinstance(weight, sympy.NumberSymbol)
            parts.append(f"{shown}·{inner}" if plain else f"({shown})·{inner}")
        return "".join(" + " + part for part in parts)


def build_loss(
    model: str | Function,
    table: Table,
    *,
    loss: str = "mse",
    target: str = "y",
    l2: Any = 0,
    l1: Any = 0,
    limits: Limits | None = None,
) -> Loss:
    """The loss of ``model`` on ``table``, with label column ``target``.

    The model's names that are columns are its features; its other names are
    the parameters θ, in natural order. ``l2`` and ``l1`` weigh the penalties
    l2·Σθⱼ² and l1·Σ|θⱼ| (exact numbers, at least 0).

    >>> from gradcli.losses.table import read_table
    >>> table = read_table("x,y\\n0,1\\n1,3\\n2,5\\n", source="line.csv")
    >>> loss = build_loss("w*x + b", table)
    >>> loss.parameters, loss.features, loss.expr
    ((w, b), (x,), b**2 + 2*b*w - 6*b + 5*w**2/3 - 26*w/3 + 35/3)
    >>> build_loss("w*x + b", table, target="label")
    Traceback (most recent call last):
    ...
    gradcli.errors.InputError: no column "label" in line.csv: its columns are x, y;
    name the label column with --target
    """
    limits = limits or Limits()
    kind = kind_of(loss)
    if target not in table.columns:
        raise InputError(
            _(
                'no column "{name}" in {source}: its columns are {columns};'
                " name the label column with --target"
            ).format(name=target, source=table.source, columns=", ".join(table.columns))
        )
    columns = [c for c in table.columns if c != target]
    if isinstance(model, Function):
        expr, notes = model.expr, list(model.notes)
    else:
        read = parse_function(model, variables=columns or None, limits=limits)
        expr, notes = read.expr, list(read.notes)
    if not isinstance(expr, sympy.Expr) or isinstance(expr, sympy.Tuple):
        raise InputError(_("the model must be one expression"))
    shown = to_unicode(expr)
    label = symbol(target)
    if label in expr.free_symbols:
        raise InputError(
            _(
                'the model {model} uses the label column "{column}": the loss compares the'
                " model with it, so name the label column with --target or rename it"
            ).format(model=shown, column=target)
        )
    by_symbol = {symbol(c): c for c in columns}
    free = sorted(expr.free_symbols, key=lambda s: natural_key(s.name))
    if isinstance(model, str):
        # θ in the order the model names them: w*x + b is (w, b), as written
        free.sort(key=lambda s: _first_mention(model, s.name))
    features = tuple(s for s in free if s in by_symbol)
    parameters = tuple(s for s in free if s not in by_symbol)
    if not parameters:
        raise InputError(
            _(
                "the model {model} has no parameters to fit: each of its names is a column"
                " of {source}"
            ).format(model=shown, source=table.source)
        )
    if not features:
        notes.append(
            _("the model {model} uses no column of {source}: it is the same on every row").format(
                model=shown, source=table.source
            )
        )
    labels, label_notes = labels_for(kind, table, target)
    notes.extend(label_notes)
    weights = [_weight(l2, "l2", limits), _weight(l1, "l1", limits)]
    penalty = weights[0] * sympy.Add(*(p**2 for p in parameters)) + weights[1] * sympy.Add(
        *(sympy.Abs(p) for p in parameters)
    )
    sample = sample_loss(kind, expr, label)
    at = [table.index(by_symbol[f]) for f in features]
    rows = [(*(row[i] for i in at), y) for row, y in zip(table.rows, labels)]
    mean = mean_over_rows(sample, parameters, (*features, label), rows)
    if mean.has(*_NOT_REAL):
        _check_rows(sample, (*features, label), rows, table)
    # ∇L and the Hessian are the means of ℓ's over the rows, plus the penalty's
    data = (*features, label)
    sum_over_rows(
        mean + penalty,
        parameters,
        sample=sample,
        penalty=penalty,
        fill=lambda e: mean_over_rows(e, parameters, data, rows),
    )
    for note in (kink_note(kind), _l1_note(weights[1])):
        if note:
            notes.append(note)
    return Loss(
        kind=kind,
        model=expr,
        parameters=parameters,
        features=features,
        target=label,
        sample=sample,
        penalty=penalty,
        labels=labels,
        table=table,
        expr=mean + penalty,
        l2=weights[0],
        l1=weights[1],
        notes=tuple(dict.fromkeys(notes)),
    )


def _first_mention(text: str, name: str) -> int:
    """Where ``name`` first appears in ``text`` as a whole name (len(text) if nowhere)."""
    import re

    found = re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text)
    return found.start() if found else len(text)


def _check_rows(
    sample: sympy.Expr,
    data: tuple[sympy.Symbol, ...],
    rows: list[tuple[sympy.Rational, ...]],
    table: Table,
) -> None:
    """Name the first row on which the loss is undefined or not real."""
    for i, row in enumerate(rows):
        values = dict(zip(data, row))
        term = sample.xreplace(values)
        if term.has(*_NOT_REAL):
            if term.has(sympy.I):
                message = _("{source}, line {line}: the loss is not real on this row ({values})")
            else:
                message = _("{source}, line {line}: the loss is undefined on this row ({values})")
            raise UndefinedError(
                message.format(
                    source=table.source, line=table.line(i), values=describe_point(values)
                )
            )
    raise UndefinedError(_("the loss is undefined on {source}").format(source=table.source))


def _weight(value: Any, name: str, limits: Limits) -> sympy.Expr:
    """A penalty's weight, exact and at least 0."""
    weight = exact(value, f"--{name}", limits=limits)
    sign = exact_sign(weight)
    if sign is None:
        raise InputError(
            _("{option}: cannot tell whether {value} is at least 0").format(
                option=f"--{name}", value=to_unicode(weight)
            )
        )
    if sign < 0:
        raise InputError(
            _("{option} must be at least 0, got {value}").format(
                option=f"--{name}", value=to_unicode(weight)
            )
        )
    return weight


def _l1_note(weight: sympy.Expr) -> str | None:
    if weight == 0:
        return None
    return _("the L1 penalty has a kink where a parameter is 0: its gradient there is not defined")
