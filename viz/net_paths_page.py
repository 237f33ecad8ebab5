"""``sum_over_paths_net``: ∂C/∂w^l_jk as a sum over paths through neurons, beside backward() and BP4."""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from engine import Value, checks
from engine.paths import product_of_rates
from engine.value import Number
from nn import matrix
from nn.network import MLP
from viz import drawing
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
from viz.page import Frame, KeyEntry, StepPage, layouts, write_page
from viz.paths_page import agreement
from viz.value_page import signed

KEY = [
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


class _Frames:
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
    f = _Frames(n, number_format, scripts, focus=f"w{l}_{j}_{k}")
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
    key = [replace(e, meaning=f.text(e.meaning)) for e in KEY]
    return write_page(f.text(title), pictures, f.frames, key, path)
