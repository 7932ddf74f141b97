#!/usr/bin/env bash
# The wheels bench/gpu.sh installs on a GPU machine that reaches no package index (the
# workplace's device machines: Python 3.12 with NumPy, SciPy, CuPy and JAX, no pycuda,
# no cffi, no hatchling to install our packages with). Run here, where the index and a CUDA toolkit are; then carry .whl along:
#   bench/gpu_wheels.sh [PYTHON_VERSION]      # default 3.12, the device image's Python
# pycuda has no Linux wheels on the index, so it is built here from its source for that
# Python, against this toolkit's headers, linked against a stand-in libcuda.so.1 that
# only names the driver's functions (the GPU machine's driver provides them).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VERSION="${1:-3.12}"
PYCUDA="${PYCUDA_VERSION:-2026.1}"
OUT="$ROOT/.whl"

command -v uv >/dev/null || { echo "gpu_wheels.sh needs uv (pip install uv) for its build venv"; exit 1; }
command -v gcc >/dev/null || { echo "gpu_wheels.sh needs gcc for the stand-in libcuda"; exit 1; }
PYTHON="$(uv python find "$VERSION" 2>/dev/null || true)"
if [ -z "$PYTHON" ]; then
    PYTHON="$(ls -d "$HOME"/.pyenv/versions/"$VERSION".*/bin/python 2>/dev/null | tail -1 || true)"
fi
[ -x "$PYTHON" ] || { echo "no Python $VERSION here (uv python find, pyenv): the wheel must match the GPU machine's"; exit 1; }
CUDA_ROOT="${CUDA_ROOT:-}"
if [ -z "$CUDA_ROOT" ]; then
    for candidate in /usr/local/cuda /usr/local/cuda-*; do
        if [ -f "$candidate/include/cuda.h" ]; then CUDA_ROOT="$candidate"; break; fi
    done
fi
[ -f "$CUDA_ROOT/include/cuda.h" ] || { echo "no CUDA toolkit headers (set CUDA_ROOT)"; exit 1; }
echo "Python $("$PYTHON" -c 'import sys; print(sys.version.split()[0])') at $PYTHON; CUDA headers in $CUDA_ROOT"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
uv venv -q "$WORK/venv" --python "$PYTHON"
BUILD="$WORK/venv/bin/python"
uv pip install -q --python "$BUILD" pip numpy setuptools wheel pytools platformdirs mako

# The stand-in driver library: every cu* function cuda.h declares (after its macros pick
# the versioned names), as an empty function, so the linker keeps libcuda.so.1 as needed.
mkdir -p "$WORK/stub"
gcc -E -I"$CUDA_ROOT/include" "$CUDA_ROOT/include/cuda.h" \
    | grep -oE '\bCUresult +(CUDAAPI +)?cu[A-Za-z0-9_]+ *\(' \
    | grep -oE 'cu[A-Za-z0-9_]+' | sort -u | sed 's/.*/void &(void) {}/' > "$WORK/stub/libcuda.c"
gcc -shared -o "$WORK/stub/libcuda.so" -Wl,-soname,libcuda.so.1 "$WORK/stub/libcuda.c"

"$BUILD" -m pip download -q --no-deps --no-binary :all: --no-build-isolation \
    "pycuda==$PYCUDA" -d "$WORK"
tar xzf "$WORK/pycuda-$PYCUDA.tar.gz" -C "$WORK"
cd "$WORK/pycuda-$PYCUDA"
"$BUILD" configure.py --cuda-root="$CUDA_ROOT" --cudadrv-lib-dir="$WORK/stub" >/dev/null
sed -i 's/^CUDA_ENABLE_CURAND = True/CUDA_ENABLE_CURAND = False/' siteconf.py  # cudagen draws no numbers there
rm -rf "$OUT" && mkdir -p "$OUT"
"$BUILD" -m pip wheel -q --no-build-isolation --no-deps . -w "$OUT" > "$WORK/build.log" 2>&1 \
    || { tail -40 "$WORK/build.log"; echo "pycuda did not build"; exit 1; }
cd "$ROOT"
python3 -m pip download -q --no-deps --only-binary=:all: --python-version "$VERSION" \
    --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux2014_x86_64 -d "$OUT" pytools platformdirs mako siphash24 cffi pycparser \
    hatchling packaging pathspec pluggy trove-classifiers
ls -la "$OUT"
echo "carry .whl: run(command='bash bench/gpu.sh 2>&1 | tee \$OUT/gpu.log', carry=['.whl'])"
