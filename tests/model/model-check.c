/* model-check.c: a model-based (stateful, QuickCheck/Jepsen-style) test of
 * the whole component.
 *
 *   model-check [--seed N [--only I,J,...]] [--steps N] [--length N]
 *               [--ignore N,...] [--xen BIN] [--shim SO] [--keep]
 *
 * --seed replays one sequence, printing each step (--only: just these of its
 * steps, as a shrunk sequence prints them); --steps sets the total
 * (default 10,000: 100 sequences of --length 100; longer sequences
 * reach states that short ones do not); --ignore skips
 * invariants (to look past a known failure); --keep keeps the sandbox.
 *
 * A seeded generator runs random sequences of steps against the real binary
 * (build/xen, simulated hypervisor), each sequence in a fresh sandbox root,
 * and checks invariants after every step. Steps: profile edits (add, remove,
 * re-add, rename, swap names, memory, vcpus, boot, disk sizes, MAC, a
 * case-only change of uuid or MAC, the disk path spelled another way,
 * reorder), methods (configure, start, run, stop, boot, shutdown, destroy),
 * foreign actions on the simulator's state file (a domain made or destroyed
 * by hand, one with a guest's name and another UUID, also while a create is
 * under way), guest writes into images, and SIGKILL of a method at its Nth
 * file-changing call (killshim.so, so a seed replays exactly). The
 * sequences of even seeds set xen.onhostshutdown save: their stops save
 * the guests and their starts restore them (or boot them fresh).
 *
 * Invariants (numbered as in the failure messages):
 *   1 the saved resources are those of the profile last applied (a fresh
 *     configure of that profile in a scratch root writes the same file)
 *   2 one /etc/xen/NAME.cfg per applied guest, no other .cfg, no temporaries
 *   3 no disk (realpath, dev:ino) is in two guests' config files
 *   4 no image byte changes, no image vanishes (tracked by inode); the same
 *     for the save images set aside (xen.onhostshutdown save)
 *   5 start/run/boot leave the guests running under their UUIDs, stop and
 *     shutdown leave them down, configure renames domains, shuts removed
 *     guests' domains down and never restarts a guest's domain
 *   6 foreign domains are never touched (but by destroy --force)
 *   7 at most one domain per UUID
 * On a failure it prints the seed, shrinks the sequence (drops steps one at
 * a time while the same invariant still fails) and prints the shortest one.
 * Ends with "N passed, N failed, N skipped" (sequences), for run-tests.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NTAGS 5
#define MAXTRACK 256
#define MSG 1024
#define STATUS "/run/lcfg/status/xen"
#define CONTROL_DEFAULT "* shutdown_ms=10\n"

extern char **environ;

#include "mcutil.h"

/* ------------------------------------------------------------ the model */

struct guest {
    bool present, ever;
    char name[24];
    bool uuid_upper, mac_upper;
    unsigned mac_n, memory, vcpus, disk, disksec, pathv;
    unsigned nics; /* NICs of its nics_<tag> list (issue 17), 0-2 */
    bool boot;
};

struct model {
    struct guest g[NTAGS];
    int order[NTAGS]; /* the present guests, in list order */
    int n;
    unsigned renames;
    bool save; /* xen.onhostshutdown save: stop saves, start restores */
};

static const char *const paths[] = { IMAGES, "/var/lib/xen//images", "/var/lib/xen/images/." };

static void guest_uuid(const struct model *m, int t, char *buf, size_t len)
{
    snprintf(buf, len, m->g[t].uuid_upper ? "AAAAAAA%d-BBBB-4CCC-8DDD-EEEEEEEEEEEE"
                                          : "aaaaaaa%d-bbbb-4ccc-8ddd-eeeeeeeeeeee", t);
}

static void model_init(struct model *m)
{
    memset(m, 0, sizeof *m);
    for (int t = 0; t < NTAGS; t++) {
        struct guest *g = &m->g[t];
        snprintf(g->name, sizeof g->name, "vm%d", t);
        g->mac_n = (unsigned)t;
        g->memory = 128;
        g->vcpus = 1;
        g->disk = 1;
        g->boot = true;
    }
}

static bool is_present(const struct model *m, int t) { return m->g[t].present; }

/* The k-th present guest (k taken modulo their number), or -1. Steps hold
 * such abstract choices, so that they still mean something once the
 * shrinker has dropped the steps before them. */
static int pick_present(const struct model *m, unsigned k)
{
    return m->n ? m->order[k % (unsigned)m->n] : -1;
}

static int pick_absent(const struct model *m, unsigned k)
{
    int absent[NTAGS], n = 0;
    for (int t = 0; t < NTAGS; t++)
        if (!m->g[t].present)
            absent[n++] = t;
    return n ? absent[k % (unsigned)n] : -1;
}

/* The profile as a compiled LCFG XML profile (tests/data/seed/profile.xml). */
static char *profile_xml(const struct model *m)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<profile xmlns=\"http://www.lcfg.org/namespace/profile-1.1\" "
          "xmlns:cfg=\"http://www.lcfg.org/namespace/cfg-1.0\">\n"
          " <lcfg><components><xen>\n"
          /* One boot at a time, so that a seed replays exactly. */
          "  <parallel>1</parallel>\n  <shutdowntimeout>2</shutdowntimeout>\n", f);
    if (m->save)
        fputs("  <onhostshutdown>save</onhostshutdown>\n", f);
    fputs("  <virtualmachines cfg:template=\"name_$ uuid_$ memory_$ maxmem_$ vcpus_$ "
          "maxvcpus_$ disk_$ disksec_$ diskpath_$ mac_$ boot_$ nics_$\">\n", f);
    for (int i = 0; i < m->n; i++) {
        int t = m->order[i];
        const struct guest *g = &m->g[t];
        char uuid[40];
        guest_uuid(m, t, uuid, sizeof uuid);
        fprintf(f, "   <virtualmachines_RECORD cfg:name=\"g%d\"><name>%s</name><uuid>%s</uuid>"
                   "<memory>%u</memory><maxmem>512</maxmem><vcpus>%u</vcpus>"
                   "<maxvcpus>2</maxvcpus><disk>%u</disk>",
                t, g->name, uuid, g->memory, g->vcpus, g->disk);
        if (g->disksec)
            fprintf(f, "<disksec>%u</disksec>", g->disksec);
        fprintf(f, "<diskpath>%s</diskpath><mac>%s:%02x</mac>%s",
                paths[g->pathv], g->mac_upper ? "00:16:3E:AA:BB" : "00:16:3e:aa:bb", g->mac_n,
                g->boot ? "<boot>yes</boot>" : "");
        /* The list's NICs: MACs of their own (00:16:3e:cc:TAG:ITEM). */
        if (g->nics) {
            fputs("<nics cfg:template=\"nmac_$_$\">", f);
            for (unsigned k = 1; k <= g->nics; k++)
                fprintf(f, "<nics_RECORD cfg:name=\"n%u\"><nmac>00:16:3e:cc:%02x:%02x</nmac>"
                           "</nics_RECORD>", k, t, k);
            fputs("</nics>", f);
        }
        fputs("</virtualmachines_RECORD>\n", f);
    }
    fputs("  </virtualmachines>\n </xen></components></lcfg>\n</profile>\n", f);
    fclose(f);
    return buf;
}

