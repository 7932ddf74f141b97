"""A graph, or a segment of one, as C: one entry point per segment, one unit per function.

A segment's entry point ``int cg_run_<name>(cg_state *st, uintptr_t *ins, uintptr_t
*outs)`` receives the addresses of NumPy arrays (its inputs, then the constants too
large to embed; then one array per output, allocated by the caller at the lengths
the last call asked for). It runs four passes:

1. inputs: checked (an ndarray of the right dtype and rank) and read;
2. node by node: its outputs' lengths (with the checks that need them; they may
   read values computed before), their storage, their values. An output is computed
   straight into the caller's array; if its lengths changed, into a buffer, and the
   entry point records the lengths and returns CG_NEED_OUTPUTS at the end, so the
   caller allocates and calls again. Every other computed value that is no view
   gets a buffer kept in the state between calls;
3. outputs that are views, roots or repeated are copied into the caller's arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ccodegen import blas, lapack, special, vector_math
from ccodegen.cnode import CVar, NodeC, NodeContext, c_ops, c_var, join_lines, takes_complex
from ccodegen.literals import literal
from ccodegen.loops import copy_loop
from ccodegen.pointers import PointerTable
from graphcore import Apply, Constant, Variable

DIRECT_ARGUMENTS = 24
"""Segments with at most this many inputs and outputs also get an entry point taking the
arrays' addresses as arguments (``cg_direct_<name>``): the call fills no array first."""

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
            found = c_var(f"v[{len(names)}]", var)
            if found is None:
                return None
            names[var] = found
        return names[var]

    if any(declare(var) is None for var in inputs):
        return None
    constants: list[Constant] = []
    node_code: list[tuple[NodeContext, NodeC]] = []
    readers: dict[Variable, int] = {}
    for node in nodes:
        for var in node.inputs:
            readers[var] = readers.get(var, 0) + 1
    contexts: dict[Apply, NodeContext] = {}
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
        if not takes_complex(node, [*ctx.inputs, *ctx.outputs]):
            return None
        contexts[node] = ctx
        first = node.inputs[0] if node.inputs else None
        if (
            first is not None
            and first.owner in contexts
            and readers[first] == 1
            and first not in outputs
            and len(first.owner.outputs) == 1
        ):
            ctx.producer = contexts[first.owner]
        emitted = rule(ctx)
        if emitted is None:
            return None
        node_code.append((ctx, emitted))
    # A producer whose values a reader computes itself keeps only its lengths: marked as
    # a view, it gets no buffer, and its loop is not emitted.
    absorbed = {ctx.producer.node for ctx, emitted in node_code if emitted.absorbs and ctx.producer}
    node_code = [
        (ctx, NodeC(emitted.shape, "", views=frozenset({0})))
        if ctx.node in absorbed
        else (ctx, emitted)
        for ctx, emitted in node_code
    ]
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
    static_names = {c: f"{name}_constant{k}" for k, c in enumerate(embedded)}
    statics = [_static_constant(static_names[c], names[c], np.asarray(c.data)) for c in embedded]
    lines = [f"cg_arr v[{len(names)}];", "int mismatch = 0;"]
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
        lines.append(f"{cvar.name}.data = (char *){static_names[const]};")
        lines += [f"{cvar.dim(axis)} = {length};" for axis, length in enumerate(data.shape)]
        lines.append(f"cg_contiguous_strides(&{cvar.name}, {cvar.ndim}, {cvar.itemsize});")
    # Node by node: lengths, storage, values. A node's lengths may depend on values
    # computed before it (a reshape's new shape), so the passes interleave.
    views = {
        var
        for ctx, emitted in node_code
        for k, var in enumerate(ctx.node.outputs)
        if k in emitted.views
    }
    direct: dict[Variable, int] = {}  # output computed straight into the caller's array
    for position, var in enumerate(outputs):
        if var.owner is not None and var not in views and var not in direct:
            direct[var] = position
    # Each node is a function of its own: compile time stays linear in the graph's size.
    node_functions: list[str] = []
    slot = 0
    for ctx, emitted in node_code:
        body = [join_lines([emitted.shape], "")]
        for k, cvar in enumerate(ctx.outputs):
            var = ctx.node.outputs[k]
            if k in emitted.views:
                continue
            reserve = f"cg_reserve(st, {slot}, &{cvar.name}, {cvar.ndim}, {cvar.itemsize})"
            slot += 1
            if var in direct:
                # A length that changed: compute into a buffer now, ask for new arrays.
                body.append(
                    f"if ({_bind(direct[var], cvar)}) {{ *mismatch = 1; "
                    f"if ({reserve}) return CG_ERROR; }}"
                )
            else:
                body.append(f"if ({reserve}) return CG_ERROR;")
        body += ["{", join_lines([emitted.compute]), "}", "return CG_OK;"]
        function = f"cg_node_{name}_{ctx.index}"
        node_functions.append(
            "\n".join(
                [
                    f"/* {ctx.index}: {_comment(ctx.node)} */",
                    f"static CG_NOINLINE int {function}(cg_state *st, cg_arr *v, uintptr_t *outs, "
                    "int *mismatch) {",
                    "(void)v; (void)outs; (void)mismatch;",
                    join_lines(body),
                    "}",
                ]
            )
        )
        lines.append(f"if ({function}(st, v, outs, &mismatch)) return CG_ERROR;")
    # Outputs that are views, roots or repeated: copied into the caller's arrays.
    for position, var in enumerate(outputs):
        if direct.get(var) == position:
            continue
        source = names[var]
        target = CVar(f"o{position}", source.dtype, source.broadcastable)
        lines += ["{", f"    cg_arr {target.name};"]
        lines += [f"    {target.dim(axis)} = {source.dim(axis)};" for axis in range(source.ndim)]
        lines += [
            f"    if ({_bind(position, target)}) mismatch = 1;",
            "    else",
            join_lines([copy_loop(target, source)], "        "),
            "}",
        ]
    lines.append("if (mismatch) return CG_NEED_OUTPUTS;")
    lines.append(
        "if (cg_int_pow_error) { cg_int_pow_error = 0; return cg_fail(st, -1, CG_VALUE, "
        '"integers to negative integer powers are not allowed"); }'
    )
    lines.append("return CG_OK;")
    code = "\n".join(
        [
            *statics,
            *node_functions,
            f"static int cg_run_{name}(cg_state *st, uintptr_t *ins, uintptr_t *outs) {{",
            join_lines(lines),
            "}",
        ]
    )
    support = list(dict.fromkeys(item for _, emitted in node_code for item in emitted.support))
    passed_data = [np.asarray(c.data) for c in passed]
    return Segment(name, nodes, inputs, outputs, passed_data, slot, code, support)


