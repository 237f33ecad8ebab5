"""``step_through``: a page that walks the reverse pass of a Value graph one node at a time."""

from __future__ import annotations

import os
from collections import Counter

from engine import Value
from viz import drawing
from viz.graph import edge_id, graph_order, local_grad_text, node_id, node_name, value_graph
from viz.page import Frame, KeyEntry, StepPage, layouts, widest, write_page
from viz.steps import Step, backward_steps

KEY = [
    KeyEntry("a leaf: an input, a parameter or a constant", fill=drawing.LEAF_FILL),
    KeyEntry("a value an operation made", fill=drawing.INTERIOR_FILL),
    KeyEntry("the operation that makes the value its arrow points to", fill=drawing.OP_FILL),
    KeyEntry("the local derivative ∂result/∂parent on an edge", sample="∂=3"),
    KeyEntry("which operand the edge is: #0 the first, #1 the second", sample="#1"),
    KeyEntry("parent's grad += local derivative × result's grad", sample="+= 2 × 1"),
    KeyEntry("the node being processed", state="current"),
    KeyEntry("the edges it sends grad along", state="sending"),
    KeyEntry("a parent receiving grad in this step", state="receiving"),
    KeyEntry("grad still partial: some users have not sent theirs yet", state="partial"),
    KeyEntry("grad finished: every user has sent its share", state="final"),
]


def signed(x: float, number_format: str) -> str:
    """x in the number format, with a true minus sign (−) as the page's arithmetic reads."""
    return drawing.number(x, number_format).replace("-", "−")


class _Frames:
    """The frames of one graph's reverse pass: states accumulate as the steps are applied."""

    def __init__(self, order: list[Value], number_format: str) -> None:
        self.order = order
        self.index = {node: i for i, node in enumerate(order)}
        self.num = lambda x: signed(x, number_format)
        self.uses = Counter(p for node in order for p in node.parents)  # edges into each node
        self.received: Counter[Value] = Counter()
        self.grads = {node: 0.0 for node in order}
        self.reached: set[Value] = set()
        self.base_edges = {
            edge_id(i, position): local_grad_text(node, position, local, number_format).replace(
                "-", "−"
            )
            for i, node in enumerate(order)
            for position, local in enumerate(node.local_grads)
        }

    def status(self, node: Value) -> str:
        if node in self.reached or (self.uses[node] and self.received[node] == self.uses[node]):
            return "final"
        return "partial" if self.received[node] else "zero"

    def frame(self, title: str, caption: list[str], grad_texts: dict[Value, str]) -> Frame:
        classes = {node_id(i): self.status(node) for i, node in enumerate(self.order)}
        texts = {
            node_id(i): {-1: grad_texts.get(node, f"grad {self.num(self.grads[node])}")}
            for i, node in enumerate(self.order)
        }
        texts.update({eid: {0: text} for eid, text in self.base_edges.items()})
        return Frame(title, caption, classes, texts)

    def apply(self, step: Step, number: int, total: int) -> Frame:
        """The frame of one step: the node, its edges' arithmetic and the parents' ``+=``."""
        node, i = step.node, self.index[step.node]
        self.reached.add(node)
        self.grads[node] = step.grad
        name = node_name(node)
        caption = [
            f"{name} = {self.num(node.data)} has grad {self.num(step.grad)}, and it is finished: "
            + (
                "it is the root, ∂root/∂root = 1."
                if number == 1
                else "every node that uses it has already sent its share."
            ),
            f"It is made by {node.op}: each parent's grad += local derivative × "
            f"{self.num(step.grad)} (the chain rule)."
            if node.op
            else "It is a leaf: it has no parents to pass grad on to.",
        ]
        sums: dict[Value, list[str]] = {}
        edge_texts: dict[str, str] = {}
        for c in step.contributions:
            if c.parent not in sums:
                sums[c.parent] = [self.num(c.before)]
            sums[c.parent].append(self.num(c.amount))
            self.received[c.parent] += 1
            self.grads[c.parent] = c.after
            position = f"#{c.position} " if len(node.parents) > 1 else ""
            arithmetic = f"+= {self.num(c.local)} × {self.num(c.upstream)}"
            edge_texts[edge_id(i, c.position)] = position + arithmetic
            caption.append(
                f"{node_name(c.parent)}: grad {arithmetic} = "
                f"{self.num(c.before)} + {self.num(c.amount)} → {self.num(c.after)}"
            )
        for parent, terms in sums.items():
            if len(terms) > 2:
                caption.append(
                    f"{node_name(parent)} is used {len(terms) - 1} times by "
                    f"{name}: the contributions add up (that is why grads use +=)."
                )
        grad_texts = {
            parent: f"grad {' + '.join(terms)} = {self.num(self.grads[parent])}"
            for parent, terms in sums.items()
        }
        f = self.frame(
            f"Step {number} of {total}: the reverse pass reaches {name}", caption, grad_texts
        )
        f.classes[node_id(i)] += " current"
        f.classes[node_id(i) + "op"] = "sending"
        f.classes[node_id(i) + "r"] = "sending"
        for parent in sums:
            f.classes[node_id(self.index[parent])] += " receiving"
        for eid, text in edge_texts.items():
            f.classes[eid] = "sending"
            f.texts[eid] = {0: text}
        return f


def backward_frames(order: list[Value], number_format: str) -> list[Frame]:
    """Frame 0 (the forward pass, every grad 0), then one per node that sends grad, then done."""
    root = order[-1]
    steps = [s for s in backward_steps(root) if s.contributions or s.node is root]
    frames = _Frames(order, number_format)
    first = frames.frame(
        "The forward pass is done: every grad is 0",
        [
            "Each node holds its data; each edge shows the local derivative ∂result/∂parent.",
            "backward() now visits the nodes in reverse topological order: a node is "
            "reached only after every node that uses it, so its grad is finished then.",
        ],
        {},
    )
    first.focus = node_id(len(order) - 1)  # the root, where the reverse pass starts
    result = [first] + [frames.apply(s, k, len(steps)) for k, s in enumerate(steps, start=1)]
    result[-1].caption.append("That was the last step: every grad is now final.")
    return result


def step_through(
    root: Value,
    path: str | os.PathLike | None = None,
    number_format: str = ".4g",
    rankdir: str | None = None,
    max_nodes: int | None = 200,
) -> StepPage:
    """A self-contained HTML page stepping through ``root.backward()`` one node at a time.

    Written to ``path`` (``.html``) when given; shown inline in Jupyter. The graph's own
    grads are not changed. Graphs of more than ``max_nodes`` Values raise GraphTooLargeError.
    With ``rankdir=None`` the page holds the graph left to right and top to bottom and shows
    the one its window shows larger ("LR" or "TB" gives that one only).
    """
    drawing.check_number_format(number_format)
    order = graph_order(root, max_nodes, "step_through")
    frames = backward_frames(order, number_format)

    def fields(node: Value) -> list[str]:
        nid = node_id(frames_index[node])
        data = f"data {signed(node.data, number_format)}"
        return [node_name(node), data, widest(frames, nid, -1)]

    def edge_label(node: Value, position: int, local: float) -> str:
        return widest(frames, edge_id(frames_index[node], position), 0)

    frames_index = {node: i for i, node in enumerate(order)}
    pictures = layouts(rankdir, lambda d: value_graph(order, d, fields, edge_label).svg())
    title = f"The reverse pass of {root.label or 'the root'}, one node at a time"
    return write_page(title, pictures, frames, KEY, path)
