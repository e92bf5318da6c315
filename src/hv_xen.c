/* hv_xen.c: the "xen" hypervisor backend (see hv.h and XEN.md §1-3).
 *
 * Observation and graceful requests go straight to the hypervisor and to
 * xenstore: libxenctrl's xc_domain_getinfolist for the domains, libxenstore
 * for their names, balloon targets and start times, for the PV control
 * node that asks a guest to power off or reboot, and for the
 * @releaseDomain watch that wait() sleeps on. Everything that needs the
 * toolstack (building a domain, destroying one with its devices, the
 * memory target with its maxmem cap, vcpu hotplug) runs the xl program,
 * from an argv and never through a shell.
 *
 * This file and hv_xen_decode.c (its pure parts: decoding, paths, xl
 * command lines, declared in hv_xen_decode.h for the unit tests) are the
 * only ones of the component that include <xenctrl.h>: its API and ABI
 * change with every Xen release (this is written for 4.17:
 * xc_domain_getinfolist, never the legacy xc_domain_getinfo, which 4.18
 * removed), and the header needs GNU C. */
#include <xenctrl.h>
#include <xenstore.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <fcntl.h>

#include "check.h"
#include "exec.h"
#include "fsutil.h"
#include "hv_impl.h"
#include "hv_xen_decode.h"
#include "hv_xen_impl.h"
#include "util.h"

/* Our watch on @releaseDomain (fires on domain shutdown, crash and
 * destruction). */
#define WATCH_PATH "@releaseDomain"
#define WATCH_TOKEN "lcfgxen"

/* How long open waits for the event a watch fires when it is registered
 * (see xen_drain_initial). */
#define INITIAL_EVENT_MS 100

/* How often a conflicting xenstore transaction is tried again. libxl
 * retries for ever; a bound turns a pathological livelock into an
 * error instead of a hang. */
#define TX_RETRIES 50

/* ---- the logger ---- */

static void __attribute__((format(printf, 5, 0)))
logger_vmessage(xentoollog_logger *logger, xentoollog_level level, int errnoval,
                const char *context, const char *format, va_list al)
{
    struct xen_logger *lg = (struct xen_logger *)logger;
    int saved = errno; /* the library may read errno after logging */
    if (level >= XTL_ERROR) {
        struct buf b = BUF_INIT;
        if (context)
            buf_addf(&b, "%s: ", context);
        char *msg = xvasprintf(format, al);
        buf_adds(&b, msg);
        free(msg);
        if (errnoval >= 0)
            buf_addf(&b, ": %s", strerror(errnoval));
        size_t len = b.len < sizeof(lg->last) - 1 ? b.len : sizeof(lg->last) - 1;
        memcpy(lg->last, buf_str(&b), len);
        lg->last[len] = '\0';
        buf_free(&b);
    }
    errno = saved;
}

static void logger_progress(xentoollog_logger *logger, const char *context,
                            const char *doing_what, int percent, unsigned long done,
                            unsigned long total)
{
    (void)logger, (void)context, (void)doing_what, (void)percent, (void)done, (void)total;
}

/* The logger is part of struct xen: nothing to free. (xc_interface_close
 * does not destroy a logger it was given, only one it made itself.) */
static void logger_destroy(xentoollog_logger *logger)
{
    (void)logger;
}

/* ---- xenstore ---- */

/* Read path in transaction t (XBT_NULL: none). XS_MISSING when the node
 * is not there; XS_FAILED with *err on any other error. */
enum xs_got hv_xen_xs_get(struct xen *x, xs_transaction_t t, const char *path, char **ret,
                          char **err)
{
    unsigned len = 0;
    errno = 0;
    *ret = xs_read(x->xsh, t, path, &len);
    if (*ret)
        return XS_GOT;
    if (errno == ENOENT)
        return XS_MISSING;
    set_error(err, "cannot read %s from xenstore: %s", path,
              strerror(errno ? errno : EIO));
    return XS_FAILED;
}

/* Take every queued watch event. 0, or -1 with *err when the connection
 * to xenstored is gone. */
static int xen_drain_watch(struct xen *x, char **err)
{
    for (;;) {
        errno = 0;
        char **ev = xs_check_watch(x->xsh);
        if (!ev)
            break;
        /* Only our watch is on this handle: the event itself says no more
         * than "a domain may have changed". */
        free(ev);
    }
    if (errno == EAGAIN)
        return 0;
    set_error(err, "lost the connection to xenstored (%s)", strerror(errno ? errno : EIO));
    return -1;
}

/* A watch fires once when it is registered. Take that event now, so that
 * the first wait() sleeps until something really happens. xenstored sends
 * it right after acknowledging the watch, but libxenstore's reader thread
 * queues it asynchronously: give it INITIAL_EVENT_MS to arrive. Should it
 * come later (a very busy xenstored), the first wait() returns 0 early,
 * which the interface allows ("may have changed"). */
