"""Derivatives of derivatives: closed forms to 4th order, gradgradcheck on random
graphs, Jacobians both ways, Hessians, Hessian-vector products and forward mode."""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sweeps import examples

import engine
import nn
from engine import Value, gradgradcheck, weighted_sum


def derivatives(build, x: float, order: int = 4) -> list[float]:
    """[f'(x), f''(x), …] by differentiating the recorded gradient again and again."""
    leaf = Value(x)
    d = build(leaf)
    out = []
    for k in range(order):
        (d,) = engine.grad(d, [leaf], create_graph=k < order - 1, allow_unused=True)
        out.append(d.data)
    return out


def _sigmoid(x):
    return 1 / (1 + math.exp(-x))


# name: (build, closed forms of the 1st..4th derivatives, domain of x)
CLOSED_FORMS = {
    "tanh": (
        lambda v: v.tanh(),
        lambda t=None, x=0.0: (
            lambda t: [
                1 - t * t,
                -2 * t * (1 - t * t),
                (6 * t * t - 2) * (1 - t * t),
                8 * t * (1 - t * t) * (2 - 3 * t * t),
            ]
        )(math.tanh(x)),
        (-3.0, 3.0),
    ),
    "sigmoid": (
        lambda v: v.sigmoid(),
        lambda t=None, x=0.0: (
            lambda s: [
                s * (1 - s),
                s * (1 - s) * (1 - 2 * s),
                s * (1 - s) * (1 - 6 * s + 6 * s * s),
                s * (1 - s) * (1 - 2 * s) * (1 - 12 * s + 12 * s * s),
            ]
        )(_sigmoid(x)),
        (-4.0, 4.0),
    ),
    "exp": (lambda v: v.exp(), lambda t=None, x=0.0: [math.exp(x)] * 4, (-3.0, 3.0)),
    "log": (
        lambda v: v.log(),
        lambda t=None, x=0.0: [1 / x, -1 / x**2, 2 / x**3, -6 / x**4],
        (0.2, 4.0),
    ),
    "**3": (
        lambda v: v**3,
        lambda t=None, x=0.0: [3 * x * x, 6 * x, 6.0, 0.0],
        (-3.0, 3.0),
    ),
    "**-1": (
        lambda v: v**-1,
        lambda t=None, x=0.0: [-1 / x**2, 2 / x**3, -6 / x**4, 24 / x**5],
        (0.3, 3.0),
    ),
    "**0.5": (
        lambda v: v**0.5,
        lambda t=None, x=0.0: [0.5 * x**-0.5, -0.25 * x**-1.5, 0.375 * x**-2.5, -0.9375 * x**-3.5],
        (0.3, 3.0),
    ),
    "x ** x (Value power)": (
        lambda v: v**v,
        lambda t=None, x=0.0: (
            lambda f, l: [
                f * (l + 1),
                f * ((l + 1) ** 2 + 1 / x),
                f * ((l + 1) ** 3 + 3 * (l + 1) / x - 1 / x**2),
                f
                * ((l + 1) ** 4 + 6 * (l + 1) ** 2 / x - 4 * (l + 1) / x**2 + 3 / x**2 + 2 / x**3),
            ]
        )(x**x, math.log(x)),
        (0.3, 2.0),
    ),
    "1 / x (division)": (
        lambda v: 1 / v,
        lambda t=None, x=0.0: [-1 / x**2, 2 / x**3, -6 / x**4, 24 / x**5],
        (0.3, 3.0),
    ),
    "x * x * x (product)": (
        lambda v: v * v * v,
        lambda t=None, x=0.0: [3 * x * x, 6 * x, 6.0, 0.0],
        (-3.0, 3.0),
    ),
    "relu": (
        lambda v: v.relu(),
        lambda t=None, x=0.0: [1.0 if x > 0 else 0.0, 0.0, 0.0, 0.0],
        (-3.0, 3.0),
    ),
    "abs": (
        lambda v: abs(v),
        lambda t=None, x=0.0: [math.copysign(1.0, x), 0.0, 0.0, 0.0],
        (-3.0, 3.0),
    ),
    "weighted_sum(x, x², x)": (
        lambda v: weighted_sum([v, v * v], [v, v], v),
        lambda t=None, x=0.0: [2 * x + 3 * x * x + 1, 2 + 6 * x, 6.0, 0.0],
        (-3.0, 3.0),
    ),
}


