/* hostsave.c: keeping guests' state across a host shutdown
 * (xen.onhostshutdown save), as xendomains does with XENDOMAINS_SAVE and
 * libvirt-guests with ON_SHUTDOWN=suspend (a managed save): stop saves
 * each running guest of the profile to xen.savedir instead of shutting it
 * down, and start restores it when the config file it would boot is the
 * one it ran from; otherwise it boots fresh and its image is moved aside,
 * never deleted. A guest is its UUID: an image is never restored while a
 * domain of that UUID exists. The record of each save (saverec.h) is
 * written before the save begins; the image is complete once renamed from
 * <image>.part, so a stop killed mid-save leaves a part that start moves
 * aside. */
#include "methods_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "hv.h"
#include "log.h"
#include "managed.h"
#include "model.h"
#include "render.h"
#include "saverec.h"
#include "util.h"

#define MB (1024ULL * 1024)

bool hostsave_on(const struct host *h)
{
    return !strcmp(h->res[HF_onhostshutdown], "save");
}

/* The space a save of a domain with mem_kb of memory is allowed to start
 * with: its memory, an eighth more, and 32 MB. An xl save image holds the
 * guest's pages (the 96 MB test guest's is about 97 MB) and a little
 * more: the libxl config, page tables, the device model's state of an HVM
 * guest (a few MB); the rest is a margin so that saving does not fill the
 * filesystem it shares (by default /var) with the host. */
unsigned long long hostsave_need(unsigned long long mem_kb)
{
    unsigned long long mem = mem_kb * 1024;
    return mem + mem / 8 + 32 * MB;
}

/* Move path (host path; under root: rpath) to DIR/aside/UUID-TIME.save,
 * DIR being path's directory, never over another file. Returns the new
 * host path, or NULL with *err. */
static char *move_aside(const char *root, const char *path, const char *uuid, char **err)
{
    char *dir = xstrdup(path);
    *strrchr(dir, '/') = '\0';
    char *aside = xasprintf("%s/aside", dir), *raside = root_path(root, aside);
    free(dir);
    char *rpath = root_path(root, path), *ret = NULL;
    if (fs_mkdir_p(raside, 0700, err) == 0) {
        char stamp[32];
        time_t now = time(NULL);
        struct tm tm;
        strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", gmtime_r(&now, &tm));
        for (unsigned k = 0; k < 1000 && !ret; k++) {
            char *cand = k ? xasprintf("%s/%s-%s-%u.save", aside, uuid, stamp, k)
                           : xasprintf("%s/%s-%s.save", aside, uuid, stamp);
            char *rcand = root_path(root, cand);
            /* link, then unlink: never over a file already there. */
            if (link(rpath, rcand) == 0) {
                if (unlink(rpath) < 0)
                    set_error(err, "cannot remove %s after linking it to %s: %s", rpath, rcand,
                              strerror(errno));
                else
                    ret = xstrdup(cand);
                (void)fs_fsync_dir_of(rcand);
                (void)fs_fsync_dir_of(rpath);
            } else if (errno != EEXIST) {
                set_error(err, "cannot move %s to %s: %s", rpath, rcand, strerror(errno));
                free(cand);
                free(rcand);
                break;
            }
            free(cand);
            free(rcand);
        }
    }
    free(aside);
    free(raside);
    free(rpath);
    return ret;
}

/* ---- stop ---- */

/* The guest of the profile with that UUID, or NULL. */
static const struct guest *guest_of(const struct host *h, const char *uuid)
{
    for (size_t i = 0; i < h->nguests; i++)
        if (!strcasecmp(h->guests[i].uuid, uuid))
            return &h->guests[i];
    return NULL;
}


/* Why g cannot be saved now (NULL: it can), from what is known before its
 * save: it left the profile, its running domain lacks changes of its
 * config, or there is not room for it. */
