/* Helpers of the scalar C table (scalar_c.py): each follows NumPy/SciPy's definition,
   including its edge cases (signs of zero, NaN, division by zero). */
#include <math.h>
#include <stdint.h>
#include <string.h>

/* Python's floor division and modulo on floats, as numpy's npy_divmod computes them. */
#define CG_DIVMOD(T, SUFFIX)                                                      \
static inline T cg_mod##SUFFIX(T a, T b) {                                        \
    T mod;                                                                        \
    if (b == 0) return fmod##SUFFIX(a, b);                                        \
    mod = fmod##SUFFIX(a, b);                                                     \
    if (mod) { if ((b < 0) != (mod < 0)) mod += b; }                              \
    else mod = copysign##SUFFIX((T)0, b);                                         \
    return mod;                                                                   \
}                                                                                 \
static inline T cg_floor_div##SUFFIX(T a, T b) {                                  \
    T mod, div, floordiv;                                                         \
    if (b == 0) return a / b;                                                     \
    mod = fmod##SUFFIX(a, b);                                                     \
    div = (a - mod) / b;                                                          \
    if (mod && ((b < 0) != (mod < 0))) div -= (T)1;                               \
    if (div) { floordiv = floor##SUFFIX(div); if (div - floordiv > (T)0.5) floordiv += (T)1; } \
    else floordiv = copysign##SUFFIX((T)0, a / b);                                \
    return floordiv;                                                              \
}
CG_DIVMOD(double, )
CG_DIVMOD(float, f)

/* Integer floor division and modulo with Python's signs; division by zero gives 0 as in NumPy. */
static inline int64_t cg_floor_div_i64(int64_t a, int64_t b) {
    if (b == 0) return 0;
    if (b == -1 && a == INT64_MIN) return INT64_MIN;
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q -= 1;
    return q;
}
static inline int64_t cg_mod_i64(int64_t a, int64_t b) {
    if (b == 0 || b == -1) return 0;
    int64_t r = a % b;
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
}
/* Integer power by squaring; a negative exponent is an error NumPy raises (flagged). */
static int cg_int_pow_error = 0;
static inline int64_t cg_pow_i64(int64_t base, int64_t exponent) {
    int64_t result = 1;
    if (exponent < 0) { cg_int_pow_error = 1; return 0; }
    while (exponent) {
        if (exponent & 1) result *= base;
        base *= base;
        exponent >>= 1;
    }
    return result;
}

#define CG_REAL_HELPERS(T, SUFFIX)                                                \
/* 1 / (1 + exp(-x)), written so neither tail overflows (scipy.special.expit). */ \
static inline T cg_sigmoid##SUFFIX(T x) {                                         \
    if (x < 0) { T e = exp##SUFFIX(x); return e / (1 + e); }                      \
    return 1 / (1 + exp##SUFFIX(-x));                                             \
}                                                                                 \
/* log(1 + exp(x)) = log1p(exp(-|x|)) + max(x, 0). */                             \
static inline T cg_softplus##SUFFIX(T x) {                                        \
    return log1p##SUFFIX(exp##SUFFIX(-fabs##SUFFIX(x))) + (x > 0 ? x : 0);        \
}                                                                                 \
/* log(1 - exp(x)), x <= 0: log(-expm1(x)) near 0, log1p(-exp(x)) below -ln 2. */ \
static inline T cg_log1mexp##SUFFIX(T x) {                                        \
    return x > (T)-0.6931471805599453 ? log##SUFFIX(-expm1##SUFFIX(x))            \
                                      : log1p##SUFFIX(-exp##SUFFIX(x));           \
}                                                                                 \
static inline T cg_logit##SUFFIX(T x) { return log##SUFFIX(x / (1 - x)); }        \
static inline T cg_xlogx##SUFFIX(T x) { return x == 0 ? (T)0 : x * log##SUFFIX(x); } \
static inline T cg_xlogy0##SUFFIX(T x, T y) {                                     \
    return (x == 0 && y == y) ? (T)0 : x * log##SUFFIX(y);                        \
}                                                                                 \
static inline T cg_gammaln##SUFFIX(T x) { int sign; return lgamma##SUFFIX##_r(x, &sign); } \
static inline T cg_clip##SUFFIX(T x, T low, T high) {                             \
    return x < low ? low : (x > high ? high : x);                                 \
}
CG_REAL_HELPERS(double, )
CG_REAL_HELPERS(float, f)
