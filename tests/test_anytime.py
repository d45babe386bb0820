"""Anytime answers: optional tidying shares one bounded allowance, and the
answer without it is the same answer.

The oracle for every float is sympy's own ``diff`` of the same function,
built here with ``sympify`` from trusted test text, evaluated by evalf at 50
digits and rounded once: gradcli's floats must be those, to the last bit.
None of these tests is timed; the times are in ``make bench``.
"""

from __future__ import annotations

import signal
import time

import pytest
import sympy

from bench.functions import (
    griewank,
    log_sum_exp,
    nested_tanh,
    product,
    rastrigin,
    sin_cos,
    softmax_cross_entropy,
)
from gradcli import calculus
from gradcli.budget import Allowance, time_limit
from gradcli.calculus import gradient
from gradcli.errors import BudgetExceeded
from gradcli.limits import Limits
from gradcli.printing import to_text, tree_size
from tests.conftest import ok

#: the issue's families, at sizes a test can afford
FAMILIES = [
    pytest.param(log_sum_exp(6), id="log-sum-exp-6"),
    pytest.param(nested_tanh(6), id="nested-tanh-6"),
    pytest.param(sin_cos(12), id="sin-cos-12"),
    pytest.param(griewank(5), id="griewank-5"),
    pytest.param(rastrigin(4), id="rastrigin-4"),
    pytest.param(product(8), id="product-8"),
    pytest.param(softmax_cross_entropy(5), id="softmax-ce-5"),
]


def _oracle(text: str) -> tuple[list[sympy.Symbol], sympy.Expr]:
    """The function as sympy reads it (trusted text: this is the test's oracle)."""
    expr = sympy.sympify(text.replace("^", "**"))
    variables = sorted(expr.free_symbols, key=lambda s: (len(s.name), s.name))
    return variables, expr


def _point(count: int) -> list[sympy.Rational]:
    return [sympy.Rational((i % 5) + 1, (i % 3) + 2) for i in range(count)]


def _rounded(value: sympy.Expr) -> float:
    return float(sympy.re(value.evalf(50)))


@pytest.mark.parametrize("text", FAMILIES)
def test_floats_are_the_correctly_rounded_values(text: str) -> None:
    variables, expr = _oracle(text)
    point = _point(len(variables))
    at = dict(zip(variables, point))
    result = gradient(text, at=",".join(str(p) for p in point))
    partials = [sympy.diff(expr, v).subs(at) for v in variables]
    assert result.at is not None
    assert list(result.at.value_float or ()) == [_rounded(p) for p in partials]
    magnitude = sympy.sqrt(sum(p**2 for p in partials))
    assert result.at.magnitude_float == _rounded(magnitude)
    assert list(result.at.direction_float or ()) == [_rounded(p / magnitude) for p in partials]
    assert result.at.function_value_float == _rounded(expr.subs(at))


@pytest.mark.parametrize("text", FAMILIES)
def test_the_anytime_path_gives_the_simplified_paths_values(text: str) -> None:
    variables, _ = _oracle(text)
    point = ",".join(str(p) for p in _point(len(variables)))
    full = gradient(text, at=point, limits=Limits(timeout=30, simplify_timeout=3))
    starved = gradient(text, at=point, limits=Limits(simplify_timeout=1e-9))
    assert full.at is not None and starved.at is not None
    assert starved.at.value_float == full.at.value_float
    assert starved.at.magnitude_float == full.at.magnitude_float
    assert starved.at.direction_float == full.at.direction_float
    for simplified, raw in zip(full.components, starved.components):
        # the same function: equal at a second, unrelated point
        other = {v: sympy.Rational(3, 7) + k for k, v in enumerate(full.variables)}
        assert abs(_rounded(simplified.subs(other) - raw.subs(other))) < 1e-30


def test_a_starved_simplification_says_so() -> None:
    text = "y*(x^2 - 1)/(x - 1)"
    starved = gradient(text, limits=Limits(simplify_timeout=1e-9))
    assert any(note.startswith("not simplified (budget)") for note in starved.notes)
    x, _ = starved.variables
    # shown as differentiated: still the exact derivative
    assert starved.components[1] == (x**2 - 1) / (x - 1)
    fed = gradient(text)
    assert fed.components[1] == x + 1
    assert not any("budget" in note for note in fed.notes)


def test_simplification_shares_one_allowance_across_components() -> None:
    # twelve components that each take simplify a while: one shared allowance
    # of 0.3 s, not 0.3 s each
    text = griewank(12)
    started = time.monotonic()
    result = gradient(text, limits=Limits(simplify_timeout=0.3))
    assert time.monotonic() - started < 0.3 * 12
    skipped = [n for n in result.notes if n.startswith("not simplified (budget)")]
    assert len(skipped) <= 1


def test_a_symmetric_functions_components_are_simplified_once_and_renamed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = []
    real = sympy.simplify

    def counting(expr: sympy.Expr, *args: object, **kwargs: object) -> sympy.Expr:
        calls.append(expr)
        return real(expr, *args, **kwargs)

    monkeypatch.setattr(calculus.sympy, "simplify", counting)
    result = gradient("log(exp(a) + exp(b) + exp(c)) + a*b*c")
    assert len(calls) == 1
    a, b, c = result.variables
    assert result.components[1] == result.components[0].xreplace({a: b, b: a})
    assert result.components[2] == result.components[0].xreplace({a: c, c: a})


