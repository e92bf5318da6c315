/* configure.c: the configure method: read, validate, render, plan the
 * files and disks, apply, record the applied resources; and the host's
 * own set-up (hostsetup.c), reported here. */
#include "methods_impl.h"
#include "cpuplace.h"

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
#include "hostsetup.h"
#include "netconf.h"
#include "vifscripts.h"
#include "log.h"
#include "model.h"
#include "paths.h"
#include "render.h"
#include "rendered.h"
#include "util.h"

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
    /* libmsg's way of raising a reboot request is an event (LCFG_Event,
     * "for special events like reboot requests"): xen.reboot, raised once
     * and cleared when the host runs on Xen; the warning above is repeated
     * by every run until then. */
    if (!dry && rep.reboot && !log_has_event("reboot"))
        log_event("reboot", "host: reboot into Xen required (/sys/hypervisor/type is not xen)");
    else if (!dry && !rep.reboot)
        log_clear_event("reboot");
    size_t failed = rep.errors;
    host_report_free(&rep);
    host_plan_free(&plan);
    return failed;
}

/* The bridges a running guest (of the profile, or of the previous one)
 * has a NIC on, for netconf: a bridge in use is not taken down. */
static struct net_busy *running_bridges(const struct host *h, const struct host *prev,
                                        const struct ident *id, size_t *n)
{
    struct net_busy *v = NULL;
    *n = 0;
    const struct host *hosts[] = { h, prev };
    for (size_t k = 0; k < 2; k++)
        for (size_t i = 0; hosts[k] && i < hosts[k]->nguests; i++) {
            const struct guest *g = &hosts[k]->guests[i];
            const struct hv_domain *d = id->hv ? find_uuid(&id->ix, g->uuid) : NULL;
            if (!d || !alive(d))
                continue;
            for (size_t x = 0; x < g->nnics; x++) {
                v = xrealloc(v, (*n + 1) * sizeof(*v));
                v[(*n)++] = (struct net_busy){ g->nics[x].bridge, g->name };
            }
        }
    return v;
}

/* configure's network part: the site vif scripts and the bridges
 * (netconf.h), before a guest may be restarted. Returns the failures. */
static size_t configure_net(struct ctx *c, const struct host *h, const struct host *prev,
                            const struct ident *id, bool dry)
{
    struct host_report rep = { 0 };
    struct net_plan plan;
    struct netsys s;
    struct net_ops ops;
    size_t nbusy;
    struct net_busy *busy = running_bridges(h, prev, id, &nbusy);
    vifscripts_apply(h, c->o->root, dry, &rep);
    netconf_plan(h, c->o->root, &plan);
    net_of(c, h, &s, &ops);
    netconf_apply(&plan, h, c->o->root, &ops, busy, nbusy, dry, &rep);
    print_host_report(&rep);
    size_t failed = rep.errors;
    host_report_free(&rep);
    netconf_plan_free(&plan);
    free(busy);
    return failed;
}

/* A run killed between writing a file's temporary and renaming it leaves
 * the temporary behind: the next configure removes them, in every
 * directory the component writes files into atomically. In the host's
 * directories (/etc/default, managehost; /run/lcfg for the started flag),
 * which hold other programs' files, only the temporaries of the files the
 * component writes there. */
static void remove_stale_temps(struct ctx *c, const struct host *h)
{
    /* Every directory the component writes into atomically; only its own
     * temporaries (their prefix says so) are removed, so in the shared
     * ones (/run/lcfg/status, /etc/default) nobody else's. */
    const char *dirs[] = { h->res[HF_configdir], h->res[HF_autodir], PATH_STATUS_DIR,
                           PATH_STATE_DIR, "/run/lcfg", "/etc/default", "/etc/default/grub.d",
                           NETCONF_IFUPDOWN_DIR, NETCONF_NETWORKD_DIR, h->res[HF_scriptdir] };
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
    /* Those older versions named without the prefix, of its own files. */
    const char *files[8] = { PATH_STATUS, PATH_STARTED };
    size_t nf = 2;
    for (size_t i = 0; host_owned_files[i]; i++)
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
    case CFG_HELD:
        /* Said once per guest, with why, by configure. */
        msg_debug("guest '%s': %s not written: the guest is held back", g, it->path);
        break;
    case CFG_WARN:
        msg_warn("guest '%s': %s %s", g, it->path, it->note);
        break;
    }
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

