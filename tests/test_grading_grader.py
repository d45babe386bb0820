"""The Grader: each distinct problem is parsed and differentiated once."""

from __future__ import annotations

import pytest

from gradcli.grading import BatchRow, Grader

F = "x^2 + y^2 + xy"


def test_grader_parses_and_differentiates_each_problem_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gradcli.grading.grader as core
    import gradcli.grading.problem as problem

    calls = []
    derived = []
    real = core.parse_function
    real_gradient = problem.gradient_of

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    def differentiating(*args: object) -> object:
        derived.append(args)
        return real_gradient(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(core, "parse_function", counting)
    monkeypatch.setattr(problem, "gradient_of", differentiating)
    grader = Grader(expression=F, at="1,3")
    for i in range(30):
        result = grader.grade_row(BatchRow(i, str(i), (("gradient", f"2x + y + {i % 3}, x + 2y"),)))
        assert result.parts[0].verdict == ("correct" if i % 3 == 0 else "wrong")
    grader.grade_row(BatchRow(99, "z", (("expression", "x*y"), ("gradient", "y, x"))))
    assert len(calls) == 2
    assert len(derived) == 2
