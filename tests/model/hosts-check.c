/* hosts-check.c: a model-based test of guests moving between hosts
 * (issue 16), in the spirit of model-check.c.
 *
 *   hosts-check [--seed N] [--steps N] [--length N] [--xen BIN] [--shim SO]
 *               [--keep]
 *
 * Two simulated hosts, alpha and beta (sibling roots, so that each one's
 * simulator reaches the other's: src/hv_sim_move.c), share a lease
 * directory, and three guests move between their profiles. The profiles
 * are what an LCFG server gives them: the guests whose home is that host,
 * and the spanning map of both hosts' guests as it was when the profile
 * was delivered (so one host may act on an older map than the other), with
 * xen.onmove migrate and leases on. A seeded generator runs random
 * sequences of steps, each sequence in a fresh sandbox:
 *
 *   edit      a guest's home changes (alpha, beta or none), or a host's
 *             xen.onhostshutdown (save, shutdown), on the server only
 *   deliver   a host gets the server's profile and configures (as the
 *             LCFG client does on a new profile)
 *   start, stop, evacuate (to the other host), migrate NAME (from the host
 *             it runs on, live or --cold)
 *   control   a host's simulator: shadow paging off or on (PV guests then
 *             move cold), a guest's save, restore or migration failing
 *   and any method may be killed (SIGKILL) at its Nth file-changing call
 * (HC_DEBUG=1 prints why each failed migrate failed).
 *
 * Invariants, after every step:
 *   1 never two running copies: at most one running domain per guest UUID
 *     over both hosts
 *   2 nothing lost: a guest running before a step runs after it, or its
 *     save image is on one of the hosts, unless the step was allowed to
 *     stop it (stop on its host; its host's configure, or start, of a profile
 *     whose map has the guest on no host)
 *   3 a migrate that succeeded left the guest on the target only; one that
 *     failed (not killed) left it on the source, or its image
 *   4 a start that succeeded left every guest of that host's profile
 *     running on a host (but those it says were moved away by a migration,
 *     which it leaves to the host they went to)
 *   5 a running guest's lease is held by the host it runs on
 * Ends with "N passed, N failed, N skipped" (sequences), for run-tests.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mcutil.h"

#define NH 2
#define NG 3
#define SAVEDIR "/var/lib/xen/save"
#define LEASES "/srv/leases"

static const char *const hosts[NH] = { "alpha", "beta" };

struct world {
    int home[NG];          /* -1: in no profile */
    bool save[NH];         /* xen.onhostshutdown save */
};

enum kind { EDIT, DELIVER, START, STOP, MIGRATE, EVACUATE, CONTROL, NKINDS };
static const char *const kind_names[] = { "edit", "deliver", "start", "stop", "migrate",
                                          "evacuate", "control" };

struct step {
    enum kind k;
    int h, g, arg; /* host, guest, a choice */
    int kill_at;   /* > 0: SIGKILL at that file-changing call */
};

/* How the methods ended, over all sequences: [kind][0 ok, 1 failed, 2 killed]. */
static long outcomes[NKINDS][3];

struct run {
    struct world server;          /* what the server compiles now */
    struct world delivered[NH];   /* what each host last got */
    bool has_profile[NH];
    char root[NH][300];
    char fail[1024];
    int kills;
};

static void uuid_of(int g, char *buf) { sprintf(buf, "0000000%d-aaaa-4bbb-8ccc-dddddddddddd", g + 1); }

/* The guests of host h in world w, as the map publishes them. */
static char *words(const struct world *w, int h)
{
    char *s = fmt("%s", "");
    for (int g = 0; g < NG; g++) {
        if (w->home[g] != h)
            continue;
        char u[40], *t;
        uuid_of(g, u);
        t = fmt("%s%sg%d/%s/00:16:3e:00:00:0%d/", s, *s ? " " : "", g + 1, u, g + 1);
        free(s);
        s = t;
    }
    return s;
}

