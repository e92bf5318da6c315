/* fakexen.c: a link-time fake of the parts of libxenctrl and libxenstore
 * that src/hv_xen.c uses, for tests/unit/test-hv-xen.c. Link it instead
 * of -lxenctrl -lxenstore; the real headers give the types and the
 * prototypes, so the compiler checks that every fake matches its real
 * signature.
 *
 * The fake is one in-memory host: a sorted table of domain records for
 * the hypervisor, a flat path -> value table for xenstore, one
 * transaction at a time, one watch. It follows the real libraries where
 * the backend depends on them:
 *  - xs_read returns a malloc'd copy (NULL and ENOENT for a missing
 *    node); a read inside a transaction sees that transaction's writes;
 *  - xs_transaction_end fails with EAGAIN when told to (a conflict), and
 *    then discards the transaction's writes, as xenstored does;
 *  - a watch fires once when registered; the xs_fileno pipe holds one
 *    byte while events are queued (libxenstore's watch_pipe protocol);
 *    xs_check_watch returns one malloc'd block, or NULL with EAGAIN;
 *  - handles are heap blocks, so that AddressSanitizer and valgrind
 *    report one that the backend forgets to close.
 * The tests drive it through the fakexen_* functions below (declared in
 * the test; there is no header for a single user). Single-threaded. */
#include <xenctrl.h>
#include <xenstore.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FAKE_MAX_DOMS 1024
#define FAKE_MAX_CALLS 1024
#define FAKE_MAX_EVENTS 64

struct kv {
    char *path;
    char *value;
};

struct kvs {
    struct kv *v;
    size_t n, cap;
};

static struct {
    /* failures on demand (errno values; 0: succeed) */
    int xc_open_errno, xs_open_errno, watch_errno, getinfolist_errno, physinfo_errno;
    uint32_t physcaps; /* xc_physinfo's capabilities */
    int read_errno;   /* for reads of read_fail_path, or of any path */
    char *read_fail_path;
    unsigned tx_eagain; /* commits that fail with EAGAIN before one works */
    bool no_initial_event;
    bool lost;        /* the connection to xenstored is gone */

    /* the hypervisor */
    xc_domaininfo_t doms[FAKE_MAX_DOMS];
    size_t ndoms;
    unsigned vanish[FAKE_MAX_DOMS]; /* domids that go after being listed */
    size_t nvanish;
    xc_domaininfo_t later[8]; /* domains that appear at a later call */
    unsigned later_at[8];     /* the getinfolist call (counted from 0) they appear at */
    size_t nlater;
    xentoollog_logger *logger;

    /* xenstore */
    struct kvs store;
    xs_transaction_t tx; /* the open transaction, or XBT_NULL */
    xs_transaction_t last_tx;
    struct kvs pending;  /* its writes */
    char *watch_path, *watch_token;
    char *events[FAKE_MAX_EVENTS]; /* queued event paths */
    size_t nevents;
    int pipe[2];

    /* CPU placement: the host's CPUs (0: 4), each domain's affinity (one
     * byte of CPUs 0-7, the same for every vcpu but vcpu odd_vcpu's, whose
     * hard one is odd_hard), weight and cap; the pools (id, scheduler,
     * CPUs in one byte, domains). */
    unsigned ncpus;
    struct { unsigned domid; uint8_t hard, soft; unsigned weight, cap; } place[16];
    size_t nplace;
    unsigned odd_vcpu; uint8_t odd_hard; bool odd;
    struct { uint32_t id, sched; uint8_t cpus; uint32_t ndom; } pools[8];
    size_t npools;

    /* what happened */
    int xc_handles, xs_handles;
    unsigned tx_start, tx_commit, tx_abort, tx_conflicts, unwatches, getinfolists;
    unsigned firsts[FAKE_MAX_CALLS]; /* first_domain of each getinfolist */
    unsigned maxes[FAKE_MAX_CALLS];  /* max_domains of each */
} F = { .pipe = { -1, -1 } };

static char *dup_or_die(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p)
        abort();
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static void kvs_set(struct kvs *t, const char *path, const char *value, size_t len)
{
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->v[i].path, path)) {
            free(t->v[i].value);
            t->v[i].value = dup_or_die(value, len);
            return;
        }
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 64;
        t->v = realloc(t->v, t->cap * sizeof(*t->v));
        if (!t->v)
            abort();
    }
    t->v[t->n].path = dup_or_die(path, strlen(path));
    t->v[t->n].value = dup_or_die(value, len);
    t->n++;
}

