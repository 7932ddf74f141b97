/* Helpers of the scalar C table (scalar_c.py): each follows NumPy/SciPy's definition,
   including its edge cases (signs of zero, NaN, division by zero). */
#include <complex.h>
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
/* scipy.special.expit's formula, in T: 0 (not a subnormal) once exp(-x) overflows. */ \
static inline T cg_sigmoid##SUFFIX(T x) { return 1 / (1 + exp##SUFFIX(-x)); }      \
/* log(1 + exp(x)) = log1p(exp(-|x|)) + max(x, 0). */                             \
static inline T cg_softplus##SUFFIX(T x) {                                        \
    return log1p##SUFFIX(exp##SUFFIX(-fabs##SUFFIX(x))) + (x > 0 ? x : 0);        \
}                                                                                 \
/* log(1 - exp(x)), x <= 0: log(-expm1(x)) near 0, log1p(-exp(x)) below -ln 2. */ \
static inline T cg_log1mexp##SUFFIX(T x) {                                        \
    return x > (T)-0.6931471805599453 ? log##SUFFIX(-expm1##SUFFIX(x))            \
                                      : log1p##SUFFIX(-exp##SUFFIX(x));           \
}                                                                                 \
/* scipy.special.logit: log(x / (1 - x)) cancels near 1/2, where it takes          \
   log1p(s) - log1p(-s) with s = 2x - 1 instead. */                               \
static inline T cg_logit##SUFFIX(T x) {                                           \
    if (x < (T)0.3 || x > (T)0.65) return log##SUFFIX(x / (1 - x));                \
    T s = 2 * (x - (T)0.5);                                                       \
    return log1p##SUFFIX(s) - log1p##SUFFIX(-s);                                  \
}                                                                                 \
static inline T cg_xlogx##SUFFIX(T x) { return x == 0 ? (T)0 : x * log##SUFFIX(x); } \
static inline T cg_xlogy0##SUFFIX(T x, T y) {                                     \
    return (x == 0 && y == y) ? (T)0 : x * log##SUFFIX(y);                        \
}                                                                                 \
/* NumPy's clip: minimum(maximum(x, low), high), NaN in any argument giving NaN. */ \
static inline T cg_clip##SUFFIX(T x, T low, T high) {                             \
    T above = (x > low || x != x) ? x : low;                                      \
    return (above < high || above != above) ? above : high;                       \
}
CG_REAL_HELPERS(double, )
/* float32: computed in double and rounded once, so vectorized float libm's few ulp do
   not add up through a formula (NumPy's float32 results are within 1-2 ulp of exact). */
static inline float cg_sigmoidf(float x) { return 1 / (1 + expf(-x)); }  /* as SciPy's */
static inline float cg_softplusf(float x) { return (float)cg_softplus(x); }
static inline float cg_log1mexpf(float x) { return (float)cg_log1mexp(x); }
static inline float cg_logitf(float x) { return (float)cg_logit(x); }
static inline float cg_xlogxf(float x) { return (float)cg_xlogx(x); }
static inline float cg_xlogy0f(float x, float y) { return (float)cg_xlogy0(x, y); }
static inline float cg_clipf(float x, float low, float high) {
    float above = (x > low || x != x) ? x : low;
    return (above < high || above != above) ? above : high;
}

/* scipy.special's gammaln, digamma, betaln, erf and erfc, as SciPy computes them (its
   xsf library, after Cephes): the same formulas and coefficients, so C and SciPy agree
   to a few ulp even where both are far from the exact value, as near the roots of
   lgamma, digamma and log beta. float32 computes in double and rounds, as SciPy does. */
#define CG_PI 3.14159265358979323846
#define CG_MACHEP 1.11022302462515654042e-16
#define CG_MAXGAM 171.624376956302725
#define CG_MAXLOG 7.09782712893383996843e2

/* c[0] x^n + ... + c[n], and the same with a leading coefficient 1 left out of c. */
static inline double cg_polevl(double x, const double *c, int n) {
    double result = c[0];
    for (int i = 1; i <= n; i++) result = result * x + c[i];
    return result;
}
static inline double cg_p1evl(double x, const double *c, int n) {
    double result = x + c[0];
    for (int i = 1; i < n; i++) result = result * x + c[i];
    return result;
}
/* A Chebyshev series of n terms at x (Clenshaw's recurrence). */
static inline double cg_chbevl(double x, const double *c, int n) {
    double b0 = c[0], b1 = 0.0, b2 = 0.0;
    for (int i = 1; i < n; i++) { b2 = b1; b1 = b0; b0 = x * b1 - b2 + c[i]; }
    return 0.5 * (b0 - b2);
}
/* sin(pi x), exact at the integers. */
static double cg_sinpi(double x) {
    double sign = 1.0, r;
    if (signbit(x)) { x = -x; sign = -1.0; }
    r = fmod(x, 2.0);
    if (r < 0.5) return sign * sin(CG_PI * r);
    if (r > 1.5) return sign * sin(CG_PI * (r - 2.0));
    return -sign * sin(CG_PI * (r - 1.0));
}
/* Whether x is an integer an int holds (the test Cephes makes by converting to int). */
static inline int cg_is_int(double x) { return x == floor(x) && fabs(x) < 2147483648.0; }

