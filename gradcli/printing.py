"""Expressions as text: sympy syntax, one-line unicode, LaTeX, and decimals.

``to_text`` is the machine form (JSON, CSV, plain): sympy syntax that
gradcli's own parser reads back. ``to_unicode`` is the human form for the
terminal, ``x² + x·y + y²``, and reads back too.
"""

from __future__ import annotations

import itertools
import math
import re

import sympy
from sympy.printing.str import StrPrinter

from gradcli.parse import GREEK

_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_GREEK_CHAR = {name: char for char, name in reversed(list(GREEK.items()))}
# a number (not the end of a name such as x2) multiplying what follows; not
# before |: inside another |…|, 2|x| would not read back (|x + 2|x|| is ambiguous)
_COEFFICIENT_DOT = re.compile(r"(?<![\w.√∛])(\d+)·(?=[A-Za-zα-ωΑ-Ω(√])")


class _UnicodePrinter(StrPrinter):
    """StrPrinter with superscripts, √, π, |x| and greek letters."""

    def _print_Symbol(self, expr: sympy.Symbol) -> str:
        return _GREEK_CHAR.get(expr.name, expr.name)

    def _print_Pi(self, expr: sympy.Expr) -> str:
        return "π"

    def _print_Exp1(self, expr: sympy.Expr) -> str:
        return "e"

    def _print_exp(self, expr: sympy.Expr) -> str:
        argument = expr.args[0]
        if argument.is_Symbol or (argument.is_Integer and argument >= 0):
            return "e^" + self._print(argument)
        return "e^(" + self._print(argument) + ")"

    def _print_Abs(self, expr: sympy.Expr) -> str:
        return "|" + self._print(expr.args[0]) + "|"

    def _print_Pow(self, expr: sympy.Pow, rational: bool = False) -> str:
        base, exponent = expr.args
        if exponent is sympy.S.Half:
            return "√" + self._radicand(base)
        if exponent == sympy.Rational(1, 3):
            return "∛" + self._radicand(base)
        if exponent.is_Integer and int(exponent) not in (-1,):
            shown = self.parenthesize(
                base, sympy.printing.precedence.PRECEDENCE["Pow"], strict=True
            )
            return shown + str(int(exponent)).translate(_SUPERSCRIPT)
        return str(super()._print_Pow(expr, rational)).replace("**", "^")

    def _radicand(self, base: sympy.Expr) -> str:
        shown = self._print(base)
        if base.is_Symbol or (base.is_Integer and base >= 0):
            return shown
        return "(" + shown + ")"


_unicode_printer = _UnicodePrinter()
_text_printer = StrPrinter()
# sorting terms into print order costs more than the rest of a large
# gradient: thousands of terms, or a deep tree whose every sum is sorted again
# inside every enclosing one (80x the plain print of a nested tanh's gradient
# at a point). sympy's canonical internal order is deterministic too.
_LARGE = 200
_LARGE_TREE = 400


class _Remembering(StrPrinter):
    """A printer that prints each distinct part once per ``doprint``.

    The chain rule repeats the inner levels of a composition in every
    factor; the text of a repeated part is looked up, not printed again, so
    the cost is that of the distinct parts plus joining the strings.
    """

    def doprint(self, expr: sympy.Basic) -> str:
        self._printed: dict[sympy.Basic, str] = {}
        try:
            return str(super().doprint(expr))
        finally:
            del self._printed

    def _print(self, expr: sympy.Basic, **kwargs: object) -> str:
        if kwargs or not isinstance(expr, sympy.Basic):
            return str(super()._print(expr, **kwargs))
        shown = self._printed.get(expr)
        if shown is None:
            shown = self._printed[expr] = str(super()._print(expr))
        return shown


class _RememberingUnicode(_Remembering, _UnicodePrinter):
    pass


_text_printer_large = _Remembering({"order": "none"})
_unicode_printer_large = _RememberingUnicode({"order": "none"})


