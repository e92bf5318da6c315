/* methods.h: the component's methods and the table that drives dispatch,
 * locking, dry-run and usage. */
#ifndef LCFGXEN_METHODS_H
#define LCFGXEN_METHODS_H

#include <stdbool.h>

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
};

struct method {
    const char *name;
    int (*fn)(struct ctx *c, int argc, char **argv); /* returns an exit status */
    unsigned flags;
    const char *args;
    const char *desc;
};

extern const struct method methods[];

/* The method called name (exact match, as LCFG calls methods by full
 * name), or NULL. */
const struct method *method_find(const char *name);

#endif
