"""Turn DOT source into SVG, PNG or PDF with Graphviz's ``dot`` or the ``graphviz-pure`` port."""

from __future__ import annotations

import os
import shutil
import subprocess
import sysconfig
from pathlib import Path

import graphviz

from viz.files import write_atomically

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
    if renderer is not None and renderer not in RENDERERS:
        raise ValueError(
            f"renderer must be one of {', '.join(map(repr, RENDERERS))}, got {renderer!r}"
        )
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


# A drawing whose every node and edge has its place already (pos, lp): Graphviz only draws it.
PINNED = ("-Kneato", "-n2")


def pipe(source: str, file_format: str, renderer: str | None = None, pinned: bool = False) -> bytes:
    """The rendered bytes of DOT ``source`` in ``file_format`` (``pinned``: laid out already)."""
    exe = find_renderer(file_format, renderer)
    try:
        done = subprocess.run(
            [exe, *(PINNED if pinned else ()), f"-T{file_format}"],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=300,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RenderError(
            f"{os.path.basename(exe)} took more than 300 s to lay out the graph; "
            f"draw a smaller graph"
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
    touched. Returns the path of the picture.
    """
    path = Path(path)
    file_format = FORMATS.get(path.suffix.lower())
    if file_format is None:
        raise ValueError(
            f"render: unknown picture format {path.suffix!r} in {str(path)!r}; "
            f"use one of {', '.join(FORMATS)}"
        )
    if dot_source is not None:
        dot_path = Path(dot_source)
        if dot_path.resolve() == path.resolve():
            raise ValueError(
                f"render: dot_source and the picture are the same file {str(path)!r}; "
                f"give the DOT source a name of its own (e.g. {str(path.with_suffix('.dot'))!r})"
            )
        write_atomically(dot_path, graph.source.encode("utf-8"))
    pinned = bool(getattr(graph, "pinned", False))
    write_atomically(path, pipe(graph.source, file_format, renderer, pinned))
    return path
