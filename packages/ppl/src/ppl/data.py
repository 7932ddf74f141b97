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
        for dim, length in zip(names, array.shape, strict=False):
            if owner.dim_length(dim) is None:
                owner.add_coord(dim, (coords or {}).get(dim), length=length)
    return owner.add_data(name, variable, dims=dims)


def ConstantData(name: str, value: Any, **kwargs: Any) -> SharedVariable:
    return Data(name, value, **kwargs)


def MutableData(name: str, value: Any, **kwargs: Any) -> SharedVariable:
    return Data(name, value, **kwargs)


def set_data(new_data: Mapping[str, Any], model: Any = None, coords: Any = None) -> None:
    """Replace the values of data containers (their dtype and number of dims stay)."""
    owner = model_context(model, error="pm.set_data")
    for name, value in new_data.items():
        if name not in owner.named_vars or owner.named_vars[name] not in owner.data_vars:
            known = [str(v.name) for v in owner.data_vars]
            raise KeyError(f"pm.set_data: the model has no data container {name!r}; it has {known}")
        variable = owner.named_vars[name]
        array = np.asarray(value)
        old = variable.get_value(borrow=True)
        if array.ndim != old.ndim:
            raise ValueError(
                f"pm.set_data: {name!r} has {old.ndim} dimensions, the new value has {array.ndim}"
            )
        variable.set_value(array.astype(old.dtype))
        for dim, values in (coords or {}).items():
            owner.coords[dim] = tuple(np.asarray(values).tolist())
