"""Graphviz drawings of Value graphs and of tiny networks, and rendering them to files."""

from viz.compiled import draw_groups
from viz.drawing import Drawing
from viz.graph import GraphTooLargeError, draw_dot
from viz.network import draw_net
from viz.rendering import RendererNotFoundError, RenderError, render

__all__ = [
    "Drawing",
    "GraphTooLargeError",
    "RenderError",
    "RendererNotFoundError",
    "draw_dot",
    "draw_groups",
    "draw_net",
    "render",
]
