"""SGD and train: the batch step equals the matrix batch update; cost falls; bad input changes nothing."""

import math
import random
import re

import numpy as np
import pytest
from interrupts import interrupted_runs

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
        (dict(lr=0.0), ValueError, "train: lr must be > 0, got 0.0"),
        (dict(lr=math.inf), ValueError, "train: lr must be finite, got inf"),
        (dict(l2=-1.0), ValueError, "train: l2 must be ≥ 0, got -1.0"),
        (dict(batch_size=0), ValueError, "train: batch_size must be ≥ 1, got 0"),
        (dict(epochs=-1), ValueError, "train: epochs must be ≥ 0, got -1"),
        (dict(cost="l1"), ValueError, "cost must be one of .*, got 'l1'"),
        (dict(data=[]), ValueError, "data is empty"),
        (
            dict(data=[([0.0, 1.0], [1.0]), ([1.0], [0.0])]),
            ValueError,
            "data\\[1\\]: input must have 2 values",
        ),
        (
            dict(data=[([0.0, 1.0], [1.0, 0.0])]),
            ValueError,
            "data\\[0\\]: target must have 1 value \\(the net's outputs\\), got 2",
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


def test_training_on_arrays_equals_training_on_pairs():
    data = nn.datasets.moons(n=40, noise=0.1, seed=2)
    X = np.array([x for x, _ in data])
    y = np.array([t[0] for _, t in data])  # a 1-D Y: one target per row
    on_pairs, on_arrays = (MLP(2, [4, 1], activation="tanh", seed=5) for _ in range(2))
    h1 = nn.train(on_pairs, data, epochs=2, batch_size=8, lr=0.3, seed=1, verbose=False)
    h2 = nn.train(on_arrays, (X, y), epochs=2, batch_size=8, lr=0.3, seed=1, verbose=False)
    assert _params(on_pairs) == _params(on_arrays)
    assert [(h.cost, h.accuracy) for h in h1] == [(h.cost, h.accuracy) for h in h2]
    assert nn.evaluate(on_pairs, data) == nn.evaluate(on_pairs, (X, y[:, None]))


@pytest.mark.parametrize(
    "X, Y, message",
    [
        (
            np.zeros((3, 3)),
            np.zeros(3),
            r"X must have shape \(m, 2\), one example per row, got \(3, 3\)",
        ),
        (np.zeros((3, 2)), np.zeros((3, 2)), r"Y must have shape \(m, 1\), one target per row"),
        (np.zeros((3, 2)), np.zeros(4), "X has 3 rows but Y has 4"),
        (np.array([[0.0, 1.0], [np.nan, 0.0]]), np.zeros(2), r"X\[1\] is not finite"),
        (np.zeros((0, 2)), np.zeros(0), "data is empty"),
    ],
)
def test_bad_arrays_are_refused_naming_the_row(X, Y, message):
    net = MLP(2, [2, 1], seed=0)
    with pytest.raises(ValueError, match="evaluate: " + message):
        nn.evaluate(net, (X, Y))


def test_arrays_of_text_are_refused():
    with pytest.raises(TypeError, match="evaluate: X and Y must hold numbers, got <U3 and float64"):
        nn.evaluate(MLP(2, [1], seed=0), (np.array([["0.5", "1.0"]]), np.zeros(1)))


def test_history_scores_the_training_and_the_test_data():
    train, test = XOR[:3], XOR[3:]
    net = MLP(2, [3, 1], seed=2)
    history = nn.train(net, train, 2, 2, 0.5, seed=0, test_data=test, verbose=False)
    # scored by the compiled replay, nn.evaluate builds scalar graphs: equal to rounding
    last = history[-1]
    assert (last.cost, last.accuracy) == pytest.approx(nn.evaluate(net, train), rel=1e-12)
    assert (last.test_cost, last.test_accuracy) == pytest.approx(nn.evaluate(net, test), rel=1e-12)
    assert history[-1].diagnosis is None and history[-1].seconds > 0
    with pytest.raises(ValueError, match=r"train: test_data: data\[0\]: target must have 1 value"):
        nn.train(net, train, 1, 2, 0.5, test_data=[([0.0, 0.0], [0.0, 1.0])])


def test_l2_decays_the_weights_and_not_the_biases():
    # one full-batch step: w → (1 − ηλ/n) w − η ∂C/∂w, b → b − η ∂C/∂b, n = 4, from BP1–BP4
    net = MLP(2, [3, 1], seed=4)
    W, B = net.weights(), net.biases()
    nn.train(net, XOR, epochs=1, batch_size=4, lr=0.5, l2=2.0, seed=0, verbose=False)
    X, Y = np.array([x for x, _ in XOR]).T, np.array([y for _, y in XOR]).T
    bp = matrix.backprop_batch(W, B, X, Y)
    for got, w, gw in zip(net.weights(), W, bp.grad_w):
        assert np.max(np.abs(got - ((1 - 0.5 * 2.0 / 4) * w - 0.5 * gw))) <= 1e-12
    for got, b, gb in zip(net.biases(), B, bp.grad_b):
        assert np.max(np.abs(got - (b - 0.5 * gb))) <= 1e-12


def test_diagnose_true_records_each_epoch_and_warns_once_about_a_saturated_layer():
    # biases of ±40 put both hidden sigmoids far out on their flat tails on every example
    net = MLP.from_matrices(
        [np.zeros((2, 2)), np.ones((1, 2))], [np.array([40.0, -40.0]), np.zeros(1)]
    )
    with pytest.warns(nn.TrainingWarning) as caught:
        history = nn.train(net, XOR, 3, 2, 0.1, seed=0, diagnose=True, verbose=False)
    assert len(caught) == 1
    assert "epoch 1: layer 2 (2 sigmoid units): 100.0% of its units are saturated" in str(
        caught[0].message
    )
    assert all(h.diagnosis.layers[0].saturated == 1.0 for h in history)
    assert history[0].diagnosis.layers[1].saturated == 0.0


def test_verbose_false_prints_nothing(capsys):
    nn.train(MLP(2, [2, 1], seed=0), XOR, 2, 2, 0.1, test_data=XOR, diagnose=True, verbose=False)
    assert capsys.readouterr().out == ""


def test_the_epoch_line_shows_the_test_scores(capsys):
    nn.train(MLP(2, [2, 1], seed=0), XOR, 1, 2, 0.1, test_data=XOR[:2])
    line = capsys.readouterr().out.strip()
    assert re.fullmatch(
        r"epoch 1/1  cost [\d.]+  accuracy +[\d.]+%  \| test cost [\d.]+  accuracy +[\d.]+%  \([\d.]+ s\)",
        line,
    )


def _replay(net, data, epochs, batch_size, lr, cost="quadratic", l2=0.0, seed=0):
    """The weights nn.train should reach, from BP1–BP4 on the same mini-batches (nn.matrix)."""
    W, B = net.weights(), net.biases()
    X, Y = np.array([x for x, _ in data]), np.array([y for _, y in data])
    rng = random.Random(seed)
    for _ in range(epochs):
        for batch in nn.training.epoch_batches(len(data), batch_size, rng):
            W, B = matrix.sgd_update(
                W, B, X[batch].T, Y[batch].T, lr, net.activations, cost, l2=l2, n=len(data)
            )
    return W, B


def _largest_difference(net, W, B):
    return max(np.max(np.abs(a - b)) for a, b in zip(net.weights() + net.biases(), W + B))


@pytest.mark.parametrize(
    "init, acts, cost, l2",
    [
        ("normal", ["tanh", "sigmoid"], "quadratic", 0.0),
        ("scaled", ["relu", "sigmoid"], "cross_entropy", 0.0),
        ("scaled", ["tanh", "sigmoid"], "cross_entropy", 5.0),
        ("normal", ["sigmoid", "sigmoid"], "quadratic", 1.0),
    ],
)
@pytest.mark.parametrize("compiled", [False, True])
def test_init_and_l2_options_against_the_matrix_replay(init, acts, cost, l2, compiled):
    data = nn.datasets.moons(n=30, noise=0.2, seed=1)
    net = MLP(2, [5, 1], activation=acts, seed=2, init=init)
    W, B = _replay(net, data, 3, 7, 0.4, cost, l2, seed=3)
    nn.train(net, data, 3, 7, 0.4, cost=cost, l2=l2, seed=3, verbose=False, compiled=compiled)
    assert _largest_difference(net, W, B) <= 1e-12


# the scalar path builds the graphs of 300 examples of 64 pixels: slow
@pytest.mark.parametrize("compiled", [pytest.param(False, marks=pytest.mark.slow), True])
def test_scalar_and_matrix_agree_after_an_epoch_on_digits(sklearn, compiled):
    train, test = nn.datasets.digits(test_size=1497)  # 300 images to train on
    net = MLP(64, [30, 10], seed=0)
    W, B = _replay(net, train, 1, 10, 3.0)
    seen = []
    nn.train(net, train, 1, 10, 3.0, seed=0, verbose=False, on_epoch=seen.append, compiled=compiled)
    assert _largest_difference(net, W, B) < 1e-9
    assert [s.epoch for s in seen] == [1]


def test_sgd_update_with_l2_needs_n():
    W, B = [np.ones((1, 1))], [np.zeros(1)]
    with pytest.raises(ValueError, match="l2 needs n, the number of training examples"):
        matrix.sgd_update(W, B, np.ones((1, 1)), np.ones((1, 1)), 0.1, l2=1.0)


def test_sgd_weight_decay_applies_to_the_decayed_parameters_only():
    w, b = Value(2.0), Value(2.0)
    w.grad = b.grad = 0.5
    SGD([w, b], lr=0.1, weight_decay=3.0, decayed=[w]).step()
    assert w.data == (1 - 0.1 * 3.0) * 2.0 - 0.1 * 0.5 and b.data == 2.0 - 0.1 * 0.5
    with pytest.raises(ValueError, match="decayed must be some of params"):
        SGD([w], lr=0.1, weight_decay=1.0, decayed=[b])
    with pytest.raises(ValueError, match="SGD: weight_decay must be ≥ 0, got -1.0"):
        SGD([w], lr=0.1, weight_decay=-1.0)


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
    # every step is all or nothing, so a run that stops leaves the
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
            net,
            _blobs(40, 0),
            epochs=3,
            batch_size=5,
            lr=lr,
            cost=cost,
            seed=0,
            verbose=False,
            compiled=False,  # SGD.step's snapshots; tests/test_batch_training.py: compiled
        )
    except (ArithmeticError, ValueError) as e:
        assert str(e)
        assert _params(net) == (snapshots[-1] if snapshots else initial)
    else:
        assert len(history) == 3 and all(math.isfinite(h.cost) for h in history)
    assert all(math.isfinite(v) for v in _params(net))


