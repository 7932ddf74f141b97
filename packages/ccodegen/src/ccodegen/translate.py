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

The same translation makes a *step*: a graph as a C function a loop written in C calls
once per iteration (scanloop's Scan, see ``Step``). Its outputs go to ``cg_arr``
targets the loop names instead of NumPy arrays, and its buffers live in the state it is
given, so they persist across steps and calls.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ccodegen import blas, lapack, special, vector_math
from ccodegen.cache import CompiledModule, load_module
from ccodegen.cnode import (
    CVar,
    NodeC,
    NodeContext,
    c_ops,
    c_var,
    join_lines,
    load_rule_plugins,
    takes_complex,
)
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

STEP_CONSTANT_SIZE = 4096
"""A step has no caller to pass constants by address: it writes them into the source, up
to this many elements each (a step with a larger constant runs in Python)."""

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


@dataclass(frozen=True)
class Step:
    """A graph as a C function a loop calls once per iteration:

    ``int <name>(cg_state *st, cg_arr *v, const cg_arr *outs)``

    ``v`` holds ``n_values`` values, the graph's inputs first (``inputs``, set by the
    loop); ``<name>_setup(v)`` points the constants at their data, once before the
    loop. A call computes every value; an output whose target ``outs[k]`` has its
    lengths is computed into it or copied there, and the call returns CG_OK. When some
    output has no target yet (``data`` NULL) or other lengths, it returns
    CG_NEED_OUTPUTS, and the loop finds that value in ``outputs[k]`` (a buffer or a
    view). CG_ERROR: ``st`` names the failed node (an index into ``node_labels``).
    The step reserves buffers ``0 .. n_buffers - 1`` of ``st``, which must have
    ``n_nodes`` nodes (their scratch buffers). ``support``, then ``code``, define it.
    """

    name: str
    code: str
    support: tuple[str, ...]
    n_values: int
    n_buffers: int
    n_nodes: int
    inputs: list[CVar]
    outputs: list[CVar]
    node_labels: list[str]


def translate_segment(
    name: str, nodes: Sequence[Apply], inputs: Sequence[Variable], outputs: Sequence[Variable]
) -> Segment | None:
    """The segment's C, or None when some node or value has no C."""
    load_rule_plugins()
    translation = _translate(nodes, inputs, outputs)
    if translation is None:
        return None
    return _assemble(name, list(nodes), list(inputs), list(outputs), translation)


def translate_step(
    nodes: Sequence[Apply], inputs: Sequence[Variable], outputs: Sequence[Variable]
) -> Step | None:
    """The graph as a step function a loop calls (see ``Step``), or None when some node
    or value has no C, or a constant is too large to write into the source."""
    load_rule_plugins()
    translation = _translate(nodes, inputs, outputs)
    if translation is None:
        return None
    if any(np.size(c.data) > STEP_CONSTANT_SIZE for c in translation.constants):
        return None
    return _assemble_step(list(nodes), list(inputs), list(outputs), translation)


@dataclass
class _Translation:
    """Nodes translated: the C name of every value, the constants read, each node's C."""

    names: dict[Variable, CVar]
    constants: list[Constant]
    node_code: list[tuple[NodeContext, NodeC]]


def _translate(
    nodes: Sequence[Apply], inputs: Sequence[Variable], outputs: Sequence[Variable]
) -> _Translation | None:
    """Each node's C through its rule; values are named ``v[k]``, the inputs first."""
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
    return _Translation(names, constants, node_code)


@dataclass(frozen=True)
class _Outputs:
    """How computed values reach the outputs: the node functions' parameter ``outs``, and
    C binding a value to output ``position`` (nonzero when the lengths differ)."""

    parameter: str
    bind: Callable[[int, CVar], str]


_ARRAY_OUTPUTS = _Outputs(
    "uintptr_t *outs",
    lambda position, cvar: (
        f"cg_bind_output(st, {position}, &{cvar.name}, outs[{position}], {cvar.ndim})"
    ),
)
"""A segment's outputs: the caller's NumPy arrays, by address."""

_TARGET_OUTPUTS = _Outputs(
    "const cg_arr *outs",
    lambda position, cvar: f"cg_bind_target(&{cvar.name}, &outs[{position}], {cvar.ndim})",
)
"""A step's outputs: the loop's ``cg_arr`` targets (one with no data: no target yet)."""


def _node_functions(
    prefix: str, translation: _Translation, outputs: list[Variable], bound: _Outputs
) -> tuple[list[str], list[str], int]:
    """Each node as a function of its own (compile time stays linear in the graph's size):
    its definition, and the line calling it; and how many buffers they reserve."""
    direct = _direct_outputs(outputs, _views(translation))
    definitions: list[str] = []
    calls: list[str] = []
    slot = 0
    for ctx, emitted in translation.node_code:
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
                    f"if ({bound.bind(direct[var], cvar)}) {{ *mismatch = 1; "
                    f"if ({reserve}) return CG_ERROR; }}"
                )
            else:
                body.append(f"if ({reserve}) return CG_ERROR;")
        body += ["{", join_lines([emitted.compute]), "}", "return CG_OK;"]
        function = f"{prefix}_{ctx.index}"
        definitions.append(
            "\n".join(
                [
                    f"/* {ctx.index}: {_comment(ctx.node)} */",
                    f"static CG_NOINLINE int {function}(cg_state *st, cg_arr *v, "
                    f"{bound.parameter}, int *mismatch) {{",
                    "(void)v; (void)outs; (void)mismatch;",
                    join_lines(body),
                    "}",
                ]
            )
        )
        calls.append(f"if ({function}(st, v, outs, &mismatch)) return CG_ERROR;")
    return definitions, calls, slot