static int xen_drain_initial(struct xen *x, char **err)
{
    struct pollfd pfd = { .fd = x->watch_fd, .events = POLLIN };
    int r;
    do
        r = poll(&pfd, 1, INITIAL_EVENT_MS);
    while (r < 0 && errno == EINTR);
    if (r <= 0)
        return 0; /* nothing yet: a spurious first wakeup at worst */
    return xen_drain_watch(x, err);
}

/* ---- xl ---- */

/* Run an xl command line; what names it in messages ("xl destroy 5").
 * The child inherits none of our descriptors (exec.c), so it does not
 * share our privcmd and xenstore handles, which a forked process must not
 * use (xenctrl.h); xl opens its own. One that runs past timeout_ms is
 * killed with what it started (its process group) and reaped: "xl destroy
 * 5: timed out after 60 s". */
int hv_xen_run_xl(char **argv, unsigned timeout_ms, const char *what, char **err)
{
    struct exec_result res;
    char *why = NULL;
    if (exec_run(argv, NULL, timeout_ms, &res, &why) < 0) {
        set_error(err, "%s: %s", what, why);
        free(why);
        return -1;
    }
    int rc = 0;
    if (res.status != 0) {
        char *d = exec_describe(&res, timeout_ms);
        set_error(err, "%s: %s", what, d);
        free(d);
        rc = -1;
    }
    exec_result_free(&res);
    return rc;
}

/* ---- the operations ---- */

static struct xen *xen_of(struct hv *hv)
{
    return hv->priv;
}

static int cmp_domid(const void *a, const void *b)
{
    unsigned x = ((const struct hv_domain *)a)->domid;
    unsigned y = ((const struct hv_domain *)b)->domid;
    return (x > y) - (x < y);
}

/* Is domid still there? (One record from domid on, as libxl checks: the
 * call returns the next domain when that one has gone.) */
static int xen_exists(struct xen *x, unsigned domid, bool *exists, char **err)
{
    xc_domaininfo_t info;
    x->log.last[0] = '\0';
    int n = xc_domain_getinfolist(x->xch, domid, 1, &info);
    if (n < 0) {
        set_error(err, "cannot get the state of domain %u: %s%s%s%s", domid, strerror(errno),
                  x->log.last[0] ? " (" : "", x->log.last, x->log.last[0] ? ")" : "");
        return -1;
    }
    *exists = n == 1 && info.domain == domid;
    return 0;
}

/* The checks every method that acts on one domain makes first, with the
 * same messages as the simulator's: never Domain-0 (its kernel obeys a
 * control node too, and the component manages guests only), and a domain
 * that is there (xl would say so too, but in its own words). The domain
 * can still go before the action: the action then fails. */
int hv_xen_target(struct xen *x, unsigned domid, char **err)
{
    if (domid == 0) {
        set_error(err, "refusing to touch Domain-0");
        return -1;
    }
    bool exists;
    if (xen_exists(x, domid, &exists, err) < 0)
        return -1;
    if (!exists) {
        set_error(err, "no domain with id %u", domid);
        return -1;
    }
    return 0;
}

/* Add what xenstore knows about d: its name (the domain may have gone
 * since the hypervisor listed it: *gone), balloon target and start time. */
static int xen_fill_from_xenstore(struct xen *x, struct hv_domain *d, bool *gone, char **err)
{
    *gone = false;
    char *path = hv_xen_dom_path(d->domid, "name");
    char *val = NULL;
    enum xs_got got = hv_xen_xs_get(x, XBT_NULL, path, &val, err);
    free(path);
    if (got == XS_FAILED)
        return -1;
    if (got == XS_MISSING) {
        /* Destroyed since the list, or not named yet (libxl writes the
         * node just after creating the domain, and removes it before
         * destroying it): only the hypervisor can tell. */
        bool exists;
        if (xen_exists(x, d->domid, &exists, err) < 0)
            return -1;
        if (!exists) {
            *gone = true;
            return 0;
        }
    } else {
        /* Longer names (libxl allows them; the component's are at most
         * 64 bytes) are cut. */
        snprintf(d->name, sizeof(d->name), "%s", val);
        free(val);
    }

    /* The balloon target, in KiB. Without one (dom0 when nothing set it,
     * a domain being built), the allocation is the best guess. */
    path = hv_xen_dom_path(d->domid, "memory/target");
    got = hv_xen_xs_get(x, XBT_NULL, path, &val, err);
    free(path);
    if (got == XS_FAILED)
        return -1;
    d->target_kb = d->mem_kb;
    if (got == XS_GOT) {
        unsigned long long kb;
        if (parse_u64(val, &kb))
            d->target_kb = kb;
        free(val);
    }

    /* The ceiling of live memory changes: the guest's maxmem, which
     * libxl writes as memory/static-max and which xl mem-set refuses to
     * exceed. The hypervisor's own cap (max_pages) is no such thing: libxl
     * keeps it at the balloon target plus 1 MiB of slack and raises it
     * with each mem-set. Without the node (dom0, a domain being built),
     * the hypervisor's cap. */
    path = hv_xen_dom_path(d->domid, "memory/static-max");
    got = hv_xen_xs_get(x, XBT_NULL, path, &val, err);
    free(path);
    if (got == XS_FAILED)
        return -1;
    if (got == XS_GOT) {
        unsigned long long kb;
        if (parse_u64(val, &kb) && kb > 0)
            d->max_kb = kb;
        free(val);
    }

    /* A request the guest has not taken: the node still holds it (a PV
     * guest's drivers clear it when they act on it, XEN.md §2.3). */
    path = hv_xen_dom_path(d->domid, "control/shutdown");
    got = hv_xen_xs_get(x, XBT_NULL, path, &val, err);
    free(path);
    if (got == XS_FAILED)
        return -1;
    if (got == XS_GOT) {
        d->request_pending = val[0] != '\0';
        free(val);
    }

    /* Seconds, with a fraction when libxl wrote it; dom0 has none. */
    path = hv_xen_vm_path(d->uuid, "start_time");
    got = hv_xen_xs_get(x, XBT_NULL, path, &val, err);
    free(path);
    if (got == XS_FAILED)
        return -1;
    if (got == XS_GOT) {
        long long t;
        if (hv_xen_parse_seconds(val, &t))
            d->start_time = t;
        free(val);
    }
    return 0;
}

