/* SPDX-License-Identifier: Apache-2.0 */
#include "peak.h"
double lpk_peak_fma_avx2(void) { return 0; }
double lpk_peak_fma_avx512(void) { return 0; }
double lpk_peak_dpbf16_avx512(void) { return 0; }
double lpk_peak_tdpbf16_amx(void) { return 0; }