def test_a_mirror_is_used_only_when_the_swap_really_maps_one_component_to_the_other() -> None:
    # x and y are not interchangeable here: each component is simplified itself
    result = gradient("x^2*y + sin(y)^2 + cos(y)^2")
    x, y = result.variables
    assert result.components == (2 * x * y, x**2)


def test_a_mirror_needs_the_two_variables_to_carry_the_same_assumptions() -> None:
    # simplify may use that a is positive (√(a²) = a); renamed to b, real,
    # that would be wrong
    a, b = sympy.Symbol("a", positive=True), sympy.Symbol("b", real=True)
    components = [sympy.sqrt(a**2) * b, sympy.sqrt(b**2) * a]
    assert calculus._mirrored(components[1], b, components, (a, b), [(0, a * b)]) is None


def test_a_direction_too_long_to_print_is_given_as_floats(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(calculus, "_LONGEST_DIRECTION", 10)
    result = gradient("tanh(x + tanh(y))", at="1/2,1/3")
    assert result.at is not None
    assert result.at.direction is None and not result.at.critical
    assert result.at.direction_float is not None
    magnitude = result.at.magnitude_float
    assert magnitude is not None
    for unit, component in zip(result.at.direction_float, result.at.value_float or ()):
        assert unit == pytest.approx(component / magnitude, rel=1e-15)


def test_the_commands_show_a_direction_given_as_floats(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calculus, "_LONGEST_DIRECTION", 10)
    table = ok("grad", "tanh(x + tanh(y))", "--at", "1/2,1/3").stdout
    assert "û = ∇f/|∇f| ≈ (" in table
    data = ok("grad", "tanh(x + tanh(y))", "--at", "1/2,1/3", "--format", "json").json
    assert data["direction"] is None
    assert len(data["direction_float"]) == 2
    latex = ok("grad", "tanh(x + tanh(y))", "--at", "1/2,1/3", "--format", "latex").stdout
    assert r"\hat{u} &= \frac{\nabla f}" in latex


def test_a_deep_composition_answers_within_the_default_budget() -> None:
    # the 20-level nested tanh did not finish in 200 s. The oracle is
    # the chain rule by hand in mpmath: ∂f/∂xₖ = Πᵢ≤ₖ (1 − tanh²(uᵢ)), where
    # u₂₀ = x₂₀ and uᵢ = xᵢ + tanh(uᵢ₊₁) (sympy's own diff of it is too slow)
    import mpmath

    n = 20
    data = ok("grad", nested_tanh(n), "--at", ",".join(["1/2"] * n), "--format", "json").json
    with mpmath.workdps(50):
        half = mpmath.mpf(1) / 2
        inner = [mpmath.mpf(0)] * (n + 1)
        inner[n] = half
        for i in range(n - 1, 0, -1):
            inner[i] = half + mpmath.tanh(inner[i + 1])
        slopes = [1 - mpmath.tanh(inner[i]) ** 2 for i in range(1, n + 1)]
        partials = [mpmath.fprod(slopes[:k]) for k in range(1, n + 1)]
        length = mpmath.sqrt(mpmath.fsum(p**2 for p in partials))
        assert data["value_float"] == [float(p) for p in partials]
        assert data["magnitude_float"] == float(length)
        assert data["direction_float"] == [float(p / length) for p in partials]
    assert data["direction"] is None or len(data["direction"]) == n


# --------------------------------------------------------------------------
# The pieces


def test_an_allowance_is_shared_and_then_refuses() -> None:
    share = Allowance(0.2)
    with pytest.raises(BudgetExceeded), share.spend("first"):
        time.sleep(1)
    assert share.cut == ["first"]
    with pytest.raises(BudgetExceeded), share.spend("second"):
        pass  # nothing is left: refused before it runs
    assert share.cut == ["first", "second"]


def test_an_enclosing_limit_that_ends_first_is_the_one_that_fires() -> None:
    # the inner block asks for more than the outer has left: the outer's
    # BudgetExceeded comes out, never a stray internal timeout
    with pytest.raises(BudgetExceeded, match="outer"), time_limit(0.2, "outer"):
        try:
            with time_limit(5, "inner"):
                time.sleep(2)
        except BudgetExceeded as inner:  # pragma: no cover - the bug this guards
            raise AssertionError("the inner limit claimed the outer deadline") from inner
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0


def test_large_trees_are_printed_in_canonical_order_and_read_back() -> None:
    from gradcli.parse import parse_function

    text = nested_tanh(16)
    function = parse_function(text)
    derivative = sympy.diff(function.expr, function.variables[-1])
    assert tree_size(derivative) > 400
    shown = to_text(derivative)
    assert parse_function(shown).expr == derivative


def test_tree_size_counts_shared_parts_once_per_use() -> None:
    x = sympy.Symbol("x")
    inner = sympy.sin(x)
    assert tree_size(inner * sympy.cos(inner)) == 1 + 2 + 3
