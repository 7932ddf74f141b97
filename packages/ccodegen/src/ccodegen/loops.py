"""Loops over every element of a broadcast shape, for elementwise kernels and copies.

Two versions are emitted: a flat loop when every array has the output's lengths
and is C-contiguous (the common case, which the compiler vectorizes), and a loop
nest over byte strides for anything else (broadcast axes, transposed or sliced
inputs). Inputs of static length 1 on every axis are read once, before the loop.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from ccodegen.cnode import CVar

ElementBody = Callable[[Sequence[str]], tuple[list[str], list[str]]]
"""From the inputs' element values (C texts): statements, and one value per output."""


def is_single_value(var: CVar) -> bool:
    """Length 1 on every axis, known statically: one value broadcast everywhere."""
    return all(var.broadcastable)


def elementwise_loop(outputs: Sequence[CVar], inputs: Sequence[CVar], body: ElementBody) -> str:
    """C that computes ``body`` at every element of the outputs' (common) shape."""
    shape_of = outputs[0]
    ndim = shape_of.ndim
    hoisted = [f"const {var.ctype} s{k} = {var.first()};" for k, var in enumerate(inputs)
               if is_single_value(var)]  # fmt: skip
    arrays = [(k, var) for k, var in enumerate(inputs) if not is_single_value(var)]
    if ndim == 0:
        values = [f"s{k}" for k in range(len(inputs))]
        statements, results = body(values)
        stores = [f"{out.first()} = {value};" for out, value in zip(outputs, results, strict=True)]
        return "\n".join(["{", *_indent(hoisted + statements + stores), "}"])
    flat = _flat_loop(outputs, inputs, arrays, body)
    nested = _nested_loop(outputs, inputs, body)
    contiguous = [
        f"cg_contiguous_like(&{var.name}, &{shape_of.name}, {ndim}, {var.itemsize})"
        for _, var in arrays
    ] + [f"cg_contiguous_like(&{out.name}, &{shape_of.name}, {ndim}, {out.itemsize})"
         for out in outputs]  # fmt: skip
    return "\n".join(
        [
            "{",
            *_indent(hoisted),
            f"    if ({' && '.join(contiguous)}) {{",
            *_indent(flat, 2),
            "    } else {",
            *_indent(nested, 2),
            "    }",
            "}",
        ]
    )


def _flat_loop(
    outputs: Sequence[CVar],
    inputs: Sequence[CVar],
    arrays: Sequence[tuple[int, CVar]],
    body: ElementBody,
) -> list[str]:
    lines = [f"const npy_intp n = {outputs[0].size()};"]
    lines += [f"const {var.ctype} *restrict p{k} = {var.pointer()};" for k, var in arrays]
    lines += [f"{out.ctype} *restrict q{j} = {out.pointer()};" for j, out in enumerate(outputs)]
    array_positions = {k for k, _ in arrays}
    # Every element is read before the body, not where the body uses it: a read inside
    # one branch of a select (``c ? p2[i] : 0``) would be conditional, which keeps the
    # compiler from vectorizing the loop.
    loads = [f"const {var.ctype} x{k} = p{k}[i];" for k, var in arrays]
    values = [f"x{k}" if k in array_positions else f"s{k}" for k in range(len(inputs))]
    statements, results = body(values)
    stores = [f"q{j}[i] = {value};" for j, value in enumerate(results)]
    # No element depends on another: the restrict on these local pointers alone does not
    # tell gcc so once it has copied the loop, and past ten run-time alias checks it
    # gives up vectorizing (a fused kernel with many inputs and outputs).
    lines += [
        "CG_IVDEP",
        "for (npy_intp i = 0; i < n; i++) {",
        *_indent(loads + statements + stores),
        "}",
    ]
    return lines


def _nested_loop(outputs: Sequence[CVar], inputs: Sequence[CVar], body: ElementBody) -> list[str]:
    ndim = outputs[0].ndim
    lines: list[str] = []
    values: list[str] = []
    loads: list[str] = []  # read before the body, as in _flat_loop
    for k, var in enumerate(inputs):
        if is_single_value(var):
            values.append(f"s{k}")
            continue
        strides = ["0" if var.broadcastable[axis] else var.stride(axis) for axis in range(ndim)]
        lines += [f"const npy_intp a{k}_{axis} = {stride};" for axis, stride in enumerate(strides)]
        offset = " + ".join(f"i{axis} * a{k}_{axis}" for axis in range(ndim))
        loads.append(
            f"const {var.ctype} x{k} = *(const {var.ctype} *)({var.name}.data + {offset});"
        )
        values.append(f"x{k}")
    for j, out in enumerate(outputs):
        lines += [f"const npy_intp b{j}_{axis} = {out.stride(axis)};" for axis in range(ndim)]
    statements, results = body(values)
    statements = loads + statements
    stores = []
    for j, (out, value) in enumerate(zip(outputs, results, strict=True)):
        offset = " + ".join(f"i{axis} * b{j}_{axis}" for axis in range(ndim))
        stores.append(f"*({out.ctype} *)({out.name}.data + {offset}) = {value};")
    inner = statements + stores
    for axis in reversed(range(ndim)):
        loop = f"for (npy_intp i{axis} = 0; i{axis} < {outputs[0].dim(axis)}; i{axis}++) {{"
        inner = [loop, *_indent(inner), "}"]
    return lines + inner


def copy_loop(target: CVar, source: CVar) -> str:
    """C copying ``source`` into ``target`` (same lengths, any strides)."""
    return elementwise_loop(
        [target], [source], lambda values: ([], [f"({target.ctype}){values[0]}"])
    )


def _indent(lines: Sequence[str], depth: int = 1) -> list[str]:
    pad = "    " * depth
    return [pad + line if line else line for line in lines]


INLINE_STATEMENTS = 32
"""Bodies longer than this become one function the loops call, instead of being written
into both loop versions: compile time stays linear in the graph's size."""


def outlined(
    inputs: Sequence[CVar], outputs: Sequence[CVar], body: ElementBody
) -> tuple[str | None, ElementBody]:
    """``body`` as is when short; else a C function (its definition) and a body calling it.
    The function is named after a hash of its text: equal bodies share one definition."""
    probe_statements, _ = body([f"x{k}" for k in range(len(inputs))])
    if len(probe_statements) <= INLINE_STATEMENTS:
        return None, body
    parameters = [f"const {var.ctype} x{k}" for k, var in enumerate(inputs)]
    parameters += [f"{out.ctype} *restrict r{j}" for j, out in enumerate(outputs)]
    statements, results = body([f"x{k}" for k in range(len(inputs))])
    stores = [f"*r{j} = {value};" for j, value in enumerate(results)]
    text = "\n".join(
        [
            f"static void NAME({', '.join(parameters)}) {{",
            *_indent(statements + stores),
            "}",
        ]
    )
    name = "cg_kernel_" + hashlib.sha256(text.encode()).hexdigest()[:16]
    definition = text.replace("static void NAME(", f"static void {name}(", 1)

    def calling(values: Sequence[str]) -> tuple[list[str], list[str]]:
        declared = [f"{out.ctype} y{j};" for j, out in enumerate(outputs)]
        arguments = [*values, *(f"&y{j}" for j in range(len(outputs)))]
        return [*declared, f"{name}({', '.join(arguments)});"], [
            f"y{j}" for j in range(len(outputs))
        ]

    return definition, calling
