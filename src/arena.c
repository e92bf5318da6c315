/* arena.c: see arena.h. */
#include "arena.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

struct arena_chunk {
    struct arena_chunk *next;
    size_t used, cap;
    char data[];
};

#define CHUNK_SIZE 65536

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    struct arena_chunk *c = a->head;
    if (!c || c->cap - c->used < n + 1) {
        size_t cap = n + 1 > CHUNK_SIZE ? n + 1 : CHUNK_SIZE;
        c = xmalloc(sizeof(*c) + cap);
        c->used = 0;
        c->cap = cap;
        c->next = a->head;
        a->head = c;
    }
    char *p = c->data + c->used;
    memcpy(p, s, n);
    p[n] = '\0';
    c->used += n + 1;
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

void arena_free(struct arena *a)
{
    for (struct arena_chunk *c = a->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    a->head = NULL;
}
