/* SPDX-License-Identifier: Apache-2.0 */
/* CPU + OS feature detection.
   x86-64: CPUID leaves 1 (AES-NI: ECX bit 25), 7.0 (VAES: ECX bit 9) and 7.1; XGETBV(0) for the register state the OS
   saves (YMM: XCR0 & 0x6, ZMM: XCR0 & 0xE6, AMX: XCR0 bits 17-18); AMX tile
   data also needs the Linux permission ARCH_REQ_XCOMP_PERM, confirmed with
   ARCH_GET_XCOMP_PERM.  A CPUID bit is never enough on its own: tiers require
   the OS bits too (tiers.inc).
   aarch64 Linux: getauxval(AT_HWCAP / AT_HWCAP2).
   Also the CPU's identity (vendor, family, model) for the per-CPU
   preferences (cpu_prefs.c): x86 CPUID leaves 0 and 1, aarch64 MIDR fields
   from /proc/cpuinfo. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "lpk_internal.h"

#if LPK_ARCH_HOST == LPK_ARCH_X86
#include <cpuid.h>
#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

static void cpuid(unsigned leaf, unsigned sub, unsigned r[4])
{
    __cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
}

static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

/* Linux asks a process to request the AMX tile-data state before use. */
static int amx_permitted(void)
{
#if defined(__linux__)
    enum { ARCH_GET_XCOMP_PERM = 0x1022, ARCH_REQ_XCOMP_PERM = 0x1023,
           XFEATURE_XTILEDATA = 18 };
    unsigned long bits = 0;
    if (syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) != 0)
        return 0;
    if (syscall(SYS_arch_prctl, ARCH_GET_XCOMP_PERM, &bits) != 0)
        return 0;
    return (bits >> XFEATURE_XTILEDATA) & 1;
#else
    return 0;
#endif
}

static uint64_t detect(void)
{
    unsigned r[4];
    uint64_t f = 0;
    cpuid(0, 0, r);
    unsigned max_leaf = r[0];
    cpuid(1, 0, r);
    const unsigned ecx1 = r[2];
    if (ecx1 & (1u << 12)) f |= LPK_F_FMA;
    if (ecx1 & (1u << 25)) f |= LPK_F_AES;
    if (ecx1 & (1u << 28)) f |= LPK_F_AVX;
    if (ecx1 & (1u << 29)) f |= LPK_F_F16C;
    uint64_t xcr0 = 0;
    if (ecx1 & (1u << 27)) /* OSXSAVE: XGETBV is usable */
        xcr0 = xgetbv0();
    if ((xcr0 & 0x6) == 0x6) f |= LPK_F_OS_YMM;
    if ((xcr0 & 0xE6) == 0xE6) f |= LPK_F_OS_ZMM;
    if (max_leaf >= 7) {
        cpuid(7, 0, r);
        const unsigned max_sub = r[0], ebx = r[1], ecx = r[2], edx = r[3];
        if (ebx & (1u << 5)) f |= LPK_F_AVX2;
        if (ebx & (1u << 16)) f |= LPK_F_AVX512F;
        if (ebx & (1u << 17)) f |= LPK_F_AVX512DQ;
        if (ebx & (1u << 30)) f |= LPK_F_AVX512BW;
        if (ebx & (1u << 31)) f |= LPK_F_AVX512VL;
        if (ecx & (1u << 9)) f |= LPK_F_VAES;
        if (ecx & (1u << 11)) f |= LPK_F_AVX512VNNI;
        if (edx & (1u << 22)) f |= LPK_F_AMX_BF16;
        if (edx & (1u << 23)) f |= LPK_F_AVX512FP16;
        if (edx & (1u << 24)) f |= LPK_F_AMX_TILE;
        if (edx & (1u << 25)) f |= LPK_F_AMX_INT8;
        if (max_sub >= 1) {
            cpuid(7, 1, r);
            if (r[0] & (1u << 4)) f |= LPK_F_AVXVNNI;
            if (r[0] & (1u << 5)) f |= LPK_F_AVX512BF16;
        }
    }
    if ((f & LPK_F_AMX_TILE) && (xcr0 & 0x60000) == 0x60000 && amx_permitted())
        f |= LPK_F_OS_AMX;
    return f;
}