/* Host h's profile (status-file lines, for --resources) from world w. */
static char *profile_of(const struct world *w, int h)
{
    char *list = fmt("%s", ""), *per = fmt("%s", ""), *t;
    for (int g = 0; g < NG; g++) {
        if (w->home[g] != h)
            continue;
        char u[40];
        uuid_of(g, u);
        t = fmt("%s%sg%d", list, *list ? " " : "", g + 1);
        free(list);
        list = t;
        t = fmt("%sxen.uuid_g%d=%s\nxen.memory_g%d=128\nxen.disktype_g%d=none\n"
                "xen.boot_g%d=yes\nxen.lease_g%d=yes\nxen.mac_g%d=00:16:3e:00:00:0%d\n",
                per, g + 1, u, g + 1, g + 1, g + 1, g + 1, g + 1, g + 1);
        free(per);
        per = t;
    }
    char *mine = words(w, h), *wa = words(w, 0), *wb = words(w, 1);
    char *text = fmt("xen.virtualmachines=%s\n%s"
                     "xen.shutdowntimeout=10\nxen.leasedir=" LEASES "\nxen.onmove=migrate\n"
                     "xen.onhostshutdown=%s\nxen.evacuateto=%s\n"
                     "xen.spanpub=XENGUESTS\nxen.spansub=XENGUESTS\nxen.spanhost=%s\n"
                     "xen.spanguests=%s\nxen.spannodes=alpha beta\n"
                     "xen.spanhost_alpha=alpha\nxen.spanguests_alpha=%s\n"
                     "xen.spanhost_beta=beta\nxen.spanguests_beta=%s\n",
                     list, per, w->save[h] ? "save" : "shutdown", hosts[1 - h], hosts[h], mine,
                     wa, wb);
    free(list), free(per), free(mine), free(wa), free(wb);
    return text;
}

/* ------------------------------------------------------------ observing */

struct seen {
    int running_on[NG]; /* the host it runs on, -1: none, -2: both */
    int paused_on[NG];
    bool image[NG];     /* a save or move image of it is on a host */
};

static bool has_image_in(const char *dir, const char *uuid, const char *name)
{
    DIR *d = opendir(dir);
    if (!d)
        return false;
    bool found = false;
    char mv[32];
    snprintf(mv, sizeof mv, "%s.move", name);
    for (struct dirent *e; !found && (e = readdir(d));) {
        if (!strncasecmp(e->d_name, uuid, 36) || !strcmp(e->d_name, mv))
            found = true;
        else if (!strcmp(e->d_name, "aside")) {
            char *sub = fmt("%s/aside", dir);
            found = has_image_in(sub, uuid, name);
            free(sub);
        }
    }
    closedir(d);
    return found;
}

static void observe(const struct run *r, struct seen *s)
{
    struct sim sims[NH];
    for (int h = 0; h < NH; h++) {
        bool j;
        sim_read(r->root[h], &sims[h], &j);
    }
    for (int g = 0; g < NG; g++) {
        char u[40], name[16];
        uuid_of(g, u);
        snprintf(name, sizeof name, "g%d", g + 1);
        s->running_on[g] = s->paused_on[g] = -1;
        s->image[g] = false;
        for (int h = 0; h < NH; h++) {
            for (int i = 0; i < sims[h].n; i++) {
                const struct dom *d = &sims[h].d[i];
                if (strcasecmp(d->uuid, u))
                    continue;
                int *on = !strcmp(d->state, "running") ? &s->running_on[g]
                        : !strcmp(d->state, "paused")  ? &s->paused_on[g]
                                                       : NULL;
                if (on)
                    *on = *on == -1 ? h : -2;
            }
            char *dir = fmt("%s" SAVEDIR, r->root[h]);
            s->image[g] |= has_image_in(dir, u, name);
            free(dir);
        }
    }
}

/* The host named in a lease file, or "" when there is none. */
static void lease_holder(const struct run *r, int g, char *out, size_t n)
{
    char u[40];
    uuid_of(g, u);
    char *path = fmt("%s" LEASES "/%s.lease", r->root[0], u), *text = read_file(path);
    out[0] = 0;
    if (text && !strncmp(text, "host=", 5))
        snprintf(out, n, "%.*s", (int)strcspn(text + 5, "\n"), text + 5);
    free(text), free(path);
}

/* Did the last method say the guest is recorded as moved away (migrate,
 * evacuate), which start leaves to the host it went to? */
static bool moved_away(int g)
{
    char *path = fmt("%s/err", workdir), *text = read_file(path);
    char *want = fmt("guest 'g%d': not booted: moved to ", g + 1);
    bool yes = text && strstr(text, want);
    free(text), free(path), free(want);
    return yes;
}

