/* methods.c: configure, status, isstarted, logrotate. Each method reads
 * its input, works through the modules, and is the one place that prints
 * what happened. */
#include "methods.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "configs.h"
#include "diff.h"
#include "disks.h"
#include "fsutil.h"
#include "host.h"
#include "hv.h"
#include "log.h"
#include "model.h"
#include "paths.h"
#include "previous.h"
#include "profile.h"
#include "render.h"
#include "rendered.h"
#include "util.h"

/* Host set-up (host.c), reported at the end of this file. */
static size_t configure_host(struct ctx *c, const struct host *h, bool dry);
static size_t run_daemons(struct ctx *c, const struct host *h, bool start);

/* The default profile path with %s replaced by the short host name. */
static char *default_profile(const char *root)
{
    char host[256] = "localhost";
    if (gethostname(host, sizeof(host) - 1) == 0)
        host[strcspn(host, ".")] = '\0';
    const char *env = getenv("XEN_PROFILE_PATH");
    const char *tmpl = str_empty(env) ? LCFGXEN_PROFILE_PATH : env;
    struct buf b = BUF_INIT;
    for (const char *p = tmpl; *p; p++) {
        if (p[0] == '%' && p[1] == 's') {
            buf_adds(&b, host);
            p++;
        } else {
            buf_addc(&b, *p);
        }
    }
    char *path = root_path(root, buf_str(&b));
    buf_free(&b);
    return path;
}

/* The current resources, from (in order) --profile, --resources, the
 * environment, or the host's XML profile. *ret_src names the source. */
static int read_current(struct ctx *c, struct resset *rs, char **ret_src, char **err)
{
    const struct opts *o = c->o;
    if (o->profile) {
        *ret_src = xasprintf("profile %s", o->profile);
        return profile_read_xml(o->profile, rs, err);
    }
    if (o->resources) {
        *ret_src = xasprintf("resources %s", o->resources);
        return profile_read_status(o->resources, rs, err);
    }
    if (profile_env_present(c->envp)) {
        *ret_src = xstrdup("the environment");
        return profile_read_env(c->envp, rs, err);
    }
    char *path = default_profile(o->root);
    *ret_src = xasprintf("profile %s", path);
    int rc = profile_read_xml(path, rs, err);
    free(path);
    return rc;
}

/* Build the model, printing every validation error. */
static struct host *build_model(const struct resset *rs, const char *method)
{
    struct errlist errs = { 0 };
    struct host *h = model_build(rs, &errs);
    if (!h) {
        for (size_t i = 0; i < errs.n; i++)
            msg_error("%s", errs.v[i]);
        msg_fail("%s: %zu error%s in the resources; nothing changed", method, errs.n,
                 errs.n == 1 ? "" : "s");
    }
    errlist_free(&errs);
    return h;
}

/* The saved configuration (status file); NULL with a message when there
 * is none or it is unusable. */
static struct host *load_saved(struct ctx *c, const char *method)
{
    char *path = root_path(c->o->root, PATH_STATUS);
    struct resset *rs = resset_new();
    char *err = NULL;
    struct host *h = NULL;
    struct stat st;
    if (stat(path, &st) < 0 && errno == ENOENT) {
        msg_fail("%s: no saved configuration at %s (run configure first)", method, path);
    } else if (profile_read_status(path, rs, &err) < 0) {
        msg_fail("%s: %s", method, err);
    } else {
        h = build_model(rs, method);
    }
    free(err);
    resset_free(rs);
    free(path);
    return h;
}

/* The previously applied configuration, for retiring guests that left the
 * profile and reporting what changed: NULL when there is none, when it is
 * unusable (said once), or when no saved guest differs from cur (text:
 * cur's status text; *same then tells the file holds exactly that, and
 * *differs that it was read and holds something else).
 * Usually only the guests that differ are read back (previous.h). */
static struct host *load_previous(struct ctx *c, const struct host *cur, const char *text,
                                  bool *same, bool *differs)
{
    *same = *differs = false;
    char *path = root_path(c->o->root, PATH_STATUS);
    struct resset *rs = resset_new();
    char *err = NULL, *old = NULL, *part = NULL;
    size_t len = 0;
    struct host *h = NULL;
    if (access(path, F_OK) < 0)
        goto out;
    /* Read once; a text with a NUL is left to profile_read_status to name. */
    bool readable = fs_read_file(path, &old, &len, NULL) == 0 && !memchr(old, '\0', len);
    if (readable) {
        enum prev_kind k = previous_compare(cur, text, old, &part);
        if (k == PREV_SAME) {
            *same = true;
            goto out;
        }
        *differs = strcmp(old, text) != 0;
        if (k == PREV_PART) {
            struct errlist errs = { 0 };
            if (profile_parse_status(part, path, rs, &err) == 0)
                h = model_build(rs, &errs);
            errlist_free(&errs);
            free(err);
            err = NULL;
            resset_free(rs);
            rs = resset_new();
            if (h)
                goto out;
        }
    }
    /* All of it, as it is: this also says what is wrong with it. */
    struct errlist errs = { 0 };
    int r = readable ? profile_parse_status(old, path, rs, &err)
                     : profile_read_status(path, rs, &err);
    if (r == 0)
        h = model_build(rs, &errs);
    if (!h)
        msg_warn("configure: the saved configuration %s is unusable (%s): guests that left "
                 "the profile cannot be retired this time",
                 path, err ? err : errs.n ? errs.v[0] : "invalid");
    errlist_free(&errs);
out:
    free(part);
    free(old);
    free(err);
    resset_free(rs);
    free(path);
    return h;
}

/* A run killed between writing a file's temporary and renaming it leaves
 * the temporary behind: the next configure removes them, in every
 * directory the component writes files into atomically. In the host's
 * directories (/etc/default, managehost; /run/lcfg for the started flag),
 * which hold other programs' files, only the temporaries of the files the
 * component writes there. */
static void remove_stale_temps(struct ctx *c, const struct host *h)
{
    const char *dirs[] = { h->res[HF_configdir], PATH_STATUS_DIR, PATH_STATE_DIR };
    for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
        char *dir = root_path(c->o->root, dirs[i]), *err = NULL;
        size_t n = 0;
        if (fs_remove_stale_temps(dir, &n, &err) < 0)
            msg_warn("configure: %s", err);
        if (n)
            msg_info("configure: removed %zu temporary file%s left in %s by an interrupted run",
                     n, n == 1 ? "" : "s", dirs[i]);
        free(err);
        free(dir);
    }
    /* The started flag is written beside other components' files too. */
    const char *files[4] = { PATH_STARTED };
    size_t nf = 1;
    for (size_t i = 0; host_yes(h->res[HF_managehost]) && host_owned_files[i]; i++)
        if (nf < ARRAY_SIZE(files))
            files[nf++] = host_owned_files[i];
    for (size_t i = 0; i < nf; i++) {
        char *path = root_path(c->o->root, files[i]), *err = NULL;
        size_t n = 0;
        if (fs_remove_stale_temps_of(path, &n, &err) < 0)
            msg_warn("configure: %s", err);
        if (n)
            msg_info("configure: removed %zu temporary file%s of %s left by an interrupted run",
                     n, n == 1 ? "" : "s", files[i]);
        free(err);
        free(path);
    }
}

/* Report one planned or applied item. */
static void report_item(const struct cfg_item *it, bool dry)
{
    const char *g = it->guest;
    if (it->failed) {
        msg_error("guest '%s': %s", g, it->err);
        return;
    }
    switch (it->action) {
    case CFG_CREATE:
        msg_info("guest '%s': %s %s", g, it->path, dry ? "would be created" : "created");
        break;
    case CFG_UPDATE:
        msg_info("guest '%s': %s %s", g, it->path, dry ? "would be updated" : "updated");
        break;
    case CFG_UNCHANGED:
        /* Only changes are news: the summary counts the rest. */
        msg_debug("guest '%s': %s unchanged", g, it->path);
        break;
    case CFG_RETIRE:
        msg_info("guest '%s': left the profile: %s %s %s (its disks are kept)", g, it->path,
                 dry ? "would be retired to" : "retired to", it->dest);
        break;
    case CFG_LINK:
        msg_info("guest '%s': autostart link %s -> %s %s", g, it->path, it->dest,
                 dry ? "would be created" : "created");
        break;
    case CFG_UNLINK:
        msg_info("guest '%s': autostart link %s %s (the component boots its guests itself)", g,
                 it->path, dry ? "would be removed" : "removed");
        break;
    case CFG_WARN:
        msg_warn("guest '%s': %s %s", g, it->path, it->note);
        break;
    }
}

