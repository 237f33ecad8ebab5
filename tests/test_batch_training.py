"""nn.train's compiled path against its scalar path: the same weights, stats and stops."""

import math

import numpy as np
import pytest
from interrupts import interrupted_runs

import engine
import nn
from engine import Value
from nn import MLP
from nn.batch_training import BatchTrainer


def _data(n, n_in, n_out, seed):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, (n, n_in))
    Y = (rng.uniform(size=(n, n_out)) > 0.5).astype(float)
    return [(x.tolist(), y.tolist()) for x, y in zip(X, Y)]


def _train_both(sizes, acts, cost, data, **options):
    """(weights, history or the error's first clause) after nn.train on each path."""
    results = []
    for compiled in (False, True):
        net = MLP(sizes[0], sizes[1:], activation=acts, seed=2)
        try:
            outcome = nn.train(
                net, data, seed=5, verbose=False, cost=cost, compiled=compiled, **options
            )
        except ArithmeticError as e:
            outcome = (type(e), str(e).split(";")[0])
        results.append(([p.data for p in net.parameters()], outcome))
    return results


@pytest.mark.parametrize(
    "sizes, acts, cost",
    [
        ([2, 5, 1], ["tanh", "sigmoid"], "quadratic"),
        ([3, 8, 8, 2], ["relu", "tanh", "linear"], "quadratic"),
        ([4, 6, 3], ["sigmoid", "sigmoid"], "quadratic"),
        ([3, 4, 2], ["relu", "sigmoid"], "cross_entropy"),  # recorded with a branch: scalar
    ],
)
@pytest.mark.parametrize("batch_size", [1, 7, 50])
def test_both_paths_give_the_same_weights_and_stats_after_an_epoch(sizes, acts, cost, batch_size):
    data = _data(50, sizes[0], sizes[-1], seed=len(sizes))
    (scalar, h1), (compiled, h2) = _train_both(
        sizes, acts, cost, data, epochs=1, batch_size=batch_size, lr=0.5
    )
    np.testing.assert_allclose(compiled, scalar, rtol=1e-9, atol=1e-12)
    assert h2[0].cost == pytest.approx(h1[0].cost, rel=1e-12)
    assert h2[0].accuracy == h1[0].accuracy


def test_the_compiled_path_is_taken_unless_recording_freezes_a_branch(monkeypatch):
    from nn import costs

    data = [(x, y) for x, y in _data(4, 2, 1, seed=0)]
    assert BatchTrainer.for_net(MLP(2, [3, 1], activation="tanh"), "quadratic", data)
    # cross-entropy on sigmoid outputs is taken from z^L by the softplus primitive: no branch
    assert BatchTrainer.for_net(MLP(2, [3, 1], activation="sigmoid"), "cross_entropy", data)

    def branching(a, y):  # |a − y| written with a branch on the data: frozen by recording
        return sum(((aj - yj) if aj.data > yj else (yj - aj) for aj, yj in zip(a, y)), Value(0.0))

    record = costs.Cost("branching", "C = Σ_j |a_j − y_j|", branching, numpy=None, gradient=None)
    monkeypatch.setitem(costs.COSTS, "branching", record)
    assert BatchTrainer.for_net(MLP(2, [3, 1], activation="tanh"), "branching", data) is None


@pytest.mark.parametrize("lr", [0.01, 1.0, 100.0])
def test_the_compiled_path_stops_where_the_scalar_path_does_with_the_same_weights(lr):
    data = [(x, [float(sum(x) > 0)]) for x, _ in _data(40, 2, 1, seed=1)]
    (scalar, e1), (compiled, e2) = _train_both(
        [2, 8, 8, 1], "linear", "quadratic", data, epochs=3, batch_size=5, lr=lr
    )
    assert e1[:2] == e2[:2] if isinstance(e1, tuple) else not isinstance(e2, tuple)
    assert all(math.isfinite(w) for w in compiled)
    np.testing.assert_allclose(compiled, scalar, rtol=1e-9)


