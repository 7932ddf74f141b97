"""The harness the structural-op C tests share: a case is a small graph around one op
and the values it runs on; all cases of a module compile into one translation unit; each
runs in C and in Python (no rewrites, so the op stays as built) on several layouts of the
same values, and C must give what Python gives (values, dtypes, shapes, exceptions)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

import tensorops as pt
from ccodegen.linker import compile_segments
from ccodegen.program import SegmentCaller
from ccodegen.translate import translate_segment
from graphcore import Mode, Variable, function

AS_BUILT = Mode(linker="py", optimizer=None)


@dataclass
class Case:
    """One graph around one op, and the values it runs on."""

    name: str
    inputs: list[Variable]
    outputs: list[Variable]
    values: list[list[Any]]
    op: type
    compare_values: bool = True
    in_place: bool = False
    float32_work: bool = False
    """Computed in float32 though the output is float64 (softmax of int16)."""


def tensor(name: str, dtype: str, ndim: int) -> Any:
    return pt.tensor(name, dtype=dtype, shape=(None,) * ndim)


def scalar(name: str, dtype: str = "int64") -> Any:
    return pt.tensor(name, dtype=dtype, shape=())


def values_of(dtype: str, shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """Values of ``dtype``: varied signs and magnitudes, booleans mixed, ints small."""
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype.startswith("int") or dtype.startswith("uint"):
        low = 0 if dtype.startswith("uint") else -9
        return rng.integers(low, 10, shape).astype(dtype)
    return (rng.standard_normal(shape) * 3).astype(dtype)


def i64(value: int) -> np.ndarray:
    return np.array(value, dtype="int64")


def compile_cases(cases: Sequence[Case]) -> dict[str, Compiled]:
    """Every case's Python function and C segment, the segments in one unit."""
    functions, segments = {}, {}
    for each in cases:
        python = function(each.inputs, each.outputs, mode=AS_BUILT)
        fgraph = python.maker.fgraph
        assert any(isinstance(node.op, each.op) for node in fgraph.toposort()), each.name
        segment = translate_segment(each.name, fgraph.toposort(), fgraph.inputs, fgraph.outputs)
        assert segment is not None, f"{each.name}: no C"
        functions[each.name], segments[each.name] = python, segment
    module = compile_segments(list(segments.values()))
    return {
        name: Compiled(functions[name], SegmentCaller(segment, module), module)
        for name, segment in segments.items()
    }


@dataclass
class Compiled:
    python: Any
    caller: SegmentCaller
    module: Any


def _reversed(value: np.ndarray) -> np.ndarray:
    flip = (slice(None, None, -1),) * value.ndim
    return np.ascontiguousarray(value[flip])[flip]


LAYOUTS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "contiguous": np.array,
    "reversed": _reversed,
    "fortran": lambda value: np.asfortranarray(value.copy()),
    "strided": lambda value: np.repeat(value, 2, axis=-1)[..., ::2] if value.ndim else value.copy(),
}


def _repeated(value: np.ndarray) -> np.ndarray:
    """Its first row repeated along the first axis by a zero stride (other values)."""
    if value.ndim == 0 or value.shape[0] == 0:
        return value.copy()
    return np.broadcast_to(value[:1].copy(), value.shape)


def _run(call: Callable[[], Any]) -> tuple[list[np.ndarray] | None, BaseException | None]:
    try:
        return [np.asarray(out) for out in call()], None
    except Exception as error:
        return None, error


def _compare(label: str, each: Case, expected: Any, got: Any) -> None:
    (py_out, py_error), (c_out, c_error) = expected, got
    if py_error is not None:
        assert c_error is not None, f"{label}: Python raised {py_error!r}, C did not"
        assert type(c_error) is type(py_error), (
            f"{label}: C raised {c_error!r}, Python {py_error!r}"
        )
        return
    assert c_error is None, f"{label}: C raised {c_error!r}"
    assert py_out is not None and c_out is not None
    for k, (p, c) in enumerate(zip(py_out, c_out, strict=True)):
        where = f"{label}, output {k}"
        assert (c.dtype, c.shape) == (p.dtype, p.shape), f"{where}: {c.dtype}{c.shape} from C"
        if not each.compare_values:
            continue
        if p.dtype.kind in "fc":  # NumPy's complex64 products round by layout (FMA or not)
            double = p.dtype in (np.float64, np.complex128)
            rtol = 1e-12 if double and not each.float32_work else 2e-6
            finite = np.abs(p[np.isfinite(p)])
            atol = rtol * (float(finite.max()) if finite.size else 1.0)
            np.testing.assert_allclose(c, p, rtol=rtol, atol=atol, equal_nan=True, err_msg=where)
        else:
            np.testing.assert_array_equal(c, p, err_msg=where)


def _calls(each: Case, values: list[Any]) -> Iterator[tuple[str, Callable[[], list[Any]]]]:
    """Fresh arguments per call (an op in place writes into them): each layout twice, and
    the zero-stride repetition once."""
    for layout, make in LAYOUTS.items():
        for repeat in (1, 2):
            yield f"{layout} #{repeat}", lambda make=make: [make(np.asarray(v)) for v in values]
    if not each.in_place:
        yield "repeated", lambda: [_repeated(np.asarray(v)) for v in values]


def check_case(each: Case, program: Compiled) -> None:
    """C against Python on every value set of ``each``, in every layout."""
    for number, values in enumerate(each.values):
        for label, arguments in _calls(each, values):
            expected = _run(lambda arguments=arguments: program.python(*arguments()))
            got = _run(lambda arguments=arguments: program.caller.call(arguments()))
            _compare(f"{each.name}, values {number}, {label}", each, expected, got)
