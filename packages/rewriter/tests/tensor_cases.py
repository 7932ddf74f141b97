"""Helpers for the tensor rewrite tests: compile with and without rewrites, read op names."""

from __future__ import annotations

from typing import Any

import numpy as np

import graphcore as g


def op_name(op: Any) -> str:
    """An Elemwise by its scalar op's name (``add``), any other op by its class name."""
    scalar = getattr(op, "scalar_op", None)
    return getattr(scalar, "name", None) or type(op).__name__


def op_names(function: Any) -> set[str]:
    return {op_name(node.op) for node in function.maker.fgraph.toposort()}


# FAST_RUN without fusion: fused loops (Composite) would hide which ops the rules left.
UNFUSED = g.get_mode("FAST_RUN").excluding("fusion")


def compiled_pair(inputs: list[Any], output: Any) -> tuple[Any, Any]:
    """The FAST_RUN function and the reference without any rewrite."""
    return g.function(inputs, output, mode="FAST_RUN"), g.function(
        inputs, output, mode="NO_REWRITES"
    )


def unfused(inputs: list[Any], output: Any) -> Any:
    """FAST_RUN's rewrites but fusion, to see the ops the tensor rules leave."""
    return g.function(inputs, output, mode=UNFUSED)


def assert_same_values(fast: Any, reference: Any, values: list[Any], **tolerance: Any) -> None:
    with np.errstate(all="ignore"):  # the reference may take log of a negative on purpose
        got, expected = fast(*values), reference(*values)
    assert np.asarray(got).dtype == np.asarray(expected).dtype
    assert np.shape(got) == np.shape(expected)
    np.testing.assert_allclose(got, expected, equal_nan=True, **tolerance)