def _one_hot_data(n, n_in, classes, seed):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, (n, n_in))
    Y = np.eye(classes)[rng.integers(0, classes, n)]
    return [(x.tolist(), y.tolist()) for x, y in zip(X, Y)]


def test_softmax_with_log_likelihood_takes_the_compiled_path_with_the_same_results():
    # softmax's shift by the largest z is a node (relu-built max), not a number read off z
    data = _one_hot_data(40, 3, 4, seed=1)
    net = MLP(3, [5, 4], activation=["tanh", "softmax"])
    assert BatchTrainer.for_net(net, "log_likelihood", data) is not None
    (scalar, h1), (compiled, h2) = _train_both(
        [3, 5, 4], ["tanh", "softmax"], "log_likelihood", data, epochs=2, batch_size=8, lr=0.5,
        l2=1.0, test_data=data[:10],
    )  # fmt: skip
    np.testing.assert_allclose(compiled, scalar, rtol=1e-9, atol=1e-12)
    for a, b in zip(h1, h2):
        assert (b.cost, b.test_cost) == pytest.approx((a.cost, a.test_cost), rel=1e-12)
        assert (b.accuracy, b.test_accuracy) == (a.accuracy, a.test_accuracy)


@pytest.mark.parametrize("compiled", [False, True])
def test_scoring_in_chunks_gives_the_numbers_of_one_pass(monkeypatch, compiled):
    # the scores of 53 examples in chunks of 7 are those of one chunk, bit for bit
    rng = np.random.default_rng(3)
    X, Y = rng.uniform(-1, 1, (53, 3)), np.eye(2)[rng.integers(0, 2, 53)]
    runs = []
    for chunk in (1000, 7):
        monkeypatch.setattr(nn.batch_training, "CHUNK", chunk)
        net = MLP(3, [4, 2], seed=1)
        history = nn.train(net, (X, Y), 2, 5, 0.5, seed=0, verbose=False, compiled=compiled,
                           test_data=(X[:20], Y[:20]))  # fmt: skip
        runs.append([(h.cost, h.accuracy, h.test_cost, h.test_accuracy) for h in history])
        runs[-1].append(nn.evaluate(net, (X, Y)))
    assert runs[0] == runs[1]
    # and the scalar evaluation is mean_cost's number
    net = MLP(3, [4, 2], seed=1)
    with engine.no_grad():
        want = nn.mean_cost([net.trace(x) for x in X.tolist()], Y.tolist()).data
    assert nn.evaluate(net, (X, Y))[0] == want


def test_sgd_step_and_the_compiled_step_refuse_alike_through_one_update():
    from nn.batch_training import sgd_update

    data, grad = np.array([1.0, 2.0, 3.0]), np.array([0.0, np.inf, 1.0])
    with pytest.raises(FloatingPointError, match=r"1 parameter grads are not finite \(first: b\)"):
        sgd_update(data, grad, 0.1, 1.0, "abc".__getitem__)
    with pytest.raises(FloatingPointError, match=r"would make 1 parameters infinite \(first: c,"):
        sgd_update(data, np.array([0.0, 1.0, 1e308]), 10.0, 1.0, "abc".__getitem__)
    # SGD.step and the compiled trainer both stop with that message, changing nothing
    net = MLP(2, [2, 1], activation="linear", seed=0)
    data = [([1e150, 1e150], [0.0])] * 4
    messages = []
    for compiled in (False, True):
        before = [p.data for p in net.parameters()]
        with pytest.raises(FloatingPointError) as caught:
            nn.train(net, data, 1, 4, 1e10, verbose=False, compiled=compiled)
        assert [p.data for p in net.parameters()] == before
        messages.append(str(caught.value).split(": ", 1)[1].split(" (first")[0])
    assert messages[0] == messages[1]


