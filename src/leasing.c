/* leasing.c: the leases (lease.h) in the methods: taken before a guest
 * boots, released once it has stopped on this host, broken by the admin's
 * unlease. */
#include "methods_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fsutil.h"
#include "lease.h"
#include "log.h"
#include "span.h"
#include "util.h"

/* The lease directory under the root, or NULL when leases are off. */
static char *lease_dir(struct ctx *c, const struct host *h)
{
    const char *d = h->res[HF_leasedir];
    return str_empty(d) ? NULL : root_path(c->o->root, d);
}

/* Does g take a lease: lease_<tag> yes, or auto with a disk on a shared
 * file system? */
static bool needs_lease(struct ctx *c, const struct guest *g)
{
    const char *how = g->res[GF_lease];
    if (!strcmp(how, "yes"))
        return true;
    if (strcmp(how, "auto"))
        return false;
    for (size_t d = 0; d < g->ndisks; d++) {
        const struct disk *dk = &g->disks[d];
        if (dk->type != DISK_IMAGE || !dk->dir)
            continue;
        char *p = root_path(c->o->root, dk->dir);
        bool shared = lease_shared_fs(p);
        free(p);
        if (shared)
            return true;
    }
    return false;
}

static void since(long long t, char *buf, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!t || !gmtime_r(&tt, &tm) || !strftime(buf, n, "%Y-%m-%d %H:%M:%S UTC", &tm))
        snprintf(buf, n, "an unknown time");
}

int lease_before_boot(struct ctx *c, const struct host *h, const struct guest *g)
{
    char *dir = lease_dir(c, h);
    if (!dir || !needs_lease(c, g)) {
        /* Said, not refused: a site without a shared directory still boots
         * its guests, but should know what it goes without. */
        if (!dir && needs_lease(c, g))
            msg_warn("guest '%s': boots without a lease (xen.leasedir is not set), though it "
                     "needs one (lease_%s, or a disk on shared storage): nothing stops another "
                     "host from booting it too", g->name, g->tag);
        free(dir);
        return 0;
    }
    char bootid[64], *err = NULL, when[64];
    lease_bootid(bootid, sizeof(bootid));
    struct lease_holder who;
    int rc = lease_take(dir, g->uuid, g->name, span_self(h), bootid, &who, &err);
    if (rc < 0) {
        msg_error("guest '%s': not booted: its lease cannot be taken: %s", g->name, err);
    } else if (rc > 0) {
        since(who.since, when, sizeof(when));
        msg_error("guest '%s': not booted: host %s holds its lease (%s/%s.lease, since %s); "
                  "if that host is gone, 'om xen unlease %s' breaks it", g->name, who.host,
                  h->res[HF_leasedir], g->uuid, when, g->name);
    }
    free(err);
    free(dir);
    return rc == 0 ? 0 : -1;
}

void lease_running(struct ctx *c, const struct host *h, const struct ident *id)
{
    char *dir = lease_dir(c, h);
    if (!dir || !id->hv) {
        free(dir);
        return;
    }
    char bootid[64], when[64];
    lease_bootid(bootid, sizeof(bootid));
    for (size_t i = 0; i < h->nguests; i++) {
        const struct guest *g = &h->guests[i];
        const struct hv_domain *d = find_uuid(&id->ix, g->uuid);
        if (!d || !alive(d) || id->moved_to[i] || !needs_lease(c, g))
            continue;
        struct lease_holder who;
        char *err = NULL;
        int rc = lease_take(dir, g->uuid, g->name, span_self(h), bootid, &who, &err);
        if (rc < 0) {
            msg_warn("guest '%s': runs here (domid %u), but its lease cannot be taken: %s",
                     g->name, d->domid, err);
        } else if (rc > 0) {
            since(who.since, when, sizeof(when));
            msg_warn("guest '%s': runs here (domid %u), but host %s holds its lease (since %s): "
                     "it came without it (moved by hand?); if %s no longer runs it, "
                     "'om xen unlease %s' lets the next configure take it", g->name, d->domid,
                     who.host, when, who.host, g->name);
        }
        free(err);
    }
    free(dir);
}