/* ------------------------------------------------------- guests on Xen */

static bool alive(const struct hv_domain *d)
{
    return d->state == DOM_RUNNING || d->state == DOM_PAUSED;
}

/* A list's domains by name (then in list order), so that finding every
 * guest's domain costs a binary search each, not a walk of the list. */
struct dom_index {
    const struct hv_domain **by_name;
    size_t n;
};

static int cmp_dom_by_name(const void *a, const void *b)
{
    const struct hv_domain *x = *(const struct hv_domain *const *)a;
    const struct hv_domain *y = *(const struct hv_domain *const *)b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x > y) - (x < y);
}

static struct dom_index dom_index_new(const struct hv_domain *doms, size_t n)
{
    struct dom_index ix = { xcalloc(n ? n : 1, sizeof(*ix.by_name)), n };
    for (size_t i = 0; i < n; i++)
        ix.by_name[i] = &doms[i];
    qsort(ix.by_name, n, sizeof(*ix.by_name), cmp_dom_by_name);
    return ix;
}

static void dom_index_free(struct dom_index *ix)
{
    free(ix->by_name);
    ix->by_name = NULL;
    ix->n = 0;
}

/* The first domain of the list called name, or NULL. */
static const struct hv_domain *find_domain(const struct dom_index *ix, const char *name)
{
    size_t lo = 0, hi = ix->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(ix->by_name[mid]->name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ix->n && !strcmp(ix->by_name[lo]->name, name) ? ix->by_name[lo] : NULL;
}

/* Domain domid of a list (which is in domid order: hv.h), or NULL. */
static const struct hv_domain *find_domid(const struct hv_domain *doms, size_t n,
                                          unsigned domid)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (doms[mid].domid < domid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && doms[lo].domid == domid ? &doms[lo] : NULL;
}

/* The toolstack as the host's resources say: xl, xlcreatetimeout,
 * xltimeout (validated: 1-86400 s). */
static struct hv_xl xl_of(const struct host *h)
{
    return (struct hv_xl){ .path = h->res[HF_xl],
                           .create_timeout_ms = (unsigned)h->xl_create_timeout * 1000,
                           .timeout_ms = (unsigned)h->xl_timeout * 1000 };
}

static struct hv *open_hv(struct ctx *c, const struct host *h, const char *method)
{
    struct hv *hv = NULL;
    char *err = NULL;
    struct hv_xl xl = xl_of(h);
    if (hv_open(c->o->hypervisor, c->o->root, &xl, &hv, &err) < 0) {
        msg_fail("%s: %s", method, err);
        free(err);
        return NULL;
    }
    msg_debug("%s: hypervisor backend %s", method, hv->ops->name);
    return hv;
}

/* Is there a hypervisor to ask (without creating simulator state on a
 * plain host)? */
static bool hv_reachable(struct ctx *c)
{
    char *simdir = root_path(c->o->root, "/var/lib/lcfg/xen/sim/domains");
    bool sim_in_use = access(simdir, F_OK) == 0;
    free(simdir);
    return c->o->hypervisor || hv_is_dom0(c->o->root) || sim_in_use;
}

/* Fields whose change a running guest only sees after a restart (memory
 * and vcpus within their maxima are changed live; the rest below does not
 * concern the running domain). */
static bool needs_restart_field(int f)
{
    switch (f) {
    case GF_memory: case GF_vcpus: case GF_boot: case GF_bootorder: case GF_restart:
    case GF_shutdowntimeout:
    case GF_diskreuse: case GF_diskalloc: case GF_template:
    case GF_maxmem: case GF_maxvcpus: /* compared by their effective values */
        return false;
    default:
        return true;
    }
}

/* Live changes: for each managed guest that is running, apply memory and
 * vcpus within what the running domain allows, and report every other
 * change as needing a restart. Never touches a domain not in the profile.
 * Returns the number of failures. */
struct stopping {
    const struct guest *g;
    unsigned domid;
    double asked;
    bool done;
};

static size_t boot_list(struct ctx *c, const struct host *h, struct hv *hv,
                        const struct guest **list, size_t n, const char *method);
static size_t stop_guests(struct hv *hv, struct stopping *st, size_t n);

/* Restart the guests of st (restart_<tag> set, changes waiting): ask them
 * to shut down, as stop does, then boot those that went from their new
 * configuration. Returns the failures. */
static size_t restart_guests(struct ctx *c, const struct host *h, struct hv *hv,
                             struct stopping *st, size_t n)
{
    size_t failed = stop_guests(hv, st, n), nb = 0;
    struct hv_domain *doms = NULL;
    size_t m = 0;
    char *err = NULL;
    if (hv->ops->list(hv, &doms, &m, &err) < 0) {
        msg_error("configure: cannot list the domains: %s", err);
        free(err);
        return failed + 1;
    }
    const struct guest **list = xcalloc(n, sizeof(*list));
    for (size_t i = 0; i < n; i++) {
        const struct hv_domain *d = find_domid(doms, m, st[i].domid);
        if (d)
            msg_error("guest '%s': still running (domid %u): not restarted", st[i].g->name,
                      d->domid);
        else
            list[nb++] = st[i].g;
    }
    failed += boot_list(c, h, hv, list, nb, "configure");
    free(list);
    free(doms);
    return failed;
}

static size_t live_changes(struct ctx *c, const struct host *h, const struct host *prev, bool dry,
                           bool may_restart)
{
    /* Only where there is a hypervisor to talk to: never create the
     * simulator's state as a side effect of configuring a plain host. */
    if (!hv_reachable(c))
        return 0;
    struct hv *hv = NULL;
    char *err = NULL;
    struct hv_xl xl = xl_of(h);
    if (hv_open(c->o->hypervisor, c->o->root, &xl, &hv, &err) < 0) {
        msg_warn("configure: running guests not examined: %s", err);
        free(err);
        return 0;
    }
    struct hv_domain *doms = NULL;
    size_t n = 0, failed = 0, nrestart = 0;
    struct stopping *restart = xcalloc(h->nguests ? h->nguests : 1, sizeof(*restart));
    struct dom_index ix = { 0 };
    if (hv->ops->list(hv, &doms, &n, &err) < 0) {
        msg_error("configure: cannot list the domains: %s", err);
        failed++;
        goto out;
    }
    ix = dom_index_new(doms, n);
    for (size_t i = 0; i < h->nguests; i++) {
        const struct guest *g = &h->guests[i];
        const struct hv_domain *d = find_domain(&ix, g->name);
        if (!d || !alive(d))
            continue;
        bool need = false;
        unsigned long long want_kb = (unsigned long long)g->memory * 1024;
        if (d->target_kb != want_kb) {
            if (want_kb > d->max_kb) {
                need = true;
                msg_warn("guest '%s': memory %lu MB needs restart (the running domain's maximum is %llu MB)",
                         g->name, g->memory, d->max_kb / 1024);
            } else if (dry) {
                msg_info("guest '%s': memory %llu -> %lu MB would be applied live", g->name,
                         d->target_kb / 1024, g->memory);
            } else if (hv->ops->set_memory(hv, d->domid, want_kb, &err) < 0) {
                msg_error("guest '%s': cannot change its memory live: %s", g->name, err);
                failed++;
            } else {
                msg_info("guest '%s': memory %llu -> %lu MB applied live", g->name,
                         d->target_kb / 1024, g->memory);
            }
        }
        if (d->vcpus != g->vcpus) {
            if (g->vcpus > d->max_vcpus) {
                need = true;
                msg_warn("guest '%s': %lu vcpus needs restart (the running domain's maximum is %u)",
                         g->name, g->vcpus, d->max_vcpus);
            } else if (dry) {
                msg_info("guest '%s': vcpus %u -> %lu would be applied live", g->name, d->vcpus,
                         g->vcpus);
            } else if (hv->ops->set_vcpus(hv, d->domid, (unsigned)g->vcpus, &err) < 0) {
                msg_error("guest '%s': cannot change its vcpus live: %s", g->name, err);
                failed++;
            } else {
                msg_info("guest '%s': vcpus %u -> %lu applied live", g->name, d->vcpus, g->vcpus);
            }
        }
        const struct guest *pg = prev ? host_find_guest(prev, g->tag) : NULL;
        struct buf changed = BUF_INIT;
        if (pg && pg->maxmem != g->maxmem)
            buf_addf(&changed, "maxmem_%s", g->tag);
        if (pg && pg->maxvcpus != g->maxvcpus)
            buf_addf(&changed, "%smaxvcpus_%s", changed.len ? ", " : "", g->tag);
        for (int f = 0; pg && f < GF_COUNT; f++)
            if (needs_restart_field(f) && strcmp(pg->res[f], g->res[f])) {
                if (changed.len)
                    buf_adds(&changed, ", ");
                buf_addf(&changed, "%s_%s", schema_guest[f].name, g->tag);
            }
        if (changed.len) {
            need = true;
            msg_warn("guest '%s': changed %s: needs restart (the running domain keeps its old "
                     "settings until then)", g->name, buf_str(&changed));
        }
        buf_free(&changed);
        if (!need || !g->restart)
            continue;
        if (dry) {
            msg_info("guest '%s': would be restarted to apply this (restart_%s)", g->name, g->tag);
        } else if (!may_restart) {
            msg_warn("guest '%s': not restarted (restart_%s): configure has failed above", g->name,
                     g->tag);
        } else {
            msg_info("guest '%s': restarting to apply this (restart_%s)", g->name, g->tag);
            restart[nrestart].g = g;
            restart[nrestart].domid = d->domid;
            nrestart++;
        }
    }
    if (nrestart)
        failed += restart_guests(c, h, hv, restart, nrestart);
out:
    dom_index_free(&ix);
    free(restart);
    free(err);
    free(doms);
    hv->ops->close(hv);
    return failed;
}

static const char *disk_kind(const struct disk *d)
{
    if (d->type == DISK_LVM)
        return "LVM volume";
    return d->format == FORMAT_QCOW2 ? "qcow2 image" : "raw image";
}

/* Report one disk; returns 1 when it counts as a failure. */
static int report_disk(const struct disk_item *it, bool dry)
{
    const char *g = it->g->name, *p = it->d->path;
    if (it->failed) {
        msg_error("guest '%s': disk %s: %s", g, p, it->err);
        return 1;
    }
    /* The sizes are words only where a message uses them. */
    bool sizes = it->action == DK_CREATE || it->action == DK_DIFFERS;
    char *want = sizes ? disks_size_str(it->want) : NULL;
    char *have = sizes ? disks_size_str(it->have) : NULL;
    int bad = 0;
    switch (it->action) {
    case DK_CREATE:
        msg_info("guest '%s': disk %s: %s (%s %s, %s)", g, p, dry ? "would be created" : "created",
                 want, disk_kind(it->d), it->d->type == DISK_LVM ? "new volume"
                 : it->full ? "fully allocated" : "sparse");
        break;
    case DK_OK:
        msg_debug("guest '%s': disk %s: exists (size ok)", g, p);
        break;
    case DK_DIFFERS:
        msg_warn("guest '%s': disk %s: exists (size differs: profile %s, disk %s); left as it is",
                 g, p, want, have);
        break;
    case DK_DEVICE:
        msg_info("guest '%s': disk %s: exists (block device; never written by the component)", g, p);
        break;
    case DK_REFUSED:
        msg_error("guest '%s': disk %s: refused: %s", g, p, it->note);
        bad = 1;
        break;
    }
    free(want);
    free(have);
    return bad;
}

/* Record the config files that now hold what was rendered (or were known
 * to already), for the next configure; a cache, so failing is a warning. */
static void record_rendered(struct ctx *c, const struct cfg_plan *plan,
                            const struct render_trace *traces, const struct rendered *was)
{
    struct rendered *next = rendered_new();
    for (size_t i = 0; i < plan->n; i++) {
        const struct cfg_item *it = &plan->v[i];
        if (it->failed ||
            (it->action != CFG_CREATE && it->action != CFG_UPDATE && it->action != CFG_UNCHANGED))
            continue;
        if (traces[it->index].names)
            rendered_add(next, it->path, &traces[it->index]);
        else
            rendered_keep(next, was, it->path);
    }
    char *err = NULL;
    if (rendered_save(next, was, c->o->root, &err) < 0)
        msg_warn("configure: %s (the next configure renders every guest again)", err);
    free(err);
    rendered_free(next);
}

static int m_configure(struct ctx *c, int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        msg_fail("configure: takes no arguments");
        return 1;
    }
    const bool dry = c->o->dry_run;
    struct resset *rs = resset_new();
    char *src = NULL, *err = NULL;
    int rc = 1;
    struct host *h = NULL, *prev = NULL;
    char **texts = NULL, *status = NULL;
    struct render_trace *traces = NULL;
    struct rendered *was = NULL;
    struct cfg_plan plan = { 0 };
    struct disk_plan dplan = { 0 };
    if (read_current(c, rs, &src, &err) < 0) {
        msg_fail("configure: %s", err);
        goto out;
    }
    msg_debug("configure: resources from %s", src);
    h = build_model(rs, "configure");
    /* The model holds its own copy: the input can go (memory at scale). */
    resset_free(rs);
    rs = NULL;
    if (!h)
        goto out;

    /* The previous configuration first: its input is freed before the
     * rendered texts exist (memory at scale). */
    status = host_format_status(h);
    bool saved_same, saved_differs;
    prev = load_previous(c, h, status, &saved_same, &saved_differs);

    /* Render every guest before touching anything: a template error is a
     * configuration error like any other. A guest whose file is known to
     * hold what its render would give (rendered.h) is left as it is. */
    texts = xcalloc(h->nguests, sizeof(*texts));
    traces = xcalloc(h->nguests, sizeof(*traces));
    was = rendered_load(c->o->root);
    size_t bad = 0, nknown = 0;
    struct render_cache *rcache = render_cache_new();
    for (size_t i = 0; i < h->nguests; i++) {
        const struct guest *g = &h->guests[i];
        char *cp = configs_path(h, g);
        bool current = rendered_current(was, h, g, cp, c->o->root, rcache);
        free(cp);
        nknown += current;
        if (!current &&
            render_guest_traced(h, g, c->o->root, rcache, &texts[i], &traces[i], &err) < 0) {
            msg_error("%s", err);
            bad++;
        }
    }
    render_cache_free(rcache);
    msg_debug("configure: %zu of %zu guest%s rendered; the files of the others hold what they "
              "would render", h->nguests - nknown, h->nguests, h->nguests == 1 ? "" : "s");
    if (bad) {
        msg_fail("configure: %zu guest%s could not be rendered; nothing changed", bad,
                 bad == 1 ? "" : "s");
        goto out;
    }

    if (configs_plan(h, texts, prev, c->o->root, (long long)time(NULL), &plan, &err) < 0) {
        msg_fail("configure: %s; nothing changed", err);
        goto out;
    }
    /* The plan holds what it needs of them. */
    for (size_t i = 0; i < h->nguests; i++)
        free(texts[i]);
    free(texts);
    texts = NULL;
    if (disks_plan(h, c->o->root, &dplan, &err) < 0) {
        msg_fail("configure: %s; nothing changed", err);
        goto out;
    }
    if (!dry)
        remove_stale_temps(c, h);
    size_t failed = dry ? 0 : disks_apply(&dplan, h, c->o->root, (long long)time(NULL));
    size_t dn[DK_REFUSED + 1] = { 0 };
    for (size_t i = 0; i < dplan.n; i++) {
        if (report_disk(&dplan.v[i], dry) && !dplan.v[i].failed)
            failed++;
        if (!dplan.v[i].failed)
            dn[dplan.v[i].action]++;
    }
    /* A guest with a refused disk keeps its previous config (or has
     * none): never a config naming a disk the component refused. */
    for (size_t i = 0; i < plan.n; i++) {
        struct cfg_item *it = &plan.v[i];
        const struct disk_item *rd;
        if ((it->action == CFG_CREATE || it->action == CFG_UPDATE) &&
            (rd = disks_guest_refused(&dplan, it->index))) {
            set_error(&it->err, "config %s: disk %s refused (%s)",
                      dry ? "would not be written" : "not written", rd->d->path,
                      it->action == CFG_UPDATE ? "its previous config is kept" : "it has none yet");
            it->action = CFG_WARN; /* configs_apply leaves it alone */
            it->failed = 1;
        }
    }
    failed += dry ? 0 : configs_apply(&plan, c->o->root);
    if (!dry)
        record_rendered(c, &plan, traces, was);
    failed += live_changes(c, h, prev, dry, failed == 0);
    failed += configure_host(c, h, dry);
    size_t n[CFG_WARN + 1] = { 0 };
    for (size_t i = 0; i < plan.n; i++) {
        const struct cfg_item *it = &plan.v[i];
        report_item(it, dry);
        if (!it->failed)
            n[it->action]++;
        if (dry && (it->action == CFG_CREATE || it->action == CFG_UPDATE)) {
            char *d = diff_unified(it->old ? it->old : "", it->text,
                                   it->old ? it->path : "/dev/null", it->path);
            fputs(d, stdout);
            free(d);
        }
    }
    char *summary = xasprintf("%zu guest%s: %zu created, %zu updated, %zu unchanged, %zu retired; "
                              "disks: %zu created, %zu present, %zu of another size, %zu refused",
                              h->nguests, h->nguests == 1 ? "" : "s", n[CFG_CREATE],
                              n[CFG_UPDATE], n[CFG_UNCHANGED], n[CFG_RETIRE], dn[DK_CREATE],
                              dn[DK_OK] + dn[DK_DEVICE], dn[DK_DIFFERS], dn[DK_REFUSED]);

    /* record */
    char *path = root_path(c->o->root, PATH_STATUS);
    if (dry) {
        char *old = NULL;
        bool same = saved_same ||
                    (fs_read_file(path, &old, NULL, NULL) == 0 && !strcmp(old, status));
        free(old);
        if (failed) {
            msg_fail("configure (dry run): %s; %zu disk%s would be refused; nothing changed",
                     summary, failed, failed == 1 ? "" : "s");
        } else {
            msg_ok("configure (dry run): %s; saved resources would be %s; nothing changed",
                   summary, same ? "unchanged" : "updated");
            rc = 0;
        }
    } else if (failed) {
        msg_fail("configure: %s; %zu disk%s or file%s failed, so the saved resources are left as "
                 "they were", summary, failed, failed == 1 ? "" : "s", failed == 1 ? "" : "s");
    } else {
        char *dir = root_path(c->o->root, PATH_STATUS_DIR);
        enum fs_change ch = FS_UNCHANGED;
        struct stat st;
        /* Read at the start and found the same (the lock kept other runs
         * out since): it need not be read again to be compared. */
        bool same = saved_same && lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
                    (st.st_mode & 07777) == 0644;
        /* /run is a tmpfs on LCFG hosts, emptied at every boot: an fsync
         * there would buy nothing. The rename keeps readers' view whole. */
        if (!same && (fs_mkdir_p(dir, 0755, &err) < 0 ||
                      fs_write_atomic_ex(path, status, strlen(status), 0644,
                                         FS_NO_SYNC | (saved_differs ? FS_KNOWN_CHANGED : 0),
                                         &ch, &err) < 0)) {
            msg_fail("configure: cannot save the applied resources: %s", err);
        } else {
            char *ev = xasprintf("%s/%s.err", log_dir(), COMPONENT);
            (void)unlink(ev); /* the profile is good again: clear the error event */
            free(ev);
            msg_ok("configure: %s; saved resources %s", summary,
                   ch == FS_UNCHANGED ? "unchanged" : ch == FS_CREATED ? "created" : "updated");
            rc = 0;
        }
        free(dir);
    }
    free(summary);
    free(path);
out:
    free(status);
    for (size_t i = 0; traces && i < h->nguests; i++)
        render_trace_free(&traces[i]);
    free(traces);
    rendered_free(was);
    disks_plan_free(&dplan);
    configs_plan_free(&plan);
    for (size_t i = 0; texts && i < h->nguests; i++)
        free(texts[i]);
    free(texts);
    host_free(prev);
    host_free(h);
    free(src);
    free(err);
    resset_free(rs);
    return rc;
}

