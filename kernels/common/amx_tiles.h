/* SPDX-License-Identifier: Apache-2.0 */
/* AMX tile configuration shared by the AMX kernels and the peak probe.
   GCC 12's _tile_loadconfig tells the compiler that it reads only 8 bytes of
   the 64-byte configuration, so stores of the rows/colsb fields can be
   dropped as dead: this wrapper states that LDTILECFG reads the whole
   structure. */
#ifndef LPK_AMX_TILES_H
#define LPK_AMX_TILES_H

#include <string.h>

typedef struct __attribute__((packed, aligned(64))) {
    unsigned char palette, start_row, reserved[14];
    unsigned short colsb[16];
    unsigned char rows[16];
} lpk_tilecfg;

/* Palette 1, tiles 0..7 each 16 rows x 64 bytes. */
static inline void lpk_amx_config_16x64(void)
{
    lpk_tilecfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.palette = 1;
    for (int t = 0; t < 8; t++) {
        cfg.colsb[t] = 64;
        cfg.rows[t] = 16;
    }
    __asm__ volatile("ldtilecfg %0" ::"m"(cfg) : "memory");
}

static inline void lpk_amx_release(void) { __asm__ volatile("tilerelease" ::: "memory"); }

#endif
