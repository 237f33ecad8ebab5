"""Neural networks made of Values, whose grads are the δ^l of BP1–BP4, and the matrix reference."""

from nn.activations import ACTIVATIONS, Activation
from nn.compare import Comparison, compare
from nn.costs import COSTS, Cost, OnOutput, cross_entropy_cost, mean_cost, quadratic_cost
from nn.module import Module
from nn.network import MLP, Layer, Neuron
from nn.trace import Trace
from nn.training import SGD, EpochStats, evaluate, train

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "COSTS",
    "Comparison",
    "Cost",
    "EpochStats",
    "Layer",
    "MLP",
    "Module",
    "Neuron",
    "OnOutput",
    "SGD",
    "Trace",
    "compare",
    "cross_entropy_cost",
    "evaluate",
    "mean_cost",
    "quadratic_cost",
    "train",
]
