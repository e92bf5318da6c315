/* identity.c: who each guest is, for configure. A guest is its UUID: the
 * record of managed guests (managed.h) and the previous configuration say
 * what each UUID was called, so a new name is a rename, not a new guest
 * beside an old one that is gone; a UUID that is no longer in the profile
 * is a guest that left it, whose domain stays the component's business
 * (xen.onremove). A guest held back (a disk refused, or its data not where
 * its new name says) keeps its previous config file and is not booted,
 * and no other guest waits for it. */
#include "methods_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disks.h"
#include "fsutil.h"
#include "log.h"
#include "managed.h"
#include "move.h"
#include "span.h"
#include "util.h"

static int cmp_guest_uuid(const void *a, const void *b)
{
    return strcasecmp((*(const struct guest *const *)a)->uuid,
                      (*(const struct guest *const *)b)->uuid);
}

/* A host's guests by UUID (any case): a guest is found by what it is in
 * a binary search, not a walk of every guest (hosts have hundreds). */
static struct guest_index guest_index_new(const struct host *h)
{
    struct guest_index ix = { NULL, h ? h->nguests : 0 };
    ix.v = xcalloc(ix.n ? ix.n : 1, sizeof(*ix.v));
    for (size_t i = 0; i < ix.n; i++)
        ix.v[i] = &h->guests[i];
    qsort(ix.v, ix.n, sizeof(*ix.v), cmp_guest_uuid);
    return ix;
}

