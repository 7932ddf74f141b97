"""A compiled log density as a C function pointer that samplers call with raw doubles.

A function ``x -> (logp, dlogp)`` over a float64 vector ``x`` (ppl's flat density) is
translated again as a step (translate.py's ``Step``: values as ``cg_arr``, no Python
objects) and wrapped in

    ``int cg_density_logp_dlogp(const double *x, double *grad, double *logp, void *context)``

which samplers' C NUTS calls between two leapfrog steps with no Python in between. The
function's other inputs (values held fixed, shared variables) and its large constants
are *held*: ``context`` points at their data, which the ``DensityPointer`` keeps alive
and re-points when ``hold`` is called. It returns 0, or -1 with the failure recorded
(``error()`` turns it into the exception the Python call would raise).

The wrapper is a second, small translation unit next to the function's own; both are
cached on disk like every unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ccodegen.build import have_c_compiler
from ccodegen.program import ERRORS
from ccodegen.translate import (
    EMBEDDED_CONSTANT_SIZE,
    Step,
    assemble_unit,
    load_unit,
    translate_step,
)
from graphcore import Constant, FunctionGraph, Variable

ENTRY = "cg_density_logp_dlogp"
"""The C name of the entry point: ``int (const double *, double *, double *, void *)``."""

_CDEF = """
typedef struct cg_density cg_density;
cg_density *cg_density_new(uintptr_t ndarray);
void cg_density_free(cg_density *d);
void cg_density_hold(cg_density *d, int k, uintptr_t data, intptr_t *dims, intptr_t *strides);
cg_state *cg_density_state(cg_density *d);
int cg_density_logp_dlogp(const double *x, double *grad, double *logp, void *context);
int cg_density_call(cg_density *d, uintptr_t x, uintptr_t grad, uintptr_t logp);
"""


def _wrapper(step: Step) -> str:
    """C around the step: the context (state and values) and the four entry points."""
    ndim = [cvar.ndim for cvar in step.inputs]
    return f"""
typedef struct cg_density {{
    cg_state *st;
    npy_intp dim;
    cg_arr v[{step.n_values}];
}} cg_density;
static const int cg_density_ndim[] = {{{", ".join(map(str, ndim))}}};

cg_density *cg_density_new(uintptr_t ndarray) {{
    cg_density *d = calloc(1, sizeof(cg_density));
    if (d == NULL) return NULL;
    d->st = cg_new_state({step.n_buffers}, {step.n_nodes}, 0, ndarray);
    if (d->st == NULL) {{ free(d); return NULL; }}
    {step.name}_setup(d->v);
    return d;
}}

void cg_density_free(cg_density *d) {{
    if (d == NULL) return;
    cg_delete_state(d->st);
    free(d);
}}

/* Point input k at data laid out as dims and strides (bytes); input 0 sets the length. */
void cg_density_hold(cg_density *d, int k, uintptr_t data, intptr_t *dims, intptr_t *strides) {{
    d->v[k].data = (char *)data;
    for (int axis = 0; axis < cg_density_ndim[k]; axis++) {{
        d->v[k].dims[axis] = dims[axis];
        d->v[k].strides[axis] = strides[axis];
    }}
    if (k == 0) d->dim = dims[0];
}}

cg_state *cg_density_state(cg_density *d) {{ return d->st; }}

static int cg_density_run(cg_density *d, cg_arr *target) {{
    const int code = {step.name}(d->st, d->v, target);
    if (code == CG_OK) return 0;
    if (code == CG_NEED_OUTPUTS)
        cg_fail(d->st, -1, CG_VALUE, "the gradient does not have the length of x (%ld)",
                (long)d->dim);
    return -1;
}}

int cg_density_logp_dlogp(const double *x, double *grad, double *logp, void *context) {{
    cg_density *d = (cg_density *)context;
    cg_arr target[2];
    d->v[0].data = (char *)x;
    d->v[0].strides[0] = sizeof(double);
    target[0].data = (char *)logp;
    target[1].data = (char *)grad;
    target[1].dims[0] = d->dim;
    target[1].strides[0] = sizeof(double);
    return cg_density_run(d, target);
}}

/* The same from Python: NumPy arrays by address (x of any strides; a fresh gradient
   of length dim and a 0-d logp). */
