/* The kernel's state as Python sees it (cffi cdef and C source alike). */
typedef int (*density_fn)(const double *x, double *grad, double *logp, void *context);

typedef struct {
    int dim, dense, max_treedepth, kick_valid, resume, status;
    double max_energy_error, step_size_jitter, nominal_step, eps, resume_eps, logp;
    density_fn density;
    void *context;
    double *scale, *scale_t, *position_factor, *kick_factor;
    double *x, *grad, *kick, *eval_x, *eval_grad;
    const double *stream;
    long stream_len, stream_used;
    double *uniforms;
    long uniforms_left, uniform_batch, uniforms_needed;
    const double *momenta;
    long momenta_left;
} nuts_kernel;

nuts_kernel *nuts_new(int dim, int max_treedepth);
void nuts_free(nuts_kernel *kernel);
long nuts_run(nuts_kernel *kernel, long draws, double seconds, double *positions, double *stats);
