"""``Model``: the container a ``with pm.Model():`` block fills.

A nested model (``pm.Model(name="group")`` inside another) prefixes the names it
registers (``group::mu``; ``outer::group::mu`` when the outer model is named too) and
keeps its own containers, whose additions reach every model above it, as in PyMC.
The log density and its compiled forms are in ``model.density`` and
``model.functions``; this module only keeps the record of what was declared.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

import tensorops as pt
from graphcore import SharedVariable, Variable
from ppl import context
from ppl.distributions.base import distribution_of
from ppl.model.density import model_d2logp, model_dlogp, model_logp, replace_rvs_by_values
from ppl.model.describe import model_text
from ppl.model.flat import FlatDensity
from ppl.model.functions import PointFunction, debug_text, point_logps
from ppl.model.initial import initial_point
from ppl.model.nested import NestedDict, NestedList
from ppl.model.observed import register_observed, resolve_shape
from ppl.model.plate import model_graph
from ppl.model.variables import mark_registered
from ppl.transforms import Transform
from tensorops.opsupport import tensor_type
from tensorops.variable import TensorVariable

NAME_SEPARATOR = "::"


class ModelError(ValueError):
    """A model was declared inconsistently (a duplicate name, a shape that contradicts)."""


class Model:
    """Random variables, their value variables and transforms, deterministics,
    potentials, data and coordinates: everything a log density is built from."""

    def __init__(self, name: str = "", coords: Mapping[str, Any] | None = None, model: Any = None):
        if NAME_SEPARATOR in name:
            raise KeyError(
                f"Model name {name!r} contains {NAME_SEPARATOR!r}, which separates the names "
                "of nested models"
            )
        parent = model if model is not None else context.current_model()
        self.parent: Model | None = parent
        self.name = name
        self.root: Model = self if parent is None else parent.root
        outer = parent.prefix if parent is not None else ""
        self.prefix = f"{outer}{name}{NAME_SEPARATOR}" if name else outer

        def above(attribute: str) -> Any:
            return getattr(parent, attribute) if parent is not None else None

        # Each container passes what it is given up to the parent's (model.nested).
        self.named_vars: NestedDict[str, Variable] = NestedDict(above("named_vars"))
        self.free_RVs: NestedList[TensorVariable] = NestedList(above("free_RVs"))
        self.observed_RVs: NestedList[TensorVariable] = NestedList(above("observed_RVs"))
        self.deterministics: NestedList[TensorVariable] = NestedList(above("deterministics"))
        self.potentials: NestedList[TensorVariable] = NestedList(above("potentials"))
        self.data_vars: NestedList[SharedVariable] = NestedList(above("data_vars"))
        self.rvs_to_values: NestedDict[Variable, Variable] = NestedDict(above("rvs_to_values"))
        self.rvs_to_transforms: NestedDict[Variable, Transform | None] = NestedDict(
            above("rvs_to_transforms")
        )
        self.rvs_to_initial_values: NestedDict[Variable, Any] = NestedDict(
            above("rvs_to_initial_values")
        )
        self.named_vars_to_dims: NestedDict[str, tuple[str | None, ...]] = NestedDict(
            above("named_vars_to_dims")
        )
        self.imputed: NestedDict[str, Any] = NestedDict(above("imputed"))
        # Coordinates are the whole model's: a submodel reads and adds the root's.
        self.coords: dict[str, tuple[Any, ...] | None] = (
            {} if parent is None else parent.root.coords
        )
        for dim, values in (coords or {}).items():
            self.add_coord(dim, values)

    # -- the context --------------------------------------------------------------

    def __enter__(self) -> Model:
        context.push(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        context.pop(self)

    @staticmethod
    def get_context(model: Any = None, error: str | None = None) -> Model:
        """``model`` if given, else the innermost ``with`` block's model."""
        found = context.model_context(model, error)
        if not isinstance(found, Model):
            raise TypeError(f"model must be a ppl.Model, got {type(found).__name__}")
        return found

    # -- names and coordinates ----------------------------------------------------

    def full_name(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def _claim_full(self, full: str, var: Variable) -> str:
        if full in self.root.named_vars:
            raise ModelError(
                f"the model already has a variable named {full!r}; every random variable, "
                "deterministic, potential and data container needs its own name"
            )
        self.named_vars[full] = var
        return full

    def _name_var(self, full: str, var: Variable, dims: Any) -> str:
        """Give ``var`` the model-wide name ``full``, with its ``dims`` checked and kept."""
        checked = self._checked_dims(full, dims, var)
        self._claim_full(full, var)
        var.name = full
        if checked is not None:
            self.named_vars_to_dims[full] = checked
        return full

    def add_coord(self, dim: str, values: Any = None, length: int | None = None) -> None:
        """Declare the coordinate ``dim`` (its values, or only its length)."""
        if values is None and length is not None:
            values = range(length)
        entry = tuple(np.asarray(values).tolist()) if values is not None else None
        known = self.coords.get(dim)
        if known is not None and entry is not None and known != entry:
            raise ModelError(f"coordinate {dim!r} is already declared with other values")
        self.coords[dim] = entry

    def _checked_dims(self, full: str, dims: Any, var: Variable) -> tuple[str | None, ...] | None:
        """``dims`` as a tuple, one per axis of ``var``; a dim without coordinates takes
        the axis' length, one with coordinates must have it."""
        if dims is None:
            return None
        names = (dims,) if isinstance(dims, str) else tuple(dims)
        shape = tuple(tensor_type(var).shape)
        if len(names) != len(shape):
            raise ModelError(
                f"{full}: dims {names} name {len(names)} axes, but the variable has {len(shape)}"
            )
        for dim, length in zip(names, shape, strict=True):
            if dim is None or length is None:
                continue
            known = self.dim_length(dim)
            if known is None:
                self.add_coord(dim, length=length)
            elif known != length:
                raise ModelError(
                    f"{full}: dim {dim!r} has {known} coordinates, but the variable's axis "
                    f"has length {length}"
                )
        return names

    def dim_length(self, dim: str) -> int | None:
        values = self.coords.get(dim)
        return None if values is None else len(values)

    # -- introspection ------------------------------------------------------------

    @property
    def basic_RVs(self) -> list[TensorVariable]:
        """Free then observed random variables, each in order of declaration."""
        return [*self.free_RVs, *self.observed_RVs]

    @property
    def value_vars(self) -> list[Variable]:
        """The value variables of the free random variables (on the transformed space)."""
        return [self.rvs_to_values[rv] for rv in self.free_RVs]

    @property
    def continuous_value_vars(self) -> list[Variable]:
        return [v for v in self.value_vars if str(tensor_type(v).dtype).startswith("float")]

    @property
    def discrete_value_vars(self) -> list[Variable]:
        return [v for v in self.value_vars if not str(tensor_type(v).dtype).startswith("float")]

    @property
    def unobserved_RVs(self) -> list[Variable]:
        return [*self.free_RVs, *self.deterministics]

    def __getitem__(self, name: str) -> Variable:
        for candidate in (name, self.full_name(name)):
            if candidate in self.named_vars:
                return self.named_vars[candidate]
        for rv, value in self.rvs_to_values.items():
            if value.name in (name, self.full_name(name)) and rv in self.free_RVs:
                return value
        raise KeyError(
            f"the model has no variable named {name!r}; it has {sorted(self.named_vars)}"
        )

    def __contains__(self, name: str) -> bool:
        try:
            self[name]
        except KeyError:
            return False
        return True

    def value_var_of(self, name: str) -> Variable:
        return self.rvs_to_values[self[name]]

    def __repr__(self) -> str:
        return model_text(self)

    # -- registration -------------------------------------------------------------

    def resolve_shape(
        self, cls: Any, name: str, shape: Any, size: Any, dims: Any, observed: Any
    ) -> tuple[Any, Any, Any]:
        return resolve_shape(self, cls, name, shape, size, dims, observed)

    def register_rv(
        self,
        rv: TensorVariable,
        name: str,
        observed: Any = None,
        dims: Any = None,
        transform: Any = "default",
        initval: Any = None,
    ) -> TensorVariable:
        """Add ``rv`` under ``name``: free (with a value variable) or observed."""
        from ppl.model.values import make_value_variable

        full = self._name_var(self.full_name(name), rv, dims)
        mark_registered(rv)
        if observed is None:
            value = make_value_variable(self, rv, full, transform)
            self.free_RVs.append(rv)
            self.rvs_to_values[rv] = value
            if initval is not None:
                self.rvs_to_initial_values[rv] = initval
            return rv
        return register_observed(self, rv, full, observed)

    def add_deterministic(self, name: str, expression: Any, dims: Any = None) -> TensorVariable:
        return self.add_deterministic_full(self.full_name(name), expression, dims)

    def add_deterministic_full(
        self, full: str, expression: Any, dims: Any = None
    ) -> TensorVariable:
        var = pt.as_tensor(expression)
        if var.owner is None or var.name is not None:
            var = pt.tensor_copy(var)
        self._name_var(full, var, dims)
        self.deterministics.append(var)
        return var

    def add_potential(self, name: str, expression: Any, dims: Any = None) -> TensorVariable:
        var = pt.as_tensor(expression)
        if str(var.dtype).startswith(("int", "uint", "bool")):
            var = pt.cast(var, "float64")
        if var.owner is None:
            var = pt.tensor_copy(var)
        self._name_var(self.full_name(name), var, dims)
        self.potentials.append(var)
        return var

    def add_data(self, name: str, var: SharedVariable, dims: Any = None) -> SharedVariable:
        self._name_var(self.full_name(name), var, dims)
        self.data_vars.append(var)
        return var

    def distribution_of(self, rv: Variable) -> Any:
        return distribution_of(rv.owner.op) if rv.owner is not None else None

    # -- the log density and its compiled forms (model.density, model.functions) ---

    def logp(
        self, vars: Sequence[Any] | None = None, jacobian: bool = True, sum: bool = True
    ) -> Any:
        """The joint log density at the value variables (with the transforms' Jacobians)."""
        return model_logp(self, vars, jacobian=jacobian, sum=sum)

    def dlogp(self, vars: Sequence[Any] | None = None, jacobian: bool = True) -> Any:
        """The gradient of ``logp()`` with respect to the (continuous) value variables."""
        return model_dlogp(self, vars, jacobian=jacobian)

    def d2logp(
        self, vars: Sequence[Any] | None = None, jacobian: bool = True, negate_output: bool = True
    ) -> Any:
        """Minus the Hessian of ``logp()`` (the Hessian itself with ``negate_output=False``)."""
        return model_d2logp(self, vars, jacobian=jacobian, negate_output=negate_output)

    def replace_rvs_by_values(self, expressions: Sequence[Any]) -> list[Variable]:
        """``expressions`` with every random variable replaced by its value (constrained)."""
        return replace_rvs_by_values(self, expressions)

    def compile_logp(
        self, vars: Any = None, jacobian: bool = True, sum: bool = True, **kw: Any
    ) -> Any:
        return PointFunction(self, self.logp(vars, jacobian=jacobian, sum=sum), **kw)

    def compile_dlogp(self, vars: Any = None, jacobian: bool = True, **kw: Any) -> Any:
        return PointFunction(self, self.dlogp(vars, jacobian=jacobian), **kw)

    def compile_d2logp(
        self, vars: Any = None, jacobian: bool = True, negate_output: bool = True, **kw: Any
    ) -> Any:
        hessian = self.d2logp(vars, jacobian=jacobian, negate_output=negate_output)
        return PointFunction(self, hessian, **kw)

    def compile_fn(self, outputs: Any, inputs: Any = None, **kw: Any) -> Any:
        """A function of a point dict computing ``outputs`` (random variables replaced
        by their values)."""
        return PointFunction(self, outputs, inputs=inputs, **kw)

    def logp_dlogp_function(self, vars: Any = None, jacobian: bool = True, **kw: Any) -> Any:
        """The log density and gradient of the flat vector of ``vars`` (default: the
        continuous value variables): the object samplers consume."""
        return FlatDensity(self, vars, jacobian=jacobian, **kw)

    def initial_point(self) -> dict[str, np.ndarray]:
        """The start point of samplers: value variable names to arrays (support points
        and ``initval``s, no random jitter, so there is no seed to take)."""
        return initial_point(self)

    def point_logps(
        self, point: Mapping[str, Any] | None = None, round_vals: int = 2
    ) -> dict[str, float]:
        """Each variable's log density summed, at ``point`` (default: the initial point)."""
        return point_logps(self, point, round_vals)

    def to_graphviz(self, **kwargs: Any) -> Any:
        """The plate diagram of the model (a ``ModelGraph`` with ``.source`` and ``render``)."""
        return model_graph(self, **kwargs)

    def debug(self, point: Any = None) -> str:
        return debug_text(self, point)
