/* mcutil.c: what the model-based tests (model-check, hosts-check) share:
 * running the component in a sandbox root, reading the simulator's state,
 * small file and random-number helpers. */
#define _GNU_SOURCE
#include "mcutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------ utilities */

const char *xen_bin = "build/xen";
const char *shim_so = "build/tests-model/killshim.so";
char workdir[256];
const char *mc_name = "model-check";

void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", mc_name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

char *fmt(const char *f, ...)
{
    va_list ap;
    char *s;
    va_start(ap, f);
    if (vasprintf(&s, f, ap) < 0)
        die("out of memory");
    va_end(ap);
    return s;
}

/* splitmix64: small, and every seed gives its own well-mixed stream. */
uint64_t rng_next(uint64_t *st)
{
    uint64_t z = (*st += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

unsigned rnd(uint64_t *st, unsigned n) { return n ? (unsigned)(rng_next(st) % n) : 0; }

double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, n, m);
    fclose(f);
    fclose(m);
    return buf;
}

void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0)
        die("cannot write %s: %s", path, strerror(errno));
}

void mkdir_p(const char *path)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            mkdir(buf, 0755);
            *p = '/';
        }
    mkdir(buf, 0755);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(p);
    return 0;
}

void rm_rf(const char *path) { nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS); }

/* A sandbox root as tests/scenario/lib.sh makes it: the templates where the
 * component looks for them, and the default image directory. */
void make_root(const char *root)
{
    rm_rf(root);
    char *tdir = fmt("%s/usr/lib/lcfg/conf/xen", root), *idir = fmt("%s" IMAGES, root);
    mkdir_p(tdir);
    mkdir_p(idir);
    DIR *d = opendir("templates");
    if (!d)
        die("run me from the top of the source tree (no templates/)");
    for (struct dirent *e; (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 5, ".tmpl"))
            continue;
        char *src = fmt("templates/%s", e->d_name), *dst = fmt("%s/%s", tdir, e->d_name);
        char *text = read_file(src);
        write_file(dst, text);
        free(text), free(src), free(dst);
    }
    closedir(d);
    free(tdir), free(idir);
}

/* Run the component (argv only, no shell), its output in workdir/out and
 * workdir/err. kill_at > 0 preloads the kill shim. Returns the exit status,
 * or 128 + the signal. during(), if given, runs while the component does. */
int run_xen(const char *root, const char *profile, int kill_at, char *const args[],
                   void (*during)(void *), void *arg)
{
    char *argv[32];
    int n = 0;
    argv[n++] = (char *)xen_bin;
    argv[n++] = "--root";
    argv[n++] = (char *)root;
    if (profile) {
        argv[n++] = "--profile";
        argv[n++] = (char *)profile;
    }
    argv[n++] = "--hypervisor";
    argv[n++] = "sim";
    argv[n++] = "--lock-timeout";
    argv[n++] = "30";
    for (int i = 0; args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    char *out = fmt("%s/out", workdir), *err = fmt("%s/err", workdir);
    char kbuf[32], pbuf[PATH_MAX + 16];
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        die("fork: %s", strerror(errno));
    if (pid == 0) {
        int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(o, 1), dup2(e, 2);
        if (kill_at > 0) {
            snprintf(kbuf, sizeof kbuf, "%d", kill_at);
            snprintf(pbuf, sizeof pbuf, "%s", shim_so);
            setenv("MC_KILL_AT", kbuf, 1);
            setenv("LD_PRELOAD", pbuf, 1);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    static int depth; /* during() may run the component too (status) */
    depth++;
    if (during)
        during(arg);
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            die("waitpid: %s", strerror(errno));
    /* A killed start leaves its boot children running; we are their
     * subreaper: wait for them, so that they never race the next step.
     * Not from a run nested in during(): that would reap the outer one. */
    if (--depth == 0)
        while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
            ;
    free(out), free(err);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}


/* ------------------------------------------------------------ the simulator */


int sim_find(struct sim *s, unsigned domid)
{
    for (int i = 0; i < s->n; i++)
        if (s->d[i].domid == domid)
            return i;
    return -1;
}

static void sim_set(struct sim *s, const char *fields)
{
    struct dom d;
    memset(&d, 0, sizeof d);
    if (sscanf(fields, "%u %71s %39s %15s %*s %*s %*s %*s %*s %*s %*s %15s", &d.domid, d.name,
               d.uuid, d.state, d.event) != 5)
        return;
    snprintf(d.line, sizeof d.line, "%s", fields);
    int i = sim_find(s, d.domid);
    if (i < 0 && s->n < MAXDOMS)
        i = s->n++;
    if (i >= 0)
        s->d[i] = d;
}

static void sim_del(struct sim *s, unsigned domid)
{
    int i = sim_find(s, domid);
    if (i >= 0)
        s->d[i] = s->d[--s->n];
}

/* The state as the simulator sees it: "domains", then the journal's whole
 * records above its serial (src/hv_sim.c). */
void sim_read(const char *root, struct sim *s, bool *journal)
{
    memset(s, 0, sizeof *s);
    s->next_domid = 1;
    char *path = fmt("%s" SIMDIR "/domains", root), *jpath = fmt("%s" SIMDIR "/journal", root);
    char *text = read_file(path), *jtext = read_file(jpath);
    unsigned serial = 0;
    for (char *sv = NULL, *l = text ? strtok_r(text, "\n", &sv) : NULL; l;
         l = strtok_r(NULL, "\n", &sv)) {
        if (l[0] == '#')
            continue;
        if (sscanf(l, "serial %u", &serial) == 1 || sscanf(l, "next_domid %u", &s->next_domid) == 1)
            continue;
        sim_set(s, l);
    }
    *journal = jtext != NULL;
    for (char *l = jtext, *nl; l && (nl = strchr(l, '\n')); l = nl + 1) {
        *nl = 0;
        unsigned rs;
        int off;
        if (sscanf(l, "%u %n", &rs, &off) != 1 || rs <= serial)
            continue;
        for (char *sv = NULL, *c = strtok_r(l + off, ";", &sv); c; c = strtok_r(NULL, ";", &sv)) {
            while (*c == ' ')
                c++;
            unsigned v;
            if (!strncmp(c, "set ", 4))
                sim_set(s, c + 4);
            else if (sscanf(c, "del %u", &v) == 1)
                sim_del(s, v);
            else if (sscanf(c, "next_domid %u", &v) == 1)
                s->next_domid = v;
        }
    }
    free(text), free(jtext), free(path), free(jpath);
}

/* Up and not on its way down (a shutdown request pending counts as down:
 * stop and shutdown wait for it, configure's onremove need not). */
bool dom_up(const struct dom *d)
{
    return !strcmp(d->state, "running") && strcmp(d->event, "shutdown") != 0;
}

const struct dom *dom_by_uuid(const struct sim *s, const char *uuid)
{
    for (int i = 0; i < s->n; i++)
        if (!strcasecmp(s->d[i].uuid, uuid))
            return &s->d[i];
    return NULL;
}

/* Edit the state by hand, as an administrator with a text editor would, but
 * under the simulator's lock and only with no journal (else the edit would
 * be lost or misread): fold it first by running status. add_name and
 * add_uuid: a domain to add, running, under next_domid (returned in
 * *domid), unless a domain of that name exists (Xen refuses it); del: a
 * domid to remove, or 0. */

void set_control(const char *root, const char *text)
{
    char *dir = fmt("%s" SIMDIR, root), *path = fmt("%s/control", dir);
    mkdir_p(dir);
    write_file(path, text);
    free(dir), free(path);
}