static bool failf(struct run *r, int inv, const char *f, ...) __attribute__((format(printf, 3, 4)));
static bool failf(struct run *r, int inv, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n = snprintf(r->fail, sizeof r->fail, "invariant %d: ", inv);
    vsnprintf(r->fail + n, sizeof r->fail - (size_t)n, f, ap);
    va_end(ap);
    return false;
}

/* ------------------------------------------------------------ steps */

static void gen_step(uint64_t *rs, struct step *st)
{
    static const int weights[NKINDS] = { 18, 22, 12, 8, 18, 6, 10 };
    unsigned total = 0, x;
    for (int k = 0; k < NKINDS; k++)
        total += (unsigned)weights[k];
    x = rnd(rs, total);
    int k = 0;
    while (x >= (unsigned)weights[k])
        x -= (unsigned)weights[k++];
    st->k = (enum kind)k;
    st->h = (int)rnd(rs, NH);
    st->g = (int)rnd(rs, NG);
    st->arg = (int)rnd(rs, 12);
    st->kill_at = (k == DELIVER || k == START || k == STOP || k == MIGRATE || k == EVACUATE) &&
                          rnd(rs, 5) == 0
                      ? 1 + (int)rnd(rs, 10)
                      : 0;
}

static void describe(const struct step *st, char *buf, size_t n)
{
    int len = snprintf(buf, n, "%s", kind_names[st->k]);
    switch (st->k) {
    case EDIT:
        if (st->arg < 9)
            snprintf(buf + len, n - (size_t)len, " g%d home %s", st->g + 1,
                     st->arg % 3 == 2 ? "none" : hosts[st->arg % 3]);
        else
            snprintf(buf + len, n - (size_t)len, " %s onhostshutdown toggled", hosts[st->h]);
        break;
    case MIGRATE:
        snprintf(buf + len, n - (size_t)len, " g%d%s", st->g + 1, st->arg % 3 == 0 ? " --cold" : "");
        break;
    case CONTROL:
        snprintf(buf + len, n - (size_t)len, " %s #%d", hosts[st->h], st->arg);
        break;
    default:
        snprintf(buf + len, n - (size_t)len, " %s", hosts[st->h]);
    }
    if (st->kill_at) {
        len = (int)strlen(buf);
        snprintf(buf + len, n - (size_t)len, " (killed at %d)", st->kill_at);
    }
}

static int method(struct run *r, int h, int kill_at, const char *m, const char *a1,
                  const char *a2, const char *a3)
{
    char *res = fmt("%s/%s.res", workdir, hosts[h]);
    char *args[] = { "--resources", res, (char *)m, (char *)a1, (char *)a2, (char *)a3, NULL };
    int rc = run_xen(r->root[h], NULL, kill_at, args, NULL, NULL);
    if (kill_at && rc == 128 + 9)
        r->kills++;
    free(res);
    return rc;
}

static void write_profile(struct run *r, int h)
{
    char *res = fmt("%s/%s.res", workdir, hosts[h]), *text = profile_of(&r->delivered[h], h);
    write_file(res, text);
    free(res), free(text);
}

