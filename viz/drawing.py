"""``Drawing``: a graphviz.Digraph that displays through whichever renderer this machine has."""

from __future__ import annotations

from collections.abc import Iterable

import graphviz

from viz import rendering, style


class Drawing(graphviz.Digraph):
    """A graphviz.Digraph whose Jupyter display uses ``dot`` or, failing that, ``graphviz-pure``.

    A ``pinned`` drawing gives every node and edge its place (``pos``, ``lp``) and is drawn
    as it stands (``neato -n2``) rather than laid out by ``dot``.
    """

    pinned = False

    def _repr_mimebundle_(
        self,
        include: Iterable[str] | None = None,
        exclude: Iterable[str] | None = None,
        **kwargs: object,
    ) -> dict[str, str | bytes]:
        """Jupyter's display protocol: SVG unless ``include`` asks for PNG too (or instead)."""
        wanted = set(include) if include is not None else {"image/svg+xml"}
        wanted -= set(exclude or ())
        bundle: dict[str, str | bytes] = {}
        if "image/svg+xml" in wanted:
            bundle["image/svg+xml"] = self.svg()
        if "image/png" in wanted:
            bundle["image/png"] = rendering.pipe(self.source, "png", pinned=self.pinned)
        return bundle

    def svg(self) -> str:
        """The drawing as SVG text, through whichever renderer is installed."""
        return rendering.pipe(self.source, "svg", pinned=self.pinned).decode("utf-8")


def new_drawing(name: str, rankdir: str) -> Drawing:
    """An empty drawing with the shared fonts and the given direction (LR, TB, …)."""
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"rankdir must be one of 'LR', 'RL', 'TB', 'BT', got {rankdir!r}")
    g = Drawing(name=name)
    g.attr(rankdir=rankdir, fontname=style.FONT)
    g.attr("node", fontname=style.FONT, fontsize=style.FONT_SIZE)
    g.attr("edge", fontname=style.FONT, fontsize=style.EDGE_FONT_SIZE)
    return g
