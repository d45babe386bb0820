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
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations
from typing import Any

import sympy

from gradcli.budget import time_limit
from gradcli.errors import BudgetExceeded, DimensionError, InputError, UndefinedError

Matrix = tuple[tuple[sympy.Expr, ...], ...]
FloatMatrix = tuple[tuple[float, ...], ...]

#: a float eigenvalue counts as zero below this fraction of the largest one
RELATIVE_ZERO = 1e-12

POSITIVE_DEFINITE = "positive definite"
NEGATIVE_DEFINITE = "negative definite"
POSITIVE_SEMIDEFINITE = "positive semidefinite"
NEGATIVE_SEMIDEFINITE = "negative semidefinite"
INDEFINITE = "indefinite"

_MEANING = {
    POSITIVE_DEFINITE: "local minimum",
    NEGATIVE_DEFINITE: "local maximum",
    INDEFINITE: "saddle point",
    POSITIVE_SEMIDEFINITE: "test inconclusive",
    NEGATIVE_SEMIDEFINITE: "test inconclusive",
}
#: the meaning at a point where the gradient is provably nonzero
NOT_CRITICAL = "not a critical point"

# principal minors are 2**n - 1 determinants: beyond this size use eigenvalues
_MAX_MINORS_SIZE = 6


@dataclass(frozen=True)
class HessianResult:
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
    definiteness: str | None
    meaning: str | None
    notes: tuple[str, ...] = ()


def hessian(
    expr: sympy.Expr,
    variables: Sequence[sympy.Symbol],
    *,
    at: Sequence[Any] | None = None,
    time_budget: float = 2.0,
) -> HessianResult:
    """The Hessian matrix of ``expr``, classified at the point ``at`` if given.

    Parameters
    ----------
    expr : sympy.Expr
        A real scalar function of ``variables`` (not a string).
    variables : sequence of sympy.Symbol
        The variables, in order; the matrix rows and columns follow it.
    at : sequence, optional
        A point, one exact value (sympy number, int or Fraction) per variable.
    time_budget : float
        Seconds for the exact work (determinant, eigenvalues, signs).

    Raises
    ------
    InputError
        ``expr`` or ``variables`` is not usable.
    DimensionError
        ``at`` has the wrong number of coordinates.
    UndefinedError
        A first or second partial is undefined (or not real) at ``at``.

    Examples
    --------
    >>> x, y = sympy.symbols("x y", real=True)
    >>> h = hessian(x**2 + y**2 + x*y, (x, y), at=(1, 3))
    >>> h.matrix
    ((2, 1), (1, 2))
    >>> h.eigenvalues, h.definiteness
    ((1, 3), 'positive definite')
    >>> h.meaning
    'not a critical point'
    >>> hessian(x**2 - y**2, (x, y), at=(0, 0)).meaning
    'saddle point'
    """
    variables = check_variables(variables)
    expr = check_expr(expr)
    deadline = time.monotonic() + time_budget
    gradient, matrix = _derivatives(expr, variables)
    notes: list[str] = []
    if at is None:
        determinant = _bounded(lambda: _symbolic_determinant(matrix), deadline)
        if determinant is None:
            notes.append("the symbolic determinant ran out of its time budget")
        if _is_constant(matrix):
            analysis = _analyse(matrix, deadline, notes)
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
    gradient_at = tuple(
        _defined(g.xreplace(values), f"∂f/∂{v}", variables, point)
        for g, v in zip(gradient, variables, strict=True)
    )
    matrix_at = tuple(
        tuple(
            _defined(
                matrix[i][j].xreplace(values), _partial_name(variables, i, j), variables, point
            )
            for j in range(len(variables))
        )
        for i in range(len(variables))
    )
    analysis = _analyse(matrix_at, deadline, notes)
    meaning = None if analysis.definiteness is None else _MEANING[analysis.definiteness]
    if any(_exact_sign(g, deadline) not in (0, None) for g in gradient_at):
        meaning = NOT_CRITICAL
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


