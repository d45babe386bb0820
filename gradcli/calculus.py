"""Gradients, Jacobians and directional derivatives, exact first.

Each public function takes a function (text, a parsed :class:`Function`, or a
sympy expression), returns a frozen dataclass, and never prints. Values at a
point are exact sympy numbers with a float beside them; the float always comes
from numeric evaluation, never from rounding the exact form for display.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import sympy

from gradcli.budget import time_limit
from gradcli.errors import BudgetExceeded, DimensionError, InputError, UndefinedError
from gradcli.limits import Limits
from gradcli.magnitude import exceeds_bits
from gradcli.parse import Function, natural_key, parse_function, parse_point, parse_vector

PointLike: TypeAlias = "str | Sequence[object] | Mapping[object, object]"
FunctionLike: TypeAlias = "str | Function | sympy.Expr"


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
    #: ∇f = 0 here: no direction of ascent
    critical: bool
    directional: Directional | None = None


@dataclass(frozen=True)
class Gradient:
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
class Jacobian:
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
    *,
    at: PointLike | None = None,
    along: PointLike | None = None,
    variables: Sequence[str] | None = None,
    simplify: bool = True,
    limits: Limits | None = None,
) -> Gradient:
    """The gradient of ``f``, and its value, length and direction at ``at``.

    Parameters
    ----------
    f : the function: text (parsed safely), a parsed Function, or sympy.
    at : a point, ``"1,3"``, ``"x=1, y=3"``, ``(1, 3)`` or ``{"x": 1}``.
    along : a direction for the directional derivative at ``at``.
    variables : the variables in order; other symbols are parameters.
    simplify : tidy each partial derivative within the simplify budget.

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
    components = partial_derivatives(function.expr, function.variables)
    if simplify:
        components, skipped = _tidy_all(components, limits)
        if skipped:
            notes.append(
                "simplification ran out of its budget; the derivatives are shown unsimplified"
            )
    evaluated = None
    if at is not None:
        evaluated = evaluate_gradient(function, components, at, along=along, limits=limits)
    elif along is not None:
        raise InputError("--along needs a point: give --at too")
    return Gradient(function=function, components=components, at=evaluated, notes=tuple(notes))


def jacobian(
    fs: str | Sequence[FunctionLike],
    *,
    at: PointLike | None = None,
    variables: Sequence[str] | None = None,
    limits: Limits | None = None,
) -> Jacobian:
    """The Jacobian matrix of a vector-valued function, one row per component.

    >>> J = jacobian("x*y, x + y, sin(x)")
    >>> J.matrix
    ((y, x), (1, 1), (cos(x), 0))
    """
    limits = limits or Limits()
    if isinstance(fs, str):
        components = parse_vector(fs, variables=variables or (), limits=limits)
    else:
        components = tuple(as_function(f, limits=limits).expr for f in fs)
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
    matrix = tuple(partial_derivatives(c, whole.variables) for c in components)
    if at is None:
        return Jacobian(components=components, variables=whole.variables, matrix=matrix)
    values = point_values(whole, at, limits=limits)
    point = tuple(values[v] for v in whole.variables)
    rows_exact = []
    rows_float = []
    for i, row in enumerate(matrix):
        exact_row = []
        float_row = []
        for j, entry in enumerate(row):
            name = f"∂f{i + 1}/∂{whole.variables[j].name} is {{}} at {describe_point(values)}"
            exact, approx = evaluate(entry, values, what=name, limits=limits)
            exact_row.append(exact)
            float_row.append(approx)
        rows_exact.append(tuple(exact_row))
        rows_float.append(tuple(float_row))
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
    )


# --------------------------------------------------------------------------
# Building blocks, shared with the other commands


def as_function(
    f: FunctionLike,
    *,
    variables: Sequence[str] | None = None,
    limits: Limits | None = None,
) -> Function:
    """A :class:`Function` from text, a Function, or a sympy expression.

    >>> as_function("a*x", variables=["x"]).parameters
    (a,)
    """
    if isinstance(f, Function):
        if variables is None:
            return f
        f = f.expr
    if isinstance(f, str):
        return parse_function(f, variables=variables, limits=limits)
    if isinstance(f, sympy.Expr):
        chosen = _choose_variables(f.free_symbols, variables)
        parameters = tuple(sorted(f.free_symbols - set(chosen), key=lambda s: natural_key(s.name)))
        return Function(expr=f, variables=chosen, parameters=parameters, source=str(f))
    raise InputError(f"cannot read a function from {type(f).__name__}")


