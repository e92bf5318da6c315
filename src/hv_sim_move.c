/* hv_sim_move.c: the simulator's capabilities, save, restore and moves
 * between simulated hosts (the state, journal and control keys are in
 * hv_sim.c, whose top comment describes them all).
 *
 * Host H's simulator lives under the sibling root dirname(root)/H, so a
 * test lays out T/alpha, T/beta, ... and runs each host's component with
 * --root T/H. A peer is this host when its remote is NULL or empty, or
 * its name is "localhost" or this root's own basename.
 *
 * A save image (a format of the simulator's own; xl's carries its config
 * the same way):
 *
 *   # lcfg-xen simulated save image
 *   image 1
 *   domain FIELDS            (the domain's fields, as in "domains")
 *   config PATH              (the config it was made from, "-" if unknown)
 *   the config's text, to the end of the file
 *
 * A move takes both hosts' locks, in the order of their lock files' paths
 * (so two moves in opposite directions cannot deadlock), after its
 * migrate_ms (the guest runs on here meanwhile, as during xl's pre-copy),
 * and under them builds the domain on the target paused, removes it here,
 * then unpauses it there: three journal records, each written whole. No
 * observer (every one takes a lock) sees anything but before or after; a
 * process killed between the records leaves at worst a paused copy on the
 * target beside the guest running here, or only the paused copy there,
 * as an xl killed mid-migration leaves its "--incoming" domain: never a
 * second running copy, never the guest lost.
 *
 * A save writes the image (atomically: a temporary, then rename) before
 * its record removes the domain: killed between, the guest runs on and an
 * image of it is left, never a guest lost. */
#include "hv_impl.h"
#include "hv_sim_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "fsutil.h"
#include "util.h"

#define IMAGE_HEADER "# lcfg-xen simulated save image\nimage 1\n"

static unsigned host_caps(const struct sim *s)
{
    return (s->hap != 0 ? HV_CAP_HAP : 0) | (s->shadow != 0 ? HV_CAP_SHADOW : 0);
}

int sim_caps(struct hv *hv, unsigned *ret, char **err)
{
    struct sim *s = hv->priv;
    if (sim_op_begin(s, OP_CAPS, err) < 0)
        return -1;
    *ret = host_caps(s);
    return sim_op_end(s, 0, err);
}

/* The root of peer's simulated host: 0 with *ret (NULL when the peer is
 * this host), or -1 with *err (what: the command line, for messages). */
static int peer_root(const struct sim *s, const struct hv_peer *peer, const char *what,
                     char **ret, char **err)
{
    *ret = NULL;
    const char *host = peer->host ? peer->host : "";
    char *mine = xstrdup(s->root);
    size_t len = strlen(mine);
    while (len > 0 && mine[len - 1] == '/')
        mine[--len] = '\0';
    char *slash = strrchr(mine, '/');
    const char *base = slash ? slash + 1 : mine;
    if (!peer->remote || !peer->remote[0] || !peer->remote[0][0] ||
        !strcmp(host, "localhost") || (*base && !strcmp(host, base))) {
        free(mine);
        return 0;
    }
    struct stat st;
    char *dir = NULL;
    if (*host && !strchr(host, '/') && strcmp(host, ".") && strcmp(host, "..")) {
        dir = slash ? xasprintf("%.*s/%s", (int)(slash - mine), mine, host)
                    : xasprintf("%s", host);
        if (!*dir || stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
            free(dir);
            dir = NULL;
        }
    }
    free(mine);
    if (!dir) {
        set_error(err, "%s: host '%s' is unreachable", what, host);
        return -1;
    }
    *ret = dir;
    return 0;
}

/* The first domain other than skip with name's name or uuid's uuid. */
static const struct sim_dom *clash(const struct sim *s, const char *name, const char *uuid,
                                   unsigned skip)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct sim_dom *d = &s->doms[i];
        if (!d->gone && d->d.domid != skip &&
            (!strcmp(d->d.name, name) || !strcasecmp(d->d.uuid, uuid)))
            return d;
    }
    return NULL;
}

static void set_clash(char **err, const char *what, const char *where,
                      const struct sim_dom *o, const char *name)
{
    if (!strcmp(o->d.name, name))
        set_error(err, "%s: %sa domain named '%s' already exists (domid %u)", what, where,
                  name, o->d.domid);
    else
        set_error(err, "%s: %sa domain with uuid %s already exists (domid %u)", what, where,
                  o->d.uuid, o->d.domid);
}