static char *cannot_save(struct ctx *c, const struct host *h, struct hv *hv,
                         const struct guest *g, const struct hv_domain *d, const char *rsavedir)
{
    if (guest_of(h, g->uuid) != g)
        return xstrdup("it left the profile: start would not restore it");
    char **pend;
    size_t np = pending_changes(g, d, &pend);
    char *why = NULL;
    /* A domain still without a change of its config that needs a restart
     * would come back from its image without it: it boots its config. */
    for (size_t k = 0; k < np && !why; k++)
        if (strstr(pend[k], "needs restart"))
            why = xasprintf("its running domain lacks a change of its config (%s)", pend[k]);
    strs_free(pend, np);
    /* A disk or NIC it has that its config no longer has, or has
     * otherwise, would come back with it too. */
    struct render_cache *rc = why ? NULL : render_cache_new();
    np = why ? 0 : device_pending(c, h, g, hv, d, rc, false, &pend);
    for (size_t k = 0; k < np && !why; k++)
        if (strstr(pend[k], "needs restart"))
            why = xasprintf("its running domain lacks a change of its config (%s)", pend[k]);
    if (rc) {
        strs_free(pend, np);
        render_cache_free(rc);
    }
    if (why)
        return why;
    struct statvfs sv;
    if (statvfs(rsavedir, &sv) < 0)
        return xasprintf("cannot tell the free space of %s: %s", h->res[HF_savedir],
                         strerror(errno));
    unsigned long long free_b = (unsigned long long)sv.f_bavail * sv.f_frsize;
    unsigned long long need = hostsave_need(d->mem_kb);
    if (free_b < need)
        return xasprintf("%s has %llu MB free; its save needs %llu MB (its %llu MB of memory, "
                         "an eighth more and 32 MB)", h->res[HF_savedir], free_b / MB, need / MB,
                         d->mem_kb / 1024);
    return NULL;
}

/* Save one guest (domain d) to its image. 0, or -1 with *err. */
static int save_one(struct ctx *c, const struct host *h, struct hv *hv, const struct guest *g,
                    const struct hv_domain *d, char **err)
{
    const char *root = c->o->root;
    char low[37];
    uuid_lower(g->uuid, low);
    struct saverec r = { 0 };
    memcpy(r.uuid, low, sizeof(low));
    r.image = xasprintf("%s/%s.save", h->res[HF_savedir], low);
    r.name = (char *)g->name;
    r.when = (long long)time(NULL);
    r.cfgpath = xasprintf("%s/%s.cfg", h->res[HF_configdir], g->name);
    char *rcfg = root_path(root, r.cfgpath), *rimage = root_path(root, r.image);
    char *part = xasprintf("%s.part", r.image), *rpart = root_path(root, part);
    int rc = -1;
    if (fs_read_file(rcfg, &r.config, NULL, err) < 0)
        goto out;
    /* An image of this guest from an earlier stop (it was booted since
     * without start, e.g. by boot NAME) is kept, aside. */
    if (access(rimage, F_OK) == 0) {
        char *moved = move_aside(root, r.image, low, err);
        if (!moved)
            goto out;
        msg_warn("guest '%s': an older save image of it was moved aside to %s", g->name, moved);
        free(moved);
    }
    (void)unlink(rpart); /* an interrupted save's, never restored */
    if (saverec_write(root, &r, err) < 0)
        goto out;
    if (hv->ops->save(hv, d->domid, part, rpart, err) < 0) {
        (void)saverec_remove(root, low, NULL);
        (void)unlink(rpart);
        goto out;
    }
    if (rename(rpart, rimage) < 0) {
        set_error(err, "its image %s was written but cannot be renamed to %s: %s", part,
                  r.image, strerror(errno));
        goto out;
    }
    (void)fs_fsync_dir_of(rimage);
    rc = 0;
out:
    free(rcfg);
    free(rimage);
    free(part);
    free(rpart);
    free(r.image);
    free(r.cfgpath);
    free(r.config);
    return rc;
}

