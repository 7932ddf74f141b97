"""``dprint``: a graph as an indented tree, one line per variable.

    Log [id A] 'z'
     └─ Add [id B]
        ├─ x [id C]
        └─ y [id D]

A node seen before is printed once more by its id with ``···`` in place of its
inputs. On a compiled function, the rewritten graph is printed with each node's
position in the execution order. An op holding a graph of its own (a loop's step)
exposes its outputs as ``inner_outputs``; such graphs follow under ``Inner graphs:``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import IO, Any

from graphcore.fgraph import FunctionGraph
from graphcore.graph.apply import Apply
from graphcore.graph.variable import Constant, Variable


def _letters(number: int) -> str:
    """0 -> A, 25 -> Z, 26 -> BA, as a base-26 numeral in the letters A..Z."""
    digits = []
    while True:
        number, digit = divmod(number, 26)
        digits.append(chr(ord("A") + digit))
        if number == 0:
            break
    return "".join(reversed(digits))


class _TreeWriter:
    def __init__(self, print_type: bool, depth: int, order: dict[Apply, int] | None):
        self.ids: dict[Variable | Apply, str] = {}
        self.print_type = print_type
        self.depth = depth
        self.order = order
        self.lines: list[str] = []
        self.expanded: set[Apply] = set()

    def id_of(self, var: Variable) -> str:
        key: Variable | Apply = var.owner if var.owner is not None else var
        if key not in self.ids:
            self.ids[key] = _letters(len(self.ids))
        return self.ids[key]

    def label(self, var: Variable) -> str:
        node = var.owner
        if node is None:
            head = str(var.data) if isinstance(var, Constant) else (var.name or f"<{var.type}>")
            if isinstance(var, Constant) and var.name:
                head = var.name
        else:
            head = str(node.op) if len(node.outputs) == 1 else f"{node.op}.{var.index}"
        text = f"{head} [id {self.id_of(var)}]"
        if node is not None and var.name:
            text += f" '{var.name}'"
        if self.print_type:
            text += f" <{var.type}>"
        if node is not None and self.order is not None and node in self.order:
            text += f" {self.order[node]}"
        return text

    def write(self, root: Variable) -> None:
        # Each stack entry: variable, prefix for its own line, prefix for its children, depth.
        stack: list[tuple[Variable, str, str, int]] = [(root, "", " ", 0)]
        while stack:
            var, own_prefix, child_prefix, level = stack.pop()
            self.lines.append(own_prefix + self.label(var))
            node = var.owner
            if node is None or (self.depth >= 0 and level >= self.depth):
                continue
            if node in self.expanded:
                self.lines.append(child_prefix + "└─ ···")
                continue
            self.expanded.add(node)
            children = []
            for position, inp in enumerate(node.inputs):
                last = position == len(node.inputs) - 1
                children.append(
                    (
                        inp,
                        child_prefix + ("└─ " if last else "├─ "),
                        child_prefix + ("   " if last else "│  "),
                        level + 1,
                    )
                )
            stack.extend(reversed(children))


def dprint(
    obj: Any,
    file: IO[str] | str | None = None,
    depth: int = -1,
    print_type: bool = False,
) -> Any:
    """Print ``obj`` (variable(s), an Apply, a FunctionGraph or a compiled function) as a tree.

    ``file`` may be a file object, ``None`` (standard output) or ``"str"`` (return the text).
    """
    roots, order = _roots_and_order(obj)
    writer = _TreeWriter(print_type, depth, order)
    for root in roots:
        writer.write(root)
    _write_inner_graphs(writer)
    text = "\n".join(writer.lines) + "\n"
    if file == "str":
        return text
    stream = sys.stdout if file is None else file
    assert not isinstance(stream, str)
    stream.write(text)
    return obj


def _write_inner_graphs(writer: _TreeWriter) -> None:
    """Each printed node whose op holds a graph: the op, then that graph's outputs as trees
    (a graph inside one of those is printed after it)."""
    printed: set[Apply] = set()
    first = True
    while True:
        holders = [
            node
            for node in writer.expanded
            if node not in printed and getattr(node.op, "inner_outputs", None) is not None
        ]
        if not holders:
            return
        if first:
            writer.lines += ["", "Inner graphs:"]
            first = False
        for node in sorted(holders, key=lambda n: writer.id_of(n.outputs[0])):
            printed.add(node)
            writer.lines += ["", f"{node.op} [id {writer.id_of(node.outputs[0])}]"]
            for out in getattr(node.op, "inner_outputs", ()):
                start = len(writer.lines)
                writer.write(out)
                writer.lines[start] = " ← " + writer.lines[start]
                for k in range(start + 1, len(writer.lines)):
                    writer.lines[k] = "   " + writer.lines[k]


def _roots_and_order(obj: Any) -> tuple[Sequence[Variable], dict[Apply, int] | None]:
    maker = getattr(obj, "maker", None)
    if maker is not None:
        obj = maker.fgraph
    if isinstance(obj, FunctionGraph):
        return obj.outputs, {node: i for i, node in enumerate(obj.toposort())}
    if isinstance(obj, Variable):
        return [obj], None
    if isinstance(obj, Apply):
        return obj.outputs, None
    if isinstance(obj, (list, tuple)) and all(isinstance(v, Variable) for v in obj):
        return list(obj), None
    raise TypeError(
        "dprint: expected a variable, a list of variables, an Apply, a FunctionGraph or a "
        f"compiled function, got {type(obj).__name__}"
    )