static const struct guest *guest_index_find(const struct guest_index *ix, const char *uuid)
{
    size_t lo = 0, hi = ix->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcasecmp(ix->v[mid]->uuid, uuid);
        if (c == 0)
            return ix->v[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const struct guest *prev_guest(const struct ident *id, const struct guest *g)
{
    return guest_index_find(&id->prev_ix, g->uuid);
}

static bool in_profile(const struct ident *id, const char *uuid)
{
    return guest_index_find(&id->cur_ix, uuid) != NULL;
}

static void add_gone(struct ident *id, const char *uuid, const char *name)
{
    id->gone = xrealloc(id->gone, (id->ngone + 1) * sizeof(*id->gone));
    id->gone[id->ngone] = (struct gone){ .name = xstrdup(name) };
    uuid_lower(uuid, id->gone[id->ngone].uuid);
    id->ngone++;
}

/* Guests that moved: here without a record of them (adopted: moved here
 * from another host, or back; never booted a second time, their disks
 * never made while they run), or recorded as moved away (they run on
 * another host). A guest is its UUID: the domain that arrives by
 * migration keeps it. */
static void find_moves(const struct host *h, struct ident *id)
{
    size_t n = h->nguests ? h->nguests : 1;
    id->adopted = xcalloc(n, sizeof(*id->adopted));
    id->moved_to = xcalloc(n, sizeof(*id->moved_to));
    for (size_t i = 0; i < h->nguests; i++) {
        const struct guest *g = &h->guests[i];
        const struct managed_guest *e = managed_find(&id->rec, g->uuid);
        const struct hv_domain *d = id->hv ? find_uuid(&id->ix, g->uuid) : NULL;
        bool here = d && alive(d);
        if (here && (!e || e->state == MG_MOVED || e->state == MG_GONE))
            id->adopted[i] = d;
        else if (!here && e && e->state == MG_MOVED)
            id->moved_to[i] = e->host;
    }
}

void ident_report_moves(struct ctx *c, const struct host *h, const struct ident *id, bool dry)
{
    for (size_t i = 0; i < h->nguests; i++) {
        const struct guest *g = &h->guests[i];
        /* A cold move's image copied here (move.c) held the guest that
         * now runs here: it has served (and it holds the guest's memory). */
        if (id->adopted[i] && !id->held[i] && !dry) {
            char *img = xasprintf("%s/%s.move", h->res[HF_movedir], id->adopted[i]->name);
            char *rimg = root_path(c->o->root, img);
            struct stat st;
            if (lstat(rimg, &st) == 0 && S_ISREG(st.st_mode)) {
                if (unlink(rimg) == 0)
                    msg_info("guest '%s': the image its move left here, %s, was removed",
                             g->name, img);
                else
                    msg_warn("guest '%s': cannot remove the image its move left here, %s: %s",
                             g->name, img, strerror(errno));
            }
            free(rimg);
            free(img);
        }
        if (id->adopted[i] && id->held[i])
            msg_warn("guest '%s': its domain (domid %u) runs here, arrived from another host, "
                     "but is held back (above): it is adopted once its disks are here",
                     g->name, id->adopted[i]->domid);
        else if (id->adopted[i])
            msg_info("guest '%s': adopt: its domain (domid %u) runs here, arrived from another "
                     "host: %s this host's (not booted again; no disk made for it)", g->name,
                     id->adopted[i]->domid, dry ? "it would be" : "now");
        else if (id->moved_to[i])
            msg_info("guest '%s': moved to %s by a migration: neither configured nor booted "
                     "here (its disks are kept)", g->name, id->moved_to[i]);
    }
}

int ident_observe(struct ctx *c, const struct host *h, const struct host *prev, struct ident *id)
{
    memset(id, 0, sizeof(*id));
    char *err = NULL;
    if (managed_load(c->o->root, &id->rec, &err) < 0) {
        msg_fail("configure: the record of managed guests is unreadable: %s (it says which "
                 "domains are the component's: repair or remove it); nothing changed", err);
        free(err);
        return -1;
    }
    id->cur_ix = guest_index_new(h);
    id->prev_ix = guest_index_new(prev);
    id->renamed_from = xcalloc(h->nguests ? h->nguests : 1, sizeof(*id->renamed_from));
    id->held = xcalloc(h->nguests ? h->nguests : 1, sizeof(*id->held));
    id->rename_pending = xcalloc(h->nguests ? h->nguests : 1, sizeof(*id->rename_pending));
    for (size_t i = 0; i < h->nguests; i++) {
        const struct guest *g = &h->guests[i];
        const struct managed_guest *e = managed_find(&id->rec, g->uuid);
        const struct guest *pg = prev_guest(id, g);
        const char *was = e ? e->name : pg ? pg->name : NULL;
        if (was && strcmp(was, g->name))
            id->renamed_from[i] = xstrdup(was);
    }
    /* Guests that left the profile: in the record, or (a record older
     * than this component's) in the saved configuration. */
    for (size_t i = 0; i < id->rec.n; i++)
        if (id->rec.v[i].state != MG_GONE && !in_profile(id, id->rec.v[i].uuid))
            add_gone(id, id->rec.v[i].uuid, id->rec.v[i].name);
    for (size_t i = 0; prev && i < prev->nguests; i++) {
        const struct guest *pg = &prev->guests[i];
        if (in_profile(id, pg->uuid) || managed_find(&id->rec, pg->uuid))
            continue;
        add_gone(id, pg->uuid, pg->name);
    }

    /* The domains, where there is a hypervisor to ask: never create the
     * simulator's state as a side effect of configuring a plain host; and
     * never on an xm host, which the component does not drive. */
    if (!host_xm(h) && hv_reachable(c)) {
        struct hv_xl xl = xl_of(h);
        /* A dry run only looks: the simulator then writes no file. */
        if (hv_open_flags(c->o->hypervisor, c->o->root, &xl,
                          c->o->dry_run ? HV_OPEN_READONLY : 0, &id->hv, &err) < 0 ||
            id->hv->ops->list(id->hv, &id->doms, &id->ndoms, &err) < 0) {
            msg_warn("configure: running guests not examined: %s", err);
            free(err);
            if (id->hv)
                id->hv->ops->close(id->hv);
            id->hv = NULL;
        }
    }
    id->ix = dom_index_new(id->doms, id->ndoms);
    find_moves(h, id);
    return 0;
}

void ident_free(struct ident *id, const struct host *h)
{
    for (size_t i = 0; h && i < h->nguests; i++) {
        free(id->renamed_from ? (char *)id->renamed_from[i] : NULL);
        free(id->held_why ? id->held_why[i] : NULL);
    }
    free(id->renamed_from);
    free(id->cur_ix.v);
    free(id->prev_ix.v);
    free(id->held);
    free(id->rename_pending);
    free(id->adopted);
    free(id->moved_to);
    free(id->held_why);
    for (size_t i = 0; i < id->ngone; i++)
        free(id->gone[i].name);
    free(id->gone);
    dom_index_free(&id->ix);
    free(id->doms);
    if (id->hv)
        id->hv->ops->close(id->hv);
    managed_free(&id->rec);
}

static void hold(struct ident *id, const struct host *h, size_t i, const char *why)
{
    if (!id->held_why)
        id->held_why = xcalloc(h->nguests ? h->nguests : 1, sizeof(*id->held_why));
    if (!id->held[i])
        id->held_why[i] = xstrdup(why);
    id->held[i] = true;
}

/* The host path disk k of g had under the name old, when its file (or
 * volume) is named after the guest; NULL when it is not. */
static char *path_under_name(const struct guest *g, size_t k, const char *old)
{
    const struct disk *d = &g->disks[k];
    /* The seed's first disk is NAME, its second NAME-2 (unless disknamesec
     * names it), a list item's NAME-ITEM (unless dname does). */
    char *base = NULL;
    if (d->seed == 1)
        base = xstrdup(old);
    else if (d->seed == 2 && str_empty(g->res[GF_disknamesec]))
        base = xasprintf("%s-2", old);
    else if (!d->seed && str_empty(model_item_value(g, SL_disks, d->item, IF_dname)))
        base = xasprintf("%s-%s", old, d->item);
    if (!base || (d->type != DISK_IMAGE && d->type != DISK_LVM)) {
        free(base);
        return NULL;
    }
    char *p;
    if (d->type == DISK_LVM) {
        p = xasprintf("/dev/%s/%s", d->vg, base);
    } else {
        size_t dl = strlen(d->dir);
        p = xasprintf("%s%s%s.img", d->dir, dl && d->dir[dl - 1] == '/' ? "" : "/", base);
    }
    free(base);
    return p;
}

/* What lstat says of root + path. */
static struct seen see(const char *root, const char *path)
{
    struct seen v = { 0 };
    char *r = root_path(root, path);
    struct stat st;
    if (lstat(r, &st) == 0)
        v = (struct seen){ true, S_ISREG(st.st_mode), st.st_dev, st.st_ino };
    free(r);
    return v;
}

size_t ident_rename_disks(struct ctx *c, const struct host *h, struct ident *id, bool dry)
{
    size_t failed = 0;
    for (size_t i = 0; i < h->nguests; i++) {
        const char *old = id->renamed_from[i];
        if (!old)
            continue;
        const struct guest *g = &h->guests[i];
        const struct hv_domain *d = find_uuid(&id->ix, g->uuid);
        /* All of its disks follow its name, or none does: a disk moved
         * while another is held would leave the record's old name
         * pointing at nothing under it, and the next run would make a
         * blank disk in its place. */
        char **froms = xcalloc(g->ndisks + 1, sizeof(*froms));
        enum disk_follow *f = xcalloc(g->ndisks + 1, sizeof(*f));
        bool holding = false;
        for (size_t k = 0; k < g->ndisks; k++) {
            f[k] = DF_NOTHING;
            froms[k] = path_under_name(g, k, old);
            if (!froms[k])
                continue;
            struct seen sf = see(c->o->root, froms[k]), st = see(c->o->root, g->disks[k].path);
            f[k] = plan_disk_follow(g->disks[k].type, d && alive(d), &sf, &st);
            holding = holding || (f[k] != DF_NOTHING && f[k] != DF_MOVE);
        }
        for (size_t k = 0; k < g->ndisks; k++) {
            char *from = froms[k];
            if (!from)
                continue;
            const char *to = g->disks[k].path;
            char *why = NULL;
            switch (holding && f[k] == DF_MOVE ? DF_NOTHING : f[k]) {
            case DF_NOTHING:
                break;
            case DF_HOLD_TAKEN:
                why = xasprintf("disk %s: renamed from '%s', whose disk %s holds its data, but %s "
                                "exists already: neither is used (move one away)", to, old, from,
                                to);
                break;
            case DF_HOLD_VOLUME:
                why = xasprintf("disk %s: renamed from '%s', whose volume %s holds its data: "
                                "rename it (lvrename) or name it with %s; no new volume "
                                "is made", to, old, from,
                                g->disks[k].seed ? "disknamesec" : "dname");
                break;
            case DF_HOLD_NOT_FILE:
                why = xasprintf("disk %s: renamed from '%s', but %s is not a regular file: nothing "
                                "is renamed or made", to, old, from);
                break;
            case DF_HOLD_RUNNING:
                why = xasprintf("disk %s: renamed from '%s' while running: its data stays in %s "
                                "until it is down, then configure renames it", to, old, from);
                break;
            case DF_MOVE: {
                char *rfrom = root_path(c->o->root, from), *rto = root_path(c->o->root, to);
                if (dry) {
                    msg_info("guest '%s': renamed from '%s': disk %s would be renamed to %s",
                             g->name, old, from, to);
                } else if (renameat2(AT_FDCWD, rfrom, AT_FDCWD, rto, RENAME_NOREPLACE) < 0 ||
                           fs_fsync_dir_of(rto) < 0) {
                    msg_error("guest '%s': renamed from '%s': cannot rename disk %s to %s: %s",
                              g->name, old, from, to, strerror(errno));
                    why = xasprintf("disk %s: its data is still in %s", to, from);
                    failed++;
                } else {
                    msg_info("guest '%s': renamed from '%s': disk %s renamed to %s", g->name, old,
                             from, to);
                }
                free(rfrom);
                free(rto);
                break;
            }
            }
            if (why) {
                hold(id, h, i, why);
                /* The record keeps the old name until its disks carry the
                 * new one: the next run finds the rename again. */
                id->rename_pending[i] = true;
                free(why);
            }
            free(from);
        }
        free(froms);
        free(f);
    }
    return failed;
}

void ident_hold_disks(const struct host *h, struct disk_plan *dp, const struct ident *id)
{
    for (size_t j = 0; j < dp->n; j++) {
        struct disk_item *it = &dp->v[j];
        size_t i = (size_t)(it->g - h->guests);
        if (it->action != DK_CREATE)
            continue;
        /* A guest that arrived running uses its disk where its old host
         * had it: a blank disk made here would not be its data. */
        if (id->adopted[i])
            it->note = xasprintf("not created: the guest's domain (domid %u) arrived running "
                                 "from another host and this disk is not here (make its "
                                 "storage reachable here); nothing is made while it runs",
                                 id->adopted[i]->domid);
        else if (id->moved_to[i])
            it->note = xasprintf("not created: the guest was moved to %s", id->moved_to[i]);
        else if (id->held[i])
            it->note = xstrdup("not created: its guest is held back (below)");
        else
            continue;
        it->action = DK_REFUSED;
    }
}

void ident_hold_refused(const struct host *h, const struct disk_plan *dp, struct ident *id)
{
    /* The disk plan knows each guest's first refused disk; a create that
     * failed is known only after it was tried. */
    for (size_t i = 0; i < h->nguests; i++) {
        const struct disk_item *r = disks_guest_refused(dp, i);
        if (!r || id->moved_to[i]) /* a moved guest is not booted here anyway */
            continue;
        char *why = xasprintf("disk %s refused", r->d->path);
        hold(id, h, i, why);
        free(why);
    }
    /* A disk not made for a guest that arrived running (ident_hold_disks). */
    for (size_t j = 0; j < dp->n; j++) {
        const struct disk_item *it = &dp->v[j];
        size_t i = (size_t)(it->g - h->guests);
        if (it->action == DK_REFUSED && id->adopted[i]) {
            char *why = xasprintf("disk %s refused", it->d->path);
            hold(id, h, i, why);
            free(why);
        }
    }
    for (size_t j = 0; j < dp->n; j++) {
        const struct disk_item *it = &dp->v[j];
        if (!it->failed)
            continue;
        char *why = xasprintf("disk %s failed", it->d->path);
        hold(id, h, (size_t)(it->g - h->guests), why);
        free(why);
    }
}

size_t ident_hold_configs(const struct host *h, struct cfg_plan *plan, const struct ident *id)
{
    size_t n = 0;
    for (size_t j = 0; j < plan->n; j++) {
        struct cfg_item *it = &plan->v[j];
        if ((it->action == CFG_CREATE || it->action == CFG_UPDATE) &&
            (id->held[it->index] || id->moved_to[it->index])) {
            it->action = CFG_HELD;
            n++;
        }
    }
    (void)h;
    return n;
}

size_t ident_rename_domains(const struct host *h, struct ident *id, bool dry)
{
    size_t failed = 0;
    for (size_t i = 0; id->hv && i < h->nguests; i++) {
        const struct guest *g = &h->guests[i];
        const struct hv_domain *d = find_uuid(&id->ix, g->uuid);
        if (!d || !alive(d) || !strcmp(d->name, g->name))
            continue;
        const struct hv_domain *other = find_domain(&id->ix, g->name);
        char *err = NULL;
        if (other) {
            msg_error("guest '%s': its domain (domid %u) is called '%s' and cannot be renamed: "
                      "domain %u, not this guest's (UUID %s), has the name", g->name, d->domid,
                      d->name, other->domid, other->uuid);
            failed++;
        } else if (dry) {
            msg_info("guest '%s': its domain '%s' (domid %u) would be renamed", g->name, d->name,
                     d->domid);
        } else if (!id->hv->ops->rename) {
            msg_warn("guest '%s': its domain '%s' (domid %u) keeps its name until it restarts "
                     "(this hypervisor backend cannot rename)", g->name, d->name, d->domid);
        } else if (id->hv->ops->rename(id->hv, d->domid, g->name, &err) < 0) {
            msg_error("guest '%s': cannot rename its domain '%s' (domid %u): %s", g->name, d->name,
                      d->domid, err);
            failed++;
        } else {
            msg_info("guest '%s': its domain '%s' (domid %u) renamed", g->name, d->name, d->domid);
        }
        free(err);
    }
    return failed;
}

/* xen.onmove migrate: gone guest i, running here, is in host to's
 * profile now: moved there (move.h), its lease handed over. A failed
 * move leaves it running here, still this host's (kept), and the next
 * configure tries again. */
static void move_gone(struct ctx *c, const struct host *h, struct ident *id, size_t i,
                      const char *to, bool dry, size_t *failed)
{
    const char *name = id->gone[i].name, *uuid = id->gone[i].uuid;
    struct move_result r;
    char *err = NULL;
    if (dry) {
        if (move_plan(h, id->hv, uuid, false, &r, &err) < 0)
            msg_warn("guest '%s': left the profile; the spanning map shows it on host %s: it "
                     "would not be moved (xen.onmove migrate): %s", name, to, err);
        else
            msg_info("guest '%s': left the profile; the spanning map shows it on host %s: it "
                     "would be moved there %s%s%s (xen.onmove migrate)", name, to,
                     r.live ? "live" : "cold (", r.live ? "" : r.why_cold, r.live ? "" : ")");
    } else if (move_guest(c, h, id->hv, &id->rec, name, uuid, to, false, &r, &err) < 0) {
        msg_error("guest '%s': left the profile; the spanning map shows it on host %s, but it "
                  "could not be moved there (xen.onmove migrate): %s", name, to, err);
        (*failed)++;
    } else {
        char *how = move_describe(to, &r);
        msg_info("guest '%s': left the profile; the spanning map shows it on host %s: %s "
                 "(xen.onmove migrate)", name, to, how);
        free(how);
        if (!r.here)
            id->gone[i].running = false;
        if (r.warning)
            msg_warn("guest '%s': moved to %s: %s", name, to, r.warning);
    }
    free(err);
    move_result_free(&r);
}

size_t ident_gone(struct ctx *c, const struct host *h, struct ident *id, bool dry)
{
    if (!id->ngone)
        return 0;
    bool keep = !strcmp(h->res[HF_onremove], "keep");
    struct guest *gs = xcalloc(id->ngone, sizeof(*gs));
    struct stopping *st = xcalloc(id->ngone, sizeof(*st));
    size_t nst = 0, failed = 0;
    for (size_t i = 0; i < id->ngone; i++) {
        const struct hv_domain *d = id->hv ? find_uuid(&id->ix, id->gone[i].uuid) : NULL;
        id->gone[i].running = d && alive(d);
        if (!id->gone[i].running) {
            /* Not running here: its lease, if this host's, is free for
             * the host it went to. */
            if (!dry)
                lease_after_stop(c, h, id->gone[i].name, id->gone[i].uuid);
            continue;
        }
        /* xen.onmove: the spanning map shows the guest on another host. */
        const char *to = span_moved_to(h, id->gone[i].uuid);
        if (to && !strcmp(h->res[HF_onmove], "migrate")) {
            move_gone(c, h, id, i, to, dry, &failed);
            continue;
        }
        if (to)
            msg_info("guest '%s': the spanning map shows it on host %s now (xen.onmove shutdown)",
                     id->gone[i].name, to);
        if (keep) {
            msg_info("guest '%s': left the profile: its domain (domid %u) is kept running "
                     "(xen.onremove keep); stop shuts it down", id->gone[i].name, d->domid);
        } else if (dry) {
            msg_info("guest '%s': left the profile: its domain (domid %u) would be shut down "
                     "(xen.onremove shutdown)", id->gone[i].name, d->domid);
        } else {
            msg_info("guest '%s': left the profile: shutting its domain (domid %u) down "
                     "(xen.onremove shutdown)", id->gone[i].name, d->domid);
            gs[nst].name = id->gone[i].name;
            gs[nst].uuid = id->gone[i].uuid;
            gs[nst].shutdown_timeout = h->shutdown_timeout;
            st[nst].g = &gs[nst];
            st[nst].domid = d->domid;
            nst++;
        }
    }
    if (nst) {
        failed = stop_guests(id->hv, st, nst);
        /* Those that did not go are still running, and still ours. */
        struct hv_domain *doms = NULL;
        size_t n = 0;
        if (id->hv->ops->list(id->hv, &doms, &n, NULL) == 0) {
            for (size_t i = 0; i < id->ngone; i++)
                if (id->gone[i].running)
                    for (size_t k = 0; k < n; k++)
                        if (!strcmp(doms[k].uuid, id->gone[i].uuid) && alive(&doms[k]))
                            id->gone[i].still = true;
            free(doms);
        } else {
            /* Not known to be gone: still the component's. */
            for (size_t i = 0; i < id->ngone; i++)
                id->gone[i].still = id->gone[i].running;
        }
    }
    for (size_t i = 0; i < id->ngone; i++)
        if (keep || nst == 0)
            id->gone[i].still = id->gone[i].running;
    /* Those shut down here give their leases up (another host may have
     * them now). */
    for (size_t i = 0; i < nst; i++) {
        size_t k = 0;
        while (k < id->ngone && strcmp(id->gone[k].uuid, gs[i].uuid))
            k++;
        if (k < id->ngone && !id->gone[k].still)
            lease_after_stop(c, h, gs[i].name, gs[i].uuid);
    }
    free(st);
    free(gs);
    return failed;
}

size_t ident_record(struct ctx *c, const struct host *h, struct ident *id)
{
    /* A guest whose disks still carry its old name keeps that name here,
     * so that the next run finds the rename again and finishes it. */
    for (size_t i = 0; i < h->nguests; i++) {
        const char *name = id->rename_pending[i] ? id->renamed_from[i] : h->guests[i].name;
        /* One that arrived but is held is adopted later, when its disks
         * are here: till then no record says its disks may be made. */
        if (id->adopted[i] && id->held[i])
            continue;
        if (id->moved_to[i])
            managed_set_moved(&id->rec, h->guests[i].uuid, name, id->moved_to[i]);
        else
            managed_set(&id->rec, h->guests[i].uuid, name, id->held[i] ? MG_HELD : MG_PROFILE);
    }
    for (size_t i = 0; i < id->ngone; i++) {
        managed_set(&id->rec, id->gone[i].uuid, id->gone[i].name,
                    id->gone[i].still ? MG_KEPT : MG_GONE);
    }
    char *err = NULL;
    int rc = managed_save(&id->rec, c->o->root, &err);
    if (rc < 0)
        msg_error("configure: cannot save the record of managed guests: %s", err);
    free(err);
    return rc < 0;
}
