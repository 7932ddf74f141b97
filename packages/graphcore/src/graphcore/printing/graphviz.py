"""``graphviz``: write a graph as a Graphviz .dot file, and render it when Graphviz is installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path
from typing import Any

from graphcore.fgraph import FunctionGraph
from graphcore.graph.traversal import toposort
from graphcore.graph.variable import Constant, Variable

_RENDERED = {".png", ".svg", ".pdf"}


class GraphvizMissingWarning(UserWarning):
    """A picture was asked for, but Graphviz's ``dot`` is not installed: only .dot written."""


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(outputs: list[Variable], inputs: list[Variable] | None = None) -> str:
    """The .dot text: variables as ellipses (inputs green, outputs blue), ops as boxes."""
    ids: dict[Any, str] = {}

    def ident(obj: Any) -> str:
        if obj not in ids:
            ids[obj] = f"n{len(ids)}"
        return ids[obj]

    lines = ["digraph G {", "  rankdir=TB;"]
    declared: set[Variable] = set()
    roots = set(inputs or ())

    def declare(var: Variable) -> None:
        if var in declared:
            return
        declared.add(var)
        label = str(var.data) if isinstance(var, Constant) else (var.name or str(var.type))
        color = "lightgreen" if var in roots or var.owner is None else "white"
        if var in outputs:
            color = "lightblue"
        lines.append(f"  {ident(var)} [label={_quote(label)}, style=filled, fillcolor={color}];")

    for node in toposort(outputs):
        lines.append(f"  {ident(node)} [label={_quote(str(node.op))}, shape=box];")
        for position, inp in enumerate(node.inputs):
            declare(inp)
            edge_label = f" [label={position}]" if len(node.inputs) > 1 else ""
            lines.append(f"  {ident(inp)} -> {ident(node)}{edge_label};")
        for out in node.outputs:
            declare(out)
            lines.append(f"  {ident(node)} -> {ident(out)};")
    for out in outputs:
        declare(out)
    lines.append("}")
    return "\n".join(lines) + "\n"


def graphviz(obj: Any, filename: str | os.PathLike[str]) -> Path:
    """Write ``obj``'s graph (a variable, list, FunctionGraph or compiled function) to ``filename``.

    A ``.dot`` name gets the text; a ``.png``/``.svg``/``.pdf`` name also gets the
    picture when the Graphviz ``dot`` program is installed (the .dot file is written
    beside it either way; without ``dot`` a warning says so). Returns the path of the
    file written last.
    """
    maker = getattr(obj, "maker", None)
    if maker is not None:
        obj = maker.fgraph
    if isinstance(obj, FunctionGraph):
        text = to_dot(list(obj.outputs), list(obj.inputs))
    elif isinstance(obj, Variable):
        text = to_dot([obj])
    elif isinstance(obj, (list, tuple)):
        text = to_dot(list(obj))
    else:
        raise TypeError(
            f"graphviz: expected a variable or a compiled function, got {type(obj).__name__}"
        )
    return write_dot(text, filename)


def write_dot(text: str, filename: str | os.PathLike[str]) -> Path:
    """Write the Graphviz source ``text`` to ``filename``: a ``.dot`` name gets the text, a
    ``.png``/``.svg``/``.pdf`` name also the picture when ``dot`` is installed (as ``graphviz``)."""
    target = Path(filename)
    dot_path = target if target.suffix not in _RENDERED else target.with_suffix(".dot")
    _write_atomically(dot_path, text.encode())
    if target.suffix in _RENDERED:
        program = shutil.which("dot")
        if program is None:
            warnings.warn(
                f"graphviz: wrote {dot_path}; rendering {target.name} needs the Graphviz 'dot' "
                "program, which is not installed (apt-get install graphviz), so only the .dot "
                "file was written",
                GraphvizMissingWarning,
                stacklevel=2,
            )
            return dot_path
        picture = subprocess.run(
            [program, f"-T{target.suffix[1:]}", str(dot_path)], check=True, capture_output=True
        ).stdout
        _write_atomically(target, picture)
        return target
    return dot_path


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path``, then rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
