"""The variable ``pm.Normal.dist(...)`` returns: a tensor that knows its distribution.

``DistributionVariable`` is a ``TensorVariable`` (every tensor operation applies)
with the methods old PyMC code calls on a distribution object:
``pm.Poisson.dist(rate).logp(counts)`` and ``.logcdf(value)``, the same graphs as
``pm.logp(rv, value)`` and ``pm.logcdf(rv, value)``.
"""

from __future__ import annotations

from typing import Any

from ppl.distributions.logprob import logcdf, logp
from tensorops.variable import TensorVariable


class DistributionVariable(TensorVariable):
    """A random variable drawn by a ppl distribution."""

    __slots__ = ()

    def logp(self, value: Any) -> TensorVariable:
        """The elementwise log density (or mass) at ``value``, symbolically."""
        return logp(self, value)

    def logcdf(self, value: Any) -> TensorVariable:
        """The elementwise log cumulative distribution at ``value``, symbolically."""
        return logcdf(self, value)


def as_distribution_variable(var: TensorVariable) -> TensorVariable:
    """``var`` (a fresh random draw) given the methods of ``DistributionVariable``;
    the variable keeps its slots, graph and identity."""
    if type(var) is TensorVariable:
        var.__class__ = DistributionVariable
    return var
