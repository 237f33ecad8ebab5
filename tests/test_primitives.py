"""Every primitive: value and local derivatives against hand-derived formulas and central differences.

The tests at the end are generated from ``engine.PRIMITIVES`` (a user's registered primitive
included, see ``user_primitive.py``) and constant powers: every entry goes through gradcheck,
and its float derivative agrees with its generic rule run on floats and on Values.
"""

import inspect
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sweeps import examples
from user_primitive import GAUSS

import engine
from engine import PRIMITIVES, Primitive, Value, gradcheck, ops, power, weighted_sum

reals = st.floats(-5.0, 5.0, allow_nan=False)
positives = st.floats(0.05, 5.0)


def test_table_lists_every_primitive():
    assert set(PRIMITIVES) >= {
        "+",
        "-",
        "*",
        "/",
        "neg",
        "**",
        "exp",
        "log",
        "tanh",
        "sigmoid",
        "relu",
        "step",
        "abs",
        "weighted_sum",
        "softplus",
        "logsumexp",
        "clone",
        "gauss",
    }
    assert all(name == p.name for name, p in PRIMITIVES.items())


# (build the node from Values, hand-derived value, hand-derived ∂out/∂parent per parent)
UNARY = {
    "neg": (lambda x: -x, lambda x: -x, lambda x: (-1.0,)),
    "exp": (lambda x: x.exp(), math.exp, lambda x: (math.exp(x),)),
    "tanh": (lambda x: x.tanh(), math.tanh, lambda x: (1.0 / math.cosh(x) ** 2,)),
    "sigmoid": (
        lambda x: x.sigmoid(),
        lambda x: 1 / (1 + math.exp(-x)),
        lambda x: (math.exp(-x) / (1 + math.exp(-x)) ** 2,),
    ),
}
BINARY = {
    "+": (lambda x, y: x + y, lambda x, y: x + y, lambda x, y: (1.0, 1.0)),
    "-": (lambda x, y: x - y, lambda x, y: x - y, lambda x, y: (1.0, -1.0)),
    "*": (lambda x, y: x * y, lambda x, y: x * y, lambda x, y: (y, x)),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@given(x=reals)
def test_unary_value_and_derivative(name, x):
    build, value, derivative = UNARY[name]
    out = build(Value(x))
    assert out.op == name
    assert out.data == pytest.approx(value(x), rel=1e-12, abs=1e-300)
    assert out.local_grads == pytest.approx(derivative(x), rel=1e-9, abs=1e-12)
    assert gradcheck(build, [x])


@pytest.mark.parametrize("name", sorted(BINARY))
@given(x=reals, y=reals)
def test_binary_value_and_derivative(name, x, y):
    build, value, derivative = BINARY[name]
    out = build(Value(x), Value(y))
    assert out.op == name
    assert out.data == value(x, y)
    assert out.local_grads == derivative(x, y)
    assert gradcheck(build, [x, y])


@given(x=reals, y=reals)
def test_division(x, y):
    assume(abs(y) > 0.1)
    out = Value(x) / Value(y)
    assert out.data == x / y
    assert out.local_grads == pytest.approx((1 / y, -x / y**2), rel=1e-12)
    assert gradcheck(lambda a, b: a / b, [x, y])


@given(x=positives)
def test_log(x):
    out = Value(x).log()
    assert out.data == math.log(x)
    assert out.local_grads == pytest.approx((1 / x,), rel=1e-12)
    assert gradcheck(lambda a: a.log(), [x])


@given(x=reals)
def test_relu_away_from_the_kink(x):
    assume(abs(x) > 1e-3)
    out = Value(x).relu()
    assert out.data == max(0.0, x)
    assert out.local_grads == ((1.0,) if x > 0 else (0.0,))
    assert gradcheck(lambda a: a.relu(), [x])


def test_relu_derivative_at_zero_is_zero():
    assert Value(0.0).relu().local_grads == (0.0,)


@given(x=st.floats(-3.0, 3.0), n=st.sampled_from([-3, -2, -1, 0, 1, 2, 3, 0.5, 1.5, -0.5]))
def test_power_with_number_exponent(x, n):
    assume(abs(x) > 0.05)
    assume(x > 0 or float(n).is_integer())
    out = Value(x) ** n
    assert out.op == f"**{n:g}"
    assert out.data == pytest.approx(x**n, rel=1e-12)
    assert out.local_grads == pytest.approx((n * x ** (n - 1),), rel=1e-12)
    assert gradcheck(lambda a: a**n, [x])


@given(x=positives, y=st.floats(-3.0, 3.0))
def test_power_with_value_exponent(x, y):
    out = Value(x) ** Value(y)
    assert out.op == "**"
    assert out.data == pytest.approx(x**y, rel=1e-12)
    assert out.local_grads == pytest.approx((y * x ** (y - 1), x**y * math.log(x)), rel=1e-12)
    assert gradcheck(lambda a, b: a**b, [x, y])


def test_power_limits_at_zero_base():
    assert (Value(0.0) ** 2).local_grads == (0.0,)
    assert (Value(0.0) ** 1).local_grads == (1.0,)
    assert (Value(0.0) ** 0.5).local_grads == (math.inf,)
    assert (Value(0.0) ** Value(2.0)).local_grads == (0.0, 0.0)


@given(ws=st.lists(reals, min_size=0, max_size=6), data=st.data())
def test_weighted_sum(ws, data):
    xs = data.draw(st.lists(reals, min_size=len(ws), max_size=len(ws)))
    b = data.draw(reals)
    z = weighted_sum([Value(w) for w in ws], xs, Value(b))
    assert z.op == "weighted_sum"
    assert len(z.parents) == 2 * len(ws) + 1
    assert z.data == pytest.approx(sum(w * x for w, x in zip(ws, xs)) + b, abs=1e-12)
    # Nielsen ch. 2: ∂z/∂w_k = a_k, and ∂z/∂a_k = w_k, ∂z/∂b = 1
    assert z.local_grads == (*xs, *ws, 1.0)
    n = len(ws)
    assert gradcheck(lambda *v: weighted_sum(v[:n], v[n : 2 * n], v[-1]), [*ws, *xs, b])


def test_power_rules_are_shared_per_exponent():
    assert power(2.0) is power(2.0)
    assert (Value(3.0) ** 2).op == "**2"


# --- generated from the table ------------------------------------------------------------

ENTRIES = {**PRIMITIVES, **{p.name: p for p in map(power, (-2, -1, 0, 0.5, 1, 2, 3))}}


def _arity(rule: Primitive) -> int:
    params = inspect.signature(rule.forward).parameters.values()
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return 5  # weighted_sum: two weights, two inputs and a bias
    return len(params)


def _point(rule: Primitive, data) -> list[float]:
    """A point inside the rule's domain and away from kinks, where central differences are fair."""
    xs = data.draw(st.lists(st.floats(0.2, 2.0), min_size=_arity(rule), max_size=_arity(rule)))
    signs = data.draw(st.lists(st.booleans(), min_size=len(xs), max_size=len(xs)))
    if rule.name in ("log", "**") or rule.name.startswith("**"):
        return xs  # positive bases
    return [x if s else -x for x, s in zip(xs, signs)]


def test_the_user_primitive_is_in_the_table():
    assert PRIMITIVES["gauss"] is GAUSS
    assert GAUSS(Value(2.0)).data == math.exp(-2.0)


@pytest.mark.parametrize("name", sorted(ENTRIES))
@given(data=st.data())
@settings(max_examples=examples(25), deadline=None)
def test_every_entry_passes_gradcheck(name, data):
    rule = ENTRIES[name]
    point = _point(rule, data)
    assert gradcheck(lambda *v: rule(*v), point)


@pytest.mark.parametrize("name", sorted(ENTRIES))
@given(data=st.data())
@settings(max_examples=examples(25), deadline=None)
def test_float_derivative_agrees_with_the_rule_on_floats_and_on_values(name, data):
    rule = ENTRIES[name]
    point = _point(rule, data)
    leaves = [Value(x) for x in point]
    out = rule(*leaves)
    fast = list(rule.float_derivative(out.parents, out.data))
    on_floats = [float(d) for d in rule.derivative(ops.FLOATS, point, out.data)]
    on_values = [float(d) for d in rule.derivative(ops.VALUES, leaves, out)]
    assert fast == pytest.approx(on_floats, rel=1e-12, abs=1e-300)
    assert fast == pytest.approx(on_values, rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("name", sorted(ENTRIES))
@given(data=st.data())
@settings(max_examples=examples(25), deadline=None)
def test_array_forward_is_forward_on_each_element(name, data):
    rule = ENTRIES[name]
    points = [_point(rule, data) for _ in range(8)]  # eight examples, one per column
    columns = np.array(points).T
    on_arrays = rule.array_forward(*columns)
    assert on_arrays.shape == (8,)
    assert on_arrays.tolist() == pytest.approx([rule.forward(*p) for p in points], rel=1e-15)


def test_array_forward_has_forwards_edges():
    x = np.array([-800.0, -0.0, 0.0, 1e-300, 800.0])
    sigmoid = PRIMITIVES["sigmoid"]
    assert sigmoid.array_forward(x).tolist() == [sigmoid.forward(v) for v in x]
    assert PRIMITIVES["relu"].array_forward(x).tolist() == [0.0, 0.0, 0.0, 1e-300, 800.0]
    assert PRIMITIVES["step"].array_forward(x).tolist() == [0.0, 0.0, 0.0, 1.0, 1.0]


def test_array_sigmoid_is_the_plain_formula_bit_for_bit_where_exp_is_slow():
    # Where e^−|x| is subnormal or 0, ops.ARRAYS.sigmoid skips numpy's slow exp: same bits
    rng = np.random.default_rng(0)
    edges = [-800.0, -746.0, -745.2, -745.1, -720.0, -708.0, -700.0, -699.9, -0.0, 0.0, 5e-324]
    edges += [700.0, 708.5, 800.0, 1e308, -1e308]
    for x in [
        np.array(edges * 100),
        rng.uniform(-760.0, 760.0, (40, 300)),
        rng.normal(0.0, 600.0, (30, 256)),
        rng.normal(0.0, 3.0, (30, 256)),
    ]:
        e = np.exp(-np.abs(x))
        plain = np.where(x >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))
        assert ops.ARRAYS.sigmoid(x).tobytes() == plain.tobytes()


def _by_float_derivative(rule: Primitive, out: Value, g: float) -> list[float]:
    """The parents' grads after backward()'s generic step: local · g where local ≠ 0."""
    grads = {p: p.grad for p in out.parents}
    for parent, local in zip(out.parents, rule.float_derivative(out.parents, out.data)):
        if local:
            grads[parent] += local * g
    return [grads[p] for p in out.parents]


@pytest.mark.parametrize("name", sorted(ENTRIES))
@given(
    data=st.data(),
    g=st.sampled_from([1.0, -2.5, 3e-300, 0.3, math.inf, -math.inf]),
    start=st.sampled_from([0.0, -0.7, 1e300]),
    shared=st.booleans(),
)
@settings(max_examples=examples(25), deadline=None)
def test_float_backward_adds_exactly_what_float_derivative_gives(name, data, g, start, shared):
    rule = ENTRIES[name]
    point = _point(rule, data)
    leaves = [Value(x) for x in point]
    if shared and len(leaves) > 1:  # one Value in two places: x * x, weighted_sum([x], [x], b)
        leaves[1] = leaves[0]
    if rule.name in ("*", "weighted_sum") and data.draw(st.booleans()):
        leaves[-1 if rule.name == "*" else 1] = Value(0.0)  # a zero local, with g maybe ∞
    out = rule(*leaves)
    for leaf in leaves:
        leaf.grad = start
    want = _by_float_derivative(rule, out, g)
    rule.float_backward(out.parents, out.data, g)
    got = [p.grad for p in out.parents]
    if name in DIVIDING:  # g / x instead of (1/x) · g: the same number up to one rounding
        assert got == pytest.approx(want, rel=1e-15, nan_ok=True)
    else:
        assert list(map(repr, got)) == list(map(repr, want))  # bit for bit, nan and -0.0 included


# float_backward divides where float_derivative's reciprocal would overflow first
DIVIDING = {"log", "/"}


def test_dividing_backward_stays_finite_where_a_reciprocal_overflows():
    # nan only where the mathematics has no number: 1/x overflows for a
    # subnormal x, but g/x does not (PyTorch: 1e290)
    x = Value(1e-310)
    (x.log() * 1e-20).backward()
    assert x.grad == pytest.approx(1e-20 / 1e-310, rel=1e-12)
    a, b = Value(1e-300), Value(1e-310)
    ((a / b) * 1e-20 - (a / b) * 1e-20).backward()
    assert (a.grad, b.grad) == (0.0, 0.0)


def test_register_refuses_a_built_in_name_and_lets_a_users_name_be_registered_again():
    with pytest.raises(ValueError, match="'exp' is a built-in primitive's name"):
        engine.register(Primitive("exp", math.exp, lambda ops, xs, out: (out,)))
    first = engine.register(Primitive("bump", math.exp, lambda ops, xs, out: (out,)))
    again = engine.register(Primitive("bump", math.exp, lambda ops, xs, out: (out,)))  # a rerun
    assert PRIMITIVES["bump"] is again and again is not first
    del PRIMITIVES["bump"]


def test_the_step_of_each_built_in_rule_is_generated_from_the_rule_itself():
    from engine import float_form

    arity = {"weighted_sum": 5, "logsumexp": 3}
    for name, rule in PRIMITIVES.items():
        n = arity.get(name, 2 if name in ("+", "-", "*", "/", "**") else 1)
        text = float_form.source(rule, n)
        assert text is not None and text.startswith(f"def step_{n}(p, out, g):"), name
    # the division's locals divide g instead of multiplying by a reciprocal
    assert "p[0].grad += g / x1" in float_form.source(PRIMITIVES["/"], 2)
    # a rule that branches on its number cannot be traced: it keeps the generic step
    branching = Primitive("branching", abs, lambda o, xs, out: (1.0 if xs[0] > 0 else -1.0,))
    assert float_form.source(branching, 1) is None
    x = Value(-2.0)
    branching(x).backward(3.0)
    assert x.grad == -3.0


def _to_the(k: float):
    return lambda a: a**k


# How the Value API makes each built-in node (through the generated node makers of
# engine/value.py), with the numbers its forward rule takes.
MADE_BY_VALUES = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": lambda a, b: a**b,
    "neg": lambda a: -a,
    "exp": lambda a: a.exp(),
    "log": lambda a: a.log(),
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "softplus": lambda a: a.softplus(),
    "relu": lambda a: a.relu(),
    "abs": abs,
    "clone": lambda a: a.clone(),
    **{power(k).name: _to_the(k) for k in (-2, -1, 0.5, 2, 3)},
}
awkward = st.sampled_from([0.0, -0.0, 5e-324, -2.2e-308, 1e-200, 1e150, -1e308, 0.5, -3.0])


