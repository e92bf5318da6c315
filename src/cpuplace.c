/* cpuplace.c: applying CPU placement (see cpuplace.h).
 *
 * Pools: Xen's pools do not outlive a reboot, and Pool-0 holds every CPU
 * at boot; a CPU moves between pools only while free (xl(1):
 * cpupool-cpu-remove, then cpupool-cpu-add). The component records the
 * pools it made (PATH_CPUPOOLS) and changes no other: a pool of the same
 * name that it did not make is reported and left alone. Before a CPU
 * leaves Pool-0 the domains pinned to it are looked at: one that would be
 * left without a CPU keeps it (an error names it), others are warned of.
 *
 * Guests: what xl.cfg(5) sets at create (pool, cpus, cpus_soft,
 * cpu_weight, cap) is applied to a running domain with cpupool-migrate,
 * vcpu-pin on every vcpu and sched-credit2 (sched-credit in a credit
 * pool). A resource that is empty means Xen's default: all CPUs, weight
 * 256, no cap, Pool-0. */
#include "cpuplace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpulist.h"
#include "fsutil.h"
#include "log.h"
#include "methods_impl.h"
#include "util.h"

/* The pools the component made, one name a line. */
#define PATH_CPUPOOLS "/var/lib/lcfg/xen/cpupools"
#define DEFAULT_WEIGHT 256

void cpu_seen_free(struct cpu_seen *s)
{
    free(s->pools);
    free(s->failed);
    memset(s, 0, sizeof(*s));
}

static int see(struct hv *hv, struct cpu_seen *s, char **err)
{
    if (!s->read) {
        s->read = true;
        char *why = NULL;
        if (!hv->ops->pools)
            why = xasprintf("the %s hypervisor has no CPU pools", hv->ops->name);
        else if (hv->ops->pools(hv, &s->pools, &s->n, &s->ncpus, &why) < 0 && !why)
            why = xstrdup("cannot read the CPU pools");
        s->failed = why;
    }
    if (s->failed) {
        set_error(err, "%s", s->failed);
        return -1;
    }
    return 0;
}

static const struct hv_pool *seen_pool(const struct cpu_seen *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->pools[i].name, name))
            return &s->pools[i];
    return NULL;
}

static struct cpuset set_of(const char *list)
{
    struct cpuset set;
    if (cpulist_parse(list, true, &set))
        memset(&set, 0, sizeof(set));
    return set;
}

/* ---- the record of pools made ---- */

struct made {
    char **v;
    size_t n;
};

static struct made made_load(const char *root)
{
    struct made m = { 0 };
    char *path = root_path(root, PATH_CPUPOOLS), *text = NULL;
    if (fs_read_file(path, &text, NULL, NULL) == 0) {
        for (char *save = NULL, *l = strtok_r(text, "\n", &save); l;
             l = strtok_r(NULL, "\n", &save)) {
            if (!*l || *l == '#')
                continue;
            m.v = xrealloc(m.v, (m.n + 1) * sizeof(*m.v));
            m.v[m.n++] = xstrdup(l);
        }
    }
    free(text);
    free(path);
    return m;
}

static bool made_has(const struct made *m, const char *name)
{
    for (size_t i = 0; i < m->n; i++)
        if (!strcmp(m->v[i], name))
            return true;
    return false;
}

static int made_save(const char *root, const struct made *m)
{
    struct buf b = BUF_INIT;
    buf_adds(&b, "# The CPU pools the LCFG xen component made (cpuplace.c).\n");
    for (size_t i = 0; i < m->n; i++)
        buf_addf(&b, "%s\n", m->v[i]);
    char *err = NULL;
    int rc = fs_save_under(root, PATH_CPUPOOLS, buf_str(&b), b.len, 0644, &err);
    if (rc < 0)
        msg_error("configure: cannot record the CPU pools made: %s", err);
    free(err);
    buf_free(&b);
    return rc;
}

static void made_free(struct made *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->v[i]);
    free(m->v);
}

/* ---- pools ---- */

/* May CPU c leave Pool-0? Not when a domain there is pinned to CPUs that
 * all leave it (leaving: the CPUs the pools take); a domain pinned to c
 * among others is warned of. */
