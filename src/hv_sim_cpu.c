/* hv_sim_cpu.c: the simulator's CPU placement (hv.h's cpu_get, vcpu_pin,
 * sched_set, pool_migrate, pools, pool_create, pool_destroy, pool_cpu).
 *
 * Its state is one small file beside the domains, root/SIM_DIR/cpu:
 *   ncpus N                 the host's CPUs (8 when absent)
 *   pool NAME SCHED CPUS    a pool besides Pool-0 (CPUS "-" when none)
 *   free CPUS               CPUs in no pool (taken out of one)
 *   dom UUID DOMID HARD SOFT WEIGHT CAP POOL
 * Pool-0 has every CPU no other pool has and that is not free, and uses
 * credit2 (Xen 4.17's default). A domain without a "dom" line for its
 * current domid is placed as its config (the copy the simulator keeps)
 * says: cpus, cpus_soft, cpu_weight, cap, pool; else all CPUs, weight
 * 256, no cap, Pool-0. As on Xen, CPU 0 stays in Pool-0, a pool with
 * domains keeps at least one CPU, a scheduler takes only its own
 * parameters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpulist.h"
#include "fsutil.h"
#include "hv_sim_impl.h"
#include "util.h"

#define SIM_NCPUS 8
#define MAX_POOLS 64

struct cpudom {
    char uuid[37];
    unsigned domid;
    struct cpuset hard, soft;
    unsigned weight, cap;
    char pool[65];
};

struct cpustate {
    unsigned ncpus;
    size_t npools;
    struct { char name[65]; char sched[16]; struct cpuset cpus; } pools[MAX_POOLS];
    struct cpuset free;
    struct cpudom *doms;
    size_t ndoms;
};

static char *cpu_path(const struct sim *s)
{
    return xasprintf("%s/cpu", s->dir);
}

static void cs_free(struct cpustate *cs)
{
    free(cs->doms);
}

/* A CPU list as the file keeps it ("-": none). */
static void set_of(const char *v, struct cpuset *set)
{
    if (!strcmp(v, "-") || cpulist_parse(v, true, set))
        memset(set, 0, sizeof(*set));
}

static int cs_load(const struct sim *s, struct cpustate *cs, char **err)
{
    memset(cs, 0, sizeof(*cs));
    cs->ncpus = SIM_NCPUS;
    char *path = cpu_path(s), *text = NULL;
    if (fs_read_file(path, &text, NULL, NULL) < 0) {
        free(path);
        return 0; /* none yet: one pool, nothing pinned */
    }
    unsigned no = 0;
    for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        no++;
        char *f[9];
        size_t nf = sim_split_fields(l, f, 9);
        if (nf == 0 || f[0][0] == '#')
            continue;
        unsigned long long v;
        if (!strcmp(f[0], "ncpus") && nf == 2 && parse_u64(f[1], &v) && v >= 1 &&
            v <= CPULIST_MAX) {
            cs->ncpus = (unsigned)v;
        } else if (!strcmp(f[0], "pool") && nf == 4 && cs->npools < MAX_POOLS) {
            snprintf(cs->pools[cs->npools].name, 65, "%s", f[1]);
            snprintf(cs->pools[cs->npools].sched, 16, "%s", f[2]);
            set_of(f[3], &cs->pools[cs->npools].cpus);
            cs->npools++;
        } else if (!strcmp(f[0], "free") && nf == 2) {
            set_of(f[1], &cs->free);
        } else if (!strcmp(f[0], "dom") && nf == 8 && parse_u64(f[2], &v)) {
            cs->doms = xrealloc(cs->doms, (cs->ndoms + 1) * sizeof(*cs->doms));
            struct cpudom *d = &cs->doms[cs->ndoms++];
            snprintf(d->uuid, sizeof(d->uuid), "%s", f[1]);
            d->domid = (unsigned)v;
            set_of(f[3], &d->hard);
            set_of(f[4], &d->soft);
            d->weight = parse_u64(f[5], &v) ? (unsigned)v : 256;
            d->cap = parse_u64(f[6], &v) ? (unsigned)v : 0;
            snprintf(d->pool, sizeof(d->pool), "%s", f[7]);
        } else {
            set_error(err, "simulator: %s:%u: not a line of its CPU state", path, no);
            free(text);
            free(path);
            cs_free(cs);
            return -1;
        }
    }
    free(text);
    free(path);
    return 0;
}

