/* install.c: installing a guest's OS on its first boot (install_<tag>,
 * install.h for the record and the rule of which disks are installed).
 *
 * As the component's origin built a guest ("create the configuration
 * file on the host, then build the guest using PIE"), and as xen-tools'
 * xen-create-image and Ganeti's OS definitions do, the first boot of a
 * guest whose disks are new runs an installer instead of the guest's own
 * config: a second config, <configdir>/install/<name>.cfg, rendered from
 * the same template with the installer as kernel (pv, pvh), a network
 * boot (hvm, pxe) or the ISO of cdpath (hvm, cdrom), and on_poweroff,
 * on_reboot and on_crash "preserve": the domain stays, shut down with its
 * reason, until the component reads how it ended. A clean power-off or
 * reboot is a finished install; a crash, a destroy or xen.installtimeout
 * is a failure, reported and not retried but by boot NAME. */
#include "methods_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "install.h"
#include "log.h"
#include "render.h"
#include "util.h"

struct installs {
    struct ctx *c;
    const struct host *h;
    struct inst_record rec;
    bool *due;       /* per guest: pending or failed, and its disks are all new */
    char **why_not;  /* per guest with install set and not due: why */
    bool *booting;   /* per guest: booted for its install by this run */
    bool *finished;  /* per guest: its install was found finished by this run */
};

/* "2026-12-03 10:20:30 UTC" (times are UTC, as in the disk record). */
static void when_text(long long t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%d %H:%M:%S UTC", &tm))
        snprintf(out, 32, "%lld", t);
}

static char *installer_text(const struct guest *g)
{
    switch (g->install) {
    case INSTALL_KERNEL:
        return str_empty(g->install_ramdisk)
                   ? xasprintf("install kernel %s", g->install_kernel)
                   : xasprintf("install kernel %s, ramdisk %s", g->install_kernel,
                               g->install_ramdisk);
    case INSTALL_PXE:
        return xstrdup("install by network boot (pxe)");
    case INSTALL_CDROM:
        return xasprintf("install from cdrom %s", g->res[GF_cdpath]);
    case INSTALL_NONE:
        break;
    }
    return xstrdup("no install");
}

/* ------------------------------------------------------------ configure */

int install_mark(struct ctx *c, const struct host *h, const struct disk_plan *dp, long long now,
                 bool dry)
{
    struct inst_record rec;
    char *err = NULL;
    bool *old = xcalloc(h->nguests + 1, sizeof(*old));
    size_t n = 0;
    /* gets: a new disk; old: an existing one too (a refused one is
     * judged at boot, by its record). */
    bool *gets = xcalloc(h->nguests + 1, sizeof(*gets));
    for (size_t i = 0; i < dp->n; i++) {
        const struct disk_item *it = &dp->v[i];
        size_t k = (size_t)(it->g - h->guests);
        if (it->g->install == INSTALL_NONE)
            continue;
        if (it->action == DK_CREATE && !gets[k]) {
            gets[k] = 1;
            n++;
        } else if (it->action == DK_OK || it->action == DK_DIFFERS || it->action == DK_DEVICE) {
            old[k] = true;
        }
    }
    int rc = 0;
    if (n == 0 || inst_load(c->o->root, &rec, &err) < 0) {
        if (n)
            msg_error("configure: the record of installs is unreadable: %s", err);
        free(err);
        free(gets);
        free(old);
        return n ? -1 : 0;
    }
    for (size_t k = 0; k < h->nguests; k++) {
        if (!gets[k])
            continue;
        const struct guest *g = &h->guests[k];
        struct inst_entry *e = inst_find(&rec, g->uuid);
        /* Pending, failed or running: the disks made since its time are
         * part of the same install. Else only a guest all of whose disks
         * are new is to be installed (the disk record's times are
         * seconds: a disk made earlier in the same second must not pass
         * for new). */
        if ((e && e->state != IS_INSTALLED) || old[k])
            continue;
        inst_set(&rec, g->uuid, now, IS_PENDING, now, NULL);
        char *what = installer_text(g);
        msg_info("guest '%s': %s at its first boot (%s: its disks are new)", g->name,
                 dry ? "would be installed" : "to be installed", what);
        free(what);
    }
    if (!dry && inst_save(&rec, c->o->root, &err) < 0) {
        msg_error("configure: cannot record the installs to come: %s", err);
        rc = -1;
    }
    free(err);
    inst_free(&rec);
    free(gets);
    free(old);
    return rc;
}

