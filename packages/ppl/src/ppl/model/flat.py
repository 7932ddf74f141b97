"""The model as samplers see it: a log density and gradient of one flat vector.

``FlatDensity`` (``model.logp_dlogp_function()``) compiles once ``x -> (logp, dlogp)``
over the continuous value variables laid end to end (samplers' ``BlockLayout`` says
where each lives), C when ccodegen is installed. A parameter outside its domain gives
``-inf`` here rather than an error, so a sampler rejects the proposal. Discrete value
variables, when the model has some, are extra inputs set by ``condition(point)``
(samplers' ``Conditional``), so a compound step can hold them at the chain's values.

Where ccodegen compiles the function to C, the density also offers its C entry point
(``c_logp_dlogp`` and ``c_context``, built on first use; ccodegen's ``density.py``), so
samplers' C NUTS runs whole trajectories with no Python between two gradients.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

import tensorops as pt
from autodiff import grad
from ccodegen.density import DensityPointer, density_pointer
from graphcore import Mode, SharedVariable, Variable, function, get_mode, make_linker
from ppl.checks import checks_as_minus_inf
from ppl.model.density import flat_join, model_logp, value_vars_of
from ppl.rebuild import substitute
from samplers import Block, BlockLayout


class FlatDensity:
    """``logp_dlogp(x) -> (float, ndarray)`` on the flat vector of ``vars``."""

    def __init__(
        self,
        model: Any,
        vars: Sequence[Any] | None = None,
        jacobian: bool = True,
        mode: Any = None,
    ):
        self.model = model
        chosen = model.continuous_value_vars if vars is None else value_vars_of(model, vars)
        self.value_vars = list(chosen)
        self.fixed_vars = [v for v in model.value_vars if v not in self.value_vars]
        shapes = current_shapes(model)
        blocks = [
            Block(str(var.name), shapes[var], np.dtype(var.type.dtype)) for var in self.value_vars
        ]
        self.layout = BlockLayout(blocks)
        self.dim = self.layout.size
        flat = pt.dvector("__flat")
        pieces = []
        for block in blocks:
            part = flat[self.layout.slices[block.name]]
            pieces.append(pt.reshape(part, block.shape))
        logp = checks_as_minus_inf([model_logp(model, None, jacobian=jacobian, sum=True)])[0]
        gradients = (
            grad(logp, self.value_vars, disconnected_inputs="ignore") if self.value_vars else []
        )
        outputs = [logp, flat_join(gradients)]
        outputs = substitute(outputs, dict(zip(self.value_vars, pieces, strict=True)))
        self._fixed_values = [np.zeros(shapes[v], dtype=v.type.dtype) for v in self.fixed_vars]
        self._pointer: DensityPointer | None = None
        self._shared_vars: list[SharedVariable] | None = None  # found on first use
        self._graph = ([flat, *self.fixed_vars], outputs)
        self._mode = get_mode(mode)
        # Where the function would be C, the density is compiled once, as its C entry
        # point: rewritten (and linked in Python, which costs nothing), then translated.
        self._via_pointer = _links_to_c(self._mode)
        if self._via_pointer:
            self.function = self._compile(replace(self._mode, linker="py"))
            self._c_pointer()
        else:
            self.function = self._compile(self._mode)

    def _compile(self, mode: Mode) -> Any:
        inputs, outputs = self._graph
        compiled = function(inputs, outputs, mode=mode, on_unused_input="ignore")
        compiled.trust_input = True
        return compiled

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        # C state stays in its process (a copy builds its own); the shared variables are
        # found again in the copy's graph
        state.update(_pointer=None, _shared_vars=None)
        return state

    def _c_pointer(self) -> DensityPointer | None:
        """The C entry point (built on first use after unpickling), or None where some
        node has no C or there is no C compiler."""
        if self._pointer is None and self._via_pointer:
            self._pointer = density_pointer(
                self.function.maker.fgraph, self.dim, self._held_values()
            )
            if self._pointer is None:  # some node has no C (or, unpickled, no compiler)
                self._via_pointer = False
                self.function = self._compile(self._mode)
        return self._pointer

    def _held_values(self) -> list[Any]:
        """The values of the function's inputs after ``x``: the fixed value variables,
        then the shared variables (``pm.Data``) as they are now."""
        if self._shared_vars is None:
            inputs = self.function.maker.fgraph.inputs[1 + len(self.fixed_vars) :]
            self._shared_vars = [var for var in inputs if isinstance(var, SharedVariable)]
        return self._fixed_values + [var.get_value(borrow=True) for var in self._shared_vars]

    @property
    def c_logp_dlogp(self) -> int | None:
        """The address of ``int logp_dlogp(const double *x, double *grad, double *logp,
        void *context)``, or None (samplers then call ``logp_dlogp`` back from C)."""
        pointer = self._c_pointer()
        return None if pointer is None else pointer.address

    @property
    def c_context(self) -> int | None:
        """The ``context`` of ``c_logp_dlogp``, its shared values read again now."""
        pointer = self._c_pointer()
        if pointer is None:
            return None
        pointer.hold_all(self._held_values())
        return pointer.context

    def c_error(self) -> Exception | None:
        """Why the C entry point failed last (its error, as the Python call raises it)."""
        return None if self._pointer is None else self._pointer.error()

    def logp_dlogp(self, x: NDArray) -> tuple[float, NDArray]:
        pointer = self._c_pointer()
        if pointer is not None:
            pointer.hold_all(self._held_values())
            return pointer.call(x)
        logp, dlogp = self.function(x, *self._fixed_values)
        return float(logp), dlogp

    def __call__(self, x: NDArray) -> tuple[float, NDArray]:
        return self.logp_dlogp(x)

    def condition(self, point: Mapping[str, NDArray]) -> None:
        """Hold the discrete (or otherwise fixed) value variables at ``point``'s values."""
        for position, var in enumerate(self.fixed_vars):
            if var.name in point:
                self._fixed_values[position] = np.asarray(point[var.name], dtype=var.type.dtype)
                if self._pointer is not None:
                    self._pointer.hold(1 + position, self._fixed_values[position])

    def array_to_point(self, x: NDArray) -> dict[str, NDArray]:
        return self.layout.unflatten(np.asarray(x, dtype=np.float64))

    def point_to_array(self, point: Mapping[str, Any]) -> NDArray:
        return self.layout.flatten(point)


def current_shapes(model: Any) -> dict[Variable, tuple[int, ...]]:
    """Each value variable's shape: its static one, else (a shape that follows
    ``pm.Data``) the shape it has now, read from the initial point."""
    shapes: dict[Variable, tuple[int, ...]] = {}
    point = None
    for var in model.value_vars:
        static = tuple(var.type.shape)
        if any(s is None for s in static):
            point = model.initial_point() if point is None else point
            static = np.shape(point[var.name])
        shapes[var] = static
    return shapes


def _links_to_c(mode: Mode) -> bool:
    """Whether ``mode`` links with ccodegen's C linker (``"auto"``: the installed best)."""
    return make_linker(mode.linker).name == "c"