/* Do the step; check the invariants. Returns false with r->fail. */
static bool do_step(struct run *r, const struct step *st, bool verbose)
{
    struct seen before, after;
    observe(r, &before);
    int h = st->h, g = st->g, rc = 0, from = -1, to = -1;
    char name[16];
    snprintf(name, sizeof name, "g%d", g + 1);
    switch (st->k) {
    case EDIT:
        if (st->arg < 9)
            r->server.home[g] = st->arg % 3 == 2 ? -1 : st->arg % 3;
        else
            r->server.save[h] = !r->server.save[h];
        break;
    case DELIVER:
        r->delivered[h] = r->server;
        r->has_profile[h] = true;
        write_profile(r, h);
        rc = method(r, h, st->kill_at, "configure", NULL, NULL, NULL);
        break;
    case START:
    case STOP:
    case EVACUATE:
        if (!r->has_profile[h])
            return true;
        rc = method(r, h, st->kill_at, st->k == START ? "start" : st->k == STOP ? "stop"
                                                                                : "evacuate",
                    NULL, NULL, NULL);
        break;
    case MIGRATE:
        /* Mostly a guest that runs (the others are refused at once). */
        for (int k = 0; k < NG && before.running_on[g] < 0 && st->arg % 4; k++)
            if (before.running_on[(g + k) % NG] >= 0) {
                g = (g + k) % NG;
                snprintf(name, sizeof name, "g%d", g + 1);
            }
        from = before.running_on[g] >= 0 ? before.running_on[g] : h;
        to = 1 - from;
        if (!r->has_profile[from])
            return true;
        rc = method(r, from, st->kill_at, "migrate", st->arg % 3 == 0 ? "--cold" : name,
                    st->arg % 3 == 0 ? name : hosts[to], st->arg % 3 == 0 ? hosts[to] : NULL);
        break;
    case CONTROL: {
        char *ctl;
        int a = st->arg;
        if (a < 4)
            ctl = fmt("* shutdown_ms=10 shadow=%d\n", a % 2);
        else if (a < 10)
            ctl = fmt("* shutdown_ms=10 shadow=%d\n%s %s=1\n", a % 2, name,
                      a < 6 ? "fail_save" : a < 8 ? "fail_restore" : "fail_migrate");
        else
            ctl = fmt("* shutdown_ms=10\n");
        set_control(r->root[h], ctl);
        free(ctl);
        break;
    }
    default:
        break;
    }
    if (verbose) {
        char d[160];
        describe(st, d, sizeof d);
        printf("  %-40s rc %d\n", d, rc);
    }
    observe(r, &after);
    bool killed = st->kill_at && rc == 128 + 9;
    outcomes[st->k][killed ? 2 : rc == 0 ? 0 : 1]++;
    if (getenv("HC_DEBUG") && st->k == MIGRATE && rc && !killed) {
        char *e = fmt("%s/err", workdir), *t = read_file(e);
        fprintf(stderr, "MIGFAIL %s", t ? t : "");
        free(e), free(t);
    }

    /* 1: never two running copies. */
    for (int k = 0; k < NG; k++)
        if (after.running_on[k] == -2)
            return failf(r, 1, "g%d runs on both hosts", k + 1);
    /* 2: nothing lost. */
    for (int k = 0; k < NG; k++) {
        int was = before.running_on[k];
        if (was < 0 || after.running_on[k] >= 0 || after.image[k])
            continue;
        if (st->k == STOP && st->h == was)
            continue;
        /* configure (which start runs first) applies a profile whose map
         * has the guest on no host: onremove shuts it down. */
        if ((st->k == DELIVER || st->k == START) && st->h == was &&
            r->delivered[was].home[k] < 0)
            continue;
        return failf(r, 2, "g%d ran on %s and is gone (no domain, no save image)", k + 1,
                     hosts[was]);
    }
    /* 3: a migrate's outcome. */
    if (st->k == MIGRATE && !killed && before.running_on[g] >= 0) {
        if (rc == 0 && after.running_on[g] != to)
            return failf(r, 3, "migrate %s to %s succeeded but it runs on %s", name, hosts[to],
                         after.running_on[g] < 0 ? "no host" : hosts[after.running_on[g]]);
        if (rc != 0 && after.running_on[g] != from && !after.image[g])
            return failf(r, 3, "migrate %s failed but it does not run on %s (nor is its image "
                         "kept)", name, hosts[from]);
    }
    /* 4: a start boots its profile's guests (or finds them running). */
    if (st->k == START && rc == 0)
        for (int k = 0; k < NG; k++)
            if (r->delivered[h].home[k] == h && after.running_on[k] < 0 && !moved_away(k))
                return failf(r, 4, "start on %s succeeded but g%d (in its profile) runs nowhere",
                             hosts[h], k + 1);
    /* 5: leases follow the guests. */
    for (int k = 0; k < NG; k++) {
        if (after.running_on[k] < 0)
            continue;
        char holder[64];
        lease_holder(r, k, holder, sizeof holder);
        if (strcmp(holder, hosts[after.running_on[k]]))
            return failf(r, 5, "g%d runs on %s but its lease is %s%s%s", k + 1,
                         hosts[after.running_on[k]], *holder ? "held by " : "not held",
                         holder, "");
    }
    return true;
}

