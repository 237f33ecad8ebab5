"""The numbers the docs quote in their prose, produced here: each test either runs what the
sentence reports on, or reads the tested table or output block that the sentence quotes from."""

import math
import os
import random
import re
import subprocess
import sys
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import pytest

import engine
import nn
from nn import matrix
from viz.network import trace_numbers
from viz.paths_pages import net_paths

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # only a speed-up: the test extra installs it

    def threadpool_limits(limits):
        return nullcontext()


ROOT = Path(__file__).resolve().parent.parent


def prose(name: str) -> str:
    """A page of docs/ with its line breaks and runs of spaces made single spaces."""
    return " ".join((ROOT / "docs" / name).read_text("utf-8").split())


def signed(x: float, spec: str = ".3g") -> str:
    """x as the docs write it, with a real minus sign."""
    return format(x, spec).replace("-", "−")


def run_example(name: str, *args: str) -> str:
    """What ``python examples/name args`` prints, run from the project's root."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / name), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


EXPERIMENTS = prose("experiments.md")


def _row(pattern: str) -> list[float]:
    found = re.search(pattern, EXPERIMENTS)
    assert found is not None, pattern
    return [float(g) for g in found.groups()]


# --- experiments.md: the prose against its own tables and quoted output (checked elsewhere)


def test_the_digits_prose_quotes_the_digits_table_and_run():
    (default,) = _row(
        r"\| \(defaults: quadratic, N\(0, 1\), η = 3\.0\) \| [\d.]+ % \| [\d.–]+ %, mean ([\d.]+) %"
    )
    (scaled,) = _row(
        r"\| `--cost cross_entropy --init scaled --lr 0\.5` \| [\d.]+ % \| [\d.–]+ %, mean ([\d.]+) %"
    )
    assert f"64-30-10 net learns to {round(default)} %" in EXPERIMENTS
    assert (
        f"the 8×8 digits show +{scaled - default:.1f} for cross-entropy and scaled "
        f"initialisation ({default} % → {scaled} %, mean of seeds 0–9" in EXPERIMENTS
    )
    held_out, training = _row(
        r"held-out accuracy ([\d.]+)% after 30 epochs \(training accuracy ([\d.]+)%\)"
    )
    assert training - held_out < 3
    assert (
        f"there the held-out accuracy ({held_out} %) ends within three points of the training "
        f"accuracy ({training} %)" in EXPERIMENTS
    )
    (images,) = _row(r"; (\d+) training and 450 held-out images;")
    steps = 30 * math.ceil(images / 10)
    assert f"agree to 1e-13 through {steps:,} SGD steps" in EXPERIMENTS


def test_the_mnist_prose_quotes_the_mnist_tables():
    first = _row(r"\| 1 \| ([\d.]+) % \| ([\d.]+) % \| ([\d.]+) % \| ([\d.]+) % \|")
    last = _row(r"\| 30 \| ([\d.]+) % \| ([\d.]+) % \| ([\d.]+) % \| ([\d.]+) % \|")
    assert f"network2's training accuracy reaches {last[2]} %" in EXPERIMENTS
    assert (
        f"{round(first[3])} % held out after one epoch against {round(first[1])} %" in EXPERIMENTS
    )
    seeds = r" \| ([\d.]+) % \| ([\d.]+) % \| ([\d.]+) % \| \*\*"
    gain = np.mean(_row(r"\| `--network2`" + seeds)) - np.mean(_row(r"\| `network\.py`" + seeds))
    assert f"+{gain:.1f} points from cross-entropy, scaled initialisation and L2" in EXPERIMENTS


def test_the_vanishing_prose_quotes_the_quoted_run():
    layers = _row(
        r"held out 0 ([\d.e+-]+) ([\d.e+-]+) ([\d.e+-]+) ([\d.e+-]+) ([\d.e+-]+) [\d.]+× 10\.0%"
    )
    hidden = layers[:4]  # layers 2 … 5; layer 6 is the output
    assert all(4 <= b / a <= 6 for a, b in zip(hidden, hidden[1:]))  # "about five times"
    assert hidden[-1] / hidden[0] > 100
    assert (
        "about five times more slowly than the one after it, and the first over 100 times"
        in EXPERIMENTS
    )
    (sixth,) = _row(r"held out .*? 6(?: [\d.e+-]+){5} [\d.]+× ([\d.]+)%")
    (ninth,) = _row(r"held out .*? 9(?: [\d.e+-]+){5} [\d.]+× ([\d.]+)%")
    assert abs(sixth - 10.0) < 1.0 and ninth > 15.0  # chance is 10 %: one class in ten
    assert f"the net sits at chance ({sixth} % held out after six epochs)" in EXPERIMENTS
    assert f"then it breaks out and trains ({ninth} % after nine)" in EXPERIMENTS


# --- experiments.md: the prose against runs made here


VANISHING_ROW = re.compile(r"^\s*(\d+)(?:\s+[\d.]+e[-+]\d+){5}\s+([\d.]+)×\s+([\d.]+)%$", re.M)


@pytest.mark.slow
def test_the_vanishing_gradient_runs_say_what_the_prose_says(sklearn):
    # with chapter 1's N(0, 1) weights the ratio stays near 1, and the net trains at once
    out = run_example("vanishing.py", "--init", "normal", "--cost", "quadratic")
    rows = [(int(e), float(r), float(a)) for e, r, a in VANISHING_ROW.findall(out)]
    ratios = [r for e, r, _ in rows if e >= 5]
    passes = next(e for e, _, a in rows if a >= 92.0)
    assert len(rows) == 31
    assert (
        f"the ratio is {rows[0][1]} before training and {min(ratios)}–{max(ratios)} from the "
        f"fifth epoch on, and the same net passes 92 % in {passes} epochs" in EXPERIMENTS
    )


@pytest.mark.slow
def test_the_saturated_64_100_10_net_is_as_the_prose_says(sklearn):
    train, _ = nn.datasets.digits(test_size=450, seed=0)
    X, Y = np.array([x for x, _ in train]).T, np.array([y for _, y in train]).T
    net = nn.MLP(64, [100, 10], seed=0, init="normal")
    twin, rng, differences = [net.weights(), net.biases()], random.Random(0), []

    def matrix_epoch(stats):
        """examples/digits.py --matrix: nn.matrix on the same mini-batches, then the gap."""
        for batch in nn.training.epoch_batches(X.shape[1], 10, rng):
            twin[:] = matrix.sgd_update(*twin, X[:, batch], Y[:, batch], 3.0)
        ours = net.weights() + net.biases()
        differences.append(max(np.max(np.abs(a - b)) for a, b in zip(ours, twin[0] + twin[1])))

    scaled = nn.MLP(64, [100, 10], seed=0, init="scaled")
    nn.train(net, train, 30, 10, 3.0, seed=0, verbose=False, on_epoch=matrix_epoch)
    nn.train(scaled, train, 30, 10, 3.0, seed=0, verbose=False)
    nets = {"normal": net, "scaled": scaled}
    saturated = {k: nn.diagnose(v, train).layers[0].saturated for k, v in nets.items()}
    assert (
        f"finds {100 * saturated['normal']:.0f} % of its hidden units' σ'(z) below 1 % of their "
        f"largest value after training (seed 0), against {100 * saturated['scaled']:.1f} % "
        f"with N(0, 1/n_in) weights" in EXPERIMENTS
    )
    # its --matrix twin: rounding-sized at first, amplified by training into another trajectory
    first, tenth = (re.sub(r"e-0*", "e-", f"{d:.0e}") for d in (differences[0], differences[9]))
    assert f"every step agrees to rounding ({first} after the first epoch)" in EXPERIMENTS
    assert f"to {tenth} by epoch 10 and {differences[29]:.1f} by epoch 30" in EXPERIMENTS


MNIST_SETUPS = {  # examples/mnist.py: network.py's set-up and --network2
    "network.py": {"cost": "quadratic", "init": "normal", "lr": 3.0, "l2": 0.0},
    "network2.py": {"cost": "cross_entropy", "init": "scaled", "lr": 0.5, "l2": 0.4},
}


def _mnist_epochs(train, test, setup):
    """Each epoch's (training accuracy, held-out accuracy, training cost, held-out cost) of
    seed 0's run, replayed through nn.matrix, and the hidden layer's saturated share after
    the first epoch."""
    X, Y = np.array([x for x, _ in train]).T, np.array([y for _, y in train]).T
    Xt, Yt = np.array([x for x, _ in test]).T, np.array([y for _, y in test]).T
    net = nn.MLP(784, [30, 10], seed=0, init=setup["init"])
    W, B, rng = net.weights(), net.biases(), random.Random(0)
    epochs, saturated = [], None
    for epoch in range(30):
        for batch in nn.training.epoch_batches(X.shape[1], 10, rng):
            W, B = matrix.sgd_update(
                W, B, X[:, batch], Y[:, batch], setup["lr"], "sigmoid", setup["cost"],
                l2=setup["l2"], n=X.shape[1],
            )  # fmt: skip
        scores = []
        for A, T in ((X, Y), (Xt, Yt)):
            bp = matrix.backprop_batch(W, B, A, T, "sigmoid", setup["cost"])
            scores.append((np.mean(np.argmax(bp.a[-1], 0) == np.argmax(T, 0)), bp.cost))
        epochs.append((scores[0][0], scores[1][0], scores[0][1], scores[1][1]))
        if epoch == 0:
            health = nn.diagnose(nn.MLP.from_matrices(W, B), (X.T, Y.T), setup["cost"])
            saturated = health.layers[0].saturated
    return epochs, saturated


@pytest.mark.slow
def test_the_mnist_runs_per_epoch_are_the_table_and_the_prose(mnist):
    train, test = mnist
    with threadpool_limits(1):  # small matrices: one thread beats several
        runs = {name: _mnist_epochs(train, test, setup) for name, setup in MNIST_SETUPS.items()}
    (first, saturated), (second, _) = runs["network.py"], runs["network2.py"]
    for epoch in (1, 2, 3, 5, 10, 15, 20, 25, 30):
        cells = [
            first[epoch - 1][0],
            first[epoch - 1][1],
            second[epoch - 1][0],
            second[epoch - 1][1],
        ]
        row = " | ".join(f"{100 * c:.1f} %" for c in cells)
        assert f"| {epoch} | {row} |" in EXPERIMENTS
    held_out_cost = [e[3] for e in second[3:]]  # from epoch 4 on
    assert f"{min(held_out_cost):.2f}–{max(held_out_cost):.2f}" == "0.50–0.54"
    assert (
        f"stays at 0.50–0.54 from epoch 4 on while the training cost goes on down from "
        f"{second[3][2]:.2f} to {second[29][2]:.2f}" in EXPERIMENTS
    )
    assert abs(100 * np.mean([e[1] for e in second[9:]]) - 92.5) < 0.15
    assert "held-out accuracy has stopped rising at about 92.5 % by epoch 10" in EXPERIMENTS
    assert (
        f"finds {100 * saturated:.0f} % of them below 1 % of their largest σ' after the first epoch"
        in EXPERIMENTS
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", MNIST_SETUPS)
def test_two_mnist_epochs_end_within_1e_13_of_torch(torch, mnist, name):
    setup, (train, _) = MNIST_SETUPS[name], mnist
    X, Y = np.array([x for x, _ in train]), np.array([y for _, y in train])
    net = nn.MLP(784, [30, 10], seed=0, init=setup["init"])
    model = nn.to_torch(net)
    nn.train(
        net, (X, Y), 2, 10, setup["lr"], cost=setup["cost"], seed=0, l2=setup["l2"], verbose=False
    )
    weights = [m.weight for m in model if isinstance(m, torch.nn.Linear)]
    biases = [m.bias for m in model if isinstance(m, torch.nn.Linear)]
    optimizer = torch.optim.SGD(
        [{"params": weights, "weight_decay": setup["l2"] / len(X)}, {"params": biases}],
        lr=setup["lr"],
    )
    cost_of, rng = nn.torch_cost(setup["cost"]), random.Random(0)
    x, y = torch.from_numpy(X), torch.from_numpy(Y)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # mini-batches of 10: threads only wait for each other
    try:
        for _ in range(2):
            for batch in nn.training.epoch_batches(len(X), 10, rng):
                optimizer.zero_grad()
                out = model(x[batch]) if setup["cost"] == "quadratic" else model[:-1](x[batch])
                cost_of(out, y[batch]).backward()
                optimizer.step()
    finally:
        torch.set_num_threads(threads)
    ours = np.concatenate([a.ravel() for a in net.weights() + net.biases()])
    theirs = nn.from_torch(model)
    theirs_numbers = np.concatenate([a.ravel() for a in theirs.weights() + theirs.biases()])
    assert np.max(np.abs(ours - theirs_numbers)) < 1e-13
    assert (
        "two epochs of 400 mini-batches end with the parameters within 1e-13 of each other"
        in prose("torch.md")
    )


# --- backpropagation.md and compile.md


def test_the_two_paths_of_w2_00_multiply_out_as_the_page_says():
    net, x, y = nn.MLP(2, [3, 2], seed=0), [0.5, -1.0], [1.0, 0.0]
    found = net_paths(trace_numbers(net, x, y, "quadratic"), 2, 0, 0)
    page = prose("backpropagation.md")
    for p in found:
        rates = " × ".join(f"({signed(r)})" if r < 0 else signed(r) for r in p.rates)
        assert f"{rates} = {signed(p.product)}" in page
    bp4 = matrix.backprop(net.weights(), net.biases(), x, y).grad_w[0][0][0]
    assert math.isclose(sum(p.product for p in found), bp4, rel_tol=1e-12)
    assert f"add up to the {signed(bp4)} that BP4 gives" in page
    # and nn.compare on that net: the engine and BP1–BP4 "about 1e-17" apart
    assert nn.compare(net, x, y).max_error < 1e-16
    assert "reports the largest difference (about 1e-17 on the 2-3-2 net)" in page


def test_the_compiled_demo_is_the_summary_the_page_quotes():
    text = (ROOT / "docs" / "compile.md").read_text("utf-8")
    setup = re.search(r"```python\n(.*?^step = engine\.compile\(.*?\)\n)", text, re.S | re.M)
    namespace: dict = {}
    exec(compile(setup.group(1), "docs/compile.md", "exec"), namespace)
    step = namespace["step"]
    summary = str(step.summary())
    quoted = re.search(r"```\n(Compiled\(loss: .*?)```", text, re.S).group(1)
    assert summary.strip() == quoted.strip()
    assert isinstance(step, engine.Compiled)
    nodes, groups = len(step.nodes), len(step.groups)
    assert f"{nodes} nodes, {groups} numpy operations forward and {groups} back" in prose(
        "compile.md"
    )


def _first_rows(text: str) -> dict[str, str]:
    """The 2-3-2 rows of why_fast's table: method → its largest difference from backprop."""
    rows = [line.split("|") for line in text.splitlines() if line.startswith("| ")]
    start = next(i for i, r in enumerate(rows) if r[1].strip() == "2-3-2")
    return {r[3].strip(): r[7].strip() for r in rows[start : start + 3]}


@pytest.mark.slow
def test_why_fast_on_the_2_3_2_net_agrees_as_the_table_and_prose_say():
    measured = _first_rows(run_example("why_fast.py", "--nets", "2-3-2"))
    assert _first_rows((ROOT / "docs" / "backpropagation.md").read_text("utf-8")) == measured
    central, forward = measured["central differences"], measured["forward mode (engine.jvp)"]
    assert 1e-10 <= float(central) < 2e-10 and float(forward) < 2e-17
    page = prose("backpropagation.md")
    assert "Central differences agree with backprop to about 1e-10" in page
    assert "forward mode agrees to about 1e-17" in page