def test_sgd_step_refuses_an_infinite_result_changing_nothing():
    # a finite grad times a large lr used to make a weight inf (or fail
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
def test_train_checks_every_input_and_target_up_front(data, error, message):
    # a bad target at data[i] used to fail mid-epoch, after updates, with a
    # message that did not name the example. numpy bools are refused: a target is a number.
    net = MLP(2, [2, 1], seed=0)
    before = _params(net)
    with pytest.raises(error, match=message):
        nn.train(net, data, epochs=2, batch_size=1, lr=0.5, seed=0, verbose=False)
    assert _params(net) == before


@pytest.mark.parametrize("acts", [["tanh", "linear"], ["sigmoid", "relu"]])
def test_cross_entropy_on_outputs_outside_0_1_is_refused_before_training(acts):
    # used to fail mid-training on log of a negative number
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


def test_train_accepts_numpy_integers():
    # np.int64 epochs and batch sizes (from a numpy config) were refused
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
    # Module.zero_grad and SGD.zero_grad clear the leaves they own;
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
    # evaluate names the bad example too, as train does
    net = MLP(2, [2, 1], seed=0)
    with pytest.raises(ValueError, match=r"evaluate: data\[1\]: target y\[0\] must be finite"):
        nn.evaluate(net, [XOR[0], ([0.0, 1.0], [float("nan")])])
    with pytest.raises(ValueError, match="evaluate: data is empty"):
        nn.evaluate(net, [])