def matrix_definiteness(matrix: Sequence[Sequence[Any]], *, time_budget: float = 2.0) -> str | None:
    """The definiteness of a symmetric matrix of numbers, decided exactly if possible.

    Exact entries are classified by the signs of the principal minors; floats
    (or minors whose sign cannot be told in ``time_budget``) by the eigenvalues
    with a relative tolerance of ``1e-12`` for zero. ``None`` when entries are
    not numbers (free symbols remain).

    >>> matrix_definiteness([[2, 1], [1, 2]])
    'positive definite'
    >>> matrix_definiteness([[0, 0], [0, 2]])
    'positive semidefinite'
    >>> matrix_definiteness([[1, 0], [0, -1]])
    'indefinite'
    """
    rows = tuple(tuple(_as_number(v, "a matrix entry") for v in row) for row in matrix)
    if not rows or any(len(row) != len(rows) for row in rows):
        raise InputError("the matrix must be square and non-empty")
    return _analyse(rows, time.monotonic() + time_budget, []).definiteness


# ---------------------------------------------------------------------------
# input checks shared with gradcli.critical


def check_variables(variables: Sequence[sympy.Symbol]) -> tuple[sympy.Symbol, ...]:
    """The variables as a tuple of distinct symbols, or :class:`InputError`."""
    if isinstance(variables, (str, bytes)):
        raise InputError("the variables must be sympy symbols, not a string")
    result = tuple(variables)
    if not result:
        raise InputError("at least one variable is needed")
    for v in result:
        if not isinstance(v, sympy.Symbol):
            raise InputError(f"the variable {v!r} is not a sympy symbol")
    if len(set(result)) != len(result):
        raise InputError("a variable is listed twice")
    return result


def check_expr(expr: Any) -> sympy.Expr:
    """``expr`` if it is a scalar sympy expression, else :class:`InputError`."""
    if isinstance(expr, str):
        raise InputError("the function must be a sympy expression, not a string (parse it first)")
    if isinstance(expr, (int, Fraction)) and not isinstance(expr, bool):
        return _as_number(expr, "the function")
    if not isinstance(expr, sympy.Expr) or isinstance(expr, sympy.MatrixBase):
        raise InputError("the function must be a scalar sympy expression")
    return expr


def check_point(at: Sequence[Any], variables: tuple[sympy.Symbol, ...]) -> tuple[sympy.Expr, ...]:
    """The point as exact sympy numbers, one per variable."""
    if isinstance(at, (str, bytes)):
        raise InputError("the point must be a sequence of numbers, not a string")
    point = tuple(_as_number(v, "a coordinate") for v in at)
    if len(point) != len(variables):
        names = ", ".join(str(v) for v in variables)
        raise DimensionError(
            f"the point has {len(point)} coordinate{'s' * (len(point) != 1)} "
            f"but the function has {len(variables)} variable{'s' * (len(variables) != 1)} ({names})"
        )
    for value in point:
        if value.free_symbols & set(variables):
            raise InputError(f"the coordinate {value} contains a variable")
    return point


def _as_number(value: Any, what: str) -> sympy.Expr:
    if isinstance(value, (bool, str, bytes)):
        raise InputError(f"{what} must be a number, got {value!r}")
    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise InputError(f"{what} must be finite, got {value}")
        return sympy.Float(value)
    if isinstance(value, sympy.Expr) and not isinstance(value, sympy.MatrixBase):
        if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
            raise InputError(f"{what} must be finite, got {value}")
        return value
    raise InputError(f"{what} must be a number, got {value!r}")


# ---------------------------------------------------------------------------
# derivatives and evaluation


def _derivatives(
    expr: sympy.Expr, variables: tuple[sympy.Symbol, ...]
) -> tuple[tuple[sympy.Expr, ...], Matrix]:
    """The gradient and the Hessian (each second partial computed once)."""
    gradient = tuple(sympy.diff(expr, v) for v in variables)
    n = len(variables)
    entries: dict[tuple[int, int], sympy.Expr] = {}
    for i in range(n):
        for j in range(i, n):
            entries[i, j] = sympy.diff(gradient[i], variables[j])
    matrix = tuple(tuple(entries[min(i, j), max(i, j)] for j in range(n)) for i in range(n))
    return gradient, matrix


