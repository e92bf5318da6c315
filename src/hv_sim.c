/* hv_sim.c: a simulated hypervisor with Xen's semantics, in the spirit of
 * libvirt's test driver, for the tests and the demo.
 *
 * Its state lives under the root, in root/var/lib/lcfg/xen/sim (created
 * 0755 on open), so that it survives between runs of the component: each
 * process opens it, acts and closes. Every operation takes the simulator's
 * own lock (flock on "lock" in that directory: status may list, and so
 * apply due events, while configure changes things), brings its state up
 * to date from the files, applies the events that have come due, acts, and
 * records what changed. The state is the file "domains" and the journal
 * of the changes made since it was written: an operation appends one
 * record to the journal, and the journal is folded into "domains" (written
 * whole, atomically: a temporary, then rename) when it has grown past it
 * and when the last handle of a run of the component closes. A handle
 * keeps the state between operations, and reads "domains" again only when
 * it is another file than the one it read (a fold, or an edit by hand),
 * the journal from where it stopped; a child forked while a handle is open
 * (hv_create_all) starts its handle from that state. So an operation costs
 * about the same whatever the number of domains, but list.
 *
 * The state file "domains" (written by the simulator; between runs of the
 * component it holds the whole state, and tests may read and edit it):
 *
 *   # comment lines, blank lines
 *   serial N
 *   next_domid N
 *   DOMID NAME UUID STATE REASON MEM_KB TARGET_KB MAX_KB VCPUS MAX_VCPUS
 *       START_MS EVENT REQUESTED_MS DUE_MS [FLAGS]  (one line in the file)
 *
 *   serial  the serial of the last journal record folded into it (0 when
 *           the line is missing)
 *   one line per domain, in domid order, fields separated by blanks:
 *   STATE   running, paused, shutdown, crashed or dying
 *   REASON  poweroff, reboot, suspend or crash (the shutdown reason of a
 *           shut down or crashed domain), "-" otherwise
 *   START_MS, REQUESTED_MS, DUE_MS: milliseconds since 1970 (CLOCK_REALTIME,
 *           so that times mean the same in every process)
 *   EVENT   the pending request: none, shutdown or reboot. REQUESTED_MS is
 *           when it was asked for, DUE_MS when the guest completes it, or
 *           "never" when it ignores it; both "-" for none.
 *   FLAGS   (only when there is one) "hvm" (an HVM guest: its config has
 *           type = "hvm"), "pending" (a shutdown or reboot request sits in
 *           its control node, untaken: a guest without PV drivers), or
 *           "hvm,pending"
 *
 * The journal "journal" (written by the simulator only; absent when
 * everything is in "domains"), one record per operation that changed
 * something, each one line written with one write:
 *
 *   SERIAL CHANGE ; CHANGE ...
 *
 *   SERIAL  one more than the record before it (or than the serial of
 *           "domains"); a record whose serial is not above that of
 *           "domains" is already in it (a fold killed before it removed
 *           the journal) and is skipped
 *   CHANGE  set DOMID NAME ... DUE_MS   (the fields of a domain line:
 *                                        add it, or replace that domid's)
 *           del DOMID                   (the domain is gone)
 *           next_domid N
 *
 *   A last line without its newline is a record that a process killed
 *   while writing it left cut short: it is not there, and the next
 *   record is written in its place. A process killed at any point leaves
 *   the state it had before its operation or after it.
 *
 * Domain-0 (domid 0, uuid 00000000-0000-0000-0000-000000000000, 4 GiB,
 * 2 vcpus) always exists and cannot be touched. Domids are given out from 1
 * upwards and never reused within the state (next_domid). A completed
 * shutdown removes the domain (xl's on_poweroff=destroy); a completed
 * reboot removes it and creates it again, with the same name, uuid and
 * (current) memory and vcpu settings, under a new domid, as Xen does.
 *
 * The control file "control", the test API (written by tests, read at the
 * start of every operation), is described in hv_sim_control.c.
 *
 * Several simulated hosts: host H's simulator is the one under the root
 * dirname(root)/H (tests run each host's component with --root T/H). A
 * migration, a send and a restore_at to another host act on its state
 * (hv_sim_move.c says how, and the save image's format); its root must
 * exist, or the host is unreachable. The directory "config" keeps, per
 * uuid, the config each domain was created from (its path, then its
 * text), which a save image carries; a domain's disks and NICs are those
 * of that config, to which an attach appends (hv_sim_devices.c).
 *
 * The file "creating" (written by the simulator, read by tests) counts the
 * creates in progress that take time (create_ms): "ACTIVE MOST", MOST
 * being the largest number ever in progress at once.
 *
 * A read-only handle (HV_OPEN_READONLY, a dry run) creates, writes and
 * removes no file (no directory, lock, state, journal, "creating"): it
 * shares the lock when the lock file exists, reads the state, applies
 * the events that came due in its memory only, and refuses every
 * operation that changes something; without a state it sees a fresh
 * hypervisor with only Domain-0.
 *
 * Renaming (rename) refuses a name another domain has, as Xen does. The
 * power button (power_button) is for HVM guests only.
 *
 * A request is judged against the control file when it is made: changing
 * shutdown_ms or ignore_shutdown later does not affect a pending event.
 * wait() sleeps until the earliest pending event or the timeout; it does
 * not notice changes made by other processes in the meantime.
 */
#include "hv_impl.h"
#include "hv_sim_impl.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "exec.h"
#include "fsutil.h"
#include "util.h"

#define DOM0_NAME "Domain-0"
#define DOM0_UUID "00000000-0000-0000-0000-000000000000"
#define DOM0_KB (4ULL * 1024 * 1024)
#define DOM0_VCPUS 2u
/* Sanity limits for a guest configuration. */
#define MAX_VCPUS 4096u
#define MAX_MEMORY_MB (1ULL << 30) /* 1 PiB */
#define NEVER (-1LL)               /* the due time of an ignored request */

static const char *const ev_names[] = { "none", "shutdown", "reboot", "end-poweroff",
                                        "end-reboot", "end-crash" };

static const char *const state_names[] = {
    [DOM_RUNNING] = "running", [DOM_PAUSED] = "paused", [DOM_SHUTDOWN] = "shutdown",
    [DOM_CRASHED] = "crashed", [DOM_DYING] = "dying",
};

static const char *const reason_names[] = {
    [HV_SHUTDOWN_POWEROFF] = "poweroff", [HV_SHUTDOWN_REBOOT] = "reboot",
    [HV_SHUTDOWN_SUSPEND] = "suspend", [HV_SHUTDOWN_CRASH] = "crash",
};

const char *const sim_op_names[OP_COUNT] = {
    "list", "create", "shutdown", "reboot", "destroy", "set_memory", "set_vcpus", "wait",
    "rename", "power_button", "caps", "save", "restore", "migrate", "send", "devices",
    "attach_disk", "attach_nic",
};

long long sim_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sim_sleep_ms(long long ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* Split line (in place) into blank-separated fields; returns their number,
 * which may exceed max (then only max are stored). */
size_t sim_split_fields(char *line, char **f, size_t max)
{
    size_t n = 0;
    char *save = NULL;
    for (char *t = strtok_r(line, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save)) {
        if (n < max)
            f[n] = t;
        n++;
    }
    return n;
}

int sim_name_index(const char *const *names, size_t count, const char *s)
{
    for (size_t i = 0; i < count; i++)
        if (names[i] && !strcmp(names[i], s))
            return (int)i;
    return -1;
}

/* ---- the lock ---- */

int sim_lock(struct sim *s, char **err)
{
    if (s->lock_fd < 0)
        return 0; /* read-only, no state directory: nothing to exclude */
    /* A reader shares the lock: it only keeps writers out. */
    while (flock(s->lock_fd, s->readonly ? LOCK_SH : LOCK_EX) < 0) {
        if (errno != EINTR) {
            set_error(err, "cannot lock %s: %s", s->lock_path, strerror(errno));
            return -1;
        }
    }
    return 0;
}

void sim_unlock(struct sim *s)
{
    if (s->lock_fd >= 0)
        (void)flock(s->lock_fd, LOCK_UN);
}

/* ---- the state in memory ---- */

static struct sim_dom *add_dom(struct sim *s)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 8;
        s->doms = xrealloc(s->doms, s->cap * sizeof(*s->doms));
    }
    struct sim_dom *d = &s->doms[s->n++];
    memset(d, 0, sizeof(*d));
    return d;
}

/* Where domid is in s->doms (kept in domid order), or would go. */
static size_t dom_pos(const struct sim *s, unsigned domid)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->doms[mid].d.domid < domid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

struct sim_dom *sim_find_dom(struct sim *s, unsigned domid)
{
    size_t i = dom_pos(s, domid);
    return i < s->n && s->doms[i].d.domid == domid && !s->doms[i].gone ? &s->doms[i] : NULL;
}

/* Remove s->doms[i] (what the current operation changes is noted by the
 * caller, with touch_gone). Its place is kept (so that removing many is
 * not quadratic) until the gone ones are half the array. */
void sim_remove_dom(struct sim *s, size_t i)
{
    s->doms[i].gone = true;
    s->ngone++;
    if (s->ngone < 16 || 2 * s->ngone < s->n)
        return;
    size_t k = 0;
    for (size_t j = 0; j < s->n; j++)
        if (!s->doms[j].gone)
            s->doms[k++] = s->doms[j];
    s->n = k;
    s->ngone = 0;
}

