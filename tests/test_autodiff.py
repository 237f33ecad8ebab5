"""The reverse pass: accumulation, reuse, ordering at depth, zero_grad, detach, random trees."""

import math
import random
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import Primitive, Value, gradcheck, weighted_sum
from engine.autodiff import topological_order


def test_micrograd_neuron_by_hand():
    x1, x2, w1, w2 = Value(2.0), Value(0.0), Value(-3.0), Value(1.0)
    b = Value(6.8813735870195432)
    n = x1 * w1 + x2 * w2 + b
    o = n.tanh()
    o.backward()
    dn = 1 - math.tanh(n.data) ** 2  # 0.5 by construction
    assert o.grad == 1.0
    assert n.grad == pytest.approx(dn)
    assert (x1.grad, w1.grad, x2.grad, w2.grad, b.grad) == pytest.approx(
        (dn * -3.0, dn * 2.0, dn * 1.0, dn * 0.0, dn)
    )


def test_reuse_a_plus_a():
    a = Value(3.0)
    b = a + a
    b.backward()
    assert a.grad == 2.0


def test_reuse_x_times_x():
    x = Value(3.0)
    (x * x).backward()
    assert x.grad == 6.0


def test_diamond():
    # a feeds b and c, both feed d: ∂d/∂a sums the two paths
    a = Value(2.0)
    b = a * 3
    c = a.exp()
    d = b * c
    d.backward()
    assert a.grad == pytest.approx(3 * math.exp(2) + 6 * math.exp(2), rel=1e-15)
    assert b.grad == c.data and c.grad == b.data


def _graph():
    x, y = Value(0.7), Value(-1.3)
    h = (x * y + x).tanh()
    out = h * h + (h / (1 + y * y)).sigmoid()
    return out, [x, y, h]


def test_backward_twice_doubles_every_grad_exactly():
    out, nodes = _graph()
    out.backward()
    once = [n.grad for n in topological_order(out)]
    out.backward()
    twice = [n.grad for n in topological_order(out)]
    assert twice == [2 * g for g in once]  # interior nodes and root included
    assert out.grad == 2.0


def test_backward_seed_scales_every_grad():
    out, _ = _graph()
    out.backward()
    ones = [n.grad for n in topological_order(out)]
    out.zero_grad()
    out.backward(0.5)
    assert [n.grad for n in topological_order(out)] == [0.5 * g for g in ones]


def test_grads_accumulate_over_different_roots():
    x = Value(2.0)
    (x * 3).backward()
    (x * x).backward()
    assert x.grad == 3 + 4


def test_zero_grad_clears_every_node():
    out, _ = _graph()
    out.backward()
    assert any(n.grad != 0 for n in topological_order(out))
    out.zero_grad()
    assert all(n.grad == 0.0 for n in topological_order(out))


def test_backward_on_a_leaf():
    x = Value(5.0)
    x.backward()
    assert x.grad == 1.0


def test_detach_cuts_the_graph():
    x = Value(2.0, label="x")
    y = x * x
    d = y.detach()
    assert (d.data, d.label, d.parents, d.op, d.grad) == (4.0, "", (), "", 0.0)
    (d * x).backward()
    assert x.grad == 4.0  # d is a constant: no path through y
    assert y.grad == 0.0


def test_topological_order_puts_parents_first_once_each():
    out, _ = _graph()
    order = topological_order(out)
    position = {id(n): i for i, n in enumerate(order)}
    assert len(position) == len(order)
    for n in order:
        assert all(position[id(p)] < position[id(n)] for p in n.parents)
    assert order[-1] is out


def _depth_first(roots):
    """The order by definition: a recursive depth-first post-order, each node's parents last first."""
    order, seen = [], set()

    def visit(node):
        if node not in seen:
            seen.add(node)
            for parent in reversed(node.parents):
                visit(parent)
            order.append(node)

    for root in roots:
        visit(root)
    return order


