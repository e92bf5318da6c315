/* util.c: allocation, buffers and string helpers (see util.h). */
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void oom(void)
{
    fputs("[FAIL] xen: out of memory\n", stderr);
    exit(1);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom();
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        oom();
    return p;
}

char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p)
        oom();
    return p;
}

char *xstrndup(const char *s, size_t n)
{
    char *p = strndup(s, n);
    if (!p)
        oom();
    return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
    char *p;
    if (vasprintf(&p, fmt, ap) < 0)
        oom();
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = xvasprintf(fmt, ap);
    va_end(ap);
    return p;
}

double mono_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

char *str_join(const char *a, char sep, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = xmalloc(la + lb + 2);
    memcpy(s, a, la);
    s[la] = sep;
    memcpy(s + la + 1, b, lb + 1);
    return s;
}

void set_error(char **msg, const char *fmt, ...)
{
    if (!msg)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *p = xvasprintf(fmt, ap);
    va_end(ap);
    free(*msg);
    *msg = p;
}

void buf_reserve(struct buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
}

void buf_add(struct buf *b, const char *s, size_t n)
{
    buf_reserve(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void buf_adds(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = xvasprintf(fmt, ap);
    va_end(ap);
    buf_adds(b, p);
    free(p);
}

char *str_cat(const char *first, ...)
{
    va_list ap;
    size_t n = 0;
    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *))
        n += strlen(s);
    va_end(ap);
    char *out = xmalloc(n + 1), *p = out;
    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *)) {
        size_t k = strlen(s);
        memcpy(p, s, k);
        p += k;
    }
    va_end(ap);
    *p = '\0';
    return out;
}

/* hash64: see util.h. Eight bytes a step, each mixed in with xxHash64's
 * round (multiply, rotate, multiply), the length in the seed and its
 * finaliser at the end. Loads go through memcpy (no unaligned access) and
 * are read little-endian, so a value does not depend on the machine. */
#define H64_P1 11400714785074694791ULL
#define H64_P2 14029467366897019727ULL
#define H64_P3 1609587929392839161ULL
#define H64_P4 9650029242287828579ULL
#define H64_P5 2870177450012600261ULL

static inline uint64_t h64_rotl(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static inline uint64_t h64_load64(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof(w));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

static inline uint64_t h64_load32(const unsigned char *p)
{
    uint32_t w;
    memcpy(&w, p, sizeof(w));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap32(w);
#endif
    return w;
}

static inline uint64_t h64_round(uint64_t acc, uint64_t w)
{
    return h64_rotl(acc + w * H64_P2, 31) * H64_P1;
}

unsigned long long hash64(unsigned long long h, const void *data, size_t n)
{
    const unsigned char *p = data;
    uint64_t acc = (uint64_t)h + H64_P5 + (uint64_t)n;
    size_t left = n;
    for (; left >= 8; left -= 8, p += 8)
        acc = h64_round(acc, h64_load64(p));
    if (left >= 4) {
        /* 4 to 7 bytes: two loads that overlap cover them all (with the
         * length, which the seed holds, that is one-to-one). */
        acc = h64_round(acc, h64_load32(p) | h64_load32(p + left - 4) << 32);
    } else if (left) {
        /* 1 to 3 bytes: the first, the middle and the last cover them. */
        acc = h64_round(acc, (uint64_t)p[0] | (uint64_t)p[left / 2] << 8 |
                                 (uint64_t)p[left - 1] << 16 | (uint64_t)1 << 24);
    }
    acc ^= acc >> 33;
    acc *= H64_P2;
    acc ^= acc >> 29;
    acc *= H64_P3;
    acc ^= acc >> 32;
    return acc;
}

const char *buf_str(struct buf *b)
{
    return b->data ? b->data : "";
}

char *buf_detach(struct buf *b)
{
    char *p = b->data ? b->data : xstrdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

void buf_free(struct buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

bool str_starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_ends_with(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0;
}

bool str_has_word(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; p && *p;) {
        p += strspn(p, " \t\n");
        size_t k = strcspn(p, " \t\n");
        if (k == n && !strncmp(p, word, n))
            return true;
        p += k;
    }
    return false;
}

bool str_empty(const char *s)
{
    return !s || !*s;
}

size_t u64_text(char *buf, unsigned long long v)
{
    char d[U64_TEXT_MAX];
    size_t n = 0;
    do
        d[n++] = (char)('0' + v % 10);
    while ((v /= 10));
    for (size_t i = 0; i < n; i++)
        buf[i] = d[n - 1 - i];
    buf[n] = '\0';
    return n;
}

bool parse_u64(const char *s, unsigned long long *ret)
{
    if (!s || !*s)
        return false;
    if (s[0] == '0' && s[1] != '\0')
        return false;
    unsigned long long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        unsigned d = (unsigned)(*p - '0');
        if (v > (ULLONG_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *ret = v;
    return true;
}