/* Add or replace the domain t->d.domid, in its place. */
static void put_dom(struct sim *s, const struct sim_dom *t)
{
    size_t i = dom_pos(s, t->d.domid);
    if (i < s->n && s->doms[i].d.domid == t->d.domid) {
        if (s->doms[i].gone)
            s->ngone--;
        s->doms[i] = *t;
        return;
    }
    add_dom(s);
    memmove(&s->doms[i + 1], &s->doms[i], (s->n - 1 - i) * sizeof(*s->doms));
    s->doms[i] = *t;
}

/* Note what the current operation changes, for op_end's journal record. */
static void note_change(struct sim *s, unsigned domid)
{
    if (s->nchanged == s->capchanged) {
        s->capchanged = s->capchanged ? 2 * s->capchanged : 8;
        s->changed = xrealloc(s->changed, s->capchanged * sizeof(*s->changed));
    }
    s->changed[s->nchanged++] = domid;
}

/* d was changed (or added). */
void sim_touch(struct sim *s, struct sim_dom *d)
{
    if (!d->touched) {
        d->touched = true;
        note_change(s, d->d.domid);
    }
}

/* Domain domid is about to be removed. */
void sim_touch_gone(struct sim *s, unsigned domid)
{
    note_change(s, domid);
}

static int cmp_uint(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    return (x > y) - (x < y);
}

/* Forget the current operation's changes (written, or to be read again). */
static void clear_changes(struct sim *s)
{
    for (size_t i = 0; i < s->nchanged; i++) {
        struct sim_dom *d = sim_find_dom(s, s->changed[i]);
        if (d)
            d->touched = false;
    }
    s->nchanged = 0;
    s->next_changed = false;
}

static void add_dom0(struct sim *s, long long now)
{
    struct sim_dom *d = add_dom(s);
    d->d.domid = 0;
    strcpy(d->d.name, DOM0_NAME);
    strcpy(d->d.uuid, DOM0_UUID);
    d->d.state = DOM_RUNNING;
    d->d.mem_kb = d->d.target_kb = d->d.max_kb = DOM0_KB;
    d->d.vcpus = d->d.max_vcpus = DOM0_VCPUS;
    d->start_ms = now;
}

static int cmp_domid(const void *a, const void *b)
{
    unsigned x = ((const struct sim_dom *)a)->d.domid, y = ((const struct sim_dom *)b)->d.domid;
    return (x > y) - (x < y);
}

/* A time field: milliseconds, "-" (*ret = 0) or, when allowed, "never". */
static bool parse_time(const char *v, bool never_ok, long long *ret)
{
    unsigned long long u;
    if (!strcmp(v, "-")) {
        *ret = 0;
        return true;
    }
    if (never_ok && !strcmp(v, "never")) {
        *ret = NEVER;
        return true;
    }
    if (!parse_u64(v, &u) || u > (unsigned long long)LLONG_MAX)
        return false;
    *ret = (long long)u;
    return true;
}

static bool parse_num(const char *v, unsigned long long max, unsigned long long *ret)
{
    return parse_u64(v, ret) && *ret <= max;
}

/* The FLAGS field: "hvm", "pending" or "hvm,pending". */
static const char *parse_flags(const char *v, struct hv_domain *d)
{
    char *t = xstrdup(v), *save = NULL;
    const char *why = NULL;
    for (char *w = strtok_r(t, ",", &save); w && !why; w = strtok_r(NULL, ",", &save)) {
        if (!strcmp(w, "hvm"))
            d->hvm = true;
        else if (!strcmp(w, "pending"))
            d->request_pending = true;
        else
            why = "bad flags";
    }
    free(t);
    return why;
}

/* The 14 fields of a domain (a line of the state file, or a journal
 * change) into *d, and the optional 15th (flags: nf is 15). Returns NULL
 * or what is wrong. */
const char *sim_parse_dom(char **f, size_t nf, struct sim_dom *d)
{
    unsigned long long u[8];
    if (!parse_num(f[0], DOMID_LIMIT - 1, &u[0]))
        return "bad domid";
    if (!check_guest_name(f[1]))
        return "bad name";
    if (!check_uuid(f[2]))
        return "bad uuid";
    int st = sim_name_index(state_names, ARRAY_SIZE(state_names), f[3]);
    if (st < 0)
        return "bad state";
    int reason =
        strcmp(f[4], "-") ? sim_name_index(reason_names, ARRAY_SIZE(reason_names), f[4]) : 0;
    if (reason < 0)
        return "bad shutdown reason";
    for (int i = 0; i < 3; i++)
        if (!parse_num(f[5 + i], ULLONG_MAX, &u[1 + i]))
            return "bad memory size";
    if (!parse_num(f[8], MAX_VCPUS, &u[4]) || !parse_num(f[9], MAX_VCPUS, &u[5]))
        return "bad vcpu count";
    long long start, req, due;
    if (!parse_time(f[10], false, &start))
        return "bad start time";
    int ev = sim_name_index(ev_names, ARRAY_SIZE(ev_names), f[11]);
    if (ev < 0)
        return "bad event";
    if (!parse_time(f[12], false, &req) || !parse_time(f[13], true, &due))
        return "bad event time";

    memset(d, 0, sizeof(*d));
    d->d.domid = (unsigned)u[0];
    strcpy(d->d.name, f[1]);
    strcpy(d->d.uuid, f[2]);
    d->d.state = (enum dom_state)st;
    d->d.shutdown_reason = reason;
    d->d.mem_kb = u[1];
    d->d.target_kb = u[2];
    d->d.max_kb = u[3];
    d->d.vcpus = (unsigned)u[4];
    d->d.max_vcpus = (unsigned)u[5];
    d->start_ms = start;
    d->ev = (enum ev_kind)ev;
    d->ev_requested = ev == EV_NONE ? 0 : req;
    d->ev_due = ev == EV_NONE ? 0 : due;
    return nf > 14 ? parse_flags(f[14], &d->d) : NULL;
}

static void format_time(struct buf *b, long long t)
{
    if (t == NEVER)
        buf_adds(b, " never");
    else
        buf_addf(b, " %lld", t);
}

/* A domain's 14 fields, as parse_dom reads them, and the flags when
 * there are any (a line without is what an older simulator wrote, and
 * what tests write by hand). */
void sim_format_dom(struct buf *b, const struct sim_dom *d)
{
    bool down = d->d.state == DOM_SHUTDOWN || d->d.state == DOM_CRASHED;
    buf_addf(b, "%u %s %s %s %s %llu %llu %llu %u %u %lld %s", d->d.domid, d->d.name,
             d->d.uuid, state_names[d->d.state], down ? reason_names[d->d.shutdown_reason] : "-",
             d->d.mem_kb, d->d.target_kb, d->d.max_kb, d->d.vcpus, d->d.max_vcpus, d->start_ms,
             ev_names[d->ev]);
    if (d->ev == EV_NONE) {
        buf_adds(b, " - -");
    } else {
        format_time(b, d->ev_requested);
        format_time(b, d->ev_due);
    }
    if (d->d.hvm || d->d.request_pending)
        buf_addf(b, " %s%s%s", d->d.hvm ? "hvm" : "",
                 d->d.hvm && d->d.request_pending ? "," : "",
                 d->d.request_pending ? "pending" : "");
}

/* ---- the files: "domains" and its journal ---- */

/* Who a file is, to tell whether it changed since it was read: rename
 * gives the new one another inode, and an edit in place another size or
 * time. */
static int file_id_of(const char *path, struct file_id *id, char **err)
{
    struct stat st;
    memset(id, 0, sizeof(*id));
    if (stat(path, &st) < 0) {
        if (errno == ENOENT)
            return 0;
        set_error(err, "cannot stat %s: %s", path, strerror(errno));
        return -1;
    }
    id->exists = true;
    id->dev = st.st_dev;
    id->ino = st.st_ino;
    id->size = st.st_size;
    id->mtime = st.st_mtim;
    return 0;
}

static bool same_file(const struct file_id *a, const struct file_id *b)
{
    return a->exists == b->exists && a->dev == b->dev && a->ino == b->ino &&
           a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
           a->mtime.tv_nsec == b->mtime.tv_nsec;
}

static void forget_journal(struct sim *s)
{
    memset(&s->journal_id, 0, sizeof(s->journal_id));
    s->jpos = s->jsize = 0;
    s->jlines = 0;
}

/* Read the state file (another process may have changed it); the journal
 * is read after it, from its start. */
