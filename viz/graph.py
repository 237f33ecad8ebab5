"""``draw_dot``: the computation graph of a Value, with every node's data and grad, and (with
``check=True``) ∂root/∂node by central differences for every node, interior ones included."""

from __future__ import annotations

import enum
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

from engine import Value, checks
from engine.autodiff import topological_order
from engine.gradcheck import central_difference
from viz import drawing
from viz.drawing import Drawing, new_drawing

STEP = 1e-6  # relative step: small against the curvature, large against rounding
RTOL, ATOL = 1e-5, 1e-7  # agreement between the central difference and the grad
KINK_TOL = 1e-3  # one-sided differences further apart than this (relative): no derivative


class Agreement(enum.Enum):
    """How a node's grad compares with its central difference."""

    AGREES = "agrees"
    DISAGREES = "disagrees"
    UNDECIDABLE = "undecidable"  # a kink (relu at 0) or a domain edge within the step


@dataclass(frozen=True)
class NodeCheck:
    """A node's central difference (None when undecidable) and how it compares with its grad."""

    numeric: float | None
    agreement: Agreement

    def text(self, number_format: str) -> str:
        """The drawn field: the central difference and a mark for the agreement."""
        if self.numeric is None:
            return "fd ? (kink: undecidable)"
        if self.agreement is Agreement.UNDECIDABLE:
            return f"fd {drawing.number(self.numeric, number_format)} ? (kink: undecidable)"
        mark = "✓" if self.agreement is Agreement.AGREES else "✗"
        return f"fd {drawing.number(self.numeric, number_format)} {mark}"


def downstream_value(order: list[Value], i: int, data: float) -> float:
    """root's data (the last of ``order``) when ``order[i]`` holds ``data``: its descendants recomputed."""
    changed = {order[i]: data}
    for later in order[i + 1 :]:
        if any(p in changed for p in later.parents):
            assert later.primitive is not None  # a node with parents was made by a primitive
            inputs = [changed.get(p, p.data) for p in later.parents]
            changed[later] = later.primitive.forward(*inputs)
    return changed.get(order[-1], order[-1].data)


def check_node(order: list[Value], i: int) -> NodeCheck:
    """Differences of the root in ``order[i]``'s data at steps h and h/2, against its grad.

    One-sided differences that disagree mean a kink (relu at 0): undecidable. A grad that
    differs from the central difference by no more than that difference still moves when
    the step is halved is also undecidable: the function is not smooth enough there for the
    step to tell (``x.relu() * x`` at 0, whose second derivative jumps), not wrong.
    """
    node = order[i]
    x = node.data
    h = STEP * max(1.0, abs(x))

    @functools.cache  # x ± h serve both the one-sided and the central differences
    def root_at(xi: float) -> float:
        return downstream_value(order, i, xi)

    try:
        mid = root_at(x)
        ahead, behind = (root_at(x + h) - mid) / h, (mid - root_at(x - h)) / h
        if not all(map(math.isfinite, (ahead, behind))) or abs(ahead - behind) > KINK_TOL * max(
            1.0, abs(ahead), abs(behind)
        ):
            return NodeCheck(None, Agreement.UNDECIDABLE)
        numeric, halved = central_difference(root_at, x, h), central_difference(root_at, x, h / 2)
    except (ArithmeticError, ValueError):  # the step left the domain (log near 0, …)
        return NodeCheck(None, Agreement.UNDECIDABLE)
    if math.isclose(numeric, node.grad, rel_tol=RTOL, abs_tol=ATOL):
        return NodeCheck(numeric, Agreement.AGREES)
    # The central difference's error is twice its change when the step halves where a
    # derivative jumps (error ∝ h), 4/3 of it where f is smooth (∝ h²): within 4 × the change
    # the grad cannot be told wrong at this step.
    change = abs(numeric - halved)
    if abs(numeric - node.grad) <= 4 * change:
        return NodeCheck(numeric, Agreement.UNDECIDABLE)
    return NodeCheck(numeric, Agreement.DISAGREES)


def check_root(root: Value, who: str) -> None:
    """Refuse to check grads that are not ∂root/∂node: backward() not run, or run more than once."""
    if root.grad == 1.0:
        return
    if root.grad == 0.0:
        raise ValueError(
            f"{who}: root.grad is 0, so backward() has not run (or the grads were zeroed) and "
            f"every grad is 0: call root.backward() first"
        )
    raise ValueError(
        f"{who}: root.grad is {root.grad!r}, not 1: grads add up, so backward() ran more "
        f"than once, from another seed or from a larger graph that uses root; call "
        f"root.zero_grad() and then root.backward() once"
    )


