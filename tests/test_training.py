"""SGD and train: the batch step equals the matrix batch update; cost falls; bad input changes nothing."""

import math

import numpy as np
import pytest

import nn
from nn import MLP, SGD, matrix

XOR = [([0.0, 0.0], [0.0]), ([0.0, 1.0], [1.0]), ([1.0, 0.0], [1.0]), ([1.0, 1.0], [0.0])]


def _params(net):
    return [p.data for p in net.parameters()]


@pytest.mark.parametrize(
    "cost, acts", [("quadratic", ["tanh", "sigmoid"]), ("cross_entropy", ["relu", "sigmoid"])]
)
def test_one_mini_batch_step_equals_the_matrix_batch_update(cost, acts):
    net = MLP(2, [3, 1], activation=acts, seed=4)
    W, B = net.weights(), net.biases()
    nn.train(net, XOR, epochs=1, batch_size=4, lr=0.7, cost=cost, seed=0, verbose=False)
    X = np.array([x for x, _ in XOR]).T
    Y = np.array([y for _, y in XOR]).T
    W2, B2 = matrix.sgd_update(W, B, X, Y, 0.7, acts, cost)
    for got, want in zip(net.weights() + net.biases(), W2 + B2):
        assert np.max(np.abs(got - want)) <= 1e-12


def test_training_lowers_the_cost_and_learns_xor():
    net = MLP(2, [4, 1], activation=["tanh", "sigmoid"], seed=1)
    before, _ = nn.evaluate(net, XOR, "cross_entropy")
    history = nn.train(
        net, XOR, epochs=300, batch_size=2, lr=0.5, cost="cross_entropy", seed=0, verbose=False
    )
    assert [h.epoch for h in history] == list(range(1, 301))
    assert history[-1].cost < before / 10
    assert history[-1].accuracy == 1.0


def test_train_prints_one_line_per_epoch(capsys):
    net = MLP(2, [2, 1], seed=0)
    nn.train(net, XOR, epochs=3, batch_size=4, lr=0.1, seed=0)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("epoch 1/3  cost ") and "accuracy" in lines[0]


def test_accuracy_for_one_hot_and_for_non_class_targets():
    net = MLP.from_matrices([np.eye(2)], [np.zeros(2)], activation="linear")
    one_hot = [([1.0, 0.0], [1.0, 0.0]), ([0.0, 1.0], [1.0, 0.0])]
    assert nn.evaluate(net, one_hot)[1] == 0.5
    assert nn.evaluate(net, [([1.0, 0.0], [0.3, 0.7])])[1] is None


def test_sgd_step_and_zero_grad():
    net = MLP(2, [1], seed=0)
    opt = SGD(net.parameters(), lr=0.1)
    net([1.0, 2.0])[0].backward()
    before = [(p.data, p.grad) for p in net.parameters()]
    opt.step()
    assert [p.data for p in net.parameters()] == [d - 0.1 * g for d, g in before]
    opt.zero_grad()
    assert all(p.grad == 0.0 for p in net.parameters())


def test_sgd_refuses_non_finite_grads_without_changing_anything():
    net = MLP(2, [1], seed=0)
    params = net.parameters()
    params[0].grad, params[1].grad = 1.0, math.nan
    before = _params(net)
    with pytest.raises(
        FloatingPointError, match="1 parameter grads are not finite.*no parameter was changed"
    ):
        SGD(params, 0.1).step()
    assert _params(net) == before


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(lr=0.0), ValueError, "lr must be a positive finite number, got 0.0"),
        (dict(lr=math.inf), ValueError, "lr must be a positive finite number"),
        (dict(batch_size=0), ValueError, "batch_size must be a positive integer, got 0"),
        (dict(epochs=-1), ValueError, "epochs must be a non-negative integer, got -1"),
        (dict(cost="l1"), ValueError, "unknown 'l1'"),
        (dict(data=[]), ValueError, "data is empty"),
        (
            dict(data=[([0.0, 1.0], [1.0]), ([1.0], [0.0])]),
            ValueError,
            "data\\[1\\] x: input must have 2 values",
        ),
        (
            dict(data=[([0.0, 1.0], [1.0, 0.0])]),
            ValueError,
            "data\\[0\\] target has 2 values but the net has 1",
        ),
        (dict(data=[[0.0, 1.0, 2.0]]), TypeError, "data\\[0\\] must be an \\(x, y\\) pair"),
        (
            dict(data=[[0.0, 1.0]]),
            TypeError,
            "data\\[0\\] x: input must be a sequence of 2 numbers",
        ),
    ],
)
def test_bad_arguments_raise_before_any_update(kwargs, error, message):
    net = MLP(2, [2, 1], seed=0)
    before = _params(net)
    args = dict(data=XOR, epochs=1, batch_size=2, lr=0.1, verbose=False) | kwargs
    with pytest.raises(error, match=message):
        nn.train(net, **args)
    assert _params(net) == before