/* Gamma(x) by Stirling's formula, for 33 <= x. */
static double cg_gamma_stirling(double x) {
    static const double stir[5] = {
        7.87311395793093628397e-4, -2.29549961613378126380e-4, -2.68132617805781232825e-3,
        3.47222221605458667310e-3, 8.33333333333482257126e-2};
    double w, y, v;
    if (x >= CG_MAXGAM) return INFINITY;
    w = 1.0 / x;
    w = 1.0 + w * cg_polevl(w, stir, 4);
    y = exp(x);
    if (x > 143.01608) { v = pow(x, 0.5 * x - 0.25); y = v * (v / y); } /* no overflow in pow */
    else y = pow(x, x - 0.5) / y;
    return 2.50662827463100050242 * y * w;
}
/* Gamma(x): reflection below -33, Stirling above 33, else a rational function on [2, 3]
   after the recurrence Gamma(x + 1) = x Gamma(x). */
static double cg_gamma_cephes(double x) {
    static const double p_coef[7] = {
        1.60119522476751861407e-4, 1.19135147006586384913e-3, 1.04213797561761569935e-2,
        4.76367800457137231464e-2, 2.07448227648435975150e-1, 4.94214826801497100753e-1,
        9.99999999999999996796e-1};
    static const double q_coef[8] = {
        -2.31581873324120129819e-5, 5.39605580493303397842e-4, -4.45641913851797240494e-3,
        1.18139785222060435552e-2, 3.58236398605498653373e-2, -2.34591795718243348568e-1,
        7.14304917030273074085e-2, 1.00000000000000000320e0};
    double p, q, z;
    int sign = 1;
    if (!isfinite(x)) return x > 0 ? x : NAN;
    if (x == 0) return copysign(INFINITY, x);
    q = fabs(x);
    if (q > 33.0) {
        if (x >= 0.0) return cg_gamma_stirling(x);
        p = floor(q);
        if (p == q) return NAN;
        if (fmod(p, 2.0) == 0.0) sign = -1;
        z = q - p;
        if (z > 0.5) { p += 1.0; z = q - p; }
        z = q * cg_sinpi(z);
        if (z == 0.0) return sign * INFINITY;
        z = fabs(z);
        return sign * (CG_PI / (z * cg_gamma_stirling(q)));
    }
    z = 1.0;
    while (x >= 3.0) { x -= 1.0; z *= x; }
    while (x < 0.0) {
        if (x > -1e-9) goto small;
        z /= x;
        x += 1.0;
    }
    while (x < 2.0) {
        if (x < 1e-9) goto small;
        z /= x;
        x += 1.0;
    }
    if (x == 2.0) return z;
    x -= 2.0;
    return z * cg_polevl(x, p_coef, 6) / cg_polevl(x, q_coef, 7);
small:
    if (x == 0.0) return NAN;
    return z / ((1.0 + 0.5772156649015329 * x) * x);
}
/* 1 / Gamma(x): a Chebyshev series on [0, 1] after the recurrence. */
static double cg_rgamma(double x) {
    static const double r_coef[16] = {
        3.13173458231230000000e-17, -6.70718606477908000000e-16, 2.20039078172259550000e-15,
        2.47691630348254132600e-13, -6.60074100411295197440e-12, 5.13850186324226978840e-11,
        1.08965386454418662084e-9, -3.33964630686836942556e-8, 2.68975996440595483619e-7,
        2.96001177518801696639e-6, -8.04814124978471142852e-5, 4.16609138709688864714e-4,
        5.06579864028608725080e-3, -6.41925436109158228810e-2, -4.98558728684003594785e-3,
        1.27546015610523951063e-1};
    double w, z;
    if (x == 0) return x;
    if (x < 0 && x == floor(x)) return 0.0;
    if (fabs(x) > 4.0) return 1.0 / cg_gamma_cephes(x);
    z = 1.0;
    w = x;
    while (w > 1.0) { w -= 1.0; z *= w; }
    while (w < 0.0) { z /= w; w += 1.0; }
    if (w == 0.0) return 0.0;
    if (w == 1.0) return 1.0 / z;
    return w * (1.0 + cg_chbevl(4.0 * w - 2.0, r_coef, 16)) / z;
}
/* log |Gamma(x)| and the sign of Gamma(x): reflection below -34, Stirling's series from
   13, else a rational function on [2, 3] after the recurrence. */
