"""The model's joint log density, built from the declared variables.

Every random variable is replaced by its value: a free one by its value variable
mapped back through its transform (``exp(sigma_log__)``), an observed one by its
data. Each variable contributes its distribution's elementwise log density at that
value (plus the transform's log-Jacobian), each potential its expression.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tensorops as pt
from autodiff import grad, hessian
from graphcore import Variable
from ppl.distributions.rules import density_rule, logp_rules
from ppl.rebuild import substitute
from tensorops.opsupport import tensor_type
from tensorops.variable import TensorVariable


def constrained_values(model: Any) -> dict[Variable, Variable]:
    """Each random variable -> what replaces it in a density: its constrained value."""
    givens: dict[Variable, Variable] = {}
    for rv in model.basic_RVs:
        value = model.rvs_to_values[rv]
        transform = model.rvs_to_transforms.get(rv)
        if transform is None:
            givens[rv] = value
            continue
        inputs = substitute(rv.owner.inputs[2:], givens)
        givens[rv] = transform.backward(value, *inputs)
    return givens


def replace_rvs_by_values(model: Any, expressions: Sequence[Any]) -> list[Variable]:
    return substitute([pt.as_tensor(e) for e in expressions], constrained_values(model))


def _selected(model: Any, vars: Sequence[Any] | None) -> list[Variable]:
    if vars is None:
        return model.basic_RVs + model.potentials
    chosen = []
    values_to_rvs = {v: rv for rv, v in model.rvs_to_values.items()}
    for item in [vars] if isinstance(vars, Variable) else vars:
        var = model[item] if isinstance(item, str) else item
        chosen.append(values_to_rvs.get(var, var))
    return chosen


def _match_ndim(term: TensorVariable, jacobian: TensorVariable) -> TensorVariable:
    """Sum ``term`` over trailing axes the Jacobian term has already reduced."""
    extra = term.ndim - jacobian.ndim
    if extra > 0:
        return pt.sum(term, axis=tuple(range(-extra, 0)))
    return term


def model_logp_terms(model: Any, vars: Sequence[Any] | None, jacobian: bool) -> list[Any]:
    givens = constrained_values(model)
    terms: list[Any] = []
    for var in _selected(model, vars):
        if var in model.potentials:
            terms.append(substitute([var], givens)[0])
            continue
        if var not in model.rvs_to_values:
            raise ValueError(
                f"model.logp: {var} is not a random variable or potential of the model"
            )
        rv: Any = var
        inputs = substitute(rv.owner.inputs[2:], givens)
        rule = density_rule(logp_rules, rv.owner.op)
        if rule is None:
            raise LookupError(
                f"model.logp: {rv.name}: no log density is declared for its random "
                f"variable op {rv.owner.op}"
            )
        term = rule(givens[rv], *inputs)
        transform = model.rvs_to_transforms.get(rv)
        if jacobian and transform is not None:
            log_jac = transform.log_jac_det(model.rvs_to_values[rv], *inputs)
            term = _match_ndim(term, log_jac) + log_jac
        term = pt.as_tensor(term)
        term.name = f"{rv.name}_logprob"
        terms.append(term)
    return terms


def model_logp(model: Any, vars: Sequence[Any] | None, *, jacobian: bool, sum: bool) -> Any:
    terms = model_logp_terms(model, vars, jacobian)
    if not sum:
        return terms
    if not terms:
        return pt.constant(0.0)
    total = pt.sum(terms[0])
    for term in terms[1:]:
        total = total + pt.sum(term)
    total.name = "__logp"
    return total


def value_vars_of(model: Any, vars: Any, owner: str = "") -> list[Variable]:
    """``vars`` (one or a list of names, random variables or value variables) as the
    model's value variables, in the order given; ``owner`` starts the error message
    (``"Metropolis: vars="``)."""
    items = [vars] if isinstance(vars, str | Variable) else list(vars)
    found = []
    for item in items:
        var = model[item] if isinstance(item, str) else item
        value = model.rvs_to_values.get(var, var)
        if value not in model.value_vars:
            lead = f"{owner} names {item}, which" if owner else str(item)
            raise ValueError(
                f"{lead} is not a free variable of the model; its free variables are "
                f"{[str(rv.name) for rv in model.free_RVs]}"
            )
        found.append(value)
    return found


def _continuous(model: Any, vars: Sequence[Any] | None) -> list[Variable]:
    if vars is None:
        return model.continuous_value_vars
    values = value_vars_of(model, vars)
    discrete = [v for v in values if not str(tensor_type(v).dtype).startswith("float")]
    if discrete:
        raise TypeError(f"gradients need continuous variables; {discrete} are discrete")
    return values


def flat_join(parts: Sequence[Any]) -> Any:
    """``parts`` flattened and laid end to end (an empty vector for none)."""
    if not parts:
        return pt.zeros(0)
    flat = [pt.flatten(p) for p in parts]
    return flat[0] if len(flat) == 1 else pt.concatenate(flat)


def model_dlogp(model: Any, vars: Sequence[Any] | None, *, jacobian: bool) -> Any:
    """The gradient with respect to ``vars``, flattened and joined in their order."""
    wrt = _continuous(model, vars)
    cost = model_logp(model, None, jacobian=jacobian, sum=True)
    return flat_join(grad(cost, wrt, disconnected_inputs="ignore"))


def model_d2logp(
    model: Any, vars: Sequence[Any] | None, *, jacobian: bool, negate_output: bool
) -> Any:
    """The Hessian over the flat joined ``vars`` (negated, as PyMC, unless told not to)."""
    wrt = _continuous(model, vars)
    if not wrt:
        return pt.zeros((0, 0))
    cost = model_logp(model, None, jacobian=jacobian, sum=True)
    flat = pt.dvector("__flat_values")
    sizes, shapes, pieces, start = [], [], [], 0
    for value in wrt:
        static = tuple(tensor_type(value).shape)
        if any(s is None for s in static):
            raise ValueError(f"d2logp: the shape of {value} must be known")
        shape = tuple(int(s) for s in static if s is not None)
        size = 1
        for s in shape:
            size *= s
        sizes.append(size)
        shapes.append(shape)
        pieces.append(pt.reshape(flat[start : start + size], shape))
        start += size
    flat_cost = substitute([cost], dict(zip(wrt, pieces, strict=True)))[0]
    matrix = hessian(flat_cost, flat, disconnected_inputs="ignore")
    joined = flat_join(wrt)
    result: Any = substitute([matrix], {flat: joined})[0]
    return -result if negate_output else result
