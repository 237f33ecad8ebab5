"""The examples a newcomer runs first, end to end in a temporary folder."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


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
    assert "δ³₁" in svg and (tmp_path / "out" / "tiny_net.dot").exists()


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


def test_expression(tmp_path):
    done = run(tmp_path, "expression.py")
    assert done.returncode == 0, done.stderr
    assert "-1.5000" in done.stdout and (tmp_path / "out" / "expression.svg").exists()


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
