"""Index keys: a NumPy key (ints, slices, None, Ellipsis, integer arrays, boolean masks)
turned into a hashable spec plus symbolic inputs, and back into a NumPy key at run time.

A spec has one entry per position of the key, Ellipsis expanded:
``INT`` (a scalar input), ``NEWAXIS`` (no input), ``ARRAY`` (an integer or boolean
tensor input), or ``("slice", has_start, has_stop, has_step)`` (an input per part given).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from graphcore import Constant, Variable
from tensorops import shape_entries as entries
from tensorops.opsupport import as_tensor_input, tensor_type
from tensorops.type import INTEGER_DTYPES, TensorType

if TYPE_CHECKING:
    from tensorops.variable import TensorVariable

INT = "int"
NEWAXIS = "newaxis"
ARRAY = "array"
SliceEntry = tuple[str, bool, bool, bool]
IndexEntry = str | SliceEntry
Spec = tuple[IndexEntry, ...]
FULL_SLICE: SliceEntry = ("slice", False, False, False)


def is_slice(entry: IndexEntry) -> bool:
    return isinstance(entry, tuple)


def parse_key(x: Variable, key: Any) -> tuple[Spec, list[Variable]]:
    """The spec and index inputs of ``x[key]``; raises IndexError for keys NumPy refuses."""
    items = key if isinstance(key, tuple) else (key,)
    spec: list[IndexEntry] = []
    inputs: list[Variable] = []
    ellipsis_at = None
    consumed = 0
    for item in items:
        if item is Ellipsis:
            if ellipsis_at is not None:
                raise IndexError("an index can only have a single ellipsis ('...')")
            ellipsis_at = len(spec)
        elif item is None:
            spec.append(NEWAXIS)
        elif isinstance(item, slice):
            parts = [_slice_part(part) for part in (item.start, item.stop, item.step)]
            if entries.constant_int(parts[2]) == 0:
                raise ValueError("slice step cannot be zero")
            spec.append(("slice", *(part is not None for part in parts)))  # type: ignore[arg-type]
            inputs.extend(part for part in parts if part is not None)
            consumed += 1
        else:
            entry, index = _array_or_int(item)
            spec.append(entry)
            inputs.append(index)
            consumed += index.type.ndim if _is_mask(index) else 1  # type: ignore[attr-defined]
    ndim = x.type.ndim  # type: ignore[attr-defined]
    if consumed > ndim:
        raise IndexError(
            f"too many indices for {x.type}: {ndim} axes, but the key indexes {consumed}"
        )
    if ellipsis_at is not None:
        spec[ellipsis_at:ellipsis_at] = [FULL_SLICE] * (ndim - consumed)
    while spec and spec[-1] == FULL_SLICE:
        spec.pop()
    return tuple(spec), inputs


def _slice_part(part: Any) -> TensorVariable | None:
    if part is None:
        return None
    if isinstance(part, Variable) and part.type.ndim == 0 and part.type.dtype == "bool":  # type: ignore[attr-defined]
        raise TypeError(f"slice indices must be integers or None, got the boolean {part}")
    try:
        return entries.as_int64_scalar(part, "a slice bound")
    except TypeError:
        raise TypeError(f"slice indices must be integers or None, got {part!r}") from None


def _is_mask(index: Variable) -> bool:
    return tensor_type(index).dtype == "bool"


def _array_or_int(item: Any) -> tuple[IndexEntry, Variable]:
    """An integer (INT) or an array index (ARRAY) as a symbolic input."""
    if isinstance(item, (bool, np.bool_)):
        return ARRAY, as_tensor_input(np.asarray(item), "indexing")
    if entries.is_int(item):
        return INT, entries.int64_constant(int(item))
    index: Variable
    if isinstance(item, Variable):
        index = as_tensor_input(item, "indexing")
    else:
        array = np.asarray(item) if not _holds_variable(item) else None
        if array is None:
            index = as_tensor_input(item, "indexing")  # a list of symbolic scalars: stacked
        else:
            if array.size == 0 and array.dtype.kind == "f":
                array = array.astype("int64")  # [] is an empty integer index, as in NumPy
            if array.dtype.kind in "iu":
                array = array.astype("int64")
            index = TensorType(array.dtype, array.shape).make_constant(array)
    dtype = tensor_type(index).dtype
    if dtype != "bool" and dtype not in INTEGER_DTYPES:
        raise IndexError(
            "only integers, slices (`:`), ellipsis (`...`), None and integer or boolean "
            f"arrays are valid indices; got {index} of dtype {dtype}"
        )
    if tensor_type(index).ndim == 0 and dtype != "bool":
        return INT, entries.as_int64_scalar(index, "an index")
    return ARRAY, index


def _holds_variable(item: Any) -> bool:
    if isinstance(item, Variable):
        return True
    return isinstance(item, (list, tuple)) and any(_holds_variable(part) for part in item)


def numpy_key(spec: Spec, values: Sequence[Any]) -> tuple[Any, ...]:
    """The NumPy key that ``spec`` and the run-time index values stand for."""
    remaining = iter(values)
    key: list[Any] = []
    for entry in spec:
        if entry == INT:
            key.append(int(next(remaining)))
        elif entry == NEWAXIS:
            key.append(None)
        elif entry == ARRAY:
            key.append(next(remaining))
        else:
            key.append(slice(*(int(next(remaining)) if given else None for given in entry[1:])))
    return tuple(key)


def result_shape(
    spec: Spec,
    x_shape: Sequence[Any],
    index_inputs: Sequence[Variable],
    slice_length: Callable[[Any, list[Variable | None]], Any],
    array_shape: Callable[[int, Variable], Sequence[Any]],
    broadcast: Callable[..., Sequence[Any]],
) -> list[Any]:
    """The shape of ``x[key]`` by NumPy's rules, with the size arithmetic passed in
    (static sizes at build time, symbolic ones for ``infer_shape``).

    With arrays in the key, ints count as advanced indices too; the broadcast shape
    of the advanced indices replaces them where they stand when they are adjacent,
    and goes first otherwise.
    """
    remaining = iter(enumerate(index_inputs))
    has_array = ARRAY in spec
    out: list[Any] = []
    advanced: list[Sequence[Any]] = []
    insert_at, last_position, adjacent = 0, -2, True
    axis = 0
    for position, entry in enumerate(spec):
        if entry == NEWAXIS:
            out.append(1)
        elif is_slice(entry):
            parts = [next(remaining)[1] if given else None for given in entry[1:]]
            out.append(slice_length(x_shape[axis], parts))
            axis += 1
        elif entry == INT and not has_array:
            next(remaining)
            axis += 1
        else:
            number, index = next(remaining)
            if entry == INT:
                advanced.append(())
                axis += 1
            else:
                advanced.append(array_shape(number, index))
                axis += index.type.ndim if _is_mask(index) else 1  # type: ignore[attr-defined]
            if len(advanced) == 1:
                insert_at = len(out)
            elif position != last_position + 1:
                adjacent = False
            last_position = position
    out.extend(x_shape[axis:])
    if advanced:
        where = insert_at if adjacent else 0
        out[where:where] = broadcast(*advanced)
    return out


def static_slice_length(size: int | None, parts: list[Variable | None]) -> int | None:
    """The length of ``range(size)[slice]`` when the size and every given bound are known."""
    known = [None if part is None else entries.constant_int(part) for part in parts]
    if size is None or any(k is None and p is not None for k, p in zip(known, parts, strict=True)):
        return None
    return len(range(*slice(*known).indices(size)))


def static_mask_count(index: Variable) -> int | None:
    """The number of True entries of a boolean mask known at build time."""
    return int(np.count_nonzero(index.data)) if isinstance(index, Constant) else None


def static_result_shape(
    spec: Spec, x: Variable, index_inputs: Sequence[Variable]
) -> list[int | None]:
    """The static shape of ``x[key]`` (None where only known at run time)."""

    def array_shape(number: int, index: Variable) -> Sequence[int | None]:
        if _is_mask(index):
            return (static_mask_count(index),)
        return tensor_type(index).shape

    return result_shape(
        spec,
        tensor_type(x).shape,
        index_inputs,
        static_slice_length,
        array_shape,
        entries.static_broadcast,
    )


def inputs_read(entry: IndexEntry) -> int:
    """How many symbolic inputs one entry of a spec reads."""
    if isinstance(entry, tuple):
        return sum(entry[1:])
    return int(entry != NEWAXIS)


def count_index_inputs(spec: Spec) -> int:
    """How many symbolic inputs the entries of ``spec`` read."""
    return sum(inputs_read(entry) for entry in spec)


def check_index_inputs(op_name: str, spec: Spec, index_inputs: Sequence[Variable]) -> None:
    """Refuse index inputs that do not fit the spec (wrong count, kind or dtype)."""
    if len(index_inputs) != count_index_inputs(spec):
        raise ValueError(
            f"{op_name}: the spec {spec} reads {count_index_inputs(spec)} index inputs, "
            f"got {len(index_inputs)}"
        )
    remaining = iter(index_inputs)
    for entry in spec:
        if entry == NEWAXIS:
            continue
        for part in [next(remaining) for _ in range(inputs_read(entry))]:
            kind = tensor_type(part)
            if entry == ARRAY:
                valid = kind.dtype == "bool" or kind.dtype in INTEGER_DTYPES
            else:
                valid = kind.ndim == 0 and kind.dtype in INTEGER_DTYPES
            if not valid:
                raise TypeError(
                    f"{op_name}: index input {part} of type {kind} does not fit {entry}"
                )


def describe_spec(spec: Spec) -> str:
    """The key as text with placeholders for the inputs: ``i, start:, ::step, None, array``."""
    parts = []
    for entry in spec:
        if entry == INT:
            parts.append("i")
        elif entry == NEWAXIS:
            parts.append("None")
        elif entry == ARRAY:
            parts.append("array")
        else:
            start, stop, step = ("start" if entry[1] else "", "stop" if entry[2] else "", entry[3])
            parts.append(f"{start}:{stop}" + (":step" if step else ""))
    return ", ".join(parts)
