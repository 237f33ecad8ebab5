"""Parameters held in a compiled function's arrays (engine.backing): every p.data and p.grad is
right at every moment, the numbers are those of the unbound path bit for bit, and every way
of setting many parameters at once is all or nothing."""

import copy
import math
import pickle
import warnings

import numpy as np
import pytest
from interrupts import interrupted_runs

import engine
import nn
from engine import TracingWarning, Value
from engine.backing import Backed, Placement
from nn.batch_training import sgd_update


def _net(seed=1):
    return nn.MLP(2, [4, 1], activation=["tanh", "linear"], seed=seed)


def _batch():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 2))
    return X, np.sign(X[:, :1] * X[:, 1:])


def _compiled(net):
    def loss(x, y):
        (s,) = net(x)
        return (1 - y[0] * s).relu()

    return loss, engine.compile(loss, ([0.0, 0.0], [1.0]), net.parameters())


def _numbers(params):
    return [p.data for p in params], [p.grad for p in params]


def test_the_first_call_outside_the_block_binds_and_changes_no_number():
    net = _net()
    params = net.parameters()
    for i, p in enumerate(params):
        p.grad = 0.25 * i
    before = _numbers(params)
    _, c = _compiled(net)
    assert not any(isinstance(p, Backed) for p in params)  # compiling binds nothing
    c(*_batch())
    assert all(isinstance(p, Backed) for p in params)
    assert _numbers(params) == before
    assert [type(p) for p in net.parameters()] == [type(p) for p in params]  # the same Values


def test_the_users_step_gives_the_in_block_steps_numbers_bit_for_bit_at_every_moment():
    # net: opt.zero_grad(); c.backward(X, Y); opt.step() with parameters bound to c's arrays.
    # twin: the same steps on arrays inside parameter_arrays() (its Values are not bound).
    net, twin = _net(), _net()
    X, Y = _batch()
    _, c = _compiled(net)
    _, t = _compiled(twin)
    opt = nn.SGD(net.parameters(), lr=0.1)
    with t.parameter_arrays() as (data, grad):
        for _ in range(3):
            opt.zero_grad()
            grad[:] = 0.0
            assert _numbers(net.parameters()) == (data.tolist(), grad.tolist())
            assert c.backward(X, Y).tolist() == t.backward(X, Y).tolist()
            assert _numbers(net.parameters()) == (data.tolist(), grad.tolist())
            opt.step()
            data[:] = sgd_update(data, grad, 0.1, 1.0, str)
            assert _numbers(net.parameters()) == (data.tolist(), grad.tolist())
    assert _numbers(net.parameters()) == _numbers(twin.parameters())
    assert all(isinstance(p, Backed) for p in net.parameters())
    assert not any(isinstance(p, Backed) for p in twin.parameters())


def test_a_bound_step_is_the_scalar_engines_step():
    net, twin = _net(), _net()
    X, Y = _batch()
    loss, c = _compiled(net)
    twin_loss, _ = _compiled(twin)
    opt, twin_opt = nn.SGD(net.parameters(), 0.1), nn.SGD(twin.parameters(), 0.1)
    for _ in range(2):
        opt.zero_grad()
        c.backward(X, Y)
        opt.step()
        twin_opt.zero_grad()
        C = sum((twin_loss(x, y) for x, y in zip(X.tolist(), Y.tolist())), Value(0.0))
        (C * (1 / len(X))).backward()
        twin_opt.step()
    for (a, g), (b, h) in zip(zip(*_numbers(net.parameters())), zip(*_numbers(twin.parameters()))):
        assert a == pytest.approx(b, abs=1e-14) and g == pytest.approx(h, abs=1e-14)


def test_a_number_set_by_hand_is_what_the_next_call_and_the_arrays_see():
    net = _net()
    X, Y = _batch()
    loss, c = _compiled(net)
    c(X, Y)
    p = net.parameters()[3]
    p.data = 0.75
    p.grad = 2
    assert (p.data, p.grad) == (0.75, 2.0) and type(p.grad) is float
    with c.parameter_arrays() as (data, grad):
        assert (data[3], grad[3]) == (0.75, 2.0)
    want = [loss(x, y).data for x, y in zip(X.tolist(), Y.tolist())]
    np.testing.assert_allclose(c(X, Y), want, rtol=1e-13)
    with pytest.raises(ValueError, match="Value data"):
        p.data = math.inf
    with pytest.raises(TypeError, match="Value grad must be a real number.*got str"):
        p.grad = "0"
    assert (p.data, p.grad) == (0.75, 2.0)


