/* The kernel's state as Python sees it (cffi cdef and C source alike). */
typedef int (*density_fn)(const double *x, double *grad, double *logp, void *context);
/* BLAS ddot and dgemv, LAPACK dtrtrs: Fortran calling convention (scipy.linalg.cython_blas) */
typedef double (*ddot_fn)(int *n, double *x, int *incx, double *y, int *incy);
typedef void (*dgemv_fn)(char *trans, int *m, int *n, double *alpha, double *a, int *lda,
                         double *x, int *incx, double *beta, double *y, int *incy);
typedef void (*dtrtrs_fn)(char *uplo, char *trans, char *diag, int *n, int *nrhs, double *a,
                          int *lda, double *b, int *ldb, int *info);

typedef struct {
    int dim, dense, max_treedepth, kick_valid, resume, status;
    int hmc; /* 1: HamiltonianMC's fixed path length instead of NUTS's trees */
    long max_steps;
    double path_length;
    double max_energy_error, step_size_jitter, nominal_step, eps, resume_eps, logp;
    density_fn density;
    void *context;
    double *scale, *scale_t, *position_factor, *kick_factor;
    ddot_fn ddot;     /* NULL: the kernel's own loops */
    dgemv_fn dgemv;
    dtrtrs_fn dtrtrs;
    double *x, *grad, *kick, *eval_x, *eval_grad;
    const double *stream;
    long stream_len, stream_used;
    double *uniforms;
    long uniforms_left, uniform_batch, uniforms_needed;
    const double *momenta;
    long momenta_left;
    /* adaptation while tuning: step_size.DualAveraging, and adapt_mass 1
       mass_matrix.GradientDiagonal, 2 WindowedDiagonal, 3 WindowedDense */
    int adapt, adapt_step_size, adapt_mass;
    long tune_draw, symmetric_from;
    double da_target, da_gamma, da_t0, da_kappa, da_mu, da_error_sum, da_log_step,
        da_log_averaged;
    long da_count;
    long gd_draw, gd_early_end, gd_final_start, gd_early_switch, gd_switch;
    int gd_changed_before, gd_foreground;
    int sw_enabled; /* mass_matrix.StanWindows */
    long sw_n_tune, sw_init_buffer, sw_term_buffer, sw_window_size, sw_window_end, sw_counter;
    long *counts;      /* [pair] for the two (draws, grads) pairs */
    double *moments;   /* [pair][draws, grads][mean, squares][dim] */
    double *inv_mass;      /* [dim], or [dim][dim] for mass_matrix.WindowedDense */
    double *dense_squares; /* [dim][dim]: WindowedDense's running sum of outer products */
} nuts_kernel;

/* A Python density called through the C API (python_density.c): its objects, as
   PyObject pointers (the cdef cannot name PyObject) */
typedef struct {
    void *function, *x, *finish, *keep_error, *density_errors;
    int dim;
} python_density;
int call_python_density(const double *x, double *grad, double *logp, void *context);
long nuts_run_python(nuts_kernel *kernel, long draws, double seconds, double *positions,
                     double *stats);

nuts_kernel *nuts_new(int dim, int max_treedepth);
void nuts_free(nuts_kernel *kernel);
long nuts_run(nuts_kernel *kernel, long draws, double seconds, double *positions, double *stats);
