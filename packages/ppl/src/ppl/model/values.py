"""Value variables: where a free random variable's log density is evaluated.

A free variable with a bounded support gets its distribution's default transform
(``sigma`` -> ``sigma_log__``); ``transform=None`` opts out, and a transform on a
discrete variable is refused. The value variable has the type of the transformed
draw (a simplex of ``k`` entries has ``k - 1`` free values).
"""

from __future__ import annotations

from typing import Any

from graphcore import Variable
from ppl.distributions.base import distribution_of
from ppl.transforms import Transform
from tensorops.opsupport import tensor_type
from tensorops.variable import TensorVariable


def choose_transform(rv: TensorVariable, name: str, transform: Any) -> Transform | None:
    cls = distribution_of(rv.owner.op) if rv.owner is not None else None
    discrete = not str(rv.dtype).startswith("float")
    if transform == "default":
        return None if cls is None or discrete else cls.default_transform
    if transform is None:
        return None
    if not isinstance(transform, Transform):
        raise TypeError(
            f"{name}: transform must be a ppl transform (such as pm.transforms.log) "
            f"or None, got {transform!r}"
        )
    if discrete:
        raise TypeError(
            f"{name}: a transform cannot be applied to the discrete variable {name} "
            f"(dtype {rv.dtype}); transforms map continuous values to the reals"
        )
    return transform


def make_value_variable(model: Any, rv: TensorVariable, name: str, transform: Any) -> Variable:
    chosen = choose_transform(rv, name, transform)
    model.rvs_to_transforms[rv] = chosen
    if chosen is None:
        return tensor_type(rv).make_variable(name)
    inputs = rv.owner.inputs[2:] if rv.owner is not None else []
    forward = chosen.forward(rv, *inputs)
    return tensor_type(forward).make_variable(f"{name}_{chosen.name}__")
