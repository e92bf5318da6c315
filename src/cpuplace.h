/* cpuplace.h: applying CPU placement (the method layer's part; see
 * cpuplace.c): the host's CPU pools, a running guest's pinning, weight,
 * cap and pool, and what status says of them. Not public. */
#ifndef LCFGXEN_CPUPLACE_H
#define LCFGXEN_CPUPLACE_H

#include <stdbool.h>
#include <stddef.h>

#include "hv.h"
#include "model.h"

/* What one run has seen of the host's pools (read once, when needed). */
struct cpu_seen {
    bool read;
    char *failed; /* why reading them failed, or NULL */
    struct hv_pool *pools;
    size_t n;
    unsigned ncpus;
};

void cpu_seen_free(struct cpu_seen *s);

/* configure: make the profile's pools (xen.cpupools) exist with their CPUs
 * and scheduler, taking CPUs from Pool-0 and giving them back; destroy the
 * empty pools the component made that left the profile. Only pools the
 * component made (recorded under root) are changed. Reports each step
 * (dry: what it would do). Returns the failures. */
size_t cpu_pools_apply(const char *root, const struct host *h, struct hv *hv, bool dry);

/* configure: a running guest's (domain d's) placement made what the
 * profile says, live: its pool, the affinity of its vcpus, its weight and
 * cap (pg: its previous configuration, or NULL). Returns the failures. */
size_t cpu_live(struct hv *hv, struct cpu_seen *seen, const struct guest *g,
                const struct guest *pg, const struct hv_domain *d, bool dry);

/* status: how a running guest's placement differs from the profile's, one
 * line each ("cpus 0-1: configure applies it live (the running domain
 * has all)"); *ret: caller frees with strs_free. */
size_t cpu_drift(struct hv *hv, struct cpu_seen *seen, const struct guest *g,
                 const struct hv_domain *d, char ***ret);

/* status: the guest's placement and firmware as the profile has them, or
 * NULL when it sets none. Caller frees. */
char *cpu_summary(const struct guest *g);

#endif
