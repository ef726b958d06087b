/* SPDX-License-Identifier: Apache-2.0 */
#include "dnnl_cmp.h"

#include "benchutil.h"

#include <stdio.h>

#if LPK_HAVE_DNNL
#include <oneapi/dnnl/dnnl.h>
#include <omp.h>

typedef struct {
    dnnl_primitive_t prim;
    dnnl_stream_t stream;
    dnnl_exec_arg_t args[2];
} dnnl_job;

typedef struct {
    dnnl_primitive_t prim;
    dnnl_stream_t stream;
    dnnl_exec_arg_t *args;
} dnnl_job3;

static void run_prim3(void *p)
{
    dnnl_job3 *j = p;
    dnnl_primitive_execute(j->prim, j->stream, 3, j->args);
    dnnl_stream_wait(j->stream);
}

static void run_prim(void *p)
{
    dnnl_job *j = p;
    dnnl_primitive_execute(j->prim, j->stream, 2, j->args);
    dnnl_stream_wait(j->stream);
}

int lpk_dnnl_reorder_time(int to_bf16, float *f32, lpk_bf16 *bf16, size_t n, int threads,
                          int samples, double min_sample_s, double *seconds)
{
    dnnl_engine_t eng;
    if (dnnl_engine_create(&eng, dnnl_cpu, 0) != dnnl_success)
        return 0;
    dnnl_dims_t dims = {(dnnl_dim_t)n};
    dnnl_memory_desc_t mf, mh;
    dnnl_memory_desc_init_by_tag(&mf, 1, dims, dnnl_f32, dnnl_a);
    dnnl_memory_desc_init_by_tag(&mh, 1, dims, dnnl_bf16, dnnl_a);
    dnnl_memory_t a, b;
    dnnl_memory_create(&a, &mf, eng, f32);
    dnnl_memory_create(&b, &mh, eng, bf16);
    dnnl_primitive_desc_t pd;
    int ok = 0;
    const dnnl_memory_desc_t *src = to_bf16 ? &mf : &mh, *dst = to_bf16 ? &mh : &mf;
    if (dnnl_reorder_primitive_desc_create(&pd, src, eng, dst, eng, NULL) == dnnl_success) {
        dnnl_job j;
        dnnl_primitive_create(&j.prim, pd);
        dnnl_stream_create(&j.stream, eng, dnnl_stream_default_flags);
        j.args[0].arg = DNNL_ARG_FROM;
        j.args[0].memory = to_bf16 ? a : b;
        j.args[1].arg = DNNL_ARG_TO;
        j.args[1].memory = to_bf16 ? b : a;
        const int saved = omp_get_max_threads();
        omp_set_num_threads(threads);
        *seconds = bu_time(run_prim, &j, samples, min_sample_s);
        omp_set_num_threads(saved);
        dnnl_primitive_destroy(j.prim);
        dnnl_stream_destroy(j.stream);
        dnnl_primitive_desc_destroy(pd);
        ok = 1;
    }
    dnnl_memory_destroy(a);
    dnnl_memory_destroy(b);
    dnnl_engine_destroy(eng);
    return ok;
}
int lpk_dnnl_matmul_time(int ta, int tb, size_t m, size_t n, size_t k, const lpk_bf16 *a,
                         const lpk_bf16 *b, float *c, int threads, int samples,
                         double min_sample_s, double *seconds, char *impl, size_t impl_size)
{
    dnnl_engine_t eng;
    if (dnnl_engine_create(&eng, dnnl_cpu, 0) != dnnl_success)
        return 0;
    dnnl_dims_t da = {(dnnl_dim_t)m, (dnnl_dim_t)k}, db = {(dnnl_dim_t)k, (dnnl_dim_t)n},
                dc = {(dnnl_dim_t)m, (dnnl_dim_t)n};
    dnnl_memory_desc_t ma, mb, mc;
    /* dnnl_ba: the 2-D tensor stored transposed, as lpk's LPK_TRANS */
    dnnl_memory_desc_init_by_tag(&ma, 2, da, dnnl_bf16, ta ? dnnl_ba : dnnl_ab);
    dnnl_memory_desc_init_by_tag(&mb, 2, db, dnnl_bf16, tb ? dnnl_ba : dnnl_ab);
    dnnl_memory_desc_init_by_tag(&mc, 2, dc, dnnl_f32, dnnl_ab);
    dnnl_matmul_desc_t md;
    dnnl_primitive_desc_t pd;
    int ok = 0;
    const int saved = omp_get_max_threads();
    omp_set_num_threads(threads);
    if (dnnl_matmul_desc_init(&md, &ma, &mb, NULL, &mc) == dnnl_success &&
        dnnl_primitive_desc_create(&pd, &md, NULL, eng, NULL) == dnnl_success) {
        const char *name = NULL;
        dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &name);
        snprintf(impl, impl_size, "%s", name ? name : "?");
        dnnl_memory_t xa, xb, xc;
        dnnl_memory_create(&xa, &ma, eng, (void *)a);
        dnnl_memory_create(&xb, &mb, eng, (void *)b);
        dnnl_memory_create(&xc, &mc, eng, c);
        dnnl_job j;
        dnnl_primitive_create(&j.prim, pd);
        dnnl_stream_create(&j.stream, eng, dnnl_stream_default_flags);
        dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, xa}, {DNNL_ARG_WEIGHTS, xb}, {DNNL_ARG_DST, xc}};
        dnnl_job3 j3 = {j.prim, j.stream, args};
        *seconds = bu_time(run_prim3, &j3, samples, min_sample_s);
        dnnl_primitive_destroy(j.prim);
        dnnl_stream_destroy(j.stream);
        dnnl_primitive_desc_destroy(pd);
        dnnl_memory_destroy(xa);
        dnnl_memory_destroy(xb);
        dnnl_memory_destroy(xc);
        ok = 1;
    }
    omp_set_num_threads(saved);
    dnnl_engine_destroy(eng);
    return ok;
}
#else
int lpk_dnnl_matmul_time(int ta, int tb, size_t m, size_t n, size_t k, const lpk_bf16 *a,
                         const lpk_bf16 *b, float *c, int threads, int samples,
                         double min_sample_s, double *seconds, char *impl, size_t impl_size)
{
    (void)ta; (void)tb; (void)m; (void)n; (void)k; (void)a; (void)b; (void)c; (void)threads;
    (void)samples; (void)min_sample_s; (void)seconds; (void)impl; (void)impl_size;
    return 0;
}

int lpk_dnnl_reorder_time(int to_bf16, float *f32, lpk_bf16 *bf16, size_t n, int threads,
                          int samples, double min_sample_s, double *seconds)
{
    (void)to_bf16; (void)f32; (void)bf16; (void)n; (void)threads;
    (void)samples; (void)min_sample_s; (void)seconds;
    return 0;
}
#endif
