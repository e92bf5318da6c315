/* migrate.c: the methods that move guests to other hosts: migrate NAME
 * HOST, and evacuate [HOST...] (every running guest of this host). The
 * moves themselves are move.c's; these pick the guests and the hosts,
 * keep the record, and report. */
#include "methods_impl.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "log.h"
#include "managed.h"
#include "move.h"
#include "util.h"

/* A guest of this host's: of the saved configuration, or one that left
 * it and was kept running (xen.onremove keep). */
struct mguest {
    const char *name, *uuid;
};

/* The guest called name, or false with *why. */
static bool find_guest(const struct host *h, const struct managed *rec, const char *name,
                       struct mguest *g, char **why)
{
    for (size_t i = 0; i < h->nguests; i++)
        if (!strcmp(h->guests[i].name, name)) {
            *g = (struct mguest){ h->guests[i].name, h->guests[i].uuid };
            const struct managed_guest *e = managed_find(rec, g->uuid);
            if (e && e->state == MG_MOVED) {
                *why = xasprintf("'%s' was moved to %s: it runs there, not here", name, e->host);
                return false;
            }
            return true;
        }
    for (size_t i = 0; i < rec->n; i++)
        if (rec->v[i].state == MG_KEPT && !strcmp(rec->v[i].name, name)) {
            *g = (struct mguest){ rec->v[i].name, rec->v[i].uuid };
            return true;
        }
    *why = xasprintf("no guest '%s' in the saved configuration", name);
    return false;
}

/* Move one guest and keep the record. Returns 0 or -1 with *err. */
static int move_one(struct ctx *c, const struct host *h, struct hv *hv, struct managed *rec,
                    const struct mguest *g, const char *to, bool cold, struct move_result *r,
                    char **err)
{
    if (move_guest(c, h, hv, rec, g->name, g->uuid, to, cold, r, err) < 0)
        return -1;
    char *e = NULL;
    if (managed_save(rec, c->o->root, &e) < 0) {
        set_error(err, "moved to %s, but the record of managed guests could not be saved "
                  "(%s): this host's start would boot it again; repair it", to, e);
        free(e);
        return -1;
    }
    if (r->retired)
        msg_info("guest '%s': moved to %s: its config file was retired to %s (its disks are "
                 "kept)", g->name, to, r->retired);
    if (r->warning)
        msg_warn("guest '%s': moved to %s: %s", g->name, to, r->warning);
    return 0;
}

/* What migrate and evacuate need: the saved configuration, the
 * hypervisor, the record. Returns 0, or -1 after saying why. */
struct mctx {
    struct host *h;
    struct hv *hv;
    struct managed rec;
};

static int mctx_open(struct ctx *c, const char *m, struct mctx *x)
{
    *x = (struct mctx){ 0 };
    x->h = load_saved(c, m);
    if (!x->h)
        return -1;
    if (host_xm(x->h)) {
        xm_refuse(m);
        host_free(x->h);
        return -1;
    }
    char *err = NULL;
    if (managed_load(c->o->root, &x->rec, &err) < 0) {
        msg_fail("%s: the record of managed guests is unreadable: %s", m, err);
        free(err);
        host_free(x->h);
        return -1;
    }
    x->hv = open_hv(c, x->h, m);
    if (!x->hv) {
        managed_free(&x->rec);
        host_free(x->h);
        return -1;
    }
    return 0;
}

static void mctx_close(struct mctx *x)
{
    x->hv->ops->close(x->hv);
    managed_free(&x->rec);
    host_free(x->h);
}

