"""engine.compile: the batch replay against the scalar engine, example by example.

The scalar engine is the reference: for every example the compiled outputs, parameter
grads and input grads must be its numbers to 1e-12 (only the order of sums differs).
Nets are also checked against nn.matrix's BP1–BP4, an independent computation.
"""

import copy
import inspect
import math
import os
import pickle
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from interrupts import interrupted_runs
from sweeps import examples
from user_primitive import GAUSS

import engine
import nn
from engine import PRIMITIVES, Primitive, TracingWarning, Value, power


def assert_close(got, want, rel=1e-12):
    """|got − want| ≤ rel · max(1, |want|) elementwise: equal up to the order of sums."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    assert got.shape == want.shape
    scale = np.maximum(1.0, np.abs(want).max(initial=0.0))
    np.testing.assert_allclose(got, want, rtol=rel, atol=rel * scale)


def scalar_reference(f, params, batch):
    """Per example with the scalar engine: outputs, ∂f/∂params (mean) and ∂f/∂inputs."""
    m = len(batch[0])
    outputs, param_grad = [], np.zeros(len(params))
    input_grads = [np.zeros((m, len(arg[0]))) for arg in batch]
    for i in range(m):
        leaves = [[Value(float(v)) for v in arg[i]] for arg in batch]
        out = f(*leaves)
        outputs.append(out.data)
        flat = [leaf for arg in leaves for leaf in arg]
        grads = [g.data for g in engine.grad(out, params + flat, allow_unused=True)]
        param_grad += grads[: len(params)]
        rest = grads[len(params) :]
        for arg, g in zip(leaves, input_grads):
            g[i], rest = rest[: len(arg)], rest[len(arg) :]
    return np.array(outputs), param_grad / m, input_grads


def compiled_result(f, params, batch, **options):
    """Compile at the batch's first example; (outputs, parameter grads, input grads)."""
    c = engine.compile(f, [arg[0].tolist() for arg in batch], params, **options)
    for p in params:
        p.grad = 0.0
    out = c.backward(*batch)
    assert_close(c(*batch), out, rel=0)  # a forward alone gives the same outputs
    return out, np.array([p.grad for p in params]), c.input_grads


# --- random expressions over every primitive -------------------------------------------

# Each primitive gets operands it is defined on for every example: a positive base for log
# and powers, a denominator away from 0, exp of a bounded number.
SAFE = {
    "log": lambda a: [a.sigmoid() + 0.1],
    "**": lambda a, b: [a.sigmoid() + 0.5, b.tanh()],
    "/": lambda a, b: [a, b.sigmoid() + 0.5],
    "exp": lambda a: [a.tanh()],
}
ENTRIES = {**PRIMITIVES, **{p.name: p for p in map(power, (-2, -1, 0, 0.5, 1, 2, 3))}}


def _arity(rule):
    params = inspect.signature(rule.forward).parameters.values()
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return 5  # weighted_sum: two weights, two inputs and a bias
    return len(params)


def _safe_operands(rule, operands):
    if rule.name.startswith("**") and rule.name != "**":
        return [operands[0].sigmoid() + 0.5]  # a constant power of a positive base
    return SAFE.get(rule.name, lambda *a: list(a))(*operands)


@st.composite
def programs(draw):
    """A random graph: each step applies a primitive to earlier nodes (reuse and diamonds)."""
    names = sorted(ENTRIES)
    steps = []
    for n in range(draw(st.integers(1, 8))):
        name = draw(st.sampled_from(names))
        pool = 5 + n  # 2 x, 1 y, 2 params, then one node per step
        picks = [draw(st.integers(0, pool - 1)) for _ in range(_arity(ENTRIES[name]))]
        steps.append((name, picks))
    return steps


def build(steps, params):
    """f(x, y) that runs the program on x[0], x[1], y[0] and the params; sums its nodes."""

    def f(x, y):
        pool = [x[0], x[1], y[0], *params]
        for name, picks in steps:
            rule = ENTRIES[name]
            operands = _safe_operands(rule, [pool[i % len(pool)] for i in picks])
            pool.append(rule(*operands).tanh())  # keep every node's number bounded
        return sum(pool[5:], pool[0] * params[0] + params[1])

    return f


def assert_matches_scalar(f, params, batch):
    """Outputs, mean parameter grads and per-example input grads equal the scalar engine's."""
    out, grad, input_grads = compiled_result(f, params, batch)
    want_out, want_grad, want_input = scalar_reference(f, params, batch)
    assert_close(out, want_out)
    assert_close(grad, want_grad)
    for got, want in zip(input_grads, want_input):
        assert_close(got, want)


