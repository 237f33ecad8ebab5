"""The benchmarks run at tiny sizes, so they cannot rot (they measure nothing here)."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nn
from benchmarks import workloads  # a namespace package: the project root is on the path
from engine import Value
from engine.autodiff import topological_order

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.mark.slow
@pytest.mark.usefixtures("project_on_pythonpath")
def test_quick_run_prints_every_row():
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--quick", "--rounds", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ")][1:]
    names = [row.split("|")[1].strip() for row in rows]
    assert [n.split(":")[0].split(",")[0] for n in names] == [
        "train step",
        "train step",  # compiled
        "the same",  # against PyTorch (or a note that it is not installed)
        "the same",  # against hand-written numpy
        "train step",  # the collector off on both sides
        "3-step training loop of the demo",
        "3-step training loop of the demo",
        "nn.train epoch",
        "expression + * relu",
        "expression + * tanh exp",
        "deep chain",
        "deep chain",
        "memory per node",
        "20-5-3 sigmoid net",
        "20-5-3 sigmoid net",  # compiled SGD step against nn.matrix
        "20-5-3 record + compile (174 nodes)",
        "20-5-3 compiled",
        "20-40-3 record + compile (1",  # ,084 nodes): the cost per node of compile
        "demo step",  # as a user writes it, against the in-block step
        "20-5-3 step",
        "20-5-3 epoch",  # nn.train's whole call against its steps
        "the same nn.train call vs hand-written numpy (matrix mini-batches)",
        "the same epoch",  # network.py
        "the same epoch",  # PyTorch
        "20-5-3 SGD step",  # m = 1
        "20-5-3 SGD step",  # m = 10
    ]
    assert "BLAS: " in done.stdout and "(cpu " in done.stdout
    assert "RecursionError" in done.stdout  # micrograd's recursive ordering at 1,000 nodes


def test_expression_workload_is_the_same_graph_for_both_engines_and_fully_reachable():
    plan = workloads.expression_plan(3_000)
    ours, made = workloads.build_expression(Value, plan)
    theirs, made_mg = workloads.build_expression(workloads.mg_engine.Value, plan)
    assert made == made_mg and abs(ours.data - theirs.data) < 1e-9
    assert len(topological_order(ours)) == made + 100 + 1  # + the leaves and the constant ½
    ours.backward()
    theirs.backward()


def test_train_step_is_the_same_computation_on_both_engines():
    import random

    random.seed(1)
    mg = workloads.mg_nn.MLP(2, [16, 16, 1])
    W = [[[w.data for w in n.w] for n in layer.neurons] for layer in mg.layers]
    B = [[n.b.data for n in layer.neurons] for layer in mg.layers]
    net = nn.MLP.from_matrices(W, B, activation=["relu", "relu", "linear"])
    X, Y = workloads.moons_like(8)
    for _ in range(2):
        ours = workloads._svm_step(lambda x: net(x)[0], net.parameters(), X, Y, 0.05)
        theirs = workloads._svm_step(mg, mg.parameters(), X, Y, 0.05)
        assert abs(ours - theirs) < 1e-12
    # micrograd lists each neuron's weights then its bias, as our Neuron.parameters() does
    ours_in_its_order = [p for layer in net.layers for n in layer.neurons for p in n.parameters()]
    assert len(ours_in_its_order) == len(mg.parameters())
    assert max(abs(a.data - b.data) for a, b in zip(ours_in_its_order, mg.parameters())) < 1e-12


def test_the_demo_step_is_the_same_computation_scalar_compiled_and_in_numpy():
    steps = [
        workloads.train_step_ours(8),
        workloads.train_step_compiled(8),
        workloads.train_step_numpy(8),
    ]
    for _ in range(3):  # the losses before each of three updates
        losses = [step() for step in steps]
        assert max(losses) - min(losses) < 1e-12


def test_the_compiled_sgd_step_moves_the_weights_as_nn_matrix_does():
    net, X, Y = workloads.mnist_batch((6, 4, 3), m=5)
    W, B = nn.matrix.sgd_update(net.weights(), net.biases(), X.T, Y.T, 3.0)
    step = workloads.compile_quadratic(net)
    with step.parameter_arrays() as (data, grad):
        step.backward(X, Y)
        data -= 3.0 * grad
    for got, want in zip(net.weights() + net.biases(), W + B):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


@pytest.mark.slow  # epoch_torch imports PyTorch
def test_the_mnist_sized_epochs_move_the_weights_as_nn_matrix_does():
    X, Y = workloads.mnist_sized(30, (6, 4, 3))
    W, B = nn.MLP(6, [4, 3], seed=0).weights(), nn.MLP(6, [4, 3], seed=0).biases()
    for idx in workloads._batches(30, 10):
        W, B = nn.matrix.sgd_update(W, B, X[idx].T, Y[idx].T, 3.0)
    epochs = [
        workloads.epoch_numpy,
        workloads.epoch_network_py,
        workloads.epoch_compiled_steps,
        workloads.epoch_torch,
    ]
    for epoch in epochs:
        run = epoch(nn.MLP(6, [4, 3], seed=0), X, Y, 10, 3.0)
        if run is None:  # PyTorch is not installed
            continue
        assert abs(run() - W[0][0, 0]) < 1e-12, epoch.__name__


def test_the_user_level_compiled_step_is_the_in_block_step():
    step, params, batch = workloads.demo_compiled(8)
    twin, _, _ = workloads.demo_compiled(8)
    in_block = workloads.CompiledSGD(twin, batch, 0.05)
    for _ in range(2):
        workloads.user_step_compiled(step, params, batch, 0.05)()
        in_block()
    assert np.array_equal([p.data for p in params], in_block.data)
    assert not np.array_equal(in_block.data, [p.data for p in workloads.demo_compiled(8)[1]])
