"""Op-table rows for elementwise ops: every scalar op of the table over several dtypes
and shapes (scalar, vector, matrix, empty, broadcasting), with values in each op's
domain; plus casts, weak Python scalars, Composite and DimShuffle."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import numpy as np

import tensorops as pt
from tensorops.math import python_name
from tensorops.scalar_ops import SCALAR_OPS, ScalarOp
from tensorops.testing.case import OpCase, ValueMaker
from tensorops.testing.harness import CHECK_DTYPE

Shape = tuple[int, ...]

# Float ranges and, where meaningful, integer ranges of each input domain.
FLOAT_RANGES = {
    "real": (-2.0, 2.0), "positive": (0.5, 2.0), "unit": (-0.9, 0.9), "above_one": (1.1, 3.0),
    "probability": (0.05, 0.95), "erfc_range": (0.1, 1.9), "negative": (-3.0, -0.05),
    "exponent": (-2.0, 2.0), "low": (-1.5, -0.3), "high": (0.3, 1.5),
}  # fmt: skip
INT_RANGES = {
    "real": (-5, 6), "positive": (1, 6), "negative": (-4, 0), "above_one": (2, 6),
    "exponent": (0, 4), "shift": (0, 5), "low": (-3, 0), "high": (1, 4),
}  # fmt: skip

# Input domains of the rows that need more than any real number.
DOMAINS: dict[str, tuple[str, ...]] = {
    "true_div": ("real", "nonzero"), "int_div": ("real", "nonzero"), "mod": ("real", "nonzero"),
    "pow": ("positive", "exponent"), "reciprocal": ("nonzero",),
    "log": ("positive",), "log2": ("positive",), "log10": ("positive",), "log1p": ("positive",),
    "sqrt": ("positive",), "tan": ("unit",), "arcsin": ("unit",), "arccos": ("unit",),
    "arctanh": ("unit",), "arccosh": ("above_one",), "logit": ("probability",),
    "erfinv": ("unit",), "erfcinv": ("erfc_range",), "log1mexp": ("negative",),
    "gamma": ("positive",), "gammaln": ("positive",), "digamma": ("positive",),
    "polygamma": ("order", "positive"), "betaln": ("positive", "positive"),
    "gammainc": ("positive", "positive"), "gammaincc": ("positive", "positive"),
    "betainc": ("positive", "positive", "probability"),
    "xlogx": ("positive",), "xlogy0": ("real", "positive"),
    "left_shift": ("real", "shift"), "right_shift": ("real", "shift"),
    "clip": ("real", "low", "high"), "switch": ("condition", "real", "real"),
}  # fmt: skip

# Rows whose result dtype on integers differs between NumPy versions (rint and
# floor gave float64 before NumPy 2.3), or whose SciPy function returns float64
# for float32 (not a ufunc): values are checked, dtypes by the table's rule only.
LOOSE_DTYPE = {"round", "floor", "ceil", "trunc", "polygamma"}


def _maker(domain: str, dtype: str, shape: Shape) -> ValueMaker | None:
    """Values of ``domain`` as arrays of ``dtype``; None when the domain has none."""
    if domain == "condition":
        return lambda rng: rng.uniform(size=shape) < 0.5
    if domain == "order":
        return lambda rng: rng.integers(0, 3, size=shape).astype("int64")
    kind = np.dtype(dtype).kind
    if kind == "b":
        return (lambda rng: rng.uniform(size=shape) < 0.5) if domain == "real" else None
    if domain == "nonzero":
        magnitude = _maker("positive", dtype, shape)
        assert magnitude is not None
        return lambda rng: magnitude(rng) * rng.choice(np.array([-1, 1], dtype=dtype), size=shape)
    if kind in "iu":
        if domain not in INT_RANGES:
            return None
        low, high = INT_RANGES[domain]
        if kind == "u":
            low = max(low, 0)
        return lambda rng: rng.integers(low, high, size=shape).astype(dtype)
    low_f, high_f = FLOAT_RANGES[domain]
    if kind == "c":
        return lambda rng: (rng.uniform(low_f, high_f, size=shape)
                            + 0.3j * rng.uniform(-1, 1, size=shape)).astype(dtype)  # fmt: skip
    return lambda rng: rng.uniform(low_f, high_f, size=shape).astype(dtype)


def _reference(op: ScalarOp, dtype: str) -> Callable[..., Any]:
    """NumPy/SciPy's function; float rows compute integers in float64 (our promise)."""
    promote = op.output in ("float", "real_float") and np.dtype(dtype).kind in "biu"
    promoted = set(op.promoted_inputs())

    def reference(*values: np.ndarray) -> np.ndarray:
        if promote:
            values = tuple(
                v.astype("float64") if i in promoted else v for i, v in enumerate(values)
            )
        result = np.asarray(op.function(*values))
        if op.name in LOOSE_DTYPE:
            result = result.astype(op.output_dtypes([v.dtype.name for v in values])[0])
        return result

    return reference


