"""``draw_dot``: the computation graph of a Value, with every node's data and grad."""

from __future__ import annotations

from engine import Value
from engine.autodiff import topological_order
from viz import labels, style
from viz.drawing import Drawing, new_drawing


class GraphTooLargeError(ValueError):
    """The graph has more nodes than ``max_nodes``: its picture would be unreadable."""


def draw_dot(
    root: Value,
    rankdir: str = "LR",
    show_grad: bool = True,
    show_local_grads: bool = True,
    number_format: str = ".4g",
    max_nodes: int | None = 500,
) -> Drawing:
    """The graph of ``root`` as a graphviz Digraph, one record per Value: label | data | grad.

    Each operation is a small node of its own between its parents and its result,
    and every *use* of a parent is an edge, labelled by argument position (so
    ``a + a`` shows two edges into ``+``) and, with ``show_local_grads``, by the
    local derivative ∂result/∂parent that the chain rule multiplies. Leaves are grey,
    values made by an operation white, operations pale yellow; the root has a thick
    border. Node ids follow the graph's order, so the same graph gives the same
    source. Graphs of more than ``max_nodes`` Values raise GraphTooLargeError
    (``max_nodes=None`` draws any size). Numbers are written with ``number_format``;
    labels are drawn as written (spaces, tabs, newlines, ``& < > | { }`` included),
    and a label holding a control character such as NUL is refused with ValueError.
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot: root must be a Value, got {type(root).__name__}")
    style.check_number_format(number_format)
    order = topological_order(root)
    if max_nodes is not None and len(order) > max_nodes:
        raise GraphTooLargeError(
            f"draw_dot: the graph has {len(order)} values, more than max_nodes={max_nodes}; "
            f"its picture would be unreadable. Draw a smaller part of it, or pass "
            f"max_nodes=None to draw it anyway"
        )
    g = new_drawing("value_graph", rankdir)
    ids = {node: f"v{i}" for i, node in enumerate(order)}
    for node, nid in ids.items():
        fields = [node.label, f"data {style.number(node.data, number_format)}"]
        if show_grad:
            fields.append(f"grad {style.number(node.grad, number_format)}")
        attrs = {"fillcolor": style.LEAF_FILL if node.op == "" else style.INTERIOR_FILL}
        if node is root:
            attrs["penwidth"] = style.ROOT_PEN
        label = "{ " + " | ".join(map(labels.record_field, fields)) + " }"
        g.node(nid, label, shape="record", style="filled", **attrs)
        if node.op:
            g.node(
                nid + "op",
                labels.plain(node.op),
                shape="box",
                style="rounded,filled",
                fillcolor=style.OP_FILL,
                margin="0.05,0.02",
                height="0.3",
            )
            g.edge(nid + "op", nid)
            many = len(node.parents) > 1
            for position, (parent, local) in enumerate(zip(node.parents, node.local_grads)):
                words = [f"#{position}"] if many else []
                if show_local_grads:
                    words.append(f"∂={style.number(local, number_format)}")
                g.edge(ids[parent], nid + "op", label=labels.plain(" ".join(words)))
    return g