/* ------------------------------------------------------------ observing */

/* Why the disk of item it is not one to install (NULL: it is). */
static char *disk_not_new(const struct disk_item *it, const struct guest *g, long long fresh)
{
    const char *p = it->d->path;
    char uuid[37], when[32];
    long long t;
    bool created;
    if (it->action == DK_DEVICE)
        return xasprintf("disk %s is a block device the component did not create", p);
    if (it->action == DK_CREATE)
        return xasprintf("disk %s does not exist (configure creates it)", p);
    if (it->action == DK_REFUSED)
        return xasprintf("disk %s is refused: %s", p, it->note);
    if (!disks_origin(it, uuid, &t, &created) || !created)
        return xasprintf("disk %s was not created by the component: it is never installed", p);
    if (strcasecmp(uuid, g->uuid))
        return xasprintf("disk %s was created for another guest (%s)", p, uuid);
    if (t < fresh) {
        when_text(t, when);
        return xasprintf("disk %s was created on %s, before the install was asked for: it "
                         "may hold data and is never installed", p, when);
    }
    return NULL;
}

/* Which guests are due to be installed: those whose entry is pending,
 * running or failed and all of whose disks are new (looked at only for
 * them). */
static void judge(struct installs *in)
{
    const struct host *h = in->h;
    struct host sub = *h;
    size_t *map = xcalloc(h->nguests + 1, sizeof(*map));
    sub.guests = xcalloc(h->nguests + 1, sizeof(*sub.guests));
    sub.nguests = 0;
    for (size_t i = 0; i < h->nguests; i++) {
        const struct guest *g = &h->guests[i];
        const struct inst_entry *e = inst_find(&in->rec, g->uuid);
        if (g->install == INSTALL_NONE)
            continue;
        if (!e) {
            in->why_not[i] = xstrdup("its disks were not created with install set: an existing "
                                     "disk is never installed");
            continue;
        }
        /* Running too: settling may find it failed, before the plan. */
        if (e->state == IS_INSTALLED)
            continue;
        map[sub.nguests] = i;
        sub.guests[sub.nguests++] = *g;
    }
    struct disk_plan dp = { 0 };
    char *err = NULL;
    if (sub.nguests && disks_plan(&sub, in->c->o->root, &dp, &err) < 0) {
        for (size_t k = 0; k < sub.nguests; k++)
            in->why_not[map[k]] = xasprintf("its disks cannot be looked at: %s", err);
        sub.nguests = 0;
    }
    for (size_t k = 0; k < sub.nguests; k++) {
        size_t i = map[k];
        const struct inst_entry *e = inst_find(&in->rec, h->guests[i].uuid);
        char *why = NULL;
        size_t ndisks = 0;
        for (size_t j = 0; j < dp.n && !why; j++)
            if (dp.v[j].g == &sub.guests[k]) {
                ndisks++;
                why = disk_not_new(&dp.v[j], &h->guests[i], e->fresh);
            }
        if (!why && ndisks == 0)
            why = xstrdup("it has no disk to install");
        in->due[i] = !why;
        in->why_not[i] = why;
    }
    free(err);
    disks_plan_free(&dp);
    free(sub.guests);
    free(map);
}

struct installs *installs_open(struct ctx *c, const struct host *h, const char *method)
{
    struct installs *in = xcalloc(1, sizeof(*in));
    char *err = NULL;
    if (inst_load(c->o->root, &in->rec, &err) < 0) {
        msg_error("%s: the record of installs is unreadable: %s", method, err);
        free(err);
        free(in);
        return NULL;
    }
    in->c = c;
    in->h = h;
    in->due = xcalloc(h->nguests + 1, sizeof(*in->due));
    in->booting = xcalloc(h->nguests + 1, sizeof(*in->booting));
    in->finished = xcalloc(h->nguests + 1, sizeof(*in->finished));
    in->why_not = xcalloc(h->nguests + 1, sizeof(*in->why_not));
    judge(in);
    return in;
}

void installs_close(struct installs *in)
{
    if (!in)
        return;
    for (size_t i = 0; i < in->h->nguests; i++)
        free(in->why_not[i]);
    free(in->why_not);
    free(in->due);
    free(in->booting);
    free(in->finished);
    inst_free(&in->rec);
    free(in);
}

/* ------------------------------------------------------------- settling */

