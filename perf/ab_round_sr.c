/* SPDX-License-Identifier: Apache-2.0 */
/* A/B of the Philox SR kernel (round.sr_f32_bf16) of one tier between an
   older revision and the working tree, in one process: perf/ab_round_sr.sh
   compiles both kernel files with their exported names changed to sr_old
   and sr_new and links them here.  Per size: the outputs are compared bit
   for bit (the generator and layout are fixed, so they must agree), then
   PAIRS rounds each time the old and the new kernel (repeated to
   >= ~20 ms; which goes first alternates, ab_order); printed are the
   medians and the median, min and max of the
   per-round speed-ups t_old / t_new (a change of machine load hits both
   sides of a round alike).  One JSON line per size.
   usage: ab_round_sr [--sizes n1,n2,...] [--pairs P] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ab_util.h"

typedef uint16_t bf16;
void sr_old(const float *src, bf16 *dst, size_t n, uint64_t seed, uint64_t offset);
void sr_new(const float *src, bf16 *dst, size_t n, uint64_t seed, uint64_t offset);

int main(int argc, char **argv)
{
    size_t sizes[8] = {65536, 1048576, (size_t)64 << 20};
    int nsizes = 3, pairs = 15;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--sizes") && i + 1 < argc) {
            nsizes = 0;
            for (char *s = strtok(argv[++i], ","); s && nsizes < 8; s = strtok(NULL, ","))
                sizes[nsizes++] = (size_t)strtoull(s, NULL, 0);
        } else if (!strcmp(argv[i], "--pairs") && i + 1 < argc) {
            pairs = atoi(argv[++i]);
        } else {
            fprintf(stderr, "usage: %s [--sizes n1,n2,...] [--pairs P]\n", argv[0]);
            return 2;
        }
    }
    if (pairs < 1 || pairs > 1000)
        pairs = 15;
    double *to = malloc(3 * sizeof(double) * (size_t)pairs), *tn = to + pairs, *sp = tn + pairs;
    for (int si = 0; si < nsizes; si++) {
        const size_t n = sizes[si];
        float *x = malloc(n * sizeof *x);
        bf16 *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
        if (!x || !a || !b || !to) {
            fprintf(stderr, "ab_round_sr: out of memory\n");
            return 1;
        }
        uint64_t s = 1;
        for (size_t i = 0; i < n; i++) { /* normal values, random low bits */
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            x[i] = (float)((double)(s >> 11) / 9007199254740992.0 * 2.0 - 1.0);
        }
        sr_old(x, a, n, 42, 0);
        sr_new(x, b, n, 42, 0);
        if (memcmp(a, b, n * sizeof *a)) {
            fprintf(stderr, "ab_round_sr: outputs differ at n = %zu\n", n);
            return 1;
        }
        const long reps = (long)(20e6 / (double)n) + 1;
        for (int p = 0; p < pairs; p++) {
            int o[3];
            ab_order(p, 2, o);
            for (int s = 0; s < 2; s++) {
                const double t0 = ab_now();
                for (long r = 0; r < reps; r++)
                    (o[s] ? sr_new : sr_old)(x, o[s] ? b : a, n, 42, 0);
                (o[s] ? tn : to)[p] = (ab_now() - t0) / (double)reps;
            }
            sp[p] = to[p] / tn[p];
        }
        double lo, hi;
        const double mo = ab_median(to, pairs, NULL, NULL);
        const double mn = ab_median(tn, pairs, NULL, NULL);
        const double ms = ab_median(sp, pairs, &lo, &hi);
        printf("{\"bench\":\"ab_round_sr\",\"n\":%zu,\"pairs\":%d,\"gelem_s_old\":%.3f,"
               "\"gelem_s_new\":%.3f,\"median_pair_speedup\":%.3f,\"min\":%.3f,\"max\":%.3f}\n",
               n, pairs, (double)n / mo * 1e-9, (double)n / mn * 1e-9, ms, lo, hi);
        fflush(stdout);
        free(x);
        free(a);
        free(b);
    }
    free(to);
    return 0;
}
