"""``RandomVariable``: one op per distribution, drawing with a NumPy generator.

Inputs are ``(rng, size, *parameters)``; outputs are the generator after the draw
and the draw itself (the default output). Unless the op is ``inplace`` the input
generator is copied before drawing, so evaluating a node never changes a value
someone else holds; a stream installs the new generator as the shared one's update.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import tensorops as pt
from graphcore import Apply, Op, Variable, config
from randomstreams.rng_type import copy_generator, random_generator_type
from randomstreams.signature import Signature
from tensorops.opsupport import tensor_type
from tensorops.type import TensorType
from tensorops.variable import TensorVariable

Sampler = Callable[..., Any]
"""``sampler(rng, *parameters, size=tuple | None) -> ndarray``."""


class RandomVariable(Op):
    """Draws from one distribution; equal ops draw from the same distribution."""

    __props__ = ("name", "signature", "dtype", "inplace")
    default_output = 1
    fold_constants = False

    def __init__(
        self,
        name: str,
        signature: str,
        dtype: str,
        sampler: Sampler,
        param_names: Sequence[str] = (),
        inplace: bool = False,
    ):
        self.name = name
        self.signature = signature
        self.dtype = dtype
        self.sampler = sampler
        self.param_names = tuple(param_names)
        self.inplace = inplace
        self.parsed = Signature.parse(signature)
        self.destroy_map = {0: [0]} if inplace else {}

    @property
    def ndim_supp(self) -> int:
        return self.parsed.ndim_supp

    def with_inplace(self, inplace: bool = True) -> RandomVariable:
        return RandomVariable(
            self.name, self.signature, self.dtype, self.sampler, self.param_names, inplace
        )

    def make_inplace(self) -> RandomVariable | None:
        """The variant that advances the input generator itself instead of a copy (the
        rewriter's inplace pass uses it when nothing else reads that generator)."""
        return None if self.inplace else self.with_inplace()

    def output_dtype(self, dtype: Any = None) -> str:
        if dtype is not None:
            return str(np.dtype(dtype))
        return str(config.floatX) if self.dtype == "floatX" else self.dtype

    # Op.make_node declares no keywords, though Op.__call__ passes them on (as dtype here).
    def make_node(self, rng: Variable, size: Any, *params: Any, dtype: Any = None) -> Apply:
        expected = len(self.parsed.inputs)
        if len(params) != expected:
            names = ", ".join(self.param_names) or f"{expected} parameters"
            raise TypeError(f"{self.name} takes {expected} parameters ({names}), got {len(params)}")
        if rng.type != random_generator_type:
            raise TypeError(f"{self.name}: rng must be a random generator variable, got {rng.type}")
        size_var = _size_variable(self.name, size)
        tensors = [pt.as_tensor(p) for p in params]
        for position, (tensor, core) in enumerate(zip(tensors, self.parsed.inputs, strict=True)):
            if tensor.ndim < len(core):
                label = self.param_names[position] if self.param_names else f"parameter {position}"
                raise ValueError(
                    f"{self.name}: {label} needs at least {len(core)} dimensions "
                    f"(signature {self.signature}), got {tensor.ndim}"
                )
        shape = self._static_shape(size, size_var, tensors)
        draw = TensorType(self.output_dtype(dtype), shape)()
        return Apply(self, [rng, size_var, *tensors], [random_generator_type(), draw])

    def _static_shape(
        self, size: Any, size_var: TensorVariable, params: Sequence[TensorVariable]
    ) -> tuple[int | None, ...]:
        support = self._support_shape([p.type.shape for p in params])
        length = size_var.type.shape[0]
        if length:
            data = getattr(size_var, "data", None)
            batch = tuple(int(s) for s in data) if data is not None else (None,) * length
            return batch + support
        batch_shapes = [
            p.type.shape[: p.ndim - len(core)]
            for p, core in zip(params, self.parsed.inputs, strict=True)
        ]
        return _broadcast_static(self.name, batch_shapes) + support

    def _support_shape(self, param_shapes: list[tuple[Any, ...]]) -> tuple[Any, ...]:
        """Sizes of the output's core dims, taken from parameters that share their letters."""
        sizes: dict[str, Any] = {}
        for shape, core in zip(param_shapes, self.parsed.inputs, strict=True):
            for letter, entry in zip(core, shape[len(shape) - len(core) :], strict=True):
                if sizes.get(letter) is None:
                    sizes[letter] = entry
        return tuple(sizes.get(letter) for letter in self.parsed.output)

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: Any) -> None:
        rng, size, *params = inputs
        if not self.inplace:
            rng = copy_generator(rng)
        requested = tuple(int(s) for s in size) if len(size) else None
        draw = self.sampler(rng, *params, size=requested)
        output_storage[0][0] = rng
        output_storage[1][0] = np.asarray(draw, dtype=tensor_type(node.outputs[1]).dtype)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        size = typing.cast(TensorVariable, node.inputs[1])  # make_node's int64 size vector
        params = node.inputs[2:]
        param_shapes = input_shapes[2:]
        support = self._support_shape([tuple(s) for s in param_shapes])
        static = tensor_type(node.outputs[1]).shape
        if size.type.shape[0]:
            batch = tuple(size[i] for i in range(size.type.shape[0]))
        else:
            batch_shapes = [
                tuple(shape)[: tensor_type(p).ndim - len(core)]
                for p, shape, core in zip(params, param_shapes, self.parsed.inputs, strict=True)
            ]
            batch = _broadcast_symbolic(batch_shapes)
        entries = batch + support
        return [
            None,
            tuple(s if s is not None else e for s, e in zip(static, entries, strict=True)),
        ]

    def __str__(self) -> str:
        return f"{self.name}_rv" + ("{inplace}" if self.inplace else "")


