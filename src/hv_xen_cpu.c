/* hv_xen_cpu.c: CPU placement on Xen (hv.h's cpu_get, vcpu_pin, sched_set,
 * pool_migrate, pools, pool_create, pool_destroy, pool_cpu).
 *
 * Observing asks the hypervisor: xc_vcpu_getaffinity for each vcpu,
 * xc_sched_credit2_domain_get (or credit's) for weight and cap,
 * xc_cpupool_getinfo for the pools (their names are libxl's, in xenstore
 * under /local/pool/<id>/name, as xl cpupool-list reads them). Changing
 * runs xl, as xl(1) of 4.17 documents: vcpu-pin, sched-credit2 /
 * sched-credit, cpupool-migrate, cpupool-create, cpupool-destroy,
 * cpupool-cpu-add and cpupool-cpu-remove. A cpumap is a byte array, CPU i
 * bit i%8 of byte i/8, as struct cpuset (cpulist.h). */
#include "hv_xen_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpulist.h"
#include "hv_xen_decode.h"
#include "util.h"

static struct xen *xen_of(struct hv *hv)
{
    return hv->priv;
}

const char *hv_xen_sched_name(unsigned sched_id)
{
    switch (sched_id) {
    case XEN_SCHEDULER_CREDIT: return "credit";
    case XEN_SCHEDULER_CREDIT2: return "credit2";
    case XEN_SCHEDULER_ARINC653: return "arinc653";
    case XEN_SCHEDULER_RTDS: return "rtds";
    case XEN_SCHEDULER_NULL: return "null";
    default: return "unknown";
    }
}

void hv_xen_cpumap_text(const uint8_t *map, size_t bytes, unsigned ncpus, char *out, size_t size)
{
    struct cpuset set;
    memset(&set, 0, sizeof(set));
    memcpy(set.bits, map, bytes < sizeof(set.bits) ? bytes : sizeof(set.bits));
    char *t = cpulist_format(&set, ncpus);
    snprintf(out, size, "%s", t);
    free(t);
}

static char *failed_call(struct xen *x, const char *call)
{
    return xasprintf("%s: %s%s%s%s", call, strerror(errno ? errno : EIO),
                     x->log.last[0] ? " (" : "", x->log.last, x->log.last[0] ? ")" : "");
}

static int host_cpus(struct xen *x, unsigned *ncpus, char **err)
{
    xc_physinfo_t pi;
    memset(&pi, 0, sizeof(pi));
    x->log.last[0] = '\0';
    if (xc_physinfo(x->xch, &pi) < 0) {
        char *m = failed_call(x, "xc_physinfo");
        set_error(err, "cannot read the host's CPUs: %s", m);
        free(m);
        return -1;
    }
    *ncpus = pi.max_cpu_id + 1;
    return 0;
}

/* Pool poolid's name, as libxl keeps it ("Pool-<id>" when it has none). */
static void pool_name(struct xen *x, unsigned poolid, char *out, size_t size)
{
    char *path = xasprintf("/local/pool/%u/name", poolid), *v = NULL, *err = NULL;
    if (hv_xen_xs_get(x, XBT_NULL, path, &v, &err) == XS_GOT && *v)
        snprintf(out, size, "%s", v);
    else
        snprintf(out, size, "Pool-%u", poolid);
    free(v);
    free(err);
    free(path);
}

