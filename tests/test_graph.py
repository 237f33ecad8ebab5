"""draw_dot: node and edge counts, labels, determinism across processes, size limits."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from engine import Value
from viz import GraphTooLargeError, draw_dot, step_through
from viz.graph import node_name


def counts(g):
    """(value records, operation nodes, edges) in the DOT source."""
    src = g.source
    return (
        len(re.findall(r"^\s*v\d+ \[", src, re.M)),
        len(re.findall(r"^\s*v\d+op \[", src, re.M)),
        len(re.findall(r"->", src)),
    )


def test_a_plus_a_draws_one_edge_per_use():
    a = Value(3.0, label="a")
    b = a + a
    b.backward()
    g = draw_dot(b)
    assert counts(g) == (2, 1, 3)  # a, b; the + node; a->+ twice, + -> b
    assert '"#0 ∂=1"' in g.source and '"#1 ∂=1"' in g.source
    assert "{a|data 3|grad 2}" in g.source


def test_diamond():
    a = Value(2.0, label="a")
    b, c = a * 3, a.exp()
    d = b * c
    g = draw_dot(d)
    # values: a, 3, b, c, d; ops: *, exp, *; edges: a->*, 3->*, *->b, a->exp, exp->c, b->*, c->*, *->d
    assert counts(g) == (5, 3, 8)


def test_labels_hold_data_grad_and_local_derivatives():
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    y = (x * w).tanh()
    y.label = "y"
    y.backward()
    g = draw_dot(y, number_format=".3f")
    dtanh = 1 - y.data**2
    assert f"{{x|data 2.000|grad {dtanh * -3:.3f}}}" in g.source
    assert f"∂={dtanh:.3f}" in g.source  # tanh's local derivative on its edge
    assert "∂=-3.000" in g.source and "∂=2.000" in g.source  # ∂(x·w)/∂x = w, ∂/∂w = x
    assert "label=tanh" in g.source and "penwidth=2.5" in g.source


def test_options_hide_grads_and_local_derivatives():
    y = Value(2.0, label="x") * 3
    g = draw_dot(y, show_grad=False, show_local_grads=False, rankdir="TB")
    assert "grad" not in g.source and "∂" not in g.source and "rankdir=TB" in g.source


def test_record_syntax_in_labels_is_escaped():
    g = draw_dot(Value(1.0, label="a|b{c}<d>"))
    assert r"a\|b\{c\}\<d\>" in g.source


def example_source():
    """The DOT source of one small graph, built from scratch."""
    x, y = Value(1.5, label="x"), Value(-0.5, label="y")
    h = (x * y + x).tanh() * (x / (1 + y * y)).sigmoid()
    h.backward()
    return draw_dot(h).source


@pytest.mark.slow  # starts another Python
@pytest.mark.usefixtures("project_on_pythonpath")
def test_same_graph_same_source_in_another_process():
    here = example_source()
    there = subprocess.run(  # this module, imported afresh by another Python
        [sys.executable, "-c", "import test_graph; print(test_graph.example_source(), end='')"],
        cwd=Path(__file__).parent,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert here == there and "v0" in here


def _chain(n):
    xs = [Value(0.5 + i / 100) for i in range(10)]
    y = xs[0]
    for i in range(n):
        y = y * xs[i % 10] if i % 2 else y + xs[i % 10]
    return y


def test_large_graphs_are_refused_clearly_by_default():
    with pytest.raises(
        GraphTooLargeError,
        match=r"the graph has 1010 values, more than max_nodes=500.*max_nodes=None",
    ):
        draw_dot(_chain(1000))


@pytest.mark.slow
def test_twenty_thousand_nodes_when_asked():
    g = draw_dot(_chain(20_000), max_nodes=None)
    assert counts(g) == (20_010, 20_000, 60_000)


def test_bad_arguments():
    with pytest.raises(TypeError, match="root must be a Value, got float"):
        draw_dot(1.0)
    with pytest.raises(ValueError, match="number_format must be a format spec for a float"):
        draw_dot(Value(1.0), number_format="%d")
    with pytest.raises(ValueError, match="rankdir must be one of"):
        draw_dot(Value(1.0), rankdir="up")


def test_labels_are_drawn_as_written():
    """Newlines, tabs, runs of spaces, entities and record syntax survive into the picture."""
    texts = {
        "two\nlines": "two\\nlines",
        "a\tb": "a \u00a0\u00a0b",
        "  lead  and  runs": "\u00a0\u00a0lead \u00a0and \u00a0runs",
        "&lt;": "&amp;lt;",
        "{x|<p>}": "\\{x\\|\\<p\\>\\}",
        'q"\\': 'q\\"\\\\',
    }
    for text, drawn in texts.items():
        assert f"{{{drawn}|data 1|grad 0}}" in draw_dot(Value(1.0, label=text)).source, text


def test_a_number_format_with_record_syntax_does_not_split_fields():
    x = Value(1.5, label="x")
    src = draw_dot(x, number_format="|<12.3g").source
    assert "{x|data 1.5" + "\\|" * 9 + "|grad 0" + "\\|" * 11 + "}" in src
    assert len(re.findall(r"(?<!\\)\|", src)) == 2  # three fields: label, data, grad


def test_a_label_that_cannot_be_shown_is_refused_clearly():
    for bad in ("nul\x00", "bell\x07", "cr\r"):
        with pytest.raises(ValueError, match=r"cannot draw the text .* holds U\+00"):
            draw_dot(Value(1.0, label=bad))


def test_an_unlabelled_node_is_named_by_its_expression_and_a_constant_as_such():
    x = Value(2.0, label="x")
    y = x * x + 3 * x
    y.label = "y"
    y.backward()
    src = draw_dot(y).source
    for name in ("x·x", "3·x", "constant 3"):
        assert "{" + name + "|data" in src, name
    assert "{|" not in src  # no record with an empty name cell
    assert node_name(x**2) == "x^2" and node_name((x * x).tanh()) == "tanh(x·x)"
    captions = " ".join(line for f in step_through(y).frames for line in f.caption)
    assert "x·x = 4 has grad 1" in captions and "constant 3: grad" in captions
