"""The training run's progress bar (tqdm): drawn on a terminal only, after its delay, and wiped."""

import io

import nn
from nn.training import progress_bar


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_bar_counts_the_examples_of_every_epoch_and_is_wiped():
    out = Terminal()
    bar = progress_bar(3, 10, stream=out, delay=0.0)
    bar.update(5)
    bar.set_description("epoch 1/3")
    bar.refresh()
    drawn = out.getvalue()
    assert "epoch 1/3" in drawn and "5/30" in drawn and "\n" not in drawn
    bar.close()
    assert out.getvalue().endswith("\r") and "\n" not in out.getvalue()


def test_nothing_is_drawn_off_a_terminal_or_before_the_delay():
    log = io.StringIO()
    bar = progress_bar(3, 10, stream=log, delay=0.0)
    bar.update(5)
    bar.close()
    assert log.getvalue() == ""
    out = Terminal()
    bar = progress_bar(3, 10, stream=out, delay=3600.0)
    bar.update(5)
    bar.close()
    assert out.getvalue() == ""


def test_train_draws_the_bar_on_a_terminal_and_prints_whole_epoch_lines(monkeypatch, capsys):
    drawn = Terminal()
    monkeypatch.setattr(
        nn.training, "progress_bar", lambda e, n: progress_bar(e, n, stream=drawn, delay=0.0)
    )
    data = nn.datasets.xor(n=20, seed=0)
    nn.train(nn.MLP(2, [3, 1], seed=0), data, 2, 5, 0.5, seed=0)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in lines] == [["epoch", "1/2"], ["epoch", "2/2"]]
    bar = drawn.getvalue()  # over both epochs' 40 examples, then wiped
    assert bar.startswith("\repoch 1/2:") and "/40 " in bar and bar.endswith("\r")


def test_a_quick_run_prints_its_epoch_lines_without_drawing_the_bar(monkeypatch, capsys):
    drawn = Terminal()
    monkeypatch.setattr(
        nn.training, "progress_bar", lambda e, n: progress_bar(e, n, stream=drawn, delay=3600.0)
    )
    nn.train(nn.MLP(2, [3, 1], seed=0), nn.datasets.xor(n=20, seed=0), 3, 5, 0.5, seed=0)
    assert len(capsys.readouterr().out.splitlines()) == 3 and drawn.getvalue() == ""
