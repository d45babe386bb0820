"""Golden-file comparison: whole outputs, compared exactly. The one helper for them.

Set GRADCLI_UPDATE_GOLDEN=1 to rewrite the files from the current output
(then read the diff before committing it).
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
GOLDEN = DATA / "golden"


def assert_golden(name: str, actual: str, *, folder: Path = GOLDEN) -> None:
    """``actual`` is exactly the file ``folder/name``; a failure shows the diff.

    ``folder`` is ``tests/data/golden`` unless a test keeps its files beside
    their inputs (``tests/data/check``).
    """
    path = folder / name
    if os.environ.get("GRADCLI_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                fromfile=f"{path} (golden)",
                tofile="actual",
            )
        )
        raise AssertionError(f"{name} differs from the golden file {path}:\n{diff}")