static double cg_lgamma_sign(double x, int *sign) {
    static const double a_coef[5] = {
        8.11614167470508450300e-4, -5.95061904284301438324e-4, 7.93650340457716943945e-4,
        -2.77777777730099687205e-3, 8.33333333333331927722e-2};
    static const double b_coef[6] = {
        -1.37825152569120859100e3, -3.88016315134637840924e4, -3.31612992738871184744e5,
        -1.16237097492762307383e6, -1.72173700820839662146e6, -8.53555664245765465627e5};
    static const double c_coef[6] = {
        -3.51815701436523470549e2, -1.70642106651881159223e4, -2.20528590553854454839e5,
        -1.13933444367982507207e6, -2.53252307177582951285e6, -2.01889141433532773231e6};
    const double log_sqrt_2pi = 0.91893853320467274178;
    double p, q, u, w, z;
    *sign = 1;
    if (!isfinite(x)) return x;
    if (x < -34.0) {
        q = -x;
        w = cg_lgamma_sign(q, sign);
        p = floor(q);
        if (p == q) return INFINITY;
        *sign = fmod(p, 2.0) == 0.0 ? -1 : 1;
        z = q - p;
        if (z > 0.5) { p += 1.0; z = p - q; }
        z = q * cg_sinpi(z);
        if (z == 0.0) return INFINITY;
        return 1.14472988584940017414 - log(z) - w; /* log(pi) - log(z) - w */
    }
    if (x < 13.0) {
        z = 1.0;
        p = 0.0;
        u = x;
        while (u >= 3.0) { p -= 1.0; u = x + p; z *= u; }
        while (u < 2.0) {
            if (u == 0.0) return INFINITY;
            z /= u;
            p += 1.0;
            u = x + p;
        }
        if (z < 0.0) { *sign = -1; z = -z; }
        if (u == 2.0) return log(z);
        p -= 2.0;
        x = x + p;
        p = x * cg_polevl(x, b_coef, 5) / cg_p1evl(x, c_coef, 6);
        return log(z) + p;
    }
    if (x > 2.556348e305) return *sign * INFINITY;
    q = (x - 0.5) * log(x) - x + log_sqrt_2pi;
    if (x >= 1000.0) {
        if (x > 1.0e8) return q;
        p = 1.0 / (x * x);
        p = ((7.9365079365079365079365e-4 * p - 2.7777777777777777777778e-3) * p
             + 0.0833333333333333333333) / x;
        return q + p;
    }
    p = 1.0 / (x * x);
    return q + cg_polevl(p, a_coef, 4) / x;
}
static double cg_gammaln(double x) { int sign; return cg_lgamma_sign(x, &sign); }

/* Hurwitz's zeta(x, q) = sum over k >= 0 of (k + q)^-x, by Euler-Maclaurin summation. */
static double cg_hurwitz_zeta(double x, double q) {
    static const double a_coef[12] = { /* (2k)! / B2k */
        12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9,
        7.47242496e10, -2.950130727918164224e12, 1.1646782814350067249e14,
        -4.5979787224074726105e15, 1.8152105401943546773e17, -7.1661652561756670113e18};
    double a, b, k, s, t, w;
    int i;
    if (x == 1.0) return INFINITY;
    if (x < 1.0) return NAN;
    if (q <= 0.0) {
        if (q == floor(q)) return INFINITY;
        if (x != floor(x)) return NAN;
    }
    if (q > 1e8) return (1 / (x - 1) + 1 / (2 * q)) * pow(q, 1 - x);
    s = pow(q, -x);
    a = q;
    i = 0;
    b = 0.0;
    while (i < 9 || a <= 9.0) {
        i += 1;
        a += 1.0;
        b = pow(a, -x);
        s += b;
        if (fabs(b / s) < CG_MACHEP) return s;
    }
    w = a;
    s += b * w / (x - 1.0);
    s -= 0.5 * b;
    a = 1.0;
    k = 0.0;
    for (i = 0; i < 12; i++) {
        a *= x + k;
        b /= w;
        t = a * b / a_coef[i];
        s = s + t;
        t = fabs(t / s);
        if (t < CG_MACHEP) return s;
        k += 1.0;
        a *= x + k;
        b /= w;
        k += 1.0;
    }
    return s;
}
/* digamma: Cephes' psi (reflection, recurrence to [1, 2] where a rational function is
   written around the positive root, asymptotic series from 10), and a Taylor series
   around the negative root -0.5040830082644554, where psi would lose its digits. */