static bool sim_edit(const char *root, const char *add_name, const char *add_uuid, unsigned del,
                     unsigned *domid)
{
    char *dir = fmt("%s" SIMDIR, root), *lock = fmt("%s/lock", dir),
         *path = fmt("%s/domains", dir), *tmp = fmt("%s/domains.mc", dir),
         *jpath = fmt("%s/journal", dir);
    bool ok = false;
    if (access(jpath, F_OK) == 0) {
        char *args[] = { "status", NULL };
        run_xen(root, NULL, 0, args, NULL, NULL);
    }
    mkdir_p(dir);
    int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0 || flock(fd, LOCK_EX) < 0)
        die("cannot lock %s", lock);
    if (access(jpath, F_OK) == 0)
        goto out; /* status could not fold it: leave the state alone */
    struct sim s;
    bool j;
    sim_read(root, &s, &j);
    for (int i = 0; add_name && i < s.n; i++)
        if (!strcmp(s.d[i].name, add_name))
            goto out;
    char *add = NULL;
    if (add_name) {
        *domid = s.next_domid;
        add = fmt("%u %s %s running - 131072 131072 131072 1 1 0 none - -", s.next_domid,
                  add_name, add_uuid);
    }
    char *text = read_file(path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        die("cannot write %s", tmp);
    if (!text)
        fprintf(f, "serial 0\nnext_domid 1\n0 Domain-0 00000000-0000-0000-0000-000000000000 "
                   "running - 4194304 4194304 4194304 2 2 0 none - -\n");
    for (char *sv = NULL, *l = text ? strtok_r(text, "\n", &sv) : NULL; l;
         l = strtok_r(NULL, "\n", &sv)) {
        unsigned id;
        if (add && !strncmp(l, "next_domid ", 11))
            fprintf(f, "next_domid %u\n", s.next_domid + 1);
        else if (l[0] != '#' && sscanf(l, "%u ", &id) == 1 && del && id == del)
            continue;
        else
            fprintf(f, "%s\n", l);
    }
    if (!text && add)
        fprintf(f, "next_domid %u\n", s.next_domid + 1);
    if (add)
        fprintf(f, "%s\n", add);
    fclose(f);
    free(text), free(add);
    if (rename(tmp, path) < 0)
        die("rename %s: %s", tmp, strerror(errno));
    ok = true;
out:
    close(fd);
    free(dir), free(lock), free(path), free(tmp), free(jpath);
    return ok;
}


/* ------------------------------------------------------------ images */

struct image {
    ino_t ino;
    dev_t dev;
    uint64_t sum;
    char path[384]; /* under the sandbox root: short */
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ c[i]) * 0x100000001b3ULL;
    return h;
}

/* Size and every data extent (offset and bytes): exact, and cheap on
 * sparse images, whose holes need not be read. */
static uint64_t image_sum(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat st;
    fstat(fd, &st);
    uint64_t h = fnv(0xcbf29ce484222325ULL, &st.st_size, sizeof st.st_size);
    char buf[65536];
    for (off_t pos = 0; (pos = lseek(fd, pos, SEEK_DATA)) >= 0;) {
        off_t end = lseek(fd, pos, SEEK_HOLE);
        if (end < 0)
            end = st.st_size;
        h = fnv(h, &pos, sizeof pos);
        while (pos < end) {
            ssize_t n = pread(fd, buf, (size_t)(end - pos) < sizeof buf ? (size_t)(end - pos) : sizeof buf, pos);
            if (n <= 0)
                break;
            h = fnv(h, buf, (size_t)n);
            pos += n;
        }
    }
    close(fd);
    return h;
}

struct images {
    struct image im[MAXTRACK];
    int n;
};

static struct images found;
static int collect(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)ftw;
    /* Save images (xen.onhostshutdown save) are consumed by the restore
     * that brings their guest back; those set aside are kept for ever, as
     * the disk images are. */
    if (strstr(p, "/var/lib/xen/save/") && !strstr(p, "/var/lib/xen/save/aside/"))
        return 0;
    if (flag == FTW_F && S_ISREG(st->st_mode) && found.n < MAXTRACK) {
        struct image *im = &found.im[found.n++];
        im->ino = st->st_ino;
        im->dev = st->st_dev;
        snprintf(im->path, sizeof im->path, "%s", p);
        im->sum = 0;
    }
    return 0;
}

/* Every regular file under /var/lib/xen: where images are, and where a
 * component that moved one would have put it. */
static void images_scan(const char *root, struct images *out)
{
    found.n = 0;
    char *dir = fmt("%s/var/lib/xen", root);
    nftw(dir, collect, 16, FTW_PHYS);
    free(dir);
    *out = found;
}

static void write_random(const char *path, uint64_t *rs, off_t size, int chunks)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    for (int c = 0; c < chunks; c++) {
        unsigned char buf[4096];
        for (size_t i = 0; i < sizeof buf; i++)
            buf[i] = (unsigned char)rng_next(rs);
        off_t off = (off_t)(rnd(rs, 16384) * 4096ULL) % (size - (off_t)sizeof buf);
        if (pwrite(fd, buf, sizeof buf, off) < 0)
            break;
    }
    close(fd);
}

/* ------------------------------------------------------------ steps */

enum kind {
    E_ADD, E_REMOVE, E_RENAME, E_SWAP, E_MEMORY, E_VCPUS, E_BOOT, E_DISK, E_DISKSEC, E_MAC,
    E_CASE, E_PATH, E_REORDER,
    M_CONFIGURE, M_START, M_RUN, M_STOP, M_BOOT, M_SHUTDOWN, M_DESTROY, M_FORCE,
    F_CREATE, F_SAMENAME, F_DESTROY, F_DURING_CREATE,
    G_WRITE, K_KILL,
    NKINDS
};

/* How often each kind is drawn. */
static const unsigned weight[NKINDS] = {
    [E_ADD] = 8, [E_REMOVE] = 4, [E_RENAME] = 4, [E_SWAP] = 2, [E_MEMORY] = 3, [E_VCPUS] = 2,
    [E_BOOT] = 3, [E_DISK] = 2, [E_DISKSEC] = 2, [E_MAC] = 2, [E_CASE] = 3, [E_PATH] = 2,
    [E_REORDER] = 2, [M_CONFIGURE] = 5, [M_START] = 6, [M_RUN] = 3, [M_STOP] = 3,
    [M_BOOT] = 3, [M_SHUTDOWN] = 2, [M_DESTROY] = 2, [M_FORCE] = 1, [F_CREATE] = 2,
    [F_SAMENAME] = 2, [F_DESTROY] = 2, [F_DURING_CREATE] = 2, [G_WRITE] = 3, [K_KILL] = 4,
};

struct step {
    enum kind k;
    unsigned a, b;   /* abstract choices, resolved against the model when run */
    uint64_t r;      /* seed of the step's own random data */
    int orig;        /* its number in the generated sequence (for --only) */
};

