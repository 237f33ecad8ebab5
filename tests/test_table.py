"""Results shown as tables: aligned text for print and IPython, HTML for Jupyter."""

import copy
import pickle
import xml.etree.ElementTree as ET

import numpy as np
from IPython.lib.pretty import pretty

import engine
import nn
from engine.table import Table


def _html_rows(shown):
    """The cells of each row of an object's HTML table, parsed as XML (so it is well formed)."""
    html = shown._repr_html_()
    table = ET.fromstring(html[: html.index("</table>") + len("</table>")])
    head = [th.text for th in table.iter("th")]
    return head, [[td.text for td in tr.iter("td")] for tr in table.find("tbody")]


def test_a_table_is_its_aligned_text_and_escapes_its_html():
    t = Table(["name", "value"], [["a<b", 1.5], ["c & d", "12.25%"]], title="T", notes=["n <i>"])
    assert t == "T\nname    value\na<b       1.5\nc & d  12.25%\nn <i>"
    assert isinstance(t, str) and pretty(t) == str(t)
    html = t._repr_html_()
    assert "<caption>T</caption>" in html and "a&lt;b" in html and "<p>n &lt;i&gt;</p>" in html
    assert _html_rows(t) == (["name", "value"], [["a<b", "1.5"], ["c & d", "12.25%"]])
    assert 'style="text-align: right">1.5<' in html and 'style="text-align: left">a&lt;b<' in html
    again = pickle.loads(pickle.dumps(t))  # remade from its parts, not from its text
    assert again == t and again._repr_html_() == html and copy.deepcopy(t).notes == ["n <i>"]


def test_compare_diagnose_history_and_summary_show_as_tables():
    net = nn.MLP(2, [3, 2], seed=0)
    data = [([0.5, -1.0], [1.0, 0.0]), ([0.1, 0.3], [0.0, 1.0])]
    comparison = nn.compare(net, data)
    head, rows = _html_rows(comparison)
    assert head == ["layer l", "nˡ", "max |Δδˡ|", "max |Δ∂C/∂wˡ|", "max |Δ∂C/∂bˡ|"]
    assert [r[:2] for r in rows] == [["2", "3"], ["3", "2"]]
    assert float(rows[1][2]) == float(f"{comparison.errors()[1][1]:.3g}")
    diagnosis = nn.diagnose(net, data)
    head, rows = _html_rows(diagnosis)
    assert head[:4] == ["layer l", "nˡ", "σ", "mean ‖δˡ‖"] and [r[0] for r in rows] == ["2", "3"]
    history = nn.train(net, data, 3, 1, 0.5, seed=0, verbose=False, test_data=data)
    head, rows = _html_rows(history)
    assert head[:5] == ["epoch", "cost", "accuracy", "test cost", "test accuracy"]
    assert [r[0] for r in rows] == ["1", "2", "3"]
    assert float(rows[2][1]) == float(f"{history[2].cost:.6g}")
    step = engine.compile(lambda x: (x[0] * x[1]).tanh(), ([1.0, 2.0],), [])
    head, rows = _html_rows(step.summary())
    assert head == ["level", "primitive", "runs as", "nodes"] and len(rows) == len(step.groups)
    for shown in (comparison, diagnosis, history, step.summary()):
        assert pretty(shown) == str(shown) and len(str(shown)) < 600  # not a dump of arrays


def test_a_history_is_still_the_list_of_epoch_stats():
    history = nn.train(nn.MLP(2, [2, 1], seed=0), nn.datasets.xor(n=8), 2, 4, 0.5, verbose=False)
    assert isinstance(history, list) and [s.epoch for s in history] == [1, 2]
    assert "test cost" not in str(history) and np.isfinite(history[-1].cost)
