"""draw_net: a column per layer in index order, Nielsen's names, and δ^l_j equal to nn.matrix.backprop's."""

import re
import xml.etree.ElementTree as ET

import pytest

from nn import MLP, matrix
from viz import GraphTooLargeError, draw_net, drawing, step_through_net
from viz.rendering import pipe


def _labels(source, prefix):
    """The labels of the nodes named prefix…, a table's cells joined by "|"."""
    found = re.findall(rf'^\s*{prefix}\d+_\d+ \[label=(?:"([^"]*)"|<(.*)>)', source, re.M)
    return [text or "|".join(re.findall("<TD[^>]*>(.*?)</TD>", table)) for text, table in found]


@pytest.mark.parametrize("cost", ["quadratic", "cross_entropy"])
def test_two_three_two_net(cost):
    net = MLP(2, [3, 2], seed=0)
    x, y = [0.5, -1.0], [1.0, 0.0]
    src = draw_net(net, x, y, cost=cost, number_format=".6g", scripts=False).source
    assert re.findall(r"layer\d+ \[label=\"(layer \d+)", src) == ["layer 1", "layer 2", "layer 3"]
    bp = matrix.backprop(net.weights(), net.biases(), x, y, cost=cost)
    z_labels = _labels(src, "z")
    assert len(z_labels) == 5
    for l, delta in enumerate(bp.delta, start=2):
        for j, d in enumerate(delta):
            (label,) = [s for s in z_labels if s.startswith(f"z^{l}_{j} ")]
            assert f"δ^{l}_{j} = {d:.6g}" in label
            assert f"b^{l}_{j} = {net.biases()[l - 2][j]:.6g}" in label
            assert f"∂C/∂b^{l}_{j} = {bp.grad_b[l - 2][j]:.6g}" in label  # BP3
    for l, (W, grad_w) in enumerate(zip(net.weights(), bp.grad_w), start=2):
        for j in range(W.shape[0]):
            for k in range(W.shape[1]):
                assert f"w^{l}_{j}{k} = {W[j, k]:.6g}<BR/>∂C/∂w = {grad_w[j, k]:.6g}" in src
    assert [s.split(" = ")[0] for s in _labels(src, "a")] == [
        "a^1_0",
        "a^1_1",
        "a^2_0",
        "a^2_1",
        "a^2_2",
        "a^3_0",
        "a^3_1",
    ]
    assert f"C = {bp.cost:.6g}" in src


def test_without_a_target_there_is_no_cost_and_no_delta():
    net = MLP(2, [3, 2], seed=0)
    src = draw_net(net, [0.5, -1.0], scripts=False).source
    assert "δ" not in src and "∂C" not in src and " C [" not in src
    assert len(_labels(src, "z")) == 5


def test_parameters_and_grads_are_left_alone():
    net = MLP(2, [2, 1], activation=["relu", "linear"], seed=1)
    for p in net.parameters():
        p.grad = 0.5
    before = [p.data for p in net.parameters()]
    src = draw_net(net, [1.0, 2.0], [0.3]).source
    assert [p.data for p in net.parameters()] == before
    assert all(p.grad == 0.5 for p in net.parameters())
    assert "<TD>identity</TD>" in src  # a linear layer's a is its z


def test_bad_input_is_refused_before_drawing():
    net = MLP(2, [1], seed=0)
    with pytest.raises(ValueError, match="input must have 2 values"):
        draw_net(net, [1.0])
    with pytest.raises(ValueError, match="target must have 1 value \\(the net's outputs\\), got 2"):
        draw_net(net, [1.0, 2.0], [1.0, 0.0])
    with pytest.raises(ValueError, match="cost must be one of .*, got 'hinge'"):
        draw_net(net, [1.0, 2.0], [1.0], cost="hinge")


def test_large_nets_are_refused_clearly_unless_asked():
    net = MLP(20, [11, 2], seed=0)
    with pytest.raises(
        GraphTooLargeError, match="the net has 242 weights, more than max_weights=200"
    ):
        draw_net(net, [0.1] * 20)
    src = draw_net(net, [0.1] * 20, [1.0, 0.0], max_weights=None).source
    assert len(re.findall(r"\bid=w\d", src)) == 242  # every weight's edge is drawn
    # more than four inputs per neuron: the weights are not labelled (their lanes would be wide)
    assert "w²" not in src and "w³" not in src