def _choose_variables(
    free: Iterable[sympy.Symbol], variables: Sequence[str] | None
) -> tuple[sympy.Symbol, ...]:
    by_name = {s.name: s for s in free}
    if variables is None:
        return tuple(by_name[n] for n in sorted(by_name, key=natural_key))
    return tuple(by_name.get(n) or sympy.Symbol(n, real=True) for n in variables)


def partial_derivatives(
    expr: sympy.Expr, variables: Sequence[sympy.Symbol]
) -> tuple[sympy.Expr, ...]:
    """∂expr/∂v for each variable, differentiating a sum term by term.

    Each variable is differentiated only through the terms that contain it,
    so the cost of a sum of n terms in n variables grows linearly, not as n².
    Terms of the same shape (``100*(x2 - x1^2)^2`` and ``100*(x3 - x2^2)^2``)
    are differentiated once, in a canonical form, and renamed back: most of
    the cost of sympy's ``diff`` is its assumption queries on each new result.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> partial_derivatives(x**2 + x*y + y**2, (x, y))
    (2*x + y, x + 2*y)
    """
    if not isinstance(expr, sympy.Add) or len(expr.args) < 8:
        return tuple(sympy.diff(expr, v) for v in variables)
    wanted = set(variables)
    terms_with: dict[sympy.Symbol, list[sympy.Expr]] = {v: [] for v in variables}
    for term in expr.args:
        for s in term.free_symbols & wanted:
            terms_with[s].append(term)
    memo: dict[tuple[sympy.Expr, sympy.Symbol], sympy.Expr] = {}
    return tuple(sympy.Add(*(_diff_by_shape(t, v, memo) for t in terms_with[v])) for v in variables)


def _diff_by_shape(
    term: sympy.Expr,
    variable: sympy.Symbol,
    memo: dict[tuple[sympy.Expr, sympy.Symbol], sympy.Expr],
) -> sympy.Expr:
    """d term/d variable, through a canonical renaming of the term's symbols."""
    symbols = sorted(term.free_symbols, key=lambda s: natural_key(s.name))
    # the stand-ins keep each symbol's assumptions, so renaming changes nothing
    stand_ins = [sympy.Symbol(f"_gradcli_{i}", **s.assumptions0) for i, s in enumerate(symbols)]
    canonical = term.xreplace(dict(zip(symbols, stand_ins)))
    key = (canonical, stand_ins[symbols.index(variable)])
    derivative = memo.get(key)
    if derivative is None:
        derivative = memo[key] = sympy.diff(*key)
    return derivative.xreplace(dict(zip(stand_ins, symbols)))


def point_values(
    function: Function, at: PointLike, *, limits: Limits | None = None
) -> dict[sympy.Symbol, sympy.Expr]:
    """The exact values of the variables (and named parameters) at ``at``.

    >>> f = as_function("x*y")
    >>> point_values(f, (1, "pi/2"))
    {x: 1, y: pi/2}
    """
    limits = limits or Limits()
    if isinstance(at, str):
        return parse_point(at, function, limits=limits)
    if isinstance(at, Mapping):
        by_name = {s.name: s for s in (*function.variables, *function.parameters)}
        values = {}
        for key, raw in at.items():
            name = key.name if isinstance(key, sympy.Symbol) else str(key)
            if name not in by_name:
                raise InputError(f"'{name}' is not a variable of the function")
            values[by_name[name]] = _number(raw, limits)
        missing = [v.name for v in function.variables if v not in values]
        if missing:
            raise InputError(f"no value given for {', '.join(missing)}")
        return values
    coordinates = list(at)
    if len(coordinates) != len(function.variables):
        raise DimensionError(
            f"the point has {len(coordinates)} coordinates but the function has "
            f"{len(function.variables)} variables"
        )
    return {v: _number(c, limits) for v, c in zip(function.variables, coordinates)}


