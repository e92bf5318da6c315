/* guestplan.c: what start, run, stop and the per-guest methods do to each
 * guest, decided from what was observed (the saved configuration, the
 * record of managed guests, the domains), as a list of actions. Pure: no
 * hypervisor call, no file, no message; lifecycle.c applies and reports a
 * plan. A guest is found by its UUID, a per-guest method's argument by
 * the guest's name. */
#include "methods_impl.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

static struct action *add(struct plan *p, enum act act, const struct guest *g,
                          const struct hv_domain *d, const char *name)
{
    p->v = xrealloc(p->v, (p->n + 1) * sizeof(*p->v));
    struct action *a = &p->v[p->n++];
    *a = (struct action){ .act = act, .g = g, .d = d, .name = name };
    return a;
}

/* Why g may not be booted (held back, or its name taken by a domain of
 * another UUID), or ACT_BOOT. */
static enum act may_boot(const struct managed *rec, const struct dom_index *ix,
                         const struct guest *g, const struct hv_domain **other)
{
    const struct managed_guest *e = managed_find(rec, g->uuid);
    if (e && e->state == MG_HELD)
        return ACT_HELD;
    *other = find_domain(ix, g->name);
    if (*other && strcasecmp((*other)->uuid, g->uuid))
        return ACT_NAME_TAKEN;
    return ACT_BOOT;
}

/* One guest to bring up: running, held, name taken, remains to clear
 * first, or simply down. */
static void plan_up(struct plan *p, const struct managed *rec, const struct dom_index *ix,
                    const struct guest *g, bool revive)
{
    const struct hv_domain *d = find_uuid(ix, g->uuid), *other = NULL;
    const struct managed_guest *e = managed_find(rec, g->uuid);
    if (d && alive(d)) {
        /* No record, or one that says it left: it came from elsewhere
         * (identity.c adopts it), and it is never booted a second time. */
        bool arrived = !e || e->state == MG_MOVED || e->state == MG_GONE;
        add(p, arrived ? ACT_ADOPT : ACT_RUNNING, g, d, g->name);
        return;
    }
    if (e && e->state == MG_MOVED) {
        add(p, ACT_MOVED, g, NULL, g->name)->why = xstrdup(e->host);
        return;
    }
    enum act a = may_boot(rec, ix, g, &other);
    if (a != ACT_BOOT)
        add(p, a, g, other, g->name);
    else if (d)
        add(p, ACT_CLEAR_BOOT, g, d, g->name);
    else
        add(p, revive ? ACT_REVIVE : ACT_BOOT, g, NULL, g->name);
}

void plan_boots(const struct host *h, const struct managed *rec, const struct dom_index *ix,
                bool revive, struct plan *p)
{
    for (size_t i = 0; i < h->nguests; i++)
        if (h->guests[i].boot)
            plan_up(p, rec, ix, &h->guests[i], revive);
}

/* The guests that left the profile and were kept running, as guests
 * (name, UUID, the host's shutdown timeout), in p->kept. */
static void add_kept(struct plan *p, const struct host *h, const struct managed *rec)
{
    p->kept = xcalloc(rec->n + 1, sizeof(*p->kept));
    for (size_t i = 0; i < rec->n; i++) {
        if (rec->v[i].state != MG_KEPT)
            continue;
        struct guest *k = &p->kept[p->nkept++];
        k->name = k->tag = rec->v[i].name;
        k->uuid = rec->v[i].uuid;
        k->shutdown_timeout = h->shutdown_timeout;
    }
}

void plan_stop(const struct host *h, const struct managed *rec, const struct dom_index *ix,
               struct plan *p)
{
    /* Every running guest of the profile, booted by start or by hand, and
     * those that left it and were kept running. */
    for (size_t i = 0; i < h->nguests; i++) {
        const struct hv_domain *d = find_uuid(ix, h->guests[i].uuid);
        if (d && alive(d))
            add(p, ACT_SHUTDOWN, &h->guests[i], d, h->guests[i].name);
    }
    add_kept(p, h, rec);
    for (size_t i = 0; i < p->nkept; i++) {
        const struct hv_domain *d = find_uuid(ix, p->kept[i].uuid);
        if (d && alive(d))
            add(p, ACT_SHUTDOWN, &p->kept[i], d, p->kept[i].name);
    }
}

