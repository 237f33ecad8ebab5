"""Neural networks made of Values, whose grads are the δ^l of BP1–BP4, and the matrix reference."""

from nn import datasets
from nn.activations import ACTIVATIONS
from nn.costs import COSTS, cross_entropy_cost, mean_cost, quadratic_cost
from nn.matrix import Comparison, compare
from nn.module import Module
from nn.network import MLP, Layer, Neuron, Trace
from nn.training import SGD, EpochStats, evaluate, train

__all__ = [
    "ACTIVATIONS",
    "COSTS",
    "Comparison",
    "EpochStats",
    "Layer",
    "MLP",
    "Module",
    "Neuron",
    "SGD",
    "Trace",
    "compare",
    "datasets",
    "cross_entropy_cost",
    "evaluate",
    "mean_cost",
    "quadratic_cost",
    "train",
]
