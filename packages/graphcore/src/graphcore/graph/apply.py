"""Apply nodes: one application of an op to input variables, producing output variables."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING

from graphcore.graph.variable import Variable

if TYPE_CHECKING:
    from graphcore.graph.op import Op

_OUR_PACKAGES = (
    "graphcore",
    "tensorops",
    "autodiff",
    "rewriter",
    "ccodegen",
    "cudagen",
    "scanloop",
    "randomstreams",
    "ppl",
)


def user_code_location() -> tuple[str, int] | None:
    """The file and line of the first frame outside our packages: where the user built this.

    ``make_node`` frames are skipped too, so an op a user defines points at the
    line that applied it, not at its own definition.
    """
    frame = sys._getframe(2)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        outside = module.split(".", 1)[0] not in _OUR_PACKAGES
        if outside and frame.f_code.co_name != "make_node":
            return frame.f_code.co_filename, frame.f_lineno
        frame = frame.f_back  # type: ignore[assignment]
    return None


class Apply:
    """``outputs = op(*inputs)`` as a node of the graph."""

    __slots__ = ("inputs", "op", "outputs", "tag")

    def __init__(self, op: Op, inputs: Sequence[Variable], outputs: Sequence[Variable]):
        for position, var in enumerate(inputs):
            if not isinstance(var, Variable):
                raise TypeError(
                    f"{op}: input {position} must be a Variable, got {var!r} "
                    f"of type {type(var).__name__}"
                )
        self.op = op
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        for index, out in enumerate(self.outputs):
            if out.owner is not None and (out.owner is not self or out.index != index):
                raise ValueError(f"{op}: output {index} ({out}) already belongs to another node")
            out.owner = self
            out.index = index
        self.tag = SimpleNamespace(trace=user_code_location())

    @property
    def nin(self) -> int:
        return len(self.inputs)

    @property
    def nout(self) -> int:
        return len(self.outputs)

    @property
    def out(self) -> Variable:
        """The single output, or the op's ``default_output``."""
        index = self.op.default_output
        if index is None:
            if len(self.outputs) != 1:
                raise AttributeError(f"{self.op} has {len(self.outputs)} outputs: pick one")
            index = 0
        return self.outputs[index]

    def clone(self) -> Apply:
        """A copy with the same inputs and fresh outputs."""
        outputs = [out.clone() for out in self.outputs]
        node = Apply(self.op, self.inputs, outputs)
        node.tag = SimpleNamespace(**vars(self.tag))
        return node

    def clone_with_new_inputs(self, inputs: Sequence[Variable], strict: bool = True) -> Apply:
        """The same op on other inputs; rebuilt by ``make_node`` when input types changed."""
        if len(inputs) != len(self.inputs):
            raise ValueError(f"{self.op}: expected {len(self.inputs)} inputs, got {len(inputs)}")
        same_types = all(new.type == old.type for new, old in zip(inputs, self.inputs, strict=True))
        if same_types:
            node = self.clone()
            node.inputs = list(inputs)
            return node
        if strict:
            converted = []
            for new, old in zip(inputs, self.inputs, strict=True):
                as_old = old.type.convert_variable(new)
                if as_old is None:
                    raise TypeError(
                        f"{self.op}: cannot replace input {old} of type {old.type} "
                        f"by {new} of type {new.type}"
                    )
                converted.append(as_old)
            inputs = converted
        node = self.op.make_node(*inputs)
        node.tag = SimpleNamespace(**vars(self.tag))
        return node

    def __str__(self) -> str:
        return f"{self.op}({', '.join(str(var) for var in self.inputs)})"

    def __repr__(self) -> str:
        return str(self)

    def location(self) -> str:
        """Where user code built this node, for error messages."""
        trace = self.tag.trace
        return f"{trace[0]}:{trace[1]}" if trace else "an unknown place"
