"""Neural networks made of Values, whose grads are the δ^l of BP1–BP4, and the matrix reference."""

from nn import datasets
from nn.activations import ACTIVATIONS, Activation
from nn.costs import (
    COSTS,
    Cost,
    OnOutput,
    cross_entropy_cost,
    log_likelihood_cost,
    mean_cost,
    quadratic_cost,
)
from nn.network import MLP, Layer, Module, Neuron, Trace
from nn.reports import Comparison, Diagnosis, LayerHealth, compare, diagnose
from nn.torch_bridge import from_torch, to_torch, torch_cost
from nn.training import SGD, EpochStats, History, TrainingWarning, evaluate, train

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "COSTS",
    "Comparison",
    "Cost",
    "Diagnosis",
    "EpochStats",
    "History",
    "Layer",
    "LayerHealth",
    "MLP",
    "Module",
    "Neuron",
    "OnOutput",
    "SGD",
    "Trace",
    "TrainingWarning",
    "compare",
    "datasets",
    "diagnose",
    "cross_entropy_cost",
    "evaluate",
    "from_torch",
    "log_likelihood_cost",
    "mean_cost",
    "quadratic_cost",
    "to_torch",
    "torch_cost",
    "train",
]
