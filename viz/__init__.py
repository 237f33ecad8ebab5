"""Graphviz drawings of Value graphs and of tiny networks, and rendering them to files."""

from viz.drawing import Drawing
from viz.graph import GraphTooLargeError, draw_dot
from viz.network import draw_net
from viz.page import StepPage
from viz.rendering import RendererNotFoundError, RenderError, render
from viz.step_through import step_through
from viz.step_through_net import step_through_net
from viz.steps import Contribution, Step, backward_steps

__all__ = [
    "Contribution",
    "Step",
    "StepPage",
    "backward_steps",
    "step_through",
    "step_through_net",
    "Drawing",
    "GraphTooLargeError",
    "RenderError",
    "RendererNotFoundError",
    "draw_dot",
    "draw_net",
    "render",
]
