"""What the examples share: argparse types that refuse bad options up front, and an exit
with a one-line message (never a traceback) when a run cannot go on."""

from __future__ import annotations

import argparse
import math
import os
import sys
import webbrowser
from collections.abc import Callable
from pathlib import Path

from nn.saving import writable
from viz.rendering import RenderError


def count(least: int) -> Callable[[str], int]:
    """An argparse type: a whole number ≥ least."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = least - 1
        if value < least:
            raise argparse.ArgumentTypeError(f"expected a whole number ≥ {least}, got {text!r}")
        return value

    return parse


def number(at_least_zero: bool) -> Callable[[str], float]:
    """An argparse type: a finite number > 0 (or ≥ 0)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (0.0 <= value if at_least_zero else 0.0 < value) or not value < math.inf:
            kind = "≥ 0" if at_least_zero else "> 0"
            raise argparse.ArgumentTypeError(f"expected a finite number {kind}, got {text!r}")
        return value

    return parse


positive = number(at_least_zero=False)
non_negative = number(at_least_zero=True)


def picture(*suffixes: str) -> Callable[[str], str]:
    """An argparse type: a file path ending in one of ``suffixes``, checked before any work."""

    def parse(text: str) -> str:
        if Path(text).suffix.lower() not in suffixes:
            raise argparse.ArgumentTypeError(
                f"expected a file ending in {' or '.join(suffixes)}, got {text!r}"
            )
        return text

    return parse


def add_picture_options(parser: argparse.ArgumentParser) -> None:
    """--plot (the training history) and --draw (the trained net, layer by layer)."""
    parser.add_argument(
        "--plot", metavar="PATH", type=picture(".svg", ".png"), help="write the history here"
    )
    parser.add_argument(
        "--draw",
        metavar="PATH",
        type=picture(".svg", ".png", ".pdf"),
        help="draw the trained net layer by layer here",
    )


def check_outputs(*paths: str | os.PathLike | None) -> None:
    """Before any work: OSError naming the first file the run could not write (None: not asked for).

    A missing folder is made, as writing the file would make it.
    """
    for path in filter(None, paths):
        try:
            writable(path, make_folders=True)
        except OSError as e:
            reason = os.strerror(e.errno) if e.errno else str(e)
            raise OSError(f"cannot write {os.fspath(path)}: {reason}") from None


def add_open_option(parser: argparse.ArgumentParser) -> None:
    """--open: show the page the example writes in the system's web browser."""
    parser.add_argument(
        "--open", action="store_true", help="open the page it writes in the system's web browser"
    )


def open_page(path: Path) -> None:
    """Show the page in the system's web browser, or say how to open it by hand."""
    if not webbrowser.open(path.resolve().as_uri()):
        print(f"found no web browser to open: open {path} in one", file=sys.stderr)


def run(main: Callable[[], int | None]) -> None:
    """Run ``main`` and exit with its code, or with one line naming what went wrong."""
    try:
        code = main()
    except KeyboardInterrupt:
        sys.exit(130)
    except (ValueError, ArithmeticError, OSError, ImportError, RenderError) as e:
        print(f"{Path(sys.argv[0]).name}: {e}", file=sys.stderr)
        sys.exit(1)
    sys.exit(code or 0)
