"""Graphviz drawings of Value graphs and nets, and pages that step through backpropagation."""

import importlib

from viz.drawing import Drawing
from viz.graph import GraphTooLargeError, draw_dot
from viz.net_page import step_through_net
from viz.network import draw_net
from viz.overviews import draw_groups, draw_layers
from viz.page import StepPage
from viz.paths_pages import sum_over_paths, sum_over_paths_net
from viz.plots import plot_history
from viz.rendering import RendererNotFoundError, RenderError, render
from viz.steps import Contribution, Step, backward_steps
from viz.value_page import step_through

__all__ = [
    "Contribution",
    "Step",
    "StepPage",
    "backward_steps",
    "step_through",
    "step_through_net",
    "sum_over_paths",
    "sum_over_paths_net",
    "Drawing",
    "GraphTooLargeError",
    "RenderError",
    "RendererNotFoundError",
    "draw_dot",
    "draw_groups",
    "draw_layers",
    "draw_net",
    "plot_history",
    "render",
]


def __getattr__(name: str) -> object:
    """``viz.playground``, imported when first asked for: its server is not loaded with viz."""
    if name == "playground":
        return importlib.import_module("viz.playground")
    raise AttributeError(f"module 'viz' has no attribute {name!r}")