static const char *kvs_get(const struct kvs *t, const char *path)
{
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->v[i].path, path))
            return t->v[i].value;
    return NULL;
}

/* Remove path and everything under it. */
static void kvs_remove_tree(struct kvs *t, const char *path)
{
    size_t len = strlen(path), kept = 0;
    for (size_t i = 0; i < t->n; i++) {
        const char *p = t->v[i].path;
        if (!strncmp(p, path, len) && (p[len] == '\0' || p[len] == '/')) {
            free(t->v[i].path);
            free(t->v[i].value);
        } else {
            t->v[kept++] = t->v[i];
        }
    }
    t->n = kept;
}

static void kvs_clear(struct kvs *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].path);
        free(t->v[i].value);
    }
    free(t->v);
    *t = (struct kvs){ 0 };
}

static void close_pipe(void)
{
    for (int i = 0; i < 2; i++)
        if (F.pipe[i] >= 0) {
            close(F.pipe[i]);
            F.pipe[i] = -1;
        }
}

/* Queue an event; the pipe gets its byte when the queue was empty. */
static void queue_event(const char *path)
{
    if (F.nevents == FAKE_MAX_EVENTS)
        abort();
    if (F.nevents == 0 && F.pipe[1] >= 0 && write(F.pipe[1], "x", 1) != 1)
        abort();
    F.events[F.nevents++] = dup_or_die(path, strlen(path));
}

