"""engine.compile's generated straight-line replay against its grouped replay, bit for bit.

The grouped replay (each group's ``forward``/``backward``, checked against the scalar
engine in test_compiled.py) is the reference: the generated code performs the same
operations in the same order, so outputs, parameter grads and input grads must be equal,
not merely close.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sweeps import examples
from test_compiled import NETS, _demo, _net_and_batch, build, programs, random_case
from user_primitive import GAUSS

import engine
import nn
from engine import Value


def _both(c, params, batch):
    """(outputs, parameter grads, input grads) of the generated and of the grouped replay."""
    results = []
    for straight in (True, False):
        c._straight = straight
        if straight:  # the generated code must run itself, not fall back to the grouped replay
            c._grouped_backward = _no_fall_back
        for p in params:
            p.grad = 0.0
        out = c.backward(*batch)
        vars(c).pop("_grouped_backward", None)
        inputs = [g.copy() for g in c.input_grads] if c.input_grads is not None else []
        results.append((out, np.array([p.grad for p in params]), inputs))
    c._straight = True
    return results


def _no_fall_back(*args):
    raise AssertionError("the generated backward fell back to the grouped replay")


def assert_bit_identical(c, params, batch):
    """The generated code ran (no fall-back) and gave the grouped replay's numbers exactly."""
    (out, grad, inputs), (out0, grad0, inputs0) = _both(c, params, batch)
    assert c._lines[len(batch[0])] is not None
    np.testing.assert_array_equal(out, out0)
    np.testing.assert_array_equal(grad, grad0)
    assert len(inputs) == len(inputs0)
    for got, want in zip(inputs, inputs0):
        np.testing.assert_array_equal(got, want)


@given(steps=programs(), m=st.sampled_from([1, 2, 7]), seed=st.integers(0, 10**6))
@settings(max_examples=examples(60), deadline=None)
def test_random_programs_give_the_grouped_replays_numbers_bit_for_bit(steps, m, seed):
    params, batch = random_case(m, seed)
    f = build(steps, params)
    c = engine.compile(f, [arg[0].tolist() for arg in batch], params)
    assert_bit_identical(c, params, batch)
    c(*batch)  # a second call of one batch size reuses the code and its buffers
    assert_bit_identical(c, params, batch)


@pytest.mark.parametrize("nin, nouts, activation, cost", NETS)
@pytest.mark.parametrize("m", [1, 10, 300])
@pytest.mark.parametrize("input_grads", [True, False])
def test_nets_give_the_grouped_replays_numbers_bit_for_bit(
    nin, nouts, activation, cost, m, input_grads
):
    net, X, Y = _net_and_batch(nin, nouts, activation, m)
    cost_of = nn.COSTS[cost]
    c = engine.compile(
        lambda x, y: cost_of(net.trace(x), y),
        (X[0], Y[0]),
        net.parameters(),
        input_grads=input_grads,
    )
    assert_bit_identical(c, net.parameters(), (X, Y))


def test_a_net_used_twice_and_parameters_out_of_order_give_the_same_numbers():
    net = nn.MLP(2, [3, 1], activation=["tanh", "linear"], seed=4)
    params = net.parameters()[::-1]  # gathered weight blocks, not views
    c = engine.compile(lambda x: net(x)[0] * net(x)[0], ([0.0, 0.0],), params)
    assert_bit_identical(c, params, (np.array([[0.5, -1.0], [2.0, 0.25], [0.0, 3.0]]),))


def test_the_demo_and_a_users_primitive_give_the_same_numbers():
    net, _, step, X, Y = _demo()
    assert_bit_identical(step, net.parameters(), (X, Y))
    p = Value(0.3)
    c = engine.compile(lambda x: GAUSS(x[0] * p) * x[1], ([0.5, 2.0],), [p])
    assert_bit_identical(c, [p], (np.array([[0.5, 2.0], [-3.0, 1.0], [4.0, -1.0]]),))


def test_the_source_is_the_plans_code_without_the_users_text():
    net, _, step, X, Y = _demo()
    step.backward(X[:5], Y[:5])
    text = step.source()
    assert text == step.source(5) and "batch size m = 5" in text
    assert "def forward(X):" in text and "def backward():" in text
    assert "np.matmul(" in text and "out=" in text
    assert "loss" not in text  # the user's function is g[k], never its name or text
    assert "batch size m = 3" in step.source(3)
    with pytest.raises(ValueError, match="m must be a whole number"):
        step.source(0)
