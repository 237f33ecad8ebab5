"""save/load: exact round trip; a missing, truncated or wrong file is refused clearly."""

import json
import math
import os
import stat

import pytest

from nn import MLP, saving


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


def _saved_then_edited(folder, net, edit):
    """The path of net saved in folder, its JSON then changed by edit."""
    path = folder / "net.json"
    net.save(path)
    path.write_text(json.dumps(edit(json.loads(path.read_text()))))
    return path


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda d: [1, 2], 'not a saved MLP \\(no "format"'),
        (lambda d: d | {"version": 9}, "version 9 is not supported"),
        (lambda d: {k: v for k, v in d.items() if k != "biases"}, "lacks biases"),
        (lambda d: d | {"sizes": [2, 4, 1]}, "saved sizes \\[2, 4, 1\\] disagree"),
        (
            lambda d: d | {"activations": ["sigmoid", "swish"]},
            "activation must be one of .*, got 'swish'",
        ),
        (lambda d: d | {"biases": [[0.0], [0.0]]}, "b\\^2 must have shape \\(3,\\)"),
        (lambda d: d | {"weights": "x"}, "malformed field: weights"),
    ],
)
def test_wrong_contents_are_refused_naming_the_file(tmp_path, edit, message):
    with pytest.raises(ValueError, match=message) as info:
        MLP.load(_saved_then_edited(tmp_path, MLP(2, [3, 1], seed=0), edit))
    assert "net.json" in str(info.value)


def test_save_leaves_no_temporary_file(tmp_path):
    MLP(2, [1], seed=0).save(tmp_path / "a.json")
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


@pytest.mark.parametrize(
    "content, message",
    [
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "not UTF-8 text", id="png"),
        pytest.param(b"PK\x03\x04\x14\x00\x00\x00\x08\x00\xa5\xb0", "not UTF-8 text", id="zip"),
        pytest.param("café naïve".encode("latin-1"), "not UTF-8 text", id="latin-1"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, "nested too deeply", id="deep"),
        pytest.param(b'{"n": ' + b"9" * 5000 + b"}", "invalid or truncated JSON", id="long-int"),
    ],
)
def test_unreadable_files_are_refused_naming_the_file(tmp_path, content, message):
    # a PNG, a zip or latin-1 text raised a bare UnicodeDecodeError, and
    # deeply nested JSON a RecursionError
    path = tmp_path / "thing.bin"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message) as info:
        MLP.load(path)
    assert "thing.bin" in str(info.value)


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda d: d | {"version": 1.0}, "version 1.0 is not supported"),
        (lambda d: d | {"version": True}, "version True is not supported"),
        (lambda d: d | {"sizes": [2, "3", 1]}, "malformed field: sizes"),
        (lambda d: d | {"sizes": [2, True, 1]}, "malformed field: sizes"),
        (
            lambda d: d | {"activations": {"0": "sigmoid", "1": "sigmoid"}},
            "malformed field: activations",
        ),
        (lambda d: d | {"activations": "sigmoid"}, "malformed field: activations"),
        (lambda d: d | {"biases": [["0.5", 0.0, 0.0], [0.0]]}, "malformed field: biases"),
        (lambda d: d | {"biases": [[False, 0.0, 0.0], [0.0]]}, "malformed field: biases"),
        (lambda d: d | {"weights": [[[1, 2]] * 3, [[True, 0.0, 0.0]]]}, "malformed field: weights"),
    ],
)
def test_load_is_strict_on_every_field_type(tmp_path, edit, message):
    # numbers as strings, booleans, "version": 1.0 or true, and
    # activations as a dict used to load
    with pytest.raises(ValueError, match=message) as info:
        MLP.load(_saved_then_edited(tmp_path, MLP(2, [3, 1], seed=0), edit))
    assert "net.json" in str(info.value)


def test_integers_where_floats_are_expected_still_load(tmp_path):
    path = _saved_then_edited(tmp_path, MLP(2, [1], seed=0), lambda d: d | {"weights": [[[1, -2]]]})
    assert MLP.load(path).weights()[0].tolist() == [[1.0, -2.0]]


def test_save_writes_through_a_symlink_and_keeps_the_mode(tmp_path):
    # saving through a symlink replaced the link; a 0600 file became 0644
    target = tmp_path / "real.json"
    MLP(2, [1], seed=0).save(target)
    target.chmod(0o600)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    net = MLP(2, [1], seed=1)
    net.save(link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert MLP.load(target).weights()[0].tolist() == net.weights()[0].tolist()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real.json"]


def test_save_keeps_a_users_own_tmp_file(tmp_path):
    # save wrote to <path>.tmp, silently deleting a user's file of that name
    mine = tmp_path / "net.json.tmp"
    mine.write_text("mine")
    MLP(2, [1], seed=0).save(tmp_path / "net.json")
    assert mine.read_text() == "mine"


def test_save_refuses_a_directory_before_writing(tmp_path):
    # save("<dir>") wrote <dir>.tmp with all the weights, then failed
    folder = tmp_path / "nets"
    folder.mkdir()
    with pytest.raises(IsADirectoryError, match="nets: is a directory"):
        MLP(2, [1], seed=0).save(folder)
    assert [p.name for p in tmp_path.iterdir()] == ["nets"] and not list(folder.iterdir())


def test_a_failed_save_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    # a crash mid-write left net.json.tmp behind
    path = tmp_path / "net.json"
    MLP(2, [1], seed=0).save(path)
    before = path.read_bytes()

    def crash(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="No space left"):
        MLP(2, [1], seed=1).save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["net.json"]


def test_save_into_a_missing_folder_names_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="cannot write beside it") as info:
        MLP(2, [1], seed=0).save(tmp_path / "nowhere" / "net.json")
    assert "nowhere/net.json" in str(info.value)


