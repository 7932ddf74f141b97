"""Which step method suits a free variable, as PyMC chooses them.

Continuous variables go to NUTS. A discrete variable is *binary* when its values are
0 and 1 (Bernoulli, a Categorical of two categories), *categorical* when its values
are the integers 0..k-1 for a constant k (Categorical; DiscreteUniform with constant
bounds and lower bound 0), and otherwise left to Metropolis.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from graphcore import Constant, Variable, graph_inputs
from ppl.distributions.base import distribution_of
from tensorops.opsupport import tensor_type


def is_continuous(value_var: Variable) -> bool:
    return str(tensor_type(value_var).dtype).startswith("float")


def _constant(expression: Any) -> np.ndarray | None:
    """The value of ``expression`` when it depends on constants only, else None."""
    if not all(isinstance(v, Constant) for v in graph_inputs([expression])):
        return None
    return np.asarray(expression.eval())


def n_categories(rv: Any) -> int | None:
    """k when ``rv`` takes the values 0..k-1 for a constant k, else None."""
    cls = distribution_of(rv.owner.op) if rv.owner is not None else None
    if cls is None:
        return None
    params = rv.owner.inputs[2:]
    if cls.__name__ == "Bernoulli":
        return 2
    if cls.__name__ == "Categorical":
        static = params[0].type.shape[-1]
        if static is not None:
            return int(static)
        p = _constant(params[0])
        return None if p is None else int(p.shape[-1])
    if cls.__name__ == "DiscreteUniform":
        lower, upper = (_constant(p) for p in params[:2])
        if lower is None or upper is None or lower.size != 1 or upper.size != 1:
            return None
        if int(lower.ravel()[0]) != 0:
            return None
        return int(upper.ravel()[0]) + 1
    return None


def is_binary(rv: Any) -> bool:
    return n_categories(rv) == 2


def is_categorical(rv: Any) -> bool:
    """Categorical Gibbs suits it: a finite support 0..k-1 of more than two values."""
    k = n_categories(rv)
    return k is not None and k > 2


def free_rv_of(model: Any, value_var: Variable) -> Any:
    for rv, value in model.rvs_to_values.items():
        if value is value_var:
            return rv
    raise KeyError(f"{value_var} is not a value variable of the model")


def user_names(model: Any, value_vars: Sequence[Variable]) -> list[str]:
    """The names the user gave the variables (``sigma``, not ``sigma_log__``)."""
    return [str(free_rv_of(model, v).name) for v in value_vars]
