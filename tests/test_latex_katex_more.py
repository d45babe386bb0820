"""``critical`` and ``descend`` LaTeX: KaTeX renders every output (strict mode,
display mode), nothing needs more than amsmath, no row runs off the page, and
``\\text{}`` holds words, never program syntax."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

from tests.conftest import invoke
from tests.katex import katex_errors

LOSSES = Path(__file__).parent / "data" / "losses"
SEED = "x^2 + y^2 + xy"
#: the most characters a row of the LaTeX may show (KaTeX's and a page's width)
MOST = 100

CRITICAL = [
    ("x^100 + y^2",),
    ("x^3 - 3x + y^2",),
    ("x^2 + y^2 + xy",),
    ("x + y",),
    ("(x - y)^2",),
    ("x^2 + y^2 + z^2 - 2x*y*z",),
    ("x^4 + y^4",),
    ("x^3 - 3x",),
    ("abs(x) + y^2",),
    ("sin(x)*sin(y)", "--box", "-2,2"),
    ("x^12 + y^12 - 3x^5 y + 2x^3 y^4 - x y + y^2", "--timeout", "4"),
    ("x^6/6 - x^2/2 - x + y^2",),
    ("1", "--vars", "x,y"),
    ("(x^2 + y - 11)^2 + (x + y^2 - 7)^2",),
    ("x1^2 + x2^2 + x3^2 + x4^2 + x5^2 + x6^2 - x1*x2 - x3*x4 - x5*x6 + x1 - x6",),
    (
        "x^2*y - 3x*y + 5x^4 y^3 - 7x^5 + 11y^6 - 13x^3 y^2 + 17x y^4 - 19",
        "--timeout",
        "4",
    ),
    ("exp(x) - x + (y - 1)^2",),
    ("(x^2 + y^2 - 1)^2",),
    ("+".join(f"{v}^{k}" for v in "xy" for k in range(2, 18, 2)), "--timeout", "6"),
]
DESCEND = [
    (SEED, "--from", "1,3"),
    (SEED, "--from", "1,3", "--lr", "0.01,0.1,0.5,0.7"),
    (SEED, "--from", "1,3", "--lr", "0.7"),
    (SEED, "--from", "1,3", "--lr", "1/10", "--steps", "3", "--exact"),
    (SEED, "--from", "1,3", "--method", "momentum"),
    (SEED, "--from", "1,3", "--method", "nesterov", "--ascent"),
    (SEED, "--from", "1,3", "--method", "adam"),
    (SEED, "--from", "1,3", "--method", "newton"),
    (SEED, "--from", "1,3", "--method", "armijo"),
    (SEED, "--from", "1,3", "--schedule", "cosine:min=0"),
    (SEED, "--from", "1,3", "--compare"),
    (
        "(1-x)^2 + 100(y-x^2)^2",
        "--from",
        "-1.5,2",
        "--method",
        "gd,momentum,adam",
        "--lr",
        "0.001,0.001,0.01",
    ),
    ("x^2 - y^2", "--from", "1,0"),
    ("x^3", "--from", "0"),
    ("--data", str(LOSSES / "line.csv"), "--model", "w*x + b", "--from", "0,0", "--lr", "0.05"),
    (
        "--data",
        str(LOSSES / "line.csv"),
        "--model",
        "w*x + b",
        "--from",
        "0,0",
        "--batch-size",
        "1",
        "--seed",
        "1",
        "--epochs",
        "3",
    ),
    (
        "--data",
        str(LOSSES / "plane.tsv"),
        "--model",
        "a*x1 + b*x2 + c",
        "--target",
        "y",
        "--from",
        "0,0,0",
        "--lr",
        "0.01",
        "--steps",
        "20",
    ),
    (
        "--data",
        str(LOSSES / "classes.csv"),
        "--model",
        "a*x1 + c*x2 + k",
        "--target",
        "label",
        "--loss",
        "logistic",
        "--from",
        "0,0,0",
        "--steps",
        "20",
    ),
    ("x1^2 + 2x2^2 + 3x3^2 + 4x4^2 + 5x5^2 + 6x6^2", "--from", "1,1,1,1,1,1", "--lr", "0.05"),
    (SEED, "--from", "1,3", "--lr", "1/10", "--exact"),  # ten steps of long fractions
]


@functools.cache
def latex(command: str, args: tuple[str, ...]) -> str:
    result = invoke(command, *args, "--format", "latex")
    assert result.exit_code in (0, 3), result
    return result.stdout


def outputs() -> list[tuple[str, str]]:
    cases = [("critical", args) for args in CRITICAL] + [("descend", args) for args in DESCEND]
    return [(f"{command} {' '.join(args)}", latex(command, args)) for command, args in cases]


def test_katex_renders_every_output() -> None:
    shown = outputs()
    errors = katex_errors([text for _, text in shown])
    failed = [(name, error) for (name, _), error in zip(shown, errors) if error]
    assert not failed, failed


def test_only_amsmath_is_needed() -> None:
    for name, text in outputs():
        assert r"\mathbb" not in text, name  # amssymb
        assert "tabular" not in text, name  # KaTeX and MathJax refuse it
        assert "$" not in text, name  # no maths-in-text-in-maths
        assert text.startswith(r"\begin{"), name


def _rows(text: str) -> list[str]:
    body = text.strip().split("\n", 1)[1].rsplit("\n", 1)[0]
    return [row for row in re.split(r" \\\\\n", body) if row]


def test_no_row_runs_off_the_page() -> None:
    from gradcli.formats.common import latex_width

    for name, text in outputs():
        for row in _rows(text):
            assert latex_width(row) <= MOST, (name, row)


LONG = "+".join(f"{v}^{k}" for v in "xy" for k in range(2, 18, 2))


def test_a_long_function_is_broken_at_plus_and_minus() -> None:
    rows = _rows(latex("critical", (LONG, "--timeout", "6")))
    assert rows[0].startswith("f(x, y) &= x^{16} + x^{14}")
    assert rows[1].startswith(r"&\quad + ")  # f continues
    rows = _rows(latex("descend", DESCEND[17]))  # a logistic loss over 6 rows
    assert rows[0].startswith("f(a, c, k) &= ")
    assert rows[1].startswith(r"&\quad + ")


def test_the_comparison_is_an_array() -> None:
    text = latex("descend", DESCEND[1])
    assert text.startswith("\\begin{gather*}\n\\begin{array}{llrrrl}\n")
    assert len([row for row in text.splitlines() if row.startswith(r"\text{gd}")]) == 4


#: what program syntax looks like: 9900*x**98, <= 1e-08, -5/32, [[2, 1], …]
_PROGRAM = re.compile(r"\*|<=|>=|\d+e-?\d|\d/\d|\[\[|->|ℝ|∞|→|≥|≤|(^|\s)-(\s|$)")


def test_text_holds_words_not_program_syntax() -> None:
    for name, text in outputs():
        for words in re.findall(r"\\text\{([^{}]*)\}", text):
            assert not _PROGRAM.search(words), (name, words)


@pytest.mark.parametrize(
    ("expression", "maths"),
    [
        ("x^100 + y^2", r"(9900 x^{98}"),
        ("x^3 - 3x + y^2", r"(- \frac{5}{32},\ 0)"),
        ("x^3 - 3x + y^2", r"f \to -\infty"),
        ("(x - y)^2", r"\begin{bmatrix} 2 & -2 \\ -2 & 2 \end{bmatrix}"),
        ("x^4 + y^4", r"\mathbf{R}^{2}"),
    ],
)
def test_the_maths_in_sentences_is_typeset(expression: str, maths: str) -> None:
    assert maths in latex("critical", (expression,))


def test_the_exact_steps_keep_within_the_page() -> None:
    from gradcli.formats.common import LATEX_WIDTH, latex_width

    text = latex("descend", (SEED, "--from", "1,3", "--lr", "1/10", "--exact"))
    assert r"\theta_{9}" in text
    for row in _rows(text):
        # a row of one item may not break further; no row holds two that would not fit
        assert latex_width(row) <= LATEX_WIDTH or "\\quad" not in row[8:], row
        assert latex_width(row) <= 1.5 * LATEX_WIDTH, row
