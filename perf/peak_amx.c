/* SPDX-License-Identifier: Apache-2.0 */
#include <immintrin.h>
#include <string.h>

#include "benchutil.h"
#include "peak.h"
#include "common/amx_tiles.h"

/* Four independent C tiles, A and B tiles loaded once: TDPBF16PS alone. */
double lpk_peak_tdpbf16_amx(void)
{
    lpk_amx_config_16x64();
    static unsigned short buf[16 * 32] __attribute__((aligned(64)));
    for (int i = 0; i < 16 * 32; i++)
        buf[i] = 0x3C00;
    _tile_loadd(4, buf, 64);
    _tile_loadd(5, buf, 64);
    _tile_zero(0);
    _tile_zero(1);
    _tile_zero(2);
    _tile_zero(3);
    const long iters = 2000000;
    const double t0 = lpk_peak_clock();
    for (long it = 0; it < iters; it++) {
        _tile_dpbf16ps(0, 4, 5);
        _tile_dpbf16ps(1, 4, 5);
        _tile_dpbf16ps(2, 4, 5);
        _tile_dpbf16ps(3, 4, 5);
    }
    const double t = lpk_peak_clock() - t0;
    lpk_amx_release();
    return (double)iters * 4 * 16384 / t * 1e-9;
}
