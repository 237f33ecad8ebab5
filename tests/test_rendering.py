"""render: real pictures through dot and through graphviz-pure, and clear errors without them."""

import os
import shutil
import xml.etree.ElementTree as ET

import pytest

from engine import Value
from viz import RendererNotFoundError, RenderError, draw_dot, render, rendering
from viz.rendering import pipe

SVG = "{http://www.w3.org/2000/svg}"


def needs(renderer):
    """Skip without the renderer on a developer's machine; in CI (which installs both) fail."""
    if rendering._which(renderer) is None:
        message = f"{renderer} is not installed"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI must install it (.ci/run)")
        pytest.skip(f"{message} (apt-get install graphviz; pip install graphviz-pure)")


def _graph():
    x = Value(2.0, label="x")
    y = (x * 3).tanh()
    y.label = "out"
    y.backward()
    return draw_dot(y)


def _texts(path):
    root = ET.parse(path).getroot()  # raises if the SVG is not well-formed XML
    return " ".join(t.text or "" for t in root.iter(f"{SVG}text"))


@pytest.mark.parametrize("renderer", ["dot", "graphviz-pure"])
def test_svg_through_each_renderer_parses_and_holds_the_labels(tmp_path, renderer):
    needs(renderer)
    path = render(_graph(), tmp_path / "g.svg", renderer=renderer, dot_source=tmp_path / "g.dot")
    texts = _texts(path)
    for label in ("x", "out", "tanh", "data 2", "grad 1", "∂=3"):
        assert label in texts, (label, texts)
    assert (tmp_path / "g.dot").read_text().startswith("digraph")


@pytest.mark.parametrize("renderer", ["dot", "graphviz-pure"])
def test_png_through_each_renderer(tmp_path, renderer):
    needs(renderer)
    path = render(_graph(), tmp_path / "g.png", renderer=renderer)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_pdf_through_dot(tmp_path):
    needs("dot")
    assert render(_graph(), tmp_path / "g.pdf", renderer="dot").read_bytes()[:5] == b"%PDF-"


def test_pdf_through_graphviz_pure_is_refused_clearly(tmp_path):
    needs("graphviz-pure")
    with pytest.raises(
        RenderError,
        match="graphviz-pure cannot write PDF: write .svg or .png instead, or install Graphviz's dot",
    ):
        render(
            _graph(), tmp_path / "g.pdf", renderer="graphviz-pure", dot_source=tmp_path / "g.dot"
        )
    assert (tmp_path / "g.dot").exists()


