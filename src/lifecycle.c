/* lifecycle.c: applying to the hypervisor: boot (side by side, in boot
 * groups), graceful stop (all at once, destroy at the timeout), restart,
 * and live memory/vcpu changes. */
#include "methods_impl.h"
#include "cpuplace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fsutil.h"
#include "hv.h"
#include "log.h"
#include "managed.h"
#include "model.h"
#include "render.h"
#include "util.h"

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
        const struct hv_domain *d = hv_find_domid(doms, m, st[i].domid);
        if (d)
            msg_error("guest '%s': still running (domid %u): not restarted", st[i].g->name,
                      d->domid);
        else
            list[nb++] = st[i].g;
    }
    failed += boot_list(c, h, hv, list, nb, "configure", NULL);
    free(list);
    free(doms);
    return failed;
}

/* Does field f of a running guest differ between its previous and its
 * current resources? UUIDs and MACs are the same in any case, as their
 * validation says. */
static bool field_changed(const struct guest *pg, const struct guest *g, int f)
{
    if (f == GF_uuid || f == GF_mac || f == GF_macsec)
        return strcasecmp(pg->res[f], g->res[f]) != 0;
    return strcmp(pg->res[f], g->res[f]) != 0;
}

/* The fields whose change configure judges from the running domain's
 * devices (devplan.c) rather than from the record: a disk or NIC added,
 * removed or changed. A new disk's or NIC's other settings (its format,
 * its script) come with it. */
static bool device_field(const struct guest *pg, int f)
{
    switch (f) {
    case GF_disk: case GF_disktype: case GF_diskpath: case GF_diskdev: case GF_diskvg:
    case GF_disksec: case GF_disktypesec: case GF_diskpathsec: case GF_disknamesec:
    case GF_diskdevsec: case GF_diskvgsec: case GF_cdpath:
    case GF_mac: case GF_bridge: case GF_macsec: case GF_bridgesec:
    case GF_disks: case GF_nics: /* the lists: their items' own resources are not fields */
        return true;
    case GF_diskformat:
        return str_empty(pg->res[GF_disk]);
    case GF_diskformatsec:
        return str_empty(pg->res[GF_disksec]);
    case GF_scriptsec:
        return str_empty(pg->res[GF_macsec]);
    default:
        return false;
    }
}