@pytest.mark.parametrize("stride", [pytest.param(2, marks=pytest.mark.slow), 97])
def test_a_ctrl_c_at_any_line_of_a_compiled_epoch_leaves_the_net_at_a_whole_step(stride):
    # Once "5 of 17 parameters changed" was possible: an interrupt at every other
    # line that one compiled epoch runs in engine/ and nn/ leaves the net as it was before
    # the epoch or after some whole number of its steps, never part old and part new.
    # The quick suite interrupts at every 97th line only.
    data = [([0.1 * i, 1.0 - 0.2 * i], [float(i % 2)]) for i in range(4)]

    def fresh():
        return nn.MLP(2, [2, 1], activation=["tanh", "sigmoid"], seed=3)

    def one_epoch(net):
        nn.train(net, data, epochs=1, batch_size=2, lr=0.5, seed=1, verbose=False)

    snapshots = []
    real_step = BatchTrainer.sgd_step

    def recording_step(self, *args):
        real_step(self, *args)
        snapshots.append(self._data.tolist())

    net = fresh()
    whole_steps = [[p.data for p in net.parameters()]]
    BatchTrainer.sgd_step = recording_step
    try:
        one_epoch(net)
    finally:
        BatchTrainer.sgd_step = real_step
    whole_steps += snapshots
    assert len(whole_steps) == 3 and [p.data for p in net.parameters()] == whole_steps[-1]
    runs = 0
    net = fresh()
    for line in interrupted_runs(lambda: one_epoch(net), after="epoch", stride=stride):
        runs += 1
        state = [p.data for p in net.parameters()]
        assert state in whole_steps, f"a net half old, half new: interrupted at line {line}"
        for p, x in zip(net.parameters(), whole_steps[0]):
            p.data, p.grad = x, 0.0
    assert runs > 200 // stride  # every other line of the epoch: a few seconds


def test_a_changed_learning_rate_changes_the_weight_decay_of_the_next_step():
    # the decay 1 − η·weight_decay is derived from the optimizer's lr as it is at each step
    net = MLP(3, [4, 2], seed=0)
    rng = np.random.default_rng(0)
    X, Y = rng.uniform(0, 1, (4, 3)), rng.uniform(0, 1, (4, 2))
    W, B = net.weights(), net.biases()
    trainer = BatchTrainer(net, "quadratic", (X, Y))
    optimizer = nn.SGD(net.parameters(), 0.5, weight_decay=0.1, decayed=net.weight_params())
    with trainer.epoch():
        for batch, lr in (([0, 1], 0.5), ([2, 3], 0.1)):
            optimizer.lr = lr
            trainer.step(batch, optimizer)
            W, B = nn.matrix.sgd_update(W, B, X[batch].T, Y[batch].T, lr, l2=0.1, n=1)
    for got, want in zip(net.weights() + net.biases(), W + B):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def _bits(a):
    return np.asarray(a, dtype=float).view(np.int64).tolist()


def test_a_step_sets_the_grads_to_zero_plus_the_batch_s_bit_for_bit():
    # a relu net whose dead units give −0.0 grads: 0 + (−0.0) is +0.0, as zeroing and adding
    net = MLP(3, [4, 2], activation=["relu", "linear"], seed=1)
    rng = np.random.default_rng(3)
    X, Y = rng.uniform(-1, 1, (6, 3)), rng.uniform(-1, 1, (6, 2))
    trainer = BatchTrainer(net, "quadratic", (X, Y))
    step = engine.compile(
        lambda x, y: nn.quadratic_cost(net(x), y), (X[0].tolist(), Y[0].tolist()),
        net.parameters(), input_grads=False,
    )  # fmt: skip
    with step.parameter_arrays() as (_, grad):
        grad[:] = 0.0
        step.backward(X[[1, 4, 5]], Y[[1, 4, 5]])
        want = grad.copy()
    with trainer.epoch():
        trainer._grad[:] = 7.0  # the last step's grads: replaced, not added to
        trainer.sgd_step([1, 4, 5], 0.0625)
        got = trainer._grad.copy()
    assert _bits(got) == _bits(want)
    assert _bits(want) != _bits(np.abs(want))  # the case in question: −0.0 grads occur