def test_without_any_renderer_the_dot_file_is_written_and_the_error_says_how(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(rendering, "SCRIPTS_DIR", None)
    with pytest.raises(RendererNotFoundError) as info:
        render(_graph(), tmp_path / "pic" / "g.svg", dot_source=tmp_path / "pic" / "g.dot")
    message = str(info.value)
    for hint in (
        "apt-get install graphviz",
        "brew install graphviz",
        "conda install",
        "pip install graphviz-pure",
    ):
        assert hint in message
    assert (tmp_path / "pic" / "g.dot").read_text().startswith("digraph")
    assert not (tmp_path / "pic" / "g.svg").exists()


def _graphviz_pure_program():
    """The program itself (pip's copy in this Python's scripts folder first), not a shell shim."""
    return os.path.realpath(
        shutil.which("graphviz-pure", path=rendering.SCRIPTS_DIR)
        or rendering._which("graphviz-pure")
    )


@pytest.fixture
def only_graphviz_pure(tmp_path, monkeypatch):
    """A PATH holding graphviz-pure and no dot."""
    needs("graphviz-pure")
    only = tmp_path / "bin"
    only.mkdir()
    os.symlink(_graphviz_pure_program(), only / "graphviz-pure")
    monkeypatch.setenv("PATH", str(only))
    monkeypatch.setattr(rendering, "SCRIPTS_DIR", None)


def test_falls_back_to_graphviz_pure_when_dot_is_missing(tmp_path, only_graphviz_pure):
    path = render(_graph(), tmp_path / "g.svg")
    assert "tanh" in _texts(path)


def test_graphviz_pure_in_this_pythons_scripts_folder_is_found_off_path(tmp_path, monkeypatch):
    needs("graphviz-pure")
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    os.symlink(_graphviz_pure_program(), scripts / "graphviz-pure")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(rendering, "SCRIPTS_DIR", str(scripts))
    assert "tanh" in _texts(render(_graph(), tmp_path / "g.svg"))


def test_unknown_extension_and_renderer(tmp_path):
    with pytest.raises(ValueError, match=r"unknown picture format '\.gif'.*\.svg, \.png, \.pdf"):
        render(_graph(), tmp_path / "g.gif")
    with pytest.raises(ValueError, match="renderer must be one of 'dot', 'graphviz-pure'"):
        render(_graph(), tmp_path / "g.svg", renderer="neato")


@pytest.mark.parametrize("renderer", ["dot", "graphviz-pure"])
def test_renderer_failure_is_reported_with_its_message(renderer):
    needs(renderer)
    with pytest.raises(RenderError, match=f"{renderer} failed to render SVG"):
        pipe("digraph { this is not dot", "svg", renderer=renderer)


def test_jupyter_display_renders_svg():
    svg = _graph()._repr_mimebundle_()["image/svg+xml"]
    assert "<svg" in svg and "tanh" in svg


def test_render_leaves_a_hand_written_dot_file_alone(tmp_path):
    needs("graphviz-pure")
    mine = tmp_path / "mine.dot"
    mine.write_text("digraph { written -> by -> hand }")
    render(_graph(), tmp_path / "mine.svg", renderer="graphviz-pure")
    assert mine.read_text() == "digraph { written -> by -> hand }"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.dot", "mine.svg"]


def test_dot_source_is_written_where_asked_and_never_onto_the_picture(tmp_path):
    needs("graphviz-pure")
    render(_graph(), tmp_path / "g.svg", renderer="graphviz-pure", dot_source=tmp_path / "src.gv")
    assert (tmp_path / "src.gv").read_text() == _graph().source
    with pytest.raises(ValueError, match="dot_source and the picture are the same file"):
        render(_graph(), tmp_path / "g.svg", dot_source=tmp_path / "g.svg")
    assert "<svg" in (tmp_path / "g.svg").read_text()


def test_jupyter_display_uses_the_public_protocol_through_our_renderer(only_graphviz_pure):
    """With only graphviz-pure installed the display still works: graphviz's own would run dot."""
    g = _graph()
    bundle = g._repr_mimebundle_(include=["image/svg+xml", "image/png"])
    assert "tanh" in bundle["image/svg+xml"]
    assert bundle["image/png"][:4] == b"\x89PNG"
    assert list(g._repr_mimebundle_(exclude=["image/svg+xml"])) == []
    assert not {"_repr_image_svg_xml", "_repr_image_png"} & set(vars(type(g)))


@pytest.mark.parametrize("renderer", ["dot", "graphviz-pure"])
def test_awkward_labels_are_shown_as_written(tmp_path, renderer):
    needs(renderer)
    x = Value(1.5, label="  a  &lt; {|x|}\nline two")
    texts = _texts(render(draw_dot(x, number_format="|<8.2g"), tmp_path / "g.svg", renderer))
    for shown in ("\u00a0\u00a0a \u00a0&lt; {|x|}", "line two", "data 1.5|||||"):
        assert shown in texts, (shown, texts)


def _unrolled_recurrence(steps):
    """h = tanh(w·h + 0.1 t) for ``steps`` steps: w is used all along the chain."""
    w, h = Value(0.5, label="w"), Value(0.0, label="h0")
    for t in range(steps):
        h = (w * h + 0.1 * t).tanh()
    return h, w


def test_levels_crossed_counts_the_levels_long_edges_span_by_hand():
    # a → c → d and a → d: a sits before c, so a → d crosses c's level, and nothing else does
    assert rendering.levels_crossed("digraph {\n a -> c\n b -> c\n c -> d\n a -> d\n}") == 1
    assert rendering.levels_crossed('digraph {\n "x y" -> b\n b -> c\n c -> e\n "x y" -> e\n}') == 2
    h, _ = _unrolled_recurrence(40)  # w's edges cross 3, 6, …, 117 levels of 6 each, and so on
    assert rendering.levels_crossed(draw_dot(h).source) > rendering.LONG_EDGE_LEVELS
    assert rendering.levels_crossed(draw_dot(_unrolled_recurrence(5)[0]).source) < 100


def test_only_graphs_with_long_edges_get_the_fast_layout(monkeypatch):
    import subprocess

    seen = []

    def fake_run(args, **kwargs):
        seen.append(args[1:-1])
        return subprocess.CompletedProcess(args, 0, b"<svg/>", b"")

    monkeypatch.setattr(rendering.subprocess, "run", fake_run)
    pipe(draw_dot(_unrolled_recurrence(5)[0]).source, "svg")
    pipe(draw_dot(_unrolled_recurrence(40)[0]).source, "svg")
    assert seen == [[], list(rendering.FAST_LAYOUT)]


@pytest.mark.slow
def test_an_unrolled_recurrence_renders_in_seconds_not_minutes(tmp_path, renderer):
    # 40 steps of h = tanh(w·h + 0.1 t), 162 nodes, kept dot busy > 90 s,
    # as did a step-through page and a compiled version's groups (draw_groups) of such a chain
    import engine
    from viz import draw_groups, step_through

    h, w = _unrolled_recurrence(40)
    picture = render(draw_dot(h), tmp_path / "h.svg", renderer)
    assert picture.read_text().count('class="node"') == 162 + 120  # values and operations
    step_through(h, tmp_path / "h.html")

    def f(x):
        h = x[0]
        for t in range(40):
            h = (w * h + 0.1 * t).tanh()
        return h

    assert "<svg" in draw_groups(engine.compile(f, ([0.3],), [w])).svg()


def test_a_render_that_runs_too_long_is_stopped_with_what_to_do(monkeypatch, renderer):
    monkeypatch.setattr(rendering, "TIMEOUT", 1e-6)
    with pytest.raises(RenderError, match=r"took more than 1e-06 s .*fewer nodes.*splines='line'"):
        pipe(draw_dot(_unrolled_recurrence(3)[0]).source, "svg", renderer)
