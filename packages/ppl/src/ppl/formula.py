"""Design matrices from Wilkinson formulas, ``'y ~ x1 + x2'``, as patsy builds them.

A formula reads ``response ~ terms``. Terms are joined by ``+``; ``- term`` removes one;
the intercept (a column of ones named ``Intercept``, first) is there unless the formula
says ``- 1`` or ``+ 0``. A term is a column of the data, an expression of columns
(``np.log(x)``, ``I(x ** 2)``; NumPy is ``np``), or an interaction ``a:b`` (the
product); ``a*b`` is ``a + b + a:b``. A column of strings or booleans, or ``C(x)``, is
categorical: one indicator column per level but the first (``x[T.b]``), or per level
(``x[a]``) when there is no intercept to absorb the first. Rows with a missing
(NaN) value are dropped, as patsy drops them. Terms come out as patsy orders them:
the intercept, the main effects, then the interactions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

_CATEGORICAL = re.compile(r"^C\((.*)\)$", re.DOTALL)
_IDENTITY = re.compile(r"^I\((.*)\)$", re.DOTALL)


class FormulaError(ValueError):
    """A formula that cannot be read, or that names what the data does not have."""


@dataclass(frozen=True)
class Design:
    """The response vector and the design matrix (rows, columns) with a label per column."""

    response: NDArray[np.float64]
    response_name: str
    matrix: NDArray[np.float64]
    labels: tuple[str, ...]


def columns_of(data: Any) -> dict[str, NDArray]:
    """A DataFrame's, a mapping's or a structured array's columns as arrays, by name."""
    if hasattr(data, "columns"):
        names = [str(name) for name in data.columns]
    elif isinstance(data, np.ndarray) and data.dtype.names:
        names = list(data.dtype.names)
    elif isinstance(data, Mapping):
        names = [str(name) for name in data]
    else:
        raise TypeError(
            f"formula data must be a dict of columns, a DataFrame or a structured array; "
            f"got {type(data).__name__}"
        )
    columns = {name: np.asarray(data[name]) for name in names}
    lengths = {name: column.shape[0] for name, column in columns.items() if column.ndim >= 1}
    if len(set(lengths.values())) > 1:
        raise FormulaError(f"the data's columns differ in length: {lengths}")
    return columns


def split_top_level(text: str, separators: str) -> Iterator[tuple[str, str]]:
    """``(separator before, piece)`` for the pieces of ``text`` between ``separators`` outside
    parentheses and brackets; the first piece has separator ``""``."""
    depth, start, before = 0, 0, ""
    for position, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth == 0 and char in separators:
            yield before, text[start:position].strip()
            before, start = char, position + 1
    if depth != 0:
        raise FormulaError(f"unbalanced parentheses in {text!r}")
    yield before, text[start:].strip()


def _expand(term: str) -> list[tuple[str, ...]]:
    """A term's factor tuples: ``a*b`` -> (a,), (b,), (a, b); ``a:b`` -> (a, b)."""
    products = [piece for _, piece in split_top_level(term, "*")]
    if not all(products):
        raise FormulaError(f"cannot read the term {term!r}; write a power as I(x ** 2)")
    if len(products) > 1:
        expanded: list[tuple[str, ...]] = [()]
        for product in products:
            factors = tuple(piece for _, piece in split_top_level(product, ":"))
            expanded += [existing + factors for existing in expanded]
        return [factors for factors in expanded if factors]
    return [tuple(piece for _, piece in split_top_level(term, ":"))]


def parse_terms(right: str) -> tuple[bool, list[tuple[str, ...]]]:
    """(intercept?, the terms as factor tuples in patsy's order) of a formula's right side."""
    intercept = True
    terms: list[tuple[str, ...]] = []
    for sign, piece in split_top_level(right, "+-"):
        if not piece:
            if sign == "":  # a formula that starts with '-1'
                continue
            raise FormulaError(f"an empty term in {right!r}")
        if piece in ("0", "1"):
            intercept = (piece == "1") == (sign != "-")
            continue
        for factors in _expand(piece):
            if sign == "-":
                terms = [term for term in terms if term != factors]
            elif factors not in terms:
                terms.append(factors)
    terms.sort(key=len)  # stable: main effects, then interactions, each in formula order
    return intercept, terms


