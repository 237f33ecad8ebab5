"""Bounded fuzzers over every primitive, with extreme but finite inputs (subnormals, 1e±300).

Random graphs with reuse and diamonds: forward is finite or raises a clear error
naming the operation; backward never raises once forward succeeded; a grad is nan only where
the mathematics gives no number. Backward, grad and the viewer's steps give
the same numbers bit for bit; random programs to the 3rd order match forward mode and central
differences; random compiled programs match the scalar engine after parameter steps."""

import copy
import inspect
import math
import warnings

import numpy as np
import pytest
import user_primitive  # registers a user's primitive, fuzzed with the rest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sweeps import examples

import engine
from engine import PRIMITIVES, Value, logsumexp, power
from engine.autodiff import topological_order
from engine.functional import forward_sweep

RULES = sorted(PRIMITIVES.values(), key=lambda p: p.name) + [
    power(n) for n in (-2, -1, 0, 0.5, 2, 3)
]
EXTREMES = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    2.0,
    -3.0,
    0.5,
    1e-300,
    -1e-300,
    1e-150,
    1e300,
    -1e300,
    1e150,
    37.0,
    -745.0,
]


def _arity(rule):
    params = inspect.signature(rule.forward).parameters.values()
    return 5 if any(p.kind is p.VAR_POSITIONAL for p in params) else len(params)


@st.composite
def graphs(draw):
    leaves = [Value(draw(st.sampled_from(EXTREMES) | st.floats(-1e300, 1e300))) for _ in range(3)]
    nodes = list(leaves)
    for _ in range(draw(st.integers(1, 12))):
        rule = draw(st.sampled_from(RULES))
        parents = [draw(st.sampled_from(nodes)) for _ in range(_arity(rule))]
        try:
            nodes.append(rule(*parents))
        except (ValueError, ZeroDivisionError, OverflowError) as e:
            # a clear error: it names the operation that failed
            assert rule.name in str(e) or rule.name.lstrip("*") in str(e), str(e)
    return leaves, nodes[-1]


@given(graphs())
@settings(max_examples=examples(300), deadline=None)
def test_forward_finite_backward_never_raises_and_nan_only_where_math_has_no_number(graph):
    leaves, root = graph
    order = topological_order(root)
    assert all(math.isfinite(n.data) for n in order)
    root.backward()  # must not raise
    children = {n: [] for n in order}
    for n in order:
        for parent, local in zip(n.parents, n.local_grads):
            children[parent].append((n, local))
    for node in order:
        if node is root or not math.isnan(node.grad):
            continue
        contributions = [
            local * child.grad for child, local in children[node] if local and child.grad
        ]
        assert any(math.isnan(c) for c in contributions) or (
            math.inf in contributions and -math.inf in contributions
        ), (node, children[node])
        for child, local in children[node]:
            if local and child.grad and math.isnan(local * child.grad):
                # the nan came from a local derivative without a number, or from upstream
                assert math.isnan(local) or math.isnan(child.grad), (child, local)


def _same(a, b):
    return a == b or (math.isnan(a) and math.isnan(b))


@given(graphs())
@settings(max_examples=examples(200), deadline=None)
def test_one_reverse_sweep_backward_grad_and_the_steps_agree_bit_for_bit(graph):
    # Issue 16, items 3 and 9: grad (so the reverse Jacobian) and viz.backward_steps run the
    # sweep backward() runs, so their numbers are its numbers, bit for bit, at extremes too
    from viz import backward_steps

    leaves, root = graph
    root.backward()
    nodes = topological_order(root)
    used = [x for x in leaves if x in set(nodes) and x is not root]
    if used:
        got = [g.data for g in engine.grad(root, used)]
        assert all(map(_same, got, [x.grad for x in used]))
    final = {root: 1.0}
    for step in backward_steps(root):
        for c in step.contributions:
            final[c.parent] = c.after
    assert all(_same(final.get(node, 0.0), node.grad) for node in nodes)


# --- higher order, to the 3rd, against forward mode and central differences ---------------

SMOOTH = {
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "softplus": lambda a: a.softplus(),
    "exp": lambda a: a.exp(),
    "log": lambda a: a.log(),
    "gauss": lambda a: user_primitive.GAUSS(a),
    "square": lambda a: a**2,
    "cube": lambda a: a**3,
    "recip": lambda a: a**-1,
    "neg": lambda a: -a,
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "lse": lambda a, b: logsumexp([a, b]),
}
POINTS = st.sampled_from([1e-310, -1e-310, 5e-324, 1e-300, 1e300, -1e300, 0.5, -1.5]) | st.floats(
    -3.0, 3.0
)


