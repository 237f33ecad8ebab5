"""SGD and train: the batch step equals the matrix batch update; cost falls; bad input changes nothing."""

import math

import numpy as np
import pytest

import nn
from engine import Value
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
            "data\\[1\\]: input must have 2 values",
        ),
        (
            dict(data=[([0.0, 1.0], [1.0, 0.0])]),
            ValueError,
            "data\\[0\\]: target must have 1 values \\(the net's outputs\\), got 2",
        ),
        (dict(data=[[0.0, 1.0, 2.0]]), TypeError, "data\\[0\\] must be an \\(x, y\\) pair"),
        (
            dict(data=[[0.0, 1.0]]),
            TypeError,
            "data\\[0\\]: input must be a list, tuple or 1-D array, got float",
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


def _blobs(n, seed):
    """n points in two Gaussian blobs around (±1, ±1), labelled 0 and 1."""
    rng = np.random.default_rng(seed)
    label = rng.integers(0, 2, n)
    points = rng.normal(0.0, 0.5, (n, 2)) + np.where(label[:, None] == 1, 1.0, -1.0)
    return [(p.tolist(), [float(c)]) for p, c in zip(points, label)]


@pytest.mark.parametrize("lr", [0.01, 0.1, 1.0, 10.0, 100.0])
@pytest.mark.parametrize(
    "acts, cost",
    [(["tanh", "tanh", "sigmoid"], "cross_entropy"), (["linear", "linear", "linear"], "quadratic")],
)
def test_train_at_any_learning_rate_trains_or_stops_with_the_net_whole(monkeypatch, lr, acts, cost):
    # issue 8, "done when": every step is all or nothing, so a run that stops leaves the
    # parameters exactly as the last completed step made them
    snapshots = []
    step = SGD.step

    def recorded_step(self):
        step(self)
        snapshots.append([p.data for p in self.params])

    monkeypatch.setattr(SGD, "step", recorded_step)
    net = MLP(2, [8, 8, 1], activation=acts, seed=0)
    initial = _params(net)
    try:
        history = nn.train(
            net, _blobs(40, 0), epochs=3, batch_size=5, lr=lr, cost=cost, seed=0, verbose=False
        )
    except (ArithmeticError, ValueError) as e:
        assert str(e)
        assert _params(net) == (snapshots[-1] if snapshots else initial)
    else:
        assert len(history) == 3 and all(math.isfinite(h.cost) for h in history)
    assert all(math.isfinite(v) for v in _params(net))


def test_item17_sgd_step_refuses_an_infinite_result_changing_nothing():
    # issue 8 item 17: a finite grad times a large lr used to make a weight inf (or fail
    # half-way through the parameters)
    params = [Value(1.0), Value(2.0), Value(3.0)]
    params[0].grad, params[1].grad, params[2].grad = 1.0, 1.0, 1e308
    with pytest.raises(FloatingPointError, match="would make 1 parameters infinite"):
        SGD(params, lr=10.0).step()
    assert [p.data for p in params] == [1.0, 2.0, 3.0]


@pytest.mark.parametrize(
    "data, error, message",
    [
        (
            XOR[:3] + [([1.0, 1.0], [float("nan")])],
            ValueError,
            r"data\[3\]: target y\[0\] must be finite",
        ),
        (
            XOR[:2] + [([1.0, 0.0], 1.0)],
            TypeError,
            r"data\[2\]: target must be a list, tuple or 1-D array, got float",
        ),
        (
            XOR[:1] + [([0.0, 1.0], [True])],
            TypeError,
            r"data\[1\]: target y\[0\] is the bool True; give targets as numbers",
        ),
        (
            XOR[:1] + [([0.0, 1.0], np.array([np.True_]))],
            TypeError,
            r"data\[1\]: target y\[0\] is the bool",
        ),
        (
            XOR[:1] + [([0.0, 1.0], ["1"])],
            TypeError,
            r"data\[1\]: target y\[0\] must be a real number",
        ),
        (
            XOR[:3] + [([1.0, float("inf")], [0.0])],
            ValueError,
            r"data\[3\]: input x\[1\]: .*finite",
        ),
        (
            XOR[:1] + [({0: 1.0, 1: 2.0}, [0.0])],
            TypeError,
            r"data\[1\]: input must be a list, tuple or 1-D array, got dict",
        ),
    ],
)
def test_item12_train_checks_every_input_and_target_up_front(data, error, message):
    # issue 8 item 12: a bad target at data[i] used to fail mid-epoch, after updates, with a
    # message that did not name the example. numpy bools are refused: a target is a number.
    net = MLP(2, [2, 1], seed=0)
    before = _params(net)
    with pytest.raises(error, match=message):
        nn.train(net, data, epochs=2, batch_size=1, lr=0.5, seed=0, verbose=False)
    assert _params(net) == before


@pytest.mark.parametrize("acts", [["tanh", "linear"], ["sigmoid", "relu"]])
def test_item14_cross_entropy_on_outputs_outside_0_1_is_refused_before_training(acts):
    # issue 8 item 14: used to fail mid-training on log of a negative number
    net = MLP(2, [3, 1], activation=acts, seed=0)
    before = _params(net)
    with pytest.raises(
        ValueError,
        match=r"cross_entropy cost needs outputs in \(0, 1\), that is a sigmoid output layer",
    ):
        nn.train(net, XOR, epochs=1, batch_size=2, lr=0.5, cost="cross_entropy", verbose=False)
    assert _params(net) == before
    with pytest.raises(ValueError, match="cross_entropy cost needs outputs in"):
        nn.evaluate(net, XOR, "cross_entropy")


def test_item15_train_accepts_numpy_integers():
    # issue 8 item 15: np.int64 epochs and batch sizes (from a numpy config) were refused
    net = MLP(2, [2, 1], seed=0)
    history = nn.train(
        net,
        XOR,
        epochs=np.int64(2),
        batch_size=np.int32(2),
        lr=0.5,
        seed=np.int64(1),
        verbose=False,
    )
    assert [h.epoch for h in history] == [1, 2]


def test_zero_grad_clears_the_parameters_and_no_other_node():
    # issue 9 item 7: Module.zero_grad and SGD.zero_grad clear the leaves they own;
    # Value.zero_grad clears the whole graph
    net = MLP(2, [2, 1], seed=0)
    tr = net.trace([0.5, -1.0])
    C = nn.quadratic_cost(tr, [1.0])
    C.backward()
    z = tr.zs[0][0]
    for clear in (net.zero_grad, SGD(net.parameters(), lr=0.1).zero_grad):
        C.backward()
        clear()
        assert all(p.grad == 0.0 for p in net.parameters())
        assert z.grad != 0.0
    C.zero_grad()
    assert z.grad == 0.0


def test_evaluate_checks_its_data_as_train_does():
    # a sibling of issue 8 item 12: evaluate names the bad example too
    net = MLP(2, [2, 1], seed=0)
    with pytest.raises(ValueError, match=r"evaluate: data\[1\]: target y\[0\] must be finite"):
        nn.evaluate(net, [XOR[0], ([0.0, 1.0], [float("nan")])])
    with pytest.raises(ValueError, match="evaluate: data is empty"):
        nn.evaluate(net, [])
