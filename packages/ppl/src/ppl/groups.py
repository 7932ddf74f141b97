"""``InferenceGroups``: what the predictive functions return.

Groups of named arrays read as ArviZ's InferenceData is read:
``result.prior["mu"]`` and ``result.posterior_predictive["y"]`` are (chains, draws, *shape)
(the prior has one chain); ``result.observed_data["y"]`` is the data itself.
``result["y"]`` gives the draws with the chains laid end to end, as PyMC 3's dict did,
and ``to_inference_data()`` makes an ArviZ object when ArviZ is installed.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from samplers.trace import NamedArrays

DRAW_GROUPS = ("posterior_predictive", "prior_predictive", "prior")
"""Groups of draws, in the order ``result[name]`` looks a name up."""


class InferenceGroups:
    """Named groups (``prior``, ``prior_predictive``, ``posterior_predictive``,
    ``observed_data``, ``constant_data``) of name -> array mappings."""

    def __init__(
        self,
        groups: Mapping[str, Mapping[str, Any]],
        coords: Mapping[str, Any] | None = None,
        dims: Mapping[str, Any] | None = None,
        attrs: Mapping[str, Any] | None = None,
    ):
        self._groups = {
            group: {name: np.asarray(array) for name, array in members.items()}
            for group, members in groups.items()
        }
        self.coords = {dim: values for dim, values in (coords or {}).items() if values is not None}
        self.dims = dict(dims or {})
        self.attrs: dict[str, Any] = dict(attrs or {})

    def groups(self) -> list[str]:
        """The names of the groups, as ``InferenceData.groups()``."""
        return list(self._groups)

    def __getattr__(self, group: str) -> NamedArrays:
        groups = self.__dict__.get("_groups", {})
        if group in groups:
            return NamedArrays(groups[group], "variable")
        raise AttributeError(f"no group {group!r}; the result has groups {list(groups)}")

    def __getitem__(self, name: str) -> NDArray:
        """The draws of ``name`` with the chains concatenated: (chains * draws, *shape)."""
        for group in DRAW_GROUPS:
            array = self._groups.get(group, {}).get(name)
            if array is not None:
                return array.reshape(array.shape[0] * array.shape[1], *array.shape[2:])
        drawn = [name for group in DRAW_GROUPS for name in self._groups.get(group, {})]
        raise KeyError(f"no draws of {name!r}; the result has draws of {drawn}")

    def __contains__(self, name: object) -> bool:
        return any(name in self._groups.get(group, {}) for group in DRAW_GROUPS)

    def keys(self) -> list[str]:
        """The names of the drawn variables (every group of draws)."""
        return [name for group in DRAW_GROUPS for name in self._groups.get(group, {})]

    def to_dict(self) -> dict[str, dict[str, NDArray]]:
        """The groups as plain dicts (the arrays are shared, not copied)."""
        return {group: dict(members) for group, members in self._groups.items()}

    def to_inference_data(self) -> Any:
        """The groups as ArviZ InferenceData, with the model's coords and dims."""
        try:
            import arviz
        except ImportError as error:
            raise ImportError(
                "to_inference_data needs ArviZ, which is not installed: pip install arviz"
            ) from error
        from_dict: Any = arviz.from_dict
        names = {name for members in self._groups.values() for name in members}
        dims = {name: list(d) for name, d in self.dims.items() if name in names}
        coords = {dim: list(values) for dim, values in self.coords.items()}
        if "posterior" in inspect.signature(from_dict).parameters:
            return from_dict(**self.to_dict(), coords=coords, dims=dims, attrs=self.attrs)
        return from_dict(self.to_dict(), coords=coords, dims=dims, attrs=self.attrs)

    def __repr__(self) -> str:
        lines = [type(self).__name__]
        for group, members in self._groups.items():
            shapes = ", ".join(f"{name} {array.shape}" for name, array in members.items())
            lines.append(f"  {group}: {shapes or '(empty)'}")
        return "\n".join(lines)