def _cases_for(op: ScalarOp) -> list[OpCase]:
    domains = DOMAINS.get(op.name, ("real",) * op.nin)
    public = getattr(pt, python_name(op.name))
    layouts: list[tuple[str, str, list[Shape]]] = [
        ("matrix", "float64", [(3, 4)] * op.nin),
        ("vector", "float32", [(5,)] * op.nin),
        ("scalar", "float64", [()] * op.nin),
        ("empty", "float64", [(0,)] * op.nin),
        ("broadcast", "float64", [((3, 1), (1, 4), (1, 1))[i % 3] for i in range(op.nin)]),
        ("vector", "int64", [(5,)] * op.nin),
        ("vector", "int8", [(5,)] * op.nin),
        ("vector", "bool", [(5,)] * op.nin),
        ("vector", "complex128", [(4,)] * op.nin),
    ]
    cases = []
    for label, dtype, shapes in layouts:
        if np.dtype(dtype).kind not in op.kinds:
            continue
        makers = [
            _maker(domain, dtype, shape) for domain, shape in zip(domains, shapes, strict=True)
        ]
        if any(maker is None for maker in makers):
            continue
        floating = np.dtype(dtype).kind in "fc"
        cases.append(
            OpCase(
                name=f"{op.name}_{dtype}_{label}",
                build=public,
                reference=_reference(op, dtype),
                inputs=makers,  # type: ignore[arg-type]
                grad=op.differentiable and floating and dtype != "complex128",
                grad_inputs=op.grad_inputs,
                tags=frozenset(
                    {"elemwise", op.name, *([] if op.name in LOOSE_DTYPE else [CHECK_DTYPE])}
                ),
            )
        )
    return cases


def _uniform(
    shape: Shape, dtype: str = "float64", low: float = -2.0, high: float = 2.0
) -> ValueMaker:
    return lambda rng: rng.uniform(low, high, size=shape).astype(dtype)


def _ints(shape: Shape, dtype: str, low: int = -5) -> ValueMaker:
    return lambda rng: rng.integers(low, 6, size=shape).astype(dtype)


def _row(name: str, build: Callable[..., Any], reference: Callable[..., Any], *inputs: ValueMaker,
         grad: bool = True) -> OpCase:  # fmt: skip
    return OpCase(
        name, build, reference, list(inputs), grad=grad, tags=frozenset({"elemwise", CHECK_DTYPE})
    )


def _same(name: str, expression: Callable[..., Any], *inputs: ValueMaker) -> OpCase:
    floating = all(np.asarray(make(np.random.default_rng(0))).dtype.kind == "f" for make in inputs)
    return _row(name, expression, expression, *inputs, grad=floating)


def _cast_row(source: str, target: str, values: ValueMaker) -> OpCase:
    differentiable = target.startswith(("float", "complex"))
    return _row(f"cast_{source}_to_{target}", lambda x: pt.cast(x, target),
                lambda x: x.astype(target), values, grad=differentiable)  # fmt: skip