/* One disk of the saved configuration, with what exists now. */
static void print_disk(FILE *out, const struct disk *d, const struct disk_item *it)
{
    char *size = disks_size_str(d->size_gb * GIB);
    switch (d->type) {
    case DISK_NONE:
        free(size);
        return;
    case DISK_IMAGE:
        fprintf(out, "  disk      %s %s image %s\n", d->path, d->format == FORMAT_QCOW2 ? "qcow2" : "raw",
                size);
        break;
    case DISK_PHYSICAL:
        fprintf(out, "  disk      %s physical\n", d->path);
        break;
    case DISK_LVM:
        fprintf(out, "  disk      %s LVM volume %s\n", d->path, size);
        break;
    }
    free(size);
    if (!it)
        return;
    char *have = disks_size_str(it->have);
    switch (it->action) {
    case DK_CREATE:
        fprintf(out, "            missing (configure creates it)\n");
        break;
    case DK_OK:
        fprintf(out, "            present, size ok\n");
        break;
    case DK_DIFFERS:
        fprintf(out, "            present, size differs: %s\n", have);
        break;
    case DK_DEVICE:
        fprintf(out, "            present (block device)\n");
        break;
    case DK_REFUSED:
        fprintf(out, "            refused: %s\n", it->note);
        break;
    }
    if (it->owner)
        fprintf(out, "            created for %s\n", it->owner);
    free(have);
}

