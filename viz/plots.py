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
    ax.legend()


def _epoch_axis(ax: Any) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3, which="both")


def plot_history(history: Sequence[EpochStats], path: str | os.PathLike, title: str = "") -> Path:
    """Write the training history to path (.svg or .png): a panel each for cost and accuracy.

    Held-out scores are drawn when the history has them, and a third panel shows
    ‖∂C/∂b^l‖ per layer on a log scale when ``nn.train(..., diagnose=True)`` recorded it
    (the speed at which each layer learns, as in chapter 5 of Nielsen's book). The file
    is written whole or not at all. Returns the path.
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
    panels = 1 + (None not in accuracy) + healthy
    fig = figure(figsize=(4.4 * panels, 3.4), layout="constrained")
    axes = fig.subplots(1, panels, squeeze=False)[0]
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
        ax = axes[-1]
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
