"""Simulated Ctrl-C: a KeyboardInterrupt raised at the k-th line the interpreter runs in the
project's own code (engine/, nn/), for k = 1, 2, … until a call completes uninterrupted."""

import os
import sys
from collections.abc import Callable, Iterator

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WATCHED = tuple(os.path.join(ROOT, package) + os.sep for package in ("engine", "nn"))


class _InterruptAt:
    def __init__(self, at: int, after: str | None) -> None:
        self.at, self.lines, self.after = at, 0, after

    def __call__(self, frame, event, arg):
        if event == "call":
            if self.after is not None:  # not counting yet: until a function of that name runs
                if frame.f_code.co_name != self.after:
                    return None
                self.after = None
            return self if frame.f_code.co_filename.startswith(WATCHED) else None
        if event == "line":
            self.lines += 1
            if self.lines == self.at:
                raise KeyboardInterrupt(f"simulated at line {self.at}")  # propagates into f
        return self


def interrupted_runs(
    call: Callable[[], object], after: str | None = None, stride: int = 1
) -> Iterator[int]:
    """Run ``call`` once per line it runs in engine/ and nn/ (from the first call of a
    function named ``after``, if given; every ``stride``-th line), interrupted at that line;
    yield the line's number after each interrupted run (the caller checks the state, then
    resets it). Stops when a run completes without reaching the line."""
    at = 1
    while True:
        tracer = _InterruptAt(at, after)
        sys.settrace(tracer)
        try:
            call()
        except KeyboardInterrupt:
            pass
        else:
            return
        finally:
            sys.settrace(None)
        yield at
        at += stride
