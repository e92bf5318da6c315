/* install.h: the record of guest installs (install_<tag>), kept under
 * /var/lib/lcfg/xen with the component's other state, by guest UUID.
 *
 * A guest is installed (its installer booted instead of its own config)
 * only while its entry is pending (or failed, when asked again with boot
 * NAME) and every disk it has was created by the component for it since
 * the entry's "fresh" time: configure makes the entry, with install set,
 * just before it creates the guest's first new disk, and the disk record
 * (disks.h) holds each disk's creation time. So a disk that existed before
 * (made by someone else, or by the component before install was asked
 * for) is never installed, and an installed disk never again: a new
 * entry is made only when a new disk is created. */
#ifndef LCFGXEN_INSTALL_H
#define LCFGXEN_INSTALL_H

#include <stdbool.h>
#include <stddef.h>

enum inst_state {
    IS_PENDING,   /* its disks are new: install at the next boot */
    IS_RUNNING,   /* the installer was booted at since */
    IS_INSTALLED, /* the installer ended by powering off or rebooting */
    IS_FAILED,    /* crashed, destroyed, timed out, or its boot failed: why */
    IS_COUNT
};

extern const char *const inst_state_names[IS_COUNT];

struct inst_entry {
    char uuid[37];   /* lower case */
    long long fresh; /* its disks are those created from then on (s since 1970) */
    enum inst_state state;
    long long since; /* when it entered state */
    char *why;       /* IS_FAILED: why (one line); else NULL */
};

struct inst_record {
    struct inst_entry *v;
    size_t n;
    bool dirty;
};

/* The record under root (empty when there is none). Returns 0, or -1 with
 * *err (the file cannot be read, or a line of it is damaged). */
int inst_load(const char *root, struct inst_record *r, char **err);

/* Write it (atomically, durably) when it changed. Returns 0, or -1. */
int inst_save(struct inst_record *r, const char *root, char **err);

/* The entry of uuid (any case), or NULL. */
struct inst_entry *inst_find(const struct inst_record *r, const char *uuid);

/* Set uuid's entry (made when missing); why: for IS_FAILED (control
 * characters become '?'). */
void inst_set(struct inst_record *r, const char *uuid, long long fresh, enum inst_state st,
              long long since, const char *why);

void inst_free(struct inst_record *r);

#endif
