"""Graphviz drawings of Value graphs and of tiny networks, and rendering them to files."""

from viz.drawing import Drawing
from viz.graph import GraphTooLargeError, draw_dot
from viz.layers import draw_layers
from viz.network import draw_net
from viz.plots import plot_history
from viz.rendering import RendererNotFoundError, RenderError, render

__all__ = [
    "Drawing",
    "GraphTooLargeError",
    "RenderError",
    "RendererNotFoundError",
    "draw_dot",
    "draw_layers",
    "draw_net",
    "plot_history",
    "render",
]
