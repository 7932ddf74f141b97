"""Every ``In`` form of API.md and the seeds, on tensors, in every mode."""

import numpy as np
import pytest

import graphcore
import tensorops as pt
from graphcore import In

MODES = ["FAST_RUN", "FAST_COMPILE", "DebugMode", "NanGuardMode"]


@pytest.mark.parametrize("mode", MODES)
def test_default_values_and_names_as_the_seed_uses_them(mode):
    x, y, w = pt.dscalars("x", "y", "w")
    z = (x + y) * w
    g = graphcore.function([x, In(y, value=1), In(w, value=2, name="w_by_name")], z, mode=mode)
    assert g(33) == 68.0
    assert g(33, 0, 1) == 33.0
    assert g(33, w_by_name=1) == 34.0
    assert g(33, w_by_name=1, y=0) == 33.0


@pytest.mark.parametrize("mode", MODES)
def test_keyword_call_of_api_md(mode):
    x, y = pt.dscalar("x"), pt.dvector("y")
    f = graphcore.function([x, y], x + y, mode=mode)
    np.testing.assert_allclose(f(x=0, y=[1, 2.7]), [1, 2.7])


@pytest.mark.parametrize("mode", MODES)
def test_input_with_update_keeps_state_between_calls(mode):
    inc = pt.iscalar("inc")
    total = pt.lscalar("total")
    f = graphcore.function([inc, In(total, value=0, update=total + inc)], total, mode=mode)
    assert [int(f(1)), int(f(2)), int(f(3))] == [0, 1, 3]


def test_a_default_of_the_wrong_kind_is_refused_when_compiling():
    x, y = pt.dscalars("x", "y")
    with pytest.raises((TypeError, ValueError), match="input 'y'"):
        graphcore.function([x, In(y, value="one")], x + y)


def test_shared_accumulator_of_the_seed():
    state = graphcore.shared(0)
    inc = pt.iscalar("inc")
    accumulator = graphcore.function([inc], state, updates=[(state, state + inc)])
    assert int(accumulator(1)) == 0 and int(accumulator(300)) == 1
    assert int(state.get_value()) == 301