@pytest.mark.parametrize("name", sorted(CLOSED_FORMS))
@given(u=st.floats(0.0, 1.0))
@settings(max_examples=examples(30), deadline=None)
def test_derivatives_to_fourth_order_match_closed_forms(name, u):
    build, closed, (lo, hi) = CLOSED_FORMS[name]
    x = lo + (hi - lo) * u
    assume(abs(x) > 1e-3)  # away from the kinks of relu and abs
    assert derivatives(build, x) == pytest.approx(closed(x=x), rel=1e-9, abs=1e-12)


def test_fourth_derivative_of_the_users_primitive():
    from user_primitive import GAUSS

    # g = e^(−x²/2), g' = −x·g, then (x² − 1)·g, (3x − x³)·g and (x⁴ − 6x² + 3)·g
    x = 0.7
    g = math.exp(-0.5 * x * x)
    expected = [-x * g, (x * x - 1) * g, (3 * x - x**3) * g, (x**4 - 6 * x * x + 3) * g]
    assert derivatives(GAUSS, x) == pytest.approx(expected, rel=1e-9)


def test_fourth_derivative_of_softplus_and_of_logsumexp():
    s = _sigmoid(0.7)
    expected = [s, s * (1 - s), s * (1 - s) * (1 - 2 * s), s * (1 - s) * (1 - 6 * s + 6 * s * s)]
    assert derivatives(lambda v: v.softplus(), 0.7) == pytest.approx(expected, rel=1e-9)
    # logsumexp(x, 0) is softplus(x)
    lse = derivatives(lambda v: engine.logsumexp([v, Value(0.0)]), 0.7)
    assert lse == pytest.approx(expected, rel=1e-9)


# --- gradgradcheck over random expression trees with reuse and diamonds -------------------

SMOOTH_UNARY = [
    lambda a: a.tanh(),
    lambda a: a.sigmoid(),
    lambda a: (a * 0.5).exp(),
    lambda a: (1 + a * a).log(),
    lambda a: -a,
    lambda a: a**2,
    lambda a: (a * a + 1) ** -1,
]
SMOOTH_BINARY = [
    lambda a, b: a + b,
    lambda a, b: a - b,
    lambda a, b: a * b,
    lambda a, b: a / (1 + b * b),
    lambda a, b: weighted_sum([a, b], [b, a], a),
    lambda a, b: (1 + a * a) ** (b.tanh()),
]


@st.composite
def expressions(draw):
    steps = draw(
        st.lists(
            st.tuples(st.booleans(), st.integers(0, 100), st.integers(0, 100), st.integers(0, 100)),
            min_size=1,
            max_size=8,
        )
    )

    def f(*leaves):
        nodes = list(leaves)
        for binary, k, i, j in steps:  # picks among earlier nodes: reuse and diamonds
            a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
            op = (
                SMOOTH_BINARY[k % len(SMOOTH_BINARY)]
                if binary
                else SMOOTH_UNARY[k % len(SMOOTH_UNARY)]
            )
            nodes.append(op(a, b) if binary else op(a))
        return nodes[-1] + nodes[-2] * nodes[0]

    point = draw(st.lists(st.floats(-1.5, 1.5), min_size=2, max_size=3))
    return f, point


@given(expressions())
@settings(max_examples=examples(40), deadline=None)
def test_gradgradcheck_on_random_graphs(expr):
    f, point = expr
    assert gradgradcheck(f, point, atol=1e-4, rtol=1e-3)


def test_gradgradcheck_names_the_input_pair_of_a_wrong_second_derivative():
    # x³ whose derivative rule is right on floats but, run on Values, records 3·(−0.5)·x:
    # first derivatives agree at b = −0.5, the second derivative through b is half of 6b
    cube = engine.Primitive(
        "cube",
        lambda x: x**3,
        lambda ops, xs, out: (3.0 * xs[0] ** 2 if ops is engine.ops.FLOATS else -1.5 * xs[0],),
    )
    assert engine.gradcheck(lambda a, b: a * cube(b), [0.3, -0.5])
    with pytest.raises(engine.GradcheckError, match=r"inputs \(1, 1\) \(= -0\.5, -0\.5\)"):
        gradgradcheck(lambda a, b: a * cube(b), [0.3, -0.5])
    assert gradgradcheck(lambda a, b: a * cube(b), [0.3, -0.5], raise_exception=False) is False


