"""Streamed points (``grad EXPR --at -``): CSV, JSON Lines and plain rows.

Each function turns one :class:`~gradcli.points.Chunk` into text, quickly:
one string template per chunk, filled from ``tolist()``, since formatting is
most of the work for millions of points. Floats print in full (``repr``);
an unreadable line or an undefined gradient shows as ``nan`` (CSV, plain) or
``null`` (JSON).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

from gradcli import i18n
from gradcli.formats.common import SCHEMA_VERSION, distinct
from gradcli.points import Chunk


def header(names: Sequence[str], separator: str = ",") -> str:
    """``x,y,df/dx_float,df/dy_float,magnitude_float``: the values are floats."""
    columns = distinct([*names, *(f"df/d{n}_float" for n in names), "magnitude_float"])
    return separator.join(columns) + "\n"


def _rows(chunk: Chunk) -> list[list[float]]:
    import numpy as np

    stacked = np.column_stack([chunk.points, chunk.gradients, chunk.magnitudes])
    return stacked.tolist()


def _separated(chunk: Chunk, separator: str) -> str:
    k = chunk.points.shape[1]
    n = len(chunk.line_numbers)
    if chunk.point_text is not None and separator == ",":
        # echo the input's own text for the point: no float formatting to do
        import numpy as np

        cells = np.empty((n, k + 2), dtype=object)
        cells[:, 0] = chunk.point_text
        cells[:, 1:] = np.column_stack([chunk.gradients, chunk.magnitudes])
        template = "%s" + ",%r" * (k + 1) + "\n"
        return (template * n) % tuple(cells.ravel().tolist())
    template = separator.join(["%r"] * (2 * k + 1)) + "\n"
    return (template * n) % tuple(v for row in _rows(chunk) for v in row)


def to_csv(chunk: Chunk) -> str:
    """One CSV row per point (no header: see :func:`header`)."""
    return _separated(chunk, ",")


def to_plain(chunk: Chunk) -> str:
    """Whitespace-separated columns, for ``awk`` and ``cut -d' '``."""
    return _separated(chunk, " ")


def to_json(chunk: Chunk) -> str:
    """JSON Lines (``gradcli/schemas/grad-points.json``), one object per point.

    ``{"schema_version", "language", "line", "point_float", "value_float",
    "magnitude_float"}``: the keys of ``grad --at POINT`` that a stream
    computes, with the same types (a number is null where undefined).
    """
    k = chunk.points.shape[1]
    language = i18n.language()
    out = []
    for number, row in zip(chunk.line_numbers, _rows(chunk)):
        clean = [None if math.isnan(v) else v for v in row]
        out.append(
            json.dumps(
                {
                    "schema_version": SCHEMA_VERSION,
                    "language": language,
                    "line": number,
                    "point_float": clean[:k],
                    "value_float": clean[k : 2 * k],
                    "magnitude_float": clean[2 * k],
                }
            )
        )
    return "\n".join(out) + "\n" if out else ""
