"""Trace: indexing, slicing, get_values, derived values, files and ArviZ."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

from samplers.metropolis import Metropolis
from samplers.runner import sample
from samplers.trace import Trace

CHAINS, DRAWS = 3, 10


def make_trace() -> Trace:
    """x (chains, draws, 2) whose value encodes (chain, draw), and two statistics."""
    chain = np.arange(CHAINS)[:, None]
    draw = np.arange(DRAWS)[None, :]
    x = np.stack([100.0 * chain + draw, -(100.0 * chain + draw)], axis=-1)
    return Trace(
        {"x": x, "k": (chain * DRAWS + draw).astype(np.int64)},
        {"diverging": (draw % 4 == 0) & (chain == 1), "accept": np.full((CHAINS, DRAWS), 0.5)},
    )


def test_shapes_names_and_concatenation_order():
    trace = make_trace()
    assert trace.nchains == CHAINS and len(trace) == DRAWS
    assert trace.varnames == ["x", "k"] and trace.stat_names == ["diverging", "accept"]
    assert trace.posterior["x"].shape == (CHAINS, DRAWS, 2)
    assert trace["x"].shape == (CHAINS * DRAWS, 2)
    # chain after chain: row c * DRAWS + d is draw d of chain c
    np.testing.assert_array_equal(trace["x"][DRAWS + 3], [103.0, -103.0])
    np.testing.assert_array_equal(trace["k"], np.arange(CHAINS * DRAWS))
    assert trace["diverging"].shape == (CHAINS * DRAWS,)
    assert trace["diverging"].sum() == 3
    assert trace.stats["diverging"].shape == (CHAINS, DRAWS)
    assert "x" in trace and "accept" in trace and "y" not in trace


@pytest.mark.parametrize(
    ("key", "draws_kept"),
    [
        (slice(4, None), list(range(4, 10))),
        (slice(None, 3), [0, 1, 2]),
        (slice(1, 9, 3), [1, 4, 7]),
    ],
)
def test_slicing_drops_draws_of_every_chain(key, draws_kept):
    sliced = make_trace()[key]
    assert isinstance(sliced, Trace)
    assert len(sliced) == len(draws_kept) and sliced.nchains == CHAINS
    np.testing.assert_array_equal(sliced.posterior["x"][2, :, 0], 200.0 + np.array(draws_kept))
    assert sliced.stats["accept"].shape == (CHAINS, len(draws_kept))


@pytest.mark.parametrize(
    ("options", "expected_draws"),
    [
        ({}, [c * 100 + d for c in range(3) for d in range(10)]),
        ({"chains": [0]}, list(range(10))),
        ({"chains": 2, "burn": 7}, [207, 208, 209]),
        ({"chains": [2, 0], "burn": 5, "thin": 2}, [205, 207, 209, 5, 7, 9]),
    ],
)
def test_get_values(options, expected_draws):
    values = make_trace().get_values("x", **options)
    np.testing.assert_array_equal(values[:, 0], expected_draws)


def test_get_values_per_chain_and_of_statistics():
    trace = make_trace()
    per_chain = trace.get_values("x", burn=8, combine=False)
    assert [part[:, 0].tolist() for part in per_chain] == [[8, 9], [108, 109], [208, 209]]
    assert trace.get_values("diverging", chains=[1]).sum() == 3
    assert trace.get_sampler_stats("accept", chains=0).shape == (DRAWS,)
    with pytest.raises(KeyError, match="diverging"):
        trace.get_sampler_stats("x")
    with pytest.raises(IndexError, match="chains"):
        trace.get_values("x", chains=[5])


def test_unknown_names_list_what_exists():
    trace = make_trace()
    with pytest.raises(
        KeyError, match=r"no variable or statistic named 'y'.*'x', 'k'.*'diverging'"
    ):
        trace["y"]
    with pytest.raises(KeyError, match=r"no variable named 'z'.*\['k', 'x'\]"):
        trace.posterior["z"]
    with pytest.raises(KeyError, match=r"no statistic named 'energy'"):
        trace.stats["energy"]
    with pytest.raises(TypeError, match="slice"):
        trace[3]


def test_add_values_for_derived_quantities():
    trace = make_trace()
    trace.add_values("x_sum", trace.posterior["x"].sum(axis=-1))
    np.testing.assert_array_equal(trace["x_sum"], np.zeros(CHAINS * DRAWS))
    with pytest.raises(ValueError, match="already has"):
        trace.add_values("x", trace.posterior["x"])
    with pytest.raises(ValueError, match=r"expected shape \(3, 10, \.\.\.\)"):
        trace.add_values("bad", np.zeros((2, 10)))


def test_mismatched_arrays_are_refused():
    with pytest.raises(ValueError, match="chains of"):
        Trace({"a": np.zeros((2, 5)), "b": np.zeros((2, 6))})


def test_save_load_round_trip(tmp_path):
    trace = make_trace()
    trace.warmup = make_trace()[:4]
    trace.attrs["sampling_time"] = 1.5
    path = tmp_path / "trace.npz"
    trace[2:].save(path)
    loaded = Trace.load(path)
    assert loaded.varnames == ["x", "k"] and loaded.stat_names == ["diverging", "accept"]
    np.testing.assert_array_equal(loaded.posterior["x"], trace.posterior["x"][:, 2:])
    assert loaded.stats["diverging"].dtype == np.bool_
    assert loaded.posterior["k"].dtype == np.int64
    assert loaded.warmup is not None and len(loaded.warmup) == 4
    assert loaded.attrs == {"sampling_time": 1.5}
    assert os.listdir(tmp_path) == ["trace.npz"]


def test_load_refuses_other_files(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, a=np.zeros(3))
    with pytest.raises(ValueError, match="not a trace"):
        Trace.load(path)


def test_failed_save_leaves_no_partial_file(tmp_path, monkeypatch):
    path = tmp_path / "trace.npz"
    path.write_bytes(b"the previous trace")

    def write_half_then_fail(file, **arrays):
        file.write(b"PK\x03\x04 half an archive")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", write_half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        make_trace().save(path)
    assert path.read_bytes() == b"the previous trace"
    assert os.listdir(tmp_path) == ["trace.npz"]
    fresh = tmp_path / "fresh.npz"
    with pytest.raises(OSError, match="disk full"):
        make_trace().save(fresh)
    assert not fresh.exists()
    assert os.listdir(tmp_path) == ["trace.npz"]


def test_to_inference_data_without_arviz_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "arviz", None)  # makes "import arviz" raise ImportError
    with pytest.raises(ImportError, match="pip install arviz"):
        make_trace().to_inference_data()


def test_to_inference_data_with_arviz():
    pytest.importorskip("arviz")
    trace = make_trace()
    trace.warmup = make_trace()[:4]
    data = trace.to_inference_data()
    assert data.posterior["x"].shape == (CHAINS, DRAWS, 2)
    np.testing.assert_array_equal(data.posterior["x"].values, trace.posterior["x"])
    assert data.sample_stats["diverging"].values.sum() == 3
    assert data.warmup_posterior["x"].shape == (CHAINS, 4, 2)


def labelled_trace() -> Trace:
    rng = np.random.default_rng(7)
    return Trace(
        {"x": rng.normal(size=(2, 6, 3))},
        {"diverging": np.zeros((2, 6), dtype=bool)},
        coords={"group": ["a", "b", "c"]},
        dims={"x": ["group"], "y": ["group"]},
        data_groups={"observed_data": {"y": np.array([1.0, 2.0, 3.0])}},
    )


def test_coords_dims_and_data_groups_survive_slicing_and_files(tmp_path):
    trace = labelled_trace()
    later = trace[2:]
    assert later.coords == {"group": ["a", "b", "c"]}
    assert later.dims["x"] == ["group"]
    np.testing.assert_array_equal(later.data_groups["observed_data"]["y"], [1.0, 2.0, 3.0])
    trace.save(tmp_path / "labelled.npz")
    loaded = Trace.load(tmp_path / "labelled.npz")
    assert loaded.coords == trace.coords and loaded.dims == trace.dims
    np.testing.assert_array_equal(loaded.data_groups["observed_data"]["y"], [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(loaded.posterior["x"], trace.posterior["x"])


def test_numeric_coords_keep_their_values_in_files(tmp_path):
    trace = Trace({"x": np.zeros((1, 2, 3))}, coords={"year": np.arange(2000, 2003)})
    trace.save(tmp_path / "years.npz")
    assert Trace.load(tmp_path / "years.npz").coords == {"year": [2000, 2001, 2002]}


def test_to_inference_data_labels_the_axes_and_adds_the_data_groups():
    pytest.importorskip("arviz")
    data = labelled_trace().to_inference_data()
    assert data.posterior["x"].dims == ("chain", "draw", "group")
    assert list(data.posterior["group"].values) == ["a", "b", "c"]
    assert data.observed_data["y"].dims == ("group",)


@pytest.mark.parametrize("discard", [True, False])
def test_runner_keeps_tuning_draws_only_when_asked(discard):
    step = Metropolis(
        lambda x: -0.5 * float(x @ x), initial_point={"a": 0.0, "b": np.zeros((2, 3))}
    )
    trace = sample(
        step,
        draws=40,
        tune=25,
        chains=2,
        cores=1,
        random_seed=0,
        progressbar=False,
        discard_tuned_samples=discard,
    )
    assert trace.posterior["a"].shape == (2, 40)
    assert trace.posterior["b"].shape == (2, 40, 2, 3)
    assert trace["b"].shape == (80, 2, 3)
    assert trace.attrs["tuning_steps"] == 25
    if discard:
        assert trace.warmup is None
    else:
        assert trace.warmup is not None
        assert trace.warmup.posterior["b"].shape == (2, 25, 2, 3)
        # the chain continues from its last tuning draw
        last_tuning = trace.warmup.posterior["a"][:, -1]
        first_draw = trace.posterior["a"][:, 0]
        assert np.all(np.abs(first_draw - last_tuning) < 10)
        assert trace.warmup.stats["scaling"].shape == (2, 25)


def test_a_trace_and_a_step_pickle_into_a_new_process() -> None:
    """A step over a module-level density, and the trace it made, travel to another process."""
    import pickle
    import subprocess

    from samplers.nuts import NUTS

    step = NUTS(_standard_normal, initial_point=np.zeros(3))
    trace = sample(step, draws=20, tune=20, chains=1, random_seed=3, progressbar=False)
    name = trace.varnames[0]
    code = (
        "import pickle, sys; import numpy as np; step, trace = "
        f"pickle.loads(sys.stdin.buffer.read()); print(float(np.sum(trace[{name!r}])), step.dim)"
    )
    environment = {**os.environ, "PYTHONPATH": os.path.dirname(__file__)}
    done = subprocess.run([sys.executable, "-c", code], input=pickle.dumps((step, trace)),
                          capture_output=True, check=True, env=environment)  # fmt: skip
    total, dim = done.stdout.decode().split()
    assert float(total) == float(np.sum(trace[name])) and int(dim) == 3


def _standard_normal(x: np.ndarray) -> tuple[float, np.ndarray]:
    return -0.5 * float(x @ x), -x
