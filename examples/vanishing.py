"""Chapter 5 of Nielsen's book on the digits: in a deep sigmoid net the early layers learn slowest.

A 64-30-30-30-30-10 sigmoid net, set up as in the chapter with network2.py (cross-entropy
cost, N(0, 1/n_in) weights, mini-batches of 10), trained by the engine. Before training
and after each epoch it prints the speed at which each layer learns, ‖∂C/∂b^l‖ over the
training images (from nn.diagnose), side by side, and how many times faster the last
hidden layer learns than the first:

    python examples/vanishing.py [--epochs 30] [--plot out/vanishing.svg]
    python examples/vanishing.py --init normal --cost quadratic   # chapter 1's setup

At first layer 2 learns about 100 times slower than layer 5, and the net sits at chance
(10 %) while its early layers barely move; after some ten epochs it breaks out and
trains. The chapter's η = 0.1 is for 50,000 images (5,000 steps an epoch); on these
1,347 (135 steps an epoch) it would sit at chance for hundreds of epochs, so η = 3.0
here. The chapter also sets λ = 5.0; the decay per step is ηλ/n, which on 1,347 images
would be 37 times as strong, so λ is 0 here unless --l2 says otherwise.

Needs scikit-learn (pip install -e ".[data]"); the plot needs matplotlib (".[plot]").
"""

import argparse
import time

import nn
import viz
from options import add_picture_options, check_outputs, count, non_negative, positive, run

HIDDEN = [30, 30, 30, 30]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--epochs", type=count(1), default=30)
    parser.add_argument("--cost", choices=["quadratic", "cross_entropy"], default="cross_entropy")
    parser.add_argument("--init", choices=["normal", "scaled"], default="scaled")
    parser.add_argument(
        "--lr", type=positive, default=3.0, help="the learning rate η (default 3.0)"
    )
    parser.add_argument(
        "--l2", type=non_negative, default=0.0, help="the L2 regularisation λ (default 0)"
    )
    parser.add_argument("--seed", type=int, default=0)
    add_picture_options(parser)
    args = parser.parse_args()
    check_outputs(args.plot, args.draw)  # before the run, not after it

    train, test = nn.datasets.digits()
    net = nn.MLP(64, [*HIDDEN, 10], seed=args.seed, init=args.init)
    first, last = 2, len(HIDDEN) + 1  # the hidden layers are l = 2 … 5
    print(
        f"{net}: {args.cost} cost, {args.init} init, η = {args.lr}, λ = {args.l2}, "
        f"mini-batches of 10, {len(train)} training images"
    )
    print(f"speed of learning ‖∂C/∂b^l‖ over the training images; layer {last + 1} is the output")
    header = " ".join(f"{f'layer {l}':>9}" for l in range(first, last + 2))
    print(f"{'epoch':>5} {header}  {f'layer {last} / layer {first}':>17}  held out")

    def report(epoch: int, health: nn.Diagnosis, accuracy: str) -> None:
        speeds = [h.grad_b for h in health.layers]
        # a saturated first layer can learn at exactly 0: no ratio then
        slowest = speeds[first - 2]
        ratio = f"{speeds[last - 2] / slowest:>16.1f}×" if slowest else f"{'∞ (layer 2 is 0)':>17}"
        cells = " ".join(f"{s:>9.2e}" for s in speeds)
        print(f"{epoch:>5} {cells}  {ratio}  {accuracy}", flush=True)

    start_health = nn.diagnose(net, train, args.cost)
    report(0, start_health, f"{nn.evaluate(net, test, args.cost)[1]:.1%}")
    start = time.perf_counter()
    history = nn.train(
        net, train, args.epochs, 10, args.lr, cost=args.cost, seed=args.seed, test_data=test,
        l2=args.l2, diagnose=True, verbose=False,
        on_epoch=lambda s: report(s.epoch, s.diagnosis, f"{s.test_accuracy:.1%}"),
    )  # fmt: skip
    seconds = time.perf_counter() - start
    print(f"{args.epochs} epoch{'s' * (args.epochs > 1)} in {seconds:.1f} s")
    speeds = [h.grad_b for h in start_health.layers]
    accuracy = history[-1].test_accuracy or 0.0
    if speeds[first - 2] > 0:
        print(
            f"before training, layer {first} learned {speeds[last - 2] / speeds[first - 2]:.0f}× "
            f"slower than layer {last}; after {args.epochs} epochs the held-out accuracy is "
            f"{accuracy:.1%}"
        )
    if accuracy < 0.2:
        print(
            "still near chance (10 %): the early layers learn too slowly to have moved yet; "
            "give it more --epochs or a larger --lr (this is the vanishing gradient)"
        )
    if args.plot:
        title = f"64-30-30-30-30-10 sigmoid, {args.cost} cost, {args.init} init"
        print(f"wrote {viz.plot_history(history, args.plot, title=title)}")
    if args.draw:
        drawing = viz.draw_layers(net, train, args.cost, rankdir="TB", key=True)  # a column
        print(f"wrote {viz.render(drawing, args.draw)}")


if __name__ == "__main__":
    run(main)