static void log_error(int errnum, const char *context, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void log_error(int errnum, const char *context, const char *fmt, ...)
{
    if (!F.logger)
        return;
    va_list ap;
    va_start(ap, fmt);
    F.logger->vmessage(F.logger, XTL_ERROR, errnum, context, fmt, ap);
    va_end(ap);
}

/* ---- the control side, for the tests ---- */

void fakexen_reset(void)
{
    free(F.read_fail_path);
    kvs_clear(&F.store);
    kvs_clear(&F.pending);
    free(F.watch_path);
    free(F.watch_token);
    for (size_t i = 0; i < F.nevents; i++)
        free(F.events[i]);
    close_pipe();
    memset(&F, 0, sizeof(F));
    F.pipe[0] = F.pipe[1] = -1;
}

/* Set a knob: "xc_open_errno", "xs_open_errno", "watch_errno",
 * "getinfolist_errno", "physinfo_errno", "physcaps" (xc_physinfo's
 * capabilities), "read_errno" (every read fails), "tx_eagain"
 * (that many commits fail with EAGAIN), "no_initial_event" (a new watch
 * does not fire), "lost" (the xenstored connection drops: the watch pipe
 * becomes readable and xs_check_watch fails with EINVAL). */
void fakexen_set(const char *knob, int value)
{
    if (!strcmp(knob, "xc_open_errno"))
        F.xc_open_errno = value;
    else if (!strcmp(knob, "xs_open_errno"))
        F.xs_open_errno = value;
    else if (!strcmp(knob, "watch_errno"))
        F.watch_errno = value;
    else if (!strcmp(knob, "getinfolist_errno"))
        F.getinfolist_errno = value;
    else if (!strcmp(knob, "physinfo_errno"))
        F.physinfo_errno = value;
    else if (!strcmp(knob, "physcaps"))
        F.physcaps = (uint32_t)value;
    else if (!strcmp(knob, "read_errno"))
        F.read_errno = value;
    else if (!strcmp(knob, "tx_eagain"))
        F.tx_eagain = (unsigned)value;
    else if (!strcmp(knob, "no_initial_event"))
        F.no_initial_event = value != 0;
    else if (!strcmp(knob, "lost")) {
        F.lost = value != 0;
        if (F.lost && F.nevents == 0 && F.pipe[1] >= 0 && write(F.pipe[1], "x", 1) != 1)
            abort();
    } else {
        fprintf(stderr, "fakexen: unknown knob %s\n", knob);
        abort();
    }
}

/* Reads of path fail with errnum. */
void fakexen_fail_read(const char *path, int errnum)
{
    free(F.read_fail_path);
    F.read_fail_path = dup_or_die(path, strlen(path));
    F.read_errno = errnum;
}

/* A counter: "xc_handles", "xs_handles" (open now), "watching" (1 while
 * a watch is registered), "events" (queued), "tx_start", "tx_commit",
 * "tx_abort", "tx_conflicts", "unwatches", "getinfolists". */
unsigned fakexen_count(const char *what)
{
    if (!strcmp(what, "xc_handles"))
        return (unsigned)F.xc_handles;
    if (!strcmp(what, "xs_handles"))
        return (unsigned)F.xs_handles;
    if (!strcmp(what, "watching"))
        return F.watch_path != NULL;
    if (!strcmp(what, "events"))
        return (unsigned)F.nevents;
    if (!strcmp(what, "tx_start"))
        return F.tx_start;
    if (!strcmp(what, "tx_commit"))
        return F.tx_commit;
    if (!strcmp(what, "tx_abort"))
        return F.tx_abort;
    if (!strcmp(what, "tx_conflicts"))
        return F.tx_conflicts;
    if (!strcmp(what, "unwatches"))
        return F.unwatches;
    if (!strcmp(what, "getinfolists"))
        return F.getinfolists;
    fprintf(stderr, "fakexen: unknown counter %s\n", what);
    abort();
}

/* The first_domain and max_domains of the i-th xc_domain_getinfolist. */
unsigned fakexen_getinfolist_first(unsigned i)
{
    if (i >= F.getinfolists || i >= FAKE_MAX_CALLS)
        abort();
    return F.firsts[i];
}

unsigned fakexen_getinfolist_max(unsigned i)
{
    if (i >= F.getinfolists || i >= FAKE_MAX_CALLS)
        abort();
    return F.maxes[i];
}

/* Add (or replace) a domain record; the table stays in domid order, as
 * the hypervisor's list is. */
void fakexen_add_domain(const xc_domaininfo_t *info)
{
    size_t i = 0;
    while (i < F.ndoms && F.doms[i].domain < info->domain)
        i++;
    if (i < F.ndoms && F.doms[i].domain == info->domain) {
        F.doms[i] = *info;
        return;
    }
    if (F.ndoms == FAKE_MAX_DOMS)
        abort();
    memmove(&F.doms[i + 1], &F.doms[i], (F.ndoms - i) * sizeof(F.doms[0]));
    F.doms[i] = *info;
    F.ndoms++;
}

/* Destroy a domain: its record and its xenstore nodes. */
void fakexen_remove_domain(unsigned domid)
{
    for (size_t i = 0; i < F.ndoms; i++)
        if (F.doms[i].domain == domid) {
            char path[64];
            snprintf(path, sizeof(path), "/local/domain/%u", domid);
            kvs_remove_tree(&F.store, path);
            memmove(&F.doms[i], &F.doms[i + 1], (F.ndoms - i - 1) * sizeof(F.doms[0]));
            F.ndoms--;
            return;
        }
}

/* The domain appears just before the xc_domain_getinfolist call numbered
 * call (from 0, as the "getinfolists" counter counts them): what another
 * process, xl create run by the backend, makes between two reads. */
void fakexen_add_domain_at(unsigned call, const xc_domaininfo_t *info)
{
    if (F.nlater == 8)
        abort();
    F.later[F.nlater] = *info;
    F.later_at[F.nlater++] = call;
}

/* The domain is destroyed right after the next xc_domain_getinfolist
 * that returns it: between the backend's two reads. */
void fakexen_vanish_after_list(unsigned domid)
{
    if (F.nvanish == FAKE_MAX_DOMS)
        abort();
    F.vanish[F.nvanish++] = domid;
}

void fakexen_xs_set(const char *path, const char *value)
{
    kvs_set(&F.store, path, value, strlen(value));
}

/* The committed value of path, or NULL. */
const char *fakexen_xs_get(const char *path)
{
    return kvs_get(&F.store, path);
}

/* Fire the watch, if it is on path (the real daemon matches children
 * too, but @releaseDomain has none). */
void fakexen_fire(const char *path)
{
    if (F.watch_path && !strcmp(F.watch_path, path))
        queue_event(path);
}

/* ---- libxenctrl ---- */

xc_interface *xc_interface_open(xentoollog_logger *logger, xentoollog_logger *dombuild_logger,
                                unsigned open_flags)
{
    (void)dombuild_logger, (void)open_flags;
    F.logger = logger;
    if (F.xc_open_errno) {
        /* What the real one logs off dom0 (xencall_open). */
        log_error(F.xc_open_errno, "xencall",
                  "Could not obtain handle on privileged command interface");
        F.logger = NULL;
        errno = F.xc_open_errno;
        return NULL;
    }
    F.xc_handles++;
    return malloc(16);
}

int xc_interface_close(xc_interface *xch)
{
    if (!xch)
        return 0;
    F.xc_handles--;
    F.logger = NULL;
    free(xch);
    return 0;
}

/* Only the capabilities (XEN_SYSCTL_PHYSCAP_*: knob physcaps). */
int xc_physinfo(xc_interface *xch, xc_physinfo_t *info)
{
    (void)xch;
    if (F.physinfo_errno) {
        log_error(F.physinfo_errno, "xc", "XEN_SYSCTL_physinfo failed");
        errno = F.physinfo_errno;
        return -1;
    }
    memset(info, 0, sizeof(*info));
    info->capabilities = F.physcaps;
    info->max_cpu_id = (F.ncpus ? F.ncpus : 4) - 1;
    return 0;
}

int xc_domain_getinfolist(xc_interface *xch, uint32_t first_domain, unsigned int max_domains,
                          xc_domaininfo_t *info)
{
    (void)xch;
    for (size_t i = 0; i < F.nlater;) {
        if (F.later_at[i] <= F.getinfolists) {
            fakexen_add_domain(&F.later[i]);
            F.later[i] = F.later[F.nlater - 1];
            F.later_at[i] = F.later_at[--F.nlater];
        } else {
            i++;
        }
    }
    if (F.getinfolists < FAKE_MAX_CALLS) {
        F.firsts[F.getinfolists] = first_domain;
        F.maxes[F.getinfolists] = max_domains;
    }
    F.getinfolists++;
    if (F.getinfolist_errno) {
        log_error(F.getinfolist_errno, "xc", "XEN_SYSCTL_getdomaininfolist failed");
        errno = F.getinfolist_errno;
        return -1;
    }
    unsigned n = 0;
    for (size_t i = 0; i < F.ndoms && n < max_domains; i++)
        if (F.doms[i].domain >= first_domain)
            info[n++] = F.doms[i];
    /* Those told to vanish go now, once: the caller has their records. */
    for (unsigned k = 0; k < n; k++)
        for (size_t v = 0; v < F.nvanish; v++)
            if (F.vanish[v] == info[k].domain) {
                fakexen_remove_domain(info[k].domain);
                F.vanish[v] = F.vanish[--F.nvanish];
                break;
            }
    return (int)n;
}

/* ---- CPU placement ---- */

void fakexen_set_ncpus(unsigned n)
{
    F.ncpus = n;
}

/* Domain domid's placement: hard and soft affinity (bit i: CPU i), weight
 * and cap. */
void fakexen_place(unsigned domid, uint8_t hard, uint8_t soft, unsigned weight, unsigned cap)
{
    if (F.nplace == 16)
        abort();
    F.place[F.nplace].domid = domid;
    F.place[F.nplace].hard = hard;
    F.place[F.nplace].soft = soft;
    F.place[F.nplace].weight = weight;
    F.place[F.nplace].cap = cap;
    F.nplace++;
}

/* vcpu's hard affinity differs from the others'. */
void fakexen_odd_vcpu(unsigned vcpu, uint8_t hard)
{
    F.odd = true;
    F.odd_vcpu = vcpu;
    F.odd_hard = hard;
}

void fakexen_add_pool(uint32_t id, uint32_t sched, uint8_t cpus, uint32_t ndom)
{
    if (F.npools == 8)
        abort();
    F.pools[F.npools].id = id;
    F.pools[F.npools].sched = sched;
    F.pools[F.npools].cpus = cpus;
    F.pools[F.npools].ndom = ndom;
    F.npools++;
}

static int place_of(uint32_t domid)
{
    for (size_t i = 0; i < F.nplace; i++)
        if (F.place[i].domid == domid)
            return (int)i;
    return -1;
}

int xc_get_cpumap_size(xc_interface *xch)
{
    (void)xch;
    return 1; /* CPUs 0-7 */
}

xc_cpumap_t xc_cpumap_alloc(xc_interface *xch)
{
    (void)xch;
    return calloc(1, 1);
}

int xc_vcpu_getaffinity(xc_interface *xch, uint32_t domid, int vcpu, xc_cpumap_t cpumap_hard,
                        xc_cpumap_t cpumap_soft, uint32_t flags)
{
    (void)xch, (void)flags;
    int i = place_of(domid);
    if (i < 0) {
        errno = ESRCH;
        return -1;
    }
    cpumap_hard[0] = F.odd && (unsigned)vcpu == F.odd_vcpu ? F.odd_hard : F.place[i].hard;
    cpumap_soft[0] = F.place[i].soft;
    return 0;
}

static int sched_get(uint32_t domid, unsigned *w, unsigned *c)
{
    int i = place_of(domid);
    if (i < 0) {
        errno = ESRCH;
        return -1;
    }
    *w = F.place[i].weight;
    *c = F.place[i].cap;
    return 0;
}

int xc_sched_credit2_domain_get(xc_interface *xch, uint32_t domid,
                                struct xen_domctl_sched_credit2 *sdom)
{
    (void)xch;
    unsigned w, c;
    if (sched_get(domid, &w, &c) < 0)
        return -1;
    sdom->weight = (uint16_t)w;
    sdom->cap = (uint16_t)c;
    return 0;
}

int xc_sched_credit_domain_get(xc_interface *xch, uint32_t domid,
                               struct xen_domctl_sched_credit *sdom)
{
    (void)xch;
    unsigned w, c;
    if (sched_get(domid, &w, &c) < 0)
        return -1;
    sdom->weight = (uint16_t)w;
    sdom->cap = (uint16_t)c;
    return 0;
}

/* The first pool from poolid on, as the real one. */
xc_cpupoolinfo_t *xc_cpupool_getinfo(xc_interface *xch, uint32_t poolid)
{
    (void)xch;
    size_t best = F.npools;
    for (size_t i = 0; i < F.npools; i++)
        if (F.pools[i].id >= poolid && (best == F.npools || F.pools[i].id < F.pools[best].id))
            best = i;
    if (best == F.npools) {
        errno = ENOENT;
        return NULL;
    }
    xc_cpupoolinfo_t *info = calloc(1, sizeof(*info) + 1);
    if (!info)
        abort();
    info->cpupool_id = F.pools[best].id;
    info->sched_id = F.pools[best].sched;
    info->n_dom = F.pools[best].ndom;
    info->cpumap = (xc_cpumap_t)(info + 1);
    info->cpumap[0] = F.pools[best].cpus;
    return info;
}

void xc_cpupool_infofree(xc_interface *xch, xc_cpupoolinfo_t *info)
{
    (void)xch;
    free(info);
}

/* ---- libxenstore ---- */

struct xs_handle *xs_open(unsigned long flags)
{
    (void)flags;
    if (F.xs_open_errno) {
        errno = F.xs_open_errno;
        return NULL;
    }
    F.xs_handles++;
    return malloc(16);
}

void xs_close(struct xs_handle *xsh)
{
    if (!xsh)
        return;
    F.xs_handles--;
    close_pipe();
    for (size_t i = 0; i < F.nevents; i++)
        free(F.events[i]);
    F.nevents = 0;
    free(xsh);
}

void *xs_read(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *len)
{
    (void)h;
    if (F.lost) {
        errno = EINVAL;
        return NULL;
    }
    if (F.read_errno && (!F.read_fail_path || !strcmp(F.read_fail_path, path))) {
        errno = F.read_errno;
        return NULL;
    }
    const char *v = NULL;
    if (t != XBT_NULL) {
        if (t != F.tx) {
            errno = EINVAL;
            return NULL;
        }
        v = kvs_get(&F.pending, path);
    }
    if (!v)
        v = kvs_get(&F.store, path);
    if (!v) {
        errno = ENOENT;
        return NULL;
    }
    if (len)
        *len = (unsigned)strlen(v);
    return dup_or_die(v, strlen(v));
}

/* The children of path (outside transactions only), in one malloc'd
 * block of pointers and their strings, as libxenstore returns them; NULL
 * and ENOENT when path has no node and no children. */
char **xs_directory(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *num)
{
    (void)h, (void)t;
    if (F.lost) {
        errno = EINVAL;
        return NULL;
    }
    if (F.read_errno && (!F.read_fail_path || !strcmp(F.read_fail_path, path))) {
        errno = F.read_errno;
        return NULL;
    }
    size_t plen = strlen(path), n = 0, bytes = 0;
    const char *names[FAKE_MAX_DOMS];
    size_t lens[FAKE_MAX_DOMS];
    bool found = kvs_get(&F.store, path) != NULL;
    for (size_t i = 0; i < F.store.n; i++) {
        const char *p = F.store.v[i].path;
        if (strncmp(p, path, plen) || p[plen] != '/')
            continue;
        found = true;
        const char *name = p + plen + 1;
        size_t len = strcspn(name, "/");
        bool dup = false;
        for (size_t k = 0; k < n && !dup; k++)
            dup = lens[k] == len && !strncmp(names[k], name, len);
        if (dup || n == FAKE_MAX_DOMS)
            continue;
        names[n] = name;
        lens[n++] = len;
        bytes += len + 1;
    }
    if (!found) {
        errno = ENOENT;
        return NULL;
    }
    char **v = malloc(n * sizeof(char *) + bytes + 1);
    if (!v)
        abort();
    char *out = (char *)(v + n);
    for (size_t k = 0; k < n; k++) {
        memcpy(out, names[k], lens[k]);
        out[lens[k]] = '\0';
        v[k] = out;
        out += lens[k] + 1;
    }
    *num = (unsigned)n;
    return v;
}

bool xs_write(struct xs_handle *h, xs_transaction_t t, const char *path, const void *data,
              unsigned int len)
{
    (void)h;
    if (F.lost) {
        errno = EINVAL;
        return false;
    }
    if (t == XBT_NULL) {
        kvs_set(&F.store, path, data, len);
        return true;
    }
    if (t != F.tx) {
        errno = EINVAL;
        return false;
    }
    kvs_set(&F.pending, path, data, len);
    return true;
}

xs_transaction_t xs_transaction_start(struct xs_handle *h)
{
    (void)h;
    if (F.lost) {
        errno = EINVAL;
        return XBT_NULL;
    }
    if (F.tx != XBT_NULL) {
        fprintf(stderr, "fakexen: nested transaction\n");
        abort();
    }
    F.tx_start++;
    F.tx = ++F.last_tx;
    return F.tx;
}

bool xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort_it)
{
    (void)h;
    if (t == XBT_NULL || t != F.tx) {
        errno = ENOENT;
        return false;
    }
    F.tx = XBT_NULL;
    if (abort_it) {
        F.tx_abort++;
        kvs_clear(&F.pending);
        return true;
    }
    if (F.tx_eagain) {
        F.tx_eagain--;
        F.tx_conflicts++;
        kvs_clear(&F.pending);
        errno = EAGAIN;
        return false;
    }
    for (size_t i = 0; i < F.pending.n; i++)
        kvs_set(&F.store, F.pending.v[i].path, F.pending.v[i].value,
                strlen(F.pending.v[i].value));
    kvs_clear(&F.pending);
    F.tx_commit++;
    return true;
}

