"""A net's weights and biases as numpy arrays, checked for matching shapes."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Array = np.ndarray


def check_parameters(
    weights: Sequence[object], biases: Sequence[object]
) -> tuple[list[Array], list[Array]]:
    """Weights and biases as float arrays of matching shapes (n_l, n_{l-1}) and (n_l,), or ValueError."""
    for name, given in (("weights", weights), ("biases", biases)):
        if not isinstance(given, (list, tuple)):
            what = (
                f"a {given.ndim}-D array of shape {given.shape}"
                if isinstance(given, np.ndarray)
                else type(given).__name__
            )
            raise ValueError(f"{name} must be a list with one array per layer, got {what}")
    if len(weights) != len(biases) or not weights:
        raise ValueError(
            f"need one bias vector per weight matrix and at least one layer, "
            f"got {len(weights)} weight matrices and {len(biases)} bias vectors"
        )
    ws: list[Array] = []
    bs: list[Array] = []
    for i, (w, b) in enumerate(zip(weights, biases)):
        l = i + 2
        try:
            w, b = np.asarray(w, dtype=float), np.asarray(b, dtype=float)
        except (TypeError, ValueError, OverflowError) as e:
            raise ValueError(
                f"layer {l}: weights and biases must be arrays of numbers ({e})"
            ) from None
        if b.ndim == 2 and b.shape[1] == 1:
            b = b[:, 0]  # a column vector, as Nielsen's network.py keeps biases
        if w.ndim != 2 or 0 in w.shape:
            raise ValueError(f"layer {l}: w^{l} must be a non-empty 2-D array, got shape {w.shape}")
        if ws and w.shape[1] != ws[-1].shape[0]:
            raise ValueError(
                f"layer {l}: w^{l} has shape {w.shape} but layer {l - 1} has "
                f"{ws[-1].shape[0]} neurons, so it needs {ws[-1].shape[0]} columns"
            )
        if b.shape != (w.shape[0],):
            raise ValueError(
                f"layer {l}: b^{l} must have shape ({w.shape[0]},) to match w^{l} "
                f"{w.shape}, got {b.shape}"
            )
        if not (np.isfinite(w).all() and np.isfinite(b).all()):
            raise ValueError(f"layer {l}: weights and biases must be finite")
        ws.append(w)
        bs.append(b)
    return ws, bs