void lease_after_stop(struct ctx *c, const struct host *h, const char *name, const char *uuid)
{
    char *dir = lease_dir(c, h), *err = NULL;
    if (dir && lease_release(dir, uuid, span_self(h), &err) < 0)
        msg_warn("guest '%s': its lease cannot be released: %s", name, err);
    free(err);
    free(dir);
}

void lease_release_stopped(struct ctx *c, const struct host *h, struct hv *hv,
                           const struct stopping *st, size_t n)
{
    if (!n || str_empty(h->res[HF_leasedir]))
        return;
    struct hv_domain *doms = NULL;
    size_t m = 0;
    if (hv->ops->list(hv, &doms, &m, NULL) < 0)
        return; /* not known to be gone: the lease stays */
    for (size_t i = 0; i < n; i++) {
        /* A saved guest keeps its lease: start restores it here, and no
         * other host may boot it meanwhile. */
        if (st[i].saved)
            continue;
        const struct hv_domain *d = hv_find_domid(doms, m, st[i].domid);
        if (!d || !alive(d))
            lease_after_stop(c, h, st[i].g->name, st[i].g->uuid);
    }
    free(doms);
}

/* unlease NAME...: break each guest's lease whoever holds it (a host that
 * is gone), refused while the guest runs here. */
int m_unlease(struct ctx *c, const struct margs *a)
{
    struct host *h = load_saved(c, "unlease");
    if (!h)
        return 1;
    char *dir = lease_dir(c, h);
    struct hv *hv = NULL;
    size_t failed = 0;
    if (!dir) {
        msg_fail("unlease: xen.leasedir is not set: there are no leases");
        failed++;
    } else if (!(hv = open_hv(c, h, "unlease"))) {
        failed++;
    }
    for (size_t k = 0; !failed && k < a->nnames; k++) {
        const struct guest *g = NULL;
        for (size_t i = 0; i < h->nguests && !g; i++)
            if (!strcmp(h->guests[i].name, a->names[k]))
                g = &h->guests[i];
        struct hv_domain d;
        struct lease_holder was, now;
        char *err = NULL, when[64];
        int r;
        bool here = g && hv->ops->lookup_uuid(hv, g->uuid, &d, NULL) == 0 && alive(&d);
        if (!g) {
            msg_error("unlease: '%s' is not a guest of the saved configuration", a->names[k]);
            failed++;
        } else if (here && (lease_read(dir, g->uuid, &now, NULL) != 1 ||
                            !strcmp(now.host, span_self(h)))) {
            /* Another host's lease of a guest that runs here (it came
             * without it) may be broken: the next configure takes it. */
            msg_error("unlease: guest '%s' is running here (domid %u): its lease is this host's",
                      g->name, d.domid);
            failed++;
        } else if ((r = lease_break(dir, g->uuid, &was, &err)) < 0) {
            msg_error("unlease: guest '%s': %s", g->name, err);
            failed++;
        } else if (r == 0) {
            msg_info("unlease: guest '%s' has no lease", g->name);
        } else {
            since(was.since, when, sizeof(when));
            msg_info("unlease: guest '%s': the lease host %s held since %s is broken", g->name,
                     was.host, when);
        }
        free(err);
    }
    if (failed && dir && hv)
        msg_fail("unlease: %zu failure%s", failed, failed == 1 ? "" : "s");
    else if (!failed)
        msg_ok("unlease: %zu guest%s", a->nnames, a->nnames == 1 ? "" : "s");
    if (hv)
        hv->ops->close(hv);
    free(dir);
    host_free(h);
    return failed ? 1 : 0;
}

int lease_hand_to(struct ctx *c, const struct host *h, const char *uuid, const char *target,
                  char **err)
{
    char *dir = lease_dir(c, h);
    int rc = dir ? lease_handover(dir, uuid, span_self(h), target, err) : 1;
    free(dir);
    return rc;
}
