"""Every primitive: value and local derivatives against hand-derived formulas and central differences."""

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from engine import PRIMITIVES, Value, gradcheck, weighted_sum
from engine.primitives import power

reals = st.floats(-5.0, 5.0, allow_nan=False)
positives = st.floats(0.05, 5.0)


def test_table_lists_every_primitive():
    assert set(PRIMITIVES) == {
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
        "weighted_sum",
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
