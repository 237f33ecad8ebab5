"""A one-line progress bar for a slow epoch, drawn only on a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """``[#####.....] 640/1347 examples`` redrawn in place with ``\\r``.

    Nothing is drawn until ``delay`` seconds have passed (a quick epoch shows no bar) or
    when ``stream`` is not a terminal (a log file gets whole lines only); ``close`` wipes it.
    """

    def __init__(
        self, total: int, prefix: str, stream: TextIO | None = None, delay: float = 2.0
    ) -> None:
        self.total, self.prefix = total, prefix
        self.stream = sys.stdout if stream is None else stream
        self.enabled = getattr(self.stream, "isatty", lambda: False)()
        self.start = time.perf_counter()
        self.delay = delay
        self.next_draw = self.start + delay
        self.width = 0  # characters drawn, to wipe

    def update(self, done: int) -> None:
        """Show that ``done`` of ``total`` are finished (at most ten redraws a second)."""
        now = time.perf_counter()
        if not self.enabled or now < self.next_draw:
            return
        self.next_draw = now + 0.1
        filled = 30 * done // self.total
        rate = done / (now - self.start)
        left = (self.total - done) / rate if rate > 0 else 0.0
        line = (
            f"{self.prefix} [{'#' * filled}{'.' * (30 - filled)}] "
            f"{done}/{self.total} examples, {left:.0f} s left"
        )
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.width = len(line)

    def close(self) -> None:
        """Wipe the bar, leaving the cursor at the start of an empty line."""
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0
