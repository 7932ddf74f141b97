/* The CUDA built-ins a generated module uses, for g++: the grid runs as loops.
 * blockIdx/threadIdx are globals the launch wrappers set before each call of a kernel
 * (one call per thread). Blocks have one thread wherever threads would cooperate (the
 * tests launch reductions and matrix products so); __shfl_down_sync and __syncthreads
 * are then never needed for a value. Functions nvcc has and glibc lacks are defined
 * here, accurately enough for the op table's domains. */
#include <cmath>
#include <cstring>
#include <cstdint>

struct cu_dim3 { unsigned x, y, z; };
static cu_dim3 threadIdx, blockIdx, blockDim, gridDim;

#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static
static inline void __syncthreads(void) {}
template <typename T> static inline T __shfl_down_sync(unsigned, T v, int) { return v; }

static inline double erfinv(double y) {
    if (y <= -1.0) return y == -1.0 ? -INFINITY : NAN;
    if (y >= 1.0) return y == 1.0 ? INFINITY : NAN;
    /* Newton from 0: erf is concave on each side, so the iterates approach monotonically */
    double x = 0.0;
    for (int k = 0; k < 100; ++k) {
        double step = (std::erf(x) - y) / (1.1283791670955126 * std::exp(-x * x));
        x -= step;
        if (std::fabs(step) <= 1e-17 * std::fabs(x)) break;
    }
    return x;
}
static inline float erfinvf(float y) { return (float)erfinv((double)y); }
static inline double erfcinv(double y) { return erfinv(1.0 - y); }
static inline float erfcinvf(float y) { return (float)erfinv(1.0 - (double)y); }
static inline double erfcx(double x) { return std::exp(x * x) * std::erfc(x); }
static inline float erfcxf(float x) { return (float)erfcx((double)x); }
static inline double cyl_bessel_i0(double x) { return std::cyl_bessel_i(0.0, std::fabs(x)); }
static inline float cyl_bessel_i0f(float x) { return (float)cyl_bessel_i0((double)x); }
static inline double cyl_bessel_i1(double x) {
    return x < 0 ? -std::cyl_bessel_i(1.0, -x) : std::cyl_bessel_i(1.0, x); }
static inline float cyl_bessel_i1f(float x) { return (float)cyl_bessel_i1((double)x); }

/* Atomics: the harness runs one thread at a time, so a plain read-modify-write is atomic. */
template <typename T> static inline T atomicAdd(T *address, T value) {
    const T old = *address; *address = old + value; return old; }
template <typename T> static inline T atomicMin(T *address, T value) {
    const T old = *address; if (value < old) *address = value; return old; }
template <typename T> static inline T atomicMax(T *address, T value) {
    const T old = *address; if (value > old) *address = value; return old; }
