"""Reading a student's answer: vectors, scaled vectors, matrices, critical points with kinds.

Every reader returns :class:`Entry` records (one per component: the
expression, the text it came from, the decimal written) and raises gradcli's
parse errors with the position in the whole answer, so that a message can
point at the mistake.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sympy

from gradcli.errors import GradcliError, ParseError, UndefinedError
from gradcli.grading.decimals import approximate_text, significant_figures
from gradcli.grading.evaluator import constant_float
from gradcli.i18n import _
from gradcli.limits import Limits
from gradcli.parse import natural_key, parse_expression, parse_vector, split_top_level
from gradcli.printing import to_text

if TYPE_CHECKING:
    from gradcli.grading.problem import Problem

__all__ = [
    "Entry",
    "all_zero",
    "check_separated",
    "make_entry",
    "read_matrix",
    "read_vector",
]


@dataclass(frozen=True)
class Entry:
    """One component of an answer, as read."""

    expr: sympy.Expr
    text: str
    #: the decimal number written, when the component is just that
    literal: str | None = None
    #: a number with a decimal point or exponent appears in it
    approximate: bool = False
    #: its float, when it is a constant
    value: float | None = None
    #: its free symbols
    free: frozenset[sympy.Symbol] = frozenset()
    #: why it has no real value at all (``sqrt(-2)``, ``1/0``): then ``expr`` is nan
    undefined: str | None = None


def make_entry(expr: sympy.Expr, text: str) -> Entry:
    """The entry for one component read from ``text``.

    >>> make_entry(sympy.Rational(43, 5), " 8.60 ").literal
    '8.60'
    """
    stripped = text.strip()
    approximate = approximate_text(stripped)
    literal = stripped if approximate and significant_figures(stripped) is not None else None
    free = frozenset(expr.free_symbols)
    value = None if free else constant_float(expr)
    return Entry(
        expr=expr, text=stripped, literal=literal, approximate=approximate, value=value, free=free
    )


def read_vector(text: str, problem: Problem, limits: Limits) -> list[Entry]:
    """Components of a vector answer: ``(a, b)``, ``<a, b>``, ``a, b``, ``(a, b)/c``."""
    try:
        exprs = parse_vector(text, variables=problem.names, limits=limits)
    except UndefinedError:
        # one component with no real value must not take the others down
        entries = _undefined_components(text, problem, limits)
    except ParseError:
        scaled = _scaled_vector(text, problem, limits)
        if scaled is None:
            check_separated(text, 1, len(problem.variables))
            raise
        entries = scaled
    else:
        parts = _component_texts(text)
        if len(parts) != len(exprs):
            parts = [to_text(e) for e in exprs]
        entries = [make_entry(e, t) for e, t in zip(exprs, parts)]
    _check_symbols(entries, text, problem)
    return entries


def _undefined_components(text: str, problem: Problem, limits: Limits) -> list[Entry]:
    """A vector read component by component, those with no real value marked undefined."""
    entries = []
    for part in _component_texts(text):
        try:
            (expr,) = parse_vector(part, variables=problem.names, limits=limits)
        except UndefinedError as error:
            # "the expression is undefined: …" becomes "1/0 is undefined: …" in English;
            # a message in another language is kept whole, after the component
            why = error.message.removeprefix("the expression is ")
            undefined = _("{component} is {reason}").format(component=part.strip(), reason=why)
            entries.append(Entry(expr=sympy.nan, text=part.strip(), undefined=undefined))
        else:
            entries.append(make_entry(expr, part))
    return entries


def check_separated(text: str, components: int, wanted: int, *, row: bool = False) -> None:
    """``5 7`` or ``2x 2y`` where two components are wanted: refused, not multiplied.

    A point may be written ``1 2``; an answer's components need commas, so
    that a product such as ``2x y`` is never taken for two components (and
    a wrong answer, 4xy, for a right one written with spaces). ``row``: the
    text is a row of a Hessian.
    """
    pieces = text.strip().strip("[]()<>").split()
    operators = "+-*/^·×−="
    if (
        components == 1 < wanted
        and "," not in text
        and len(pieces) > 1
        and not any(p[0] in operators or p[-1] in operators for p in pieces)
    ):
        if row:
            message = _("the entries of a Hessian row need commas between them")
        else:
            message = _("the components need commas between them")
        raise ParseError(
            message,
            text=text,
            position=None,
            hint=_("write {components}").format(components=", ".join(pieces)),
        )


def all_zero(text: str, problem: Problem, limits: Limits) -> bool:
    """Whether ``text`` reads as the zero vector (an answer of "no direction")."""
    try:
        entries = read_vector(text, problem, limits)
    except GradcliError:
        return False
    return all(e.expr == 0 for e in entries)


def _component_texts(text: str) -> list[str]:
    stripped = text.strip()
    if len(stripped) >= 2 and (stripped[0], stripped[-1]) in {("(", ")"), ("[", "]"), ("<", ">")}:
        inner = stripped[1:-1]
        parts = split_top_level(inner)
        if stripped[0] == "<" or len(parts) > 1:
            return [p for p, _start in parts]
    return [p for p, _start in split_top_level(text)]


def _scaled_vector(text: str, problem: Problem, limits: Limits) -> list[Entry] | None:
    """``(5, 7)/sqrt(74)`` or ``1/sqrt(74) (5, 7)``: a scalar times a vector."""
    group = _vector_group(text)
    if group is None:
        return None
    start, end = group
    prefix, inner, suffix = text[:start], text[start + 1 : end], text[end + 1 :]
    before = prefix.strip()
    after = suffix.strip()
    if not before and not after:
        return None
    if before and not (before in "+-−" or before[-1] in "*·×)" or before[-1].isalnum()):
        return None
    if after and after[0] not in "/*·×÷":
        return None
    scalar_text = prefix + "(1)" + suffix
    try:
        scalar = parse_expression(scalar_text, variables=problem.names, limits=limits)
    except GradcliError as error:
        position = error.position
        if position is not None and position >= len(prefix) + 3:
            position += (end + 1 - start) - 3
        elif position is not None and position >= len(prefix):
            position = start
        raise type(error)(error.message, text=text, position=position, hint=error.hint) from None
    try:
        exprs = parse_vector(inner, variables=problem.names, limits=limits)
    except GradcliError as error:
        position = None if error.position is None else error.position + start + 1
        raise type(error)(error.message, text=text, position=position, hint=error.hint) from None
    parts = [p for p, _start in split_top_level(inner)]
    if len(parts) != len(exprs):
        parts = [to_text(e) for e in exprs]
    out = []
    for expr, part in zip(exprs, parts):
        shown = f"{prefix.strip()}({part.strip()}){suffix.strip()}"
        entry = make_entry(sympy.Mul(scalar, expr), shown)
        out.append(
            Entry(
                expr=entry.expr,
                text=shown,
                literal=None,
                approximate=entry.approximate,
                value=entry.value,
                free=entry.free,
            )
        )
    return out


def _vector_group(text: str) -> tuple[int, int] | None:
    """The first bracketed group at the top level that holds a comma."""
    depth = 0
    i = 0
    pairs = {"(": ")", "[": "]", "<": ">"}
    while i < len(text):
        ch = text[i]
        if (ch in "([" and depth == 0) or ch == "<":
            close = pairs[ch]
            level = 0
            for j in range(i, len(text)):
                if text[j] == ch:
                    level += 1
                elif text[j] == close:
                    level -= 1
                    if level == 0:
                        if ch == "<" or len(split_top_level(text[i + 1 : j])) > 1:
                            return i, j
                        break
            depth += 1 if ch in "([" else 0
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        i += 1
    return None


def read_matrix(text: str, problem: Problem, limits: Limits) -> list[list[Entry]]:
    """Rows of a matrix: ``[[a, b], [c, d]]``, ``[a, b], [c, d]`` or ``a, b; c, d``."""
    stripped = text.strip()
    offset = len(text) - len(text.lstrip())
    n = len(problem.variables)
    rows: list[tuple[str, int]]
    if split_top_level(stripped, ";") and len(split_top_level(stripped, ";")) > 1:
        rows = split_top_level(stripped, ";")
    else:
        if (
            len(stripped) >= 2
            and stripped[0] in "[("
            and stripped[1:].lstrip()[:1] in ("[", "(")
            and _closes_at_end(stripped)
        ):
            stripped = stripped[1:-1]
            offset += 1
        rows = split_top_level(stripped)
        if len(problem.variables) == 1 and len(rows) == 1:
            pass
        elif not all(r.strip()[:1] in ("[", "(") for r, _start in rows):
            raise ParseError(
                _("write the Hessian as rows, such as [[2, 1], [1, 2]] or 2, 1; 1, 2"),
                text=text,
                position=None,
            )
    out = []
    for row_text, start in rows:
        undefined: list[Entry] | None = None
        try:
            try:
                exprs = parse_vector(row_text, variables=problem.names, limits=limits)
            except UndefinedError:
                # one entry with no real value (1/0) must not take the others down
                undefined = _undefined_components(row_text, problem, limits)
                exprs = tuple(e.expr for e in undefined)
            except ParseError:
                check_separated(row_text, 1, n, row=True)
                raise
            check_separated(row_text, len(exprs), n, row=True)
        except GradcliError as error:
            position = None if error.position is None else error.position + offset + start
            raise type(error)(
                error.message, text=text, position=position, hint=error.hint
            ) from None
        parts = _component_texts(row_text)
        if len(parts) != len(exprs):
            parts = [to_text(e) for e in exprs]
        if undefined is not None:
            entries = undefined
        else:
            entries = [make_entry(e, t) for e, t in zip(exprs, parts)]
        _check_symbols(entries, text, problem)
        out.append(entries)
    return out


def _closes_at_end(text: str) -> bool:
    depth = 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return i == len(text) - 1
    return False


def _check_symbols(entries: Sequence[Entry], text: str, problem: Problem) -> None:
    known = set(problem.symbols)
    for entry in entries:
        extra = sorted(entry.expr.free_symbols - known, key=lambda s: natural_key(s.name))
        if extra:
            name = extra[0].name
            match = re.search(rf"(?<![A-Za-z_]){re.escape(name)}(?![A-Za-z0-9_])", text)
            close = difflib.get_close_matches(name, problem.names, 1)
            names = ", ".join(problem.names) or _("none")
            raise ParseError(
                _("'{name}' is not a variable of f (its variables: {names})").format(
                    name=name, names=names
                ),
                text=text,
                position=match.start() if match else None,
                hint=_("did you mean {name}?").format(name=close[0]) if close else None,
            )
