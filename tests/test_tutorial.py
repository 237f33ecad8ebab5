"""docs/tutorial.ipynb runs top to bottom in a fresh kernel (nbclient), and shows its pictures."""

import importlib
import os
from pathlib import Path

import pytest

from viz import RenderError, rendering

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "docs" / "tutorial.ipynb"


def _missing(what):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} is not installed: CI installs it (.ci/run)")
    pytest.skip(f"{what} is not installed")


def _needs(module):
    try:
        return importlib.import_module(module)
    except ImportError:
        _missing(module)


def test_the_tutorial_runs_top_to_bottom():
    nbformat = _needs("nbformat")
    nbclient = _needs("nbclient")
    _needs("ipykernel")
    try:
        rendering.find_renderer("svg")
    except RenderError:
        _missing("a renderer (dot or graphviz-pure)")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    shown = [o.get("data", {}) for o in outputs]
    assert sum("image/svg+xml" in d for d in shown) == 3  # draw_dot twice, draw_net once
    assert sum(d.get("text/html", "").startswith("<iframe") for d in shown) == 2  # the two pages