@given(steps=programs(), m=st.sampled_from([1, 2, 7]), seed=st.integers(0, 10**6))
@settings(max_examples=examples(60), deadline=None)
def test_random_expressions_match_the_scalar_engine(steps, m, seed):
    params, batch = random_case(m, seed)
    assert_matches_scalar(build(steps, params), params, batch)


def random_case(m, seed):
    """Two parameters and a batch of m examples (x of 2 numbers, y of 1) for a program."""
    rng = np.random.default_rng(seed)
    params = [Value(v) for v in rng.uniform(-1.5, 1.5, 2)]
    return params, [rng.uniform(-2.0, 2.0, (m, 2)), rng.uniform(-2.0, 2.0, (m, 1))]


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_every_primitive_alone_matches_the_scalar_engine_on_a_batch(name):
    params = [Value(0.7), Value(-0.4)]
    rng = np.random.default_rng(len(name))
    batch = [rng.uniform(-2.0, 2.0, (50, 2)), rng.uniform(-2.0, 2.0, (50, 1))]
    f = build([(name, list(range(_arity(ENTRIES[name]))))], params)
    assert_matches_scalar(f, params, batch)


# --- nets -------------------------------------------------------------------------------

NETS = [
    (2, [3, 2], "sigmoid", "quadratic"),
    (3, [4, 4, 1], ["tanh", "relu", "sigmoid"], "cross_entropy"),
    (4, [5, 3], ["relu", "linear"], "quadratic"),
    (2, [16, 16, 1], ["relu", "relu", "linear"], "quadratic"),
    (5, [2], "sigmoid", "cross_entropy"),
]


def _net_and_batch(nin, nouts, activation, m, seed=0):
    net = nn.MLP(nin, nouts, activation=activation, seed=seed)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, (m, nin))
    Y = (rng.uniform(size=(m, nouts[-1])) > 0.5).astype(float)
    return net, X, Y


@pytest.mark.parametrize("nin, nouts, activation, cost", NETS)
@pytest.mark.parametrize("m", [1, 7, pytest.param(1000, marks=pytest.mark.slow)])
def test_nets_match_mean_cost_backward(nin, nouts, activation, cost, m):
    net, X, Y = _net_and_batch(nin, nouts, activation, m)
    cost_of = nn.COSTS[cost]
    # each cost from the example's trace: cross-entropy on sigmoid outputs is then taken from z
    c = engine.compile(lambda x, y: cost_of(net.trace(x), y), (X[0], Y[0]), net.parameters())
    assert [g.kind for g in c.groups].count("matmul") == len(nouts)
    net.zero_grad()
    per_example = c.backward(X, Y)
    compiled = np.array([p.grad for p in net.parameters()])

    net.zero_grad()
    C = nn.mean_cost([net.trace(x) for x in X.tolist()], Y.tolist(), cost)
    C.backward()
    assert_close(compiled, [p.grad for p in net.parameters()])
    assert_close(per_example.mean(), C.data)


def test_parameters_in_any_order_are_gathered_instead_of_viewed():
    net, X, Y = _net_and_batch(3, [4, 2], ["tanh", "sigmoid"], 20)
    params = net.parameters()[::-1]  # W no longer lies evenly spaced in the array
    c = engine.compile(lambda x, y: nn.quadratic_cost(net(x), y), (X[0], Y[0]), params)
    layers = [g for g in c.groups if g.kind == "matmul"]
    assert [g.w.view is None for g in layers] == [True, True]
    assert_matches_scalar(lambda x, y: nn.quadratic_cost(net(x), y), params, [X, Y])


@pytest.mark.parametrize("cost", ["quadratic", "cross_entropy"])
def test_a_sigmoid_net_matches_bp1_to_bp4(cost):
    net, X, Y = _net_and_batch(6, [5, 4, 3], "sigmoid", 64, seed=3)
    cost_of = nn.COSTS[cost]
    c = engine.compile(lambda x, y: cost_of(net.trace(x), y), (X[0], Y[0]), net.parameters())
    net.zero_grad()
    c.backward(X, Y)
    bp = nn.matrix.backprop_batch(net.weights(), net.biases(), X.T, Y.T, cost=cost)
    params = iter(p.grad for p in net.parameters())  # per layer: w^l row by row, then b^l
    for gw, gb in zip(bp.grad_w, bp.grad_b):
        assert_close([next(params) for _ in range(gw.size)], gw.ravel())
        assert_close([next(params) for _ in range(gb.size)], gb)


