/* SPDX-License-Identifier: Apache-2.0 */
/* Fashion-MNIST in gzip'd IDX files (big-endian header: magic, dims; then
   uint8 data), shared by the reproductions.  zlib when the build found it,
   else `gzip -dc` through a pipe. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmnist.h"

#if FMNIST_HAVE_ZLIB
#include <zlib.h>
#endif

/* Room in *buf for a byte at index n: doubles the buffer when it is full.
   0 when out of memory (*buf is then unchanged and still owned). */
static int room(uint8_t **buf, size_t *cap, size_t n)
{
    if (n < *cap)
        return 1;
    uint8_t *nb = realloc(*buf, *cap * 2);
    if (!nb)
        return 0;
    *buf = nb;
    *cap *= 2;
    return 1;
}

/* Whole decompressed file into a malloc'd buffer; NULL on error. */
static uint8_t *read_gz(const char *path, size_t *len, char *err, size_t errlen)
{
    size_t cap = 1 << 20, n = 0;
    uint8_t *buf = malloc(cap);
    if (!buf) {
        snprintf(err, errlen, "out of memory reading %s", path);
        return NULL;
    }
#if FMNIST_HAVE_ZLIB
    gzFile f = gzopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        free(buf);
        return NULL;
    }
    for (;;) {
        if (!room(&buf, &cap, n)) {
            snprintf(err, errlen, "out of memory reading %s", path);
            gzclose(f);
            free(buf);
            return NULL;
        }
        int got = gzread(f, buf + n, (unsigned)(cap - n > (1u << 30) ? 1u << 30 : cap - n));
        if (got < 0) {
            int zerr;
            snprintf(err, errlen, "%s: %s", path, gzerror(f, &zerr));
            gzclose(f);
            free(buf);
            return NULL;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    gzclose(f);
#else
    FILE *probe = fopen(path, "rb");
    if (!probe) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        free(buf);
        return NULL;
    }
    fclose(probe);
    if (strchr(path, '\'')) {
        snprintf(err, errlen, "%s: a quote in the path", path);
        free(buf);
        return NULL;
    }
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "gzip -dc '%s'", path);
    FILE *f = popen(cmd, "r");
    if (!f) {
        snprintf(err, errlen, "cannot run %s", cmd);
        free(buf);
        return NULL;
    }
    for (;;) {
        if (!room(&buf, &cap, n)) {
            snprintf(err, errlen, "out of memory reading %s", path);
            pclose(f);
            free(buf);
            return NULL;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        if (got == 0)
            break;
        n += got;
    }
    if (pclose(f) != 0) {
        snprintf(err, errlen, "%s failed", cmd);
        free(buf);
        return NULL;
    }
#endif
    *len = n;
    return buf;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Checks the IDX header (ndim dims of uint8) and returns the data offset,
   or 0 when the file is not what it should be. */
static size_t idx_header(const uint8_t *b, size_t len, int ndim, uint32_t dims[3])
{
    size_t off = 4 + 4 * (size_t)ndim, total = 1;
    if (len < off || be32(b) != (0x0800u | (uint32_t)ndim))
        return 0;
    for (int i = 0; i < ndim; i++) {
        dims[i] = be32(b + 4 + 4 * i);
        total *= dims[i];
    }
    return len - off == total ? off : 0;
}

int fmnist_load(const char *dir, const char *prefix, fmnist_set *out, char *err, size_t errlen)
{
    char path[4096];
    size_t ilen, llen;
    uint32_t idims[3], ldims[3];
    memset(out, 0, sizeof *out);

    snprintf(path, sizeof path, "%s/%s-images-idx3-ubyte.gz", dir, prefix);
    uint8_t *img = read_gz(path, &ilen, err, errlen);
    if (!img)
        return -1;
    size_t ioff = idx_header(img, ilen, 3, idims);
    if (!ioff) {
        snprintf(err, errlen, "%s: not an IDX file of uint8 images", path);
        free(img);
        return -1;
    }
    snprintf(path, sizeof path, "%s/%s-labels-idx1-ubyte.gz", dir, prefix);
    uint8_t *lab = read_gz(path, &llen, err, errlen);
    if (!lab) {
        free(img);
        return -1;
    }
    size_t loff = idx_header(lab, llen, 1, ldims);
    if (!loff || ldims[0] != idims[0]) {
        snprintf(err, errlen, "%s: not an IDX label file for %u images", path, idims[0]);
        free(img);
        free(lab);
        return -1;
    }
    for (size_t i = 0; i < ldims[0]; i++)
        if (lab[loff + i] > 9) {
            snprintf(err, errlen, "%s: label %u out of range", path, lab[loff + i]);
            free(img);
            free(lab);
            return -1;
        }
    out->n = idims[0];
    out->rows = idims[1];
    out->cols = idims[2];
    memmove(img, img + ioff, ilen - ioff);
    memmove(lab, lab + loff, llen - loff);
    out->pixels = img;
    out->labels = lab;
    return 0;
}

void fmnist_free(fmnist_set *d)
{
    free(d->pixels);
    free(d->labels);
    memset(d, 0, sizeof *d);
}
