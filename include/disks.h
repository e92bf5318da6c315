/* disks.h: guest disks: see what exists, create what is missing, never
 * harm what exists. An existing image or volume is never written,
 * truncated, resized, moved or removed, whatever the profile says; a
 * create that fails removes only what this run made. Nothing here prints:
 * the method layer reports each item. */
#ifndef LCFGXEN_DISKS_H
#define LCFGXEN_DISKS_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

#define GIB (1ULL << 30)

enum disk_action {
    DK_CREATE,   /* missing: create it */
    DK_OK,       /* exists, and its size is the profile's */
    DK_DIFFERS,  /* exists with another size: reported, left alone */
    DK_DEVICE,   /* a physical disk: an existing block device, never written */
    DK_REFUSED,  /* the component will not use or create it (see note) */
};

struct disk_item {
    enum disk_action action;
    const struct guest *g;
    int index;                 /* 0: first disk, 1: second */
    const struct disk *d;
    unsigned long long want;   /* bytes the profile asks for (0: any) */
    unsigned long long have;   /* bytes it has (DK_OK, DK_DIFFERS) */
    bool full;                 /* create fully allocated */
    bool mkdir;                /* its directory must be created first */
    char *note;                /* DK_REFUSED: why */
    char *owner;               /* provenance: "name (uuid) on YYYY-MM-DD", or NULL */
    int failed;                /* after apply */
    char *err;
};

struct disk_plan {
    struct disk_item *v;
    size_t n;
};

/* Look at every disk of every guest (read only: stat, realpath, lvs,
 * qemu-img info). Returns 0, or -1 with *err when the provenance record
 * cannot be read. */
int disks_plan(const struct host *h, const char *root, struct disk_plan *plan, char **err);

/* Create the disks planned as DK_CREATE and record their provenance.
 * Returns the number of items that failed (each with failed/err set). */
size_t disks_apply(struct disk_plan *plan, const struct host *h, const char *root, long long now);

void disks_plan_free(struct disk_plan *plan);

/* "12 GB", or "10.50 GB (11274289152 bytes)" when not whole. Caller frees. */
char *disks_size_str(unsigned long long bytes);

#endif
