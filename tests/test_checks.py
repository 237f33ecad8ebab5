"""One rule for bad arguments across engine, nn and viz: the wrong kind is a TypeError, the
right kind out of range a ValueError, and the message names the argument."""

import math

import numpy as np
import pytest

import engine
import nn
from engine import checks
from nn import datasets, matrix

SEEDED = {
    "MLP": lambda seed: nn.MLP(2, [1], seed=seed),
    "moons": lambda seed: datasets.moons(10, seed=seed),
    "circles": lambda seed: datasets.circles(10, seed=seed),
    "xor": lambda seed: datasets.xor(10, seed=seed),
    "spiral": lambda seed: datasets.spiral(12, seed=seed),
    "train": lambda seed: nn.train(
        nn.MLP(1, [1], seed=0), [([0.0], [0.0])], 1, 1, 0.1, seed=seed, verbose=False
    ),
}


@pytest.mark.parametrize("who", SEEDED)
@pytest.mark.parametrize(
    "seed, error, message",
    [
        ("a", TypeError, "seed must be an integer ≥ 0 or None, got str: 'a'"),
        (1.5, TypeError, "seed must be an integer ≥ 0 or None, got float: 1.5"),
        (True, TypeError, "seed must be an integer ≥ 0 or None, got bool: True"),
        (-1, ValueError, "seed must be ≥ 0, got -1"),
    ],
)
def test_every_seed_is_refused_alike(who, seed, error, message):
    # nn.MLP(seed='a') was a TypeError, nn.datasets.moons(seed='a') a ValueError, and a
    # negative seed passed MLP but not moons
    with pytest.raises(error, match=f"^{who}: {message}$"):
        SEEDED[who](seed)


