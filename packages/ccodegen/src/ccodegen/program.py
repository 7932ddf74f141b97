"""``CProgram``: a compiled segment called with the addresses of NumPy arrays.

The caller side of translate.py's entry points. A call writes the addresses of the
arguments (and of shared values and large constants) into a reused ``uintptr_t``
array, allocates each output at the lengths the last call asked for (a borrowed
output keeps its array), and makes one foreign call; only when a length changed
does it allocate again and repeat the call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ccodegen.translate import Segment
from graphcore import Apply

CG_OK, CG_ERROR, CG_NEED_OUTPUTS = 0, 1, 2
_ERRORS: dict[int, type[Exception]] = {
    1: ValueError,
    2: IndexError,
    3: TypeError,
    4: MemoryError,
    5: AssertionError,
}


class SegmentCaller:
    """Calls one segment's entry point: ``call(values) -> outputs``."""

    def __init__(self, segment: Segment, module: Any, borrow: Sequence[bool] | None = None) -> None:
        ffi, lib = module.ffi, module.lib
        self.segment = segment
        self._ffi = ffi
        self._lib = lib
        self._run = getattr(lib, f"cg_call_{segment.name}")
        self._state = ffi.gc(
            getattr(lib, f"cg_create_{segment.name}")(id(np.ndarray)), lib.cg_destroy
        )
        n_in = len(segment.inputs) + len(segment.passed_constants)
        self._ins = ffi.new("uintptr_t[]", max(n_in, 1))
        self._outs = ffi.new("uintptr_t[]", max(len(segment.outputs), 1))
        self._constants = segment.passed_constants  # kept alive as long as the program
        for k, constant in enumerate(self._constants):
            self._ins[len(segment.inputs) + k] = id(constant)
        self._dtypes = [np.dtype(dtype) for dtype, _ in segment.output_types]
        self._ndims = [ndim for _, ndim in segment.output_types]
        self._shapes: list[tuple[int, ...] | None] = [
            () if ndim == 0 else None for ndim in self._ndims
        ]
        self._borrow = list(borrow) if borrow is not None else [False] * len(self._dtypes)
        self._kept: list[np.ndarray | None] = [None] * len(self._dtypes)

    def call(self, values: Sequence[Any]) -> list[Any]:
        ins = self._ins
        for position, value in enumerate(values):
            ins[position] = id(value)
        outputs = self._allocate()
        code = self._run(self._state, ins, self._outs)
        if code == CG_NEED_OUTPUTS:
            self._read_wanted_shapes()
            outputs = self._allocate()
            code = self._run(self._state, ins, self._outs)
        if code != CG_OK:
            self._raise()
        return outputs

    def _allocate(self) -> list[Any]:
        outputs: list[Any] = []
        outs = self._outs
        for position, shape in enumerate(self._shapes):
            if shape is None:
                outputs.append(None)
                outs[position] = 0
                continue
            array = self._kept[position]
            if array is None or array.shape != shape:
                array = np.empty(shape, self._dtypes[position])
                if self._borrow[position]:
                    self._kept[position] = array
            outputs.append(array)
            outs[position] = id(array)
        return outputs

    def _read_wanted_shapes(self) -> None:
        wanted = self._lib.cg_wanted(self._state)
        for position, ndim in enumerate(self._ndims):
            base = position * 16
            self._shapes[position] = tuple(int(wanted[base + axis]) for axis in range(ndim))

    def _raise(self) -> None:
        node_index = self._ffi.new("int *")
        kind = self._ffi.new("int *")
        message = self._ffi.string(self._lib.cg_error(self._state, node_index, kind)).decode()
        error = _ERRORS.get(kind[0], RuntimeError)(message)
        if node_index[0] >= 0:
            node: Apply = self.segment.nodes[node_index[0]]
            error.add_note(f"while running {node.op} (built at {node.location()}) in C")
        raise error

    def free(self) -> None:
        self._lib.cg_release(self._state)
        self._kept = [None] * len(self._kept)
