/* arena.c: see arena.h. */
#include "arena.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct arena_chunk {
    struct arena_chunk *next;
    size_t used, cap;
    char data[];
};

#define CHUNK_SIZE 65536

/* n bytes that stay put until arena_free. */
static char *take(struct arena *a, size_t n)
{
    struct arena_chunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > CHUNK_SIZE ? n : CHUNK_SIZE;
        c = xmalloc(sizeof(*c) + cap);
        c->used = 0;
        c->cap = cap;
        c->next = a->head;
        a->head = c;
    }
    char *p = c->data + c->used;
    c->used += n;
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = take(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *arena_cat(struct arena *a, const char *first, ...)
{
    size_t n = 0;
    va_list ap;
    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *))
        n += strlen(s);
    va_end(ap);
    char *p = take(a, n + 1), *q = p;
    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *)) {
        size_t k = strlen(s);
        memcpy(q, s, k);
        q += k;
    }
    va_end(ap);
    *q = '\0';
    return p;
}

void *arena_alloc(struct arena *a, size_t n)
{
    /* A chunk's data starts 8-aligned (after three words of header). */
    struct arena_chunk *c = a->head;
    size_t pad = c ? (8 - (c->used & 7)) & 7 : 0;
    if (c && c->cap - c->used >= pad)
        c->used += pad;
    void *p = take(a, n);
    memset(p, 0, n);
    return p;
}

void arena_free(struct arena *a)
{
    for (struct arena_chunk *c = a->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    a->head = NULL;
}
