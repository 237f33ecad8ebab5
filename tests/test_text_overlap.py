"""No two texts of a drawing overlap: nets and expression graphs, static and on every page step.

Each text's box is estimated from what the renderer wrote (x, y, font size, anchor) with
Helvetica-like character widths a little on the wide side (0.58 em for a digit, whose width is
0.556 em), from the baseline up by 0.75 em and down by 0.2 em; two boxes that share more
than an edge overlap.
"""

import xml.etree.ElementTree as ET

import pytest

from engine import Value
from nn import MLP
from viz import draw_dot, draw_net, rendering, step_through, step_through_net
from viz.rendering import pipe

SVG = "{http://www.w3.org/2000/svg}"
EM = 0.58  # most characters
NARROW = {**dict.fromkeys(" .,:;|!ijl'", 0.28), **dict.fromkeys("()[]rtf-", 0.34)}
WIDE = dict.fromkeys("mwMW", 0.86)
BOLD = 1.1  # Helvetica Bold's characters are about a tenth wider
PAGE_SENDING_SIZE = "11"  # page.css: the text of an edge a step sends along, bold

# the 10-20-10 net's 400 weights are slow to draw and check: the quick suite takes the small two
NETS = [(2, [3, 2]), (3, [4, 4, 2]), pytest.param(10, [20, 10], marks=pytest.mark.slow)]


def _box(t):
    text = "".join(t.itertext())
    size = float(t.get("font-size"))
    width = sum(NARROW.get(ch, WIDE.get(ch, 0.7 if ch.isupper() else EM)) for ch in text) * size
    width *= BOLD if t.get("font-weight") == "bold" else 1.0
    x, y = float(t.get("x")), float(t.get("y"))
    left = x - {"middle": width / 2, "end": width}.get(t.get("text-anchor", "start"), 0.0)
    return text, (left, y - 0.75 * size, left + width, y + 0.2 * size)


def overlapping(root):
    """The pairs of non-empty texts under root whose boxes overlap."""
    boxes = [_box(t) for t in root.iter(f"{SVG}text") if "".join(t.itertext()).strip()]
    found = []
    for i, (text, a) in enumerate(boxes):
        for other, b in boxes[:i]:
            if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]:
                found.append((other, text))
    return found


def frames_overlapping(svg, frames):
    """Overlaps on each step of a page: the frame's texts put into its picture, as page.js does,
    in the size and weight page.css gives an edge's text on that step."""
    root = ET.fromstring(svg[svg.index("<svg") : svg.index("</svg>") + len("</svg>")])
    groups = {g.get("id"): g for g in root.iter(f"{SVG}g")}
    drawn_size = {t: t.get("font-size") for t in root.iter(f"{SVG}text")}
    found = {}
    for step, frame in enumerate(frames):
        for eid, by_index in frame.texts.items():
            texts = list(groups[eid].iter(f"{SVG}text")) if eid in groups else []
            for i, text in by_index.items():
                if texts:
                    texts[i].text = text
        for eid, g in groups.items():
            if "edge" not in g.get("class", ""):
                continue
            classes = frame.classes.get(eid, "").split()
            for t in g.iter(f"{SVG}text"):
                t.set("font-size", PAGE_SENDING_SIZE if "sending" in classes else drawn_size[t])
                bold = {"sending", "current", "column"} & set(classes)
                t.set("font-weight", "bold" if bold else "normal")
        if pairs := overlapping(root):
            found[step] = pairs
    return found


def _net(n_in, layers):
    net = MLP(n_in, layers, seed=0)
    x = [0.5 if k % 2 == 0 else -1.0 for k in range(n_in)]
    return net, x, [1.0] + [0.0] * (layers[-1] - 1)


def _only(monkeypatch, renderer):
    """Pages draw through this renderer alone."""
    monkeypatch.setattr(rendering, "RENDERERS", {renderer: rendering.RENDERERS[renderer]})


def test_the_estimate_sees_an_overlap():
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg">'
        '<text text-anchor="middle" x="50" y="20" font-size="9">#0 += 2 × 1</text>'
        '<text text-anchor="middle" x="54" y="24" font-size="9">#1 += 2 × 1</text>'
        '<text text-anchor="start" x="200" y="24" font-size="9">apart</text></svg>'
    )
    assert overlapping(ET.fromstring(svg)) == [("#0 += 2 × 1", "#1 += 2 × 1")]


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
@pytest.mark.parametrize(("n_in", "layers"), NETS)
def test_no_text_of_a_net_overlaps_another(renderer, n_in, layers, rankdir):
    net, x, y = _net(n_in, layers)
    drawing = draw_net(net, x, y, rankdir=rankdir, max_weights=None)
    svg = pipe(drawing.source, "svg", renderer, pinned=True).decode("utf-8")
    assert overlapping(ET.fromstring(svg)) == []


@pytest.mark.parametrize("cost", ["quadratic", "cross_entropy"])
@pytest.mark.parametrize(("n_in", "layers"), NETS)
def test_no_text_overlaps_on_any_step_of_a_net_page(renderer, monkeypatch, n_in, layers, cost):
    _only(monkeypatch, renderer)
    net, x, y = _net(n_in, layers)
    page = step_through_net(net, x, y, cost=cost)
    assert frames_overlapping(page.html, page.frames) == {}


def _square_plus_three_x():
    x = Value(2.0, label="x")
    y = x * x + 3 * x
    y.label = "y"
    return y


def _neuron():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2, b = Value(-3.0, label="w1"), Value(1.0, label="w2"), Value(6.88, label="b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.label = "o"
    return o


@pytest.mark.parametrize("make", [_square_plus_three_x, _neuron])
def test_no_text_of_an_expression_graph_overlaps(renderer, monkeypatch, make):
    root = make()
    root.backward()
    for drawing in (draw_dot(root), draw_dot(root, key=True, check=True)):
        svg = pipe(drawing.source, "svg", renderer).decode("utf-8")
        assert overlapping(ET.fromstring(svg)) == []
    _only(monkeypatch, renderer)
    page = step_through(make())
    assert frames_overlapping(page.html, page.frames) == {}


def test_no_text_of_a_layer_view_or_a_compiled_replay_overlaps(renderer):
    import engine
    from viz import draw_groups, draw_layers

    net = MLP(4, [6, 3], seed=0)
    data = [([0.1, 0.2, 0.3, 0.4], [1.0, 0.0, 0.0]), ([0.4, 0.3, 0.2, 0.1], [0.0, 1.0, 0.0])]
    compiled = engine.compile(lambda x: sum(net(x)) * 2, ([0.0] * 4,), net.parameters())
    for drawing in (
        draw_layers(net, data, key=True),
        draw_layers(net, data, rankdir="TB", key=True),
        draw_groups(compiled, key=True),
    ):
        svg = pipe(drawing.source, "svg", renderer).decode("utf-8")
        assert overlapping(ET.fromstring(svg)) == []
        assert "Key" in svg
    assert "key [" not in draw_layers(net, data).source + draw_groups(compiled).source
