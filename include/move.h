/* move.h: moving a running guest to another host (issue 16): a live
 * migration where this host's hypervisor can do it for the guest, else
 * (or when asked) a cold move: save here, copy the image, restore there.
 * The methods migrate and evacuate, and configure (xen.onmove migrate),
 * call move_guest; the receiving host's configure adopts the domain that
 * arrives (identity.c). configure passes its ident's hv and record (whose
 * ident_record then records a guest that left the profile as gone: it
 * runs elsewhere, and this host's start never boots what its profile
 * does not have). */
#ifndef LCFGXEN_MOVE_H
#define LCFGXEN_MOVE_H

#include <stdbool.h>

struct ctx;
struct host;
struct hv;
struct managed;

/* How a move went. */
struct move_result {
    bool live;       /* moved (or tried) live; else cold */
    bool here;       /* the target was this host: the guest runs here */
    double seconds;  /* live: how long the migration took; cold: the
                      * downtime, from the save's start to the restore's
                      * end on the target (or here, after a failure) */
    char *why_cold;  /* cold: why ("asked (--cold)", the hypervisor's
                      * limit, "xen.coldmove always") */
    char *retired;   /* its config file's new place, when it was retired */
    char *warning;   /* moved, but its config file could not be retired */
};

/* Move the running domain of guest uuid (called name) to host to, as the
 * host's resources say (coldmove, movedir, migratetimeout, migrateremote,
 * migratecopy); cold: a cold move even when a live one could be done.
 * On success the guest is recorded in rec (not saved) as moved to that
 * host and its config file here is retired (its disks are kept), unless
 * the guest runs here after all (to is this host). Returns 0, or -1 with
 * *err naming the stage (live migration, save, send, restore on HOST)
 * and the reason, and where the guest is: it runs on here, restored here
 * after a failed send or restore, or (when even that failed) its save
 * image is kept and named. *r says how it went either way (free with
 * move_result_free). */
int move_guest(struct ctx *c, const struct host *h, struct hv *hv, struct managed *rec,
               const char *name, const char *uuid, const char *to, bool cold,
               struct move_result *r, char **err);

/* What move_guest would do, without doing it (a dry run): 0 with
 * r->live or r->why_cold, or -1 with *err (not running here, or refused
 * as move_guest would refuse it). */
int move_plan(const struct host *h, struct hv *hv, const char *uuid, bool cold,
              struct move_result *r, char **err);

void move_result_free(struct move_result *r);

/* "moved to beta (cold: WHY): down 3.2 s" or "moved to beta (live): took
 * 1.2 s" (caller frees). */
char *move_describe(const char *to, const struct move_result *r);

#endif