/* Every domain as the hypervisor alone knows it (hv_xen_decode: no
 * names), in domid order. */
static int xen_records(struct xen *x, struct hv_domain **ret, size_t *ret_n, char **err)
{
    *ret = NULL;
    *ret_n = 0;
    xc_domaininfo_t *info = xcalloc(HV_XEN_BATCH, sizeof(*info));
    struct hv_domain *doms = NULL;
    size_t n = 0, cap = 0;
    int rc = -1;

    /* In batches from domid 0, each from the last domid seen + 1, as
     * libxl_list_domain does: a full batch means there may be more. */
    uint32_t first = 0;
    for (;;) {
        x->log.last[0] = '\0';
        int got = xc_domain_getinfolist(x->xch, first, HV_XEN_BATCH, info);
        if (got < 0) {
            set_error(err, "cannot list the domains: %s%s%s%s", strerror(errno),
                      x->log.last[0] ? " (" : "", x->log.last, x->log.last[0] ? ")" : "");
            goto out;
        }
        if (n + (size_t)got > cap) {
            cap = n + (size_t)got + 16;
            doms = xrealloc(doms, cap * sizeof(*doms));
        }
        for (int k = 0; k < got; k++)
            hv_xen_decode(&info[k], &doms[n++]);
        if (got < HV_XEN_BATCH)
            break;
        uint32_t next = (uint32_t)info[got - 1].domain + 1;
        if (next <= first || next >= DOMID_FIRST_RESERVED)
            break; /* no progress, or past the last ordinary domid */
        first = next;
    }
    /* The hypervisor keeps its domain list in domid order, so this sorts
     * sorted data: it is there to keep the promise of hv.h whatever. */
    if (n > 1)
        qsort(doms, n, sizeof(*doms), cmp_domid);
    *ret = doms;
    *ret_n = n;
    doms = NULL;
    rc = 0;
out:
    free(doms);
    free(info);
    return rc;
}

static int xen_list(struct hv *hv, struct hv_domain **ret, size_t *ret_n, char **err)
{
    struct xen *x = xen_of(hv);
    struct hv_domain *doms = NULL;
    size_t n = 0;
    *ret = NULL;
    *ret_n = 0;
    if (xen_records(x, &doms, &n, err) < 0)
        return -1;
    int rc = -1;

    /* Then xenstore, one domain at a time: a domain can go between the
     * two, and is then left out, as if it had gone just before. */
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        bool gone;
        if (xen_fill_from_xenstore(x, &doms[i], &gone, err) < 0)
            goto out;
        if (!gone)
            doms[kept++] = doms[i];
    }
    n = kept;
    *ret = doms;
    *ret_n = n;
    doms = NULL;
    rc = 0;
out:
    free(doms);
    return rc;
}

/* As libxl_name_to_domid does: the domains, and the first of that name
 * (xenstore has no index from names to domids). */
static int xen_lookup(struct hv *hv, const char *name, struct hv_domain *ret, char **err)
{
    struct hv_domain *doms = NULL;
    size_t n = 0;
    if (xen_list(hv, &doms, &n, err) < 0)
        return -1;
    int rc = 1;
    for (size_t i = 0; i < n && rc == 1; i++) {
        if (!strcmp(doms[i].name, name)) {
            *ret = doms[i];
            rc = 0;
        }
    }
    free(doms);
    return rc;
}

/* The hypervisor's records hold the uuid: only the chosen domain needs
 * xenstore. Of several with the uuid, the first that is not dying (a
 * reboot's new domain beside its old one's remains). */
