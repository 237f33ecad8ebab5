"""The (X, Y) and (x, y) forms train, evaluate and diagnose take (nn.datasets), class labels included."""

import numpy as np
import pytest

import nn
from nn import MLP


def _set(m=12, n_in=4, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(m, n_in)), np.arange(m) % classes


def _params(net):
    return [p.data for p in net.parameters()]


def test_class_labels_of_shape_m_train_as_their_one_hot_rows():
    # Y of shape (m,) for a 3-output net was refused with "got (12, 1)", a shape never passed
    X, labels = _set()
    one_hot = np.eye(3)[labels]
    nets = [MLP(4, [5, 3], seed=1) for _ in range(3)]
    runs = [
        nn.train(net, data, 2, 4, 0.5, seed=2, verbose=False)
        for net, data in zip(
            nets, [(X, one_hot), (X, labels), [(x, int(c)) for x, c in zip(X, labels)]]
        )
    ]
    assert _params(nets[0]) == _params(nets[1]) == _params(nets[2])
    assert [h.cost for h in runs[0]] == [h.cost for h in runs[1]] == [h.cost for h in runs[2]]
    assert nn.evaluate(nets[0], (X, labels)) == nn.evaluate(nets[0], (X, one_hot))
    assert nn.evaluate(nets[0], (X, labels))[1] == np.mean(
        np.argmax(np.array([[v.data for v in nets[0](x)] for x in X]), axis=1) == labels
    )
    assert str(nn.diagnose(nets[0], (X, labels))) == str(nn.diagnose(nets[0], (X, one_hot)))


def test_whole_numbers_stored_as_floats_and_numpy_integers_are_labels_too():
    X, labels = _set()
    net = MLP(4, [5, 3], seed=1)
    expected = nn.evaluate(net, (X, labels))
    assert nn.evaluate(net, (X, labels.astype(float))) == expected
    assert nn.evaluate(net, (X, labels.astype(np.uint8))) == expected
    assert nn.evaluate(net, [(x, np.int64(c)) for x, c in zip(X, labels)]) == expected
    assert net.target(2) == net.target(2.0) == [0.0, 0.0, 1.0]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (3, r"Y\[5\] = 3.0 is not a class label: class labels are the whole numbers 0 … 2"),
        (-1, r"Y\[5\] = -1.0 is not a class label"),
        (1.5, r"Y\[5\] = 1.5 is not a class label"),
        (np.nan, r"Y\[5\] = nan is not a class label"),
    ],
)
def test_a_wrong_label_is_named_with_the_valid_range(bad, message):
    X, labels = _set()
    Y = labels.astype(float)
    Y[5] = bad
    net = MLP(4, [5, 3], seed=1)
    before = _params(net)
    for call in (nn.evaluate, nn.diagnose):
        with pytest.raises(ValueError, match=f"{call.__name__}: {message}"):
            call(net, (X, Y))
    with pytest.raises(ValueError, match=f"train: {message}"):
        nn.train(net, (X, Y), 1, 4, 0.5, verbose=False)
    with pytest.raises(ValueError, match=r"train: test_data: Y\[5\]"):
        nn.train(net, (X, labels), 1, 4, 0.5, verbose=False, test_data=(X, Y))
    assert _params(net) == before


def test_a_wrong_label_in_a_pair_is_named_with_its_example():
    net = MLP(4, [5, 3], seed=1)
    with pytest.raises(ValueError, match=r"train: data\[1\]: target y = 7 is not a class label"):
        nn.train(net, [([0.0] * 4, 1), ([0.0] * 4, 7)], 1, 1, 0.5, verbose=False)
    with pytest.raises(TypeError, match="Y must hold integer class labels, got <U1"):
        nn.evaluate(net, (np.zeros((2, 4)), np.array(["a", "b"])))


def test_a_one_output_net_reads_a_1d_y_as_one_target_per_row():
    X, labels = _set(classes=2)
    net = MLP(4, [3, 1], seed=0)
    assert nn.evaluate(net, (X, labels)) == nn.evaluate(net, (X, labels[:, None].astype(float)))
    with pytest.raises(ValueError, match=r"Y must have shape \(m, 1\), one target per row, got"):
        nn.evaluate(net, (X, np.eye(2)[labels]))


def test_a_wrong_shape_names_the_shape_passed():
    X, labels = _set()
    with pytest.raises(
        ValueError,
        match=r"Y must have shape \(m, 3\), one target per row or \(m,\) of class "
        r"labels, got \(12, 1\)",
    ):
        nn.evaluate(MLP(4, [5, 3], seed=1), (X, labels[:, None]))


def test_a_class_label_is_a_target_for_compare_and_the_drawings():
    net, x = MLP(4, [5, 3], seed=1), [0.1, -0.2, 0.3, 0.0]
    assert str(nn.compare(net, x, 2)) == str(nn.compare(net, x, [0.0, 0.0, 1.0]))
    from viz.network import trace_numbers

    assert trace_numbers(net, x, 1, "quadratic") == trace_numbers(net, x, [0, 1, 0], "quadratic")


def test_plain_pairs_read_in_one_call_equal_pairs_read_one_by_one():
    from nn.datasets import as_arrays

    rng = np.random.default_rng(0)
    plain = [(rng.normal(size=3).tolist(), [1.0, 0.0]) for _ in range(5)]
    numpy_scalars = [([np.float64(v) for v in x], y) for x, y in plain]  # not plain: one by one
    net = MLP(3, [2], seed=0)
    for got, want in zip(as_arrays(plain, net, "t"), as_arrays(numpy_scalars, net, "t")):
        assert np.array_equal(got, want) and got.dtype == want.dtype
    for bad, message in [
        ([0.1, True, 0.3], r"t: data\[4\]: input x\[1\]"),
        ([0.1, 0.2], r"t: data\[4\]: input must have 3 values"),
        ([0.1, float("inf"), 0.3], r"t: data\[4\]: input x\[1\]"),
    ]:
        with pytest.raises((TypeError, ValueError), match=message):
            as_arrays(plain[:4] + [(bad, [1.0, 0.0])], net, "t")
