"""Costs built of Values: values by hand, gradients by central differences, errors."""

import math

import numpy as np
import pytest

import nn
from engine import Value, gradcheck


def test_quadratic_cost_by_hand():
    a = [Value(0.2), Value(0.9)]
    C = nn.quadratic_cost(a, [0.0, 1.0])
    assert C.data == pytest.approx(0.5 * (0.2**2 + 0.1**2), rel=1e-14)
    C.backward()
    assert [v.grad for v in a] == pytest.approx([0.2, -0.1], rel=1e-12)  # ∇_a C = a − y


def test_cross_entropy_cost_by_hand():
    a = [Value(0.2), Value(0.9)]
    C = nn.cross_entropy_cost(a, [0.0, 1.0])
    assert C.data == pytest.approx(-(math.log(0.8) + math.log(0.9)), rel=1e-14)
    C.backward()
    # ∇_a C = (a − y) / (a (1 − a))
    assert [v.grad for v in a] == pytest.approx([0.2 / (0.2 * 0.8), -0.1 / (0.9 * 0.1)], rel=1e-12)


def test_cross_entropy_with_fractional_and_value_targets():
    assert gradcheck(lambda a, y: nn.cross_entropy_cost([a], [y]), [0.3, 0.6])


def test_cross_entropy_of_a_saturated_output_with_matching_target_is_zero():
    assert nn.cross_entropy_cost([Value(1.0)], [1]).data == 0.0
    with pytest.raises(ValueError, match=r"a\^L_0 = 1.0 with target 0.0 makes ln 0.0.*net.trace"):
        nn.cross_entropy_cost([Value(1.0)], [0])


def test_mean_cost_is_the_average():
    outs = [[Value(0.1)], [Value(0.5)]]
    C = nn.mean_cost(outs, [[0.0], [1.0]])
    assert C.data == pytest.approx((0.5 * 0.01 + 0.5 * 0.25) / 2, rel=1e-14)


@pytest.mark.parametrize("cost", [nn.quadratic_cost, nn.cross_entropy_cost])
def test_mismatched_lengths(cost):
    with pytest.raises(ValueError, match="output has 2 values but target has 1"):
        cost([Value(0.5), Value(0.5)], [1.0])
    with pytest.raises(
        TypeError, match="cost: the target must be a list, tuple or 1-D array, got float"
    ):
        cost([Value(0.5)], 1.0)


def test_mean_cost_errors():
    with pytest.raises(ValueError, match="got 0 outputs and 0 targets"):
        nn.mean_cost([], [])
    with pytest.raises(
        ValueError, match="cost must be one of 'quadratic', 'cross_entropy'.*, got 'l1'"
    ):
        nn.mean_cost([[Value(0.5)]], [[1.0]], cost="l1")


@pytest.mark.parametrize("name", list(nn.COSTS))
def test_numpy_form_and_gradient_against_central_differences(name):
    cost = nn.COSTS[name]
    a, y = np.array([[0.3], [0.8]]), np.array([[0.0], [1.0]])
    numeric = [
        (cost.numpy(a + e, y) - cost.numpy(a - e, y))[0] / 2e-6
        for e in np.eye(2)[:, :, None] * 1e-6
    ]
    assert cost.gradient(a, y)[:, 0] == pytest.approx(numeric, rel=1e-6)


@pytest.mark.parametrize("name", list(nn.COSTS))
def test_scalar_form_gives_the_numpy_cost(name):
    cost = nn.COSTS[name]
    a, y = [0.3, 0.8], [0.0, 1.0]
    expected = cost.numpy(np.array(a)[:, None], np.array(y)[:, None])[0]
    assert cost([Value(v) for v in a], y).data == pytest.approx(expected, rel=1e-14)


def test_cross_entropy_from_z_equals_the_formula_and_makes_delta_a_minus_y():
    net = nn.MLP.from_matrices([[[0.7, -1.2], [2.0, 0.5]]], [[0.1, -0.3]])
    x, y = [0.5, 0.25], [1.0, 0.0]
    tr = net.trace(x)
    C = nn.cross_entropy_cost(tr, y)
    plain = nn.cross_entropy_cost(tr.output, y)
    assert C.data == pytest.approx(plain.data, rel=1e-14)
    C.backward()
    # Nielsen ch. 3: for sigmoid outputs the cross-entropy's δ^L is a^L − y, with no σ'
    assert [z.grad for z in tr.zs[0]] == pytest.approx(
        [a.data - yj for a, yj in zip(tr.output, y)], abs=1e-15
    )