def test_net_outputs_as_a_list_give_one_column_each():
    net, X, _ = _net_and_batch(3, [4, 2], "tanh", 9)
    c = engine.compile(net, ([0.0] * 3,), net.parameters())
    out = c(X)
    assert out.shape == (9, 2)
    assert_close(out, [[v.data for v in net(x)] for x in X.tolist()])
    with pytest.raises(ValueError, match="needs f to return one Value .* a list of 2 Values"):
        c.backward(X)


# --- parameters ------------------------------------------------------------------------


def _demo():
    net = nn.MLP(2, [16, 16, 1], activation=["relu", "relu", "linear"], seed=1)

    def loss(x, y):
        (s,) = net(x)
        return (1 - y[0] * s).relu()

    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 2))
    Y = np.sign(X[:, :1] * X[:, 1:])
    return net, loss, engine.compile(loss, ([0.0, 0.0], [1.0]), net.parameters()), X, Y


def test_every_call_reads_the_parameters_values():
    net, loss, step, X, Y = _demo()
    before = step(X, Y)
    for p in net.parameters():
        p.data = p.data * 0.5
    after = step(X, Y)
    assert not np.allclose(before, after)
    assert_close(after, [loss(x, y).data for x, y in zip(X.tolist(), Y.tolist())])


def test_backward_accumulates_like_the_scalar_engine():
    net, loss, step, X, Y = _demo()
    net.zero_grad()
    step.backward(X, Y)
    once = [p.grad for p in net.parameters()]
    step.backward(X, Y)
    assert [p.grad for p in net.parameters()] == [2 * g for g in once]


def test_parameter_arrays_hold_the_numbers_inside_the_block_and_the_values_after():
    net, loss, step, X, Y = _demo()
    params = net.parameters()
    start = [p.data for p in params]
    net.zero_grad()
    with step.parameter_arrays() as (data, grad):
        assert data.tolist() == start and not grad.any()
        for _ in range(3):
            grad[:] = 0.0
            step.backward(X, Y)
            data -= 0.05 * grad
        last_grad = grad.copy()
        assert [p.data for p in params] == start  # the Values wait for the block's end
    assert [p.data for p in params] == data.tolist()
    assert [p.grad for p in params] == last_grad.tolist()

    # the same three steps on the scalar engine
    for p, x in zip(params, start):
        p.data = x
    for _ in range(3):
        net.zero_grad()
        C = sum((loss(x, y) for x, y in zip(X.tolist(), Y.tolist())), Value(0.0)) * (1 / 100)
        C.backward()
        for p in params:
            p.data -= 0.05 * p.grad
    assert_close([p.data for p in params], data)


def test_a_parameter_that_would_become_infinite_is_refused_and_nothing_changes():
    net, _, step, X, Y = _demo()
    start = [p.data for p in net.parameters()]
    with pytest.raises(ValueError, match=r"params\[3\] .* would become inf"):
        with step.parameter_arrays() as (data, _):
            data[3] = math.inf
    assert [p.data for p in net.parameters()] == start


# --- errors name the example -------------------------------------------------------------


@pytest.mark.parametrize(
    "f, bad, error, message",
    [
        (lambda x: x[0].log(), -1.0, ValueError, r"log: argument must be positive: log\(-1.0\)"),
        (lambda x: x[0].exp(), 1000.0, OverflowError, r"exp: result out of range"),
        (lambda x: 1.0 / x[0], 0.0, ZeroDivisionError, r"division by zero"),
        (lambda x: x[0] * 1e308 + 1e308, 1.0, OverflowError, r"\+: result out of range"),
        (lambda x: x[0] ** 0.5, -4.0, ValueError, r"\*\*0.5: negative base to a non-integer power"),
    ],
)
def test_a_domain_error_names_the_example_and_says_what_the_scalar_engine_says(
    f, bad, error, message
):
    c = engine.compile(f, ([0.5],), [])
    X = np.full((6, 1), 0.5)
    X[4] = bad
    with pytest.raises(error, match=r"^engine.compile: example 4 of the batch: " + message):
        c(X)
    with pytest.raises(error, match="^" + message):  # the scalar engine's own words
        f([Value(bad)])