def test_a_bound_value_in_a_scalar_graph_computes_as_a_plain_one():
    net, twin = _net(), _net()
    _, c = _compiled(net)
    c(*_batch())
    for params in (net.parameters(), twin.parameters()):
        p, q, r = params[:3]
        out = (
            (p * q + 2.0) * (1.5 - r)
            + q**p
            + 3.0**r
            - p / q
            + engine.weighted_sum([p, q], [r, 2.0], p)
        )
        out = out.tanh() + Value(0.5) * p + abs(-q) + Value(2.0) ** p - Value(1.0) / r
        out = out + Value(3.0) - p + (p - Value(0.25)) * sum([p, q, r])
        out.backward()
        a, b = params[0].data, params[1].data
        assert [p < q, p <= q, p > q, p >= q] == [a < b, a <= b, a > b, a >= b]
        assert [Value(a) < q, q > Value(a), p < 0.0, 0.0 < p] == [a < b, b > a, a < 0, 0 < a]
        assert bool(p) and float(q) == b and max(params[:3]) is max(params[:3], key=float)
    assert _numbers(net.parameters()) == _numbers(twin.parameters())


def test_copies_and_pickles_of_bound_values_are_plain_values_of_the_same_numbers():
    net = _net()
    _, c = _compiled(net)
    c.backward(*_batch())
    p = net.parameters()[0]
    for twin in (copy.copy(p), copy.deepcopy(p), pickle.loads(pickle.dumps(p))):
        assert type(twin) is Value and (twin.data, twin.grad, twin.label) == (
            p.data,
            p.grad,
            p.label,
        )
        twin.data = 5.0
        assert p.data != 5.0
    again = pickle.loads(pickle.dumps(net))
    assert _numbers(again.parameters()) == _numbers(net.parameters())
    assert not any(isinstance(q, Backed) for q in again.parameters())
    deep = copy.deepcopy(net)
    assert _numbers(deep.parameters()) == _numbers(net.parameters())
    assert not any(isinstance(q, Backed) for q in deep.parameters())


def test_load_state_dict_writes_the_arrays_and_refuses_bad_input_changing_nothing():
    net, other = _net(1), _net(2)
    X, Y = _batch()
    loss, c = _compiled(net)
    c(X, Y)
    before = _numbers(net.parameters())
    state = other.state_dict()
    state["0.weight"] = state["0.weight"].copy()
    state["0.weight"][1, 1] = math.nan
    with pytest.raises(ValueError, match="not finite"):
        net.load_state_dict(state)
    assert _numbers(net.parameters()) == before
    net.load_state_dict(other.state_dict())
    assert [p.data for p in net.parameters()] == [p.data for p in other.parameters()]
    with c.parameter_arrays() as (data, _):
        assert data.tolist() == [p.data for p in other.parameters()]
    want = [loss(x, y).data for x, y in zip(X.tolist(), Y.tolist())]
    np.testing.assert_allclose(c(X, Y), want, rtol=1e-13)
    net.load_state_dict({"2.bias": np.array([0.5])}, strict=False)
    assert net.parameters()[-1].data == 0.5


def test_two_compiled_functions_over_the_same_parameters_share_their_numbers():
    net, twin = _net(), _net()
    X, Y = _batch()
    loss, first = _compiled(net)
    _, second = _compiled(net)  # compiled before the first binds: it reads the first's arrays
    _, alone = _compiled(twin)
    first.backward(X, Y)
    alone.backward(X, Y)
    assert not any(isinstance(p, Backed) and p.backing is second._backing for p in net.parameters())
    assert second.backward(X, Y).tolist() == alone.backward(X, Y).tolist()
    assert _numbers(net.parameters()) == _numbers(twin.parameters())  # grads added twice on both
    nn.SGD(net.parameters(), 0.1).step()
    nn.SGD(twin.parameters(), 0.1).step()
    assert second(X, Y).tolist() == alone(X, Y).tolist()  # the second sees the step
    with second.parameter_arrays() as (data, grad):  # the second's own arrays: copies
        data -= 0.1 * grad
        assert [p.data for p in net.parameters()] != data.tolist()
    assert [p.data for p in net.parameters()] == data.tolist()
    last = nn.MLP(4, [1], activation=["linear"], seed=0)
    net.layers[-1] = last.layers[0]  # a net over some bound Values and some plain ones
    mixed = engine.compile(lambda x: net(x)[0], ([0.0, 0.0],), net.parameters())
    mixed.backward(X)
    assert not isinstance(net.parameters()[-1], Backed)  # first's Backing holds the rest


def test_an_optimizer_over_some_bound_parameters_and_a_plain_one():
    net = _net()
    X, Y = _batch()
    _, c = _compiled(net)
    c.backward(X, Y)
    extra = Value(1.0)
    extra.grad = 4.0
    params = [extra, *net.layers[-1].parameters()]  # a slice of the arrays, and a plain Value
    before = [p.data for p in net.parameters()]
    opt = nn.SGD(params, lr=0.5)
    opt.step()
    assert extra.data == 1.0 - 0.5 * 4.0
    changed = {id(p) for p in params}
    for p, x in zip(net.parameters(), before):
        assert p.data == (x - 0.5 * p.grad if id(p) in changed else x)
    opt.zero_grad()
    assert extra.grad == 0.0 and all(p.grad == 0.0 for p in params)
    assert any(p.grad != 0.0 for p in net.layers[0].parameters())


