"""The scalar engine against BP1–BP4: grad of z^l_j is δ^l_j, grad of w^l_jk is a^{l-1}_k δ^l_j."""

import math

import numpy as np
import pytest

import nn
from nn import MLP, matrix


def sigma(z):
    return 1 / (1 + math.exp(-z))


def sigma_prime(z):
    return sigma(z) * (1 - sigma(z))


def test_hand_worked_2_2_1_network():
    # w^2 = [[0.1, 0.2], [0.3, 0.4]], b^2 = [0.5, -0.5]; w^3 = [[0.6, -0.7]], b^3 = [0.1]
    W = [np.array([[0.1, 0.2], [0.3, 0.4]]), np.array([[0.6, -0.7]])]
    B = [np.array([0.5, -0.5]), np.array([0.1])]
    x, y = [1.0, 2.0], [1.0]
    # feedforward, by hand
    z2 = [0.1 * 1 + 0.2 * 2 + 0.5, 0.3 * 1 + 0.4 * 2 - 0.5]  # [1.0, 0.6]
    a2 = [sigma(z) for z in z2]
    z3 = 0.6 * a2[0] - 0.7 * a2[1] + 0.1
    a3 = sigma(z3)
    # BP1: δ^3 = (a^3 − y) σ'(z^3); BP2: δ^2_j = σ'(z^2_j) Σ_m δ^3_m w^3_mj
    d3 = (a3 - y[0]) * sigma_prime(z3)
    d2 = [sigma_prime(z2[0]) * d3 * 0.6, sigma_prime(z2[1]) * d3 * -0.7]

    net = MLP.from_matrices(W, B)
    tr = net.trace(x)
    C = nn.quadratic_cost(tr.output, y)
    C.backward()
    assert C.data == pytest.approx(0.5 * (a3 - 1) ** 2, rel=1e-14)
    assert tr.zs[1][0].grad == pytest.approx(d3, rel=1e-12)
    assert [z.grad for z in tr.zs[0]] == pytest.approx(d2, rel=1e-12)
    # BP3 and BP4
    for j in range(2):
        neuron = net.layers[0].neurons[j]
        assert neuron.b.grad == pytest.approx(d2[j], rel=1e-12)
        assert [w.grad for w in neuron.w] == pytest.approx([x[0] * d2[j], x[1] * d2[j]], rel=1e-12)
    out = net.layers[1].neurons[0]
    assert [w.grad for w in out.w] == pytest.approx([a2[0] * d3, a2[1] * d3], rel=1e-12)
    # and the matrix form gives the same numbers
    bp = matrix.backprop(W, B, x, y)
    assert bp.delta[1] == pytest.approx([d3], rel=1e-12)
    assert bp.delta[0] == pytest.approx(d2, rel=1e-12)


def test_feedforward_matches_the_engine_for_a_batch():
    net = MLP(3, [4, 2], activation=["relu", "tanh"], seed=2)
    X = np.array([[0.1, -0.5], [1.0, 0.3], [-0.2, 0.9]])
    out = matrix.feedforward(net.weights(), net.biases(), X, net.activations)
    for i in range(2):
        assert out[:, i] == pytest.approx([v.data for v in net(X[:, i].tolist())], abs=1e-14)
    assert matrix.feedforward(
        net.weights(), net.biases(), X[:, 0], net.activations
    ) == pytest.approx(out[:, 0], abs=1e-15)