static double cg_psi(double x) {
    static const double a_coef[7] = {
        8.33333333333333333333e-2, -2.10927960927960927961e-2, 7.57575757575757575758e-3,
        -4.16666666666666666667e-3, 3.96825396825396825397e-3, -8.33333333333333333333e-3,
        8.33333333333333333333e-2};
    static const double p_coef[6] = {
        -0.0020713321167745952, -0.045251321448739056, -0.28919126444774784,
        -0.65031853770896507, -0.32555031186804491, 0.25479851061131551};
    static const double q_coef[7] = {
        -0.55789841321675513e-6, 0.0021284987017821144, 0.054151797245674225,
        0.43593529692665969, 1.4606242909763515, 2.0767117023730469, 1.0};
    double y = 0.0, g, r, z, whole;
    if (isnan(x)) return x;
    if (x == INFINITY) return x;
    if (x == -INFINITY) return NAN;
    if (x == 0) return copysign(INFINITY, -x);
    if (x < 0.0) {
        r = modf(x, &whole);
        if (r == 0.0) return NAN;
        y = -CG_PI / tan(CG_PI * r);
        x = 1.0 - x;
    }
    if (x <= 10.0 && x == floor(x)) {
        int n = (int)x;
        for (int i = 1; i < n; i++) y += 1.0 / i;
        return y - 0.577215664901532860606512090082402431;
    }
    if (x < 1.0) {
        y -= 1.0 / x;
        x += 1.0;
    } else if (x < 10.0) {
        while (x > 2.0) { x -= 1.0; y += 1.0 / x; }
    }
    if (1.0 <= x && x <= 2.0) {
        g = x - 1569415565.0 / 1073741824.0; /* x minus the root, in three parts */
        g -= (381566830.0 / 1073741824.0) / 1073741824.0;
        g -= 0.9016312093258695918615325266959189453125e-19;
        r = cg_polevl(x - 1.0, p_coef, 5) / cg_polevl(x - 1.0, q_coef, 6);
        return y + (g * (double)0.99558162689208984f + g * r);
    }
    z = 0.0;
    if (x < 1.0e17) { z = 1.0 / (x * x); z = z * cg_polevl(z, a_coef, 6); }
    return y + (log(x) - (0.5 / x) - z);
}
static double cg_digamma(double x) {
    const double root = -0.504083008264455409, value_at_root = 7.2897639029768949e-17;
    double result = value_at_root, coefficient = -1.0, z = x - root, term;
    if (!(fabs(z) < 0.3)) return cg_psi(x);
    for (int n = 1; n < 100; n++) {
        coefficient *= -z;
        term = coefficient * cg_hurwitz_zeta(n + 1, root);
        result += term;
        if (fabs(term) < 2.220446049250313e-16 * fabs(result)) break;
    }
    return result;
}

/* log |B(a, b)|: an asymptotic series when a >> b, sums of log Gamma for large arguments,
   else the log of Gamma(a) Gamma(b) / Gamma(a + b) multiplied in the order that keeps
   the product nearest 1. */
static double cg_betaln(double a, double b);
static double cg_betaln_negative_integer(double a, double b) {
    if (cg_is_int(b) && (1.0 - a) - b > 0) return cg_betaln((1.0 - a) - b, b);
    return INFINITY;
}
static double cg_betaln(double a, double b) {
    double y;
    int sign;
    if (a <= 0.0 && a == floor(a)) return cg_is_int(a) ? cg_betaln_negative_integer(a, b) : INFINITY;
    if (b <= 0.0 && b == floor(b)) return cg_is_int(b) ? cg_betaln_negative_integer(b, a) : INFINITY;
    if (fabs(a) < fabs(b)) { y = a; a = b; b = y; }
    if (fabs(a) > 1e6 * fabs(b) && a > 1e6) {
        y = cg_lgamma_sign(b, &sign);
        y -= b * log(a);
        y += b * (1 - b) / (2 * a);
        y += b * (1 - b) * (1 - 2 * b) / (12 * a * a);
        y += -b * b * (1 - b) * (1 - b) / (12 * a * a * a);
        return y;
    }
    y = a + b;
    if (fabs(y) > CG_MAXGAM || fabs(a) > CG_MAXGAM || fabs(b) > CG_MAXGAM) {
        y = cg_lgamma_sign(y, &sign);
        y = cg_lgamma_sign(b, &sign) - y;
        return cg_lgamma_sign(a, &sign) + y;
    }
    y = cg_rgamma(y);
    a = cg_gamma_cephes(a);
    b = cg_gamma_cephes(b);
    if (isinf(y)) return INFINITY;
    if (fabs(fabs(a * y) - 1.0) > fabs(fabs(b * y) - 1.0)) { y = b * y; y *= a; }
    else { y = a * y; y *= b; }
    return log(fabs(y));
}

/* erf and erfc: rational functions, erf below 1 and erfc above; each the complement of
   the other on the far side. */
