"""Drawings of what is too big to draw value by value, one box per group: ``draw_layers``
(a net, a box per layer) and ``draw_groups`` (a compiled function, a box per replayed group)."""

from __future__ import annotations

import inspect

import numpy as np

from engine import Compiled
from engine.compile.plan import Elementwise, Matmul, Rows, Sum
from nn.datasets import Data
from nn.network import MLP
from nn.reports import Diagnosis, LayerHealth, diagnose
from viz import drawing
from viz.drawing import Drawing, new_drawing


def _number(x: float) -> str:
    return format(x, ".3g")


def _stuck(h: LayerHealth) -> str:
    if h.saturated is not None:
        return f"saturated {h.saturated:.0%}"
    if h.dead is not None:
        return f"dead {h.dead:.0%}"
    return ""


def draw_layers(
    net: MLP,
    data: Data | None = None,
    cost: str = "quadratic",
    rankdir: str = "LR",
    scripts: bool = True,
    key: bool = False,
) -> Drawing:
    """One box per layer l (its size n_l and activation σ), one edge per weight matrix w^l.

    Each edge is labelled with the shape of w^l and its norm ‖w^l‖. Given data (pairs
    or arrays (X, Y)), ``nn.diagnose`` is run over it with ``cost``: each box shows the
    mean ‖δ^l‖ and the share of saturated (sigmoid, tanh) or dead (relu) units — amber when
    most are — and each edge ‖∂C/∂w^l‖ too, drawn thicker the larger it is, so a gradient
    that vanishes towards the input is seen thinning out. The net is not changed.
    Indices are written as ``draw_net`` writes them (w³, δ²; ``scripts=False``: w^3, δ^2).
    ``key=True`` adds a key to the fills and the edges.
    """

    def label(texts: list[str]) -> str:
        return drawing.lines(*(drawing.scripted(t) if scripts else t for t in texts))

    health: Diagnosis | None = None if data is None else diagnose(net, data, cost)
    g = new_drawing("layers", rankdir)
    g.attr(ranksep="0.9")
    g.attr("node", shape="box", style="filled,rounded", margin="0.2,0.1")
    g.node("l1", label(["layer 1: input", f"{net.sizes[0]} units"]), fillcolor=drawing.INPUT_FILL)
    largest = max((h.grad_w for h in health.layers), default=0.0) if health else 0.0
    for i, (w, activation) in enumerate(zip(net.weights(), net.activations)):
        l = i + 2
        output = " (output)" if l == len(net.sizes) else ""
        lines = [f"layer {l}{output}: {activation}", f"{w.shape[0]} units"]
        edge = [
            f"w^{l}: {w.shape[0]}×{w.shape[1]}",
            f"‖w^{l}‖ = {_number(float(np.linalg.norm(w)))}",
        ]
        fill, pen = drawing.A_FILL, "1.5"
        if health is not None:
            h = health.layers[i]
            lines.append(f"mean ‖δ^{l}‖ = {_number(h.delta)}")
            if _stuck(h):
                lines.append(_stuck(h))
            if h.stuck is not None and h.stuck > 0.5:
                fill = drawing.STUCK_FILL
            edge.append(f"‖∂C/∂w^{l}‖ = {_number(h.grad_w)}")
            pen = f"{0.5 + 4.5 * h.grad_w / largest:.2f}" if largest > 0 else "0.5"
        g.node(f"l{l}", label(lines), fillcolor=fill)
        g.edge(f"l{l - 1}", f"l{l}", label=label(edge), penwidth=pen)
    if health is not None:
        g.node(
            "C",
            drawing.lines(
                f"C: {cost} cost", f"over {health.examples} examples"
            ),  # a name, not maths
            fillcolor=drawing.COST_FILL,
        )
        g.edge(f"l{len(net.sizes)}", "C")
    if key:
        drawing.add_key(g, layers_key(health is not None))
    return g


def layers_key(diagnosed: bool) -> list[drawing.KeyEntry]:
    """What draw_layers' fills and edges mean."""
    entries = [
        drawing.KeyEntry("the input layer", fill=drawing.INPUT_FILL),
        drawing.KeyEntry("a layer of n units and its σ", fill=drawing.A_FILL),
        drawing.KeyEntry("an edge: the weights w of the next layer, ‖w‖ their size"),
    ]
    if diagnosed:
        entries[2:2] = [
            drawing.KeyEntry("most of its units saturated or dead", fill=drawing.STUCK_FILL),
            drawing.KeyEntry("the cost over the data", fill=drawing.COST_FILL),
        ]
        entries.append(
            drawing.KeyEntry("a thicker edge: a larger ‖∂C/∂w‖, a faster learning layer")
        )
    return entries


