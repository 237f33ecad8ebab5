"""draw_dot(check=True): central differences on every node, interior ones included."""

import math
import random
import re

import pytest

from engine import Value
from engine.autodiff import topological_order
from viz import draw_dot, drawing
from viz.graph import Agreement, check_nodes


def _records(g):
    """{label: (fields, fill)} of every labelled record in the DOT source."""
    found = re.findall(r'label="\{(\w+)\|([^"]*)\}" fillcolor="([^"]+)"', g.source)
    return {name: (fields.split("|"), fill) for name, fields, fill in found}


def test_every_node_agrees_on_a_smooth_graph_interior_nodes_included():
    x, w = Value(2.0, label="x"), Value(-0.7, label="w")
    s = x * w
    s.label = "s"
    y = s.tanh() + x * x
    y.label = "y"
    y.backward()
    records = _records(draw_dot(y, check=True, number_format=".6g"))
    # By hand: ∂y/∂s = 1 − tanh²(s); ∂y/∂x = w(1 − tanh²(s)) + 2x; ∂y/∂w = x(1 − tanh²(s)).
    dtanh = 1.0 - math.tanh(-1.4) ** 2
    for name, expected in (("s", dtanh), ("x", -0.7 * dtanh + 4.0), ("w", 2.0 * dtanh), ("y", 1.0)):
        fields, fill = records[name]
        assert fields[-1].startswith("fd ") and fields[-1].endswith("✓"), fields
        assert math.isclose(float(fields[-1].split()[1]), expected, rel_tol=1e-5)
        assert fill == drawing.AGREES_FILL
    assert len(records) == 4


def test_a_wrong_grad_is_shown_as_disagreeing():
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    y.backward()
    x.grad = 5.0  # the truth is 6
    fields, fill = _records(draw_dot(y, check=True))["x"]
    assert fields[-1] == "fd 6 ✗" and fill == drawing.DISAGREES_FILL


def test_relu_at_its_kink_is_undecidable_not_wrong():
    at_kink, away = Value(0.0, label="k"), Value(1.5, label="p")
    y = at_kink.relu() + away.relu()
    y.label = "y"
    y.backward()
    records = _records(draw_dot(y, check=True))
    assert records["k"] == (
        ["data 0", "grad 0", "fd ? (kink: undecidable)"],
        drawing.UNDECIDABLE_FILL,
    )
    assert records["p"][1] == drawing.AGREES_FILL


def test_each_node_is_perturbed_alone_and_nothing_is_changed():
    a = Value(0.5, label="a")
    b = a.exp()
    root = b * b + a  # b reused: perturbing b changes both uses, a only through b and the sum
    root.backward()
    order = topological_order(root)
    before = [(n.data, n.grad) for n in order]
    checks = check_nodes(order)
    assert [(n.data, n.grad) for n in order] == before
    assert math.isclose(checks[b].numeric, 2 * math.exp(0.5), rel_tol=1e-6)
    assert math.isclose(checks[a].numeric, 2 * math.exp(1.0) + 1, rel_tol=1e-6)
    assert all(c.agreement is Agreement.AGREES for c in checks.values())


def test_a_step_out_of_the_domain_is_undecidable():
    x = Value(0.0, label="x")
    y = (x + 1e-9).log()  # x − step is below −1e-9: log has no value there
    y.backward()
    assert _records(draw_dot(y, check=True))["x"][1] == drawing.UNDECIDABLE_FILL


def test_a_jump_in_the_second_derivative_is_undecidable_not_wrong():
    # x.relu() * x at 0 has grad 0 (torch agrees) but was painted red
    for make in (lambda x: x.relu() * x, lambda x: x * abs(x), lambda x: (x.relu() * x).exp()):
        x = Value(0.0, label="x")
        y = make(x)
        y.backward()
        assert x.grad == 0.0
        fields, fill = _records(draw_dot(y, check=True))["x"]
        assert fill == drawing.UNDECIDABLE_FILL and fields[-1].endswith("? (kink: undecidable)")


def _random_expression(rng):
    """A random graph whose leaves sit on kinks (0, equal values) as often as not."""
    pool = [Value(rng.choice([0.0, 0.0, 1.0, -1.0, 0.5, rng.uniform(-2, 2)])) for _ in range(3)]
    unary = [Value.relu, abs, Value.tanh, Value.sigmoid, Value.softplus, lambda v: v * v]
    binary = [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a * b,
        lambda a, b: a.relu() * b,
        lambda a, b: abs(a - b),
        lambda a, b: a / (1 + b * b),
    ]
    for _ in range(rng.randint(2, 8)):
        if rng.random() < 0.5:
            pool.append(rng.choice(unary)(rng.choice(pool)))
        else:
            pool.append(rng.choice(binary)(rng.choice(pool), rng.choice(pool)))
    return pool[-1]


def test_no_correct_grad_is_painted_red_and_every_wrong_one_is():
    # random graphs at kinks, their grads from backward() (right by
    # the fuzz tests against torch), then one grad made wrong by a visible amount
    rng = random.Random(16)
    wrong_caught = 0
    for _ in range(300):
        root = _random_expression(rng)
        root.backward()
        order = topological_order(root)
        checks = check_nodes(order)
        assert all(c.agreement is not Agreement.DISAGREES for c in checks.values())
        decided = [n for n in order[:-1] if checks[n].agreement is Agreement.AGREES]
        if decided:
            node = rng.choice(decided)
            node.grad += 0.01 * max(1.0, abs(node.grad))
            assert check_nodes(order)[node].agreement is Agreement.DISAGREES
            wrong_caught += 1
    assert wrong_caught > 200


def test_check_before_backward_says_so_instead_of_painting_every_node_red():
    # every node was red (every grad 0), with no hint why
    x = Value(2.0, label="x")
    y = x * x
    assert "grad 0" in draw_dot(y).source  # drawing without the check needs no backward()
    with pytest.raises(ValueError, match=r"backward\(\) has not run"):
        draw_dot(y, check=True)
    y.backward()
    y.backward()  # grads add up: x.grad is 8, twice ∂y/∂x
    with pytest.raises(ValueError, match=r"root.grad is 2.0, not 1: .*root.zero_grad\(\)"):
        draw_dot(y, check=True)
    y.zero_grad()
    y.backward()
    assert _records(draw_dot(y, check=True))["x"][1] == drawing.AGREES_FILL