/* The names of the profile's guests, sorted, for managed(). */
struct name_set {
    const char **v;
    size_t n;
};

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static struct name_set guest_names(const struct host *h)
{
    struct name_set ns = { xcalloc(h->nguests ? h->nguests : 1, sizeof(*ns.v)), h->nguests };
    for (size_t i = 0; i < h->nguests; i++)
        ns.v[i] = h->guests[i].name;
    qsort(ns.v, ns.n, sizeof(*ns.v), cmp_str_ptr);
    return ns;
}

/* Domain-0, or a guest of the profile (names: guest_names): not listed as
 * unmanaged. */
static bool managed(const struct name_set *names, const struct hv_domain *d)
{
    if (d->domid == 0)
        return true;
    const char *key = d->name;
    return bsearch(&key, names->v, names->n, sizeof(*names->v), cmp_str_ptr) != NULL;
}

static const char *state_name(const struct hv_domain *d)
{
    static const char *const n[] = { "running", "paused", "shut down", "crashed", "dying" };
    return d ? n[d->state] : "stopped";
}

static void json_str(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(out, "\\u%04x", ch);
        else
            fputc(ch, out);
    }
    fputc('"', out);
}

static const char *disk_state(const struct disk_item *it)
{
    if (!it)
        return "unknown";
    static const char *const n[] = { "missing", "present", "size-differs", "present", "refused" };
    return n[it->action];
}

enum cfg_state { CFGST_CURRENT, CFGST_MISSING, CFGST_DIFFERS, CFGST_UNKNOWN };

/* What telling whether config files are current takes: templates, and
 * the record of what configure rendered. */
struct cfgcheck {
    struct render_cache *rc;
    struct rendered *was;
};

static struct cfgcheck cfgcheck_new(struct ctx *c)
{
    return (struct cfgcheck){ render_cache_new(), rendered_load(c->o->root) };
}

static void cfgcheck_free(struct cfgcheck *cc)
{
    render_cache_free(cc->rc);
    rendered_free(cc->was);
}

/* Guest g's config file against a render of the saved configuration:
 * edited by hand, removed, or not yet written. *why: for CFGST_UNKNOWN.
 * A file the record knows to be current is not rendered (rendered.h). */
static enum cfg_state config_state(struct ctx *c, const struct host *h, const struct guest *g,
                                   struct cfgcheck *cc, char **why)
{
    char *want = NULL, *have = NULL;
    enum cfg_state st;
    char *file = configs_path(h, g);
    char *rfile = root_path(c->o->root, file);
    if (rendered_current(cc->was, h, g, file, c->o->root, cc->rc))
        st = CFGST_CURRENT;
    else if (render_guest(h, g, c->o->root, cc->rc, &want, why) < 0)
        st = CFGST_UNKNOWN;
    else if (fs_read_file(rfile, &have, NULL, why) < 0)
        st = errno == ENOENT ? CFGST_MISSING : CFGST_UNKNOWN;
    else
        st = strcmp(want, have) ? CFGST_DIFFERS : CFGST_CURRENT;
    if (st == CFGST_MISSING) {
        free(*why);
        *why = NULL;
    }
    free(want);
    free(have);
    free(rfile);
    free(file);
    return st;
}

static const char *const cfg_state_text[] = {
    "up to date", "missing (run configure)",
    "differs from the saved configuration (edited by hand? configure puts it back)",
    "unknown",
};
static const char *const cfg_state_json[] = { "current", "missing", "differs", "unknown" };

/* Xen's own additions to a domain's maximum (libxl's slack for PV, video
 * RAM for HVM): a maximum within this above maxmem is maxmem. */
#define MAXMEM_SLACK_MB 16

