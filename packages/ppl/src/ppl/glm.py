"""``pm.glm``: generalized linear models from a formula, as PyMC 3's glm module made them.

Inside a model context, ``pm.glm.GLM.from_formula('y ~ x', data)`` (or ``pm.glm('y ~ x',
data)``; this module is callable) declares one free variable per column of the design
matrix, named after it (``Intercept``, ``x``), and the likelihood of the response as the
observed variable ``y``, with the family's other parameters (``sd`` for the normal
family). PyMC 3's default priors: ``Intercept ~ Flat()``, each regressor
``~ Normal(mu=0, tau=1e-6)``; ``priors={"x": ..., "Regressor": ..., "Intercept": ...}``
replaces them. ``vars={"x": var}`` uses an existing variable for a coefficient. With
``name="g"`` the variables go into a nested model (``g::Intercept``).
"""

from __future__ import annotations

import sys
import types
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

import tensorops as pt
from ppl import distributions as dists
from ppl import glm_families as families
from ppl.formula import columns_of, design_matrices
from ppl.glm_families import Family, Prior, declare_prior, family_of
from ppl.model.core import Model


def _matrix_and_labels(x: Any, labels: Sequence[str] | None) -> tuple[NDArray, list[str]]:
    """The predictors as a (rows, columns) float matrix, and a label per column."""
    if hasattr(x, "columns") or isinstance(x, Mapping):
        columns = columns_of(x)
        matrix = np.column_stack([np.asarray(v, dtype=np.float64) for v in columns.values()])
        names = list(columns)
    else:
        matrix = np.asarray(x, dtype=np.float64)
        if matrix.ndim == 1:
            matrix = matrix[:, None]
        if matrix.ndim != 2:
            raise ValueError(f"glm: x must be a matrix (rows, columns), got shape {matrix.shape}")
        names = [f"x{i}" for i in range(matrix.shape[1])]
    if labels is not None:
        names = [str(label) for label in labels]
        if len(names) != matrix.shape[1]:
            raise ValueError(f"glm: {len(names)} labels for {matrix.shape[1]} columns of x")
    return matrix, names


class LinearComponent:
    """The linear predictor ``y_est = x @ coeffs + offset``, one coefficient per column."""

    default_regressor_prior: Any = Prior(dists.Normal, mu=0.0, tau=1.0e-6)
    default_intercept_prior: Any = Prior(dists.Flat)

    def __init__(
        self,
        x: Any,
        y: Any,
        intercept: bool = True,
        labels: Sequence[str] | None = None,
        priors: Mapping[str, Any] | None = None,
        vars: Mapping[str, Any] | None = None,
        name: str = "",
        model: Model | None = None,
        offset: Any = 0.0,
    ):
        parent = Model.get_context(model, "pm.glm")
        self.model = Model(name=name, model=parent) if name else parent
        matrix, column_labels = _matrix_and_labels(x, labels)
        if intercept:
            matrix = np.column_stack([np.ones(matrix.shape[0]), matrix])
            column_labels = ["Intercept", *column_labels]
        self.x = matrix
        self.y = np.asarray(y)
        self.labels = column_labels
        if self.y.shape[0] != matrix.shape[0]:
            raise ValueError(f"glm: y has {self.y.shape[0]} rows, x has {matrix.shape[0]}")
        chosen = dict(priors or {})
        given = dict(vars or {})
        coefficients = []
        for label in column_labels:
            if label in given:
                coefficients.append(pt.as_tensor(given[label]))
                continue
            if label == "Intercept":
                prior = chosen.get(label, self.default_intercept_prior)
            else:
                prior = chosen.get(label, chosen.get("Regressor", self.default_regressor_prior))
            coefficients.append(pt.as_tensor(declare_prior(self.model, label, prior)))
        self.coeffs = pt.stack(coefficients)
        self.y_est = pt.dot(pt.as_tensor(matrix), self.coeffs) + offset

    @classmethod
    def from_formula(
        cls,
        formula: str,
        data: Any,
        priors: Mapping[str, Any] | None = None,
        vars: Mapping[str, Any] | None = None,
        name: str = "",
        model: Model | None = None,
        offset: Any = 0.0,
        **kwargs: Any,
    ) -> Any:
        """The component of ``formula`` (``'y ~ x1 + x2'``) over ``data``'s columns."""
        design = design_matrices(formula, data)
        return cls(
            design.matrix,
            design.response,
            intercept=False,
            labels=design.labels,
            priors=priors,
            vars=vars,
            name=name,
            model=model,
            offset=offset,
            **kwargs,
        )

    def __getitem__(self, name: str) -> Any:
        return self.model[name]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(coefficients {self.labels}, {self.x.shape[0]} rows)"


class GLM(LinearComponent):
    """A linear component and the family's likelihood of the response (observed ``y``)."""

    def __init__(
        self,
        x: Any,
        y: Any,
        intercept: bool = True,
        labels: Sequence[str] | None = None,
        priors: Mapping[str, Any] | None = None,
        vars: Mapping[str, Any] | None = None,
        family: str | Family = "normal",
        name: str = "",
        model: Model | None = None,
        offset: Any = 0.0,
    ):
        super().__init__(x, y, intercept, labels, priors, vars, name, model, offset)
        self.family = family_of(family)
        self.likelihood = self.family.create_likelihood("", self.y_est, self.y, self.model)

    def __repr__(self) -> str:
        return (
            f"GLM(coefficients {self.labels}, family {type(self.family).__name__}, "
            f"{self.x.shape[0]} rows)"
        )


def glm(formula: str, data: Any, **kwargs: Any) -> GLM:
    """``GLM.from_formula(formula, data, ...)``: PyMC 3.0's ``pm.glm.glm``."""
    return GLM.from_formula(formula, data, **kwargs)


class _CallableModule(types.ModuleType):
    """``pm.glm('y ~ x', data)`` as well as ``pm.glm.GLM``: the module calls ``glm``."""

    def __call__(self, formula: str, data: Any, **kwargs: Any) -> GLM:
        return glm(formula, data, **kwargs)


sys.modules[__name__].__class__ = _CallableModule

__all__ = ["GLM", "LinearComponent", "Prior", "families", "glm"]
