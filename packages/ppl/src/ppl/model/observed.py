"""Shapes from ``shape``/``size``/``dims``/``observed``, and observed data.

Observed values may be arrays, lists, ``pm.Data`` containers or expressions. An
observed variable without ``shape``/``size``/``dims`` takes its batch shape from the
data (symbolically for ``pm.Data``, so that ``set_data`` can change it). Entries that
are NaN (or masked) are imputed as PyMC does: they become the free variable
``{name}_unobserved``, with a warning, and the observed variable keeps the rest.
"""

from __future__ import annotations

import typing
import warnings
from typing import Any

import numpy as np

import tensorops as pt
from graphcore import SharedVariable, Variable
from ppl.distributions.logprob import is_random
from ppl.model.values import make_value_variable
from ppl.model.variables import mark_registered
from tensorops.opsupport import tensor_type
from tensorops.variable import TensorVariable


class ImputationWarning(UserWarning):
    """Observed data with missing entries: they are sampled as a free variable."""


def _dims_tuple(dims: Any) -> tuple[str | None, ...]:
    return (dims,) if isinstance(dims, str) else tuple(dims)


def _as_observed(name: str, observed: Any) -> Any:
    """Arrays and lists as arrays (masked arrays kept); data containers and
    expressions of them as they are; an expression of random variables is refused."""
    if isinstance(observed, Variable):
        if is_random(observed):
            raise TypeError(
                f"observed data of {name!r} must be data (an array, a list, pm.Data or an "
                f"expression of them), got {observed}, which is computed from random variables"
            )
        return observed
    if isinstance(observed, np.ma.MaskedArray):
        return observed
    try:
        return np.asarray(observed)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"observed data of {name!r} must be an array, a list or pm.Data, "
            f"got {type(observed).__name__}"
        ) from error


def _data_shape(observed: Any) -> tuple[Any, ...]:
    if isinstance(observed, Variable):
        static = tensor_type(observed).shape
        if all(s is not None for s in static) and not isinstance(observed, SharedVariable):
            return tuple(static)
        tensor: Any = observed
        return tuple(tensor.shape[i] for i in range(len(static)))
    return tuple(np.shape(observed))


def resolve_shape(
    model: Any, cls: Any, name: str, shape: Any, size: Any, dims: Any, observed: Any
) -> tuple[Any, Any, Any]:
    """``(shape, size, observed)`` with the shape that ``dims``/``observed`` imply."""
    support = cls.rv_op.ndim_supp
    if observed is not None:
        observed = _as_observed(model.full_name(name), observed)
    if dims is not None and shape is None and size is None:
        names = _dims_tuple(dims)
        lengths: list[Any] = []
        data_shape = _data_shape(observed) if observed is not None else None
        for axis, dim in enumerate(names):
            length = model.dim_length(dim) if dim is not None else None
            if length is None and data_shape is not None and axis < len(data_shape):
                entry = data_shape[axis]
                if isinstance(entry, (int, np.integer)):
                    model.add_coord(dim, length=int(entry))
                    length = int(entry)
                else:
                    length = entry
            if length is None:
                raise ValueError(
                    f"{model.full_name(name)}: dims {names} names {dim!r}, which has no coordinate "
                    "values; declare it in Model(coords=...) or give shape="
                )
            lengths.append(length)
        shape = tuple(lengths)
    if observed is not None and shape is None and size is None:
        data_shape = _data_shape(observed)
        size = data_shape[: len(data_shape) - support] if support else data_shape
        if any(isinstance(s, Variable) for s in size):
            size = pt.stack([pt.as_tensor(s) for s in size]) if size else None
        elif len(size) == 0:
            size = None
    elif observed is not None and shape is not None:
        wanted = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
        _check_observed_shape(model.full_name(name), observed, wanted, "shape/dims")
    elif observed is not None and not isinstance(size, Variable):
        batch = (size,) if isinstance(size, (int, np.integer)) else tuple(size)
        have = _data_shape(observed)
        wanted = batch + tuple(have[len(have) - support :] if support else ())
        _check_observed_shape(model.full_name(name), observed, wanted, "size")
    return shape, size, observed


def _check_observed_shape(name: str, observed: Any, wanted: tuple[Any, ...], given: str) -> None:
    """Refuse observed data whose (static) shape contradicts the declared one; scalar
    data broadcasts to any shape."""
    have = _data_shape(observed)
    if np.ndim(observed) == 0 and not isinstance(observed, Variable):
        return
    if any(isinstance(h, Variable) for h in have):
        return
    same_rank = len(wanted) == len(have)
    if same_rank and all(
        not isinstance(w, (int, np.integer)) or w == h for w, h in zip(wanted, have, strict=True)
    ):
        return
    raise ValueError(
        f"{name}: the observed data has shape {tuple(have)}, but {given} gives "
        f"{tuple(int(w) if isinstance(w, np.integer) else w for w in wanted)}"
    )


