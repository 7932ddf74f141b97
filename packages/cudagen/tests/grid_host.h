/* The CUDA built-ins a generated module uses, for g++: a CUDA block as coroutines.
 *
 * Blocks run one after another. The threads of a block are fibers (ucontext) on one CPU
 * thread: each runs until it waits (at __syncthreads or inside a warp shuffle) or ends,
 * and a barrier opens when every live thread it holds has reached it. So what threads
 * share (__shared__ memory, shuffles) is exercised as on a device, in an order chosen
 * to show races: each warp runs as far ahead of the others as the barriers let it,
 * lowest warp (and lane) first in even blocks, highest first in odd blocks.
 *   - __syncthreads() waits for every live thread of the block;
 *   - __shfl_down_sync() trades values through a slot per thread, the lanes of a warp
 *     meeting twice (written, then read), as one instruction of a warp does;
 *   - atomics are plain read-modify-writes: one fiber runs at a time.
 * Threads that wait where others never come (divergent barriers, which CUDA leaves
 * undefined) leave no barrier to open: the launch returns 1 instead of hanging.
 * Functions nvcc has and glibc lacks are defined here, accurately enough for the op
 * table's domains. */
#include <ucontext.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

struct cu_dim3 { unsigned x, y, z; };
static cu_dim3 threadIdx, blockIdx, blockDim, gridDim;

#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static

enum cu_state { CU_READY, CU_AT_BLOCK_BARRIER, CU_AT_WARP_BARRIER, CU_DONE };
struct cu_fiber { ucontext_t context; cu_state state; };

static const size_t CU_STACK_BYTES = 128 * 1024;
static ucontext_t cu_scheduler;
static std::vector<cu_fiber> cu_fibers;                /* the running block's threads */
static std::vector<std::unique_ptr<char[]>> cu_stacks; /* kept from block to block */
static std::vector<unsigned long long> cu_slots;       /* a shuffle's value per thread */
static unsigned cu_running;
static void (*cu_body)(const char *);
static const char *cu_parameters;

static void cu_wait(cu_state where) {
    cu_fiber &fiber = cu_fibers[cu_running];
    fiber.state = where;
    swapcontext(&fiber.context, &cu_scheduler);
}

static inline void __syncthreads(void) { cu_wait(CU_AT_BLOCK_BARRIER); }

template <typename T> static inline T __shfl_down_sync(unsigned, T v, int delta) {
    static_assert(sizeof(T) <= sizeof(unsigned long long), "a shuffle moves 8 bytes at most");
    const unsigned rank = cu_running, lane = rank % 32;
    std::memcpy(&cu_slots[rank], &v, sizeof v);
    cu_wait(CU_AT_WARP_BARRIER);
    T result = v; /* a lane past the warp's end reads its own value, as on a device */
    if (lane + delta < 32 && rank + delta < cu_slots.size())
        std::memcpy(&result, &cu_slots[rank + delta], sizeof result);
    cu_wait(CU_AT_WARP_BARRIER);
    return result;
}

static void cu_fiber_main(void) {
    cu_body(cu_parameters);
    cu_fibers[cu_running].state = CU_DONE; /* then uc_link returns to the scheduler */
}

/* Whether every live thread of [first, end) waits at ``where`` (and one does). */
static bool cu_all_wait(unsigned first, unsigned end, cu_state where) {
    bool waiting = false;
    for (unsigned t = first; t < end; ++t) {
        if (cu_fibers[t].state == CU_DONE) continue;
        if (cu_fibers[t].state != where) return false;
        waiting = true;
    }
    return waiting;
}

static void cu_open(unsigned first, unsigned end, cu_state where) {
    for (unsigned t = first; t < end; ++t)
        if (cu_fibers[t].state == where) cu_fibers[t].state = CU_READY;
}

/* The lanes of one warp take turns (up or down) until none can go on without the
 * rest of the block: at __syncthreads, ended, or stuck. */
static void cu_run_warp(unsigned first, unsigned end, bool downwards) {
    for (;;) {
        bool ran = false;
        for (unsigned k = first; k < end; ++k) {
            const unsigned t = downwards ? first + end - 1 - k : k;
            if (cu_fibers[t].state != CU_READY) continue;
            cu_running = t;
            threadIdx = {t % blockDim.x, t / blockDim.x, 0};
            swapcontext(&cu_scheduler, &cu_fibers[t].context);
            ran = true;
        }
        if (cu_all_wait(first, end, CU_AT_WARP_BARRIER)) cu_open(first, end, CU_AT_WARP_BARRIER);
        else if (!ran) return;
    }
}

/* One block to its end: 0, or 1 when its threads wait where others never come. Each
 * warp runs as far ahead of the others as barriers let it, the lowest first (even
 * blocks) or the highest (odd blocks), so a barrier missing on either side shows. */
static int cu_run_block(unsigned n, bool downwards) {
    while (cu_stacks.size() < n) cu_stacks.emplace_back(new char[CU_STACK_BYTES]);
    cu_fibers.assign(n, cu_fiber{});
    cu_slots.assign(n, 0);
    for (unsigned t = 0; t < n; ++t) {
        ucontext_t &context = cu_fibers[t].context;
        getcontext(&context);
        context.uc_stack.ss_sp = cu_stacks[t].get();
        context.uc_stack.ss_size = CU_STACK_BYTES;
        context.uc_link = &cu_scheduler;
        makecontext(&context, cu_fiber_main, 0);
    }
    const unsigned warps = (n + 31) / 32;
    for (;;) {
        for (unsigned k = 0; k < warps; ++k) {
            const unsigned w = downwards ? warps - 1 - k : k;
            cu_run_warp(32 * w, 32 * w + 32 < n ? 32 * w + 32 : n, downwards);
        }
        if (cu_all_wait(0, n, CU_AT_BLOCK_BARRIER)) cu_open(0, n, CU_AT_BLOCK_BARRIER);
        else {
            for (const cu_fiber &fiber : cu_fibers)
                if (fiber.state != CU_DONE) return 1;
            return 0;
        }
    }
}

/* Runs ``body(parameters)`` (a thread's kernel call) on every thread of every block; 0
 * when every thread ended, 1 when some block's threads got stuck. */
static int cu_run_grid(unsigned gx, unsigned gy, unsigned bx, unsigned by,
                       const char *parameters, void (*body)(const char *)) {
    cu_body = body;
    cu_parameters = parameters;
    gridDim = {gx, gy, 1};
    blockDim = {bx, by, 1};
    for (unsigned y = 0; y < gy; ++y) for (unsigned x = 0; x < gx; ++x) {
        blockIdx = {x, y, 0};
        if (cu_run_block(bx * by, (y * gx + x) % 2 == 1)) return 1;
    }
    return 0;
}

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

/* Atomics: one fiber runs at a time, so a plain read-modify-write is atomic. */
template <typename T> static inline T atomicAdd(T *address, T value) {
    const T old = *address; *address = old + value; return old; }
template <typename T> static inline T atomicMin(T *address, T value) {
    const T old = *address; if (value < old) *address = value; return old; }
template <typename T> static inline T atomicMax(T *address, T value) {
    const T old = *address; if (value > old) *address = value; return old; }
