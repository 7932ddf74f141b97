"""``pm.logp(rv, value)`` and ``pm.logcdf(rv, value)``.

A random variable's log density comes from the rule its distribution registered
(``distributions.base.logp_rules``, keyed by the op's name). An expression of one
random variable through an invertible elementwise map (``exp``, ``log``, adding,
subtracting, multiplying or dividing by something that is not random, negation) is
measurable too: its density is the variable's density at the inverse image plus the
log of the inverse map's derivative (``pm.logp(pt.exp(pm.Normal.dist()), v)`` is the
LogNormal density), as PyMC's logprob derives it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tensorops as pt
from graphcore import Variable, ancestors
from ppl.distributions.rules import density_rule, logcdf_rules, logp_rules
from randomstreams import RandomVariable
from tensorops.elemwise import Elemwise
from tensorops.variable import TensorVariable


class NotMeasurableError(TypeError):
    """``pm.logp`` was asked for the density of an expression it cannot derive."""


def is_random(var: Variable) -> bool:
    """Whether ``var`` is computed from a random variable's draw."""
    return any(
        a.owner is not None and isinstance(a.owner.op, RandomVariable) and a is a.owner.outputs[1]
        for a in ancestors([var])
    )


def _as_value(rv: Any, value: Any) -> TensorVariable:
    tensor = pt.as_tensor(value)
    if str(rv.dtype).startswith("float") and str(tensor.dtype) != str(rv.dtype):
        tensor = pt.cast(tensor, rv.dtype)
    return tensor


def logp(rv: Any, value: Any, warn_rvs: bool = True) -> TensorVariable:
    """The elementwise log density (or mass) of ``rv`` at ``value``, symbolically."""
    return _measure(rv, value, logp_rules, "log density", with_jacobian=True)


def logcdf(rv: Any, value: Any) -> TensorVariable:
    """The elementwise log cumulative distribution of ``rv`` at ``value``."""
    return _measure(rv, value, logcdf_rules, "log CDF", with_jacobian=False)


def _measure(rv: Any, value: Any, rules: Any, what: str, *, with_jacobian: bool) -> TensorVariable:
    if not isinstance(rv, Variable):
        raise TypeError(f"pm.{_verb(what)}: rv must be a random variable, got {rv!r}")
    node = rv.owner
    value_var = _as_value(rv, value)
    if node is not None and isinstance(node.op, RandomVariable):
        rule = density_rule(rules, node.op)
        if rule is None:
            raise NotMeasurableError(
                f"pm.{_verb(what)}: no {what} is declared for {node.op.name} random variables"
            )
        result: TensorVariable = rule(value_var, *node.inputs[2:])
        return result
    if node is not None and isinstance(node.op, Elemwise):
        inverted = _invert(rv, value_var)
        if inverted is not None:
            base, base_value, log_jac = inverted
            density = _measure(base, base_value, rules, what, with_jacobian=with_jacobian)
            if not with_jacobian:
                return density
            return density + log_jac
    raise NotMeasurableError(
        f"pm.{_verb(what)}: cannot derive the {what} of {rv}: it is not a random variable "
        "nor an invertible elementwise map (exp, log, affine) of one"
    )


def _verb(what: str) -> str:
    return "logp" if what == "log density" else "logcdf"


Inversion = tuple[Variable, TensorVariable, TensorVariable]


def _invert(rv: Variable, value: TensorVariable) -> Inversion | None:
    """``(base, inverse(value), log|d inverse / d value|)`` for an invertible map."""
    node: Any = rv.owner
    name = getattr(node.op.scalar_op, "name", "")
    random_inputs = [i for i, inp in enumerate(node.inputs) if is_random(inp)]
    if len(random_inputs) != 1:
        return None
    position = random_inputs[0]
    base = node.inputs[position]
    others = [inp for i, inp in enumerate(node.inputs) if i != position]
    inverse = _INVERSES.get((name, position, len(node.inputs)))
    if inverse is None:
        return None
    base_value, log_jac = inverse(value, *others)
    return base, base_value, log_jac


def _zero(value: Any) -> Any:
    return pt.zeros_like(value)


InverseRule = Callable[..., tuple[Any, Any]]
_INVERSES: dict[tuple[str, int, int], InverseRule] = {
    ("exp", 0, 1): lambda v: (pt.log(v), -pt.log(v)),
    ("log", 0, 1): lambda v: (pt.exp(v), v),
    ("neg", 0, 1): lambda v: (-v, _zero(v)),
    ("add", 0, 2): lambda v, c: (v - c, _zero(v)),
    ("add", 1, 2): lambda v, c: (v - c, _zero(v)),
    ("sub", 0, 2): lambda v, c: (v + c, _zero(v)),
    ("sub", 1, 2): lambda v, c: (c - v, _zero(v)),
    ("mul", 0, 2): lambda v, c: (v / c, -pt.log(pt.abs(c)) + _zero(v)),
    ("mul", 1, 2): lambda v, c: (v / c, -pt.log(pt.abs(c)) + _zero(v)),
    ("true_div", 0, 2): lambda v, c: (v * c, pt.log(pt.abs(c)) + _zero(v)),
}
"""Keyed by (scalar op name, position of the random input, number of inputs)."""