/* After sim_op_begin: the domain to save or move, alive. */
static struct sim_dom *movable(struct sim *s, unsigned domid, const char *what, char **err)
{
    char *e = NULL;
    struct sim_dom *d = sim_target(s, domid, &e);
    if (!d) {
        set_error(err, "%s: %s", what, e);
        free(e);
        return NULL;
    }
    if (d->d.state != DOM_RUNNING && d->d.state != DOM_PAUSED) {
        static const char *const names[] = { "running", "paused", "shut down", "crashed",
                                             "dying" };
        set_error(err, "%s: domain %u (%s) is %s", what, domid, d->d.name,
                  names[d->d.state]);
        return NULL;
    }
    return d;
}

/* An operation that hangs (or takes longer than its timeout ms): with the
 * lock released and nothing changed, wait for the timeout and fail as xl
 * killed by it. Returns -1. */
static int hang_out(struct sim *s, const char *what, unsigned ms, char **err)
{
    if (sim_op_end(s, 0, err) < 0)
        return -1;
    sim_sleep_ms(ms);
    sim_set_timed_out(err, what, ms);
    return -1;
}

/* ---- save ---- */

static void format_image(struct buf *b, const struct sim *s, const struct sim_dom *d)
{
    buf_adds(b, IMAGE_HEADER "domain ");
    sim_format_dom(b, d);
    buf_addc(b, '\n');
    char *cpath = sim_config_path(s, d->d.uuid), *ctext = NULL;
    size_t clen = 0;
    char *nl;
    if (fs_read_file(cpath, &ctext, &clen, NULL) == 0 && (nl = memchr(ctext, '\n', clen))) {
        buf_adds(b, "config ");
        buf_add(b, ctext, (size_t)(nl + 1 - ctext));
        buf_add(b, nl + 1, clen - (size_t)(nl + 1 - ctext));
    } else {
        buf_adds(b, "config -\n");
    }
    free(ctext);
    free(cpath);
}

int sim_save(struct hv *hv, unsigned domid, const char *path, const char *rpath, char **err)
{
    struct sim *s = hv->priv;
    if (sim_refuse_readonly(s, OP_SAVE, err) < 0)
        return -1;
    char *what = xasprintf("xl save %u %s", domid, path);
    int rc = -1;
    if (sim_op_begin(s, OP_SAVE, err) < 0)
        goto out;
    struct sim_dom *d = movable(s, domid, what, err);
    if (!d) {
        (void)sim_op_end(s, -1, err);
        goto out;
    }
    char uuid[sizeof(d->d.uuid)];
    memcpy(uuid, d->d.uuid, sizeof(uuid));
    struct guest_ctl g = sim_guest_ctl(s, d->d.name);
    unsigned limit = s->create_timeout_ms;
    if ((g.hang & (1u << OP_SAVE)) || g.save_ms > (long long)limit) {
        rc = hang_out(s, what, limit, err);
        goto out;
    }
    if (g.fail_save) {
        set_error(err, "%s: simulated failure for %s", what, d->d.name);
        (void)sim_op_end(s, -1, err);
        goto out;
    }
    if (sim_op_end(s, 0, err) < 0)
        goto out;
    sim_sleep_ms(g.save_ms);

    if (sim_op_begin(s, OP_SAVE, err) < 0)
        goto out;
    d = sim_find_dom(s, domid);
    if (!d || strcmp(d->d.uuid, uuid)) {
        set_error(err, "%s: domain %u went away during the save", what, domid);
        (void)sim_op_end(s, -1, err);
        goto out;
    }
    struct buf b = BUF_INIT;
    format_image(&b, s, d);
    enum fs_change ch;
    char *werr = NULL;
    if (fs_write_atomic_ex(rpath, buf_str(&b), b.len, 0600, FS_KNOWN_CHANGED, &ch, &werr) < 0) {
        set_error(err, "%s: %s", what, werr);
        free(werr);
        buf_free(&b);
        (void)sim_op_end(s, -1, err);
        goto out;
    }
    buf_free(&b);
    sim_touch_gone(s, domid);
    sim_remove_dom(s, (size_t)(d - s->doms));
    rc = sim_op_end(s, 0, err);
    if (rc < 0)
        (void)unlink(rpath); /* the domain is still there: no image of it */
out:
    free(what);
    return rc;
}

/* ---- restore ---- */

struct image {
    struct sim_dom dom;
    char *config_path; /* NULL: unknown */
    char *config;
    size_t config_len;
};

static void image_free(struct image *im)
{
    free(im->config_path);
    free(im->config);
}