static int load_state(struct sim *s, char **err)
{
    s->n = s->ngone = 0;
    s->next_domid = 1;
    s->serial = 0;
    s->loaded = false;
    s->rewrite = false;
    forget_journal(s);
    clear_changes(s);
    char *text = NULL, *e = NULL;
    if (fs_read_file(s->state_path, &text, NULL, &e) < 0) {
        set_error(err, "%s", e);
        free(e);
        return -1;
    }
    size_t lineno = 0;
    const char *why = NULL;
    bool sorted = true;
    for (char *line = text, *next; line; line = next) {
        lineno++;
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (line[0] == '#')
            continue;
        char *f[15];
        size_t nf = sim_split_fields(line, f, ARRAY_SIZE(f));
        unsigned long long u;
        if (nf == 0)
            continue;
        if (!strcmp(f[0], "next_domid")) {
            if (nf != 2 || !parse_num(f[1], DOMID_LIMIT, &u) || u == 0)
                why = "bad next_domid";
            else
                s->next_domid = (unsigned)u;
        } else if (!strcmp(f[0], "serial")) {
            if (nf != 2 || !parse_u64(f[1], &u))
                why = "bad serial";
            else
                s->serial = u;
        } else if (nf != 14 && nf != 15) {
            why = "expected 14 fields";
        } else {
            struct sim_dom t;
            why = sim_parse_dom(f, nf, &t);
            /* The simulator writes domid order: only a hand-edited file
             * needs the slow search for a duplicate. */
            if (!why && s->n > 0 && t.d.domid <= s->doms[s->n - 1].d.domid) {
                sorted = false;
                for (size_t i = 0; i < s->n && !why; i++)
                    if (s->doms[i].d.domid == t.d.domid)
                        why = "duplicate domid";
            }
            if (!why)
                *add_dom(s) = t;
        }
        if (why)
            break;
    }
    free(text);
    if (why) {
        set_error(err, "%s:%zu: corrupt simulator state (%s)", s->state_path, lineno, why);
        s->n = s->ngone = 0;
        return -1;
    }
    if (!sorted)
        qsort(s->doms, s->n, sizeof(*s->doms), cmp_domid);
    if (s->n == 0 || s->doms[0].d.domid != 0) {
        /* Domain-0 always exists, even in a hand-edited state. */
        add_dom0(s, sim_now_ms());
        qsort(s->doms, s->n, sizeof(*s->doms), cmp_domid);
        s->rewrite = true;
    }
    /* Never hand out a domid that is in use. */
    if (s->doms[s->n - 1].d.domid >= s->next_domid) {
        s->next_domid = s->doms[s->n - 1].d.domid + 1;
        s->rewrite = true;
    }
    s->loaded = true;
    return 0;
}

/* Write the whole state as "domains" (the journal folded into it), then
 * remove the journal: killed in between, the next reader skips the
 * journal's records by their serials. */
static int save_state(struct sim *s, char **err)
{
    /* A state written whole under the serial of an older one could be
     * mistaken for it. */
    if (s->rewrite)
        s->serial++;
    struct buf b = BUF_INIT;
    buf_adds(&b, "# lcfg-xen simulated hypervisor state (written by the simulator; "
                 "format: src/hv_sim.c)\n");
    buf_addf(&b, "serial %llu\n", s->serial);
    buf_addf(&b, "next_domid %u\n", s->next_domid);
    buf_adds(&b, "# domid name uuid state reason mem_kb target_kb max_kb vcpus max_vcpus "
                 "start_ms event requested_ms due_ms\n");
    for (size_t i = 0; i < s->n; i++) {
        if (s->doms[i].gone)
            continue;
        sim_format_dom(&b, &s->doms[i]);
        buf_addc(&b, '\n');
    }
    enum fs_change change;
    int rc = fs_write_atomic(s->state_path, buf_str(&b), b.len, 0644, &change, err);
    buf_free(&b);
    if (rc < 0)
        return -1;
    if (unlink(s->journal_path) < 0 && errno != ENOENT) {
        set_error(err, "cannot remove %s: %s", s->journal_path, strerror(errno));
        s->loaded = false;
        return -1;
    }
    forget_journal(s);
    s->rewrite = false;
    if (file_id_of(s->state_path, &s->state_id, err) < 0) {
        s->loaded = false;
        return -1;
    }
    return 0;
}

/* Apply one journal line (without its newline): "SERIAL CHANGE ; ...".
 * Returns NULL or what is wrong. */
static const char *apply_record(struct sim *s, char *line)
{
    char *rest = line + strspn(line, "0123456789");
    unsigned long long serial;
    if (rest == line || *rest != ' ')
        return "bad serial";
    *rest++ = '\0';
    if (!parse_u64(line, &serial))
        return "bad serial";
    if (serial <= s->serial)
        return NULL; /* in the state already (its fold was cut short) */
    if (serial != s->serial + 1)
        return "serial out of sequence";
    for (char *part = rest, *semi; part; part = semi) {
        semi = strchr(part, ';');
        if (semi)
            *semi++ = '\0';
        char *f[16];
        size_t nf = sim_split_fields(part, f, ARRAY_SIZE(f));
        unsigned long long u;
        if (nf == 0)
            return "empty change";
        if (!strcmp(f[0], "set")) {
            if (nf != 15 && nf != 16)
                return "expected 14 fields";
            struct sim_dom t;
            const char *why = sim_parse_dom(f + 1, nf - 1, &t);
            if (why)
                return why;
            put_dom(s, &t);
        } else if (!strcmp(f[0], "del")) {
            if (nf != 2 || !parse_num(f[1], DOMID_LIMIT - 1, &u))
                return "bad domid";
            struct sim_dom *d = sim_find_dom(s, (unsigned)u);
            if (d)
                sim_remove_dom(s, (size_t)(d - s->doms));
        } else if (!strcmp(f[0], "next_domid")) {
            if (nf != 2 || !parse_num(f[1], DOMID_LIMIT, &u) || u == 0)
                return "bad next_domid";
            s->next_domid = (unsigned)u;
        } else {
            return "unknown change";
        }
    }
    s->serial = serial;
    return NULL;
}

/* Read what the journal gained since this handle last read it. Returns 0,
 * 1 when it is another journal than the one read before (read the state
 * again), or -1. */
