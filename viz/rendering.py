"""Turn DOT source into SVG, PNG or PDF with Graphviz's ``dot`` or the ``graphviz-pure`` port."""

from __future__ import annotations

import graphlib
import os
import re
import shutil
import subprocess
import sysconfig
from collections import defaultdict
from pathlib import Path

import graphviz

from engine import checks
from nn.saving import writable, write_atomically

FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf"}
# Renderers in order of preference, with the formats each can write.
RENDERERS = {"dot": {"svg", "png", "pdf"}, "graphviz-pure": {"svg", "png"}}

GRAPHVIZ_DOT = (
    "Graphviz's dot (Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew install "
    "graphviz; conda: conda install -c conda-forge graphviz)"
)
HOW_TO_GET_A_RENDERER = (
    f"install {GRAPHVIZ_DOT} or, with pip alone, graphviz-pure (a dependency of "
    "backprop-engine that this environment lacks): pip install graphviz-pure (SVG and PNG)"
)


TIMEOUT = 60.0  # seconds a renderer may take before it is stopped with a RenderError
# dot places every level an edge crosses as a node of its own. Past about this many in all (a
# leaf used all along a long chain: an unrolled recurrence) its node placement and edge routing
# take minutes; straight edges and one round of placement keep such graphs to seconds.
LONG_EDGE_LEVELS = 800
FAST_LAYOUT = ("-Gsplines=line", "-Gnslimit=1")
_EDGE = re.compile(r'^\s*("(?:[^"\\]|\\.)*"|[\w.]+)\s*->\s*("(?:[^"\\]|\\.)*"|[\w.]+)', re.M)

# A drawing whose every node and edge has its place already (pos, lp): Graphviz only draws it.
PINNED = ("-Kneato", "-n2")

# Where pip put this Python's console scripts: graphviz-pure, a dependency, is found there
# even when a virtual environment is used without activating it.
SCRIPTS_DIR: str | None = sysconfig.get_path("scripts")


def _which(name: str) -> str | None:
    """The program on PATH, else in this Python's scripts folder."""
    found = shutil.which(name)
    if found is None and SCRIPTS_DIR:
        found = shutil.which(name, path=SCRIPTS_DIR)
    return found


class RenderError(RuntimeError):
    """A drawing could not be rendered; the message says why and what to do."""


class RendererNotFoundError(RenderError):
    """Neither ``dot`` nor ``graphviz-pure`` can be found."""


def find_renderer(file_format: str, renderer: str | None = None) -> str:
    """The path of a program that writes ``file_format``: ``renderer`` if given, else the first found."""
    names = [renderer] if renderer else list(RENDERERS)
    if renderer is not None:
        checks.one_of(renderer, "renderer", RENDERERS)
    found = {name: _which(name) for name in names}
    able = [name for name in names if found[name] and file_format in RENDERERS[name]]
    if able:
        return found[able[0]]  # type: ignore[return-value]
    present = [name for name in names if found[name]]
    if present:
        raise RenderError(
            f"{' and '.join(present)} cannot write {file_format.upper()}: write .svg or .png "
            f"instead, or install {GRAPHVIZ_DOT}, which writes {file_format.upper()}"
        )
    wanted = renderer or "Graphviz's dot or graphviz-pure"
    raise RendererNotFoundError(
        f"cannot render {file_format.upper()}: {wanted} is neither on PATH nor "
        f"in this Python's scripts folder; "
        f"to get pictures, {HOW_TO_GET_A_RENDERER}"
    )


def levels_crossed(source: str) -> int:
    """How many levels the edges of DOT ``source`` cross in all beyond the next one, with each
    node as late as its heads allow (about where dot puts it): the cost of its layout."""
    edges = _EDGE.findall(source)
    tails, heads = defaultdict(set), defaultdict(set)
    for tail, head in edges:
        tails[head].add(tail)
        heads[tail].add(head)
    try:
        order = list(graphlib.TopologicalSorter(tails).static_order())
    except graphlib.CycleError:
        return 0
    level: dict[str, int] = {}
    for node in order:
        level[node] = max((level[t] + 1 for t in tails[node]), default=0)
    for node in reversed(order):
        if heads[node]:
            level[node] = min(level[h] for h in heads[node]) - 1
    return sum(level[head] - level[tail] - 1 for tail, head in edges)


def pipe(source: str, file_format: str, renderer: str | None = None, pinned: bool = False) -> bytes:
    """The rendered bytes of DOT ``source`` in ``file_format``, in at most ``TIMEOUT`` seconds.

    A ``pinned`` drawing has every position already: Graphviz only draws it.

    Graphs whose edges cross many levels (``LONG_EDGE_LEVELS``) are laid out with straight
    edges and one round of node placement, which keeps the renderer to seconds.
    """
    exe = find_renderer(file_format, renderer)
    if pinned:
        layout: tuple[str, ...] = PINNED
    else:
        layout = FAST_LAYOUT if levels_crossed(source) > LONG_EDGE_LEVELS else ()
    try:
        done = subprocess.run(
            [exe, *layout, f"-T{file_format}"],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RenderError(
            f"{os.path.basename(exe)} took more than {TIMEOUT:g} s to lay out the graph and was "
            f"stopped; draw fewer nodes (a part of the graph, a shorter chain, a smaller net), "
            f"or lay it out faster with straight edges: drawing.attr(splines='line', "
            f"nslimit='1') before rendering it"
        ) from None
    if done.returncode != 0 or not done.stdout:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise RenderError(
            f"{os.path.basename(exe)} failed to render {file_format.upper()} "
            f"(exit {done.returncode}): {message}"
        )
    return done.stdout


def render(
    graph: graphviz.Digraph,
    path: str | os.PathLike,
    renderer: str | None = None,
    dot_source: str | os.PathLike | None = None,
) -> Path:
    """Write ``graph`` to path (.svg, .png or .pdf, by its extension); its DOT source only if asked.

    ``dot_source`` names a file for the DOT source; it is written first, so it is there
    even when no renderer is (then RendererNotFoundError says how to get one). Without
    it no ``.dot`` file is written, so a hand-written one beside the picture is never
    touched. The picture's path is checked before the layout, which ``pipe`` bounds in time.
    Returns the path of the picture.
    """
    path = Path(path)
    file_format = FORMATS.get(path.suffix.lower())
    if file_format is None:
        raise ValueError(
            f"render: unknown picture format {path.suffix!r} in {str(path)!r}; "
            f"use one of {', '.join(FORMATS)}"
        )
    writable(path, make_folders=True)  # before the layout, which can take long
    if dot_source is not None:
        dot_path = Path(dot_source)
        if dot_path.resolve() == path.resolve():
            raise ValueError(
                f"render: dot_source and the picture are the same file {str(path)!r}; "
                f"give the DOT source a name of its own (e.g. {str(path.with_suffix('.dot'))!r})"
            )
        write_atomically(dot_path, graph.source.encode("utf-8"), make_folders=True)
    pinned = bool(getattr(graph, "pinned", False))
    write_atomically(path, pipe(graph.source, file_format, renderer, pinned), make_folders=True)
    return path
