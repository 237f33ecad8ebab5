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
pytestmark = [pytest.mark.usefixtures("project_on_pythonpath"), pytest.mark.slow]


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
    # No renderer on PATH, and none in this Python's scripts folder either; the examples'
    # folder first on sys.path, as `python examples/tiny_net.py` puts it.
    hide = (
        "import runpy, sys, viz.rendering; viz.rendering.SCRIPTS_DIR = None; "
        f"sys.argv = [{str(EXAMPLES / 'tiny_net.py')!r}]; sys.path.insert(0, {str(EXAMPLES)!r}); "
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


@pytest.mark.slow
@pytest.mark.parametrize(
    "example, page",
    [("expression.py", "expression_backward.html"), ("tiny_net.py", "tiny_net_backward.html")],
)
def test_open_shows_the_page_in_the_system_browser(tmp_path, example, page):
    # webbrowser runs $BROWSER with the page's address: here a script that writes it down
    recorder = tmp_path / "browser.py"
    recorder.write_text("import sys; open(sys.argv[2], 'w').write(sys.argv[1])")
    opened = tmp_path / "opened.txt"
    env = {**os.environ, "BROWSER": f"{sys.executable} {recorder} %s {opened}"}
    done = run(tmp_path, example, "--open", env=env)
    assert done.returncode == 0, done.stderr
    assert opened.read_text() == (tmp_path / "out" / page).resolve().as_uri()
    assert not (tmp_path / "again.txt").exists()
    done = run(
        tmp_path, example, env={**env, "BROWSER": f"{sys.executable} {recorder} %s again.txt"}
    )
    assert done.returncode == 0 and not (tmp_path / "again.txt").exists()  # only when asked


def test_open_without_a_browser_says_where_the_page_is(tmp_path, monkeypatch, capsys):
    import importlib
    import webbrowser

    monkeypatch.syspath_prepend(str(EXAMPLES))
    options = importlib.import_module("options")
    asked = []
    monkeypatch.setattr(webbrowser, "open", lambda url: asked.append(url) or False)
    options.open_page(tmp_path / "page.html")
    assert asked == [(tmp_path / "page.html").as_uri()]
    assert f"found no web browser to open: open {tmp_path / 'page.html'}" in capsys.readouterr().err


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
def test_train_example_survives_large_learning_rates(tmp_path, lr):
    # at --lr 5 … 50 a sigmoid output saturates to exactly 1.0 and the
    # cross-entropy used to die on ln 0 after epoch 1
    done = run(tmp_path, "train.py", "--lr", lr, "--epochs", "3", "--points", "60")
    assert done.returncode == 0, done.stderr
    assert "epoch 3/3" in done.stdout and "3 epochs in" in done.stdout


def test_train_example_with_zero_epochs(tmp_path):
    # --epochs 0 used to raise IndexError on history[-1]
    done = run(tmp_path, "train.py", "--epochs", "0", "--points", "20")
    assert done.returncode == 0, done.stderr
    assert "0 epochs in" in done.stdout and "accuracy" in done.stdout


def test_tiny_net_too_large_to_draw_ends_with_a_message(tmp_path):
    # --sizes 20,20,2 printed its results, then died with a traceback
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
def test_examples_end_with_a_message_never_a_traceback(tmp_path, example, args, message):
    # every option an example accepts ends in a clear message
    done = run(tmp_path, example, *args)
    assert done.returncode in (1, 2)
    assert re.search(message, done.stderr), done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    "example, args, unwritable",
    [
        ("digits.py", ["--plot", "taken/x.svg"], "taken/x.svg"),
        ("digits.py", ["--draw", "taken/x.svg"], "taken/x.svg"),
        ("vanishing.py", ["--plot", "taken/x.png"], "taken/x.png"),
        ("vanishing.py", ["--draw", "taken/x.svg"], "taken/x.svg"),
        ("tiny_net.py", ["--out", "taken"], "taken/tiny_net.svg"),
        ("higher_order.py", ["--out", "taken"], "taken/higher_order_dy.svg"),
        ("expression.py", [], "out/expression.svg"),
    ],
)
def test_every_example_refuses_an_unwritable_output_before_any_work(
    tmp_path, example, args, unwritable
):
    # digits.py --plot /proc/nope/x.svg trained for the whole run, then failed
    # (tiny_net printed its numbers, then "no picture"): now one line, at once
    (tmp_path / "taken").write_text("a file where a folder should go")
    (tmp_path / "out").write_text("a file where a folder should go")
    done = run(tmp_path, example, *args)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == f"{example}: cannot write {unwritable}: Not a directory\n"