def check_nodes(order: list[Value], who: str = "check_nodes") -> dict[Value, NodeCheck]:
    """Every node of a graph in topological order (root last) checked by ``check_node``."""
    check_root(order[-1], who)
    return {node: check_node(order, i) for i, node in enumerate(order)}


class GraphTooLargeError(ValueError):
    """The graph has more nodes than ``max_nodes``: its picture would be unreadable."""


def graph_order(root: Value, max_nodes: int | None, caller: str) -> list[Value]:
    """root's nodes in topological order, refusing a non-Value or a graph of more than max_nodes."""
    if not isinstance(root, Value):
        raise TypeError(f"{caller}: root must be a Value, got {type(root).__name__}")
    if max_nodes is not None:
        checks.count(max_nodes, f"{caller}: max_nodes", least=1)
    order = topological_order(root)
    if max_nodes is not None and len(order) > max_nodes:
        raise GraphTooLargeError(
            f"{caller}: the graph has {len(order)} values, more than max_nodes={max_nodes}; "
            f"its picture would be unreadable. Draw a smaller part of it, or pass "
            f"max_nodes=None to draw it anyway"
        )
    return order


# How an expression writes an operation between two parents (x·x, not x * x).
INFIX = {"+": " + ", "-": " − ", "*": "·", "/": "/", "**": "^"}
MAX_NAME = 24  # a longer expression is cut to its operation: tanh(…), (…)·x


def node_name(node: Value, depth: int = 3) -> str:
    """How drawings and captions name a Value: its label, else "constant 3" for an unlabelled
    leaf, else its expression from its parents' names (x·x, tanh(n), (x·x) + (…)·x)."""
    if node.label:
        return node.label
    if not node.op:
        return f"constant {node.data:g}"
    if node.op in INFIX and len(node.parents) == 2:
        name = INFIX[node.op].join(_operand(p, depth - 1, True) for p in node.parents)
    elif node.op.startswith("**") and len(node.parents) == 1:  # x**2 is recorded as "**2"
        name = _operand(node.parents[0], depth - 1, True) + "^" + node.op[2:]
    else:
        name = f"{node.op}({', '.join(_operand(p, depth - 1, False) for p in node.parents)})"
    return name if len(name) <= MAX_NAME or depth <= 0 else node_name(node, depth - 1)


def _operand(node: Value, depth: int, bracket: bool) -> str:
    """A parent inside an expression: its label (the name of "t = tanh(x)"), its number, or its
    own expression (in brackets when it is an infix one inside another)."""
    if node.label:
        return node.label.split(" = ")[0]
    if not node.op:
        return f"{node.data:g}"
    if depth <= 0:
        return "(…)" if bracket else "…"
    name = node_name(node, depth)
    return f"({name})" if bracket and node.op in INFIX else name


def node_id(i: int) -> str:
    """The drawing's id of the i-th Value in topological order (its record)."""
    return f"v{i}"


def edge_id(i: int, position: int) -> str:
    """The drawing's id of the edge from the i-th Value's parent at ``position`` to its operation."""
    return f"v{i}e{position}"


def value_graph(
    order: list[Value],
    rankdir: str,
    fields: Callable[[Value], list[str]],
    edge_label: Callable[[Value, int, float], str],
    fill: Callable[[Value], str] | None = None,
) -> Drawing:
    """The drawing of a graph in topological order: a record of ``fields`` per Value, a node per
    operation, and an edge per use of a parent labelled ``edge_label(node, position, local)``.

    Records are filled by ``fill`` (default: grey leaves, white results); the last node of
    ``order`` is the root and has a thick border. Every record and edge gets a stable id
    (``node_id``, ``edge_id``) that the SVG keeps, so a page can find it.
    """
    g = new_drawing("value_graph", rankdir)
    g.attr("edge", fontsize=drawing.VALUE_EDGE_FONT_SIZE)
    ids = {node: i for i, node in enumerate(order)}
    root = order[-1]
    for node, i in ids.items():
        nid = node_id(i)
        colour = (
            fill(node) if fill else drawing.LEAF_FILL if node.op == "" else drawing.INTERIOR_FILL
        )
        attrs = {"fillcolor": colour, "id": nid}
        if node is root:
            attrs["penwidth"] = drawing.ROOT_PEN
        label = "{" + drawing.record(fields(node)) + "}"
        g.node(nid, label, shape="record", style="filled", **attrs)
        if node.op:
            g.node(
                nid + "op",
                drawing.plain(node.op),
                id=nid + "op",
                shape="box",
                style="rounded,filled",
                fillcolor=drawing.OP_FILL,
                margin="0.05,0.02",
                height="0.3",
            )
            g.edge(nid + "op", nid, id=nid + "r")
            for position, (parent, local) in enumerate(zip(node.parents, node.local_grads)):
                g.edge(
                    node_id(ids[parent]),
                    nid + "op",
                    label=drawing.plain(edge_label(node, position, local)),
                    id=edge_id(i, position),
                )
    return g


