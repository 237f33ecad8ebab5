"""Neuron, Layer, MLP: structure, notation, matrices in and out, inputs checked."""

import math

import numpy as np
import pytest

import nn
from engine import Value
from nn import MLP, Layer, Neuron


def test_mlp_shapes_and_parameter_count():
    net = MLP(2, [3, 2], seed=0)
    assert net.sizes == [2, 3, 2] and net.activations == ["sigmoid", "sigmoid"]
    assert len(net.parameters()) == (2 * 3 + 3) + (3 * 2 + 2)
    assert [w.shape for w in net.weights()] == [(3, 2), (2, 3)]
    assert [b.shape for b in net.biases()] == [(3,), (2,)]


def test_seed_makes_initialisation_reproducible_and_standard_normal():
    a, b = MLP(3, [4, 2], seed=7), MLP(3, [4, 2], seed=7)
    assert all((x == y).all() for x, y in zip(a.weights(), b.weights()))
    big = np.concatenate([w.ravel() for w in MLP(50, [200], seed=1).weights()])
    assert abs(big.mean()) < 0.05 and abs(big.std() - 1) < 0.05


def test_scaled_init_divides_each_weight_by_root_n_in_and_keeps_the_biases():
    normal, scaled = MLP(64, [30, 10], seed=3), MLP(64, [30, 10], seed=3, init="scaled")
    for w, ws, n_in in zip(normal.weights(), scaled.weights(), [64, 30]):
        assert np.allclose(ws, w / math.sqrt(n_in), rtol=1e-15, atol=0)
    assert all((b == bs).all() for b, bs in zip(normal.biases(), scaled.biases()))
    big = MLP(400, [200], seed=1, init="scaled")
    assert abs(big.weights()[0].std() - 1 / 20) < 0.001 and abs(big.biases()[0].std() - 1) < 0.15


def test_unknown_init_lists_the_valid_names():
    with pytest.raises(
        ValueError, match="MLP: init must be one of 'normal', 'scaled', got 'xavier'"
    ):
        MLP(2, [2], init="xavier")


def test_weights_follow_the_seed_notation():
    net = MLP(2, [3, 2], seed=0)
    W3 = net.weights()[1]
    # W^3[j, k] = w^3_jk joins neuron k of layer 2 to neuron j of layer 3
    assert W3[1, 2] == net.layers[1].neurons[1].w[2].data
    assert net.layers[1].neurons[1].w[2].label == "w^3_12"
    assert net.layers[0].neurons[2].b.label == "b^2_2"


def test_forward_matches_the_formula():
    W = [np.array([[0.1, -0.2], [0.3, 0.4]]), np.array([[0.5, -0.6]])]
    B = [np.array([0.05, -0.05]), np.array([0.2])]
    net = MLP.from_matrices(W, B, activation=["tanh", "linear"])
    x = [0.7, -1.1]
    h = [math.tanh(0.1 * 0.7 + 0.2 * 1.1 + 0.05), math.tanh(0.3 * 0.7 - 0.4 * 1.1 - 0.05)]
    (out,) = net(x)
    assert out.data == pytest.approx(0.5 * h[0] - 0.6 * h[1] + 0.2, rel=1e-14)


def test_each_z_is_one_weighted_sum_node():
    net = MLP(3, [2], activation="relu", seed=0)
    tr = net.trace([1.0, 2.0, 3.0])
    for z in tr.zs[0]:
        assert z.op == "weighted_sum" and len(z.parents) == 2 * 3 + 1
    assert [z.label for z in tr.zs[0]] == ["z^2_0", "z^2_1"]


