/* The NUTS trajectory of nuts.py, and HamiltonianMC's of hmc.py, in C: the same
   arithmetic, the same random numbers in the same order, the same statistics. Read
   nuts.py first; this file follows it step by step, with subtrees as slots of
   preallocated vectors swapped by pointer.

   Random numbers come from Python in the batches the Python sampler draws: a stream of
   uniforms in generator order (one per draw for the step-size jitter, and the uniform
   batches), and the rows of a momentum batch. When one runs out, nuts_run returns with
   a status asking for more, and the draw resumes where it stopped. */

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STAT_COUNT 12

enum { RUNNING = 0, NEED_STREAM = 1, NEED_MOMENTA = 2, ABORTED = 3, NEED_STEP_SEARCH = 4 };
enum { UNCHANGED = 0, CHANGED = 1, RESTART = 2 };

typedef struct {
    double weight, logp, energy, norm_first, norm_last, dot_first, dot_last;
    int at_start; /* the sample is the draw's starting point */
    double *rho, *first, *last, *x, *kick;
} slot;

typedef struct {
    nuts_kernel pub;
    int slot_count;
    slot *slots;
    double *edge_x[2], *edge_p[2], *edge_kick[2], *p_half;
    double *memory;
    /* a draw's tallies */
    long n_leapfrog;
    double accept_sum, accept_sym_sum, max_error, energy0;
    int diverging;
} kernel;

static double seconds_now(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + 1e-9 * (double)now.tv_nsec;
}

static double dot_loop(const double *a, const double *b, int n) {
    double sum = 0.0;
    for (int i = 0; i < n; i++) sum += a[i] * b[i];
    return sum;
}

/* a · b of two vectors of the kernel's size: through the BLAS ddot NumPy's dot uses when
   Python handed one over (OpenBLAS sums long vectors in blocks, not in order) */
static double dot(const nuts_kernel *pub, const double *a, const double *b) {
    int n = pub->dim, step = 1;
    if (pub->ddot) return pub->ddot(&n, (double *)a, &step, (double *)b, &step);
    return dot_loop(a, b, n);
}

/* out = factor · v, for a diagonal (elementwise) or dense (row-major) factor. A dense
   product goes through the BLAS dgemv NumPy's matmul uses when Python handed one over
   (SciPy's, the same OpenBLAS kernels here), so that it rounds as the Python sampler's. */
static void times(const nuts_kernel *pub, const double *factor, const double *v, double *out) {
    int n = pub->dim;
    if (!pub->dense) {
        for (int i = 0; i < n; i++) out[i] = factor[i] * v[i];
        return;
    }
    if (pub->dgemv) {
        /* row-major factor = column-major transpose: out = (factorᵀ)ᵀ v */
        char trans = 'T';
        int size = n, step = 1;
        double one = 1.0, zero = 0.0;
        pub->dgemv(&trans, &size, &size, &one, (double *)factor, &size, (double *)v, &step,
                   &zero, out, &step);
        return;
    }
    for (int i = 0; i < n; i++) out[i] = dot_loop(factor + (long)i * n, v, n);
}

static double log_add_exp(double a, double b) {
    if (a > b) return a + log1p(exp(b - a));
    return b + log1p(exp(a - b));
}

nuts_kernel *nuts_new(int dim, int max_treedepth) {
    kernel *k = calloc(1, sizeof(kernel));
    if (!k) return NULL;
    int slot_count = max_treedepth + 3;
    long vectors = 5L * slot_count + 6 + 1 + 3 + 2; /* slots, edges, p_half, state, eval */
    k->memory = calloc((size_t)(vectors * dim), sizeof(double));
    k->slots = calloc((size_t)slot_count, sizeof(slot));
    if (!k->memory || !k->slots) {
        free(k->memory);
        free(k->slots);
        free(k);
        return NULL;
    }
    double *next = k->memory;
#define TAKE() (next += dim, next - dim)
    for (int s = 0; s < slot_count; s++) {
        slot *t = &k->slots[s];
        t->rho = TAKE(); t->first = TAKE(); t->last = TAKE(); t->x = TAKE(); t->kick = TAKE();
    }
    for (int d = 0; d < 2; d++) {
        k->edge_x[d] = TAKE(); k->edge_p[d] = TAKE(); k->edge_kick[d] = TAKE();
    }
    k->p_half = TAKE();
    k->pub.x = TAKE(); k->pub.grad = TAKE(); k->pub.kick = TAKE();
    k->pub.eval_x = TAKE(); k->pub.eval_grad = TAKE();
#undef TAKE
    k->slot_count = slot_count;
    k->pub.dim = dim;
    k->pub.max_treedepth = max_treedepth;
    k->pub.eps = NAN;
    return &k->pub;
}