/* The guest an argument names (see plan_named), or NULL with *why when it
 * is refused, or NULL and no *why when nothing of the component's has
 * that name. */
static const struct guest *resolve(const struct host *h, const struct plan *p, const char *arg,
                                   bool boot, char **why)
{
    const struct guest *named = NULL, *tagged = NULL;
    for (size_t k = 0; k < h->nguests; k++) {
        if (!strcmp(h->guests[k].name, arg))
            named = &h->guests[k];
        if (!strcmp(h->guests[k].tag, arg))
            tagged = &h->guests[k];
    }
    if (named && tagged && tagged != named) {
        *why = xasprintf("'%s' is the name of guest '%s' and the tag of guest '%s': ambiguous, "
                         "left alone", arg, named->name, tagged->name);
        return NULL;
    }
    if (named)
        return named;
    if (tagged) {
        *why = xasprintf("'%s' is the tag of guest '%s', not a guest's name: name guests by "
                         "their names", arg, tagged->name);
        return NULL;
    }
    for (size_t k = 0; k < p->nkept; k++) {
        if (strcmp(p->kept[k].name, arg))
            continue;
        if (!boot)
            return &p->kept[k];
        *why = xasprintf("'%s' left the profile (kept running by xen.onremove keep): it is not "
                         "booted again", arg);
        return NULL;
    }
    return NULL;
}

/* One guest (g), or a domain that is none (g NULL, destroy --force), named
 * as name. */
static void plan_one(struct plan *p, const struct managed *rec, const struct dom_index *ix,
                     enum act act, const struct guest *g, const struct hv_domain *d,
                     const char *name)
{
    /* Named twice: done once. */
    for (size_t k = 0; k < p->n; k++)
        if (p->v[k].act != ACT_REFUSED &&
            (g ? p->v[k].g == g : p->v[k].d && d && p->v[k].d->domid == d->domid))
            return;
    if (act == ACT_BOOT)
        plan_up(p, rec, ix, g, false);
    else if (!d || (act == ACT_SHUTDOWN && !alive(d)))
        add(p, d ? ACT_NONE : ACT_NOT_RUNNING, g, d, name);
    else
        add(p, act, g, d, name);
}

void plan_named(const struct host *h, const struct managed *rec, const struct dom_index *ix,
                enum act act, bool force, char *const *names, size_t n, struct plan *p)
{
    add_kept(p, h, rec);
    for (size_t i = 0; i < n; i++) {
        char *why = NULL;
        /* @GROUP: its members, in boot order (model_groups.c). */
        if (names[i][0] == '@') {
            const struct guest **m;
            long nm = host_group_members(h, names[i] + 1, &m, &why);
            if (nm < 0)
                add(p, ACT_REFUSED, NULL, NULL, names[i])->why = why;
            for (long k = 0; k < nm; k++)
                plan_one(p, rec, ix, act, m[k], find_uuid(ix, m[k]->uuid), m[k]->name);
            free(m);
            continue;
        }
        const struct guest *g = resolve(h, p, names[i], act == ACT_BOOT, &why);
        if (why) {
            add(p, ACT_REFUSED, NULL, NULL, names[i])->why = why;
            continue;
        }
        /* A guest's domain is found by its UUID; only destroy --force
         * takes another domain, by its name. */
        const struct hv_domain *d = g ? find_uuid(ix, g->uuid) : find_domain(ix, names[i]);
        if (!g && !(d && force && act == ACT_DESTROY)) {
            why = d ? xasprintf("'%s' (domid %u) is not a guest of this profile: left alone%s",
                                names[i], d->domid,
                                act == ACT_DESTROY ? " (destroy --force to insist)" : "")
                    : xasprintf("no guest '%s' in the saved configuration", names[i]);
            add(p, ACT_REFUSED, NULL, NULL, names[i])->why = why;
            continue;
        }
        plan_one(p, rec, ix, act, g, d, g ? g->name : names[i]);
    }
}

void plan_free(struct plan *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->v[i].why);
    free(p->v);
    free(p->kept);
    *p = (struct plan){ 0 };
}