@pytest.mark.parametrize("name", sorted(MADE_BY_VALUES))
@given(data=st.data())
@settings(max_examples=40, deadline=None)
def test_a_node_made_by_the_value_api_holds_its_forward_rules_number_bit_for_bit(name, data):
    rule = ENTRIES[name]
    make = MADE_BY_VALUES[name]
    n = len(inspect.signature(make).parameters) if name != "abs" else 1
    xs = data.draw(st.lists(st.one_of(st.floats(-5.0, 5.0), awkward), min_size=n, max_size=n))
    try:
        expected = rule.forward(*xs)
    except (ArithmeticError, ValueError) as e:
        with pytest.raises(type(e)):
            make(*map(Value, xs))
        return
    if not math.isfinite(expected):
        with pytest.raises(OverflowError, match="result out of range"):
            make(*map(Value, xs))
        return
    out = make(*map(Value, xs))
    assert (out.op, out.data.hex()) == (rule.name, float(expected).hex())
    if n == 2:  # a number on either side makes the same node over a new leaf
        assert make(Value(xs[0]), xs[1]).data.hex() == out.data.hex()
        assert make(xs[0], Value(xs[1])).data.hex() == out.data.hex()


# 300 inputs: a sum nested deeper than Python parses, so the rule is called instead
@given(n=st.sampled_from([0, 1, 2, 3, 16, 30, 300]), data=st.data())
@settings(max_examples=40, deadline=None)
def test_a_weighted_sum_node_holds_its_forward_rules_number_bit_for_bit(n, data):
    numbers = st.one_of(st.floats(-5.0, 5.0), awkward)
    ws, xs = (data.draw(st.lists(numbers, min_size=n, max_size=n)) for _ in "wx")
    b = data.draw(numbers)
    expected = PRIMITIVES["weighted_sum"].forward(*ws, *xs, b)
    leaves = [Value(w) for w in ws], [Value(x) for x in xs], Value(b)
    if not math.isfinite(expected):
        with pytest.raises(OverflowError, match="weighted_sum: result out of range"):
            weighted_sum(*leaves)
        return
    assert weighted_sum(*leaves).data.hex() == expected.hex()