static int xen_lookup_uuid(struct hv *hv, const char *uuid, struct hv_domain *ret, char **err)
{
    struct xen *x = xen_of(hv);
    for (int attempt = 0; attempt < 3; attempt++) {
        struct hv_domain *doms = NULL;
        size_t n = 0;
        if (xen_records(x, &doms, &n, err) < 0)
            return -1;
        struct hv_domain *found = NULL;
        for (size_t i = 0; i < n; i++) {
            if (strcasecmp(doms[i].uuid, uuid))
                continue;
            if (!found || (found->state == DOM_DYING && doms[i].state != DOM_DYING))
                found = &doms[i];
        }
        if (!found) {
            free(doms);
            return 1;
        }
        bool gone;
        int rc = xen_fill_from_xenstore(x, found, &gone, err);
        if (rc == 0 && !gone)
            *ret = *found;
        free(doms);
        if (rc < 0)
            return -1;
        if (!gone)
            return 0;
        /* It went between the two reads: look again. */
    }
    return 1;
}

/* Ask a guest to power off or reboot (cmd "poweroff" or "reboot"), as
 * libxl does: write the PV control node and let the guest act on it. Its
 * answer, and the end of the domain, are for the caller to watch. */
static int xen_control(struct xen *x, unsigned domid, const char *cmd, const char *doing,
                       char **err)
{
    if (domid == 0) { /* see hv_xen_target */
        set_error(err, "refusing to touch Domain-0");
        return -1;
    }
    char *name_path = hv_xen_dom_path(domid, "name");
    char *ctl_path = hv_xen_dom_path(domid, "control/shutdown");
    int rc = -1;

    /* The existence check and the write are one transaction: writing the
     * node of a domain that has just gone would leave it behind, and the
     * next domain to get this domid would find a stale request there. */
    for (int attempt = 0;; attempt++) {
        xs_transaction_t t = xs_transaction_start(x->xsh);
        if (t == XBT_NULL) {
            set_error(err, "cannot ask domain %u to %s: cannot start a xenstore transaction: %s",
                      domid, doing, strerror(errno));
            goto out;
        }
        char *val = NULL;
        enum xs_got got = hv_xen_xs_get(x, t, name_path, &val, err);
        free(val);
        if (got != XS_GOT) {
            if (got == XS_MISSING)
                set_error(err, "no domain with id %u", domid);
            xs_transaction_end(x->xsh, t, true);
            goto out;
        }
        if (!xs_write(x->xsh, t, ctl_path, cmd, (unsigned)strlen(cmd))) {
            set_error(err, "cannot ask domain %u to %s: cannot write %s: %s", domid, doing,
                      ctl_path, strerror(errno));
            xs_transaction_end(x->xsh, t, true);
            goto out;
        }
        if (xs_transaction_end(x->xsh, t, false))
            break;
        /* EAGAIN: another writer touched what we read; the transaction
         * was discarded and must be done again from the start. */
        if (errno != EAGAIN || attempt + 1 >= TX_RETRIES) {
            set_error(err, "cannot ask domain %u to %s: xenstore transaction failed: %s",
                      domid, doing, strerror(errno));
            goto out;
        }
    }
    rc = 0;
out:
    free(name_path);
    free(ctl_path);
    return rc;
}

/* A dry run's handle observes only. */
int hv_xen_refuse_readonly(struct xen *x, const char *op, char **err)
{
    if (!x->readonly)
        return 0;
    set_error(err, "read-only hypervisor handle: %s refused", op);
    return -1;
}

static int xen_shutdown(struct hv *hv, unsigned domid, char **err)
{
    if (hv_xen_refuse_readonly(xen_of(hv), "shutdown", err) < 0)
        return -1;
    return xen_control(xen_of(hv), domid, "poweroff", "power off", err);
}

static int xen_reboot(struct hv *hv, unsigned domid, char **err)
{
    if (hv_xen_refuse_readonly(xen_of(hv), "reboot", err) < 0)
        return -1;
    return xen_control(xen_of(hv), domid, "reboot", "reboot", err);
}

/* Which domain the create made: one with the config's uuid and a domid
 * that was not there before it (before: the records then, in domid
 * order). Two such (someone else created the same guest meanwhile, e.g.
 * xendomains from the same file) are not told apart: none is called
 * ours. After a failure, a running one is not ours either: xl unpauses
 * only a domain it has built whole, so a failed create leaves its domain
 * paused or shut down, if at all; a dying one (libxl cleaning up its own
 * failure, e.g. a name taken meanwhile) needs no one to destroy it. */