def test_trace_keeps_every_layer():
    net = MLP(2, [3, 2], seed=0)
    tr = net.trace([0.5, -1.0])
    assert [len(a) for a in tr.activations] == [2, 3, 2]
    assert [len(z) for z in tr.zs] == [3, 2]
    assert [a.data for a in tr.activations[0]] == [0.5, -1.0]
    assert tr.activations[0][0].label == "a^1_0"
    assert tr.output is tr.activations[-1]
    assert [v.data for v in tr.output] == [v.data for v in net([0.5, -1.0])]
    assert all(
        a.data == pytest.approx(1 / (1 + math.exp(-z.data)))
        for a, z in zip(tr.activations[1], tr.zs[0])
    )


def test_linear_activation_output_is_z_itself():
    net = MLP(2, [1], activation="linear", seed=0)
    tr = net.trace([1.0, 2.0])
    assert tr.output[0] is tr.zs[0][0]


def test_net_call_always_returns_a_list_and_accepts_values():
    net = MLP(2, [1], seed=0)
    x = [Value(1.0), 2]
    out = net(x)
    assert isinstance(out, list) and len(out) == 1
    out[0].backward()
    assert x[0].grad != 0.0


def test_zero_grad_clears_parameters():
    net = MLP(2, [2, 1], seed=0)
    net([1.0, 1.0])[0].backward()
    assert any(p.grad for p in net.parameters())
    net.zero_grad()
    assert all(p.grad == 0.0 for p in net.parameters())


def test_from_matrices_round_trips_weights_and_accepts_column_biases():
    net = MLP(3, [4, 2], activation=["relu", "tanh"], seed=3)
    again = MLP.from_matrices(net.weights(), [b[:, None] for b in net.biases()], ["relu", "tanh"])
    assert all((x == y).all() for x, y in zip(net.weights(), again.weights()))
    assert all((x == y).all() for x, y in zip(net.biases(), again.biases()))
    assert again.activations == ["relu", "tanh"] and again.sizes == [3, 4, 2]


def test_neuron_and_layer_are_usable_alone():
    n = Neuron([0.5, -1.0], 0.25, activation="relu", layer=2, j=1)
    assert n([Value(2.0), Value(0.5)]).data == pytest.approx(0.75)
    assert [p.label for p in n.parameters()] == ["w^2_10", "w^2_11", "b^2_1"]
    layer = Layer([[1.0], [2.0]], [0.0, 1.0], activation="linear")
    assert [v.data for v in layer([Value(3.0)])] == [3.0, 7.0]


# --- errors --------------------------------------------------------------------------


def test_unknown_activation_lists_the_valid_names():
    with pytest.raises(
        ValueError,
        match="activation must be one of 'sigmoid', 'tanh', 'relu', 'linear', 'softmax', got 'swish'",
    ):
        MLP(2, [2], activation="swish")
    with pytest.raises(ValueError, match=r"activation must have 2 values \(one per layer\), got 1"):
        MLP(2, [2, 1], activation=["relu"])


@pytest.mark.parametrize(
    "nin, nouts, error, message",
    [
        (0, [2], ValueError, "MLP: nin must be ≥ 1, got 0"),
        (2, [], ValueError, "MLP: nouts must hold at least one layer size"),
        (2, [0], ValueError, r"MLP: nouts\[0\] must be ≥ 1, got 0"),
        (2.5, [1], TypeError, "MLP: nin must be an integer, got float: 2.5"),
        (2, [True], TypeError, r"MLP: nouts\[0\] must be an integer, got bool: True"),
    ],
)
def test_bad_sizes(nin, nouts, error, message):
    with pytest.raises(error, match=message):
        MLP(nin, nouts)


def test_nouts_must_be_a_list():
    with pytest.raises(
        TypeError,
        match=r"MLP: nouts \(the list of layer sizes\) must be a list, tuple or 1-D array, got int: 3",
    ):
        MLP(2, 3)


def test_input_of_wrong_length_names_expected_and_received():
    with pytest.raises(ValueError, match="input must have 2 values \\(the net's nin\\), got 3"):
        MLP(2, [1])([1.0, 2.0, 3.0])