int m_migrate(struct ctx *c, const struct margs *a)
{
    if (a->nnames != 2) {
        char *u = method_usage(a->m);
        msg_fail("migrate: name one guest and the host to move it to (usage: %s)", u);
        free(u);
        return 1;
    }
    const char *name = a->names[0], *to = a->names[1];
    if (!check_host_name(to)) {
        msg_fail("migrate %s: '%s' is not a host name (letters, digits, _ . -)", name, to);
        return 1;
    }
    struct mctx x;
    if (mctx_open(c, "migrate", &x) < 0)
        return 1;
    struct mguest g;
    char *err = NULL;
    int rc = 1;
    if (!find_guest(x.h, &x.rec, name, &g, &err)) {
        msg_fail("migrate %s: %s", name, err);
    } else if (c->o->dry_run) {
        struct move_result r;
        if (move_plan(x.h, x.hv, g.uuid, margs_has(a, "--cold"), &r, &err) < 0) {
            msg_fail("migrate %s (dry run): %s", name, err);
        } else {
            msg_ok("migrate %s (dry run): would be moved to %s %s%s%s; nothing changed", name, to,
                   r.live ? "live" : "cold (", r.live ? "" : r.why_cold, r.live ? "" : ")");
            rc = 0;
        }
        move_result_free(&r);
    } else {
        struct move_result r;
        if (move_one(c, x.h, x.hv, &x.rec, &g, to, margs_has(a, "--cold"), &r, &err) < 0) {
            msg_fail("migrate %s: %s", name, err);
        } else {
            char *d = move_describe(to, &r);
            msg_ok("migrate %s: %s", name, d);
            free(d);
            rc = 0;
        }
        move_result_free(&r);
    }
    free(err);
    mctx_close(&x);
    return rc;
}