def test_a_users_primitive_that_raises_names_the_example():
    def root(x: float) -> float:
        if x < 0.0:
            raise ValueError(f"root of a negative number: {x!r}")
        return math.sqrt(x)

    ROOT = Primitive("root", root, lambda o, xs, out: (0.5 / out,))
    c = engine.compile(lambda x: ROOT(x[0]), ([4.0],), [])
    assert c(np.array([[4.0], [9.0]])).tolist() == [2.0, 3.0]
    with pytest.raises(ValueError, match=r"example 2 of the batch: root of a negative number: -1"):
        c(np.array([[4.0], [1.0], [-1.0]]))


def test_bad_batches_are_named():
    c = engine.compile(lambda x, y: x[0] * y[0] + x[1], ([1.0, 2.0], [3.0]), [])
    X, Y = np.ones((5, 2)), np.ones((5, 1))
    with pytest.raises(TypeError, match="expected 2 batch arguments"):
        c(X)
    with pytest.raises(ValueError, match=r"batch argument 0 must have shape \(m, 2\)"):
        c(np.ones((5, 3)), Y)
    with pytest.raises(ValueError, match="different numbers of examples"):
        c(X, np.ones((4, 1)))
    X[3, 1] = math.nan
    with pytest.raises(ValueError, match=r"batch argument 0, example 3: \[1\] is nan"):
        c(X, Y)
    assert c(np.ones((5, 2)), np.ones(5)).shape == (5,)  # one number per example may be 1-D


def test_recording_refuses_what_it_cannot_replay():
    a, b = Value(1.0), Value(2.0)
    with pytest.raises(TypeError, match="must return a Value or a non-empty list of Values"):
        engine.compile(lambda x: 3.0, ([1.0],), [])
    with pytest.raises(ValueError, match=r"params\[0\] .* is made by '\+', not a leaf"):
        engine.compile(lambda x: x[0] * a, ([1.0],), [a + b])
    with pytest.raises(ValueError, match=r"params\[1\] .* is not a leaf of the recorded graph"):
        engine.compile(lambda x: x[0] * a, ([1.0],), [a, b])
    with pytest.raises(ValueError, match=r"params\[1\] is params\[0\] again"):
        engine.compile(lambda x: x[0] * a, ([1.0],), [a, a])
    with pytest.raises(ValueError, match="reduction must be 'mean' or 'sum'"):
        engine.compile(lambda x: x[0] * a, ([1.0],), [a], reduction="max")
    with pytest.raises(ValueError, match=r"example argument 0\[1\] must be finite"):
        engine.compile(lambda x: x[0] * a, ([1.0, math.inf],), [a])


def test_sum_reduction_is_the_mean_times_the_batch_size():
    net, loss, _, X, Y = _demo()
    params = net.parameters()
    mean = engine.compile(loss, (X[0], Y[0]), params)
    total = engine.compile(loss, (X[0], Y[0]), params, reduction="sum")
    net.zero_grad()
    mean.backward(X, Y)
    g_mean = np.array([p.grad for p in params])
    net.zero_grad()
    total.backward(X, Y)
    assert_close([p.grad for p in params], 100 * g_mean)


def test_grads_where_the_numbers_run_out_follow_the_scalar_engines_masking():
    # d/dx sqrt(x) is inf at 0; the scalar engine's relu and × pass 0 · inf on as 0
    p = Value(2.0)
    f = lambda x: (x[0] * p) ** 0.5 + (x[1] ** 0.5).relu() * 0.0 + x[1]  # noqa: E731
    batch = [np.array([[0.0, 0.0], [1.0, 4.0], [0.0, 9.0]])]
    out, grad, input_grads = compiled_result(f, [p], batch)
    want_out, want_grad, want_input = scalar_reference(f, [p], batch)
    assert_close(out, want_out)
    np.testing.assert_allclose(grad, want_grad, rtol=1e-12)  # no nan from 0 · inf
    np.testing.assert_allclose(input_grads[0], want_input[0], rtol=1e-12)
    assert math.isinf(input_grads[0][0, 0])


# --- tracing --------------------------------------------------------------------------


def test_control_flow_on_an_input_is_warned_about_and_check_finds_it():
    def f(x):
        return x[0] * 2.0 if x[0] > 0 else -x[0]  # a branch taken once, at the example

    with pytest.warns(TracingWarning, match="frozen at the example's values"):
        c = engine.compile(f, ([1.0],), [])
    X = np.array([[1.0], [-3.0], [2.0]])
    report = c.check(X)
    assert not report.same_graph and report.output == 9.0  # -3·2 against 3
    assert "A DIFFERENT GRAPH" in str(report)


