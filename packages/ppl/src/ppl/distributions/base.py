"""The ``Distribution`` base: how one declaration gives four faces.

A distribution is declared as a small class, one row of the table::

    class Normal(Continuous):
        rv_op = rv_op("normal")                  # the RandomVariable that draws it
        params = "mu=0.0 sigma=1.0"              # PyMC's names, defaults, positional order
        aliases = SIGMA                          # sd=, tau=
        def logp(value, mu, sigma): ...          # in the rv_op's parameters
        def logcdf(value, mu, sigma): ...

and gets ``pm.Normal("x", ...)`` (registers in the model of the ``with`` block),
``pm.Normal.dist(...)`` (a bare random variable), draws through its ``rv_op``, and
``pm.logp``/``pm.logcdf`` through the rules registered here, keyed by the op's name.
``rv_inputs(**bound)`` maps the bound parameters to the op's inputs when they
differ (``Exponential(lam)`` draws with ``scale = 1/lam``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

import tensorops as pt
from graphcore import Variable
from ppl.context import model_context
from ppl.distributions.params import Alias, bind, parse
from ppl.distributions.rules import logcdf_rules, logp_rules
from ppl.distributions.variable import as_distribution_variable
from randomstreams import DISTRIBUTIONS, RandomVariable, default_rng_variable
from tensorops.variable import TensorVariable

_CLASS_OF_OP: dict[str, type[Distribution]] = {}


def rv_op(name: str) -> RandomVariable:
    """randomstreams' op for the distribution ``name`` (a row of its table)."""
    return DISTRIBUTIONS[name].op


def distribution_of(op: Any) -> type[Distribution] | None:
    """The ppl class that declared the random variable op ``op``."""
    return _CLASS_OF_OP.get(op.name) if isinstance(op, RandomVariable) else None


class Distribution:
    """Base of every distribution; ``cls(name, ...)`` returns the model's variable."""

    rv_op: ClassVar[RandomVariable]
    params: ClassVar[str] = ""
    aliases: ClassVar[Mapping[str, Alias]] = {}
    default_transform: ClassVar[Any] = None
    _params: ClassVar[tuple[tuple[str, Any], ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._params = parse(cls.params)
        op = cls.__dict__.get("rv_op")
        if op is None:
            return
        if op.name in _CLASS_OF_OP and _CLASS_OF_OP[op.name] is not cls:
            raise TypeError(
                f"{cls.__name__}: random variable op {op.name!r} already belongs to "
                f"{_CLASS_OF_OP[op.name].__name__}"
            )
        _CLASS_OF_OP[op.name] = cls
        if "logp" in cls.__dict__:
            logp_rules.register(RandomVariable, key=op.name)(cls.__dict__["logp"])
        if "logcdf" in cls.__dict__:
            logcdf_rules.register(RandomVariable, key=op.name)(cls.__dict__["logcdf"])

    def __new__(  # type: ignore[misc]
        cls,
        name: str,
        *args: Any,
        observed: Any = None,
        shape: Any = None,
        size: Any = None,
        dims: Any = None,
        transform: Any = "default",
        default_transform: Any = "default",
        initval: Any = None,
        total_size: Any = None,
        rng: Any = None,
        model: Any = None,
        **kwargs: Any,
    ) -> TensorVariable:
        owner = model_context(model, error=f"{cls.__name__}({name!r}, ...)")
        if not isinstance(name, str):
            raise TypeError(
                f"{cls.__name__}: the first argument must be the variable's name (a str), "
                f"got {name!r}; use {cls.__name__}.dist(...) for a variable outside a model"
            )
        if total_size is not None:
            raise NotImplementedError(
                f"{cls.__name__}({name!r}, ...): total_size= (minibatch scaling of the log "
                "density) is not supported; leave it out for the unscaled log density"
            )
        shape, size, observed = owner.resolve_shape(cls, name, shape, size, dims, observed)
        rv = cls.dist(*args, shape=shape, size=size, rng=rng, **kwargs)
        if transform == "default":
            transform = default_transform
        return owner.register_rv(
            rv,
            name,
            observed=observed,
            dims=dims,
            transform=transform,
            initval=initval,
        )

    @classmethod
    def dist(
        cls,
        *args: Any,
        shape: Any = None,
        size: Any = None,
        rng: Any = None,
        **kwargs: Any,
    ) -> TensorVariable:
        """A random variable of this distribution that belongs to no model."""
        if args and isinstance(args[0], str):
            raise TypeError(
                f"{cls.__name__}.dist takes no name; got {args[0]!r} (use "
                f"{cls.__name__}({args[0]!r}, ...) inside a model)"
            )
        bound = bind(cls.__name__, cls._params, cls.aliases, args, kwargs)
        inputs = cls.rv_inputs(**bound)
        size = cls._size(shape, size)
        generator = rng if rng is not None else default_rng_variable()
        draw: TensorVariable = cls.rv_op(generator, size, *inputs)
        return as_distribution_variable(draw)

    @classmethod
    def rv_inputs(cls, *args: Any, **bound: Any) -> Sequence[Any]:
        """The op's parameters from the bound ones (by default the same, in order).
        Subclasses override it with their own named parameters (``*args`` lets mypy
        accept any such signature)."""
        return [bound[name] for name, _ in cls._params]

    @classmethod
    def support_point(cls, rv: TensorVariable, *inputs: Any) -> Any:
        """A central value (mean, median or mode) where samplers start; zero by default
        (distributions with a bounded support override it)."""
        return pt.zeros(pt.shape_of(rv), dtype=rv.dtype)

    @classmethod
    def _size(cls, shape: Any, size: Any, owner: str | None = None) -> Any:
        """The op's ``size`` from PyMC's ``shape`` or ``size`` (at most one given)."""
        if shape is not None and size is not None:
            raise TypeError(f"{owner or cls.__name__}: give shape or size, not both")
        return size if shape is None else cls._size_from_shape(shape)

    @classmethod
    def _size_from_shape(cls, shape: Any) -> Any:
        """PyMC's ``shape`` includes the support dimensions; ``size`` does not."""
        support = cls.rv_op.ndim_supp
        if isinstance(shape, (int, np.integer)):
            shape = (int(shape),)
        if isinstance(shape, Variable):
            vector: Any = shape
            return vector if support == 0 else vector[: vector.shape[0] - support]
        shape = tuple(shape)
        return shape[: len(shape) - support] if support else shape


class Continuous(Distribution):
    """A distribution of real values."""


class Discrete(Distribution):
    """A distribution of integers."""


def as_float(value: Any) -> TensorVariable:
    """``value`` as a float tensor (integers become floatX)."""
    tensor = pt.as_tensor(value)
    if str(tensor.dtype).startswith(("int", "uint", "bool")):
        return pt.cast(tensor, "float64")
    return tensor
