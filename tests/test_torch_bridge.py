"""The hand-off to PyTorch: state_dict, to_torch/from_torch, torch_cost, against torch float64.

Float64's default tolerances in ``assert_close`` (rtol 1e-7) are too loose to mean anything
here: every comparison is at rtol = atol = 1e-12, and the parameters round-trip bit for bit.
"""

import random
import re
import sys
from pathlib import Path

import numpy as np
import pytest

import nn
from nn import MLP
from nn.training import epoch_batches

CLOSE = {"rtol": 1e-12, "atol": 1e-12}
NETS = [  # (sizes, activations, cost)
    ([4, 5, 3], ["sigmoid", "sigmoid"], "quadratic"),
    ([4, 5, 3], ["tanh", "sigmoid"], "cross_entropy"),
    ([4, 6, 5, 3], ["relu", "tanh", "softmax"], "log_likelihood"),
    ([4, 3, 2], ["sigmoid", "linear"], "quadratic"),
]


def _net(sizes, activations, seed=0):
    return MLP(sizes[0], sizes[1:], activation=activations, seed=seed, init="scaled")


def _batch(n_in, n_out, m=7, seed=1):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(m, n_in)), np.eye(n_out)[rng.integers(0, n_out, m)]


def _numbers(net):
    return [p.data for p in net.parameters()]


def test_state_dict_has_the_keys_and_shapes_of_the_torch_sequential(torch):
    net = _net([4, 6, 5, 3], ["relu", "tanh", "softmax"])
    state, theirs = net.state_dict(), nn.to_torch(net).state_dict()
    assert (
        list(state)
        == list(theirs)
        == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
    )
    for key, value in state.items():
        assert value.shape == tuple(theirs[key].shape) and value.dtype == np.float64
        assert np.array_equal(value, theirs[key].numpy())
    # Nielsen's w^l_jk is Linear.weight[j, k], no transpose
    w3_21 = net.layers[1].neurons[2].w[1]
    assert w3_21.label == "w^3_21" and state["2.weight"][2, 1] == w3_21.data


def test_load_state_dict_sets_every_parameter_or_none(torch):
    net, other = _net([3, 4, 2], "sigmoid", seed=0), _net([3, 4, 2], "sigmoid", seed=1)
    net.load_state_dict(other.state_dict())
    assert _numbers(net) == _numbers(other)
    before = _numbers(net)
    good = other.state_dict()
    for bad, error, message in [
        (
            {k: v for k, v in good.items() if k != "2.bias"},
            ValueError,
            r"missing keys \['2.bias'\]",
        ),
        ({**good, "4.weight": np.zeros((1, 2))}, ValueError, r"unexpected keys \['4.weight'\]"),
        (
            {**good, "2.weight": np.zeros((4, 2))},
            ValueError,
            r"'2.weight' must have shape \(2, 4\)",
        ),
        ({**good, "2.bias": np.array([0.0, np.nan])}, ValueError, "'2.bias' holds numbers that"),
        ({**good, "0.bias": ["a"] * 4}, TypeError, "'0.bias' must be an array of numbers, got <U1"),
        ({**good, "0.bias": np.ones(4, bool)}, TypeError, "'0.bias' must be an array of numbers"),
        ([("0.bias", 1.0)], TypeError, "state must be a dict of arrays"),
    ]:
        changed = (
            {k: v + 1.0 if k == "0.weight" else v for k, v in bad.items()}
            if isinstance(bad, dict)
            else bad
        )
        with pytest.raises(error, match=message):
            net.load_state_dict(changed)
        assert _numbers(net) == before
    net.load_state_dict({"0.bias": np.ones(4), "9.x": 1}, strict=False)
    assert net.biases()[0].tolist() == [1.0] * 4 and _numbers(net)[:3] == before[:3]


def test_load_state_dict_takes_torch_tensors(torch):
    net = _net([3, 4, 2], "sigmoid")
    model = torch.nn.Sequential(
        torch.nn.Linear(3, 4, dtype=torch.float64), torch.nn.Sigmoid(),
        torch.nn.Linear(4, 2, dtype=torch.float64), torch.nn.Sigmoid(),
    )  # fmt: skip
    net.load_state_dict(model.state_dict())
    assert net.weights()[1].tolist() == model[2].weight.tolist()
    net.load_state_dict(dict(model.named_parameters()))  # tensors that require grad
    assert net.biases()[0].tolist() == model[0].bias.tolist()
    with pytest.raises(TypeError, match="to_torch: dtype must be a torch floating-point dtype"):
        nn.to_torch(net, dtype=torch.int64)


