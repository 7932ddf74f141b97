"""Draws and sampler statistics of several chains, in preallocated (chains, draws, ...) arrays."""

from __future__ import annotations

import contextlib
import inspect
import json
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from samplers.blocks import Block

FORMAT_VERSION = "samplers.Trace/1"
GROUPS = ("posterior", "stats", "warmup_posterior", "warmup_stats")


class NamedArrays(Mapping[str, NDArray]):
    """A read-only name -> array mapping whose KeyError lists the names it has."""

    def __init__(self, arrays: Mapping[str, NDArray], kind: str):
        self._arrays = dict(arrays)
        self._kind = kind

    def __getitem__(self, name: str) -> NDArray:
        try:
            return self._arrays[name]
        except KeyError:
            raise KeyError(
                f"no {self._kind} named {name!r}; the trace has {sorted(self._arrays)}"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._arrays)

    def __len__(self) -> int:
        return len(self._arrays)

    def __repr__(self) -> str:
        shapes = ", ".join(f"{name}: {array.shape}" for name, array in self._arrays.items())
        return f"{self._kind}s({shapes})"


def _json_value(value: Any) -> Any:
    """What JSON cannot hold: a NumPy number or array as its Python value, else text."""
    if isinstance(value, np.generic | np.ndarray):
        return value.tolist()
    return str(value)


