"""nn.compare: the scalar engine against BP1–BP4; the grad of z^l_j is δ^l_j, of w^l_jk a^{l-1}_k δ^l_j."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from nn import MLP, matrix

ACTS = ["sigmoid", "tanh", "relu", "linear"]


@st.composite
def networks(draw, cost):
    nin = draw(st.integers(1, 4))
    nouts = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    acts = draw(st.lists(st.sampled_from(ACTS), min_size=len(nouts), max_size=len(nouts)))
    if cost == "cross_entropy":
        acts[-1] = "sigmoid"  # the cost needs outputs in (0, 1)
    net = MLP(nin, nouts, activation=acts, seed=draw(st.integers(0, 10**6)))
    m = draw(st.integers(1, 3))
    xs = draw(
        st.lists(st.lists(st.floats(-2, 2), min_size=nin, max_size=nin), min_size=m, max_size=m)
    )
    unit = st.floats(0, 1) if cost == "quadratic" else st.sampled_from([0.0, 1.0])
    ys = draw(
        st.lists(st.lists(unit, min_size=nouts[-1], max_size=nouts[-1]), min_size=m, max_size=m)
    )
    return net, list(zip(xs, ys))


@pytest.mark.parametrize("cost", ["quadratic", "cross_entropy"])
@given(data=st.data())
def test_engine_equals_bp1_to_bp4_for_random_nets(cost, data):
    net, batch = data.draw(networks(cost))
    single = nn.compare(net, *batch[0], cost=cost)
    assert single.ok(1e-9), str(single)
    together = nn.compare(net, batch, cost=cost)
    assert together.ok(1e-9), str(together)


@given(data=st.data())
def test_grads_are_delta_and_a_times_delta_entry_by_entry(data):
    net, batch = data.draw(networks("quadratic"))
    x, y = batch[0]
    tr = net.trace(x)
    nn.quadratic_cost(tr.output, y).backward()
    bp = matrix.backprop(net.weights(), net.biases(), x, y, net.activations)
    for l, (zs, layer) in enumerate(zip(tr.zs, net.layers)):
        a_prev = bp.a[l]
        for j, (z, neuron) in enumerate(zip(zs, layer.neurons)):
            delta = bp.delta[l][j]
            assert z.grad == pytest.approx(delta, abs=1e-12)
            assert neuron.b.grad == pytest.approx(delta, abs=1e-12)
            for k, w in enumerate(neuron.w):
                assert w.grad == pytest.approx(a_prev[k] * delta, abs=1e-12)


def test_saturated_cross_entropy_still_compares_gradients_exactly():
    # z = 19.3 puts a within 5e-9 of 1 with target 0: C = −ln(1 − a) rests on the last
    # few bits of a, and the two sigmoid formulas round them differently
    net = MLP.from_matrices([[[9.0, 10.0], [1.0, -1.0]]], [[0.3, 0.0]])
    c = nn.compare(net, [1.0, 1.0], [0.0, 1.0], cost="cross_entropy")
    assert c.ok(1e-9), str(c)
    assert c.engine.cost == pytest.approx(c.matrix.cost, rel=1e-6)


def test_saturated_sigmoid_cross_entropy_compares_with_delta_a_minus_y():
    # z^2_0 = 60 makes a == 1.0 exactly with target 0; BP1's
    # ∇_a C ⊙ σ'(z) would be 0/0 there, the cross-entropy's own rule δ^L = a − y is 1
    net = MLP.from_matrices([[[30.0, 30.0], [1.0, -1.0]]], [[0.0, 0.0]])
    c = nn.compare(net, [1.0, 1.0], [0.0, 1.0], cost="cross_entropy")
    assert c.matrix.a[1][0, 0] == 1.0
    assert c.matrix.delta[0][:, 0] == pytest.approx([1.0, 0.5 - 1.0], abs=1e-15)
    assert c.ok(1e-12), str(c)
    assert c.engine.cost == pytest.approx(60.0 + math.log(2.0), rel=1e-12)
    assert c.matrix.cost == pytest.approx(c.engine.cost, rel=1e-12)


def test_compare_reports_a_real_disagreement():
    net = MLP(2, [3, 2], seed=0)
    good = nn.compare(net, [0.5, -1.0], [1.0, 0.0])
    assert good.ok() and good.max_error < 1e-15
    bad = nn.Comparison(
        good.engine,
        matrix.backprop_batch(
            [w * 1.01 for w in net.weights()],
            net.biases(),
            good.matrix.a[0],
            np.array([[1.0], [0.0]]),
        ),
        "quadratic",
    )
    assert not bad.ok() and bad.max_error > 1e-6


def test_compare_table_and_side_effects():
    net = MLP(2, [3, 2], seed=0)
    for p in net.parameters():
        p.grad = 0.25
    c = nn.compare(net, [([0.5, -1.0], [1.0, 0.0]), ([0.1, 0.3], [0.0, 1.0])])
    assert all(p.grad == 0.25 for p in net.parameters())  # the net's grads are left alone
    text = str(c)
    assert "quadratic cost, 2 examples" in text
    lines = text.splitlines()
    assert lines[1].split() == ["layer", "n_l", "delta^l", "dC/dw^l", "dC/db^l"]
    assert [line.split()[:2] for line in lines[2:4]] == [["2", "3"], ["3", "2"]]
    assert "delta^3_1" in c.details()
    assert [row[0] for row in c.errors()] == [2, 3]


def test_compare_errors():
    net = MLP(2, [1], seed=0)
    with pytest.raises(ValueError, match="cost must be one of .*, got 'hinge'"):
        nn.compare(net, [1.0, 2.0], [1.0], cost="hinge")
    with pytest.raises(TypeError, match="a list of \\(x, y\\) pairs"):
        nn.compare(net, [1.0, 2.0])
    with pytest.raises(ValueError, match="mini-batch is empty"):
        nn.compare(net, [])
    with pytest.raises(ValueError, match="target must have 1 value \\(the net's outputs\\), got 2"):
        nn.compare(net, [1.0, 2.0], [1.0, 0.0])
    with pytest.raises(TypeError, match="target y\\[0\\] is the bool True"):
        nn.compare(net, [1.0, 2.0], [True])
