"""The playground: change any number of a small net and watch backpropagation answer, or train
one live; every number comes from the engine in Python, checked against BP1–BP4 (nn.matrix).

Run:  python examples/playground.py                (serves on 127.0.0.1 and opens the browser)
      python examples/playground.py --no-browser   (prints the address only; Ctrl-C stops it)
      python examples/playground.py --help         (--port, --host)
Same as python -m viz.playground.
"""

from __future__ import annotations

import sys

from viz.playground.cli import main

if __name__ == "__main__":
    sys.exit(main())
