"""How tensor ops print in ``graphcore.pp``: ``(x + y)``, ``-x``, ``exp(x)``."""

from __future__ import annotations

from graphcore import Apply, register_printer
from tensorops.elemwise import Elemwise


def _is_elemwise(node: Apply) -> bool:
    return isinstance(node.op, Elemwise)


def _elemwise_text(node: Apply, args: list[str]) -> str:
    op = node.op
    assert isinstance(op, Elemwise)
    return op.scalar_op.expression(args)


register_printer(_is_elemwise, _elemwise_text)
