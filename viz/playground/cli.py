"""The command line: ``python -m viz.playground [--port N] [--host H] [--no-browser]`` serves until Ctrl-C."""

from __future__ import annotations

import argparse
import sys
import threading
import warnings
import webbrowser

from viz.playground import LOOPBACK, serve


def main(argv: list[str] | None = None) -> int:
    """Start the playground, print its address at once, and stop cleanly on Ctrl-C."""
    parser = argparse.ArgumentParser(
        prog="python -m viz.playground",
        description="Serve the backpropagation playground on this machine.",
    )
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--host", default=LOOPBACK, help=f"address to bind (default {LOOPBACK})")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            playground = serve(args.host, args.port, open_browser=False)
    except (OSError, ValueError) as e:
        print(f"playground: cannot serve on {args.host}:{args.port}: {e}", file=sys.stderr)
        return 1
    for w in caught:
        print(f"warning: {w.message}", file=sys.stderr, flush=True)
    try:
        print(f"playground at {playground.url}  (Ctrl-C stops it)", flush=True)
        if not args.no_browser:
            webbrowser.open(playground.url)
        threading.Event().wait()
    except KeyboardInterrupt:
        print("stopped", flush=True)
    finally:
        playground.close()
    return 0
