"""The scalar op table used by Elemwise and Composite."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from tensorops.scalar_ops.op import Kernel, ScalarOp
from tensorops.scalar_ops.table import SCALAR_OPS
from tensorops.type import normalize_dtype

__all__ = ["SCALAR_OPS", "Kernel", "ScalarOp", "cast_op", "scalar_op"]


def scalar_op(name: str) -> ScalarOp:
    """The table's row called ``name``."""
    try:
        return SCALAR_OPS[name]
    except KeyError:
        raise KeyError(f"no scalar op named {name!r}; known: {sorted(SCALAR_OPS)}") from None


@functools.cache
def cast_op(dtype: Any) -> ScalarOp:
    """Conversion to ``dtype`` (one scalar op per target dtype)."""
    target = normalize_dtype(dtype)

    def convert(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        if out is None:
            return x.astype(target)
        np.copyto(out, x, casting="unsafe")
        return out

    return ScalarOp(
        f"cast_{target}", convert, 1, "same", kinds="biuf" if target[0] != "c" else "biufc",
        differentiable=target.startswith(("float", "complex")), output_dtype=target,
        display=f"Cast{{{target}}}",
    )  # fmt: skip
