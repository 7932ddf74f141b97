"""Gradients of tensor graphs: reverse mode (``grad``, ``Lop``), forward mode (``Rop``),
``jacobian``, ``hessian``, and ``verify_grad`` against finite differences.

Gradient rules live here, one per op class, in one registry; other packages add
rules for their own ops with ``register_gradient``.
"""

from autodiff import rules as _rules  # noqa: F401 - registers the rules of tensorops' ops
from autodiff.control import disconnected_grad, grad_clip, grad_scale, zero_grad
from autodiff.derived import hessian, hessian_vector_product, jacobian
from autodiff.errors import (
    DisconnectedInputError,
    GradientMismatchError,
    GradientUndefinedError,
    MissingGradientRuleError,
)
from autodiff.forward import Rop
from autodiff.registry import UndefinedGrad, gradient_rule, register_gradient, undefined
from autodiff.reverse import Lop, grad
from autodiff.verify import verify_grad

__version__ = "0.1.0"

__all__ = [
    "DisconnectedInputError",
    "GradientMismatchError",
    "GradientUndefinedError",
    "Lop",
    "MissingGradientRuleError",
    "Rop",
    "UndefinedGrad",
    "__version__",
    "disconnected_grad",
    "grad",
    "grad_clip",
    "grad_scale",
    "gradient_rule",
    "hessian",
    "hessian_vector_product",
    "jacobian",
    "register_gradient",
    "undefined",
    "verify_grad",
    "zero_grad",
]
