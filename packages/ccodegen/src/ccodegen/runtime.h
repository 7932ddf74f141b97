/* The runtime every generated translation unit starts with: array views over NumPy
   arrays, buffers kept between calls in a state struct, and error reporting. */
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <Python.h>
#include <numpy/ndarraytypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define CG_MAXDIM 16
/* Node functions stay functions: one huge function would compile in superlinear time. */
#define CG_NOINLINE __attribute__((noinline))
/* The next loop has no dependence between iterations (see loops.py's flat loop). */
#if defined(__clang__)
#define CG_IVDEP _Pragma("clang loop vectorize(assume_safety)")
#elif defined(__GNUC__)
#define CG_IVDEP _Pragma("GCC ivdep")
#else
#define CG_IVDEP
#endif
#define CG_SCRATCH_PER_NODE 4

/* One value as the generated code sees it: data, and per axis its length and its
   stride in bytes. Only the first ndim entries are used; ndim is known statically. */
typedef struct {
    char *data;
    npy_intp dims[CG_MAXDIM];
    npy_intp strides[CG_MAXDIM];
} cg_arr;

/* What a program keeps between calls: one buffer per intermediate value (grown, never
   shrunk), the lengths of the outputs it last asked for, and the last error. A node
   that runs a loop (scanloop's Scan) keeps its own buffers and those of the loop's
   step in a child state, made on first use and freed and deleted with this one. */
typedef struct cg_state {
    int n_buffers;
    void **buffers;
    size_t *capacity;
    int n_scratch;          /* per node, CG_SCRATCH_PER_NODE more buffers for its own use */
    void **scratch;
    size_t *scratch_capacity;
    npy_intp *wanted;       /* per output, CG_MAXDIM lengths: what the caller must allocate */
    int failed_node;        /* index of the node that failed, or -1 */
    int error_kind;         /* CG_VALUE, CG_INDEX, ... */
    PyTypeObject *ndarray;  /* numpy.ndarray, to check what the caller passed */
    int n_children;         /* one per node: NULL, or the child state of a node's loop */
    struct cg_state **children;
    char message[512];
} cg_state;

enum { CG_OK = 0, CG_ERROR = 1, CG_NEED_OUTPUTS = 2 };
/* The Python exception a failure becomes. */
enum { CG_VALUE = 1, CG_INDEX = 2, CG_TYPE = 3, CG_MEMORY = 4, CG_ASSERTION = 5 };
/* What NumPy's arange raises for a zero step and for bounds its dtype cannot hold;
   what a unit misused (no BLAS handed to it) raises. */
enum { CG_ZERO_DIVISION = 6, CG_OVERFLOW = 7, CG_RUNTIME = 8 };
/* numpy.linalg.LinAlgError: a singular or not positive definite matrix. */
enum { CG_LINALG = 9 };

static int cg_fail(cg_state *st, int node, int kind, const char *format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(st->message, sizeof st->message, format, args);
    va_end(args);
    st->failed_node = node;
    st->error_kind = kind;
    return CG_ERROR;
}

/* Read a NumPy array passed by address; check its dtype and rank. A 0-d float64 input
   may also come as a Python float (the program's raw_floats): its value is read in place. */
static int cg_load(cg_state *st, cg_arr *a, uintptr_t address, int type_num, int ndim,
                   const char *name) {
    PyArrayObject *array = (PyArrayObject *)address;
    PyTypeObject *type = Py_TYPE((PyObject *)array);
    if (ndim == 0 && type_num == NPY_DOUBLE && type == &PyFloat_Type) {
        /* A float object is its header and then its double (PyFloatObject, which the
           limited API cffi builds with does not declare): read the double in place. */
        a->data = (char *)address + sizeof(PyObject);
        return CG_OK;
    }
    if (type != st->ndarray && !PyType_IsSubtype(type, st->ndarray))
        return cg_fail(st, -1, CG_TYPE, "input %s: expected a NumPy array, got another object",
                       name);
    if (PyArray_NDIM(array) != ndim || PyArray_DESCR(array)->type_num != type_num)
        return cg_fail(st, -1, CG_TYPE, "input %s: expected a %d-d array of NumPy type number %d, "
                       "got %d-d of type number %d", name, ndim, type_num,
                       PyArray_NDIM(array), PyArray_DESCR(array)->type_num);
    a->data = PyArray_BYTES(array);
    for (int k = 0; k < ndim; k++) {
        a->dims[k] = PyArray_DIMS(array)[k];
        a->strides[k] = PyArray_STRIDES(array)[k];
    }
    return CG_OK;
}