static void find_made(struct xen *x, const char *uuid, const struct hv_domain *before,
                      size_t nbefore, bool failed, struct hv_made *made)
{
    struct hv_domain *after = NULL;
    size_t n = 0, candidates = 0;
    const struct hv_domain *c = NULL;
    if (xen_records(x, &after, &n, NULL) < 0)
        return;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(after[i].uuid, uuid) || hv_find_domid(before, nbefore, after[i].domid))
            continue;
        candidates++;
        c = &after[i];
    }
    if (candidates == 1 && !(failed && (c->state == DOM_RUNNING || c->state == DOM_DYING))) {
        made->made = true;
        made->domid = c->domid;
    }
    free(after);
}

/* Run an xl command that builds a domain (create, restore), bounded by
 * xl's create timeout (argv freed), and say in *made (when not NULL)
 * which domain it built: the one new since it began with uuid ("": xl
 * makes one up, and nothing can be known as made). */
static int run_xl_making(struct xen *x, char **argv, const char *what, const char *uuid,
                         struct hv_made *made, char **err)
{
    struct hv_domain *before = NULL;
    size_t nbefore = 0;
    /* Without the list before, no domid can be shown to be new. */
    bool known = made && *uuid && xen_records(x, &before, &nbefore, NULL) == 0;
    int rc = hv_xen_run_xl(argv, x->create_timeout_ms, what, err);
    hv_xen_argv_free(argv);
    if (known)
        find_made(x, uuid, before, nbefore, rc < 0, made);
    free(before);
    return rc;
}

static int xen_create(struct hv *hv, const char *path, const char *rpath, struct hv_made *made,
                      char **err)
{
    struct xen *x = xen_of(hv);
    if (made)
        *made = (struct hv_made){ false, 0 };
    if (hv_xen_refuse_readonly(x, "create", err) < 0)
        return -1;
    char *what = xasprintf("xl create -f %s", path);
    /* xl would resolve a relative path against our working directory. */
    const char *bad = check_path(path);
    if (bad) {
        set_error(err, "%s: bad config file path (%s)", what, bad);
        free(what);
        return -1;
    }
    /* The uuid xl will give the domain: from the file xl reads (rpath is
     * the same file, under the root). */
    char uuid[37] = "", *text = NULL;
    if (fs_read_file(rpath, &text, NULL, NULL) < 0 || !hv_xen_config_uuid(text, uuid))
        uuid[0] = '\0';
    free(text);
    int rc = run_xl_making(x, hv_xen_argv_create(x->xl, path), what, uuid, made, err);
    free(what);
    return rc;
}

static int xen_destroy(struct hv *hv, unsigned domid, char **err)
{
    struct xen *x = xen_of(hv);
    if (hv_xen_refuse_readonly(x, "destroy", err) < 0 || hv_xen_target(x, domid, err) < 0)
        return -1;
    char *what = xasprintf("xl destroy %u", domid);
    char **argv = hv_xen_argv_destroy(x->xl, domid);
    int rc = hv_xen_run_xl(argv, x->timeout_ms, what, err);
    hv_xen_argv_free(argv);
    free(what);
    return rc;
}

static int xen_set_memory(struct hv *hv, unsigned domid, unsigned long long kb, char **err)
{
    struct xen *x = xen_of(hv);
    if (hv_xen_refuse_readonly(x, "set_memory", err) < 0 || hv_xen_target(x, domid, err) < 0)
        return -1;
    char **argv = hv_xen_argv_mem_set(x->xl, domid, kb);
    char *what = xasprintf("xl mem-set %u %s", domid, argv[3]);
    int rc = hv_xen_run_xl(argv, x->timeout_ms, what, err);
    hv_xen_argv_free(argv);
    free(what);
    return rc;
}

static int xen_set_vcpus(struct hv *hv, unsigned domid, unsigned n, char **err)
{
    struct xen *x = xen_of(hv);
    if (hv_xen_refuse_readonly(x, "set_vcpus", err) < 0 || hv_xen_target(x, domid, err) < 0)
        return -1;
    char *what = xasprintf("xl vcpu-set %u %u", domid, n);
    char **argv = hv_xen_argv_vcpu_set(x->xl, domid, n);
    int rc = hv_xen_run_xl(argv, x->timeout_ms, what, err);
    hv_xen_argv_free(argv);
    free(what);
    return rc;
}

static int xen_rename(struct hv *hv, unsigned domid, const char *new_name, char **err)
{
    struct xen *x = xen_of(hv);
    if (hv_xen_refuse_readonly(x, "rename", err) < 0 || hv_xen_target(x, domid, err) < 0)
        return -1;
    char *what = xasprintf("xl rename %u %s", domid, new_name);
    int rc = -1;
    if (!check_guest_name(new_name)) {
        set_error(err, "%s: invalid name", what);
    } else {
        char **argv = hv_xen_argv_rename(x->xl, domid, new_name);
        rc = hv_xen_run_xl(argv, x->timeout_ms, what, err);
        hv_xen_argv_free(argv);
    }
    free(what);
    return rc;
}

/* Only an HVM guest has the ACPI button (xl would fail on a PV one in its
 * own words: the simulator's are kept). */