/* A set as the file keeps it: "-" when empty, "all" when full. */
static void put_set(struct buf *b, const struct cpuset *set)
{
    if (cpuset_empty(set)) {
        buf_adds(b, "-");
        return;
    }
    char *t = cpulist_format(set, CPULIST_MAX);
    buf_adds(b, t);
    free(t);
}

/* Write the state back, keeping only the records of domains that are
 * still there under the same domid. */
static int cs_save(struct sim *s, const struct cpustate *cs, char **err)
{
    struct buf b = BUF_INIT;
    buf_addf(&b, "# lcfg-xen simulator: CPU placement (hv_sim_cpu.c)\nncpus %u\n", cs->ncpus);
    for (size_t i = 0; i < cs->npools; i++) {
        buf_addf(&b, "pool %s %s ", cs->pools[i].name, cs->pools[i].sched);
        put_set(&b, &cs->pools[i].cpus);
        buf_addc(&b, '\n');
    }
    buf_adds(&b, "free ");
    put_set(&b, &cs->free);
    buf_addc(&b, '\n');
    for (size_t i = 0; i < cs->ndoms; i++) {
        const struct cpudom *d = &cs->doms[i];
        const struct sim_dom *sd = sim_find_dom(s, d->domid);
        if (!sd || strcasecmp(sd->d.uuid, d->uuid))
            continue;
        buf_addf(&b, "dom %s %u ", d->uuid, d->domid);
        put_set(&b, &d->hard);
        buf_addc(&b, ' ');
        put_set(&b, &d->soft);
        buf_addf(&b, " %u %u %s\n", d->weight, d->cap, d->pool);
    }
    char *path = cpu_path(s);
    enum fs_change ch;
    int rc = fs_write_atomic_ex(path, buf_str(&b), b.len, 0644, FS_NO_SYNC, &ch, err);
    free(path);
    buf_free(&b);
    return rc;
}

/* Pool-0's CPUs. */
static struct cpuset pool0_cpus(const struct cpustate *cs)
{
    struct cpuset set;
    memset(&set, 0, sizeof(set));
    for (unsigned c = 0; c < cs->ncpus; c++) {
        bool other = cpuset_has(&cs->free, c);
        for (size_t i = 0; i < cs->npools && !other; i++)
            other = cpuset_has(&cs->pools[i].cpus, c);
        if (!other)
            cpuset_add(&set, c);
    }
    return set;
}

/* The pool called name (-1: Pool-0), or -2 when there is none. */
static int pool_index(const struct cpustate *cs, const char *name)
{
    if (!strcmp(name, "Pool-0"))
        return -1;
    for (size_t i = 0; i < cs->npools; i++)
        if (!strcmp(cs->pools[i].name, name))
            return (int)i;
    return -2;
}

static const char *pool_sched(const struct cpustate *cs, int i)
{
    return i < 0 ? "credit2" : cs->pools[i].sched;
}

/* The value of key in a kept config's text ("" when absent), quotes
 * taken off. */
static void cfg_value(const char *text, const char *key, char *out, size_t size)
{
    out[0] = '\0';
    size_t kl = strlen(key);
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (strncmp(l, key, kl) || (l[kl] != ' ' && l[kl] != '='))
            continue;
        const char *v = strchr(l, '=');
        if (!v)
            continue;
        v += strspn(v + 1, " ") + 1;
        size_t n = strcspn(v, "\n");
        if (n && (*v == '"' || *v == '\'')) {
            v++;
            n = strcspn(v, "\"'\n");
        }
        snprintf(out, size, "%.*s", (int)n, v);
        return;
    }
}

