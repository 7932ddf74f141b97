"""``CProgram``: a compiled segment called with the addresses of NumPy arrays.

The caller side of translate.py's entry points. A call writes the addresses of the
arguments (and of shared values and large constants) into a reused ``uintptr_t``
array, allocates each output at the lengths the last call asked for (a borrowed
output keeps its array), and makes one foreign call; only when a length changed
does it allocate again and repeat the call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ccodegen.translate import Segment
from graphcore import Apply

CG_OK, CG_ERROR, CG_NEED_OUTPUTS = 0, 1, 2
ERRORS: dict[int, type[Exception]] = {
    1: ValueError,
    2: IndexError,
    3: TypeError,
    4: MemoryError,
    5: AssertionError,
    6: ZeroDivisionError,
    7: OverflowError,
    8: RuntimeError,
    9: np.linalg.LinAlgError,
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
        # Lengths assumed for the next call's outputs (none known yet: empty arrays).
        self._shapes: list[tuple[int, ...]] = [(0,) * ndim for ndim in self._ndims]
        self._borrow = list(borrow) if borrow is not None else [False] * len(self._dtypes)
        self._kept: list[np.ndarray] = [
            np.empty(shape, dtype) for shape, dtype in zip(self._shapes, self._dtypes, strict=True)
        ]

        self.call = self._fast_call()

    def _fast_call(self) -> Callable[[Sequence[Any]], list[Any]]:
        """``call``, written out for this segment: one statement per input and output, one
        foreign call. Lengths seen last time are assumed; when they changed the entry
        point says so and ``_call_again`` takes over."""
        n_in, n_out = len(self.segment.inputs), len(self._dtypes)
        n_constants = len(self._constants)
        direct = getattr(self._lib, f"cg_direct_{self.segment.name}", None)
        lines = ["def call(values):"]
        for k in range(n_out):
            if self._borrow[k]:
                lines.append(f"    o{k} = kept[{k}]")
            elif self._ndims[k] == 0:
                lines.append(f"    o{k} = empty((), dtype{k})")
            else:
                lines.append(f"    o{k} = empty(shapes[{k}], dtype{k})")
        if direct is not None:
            arguments = [f"id(values[{k}])" for k in range(n_in)]
            arguments += [f"constant{k}" for k in range(n_constants)]
            arguments += [f"id(o{k})" for k in range(n_out)]
            lines.append(f"    if direct(state, {', '.join(arguments)}):")
        else:
            lines += [f"    ins[{k}] = id(values[{k}])" for k in range(n_in)]
            lines += [f"    outs[{k}] = id(o{k})" for k in range(n_out)]
            lines.append("    if run(state, ins, outs):")
        lines += [
            "        return call_again(values)",
            f"    return [{', '.join(f'o{k}' for k in range(n_out))}]",
        ]
        namespace: dict[str, Any] = {
            "ins": self._ins,
            "outs": self._outs,
            "run": self._run,
            "state": self._state,
            "direct": direct,
            "empty": np.empty,
            "shapes": self._shapes,
            **{f"dtype{k}": dtype for k, dtype in enumerate(self._dtypes)},
            **{f"constant{k}": id(constant) for k, constant in enumerate(self._constants)},
            "kept": self._kept,
            "call_again": self._call_again,
        }
        exec(
            compile("\n".join(lines), f"<ccodegen call of {self.segment.name}>", "exec"), namespace
        )
        call: Callable[[Sequence[Any]], list[Any]] = namespace["call"]
        return call

    def _call_again(self, values: Sequence[Any]) -> list[Any]:
        """After a failed fast call: new output arrays at the lengths asked for, or the
        error raised, naming the node."""
        ins = self._ins
        for position, value in enumerate(values):
            ins[position] = id(value)
        code = CG_NEED_OUTPUTS
        for _ in range(2):
            if code != CG_NEED_OUTPUTS:
                break
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
            array = self._kept[position]
            if not self._borrow[position] or array.shape != shape:
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
        error = ERRORS.get(kind[0], RuntimeError)(message)
        if node_index[0] >= 0:
            node: Apply = self.segment.nodes[node_index[0]]
            error.add_note(f"while running {node.op} (built at {node.location()}) in C")
        raise error

    def free(self) -> None:
        self._lib.cg_release(self._state)
