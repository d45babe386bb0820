"""Naming the mistake in a wrong answer: a swapped or wrong-signed component, a constant
factor, a missing term or chain factor, the wrong variable or point, an error carried over.

Each function returns ``(mistake, message)`` pairs, mistakes named from
:data:`~gradcli.grading.results.MISTAKES` (an empty name is advice without a
named mistake), or nothing when the mistake is not a typical one.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from fractions import Fraction

import sympy

from gradcli.calculus import GradientAt
from gradcli.derivatives import partial_derivatives
from gradcli.grading.answers import Entry
from gradcli.grading.decimals import DecimalRule
from gradcli.grading.equality import Equality
from gradcli.grading.evaluator import constant_float, precise_size
from gradcli.grading.problem import Context, Problem
from gradcli.i18n import _
from gradcli.printing import decimal, to_unicode
from gradcli.tolerances import DECIMAL_RTOL, NUMERIC_RTOL

__all__ = [
    "Found",
    "component_mistakes",
    "diagnose_symbolic",
    "directional_candidates",
    "fraction_text",
    "hessian_mistakes",
    "magnitude_candidates",
    "permutation",
    "same",
    "vector_mistakes",
]

#: what a wrong answer was found to be: (mistake, message) pairs
Found = list[tuple[str, str]]
#: a candidate wrong answer: (mistake, message, the value it would have)
Candidate = tuple[str, str, sympy.Expr]

#: a number answered without decimals is another number when their floats
#: agree this closely (only float rounding separates them)
_SAME_NUMBER = 1e-12
#: a decimal in a derivative is taken for a rounded fraction with a denominator up to this
_SIMPLE_DENOMINATOR = 100
#: a decimal direction whose length is this close to 1 is rounded, not unnormalised
_ROUNDED_LENGTH = 0.05
#: a constant factor is named when it is a fraction with a small numerator
#: and denominator (2, 1/2, 3/4), to this relative tolerance for decimals
_SMALL_FACTOR = 4
_FACTOR_DECIMALS = 1e-3
#: a factor shown as a fraction has a denominator up to this
_FRACTION_DENOMINATOR = 1000


def _named_tolerance(rule: DecimalRule) -> float:
    """How close a decimal must be to a mistake's value to name that mistake."""
    return float(rule.tol) if rule.tol is not None else DECIMAL_RTOL


def same(problem: Problem, entry: Entry, target: sympy.Expr, rule: DecimalRule) -> bool:
    """Whether an answer is ``target``: for detecting what a wrong answer is."""
    if entry.expr == target:
        return True
    if not target.free_symbols and entry.value is not None:
        value = constant_float(target)
        if value is None:
            return False
        if entry.approximate:
            if entry.literal is not None:
                return rule.judge(entry.literal, target)[0]
            return abs(entry.value - value) <= _named_tolerance(rule) * abs(value)
        return abs(entry.value - value) <= _SAME_NUMBER * max(abs(value), 1e-300)
    return problem.evaluator.compare(entry.expr, target).status == "equal"


def permutation(
    problem: Problem,
    entries: Sequence[Entry],
    decisions: Sequence[Equality],
    expected: Sequence[sympy.Expr],
    rule: DecimalRule,
) -> dict[int, int]:
    """Wrong components that are another component, when all fit a reordering."""
    wrong = [i for i, d in enumerate(decisions) if d.equal is False]
    if len(expected) < 2 or not wrong:
        return {}
    mapping: dict[int, int] = {}
    for i in wrong:
        for j, target in enumerate(expected):
            if j != i and same(problem, entries[i], target, rule):
                mapping[i] = j
                break
        else:
            return {}
    # the wrong components must be each other, reordered
    if set(mapping.values()) != set(mapping):
        return {}
    return mapping


def _not_evaluated(problem: Problem, *, whole: bool = False) -> Found:
    if whole:
        message = _("the answer depends on the variables: evaluate it at ({point})")
    else:
        message = _("this depends on the variables: evaluate it at ({point})")
    return [("not_evaluated", message.format(point=problem.point_shown))]


def component_mistakes(
    problem: Problem,
    entry: Entry,
    i: int,
    expected: Sequence[sympy.Expr],
    labels: Sequence[str],
    rule: DecimalRule,
) -> Found:
    """What one wrong component of ∇f at the point is."""
    if problem.varies(entry):
        return _not_evaluated(problem)
    target = expected[i]
    if target != 0 and same(problem, entry, -target, rule):
        return [("sign_error", _("the sign is wrong"))]
    for j, other in enumerate(expected):
        if j != i and other != target and same(problem, entry, other, rule):
            return [("wrong_variable", _("this is {label}").format(label=labels[j]))]
    factor = _simple_factor(entry, target)
    if factor is not None:
        return [("constant_factor", _("off by a factor of {factor}").format(factor=factor))]
    return []