def test_indices_are_real_superscripts_and_subscripts():
    net = MLP(2, [3, 2], seed=0)
    src = draw_net(net, [0.5, -1.0], [1.0, 0.0]).source
    for name in ("a¹₀ = 0.5", "z²₀ = ", "b²₂ = ", "δ³₁ = ", "∂C/∂b³₁ = ", "w²₁₀ = ", "∂C/∂a³₀ = "):
        assert name in src, name
    assert "C = ½ Σⱼ (aᴸⱼ − yⱼ)²" in src and "σ(z) = 1/(1 + e⁻ᶻ)" in src
    assert not re.search(r"[abdwzδ]\^\d", src)


def test_a_two_digit_index_keeps_its_comma_plainly():
    net = MLP(2, [11, 1], seed=0)  # w³_0,10 is labelled on the page, in BP2's column 10
    assert "w³_0,10 = " in step_through_net(net, [0.1, 0.2], [1.0]).html


def test_draw_net_on_a_saturated_sigmoid_with_cross_entropy():
    # a == 1.0 exactly with target 0 used to die on ln(1 − a); the
    # cross-entropy record takes C from z^L, so C is fed by z^L and δ^L = a − y = 1
    net = MLP.from_matrices([[[30.0, 30.0]]], [[0.0]])
    src = draw_net(
        net, [1.0, 1.0], [0.0], cost="cross_entropy", number_format=".6g", scripts=False
    ).source
    assert "C = 60" in src and "δ^2_0 = 1" in src
    assert "z2_0 -> C" in src and re.search(r"c0_label \[label=<.*>∂C/∂z\^2_0 = 1<", src)
    assert "a2_0 -> C" not in src and "∂C/∂a^2_0" not in src
    assert "ln(1 + e^(z^L_j)) − y_j z^L_j" in src


def test_cost_and_activation_texts_come_from_their_records():
    net = MLP(2, [2, 1], activation=["tanh", "sigmoid"], seed=0)
    src = draw_net(net, [0.5, -1.0], [1.0], cost="quadratic", scripts=False).source
    assert "layer 2\\ntanh, σ(z) = tanh z" in src
    assert "layer 3 (output)\\nsigmoid, σ(z) = 1/(1 + e^−z)" in src
    assert "C = ½ Σ_j (a^L_j − y_j)²" in src and re.search(r"a3_0 -> C", src)


def _centres(svg):
    """{node id: (x, y)} of every node's outline in an SVG, y growing downwards."""
    svg_ns = "{http://www.w3.org/2000/svg}"
    centres = {}
    for g in ET.fromstring(svg).iter(f"{svg_ns}g"):
        outline = g.find(f"{svg_ns}polygon")
        if "node" in g.get("class", "").split() and outline is not None:
            points = [tuple(map(float, p.split(","))) for p in outline.get("points").split()]
            xs, ys = zip(*points)
            centres[g.get("id")] = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    return centres


@pytest.mark.parametrize(
    ("sizes", "rankdir"),
    [((3, [4, 3]), "LR"), ((3, [6, 6, 2]), "LR"), ((5, [8, 4]), "LR"), ((3, [4, 3]), "TB")],
)
def test_neurons_are_drawn_in_index_order_in_every_layer(renderer, sizes, rankdir):
    """Neuron j of every layer (inputs a^1_k too) is the j-th from the top (from the left in TB),
    as the pages' "column k of w^{l+1}" needs; dot's own ordering scrambled nets above 2-3-2."""
    n_in, layers = sizes
    net = MLP(n_in, layers, seed=2)
    picture = draw_net(
        net, [0.1 * (k + 1) for k in range(n_in)], [1.0] * layers[-1], rankdir=rankdir
    )
    centres = _centres(pipe(picture.source, "svg", renderer).decode("utf-8"))
    across = 1 if rankdir == "LR" else 0  # the axis a layer's neurons are spread along
    for l, n_l in enumerate([n_in, *layers], start=1):
        for kind in ("a",) if l == 1 else ("z", "a"):
            along = [centres[f"{kind}{l}_{j}"][across] for j in range(n_l)]
            assert along == sorted(along), f"{kind}^{l}: {along}"
            assert len(set(along)) == n_l


def _key_texts(svg):
    svg_ns = "{http://www.w3.org/2000/svg}"
    (key,) = [g for g in ET.fromstring(svg).iter(f"{svg_ns}g") if g.get("id") == "key"]
    return ["".join(t.itertext()) for t in key.iter(f"{svg_ns}text")]