/* What the running domain d has that the saved configuration of g does
 * not, each as a line in *ret (free with strs_free). */
static size_t pending_changes(const struct guest *g, const struct hv_domain *d, char ***ret)
{
    char **v = xcalloc(4, sizeof(*v));
    size_t n = 0;
    unsigned long long max_mb = d->max_kb / 1024, target_mb = d->target_kb / 1024;
    if (g->maxmem > max_mb || max_mb > g->maxmem + MAXMEM_SLACK_MB)
        v[n++] = xasprintf("maxmem %lu MB: needs restart (the running domain's maximum is %llu MB)",
                           g->maxmem, max_mb);
    if (g->type != GUEST_HVM && target_mb != g->memory)
        v[n++] = g->memory > max_mb
            ? xasprintf("memory %lu MB: needs restart (the running domain's maximum is %llu MB)",
                        g->memory, max_mb)
            : xasprintf("memory %lu MB: configure applies it live (the running domain has %llu MB)",
                        g->memory, target_mb);
    if (g->maxvcpus != d->max_vcpus)
        v[n++] = xasprintf("maxvcpus %lu: needs restart (the running domain's maximum is %u)",
                           g->maxvcpus, d->max_vcpus);
    if (g->vcpus != d->vcpus)
        v[n++] = g->vcpus > d->max_vcpus
            ? xasprintf("vcpus %lu: needs restart (the running domain's maximum is %u)", g->vcpus,
                        d->max_vcpus)
            : xasprintf("vcpus %lu: configure applies it live (the running domain has %u)",
                        g->vcpus, d->vcpus);
    *ret = v;
    return n;
}

static void strs_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void status_json(struct ctx *c, FILE *out, const struct host *h,
                        const struct disk_plan *dp, const struct hv_domain *doms, size_t n,
                        bool have_hv, long long now, struct cfgcheck *rc)
{
    fputs("{\n  \"hypervisor\": ", out);
    fputs(have_hv ? "true" : "false", out);
    fputs(",\n  \"guests\": [", out);
    struct dom_index ix = dom_index_new(doms, n);
    for (size_t i = 0; i < h->nguests; i++) {
        const struct guest *g = &h->guests[i];
        const struct hv_domain *d = find_domain(&ix, g->name);
        fprintf(out, "%s\n    {\"name\": ", i ? "," : "");
        json_str(out, g->name);
        fputs(", \"tag\": ", out);
        json_str(out, g->tag);
        fprintf(out, ", \"uuid\": \"%s\", \"boot\": %s, \"memory_mb\": %lu, \"maxmem_mb\": %lu, "
                "\"vcpus\": %lu, \"maxvcpus\": %lu, \"state\": ", g->uuid, g->boot ? "true" : "false",
                g->memory, g->maxmem, g->vcpus, g->maxvcpus);
        json_str(out, have_hv ? state_name(d) : "unknown");
        if (d)
            fprintf(out, ", \"domid\": %u, \"mem_kb\": %llu, \"target_kb\": %llu, \"max_kb\": %llu, "
                    "\"online_vcpus\": %u, \"max_vcpus\": %u, \"uptime_s\": %lld", d->domid,
                    d->mem_kb, d->target_kb, d->max_kb, d->vcpus, d->max_vcpus,
                    d->start_time > 0 ? now - d->start_time : -1LL);
        char *why = NULL;
        enum cfg_state cs = config_state(c, h, g, rc, &why);
        fprintf(out, ", \"config\": \"%s\"", cfg_state_json[cs]);
        if (why) {
            fputs(", \"config_error\": ", out);
            json_str(out, why);
            free(why);
        }
        if (d && alive(d)) {
            char **pend;
            size_t np = pending_changes(g, d, &pend);
            fputs(", \"pending\": [", out);
            for (size_t k = 0; k < np; k++) {
                fputs(k ? ", " : "", out);
                json_str(out, pend[k]);
            }
            fputc(']', out);
            strs_free(pend, np);
        }
        fputs(", \"disks\": [", out);
        int nd = 0;
        for (size_t j = 0; j < dp->n; j++) {
            const struct disk_item *it = &dp->v[j];
            if (it->g != g)
                continue;
            fprintf(out, "%s{\"path\": ", nd++ ? ", " : "");
            json_str(out, it->d->path);
            fprintf(out, ", \"type\": \"%s\", \"state\": \"%s\", \"size_bytes\": %llu",
                    disk_type_name(it->d->type), disk_state(it), it->want);
            if (it->action == DK_OK || it->action == DK_DIFFERS)
                fprintf(out, ", \"actual_bytes\": %llu", it->have);
            if (it->owner) {
                fputs(", \"created_for\": ", out);
                json_str(out, it->owner);
            }
            fputc('}', out);
        }
        fputs("]}", out);
    }
    dom_index_free(&ix);
    fputs("\n  ],\n  \"unmanaged\": [", out);
    int nu = 0;
    struct name_set names = guest_names(h);
    for (size_t k = 0; k < n; k++) {
        if (managed(&names, &doms[k]))
            continue;
        fprintf(out, "%s\n    {\"domid\": %u, \"name\": ", nu++ ? "," : "", doms[k].domid);
        json_str(out, doms[k].name);
        fputs(", \"state\": ", out);
        json_str(out, state_name(&doms[k]));
        fputc('}', out);
    }
    free(names.v);
    fputs(nu ? "\n  ]\n}\n" : "]\n}\n", out);
}

static void uptime_str(char *buf, size_t size, long long secs)
{
    if (secs < 0)
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%lld:%02lld:%02lld", secs / 3600, secs / 60 % 60, secs % 60);
}

/* A method's only option, flag: *set when given. Returns 0, or -1 after
 * saying what is wrong. */
static int one_flag(int argc, char **argv, const char *flag, bool *set)
{
    *set = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], flag)) {
            msg_fail("%s: unknown argument '%s' (usage: %s [%s])", argv[0], argv[i], argv[0],
                     flag);
            return -1;
        }
        *set = true;
    }
    return 0;
}

