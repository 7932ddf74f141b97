"""Checks that run an op-table row: values against the reference, shapes without running.

``check_values`` compiles the row's graph and compares it with NumPy/SciPy;
``check_infer_shape`` compiles only the symbolic shape of the output (from the
ops' ``infer_shape``) and compares it with the shape actually computed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from graphcore import Mode, Variable, function
from tensorops.sizes import shape_of
from tensorops.testing.case import OpCase
from tensorops.type import TensorType

# (rtol, atol) by the dtype of the expected values.
TOLERANCES = {
    "float16": (1e-2, 1e-3),
    "float32": (1e-4, 1e-5),
    "complex64": (1e-4, 1e-5),
    "float64": (1e-7, 1e-10),
    "complex128": (1e-7, 1e-10),
}

CHECK_DTYPE = "check_dtype"
"""Tag: the output dtype must equal the reference's (NumPy's) dtype."""


def symbolic_inputs(case: OpCase, values: Sequence[Any]) -> tuple[list[Any], list[Variable]]:
    """The arguments for ``case.build`` and the symbolic inputs among them.

    Each value gets a variable of its dtype and ndim; axes of length 1 are declared
    of length 1 (so they may broadcast), other lengths stay open unless
    ``case.static_shapes``.
    """
    arguments: list[Any] = []
    variables: list[Variable] = []
    for position, value in enumerate(values):
        if position in case.constant_inputs:
            arguments.append(value)
            continue
        array = np.asarray(value)
        if case.static_shapes:
            shape: tuple[int | None, ...] = array.shape
        else:
            shape = tuple(1 if n == 1 else None for n in array.shape)
        var = TensorType(array.dtype, shape).make_variable(f"x{position}")
        arguments.append(var)
        variables.append(var)
    return arguments, variables


def _runtime_values(case: OpCase, values: Sequence[Any]) -> list[Any]:
    return [np.asarray(v) for i, v in enumerate(values) if i not in case.constant_inputs]


def _as_list(result: Any) -> list[Any]:
    return list(result) if isinstance(result, (list, tuple)) else [result]


def assert_close(case: OpCase, got: Any, expected: Any, label: str = "") -> None:
    """Equal shapes, and values equal within the expected dtype's tolerance."""
    got, expected = np.asarray(got), np.asarray(expected)
    where = f"{case.name}{label}"
    assert got.shape == expected.shape, f"{where}: shape {got.shape}, expected {expected.shape}"
    if CHECK_DTYPE in case.tags:
        assert got.dtype == expected.dtype, f"{where}: dtype {got.dtype}, expected {expected.dtype}"
    rtol, atol = TOLERANCES.get(expected.dtype.name, (0.0, 0.0))
    rtol = case.rtol if case.rtol is not None else rtol
    atol = case.atol if case.atol is not None else atol
    if expected.dtype.kind in "fc" or got.dtype.kind in "fc":
        ok = np.allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
    else:
        ok = np.array_equal(got, expected)
    assert ok, f"{where}: values differ\n got      {got!r}\n expected {expected!r}"


def check_values(case: OpCase, mode: str | Mode | None = None) -> None:
    """Compile ``case.build`` and compare every output with ``case.reference``, twice
    (the second call runs on reused buffers)."""
    values = case.values()
    arguments, variables = symbolic_inputs(case, values)
    outputs = _as_list(case.build(*arguments))
    compiled = function(variables, outputs, mode=mode, on_unused_input="ignore")
    with np.errstate(all="ignore"):
        expected = _as_list(case.reference(*[np.asarray(v) for v in values]))
        for call in ("", " (second call)"):
            got = _as_list(compiled(*_runtime_values(case, values)))
            assert len(got) == len(expected), (
                f"{case.name}: {len(got)} outputs, expected {len(expected)}"
            )
            for index, (g, e) in enumerate(zip(got, expected, strict=True)):
                assert_close(case, g, e, f" output {index}{call}")
                _check_static_shape(case, outputs[index], np.asarray(g))


def _check_static_shape(case: OpCase, var: Variable, value: np.ndarray) -> None:
    static = getattr(var.type, "shape", None)
    if static is None:
        return
    assert len(static) == value.ndim, f"{case.name}: type {var.type} but result ndim {value.ndim}"
    for known, actual in zip(static, value.shape, strict=True):
        assert known is None or known == actual, (
            f"{case.name}: the type says {var.type} but the result has shape {value.shape}"
        )


def check_infer_shape(case: OpCase, mode: str | Mode | None = None) -> None:
    """The symbolic shape of each output equals the computed shape, and computing it
    does not run the op that made the output."""
    values = case.values()
    arguments, variables = symbolic_inputs(case, values)
    outputs = _as_list(case.build(*arguments))
    computed = function(variables, outputs, mode=mode, on_unused_input="ignore")
    with np.errstate(all="ignore"):
        actual = [np.asarray(v).shape for v in _as_list(computed(*_runtime_values(case, values)))]
    for index, out in enumerate(outputs):
        entries = list(shape_of(out))
        if not entries:
            assert actual[index] == (), f"{case.name}: shape_of gives (), computed {actual[index]}"
            continue
        shape_fn = function(variables, entries, mode=mode, on_unused_input="ignore")
        if out.owner is not None:
            op, made = out.owner.op, [v.type for v in out.owner.outputs]
            shape_nodes = shape_fn.maker.fgraph.toposort()
            ran = [n for n in shape_nodes if n.op == op and [v.type for v in n.outputs] == made]
            assert not ran, f"{case.name}: the shape of output {index} runs {out.owner.op}"
        inferred = tuple(int(n) for n in shape_fn(*_runtime_values(case, values)))
        assert inferred == actual[index], (
            f"{case.name}: infer_shape gives {inferred} for output {index}, "
            f"computed {actual[index]}"
        )
