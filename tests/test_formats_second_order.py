"""The hessian and jacobian formatters, run on core results without the CLI.

They write the very golden files the command's tests compare with, so a
difference shows whether it lies in the formatter or in the command layer.
"""

from __future__ import annotations

import pytest

from gradcli.calculus import jacobian
from gradcli.formats import hessian as hessian_formats
from gradcli.formats import jacobian as jacobian_formats
from gradcli.second_order import hessian_report
from tests.golden import assert_golden

FORMATS = ("json", "csv", "plain", "latex")


@pytest.mark.parametrize("fmt", FORMATS)
def test_hessian_formats(fmt: str) -> None:
    report = hessian_report("x^2 + y^2 + xy", at="0,0")
    assert_golden(f"hessian_seed.{fmt}", getattr(hessian_formats, f"to_{fmt}")(report))


@pytest.mark.parametrize("fmt", FORMATS)
def test_jacobian_formats(fmt: str) -> None:
    result = jacobian("x*y, x+y, sin(x)", at="1,pi")
    assert_golden(f"jacobian_seed.{fmt}", getattr(jacobian_formats, f"to_{fmt}")(result))


def test_an_undecided_verdict_is_explained() -> None:
    report = hessian_report("x^2 + a*x + y^2", at="0,0", variables=["x", "y"])
    assert report.result.meaning == "undecided"
    assert "meaning: undecided" in hessian_formats.to_plain(report)
    assert hessian_formats.EXPLAIN["undecided"].startswith("undecided: whether ∇f = 0")