/* A foreign domain: made by the test, never by the component. */
struct foreign {
    unsigned domid;
    char name[72], uuid[40];
};

/* Everything one sequence knows while it runs. */
struct run {
    char root[PATH_MAX], profile[PATH_MAX];
    struct model m;           /* the profile as edited */
    struct model applied;     /* the profile last applied (configure/start exit 0) */
    bool have_applied;
    char *applied_status;     /* the status file it makes, or NULL: none yet */
    bool uncertain;           /* a failed or killed run: configs may be half new */
    bool ever_uuid[NTAGS];    /* guests the component has managed */
    struct foreign f[16];
    int nf;
    unsigned foreign_serial;
    struct images tracked;    /* every image seen, by inode, with its checksum */
    struct {                  /* each guest's disks (by UUID), as last configured */
        dev_t dev;
        ino_t ino;
        bool set;
    } disk_id[NTAGS][2];
    struct sim before;        /* the simulator's state before the step */
    char desc[256];
    char fail[MSG];
    int fail_inv;
    const char *fail_key;     /* which check failed (its message format) */
};

/* ---- expected status files: a fresh configure of a profile, cached */

struct cache_ent {
    char *profile, *status;
};
static struct cache_ent *cache;
static size_t ncache;

static const char *expected_status(const char *xml)
{
    for (size_t i = 0; i < ncache; i++)
        if (!strcmp(cache[i].profile, xml))
            return cache[i].status;
    char *root = fmt("%s/scratch", workdir), *prof = fmt("%s/scratch.xml", workdir);
    make_root(root);
    write_file(prof, xml);
    char *argv[] = { (char *)xen_bin, "--root", root, "--profile", prof, "configure", NULL };
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int nul = open("/dev/null", O_WRONLY);
        dup2(nul, 1), dup2(nul, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    char *sp = fmt("%s" STATUS, root);
    char *status = WIFEXITED(st) && WEXITSTATUS(st) == 0 ? read_file(sp) : NULL;
    cache = realloc(cache, (ncache + 1) * sizeof *cache);
    cache[ncache].profile = strdup(xml);
    cache[ncache].status = status;
    ncache++;
    rm_rf(root);
    free(root), free(prof), free(sp);
    return status;
}

/* ---- failing */

/* Invariants not checked (--ignore): to look past a known failure. */
static bool ignored[8];

static bool failf(struct run *r, int inv, const char *f, ...)
{
    if (r->fail_inv || ignored[inv])
        return false;
    va_list ap;
    va_start(ap, f);
    vsnprintf(r->fail, sizeof r->fail, f, ap);
    va_end(ap);
    r->fail_inv = inv;
    r->fail_key = f;
    return false;
}

/* ---- invariants */

/* The first line where two status files differ, for a failure message. */
static void first_difference(const char *want, const char *got, char *out, size_t len)
{
    if (!want || !got) {
        snprintf(out, len, "%s", !got ? "none saved" : "the profile itself fails to configure");
        return;
    }
    const char *w0 = want;
    while (*want && *want == *got)
        want++, got++;
    while (want > w0 && want[-1] != '\n')
        want--, got--;
    snprintf(out, len, "expected \"%.*s\", saved \"%.*s\"", (int)strcspn(want, "\n"), want,
             (int)strcspn(got, "\n"), got);
}

/* 1: the saved resources are the applied profile's. */
static void inv_status(struct run *r, const char *attempted_status, bool ran_ok)
{
    char *sp = fmt("%s" STATUS, r->root);
    char *now = read_file(sp);
    free(sp);
    if (ran_ok) {
        if (!now || !r->applied_status || strcmp(now, r->applied_status)) {
            char where[200];
            first_difference(r->applied_status, now, where, sizeof where);
            failf(r, 1, "the saved resources are not those of the profile just applied "
                        "(a fresh configure of it saves another file: %s)", where);
        }
    } else if (!(now == NULL && r->applied_status == NULL) &&
               !(now && r->applied_status && !strcmp(now, r->applied_status)) &&
               !(now && attempted_status && !strcmp(now, attempted_status))) {
        failf(r, 1, "the saved resources are neither those last applied nor those attempted");
    }
    free(now);
}

static bool applied_has_name(const struct run *r, const char *name)
{
    for (int i = 0; i < r->applied.n; i++)
        if (!strcmp(r->applied.g[r->applied.order[i]].name, name))
            return true;
    return false;
}

/* Temporaries (".#NAME.XXXXXX") in a directory. */
static const char *temporary_in(const char *dir)
{
    static char name[256];
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    const char *hit = NULL;
    for (struct dirent *e; (e = readdir(d));)
        if (!strncmp(e->d_name, ".#", 2)) {
            snprintf(name, sizeof name, "%s", e->d_name);
            hit = name;
            break;
        }
    closedir(d);
    return hit;
}

/* 2: one config file per applied guest, none else, no temporaries. */
static void inv_configs(struct run *r)
{
    char *dir = fmt("%s/etc/xen", r->root);
    DIR *d = opendir(dir);
    int seen = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".cfg") || e->d_name[0] == '.')
            continue;
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(n - 4), e->d_name);
        if (!applied_has_name(r, name))
            failf(r, 2, "/etc/xen/%s is there, but no guest of the applied profile is named %s",
                  e->d_name, name);
        seen++;
    }
    if (d)
        closedir(d);
    if (seen != r->applied.n)
        for (int i = 0; i < r->applied.n; i++) {
            char *p = fmt("%s/%s.cfg", dir, r->applied.g[r->applied.order[i]].name);
            if (access(p, F_OK) != 0)
                failf(r, 2, "guest %s of the applied profile has no /etc/xen/%s.cfg",
                      r->applied.g[r->applied.order[i]].name,
                      r->applied.g[r->applied.order[i]].name);
            free(p);
        }
    const char *dirs[] = { "/etc/xen", "/run/lcfg/status", "/var/lib/lcfg/xen" };
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        char *p = fmt("%s%s", r->root, dirs[i]);
        const char *t = temporary_in(p);
        if (t)
            failf(r, 2, "temporary %s/%s left after a successful run", dirs[i], t);
        free(p);
    }
    free(dir);
}

/* 3: no disk in two guests' config files (by what the path resolves to). */
static void inv_disks_shared(struct run *r)
{
    struct { dev_t dev; ino_t ino; char cfg[256], path[PATH_MAX]; } seen[64];
    int n = 0;
    char *dir = fmt("%s/etc/xen", r->root);
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".cfg") || e->d_name[0] == '.')
            continue;
        char *p = fmt("%s/%s", dir, e->d_name), *text = read_file(p);
        for (char *t = text; t && (t = strstr(t, "target="));) {
            t += 7;
            size_t l = strcspn(t, "\",\n");
            char *full = fmt("%s%.*s", r->root, (int)l, t), real[PATH_MAX];
            struct stat st;
            if (realpath(full, real) && stat(real, &st) == 0) {
                for (int i = 0; i < n; i++)
                    if (seen[i].dev == st.st_dev && seen[i].ino == st.st_ino &&
                        strcmp(seen[i].cfg, e->d_name))
                        failf(r, 3, "one disk in two guests: %s (%s) and %s (%.*s)", seen[i].cfg,
                              seen[i].path, e->d_name, (int)l, t);
                if (n < 64) {
                    seen[n].dev = st.st_dev, seen[n].ino = st.st_ino;
                    snprintf(seen[n].cfg, sizeof seen[n].cfg, "%s", e->d_name);
                    snprintf(seen[n].path, sizeof seen[n].path, "%.*s", (int)l, t);
                    n++;
                }
            }
            free(full);
        }
        free(text), free(p);
    }
    if (d)
        closedir(d);
    free(dir);
}

