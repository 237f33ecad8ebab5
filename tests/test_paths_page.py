"""sum_over_paths: one step per path, the running sum, and the sum beside backward()."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sweeps import examples
from test_paths import OPS, build

from engine import Value, count_paths, paths
from engine.autodiff import topological_order
from viz import GraphTooLargeError, sum_over_paths
from viz.graph import edge_id, node_id
from viz.value_page import signed


def _x_squared_plus_3x():
    x = Value(2.0, label="x")
    y = x * x + 3 * x
    y.label = "y"
    return x, y


def test_x_squared_plus_3x_step_by_step(tmp_path):
    x, y = _x_squared_plus_3x()
    page = sum_over_paths(y, x, tmp_path / "paths.html")
    frames = page.frames
    assert len(frames) == 1 + 3 + 1  # the question, three paths, the sum beside backward()
    assert [f.title for f in frames[1:4]] == [
        "Path 1 of 3: x →#0 x·x →#0 y",
        "Path 2 of 3: x →#1 x·x →#0 y",
        "Path 3 of 3: x →#1 3·x →#1 y",
    ]
    sums = [f.texts["v0"][-1] for f in frames]  # x is the first value in topological order
    assert sums == ["Σ paths = 0", "Σ paths 1…1 = 2", "Σ paths 1…2 = 4", "Σ paths 1…3 = 7"] + [
        "Σ paths = 7"
    ]
    assert frames[3].equation[:2] == ["path 3: ∏ rates = 3 × 1", "= 3"]
    assert frames[-1].equation[1] == "backward(): x.grad = 7"
    assert frames[-1].equation[2].startswith("✓")
    assert x.grad == 0.0 and y.grad == 0.0  # the page changes no grad
    assert "Path 3 of 3" in page.path.read_text(encoding="utf-8")


def test_each_step_highlights_exactly_its_path():
    x, y = _x_squared_plus_3x()
    order = topological_order(y)
    index = {node: i for i, node in enumerate(order)}
    frames = sum_over_paths(y, x).frames
    for frame, p in zip(frames[1:], paths(y, x)):
        lit = {eid for eid, cls in frame.classes.items() if "current" in cls}
        edges = {edge_id(index[n], pos) for n, pos in zip(p.nodes[1:], p.positions)}
        nodes = {node_id(index[n]) + part for n in p.nodes[1:] for part in ("", "op", "r")}
        assert lit == edges | nodes


@settings(max_examples=examples(25))
@given(x=st.floats(-1.5, 1.5), ops=OPS)
def test_the_last_step_sets_the_sum_beside_backward(x, ops):
    out, leaf = build(x, ops)
    count = count_paths(out, leaf)
    if count > 200:
        with pytest.raises(ValueError, match=rf"{count} paths .* max_paths"):
            sum_over_paths(out, leaf, max_nodes=None)
        return
    last = sum_over_paths(out, leaf, max_nodes=None, number_format=".17g").frames[-1]
    out.backward()
    assert last.equation[1] == f"backward(): x.grad = {signed(leaf.grad, '.17g')}"
    assert last.equation[2].startswith("✓")
    assert last.title.startswith(f"The sum over {count} path")


def test_bad_arguments():
    x, y = _x_squared_plus_3x()
    with pytest.raises(ValueError, match="not part of the output's graph"):
        sum_over_paths(y, Value(1.0))
    with pytest.raises(TypeError, match="input must be a Value, got float"):
        sum_over_paths(y, 2.0)
    with pytest.raises(ValueError, match=r"3 paths lead .* more than max_paths=2"):
        sum_over_paths(y, x, max_paths=2)
    with pytest.raises(GraphTooLargeError):
        sum_over_paths(y, x, max_nodes=3)
    with pytest.raises(ValueError, match="must end in .html"):
        sum_over_paths(y, x, "paths.svg")
