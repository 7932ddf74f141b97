"""Operators built from reverse mode: ``jacobian``, ``hessian`` and
``hessian_vector_product``.

The Jacobian's rows are vector-Jacobian products ``uᵀ J`` for the unit vectors ``u``.
``Lop(f, wrt, u)`` is linear in ``u``, so its graph is built once for a symbolic ``u``
and then vectorized over a leading batch axis with ``u`` replaced by the identity
matrix: every row in one graph, no loop (``autodiff.vectorize``). Outputs of a small
static length may instead get one gradient graph per element.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from autodiff.reverse import DisconnectedPolicy, Lop, grad
from autodiff.vectorize import vectorize_graph
from graphcore import Variable

ROW_BY_ROW_LIMIT = 8
"""Outputs of at most this many (statically known) elements get one graph per element
when ``vectorize`` is None; longer or unknown ones are vectorized."""


def jacobian(
    expression: Any,
    wrt: Variable | Sequence[Variable],
    consider_constant: Iterable[Variable] | None = None,
    disconnected_inputs: DisconnectedPolicy = "raise",
    vectorize: bool | None = None,
) -> Any:
    """d expression / d wrt, of shape ``expression.shape + wrt.shape`` (a list when ``wrt``
    is a list). ``vectorize``: True evaluates all rows in one batched graph, False builds
    one graph per element (needs a static length), None picks by the output's length."""
    import tensorops as pt

    expression = pt.as_tensor(expression)
    single = isinstance(wrt, Variable)
    targets = [wrt] if isinstance(wrt, Variable) else list(wrt)
    constants = list(consider_constant or ())
    if expression.ndim == 0:
        result = grad(expression, targets, constants, disconnected_inputs)
        return result[0] if single else result
    flat = expression.flatten()
    length = flat.type.shape[0]
    if vectorize is None:
        vectorize = length is None or length > ROW_BY_ROW_LIMIT
    if vectorize:
        rows = _vectorized_rows(flat, targets, constants, disconnected_inputs)
    elif length is None:
        raise ValueError(
            "jacobian: vectorize=False needs an expression of static size; "
            f"{expression} has type {expression.type}"
        )
    else:
        rows = _rows_one_by_one(flat, length, targets, constants, disconnected_inputs)
    leading = pt.shape_tuple(expression)
    shaped = [
        pt.reshape(row, (*leading, *pt.shape_tuple(target)))
        for row, target in zip(rows, targets, strict=True)
    ]
    return shaped[0] if single else shaped


def _vectorized_rows(
    flat: Any, targets: list[Variable], constants: list[Variable], policy: DisconnectedPolicy
) -> list[Any]:
    """Rows ``e_iᵀ J`` for every i at once: the Lop graph for a symbolic cotangent, batched
    over the rows of the identity."""
    import tensorops as pt

    cotangent = pt.tensor(dtype=flat.dtype, shape=(None,), name="cotangent")
    products = Lop(
        flat, targets, cotangent, consider_constant=constants, disconnected_inputs=policy
    )
    length = pt.shape_tuple(flat)[0]
    identity = pt.eye(length, dtype=flat.dtype)
    batched = vectorize_graph(list(products), {cotangent: identity})
    return [_stand_in_shapes(row, cotangent, flat) for row in batched]


def _stand_in_shapes(row: Any, cotangent: Variable, flat: Any) -> Any:
    """The batched graph may still read the cotangent's shape (never its values): give it
    a zero vector of the right length."""
    import tensorops as pt
    from graphcore import ancestors, clone_replace

    if cotangent not in set(ancestors([row])):
        return row
    return clone_replace(row, {cotangent: pt.zeros_like(flat)})


def _rows_one_by_one(
    flat: Any,
    length: int,
    targets: list[Variable],
    constants: list[Variable],
    policy: DisconnectedPolicy,
) -> list[Any]:
    """One gradient graph per element, stacked: fine for a few elements."""
    import tensorops as pt

    per_element = [grad(flat[i], targets, constants, policy) for i in range(length)]
    return [pt.stack([grads[k] for grads in per_element]) for k in range(len(targets))]


def hessian(
    cost: Any,
    wrt: Variable | Sequence[Variable],
    consider_constant: Iterable[Variable] | None = None,
    disconnected_inputs: DisconnectedPolicy = "raise",
    vectorize: bool | None = None,
) -> Any:
    """d² cost / d wrt², of shape ``wrt.shape + wrt.shape``: the Jacobian of the gradient
    (one Hessian per variable, a list when ``wrt`` is a list; no cross terms)."""
    single = isinstance(wrt, Variable)
    targets = [wrt] if isinstance(wrt, Variable) else list(wrt)
    results = []
    for target in targets:
        gradient = grad(cost, target, consider_constant, disconnected_inputs)
        results.append(
            jacobian(gradient, target, consider_constant, disconnected_inputs, vectorize)
        )
    return results[0] if single else results


def hessian_vector_product(
    cost: Any,
    wrt: Variable | Sequence[Variable],
    p: Any,
    consider_constant: Iterable[Variable] | None = None,
) -> Any:
    """H p without building H: the vector-Jacobian product of the gradient with ``p``
    (H is symmetric, so pᵀ H = (H p)ᵀ). ``p`` is like ``wrt`` (a list for a list)."""
    single = isinstance(wrt, Variable)
    targets = [wrt] if isinstance(wrt, Variable) else list(wrt)
    directions = [p] if single else list(p)
    if len(directions) != len(targets):
        raise ValueError(
            f"hessian_vector_product: {len(targets)} wrt variables but {len(directions)} vectors"
        )
    gradients = grad(cost, targets, consider_constant, disconnected_inputs="ignore")
    products = Lop(gradients, targets, directions, consider_constant, disconnected_inputs="ignore")
    return products[0] if single else products