/* 4: every tracked image is still there (by inode), unchanged; then track
 * the new ones. */
static void inv_images(struct run *r)
{
    struct images now;
    images_scan(r->root, &now);
    size_t rl = strlen(r->root);
    for (int i = 0; i < r->tracked.n; i++) {
        struct image *t = &r->tracked.im[i];
        int j;
        for (j = 0; j < now.n; j++)
            if (now.im[j].ino == t->ino && now.im[j].dev == t->dev)
                break;
        if (j == now.n) {
            failf(r, 4, "image %s (inode %lu) is gone", t->path + rl, (unsigned long)t->ino);
            continue;
        }
        uint64_t sum = image_sum(now.im[j].path);
        if (sum != t->sum)
            failf(r, 4, "image %s (inode %lu, now %s) changed: its bytes or size differ",
                  t->path + rl, (unsigned long)t->ino, now.im[j].path + rl);
        snprintf(t->path, sizeof t->path, "%s", now.im[j].path);
    }
    for (int j = 0; j < now.n; j++) {
        const char *base = strrchr(now.im[j].path, '/') + 1;
        if (base[0] == '.')
            continue; /* a temporary of a create under way */
        int i;
        for (i = 0; i < r->tracked.n; i++)
            if (r->tracked.im[i].ino == now.im[j].ino && r->tracked.im[i].dev == now.im[j].dev)
                break;
        if (i == r->tracked.n && r->tracked.n < MAXTRACK) {
            now.im[j].sum = image_sum(now.im[j].path);
            r->tracked.im[r->tracked.n++] = now.im[j];
        }
    }
}

/* The disks (resolved, in order) of one config file; returns how many. */
static int cfg_disks(const char *root, const char *name, struct stat st[2], char path[2][256])
{
    char *p = fmt("%s/etc/xen/%s.cfg", root, name), *text = read_file(p);
    int n = 0;
    for (char *t = text; t && n < 2 && (t = strstr(t, "target="));) {
        t += 7;
        size_t l = strcspn(t, "\",\n");
        snprintf(path[n], 256, "%.*s", (int)l, t);
        char *full = fmt("%s%s", root, path[n]);
        if (stat(full, &st[n]) == 0)
            n++;
        free(full);
    }
    free(text), free(p);
    return n;
}

/* 4, after a configure: a guest is its UUID, and keeps its disks whatever
 * its name (the image may be renamed with it, or kept; never replaced by
 * a new one while the old one holds its data). */
static void inv_guest_disks(struct run *r)
{
    size_t rl = strlen(r->root);
    for (int i = 0; i < r->applied.n; i++) {
        int t = r->applied.order[i];
        const struct guest *g = &r->applied.g[t];
        struct stat st[2];
        char path[2][256];
        int n = cfg_disks(r->root, g->name, st, path);
        if (!g->disksec)
            r->disk_id[t][1].set = false; /* a second disk added later is a new one */
        for (int k = 0; k < n && k < (g->disksec ? 2 : 1); k++) {
            if (r->disk_id[t][k].set &&
                (r->disk_id[t][k].ino != st[k].st_ino || r->disk_id[t][k].dev != st[k].st_dev)) {
                const char *was = "gone";
                for (int j = 0; j < r->tracked.n; j++)
                    if (r->tracked.im[j].ino == r->disk_id[t][k].ino)
                        was = r->tracked.im[j].path + rl;
                failf(r, 4, "guest %s (uuid aaaaaaa%d-...) now has disk %s (inode %lu), "
                            "not its own (inode %lu, at %s)",
                      g->name, t, path[k], (unsigned long)st[k].st_ino,
                      (unsigned long)r->disk_id[t][k].ino, was);
            }
            r->disk_id[t][k].dev = st[k].st_dev;
            r->disk_id[t][k].ino = st[k].st_ino;
            r->disk_id[t][k].set = true;
        }
    }
}

/* 6 and 7: foreign domains untouched; one domain per UUID. */
static void inv_foreign_and_uuids(struct run *r, const struct sim *s)
{
    for (int i = 0; i < r->nf; i++) {
        int k = sim_find((struct sim *)s, r->f[i].domid);
        if (k < 0)
            failf(r, 6, "foreign domain %s (domid %u, uuid %s) is gone", r->f[i].name,
                  r->f[i].domid, r->f[i].uuid);
        else if (strcmp(s->d[k].name, r->f[i].name) || strcmp(s->d[k].uuid, r->f[i].uuid) ||
                 !dom_up(&s->d[k]))
            failf(r, 6, "foreign domain %s (domid %u) was changed: now %s", r->f[i].name,
                  r->f[i].domid, s->d[k].line);
    }
    for (int i = 0; i < s->n; i++)
        for (int j = i + 1; j < s->n; j++)
            if (!strcasecmp(s->d[i].uuid, s->d[j].uuid))
                failf(r, 7, "two domains with uuid %s: %s (domid %u) and %s (domid %u)",
                      s->d[i].uuid, s->d[i].name, s->d[i].domid, s->d[j].name, s->d[j].domid);
}

static void uuid_of(const struct model *m, int t, char *buf)
{
    guest_uuid(m, t, buf, 40);
}

/* 5 after start/run: every boot guest is up under its UUID. */
static void inv_booted(struct run *r, const struct sim *s, const char *method)
{
    for (int i = 0; i < r->applied.n; i++) {
        int t = r->applied.order[i];
        if (!r->applied.g[t].boot)
            continue;
        char u[40];
        uuid_of(&r->applied, t, u);
        const struct dom *d = dom_by_uuid(s, u);
        /* A domain still shutting down from an earlier (killed) stop is
         * running as far as anyone can tell: on Xen a guest that took the
         * request looks like any other until it is gone. */
        const struct dom *b = dom_by_uuid(&r->before, u);
        if (!d && b && !strcmp(b->event, "shutdown"))
            continue; /* it was on its way down before the method ran: gone now */
        if (!d || strcmp(d->state, "running"))
            failf(r, 5, "%s succeeded, but boot guest %s (uuid %s) has no running domain%s%s",
                  method, r->applied.g[t].name, u, d ? ": " : "", d ? d->line : "");
    }
}

/* 5 after stop: no guest of the profile is up (stop shuts down every
 * running guest of the profile, booted by start or by hand). */