size_t hostsave_stop(struct ctx *c, const struct host *h, struct hv *hv, struct stopping *st,
                     size_t n)
{
    char *err = NULL, *whyall = NULL;
    char *rsavedir = root_path(c->o->root, h->res[HF_savedir]);
    struct hv_domain *doms = NULL;
    size_t m = 0, left = 0;
    if (!hv->ops->save)
        whyall = xstrdup("this hypervisor backend cannot save guests");
    else if (hv->ops->list(hv, &doms, &m, &err) < 0)
        whyall = xasprintf("cannot list the domains: %s", err);
    else if (fs_mkdir_p(rsavedir, 0700, &err) < 0)
        whyall = xstrdup(err);
    for (size_t i = 0; i < n; i++) {
        const struct guest *g = st[i].g;
        const struct hv_domain *d = whyall ? NULL : hv_find_domid(doms, m, st[i].domid);
        /* No domain: gone meanwhile, which stop_guests says. */
        char *why = whyall ? xstrdup(whyall) : d ? cannot_save(c, h, hv, g, d, rsavedir) : NULL;
        double t0 = mono_seconds();
        if (d && !why) {
            if (save_one(c, h, hv, g, d, &err) == 0) {
                char low[37];
                uuid_lower(g->uuid, low);
                char *img = xasprintf("%s/%s.save", h->res[HF_savedir], low);
                char *rimg = root_path(c->o->root, img);
                struct stat sb;
                double size = stat(rimg, &sb) == 0 ? (double)sb.st_size / MB : 0;
                msg_info("guest '%s': saved to %s (%.1f MB in %.1f s)", g->name, img, size,
                         mono_seconds() - t0);
                free(img);
                free(rimg);
                st[i].saved = true;
                continue;
            }
            why = err;
            err = NULL;
        }
        if (why)
            msg_warn("guest '%s': not saved (%s): shutting it down instead", g->name, why);
        free(why);
        /* Swapped, not copied over: the saved ones stay in st (marked),
         * for what comes after the stop (their leases are kept). */
        struct stopping t = st[left];
        st[left++] = st[i];
        st[i] = t;
    }
    free(whyall);
    free(err);
    free(doms);
    free(rsavedir);
    return left;
}

/* ---- start ---- */

struct saved {
    const struct guest *g;
    struct saverec r;
};

