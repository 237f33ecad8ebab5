"""draw_dot(check=True): central differences on every node, interior ones included."""

import math
import re

from engine import Value
from engine.autodiff import topological_order
from viz import draw_dot, style
from viz.finite_differences import Agreement, check_nodes


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
        assert fill == style.AGREES_FILL
    assert len(records) == 4


def test_a_wrong_grad_is_shown_as_disagreeing():
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    y.backward()
    x.grad = 5.0  # the truth is 6
    fields, fill = _records(draw_dot(y, check=True))["x"]
    assert fields[-1] == "fd 6 ✗" and fill == style.DISAGREES_FILL


def test_relu_at_its_kink_is_undecidable_not_wrong():
    at_kink, away = Value(0.0, label="k"), Value(1.5, label="p")
    y = at_kink.relu() + away.relu()
    y.label = "y"
    y.backward()
    records = _records(draw_dot(y, check=True))
    assert records["k"] == (
        ["data 0", "grad 0", "fd ? (kink: undecidable)"],
        style.UNDECIDABLE_FILL,
    )
    assert records["p"][1] == style.AGREES_FILL


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
    assert _records(draw_dot(y, check=True))["x"][1] == style.UNDECIDABLE_FILL