bool xs_watch(struct xs_handle *h, const char *path, const char *token)
{
    (void)h;
    if (F.watch_errno) {
        errno = F.watch_errno;
        return false;
    }
    if (F.watch_path) {
        fprintf(stderr, "fakexen: only one watch\n");
        abort();
    }
    F.watch_path = dup_or_die(path, strlen(path));
    F.watch_token = dup_or_die(token, strlen(token));
    if (!F.no_initial_event)
        queue_event(path);
    return true;
}

bool xs_unwatch(struct xs_handle *h, const char *path, const char *token)
{
    (void)h;
    if (!F.watch_path || strcmp(F.watch_path, path) || strcmp(F.watch_token, token)) {
        errno = ENOENT;
        return false;
    }
    free(F.watch_path);
    free(F.watch_token);
    F.watch_path = F.watch_token = NULL;
    F.unwatches++;
    return true;
}

int xs_fileno(struct xs_handle *h)
{
    (void)h;
    if (F.pipe[0] < 0) {
        if (pipe2(F.pipe, O_CLOEXEC) < 0)
            return -1;
        if (F.nevents > 0 && write(F.pipe[1], "x", 1) != 1)
            abort();
    }
    return F.pipe[0];
}

char **xs_check_watch(struct xs_handle *h)
{
    (void)h;
    if (F.lost) {
        errno = EINVAL;
        return NULL;
    }
    if (F.nevents == 0) {
        errno = EAGAIN;
        return NULL;
    }
    char *path = F.events[0];
    memmove(&F.events[0], &F.events[1], (F.nevents - 1) * sizeof(F.events[0]));
    F.nevents--;
    char c;
    if (F.nevents == 0 && F.pipe[0] >= 0 && read(F.pipe[0], &c, 1) != 1)
        abort();

    /* One block: the two pointers, then the strings (XS_WATCH_PATH,
     * XS_WATCH_TOKEN), freed with one free(). */
    size_t lp = strlen(path) + 1, lt = strlen(F.watch_token ? F.watch_token : "") + 1;
    char **ev = malloc(2 * sizeof(char *) + lp + lt);
    if (!ev)
        abort();
    char *s = (char *)(ev + 2);
    memcpy(s, path, lp);
    memcpy(s + lp, F.watch_token ? F.watch_token : "", lt);
    ev[XS_WATCH_PATH] = s;
    ev[XS_WATCH_TOKEN] = s + lp;
    free(path);
    return ev;
}
