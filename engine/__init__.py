"""A scalar autodiff engine: Value, its primitives, reverse and forward mode, gradcheck, compile."""

from engine.autodiff import grad
from engine.compile.recording import TracingWarning
from engine.compile.replay import CheckReport, Compiled, compile
from engine.functional import hessian, hvp, jacobian, jvp
from engine.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from engine.gradcheck import GradcheckError, gradcheck, gradgradcheck
from engine.paths import Path, count_paths, paths
from engine.primitives import PRIMITIVES, Primitive, power, register
from engine.value import Value, logsumexp, weighted_sum

__all__ = [
    "CheckReport",
    "Compiled",
    "PRIMITIVES",
    "Path",
    "GradcheckError",
    "Primitive",
    "TracingWarning",
    "Value",
    "compile",
    "count_paths",
    "enable_grad",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "hessian",
    "hvp",
    "is_grad_enabled",
    "jacobian",
    "jvp",
    "logsumexp",
    "no_grad",
    "paths",
    "power",
    "register",
    "set_grad_enabled",
    "weighted_sum",
]
