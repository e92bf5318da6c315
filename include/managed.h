/* managed.h: the guests the component manages, by UUID, kept under
 * /var/lib/lcfg/xen (durable: the status file is on /run, emptied at
 * every boot). A guest is its UUID; its name may change. The record says,
 * for each UUID the component configured, the name it last had and
 * whether it is still in the profile, or left it and was kept running
 * (xen.onremove keep). It is what makes a rename a rename (same UUID,
 * another name), and a domain of a guest that left the profile still the
 * component's own: status lists it, stop shuts it down. */
#ifndef LCFGXEN_MANAGED_H
#define LCFGXEN_MANAGED_H

#include <stdbool.h>
#include <stddef.h>

enum managed_state {
    MG_PROFILE, /* in the profile last configured */
    MG_HELD,    /* in it, but held back: a disk refused; not booted */
    MG_KEPT,    /* left the profile; its domain was left running */
    MG_GONE,    /* left the profile; no domain left: remembered so that a
                 * guest added back (the same UUID) under another name is
                 * known as renamed, its disks its own */
    MG_MOVED,   /* moved to another host (host) by migrate or evacuate: it
                 * runs there, so it is neither booted here nor shut down
                 * as having left the profile; its domain seen here again
                 * (moved back) is adopted (move.h) */
    MG_STATE_COUNT
};

struct managed_guest {
    char uuid[37];  /* lower case */
    char *name;
    enum managed_state state;
    unsigned long long key[2]; /* the uuid's 128 bits (private: see managed_find) */
    bool name_owned;           /* name is its own (not in the text as read) */
    char *host;                /* MG_MOVED: where it went (else NULL) */
    bool host_owned;
};

/* Sorted by uuid. */
struct managed {
    struct managed_guest *v;
    size_t n, cap;
    bool dirty;    /* changed since loaded: managed_save writes it */
    bool unkeyed;  /* some uuid is no UUID: entries are found by their text */
    char *text;    /* the file as read: the names loaded point into it */
    /* 1 + an index in v by the hash of its uuid's text, mask + 1 of them
     * (private: made by managed_load, dropped when an entry is added). */
    size_t *slot, mask;
};

/* The record under root: empty when there is none. Returns 0, or -1 with
 * *err when it cannot be read or is damaged (line and what is wrong). */
int managed_load(const char *root, struct managed *m, char **err);

/* Write it (atomically, durably) when it changed since it was loaded (or
 * the file is not what it holds). Returns 0, or -1 with *err. */
int managed_save(const struct managed *m, const char *root, char **err);

/* Add or replace the entry of uuid (any case); keeps m sorted. */
void managed_set(struct managed *m, const char *uuid, const char *name, enum managed_state st);
/* Record that uuid (called name) moved to host. */
void managed_set_moved(struct managed *m, const char *uuid, const char *name, const char *host);
/* The entry of uuid (any case), or NULL. */
const struct managed_guest *managed_find(const struct managed *m, const char *uuid);

void managed_free(struct managed *m);

/* The lower-case form of a UUID, as Xen reports it, in out[37]. */
void uuid_lower(const char *uuid, char out[37]);

#endif
