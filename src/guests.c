/* guests.c: the methods that act on guests: start, run, stop, and the
 * per-guest boot, shutdown, reboot and destroy. */
#include "methods_impl.h"
#include "cpuplace.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "hostsetup.h"
#include "hv.h"
#include "log.h"
#include "managed.h"
#include "model.h"
#include "paths.h"
#include "util.h"

/* What a plan is made from: the domains (indexed) and the record of
 * managed guests. Returns 0, or -1 after saying why. */
struct seen_guests {
    struct hv_domain *doms;
    size_t n;
    struct dom_index ix;
    struct managed rec;
};

static int observe_guests(struct ctx *c, struct hv *hv, const char *m, struct seen_guests *o)
{
    char *err = NULL;
    *o = (struct seen_guests){ 0 };
    if (hv->ops->list(hv, &o->doms, &o->n, &err) < 0) {
        msg_error("%s: cannot list the domains: %s", m, err);
        free(err);
        return -1;
    }
    if (managed_load(c->o->root, &o->rec, &err) < 0) {
        msg_error("%s: the record of managed guests is unreadable: %s", m, err);
        free(err);
        free(o->doms);
        return -1;
    }
    o->ix = dom_index_new(o->doms, o->n);
    return 0;
}

static void seen_guests_free(struct seen_guests *o)
{
    dom_index_free(&o->ix);
    managed_free(&o->rec);
    free(o->doms);
}

/* start and run: plan, then boot. Returns the failures. */
static size_t boot_guests(struct ctx *c, const struct host *h, struct hv *hv, bool revive,
                          const char *m)
{
    struct installs *in = installs_open(c, h, m);
    if (!in)
        return 1;
    /* Installs that ended first: a guest installed now boots its own
     * config below. */
    size_t failed = installs_settle(in, hv);
    struct seen_guests o;
    if (observe_guests(c, hv, m, &o) < 0) {
        installs_close(in);
        return failed + 1;
    }
    struct plan p = { .in = in };
    plan_boots(h, &o.rec, &o.ix, revive, &p);
    installs_plan(in, &p, m);
    failed += c->o->dry_run ? print_plan(c, h, &p, m) : apply_plan(c, h, hv, &p, m);
    plan_free(&p);
    seen_guests_free(&o);
    installs_close(in);
    return failed;
}

/* Record that the component is started (isstarted). */
static void record_started(struct ctx *c)
{
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
}

/* start and stop of an xm host's component: it drives no guest. The
 * boot guests are xendomains' (xen.autostart xendomains); without it,
 * nobody would boot or stop them, and start and stop refuse. Returns the
 * exit status. */
static int xm_start_stop(const struct host *h, bool start)
{
    const char *m = start ? "start" : "stop";
    size_t nboot = 0;
    for (size_t i = 0; i < h->nguests; i++)
        nboot += h->guests[i].boot;
    bool xendomains = !strcmp(h->res[HF_autostart], "xendomains");
    if (nboot && !xendomains)
        return xm_refuse(m);
    const char *done = start ? "configured" : "no guest stopped";
    if (!nboot)
        msg_ok("%s: format xm: %s; no guest has boot set", m, done);
    else
        msg_ok("%s: format xm: %s; xendomains %s the boot guests (xen.autostart xendomains)", m,
               done, start ? "boots" : "stops");
    return 0;
}

int m_start(struct ctx *c, const struct margs *a)
{
    (void)a;
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
    /* Never pretend: a host not booted into Xen boots nothing (its
     * files and disks are configured). */
    bool sim = c->o->hypervisor && !strcmp(c->o->hypervisor, "sim");
    if (!sim && !host_booted_xen(c->o->root)) {
        msg_fail("start: %s", HV_NOT_DOM0);
        host_free(h);
        return 1;
    }
    /* The Xen daemons first: the guests need xenstored. */
    size_t dfailed = run_daemons(c, h, true);
    struct hv *hv = host_xm(h) ? NULL : open_hv(c, h, "start");
    int rc = 1;
    if (hv) {
        record_started(c);
        /* The CPU pools before the guests that run in them: configure
         * may have run before xenstored was up (pools do not outlive a
         * reboot). */
        size_t pfailed = cpu_pools_apply(c->o->root, h, hv, c->o->dry_run);
        /* Guests saved by stop first: restored, or booted fresh. */
        const struct guest **fresh;
        size_t nfresh;
        size_t failed = hostsave_start(c, h, hv, "start", &fresh, &nfresh);
        failed += boot_guests(c, h, hv, false, "start");
        if (nfresh && !c->o->dry_run)
            failed += boot_list(c, h, hv, fresh, nfresh, "start", NULL);
        free(fresh);
        if (failed)
            msg_fail("start: %zu guest%s could not be booted", failed, failed == 1 ? "" : "s");
        else if (crc)
            msg_fail("start: guests with boot set are running, but configure failed (above)");
        else if (pfailed)
            msg_fail("start: guests with boot set are running, but not every CPU pool is as the "
                     "profile says (above)");
        else
            msg_ok("start: guests with boot set are running");
        rc = failed || crc || pfailed ? 1 : 0;
        hv->ops->close(hv);
    } else if (host_xm(h)) {
        record_started(c);
        rc = xm_start_stop(h, true);
        if (crc) {
            msg_fail("start: configure failed (above)");
            rc = 1;
        }
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
    struct cpu_seen seen = { 0 };
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
        np = device_pending(c, h, g, hv, d, rc.rc, cs == CFGST_CURRENT, &pend);
        for (size_t k = 0; k < np; k++)
            msg_warn("guest '%s': drift: %s", g->name, pend[k]);
        strs_free(pend, np);
        np = cpu_drift(hv, &seen, g, d, &pend);
        for (size_t k = 0; k < np; k++)
            msg_warn("guest '%s': drift: %s", g->name, pend[k]);
        strs_free(pend, np);
    }
    cpu_seen_free(&seen);
    dom_index_free(&ix);
    cfgcheck_free(&rc);
    free(doms);
}

