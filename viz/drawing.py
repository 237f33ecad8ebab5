"""``Drawing``: a graphviz.Digraph that displays through whichever renderer this machine has."""

from __future__ import annotations

import graphviz

from viz import rendering, style


class Drawing(graphviz.Digraph):
    """A graphviz.Digraph whose Jupyter display uses ``dot`` or, failing that, ``graphviz-pure``."""

    def _repr_image_svg_xml(self) -> str:
        return rendering.pipe(self.source, "svg").decode("utf-8")

    def _repr_image_png(self) -> bytes:
        return rendering.pipe(self.source, "png")


def new_drawing(name: str, rankdir: str) -> Drawing:
    """An empty drawing with the shared fonts and the given direction (LR, TB, …)."""
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"rankdir must be one of 'LR', 'RL', 'TB', 'BT', got {rankdir!r}")
    g = Drawing(name=name)
    g.attr(rankdir=rankdir, fontname=style.FONT)
    g.attr("node", fontname=style.FONT, fontsize=style.FONT_SIZE)
    g.attr("edge", fontname=style.FONT, fontsize=style.EDGE_FONT_SIZE)
    return g
