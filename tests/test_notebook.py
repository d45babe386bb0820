"""docs/notebook.ipynb runs in a real Jupyter kernel and shows rich mathematics.

The notebook is kept in git without outputs; this test executes it with
nbclient in the ``python3`` kernel that ipykernel installs into the virtual
environment (``make setup``), then reads what each cell displayed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "notebook.ipynb"

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")


def test_the_notebook_is_kept_without_outputs() -> None:
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


@pytest.fixture(scope="module")
def shown() -> list[dict[str, Any]]:
    """What each code cell displayed as its result (mime type → data), in order."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=300,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()
    results = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.outputs:
            assert output.output_type != "error", "".join(output.get("traceback", []))
            assert output.output_type != "stream" or output.name != "stderr", output.text
        data = [dict(o.data) for o in cell.outputs if o.output_type == "execute_result"]
        results.append(data[0] if data else {})
    return results


def test_every_result_is_shown_richly(shown: list[dict[str, Any]]) -> None:
    imports, gradient, as_data, hessian, critical, descent, check, steps = shown
    assert imports == {}
    for result in (gradient, hessian, critical, steps):
        assert set(result) == {"text/plain", "text/latex"}
    for result in (descent, check):
        assert set(result) == {"text/plain", "text/markdown"}
    assert as_data == {"text/plain": "('sqrt(74)', 8.602325267042627)"}


def test_the_mathematics_shown(shown: list[dict[str, Any]]) -> None:
    _, gradient, _, hessian, critical, descent, check, steps = shown
    latex = gradient["text/latex"]
    assert latex.startswith("$$\\begin{align*}") and latex.endswith("\\end{align*}$$")
    assert r"\left\|\nabla f(1, 3)\right\| &= \sqrt{74}" in latex
    assert r"\nabla f(1, 3) &= \left(5,\ 7\right)" in latex
    assert r"\text{positive definite: local minimum}" in hessian["text/latex"]
    assert r"\text{local minimum},\quad f = -2" in critical["text/latex"]
    assert "**converged** after 179 steps" in descent["text/markdown"]
    assert descent["text/plain"].startswith("DescentRun(method='gd', lr=0.1, steps=179")
    assert "| gradient | ∂f/∂y | 2y | ✗ wrong |" in check["text/markdown"]
    assert "| magnitude | \\|∇f(1, 3)\\| | sqrt(74) | ✓ correct |" in check["text/markdown"]
    assert r"\frac{\partial f}{\partial x} &= " in steps["text/latex"]


def test_the_latex_renders(shown: list[dict[str, Any]]) -> None:
    from tests.katex import katex_errors

    blocks = [r["text/latex"][2:-2] for r in shown if "text/latex" in r]
    assert len(blocks) == 4
    assert katex_errors(blocks) == [None] * 4
