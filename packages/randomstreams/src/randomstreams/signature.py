"""Core-dimension signatures of random variables, as NumPy's gufuncs write them.

``"(),()->()"`` is a scalar distribution of two scalar parameters;
``"(n),(n,n)->(n)"`` draws vectors of length n from a mean vector and a matrix.
Dimensions left of the core ones are batch dimensions and broadcast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_GROUP = re.compile(r"\(([^()]*)\)")


@dataclass(frozen=True)
class Signature:
    inputs: tuple[tuple[str, ...], ...]
    output: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> Signature:
        left, arrow, right = text.replace(" ", "").partition("->")
        if not arrow:
            raise ValueError(f"signature {text!r} needs '->'")
        groups = [tuple(filter(None, g.split(","))) for g in _GROUP.findall(left)]
        outputs = [tuple(filter(None, g.split(","))) for g in _GROUP.findall(right)]
        if len(outputs) != 1:
            raise ValueError(f"signature {text!r} must have one output")
        return cls(tuple(groups), outputs[0])

    @property
    def ndim_supp(self) -> int:
        return len(self.output)

    @property
    def ndims_params(self) -> tuple[int, ...]:
        return tuple(len(group) for group in self.inputs)

    def __str__(self) -> str:
        left = ",".join(f"({','.join(g)})" for g in self.inputs)
        return f"{left}->({','.join(self.output)})"