def local_grad_text(node: Value, position: int, local: float, number_format: str) -> str:
    """An edge's label: the argument position when there are several, and ∂=local."""
    words = [f"#{position}"] if len(node.parents) > 1 else []
    words.append(f"∂={drawing.number(local, number_format)}")
    return " ".join(words)


def draw_dot(
    root: Value,
    rankdir: str = "LR",
    show_grad: bool = True,
    show_local_grads: bool = True,
    number_format: str = ".4g",
    max_nodes: int | None = 500,
    check: bool = False,
    key: bool = False,
) -> Drawing:
    """The graph of ``root`` as a graphviz Digraph, one record per Value: name | data | grad.

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

    With ``check=True`` every record also shows ∂root/∂node from central differences
    (that node's data nudged, everything downstream recomputed) and is coloured by
    agreement with its grad: green agrees, red disagrees, yellow at a kink (such as relu
    at 0, or ``x.relu() * x`` at 0 where the second derivative jumps) where the differences
    cannot decide. Call ``root.backward()`` once first: a root whose grad is not 1 is refused
    with ValueError, since its nodes' grads are then not ∂root/∂node.

    An unlabelled value is named by its expression (x·x), an unlabelled leaf as a
    constant. ``key=True`` adds a key to the fills, the root's border and the edge labels.
    """
    drawing.check_number_format(number_format)
    order = graph_order(root, max_nodes, "draw_dot")
    checks = check_nodes(order, "draw_dot(check=True)") if check else {}

    def fields(node: Value) -> list[str]:
        texts = [node_name(node), f"data {drawing.number(node.data, number_format)}"]
        if show_grad or check:
            texts.append(f"grad {drawing.number(node.grad, number_format)}")
        if check:
            texts.append(checks[node].text(number_format))
        return texts

    def edge_label(node: Value, position: int, local: float) -> str:
        if show_local_grads:
            return local_grad_text(node, position, local, number_format)
        return f"#{position}" if len(node.parents) > 1 else ""

    def fill(node: Value) -> str:
        return CHECK_FILL[checks[node].agreement]

    g = value_graph(order, rankdir, fields, edge_label, fill if check else None)
    if key:
        drawing.add_key(g, value_key(show_local_grads, check))
    return g


def value_key(local_grads: bool, check: bool) -> list[drawing.KeyEntry]:
    """What draw_dot's fills, borders and edge labels mean."""
    entries = [
        drawing.KeyEntry("a leaf: an input, a parameter or a constant", fill=drawing.LEAF_FILL),
        drawing.KeyEntry(
            "a value an operation made: name | data | grad", fill=drawing.INTERIOR_FILL
        ),
        drawing.KeyEntry("thick border: the root, whose grad is 1", fill="#ffffff", border="3"),
        drawing.KeyEntry(
            "an operation, between its arguments and its result", fill=drawing.OP_FILL
        ),
        drawing.KeyEntry("#k on an edge: the argument's position in the operation"),
    ]
    if local_grads:
        entries.append(drawing.KeyEntry("∂= on an edge: the local derivative ∂result/∂argument"))
    if check:
        entries += [
            drawing.KeyEntry("grad agrees with the central difference", fill=drawing.AGREES_FILL),
            drawing.KeyEntry("grad disagrees with it", fill=drawing.DISAGREES_FILL),
            drawing.KeyEntry("a kink: no single derivative there", fill=drawing.UNDECIDABLE_FILL),
        ]
    return entries


CHECK_FILL = {
    Agreement.AGREES: drawing.AGREES_FILL,
    Agreement.DISAGREES: drawing.DISAGREES_FILL,
    Agreement.UNDECIDABLE: drawing.UNDECIDABLE_FILL,
}
