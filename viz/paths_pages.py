"""Pages adding up a derivative one path at a time, then setting the sum beside backward():
``sum_over_paths`` (∂output/∂input on a Value graph) and ``sum_over_paths_net`` (∂C/∂w^l_jk
through a net's neurons, beside BP4 too)."""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from engine import Path, Value, checks, count_paths, paths
from engine.paths import product_of_rates
from engine.value import Number
from nn import matrix
from nn.network import MLP
from viz import drawing
from viz.graph import edge_id, graph_order, local_grad_text, node_id, node_name, value_graph
from viz.net_page import KEY as NET_KEY
from viz.net_page import frame_lines
from viz.network import (
    NetNumbers,
    check_net_size,
    draw_lines,
    line_text,
    net_lines,
    trace_numbers,
)
from viz.page import Frame, KeyEntry, StepPage, layouts, widest, write_page
from viz.steps import backward_steps
from viz.value_page import KEY as GRAPH_KEY
from viz.value_page import signed


def agreement(total: float, reference: float, scale: float, what: str, num) -> str:
    """The line comparing a sum over paths with another way to the same derivative."""
    gap = abs(total - reference)
    tolerance = 1e-9 * scale
    mark = "✓" if gap <= tolerance or total == reference else "✗"
    same = "agrees with" if mark == "✓" else "differs from"
    return f"{mark} the sum {same} {what} = {num(reference)}: |difference| = {gap:.1e}"


# --- sum_over_paths: a Value graph

PATHS_KEY = [
    *(e for e in GRAPH_KEY if not e.state and not e.sample.startswith("+=")),
    KeyEntry("the path of this step: each edge's rate is one factor", state="current"),
    KeyEntry("the input, where every path starts", state="sending"),
    KeyEntry("the sum so far: some paths are not added yet", state="partial"),
    KeyEntry("the sum of every path", state="final"),
]


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
    return write_page(f"∂{y}/∂{x}, one path at a time", pictures, steps, PATHS_KEY, path)


# --- sum_over_paths_net: a net

NET_PATHS_KEY = [
    *(e for e in NET_KEY if not e.state),
    KeyEntry("the path of this step: every rate on it is one factor", state="current"),
    KeyEntry(
        "where the path starts: w^l_jk and the activation a^{l−1}_k it carries", state="sending"
    ),
    KeyEntry("δ^l_j: the sum over every path from z^l_j to C", state="final"),
    KeyEntry("the weights into neuron j, which share that sum", state="column"),
]


@dataclass(frozen=True)
class NetPath:
    """One path from w^l_jk to C: the neuron it passes in each layer l … L and its rates."""

    neurons: tuple[int, ...]  # neurons[i]: the neuron of layer l + i
    elements: tuple[str, ...]  # the drawing's ids of its nodes and edges
    symbols: tuple[str, ...]  # each rate in the page's notation
    rates: tuple[float, ...]

    @property
    def product(self) -> float:
        """The product of the rates, multiplied from C back as backward() does."""
        return product_of_rates(self.rates)


def net_paths(n: NetNumbers, l: int, j: int, k: int) -> list[NetPath]:
    """Every path from w^l_jk through neuron j of layer l and one neuron per later layer to C."""
    L = n.L
    a_prev = n.x if l == 2 else n.a[l - 3]
    found = []
    for rest in itertools.product(*(range(len(n.z[i - 2])) for i in range(l + 1, L + 1))):
        neurons = (j, *rest)
        elements = [f"w{l}_{j}_{k}"]
        symbols, rates = [f"a^{l - 1}_{k}"], [a_prev[k]]
        for i, q in enumerate(neurons, start=l):
            elements.append(f"z{i}_{q}")
            if i == L and n.from_z:  # the cost is taken from z^L: no σ' on the way out
                break
            sp = n.sigma_prime[i - 2]
            elements += [f"s{i}_{q}", f"a{i}_{q}"]
            symbols.append(f"σ'(z^{i}_{q})")
            rates.append(1.0 if sp is None else sp[q])
            if i < L:
                m = neurons[i - l + 1]
                elements.append(f"w{i + 1}_{m}_{q}")
                symbols.append(f"w^{i + 1}_{m}{q}")
                rates.append(n.w[i - 1][m][q])
        out = neurons[-1]
        elements += [f"c{out}", "C"]
        into = "z" if n.from_z else "a"
        symbols.append(f"∂C/∂{into}^{L}_{out}")
        rates.append(n.delta[-1][out] if n.from_z else n.grad_a[-1][out])
        found.append(NetPath(neurons, tuple(elements), tuple(symbols), tuple(rates)))
    return found