def vector_mistakes(
    problem: Problem,
    entries: Sequence[Entry],
    expected: Sequence[sympy.Expr],
    part: str,
    context: Context,
    rule: DecimalRule,
) -> Found:
    """Mistakes that explain the whole vector (∇f or its direction at the point) at once."""
    n = len(expected)
    if any(problem.varies(e) for e in entries):
        return _not_evaluated(problem, whole=True)

    def fits(vector: Sequence[sympy.Expr] | None) -> bool:
        if vector is None or all(_is_expected(c, e) for c, e in zip(vector, expected)):
            # a "mistake" that gives the right value (f symmetric in its point) names nothing
            return False
        return all(same(problem, entry, target, rule) for entry, target in zip(entries, vector))

    if 1 < n <= 4:
        for order in itertools.permutations(range(n)):
            if list(order) != list(range(n)) and fits([expected[k] for k in order]):
                return [("swapped_components", _("the components are in the wrong order"))]
    if any(t != 0 for t in expected) and fits([-t for t in expected]):
        if part == "direction":
            return [("sign_error", _("this is the direction of steepest descent, −∇f/|∇f|"))]
        return [("sign_error", _("the signs are wrong"))]
    if part == "direction":
        scale = _positive_multiple(entries, expected, rule)
        if scale is not None:
            message = _(
                "it points the right way but its length is {length}, not 1: divide by its length"
            )
            return [("not_normalized", message.format(length=decimal(scale, 4)))]
    carried = problem.carried_vector(
        context, use_value=part == "direction", unit=part == "direction"
    )
    if carried is not None and fits(carried[0]):
        message = _("this follows from your {answer}, which is wrong")
        return [("carried_error", message.format(answer=carried[1]))]
    for point, shown, vector in problem.wrong_points(part):
        if fits(vector):
            key = sympy.default_sort_key
            if sorted(point, key=key) == sorted(problem.point or (), key=key):
                message = _(
                    "this is the value at ({wrong_point}), not at ({point}): "
                    "the coordinates are swapped"
                )
            else:
                message = _("this is the value at ({wrong_point}), not at ({point})")
            return [("wrong_point", message.format(wrong_point=shown, point=problem.point_shown))]
    return []


def magnitude_candidates(problem: Problem, context: Context, at: GradientAt) -> Iterator[Candidate]:
    """The typical wrong values of |∇f| at the point."""
    squared = sympy.Add(*(v**2 for v in at.value))
    yield ("magnitude_squared", _("this is |∇f|²: take the square root"), squared)
    yield ("sign_error", _("a magnitude is never negative"), -at.magnitude)
    carried = problem.carried_vector(context, use_value=True)
    if carried is not None:
        norm = sympy.sqrt(sympy.Add(*(c**2 for c in carried[0])))
        message = _("this is the length of your {answer}, which is wrong").format(answer=carried[1])
        yield ("carried_error", message, norm)
    for _point, shown, vector in problem.wrong_points("value"):
        norm = sympy.sqrt(sympy.Add(*(c**2 for c in vector)))
        message = _("this is |∇f| at ({wrong_point}), not at ({point})").format(
            wrong_point=shown, point=problem.point_shown
        )
        yield ("wrong_point", message, norm)


def directional_candidates(
    problem: Problem, context: Context, at: GradientAt
) -> Iterator[Candidate]:
    """The typical wrong values of the rate of change along v at the point."""
    d = at.directional
    assert d is not None
    along = problem.along_vector or ()
    length = sympy.sqrt(sympy.Add(*(c**2 for c in along)))
    raw = sympy.Add(*(g * c for g, c in zip(at.value, along)))
    if length != 1:
        message = _("v was not normalised: divide ∇f·v by |v| = {length}").format(
            length=to_unicode(length)
        )
        yield ("not_normalized", message, raw)
    yield ("sign_error", _("the sign is wrong"), -d.derivative)
    if at.magnitude != d.derivative:
        message = _("this is |∇f|, the largest rate of change; the rate along v is ∇f·v/|v|")
        yield ("max_rate", message, at.magnitude)
    carried = problem.carried_vector(context, use_value=True)
    if carried is not None:
        rate = sympy.Add(*(g * c for g, c in zip(carried[0], along))) / length
        message = _("this follows from your {answer}, which is wrong").format(answer=carried[1])
        yield ("carried_error", message, rate)
    for _point, shown, vector in problem.wrong_points("value"):
        rate = sympy.Add(*(g * c for g, c in zip(vector, along))) / length
        message = _("this is the rate at ({wrong_point}), not at ({point})").format(
            wrong_point=shown, point=problem.point_shown
        )
        yield ("wrong_point", message, rate)


