/* hv_caps.c: what a host's capabilities allow (hv.h), for both backends
 * and their callers. */
#include "hv.h"

/* Log-dirty mode, which a live migration needs, is built on shadow paging
 * for a PV guest and on HAP (or shadow) for an HVM or PVH one (Xen's
 * paging_log_dirty_enable; XEN.md). */
const char *hv_cannot_live_migrate(unsigned caps, bool hvm)
{
    if (!hvm && !(caps & HV_CAP_SHADOW))
        return "live migration of PV guests needs shadow paging, which this hypervisor lacks";
    if (hvm && !(caps & (HV_CAP_HAP | HV_CAP_SHADOW)))
        return "live migration of HVM and PVH guests needs HAP or shadow paging, which this "
               "hypervisor lacks";
    return NULL;
}