static double cg_erfc(double a);
static double cg_erf(double x) {
    static const double t_coef[5] = {
        9.60497373987051638749e0, 9.00260197203842689217e1, 2.23200534594684319226e3,
        7.00332514112805075473e3, 5.55923013010394962768e4};
    static const double u_coef[5] = {
        3.35617141647503099647e1, 5.21357949780152679795e2, 4.59432382970980127987e3,
        2.26290000613890934246e4, 4.92673942608635921086e4};
    double z;
    if (isnan(x)) return NAN;
    if (x < 0.0) return -cg_erf(-x);
    if (fabs(x) > 1.0) return 1.0 - cg_erfc(x);
    z = x * x;
    return x * cg_polevl(z, t_coef, 4) / cg_p1evl(z, u_coef, 5);
}
static double cg_erfc(double a) {
    static const double p_coef[9] = {
        2.46196981473530512524e-10, 5.64189564831068821977e-1, 7.46321056442269912687e0,
        4.86371970985681366614e1, 1.96520832956077098242e2, 5.26445194995477358631e2,
        9.34528527171957607540e2, 1.02755188689515710272e3, 5.57535335369399327526e2};
    static const double q_coef[8] = {
        1.32281951154744992508e1, 8.67072140885989742329e1, 3.54937778887819891062e2,
        9.75708501743205489753e2, 1.82390916687909736289e3, 2.24633760818710981792e3,
        1.65666309194161350182e3, 5.57535340817727675546e2};
    static const double r_coef[6] = {
        5.64189583547755073984e-1, 1.27536670759978104416e0, 5.01905042251180477414e0,
        6.16021097993053585195e0, 7.40974269950448939160e0, 2.97886665372100240670e0};
    static const double s_coef[6] = {
        2.26052863220117276590e0, 9.39603524938001434673e0, 1.20489539808096656605e1,
        1.70814450747565897222e1, 9.60896809063285878198e0, 3.36907645100081516050e0};
    double p, q, x, y, z;
    if (isnan(a)) return NAN;
    x = a < 0.0 ? -a : a;
    if (x < 1.0) return 1.0 - cg_erf(a);
    z = -a * a;
    if (z < -CG_MAXLOG) return a < 0 ? 2.0 : 0.0;
    z = exp(z);
    if (x < 8.0) {
        p = cg_polevl(x, p_coef, 8);
        q = cg_p1evl(x, q_coef, 8);
    } else {
        p = cg_polevl(x, r_coef, 5);
        q = cg_p1evl(x, s_coef, 6);
    }
    y = (z * p) / q;
    if (a < 0) y = 2.0 - y;
    if (y != 0.0) return y;
    return a < 0 ? 2.0 : 0.0;
}

static inline float cg_gammalnf(float x) { return (float)cg_gammaln(x); }
static inline float cg_digammaf(float x) { return (float)cg_digamma(x); }
static inline float cg_betalnf(float a, float b) { return (float)cg_betaln(a, b); }
static inline float cg_erff(float x) { return (float)cg_erf(x); }
static inline float cg_erfcf(float x) { return (float)cg_erfc(x); }
static inline double cg_gamma(double x) { return cg_gamma_cephes(x); }
static inline float cg_gammaf(float x) { return (float)cg_gamma_cephes(x); }

/* exp(x^2) erfc(x) in long double, x^2 split into x2 + its rounding error so that exp
   loses nothing (at x = 50 that error alone is an ulp of a double). */
static long double cg_erfcx_long(long double x) {
    long double x2 = x * x, err = fmal(x, x, -x2);
    return expl(x2) * (1.0L + err) * erfcl(x);
}
/* erfcx as SciPy computes it (the Faddeeva package): a continued fraction above 50,
   1 / (sqrt(pi) x) above 5e7, 2 exp(x^2) - erfcx(-x) below 0 and 2 exp(x^2) alone below
   -6.1. Between -6.1 and 50 SciPy evaluates Chebyshev fits of erfcx at y = 400 / (4 + |x|)
   rounded to a double; they are within an ulp of the exact erfcx at the x' = 400 / y - 4
   that y stands for, while x' itself moves the value by up to 8 ulp below |x| = 1. So this
   rounds y the same way and takes the exact value at x'. */
static double cg_erfcx(double x) {
    const double ispi = 0.56418958354775628694807945156; /* 1 / sqrt(pi) */
    double y, e;
    if (isnan(x)) return x;
    if (x > 50) {
        if (x > 5e7) return ispi / x;
        return ispi * ((x * x) * (x * x + 4.5) + 2) / (x * ((x * x) * (x * x + 5) + 3.75));
    }
    if (x < -6.1) return 2 * exp(x * x); /* infinite below about -26.6 */
    y = 400 / (4 + fabs(x));
    e = (double)cg_erfcx_long(400.0L / y - 4);
    return x >= 0 ? e : 2 * exp(x * x) - e;
}

/* The x >= 0 with erf(x) = a and erfc(x) = c, in long double. Newton's method: on
   erf(x) - a from the start of erfinv's series while a <= 1/2, on log(erfc(x) / c) from
   x^2 = L - log(pi L) / 2, L = -log c (erfc's leading asymptotic term) above, where c
   holds the digits that a has lost. Each converges in a few steps to the exact value. */
static long double cg_inverse_erf(long double a, long double c) {
    const long double k = 1.1283791670955125738961589031215452L; /* 2 / sqrt(pi) */
    const long double pi = 3.1415926535897932384626433832795029L;
    long double x, e, step, l;
    if (a == 0) return 0;
    if (a <= 0.5L) {
        x = a / k * (1 + pi / 12 * a * a);
    } else {
        l = -logl(c);
        x = sqrtl(l - 0.5L * logl(pi * l));
    }
    for (int i = 0; i < 40; i++) {
        if (a <= 0.5L) {
            step = (erfl(x) - a) / (k * expl(-x * x));
        } else {
            e = erfcl(x);
            step = logl(c / e) * e / (k * expl(-x * x));
        }
        x -= step;
        if (fabsl(step) <= 1e-19L * x) break;
    }
    return x;
}
/* scipy.special.erfinv is Boost's erf_inv, within an ulp of the exact inverse: that,
   rounded. */
