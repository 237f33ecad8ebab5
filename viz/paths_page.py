"""``sum_over_paths``: a page adding up ∂output/∂input one path at a time, then beside backward()."""

from __future__ import annotations

import math
import os

from engine import Path, Value, count_paths, paths
from viz import drawing
from viz.graph import edge_id, graph_order, local_grad_text, node_id, node_name, value_graph
from viz.page import Frame, KeyEntry, StepPage, layouts, widest, write_page
from viz.steps import backward_steps
from viz.value_page import KEY as GRAPH_KEY
from viz.value_page import signed

KEY = [
    *(e for e in GRAPH_KEY if not e.state and not e.sample.startswith("+=")),
    KeyEntry("the path of this step: each edge's rate is one factor", state="current"),
    KeyEntry("the input, where every path starts", state="sending"),
    KeyEntry("the sum so far: some paths are not added yet", state="partial"),
    KeyEntry("the sum of every path", state="final"),
]


def agreement(total: float, reference: float, scale: float, what: str, num) -> str:
    """The line comparing a sum over paths with another way to the same derivative."""
    gap = abs(total - reference)
    tolerance = 1e-9 * scale
    mark = "✓" if gap <= tolerance or total == reference else "✗"
    same = "agrees with" if mark == "✓" else "differs from"
    return f"{mark} the sum {same} {what} = {num(reference)}: |difference| = {gap:.1e}"


def backward_grad(output: Value, input: Value) -> float:
    """The grad ``output.backward()`` gives ``input``, bit for bit, without changing any grad."""
    grad = 1.0 if input is output else 0.0
    for step in backward_steps(output):
        for c in step.contributions:
            if c.parent is input:
                grad = c.after
    return grad


class _PathFrames:
    """One frame per path on the graph's drawing, the sum growing in the input's record."""

    def __init__(self, order: list[Value], input: Value, number_format: str) -> None:
        self.order, self.input = order, input
        self.index = {node: i for i, node in enumerate(order)}
        self.num = lambda x: signed(x, number_format)
        self.edges = {
            edge_id(i, position): local_grad_text(node, position, local, number_format)
            for i, node in enumerate(order)
            for position, local in enumerate(node.local_grads)
        }

    def name(self, node: Value) -> str:
        return node_name(node)

    def frame(self, title: str, caption: list[str], equation: list[str], total: str) -> Frame:
        i = node_id(self.index[self.input])
        texts: dict[str, dict[int, str]] = {eid: {0: t} for eid, t in self.edges.items()}
        texts[i] = {-1: total}
        return Frame(title, caption, {i: "sending"}, texts, equation, focus=i)

    def path(self, p: Path, number: int, count: int, before: float, after: float) -> Frame:
        route = self.name(p.nodes[0]) + "".join(
            f" →{f'#{position}' if len(node.parents) > 1 else ''} {self.name(node)}"
            for node, position in zip(p.nodes[1:], p.positions)
        )
        factors = (
            " × ".join(f"({self.num(r)})" if r < 0 else self.num(r) for r in p.rates)
            or "1 (no edge: the input is the output)"
        )
        f = self.frame(
            f"Path {number} of {count}: {route}",
            [
                f"This path follows {len(p.rates)} edges; the rate on each is the local "
                f"derivative of that use of its parent.",
                f"Its product: {factors} = {self.num(p.product)}.",
                f"Added to the sum: {self.num(before)} + {self.num(p.product)} = {self.num(after)}.",
            ],
            [
                f"path {number}: ∏ rates = {factors}",
                f"= {self.num(p.product)}",
                f"Σ over paths 1…{number} = {self.num(after)}",
            ],
            f"Σ paths 1…{number} = {self.num(after)}",
        )
        for node in p.nodes[1:]:
            i = node_id(self.index[node])
            f.classes.update({i: "current", i + "op": "current", i + "r": "current"})
        for node, position in zip(p.nodes[1:], p.positions):
            f.classes[edge_id(self.index[node], position)] = "current"
        f.classes[node_id(self.index[self.input])] = "sending partial"
        return f