static void inv_stopped(struct run *r, const struct sim *s)
{
    for (int i = 0; i < r->applied.n; i++) {
        int t = r->applied.order[i];
        char u[40];
        uuid_of(&r->applied, t, u);
        const struct dom *d = dom_by_uuid(s, u);
        if (d && dom_up(d))
            failf(r, 5, "stop succeeded, but guest %s is still running: %s",
                  r->applied.g[t].name, d->line);
    }
}

/* 5 after configure: each guest's domain carries its current name and
 * kept its domid (no restart: restart_ is never set); the domains of
 * guests that left the profile are shut down (onremove=shutdown). */
static void inv_configured(struct run *r, const struct sim *s)
{
    for (int t = 0; t < NTAGS; t++) {
        if (!r->ever_uuid[t])
            continue;
        char u[40];
        uuid_of(&r->applied, t, u);
        const struct dom *d = dom_by_uuid(s, u), *b = dom_by_uuid(&r->before, u);
        if (is_present(&r->applied, t)) {
            if (d && strcmp(d->name, r->applied.g[t].name))
                failf(r, 5, "guest %s (uuid %s) runs under another name: %s", r->applied.g[t].name,
                      u, d->line);
            if (b && dom_up(b) && (!d || d->domid != b->domid))
                failf(r, 5, "configure restarted or lost guest %s's domain (domid %u before, now %s)",
                      r->applied.g[t].name, b->domid, d ? d->line : "none");
        } else if (d && dom_up(d)) {
            failf(r, 5, "guest %s (uuid %s) left the profile but its domain still runs: %s",
                  r->applied.g[t].name, u, d->line);
        }
    }
}

/* ------------------------------------------------------------ running steps */

static int run_method(struct run *r, const char *method, const char *arg, const char *arg2,
                      int kill_at, void (*during)(void *), void *darg)
{
    char *args[] = { (char *)method, (char *)arg, (char *)arg2, NULL };
    bool with_profile = !strcmp(method, "configure") || !strcmp(method, "start");
    return run_xen(r->root, with_profile ? r->profile : NULL, kill_at, args, during, darg);
}

/* configure or start of the edited profile: what changes in the model. */
static int apply_profile(struct run *r, const char *method, int kill_at)
{
    char *xml = profile_xml(&r->m);
    write_file(r->profile, xml);
    const char *want = expected_status(xml);
    int rc = run_method(r, method, NULL, NULL, kill_at, NULL, NULL);
    char *sp = fmt("%s" STATUS, r->root);
    char *now = read_file(sp);
    if (rc == 0) {
        r->applied = r->m;
        r->have_applied = true;
        free(r->applied_status);
        r->applied_status = want ? strdup(want) : NULL;
        r->uncertain = false;
        for (int t = 0; t < NTAGS; t++)
            if (r->m.g[t].present)
                r->ever_uuid[t] = true;
    } else {
        /* Killed or failed: the configuration may have gone through (the
         * status file is written last), or not. */
        r->uncertain = true;
        if (now && want && !strcmp(now, want)) {
            r->applied = r->m;
            free(r->applied_status);
            r->applied_status = strdup(want);
            for (int t = 0; t < NTAGS; t++)
                if (r->m.g[t].present)
                    r->ever_uuid[t] = true;
        }
    }
    inv_status(r, want, rc == 0);
    free(now), free(sp), free(xml);
    return rc;
}

static bool add_foreign(struct run *r, const char *name)
{
    struct foreign *f = &r->f[r->nf];
    if (r->nf >= 16)
        return false;
    snprintf(f->name, sizeof f->name, "%s", name);
    snprintf(f->uuid, sizeof f->uuid, "ffffffff-0000-4000-8000-%012u", ++r->foreign_serial);
    bool ok = sim_edit(r->root, f->name, f->uuid, 0, &f->domid);
    if (ok)
        r->nf++;
    return ok;
}

struct during_arg {
    struct run *r;
    const char *name;
    bool appeared;
};

/* While a create waits (create_ms, outside the simulator's lock), a domain
 * of the same name appears. */
static void appear_during_create(void *p)
{
    struct during_arg *a = p;
    usleep(100 * 1000);
    a->appeared = add_foreign(a->r, a->name);
}

static const char *kind_method[] = { "configure", "start", "stop", "run" };
/* Kill points are drawn up to about the calls each method makes for a guest
 * or two (measured: configure 44, start 66, stop 34, run 17 for one). */
static const unsigned kill_range[] = { 60, 90, 45, 25 };

/* How many kill steps ran, and how many killed (the others ended first). */
static long kill_steps, kills;

#define SAY(...) snprintf(r->desc, sizeof r->desc, __VA_ARGS__)

