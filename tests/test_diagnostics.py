"""nn.diagnose: norms against the scalar engine's own grads, saturated and dead units by construction."""

import math

import numpy as np
import pytest

import nn
from nn import MLP

DATA = [([0.5, -1.0], [1.0, 0.0]), ([2.0, 0.3], [0.0, 1.0]), ([-0.7, 0.1], [0.0, 1.0])]


@pytest.mark.parametrize("cost", ["quadratic", "cross_entropy"])
def test_norms_equal_those_of_the_scalar_engines_grads(cost):
    net = MLP(2, [4, 3, 2], activation=["tanh", "relu", "sigmoid"], seed=3)
    # mean ‖δ^l‖ from one backward pass per example: δ^l_j is the grad of z^l_j
    deltas = []
    for x, y in DATA:
        tr = net.trace(x)
        nn.COSTS[cost](tr.output, y).backward()
        deltas.append([math.hypot(*(z.grad for z in zs)) for zs in tr.zs])
    # ‖∂C/∂w^l‖, ‖∂C/∂b^l‖ of the mean cost from one more backward pass
    net.zero_grad()
    nn.mean_cost([net(x) for x, _ in DATA], [y for _, y in DATA], cost).backward()
    health = nn.diagnose(net, DATA, cost)
    assert health.examples == 3 and [h.l for h in health.layers] == [2, 3, 4]
    for i, (h, layer) in enumerate(zip(health.layers, net.layers)):
        assert h.delta == pytest.approx(np.mean([d[i] for d in deltas]), rel=1e-12)
        grad_w = [w.grad for n in layer.neurons for w in n.w]
        assert h.grad_w == pytest.approx(math.hypot(*grad_w), rel=1e-12)
        assert h.grad_b == pytest.approx(math.hypot(*(n.b.grad for n in layer.neurons)), rel=1e-12)
        assert h.weight == pytest.approx(np.linalg.norm(net.weights()[i]), rel=1e-15)
        assert (h.size, h.activation) == (len(layer.neurons), layer.activation)


def test_saturated_units_by_construction():
    # z^2 = (0.1·x_0 + 10, −10, 5 x_0): σ'(10) = 4.5e-5 and σ'(−10) are below 1 % of ¼;
    # the third unit saturates where |5 x_0| > 6.0 only (σ′(6) = ¼ · 0.99 %): 1 example of 3
    W = [np.array([[0.1, 0.0], [0.0, 0.0], [5.0, 0.0]]), np.ones((2, 3))]
    B = [np.array([10.0, -10.0, 0.0]), np.zeros(2)]
    data = [([0.1, 0.0], [1.0, 0.0]), ([-0.2, 0.0], [0.0, 1.0]), ([2.0, 0.0], [0.0, 1.0])]
    health = nn.diagnose(MLP.from_matrices(W, B), data)
    assert health.layers[0].saturated == pytest.approx(7 / 9)  # 3 + 3 + 1 of 9 (unit, example)
    assert health.layers[0].dead is None and health.layers[0].stuck == health.layers[0].saturated
    tanh = nn.diagnose(MLP.from_matrices(W, B, activation=["tanh", "sigmoid"]), data)
    # tanh'(z) < 0.01 needs |z| > 3.0: units 0 and 1 always, unit 2 on the third example
    assert tanh.layers[0].saturated == pytest.approx(7 / 9)
    (warning,) = health.warnings()
    assert warning.startswith("layer 2 (3 sigmoid units): 77.8% of its units are saturated")


def test_dead_relu_units_by_construction():
    # unit 0 never fires (z = −1), unit 1 fires on x_0 > 0 only, unit 2 always
    W = [np.array([[0.0], [1.0], [0.0]]), np.ones((1, 3))]
    B = [np.array([-1.0, 0.0, 1.0]), np.zeros(1)]
    net = MLP.from_matrices(W, B, activation=["relu", "linear"])
    data = [([1.0], [0.0]), ([-1.0], [1.0])]
    health = nn.diagnose(net, data)
    assert health.layers[0].dead == pytest.approx(1 / 3) and health.layers[0].saturated is None
    assert health.layers[1].dead is None and health.layers[1].saturated is None
    assert health.warnings() == []
    net = MLP.from_matrices(W, [np.array([-1.0, -2.0, 1.0]), np.zeros(1)], ["relu", "linear"])
    (warning,) = nn.diagnose(net, data).warnings()
    assert "66.7% of its units are dead (z ≤ 0 on every example)" in warning


def test_the_table_and_array_input():
    net = MLP(2, [3, 2], seed=0)
    X, Y = np.array([x for x, _ in DATA]), np.array([y for _, y in DATA])
    health = nn.diagnose(net, (X, Y))
    assert health == nn.diagnose(net, DATA)
    lines = str(health).splitlines()
    assert lines[0] == "gradient health over 3 examples (quadratic cost)"
    assert (
        lines[1].split() == "layer n_l sigma mean|delta| |dC/dw| |dC/db| |w| saturated dead".split()
    )
    assert lines[2].split()[:3] == ["2", "3", "sigmoid"] and lines[2].split()[-1] == "-"


def test_bad_data_is_named():
    with pytest.raises(ValueError, match=r"diagnose: data\[0\]: input must have 2 values"):
        nn.diagnose(MLP(2, [2], seed=0), [([0.0, 1.0, 2.0], [0.0, 1.0])])


def test_a_saturated_output_counts_only_where_its_sigma_prime_enters_delta():
    # outputs σ(±20): saturated. Under the quadratic cost δ^L = (a − y) σ'(z^L) is tiny (the
    # slowdown of Nielsen's ch. 3); under cross-entropy δ^L = a − y and σ' never enters.
    net = MLP.from_matrices([np.zeros((2, 1))], [np.array([20.0, -20.0])])
    data = [([0.0], [0.0, 1.0])]
    assert nn.diagnose(net, data, "quadratic").layers[0].saturated == 1.0
    assert nn.diagnose(net, data, "cross_entropy").layers[0].saturated is None
    assert nn.diagnose(net, data, "cross_entropy").warnings() == []
