"""``draw_dot``: the computation graph of a Value, with every node's data and grad."""

from __future__ import annotations

from engine import Value
from engine.autodiff import topological_order
from viz import style
from viz.drawing import Drawing, new_drawing


class GraphTooLargeError(ValueError):
    """The graph has more nodes than ``max_nodes``: its picture would be unreadable."""


def check_format(fmt: str) -> str:
    """fmt if it is a number format spec (like ".4g"), else ValueError."""
    try:
        format(1.5, fmt)
    except (TypeError, ValueError):
        raise ValueError(f"fmt must be a number format such as '.4g', got {fmt!r}") from None
    return fmt


def draw_dot(
    root: Value,
    rankdir: str = "LR",
    show_grad: bool = True,
    show_local_grads: bool = True,
    fmt: str = ".4g",
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
    (``max_nodes=None`` draws any size).
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot: root must be a Value, got {type(root).__name__}")
    check_format(fmt)
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
        fields = [style.record_text(node.label), f"data {style.number(node.data, fmt)}"]
        if show_grad:
            fields.append(f"grad {style.number(node.grad, fmt)}")
        attrs = {"fillcolor": style.LEAF_FILL if node.op == "" else style.INTERIOR_FILL}
        if node is root:
            attrs["penwidth"] = style.ROOT_PEN
        g.node(nid, "{ " + " | ".join(fields) + " }", shape="record", style="filled", **attrs)
        if node.op:
            g.node(
                nid + "op",
                style.record_text(node.op),
                shape="box",
                style="rounded,filled",
                fillcolor=style.OP_FILL,
                margin="0.05,0.02",
                height="0.3",
            )
            g.edge(nid + "op", nid)
            many = len(node.parents) > 1
            for position, (parent, local) in enumerate(zip(node.parents, node.local_grads)):
                label = [f"#{position}"] if many else []
                if show_local_grads:
                    label.append(f"∂={style.number(local, fmt)}")
                g.edge(ids[parent], nid + "op", label=" ".join(label))
    return g