@st.composite
def smooth_programs(draw):
    return [
        (name, [draw(st.integers(0, 10)) for _ in range(SMOOTH[name].__code__.co_argcount)])
        for name in draw(st.lists(st.sampled_from(sorted(SMOOTH)), min_size=1, max_size=6))
    ]


def _run(program, x, c):
    pool = [x, c]
    for name, picks in program:
        pool.append(SMOOTH[name](*[pool[i % len(pool)] for i in picks]))
    return pool[-1]


def _derivatives(program, x0, c0):
    """y and dy/dx, d²y/dx², d³y/dx³ by reverse over reverse, each checked against forward
    mode over the previous one (an independent sweep); None where a number runs out."""
    x, c = Value(x0), Value(c0)
    try:
        ds = [_run(program, x, c)]
        for _ in range(3):
            (d,) = engine.grad(ds[-1], [x], create_graph=True, allow_unused=True)
            ds.append(d)
    except (ValueError, ZeroDivisionError, OverflowError):
        return None  # out of the domain or of range: refused with an error, never a number
    for lower, higher in zip(ds, ds[1:]):
        (forward,) = forward_sweep([lower], {x: 1.0})
        # sums that cancel keep the rounding of their largest terms
        scale = max(abs(n.data) for n in topological_order([lower, higher]))
        assert higher.data == pytest.approx(forward, rel=1e-9, abs=1e-12 * scale), (lower, higher)
    return [d.data for d in ds]


@given(smooth_programs(), POINTS, st.floats(-2.0, 2.0))
@example(  # 1/x at x = 1/64: a central difference of step 1e-4 is 1.4e-4 off at 3rd order
    [("*", [0, 0]), ("cube", [0]), ("cube", [0]), ("cube", [0]), ("cube", [0]), ("/", [1, 0])],
    0.015625,
    1.0,
)
@example(  # 1/c + x at c = 1e-81: the central difference rounds to 0, dy/dx is 1
    [("cube", [0]), ("cube", [0]), ("cube", [0]), ("recip", [1]), ("+", [5, 0])],
    0.5,
    1.0549771395571307e-81,
)
@settings(max_examples=examples(80), deadline=None)
def test_random_programs_to_third_order_match_forward_mode_and_central_differences(program, x0, c0):
    ds = _derivatives(program, x0, c0)
    if ds is None:
        return
    y = Value(x0)
    out = _run(program, y, Value(c0))
    out.backward()
    assert ds[1] == pytest.approx(y.grad, rel=1e-12, abs=1e-300)  # the float sweep's number
    if not (1e-3 < abs(x0) < 10 or x0 == 0.0):
        return  # subnormal and 1e±300 points: central differences have no step to take
    # a step relative to x near 0: 1/x's d³/dx³ at x = 1/64 is off by 3.3 (h/x)² = 1.4e-4
    # with h = 1e-4, more than the tolerance, while the engine's -6/x⁴ is exact
    h = 1e-4 * min(1.0, abs(x0)) if x0 else 1e-4
    around = [_derivatives(program, x0 + s * h, c0) for s in (-1, 1)]
    if None in around:
        return
    for order in (1, 2, 3):
        numeric = (around[1][order - 1] - around[0][order - 1]) / (2 * h)
        scale = max(1.0, abs(numeric), abs(ds[order]), *(abs(a[order]) for a in around))
        # the difference of two large values keeps their rounding: 1/c + x at c = 1e-81 is
        # 1e81 on both sides, and its central difference 0 where dy/dx = 1
        rounding = max(abs(a[order - 1]) for a in around) * 4e-16 / h
        assert ds[order] == pytest.approx(numeric, rel=1e-4, abs=1e-4 * scale + rounding), order


# --- compiled programs against the scalar engine, at extremes and after parameter steps ----

