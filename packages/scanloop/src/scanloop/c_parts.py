"""The C loop of a ``Scan``, value by value: what each sequence, state, mapped output,
carry and stopping condition adds to the loop function c_loop.py writes.

Inside that function, ``in[k]`` and ``out[k]`` are the node's outer values (info.py's
order), ``v`` the step's values (its inputs first, as the step numbers them),
``target[k]`` where the step writes output ``k``, ``t`` the step and ``done`` the
number of steps run. Buffers are those of the loop's state ``st``, numbered after the
step's own; each stored output or carry has ``LoopParts.BUFFERS`` of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from ccodegen.cnode import CVar
from ccodegen.loops import copy_loop
from ccodegen.translate import Step
from scanloop.info import ScanInfo

LOOP_HELPERS = r"""/* A shape as Python writes a tuple: "()", "(3,)", "(2, 3)". */
static const char *cg_shape_text(char *text, size_t size, const npy_intp *dims, int ndim) {
    size_t used = (size_t)snprintf(text, size, "(");
    for (int k = 0; k < ndim && used < size; k++)
        used += (size_t)snprintf(text + used, size - used, k ? ", %ld" : "%ld", (long)dims[k]);
    if (used < size) snprintf(text + used, size - used, ndim == 1 ? ",)" : ")");
    return text;
}
static inline int cg_same_dims(const cg_arr *a, const cg_arr *b, int ndim) {
    for (int k = 0; k < ndim; k++)
        if (a->dims[k] != b->dims[k]) return 0;
    return 1;
}"""


@dataclass
class LoopParts:
    """C lines for one loop value: ``setup`` before the loop; ``before`` each step (its
    inputs' data, its target); ``unbound`` after a step that left an output with no
    target of its lengths; ``advance`` after each step; ``results`` after the loop."""

    setup: list[str] = field(default_factory=list)
    before: list[str] = field(default_factory=list)
    unbound: list[str] = field(default_factory=list)
    advance: list[str] = field(default_factory=list)
    results: list[str] = field(default_factory=list)

    BUFFERS: ClassVar[int] = 2
    """Buffers per stored output or carry: its entries (or values), and their copy in
    order when the kept entries wrap around the ring."""


def sequence_parts(info: ScanInfo, step: Step, k: int) -> LoopParts:
    """Sequence ``k``: the step reads entry ``t`` of the outer array (a view)."""
    seq, entry = f"in[{info.outer_seqs[k]}]", step.inputs[info.inner_seqs[k]]
    setup = [
        f"if ({seq}->dims[0] < n_steps) return cg_fail(st, -1, CG_VALUE, "
        f'"%s: n_steps is %ld, but sequence {k} has only %ld entries (a sequence must have '
        f'at least n_steps entries)", label, (long)n_steps, (long){seq}->dims[0]);',
        *(f"{entry.dim(a)} = {seq}->dims[{a + 1}];" for a in range(entry.ndim)),
        *(f"{entry.stride(a)} = {seq}->strides[{a + 1}];" for a in range(entry.ndim)),
    ]
    return LoopParts(setup, [f"{entry.name}.data = {seq}->data + t * {seq}->strides[0];"])


def state_parts(info: ScanInfo, step: Step, s: int, slot: int) -> LoopParts:
    """State ``s``: a ring of entries, the initial ones first; entry ``j`` at position
    ``j % length``. The step reads its taps from the ring and writes the new entry into
    it; the result is the last ``store`` entries (all by default), a view when they do
    not wrap around."""
    init_length, store = info.init_length(s), info.store[s]
    init, value = f"in[{info.outer_states[s]}]", step.outputs[info.out_states[s]]
    ring, entry, write, length = f"ring{s}", f"entry{s}", f"write{s}", f"length{s}"
    dims = range(value.ndim)
    itemsize = value.itemsize
    length_is = (
        f"total{s}"
        if store is None
        else f"total{s} < {store} ? total{s} : {store}; "
        f"if ({length} < {init_length + 1}) {length} = {init_length + 1}"
    )
    head, ring_head = _cvar(f"head{s}", value, 1), _cvar(f"ring_head{s}", value, 1)
    setup = [
        f"if ({init}->dims[0] < {init_length}) return cg_fail(st, -1, CG_VALUE, "
        f'"%s: the initial value of output {s} must hold {init_length} entries along its '
        f'first axis (its taps reach back {init_length} steps), got shape %s", label, '
        f"cg_shape_text(text[0], sizeof text[0], {init}->dims, {value.ndim + 1}));",
        f"const npy_intp total{s} = {init_length} + n_steps;",
        f"npy_intp {length} = {length_is};",
        f"cg_arr {ring};",
        f"{ring}.dims[0] = {length};",
        *(f"{ring}.dims[{a + 1}] = {init}->dims[{a + 1}];" for a in dims),
        f"if (cg_reserve(st, {slot}, &{ring}, {value.ndim + 1}, {itemsize})) return CG_ERROR;",
        f"const npy_intp {entry} = "
        + " * ".join([str(itemsize), *(f"{ring}.dims[{a + 1}]" for a in dims)])
        + ";",
        "{",
        f"    cg_arr {head.name} = *{init}, {ring_head.name} = {ring};",
        f"    {head.name}.dims[0] = {ring_head.name}.dims[0] = {init_length};",
        *_indented(copy_loop(ring_head, head)),
        "}",
        f"npy_intp {write} = {init_length};",
    ]
    # The taps the step reads and the entry it writes: entries of the ring.
    for name in [*(step.inputs[k].name for k in info.inner_state_taps(s)), f"target[{s}]"]:
        setup += [f"{name}.dims[{a}] = {ring}.dims[{a + 1}];" for a in dims]
        setup += [f"{name}.strides[{a}] = {ring}.strides[{a + 1}];" for a in dims]
    before = []
    for tap, k in zip(info.state_taps[s], info.inner_state_taps(s), strict=True):
        before += [
            "{",
            f"    npy_intp at = {write} - {-tap};",
            f"    if (at < 0) at += {length};",
            f"    {step.inputs[k].name}.data = {ring}.data + at * {entry};",
            "}",
        ]
    before.append(f"target[{s}].data = {ring}.data + {write} * {entry};")
    unbound = [
        f"if (!cg_same_dims(&{value.name}, &target[{s}], {value.ndim})) "
        "return cg_fail(st, -1, CG_VALUE, "
        f'"%s: at step %ld, output {s} has shape %s, but the initial value gives its entries '
        f'shape %s; a recurrent output must keep its shape", label, (long)t, '
        f"cg_shape_text(text[0], sizeof text[0], {value.name}.dims, {value.ndim}), "
        f"cg_shape_text(text[1], sizeof text[1], target[{s}].dims, {value.ndim}));",
    ]
    advance = [f"{write} = {write} + 1 == {length} ? 0 : {write} + 1;"]
    kept = f"total < {store} ? total : {store}" if store is not None else "total"
    results = _last_entries(
        f"out[{info.out_states[s]}]",
        f"{init_length} + done",
        kept,
        ring,
        entry,
        length,
        _cvar(f"target[{s}]", value),
    )
    return LoopParts(setup, before, unbound, advance, _scoped(results, slot + 1))


def mapped_parts(
    info: ScanInfo,
    step: Step,
    m: int,
    slot: int,
    empty_shape: tuple[int | None, ...],
) -> LoopParts:
    """Mapped output ``m``: its buffer is allocated after step 0, which gives the shape
    of an entry; entry ``t`` at position ``t % length``."""
    position = info.n_states + m
    keep = info.store[position]
    value = step.outputs[position]
    buffer, entry, write, length = (
        f"mapped{m}",
        f"mapped_entry{m}",
        f"mapped_write{m}",
        (f"mapped_length{m}"),
    )
    target = f"target[{position}]"
    dims = range(value.ndim)
    length_is = "n_steps" if keep is None else f"n_steps < {keep} ? n_steps : {keep}"
    setup = [
        f"cg_arr {buffer};",
        f"const npy_intp {length} = {length_is};",
        f"npy_intp {entry} = 0, {write} = 0;",
        f"{target}.data = NULL;",
    ]
    unbound = [
        f"if ({target}.data == NULL) {{",
        f"    {buffer}.dims[0] = {length};",
        *(f"    {buffer}.dims[{a + 1}] = {value.dim(a)};" for a in dims),
        f"    if (cg_reserve(st, {slot}, &{buffer}, {value.ndim + 1}, {value.itemsize})) "
        "return CG_ERROR;",
        f"    {entry} = " + " * ".join([str(value.itemsize), *(value.dim(a) for a in dims)]) + ";",
        *(f"    {target}.dims[{a}] = {value.dim(a)};" for a in dims),
        *(f"    {target}.strides[{a}] = {buffer}.strides[{a + 1}];" for a in dims),
        f"    {target}.data = {buffer}.data;",
        *_indented(copy_loop(_cvar(target, value), value)),
        f"}} else if (!cg_same_dims(&{value.name}, &{target}, {value.ndim})) {{",
        "    return cg_fail(st, -1, CG_VALUE, "
        f'"%s: at step %ld, output {position} has shape %s, but it had shape %s at step 0; '
        f'a mapped output must keep its shape", label, (long)t, '
        f"cg_shape_text(text[0], sizeof text[0], {value.name}.dims, {value.ndim}), "
        f"cg_shape_text(text[1], sizeof text[1], {target}.dims, {value.ndim}));",
        "}",
    ]
    advance = [
        f"{write} = {write} + 1 == {length} ? 0 : {write} + 1;",
        f"{target}.data = {buffer}.data + {write} * {entry};",
    ]
    output = f"out[{position}]"
    empty = [
        f"{output}->dims[0] = 0;",
        *(f"{output}->dims[{a + 1}] = {length or 0};" for a, length in enumerate(empty_shape)),
        f"if (cg_reserve(st, {slot}, {output}, {value.ndim + 1}, {value.itemsize})) "
        "return CG_ERROR;",
    ]
    kept = "total" if keep is None else f"total < {keep} ? total : {keep}"
    stored = _last_entries(output, "done", kept, buffer, entry, length, _cvar(target, value))
    results = [
        f"if ({target}.data == NULL) {{",  # no step ran: no entries, of the static shape
        *_indent(empty),
        "} else {",
        *_indent(stored),
        "}",
    ]
    return LoopParts(setup, [], unbound, advance, _scoped(results, slot + 1))


def carry_parts(info: ScanInfo, step: Step, c: int, slot: int) -> LoopParts:
    """Carry ``c``: its value goes from step to step through two buffers in turn (the
    step reads one and writes the other); the result is the last value."""
    outer, position = f"in[{info.outer_carries[c]}]", info.out_carries[c]
    carried, value = step.inputs[info.inner_carries[c]], step.outputs[position]
    target = _cvar(f"target[{position}]", value)
    dims = range(value.ndim)
    reserve = (
        f"if (cg_reserve(st, {slot} + (int)(t & 1), &{target.name}, {value.ndim}, "
        f"{value.itemsize})) return CG_ERROR;"
    )
    before = [*(f"{target.dim(a)} = {carried.dim(a)};" for a in dims), reserve]
    unbound = [
        f"if (!cg_same_dims(&{value.name}, &{target.name}, {value.ndim})) {{",
        *(f"    {target.dim(a)} = {value.dim(a)};" for a in dims),
        f"    {reserve}",
        *_indented(copy_loop(target, value)),
        "}",
    ]
    advance = [f"{carried.name}.data = {target.name}.data;"]
    advance += [f"{carried.dim(a)} = {target.dim(a)};" for a in dims]
    advance += [f"{carried.stride(a)} = {target.stride(a)};" for a in dims]
    initial = _cvar(f"(*{outer})", value)
    kept = _cvar("kept", value)
    results = [
        "if (done == 0) {",  # the initial value, copied: an output is no view of an input
        f"    cg_arr kept = *{outer};",
        f"    if (cg_reserve(st, {slot}, &kept, {value.ndim}, {value.itemsize})) return CG_ERROR;",
        *_indented(copy_loop(kept, initial)),
        f"    *out[{position}] = kept;",
        "} else {",
        f"    *out[{position}] = {carried.name};",
        "}",
    ]
    return LoopParts([f"{carried.name} = *{outer};"], before, unbound, advance, results)


def condition_parts(step: Step) -> LoopParts:
    """``until``: the step's last output, written into a local; the loop stops after the
    step where it holds (last in the step's ``advance``: everything else was written)."""
    condition = step.outputs[-1]
    target = f"target[{len(step.outputs) - 1}]"
    setup = [f"{condition.ctype} condition = 0;", f"{target}.data = (char *)&condition;"]
    return LoopParts(setup, advance=["if (condition) { done = t + 1; break; }"])


def _last_entries(
    output: str, total: str, kept: str, data: str, entry: str, length: str, value: CVar
) -> list[str]:
    """C setting ``output`` to the last ``kept`` of ``total`` entries (``kept`` may read
    ``total``) of the ring ``data`` of ``length`` entries of ``entry`` bytes: a view
    when they do not wrap around, else a copy in order into buffer ``ordered_slot``."""
    dims = range(value.ndim)
    return [
        f"const npy_intp total = {total};",
        f"const npy_intp count = {kept};",
        f"const npy_intp first = (total - count) % {length};",
        f"{output}->dims[0] = count;",
        f"{output}->strides[0] = {entry};",
        *(f"{output}->dims[{a + 1}] = {value.dim(a)};" for a in dims),
        *(f"{output}->strides[{a + 1}] = {data}.strides[{a + 1}];" for a in dims),
        f"if (first + count <= {length}) {{",
        f"    {output}->data = {data}.data + first * {entry};",
        "} else {",
        f"    const npy_intp tail = {length} - first;",
        f"    cg_arr ordered = *{output};",
        f"    if (cg_reserve(st, ordered_slot, &ordered, {value.ndim + 1}, {value.itemsize})) "
        "return CG_ERROR;",
        f"    memcpy(ordered.data, {data}.data + first * {entry}, (size_t)(tail * {entry}));",
        f"    memcpy(ordered.data + tail * {entry}, {data}.data, "
        f"(size_t)((count - tail) * {entry}));",
        f"    {output}->data = ordered.data;",
        "}",
    ]


def _scoped(lines: list[str], ordered_slot: int) -> list[str]:
    return ["{", f"    const int ordered_slot = {ordered_slot};", *_indent(lines), "}"]


def _cvar(name: str, like: CVar, extra_axes: int = 0) -> CVar:
    """A C value named ``name`` of ``like``'s dtype and rank (plus ``extra_axes`` leading
    axes), no axis known to be of length 1."""
    return CVar(name, like.dtype, (False,) * (like.ndim + extra_axes))


def _indented(text: str) -> list[str]:
    return ["    " + line if line else line for line in text.splitlines()]


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line if line else line for line in lines]