static void setup(struct run *r)
{
    memset(r, 0, sizeof *r);
    rm_rf(workdir);
    mkdir_p(workdir);
    char *shared = fmt("%s/shared/leases", workdir);
    mkdir_p(shared);
    for (int h = 0; h < NH; h++) {
        snprintf(r->root[h], sizeof r->root[h], "%s/h/%s", workdir, hosts[h]);
        make_root(r->root[h]);
        char *srv = fmt("%s/srv", r->root[h]), *link = fmt("%s" LEASES, r->root[h]);
        char *save = fmt("%s" SAVEDIR, r->root[h]);
        mkdir_p(srv);
        mkdir_p(save);
        if (symlink(shared, link) < 0)
            die("symlink %s: %s", link, strerror(errno));
        set_control(r->root[h], "* shutdown_ms=10\n");
        free(srv), free(link), free(save);
        r->server.save[h] = false;
    }
    for (int g = 0; g < NG; g++)
        r->server.home[g] = g % NH; /* g1 alpha, g2 beta, g3 alpha */
    for (int h = 0; h < NH; h++)
        r->delivered[h] = r->server;
    free(shared);
}

int main(int argc, char **argv)
{
    long total = 2000, one = -1;
    int length = 40;
    bool keep = false;
    mc_name = "hosts-check";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            one = atol(argv[++i]);
        else if (!strcmp(argv[i], "--steps") && i + 1 < argc)
            total = atol(argv[++i]);
        else if (!strcmp(argv[i], "--length") && i + 1 < argc)
            length = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--xen") && i + 1 < argc)
            xen_bin = argv[++i];
        else if (!strcmp(argv[i], "--shim") && i + 1 < argc)
            shim_so = argv[++i];
        else if (!strcmp(argv[i], "--keep"))
            keep = true;
        else
            die("usage: hosts-check [--seed N] [--steps N] [--length N] [--xen BIN] "
                "[--shim SO] [--keep]");
    }
    if (length < 1)
        die("--length must be at least 1");
    static char xen_abs[4096], shim_abs[4096];
    if (!realpath(xen_bin, xen_abs) || !realpath(shim_so, shim_abs))
        die("cannot find %s or %s (run from the top of the tree, after make check-build)",
            xen_bin, shim_so);
    xen_bin = xen_abs;
    shim_so = shim_abs;
    snprintf(workdir, sizeof workdir, "%s/hosts-check.%d",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
    long nseq = one >= 0 ? 1 : (total + length - 1) / length;
    printf("hosts-check: %ld sequence%s of %d steps (%s)\n", nseq, nseq == 1 ? "" : "s", length,
           xen_bin);
    fflush(stdout);
    int passed = 0, failed = 0, kills = 0;
    double t0 = now_s();
    for (long s = 0; s < nseq; s++) {
        uint64_t seed = one >= 0 ? (uint64_t)one : (uint64_t)s + 1, rs = seed;
        struct run r;
        setup(&r);
        bool ok = true;
        int i = 0;
        struct step st;
        for (; ok && i < length; i++) {
            gen_step(&rs, &st);
            ok = do_step(&r, &st, one >= 0);
        }
        kills += r.kills;
        if (ok) {
            passed++;
            continue;
        }
        failed++;
        char d[160];
        describe(&st, d, sizeof d);
        printf("FAIL seed %llu: step %d (%s): %s\n   (hosts-check --seed %llu replays it)\n",
               (unsigned long long)seed, i, d, r.fail, (unsigned long long)seed);
        char *err = fmt("%s/err", workdir), *text = read_file(err);
        if (text)
            printf("   its last messages:\n%s", text);
        free(text), free(err);
        if (one >= 0)
            break;
    }
    printf("hosts-check: %ld steps in %.1f s (%d methods killed)\n", nseq * length,
           now_s() - t0, kills);
    printf("hosts-check: steps ok/failed/killed:");
    for (int k = 0; k < NKINDS; k++)
        printf(" %s %ld/%ld/%ld", kind_names[k], outcomes[k][0], outcomes[k][1], outcomes[k][2]);
    printf("\n");
    if (!keep)
        rm_rf(workdir);
    else
        printf("hosts-check: work directory kept: %s\n", workdir);
    printf("%d passed, %d failed, 0 skipped\n", passed, failed);
    return failed ? 1 : 0;
}
