/* SPDX-License-Identifier: Apache-2.0 */
/* Random123's ARS as an oracle (tests/ars_r123.c; x86 with AES-NI only). */
#ifndef LPK_TEST_ARS_R123_H
#define LPK_TEST_ARS_R123_H
#include <stdint.h>

/* 1 when this build has Random123's header (x86, compiled with -maes). */
int tu_r123_available(void);
/* ars4x32_R(rounds, ctr, key).  Executes AES-NI: call only where the CPU
   has AES. */
void tu_r123_ars(unsigned rounds, const uint32_t ctr[4], const uint32_t key[4], uint32_t out[4]);
#endif