def hessian_matrix(expr: sympy.Expr, variables: Sequence[sympy.Symbol]) -> Matrix:
    """The symmetric matrix of second partials of ``expr``.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> hessian_matrix(x**3 * y, (x, y))
    ((6*x*y, 3*x**2), (3*x**2, 0))
    """
    return _derivatives(check_expr(expr), check_variables(variables))[1]


def _partial_name(variables: tuple[sympy.Symbol, ...], i: int, j: int) -> str:
    if i == j:
        return f"∂²f/∂{variables[i]}²"
    return f"∂²f/∂{variables[i]}∂{variables[j]}"


def _defined(
    value: sympy.Expr, name: str, variables: tuple[sympy.Symbol, ...], point: tuple[sympy.Expr, ...]
) -> sympy.Expr:
    """``value`` if it is a finite real number there, else :class:`UndefinedError`."""
    where = ", ".join(str(v) for v in variables)
    at = ", ".join(str(p) for p in point)
    if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo) or value.has(
        sympy.Derivative, sympy.Subs, sympy.DiracDelta
    ):
        raise UndefinedError(f"{name} is undefined at ({where}) = ({at})")
    if value.is_extended_real is False:
        raise UndefinedError(f"{name} is not real at ({where}) = ({at})")
    if not value.free_symbols:
        approx = value.evalf(30)
        if approx.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
            raise UndefinedError(f"{name} is undefined at ({where}) = ({at})")
        real, imag = approx.as_real_imag()
        if abs(imag) > 1e-20 * (1 + abs(real)):
            raise UndefinedError(f"{name} is not real at ({where}) = ({at})")
    return value


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


def _bounded(compute: Any, deadline: float) -> Any:
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
class _Analysis:
    floats: FloatMatrix | None
    determinant: sympy.Expr | None
    determinant_float: float | None
    eigenvalues: tuple[sympy.Expr, ...] | None
    eigenvalues_float: tuple[float, ...] | None
    definiteness: str | None


def _analyse(matrix: Matrix, deadline: float, notes: list[str]) -> _Analysis:
    """Determinant, eigenvalues and definiteness of a symmetric matrix of numbers."""
    import numpy as np

    numeric = _is_constant(matrix)
    floats = _to_floats(matrix) if numeric else None
    determinant = _bounded(lambda: sympy.Matrix(matrix).det(method="bareiss"), deadline)
    if determinant is None:
        notes.append("the exact determinant ran out of its time budget")
    eigenvalues_float: tuple[float, ...] | None = None
    determinant_float: float | None = None
    if floats is not None:
        array = np.array(floats, dtype=float)
        if np.all(np.isfinite(array)):
            eigenvalues_float = tuple(float(v) for v in np.linalg.eigvalsh(array))
            determinant_float = float(np.linalg.det(array))
        if determinant is not None:
            determinant_float = _to_float(determinant)
    eigenvalues = None
    if numeric:
        eigenvalues = bounded(lambda: _exact_eigenvalues(matrix), deadline)
        if eigenvalues is OUT_OF_TIME:
            eigenvalues = None
            notes.append("exact eigenvalues not found within the time budget; decimals shown")
    definiteness = _exact_definiteness(matrix, eigenvalues, deadline) if numeric else None
    if definiteness is None and eigenvalues_float is not None:
        definiteness = _float_definiteness(eigenvalues_float)
        if numeric:
            notes.append("definiteness decided from decimal eigenvalues")
    return _Analysis(
        floats, determinant, determinant_float, eigenvalues, eigenvalues_float, definiteness
    )


def _to_float(value: sympy.Expr) -> float:
    real, _imag = value.evalf(30).as_real_imag()
    return float(real)


