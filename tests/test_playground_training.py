"""Tab 2's training sessions: steps checked against nn.matrix's SGD step, figures against numpy."""

import random
import time

import numpy as np
import pytest

from nn import datasets, matrix
from nn.training import epoch_batches
from viz.playground.training import GRID, Session

SMALL = {"points": 40, "held_out": 0.25, "batch_size": 5, "lr": 0.5, "l2": 0.3, "seed": 3}


def _arrays(pairs):
    return np.array([x for x, _ in pairs]).T, np.array([y for _, y in pairs]).T


def test_the_data_set_is_split_with_its_held_out_share():
    s = Session({"dataset": "circles", "points": 101, "held_out": 0.3, "noise": 0.05})
    assert len(s.test) == 30 and len(s.train) == 71
    assert sorted(map(str, s.train + s.test)) == sorted(map(str, datasets.circles(101, 0.05, 0)))
    data = s.data()
    assert len(data["train"]) == 71 and data["classes"] == 1 and data["config"]["points"] == 101


def test_spiral_has_three_outputs():
    s = Session(
        {"dataset": "spiral", "activations": ["tanh", "tanh", "softmax"], "cost": "log_likelihood"}
    )
    assert s.net.sizes == [2, 8, 8, 3]
    assert set(s.progress()["grid"]["label"]) <= {0, 1, 2}


def _assert_one_step_is_the_sgd_step_of_nn_matrix(s, lr):
    weights, biases = s.net.weights(), s.net.biases()
    batch = epoch_batches(len(s.train), 5, random.Random(3))[0]
    X, Y = _arrays([s.train[i] for i in batch])
    bp = matrix.backprop_batch(weights, biases, X, Y, s.net.activations, "quadratic")
    decay_factor = 1.0 - lr * 0.3 / len(s.train)  # network2's L2 step on the weights only
    s.control("step")
    assert (s.epoch, s.steps) == (0, 1)
    for got, w, g in zip(s.net.weights(), weights, bp.grad_w):
        np.testing.assert_allclose(got, decay_factor * w - lr * g, rtol=1e-12, atol=1e-14)
    for got, b, g in zip(s.net.biases(), biases, bp.grad_b):
        np.testing.assert_allclose(got, b - lr * g, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("dataset", ["moons", "xor", "circles"])
def test_one_step_is_the_sgd_step_of_nn_matrix(dataset):
    _assert_one_step_is_the_sgd_step_of_nn_matrix(Session({**SMALL, "dataset": dataset}), 0.5)


def test_a_step_follows_the_optimizers_lr_as_it_is_then_decay_included():
    s = Session(SMALL)
    s.optimizer.lr = 0.2  # the weight decay 1 − η·λ/n follows η
    _assert_one_step_is_the_sgd_step_of_nn_matrix(s, 0.2)


def test_epoch_finishes_the_epoch_and_records_its_figures():
    s = Session(SMALL)
    s.control("step")
    s.control("epoch")
    assert (s.epoch, s.steps) == (1, 6)  # 30 training points in batches of 5
    p = s.progress()
    X, Y = _arrays(s.train)
    bp = matrix.backprop_batch(s.net.weights(), s.net.biases(), X, Y, s.net.activations)
    assert p["training_cost"] == pytest.approx(bp.cost, rel=1e-12)
    Xt, Yt = _arrays(s.test)
    a = matrix.feedforward(s.net.weights(), s.net.biases(), Xt, s.net.activations)
    assert p["held_out_accuracy"] == pytest.approx(np.mean((a[0] > 0.5) == (Yt[0] == 1)))
    norms = [np.mean(np.linalg.norm(d, axis=0)) for d in bp.delta]
    assert [h["delta_norm"] for h in p["layers"]] == pytest.approx(norms, rel=1e-12)
    assert p["history"]["delta_norm"][-1] == pytest.approx(norms, rel=1e-12)
    assert p["history"]["epoch"] == [0, 1] and len(p["history"]["training_cost"]) == 2


def test_the_heat_map_is_the_nets_output_over_the_grid():
    s = Session(SMALL)
    s.control("epoch")
    grid = s.progress()["grid"]
    assert grid["size"] == GRID and len(grid["label"]) == GRID * GRID
    x0, x1, y0, y1 = s.bounds
    xs, ys = np.linspace(x0, x1, GRID), np.linspace(y1, y0, GRID)
    points = np.array([(x, y) for y in ys for x in xs]).T
    a = matrix.feedforward(s.net.weights(), s.net.biases(), points, s.net.activations)[0]
    assert grid["label"] == (a > 0.5).astype(int).tolist()
    assert grid["strength"] == pytest.approx(np.round(np.abs(a - 0.5) * 2, 3), abs=1e-3)


def test_reset_stops_the_thread_and_restores_the_seeded_net():
    s = Session(SMALL)
    first = s.net.weights()
    s.control("start")
    time.sleep(0.2)
    assert s.running
    s.control("reset")
    assert not s.running and s.epoch == 0 and s.steps == 0
    for w, w0 in zip(s.net.weights(), first):
        np.testing.assert_array_equal(w, w0)


def test_pause_holds_the_net_still():
    s = Session(SMALL)
    s.control("start")
    time.sleep(0.2)
    s.control("pause")
    epoch, weights = s.epoch, s.net.weights()
    time.sleep(0.1)
    assert not s.running and s.epoch == epoch > 0
    np.testing.assert_array_equal(s.net.weights()[0], weights[0])


def test_moons_reach_95_percent_held_out_in_the_background():
    s = Session()  # the page's defaults: moons, 2-8-8-1 tanh/tanh/sigmoid, η = 1
    s.control("start")
    deadline = time.monotonic() + 60
    while s.progress()["held_out_accuracy"] < 0.95 and time.monotonic() < deadline:
        time.sleep(0.1)
    s.stop()
    assert s.progress()["held_out_accuracy"] >= 0.95


def test_a_diverging_run_stops_with_a_message_and_the_last_whole_step():
    s = Session({**SMALL, "activations": ["linear", "linear", "linear"], "lr": 100.0, "l2": 0})
    for _ in range(40):
        s.control("epoch")
    p = s.progress()
    assert p["error"].startswith("training stopped: ")
    assert "out of range" in p["error"] or "not finite" in p["error"]
    assert all(np.isfinite(w).all() for w in s.net.weights())


def test_the_net_goes_to_tab_1_with_its_first_example():
    from viz.playground.stepping import step_answer

    s = Session(SMALL)
    s.control("epoch")
    request = s.net_for_step_through()
    assert request["x"] == s.train[0][0] and request["sizes"] == [2, 8, 8, 1]
    answer = step_answer(request)
    assert answer["weights"] == [w.tolist() for w in s.net.weights()]
    assert answer["check"]["ok"]


def test_an_unwatched_run_pauses_by_itself(monkeypatch):
    from viz.playground import training

    monkeypatch.setattr(training, "UNWATCHED", 0.2)
    s = Session(SMALL)
    s.control("start")
    deadline = time.monotonic() + 5
    while s.running and time.monotonic() < deadline:
        time.sleep(0.05)  # no poll: the page that started it is gone
    assert not s.running and s.epoch > 0


def test_after_one_step_the_figures_are_the_nets_now():
    s = Session(SMALL)
    s.control("step")
    p = s.progress()
    X, Y = _arrays(s.train)
    bp = matrix.backprop_batch(s.net.weights(), s.net.biases(), X, Y, s.net.activations)
    assert p["training_cost"] == pytest.approx(bp.cost, rel=1e-12)
    assert p["history"]["training_cost"][-1] != p["training_cost"]  # the epoch-0 figure
