"""sum_over_paths_net: the paths from w^l_jk to C through neurons, against backward(), BP4 and
central differences."""

import math

import pytest

from nn import MLP, matrix
from viz import sum_over_paths_net
from viz.network import trace_numbers
from viz.paths_pages import net_paths

X, Y = [0.5, -1.0], [1.0, 0.0]


def _cost(net, cost):
    return matrix.backprop(net.weights(), net.biases(), X, Y, net.activations, cost).cost


def _central_difference(net, l, j, k, cost, h=1e-6):
    w = net.layers[l - 2].neurons[j].w[k]
    w.data += h
    up = _cost(net, cost)
    w.data -= 2 * h
    down = _cost(net, cost)
    w.data += h
    return (up - down) / (2 * h)


def test_a_2_3_3_2_net_has_6_path_steps_and_the_sum_is_bp4():
    net = MLP(2, [3, 3, 2], seed=0)
    frames = sum_over_paths_net(net, X, Y, weight=(2, 1, 0)).frames
    path_steps = [f for f in frames if f.title.startswith("Path ")]
    assert len(path_steps) == 6 == 3 * 2 and len(frames) == 1 + 6 + 2
    assert path_steps[0].title == "Path 1 of 6: w²₁₀ → z²₁ → a²₁ → z³₀ → a³₀ → z⁴₀ → a⁴₀ → C"
    assert path_steps[0].equation[0] == "a¹₀ · σ'(z²₁) · w³₀₁ · σ'(z³₀) · w⁴₀₀ · σ'(z⁴₀) · ∂C/∂a⁴₀"
    bp = matrix.backprop(net.weights(), net.biases(), X, Y)
    expected = f"{bp.grad_w[0][1][0]:.3g}".replace("-", "−")
    assert path_steps[-1].equation[-1] == f"Σ over paths 1…6 = {expected}"
    total = frames[-2]
    assert total.equation[0] == f"Σ_paths = {expected}"
    assert [line[0] for line in total.equation if line[0] in "✓✗"] == ["✓", "✓"]  # backward, BP4
    assert all(w.grad == 0.0 for w in net.parameters())  # the page leaves the grads as they were


@pytest.mark.parametrize(
    "sizes, activation, cost",
    [
        ([3, 3, 2], "sigmoid", "quadratic"),
        ([3, 3, 2], "sigmoid", "cross_entropy"),  # the cost taken from z^L: no σ'(z^L)
        ([3, 2], "tanh", "quadratic"),
        ([3, 2], ["relu", "softmax"], "log_likelihood"),
        ([2, 2], ["sigmoid", "linear"], "quadratic"),
    ],
)
def test_every_sum_is_bp4_and_the_central_difference(sizes, activation, cost):
    net = MLP(2, sizes, activation=activation, seed=1)
    n = trace_numbers(net, X, Y, cost)
    bp = matrix.backprop(net.weights(), net.biases(), X, Y, net.activations, cost)
    for l in range(2, len(net.sizes) + 1):
        for j in range(net.sizes[l - 1]):
            for k in range(net.sizes[l - 2]):
                found = net_paths(n, l, j, k)
                assert len(found) == math.prod(net.sizes[l:])
                total = sum(p.product for p in found)
                assert total == pytest.approx(bp.grad_w[l - 2][j][k], rel=1e-12, abs=1e-15)
                central = _central_difference(net, l, j, k, cost)
                assert total == pytest.approx(central, rel=1e-5, abs=1e-8)


def test_the_factoring_step_shares_delta_over_every_weight_into_the_neuron():
    net = MLP(2, [3, 3, 2], seed=0)
    last = sum_over_paths_net(net, X, Y, weight=(3, 2, 1)).frames[-1]
    assert last.title == "Why backpropagation lists no paths: δ³₂ is their shared sum"
    assert sorted(e for e, c in last.classes.items() if c == "column") == [
        "w3_2_0",
        "w3_2_1",
        "w3_2_2",
    ]
    bp = matrix.backprop(net.weights(), net.biases(), X, Y)
    for k in range(3):
        g = f"{bp.grad_w[1][2][k]:.3g}".replace("-", "−")
        assert last.equation[2 + k].startswith(f"∂C/∂w³₂{'₀₁₂'[k]} = ") and last.equation[
            2 + k
        ].endswith(f"= {g}")
    assert "δ³₂ = ?" not in last.texts["z3_2"].values()


def test_a_weight_of_the_output_layer_has_one_path(tmp_path):
    net = MLP(2, [3, 2], seed=0)
    page = sum_over_paths_net(net, X, Y, weight=(3, 1, 2), path=tmp_path / "p.html")
    assert [f.title for f in page.frames if f.title.startswith("Path")] == [
        "Path 1 of 1: w³₁₂ → z³₁ → a³₁ → C"
    ]
    assert page.path.exists()


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"weight": (1, 0, 0)}, ValueError, "weight layer l = 1 is not one of 2 … 3"),
        ({"weight": (2, 3, 0)}, ValueError, "needs 0 ≤ j < 3 and 0 ≤ k < 2, got j = 3"),
        ({"weight": (2, 0, -1)}, ValueError, "got j = 0, k = -1"),
        ({"weight": "2,0,0"}, TypeError, "weight must be a list, tuple or 1-D array, got str"),
        ({"weight": (2, 0, 0.0)}, TypeError, r"weight\[2\] must be an integer, got float"),
        ({"max_paths": 2}, ValueError, "w\\^2_00 has 6 paths to C, more than max_paths=2"),
    ],
)
def test_bad_arguments(kwargs, error, message):
    net = MLP(2, [3, 2], seed=0) if "max_paths" not in kwargs else MLP(2, [3, 3, 2], seed=0)
    with pytest.raises(error, match=message):
        sum_over_paths_net(net, X, Y, **kwargs)


def test_a_missing_target_is_refused():
    with pytest.raises(ValueError, match="a target y is needed: the paths end at the cost C"):
        sum_over_paths_net(MLP(2, [3, 2], seed=0), X, None)


def test_a_softmax_hidden_layer_is_refused():
    net = MLP(2, [3, 2], activation=["softmax", "sigmoid"], seed=0)
    with pytest.raises(
        ValueError, match="layer 2's softmax makes every a\\^2 depend on every z\\^2"
    ):
        sum_over_paths_net(net, X, Y)
