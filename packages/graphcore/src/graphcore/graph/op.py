"""Ops: the operations of a graph, and the contract every backend relies on."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from graphcore.graph.apply import Apply

if TYPE_CHECKING:
    from graphcore.fgraph import FunctionGraph

OutputStorage = list[list[Any]]
"""One single-element cell per output; ``perform`` writes ``cell[0]`` (and may reuse it)."""


class Op:
    """An operation. Subclasses define ``make_node`` and ``perform``.

    - ``__props__`` names the attributes that make two ops equal (and hash alike);
      ``__props__ = ()`` makes all ops of the class equal; without it, ops compare
      by identity.
    - ``perform(node, inputs, output_storage)`` computes with NumPy. A cell may
      still hold the previous call's array: an op may write into it when its
      shape and dtype fit, which is how buffers are reused between calls.
    - ``view_map`` / ``destroy_map``: ``{output_index: [input_index]}`` when an
      output aliases, or overwrites, an input (class attributes, or set per
      instance when they depend on the op's settings).
    - ``infer_shape(fgraph, node, input_shapes)`` returns output shapes as
      symbolic scalars, so shapes are known without running the op.
    - A lazy op sets ``lazy = True`` and implements ``perform_lazy``: it asks for
      the inputs it needs through a callback, so untaken branches never run.
    """

    __props__: ClassVar[tuple[str, ...] | None] = None
    view_map: dict[int, list[int]] = {}  # noqa: RUF012 - read-only default, replaced not mutated
    destroy_map: dict[int, list[int]] = {}  # noqa: RUF012
    default_output: ClassVar[int | None] = None
    lazy: ClassVar[bool] = False

    def make_node(self, *inputs: Any, **kwargs: Any) -> Apply:
        raise NotImplementedError(f"{type(self).__name__} must define make_node")

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        raise NotImplementedError(
            f"{type(self).__name__} has no Python implementation (perform); "
            "compile it with a backend that provides one"
        )

    def perform_lazy(
        self, node: Apply, compute_input: Callable[[int], Any], output_storage: OutputStorage
    ) -> None:
        raise NotImplementedError(f"{type(self).__name__} is not lazy")

    def infer_shape(
        self, fgraph: FunctionGraph | None, node: Apply, input_shapes: Sequence[Any]
    ) -> list[Any]:
        raise NotImplementedError(f"{type(self).__name__} does not define infer_shape")

    def __call__(self, *inputs: Any, **kwargs: Any) -> Any:
        """Build the node; return its output, or the list of outputs when there are several."""
        node = self.make_node(*inputs, **kwargs)
        if self.default_output is not None:
            return node.outputs[self.default_output]
        if len(node.outputs) == 1:
            return node.outputs[0]
        return node.outputs

    def _props(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__props__ or ())

    def _props_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__props__ or ()}

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if self.__props__ is None:
            return False
        return type(self) is type(other) and self._props() == other._props()

    def __hash__(self) -> int:
        if self.__props__ is None:
            return id(self)
        # Props do not change after construction, and rewriting hashes ops constantly.
        cached: int | None = self.__dict__.get("_props_hash")
        if cached is None:
            cached = hash((type(self), self._props()))
            self.__dict__["_props_hash"] = cached
        return cached

    def __str__(self) -> str:
        name = type(self).__name__
        if not self.__props__:
            return name
        props = ", ".join(f"{key}={value}" for key, value in self._props_dict().items())
        return f"{name}{{{props}}}"

    def __repr__(self) -> str:
        return str(self)