@pytest.mark.parametrize(("sizes", "activations", "cost"), NETS)
def test_from_torch_of_to_torch_gives_the_parameters_bit_for_bit(torch, sizes, activations, cost):
    net = _net(sizes, activations)
    model = nn.to_torch(net)
    assert all(p.dtype == torch.float64 for p in model.parameters())
    back = nn.from_torch(model)
    assert back.sizes == net.sizes and back.activations == net.activations
    assert _numbers(back) == _numbers(net)


@pytest.mark.parametrize(("sizes", "activations", "cost"), NETS)
def test_outputs_and_gradients_agree_with_torch(torch, sizes, activations, cost):
    net = _net(sizes, activations)
    X, Y = _batch(sizes[0], sizes[-1])
    model = nn.to_torch(net)
    x, y = torch.from_numpy(X), torch.from_numpy(Y)
    ours = np.array([[v.data for v in net(row)] for row in X])
    torch.testing.assert_close(model(x), torch.from_numpy(ours), **CLOSE)
    # the cost of the mini-batch and its gradients, as nn.train takes them
    C = nn.mean_cost([net.trace(row) for row in X], Y.tolist(), cost)
    C.backward()
    out = model(x) if cost == "quadratic" else model[:-1](x)
    theirs = nn.torch_cost(cost)(out, y)
    theirs.backward()
    torch.testing.assert_close(theirs, torch.tensor(C.data, dtype=torch.float64), **CLOSE)
    for i, layer in enumerate(net.layers):
        grad_w = np.array([[w.grad for w in n.w] for n in layer.neurons])
        grad_b = np.array([n.b.grad for n in layer.neurons])
        torch.testing.assert_close(model[2 * i].weight.grad, torch.from_numpy(grad_w), **CLOSE)
        torch.testing.assert_close(model[2 * i].bias.grad, torch.from_numpy(grad_b), **CLOSE)


def test_the_quadratic_cost_is_not_mse_loss(torch):
    a, y = torch.rand(5, 3, dtype=torch.float64), torch.rand(5, 3, dtype=torch.float64)
    ours = nn.torch_cost("quadratic")(a, y)
    mse = torch.nn.MSELoss()(a, y)  # averages over the 3 outputs too, and has no ½
    torch.testing.assert_close(mse, ours * 2 / 3, **CLOSE)
    with pytest.raises(ValueError, match="cost must be one of .*, got 'mse'"):
        nn.torch_cost("mse")


@pytest.mark.parametrize(
    ("sizes", "activations", "cost", "l2"),
    [
        ([4, 5, 3], ["sigmoid", "sigmoid"], "quadratic", 0.0),
        ([4, 5, 3], ["sigmoid", "sigmoid"], "cross_entropy", 0.4),
        ([4, 6, 3], ["relu", "softmax"], "log_likelihood", 0.2),
    ],
)
@pytest.mark.parametrize("compiled", [True, False])
def test_training_twin_engine_and_torch_sgd_end_within_1e_10(
    torch, sizes, activations, cost, l2, compiled
):
    net = _net(sizes, activations)
    X, Y = _batch(sizes[0], sizes[-1], m=30, seed=3)
    model = nn.to_torch(net)
    lr, epochs, batch_size, seed = 0.5, 3, 4, 7
    nn.train(
        net,
        (X, Y),
        epochs,
        batch_size,
        lr,
        cost=cost,
        seed=seed,
        l2=l2,
        verbose=False,
        compiled=compiled,
    )
    # torch: the same mini-batches, weight decay λ/n on the weights only (network2's L2 step)
    weights = [m.weight for m in model if isinstance(m, torch.nn.Linear)]
    biases = [m.bias for m in model if isinstance(m, torch.nn.Linear)]
    optimizer = torch.optim.SGD(
        [{"params": weights, "weight_decay": l2 / len(X)}, {"params": biases}], lr=lr
    )
    cost_of, rng = nn.torch_cost(cost), random.Random(seed)
    x, y = torch.from_numpy(X), torch.from_numpy(Y)
    for _ in range(epochs):
        for batch in epoch_batches(len(X), batch_size, rng):
            optimizer.zero_grad()
            out = model(x[batch]) if cost == "quadratic" else model[:-1](x[batch])
            cost_of(out, y[batch]).backward()
            optimizer.step()
    got = nn.from_torch(model)
    worst = max(abs(a - b) for a, b in zip(_numbers(got), _numbers(net)))
    assert worst < 1e-10 and _numbers(got) != _numbers(_net(sizes, activations))


