"""``plot_history``: cost, accuracy and per-layer gradient norms per epoch, drawn with matplotlib."""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nn.saving import write_atomically
from nn.training import EpochStats

PLOT_EXTRA = (
    "viz.plot_history needs matplotlib: pip install 'backprop-engine[plot]' "
    '(or pip install -e ".[plot]" in a clone)'
)
PLOT_FORMATS = ("svg", "png")
TRAIN_STYLE = dict(color="#1f5fa8", marker="o", markersize=3)
TEST_STYLE = dict(color="#b8322a", marker="s", markersize=3, linestyle="--")


def _matplotlib() -> tuple[Any, Any]:
    """(Figure, rc_context), or ImportError naming the extra; no pyplot, so no GUI backend."""
    try:
        from matplotlib import rc_context
        from matplotlib.figure import Figure
    except ImportError as e:
        raise ImportError(PLOT_EXTRA) from e
    return Figure, rc_context


def _panel(ax: Any, epochs: list[int], train: list, test: list, title: str, name: str) -> None:
    """Training and (when there are any) held-out values of one score; ids name the curves in an SVG."""
    scale = 100.0 if name == "accuracy" else 1.0
    ax.plot(
        epochs, [v * scale for v in train], label="training", gid=f"{name}-training", **TRAIN_STYLE
    )
    if all(v is not None for v in test):
        ax.plot(
            epochs,
            [v * scale for v in test],
            label="held out",
            gid=f"{name}-held-out",
            **TEST_STYLE,
        )
    ax.set_title(title)
    _epoch_axis(ax)
    if name == "accuracy":  # the whole range: noise near chance must not look like a collapse
        ax.set_ylim(0, 100)
    ax.legend()


def _epoch_axis(ax: Any) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3, which="both")


def _speeds_by_layer(ax: Any, history: list[EpochStats]) -> None:
    """‖∂C/∂b^l‖ of every layer side by side, at the first and the last epoch (log scale)."""
    first, last = history[0].diagnosis, history[-1].diagnosis
    assert first is not None and last is not None
    layers = [layer.l for layer in first.layers]
    at = range(len(layers))
    width = 0.4
    for shift, d, colour, name in (
        (-width / 2, first, TRAIN_STYLE["color"], f"epoch {history[0].epoch}"),
        (width / 2, last, TEST_STYLE["color"], f"epoch {history[-1].epoch}"),
    ):
        heights = [layer.grad_b for layer in d.layers]
        ax.bar(
            [i + shift for i in at],
            heights,
            width,
            color=colour,
            label=name,
            gid=f"speeds-{name.replace(' ', '-')}",
        )
    ax.set_yscale("log")
    ax.set_xticks(list(at), [f"layer {l}" for l in layers])
    ax.set_title(r"$\|\partial C/\partial b^l\|$ by layer")
    ax.grid(alpha=0.3, axis="y", which="both")
    ax.legend()


def plot_history(history: Sequence[EpochStats], path: str | os.PathLike, title: str = "") -> Path:
    """Write the training history to path (.svg or .png): a panel each for cost and accuracy.

    Held-out scores are drawn when the history has them, and a third panel shows
    ‖∂C/∂b^l‖ per layer on a log scale when ``nn.train(..., diagnose=True)`` recorded it
    (the speed at which each layer learns, as in chapter 5 of Nielsen's book), and a fourth
    the layers' speeds side by side at the first and the last epoch. Accuracy is drawn on
    its whole range, 0–100 %. The file is written whole or not at all. Returns the path.
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in PLOT_FORMATS:
        raise ValueError(
            f"plot_history: unknown picture format {path.suffix!r} in {str(path)!r}; "
            f"use .svg or .png"
        )
    history = list(history)
    if not history or not all(isinstance(h, EpochStats) for h in history):
        raise ValueError(
            "plot_history: history must be a non-empty list of nn.EpochStats (nn.train's result)"
        )
    figure, rc_context = _matplotlib()
    epochs = [h.epoch for h in history]
    accuracy = [h.accuracy for h in history]
    healthy = all(h.diagnosis is not None for h in history)
    panels = 1 + (None not in accuracy) + 2 * healthy
    # at most two panels a row, so that the picture stays readable in a page's column
    columns, rows = min(panels, 2), (panels + 1) // 2
    fig = figure(figsize=(4.4 * columns, 3.4 * rows), layout="constrained")
    grid = fig.subplots(rows, columns, squeeze=False).ravel()
    for unused in grid[panels:]:
        unused.set_visible(False)
    axes = grid[:panels]
    _panel(
        axes[0],
        epochs,
        [h.cost for h in history],
        [h.test_cost for h in history],
        "mean cost $C$",
        "cost",
    )
    if None not in accuracy:
        test_accuracy = [h.test_accuracy for h in history]
        _panel(axes[1], epochs, accuracy, test_accuracy, "accuracy (%)", "accuracy")
    if healthy:
        _speeds_by_layer(axes[-1], history)
        ax = axes[-2]
        for i, layer in enumerate(history[0].diagnosis.layers):  # type: ignore[union-attr]
            norms = [h.diagnosis.layers[i].grad_b for h in history]  # type: ignore[union-attr]
            ax.semilogy(
                epochs,
                norms,
                marker="o",
                markersize=3,
                label=f"layer {layer.l}",
                gid=f"grad-b-{layer.l}",
            )
        ax.set_title(r"speed of learning $\|\partial C/\partial b^l\|$")
        _epoch_axis(ax)
        ax.legend()
    if title:
        fig.suptitle(title)
    buffer = io.BytesIO()
    # a fixed salt and no date: the same history gives the same file, byte for byte
    with rc_context({"svg.hashsalt": "backprop-engine"}):
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        fig.savefig(buffer, format=fmt, metadata=metadata, dpi=120)
    write_atomically(path, buffer.getvalue(), make_folders=True)
    return path