static char *install_cfg(const struct host *h, const struct guest *g)
{
    return xasprintf("%s/install/%s.cfg", h->res[HF_configdir], g->name);
}

/* Record how g's install ended (the record first: a run killed before it
 * leaves the domain's remains to be read again). */
static int record_end(struct installs *in, const struct guest *g, struct inst_entry *e,
                      enum inst_state st, const char *why)
{
    char *err = NULL;
    inst_set(&in->rec, g->uuid, e->fresh, st, (long long)time(NULL), why);
    if (st == IS_INSTALLED) {
        /* Never installed again: it boots its own config now. */
        in->due[g - in->h->guests] = false;
        in->finished[g - in->h->guests] = true;
    }
    if (in->c->o->dry_run)
        return 0;
    if (inst_save(&in->rec, in->c->o->root, &err) < 0) {
        msg_error("guest '%s': cannot record that its install %s: %s", g->name,
                  st == IS_INSTALLED ? "finished" : "failed", err);
        free(err);
        return -1;
    }
    return 0;
}

size_t installs_settle(struct installs *in, struct hv *hv)
{
    const struct host *h = in->h;
    bool dry = in->c->o->dry_run;
    size_t failed = 0, nrun = 0;
    for (size_t i = 0; i < h->nguests; i++) {
        const struct inst_entry *e = inst_find(&in->rec, h->guests[i].uuid);
        nrun += e && e->state == IS_RUNNING;
    }
    if (nrun == 0)
        return 0;
    struct hv_domain *doms = NULL;
    size_t n = 0;
    char *err = NULL;
    if (hv->ops->list(hv, &doms, &n, &err) < 0) {
        msg_error("installs: cannot list the domains: %s", err);
        free(err);
        return 1;
    }
    struct dom_index ix = dom_index_new(doms, n);
    long long now = (long long)time(NULL);
    for (size_t i = 0; i < h->nguests; i++) {
        const struct guest *g = &h->guests[i];
        struct inst_entry *e = inst_find(&in->rec, g->uuid);
        if (!e || e->state != IS_RUNNING)
            continue;
        const struct hv_domain *d = find_uuid(&ix, g->uuid);
        const char *would = dry ? " (dry run: would be recorded)" : "";
        long long took = now - e->since;
        bool ended = d && d->state == DOM_SHUTDOWN &&
                     (d->shutdown_reason == HV_SHUTDOWN_POWEROFF ||
                      d->shutdown_reason == HV_SHUTDOWN_REBOOT);
        const char *why = NULL;
        char *why_buf = NULL;
        bool remains = d != NULL;
        if (!d) {
            why = "its domain went away before the installer finished (destroyed, stopped, or "
                  "the host restarted)";
        } else if (ended) {
            if (record_end(in, g, e, IS_INSTALLED, NULL) < 0) {
                failed++;
                continue; /* the remains tell it again next time */
            }
            msg_info("guest '%s': installed in %lld s (its installer %s)%s", g->name, took,
                     d->shutdown_reason == HV_SHUTDOWN_REBOOT ? "rebooted" : "powered off", would);
        } else if (d->state == DOM_CRASHED || d->state == DOM_SHUTDOWN) {
            why = d->state == DOM_CRASHED || d->shutdown_reason == HV_SHUTDOWN_CRASH
                      ? "its installer crashed" : "its installer suspended the domain";
        } else if (d->state == DOM_DYING || took < (long long)h->install_timeout) {
            continue; /* still installing */
        } else {
            why = why_buf = xasprintf("its installer did not finish in %lu s "
                                      "(xen.installtimeout)", h->install_timeout);
            /* Destroyed first: a run killed before the record leaves a
             * domain gone, a failure all the same. */
            if (!dry && hv->ops->destroy(hv, d->domid, &err) < 0) {
                msg_error("guest '%s': its install timed out, and its domain (domid %u) cannot "
                          "be destroyed: %s", g->name, d->domid, err);
                free(err);
                err = NULL;
                free(why_buf);
                failed++;
                continue;
            }
            remains = false;
        }
        if (why) {
            if (record_end(in, g, e, IS_FAILED, why) < 0) {
                free(why_buf);
                failed++;
                continue;
            }
            msg_error("guest '%s': install failed: %s; not retried (boot %s tries again)%s",
                      g->name, why, g->name, would);
            failed++;
        }
        free(why_buf);
        if (remains && !dry) {
            if (hv->ops->destroy(hv, d->domid, &err) < 0) {
                msg_error("guest '%s': its installer's domain (domid %u) cannot be destroyed: %s",
                          g->name, d->domid, err);
                free(err);
                err = NULL;
                failed++;
            }
        }
        if (ended && !dry) {
            char *cfg = install_cfg(h, g), *rcfg = root_path(in->c->o->root, cfg);
            (void)unlink(rcfg);
            free(rcfg);
            free(cfg);
        }
    }
    dom_index_free(&ix);
    free(doms);
    return failed;
}