def test_each_epoch_says_which_path_trained_it():
    for compiled in (True, False):
        history = nn.train(MLP(2, [3, 1], activation="tanh", seed=0), XOR, 1, 2, 0.1,
                           verbose=False, compiled=compiled)  # fmt: skip
        assert history[0].compiled is compiled


def test_the_collector_is_paused_once_per_scalar_epoch_and_once_per_forward_pass(monkeypatch):
    import gc

    pauses = []
    disable = gc.disable
    monkeypatch.setattr(gc, "disable", lambda: (pauses.append(gc.isenabled()), disable()))
    net = MLP(2, [3, 1], activation="tanh", seed=0)
    assert gc.isenabled()
    nn.train(net, XOR, 2, 1, 0.1, verbose=False, compiled=False)  # 2 epochs of 4 steps
    assert pauses == [True, True] and gc.isenabled()
    pauses.clear()
    net([0.5, 0.5])
    assert pauses == [True] and gc.isenabled()
    disable()
    try:
        net([0.5, 0.5])  # a pause inside a pause leaves the collector off
        assert not gc.isenabled()
    finally:
        gc.enable()


# --- found by a hostile review of nn -------------------------------------------------------


def test_an_interrupt_while_sgd_writes_the_parameters_leaves_them_all_as_they_were():
    # a Ctrl-C landing at any line SGD.step runs: every parameter old, or every one new
    old = [1.0, 2.0, 3.0, 4.0]
    params = [Value(x) for x in old]
    for p in params:
        p.grad = 1.0
    optimizer = SGD(params, lr=0.5)
    reached = 0
    for at in interrupted_runs(optimizer.step):
        now = [p.data for p in params]
        assert now in (old, [x - 0.5 for x in old]), f"interrupted at line {at}: {now}"
        for p, x in zip(params, old):
            p.data = x
        reached = at
    assert reached > 5 and [p.data for p in params] == [x - 0.5 for x in old]


