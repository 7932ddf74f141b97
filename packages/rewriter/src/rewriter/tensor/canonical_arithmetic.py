"""Canonical arithmetic: identities removed (``x*1``, ``x+0``, ``x/1``, ``x**1``, ``--x``),
inverses cancelled (``x*y/y``, ``b*(a/b)``, ``x-x``, ``log(exp(x))``) and neighbouring
constants collected (``(x + 1) + 2 -> x + 3``).

Cancelling ``y`` assumes ``y`` is finite and nonzero where the original would give nan,
as PyTensor does: the rewritten graph is what the user meant, not their rounding.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from graphcore import Apply, Constant, FunctionGraph, Variable
from rewriter.db import register_canonicalize
from rewriter.engine.node_rewriter import node_rewriter
from rewriter.tensor.patterns import (
    add,
    all_float,
    constant_like,
    exp,
    is_constant,
    keep_type,
    log,
    mul,
    neg,
    other_input,
    owner_with,
    pow,
    sub,
    switch,
    tensor_type,
    true_div,
)
from tensorops.math import ge

Result = list[Variable] | None


def _drop_constant(node: Apply, number: float, positions: tuple[int, ...] = (0, 1)) -> Result:
    """``node``'s other input, when the input at one of ``positions`` is ``number``."""
    for position in positions:
        if is_constant(node.inputs[position], number):
            return [keep_type(node.inputs[1 - position], node)]
    return None


@register_canonicalize("tensor")
@node_rewriter([mul], depth=1)
def mul_by_one(fgraph: FunctionGraph, node: Apply) -> Result:
    """x * 1 -> x"""
    return _drop_constant(node, 1)


@register_canonicalize("tensor")
@node_rewriter([add], depth=1)
def add_zero(fgraph: FunctionGraph, node: Apply) -> Result:
    """x + 0 -> x"""
    return _drop_constant(node, 0)


@register_canonicalize("tensor")
@node_rewriter([sub], depth=1)
def sub_zero_or_self(fgraph: FunctionGraph, node: Apply) -> Result:
    """x - 0 -> x, 0 - x -> -x, x - x -> zeros shaped like x."""
    left, right = node.inputs
    if is_constant(right, 0):
        return [keep_type(left, node)]
    if is_constant(left, 0):
        return [keep_type(neg(right), node)]
    if left is right:
        # Exact for finite x; inf - inf would be nan, which PyTensor drops too.
        return [keep_type(constant_like(0, node.outputs[0]), node)]
    return None


@register_canonicalize("tensor")
@node_rewriter([true_div], depth=2)
def div_canceled(fgraph: FunctionGraph, node: Apply) -> Result:
    """x / 1 -> x and (x * y) / y -> x."""
    numerator, denominator = node.inputs
    if is_constant(denominator, 1):
        return [keep_type(numerator, node)]
    product = owner_with(numerator, mul)
    if product is not None and denominator in product.inputs:
        return [keep_type(other_input(product, denominator), node)]
    return None


@register_canonicalize("tensor")
@node_rewriter([mul], depth=2)
def mul_of_quotient(fgraph: FunctionGraph, node: Apply) -> Result:
    """b * (a / b) -> a and (a / b) * b -> a."""
    for position in (0, 1):
        quotient = owner_with(node.inputs[position], true_div)
        if quotient is not None and quotient.inputs[1] is node.inputs[1 - position]:
            return [keep_type(quotient.inputs[0], node)]
    return None


@register_canonicalize("tensor")
@node_rewriter([neg], depth=2)
def double_negation(fgraph: FunctionGraph, node: Apply) -> Result:
    """--x -> x"""
    inner = owner_with(node.inputs[0], neg)
    return None if inner is None else [keep_type(inner.inputs[0], node)]


@register_canonicalize("tensor")
@node_rewriter([pow], depth=1)
def pow_zero_or_one(fgraph: FunctionGraph, node: Apply) -> Result:
    """x ** 1 -> x and x ** 0 -> ones (NumPy gives 1 even for 0 ** 0 and nan ** 0)."""
    base, exponent = node.inputs
    if is_constant(exponent, 1):
        return [keep_type(base, node)]
    if is_constant(exponent, 0):
        return [keep_type(constant_like(1, node.outputs[0]), node)]
    return None


@register_canonicalize("tensor")
@node_rewriter([log], depth=2)
def log_of_exp_canceled(fgraph: FunctionGraph, node: Apply) -> Result:
    """log(exp(x)) -> x for real x (for complex x it is only x modulo 2πi)."""
    inner = owner_with(node.inputs[0], exp)
    if inner is None or tensor_type(inner.inputs[0]).dtype.startswith("complex"):
        return None
    return [keep_type(inner.inputs[0], node)]


@register_canonicalize("tensor")
@node_rewriter([exp], depth=2)
def exp_of_log(fgraph: FunctionGraph, node: Apply) -> Result:
    """exp(log(x)) -> switch(x >= 0, x, nan) for real x.

    Not simply x: log is nan below 0, and a rewrite must not turn nan into a number
    (PyTensor keeps the same switch). x itself is also exact where exp(log(x)) rounds.
    """
    inner = owner_with(node.inputs[0], log)
    if inner is None or not all_float(inner.inputs[0], node.outputs[0]):
        return None
    x = inner.inputs[0]
    nan = constant_like(np.nan, x)
    return [keep_type(switch(ge(x, constant_like(0, x)), x, nan), node)]


def _collect(fgraph: FunctionGraph, node: Apply, combine: Any) -> Result:
    """outer(inner(y, c1), c2) -> outer(y, combine(c1, c2)) with c1, c2 constants."""
    out = node.outputs[0]
    for position in (0, 1):
        outer_constant = node.inputs[1 - position]
        inner = owner_with(node.inputs[position], node.op)
        if not isinstance(outer_constant, Constant) or inner is None:
            continue
        if len(fgraph.clients[inner.outputs[0]]) != 1:
            continue  # the inner node is computed anyway; merging would compute it twice
        for inner_position in (0, 1):
            inner_constant = inner.inputs[inner_position]
            rest = inner.inputs[1 - inner_position]
            if not isinstance(inner_constant, Constant) or isinstance(rest, Constant):
                continue
            if tensor_type(rest).dtype != tensor_type(out).dtype:
                continue  # the combined constant would promote rest differently
            with np.errstate(all="ignore"):
                value = combine(inner_constant.data, outer_constant.data)
            combined = constant_like(np.asarray(value).astype(tensor_type(out).dtype), out)
            return [keep_type(node.op(rest, combined), node)]
    return None


@register_canonicalize("tensor")
@node_rewriter([add], depth=2)
def add_constants(fgraph: FunctionGraph, node: Apply) -> Result:
    """(x + 1) + 2 -> x + 3"""
    return _collect(fgraph, node, np.add)


@register_canonicalize("tensor")
@node_rewriter([mul], depth=2)
def mul_constants(fgraph: FunctionGraph, node: Apply) -> Result:
    """2 * (3 * x) -> 6 * x"""
    return _collect(fgraph, node, np.multiply)
