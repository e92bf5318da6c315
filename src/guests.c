/* guests.c: the methods that act on guests: start, run, stop, and the
 * per-guest boot, shutdown, reboot and destroy. */
#include "methods_impl.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "hv.h"
#include "log.h"
#include "managed.h"
#include "model.h"
#include "paths.h"
#include "util.h"

int m_start(struct ctx *c, int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        msg_fail("start: takes no arguments");
        return 1;
    }
    /* As ngeneric: start configures first. A guest held back by
     * configure is not booted; the others are, once the profile's
     * resources are saved. */
    bool saved;
    int crc = configure(c, &saved);
    if (!saved) {
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
        else if (crc)
            msg_fail("start: guests with boot set are running, but configure failed (above)");
        else
            msg_ok("start: guests with boot set are running");
        rc = failed || crc ? 1 : 0;
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
        const struct hv_domain *d = find_uuid(&ix, g->uuid);
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

int m_run(struct ctx *c, int argc, char **argv)
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

int m_stop(struct ctx *c, int argc, char **argv)
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
            /* Every running guest of the profile, booted by start or by
             * hand (boot NAME), and those that left it and were kept
             * running (xen.onremove keep): the host is shutting down, or
             * the component is. */
            struct managed rec = { 0 };
            if (managed_load(c->o->root, &rec, &err) < 0) {
                msg_warn("stop: the record of managed guests is unreadable (%s): guests that "
                         "left the profile and were kept running are not stopped", err);
                free(err);
                err = NULL;
            }
            struct stopping *st = xcalloc(h->nguests + rec.n + 1, sizeof(*st));
            struct guest *kept = xcalloc(rec.n + 1, sizeof(*kept));
            size_t n = 0, nk = 0;
            struct dom_index ix = dom_index_new(doms, m);
            for (size_t i = 0; i < h->nguests; i++) {
                const struct guest *g = &h->guests[i];
                const struct hv_domain *d = find_uuid(&ix, g->uuid);
                if (!d || !alive(d))
                    continue;
                st[n].g = g;
                st[n].domid = d->domid;
                n++;
            }
            for (size_t i = 0; i < rec.n; i++) {
                const struct hv_domain *d = find_uuid(&ix, rec.v[i].uuid);
                if (rec.v[i].state != MG_KEPT || !d || !alive(d))
                    continue;
                kept[nk].name = rec.v[i].name;
                kept[nk].uuid = rec.v[i].uuid;
                kept[nk].shutdown_timeout = h->shutdown_timeout;
                st[n].g = &kept[nk++];
                st[n].domid = d->domid;
                n++;
            }
            dom_index_free(&ix);
            size_t failed = stop_in_order(hv, st, n);
            free(kept);
            managed_free(&rec);
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

enum guest_op { OP_BOOT, OP_SHUTDOWN, OP_REBOOT, OP_DESTROY };

/* boot/shutdown/reboot/destroy NAME...: on guests of the saved
 * configuration only; a domain the profile does not know is refused
 * (destroy --force excepted). */
/* The guest an argument names: a guest of the saved configuration by its
 * name (a domain's name), else one that left the profile and was kept
 * running (not for boot: *kept is filled for it). A name that is also
 * another guest's tag is ambiguous, and a tag alone is not a name: both
 * are refused, with *why (caller frees). *g is NULL when nothing of the
 * component's has that name (the caller decides about other domains). */
static int resolve(const struct host *h, const struct managed *rec, const char *arg, bool boot,
                   const struct guest **g, struct guest *kept, const char **why)
{
    const struct guest *named = NULL, *tagged = NULL;
    for (size_t k = 0; k < h->nguests; k++) {
        if (!strcmp(h->guests[k].name, arg))
            named = &h->guests[k];
        if (!strcmp(h->guests[k].tag, arg))
            tagged = &h->guests[k];
    }
    *g = named;
    if (named && tagged && tagged != named) {
        *why = xasprintf("'%s' is the name of guest '%s' and the tag of guest '%s': ambiguous, "
                         "left alone", arg, named->name, tagged->name);
        return -1;
    }
    if (named)
        return 0;
    if (tagged) {
        *why = xasprintf("'%s' is the tag of guest '%s', not a guest's name: name guests by "
                         "their names", arg, tagged->name);
        return -1;
    }
    for (size_t k = 0; k < rec->n; k++) {
        if (rec->v[k].state != MG_KEPT || strcmp(rec->v[k].name, arg))
            continue;
        if (boot) {
            *why = xasprintf("'%s' left the profile (kept running by xen.onremove keep): it is "
                             "not booted again", arg);
            return -1;
        }
        kept->name = rec->v[k].name;
        kept->tag = rec->v[k].name;
        kept->uuid = rec->v[k].uuid;
        kept->shutdown_timeout = h->shutdown_timeout;
        *g = kept;
        return 0;
    }
    return 0;
}

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
    struct guest *kept = xcalloc((size_t)argc, sizeof(*kept));
    unsigned *done = xcalloc((size_t)argc, sizeof(*done));
    size_t nst = 0, nboot = 0, nkept = 0, ndone = 0;
    struct managed rec = { 0 };
    if (managed_load(c->o->root, &rec, &err) < 0) {
        msg_fail("%s: the record of managed guests is unreadable: %s", m, err);
        failed++;
        goto out;
    }
    if (hv->ops->list(hv, &doms, &n, &err) < 0) {
        msg_fail("%s: cannot list the domains: %s", m, err);
        failed++;
        goto out;
    }
    ix = dom_index_new(doms, n);
    for (int i = first; i < argc; i++) {
        const struct guest *g = NULL;
        const char *why = NULL;
        if (resolve(h, &rec, argv[i], op == OP_BOOT, &g, &kept[nkept], &why) < 0) {
            msg_error("%s: %s", m, why);
            free((char *)why);
            failed++;
            continue;
        }
        if (g == &kept[nkept])
            nkept++;
        /* A guest is its UUID: its domain is found by it. Only destroy
         * --force takes a domain by name. */
        const struct hv_domain *d = g ? find_uuid(&ix, g->uuid) : find_domain(&ix, argv[i]);
        if (!g && !(d && force && op == OP_DESTROY)) {
            if (d)
                msg_error("%s: '%s' (domid %u) is not a guest of this profile: left alone%s", m,
                          argv[i], d->domid, op == OP_DESTROY ? " (destroy --force to insist)" : "");
            else
                msg_error("%s: no guest '%s' in the saved configuration", m, argv[i]);
            failed++;
            continue;
        }
        /* Named twice: done once. */
        unsigned key = d ? d->domid : ~0u;
        bool twice = false;
        for (size_t k = 0; k < nboot && !twice; k++)
            twice = boots[k] == g;
        for (size_t k = 0; d && k < ndone && !twice; k++)
            twice = done[k] == key;
        if (twice)
            continue;
        if (d)
            done[ndone++] = key;
        const char *name = g ? g->name : argv[i];
        if (op == OP_BOOT) {
            if (d && alive(d)) {
                msg_info("guest '%s': already running (domid %u)", name, d->domid);
                continue;
            }
            if (!bootable(&rec, &ix, g, m)) {
                failed++;
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
    managed_free(&rec);
    free(done);
    free(kept);
    free(boots);
    free(st);
    free(err);
    free(doms);
    hv->ops->close(hv);
    host_free(h);
    return failed ? 1 : 0;
}

int m_boot(struct ctx *c, int argc, char **argv)
{
    return guest_method(c, argc, argv, OP_BOOT);
}

int m_shutdown(struct ctx *c, int argc, char **argv)
{
    return guest_method(c, argc, argv, OP_SHUTDOWN);
}

int m_reboot(struct ctx *c, int argc, char **argv)
{
    return guest_method(c, argc, argv, OP_REBOOT);
}

int m_destroy(struct ctx *c, int argc, char **argv)
{
    return guest_method(c, argc, argv, OP_DESTROY);
}
