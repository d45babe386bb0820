"""Gradients, Jacobians and directional derivatives, exact first.

Each public function takes a function (text, a parsed :class:`Function`, or a
sympy expression), returns a frozen dataclass, and never prints. Derivatives
come from :mod:`gradcli.derivatives`, numbers and values at a point from
:mod:`gradcli.numbers`: exact sympy numbers with the correctly rounded float
of the exact value beside them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TypeAlias

import sympy

from gradcli import i18n
from gradcli.budget import Allowance
from gradcli.derivatives import gradient_at, gradient_of, jacobian_of, partial_derivatives
from gradcli.display import Displayable
from gradcli.errors import BudgetExceeded, DimensionError, InputError
from gradcli.i18n import N_, _
from gradcli.limits import Limits
from gradcli.numbers import (
    describe_point,
    exact,
    exact_sign,
    floats_of,
    is_large_tree,
    to_float,
    value_at,
)
from gradcli.parse import (
    Function,
    natural_key,
    parse_function,
    parse_point,
    parse_vector,
    reading_notes,
    split_definition,
    symbol,
    variable_names,
)
from gradcli.printing import to_text, tree_size

__all__ = [
    "Directional",
    "Gradient",
    "GradientAt",
    "Jacobian",
    "as_function",
    "describe_point",
    "evaluate",
    "evaluate_gradient",
    "gradient",
    "jacobian",
    "partial_derivatives",
    "point_text",
    "point_values",
]

#: the value of an expression at a point: one home, in gradcli.numbers
evaluate = value_at

#: a point: ``"1,3"``, ``"x=1, y=3"``, ``(1, 3)``, ``{"x": 1, "y": 3}``; one
#: number for a function of one variable. A float is the decimal it prints
#: as (0.1 is 1/10: :func:`gradcli.numbers.exact`).
PointLike: TypeAlias = (
    "str | Sequence[object] | Mapping[str | sympy.Symbol, object] | int | float | Fraction"
    " | sympy.Expr"
)
#: a function: text (read by gradcli's parser), a sympy expression, or a Function
FunctionLike: TypeAlias = "str | Function | sympy.Expr"
#: variables: ``"x, y"``, names, or sympy symbols (a symbol stands for its name)
VariablesLike: TypeAlias = "str | sympy.Symbol | Sequence[str | sympy.Symbol]"


@dataclass(frozen=True)
class Directional:
    """The rate of change of f at a point along a direction v."""

    along: tuple[sympy.Expr, ...]
    unit_along: tuple[sympy.Expr, ...]
    unit_along_float: tuple[float, ...]
    derivative: sympy.Expr
    derivative_float: float | None
    #: angle between v and ∇f, in radians; None where ∇f = 0
    angle_float: float | None


@dataclass(frozen=True)
class GradientAt:
    """The gradient evaluated at one point."""

    point: tuple[sympy.Expr, ...]
    #: values given for parameters, in the function's parameter order
    parameter_values: tuple[tuple[sympy.Symbol, sympy.Expr], ...]
    function_value: sympy.Expr
    function_value_float: float | None
    value: tuple[sympy.Expr, ...]
    value_float: tuple[float, ...] | None
    magnitude: sympy.Expr
    magnitude_float: float | None
    #: the unit vector of steepest ascent; None where ∇f = 0
    direction: tuple[sympy.Expr, ...] | None
    direction_float: tuple[float, ...] | None
    #: ∇f = 0 here: no direction of ascent; None where it depends on parameters
    critical: bool | None
    directional: Directional | None = None


@dataclass(frozen=True)
class Gradient(Displayable):
    """∇f, symbolic, and evaluated at a point when one was given."""

    function: Function
    components: tuple[sympy.Expr, ...]
    at: GradientAt | None = None
    #: remarks for the user: how the input was read, simplification skipped, …
    notes: tuple[str, ...] = ()

    @property
    def variables(self) -> tuple[sympy.Symbol, ...]:
        return self.function.variables


@dataclass(frozen=True)
class Jacobian(Displayable):
    """The matrix of first partials of a vector-valued function."""

    components: tuple[sympy.Expr, ...]
    variables: tuple[sympy.Symbol, ...]
    matrix: tuple[tuple[sympy.Expr, ...], ...]
    point: tuple[sympy.Expr, ...] | None = None
    matrix_at: tuple[tuple[sympy.Expr, ...], ...] | None = None
    matrix_at_float: tuple[tuple[float, ...], ...] | None = None
    notes: tuple[str, ...] = ()


# --------------------------------------------------------------------------
# Public API


def gradient(
    f: FunctionLike,
    variables: VariablesLike | None = None,
    *,
    at: PointLike | None = None,
    along: PointLike | None = None,
    simplify: bool = True,
    limits: Limits | None = None,
) -> Gradient:
    """The gradient of ``f``, and its value, length and direction at ``at``.

    Parameters
    ----------
    f : str, sympy.Expr or Function
        The function: text (read by gradcli's own parser, never evaluated),
        a sympy expression, or a parsed :class:`~gradcli.parse.Function`.
    variables : str or sequence of str or sympy.Symbol, optional
        The variables in order (``"x, y"``, ``["x", "y"]`` or symbols); the
        other symbols are parameters. By default every symbol, in natural
        order (``x2`` before ``x10``), as the command line does.
    at : str, sequence, mapping or number, optional
        A point: ``"1,3"``, ``"x=1, y=3"`` (it may give parameters values
        too), ``(1, 3)``, ``{"x": 1, "y": 3}``. Coordinates are exact: a
        float is the decimal it prints as (``0.1`` is 1/10).
    along : str or sequence, optional
        A direction v for the directional derivative at ``at``.
    simplify : bool
        Tidy each partial derivative within the optional-work budget.
    limits : Limits, optional
        Bounds on the input's size and the time the work may take.

    Returns
    -------
    Gradient
        ``components`` (∇f) and, with ``at``, ``at`` (a :class:`GradientAt`).

    Raises
    ------
    InputError
        Unreadable text, a bad point or direction (:class:`DimensionError`
        when its length does not match the variables).
    UndefinedError
        f or a partial derivative is undefined at the point.

    Examples
    --------
    >>> g = gradient("x^2 + y^2 + xy", at="1,3")
    >>> g.components
    (2*x + y, x + 2*y)
    >>> g.at.value, g.at.magnitude
    ((5, 7), sqrt(74))
    >>> round(g.at.magnitude_float, 6)
    8.602325
    """
    limits = limits or Limits()
    function = as_function(f, variables=variables, limits=limits)
    notes = list(function.notes)
    components = gradient_of(function.expr, function.variables)
    optional = Allowance(limits.optional_seconds)
    if simplify:
        components, skipped = _tidy_all(components, function.variables, optional)
        if skipped:
            notes.append(_not_simplified(skipped, len(components)))
    evaluated = None
    if at is not None:
        cut_before = len(optional.cut)
        evaluated = evaluate_gradient(
            function, components, at, along=along, limits=limits, optional=optional
        )
        notes.extend(
            _("not simplified (budget): {what}, shown as computed").format(what=i18n._(what))
            for what in optional.cut[cut_before:]
        )
    elif along is not None:
        raise InputError(_("--along needs a point: give --at too"))
    return Gradient(function=function, components=components, at=evaluated, notes=tuple(notes))


def jacobian(
    fs: str | Sequence[FunctionLike],
    variables: VariablesLike | None = None,
    *,
    at: PointLike | None = None,
    limits: Limits | None = None,
    latex: bool | None = None,
) -> Jacobian:
    """The Jacobian matrix of a vector-valued function, one row per component.

    Parameters
    ----------
    fs : str or sequence of str, sympy.Expr or Function
        The components: ``"x*y, x + y"``, or one function per component.
        Text may start with a definition, ``F(x, y) = …``, which declares
        the variables and their order, as ``variables`` would.
    variables : str or sequence of str or sympy.Symbol, optional
        The variables in order; by default every symbol, in natural order.
    at : str, sequence, mapping or number, optional
        A point, as for :func:`gradient`.
    limits : Limits, optional
        Bounds on the input's size and the time the work may take.
    latex : bool, optional
        Read text as LaTeX; by default when it starts with a backslash.

    Examples
    --------
    >>> J = jacobian("x*y, x + y, sin(x)")
    >>> J.matrix
    ((y, x), (1, 1), (cos(x), 0))
    >>> jacobian("F(y, x) = (x*y, x)").matrix
    ((x, y), (0, 1))
    """
    limits = limits or Limits()
    variables = _names(variables)
    with reading_notes() as read:
        if isinstance(fs, str):
            definition = split_definition(fs)
            if definition is not None:
                declared, fs, _body = definition
                names = [symbol(n).name for n in variables] if variables else declared
                if names != declared:
                    raise InputError(
                        _(
                            "the function declares its variables as {declared} "
                            "but --vars gives {given}"
                        ).format(declared=", ".join(declared), given=", ".join(variables or ()))
                    )
                variables = declared
                read.append(
                    _("read the definition as the components of a function of {names}").format(
                        names=", ".join(declared)
                    )
                )
            components = parse_vector(fs, variables=variables or (), limits=limits, latex=latex)
        elif isinstance(fs, (Function, sympy.Expr)):
            components = (as_function(fs, limits=limits).expr,)
        elif isinstance(fs, Iterable) and not isinstance(fs, (bytes, sympy.MatrixBase)):
            components = tuple(as_function(f, limits=limits).expr for f in fs)
        else:
            raise InputError(
                _("expected the components as text or a sequence, got {kind}").format(
                    kind=type(fs).__name__
                )
            )
        if not components:
            raise InputError(_("the function has no components"))
    notes = tuple(dict.fromkeys(read))
    free = set().union(*(c.free_symbols for c in components))
    whole = Function(
        expr=sympy.Tuple(*components),
        variables=_choose_variables(free, variables),
        parameters=(),
        source=fs if isinstance(fs, str) else "",
    )
    whole = Function(
        expr=whole.expr,
        variables=whole.variables,
        parameters=tuple(sorted(free - set(whole.variables), key=lambda s: natural_key(s.name))),
        source=whole.source,
    )
    matrix = jacobian_of(components, whole.variables)
    if at is None:
        return Jacobian(
            components=components, variables=whole.variables, matrix=matrix, notes=notes
        )
    values = point_values(whole, at, limits=limits)
    point = tuple(values[v] for v in whole.variables)
    rows_exact = []
    rows_float = []
    for i, (component, row) in enumerate(zip(components, matrix)):
        f = "f" if len(components) == 1 else f"f{i + 1}"
        at_point = gradient_at(
            component,
            whole.variables,
            values,
            components=row,
            f=f,
            limits=limits,
        )
        rows_exact.append(tuple(e for e, _approx in at_point))
        rows_float.append(tuple(approx for _exact, approx in at_point))
    has_floats = all(v is not None for row in rows_float for v in row)
    return Jacobian(
        components=components,
        variables=whole.variables,
        matrix=matrix,
        point=point,
        matrix_at=tuple(rows_exact),
        matrix_at_float=tuple(tuple(float(v) for v in row) for row in rows_float)  # type: ignore[arg-type]
        if has_floats
        else None,
        notes=notes,
    )


# --------------------------------------------------------------------------
# Building blocks, shared with the other commands


def as_function(
    f: FunctionLike,
    *,
    variables: VariablesLike | None = None,
    limits: Limits | None = None,
) -> Function:
    """A :class:`Function` from text, a Function, or a sympy expression.

    Every public function reads its ``f`` here, so that each takes the same
    kinds alike. Text is read by :func:`~gradcli.parse.parse_function`
    (never evaluated); the decimals of a sympy expression are made exact
    as the parser makes typed ones (``0.5`` is 1/2).

    >>> as_function("a*x", variables=["x"]).parameters
    (a,)
    >>> x = sympy.Symbol("x")
    >>> as_function(0.5 * x**2).expr
    x**2/2
    """
    names = _names(variables)
    if isinstance(f, Function):
        if names is None:
            return f
        chosen = _choose_variables(f.expr.free_symbols, variables, names)
        return Function(
            expr=f.expr,
            variables=chosen,
            parameters=_parameters(f.expr, chosen),
            source=f.source,
            notes=f.notes,
        )
    if isinstance(f, str):
        return parse_function(f, variables=names, limits=limits)
    if isinstance(f, (int, Fraction)) and not isinstance(f, bool):
        f = exact(f, _("the function"))
    if isinstance(f, sympy.Expr) and not isinstance(f, sympy.MatrixBase):
        _refuse_what_text_could_not_say(f)
        if f.has(sympy.Float):
            what = _("a number in f")
            f = f.xreplace({v: exact(v, what) for v in f.atoms(sympy.Float)})
        chosen = _choose_variables(f.free_symbols, variables, names)
        return Function(expr=f, variables=chosen, parameters=_parameters(f, chosen), source=str(f))
    raise InputError(
        _("expected a sympy expression, text or a Function, got {kind}").format(
            kind=type(f).__name__
        )
    )


def _refuse_what_text_could_not_say(f: sympy.Expr) -> None:
    """A sympy expression holds only what gradcli's parser could have read.

    Text can only give finite constants, known functions and names that
    read back; so the same checks hold for an expression built in Python,
    where everything downstream (exactness, the printed exact forms that
    read back) relies on them. A complex constant is left to the point:
    d/dx (x - I) is 1, but f has no real value anywhere.
    """
    from sympy.core.function import AppliedUndef

    for constant in (sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
        if f.has(constant):
            raise InputError(
                _("f holds {constant}, which is not a number: f must be finite").format(
                    constant=constant
                )
            )
    unknown = sorted(str(g) for g in f.atoms(AppliedUndef))
    if unknown:
        raise InputError(
            _(
                "f holds the undefined function {function}: gradcli differentiates known "
                "functions only (write it out)"
            ).format(function=unknown[0])
        )
    for s in f.free_symbols:
        if isinstance(s, sympy.Dummy):
            raise InputError(
                _("f holds the Dummy symbol {symbol}: give a Symbol, which has one name").format(
                    symbol=s
                )
            )
        if not s.name.isidentifier():
            raise InputError(
                _(
                    "f holds a symbol named {name}, which could not be read back: "
                    "use a name such as x, y2 or theta"
                ).format(name=repr(s.name))
            )


def _names(variables: VariablesLike | None) -> list[str] | None:
    """The variables' names, each once; an empty list is refused."""
    names = variable_names(variables)
    if names is None:
        return None
    if not names:
        raise InputError(_("at least one variable is needed"))
    canonical = [symbol(n.strip()).name for n in names]
    if len(set(canonical)) != len(canonical):
        raise InputError(_("a variable is listed twice"))
    return names


def _choose_variables(
    free: Iterable[sympy.Symbol],
    variables: VariablesLike | None,
    names: Sequence[str] | None = None,
) -> tuple[sympy.Symbol, ...]:
    """The variables among the free symbols: by name; a given symbol that is
    not free is kept as it is, a name that is not is gradcli's real symbol."""
    by_name = {s.name: s for s in free}
    names = variable_names(variables) if names is None else names
    if names is None:
        return tuple(by_name[n] for n in sorted(by_name, key=natural_key))
    given = {}
    if isinstance(variables, Iterable) and not isinstance(variables, str):
        given = {v.name: v for v in variables if isinstance(v, sympy.Symbol)}
    chosen = []
    for name in names:
        canonical = symbol(name.strip())
        found = by_name.get(name) or by_name.get(canonical.name)
        chosen.append(found or given.get(name) or canonical)
    return tuple(chosen)


def _parameters(expr: sympy.Expr, chosen: Sequence[sympy.Symbol]) -> tuple[sympy.Symbol, ...]:
    return tuple(sorted(expr.free_symbols - set(chosen), key=lambda s: natural_key(s.name)))


def point_values(
    function: Function, at: PointLike, *, limits: Limits | None = None
) -> dict[sympy.Symbol, sympy.Expr]:
    """The exact values of the variables (and named parameters) at ``at``.

    >>> f = as_function("x*y")
    >>> point_values(f, (1, "pi/2"))
    {x: 1, y: pi/2}
    >>> point_values(f, {"y": 0.1, "x": 2})
    {x: 2, y: 1/10}
    """
    limits = limits or Limits()
    if isinstance(at, str):
        return parse_point(at, function, limits=limits)
    if isinstance(at, Mapping):
        by_name = {s.name: s for s in (*function.variables, *function.parameters)}
        values = {}
        for key, raw in at.items():
            if isinstance(key, sympy.Symbol):
                name = key.name
            elif isinstance(key, str):
                name = key.strip()
                name = name if name in by_name else symbol(name).name
            else:
                raise InputError(
                    _("a point's names must be text or symbols, got {key}").format(key=repr(key))
                )
            if name not in by_name:
                raise InputError(
                    _("'{name}' is not a variable of f, nor a parameter").format(name=name)
                )
            what = _("the value of {name}").format(name=name)
            values[by_name[name]] = exact(raw, what, limits=limits)
        missing = [v.name for v in function.variables if v not in values]
        if missing:
            raise DimensionError(
                _("the point gives no value for {names}").format(names=", ".join(missing))
            )
        return {
            **{v: values[v] for v in function.variables},
            **{p: values[p] for p in function.parameters if p in values},
        }
    coordinates = _coordinates(at, _("the point"))
    if len(coordinates) != len(function.variables):
        raise DimensionError(
            _(
                "the point has {coordinates} coordinates but the function has {variables} variables"
            ).format(coordinates=len(coordinates), variables=len(function.variables))
        )
    what = _("a coordinate")
    return {v: exact(c, what, limits=limits) for v, c in zip(function.variables, coordinates)}


def _coordinates(at: object, what: str) -> list[object]:
    """A point or vector given as a sequence, or as one number."""
    if isinstance(at, (int, float, Fraction, sympy.Expr)) and not isinstance(
        at, (bool, sympy.Tuple, sympy.MatrixBase)
    ):
        return [at]
    if isinstance(at, Iterable) and not isinstance(at, (bytes, bool)):
        return list(at)
    raise InputError(
        _("{what} must be text, a sequence of numbers or a mapping, got {value}").format(
            what=what, value=repr(at)
        )
    )


def point_text(function: Function, at: PointLike, *, limits: Limits | None = None) -> str:
    """A point given any way :func:`point_values` takes it, as text that reads back.

    >>> point_text(as_function("a*x + y", variables="x, y"), {"x": 0.5, "y": 1, "a": 2})
    'x=1/2, y=1, a=2'
    """
    if isinstance(at, str):
        return at
    values = point_values(function, at, limits=limits)
    return ", ".join(f"{s.name}={to_text(v)}" for s, v in values.items())


def evaluate_gradient(
    function: Function,
    components: Sequence[sympy.Expr],
    at: PointLike,
    *,
    along: PointLike | None = None,
    limits: Limits | None = None,
    optional: Allowance | None = None,
) -> GradientAt:
    """Evaluate a gradient at a point: value, length and unit direction.

    ``optional`` is the time for tidying the results (rationalising the unit
    direction), shared with whatever else the caller tidies; by default the
    limits' :attr:`~Limits.optional_seconds`.
    """
    limits = limits or Limits()
    optional = optional or Allowance(limits.optional_seconds)
    values = point_values(function, at, limits=limits)
    where = describe_point(values)
    function_value, function_value_float = evaluate(
        function.expr, values, what=_("f is {{}} at {where}").format(where=where), limits=limits
    )
    at_point = gradient_at(
        function.expr, function.variables, values, components=components, limits=limits
    )
    exact = [e for e, _approx in at_point]
    floats = [approx for _exact, approx in at_point]
    numeric = all(v is not None for v in floats)
    value_float = tuple(float(v) for v in floats if v is not None) if numeric else None
    magnitude = _length(exact)
    magnitude_float = None if value_float is None else to_float(magnitude)
    critical = _all_zero(exact, floats)
    direction = direction_float = None
    if critical is not True:
        quotients = tuple(e / magnitude for e in exact)
        if value_float is not None and magnitude_float:
            # from the exact form, so each float is the correctly rounded one;
            # large ones evaluated together (they share the magnitude and more)
            direction_float = tuple(floats_of(quotients))
        if _printable(exact, magnitude):
            direction = tuple(_tidy_quotient(q, optional, _UNIT_DIRECTION) for q in quotients)
    directional = None
    if along is not None:
        directional = _directional(
            function, exact, value_float, magnitude_float, along, limits=limits, optional=optional
        )
    parameter_values = tuple((p, values[p]) for p in function.parameters if p in values)
    return GradientAt(
        point=tuple(values[v] for v in function.variables),
        parameter_values=parameter_values,
        function_value=function_value,
        function_value_float=function_value_float,
        value=tuple(exact),
        value_float=value_float,
        magnitude=magnitude,
        magnitude_float=magnitude_float,
        direction=direction,
        direction_float=direction_float,
        critical=critical,
        directional=directional,
    )


def _length(value: Sequence[sympy.Expr]) -> sympy.Expr:
    """|v|, exactly. A large component is squared as it stands: sympy would
    multiply out the square of each factor of a chain-rule product, asking
    the sign of every nested constant on the way, for a form no shorter."""
    sizes: dict[sympy.Basic, int] = {}
    squares = [
        sympy.Pow(e, 2, evaluate=False) if tree_size(e, sizes) > _LARGE_SQUARE else e**2
        for e in value
    ]
    return sympy.sqrt(sympy.Add(*squares))


#: nodes in a component of ∇f beyond which its square is left unexpanded
_LARGE_SQUARE = 200


def _printable(value: Sequence[sympy.Expr], magnitude: sympy.Expr) -> bool:
    """Whether the exact unit direction ∇f/|∇f| is short enough to print.

    Each of its n components holds all of |∇f|, so it is n times as long as
    ∇f itself: for a 40-level nested tanh, megabytes of text that no one
    reads, which would take longer to print than everything else. Beyond
    :data:`_LONGEST_DIRECTION` nodes it is given as floats (∇f and |∇f|,
    printed exactly, define it).
    """
    sizes: dict[sympy.Basic, int] = {}
    total = sum(tree_size(v, sizes) for v in value)
    total += len(value) * tree_size(magnitude, sizes)
    return total <= _LONGEST_DIRECTION


#: nodes in the exact unit direction, over all its components, beyond which
#: only its floats are given (about 250,000 characters)
_LONGEST_DIRECTION = 50_000


def _tidy_quotient(value: sympy.Expr, optional: Allowance, what: str) -> sympy.Expr:
    """Rationalise a denominator when that reads better (5/√74 → 5√74/74).

    With a transcendental denominator radsimp only makes things longer, so
    the shorter form wins. Optional: out of time, the quotient stays as it is.
    """
    if value.atoms(sympy.Function):
        # e^…, log …: radsimp can only lengthen it, and on a loss summed over
        # data rows (a sum of exponentials under the root) it takes minutes
        return value
    try:
        with optional.spend(what, most=_TIDY_SECONDS):
            rationalised = sympy.radsimp(value)
    except BudgetExceeded:
        return value
    return rationalised if len(str(rationalised)) <= len(str(value)) else value


#: the optional work that time may cut short, as the notes name it
_UNIT_DIRECTION = N_("the unit direction")
_UNIT_ALONG = N_("the unit vector of --along")
_DIRECTIONAL = N_("the directional derivative")
_SIMPLIFYING = N_("simplifying the partial derivatives")

#: seconds for rationalising one denominator, at most
_TIDY_SECONDS = 0.5


def _all_zero(values: Sequence[sympy.Expr], floats: Sequence[float | None]) -> bool | None:
    """Whether ∇f = 0 at the point: None where parameters leave it open (∇(ax + by) = (a, b)).

    One component that is surely nonzero decides it, whatever the others are.
    """
    zero = [_is_zero(e, v) for e, v in zip(values, floats)]
    if False in zero:
        return False
    return True if all(zero) else None


def _is_zero(value: sympy.Expr, approx: float | None) -> bool | None:
    """An exact zero; or, where its sign is out of reach, a value whose float is 0.

    Deciding, not tidying: it has its own small budget, never the optional
    allowance, so that a spent allowance cannot turn a tiny value into a
    critical point. A large value with a nonzero float is not zero: its float
    was found at 40 and again at 60 digits and the two agreed, which the
    noise of a cancellation to zero does not do.
    """
    if value.is_Number:
        return bool(value == 0)
    if approx and is_large_tree(value):
        return False
    sign = exact_sign(value, seconds=_ZERO_SECONDS)
    if sign is not None:
        return sign == 0
    if approx is None:
        return None  # a value with parameters in it: zero for some of them, maybe
    return approx == 0.0


#: seconds to prove that a component of ∇f at a point is zero (or not), at most
_ZERO_SECONDS = 0.5


def _directional(
    function: Function,
    value: Sequence[sympy.Expr],
    value_float: Sequence[float] | None,
    magnitude_float: float | None,
    along: PointLike,
    *,
    limits: Limits,
    optional: Allowance,
) -> Directional:
    if isinstance(along, str):
        vector = parse_vector(along, limits=limits)
        if any(c.free_symbols for c in vector):
            raise InputError(_("--along must be a vector of numbers, such as 1,1"))
    else:
        what = _("a component of --along")
        vector = tuple(exact(c, what, limits=limits) for c in _coordinates(along, "--along"))
    if len(vector) != len(function.variables):
        raise InputError(
            _(
                "--along has {components} components but the function has {variables} variables"
            ).format(components=len(vector), variables=len(function.variables))
        )
    length = sympy.sqrt(sympy.Add(*(c**2 for c in vector)))
    if all(exact_sign(c, seconds=_ZERO_SECONDS) == 0 for c in vector):
        raise InputError(_("--along is the zero vector: it has no direction"))
    unit = tuple(_tidy_quotient(c / length, optional, _UNIT_ALONG) for c in vector)
    unit_float = tuple(to_float(c) for c in unit)
    derivative = _tidy_quotient(
        sympy.Add(*(g * u for g, u in zip(value, unit))), optional, _DIRECTIONAL
    )
    derivative_float = None
    angle = None
    if value_float is not None:
        derivative_float = to_float(derivative)
        if magnitude_float:
            angle = _angle(derivative / sympy.sqrt(sympy.Add(*(g**2 for g in value))))
    return Directional(
        along=vector,
        unit_along=unit,
        unit_along_float=unit_float,
        derivative=derivative,
        derivative_float=derivative_float,
        angle_float=angle,
    )


def _angle(cosine: sympy.Expr) -> float:
    """acos of an exact cosine, correctly rounded; exactly 0 or π when the
    cosine is exactly ±1 (v parallel to ∇f), however sympy wrote it."""
    approx = to_float(cosine)
    for end, angle in ((1, 0.0), (-1, math.pi)):
        if abs(approx - end) < 1e-9 and exact_sign(cosine - end, seconds=_ZERO_SECONDS) == 0:
            return angle
    return to_float(sympy.acos(cosine))


def _tidy_all(
    components: Sequence[sympy.Expr],
    variables: Sequence[sympy.Symbol],
    optional: Allowance,
) -> tuple[tuple[sympy.Expr, ...], int]:
    """Simplify each component within one shared allowance; keep what helps.

    Returns the components and how many were left unsimplified for want of
    time. A component that is another one with two variables swapped (every
    component of a symmetric function, such as log-sum-exp) is that one's
    simplification with the two swapped: simplified once, renamed n times.
    """
    out: list[sympy.Expr] = []
    simplified: list[tuple[int, sympy.Expr]] = []  # (index, its simplification)
    skipped = 0
    for i, component in enumerate(components):
        if not _worth_simplifying(component):
            out.append(component)
            continue
        mirrored = _mirrored(component, variables[i], components, variables, simplified)
        if mirrored is not None:
            out.append(mirrored)
            continue
        try:
            with optional.spend(_SIMPLIFYING):
                tidy = _constant_logs_apart(sympy.simplify(component))
        except BudgetExceeded:
            skipped += 1
            out.append(component)
            continue
        # a Piecewise from simplify ("0 where x·y = 0") claims values where
        # the derivative is undefined: never shown for one it was not in
        better = sympy.count_ops(tidy) <= sympy.count_ops(component) and (
            component.has(sympy.Piecewise) or not tidy.has(sympy.Piecewise)
        )
        chosen = tidy if better else component
        simplified.append((i, chosen))
        out.append(chosen)
    return tuple(out), skipped


def _not_simplified(skipped: int, total: int) -> str:
    """The note for partial derivatives left as differentiated when time ran out.

    >>> _not_simplified(3, 20)
    'not simplified (budget): 3 of the 20 partial derivatives, shown as differentiated'
    """
    if total == 1:
        return _("not simplified (budget): the partial derivative, shown as differentiated")
    return _(
        "not simplified (budget): {skipped} of the {total} partial derivatives, "
        "shown as differentiated"
    ).format(skipped=skipped, total=total)


#: earlier simplifications tried as mirror images of a component, newest first
_MIRRORS_TRIED = 3


def _mirrored(
    component: sympy.Expr,
    variable: sympy.Symbol,
    components: Sequence[sympy.Expr],
    variables: Sequence[sympy.Symbol],
    simplified: Sequence[tuple[int, sympy.Expr]],
) -> sympy.Expr | None:
    """The simplification of ``component`` read off an earlier one, or None.

    If ∂f/∂xᵢ is ∂f/∂xⱼ with xᵢ and xⱼ swapped, exactly as sympy writes it,
    then swapping them in ∂f/∂xⱼ's simplification gives one of ∂f/∂xᵢ: a
    renaming changes no value, as long as the two carry the same assumptions
    (simplify may use that a variable is positive).
    """
    for j, tidy in reversed(simplified[-_MIRRORS_TRIED:]):
        if variables[j].assumptions0 != variable.assumptions0:
            continue
        swap = {variables[j]: variable, variable: variables[j]}
        if components[j].xreplace(swap) == component:
            return tidy.xreplace(swap)
    return None


def _constant_logs_apart(expr: sympy.Expr) -> sympy.Expr:
    """``log(b**e)`` as ``e*log(b)`` for a positive constant base b.

    simplify's logcombine writes 1.07**x*log(1.07) as log(1.07**(1.07**x)):
    shorter to count, unreadable, and at a point a power whose exact value
    has thousands of digits.
    """
    return expr.replace(
        lambda e: (
            isinstance(e, sympy.log)
            and e.args[0].is_Pow
            and e.args[0].base.is_number
            and e.args[0].base.is_positive
        ),
        lambda e: e.args[0].exp * sympy.log(e.args[0].base),
    )


#: nodes in a derivative beyond which simplify is not tried: it would spend
#: the whole allowance on one term of a huge sum and find little
_MOST_SIMPLIFIED = 200


def _worth_simplifying(expr: sympy.Expr) -> bool:
    """Polynomials come out of diff already tidy; huge sums are left alone."""
    if tree_size(expr) > _MOST_SIMPLIFIED or expr.is_polynomial():
        return False
    return not expr.is_number