/* A profile edit: only the model changes (a method applies it). */
static int do_edit(struct run *r, const struct step *st, const char **method_out)
{
    struct model *m = &r->m;
    int t = pick_present(m, st->a), rc = -1;
    struct guest *g = t >= 0 ? &m->g[t] : NULL;
    uint64_t rs = st->r;
    (void)g, (void)t, (void)rs, (void)method_out; /* not every kind needs each */
    switch (st->k) {
    case E_ADD: {
        int a = pick_absent(m, st->a);
        if (a < 0) {
            SAY("edit: add a guest (none left: nothing)");
            break;
        }
        SAY("edit: %s guest g%d (name %s, uuid aaaaaaa%d-...)", m->g[a].ever ? "re-add" : "add",
            a, m->g[a].name, a);
        m->g[a].present = m->g[a].ever = true;
        m->order[m->n++] = a;
        break;
    }
    case E_REMOVE:
        if (!g) {
            SAY("edit: remove a guest (none: nothing)");
            break;
        }
        SAY("edit: remove guest g%d (%s)", t, g->name);
        g->present = false;
        for (int i = 0, k = 0; i < m->n; i++)
            if (m->order[i] != t)
                m->order[k++] = m->order[i];
        m->n--;
        break;
    case E_RENAME:
        if (!g) {
            SAY("edit: rename a guest (none: nothing)");
            break;
        }
        {
            char old[24];
            snprintf(old, sizeof old, "%s", g->name);
            snprintf(g->name, sizeof g->name, "vm%dr%u", t, ++m->renames);
            SAY("edit: rename guest g%d %s -> %s (same uuid)", t, old, g->name);
        }
        break;
    case E_SWAP: {
        int u = pick_present(m, st->b);
        if (!g || u == t) {
            SAY("edit: swap two guests' names (fewer than two: nothing)");
            break;
        }
        char tmp[24];
        memcpy(tmp, g->name, sizeof tmp);
        memcpy(g->name, m->g[u].name, sizeof tmp);
        memcpy(m->g[u].name, tmp, sizeof tmp);
        SAY("edit: swap names of g%d and g%d: now %s and %s", t, u, g->name, m->g[u].name);
        break;
    }
    case E_MEMORY:
        if (g) {
            g->memory = 128 + 64 * (st->b % 6);
            SAY("edit: memory of %s = %u", g->name, g->memory);
        } else
            SAY("edit: memory (no guest: nothing)");
        break;
    case E_VCPUS:
        if (g) {
            g->vcpus = 1 + st->b % 2;
            SAY("edit: vcpus of %s = %u", g->name, g->vcpus);
        } else
            SAY("edit: vcpus (no guest: nothing)");
        break;
    case E_BOOT:
        if (g) {
            g->boot = !g->boot;
            SAY("edit: boot of %s = %s", g->name, g->boot ? "yes" : "(empty)");
        } else
            SAY("edit: boot (no guest: nothing)");
        break;
    case E_DISK:
        if (g) {
            g->disk = 1 + st->b % 3;
            SAY("edit: disk size of %s = %u GB", g->name, g->disk);
        } else
            SAY("edit: disk size (no guest: nothing)");
        break;
    case E_DISKSEC:
        if (g) {
            g->disksec = st->b % 3;
            SAY("edit: second disk of %s = %s%u", g->name, g->disksec ? "" : "none ", g->disksec);
        } else
            SAY("edit: second disk (no guest: nothing)");
        break;
    case E_MAC:
        if (g) {
            g->mac_n = 0x10 + st->b % 200;
            /* The same edit sets the NICs of its list: a new kind would
             * draw the recorded seeds' steps differently. */
            g->nics = (st->b / 200) % 3;
            SAY("edit: mac of %s ends :%02x, %u NICs in nics_g%d", g->name, g->mac_n, g->nics,
                (int)(g - m->g));
        } else
            SAY("edit: mac (no guest: nothing)");
        break;
    case E_CASE:
        if (!g) {
            SAY("edit: case of uuid/mac (no guest: nothing)");
        } else if (st->b % 2) {
            g->uuid_upper = !g->uuid_upper;
            SAY("edit: uuid of %s in %s case (no change)", g->name, g->uuid_upper ? "upper" : "lower");
        } else {
            g->mac_upper = !g->mac_upper;
            SAY("edit: mac of %s in %s case (no change)", g->name, g->mac_upper ? "upper" : "lower");
        }
        break;
    case E_PATH:
        if (g) {
            /* "/." is mostly refused by validation: drawn less often. */
            g->pathv = st->b % 5 == 4 ? 2 : st->b % 2;
            SAY("edit: diskpath of %s = %s", g->name, paths[g->pathv]);
        } else
            SAY("edit: diskpath (no guest: nothing)");
        break;
    case E_REORDER:
        for (int i = m->n - 1; i > 0; i--) {
            int j = (int)rnd(&rs, (unsigned)i + 1), x = m->order[i];
            m->order[i] = m->order[j], m->order[j] = x;
        }
        {
            char list[64] = "";
            for (int i = 0; i < m->n; i++)
                snprintf(list + strlen(list), sizeof list - strlen(list), " g%d", m->order[i]);
            SAY("edit: reorder the guest list:%s", list);
        }
        break;
    default:
        break;
    }
    return rc;
}

/* A method of the component, maybe killed at its Nth file call. */
static int do_method(struct run *r, const struct step *st, const char **method_out)
{
    struct model *m = &r->m;
    int t = pick_present(m, st->a), rc = -1;
    struct guest *g = t >= 0 ? &m->g[t] : NULL;
    uint64_t rs = st->r;
    (void)g, (void)t, (void)rs, (void)method_out; /* not every kind needs each */
    switch (st->k) {
    case M_CONFIGURE:
    case M_START:
        *method_out = st->k == M_CONFIGURE ? "configure" : "start";
        SAY("%s", *method_out);
        rc = apply_profile(r, *method_out, 0);
        break;
    case M_RUN:
    case M_STOP:
        *method_out = st->k == M_RUN ? "run" : "stop";
        SAY("%s", *method_out);
        rc = run_method(r, *method_out, NULL, NULL, 0, NULL, NULL);
        break;
    case M_BOOT:
    case M_SHUTDOWN:
    case M_DESTROY: {
        int a = pick_present(&r->applied, st->a);
        const char *name = a >= 0 ? r->applied.g[a].name : "vm0";
        *method_out = st->k == M_BOOT ? "boot" : st->k == M_SHUTDOWN ? "shutdown" : "destroy";
        SAY("%s %s", *method_out, name);
        rc = run_method(r, *method_out, name, NULL, 0, NULL, NULL);
        break;
    }
    case M_FORCE: {
        if (!r->nf) {
            SAY("destroy --force a foreign domain (none: nothing)");
            break;
        }
        int i = (int)(st->a % (unsigned)r->nf);
        struct foreign f = r->f[i];
        *method_out = "destroy --force";
        SAY("destroy --force %s (foreign, domid %u)", f.name, f.domid);
        rc = run_method(r, "destroy", "--force", f.name, 0, NULL, NULL);
        if (rc == 0) { /* allowed: forget it, whichever domain of that name went */
            r->f[i] = r->f[--r->nf];
        }
        break;
    }
    case K_KILL: {
        const char *meth = kind_method[st->b % 4];
        int n = 1 + (int)rnd(&rs, kill_range[st->b % 4]);
        *method_out = meth;
        SAY("%s, SIGKILLed at its file call #%d", meth, n);
        if (st->b % 4 < 2)
            rc = apply_profile(r, meth, n);
        else
            rc = run_method(r, meth, NULL, NULL, n, NULL, NULL);
        kill_steps++;
        if (rc == 128 + SIGKILL) {
            r->uncertain = true;
            kills++;
        }
        break;
    }
    default:
        break;
    }
    return rc;
}

/* What others do: domains made or destroyed by hand, guests writing to
 * their disks. */
