"""How a model's random variables print: ``mu ~ Normal(0, 2)``.

A registered random variable becomes a ``ModelRV`` (a ``DistributionVariable``, with
the same slots): ``str`` is its name, as everywhere in graphs; ``repr`` says its distribution
and parameters, the way PyMC prints ``model.rvs_to_values``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from graphcore import Constant, Variable
from ppl.distributions.base import distribution_of
from ppl.distributions.variable import DistributionVariable
from tensorops.variable import TensorVariable


def describe_input(var: Variable) -> str:
    """A parameter as the distribution's repr shows it."""
    if isinstance(var, Constant):
        data = np.asarray(var.data)
        if data.ndim == 0:
            return (
                np.format_float_positional(data.item(), trim="-")
                if data.dtype.kind == "f"
                else str(data.item())
            )
        return "<constant>"
    if var.name is not None:
        return var.name
    owner = var.owner
    if owner is not None and type(owner.op).__name__ == "DimShuffle":
        return describe_input(owner.inputs[0])
    if owner is not None and type(owner.op).__name__ == "Elemwise" and len(owner.inputs) == 1:
        return f"f({describe_input(owner.inputs[0])})"
    return "f()"


def distribution_text(rv: Variable) -> str:
    """``Normal(0, 2)`` for a random variable, from its op and parameters."""
    owner = rv.owner
    if owner is None:
        return str(rv)
    cls = distribution_of(owner.op)
    label = cls.__name__ if cls is not None else str(owner.op)
    params = ", ".join(describe_input(p) for p in owner.inputs[2:])
    return f"{label}({params})"


class ModelRV(DistributionVariable):
    """A random variable registered in a model (prints with its distribution)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"{self.name} ~ {distribution_text(self)}"


def mark_registered(rv: Any) -> Any:
    """Give ``rv`` the model variable's printing; the variable itself is unchanged."""
    if type(rv) in (TensorVariable, DistributionVariable):
        rv.__class__ = ModelRV
    return rv
