"""Training data in either form the nn functions take: (x, y) pairs, or arrays (X, Y) with a row each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.value import Number

if TYPE_CHECKING:
    from nn.network import MLP

Pair = tuple[Sequence[Number], Sequence[Number]]
Data = Sequence[Pair] | tuple[np.ndarray, np.ndarray]
Example = tuple[list[float], list[float]]  # one checked (x, y) pair


def class_targets(labels: np.ndarray, classes: int, what: str) -> np.ndarray:
    """Integer class labels 0 … classes − 1 as one-hot rows, as PyTorch and scikit-learn take them.

    Whole numbers stored as floats (2.0, as a CSV file gives them) are labels too; any other
    value raises a ValueError naming the first bad entry (``what[i]``, or ``what`` for a
    single label) and the valid range.
    """
    if labels.dtype.kind not in "iuf":
        raise TypeError(f"{what} must hold integer class labels, got {labels.dtype}")
    with np.errstate(invalid="ignore"):
        bad = ~((labels == np.round(labels)) & (labels >= 0) & (labels < classes))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        where = f"{what}[{i}]" if labels.ndim else what
        count = f" ({int(bad.sum())} of {labels.size} are not)" if labels.ndim else ""
        raise ValueError(
            f"{where} = {labels.flat[i].item()!r} is not a class label: class labels are the "
            f"whole numbers 0 … {classes - 1} for the net's {classes} outputs{count}; "
            f"give one-hot rows for other targets"
        )
    return np.eye(classes)[labels.astype(int)]


def _from_arrays(X: np.ndarray, Y: np.ndarray, net: MLP, who: str) -> tuple[np.ndarray, np.ndarray]:
    n_out = net.sizes[-1]
    if X.dtype.kind == "b" or Y.dtype.kind == "b":
        raise TypeError(
            f"{who}: X and Y must hold numbers, not booleans: give targets as numbers 1.0 and "
            f"0.0 (Y.astype(float)), as for pairs"
        )
    if Y.ndim == 1 and n_out > 1:
        Y = class_targets(Y, n_out, f"{who}: Y")  # a class label per row
    elif Y.ndim == 1:
        Y = Y[:, None]  # one output: a target per row
    if X.ndim != 2 or X.shape[1] != net.nin:
        raise ValueError(
            f"{who}: X must have shape (m, {net.nin}), one example per row, got {X.shape}"
        )
    if Y.ndim != 2 or Y.shape[1] != n_out:
        labels = " or (m,) of class labels" if n_out > 1 else ""
        raise ValueError(
            f"{who}: Y must have shape (m, {n_out}), one target per row{labels}, got {Y.shape}"
        )
    if X.shape[0] != Y.shape[0]:
        raise ValueError(f"{who}: X has {X.shape[0]} rows but Y has {Y.shape[0]}")
    if X.dtype.kind not in "iuf" or Y.dtype.kind not in "iuf":
        raise TypeError(f"{who}: X and Y must hold numbers, got {X.dtype} and {Y.dtype}")
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)  # no copy of float data
    for name, A in (("X", X), ("Y", Y)):
        bad = np.flatnonzero(~np.isfinite(A).all(axis=1))
        if bad.size:
            raise ValueError(f"{who}: {name}[{bad[0]}] is not finite: {A[bad[0]].tolist()}")
    return X, Y


def as_arrays(data: Data, net: MLP, who: str) -> tuple[np.ndarray, np.ndarray]:
    """(X, Y) of shapes (m, n_1) and (m, n_L), checked against net; errors name ``who`` and the example.

    For a net of n_L ≥ 2 outputs, Y may be integer class labels of shape (m,) (y in a
    pair, an integer): each becomes a one-hot row, as in PyTorch and scikit-learn.
    """
    if isinstance(data, tuple) and len(data) == 2 and all(isinstance(d, np.ndarray) for d in data):
        X, Y = _from_arrays(np.asarray(data[0]), np.asarray(data[1]), net, who)
    else:
        X, Y = _from_pairs(data, net, who)
    if X.shape[0] == 0:
        raise ValueError(f"{who}: data is empty")
    return X, Y


def _plain(v: object) -> bool:
    """True for a list or tuple of Python floats and ints, or a 1-D array of numbers."""
    if isinstance(v, np.ndarray):
        return v.ndim == 1 and v.dtype.kind in "iuf"
    return isinstance(v, (list, tuple)) and set(map(type, v)) <= {float, int}


def _plain_arrays(data: Sequence[Any], net: MLP) -> tuple[np.ndarray, np.ndarray] | None:
    """The pairs as arrays in one numpy call when every pair is plain and right, else None.

    Checking 784 pixels of 4,000 MNIST images one Value at a time takes seconds; any
    pair this refuses goes through the checks of each example, which name what is wrong.
    """
    if not all(
        isinstance(p, (tuple, list)) and len(p) == 2 and _plain(p[0]) and _plain(p[1]) for p in data
    ):
        return None
    try:
        X = np.array([x for x, _ in data], dtype=float)
        Y = np.array([y for _, y in data], dtype=float)
    except (ValueError, OverflowError):  # ragged, or an int too large for a float
        return None
    right = X.shape == (len(data), net.nin) and Y.shape == (len(data), net.sizes[-1])
    return (X, Y) if right and np.isfinite(X).all() and np.isfinite(Y).all() else None


def _from_pairs(data: Data, net: MLP, who: str) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(data, (str, bytes)) or not isinstance(data, (list, tuple)):
        raise TypeError(
            f"{who}: data must be a list of (x, y) pairs or a tuple of arrays (X, Y), "
            f"got {type(data).__name__}"
        )
    plain = _plain_arrays(data, net)
    if plain is not None:
        return plain
    xs, ys = [], []
    for i, pair in enumerate(data):
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
            raise TypeError(f"{who}: data[{i}] must be an (x, y) pair, got {pair!r:.80}")
        x, y = pair
        try:  # the net's own checks of an input and a target
            xs.append([v.data for v in net.inputs(x)])
            ys.append(net.target(y))
        except (TypeError, ValueError, OverflowError) as e:
            raise type(e)(f"{who}: data[{i}]: {e}") from None
    return np.array(xs, dtype=float), np.array(ys, dtype=float)


def as_pairs(data: Data, net: MLP, who: str) -> list[Example]:
    """data as a list of (x, y) pairs of float lists, checked as ``as_arrays`` checks it."""
    X, Y = as_arrays(data, net, who)
    return list(zip(X.tolist(), Y.tolist()))
