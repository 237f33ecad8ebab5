"""A scalar autodiff engine: ``Value``, its primitives, reverse and forward mode, ``gradcheck``."""

from engine.autodiff import grad
from engine.functional import hessian, hvp, jacobian, jvp
from engine.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from engine.gradcheck import GradcheckError, gradcheck, gradgradcheck
from engine.primitives import PRIMITIVES, Primitive, power, register
from engine.value import Value, weighted_sum

__all__ = [
    "PRIMITIVES",
    "GradcheckError",
    "Primitive",
    "Value",
    "enable_grad",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "hessian",
    "hvp",
    "is_grad_enabled",
    "jacobian",
    "jvp",
    "no_grad",
    "power",
    "register",
    "set_grad_enabled",
    "weighted_sum",
]