int configure(struct ctx *c, bool *saved)
{
    *saved = false;
    const bool dry = c->o->dry_run;
    struct ident id;
    bool have_id = false;
    struct resset *rs = resset_new();
    char *src = NULL, *err = NULL;
    int rc = 1;
    struct host *h = NULL, *prev = NULL;
    char **texts = NULL, *status = NULL;
    struct render_trace *traces = NULL;
    struct rendered *was = NULL;
    struct cfg_plan plan = { 0 };
    struct disk_plan dplan = { 0 };
    /* Each warning that still holds is raised again by this run: the
     * warn event then says what the last configure found. */
    if (!dry)
        log_clear_event("warn");
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
    if (ident_observe(c, h, prev, &id) < 0)
        goto out;
    have_id = true;
    /* Said when the profile changed: a change a running guest would
     * otherwise get live, or by a restart, waits for its next boot. */
    if (host_xm(h) && saved_differs && hv_reachable(c))
        msg_info("configure: format xm: running guests are neither looked at nor changed (this "
                 "component drives only xl); a change reaches a guest at its next boot");

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
    for (size_t i = 0; i < h->nguests; i++)
        if (id.renamed_from[i])
            configs_plan_retire(h, id.renamed_from[i], c->o->root, (long long)time(NULL), &plan);
    /* The plan holds what it needs of them. */
    for (size_t i = 0; i < h->nguests; i++)
        free(texts[i]);
    free(texts);
    texts = NULL;
    /* Failures of files and disks (the saved resources are then left as
     * they were), of the hypervisor and the host (reported; the files are
     * what the profile says, so the resources are saved). */
    size_t failed = 0, hvfailed = 0;
    /* A renamed guest's disks follow its name before the disks are looked
     * at: a disk named after the old name is its data, not a stranger. */
    failed += ident_rename_disks(c, h, &id, dry);
    if (disks_plan(h, c->o->root, &dplan, &err) < 0) {
        msg_fail("configure: %s; nothing changed", err);
        goto out;
    }
    ident_hold_disks(h, &dplan, &id);
    /* A guest to be installed is recorded before its new disks are made:
     * a disk made without that record is never installed (install.h). */
    long long now = (long long)time(NULL);
    if (install_mark(c, h, &dplan, now, dry) < 0) {
        msg_fail("configure: no disk was created, no config file written");
        goto out;
    }
    if (!dry)
        remove_stale_temps(c, h);
    failed += dry ? 0 : disks_apply(&dplan, h, c->o->root, now);
    size_t dn[DK_REFUSED + 1] = { 0 };
    for (size_t i = 0; i < dplan.n; i++) {
        report_disk(&dplan.v[i], dry);
        if (!dplan.v[i].failed)
            dn[dplan.v[i].action]++;
    }
    /* A guest with a refused or failed disk is held back: no new config,
     * no boot; the others go on. */
    ident_hold_refused(h, &dplan, &id);
    size_t nheld = 0;
    for (size_t i = 0; i < h->nguests; i++)
        nheld += id.held[i];
    ident_hold_configs(h, &plan, &id);
    failed += dry ? 0 : configs_apply(&plan, c->o->root);
    if (!dry)
        record_rendered(c, &plan, traces, was);
    hvfailed += ident_rename_domains(h, &id, dry);
    /* The pools first: a guest may be moved into one live. */
    hvfailed += cpu_pools_apply(c->o->root, h, id.hv, dry);
    size_t hostfailed = configure_net(c, h, prev, &id, dry);
    hvfailed += live_changes(c, h, &id, dry, failed == 0);
    hvfailed += ident_gone(c, h, &id, dry);
    hostfailed += configure_host(c, h, dry);
    size_t n[CFG_HELD + 1] = { 0 };
    for (size_t i = 0; i < plan.n; i++) {
        const struct cfg_item *it = &plan.v[i];
        const char *to = NULL;
        for (size_t k = 0; it->action == CFG_RETIRE && k < h->nguests && !to; k++)
            if (id.renamed_from[k] && !strcmp(id.renamed_from[k], it->guest))
                to = h->guests[k].name;
        if (to && !it->failed)
            msg_info("guest '%s': renamed from '%s': %s %s %s", to, it->guest, it->path,
                     dry ? "would be retired to" : "retired to", it->dest);
        else
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
    for (size_t i = 0; i < h->nguests; i++) {
        if (!id.held[i])
            continue;
        char *cp = configs_path(h, &h->guests[i]), *rcp = root_path(c->o->root, cp);
        msg_error("guest '%s': held back: %s: it %s and is not booted", h->guests[i].name,
                  id.held_why[i], access(rcp, F_OK) == 0 ? "keeps its previous config"
                                                         : "has no config");
        free(rcp);
        free(cp);
    }
    ident_report_moves(c, h, &id, dry);
    if (!dry)
        lease_running(c, h, &id);
    char *summary = xasprintf("%zu guest%s: %zu created, %zu updated, %zu unchanged, %zu retired; "
                              "disks: %zu created, %zu present, %zu of another size, %zu refused",
                              h->nguests, h->nguests == 1 ? "" : "s", n[CFG_CREATE],
                              n[CFG_UPDATE], n[CFG_UNCHANGED], n[CFG_RETIRE], dn[DK_CREATE],
                              dn[DK_OK] + dn[DK_DEVICE], dn[DK_DIFFERS], dn[DK_REFUSED]);
    char *held = nheld ? xasprintf("; %zu guest%s held back", nheld, nheld == 1 ? "" : "s")
                       : xstrdup("");
    /* What failed, each kind in its own words. */
    struct buf fb = BUF_INIT;
    if (failed)
        buf_addf(&fb, "; %zu disk%s or file%s failed", failed, failed == 1 ? "" : "s",
                 failed == 1 ? "" : "s");
    if (hostfailed)
        buf_addf(&fb, "; %zu host set-up step%s failed", hostfailed, hostfailed == 1 ? "" : "s");
    if (hvfailed)
        buf_addf(&fb, "; %zu hypervisor action%s failed", hvfailed, hvfailed == 1 ? "" : "s");
    char *hvf = buf_detach(&fb);

    /* record */
    char *path = root_path(c->o->root, PATH_STATUS);
    if (dry) {
        char *old = NULL;
        int r = saved_same ? 0 : fs_read_file(path, &old, NULL, NULL);
        const char *would = saved_same || (r == 0 && !strcmp(old, status)) ? "unchanged"
                            : r < 0 ? "created" : "updated";
        free(old);
        if (failed || nheld || hvfailed || hostfailed) {
            msg_fail("configure (dry run): %s%s%s; saved resources would be %s; nothing changed",
                     summary, held, hvf, failed || hostfailed ? "left as they are" : would);
        } else {
            msg_ok("configure (dry run): %s; saved resources would be %s; nothing changed",
                   summary, would);
            rc = 0;
        }
    } else if (failed || hostfailed) {
        /* The host is not what the profile says: the next run must see
         * the difference again. */
        msg_fail("configure: %s%s%s, so the saved resources are left as they were", summary,
                 held, hvf);
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
            *saved = true;
            const char *how = ch == FS_UNCHANGED ? "unchanged" : ch == FS_CREATED ? "created"
                                                                                   : "updated";
            if (nheld || hvfailed) {
                msg_fail("configure: %s%s%s; saved resources %s", summary, held, hvf, how);
            } else {
                log_clear_event("err"); /* the profile is good again */
                msg_ok("configure: %s; saved resources %s", summary, how);
                rc = 0;
            }
        }
        free(dir);
    }
    if (!dry && ident_record(c, h, &id))
        rc = 1;
    free(held);
    free(hvf);
    free(summary);
    free(path);
out:
    if (have_id)
        ident_free(&id, h);
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



/* start/stop's daemons; simulated on the sim backend, and only on a host
 * booted into Xen otherwise. Returns failures. */
size_t run_daemons(struct ctx *c, const struct host *h, bool start)
{
    bool sim = c->o->hypervisor && !strcmp(c->o->hypervisor, "sim");
    if (!sim && !host_booted_xen(c->o->root))
        return 0;
    struct host_report rep = { 0 };
    host_daemons(h, c->o->root, sim, start, &rep);
    print_host_report(&rep);
    size_t failed = rep.errors;
    host_report_free(&rep);
    return failed;
}

int m_configure(struct ctx *c, const struct margs *a)
{
    (void)a;
    bool saved;
    return configure(c, &saved);
}