def _weight(net: MLP, weight: object) -> tuple[int, int, int]:
    """weight as (l, j, k) naming a weight w^l_jk of the net, or an error saying what is wrong."""
    who = "sum_over_paths_net: weight"
    triple = checks.sequence(weight, who, 3, " (l, j, k)")
    l, j, k = (checks.count(i, f"{who}[{n}]", least=None) for n, i in enumerate(triple))
    L = len(net.sizes)
    if not 2 <= l <= L:
        raise ValueError(f"sum_over_paths_net: weight layer l = {l} is not one of 2 … {L}")
    if not (0 <= j < net.sizes[l - 1] and 0 <= k < net.sizes[l - 2]):
        raise ValueError(
            f"sum_over_paths_net: w^{l}_jk needs 0 ≤ j < {net.sizes[l - 1]} and "
            f"0 ≤ k < {net.sizes[l - 2]}, got j = {j}, k = {k}"
        )
    return l, j, k


class _NetPathFrames:
    """The frames on draw_net's picture; the backward numbers shown grow as the page explains them."""

    def __init__(self, n: NetNumbers, number_format: str, scripts: bool, focus: str) -> None:
        self.n, self.number_format, self.scripts = n, number_format, scripts
        self.focus = focus  # shown when a step highlights nothing as current: the weight
        L = n.L
        self.known: set[tuple] = {("cost",)} | {("grad_a", L, q) for q in range(len(n.z[-1]))}
        self.frames: list[Frame] = []

    def num(self, x: float) -> str:
        return signed(x, self.number_format)

    def text(self, plain: str) -> str:
        return drawing.scripted(plain) if self.scripts else plain

    def add(
        self, title: str, caption: list[str], equation: list[str], classes: dict[str, str]
    ) -> None:
        lines = net_lines(self.n, lambda key: key in self.known, self.number_format)
        texts = {
            eid: {i: self.text(line_text(line)).replace("-", "−") for i, line in enumerate(ls)}
            for eid, ls in lines.items()
        }
        t = self.text
        frame = Frame(t(title), [t(c) for c in caption], classes, texts, [t(e) for e in equation])
        frame.focus = self.focus
        self.frames.append(frame)


def _route(l: int, k: int, p: NetPath, from_z: bool) -> str:
    L = l + len(p.neurons) - 1
    steps = [f"w^{l}_{p.neurons[0]}{k}"]
    for i, q in enumerate(p.neurons, start=l):
        steps.append(f"z^{i}_{q}")
        if not (i == L and from_z):
            steps.append(f"a^{i}_{q}")
    return " → ".join([*steps, "C"])


