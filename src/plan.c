/* plan.c: decisions from what was observed: whether a config file is
 * current, what a running domain lacks of its saved configuration, which
 * changes need a restart. Pure but for reading config files. */
#include "methods_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "configs.h"
#include "fsutil.h"
#include "hv.h"
#include "model.h"
#include "render.h"
#include "rendered.h"
#include "util.h"

/* Fields whose change a running guest only sees after a restart (memory
 * and vcpus within their maxima are changed live; the rest below does not
 * concern the running domain). */
bool needs_restart_field(int f)
{
    switch (f) {
    case GF_memory: case GF_vcpus: case GF_boot: case GF_bootorder: case GF_restart:
    case GF_shutdowntimeout:
    case GF_diskreuse: case GF_diskalloc: case GF_template:
    case GF_cpus: case GF_cpussoft: case GF_weight: case GF_cap: case GF_cpupool:
        /* applied live (cpuplace.c) */
    case GF_maxmem: case GF_maxvcpus: /* compared by their effective values */
        return false;
    default:
        return true;
    }
}

struct cfgcheck cfgcheck_new(struct ctx *c)
{
    return (struct cfgcheck){ render_cache_new(), rendered_load(c->o->root) };
}

void cfgcheck_free(struct cfgcheck *cc)
{
    render_cache_free(cc->rc);
    rendered_free(cc->was);
}

/* Guest g's config file against a render of the saved configuration:
 * edited by hand, removed, or not yet written. *why: for CFGST_UNKNOWN.
 * A file the record knows to be current is not rendered (rendered.h). */
enum cfg_state config_state(struct ctx *c, const struct host *h, const struct guest *g,
                            struct cfgcheck *cc, char **why)
{
    char *want = NULL, *have = NULL;
    enum cfg_state st;
    char *file = configs_path(h, g);
    char *rfile = root_path(c->o->root, file);
    if (rendered_current(cc->was, h, g, file, c->o->root, cc->rc))
        st = CFGST_CURRENT;
    else if (render_guest(h, g, c->o->root, cc->rc, &want, why) < 0)
        st = CFGST_UNKNOWN;
    else if (fs_read_file(rfile, &have, NULL, why) < 0)
        st = errno == ENOENT ? CFGST_MISSING : CFGST_UNKNOWN;
    else
        st = strcmp(want, have) ? CFGST_DIFFERS : CFGST_CURRENT;
    if (st == CFGST_MISSING) {
        free(*why);
        *why = NULL;
    }
    free(want);
    free(have);
    free(rfile);
    free(file);
    return st;
}

const char *const cfg_state_text[] = {
    "up to date", "missing (run configure)",
    "differs from the saved configuration (edited by hand? configure puts it back)",
    "unknown",
};

const char *const cfg_state_json[] = { "current", "missing", "differs", "unknown" };

/* Xen's own additions to a domain's maximum (libxl's slack for PV, video
 * RAM for HVM): a maximum within this above maxmem is maxmem. */
#define MAXMEM_SLACK_MB 16

enum change plan_memory(const struct guest *g, const struct hv_domain *d)
{
    unsigned long long want_kb = (unsigned long long)g->memory * 1024;
    /* libxl takes an HVM guest's video RAM out of its balloon target: a
     * target that short of memory is memory. */
    bool same = g->type == GUEST_HVM
        ? d->target_kb <= want_kb && want_kb - d->target_kb <= MAXMEM_SLACK_MB * 1024ULL
        : d->target_kb == want_kb;
    if (same)
        return CH_NONE;
    return want_kb > d->max_kb ? CH_RESTART : CH_LIVE;
}

enum change plan_vcpus(const struct guest *g, const struct hv_domain *d)
{
    if (d->vcpus == g->vcpus)
        return CH_NONE;
    return g->vcpus > d->max_vcpus ? CH_RESTART : CH_LIVE;
}

/* What the running domain d has that the saved configuration of g does
 * not, each as a line in *ret (free with strs_free). Memory and vcpus are
 * judged as configure judges them (plan_memory, plan_vcpus). */
size_t pending_changes(const struct guest *g, const struct hv_domain *d, char ***ret)
{
    char **v = xcalloc(4, sizeof(*v));
    size_t n = 0;
    unsigned long long max_mb = d->max_kb / 1024, target_mb = d->target_kb / 1024;
    if (g->maxmem > max_mb || max_mb > g->maxmem + MAXMEM_SLACK_MB)
        v[n++] = xasprintf("maxmem %lu MB: needs restart (the running domain's maximum is %llu MB)",
                           g->maxmem, max_mb);
    enum change mc = plan_memory(g, d), vc = plan_vcpus(g, d);
    if (mc != CH_NONE)
        v[n++] = mc == CH_RESTART
            ? xasprintf("memory %lu MB: needs restart (the running domain's maximum is %llu MB)",
                        g->memory, max_mb)
            : xasprintf("memory %lu MB: configure applies it live (the running domain has %llu MB)",
                        g->memory, target_mb);
    if (g->maxvcpus != d->max_vcpus)
        v[n++] = xasprintf("maxvcpus %lu: needs restart (the running domain's maximum is %u)",
                           g->maxvcpus, d->max_vcpus);
    if (vc != CH_NONE)
        v[n++] = vc == CH_RESTART
            ? xasprintf("vcpus %lu: needs restart (the running domain's maximum is %u)", g->vcpus,
                        d->max_vcpus)
            : xasprintf("vcpus %lu: configure applies it live (the running domain has %u)",
                        g->vcpus, d->vcpus);
    *ret = v;
    return n;
}

void strs_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

enum disk_follow plan_disk_follow(enum disk_type type, bool running, const struct seen *from,
                                  const struct seen *to)
{
    if (!from->there)
        return DF_NOTHING; /* no data under the old name: the disk plan's */
    if (to->there)
        return from->dev == to->dev && from->ino == to->ino ? DF_NOTHING : DF_HOLD_TAKEN;
    if (type == DISK_LVM)
        return DF_HOLD_VOLUME;
    if (!from->regular)
        return DF_HOLD_NOT_FILE;
    /* Its domain has the file open under the old name, and xl restarts a
     * guest that reboots itself from it. */
    return running ? DF_HOLD_RUNNING : DF_MOVE;
}
