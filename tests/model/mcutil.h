/* mcutil.h: what the model-based tests (model-check, hosts-check) share. */
#ifndef LCFGXEN_MCUTIL_H
#define LCFGXEN_MCUTIL_H

#include <stdbool.h>
#include <stdint.h>

#define MAXDOMS 64
#define IMAGES "/var/lib/xen/images"
#define SIMDIR "/var/lib/lcfg/xen/sim"

extern const char *xen_bin;  /* the component (--xen) */
extern const char *shim_so;  /* the kill shim (--shim) */
extern char workdir[256];    /* the sandbox: out and err of each run go there */
extern const char *mc_name;  /* the program's name, in die's messages */

/* Print "NAME: message" and exit 2. */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* vasprintf, or die. */
char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
/* splitmix64: small, and every seed gives its own well-mixed stream. */
uint64_t rng_next(uint64_t *st);
/* 0 .. n-1 (0 when n is 0). */
unsigned rnd(uint64_t *st, unsigned n);
double now_s(void);
/* The whole file, or NULL. */
char *read_file(const char *path);
void write_file(const char *path, const char *text);
void mkdir_p(const char *path);
void rm_rf(const char *path);
/* A sandbox root as tests/scenario/lib.sh makes it: the templates where
 * the component looks for them, and the default image directory. */
void make_root(const char *root);
/* Run the component (argv only, no shell) on the simulated hypervisor,
 * its output in workdir/out and workdir/err. kill_at > 0 preloads the kill
 * shim. Returns the exit status, or 128 + the signal. during(), if given,
 * runs while the component does. */
int run_xen(const char *root, const char *profile, int kill_at, char *const args[],
            void (*during)(void *), void *arg);

/* The simulator's state (src/hv_sim.c), as a test reads it. */
struct dom {
    unsigned domid;
    char name[72], uuid[40], state[16], event[16];
    char line[512];
};

struct sim {
    struct dom d[MAXDOMS];
    int n;
    unsigned next_domid;
};

/* The state as the simulator sees it: "domains", then the journal's whole
 * records above its serial. *journal: there is a journal. */
void sim_read(const char *root, struct sim *s, bool *journal);
/* The index of domid in s, or -1. */
int sim_find(struct sim *s, unsigned domid);
/* Up and not on its way down (a shutdown request pending counts as down). */
bool dom_up(const struct dom *d);
const struct dom *dom_by_uuid(const struct sim *s, const char *uuid);
/* Write the simulator's control file. */
void set_control(const char *root, const char *text);

#endif