int hv_xen_cpu_get(struct hv *hv, unsigned domid, struct hv_cpu *ret, char **err)
{
    struct xen *x = xen_of(hv);
    memset(ret, 0, sizeof(*ret));
    unsigned ncpus;
    if (host_cpus(x, &ncpus, err) < 0)
        return -1;
    xc_domaininfo_t info;
    x->log.last[0] = '\0';
    if (xc_domain_getinfolist(x->xch, domid, 1, &info) != 1 || info.domain != domid) {
        set_error(err, "no domain with id %u", domid);
        return -1;
    }
    pool_name(x, info.cpupool, ret->pool, sizeof(ret->pool));
    xc_cpupoolinfo_t *pi = xc_cpupool_getinfo(x->xch, info.cpupool);
    unsigned sched = pi && pi->cpupool_id == info.cpupool ? pi->sched_id : 0;
    if (pi)
        xc_cpupool_infofree(x->xch, pi);

    int rc = 0, size = xc_get_cpumap_size(x->xch);
    xc_cpumap_t hard = xc_cpumap_alloc(x->xch), soft = xc_cpumap_alloc(x->xch);
    if (size <= 0 || !hard || !soft) {
        set_error(err, "domain %u: cannot allocate a CPU map", domid);
        rc = -1;
    }
    /* Every vcpu's: they are pinned together, or the domain's is mixed. */
    for (unsigned v = 0; rc == 0 && v <= info.max_vcpu_id; v++) {
        char h[HV_CPUS_TEXT], s[HV_CPUS_TEXT];
        if (xc_vcpu_getaffinity(x->xch, domid, (int)v, hard, soft,
                                XEN_VCPUAFFINITY_HARD | XEN_VCPUAFFINITY_SOFT) < 0) {
            char *m = failed_call(x, "xc_vcpu_getaffinity");
            set_error(err, "domain %u vcpu %u: %s", domid, v, m);
            free(m);
            rc = -1;
            break;
        }
        hv_xen_cpumap_text(hard, (size_t)size, ncpus, h, sizeof(h));
        hv_xen_cpumap_text(soft, (size_t)size, ncpus, s, sizeof(s));
        if (v == 0) {
            snprintf(ret->hard, sizeof(ret->hard), "%s", h);
            snprintf(ret->soft, sizeof(ret->soft), "%s", s);
        }
        if (strcmp(ret->hard, h))
            snprintf(ret->hard, sizeof(ret->hard), "mixed");
        if (strcmp(ret->soft, s))
            snprintf(ret->soft, sizeof(ret->soft), "mixed");
    }
    free(hard);
    free(soft);
    if (rc == 0 && sched == XEN_SCHEDULER_CREDIT2) {
        struct xen_domctl_sched_credit2 c2;
        if (xc_sched_credit2_domain_get(x->xch, domid, &c2) == 0) {
            ret->weight = c2.weight;
            ret->cap = c2.cap;
        }
    } else if (rc == 0 && sched == XEN_SCHEDULER_CREDIT) {
        struct xen_domctl_sched_credit c1;
        if (xc_sched_credit_domain_get(x->xch, domid, &c1) == 0) {
            ret->weight = c1.weight;
            ret->cap = c1.cap;
        }
    }
    return rc;
}

/* Run xl with argv (NULL-terminated, argv[0] = xl), named in messages by
 * its arguments. */
static int run(struct xen *x, const char *op, unsigned domid, const char *const *args,
               char **err)
{
    if (hv_xen_refuse_readonly(x, op, err) < 0)
        return -1;
    if (domid != (unsigned)-1 && hv_xen_target(x, domid, err) < 0)
        return -1;
    size_t n = 0;
    while (args[n])
        n++;
    char **argv = xcalloc(n + 2, sizeof(*argv));
    argv[0] = x->xl;
    struct buf what = BUF_INIT;
    buf_adds(&what, "xl");
    for (size_t i = 0; i < n; i++) {
        argv[i + 1] = (char *)args[i];
        buf_addf(&what, " %s", args[i]);
    }
    int rc = hv_xen_run_xl(argv, x->timeout_ms, buf_str(&what), err);
    free(argv);
    buf_free(&what);
    return rc;
}

int hv_xen_vcpu_pin(struct hv *hv, unsigned domid, const char *hard, const char *soft,
                    char **err)
{
    char id[16];
    snprintf(id, sizeof(id), "%u", domid);
    const char *args[] = { "vcpu-pin", id, "all", hard, soft, NULL };
    return run(xen_of(hv), "vcpu_pin", domid, args, err);
}