def test_the_node_makers_write_out_only_arithmetic_that_cannot_fail():
    from engine import float_form

    weighted = PRIMITIVES["weighted_sum"]
    # a weighted sum's products and sums in the rule's order: no list of numbers, no call
    assert float_form.forward_text(weighted, 5) == "(((0.0 + (x0 * x2)) + (x1 * x3)) + x4)"
    assert float_form.forward_text(PRIMITIVES["+"], 2) == "(x0 + x1)"
    # a rule that checks its numbers (0 as a divisor, a negative base) is called, not traced
    for name in ("/", "**", "log", "relu", "exp", "logsumexp"):
        assert float_form.forward_text(PRIMITIVES[name], 2 if name in "/**" else 1) is None
    with pytest.raises(ZeroDivisionError, match="division by zero"):
        Value(1.0) / Value(0.0)


def test_a_weighted_sum_adds_left_to_right_as_its_array_form_on_every_python():
    # 1e16 + 1 rounds to 1e16: left to right the sum is 0, where Python 3.12's compensated
    # sum() of floats would give 1 and the scalar engine would part from the replay
    w, x = [1e16, 1.0, -1e16], [1.0, 1.0, 1.0]
    node = weighted_sum([Value(v) for v in w], [Value(v) for v in x], Value(0.0))
    assert node.data == 0.0
    assert node.data == float(node.primitive.array_forward(*map(np.array, w + x + [0.0])))