def _to_floats(matrix: Matrix) -> FloatMatrix:
    return tuple(tuple(_to_float(v) for v in row) for row in matrix)


def _exact_eigenvalues(matrix: Matrix) -> tuple[sympy.Expr, ...] | None:
    """Exact real eigenvalues, ascending, or ``None`` if sympy cannot give them."""
    m = sympy.Matrix(matrix)
    if any(v.has(sympy.Float, sympy.CRootOf) for v in m):
        return None  # decimals, or algebraic numbers beyond radicals: signs suffice
    poly = m.charpoly()
    if all(v.is_Rational for v in m):
        found = sympy.roots(poly, multiple=True)
        if len(found) != m.rows or any(v.has(sympy.I) for v in found):
            found = sympy.real_roots(poly)
    else:
        found = m.eigenvals(multiple=True)
        if any(v.has(sympy.I) for v in found):
            return None
    if len(found) != m.rows:
        return None
    return tuple(sorted(found, key=_to_float))


def _float_definiteness(eigenvalues: Sequence[float]) -> str:
    scale = max((abs(v) for v in eigenvalues), default=0.0)
    signs = {0 if abs(v) <= RELATIVE_ZERO * scale else (1 if v > 0 else -1) for v in eigenvalues}
    return _from_signs(signs)


def _from_signs(signs: set[int]) -> str:
    if 1 in signs and -1 in signs:
        return INDEFINITE
    if -1 in signs:
        return NEGATIVE_DEFINITE if 0 not in signs else NEGATIVE_SEMIDEFINITE
    if 1 in signs:
        return POSITIVE_DEFINITE if 0 not in signs else POSITIVE_SEMIDEFINITE
    return POSITIVE_SEMIDEFINITE  # the zero matrix (also negative semidefinite)


def _exact_definiteness(
    matrix: Matrix, eigenvalues: tuple[sympy.Expr, ...] | None, deadline: float
) -> str | None:
    """Definiteness by exact signs: of the eigenvalues, else of the principal minors."""
    if any(v.has(sympy.Float) for row in matrix for v in row):
        return None
    if eigenvalues is not None:
        eigen_signs = [_exact_sign(v, deadline) for v in eigenvalues]
        if None not in eigen_signs:
            return _from_signs({s for s in eigen_signs if s is not None})
    n = len(matrix)
    if n > _MAX_MINORS_SIZE:
        return None
    m = sympy.Matrix(matrix)
    signs: dict[tuple[int, ...], int] = {}  # principal minor (its rows) -> sign
    for k in range(1, n + 1):
        for rows in combinations(range(n), k):
            det = _bounded(lambda rows=rows: m.extract(list(rows), list(rows)).det(), deadline)
            sign = None if det is None else _exact_sign(det, deadline)
            if sign is None:
                return None
            signs[rows] = sign
    return sylvester(signs, n)


def sylvester(signs: dict[tuple[int, ...], int], n: int) -> str:
    """Definiteness from the signs of all principal minors (keyed by their rows).

    >>> sylvester({(0,): 1, (1,): 1, (0, 1): 1}, 2)
    'positive definite'
    >>> sylvester({(0,): 0, (1,): 1, (0, 1): 0}, 2)
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
    """The sign of an exact number (-1, 0, 1), or ``None`` if it cannot be told."""
    sign: int | None = _bounded(lambda: _sign(value, deadline), deadline)
    return sign


def _sign(value: sympy.Expr, deadline: float) -> int | None:
    if value.is_zero:
        return 0
    if value.is_positive:
        return 1
    if value.is_negative:
        return -1
    if value.free_symbols or value.has(sympy.Float):
        return None
    approx = _bounded(lambda: value.evalf(50).as_real_imag()[0], deadline)
    if approx is not None and approx.is_number and abs(approx) > sympy.Float(10) ** -40:
        return 1 if approx > 0 else -1
    simplified = _bounded(lambda: sympy.simplify(value), deadline)
    if simplified is not None and simplified.is_zero:
        return 0
    return None