# weighted_sum is left out: a layer's sum runs in numpy's order, which at the edge of the
# float range may overflow where the scalar order does not (docs/compile.md says so).
COMPILED_RULES = [rule for rule in RULES if rule.name != "weighted_sum"]
# Ways f may read a number: each is warned about when the number
# depends on an input or a parameter, and must otherwise replay right.
NUMBER_READS = [
    lambda v: float(v),
    lambda v: v.data,
    lambda v: 1.0 if v > 0 else -1.0,
    lambda v: round(v, 3),
    lambda v: copy.deepcopy(v),
    lambda v: float(repr(v).split("data=")[1].split(",")[0]),
]
DOMAIN_ERRORS = (ValueError, ZeroDivisionError, OverflowError)
BATCH_NUMBERS = st.sampled_from([0.0, 1e-310, -5e-324, 1e-300, 1e300, -1e300, 2.5]) | st.floats(
    -3.0, 3.0
)


@st.composite
def compiled_programs(draw):
    steps = []
    for _ in range(draw(st.integers(1, 7))):
        if draw(st.integers(0, 5)) == 0:
            steps.append(
                (
                    "read",
                    draw(st.integers(0, len(NUMBER_READS) - 1)),
                    [draw(st.integers(0, 20)) for _ in range(2)],
                )
            )
        else:
            i = draw(st.integers(0, len(COMPILED_RULES) - 1))
            picks = [draw(st.integers(0, 20)) for _ in range(_arity(COMPILED_RULES[i]))]
            steps.append(("rule", i, picks))
    return steps  # fmt: skip


def _program(steps, params):
    def f(x):
        pool = [x[0], x[1], *params, Value(0.75)]  # 0.75: a constant, read freely
        for kind, i, picks in steps:
            operands = [pool[k % len(pool)] for k in picks]
            if kind == "rule":
                pool.append(COMPILED_RULES[i](*operands))
            else:
                pool.append(operands[0] * NUMBER_READS[i](operands[1]))
        # every node counts (no dead branch the scalar engine runs and the replay drops)
        return sum(pool[5:], params[0] * params[1])

    return f


def _close(got, want, scale):
    """Equal (infinities and nans included) or near, up to the rounding of sums that cancel
    (whose terms are up to ``scale``): the replay adds some sums in another order."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    same = (got == want) | (np.isnan(got) & np.isnan(want))
    with np.errstate(invalid="ignore"):
        near = np.isclose(got, want, rtol=1e-9, atol=1e-12 * scale)
    return bool(np.all(same | near))


@given(
    compiled_programs(),
    st.lists(BATCH_NUMBERS, min_size=8, max_size=8),
    st.lists(st.floats(-2.0, 2.0) | st.sampled_from([1e-310, 1e300]), min_size=2, max_size=2),
)
@settings(max_examples=examples(60), deadline=None)
def test_random_compiled_programs_match_the_scalar_engine_after_parameter_steps(
    steps, numbers, new_params
):
    params = [Value(0.5), Value(-1.25)]
    f = _program(steps, params)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            c = engine.compile(f, ([0.3, -0.7],), params)
        except DOMAIN_ERRORS:
            return  # the example itself is out of a primitive's domain
    warned = any(issubclass(w.category, engine.TracingWarning) for w in caught)
    for p, x in zip(params, new_params):
        p.data = x  # an optimizer step between compile and replay
    X = np.array(numbers).reshape(4, 2)
    good, want_out, want_grads, want_inputs = [], [], [], []
    scale = 1.0
    for i, x in enumerate(X.tolist()):
        leaves = [Value(v) for v in x]
        try:
            out = f(leaves)
        except DOMAIN_ERRORS:
            if not warned:  # the replay raises the scalar engine's error (for the first
                # failing node of its order, which may not be f's), naming the example
                with pytest.raises(DOMAIN_ERRORS, match="example 0 of the batch"):
                    c(X[[i]])
            continue
        grads = [g.data for g in engine.grad(out, params + leaves, allow_unused=True)]
        out.backward()
        for node in topological_order(out):
            scale = max(scale, abs(node.data), abs(node.grad) if math.isfinite(node.grad) else 0)
        good.append(i)
        want_out.append(out.data)
        want_grads.append(grads[:2])
        want_inputs.append(grads[2:])
    if warned or not good:
        return  # a frozen number was warned about: the replay may differ, and may say nothing
    for p in params:
        p.grad = 0.0
    assert _close(c.backward(X[good]), want_out, scale)
    assert _close([p.grad for p in params], np.mean(want_grads, axis=0), scale)
    assert _close(c.input_grads[0], want_inputs, scale)