def test_a_non_finite_step_changes_no_bound_parameter():
    net = _net()
    _, c = _compiled(net)
    c.backward(*_batch())
    p = net.parameters()[5]
    p.grad = 1e308
    before = _numbers(net.parameters())
    with pytest.raises(FloatingPointError, match=r"infinite \(first: Value\(label='w\^2"):
        nn.SGD(net.parameters(), lr=1e10).step()
    assert _numbers(net.parameters()) == before


def test_inside_the_block_bound_values_show_the_arrays_and_a_non_finite_end_puts_all_back():
    net = _net()
    X, Y = _batch()
    _, c = _compiled(net)
    c(X, Y)
    params = net.parameters()
    before = _numbers(params)
    with c.parameter_arrays() as (data, grad):
        grad[:] = 0.0
        c.backward(X, Y)
        assert [p.grad for p in params] == grad.tolist()
        data -= 0.1 * grad
        assert [p.data for p in params] == data.tolist()
    after = _numbers(params)
    with pytest.raises(
        ValueError, match=r"params\[2\] .* would become inf.*no parameter was changed"
    ):
        with c.parameter_arrays() as (data, grad):
            grad[:] = 7.0
            data[2] = math.inf
    assert _numbers(params) == after != before


def test_recording_over_bound_parameters_still_warns_at_a_read_number():
    net = _net()
    _, c = _compiled(net)
    c(*_batch())
    p = net.parameters()[0]
    with pytest.warns(TracingWarning, match=r"params\[0\] 'w\^2_00'.*\.data"):
        engine.compile(lambda x: x[0] * p.data + p, ([1.0],), [p])
    with warnings.catch_warnings():
        warnings.simplefilter("error", TracingWarning)
        assert p.data == c._data[0]  # and no watcher is left behind


def test_an_interrupted_first_call_leaves_every_value_right():
    twin = _net()
    X, Y = _batch()
    _, t = _compiled(twin)
    for q in twin.parameters():
        q.grad = 0.5
    old = _numbers(twin.parameters())
    t.backward(X, Y)
    new = _numbers(twin.parameters())
    made = {}

    def first_call():  # a new net and function each time; lines counted from _hold (binding)
        made["net"] = net = _net()
        for p in net.parameters():
            p.grad = 0.5
        _, made["c"] = _compiled(net)
        made["c"].backward(X, Y)

    runs = 0
    for line in interrupted_runs(first_call, after="_hold"):
        runs += 1
        params = made["net"].parameters()
        assert _numbers(params) in (old, new), f"interrupted at line {line}"
        if made["c"]._backing.bound:
            break  # interrupted past the binding: the interrupt tests of backward go on from here
        made["c"].backward(X, Y)  # a later call finishes binding
        assert all(type(p) is made["c"]._backing.kind for p in params)
    assert runs > 20


def test_a_bound_backward_adds_every_grad_or_none_when_interrupted():
    net = _net()
    X, Y = _batch()
    _, c = _compiled(net)
    c.backward(X, Y)
    old = _numbers(net.parameters())
    c.backward(X, Y)
    new = _numbers(net.parameters())
    runs = 0
    for line in interrupted_runs(lambda: c.backward(X, Y)):
        runs += 1
        assert _numbers(net.parameters()) in (old, new), f"interrupted at line {line}"
        for p, g in zip(net.parameters(), old[1]):
            p.grad = g
    assert runs > 20


@pytest.mark.parametrize("extra", [False, True])
def test_an_interrupted_bound_sgd_step_leaves_all_parameters_old_or_all_new(extra):
    net = _net()
    X, Y = _batch()
    _, c = _compiled(net)
    c.backward(X, Y)
    params = net.parameters() + ([Value(2.0)] if extra else [])
    params[-1].grad = 1.0
    opt = nn.SGD(params, lr=0.5)
    old = [p.data for p in params]
    opt.step()  # finds where the parameters live once: every run below takes the same lines
    new = [p.data for p in params]
    assert new == [x - 0.5 * p.grad for x, p in zip(old, params)]
    for p, x in zip(params, old):
        p.data = x
    reached = 0
    for at in interrupted_runs(opt.step):
        now = [p.data for p in params]
        assert now in (old, new), f"interrupted at line {at}"
        for p, x in zip(params, old):
            p.data = x
        reached = at
    assert reached > 3 and [p.data for p in params] == new


