"""A graph, or a segment of one, as C: one entry point per segment, one unit per function.

A segment's entry point ``int cg_run_<name>(cg_state *st, uintptr_t *ins, uintptr_t
*outs)`` receives the addresses of NumPy arrays (its inputs, then the constants too
large to embed; then one array per output, allocated by the caller at the lengths
the last call asked for). It runs four passes:

1. inputs: checked (an ndarray of the right dtype and rank) and read;
2. shapes: every value's lengths, node by node, with the checks that need them;
3. storage: outputs bound to the caller's arrays (if a length changed, the entry
   point records the lengths and returns CG_NEED_OUTPUTS, and the caller allocates
   and calls again); every other computed value gets a buffer kept in the state;
4. compute: node by node; outputs that are views, roots or repeated are copied last.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ccodegen.cnode import CVar, NodeC, NodeContext, c_ops, c_var, join_lines
from ccodegen.loops import copy_loop
from graphcore import Apply, Constant, Variable

EMBEDDED_CONSTANT_SIZE = 64
"""Constants up to this many elements are written into the source; larger ones are
passed in by address (so a new value does not mean a new module)."""

_HERE = Path(__file__).parent


@dataclass
class Segment:
    """The C of some nodes with their inputs and outputs, and what calling it needs."""

    name: str
    nodes: list[Apply]
    inputs: list[Variable]
    outputs: list[Variable]
    passed_constants: list[np.ndarray]
    n_buffers: int
    code: str
    support: list[str] = field(default_factory=list)

    @property
    def output_types(self) -> list[tuple[str, int]]:
        return [(var.type.dtype, var.type.ndim) for var in self.outputs]  # type: ignore[attr-defined]


def translate_segment(
    name: str, nodes: Sequence[Apply], inputs: Sequence[Variable], outputs: Sequence[Variable]
) -> Segment | None:
    """The segment's C, or None when some node or value has no C."""
    names: dict[Variable, CVar] = {}

    def declare(var: Variable) -> CVar | None:
        if var not in names:
            found = c_var(f"v{len(names)}", var)
            if found is None:
                return None
            names[var] = found
        return names[var]

    if any(declare(var) is None for var in inputs):
        return None
    constants: list[Constant] = []
    node_code: list[tuple[NodeContext, NodeC]] = []
    for index, node in enumerate(nodes):
        for var in node.inputs:
            if var not in names:
                if not isinstance(var, Constant) or declare(var) is None:
                    return None
                constants.append(var)
        if any(declare(var) is None for var in node.outputs):
            return None
        rule = c_ops.lookup(node.op, None)
        if rule is None:
            return None
        ctx = NodeContext(
            index, node, [names[v] for v in node.inputs], [names[v] for v in node.outputs]
        )
        emitted = rule(ctx)
        if emitted is None:
            return None
        node_code.append((ctx, emitted))
    for var in outputs:
        if var not in names:
            if not isinstance(var, Constant) or declare(var) is None:
                return None
            constants.append(var)
    return _assemble(name, list(nodes), list(inputs), list(outputs), names, constants, node_code)


def _assemble(
    name: str,
    nodes: list[Apply],
    inputs: list[Variable],
    outputs: list[Variable],
    names: dict[Variable, CVar],
    constants: list[Constant],
    node_code: list[tuple[NodeContext, NodeC]],
) -> Segment:
    embedded = [c for c in constants if np.size(c.data) <= EMBEDDED_CONSTANT_SIZE]
    passed = [c for c in constants if np.size(c.data) > EMBEDDED_CONSTANT_SIZE]
    statics = [_static_constant(name, names[c], np.asarray(c.data)) for c in embedded]
    lines = [f"cg_arr {', '.join(var.name for var in names.values())};", "int mismatch = 0;"]
    lines += ["(void)mismatch;"]
    # 1. inputs
    for position, var in enumerate(inputs):
        cvar = names[var]
        label = str(var).replace('"', "'")
        load = f"cg_load(st, &{cvar.name}, ins[{position}], {cvar.type_num}, {cvar.ndim}"
        lines.append(f'if ({load}, "{label}")) return CG_ERROR;')
    for k, const in enumerate(passed):
        cvar = names[const]
        lines.append(
            f"if (cg_load(st, &{cvar.name}, ins[{len(inputs) + k}], {cvar.type_num}, {cvar.ndim}, "
            f'"constant")) return CG_ERROR;'
        )
    for const in embedded:
        cvar = names[const]
        data = np.asarray(const.data)
        lines.append(f"{cvar.name}.data = (char *){_constant_name(name, cvar)};")
        lines += [f"{cvar.dim(axis)} = {length};" for axis, length in enumerate(data.shape)]
        lines.append(f"cg_contiguous_strides(&{cvar.name}, {cvar.ndim}, {cvar.itemsize});")
    # 2. shapes
    for _, emitted in node_code:
        lines += ["{", join_lines([emitted.shape]), "}"]
    # 3. storage: outputs first, then a buffer for every other computed value that is no view
    bound: set[Variable] = set()
    copies: list[tuple[CVar, CVar]] = []
    views = {
        var
        for ctx, emitted in node_code
        for k, var in enumerate(ctx.node.outputs)
        if k in emitted.views
    }
    own = set(nodes)
    for position, var in enumerate(outputs):
        cvar = names[var]
        if var.owner in own and var not in views and var not in bound:
            lines.append(_bind(position, cvar))
            bound.add(var)
            continue
        target = CVar(f"o{position}", cvar.dtype, cvar.broadcastable)
        lines.append(f"cg_arr {target.name};")
        lines += [f"{target.dim(axis)} = {cvar.dim(axis)};" for axis in range(cvar.ndim)]
        lines.append(_bind(position, target))
        copies.append((target, cvar))
    lines.append("if (mismatch) return CG_NEED_OUTPUTS;")
    slot = 0
    for ctx, emitted in node_code:
        for k, cvar in enumerate(ctx.outputs):
            var = ctx.node.outputs[k]
            if k in emitted.views or var in bound:
                continue
            reserve = f"cg_reserve(st, {slot}, &{cvar.name}, {cvar.ndim}, {cvar.itemsize})"
            lines.append(f"if ({reserve}) return CG_ERROR;")
            slot += 1
    # 4. compute, then the copies
    for ctx, emitted in node_code:
        lines += [
            f"/* {ctx.index}: {_comment(ctx.node)} */",
            "{",
            join_lines([emitted.compute]),
            "}",
        ]
    for target, source in copies:
        lines.append(copy_loop(target, source))
    lines.append(
        "if (cg_int_pow_error) { cg_int_pow_error = 0; return cg_fail(st, -1, CG_VALUE, "
        '"integers to negative integer powers are not allowed"); }'
    )
    lines.append("return CG_OK;")
    code = "\n".join(
        [
            *statics,
            f"static int cg_run_{name}(cg_state *st, uintptr_t *ins, uintptr_t *outs) {{",
            join_lines(lines),
            "}",
        ]
    )
    support = list(dict.fromkeys(item for _, emitted in node_code for item in emitted.support))
    passed_data = [np.asarray(c.data) for c in passed]
    return Segment(name, nodes, inputs, outputs, passed_data, slot, code, support)