static int xen_power_button(struct hv *hv, unsigned domid, char **err)
{
    struct xen *x = xen_of(hv);
    if (hv_xen_refuse_readonly(x, "power_button", err) < 0 || hv_xen_target(x, domid, err) < 0)
        return -1;
    xc_domaininfo_t info;
    x->log.last[0] = '\0';
    int got = xc_domain_getinfolist(x->xch, domid, 1, &info);
    if (got < 0) {
        set_error(err, "cannot get the state of domain %u: %s", domid, strerror(errno));
        return -1;
    }
    if (got == 1 && info.domain == domid && !(info.flags & XEN_DOMINF_hvm_guest)) {
        set_error(err, "domain %u is not an HVM guest: it has no ACPI power button", domid);
        return -1;
    }
    char *what = xasprintf("xl trigger %u power", domid);
    char **argv = hv_xen_argv_trigger_power(x->xl, domid);
    int rc = hv_xen_run_xl(argv, x->timeout_ms, what, err);
    hv_xen_argv_free(argv);
    free(what);
    return rc;
}

/* Sleep on the @releaseDomain watch. A signal ends the wait early with 0
 * ("may have changed"), so that the caller can look at why it came. */
static int xen_wait(struct hv *hv, unsigned timeout_ms, char **err)
{
    struct xen *x = xen_of(hv);
    struct pollfd pfd = { .fd = x->watch_fd, .events = POLLIN };
    int r = poll(&pfd, 1, timeout_ms > INT_MAX ? INT_MAX : (int)timeout_ms);
    if (r < 0) {
        if (errno == EINTR)
            return 0;
        set_error(err, "cannot wait for xenstore events: %s", strerror(errno));
        return -1;
    }
    if (r == 0)
        return 1;
    return xen_drain_watch(x, err) < 0 ? -1 : 0;
}

/* ---- moving guests ---- */

/* Xen's physinfo capabilities: HAP (EPT/NPT) and shadow paging, on which
 * log-dirty mode, and so live migration, is built (hv.h). */
static int xen_caps(struct hv *hv, unsigned *ret, char **err)
{
    struct xen *x = xen_of(hv);
    xc_physinfo_t info;
    memset(&info, 0, sizeof(info));
    x->log.last[0] = '\0';
    if (xc_physinfo(x->xch, &info) < 0) {
        set_error(err, "cannot read the hypervisor's capabilities: %s%s%s%s", strerror(errno),
                  x->log.last[0] ? " (" : "", x->log.last, x->log.last[0] ? ")" : "");
        return -1;
    }
    *ret = ((info.capabilities & XEN_SYSCTL_PHYSCAP_hap) ? HV_CAP_HAP : 0) |
           ((info.capabilities & XEN_SYSCTL_PHYSCAP_shadow) ? HV_CAP_SHADOW : 0);
    return 0;
}

/* A program to run (ssh, scp: a peer's remote or copy): an absolute path
 * is taken under the root, a bare name looked for in exec_run's PATH
 * (under the root). Caller frees; NULL with *err. */
static char *find_program(const struct xen *x, const char *prog, const char *what, char **err)
{
    if (str_empty(prog)) {
        set_error(err, "%s: no program to run", what);
        return NULL;
    }
    if (prog[0] == '/')
        return root_path(x->root, prog);
    if (!strchr(prog, '/')) {
        static const char *const dirs[] = { "/usr/sbin", "/usr/bin", "/sbin", "/bin" };
        for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
            char *host = xasprintf("%s/%s", dirs[i], prog);
            char *p = root_path(x->root, host);
            free(host);
            if (access(p, X_OK) == 0)
                return p;
            free(p);
        }
    }
    set_error(err, "%s: cannot find %s in /usr/sbin:/usr/bin:/sbin:/bin", what, prog);
    return NULL;
}

/* Run a command line of the peer's (what names it in messages). */
static int run_argv(char **argv, unsigned timeout_ms, const char *what, char **err)
{
    return hv_xen_run_xl(argv, timeout_ms, what, err);
}

static bool peer_local(const struct hv_peer *peer)
{
    struct utsname u;
    return hv_xen_peer_is_local(peer, uname(&u) == 0 ? u.nodename : NULL);
}

static unsigned peer_timeout(const struct xen *x, const struct hv_peer *peer)
{
    return peer->timeout_ms ? peer->timeout_ms : x->create_timeout_ms;
}

/* A save takes as long as the guest's memory takes to write: xl's create
 * timeout, not its short one. */