static int m_status(struct ctx *c, int argc, char **argv)
{
    bool json;
    if (one_flag(argc, argv, "--json", &json) < 0)
        return 1;
    struct host *h = load_saved(c, "status");
    if (!h)
        return 1;
    FILE *out = stdout;
    struct disk_plan dplan = { 0 };
    char *err = NULL;
    if (disks_plan(h, c->o->root, &dplan, &err) < 0) {
        msg_warn("status: cannot look at the disks: %s", err);
        free(err);
        err = NULL;
    }
    struct hv_domain *doms = NULL;
    size_t n = 0;
    bool have_hv = false;
    if (hv_reachable(c)) {
        struct hv *hv = NULL;
        struct hv_xl xl = xl_of(h);
        if (hv_open(c->o->hypervisor, c->o->root, &xl, &hv, &err) < 0 ||
            hv->ops->list(hv, &doms, &n, &err) < 0)
            msg_warn("status: running guests unknown: %s", err);
        else
            have_hv = true;
        if (hv)
            hv->ops->close(hv);
        free(err);
        err = NULL;
    }
    long long now = (long long)time(NULL);
    struct cfgcheck rc = cfgcheck_new(c);
    struct dom_index ix = dom_index_new(doms, n);
    if (json) {
        status_json(c, out, h, &dplan, doms, n, have_hv, now, &rc);
        goto out;
    }
    fprintf(out, "Configured guests: %zu%s\n", h->nguests,
             have_hv ? "" : " (running state unknown: no hypervisor to ask here)");
    if (have_hv) {
        fprintf(out, "\n%-16s %-5s %-10s %5s  %-22s %-6s %s\n", "GUEST", "BOOT", "STATE", "DOMID",
                "MEMORY MB now/tgt/max", "VCPUS", "UPTIME");
        for (size_t i = 0; i < h->nguests; i++) {
            const struct guest *g = &h->guests[i];
            const struct hv_domain *d = find_domain(&ix, g->name);
            char mem[80] = "-", cpus[32] = "-", up[64] = "-", id[16] = "-";
            if (d) {
                snprintf(id, sizeof(id), "%u", d->domid);
                snprintf(mem, sizeof(mem), "%llu/%llu/%llu", d->mem_kb / 1024, d->target_kb / 1024,
                         d->max_kb / 1024);
                snprintf(cpus, sizeof(cpus), "%u/%u", d->vcpus, d->max_vcpus);
                uptime_str(up, sizeof(up), d->start_time > 0 ? now - d->start_time : -1);
            }
            fprintf(out, "%-16s %-5s %-10s %5s  %-22s %-6s %s\n", g->name, g->boot ? "yes" : "no",
                    state_name(d), id, mem, cpus, up);
        }
        struct name_set names = guest_names(h);
        for (size_t k = 0; k < n; k++) {
            if (!managed(&names, &doms[k]))
                fprintf(out, "%-16s %-5s %-10s %5u  (not in the profile: never touched)\n",
                        doms[k].name, "-", state_name(&doms[k]), doms[k].domid);
        }
        free(names.v);
    }
    for (size_t i = 0; i < h->nguests; i++) {
        const struct guest *g = &h->guests[i];
        fprintf(out, "\n%s\n", g->name);
        fprintf(out, "  uuid      %s\n", g->uuid);
        fprintf(out, "  boot      %s\n", g->boot ? "yes (started with the component)" : "no");
        fprintf(out, "  type      %s\n", guest_type_name(g->type));
        fprintf(out, "  memory    %lu MB (max %lu MB)\n", g->memory, g->maxmem);
        fprintf(out, "  vcpus     %lu (max %lu)\n", g->vcpus, g->maxvcpus);
        char *why = NULL;
        enum cfg_state cs = config_state(c, h, g, &rc, &why);
        fprintf(out, "  config    %s/%s.cfg %s%s%s\n", h->res[HF_configdir], g->name,
                cfg_state_text[cs], why ? ": " : "", why ? why : "");
        free(why);
        const struct hv_domain *d = have_hv ? find_domain(&ix, g->name) : NULL;
        if (d && alive(d)) {
            char **pend;
            size_t np = pending_changes(g, d, &pend);
            for (size_t k = 0; k < np; k++)
                fprintf(out, "  pending   %s\n", pend[k]);
            strs_free(pend, np);
        }
        for (int k = 0; k < 2; k++) {
            const struct disk_item *it = NULL;
            for (size_t j = 0; j < dplan.n; j++)
                if (dplan.v[j].g == g && dplan.v[j].index == k)
                    it = &dplan.v[j];
            print_disk(out, &g->disks[k], it);
        }
        if (!str_empty(g->res[GF_cdpath]))
            fprintf(out, "  cdrom     %s\n", g->res[GF_cdpath]);
        for (int k = 0; k < 2; k++) {
            const struct nic *nic = &g->nics[k];
            if (nic->present)
                fprintf(out, "  eth%d      %s on %s (%s)\n", k,
                        str_empty(nic->mac) ? "(MAC chosen by xl)" : nic->mac, nic->bridge,
                        nic->script);
        }
    }
out:
    dom_index_free(&ix);
    cfgcheck_free(&rc);
    free(doms);
    disks_plan_free(&dplan);
    host_free(h);
    return 0;
}

static int m_isstarted(struct ctx *c, int argc, char **argv)
{
    bool quiet;
    if (one_flag(argc, argv, "-q", &quiet) < 0)
        return 1;
    char *path = root_path(c->o->root, PATH_STARTED);
    bool started = access(path, F_OK) == 0;
    free(path);
    if (!quiet)
        msg_info("%s", started ? "started" : "not started");
    return started ? 0 : 1;
}

static int m_logrotate(struct ctx *c, int argc, char **argv)
{
    (void)c;
    (void)argv;
    if (argc > 1) {
        msg_fail("logrotate: takes no arguments");
        return 1;
    }
    /* The log is opened for each message, so a rotated file is simply
     * recreated by the next one: nothing stays open to reopen. */
    msg_log("logrotate: log file reopened");
    return 0;
}

/* Called as each create ends: report it, with the domid where the
 * hypervisor tells it. */
static void booted(void *arg, const struct hv_create_job *job)
{
    struct hv *hv = arg;
    const struct guest *g = job->data;
    struct hv_domain found;
    const struct hv_domain *nd = NULL;
    if (hv->ops->lookup(hv, g->name, &found, NULL) == 0)
        nd = &found;
    if (job->rc < 0) {
        msg_error("guest '%s': boot failed: %s", g->name, job->err);
        /* The guest had no domain before (its remains were destroyed), so
         * one of its name now is what the failed create left behind. */
        char *err = NULL;
        if (nd && hv->ops->destroy(hv, nd->domid, &err) < 0)
            msg_error("guest '%s': its half-built domain (domid %u) cannot be destroyed: %s",
                      g->name, nd->domid, err);
        else if (nd)
            msg_warn("guest '%s': its half-built domain (domid %u) was destroyed", g->name,
                     nd->domid);
        free(err);
        return;
    }
    if (nd)
        msg_info("guest '%s': booted (domid %u)", g->name, nd->domid);
    else
        msg_info("guest '%s': booted", g->name);
}

/* Rising boot group, then profile order (the guests are one array). */
static int by_boot_order(const void *a, const void *b)
{
    const struct guest *x = *(const struct guest *const *)a, *y = *(const struct guest *const *)b;
    if (x->boot_order != y->boot_order)
        return x->boot_order < y->boot_order ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* Boot these guests (not running, no remains): one boot group after the
 * other in rising order, a group's guests side by side, at most the host's
 * parallel at once. list is sorted in place. Returns the failures. */
static size_t boot_list(struct ctx *c, const struct host *h, struct hv *hv,
                        const struct guest **list, size_t n, const char *method)
{
    qsort(list, n, sizeof(*list), by_boot_order);
    bool groups = n > 0 && list[0]->boot_order != list[n - 1]->boot_order;
    size_t failed = 0;
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i; j < n && list[j]->boot_order == list[i]->boot_order; j++)
            ;
        size_t k = j - i;
        char group[48] = "";
        if (groups)
            snprintf(group, sizeof(group), " boot group %lu:", list[i]->boot_order);
        if (groups || k > 1) {
            char how[48] = "";
            if (k > h->parallel)
                snprintf(how, sizeof(how), ", %lu at a time", h->parallel);
            else if (k > 1)
                snprintf(how, sizeof(how), " at once");
            msg_info("%s:%s booting %zu guest%s%s", method, group, k, k == 1 ? "" : "s", how);
        }
        struct hv_create_job *jobs = xcalloc(k, sizeof(*jobs));
        for (size_t x = 0; x < k; x++) {
            char *file = xasprintf("%s/%s.cfg", h->res[HF_configdir], list[i + x]->name);
            jobs[x].path = file;
            jobs[x].rpath = root_path(c->o->root, file);
            jobs[x].data = (void *)list[i + x];
        }
        struct hv_xl xl = xl_of(h);
        failed += hv_create_all(hv->ops->name, c->o->root, &xl, jobs, k,
                                (unsigned)h->parallel, booted, hv);
        for (size_t x = 0; x < k; x++) {
            free((char *)jobs[x].path);
            free((char *)jobs[x].rpath);
            free(jobs[x].err);
        }
        free(jobs);
    }
    return failed;
}

/* Boot the boot=yes guests that are not running; with revive, also those
 * that crashed or were shut down (their remains are destroyed first).
 * Returns the number of failures. */
static size_t boot_guests(struct ctx *c, const struct host *h, struct hv *hv, bool revive,
                          const char *method)
{
    struct hv_domain *doms = NULL;
    size_t n = 0, failed = 0, nboot = 0;
    char *err = NULL;
    if (hv->ops->list(hv, &doms, &n, &err) < 0) {
        msg_error("%s: cannot list the domains: %s", method, err);
        free(err);
        return 1;
    }
    const struct guest **list = xcalloc(h->nguests ? h->nguests : 1, sizeof(*list));
    struct dom_index ix = dom_index_new(doms, n);
    for (size_t i = 0; i < h->nguests; i++) {
        const struct guest *g = &h->guests[i];
        if (!g->boot)
            continue;
        const struct hv_domain *d = find_domain(&ix, g->name);
        if (d && alive(d)) {
            msg_info("guest '%s': running (domid %u)", g->name, d->domid);
            continue;
        }
        if (d) {
            const char *what = d->state == DOM_CRASHED ? "crashed" : "shut down";
            if (hv->ops->destroy(hv, d->domid, &err) < 0) {
                msg_error("guest '%s': %s (domid %u) and its remains cannot be destroyed: %s",
                          g->name, what, d->domid, err);
                failed++;
                continue;
            }
            msg_warn("guest '%s': had %s (domid %u): its remains were destroyed", g->name, what,
                     d->domid);
        } else if (revive) {
            msg_warn("guest '%s': was not running (stopped by hand, or crashed and destroyed)",
                     g->name);
        }
        list[nboot++] = g;
    }
    dom_index_free(&ix);
    failed += boot_list(c, h, hv, list, nboot, method);
    free(list);
    free(err);
    free(doms);
    return failed;
}

