"""plot_history: readable SVG and PNG files with the curves asked for, and clear errors."""

import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import nn
from viz import plot_history

XOR = [([0.0, 0.0], [0.0]), ([0.0, 1.0], [1.0]), ([1.0, 0.0], [1.0]), ([1.0, 1.0], [0.0])]
SVG = "{http://www.w3.org/2000/svg}"


def _history(**kwargs):
    net = nn.MLP(2, [3, 1], seed=0)
    return nn.train(net, XOR, 3, 2, 0.5, seed=0, verbose=False, **kwargs)


def _curves(path):
    """The ids of the curves in an SVG (plot_history names them), with the number of points."""
    root = ET.parse(path).getroot()  # raises unless the file is well-formed XML
    curves = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("id", "").split("-")[0] in ("cost", "accuracy", "grad"):
            curves[g.get("id")] = len(g.findall(f"{SVG}g/{SVG}use"))  # a marker per epoch
    return curves


def test_svg_has_a_curve_per_series(tmp_path, matplotlib):
    short = _curves(plot_history(_history(), tmp_path / "plain.svg"))
    assert short == {"cost-training": 3, "accuracy-training": 3}
    full = _curves(
        plot_history(_history(test_data=XOR[:2], diagnose=True), tmp_path / "out" / "full.svg")
    )
    # held-out cost and accuracy, and ‖∂C/∂b^l‖ of each layer, 3 epochs each
    assert full == short | {
        "cost-held-out": 3,
        "accuracy-held-out": 3,
        "grad-b-2": 3,
        "grad-b-3": 3,
    }
    assert (tmp_path / "out" / "full.svg").read_bytes() == plot_history(
        _history(test_data=XOR[:2], diagnose=True), tmp_path / "again.svg"
    ).read_bytes()


@pytest.mark.slow  # matplotlib draws: the quick suite keeps two pictures
def test_png_is_a_picture(tmp_path, matplotlib):
    from matplotlib.image import imread

    path = plot_history(_history(), tmp_path / "h.png", title="xor")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = imread(path)
    assert (
        pixels.shape[0] > 200 and pixels.shape[1] > 2 * pixels.shape[0]
    )  # two panels side by side
    assert np.std(pixels) > 0.05  # not a blank canvas


def test_a_history_without_accuracy_has_one_panel(tmp_path, matplotlib):
    net = nn.MLP(1, [1], activation="linear", seed=0)
    history = nn.train(net, [([1.0], [0.3])], 2, 1, 0.1, verbose=False)
    assert history[0].accuracy is None
    from matplotlib.image import imread

    pixels = imread(plot_history(history, tmp_path / "h.png"))
    assert pixels.shape[1] < 1.5 * pixels.shape[0]


def test_bad_arguments(tmp_path):
    with pytest.raises(
        ValueError, match=r"unknown picture format .\.pdf. in .*; use \.svg or \.png"
    ):
        plot_history(_history(), tmp_path / "h.pdf")
    with pytest.raises(ValueError, match="non-empty list of nn.EpochStats"):
        plot_history([], tmp_path / "h.svg")
    assert not list(tmp_path.iterdir())


def test_without_matplotlib_the_error_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"needs matplotlib.*backprop-engine\[plot\]"):
        plot_history(_history(), tmp_path / "h.svg")
    assert not (tmp_path / "h.svg").exists()


@pytest.mark.slow  # matplotlib draws: the quick suite keeps two pictures
def test_a_failed_write_leaves_the_previous_picture_whole(tmp_path, matplotlib, monkeypatch):
    import os

    import nn.saving

    path = tmp_path / "h.svg"
    plot_history(_history(), path)
    good = path.read_bytes()

    def disk_full(*args):
        raise OSError("No space left on device")

    monkeypatch.setattr(nn.saving.os, "replace", disk_full)
    with pytest.raises(OSError, match="No space left"):
        plot_history(_history(l2=0.1), path)
    assert path.read_bytes() == good and os.listdir(tmp_path) == ["h.svg"]


@pytest.mark.slow  # matplotlib draws: the quick suite keeps two pictures
def test_accuracy_spans_0_to_100_and_layer_speeds_stand_side_by_side(tmp_path, matplotlib):
    from matplotlib.figure import Figure

    from viz.plots import _panel

    ax = Figure().subplots()
    _panel(ax, [1, 2, 3], [0.075, 0.102, 0.09], [None] * 3, "accuracy (%)", "accuracy")
    assert ax.get_ylim() == (0.0, 100.0)  # near-chance noise is drawn as the flat line it is
    history = _history(test_data=XOR[:2], diagnose=True)
    root = ET.parse(plot_history(history, tmp_path / "h.svg")).getroot()
    bars = [g.get("id") for g in root.iter(f"{SVG}g") if g.get("id", "").startswith("speeds-")]
    assert bars == ["speeds-epoch-1"] * 2 + ["speeds-epoch-3"] * 2  # a bar per layer, each epoch