def test_an_interrupted_load_state_dict_leaves_all_parameters_old_or_all_new():
    net, other = _net(1), _net(2)
    _, c = _compiled(net)
    c(*_batch())
    extra = Value(0.0)
    net.layers[0].neurons[0].b = extra  # one plain Value among the bound ones
    old, new = [p.data for p in net.parameters()], [p.data for p in other.parameters()]
    for at in interrupted_runs(lambda: net.load_state_dict(other.state_dict())):
        now = [p.data for p in net.parameters()]
        assert now in (old, new), f"interrupted at line {at}"
        for p, x in zip(net.parameters(), old):
            p.data = x
    assert [p.data for p in net.parameters()] == new


def test_placement_reads_and_sets_bound_and_plain_values_in_order():
    net = _net()
    _, c = _compiled(net)
    c(*_batch())
    bound = net.parameters()
    params = [bound[4], Value(3.0), bound[1]]
    where = Placement(params)
    assert where.whole is None and where.numbers().tolist() == [p.data for p in params]
    where.assign(np.array([1.0, 2.0, 4.0]), np.array([0.5, 0.25, 0.125]), add=False)
    assert _numbers(params) == ([1.0, 2.0, 4.0], [0.5, 0.25, 0.125])
    assert c._data[[4, 1]].tolist() == [1.0, 4.0]
    assert Placement(bound).whole is c._backing


def test_an_interrupted_bound_block_leaves_the_values_at_a_whole_step():
    net = _net()
    X = np.array([[1.0, 2.0], [0.5, -0.5]])
    c = engine.compile(lambda x: net(x)[0], ([0.0, 0.0],), net.parameters())
    c(X)  # binds: inside the block the Values are the arrays
    old = list(zip(*_numbers(net.parameters())))

    def epoch():
        with c.parameter_arrays() as (data, grad):
            c.backward(X)
            data -= 0.1 * grad

    epoch()
    new = list(zip(*_numbers(net.parameters())))
    stepped = [(x, g) for (x, _), (_, g) in zip(old, new)]  # after backward, before the step
    runs = 0
    for line in interrupted_runs(epoch):
        runs += 1
        assert list(zip(*_numbers(net.parameters()))) in (old, stepped, new), f"line {line}"
        c._in_arrays = False  # an interrupt on the block's first line of `finally` skips it
        for p, (x, g) in zip(net.parameters(), old):
            p.data, p.grad = x, g
    assert runs > 20


def test_a_parameter_of_a_users_value_class_is_left_unbound_and_right():
    class Named(Value):
        __slots__ = ()

    u, w = Value(2.0), Named(0.5)

    def f(x):
        return u * x[0] + x[0] * w  # a plain Value with the user's on either side

    c = engine.compile(f, ([1.0],), [u, w])
    X = np.array([[2.0], [3.0]])
    assert c(X).tolist() == [5.0, 7.5]
    assert type(u) is Value and type(w) is Named  # neither class switched: nothing bound
    w.data = 1.5
    c.backward(X)
    assert c(X).tolist() == [7.0, 10.5]
    assert (u.grad, w.grad) == (2.5, 2.5)  # the mean of x over the batch, for each


def test_two_threads_compiling_over_the_same_parameters_bind_them_once():
    import sys
    import threading

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as Python lets them
    X, Y = _batch()
    try:
        for trial in range(10):
            net = nn.MLP(2, [30, 1], activation=["tanh", "linear"], seed=trial)
            loss, f1 = _compiled(net)
            _, f2 = _compiled(net)
            gate = threading.Barrier(2)

            def run(f, gate=gate):
                gate.wait()
                f(X, Y)

            threads = [threading.Thread(target=run, args=(f,)) for f in (f1, f2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert [f1._backing.bound, f2._backing.bound].count(True) == 1
            for p in net.parameters():
                p.data += 0.5  # every parameter changed by hand: both replays must see it
            scalar = [loss([Value(a) for a in x], [Value(b) for b in y]).data for x, y in zip(X, Y)]
            assert f1(X, Y).tolist() == f2(X, Y).tolist() == pytest.approx(scalar, abs=1e-12)
    finally:
        sys.setswitchinterval(interval)


def test_an_optimizers_parameters_are_fixed_when_it_is_made():
    a, b, c = Value(1.0), Value(1.0), Value(1.0)
    opt = nn.SGD([a, b], lr=0.5)
    with pytest.raises(TypeError):
        opt.params[0] = c  # type: ignore[index]
    a.grad = b.grad = c.grad = 1.0
    opt.step()
    assert (a.data, b.data, c.data) == (0.5, 0.5, 1.0)


def test_a_ctrl_c_at_any_line_of_a_first_call_leaves_the_binding_lock_free():
    from engine.compile import replay

    X, Y = _batch()
    for _ in interrupted_runs(lambda: _compiled(_net())[1](X, Y), after="_hold"):
        assert not replay._BINDING.locked()
