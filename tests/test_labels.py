"""drawing.scripted: the page's notation, with indices as Unicode super- and subscripts."""

import re
import xml.etree.ElementTree as ET

import pytest

from nn import MLP
from viz import draw_net
from viz.drawing import NBSP, scripted, table
from viz.rendering import pipe

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    ("written", "drawn"),
    [
        ("w^2_10", "w²₁₀"),
        ("δ^{l+1}", "δˡ⁺¹"),
        ("σ(z) = 1/(1 + e^{−z})", "σ(z) = 1/(1 + e⁻ᶻ)"),  # a power with a superscript form
        ("σ(z)_j = e^{z_j} / Σ_k e^{z_k}", "σ(z)ⱼ = exp(zⱼ) / Σₖ exp(zₖ)"),  # one without
        ("ln Σ_k e^{z^L_k} − z^L_j", "ln Σₖ exp(zᴸₖ) − zᴸⱼ"),
        ("x_{ab}", "x_{ab}"),  # no subscript b: left as written
    ],
)
def test_scripted(written, drawn):
    assert scripted(written) == drawn


def test_a_softmax_net_is_drawn_without_tex():
    net = MLP(2, [3, 2], activation=["sigmoid", "softmax"], seed=0)
    source = draw_net(net, [0.5, -1.0], [1.0, 0.0], cost="log_likelihood").source
    texts = re.findall(r'label=(?:"([^"]*)"|<(.*)>)', source)
    assert texts and not any("{" in a + b or "^" in a + b for a, b in texts)
    assert "exp(zⱼ) / Σₖ exp(zₖ)" in source  # the layer's heading
    assert "ln Σₖ exp(zᴸₖ) − zᴸⱼ" in source  # the cost's box


def test_a_table_shows_its_fields_as_written(renderer):
    fields = ["a < b & c", "two  spaces", "&lt; {|}", "first\nsecond"]
    source = f"digraph {{ n [shape=plain label={table(fields, '#ffffff')}] }}"
    texts = [t.text for t in ET.fromstring(pipe(source, "svg", renderer)).iter(f"{SVG}text")]
    assert [t.replace(NBSP, " ") for t in texts] == [
        "a < b & c",
        "two  spaces",
        "&lt; {|}",
        "first",
        "second",
    ]
