/* resources.h: a set of LCFG resources (name -> value, derivation, type)
 * as read from a profile, a status file or the environment, in insertion
 * order. */
#ifndef LCFGXEN_RESOURCES_H
#define LCFGXEN_RESOURCES_H

#include <stdbool.h>
#include <stddef.h>

struct resource {
    char *name;
    char *value;
    char *derivation; /* "" when unknown */
    char *type;       /* as lcfg-core writes it (lcfgfmt.h); "" for a plain
                       * string or when unknown */
};

struct resset;

struct resset *resset_new(void);
void resset_free(struct resset *rs);

/* Set (or replace) a resource; copies its arguments. derivation may be NULL.
 * Returns true when the name was already present (the value is replaced). */
bool resset_set(struct resset *rs, const char *name, const char *value,
                const char *derivation);

/* How resset_merge took a resource. */
enum resset_merge {
    RS_ADDED,    /* the name was new */
    RS_REPLACED, /* over one of a lower priority, or the same value again
                  * (its derivation taken) */
    RS_KEPT,     /* the one present has a higher priority */
    RS_CONFLICT, /* the same priority, another value: nothing changed */
};

/* Take a resource as lcfg-core merges one into a component (reslist.c,
 * lcfgreslist_merge_resource with the rules the XML reader sets: identical
 * values are squashed, else the higher priority wins). priority is the
 * value's context priority (0: no context). */
enum resset_merge resset_merge(struct resset *rs, const char *name, const char *value,
                               const char *derivation, int priority);
/* The priority the i-th resource was taken with (0 unless resset_merge
 * gave one). */
int resset_priority(const struct resset *rs, size_t i);

/* Set the type of a resource already in the set (a new type is not
 * checked here); false when there is none. */
bool resset_set_type(struct resset *rs, const char *name, const char *type);

/* Exchange the contents of two sets (what a reader filled in becomes the
 * caller's, without a copy). */
void resset_swap(struct resset *a, struct resset *b);

/* Make room for n resources in all, so that adding them does not grow
 * the set step by step. */
void resset_reserve(struct resset *rs, size_t n);

/* The resource, or NULL. The pointer stays valid until the next set. */
const struct resource *resset_find(const struct resset *rs, const char *name);
/* Its position in insertion order, or -1 when absent. */
long resset_index(const struct resset *rs, const char *name);
/* Its value, or NULL when absent. */
const char *resset_get(const struct resset *rs, const char *name);

size_t resset_count(const struct resset *rs);
/* The i-th resource in insertion order (i < resset_count). */
const struct resource *resset_at(const struct resset *rs, size_t i);

#endif