def sum_over_paths(
    output: Value,
    input: Value,
    path: str | os.PathLike | None = None,
    number_format: str = ".4g",
    rankdir: str | None = None,
    max_nodes: int | None = 200,
    max_paths: int | None = 200,
) -> StepPage:
    """A page adding up ∂output/∂input over every path from input to output, one step per path.

    Each step highlights a path and multiplies its rates (the local derivatives on its
    edges); the input's record keeps the running sum; the last step sets the sum beside
    ``input.grad`` as ``output.backward()`` gives it (no grad of the graph is changed).
    Written to ``path`` (``.html``) when given. More than ``max_paths`` paths raise
    ValueError with their number; more than ``max_nodes`` values GraphTooLargeError.
    """
    drawing.check_number_format(number_format)
    order = graph_order(output, max_nodes, "sum_over_paths")
    if not isinstance(input, Value):
        raise TypeError(f"sum_over_paths: input must be a Value, got {type(input).__name__}")
    if input not in order:
        raise ValueError(
            f"sum_over_paths: input {input!r} is not part of the output's graph: no path leads "
            f"from it to the output (its derivative is 0)"
        )
    count = count_paths(output, input)
    if max_paths is not None and count > max_paths:
        raise ValueError(
            f"sum_over_paths: {count} paths lead from the input to the output, more than "
            f"max_paths={max_paths} (the page has a step per path); pass a larger max_paths"
        )
    found = paths(output, input, limit=None)
    frames = _PathFrames(order, input, number_format)
    num = frames.num
    x, y = input.label or "input", output.label or "output"  # as in ∂output/∂input
    plural = "path" if count == 1 else "paths"
    first = frames.frame(
        f"∂{y}/∂{x} as a sum over {count} {plural}",
        [
            f"A path leads from {x} to {y} along edges, one edge per use of a value "
            f"(x * x uses x twice: two edges, two paths). Each edge is labelled with its rate, "
            f"the local derivative ∂result/∂parent.",
            f"The chain rule says ∂{y}/∂{x} is the sum, over every path, of the product of the "
            f"rates along it. The steps that follow add them up, one path at a time.",
        ],
        [f"∂{y}/∂{x} = Σ_paths ∏_edges rate", f"{count} {plural}"],
        "Σ paths = 0",
    )
    steps, total = [first], 0.0
    for number, p in enumerate(found, start=1):
        after = total + p.product
        steps.append(frames.path(p, number, count, total, after))
        total = after
    grad = backward_grad(output, input)
    scale = math.fsum(abs(p.product) for p in found)
    last = frames.frame(
        f"The sum over {count} {plural} beside backward()",
        [
            f"Σ over every path = {num(total)}; {y}.backward() gives {x}.grad = {num(grad)}.",
            "backward() adds the same products without listing the paths: at each node it "
            "sums what comes back from the node's users once, and passes that sum on, so "
            "shared tails of paths are multiplied out only once.",
            "The two can differ in the last bits (the same terms added in another order), "
            "and where a product overflows to ±inf.",
        ],
        [
            f"Σ_paths = {num(total)}",
            f"backward(): {x}.grad = {num(grad)}",
            agreement(total, grad, scale, f"{x}.grad", num),
        ],
        f"Σ paths = {num(total)}",
    )
    last.classes[node_id(frames.index[input])] = "final"
    steps.append(last)
    index = frames.index

    def fields(node: Value) -> list[str]:
        texts = [node_name(node), f"data {num(node.data)}"]
        if node is input:
            texts.append(widest(steps, node_id(index[node]), -1))
        return texts

    def edge_label(node: Value, position: int, local: float) -> str:
        return frames.edges[edge_id(index[node], position)]

    pictures = layouts(rankdir, lambda d: value_graph(order, d, fields, edge_label).svg())
    return write_page(f"∂{y}/∂{x}, one path at a time", pictures, steps, KEY, path)
