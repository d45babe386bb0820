r"""Rows of an ``align*`` kept short: how wide a row of LaTeX shows, and packing.

``critical`` and ``descend`` write worked solutions whose rows hold several
items (a point, what it is, f there); :func:`packed` puts as many on a row as
fit in :data:`WIDTH` characters *as shown* (:func:`visible_length`: ``\left(``
is one character, ``\theta`` one), the rest on rows of their own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

#: the most characters a row shows before the next item goes to a row of its own
WIDTH = 80

_INVISIBLE = re.compile(
    r"\\(?:left|right|Bigl|Bigr|bigl|bigr|quad|qquad|text|mathrm|mathbf|operatorname)\b"
    r"|\\[,;:! ]|\\(?:begin|end)\{\w+\*?\}|[{}^_&]"
)
_COMMAND = re.compile(r"\\[A-Za-z]+|\\.")


_MATRIX = re.compile(r"\\begin\{([pb]?matrix)\}(.*?)\\end\{\1\}", re.S)


def visible_length(latex: str) -> int:
    r"""About how many characters ``latex`` shows: each command one, braces none,
    a matrix (a column vector) as wide as its widest row.

    >>> visible_length(r"\left(\theta_{1},\ 2\right)")
    6
    >>> visible_length(r"x = \begin{pmatrix} 10 \\ 2 \end{pmatrix}")
    8
    """

    def widest(match: re.Match[str]) -> str:
        rows = match.group(2).split(r"\\")
        return "#" * (2 + max(visible_length(row) for row in rows))

    shown = _MATRIX.sub(widest, latex)
    shown = _INVISIBLE.sub("", shown)
    shown = _COMMAND.sub("#", shown)
    return len(re.sub(r"\s+", " ", shown).strip())


def packed(head: str, items: Sequence[tuple[str, str]], *, width: int = WIDTH) -> list[str]:
    r"""``head``, then each ``(separator, item)``: an item that would take its row
    past ``width`` shown characters starts a row of its own, ``&\quad item``
    (the row before it keeps a separator's comma).

    >>> packed("a &= 1", [(r",\quad ", "b = 2")], width=8)
    ['a &= 1,', '&\\quad b = 2']
    """
    rows = [head]
    for separator, item in items:
        if visible_length(rows[-1] + separator + item) > width:
            if separator.lstrip().startswith(","):
                rows[-1] += ","
            rows.append(rf"&\quad {item}")
        else:
            rows[-1] += separator + item
    return rows
