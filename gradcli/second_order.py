"""The Hessian of a scalar function and what it says at a point.

The symbolic matrix of second partials (each computed once and mirrored, so it
is symmetric by construction); at a point: its exact and decimal values, the
determinant, the eigenvalues (exact when sympy finds them within the budget),
the definiteness and what that means for the second-derivative test.

Exact reasoning wins over floating point: a matrix with exact entries is
classified by the signs of its principal minors (Sylvester's criterion), so
``[[2, 1], [1, 2]]`` is exactly positive definite and ``[[0, 0], [0, 2]]``
exactly semidefinite. Floating-point eigenvalues decide only when the exact
signs cannot be told within the budget.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from itertools import combinations
from typing import TYPE_CHECKING, Any

import sympy

from gradcli import derivatives as derivatives_at_point
from gradcli.budget import time_limit
from gradcli.derivatives import Matrix, gradient_of, hessian_of
from gradcli.display import Displayable
from gradcli.errors import BudgetExceeded, DimensionError, InputError, UndefinedError
from gradcli.i18n import _
from gradcli.kinds import (
    Definiteness,
    PointKind,
    classify,
    definiteness_from_eigenvalues,
    definiteness_from_signs,
)
from gradcli.limits import Limits
from gradcli.numbers import describe_point, exact, exact_sign, to_float, value_at
from gradcli.parse import Function

if TYPE_CHECKING:
    from gradcli.calculus import FunctionLike, PointLike, VariablesLike

FloatMatrix = tuple[tuple[float, ...], ...]

POSITIVE_DEFINITE = Definiteness.POSITIVE_DEFINITE
NEGATIVE_DEFINITE = Definiteness.NEGATIVE_DEFINITE
POSITIVE_SEMIDEFINITE = Definiteness.POSITIVE_SEMIDEFINITE
NEGATIVE_SEMIDEFINITE = Definiteness.NEGATIVE_SEMIDEFINITE
INDEFINITE = Definiteness.INDEFINITE

#: the meaning at a point where the gradient is provably nonzero
NOT_CRITICAL = PointKind.NOT_CRITICAL.test_verdict

#: share of the time left that the exact work (eigenvalues, signs) may use:
#: the rest is for printing, and for the decimals that stand in when it runs out
EXACT_SHARE = 0.6
#: share of the exact work's time that the exact eigenvalues may take (a
#: tenth of the default --timeout): they are shown when found, and the signs
#: of the principal minors decide definiteness without them
EIGENVALUE_SHARE = 1 / 6
#: the exact work always gets at least this long
_MIN_EXACT_SECONDS = 0.1

#: seconds the question "is ∇f zero here" may take at least, whatever is left
#: of the budget: without it, a slow eigenvalue search would leave no time to
#: notice that the point is not critical, and the test would be applied anyway
_GRADIENT_SECONDS = 0.5

# principal minors are 2**n - 1 determinants: beyond this size use eigenvalues
_MAX_MINORS_SIZE = 6


@dataclass(frozen=True)
class HessianResult(Displayable):
    """The Hessian of ``f`` and, at a point, its values and classification.

    Without a point the ``*_at`` fields are ``None``; ``determinant`` is then
    symbolic, and eigenvalues and definiteness are given only when the matrix
    is constant. ``meaning`` is the second-derivative test's verdict at the
    point: ``"local minimum"``, ``"local maximum"``, ``"saddle point"``,
    ``"test inconclusive"``, or ``"not a critical point"`` when the gradient
    there is nonzero. Float fields are ``None`` when parameters remain.
    """

    variables: tuple[sympy.Symbol, ...]
    #: symmetric matrix of second partials, ``matrix[i][j] = ∂²f/∂xᵢ∂xⱼ``
    matrix: Matrix
    at_point: tuple[sympy.Expr, ...] | None
    gradient_at: tuple[sympy.Expr, ...] | None
    matrix_at: Matrix | None
    matrix_at_float: FloatMatrix | None
    determinant: sympy.Expr | None
    determinant_float: float | None
    #: exact, ascending, with multiplicity; ``None`` when not found in budget
    eigenvalues: tuple[sympy.Expr, ...] | None
    #: ascending (``numpy.linalg.eigvalsh``)
    eigenvalues_float: tuple[float, ...] | None
    definiteness: Definiteness | None
    meaning: str | None
    notes: tuple[str, ...] = ()
    #: the function, as read (None only from the internal :func:`analysed`)
    function: Function | None = None
    #: values given for parameters at the point, in parameter order
    parameter_values: tuple[tuple[sympy.Symbol, sympy.Expr], ...] = ()
    #: f at the point, exact and as a float (None without a point, or when
    #: parameters remain)
    function_value: sympy.Expr | None = None
    function_value_float: float | None = None


def hessian(
    f: FunctionLike,
    variables: VariablesLike | None = None,
    *,
    at: PointLike | None = None,
    limits: Limits | None = None,
    time_budget: float | None = None,
) -> HessianResult:
    """The Hessian matrix of ``f``, classified at the point ``at`` if given.

    Parameters
    ----------
    f : str, sympy.Expr or Function
        A real scalar function: text (read by gradcli's own parser), a sympy
        expression, or a parsed :class:`~gradcli.parse.Function`.
    variables : str or sequence of str or sympy.Symbol, optional
        The variables, in order; the matrix rows and columns follow it. By
        default every symbol, in natural order; the others are parameters.
    at : str, sequence, mapping or number, optional
        A point: ``"1,0"``, ``"x=1, y=0, a=2"`` (parameters may be given
        values), ``(1, 0)``, ``{"x": 1, "y": 0}``; exact (0.1 is 1/10).
    limits : Limits, optional
        Bounds on the input and its time: the exact work may take
        :data:`EXACT_SHARE` of ``limits.timeout``, as on the command line.
    time_budget : float, optional
        Seconds for the exact work (determinant, eigenvalues, signs),
        instead of that share.

    Raises
    ------
    InputError
        ``f`` or ``variables`` is not usable.
    DimensionError
        ``at`` has the wrong number of coordinates.
    UndefinedError
        f, or a first or second partial, is undefined (or not real) at ``at``.

    Examples
    --------
    >>> h = hessian("x^3 - 3x + y^2", at="1,0")
    >>> h.matrix, h.matrix_at
    (((6*x, 0), (0, 2)), ((6, 0), (0, 2)))
    >>> h.eigenvalues, str(h.definiteness), h.meaning
    ((2, 6), 'positive definite', 'local minimum')
    >>> x, y = sympy.symbols("x y", real=True)
    >>> hessian(x**2 - y**2, (x, y), at=(0, 0)).meaning
    'saddle point'
    """
    from gradcli.calculus import as_function

    started = time.monotonic()
    limits = limits or Limits()
    if time_budget is not None and not (isinstance(time_budget, (int, float)) and time_budget > 0):
        raise InputError(
            _("the time budget must be positive, got {budget}").format(budget=repr(time_budget))
        )
    function = as_function(f, variables=variables, limits=limits)

    def budget() -> float:
        if time_budget is not None:
            return float(time_budget)
        return max(
            _MIN_EXACT_SECONDS, EXACT_SHARE * (limits.timeout - (time.monotonic() - started))
        )

    return _hessian(function, at, limits, budget)


def _hessian(
    function: Function, at: PointLike | None, limits: Limits, budget: Any
) -> HessianResult:
    """The Hessian of a read function at a point given any way; ``budget()``
    is the time for the exact work, asked once everything before it is done."""
    from gradcli.calculus import point_values

    if not function.variables:
        raise InputError(_("the function has no variables: its Hessian is empty"))
    if at is None:
        result = analysed(function.expr, function.variables, time_budget=budget())
        return replace(result, function=function)
    values = point_values(function, at, limits=limits)
    value, value_float = value_at(
        function.expr,
        values,
        what=_("f is {{}} at {where}").format(where=describe_point(values)),
        limits=limits,
    )
    given = tuple((p, values[p]) for p in function.parameters if p in values)
    point = tuple(values[v] for v in function.variables)
    result = analysed(
        function.expr.xreplace(dict(given)), function.variables, at=point, time_budget=budget()
    )
    if given:
        # the symbolic matrix keeps the parameters; the rest is at their values
        result = replace(result, matrix=hessian_of(function.expr, function.variables))
    return replace(
        result,
        function=function,
        parameter_values=given,
        function_value=value,
        function_value_float=value_float,
    )


def analysed(
    expr: sympy.Expr,
    variables: Sequence[sympy.Symbol],
    *,
    at: Sequence[Any] | None = None,
    time_budget: float = 2.0,
) -> HessianResult:
    """The Hessian of a sympy ``expr`` in sympy ``variables`` at exact ``at``.

    The computation behind :func:`hessian`, for callers that hold sympy
    objects already; ``function`` and the value of f are left unset.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> h = analysed(x**2 + y**2 + x*y, (x, y), at=(1, 3))
    >>> h.matrix, h.eigenvalues, h.meaning
    (((2, 1), (1, 2)), (1, 3), 'not a critical point')
    """
    variables = check_variables(variables)
    expr = check_expr(expr)
    deadline = time.monotonic() + time_budget
    gradient, matrix = gradient_of(expr, variables), hessian_of(expr, variables)
    notes: list[str] = []
    if at is None:
        determinant = within(lambda: _symbolic_determinant(matrix), deadline)
        if determinant is None:
            notes.append(_("the symbolic determinant ran out of its time budget"))
        if _is_constant(matrix):
            analysis = analyse(matrix, deadline, notes)
            return HessianResult(
                variables=variables,
                matrix=matrix,
                at_point=None,
                gradient_at=None,
                matrix_at=None,
                matrix_at_float=None,
                determinant=determinant,
                determinant_float=analysis.determinant_float,
                eigenvalues=analysis.eigenvalues,
                eigenvalues_float=analysis.eigenvalues_float,
                definiteness=analysis.definiteness,
                meaning=None,
                notes=tuple(notes),
            )
        return HessianResult(
            variables=variables,
            matrix=matrix,
            at_point=None,
            gradient_at=None,
            matrix_at=None,
            matrix_at_float=None,
            determinant=determinant,
            determinant_float=None,
            eigenvalues=None,
            eigenvalues_float=None,
            definiteness=None,
            meaning=None,
            notes=tuple(notes),
        )

    point = check_point(at, variables)
    values = dict(zip(variables, point, strict=True))
    where = f"({', '.join(map(str, variables))}) = ({', '.join(map(str, point))})"
    _refuse_unevaluated(matrix, variables)
    # at a corner of |u| the pieces decide (derivatives.gradient_at/hessian_at);
    # an undefined value's state fills the {} (numbers.value_at), {name} the
    # variable (derivatives.gradient_at), so the point goes in first, braces doubled
    plain = where.replace("{", "{{").replace("}", "}}")
    component = _("∂{f}/∂{name} is {{}} at {where}").replace("{f}", "f").replace("{where}", plain)
    gradient_at = tuple(
        e
        for e, _unused in derivatives_at_point.gradient_at(
            expr, variables, values, components=gradient, what=component
        )
    )
    entry = _("{partial} is {{}} at {where}")
    matrix_at = tuple(
        tuple(e for e, _unused in row)
        for row in derivatives_at_point.hessian_at(
            expr,
            variables,
            values,
            what=lambda i, j: (
                entry.replace("{partial}", _partial_name(variables, i, j))
                .replace("{where}", plain)
                .replace("{{}}", "{}")
            ),
        )
    )

    # decided first, with time of its own: the test applies only where ∇f = 0
    critical = gradient_vanishes(gradient_at, seconds=max(_GRADIENT_SECONDS, time_budget / 4))
    analysis = analyse(matrix_at, deadline, notes)
    meaning = None
    if critical is False:
        meaning = NOT_CRITICAL
    elif analysis.definiteness is not None:
        meaning = classify(analysis.definiteness, critical=critical).test_verdict
    return HessianResult(
        variables=variables,
        matrix=matrix,
        at_point=point,
        gradient_at=gradient_at,
        matrix_at=matrix_at,
        matrix_at_float=analysis.floats,
        determinant=analysis.determinant,
        determinant_float=analysis.determinant_float,
        eigenvalues=analysis.eigenvalues,
        eigenvalues_float=analysis.eigenvalues_float,
        definiteness=analysis.definiteness,
        meaning=meaning,
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class HessianReport:
    """A Hessian with the function it belongs to: what ``gradcli hessian`` shows."""

    function: Function
    result: HessianResult
    #: values given for parameters at the point, in parameter order
    parameter_values: tuple[tuple[sympy.Symbol, sympy.Expr], ...] = ()
    #: f at the point, exact and as a float (None without a point, or when
    #: parameters remain)
    function_value: sympy.Expr | None = None
    function_value_float: float | None = None


def hessian_report(
    f: str | Function,
    *,
    at: str | None = None,
    variables: Sequence[str] | None = None,
    latex: bool | None = None,
    limits: Limits | None = None,
    started: float | None = None,
) -> HessianReport:
    """The Hessian of a function given as text, at a point given as text.

    The point may name parameters (``"x=1, y=0, a=2"``); f itself must be
    defined there, as for ``gradcli grad`` (``log(x)`` at −1 is not real).
    The exact work (determinant, eigenvalues, signs) may use
    :data:`EXACT_SHARE` of what is left of ``limits.timeout`` since
    ``started`` (a ``time.monotonic()`` reading; now, if not given).

    >>> report = hessian_report("x^3 - 3x + y^2", at="1,0")
    >>> report.result.meaning, report.function_value
    ('local minimum', -2)
    """
    from gradcli.parse import parse_function

    limits = limits or Limits()
    started = time.monotonic() if started is None else started
    function = (
        f
        if isinstance(f, Function)
        else parse_function(f, variables=variables, limits=limits, latex=latex)
    )

    def budget() -> float:
        return max(
            _MIN_EXACT_SECONDS, EXACT_SHARE * (limits.timeout - (time.monotonic() - started))
        )

    result = _hessian(function, at, limits, budget)
    return HessianReport(
        function,
        result,
        result.parameter_values,
        result.function_value,
        result.function_value_float,
    )


def matrix_definiteness(
    matrix: Sequence[Sequence[Any]], *, time_budget: float = 2.0
) -> Definiteness | None:
    """The definiteness of a symmetric matrix of numbers, decided exactly if possible.

    Entries are exact (a float is the decimal it prints as: see
    :func:`gradcli.numbers.exact`) and classified by the signs of the
    eigenvalues or principal minors; only signs that cannot be told in
    ``time_budget`` fall back to float eigenvalues, with
    :data:`~gradcli.tolerances.EIGENVALUE_ZERO_EXACT_POINT` for zero. ``None``
    when entries are not numbers (free symbols remain).

    >>> str(matrix_definiteness([[2, 1], [1, 2]]))
    'positive definite'
    >>> str(matrix_definiteness([[0, 0], [0, 2]]))
    'positive semidefinite'
    >>> str(matrix_definiteness([[1, 0], [0, -1]]))
    'indefinite'
    """
    rows = tuple(tuple(exact(v, _("a matrix entry"), symbolic=True) for v in row) for row in matrix)
    if not rows or any(len(row) != len(rows) for row in rows):
        raise InputError(_("the matrix must be square and non-empty"))
    return analyse(rows, time.monotonic() + time_budget, []).definiteness


# ---------------------------------------------------------------------------
# input checks shared with gradcli.critical


def check_variables(variables: Sequence[sympy.Symbol]) -> tuple[sympy.Symbol, ...]:
    """The variables as a tuple of distinct symbols, or :class:`InputError`."""
    if isinstance(variables, (str, bytes)):
        raise InputError(_("the variables must be sympy symbols, not a string"))
    result = tuple(variables)
    if not result:
        raise InputError(_("at least one variable is needed"))
    for v in result:
        if not isinstance(v, sympy.Symbol):
            raise InputError(_("the variable {name} is not a sympy symbol").format(name=repr(v)))
    if len(set(result)) != len(result):
        raise InputError(_("a variable is listed twice"))
    return result


def check_expr(expr: Any) -> sympy.Expr:
    """``expr`` if it is a scalar sympy expression, else :class:`InputError`."""
    if isinstance(expr, str):
        raise InputError(
            _("the function must be a sympy expression, not a string (parse it first)")
        )
    if isinstance(expr, (int, Fraction)) and not isinstance(expr, bool):
        return exact(expr, _("the function"))
    if not isinstance(expr, sympy.Expr) or isinstance(expr, sympy.MatrixBase):
        raise InputError(_("the function must be a scalar sympy expression"))
    return expr


def check_point(at: Sequence[Any], variables: tuple[sympy.Symbol, ...]) -> tuple[sympy.Expr, ...]:
    """The point as exact sympy numbers, one per variable."""
    if isinstance(at, (str, bytes)):
        raise InputError(_("the point must be a sequence of numbers, not a string"))
    point = tuple(exact(v, _("a coordinate"), symbolic=True) for v in at)
    if len(point) != len(variables):
        names = ", ".join(str(v) for v in variables)
        # one whole sentence for each pair of singular and plural
        message = {
            (False, False): _(
                "the point has {count} coordinate but the function has {variables} variable"
                " ({names})"
            ),
            (False, True): _(
                "the point has {count} coordinate but the function has {variables} variables"
                " ({names})"
            ),
            (True, False): _(
                "the point has {count} coordinates but the function has {variables} variable"
                " ({names})"
            ),
            (True, True): _(
                "the point has {count} coordinates but the function has {variables} variables"
                " ({names})"
            ),
        }[len(point) != 1, len(variables) != 1]
        raise DimensionError(
            message.format(count=len(point), variables=len(variables), names=names)
        )

    for value in point:
        if value.free_symbols & set(variables):
            raise InputError(_("the coordinate {value} contains a variable").format(value=value))
    return point


# ---------------------------------------------------------------------------
# derivatives and evaluation


def hessian_matrix(expr: sympy.Expr, variables: Sequence[sympy.Symbol]) -> Matrix:
    """The symmetric matrix of second partials of ``expr``.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> hessian_matrix(x**3 * y, (x, y))
    ((6*x*y, 3*x**2), (3*x**2, 0))
    """
    return hessian_of(check_expr(expr), check_variables(variables))


def _refuse_unevaluated(matrix: Matrix, variables: tuple[sympy.Symbol, ...]) -> None:
    """Raise when a second partial still holds a derivative sympy could not take.

    sympy leaves ``d/dx sign(u)`` unevaluated when it cannot tell that ``u``
    is real (``sign(sqrt(x) - 3)``); putting the point into it would
    differentiate with respect to a number. Say so instead of guessing.
    """
    from gradcli.printing import to_text

    n = len(variables)
    for i in range(n):
        for j in range(i, n):
            left = matrix[i][j].atoms(sympy.Derivative)
            if left:
                inner = min(left, key=sympy.count_ops).expr
                raise UndefinedError(
                    _(
                        "{partial} cannot be computed exactly:"
                        " sympy leaves the derivative of {inner} unevaluated"
                    ).format(partial=_partial_name(variables, i, j), inner=to_text(inner))
                )


def _partial_name(variables: tuple[sympy.Symbol, ...], i: int, j: int) -> str:
    if i == j:
        return f"∂²f/∂{variables[i]}²"
    return f"∂²f/∂{variables[i]}∂{variables[j]}"


def _is_constant(matrix: Matrix) -> bool:
    return all(not entry.free_symbols for row in matrix for entry in row)


#: what :func:`bounded` returns when the budget runs out
OUT_OF_TIME: Any = object()


def bounded(compute: Any, deadline: float) -> Any:
    """``compute()`` within what is left of the budget, or :data:`OUT_OF_TIME`."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        return OUT_OF_TIME
    try:
        with time_limit(remaining, "the exact computation"):
            return compute()
    except BudgetExceeded:
        return OUT_OF_TIME


def within(compute: Any, deadline: float) -> Any:
    """``compute()`` within what is left of the budget, or ``None``."""
    value = bounded(compute, deadline)
    return None if value is OUT_OF_TIME else value


def _symbolic_determinant(matrix: Matrix) -> sympy.Expr:
    det = sympy.Matrix(matrix).det(method="berkowitz")
    if det.is_polynomial():
        return sympy.expand(det)
    return det


# ---------------------------------------------------------------------------
# classification of a matrix of numbers


@dataclass(frozen=True)
class MatrixAnalysis:
    """What a symmetric matrix of numbers says: its floats, determinant,
    eigenvalues and definiteness (each ``None`` where it could not be found)."""

    floats: FloatMatrix | None
    determinant: sympy.Expr | None
    determinant_float: float | None
    eigenvalues: tuple[sympy.Expr, ...] | None
    eigenvalues_float: tuple[float, ...] | None
    definiteness: Definiteness | None


def analyse(matrix: Matrix, deadline: float, notes: list[str]) -> MatrixAnalysis:
    """Determinant, eigenvalues and definiteness of a symmetric matrix of numbers."""
    import numpy as np

    numeric = _is_constant(matrix)
    floats = _floats_of(matrix) if numeric else None
    determinant = within(lambda: sympy.Matrix(matrix).det(method="bareiss"), deadline)
    if determinant is None:
        notes.append(_("the exact determinant ran out of its time budget"))
    eigenvalues_float: tuple[float, ...] | None = None
    determinant_float: float | None = None
    if floats is not None:
        array = np.array(floats, dtype=float)
        if np.all(np.isfinite(array)):
            eigenvalues_float = tuple(float(v) for v in np.linalg.eigvalsh(array))
            determinant_float = float(np.linalg.det(array))
        if determinant is not None:
            determinant_float = to_float(determinant)
    eigenvalues = None
    if numeric:
        # optional work: the signs of the principal minors decide definiteness
        # without them, so they get a share of the budget, not all of it
        share = deadline - time.monotonic()
        eigenvalues = bounded(
            lambda: _exact_eigenvalues(matrix), time.monotonic() + EIGENVALUE_SHARE * share
        )
        if eigenvalues is OUT_OF_TIME:
            eigenvalues = None
            notes.append(
                _(
                    "exact eigenvalues not found within their share of the time budget;"
                    " decimals shown"
                )
            )
        elif eigenvalues is _BEYOND_SOLVER:
            eigenvalues = None
            eigenvalues_float = _numeric_eigenvalues(matrix) or eigenvalues_float
            notes.append(
                _(
                    "exact eigenvalues are beyond the eigenvalue solver or too large to show;"
                    " numeric eigenvalues shown"
                )
            )
        elif eigenvalues is not None:
            # the correctly rounded floats of the exact values, not the solver's
            eigenvalues_float = tuple(to_float(v) for v in eigenvalues)
    definiteness = _exact_definiteness(matrix, eigenvalues, deadline) if numeric else None
    if definiteness is None and eigenvalues_float is not None:
        definiteness = definiteness_from_eigenvalues(eigenvalues_float)
        if numeric:
            notes.append(_("definiteness decided from decimal eigenvalues"))

    return MatrixAnalysis(
        floats, determinant, determinant_float, eigenvalues, eigenvalues_float, definiteness
    )


def _floats_of(matrix: Matrix) -> FloatMatrix:
    return tuple(tuple(to_float(v) for v in row) for row in matrix)


#: what :func:`_exact_eigenvalues` returns when sympy's solver gives up on
#: the matrix (5×5 or larger with irrational entries: no radicals, no CRootOf)
_BEYOND_SOLVER: Any = object()


def _exact_eigenvalues(matrix: Matrix) -> Any:
    """Exact real eigenvalues, ascending, or ``None`` if sympy cannot give them
    (:data:`_BEYOND_SOLVER` when its solver refuses the matrix)."""
    from sympy.matrices.common import MatrixError

    m = sympy.Matrix(matrix)
    if any(v.has(sympy.Float, sympy.CRootOf) for v in m):
        return None  # decimals, or algebraic numbers beyond radicals: signs suffice
    try:
        poly = m.charpoly()
        if all(v.is_Rational for v in m):
            found = sympy.roots(poly, multiple=True)
            if len(found) != m.rows or any(v.has(sympy.I) for v in found):
                found = sympy.real_roots(poly)
        else:
            found = m.eigenvals(multiple=True)
            if any(v.has(sympy.I) for v in found):
                return None
    except (MatrixError, NotImplementedError, sympy.PolynomialError):
        return _BEYOND_SOLVER
    if len(found) != m.rows:
        return None
    if any(_unwieldy(v) for v in found):
        # the radicals of irrational entries can expand into 20,000-digit
        # integers: true, but neither readable nor printable
        return _BEYOND_SOLVER
    return tuple(sorted(found, key=to_float))


#: an exact eigenvalue bigger than this is shown as a decimal instead
_EIGENVALUE_MAX_BITS = 1_000
_EIGENVALUE_MAX_NODES = 500


def _unwieldy(value: sympy.Expr) -> bool:
    """Whether an exact value is too big to show: huge integers or a huge tree."""
    if sympy.count_ops(value) > _EIGENVALUE_MAX_NODES:
        return True
    return any(
        max(int(r.p).bit_length(), int(r.q).bit_length()) > _EIGENVALUE_MAX_BITS
        for r in value.atoms(sympy.Rational)
    )


def _numeric_eigenvalues(matrix: Matrix) -> tuple[float, ...] | None:
    """The eigenvalues of a symmetric matrix of exact numbers, ascending, from
    its entries to 30 digits (mpmath's Jacobi method): correct to the last
    digit of a float for any matrix whose entries are not themselves huge."""
    import mpmath

    try:
        with mpmath.workdps(30):
            entries = [[mpmath.mpf(str(sympy.N(v, 30))) for v in row] for row in matrix]
            found = mpmath.eigsy(mpmath.matrix(entries), eigvals_only=True)
            return tuple(sorted(float(v) for v in found))
    except (TypeError, ValueError, ArithmeticError):
        return None


def _exact_definiteness(
    matrix: Matrix, eigenvalues: tuple[sympy.Expr, ...] | None, deadline: float
) -> Definiteness | None:
    """Definiteness by exact signs: of the eigenvalues, else of the principal minors."""
    if any(v.has(sympy.Float) for row in matrix for v in row):
        return None
    if eigenvalues is not None:
        eigen_signs = [_exact_sign(v, deadline) for v in eigenvalues]
        if None not in eigen_signs:
            return definiteness_from_signs(s for s in eigen_signs if s is not None)
    n = len(matrix)
    if n > _MAX_MINORS_SIZE:
        return None
    m = sympy.Matrix(matrix)
    signs: dict[tuple[int, ...], int] = {}  # principal minor (its rows) -> sign
    for k in range(1, n + 1):
        for rows in combinations(range(n), k):
            det = within(lambda rows=rows: m.extract(list(rows), list(rows)).det(), deadline)
            sign = None if det is None else _exact_sign(det, deadline)
            if sign is None:
                return None
            signs[rows] = sign
    return sylvester(signs, n)


def sylvester(signs: dict[tuple[int, ...], int], n: int) -> Definiteness:
    """Definiteness from the signs of all principal minors (keyed by their rows).

    >>> str(sylvester({(0,): 1, (1,): 1, (0, 1): 1}, 2))
    'positive definite'
    >>> str(sylvester({(0,): 0, (1,): 1, (0, 1): 0}, 2))
    'positive semidefinite'
    """
    leading = [signs[tuple(range(k))] for k in range(1, n + 1)]
    if all(s == 1 for s in leading):
        return POSITIVE_DEFINITE
    if all(s == (-1) ** k for k, s in enumerate(leading, start=1)):
        return NEGATIVE_DEFINITE
    if all(s >= 0 for s in signs.values()):
        return POSITIVE_SEMIDEFINITE
    if all(s * (-1) ** len(rows) >= 0 for rows, s in signs.items()):
        return NEGATIVE_SEMIDEFINITE
    return INDEFINITE


def _exact_sign(value: sympy.Expr, deadline: float) -> int | None:
    """The sign of an exact number within what is left of the budget."""
    return exact_sign(value, seconds=deadline - time.monotonic())


def gradient_vanishes(gradient_at: Sequence[sympy.Expr], *, seconds: float) -> bool | None:
    """Whether ∇f = 0 at a point, from its exact components: ``None`` if it
    cannot be told (a parameter remains, or a sign is out of reach).

    >>> gradient_vanishes((sympy.Integer(0), sympy.sqrt(2) - 1), seconds=1)
    False
    >>> gradient_vanishes((sympy.Integer(0), sympy.Integer(0)), seconds=1)
    True
    """
    end = time.monotonic() + seconds
    signs = [exact_sign(g, seconds=end - time.monotonic()) for g in gradient_at]
    if any(sign not in (0, None) for sign in signs):
        return False
    return True if all(sign == 0 for sign in signs) else None