# --- Jacobians, Hessians, hvp, jvp ---------------------------------------------------------


def f2(a, b):
    return (a * b).sigmoid() + a**3


def test_readme_example():
    x = Value(0.5, label="x")
    y = x.tanh() * x
    (dy,) = engine.grad(y, [x], create_graph=True)
    (d2y,) = engine.grad(dy, [x], create_graph=True)
    (d3y,) = engine.grad(d2y, [x])
    t = math.tanh(0.5)
    s = 1 - t * t
    assert dy.data == pytest.approx(t + 0.5 * s, rel=1e-14)
    assert d2y.data == pytest.approx(2 * s - 2 * 0.5 * t * s, rel=1e-14)
    # d³/dx³ [x tanh x] = 3 tanh'' + x tanh'''
    assert d3y.data == pytest.approx(3 * (-2 * t * s) + 0.5 * (6 * t * t - 2) * s, rel=1e-12)


def test_hessian_matches_closed_form_and_is_symmetric():
    a, b = 0.3, -1.2
    s = _sigmoid(a * b)
    s1, s2 = s * (1 - s), s * (1 - s) * (1 - 2 * s)
    expected = np.array([[s2 * b * b + 6 * a, s2 * a * b + s1], [s2 * a * b + s1, s2 * a * a]])
    h = engine.hessian(f2, [a, b])
    assert h.shape == (2, 2)
    np.testing.assert_allclose(h, expected, rtol=1e-12)
    assert h[0, 1] == pytest.approx(h[1, 0], rel=1e-15)


@given(
    st.lists(st.floats(-2, 2), min_size=3, max_size=3),
    st.lists(st.floats(-2, 2), min_size=3, max_size=3),
)
@settings(max_examples=examples(30), deadline=None)
def test_hvp_is_hessian_times_v(point, v):
    def f(a, b, c):
        return (a * b + c).tanh() * (b - c).sigmoid() + a * a * c

    np.testing.assert_allclose(
        engine.hvp(f, point, v), engine.hessian(f, point) @ np.array(v), rtol=1e-10, atol=1e-12
    )


def g3(a, b, c):
    return [a * b, a.exp() - b, (b * c).tanh(), c / (1 + a * a)]


@given(
    st.lists(st.floats(-2, 2), min_size=3, max_size=3),
    st.lists(st.floats(-2, 2), min_size=3, max_size=3),
)
@settings(max_examples=examples(30), deadline=None)
def test_jacobian_forward_equals_reverse_and_jvp_is_jacobian_times_t(point, t):
    reverse = engine.jacobian(g3, point)
    forward = engine.jacobian(g3, point, mode="forward")
    assert reverse.shape == forward.shape == (4, 3)
    np.testing.assert_allclose(forward, reverse, rtol=1e-13, atol=1e-15)
    values, derivs = engine.jvp(g3, point, tangents=t)
    np.testing.assert_allclose(derivs, reverse @ np.array(t), rtol=1e-12, atol=1e-12)
    assert values == [v.data for v in g3(*map(Value, point))]


def test_jacobian_of_the_issue_example():
    j = engine.jacobian(lambda a, b: [a * b, a.exp() - b], [0.3, -1.2])
    np.testing.assert_allclose(j, [[-1.2, 0.3], [math.exp(0.3), -1.0]], rtol=1e-15)


def test_jvp_of_a_single_value_returns_floats():
    value, deriv = engine.jvp(f2, [0.3, -1.2], tangents=[1.0, 0.0])
    assert value == f2(Value(0.3), Value(-1.2)).data
    assert deriv == pytest.approx(engine.jacobian(f2, [0.3, -1.2])[0, 0], rel=1e-14)


# --- engine.grad's semantics and errors ---------------------------------------------------


def test_grad_changes_no_grad_and_returns_leaves_without_create_graph():
    x, w = Value(0.4), Value(-1.5)
    y = (x * w).tanh() * x
    grads = engine.grad(y, [x, w])
    assert all(g.parents == () for g in grads)
    assert all(n.grad == 0.0 for n in engine.autodiff.topological_order(y))
    y.backward()
    assert [g.data for g in grads] == [x.grad, w.grad]


