/* span.h: the spanning map of every host's guests, as LCFG gives it to a
 * subscriber (lcfg-core's %publish / %subscribe resource types): the tag
 * list spannodes holds one tag per publishing node, and spanhost_<node>
 * and spanguests_<node> what that node published (its host name, and one
 * word NAME/UUID/MAC[,MAC]/GROUP per guest). Read into a map UUID -> host
 * (also MAC -> host, group -> hosts), and the one-host-only checks made
 * with it. See SPANNING MAPS in lcfg-xen(8). */
#ifndef LCFGXEN_SPAN_H
#define LCFGXEN_SPAN_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

struct errlist;
struct host;
struct guest;
struct resset;

struct span_entry {
    const char *node;    /* the map's tag for the publishing node */
    const char *host;    /* its spanhost (the tag when it published none) */
    const char *guest;   /* the guest's name */
    const char *uuid;
    const char *macs[2];
    size_t nmacs;
    const char *group;   /* "" when none */
};

struct span_map {
    struct span_entry *v;
    size_t n, cap;
    struct arena strings;
};

/* Add the guests one node published (the value of its spanguests) to m.
 * Returns false, with *err naming the bad word, when a word is not
 * NAME/UUID/MAC[,MAC]/GROUP (MAC and GROUP may be empty). */
bool span_parse(struct span_map *m, const char *node, const char *host, const char *value,
                char **err);

/* The whole map from the subscribed resources: nodes is spannodes' value,
 * rs holds spanhost_<node> and spanguests_<node>. Each error (a bad tag, a
 * bad word) is appended to errs. Never NULL; free with span_free. */
struct span_map *span_read(const char *nodes, const struct resset *rs, struct errlist *errs);
void span_free(struct span_map *m);

/* Is name a resource of the map (spanhost_<node> or spanguests_<node>,
 * node one of the tags in nodes)? */
bool span_is_map_resource(const char *nodes, const char *name);

/* The first entry of another host than self with this UUID (or MAC; any
 * case), or NULL. */
const struct span_entry *span_find_uuid(const struct span_map *m, const char *uuid,
                                        const char *self);
const struct span_entry *span_find_mac(const struct span_map *m, const char *mac,
                                       const char *self);
/* The hosts whose guests are in group, as a space-separated list in
 * map order without repeats (caller frees; "" when none). */
char *span_group_hosts(const struct span_map *m, const char *group);

/* The word a guest is published as: NAME/UUID/MAC[,MAC]/GROUP. Caller
 * frees. */
char *span_word(const struct guest *g);

/* This host's name in the map: xen.spanhost, else the short host name. */
const char *span_self(const struct host *h);

/* The one-host-only checks of a profile (model_build calls it once the
 * guests are valid): the published spanguests must be exactly this
 * profile's guests; a guest's UUID or MAC published by another host is an
 * error naming the guest, the value and that host; two guests of a group
 * in antiaffinity on this host are an error naming both. */
void span_check(const struct host *h, struct errlist *errs);

/* xen.onmove's detection: the host the map shows a guest (that left this
 * host's profile) on now, or NULL when none. */
const char *span_moved_to(const struct host *h, const char *uuid);

#endif