class Trace:
    """The draws (``posterior``) and statistics (``stats``) of ``nchains`` chains of equal length.

    ``posterior[name]`` is (chains, draws, *shape), ``stats[name]`` is (chains, draws);
    ``trace[name]`` is either with the chains concatenated, chain after chain;
    ``trace[a:b]`` is a new Trace keeping draws a:b of every chain (sharing memory).
    ``warmup`` holds the tuning draws when the runner was asked to keep them.

    A layer above may label the arrays: ``coords`` (dimension name -> its labels),
    ``dims`` (variable name -> the names of its axes after (chain, draw)), and
    ``data_groups``, groups of arrays not indexed by chain and draw (an ``observed_data``
    group, say); ``to_inference_data`` hands all three to ArviZ.
    """

    def __init__(
        self,
        posterior: Mapping[str, ArrayLike],
        stats: Mapping[str, ArrayLike] | None = None,
        warmup: Trace | None = None,
        attrs: Mapping[str, Any] | None = None,
        coords: Mapping[str, Sequence[Any]] | None = None,
        dims: Mapping[str, Sequence[str]] | None = None,
        data_groups: Mapping[str, Mapping[str, ArrayLike]] | None = None,
    ):
        variables = {name: np.asarray(array) for name, array in posterior.items()}
        statistics = {name: np.asarray(array) for name, array in (stats or {}).items()}
        shape: tuple[int, int] | None = None
        for kind, arrays in (("variable", variables), ("statistic", statistics)):
            for name, array in arrays.items():
                if array.ndim < 2:
                    raise ValueError(
                        f"{kind} {name!r}: expected an array of shape (chains, draws, ...), "
                        f"got shape {array.shape}"
                    )
                if shape is None:
                    shape = (array.shape[0], array.shape[1])
                elif array.shape[:2] != shape:
                    raise ValueError(
                        f"{kind} {name!r} has {array.shape[0]} chains of {array.shape[1]} draws, "
                        f"but the trace has {shape[0]} chains of {shape[1]} draws"
                    )
        self._shape = shape or (0, 0)
        self._variables = variables
        self._statistics = statistics
        self.warmup = warmup
        self.attrs: dict[str, Any] = dict(attrs or {})
        self.coords: dict[str, list[Any]] = {
            dim: list(values) for dim, values in (coords or {}).items()
        }
        self.dims: dict[str, list[str]] = {name: list(axes) for name, axes in (dims or {}).items()}
        self.data_groups: dict[str, dict[str, NDArray]] = {
            group: {name: np.asarray(array) for name, array in arrays.items()}
            for group, arrays in (data_groups or {}).items()
        }

    @classmethod
    def allocate(
        cls,
        blocks: Sequence[Block],
        stat_dtypes: Mapping[str, np.dtype],
        chains: int,
        draws: int,
    ) -> Trace:
        """An uninitialized trace with room for ``draws`` draws of each of ``chains`` chains."""
        posterior = {
            block.name: np.empty((chains, draws, *block.shape), dtype=block.dtype)
            for block in blocks
        }
        stats = {
            name: np.empty((chains, draws), dtype=dtype) for name, dtype in stat_dtypes.items()
        }
        return cls(posterior, stats)

    # --- reading ---------------------------------------------------------------------------

    @property
    def posterior(self) -> NamedArrays:
        return NamedArrays(self._variables, "variable")

    @property
    def stats(self) -> NamedArrays:
        return NamedArrays(self._statistics, "statistic")

    @property
    def varnames(self) -> list[str]:
        return list(self._variables)

    @property
    def stat_names(self) -> list[str]:
        return list(self._statistics)

    @property
    def nchains(self) -> int:
        return self._shape[0]

    @property
    def chains(self) -> list[int]:
        return list(range(self.nchains))

    def __len__(self) -> int:
        return self._shape[1]

    def __contains__(self, name: object) -> bool:
        return name in self._variables or name in self._statistics

    def _array(self, name: str) -> NDArray:
        """The (chains, draws, ...) array of a variable, or else of a statistic."""
        if name in self._variables:
            return self._variables[name]
        if name in self._statistics:
            return self._statistics[name]
        raise KeyError(
            f"no variable or statistic named {name!r}; variables: {self.varnames}, "
            f"statistics: {self.stat_names}"
        )

    def __getitem__(self, key: str | slice) -> Any:
        if isinstance(key, str):
            array = self._array(key)
            return array.reshape(array.shape[0] * array.shape[1], *array.shape[2:])
        if isinstance(key, slice):
            return Trace(
                {name: array[:, key] for name, array in self._variables.items()},
                {name: array[:, key] for name, array in self._statistics.items()},
                warmup=self.warmup,
                attrs=self.attrs,
                coords=self.coords,
                dims=self.dims,
                data_groups=self.data_groups,
            )
        raise TypeError(
            f"a trace is indexed by a variable or statistic name, or by a slice of draws; "
            f"got {type(key).__name__}"
        )

    def get_values(
        self,
        name: str,
        chains: int | Sequence[int] | None = None,
        burn: int = 0,
        thin: int = 1,
        combine: bool = True,
    ) -> Any:
        """Draws ``burn::thin`` of the chosen chains: concatenated, or a list per chain."""
        array = self._array(name)
        if chains is None:
            chosen = list(range(self.nchains))
        elif isinstance(chains, int | np.integer):
            chosen = [int(chains)]
        else:
            chosen = [int(chain) for chain in chains]
        outside = [chain for chain in chosen if not -self.nchains <= chain < self.nchains]
        if outside:
            raise IndexError(f"chains: the trace has chains {self.chains}, got {outside}")
        if thin < 1:
            raise ValueError(f"thin: expected a positive integer, got {thin!r}")
        per_chain = [array[chain, burn::thin] for chain in chosen]
        if not combine:
            return per_chain
        if not per_chain:
            return np.empty((0, *array.shape[2:]), dtype=array.dtype)
        return np.concatenate(per_chain)

    def get_sampler_stats(
        self,
        name: str,
        chains: int | Sequence[int] | None = None,
        burn: int = 0,
        thin: int = 1,
        combine: bool = True,
    ) -> Any:
        """Like ``get_values``, for a sampler statistic."""
        self.stats[name]  # raises the KeyError that lists the statistics
        return self.get_values(name, chains, burn, thin, combine)

    def point(self, index: int, chain: int = 0) -> dict[str, NDArray]:
        """Draw ``index`` of ``chain`` as a dict of blocks (copies)."""
        return {name: array[chain, index].copy() for name, array in self._variables.items()}

    def __repr__(self) -> str:
        variables = ", ".join(
            f"{name} {array.shape[2:]}" for name, array in self._variables.items()
        )
        return (
            f"Trace({self.nchains} chains × {len(self)} draws; variables: {variables}; "
            f"stats: {', '.join(self._statistics)})"
        )

    # --- derived quantities ------------------------------------------------------------

    def add_values(self, name: str, values: ArrayLike) -> None:
        """Add a derived variable given as an array of shape (chains, draws, ...)."""
        if name in self:
            raise ValueError(f"the trace already has a variable or statistic named {name!r}")
        array = np.asarray(values)
        if array.shape[:2] != self._shape or array.ndim < 2:
            raise ValueError(
                f"add_values({name!r}): expected shape ({self.nchains}, {len(self)}, ...) "
                f"(chains, draws, ...), got {array.shape}"
            )
        self._variables[name] = array

    # --- files and ArviZ ---------------------------------------------------------------

    def _groups(self) -> dict[str, Mapping[str, NDArray]]:
        groups: dict[str, Mapping[str, NDArray]] = {
            "posterior": self._variables,
            "stats": self._statistics,
        }
        if self.warmup is not None:
            groups["warmup_posterior"] = self.warmup._variables
            groups["warmup_stats"] = self.warmup._statistics
        return groups

    def _json_attrs(self) -> dict[str, Any]:
        """The attributes, with anything JSON cannot hold written as text."""
        return dict(json.loads(json.dumps(self.attrs, default=_json_value)))

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the trace to an .npz file; atomically, so no half-written file is ever left."""
        arrays: dict[str, NDArray] = {
            "__format__": np.array(FORMAT_VERSION),
            "__attrs__": np.array(json.dumps(self._json_attrs())),
            "__labels__": np.array(
                json.dumps({"coords": self.coords, "dims": self.dims}, default=_json_value)
            ),
        }
        for data_group, data_arrays in self.data_groups.items():
            for name, array in data_arrays.items():
                arrays[f"data:{data_group}/{name}"] = np.ascontiguousarray(array)
        for group, members in self._groups().items():
            for name, array in members.items():
                arrays[f"{group}/{name}"] = np.ascontiguousarray(array)
        target = os.path.abspath(os.fspath(path))
        descriptor, temporary = tempfile.mkstemp(
            prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=os.path.dirname(target)
        )
        try:
            with os.fdopen(descriptor, "wb") as file:
                savez: Any = np.savez  # its stubs do not type **arrays
                savez(file, **arrays)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Trace:
        """Read a trace written by ``save``."""
        groups: dict[str, dict[str, NDArray]] = {group: {} for group in GROUPS}
        with np.load(os.fspath(path), allow_pickle=False) as archive:
            if "__format__" not in archive.files or str(archive["__format__"]) != FORMAT_VERSION:
                raise ValueError(f"{os.fspath(path)!r} is not a trace written by Trace.save")
            attrs = json.loads(str(archive["__attrs__"]))
            labels = json.loads(str(archive["__labels__"])) if "__labels__" in archive.files else {}
            data_groups: dict[str, dict[str, NDArray]] = {}
            for key in archive.files:
                group, _, name = key.partition("/")
                if group in groups:
                    groups[group][name] = archive[key]
                elif group.startswith("data:"):
                    data_groups.setdefault(group[len("data:") :], {})[name] = archive[key]
        warmup = None
        if groups["warmup_posterior"] or groups["warmup_stats"]:
            warmup = cls(groups["warmup_posterior"], groups["warmup_stats"])
        return cls(
            groups["posterior"],
            groups["stats"],
            warmup=warmup,
            attrs=attrs,
            coords=labels.get("coords"),
            dims=labels.get("dims"),
            data_groups=data_groups,
        )

    def to_inference_data(self) -> Any:
        """The trace as ArviZ InferenceData: groups posterior and sample_stats (and warmup
        ones), the data groups, with the coordinates and dims."""
        try:
            import arviz
        except ImportError as error:
            raise ImportError(
                "Trace.to_inference_data needs ArviZ, which is not installed: pip install arviz"
            ) from error
        groups = {
            "posterior": dict(self._variables),
            "sample_stats": dict(self._statistics),
        }
        if self.warmup is not None:
            groups["warmup_posterior"] = dict(self.warmup._variables)
            groups["warmup_sample_stats"] = dict(self.warmup._statistics)
        groups.update({group: dict(arrays) for group, arrays in self.data_groups.items()})
        labels: dict[str, Any] = {}
        if self.coords:
            labels["coords"] = self.coords
        if self.dims:
            labels["dims"] = self.dims
        save_warmup = self.warmup is not None
        from_dict: Any = arviz.from_dict
        if "posterior" in inspect.signature(from_dict).parameters:
            # ArviZ < 1: one keyword per group
            return from_dict(**groups, save_warmup=save_warmup, attrs=self._json_attrs(), **labels)
        return from_dict(groups, save_warmup=save_warmup, attrs=self._json_attrs(), **labels)
