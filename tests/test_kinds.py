"""Tests for gradcli.kinds: one vocabulary and one classification."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradcli.kinds import (
    Definiteness,
    PointKind,
    classify,
    definiteness_from_eigenvalues,
    definiteness_from_signs,
)
from gradcli.tolerances import EIGENVALUE_ZERO_APPROXIMATE_POINT, EIGENVALUE_ZERO_EXACT_POINT


@pytest.mark.parametrize("definiteness", [*Definiteness, None])
def test_no_kind_is_named_where_the_gradient_is_not_zero(definiteness: Definiteness | None) -> None:
    assert classify(definiteness, critical=False) is PointKind.NOT_CRITICAL
    assert classify(definiteness, critical=None) is PointKind.UNKNOWN


def test_the_second_derivative_test() -> None:
    table = {
        Definiteness.POSITIVE_DEFINITE: ("minimum", "local minimum", "local min"),
        Definiteness.NEGATIVE_DEFINITE: ("maximum", "local maximum", "local max"),
        Definiteness.INDEFINITE: ("saddle", "saddle point", "saddle"),
        Definiteness.POSITIVE_SEMIDEFINITE: ("degenerate", "test inconclusive", "degenerate"),
        Definiteness.NEGATIVE_SEMIDEFINITE: ("degenerate", "test inconclusive", "degenerate"),
    }
    for definiteness, words in table.items():
        kind = classify(definiteness, critical=True)
        assert (kind.value, kind.test_verdict, kind.short) == words
    assert classify(None, critical=True) is PointKind.UNKNOWN


def test_the_words_are_plain_strings_at_the_edge() -> None:
    import json

    assert json.dumps([Definiteness.INDEFINITE, PointKind.SADDLE]) == '["indefinite", "saddle"]'
    assert f"{Definiteness.POSITIVE_DEFINITE}" == "positive definite"
    assert Definiteness.POSITIVE_DEFINITE == "positive definite"


@given(
    st.lists(st.sampled_from([-1, 0, 1]), min_size=1, max_size=6),
    st.integers(0, 2**32 - 1),
)
def test_float_eigenvalues_of_a_built_matrix(signs: list[int], seed: int) -> None:
    # build a symmetric matrix with known eigenvalue signs (oracle: the construction)
    rng = np.random.default_rng(seed)
    n = len(signs)
    q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    eigenvalues = np.array([s * rng.uniform(0.5, 5) for s in signs])
    matrix = q @ np.diag(eigenvalues) @ q.T
    computed = np.linalg.eigvalsh((matrix + matrix.T) / 2)
    for zero in (EIGENVALUE_ZERO_EXACT_POINT, EIGENVALUE_ZERO_APPROXIMATE_POINT):
        got = definiteness_from_eigenvalues(list(computed), zero=zero, floor=1.0)
        assert got is definiteness_from_signs(signs)


def test_a_tiny_matrix_is_not_called_definite_with_a_floor() -> None:
    assert definiteness_from_eigenvalues([1e-12, 2e-12]) is Definiteness.POSITIVE_DEFINITE
    floored = definiteness_from_eigenvalues(
        [1e-12, 2e-12], zero=EIGENVALUE_ZERO_APPROXIMATE_POINT, floor=1.0
    )
    assert floored is Definiteness.POSITIVE_SEMIDEFINITE
