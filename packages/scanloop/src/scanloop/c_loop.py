"""The C of a ``Scan``: the whole loop is C, and the step a C function it calls each
iteration, so no Python runs per step.

ccodegen imports this module through its entry-point group ``ccodegen.rules`` (this
package's extra ``c``); importing it registers ``scan_c`` on ``ccodegen.cnode.c_ops``.
The node runs the loop and exposes its outputs as views of its own storage: the
buffers of the loop and of its step live in a child state of the program's state
(runtime.h, ``cg_child``), so they persist across steps and calls.

The semantics are loop.py's (``run_scan``), with one difference in storage only: a
state kept in a ring (``store`` set) holds at least one entry more than its taps reach
back, so the entry a step writes is never one it reads, and a step output that is a
view of a step input (``lambda a, b: (b, a)``) is copied before anything it views is
overwritten.

The rule declines (the node then runs the Python loop of thunk.py) when the step has
an op without C, or a loop value that C cannot hold (a random generator).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ccodegen.cnode import CVar, NodeC, NodeContext, c_ops
from ccodegen.scalar_c import COMPLEX_DTYPES
from ccodegen.translate import Step, translate_step
from graphcore import Variable
from scanloop.c_parts import (
    LOOP_HELPERS,
    LoopParts,
    carry_parts,
    condition_parts,
    mapped_parts,
    sequence_parts,
    state_parts,
)
from scanloop.info import ScanInfo
from scanloop.op import Scan
from tensorops import TensorType

_LOOP_NAME = "@LOOP@"


@c_ops.register(Scan)
def scan_c(ctx: NodeContext) -> NodeC | None:
    """The loop as one C function over the node's inputs and outputs, or None."""
    op = ctx.node.op
    assert isinstance(op, Scan)
    fgraph = op.inner.fgraph()
    if not _fits_c(op.info, fgraph.inputs, fgraph.outputs):
        return None
    step = translate_step(fgraph.toposort(), fgraph.inputs, fgraph.outputs)
    if step is None:
        return None
    loop = loop_function(op, step, ctx.inputs[0])
    ins = ", ".join(f"&{var.name}" for var in ctx.inputs)
    outs = ", ".join(f"&{var.name}" for var in ctx.outputs)
    compute = "\n".join(
        [
            f"cg_state *loop = cg_child(st, {ctx.index}, {loop.n_buffers}, {step.n_nodes});",
            "if (loop == NULL) " + ctx.fail("memory", "out of memory"),
            f"cg_arr *const in[] = {{{ins}}};",
            f"cg_arr *const out[] = {{{outs}}};",
            f"if ({loop.name}(loop, in, out)) return cg_fail_from(st, {ctx.index}, loop);",
        ]
    )
    return NodeC(
        "",
        compute,
        views=frozenset(range(len(ctx.outputs))),
        support=(*step.support, step.code, LOOP_HELPERS, loop.code),
    )


def _fits_c(info: ScanInfo, inputs: Sequence[Variable], outputs: Sequence[Variable]) -> bool:
    """Whether every fed-back output has its input's dtype and rank (the loop writes it
    into the buffer the step reads), and a stopping condition is a real scalar."""
    fed_back = [(k, s) for s in range(info.n_states) for k in info.inner_state_taps(s)]
    fed_back += list(zip(info.inner_carries, info.out_carries, strict=True))
    for position, out_position in fed_back:
        given, made = inputs[position].type, outputs[out_position].type
        if not isinstance(given, TensorType) or not isinstance(made, TensorType):
            return False
        if (given.dtype, given.ndim) != (made.dtype, made.ndim):
            return False
    if not info.as_while:
        return True
    condition = outputs[-1].type
    return (
        isinstance(condition, TensorType)
        and condition.ndim == 0
        and condition.dtype not in COMPLEX_DTYPES
    )


@dataclass(frozen=True)
class Loop:
    """``int <name>(cg_state *st, cg_arr *const *in, cg_arr *const *out)``: the loop
    over the node's inputs and outputs (info.py's order), defined by ``code``; ``st``
    must have ``n_buffers`` buffers (the step's, then the loop's own)."""

    name: str
    code: str
    n_buffers: int


def loop_function(op: Scan, step: Step, n_steps: CVar) -> Loop:
    """The loop of ``op`` around ``step``; ``n_steps`` is the node's first input."""
    info = op.info
    slot = step.n_buffers
    parts: list[LoopParts] = [sequence_parts(info, step, k) for k in range(info.n_seqs)]
    for s in range(info.n_states):
        parts.append(state_parts(info, step, s, slot))
        slot += LoopParts.BUFFERS
    for m, (_, shape) in enumerate(op.mapped_types()):
        parts.append(mapped_parts(info, step, m, slot, shape))
        slot += LoopParts.BUFFERS
    for c in range(info.n_carries):
        parts.append(carry_parts(info, step, c, slot))
        slot += LoopParts.BUFFERS
    for position, k in zip(info.outer_non_seqs, info.inner_non_seqs, strict=True):
        parts.append(LoopParts(setup=[f"{step.inputs[k].name} = *in[{position}];"]))
    if info.as_while:
        parts.append(condition_parts(step))
    labels = ", ".join(_c_string(label) for label in step.node_labels) or '""'
    body = [
        f"static const char label[] = {_c_string(op.label)};",
        f"static const char *const nodes[] = {{{labels}}};",
        f"cg_arr v[{step.n_values}];",
        f"cg_arr target[{max(len(step.outputs), 1)}];",
        "char text[2][200];",
        f"const npy_intp n_steps = (npy_intp)(*({n_steps.ctype} *)in[0]->data);",
        "npy_intp done = n_steps;",
        "(void)text; (void)nodes;",
        "if (n_steps < 0) return cg_fail(st, -1, CG_VALUE, "
        '"%s: n_steps must be at least 0, got %ld", label, (long)n_steps);',
        *(line for part in parts for line in part.setup),
        f"{step.name}_setup(v);",
        "for (npy_intp t = 0; t < n_steps; t++) {",
        *_indent(line for part in parts for line in part.before),
        f"    const int code = {step.name}(st, v, target);",
        "    if (code == CG_ERROR) {",
        "        const int node = st->failed_node, kind = st->error_kind;",
        "        char message[sizeof st->message];",
        '        snprintf(message, sizeof message, "%s", st->message);',
        '        return cg_fail(st, -1, kind, "%s: at step %ld, %s: %s", label, (long)t,',
        '                       node >= 0 ? nodes[node] : "the step", message);',
        "    }",
        "    if (code == CG_NEED_OUTPUTS) {",
        *_indent((line for part in parts for line in part.unbound), 2),
        "    }",
        *_indent(line for part in parts for line in part.advance),
        "}",
        *(line for part in parts for line in part.results),
        "return CG_OK;",
    ]
    text = "\n".join(
        [
            f"static int {_LOOP_NAME}(cg_state *st, cg_arr *const *in, cg_arr *const *out) {{",
            *_indent(body),
            "}",
        ]
    )
    name = "cg_scan_" + hashlib.sha256(text.encode()).hexdigest()[:16]
    return Loop(name, f"/* {_comment(op)} */\n" + text.replace(_LOOP_NAME, name), slot)


def _c_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


def _comment(op: Scan) -> str:
    return str(op).replace("*/", "* /")


def _indent(lines: Iterable[str], depth: int = 1) -> list[str]:
    pad = "    " * depth
    return [pad + line if line else line for line in lines]