/* Python's slice clipping (PySlice_AdjustIndices) for an axis of length n. */
static inline void cg_clip_slice(npy_intp n, npy_intp step, npy_intp *start, npy_intp *stop) {
    if (*start < 0) { *start += n; if (*start < 0) *start = step < 0 ? -1 : 0; }
    else if (*start >= n) *start = step < 0 ? n - 1 : n;
    if (*stop < 0) { *stop += n; if (*stop < 0) *stop = step < 0 ? -1 : 0; }
    else if (*stop >= n) *stop = step < 0 ? n - 1 : n;
}

static inline npy_intp cg_slice_length(npy_intp start, npy_intp stop, npy_intp step) {
    if (step < 0) return stop < start ? (start - stop - 1) / (-step) + 1 : 0;
    return start < stop ? (stop - start - 1) / step + 1 : 0;
}

static npy_intp cg_size(const cg_arr *a, int ndim) {
    npy_intp n = 1;
    for (int k = 0; k < ndim; k++) n *= a->dims[k];
    return n;
}

/* Whether a has b's lengths and C-contiguous strides (axes of length 1 may have any). */
static inline int cg_contiguous_like(const cg_arr *a, const cg_arr *b, int ndim,
                                     npy_intp itemsize) {
    npy_intp stride = itemsize;
    for (int k = ndim - 1; k >= 0; k--) {
        if (a->dims[k] != b->dims[k]) return 0;
        if (a->dims[k] != 1 && a->strides[k] != stride) return 0;
        stride *= a->dims[k];
    }
    return 1;
}

static void cg_contiguous_strides(cg_arr *a, int ndim, npy_intp itemsize) {
    npy_intp stride = itemsize;
    for (int k = ndim - 1; k >= 0; k--) {
        a->strides[k] = stride;
        stride *= a->dims[k] > 0 ? a->dims[k] : 1;
    }
}

/* Give an intermediate value a C-contiguous buffer of its size, reusing the last one. */
static int cg_reserve(cg_state *st, int slot, cg_arr *a, int ndim, npy_intp itemsize) {
    size_t bytes = (size_t)cg_size(a, ndim) * (size_t)itemsize;
    if (bytes == 0) bytes = (size_t)itemsize;
    if (st->capacity[slot] < bytes) {
        void *grown = realloc(st->buffers[slot], bytes);
        if (grown == NULL) return cg_fail(st, -1, CG_MEMORY, "out of memory (%zu bytes)", bytes);
        st->buffers[slot] = grown;
        st->capacity[slot] = bytes;
    }
    a->data = (char *)st->buffers[slot];
    cg_contiguous_strides(a, ndim, itemsize);
    return CG_OK;
}

/* Bind output i to the array the caller allocated. When its lengths differ from the
   computed ones (or there is none yet), record them for the caller and return 1. */
static int cg_bind_output(cg_state *st, int i, cg_arr *a, uintptr_t address, int ndim) {
    PyArrayObject *array = (PyArrayObject *)address;
    npy_intp *wanted = st->wanted + (size_t)i * CG_MAXDIM;
    int mismatch = address == 0;
    for (int k = 0; k < ndim; k++) {
        wanted[k] = a->dims[k];
        if (address != 0 && PyArray_DIMS(array)[k] != a->dims[k]) mismatch = 1;
    }
    if (mismatch) return 1;
    a->data = PyArray_BYTES(array);
    for (int k = 0; k < ndim; k++) a->strides[k] = PyArray_STRIDES(array)[k];
    return 0;
}

