"""``draw_net``: a traced network in Nielsen's notation (ch. 2), one cluster per layer."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from engine import Value
from engine.value import Number
from nn.activations import activation_named
from nn.costs import cost_named
from nn.network import MLP
from nn.trace import Trace
from viz import labels, style
from viz.drawing import Drawing, new_drawing
from viz.graph import GraphTooLargeError


def draw_net(
    net: MLP,
    x: Sequence[Value | Number],
    y: Sequence[Number] | None = None,
    cost: str = "quadratic",
    rankdir: str = "LR",
    number_format: str = ".3g",
    max_weights: int | None = 200,
) -> Drawing:
    """Trace ``net`` on x (and backpropagate the cost of target y, if given) and draw it.

    One cluster per layer l. Grey: the inputs a^1_k. Orange: each pre-activation
    z^l_j = Σ_k w^l_jk a^{l−1}_k + b^l_j, with its bias b^l_j and, when y is given,
    δ^l_j = ∂C/∂z^l_j. Blue: each activation a^l_j = σ(z^l_j) with ∂C/∂a^l_j; the edge
    from z to a carries σ'(z^l_j). Edges from a^{l−1}_k to z^l_j are the weights
    w^l_jk, blue when positive, red when negative, thicker for larger |w|, labelled
    with the value and ∂C/∂w^l_jk. Red: the cost C, fed by every output a^L_j, or by
    every z^L_j where the cost is taken from z^L (cross-entropy on sigmoid outputs).
    The net's parameters and their grads are left as they were. Nets with more than
    ``max_weights`` weights raise GraphTooLargeError (``max_weights=None`` draws any).
    """
    style.check_number_format(number_format)
    n_weights = sum(a * b for a, b in zip(net.sizes, net.sizes[1:]))
    if max_weights is not None and n_weights > max_weights:
        raise GraphTooLargeError(
            f"draw_net: the net has {n_weights} weights, more than max_weights={max_weights}; "
            f"its picture would be unreadable. Draw a smaller net, or pass max_weights=None "
            f"to draw it anyway"
        )
    with net.grads_set_aside():
        tr = net.trace(x)
        C = None
        if y is not None:
            y = net.target(y)
            C = cost_named(cost)(tr, y)
            C.backward()
        g = _draw(net, tr, y, C, cost, rankdir, number_format)
    return g


def _draw(
    net: MLP,
    tr: Trace,
    y: Sequence[Number] | None,
    C: Value | None,
    cost: str,
    rankdir: str,
    number_format: str,
) -> Drawing:
    num = partial(style.number, number_format=number_format)
    record = cost_named(cost)
    from_z = record.on.get(net.activations[-1])  # C then reads z^L, not a^L
    g = new_drawing("network", rankdir)
    g.attr(nodesep="0.3", ranksep="1.2")
    g.attr("node", style="filled")
    with g.subgraph(name="cluster_1") as c:
        c.attr(label="layer 1 (input)", color=style.CLUSTER_PEN)
        for k, a in enumerate(tr.activations[0]):
            c.node(
                f"a1_{k}",
                labels.plain(f"a^1_{k} = {num(a.data)}"),
                shape="box",
                fillcolor=style.INPUT_FILL,
            )
    for i, (layer, zs, activations) in enumerate(zip(net.layers, tr.zs, tr.activations[1:])):
        l = i + 2
        last = l == len(net.sizes)
        with g.subgraph(name=f"cluster_{l}") as c:
            sigma = activation_named(layer.activation)
            c.attr(
                label=f"layer {l}{' (output)' if last else ''}: {sigma.name}, {sigma.text}",
                color=style.CLUSTER_PEN,
            )
            for j, (neuron, z, a) in enumerate(zip(layer.neurons, zs, activations)):
                z_fields = [f"z^{l}_{j} = {num(z.data)}", f"b^{l}_{j} = {num(neuron.b.data)}"]
                if C is not None:
                    z_fields.append(f"δ^{l}_{j} = {num(z.grad)}")
                c.node(
                    f"z{l}_{j}",
                    " | ".join(map(labels.record_field, z_fields)),
                    shape="record",
                    fillcolor=style.Z_FILL,
                )
                a_fields = [f"a^{l}_{j} = {num(a.data)}"]
                if C is not None and not (last and from_z):
                    a_fields.append(f"∂C/∂a = {num(a.grad)}")
                if a is z:  # a linear layer: a^l_j is z^l_j itself
                    g.edge(f"z{l}_{j}", f"a{l}_{j}", label="identity")
                else:
                    g.edge(
                        f"z{l}_{j}",
                        f"a{l}_{j}",
                        label=labels.plain(f"σ' = {num(a.local_grads[0])}"),
                    )
                c.node(
                    f"a{l}_{j}",
                    " | ".join(map(labels.record_field, a_fields)),
                    shape="record",
                    fillcolor=style.A_FILL,
                )
                for k, w in enumerate(neuron.w):
                    w_lines = [f"{w.label} = {num(w.data)}"]
                    if C is not None:
                        w_lines.append(f"∂C/∂w = {num(w.grad)}")
                    g.edge(
                        f"a{l - 1}_{k}",
                        f"z{l}_{j}",
                        label=labels.lines(*w_lines),
                        color=style.POSITIVE_WEIGHT if w.data >= 0 else style.NEGATIVE_WEIGHT,
                        penwidth=style.weight_pen(w.data),
                    )
    if C is not None:
        L = len(net.sizes)
        targets = ", ".join(num(float(v)) for v in y)  # type: ignore[union-attr]
        formula = [record.text, from_z.text] if from_z else [record.text]
        g.node(
            "C",
            labels.lines(*formula, f"y = [{targets}]", f"C = {num(C.data)}"),
            shape="box",
            fillcolor=style.COST_FILL,
        )
        if from_z:
            for j, z in enumerate(tr.zs[-1]):
                g.edge(f"z{L}_{j}", "C", label=labels.plain(f"∂C/∂z^{L}_{j} = {num(z.grad)}"))
        else:
            for j, a in enumerate(tr.output):
                g.edge(f"a{L}_{j}", "C", label=labels.plain(f"∂C/∂a^{L}_{j} = {num(a.grad)}"))
    return g