def _check_integral(rv: TensorVariable, name: str, data: np.ndarray) -> None:
    """A discrete variable's observed data must be integers (integral floats pass)."""
    if not str(rv.dtype).startswith(("int", "uint")) or data.dtype.kind != "f":
        return
    integral = np.isfinite(data) & (data == np.round(data))
    if not np.all(integral):
        bad = data[~integral].ravel()[:3]
        raise TypeError(
            f"{name}: a discrete variable needs integer observed data, got non-integer "
            f"values such as {bad.tolist()}"
        )


def _observed_tensor(rv: TensorVariable, name: str, observed: Any) -> TensorVariable:
    dtype = str(rv.dtype)
    if isinstance(observed, Variable):
        if isinstance(observed, SharedVariable):
            _check_integral(rv, name, np.asarray(observed.get_value(borrow=True)))
        tensor = pt.as_tensor(observed)
        if str(tensor.dtype) != dtype:
            if dtype.startswith("int") and str(tensor.dtype).startswith("float"):
                tensor = pt.cast(pt.round(tensor), dtype)
            else:
                tensor = pt.cast(tensor, dtype)
        return tensor
    data = np.asarray(observed)
    _check_integral(rv, name, data)
    if data.dtype != np.dtype(dtype):
        data = data.astype(dtype)
    constant: Any = pt.constant(data, name=f"{name}{{observed}}")
    return typing.cast(TensorVariable, constant)


def register_observed(model: Any, rv: TensorVariable, name: str, observed: Any) -> TensorVariable:
    mask = _missing_mask(observed)
    if mask is not None and mask.any():
        return _register_imputed(model, rv, name, observed, mask)
    data = _observed_tensor(rv, name, observed)
    if data.type.ndim < rv.ndim:
        data = pt.broadcast_to(data, rv.shape)
    model.observed_RVs.append(rv)
    model.rvs_to_values[rv] = data
    model.rvs_to_transforms[rv] = None
    return rv


def _missing_mask(observed: Any) -> np.ndarray | None:
    if isinstance(observed, np.ma.MaskedArray):
        return np.ma.getmaskarray(observed)
    if isinstance(observed, np.ndarray) and observed.dtype.kind == "f":
        return np.isnan(observed)
    return None


def _register_imputed(
    model: Any, rv: TensorVariable, name: str, observed: Any, mask: np.ndarray
) -> TensorVariable:
    """Missing entries become the free variable ``{name}_unobserved``."""
    warnings.warn(
        f"{name}: {int(mask.sum())} missing entries in the observed data are sampled as the "
        f"free variable {name}_unobserved",
        ImputationWarning,
        stacklevel=5,  # the line of user code that declared the variable
    )
    op: Any = rv.owner.op if rv.owner is not None else None
    if op is None or op.ndim_supp != 0:
        raise ValueError(
            f"{name}: missing observed entries are imputed for univariate distributions only; "
            "drop the rows with missing entries of a multivariate observation"
        )
    _check_integral(rv, name, np.asarray(np.ma.getdata(observed))[~mask])
    filled = np.where(mask, 0, np.ma.getdata(observed)).astype(str(rv.dtype))
    missing_index = np.flatnonzero(mask.ravel())
    present_index = np.flatnonzero(~mask.ravel())
    node: Any = rv.owner
    rng, _size, *params = node.inputs
    full_params = [pt.broadcast_to(p, rv.shape).flatten() for p in params]
    missing_rv = op(rng, None, *[p[missing_index] for p in full_params])
    present_rv = op(rng, None, *[p[present_index] for p in full_params])
    missing_name = f"{name}_unobserved"
    model._claim_full(missing_name, missing_rv)
    missing_rv.name = missing_name
    mark_registered(missing_rv)
    value = make_value_variable(model, missing_rv, missing_name, "default")
    model.free_RVs.append(missing_rv)
    model.rvs_to_values[missing_rv] = value
    present_name = f"{name}_observed"
    model._claim_full(present_name, present_rv)
    present_rv.name = present_name
    mark_registered(present_rv)
    model.observed_RVs.append(present_rv)
    model.rvs_to_values[present_rv] = pt.constant(filled.ravel()[present_index])
    model.rvs_to_transforms[present_rv] = None
    combined = pt.set_subtensor(pt.constant(filled.ravel())[missing_index], missing_rv).reshape(
        np.shape(filled)
    )
    model.imputed[name] = (missing_rv, present_rv)
    model.named_vars.pop(name, None)
    return model.add_deterministic_full(name, combined)
