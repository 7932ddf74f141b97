"""``pm.Data`` and ``pm.set_data``: predictors that change without recompiling.

``pm.Data(name, value)`` is a shared variable registered in the model; observed
variables whose data is one take their shape from it symbolically, so
``pm.set_data({"x": new})`` may change the number of rows too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from graphcore import SharedVariable, shared
from ppl.context import model_context


def Data(
    name: str, value: Any, dims: Any = None, coords: Any = None, model: Any = None, **kwargs: Any
) -> SharedVariable:
    """A data container of the model of the ``with`` block."""
    owner = model_context(model, error=f"pm.Data({name!r}, ...)")
    array = np.asarray(value)
    if array.dtype.kind == "O":
        raise TypeError(f"pm.Data {name!r}: the value must be numeric, got {type(value).__name__}")
    if array.dtype.kind == "i":
        array = array.astype("int64")
    variable = shared(array, name=name)  # the static shape stays open: set_data may resize
    if dims is not None:
        names = (dims,) if isinstance(dims, str) else tuple(dims)
        if len(names) != array.ndim:
            raise ValueError(
                f"pm.Data {name!r}: dims {names} name {len(names)} axes, the value has {array.ndim}"
            )
        for dim, length in zip(names, array.shape, strict=True):
            known = owner.dim_length(dim)
            values = (coords or {}).get(dim)
            if known is None and values is not None and len(values) != length:
                raise ValueError(
                    f"pm.Data {name!r}: coords gives {len(values)} values for dim {dim!r}, "
                    f"but the value's axis has length {length}"
                )
            if known is None:
                owner.add_coord(dim, values, length=length)
            elif known != length:
                raise ValueError(
                    f"pm.Data {name!r}: dim {dim!r} has {known} coordinates, but the value's "
                    f"axis has length {length}"
                )
    return owner.add_data(name, variable, dims=dims)


def ConstantData(name: str, value: Any, **kwargs: Any) -> SharedVariable:
    return Data(name, value, **kwargs)


def MutableData(name: str, value: Any, **kwargs: Any) -> SharedVariable:
    return Data(name, value, **kwargs)


def set_data(new_data: Mapping[str, Any], model: Any = None, coords: Any = None) -> None:
    """Replace the values of data containers (their dtype and number of dims stay).

    A container's dims follow a new length: a dim whose coordinates are the default
    ``0..n-1`` is renumbered, one with other coordinate values needs new ones in
    ``coords=``.
    """
    owner = model_context(model, error="pm.set_data")
    root = owner.root
    new_coords = {dim: tuple(np.asarray(values).tolist()) for dim, values in (coords or {}).items()}
    for name, value in new_data.items():
        variable = owner.named_vars.get(owner.full_name(name), root.named_vars.get(name))
        if variable is None or variable not in root.data_vars:
            known = [str(v.name) for v in root.data_vars]
            raise KeyError(f"pm.set_data: the model has no data container {name!r}; it has {known}")
        array = np.asarray(value)
        old = variable.get_value(borrow=True)
        if array.ndim != old.ndim:
            raise ValueError(
                f"pm.set_data: {name!r} has {old.ndim} dimensions, the new value has {array.ndim}"
            )
        dims = root.named_vars_to_dims.get(str(variable.name), ())
        for dim, length in zip(dims, array.shape, strict=False):
            if dim is None or dim in new_coords or root.dim_length(dim) in (None, length):
                continue
            if root.coords[dim] != tuple(range(len(root.coords[dim]))):
                raise ValueError(
                    f"pm.set_data: {name!r} now has {length} entries along {dim!r}, whose "
                    f"coordinates have {root.dim_length(dim)} values; pass coords={{{dim!r}: ...}}"
                )
            new_coords[dim] = tuple(range(length))
        variable.set_value(array.astype(old.dtype))
    root.coords.update(new_coords)
