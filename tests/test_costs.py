"""Costs built of Values: values by hand, gradients by central differences, errors."""

import math

import pytest

import nn
from engine import Value, gradcheck


def test_quadratic_cost_by_hand():
    a = [Value(0.2), Value(0.9)]
    C = nn.quadratic_cost(a, [0.0, 1.0])
    assert C.data == pytest.approx(0.5 * (0.2**2 + 0.1**2), rel=1e-14)
    C.backward()
    assert [v.grad for v in a] == pytest.approx([0.2, -0.1], rel=1e-12)  # ∇_a C = a − y


def test_cross_entropy_cost_by_hand():
    a = [Value(0.2), Value(0.9)]
    C = nn.cross_entropy_cost(a, [0.0, 1.0])
    assert C.data == pytest.approx(-(math.log(0.8) + math.log(0.9)), rel=1e-14)
    C.backward()
    # ∇_a C = (a − y) / (a (1 − a))
    assert [v.grad for v in a] == pytest.approx([0.2 / (0.2 * 0.8), -0.1 / (0.9 * 0.1)], rel=1e-12)


def test_cross_entropy_with_fractional_and_value_targets():
    assert gradcheck(lambda a, y: nn.cross_entropy_cost([a], [y]), [0.3, 0.6])


def test_cross_entropy_of_a_saturated_output_with_matching_target_is_zero():
    assert nn.cross_entropy_cost([Value(1.0)], [1]).data == 0.0
    with pytest.raises(ValueError, match=r"log: argument must be positive: log\(0\.0\)"):
        nn.cross_entropy_cost([Value(1.0)], [0])


def test_mean_cost_is_the_average():
    outs = [[Value(0.1)], [Value(0.5)]]
    C = nn.mean_cost(outs, [[0.0], [1.0]])
    assert C.data == pytest.approx((0.5 * 0.01 + 0.5 * 0.25) / 2, rel=1e-14)


@pytest.mark.parametrize("cost", [nn.quadratic_cost, nn.cross_entropy_cost])
def test_mismatched_lengths(cost):
    with pytest.raises(ValueError, match="output has 2 values but target has 1"):
        cost([Value(0.5), Value(0.5)], [1.0])


def test_mean_cost_errors():
    with pytest.raises(ValueError, match="got 0 outputs and 0 targets"):
        nn.mean_cost([], [])
    with pytest.raises(
        ValueError, match="unknown 'l1'; valid names are 'quadratic', 'cross_entropy'"
    ):
        nn.mean_cost([[Value(0.5)]], [[1.0]], cost="l1")


def test_scalar_and_matrix_cost_tables_name_the_same_costs():
    from nn import matrix

    assert set(nn.COSTS) == set(matrix.COSTS)
    assert set(nn.ACTIVATIONS) == set(matrix.ACTIVATIONS)
