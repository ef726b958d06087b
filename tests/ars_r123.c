/* SPDX-License-Identifier: Apache-2.0 */
/* Random123's own ARS (Debian librandom123-dev, <Random123/ars.h>) as the
   oracle for tests/test_ars.c.  Random123's ARS needs AES-NI, so only this
   file is compiled with -maes (tests/CMakeLists.txt), and test_ars.c calls
   it only when the CPU has AES. */
#include "ars_r123.h"

#if defined(LPK_HAVE_R123)
#include <Random123/ars.h>

int tu_r123_available(void) { return 1; }

void tu_r123_ars(unsigned rounds, const uint32_t ctr[4], const uint32_t key[4], uint32_t out[4])
{
    ars4x32_ctr_t c = {{ctr[0], ctr[1], ctr[2], ctr[3]}};
    ars4x32_key_t k = {{key[0], key[1], key[2], key[3]}};
    const ars4x32_ctr_t r = ars4x32_R(rounds, c, k);
    for (int i = 0; i < 4; i++)
        out[i] = r.v[i];
}
#else
int tu_r123_available(void) { return 0; }

void tu_r123_ars(unsigned rounds, const uint32_t ctr[4], const uint32_t key[4], uint32_t out[4])
{
    (void)rounds, (void)ctr, (void)key, (void)out;
}
#endif
