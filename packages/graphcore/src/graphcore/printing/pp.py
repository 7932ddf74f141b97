"""``pp``: a graph as one line of math, ``pp(x + y) == "(x + y)"``.

Packages that define ops register how each prints (infix operator or function
call); an op with no printer prints as ``OpName(arg, ...)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from graphcore.graph.apply import Apply
from graphcore.graph.variable import Constant, Variable


class Printer(Protocol):
    def __call__(self, node: Apply, args: list[str]) -> str: ...


@dataclass(frozen=True)
class OperatorPrinter:
    """Infix (``(a + b)``) or, with one argument, prefix (``-a``) notation."""

    symbol: str

    def __call__(self, node: Apply, args: list[str]) -> str:
        if len(args) == 1:
            return f"{self.symbol}{args[0]}"
        return "(" + f" {self.symbol} ".join(args) + ")"


@dataclass(frozen=True)
class FunctionPrinter:
    """Call notation with a chosen name: ``log(x)``."""

    name: str

    def __call__(self, node: Apply, args: list[str]) -> str:
        return f"{self.name}({', '.join(args)})"


Match = type | Callable[[Apply], bool]
_printers: list[tuple[Match, Printer]] = []


def register_printer(match: Match, printer: Printer) -> None:
    """Print nodes whose op is of class ``match`` (or for which ``match(node)`` holds)."""
    _printers.insert(0, (match, printer))


def _printer_for(node: Apply) -> Printer | None:
    for match, printer in _printers:
        if isinstance(match, type):
            if isinstance(node.op, match):
                return printer
        elif match(node):
            return printer
    return None


def pp(var: Variable) -> str:
    """One line of math for ``var``; iterative, so deep graphs print without recursion limits."""
    text: dict[Variable, str] = {}
    stack = [var]
    while stack:
        current = stack[-1]
        if current in text:
            stack.pop()
            continue
        node = current.owner
        if node is None or isinstance(current, Constant):
            text[current] = str(current)
            stack.pop()
            continue
        pending = [inp for inp in node.inputs if inp not in text]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        args = [text[inp] for inp in node.inputs]
        printer = _printer_for(node)
        body = printer(node, args) if printer else f"{node.op}({', '.join(args)})"
        if len(node.outputs) > 1:
            body = f"{body}[{current.index}]"
        text[current] = body
    return text[var]
