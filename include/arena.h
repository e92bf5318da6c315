/* arena.h: strings that live as long as their owner and are freed with
 * it in one go. A host of 1000 guests holds tens of thousands of short
 * strings; a malloc and a free each would cost more than the rest of what
 * is done with them. */
#ifndef LCFGXEN_ARENA_H
#define LCFGXEN_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
    struct arena_chunk *head; /* newest first; NULL when empty */
};

#define ARENA_INIT { NULL }

/* A copy of s (n bytes, then a NUL) that stays put until arena_free. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
/* The strings given, up to a NULL, one after the other. */
char *arena_cat(struct arena *a, const char *first, ...) __attribute__((sentinel));
/* n zeroed bytes aligned for any scalar, that stay put until arena_free. */
void *arena_alloc(struct arena *a, size_t n);
void arena_free(struct arena *a);

#endif
