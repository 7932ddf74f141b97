"""The log density a gradient-free step evaluates: its own value variables, the rest held.

``BlockLogp`` compiles the model's joint log density once (C when ccodegen is
installed), with every value variable an input of its own dtype, so that discrete
blocks are evaluated at their integers. A step hands it the flat vector of its own
blocks; the other value variables keep the chain's current values, set through
``condition(point)`` (samplers' ``Conditional``) before each transition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from graphcore import Variable, function
from ppl.checks import checks_as_minus_inf
from ppl.model.density import model_logp
from ppl.model.flat import current_shapes
from samplers import Block, BlockLayout
from tensorops.opsupport import tensor_type


class BlockLogp:
    """``logp(x) -> float`` on the flat vector of ``value_vars``; the others come from
    ``condition(point)``. A parameter outside its domain gives -inf."""

    def __init__(self, model: Any, value_vars: Sequence[Variable], mode: Any = None):
        self.value_vars = list(value_vars)
        self.fixed_vars = [v for v in model.value_vars if v not in self.value_vars]
        shapes = current_shapes(model)
        blocks = [
            Block(str(var.name), shapes[var], np.dtype(tensor_type(var).dtype))
            for var in self.value_vars
        ]
        self.layout = BlockLayout(blocks)
        self.dim = self.layout.size
        self._pieces = [
            (self.layout.slices[block.name], block.shape, block.dtype) for block in blocks
        ]
        logp = checks_as_minus_inf([model_logp(model, None, jacobian=True, sum=True)])[0]
        self.function = function(
            [*self.value_vars, *self.fixed_vars], [logp], mode=mode, on_unused_input="ignore"
        )
        self.function.trust_input = True
        self._fixed_values = [
            np.zeros(shapes[var], dtype=tensor_type(var).dtype) for var in self.fixed_vars
        ]

    def logp(self, x: NDArray) -> float:
        own = [
            np.asarray(x[where].reshape(shape), dtype=dtype) for where, shape, dtype in self._pieces
        ]
        return float(self.function(*own, *self._fixed_values)[0])

    def __call__(self, x: NDArray) -> float:
        return self.logp(x)

    def condition(self, point: Mapping[str, NDArray]) -> None:
        """Hold the other value variables at ``point``'s values."""
        for position, var in enumerate(self.fixed_vars):
            value = point.get(str(var.name))
            if value is not None:
                self._fixed_values[position] = np.asarray(value, dtype=tensor_type(var).dtype)