int cg_density_call(cg_density *d, uintptr_t x, uintptr_t grad, uintptr_t logp) {{
    cg_arr target[2];
    if (cg_load(d->st, &d->v[0], x, NPY_DOUBLE, 1, "x")) return -1;
    if (d->v[0].dims[0] != d->dim)
        return cg_fail(d->st, -1, CG_VALUE, "x: expected shape (%ld,), got (%ld,)",
                       (long)d->dim, (long)d->v[0].dims[0]);
    if (cg_load(d->st, &target[0], logp, NPY_DOUBLE, 0, "logp")) return -1;
    if (cg_load(d->st, &target[1], grad, NPY_DOUBLE, 1, "grad")) return -1;
    return cg_density_run(d, target);
}}
"""


class DensityPointer:
    """The C entry point of one density, its context, and the arrays the context reads.

    ``address`` and ``context`` are ints (addresses) for samplers' ``c_logp_dlogp`` and
    ``c_context``. ``hold(k, value)`` points held input ``k`` (1, 2, ...: the function's
    inputs after ``x``, then its large constants) at ``value``'s data and keeps it alive.
    """

    def __init__(self, module: Any, step: Step, dim: int, held: Sequence[Any]):
        ffi, lib = module.ffi, module.lib
        self._module = module
        self._labels = step.node_labels
        self._ndims = [cvar.ndim for cvar in step.inputs]
        self._dtypes = [np.dtype(cvar.dtype) for cvar in step.inputs]
        raw = lib.cg_density_new(id(np.ndarray))
        if raw == ffi.NULL:
            raise MemoryError("cannot allocate the density's C state")
        self._context = ffi.gc(raw, lib.cg_density_free)
        self._kept: list[np.ndarray | None] = [None] * len(step.inputs)
        self._dims = ffi.new("intptr_t[]", 16)
        self._strides = ffi.new("intptr_t[]", 16)
        self.address = int(ffi.cast("uintptr_t", ffi.addressof(lib, ENTRY)))
        self.context = int(ffi.cast("uintptr_t", self._context))
        self.dim = dim
        self._call_entry = lib.cg_density_call
        lib.cg_density_hold(self._context, 0, 0, [dim], [8])
        for k, value in enumerate(held, start=1):
            self.hold(k, value)

    def hold(self, k: int, value: Any) -> None:
        """Point held input ``k`` at ``value`` (converted to its dtype when it is not)."""
        array = np.asarray(value, dtype=self._dtypes[k])
        if array.ndim != self._ndims[k]:
            raise ValueError(
                f"held input {k} of the C density: expected {self._ndims[k]} dimensions, "
                f"got shape {array.shape}"
            )
        for axis in range(array.ndim):
            self._dims[axis] = array.shape[axis]
            self._strides[axis] = array.strides[axis]
        self._kept[k] = array
        self._module.lib.cg_density_hold(
            self._context, k, array.ctypes.data, self._dims, self._strides
        )

    def hold_all(self, values: Sequence[Any]) -> None:
        """``hold`` each of ``values`` (held inputs 1, 2, ...) that is not held already."""
        kept = self._kept
        for k, value in enumerate(values, start=1):
            if value is not kept[k]:
                self.hold(k, value)

    def call(self, x: Any) -> tuple[float, np.ndarray]:
        """``(logp, dlogp)`` at ``x`` through the C code (Python callers, tests)."""
        if type(x) is not np.ndarray or x.dtype != np.float64:
            x = np.asarray(x, dtype=np.float64)
        grad = np.empty(self.dim)
        logp = np.empty(())
        if self._call_entry(self._context, id(x), id(grad), id(logp)):
            raise self.error()
        return float(logp), grad

    def error(self) -> Exception:
        """The last failure as the exception a Python call of the function raises."""
        ffi, lib = self._module.ffi, self._module.lib
        node = ffi.new("int *")
        kind = ffi.new("int *")
        message = ffi.string(lib.cg_error(lib.cg_density_state(self._context), node, kind))
        error = ERRORS.get(kind[0], RuntimeError)(message.decode())
        if 0 <= node[0] < len(self._labels):
            error.add_note(f"while running {self._labels[node[0]]} in the C density")
        return error


def density_pointer(
    fgraph: FunctionGraph, dim: int, held: Sequence[Any], name_hint: str = "density"
) -> DensityPointer | None:
    """The C entry point of ``fgraph`` (rewritten already, as a compiled function's
    ``maker.fgraph``): inputs a float64 vector of length ``dim``, then inputs held at
    ``held``'s values; outputs a float64 scalar and a float64 vector of length ``dim``.
    None when there is no C compiler or some node has no C."""
    if not have_c_compiler() or not _is_density(fgraph, len(held)):
        return None
    large = _large_constants(fgraph)
    order = fgraph.toposort()
    step = translate_step(order, [*fgraph.inputs, *large], fgraph.outputs)
    if step is None:
        return None
    unit = assemble_unit(step.support, [step.code, _wrapper(step)], [], [_CDEF])
    module = load_unit(unit, name_hint)
    values = [*held, *(np.asarray(constant.data) for constant in large)]
    return DensityPointer(module, step, dim, values)


def _is_density(fgraph: FunctionGraph, n_held: int) -> bool:
    def typed(var: Variable, ndim: int) -> bool:
        kind = var.type
        return getattr(kind, "ndim", None) == ndim and str(getattr(kind, "dtype", "")) == "float64"

    inputs, outputs = fgraph.inputs, fgraph.outputs
    return (
        len(inputs) == 1 + n_held
        and typed(inputs[0], 1)
        and len(outputs) == 2
        and typed(outputs[0], 0)
        and typed(outputs[1], 1)
    )


def _large_constants(fgraph: FunctionGraph) -> list[Constant]:
    """Constants too large to write into the source: the context points at their data."""
    found: dict[Constant, None] = {}
    for node in fgraph.toposort():
        for var in node.inputs:
            if isinstance(var, Constant) and np.size(var.data) > EMBEDDED_CONSTANT_SIZE:
                found[var] = None
    return list(found)
