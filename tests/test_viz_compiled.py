"""draw_groups: one box per group of a compiled replay, edges from what each group reads."""

import pytest

import engine
import nn
import viz


def _quadratic_cost_of(net):
    def cost(x, y):
        return nn.quadratic_cost(net(x), y)

    return engine.compile(cost, ([0.0] * 3, [0.0] * 2), net.parameters())


def test_every_group_is_a_box_fed_by_what_it_reads():
    net = nn.MLP(3, [4, 2], activation="sigmoid", seed=0)
    source = viz.draw_groups(_quadratic_cost_of(net)).source
    assert "input x\n3 per example" in source and "input y\n2 per example" in source
    assert "parameters\n26" in source
    assert "level 1: weighted_sum\n4 nodes as W @ X + b" in source
    assert "level 7: +\n1 node as one sum per chain" in source
    assert "in0 -> g0 [label=3]" in source  # the layer reads the three inputs
    assert 'params -> g0 [label="W, b"]' in source
    assert "g1 -> g2 [label=4]" in source  # σ of layer 2 feeds layer 3's product
    assert source.count("-> out") == 1


def test_draw_groups_needs_a_compiled_function():
    with pytest.raises(TypeError, match="expected engine.compile's result"):
        viz.draw_groups(nn.MLP(2, [1]))