def _composite(x: Any, y: Any) -> Any:
    """exp(x) * y + 1 and x - y, fused into one Composite over scalars, applied to arrays."""
    a, b = pt.dscalar("a"), pt.dscalar("b")
    fused = pt.Elemwise(pt.Composite([a, b], [pt.exp(a) * b + 1.0, a - b]))
    return fused(x, y)


def _extra_cases() -> list[OpCase]:
    """Casts, NumPy 2's weak Python scalars, mixed dtypes, Composite and DimShuffle."""
    vec, mat = (5,), (3, 4)
    return [
        _cast_row("float64", "int32", _uniform(vec, low=-9, high=9)),
        _cast_row("int64", "float32", _ints(vec, "int64")),
        _cast_row("bool", "float64", lambda rng: rng.uniform(size=vec) < 0.5),
        _cast_row("float32", "complex128", _uniform(vec, "float32")),
        # The same expression on tensors and on arrays: NumPy 2's promotion is the reference.
        _same("weak_int8_plus_1", lambda x: x + 1, _ints(vec, "int8")),
        _same("weak_float32_times_half", lambda x: x * 0.5, _uniform(vec, "float32")),
        _same("weak_int8_plus_float", lambda x: x + 1.5, _ints(vec, "int8")),
        _same("weak_reflected_sub", lambda x: 2 - x, _uniform(mat, "float32")),
        _same("weak_int16_lt_large", lambda x: x < 100000, _ints(vec, "int16")),
        _same("mixed_int8_plus_float32", operator.add, _ints(vec, "int8"),
              _uniform(vec, "float32")),
        _same("mixed_int32_true_div", operator.truediv, _ints(vec, "int32"),
              _ints(vec, "int32", 1)),
        _same("mixed_float32_div_int64", operator.truediv, _uniform(vec, "float32"),
              _ints(vec, "int64", 1)),
        _row("where_float32", lambda c, x: pt.where(c, x, 0.0), lambda c, x: np.where(c, x, 0.0),
             lambda rng: rng.uniform(size=mat) < 0.5, _uniform(mat, "float32")),
        _row("round_half_away", lambda x: pt.round(x, "half_away_from_zero"),
             lambda x: np.sign(x) * np.floor(np.abs(x) + 0.5),
             lambda rng: rng.integers(-8, 8, size=vec) / 2.0, grad=False),
        _row("isclose", pt.isclose, np.isclose,
             lambda rng: np.array([1.0, np.inf, np.nan, 0.0, 1e-9]),
             lambda rng: np.array([1.0 + 1e-9, np.inf, np.nan, 1e-3, 0.0]), grad=False),
        _row("composite_two_outputs", _composite,
             lambda x, y: [np.exp(x) * y + 1.0, x - y], _uniform((3, 1)), _uniform((1, 4))),
        _row("composite_vector", _composite, lambda x, y: [np.exp(x) * y + 1.0, x - y],
             _uniform(vec), _uniform(vec)),
        _row("transpose", lambda x: x.T, lambda x: x.T, _uniform((2, 3, 4))),
        _row("transpose_axes", lambda x: x.transpose(1, 2, 0), lambda x: x.transpose(1, 2, 0),
             _uniform((2, 3, 4))),
        _row("dimshuffle_expand", lambda x: x.dimshuffle("x", 1, "x", 0),
             lambda x: x.T[None, :, None, :], _uniform(mat)),
        _row("dimshuffle_drop", lambda x: x.dimshuffle(1), lambda x: x[0], _uniform((1, 4))),
        _row("dimshuffle_drop_all", lambda x: x.dimshuffle(), lambda x: x.reshape(()),
             _uniform((1, 1))),
        _row("dimshuffle_empty", lambda x: x.dimshuffle(1, "x", 0), lambda x: x.T[:, None, :],
             _uniform((0, 3))),
    ]  # fmt: skip


CASES: list[OpCase] = [
    case for op in SCALAR_OPS.values() for case in _cases_for(op)
] + _extra_cases()