static bool may_leave_pool0(struct hv *hv, unsigned c, const struct cpuset *leaving,
                            const char *pool, bool dry)
{
    struct hv_domain *doms = NULL;
    size_t n = 0;
    char *err = NULL;
    if (hv->ops->list(hv, &doms, &n, &err) < 0) {
        msg_error("cpupool '%s': CPU %u not taken from Pool-0: cannot list the domains: %s",
                  pool, c, err);
        free(err);
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        struct hv_cpu hc;
        if (!alive(&doms[i]) || hv->ops->cpu_get(hv, doms[i].domid, &hc, &err) < 0) {
            free(err);
            err = NULL;
            continue;
        }
        if (strcmp(hc.pool, "Pool-0") || !strcmp(hc.hard, "all") || !strcmp(hc.hard, "mixed"))
            continue;
        struct cpuset pin = set_of(hc.hard);
        if (!cpuset_has(&pin, c))
            continue;
        const char *name = doms[i].name[0] ? doms[i].name : "?";
        if (cpuset_subset(&pin, leaving)) {
            msg_error("cpupool '%s': CPU %u not taken from Pool-0: domain '%s' (domid %u) is "
                      "pinned to CPUs %s, which would all leave Pool-0", pool, c, name,
                      doms[i].domid, hc.hard);
            ok = false;
        } else {
            msg_warn("cpupool '%s': CPU %u %s Pool-0, where domain '%s' (domid %u) is pinned to "
                     "CPUs %s: it keeps the others", pool, c, dry ? "would leave" : "leaves", name,
                     doms[i].domid, hc.hard);
        }
    }
    free(doms);
    return ok;
}

/* Move CPU c from pool `from` to pool `to` (each step reported). */
static int move_cpu(struct hv *hv, const char *from, const char *to, unsigned c, bool dry)
{
    if (dry) {
        msg_info("cpupool '%s': CPU %u would be moved to it from %s", to, c, from);
        return 0;
    }
    char *err = NULL;
    if (hv->ops->pool_cpu(hv, from, c, false, &err) < 0 ||
        hv->ops->pool_cpu(hv, to, c, true, &err) < 0) {
        msg_error("cpupool '%s': cannot move CPU %u to it from %s: %s", to, c, from, err);
        free(err);
        return -1;
    }
    msg_info("cpupool '%s': CPU %u moved to it from %s", to, c, from);
    return 0;
}

