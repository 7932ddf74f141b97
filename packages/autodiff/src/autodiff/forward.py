"""Forward mode: ``Rop`` computes Jacobian-vector products ``J v`` from reverse mode.

``Lop(f, wrt, u) = Jᵀ u`` is linear in ``u``; differentiating it with respect to
``u`` in the direction ``v`` gives ``J v``. One mechanism (the reverse-mode rules)
then serves both directions, and every op with a twice-differentiable rule has an
R-op for free.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from autodiff.reverse import Lop, as_tensor_typed
from graphcore import Variable, clone_replace


def Rop(
    f: Variable | Sequence[Variable],
    wrt: Variable | Sequence[Variable],
    eval_points: Variable | Sequence[Variable],
) -> Any:
    """``d f / d wrt · eval_points`` for each output ``f`` (one per output, like ``f``)."""
    import tensorops as pt

    outputs = [f] if isinstance(f, Variable) else list(f)
    targets = [wrt] if isinstance(wrt, Variable) else list(wrt)
    points = [eval_points] if isinstance(eval_points, Variable) else list(eval_points)
    if len(targets) != len(points):
        raise ValueError(f"Rop: {len(targets)} wrt variables but {len(points)} eval_points")
    tensor_points = [pt.as_tensor(p) for p in points]
    for target, point in zip(targets, tensor_points, strict=True):
        ndim = as_tensor_typed(target).ndim
        if point.ndim != ndim:
            raise ValueError(
                f"Rop: the eval point for {target} has {point.ndim} dimensions, not {ndim}"
            )
    # Dummy cotangents u, one per output; the result does not depend on their value.
    cotangents = [
        pt.tensor(dtype=out.dtype, shape=(None,) * out.ndim)
        for out in map(as_tensor_typed, outputs)
    ]
    transposed = Lop(outputs, targets, cotangents, disconnected_inputs="ignore")
    products = Lop(transposed, cotangents, tensor_points, disconnected_inputs="ignore")
    # Jᵀu is linear in u, so its derivative holds no u; any leftover reference (a shape)
    # is satisfied by a zero array of the right shape.
    stand_ins: dict[Variable, Variable] = {
        u: pt.zeros_like(out) for u, out in zip(cotangents, outputs, strict=True)
    }
    results = clone_replace(list(products), stand_ins)
    return results[0] if isinstance(f, Variable) else results