def test_input_with_a_non_number_names_the_position():
    with pytest.raises(
        TypeError, match=r"input x\[1\]: Value data must be a real number .* got str"
    ):
        MLP(2, [1])([1.0, "a"])
    with pytest.raises(TypeError, match="input must be a list, tuple or 1-D array, got float"):
        MLP(2, [1])(1.0)


@pytest.mark.parametrize(
    "weights, biases, error, message",
    [
        (
            np.ones((1, 2, 2)),
            [np.ones(2)],
            TypeError,
            "weights must be a list with one array per layer, got a 3-D array of shape \\(1, 2, 2\\)",
        ),
        (np.ones((2, 2)), [np.ones(2)], TypeError, "got a 2-D array of shape \\(2, 2\\)"),
        (
            [np.ones((2, 2))],
            np.ones((1, 2)),
            TypeError,
            "biases must be a list with one array per layer",
        ),
        (
            [np.ones((1, 2, 2))],
            [np.ones(2)],
            ValueError,
            "w\\^2 must be a non-empty 2-D array, got shape \\(1, 2, 2\\)",
        ),
        (
            [[[10**400, 1.0]]],
            [[0.0]],
            ValueError,
            "layer 2: weights and biases must be arrays of numbers",
        ),
    ],
)
def test_from_matrices_with_wrong_shapes_says_what_was_wrong(weights, biases, error, message):
    # from_matrices(np.ones((1, 2, 2)), ...) failed on "truth value of an array"
    with pytest.raises(error, match=message):
        MLP.from_matrices(weights, biases)


def test_layer_checks_that_weights_and_biases_match():
    # zip silently built 1 neuron from 2 rows of weights and 1 bias
    with pytest.raises(
        ValueError, match="need one bias per row of weights .* got 2 rows of w\\^2 and 1 biases"
    ):
        Layer([[1, 2], [3, 4]], [0])
    with pytest.raises(ValueError, match="w\\^2 row 1 must have 2 values, got 1"):
        Layer([[1, 2], [3]], [0, 0])
    with pytest.raises(TypeError, match="w\\^3_0 \\(the neuron's weights\\) must be a list"):
        Neuron({0: 1.0}, 0.0, layer=3)


@pytest.mark.parametrize(
    "x, error, message",
    [
        ({0: 5.0, 1: 6.0}, TypeError, "input must be a list, tuple or 1-D array, got dict"),
        ({5.0, 6.0}, TypeError, "got set"),
        (iter([5.0, 6.0]), TypeError, "got list_iterator"),
        (
            np.ones((1, 2)),
            ValueError,
            "input must be a 1-D sequence, got an array of shape \\(1, 2\\)",
        ),
    ],
)
def test_inputs_must_be_sequences_in_order(x, error, message):
    # a dict's keys were used as inputs, a set in arbitrary order
    with pytest.raises(error, match=message):
        MLP(2, [1], seed=0)(x)


def test_inputs_and_targets_accept_1d_arrays():
    net = MLP(2, [1], seed=0)
    assert [v.data for v in net(np.array([0.5, -1.0]))] == [v.data for v in net([0.5, -1.0])]
    assert net.target(np.array([1.0])) == [1.0]


def test_nets_and_traces_pickle_and_deepcopy():
    # pickling is what multiprocessing needs
    import copy
    import pickle

    net = MLP(2, [3, 2], activation=["tanh", "sigmoid"], seed=4)
    x = [0.5, -1.0]
    for twin in (pickle.loads(pickle.dumps(net)), copy.deepcopy(net)):
        assert [a.data for a in twin(x)] == [a.data for a in net(x)]
        assert twin.parameters()[0] is not net.parameters()[0]
    tr = pickle.loads(pickle.dumps(net.trace(x)))
    assert [a.data for a in tr.output] == [a.data for a in net(x)]
    assert pickle.loads(pickle.dumps(nn.COSTS["cross_entropy"])) is nn.COSTS["cross_entropy"]