/* Read the save image at rpath (what: for messages). */
static int read_image(const char *rpath, const char *what, struct image *im, char **err)
{
    memset(im, 0, sizeof(*im));
    char *text = NULL;
    size_t len = 0;
    if (fs_read_file(rpath, &text, &len, NULL) < 0) {
        set_error(err, "%s: cannot read the image: %s", what, strerror(errno));
        return -1;
    }
    const char *why = NULL;
    char *p = text, *nl;
    size_t hl = strlen(IMAGE_HEADER);
    if (len < hl || memcmp(text, IMAGE_HEADER, hl)) {
        why = "not a save image";
    } else if (!(nl = strchr(p += hl, '\n')) || strncmp(p, "domain ", 7)) {
        why = "no domain in the image";
    } else {
        *nl = '\0';
        char *f[16];
        size_t nf = sim_split_fields(p + 7, f, 16);
        why = nf == 14 || nf == 15 ? sim_parse_dom(f, nf, &im->dom) : "bad domain line";
        p = nl + 1;
        if (!why && (!(nl = strchr(p, '\n')) || strncmp(p, "config ", 7)))
            why = "no config line";
    }
    if (!why) {
        *nl = '\0';
        if (strcmp(p + 7, "-")) {
            im->config_path = xstrdup(p + 7);
            im->config_len = len - (size_t)(nl + 1 - text);
            im->config = xstrndup(nl + 1, im->config_len);
        }
    }
    free(text);
    if (why) {
        set_error(err, "%s: %s", what, why);
        image_free(im);
        return -1;
    }
    return 0;
}

/* Build the image's domain (paused: when its restore hung). */
static int do_restore(struct sim *s, const struct image *im, const char *what, bool paused,
                      struct hv_made *made, char **err)
{
    const struct sim_dom *o = clash(s, im->dom.d.name, im->dom.d.uuid, ~0u);
    if (o) {
        set_clash(err, what, "", o, im->dom.d.name);
        return -1;
    }
    if (s->next_domid >= DOMID_LIMIT) {
        set_error(err, "%s: no free domain id", what);
        return -1;
    }
    sim_start_dom(s, &im->dom, sim_now_ms());
    struct sim_dom *d = &s->doms[s->n - 1];
    if (paused)
        d->d.state = DOM_PAUSED;
    made->made = true;
    made->domid = d->d.domid;
    if (im->config_path)
        sim_keep_config(s, d->d.uuid, im->config_path, im->config, im->config_len);
    return 0;
}

int sim_restore(struct hv *hv, const char *path, const char *rpath, struct hv_made *made,
                char **err)
{
    struct sim *s = hv->priv;
    struct hv_made ignored;
    if (!made)
        made = &ignored;
    *made = (struct hv_made){ false, 0 };
    if (sim_refuse_readonly(s, OP_RESTORE, err) < 0)
        return -1;
    char *what = xasprintf("xl restore %s", path);
    struct image im;
    int rc = -1;
    if (read_image(rpath, what, &im, err) < 0) {
        free(what);
        return -1;
    }
    if (sim_op_begin(s, OP_RESTORE, err) < 0)
        goto out;
    struct guest_ctl g = sim_guest_ctl(s, im.dom.d.name);
    unsigned limit = s->create_timeout_ms;
    bool hangs = (g.hang & (1u << OP_RESTORE)) || g.restore_ms > (long long)limit;
    if (g.fail_restore && !hangs) {
        set_error(err, "%s: simulated failure for %s", what, im.dom.d.name);
        (void)sim_op_end(s, -1, err);
        goto out;
    }
    if (sim_op_end(s, 0, err) < 0)
        goto out;
    sim_sleep_ms(hangs ? limit : g.restore_ms);
    if (sim_op_begin(s, OP_RESTORE, err) < 0)
        goto out;
    rc = do_restore(s, &im, what, hangs, made, err);
    if (rc == 0 && hangs) {
        /* As an xl killed mid-restore: its domain is left, paused. */
        sim_set_timed_out(err, what, limit);
        rc = -1;
    }
    rc = sim_op_end(s, rc, err);
    if (made->made && !s->loaded)
        made->made = false; /* its record may not have been written */
out:
    image_free(&im);
    free(what);
    return rc;
}

/* ---- migrate ---- */

/* Under both locks: build the domain on p paused, remove it from s, then
 * unpause it on p, each a journal record (the file's top comment). */