def _direct_outputs(outputs: list[Variable], views: set[Variable]) -> dict[Variable, int]:
    """Outputs computed straight into their target: computed here, and not seen before."""
    direct: dict[Variable, int] = {}
    for position, var in enumerate(outputs):
        if var.owner is not None and var not in views and var not in direct:
            direct[var] = position
    return direct


def _views(translation: _Translation) -> set[Variable]:
    """The outputs of nodes that are views (they get no buffer)."""
    return {
        var
        for ctx, emitted in translation.node_code
        for k, var in enumerate(ctx.node.outputs)
        if k in emitted.views
    }


def _copied_outputs(
    translation: _Translation, outputs: list[Variable], bound: _Outputs
) -> list[str]:
    """C copying the outputs that are views, roots or repeated into their targets."""
    direct = _direct_outputs(outputs, _views(translation))
    lines: list[str] = []
    for position, var in enumerate(outputs):
        if direct.get(var) == position:
            continue
        source = translation.names[var]
        target = CVar(f"o{position}", source.dtype, source.broadcastable)
        lines += ["{", f"    cg_arr {target.name};"]
        lines += [f"    {target.dim(axis)} = {source.dim(axis)};" for axis in range(source.ndim)]
        lines += [
            f"    if ({bound.bind(position, target)}) mismatch = 1;",
            "    else",
            join_lines([copy_loop(target, source)], "        "),
            "}",
        ]
    return lines


def _embedded_constants(
    prefix: str, constants: list[Constant], names: dict[Variable, CVar]
) -> tuple[list[str], list[str]]:
    """Static arrays holding these constants' values, and C pointing their values at them."""
    statics: list[str] = []
    lines: list[str] = []
    for k, const in enumerate(constants):
        cvar, data = names[const], np.asarray(const.data)
        static_name = f"{prefix}_constant{k}"
        statics.append(_static_constant(static_name, cvar, data))
        lines.append(f"{cvar.name}.data = (char *){static_name};")
        lines += [f"{cvar.dim(axis)} = {length};" for axis, length in enumerate(data.shape)]
        lines.append(f"cg_contiguous_strides(&{cvar.name}, {cvar.ndim}, {cvar.itemsize});")
    return statics, lines


def _assemble(
    name: str,
    nodes: list[Apply],
    inputs: list[Variable],
    outputs: list[Variable],
    translation: _Translation,
) -> Segment:
    names, constants = translation.names, translation.constants
    embedded = [c for c in constants if np.size(c.data) <= EMBEDDED_CONSTANT_SIZE]
    passed = [c for c in constants if np.size(c.data) > EMBEDDED_CONSTANT_SIZE]
    statics, pointed = _embedded_constants(name, embedded, names)
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
    lines += pointed
    # 2. node by node: lengths, storage, values. A node's lengths may depend on values
    # computed before it (a reshape's new shape), so the passes interleave.
    node_functions, calls, slots = _node_functions(
        f"cg_node_{name}", translation, outputs, _ARRAY_OUTPUTS
    )
    lines += calls
    # 3. outputs that are views, roots or repeated: copied into the caller's arrays.
    lines += _copied_outputs(translation, outputs, _ARRAY_OUTPUTS)
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
    support = list(
        dict.fromkeys(item for _, emitted in translation.node_code for item in emitted.support)
    )
    passed_data = [np.asarray(c.data) for c in passed]
    return Segment(name, nodes, inputs, outputs, passed_data, slots, code, support)