static double cg_erfinv(double y) {
    double a = fabs(y);
    if (isnan(y) || a > 1) return NAN;
    if (a == 1) return copysign(INFINITY, y);
    return copysign((double)cg_inverse_erf(a, 1.0L - a), y);
}
/* |ndtri(p)| for p <= 1/2, the x with erfc(x / sqrt 2) = 2p, in long double. */
static long double cg_ndtri_long(long double p) {
    const long double sqrt2 = 1.4142135623730950488016887242096981L;
    return sqrt2 * cg_inverse_erf(1 - 2 * p, 2 * p);
}
/* Cephes' ndtri, which scipy.special.erfcinv calls, is up to 3 ulp from exact in its tails
   (its rounded steps) and 5 near the ends of its middle branch (its rational fit). Its
   double steps are taken here as it takes them, with the exact value in place of each
   fit: around 1/2, with s = p - 1/2 rounded, ndtri = sqrt(2 pi) s (1 + r); in the tails,
   from x = sqrt(-2 log p) and z = 1 / x both rounded, ndtri = x0 - x1 with
   x0 = x - log(x) / x, and x1 the exact value of that difference at 1 / z. Within 3 ulp
   of SciPy's erfcinv but near the ends of the middle branch (see scalar_c.py). */
static double cg_ndtri(double p) {
    const double s2pi = 2.50662827463100050242;
    double q = p, s, x, x0, z;
    long double r, w;
    int upper = 0;
    if (!(p >= 0 && p <= 1)) return NAN;
    if (p == 0) return -INFINITY;
    if (p == 1) return INFINITY;
    if (q > 1.0 - 0.13533528323661269189) { q = 1.0 - q; upper = 1; }
    if (q > 0.13533528323661269189) {
        s = q - 0.5;
        if (s == 0) return s;
        r = copysignl(cg_ndtri_long(0.5L - fabsl(s)), s) / (long double)s2pi / s - 1;
        x = s + s * (double)r;
        return x * s2pi;
    }
    x = sqrt(-2.0 * log(q));
    x0 = x - log(x) / x;
    z = 1.0 / x;
    w = 1 / (long double)z;
    r = w - logl(w) / w - cg_ndtri_long(expl(-w * w / 2));
    x = x0 - (double)r;
    return upper ? x : -x;
}
/* scipy.special.erfcinv(y) is -ndtri(y / 2) sqrt(1/2). */
static double cg_erfcinv(double y) {
    if (!(y >= 0 && y <= 2)) return NAN;
    return -cg_ndtri(0.5 * y) * 0.70710678118654752440;
}

/* Modified Bessel functions I0 and I1 as Cephes computes them: Chebyshev series of
   exp(-x) I(x) on [0, 8] and of exp(-x) sqrt(x) I(x) above. */
static const double cg_i0_a[30] = {
    -4.41534164647933937950e-18, 3.33079451882223809783e-17, -2.43127984654795469359e-16,
    1.71539128555513303061e-15, -1.16853328779934516808e-14, 7.67618549860493561688e-14,
    -4.85644678311192946090e-13, 2.95505266312963983461e-12, -1.72682629144155570723e-11,
    9.67580903537323691224e-11, -5.18979560163526290666e-10, 2.65982372468238665035e-9,
    -1.30002500998624804212e-8, 6.04699502254191894932e-8, -2.67079385394061173391e-7,
    1.11738753912010371815e-6, -4.41673835845875056359e-6, 1.64484480707288970893e-5,
    -5.75419501008210370398e-5, 1.88502885095841655729e-4, -5.76375574538582365885e-4,
    1.63947561694133579842e-3, -4.32430999505057594430e-3, 1.05464603945949983183e-2,
    -2.37374148058994688156e-2, 4.93052842396707084878e-2, -9.49010970480476444210e-2,
    1.71620901522208775349e-1, -3.04682672343198398683e-1, 6.76795274409476084995e-1};
static const double cg_i0_b[25] = {
    -7.23318048787475395456e-18, -4.83050448594418207126e-18, 4.46562142029675999901e-17,
    3.46122286769746109310e-17, -2.82762398051658348494e-16, -3.42548561967721913462e-16,
    1.77256013305652638360e-15, 3.81168066935262242075e-15, -9.55484669882830764870e-15,
    -4.15056934728722208663e-14, 1.54008621752140982691e-14, 3.85277838274214270114e-13,
    7.18012445138366623367e-13, -1.79417853150680611778e-12, -1.32158118404477131188e-11,
    -3.14991652796324136454e-11, 1.18891471078464383424e-11, 4.94060238822496958910e-10,
    3.39623202570838634515e-9, 2.26666899049817806459e-8, 2.04891858946906374183e-7,
    2.89137052083475648297e-6, 6.88975834691682398426e-5, 3.36911647825569408990e-3,
    8.04490411014108831608e-1};
