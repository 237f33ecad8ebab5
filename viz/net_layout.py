"""Where draw_net puts each box, edge and label: a regular layered layout, pinned for Graphviz.

A net is regular, so its picture is computed here rather than left to ``dot``: one column
per kind of box (a^1, z^2, a^2, …, C), neuron j the j-th along it, every box of a known
size (its table cells are fixed), every weight's edge a straight line onto its z box's
z row, and every label at a point chosen so that no two texts can overlap. Graphviz then
only draws (``neato -n2``). Coordinates are points, u along the layers and v across
them; LR maps (u, v) to (x, y) and TB to (y, x), y growing downwards here.

The weight labels of a layer sit in lanes across the gap before its z column: lane k
holds the labels of the edges leaving a^{l−1}_k, far enough along them that edges fanning
out to neighbouring z's are a label apart there. A layer with more than MAX_LANES
inputs per neuron has a single lane (only one a^{l−1}_k's edges are ever labelled at a
time: the page's BP2 column) and the static drawing leaves its weights unlabelled.
"""

from __future__ import annotations

from dataclasses import dataclass

from viz import drawing

ROW = 17.0  # a table row: an 11 pt line and its padding
BORDER = 1.0
PAD = 6.0  # space left and right of a box's widest text
EDGE_LINE = 11.0  # an edge label's line of 9 pt text
GAP = 14.0  # the least space between two things drawn side by side
ARROW = 10.0  # an arrowhead's length
# A layer with more inputs per neuron gets one lane (labels shown one column at a time).
MAX_LANES = 4


@dataclass
class Box:
    """A table of rows: its size and centre in points (y downwards)."""

    texts: list[str]
    w: float  # x extent
    h: float  # y extent
    x: float = 0.0
    y: float = 0.0

    @property
    def top(self) -> float:
        return self.y - self.h / 2

    def row_y(self, i: int) -> float:
        """The y of row i's middle (LR: where edges meet it)."""
        return self.top + BORDER + ROW * (i + 0.5)


def box(texts: list[str]) -> Box:
    """A table whose fixed cells hold texts, one per row, at the drawings' font size."""
    width = max(drawing.text_width(t, float(drawing.FONT_SIZE)) for t in texts) + 2 * PAD
    return Box(texts, round(width), ROW * len(texts) + 2 * BORDER)


@dataclass
class Label:
    """An edge label's lines and size, and where its centre is."""

    texts: list[str]
    w: float
    h: float
    x: float = 0.0
    y: float = 0.0


def label(texts: list[str]) -> Label:
    """The size of an edge label of these lines."""
    width = max(drawing.text_width(t, float(drawing.EDGE_FONT_SIZE)) for t in texts) + 4
    return Label(texts, width, EDGE_LINE * len(texts) + 4)


def heading(texts: list[str]) -> Label:
    """The size of a layer's heading, at the boxes' font size."""
    width = max(drawing.text_width(t, float(drawing.FONT_SIZE)) for t in texts) + 4
    return Label(texts, width, ROW * len(texts))


Point = tuple[float, float]


class _Axes:
    """(u, v) ↔ (x, y): u runs along the layers (x for LR, y for TB), v across them."""

    def __init__(self, rankdir: str) -> None:
        self.lr = rankdir == "LR"

    def along(self, thing: Box | Label) -> float:
        return thing.w if self.lr else thing.h

    def across(self, thing: Box | Label) -> float:
        return thing.h if self.lr else thing.w

    def xy(self, u: float, v: float) -> Point:
        return (u, v) if self.lr else (v, u)


@dataclass
class NetShape:
    """What a net's picture holds, before it is placed.

    ``columns`` are the boxes in order (a^1, z^2, a^2, …, z^L, a^L); ``weights`` maps an
    edge id to (c, k, j, label): from box k of column c (an a^{l−1}) to box j of column
    c + 1 (z^l); ``sigmas`` maps an edge id to (c, j, label): from z^l_j in column c to
    a^l_j; ``cost`` is the C box, and ``cost_edges`` (c, j, label) run from box j of
    column c to it (``from_z``: out of the z box, around its a box); ``headings`` are
    (first column of the layer, heading).
    """

    columns: list[list[Box]]
    weights: dict[str, tuple[int, int, int, Label | None]]
    sigmas: dict[str, tuple[int, int, Label]]
    headings: list[tuple[int, Label]]
    cost: Box | None = None
    cost_edges: dict[str, tuple[int, int, Label]] | None = None
    from_z: bool = False


def _lanes(n_inputs: int) -> int:
    return n_inputs if n_inputs <= MAX_LANES else 1