def sum_over_paths_net(
    net: MLP,
    x: Sequence[Value | Number],
    y: Sequence[Number],
    weight: tuple[int, int, int] = (2, 0, 0),
    path: str | os.PathLike | None = None,
    cost: str = "quadratic",
    number_format: str = ".3g",
    rankdir: str | None = None,
    max_weights: int | None = 200,
    max_paths: int = 200,
    scripts: bool = True,
) -> StepPage:
    """A page adding up ∂C/∂w^l_jk over every path from w^l_jk to C through neurons, one step each.

    A path runs w^l_jk → z^l_j → a^l_j → z^{l+1}_m → … → a^L_n → C, one neuron per layer
    after l; its product is a^{l−1}_k · σ'(z^l_j) · w^{l+1}_mj · σ'(z^{l+1}_m) ⋯ ∂C/∂a^L_n.
    Then the sum beside ∂C/∂w^l_jk from ``backward()`` and from BP4, a^{l−1}_k δ^l_j (with
    ``nn.matrix``), and a last step on the factoring that makes backpropagation fast.
    Written to ``path`` (``.html``) when given; more than ``max_paths`` paths raise ValueError.
    """
    drawing.check_number_format(number_format)
    check_net_size(net, max_weights, "sum_over_paths_net")
    l, j, k = _weight(net, weight)
    if y is None:
        raise ValueError("sum_over_paths_net: a target y is needed: the paths end at the cost C")
    count = math.prod(net.sizes[l:])
    if count > max_paths:
        raise ValueError(
            f"sum_over_paths_net: w^{l}_{j}{k} has {count} paths to C, more than "
            f"max_paths={max_paths}; pick a weight of a later layer, or raise max_paths"
        )
    n = trace_numbers(net, x, y, cost)
    L = n.L
    for i in range(l, L + 1):
        if n.layerwise[i - 2] and not (i == L and n.from_z):
            raise ValueError(
                f"sum_over_paths_net: layer {i}'s {n.layerwise[i - 2]} makes every a^{i} depend on "
                f"every z^{i}, so its paths do not run neuron by neuron; use an activation of "
                f"each neuron alone (sigmoid, tanh, relu, linear) there"
            )
    bp = matrix.backprop(
        net.weights(),
        net.biases(),
        np.array([float(v) for v in x]),
        np.asarray(y, float),
        net.activations,
        cost,
    )
    found = net_paths(n, l, j, k)
    f = _NetPathFrames(n, number_format, scripts, focus=f"w{l}_{j}_{k}")
    num = f.num

    def factor(x: float) -> str:
        return f"({num(x)})" if x < 0 else num(x)

    a_prev = n.x if l == 2 else n.a[l - 3]
    widths = " × ".join(str(s) for s in net.sizes[l:]) + f" = {count}" * (L - l > 1)
    paths_ = f"{count} paths" if count > 1 else "1 path"
    through = (
        f"from there a path passes one neuron of each later layer, so there are {widths} paths"
        if l < L
        else "an output neuron, which feeds C directly: there is 1 path"
    )
    start = {f"w{l}_{j}_{k}": "sending", f"a{l - 1}_{k}": "sending"}
    first_rate = f"∂z^{l}_{j}/∂w^{l}_{j}{k} = a^{l - 1}_{k}"
    f.add(
        f"∂C/∂w^{l}_{j}{k} as a sum over {paths_} through the net",
        [
            f"w^{l}_{j}{k} reaches C only through z^{l}_{j}; {through}.",
            f"Each path's rate is the product of the local derivatives along it: {first_rate}, "
            f"σ' on each z → a, the weight w^{{i+1}}_mq on each a^i_q → z^{{i+1}}_m, and ∂C at the end.",
            f"The chain rule: ∂C/∂w^{l}_{j}{k} is the sum of those products over every path.",
        ],
        [f"∂C/∂w^{l}_{j}{k} = Σ_paths ∏ rates", f"{widths} paths" if l < L - 1 else paths_],
        dict(start),
    )
    total = 0.0
    for number, p in enumerate(found, start=1):
        after = total + p.product
        classes = {eid: "current" for eid in p.elements}
        classes.update(start)
        f.add(
            f"Path {number} of {count}: {_route(l, k, p, n.from_z)}",
            [
                f"Product of the rates: {' · '.join(p.symbols)}.",
                f"Added to the sum: {num(total)} + {num(p.product)} = {num(after)}.",
            ],
            [
                " · ".join(p.symbols),
                "= " + " × ".join(map(factor, p.rates)),
                f"= {num(p.product)}",
                f"Σ over paths 1…{number} = {num(after)}",
            ],
            classes,
        )
        total = after
    f.known |= {("grad_w", l), ("delta", l, j)}
    engine_grad = n.grad_w[l - 2][j][k]
    a_k, delta_j = float(bp.a[l - 2][k]), float(bp.delta[l - 2][j])  # a^{l−1}_k, δ^l_j
    bp4 = a_k * delta_j
    scale = math.fsum(abs(p.product) for p in found)
    f.add(
        f"The sum over {paths_} beside backward() and BP4",
        [
            f"Σ over every path = {num(total)}.",
            f"C.backward() gives w^{l}_{j}{k}.grad = {num(engine_grad)}; BP4 (nn.matrix) gives "
            f"a^{l - 1}_{k} δ^{l}_{j} = {num(a_k)} × {factor(delta_j)} = {num(bp4)}.",
            "They differ at most in the last bits: the same products, added in another order.",
        ],
        [
            f"Σ_paths = {num(total)}",
            f"backward(): ∂C/∂w^{l}_{j}{k} = {num(engine_grad)}",
            agreement(total, engine_grad, scale, "backward()", num),
            f"BP4: a^{l - 1}_{k} δ^{l}_{j} = {num(bp4)}",
            agreement(total, bp4, scale, "BP4", num),
        ],
        {f"w{l}_{j}_{k}": "current", f"a{l - 1}_{k}": "sending", f"z{l}_{j}": "final"},
    )
    f.known |= {("delta", i, q) for i in range(l, L + 1) for q in range(len(n.z[i - 2]))}
    f.known |= {("grad_a", i, q) for i in range(l, L + 1) for q in range(len(n.z[i - 2]))}
    f.known |= {(key, i) for key in ("grad_w", "grad_b") for i in range(2, L + 1)}
    shared = {f"w{l}_{j}_{kk}": "column" for kk in range(net.sizes[l - 2])}
    downstream = {eid: "current" for p in found for eid in p.elements[2:]}
    rates_after_z = len(found[0].rates) - 1
    f.add(
        f"Why backpropagation lists no paths: δ^{l}_{j} is their shared sum",
        [
            f"Every path from w^{l}_{j}{k} starts with the rate a^{l - 1}_{k} and then runs from "
            f"z^{l}_{j} to C. So the sum is a^{l - 1}_{k} × (the sum over every path from z^{l}_{j} "
            f"onwards) = a^{l - 1}_{k} δ^{l}_{j}: BP4.",
            f"Each of the {net.sizes[l - 2]} weights w^{l}_{j}k into neuron {j} uses the same "
            f"δ^{l}_{j} = {num(delta_j)}: it is computed once and shared.",
            (
                f"And δ^{l}_{j} is not found by listing its {paths_} of {rates_after_z} rates "
                f"each: BP2 gets it from δ^{l + 1}, itself the shared sum of the paths from layer "
                f"{l + 1} on, so one backward pass, about the cost of a forward pass, gives every "
                "δ however many paths there are."
                if l < L
                else f"At the output layer δ^{L}_{j} comes straight from BP1; BP2 passes it back to "
                "the earlier layers, so no path is ever listed."
            ),
        ],
        [
            f"∂C/∂w^{l}_{j}{k} = a^{l - 1}_{k} · (Σ over paths from z^{l}_{j} of ∏ rates)",
            f"= a^{l - 1}_{k} δ^{l}_{j}",
            *(
                f"∂C/∂w^{l}_{j}{kk} = {num(a)} × {factor(delta_j)} = {num(n.grad_w[l - 2][j][kk])}"
                for kk, a in enumerate(a_prev)
            ),
        ],
        {**downstream, **shared, f"z{l}_{j}": "final current"},
    )
    lines = frame_lines(f.frames)
    pictures = layouts(rankdir, lambda d: draw_lines(n, lines, d, scripts).svg())
    title = f"∂C/∂w^{l}_{j}{k} in a {'-'.join(map(str, net.sizes))} net, one path at a time"
    key = [replace(e, meaning=f.text(e.meaning)) for e in NET_PATHS_KEY]
    return write_page(f.text(title), pictures, f.frames, key, path)