@pytest.mark.parametrize("z", [37.0, 60.0, 800.0, -800.0])
def test_cross_entropy_from_z_stays_finite_on_a_saturated_sigmoid(z):
    # sigmoid(z ≥ 37) == 1.0 exactly, and ln(1 − a) used to fail
    net = nn.MLP.from_matrices([[[z]]], [[0.0]])
    tr = net.trace([1.0])
    wrong = 0.0 if z > 0 else 1.0  # the target the output is saturated away from
    C = nn.cross_entropy_cost(tr, [wrong])
    assert C.data == pytest.approx(abs(z), rel=1e-15)  # ln(1 + e^|z|) ≈ |z|
    C.backward()
    assert tr.zs[0][0].grad == pytest.approx(tr.output[0].data - wrong, abs=1e-15)


def test_cross_entropy_from_z_in_numpy_is_finite_where_the_plain_form_is_not():
    z, y = np.array([[60.0]]), np.array([[0.0]])
    rule = nn.cross_entropy_cost.on["sigmoid"]
    assert rule.numpy(z, y) == pytest.approx([60.0], rel=1e-15)
    with np.errstate(divide="ignore"):
        assert np.isinf(nn.cross_entropy_cost.numpy(np.ones_like(z), y)).all()


# --- softmax outputs with the log-likelihood cost (Nielsen ch. 3) --------------------------


def _softmax_net(n=3):
    """z^L = x: one softmax layer with identity weights and no biases."""
    return nn.MLP.from_matrices([np.eye(n)], [np.zeros(n)], activation="softmax")


def test_softmax_and_log_likelihood_by_hand():
    z, y = [1.0, 2.0, 0.5], [0.0, 1.0, 0.0]
    total = math.exp(1.0) + math.exp(2.0) + math.exp(0.5)
    a = [math.exp(1.0) / total, math.exp(2.0) / total, math.exp(0.5) / total]
    tr = _softmax_net().trace(z)
    assert [v.data for v in tr.output] == pytest.approx(a, rel=1e-15)
    C = nn.log_likelihood_cost(tr, y)
    assert C.data == pytest.approx(-math.log(a[1]), rel=1e-15)  # = ln(e + e² + e^½) − 2
    C.backward()
    # δ^L = a^L − y: [a_0, a_1 − 1, a_2], nowhere written, from the graph of C over z^L
    assert [v.grad for v in tr.zs[0]] == pytest.approx([a[0], a[1] - 1.0, a[2]], abs=1e-15)


def test_log_likelihood_through_the_softmax_nodes_gives_the_same_delta():
    # C taken from a^L (−ln a_1, through softmax's exp, sum and division nodes) backpropagates
    # to the same δ^L = a − y as the form taken from z^L
    tr = _softmax_net().trace([0.3, -1.2, 0.8])
    y = [0.0, 1.0, 0.0]
    C = nn.log_likelihood_cost(tr.output, y)
    assert C.data == pytest.approx(nn.log_likelihood_cost(tr, y).data, rel=1e-14)
    C.backward()
    delta = [a.data - yj for a, yj in zip(tr.output, y)]
    assert [z.grad for z in tr.zs[0]] == pytest.approx(delta, abs=1e-15)


def test_log_likelihood_delta_matches_the_matrix_rule_and_compare():
    net = nn.MLP(3, [4, 3], activation=["tanh", "softmax"], seed=5)
    batch = [([0.5, -1.0, 2.0], [1.0, 0.0, 0.0]), ([0.1, 0.2, -0.3], [0.0, 0.0, 1.0])]
    bp = nn.matrix.backprop(
        net.weights(), net.biases(), *batch[0], net.activations, "log_likelihood"
    )
    assert bp.delta[-1] == pytest.approx(bp.a[-1] - np.array(batch[0][1]), abs=1e-15)
    comparison = nn.compare(net, batch, cost="log_likelihood")
    assert comparison.ok(1e-12), str(comparison)
    assert str(comparison).endswith(
        "BP1 for the log_likelihood cost on softmax outputs, taken from z^L: "
        "C = Σ_j y_j (ln Σ_k e^{z^L_k} − z^L_j), so δ^L = a^L − y"
    )


