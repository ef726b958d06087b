/* SPDX-License-Identifier: Apache-2.0 */
/* Thread count for large calls (OpenMP). */
#include <pthread.h>
#include <stdatomic.h>

#include "lpk_internal.h"

#ifdef _OPENMP
#include <omp.h>
#endif

static _Atomic int requested; /* 0: OpenMP's default */

/* In a child of fork() the OpenMP runtime's thread pool is gone (libgomp
   keeps no atfork handler: the child's first parallel region waits for the
   parent's workers for ever), so a forked child runs every call on its
   calling thread. */
static _Atomic int forked_child;
static void after_fork_child(void) { atomic_store(&forked_child, 1); }
__attribute__((constructor)) static void register_fork_handler(void)
{
    pthread_atfork(NULL, NULL, after_fork_child);
}

lpk_status lpk_set_num_threads(int n)
{
    LPK_ENTRY();
    if (n < 0)
        return lpk_fail(LPK_EINVAL, "lpk_set_num_threads: n = %d; want n >= 1, or 0 for the default", n);
    atomic_store(&requested, n);
    return LPK_OK;
}

int lpk_get_num_threads(void)
{
    if (atomic_load(&forked_child))
        return 1;
    const int n = atomic_load(&requested);
    if (n > 0)
        return n;
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

/* Below ~1 MiB of traffic per thread, a fork/join costs more than it saves. */
int lpk_threads_for(size_t work_bytes)
{
    const size_t per_thread = (size_t)1 << 20;
    const int max = lpk_get_num_threads();
    const size_t by_size = work_bytes / per_thread;
    if (by_size <= 1 || max <= 1)
        return 1;
    return by_size < (size_t)max ? (int)by_size : max;
}

/* Splits [0, n) into one contiguous piece per thread, piece boundaries on
   multiples of `align`, and calls fn(ctx, lo, hi) for each non-empty piece. */
void lpk_parallel_for(size_t n, size_t align, size_t bytes_per_elem,
                      lpk_chunk_fn fn, void *ctx)
{
    const int nt = n ? lpk_threads_for(n * bytes_per_elem) : 1;
    if (nt <= 1) {
        if (n)
            fn(ctx, 0, n);
        return;
    }
    const size_t blocks = (n + align - 1) / align;
    const size_t per = (blocks + (size_t)nt - 1) / (size_t)nt;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static, 1)
#endif
    for (int t = 0; t < nt; t++) {
        const size_t lo = (size_t)t * per * align;
        size_t hi = lo + per * align;
        if (hi > n)
            hi = n;
        if (lo < hi) {
            LPK_FPENV_SCOPE;
            fn(ctx, lo, hi);
        }
    }
}

/* Per-thread scratch: LPK_SCRATCH_SLOTS grow-only, 64-byte aligned buffers
   that live as long as the thread (freed by the key's destructor), so that
   repeated calls neither allocate nor take fresh-page faults. */
#include <pthread.h>
#include <stdlib.h>

typedef struct {
    void *p[LPK_SCRATCH_SLOTS];
    size_t size[LPK_SCRATCH_SLOTS];
} scratch_set;

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_free(void *arg)
{
    scratch_set *s = arg;
    for (int i = 0; i < LPK_SCRATCH_SLOTS; i++)
        free(s->p[i]);
    free(s);
}

static void scratch_init(void) { pthread_key_create(&scratch_key, scratch_free); }

void *lpk_scratch(int slot, size_t bytes)
{
    pthread_once(&scratch_once, scratch_init);
    scratch_set *s = pthread_getspecific(scratch_key);
    if (!s) {
        s = calloc(1, sizeof *s);
        if (!s || pthread_setspecific(scratch_key, s) != 0) {
            free(s);
            return NULL;
        }
    }
    if (s->size[slot] < bytes) {
        const size_t want = (bytes + 63) / 64 * 64;
        void *p = aligned_alloc(64, want);
        if (!p)
            return NULL;
        free(s->p[slot]);
        s->p[slot] = p;
        s->size[slot] = want;
    }
    return s->p[slot];
}
