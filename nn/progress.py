"""The progress bar of a training run, drawn by tqdm: a widget in Jupyter, a line on a terminal.

Nothing is drawn when the output is not a terminal (a log file gets the epoch lines only)
or, on a terminal, before ``delay`` seconds have passed (a quick run shows no bar).
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from tqdm import autonotebook, std
from tqdm.auto import tqdm


def progress_bar(
    epochs: int, per_epoch: int, stream: TextIO | None = None, delay: float = 2.0
) -> std.tqdm:
    """A bar over every example of every epoch, described "epoch k/epochs".

    On a terminal the bar is wiped when it closes; in a notebook the widget is shown from
    the start and stays, showing the finished run.
    """
    in_notebook = autonotebook.tqdm is not std.tqdm  # tqdm.auto chose the widget
    if in_notebook:
        delay = 0.0  # the widget stays, showing the finished run: no flicker to spare
    return tqdm(
        total=epochs * per_epoch,
        desc=f"epoch 1/{epochs}",
        unit="example",
        file=stream,
        delay=delay,
        leave=in_notebook,
        disable=None,  # off when the stream is not a terminal
        dynamic_ncols=True,
    )


def write_line(bar: std.tqdm, line: str) -> None:
    """Print line to stdout: above the bar once it shows, plainly before (so it stays hidden)."""
    # tqdm.write redraws every bar after the line, even one still within its delay
    if not bar.disable and time.time() >= bar.start_t + bar.delay:
        bar.write(line, file=sys.stdout)
    else:
        print(line)
