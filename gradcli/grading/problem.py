"""One function (and point) prepared once for many answers: ∇f, the Hessian, the
values at the point, the critical points, and the candidates a mistake is matched with.

Derivatives come from :mod:`gradcli.derivatives`, values at a point from
:mod:`gradcli.numbers`, critical points and their kinds from
:func:`gradcli.critical.critical_points`: grading computes none of them itself.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sympy

from gradcli.calculus import GradientAt, evaluate_gradient, point_values
from gradcli.derivatives import Matrix, gradient_of, hessian_of, partial_derivatives
from gradcli.errors import BudgetExceeded, GradcliError, InputError, UndefinedError
from gradcli.grading.answers import Entry, read_vector
from gradcli.grading.evaluator import Evaluator
from gradcli.i18n import _
from gradcli.limits import Limits
from gradcli.numbers import value_at
from gradcli.parse import Function, parse_vector
from gradcli.printing import decimal, to_unicode

__all__ = ["Context", "CriticalPoint", "CriticalSet", "Problem", "shown_point"]

#: at most this many nearby wrong points (or composite terms) are tried per answer
_CANDIDATES = 12
#: entries of a problem's caches before they are cleared (a long batch of
#: distinct answers must not grow memory without bound)
_READ_CACHE = 10_000


@dataclass
class Context:
    """What earlier parts of the same answer said, for carried errors."""

    gradient: tuple[sympy.Expr, ...] | None = None
    gradient_right: bool = True
    value: tuple[sympy.Expr, ...] | None = None
    value_right: bool = True


@dataclass(frozen=True)
class CriticalPoint:
    """A critical point of f: exact when solved exactly, its floats, its kind's words."""

    exact: tuple[sympy.Expr, ...] | None
    floats: tuple[float, ...]
    kind: str
    #: for a degenerate or nondifferentiable point, what f does around it
    #: (``"minimum"``, ``"maximum"``, ``"neither"``, ``"flat"``), if known
    higher_order: str | None = None


@dataclass(frozen=True)
class CriticalSet:
    """f's isolated critical points; whether the search was complete; whether f
    also has infinitely many (on curves or surfaces)."""

    points: tuple[CriticalPoint, ...]
    complete: bool
    note: str = ""
    sets: bool = False


