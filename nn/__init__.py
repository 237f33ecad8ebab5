"""Neural networks made of Values, whose grads are the δ^l of BP1–BP4, and the matrix reference."""

from nn import datasets
from nn.activations import ACTIVATIONS
from nn.costs import COSTS, cross_entropy_cost, mean_cost, quadratic_cost
from nn.diagnostics import Diagnosis, LayerHealth, diagnose
from nn.matrix import Comparison, compare
from nn.module import Module
from nn.network import MLP, Layer, Neuron, Trace
from nn.training import SGD, EpochStats, TrainingWarning, evaluate, train

__all__ = [
    "ACTIVATIONS",
    "COSTS",
    "Comparison",
    "Diagnosis",
    "EpochStats",
    "Layer",
    "LayerHealth",
    "MLP",
    "Module",
    "Neuron",
    "SGD",
    "Trace",
    "TrainingWarning",
    "compare",
    "datasets",
    "diagnose",
    "cross_entropy_cost",
    "evaluate",
    "mean_cost",
    "quadratic_cost",
    "train",
]
