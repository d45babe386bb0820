"""Render LaTeX with KaTeX, as a notebook or a docs page would, and report what it refuses.

KaTeX is installed by ``make setup`` into ``.venv/katex`` (with npm); GRADCLI_KATEX
may name another ``node_modules/katex``. One node process renders a whole batch.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

_SCRIPT = r"""
const katex = require(process.argv[1]);
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const errors = JSON.parse(input).map((latex) => {
    try {
      katex.renderToString(latex, { displayMode: true, throwOnError: true, strict: "error" });
      return null;
    } catch (e) {
      return String(e.message);
    }
  });
  process.stdout.write(JSON.stringify(errors));
});
"""


def katex_module() -> Path | None:
    named = os.environ.get("GRADCLI_KATEX")
    candidates = [Path(named)] if named else []
    candidates.append(ROOT / ".venv" / "katex" / "node_modules" / "katex")
    return next((path for path in candidates if (path / "package.json").exists()), None)


def require_katex() -> Path:
    """KaTeX's module, skipping the test where node is missing, failing where only KaTeX is."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    module = katex_module()
    if module is None:
        pytest.fail("KaTeX is not installed: run `make setup` (it uses npm)")
    return module


def katex_errors(blocks: list[str]) -> list[str | None]:
    """KaTeX's error for each block of LaTeX (rendered in display mode), or None."""
    module = require_katex()
    done = subprocess.run(
        ["node", "-e", _SCRIPT, str(module)],
        input=json.dumps(blocks),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return list(json.loads(done.stdout))