/* Domain d's record: its "dom" line, else one made from its config. */
static struct cpudom *dom_of(struct sim *s, struct cpustate *cs, const struct sim_dom *sd)
{
    for (size_t i = 0; i < cs->ndoms; i++)
        if (cs->doms[i].domid == sd->d.domid && !strcasecmp(cs->doms[i].uuid, sd->d.uuid))
            return &cs->doms[i];
    cs->doms = xrealloc(cs->doms, (cs->ndoms + 1) * sizeof(*cs->doms));
    struct cpudom *d = &cs->doms[cs->ndoms++];
    memset(d, 0, sizeof(*d));
    snprintf(d->uuid, sizeof(d->uuid), "%s", sd->d.uuid);
    d->domid = sd->d.domid;
    memset(d->hard.bits, 0xff, sizeof(d->hard.bits));
    d->soft = d->hard;
    d->weight = 256;
    snprintf(d->pool, sizeof(d->pool), "Pool-0");
    char *path = sim_config_path(s, sd->d.uuid), *text = NULL;
    if (sd->d.domid != 0 && fs_read_file(path, &text, NULL, NULL) == 0) {
        char v[HV_CPUS_TEXT];
        unsigned long long n;
        cfg_value(text, "cpus", v, sizeof(v));
        if (*v)
            set_of(v, &d->hard);
        cfg_value(text, "cpus_soft", v, sizeof(v));
        if (*v)
            set_of(v, &d->soft);
        cfg_value(text, "cpu_weight", v, sizeof(v));
        if (*v && parse_u64(v, &n))
            d->weight = (unsigned)n;
        cfg_value(text, "cap", v, sizeof(v));
        if (*v && parse_u64(v, &n))
            d->cap = (unsigned)n;
        cfg_value(text, "pool", d->pool, sizeof(d->pool));
        if (!d->pool[0])
            snprintf(d->pool, sizeof(d->pool), "Pool-0");
    }
    free(text);
    free(path);
    return d;
}

/* Begin an operation: refused on a read-only handle when it writes (op
 * names it), locked, the state read. */
static int begin(struct sim *s, const char *op, struct cpustate *cs, char **err)
{
    if (op && s->readonly) {
        set_error(err, "read-only hypervisor handle: %s refused", op);
        return -1;
    }
    if (sim_op_begin(s, OP_LIST, err) < 0)
        return -1;
    if (cs_load(s, cs, err) < 0) {
        sim_op_end(s, -1, NULL);
        return -1;
    }
    return 0;
}

/* End it: written back when rc is 0 and it changed something. */
static int end(struct sim *s, struct cpustate *cs, int rc, bool write, char **err)
{
    if (rc == 0 && write && cs_save(s, cs, err) < 0)
        rc = -1;
    cs_free(cs);
    return sim_op_end(s, rc, err);
}

int sim_cpu_get(struct hv *hv, unsigned domid, struct hv_cpu *ret, char **err)
{
    struct sim *s = hv->priv;
    struct cpustate cs;
    if (begin(s, NULL, &cs, err) < 0)
        return -1;
    int rc = -1;
    struct sim_dom *sd = sim_find_dom(s, domid);
    if (!sd) {
        set_error(err, "no domain with id %u", domid);
    } else {
        const struct cpudom *d = dom_of(s, &cs, sd);
        char *h = cpulist_format(&d->hard, cs.ncpus), *so = cpulist_format(&d->soft, cs.ncpus);
        snprintf(ret->hard, sizeof(ret->hard), "%s", h);
        snprintf(ret->soft, sizeof(ret->soft), "%s", so);
        free(h);
        free(so);
        int p = pool_index(&cs, d->pool);
        bool weighted = p >= -1 && strstr(pool_sched(&cs, p), "credit");
        ret->weight = weighted ? d->weight : 0;
        ret->cap = weighted ? d->cap : 0;
        snprintf(ret->pool, sizeof(ret->pool), "%s", d->pool);
        rc = 0;
    }
    cs_free(&cs);
    return sim_op_end(s, rc, err);
}

int sim_vcpu_pin(struct hv *hv, unsigned domid, const char *hard, const char *soft,
                        char **err)
{
    struct sim *s = hv->priv;
    struct cpustate cs;
    if (begin(s, "vcpu_pin", &cs, err) < 0)
        return -1;
    int rc = -1;
    struct cpuset hs, ss;
    const char *why = cpulist_parse(hard, true, &hs);
    if (!why)
        why = cpulist_parse(soft, true, &ss);
    struct sim_dom *sd = sim_target(s, domid, err);
    if (sd && why) {
        set_error(err, "xl vcpu-pin %u all %s %s: invalid CPU list", domid, hard, soft);
    } else if (sd) {
        struct cpudom *d = dom_of(s, &cs, sd);
        d->hard = hs;
        d->soft = ss;
        rc = 0;
    }
    return end(s, &cs, rc, true, err);
}

