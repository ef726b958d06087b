/* SPDX-License-Identifier: Apache-2.0 */
/* Fashion-MNIST (Debian package dataset-fashion-mnist) for the examples. */
#ifndef LPK_EXAMPLES_FMNIST_H
#define LPK_EXAMPLES_FMNIST_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    size_t n, rows, cols; /* n images of rows x cols */
    uint8_t *pixels;      /* n * rows * cols, row-major */
    uint8_t *labels;      /* n, each 0..9 */
} fmnist_set;

/* Loads <dir>/<prefix>-images-idx3-ubyte.gz and -labels-idx1-ubyte.gz
   (prefix "train" or "t10k").  Returns 0, or -1 with a message in err (the
   files are missing or are not matching IDX image/label files). */
int fmnist_load(const char *dir, const char *prefix, fmnist_set *out, char *err, size_t errlen);
void fmnist_free(fmnist_set *d);

#endif
