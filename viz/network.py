"""``draw_net``: a traced network in Nielsen's notation (ch. 2), one column per layer.

The picture is built from ``NetNumbers`` (every number of one forward and backward
pass, as floats) and a rule saying which of the backward numbers are known yet, so
the same drawing serves the finished picture (everything known) and each step of
``step_through_net`` (numbers appear as the reverse pass computes them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from engine import Value, checks
from engine.value import Number
from nn.activations import activation_named
from nn.costs import cost_named
from nn.network import MLP
from viz import drawing, net_layout
from viz.drawing import Drawing, new_drawing
from viz.graph import GraphTooLargeError

UNKNOWN = "?"

# A line of a label: the symbol and its value (None: the line is the symbol alone).
Line = tuple[str, "str | None"]
# What is known yet, by key: ("cost",), ("grad_a", l, j), ("delta", l, j), ("grad_b", l), ("grad_w", l).
Known = Callable[[tuple], bool]


@dataclass(frozen=True)
class NetNumbers:
    """One example through a net: lists indexed by layer l = 2 … L at position l − 2."""

    names: dict[str, str]  # element id → the page's name of its number (a^1_0, z^2_1, w^2_10, …)
    x: list[float]
    z: list[list[float]]
    a: list[list[float]]
    b: list[list[float]]
    w: list[list[list[float]]]  # w[l − 2][j][k] = w^l_jk
    sigma_prime: list[list[float] | None]  # σ'(z^l_j); None for a linear layer (a is z)
    # a layer whose σ maps all of z^l to a^l (softmax): a^l_j has no σ'(z^l_j) of its own
    layerwise: list[str | None]
    layer_texts: list[str]  # each layer's σ: its name and formula
    cost_text: list[str]  # the cost's formula, and its form from z^L where it has one
    from_z: bool  # the cost reads z^L (cross-entropy on sigmoid outputs): no ∂C/∂a^L
    y: list[float] | None
    cost: float | None
    grad_a: list[list[float]]  # ∂C/∂a^l_j
    delta: list[list[float]]  # δ^l_j = ∂C/∂z^l_j
    grad_b: list[list[float]]
    grad_w: list[list[list[float]]]

    @property
    def L(self) -> int:
        """The number of layers, the input layer included (the page's L)."""
        return len(self.z) + 1


def trace_numbers(
    net: MLP,
    x: Sequence[Value | Number],
    y: Sequence[Number] | None,
    cost: str,
    who: str = "draw_net",
) -> NetNumbers:
    """Trace ``net`` on x and, when y is given, backpropagate the cost: every number, read off the Values."""
    cost_of = cost_named(cost)
    on_z = cost_of.on.get(net.activations[-1])
    sigmas = [activation_named(layer.activation) for layer in net.layers]
    with net.grads_set_aside():
        tr = net.trace(x)
        C = None
        if y is not None:
            y = net.target(y)
            cost_of.check_targets([y], who, one=True)
            C = cost_of(tr, y)
            C.backward()
        names = {f"a1_{k}": a.label or f"a^1_{k}" for k, a in enumerate(tr.activations[0])}
        for l, (layer, zs, acts) in enumerate(zip(net.layers, tr.zs, tr.activations[1:]), start=2):
            for j, (neuron, z, a) in enumerate(zip(layer.neurons, zs, acts)):
                # a linear layer's a^l_j is its z^l_j itself, labelled z
                a_name = z.label.replace("z", "a", 1) if a is z else a.label
                names.update({f"z{l}_{j}": z.label, f"a{l}_{j}": a_name})
                names[f"b{l}_{j}"] = neuron.b.label
                names.update({f"w{l}_{j}_{k}": w.label for k, w in enumerate(neuron.w)})
        return NetNumbers(
            names=names,
            x=[a.data for a in tr.activations[0]],
            z=[[z.data for z in zs] for zs in tr.zs],
            a=[[a.data for a in acts] for acts in tr.activations[1:]],
            b=[[n.b.data for n in layer.neurons] for layer in net.layers],
            w=[[[w.data for w in n.w] for n in layer.neurons] for layer in net.layers],
            sigma_prime=[
                None if acts[0] is zs[0] or not s.elementwise else [a.local_grads[0] for a in acts]
                for zs, acts, s in zip(tr.zs, tr.activations[1:], sigmas)
            ],
            layerwise=[None if s.elementwise else s.name for s in sigmas],
            layer_texts=[f"{s.name}, {s.text}" for s in sigmas],
            cost_text=[cost_of.text] + ([on_z.text] if on_z else []),
            from_z=on_z is not None,
            y=None if y is None else [float(v) for v in y],
            cost=None if C is None else C.data,
            grad_a=[[a.grad for a in acts] for acts in tr.activations[1:]],
            delta=[[z.grad for z in zs] for zs in tr.zs],
            grad_b=[[n.b.grad for n in layer.neurons] for layer in net.layers],
            grad_w=[[[w.grad for w in n.w] for n in layer.neurons] for layer in net.layers],
        )


def net_lines(n: NetNumbers, known: Known, number_format: str) -> dict[str, list[Line]]:
    """The lines of every node and edge label, by element id; unknown numbers show as "?"."""

    def value(key: tuple, x: float) -> str:
        return drawing.number(x, number_format) if known(key) else UNKNOWN

    num = lambda x: drawing.number(x, number_format)  # noqa: E731 (a local shorthand)
    lines: dict[str, list[Line]] = {
        f"a1_{k}": [(n.names[f"a1_{k}"], num(x))] for k, x in enumerate(n.x)
    }
    backward = n.y is not None
    for l in range(2, n.L + 1):
        i = l - 2
        for j, z in enumerate(n.z[i]):
            z_lines: list[Line] = [
                (n.names[f"z{l}_{j}"], num(z)),
                (n.names[f"b{l}_{j}"], num(n.b[i][j])),
            ]
            a_lines: list[Line] = [(n.names[f"a{l}_{j}"], num(n.a[i][j]))]
            if backward:
                z_lines.append((f"δ^{l}_{j}", value(("delta", l, j), n.delta[i][j])))
                z_lines.append((f"∂C/∂b^{l}_{j}", value(("grad_b", l), n.grad_b[i][j])))
                if not (l == n.L and n.from_z):
                    a_lines.append((f"∂C/∂a^{l}_{j}", value(("grad_a", l, j), n.grad_a[i][j])))
            lines[f"z{l}_{j}"], lines[f"a{l}_{j}"] = z_lines, a_lines
            sp = n.sigma_prime[i]
            if n.layerwise[i]:
                lines[f"s{l}_{j}"] = [(f"{n.layerwise[i]} of every z^{l}", None)]
            else:
                lines[f"s{l}_{j}"] = [("identity", None)] if sp is None else [("σ'", num(sp[j]))]
            for k, w in enumerate(n.w[i][j]):
                w_lines: list[Line] = [(n.names[f"w{l}_{j}_{k}"], num(w))]
                if backward:
                    w_lines.append(("∂C/∂w", value(("grad_w", l), n.grad_w[i][j][k])))
                lines[f"w{l}_{j}_{k}"] = w_lines
    if backward:
        assert n.y is not None and n.cost is not None
        targets = "[" + ", ".join(map(num, n.y)) + "]"
        formula: list[Line] = [(text, None) for text in n.cost_text]
        lines["C"] = [*formula, ("y", targets), ("C", value(("cost",), n.cost))]
        into_cost = ("z", n.delta[-1]) if n.from_z else ("a", n.grad_a[-1])
        for j, g in enumerate(into_cost[1]):
            lines[f"c{j}"] = [(f"∂C/∂{into_cost[0]}^{n.L}_{j}", value(("cost",), g))]
    return lines


def line_text(line: Line) -> str:
    """A line as drawn: "symbol = value", or the symbol alone."""
    symbol, value = line
    return symbol if value is None else f"{symbol} = {value}"


def draw_lines(
    n: NetNumbers,
    lines: dict[str, list[Line]],
    rankdir: str,
    scripts: bool,
    every_weight: bool = False,
    with_key: bool = False,
) -> Drawing:
    """The net's picture with the given label lines; every node and edge has its element id.

    Each layer is a column headed by its name, neuron j at position j (inputs a^1_k too),
    so that column k of w^{l+1} is the k-th edge row between two columns; the places come
    from ``net_layout``, where no two texts overlap. A layer with more than
    ``net_layout.MAX_LANES`` inputs per neuron has its weights labelled only with
    ``every_weight`` (a page, which shows one column's labels at a time). ``with_key`` adds
    a key to the colours and marks below the picture.
    """
    if rankdir not in ("LR", "TB"):
        raise ValueError(f"rankdir must be 'LR' or 'TB' for a net, got {rankdir!r}")

    def notation(text: str) -> str:
        return drawing.scripted(text) if scripts else text

    def texts(eid: str) -> list[str]:
        return [notation(line_text(line)) for line in lines[eid]]

    boxes: dict[str, tuple[net_layout.Box, str]] = {}

    def box(eid: str, fill: str) -> net_layout.Box:
        boxes[eid] = (net_layout.box(texts(eid)), fill)
        return boxes[eid][0]

    edge_labels: dict[str, net_layout.Label] = {}

    def edge_label(eid: str) -> net_layout.Label:
        edge_labels[eid] = net_layout.label(texts(eid))
        return edge_labels[eid]

    columns = [[box(f"a1_{k}", drawing.INPUT_FILL) for k in range(len(n.x))]]
    weights: dict[str, tuple[int, int, int, net_layout.Label | None]] = {}
    sigmas: dict[str, tuple[int, int, net_layout.Label]] = {}
    joins: dict[str, tuple[str, str]] = {}  # edge id → (tail, head)
    pens: dict[str, dict[str, str]] = {}  # a weight's edge: colour by sign, width by size
    headings = [(0, net_layout.heading([notation("layer 1"), "(input)"]))]
    for l in range(2, n.L + 1):
        c = len(columns)  # the column of z^l; a^{l−1} is column c − 1, a^l column c + 1
        output = " (output)" if l == n.L else ""
        headings.append(
            (
                c,
                net_layout.heading(
                    [notation(f"layer {l}{output}"), notation(n.layer_texts[l - 2])]
                ),
            )
        )
        labelled = every_weight or len(n.w[l - 2][0]) <= net_layout.MAX_LANES
        for j, row in enumerate(n.w[l - 2]):
            for k in range(len(row)):
                eid = f"w{l}_{j}_{k}"
                weights[eid] = (c - 1, k, j, edge_label(eid) if labelled else None)
                joins[eid] = (f"a{l - 1}_{k}", f"z{l}_{j}")
                w = row[k]
                colour = drawing.POSITIVE_WEIGHT if w >= 0 else drawing.NEGATIVE_WEIGHT
                pens[eid] = {"color": colour, "penwidth": drawing.weight_pen(w)}
            sigmas[f"s{l}_{j}"] = (c, j, edge_label(f"s{l}_{j}"))
            joins[f"s{l}_{j}"] = (f"z{l}_{j}", f"a{l}_{j}")
        columns.append([box(f"z{l}_{j}", drawing.Z_FILL) for j in range(len(n.z[l - 2]))])
        columns.append([box(f"a{l}_{j}", drawing.A_FILL) for j in range(len(n.z[l - 2]))])
    shape = net_layout.NetShape(columns, weights, sigmas, headings)
    if "C" in lines:
        shape.cost = box("C", drawing.COST_FILL)
        shape.from_z = n.from_z
        last = len(columns) - (2 if n.from_z else 1)
        shape.cost_edges = {f"c{j}": (last, j, edge_label(f"c{j}")) for j in range(len(n.z[-1]))}
        source = "z" if n.from_z else "a"
        joins.update({f"c{j}": (f"{source}{n.L}_{j}", "C") for j in range(len(n.z[-1]))})
    polylines = net_layout.place(shape, rankdir)

    g = new_drawing("network", rankdir)
    g.pinned = True
    g.attr(layout="neato", outputorder="edgesfirst", comment="every position pinned: neato -n2")
    for eid, (b, fill) in boxes.items():
        cell = (b.w - 2 * net_layout.BORDER, net_layout.ROW)
        g.node(
            eid,
            drawing.table(b.texts, fill, cell),
            id=eid,
            shape="plain",
            pos=net_layout.pos(b.x, b.y) + "!",
        )
    for l, (_, title) in enumerate(headings, start=1):
        g.node(
            f"layer{l}",
            drawing.lines(*title.texts),
            id=f"layer{l}",
            shape="plaintext",
            margin="0",
            width="0",
            height="0",
            pos=net_layout.pos(title.x, title.y) + "!",
        )
    for eid, points in polylines.items():
        tail, head = joins[eid]
        attrs = {"id": eid, "pos": net_layout.spline(points)}
        lab = edge_labels.get(eid)
        if lab is not None and every_weight:  # a page: the label in the edge's group, by its id
            attrs.update(label=drawing.lines(*lab.texts), lp=net_layout.pos(lab.x, lab.y))
        elif lab is not None:  # a node of its own, drawn over the edges (outputorder)
            where = net_layout.pos(lab.x, lab.y) + "!"
            g.node(
                f"{eid}_label",
                halo(lab.texts),
                shape="plain",
                fontsize=drawing.EDGE_FONT_SIZE,
                pos=where,
            )
        g.edge(tail, head, **attrs, **pens.get(eid, {}))
    if with_key:
        unlabelled = any(lab is None for *_, lab in weights.values())
        entries = net_key(n, "C" in lines, unlabelled, notation)
        width, height = drawing.key_size(entries)
        things = [b for b, _ in boxes.values()] + list(edge_labels.values())
        left = min(t.x - t.w / 2 for t in things)
        bottom = max(t.y + t.h / 2 for t in things)
        where = net_layout.pos(left + width / 2, bottom + net_layout.GAP + height / 2)
        g.node("key", drawing.key_table(entries), id="key", shape="plain", pos=where + "!")
    return g


def halo(texts: list[str]) -> str:
    """An edge's label as a node on a pale backing, so that the edges it sits across do not
    strike its text through (static drawings; a page keeps labels in their edges' groups)."""
    lines = "<BR/>".join(drawing.html_text(t) for t in texts)
    return (
        f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1" '
        f'BGCOLOR="{drawing.LABEL_BACKING}"><TR><TD>{lines}</TD></TR></TABLE>>'
    )


def net_key(
    n: NetNumbers, backward: bool, unlabelled: bool, notation: Callable[[str], str]
) -> list[drawing.KeyEntry]:
    """What draw_net's fills, edges and labels mean."""
    z = "z = Σ_k w_k a_k + b, its bias b" + (", δ = ∂C/∂z, ∂C/∂b" if backward else "")
    entries = [
        drawing.KeyEntry("a^1: the input", fill=drawing.INPUT_FILL),
        drawing.KeyEntry(z, fill=drawing.Z_FILL),
        drawing.KeyEntry("a = σ(z)" + (", ∂C/∂a" if backward else ""), fill=drawing.A_FILL),
    ]
    if backward:
        into = "z^L" if n.from_z else "a^L"
        entries.append(
            drawing.KeyEntry(f"the cost C, the target y; ∂C/∂{into} into C", fill=drawing.COST_FILL)
        )
    entries += [
        drawing.KeyEntry(
            "weight w > 0" + (", with ∂C/∂w" if backward else ""), edge=drawing.POSITIVE_WEIGHT
        ),
        drawing.KeyEntry("weight w < 0; thicker for larger |w|", edge=drawing.NEGATIVE_WEIGHT),
        drawing.KeyEntry("on z → a: σ'(z), the slope of σ"),
    ]
    if unlabelled:
        entries.append(
            drawing.KeyEntry(f"more than {net_layout.MAX_LANES} inputs a neuron: w unlabelled")
        )
    return [drawing.KeyEntry(notation(e.text), e.fill, e.edge) for e in entries]


def check_net_size(net: MLP, max_weights: int | None, caller: str) -> None:
    """GraphTooLargeError when the net has more than max_weights weights."""
    if max_weights is not None:
        checks.count(max_weights, f"{caller}: max_weights", least=1)
    n_weights = sum(a * b for a, b in zip(net.sizes, net.sizes[1:]))
    if max_weights is not None and n_weights > max_weights:
        raise GraphTooLargeError(
            f"{caller}: the net has {n_weights} weights, more than max_weights={max_weights}; "
            f"its picture would be unreadable. Draw a smaller net, or pass max_weights=None "
            f"to draw it anyway"
        )


def draw_net(
    net: MLP,
    x: Sequence[Value | Number],
    y: Sequence[Number] | None = None,
    cost: str = "quadratic",
    rankdir: str = "LR",
    number_format: str = ".3g",
    max_weights: int | None = 200,
    scripts: bool = True,
    key: bool = True,
) -> Drawing:
    """Trace ``net`` on x (and backpropagate the cost of target y, if given) and draw it.

    One column per layer l, headed by its name, with neuron j the j-th from the top
    (from the left with rankdir TB). Grey: the inputs a^1_k. Orange: each pre-activation
    z^l_j = Σ_k w^l_jk a^{l−1}_k + b^l_j, with its bias b^l_j and, when y is given,
    δ^l_j = ∂C/∂z^l_j and ∂C/∂b^l_j. Blue: each activation a^l_j = σ(z^l_j) with
    ∂C/∂a^l_j; the edge from z to a carries σ'(z^l_j). Edges from a^{l−1}_k to z^l_j
    are the weights w^l_jk, blue when positive, red when negative, thicker for larger
    |w|, straight onto the z row of their box, labelled with the value and ∂C/∂w^l_jk
    (unlabelled in a layer of more than four inputs a neuron). Red: the cost C, fed by
    every output a^L_j, or by every z^L_j where the cost is taken from z^L (cross-entropy
    on sigmoid outputs). Every place is computed (``viz.net_layout``) so that no two
    texts overlap; ``rankdir`` is "LR" or "TB" (narrower: for a page's column).
    With ``scripts`` indices are real superscripts and subscripts (w²₁₀, δ³₁, in
    Unicode, which every renderer and format draws); ``scripts=False`` writes the plain
    ``w^2_10`` for fonts without those characters. The net's parameters and their
    grads are left as they were. Nets with more than ``max_weights`` weights raise
    GraphTooLargeError (``max_weights=None`` draws any). With ``key`` (the default) a key
    below the picture says what the fills, edge colours and widths, and labels mean.
    """
    drawing.check_number_format(number_format)
    check_net_size(net, max_weights, "draw_net")
    numbers = trace_numbers(net, x, y, cost)
    every_number = net_lines(numbers, lambda _: True, number_format)
    return draw_lines(numbers, every_number, rankdir, scripts, with_key=key)
