"""The examples a newcomer runs first, end to end in a temporary folder."""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# Each example runs in this environment with the checkout's root first on PYTHONPATH.
pytestmark = pytest.mark.usefixtures("project_on_pythonpath")


def run(tmp_path, name, *args, env=None):
    return subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def test_tiny_net(tmp_path):
    done = run(tmp_path, "tiny_net.py")
    assert done.returncode == 0, done.stderr
    assert "agree to 1e-9: True" in done.stdout
    assert re.search(r"^\s+2\s+3\s", done.stdout, re.M) and re.search(
        r"^\s+3\s+2\s", done.stdout, re.M
    )
    svg = (tmp_path / "out" / "tiny_net.svg").read_text()
    assert "δ³₁ = " in svg and (tmp_path / "out" / "tiny_net.dot").exists()  # dot keeps the space
    page = (tmp_path / "out" / "tiny_net_backward.html").read_text(encoding="utf-8")
    assert "BP2: δ²₁ from δ³" in page and "9 steps after the forward pass" in done.stdout


def test_tiny_net_options(tmp_path):
    done = run(
        tmp_path,
        "tiny_net.py",
        "--sizes",
        "3,4,2",
        "--activation",
        "tanh",
        "--cost",
        "quadratic",
        "--out",
        "pics",
        "--format",
        "png",
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "pics" / "tiny_net.png").read_bytes()[:4] == b"\x89PNG"
    assert run(tmp_path, "tiny_net.py", "--help").stdout.count("--activation") >= 1
    bad = run(tmp_path, "tiny_net.py", "--x", "1,2,3")
    assert bad.returncode == 2 and "--x needs 2 numbers" in bad.stderr


def test_tiny_net_without_a_renderer_still_prints_and_writes_dot(tmp_path):
    # No renderer on PATH, and none in this Python's scripts folder either.
    hide = (
        "import runpy, sys, viz.rendering; viz.rendering.SCRIPTS_DIR = None; "
        f"sys.argv = [{str(EXAMPLES / 'tiny_net.py')!r}]; "
        "runpy.run_path(sys.argv[0], run_name='__main__')"
    )
    done = subprocess.run(
        [sys.executable, "-c", hide],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PATH": str(tmp_path / "nothing")},
    )
    assert done.returncode == 0, done.stderr
    assert "agree to 1e-9: True" in done.stdout
    assert "apt-get install graphviz" in done.stderr
    assert (tmp_path / "out" / "tiny_net.dot").exists()
    assert not (tmp_path / "out" / "tiny_net.svg").exists()