def _bind(position: int, cvar: CVar) -> str:
    """C that binds ``cvar`` to output ``position``'s array: nonzero if its lengths differ."""
    return f"cg_bind_output(st, {position}, &{cvar.name}, outs[{position}], {cvar.ndim})"


def _comment(node: Apply) -> str:
    return str(node.op).replace("*/", "* /")[:60]


def _static_constant(static_name: str, cvar: CVar, data: np.ndarray) -> str:
    values = ", ".join(literal(value, cvar.dtype) for value in data.reshape(-1).tolist()) or "0"
    return f"static const {cvar.ctype} {static_name}[] = {{{values}}};"


@dataclass
class Unit:
    """One translation unit: every segment of a compiled function, and its cdef; ``tables``
    are the SciPy function pointers it declares, to install once it is loaded."""

    segments: list[Segment]
    source: str
    cdef: str
    tables: tuple[PointerTable, ...] = ()


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
            f"{{ return cg_new_state({seg.n_buffers}, {len(seg.nodes)}, {len(seg.outputs)}, "
            "ndarray); }\n"
            f"int cg_call_{seg.name}(cg_state *st, uintptr_t *ins, uintptr_t *outs) "
            f"{{ return cg_run_{seg.name}(st, ins, outs); }}"
        )
        cdef += [
            f"cg_state *cg_create_{seg.name}(uintptr_t ndarray);",
            f"int cg_call_{seg.name}(cg_state *st, uintptr_t *ins, uintptr_t *outs);",
        ]
        n_in = len(seg.inputs) + len(seg.passed_constants)
        if n_in + len(seg.outputs) <= DIRECT_ARGUMENTS:
            # Addresses as arguments: no array to fill before the call.
            parameters = [f"uintptr_t i{k}" for k in range(n_in)]
            parameters += [f"uintptr_t o{k}" for k in range(len(seg.outputs))]
            signature = f"int cg_direct_{seg.name}(cg_state *st, {', '.join(parameters)})"
            ins = ", ".join(f"i{k}" for k in range(n_in)) or "0"
            outs = ", ".join(f"o{k}" for k in range(len(seg.outputs))) or "0"
            entries.append(
                f"{signature} {{ uintptr_t ins[] = {{{ins}}}; uintptr_t outs[] = {{{outs}}}; "
                f"return cg_run_{seg.name}(st, ins, outs); }}"
            )
            cdef.append(signature + ";")
    accessors = """
void cg_destroy(cg_state *st) { cg_delete_state(st); }
void cg_release(cg_state *st) { cg_free_buffers(st); }
const char *cg_error(cg_state *st, int *node, int *kind) {
    *node = st->failed_node; *kind = st->error_kind; return st->message;
}
intptr_t *cg_wanted(cg_state *st) { return (intptr_t *)st->wanted; }
"""
    needs_special = any(
        special.used_by(code) for code in [*support_code, *(s.code for s in segments)]
    )
    used = {
        blas.TABLE: blas.DECLARATIONS in support_code,
        lapack.TABLE: lapack.DECLARATIONS in support_code,
        special.TABLE: needs_special,
    }
    tables = tuple(table for table, needed in used.items() if needed)
    cdef += [table.cdef for table in tables]
    source = "\n".join(
        [
            runtime,
            vector_math.declarations(),
            prelude,
            special.DECLARATIONS if needs_special else "",
            *support_code,
            *(seg.code for seg in segments),
            *entries,
            accessors,
        ]
    )
    return Unit(list(segments), source, "\n".join(cdef), tables)