def test_grad_of_several_outputs_weights_them_by_grad_outputs():
    x = Value(0.7)
    (g,) = engine.grad([x * x, x.exp()], [x], grad_outputs=[2.0, -1.0])
    assert g.data == pytest.approx(2 * 2 * 0.7 - math.exp(0.7), rel=1e-15)


def test_unused_input_is_refused_by_position_unless_allowed():
    x, z = Value(1.0), Value(2.0)
    with pytest.raises(ValueError, match=r"inputs\[1\] .* is not part of the outputs' graph"):
        engine.grad(x * 3, [x, z])
    assert [g.data for g in engine.grad(x * 3, [x, z], allow_unused=True)] == [3.0, 0.0]


def test_grad_errors_name_the_argument():
    x = Value(1.0)
    with pytest.raises(TypeError, match=r"grad: outputs must be a Value"):
        engine.grad(3.0, [x])
    with pytest.raises(TypeError, match=r"grad: inputs\[0\] must be a Value, got float"):
        engine.grad(x * 2, [1.0])
    with pytest.raises(
        ValueError, match=r"grad_outputs must have 2 values \(one per output\), got 1"
    ):
        engine.grad([x * 2, x * 3], [x], grad_outputs=[1.0])
    with pytest.raises(ValueError, match=r"hvp: v\[1\] must be finite"):
        engine.hvp(f2, [0.3, 1.0], v=[1.0, math.nan])
    with pytest.raises(ValueError, match=r"jvp: tangents\[0\] must be finite"):
        engine.jvp(f2, [0.3, 1.0], tangents=[math.inf, 0.0])
    with pytest.raises(
        ValueError, match=r"jvp: tangents must have 2 values \(one per input\), got 1"
    ):
        engine.jvp(f2, [0.3, 1.0], tangents=[1.0])
    with pytest.raises(ValueError, match="jacobian: mode must be one of 'reverse', 'forward'"):
        engine.jacobian(f2, [0.3, 1.0], mode="sideways")


def test_third_order_derivative_of_a_nets_cost_matches_differences_of_second_order():
    net = nn.MLP(2, [3, 1], activation="sigmoid", seed=3)
    w = net.parameters()[0]
    x, y = [0.5, -1.0], 1.0

    def second(at: float) -> float:
        saved = w.data
        w.data = at
        cost = (net(x)[0] - y) ** 2 * 0.5
        (d1,) = engine.grad(cost, [w], create_graph=True)
        (d2,) = engine.grad(d1, [w])
        w.data = saved
        return d2.data

    cost = (net(x)[0] - y) ** 2 * 0.5
    (d1,) = engine.grad(cost, [w], create_graph=True)
    (d2,) = engine.grad(d1, [w], create_graph=True)
    (d3,) = engine.grad(d2, [w])
    eps = 1e-5
    numeric = (second(w.data + eps) - second(w.data - eps)) / (2 * eps)
    assert d3.data == pytest.approx(numeric, rel=1e-6, abs=1e-9)
    assert d2.data == pytest.approx(second(w.data), rel=1e-15)


# --- recording derivatives at the edges, and in any grad mode --------------------------------


def test_whole_function_derivatives_record_even_inside_no_grad():
    with engine.no_grad():
        h = engine.hessian(f2, [0.3, -1.2])
        j = engine.jacobian(g3, [0.3, -1.2, 0.8])
        assert gradgradcheck(f2, [0.3, -1.2]) and engine.gradcheck(f2, [0.3, -1.2])
        # right first derivative, wrong recorded second: all zeros would have passed
        cube = engine.Primitive(
            "cube",
            lambda x: x**3,
            lambda ops, xs, out: (3.0 * xs[0] ** 2 if ops is engine.ops.FLOATS else 2.1 * xs[0],),
        )
        assert not gradgradcheck(lambda a: cube(a), [0.7], raise_exception=False)
    np.testing.assert_allclose(h, engine.hessian(f2, [0.3, -1.2]), rtol=0)
    np.testing.assert_allclose(j, engine.jacobian(g3, [0.3, -1.2, 0.8]), rtol=0)