def test_probability_costs_refuse_targets_outside_0_1_before_training():
    net = MLP(2, [3, 1], seed=0)
    before = [p.data for p in net.parameters()]
    data = [([0.1, 0.2], [1.0]), ([0.3, -0.1], [-1.0])]
    with pytest.raises(ValueError, match=r"data\[1\]'s target \[-1\.0\] lies outside \[0, 1\]"):
        nn.train(net, data, 1, 1, 0.1, cost="cross_entropy", verbose=False)
    assert [p.data for p in net.parameters()] == before
    soft = MLP(2, [3, 2], activation=["sigmoid", "softmax"], seed=0)
    with pytest.raises(ValueError, match="log_likelihood cost needs probabilities"):
        nn.train(soft, [([0.1, 0.2], [2.0, -1.0])], 1, 1, 0.1, cost="log_likelihood", verbose=False)


def test_boolean_target_arrays_are_refused_as_boolean_pairs_are():
    X, Y = np.zeros((4, 2)), np.array([[True], [False], [True], [False]])
    with pytest.raises(TypeError, match=r"not booleans.*Y\.astype\(float\)"):
        nn.train(MLP(2, [1], seed=0), (X, Y), 1, 2, 0.1, verbose=False)


def test_train_checks_its_flags_and_callback_before_the_first_update():
    net, data = MLP(2, [1], seed=0), [([0.1, 0.2], [1.0])]
    with pytest.raises(TypeError, match="train: on_epoch must be a function"):
        nn.train(net, data, 1, 1, 0.1, on_epoch=5, verbose=False)
    with pytest.raises(TypeError, match="train: verbose must be True or False, got str: 'no'"):
        nn.train(net, data, 1, 1, 0.1, verbose="no")


def test_an_l2_decay_that_would_flip_the_weights_is_refused():
    net, data = MLP(2, [1], seed=0), [([0.1, 0.2], [1.0])] * 40
    with pytest.raises(ValueError, match="η·λ/n = 0.1·1000000.0/40 ≥ 1 would flip"):
        nn.train(net, data, 1, 10, 0.1, l2=1e6, verbose=False)


def test_softmax_over_a_single_neuron_is_refused():
    with pytest.raises(ValueError, match="softmax over a single neuron is the constant 1"):
        MLP(2, [1], activation="softmax")


def test_the_matrix_reference_refuses_a_transposed_target():
    net = MLP(2, [1], seed=0)
    with pytest.raises(ValueError, match=r"Y must have shape \(n_L, m\) = \(1, 3\).*got \(3, 1\)"):
        matrix.backprop_batch(net.weights(), net.biases(), np.ones((2, 3)), np.ones((3, 1)))
    with pytest.raises(ValueError, match=r"sgd_update: n must be ≥ 1, got 0"):
        matrix.sgd_update(
            net.weights(), net.biases(), np.ones((2, 3)), np.ones((1, 3)), 1.0, l2=1.0, n=0
        )
    with pytest.raises(ValueError, match=r"l2 needs n, the number of training examples"):
        matrix.sgd_update(
            net.weights(), net.biases(), np.ones((2, 3)), np.ones((1, 3)), 1.0, l2=1.0
        )


def test_unclear_arguments_get_messages_that_name_them():
    with pytest.raises(ValueError, match="moons: seed must be ≥ 0, got -1"):
        nn.datasets.moons(100, 0.1, seed=-1)
    with pytest.raises(TypeError, match="train: data must be a list of \\(x, y\\) pairs"):
        nn.train(MLP(2, [1], seed=0), None, 1, 1, 0.1, verbose=False)
    with pytest.raises(
        ValueError, match="MLP: init must be one of 'normal', 'scaled', got \\['scaled'\\]"
    ):
        MLP(2, [1], init=["scaled"])


def test_a_row_of_finite_numbers_whose_sum_overflows_is_not_refused():
    # the check sums each row first: a finite row summing to inf is looked at closer
    X = np.array([[1e308, 1e308], [0.0, 1.0], [1e308, np.inf], [0.0, np.nan]])
    net = MLP(2, [2, 1], seed=0)
    with pytest.raises(ValueError, match=r"evaluate: X\[2\] is not finite: \[1e\+308, inf\]"):
        nn.evaluate(net, (X, np.zeros(4)))
    nn.evaluate(net, (X[:2], np.zeros(2)))
