"""save/load: exact round trip; a missing, truncated or wrong file is refused clearly."""

import json

import pytest

from nn import MLP


def test_round_trip_is_exact(tmp_path):
    net = MLP(3, [5, 4, 2], activation=["relu", "tanh", "sigmoid"], seed=11)
    path = tmp_path / "net.json"
    net.save(path)
    again = MLP.load(path)
    assert again.sizes == net.sizes and again.activations == net.activations
    assert [p.data for p in again.parameters()] == [p.data for p in net.parameters()]
    x = [0.1, -0.7, 2.0]
    assert [v.data for v in again(x)] == [v.data for v in net(x)]
    doc = json.loads(path.read_text())  # human-readable, documented fields
    assert doc["format"] == "backprop-engine MLP" and doc["sizes"] == [3, 5, 4, 2]
    assert doc["weights"][0][1][2] == net.weights()[0][1, 2]


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        MLP.load(tmp_path / "nope.json")


def test_truncated_file(tmp_path):
    path = tmp_path / "net.json"
    MLP(2, [3, 1], seed=0).save(path)
    path.write_text(path.read_text()[:-40])
    with pytest.raises(ValueError, match=r"net\.json: not a saved MLP \(invalid or truncated JSON"):
        MLP.load(path)


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda d: [1, 2], 'not a saved MLP \\(no "format"'),
        (lambda d: d | {"version": 9}, "version 9 is not supported"),
        (lambda d: {k: v for k, v in d.items() if k != "biases"}, "lacks biases"),
        (lambda d: d | {"sizes": [2, 4, 1]}, "saved sizes \\[2, 4, 1\\] disagree"),
        (lambda d: d | {"activations": ["sigmoid", "swish"]}, "unknown 'swish'"),
        (lambda d: d | {"biases": [[0.0], [0.0]]}, "b\\^2 must have shape \\(3,\\)"),
        (lambda d: d | {"weights": "x"}, "not a valid saved MLP"),
    ],
)
def test_wrong_contents_are_refused_naming_the_file(tmp_path, edit, message):
    path = tmp_path / "net.json"
    MLP(2, [3, 1], seed=0).save(path)
    path.write_text(json.dumps(edit(json.loads(path.read_text()))))
    with pytest.raises(ValueError, match=message) as info:
        MLP.load(path)
    assert "net.json" in str(info.value)


def test_save_leaves_no_temporary_file(tmp_path):
    MLP(2, [1], seed=0).save(tmp_path / "a.json")
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]
