"""A scalar reverse-mode autodiff engine: ``Value``, its primitives, ``no_grad`` and ``gradcheck``."""

from engine.grad_mode import is_grad_enabled, no_grad
from engine.gradcheck import GradcheckError, gradcheck
from engine.primitives import PRIMITIVES, Primitive
from engine.value import Value, weighted_sum

__all__ = [
    "Value",
    "weighted_sum",
    "no_grad",
    "is_grad_enabled",
    "gradcheck",
    "GradcheckError",
    "Primitive",
    "PRIMITIVES",
]