@pytest.mark.parametrize("cost", ["quadratic", "cross_entropy"])
def test_the_step_and_the_evaluator_share_one_recording_as_two_records_give_it(cost):
    net = MLP(3, [4, 2], seed=0)
    X, Y = np.zeros((2, 3)), np.zeros((2, 2))
    trainer = BatchTrainer(net, cost, (X, Y))
    cost_of = nn.costs.cost_named(cost)
    alone = engine.compile(
        lambda x, y: cost_of(net.trace(x), y), ([0.0] * 3, [0.0] * 2),
        net.parameters(), input_grads=False,
    )  # fmt: skip
    step = trainer.compiled_step
    assert [v.op for v in step.nodes] == [v.op for v in alone.nodes]
    assert step.source() == alone.source()
    assert trainer.evaluator._rec.outputs[0] is step._rec.outputs[0]  # recorded once
    # the quadratic cost reads a^L: one replay serves the steps and the scores
    assert (step is trainer.evaluator) == (cost == "quadratic")
    with step.parameter_arrays():
        costs = step.backward(X, Y)  # the cost of each example, as the cost compiled alone
    assert costs.tolist() == trainer.evaluate()[0].tolist() == alone(X, Y).tolist()


def test_scoring_reads_the_parameters_and_writes_nothing_back():
    net = MLP(3, [4, 2], seed=0)
    rng = np.random.default_rng(0)
    X, Y = rng.uniform(0, 1, (5, 3)), rng.uniform(0, 1, (5, 2))
    trainer = BatchTrainer(net, "quadratic", (X, Y))
    params = net.parameters()
    params[0].data = 0.25  # changed after the trainer was made: read at scoring
    for i, p in enumerate(params):
        p.grad = float(i)
    costs, outputs = trainer.evaluate()
    W, B = net.weights(), net.biases()
    a = nn.matrix.feedforward(W, B, X.T).T
    np.testing.assert_allclose(outputs, a, rtol=1e-12)
    np.testing.assert_allclose(costs, 0.5 * ((a - Y) ** 2).sum(axis=1), rtol=1e-12)
    assert [p.grad for p in params] == [float(i) for i in range(len(params))]
    assert all(type(p) is Value for p in params)  # not bound: the Values keep their numbers


def test_a_step_decays_what_its_own_optimizer_decays():
    # two optimizers with the same lr and weight decay, one decaying the weights only, the
    # other every parameter: the second step must decay the biases too
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(8, 2)), rng.uniform(size=(8, 1))

    def two_steps(switch):
        net = MLP(2, [3, 1], activation="sigmoid", seed=0)
        weights_only = nn.SGD(net.parameters(), 0.5, 0.1, decayed=net.weight_params())
        every = nn.SGD(net.parameters(), 0.5, 0.1)
        trainer = BatchTrainer.for_net(net, "quadratic", (X, Y))
        with trainer.epoch():
            trainer.step([0, 1, 2, 3], weights_only if switch else every)
            trainer.step([4, 5, 6, 7], every)
        return [p.data for p in net.parameters()]

    def scalar_steps():  # the same two steps on the scalar engine, with nn.SGD.step
        net = MLP(2, [3, 1], activation="sigmoid", seed=0)
        optimizers = [
            nn.SGD(net.parameters(), 0.5, 0.1, decayed=net.weight_params()),
            nn.SGD(net.parameters(), 0.5, 0.1),
        ]
        for batch, opt in zip(([0, 1, 2, 3], [4, 5, 6, 7]), optimizers):
            opt.zero_grad()
            costs = [nn.costs.cost_named("quadratic")(net(list(X[i])), list(Y[i])) for i in batch]
            (sum(costs) / len(batch)).backward()
            opt.step()
        return [p.data for p in net.parameters()]

    assert two_steps(switch=True) == pytest.approx(scalar_steps(), abs=1e-14)
    assert two_steps(switch=False) != pytest.approx(scalar_steps(), abs=1e-6)