def test_examples_run_from_a_checkout_that_is_not_installed(tmp_path, monkeypatch):
    # python -S processes no .pth file, so the editable install is invisible; the
    # dependencies' folder goes on PYTHONPATH after the root as a plain folder.
    dependencies = Path(np.__file__).parent.parent
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([os.environ["PYTHONPATH"], str(dependencies)]))
    done = subprocess.run(
        [sys.executable, "-S", str(EXAMPLES / "compare.py")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "agree to 1e-9: True" in done.stdout


def test_expression(tmp_path):
    done = run(tmp_path, "expression.py")
    assert done.returncode == 0, done.stderr
    assert "-1.5000" in done.stdout and (tmp_path / "out" / "expression.svg").exists()
    page = (tmp_path / "out" / "expression_backward.html").read_text(encoding="utf-8")
    assert "the reverse pass reaches x1*w1" in page and "5 steps after" in done.stdout


def test_compare(tmp_path):
    done = run(tmp_path, "compare.py")
    assert done.returncode == 0, done.stderr
    assert "agree to 1e-9: True" in done.stdout and "cross_entropy cost, 3 examples" in done.stdout


@pytest.mark.parametrize("seed", ["0", "1"])
def test_train_reaches_95_percent(tmp_path, seed):
    done = run(tmp_path, "train.py", "--seed", seed)
    assert done.returncode == 0, done.stderr
    accuracy = float(re.search(r"accuracy ([\d.]+)%, cost", done.stdout).group(1))
    assert accuracy >= 95.0
    assert done.stdout.count("epoch ") == 20


@pytest.mark.parametrize("lr", ["10", "50"])
def test_item9_train_example_survives_large_learning_rates(tmp_path, lr):
    # issue 8 item 9: at --lr 5 … 50 a sigmoid output saturates to exactly 1.0 and the
    # cross-entropy used to die on ln 0 after epoch 1
    done = run(tmp_path, "train.py", "--lr", lr, "--epochs", "3", "--points", "60")
    assert done.returncode == 0, done.stderr
    assert "epoch 3/3" in done.stdout and "3 epochs in" in done.stdout


def test_item10_train_example_with_zero_epochs(tmp_path):
    # issue 8 item 10: --epochs 0 used to raise IndexError on history[-1]
    done = run(tmp_path, "train.py", "--epochs", "0", "--points", "20")
    assert done.returncode == 0, done.stderr
    assert "0 epochs in" in done.stdout and "accuracy" in done.stdout


def test_item11_tiny_net_too_large_to_draw_ends_with_a_message(tmp_path):
    # issue 8 item 11: --sizes 20,20,2 printed its results, then died with a traceback
    done = run(tmp_path, "tiny_net.py", "--sizes", "20,20,2")
    assert done.returncode == 0, done.stderr
    assert "agree to 1e-9: True" in done.stdout
    assert "no picture: 440 weights are too many to draw one by one" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "example, args, message",
    [
        ("train.py", ["--points", "0"], "argument --points: expected a whole number ≥ 1, got '0'"),
        ("train.py", ["--epochs", "-1"], "argument --epochs: expected a whole number ≥ 0"),
        ("train.py", ["--batch-size", "0"], "argument --batch-size: expected a whole number ≥ 1"),
        ("train.py", ["--lr", "0"], "argument --lr: expected a finite number > 0"),
        ("train.py", ["--lr", "nan"], "argument --lr: expected a finite number > 0"),
        ("digits.py", ["--lr", "inf"], "argument --lr: expected a finite number > 0"),
        ("digits.py", ["--l2", "-1"], "argument --l2: expected a finite number ≥ 0"),
        (
            "digits.py",
            ["--plot", "x.pdf"],
            "argument --plot: expected a file ending in .svg or .png",
        ),
        ("digits.py", ["--draw", "x.txt"], "argument --draw: expected a file ending in .svg"),
        ("vanishing.py", ["--lr", "-1"], "argument --lr: expected a finite number > 0"),
        ("vanishing.py", ["--plot", "x.gif"], "argument --plot: expected a file ending in"),
        ("compare.py", ["--bogus"], "unrecognized arguments: --bogus"),
        ("expression.py", ["--bogus"], "unrecognized arguments: --bogus"),
        ("higher_order.py", ["--out", "/dev/null/x"], "higher_order.py: .*/dev/null"),
        ("tiny_net.py", ["--x", "nan,1"], "argument --x: expected finite numbers"),
        ("tiny_net.py", ["--y", "1,inf"], "argument --y: expected finite numbers"),
        (
            "tiny_net.py",
            ["--activation", "relu", "--cost", "cross_entropy"],
            "the cross_entropy cost needs outputs in \\(0, 1\\)",
        ),
        (
            "tiny_net.py",
            ["--activation", "linear", "--x", "1e200,1e200"],
            "stopped: .*out of range",
        ),
    ],
)
def test_item11_examples_end_with_a_message_never_a_traceback(tmp_path, example, args, message):
    # issue 8 item 11: every option an example accepts ends in a clear message
    done = run(tmp_path, example, *args)
    assert done.returncode in (1, 2)
    assert re.search(message, done.stderr), done.stderr
    assert "Traceback" not in done.stderr


def test_item11_tiny_net_with_an_unwritable_output_folder(tmp_path):
    (tmp_path / "taken").write_text("a file where the folder should go")
    done = run(tmp_path, "tiny_net.py", "--out", "taken")
    assert done.returncode == 0, done.stderr
    assert "agree to 1e-9: True" in done.stdout
    assert "no picture: cannot write under taken" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("lr", ["0.01", "0.1", "1", "10", "100"])
def test_train_example_trains_or_stops_cleanly_at_any_learning_rate(tmp_path, lr):
    # issue 8, "done when": examples/train.py's data at learning rates 0.01 … 100
    done = run(tmp_path, "train.py", "--lr", lr, "--epochs", "2", "--points", "40")
    assert "Traceback" not in done.stderr
    if done.returncode == 0:
        assert "2 epochs in" in done.stdout
    else:
        assert done.returncode == 1 and done.stderr.startswith("training stopped: ")


def test_higher_order(tmp_path):
    done = run(tmp_path, "higher_order.py")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    # each engine derivative of tanh beside its closed form, to 12 digits
    for n in range(1, 5):
        (row,) = [line for line in lines if re.match(rf"\s+{n}\s+[+-]\d", line)]
        engine_value, closed = row.split()[1:3]
        assert engine_value == closed
    assert "converged to (1.0000000000, 1.0000000000)" in done.stdout
    assert "reverse mode: 4 sweeps" in done.stdout and "forward mode: 3 sweeps" in done.stdout
    assert "largest |forward − reverse| = 0.0e+00" in done.stdout
    assert "dy/dx" in (tmp_path / "out" / "higher_order_dy.svg").read_text()


def test_digits_one_epoch_with_the_matrix_twin_and_pictures(tmp_path, sklearn, matplotlib):
    done = run(
        tmp_path, "digits.py", "--epochs", "1", "--matrix", "--plot", "d.png", "--draw", "d.svg"
    )
    assert done.returncode == 0, done.stderr
    correct = int(re.search(r"^Epoch 1: (\d+) / 450", done.stdout, re.M).group(1))
    assert correct > 200  # one epoch of network.py's setup: well above chance (45)
    difference = float(re.search(r"largest weight difference ([\d.e+-]+)", done.stdout).group(1))
    assert difference < 1e-9 and "agree to" in done.stdout
    assert (tmp_path / "d.png").read_bytes()[:4] == b"\x89PNG"
    assert "mean ‖δ²‖" in (tmp_path / "d.svg").read_text()


def test_digits_refuses_bad_options(tmp_path):
    bad = run(tmp_path, "digits.py", "--sizes", "30,x")
    assert bad.returncode == 2 and "--sizes needs whole numbers" in bad.stderr
    assert run(tmp_path, "digits.py", "--epochs", "0").returncode == 2


def test_vanishing_prints_the_ratio_per_epoch(tmp_path, sklearn):
    done = run(tmp_path, "vanishing.py", "--epochs", "1")
    assert done.returncode == 0, done.stderr
    rows = re.findall(r"^\s+([01])((?:\s+[\d.]+e[+-]\d+){5})\s+([\d.]+)×", done.stdout, re.M)
    assert [epoch for epoch, _, _ in rows] == ["0", "1"]
    for _, speeds, ratio in rows:
        speeds = [float(s) for s in speeds.split()]
        # chapter 5: each hidden layer learns more slowly than the one after it
        assert speeds == sorted(speeds) and float(ratio) > 10
    # one epoch is too few to leave chance, and the example says so and why
    assert re.search(r"before training, layer 2 learned \d+× slower than layer 5", done.stdout)
    assert "still near chance (10 %): the early layers learn too slowly" in done.stdout


@pytest.mark.slow
def test_vanishing_by_default_trains_past_chance(tmp_path, sklearn):
    done = run(tmp_path, "vanishing.py")
    assert done.returncode == 0, done.stderr
    accuracy = float(re.search(r"held-out accuracy is ([\d.]+)%", done.stdout)[1])
    assert accuracy > 50 and "still near chance" not in done.stdout


def test_vanishing_with_a_first_layer_that_learns_nothing_prints_no_ratio(tmp_path):
    # η = 10⁶ saturates every hidden unit: layer 2's ‖∂C/∂b‖ is exactly 0
    done = run(tmp_path, "vanishing.py", "--epochs", "1", "--lr", "1e6")
    assert done.returncode == 0, done.stderr
    assert "∞ (layer 2 is 0)" in done.stdout and "1 epoch in" in done.stdout


def test_tiny_net_with_a_softmax_output_layer_and_the_log_likelihood_cost(tmp_path):
    done = run(tmp_path, "tiny_net.py", "--output", "softmax", "--cost", "log_likelihood")
    assert done.returncode == 0, done.stderr
    assert "activations=['sigmoid', 'softmax']" in done.stdout
    assert "agree to 1e-9: True" in done.stdout
    assert (tmp_path / "out" / "tiny_net_backward.html").exists()
    one = run(tmp_path, "tiny_net.py", "--sizes", "3,1", "--output", "softmax")
    assert one.returncode == 2 and "--output softmax needs at least two outputs" in one.stderr


@pytest.mark.slow
def test_tiny_net_draws_and_pages_a_10_20_10_net(tmp_path):
    done = run(tmp_path, "tiny_net.py", "--sizes", "10,20,10")
    assert done.returncode == 0, done.stderr
    assert "wrote out/tiny_net_backward.html" in done.stdout