def scalar_mistakes(
    problem: Problem,
    entry: Entry,
    candidates: Iterator[Candidate],
    rule: DecimalRule,
    *,
    expected: sympy.Expr | None = None,
) -> Found:
    """The first typical wrong value a one-number answer is.

    A candidate that is the ``expected`` value itself (|∇f| at (−1, −1) when
    it is |∇f| at (1, 1)) names no mistake.
    """
    if problem.varies(entry):
        return _not_evaluated(problem)
    for mistake, message, target in candidates:
        if expected is not None and _is_expected(target, expected):
            continue
        if same(problem, entry, target, rule):
            return [(mistake, message)]
    return []


def _is_expected(candidate: sympy.Expr, expected: sympy.Expr) -> bool:
    """Whether a candidate wrong value is exactly the value expected."""
    if candidate == expected:
        return True
    if candidate.free_symbols or expected.free_symbols:
        return False
    return precise_size(candidate - expected) == 0.0


def hessian_mistakes(
    problem: Problem,
    entry: Entry,
    k: int,
    targets: Sequence[sympy.Expr],
    labels: Sequence[str],
    rule: DecimalRule,
) -> Found:
    """What one wrong entry of the Hessian (row-major index ``k``) is."""
    n = len(problem.variables)
    i, j = divmod(k, n)
    target = targets[k]
    if target != 0 and same(problem, entry, -target, rule):
        return [("sign_error", _("the sign is wrong"))]
    for other, expr in enumerate(targets):
        if expr != target and same(problem, entry, expr, rule):
            return [("wrong_variable", _("this is {label}").format(label=labels[other]))]
    if target.free_symbols:
        ratio = problem.evaluator.ratio(entry.expr, target)
        if ratio is not None and ratio != 1:
            message = _("off by a factor of {factor}").format(factor=fraction_text(ratio))
            return [("constant_factor", message)]
        for g in {problem.gradient[i], problem.gradient[j]}:
            if same(problem, entry, g, rule):
                return [("", _("this is a first derivative: differentiate it once more"))]
    else:
        factor = _simple_factor(entry, target)
        if factor is not None:
            return [("constant_factor", _("off by a factor of {factor}").format(factor=factor))]
    return []


def _decimals_as_fractions(expr: sympy.Expr) -> dict[sympy.Rational, sympy.Rational]:
    """Each decimal in ``expr`` (a fraction over a power of 10) that is near a simple fraction."""
    out: dict[sympy.Rational, sympy.Rational] = {}
    for number in expr.atoms(sympy.Rational):
        q = int(number.q)
        if number.is_Integer or q % 10 or 10 ** (len(str(q)) - 1) != q:
            continue
        value = Fraction(int(number.p), q)
        simple = value.limit_denominator(_SIMPLE_DENOMINATOR)
        # the decimal is that fraction rounded to the places written (0.333 for 1/3)
        if simple.denominator not in (1, q) and abs(simple - value) <= Fraction(1, 2 * q):
            out[number] = sympy.Rational(simple.numerator, simple.denominator)
    return out


def decimal_text(number: sympy.Rational) -> str:
    """A decimal fraction as its digits: 333/1000 is 0.333."""
    return str(sympy.Float(number, len(str(abs(int(number.p)))) + 1)).rstrip("0").rstrip(".")


def diagnose_symbolic(problem: Problem, entry: Entry, i: int) -> Found:
    """Name the mistake in a wrong partial derivative ∂f/∂x_i, if it is a typical one."""
    evaluator = problem.evaluator
    answer = entry.expr
    expected = problem.gradient[i]
    x = problem.variables[i]
    names = problem.shown
    f = problem.function.expr
    for j, other in enumerate(problem.gradient):
        if j != i and other != expected and evaluator.same(answer, other):
            message = _("this is ∂f/∂{other}: differentiate with respect to {variable}")
            return [("wrong_variable", message.format(other=names[j], variable=names[i]))]
    if evaluator.same(answer, f):
        return [("function_itself", _("this is f itself: differentiate it"))]
    for node, inner_derivative, candidate in problem.chain_candidates(i):
        if evaluator.same(answer, candidate):
            message = _(
                "the chain rule's inner derivative is missing: {composite} needs "
                "the factor {inner_derivative}"
            )
            return [
                (
                    "missing_chain_factor",
                    message.format(
                        composite=to_unicode(node), inner_derivative=to_unicode(inner_derivative)
                    ),
                )
            ]
    if entry.approximate:
        rounded = _decimals_as_fractions(answer)
        if rounded and evaluator.same(answer.xreplace(rounded), expected):
            decimal, fraction = next(iter(rounded.items()))
            message = _(
                "close, but decimals are read exactly: {decimal} is not {fraction}; "
                "write the exact number"
            )
            return [("", message.format(decimal=decimal_text(decimal), fraction=fraction))]
    ratio = evaluator.ratio(answer, expected)
    if ratio is not None and ratio != 1:
        if ratio == -1:
            return [("sign_error", _("the sign is wrong"))]
        message = _("off by a constant factor of {factor}").format(factor=fraction_text(ratio))
        return [("constant_factor", message)]
    found = _term_mistakes(problem, answer, i)
    if found:
        return found
    if evaluator.derivative_is(answer, x, f):
        message = _(
            "this is an antiderivative of f with respect to {variable}: differentiate instead"
        )
        return [("antiderivative", message.format(variable=names[i]))]
    return []


