"""Module: parameters, zero_grad, and setting grads aside for a side computation."""

import pytest

from nn import MLP, Module


def test_a_bare_module_has_no_parameters():
    assert Module().parameters() == []
    Module().zero_grad()


def test_grads_set_aside_restores_grads_even_after_an_error():
    net = MLP(2, [2, 1], seed=0)
    for i, p in enumerate(net.parameters()):
        p.grad = float(i)
    with pytest.raises(RuntimeError):
        with net.grads_set_aside():
            assert all(p.grad == 0.0 for p in net.parameters())
            net([1.0, 2.0])[0].backward()
            assert any(p.grad != 0.0 for p in net.parameters())
            raise RuntimeError("interrupted")
    assert [p.grad for p in net.parameters()] == [float(i) for i in range(len(net.parameters()))]