@pytest.mark.parametrize("how", ["detach", "no_grad"])
def test_detach_and_no_grad_inside_the_recording_are_warned_about(how):
    def f(x):
        if how == "detach":
            frozen = x[1].detach()
        else:
            with engine.no_grad():
                frozen = x[1] * 1.0
        return x[0] * frozen  # the replay would reuse the example's x[1] for every example

    with pytest.warns(TracingWarning, match="frozen at the example's values"):
        c = engine.compile(f, ([1.0, 2.0],), [])
    report = c.check(np.array([[3.0, -1.0]]))
    assert report.same_graph and report.output == 9.0  # 3·2 against 3·(−1)
    assert "froze at the example" in str(report)


def test_reading_a_constant_is_not_warned_about():
    a, k = Value(3.0), Value(2.0)  # k: a leaf that is neither input nor parameter, a constant

    def f(x):
        scale = 2.0 if k.data > 0 else 1.0  # the replay keeps k's number too: still valid
        return x[0] * a * k * scale

    with warnings.catch_warnings():
        warnings.simplefilter("error", TracingWarning)
        c = engine.compile(f, ([1.0],), [a])
    report = c.check(np.array([[1.0], [2.0]]))
    assert report.same_graph and report.largest == 0.0


def test_reading_a_parameters_number_is_warned_about_naming_it_and_the_line():
    p = Value(2.0, label="w")
    line = inspect.currentframe().f_lineno + 2
    with pytest.warns(TracingWarning) as caught:
        c = engine.compile(lambda x: x[0] * p.data + p, ([1.0],), [p])
    (w,) = caught
    assert "parameter params[0] 'w' through .data" in str(w.message)
    assert f"line {line}" in str(w.message) and (w.filename, w.lineno) == (__file__, line)
    p.data = 5.0  # an optimizer step: the replay kept 2.0 (what the warning is about)
    assert list(c(np.array([[1.0], [2.0]]))) == [7.0, 9.0]  # the scalar engine: [10, 15]
    assert c.check(np.array([[1.0], [2.0]])).output == 6.0


def test_check_reports_agreement_on_the_demo():
    _, _, step, X, Y = _demo()
    report = step.check(X, Y, examples=5)
    assert report.examples == [0, 25, 50, 74, 99]
    assert report.same_graph and report.largest < 1e-12


# --- inspecting it --------------------------------------------------------------------


def test_the_demo_runs_as_eight_groups_three_of_them_matrix_products():
    _, _, step, _, _ = _demo()
    assert [(g.level, g.rule.name, g.kind, g.count) for g in step.groups] == [
        (1, "weighted_sum", "matmul", 16),
        (2, "relu", "elementwise", 16),
        (3, "weighted_sum", "matmul", 16),
        (4, "relu", "elementwise", 16),
        (5, "weighted_sum", "matmul", 1),
        (6, "*", "elementwise", 1),
        (7, "-", "elementwise", 1),
        (8, "relu", "elementwise", 1),
    ]
    layers = [g for g in step.groups if g.kind == "matmul"]
    assert all(g.w.view is not None and g.b.view is not None for g in layers)  # no copies
    assert len(step.nodes) == 337 + 3 + 1 + 16 + 16 + 16 + 16 + 1 + 3
    assert "8 groups" in repr(step) and "337 params" in repr(step)
    assert step.summary().splitlines()[2].split() == ["1", "weighted_sum", "matmul", "16"]


def test_a_layer_sharing_a_weight_runs_neuron_by_neuron_and_matches_the_scalar_engine():
    w, b = [Value(0.7), Value(-0.4), Value(0.2)], Value(0.1)

    def f(x, y):  # two neurons on one input list; both read w[0]
        z = [engine.weighted_sum([w[0], w[1]], x, b), engine.weighted_sum([w[2], w[0]], x, b)]
        return (z[0] * z[1] - y[0]).tanh()

    rng = np.random.default_rng(3)
    batch = [rng.uniform(-1, 1, (4, 2)), rng.uniform(-1, 1, (4, 1))]
    c = engine.compile(f, [arg[0].tolist() for arg in batch], w + [b])
    assert (c.groups[0].rule.name, c.groups[0].kind, c.groups[0].count) == (
        "weighted_sum",
        "elementwise",
        2,
    )
    assert_matches_scalar(f, w + [b], batch)