_STEP_NAME = "@STEP@"
"""Stands for a step function's name until its text is known: it is named after a hash
of that text, so a loop body met twice (nested, or in two segments) is defined once."""


def _assemble_step(
    nodes: list[Apply], inputs: list[Variable], outputs: list[Variable], translation: _Translation
) -> Step:
    names = translation.names
    statics, pointed = _embedded_constants(_STEP_NAME, translation.constants, names)
    node_functions, calls, slots = _node_functions(
        f"{_STEP_NAME}_node", translation, outputs, _TARGET_OUTPUTS
    )
    lines = ["int mismatch = 0;", *calls]
    lines += _copied_outputs(translation, outputs, _TARGET_OUTPUTS)
    lines.append("return mismatch ? CG_NEED_OUTPUTS : CG_OK;")
    text = "\n".join(
        [
            *statics,
            *node_functions,
            f"static void {_STEP_NAME}_setup(cg_arr *v) {{",
            "    (void)v;",
            join_lines(pointed),
            "}",
            f"static int {_STEP_NAME}(cg_state *st, cg_arr *v, const cg_arr *outs) {{",
            join_lines(lines),
            "}",
        ]
    )
    name = "cg_step_" + hashlib.sha256(text.encode()).hexdigest()[:16]
    support = dict.fromkeys(
        item for _, emitted in translation.node_code for item in emitted.support
    )
    return Step(
        name=name,
        code=text.replace(_STEP_NAME, name),
        support=tuple(support),
        n_values=len(names),
        n_buffers=slots,
        n_nodes=len(nodes),
        inputs=[names[var] for var in inputs],
        outputs=[names[var] for var in outputs],
        node_labels=[_comment(node) for node in nodes],
    )


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
    """Every segment's C and its entry points (``cg_create_``, ``cg_call_``, ``cg_direct_``)."""
    entries = []
    cdef = []
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
    support = [code for seg in segments for code in seg.support]
    return assemble_unit(support, [seg.code for seg in segments], entries, cdef, segments)


def assemble_unit(
    support: Sequence[str],
    codes: Sequence[str],
    entries: Sequence[str],
    cdef: Sequence[str],
    segments: Sequence[Segment] = (),
) -> Unit:
    """A translation unit: the runtime, the prelude, the support code (once each), the
    code, then the entry points (declared to cffi by ``cdef``), with the state accessors
    every unit has and the SciPy pointer tables its code uses."""
    runtime = (_HERE / "runtime.h").read_text()
    prelude = (_HERE / "prelude.h").read_text()
    support_code = list(dict.fromkeys(support))
    all_cdef = [
        "typedef struct cg_state cg_state;",
        "void cg_destroy(cg_state *st);",
        "void cg_release(cg_state *st);",
        "const char *cg_error(cg_state *st, int *node, int *kind);",
        "intptr_t *cg_wanted(cg_state *st);",
        *cdef,
    ]
    accessors = """
void cg_destroy(cg_state *st) { cg_delete_state(st); }
void cg_release(cg_state *st) { cg_free_buffers(st); }
const char *cg_error(cg_state *st, int *node, int *kind) {
    *node = st->failed_node; *kind = st->error_kind; return st->message;
}
intptr_t *cg_wanted(cg_state *st) { return (intptr_t *)st->wanted; }
"""
    needs_special = any(special.used_by(code) for code in [*support_code, *codes])
    used = {
        blas.TABLE: blas.DECLARATIONS in support_code,
        lapack.TABLE: lapack.DECLARATIONS in support_code,
        special.TABLE: needs_special,
    }
    tables = tuple(table for table, needed in used.items() if needed)
    all_cdef += [table.cdef for table in tables]
    source = "\n".join(
        [
            runtime,
            vector_math.declarations(),
            prelude,
            special.DECLARATIONS if needs_special else "",
            *support_code,
            *codes,
            *entries,
            accessors,
        ]
    )
    return Unit(list(segments), source, "\n".join(all_cdef), tables)


def load_unit(unit: Unit, name_hint: str = "graph") -> CompiledModule:
    """The unit compiled (or found in the cache) and loaded, with SciPy's BLAS (LAPACK)
    handed to it when it multiplies (solves, factors) matrices, and SciPy's special
    functions when it calls them (special.py)."""
    module = load_module(unit.source, unit.cdef, name_hint=name_hint)
    for table in unit.tables:
        table.install(module)
    return module
