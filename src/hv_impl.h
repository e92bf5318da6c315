/* hv_impl.h: between hv.c (which chooses) and the backends. Not public. */
#ifndef LCFGXEN_HV_IMPL_H
#define LCFGXEN_HV_IMPL_H

#include "hv.h"

/* The simulated hypervisor; state under root (see hv_sim.c). It runs no
 * xl, but an operation that hangs fails after xl's timeout, as on Xen. */
int hv_sim_open(const char *root, const struct hv_xl *xl, unsigned flags, struct hv **ret,
                char **err);

/* The real one: libxenctrl/libxenstore handles and the xl program (an
 * absolute path, taken under root), run under xl's timeouts (both not 0).
 * Fails with a clear message off dom0. flags: hv.h's HV_OPEN_*. */
int hv_xen_open(const char *root, const struct hv_xl *xl, unsigned flags, struct hv **ret,
                char **err);


#endif