int sim_sched_set(struct hv *hv, unsigned domid, const char *sched, unsigned weight,
                         unsigned cap, char **err)
{
    struct sim *s = hv->priv;
    struct cpustate cs;
    if (begin(s, "sched_set", &cs, err) < 0)
        return -1;
    int rc = -1;
    struct sim_dom *sd = sim_target(s, domid, err);
    if (sd) {
        struct cpudom *d = dom_of(s, &cs, sd);
        const char *has = pool_sched(&cs, pool_index(&cs, d->pool));
        if (strcmp(has, sched))
            set_error(err, "xl sched-%s -d %u: the domain's pool %s uses the %s scheduler", sched,
                      domid, d->pool, has);
        else if (weight < 1 || weight > 65535)
            set_error(err, "xl sched-%s -d %u: invalid weight %u", sched, domid, weight);
        else {
            d->weight = weight;
            d->cap = cap;
            rc = 0;
        }
    }
    return end(s, &cs, rc, true, err);
}

int sim_pool_migrate(struct hv *hv, unsigned domid, const char *pool, char **err)
{
    struct sim *s = hv->priv;
    struct cpustate cs;
    if (begin(s, "pool_migrate", &cs, err) < 0)
        return -1;
    int rc = -1;
    struct sim_dom *sd = sim_target(s, domid, err);
    int p = pool_index(&cs, pool);
    if (sd && p == -2) {
        set_error(err, "xl cpupool-migrate %u %s: no such cpupool", domid, pool);
    } else if (sd && p >= 0 && cpuset_empty(&cs.pools[p].cpus)) {
        set_error(err, "xl cpupool-migrate %u %s: the pool has no CPU", domid, pool);
    } else if (sd) {
        struct cpudom *d = dom_of(s, &cs, sd);
        snprintf(d->pool, sizeof(d->pool), "%s", pool);
        /* Xen resets the scheduler parameters in the new pool. */
        d->weight = 256;
        d->cap = 0;
        rc = 0;
    }
    return end(s, &cs, rc, true, err);
}

/* How many domains (alive, not dom0 for other pools) are in pool. */
static unsigned pool_doms(struct sim *s, struct cpustate *cs, const char *pool)
{
    unsigned n = 0;
    for (size_t i = 0; i < s->n; i++) {
        const struct sim_dom *sd = &s->doms[i];
        if (sd->gone)
            continue;
        n += !strcmp(dom_of(s, cs, sd)->pool, pool);
    }
    return n;
}

int sim_pools(struct hv *hv, struct hv_pool **ret, size_t *n, unsigned *ncpus, char **err)
{
    struct sim *s = hv->priv;
    struct cpustate cs;
    if (begin(s, NULL, &cs, err) < 0)
        return -1;
    struct hv_pool *v = xcalloc(cs.npools + 1, sizeof(*v));
    for (size_t i = 0; i <= cs.npools; i++) {
        const char *name = i ? cs.pools[i - 1].name : "Pool-0";
        struct cpuset set = i ? cs.pools[i - 1].cpus : pool0_cpus(&cs);
        snprintf(v[i].name, sizeof(v[i].name), "%s", name);
        snprintf(v[i].sched, sizeof(v[i].sched), "%s", pool_sched(&cs, (int)i - 1));
        char *t = cpulist_format(&set, CPULIST_MAX);
        snprintf(v[i].cpus, sizeof(v[i].cpus), "%s", t);
        free(t);
        v[i].ndoms = pool_doms(s, &cs, name);
    }
    *ret = v;
    *n = cs.npools + 1;
    *ncpus = cs.ncpus;
    cs_free(&cs);
    return sim_op_end(s, 0, err);
}