def _bind(position: int, cvar: CVar) -> str:
    return (
        f"cg_bind_output(st, {position}, &{cvar.name}, outs[{position}], {cvar.ndim}, &mismatch);"
    )


def _comment(node: Apply) -> str:
    return str(node.op).replace("*/", "* /")[:60]


def _constant_name(segment: str, cvar: CVar) -> str:
    """File-scope name of an embedded constant: one unit holds many segments' constants."""
    return f"cg_{segment}_{cvar.name}_data"


def _static_constant(segment: str, cvar: CVar, data: np.ndarray) -> str:
    values = ", ".join(_literal(value, cvar.dtype) for value in data.reshape(-1).tolist()) or "0"
    return f"static const {cvar.ctype} {_constant_name(segment, cvar)}[] = {{{values}}};"


def _literal(value: float | int | bool, dtype: str) -> str:
    """An exact C literal of a value: hexadecimal floats, suffixed integers."""
    if dtype.startswith("float"):
        value = float(value)
        if math.isnan(value):
            return "NAN"
        if math.isinf(value):
            return "INFINITY" if value > 0 else "-INFINITY"
        text = value.hex()
        return f"{text}f" if dtype == "float32" else text
    if dtype == "bool":
        return "1" if value else "0"
    if dtype == "uint64":
        return f"{int(value)}ULL"
    if dtype == "int64" and int(value) == -(2**63):
        return "INT64_MIN"
    return f"{int(value)}LL"


@dataclass
class Unit:
    """One translation unit: every segment of a compiled function, and its cdef."""

    segments: list[Segment]
    source: str
    cdef: str


def translation_unit(segments: Sequence[Segment]) -> Unit:
    runtime = (_HERE / "runtime.h").read_text()
    prelude = (_HERE / "prelude.h").read_text()
    support_code = list(dict.fromkeys(code for seg in segments for code in seg.support))
    entries = []
    cdef = [
        "typedef struct cg_state cg_state;",
        "void cg_destroy(cg_state *st);",
        "void cg_release(cg_state *st);",
        "const char *cg_error(cg_state *st, int *node, int *kind);",
        "intptr_t *cg_wanted(cg_state *st);",
    ]
    for seg in segments:
        entries.append(
            f"cg_state *cg_create_{seg.name}(uintptr_t ndarray) "
            f"{{ return cg_new_state({seg.n_buffers}, {len(seg.outputs)}, ndarray); }}\n"
            f"int cg_call_{seg.name}(cg_state *st, uintptr_t *ins, uintptr_t *outs) "
            f"{{ return cg_run_{seg.name}(st, ins, outs); }}"
        )
        cdef += [
            f"cg_state *cg_create_{seg.name}(uintptr_t ndarray);",
            f"int cg_call_{seg.name}(cg_state *st, uintptr_t *ins, uintptr_t *outs);",
        ]
    accessors = """
void cg_destroy(cg_state *st) { cg_delete_state(st); }
void cg_release(cg_state *st) { cg_free_buffers(st); }
const char *cg_error(cg_state *st, int *node, int *kind) {
    *node = st->failed_node; *kind = st->error_kind; return st->message;
}
intptr_t *cg_wanted(cg_state *st) { return (intptr_t *)st->wanted; }
"""
    source = "\n".join(
        [runtime, prelude, *support_code, *(seg.code for seg in segments), *entries, accessors]
    )
    return Unit(list(segments), source, "\n".join(cdef))