/* Rising boot group, then profile order, as start boots. */
static int by_boot(const void *a, const void *b)
{
    const struct guest *x = ((const struct saved *)a)->g, *y = ((const struct saved *)b)->g;
    if (x->boot_order != y->boot_order)
        return x->boot_order < y->boot_order ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* Move s's image (or what its save left: part) aside and drop its
 * record; say so, with what. Returns 0, or -1 after saying why. */
static int set_aside(struct ctx *c, const struct saved *s, const char *path, const char *what)
{
    char *err = NULL;
    if (c->o->dry_run) {
        msg_warn("guest '%s': %s: its save image %s would be moved aside", s->g->name, what,
                 path);
        return 0;
    }
    char *moved = move_aside(c->o->root, path, s->r.uuid, &err);
    if (!moved) {
        msg_error("guest '%s': %s, but its save image cannot be moved aside: %s", s->g->name,
                  what, err);
        free(err);
        return -1;
    }
    msg_warn("guest '%s': %s: its save image was moved aside to %s", s->g->name, what, moved);
    free(moved);
    if (saverec_remove(c->o->root, s->r.uuid, &err) < 0) {
        msg_error("guest '%s': %s", s->g->name, err);
        free(err);
        return -1;
    }
    return 0;
}

/* Does g's config file now hold the text s was saved with? */
static bool config_same(struct ctx *c, const struct host *h, const struct saved *s)
{
    char *path = xasprintf("%s/%s.cfg", h->res[HF_configdir], s->g->name);
    char *rpath = root_path(c->o->root, path), *text = NULL;
    bool same = fs_read_file(rpath, &text, NULL, NULL) == 0 && !strcmp(text, s->r.config);
    free(text);
    free(rpath);
    free(path);
    return same;
}

/* Restore one saved guest, or set its image aside; *fresh: it is to boot
 * fresh. Returns failures (0 or 1). */
static size_t restore_one(struct ctx *c, const struct host *h, struct hv *hv,
                          const struct dom_index *ix, const struct managed *rec,
                          const struct saved *s, bool *fresh)
{
    const char *root = c->o->root;
    const struct guest *g = s->g;
    const struct hv_domain *d = find_uuid(ix, g->uuid);
    const struct managed_guest *mg = managed_find(rec, g->uuid);
    char *rimage = root_path(root, s->r.image), *part = xasprintf("%s.part", s->r.image);
    char *rpart = root_path(root, part), *err = NULL, *what = NULL;
    size_t failed = 0;
    *fresh = false;
    if (d) {
        /* A guest is its UUID: never a second copy of it. */
        what = xasprintf("already has a domain (domid %u), so it is not restored", d->domid);
        if (access(rimage, F_OK) == 0 && set_aside(c, s, s->r.image, what) < 0)
            failed++;
        else if (access(rimage, F_OK) < 0 && access(rpart, F_OK) == 0 &&
                 set_aside(c, s, part, what) < 0)
            failed++;
        else if (access(rimage, F_OK) < 0 && access(rpart, F_OK) < 0) {
            /* Its save never ended (stop was killed): it ran on. */
            msg_info("guest '%s': its save did not finish (stop was interrupted): it ran on "
                     "(domid %u)", g->name, d->domid);
            if (!c->o->dry_run)
                (void)saverec_remove(root, s->r.uuid, NULL);
        }
    } else if (mg && mg->state == MG_HELD) {
        msg_warn("guest '%s': held back by configure: its save image %s is kept, not restored",
                 g->name, s->r.image);
    } else if (access(rimage, F_OK) < 0) {
        *fresh = true;
        if (access(rpart, F_OK) == 0) {
            failed += set_aside(c, s, part, "its save did not finish (stop was interrupted); "
                                "it boots fresh") < 0;
        } else {
            msg_warn("guest '%s': its save image %s is missing: it boots fresh", g->name,
                     s->r.image);
            if (!c->o->dry_run)
                (void)saverec_remove(root, s->r.uuid, NULL);
        }
    } else if (!config_same(c, h, s)) {
        *fresh = true;
        failed += set_aside(c, s, s->r.image, "its config changed since it was saved; it boots "
                            "fresh") < 0;
    } else if (c->o->dry_run) {
        msg_info("guest '%s': would be restored from %s", g->name, s->r.image);
    } else if (!net_boot_ok(c, h, g)) {
        msg_warn("guest '%s': its save image %s is kept, not restored", g->name, s->r.image);
        failed++;
    } else if (lease_before_boot(c, h, g) < 0) {
        /* Another host holds its lease (it may run there): no second copy. */
        msg_warn("guest '%s': its save image %s is kept, not restored", g->name, s->r.image);
        failed++;
    } else {
        struct hv_made made = { 0 };
        double t0 = mono_seconds();
        int rc = hv->ops->restore ? hv->ops->restore(hv, s->r.image, rimage, &made, &err)
                                  : (set_error(&err, "this hypervisor backend cannot restore "
                                                     "guests"), -1);
        if (rc == 0) {
            if (unlink(rimage) < 0)
                msg_warn("guest '%s': restored, but its save image cannot be removed: %s",
                         g->name, strerror(errno));
            (void)fs_fsync_dir_of(rimage);
            (void)saverec_remove(root, s->r.uuid, NULL);
            struct hv_domain found;
            unsigned domid = made.made ? made.domid
                           : hv->ops->lookup_uuid(hv, g->uuid, &found, NULL) == 0 ? found.domid
                                                                                 : 0;
            msg_info("guest '%s': restored (domid %u) from %s in %.1f s", g->name, domid,
                     s->r.image, mono_seconds() - t0);
        } else {
            char *e2 = NULL;
            if (made.made && hv->ops->destroy(hv, made.domid, &e2) < 0) {
                msg_error("guest '%s': its half-restored domain (domid %u) cannot be destroyed: "
                          "%s", g->name, made.domid, e2);
                failed++;
            } else {
                *fresh = true;
            }
            free(e2);
            what = xasprintf("restore failed (%s); it boots fresh", err);
            failed += set_aside(c, s, s->r.image, what) < 0;
        }
    }
    free(what);
    free(err);
    free(rimage);
    free(part);
    free(rpart);
    return failed;
}

size_t hostsave_start(struct ctx *c, const struct host *h, struct hv *hv, const char *m,
                      const struct guest ***fresh, size_t *nfresh)
{
    const char *root = c->o->root;
    char **uuids = NULL, *err = NULL;
    size_t nu = 0, failed = 0, ns = 0;
    *fresh = NULL;
    *nfresh = 0;
    if (saverec_list(root, &uuids, &nu, &err) < 0) {
        msg_error("%s: the saved guests cannot be listed: %s", m, err);
        free(err);
        return 1;
    }
    if (!nu)
        return 0;
    struct saved *v = xcalloc(nu, sizeof(*v));
    for (size_t i = 0; i < nu; i++) {
        struct saved *s = &v[ns];
        if (saverec_read(root, uuids[i], &s->r, &err) != 0) {
            msg_error("%s: %s: left alone", m, err ? err : "a save record vanished");
            free(err);
            err = NULL;
            failed++;
            continue;
        }
        s->g = guest_of(h, s->r.uuid);
        if (!s->g) {
            msg_warn("saved guest '%s' (%s) is not in the profile: its save image %s is kept, "
                     "not restored", s->r.name, s->r.uuid, s->r.image);
            saverec_free(&s->r);
            continue;
        }
        ns++;
    }
    qsort(v, ns, sizeof(*v), by_boot);
    size_t nread = ns;
    struct hv_domain *doms = NULL;
    size_t ndoms = 0;
    struct managed rec = { 0 };
    if (ns && hv->ops->list(hv, &doms, &ndoms, &err) < 0) {
        msg_error("%s: cannot list the domains: %s; no saved guest restored", m, err);
        failed++;
        ns = 0;
    } else if (ns && managed_load(root, &rec, &err) < 0) {
        msg_error("%s: the record of managed guests is unreadable: %s; no saved guest "
                  "restored", m, err);
        failed++;
        ns = 0;
    }
    struct dom_index ix = dom_index_new(doms, ndoms);
    *fresh = xcalloc(ns ? ns : 1, sizeof(**fresh));
    for (size_t i = 0; i < ns; i++) {
        bool boot_fresh;
        failed += restore_one(c, h, hv, &ix, &rec, &v[i], &boot_fresh);
        /* start's plan boots the guests with boot set. */
        if (boot_fresh && !v[i].g->boot)
            (*fresh)[(*nfresh)++] = v[i].g;
    }
    for (size_t i = 0; i < nu; i++)
        free(uuids[i]);
    for (size_t i = 0; i < nread; i++)
        saverec_free(&v[i].r);
    dom_index_free(&ix);
    managed_free(&rec);
    free(uuids);
    free(doms);
    free(v);
    free(err);
    return failed;
}

char *hostsave_status(struct ctx *c, const struct guest *g)
{
    struct saverec r;
    if (saverec_read(c->o->root, g->uuid, &r, NULL) != 0)
        return NULL;
    char when[32];
    time_t t = (time_t)r.when;
    struct tm tm;
    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&t, &tm));
    char *rimage = root_path(c->o->root, r.image);
    bool there = access(rimage, F_OK) == 0;
    char *s = xasprintf("%s on %s: %s", r.image, when,
                        there ? "start restores it if its config is unchanged"
                              : "its image is missing (the save did not finish)");
    free(rimage);
    saverec_free(&r);
    return s;
}