static int move_locked(struct sim *s, struct sim *p, unsigned domid, const char *uuid,
                       const char *host, const char *what, char **err)
{
    struct sim_dom *d = sim_find_dom(s, domid);
    if (!d || strcmp(d->d.uuid, uuid)) {
        set_error(err, "%s: domain %u went away during the migration", what, domid);
        return -1;
    }
    char *where = xasprintf("on %s ", host);
    const struct sim_dom *o = clash(p, d->d.name, d->d.uuid, ~0u);
    if (o)
        set_clash(err, what, where, o, d->d.name);
    free(where);
    if (o)
        return -1;
    if (p->next_domid >= DOMID_LIMIT) {
        set_error(err, "%s: %s has no free domain id", what, host);
        return -1;
    }
    /* Its config goes with it, as libxl sends it. */
    char *cpath = sim_config_path(s, d->d.uuid), *ctext = NULL, *nl;
    size_t clen = 0;
    if (fs_read_file(cpath, &ctext, &clen, NULL) == 0 && (nl = memchr(ctext, '\n', clen))) {
        *nl = '\0';
        sim_keep_config(p, d->d.uuid, ctext, nl + 1, clen - (size_t)(nl + 1 - ctext));
    }
    free(ctext);
    free(cpath);
    sim_start_dom(p, d, sim_now_ms());
    unsigned there = p->doms[p->n - 1].d.domid;
    enum dom_state state = p->doms[p->n - 1].d.state;
    p->doms[p->n - 1].d.state = DOM_PAUSED;
    if (sim_op_commit(p, 0, err) < 0)
        return -1;
    sim_touch_gone(s, domid);
    sim_remove_dom(s, (size_t)(d - s->doms));
    if (sim_op_commit(s, 0, err) < 0) {
        /* Still here in the files: the paused copy there goes again. */
        struct sim_dom *t = sim_find_dom(p, there);
        if (t) {
            sim_touch_gone(p, there);
            sim_remove_dom(p, (size_t)(t - p->doms));
            (void)sim_op_commit(p, 0, NULL);
        }
        return -1;
    }
    struct sim_dom *t = sim_find_dom(p, there);
    if (t) {
        t->d.state = state;
        sim_touch(p, t);
    }
    if (sim_op_commit(p, 0, err) < 0) {
        char *e = *err;
        *err = NULL;
        set_error(err, "%s: the domain moved but is left paused on %s (%s)", what, host, e);
        free(e);
        return -1;
    }
    return 0;
}

/* Take s's and p's locks in their paths' order and begin an operation on
 * both; on failure neither is held. */
static int begin_both(struct sim *s, struct sim *p, char **err)
{
    bool s_first = strcmp(s->lock_path, p->lock_path) < 0;
    struct sim *a = s_first ? s : p, *b = s_first ? p : s;
    if (sim_lock(a, err) < 0)
        return -1;
    if (sim_lock(b, err) < 0) {
        sim_unlock(a);
        return -1;
    }
    /* The receiving host fails it too when its hypervisor fails (its
     * hv_fail=list). */
    if (sim_op_begin_locked(s, OP_MIGRATE, err) < 0) {
        sim_unlock(p);
        return -1;
    }
    if (sim_op_begin_locked(p, OP_LIST, err) < 0) {
        (void)sim_op_end(s, 0, NULL);
        return -1;
    }
    return 0;
}

