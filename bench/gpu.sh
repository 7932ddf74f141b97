#!/usr/bin/env bash
# cudagen on a GPU, in one command: a fresh venv with the packages (pycuda, and CuPy /
# JAX when the index has them), the device tests, then the benchmarks and their table.
#   bench/gpu.sh            # 1e7 and 1e8 elements, 4096^2 matmul
#   bench/gpu.sh --quick    # small sizes, a smoke test
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${CUDAGEN_BENCH_VENV:-$ROOT/.venv-gpu}"
PYTHON="${PYTHON:-python3}"
cd "$ROOT"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || echo "nvidia-smi failed"
nvcc --version | tail -1 || { echo "nvcc is not on PATH: install the CUDA toolkit"; exit 1; }
if [ ! -x "$VENV/bin/python" ]; then
    if command -v uv >/dev/null; then uv venv "$VENV" --python 3.11; else "$PYTHON" -m venv "$VENV"; fi
fi
install() {
    if command -v uv >/dev/null; then uv pip install --python "$VENV/bin/python" "$@"
    else "$VENV/bin/python" -m pip install "$@"; fi
}
install -e packages/graphcore -e packages/tensorops -e packages/rewriter \
    -e "packages/cudagen[cuda,test]" pytest \
    || { echo "could not install cudagen[cuda] (pycuda needs the package index and the toolkit's headers)"; exit 1; }
install cupy-cuda12x || echo "CuPy not installed: its column stays empty"
install "jax[cuda12]" || echo "JAX not installed: its column stays empty"
echo "== device tests"
"$VENV/bin/python" -m pytest -q -p no:cacheprovider -rs packages/cudagen/tests/test_device.py \
    packages/cudagen/tests/test_mode.py || echo "DEVICE TESTS FAILED (see above)"
echo "== benchmarks"
"$VENV/bin/python" bench/gpu_bench.py "$@"