int m_run(struct ctx *c, const struct margs *a)
{
    (void)a;
    struct host *h = load_saved(c, "run");
    if (!h)
        return 1;
    if (host_xm(h)) {
        host_free(h);
        return xm_refuse("run");
    }
    struct hv *hv = open_hv(c, h, "run");
    int rc = 1;
    if (hv && c->o->dry_run) {
        rc = boot_guests(c, h, hv, true, "run") ? 1 : 0;
        hv->ops->close(hv);
    } else if (hv) {
        /* A guest saved by stop comes back as start brings it back. */
        const struct guest **fresh;
        size_t nfresh;
        size_t pfailed = cpu_pools_apply(c->o->root, h, hv, false);
        size_t failed = hostsave_start(c, h, hv, "run", &fresh, &nfresh);
        failed += boot_guests(c, h, hv, true, "run");
        if (nfresh)
            failed += boot_list(c, h, hv, fresh, nfresh, "run", NULL);
        free(fresh);
        report_drift(c, h, hv);
        if (failed)
            msg_fail("run: %zu guest%s could not be booted", failed, failed == 1 ? "" : "s");
        else if (pfailed)
            msg_fail("run: guests with boot set are running, but not every CPU pool is as the "
                     "profile says (above)");
        else
            msg_ok("run: guests with boot set are running");
        rc = failed || pfailed ? 1 : 0;
        hv->ops->close(hv);
    }
    host_free(h);
    return rc;
}

/* A guest of the profile recorded as moved away whose domain ran here
 * (it came back by a migration that no configure has seen yet) was this
 * host's when stop shut it down: it is no longer elsewhere, and the next
 * start boots it. Returns 1 when the record cannot be written. */
static size_t came_back(struct ctx *c, const struct host *h, struct seen_guests *o)
{
    bool changed = false;
    for (size_t i = 0; i < h->nguests; i++) {
        const struct guest *g = &h->guests[i];
        const struct managed_guest *e = managed_find(&o->rec, g->uuid);
        const struct hv_domain *d = find_uuid(&o->ix, g->uuid);
        if (e && e->state == MG_MOVED && d && alive(d)) {
            managed_set(&o->rec, g->uuid, g->name, MG_PROFILE);
            changed = true;
        }
    }
    char *err = NULL;
    if (changed && managed_save(&o->rec, c->o->root, &err) < 0) {
        msg_error("stop: the record of the guests cannot be written: %s", err);
        free(err);
        return 1;
    }
    return 0;
}