/* ------------------------------------------------------------- planning */

/* Why g's installer cannot be booted (a file missing), or NULL. */
static char *installer_missing(struct installs *in, const struct guest *g)
{
    const char *files[3] = { NULL, NULL, NULL }, *names[3];
    if (g->install == INSTALL_KERNEL) {
        files[0] = g->install_kernel;
        names[0] = "installer kernel";
        files[1] = str_empty(g->install_ramdisk) ? NULL : g->install_ramdisk;
        names[1] = "installer ramdisk";
    } else if (g->install == INSTALL_CDROM) {
        files[0] = g->res[GF_cdpath];
        names[0] = "installer ISO image";
    }
    for (int k = 0; k < 3; k++) {
        if (!files[k])
            continue;
        char *rp = root_path(in->c->o->root, files[k]);
        struct stat st;
        int rc = stat(rp, &st);
        int e = errno;
        free(rp);
        if (rc < 0)
            return xasprintf("not booted: its %s %s cannot be used: %s", names[k], files[k],
                             strerror(e));
        if (!S_ISREG(st.st_mode) && !(g->install == INSTALL_CDROM && S_ISBLK(st.st_mode)))
            return xasprintf("not booted: its %s %s is not a file", names[k], files[k]);
    }
    return NULL;
}

void installs_plan(struct installs *in, struct plan *p, const char *method)
{
    const struct host *h = in->h;
    bool named_boot = !strcmp(method, "boot"), stop = !strcmp(method, "stop");
    for (size_t k = 0; k < p->n; k++) {
        struct action *a = &p->v[k];
        const struct guest *g = a->g;
        if (!g || g < h->guests || g >= h->guests + h->nguests)
            continue;
        size_t i = (size_t)(g - h->guests);
        const struct inst_entry *e = inst_find(&in->rec, g->uuid);
        bool installing = e && e->state == IS_RUNNING;
        char when[32];
        switch (a->act) {
        case ACT_RUNNING:
            if (!installing)
                break;
            when_text(e->since, when);
            a->act = ACT_INSTALLING;
            a->why = xasprintf("installing (domid %u, since %s; a failure after %lu s)",
                               a->d->domid, when, h->install_timeout);
            break;
        case ACT_BOOT:
        case ACT_REVIVE:
        case ACT_CLEAR_BOOT: {
            if (a->act == ACT_REVIVE && in->finished[i])
                a->act = ACT_BOOT; /* its installer's domain was just cleared */
            if (!in->due[i] || !e || e->state == IS_INSTALLED)
                break;
            char *missing = installer_missing(in, g);
            if (e->state == IS_FAILED && !named_boot) {
                when_text(e->since, when);
                a->act = ACT_NOT_INSTALLED;
                a->why = xasprintf("not booted: its install failed on %s (%s); not retried: "
                                   "boot %s tries again", when, e->why ? e->why : "?", g->name);
                free(missing);
            } else if (missing) {
                a->act = ACT_NOT_INSTALLED;
                a->why = missing;
            } else {
                a->install = true;
                a->why = installer_text(g);
                in->booting[i] = true;
            }
            break;
        }
        case ACT_SHUTDOWN:
        case ACT_REBOOT:
            if (!installing)
                break;
            if (stop) {
                /* A shut-down installer would look finished: it is ended
                 * by destroy, a failed install. */
                a->act = ACT_DESTROY;
            } else {
                a->why = xasprintf("guest '%s' is being installed: a %s would end its install "
                                   "as if it had finished; destroy %s ends it (a failed install)",
                                   g->name, a->act == ACT_SHUTDOWN ? "shutdown" : "reboot",
                                   g->name);
                a->act = ACT_REFUSED;
                a->g = NULL;
            }
            break;
        default:
            break;
        }
    }
}

