"""The op table: every family's rows, checked for values and for infer_shape."""

from __future__ import annotations

import pytest

from tensorops.testing import ALL_CASES
from tensorops.testing.case import OpCase
from tensorops.testing.harness import check_infer_shape, check_values


@pytest.mark.parametrize("case", ALL_CASES, ids=str)
def test_values(case: OpCase) -> None:
    check_values(case)


@pytest.mark.parametrize("case", ALL_CASES, ids=str)
def test_infer_shape(case: OpCase) -> None:
    check_infer_shape(case)
