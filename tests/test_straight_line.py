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
    assert c._sizes[len(batch[0])].backward is not None
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
    assert "for every batch size m" in text
    assert "def forward(X):" in text and "def backward(X):" in text
    assert "np.matmul(" in text and "out=" in text
    assert "np.matmul(P0, X[0].T, out=" in text  # the first layer reads the batch in place
    assert "X[0].T[...]" not in text and "= X[" not in text  # (no copy of it)
    assert "loss" not in text  # the user's function is g[k], never its name or text


def test_the_code_is_made_once_and_bound_to_each_batch_sizes_buffers():
    net, _, step, X, Y = _demo()
    step.backward(X[:5], Y[:5])
    code = step._code
    step.backward(X[:3], Y[:3])  # a new batch size: new buffers, the same code
    assert step._code is code and {3, 5} <= set(step._sizes)
    assert step._sizes[3].forward is not step._sizes[5].forward
    assert_bit_identical(step, net.parameters(), (X[:3], Y[:3]))
    assert_bit_identical(step, net.parameters(), (X[:5], Y[:5]))


def test_a_layer_reads_the_batch_where_it_is():
    net = nn.MLP(3, [4, 1], activation=["tanh", "linear"], seed=2)
    c = engine.compile(lambda x: net(x)[0], ([0.0] * 3,), net.parameters())
    X = np.random.default_rng(0).normal(size=(6, 3))
    c.backward(X)
    assert not c._code.inputs_in_v
    assert not c._sizes[6].V[:3].any()  # the inputs' rows of V were never written
    assert_bit_identical(c, net.parameters(), (X,))
    Xf = np.asfortranarray(X)  # any layout: the same numbers
    np.testing.assert_array_equal(c(Xf), c(X))


SHAPED = engine.register(  # ∂/∂x = 1, as a number on one column and as an array on more
    engine.Primitive(
        "shaped",
        lambda x: x,
        lambda ops, xs, out: (1.0,) if np.shape(xs[0])[-1:] == (1,) else (xs[0] * 0.0 + 1.0,),
        array_forward=lambda x: x + 0.0,
    )
)


def test_a_rule_that_changes_kind_falls_back_to_the_grouped_replay():
    p = Value(0.5)
    c = engine.compile(lambda x: SHAPED(x[0] * p) * x[1], ([0.5, 2.0],), [p])
    X = np.array([[0.5, 2.0], [-3.0, 1.0], [4.0, -1.0]])
    p.grad = 0.0
    grouped = c._grouped_backward
    calls = []
    c._grouped_backward = lambda *args: calls.append(grouped(*args))
    c.backward(X)  # the code was made on one column: the rule's array here is stale
    assert len(calls) == 1
    vars(c).pop("_grouped_backward")
    grad = p.grad
    np.testing.assert_array_equal(c.input_grads[0][:, 0], X[:, 1] * 0.5)
    c._straight, p.grad = False, 0.0
    c.backward(X)
    assert p.grad == grad == np.mean(X[:, 0] * X[:, 1])
