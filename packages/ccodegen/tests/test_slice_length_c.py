"""SliceLength in C: Python's ``len(range(n)[start:stop:step])`` for every bound given or not."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import tensorops as pt
from graphcore import function
from tensorops.indexing.basic import SliceLength

FLAGS = list(itertools.product([False, True], repeat=3))


@pytest.fixture(scope="module")
def lengths():
    n, start, stop, step = (pt.lscalar(name) for name in ("n", "start", "stop", "step"))
    outputs = []
    for flags in FLAGS:
        parts = [part for part, flag in zip((start, stop, step), flags, strict=True) if flag]
        outputs.append(SliceLength(*flags)(n, *parts))
    f = function([n, start, stop, step], outputs, on_unused_input="ignore")
    assert f.maker.linker.name == "c"
    return f


def test_every_bound_clips_as_python_does(lengths) -> None:
    values = range(-7, 8)
    for n in (0, 1, 5):
        for start, stop, step in itertools.product(values, values, [-3, -1, 1, 2, 5]):
            got = lengths(n, start, stop, step)
            for flags, length in zip(FLAGS, got, strict=True):
                given = [v if f else None for v, f in zip((start, stop, step), flags, strict=True)]
                assert int(length) == len(range(n)[slice(*given)]), (n, given)
                assert np.asarray(length).dtype == np.int64


def test_a_zero_step_is_an_error(lengths) -> None:
    with pytest.raises(ValueError, match="slice step cannot be zero"):
        lengths(5, 0, 3, 0)
