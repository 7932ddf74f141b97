/* cudagen's prelude: what every generated module starts with.
 * Shapes and strides travel by value in cu_dims (strides in elements); helpers too long
 * for one expression of scalar_cuda.py come in float (f suffix) and double spellings;
 * cu_block_reduce folds one value per thread into thread 0's. */
#define CU_MAXD 8
struct cu_dims { long long d[CU_MAXD]; };

#define CU_FLOAT_HELPERS(T, S)                                                              \
__device__ __forceinline__ T cu_sigmoid##S(T x) {                                          \
    return x >= (T)0 ? (T)1 / ((T)1 + exp##S(-x)) : exp##S(x) / ((T)1 + exp##S(x)); }      \
__device__ __forceinline__ T cu_softplus##S(T x) {                                         \
    return x > (T)0 ? x + log1p##S(exp##S(-x)) : log1p##S(exp##S(x)); }                   \
__device__ __forceinline__ T cu_log1mexp##S(T x) {                                         \
    return x > (T)-0.6931471805599453 ? log##S(-expm1##S(x)) : log1p##S(-exp##S(x)); }     \
__device__ __forceinline__ T cu_logit##S(T p) { return log##S(p / ((T)1 - p)); }           \
__device__ __forceinline__ T cu_xlogx##S(T x) { return x == (T)0 ? (T)0 : x * log##S(x); } \
__device__ __forceinline__ T cu_xlogy0##S(T x, T y) {                                      \
    return x == (T)0 ? (T)0 : x * log##S(y); }                                             \
__device__ __forceinline__ T cu_betaln##S(T a, T b) {                                      \
    return lgamma##S(a) + lgamma##S(b) - lgamma##S(a + b); }                               \
__device__ __forceinline__ T cu_clip##S(T x, T lo, T hi) {                                 \
    T low = (x > lo || x != x) ? x : lo;                                                   \
    return (low < hi || low != low) ? low : hi; }                                          \
__device__ inline T cu_digamma##S(T x) {                                                   \
    /* reflection below 0, recurrence up to 6, then the asymptotic series */               \
    T shift = (T)0;                                                                        \
    if (x <= (T)0 && x == floor##S(x)) return (T)(0.0 / 0.0);                              \
    if (x < (T)0) {                                                                        \
        const T pi = (T)3.141592653589793;                                                 \
        shift = -pi / tan##S(pi * x); x = (T)1 - x; }                                      \
    while (x < (T)6) { shift -= (T)1 / x; x += (T)1; }                                     \
    const T r = (T)1 / (x * x);                                                            \
    const T series = r * ((T)(1.0 / 12) - r * ((T)(1.0 / 120) - r * ((T)(1.0 / 252)        \
        - r * ((T)(1.0 / 240) - r * ((T)(1.0 / 132) - r * (T)(691.0 / 32760))))));         \
    return shift + log##S(x) - (T)0.5 / x - series; }                                      \
__device__ __forceinline__ T cu_floor_div##S(T a, T b) {                                   \
    /* NumPy's divmod for floats */                                                        \
    if (b == (T)0) return a / b;                                                           \
    const T mod = fmod##S(a, b);                                                           \
    T div = (a - mod) / b;                                                                 \
    if (mod != (T)0 && ((b < (T)0) != (mod < (T)0))) div -= (T)1;                          \
    if (div == (T)0) return copysign##S((T)0, a / b);                                      \
    T whole = floor##S(div);                                                               \
    if (div - whole > (T)0.5) whole += (T)1;                                               \
    return whole; }                                                                        \
__device__ __forceinline__ T cu_mod##S(T a, T b) {                                         \
    T mod = fmod##S(a, b);                                                                 \
    if (b == (T)0) return mod;                                                             \
    if (mod != (T)0) { if ((b < (T)0) != (mod < (T)0)) mod += b; }                         \
    else mod = copysign##S((T)0, b);                                                       \
    return mod; }

CU_FLOAT_HELPERS(float, f)
CU_FLOAT_HELPERS(double, )

template <typename T> __device__ __forceinline__ bool cu_isnan(T x) { return x != x; }
template <typename T> __device__ __forceinline__ bool cu_isinf(T x) {
    return x == (T)(1.0 / 0.0) || x == (T)(-1.0 / 0.0); }
template <typename T> __device__ __forceinline__ bool cu_isfinite(T x) { return x - x == (T)0; }

/* Python's floor division and modulo on integers; 0 for a zero divisor, as NumPy. */
template <typename T> __device__ __forceinline__ T cu_floor_div_int(T a, T b) {
    if (b == 0) return 0;
    const T q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q; }
template <typename T> __device__ __forceinline__ T cu_mod_int(T a, T b) {
    if (b == 0) return 0;
    const T r = a % b;
    return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r; }

/* An integer power by squaring in 64-bit unsigned arithmetic (wrapping as NumPy's); a
 * negative exponent, which NumPy refuses, sets the kernel's status word. */
template <typename T> __device__ __forceinline__ T cu_pow_int(T base, T exponent, long long *status) {
    if (exponent < (T)0) { atomicMin(status, 0LL); return (T)0; }
    unsigned long long result = 1, factor = (unsigned long long)base;
    for (unsigned long long e = (unsigned long long)exponent; e; e >>= 1) {
        if (e & 1ULL) result *= factor;
        factor *= factor;
    }
    return (T)result; }

/* Folds of the reductions: NaN wins in max and min, as in NumPy. */
struct cu_fold_sum { template <typename T> __device__ T operator()(T a, T b) const { return a + b; } };
struct cu_fold_prod { template <typename T> __device__ T operator()(T a, T b) const { return a * b; } };
struct cu_fold_and { template <typename T> __device__ T operator()(T a, T b) const { return a && b; } };
struct cu_fold_or { template <typename T> __device__ T operator()(T a, T b) const { return a || b; } };
struct cu_fold_max { template <typename T> __device__ T operator()(T a, T b) const {
    return (b > a || b != b) ? b : a; } };
struct cu_fold_min { template <typename T> __device__ T operator()(T a, T b) const {
    return (b < a || b != b) ? b : a; } };

/* Every thread's v folded into thread 0's (blockDim.x a multiple of 32, or 1): warp
 * shuffles, then one value per warp through shared memory. */
template <typename T, typename F>
__device__ T cu_block_reduce(T v, F fold, T identity) {
    if (blockDim.x == 1) return v;
    __shared__ T per_warp[32];
    const unsigned lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    for (int offset = 16; offset > 0; offset /= 2)
        v = fold(v, (T)__shfl_down_sync(0xffffffffu, v, offset));
    if (lane == 0) per_warp[warp] = v;
    __syncthreads();
    if (warp == 0) {
        v = lane < (blockDim.x + 31) / 32 ? per_warp[lane] : identity;
        for (int offset = 16; offset > 0; offset /= 2)
            v = fold(v, (T)__shfl_down_sync(0xffffffffu, v, offset));
    }
    __syncthreads(); /* per_warp is read before the next call writes it */
    return v;
}

#define CU_TILE 16