def test_a_key_says_what_the_fills_edges_and_labels_mean(renderer):
    net = MLP(2, [3, 2], seed=0)
    picture = draw_net(net, [0.5, -1.0], [1.0, 0.0])
    texts = _key_texts(pipe(picture.source, "svg", renderer, pinned=True).decode("utf-8"))
    assert texts[0] == "Key"
    joined = " ".join(texts)
    for meaning in ("the input", "δ = ∂C/∂z", "a = σ(z)", "the cost C", "w > 0", "w < 0"):
        assert meaning in joined, meaning
    assert "thicker for larger |w|" in joined and "σ'(z)" in joined
    for fill in (drawing.INPUT_FILL, drawing.Z_FILL, drawing.A_FILL, drawing.COST_FILL):
        assert f'BGCOLOR="{fill}"' in picture.source.split("\tkey [")[1]
    assert "key [" not in draw_net(net, [0.5, -1.0], [1.0, 0.0], key=False).source
    wide = draw_net(MLP(5, [2], seed=0), [0.1] * 5, [1.0, 0.0]).source
    assert "more than 4 inputs a neuron: w unlabelled" in wide  # the key says why


def test_draw_dot_has_a_key_on_request():
    from engine import Value
    from viz import draw_dot

    x = Value(2.0, label="x")
    y = x * x
    y.backward()
    assert "key [" not in draw_dot(y).source
    src = draw_dot(y, key=True, check=True).source
    for meaning in ("#k on an edge", "∂= on an edge", "the root", "agrees", "a kink"):
        assert meaning in src, meaning
    assert "∂= on an edge" not in draw_dot(y, key=True, show_local_grads=False).source


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_every_weight_arrow_lands_on_its_z_row(renderer, rankdir):
    """The arrow of w^l_jk ends on the z^l_j row of its box, not on the b or δ rows (at its edge:
    dot puts the tip on it, graphviz-pure a few points short, more for a thicker pen)."""
    svg_ns = "{http://www.w3.org/2000/svg}"
    net = MLP(3, [4, 2], seed=0)
    picture = draw_net(net, [0.5, -1.0, 0.5], [1.0, 0.0], rankdir=rankdir)
    root = ET.fromstring(pipe(picture.source, "svg", renderer, pinned=True).decode("utf-8"))
    groups = {g.get("id"): g for g in root.iter(f"{svg_ns}g")}

    def points(polygon):
        return [tuple(map(float, p.split(","))) for p in polygon.get("points").split()]

    for l, (n_out, n_in) in enumerate([(4, 3), (2, 4)], start=2):
        for j in range(n_out):
            xs, ys = zip(*points(groups[f"z{l}_{j}"].find(f"{svg_ns}polygon")))
            rows = len(groups[f"z{l}_{j}"].findall(f"{svg_ns}text"))
            row = (max(ys) - min(ys)) / rows  # the z row is the first of equal rows
            for k in range(n_in):
                head = points(groups[f"w{l}_{j}_{k}"].find(f"{svg_ns}polygon"))
                if rankdir == "LR":  # the tip is the head's rightmost point, on the box's left
                    x, y = max(head)
                    assert abs(x - min(xs)) < 5 and min(ys) <= y <= min(ys) + row
                else:  # the tip is the lowest point, on the box's top, the z row's edge
                    x, y = max(head, key=lambda p: p[1])
                    assert abs(y - min(ys)) < 5 and min(xs) <= x <= max(xs)


def test_a_net_is_drawn_left_to_right_or_top_to_bottom_only():
    with pytest.raises(ValueError, match="rankdir must be 'LR' or 'TB' for a net, got 'RL'"):
        draw_net(MLP(2, [1], seed=0), [1.0, 2.0], rankdir="RL")


@pytest.mark.slow  # a page of 400 weights
def test_step_through_net_takes_a_10_20_10_net_and_says_clearly_above_it():
    page = step_through_net(MLP(10, [20, 10], seed=0), [0.1] * 10, [1.0] + [0.0] * 9)
    assert len(page.frames) == 1 + 2 + 20 + 4  # forward, cost, BP1, BP2 × 20, BP3/BP4 × 2
    with pytest.raises(GraphTooLargeError, match="420 weights, more than max_weights=400"):
        step_through_net(MLP(10, [21, 10], seed=0), [0.1] * 10, [1.0] + [0.0] * 9)
