"""The in-epoch progress bar: drawn on a terminal only, after its delay, and wiped."""

import io

from nn.progress import Progress


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_bar_is_drawn_in_place_and_wiped():
    out = Terminal()
    bar = Progress(10, "epoch 1/3", stream=out, delay=0.0)
    bar.update(5)
    drawn = out.getvalue()
    assert drawn.startswith("\repoch 1/3 [" + "#" * 15 + "." * 15 + "] 5/10 examples, ")
    assert drawn.endswith(" s left") and "\n" not in drawn
    bar.close()
    assert out.getvalue() == drawn + "\r" + " " * (len(drawn) - 1) + "\r"


def test_nothing_is_drawn_off_a_terminal_or_before_the_delay():
    log = io.StringIO()
    bar = Progress(10, "epoch 1/3", stream=log, delay=0.0)
    bar.update(5)
    bar.close()
    assert log.getvalue() == ""
    out = Terminal()
    bar = Progress(10, "epoch 1/3", stream=out, delay=3600.0)
    bar.update(5)
    bar.close()
    assert out.getvalue() == ""
