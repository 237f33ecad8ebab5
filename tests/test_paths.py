"""engine.count_paths and engine.paths: the sum over paths against backward() and central differences."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import Path, Value, count_paths, paths

# A random graph: leaves x, and two constants, then operations on earlier nodes chosen by
# index, so nodes are reused (x * x) and paths split and meet again (diamonds).
BINARY = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b}
UNARY = {"tanh": Value.tanh, "sigmoid": Value.sigmoid, "2·": lambda a: 2.0 * a}
OPS = st.lists(
    st.tuples(st.sampled_from([*BINARY, *UNARY]), st.integers(0, 99), st.integers(0, 99)),
    min_size=1,
    max_size=9,
)


def build(x_value, ops):
    """The graph of ``ops`` at x = x_value: (output, x); the output sums the last two nodes."""
    x = Value(x_value, label="x")
    nodes = [x, Value(0.7), Value(-1.3)]
    for name, i, j in ops:
        a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
        nodes.append(BINARY[name](a, b) if name in BINARY else UNARY[name](a))
    return nodes[-1] + nodes[-2] * nodes[0], x


def enumerate_paths(node, input):
    """The paths by brute force, as lists of (node, position) edges: the independent count."""
    if node is input:
        return [[]]
    return [
        edges + [(node, position)]
        for position, parent in enumerate(node.parents)
        for edges in enumerate_paths(parent, input)
    ]


@given(x=st.floats(-1.5, 1.5), ops=OPS)
def test_the_sum_over_paths_is_backwards_gradient_and_the_central_difference(x, ops):
    out, leaf = build(x, ops)
    found = paths(out, leaf)
    total = sum(p.product for p in found)
    out.backward()
    scale = sum(abs(p.product) for p in found) + 1e-300
    assert abs(total - leaf.grad) <= 1e-12 * scale  # the same terms, summed in another order
    h = 1e-5
    central = (build(x + h, ops)[0].data - build(x - h, ops)[0].data) / (2 * h)
    assert total == pytest.approx(central, rel=1e-5, abs=1e-6 * max(1.0, scale))


@given(x=st.floats(-1.5, 1.5), ops=OPS)
def test_counts_and_paths_agree_with_an_enumeration(x, ops):
    out, leaf = build(x, ops)
    brute = enumerate_paths(out, leaf)
    found = paths(out, leaf)
    assert count_paths(out, leaf) == len(found) == len(brute)
    assert sorted(tuple(p.positions) for p in found) == sorted(
        tuple(position for _, position in edges) for edges in brute
    )
    for p in found:
        assert p.nodes[0] is leaf and p.nodes[-1] is out
        assert len(p.rates) == len(p.positions) == len(p.nodes) - 1
        for parent, node, position, rate in zip(p.nodes, p.nodes[1:], p.positions, p.rates):
            assert node.parents[position] is parent and node.local_grads[position] == rate
        assert p.product == pytest.approx(math.prod(p.rates), rel=1e-12)


def test_x_times_x_plus_3x_has_three_paths_by_hand():
    x = Value(2.0, label="x")
    y = x * x + 3 * x
    found = paths(y, x)
    assert [p.rates for p in found] == [(2.0, 1.0), (2.0, 1.0), (3.0, 1.0)]  # x·x twice, then 3x
    assert [p.product for p in found] == [2.0, 2.0, 3.0] and count_paths(y, x) == 3
    assert sum(p.product for p in found) == 7.0 == 2 * 2.0 + 3  # d(x² + 3x)/dx at 2


def test_counting_needs_no_enumeration_and_the_limit_gives_the_count():
    x = Value(0.5)
    y = x
    for _ in range(100):  # each step doubles the paths: 2**100 of them
        y = y + y
    assert count_paths(y, x) == 2**100
    with pytest.raises(ValueError, match=rf"{2**100} paths .* more than limit=10000"):
        paths(y, x)
    small = x * x * x
    assert len(paths(small, x, limit=3)) == 3
    with pytest.raises(ValueError, match=r"there are 3 paths .* more than limit=2"):
        paths(small, x, limit=2)
    assert count_paths(y, x) == 2**100  # nothing was changed by the refusal


def test_a_long_chain_has_one_path_and_needs_no_recursion():
    x = Value(0.1)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    (only,) = paths(y, x)
    assert len(only.nodes) == 5001 and only.product == pytest.approx(1.0001**5000)


def test_the_input_itself_unrelated_inputs_and_zero_rates():
    x, other = Value(3.0), Value(1.0)
    assert paths(x, x) == [Path((x,), (), ())] and paths(x, x)[0].product == 1.0
    y = x * 2.0
    assert count_paths(y, other) == 0 and paths(y, other) == []
    z = (x - 3.0).relu() * 1e308 * 10.0  # a zero rate masks the later huge ones, as in backward
    assert sum(p.product for p in paths(z, x)) == 0.0


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: count_paths(1.0, Value(1.0)), "count_paths: output must be a Value, got float"),
        (lambda: paths(Value(1.0), "x"), "paths: input must be a Value, got str"),
        (lambda: paths(Value(1.0), Value(1.0), limit=-1), "paths: limit must be ≥ 0, got -1"),
        (
            lambda: paths(Value(1.0), Value(1.0), limit=2.5),
            "paths: limit must be an integer, got float",
        ),
        (
            lambda: paths(Value(1.0), Value(1.0), limit=True),
            "paths: limit must be an integer, got bool",
        ),
    ],
)
def test_bad_arguments_are_named(call, message):
    with pytest.raises((TypeError, ValueError), match=message):
        call()