void nuts_free(nuts_kernel *pub) {
    kernel *k = (kernel *)pub;
    if (!k) return;
    free(k->memory);
    free(k->slots);
    free(k);
}

static double uniform(nuts_kernel *pub) { return pub->uniforms[--pub->uniforms_left]; }

/* Leapfrog.step in whitened coordinates, in place on the edge of one direction; returns
   |p|² and sets *logp (-inf where the density failed). A negative status aborts. */
static int leapfrog(kernel *k, int forward, double *logp, double *norm) {
    nuts_kernel *pub = &k->pub;
    int n = pub->dim;
    double *x = k->edge_x[forward], *p = k->edge_p[forward], *kick = k->edge_kick[forward];
    double *p_half = k->p_half, *eval_x = pub->eval_x, *grad = pub->eval_grad;
    for (int i = 0; i < n; i++) p_half[i] = forward ? p[i] + kick[i] : p[i] - kick[i];
    times(pub, pub->position_factor, p_half, eval_x);
    for (int i = 0; i < n; i++) x[i] = forward ? x[i] + eval_x[i] : x[i] - eval_x[i];
    memcpy(eval_x, x, sizeof(double) * (size_t)n);
    int status = pub->density(eval_x, grad, logp, pub->context);
    if (status < 0) return status;
    if (status > 0) {
        /* as nuts.py: the position stands in for the gradient; the energy is +inf */
        *logp = -INFINITY;
        memcpy(grad, x, sizeof(double) * (size_t)n);
    }
    times(pub, pub->kick_factor, grad, kick);
    for (int i = 0; i < n; i++) p[i] = forward ? p_half[i] + kick[i] : p_half[i] - kick[i];
    *norm = dot(pub, p, p);
    return 0;
}

static void swap_vectors(double **a, double **b) {
    double *keep = *a;
    *a = *b;
    *b = keep;
}

static void take_sample(slot *to, slot *from) {
    swap_vectors(&to->x, &from->x);
    swap_vectors(&to->kick, &from->kick);
    to->logp = from->logp;
    to->energy = from->energy;
    to->at_start = from->at_start;
}

/* merged_end_dots of nuts.py: 0 if the union of L then R turns, else 1 and its end dots */
static int merged_end_dots(const nuts_kernel *pub, const slot *l, const slot *r,
                           double *dot_first, double *dot_last) {
    *dot_first = l->dot_first + dot(pub, l->first, r->rho);
    *dot_last = r->dot_last + dot(pub, r->last, l->rho);
    if (!(*dot_first > 0.0 && *dot_last > 0.0)) return 0;
    if (!(l->dot_first + dot(pub, l->first, r->first) > 0.0
          && dot(pub, r->first, l->rho) + r->norm_first > 0.0))
        return 0;
    if (!(l->norm_last + dot(pub, l->last, r->rho) > 0.0
          && dot(pub, r->last, l->last) + r->dot_last > 0.0))
        return 0;
    return 1;
}

/* joined_points_dots of nuts.py, for two single points */
static int joined_points_dots(const nuts_kernel *pub, const double *first, const double *last,
                              double norm_first, double norm_last, double *dot_first,
                              double *dot_last) {
    double cross = dot(pub, first, last);
    *dot_first = norm_first + cross;
    *dot_last = norm_last + cross;
    return *dot_first > 0.0 && *dot_last > 0.0;
}

/* close_subtrees of nuts.py: merge the leaf in *current with the pending subtrees it
   completes. Returns the level reached, or -1 when a merge turns. */