@pytest.mark.parametrize("lr", ["0.01", "0.1", "1", "10", "100"])
def test_train_example_trains_or_stops_cleanly_at_any_learning_rate(tmp_path, lr):
    # examples/train.py's data at learning rates 0.01 … 100
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


@pytest.mark.slow
def test_mnist_two_epochs_of_each_setup_with_the_matrix_twin_and_pictures(
    tmp_path, mnist, matplotlib
):
    done = run(
        tmp_path, "mnist.py", "--epochs", "2", "--matrix", "--plot", "m.svg", "--draw", "l.svg"
    )
    assert done.returncode == 0, done.stderr
    assert (
        "784 -> 30 -> 10" in done.stdout and "quadratic cost, normal init, η = 3.0" in done.stdout
    )
    correct = int(re.search(r"^Epoch 2: (\d+) / 1000", done.stdout, re.M).group(1))
    assert correct > 500  # two epochs of network.py's setup: far above chance (100)
    assert "agree to" in done.stdout and "(< 1e-9: True)" in done.stdout
    assert "mean ‖δ²‖" in (tmp_path / "l.svg").read_text()
    done = run(tmp_path, "mnist.py", "--network2", "--epochs", "1", "--lr", "0.4")
    assert done.returncode == 0, done.stderr
    assert "cross_entropy cost, scaled init, η = 0.4, λ = 0.4" in done.stdout
    assert int(re.search(r"^Epoch 1: (\d+) / 1000", done.stdout, re.M).group(1)) > 800


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


def test_paths(tmp_path):
    done = run(tmp_path, "paths.py", "--weight", "3,1,0")
    assert done.returncode == 0, done.stderr
    assert "3 paths from x to y" in done.stdout and "backward() gives x.grad = 7" in done.stdout
    assert done.stdout.count("✓ the sum agrees") == 2  # with backward() and with BP4
    net_page = (tmp_path / "out" / "paths_net.html").read_text(encoding="utf-8")
    assert "∂C/∂w³₁₀ as a sum over 1 path" in net_page
    assert (tmp_path / "out" / "paths_expression.html").exists()
    bad = run(tmp_path, "paths.py", "--weight", "2,9,0")
    assert bad.returncode == 1 and "needs 0 ≤ j < 3" in bad.stderr and not bad.stdout


def test_why_fast_on_the_small_net(tmp_path, matplotlib):
    done = run(
        tmp_path, "why_fast.py", "--nets", "2-3-2,8-8-8", "--sample", "20", "--plot", "t.png"
    )
    assert done.returncode == 0, done.stderr
    rows = [line.split("|") for line in done.stdout.splitlines() if line.startswith("| ")]
    fd = [r for r in rows if r[3].strip() == "central differences"]
    assert [r[1].strip() for r in fd] == ["2-3-2", "8-8-8"] and fd[0][4].strip() == "35 forward"
    # 17 parameters, all timed; 144, timed on 20
    assert "extrapolated" not in fd[0][5] and "extrapolated from 20" in fd[1][5]
    for r in fd:
        gap = float(r[7].split()[0])
        assert gap < 1e-8  # central differences agree with backprop on every coordinate timed
    assert (tmp_path / "t.png").read_bytes()[:4] == b"\x89PNG"
    bad = run(tmp_path, "why_fast.py", "--nets", "2-x")
    assert bad.returncode == 2 and "expected nets like 2-3-2" in bad.stderr


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


def test_compiled_loop(tmp_path):
    done = run(tmp_path, "compiled_loop.py", "--steps", "60")
    assert done.returncode == 0, done.stderr
    assert "step   60: loss" in done.stdout and "accuracy 100%" in done.stdout
    w = re.search(r"w\^2_00: p\.data (\S+), the compiled arrays (\S+)", done.stdout)
    assert w and w[1] == w[2] and w[1] != "0.000000"
    assert "agree with the compiled ones to 1e-12: True" in done.stdout
    bad = run(tmp_path, "compiled_loop.py", "--lr", "0")
    assert bad.returncode == 2 and "expected a finite number" in bad.stderr