static const double cg_i1_a[29] = {
    2.77791411276104639959e-18, -2.11142121435816608115e-17, 1.55363195773620046921e-16,
    -1.10559694773538630805e-15, 7.60068429473540693410e-15, -5.04218550472791168711e-14,
    3.22379336594557470981e-13, -1.98397439776494371520e-12, 1.17361862988909016308e-11,
    -6.66348972350202774223e-11, 3.62559028155211703701e-10, -1.88724975172282928790e-9,
    9.38153738649577178388e-9, -4.44505912879632808065e-8, 2.00329475355213526229e-7,
    -8.56872026469545474066e-7, 3.47025130813767847674e-6, -1.32731636560394358279e-5,
    4.78156510755005422638e-5, -1.61760815825896745588e-4, 5.12285956168575772895e-4,
    -1.51357245063125314899e-3, 4.15642294431288815669e-3, -1.05640848946261981558e-2,
    2.47264490306265168283e-2, -5.29459812080949914269e-2, 1.02643658689847095384e-1,
    -1.76416518357834055153e-1, 2.52587186443633654823e-1};
static const double cg_i1_b[25] = {
    7.51729631084210481353e-18, 4.41434832307170791151e-18, -4.65030536848935832153e-17,
    -3.20952592199342395980e-17, 2.96262899764595013876e-16, 3.30820231092092828324e-16,
    -1.88035477551078244854e-15, -3.81440307243700780478e-15, 1.04202769841288027642e-14,
    4.27244001671195135429e-14, -2.10154184277266431302e-14, -4.08355111109219731823e-13,
    -7.19855177624590851209e-13, 2.03562854414708950722e-12, 1.41258074366137813316e-11,
    3.25260358301548823856e-11, -1.89749581235054123450e-11, -5.58974346219658380687e-10,
    -3.83538038596423702205e-9, -2.63146884688951950684e-8, -2.51223623787020892529e-7,
    -3.88256480887769039346e-6, -1.10588938762623716291e-4, -9.76109749136146840777e-3,
    7.78576235018280120474e-1};
static double cg_i0(double x) {
    if (x < 0) x = -x;
    if (x <= 8.0) return exp(x) * cg_chbevl(x / 2.0 - 2.0, cg_i0_a, 30);
    return exp(x) * cg_chbevl(32.0 / x - 2.0, cg_i0_b, 25) / sqrt(x);
}
static double cg_i1(double x) {
    double z = fabs(x);
    if (z <= 8.0) z = cg_chbevl(z / 2.0 - 2.0, cg_i1_a, 29) * z * exp(z);
    else z = exp(z) * cg_chbevl(32.0 / z - 2.0, cg_i1_b, 25) / sqrt(z);
    return x < 0 ? -z : z;
}

/* scipy.special.polygamma: where(n == 0, psi(x), (-1.0)**(n + 1) * gamma(n + 1.0) *
   zeta(n + 1, x)) with NumPy's dtypes: a float32 n adds 1 and takes gamma in float32
   (mode 1), a float32 x with a small integer n takes zeta in float32 (mode 2). As SciPy's,
   zeta at a negative non-integer x adds a term per unit up to 9: slow far below 0. */
#define CG_POLYGAMMA_MODE(n) _Generic((n), float: 1, signed char: 2, short: 2,           \
                                      unsigned char: 2, unsigned short: 2, default: 0)
static double cg_polygamma_terms(double n, double x, int mode, int float_x) {
    double m = mode == 1 ? (double)((float)n + 1.0f) : n + 1.0, g, z;
    if (n == 0) return cg_digamma(x);
    g = cg_gamma_cephes(m);
    z = cg_hurwitz_zeta(m, x);
    if (mode == 1) g = (float)g;
    if (float_x && mode != 0) z = (float)z;
    return (pow(-1.0, m) * g) * z;
}
#define cg_polygamma(n, x) cg_polygamma_terms((double)(n), (x), CG_POLYGAMMA_MODE(n), 0)
#define cg_polygammaf(n, x) ((float)cg_polygamma_terms((double)(n), (x), CG_POLYGAMMA_MODE(n), 1))

static inline float cg_erfcxf(float x) { return (float)cg_erfcx(x); }
static inline float cg_erfinvf(float x) { return (float)cg_erfinv(x); }
static inline float cg_erfcinvf(float x) { return (float)cg_erfcinv(x); }
static inline float cg_i0f(float x) { return (float)cg_i0(x); }
static inline float cg_i1f(float x) { return (float)cg_i1(x); }

/* NumPy's complex product, quotient and reciprocal, part by part. The product is the
   schoolbook one (C's operator also rescues infinities from NaN, NumPy does not), each
   part one fused multiply-add where the CPU has them, as NumPy's SIMD loops compute it:
   re = fma(ar, br, -(ai bi)), im = fma(ar, bi, ai br); it differs from two roundings at
   the edge of overflow (a part of (-max - max i)^2 is -inf, not NaN). The quotient is
   Smith's method, which divides by the larger part of the divisor first. */