static int close_subtrees(kernel *k, int *pending, int *current, long leaf) {
    int n = k->pub.dim, level = 0;
    slot *cur = &k->slots[*current];
    while (leaf & 1) {
        slot *left = &k->slots[pending[level]];
        double total = log_add_exp(left->weight, cur->weight);
        if (uniform(&k->pub) >= exp(cur->weight - total)) take_sample(cur, left);
        cur->weight = total;
        double dot_first, dot_last;
        int ok = level == 0
            ? joined_points_dots(&k->pub, left->first, cur->last, left->norm_first,
                                 cur->norm_last, &dot_first, &dot_last)
            : merged_end_dots(&k->pub, left, cur, &dot_first, &dot_last);
        if (!ok) return -1;
        cur->dot_first = dot_first;
        cur->dot_last = dot_last;
        for (int i = 0; i < n; i++) cur->rho[i] = left->rho[i] + cur->rho[i];
        swap_vectors(&cur->first, &left->first);
        cur->norm_first = left->norm_first;
        level++;
        leaf >>= 1;
    }
    return level;
}

/* _build_subtree of nuts.py: 2^depth leapfrogs; returns the slot of the subtree, -1 when
   it is dropped (a divergence or a turn), -2 to abort. */
static int build_subtree(kernel *k, int depth, int forward, int spare) {
    nuts_kernel *pub = &k->pub;
    int n = pub->dim;
    /* slots 0..depth-1 hold the pending subtrees of each level; spare is the leaf's */
    int pending[64];
    for (int level = 0; level < depth; level++) pending[level] = level;
    int current = spare, result = -1;
    for (long leaf = 0; leaf < (1L << depth); leaf++) {
        double logp, norm;
        if (leapfrog(k, forward, &logp, &norm) < 0) return -2;
        double energy = 0.5 * norm - logp;
        double error = energy - k->energy0;
        k->n_leapfrog++;
        if (error > 0.0) {
            double shrink = exp(-error);
            k->accept_sum += shrink;
            k->accept_sym_sum += 2.0 * shrink / (1.0 + shrink);
        } else if (error <= 0.0) {
            double shrink = exp(error);
            k->accept_sum += 1.0;
            k->accept_sym_sum += 2.0 * shrink / (1.0 + shrink);
        }
        if (!(fabs(error) <= fabs(k->max_error))) k->max_error = error;
        if (!(error <= pub->max_energy_error)) {
            k->diverging = 1;
            return -1;
        }
        slot *cur = &k->slots[current];
        cur->weight = -error;
        cur->logp = logp;
        cur->energy = energy;
        cur->at_start = 0;
        size_t bytes = sizeof(double) * (size_t)n;
        memcpy(cur->x, k->edge_x[forward], bytes);
        memcpy(cur->kick, k->edge_kick[forward], bytes);
        memcpy(cur->rho, k->edge_p[forward], bytes);
        memcpy(cur->first, k->edge_p[forward], bytes);
        memcpy(cur->last, k->edge_p[forward], bytes);
        cur->norm_first = cur->norm_last = cur->dot_first = cur->dot_last = norm;
        int level = 0;
        if (leaf & 1) {
            level = close_subtrees(k, pending, &current, leaf);
            if (level < 0) return -1;
        }
        if (level == depth) {
            result = current;
        } else {
            int freed = pending[level];
            pending[level] = current;
            current = freed;
        }
    }
    /* the slots keep their numbers: the subtree's contents are swapped into spare */
    if (result != spare) {
        slot keep = k->slots[spare];
        k->slots[spare] = k->slots[result];
        k->slots[result] = keep;
    }
    return spare;
}

static void set_factors(nuts_kernel *pub, double eps) {
    long size = pub->dense ? (long)pub->dim * pub->dim : pub->dim;
    double half = 0.5 * eps;
    for (long i = 0; i < size; i++) {
        pub->position_factor[i] = eps * pub->scale[i];
        pub->kick_factor[i] = half * pub->scale_t[i];
    }
    pub->eps = eps;
    pub->kick_valid = 0;
}

/* the gradient a kick was made from: kick_factor⁻¹ kick (upper triangular when dense;
   through LAPACK's dtrtrs as scipy.linalg.solve_triangular calls it, when handed over) */