def evaluate(expression: str, columns: Mapping[str, NDArray]) -> NDArray:
    """A factor's values: a column, or an expression of columns with NumPy as ``np``."""
    inner = _IDENTITY.match(expression)
    source = inner.group(1) if inner else expression
    if source in columns:
        return columns[source]
    namespace = {"np": np, "numpy": np, "__builtins__": {"abs": abs, "min": min, "max": max}}
    try:
        value = eval(source, namespace, dict(columns))  # a formula's terms are code, as in patsy
    except NameError as error:
        raise FormulaError(
            f"{expression!r}: {error}; the data has columns {sorted(columns)}"
        ) from error
    except SyntaxError as error:
        raise FormulaError(f"cannot read the term {expression!r} of the formula") from error
    except Exception as error:  # the term's own code failed: say which term
        raise FormulaError(
            f"the term {expression!r} of the formula failed: {type(error).__name__}: {error}"
        ) from error
    return np.asarray(value)


def _is_categorical(values: NDArray) -> bool:
    return values.dtype.kind in "OUSb"


def _factor(expression: str, columns: Mapping[str, NDArray]) -> tuple[NDArray, bool]:
    """(values, categorical?) of one factor."""
    wrapped = _CATEGORICAL.match(expression)
    if wrapped:
        return evaluate(wrapped.group(1), columns), True
    values = evaluate(expression, columns)
    return values, _is_categorical(values)


def _indicators(name: str, values: NDArray, full_rank: bool) -> tuple[list[NDArray], list[str]]:
    """Treatment coding: one 0/1 column per level (but the first unless ``full_rank``)."""
    levels = np.unique(values)
    kept = levels if full_rank else levels[1:]
    labels = [f"{name}[{level}]" if full_rank else f"{name}[T.{level}]" for level in kept]
    return [(values == level).astype(np.float64) for level in kept], labels


def design_matrices(formula: str, data: Any) -> Design:
    """The response and the design matrix of ``formula`` over ``data``'s columns."""
    sides = list(split_top_level(formula, "~"))
    if len(sides) != 2 or not sides[0][1] or not sides[1][1]:
        raise FormulaError(f"a formula reads 'response ~ terms', got {formula!r}")
    columns = columns_of(data)
    response_name, right = sides[0][1], sides[1][1]
    response = evaluate(response_name, columns)
    if _is_categorical(response) and response.dtype.kind != "b":
        raise FormulaError(f"the response {response_name!r} must be numeric")
    intercept, terms = parse_terms(right)
    rows = response.shape[0]
    matrix: list[NDArray] = [np.ones(rows)] if intercept else []
    labels: list[str] = ["Intercept"] if intercept else []
    absorbed = intercept
    for factors in terms:
        values = [_factor(factor, columns) for factor in factors]
        categorical = [is_categorical for _, is_categorical in values]
        if any(categorical) and len(factors) > 1:
            raise FormulaError(
                f"the interaction {':'.join(factors)!r} involves a categorical factor; "
                "add its indicator columns to the data and interact those"
            )
        if categorical[0]:
            new, new_labels = _indicators(factors[0], values[0][0], full_rank=not absorbed)
            absorbed = True
        else:
            product = np.ones(rows)
            for column, _ in values:
                product = product * np.broadcast_to(np.asarray(column, dtype=np.float64), rows)
            new, new_labels = [product], [":".join(factors)]
        matrix += new
        labels += new_labels
    if not matrix:
        raise FormulaError(f"{formula!r} has no terms: the design matrix would have no columns")
    design = np.column_stack(matrix).astype(np.float64)
    observed = np.asarray(response, dtype=np.float64)
    complete = ~(np.isnan(observed) | np.isnan(design).any(axis=1))
    return Design(observed[complete], response_name, design[complete], tuple(labels))
