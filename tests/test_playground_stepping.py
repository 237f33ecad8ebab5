"""Tab 1's answers: the step-through frames and every δ and gradient, checked against nn.matrix."""

import copy

import numpy as np
import pytest

from nn import matrix
from nn.network import MLP
from viz import step_through_net
from viz.playground.fields import BadRequest
from viz.playground.stepping import step_answer


def _reference(sizes, activations, cost, x, y, weights, biases):
    """BP1–BP4 in numpy for the given parameters: δ^l and the gradients by page symbol."""
    bp = matrix.backprop(
        [np.array(w) for w in weights], [np.array(b) for b in biases], np.array(x),
        np.array(y), activations, cost,
    )  # fmt: skip
    values = {}
    for i, (delta, gw) in enumerate(zip(bp.delta, bp.grad_w)):
        l = i + 2
        for j, d in enumerate(delta):
            values[f"delta^{l}_{j}"] = values[f"dC/db^{l}_{j}"] = d
            for k, g in enumerate(gw[j]):
                values[f"dC/dw^{l}_{j}{k}"] = g
    return values, bp.cost


def _agrees(answer):
    values, cost = _reference(
        answer["sizes"], answer["activations"], answer["cost"], answer["x"], answer["y"],
        answer["weights"], answer["biases"],
    )  # fmt: skip
    assert answer["values"].keys() == values.keys()
    for symbol, v in values.items():
        assert answer["values"][symbol] == pytest.approx(v, rel=1e-12, abs=1e-15), symbol
    assert answer["C"] == pytest.approx(cost, rel=1e-12)
    assert answer["check"]["ok"] and answer["check"]["text"].startswith("✓ agrees with nn.matrix")


def test_it_opens_on_the_tiny_net_of_the_examples():
    answer = step_answer({})
    net = MLP(2, [3, 2], activation="sigmoid", seed=0)
    assert answer["sizes"] == [2, 3, 2] and answer["activations"] == ["sigmoid", "sigmoid"]
    assert (answer["cost"], answer["x"], answer["y"]) == ("quadratic", [0.5, -1.0], [1.0, 0.0])
    assert answer["weights"] == [w.tolist() for w in net.weights()]
    _agrees(answer)


def test_the_frames_are_the_step_through_pages_frames():
    answer = step_answer({})
    page = step_through_net(MLP(2, [3, 2], seed=0), [0.5, -1.0], [1.0, 0.0])
    assert [f["title"] for f in answer["frames"]] == [f.title for f in page.frames]
    assert [f["equation"] for f in answer["frames"]] == [f.equation for f in page.frames]
    assert answer["svg"].startswith("<svg") and 'id="w2_1_0"' in answer["svg"]
    # the same drawing top to bottom, for a narrow screen: the same ids, taller than wide
    assert answer["svg_tall"].startswith("<svg") and 'id="w2_1_0"' in answer["svg_tall"]


@pytest.mark.parametrize(
    "field, path, value",
    [("weights", (0, 1, 0), 2.5), ("biases", (1, 0), -3.0), ("x", (1,), 4.0), ("y", (0,), 0.25)],
)
def test_an_edit_recomputes_every_delta_and_gradient(field, path, value):
    before = step_answer({})
    edited = {k: before[k] for k in ("sizes", "activations", "cost", "x", "y", "seed")}
    edited.update(weights=before["weights"], biases=before["biases"])
    target = edited[field] = copy.deepcopy(before[field])
    for i in path[:-1]:
        target = target[i]
    target[path[-1]] = value
    after = step_answer(edited)
    _agrees(after)
    assert after["values"]["delta^2_0"] != before["values"]["delta^2_0"]


@pytest.mark.parametrize(
    "sizes, activations, cost",
    [
        ([3, 4, 2], ["tanh", "softmax"], "log_likelihood"),
        ([2, 8, 8, 3], ["relu", "linear", "sigmoid"], "cross_entropy"),
        ([1, 1], ["linear"], "quadratic"),
        ([4, 5, 5, 2], ["sigmoid", "tanh", "softmax"], "quadratic"),
    ],
)
def test_other_nets_agree_with_nn_matrix(sizes, activations, cost):
    answer = step_answer({"sizes": sizes, "activations": activations, "cost": cost, "seed": 7})
    assert answer["sizes"] == sizes and len(answer["frames"]) > 3
    _agrees(answer)


def test_a_new_seed_draws_new_weights_and_a_size_change_fills_x_and_y():
    assert step_answer({"seed": 1})["weights"] == [
        w.tolist() for w in MLP(2, [3, 2], seed=1).weights()
    ]
    answer = step_answer({"sizes": [3, 2]})
    assert answer["x"] == [0.5, -1.0, 0.5] and answer["y"] == [1.0, 0.0]


@pytest.mark.parametrize(
    "body, message",
    [
        ({"y": [2.0, 0.0], "cost": "cross_entropy"}, "y: data[0]'s target [2.0, 0.0] lies outside"),
        ({"sizes": [2, 1], "activations": ["softmax"]}, "activations: softmax needs an output"),
        ({"weights": [[[0, 0]]]}, "weights: must be a list of 2 entries"),
        ({"activations": ["sigmoid"]}, "activations: must be a list of 2 entries"),
    ],
)
def test_bad_nets_name_the_field(body, message):
    with pytest.raises(BadRequest, match="^" + message.replace("[", r"\[").replace("]", r"\]")):
        step_answer(body)