def test_every_seed_accepts_numpy_integers_and_none():
    for make in SEEDED.values():
        make(np.int64(3))
        make(None)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: datasets.moons(2.5), TypeError, "moons: n must be an integer, got float: 2.5"),
        (lambda: datasets.moons(0), ValueError, "moons: n must be ≥ 1, got 0"),
        (lambda: nn.MLP("2", [1]), TypeError, "MLP: nin must be an integer, got str: '2'"),
        (lambda: nn.MLP(2, [0]), ValueError, r"MLP: nouts\[0\] must be ≥ 1, got 0"),
        (
            lambda: engine.paths(engine.Value(1.0), engine.Value(1.0), limit=1.0),
            TypeError,
            "paths: limit must be an integer, got float",
        ),
        (lambda: datasets.moons(noise="a"), TypeError, "moons: noise must be a real number"),
        (
            lambda: nn.train(nn.MLP(1, [1]), [([0.0], [0.0])], "a", 1, 0.1, verbose=False),
            TypeError,
            "train: epochs must be an integer, got str: 'a'",
        ),
        (
            lambda: nn.train(nn.MLP(1, [1]), [([0.0], [0.0])], 1, 1, "a", verbose=False),
            TypeError,
            "train: lr must be a real number",
        ),
        (lambda: nn.SGD([], lr="a"), TypeError, "SGD: lr must be a real number"),
        (
            lambda: engine.grad(engine.Value(1.0), [engine.Value(1.0)], allow_unused=1),
            TypeError,
            "grad: allow_unused must be True or False, got int: 1",
        ),
        (lambda: datasets.moons(noise=-1), ValueError, "moons: noise must be ≥ 0, got -1"),
        (
            lambda: engine.gradcheck(lambda x: x, [1.0], eps=0.0),
            ValueError,
            "gradcheck: eps must be > 0, got 0.0",
        ),
        (
            lambda: engine.gradcheck(lambda x: x, [1.0], atol="a"),
            TypeError,
            "gradcheck: atol must be a real number",
        ),
        (
            lambda: engine.set_grad_enabled(1),
            TypeError,
            "set_grad_enabled: mode must be True or False, got int: 1",
        ),
        (
            lambda: engine.jacobian(lambda x: x, [1.0], mode="both"),
            ValueError,
            "jacobian: mode must be one of 'reverse', 'forward', got 'both'",
        ),
        (
            lambda: nn.MLP(2, [1], activation="swish"),
            ValueError,
            "activation must be one of 'sigmoid', .*, got 'swish'",
        ),
        (
            lambda: nn.MLP(2, [1, 1], activation=["relu"]),
            ValueError,
            r"activation must have 2 values \(one per layer\), got 1",
        ),
        (
            lambda: nn.MLP(2, [1]).save(3),
            TypeError,
            "path must be a file path \\(str or os.PathLike\\), got int: 3",
        ),
        (
            lambda: nn.MLP.load(None),
            TypeError,
            "path must be a file path \\(str or os.PathLike\\), got NoneType",
        ),
    ],
)
def test_each_kind_of_mistake_has_one_exception_and_one_message_shape(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_sgd_update_checks_its_rate_like_everything_else():
    net = nn.MLP(2, [1], seed=0)
    X, Y = np.ones((2, 3)), np.ones((1, 3))
    with pytest.raises(ValueError, match="sgd_update: eta must be > 0, got -0.5"):
        matrix.sgd_update(net.weights(), net.biases(), X, Y, -0.5)
    with pytest.raises(ValueError, match="sgd_update: l2 must be finite, got inf"):
        matrix.sgd_update(net.weights(), net.biases(), X, Y, 0.5, l2=math.inf)
    with pytest.raises(TypeError, match="sgd_update: eta must be a real number"):
        matrix.sgd_update(net.weights(), net.biases(), X, Y, "0.5")


def test_the_checks_return_what_they_accept():
    assert checks.count(np.int32(3), "n") == 3 and type(checks.count(np.int32(3), "n")) is int
    assert checks.seed(None, "seed") is None and checks.seed(np.int64(0), "seed") == 0
    assert checks.flag(np.bool_(True), "f") is True
    assert checks.real_number(np.float32(0.5), "x", positive=True) == 0.5
    assert checks.one_of("LR", "rankdir", ("LR", "TB")) == "LR"
    with pytest.raises(ValueError, match=r"rankdir must be one of 'LR', 'TB', got \['LR'\]"):
        checks.one_of(["LR"], "rankdir", ("LR", "TB"))  # unhashable: no name, not a crash


def test_the_drawings_check_their_sizes_and_formats_alike():
    from viz import draw_dot, draw_net, sum_over_paths_net

    x = engine.Value(1.0)
    with pytest.raises(TypeError, match="draw_dot: max_nodes must be an integer, got str: '10'"):
        draw_dot(x * 2, max_nodes="10")
    with pytest.raises(ValueError, match="draw_dot: max_nodes must be ≥ 1, got 0"):
        draw_dot(x * 2, max_nodes=0)
    with pytest.raises(TypeError, match="draw_net: max_weights must be an integer, got float"):
        draw_net(nn.MLP(2, [1], seed=0), [0.0, 1.0], max_weights=2.5)
    with pytest.raises(TypeError, match="number_format must be a format spec \\(a str\\)"):
        draw_dot(x * 2, number_format=4)
    net = nn.MLP(2, [1], seed=0)
    with pytest.raises(
        ValueError, match=r"sum_over_paths_net: weight must have 3 values \(l, j, k\), got 2"
    ):
        sum_over_paths_net(net, [0.0, 1.0], [1.0], weight=(2, 0))
    with pytest.raises(
        TypeError, match=r"sum_over_paths_net: weight\[1\] must be an integer, got float"
    ):
        sum_over_paths_net(net, [0.0, 1.0], [1.0], weight=(2, 0.5, 0))


def test_gradcheck_takes_raise_exception_as_a_flag():
    # raise_exception="no" is truthy: it raised where the caller asked for False
    with pytest.raises(TypeError, match="gradcheck: raise_exception must be True or False"):
        engine.gradcheck(lambda x: x * x, [1.0], raise_exception="no")
    with pytest.raises(TypeError, match="gradgradcheck: raise_exception must be True or False"):
        engine.gradgradcheck(lambda x: x * x, [1.0], raise_exception=0)
