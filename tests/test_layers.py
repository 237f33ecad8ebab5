"""draw_layers: a box per layer and an edge per w^l, with numbers from nn.diagnose and numpy."""

import re

import numpy as np

import nn
from nn import MLP
from viz import draw_layers, drawing


def _node(source, name):
    return re.search(rf'^\s*{name} \[label="([^"]*)"(.*)\]$', source, re.M)


def _edge(source, a, b):
    return re.search(rf'^\s*{a} -> {b} \[label="([^"]*)"(.*)\]$', source, re.M)


def test_without_data_sizes_activations_and_weight_norms():
    net = MLP(64, [30, 10], activation=["relu", "sigmoid"], seed=0)
    src = draw_layers(net).source
    assert _node(src, "l1").group(1) == "layer 1: input\\n64 units"
    assert _node(src, "l2").group(1) == "layer 2: relu\\n30 units"
    assert _node(src, "l3").group(1) == "layer 3 (output): sigmoid\\n10 units"
    norm = format(float(np.linalg.norm(net.weights()[1])), ".3g")
    assert _edge(src, "l2", "l3").group(1) == f"w³: 10×30\\n‖w³‖ = {norm}"
    assert "C [" not in src


def test_with_data_the_diagnosis_is_drawn():
    # layer 2: biases ±40 saturate both sigmoid units on every example
    net = MLP.from_matrices(
        [np.zeros((2, 2)), np.array([[0.5, -1.0], [2.0, 0.1]])],
        [np.array([40.0, -40.0]), np.zeros(2)],
    )
    data = [([0.5, -1.0], [1.0, 0.0]), ([2.0, 0.3], [0.0, 1.0])]
    health = nn.diagnose(net, data)
    src = draw_layers(net, data).source
    two, three = _node(src, "l2"), _node(src, "l3")
    assert f"mean ‖δ²‖ = {health.layers[0].delta:.3g}\\nsaturated 100%" in two.group(1)
    assert f'fillcolor="{drawing.STUCK_FILL}"' in two.group(2)
    assert f"mean ‖δ³‖ = {health.layers[1].delta:.3g}\\nsaturated 0%" in three.group(1)
    assert f'fillcolor="{drawing.A_FILL}"' in three.group(2)
    w2, w3 = _edge(src, "l1", "l2"), _edge(src, "l2", "l3")
    assert f"‖∂C/∂w²‖ = {health.layers[0].grad_w:.3g}" in w2.group(1)
    # the edge with the largest gradient is the thickest; the saturated layer's is nearly 0
    assert "penwidth=5.00" in w3.group(2) and "penwidth=0.50" in w2.group(2)
    assert _node(src, "C").group(1) == "C: quadratic cost\\nover 2 examples"
    # under cross-entropy the sigmoid output's σ' is not in δ^L: no saturation shown there
    three = _node(draw_layers(net, data, cost="cross_entropy").source, "l3").group(1)
    assert three.endswith(
        f"mean ‖δ³‖ = {nn.diagnose(net, data, 'cross_entropy').layers[1].delta:.3g}"
    )


def test_the_notation_is_draw_nets_and_scripts_false_keeps_carets():
    net = MLP(3, [4, 2], seed=0)
    data = [([0.5, -1.0, 0.2], [1.0, 0.0])]
    scripted, plain = draw_layers(net, data).source, draw_layers(net, data, scripts=False).source
    assert "^" not in scripted and "δ²" in scripted and "‖∂C/∂w³‖" in scripted
    assert "mean ‖δ^2‖" in plain and "‖∂C/∂w^3‖" in plain