def test_inputs_may_be_a_numpy_array():
    point = np.array([0.3, -1.2])
    np.testing.assert_allclose(engine.hessian(f2, point), engine.hessian(f2, [0.3, -1.2]), rtol=0)
    assert engine.gradcheck(f2, point)


def test_zero_bases_record_derivatives_as_pytorch_takes_them():
    a, b = Value(0.0), Value(0.0)
    da, db = engine.grad(a**b, [a, b], create_graph=True)
    assert (da.data, db.data) == (0.0, 0.0)
    y = Value(2.0)
    (dy,) = engine.grad(0**y, [y], create_graph=True)
    assert dy.data == 0.0


def test_a_derivative_that_cannot_be_recorded_says_where():
    x = Value(-1.0)
    assert engine.grad(x.relu() ** 0.5, [x])[0].data == 0.0  # first order: masked
    with pytest.raises(ValueError, match=r"derivative of \*\*0\.5 at \(0\.0\) cannot be recorded"):
        engine.grad(x.relu() ** 0.5, [x], create_graph=True)


def test_create_graph_results_are_new_nodes_never_the_callers():
    x, y = Value(2.0, label="x"), Value(5.0, label="y")
    (d,) = engine.grad(x * y, [x], create_graph=True)
    assert d is not y and d.data == 5.0 and d.parents == (y,)
    (d2,) = engine.grad(d, [y])
    assert d2.data == 1.0
    g = Value(3.0)
    (e,) = engine.grad(x + y, [x], grad_outputs=g, create_graph=True)
    assert e is not g and e.data == 3.0


def test_grad_flags_must_be_bools():
    x = Value(1.0)
    with pytest.raises(TypeError, match="grad: create_graph must be True or False, got int: 1"):
        engine.grad(x * 2, [x], create_graph=1)
    with pytest.raises(TypeError, match="grad: allow_unused must be True or False"):
        engine.grad(x * 2, [x], allow_unused="no")


def test_gradcheck_names_a_point_where_f_cannot_be_evaluated():
    with pytest.raises(
        engine.GradcheckError, match=r"input 0 − eps = -9e-07 for central differences: log"
    ):
        engine.gradcheck(lambda a: a.log(), [1e-7])
    assert engine.gradcheck(lambda a: a.log(), [1e-7], raise_exception=False) is False


@pytest.mark.parametrize(
    "f, point",
    [
        (lambda x: x.log() * 1e-10, [1e-310]),  # ∂/∂x = 1e-10 / x: finite, though 1/x is inf
        (lambda a, b: (a / b) * 1e-10, [1e-300, 1e-310]),  # ∂/∂a = 1e-10 / b, as for log
        (lambda a, b: (a / b).log() * 1e-10, [3e-310, 7e-310]),
    ],
)
def test_grad_and_reverse_jacobian_are_backwards_numbers_at_subnormals(f, point):
    leaves = [Value(x) for x in point]
    out = f(*leaves)
    out.backward()
    want = [x.grad for x in leaves]
    assert [g.data for g in engine.grad(out, leaves)] == want  # bit for bit, infs included
    assert list(engine.jacobian(f, point, mode="reverse")[0]) == want
    assert math.isfinite(want[0])  # 1e-10 / x where x is subnormal: large, but not inf


def test_grad_outputs_may_be_a_numpy_vector():
    x = Value(3.0)
    outs = [x * x, x.exp()]
    (g,) = engine.grad(outs, [x], grad_outputs=np.array([1.0, 2.0]))
    (want,) = engine.grad(outs, [x], grad_outputs=[1.0, 2.0])
    assert g.data == want.data == 6.0 + 2.0 * math.exp(3.0)
    (g,) = engine.grad(outs, [x], grad_outputs=np.float64(0.5))  # one number for every output
    assert g.data == 0.5 * 6.0 + 0.5 * math.exp(3.0)
    with pytest.raises(
        ValueError, match=r"grad_outputs must have 2 values \(one per output\), got 3"
    ):
        engine.grad(outs, [x], grad_outputs=np.ones(3))
    with pytest.raises(ValueError, match=r"grad_outputs must be a 1-D sequence.*\(2, 1\)"):
        engine.grad(outs, [x], grad_outputs=np.ones((2, 1)))
    with pytest.raises(TypeError, match=r"grad_outputs\[0\] must be a real number"):
        engine.grad(outs, [x], grad_outputs=np.array([True, False]))