@given(st.integers(0, 2**32 - 1), st.integers(1, 40))
def test_topological_order_is_the_depth_first_post_order(seed, n):
    # The order fixes the order in which a node shared by several users sums their
    # contributions, so it is pinned exactly, not only "parents first".
    rng = random.Random(seed)
    nodes = [Value(rng.uniform(-1, 1)) for _ in range(3)]
    for _ in range(n):
        k = rng.choice([1, 2, 2, 3, 5])
        if k == 1:
            nodes.append(rng.choice(nodes).relu())
        elif k == 2:
            nodes.append(rng.choice(nodes) * rng.choice(nodes))
        else:
            picks = [rng.choice(nodes) for _ in range(k)]
            nodes.append(weighted_sum(picks[: k // 2], picks[k // 2 : 2 * (k // 2)], picks[-1]))
    roots = [nodes[-1], *rng.sample(nodes, 2)]
    assert topological_order(nodes[-1]) == _depth_first([nodes[-1]])
    assert topological_order(roots) == _depth_first(roots)


@pytest.mark.slow
def test_million_node_chain_without_recursion():
    limit = sys.getrecursionlimit()
    x, c = Value(1.0), Value(1.0000001)
    y = x
    for _ in range(1_000_000):
        y = y * c
    y.backward()
    assert sys.getrecursionlimit() == limit
    assert x.grad == pytest.approx(1.0000001**1_000_000, rel=1e-9)
    assert c.grad == pytest.approx(1_000_000 * 1.0000001**999_999, rel=1e-9)


def test_interrupted_backward_leaves_grads_as_they_were():
    out, nodes = _graph()
    out.backward()
    before = [n.grad for n in topological_order(out)]
    calls = []

    def boom(o, xs, out_data):
        calls.append(1)
        raise KeyboardInterrupt

    # A primitive whose derivative fails midway through the pass, on top of the graph.
    interrupting = Primitive("interrupting", lambda x: x, boom)
    top = interrupting(out) * 2
    with pytest.raises(KeyboardInterrupt):
        top.backward()
    assert calls and [n.grad for n in topological_order(out)] == before


# --- random expression trees over shared leaves: gradcheck holds ----------------------

N_LEAVES = 3
# Operations that stay smooth and finite on the inputs drawn below, so central
# differences are a fair reference.
UNARY = [
    lambda a: a.tanh(),
    lambda a: a.sigmoid(),
    lambda a: a.tanh().exp(),
    lambda a: (1 + a * a).log(),
    lambda a: -a,
    lambda a: a**2,
    lambda a: (a.sigmoid() + 0.5) ** 1.5,
]
BINARY = [
    lambda a, b: a + b,
    lambda a, b: a - b,
    lambda a, b: a * b,
    lambda a, b: a / (1 + b * b),
    lambda a, b: (a.sigmoid() + 0.5) ** b.tanh(),
    lambda a, b: 2 - a * 0.5 + b,
]

trees = st.recursive(
    st.integers(0, N_LEAVES - 1).map(lambda i: ("leaf", i)),
    lambda sub: st.one_of(
        st.tuples(st.just("unary"), st.integers(0, len(UNARY) - 1), sub),
        st.tuples(st.just("binary"), st.integers(0, len(BINARY) - 1), sub, sub),
    ),
    max_leaves=12,
)


def _evaluate(tree, leaves):
    kind = tree[0]
    if kind == "leaf":
        return leaves[tree[1]]
    if kind == "unary":
        return UNARY[tree[1]](_evaluate(tree[2], leaves))
    return BINARY[tree[1]](_evaluate(tree[2], leaves), _evaluate(tree[3], leaves))


@given(tree=trees, xs=st.lists(st.floats(-1.5, 1.5), min_size=N_LEAVES, max_size=N_LEAVES))
def test_random_expression_trees_pass_gradcheck(tree, xs):
    assert gradcheck(lambda *leaves: _evaluate(tree, leaves), xs, atol=1e-5, rtol=1e-4)