int sim_pool_create(struct hv *hv, const char *name, const char *sched, char **err)
{
    struct sim *s = hv->priv;
    struct cpustate cs;
    if (begin(s, "pool_create", &cs, err) < 0)
        return -1;
    int rc = -1;
    static const char *const scheds[] = { "credit2", "credit", "rtds", "null" };
    bool known = false;
    for (size_t i = 0; i < ARRAY_SIZE(scheds); i++)
        known |= !strcmp(sched, scheds[i]);
    if (pool_index(&cs, name) != -2)
        set_error(err, "xl cpupool-create: a pool named %s exists already", name);
    else if (!known)
        set_error(err, "xl cpupool-create: unknown scheduler %s", sched);
    else if (cs.npools == MAX_POOLS || strlen(name) > 64)
        set_error(err, "xl cpupool-create: cannot make pool %s", name);
    else {
        memset(&cs.pools[cs.npools], 0, sizeof(cs.pools[0]));
        snprintf(cs.pools[cs.npools].name, 65, "%s", name);
        snprintf(cs.pools[cs.npools].sched, 16, "%s", sched);
        cs.npools++;
        rc = 0;
    }
    return end(s, &cs, rc, true, err);
}

int sim_pool_destroy(struct hv *hv, const char *name, char **err)
{
    struct sim *s = hv->priv;
    struct cpustate cs;
    if (begin(s, "pool_destroy", &cs, err) < 0)
        return -1;
    int rc = -1;
    int p = pool_index(&cs, name);
    if (p == -1)
        set_error(err, "xl cpupool-destroy %s: Pool-0 cannot be destroyed", name);
    else if (p == -2)
        set_error(err, "xl cpupool-destroy %s: no such cpupool", name);
    else if (pool_doms(s, &cs, name))
        set_error(err, "xl cpupool-destroy %s: the pool has domains", name);
    else if (!cpuset_empty(&cs.pools[p].cpus))
        set_error(err, "xl cpupool-destroy %s: the pool still has CPUs", name);
    else {
        cs.pools[p] = cs.pools[cs.npools - 1];
        cs.npools--;
        rc = 0;
    }
    return end(s, &cs, rc, true, err);
}

int sim_pool_cpu(struct hv *hv, const char *pool, unsigned cpu, bool add, char **err)
{
    struct sim *s = hv->priv;
    struct cpustate cs;
    if (begin(s, add ? "pool_cpu_add" : "pool_cpu_remove", &cs, err) < 0)
        return -1;
    int rc = -1;
    const char *what = add ? "cpupool-cpu-add" : "cpupool-cpu-remove";
    int p = pool_index(&cs, pool);
    struct cpuset p0 = pool0_cpus(&cs);
    struct cpuset *set = p >= 0 ? &cs.pools[p].cpus : &p0;
    if (p == -2) {
        set_error(err, "xl %s %s %u: no such cpupool", what, pool, cpu);
    } else if (cpu >= cs.ncpus) {
        set_error(err, "xl %s %s %u: no CPU %u on this host", what, pool, cpu, cpu);
    } else if (add && !cpuset_has(&cs.free, cpu)) {
        set_error(err, "xl %s %s %u: CPU %u is not free (it is in a pool)", what, pool, cpu, cpu);
    } else if (!add && !cpuset_has(set, cpu)) {
        set_error(err, "xl %s %s %u: CPU %u is not in pool %s", what, pool, cpu, cpu, pool);
    } else if (!add && p == -1 && cpu == 0) {
        set_error(err, "xl %s %s %u: CPU 0 cannot leave Pool-0", what, pool, cpu);
    } else {
        struct cpuset rest = *set;
        cpuset_del(&rest, cpu);
        if (!add && cpuset_empty(&rest) && pool_doms(s, &cs, pool)) {
            set_error(err, "xl %s %s %u: the pool's domains would have no CPU", what, pool, cpu);
        } else {
            if (add) {
                cpuset_del(&cs.free, cpu);
                if (p >= 0)
                    cpuset_add(set, cpu);
            } else {
                cpuset_add(&cs.free, cpu);
                if (p >= 0)
                    cpuset_del(set, cpu);
            }
            rc = 0;
        }
    }
    return end(s, &cs, rc, true, err);
}