#if defined(__FMA__) || defined(__ARM_FEATURE_FMA)
#define CG_PRODUCT_SUM(a, b, c) _Generic((a), float: fmaf, default: fma)((a), (b), (c))
#else
#define CG_PRODUCT_SUM(a, b, c) ((a) * (b) + (c))
#endif
#define CG_COMPLEX_HELPERS(T, SUFFIX, MAKE)                                       \
static inline T _Complex cg_cmul##SUFFIX(T _Complex a, T _Complex b) {            \
    T ar = creal##SUFFIX(a), ai = cimag##SUFFIX(a);                                \
    T br = creal##SUFFIX(b), bi = cimag##SUFFIX(b);                                \
    return MAKE(CG_PRODUCT_SUM(ar, br, -(ai * bi)), CG_PRODUCT_SUM(ar, bi, ai * br)); \
}                                                                                 \
static inline T _Complex cg_cdiv##SUFFIX(T _Complex a, T _Complex b) {            \
    T ar = creal##SUFFIX(a), ai = cimag##SUFFIX(a);                                \
    T br = creal##SUFFIX(b), bi = cimag##SUFFIX(b);                                \
    T abs_br = fabs##SUFFIX(br), abs_bi = fabs##SUFFIX(bi), ratio, scale;          \
    if (abs_br >= abs_bi) {                                                       \
        if (abs_br == 0 && abs_bi == 0) return MAKE(ar / abs_br, ai / abs_br);    \
        ratio = bi / br;                                                          \
        scale = (T)1 / (br + bi * ratio);                                         \
        return MAKE((ar + ai * ratio) * scale, (ai - ar * ratio) * scale);        \
    }                                                                             \
    ratio = br / bi;                                                              \
    scale = (T)1 / (bi + br * ratio);                                             \
    return MAKE((ar * ratio + ai) * scale, (ai * ratio - ar) * scale);            \
}                                                                                 \
static inline T _Complex cg_crecip##SUFFIX(T _Complex z) {                        \
    T re = creal##SUFFIX(z), im = cimag##SUFFIX(z), ratio, denominator;            \
    if (fabs##SUFFIX(im) <= fabs##SUFFIX(re)) {                                   \
        ratio = im / re;                                                          \
        denominator = re + im * ratio;                                            \
        return MAKE((T)1 / denominator, -ratio / denominator);                    \
    }                                                                             \
    ratio = re / im;                                                              \
    denominator = re * ratio + im;                                                \
    return MAKE(ratio / denominator, (T)-1 / denominator);                        \
}
CG_COMPLEX_HELPERS(double, , CMPLX)
CG_COMPLEX_HELPERS(float, f, CMPLXF)

/* NumPy's complex power: 1 for a zero exponent; for a zero base, 0 if the exponent's
   real part is positive, else NaN; integral real exponents below 100 in magnitude by
   squaring (two roundings a product, no fused multiply-add; a negative one then
   divided into 1 by Smith's method); cpow otherwise. */
#define CG_COMPLEX_POW(T, SUFFIX, MAKE)                                           \
static inline T _Complex cg_cmul_rounded##SUFFIX(T _Complex a, T _Complex b) {    \
    T ar = creal##SUFFIX(a), ai = cimag##SUFFIX(a);                                \
    T br = creal##SUFFIX(b), bi = cimag##SUFFIX(b);                                \
    T re = ar * br, im = ar * bi;                                                 \
    re -= ai * bi; im += ai * br;                                                 \
    return MAKE(re, im);                                                          \
}                                                                                 \
static inline T _Complex cg_cpow##SUFFIX(T _Complex a, T _Complex b) {            \
    T br = creal##SUFFIX(b), bi = cimag##SUFFIX(b);                                \
    if (br == 0 && bi == 0) return MAKE(1, 0);                                    \
    if (creal##SUFFIX(a) == 0 && cimag##SUFFIX(a) == 0) {                         \
        if (br > 0) return MAKE(0, 0);                                            \
        return MAKE(NAN, NAN);                                                    \
    }                                                                             \
    if (bi == 0 && br > -100 && br < 100 && br == trunc##SUFFIX(br)) {            \
        int n = (int)br, magnitude = n < 0 ? -n : n, mask = 1;                    \
        T _Complex result = MAKE(1, 0), power = a;                                \
        if (n == 1) return a;                                                     \
        if (n == 2) return cg_cmul_rounded##SUFFIX(a, a);                         \
        if (n == 3) return cg_cmul_rounded##SUFFIX(cg_cmul_rounded##SUFFIX(a, a), a); \
        for (;;) {                                                                \
            if (magnitude & mask) result = cg_cmul_rounded##SUFFIX(result, power); \
            mask <<= 1;                                                           \
            if (magnitude < mask) break;                                          \
            power = cg_cmul_rounded##SUFFIX(power, power);                        \
        }                                                                         \
        return n < 0 ? cg_cdiv##SUFFIX(MAKE(1, 0), result) : result;             \
    }                                                                             \
    return cpow##SUFFIX(a, b);                                                    \
}
CG_COMPLEX_POW(double, , CMPLX)
CG_COMPLEX_POW(float, f, CMPLXF)