/* ------------------------------------------------------------- booting */

bool installs_booting(const struct installs *in, const struct guest *g)
{
    const struct host *h = in ? in->h : NULL;
    return h && g >= h->guests && g < h->guests + h->nguests && in->booting[g - h->guests];
}

int installs_begin(struct installs *in, const struct guest *g, char **ret_path, char **err)
{
    const struct host *h = in->h;
    const char *root = in->c->o->root;
    struct render_cache *rc = render_cache_new();
    char *text = NULL, *path = install_cfg(h, g), *rpath = root_path(root, path);
    char *dir = xstrdup(rpath), *e = NULL;
    *strrchr(dir, '/') = '\0';
    enum fs_change ch;
    int r = -1;
    if (render_guest_install(h, g, root, rc, &text, &e) < 0) {
        set_error(err, "its install config cannot be rendered: %s", e);
    } else if (fs_mkdir_p(dir, 0755, &e) < 0 ||
               fs_write_atomic(rpath, text, strlen(text), 0644, &ch, &e) < 0) {
        set_error(err, "its install config cannot be written: %s", e);
    } else {
        /* Running from now: a run killed before the create leaves no
         * domain, which the next run takes for a failed install. */
        const struct inst_entry *ent = inst_find(&in->rec, g->uuid);
        long long now = (long long)time(NULL);
        inst_set(&in->rec, g->uuid, ent ? ent->fresh : now, IS_RUNNING, now, NULL);
        if (inst_save(&in->rec, root, &e) < 0) {
            set_error(err, "its install cannot be recorded: %s", e);
        } else {
            *ret_path = path;
            path = NULL;
            r = 0;
        }
    }
    free(e);
    free(dir);
    free(rpath);
    free(path);
    free(text);
    render_cache_free(rc);
    return r;
}

void installs_boot_failed(struct installs *in, const struct guest *g, const char *why)
{
    struct inst_entry *e = inst_find(&in->rec, g->uuid);
    char *w = xasprintf("its installer could not be booted: %s", why);
    if (e && record_end(in, g, e, IS_FAILED, w) == 0)
        msg_error("guest '%s': install failed: %s; not retried (boot %s tries again)", g->name,
                  w, g->name);
    free(w);
}

/* --------------------------------------------------------------- status */

char *installs_status(const struct installs *in, const struct guest *g, const struct hv_domain *d,
                      bool seen, long long now)
{
    const struct host *h = in->h;
    size_t i = (size_t)(g - h->guests);
    const struct inst_entry *e = inst_find(&in->rec, g->uuid);
    char when[32], *what = installer_text(g), *s;
    if (e)
        when_text(e->since, when);
    if (!e && g->install == INSTALL_NONE) {
        s = NULL;
    } else if (e && e->state == IS_INSTALLED) {
        s = xasprintf("installed on %s", when);
    } else if (e && e->state == IS_RUNNING) {
        if (!seen)
            s = xasprintf("running since %s (%s)", when, what);
        else if (!d)
            s = xasprintf("running since %s, but its domain is gone: a failed install, recorded "
                          "at the next start, run or boot", when);
        else if (d->state == DOM_SHUTDOWN && d->shutdown_reason != HV_SHUTDOWN_CRASH &&
                 d->shutdown_reason != HV_SHUTDOWN_SUSPEND)
            s = xasprintf("finished (its installer %s): recorded at the next start, run or boot",
                          d->shutdown_reason == HV_SHUTDOWN_REBOOT ? "rebooted" : "powered off");
        else if (d->state == DOM_CRASHED || d->state == DOM_SHUTDOWN)
            s = xasprintf("its installer crashed: a failed install, recorded at the next start, "
                          "run or boot");
        else
            s = xasprintf("running (%s, domid %u) since %s, %lld s; a failure after %lu s", what,
                          d->domid, when, now - e->since, h->install_timeout);
    } else if (g->install == INSTALL_NONE) {
        s = xasprintf("none (install_%s is not set)", g->tag);
    } else if (!in->due[i]) {
        s = xasprintf("not done: %s", in->why_not[i] ? in->why_not[i] : "?");
    } else if (e->state == IS_FAILED) {
        s = xasprintf("failed on %s: %s (boot %s tries again)", when, e->why ? e->why : "?",
                      g->name);
    } else {
        s = xasprintf("pending (%s): at its next start, run or boot", what);
    }
    free(what);
    return s;
}