@pytest.mark.parametrize(
    ("modules", "message"),
    [
        (lambda t: [t.nn.Linear(2, 3), t.nn.GELU()], r"cannot express module 1, GELU"),
        (lambda t: [t.nn.ReLU(), t.nn.Linear(2, 3)], r"module 0, ReLU\(\) where no Linear"),
        (lambda t: [t.nn.Linear(2, 3), t.nn.Tanh(), t.nn.Tanh()], r"module 2, Tanh\(\) where"),
        (lambda t: [t.nn.Linear(2, 3), t.nn.Softmax(dim=0)], r"module 1, Softmax\(dim=0\)"),
        (lambda t: [t.nn.Linear(2, 3, bias=False)], r"module 0 is Linear without a bias"),
        (lambda t: [t.nn.Linear(2, 3), t.nn.Linear(4, 1)], r"w\^3 has shape \(1, 4\)"),
        (lambda t: [], "holds no Linear layer"),
    ],
)
def test_from_torch_refuses_what_an_mlp_cannot_express(torch, modules, message):
    with pytest.raises(ValueError, match="from_torch: .*" + message):
        nn.from_torch(torch.nn.Sequential(*modules(torch)))
    with pytest.raises(ValueError, match="expected a torch.nn.Sequential"):
        nn.from_torch(torch.nn.Conv1d(1, 1, 1))


def test_from_torch_reads_linear_layers_without_an_activation_and_float32(torch):
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Sigmoid(), torch.nn.Linear(3, 1))
    net = nn.from_torch(model)
    assert net.activations == ["sigmoid", "linear"]
    x = torch.tensor([[0.25, -0.5]])
    torch.testing.assert_close(
        model.double()(x.double()),
        torch.tensor([[net([0.25, -0.5])[0].data]], dtype=torch.float64),
        **CLOSE,
    )


def test_without_torch_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match=r"pip install 'backprop-engine\[torch\]'"):
        nn.to_torch(MLP(2, [1], seed=0))
    with pytest.raises(ImportError, match="torch"):
        nn.torch_cost("quadratic")


@pytest.mark.slow
def test_the_docs_recipe_continues_training_in_torch_and_saves_with_safetensors(
    torch, mnist, tmp_path, monkeypatch, capsys
):
    page = (Path(__file__).resolve().parent.parent / "docs" / "torch.md").read_text("utf-8")
    (recipe,) = re.findall(r"```python\n(.*?)```", page, re.S)
    monkeypatch.chdir(tmp_path)
    exec(compile(recipe, "docs/torch.md", "exec"), {})
    accuracy = float(re.search(r"tensor\(([\d.]+)", capsys.readouterr().out).group(1))
    assert accuracy > 0.8 and (tmp_path / "mnist_net.safetensors").stat().st_size > 23860 * 8


def test_a_layer_and_a_neuron_have_the_keys_and_shapes_of_a_torch_linear(torch):
    net = _net([3, 4, 2], "sigmoid")
    layer, neuron = net.layers[0], net.layers[1].neurons[1]
    for module, (n_in, n_out) in ((layer, (3, 4)), (neuron, (4, 1))):
        linear = torch.nn.Linear(n_in, n_out, dtype=torch.float64)
        state = module.state_dict()
        assert {k: v.shape for k, v in state.items()} == {
            k: tuple(v.shape) for k, v in linear.state_dict().items()
        }
        linear.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()})
        module.load_state_dict(linear.state_dict())
        assert np.array_equal(module.state_dict()["weight"], state["weight"])
    assert neuron.state_dict()["weight"][0].tolist() == [w.data for w in neuron.w]
    assert np.array_equal(layer.state_dict()["weight"], net.weights()[0])