int m_stop(struct ctx *c, const struct margs *a)
{
    /* As ngeneric: stop acts on the configuration last applied. */
    struct host *h = load_saved(c, "stop");
    if (!h)
        return 1;
    if (host_xm(h)) {
        int xrc = xm_start_stop(h, false);
        if (!c->o->dry_run) {
            char *flag = root_path(c->o->root, PATH_STARTED);
            (void)unlink(flag);
            free(flag);
            if (run_daemons(c, h, false))
                xrc = 1;
        }
        host_free(h);
        return xrc;
    }
    /* restart is no host shutdown: its guests are shut down and booted
     * again, never saved (xen.onhostshutdown). */
    if (a && a->m && !strcmp(a->m->name, "restart"))
        h->res[HF_onhostshutdown] = "shutdown";
    /* A host not running Xen has no guest running: nothing to stop (a
     * stop at shutdown of a non-Xen boot must not fail). */
    if (!hv_reachable(c)) {
        msg_ok("stop: %s: no guest is running", host_booted_xen(c->o->root)
                                                    ? "Xen's daemons are not running here"
                                                    : "this host is not running Xen");
        int rc = run_daemons(c, h, false) ? 1 : 0;
        host_free(h);
        return rc;
    }
    struct hv *hv = open_hv(c, h, "stop");
    int rc = 1;
    struct seen_guests o;
    struct installs *in = hv ? installs_open(c, h, "stop") : NULL;
    if (hv && in && observe_guests(c, hv, "stop", &o) == 0) {
        struct plan p = { .in = in };
        plan_stop(h, &o.rec, &o.ix, &p);
        installs_plan(in, &p, "stop");
        if (c->o->dry_run) {
            if (hostsave_on(h))
                msg_info("stop: the running guests would be saved to %s (xen.onhostshutdown "
                         "save), each shut down instead if it cannot be", h->res[HF_savedir]);
            print_plan(c, h, &p, "stop");
            plan_free(&p);
            seen_guests_free(&o);
            installs_close(in);
            hv->ops->close(hv);
            host_free(h);
            return 0;
        }
        size_t failed = apply_plan(c, h, hv, &p, "stop");
        failed += came_back(c, h, &o);
        char *flag = root_path(c->o->root, PATH_STARTED);
        (void)unlink(flag);
        free(flag);
        if (failed) {
            msg_fail("stop: %zu guest%s could not be stopped", failed, failed == 1 ? "" : "s");
        } else {
            msg_ok("stop: %zu guest%s stopped", p.n, p.n == 1 ? "" : "s");
            rc = 0;
        }
        plan_free(&p);
        seen_guests_free(&o);
    } else if (hv) {
        msg_fail("stop: the guests cannot be looked at (above)");
    }
    installs_close(in);
    if (hv)
        hv->ops->close(hv);
    if (run_daemons(c, h, false))
        rc = 1;
    host_free(h);
    return rc;
}

/* boot/shutdown/reboot/destroy NAME...: on guests of the saved
 * configuration only; a domain the profile does not know is refused
 * (destroy --force excepted). */
static int guest_method(struct ctx *c, const struct margs *a, enum act act)
{
    const char *m = act == ACT_BOOT ? "boot" : act == ACT_SHUTDOWN ? "shutdown"
                  : act == ACT_REBOOT ? "reboot" : "destroy";
    /* The method table checked the arguments: one name or more. */
    bool force = act == ACT_DESTROY && margs_has(a, "--force");
    struct host *h = load_saved(c, m);
    if (!h)
        return 1;
    if (host_xm(h)) {
        host_free(h);
        return xm_refuse(m);
    }
    struct hv *hv = open_hv(c, h, m);
    if (!hv) {
        host_free(h);
        return 1;
    }
    size_t failed = 0;
    int rc_dry = 0;
    bool dry_done = false;
    struct seen_guests o;
    struct installs *in = installs_open(c, h, m);
    /* boot settles the installs that ended, as start and run do. */
    if (in && act == ACT_BOOT)
        failed += installs_settle(in, hv);
    if (!in || observe_guests(c, hv, m, &o) < 0) {
        failed++;
    } else {
        struct plan p = { .in = in };
        /* A group without members is no mistake (the plan refuses an
         * unknown one), but nothing to do: said. */
        for (size_t i = 0; i < a->nnames; i++) {
            const struct guest **mem = NULL;
            char *err = NULL;
            if (a->names[i][0] == '@' && host_group_members(h, a->names[i] + 1, &mem, &err) == 0)
                msg_info("%s: group '%s' has no guests", m, a->names[i] + 1);
            free(mem);
            free(err);
        }
        plan_named(h, &o.rec, &o.ix, act, force, a->names, a->nnames, &p);
        installs_plan(in, &p, m);
        if (c->o->dry_run) {
            rc_dry = print_plan(c, h, &p, m) ? 1 : 0;
            dry_done = true;
        } else {
            failed += apply_plan(c, h, hv, &p, m);
        }
        plan_free(&p);
        seen_guests_free(&o);
    }
    installs_close(in);
    if (failed)
        msg_fail("%s: %zu failure%s", m, failed, failed == 1 ? "" : "s");
    hv->ops->close(hv);
    host_free(h);
    return dry_done ? rc_dry : failed ? 1 : 0;
}

int m_boot(struct ctx *c, const struct margs *a)
{
    return guest_method(c, a, ACT_BOOT);
}

int m_shutdown(struct ctx *c, const struct margs *a)
{
    return guest_method(c, a, ACT_SHUTDOWN);
}

int m_reboot(struct ctx *c, const struct margs *a)
{
    return guest_method(c, a, ACT_REBOOT);
}

int m_destroy(struct ctx *c, const struct margs *a)
{
    return guest_method(c, a, ACT_DESTROY);
}