def test_save_refuses_non_finite_parameters(tmp_path):
    # a weight made inf was saved as Infinity, and load refused the file.
    # Values now stay finite, so the check is seen one level down, where the numbers go in.
    path = tmp_path / "net.json"
    with pytest.raises(ValueError, match="net.json: refusing to save a net whose parameters"):
        saving.save(path, [1, 1], ["sigmoid"], [[[math.inf]]], [[0.0]])
    assert not list(tmp_path.iterdir())


# write_atomically: the one writer of nets, pages, plots and pictures


def test_write_atomically_writes_through_a_symlink_and_keeps_the_mode(tmp_path):
    target = tmp_path / "page.html"
    target.write_text("old")
    target.chmod(0o600)
    link = tmp_path / "link.html"
    link.symlink_to(target)
    saving.write_atomically(link, b"new")
    assert link.is_symlink() and target.read_bytes() == b"new"
    assert target.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.html", "page.html"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "page.html"
    path.write_text("old")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        saving.write_atomically(path, b"new")
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["page.html"]


def test_write_atomically_refuses_a_directory_and_makes_folders_only_when_asked(tmp_path):
    with pytest.raises(IsADirectoryError, match="is a directory"):
        saving.write_atomically(tmp_path, b"x")
    with pytest.raises(FileNotFoundError, match="cannot write beside it.*a/b.svg"):
        saving.write_atomically(tmp_path / "a" / "b.svg", b"x")
    saving.write_atomically(tmp_path / "a" / "b.svg", b"x", make_folders=True)
    assert (tmp_path / "a" / "b.svg").read_bytes() == b"x"


def _interrupt_at_line(k, functions):
    """A tracer that raises KeyboardInterrupt at the k-th line run inside ``functions``."""
    seen = 0

    def trace(frame, event, arg):
        nonlocal seen
        if frame.f_code.co_name not in functions:
            return None
        if event == "line":
            seen += 1
            if seen == k:
                raise KeyboardInterrupt
        return trace

    return trace


def test_ctrl_c_at_any_line_of_a_write_leaves_the_old_file_or_the_new_and_no_temporary(tmp_path):
    # a Ctrl-C between making the temporary file and entering the try left
    # .net.json.<hex>.tmp behind; _discard, the clean-up after an interrupt, is not interrupted
    import sys

    path = tmp_path / "net.json"
    path.write_bytes(b"old")
    functions = {"write_atomically", "writable", "_temporary", "_sync_folder"}
    outcomes = set()
    for k in range(1, 200):
        sys.settrace(_interrupt_at_line(k, functions))
        try:
            saving.write_atomically(path, b"new")
        except KeyboardInterrupt:
            outcomes.add("interrupted")
        else:
            break
        finally:
            sys.settrace(None)
        assert [p.name for p in tmp_path.iterdir()] == ["net.json"], k
        assert path.read_bytes() in (b"old", b"new"), k
        path.write_bytes(b"old")
    assert k > 15 and outcomes == {"interrupted"}  # every line was reached, then a whole write
    assert path.read_bytes() == b"new" and [p.name for p in tmp_path.iterdir()] == ["net.json"]


def test_every_file_the_project_writes_gets_its_mode_from_the_umask(tmp_path, renderer, matplotlib):
    # pages, plots and renders were 0644 whatever the umask; net.save was not
    import nn
    from engine import Value
    from viz import draw_dot, plot_history, render, step_through

    y = Value(2.0, label="x") * 3.0
    net = MLP(2, [1], seed=0)
    history = nn.train(net, [([0.0, 1.0], [1.0])], 2, 1, 0.1, verbose=False)
    old = os.umask(0o027)
    try:
        net.save(tmp_path / "net.json")
        plot_history(history, tmp_path / "history.svg")
        step_through(y, tmp_path / "page.html")
        render(draw_dot(y), tmp_path / "graph.svg", renderer, dot_source=tmp_path / "graph.dot")
        render(draw_dot(y), tmp_path / "graph.png", renderer)
    finally:
        os.umask(old)
    written = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()}
    assert written == dict.fromkeys(
        ["net.json", "history.svg", "page.html", "graph.svg", "graph.dot", "graph.png"], 0o640
    )