def test_quadratic_cost_on_softmax_outputs_uses_the_jacobian_in_bp1():
    net = nn.MLP(2, [3, 3], activation=["sigmoid", "softmax"], seed=1)
    comparison = nn.compare(net, [([0.5, -1.0], [0.0, 1.0, 0.0]), ([1.5, 0.2], [1.0, 0.0, 0.0])])
    assert comparison.ok(1e-12), str(comparison)
    assert "BP1 for" not in str(comparison)


@pytest.mark.parametrize("z0", [1000.0, -1000.0])
def test_softmax_and_log_likelihood_are_stable_at_large_z(z0):
    tr = _softmax_net(2).trace([z0, 0.0])
    big = z0 > 0
    assert [v.data for v in tr.output] == ([1.0, 0.0] if big else [0.0, 1.0])
    C = nn.log_likelihood_cost(tr, [0.0, 1.0])  # the target is the output at z = 0
    assert C.data == pytest.approx(1000.0 if big else 0.0, abs=1e-12)
    C.backward()
    assert [z.grad for z in tr.zs[0]] == pytest.approx(
        [1.0, -1.0] if big else [0.0, 0.0], abs=1e-15
    )
    z = np.array([[z0], [0.0]])
    assert np.isfinite(nn.ACTIVATIONS["softmax"].numpy(z)).all()
    rule = nn.log_likelihood_cost.on["softmax"]
    assert rule.numpy(z, np.array([[0.0], [1.0]])) == pytest.approx([C.data], abs=1e-12)


def test_log_likelihood_needs_softmax_outputs_and_a_trace_for_an_underflowed_output():
    with pytest.raises(ValueError, match="log_likelihood cost needs .* softmax output layer"):
        nn.train(
            nn.MLP(2, [2], seed=0), [([0.0, 1.0], [1.0, 0.0])], 1, 1, 0.1, cost="log_likelihood"
        )
    tr = _softmax_net(2).trace([1000.0, 0.0])
    with pytest.raises(ValueError, match=r"a\^L_1 = 0.0 with target 1.0 makes ln 0.0.*net.trace"):
        nn.log_likelihood_cost(tr.output, [0.0, 1.0])


def test_a_lone_neuron_refuses_a_layer_wise_activation():
    with pytest.raises(ValueError, match="softmax acts on a whole layer's z\\^l"):
        nn.Neuron([1.0], 0.0, activation="softmax")([Value(1.0)])


def test_every_function_given_a_target_and_a_cost_refuses_it_outside_0_1_as_train_does():
    # step_through_net(..., cost="cross_entropy") drew a target of 2 that
    # nn.train refuses; the siblings (draw_net, compare, evaluate, diagnose, draw_layers) did too
    import viz

    net = nn.MLP(2, [3, 1], seed=0)
    x = [0.5, -1.0]
    calls = [  # (the name the message starts with, the call)
        ("train", lambda y: nn.train(net, [(x, y)], 1, 1, 0.1, "cross_entropy", verbose=False)),
        ("evaluate", lambda y: nn.evaluate(net, [(x, y)], "cross_entropy")),
        ("diagnose", lambda y: nn.diagnose(net, [(x, y)], "cross_entropy")),
        ("compare", lambda y: nn.compare(net, x, y, cost="cross_entropy")),
        ("step_through_net", lambda y: viz.step_through_net(net, x, y, cost="cross_entropy")),
        ("draw_net", lambda y: viz.draw_net(net, x, y, cost="cross_entropy")),
        ("diagnose", lambda y: viz.draw_layers(net, [(x, y)], "cross_entropy")),
    ]
    before = [p.data for p in net.parameters()]
    for who, call in calls:
        for bad in ([2.0], [-0.5], [1.0000001]):
            with pytest.raises(ValueError, match=rf"^{who}: .*lies outside \[0, 1\]"):
                call(bad)
        for good in ([0.0], [1.0], [0.25]):
            call(good)
    soft = nn.MLP(2, [2], activation="softmax", seed=0)
    with pytest.raises(ValueError, match="step_through_net: the target .* log_likelihood cost"):
        viz.step_through_net(soft, x, [2.0, -1.0], cost="log_likelihood")
    assert [p.data for p in net.parameters()] != before  # the good targets did train it
