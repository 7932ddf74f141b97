"""Mistakes are reported where they are made, naming what was expected and what came."""

from __future__ import annotations

import re

import numpy as np
import pytest

import tensorops as pt
from graphcore import function
from scanloop import scan


def _step_two_outputs(prior):  # type: ignore[no-untyped-def]
    return prior + 1, prior * 2


def test_wrong_number_of_outputs_names_the_step_function_and_its_line() -> None:
    with pytest.raises(ValueError, match=r"_step_two_outputs \(.*test_errors.py:\d+\) returned 2"):
        scan(_step_two_outputs, outputs_info=pt.zeros(()), n_steps=3)


def test_wrong_dtype_of_a_recurrent_output_names_both_types() -> None:
    with pytest.raises(TypeError, match=r"output 0 of the step function .* is .*float64.*int32"):
        scan(lambda prior: prior * 1.5, outputs_info=pt.constant(0, dtype="int32"), n_steps=3)


def test_wrong_rank_of_a_recurrent_output() -> None:
    with pytest.raises(TypeError, match=r"output 0 .*Vector.*initial value"):
        scan(lambda prior: pt.stack([prior, prior]), outputs_info=pt.zeros(()), n_steps=3)


def test_no_sequences_and_no_n_steps() -> None:
    with pytest.raises(ValueError, match="give n_steps or at least one sequence"):
        scan(lambda prior: prior + 1, outputs_info=pt.zeros(()))


@pytest.mark.parametrize("mode", ["FAST_COMPILE", "FAST_RUN"])
def test_n_steps_longer_than_a_sequence_names_both_lengths(mode: str) -> None:
    x, k = pt.dvector("x"), pt.iscalar("k")
    out, _ = scan(lambda v: v + 1, sequences=x, n_steps=k)
    f = function([x, k], out, mode=mode)
    with pytest.raises(
        ValueError, match=re.escape("n_steps is 5, but sequence 0 has only 3 entries")
    ):
        f(np.zeros(3), 5)


@pytest.mark.parametrize("mode", ["FAST_COMPILE", "FAST_RUN"])
def test_negative_n_steps(mode: str) -> None:
    k = pt.iscalar("k")
    out, _ = scan(lambda prior: prior + 1, outputs_info=pt.zeros(()), n_steps=k)
    with pytest.raises(ValueError, match="n_steps must be at least 0, got -2"):
        function([k], out, mode=mode)(-2)


def test_strict_refuses_outer_values_not_passed() -> None:
    a = pt.dscalar("a")
    with pytest.raises(ValueError, match="strict=True"):
        scan(lambda prior: prior * a, outputs_info=pt.zeros(()), n_steps=2, strict=True)
    scan(
        lambda prior, a: prior * a,
        outputs_info=pt.zeros(()),
        non_sequences=a,
        n_steps=2,
        strict=True,
    )


def test_taps_without_initial_value() -> None:
    with pytest.raises(ValueError, match="has taps but no initial value"):
        scan(lambda: pt.zeros(()), outputs_info=[dict(initial=None, taps=[-2])], n_steps=2)


def test_sequence_must_have_an_axis() -> None:
    with pytest.raises(TypeError, match="sequence 0 must have at least one dimension"):
        scan(lambda v: v, sequences=pt.dscalar("s"))


def test_wrong_shape_of_a_recurrent_output_is_found_when_building() -> None:
    with pytest.raises(
        ValueError, match=r"output 0 of the step function .* has shape \(4,\).*\(3,\)"
    ):
        scan(lambda prior: pt.concatenate([prior, prior[:1]]), outputs_info=pt.zeros(3), n_steps=2)


@pytest.mark.parametrize("mode", ["FAST_COMPILE", "FAST_RUN"])
def test_a_state_changing_shape_at_run_time(mode: str) -> None:
    h0 = pt.dvector("h0")
    out, _ = scan(
        lambda prior: pt.concatenate([prior, prior])[: prior.shape[0] + 1],
        outputs_info=h0,
        n_steps=2,
    )
    with pytest.raises(ValueError, match="output 0 has shape"):
        function([h0], out, mode=mode)(np.zeros(2))