static int xen_save(struct hv *hv, unsigned domid, const char *path, const char *rpath,
                    char **err)
{
    struct xen *x = xen_of(hv);
    if (hv_xen_refuse_readonly(x, "save", err) < 0 || hv_xen_target(x, domid, err) < 0)
        return -1;
    char *what = xasprintf("xl save %u %s", domid, path);
    int rc = -1;
    const char *bad = check_path(path);
    if (bad) {
        set_error(err, "%s: bad image path (%s)", what, bad);
    } else {
        char **argv = hv_xen_argv_save(x->xl, domid, path);
        rc = hv_xen_run_xl(argv, x->create_timeout_ms, what, err);
        hv_xen_argv_free(argv);
        /* xl resumes the guest; what it wrote is no image. */
        if (rc < 0)
            (void)unlink(rpath);
    }
    free(what);
    return rc;
}

/* The uuid of the domain the image at rpath holds (its config is near
 * its start). */
static bool image_uuid(const char *rpath, char uuid[37])
{
    int fd = open(rpath, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    size_t cap = 1 << 20, len = 0;
    char *buf = xmalloc(cap);
    while (len < cap) {
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    bool ok = hv_xen_image_uuid(buf, len, uuid);
    free(buf);
    return ok;
}

static int xen_restore(struct hv *hv, const char *path, const char *rpath, struct hv_made *made,
                       char **err)
{
    struct xen *x = xen_of(hv);
    if (made)
        *made = (struct hv_made){ false, 0 };
    if (hv_xen_refuse_readonly(x, "restore", err) < 0)
        return -1;
    char *what = xasprintf("xl restore %s", path);
    const char *bad = check_path(path);
    if (bad) {
        set_error(err, "%s: bad image path (%s)", what, bad);
        free(what);
        return -1;
    }
    /* As create: the domain made is the new one of the image's uuid. */
    char uuid[37] = "";
    if (!image_uuid(rpath, uuid))
        uuid[0] = '\0';
    int rc = run_xl_making(x, hv_xen_argv_restore(x->xl, path), what, uuid, made, err);
    free(what);
    return rc;
}

/* Refused before xl runs when the host cannot do it for this guest:
 * xl would fail only after copying its memory ("xc: error: Failed to
 * enable logdirty: 95"), the guest resumed on the source. */
static int xen_migrate(struct hv *hv, unsigned domid, const struct hv_peer *peer, char **err)
{
    struct xen *x = xen_of(hv);
    if (hv_xen_refuse_readonly(x, "migrate", err) < 0 || hv_xen_target(x, domid, err) < 0)
        return -1;
    bool local = peer_local(peer);
    const char *host = peer->host ? peer->host : "";
    char *what = xasprintf("xl migrate %u %s", domid, *host ? host : "localhost");
    int rc = -1;
    unsigned caps = 0;
    xc_domaininfo_t info;
    if (!local && !hv_xen_check_host(host)) {
        set_error(err, "%s: bad host name", what);
        goto out;
    }
    if (xen_caps(hv, &caps, err) < 0)
        goto out;
    x->log.last[0] = '\0';
    int got = xc_domain_getinfolist(x->xch, domid, 1, &info);
    if (got < 0 || got != 1 || info.domain != domid) {
        if (got < 0)
            set_error(err, "cannot get the state of domain %u: %s", domid, strerror(errno));
        else
            set_error(err, "no domain with id %u", domid);
        goto out;
    }
    const char *why = hv_cannot_live_migrate(caps, (info.flags & XEN_DOMINF_hvm_guest) != 0);
    if (why) {
        set_error(err, "%s", why);
        goto out;
    }
    char **argv = hv_xen_argv_migrate(x->xl, domid, peer, local);
    rc = hv_xen_run_xl(argv, peer_timeout(x, peer), what, err);
    hv_xen_argv_free(argv);
out:
    free(what);
    return rc;
}

static int xen_send(struct hv *hv, const char *path, const char *rpath,
                    const struct hv_peer *peer, char **err)
{
    struct xen *x = xen_of(hv);
    (void)rpath; /* the copy program reads path itself */
    if (hv_xen_refuse_readonly(x, "send", err) < 0)
        return -1;
    if (peer_local(peer))
        return 0; /* the same file */
    const char *host = peer->host ? peer->host : "";
    char *what = xasprintf("copying %s to %s", path, host), *prog = NULL;
    int rc = -1;
    const char *bad = check_path(path);
    if (bad)
        set_error(err, "%s: bad path (%s)", what, bad);
    else if (!hv_xen_check_host(host))
        set_error(err, "%s: bad host name", what);
    else if ((prog = find_program(x, peer->copy ? peer->copy[0] : NULL, what, err))) {
        char **argv = hv_xen_argv_copy(prog, peer, path);
        rc = run_argv(argv, peer_timeout(x, peer), what, err);
        hv_xen_argv_free(argv);
    }
    free(prog);
    free(what);
    return rc;
}

static int xen_restore_at(struct hv *hv, const struct hv_peer *peer, const char *path,
                          char **err)
{
    struct xen *x = xen_of(hv);
    if (hv_xen_refuse_readonly(x, "restore_at", err) < 0)
        return -1;
    const char *host = peer->host ? peer->host : "";
    char *what = xasprintf("xl restore %s on %s", path, host), *prog = NULL;
    int rc = -1;
    const char *bad = check_path(path);
    if (bad) {
        set_error(err, "%s: bad image path (%s)", what, bad);
    } else if (peer_local(peer)) {
        char **argv = hv_xen_argv_restore(x->xl, path);
        rc = hv_xen_run_xl(argv, peer_timeout(x, peer), what, err);
        hv_xen_argv_free(argv);
    } else if (!hv_xen_check_host(host)) {
        set_error(err, "%s: bad host name", what);
    } else if ((prog = find_program(x, peer->remote[0], what, err))) {
        char **argv = hv_xen_argv_remote_restore(prog, peer, x->xl_host, path);
        rc = run_argv(argv, peer_timeout(x, peer), what, err);
        hv_xen_argv_free(argv);
    }
    free(prog);
    free(what);
    return rc;
}

static void xen_close(struct hv *hv)
{
    if (!hv)
        return;
    struct xen *x = xen_of(hv);
    if (x->watching)
        xs_unwatch(x->xsh, WATCH_PATH, WATCH_TOKEN);
    xs_close(x->xsh); /* NULL is fine */
    if (x->xch)
        xc_interface_close(x->xch);
    free(x->xl);
    free(x->xl_host);
    free(x->root);
    free(x);
}

static const struct hv_ops xen_ops = {
    .name = "xen",
    .list = xen_list,
    .lookup = xen_lookup,
    .lookup_uuid = xen_lookup_uuid,
    .create = xen_create,
    .shutdown = xen_shutdown,
    .reboot = xen_reboot,
    .power_button = xen_power_button,
    .rename = xen_rename,
    .destroy = xen_destroy,
    .set_memory = xen_set_memory,
    .set_vcpus = xen_set_vcpus,
    .wait = xen_wait,
    .caps = xen_caps,
    .save = xen_save,
    .restore = xen_restore,
    .migrate = xen_migrate,
    .send = xen_send,
    .restore_at = xen_restore_at,
    .close = xen_close,
    .cpu_get = hv_xen_cpu_get,
    .vcpu_pin = hv_xen_vcpu_pin,
    .sched_set = hv_xen_sched_set,
    .pool_migrate = hv_xen_pool_migrate,
    .pools = hv_xen_pools,
    .pool_create = hv_xen_pool_create,
    .pool_destroy = hv_xen_pool_destroy,
    .pool_cpu = hv_xen_pool_cpu,
    .devices = hv_xen_devices,
    .attach_disk = hv_xen_attach_disk,
    .attach_nic = hv_xen_attach_nic,
};

int hv_xen_open(const char *root, const struct hv_xl *tool, unsigned flags, struct hv **ret,
                char **err)
{
    *ret = NULL;
    const char *xl = tool->path;
    if (str_empty(xl) || xl[0] != '/') {
        set_error(err, "the xl program must be an absolute path (not \"%s\")", xl ? xl : "");
        return -1;
    }
    struct xen *x = xcalloc(1, sizeof(*x));
    x->hv.ops = &xen_ops;
    x->hv.priv = x;
    x->log.vtable.vmessage = logger_vmessage;
    x->log.vtable.progress = logger_progress;
    x->log.vtable.destroy = logger_destroy;
    x->watch_fd = -1;
    x->readonly = flags & HV_OPEN_READONLY;
    x->xl = root_path(root, xl);
    x->xl_host = xstrdup(xl);
    x->root = xstrdup(root ? root : "/");
    x->create_timeout_ms = tool->create_timeout_ms;
    x->timeout_ms = tool->timeout_ms;

    x->xch = xc_interface_open(&x->log.vtable, &x->log.vtable, 0);
    if (!x->xch) {
        /* ENOENT: no /dev/xen/privcmd (not Xen, or not dom0); EACCES:
         * not root. */
        set_error(err, "this host is not a running Xen dom0 (cannot open the hypervisor "
                  "interface: %s)", strerror(errno));
        goto fail;
    }
    x->xsh = xs_open(0);
    if (!x->xsh) {
        set_error(err, "cannot connect to xenstored (%s): is the xen service running?",
                  strerror(errno));
        goto fail;
    }
    /* xs_fileno makes the watch pipe on demand (and signals events that
     * are already queued, so either order works): asked for first, its
     * failure leaves no watch to undo. */
    x->watch_fd = xs_fileno(x->xsh);
    if (x->watch_fd < 0) {
        set_error(err, "cannot watch xenstore: %s", strerror(errno));
        goto fail;
    }
    if (!xs_watch(x->xsh, WATCH_PATH, WATCH_TOKEN)) {
        set_error(err, "cannot watch %s in xenstore: %s", WATCH_PATH, strerror(errno));
        goto fail;
    }
    x->watching = true;
    if (xen_drain_initial(x, err) < 0)
        goto fail;
    *ret = &x->hv;
    return 0;
fail:
    xen_close(&x->hv);
    return -1;
}