size_t cpu_pools_apply(const char *root, const struct host *h, struct hv *hv, bool dry)
{
    if (!hv)
        return 0;
    struct made made = made_load(root);
    /* A host without pools, now or made before, asks nothing. */
    if (h->npools == 0 && made.n == 0) {
        made_free(&made);
        return 0;
    }
    size_t failed = 0;
    struct cpu_seen s = { 0 };
    char *err = NULL;
    if (see(hv, &s, &err) < 0) {
        msg_error("configure: cannot read the CPU pools: %s", err);
        free(err);
        made_free(&made);
        return 1;
    }
    bool record = false;
    /* The CPUs every profile pool wants: they leave Pool-0 together. */
    struct cpuset leaving;
    memset(&leaving, 0, sizeof(leaving));
    for (size_t i = 0; i < h->npools; i++) {
        struct cpuset w = set_of(h->pools[i].cpus);
        for (unsigned c = 0; c < CPULIST_MAX; c++)
            if (cpuset_has(&w, c))
                cpuset_add(&leaving, c);
    }
    /* First every CPU a made pool gives back, then the ones taken (from
     * the pools as they are then). */
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1 && !dry) {
            cpu_seen_free(&s);
            if (see(hv, &s, &err) < 0) {
                msg_error("configure: cannot read the CPU pools: %s", err);
                free(err);
                made_free(&made);
                return failed + 1;
            }
        }
        for (size_t i = 0; i < h->npools; i++) {
            const struct cpupool *p = &h->pools[i];
            const struct hv_pool *sp = seen_pool(&s, p->name);
            if (sp && !made_has(&made, p->name)) {
                if (pass == 0) {
                    msg_error("cpupool '%s': exists, but the component did not make it: left "
                              "alone", p->name);
                    failed++;
                }
                continue;
            }
            struct cpuset want = set_of(p->cpus), have = sp ? set_of(sp->cpus) : (struct cpuset){ 0 };
            if (pass == 0) {
                if (sp && strcmp(sp->sched, p->sched))
                    msg_warn("cpupool '%s': its scheduler is %s, the profile's %s: it needs the "
                             "pool emptied and made again (configure does not)", p->name,
                             sp->sched, p->sched);
                for (unsigned c = 0; sp && c < CPULIST_MAX; c++)
                    if (cpuset_has(&have, c) && !cpuset_has(&want, c))
                        failed += move_cpu(hv, p->name, "Pool-0", c, dry) < 0;
                continue;
            }
            if (!sp) {
                if (dry) {
                    msg_info("cpupool '%s': would be created (%s scheduler)", p->name, p->sched);
                } else if (hv->ops->pool_create(hv, p->name, p->sched, &err) < 0) {
                    msg_error("cpupool '%s': cannot create it: %s", p->name, err);
                    free(err);
                    err = NULL;
                    failed++;
                    continue;
                } else {
                    msg_info("cpupool '%s': created (%s scheduler)", p->name, p->sched);
                }
                if (!made_has(&made, p->name)) {
                    made.v = xrealloc(made.v, (made.n + 1) * sizeof(*made.v));
                    made.v[made.n++] = xstrdup(p->name);
                    record = true;
                }
            }
            for (unsigned c = 0; c < CPULIST_MAX; c++) {
                if (!cpuset_has(&want, c) || cpuset_has(&have, c))
                    continue;
                if (c >= s.ncpus) {
                    msg_error("cpupool '%s': CPU %u: the host has CPUs 0-%u", p->name, c,
                              s.ncpus - 1);
                    failed++;
                    continue;
                }
                const char *owner = "Pool-0";
                for (size_t k = 0; k < s.n; k++) {
                    struct cpuset o = set_of(s.pools[k].cpus);
                    if (cpuset_has(&o, c) && strcmp(s.pools[k].name, p->name))
                        owner = s.pools[k].name;
                }
                if (strcmp(owner, "Pool-0") && !made_has(&made, owner)) {
                    msg_error("cpupool '%s': CPU %u is in pool %s, which the component did not "
                              "make: not taken", p->name, c, owner);
                    failed++;
                } else if (!strcmp(owner, "Pool-0") &&
                           !may_leave_pool0(hv, c, &leaving, p->name, dry)) {
                    failed++;
                } else {
                    failed += move_cpu(hv, owner, p->name, c, dry) < 0;
                }
            }
        }
    }
    /* Pools made before that left the profile: destroyed when empty. */
    for (size_t i = 0; i < made.n;) {
        const char *name = made.v[i];
        bool listed = false;
        for (size_t k = 0; k < h->npools; k++)
            listed |= !strcmp(h->pools[k].name, name);
        const struct hv_pool *sp = seen_pool(&s, name);
        if (listed || (sp && sp->ndoms)) {
            if (!listed)
                msg_warn("cpupool '%s': left the profile, but %u domain%s still in it: kept",
                         name, sp->ndoms, sp->ndoms == 1 ? " is" : "s are");
            i++;
            continue;
        }
        bool ok = true;
        struct cpuset have = sp ? set_of(sp->cpus) : (struct cpuset){ 0 };
        for (unsigned c = 0; sp && c < CPULIST_MAX && ok; c++)
            if (cpuset_has(&have, c))
                ok = move_cpu(hv, name, "Pool-0", c, dry) == 0;
        if (ok && sp && dry) {
            msg_info("cpupool '%s': left the profile: would be destroyed", name);
        } else if (ok && sp && hv->ops->pool_destroy(hv, name, &err) < 0) {
            msg_error("cpupool '%s': cannot destroy it: %s", name, err);
            free(err);
            err = NULL;
            ok = false;
        } else if (ok && sp) {
            msg_info("cpupool '%s': left the profile: destroyed", name);
        }
        if (!ok) {
            failed++;
            i++;
            continue;
        }
        if (dry) {
            i++;
            continue;
        }
        free(made.v[i]);
        made.v[i] = made.v[--made.n];
        record = true;
    }
    if (record && !dry && made_save(root, &made) < 0)
        failed++;
    made_free(&made);
    cpu_seen_free(&s);
    return failed;
}

/* ---- guests ---- */

/* What the profile wants of a guest, as the hypervisor would show it. */
struct want {
    char hard[HV_CPUS_TEXT], soft[HV_CPUS_TEXT];
    const char *pool, *sched; /* sched NULL: the pool is not known */
    unsigned weight, cap;
};

static void want_of(const struct guest *g, const struct cpu_seen *s, struct want *w)
{
    struct cpuset set = set_of(str_empty(g->cpus) ? "all" : g->cpus);
    char *t = cpulist_format(&set, s->ncpus);
    snprintf(w->hard, sizeof(w->hard), "%s", t);
    free(t);
    set = set_of(str_empty(g->cpus_soft) ? "all" : g->cpus_soft);
    t = cpulist_format(&set, s->ncpus);
    snprintf(w->soft, sizeof(w->soft), "%s", t);
    free(t);
    w->pool = guest_pool(g);
    const struct hv_pool *p = seen_pool(s, w->pool);
    w->sched = p ? p->sched : NULL;
    w->weight = g->weight ? (unsigned)g->weight : DEFAULT_WEIGHT;
    w->cap = (unsigned)g->cap;
}

static bool weighted(const char *sched)
{
    return sched && (!strcmp(sched, "credit2") || !strcmp(sched, "credit"));
}

