"""A node's scalar program as CUDA statements: table rows, casts and constants.

An ``Elemwise`` applies a table row or a ``Composite`` (the fused program of many
rows) to every element. ``element_program`` turns either into statements computing
one element's outputs from the inputs' element values, or None when some step has no
CUDA row (the node then runs on the host).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from cudagen.scalar_cuda import CUDA_TYPES, Operands, scalar_cuda
from tensorops import Composite, Elemwise
from tensorops.dtypes import upcast

ElementProgram = Callable[[Sequence[str]], tuple[list[str], list[str]]]
"""Input element texts -> (statements, one text per output)."""


def operand_dtypes(scalar_op: object, in_dtypes: Sequence[str], out_dtype: str) -> tuple[str, ...]:
    """The dtype each input is cast to before the op: the result's dtype for the inputs
    that decide it (a comparison: their common dtype), others as they come (a switch's
    condition)."""
    promoted = set(scalar_op.promoted_inputs())  # type: ignore[attr-defined]
    if out_dtype == "bool" and getattr(scalar_op, "output", "") == "bool" and promoted:
        common = upcast(*(in_dtypes[i] for i in sorted(promoted)))
    else:
        common = out_dtype
    return tuple(common if i in promoted else d for i, d in enumerate(in_dtypes))


def literal(value: object, dtype: str) -> str:
    """A CUDA literal of ``value`` as ``dtype`` (exact for floats: 17 or 9 digits)."""
    if dtype == "bool":
        return "true" if value else "false"
    if dtype.startswith("uint"):
        return f"(({CUDA_TYPES[dtype]}){int(value)}ULL)"  # type: ignore[call-overload]
    if dtype.startswith("int"):
        number = int(value)  # type: ignore[call-overload]
        if number == -(2**63):  # its magnitude is no long long literal
            return "((long long)(-9223372036854775807LL - 1))"
        return f"(({CUDA_TYPES[dtype]}){number}LL)"
    number = float(value)  # type: ignore[arg-type]
    ctype = CUDA_TYPES[dtype]
    if math.isnan(number):
        return f"(({ctype})(0.0 / 0.0))"
    if math.isinf(number):
        return f"(({ctype})({'-' if number < 0 else ''}1.0 / 0.0))"
    text = f"{number:.9g}" if dtype == "float32" else f"{number:.17g}"
    if not any(c in text for c in ".e"):
        text += ".0"
    return text + ("f" if dtype == "float32" else "")


def cast_expression(arg: str, in_dtype: str, out_dtype: str) -> str | None:
    """NumPy's ``astype`` of one value: to bool means nonzero."""
    if in_dtype not in CUDA_TYPES or out_dtype not in CUDA_TYPES:
        return None
    if out_dtype == "bool":
        return f"(bool)({arg} != 0)"
    return f"(({CUDA_TYPES[out_dtype]}){arg})"


def step_expression(
    scalar_op: object, args: Sequence[str], in_dtypes: Sequence[str], out_dtype: str
) -> str | None:
    """CUDA for a table row or a cast applied to argument texts of ``in_dtypes``."""
    name: str = scalar_op.name  # type: ignore[attr-defined]
    if name.startswith("cast_"):
        return cast_expression(args[0], in_dtypes[0], out_dtype)
    operands = operand_dtypes(scalar_op, in_dtypes, out_dtype)
    if any(d not in CUDA_TYPES for d in (*operands, out_dtype)):
        return None
    cast = [
        arg if dtype == target else f"(({CUDA_TYPES[target]}){arg})"
        for arg, dtype, target in zip(args, in_dtypes, operands, strict=True)
    ]
    promoted = sorted(scalar_op.promoted_inputs())  # type: ignore[attr-defined]
    kind_dtypes = tuple(operands[i] for i in promoted) or operands
    return scalar_cuda(name, cast, Operands(kind_dtypes, out_dtype))


def composite_program(
    composite: Composite, values: Sequence[str]
) -> tuple[list[str], list[str]] | None:
    """Statements computing each step into a local ``t<k>``, and the outputs' texts."""
    slots = list(values)
    for constant in composite.constants:
        dtype = str(constant.dtype)
        if dtype not in CUDA_TYPES:
            return None
        slots.append(literal(constant.item(), dtype))
    statements = []
    for index, step in enumerate(composite.steps):
        out_dtype = composite.slot_dtypes[composite.step_slot(index)]
        in_dtypes = [composite.slot_dtypes[a] for a in step.arguments]
        text = step_expression(step.op, [slots[a] for a in step.arguments], in_dtypes, out_dtype)
        if text is None:
            return None
        statements.append(f"const {CUDA_TYPES[out_dtype]} t{index} = {text};")
        slots.append(f"t{index}")
    return statements, [slots[slot] for slot in composite.output_slots]


def element_program(
    op: Elemwise, in_dtypes: Sequence[str], out_dtypes: Sequence[str]
) -> ElementProgram | None:
    """The node's scalar program on element texts; None when some step has no CUDA."""
    scalar_op = op.scalar_op

    def program(values: Sequence[str]) -> tuple[list[str], list[str]] | None:
        if isinstance(scalar_op, Composite):
            return composite_program(scalar_op, values)
        if len(out_dtypes) != 1:
            return None
        text = step_expression(scalar_op, values, in_dtypes, out_dtypes[0])
        return None if text is None else ([], [text])

    if any(d not in CUDA_TYPES for d in (*in_dtypes, *out_dtypes)):
        return None
    if program([f"x{k}" for k in range(len(in_dtypes))]) is None:
        return None

    def checked(values: Sequence[str]) -> tuple[list[str], list[str]]:
        made = program(values)
        assert made is not None
        return made

    return checked
