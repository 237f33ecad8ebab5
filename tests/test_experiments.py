"""The accuracies docs/experiments.md reports for examples/mnist.py, replayed through nn.matrix.

nn.train and nn.matrix agree to 1e-13 on these runs (``examples/mnist.py --matrix``; the
test of the example checks the twin), so the accuracy over seeds 0–2 is checked on the
matrix side, in numpy, with the example's initial weights and mini-batches.
"""

import random
from contextlib import nullcontext

import numpy as np
import pytest

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # only a speed-up: the test extra installs it

    def threadpool_limits(limits):
        return nullcontext()


import nn
from nn import matrix

SETUPS = {  # examples/mnist.py: network.py's set-up and --network2
    "network.py": ({"cost": "quadratic", "init": "normal", "lr": 3.0, "l2": 0.0}, 0.895),
    "network2.py": ({"cost": "cross_entropy", "init": "scaled", "lr": 0.5, "l2": 0.4}, 0.925),
}


def _held_out_accuracy(train, test, setup, seed, epochs=30, batch_size=10):
    X, Y = (np.array([x for x, _ in train]), np.array([y for _, y in train]))
    net = nn.MLP(784, [30, 10], seed=seed, init=setup["init"])
    W, B, rng = net.weights(), net.biases(), random.Random(seed)
    for _ in range(epochs):
        for batch in nn.training.epoch_batches(len(X), batch_size, rng):
            W, B = matrix.sgd_update(
                W, B, X[batch].T, Y[batch].T, setup["lr"], "sigmoid", setup["cost"],
                l2=setup["l2"], n=len(X),
            )  # fmt: skip
    Xt, labels = np.array([x for x, _ in test]), np.array([np.argmax(y) for _, y in test])
    return float(np.mean(np.argmax(matrix.feedforward(W, B, Xt.T), axis=0) == labels))


@pytest.mark.slow
@pytest.mark.parametrize("name", SETUPS)
def test_mnist_held_out_accuracy_over_seeds_0_to_2_meets_the_target(mnist, name):
    setup, target = SETUPS[name]
    train, test = mnist
    with threadpool_limits(1):  # small matrices: one thread is 3x faster than several
        accuracies = [_held_out_accuracy(train, test, setup, seed) for seed in range(3)]
    assert np.mean(accuracies) >= target, accuracies
