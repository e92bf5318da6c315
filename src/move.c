/* move.c: moving a running guest to another host (move.h).
 *
 * Live when the hypervisor can (decided before trying, from its physinfo
 * capabilities and the domain's type: Xen's live migration runs the
 * guest in log-dirty mode, which for a PV guest needs shadow paging and
 * for an HVM or PVH guest HAP or shadow paging; Debian 12's Xen is built
 * without shadow paging, xen/arch/x86/Kconfig SHADOW_PAGING), else cold:
 * "xl save", the image copied to the same path on the target, "xl
 * restore" there. A failed stage leaves the guest running here: a failed
 * live migration or save resumes it here (xl does), a failed send or
 * restore there restores it here from its image. */
#include "move.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "configs.h"
#include "fsutil.h"
#include "hv.h"
#include "managed.h"
#include "methods_impl.h"
#include "model.h"
#include "util.h"

void move_result_free(struct move_result *r)
{
    free(r->why_cold);
    free(r->retired);
    free(r->warning);
    *r = (struct move_result){ 0 };
}

char *move_describe(const char *to, const struct move_result *r)
{
    const char *where = r->here ? " (this host)" : "";
    if (r->live)
        return xasprintf("moved to %s%s (live): took %.1f s", to, where, r->seconds);
    return xasprintf("moved to %s%s (cold: %s): down %.1f s", to, where, r->why_cold,
                     r->seconds);
}

/* A resource's words as a NULL-terminated argv (NULL when empty). */
static char **words(const char *v)
{
    char *copy = xstrdup(v);
    size_t n = 0;
    char **w = xcalloc(strlen(v) / 2 + 2, sizeof(*w));
    for (char *save = NULL, *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save))
        w[n++] = xstrdup(t);
    free(copy);
    if (!n) {
        free(w);
        return NULL;
    }
    return w;
}

static void words_free(char **w)
{
    for (size_t i = 0; w && w[i]; i++)
        free(w[i]);
    free(w);
}

/* Does the domain of uuid run here? 1 yes, 0 no, -1 unknown (*err). */
static int runs_here(struct hv *hv, const char *uuid, struct hv_domain *d, char **err)
{
    int rc = hv->ops->lookup_uuid(hv, uuid, d, err);
    if (rc < 0)
        return -1;
    return rc == 0 && alive(d);
}

/* After a failed live migration or save: where the guest is, as the tail
 * of the error. */
static char *where_now(struct hv *hv, const char *uuid, const char *to)
{
    struct hv_domain d;
    char *e = NULL;
    int here = runs_here(hv, uuid, &d, &e);
    char *s = here > 0 ? xasprintf("it runs here still (domid %u)", d.domid)
              : here == 0 ? xasprintf("it is no longer running here: look for it on %s", to)
                          : xasprintf("whether it runs here is not known: %s", e);
    free(e);
    return s;
}

/* Room for an image of d in dir (under the root)? NULL, or why not. */
static char *room_for(const char *rdir, const char *dir, const struct hv_domain *d)
{
    struct statvfs sv;
    if (statvfs(rdir, &sv) < 0)
        return xasprintf("cannot tell the free space in %s: %s", dir, strerror(errno));
    unsigned long long avail = (unsigned long long)sv.f_bavail * sv.f_frsize;
    /* The image holds the guest's memory, and a little of xl's own (its
     * config and the device state). */
    unsigned long long need = d->mem_kb * 1024ULL + (4ULL << 20);
    if (avail >= need)
        return NULL;
    return xasprintf("not enough space in %s for its save image: %llu MB free, %llu MB needed",
                     dir, avail >> 20, (need + (1ULL << 20) - 1) >> 20);
}

/* Retire name's config file as a guest that left the profile has it
 * retired (configs.h); its disks are kept. Returns its new place or NULL;
 * a failure is a warning in *warn. */