size_t cpu_live(struct hv *hv, struct cpu_seen *seen, const struct guest *g,
                const struct guest *pg, const struct hv_domain *d, bool dry)
{
    if (!g->cpu_placed && !(pg && pg->cpu_placed))
        return 0;
    if (!hv->ops->cpu_get)
        return 0;
    char *err = NULL;
    struct hv_cpu hc;
    if (see(hv, seen, &err) < 0 || hv->ops->cpu_get(hv, d->domid, &hc, &err) < 0) {
        msg_error("guest '%s': cannot read its CPU placement: %s", g->name, err);
        free(err);
        return 1;
    }
    struct want w;
    want_of(g, seen, &w);
    size_t failed = 0;
    const char *would = dry ? "would be applied live" : "applied live";
    bool moved = false;
    if (strcmp(hc.pool, w.pool)) {
        if (!w.sched && dry) {
            /* A pool this dry run would have made. */
            msg_info("guest '%s': pool %s -> %s would be applied live (once the pool is made)",
                     g->name, hc.pool, w.pool);
            moved = true;
        } else if (!w.sched) {
            msg_error("guest '%s': cannot move it to pool %s: the pool does not exist", g->name,
                      w.pool);
            return 1;
        } else if (!dry && hv->ops->pool_migrate(hv, d->domid, w.pool, &err) < 0) {
            msg_error("guest '%s': cannot move it to pool %s: %s", g->name, w.pool, err);
            free(err);
            return 1;
        } else {
            msg_info("guest '%s': pool %s -> %s %s", g->name, hc.pool, w.pool, would);
            moved = true;
        }
    }
    if (strcmp(hc.hard, w.hard) || strcmp(hc.soft, w.soft)) {
        const char *hard = str_empty(g->cpus) ? "all" : g->cpus;
        const char *soft = str_empty(g->cpus_soft) ? "all" : g->cpus_soft;
        if (!dry && hv->ops->vcpu_pin(hv, d->domid, hard, soft, &err) < 0) {
            msg_error("guest '%s': cannot pin its vcpus: %s", g->name, err);
            free(err);
            err = NULL;
            failed++;
        } else {
            msg_info("guest '%s': cpus %s -> %s, soft %s -> %s %s", g->name, hc.hard, w.hard,
                     hc.soft, w.soft, would);
        }
    }
    /* A move resets the scheduler's parameters (Xen gives the domain the
     * new pool's defaults). */
    unsigned hw = moved ? DEFAULT_WEIGHT : hc.weight, hcap = moved ? 0 : hc.cap;
    if (weighted(w.sched) && (hw != w.weight || hcap != w.cap)) {
        if (!dry && hv->ops->sched_set(hv, d->domid, w.sched, w.weight, w.cap, &err) < 0) {
            msg_error("guest '%s': cannot set its weight and cap: %s", g->name, err);
            free(err);
            failed++;
        } else {
            msg_info("guest '%s': weight %u -> %u, cap %u -> %u %s", g->name, hw, w.weight, hcap,
                     w.cap, would);
        }
    }
    return failed;
}

size_t cpu_drift(struct hv *hv, struct cpu_seen *seen, const struct guest *g,
                 const struct hv_domain *d, char ***ret)
{
    *ret = NULL;
    if (!g->cpu_placed || !hv || !hv->ops->cpu_get)
        return 0;
    char **v = xcalloc(4, sizeof(*v));
    size_t n = 0;
    char *err = NULL;
    struct hv_cpu hc;
    if (see(hv, seen, &err) < 0 || hv->ops->cpu_get(hv, d->domid, &hc, &err) < 0) {
        v[n++] = xasprintf("CPU placement unknown: %s", err);
        free(err);
        *ret = v;
        return n;
    }
    struct want w;
    want_of(g, seen, &w);
    const char *live = "configure applies it live";
    if (strcmp(hc.pool, w.pool))
        v[n++] = xasprintf("pool %s: %s (the running domain is in %s)", w.pool, live, hc.pool);
    if (strcmp(hc.hard, w.hard) || strcmp(hc.soft, w.soft))
        v[n++] = xasprintf("cpus %s, soft %s: %s (the running domain has %s, soft %s)", w.hard,
                           w.soft, live, hc.hard, hc.soft);
    if (!strcmp(hc.pool, w.pool) && weighted(w.sched) && (hc.weight != w.weight || hc.cap != w.cap))
        v[n++] = xasprintf("weight %u, cap %u: %s (the running domain has weight %u, cap %u)",
                           w.weight, w.cap, live, hc.weight, hc.cap);
    *ret = v;
    return n;
}

char *cpu_summary(const struct guest *g)
{
    if (!g->cpu_placed)
        return NULL;
    struct buf b = BUF_INIT;
    buf_addf(&b, "%s", str_empty(g->cpus) ? "all" : g->cpus);
    if (!str_empty(g->cpus_soft))
        buf_addf(&b, " (soft %s)", g->cpus_soft);
    if (g->weight)
        buf_addf(&b, ", weight %lu", g->weight);
    if (g->cap)
        buf_addf(&b, ", cap %lu%%", g->cap);
    buf_addf(&b, ", pool %s", guest_pool(g));
    return buf_detach(&b);
}
