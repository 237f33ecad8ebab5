"""``python -m viz.playground``: see ``viz.playground.cli``."""

import sys

from viz.playground.cli import main

sys.exit(main())