static void gradient_from_kick(nuts_kernel *pub) {
    int n = pub->dim;
    const double *f = pub->kick_factor;
    if (!pub->dense) {
        for (int i = 0; i < n; i++) pub->grad[i] = pub->kick[i] / f[i];
        return;
    }
    if (pub->dtrtrs) {
        /* the row-major upper factor is a column-major lower one, solved transposed */
        char uplo = 'L', trans = 'T', diag = 'N';
        int size = n, columns = 1, info = 0;
        memcpy(pub->grad, pub->kick, sizeof(double) * (size_t)n);
        pub->dtrtrs(&uplo, &trans, &diag, &size, &columns, (double *)f, &size, pub->grad, &size,
                    &info);
        return;
    }
    for (int i = n - 1; i >= 0; i--) {
        double sum = pub->kick[i];
        for (int j = i + 1; j < n; j++) sum -= f[(long)i * n + j] * pub->grad[j];
        pub->grad[i] = sum / f[(long)i * n + i];
    }
}

/* DualAveraging.update */
static void dual_averaging_update(nuts_kernel *pub, double accept) {
    if (isnan(accept)) accept = 0.0;
    pub->da_count++;
    double t = (double)pub->da_count;
    double weight = 1.0 / (t + pub->da_t0);
    pub->da_error_sum = (1.0 - weight) * pub->da_error_sum + weight * (pub->da_target - accept);
    pub->da_log_step = pub->da_mu - sqrt(t) / pub->da_gamma * pub->da_error_sum;
    double eta = pow(t, -pub->da_kappa);
    pub->da_log_averaged = eta * pub->da_log_step + (1.0 - eta) * pub->da_log_averaged;
}

/* RunningMoments.add of pair `pair`, part 0 (draws) or 1 (grads) */
static void moments_add(nuts_kernel *pub, int pair, int part, const double *value, long count) {
    int n = pub->dim;
    double *mean = pub->moments + ((long)(2 * pair + part) * 2) * n, *squares = mean + n;
    for (int i = 0; i < n; i++) {
        double delta = value[i] - mean[i];
        mean[i] += delta / (double)count;
        squares[i] += delta * (value[i] - mean[i]);
    }
}

static void moments_reset(nuts_kernel *pub, int pair) {
    pub->counts[pair] = 0;
    memset(pub->moments + (long)pair * 4 * pub->dim, 0, sizeof(double) * 4 * (size_t)pub->dim);
}

/* GradientDiagonal.update */
static int gradient_diagonal_update(nuts_kernel *pub, int usable) {
    long draw = pub->gd_draw++;
    int n = pub->dim;
    if (draw >= pub->gd_final_start) return UNCHANGED;
    long threshold = draw < pub->gd_early_end ? pub->gd_early_switch : pub->gd_switch;
    if (usable) {
        for (int pair = 0; pair < 2; pair++) {
            long count = ++pub->counts[pair];
            moments_add(pub, pair, 0, pub->x, count);
            moments_add(pub, pair, 1, pub->grad, count);
        }
    }
    int late = draw + threshold > pub->gd_final_start;
    int background = 1 - pub->gd_foreground;
    if (pub->counts[background] >= threshold && !late) {
        pub->gd_foreground = background;
        moments_reset(pub, 1 - background);
    }
    int fg = pub->gd_foreground;
    long count = pub->counts[fg];
    if (count < 3) return UNCHANGED;
    const double *draw_squares = pub->moments + (long)fg * 4 * n + n;
    const double *grad_squares = draw_squares + 2L * n;
    for (int i = 0; i < n; i++) {
        double estimate = sqrt((draw_squares[i] / (double)(count - 1))
                               / (grad_squares[i] / (double)(count - 1)));
        if (isfinite(estimate) && estimate > 0)
            pub->inv_mass[i] = estimate < 1e-20 ? 1e-20 : (estimate > 1e20 ? 1e20 : estimate);
    }
    if (!pub->gd_changed_before) {
        pub->gd_changed_before = 1;
        return RESTART;
    }
    return CHANGED;
}

/* StanWindows.advance: sets whether the draw is in a slow window and ends one */
static void stan_windows_advance(nuts_kernel *pub, int *in_window, int *window_ends) {
    long counter = pub->sw_counter++;
    *in_window = *window_ends = 0;
    if (!pub->sw_enabled) return;
    long slow_end = pub->sw_n_tune - pub->sw_term_buffer;
    *in_window = pub->sw_init_buffer <= counter && counter < slow_end;
    *window_ends = counter == pub->sw_window_end;
    long last_slow_draw = slow_end - 1;
    if (!*window_ends || pub->sw_window_end == last_slow_draw) return;
    pub->sw_window_size *= 2;
    pub->sw_window_end = counter + pub->sw_window_size;
    /* a window that would leave too little room for the next one takes it all */
    if (pub->sw_window_end != last_slow_draw
        && pub->sw_window_end + 2 * pub->sw_window_size > last_slow_draw)
        pub->sw_window_end = last_slow_draw;
}

