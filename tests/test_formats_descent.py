"""The descent formatters, run on core results without the CLI.

They write the golden files that the command's tests compare with.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import sympy

from gradcli.descent import descend
from gradcli.formats import descent as formats
from gradcli.parse import parse_function
from tests.golden import assert_golden

SEED = parse_function("x^2 + y^2 + xy")


@pytest.mark.parametrize("fmt", ["json", "csv", "plain", "latex"])
def test_the_seed_in_each_format(fmt: str) -> None:
    run = descend(SEED.expr, SEED.variables, (1, 3), lr=0.1, steps=5)
    run = replace(run, notes=SEED.notes)  # as descend_text gives it
    assert_golden(f"descend_seed.{fmt}", getattr(formats, f"to_{fmt}")(run))


def test_the_exact_worked_solution() -> None:
    run = descend(SEED.expr, SEED.variables, (1, 3), lr=0.1, steps=2, exact=True)
    assert_golden("descend_seed_exact.latex", formats.to_latex(run))


def test_json_keys_keep_their_types_whatever_the_run() -> None:
    x = sympy.Symbol("x", real=True)
    converged = json.loads(formats.to_json(descend(x**2, (x,), (1,), lr=0.5, steps=5)))
    diverged = json.loads(formats.to_json(descend(x**2, (x,), (1,), lr=1.5, steps=50)))
    assert converged.keys() == diverged.keys()
    for key in converged:
        if converged[key] is not None and diverged[key] is not None:
            assert type(converged[key]) is type(diverged[key]), key
