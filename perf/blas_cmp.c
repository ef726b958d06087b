/* SPDX-License-Identifier: Apache-2.0 */
#include "blas_cmp.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "benchutil.h"

typedef void cblas_sgemm_fn(int order, int ta, int tb, int m, int n, int k, float alpha,
                            const float *a, int lda, const float *b, int ldb, float beta,
                            float *c, int ldc);

typedef struct {
    const char *name, *soname;
    int tried;
    void *h;
    cblas_sgemm_fn *sgemm;
    void (*set_threads)(int);
    void (*set_threads_long)(long);
    char config[192];
} blas_lib;

static blas_lib libs[LPK_BLAS_COUNT] = {
    {"OpenBLAS", "libopenblas.so.0", 0, NULL, NULL, NULL, NULL, ""},
    {"BLIS", "libblis.so.4", 0, NULL, NULL, NULL, NULL, ""},
};

static blas_lib *load(int which)
{
    if (which < 0 || which >= LPK_BLAS_COUNT)
        return NULL;
    blas_lib *l = &libs[which];
    if (l->tried)
        return l->sgemm ? l : NULL;
    l->tried = 1;
    l->h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);
    if (!l->h)
        return NULL;
    l->sgemm = (cblas_sgemm_fn *)dlsym(l->h, "cblas_sgemm");
    if (which == LPK_BLAS_OPENBLAS) {
        l->set_threads = (void (*)(int))dlsym(l->h, "openblas_set_num_threads");
        char *(*cfg)(void) = (char *(*)(void))dlsym(l->h, "openblas_get_config");
        char *(*core)(void) = (char *(*)(void))dlsym(l->h, "openblas_get_corename");
        snprintf(l->config, sizeof l->config, "%s, core %s", cfg ? cfg() : "?",
                 core ? core() : "?");
    } else {
        /* BLIS: dim_t is 64-bit in Debian's build (bli_info_get_int_type_size) */
        l->set_threads_long = (void (*)(long))dlsym(l->h, "bli_thread_set_num_threads");
        const char *(*ver)(void) = (const char *(*)(void))dlsym(l->h, "bli_info_get_version_str");
        int (*arch_id)(void) = (int (*)(void))dlsym(l->h, "bli_arch_query_id");
        const char *(*arch_str)(int) = (const char *(*)(int))dlsym(l->h, "bli_arch_string");
        snprintf(l->config, sizeof l->config, "%s, arch %s", ver ? ver() : "?",
                 arch_id && arch_str ? arch_str(arch_id()) : "?");
    }
    if (!l->sgemm) {
        dlclose(l->h);
        l->h = NULL;
        return NULL;
    }
    return l;
}

const char *lpk_blas_name(int which)
{
    return which >= 0 && which < LPK_BLAS_COUNT ? libs[which].name : "?";
}

const char *lpk_blas_config(int which)
{
    const blas_lib *l = load(which);
    return l ? l->config : NULL;
}

typedef struct {
    const blas_lib *l;
    int ta, tb, m, n, k;
    const float *a, *b;
    float *c;
} sgemm_job;

static void run_sgemm(void *p)
{
    const sgemm_job *j = p;
    enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };
    j->l->sgemm(ROW_MAJOR, j->ta ? TRANS : NO_TRANS, j->tb ? TRANS : NO_TRANS, j->m, j->n, j->k,
                1.0f, j->a, j->ta ? j->m : j->k, j->b, j->tb ? j->k : j->n, 0.0f, j->c, j->n);
}

int lpk_blas_sgemm_time(int which, int ta, int tb, size_t m, size_t n, size_t k,
                        const float *a, const float *b, float *c, int threads, int samples,
                        double min_sample_s, double *seconds, double *cpu_seconds)
{
    const blas_lib *l = load(which);
    if (!l || m > (size_t)2147483647 || n > (size_t)2147483647 || k > (size_t)2147483647)
        return 0;
    if (l->set_threads)
        l->set_threads(threads);
    if (l->set_threads_long)
        l->set_threads_long(threads);
    sgemm_job j = {l, ta, tb, (int)m, (int)n, (int)k, a, b, c};
    run_sgemm(&j); /* warm-up: thread pools, the library's own buffers */
    *seconds = bu_time_cpu(run_sgemm, &j, samples, min_sample_s, cpu_seconds);
    return 1;
}