/* WindowedDiagonal.update: Stan's regularized variance of each slow window */
static int windowed_diagonal_update(nuts_kernel *pub) {
    int in_window, window_ends, n = pub->dim;
    stan_windows_advance(pub, &in_window, &window_ends);
    if (in_window) moments_add(pub, 0, 0, pub->x, ++pub->counts[0]);
    if (!window_ends) return UNCHANGED;
    long count = pub->counts[0];
    if (count >= 2) {
        const double *squares = pub->moments + n;
        double weight = (double)count / ((double)count + 5.0);
        double shrinkage = 1e-3 * (5.0 / ((double)count + 5.0));
        for (int i = 0; i < n; i++)
            pub->inv_mass[i] = weight * (squares[i] / (double)(count - 1)) + shrinkage;
    }
    moments_reset(pub, 0);
    return RESTART;
}

/* WindowedDense.update: Stan's regularized covariance of each slow window; `delta` is
   scratch space of dim doubles. Python factors the matrix (Cholesky, as Leapfrog does). */
static int windowed_dense_update(nuts_kernel *pub, double *delta) {
    int in_window, window_ends, n = pub->dim;
    stan_windows_advance(pub, &in_window, &window_ends);
    double *mean = pub->moments, *squares = pub->dense_squares;
    if (in_window) {
        /* RunningMoments.add, full: squares += outer(x - old mean, x - new mean) */
        long count = ++pub->counts[0];
        const double *x = pub->x;
        for (int i = 0; i < n; i++) {
            delta[i] = x[i] - mean[i];
            mean[i] += delta[i] / (double)count;
        }
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) squares[(long)i * n + j] += delta[i] * (x[j] - mean[j]);
    }
    if (!window_ends) return UNCHANGED;
    long count = pub->counts[0];
    if (count >= 2) {
        /* regularize(): weight · variance + shrinkage · I, each term as NumPy rounds it */
        double weight = (double)count / ((double)count + 5.0);
        double shrinkage = 1e-3 * (5.0 / ((double)count + 5.0));
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                long at = (long)i * n + j;
                pub->inv_mass[at] = weight * (squares[at] / (double)(count - 1))
                    + shrinkage * (i == j ? 1.0 : 0.0);
            }
    }
    pub->counts[0] = 0;
    memset(mean, 0, sizeof(double) * (size_t)n);
    memset(squares, 0, sizeof(double) * (size_t)n * (size_t)n);
    return RESTART;
}

/* BaseHMC._adapt after one tuning draw; NEED_STEP_SEARCH when Python must search for a
   step size, or factor a new dense metric */
static int adapt(kernel *k, double accept, double accept_sym, int diverging) {
    nuts_kernel *pub = &k->pub;
    long draw = pub->tune_draw++;
    if (pub->adapt_step_size) {
        int late = draw >= pub->symmetric_from;
        dual_averaging_update(pub, late ? accept_sym : accept);
    }
    int change = pub->adapt_mass == 1 ? gradient_diagonal_update(pub, !diverging)
        : pub->adapt_mass == 2 ? windowed_diagonal_update(pub)
        : pub->adapt_mass == 3 ? windowed_dense_update(pub, k->p_half)
        : UNCHANGED;
    if (change != UNCHANGED && pub->adapt_mass == 3) return NEED_STEP_SEARCH;
    if (change != UNCHANGED) {
        for (int i = 0; i < pub->dim; i++) pub->scale[i] = pub->scale_t[i] = sqrt(pub->inv_mass[i]);
        pub->eps = NAN;
        pub->kick_valid = 0;
    }
    if (!pub->adapt_step_size) return RUNNING;
    if (change == RESTART) return NEED_STEP_SEARCH;
    pub->nominal_step = exp(pub->da_log_step);
    return RUNNING;
}

/* NUTS.transition from the start state, its momentum in the trajectory slot; leaves
   the chosen point as the kernel's state. Returns RUNNING, or ABORTED. */
