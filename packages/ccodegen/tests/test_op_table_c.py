"""The C backend against the Python backend over the whole op table.

Every row of tensorops' op table is built as its harness builds it and compiled with
the Python linker after the FAST_RUN rewrites; the rewritten graph is translated to one
C segment. Rows whose graph has a node without C are no test here: they are counted,
and ``test_rows_with_c`` keeps the count from dropping. The segments go into a few
translation units, each compiled once per session when a row first needs it (a unit
that does not compile fails its own rows, with the compiler's message).

Each row's C must give what the Python backend gives (same shapes and dtypes; integers
and booleans exactly; floats within the harness's tolerances, NaN and infinities where
Python has them, and within 4 ulp when the graph is elementwise only) on the row's
values, on a second call that reuses the buffers, on non-contiguous views of the
values (strided, reversed, Fortran-ordered, repeated by a zero stride), and on longer
inputs and back, unless the row fixes its shapes. Where Python raises (lengths that do
not match), C must raise the same exception.
"""

from __future__ import annotations

import collections
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from ulps import ulp_distance, worst

from ccodegen import CCompileError, have_c_compiler
from ccodegen import ops as _ops  # noqa: F401 - registers the C rules
from ccodegen.linker import compile_segments
from ccodegen.program import SegmentCaller
from ccodegen.translate import Segment, translate_segment
from graphcore import Apply, Constant, Mode, function
from tensorops import DimShuffle, Elemwise
from tensorops.testing import ALL_CASES, OpCase
from tensorops.testing.harness import TOLERANCES, symbolic_inputs

pytestmark = pytest.mark.skipif(not have_c_compiler(), reason="no C compiler")

ROWS_WITH_C_FLOOR = 1162
"""Rows whose rewritten graph is all C: measured 1138 of 1218; raise it as C grows."""
SEGMENTS_PER_UNIT = 128
ELEMENTWISE_ULP = 4
REWRITTEN = Mode(linker="py")
AS_BUILT = Mode(linker="py", optimizer=None)
"""The graph before any rewrite: what FAST_COMPILE, or an install without the rewriter,
runs. Tested too where its C differs from the rewritten graph's (0-d reductions...)."""


@dataclass
class Row:
    """One op-table row in one mode: its runtime values, its Python function and its C."""

    case: OpCase
    values: list[np.ndarray]
    python: Any
    segment: Segment | None
    error: str | None = None

    @property
    def elementwise(self) -> bool:
        nodes = self.python.maker.fgraph.toposort()
        return all(isinstance(node.op, (Elemwise, DimShuffle)) for node in nodes)


def _outputs(built: Any) -> list[Any]:
    return list(built) if isinstance(built, (list, tuple)) else [built]


def _row(case: OpCase, mode: Mode, name: str) -> Row:
    values = case.values()
    arguments, variables = symbolic_inputs(case, values)
    python = function(variables, _outputs(case.build(*arguments)), mode=mode,
                      on_unused_input="ignore")  # fmt: skip
    runtime = [np.asarray(v) for i, v in enumerate(values) if i not in case.constant_inputs]
    fgraph = python.maker.fgraph
    try:
        segment = translate_segment(name, fgraph.toposort(), fgraph.inputs, fgraph.outputs)
    except Exception as error:  # a crash is a failure of this row, not of the collection
        return Row(case, runtime, python, None, f"translate_segment raised {error!r}")
    return Row(case, runtime, python, segment)


def _rows() -> dict[str, Row]:
    """Each case rewritten, under its name; as built too, as ``<name>-as_built``, where
    that C differs."""
    rows = {}
    for case in ALL_CASES:
        name = re.sub(r"\W", "_", case.name)
        rows[case.name] = rewritten = _row(case, REWRITTEN, name)
        as_built = _row(case, AS_BUILT, name)
        if as_built.segment is None and as_built.error is None:
            continue
        if (
            rewritten.segment is not None
            and as_built.segment is not None
            and as_built.segment.code == rewritten.segment.code
        ):
            continue
        rows[f"{case.name}-as_built"] = _row(case, AS_BUILT, f"{name}_as_built")
    return rows


ROWS = _rows()
_with_c = [name for name, row in ROWS.items() if row.segment is not None or row.error]
REWRITTEN_WITH_C = [name for name in _with_c if not name.endswith("-as_built")]
WITH_C = REWRITTEN_WITH_C + [name for name in _with_c if name.endswith("-as_built")]
"""The tests: rewritten graphs first, so that the graphs as built share the last unit."""


