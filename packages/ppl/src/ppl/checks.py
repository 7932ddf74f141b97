"""Parameter checks inside log densities.

``check(logp, condition, "sigma > 0", distribution="Normal")`` passes ``logp`` through
when every entry of ``condition`` holds. Evaluated by ``compile_logp`` and friends a
failed check raises ``ParameterValueError`` naming the distribution and the condition;
a sampler's density replaces each check by ``switch(all(condition), logp, -inf)``
(``checks_as_minus_inf``), so that a proposal outside the parameter space is rejected.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

import tensorops as pt
from autodiff.registry import GradEntry, register_gradient
from graphcore import Apply, Variable
from ppl.rebuild import rebuild
from tensorops.guards import Guard
from tensorops.opsupport import tensor_type


class ParameterValueError(ValueError):
    """A distribution's parameter is outside its domain (``sigma > 0`` failed)."""


class CheckParameter(Guard):
    """``logp`` unchanged when all of ``conditions`` hold; raises ``ParameterValueError``
    otherwise (a ``Guard``, so backends without Python evaluate it themselves)."""

    error = ParameterValueError

    def __str__(self) -> str:
        return f"Check{{{self.message}}}"


@register_gradient(CheckParameter)
def _check_gradient(node: Apply, output_grads: list[Any]) -> list[GradEntry]:
    return [output_grads[0], *(None for _ in node.inputs[1:])]


def check(logp: Any, *conditions: Any, message: str) -> Any:
    """``logp``, guarded by ``conditions`` (symbolic booleans); ``message`` names them."""
    symbolic = [c for c in conditions if not isinstance(c, bool)]
    if any(c is False for c in conditions):
        raise ParameterValueError(message)
    if not symbolic:
        return logp
    return CheckParameter(message)(logp, *symbolic)


def checks_as_minus_inf(outputs: Sequence[Variable]) -> list[Variable]:
    """``outputs`` with every check replaced by ``switch(all(conditions), logp, -inf)``."""

    def as_switch(node: Apply, inputs: list[Variable]) -> list[Variable] | None:
        if not isinstance(node.op, CheckParameter):
            return None
        value, *flags = inputs
        ok = pt.all(flags[0])
        for flag in flags[1:]:
            ok = pt.and_(ok, pt.all(flag))
        minus_inf = np.array(-np.inf, dtype=tensor_type(value).dtype)
        return [pt.switch(ok, value, minus_inf)]

    return rebuild(outputs, as_switch)