static int nuts_trajectory(kernel *k, double *stats) {
    nuts_kernel *pub = &k->pub;
    int n = pub->dim;
    size_t bytes = sizeof(double) * (size_t)n;
    /* the trajectory lives in the last slot, a new subtree in the one before */
    int trajectory_index = k->slot_count - 1, spare = k->slot_count - 2;
    slot *trajectory = &k->slots[trajectory_index];
    double log_weight = 0.0;
    int depth = 0;
    while (depth < pub->max_treedepth) {
        int forward = uniform(pub) > 0.5;
        int built = build_subtree(k, depth, forward, spare);
        if (built == -2) return ABORTED;
        if (built < 0) break;
        slot *subtree = &k->slots[built];
        if (subtree->weight > log_weight || uniform(pub) < exp(subtree->weight - log_weight))
            take_sample(trajectory, subtree);
        log_weight = log_add_exp(log_weight, subtree->weight);
        if (!forward) {
            /* built backwards in time: its first point is its latest */
            swap_vectors(&subtree->first, &subtree->last);
            double keep = subtree->norm_first;
            subtree->norm_first = subtree->norm_last;
            subtree->norm_last = keep;
            keep = subtree->dot_first;
            subtree->dot_first = subtree->dot_last;
            subtree->dot_last = keep;
        }
        slot *earlier = forward ? trajectory : subtree, *later = forward ? subtree : trajectory;
        double dot_first, dot_last;
        int ok = depth == 0
            ? joined_points_dots(pub, earlier->first, later->last, earlier->norm_first,
                                 later->norm_last, &dot_first, &dot_last)
            : merged_end_dots(pub, earlier, later, &dot_first, &dot_last);
        depth++;
        if (!ok) break;
        trajectory->weight = log_weight;
        for (int i = 0; i < n; i++) trajectory->rho[i] = earlier->rho[i] + later->rho[i];
        if (forward) {
            swap_vectors(&trajectory->last, &subtree->last);
            trajectory->norm_last = subtree->norm_last;
        } else {
            swap_vectors(&trajectory->first, &subtree->first);
            trajectory->norm_first = subtree->norm_first;
        }
        trajectory->dot_first = dot_first;
        trajectory->dot_last = dot_last;
    }
    int moved = !trajectory->at_start;
    if (moved) {
        memcpy(pub->x, trajectory->x, bytes);
        memcpy(pub->kick, trajectory->kick, bytes);
        pub->logp = trajectory->logp;
        gradient_from_kick(pub);
    }
    double steps = (double)k->n_leapfrog;
    stats[0] = k->diverging;
    stats[1] = depth;
    stats[2] = trajectory->energy;
    stats[3] = trajectory->energy - k->energy0;
    stats[4] = k->max_error;
    stats[5] = k->accept_sum / steps;
    stats[6] = k->accept_sym_sum / steps;
    stats[7] = steps;
    stats[10] = moved;
    return RUNNING;
}

/* HamiltonianMC.transition: ⌊path_length / ε⌋ leapfrogs forward (at most max_steps), then
   a Metropolis test with one uniform of the batch (none after a divergence) */
static int hmc_trajectory(kernel *k, double eps, double *stats) {
    nuts_kernel *pub = &k->pub;
    size_t bytes = sizeof(double) * (size_t)pub->dim;
    double ratio = pub->path_length / eps;
    long steps = ratio >= (double)pub->max_steps ? pub->max_steps
        : ratio >= 1.0 ? (long)ratio : 1;
    double logp = pub->logp, norm = 0.0, error = 0.0, max_error = 0.0;
    int diverging = 0;
    long taken = 0;
    while (taken < steps) {
        if (leapfrog(k, 1, &logp, &norm) < 0) return ABORTED;
        taken++;
        error = 0.5 * norm - logp - k->energy0;
        if (!(fabs(error) <= fabs(max_error))) max_error = error;
        if (!(error <= pub->max_energy_error)) {
            diverging = 1;
            break;
        }
    }
    double accept = diverging ? 0.0 : exp(-error < 0.0 ? -error : 0.0);
    int moved = !diverging && uniform(pub) < accept;
    if (moved) {
        /* the new point's own gradient, as the Python sampler keeps it */
        memcpy(pub->x, k->edge_x[1], bytes);
        memcpy(pub->grad, pub->eval_grad, bytes);
        memcpy(pub->kick, k->edge_kick[1], bytes);
        pub->logp = logp;
    }
    stats[0] = diverging;
    stats[1] = 0.0;
    stats[2] = moved ? k->energy0 + error : k->energy0;
    stats[3] = error;
    stats[4] = max_error;
    stats[5] = stats[6] = accept;
    stats[7] = (double)taken;
    stats[10] = moved;
    return RUNNING;
}