static int read_journal(struct sim *s, char **err)
{
    int fd = open(s->journal_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno != ENOENT) {
            set_error(err, "cannot open %s: %s", s->journal_path, strerror(errno));
            return -1;
        }
        if (s->jpos > 0)
            return 1;
        forget_journal(s);
        return 0;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        set_error(err, "cannot stat %s: %s", s->journal_path, strerror(errno));
        close(fd);
        return -1;
    }
    if (s->jpos > 0 && (st.st_dev != s->journal_id.dev || st.st_ino != s->journal_id.ino ||
                        st.st_size < s->jpos)) {
        close(fd);
        return 1;
    }
    s->journal_id.exists = true;
    s->journal_id.dev = st.st_dev;
    s->journal_id.ino = st.st_ino;
    s->jsize = s->jpos;
    if (st.st_size <= s->jpos) {
        close(fd);
        return 0;
    }
    size_t want = (size_t)(st.st_size - s->jpos), got = 0;
    char *text = xmalloc(want + 1);
    while (got < want) {
        ssize_t r = pread(fd, text + got, want - got, s->jpos + (off_t)got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            set_error(err, "cannot read %s: %s", s->journal_path, strerror(errno));
            free(text);
            close(fd);
            return -1;
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    text[got] = '\0';
    int rc = 0;
    char *line = text;
    /* Only whole lines: a last line without its newline is a write that
     * was cut short, and is not there (the next append removes it). */
    for (char *nl; (nl = memchr(line, '\n', got - (size_t)(line - text))); line = nl + 1) {
        *nl = '\0';
        const char *why = memchr(line, '\0', (size_t)(nl - line)) ? "NUL byte" : apply_record(s, line);
        if (why) {
            set_error(err, "%s:%zu: corrupt simulator journal (%s)", s->journal_path,
                      s->jlines + 1, why);
            s->loaded = false;
            rc = -1;
            break;
        }
        s->jlines++;
        s->jpos += nl + 1 - line;
    }
    s->jsize = s->jpos + (off_t)(got - (size_t)(line - text));
    if (rc < 0)
        s->jsize = s->jpos;
    free(text);
    return rc;
}

/* Bring the state in memory up to date with the files: read "domains"
 * again only when it is another file than the one read last, and the
 * journal from where it was left. A missing "domains" is a fresh
 * hypervisor with only Domain-0 (any journal beside it belongs to no
 * state). */
static int refresh(struct sim *s, char **err)
{
    for (int tries = 0;; tries++) {
        struct file_id id;
        if (file_id_of(s->state_path, &id, err) < 0)
            return -1;
        if (!id.exists) {
            s->n = s->ngone = 0;
            s->next_domid = 1;
            s->serial = 0;
            clear_changes(s);
            forget_journal(s);
            add_dom0(s, sim_now_ms());
            if (!s->readonly && unlink(s->journal_path) < 0 && errno != ENOENT) {
                set_error(err, "cannot remove %s: %s", s->journal_path, strerror(errno));
                return -1;
            }
            s->state_id = id;
            s->loaded = true;
            s->rewrite = true;
            return 0;
        }
        if (!s->loaded || !same_file(&id, &s->state_id)) {
            if (load_state(s, err) < 0)
                return -1;
            s->state_id = id;
        }
        int rc = read_journal(s, err);
        if (rc <= 0)
            return rc;
        /* The journal is another (only a fold replaces it, and a fold
         * writes "domains" too: read from the start once more). */
        s->loaded = false;
        if (tries > 0) {
            set_error(err, "%s changed while it was read", s->journal_path);
            return -1;
        }
    }
}

/* Append the current operation's changes to the journal as one record,
 * written with one write: a process killed meanwhile leaves the record
 * whole, or not at all, or cut short without its newline (ignored). */
static int journal_append(struct sim *s, char **err)
{
    struct buf b = BUF_INIT;
    buf_addf(&b, "%llu", s->serial + 1);
    qsort(s->changed, s->nchanged, sizeof(*s->changed), cmp_uint);
    const char *sep = " ";
    for (size_t i = 0; i < s->nchanged; i++) {
        if (i > 0 && s->changed[i] == s->changed[i - 1])
            continue;
        struct sim_dom *d = sim_find_dom(s, s->changed[i]);
        if (d) {
            buf_addf(&b, "%sset ", sep);
            sim_format_dom(&b, d);
        } else {
            buf_addf(&b, "%sdel %u", sep, s->changed[i]);
        }
        sep = " ; ";
    }
    if (s->next_changed)
        buf_addf(&b, "%snext_domid %u", sep, s->next_domid);
    buf_addc(&b, '\n');
    int rc = -1;
    int fd = open(s->journal_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        set_error(err, "cannot open %s: %s", s->journal_path, strerror(errno));
        goto out;
    }
    /* A record cut short before: gone before this one follows it. */
    if (s->jsize > s->jpos && ftruncate(fd, s->jpos) < 0) {
        set_error(err, "cannot truncate %s: %s", s->journal_path, strerror(errno));
        goto out;
    }
    struct stat st;
    if (fs_write_all(fd, buf_str(&b), b.len) < 0 || fstat(fd, &st) < 0) {
        set_error(err, "cannot write %s: %s", s->journal_path, strerror(errno));
        (void)ftruncate(fd, s->jpos);
        goto out;
    }
    s->journal_id.exists = true;
    s->journal_id.dev = st.st_dev;
    s->journal_id.ino = st.st_ino;
    s->jpos += (off_t)b.len;
    s->jsize = s->jpos;
    s->jlines++;
    s->serial++;
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    buf_free(&b);
    return rc;
}

/* ---- events ---- */

/* A new domain, as xl create or a reboot makes it. */
void sim_start_dom(struct sim *s, const struct sim_dom *tmpl, long long when)
{
    struct guest_ctl g = sim_guest_ctl(s, tmpl->d.name);
    struct sim_dom *d = add_dom(s);
    *d = *tmpl;
    d->d.domid = s->next_domid++;
    d->d.state = g.crash ? DOM_CRASHED : DOM_RUNNING;
    d->d.shutdown_reason = g.crash ? HV_SHUTDOWN_CRASH : 0;
    d->d.mem_kb = d->d.target_kb;
    d->d.cpu_seconds = 0.0;
    d->start_ms = when;
    d->ev = EV_NONE;
    d->ev_requested = d->ev_due = 0;
    d->d.request_pending = false; /* a new domain, a new control node */
    d->touched = false;
    sim_touch(s, d);
    s->next_changed = true;
}

/* The index of the domain whose pending event is due first, by now (or at
 * any time, now < 0); -1 when none is. Ties go to the lower domid. */
static ssize_t next_event(const struct sim *s, long long now)
{
    ssize_t best = -1;
    for (size_t i = 0; i < s->n; i++) {
        const struct sim_dom *d = &s->doms[i];
        if (d->gone || d->ev == EV_NONE || d->ev_due == NEVER || (now >= 0 && d->ev_due > now))
            continue;
        if (best < 0 || d->ev_due < s->doms[best].ev_due)
            best = (ssize_t)i;
    }
    return best;
}

/* Complete every request whose time has come, in time order (which
 * decides the domids that reboots get). */
static void apply_due(struct sim *s, long long now)
{
    for (ssize_t i; (i = next_event(s, now)) >= 0;) {
        struct sim_dom *e = &s->doms[i];
        if (e->ev >= EV_END_POWEROFF) {
            /* The installer ended: its domain stays (on_*=preserve). */
            e->d.state = e->ev == EV_END_CRASH ? DOM_CRASHED : DOM_SHUTDOWN;
            e->d.shutdown_reason = e->ev == EV_END_CRASH ? HV_SHUTDOWN_CRASH
                                 : e->ev == EV_END_REBOOT ? HV_SHUTDOWN_REBOOT
                                                          : HV_SHUTDOWN_POWEROFF;
            e->ev = EV_NONE;
            e->ev_requested = e->ev_due = 0;
            sim_touch(s, e);
            s->applied++;
            continue;
        }
        struct sim_dom old = s->doms[i];
        sim_touch_gone(s, old.d.domid);
        sim_remove_dom(s, (size_t)i);
        /* Out of domids, a rebooting guest is just gone. */
        if (old.ev == EV_REBOOT && s->next_domid < DOMID_LIMIT)
            sim_start_dom(s, &old, old.ev_due);
        s->applied++;
    }
}

/* ---- operations ---- */

/* The handle whose state is the most recent of this process (NULL when
 * none is open). A child forked while it is open (hv_create_all) starts
 * its own handle from that state, which it brings up to date from the
 * files as every operation does, instead of reading the whole of it. */
static struct sim *last_used;
/* Handles open in process handles_pid; ancestor_open: it was forked
 * while a handle was open in its parent (or further up). */
static pid_t handles_pid;
static size_t handles_open;
static bool ancestor_open;

/* Start an operation: lock, re-read the control file, bring the state up
 * to date, fail when the test says so, and apply the events that have
 * come due. */
/* A read-only handle (a dry run) observes only. */
int sim_refuse_readonly(const struct sim *s, enum sim_op op, char **err)
{
    if (!s->readonly || op == OP_LIST || op == OP_WAIT || op == OP_CAPS || op == OP_DEVICES)
        return 0;
    set_error(err, "read-only hypervisor handle: %s refused", sim_op_names[op]);
    return -1;
}

int sim_op_begin(struct sim *s, enum sim_op op, char **err)
{
    if (sim_refuse_readonly(s, op, err) < 0)
        return -1;
    if (sim_lock(s, err) < 0)
        return -1;
    return sim_op_begin_locked(s, op, err);
}

int sim_op_begin_locked(struct sim *s, enum sim_op op, char **err)
{
    s->applied = 0;
    if (sim_load_control(s, err) < 0 || refresh(s, err) < 0) {
        sim_unlock(s);
        return -1;
    }
    if (s->hv_fail & (1u << op)) {
        set_error(err, "simulated hypervisor failure");
        sim_unlock(s);
        return -1;
    }
    apply_due(s, sim_now_ms());
    return 0;
}

/* End it: record what changed (even when the operation failed, for the
 * events applied) as a journal record, folding the journal into
 * "domains" when it has grown past it; unlock. Returns rc, or -1 when
 * the change cannot be written. */
int sim_op_end(struct sim *s, int rc, char **err)
{
    rc = sim_op_commit(s, rc, err);
    sim_unlock(s);
    return rc;
}

int sim_op_commit(struct sim *s, int rc, char **err)
{
    if (s->readonly) {
        /* Events applied stay in memory only: the files are the writers'.
         * Not last_used: a writer's handle must start from the files. */
        clear_changes(s);
        return rc;
    }
    char *e = NULL;
    int wrc = 0;
    if (s->rewrite) {
        wrc = save_state(s, &e);
    } else if (s->nchanged > 0 || s->next_changed) {
        wrc = journal_append(s, &e);
        /* Folded once it has grown past the state: each record is read
         * a bounded number of times, and the state written once for as
         * many records as it has bytes. A fold that fails is tried again
         * next time: the records are safe in the journal. */
        if (wrc == 0 && s->jpos > s->state_id.size && save_state(s, NULL) < 0)
            s->loaded = false;
    }
    if (wrc < 0) {
        /* What is in memory is not what is in the files. */
        s->loaded = false;
        if (rc == 0) {
            set_error(err, "%s", e);
            rc = -1;
        }
    }
    free(e);
    clear_changes(s);
    if (!s->peer)
        last_used = s; /* a peer's handle is never started from */
    return rc;
}

/* The domain a method acts on: never Domain-0. */
struct sim_dom *sim_target(struct sim *s, unsigned domid, char **err)
{
    if (domid == 0) {
        set_error(err, "refusing to touch Domain-0");
        return NULL;
    }
    struct sim_dom *d = sim_find_dom(s, domid);
    if (!d)
        set_error(err, "no domain with id %u", domid);
    return d;
}

/* *err: "WHAT: timed out after N s", as the xen backend says it when
 * the xl command line what runs past ms. */
void sim_set_timed_out(char **err, const char *what, unsigned ms)
{
    struct exec_result r = { .status = -1, .timed_out = 1 };
    char *how = exec_describe(&r, ms);
    set_error(err, "%s: %s", what, how);
    free(how);
}

/* After op_begin, for an operation on domid that runs xl on Xen (what:
 * its command line, "xl destroy 5"): when the control file makes it hang
 * for the domain's guest, end the operation with nothing changed, wait
 * for xl's timeout without the lock, and fail as the xen backend does.
 * Returns true when it hung (*rc: -1), false to go on (still locked). */
bool sim_hung(struct sim *s, unsigned domid, enum sim_op op, const char *what, int *rc,
              char **err)
{
    const struct sim_dom *d = domid ? sim_find_dom(s, domid) : NULL;
    if (!d || !(sim_guest_ctl(s, d->d.name).hang & (1u << op)))
        return false;
    *rc = -1;
    if (sim_op_end(s, 0, err) < 0)
        return true;
    sim_sleep_ms(s->timeout_ms);
    sim_set_timed_out(err, what, s->timeout_ms);
    return true;
}

static int sim_list(struct hv *hv, struct hv_domain **ret, size_t *n, char **err)
{
    struct sim *s = hv->priv;
    *ret = NULL;
    *n = 0;
    if (sim_op_begin(s, OP_LIST, err) < 0)
        return -1;
    size_t live = s->n - s->ngone, k = 0;
    struct hv_domain *v = xcalloc(live ? live : 1, sizeof(*v));
    for (size_t i = 0; i < s->n; i++) {
        if (s->doms[i].gone)
            continue;
        v[k] = s->doms[i].d;
        v[k].cpu_seconds = 0.0;
        v[k].start_time = s->doms[i].start_ms / 1000;
        k++;
    }
    int rc = sim_op_end(s, 0, err);
    if (rc < 0) {
        free(v);
        return -1;
    }
    *ret = v;
    *n = live;
    return 0;
}

/* As list would show it; it fails when list does (hv_fail=list). */
static int sim_lookup(struct hv *hv, const char *name, struct hv_domain *ret, char **err)
{
    struct sim *s = hv->priv;
    if (sim_op_begin(s, OP_LIST, err) < 0)
        return -1;
    const struct sim_dom *found = NULL;
    for (size_t i = 0; i < s->n && !found; i++)
        if (!s->doms[i].gone && !strcmp(s->doms[i].d.name, name))
            found = &s->doms[i];
    struct hv_domain d = { 0 };
    if (found) {
        d = found->d;
        d.cpu_seconds = 0.0;
        d.start_time = found->start_ms / 1000;
    }
    if (sim_op_end(s, 0, err) < 0)
        return -1;
    if (!found)
        return 1;
    *ret = d;
    return 0;
}

/* The first domain with that uuid that is not dying, else the first. */
static int sim_lookup_uuid(struct hv *hv, const char *uuid, struct hv_domain *ret, char **err)
{
    struct sim *s = hv->priv;
    if (sim_op_begin(s, OP_LIST, err) < 0)
        return -1;
    const struct sim_dom *found = NULL;
    for (size_t i = 0; i < s->n; i++) {
        const struct sim_dom *d = &s->doms[i];
        if (d->gone || strcasecmp(d->d.uuid, uuid))
            continue;
        if (!found || (found->d.state == DOM_DYING && d->d.state != DOM_DYING))
            found = d;
    }
    struct hv_domain d = { 0 };
    if (found) {
        d = found->d;
        d.cpu_seconds = 0.0;
        d.start_time = found->start_ms / 1000;
    }
    if (sim_op_end(s, 0, err) < 0)
        return -1;
    if (!found)
        return 1;
    *ret = d;
    return 0;
}

/* ---- xl configuration files ---- */

struct xl_cfg {
    char *name, *uuid, *type, *builder;
    unsigned long long memory, maxmem, vcpus, maxvcpus;
    bool has_memory, has_maxmem, has_vcpus, has_maxvcpus;
};

static void xl_cfg_free(struct xl_cfg *c)
{
    free(c->name);
    free(c->uuid);
    free(c->type);
    free(c->builder);
}

/* A number as xl reads one: decimal or 0x hex. */
static bool parse_cfg_number(const char *s, size_t len, unsigned long long *ret)
{
    char *t = xstrndup(s, len);
    bool ok;
    if (t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
        ok = t[2] != '\0';
        unsigned long long v = 0;
        for (const char *p = t + 2; ok && *p; p++) {
            int d = isdigit((unsigned char)*p) ? *p - '0'
                    : isxdigit((unsigned char)*p) ? tolower((unsigned char)*p) - 'a' + 10 : -1;
            if (d < 0 || v > (ULLONG_MAX - (unsigned)d) / 16)
                ok = false;
            else
                v = v * 16 + (unsigned)d;
        }
        *ret = v;
    } else {
        ok = parse_u64(t, ret);
    }
    free(t);
    return ok;
}

/* Read the keys the simulator needs from the text of an xl.cfg(5) file
 * (KEY = VALUE statements, ended by newlines or ';'; "..." or '...'
 * strings, numbers, [ ... ] lists across lines; # comments). Other keys
 * and all lists are skipped. path names the file in messages. */
static int parse_xl_cfg(const char *text, const char *path, struct xl_cfg *c, char **err)
{
    const char *p = text;
    unsigned line = 1;
    for (;;) {
        while (*p) {
            if (*p == '\n') {
                line++;
                p++;
            } else if (strchr(" \t\r;", *p)) {
                p++;
            } else if (*p == '#') {
                p += strcspn(p, "\n");
            } else {
                break;
            }
        }
        if (!*p)
            break;
        if (!isalpha((unsigned char)*p) && *p != '_') {
            set_error(err, "xl create: %s:%u: syntax error", path, line);
            return -1;
        }
        const char *key = p;
        while (isalnum((unsigned char)*p) || *p == '_')
            p++;
        int klen = (int)(p - key);
        p += strspn(p, " \t");
        if (*p != '=') {
            set_error(err, "xl create: %s:%u: expected '=' after %.*s", path, line, klen, key);
            return -1;
        }
        p++;
        p += strspn(p, " \t");

        const char *val = p;
        size_t vlen = 0;
        bool is_string = false, is_list = false;
        if (*p == '"' || *p == '\'') {
            char q = *p++;
            val = p;
            p += strcspn(p, q == '"' ? "\"\n" : "'\n");
            if (*p != q) {
                set_error(err, "xl create: %s:%u: unterminated string", path, line);
                return -1;
            }
            vlen = (size_t)(p - val);
            p++;
            is_string = true;
        } else if (*p == '[') {
            /* Skip the list, minding strings (which may hold ']' or '#'). */
            unsigned start = line;
            for (p++; *p && *p != ']'; p++) {
                if (*p == '\n') {
                    line++;
                } else if (*p == '#') {
                    p += strcspn(p, "\n") - 1;
                } else if (*p == '"' || *p == '\'') {
                    const char *end = strchr(p + 1, *p);
                    if (!end || memchr(p, '\n', (size_t)(end - p))) {
                        set_error(err, "xl create: %s:%u: unterminated string", path, line);
                        return -1;
                    }
                    p = end;
                }
            }
            if (*p != ']') {
                set_error(err, "xl create: %s:%u: unterminated list", path, start);
                return -1;
            }
            p++;
            is_list = true;
        } else if (isdigit((unsigned char)*p)) {
            vlen = strspn(p, "0123456789abcdefABCDEFxX");
            p += vlen;
        } else {
            set_error(err, "xl create: %s:%u: %.*s: value expected", path, line, klen, key);
            return -1;
        }
        p += strspn(p, " \t\r");
        if (*p == '#')
            p += strcspn(p, "\n");
        if (*p && *p != '\n' && *p != ';') {
            set_error(err, "xl create: %s:%u: unexpected text after the value of %.*s", path,
                      line, klen, key);
            return -1;
        }

        struct {
            const char *key;
            unsigned long long *num;
            bool *has;
        } nums[] = {
            { "memory", &c->memory, &c->has_memory },
            { "maxmem", &c->maxmem, &c->has_maxmem },
            { "vcpus", &c->vcpus, &c->has_vcpus },
            { "maxvcpus", &c->maxvcpus, &c->has_maxvcpus },
        };
        char **str = NULL;
        if (klen == 4 && !strncmp(key, "name", 4))
            str = &c->name;
        else if (klen == 4 && !strncmp(key, "uuid", 4))
            str = &c->uuid;
        else if (klen == 4 && !strncmp(key, "type", 4))
            str = &c->type;
        else if (klen == 7 && !strncmp(key, "builder", 7)) /* xm's, which xl still reads */
            str = &c->builder;
        if (str) {
            if (!is_string) {
                set_error(err, "xl create: %s:%u: %.*s must be a string", path, line, klen, key);
                return -1;
            }
            free(*str);
            *str = xstrndup(val, vlen);
            continue;
        }
        for (size_t i = 0; i < ARRAY_SIZE(nums); i++) {
            if ((size_t)klen != strlen(nums[i].key) || strncmp(key, nums[i].key, (size_t)klen))
                continue;
            /* xl also takes a number in quotes. */
            if (is_list || !parse_cfg_number(val, vlen, nums[i].num)) {
                set_error(err, "xl create: %s:%u: %s must be a number", path, line,
                          nums[i].key);
                return -1;
            }
            *nums[i].has = true;
        }
    }
    return 0;
}

/* Parse and check the configuration file at rpath (path in messages). */
static int read_xl_cfg(const char *path, const char *rpath, struct xl_cfg *c, char **err)
{
    char *text = NULL;
    if (fs_read_file(rpath, &text, NULL, NULL) < 0) {
        set_error(err, "xl create: cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    int rc = parse_xl_cfg(text, path, c, err);
    free(text);
    if (rc < 0)
        return -1;
    const char *missing = !c->name ? "name" : !c->uuid ? "uuid" : !c->has_memory ? "memory" : NULL;
    if (missing) {
        set_error(err, "xl create: %s: no %s setting", path, missing);
        return -1;
    }
    if (!check_guest_name(c->name)) {
        set_error(err, "xl create: %s: invalid name '%s'", path, c->name);
        return -1;
    }
    if (!check_uuid(c->uuid)) {
        set_error(err, "xl create: %s: invalid uuid '%s'", path, c->uuid);
        return -1;
    }
    for (char *u = c->uuid; *u; u++)
        *u = (char)tolower((unsigned char)*u);
    if (!c->has_maxmem)
        c->maxmem = c->memory;
    if (!c->has_vcpus)
        c->vcpus = 1;
    if (!c->has_maxvcpus)
        c->maxvcpus = c->vcpus;
    if (c->memory == 0 || c->maxmem > MAX_MEMORY_MB) {
        set_error(err, "xl create: %s: memory must be between 1 and %llu MiB", path,
                  MAX_MEMORY_MB);
        return -1;
    }
    if (c->maxmem < c->memory) {
        set_error(err, "xl create: %s: maxmem (%llu MiB) is below memory (%llu MiB)", path,
                  c->maxmem, c->memory);
        return -1;
    }
    if (c->vcpus == 0 || c->maxvcpus > MAX_VCPUS) {
        set_error(err, "xl create: %s: vcpus must be between 1 and %u", path, MAX_VCPUS);
        return -1;
    }
    if (c->maxvcpus < c->vcpus) {
        set_error(err, "xl create: %s: maxvcpus (%llu) is below vcpus (%llu)", path,
                  c->maxvcpus, c->vcpus);
        return -1;
    }
    return 0;
}

/* race_create: another domain of the guest's name (the same memory and
 * vcpus, another uuid: its last group all f, or all e when that is the
 * guest's) appears while the create runs, as xendomains or an admin
 * would make it. */
static void race_domain(struct sim *s, const struct xl_cfg *c)
{
    for (size_t i = 0; i < s->n; i++)
        if (!s->doms[i].gone && !strcmp(s->doms[i].d.name, c->name))
            return;
    if (s->next_domid >= DOMID_LIMIT)
        return;
    struct sim_dom t;
    memset(&t, 0, sizeof(t));
    snprintf(t.d.name, sizeof(t.d.name), "%s", c->name);
    snprintf(t.d.uuid, sizeof(t.d.uuid), "%.24s%s", c->uuid,
             strcmp(c->uuid + 24, "ffffffffffff") ? "ffffffffffff" : "eeeeeeeeeeee");
    t.d.target_kb = c->memory * 1024;
    t.d.max_kb = c->maxmem * 1024;
    t.d.vcpus = (unsigned)c->vcpus;
    t.d.max_vcpus = (unsigned)c->maxvcpus;
    sim_start_dom(s, &t, sim_now_ms());
    /* Not a guest of the control file's: it does not crash with ours. */
    struct sim_dom *d = &s->doms[s->n - 1];
    d->d.state = DOM_RUNNING;
    d->d.shutdown_reason = 0;
}

/* c: the config at path, read by the caller (rc: how that went).
 * timed_out: the message of a create that hung (its domain, if it could be
 * built, is left behind paused), or NULL. *made: the domain built, if
 * any, whether the create failed or not. */
static int do_create(struct sim *s, const struct xl_cfg *cfg, int rc, const char *timed_out,
                     bool install, struct hv_made *made, char **err)
{
    const struct xl_cfg c = *cfg;
    if (rc == 0 && sim_guest_ctl(s, c.name).race_create)
        race_domain(s, &c);
    for (size_t i = 0; rc == 0 && i < s->n; i++) {
        const struct sim_dom *d = &s->doms[i];
        if (d->gone)
            continue;
        if (!strcmp(d->d.name, c.name)) {
            set_error(err, "xl create: a domain named '%s' already exists (domid %u)", c.name,
                      d->d.domid);
            rc = -1;
        } else if (!strcmp(d->d.uuid, c.uuid)) {
            set_error(err, "xl create: a domain with uuid %s already exists (domid %u)",
                      c.uuid, d->d.domid);
            rc = -1;
        }
    }
    if (rc == 0 && sim_guest_ctl(s, c.name).fail_create) {
        set_error(err, "xl create: simulated failure for %s", c.name);
        rc = -1;
    }
    if (rc == 0 && s->next_domid >= DOMID_LIMIT) {
        set_error(err, "xl create: no free domain id");
        rc = -1;
    }
    if (rc == 0) {
        struct sim_dom t;
        memset(&t, 0, sizeof(t));
        snprintf(t.d.name, sizeof(t.d.name), "%s", c.name);
        snprintf(t.d.uuid, sizeof(t.d.uuid), "%s", c.uuid);
        t.d.target_kb = c.memory * 1024;
        t.d.max_kb = c.maxmem * 1024;
        t.d.vcpus = (unsigned)c.vcpus;
        t.d.max_vcpus = (unsigned)c.maxvcpus;
        /* xl.cfg(5): type "hvm", or the legacy builder "hvm". */
        t.d.hvm = (c.type && !strcmp(c.type, "hvm")) ||
                  (!c.type && c.builder && !strcmp(c.builder, "hvm"));
        sim_start_dom(s, &t, sim_now_ms());
        made->made = true;
        made->domid = s->doms[s->n - 1].d.domid;
        if (timed_out) {
            s->doms[s->n - 1].d.state = DOM_PAUSED;
            set_error(err, "%s", timed_out);
            rc = -1;
        } else if (sim_guest_ctl(s, c.name).half_create) {
            s->doms[s->n - 1].d.state = DOM_PAUSED;
            set_error(err, "xl create: simulated failure for %s after its domain was built",
                      c.name);
            rc = -1;
        } else if (install && sim_guest_ctl(s, c.name).install_ms >= 0 &&
                   s->doms[s->n - 1].d.state == DOM_RUNNING) {
            struct guest_ctl g = sim_guest_ctl(s, c.name);
            struct sim_dom *d = &s->doms[s->n - 1];
            d->ev = (enum ev_kind)(EV_END_POWEROFF + g.install_end);
            d->ev_requested = d->start_ms;
            d->ev_due = d->start_ms + g.install_ms;
        }
    } else if (timed_out) {
        /* xl hung before it got this far: its timeout is what is seen. */
        set_error(err, "%s", timed_out);
    }
    return rc;
}

/* Count a create in progress in the "creating" file (delta +1 or -1). */
static void count_creating(struct sim *s, int delta)
{
    char *path = xasprintf("%s/creating", s->dir), *text = NULL;
    unsigned long active = 0, most = 0;
    if (fs_read_file(path, &text, NULL, NULL) == 0 &&
        sscanf(text, "%lu %lu", &active, &most) != 2)
        active = most = 0;
    free(text);
    if (delta > 0)
        active++;
    else if (active > 0)
        active--;
    if (active > most)
        most = active;
    char *out = xasprintf("%lu %lu\n", active, most);
    enum fs_change ch;
    (void)fs_write_atomic(path, out, strlen(out), 0644, &ch, NULL);
    free(out);
    free(path);
}

/* How long the guest called name takes to build (create_ms), counted as
 * in progress; 0 when it takes no time or the control file cannot be read
 * (the create itself then reports why). *hangs: it takes longer than xl's
 * create timeout, or for ever (hang=create); the time returned is then
 * the timeout. Takes and releases the lock. */
static long long begin_building(struct sim *s, const char *name, bool *hangs)
{
    long long ms = 0;
    *hangs = false;
    if (sim_lock(s, NULL) == 0) {
        if (sim_load_control(s, NULL) == 0) {
            struct guest_ctl g = sim_guest_ctl(s, name);
            ms = g.create_ms;
            if ((g.hang & (1u << OP_CREATE)) || ms > (long long)s->create_timeout_ms) {
                *hangs = true;
                ms = s->create_timeout_ms;
            }
        }
        if (ms > 0)
            count_creating(s, +1);
        sim_unlock(s);
    }
    return ms;
}

char *sim_config_path(const struct sim *s, const char *uuid)
{
    return xasprintf("%s/config/%s", s->dir, uuid);
}

/* Keep the config a domain was made from, as libxl does (a save image
 * carries it). Not synced: a copy lost in a crash only leaves a later
 * save image without its config, which restore does not need. */
void sim_keep_config(struct sim *s, const char *uuid, const char *path, const char *text,
                     size_t len)
{
    char *dir = xasprintf("%s/config", s->dir);
    if (fs_mkdir_p(dir, 0755, NULL) == 0) {
        char *where = sim_config_path(s, uuid);
        struct buf b = BUF_INIT;
        buf_addf(&b, "%s\n", path);
        buf_add(&b, text, len);
        enum fs_change ch;
        (void)fs_write_atomic_ex(where, buf_str(&b), b.len, 0644, FS_NO_SYNC, &ch, NULL);
        buf_free(&b);
        free(where);
    }
    free(dir);
}

static void keep_config(struct sim *s, const char *uuid, const char *path, const char *rpath)
{
    char *text = NULL;
    size_t len = 0;
    if (fs_read_file(rpath, &text, &len, NULL) == 0)
        sim_keep_config(s, uuid, path, text, len);
    free(text);
}

/* An install boot's config: one in a directory named "install" (where
 * the component writes them: install.h). */
static bool is_install_config(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash - path >= 8 && !strncmp(slash - 8, "/install", 8);
}

static int sim_create(struct hv *hv, const char *path, const char *rpath, struct hv_made *made,
                      char **err)
{
    struct sim *s = hv->priv;
    struct hv_made ignored;
    if (!made)
        made = &ignored;
    *made = (struct hv_made){ false, 0 };
    if (sim_refuse_readonly(s, OP_CREATE, err) < 0)
        return -1; /* before begin_building, which writes "creating" */
    /* The config is read once, before the lock: it is not the state. Its
     * error is reported after op_begin's, as xl would meet it. */
    struct xl_cfg c = { 0 };
    char *cerr = NULL;
    int crc = read_xl_cfg(path, rpath, &c, &cerr);
    bool hangs = false;
    long long ms = crc == 0 ? begin_building(s, c.name, &hangs) : 0;
    if (ms > 0) {
        sim_sleep_ms(ms);
        if (sim_lock(s, NULL) == 0) {
            count_creating(s, -1);
            sim_unlock(s);
        }
    }
    char *timed_out = NULL;
    if (hangs) {
        char *what = xasprintf("xl create -f %s", path);
        sim_set_timed_out(&timed_out, what, s->create_timeout_ms);
        free(what);
    }
    int rc = -1;
    if (sim_op_begin(s, OP_CREATE, err) == 0) {
        if (crc < 0)
            set_error(err, "%s", cerr);
        rc = do_create(s, &c, crc, timed_out, is_install_config(path), made, err);
        if (made->made)
            keep_config(s, c.uuid, path, rpath);
        rc = sim_op_end(s, rc, err);
        if (made->made && !s->loaded)
            made->made = false; /* its record may not have been written */
    }
    free(timed_out);
    xl_cfg_free(&c);
    free(cerr);
    return rc;
}

/* Record a shutdown or reboot request; the guest completes it later. */
static int do_request(struct sim *s, unsigned domid, enum ev_kind kind, char **err)
{
    struct sim_dom *d = sim_target(s, domid, err);
    if (!d)
        return -1;
    if (d->d.state != DOM_RUNNING) {
        /* A crashed or shut down guest runs no code to answer requests. */
        set_error(err, "domain %u (%s) is not running (%s); only destroy removes it", domid,
                  d->d.name, state_names[d->d.state]);
        return -1;
    }
    struct guest_ctl g = sim_guest_ctl(s, d->d.name);
    if (!g.pv_drivers && !d->d.request_pending) {
        /* No PV driver reads the node: the request stays there, untaken,
         * and only the power button (power_button) makes it shut down. */
        d->d.request_pending = true;
        sim_touch(s, d);
    }
    if (d->ev == kind)
        return 0; /* asked again: the guest is already on its way */
    long long now = sim_now_ms();
    if (d->ev == EV_NONE || d->ev >= EV_END_POWEROFF) {
        d->ev_requested = now;
        d->ev_due = g.ignore_shutdown || !g.pv_drivers ? NEVER : now + g.shutdown_ms;
    }
    /* A reboot turned into a poweroff (or back) keeps the pending time. */
    d->ev = kind;
    sim_touch(s, d);
    return 0;
}

static int sim_shutdown(struct hv *hv, unsigned domid, char **err)
{
    struct sim *s = hv->priv;
    if (sim_op_begin(s, OP_SHUTDOWN, err) < 0)
        return -1;
    return sim_op_end(s, do_request(s, domid, EV_SHUTDOWN, err), err);
}

static int sim_reboot(struct hv *hv, unsigned domid, char **err)
{
    struct sim *s = hv->priv;
    if (sim_op_begin(s, OP_REBOOT, err) < 0)
        return -1;
    return sim_op_end(s, do_request(s, domid, EV_REBOOT, err), err);
}

/* The ACPI power button: an HVM guest powers off after shutdown_ms,
 * whether it has PV drivers or not, unless it ignores shutdown requests. A
 * pending reboot request becomes a power off; the control node is left as
 * it is (the button does not touch xenstore). */
static int do_power_button(struct sim *s, unsigned domid, char **err)
{
    struct sim_dom *d = sim_target(s, domid, err);
    if (!d)
        return -1;
    if (!d->d.hvm) {
        set_error(err, "domain %u (%s) is not an HVM guest: it has no ACPI power button",
                  domid, d->d.name);
        return -1;
    }
    if (d->d.state != DOM_RUNNING) {
        set_error(err, "domain %u (%s) is not running (%s); only destroy removes it", domid,
                  d->d.name, state_names[d->d.state]);
        return -1;
    }
    struct guest_ctl g = sim_guest_ctl(s, d->d.name);
    long long now = sim_now_ms();
    if (d->ev == EV_NONE || d->ev >= EV_END_POWEROFF)
        d->ev_requested = now;
    if (d->ev != EV_SHUTDOWN || d->ev_due == NEVER)
        d->ev_due = g.ignore_shutdown ? NEVER : now + g.shutdown_ms;
    d->ev = EV_SHUTDOWN;
    sim_touch(s, d);
    return 0;
}

static int sim_power_button(struct hv *hv, unsigned domid, char **err)
{
    struct sim *s = hv->priv;
    if (sim_op_begin(s, OP_POWER_BUTTON, err) < 0)
        return -1;
    char *what = xasprintf("xl trigger %u power", domid);
    int rc;
    if (!sim_hung(s, domid, OP_POWER_BUTTON, what, &rc, err))
        rc = sim_op_end(s, do_power_button(s, domid, err), err);
    free(what);
    return rc;
}

/* As Xen: names are unique (libxl__domain_rename refuses a taken one). */
static int do_rename(struct sim *s, unsigned domid, const char *name, char **err)
{
    struct sim_dom *d = sim_target(s, domid, err);
    if (!d)
        return -1;
    if (!check_guest_name(name)) {
        set_error(err, "xl rename: invalid name '%s'", name);
        return -1;
    }
    for (size_t i = 0; i < s->n; i++) {
        const struct sim_dom *o = &s->doms[i];
        if (!o->gone && o != d && !strcmp(o->d.name, name)) {
            set_error(err, "xl rename: a domain named '%s' already exists (domid %u)", name,
                      o->d.domid);
            return -1;
        }
    }
    if (strcmp(d->d.name, name)) {
        snprintf(d->d.name, sizeof(d->d.name), "%s", name);
        sim_touch(s, d);
    }
    return 0;
}

static int sim_rename(struct hv *hv, unsigned domid, const char *new_name, char **err)
{
    struct sim *s = hv->priv;
    if (sim_op_begin(s, OP_RENAME, err) < 0)
        return -1;
    char *what = xasprintf("xl rename %u %s", domid, new_name);
    int rc;
    if (!sim_hung(s, domid, OP_RENAME, what, &rc, err))
        rc = sim_op_end(s, do_rename(s, domid, new_name, err), err);
    free(what);
    return rc;
}

static int do_destroy(struct sim *s, unsigned domid, char **err)
{
    struct sim_dom *d = sim_target(s, domid, err);
    if (!d)
        return -1;
    sim_touch_gone(s, domid);
    sim_remove_dom(s, (size_t)(d - s->doms));
    return 0;
}

static int sim_destroy(struct hv *hv, unsigned domid, char **err)
{
    struct sim *s = hv->priv;
    if (sim_op_begin(s, OP_DESTROY, err) < 0)
        return -1;
    char *what = xasprintf("xl destroy %u", domid);
    int rc;
    if (!sim_hung(s, domid, OP_DESTROY, what, &rc, err))
        rc = sim_op_end(s, do_destroy(s, domid, err), err);
    free(what);
    return rc;
}

static int do_set_memory(struct sim *s, unsigned domid, unsigned long long kb, char **err)
{
    struct sim_dom *d = sim_target(s, domid, err);
    if (!d)
        return -1;
    if (kb == 0) {
        set_error(err, "memory target 0 KiB is too small");
        return -1;
    }
    if (kb > d->d.max_kb) {
        set_error(err, "memory target %llu KiB is above the domain's maximum %llu KiB", kb,
                  d->d.max_kb);
        return -1;
    }
    if (d->d.target_kb != kb || d->d.mem_kb != kb) {
        /* The simulated balloon driver reaches its target at once. */
        d->d.target_kb = d->d.mem_kb = kb;
        sim_touch(s, d);
    }
    return 0;
}

static int sim_set_memory(struct hv *hv, unsigned domid, unsigned long long kb, char **err)
{
    struct sim *s = hv->priv;
    if (sim_op_begin(s, OP_SET_MEMORY, err) < 0)
        return -1;
    char *what = xasprintf("xl mem-set %u %lluk", domid, kb);
    int rc;
    if (!sim_hung(s, domid, OP_SET_MEMORY, what, &rc, err))
        rc = sim_op_end(s, do_set_memory(s, domid, kb, err), err);
    free(what);
    return rc;
}

static int do_set_vcpus(struct sim *s, unsigned domid, unsigned n, char **err)
{
    struct sim_dom *d = sim_target(s, domid, err);
    if (!d)
        return -1;
    if (n == 0) {
        set_error(err, "cannot set 0 vcpus: a domain needs at least one");
        return -1;
    }
    if (n > d->d.max_vcpus) {
        set_error(err, "%u vcpus requested, above the domain's maximum of %u", n,
                  d->d.max_vcpus);
        return -1;
    }
    if (d->d.vcpus != n) {
        d->d.vcpus = n;
        sim_touch(s, d);
    }
    return 0;
}

static int sim_set_vcpus(struct hv *hv, unsigned domid, unsigned n, char **err)
{
    struct sim *s = hv->priv;
    if (sim_op_begin(s, OP_SET_VCPUS, err) < 0)
        return -1;
    char *what = xasprintf("xl vcpu-set %u %u", domid, n);
    int rc;
    if (!sim_hung(s, domid, OP_SET_VCPUS, what, &rc, err))
        rc = sim_op_end(s, do_set_vcpus(s, domid, n, err), err);
    free(what);
    return rc;
}

static int sim_wait(struct hv *hv, unsigned timeout_ms, char **err)
{
    struct sim *s = hv->priv;
    if (sim_op_begin(s, OP_WAIT, err) < 0)
        return -1;
    /* Events that were already due count (op_begin has applied them). */
    if (s->applied > 0)
        return sim_op_end(s, 0, err);
    ssize_t i = next_event(s, -1);
    long long delay = i < 0 ? -1 : s->doms[i].ev_due - sim_now_ms();
    if (sim_op_end(s, 0, err) < 0)
        return -1;
    /* Sleep without the lock, so that other processes can go on. */
    if (i < 0 || delay > (long long)timeout_ms) {
        sim_sleep_ms(timeout_ms);
        return 1;
    }
    sim_sleep_ms(delay);
    /* Apply it now, so that it is reported once and not again next time. */
    if (sim_op_begin(s, OP_WAIT, err) < 0)
        return -1;
    return sim_op_end(s, 0, err);
}

/* Read what other processes changed (and apply the events due), as any
 * operation starts by doing: a child forked next starts from here. */
static int sim_sync(struct hv *hv, char **err)
{
    struct sim *s = hv->priv;
    if (sim_op_begin(s, OP_LIST, err) < 0)
        return -1;
    return sim_op_end(s, 0, err);
}

/* The last handle of a process that no handle of its parent's outlives
 * folds the journal into "domains": between runs of the component the
 * state is all in "domains", where the tests read and edit it. (A child
 * of hv_create_all leaves that to its parent, or each would write the
 * whole state.) Events that came due are left for the next operation, as
 * before. */
static void fold_on_close(struct sim *s)
{
    if (!s->pid || s->pid != getpid() || handles_pid != s->pid)
        return;
    if (handles_open > 0)
        handles_open--;
    if (handles_open > 0 || ancestor_open)
        return;
    if (sim_lock(s, NULL) < 0)
        return;
    if (refresh(s, NULL) == 0) {
        if (s->jsize > 0 || s->rewrite)
            (void)save_state(s, NULL);
        else if (s->journal_id.exists)
            (void)unlink(s->journal_path); /* empty: an append killed at once */
    }
    sim_unlock(s);
}

static void sim_free(struct sim *s)
{
    if (last_used == s)
        last_used = NULL;
    sim_control_clear(s);
    free(s->doms);
    free(s->changed);
    if (s->lock_fd >= 0)
        close(s->lock_fd);
    free(s->dir);
    free(s->state_path);
    free(s->journal_path);
    free(s->control_path);
    free(s->lock_path);
    free(s->root);
    free(s);
}

static void sim_close(struct hv *hv)
{
    if (!hv)
        return;
    struct sim *s = hv->priv;
    if (s->lock_fd >= 0 && !s->readonly)
        fold_on_close(s);
    sim_free(s);
    free(hv);
}

/* The paths of the simulator under root. */
static void sim_paths(struct sim *s, const char *root)
{
    s->root = xstrdup(root ? root : "");
    s->dir = root_path(root, SIM_DIR);
    s->state_path = xasprintf("%s/domains", s->dir);
    s->journal_path = xasprintf("%s/journal", s->dir);
    s->control_path = xasprintf("%s/control", s->dir);
    s->lock_path = xasprintf("%s/lock", s->dir);
}

struct sim *sim_peer_open(const char *root, const struct sim *like, char **err)
{
    struct sim *s = xcalloc(1, sizeof(*s));
    s->peer = true;
    s->lock_fd = -1;
    s->hap = s->shadow = -1;
    s->create_timeout_ms = like->create_timeout_ms;
    s->timeout_ms = like->timeout_ms;
    sim_paths(s, root);
    if (fs_mkdir_p(s->dir, 0755, err) < 0)
        goto fail;
    s->lock_fd = open(s->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (s->lock_fd < 0) {
        set_error(err, "cannot open %s: %s", s->lock_path, strerror(errno));
        goto fail;
    }
    return s;
fail:
    sim_free(s);
    return NULL;
}

void sim_peer_close(struct sim *s)
{
    if (!s)
        return;
    /* Between runs the state is all in "domains", on every host. */
    if (s->lock_fd >= 0 && sim_lock(s, NULL) == 0) {
        if (refresh(s, NULL) == 0 && (s->jsize > 0 || s->rewrite))
            (void)save_state(s, NULL);
        sim_unlock(s);
    }
    sim_free(s);
}

static const struct hv_ops sim_ops = {
    .name = "sim",
    .list = sim_list,
    .lookup = sim_lookup,
    .lookup_uuid = sim_lookup_uuid,
    .create = sim_create,
    .shutdown = sim_shutdown,
    .reboot = sim_reboot,
    .power_button = sim_power_button,
    .rename = sim_rename,
    .destroy = sim_destroy,
    .set_memory = sim_set_memory,
    .set_vcpus = sim_set_vcpus,
    .wait = sim_wait,
    .caps = sim_caps,
    .save = sim_save,
    .restore = sim_restore,
    .migrate = sim_migrate,
    .send = sim_send,
    .restore_at = sim_restore_at,
    .sync = sim_sync,
    .close = sim_close,
    .cpu_get = sim_cpu_get,
    .vcpu_pin = sim_vcpu_pin,
    .sched_set = sim_sched_set,
    .pool_migrate = sim_pool_migrate,
    .pools = sim_pools,
    .pool_create = sim_pool_create,
    .pool_destroy = sim_pool_destroy,
    .pool_cpu = sim_pool_cpu,
    .devices = sim_devices,
    .attach_disk = sim_attach_disk,
    .attach_nic = sim_attach_nic,
};

int hv_sim_open(const char *root, const struct hv_xl *xl, unsigned flags, struct hv **ret,
                char **err)
{
    *ret = NULL;
    struct sim *s = xcalloc(1, sizeof(*s));
    struct hv *hv = xcalloc(1, sizeof(*hv));
    hv->ops = &sim_ops;
    hv->priv = s;
    s->lock_fd = -1;
    s->readonly = flags & HV_OPEN_READONLY;
    s->create_timeout_ms = xl->create_timeout_ms;
    s->timeout_ms = xl->timeout_ms;
    s->hap = s->shadow = -1;
    sim_paths(s, root);
    pid_t me = getpid();
    bool forked = handles_pid != me;
    if (forked) {
        /* The counts are the parent's. */
        ancestor_open = ancestor_open || handles_open > 0;
        handles_pid = me;
        handles_open = 0;
    }
    /* Start from the most recent state in memory, which the first
     * operation brings up to date (cheaply, unless "domains" changed). */
    struct sim *from = last_used;
    if (from && from->loaded && !strcmp(from->dir, s->dir)) {
        if (forked) {
            /* The parent's handle, which this process has a copy of
             * but no use for: take its domains rather than copy them
             * (it would read them again if it were used). */
            s->doms = from->doms;
            s->n = from->n;
            s->cap = from->cap;
            s->ngone = from->ngone;
            from->doms = NULL;
            from->n = from->cap = from->ngone = 0;
            from->loaded = false;
        } else {
            s->doms = xcalloc(from->n ? from->n : 1, sizeof(*s->doms));
            memcpy(s->doms, from->doms, from->n * sizeof(*s->doms));
            s->cap = from->n ? from->n : 1;
            s->n = from->n;
            s->ngone = from->ngone;
        }
        s->next_domid = from->next_domid;
        s->serial = from->serial;
        s->state_id = from->state_id;
        s->journal_id = from->journal_id;
        s->jpos = from->jpos;
        s->jsize = from->jsize;
        s->jlines = from->jlines;
        s->loaded = true;
    }
    if (s->readonly) {
        /* No directory, no lock file: no state, and no writer to keep
         * out until one makes them (then refresh finds "domains"). */
        s->lock_fd = open(s->lock_path, O_RDONLY | O_CLOEXEC);
        if (s->lock_fd < 0 && errno != ENOENT) {
            set_error(err, "cannot open %s: %s", s->lock_path, strerror(errno));
            goto fail;
        }
        if (sim_lock(s, err) < 0)
            goto fail;
        if (sim_load_control(s, err) < 0 || refresh(s, err) < 0) {
            sim_unlock(s);
            goto fail;
        }
        (void)sim_op_end(s, 0, NULL);
        *ret = hv;
        return 0; /* s->pid stays 0: it never folds */
    }
    if (fs_mkdir_p(s->dir, 0755, err) < 0)
        goto fail;
    s->lock_fd = open(s->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (s->lock_fd < 0) {
        set_error(err, "cannot open %s: %s", s->lock_path, strerror(errno));
        goto fail;
    }
    /* Check both files now, and write the initial state of a fresh root. */
    if (sim_lock(s, err) < 0)
        goto fail;
    /* A process killed while writing its state leaves a temporary; none is
     * being written while the lock is held. */
    size_t stale = 0;
    if (fs_remove_stale_temps(s->dir, &stale, err) < 0 || sim_load_control(s, err) < 0 ||
        refresh(s, err) < 0) {
        sim_unlock(s);
        goto fail;
    }
    if (sim_op_end(s, 0, err) < 0)
        goto fail;
    s->pid = me;
    handles_open++;
    *ret = hv;
    return 0;

fail:
    sim_close(hv);
    return -1;
}