int m_evacuate(struct ctx *c, const struct margs *a)
{
    struct mctx x;
    if (mctx_open(c, "evacuate", &x) < 0)
        return 1;
    /* The hosts: those named, else xen.evacuateto; guests are shared out
     * in turn, and a guest that one host does not take tries the next. */
    char **to = NULL;
    size_t nto = 0;
    const char *from = "named";
    char *list = xstrdup(x.h->res[HF_evacuateto]);
    if (a->nnames) {
        to = xcalloc(a->nnames, sizeof(*to));
        for (size_t i = 0; i < a->nnames; i++)
            to[nto++] = xstrdup(a->names[i]);
    } else {
        from = "xen.evacuateto";
        to = xcalloc(strlen(list) / 2 + 1, sizeof(*to));
        for (char *s = NULL, *t = strtok_r(list, " \t", &s); t; t = strtok_r(NULL, " \t", &s))
            to[nto++] = xstrdup(t);
    }
    free(list);
    int rc = 1;
    struct hv_domain *doms = NULL;
    size_t ndoms = 0;
    char *err = NULL;
    for (size_t i = 0; i < nto; i++)
        if (!check_host_name(to[i])) {
            msg_fail("evacuate: '%s' is not a host name (letters, digits, _ . -)", to[i]);
            goto out;
        }
    if (!nto) {
        msg_fail("evacuate: no host to move the guests to: name one or more (evacuate HOST...), "
                 "or set xen.evacuateto");
        goto out;
    }
    if (x.hv->ops->list(x.hv, &doms, &ndoms, &err) < 0) {
        msg_fail("evacuate: cannot list the domains: %s", err);
        goto out;
    }
    /* This host's running guests: the profile's, then those kept. */
    struct dom_index ix = dom_index_new(doms, ndoms);
    struct mguest *gs = xcalloc(x.h->nguests + x.rec.n + 1, sizeof(*gs));
    size_t ng = 0;
    for (size_t i = 0; i < x.h->nguests; i++) {
        const struct hv_domain *d = find_uuid(&ix, x.h->guests[i].uuid);
        if (d && alive(d))
            gs[ng++] = (struct mguest){ x.h->guests[i].name, x.h->guests[i].uuid };
    }
    for (size_t i = 0; i < x.rec.n; i++) {
        const struct hv_domain *d = find_uuid(&ix, x.rec.v[i].uuid);
        if (x.rec.v[i].state == MG_KEPT && d && alive(d))
            gs[ng++] = (struct mguest){ x.rec.v[i].name, x.rec.v[i].uuid };
    }
    for (size_t i = 0; i < ndoms; i++) {
        bool ours = doms[i].domid == 0;
        for (size_t k = 0; k < ng && !ours; k++)
            ours = !strcasecmp(gs[k].uuid, doms[i].uuid);
        if (!ours && alive(&doms[i]))
            msg_info("evacuate: domain '%s' (domid %u) is not this component's: left here",
                     doms[i].name, doms[i].domid);
    }
    dom_index_free(&ix);
    struct buf hosts = BUF_INIT;
    for (size_t i = 0; i < nto; i++)
        buf_addf(&hosts, "%s%s", i ? (i + 1 == nto ? " and " : ", ") : "", to[i]);
    if (!ng) {
        msg_ok("evacuate: no guest of this host is running: nothing to move");
        rc = 0;
    } else {
        msg_info("evacuate: %zu running guest%s to %s%s (%s)", ng, ng == 1 ? "" : "s",
                 buf_str(&hosts), nto > 1 ? ", in turn" : "", from);
    }
    size_t moved = 0, live = 0;
    struct buf stayed = BUF_INIT;
    /* A dry run: where each would go first, and how. */
    for (size_t k = 0; c->o->dry_run && k < ng; k++) {
        struct move_result r;
        if (move_plan(x.h, x.hv, gs[k].uuid, false, &r, &err) < 0) {
            msg_warn("evacuate: guest '%s' would not be moved: %s", gs[k].name, err);
            buf_addf(&stayed, "%s%s", stayed.len ? ", " : "", gs[k].name);
        } else {
            msg_info("evacuate: guest '%s' would be moved to %s %s%s%s", gs[k].name,
                     to[k % nto], r.live ? "live" : "cold (", r.live ? "" : r.why_cold,
                     r.live ? "" : ")");
            moved++;
        }
        free(err);
        err = NULL;
        move_result_free(&r);
    }
    if (c->o->dry_run && ng) {
        if (stayed.len)
            msg_fail("evacuate (dry run): %zu of %zu guests would be moved; not: %s; nothing "
                     "changed", moved, ng, buf_str(&stayed));
        else
            msg_ok("evacuate (dry run): %zu guest%s would be moved; nothing changed", ng,
                   ng == 1 ? "" : "s");
        rc = stayed.len ? 1 : 0;
        ng = 0;
    }
    for (size_t k = 0; k < ng; k++) {
        bool done = false;
        for (size_t t = 0; t < nto && !done; t++) {
            const char *host = to[(k + t) % nto];
            struct move_result r;
            if (move_one(c, x.h, x.hv, &x.rec, &gs[k], host, false, &r, &err) == 0) {
                char *d = move_describe(host, &r);
                msg_info("evacuate: guest '%s': %s", gs[k].name, d);
                free(d);
                done = true;
                moved++;
                live += r.live;
            } else {
                msg_error("evacuate: guest '%s': to %s: %s", gs[k].name, host, err);
            }
            free(err);
            err = NULL;
            move_result_free(&r);
            /* Another host only while it runs here: never a guest whose
             * move left it down or its state unknown. */
            struct hv_domain d;
            if (!done && x.hv->ops->lookup_uuid(x.hv, gs[k].uuid, &d, NULL) != 0)
                break;
            if (!done && !alive(&d))
                break;
        }
        if (!done)
            buf_addf(&stayed, "%s%s", stayed.len ? ", " : "", gs[k].name);
    }
    if (c->o->dry_run) {
        /* said above */
    } else if (ng && moved == ng) {
        msg_ok("evacuate: %zu guest%s moved (%zu live, %zu cold); none is left running here", ng,
               ng == 1 ? "" : "s", live, moved - live);
        rc = 0;
    } else if (ng) {
        msg_fail("evacuate: %zu of %zu guests moved (%zu live, %zu cold); not moved: %s", moved,
                 ng, live, moved - live, buf_str(&stayed));
    }
    buf_free(&stayed);
    buf_free(&hosts);
    free(gs);
out:
    free(err);
    free(doms);
    for (size_t i = 0; i < nto; i++)
        free(to[i]);
    free(to);
    mctx_close(&x);
    return rc;
}