def test_unused_inputs_and_leaves_or_sums_as_outputs_match_the_scalar_engine():
    p = Value(0.5)

    def f(x):  # x[2] is never read; an input, a chain of + and a parameter are outputs
        s = x[0] + x[1] + p
        return [x[0], s, (s + x[0]) * p, p]

    X = np.random.default_rng(4).uniform(-1, 1, (5, 3))
    c = engine.compile(f, (X[0].tolist(),), [p])
    want = [[v.data for v in f([Value(float(a)) for a in row])] for row in X]
    assert_close(c(X), want)
    assert_matches_scalar(lambda x: f(x)[2] * f(x)[1], [p], [X])  # ∂/∂x[2] is 0


def test_a_cost_sum_runs_as_one_group():
    net, X, Y = _net_and_batch(3, [4, 6], "sigmoid", 5)
    c = engine.compile(lambda x, y: nn.quadratic_cost(net(x), y), (X[0], Y[0]), net.parameters())
    sums = [g for g in c.groups if g.kind == "sum"]
    assert [(g.rule.name, g.count) for g in sums] == [("+", 1)]
    assert len(sums[0].operand_rows) == 7  # Value(0.0) and six squares


def test_the_user_primitive_is_replayed():
    c = engine.compile(lambda x: GAUSS(x[0]) * x[1], ([0.5, 2.0],), [])
    X = np.array([[0.5, 2.0], [-30.0, 1.0], [4.0, -1.0]])
    assert_close(c(X), [GAUSS.forward(a) * b for a, b in X])


# --- found by a hostile review of compile ---------------------------------------------------


def test_a_compiled_replay_refuses_to_be_copied_or_pickled():
    import copy
    import pickle

    net, X, Y = _net_and_batch(3, [4, 2], ["tanh", "sigmoid"], 5)
    c = engine.compile(lambda x, y: nn.quadratic_cost(net(x), y), (X[0], Y[0]), net.parameters())
    for clone in (copy.deepcopy, lambda c: pickle.loads(pickle.dumps(c))):
        with pytest.raises(TypeError, match="cannot be pickled or copied"):
            clone(c)


def test_threads_sharing_one_compiled_replay_get_their_own_numbers():
    import threading

    net, X, Y = _net_and_batch(3, [4, 2], ["tanh", "sigmoid"], 64)
    c = engine.compile(lambda x, y: nn.quadratic_cost(net(x), y), (X[0], Y[0]), net.parameters())
    batches = [(X[k::4], Y[k::4]) for k in range(4)]
    expected = [c(*b) for b in batches]
    wrong = []

    def work(k):
        for _ in range(50):
            if not np.array_equal(c(*batches[k]), expected[k]):
                wrong.append(k)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert wrong == []


def test_float_gradients_taken_inside_the_recording_are_warned_about():
    a = Value(1.5)

    def f(x):
        y = (x[0] * a).tanh()
        (g,) = engine.grad(y, [x[0]])  # a number, frozen at the example
        return y + g

    with pytest.warns(TracingWarning, match="frozen at the example's values"):
        engine.compile(f, ([0.0],), [a])


def test_a_derivative_rule_that_cannot_run_on_arrays_is_named():
    leaky = engine.Primitive(
        "leaky_branching",
        lambda x: x if x > 0 else 0.1 * x,
        lambda o, xs, out: (1.0 if xs[0] > 0 else 0.1,),  # fine on floats, not on arrays
    )
    a = Value(1.0)
    c = engine.compile(lambda x: leaky(x[0] * a) * a, ([1.0],), [a])
    with pytest.raises(TypeError, match="derivative rule of 'leaky_branching' does not run on"):
        c.backward(np.array([[1.0], [-2.0]]))


def test_batches_of_booleans_strings_or_complex_numbers_are_refused():
    c = engine.compile(lambda x: x[0] * 2.0, ([1.0],), [])
    for bad in (np.array([[True]]), np.array([["1.0"]]), np.array([[1 + 2j]])):
        with pytest.raises(TypeError, match="must hold real numbers"):
            c(bad)
    with pytest.raises(ValueError, match="check: examples must be ≥ 1, got 0"):
        c.check(np.array([[1.0]]), examples=0)
    assert "1 group" in repr(c) and "1 groups" not in repr(c)


def _no_grad_copy(v):
    with engine.no_grad():
        return v * 1.0


def _grad_of(v):
    (g,) = engine.grad(v * v, [v])
    return g.data


def _backward_then_grad(v):
    y = v * v
    y.backward()
    return v.grad


