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
    int index;                 /* its position in g->disks */
    const struct disk *d;
    unsigned long long want;   /* bytes the profile asks for (0: any) */
    unsigned long long have;   /* bytes it has (DK_OK, DK_DIFFERS) */
    bool full;                 /* create fully allocated */
    bool mkdir;                /* its directory must be created first */
    char *note;                /* DK_REFUSED: why */
    const char *prov;          /* its provenance record ("name uuid time how path"),
                                * or NULL: see disks_owner (private) */
    char *id;                  /* (freed with the plan) the disk's identity (what its path resolves to:
                                * "f:dev:ino", "n:dev:ino:name" for a file not yet
                                * made, "p:realpath" below a missing directory,
                                * "b:major:minor", "l:vg/lv"), or NULL when unknown */
    const char *found;         /* an existing image's probed format, or NULL */
    size_t idh;                /* (private) id's hash, or 0 when not known */
    int failed;                /* after apply */
    char *err;
};

struct disk_state;

struct disk_plan {
    struct disk_item *v;
    size_t n;
    /* Per guest (its index in h->guests): 1 + the index in v of its first
     * refused disk, 0 when none is (see disks_guest_refused). */
    size_t *refused;
    size_t nguests;
    struct disk_state *st;     /* the records read by disks_plan (private) */
};

/* Look at every disk of every guest (read only: stat, realpath, lvs,
 * qemu-img info). A disk is refused (DK_REFUSED, with a note) when two
 * guests' disks are one disk (same identity), when it is recorded for
 * another guest's UUID (unless diskreuse), or when an existing image's
 * probed format is not its diskformat or it has a backing file. Returns 0,
 * or -1 with *err when the provenance record cannot be read. */
int disks_plan(const struct host *h, const char *root, struct disk_plan *plan, char **err);

/* Create the disks planned as DK_CREATE and record their provenance: the
 * record names each new disk (fsync'd) before it is created, so that a run
 * killed half-way leaves no unrecorded image. Existing disks without a
 * record are recorded for the guest that uses them. Returns the number of
 * items that failed (each with failed/err set). */
size_t disks_apply(struct disk_plan *plan, const struct host *h, const char *root, long long now);

/* The first refused disk of guest number guest (its index in h->guests),
 * or NULL when none is. A guest with a refused disk keeps its previous
 * config file (its new one is not written) and is not booted. */
const struct disk_item *disks_guest_refused(const struct disk_plan *plan, size_t guest);

/* Whom the record says an item of plan (one of plan->v) was made for or
 * found in use by: "name (uuid) on YYYY-MM-DD", or NULL when it has no
 * record. Made when first asked; valid until disks_plan_free. */
const char *disks_owner(const struct disk_plan *plan, const struct disk_item *it);

/* What the record says of an item of a plan: the UUID of the guest it was
 * made for or found in use by (uuid[37]), when (seconds since 1970), and
 * whether the component created it. false when it has no record. */
bool disks_origin(const struct disk_item *it, char uuid[37], long long *when, bool *created);

void disks_plan_free(struct disk_plan *plan);

/* "12 GB", or "10.50 GB (11274289152 bytes)" when not whole. Caller frees. */
char *disks_size_str(unsigned long long bytes);

#endif