size_t live_changes(struct ctx *c, const struct host *h, const struct ident *id, bool dry,
                    bool may_restart)
{
    struct hv *hv = id->hv;
    if (!hv)
        return 0;
    char *err = NULL;
    size_t failed = 0, nrestart = 0;
    struct stopping *restart = xcalloc(h->nguests ? h->nguests : 1, sizeof(*restart));
    struct cpu_seen cpus = { 0 }; /* the host's pools, read when a guest needs them */
    struct render_cache *rcache = render_cache_new();
    for (size_t i = 0; i < h->nguests; i++) {
        const struct guest *g = &h->guests[i];
        const struct hv_domain *d = find_uuid(&id->ix, g->uuid);
        /* A held guest keeps its previous config: its domain keeps its
         * settings too. */
        if (!d || !alive(d) || id->held[i])
            continue;
        bool need = false;
        unsigned long long want_kb = (unsigned long long)g->memory * 1024;
        enum change mc = plan_memory(g, d), vc = plan_vcpus(g, d);
        if (mc != CH_NONE) {
            if (mc == CH_RESTART) {
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
        if (vc != CH_NONE) {
            if (vc == CH_RESTART) {
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
        /* Disks and NICs added to its config are plugged in; one removed
         * or changed waits for a restart. */
        struct devplan dp;
        /* Its file is what configure has just written (or knew to be
         * current); a dry run wrote nothing. */
        if (devplan_observe(c, h, g, hv, d, rcache, !dry, &dp, &err) < 0) {
            msg_error("guest '%s': %s", g->name, err);
            failed++;
        } else {
            failed += devplan_apply(g, hv, d, &dp, dry, &need);
            devplan_free(&dp);
        }
        const struct guest *pg = prev_guest(id, g);
        failed += cpu_live(hv, &cpus, g, pg, d, dry);
        struct buf changed = BUF_INIT;
        if (pg && pg->maxmem != g->maxmem)
            buf_addf(&changed, "maxmem_%s", g->tag);
        if (pg && pg->maxvcpus != g->maxvcpus)
            buf_addf(&changed, "%smaxvcpus_%s", changed.len ? ", " : "", g->tag);
        for (int f = 0; pg && f < GF_COUNT; f++)
            if (needs_restart_field(f) && !device_field(pg, f) && field_changed(pg, g, f) &&
                /* a new name is given to the running domain */
                !(f == GF_name && hv->ops->rename)) {
                if (changed.len)
                    buf_adds(&changed, ", ");
                buf_addf(&changed, "%s_%s", schema_guest[f].name, g->tag);
            }
        /* The options of its list items: each one's config line changes. */
        if (pg)
            model_items_changed(pg, g, &changed);
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
    cpu_seen_free(&cpus);
    render_cache_free(rcache);
    if (nrestart)
        failed += restart_guests(c, h, hv, restart, nrestart);
    free(restart);
    free(err);
    return failed;
}

/* Called as each create ends: report it, with the domid where the
 * hypervisor tells it. */
struct booting {
    struct hv *hv;
    struct installs *in;
    struct ctx *c;
    const struct host *h;
};

static void booted(void *arg, const struct hv_create_job *job)
{
    struct booting *b = arg;
    struct hv *hv = b->hv;
    const struct guest *g = job->data;
    bool install = installs_booting(b->in, g);
    if (job->rc < 0 && install) {
        installs_boot_failed(b->in, g, job->err);
    } else if (job->rc < 0) {
        msg_error("guest '%s': boot failed: %s", g->name, job->err);
    }
    if (job->rc < 0) {
        /* Only what this create made (its UUID, a domid new since it
         * began): a domain of the guest's name that appeared meanwhile
         * (an admin, xendomains) is not its to destroy. */
        char *err = NULL;
        bool gone = true;
        if (job->made && hv->ops->destroy(hv, job->domid, &err) < 0) {
            msg_error("guest '%s': its half-built domain (domid %u) cannot be destroyed: %s",
                      g->name, job->domid, err);
            gone = false;
        } else if (job->made) {
            msg_warn("guest '%s': its half-built domain (domid %u) was destroyed", g->name,
                     job->domid);
        }
        free(err);
        /* Not running here: another host may have the guest (and its lease). */
        if (gone)
            lease_after_stop(b->c, b->h, g->name, g->uuid);
        return;
    }
    struct hv_domain found;
    if (install)
        msg_info("guest '%s': installing (domid %u) from %s: it boots its own config once its "
                 "installer has powered off", g->name,
                 job->made ? job->domid
                 : hv->ops->lookup_uuid(hv, g->uuid, &found, NULL) == 0 ? found.domid : 0,
                 job->path);
    else if (job->made)
        msg_info("guest '%s': booted (domid %u)", g->name, job->domid);
    else if (hv->ops->lookup_uuid(hv, g->uuid, &found, NULL) == 0)
        msg_info("guest '%s': booted (domid %u)", g->name, found.domid);
    else
        msg_info("guest '%s': booted", g->name);
}

size_t print_plan(struct ctx *c, const struct host *h, const struct plan *p, const char *method)
{
    size_t n = 0, bad = 0;
    for (size_t i = 0; i < p->n; i++) {
        const struct action *a = &p->v[i];
        const struct hv_domain *d = a->d;
        /* A boot would fail on a missing bridge, before xl runs. */
        char *nobridge = (a->act == ACT_BOOT || a->act == ACT_REVIVE ||
                          a->act == ACT_CLEAR_BOOT) && a->g ? net_boot_problem(c, h, a->g) : NULL;
        if (nobridge) {
            msg_warn("guest '%s': would not be booted: %s", a->name, nobridge);
            free(nobridge);
            bad++;
            continue;
        }
        switch (a->act) {
        case ACT_NONE:
            break;
        case ACT_RUNNING:
            msg_info("guest '%s': running (domid %u): nothing to do", a->name, d->domid);
            break;
        case ACT_BOOT:
        case ACT_REVIVE:
            if (a->install)
                msg_info("guest '%s': would be installed (%s)", a->name, a->why);
            else
                msg_info("guest '%s': would be booted", a->name);
            n++;
            break;
        case ACT_CLEAR_BOOT:
            msg_info("guest '%s': its remains (domid %u, %s) would be destroyed, then it would be "
                     "%s%s%s", a->name, d->domid, d->state == DOM_CRASHED ? "crashed" : "shut down",
                     a->install ? "installed (" : "booted", a->install ? a->why : "",
                     a->install ? ")" : "");
            n++;
            break;
        case ACT_INSTALLING:
            msg_info("guest '%s': %s: nothing to do", a->name, a->why);
            break;
        case ACT_NOT_INSTALLED:
            msg_warn("guest '%s': would be %s", a->name, a->why);
            bad++;
            break;
        case ACT_ADOPT:
            msg_info("guest '%s': running (domid %u), arrived from another host: nothing to do "
                     "(configure adopts it)", a->name, d->domid);
            break;
        case ACT_MOVED:
            msg_info("guest '%s': would not be booted: moved to %s by a migration", a->name,
                     a->why);
            break;
        case ACT_HELD:
            msg_warn("guest '%s': would not be booted: configure held it back", a->name);
            bad++;
            break;
        case ACT_NAME_TAKEN:
            msg_warn("guest '%s': would not be booted: domain %u has its name but another UUID "
                     "(%s)", a->name, d->domid, d->uuid);
            bad++;
            break;
        case ACT_SHUTDOWN:
            msg_info("guest '%s': would be asked to shut down (domid %u; destroyed after %lu s)",
                     a->name, d->domid, a->g->shutdown_timeout);
            n++;
            break;
        case ACT_REBOOT:
            msg_info("guest '%s': would be asked to reboot (domid %u)", a->name, d->domid);
            n++;
            break;
        case ACT_DESTROY:
            msg_info("guest '%s': would be destroyed (domid %u)", a->name, d->domid);
            n++;
            break;
        case ACT_NOT_RUNNING:
            msg_info("guest '%s': not running: nothing to do", a->name);
            break;
        case ACT_REFUSED:
            msg_warn("%s: %s", method, a->why);
            bad++;
            break;
        }
    }
    if (bad)
        msg_fail("%s (dry run): %zu guest%s would be acted on, %zu would fail; nothing changed",
                 method, n, n == 1 ? "" : "s", bad);
    else
        msg_ok("%s (dry run): %zu guest%s would be acted on; nothing changed", method, n,
               n == 1 ? "" : "s");
    return bad;
}

static size_t stop_in_order(struct ctx *c, const struct host *h, struct hv *hv,
                            struct stopping *st, size_t n, const char *method);

size_t apply_plan(struct ctx *c, const struct host *h, struct hv *hv, const struct plan *p,
                  const char *method)
{
    size_t failed = 0, nboot = 0, nst = 0;
    const struct guest **boots = xcalloc(p->n + 1, sizeof(*boots));
    struct stopping *st = xcalloc(p->n + 1, sizeof(*st));
    char *err = NULL;
    bool named = strcmp(method, "start") && strcmp(method, "run") && strcmp(method, "stop");
    for (size_t i = 0; i < p->n; i++) {
        const struct action *a = &p->v[i];
        const struct hv_domain *d = a->d;
        switch (a->act) {
        case ACT_NONE:
            break;
        case ACT_RUNNING:
            msg_info("guest '%s': %s (domid %u)", a->name, named ? "already running" : "running",
                     d->domid);
            break;
        case ACT_ADOPT:
            msg_info("guest '%s': running (domid %u), arrived from another host: not booted "
                     "again (configure adopts it)", a->name, d->domid);
            break;
        case ACT_MOVED:
            /* Named by boot: refused; start and run simply leave it. */
            if (named) {
                msg_error("guest '%s': not booted: it was moved to %s by a migration (migrate "
                          "it back, or drop it from this host's profile)", a->name, a->why);
                failed++;
            } else {
                msg_info("guest '%s': not booted: moved to %s by a migration", a->name, a->why);
            }
            break;
        case ACT_HELD:
            msg_error("guest '%s': not booted: configure held it back (a disk refused, or its data "
                      "not yet under its new name: see configure)", a->name);
            failed++;
            break;
        case ACT_NAME_TAKEN:
            msg_error("guest '%s': not booted: domain %u has its name but another UUID (%s), so it "
                      "is not this guest; left alone", a->name, d->domid, d->uuid);
            failed++;
            break;
        case ACT_CLEAR_BOOT: {
            const char *what = d->state == DOM_CRASHED ? "crashed" : "shut down";
            if (hv->ops->destroy(hv, d->domid, &err) < 0) {
                msg_error("guest '%s': %s (domid %u) and its remains cannot be destroyed: %s",
                          a->name, what, d->domid, err);
                failed++;
                break;
            }
            msg_warn("guest '%s': had %s (domid %u): its remains were destroyed", a->name, what,
                     d->domid);
            boots[nboot++] = a->g;
            break;
        }
        case ACT_REVIVE:
            msg_warn("guest '%s': was not running (stopped by hand, or crashed and destroyed)",
                     a->name);
            boots[nboot++] = a->g;
            break;
        case ACT_BOOT:
            boots[nboot++] = a->g;
            break;
        case ACT_SHUTDOWN:
            st[nst].g = a->g;
            st[nst].domid = d->domid;
            nst++;
            break;
        case ACT_REBOOT:
            if (hv->ops->reboot(hv, d->domid, &err) < 0) {
                msg_error("guest '%s': cannot ask it to reboot: %s", a->name, err);
                failed++;
            } else {
                msg_info("guest '%s': asked to reboot (domid %u)", a->name, d->domid);
            }
            break;
        case ACT_DESTROY:
            if (hv->ops->destroy(hv, d->domid, &err) < 0) {
                msg_error("guest '%s': cannot destroy it: %s", a->name, err);
                failed++;
            } else {
                msg_info("guest '%s': destroyed (domid %u)", a->name, d->domid);
                if (a->g) /* not a domain of no guest (destroy --force) */
                    lease_after_stop(c, h, a->g->name, a->g->uuid);
            }
            break;
        case ACT_NOT_RUNNING:
            msg_info("guest '%s': not running", a->name);
            break;
        case ACT_REFUSED:
            msg_error("%s: %s", method, a->why);
            failed++;
            break;
        case ACT_INSTALLING:
            msg_info("guest '%s': %s", a->name, a->why);
            break;
        case ACT_NOT_INSTALLED:
            msg_error("guest '%s': %s", a->name, a->why);
            failed++;
            break;
        }
        free(err);
        err = NULL;
    }
    failed += boot_list(c, h, hv, boots, nboot, method, p->in);
    /* stop and shutdown go in boot groups, the last booted first (a
     * group's head node, booted first, is shut down last). */
    failed += strcmp(method, "stop") && strcmp(method, "shutdown")
                  ? stop_guests(hv, st, nst)
                  : stop_in_order(c, h, hv, st, nst, method);
    lease_release_stopped(c, h, hv, st, nst);
    free(boots);
    free(st);
    return failed;
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
size_t boot_list(struct ctx *c, const struct host *h, struct hv *hv,
                 const struct guest **list, size_t n, const char *method,
                 struct installs *in)
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
        size_t nj = 0;
        for (size_t x = 0; x < k; x++) {
            const struct guest *g = list[i + x];
            char *file = NULL, *err = NULL;
            /* Before xl runs (and before its lease is taken): xl would
             * fail late, inside its hotplug script. */
            if (!net_boot_ok(c, h, g)) {
                failed++;
                continue;
            }
            if (lease_before_boot(c, h, g) < 0) {
                failed++;
                continue;
            }
            if (!installs_booting(in, g)) {
                file = xasprintf("%s/%s.cfg", h->res[HF_configdir], g->name);
            } else if (installs_begin(in, g, &file, &err) < 0) {
                msg_error("guest '%s': not installed: %s", g->name, err);
                free(err);
                failed++;
                continue;
            }
            jobs[nj].path = file;
            jobs[nj].rpath = root_path(c->o->root, file);
            jobs[nj].data = (void *)g;
            nj++;
        }
        struct hv_xl xl = xl_of(h);
        struct booting b = { hv, in, c, h };
        failed += hv_create_all(hv, c->o->root, &xl, jobs, nj,
                                (unsigned)h->parallel, booted, &b);
        for (size_t x = 0; x < nj; x++) {
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

/* Ask every target to shut down at once, then wait for them together
 * (event-driven), destroying those that outlive their timeout: the whole
 * takes about as long as the slowest guest. Returns failures. */
/* How long an HVM guest has to take the PV shutdown request before its
 * power button is pressed: a few seconds, and well within its timeout. */
static double button_delay(const struct guest *g)
{
    double quarter = (double)g->shutdown_timeout / 4;
    return quarter < 5 ? quarter : 5;
}

size_t stop_guests(struct hv *hv, struct stopping *st, size_t n)
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
            const struct hv_domain *d = hv_find_domid(doms, m, st[i].domid);
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
                /* An HVM guest without PV drivers never takes the PV
                 * request: it gets the ACPI power button, as a person at
                 * its console would press it, before the timeout. */
                double delay = button_delay(st[i].g);
                if (!st[i].pressed && d->hvm && d->request_pending && took >= delay) {
                    st[i].pressed = true;
                    if (hv->ops->power_button(hv, st[i].domid, &err) < 0)
                        msg_warn("guest '%s': has not taken the shutdown request, and its ACPI "
                                 "power button cannot be pressed: %s", st[i].g->name, err);
                    else
                        msg_info("guest '%s': has not taken the shutdown request in %.0f s: "
                                 "ACPI power button pressed", st[i].g->name, delay);
                }
                double until = st[i].asked + (double)st[i].g->shutdown_timeout;
                if (!st[i].pressed && d->hvm && st[i].asked + delay < until)
                    until = st[i].asked + delay;
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
 * guests all at once (stop with xen.onhostshutdown save: saved one by
 * one, those not saved shut down). st is sorted in place. Returns
 * failures. */
static size_t stop_in_order(struct ctx *c, const struct host *h, struct hv *hv,
                            struct stopping *st, size_t n, const char *method)
{
    bool save = !strcmp(method, "stop") && hostsave_on(h);
    qsort(st, n, sizeof(*st), by_stop_order);
    bool groups = n > 0 && st[0].g->boot_order != st[n - 1].g->boot_order;
    size_t failed = 0;
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i; j < n && st[j].g->boot_order == st[i].g->boot_order; j++)
            ;
        if (groups)
            msg_info("%s: boot group %lu: %s %zu guest%s", method, st[i].g->boot_order,
                     save ? "saving" : "shutting down", j - i, j - i == 1 ? "" : "s");
        size_t k = save ? hostsave_stop(c, h, hv, st + i, j - i) : j - i;
        failed += stop_guests(hv, st + i, k);
    }
    return failed;
}
