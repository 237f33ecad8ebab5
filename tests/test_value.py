"""Value: construction, attributes, operators with numbers on either side, and error paths."""

import math
import operator
from fractions import Fraction

import numpy as np
import pytest

from engine import Value, weighted_sum


@pytest.mark.parametrize(
    "data", [3, -2.5, np.float64(1.5), np.float32(0.25), np.int64(7), Fraction(1, 4)]
)
def test_real_numbers_are_stored_as_float(data):
    v = Value(data)
    assert type(v.data) is float and v.data == float(data)


@pytest.mark.parametrize(
    "bad, name",
    [
        ("3", "str"),
        (None, "NoneType"),
        ([1.0], "list"),
        (True, "bool"),
        (1j, "complex"),
        (np.array([1.0]), "ndarray"),
        (np.array(1.0), "ndarray"),
        (np.bool_(True), "bool"),
    ],
)
def test_non_numbers_raise_type_error_naming_the_type(bad, name):
    with pytest.raises(TypeError, match=rf"Value data must be a real number.*got {name}"):
        Value(bad)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_data_raises_value_error(bad):
    with pytest.raises(ValueError, match="Value data must be finite"):
        Value(bad)


def test_label_must_be_a_string():
    with pytest.raises(TypeError, match="Value label must be a str, got int: 5"):
        Value(1.0, label=5)


def test_leaf_attributes_and_repr():
    v = Value(2.0, label="x")
    assert (v.data, v.grad, v.label, v.op, v.parents, v.local_grads) == (2.0, 0.0, "x", "", (), ())
    assert repr(v) == "Value(label='x', data=2, grad=0)"
    assert repr(Value(0.5)) == "Value(data=0.5, grad=0)"
    assert float(v) == 2.0


def test_interior_node_records_parents_in_order():
    a, b = Value(2.0), Value(5.0)
    c = a - b
    assert c.parents == (a, b) and c.op == "-" and c.local_grads == (1.0, -1.0)


@pytest.mark.parametrize(
    "expr, expected",
    [
        (lambda v: v + 2, 5.0),
        (lambda v: 2 + v, 5.0),
        (lambda v: v - 2, 1.0),
        (lambda v: 2 - v, -1.0),
        (lambda v: v * 2, 6.0),
        (lambda v: 2 * v, 6.0),
        (lambda v: v / 2, 1.5),
        (lambda v: 2 / v, 2 / 3),
        (lambda v: v**2, 9.0),
        (lambda v: 2**v, 8.0),
        (lambda v: -v, -3.0),
        (lambda v: +v, 3.0),
        (lambda v: v + np.float64(0.5), 3.5),
        (lambda v: np.int64(1) - v, -2.0),
    ],
)
def test_operators_with_numbers_on_either_side(expr, expected):
    v = Value(3.0)
    out = expr(v)
    assert isinstance(out, Value)
    assert out.data == pytest.approx(expected, rel=1e-15)


def test_reflected_operand_order_gives_right_gradient():
    v = Value(3.0)
    (2 - v).backward()
    assert v.grad == -1.0
    w = Value(4.0)
    (2 / w).backward()
    assert w.grad == -2 / 16
    u = Value(3.0)
    (2**u).backward()
    assert u.grad == pytest.approx(8 * math.log(2), rel=1e-15)


@pytest.mark.parametrize("other", ["2", None, [1], (1,), {"a": 1}, 1j, True])
@pytest.mark.parametrize(
    "op",
    [operator.add, operator.sub, operator.mul, operator.truediv, operator.pow],
    ids=["+", "-", "*", "/", "**"],
)
def test_operations_with_non_numbers_raise_python_type_error(op, other):
    v = Value(1.0)
    dunder = op.__name__  # operator.add(a, b) is a + b, through __add__ and __radd__
    assert getattr(v, f"__{dunder}__")(other) is NotImplemented
    assert getattr(v, f"__r{dunder}__")(other) is NotImplemented
    with pytest.raises(TypeError):  # Python's own message, from whichever side spoke last
        op(v, other)
    with pytest.raises(TypeError):
        op(other, v)


def test_pow_with_modulo_is_unsupported():
    with pytest.raises(TypeError):
        pow(Value(2.0), 2, 3)


# --- domain errors: each names the operation and the value -----------------------------


def test_log_of_non_positive():
    with pytest.raises(ValueError, match=r"log: argument must be positive: log\(-2\.0\)"):
        Value(-2.0).log()
    with pytest.raises(ValueError, match=r"log\(0\.0\)"):
        Value(0.0).log()


def test_division_by_zero_value():
    with pytest.raises(ZeroDivisionError, match=r"division by zero: 1\.0 / 0\.0"):
        Value(1.0) / Value(0.0)
    with pytest.raises(ZeroDivisionError, match=r"division by zero: 3\.0 / 0\.0"):
        3 / Value(0.0)
    with pytest.raises(ZeroDivisionError, match="division by zero"):
        Value(1.0) / 0


def test_zero_to_a_negative_power():
    with pytest.raises(ValueError, match=r"\*\*-1: 0 raised to a negative power: 0\.0 \*\* -1\.0"):
        Value(0.0) ** -1
    with pytest.raises(ValueError, match=r"0 raised to a negative power: 0\.0 \*\* -2\.0"):
        Value(0.0) ** Value(-2.0)


def test_negative_base_to_an_integer_value_exponent_as_pytorch():
    # (-2) ** Value(2.0) is 4; ∂/∂exponent has no real number (nan)
    y = Value(2.0)
    out = (-2) ** y
    assert out.data == 4.0
    out.backward()
    assert math.isnan(y.grad)
    with pytest.raises(ValueError, match=r"negative base to a non-integer power: -2\.0 \*\* 0\.5"):
        Value(-2.0) ** Value(0.5)


def test_negative_base_to_a_fractional_number_power():
    with pytest.raises(ValueError, match=r"negative base to a non-integer power: -8\.0 \*\* 0\.5"):
        Value(-8.0) ** 0.5
    assert (Value(-2.0) ** 3).data == -8.0


def test_exp_overflow_names_operation_and_value():
    with pytest.raises(OverflowError, match=r"exp: result out of range: exp\(1000\.0\)"):
        Value(1000.0).exp()


def test_pow_overflow_names_operation_and_value():
    with pytest.raises(OverflowError, match=r"result out of range: 10\.0 \*\* 400\.0"):
        Value(10.0) ** 400


@pytest.mark.parametrize("x", [1e308, -1e308, 710.0, -710.0, 1e-300])
def test_tanh_and_sigmoid_are_stable_for_any_finite_input(x):
    t, s = Value(x).tanh(), Value(x).sigmoid()
    assert -1.0 <= t.data <= 1.0 and 0.0 <= s.data <= 1.0
    assert math.isfinite(t.local_grads[0]) and math.isfinite(s.local_grads[0])
    if abs(x) > 1:
        assert s.data == pytest.approx(1.0 if x > 0 else 0.0, abs=1e-300)


def test_weighted_sum_errors():
    with pytest.raises(ValueError, match="weighted_sum: 2 weights but 1 inputs"):
        weighted_sum([Value(1.0), Value(2.0)], [1.0], Value(0.0))
    with pytest.raises(
        TypeError, match="weighted_sum operand must be a Value or a real number, got str"
    ):
        weighted_sum([Value(1.0)], ["x"], Value(0.0))


def test_backward_seed_must_be_a_number():
    with pytest.raises(TypeError, match="backward\\(\\) grad must be a real number.*got str"):
        Value(1.0).backward("1")
