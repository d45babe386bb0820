"""Every LaTeX output of grad, hessian and jacobian renders in KaTeX (strict
mode), needs only amsmath, keeps program syntax out of \\text{}, and breaks its
long lines. The harness is tests/latex_blocks.py; other commands add their
cases in their own test files with the same assert_latex_clean."""

from __future__ import annotations

import pytest

from gradcli.formats.common import LATEX_WIDTH, latex_break, latex_width
from tests.conftest import invoke
from tests.latex_blocks import assert_latex_clean, display_blocks, overlong_lines

LONG = "exp(x*y*z)*sin(x+y^2)/(1+x^2+y^2+z^2)"

#: name → arguments (after the command's name and before --format latex)
CASES: dict[str, tuple[str, ...]] = {
    "grad seed": ("grad", "x^2+y^2+xy", "--at", "1,3"),
    "grad symbolic": ("grad", "x*exp(x*y)"),
    "grad along": ("grad", "x^2+y^2+xy", "--at", "1,3", "--along", "1,1"),
    "grad critical": ("grad", "x^2+y^2", "--at", "0,0"),
    "grad one variable": ("grad", "x^3", "--at", "2"),
    "grad parameters": ("grad", "a*x^2+b*y", "--vars", "x,y", "--at", "x=1, y=2, a=3"),
    "grad small decimals": ("grad", "x^2/10^9", "--at", "1e-3"),
    "grad steps": ("grad", "x^y", "--steps"),
    "grad steps full": ("grad", "sin(x^2*y)", "--steps=full"),
    "grad several": ("grad", "-", "--at", "1,2"),
    "grad long": ("grad", LONG, "--at", "1,2,3"),
    "grad long steps": ("grad", LONG, "--steps"),
    "grad many variables": ("grad", "x1*x2*x3*x4*x5*x6*x7*x8", "--at", "1,2,3,4,5,6,7,8"),
    "hessian seed": ("hessian", "x^2+y^2+xy", "--at", "0,0"),
    "hessian symbolic": ("hessian", "x^3-3x+y^2"),
    "hessian saddle": ("hessian", "x^2-y^2", "--at", "0,0"),
    "hessian undecided": ("hessian", "x^2 + a*x + y^2", "--vars", "x,y", "--at", "0,0"),
    "hessian not critical": ("hessian", "x^2*y+a*y^3", "--vars", "x,y", "--at", "1,2"),
    "hessian inconclusive": ("hessian", "x^100+y^2", "--at", "0,0"),
    "hessian steps": ("hessian", "x^2*y + sin(y)", "--steps"),
    "hessian long": ("hessian", LONG, "--at", "1,2,3"),
    "jacobian seed": ("jacobian", "x*y, x+y, sin(x)", "--at", "1,pi"),
    "jacobian polar": ("jacobian", "r*cos(t), r*sin(t)", "--vars", "r,t"),
    "jacobian long": ("jacobian", f"{LONG}, x*y", "--at", "1,2,3"),
}


#: what the cases that read stdin are given there
STDIN = {"grad several": "x^2+y\nx*y\n"}


def latex_of(args: tuple[str, ...], stdin: str | None = None) -> str:
    result = invoke(*args, "--format", "latex", input=stdin)
    assert result.exit_code == 0, result
    return result.stdout


@pytest.fixture(scope="module")
def outputs() -> dict[str, str]:
    return {name: latex_of(args, STDIN.get(name)) for name, args in CASES.items()}


def test_every_latex_output_is_clean(outputs: dict[str, str]) -> None:
    assert_latex_clean(outputs)


def test_the_harness_catches_what_it_should() -> None:
    with pytest.raises(AssertionError, match="KaTeX"):
        assert_latex_clean({"bad": "\\begin{align*}\nx &= \\frac{1}\n\\end{align*}\n"})
    with pytest.raises(AssertionError, match="amssymb"):
        assert_latex_clean({"bb": "\\[\nx \\in \\mathbb{R}\n\\]\n"})
    with pytest.raises(AssertionError, match="program syntax"):
        assert_latex_clean(
            {"code": "\\begin{align*}\n&\\text{9900*x**98 <= 1e-08}\n\\end{align*}\n"}
        )
    long = " + ".join(f"x_{{{i}}}^{{2}}" for i in range(40))
    with pytest.raises(AssertionError, match="not broken"):
        assert_latex_clean({"long": f"\\begin{{align*}}\nf &= {long}\n\\end{{align*}}\n"})


def test_long_outputs_are_broken_into_lines(outputs: dict[str, str]) -> None:
    for name in ("grad long", "hessian long", "jacobian long", "grad long steps"):
        text = outputs[name]
        assert not overlong_lines(text), name
        # the long gradient's components are rows of their own, continued with \quad
        assert r"&\quad" in text, name
    before = max(latex_width(line) for line in _unbroken_grad_long().splitlines())
    after = max(latex_width(line) for line in outputs["grad long"].splitlines())
    assert before > 3 * LATEX_WIDTH and after < 2 * LATEX_WIDTH


def _unbroken_grad_long() -> str:
    """The long gradient as the old one-row-per-vector layout wrote it."""
    from gradcli.calculus import gradient
    from gradcli.formats.common import latex_tuple

    return latex_tuple(gradient(LONG).components)


def test_a_break_keeps_the_expression() -> None:
    text = r"\frac{1}{2} \left(a + b\right) + \frac{c + d + e}{f} - g"
    pieces = latex_break(text, width=6)
    assert len(pieces) > 1
    joined = " ".join(pieces).replace(r"\Bigl", r"\left").replace(r"\Bigr", r"\right")
    assert joined.replace(" ", "") == _opened(text).replace(" ", "")
    assert all(p.startswith(("+ ", "- ")) for p in pieces[1:])


def _opened(text: str) -> str:
    # \frac{c + d + e}{f} becomes \frac{1}{f} \left(c + d + e\right): the same value
    return text.replace(r"\frac{c + d + e}{f}", r"\frac{1}{f} \left(c + d + e\right)")


def test_small_numbers_are_maths_not_e_notation(outputs: dict[str, str]) -> None:
    text = outputs["grad small decimals"]
    assert r"\times 10^{" in text and "e-" not in text


def test_steps_blocks_are_what_a_page_renders(outputs: dict[str, str]) -> None:
    blocks = display_blocks(outputs["grad steps"])
    assert len(blocks) == 3  # the gradient, then a derivation per partial
    assert blocks[1].startswith(r"\begin{aligned}")
