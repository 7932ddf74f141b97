/* A Python logp_dlogp called from the kernel through CPython's C API, not through a
   cffi callback: no cdata objects per call, no handle lookup, no Python-level copy.
   nuts_run_python holds the GIL for a whole chunk, so a call takes it only once.

   The fast path takes a (logp, gradient) tuple whose gradient is a C-contiguous float64
   buffer of the right length (a NumPy array) and copies it; anything else goes to the
   Python `finish(result)`, which unpacks, converts and stores it as the Python NUTS
   would (or raises). The context's objects are borrowed: nuts_c.PythonDensity owns
   them for the kernel's lifetime. */

#include <Python.h> /* already first in the cffi module; named for the reader */

static int python_density_failed(python_density *density) {
    /* an error inside the density: a divergence when it is one of DENSITY_ERRORS,
       else kept by Python's `keep_error` and sampling stops */
    if (PyErr_ExceptionMatches((PyObject *)density->density_errors)) {
        PyErr_Clear();
        return 1;
    }
    PyObject *type, *value, *traceback;
    PyErr_Fetch(&type, &value, &traceback);
    PyErr_NormalizeException(&type, &value, &traceback);
    if (traceback != NULL && value != NULL) PyException_SetTraceback(value, traceback);
    PyObject *kept = PyObject_CallOneArg((PyObject *)density->keep_error,
                                         value != NULL ? value : Py_None);
    Py_XDECREF(kept);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(traceback);
    PyErr_Clear();
    return -1;
}

/* 1 when the gradient was copied from a flat float64 buffer of n elements, else 0 */
static int copy_gradient(PyObject *gradient, double *grad, int n) {
    Py_buffer view;
    if (PyObject_GetBuffer(gradient, &view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) != 0) {
        PyErr_Clear();
        return 0;
    }
    int fits = view.ndim == 1 && view.itemsize == 8 && view.format != NULL
        && view.format[0] == 'd' && view.format[1] == '\0' && view.len == 8 * (Py_ssize_t)n;
    if (fits) memcpy(grad, view.buf, sizeof(double) * (size_t)n);
    PyBuffer_Release(&view);
    return fits;
}

int call_python_density(const double *x, double *grad, double *logp, void *context) {
    (void)x; /* the Python side's `x` is a NumPy view on this very buffer */
    python_density *density = context;
    PyObject *result = PyObject_CallOneArg((PyObject *)density->function,
                                           (PyObject *)density->x);
    if (result == NULL) return python_density_failed(density);
    double value = -1.0;
    int done = PyTuple_CheckExact(result) && PyTuple_GET_SIZE(result) == 2
        && copy_gradient(PyTuple_GET_ITEM(result, 1), grad, density->dim);
    if (done) {
        value = PyFloat_AsDouble(PyTuple_GET_ITEM(result, 0));
        done = !(value == -1.0 && PyErr_Occurred());
        if (!done) PyErr_Clear(); /* float() may still convert it: `finish` decides */
    }
    if (!done) {
        PyObject *finished = PyObject_CallOneArg((PyObject *)density->finish, result);
        if (finished != NULL) {
            value = PyFloat_AsDouble(finished);
            Py_DECREF(finished);
        }
    }
    Py_DECREF(result);
    if (value == -1.0 && PyErr_Occurred()) return python_density_failed(density);
    *logp = value;
    return 0;
}

long nuts_run_python(nuts_kernel *kernel, long draws, double seconds, double *positions,
                     double *stats) {
    PyGILState_STATE state = PyGILState_Ensure();
    long done = nuts_run(kernel, draws, seconds, positions, stats);
    PyGILState_Release(state);
    return done;
}