/* A node's own scratch buffer k (a contiguous copy it views, a workspace), grown as needed. */
static void *cg_scratch(cg_state *st, int node, int k, size_t bytes) {
    int slot = node * CG_SCRATCH_PER_NODE + k;
    if (bytes == 0) bytes = 1;
    if (st->scratch_capacity[slot] < bytes) {
        void *grown = realloc(st->scratch[slot], bytes);
        if (grown == NULL) return NULL;
        st->scratch[slot] = grown;
        st->scratch_capacity[slot] = bytes;
    }
    return st->scratch[slot];
}

/* Bind a step's output value to the loop's target for it (the same lengths): 0; or 1
   when there is no target yet (data NULL) or its lengths differ. */
static inline int cg_bind_target(cg_arr *a, const cg_arr *target, int ndim) {
    if (target->data == NULL) return 1;
    for (int k = 0; k < ndim; k++)
        if (target->dims[k] != a->dims[k]) return 1;
    a->data = target->data;
    for (int k = 0; k < ndim; k++) a->strides[k] = target->strides[k];
    return 0;
}

/* Report a child state's failure as node ``node``'s own. */
static int cg_fail_from(cg_state *st, int node, const cg_state *child) {
    snprintf(st->message, sizeof st->message, "%s", child->message);
    st->failed_node = node;
    st->error_kind = child->error_kind;
    return CG_ERROR;
}

static cg_state *cg_new_state(int n_buffers, int n_nodes, int n_outputs, uintptr_t ndarray) {
    cg_state *st = calloc(1, sizeof(cg_state));
    if (st == NULL) return NULL;
    st->n_buffers = n_buffers;
    st->buffers = calloc((size_t)(n_buffers ? n_buffers : 1), sizeof(void *));
    st->capacity = calloc((size_t)(n_buffers ? n_buffers : 1), sizeof(size_t));
    st->n_scratch = (n_nodes ? n_nodes : 1) * CG_SCRATCH_PER_NODE;
    st->scratch = calloc((size_t)st->n_scratch, sizeof(void *));
    st->scratch_capacity = calloc((size_t)st->n_scratch, sizeof(size_t));
    st->wanted = calloc((size_t)(n_outputs ? n_outputs : 1) * CG_MAXDIM, sizeof(npy_intp));
    st->failed_node = -1;
    st->ndarray = (PyTypeObject *)ndarray;
    st->n_children = n_nodes ? n_nodes : 1;
    st->children = calloc((size_t)st->n_children, sizeof(cg_state *));
    return st;
}

/* Node ``node``'s child state, made on first use with room for these buffers and nodes
   (a node always asks for the same); NULL when out of memory. */
static cg_state *cg_child(cg_state *st, int node, int n_buffers, int n_nodes) {
    cg_state *child = st->children[node];
    if (child == NULL) {
        child = cg_new_state(n_buffers, n_nodes, 0, (uintptr_t)st->ndarray);
        st->children[node] = child;
    }
    return child;
}

static void cg_free_buffers(cg_state *st) {
    for (int i = 0; i < st->n_buffers; i++) {
        free(st->buffers[i]);
        st->buffers[i] = NULL;
        st->capacity[i] = 0;
    }
    for (int i = 0; i < st->n_scratch; i++) {
        free(st->scratch[i]);
        st->scratch[i] = NULL;
        st->scratch_capacity[i] = 0;
    }
    for (int i = 0; i < st->n_children; i++)
        if (st->children[i] != NULL) cg_free_buffers(st->children[i]);
}

static void cg_delete_state(cg_state *st) {
    if (st == NULL) return;
    cg_free_buffers(st);
    for (int i = 0; i < st->n_children; i++) cg_delete_state(st->children[i]);
    free(st->children);
    free(st->buffers);
    free(st->capacity);
    free(st->scratch);
    free(st->scratch_capacity);
    free(st->wanted);
    free(st);
}