static int m_start(struct ctx *c, int argc, char **argv)
{
    if (argc > 1) {
        msg_fail("start: takes no arguments");
        return 1;
    }
    /* As ngeneric: start configures first. */
    if (m_configure(c, argc, argv) != 0) {
        msg_fail("start: configure failed; no guest was booted");
        return 1;
    }
    struct host *h = load_saved(c, "start");
    if (!h)
        return 1;
    /* The Xen daemons first: the guests need xenstored. */
    size_t dfailed = run_daemons(c, h, true);
    struct hv *hv = open_hv(c, h, "start");
    int rc = 1;
    if (hv) {
        char *flag = root_path(c->o->root, PATH_STARTED);
        char *e = NULL;
        char *dir = xstrdup(flag);
        *strrchr(dir, '/') = '\0';
        enum fs_change ch;
        if (fs_mkdir_p(dir, 0755, &e) < 0 || fs_write_atomic(flag, "", 0, 0644, &ch, &e) < 0)
            msg_warn("start: cannot record that the component is started: %s", e);
        free(e);
        free(dir);
        free(flag);
        size_t failed = boot_guests(c, h, hv, false, "start");
        if (failed)
            msg_fail("start: %zu guest%s could not be booted", failed, failed == 1 ? "" : "s");
        else
            msg_ok("start: guests with boot set are running");
        rc = failed ? 1 : 0;
        hv->ops->close(hv);
    }
    if (dfailed) {
        msg_fail("start: %zu daemon%s could not be started", dfailed, dfailed == 1 ? "" : "s");
        rc = 1;
    }
    host_free(h);
    return rc;
}

/* Where the host has drifted from the saved configuration: running
 * guests whose domains lack settings, config files edited or removed.
 * Reported only; run changes nothing else. */
static void report_drift(struct ctx *c, const struct host *h, struct hv *hv)
{
    struct hv_domain *doms = NULL;
    size_t n = 0;
    if (hv->ops->list(hv, &doms, &n, NULL) < 0)
        return;
    struct cfgcheck rc = cfgcheck_new(c);
    struct dom_index ix = dom_index_new(doms, n);
    for (size_t i = 0; i < h->nguests; i++) {
        const struct guest *g = &h->guests[i];
        char *why = NULL;
        enum cfg_state cs = config_state(c, h, g, &rc, &why);
        if (cs != CFGST_CURRENT)
            msg_warn("guest '%s': drift: %s/%s.cfg %s%s%s", g->name, h->res[HF_configdir],
                     g->name, cfg_state_text[cs], why ? ": " : "", why ? why : "");
        free(why);
        const struct hv_domain *d = find_domain(&ix, g->name);
        if (!d || !alive(d))
            continue;
        char **pend;
        size_t np = pending_changes(g, d, &pend);
        for (size_t k = 0; k < np; k++)
            msg_warn("guest '%s': drift: %s", g->name, pend[k]);
        strs_free(pend, np);
    }
    dom_index_free(&ix);
    cfgcheck_free(&rc);
    free(doms);
}

static int m_run(struct ctx *c, int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        msg_fail("run: takes no arguments");
        return 1;
    }
    struct host *h = load_saved(c, "run");
    if (!h)
        return 1;
    struct hv *hv = open_hv(c, h, "run");
    int rc = 1;
    if (hv) {
        size_t failed = boot_guests(c, h, hv, true, "run");
        report_drift(c, h, hv);
        if (failed)
            msg_fail("run: %zu guest%s could not be booted", failed, failed == 1 ? "" : "s");
        else
            msg_ok("run: guests with boot set are running");
        rc = failed ? 1 : 0;
        hv->ops->close(hv);
    }
    host_free(h);
    return rc;
}

/* Ask every target to shut down at once, then wait for them together
 * (event-driven), destroying those that outlive their timeout: the whole
 * takes about as long as the slowest guest. Returns failures. */
static size_t stop_guests(struct hv *hv, struct stopping *st, size_t n)
{
    size_t failed = 0, left = 0;
    char *err = NULL;
    for (size_t i = 0; i < n; i++) {
        st[i].asked = mono_seconds();
        if (hv->ops->shutdown(hv, st[i].domid, &err) < 0) {
            msg_error("guest '%s': cannot ask it to shut down: %s", st[i].g->name, err);
            st[i].done = true;
            failed++;
        } else {
            left++;
        }
    }
    while (left > 0) {
        struct hv_domain *doms = NULL;
        size_t m = 0;
        if (hv->ops->list(hv, &doms, &m, &err) < 0) {
            msg_error("stop: cannot list the domains: %s", err);
            failed += left;
            break;
        }
        double now = mono_seconds(), next = 1e9;
        for (size_t i = 0; i < n; i++) {
            if (st[i].done)
                continue;
            const struct hv_domain *d = find_domid(doms, m, st[i].domid);
            double took = now - st[i].asked;
            if (!d || (d->state == DOM_SHUTDOWN && d->shutdown_reason == HV_SHUTDOWN_POWEROFF)) {
                if (d) /* shut down but not cleaned up: nothing watches it */
                    (void)hv->ops->destroy(hv, d->domid, NULL);
                msg_info("guest '%s': shut down in %.1f s", st[i].g->name, took);
                st[i].done = true;
                left--;
            } else if (took >= (double)st[i].g->shutdown_timeout) {
                if (hv->ops->destroy(hv, st[i].domid, &err) < 0) {
                    msg_error("guest '%s': did not shut down in %lu s and cannot be destroyed: %s",
                              st[i].g->name, st[i].g->shutdown_timeout, err);
                    failed++;
                } else {
                    msg_warn("guest '%s': destroyed after %lu s timeout", st[i].g->name,
                             st[i].g->shutdown_timeout);
                }
                st[i].done = true;
                left--;
            } else {
                double until = st[i].asked + (double)st[i].g->shutdown_timeout;
                if (until < next)
                    next = until;
            }
        }
        free(doms);
        if (left == 0)
            break;
        double wait_s = next - mono_seconds();
        unsigned ms = wait_s <= 0 ? 0 : (unsigned)(wait_s * 1000) + 1;
        if (hv->ops->wait(hv, ms, &err) < 0) {
            msg_error("stop: cannot wait for the guests: %s", err);
            failed += left;
            break;
        }
    }
    free(err);
    return failed;
}

/* Falling boot group, then profile order. */
static int by_stop_order(const void *a, const void *b)
{
    const struct stopping *x = a, *y = b;
    if (x->g->boot_order != y->g->boot_order)
        return x->g->boot_order > y->g->boot_order ? -1 : 1;
    return x->g < y->g ? -1 : x->g > y->g;
}

/* Stop the boot groups in the reverse of their boot order, each group's
 * guests all at once. st is sorted in place. Returns failures. */
static size_t stop_in_order(struct hv *hv, struct stopping *st, size_t n)
{
    qsort(st, n, sizeof(*st), by_stop_order);
    bool groups = n > 0 && st[0].g->boot_order != st[n - 1].g->boot_order;
    size_t failed = 0;
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i; j < n && st[j].g->boot_order == st[i].g->boot_order; j++)
            ;
        if (groups)
            msg_info("stop: boot group %lu: shutting down %zu guest%s", st[i].g->boot_order,
                     j - i, j - i == 1 ? "" : "s");
        failed += stop_guests(hv, st + i, j - i);
    }
    return failed;
}

static int m_stop(struct ctx *c, int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        msg_fail("stop: takes no arguments");
        return 1;
    }
    /* As ngeneric: stop acts on the configuration last applied. */
    struct host *h = load_saved(c, "stop");
    if (!h)
        return 1;
    struct hv *hv = open_hv(c, h, "stop");
    int rc = 1;
    if (hv) {
        struct hv_domain *doms = NULL;
        size_t m = 0;
        char *err = NULL;
        if (hv->ops->list(hv, &doms, &m, &err) < 0) {
            msg_fail("stop: cannot list the domains: %s", err);
        } else {
            struct stopping *st = xcalloc(h->nguests, sizeof(*st));
            size_t n = 0;
            struct dom_index ix = dom_index_new(doms, m);
            for (size_t i = 0; i < h->nguests; i++) {
                const struct guest *g = &h->guests[i];
                const struct hv_domain *d = find_domain(&ix, g->name);
                if (!g->boot || !d || !alive(d))
                    continue;
                st[n].g = g;
                st[n].domid = d->domid;
                n++;
            }
            dom_index_free(&ix);
            size_t failed = stop_in_order(hv, st, n);
            char *flag = root_path(c->o->root, PATH_STARTED);
            (void)unlink(flag);
            free(flag);
            if (failed) {
                msg_fail("stop: %zu guest%s could not be stopped", failed, failed == 1 ? "" : "s");
            } else {
                msg_ok("stop: %zu guest%s stopped", n, n == 1 ? "" : "s");
                rc = 0;
            }
            free(st);
        }
        free(err);
        free(doms);
        hv->ops->close(hv);
    }
    if (run_daemons(c, h, false))
        rc = 1;
    host_free(h);
    return rc;
}