def _is_large(expr: sympy.Basic) -> bool:
    """Whether ``expr`` is printed in canonical rather than conventional order:
    more than _LARGE terms, or a tree of more than _LARGE_TREE nodes (counted
    only that far, so that the test itself stays cheap)."""
    if len(expr.args) > _LARGE:
        return True
    nodes = list(itertools.islice(sympy.preorder_traversal(expr), _LARGE_TREE + 1))
    if len(nodes) > _LARGE_TREE:
        return True
    # a constant such as tanh(1/2 + tanh(1/2)): sympy orders the terms of a
    # constant sum by their complex values, evaluating every nested level
    return not expr.free_symbols and any(
        isinstance(node, sympy.Function) and any(not a.is_Atom for a in node.args) for node in nodes
    )


def tree_size(expr: sympy.Basic, sizes: dict[sympy.Basic, int] | None = None) -> int:
    """The number of nodes of ``expr`` written out as a tree, in time linear in
    its distinct parts (a shared part is counted once per use, measured once).

    >>> x = sympy.Symbol("x")
    >>> tree_size(sympy.sin(x) + sympy.cos(x))
    5
    """
    sizes = {} if sizes is None else sizes
    stack: list[tuple[sympy.Basic, bool]] = [(expr, False)]
    while stack:
        node, expanded = stack.pop()
        if node in sizes:
            continue
        if expanded or not node.args:
            sizes[node] = 1 + sum(sizes[a] for a in node.args)
            continue
        stack.append((node, True))
        stack.extend((a, False) for a in node.args if a not in sizes)
    return sizes[expr]


def to_text(expr: sympy.Basic, *, in_bulk: bool = False) -> str:
    """Sympy syntax, read back by gradcli: ``x**2 + x*y + y**2``.

    Terms are printed in their conventional order, except in a large sum or
    ``in_bulk`` (one of thousands of results), where sympy's own canonical
    order is used: sorting terms for print costs more than computing them.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> to_text(x**2 + x*y + y**2)
    'x**2 + x*y + y**2'
    """
    printer = _text_printer_large if in_bulk or _is_large(expr) else _text_printer
    return str(printer.doprint(expr))


def to_unicode(expr: sympy.Basic) -> str:
    """One line of unicode maths: ``x² + x·y + y²``, ``5√74/74``.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> to_unicode(x**2 + x*y + y**2)
    'x² + x·y + y²'
    >>> to_unicode(5 * sympy.sqrt(74) / 74)
    '5√74/74'
    """
    printer = _unicode_printer_large if _is_large(expr) else _unicode_printer
    shown = str(printer.doprint(expr)).replace("*", "·")
    return _COEFFICIENT_DOT.sub(r"\1", shown)


def to_latex(expr: sympy.Basic) -> str:
    r"""LaTeX for a write-up.

    >>> to_latex(sympy.sqrt(74))
    '\\sqrt{74}'
    """
    return str(sympy.latex(expr))


def decimal(value: float, digits: int = 7) -> str:
    """A float with ``digits`` significant digits, without exponent noise.

    >>> decimal(8.602325267042627)
    '8.602325'
    >>> decimal(5.0)
    '5'
    """
    if value == 0:
        return "0"
    if not math.isfinite(value):
        return str(value)
    shown = f"{value:.{digits}g}"
    if "e" in shown:
        mantissa, exponent = shown.split("e")
        return f"{mantissa}e{int(exponent)}"
    return shown


def is_exactly(expr: sympy.Expr, value: float) -> bool:
    """Whether an exact value is a plain number whose decimal says it all.

    Used to skip "≈ 5" beside an exact 5.

    >>> is_exactly(sympy.Integer(5), 5.0), is_exactly(sympy.sqrt(74), 8.6)
    (True, False)
    """
    return bool(expr.is_Integer) or (
        bool(expr.is_Rational) and len(decimal(value)) < 8 and float(expr) == float(decimal(value))
    )
