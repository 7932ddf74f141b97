"""Loop nests over strided arrays, for rules that walk some axes inside others (a
reduction along axes, a region of an array, a batch of matrices).

A nest names its counters ``<index>0``, ``<index>1``, ... outermost first; an array is
reached at ``base + offset(index, strides)``, strides in bytes, so any layout works
(transposed, reversed, zero strides of a broadcast). Lengths and strides are copied to
local constants first: the compiler cannot keep ``v[k].dims`` in registers across
stores through ``char *`` pointers, which may alias them.
"""

from __future__ import annotations

from collections.abc import Sequence

from ccodegen.cnode import CVar


def indent(lines: Sequence[str], depth: int = 1) -> list[str]:
    pad = "    " * depth
    return [pad + line if line else line for line in "\n".join(lines).splitlines()]


def loop_nest(lengths: Sequence[str], index: str, body: Sequence[str]) -> list[str]:
    """``for`` loops over counters ``<index>k < lengths[k]``, outermost first, around ``body``
    (the body in a block of its own when there are no lengths)."""
    if not lengths:
        return ["{", *indent(body), "}"]
    lines = list(body)
    for level in reversed(range(len(lengths))):
        counter = f"{index}{level}"
        header = f"for (npy_intp {counter} = 0; {counter} < {lengths[level]}; {counter}++) {{"
        lines = [header, *indent(lines), "}"]
    return lines


def offset(index: str, strides: Sequence[str]) -> str:
    """The byte offset ``sum(<index>k * strides[k])`` ("0" without strides)."""
    terms = [f"{index}{level} * {stride}" for level, stride in enumerate(strides) if stride != "0"]
    return " + ".join(terms) or "0"


def at(ctype: str, base: str, byte_offset: str) -> str:
    """The element of type ``ctype`` at ``base + byte_offset`` (an lvalue)."""
    if byte_offset == "0":
        return f"(*({ctype} *)({base}))"
    return f"(*({ctype} *)({base} + {byte_offset}))"


def hoist(var: CVar, prefix: str) -> tuple[list[str], list[str], list[str]]:
    """Statements copying ``var``'s lengths and strides to constants ``<prefix>n<axis>`` and
    ``<prefix>s<axis>``, and those names (lengths, strides)."""
    lengths = [f"{prefix}n{axis}" for axis in range(var.ndim)]
    strides = [f"{prefix}s{axis}" for axis in range(var.ndim)]
    lines = [
        f"const npy_intp {n} = {var.dim(axis)}, {s} = {var.stride(axis)};"
        for axis, (n, s) in enumerate(zip(lengths, strides, strict=True))
    ]
    lines += [f"(void){n}; (void){s};" for n, s in zip(lengths, strides, strict=True)]
    return lines, lengths, strides


def describe(what: str) -> str:
    """``what`` as text safe inside a printf format and a C string."""
    return what.replace("%", "%%")


def wrapping(dtype: str, ctype: str, left: str, operator: str, right: str) -> str:
    """``left operator right`` in ``dtype``; signed integers wrap around as NumPy's do
    (computed on unsigned values: signed overflow is undefined in C)."""
    if dtype.startswith("int"):
        return f"(({ctype})((npy_uint64){left} {operator} (npy_uint64){right}))"
    return f"({left} {operator} {right})"


def copy_nest(
    ctype: str,
    lengths: Sequence[str],
    target: tuple[str, Sequence[str]],
    source: tuple[str, Sequence[str]],
) -> list[str]:
    """C copying an array of ``lengths`` between two bases with their byte strides
    (``(base, strides)``, same dtype): ``memcpy`` of each run along the last axis when
    both are contiguous there, else element by element."""
    (to, to_strides), (from_, from_strides) = target, source
    if not lengths:
        return [f"{at(ctype, to, '0')} = {at('const ' + ctype, from_, '0')};"]
    last = len(lengths) - 1
    run, to_step, from_step = lengths[last], to_strides[last], from_strides[last]
    element = (
        f"{at(ctype, 'to', f'j * {to_step}')} = {at('const ' + ctype, 'from', f'j * {from_step}')};"
    )
    row = [
        f"char *to = {to} + {offset('i', to_strides[:last])};",
        f"const char *from = {from_} + {offset('i', from_strides[:last])};",
        f"if (runs) memcpy(to, from, (size_t)({run}) * sizeof({ctype}));",
        f"else for (npy_intp j = 0; j < {run}; j++) {element}",
    ]
    return [
        "{",
        f"    const int runs = {to_step} == sizeof({ctype}) && {from_step} == sizeof({ctype});",
        *indent(loop_nest(lengths[:last], "i", row)),
        "}",
    ]
