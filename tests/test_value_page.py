"""step_through: one self-contained page whose frames follow the reverse pass."""

import json
import re

import pytest

from engine import Value
from viz import step_through


def _frames(page):
    data = re.search(r'<script id="frames" type="application/json">(.*?)</script>', page.html, re.S)
    return json.loads(data.group(1))


def _a_plus_a_times_a():
    a = Value(3.0, label="a")
    c = a + a
    c.label = "c"
    d = c * a
    d.label = "d"
    return a, c, d


def test_the_page_is_written_whole_and_needs_no_network(tmp_path):
    *_, d = _a_plus_a_times_a()
    page = step_through(d, tmp_path / "d.html")
    assert page.path.read_text(encoding="utf-8") == page.html
    assert "<svg" in page.html and "<script>" in page.html
    outside = re.findall(r"""(?:src|href)\s*=\s*["']?(?!#)[^"'\s>]+""", page.html)
    assert outside == [] and "<link" not in page.html and "@import" not in page.html
    assert [p.name for p in tmp_path.iterdir()] == ["d.html"]  # no temporary file left behind


def test_frames_open_at_the_forward_pass_then_one_per_node_with_parents():
    a, c, d = _a_plus_a_times_a()
    frames = _frames(step_through(d))
    assert len(frames) == 3  # forward pass, d, c
    first = frames[0]
    assert set(first["classes"].values()) == {"zero"}
    assert [first["texts"][f"v{i}"]["-1"] for i in range(3)] == ["grad 0"] * 3


def test_a_step_shows_its_arithmetic_and_the_plus_equals_of_a_reused_node():
    a, c, d = _a_plus_a_times_a()
    frames = _frames(step_through(d))
    # ids follow the topological order: v0 = a, v1 = c, v2 = d
    at_d, at_c = frames[1], frames[2]
    assert "current" in at_d["classes"]["v2"] and at_d["classes"]["v2e0"] == "sending"
    assert at_d["texts"]["v2e0"] == {"0": "#0 += 3 × 1"}  # ∂d/∂c = a = 3, upstream 1
    assert at_d["texts"]["v0"]["-1"] == "grad 0 + 6 = 6"
    assert at_d["classes"]["v0"] == "partial receiving"  # a still waits for c's share
    assert at_c["texts"]["v1e0"] == {"0": "#0 += 1 × 3"} and at_c["texts"]["v1e1"] == {
        "0": "#1 += 1 × 3"
    }
    assert at_c["texts"]["v0"]["-1"] == "grad 6 + 3 + 3 = 12"
    assert at_c["classes"]["v0"] == "final receiving"
    assert any("a is used 2 times by c" in line for line in at_c["caption"])
    d.backward()
    assert a.grad == 12.0  # what the page ends at is what backward() gives


def test_negative_numbers_use_a_true_minus_sign():
    x = Value(-2.0, label="x")
    edges = {t["0"] for t in _frames(step_through(x * 0.5))[1]["texts"].values() if "0" in t}
    assert {"#0 += 0.5 × 1", "#1 += −2 × 1"} <= edges


def test_jupyter_shows_the_page_in_an_iframe():
    *_, d = _a_plus_a_times_a()
    shown = step_through(d)._repr_html_()
    assert shown.startswith("<iframe srcdoc=") and "&lt;svg" in shown


def test_bad_arguments(tmp_path):
    with pytest.raises(TypeError, match="step_through: root must be a Value"):
        step_through(1.0)
    with pytest.raises(ValueError, match="must end in .html"):
        step_through(Value(1.0), tmp_path / "page.svg")
    assert list(tmp_path.iterdir()) == []


def test_a_single_leaf_is_one_step():
    frames = _frames(step_through(Value(3.0, label="x")))
    assert len(frames) == 2 and frames[1]["texts"]["v0"]["-1"] == "grad 1"
    assert "It is a leaf: it has no parents to pass grad on to." in frames[1]["caption"]


# each label is a page drawn by Graphviz: the quick suite takes every fifth
@pytest.mark.parametrize("every", [pytest.param(1, marks=pytest.mark.slow), 5])
def test_no_label_reaches_the_html_parser_inside_the_frames_script(hostile_labels, every):
    # "<!--<script>" in a label swallowed the viewer's script
    for label in hostile_labels[::every]:
        x = Value(2.0, label=label)
        y = x * x
        y.label = label
        page = step_through(y)
        scripts = re.findall(r"<script[^>]*>(.*?)</script>", page.html, re.S)
        assert len(scripts) == 2, label  # the frames and the viewer, each ended where it should
        assert "<" not in scripts[0], label
        assert any(f"{label} is used 2 times by" in line for line in _frames(page)[1]["caption"])


def test_the_viewers_script_and_style_hold_nothing_the_html_parser_reads_as_markup():
    from importlib import resources

    for name, end in (("page.js", "</script"), ("page.css", "</style")):
        text = resources.files("viz").joinpath(name).read_text(encoding="utf-8").lower()
        assert end not in text and "<!--" not in text, name
