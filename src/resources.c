/* resources.c: insertion-ordered resource set with a hash index, so that
 * reading and looking up stay linear in the number of resources. */
#include "resources.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "util.h"

/* The strings live in an arena owned by the set and freed with it. A
 * replaced value stays there until the set goes, so pointers to values
 * never dangle. */
struct resset {
    struct resource *items; /* insertion order */
    uint32_t *hashes;       /* each item's name hashed: rehashing and probing
                             * compare these before any string */
    int *prio;              /* each item's context priority; NULL while all
                             * are 0 (most profiles have no context) */
    size_t n, cap;
    uint32_t *index;        /* open addressing: item number + 1, 0 = empty */
    size_t nbuckets;        /* power of two */
    struct arena strings;
};

static char *store(struct resset *rs, const char *s)
{
    return arena_strdup(&rs->strings, s);
}

static uint32_t hash_str(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

struct resset *resset_new(void)
{
    struct resset *rs = xcalloc(1, sizeof(*rs));
    rs->nbuckets = 64;
    rs->index = xcalloc(rs->nbuckets, sizeof(*rs->index));
    return rs;
}

void resset_free(struct resset *rs)
{
    if (!rs)
        return;
    arena_free(&rs->strings);
    free(rs->items);
    free(rs->hashes);
    free(rs->prio);
    free(rs->index);
    free(rs);
}

static uint32_t *slot_for(const struct resset *rs, const char *name, uint32_t h)
{
    size_t mask = rs->nbuckets - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint32_t *slot = &rs->index[i];
        if (*slot == 0 ||
            (rs->hashes[*slot - 1] == h && strcmp(rs->items[*slot - 1].name, name) == 0))
            return slot;
    }
}

/* The empty slot for a name known to be absent, by its hash alone. */
static uint32_t *free_slot(const struct resset *rs, uint32_t h)
{
    size_t mask = rs->nbuckets - 1;
    size_t i = h & mask;
    while (rs->index[i])
        i = (i + 1) & mask;
    return &rs->index[i];
}

static void rehash(struct resset *rs)
{
    free(rs->index);
    rs->nbuckets *= 2;
    rs->index = xcalloc(rs->nbuckets, sizeof(*rs->index));
    for (size_t i = 0; i < rs->n; i++)
        *free_slot(rs, rs->hashes[i]) = (uint32_t)(i + 1);
}

/* Room for cap items in every per-item array. */
static void grow(struct resset *rs, size_t cap)
{
    rs->items = xrealloc(rs->items, cap * sizeof(*rs->items));
    rs->hashes = xrealloc(rs->hashes, cap * sizeof(*rs->hashes));
    if (rs->prio) {
        rs->prio = xrealloc(rs->prio, cap * sizeof(*rs->prio));
        memset(rs->prio + rs->cap, 0, (cap - rs->cap) * sizeof(*rs->prio));
    }
    rs->cap = cap;
}

/* Add a name known to be absent, at its empty slot. */
static void append(struct resset *rs, uint32_t *slot, uint32_t h, const char *name,
                   const char *value, const char *derivation)
{
    if (rs->n == rs->cap)
        grow(rs, rs->cap ? rs->cap * 2 : 64);
    rs->hashes[rs->n] = h;
    struct resource *r = &rs->items[rs->n++];
    r->name = store(rs, name);
    r->value = store(rs, value);
    r->derivation = derivation && *derivation ? store(rs, derivation) : (char *)"";
    r->type = (char *)"";
    /* 32-bit slots halve the index; a profile of four billion resources
     * would not fit in memory anyway. */
    *slot = (uint32_t)rs->n;
    if (rs->n * 2 > rs->nbuckets)
        rehash(rs);
}

bool resset_set(struct resset *rs, const char *name, const char *value,
                const char *derivation)
{
    uint32_t h = hash_str(name);
    uint32_t *slot = slot_for(rs, name, h);
    if (*slot) {
        struct resource *r = &rs->items[*slot - 1];
        if (strcmp(r->value, value))
            r->value = store(rs, value);
        if (strcmp(r->derivation, derivation ? derivation : ""))
            r->derivation = derivation && *derivation ? store(rs, derivation) : (char *)"";
        return true;
    }
    append(rs, slot, h, name, value, derivation);
    return false;
}

/* Set the priority of item i (present). */
static void set_prio(struct resset *rs, size_t i, int priority)
{
    if (!rs->prio) {
        if (priority == 0)
            return;
        rs->prio = xcalloc(rs->cap, sizeof(*rs->prio));
    }
    rs->prio[i] = priority;
}

enum resset_merge resset_merge(struct resset *rs, const char *name, const char *value,
                               const char *derivation, int priority)
{
    uint32_t h = hash_str(name);
    uint32_t *slot = slot_for(rs, name, h);
    if (!*slot) {
        append(rs, slot, h, name, value, derivation);
        set_prio(rs, rs->n - 1, priority);
        return RS_ADDED;
    }
    size_t i = *slot - 1;
    int old = rs->prio ? rs->prio[i] : 0;
    struct resource *r = &rs->items[i];
    if (priority < old)
        return RS_KEPT;
    /* lcfgresource_equals: the name, the priority and the value. */
    if (priority == old && strcmp(r->value, value))
        return RS_CONFLICT;
    if (strcmp(r->value, value))
        r->value = store(rs, value);
    if (strcmp(r->derivation, derivation ? derivation : ""))
        r->derivation = derivation && *derivation ? store(rs, derivation) : (char *)"";
    set_prio(rs, i, priority);
    return RS_REPLACED;
}

int resset_priority(const struct resset *rs, size_t i)
{
    return rs->prio ? rs->prio[i] : 0;
}

bool resset_set_type(struct resset *rs, const char *name, const char *type)
{
    uint32_t *slot = slot_for(rs, name, hash_str(name));
    if (!*slot)
        return false;
    struct resource *r = &rs->items[*slot - 1];
    if (strcmp(r->type, type))
        r->type = *type ? store(rs, type) : (char *)"";
    return true;
}

void resset_swap(struct resset *a, struct resset *b)
{
    struct resset t = *a;
    *a = *b;
    *b = t;
}

void resset_reserve(struct resset *rs, size_t n)
{
    if (n > rs->cap)
        grow(rs, n);
    if (n * 2 > rs->nbuckets) {
        while (n * 2 > rs->nbuckets)
            rs->nbuckets *= 2;
        free(rs->index);
        rs->index = xcalloc(rs->nbuckets, sizeof(*rs->index));
        for (size_t i = 0; i < rs->n; i++)
            *free_slot(rs, rs->hashes[i]) = (uint32_t)(i + 1);
    }
}

const struct resource *resset_find(const struct resset *rs, const char *name)
{
    uint32_t *slot = slot_for(rs, name, hash_str(name));
    return *slot ? &rs->items[*slot - 1] : NULL;
}

long resset_index(const struct resset *rs, const char *name)
{
    uint32_t *slot = slot_for(rs, name, hash_str(name));
    return *slot ? (long)*slot - 1 : -1;
}

const char *resset_get(const struct resset *rs, const char *name)
{
    const struct resource *r = resset_find(rs, name);
    return r ? r->value : NULL;
}

size_t resset_count(const struct resset *rs)
{
    return rs->n;
}

const struct resource *resset_at(const struct resset *rs, size_t i)
{
    return &rs->items[i];
}
