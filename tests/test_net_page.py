"""step_through_net: the δ recursion step by step, every number checked against nn.matrix."""

import pytest

from nn import MLP, matrix
from viz import step_through_net
from viz.value_page import signed

X, Y = [0.5, -1.0], [1.0, 0.0]


def _numbers(frame, eid):
    """{symbol: number text} of one element's lines in a frame."""
    return dict(text.split(" = ", 1) for text in frame.texts[eid].values() if " = " in text)


@pytest.mark.parametrize("cost", ["quadratic", "cross_entropy"])
def test_frames_follow_bp1_to_bp4_and_agree_with_the_matrix_reference(cost):
    net = MLP(2, [3, 2], seed=0)
    frames = step_through_net(net, X, Y, cost=cost).frames
    titles = [f.title for f in frames]
    assert len(frames) == 10  # forward, cost, BP1, BP2 for 3 neurons, BP3 and BP4 for 2 layers
    assert titles[2].startswith("BP1") and all(t.startswith("BP2") for t in titles[3:6])
    assert [t.split(":")[0] for t in titles[6:]] == ["BP3", "BP4", "BP3", "BP4"]
    assert all(f.equation[-1].startswith("✓ nn.matrix gives the same") for f in frames)
    bp = matrix.backprop(net.weights(), net.biases(), X, Y, cost=cost)
    last = frames[-1]
    for l, (delta, grad_w) in enumerate(zip(bp.delta, bp.grad_w), start=2):
        sup = "²³"[l - 2]
        for j, d in enumerate(delta):
            shown = _numbers(last, f"z{l}_{j}")
            sub = "₀₁₂"[j]
            assert shown[f"δ{sup}{sub}"] == signed(d, ".3g")
            assert shown[f"∂C/∂b{sup}{sub}"] == signed(d, ".3g")  # BP3
            for k, g in enumerate(grad_w[j]):
                assert _numbers(last, f"w{l}_{j}_{k}")["∂C/∂w"] == signed(g, ".3g")  # BP4


def test_numbers_appear_when_the_pass_reaches_them():
    net = MLP(2, [3, 2], seed=0)
    frames = step_through_net(net, X, Y).frames
    forward, cost, bp1, first_bp2 = frames[:4]
    assert _numbers(forward, "z3_0")["δ³₀"] == "?" and _numbers(forward, "C")["C"] == "?"
    assert _numbers(cost, "C")["C"] != "?" and _numbers(cost, "a3_1")["∂C/∂a³₁"] != "?"
    assert _numbers(bp1, "z3_1")["δ³₁"] != "?" and _numbers(bp1, "z2_0")["δ²₀"] == "?"
    assert _numbers(first_bp2, "z2_0")["δ²₀"] != "?" and _numbers(first_bp2, "z2_1")["δ²₁"] == "?"
    assert (
        _numbers(frames[6], "z3_0")["∂C/∂b³₀"] != "?"
        and _numbers(frames[6], "z2_0")["∂C/∂b²₀"] == "?"
    )


def test_bp2_highlights_the_column_of_the_next_layers_weights():
    net = MLP(2, [3, 2], seed=0)
    bp2_neuron_1 = step_through_net(net, X, Y).frames[4]
    assert bp2_neuron_1.classes["z2_1"] == "current"
    columns = sorted(eid for eid, cls in bp2_neuron_1.classes.items() if cls == "column")
    assert columns == ["w3_0_1", "w3_1_1"]  # w³ⱼ₁ for every j: column 1
    assert "δ²₁ = (w³₀₁ δ³₀ + w³₁₁ δ³₁) × σ'(z²₁)" in bp2_neuron_1.equation


def test_bp4_draws_the_weights_it_computes_as_what_the_step_computes():
    """The legend's "column" means BP2's column of w^{l+1}; BP4's weights are what it computes."""
    net = MLP(2, [3, 2], seed=0)
    frames = step_through_net(net, X, Y).frames
    bp4 = [f for f in frames if f.title.startswith("BP4")]
    for frame, l in zip(bp4, (3, 2)):
        weights = {eid: cls for eid, cls in frame.classes.items() if eid.startswith(f"w{l}_")}
        assert len(weights) == 6 and set(weights.values()) == {"current"}
        assert "column" not in frame.classes.values()
    bp2 = [f for f in frames if f.title.startswith("BP2")]
    assert all("column" in f.classes.values() for f in bp2)


