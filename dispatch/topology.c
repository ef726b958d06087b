/* SPDX-License-Identifier: Apache-2.0 */
/* Cache sizes and core counts: hwloc when built with it, sysconf otherwise. */
#include <pthread.h>
#include <unistd.h>

#include "lpk_internal.h"

#if LPK_HAVE_HWLOC
#include <hwloc.h>
#endif

static lpk_topology topo;
static pthread_once_t topo_once = PTHREAD_ONCE_INIT;

#if LPK_HAVE_HWLOC
static size_t cache_size(hwloc_topology_t t, hwloc_obj_type_t type)
{
    hwloc_obj_t o = hwloc_get_next_obj_by_type(t, type, NULL);
    return o && o->attr ? (size_t)o->attr->cache.size : 0;
}
#endif

static void sysconf_fallback(void)
{
    long v;
#ifdef _SC_LEVEL1_DCACHE_SIZE
    if (!topo.l1d && (v = sysconf(_SC_LEVEL1_DCACHE_SIZE)) > 0) topo.l1d = (size_t)v;
    if (!topo.l2 && (v = sysconf(_SC_LEVEL2_CACHE_SIZE)) > 0) topo.l2 = (size_t)v;
    if (!topo.l3 && (v = sysconf(_SC_LEVEL3_CACHE_SIZE)) > 0) topo.l3 = (size_t)v;
#endif
    if (topo.pus <= 0 && (v = sysconf(_SC_NPROCESSORS_ONLN)) > 0) topo.pus = (int)v;
    if (topo.cores <= 0) topo.cores = topo.pus;
}

static void topo_init(void)
{
    topo.source = "sysconf";
#if LPK_HAVE_HWLOC
    hwloc_topology_t t;
    if (hwloc_topology_init(&t) == 0) {
        if (hwloc_topology_load(t) == 0) {
            topo.l1d = cache_size(t, HWLOC_OBJ_L1CACHE);
            topo.l2 = cache_size(t, HWLOC_OBJ_L2CACHE);
            topo.l3 = cache_size(t, HWLOC_OBJ_L3CACHE);
            topo.cores = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE);
            topo.pus = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU);
            topo.source = "hwloc";
        }
        hwloc_topology_destroy(t);
    }
#endif
    sysconf_fallback();
}

lpk_status lpk_get_topology(lpk_topology *out)
{
    LPK_ENTRY();
    if (!out)
        return lpk_fail(LPK_EINVAL, "lpk_get_topology: out is NULL");
    pthread_once(&topo_once, topo_init);
    *out = topo;
    return LPK_OK;
}
