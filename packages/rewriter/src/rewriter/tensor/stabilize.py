"""Stabilization: formulas that lose digits or overflow traded for accurate equivalents.

Each rule names the failure it fixes; all apply to real floating-point graphs only.
Rules on the same op are tried in the order written, so the more specific patterns
(``log(1 - exp(x))``) come before the general ones (``log(1 - x)``).
"""

from __future__ import annotations

from graphcore import Apply, FunctionGraph, Variable
from rewriter.db import register_stabilize
from rewriter.engine.node_rewriter import node_rewriter
from rewriter.tensor.patterns import (
    FloatPattern,
    abs,
    add,
    all_float,
    exp,
    expm1,
    log,
    log1mexp,
    log1p,
    neg,
    op_of,
    owner_with,
    pow,
    reciprocal,
    sigmoid,
    softplus,
    sqr,
    sqrt,
    sub,
    tensor_type,
    true_div,
)
from tensorops.reduction import LogSoftmax, LogSumExp, Reduce, Softmax

Result = list[Variable] | None

swap = {"commutative": [add]}  # add matches with its inputs either way round
denominator = (add, 1, (exp, (neg, "x")))

RULES = [
    # log(1 - exp(x)) for x near 0 cancels to log of a rounding error, and for x far
    # below 0 1 - exp(x) rounds to 1; log1mexp switches between log(-expm1(x)) and
    # log1p(-exp(x)) at -ln 2 to stay accurate at both ends.
    FloatPattern((log, (sub, 1, (exp, "x"))), (log1mexp, "x"), "log1mexp_of_log_one_minus_exp"),
    FloatPattern((log1p, (neg, (exp, "x"))), (log1mexp, "x"), "log1mexp_of_log1p_minus_exp"),
    FloatPattern((log, (neg, (expm1, "x"))), (log1mexp, "x"), "log1mexp_of_log_minus_expm1"),
    # log(sigmoid(x)) = -log(1 + exp(-x)) = -softplus(-x): sigmoid(-800) underflows to 0
    # and its log to -inf, while softplus(800) is 800.
    FloatPattern((log, (sigmoid, "x")), (neg, (softplus, (neg, "x"))), "log_sigmoid"),
    # log(1 - sigmoid(x)) = log(sigmoid(-x)) = -softplus(x): 1 - sigmoid(40) is 0 in doubles.
    FloatPattern((log, (sub, 1, (sigmoid, "x"))), (neg, (softplus, "x")), "log_one_minus_sigmoid"),
    FloatPattern((log1p, (neg, (sigmoid, "x"))), (neg, (softplus, "x")), "log1p_minus_sigmoid"),
    # log(1 + exp(x)) = softplus(x): exp(800) overflows, softplus(800) is 800; and for
    # x = -40, 1 + exp(x) rounds to 1 but softplus keeps exp(-40).
    FloatPattern((log1p, (exp, "x")), (softplus, "x"), "softplus_of_log1p_exp"),
    FloatPattern(
        (log, (add, 1, (exp, "x"))), (softplus, "x"), "softplus_of_log_one_plus_exp", **swap
    ),
    # log(1 + x): 1 + 1e-20 rounds to 1, so log gives 0 where log1p gives 1e-20.
    FloatPattern((log, (add, 1, "x")), (log1p, "x"), "log1p_of_one_plus", **swap),
    FloatPattern((log, (sub, 1, "x")), (log1p, (neg, "x")), "log1p_of_one_minus"),
    # exp(x) - 1: for x = 1e-20 exp(x) rounds to 1 and the difference to 0; expm1 keeps x.
    FloatPattern((sub, (exp, "x"), 1), (expm1, "x"), "expm1_of_exp_minus_one"),
    FloatPattern((add, (exp, "x"), -1), (expm1, "x"), "expm1_of_exp_plus_minus_one", **swap),
    # sqrt(x**2) = |x|: the square overflows for |x| > 1e154 and underflows below 1e-162.
    FloatPattern((sqrt, (pow, "x", 2)), (abs, "x"), "abs_of_sqrt_pow_two"),
    FloatPattern((sqrt, (sqr, "x")), (abs, "x"), "abs_of_sqrt_sqr"),
    # 1 / (1 + exp(-x)) = sigmoid(x): exp(800) overflows (harmlessly, to 0 after the
    # division, but with a warning); sigmoid is one accurate op.
    FloatPattern((true_div, 1, denominator), (sigmoid, "x"), "sigmoid_of_quotient", **swap),
    FloatPattern((reciprocal, denominator), (sigmoid, "x"), "sigmoid_of_reciprocal", **swap),
]  # fmt: skip

for _rule in RULES:
    register_stabilize(_rule, "tensor")


@register_stabilize("tensor")
@node_rewriter([log], depth=3)
def logsumexp_of_log_sum_exp(fgraph: FunctionGraph, node: Apply) -> Result:
    """log(sum(exp(x), axis)) -> logsumexp(x, axis): with m = max(x), the op computes
    m + log(sum(exp(x - m))), so exp never overflows ([1000, 1000] gives 1000 + log 2)."""
    total = owner_with(node.inputs[0], Reduce)
    if total is None:
        return None
    total_op = op_of(total, Reduce)
    if total_op.reduction != "sum" or not total_op.axis:
        return None
    inner = owner_with(total.inputs[0], exp)
    if inner is None:
        return None
    x = inner.inputs[0]
    if not all_float(x) or tensor_type(x).dtype != tensor_type(node.outputs[0]).dtype:
        return None
    return [LogSumExp(total_op.axis, total_op.keepdims)(x)]


@register_stabilize("tensor")
@node_rewriter([log], depth=2)
def log_softmax_of_log(fgraph: FunctionGraph, node: Apply) -> Result:
    """log(softmax(x)) -> log_softmax(x): softmax underflows to 0 far from the max,
    where log_softmax = x - logsumexp(x) stays finite."""
    inner = owner_with(node.inputs[0], Softmax)
    if inner is None or not all_float(inner.inputs[0]):
        return None
    return [LogSoftmax(op_of(inner, Softmax).axis)(inner.inputs[0])]