def _node_label(node: Apply) -> str:
    scalar = getattr(node.op, "scalar_op", None)
    return (
        f"{type(node.op).__name__}({scalar.name})" if scalar is not None else type(node.op).__name__
    )


def _ops_without_c(row: Row) -> set[str]:
    """The ops of a row's graph that have no C, each node tried alone."""
    missing = set()
    for node in row.python.maker.fgraph.toposort():
        inputs = [var for var in dict.fromkeys(node.inputs) if not isinstance(var, Constant)]
        if translate_segment("probe", [node], inputs, node.outputs) is None:
            missing.add(_node_label(node))
    return missing


def test_rows_with_c(capsys: pytest.CaptureFixture[str]) -> None:
    """How many rows run entirely in C: printed, and never fewer than the floor."""
    rewritten = [ROWS[case.name] for case in ALL_CASES]
    without = collections.Counter(
        label for row in rewritten if row.segment is None for label in _ops_without_c(row)
    )
    common = ", ".join(f"{label} ({count})" for label, count in without.most_common(12))
    with capsys.disabled():
        print(
            f"\nop table: {len(REWRITTEN_WITH_C)} of {len(rewritten)} rows have C (and "
            f"{len(WITH_C) - len(REWRITTEN_WITH_C)} more graphs as built); the ops without C "
            f"in most rows: {common}"
        )
    assert len(REWRITTEN_WITH_C) >= ROWS_WITH_C_FLOOR, (
        f"only {len(REWRITTEN_WITH_C)} op-table rows have C, fewer than the floor "
        f"{ROWS_WITH_C_FLOOR}"
    )


class Units:
    """The translatable rows in units of SEGMENTS_PER_UNIT, each compiled on first use."""

    def __init__(self, names: Sequence[str]):
        translated = [name for name in names if ROWS[name].segment is not None]
        self.batches = [
            translated[start : start + SEGMENTS_PER_UNIT]
            for start in range(0, len(translated), SEGMENTS_PER_UNIT)
        ]
        self._unit_of = {name: k for k, batch in enumerate(self.batches) for name in batch}
        self._built: dict[int, Any] = {}
        self._reported: dict[int, str] = {}  # the row that showed a unit's compile error

    def module(self, name: str) -> Any:
        k = self._unit_of[name]
        if k not in self._built:
            segments = [ROWS[row].segment for row in self.batches[k]]
            present = [segment for segment in segments if segment is not None]
            try:
                self._built[k] = compile_segments(present, name_hint=f"op_table_{k}")
            except CCompileError as error:
                self._built[k] = error
        built = self._built[k]
        if isinstance(built, CCompileError):
            batch = self.batches[k]
            said = f"unit {k} of the op table ({len(batch)} rows, {batch[0]} to {batch[-1]})"
            if k in self._reported:
                pytest.fail(f"{said} does not compile: see {self._reported[k]}", pytrace=False)
            self._reported[k] = name
            pytest.fail(f"{said} does not compile:\n{built}", pytrace=False)
        return built


@pytest.fixture(scope="session")
def units(session_cache: Path) -> Units:
    """Every translatable row's unit, compiled into the session's cache when first asked."""
    return Units(WITH_C)


def _python(row: Row, values: Sequence[np.ndarray]) -> list[np.ndarray] | Exception:
    """The Python backend's outputs (copied: its buffers are reused), or what it raised."""
    try:
        with np.errstate(all="ignore"):
            outputs = row.python(*[np.array(v, order="C") for v in values])
    except Exception as error:
        return error
    return [np.array(v, copy=True) for v in outputs]