int hv_xen_sched_set(struct hv *hv, unsigned domid, const char *sched, unsigned weight,
                     unsigned cap, char **err)
{
    char id[16], w[16], c[16];
    snprintf(id, sizeof(id), "%u", domid);
    snprintf(w, sizeof(w), "%u", weight);
    snprintf(c, sizeof(c), "%u", cap);
    const char *cmd = !strcmp(sched, "credit") ? "sched-credit" : "sched-credit2";
    const char *args[] = { cmd, "-d", id, "-w", w, "-c", c, NULL };
    return run(xen_of(hv), "sched_set", domid, args, err);
}

int hv_xen_pool_migrate(struct hv *hv, unsigned domid, const char *pool, char **err)
{
    char id[16];
    snprintf(id, sizeof(id), "%u", domid);
    const char *args[] = { "cpupool-migrate", id, pool, NULL };
    return run(xen_of(hv), "pool_migrate", domid, args, err);
}

int hv_xen_pools(struct hv *hv, struct hv_pool **ret, size_t *n, unsigned *ncpus, char **err)
{
    struct xen *x = xen_of(hv);
    if (host_cpus(x, ncpus, err) < 0)
        return -1;
    struct hv_pool *v = NULL;
    size_t k = 0;
    int size = xc_get_cpumap_size(x->xch);
    /* xc_cpupool_getinfo gives the first pool from poolid on. */
    for (uint32_t id = 0;;) {
        errno = 0;
        xc_cpupoolinfo_t *pi = xc_cpupool_getinfo(x->xch, id);
        if (!pi)
            break;
        v = xrealloc(v, (k + 1) * sizeof(*v));
        struct hv_pool *p = &v[k++];
        memset(p, 0, sizeof(*p));
        pool_name(x, pi->cpupool_id, p->name, sizeof(p->name));
        snprintf(p->sched, sizeof(p->sched), "%s", hv_xen_sched_name(pi->sched_id));
        /* Every CPU named (not "all"), as the simulator lists them. */
        hv_xen_cpumap_text(pi->cpumap, size > 0 ? (size_t)size : 0, CPULIST_MAX, p->cpus,
                           sizeof(p->cpus));
        p->ndoms = pi->n_dom;
        id = pi->cpupool_id + 1;
        xc_cpupool_infofree(x->xch, pi);
    }
    if (k == 0) {
        char *m = failed_call(x, "xc_cpupool_getinfo");
        set_error(err, "cannot list the CPU pools: %s", m);
        free(m);
        free(v);
        return -1;
    }
    *ret = v;
    *n = k;
    return 0;
}

int hv_xen_pool_create(struct hv *hv, const char *name, const char *sched, char **err)
{
    /* xl cpupool-create reads NAME=VALUE arguments as config lines. */
    char *n = xasprintf("name=\"%s\"", name), *s = xasprintf("sched=\"%s\"", sched);
    const char *args[] = { "cpupool-create", n, s, NULL };
    int rc = run(xen_of(hv), "pool_create", (unsigned)-1, args, err);
    free(n);
    free(s);
    return rc;
}

int hv_xen_pool_destroy(struct hv *hv, const char *name, char **err)
{
    const char *args[] = { "cpupool-destroy", name, NULL };
    return run(xen_of(hv), "pool_destroy", (unsigned)-1, args, err);
}

int hv_xen_pool_cpu(struct hv *hv, const char *pool, unsigned cpu, bool add, char **err)
{
    char c[16];
    snprintf(c, sizeof(c), "%u", cpu);
    const char *args[] = { add ? "cpupool-cpu-add" : "cpupool-cpu-remove", pool, c, NULL };
    return run(xen_of(hv), add ? "pool_cpu_add" : "pool_cpu_remove", (unsigned)-1, args, err);
}