static char *retire_config(struct ctx *c, const struct host *h, const char *name, char **warn)
{
    struct host bare = *h; /* no guest: configs_plan_retire retires any name */
    bare.nguests = 0;
    struct cfg_plan plan = { 0 };
    configs_plan_retire(&bare, name, c->o->root, (long long)time(NULL), &plan);
    char *dest = NULL;
    if (plan.n && configs_apply(&plan, c->o->root) == 0)
        dest = xstrdup(plan.v[0].dest);
    else if (plan.n)
        *warn = xasprintf("its config file %s was not retired: %s", plan.v[0].path,
                          plan.v[0].err);
    configs_plan_free(&plan);
    return dest;
}

/* The cold move proper, from the save on. Returns 0 or -1 with *err. */
static int cold_move(struct ctx *c, const struct host *h, struct hv *hv, const struct hv_domain *d,
                     const struct hv_peer *peer, const char *name, struct move_result *r,
                     char **err)
{
    const char *dir = h->res[HF_movedir];
    char *rdir = root_path(c->o->root, dir), *e = NULL;
    char *path = xasprintf("%s/%s.move", dir, name), *rpath = root_path(c->o->root, path);
    int rc = -1;
    if (fs_mkdir_p(rdir, 0700, &e) < 0) {
        set_error(err, "save failed: %s; it runs here still (domid %u)", e, d->domid);
        goto out;
    }
    char *why = room_for(rdir, dir, d);
    if (why) {
        set_error(err, "save refused: %s; it runs here still (domid %u)", why, d->domid);
        free(why);
        goto out;
    }
    if (access(rpath, F_OK) == 0) {
        set_error(err, "save refused: %s is there already (a move that did not finish? "
                  "restore it or move it away); it runs here still (domid %u)", path, d->domid);
        goto out;
    }
    double t0 = mono_seconds();
    if (hv->ops->save(hv, d->domid, path, rpath, &e) < 0) {
        char *where = where_now(hv, d->uuid, peer->host);
        set_error(err, "save failed: %s; %s", e, where);
        free(where);
        goto out;
    }
    const char *stage = "send";
    bool sent = false;
    bool copy = peer->copy && peer->copy[0];
    if (copy && hv->ops->send(hv, path, rpath, peer, &e) < 0)
        goto restore_here;
    sent = true;
    stage = "restore";
    if (hv->ops->restore_at(hv, peer, path, &e) < 0)
        goto restore_here;
    r->seconds = mono_seconds() - t0;
    /* The local image, now that the guest runs there (a move to this
     * host restored from this very file: it goes too). */
    (void)unlink(rpath);
    rc = 0;
    goto out;

restore_here: {
        char *s = !strcmp(stage, "send") ? xasprintf("send to %s failed: %s", peer->host, e)
                                         : xasprintf("restore on %s failed: %s", peer->host, e);
        free(e);
        e = NULL;
        struct hv_made made = { 0 };
        if (hv->ops->restore(hv, path, rpath, &made, &e) < 0) {
            set_error(err, "%s; restoring it here failed too: %s; its save image is kept in %s",
                      s, e, path);
        } else {
            r->seconds = mono_seconds() - t0;
            (void)unlink(rpath);
            set_error(err, "%s; restored here (domid %u, down %.1f s)%s", s, made.domid,
                      r->seconds,
                      sent ? "; the image copied there is left for its owner to remove" : "");
        }
        free(s);
    }
out:
    free(e);
    free(path);
    free(rpath);
    free(rdir);
    return rc;
}

/* Is the guest's domain here, and would it go live or cold? 0 with
 * *d, r->live or r->why_cold; -1 with *err. */