class Problem:
    """A function, its gradient, the point, and cached work for its answers."""

    def __init__(
        self,
        function: Function,
        *,
        at: str | None,
        along: str | None,
        seed: int,
        limits: Limits,
    ) -> None:
        self.function = function
        self.variables = function.variables
        self.symbols = (*function.variables, *function.parameters)
        self.names = [s.name for s in self.symbols]
        #: the variables as shown to people
        self.shown = [to_unicode(v) for v in self.variables]
        self.limits = limits
        self.seed = seed
        self.gradient = gradient_of(function.expr, function.variables)
        # answers are compared where f is defined: ∇f means nothing elsewhere,
        # and feedback must not cite a point where f does not exist
        self.evaluator = Evaluator(self.symbols, seed, within=(function.expr,))
        self.at_text = at
        self.along_text = along
        self.values = point_values(function, at, limits=limits) if at is not None else None
        self.point = (
            tuple(self.values[v] for v in self.variables) if self.values is not None else None
        )
        self.point_shown = shown_point(self.point) if self.point is not None else ""
        self.along_vector: tuple[sympy.Expr, ...] | None = None
        if along is not None:
            self.along_vector = parse_vector(along, limits=limits)
        self._cache: dict[Any, Any] = {}
        self._read: dict[str, list[Entry] | GradcliError] = {}
        #: results of a part for answers that read as the same expressions
        self.graded: dict[Any, list[Any]] = {}

    def _memo(self, key: Any, make: Callable[[], Any]) -> Any:
        if key not in self._cache:
            try:
                self._cache[key] = make()
            except BudgetExceeded:
                raise
            except GradcliError as error:
                self._cache[key] = error
        value = self._cache[key]
        if isinstance(value, GradcliError):
            raise value
        return value

    def varies(self, entry: Entry) -> bool:
        """Whether an answer depends on the variables (parameters may remain)."""
        return not entry.free.isdisjoint(self.variables)

    def read(self, text: str) -> list[Entry]:
        """An answer's components, read once per distinct text."""
        if len(self._read) > _READ_CACHE:
            self._read.clear()
        found = self._read.get(text)
        if found is None:
            try:
                found = read_vector(text, self, self.limits)
            except BudgetExceeded:
                raise
            except GradcliError as error:
                found = error
            self._read[text] = found
        if isinstance(found, GradcliError):
            raise found
        return found

    def at_result(self) -> GradientAt:
        """∇f at the point: value, magnitude, direction, directional derivative."""
        at_text = self.at_text
        if at_text is None:
            raise InputError(_("this part needs a point: give --at"))
        return self._memo(
            "at",
            lambda: evaluate_gradient(
                self.function,
                self.gradient,
                at_text,
                along=self.along_text,
                limits=self.limits,
            ),
        )

    def gradient_at(self, point: Sequence[sympy.Expr]) -> tuple[sympy.Expr, ...] | None:
        """∇f at another point, or ``None`` where it is undefined."""
        values = dict(zip(self.variables, point))
        if self.values:
            values.update({p: v for p, v in self.values.items() if p not in self.variables})
        out = []
        for component in self.gradient:
            try:
                exact, _float = value_at(component, values, limits=self.limits)
            except UndefinedError:
                return None
            out.append(exact)
        return tuple(out)

    def hessian(self) -> Matrix:
        return self._memo("hessian", lambda: hessian_of(self.function.expr, self.variables))

    def hessian_at(self) -> tuple[list[sympy.Expr], list[float | None]]:
        """The Hessian's entries at the point, row by row: exact, and their floats."""

        def make() -> tuple[list[sympy.Expr], list[float | None]]:
            assert self.values is not None
            exact: list[sympy.Expr] = []
            floats: list[float | None] = []
            for row in self.hessian():
                for entry in row:
                    e, f = value_at(
                        entry,
                        self.values,
                        what=_("the Hessian is {} at the point"),
                        limits=self.limits,
                    )
                    exact.append(e)
                    floats.append(f)
            return exact, floats

        return self._memo("hessian at", make)

    def critical(self) -> CriticalSet:
        """f's critical points and their kinds, as ``gradcli.critical`` finds them."""
        return self._memo("critical", self._find_critical)

    def _find_critical(self) -> CriticalSet:
        from gradcli.critical import critical_points

        if self.function.parameters:
            names = ", ".join(p.name for p in self.function.parameters)
            raise InputError(
                _("f has parameters ({names}): critical points need their values").format(
                    names=names
                )
            )
        budget = max(1.0, min(5.0, self.limits.timeout / 2))
        result = critical_points(
            self.function.expr, self.variables, time_budget=budget, seed=self.seed
        )
        points = tuple(
            CriticalPoint(
                exact=p.point,
                floats=tuple(float(c) for c in p.point_float),
                kind=p.kind,
                higher_order=p.higher_order,
            )
            for p in result.points
        )
        note = ""
        if result.sets:
            note = _(
                "f also has infinitely many critical points on curves or surfaces; "
                "only the isolated ones are checked"
            )
        elif not result.complete:
            note = _("the search for critical points may be incomplete")
        return CriticalSet(
            points=points, complete=bool(result.complete), note=note, sets=bool(result.sets)
        )

    # -- candidates for naming a mistake

    def wrong_points(
        self, part: str
    ) -> list[tuple[tuple[sympy.Expr, ...], str, tuple[sympy.Expr, ...]]]:
        """Nearby mistakes for the point: swapped or negated coordinates.

        Each is the point, as shown, with ∇f there (or its unit vector).
        """

        def make() -> list[tuple[tuple[sympy.Expr, ...], str, tuple[sympy.Expr, ...]]]:
            point = self.point or ()
            n = len(point)
            tried: list[tuple[sympy.Expr, ...]] = []
            orders = itertools.permutations(range(n)) if n <= 3 else iter([tuple(range(n))])
            for order in orders:
                tried.append(tuple(point[k] for k in order))
            tried.append(tuple(-c for c in point))
            for k in range(n):
                tried.append(tuple(-c if m == k else c for m, c in enumerate(point)))
            out = []
            seen = {point}
            for candidate in tried:
                if candidate in seen:
                    continue
                seen.add(candidate)
                value = self.gradient_at(candidate)
                if value is None:
                    continue
                if part == "direction":
                    norm = sympy.sqrt(sympy.Add(*(v**2 for v in value)))
                    if norm == 0:
                        continue
                    value = tuple(sympy.radsimp(v / norm) for v in value)
                out.append((candidate, shown_point(candidate), value))
            return out[:_CANDIDATES]

        return self._memo(("wrong points", part), make)

    def carried_vector(
        self, context: Context, *, use_value: bool, unit: bool = False
    ) -> tuple[tuple[sympy.Expr, ...], str] | None:
        """What the student's own earlier wrong answer gives, and which answer that was.

        The value at the point comes from their ``value`` when ``use_value`` and
        it was wrong, else from their wrong gradient evaluated at the point.
        """
        vector: tuple[sympy.Expr, ...] | None = None
        source = ""
        if use_value and context.value is not None and not context.value_right:
            vector, source = context.value, _("value of ∇f")
        elif context.gradient is not None and not context.gradient_right and self.values:
            floats = self.evaluator.at(context.gradient, self.values)
            if floats is None:
                return None
            vector = tuple(sympy.Float(v) for v in floats)
            source = _("gradient at the point")
        if vector is None or any(v.free_symbols & set(self.variables) for v in vector):
            return None
        if unit:
            norm = sympy.sqrt(sympy.Add(*(v**2 for v in vector)))
            if norm == 0:
                return None
            vector = tuple(sympy.radsimp(v / norm) for v in vector)
        return vector, source

    def terms(self, i: int) -> list[tuple[sympy.Expr, sympy.Expr, str, str]]:
        """Each term of f with its derivative by x_i, and both as shown to people."""

        def make() -> list[tuple[sympy.Expr, sympy.Expr, str, str]]:
            expr = self.function.expr
            terms = expr.args if isinstance(expr, sympy.Add) else (expr,)
            x = self.variables[i]
            out = []
            for term in terms:
                (derivative,) = partial_derivatives(term, (x,))
                out.append((term, derivative, to_unicode(term), to_unicode(derivative)))
            return out

        return self._memo(("terms", i), make)

    def chain_candidates(self, i: int) -> list[tuple[sympy.Expr, sympy.Expr, sympy.Expr]]:
        """For each composite F(u) in f: ∂f/∂x_i with the inner derivative ∂u/∂x_i dropped."""

        def make() -> list[tuple[sympy.Expr, sympy.Expr, sympy.Expr]]:
            x = self.variables[i]
            expr = self.function.expr
            out = []
            seen = set()
            for node in sympy.preorder_traversal(expr):
                inner = _inner(node)
                if inner is None or not inner.has(x) or node in seen:
                    continue
                seen.add(node)
                (inner_derivative,) = partial_derivatives(inner, (x,))
                if inner_derivative == 1:
                    continue
                s = sympy.Dummy("s")
                outer = node.xreplace({inner: s})
                replaced = expr.xreplace({node: s})
                (derivative_outer,) = partial_derivatives(outer, (s,))
                by_x, by_s = partial_derivatives(replaced, (x, s))
                candidate = by_x.xreplace({s: node}) + by_s.xreplace({s: node}) * (
                    derivative_outer.xreplace({s: inner})
                )
                out.append((node, inner_derivative, candidate))
                if len(out) >= _CANDIDATES:
                    break
            return out

        return self._memo(("chain", i), make)


def _inner(node: sympy.Basic) -> sympy.Expr | None:
    """The inner function u of a composite F(u), when u is not a bare symbol."""
    if isinstance(node, sympy.Function) and len(node.args) == 1:
        inner = node.args[0]
    elif isinstance(node, sympy.Pow) and not node.exp.free_symbols:
        inner = node.base
    elif isinstance(node, sympy.Pow) and node.base is sympy.E:
        inner = node.exp
    else:
        return None
    if inner.is_Symbol or not inner.free_symbols:
        return None
    return inner


def shown_point(point: Sequence[Any]) -> str:
    """A point's coordinates as shown in messages: ``1, √2``.

    >>> shown_point((sympy.Integer(1), sympy.sqrt(2), 0.5))
    '1, √2, 0.5'
    """
    return ", ".join(
        to_unicode(c) if isinstance(c, sympy.Basic) else decimal(float(c), 6) for c in point
    )
