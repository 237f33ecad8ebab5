"""docs/backpropagation.md: every ``file:name`` it points to exists, and the README links it."""

import ast
import html
import re
from pathlib import Path

import pytest

from viz.labels import scripted

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "backpropagation.md"
REFERENCE = re.compile(r"`([\w/]+\.py):([\w.]+)`")


def defined_names(body):
    """The functions, classes and assigned names a module or class body defines."""
    names = {}
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names[node.name] = node
        elif isinstance(node, ast.Assign):
            names.update((t.id, node) for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] = node
    return names


REFERENCES = sorted(set(REFERENCE.findall(PAGE.read_text(encoding="utf-8"))))


def test_the_page_points_into_every_package():
    files = {path for path, _ in REFERENCES}
    assert {"engine", "nn", "viz"} <= {f.split("/")[0] for f in files}


@pytest.mark.parametrize("path, name", REFERENCES, ids=[f"{p}:{n}" for p, n in REFERENCES])
def test_every_reference_names_a_definition_that_exists(path, name):
    source = ROOT / path
    assert source.is_file(), f"{path} does not exist"
    scope = ast.parse(source.read_text(encoding="utf-8")).body
    for part in name.split("."):
        found = defined_names(scope).get(part)
        assert found is not None, f"{path} defines no {name}"
        scope = getattr(found, "body", [])


def test_the_readme_links_the_page():
    assert "(docs/backpropagation.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_numbers_quoted_from_the_drawing_are_on_it():
    drawing = html.unescape((ROOT / "docs" / "tiny_net.svg").read_text(encoding="utf-8"))
    quoted = re.findall(r"`([^`]+ = −?[\d.]+)`", PAGE.read_text(encoding="utf-8"))
    assert len(quoted) >= 8
    for label in quoted:  # the drawing writes a^3_0 as a³₀
        shown = scripted(label).replace("−", "-")
        assert shown in drawing, f"{label!r} is not in docs/tiny_net.svg as {shown!r}"
