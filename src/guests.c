/* guests.c: the methods that act on guests: start, run, stop, and the
 * per-guest boot, shutdown, reboot and destroy. */
#include "methods_impl.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "hv.h"
#include "log.h"
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
    return crc ? 1 : rc;
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
            struct stopping *st = xcalloc(h->nguests, sizeof(*st));
            size_t n = 0;
            struct dom_index ix = dom_index_new(doms, m);
            for (size_t i = 0; i < h->nguests; i++) {
                const struct guest *g = &h->guests[i];
                const struct hv_domain *d = find_uuid(&ix, g->uuid);
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