def _check(row: Row, got: Sequence[Any], expected: Sequence[Any], label: str) -> None:
    where = f"{row.case.name}{label}"
    assert len(got) == len(expected), f"{where}: {len(got)} outputs, expected {len(expected)}"
    for k, (got_k, expected_k) in enumerate(zip(got, expected, strict=True)):
        g, e, at = np.asarray(got_k), np.asarray(expected_k), f"{where}, output {k}"
        assert g.shape == e.shape, f"{at}: shape {g.shape}, Python gives {e.shape}"
        assert g.dtype == e.dtype, f"{at}: dtype {g.dtype}, Python gives {e.dtype}"
        if e.dtype.kind not in "fc":
            assert np.array_equal(g, e), f"{at}: values differ\n C      {g!r}\n Python {e!r}"
            continue
        assert np.array_equal(np.isnan(g), np.isnan(e)), (
            f"{at}: NaN elsewhere\n C {g!r}\n Python {e!r}"
        )
        infinite = np.isinf(e)
        assert np.array_equal(np.isinf(g), infinite) and np.array_equal(g[infinite], e[infinite]), (
            f"{at}: infinities differ\n C      {g!r}\n Python {e!r}"
        )
        rtol, atol = TOLERANCES[e.dtype.name]
        rtol = row.case.rtol if row.case.rtol is not None else rtol
        atol = row.case.atol if row.case.atol is not None else atol
        assert np.allclose(g, e, rtol=rtol, atol=atol, equal_nan=True), (
            f"{at}: values differ beyond rtol={rtol}, atol={atol}\n C      {g!r}\n Python {e!r}"
        )
        if row.elementwise and e.dtype.kind in "fc":
            far = ulp_distance(g, e) > ELEMENTWISE_ULP
            assert not far.any(), (
                f"{at}: {int(far.sum())} values further than {ELEMENTWISE_ULP} ulp from Python\n"
                + worst(g, e, [])
            )


def _strided(v: np.ndarray) -> np.ndarray | None:
    return np.repeat(v, 2, axis=-1)[..., ::2] if v.ndim else None


def _reversed(v: np.ndarray) -> np.ndarray | None:
    return v[::-1] if v.ndim else None


def _fortran(v: np.ndarray) -> np.ndarray | None:
    return np.asfortranarray(v) if v.ndim >= 2 and not v.flags.f_contiguous else None


def _zero_stride(v: np.ndarray) -> np.ndarray | None:
    """The first element of the last axis repeated along it, by a stride of 0."""
    return np.broadcast_to(v[..., :1], v.shape) if v.ndim and v.shape[-1] > 1 else None


LAYOUTS: dict[str, Callable[[np.ndarray], np.ndarray | None]] = {
    "strided": _strided,
    "reversed": _reversed,
    "Fortran-ordered": _fortran,
    "zero-stride": _zero_stride,
}


def _longer(v: np.ndarray) -> np.ndarray:
    """Twice as long on every axis longer than 1 (the others may be declared of length 1)."""
    for axis, length in enumerate(v.shape):
        if length > 1:
            v = np.concatenate([v, v], axis=axis)
    return v


def _compare(row: Row, caller: SegmentCaller, values: list[np.ndarray], label: str) -> None:
    """C on ``values`` against Python on the same values; C must fail where Python fails."""
    expected = _python(row, values)
    if isinstance(expected, Exception):
        with pytest.raises(type(expected)):
            caller.call(values)
        return
    _check(row, caller.call(values), expected, label)


@pytest.mark.parametrize("name", WITH_C)
def test_c_equals_python(units: Units, name: str) -> None:
    row = ROWS[name]
    if row.error is not None:
        pytest.fail(f"{name}: {row.error}")
    assert row.segment is not None
    caller = SegmentCaller(row.segment, units.module(name))
    originals = [v.copy() for v in row.values]
    expected = _python(row, row.values)
    assert not isinstance(expected, Exception), f"{name}: Python raised {expected!r}"
    first = caller.call(row.values)
    _check(row, first, expected, "")
    _check(row, caller.call(row.values), expected, " (second call, buffers reused)")
    _check(row, first, expected, " (first call's outputs, after the second call)")
    for layout, view in LAYOUTS.items():
        views = [view(v) for v in row.values]
        if all(changed is None for changed in views):
            continue
        values = [
            v if changed is None else changed for v, changed in zip(row.values, views, strict=True)
        ]
        _compare(row, caller, values, f" ({layout} inputs)")
    longer = [_longer(v) for v in row.values]
    if not row.case.static_shapes and any(
        a.shape != v.shape for a, v in zip(longer, row.values, strict=True)
    ):
        _compare(row, caller, longer, " (longer inputs)")
        if len(row.values) > 1 and longer[0].shape != row.values[0].shape:
            # Only the first input longer: lengths that may not broadcast, usually.
            _compare(row, caller, [longer[0], *row.values[1:]], " (only the first longer)")
        _check(row, caller.call(row.values), expected, " (back to the first lengths)")
    for value, original in zip(row.values, originals, strict=True):
        assert np.array_equal(value, original, equal_nan=value.dtype.kind in "fc"), (
            f"{name}: C wrote into an input"
        )
