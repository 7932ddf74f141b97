"""The summary table: rows are variable components, columns are statistics."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from samplers.diagnostics.draws import FloatArray


def _format_value(value: float, decimals: int | None) -> str:
    if decimals is None:
        return f"{value:.6g}"
    return f"{value:.{decimals}f}"


class SummaryColumn(Mapping[str, float]):
    """One statistic for every row, read as ``column[row_label]``."""

    def __init__(
        self, name: str, labels: Sequence[str], values: FloatArray, decimals: int | None = None
    ) -> None:
        self.name = name
        self._decimals = decimals
        self._labels = list(labels)
        self._position = {label: i for i, label in enumerate(self._labels)}
        self._values = values

    def __getitem__(self, label: str) -> float:
        if label not in self._position:
            raise KeyError(f"no row {label!r} in column {self.name!r}; rows are {self._labels}")
        return float(self._values[self._position[label]])

    def __iter__(self) -> Iterator[str]:
        return iter(self._labels)

    def __len__(self) -> int:
        return len(self._labels)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> FloatArray:
        return np.array(self._values, dtype=dtype, copy=True)

    def to_numpy(self) -> FloatArray:
        """The column's values in row order."""
        return self._values.copy()

    def __repr__(self) -> str:
        width = max((len(label) for label in self._labels), default=0)
        lines = [
            f"{label:<{width}}  {_format_value(value, self._decimals)}"
            for label, value in self.items()
        ]
        return "\n".join([*lines, f"Name: {self.name}"])


class _RowLocator:
    """``summary.loc[row]`` (a dict of column -> value), ``summary.loc[row, column]``, or a call."""

    def __init__(self, table: Summary) -> None:
        self._table = table

    def __getitem__(self, key: str | tuple[str, str]) -> Any:
        if isinstance(key, tuple):
            row, column = key
            return self._table[column][row]
        return self._table.row(key)

    def __call__(self, row: str) -> dict[str, float]:
        return self._table.row(row)


class Summary:
    """A table read as ``summary[column][row]``, like the DataFrame ``arviz.summary`` returns.

    ``columns`` and ``index`` name the statistics and the rows; ``values`` holds them as a
    (rows, columns) array; ``str(summary)`` prints them aligned.
    """

    def __init__(
        self,
        columns: Sequence[str],
        index: Sequence[str],
        values: FloatArray,
        decimals: Mapping[str, int] | None = None,
    ) -> None:
        self.columns = list(columns)
        self.index = list(index)
        self.values = np.asarray(values, dtype=np.float64).reshape(
            len(self.index), len(self.columns)
        )
        self._decimals = dict(decimals or {})
        self._column_position = {name: i for i, name in enumerate(self.columns)}
        self._row_position = {label: i for i, label in enumerate(self.index)}

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns)."""
        return (len(self.index), len(self.columns))

    @property
    def loc(self) -> _RowLocator:
        """Rows by label: ``summary.loc["mu"]``, ``summary.loc["mu", "mean"]``."""
        return _RowLocator(self)

    def __getitem__(self, column: str) -> SummaryColumn:
        if column not in self._column_position:
            raise KeyError(f"no column {column!r} in the summary; columns are {self.columns}")
        values = self.values[:, self._column_position[column]]
        return SummaryColumn(column, self.index, values, self._decimals.get(column))

    def row(self, label: str) -> dict[str, float]:
        """One row as a dict of column -> value."""
        if label not in self._row_position:
            raise KeyError(f"no row {label!r} in the summary; rows are {self.index}")
        values = self.values[self._row_position[label]]
        return {name: float(value) for name, value in zip(self.columns, values, strict=True)}

    def __contains__(self, column: object) -> bool:
        return column in self._column_position

    def __iter__(self) -> Iterator[str]:
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.index)

    def to_dict(self) -> dict[str, dict[str, float]]:
        """{column: {row: value}}, as ``DataFrame.to_dict()`` gives it."""
        return {column: dict(self[column]) for column in self.columns}

    def to_pandas(self) -> Any:
        """The table as a pandas DataFrame; needs pandas."""
        try:
            import pandas as pd
        except ImportError as error:
            raise ImportError("Summary.to_pandas() needs pandas: pip install pandas") from error
        return pd.DataFrame(self.values.copy(), index=list(self.index), columns=list(self.columns))

    def __str__(self) -> str:
        cells = [
            [
                _format_value(value, self._decimals.get(name))
                for name, value in zip(self.columns, row, strict=True)
            ]
            for row in self.values
        ]
        label_width = max((len(label) for label in self.index), default=0)
        widths = [
            max([len(name)] + [len(row[j]) for row in cells]) for j, name in enumerate(self.columns)
        ]
        header = " " * label_width + "".join(
            f"  {name:>{width}}" for name, width in zip(self.columns, widths, strict=True)
        )
        lines = [header]
        for label, row in zip(self.index, cells, strict=True):
            body = "".join(f"  {cell:>{width}}" for cell, width in zip(row, widths, strict=True))
            lines.append(f"{label:<{label_width}}{body}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)