static int decide(const struct host *h, struct hv *hv, const char *uuid, bool cold,
                  struct hv_domain *d, struct move_result *r, char **err)
{
    *r = (struct move_result){ 0 };
    char *e = NULL;
    int here = runs_here(hv, uuid, d, &e);
    if (here <= 0) {
        if (here < 0)
            set_error(err, "cannot look for its domain: %s", e);
        else
            set_error(err, "it is not running here: nothing to move");
        free(e);
        return -1;
    }
    const char *policy = h->res[HF_coldmove];
    unsigned caps = 0;
    const char *refusal = NULL;
    if (!strcmp(policy, "always")) {
        r->why_cold = xstrdup("xen.coldmove always");
    } else if (cold) {
        if (!strcmp(policy, "never")) {
            set_error(err, "a cold move was asked for (--cold), but cold moves are off "
                      "(xen.coldmove never); it runs here still (domid %u)", d->domid);
            return -1;
        }
        r->why_cold = xstrdup("asked (--cold)");
    } else if (hv->ops->caps(hv, &caps, &e) < 0) {
        set_error(err, "live migration: cannot tell what this hypervisor can do: %s; it runs "
                  "here still (domid %u)", e, d->domid);
        free(e);
        return -1;
    } else if ((refusal = hv_cannot_live_migrate(caps, d->hvm))) {
        if (!strcmp(policy, "never")) {
            set_error(err, "live migration refused: %s, and cold moves are off (xen.coldmove "
                      "never); it runs here still (domid %u)", refusal, d->domid);
            return -1;
        }
        r->why_cold = xstrdup(refusal);
    }
    r->live = !r->why_cold;
    return 0;
}

int move_plan(const struct host *h, struct hv *hv, const char *uuid, bool cold,
              struct move_result *r, char **err)
{
    struct hv_domain d;
    return decide(h, hv, uuid, cold, &d, r, err);
}

int move_guest(struct ctx *c, const struct host *h, struct hv *hv, struct managed *rec,
               const char *name, const char *uuid, const char *to, bool cold,
               struct move_result *r, char **err)
{
    struct hv_domain d;
    char *e = NULL;
    *r = (struct move_result){ 0 };
    if (!check_host_name(to)) {
        set_error(err, "'%s' is not a host name (letters, digits, _ . -)", to);
        return -1;
    }
    if (decide(h, hv, uuid, cold, &d, r, err) < 0)
        return -1;
    unsigned long long secs = 0;
    (void)parse_u64(h->res[HF_migratetimeout], &secs);
    char **remote = words(h->res[HF_migrateremote]), **copyv = words(h->res[HF_migratecopy]);
    struct hv_peer peer = { .host = to,
                            .remote = (const char *const *)remote,
                            .copy = (const char *const *)copyv,
                            .timeout_ms = (unsigned)(secs ? secs : 600) * 1000 };
    int rc = -1;
    if (r->why_cold) {
        if (cold_move(c, h, hv, &d, &peer, name, r, err) < 0)
            goto out;
    } else {
        double t0 = mono_seconds();
        if (hv->ops->migrate(hv, d.domid, &peer, &e) < 0) {
            char *where = where_now(hv, uuid, to);
            set_error(err, "live migration to %s failed: %s; %s", to, e, where);
            free(where);
            goto out;
        }
        r->seconds = mono_seconds() - t0;
    }
    rc = 0;
    /* Moved to this host itself (localhost, or its own name): it is
     * still this host's guest, nothing to record or retire. */
    struct hv_domain now;
    free(e);
    e = NULL;
    r->here = runs_here(hv, uuid, &now, &e) > 0;
    if (r->here)
        goto out;
    managed_set_moved(rec, uuid, name, to);
    /* The move is done: a file not retired is a warning, not a failure. */
    r->retired = retire_config(c, h, name, &r->warning);
    /* Its lease goes with it: the target is now the host that may run it
     * (and boot it again), this one no longer. */
    char *lw = NULL;
    if (lease_hand_to(c, h, uuid, to, &lw) < 0) {
        char *w = xasprintf("%s%sits lease was not handed over to %s: %s",
                            r->warning ? r->warning : "", r->warning ? "; " : "", to, lw);
        free(r->warning);
        r->warning = w;
    }
    free(lw);
out:
    free(e);
    words_free(remote);
    words_free(copyv);
    return rc;
}
