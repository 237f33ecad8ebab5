"""Activation records: scalar and numpy forms agree, σ'(z) against central differences, σ layer-wise."""

import math

import numpy as np
import pytest

import nn
from engine import Value
from nn import MLP, Activation

Z = [-1.3, -0.2, 0.4, 2.0]


def _jacobian(sigma, z):
    """J[j, k] = ∂a_j/∂z_k from the record: σ'(z) on the diagonal for an element-wise σ."""
    return np.diag(sigma.derivative(z)) if sigma.elementwise else sigma.derivative(z)


@pytest.mark.parametrize("name", list(nn.ACTIVATIONS))
def test_numpy_form_and_derivative_against_central_differences(name):
    sigma = nn.ACTIVATIONS[name]
    z = np.array(Z)
    numeric = np.array(
        [(sigma.numpy(z + e) - sigma.numpy(z - e)) / 2e-6 for e in np.eye(len(Z)) * 1e-6]
    ).T  # column k: the change of every a_j with z_k
    assert _jacobian(sigma, z) == pytest.approx(numeric, rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("name", list(nn.ACTIVATIONS))
def test_scalar_form_gives_the_numpy_values_and_derivative(name):
    sigma = nn.ACTIVATIONS[name]
    zs = [Value(z) for z in Z]
    a = sigma(zs)
    assert [v.data for v in a] == pytest.approx(sigma.numpy(np.array(Z)), rel=1e-15)
    rows = []
    for aj in a:  # backward from each a_j alone: its grads on z are row j of the Jacobian
        for v in zs:
            v.zero_grad()
        aj.backward()
        rows.append([z.grad for z in zs])
    assert np.array(rows) == pytest.approx(_jacobian(sigma, np.array(Z)), rel=1e-14, abs=1e-16)


def test_every_record_has_text_for_the_drawing():
    assert {name: s.text for name, s in nn.ACTIVATIONS.items()} == {
        "sigmoid": "σ(z) = 1/(1 + e^−z)",
        "tanh": "σ(z) = tanh z",
        "relu": "σ(z) = max(0, z)",
        "linear": "σ(z) = z",
        "softmax": "σ(z)_j = e^{z_j} / Σ_k e^{z_k}",
    }


def _centred_tanh_values(zs):
    t = [z.tanh() for z in zs]
    mean = sum(t, Value(0.0)) * (1.0 / len(t))
    return [tj - mean for tj in t]


def _centred_tanh_jacobian(z):
    n = z.shape[0]
    # J[j, k] = ∂a_j/∂z_k = (δ_jk − 1/n) (1 − tanh² z_k), with the example axis last
    return (np.eye(n) - 1.0 / n)[:, :, None] * (1.0 - np.tanh(z) ** 2)[None, :, :]


CENTRED_TANH = Activation(
    "centred_tanh",
    "σ(z)_j = tanh z_j − mean_k tanh z_k",
    _centred_tanh_values,
    lambda z: np.tanh(z) - np.tanh(z).mean(axis=0),
    _centred_tanh_jacobian,
    elementwise=False,
)


def test_a_layer_wise_activation_fits_the_records(monkeypatch):
    # A σ whose a^l_j depends on the whole z^l (as softmax does) is one record too:
    # the net applies it to the layer, BP1/BP2 apply its Jacobian, and they agree.
    monkeypatch.setitem(nn.ACTIVATIONS, "centred_tanh", CENTRED_TANH)
    net = MLP(2, [3, 2], activation=["centred_tanh", "sigmoid"], seed=3)
    tr = net.trace([0.4, -0.9])
    t = [math.tanh(z.data) for z in tr.zs[0]]
    assert [a.data for a in tr.activations[1]] == pytest.approx([tj - sum(t) / 3 for tj in t])
    for cost in ("quadratic", "cross_entropy"):
        c = nn.compare(net, [([0.4, -0.9], [1.0, 0.0]), ([-1.0, 0.2], [0.0, 1.0])], cost=cost)
        assert c.ok(1e-12), str(c)


def test_unknown_and_missing_activations_are_named():
    with pytest.raises(
        ValueError, match="activation must be one of 'sigmoid', 'tanh'.*, got 'swish'"
    ):
        MLP(2, [1], activation="swish")
