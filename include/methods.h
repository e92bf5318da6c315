/* methods.h: the component's methods and the table that drives dispatch,
 * locking, dry-run and usage. */
#ifndef LCFGXEN_METHODS_H
#define LCFGXEN_METHODS_H

#include <stdbool.h>
#include <stddef.h>

/* Parsed command-line options (the one other piece of global-ish state;
 * passed explicitly). */
struct opts {
    const char *root;         /* "/" by default */
    const char *profile;      /* --profile FILE */
    const char *resources;    /* --resources FILE */
    const char *hypervisor;   /* NULL: choose (xen on a dom0, else sim) */
    bool dry_run;
    bool debug;
    unsigned lock_timeout_ms;
};

struct ctx {
    const struct opts *o;
    char *const *envp;
};

enum method_flags {
    M_MODIFIES = 1 << 0, /* takes the lock */
    M_DRYRUN = 1 << 1,   /* understands --dry-run */
    M_NAMES = 1 << 2,    /* takes one guest name or more */
    M_SUSPENDS = 1 << 3, /* does nothing while the component is suspended */
    M_HOSTS = 1 << 4,    /* takes host names (none or more): "[HOST...]" */
    M_NAME_HOST = 1 << 5, /* with M_NAMES: a guest, then a host ("NAME HOST";
                           * the method checks that both are there) */
    M_GROUPS = 1 << 6,    /* a name may be @GROUP, the group's members; with
                           * M_NAMES: one or more ("NAME|@GROUP..."), else
                           * none or more ("[NAME|@GROUP...]") */
};

/* A method's arguments, checked against its table entry. */
struct method;
struct margs {
    const struct method *m;
    unsigned opts;  /* bit i: m->opts[i] was given */
    char **names;   /* the guest names (or @GROUPs), in the order given */
    size_t nnames;
};

#define METHOD_MAX_OPTS 2

struct method {
    const char *name;
    int (*fn)(struct ctx *c, const struct margs *a); /* returns an exit status */
    unsigned flags;
    const char *opts[METHOD_MAX_OPTS + 1]; /* the options it takes, NULL-terminated */
    const char *desc;
};

extern const struct method methods[];

/* The method called name (exact match, as LCFG calls methods by full
 * name), or NULL. */
const struct method *method_find(const char *name);

/* Its usage: "destroy [--force] NAME..." (caller frees). */
char *method_usage(const struct method *m);

/* Check argv[1..] (what follows the method's name) against m's entry:
 * options it takes (anywhere), and guest names where it takes them.
 * Returns 0 (fills a; free with margs_free), or -1 with *err: "<method>:
 * unknown argument 'X' (usage: ...)" or "<method>: name at least one
 * guest (usage: ...)". */
int method_args(const struct method *m, int argc, char **argv, struct margs *a, char **err);

void margs_free(struct margs *a);

/* Was the option opt (one of the method's) given? */
bool margs_has(const struct margs *a, const char *opt);

/* Is the component suspended (PATH_SUSPENDED under root)? *since (when
 * not NULL): since when, "dd/mm/yy HH:MM:SS" (caller frees). */
bool suspended_since(const char *root, char **since);

#endif