/* One draw (BaseHMC.step and the sampler's transition). Returns RUNNING, or what it
   needs first. */
static int draw(kernel *k, double *position, double *stats) {
    nuts_kernel *pub = &k->pub;
    int n = pub->dim;
    if (!pub->resume) {
        long need = (pub->step_size_jitter != 0.0 ? 1 : 0)
            + (pub->uniforms_left < pub->uniforms_needed ? pub->uniform_batch : 0);
        if (pub->stream_used + need > pub->stream_len) return NEED_STREAM;
        double eps = pub->nominal_step;
        if (pub->step_size_jitter != 0.0)
            eps *= 1.0 + pub->step_size_jitter * (2.0 * pub->stream[pub->stream_used++] - 1.0);
        if (pub->uniforms_left < pub->uniforms_needed) {
            memcpy(pub->uniforms, pub->stream + pub->stream_used,
                   sizeof(double) * (size_t)pub->uniform_batch);
            pub->stream_used += pub->uniform_batch;
            pub->uniforms_left = pub->uniform_batch;
        }
        pub->resume_eps = eps;
        pub->resume = 1;
    }
    if (pub->momenta_left == 0) return NEED_MOMENTA;
    pub->resume = 0;
    double eps = pub->resume_eps;
    const double *p = pub->momenta + (long)(--pub->momenta_left) * n;
    if (!(eps == pub->eps)) set_factors(pub, eps);
    if (!pub->kick_valid) {
        times(pub, pub->kick_factor, pub->grad, pub->kick);
        pub->kick_valid = 1;
    }
    double norm = dot(pub, p, p);
    k->energy0 = 0.5 * norm - pub->logp;
    k->n_leapfrog = 0;
    k->accept_sum = k->accept_sym_sum = k->max_error = 0.0;
    k->diverging = 0;
    size_t bytes = sizeof(double) * (size_t)n;
    for (int d = 0; d < 2; d++) {
        memcpy(k->edge_x[d], pub->x, bytes);
        memcpy(k->edge_p[d], p, bytes);
        memcpy(k->edge_kick[d], pub->kick, bytes);
    }
    int status;
    if (pub->hmc) {
        status = hmc_trajectory(k, eps, stats);
    } else {
        slot *trajectory = &k->slots[k->slot_count - 1];
        trajectory->weight = 0.0;
        trajectory->logp = pub->logp;
        trajectory->energy = k->energy0;
        trajectory->at_start = 1;
        memcpy(trajectory->rho, p, bytes);
        memcpy(trajectory->first, p, bytes);
        memcpy(trajectory->last, p, bytes);
        trajectory->norm_first = trajectory->norm_last = norm;
        trajectory->dot_first = trajectory->dot_last = norm;
        status = nuts_trajectory(k, stats);
    }
    if (status != RUNNING) return status;
    memcpy(position, pub->x, bytes);
    stats[8] = eps;
    stats[9] = pub->logp;
    if (pub->adapt) status = adapt(k, stats[5], stats[6], (int)stats[0]);
    stats[11] = pub->da_count ? exp(pub->da_log_averaged) : exp(pub->da_log_step);
    return status;
}

long nuts_run(nuts_kernel *pub, long draws, double seconds, double *positions, double *stats) {
    kernel *k = (kernel *)pub;
    double started = seconds_now();
    long done = 0;
    pub->status = RUNNING;
    while (done < draws) {
        int status = draw(k, positions + done * pub->dim, stats + done * STAT_COUNT);
        if (status == NEED_STEP_SEARCH) done++; /* the draw is made; Python adapts */
        if (status != RUNNING) {
            pub->status = status;
            break;
        }
        done++;
        if (seconds_now() - started > seconds) break;
    }
    return done;
}
