"""A problem prepared once: its derivatives and critical points come from the core."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import sympy

from gradcli.critical import critical_points
from gradcli.grading import check
from gradcli.grading.problem import Problem
from gradcli.limits import Limits
from gradcli.parse import parse_function

GRADING = Path(__file__).resolve().parent.parent / "gradcli" / "grading"


def test_grading_takes_no_derivative_and_solves_nothing_itself() -> None:
    """∇f and the Hessian come from gradcli.derivatives, critical points from gradcli.critical."""
    forbidden = {"diff", "solve", "nsolve", "eigenvals", "eigenvects"}
    offenders = []
    for path in sorted(GRADING.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            owner = getattr(getattr(func, "value", None), "id", None)
            if owner == "np" or getattr(getattr(func, "value", None), "attr", None) == "linalg":
                continue  # numpy on floats (differences, linear algebra), not sympy
            if name in forbidden or (owner == "sympy" and name in ("hessian", "jacobian")):
                offenders.append(f"{path.name}:{node.lineno} {name}")
    assert offenders == []


@pytest.mark.parametrize(
    "text", ["x^2*y + sin(x*y)", "exp(x)*cos(y)/(1 + x^2)", "ln(x^2 + y^2) + x*y^3"]
)
def test_gradient_and_hessian_are_sympys(text: str) -> None:
    function = parse_function(text)
    problem = Problem(function, at=None, along=None, seed=0, limits=Limits())
    f, variables = function.expr, function.variables
    oracle_gradient = [sympy.diff(f, v) for v in variables]
    oracle_hessian = sympy.hessian(f, variables)
    assert all(sympy.simplify(a - b) == 0 for a, b in zip(problem.gradient, oracle_gradient))
    for i, row in enumerate(problem.hessian()):
        for j, entry in enumerate(row):
            assert sympy.simplify(entry - oracle_hessian[i, j]) == 0


def test_the_kinds_are_criticals_and_a_students_words_map_onto_them() -> None:
    f = "x^3 - 3x + y^2"  # a local min at (1, 0), a saddle at (-1, 0)
    function = parse_function(f)
    kinds = {p.point: p.kind for p in critical_points(function.expr, function.variables).points}
    assert kinds == {(1, 0): "local min", (-1, 0): "saddle"}
    for words in ("min", "minimum", "local min", "local minimum", "relative minimum", "rel. min"):
        assert check(f, critical=f"(1, 0) {words}; (-1, 0) saddle point").correct, words
    wrong = check(f, critical="(1, 0) max; (-1, 0) inconclusive", reveal=True)
    assert [(p.verdict, p.mistakes) for p in wrong.parts] == [
        ("wrong", ("wrong_kind",)),
        ("wrong", ("wrong_kind",)),
    ]
    assert wrong.parts[0].message == "a critical point, but not a local max"
    assert wrong.parts[1].message == "a critical point, but not a degenerate"
    assert wrong.parts[0].expected == "(1, 0) local min"


def test_a_point_that_is_not_critical_says_what_the_gradient_is() -> None:
    (part,) = check("x^2 + y^2", critical="(1, 2)").parts[:1]
    assert part.mistakes == ("extra_point",)
    assert part.message == "not a critical point: ∇f there is (2, 4), not 0"
