"""What a page would render of a command's LaTeX output, and the checks every
LaTeX output must pass: KaTeX renders it (strict), amsmath is enough, no
program syntax in text, no line wider than a page where it can be broken.

Used by tests/test_latex_katex.py (grad, hessian, jacobian) and by the other
commands' LaTeX tests: give :func:`assert_latex_clean` a dict name → output.
"""

from __future__ import annotations

import re

from gradcli.formats.common import LATEX_WIDTH, latex_break, latex_width
from tests.katex import katex_errors

_BLOCK = re.compile(
    r"\\begin\{(align\*|equation\*|gather\*)\}.*?\\end\{\1\}|\\\[(.*?)\\\]", re.DOTALL
)

#: commands that need amssymb (or more) on top of amsmath
AMSSYMB = (
    r"\mathbb",
    r"\mathfrak",
    r"\geqslant",
    r"\leqslant",
    r"\varnothing",
    r"\blacksquare",
    r"\square",
    r"\therefore",
    r"\lesssim",
    r"\gtrsim",
    r"\checkmark",
    r"\nexists",
)

#: program syntax that must not reach a \text{…}: powers, products, comparisons, e-notation
_PROGRAM = re.compile(r"\*|<=|>=|!=|==|\d[eE][-+]?\d|\bsqrt\(|\bexp\(")


def display_blocks(output: str) -> list[str]:
    r"""The display-maths blocks of ``output``: each ``align*`` (or
    ``equation*``, ``gather*``) environment whole, the inside of each ``\[…\]``.

    >>> display_blocks("\\[\n x \n\\]\n\\begin{align*}\na &= b\n\\end{align*}\n")
    ['x', '\\begin{align*}\na &= b\n\\end{align*}']
    """
    blocks = []
    for match in _BLOCK.finditer(output):
        blocks.append(match.group(2).strip() if match.group(2) is not None else match.group(0))
    return blocks


def texts_of(output: str) -> list[str]:
    r"""The contents of every ``\text{…}`` (without nested braces)."""
    return re.findall(r"\\text\{((?:[^{}]|\{[^{}]*\})*)\}", output)


def overlong_lines(output: str, width: int = LATEX_WIDTH) -> list[str]:
    """Lines wider than ``width`` as typeset that could still be broken at + or −."""
    out = []
    for line in output.splitlines():
        body = line.rstrip("\\ ").lstrip("& ")
        for part in body.split("&"):
            part = part.strip().lstrip("=").strip()
            part = part.removeprefix(r"\qquad").removeprefix(r"\quad").strip()
            if latex_width(part) > width and len(latex_break(part, width)) > 1:
                out.append(line)
    return out


def assert_latex_clean(cases: dict[str, str]) -> None:
    """Every output of ``cases`` (name → LaTeX output) renders in KaTeX and
    passes the rules above; a failure lists every problem with its case."""
    problems: list[str] = []
    blocks: list[tuple[str, str]] = []
    for name, output in cases.items():
        found = display_blocks(output)
        if not found:
            problems.append(f"{name}: no display block in {output[:80]!r}")
        blocks += [(name, block) for block in found]
        problems += [f"{name}: needs amssymb: {c}" for c in AMSSYMB if c in output]
        problems += [
            f"{name}: program syntax in \\text{{{t}}}"
            for t in texts_of(output)
            if _PROGRAM.search(t)
        ]
        problems += [f"{name}: line not broken: {line[:100]}" for line in overlong_lines(output)]
    errors = katex_errors([block for _, block in blocks])
    problems += [f"{name}: KaTeX: {error}" for (name, _), error in zip(blocks, errors) if error]
    assert not problems, "\n".join(problems)
