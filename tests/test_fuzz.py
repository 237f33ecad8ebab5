"""A bounded fuzzer over every primitive (issue 8): random graphs with reuse and diamonds,
extreme but finite inputs. Forward is finite or raises a clear error naming the operation;
backward never raises once forward succeeded; a grad is nan only where the mathematics gives
no number (+inf and −inf meeting at one node, or a local derivative with no value)."""

import inspect
import math

import user_primitive  # noqa: F401  (registers a user's primitive, fuzzed with the rest)
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import PRIMITIVES, Value, power
from engine.autodiff import topological_order

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
@settings(max_examples=300, deadline=None)
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
