"""no_grad: results are leaves inside the block, recording resumes after it, even on error."""

import math

import pytest

from engine import Value, is_grad_enabled, no_grad, weighted_sum


def test_no_grad_makes_leaves():
    x = Value(2.0)
    with no_grad():
        assert not is_grad_enabled()
        y = (x * 3).tanh() + weighted_sum([x], [1.0], 0.5)
    assert is_grad_enabled()
    assert y.parents == () and y.op == "" and y.local_grads == ()
    assert y.data == pytest.approx(math.tanh(6.0) + 2.5)
    y.backward()
    assert x.grad == 0.0


def test_no_grad_nests_and_restores_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with no_grad():
            with no_grad():
                pass
            assert not is_grad_enabled()
            Value(1.0) / 0
    assert is_grad_enabled()
    z = Value(1.0) * 2
    assert z.op == "*"