/* --------------------------------------------------- per-guest methods */

enum guest_op { OP_BOOT, OP_SHUTDOWN, OP_REBOOT, OP_DESTROY };

/* boot/shutdown/reboot/destroy NAME...: on guests of the saved
 * configuration only; a domain the profile does not know is refused
 * (destroy --force excepted). */
static int guest_method(struct ctx *c, int argc, char **argv, enum guest_op op)
{
    static const char *const names[] = { "boot", "shutdown", "reboot", "destroy" };
    const char *m = names[op];
    bool force = false;
    int first = 1;
    if (op == OP_DESTROY && argc > 1 && !strcmp(argv[1], "--force")) {
        force = true;
        first = 2;
    }
    if (first >= argc) {
        msg_fail("%s: name at least one guest (usage: %s%s NAME...)", m, m,
                 op == OP_DESTROY ? " [--force]" : "");
        return 1;
    }
    struct host *h = load_saved(c, m);
    if (!h)
        return 1;
    struct hv *hv = open_hv(c, h, m);
    if (!hv) {
        host_free(h);
        return 1;
    }
    struct hv_domain *doms = NULL;
    struct dom_index ix = { 0 };
    size_t n = 0, failed = 0;
    char *err = NULL;
    struct stopping *st = xcalloc((size_t)argc, sizeof(*st));
    const struct guest **boots = xcalloc((size_t)argc, sizeof(*boots));
    size_t nst = 0, nboot = 0;
    if (hv->ops->list(hv, &doms, &n, &err) < 0) {
        msg_fail("%s: cannot list the domains: %s", m, err);
        failed++;
        goto out;
    }
    ix = dom_index_new(doms, n);
    for (int i = first; i < argc; i++) {
        const struct guest *g = NULL;
        for (size_t k = 0; k < h->nguests && !g; k++)
            if (!strcmp(h->guests[k].name, argv[i]) || !strcmp(h->guests[k].tag, argv[i]))
                g = &h->guests[k];
        const struct hv_domain *d = find_domain(&ix, g ? g->name : argv[i]);
        if (!g && !(d && force && op == OP_DESTROY)) {
            if (d)
                msg_error("%s: '%s' (domid %u) is not a guest of this profile: left alone%s", m,
                          argv[i], d->domid, op == OP_DESTROY ? " (destroy --force to insist)" : "");
            else
                msg_error("%s: no guest '%s' in the saved configuration", m, argv[i]);
            failed++;
            continue;
        }
        const char *name = g ? g->name : argv[i];
        if (op == OP_BOOT) {
            bool twice = false;
            for (size_t k = 0; k < nboot; k++)
                twice = twice || boots[k] == g;
            if (twice)
                continue;
            if (d && alive(d)) {
                msg_info("guest '%s': already running (domid %u)", name, d->domid);
                continue;
            }
            if (d && hv->ops->destroy(hv, d->domid, &err) < 0) {
                msg_error("guest '%s': its remains (domid %u) cannot be destroyed: %s", name,
                          d->domid, err);
                failed++;
                continue;
            }
            boots[nboot++] = g;
            continue;
        }
        if (!d) {
            msg_info("guest '%s': not running", name);
            continue;
        }
        if (op == OP_DESTROY) {
            if (hv->ops->destroy(hv, d->domid, &err) < 0) {
                msg_error("guest '%s': cannot destroy it: %s", name, err);
                failed++;
            } else {
                msg_info("guest '%s': destroyed (domid %u)", name, d->domid);
            }
        } else if (op == OP_REBOOT) {
            if (hv->ops->reboot(hv, d->domid, &err) < 0) {
                msg_error("guest '%s': cannot ask it to reboot: %s", name, err);
                failed++;
            } else {
                msg_info("guest '%s': asked to reboot (domid %u)", name, d->domid);
            }
        } else if (alive(d)) {
            st[nst].g = g;
            st[nst].domid = d->domid;
            nst++;
        }
    }
    failed += boot_list(c, h, hv, boots, nboot, m);
    failed += stop_guests(hv, st, nst);
out:
    dom_index_free(&ix);
    if (failed)
        msg_fail("%s: %zu failure%s", m, failed, failed == 1 ? "" : "s");
    free(boots);
    free(st);
    free(err);
    free(doms);
    hv->ops->close(hv);
    host_free(h);
    return failed ? 1 : 0;
}

static int m_boot(struct ctx *c, int argc, char **argv)
{
    return guest_method(c, argc, argv, OP_BOOT);
}

static int m_shutdown(struct ctx *c, int argc, char **argv)
{
    return guest_method(c, argc, argv, OP_SHUTDOWN);
}

static int m_reboot(struct ctx *c, int argc, char **argv)
{
    return guest_method(c, argc, argv, OP_REBOOT);
}

static int m_destroy(struct ctx *c, int argc, char **argv)
{
    return guest_method(c, argc, argv, OP_DESTROY);
}

const struct method methods[] = {
    { "configure", m_configure, M_MODIFIES | M_DRYRUN, "",
      "validate the resources, write each guest's config file, save the resources" },
    { "start", m_start, M_MODIFIES, "",
      "configure, then boot every guest with boot set that is not running" },
    { "stop", m_stop, M_MODIFIES, "",
      "shut the running boot guests down gracefully, all at once; destroy after their timeout" },
    { "run", m_run, M_MODIFIES, "",
      "boot the boot guests that are down (crashed or stopped by hand); change nothing else" },
    { "boot", m_boot, M_MODIFIES, "NAME...", "boot these guests (of the saved configuration)" },
    { "shutdown", m_shutdown, M_MODIFIES, "NAME...",
      "shut these guests down gracefully; destroy after their timeout" },
    { "reboot", m_reboot, M_MODIFIES, "NAME...", "ask these guests to reboot" },
    { "destroy", m_destroy, M_MODIFIES, "[--force] NAME...",
      "destroy these guests at once (--force: also a domain not in the profile)" },
    { "status", m_status, 0, "[--json]",
      "every guest: running state, domid, memory, vcpus, uptime, disks; unmanaged domains" },
    { "isstarted", m_isstarted, 0, "[-q]", "exit 0 if the component is started" },
    { "logrotate", m_logrotate, 0, "", "called after the log file was rotated" },
    { NULL, NULL, 0, NULL, NULL },
};

const struct method *method_find(const char *name)
{
    for (const struct method *m = methods; m->name; m++)
        if (!strcmp(m->name, name))
            return m;
    return NULL;
}

/* ------------------------------------------------------ host set-up */

static void print_host_report(const struct host_report *rep)
{
    for (size_t i = 0; i < rep->n; i++) {
        const struct host_line *l = &rep->v[i];
        if (l->level == HL_ERROR)
            msg_error("%s", l->text);
        else if (l->level == HL_WARN)
            msg_warn("%s", l->text);
        else
            msg_info("%s", l->text);
        if (l->diff)
            fputs(l->diff, stdout);
    }
}

/* configure's host part: packages, GRUB, xendomains, peers. Returns the
 * number of failures. */
static size_t configure_host(struct ctx *c, const struct host *h, bool dry)
{
    struct host_plan plan;
    struct host_report rep = { 0 };
    host_plan(h, c->o->root, &plan);
    host_apply(&plan, h, c->o->root, dry, &rep);
    print_host_report(&rep);
    size_t failed = rep.errors;
    host_report_free(&rep);
    host_plan_free(&plan);
    return failed;
}

/* start/stop's daemons; simulated on the sim backend. Returns failures. */
static size_t run_daemons(struct ctx *c, const struct host *h, bool start)
{
    struct host_report rep = { 0 };
    host_daemons(h, c->o->root, host_simulated(c->o->hypervisor, c->o->root), start, &rep);
    print_host_report(&rep);
    size_t failed = rep.errors;
    host_report_free(&rep);
    return failed;
}