static int do_foreign(struct run *r, const struct step *st, const char **method_out)
{
    struct model *m = &r->m;
    int t = pick_present(m, st->a), rc = -1;
    struct guest *g = t >= 0 ? &m->g[t] : NULL;
    uint64_t rs = st->r;
    (void)g, (void)t, (void)rs, (void)method_out; /* not every kind needs each */
    switch (st->k) {
    case F_CREATE: {
        char name[32];
        snprintf(name, sizeof name, "other%u", r->foreign_serial + 1);
        SAY("foreign: a domain %s created by hand", name);
        add_foreign(r, name);
        break;
    }
    case F_SAMENAME: {
        int a = pick_present(&r->applied, st->a);
        const char *name = a >= 0 ? r->applied.g[a].name : (g ? g->name : "vm0");
        SAY("foreign: a domain named %s (another uuid) created by hand", name);
        if (!add_foreign(r, name))
            SAY("foreign: a domain named %s (another uuid) (name taken: nothing)", name);
        break;
    }
    case F_DESTROY: {
        struct sim s;
        bool j;
        sim_read(r->root, &s, &j);
        unsigned ids[MAXDOMS], n = 0;
        for (int i = 0; i < s.n; i++)
            if (s.d[i].domid != 0)
                ids[n++] = s.d[i].domid;
        if (!n) {
            SAY("foreign: destroy a domain by hand (none: nothing)");
            break;
        }
        unsigned id = ids[st->a % n];
        int k = sim_find(&s, id);
        SAY("foreign: domain %s (domid %u) destroyed by hand", s.d[k].name, id);
        if (sim_edit(r->root, NULL, NULL, id, NULL))
            for (int i = 0; i < r->nf; i++)
                if (r->f[i].domid == id)
                    r->f[i] = r->f[--r->nf];
        break;
    }
    case F_DURING_CREATE: {
        int a = pick_present(&r->applied, st->a);
        if (a < 0) {
            SAY("boot while a same-named foreign domain appears (nothing applied: nothing)");
            break;
        }
        const char *name = r->applied.g[a].name;
        char *ctl = fmt(CONTROL_DEFAULT "%s create_ms=400\n", name);
        set_control(r->root, ctl);
        free(ctl);
        struct sim s;
        bool j;
        sim_read(r->root, &s, &j);
        char u[40];
        uuid_of(&r->applied, a, u);
        if (dom_by_uuid(&s, u)) {
            SAY("boot %s while a same-named foreign domain appears (already has a domain: "
                "nothing)", name);
            set_control(r->root, CONTROL_DEFAULT);
            break;
        }
        SAY("boot %s; while its create runs, a foreign domain named %s appears", name, name);
        struct during_arg da = { r, name, false };
        *method_out = "boot";
        rc = run_method(r, "boot", name, NULL, 0, appear_during_create, &da);
        set_control(r->root, CONTROL_DEFAULT);
        if (!da.appeared) {
            SAY("boot %s; the foreign domain could not appear during its create", name);
            *method_out = NULL; /* nothing to judge: an ordinary boot */
        }
        break;
    }
    case G_WRITE: {
        struct images now;
        images_scan(r->root, &now);
        int k = -1, cands = 0;
        for (int i = 0; i < now.n; i++)
            if (strrchr(now.im[i].path, '/')[1] != '.')
                cands++;
        if (!cands) {
            SAY("guest write (no image: nothing)");
            break;
        }
        for (int i = 0, c = 0; i < now.n; i++)
            if (strrchr(now.im[i].path, '/')[1] != '.' && c++ == (int)(st->a % (unsigned)cands))
                k = i;
        struct stat sb;
        stat(now.im[k].path, &sb);
        write_random(now.im[k].path, &rs, sb.st_size, 1 + (int)rnd(&rs, 3));
        SAY("guest write: random bytes into %s", now.im[k].path + strlen(r->root));
        /* The guest's writes are its data now: the new checksum is kept. */
        for (int i = 0; i < r->tracked.n; i++)
            if (r->tracked.im[i].ino == sb.st_ino && r->tracked.im[i].dev == sb.st_dev)
                r->tracked.im[i].sum = image_sum(now.im[k].path);
        break;
    }
    default:
        break;
    }
    return rc;
}

#undef SAY

/* Run one step; r->desc says what it did. Returns the method's exit status
 * (or -1 for steps that run none); *method_out names the method. */
static int do_step(struct run *r, const struct step *st, const char **method_out)
{
    *method_out = NULL;
    if (st->k <= E_REORDER)
        return do_edit(r, st, method_out);
    if (st->k <= M_FORCE || st->k == K_KILL)
        return do_method(r, st, method_out);
    return do_foreign(r, st, method_out);
}

/* All invariants, after a step. */
static void check(struct run *r, const struct step *st, const char *method, int rc)
{
    bool j;
    struct sim s;
    sim_read(r->root, &s, &j);
    if (rc == 0 && !r->uncertain && r->have_applied)
        inv_configs(r);
    inv_disks_shared(r);
    inv_images(r);
    inv_foreign_and_uuids(r, &s);
    if (rc == 0 && method) {
        if (!strcmp(method, "start") || !strcmp(method, "run"))
            inv_booted(r, &s, method);
        if (!strcmp(method, "stop"))
            inv_stopped(r, &s);
        if (!strcmp(method, "configure") || !strcmp(method, "start")) {
            inv_configured(r, &s);
            inv_guest_disks(r);
        }
        if ((!strcmp(method, "boot") || !strcmp(method, "shutdown") ||
             !strcmp(method, "destroy")) && st->k != F_DURING_CREATE) {
            int a = pick_present(&r->applied, st->a);
            if (a >= 0) {
                char u[40];
                uuid_of(&r->applied, a, u);
                const struct dom *d = dom_by_uuid(&s, u);
                bool up = d && dom_up(d);
                if (up != !strcmp(method, "boot"))
                    failf(r, 5, "%s %s succeeded, but its domain is %s", method,
                          r->applied.g[a].name, up ? "running" : "not running");
            }
        }
    }
    if (st->k == F_DURING_CREATE && method && rc == 0)
        failf(r, 5, "boot succeeded although a domain of the same name appeared during it");
}

/* ------------------------------------------------------------ sequences */

static void gen_steps(uint64_t seed, struct step *out, int n)
{
    uint64_t rs = seed * 7919 + 17;
    unsigned total = 0;
    for (int k = 0; k < NKINDS; k++)
        total += weight[k];
    for (int i = 0; i < n; i++) {
        unsigned w = rnd(&rs, total);
        int k = 0;
        while (w >= weight[k])
            w -= weight[k++];
        out[i].k = (enum kind)k;
        out[i].a = (unsigned)rng_next(&rs) & 0xffff;
        out[i].b = (unsigned)rng_next(&rs) & 0xffff;
        out[i].r = rng_next(&rs);
        out[i].orig = i + 1;
        /* An edit is usually applied at once. */
        if (k <= E_REORDER && i + 1 < n && rnd(&rs, 10) < 8) {
            i++;
            out[i] = (struct step){ rnd(&rs, 2) ? M_CONFIGURE : M_START, 0, 0, rng_next(&rs),
                                    i + 1 };
        }
    }
}

/* Before the steps: images with data, where guests not yet in the profile
 * will look for them. The component must adopt them, never write them. */
static void setup(struct run *r, uint64_t seed, bool verbose)
{
    uint64_t rs = seed ^ 0x5eed;
    for (int t = 0; t < NTAGS; t++) {
        if (rnd(&rs, 2))
            continue;
        char *p = fmt("%s" IMAGES "/vm%d.img", r->root, t);
        int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd >= 0) {
            off_t size = (off_t)(1 + rnd(&rs, 2)) << 30;
            if (ftruncate(fd, size) < 0)
                die("ftruncate %s", p);
            close(fd);
            write_random(p, &rs, size, 2);
            if (verbose)
                printf("   setup: " IMAGES "/vm%d.img exists, %lld GB, with data\n", t,
                       (long long)(size >> 30));
        }
        free(p);
    }
}

/* The component's messages of the last run, indented under its step. */
static void print_messages(void)
{
    char *p = fmt("%s/err", workdir), *text = read_file(p);
    for (char *sv = NULL, *l = text ? strtok_r(text, "\n", &sv) : NULL; l;
         l = strtok_r(NULL, "\n", &sv))
        printf("          | %s\n", l);
    free(text), free(p);
}

/* Run steps[0..n) of a sequence; returns the index of the failing step, or
 * -1. verbose: print each step. */