# Every way of reading a Value's number inside f, each giving a number that tracks v.
READS = {
    ".data": lambda v: v.data,
    "float()": float,
    "int()": lambda v: int(v * 100.0) / 100.0,
    "round()": lambda v: round(v, 6),
    "math.trunc()": lambda v: math.trunc(v * 100.0) / 100.0,
    "format()": lambda v: float(format(v, ".6f")),
    "'%f' %": lambda v: float("%f" % v),  # noqa: UP031 (the read under test)
    "math.exp()": lambda v: math.log(math.exp(v)),
    "bool()": lambda v: 1.0 if v else 0.0,
    "a comparison <": lambda v: 1.0 if v < 1.5 else 2.0,
    "a comparison >=": lambda v: 1.0 if v >= 1.5 else 2.0,
    "a comparison, reflected": lambda v: 1.0 if 1.5 > v else 2.0,
    "max()": lambda v: max(v, 1.5) * 1.0,
    "sorted()": lambda v: sorted([v, Value(1.5)])[0] * 1.0,
    "repr()": lambda v: float(repr(v).split("data=")[1].split(",")[0]),
    "str()": lambda v: float(str(v).split("data=")[1].split(",")[0]),
    "f-string": lambda v: float(f"{v}".split("data=")[1].split(",")[0]),
    "copy.deepcopy()": copy.deepcopy,
    "copy.copy()": copy.copy,
    "pickle": lambda v: pickle.loads(pickle.dumps(v)),
    ".local_grads": lambda v: (v * v).local_grads[0],
    "detach()": lambda v: v.detach(),
    "no_grad()": _no_grad_copy,
    "engine.grad()": _grad_of,
    "backward()": _backward_then_grad,
}


@pytest.mark.parametrize("how", READS)
@pytest.mark.parametrize("of", ["an input", "a parameter", "a Value computed from both"])
def test_every_read_of_a_recorded_number_is_warned_about_or_replayed_right(how, of):
    # The sibling sweep of reading p.data: each way of reading a number inside f, on an
    # input, a parameter and a node computed from them, must warn or replay correctly
    # (after the parameter has changed, as an optimizer step changes it).
    read = READS[how]
    p = Value(2.0, label="w")

    def f(x):
        v = {"an input": x[0], "a parameter": p, "a Value computed from both": x[0] * p}[of]
        return x[0] * read(v) + p

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        c = engine.compile(f, ([1.0],), [p])
    warned = [w for w in caught if issubclass(w.category, TracingWarning)]
    p.data = -3.0
    X = np.array([[1.0], [2.5], [-0.5]])
    want = [f([Value(x)]).data for x in X[:, 0]]
    if warned:
        message = str(warned[0].message)
        named = "parameter params[0] 'w'" if of == "a parameter" else "example argument 0[0]"
        assert named in message and f"line {warned[0].lineno})" in message
        assert os.path.samefile(warned[0].filename, __file__)  # the user's line, not copy.py
        user_lines = [inspect.getsourcelines(f)[1] + 2]  # f returns, or the read itself
        if inspect.isfunction(read) and read.__module__ == __name__:
            lines, first = inspect.getsourcelines(read)
            user_lines += range(first, first + len(lines))
        assert warned[0].lineno in user_lines
    else:
        assert list(c(X)) == want, "a read that changed the replay went unwarned"


def test_a_nets_layers_are_contiguous_blocks_of_the_parameter_array():
    # net.parameters() lists w^l row by row, then b^l: each W and b is read as a plain view
    net, X, Y = _net_and_batch(5, [4, 3], "sigmoid", 8)
    layer = net.layers[0]
    assert net.parameters()[:24] == [w for n in layer.neurons for w in n.w] + [
        n.b for n in layer.neurons
    ]
    c = engine.compile(lambda x, y: nn.COSTS["quadratic"](net.trace(x), y), (X[0], Y[0]),
                       net.parameters())  # fmt: skip
    blocks = [(g.w.view, g.b.view) for g in c.groups if g.kind == "matmul"]
    assert len(blocks) == 2
    for W, b in blocks:
        assert W.flags.c_contiguous and b.flags.c_contiguous
    np.testing.assert_array_equal(blocks[0][0], net.weights()[0])
    np.testing.assert_array_equal(blocks[1][1], net.biases()[1])


def _state(params, c):
    inputs = None if c.input_grads is None else [g.tolist() for g in c.input_grads]
    return [(p.data, p.grad) for p in params], inputs


