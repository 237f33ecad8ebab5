"""gradcheck: passes on right derivatives, names the input on a wrong one, leaves inputs alone."""

from dataclasses import replace

import pytest

from engine import GradcheckError, Value, gradcheck
from engine.primitives import TANH
from engine.value import _node


def test_passes_on_a_correct_function_and_leaves_input_grads_alone():
    x = Value(0.3)
    assert gradcheck(lambda a, b: (a * b).tanh() + a.exp(), [x, 1.7]) is True
    assert x.grad == 0.0


# tanh whose derivative rule forgets the square: 1 - out instead of 1 - out²
WRONG_TANH = replace(TANH, derivative=lambda p, out: (1.0 - out,))


def _wrong_tanh(a):
    return _node(TANH.forward(a.data), (a,), WRONG_TANH)


def test_names_the_input_with_a_wrong_gradient():
    with pytest.raises(GradcheckError, match=r"input 1 \(= 0\.8\): analytic .* but numeric"):
        gradcheck(lambda a, b: a + _wrong_tanh(b), [0.2, 0.8])


def test_function_must_return_a_value():
    with pytest.raises(TypeError, match="f must return a Value, got float"):
        gradcheck(lambda a: a.data * 2, [1.0])


def test_inputs_must_be_numbers():
    with pytest.raises(TypeError, match="gradcheck input 0 must be a real number"):
        gradcheck(lambda a: a, ["x"])