def _term_mistakes(problem: Problem, answer: sympy.Expr, i: int) -> Found:
    """One term of f differentiated wrongly, left out, or not held constant."""
    evaluator = problem.evaluator
    expected = problem.gradient[i]
    names = problem.shown
    terms = problem.terms(i)
    if len(terms) < 2:
        return []
    difference = evaluator.difference(answer, expected)
    if difference is None:
        return []
    for _term, derivative, shown_term, shown_derivative in terms:
        if derivative == 0:
            continue
        ratio = evaluator.ratio_values(difference, derivative)
        if ratio is None:
            continue
        if ratio == -1:
            message = _("missing {derivative}, the derivative of {term} with respect to {variable}")
            return [
                (
                    "missing_term",
                    message.format(derivative=shown_derivative, term=shown_term, variable=names[i]),
                )
            ]
        if ratio == -2:
            message = _("the term {derivative} (from {term}) has the wrong sign")
            return [("sign_error", message.format(derivative=shown_derivative, term=shown_term))]
        message = _(
            "the derivative of {term} with respect to {variable} is off by a factor of {factor}"
        )
        return [
            (
                "constant_factor",
                message.format(term=shown_term, variable=names[i], factor=fraction_text(1 + ratio)),
            )
        ]
    x = problem.variables[i]
    for term, derivative, shown_term, _shown_derivative in terms:
        if derivative != 0 or not term.free_symbols:
            continue
        others = [v for v in problem.variables if v != x and term.has(v)]
        for other in others:
            (by_other,) = partial_derivatives(term, (other,))
            if evaluator.ratio_values(difference, by_other) == 1 or (
                evaluator.ratio_values(difference, term) == 1
            ):
                message = _(
                    "{other} was not held constant: the term {term} does not depend on "
                    "{variable}, so its derivative is 0"
                )
                return [
                    (
                        "wrong_variable",
                        message.format(other=to_unicode(other), term=shown_term, variable=names[i]),
                    )
                ]
    return []


def fraction_text(value: float) -> str:
    """A ratio as a fraction when it is one (``3/2``), else as a decimal.

    >>> fraction_text(1.5), fraction_text(2 ** 0.5)
    ('3/2', '1.41421')
    """
    fraction = Fraction(value).limit_denominator(_FRACTION_DENOMINATOR)
    if abs(float(fraction) - value) <= NUMERIC_RTOL * abs(value):
        return str(fraction)
    return decimal(value, 6)


def _simple_factor(entry: Entry, target: sympy.Expr) -> str | None:
    """A small factor (2, 1/2, 3, …) between a number answered and the number expected."""
    value = constant_float(target)
    if entry.value is None or value is None or value == 0 or entry.value == 0:
        return None
    ratio = entry.value / value
    fraction = Fraction(ratio).limit_denominator(_SMALL_FACTOR)
    if fraction in (1, -1) or abs(fraction.numerator) > _SMALL_FACTOR:
        return None
    tolerance = _FACTOR_DECIMALS if entry.approximate else _SAME_NUMBER
    if abs(float(fraction) - ratio) <= tolerance * abs(ratio):
        return str(fraction)
    return None


def _positive_multiple(
    entries: Sequence[Entry], expected: Sequence[sympy.Expr], rule: DecimalRule
) -> float | None:
    """The length of a vector answered, when it is a positive multiple of the unit expected."""
    ratios = []
    for entry, target in zip(entries, expected):
        value = constant_float(target)
        if entry.value is None or value is None:
            return None
        if value == 0:
            if abs(entry.value) > _SAME_NUMBER:
                return None
            continue
        ratios.append(entry.value / value)
    if not ratios or ratios[0] <= 0:
        return None
    approximate = any(e.approximate for e in entries)
    rtol = _named_tolerance(rule) if approximate else NUMERIC_RTOL
    # decimals a few percent off in length are a matter of rounding, not of normalising
    off = _ROUNDED_LENGTH if approximate else rtol
    if all(abs(r - ratios[0]) <= rtol * ratios[0] for r in ratios) and abs(ratios[0] - 1) > off:
        return ratios[0]
    return None