@pytest.mark.parametrize(
    "rule",
    [
        lambda ops, xs, out: (3.0 * math.pow(xs[0], 2),),  # math.pow reads float()
        lambda ops, xs, out: (3.0 * float(xs[0]) * xs[0],),
        lambda ops, xs, out: (3.0 * math.exp(2.0 * math.log(xs[0])),),
        lambda ops, xs, out: (3.0 * round(xs[0], 12) ** 2,),
    ],
)
def test_a_rule_that_makes_a_number_of_a_value_is_refused_by_name_at_higher_order(rule):
    # Run on Values, such a rule records 3x² as a constant: every second derivative would
    # silently be 0 (the Hessian of x³ at 0.7 is 4.2). First order (floats) is unaffected.
    cube = engine.Primitive("cube_by_math", lambda x: math.pow(x, 3), rule)
    x = Value(0.7)
    assert engine.jacobian(lambda x: cube(x), [0.7])[0, 0] == pytest.approx(3 * 0.49)
    for higher_order in (
        lambda: engine.hessian(lambda x: cube(x), [0.7]),
        lambda: engine.hvp(lambda x: cube(x), [0.7], [1.0]),
        lambda: engine.grad(cube(x), [x], create_graph=True),
        lambda: gradgradcheck(lambda x: cube(x), [0.7]),
    ):
        with pytest.raises(TypeError, match="derivative rule of 'cube_by_math' turns a Value into"):
            higher_order()


def test_a_rule_that_runs_only_on_floats_is_named_at_higher_order():
    wave = engine.Primitive("wave", math.sin, lambda ops, xs, out: (np.cos(xs[0]),))
    with pytest.raises(TypeError, match="derivative rule of 'wave' does not run on Values"):
        engine.hessian(lambda x: wave(x), [0.7])


def test_a_rule_branching_on_a_sign_still_records_its_branch():
    # A comparison is not a lost number: a piecewise rule is right to any order away from 0
    square_ish = engine.Primitive(
        "square_ish",
        lambda x: x * x if x > 0 else -x * x,
        lambda ops, xs, out: (2.0 * xs[0] if xs[0] > 0 else -2.0 * xs[0],),
    )
    assert engine.hessian(lambda x: square_ish(x), [0.7])[0, 0] == 2.0
    assert engine.hessian(lambda x: square_ish(x), [-0.7])[0, 0] == -2.0


def test_hessian_of_a_negative_base_power_is_nan_as_its_first_derivative_and_torchs():
    # ∂((−2)**a)/∂a = (−2)**a · ln(−2) has no real number: first order gives nan, and so do
    # the entries of the Hessian that go through it; the others are numbers (PyTorch's)
    assert math.isnan(engine.jacobian(lambda a: (-2) ** a, [2.0])[0, 0])
    H = engine.hessian(lambda a: (-2) ** a, [2.0])
    assert H.shape == (1, 1) and math.isnan(H[0, 0])
    H = engine.hessian(lambda a, b: (-2) ** a + b * b * b, [2.0, 1.0])
    np.testing.assert_array_equal(H, [[math.nan, 0.0], [0.0, 6.0]])  # torch's hessian
    np.testing.assert_array_equal(
        engine.hvp(lambda a, b: (-2) ** a + b * b * b, [2.0, 1.0], [1.0, 1.0]), [math.nan, 6.0]
    )
    # v's 0 masks the nan, as a zero local derivative masks an infinite grad in backward()
    np.testing.assert_array_equal(
        engine.hvp(lambda a, b: (-2) ** a + b * b * b, [2.0, 1.0], [0.0, 1.0]), [0.0, 6.0]
    )
    (a,) = [Value(2.0)]
    (d,) = engine.grad((-2) ** a, [a], create_graph=True)
    assert math.isnan(d.data)  # a leaf with no number, as create_graph=False gives


@pytest.mark.parametrize("who", ["hessian", "hvp", "gradcheck", "gradgradcheck"])
def test_a_scalar_function_returning_a_list_is_told_what_it_returned(who):
    call = {
        "hessian": lambda f: engine.hessian(f, [1.0]),
        "hvp": lambda f: engine.hvp(f, [1.0], [1.0]),
        "gradcheck": lambda f: engine.gradcheck(f, [1.0]),
        "gradgradcheck": lambda f: gradgradcheck(f, [1.0]),
    }[who]
    with pytest.raises(
        TypeError, match=rf"{who}: f must return one Value .*got a list of 1 Value;"
    ):
        call(lambda x: [x * x])