def _number(raw: object, limits: Limits) -> sympy.Expr:
    if isinstance(raw, bool):
        raise InputError("a coordinate must be a number")
    if isinstance(raw, int):
        return sympy.Integer(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise InputError(f"a coordinate must be finite, got {raw}")
        # the float the user holds, exactly: 0.1 is 3602879701896397/2**55
        return sympy.Rational(raw) if raw != int(raw) else sympy.Integer(int(raw))
    if isinstance(raw, sympy.Expr) and not raw.free_symbols:
        return raw
    if isinstance(raw, str):
        value = parse_function(raw, limits=limits).expr
        if value.free_symbols:
            raise InputError(f"a coordinate must be a number, got {raw!r}")
        return value
    raise InputError(f"cannot read a coordinate from {raw!r}")


def evaluate(
    expr: sympy.Expr,
    values: Mapping[sympy.Symbol, sympy.Expr],
    *,
    what: str = "the value is {}",
    limits: Limits | None = None,
) -> tuple[sympy.Expr, float | None]:
    """The exact value of ``expr`` at a point, and its float.

    Raises :class:`UndefinedError` when the value is undefined (division by
    zero) or not real there; its message is ``what`` with the state filled in.
    The float is ``None`` when the value still depends on a parameter.

    >>> x = sympy.Symbol("x", real=True)
    >>> evaluate(sympy.sqrt(x), {x: sympy.Integer(2)})
    (sqrt(2), 1.4142135623730951)
    """
    limits = limits or Limits()
    _check_size_at(expr, values, limits, what)
    exact = expr.xreplace(dict(values))
    if exact.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise UndefinedError(what.format("undefined") + " (division by zero)")
    if exact.free_symbols:
        return exact, None
    approx = exact.evalf(20)
    if approx.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise UndefinedError(what.format("undefined") + " (division by zero)")
    real, imaginary = approx.as_real_imag()
    if imaginary != 0 and abs(float(imaginary)) > 1e-15 * max(1.0, abs(float(real))):
        raise UndefinedError(
            what.format("not real")
            + " (a logarithm, even root or inverse trigonometric function outside its domain)"
        )
    if not real.is_number or not real.is_finite:
        raise UndefinedError(what.format("undefined"))
    result = float(real)
    if not math.isfinite(result):
        raise UndefinedError(what.format("too large to represent as a float"))
    if imaginary != 0:
        # an imaginary part that is rounding noise (e.g. from cbrt of a cube)
        exact = sympy.re(exact)
    return exact, result


def _check_size_at(
    expr: sympy.Expr, values: Mapping[sympy.Symbol, sympy.Expr], limits: Limits, what: str
) -> None:
    """Refuse, before computing it, a value with a runaway size.

    ``x^y`` at (10, 10⁹), ``x^x^x`` at 10 or ``sin(exp(x))`` at 10⁶: every
    subexpression is estimated at the point first (see
    :func:`gradcli.magnitude.exceeds_bits`).
    """
    if exceeds_bits(expr, values, limits.max_bits):
        raise UndefinedError(what.format(f"a number larger than 2^{limits.max_bits:,}"))


def describe_point(values: Mapping[sympy.Symbol, sympy.Expr]) -> str:
    """``x = 1, y = 3`` for messages.

    >>> x = sympy.Symbol("x", real=True)
    >>> describe_point({x: sympy.Integer(-1)})
    'x = -1'
    """
    from gradcli.printing import to_text

    return ", ".join(f"{s.name} = {to_text(v)}" for s, v in values.items())


def evaluate_gradient(
    function: Function,
    components: Sequence[sympy.Expr],
    at: PointLike,
    *,
    along: PointLike | None = None,
    limits: Limits | None = None,
) -> GradientAt:
    """Evaluate a gradient at a point: value, length and unit direction."""
    limits = limits or Limits()
    values = point_values(function, at, limits=limits)
    where = describe_point(values)
    function_value, function_value_float = evaluate(
        function.expr, values, what=f"f is {{}} at {where}", limits=limits
    )
    exact = []
    floats: list[float | None] = []
    for variable, component in zip(function.variables, components):
        e, approx = evaluate(
            component, values, what=f"∂f/∂{variable.name} is {{}} at {where}", limits=limits
        )
        exact.append(e)
        floats.append(approx)
    numeric = all(v is not None for v in floats)
    value_float = tuple(float(v) for v in floats if v is not None) if numeric else None
    magnitude = sympy.sqrt(sympy.Add(*(e**2 for e in exact)))
    magnitude_float = None
    if value_float is not None:
        magnitude_float = _float_of(magnitude, fallback=math.hypot(*value_float))
    if value_float is not None:
        critical = all(v == 0 for v in exact) or all(v == 0.0 for v in value_float)
    else:
        critical = all(v == 0 for v in exact)
    direction = direction_float = None
    if not critical:
        direction = tuple(_tidy_quotient(e / magnitude) for e in exact)
        if value_float is not None and magnitude_float:
            # from the exact form, so each float is the correctly rounded one
            direction_float = tuple(
                _float_of(d, fallback=v / magnitude_float) for d, v in zip(direction, value_float)
            )
    directional = None
    if along is not None:
        directional = _directional(
            function, exact, value_float, magnitude_float, along, limits=limits
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


def _tidy_quotient(value: sympy.Expr) -> sympy.Expr:
    """Rationalise a denominator when that reads better (5/√74 → 5√74/74).

    With a transcendental denominator radsimp only makes things longer, so
    the shorter form wins.
    """
    rationalised = sympy.radsimp(value)
    return rationalised if len(str(rationalised)) <= len(str(value)) else value


def _float_of(exact: sympy.Expr, *, fallback: float) -> float:
    """The float nearest an exact real constant; ``fallback`` if it has none."""
    try:
        value = float(exact.evalf(20))
    except (TypeError, ValueError):
        return fallback
    return value if math.isfinite(value) else fallback


def _directional(
    function: Function,
    value: Sequence[sympy.Expr],
    value_float: Sequence[float] | None,
    magnitude_float: float | None,
    along: PointLike,
    *,
    limits: Limits,
) -> Directional:
    if isinstance(along, str):
        vector = parse_vector(along, limits=limits)
        if any(c.free_symbols for c in vector):
            raise InputError("--along must be a vector of numbers, such as 1,1")
    else:
        vector = tuple(_number(c, limits) for c in along)
    if len(vector) != len(function.variables):
        raise InputError(
            f"--along has {len(vector)} components but the function has "
            f"{len(function.variables)} variables"
        )
    length = sympy.sqrt(sympy.Add(*(c**2 for c in vector)))
    length_float = math.hypot(*(float(c) for c in vector))
    if length == 0 or length_float == 0:
        raise InputError("--along is the zero vector: it has no direction")
    unit = tuple(_tidy_quotient(c / length) for c in vector)
    unit_float = tuple(float(c) / length_float for c in vector)
    derivative = _tidy_quotient(sympy.Add(*(g * u for g, u in zip(value, unit))))
    derivative_float = None
    angle = None
    if value_float is not None:
        derivative_float = math.fsum(g * u for g, u in zip(value_float, unit_float))
        if magnitude_float:
            cosine = max(-1.0, min(1.0, derivative_float / magnitude_float))
            angle = math.acos(cosine)
    return Directional(
        along=vector,
        unit_along=unit,
        unit_along_float=unit_float,
        derivative=derivative,
        derivative_float=derivative_float,
        angle_float=angle,
    )


def _tidy_all(
    components: Sequence[sympy.Expr], limits: Limits
) -> tuple[tuple[sympy.Expr, ...], bool]:
    """Simplify each component within one shared budget; keep what helps."""
    out = []
    skipped = False
    for component in components:
        if skipped or not _worth_simplifying(component):
            out.append(component)
            continue
        try:
            with time_limit(limits.simplify_timeout, "simplification"):
                tidy = sympy.simplify(component)
        except BudgetExceeded:
            skipped = True
            out.append(component)
            continue
        better = sympy.count_ops(tidy) <= sympy.count_ops(component)
        out.append(tidy if better else component)
    return tuple(out), skipped


def _worth_simplifying(expr: sympy.Expr) -> bool:
    """Polynomials come out of diff already tidy; huge sums are left alone."""
    if expr.is_polynomial() or sympy.count_ops(expr) > 200:
        return False
    return not expr.is_number
