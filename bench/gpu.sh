#!/usr/bin/env bash
# cudagen on a GPU, in one command: our packages and pycuda installed, the device tests,
# then the benchmarks and their table.
#   bench/gpu.sh            # 1e7 and 1e8 elements, 4096^2 matmul
#   bench/gpu.sh --quick    # small sizes, a smoke test
# Two ways in:
#   - with .whl/ beside this repo's packages (bench/gpu_wheels.sh made it where a package
#     index is): for a machine that reaches no index, such as the workplace's device
#     machines. Everything installs into $CUDAGEN_SITE (default /tmp/cudagen-site) on top
#     of that machine's Python ($PYTHON, default python3), whose NumPy, SciPy, pytest,
#     CuPy and JAX are used as they are.
#   - without it: a fresh venv from the package index (pycuda, CuPy and JAX where it can).
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
PACKAGES=(graphcore tensorops autodiff rewriter ccodegen cudagen scanloop randomstreams samplers ppl)
cd "$ROOT"
export PYTHONUNBUFFERED=1 XLA_PYTHON_CLIENT_PREALLOCATE=false  # JAX takes memory as it needs it
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || echo "nvidia-smi failed"
nvcc --version | tail -1 || { echo "nvcc is not on PATH: install the CUDA toolkit"; exit 1; }

if compgen -G ".whl/pycuda-*.whl" >/dev/null; then
    SITE="${CUDAGEN_SITE:-/tmp/cudagen-site}"
    rm -rf "$SITE"
    "$PYTHON" -m pip install -q --no-index --no-deps --no-compile --target "$SITE" .whl/*.whl \
        || { echo "the carried wheels did not install into $SITE"; exit 1; }
    export PYTHONPATH="$SITE${PYTHONPATH:+:$PYTHONPATH}"
    # Our packages as installed distributions (graphcore finds the cuda linker by its
    # entry point), built by the carried hatchling.
    "$PYTHON" -m pip install -q --no-index --no-deps --no-build-isolation --no-compile \
        --target "$SITE" "${PACKAGES[@]/#/packages/}" \
        || { echo "our packages did not install into $SITE"; exit 1; }
else
    VENV="${CUDAGEN_BENCH_VENV:-$ROOT/.venv-gpu}"
    if [ ! -x "$VENV/bin/python" ]; then
        if command -v uv >/dev/null; then uv venv "$VENV" --python 3.11; else "$PYTHON" -m venv "$VENV"; fi
    fi
    install() {
        if command -v uv >/dev/null; then uv pip install --python "$VENV/bin/python" "$@"
        else "$VENV/bin/python" -m pip install "$@"; fi
    }
    install -e packages/graphcore -e packages/tensorops -e packages/rewriter \
        -e "packages/cudagen[cuda,test]" pytest \
        || { echo "could not install cudagen[cuda]: without a package index, run bench/gpu_wheels.sh where there is one and bring .whl/"; exit 1; }
    install cupy-cuda12x || echo "CuPy not installed: its column stays empty"
    install "jax[cuda12]" || echo "JAX not installed: its column stays empty"
    PYTHON="$VENV/bin/python"
fi
"$PYTHON" -c "
import sys, numpy, pycuda.driver as driver
driver.init()
print('Python', sys.version.split()[0], '| NumPy', numpy.__version__, '| pycuda', '.'.join(map(str, __import__('pycuda').VERSION)),
      '|', driver.Device(0).name(), '| driver API', driver.get_driver_version())
" || echo "pycuda does not start here (see above)"
echo "== device tests"
"$PYTHON" -m pytest -q -p no:cacheprovider -rs -x packages/cudagen/tests/test_device.py \
    packages/cudagen/tests/test_mode.py || echo "DEVICE TESTS FAILED (see above)"
echo "== benchmarks"
"$PYTHON" bench/gpu_bench.py "$@"