def _size_variable(name: str, size: Any) -> TensorVariable:
    """``size`` as an int64 vector; ``None`` is the empty vector: the parameters decide."""
    if size is None:
        return typing.cast(TensorVariable, pt.constant(np.zeros(0, dtype="int64")))
    if isinstance(size, (int, np.integer)):
        size = (int(size),)
    if isinstance(size, Variable):
        vector = typing.cast(TensorVariable, size)  # a symbolic size is a tensor
        if vector.ndim == 0:
            size = [size]
            vector = pt.as_tensor(size, dtype="int64")
    else:
        vector = pt.as_tensor(size, dtype="int64")
    if vector.ndim != 1 or not str(vector.type.dtype).startswith(("int", "uint")):
        raise TypeError(f"{name}: size must be None, an int or a sequence of ints, got {size!r}")
    if vector.type.shape[0] is None:
        raise ValueError(f"{name}: the length of size must be known when the graph is built")
    return vector if str(vector.type.dtype) == "int64" else pt.cast(vector, "int64")


def _broadcast_static(name: str, shapes: list[tuple[Any, ...]]) -> tuple[int | None, ...]:
    ndim = max((len(s) for s in shapes), default=0)
    result: list[int | None] = []
    for axis in range(ndim):
        entries = [s[axis - ndim + len(s)] for s in shapes if axis - ndim + len(s) >= 0]
        known = {e for e in entries if e is not None and e != 1}
        if len(known) > 1:
            raise ValueError(f"{name}: parameter shapes {shapes} do not broadcast")
        if known:
            result.append(known.pop())
        elif any(e is None for e in entries):
            result.append(None)
        else:
            result.append(1)
    return tuple(result)


def _broadcast_symbolic(shapes: list[tuple[Any, ...]]) -> tuple[Any, ...]:
    """Broadcast batch shapes: each axis is the largest of the sizes present (all 1 or equal)."""
    ndim = max((len(s) for s in shapes), default=0)
    result = []
    for axis in range(ndim):
        entries = [s[axis - ndim + len(s)] for s in shapes if axis - ndim + len(s) >= 0]
        size = entries[0]
        for entry in entries[1:]:
            size = pt.maximum(size, entry)
        result.append(size)
    return tuple(result)
