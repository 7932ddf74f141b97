"""The log density and log CDF rules of random variable ops, keyed by the op's name.

A distribution class registers its ``logp``/``logcdf`` here when it is declared
(``base``); ``pm.logp``, ``pm.logcdf`` and the model's density look them up.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from graphcore.registry import OpRegistry
from randomstreams import RandomVariable

LogDensityRule = Callable[..., Any]
"""``rule(value, *rv_op_parameters) -> elementwise log density`` (or log CDF)."""

logp_rules: OpRegistry[LogDensityRule] = OpRegistry("log density")
logcdf_rules: OpRegistry[LogDensityRule] = OpRegistry("log CDF")
logp_rules.row_key(RandomVariable, lambda op: op.name)
logcdf_rules.row_key(RandomVariable, lambda op: op.name)


def density_rule(rules: OpRegistry[LogDensityRule], op: Any) -> LogDensityRule | None:
    """``op``'s rule as ``rule(value, *op_inputs)``. An op built from other distributions
    (a mixture of its components) keeps them as its own data and declares
    ``rule_reads_op = True``: its rule takes the op first, bound here."""
    rule = rules.lookup(op, None)
    if rule is not None and getattr(op, "rule_reads_op", False):
        return functools.partial(rule, op)
    return rule