#elif LPK_ARCH_HOST == LPK_ARCH_ARM && defined(__linux__)
#include <sys/auxv.h>

static uint64_t detect(void)
{
    const unsigned long hw = getauxval(AT_HWCAP), hw2 = getauxval(AT_HWCAP2);
    uint64_t f = 0;
    if (hw & (1ul << 1)) f |= LPK_F_ASIMD;
    if (hw & (1ul << 3)) f |= LPK_F_AES;
    if (hw & (1ul << 20)) f |= LPK_F_ASIMDDP;
    if (hw & (1ul << 22)) f |= LPK_F_SVE;
    if (hw2 & (1ul << 1)) f |= LPK_F_SVE2;
    if (hw2 & (1ul << 13)) f |= LPK_F_I8MM;
    if (hw2 & (1ul << 14)) f |= LPK_F_BF16;
    return f;
}

#else
static uint64_t detect(void) { return 0; }
#endif

/* ---- vendor, family, model: the key of the per-CPU table (cpu_prefs.c) -- */

#if LPK_ARCH_HOST == LPK_ARCH_X86
/* CPUID leaf 0: the vendor string (EBX, EDX, ECX); leaf 1 EAX: family
   [11:8] plus extended family [27:20] when the base is 0xF, model [7:4]
   with extended model [19:16] above it when the base family is 6 or 0xF
   (Intel SDM vol. 2, CPUID; AMD APM vol. 3, CPUID Fn0000_0001_EAX). */
static void identify(lpk_cpu_id *id)
{
    unsigned r[4];
    cpuid(0, 0, r);
    memcpy(id->vendor, &r[1], 4);
    memcpy(id->vendor + 4, &r[3], 4);
    memcpy(id->vendor + 8, &r[2], 4);
    id->vendor[12] = 0;
    if (r[0] < 1)
        return;
    cpuid(1, 0, r);
    const unsigned base_fam = (r[0] >> 8) & 0xF, base_model = (r[0] >> 4) & 0xF;
    id->family = base_fam == 0xF ? base_fam + ((r[0] >> 20) & 0xFF) : base_fam;
    id->model = base_fam == 6 || base_fam == 0xF ? base_model | (((r[0] >> 16) & 0xF) << 4)
                                                 : base_model;
}
#elif LPK_ARCH_HOST == LPK_ARCH_ARM && defined(__linux__)
#include <stdio.h>
#include <stdlib.h>
/* MIDR_EL1 as Linux prints it in /proc/cpuinfo (first core): "CPU
   implementer" as the family, "CPU part" as the model. */
static void identify(lpk_cpu_id *id)
{
    snprintf(id->vendor, sizeof id->vendor, "arm");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[256];
    int got = 0;
    while (got != 3 && fgets(line, sizeof line, f)) {
        const char *colon = strchr(line, ':');
        if (!colon)
            continue;
        if (!(got & 1) && strncmp(line, "CPU implementer", 15) == 0) {
            id->family = (unsigned)strtoul(colon + 1, NULL, 0);
            got |= 1;
        } else if (!(got & 2) && strncmp(line, "CPU part", 8) == 0) {
            id->model = (unsigned)strtoul(colon + 1, NULL, 0);
            got |= 2;
        }
    }
    fclose(f);
}
#else
static void identify(lpk_cpu_id *id) { (void)id; }
#endif

static pthread_once_t id_once = PTHREAD_ONCE_INIT;
static lpk_cpu_id identified;

static void identify_init(void) { identify(&identified); }

void lpk_cpu_identify(lpk_cpu_id *out)
{
    pthread_once(&id_once, identify_init);
    *out = identified;
}

static pthread_once_t detect_once = PTHREAD_ONCE_INIT;
static uint64_t detected;

static void detect_init(void) { detected = detect(); }

uint64_t lpk_cpu_detect(void)
{
    pthread_once(&detect_once, detect_init);
    return detected;
}
