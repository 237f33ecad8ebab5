"""backward_steps: the reverse pass as data, ending at the grads backward() gives."""

import math

from hypothesis import assume, given
from hypothesis import strategies as st

from engine import Value
from engine.autodiff import topological_order
from viz import backward_steps


def _final_grads(steps):
    """Each node's grad after the last step that touched it (the root's is its own)."""
    grads = {steps[0].node: steps[0].grad}
    for step in steps:
        for c in step.contributions:
            grads[c.parent] = c.after
    return grads


def _expression():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    return (x1 * w1 + x2 * w2 + b).tanh()


def _check_against_backward(root):
    steps = backward_steps(root)
    grads = _final_grads(steps)
    root.backward()
    for node in topological_order(root):
        got = grads.get(node, 0.0)
        assert got == node.grad or math.isnan(got) and math.isnan(node.grad), node  # bit for bit


def test_final_grads_are_those_of_backward():
    _check_against_backward(_expression())
    a = Value(3.0)
    _check_against_backward((a + a) * a)
    x = Value(-1.5)
    _check_against_backward((x * x).exp() / (x.sigmoid() + 2.0) - x.relu())


@given(st.lists(st.floats(-3, 3), min_size=3, max_size=3), st.integers(0, 5))
def test_final_grads_on_graphs_with_reuse(xs, depth):
    a, b, c = (Value(v) for v in xs)
    out = a * b + c
    for _ in range(depth):
        out = (out * a).tanh() + out * c - b
    _check_against_backward(out)


def test_a_plus_a_sends_two_contributions_that_add_up():
    a = Value(3.0, label="a")
    b = a + a
    (step_b, step_a) = backward_steps(b)
    assert step_b.node is b and step_b.grad == 1.0
    assert [
        (c.parent, c.position, c.local, c.upstream, c.before, c.after) for c in step_b.contributions
    ] == [
        (a, 0, 1.0, 1.0, 0.0, 1.0),
        (a, 1, 1.0, 1.0, 1.0, 2.0),
    ]
    assert step_a.node is a and step_a.grad == 2.0 and step_a.contributions == ()


def test_each_contribution_is_local_times_upstream_by_hand():
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    y = (x * w).tanh()
    steps = backward_steps(y, grad=0.5)
    assert [s.node for s in steps] == list(reversed(topological_order(y)))
    tanh_step, mul_step = steps[0], steps[1]
    dtanh = 1.0 - math.tanh(-6.0) ** 2
    assert tanh_step.grad == 0.5 and tanh_step.contributions[0].local == dtanh
    assert mul_step.grad == 0.5 * dtanh  # reached with its finished grad
    (cx, cw) = mul_step.contributions
    assert (cx.parent, cx.local, cx.amount) == (x, -3.0, -3.0 * 0.5 * dtanh)
    assert (cw.parent, cw.local, cw.amount) == (w, 2.0, 2.0 * 0.5 * dtanh)


def test_a_zero_local_derivative_masks_an_infinite_grad_as_backward_does():
    x = Value(-1.0)
    root = x.relu() ** 0.5  # d(r**0.5)/dr is inf at r = 0; relu's derivative is 0
    steps = backward_steps(root)
    assert steps[1].grad == math.inf and steps[1].contributions[0].amount == 0.0
    _check_against_backward(root)


def test_no_node_is_changed():
    root = _expression()
    before = [(n.data, n.grad) for n in topological_order(root)]
    backward_steps(root)
    assert [(n.data, n.grad) for n in topological_order(root)] == before


@given(
    st.lists(
        st.floats(1e-3, 1e3) | st.sampled_from([1e-310, 3e-320, 1e-300, 1e300]),
        min_size=3,
        max_size=3,
    )
)
def test_steps_are_backward_bit_for_bit_through_division_and_log(xs):
    # backward() divides (g / x) where ∂/∂x is 1/x: the steps must add the same numbers
    a, b, c = (Value(v) for v in xs)
    try:
        root = (a / b).log() * c / (a + c) + (b / c) * 1e-10
    except (OverflowError, ValueError):  # out of range or domain: nothing to step through
        assume(False)
    _check_against_backward(root)
    x = Value(xs[0])
    _check_against_backward(x.log() * 1e-10)


def test_the_amount_of_a_log_step_is_what_backward_adds_at_a_subnormal():
    x = Value(1e-310)
    (_, step_log, _, _) = backward_steps(x.log() * 1e-10)
    (c,) = step_log.contributions
    assert c.local == math.inf and c.amount == 1e-10 / 1e-310 == c.after  # 1e300, not inf