static int run_seq(uint64_t seed, const struct step *steps, int n, struct run *r, bool verbose,
                   long *nsteps, double t0)
{
    memset(r, 0, sizeof *r);
    snprintf(r->root, sizeof r->root, "%s/root", workdir);
    snprintf(r->profile, sizeof r->profile, "%s/profile.xml", workdir);
    make_root(r->root);
    set_control(r->root, CONTROL_DEFAULT);
    model_init(&r->m);
    /* Every other sequence keeps the guests' state across stop and start. */
    r->m.save = seed % 2 == 0;
    r->applied = r->m;
    setup(r, seed, verbose);
    inv_images(r);
    for (int i = 0; i < n; i++) {
        const char *method;
        sim_read(r->root, &r->before, &(bool){ false });
        int rc = do_step(r, &steps[i], &method);
        check(r, &steps[i], method, rc);
        if (verbose) {
            printf("   %3d  %s%s\n", i + 1, r->desc,
                   rc < 0 ? "" : rc == 128 + SIGKILL ? "  [killed]" : rc ? "  [exit 1]" : "  [exit 0]");
            if (rc >= 0)
                print_messages();
        }
        if (nsteps && ++*nsteps % 1000 == 0)
            printf("   ... %ld steps, %.0f s\n", *nsteps, now_s() - t0), fflush(stdout);
        if (r->fail_inv) {
            free(r->applied_status);
            return i;
        }
    }
    free(r->applied_status);
    return -1;
}

/* Drop steps one at a time (from the end: later steps depend on earlier
 * ones less often than the reverse) while the same check still fails (the
 * same message format: the same invariant can fail for several bugs, and
 * the shrinker must not slide from one to another). */
static int shrink(uint64_t seed, struct step *steps, int n, const char *key)
{
    struct run r;
    bool progress = true;
    while (progress) {
        progress = false;
        for (int i = n - 1; i >= 0 && n > 1; i--) {
            struct step trial[256];
            int k = 0;
            for (int j = 0; j < n; j++)
                if (j != i)
                    trial[k++] = steps[j];
            int at = run_seq(seed, trial, k, &r, false, NULL, 0);
            if (at >= 0 && r.fail_key == key) {
                memcpy(steps, trial, sizeof(struct step) * (size_t)(at + 1));
                n = at + 1;
                progress = true;
                if (i > n)
                    i = n;
            }
        }
    }
    return n;
}

/* --only I,J,...: keep only these steps of the generated sequence (as the
 * shrinker prints them), to replay a shrunk sequence. Returns how many. */
static int keep_only(struct step *steps, int n, const char *list)
{
    int k = 0;
    for (int i = 0; i < n; i++) {
        char want[16];
        snprintf(want, sizeof want, "%d", steps[i].orig);
        for (const char *p = list; *p; p += strcspn(p, ","), p += *p == ',')
            if (strcspn(p, ",") == strlen(want) && !strncmp(p, want, strlen(want))) {
                steps[k++] = steps[i];
                break;
            }
    }
    return k;
}

int main(int argc, char **argv)
{
    long total_steps = 10000;
    int length = 100;
    long one_seed = -1;
    bool keep = false;
    const char *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            one_seed = atol(argv[++i]);
        else if (!strcmp(argv[i], "--steps") && i + 1 < argc)
            total_steps = atol(argv[++i]);
        else if (!strcmp(argv[i], "--length") && i + 1 < argc)
            length = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--xen") && i + 1 < argc)
            xen_bin = argv[++i];
        else if (!strcmp(argv[i], "--shim") && i + 1 < argc)
            shim_so = argv[++i];
        else if (!strcmp(argv[i], "--ignore") && i + 1 < argc) {
            for (char *p = argv[++i]; *p; p++) {
                if (*p >= '1' && *p <= '7')
                    ignored[*p - '0'] = true;
                else if (*p != ',')
                    die("--ignore takes invariant numbers 1-7, e.g. 1,5");
            }
        }
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = argv[++i];
        else if (!strcmp(argv[i], "--keep"))
            keep = true;
        else
            die("usage: model-check [--seed N [--only I,J,...]] [--steps N] [--length N] "
                "[--ignore N,...] [--xen BIN] [--shim SO] [--keep]");
    }
    if (length < 1 || length > 256)
        die("--length must be 1..256");
    static char xb[PATH_MAX], sb[PATH_MAX];
    if (!realpath(xen_bin, xb) || !realpath(shim_so, sb))
        die("cannot find %s or %s (make check-build)", xen_bin, shim_so);
    xen_bin = xb, shim_so = sb;
    snprintf(workdir, sizeof workdir, "%s/model-check.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(workdir))
        die("mkdtemp: %s", strerror(errno));
    /* Boot children of a killed run are reparented to us, to be waited for. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);

    double t0 = now_s();
    long nsteps = 0;
    int passed = 0, failed = 0;
    const char *shrunk[64]; /* the checks already shrunk: one each keeps the run short */
    int nshrunk = 0;
    long nseq = one_seed >= 0 ? 1 : (total_steps + length - 1) / length;
    printf("model-check: %ld sequence%s of %d steps (%s)\n", nseq, nseq == 1 ? "" : "s", length,
           xen_bin);
    for (long q = 0; q < nseq; q++) {
        uint64_t seed = one_seed >= 0 ? (uint64_t)one_seed : (uint64_t)q + 1;
        struct step steps[256];
        gen_steps(seed, steps, length);
        int n = only ? keep_only(steps, length, only) : length;
        struct run r;
        int at = run_seq(seed, steps, n, &r, one_seed >= 0, &nsteps, t0);
        if (at < 0) {
            passed++;
            continue;
        }
        failed++;
        int inv = r.fail_inv;
        printf("FAIL seed %llu: step %d: invariant %d: %s\n   (%s)\n", (unsigned long long)seed,
               at + 1, inv, r.fail, r.desc);
        bool seen = false;
        for (int i = 0; i < nshrunk; i++)
            seen |= shrunk[i] == r.fail_key;
        if (seen || nshrunk == 64)
            continue;
        shrunk[nshrunk++] = r.fail_key;
        n = shrink(seed, steps, at + 1, r.fail_key);
        printf("   shortest sequence found (%d step%s; model-check --seed %llu --only ", n,
               n == 1 ? "" : "s", (unsigned long long)seed);
        for (int i = 0; i < n; i++)
            printf("%s%d", i ? "," : "", steps[i].orig);
        printf(" replays it):\n");
        at = run_seq(seed, steps, n, &r, true, NULL, 0);
        if (at >= 0)
            printf("   -> invariant %d after step %d: %s\n", r.fail_inv, at + 1, r.fail);
        fflush(stdout);
    }
    printf("model-check: %ld steps in %.1f s (%ld of %ld kill steps killed their method)\n",
           nsteps, now_s() - t0, kills, kill_steps);
    if (!keep)
        rm_rf(workdir);
    else
        printf("model-check: work directory kept: %s\n", workdir);
    printf("%d passed, %d failed, 0 skipped\n", passed, failed);
    return failed ? 1 : 0;
}
