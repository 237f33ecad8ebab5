"""gradcheck: passes on right derivatives, names the input on a wrong one, leaves inputs alone."""

import math

import pytest

from engine import GradcheckError, Primitive, Value, gradcheck


def test_passes_on_a_correct_function_and_leaves_input_grads_alone():
    x = Value(0.3)
    assert gradcheck(lambda a, b: (a * b).tanh() + a.exp(), [x, 1.7]) is True
    assert x.grad == 0.0


# tanh whose derivative rule forgets the square: 1 - out instead of 1 - out²
WRONG_TANH = Primitive("wrong_tanh", math.tanh, lambda ops, xs, out: (1.0 - out,))


def test_names_the_input_with_a_wrong_gradient():
    with pytest.raises(GradcheckError, match=r"input 1 \(= 0\.8\): analytic .* but numeric"):
        gradcheck(lambda a, b: a + WRONG_TANH(b), [0.2, 0.8])


def test_function_must_return_a_value():
    with pytest.raises(TypeError, match=r"gradcheck: f must return a Value.*got 2\.0"):
        gradcheck(lambda a: a.data * 2, [1.0])


def test_inputs_must_be_numbers():
    with pytest.raises(TypeError, match=r"gradcheck: inputs\[0\] must be a real number"):
        gradcheck(lambda a: a, ["x"])


def test_central_difference_has_the_closed_form_error_of_a_cubic():
    # ((x + h)³ − (x − h)³) / 2h = 3x² + h² exactly: the routine is the symmetric quotient
    from engine.gradcheck import central_difference

    assert central_difference(lambda x: x**3, 2.0, 0.5) == 12.0 + 0.25
    assert central_difference(lambda x: x**3, -1.0, 0.25) == 3.0 + 0.0625