def test_logsumexp_takes_a_numpy_vector_as_it_takes_a_list():
    got = engine.logsumexp(np.array([1.0, 2.0, 3.0]))
    assert (
        got.data
        == engine.logsumexp([1.0, 2.0, 3.0]).data
        == pytest.approx(math.log(math.exp(1) + math.exp(2) + math.exp(3)))
    )


def test_forward_mode_takes_an_infinite_local_derivative_as_backward_does():
    # ∂ log x/∂x = 1/x overflows at a subnormal x, but t / x need not: forward mode divides
    # there as backward() does (its intermediate tangent is the number, not 1/x times it)
    x = Value(1e-310)
    (want,) = engine.grad(x.log(), [x], grad_outputs=1e-10)
    assert engine.jvp(lambda x: x.log(), [1e-310], [1e-10])[1] == want.data == 1e-10 / 1e-310
    a, b = Value(1e-300), Value(1e-310)
    (want,) = engine.grad(a / b, [a], grad_outputs=1e-10)
    assert engine.jvp(lambda a, b: a / b, [1e-300, 1e-310], [1e-10, 0.0])[1] == want.data


def test_forward_mode_runs_a_nodes_step_once_per_tangent_where_its_derivatives_are_infinite(
    monkeypatch,
):
    from engine import functional

    runs = []
    amounts = functional.backward_amounts
    monkeypatch.setattr(
        functional, "backward_amounts", lambda node, g: runs.append(g) or amounts(node, g)
    )
    # a / b at a subnormal b: both local derivatives (1/b, −out/b) are infinite
    a, b = Value(1e-320), Value(5e-324)
    out = a / b
    out.backward(1e-300)
    _, tangent = engine.jvp(lambda a, b: a / b, [1e-320, 5e-324], [1e-300, 1e-300])
    assert runs == [1e-300]  # one run for both positions, not one per position
    assert tangent == a.grad + b.grad and math.isfinite(tangent)


def test_grad_twins_only_the_nodes_that_need_an_adjoint(monkeypatch):
    from engine import autodiff

    twinned = []
    twin_graph = autodiff.twin_graph
    monkeypatch.setattr(
        autodiff,
        "twin_graph",
        lambda order, rule_of: twinned.extend(order) or twin_graph(order, rule_of),
    )
    x, c = Value(2.0), Value(0.5)
    constant = c
    for _ in range(100):  # a long branch that does not depend on x
        constant = (constant * c).tanh()
    y = x * x
    out = y * constant
    (g,) = engine.grad(out, [x])
    out.backward()
    assert g.data == x.grad  # bit for bit
    assert twinned == [x, y, out]


def test_numpy_vectors_are_taken_wherever_a_list_of_numbers_is():
    # The siblings of grad_outputs: every argument that is a list of
    # numbers takes a numpy vector and gives the list's numbers
    f = lambda a, b: a * b.exp()  # noqa: E731
    v, w = [0.3, -1.2], [1.0, 0.5]
    V, W = np.array(v), np.array(w)
    assert engine.jvp(f, V, W) == engine.jvp(f, v, w)
    np.testing.assert_array_equal(engine.hvp(f, V, W), engine.hvp(f, v, w))
    np.testing.assert_array_equal(engine.hessian(f, V), engine.hessian(f, v))
    np.testing.assert_array_equal(engine.jacobian(f, V), engine.jacobian(f, v))
    assert engine.gradcheck(f, V) and gradgradcheck(f, V)
    x = Value(0.5)
    assert engine.weighted_sum(V, [x, x], np.float64(1.0)).data == weighted_sum(v, [x, x], 1.0).data
    assert engine.logsumexp(V).data == engine.logsumexp(v).data
    (g,) = engine.grad([x * x, x.exp()], [x], grad_outputs=W)
    assert g.data == engine.grad([x * x, x.exp()], [x], grad_outputs=w)[0].data
    c = engine.compile(lambda x: f(*x), (V,), [])
    np.testing.assert_allclose(c(np.array([v])), [f(*map(Value, v)).data], rtol=1e-15)
