"""Nielsen's network.py experiment on the UCI handwritten digits, trained by the engine.

By default a 64-30-10 sigmoid net, quadratic cost, N(0, 1) weights, η = 3.0, mini-batches
of 10, 30 epochs, scored each epoch on 450 held-out images as network.py prints it:

    python examples/digits.py                                        # chapter 1
    python examples/digits.py --cost cross_entropy --init scaled --lr 0.5   # chapter 3
    python examples/digits.py --cost log_likelihood --init scaled --lr 1.0  # softmax output
    python examples/digits.py --epochs 3 --matrix                    # BP1–BP4 alongside
    python examples/digits.py --plot out/digits.svg --draw out/digits_layers.svg

``--matrix`` trains a copy with nn.matrix (BP1–BP4 in numpy) from the same initial weights
on the same mini-batches and prints the largest weight difference after each epoch.
nn.train replays one recorded example's graph per mini-batch (engine.compile) where it
can; ``--scalar`` makes it build and backpropagate every example's graph of Values.
Needs scikit-learn (pip install -e ".[data]"); --plot needs matplotlib (".[plot]").
examples/mnist.py runs the same experiment on 28×28 MNIST digits.
"""

import nn
from nielsen import experiment, parser
from options import check_outputs, run


def main() -> None:
    args = parser(__doc__).parse_args()
    check_outputs(args.plot, args.draw)  # before any work, not after it
    train, test = nn.datasets.digits(test_size=450, seed=0)
    experiment(args, train, test, "images")


if __name__ == "__main__":
    run(main)