def place(shape: NetShape, rankdir: str) -> dict[str, list[Point]]:
    """Give every box, label and heading of ``shape`` its centre; the edges' polylines, by id."""
    ax = _Axes(rankdir)
    cols = shape.columns
    cost_edges = shape.cost_edges or {}
    lanes_of: dict[int, list[Label]] = {}
    for c, _, _, lab in shape.weights.values():
        if lab is not None:
            lanes_of.setdefault(c, []).append(lab)
    labels = [lab for labs in lanes_of.values() for lab in labs]
    labels += [lab for *_, lab in shape.sigmas.values()] + [lab for *_, lab in cost_edges.values()]
    boxes = [b for col in cols for b in col] + ([shape.cost] if shape.cost else [])
    deepest = max((ax.across(lab) for lab in labels), default=0.0)
    # neighbouring boxes a GAP apart, and lanes where edges fanning out are a label apart
    pitch = max(max(ax.across(b) for col in cols for b in col) + GAP, (deepest + 3) / 0.6)
    most = max(len(col) for col in cols)
    v_of = [[((most - len(col)) / 2 + j) * pitch for j in range(len(col))] for col in cols]

    def lane_size(c: int) -> tuple[int, float, float]:
        """Column c's weight lanes: how many, their extent along u, and the least t on the edge."""
        labs = lanes_of[c]
        t_min = (max(ax.across(lab) for lab in labs) + 3) / pitch
        return _lanes(len(cols[c])), max(ax.along(lab) for lab in labs) + GAP, t_min

    def gap_after(c: int) -> float:
        if c + 1 == len(cols):  # the cost's edges: a label, then a slope onto C
            return max(ax.along(lab) for *_, lab in cost_edges.values()) + 3 * GAP + 40
        sigmas = [ax.along(lab) for cc, _, lab in shape.sigmas.values() if cc == c]
        if sigmas:  # z → a
            return max(sigmas) + 2 * GAP + ARROW
        if c not in lanes_of:
            return 4 * GAP + ARROW
        n_lanes, lane, t_min = lane_size(c)
        rest = n_lanes * lane + GAP + ARROW
        return max(GAP, (t_min * rest - lane / 2) / (1 - t_min)) + rest

    starts: list[float] = []
    ends: list[float] = []
    u = 0.0
    for c, col in enumerate(cols):
        starts.append(u)
        ends.append(u + max(ax.along(b) for b in col))
        for b, v in zip(col, v_of[c]):
            # the first row (LR) or the middle (TB) of a box on its neuron's line
            vc = v - ROW / 2 - BORDER + ax.across(b) / 2 if ax.lr else v
            b.x, b.y = ax.xy(u + ax.along(b) / 2, vc)
        if c + 1 < len(cols) or shape.cost:
            u = ends[-1] + gap_after(c)

    def before_line(lab: Label, u: float, v: float) -> None:
        """The label centred at u, just before (above, or left of) the line at v."""
        lab.x, lab.y = ax.xy(u, v - ax.across(lab) / 2 - 1)

    lines: dict[str, list[Point]] = {}
    for eid, (c, k, j, lab) in shape.weights.items():
        tail = (starts[c] + ax.along(cols[c][k]), v_of[c][k])
        tip = (starts[c + 1], v_of[c + 1][j])
        lines[eid] = [tail, tip]
        if lab is not None:
            n_lanes, lane, _ = lane_size(c)
            u_lab = starts[c + 1] - ARROW - GAP - (n_lanes - k % n_lanes - 0.5) * lane
            t = (u_lab - tail[0]) / (tip[0] - tail[0])
            before_line(lab, u_lab, tail[1] + t * (tip[1] - tail[1]))
    for eid, (c, j, lab) in shape.sigmas.items():
        tail = (starts[c] + ax.along(cols[c][j]), v_of[c][j])
        lines[eid] = [tail, (starts[c + 1], v_of[c + 1][j])]
        before_line(lab, (ends[c] + starts[c + 1] - ARROW) / 2, tail[1])
    if shape.cost:
        v_c = (v_of[-1][0] + v_of[-1][-1]) / 2
        shape.cost.x, shape.cost.y = ax.xy(u + ax.along(shape.cost) / 2, v_c)
        for eid, (c, j, lab) in cost_edges.items():
            b = cols[c][j]
            if shape.from_z and ax.lr:  # under the a box, out of z's last row
                points = [(starts[c] + b.w, b.row_y(len(b.texts) - 1))]
            elif shape.from_z:  # beside the a box, out of z's last row
                row_u = starts[c] + BORDER + ROW * (len(b.texts) - 0.5)
                side = v_of[c][j] + b.w / 2
                points = [(row_u, side), (row_u, side + GAP / 2)]
            else:
                points = [(starts[c] + ax.along(b), v_of[c][j])]
            v_line = points[-1][1]
            points += [(ends[-1] + ax.along(lab) + 2 * GAP, v_line), (u, v_c)]
            lines[eid] = points
            before_line(lab, ends[-1] + GAP + ax.along(lab) / 2, v_line)
    first = min(
        [(b.y if ax.lr else b.x) - ax.across(b) / 2 for b in boxes]
        + [(lab.y if ax.lr else lab.x) - ax.across(lab) / 2 for lab in labels]
    )
    for c, head in shape.headings:
        last = c + 1 if c + 1 < len(cols) and c in {cc for cc, *_ in shape.sigmas.values()} else c
        head.x, head.y = ax.xy((starts[c] + ends[last]) / 2, first - GAP - ax.across(head) / 2)
    return {eid: [ax.xy(*p) for p in points] for eid, points in lines.items()}


def spline(points: list[Point]) -> str:
    """Graphviz's pos of an edge (y upwards) along the polyline, its arrow ending at the last point."""
    *body, tip = points
    (x0, y0), (x1, y1) = body[-1], tip
    length = max(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5, 1e-9)
    end = (x1 - (x1 - x0) * ARROW / length, y1 - (y1 - y0) * ARROW / length)
    body.append(end)
    path = [body[0]]
    for (ax_, ay), (bx, by) in zip(body, body[1:]):  # a straight cubic per segment
        path += [(ax_ + (bx - ax_) / 3, ay + (by - ay) / 3)]
        path += [(ax_ + 2 * (bx - ax_) / 3, ay + 2 * (by - ay) / 3), (bx, by)]
    return f"e,{x1:.2f},{-y1:.2f} " + " ".join(f"{x:.2f},{-y:.2f}" for x, y in path)


def pos(x: float, y: float) -> str:
    """Graphviz's pos of a point (y upwards)."""
    return f"{x:.2f},{-y:.2f}"