int sim_migrate(struct hv *hv, unsigned domid, const struct hv_peer *peer, char **err)
{
    struct sim *s = hv->priv;
    if (sim_refuse_readonly(s, OP_MIGRATE, err) < 0)
        return -1;
    const char *host = peer->host ? peer->host : "";
    unsigned limit = peer->timeout_ms ? peer->timeout_ms : s->create_timeout_ms;
    char *what = xasprintf("xl migrate %u %s", domid, host), *proot = NULL;
    int rc = -1;
    if (peer_root(s, peer, what, &proot, err) < 0)
        goto out;
    if (sim_op_begin(s, OP_MIGRATE, err) < 0)
        goto out;
    struct sim_dom *d = movable(s, domid, what, err);
    if (!d) {
        (void)sim_op_end(s, -1, err);
        goto out;
    }
    const char *why = hv_cannot_live_migrate(host_caps(s), d->d.hvm);
    if (why) {
        set_error(err, "%s", why);
        (void)sim_op_end(s, -1, err);
        goto out;
    }
    char uuid[sizeof(d->d.uuid)];
    memcpy(uuid, d->d.uuid, sizeof(uuid));
    struct guest_ctl g = sim_guest_ctl(s, d->d.name);
    if ((g.hang & (1u << OP_MIGRATE)) || g.migrate_ms > (long long)limit) {
        rc = hang_out(s, what, limit, err);
        goto out;
    }
    if (g.fail_migrate) {
        set_error(err, "%s: simulated failure for %s", what, d->d.name);
        (void)sim_op_end(s, -1, err);
        goto out;
    }
    if (sim_op_end(s, 0, err) < 0)
        goto out;
    /* The pre-copy: the guest runs on here meanwhile. */
    sim_sleep_ms(g.migrate_ms);

    if (!proot) {
        /* To this host: a new domain of the same guest, as xl makes it. */
        if (sim_op_begin(s, OP_MIGRATE, err) < 0)
            goto out;
        d = sim_find_dom(s, domid);
        if (!d || strcmp(d->d.uuid, uuid)) {
            set_error(err, "%s: domain %u went away during the migration", what, domid);
            (void)sim_op_end(s, -1, err);
            goto out;
        }
        if (s->next_domid >= DOMID_LIMIT) {
            set_error(err, "%s: no free domain id", what);
            (void)sim_op_end(s, -1, err);
            goto out;
        }
        struct sim_dom moved = *d;
        sim_touch_gone(s, domid);
        sim_remove_dom(s, (size_t)(d - s->doms));
        sim_start_dom(s, &moved, sim_now_ms());
        s->doms[s->n - 1].d.state = moved.d.state == DOM_PAUSED ? DOM_PAUSED
                                    : s->doms[s->n - 1].d.state;
        rc = sim_op_end(s, 0, err);
        goto out;
    }
    struct sim *p = sim_peer_open(proot, s, err);
    if (!p)
        goto out;
    if (begin_both(s, p, err) == 0) {
        rc = move_locked(s, p, domid, uuid, host, what, err);
        /* What was not committed (a failure's events) is written now. */
        rc = sim_op_commit(p, rc, err);
        rc = sim_op_commit(s, rc, err);
        sim_unlock(p);
        sim_unlock(s);
    }
    sim_peer_close(p);
out:
    free(proot);
    free(what);
    return rc;
}

/* ---- a cold move's transfer and restore ---- */

int sim_send(struct hv *hv, const char *path, const char *rpath, const struct hv_peer *peer,
             char **err)
{
    struct sim *s = hv->priv;
    if (sim_refuse_readonly(s, OP_SEND, err) < 0)
        return -1;
    const char *host = peer->host ? peer->host : "";
    char *what = xasprintf("copying %s to %s", path, host), *proot = NULL;
    int rc = -1;
    if (sim_op_begin(s, OP_SEND, err) < 0)
        goto out;
    if (sim_op_end(s, 0, err) < 0 || peer_root(s, peer, what, &proot, err) < 0)
        goto out;
    if (!proot) {
        rc = 0; /* the same file */
        goto out;
    }
    char *text = NULL, *e = NULL;
    size_t len = 0;
    if (fs_read_file(rpath, &text, &len, &e) < 0) {
        set_error(err, "%s: %s", what, e);
        free(e);
        goto out;
    }
    char *dest = root_path(proot, path);
    enum fs_change ch;
    rc = fs_write_atomic_ex(dest, text, len, 0600, FS_KNOWN_CHANGED, &ch, &e);
    if (rc < 0) {
        set_error(err, "%s: %s", what, e);
        free(e);
    }
    free(dest);
    free(text);
out:
    free(proot);
    free(what);
    return rc;
}

int sim_restore_at(struct hv *hv, const struct hv_peer *peer, const char *path, char **err)
{
    struct sim *s = hv->priv;
    if (s->readonly) {
        set_error(err, "read-only hypervisor handle: restore_at refused");
        return -1;
    }
    const char *host = peer->host ? peer->host : "";
    char *what = xasprintf("xl restore %s on %s", path, host), *proot = NULL;
    int rc = -1;
    if (peer_root(s, peer, what, &proot, err) < 0)
        goto out;
    if (!proot) {
        char *rpath = root_path(s->root, path);
        rc = sim_restore(hv, path, rpath, NULL, err);
        free(rpath);
        goto out;
    }
    struct sim *p = sim_peer_open(proot, s, err);
    if (!p)
        goto out;
    struct hv there = { hv->ops, p };
    char *rpath = root_path(proot, path), *e = NULL;
    rc = sim_restore(&there, path, rpath, NULL, &e);
    if (rc < 0) {
        set_error(err, "%s: %s", host, e);
        free(e);
    }
    free(rpath);
    sim_peer_close(p);
out:
    free(proot);
    free(what);
    return rc;
}