def test_compiled_backward_is_all_or_nothing_when_interrupted_at_any_line():
    net = nn.MLP(2, [3, 1], activation=["tanh", "linear"], seed=4)
    params = net.parameters()
    c = engine.compile(lambda x: net(x)[0] * net(x)[0], ([0.0, 0.0],), params)
    X = np.array([[0.5, -1.0], [2.0, 0.25]])
    for p in params:
        p.grad = 0.5
    old = _state(params, c)
    c.backward(X)
    new = _state(params, c)
    runs = 0
    for line in interrupted_runs(lambda: c.backward(X)):
        runs += 1
        assert _state(params, c) in (old, new), f"half-added grads, interrupted at line {line}"
        for p, (_, g) in zip(params, old[0]):
            p.grad = g
        c.input_grads = None
    assert runs > 20  # every line of a backward call was interrupted once


def test_leaving_parameter_arrays_is_all_or_nothing_when_interrupted_at_any_line():
    # Once "5 of 17 parameters changed": an interrupt while the arrays are copied
    # back to the Values must leave all of them old or all new.
    net = nn.MLP(2, [4, 1], activation=["tanh", "linear"], seed=5)
    params = net.parameters()
    c = engine.compile(lambda x: net(x)[0], ([0.0, 0.0],), params)
    old = [(p.data, p.grad) for p in params]

    def epoch():
        with c.parameter_arrays() as (data, grad):
            c.backward(np.array([[1.0, 2.0], [0.5, -0.5]]))
            data -= 0.1 * grad

    epoch()
    new = [(p.data, p.grad) for p in params]
    stepped = [(x, g) for (x, _), (_, g) in zip(old, new)]  # after backward, before the step
    stuck = []
    for line in interrupted_runs(epoch):
        state = [(p.data, p.grad) for p in params]
        assert state in (old, stepped, new), f"half-copied, interrupted at line {line}"
        if c._in_arrays:
            # Only an interrupt on the first line of the block's `finally` skips closing it
            # (a real Ctrl-C lands at a call or a loop's jump, not on that plain store); the
            # Values are then all old, and the arrays keep the block's numbers.
            stuck.append(line)
            assert state == old
            c._in_arrays = False
        for p, (x, g) in zip(params, old):
            p.data, p.grad = x, g
    assert len(stuck) <= 1, stuck


def test_an_interrupted_recording_leaves_no_read_watcher_behind():
    # A Ctrl-C anywhere in engine.compile (its clean-up included) must not leave the
    # recording's watcher on: later reads would warn, or be slowed, for good.
    p = Value(1.5)

    def f(x):
        return (x[0] * p).tanh() * x[1] + p

    def compile_it():
        with warnings.catch_warnings():
            warnings.simplefilter("error", TracingWarning)
            engine.compile(f, ([1.0, 2.0],), [p])

    runs = 0
    for _ in interrupted_runs(compile_it):
        runs += 1
        with warnings.catch_warnings():
            warnings.simplefilter("error", TracingWarning)
            assert p.data == 1.5 and float(p * 2.0) == 3.0  # no warning: nothing watches
        assert engine.value.read_watchers() == ()
    assert runs > 20


def test_backward_of_an_f_returning_a_one_element_list_says_what_it_expected_and_got():
    c = engine.compile(lambda x: [x[0] * x[1]], ([1.0, 2.0],), [])
    with pytest.raises(
        ValueError, match=r"needs f to return one Value .* returns a list of 1 Value"
    ):
        c.backward(np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"returns a list of 2 Values"):
        engine.compile(lambda x: [x[0], x[1]], ([1.0, 2.0],), []).backward(np.ones((2, 2)))


@pytest.mark.parametrize(
    "batch", [[[1.0, 2.0], [3.0]], [[1.0, 2.0], [3.0, [4.0, 5.0]]], [[1.0, 2.0], 3.0]]
)
def test_a_ragged_batch_is_refused_naming_the_batch_argument(batch):
    c = engine.compile(lambda x, y: x[0] * x[1] + y[0], ([1.0, 2.0], [0.0]), [])
    with pytest.raises(ValueError, match=r"batch argument 0 is ragged: .* have 2 numbers"):
        c(batch, [[0.0], [1.0]])
    with pytest.raises(ValueError, match=r"batch argument 0 is ragged"):
        c.backward(batch, [[0.0], [1.0]])
    with pytest.raises(ValueError, match=r"batch argument 0 is ragged"):
        c.check(batch, [[0.0], [1.0]])
