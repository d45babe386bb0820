"""A plain descent loop, step by step, that the fast engine is tested against.

It shares nothing with the engine but the derivatives (from
:mod:`gradcli.derivatives`): no code generation, no unrolled blocks, no
stop tests, each method's update written out as a textbook does. Tests run
both and compare every point; a bug in the generated code shows as a
difference at the first step it touches.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import sympy

from gradcli.derivatives import gradient_of, hessian_of
from gradcli.numbers import real_powers


def reference_points(
    expr: sympy.Expr,
    variables: Sequence[sympy.Symbol],
    start: Sequence[float],
    *,
    method: str,
    lr: float,
    steps: int,
    beta: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> list[tuple[float, ...]]:
    """θ_0 … θ_steps of ``method`` on ``expr``, in plain floating point.

    >>> x = sympy.Symbol("x", real=True)
    >>> reference_points(x**2, (x,), (1.0,), method="gd", lr=0.25, steps=2)
    [(1.0,), (0.5,), (0.25,)]
    """
    variables = tuple(variables)
    # the derivatives of f, evaluated as every value is: an odd root is real
    gradient = sympy.lambdify(
        variables, [real_powers(g) for g in gradient_of(expr, variables)], modules="math"
    )
    hessian = sympy.lambdify(
        variables,
        [[real_powers(h) for h in row] for row in hessian_of(expr, variables)],
        modules="math",
    )
    n = len(variables)
    theta = [float(v) for v in start]
    points = [tuple(theta)]
    buffer = [0.0] * n
    m, v = [0.0] * n, [0.0] * n
    for k in range(1, steps + 1):
        g = [float(c) for c in gradient(*theta)]
        if method == "gd":
            direction = g
        elif method == "momentum":
            buffer = [beta * b + gi for b, gi in zip(buffer, g)]
            direction = buffer
        elif method == "nesterov":
            buffer = [beta * b + gi for b, gi in zip(buffer, g)]
            direction = [gi + beta * b for gi, b in zip(g, buffer)]
        elif method == "adam":
            m = [beta * mi + (1 - beta) * gi for mi, gi in zip(m, g)]
            v = [beta2 * vi + (1 - beta2) * gi * gi for vi, gi in zip(v, g)]
            m_hat = [mi / (1 - beta**k) for mi in m]
            v_hat = [vi / (1 - beta2**k) for vi in v]
            direction = [mh / (math.sqrt(vh) + eps) for mh, vh in zip(m_hat, v_hat)]
        elif method == "newton":
            import numpy

            matrix = numpy.array(hessian(*theta), dtype=float)
            direction = [float(d) for d in numpy.linalg.solve(matrix, numpy.array(g))]
        else:
            raise ValueError(f"unknown method {method!r}")
        theta = [t - lr * d for t, d in zip(theta, direction)]
        points.append(tuple(theta))
    return points