def _row_list(rows: Rows) -> list[int]:
    return list(range(rows.start, rows.stop)) if isinstance(rows, slice) else rows.tolist()


def _argument_names(compiled: Compiled) -> list[str]:
    """f's parameter names where its signature gives one per argument, else "argument a"."""
    n = len(compiled.plan.input_rows)
    try:
        names = list(inspect.signature(compiled.f).parameters)
    except (TypeError, ValueError):
        names = []
    return names if len(names) == n else [f"argument {a}" for a in range(n)]


def draw_groups(compiled: Compiled, rankdir: str = "LR", key: bool = False) -> Drawing:
    """One box per group of the replay (level, primitive, how many nodes, how it runs).

    Grey: the batch's inputs (one box per argument), the parameters and the constants.
    Blue: a layer of weighted sums run as one matrix product W @ X + b; yellow: a
    primitive run element by element on every node of the group; orange: chains of +
    run as one sum. An edge runs from each box to the groups that read it, labelled
    with how many rows (nodes) they read from it. ``key=True`` adds a key to the fills.
    """
    if not isinstance(compiled, Compiled):
        raise TypeError(f"draw_groups: expected engine.compile's result, got {compiled!r:.80}")
    plan = compiled.plan
    g = new_drawing("compiled_groups", rankdir)
    owner: dict[int, str] = {}
    names = _argument_names(compiled)

    def leaves(gid: str, text: str, rows: list[int]) -> None:
        """One box for a kind of leaf the replay reads (inputs, parameters, constants)."""
        g.node(
            gid,
            drawing.check_showable(text),
            shape="box",
            style="filled",
            fillcolor=drawing.LEAF_FILL,
        )
        owner.update(dict.fromkeys(rows, gid))

    for a, rows in enumerate(plan.input_rows):
        leaves(f"in{a}", f"input {names[a]}\n{len(_row_list(rows))} per example", _row_list(rows))
    leaves("params", f"parameters\n{len(compiled.params):,}", plan.param_rows.tolist())
    if len(plan.constant_rows):
        leaves("constants", f"constants\n{len(plan.constant_rows)}", plan.constant_rows.tolist())
    for i, group in enumerate(compiled.groups):
        gid = f"g{i}"
        how = {"matmul": "as W @ X + b", "sum": "as one sum per chain"}.get(group.kind, "")
        nodes = f"{group.count} node{'s' if group.count > 1 else ''}"
        text = drawing.check_showable(
            f"level {group.level}: {group.rule.name}\n{nodes} {how}".rstrip()
        )
        g.node(
            gid, text, shape="box", style="filled,rounded", fillcolor=drawing.GROUP_FILL[group.kind]
        )
        reads: list[int] = []
        if isinstance(group, Matmul):
            reads = _row_list(group.x_rows)
            g.edge("params", gid, label="W, b")
        elif isinstance(group, Sum):
            reads = group.operand_rows.ravel().tolist()
        elif isinstance(group, Elementwise):
            reads = [r for rows in group.parent_rows for r in _row_list(rows)]
        read_from: dict[str, set[int]] = {}
        for r in reads:
            read_from.setdefault(owner[r], set()).add(r)
        for source, distinct in read_from.items():
            g.edge(source, gid, label=str(len(distinct)))
        owner.update(dict.fromkeys(_row_list(group.rows), gid))
    outputs = {owner[r] for r in plan.output_rows}
    g.node("out", "output per example", shape="box", style="filled", fillcolor=drawing.COST_FILL)
    for source in sorted(outputs):
        g.edge(source, "out")
    if key:
        drawing.add_key(
            g,
            [
                drawing.KeyEntry("inputs, parameters, constants", fill=drawing.LEAF_FILL),
                drawing.KeyEntry(
                    "a layer of weighted sums as W @ X + b", fill=drawing.GROUP_FILL["matmul"]
                ),
                drawing.KeyEntry(
                    "a primitive on every node of the group", fill=drawing.GROUP_FILL["elementwise"]
                ),
                drawing.KeyEntry("chains of + as one sum", fill=drawing.GROUP_FILL["sum"]),
                drawing.KeyEntry("the output", fill=drawing.COST_FILL),
                drawing.KeyEntry("an edge: how many rows a group reads from a box"),
            ],
        )
    return g