def test_a_deeper_net_with_a_linear_output_and_the_page_file(tmp_path):
    net = MLP(3, [2, 2, 1], activation=["tanh", "relu", "linear"], seed=3)
    page = step_through_net(net, [0.2, -0.4, 0.9], [0.5], tmp_path / "net.html")
    # forward, cost, BP1, BP2 for 2 + 2 neurons, BP3 and BP4 for 3 layers
    assert len(page.frames) == 3 + 4 + 6
    assert all(f.equation[-1].startswith("✓") for f in page.frames)
    assert page.path.read_text(encoding="utf-8") == page.html


def test_bad_arguments(tmp_path):
    net = MLP(2, [1], seed=0)
    with pytest.raises(ValueError, match="a target y is needed"):
        step_through_net(net, X, None)
    with pytest.raises(ValueError, match=r"target must have 1 value \(the net's outputs\), got 2"):
        step_through_net(net, X, [1.0, 0.0])
    with pytest.raises(ValueError, match="must end in .html"):
        step_through_net(net, X, [1.0], tmp_path / "net.txt")


def test_cross_entropy_on_sigmoid_outputs_starts_from_z_with_its_own_rule():
    net = MLP(2, [3, 2], seed=0)
    frames = step_through_net(net, X, Y, cost="cross_entropy").frames
    cost, bp1 = frames[1], frames[2]
    assert sorted(e for e, c in cost.classes.items() if c == "receiving") == ["z3_0", "z3_1"]
    assert "∂C/∂a³₀" not in " ".join(cost.texts["a3_0"].values())  # the cost never reads a^L
    a = [float(v) for v in matrix.feedforward(net.weights(), net.biases(), X)]
    assert bp1.equation[0] == "BP1 for this cost: δᴸ = aᴸ − y"
    assert bp1.equation[1] == f"δ³₀ = {signed(a[0], '.3g')} − 1 = {signed(a[0] - 1, '.3g')}"


@pytest.mark.parametrize("cost", ["quadratic", "log_likelihood"])
def test_a_softmax_layer_is_shown_as_layer_wise_and_still_agrees_with_the_matrix(cost):
    # softmax's a_j depends on every z_k: no σ'(z_j) of its own to draw or multiply by
    net = MLP(3, [4, 3], activation=["softmax", "softmax"], seed=1)
    frames = step_through_net(net, [0.5, -1.0, 0.2], [0.0, 1.0, 0.0], cost=cost).frames
    assert all(f.equation[-1].startswith("✓ nn.matrix gives the same") for f in frames)
    edge = frames[-1].texts["s3_0"]
    assert any("softmax of every z" in text for text in edge.values())
    assert not any(text.startswith("σ'") for text in edge.values())
    bp1 = next(f for f in frames if f.title.startswith("BP1"))
    if cost == "quadratic":
        assert bp1.equation[0].startswith("BP1 for a layer-wise σ")


# each label is a page drawn by Graphviz: the quick suite takes every fifth
@pytest.mark.parametrize("every", [pytest.param(1, marks=pytest.mark.slow), 5])
def test_no_input_label_reaches_the_html_parser_inside_the_frames_script(hostile_labels, every):
    # the net page shows the labels of Values given as x
    import re

    from engine import Value

    for label in hostile_labels[::every]:
        x = [Value(0.5, label=label), Value(-1.0, label="x2")]
        page = step_through_net(MLP(2, [2, 1], seed=0), x, [1.0])
        scripts = re.findall(r"<script[^>]*>(.*?)</script>", page.html, re.S)
        assert len(scripts) == 2 and "<" not in scripts[0], label
        assert page.frames[0].texts["a1_0"][0] == f"{label} = 0.5", label


def test_softmax_steps_show_the_jacobian_and_every_number_they_use():
    net = MLP(3, [4, 3], activation=["softmax", "softmax"], seed=1)
    x, y = [0.5, -1.0, 0.2], [0.0, 1.0, 0.0]
    frames = step_through_net(net, x, y, cost="quadratic").frames
    a = matrix.feedforward(net.weights(), net.biases(), x, net.activations)  # a^3, independently
    bp1 = next(f for f in frames if f.title.startswith("BP1"))
    jacobian_00 = a[0] * (1 - a[0])  # ∂a_0/∂z_0 of softmax
    assert f"× {signed(jacobian_00, '.3g')}" in bp1.equation[2]
    for f in frames:
        if f.title.startswith("BP2"):
            assert "Jacobian" in " ".join(f.caption) and "σ' scales" not in " ".join(f.caption)
            for m in range(4):  # δ²_k needs every ∂C/∂a²_m: all are shown at this step
                assert "?" not in " ".join(f.texts[f"a2_{m}"].values())
        if f.title.startswith(("BP1", "BP2")):
            assert f.equation[-1].startswith("✓")
