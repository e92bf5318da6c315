/* util.h: allocation that never returns NULL, a growable string buffer,
 * and small string helpers shared by every module. */
#ifndef LCFGXEN_UTIL_H
#define LCFGXEN_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define ATTR_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define ATTR_WUR __attribute__((warn_unused_result))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Out of memory is fatal in a component process (as in lcfg-core): these
 * print one line and exit(1) rather than returning NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) ATTR_PRINTF(1, 2);
char *xvasprintf(const char *fmt, va_list ap) ATTR_PRINTF(1, 0);
/* a, sep and b in one new string: resource names such as memory_web1 are
 * made thousands of times per run, and printf's machinery costs ten times
 * more than copying. */
char *str_join(const char *a, char sep, const char *b);
/* The strings up to a NULL, in one new string (paths made per guest). */
char *str_cat(const char *first, ...) __attribute__((sentinel));

/* Replace *msg (freeing any old message) with a formatted one.
 * Helpers report failures this way; only the method layer prints. */
void set_error(char **msg, const char *fmt, ...) ATTR_PRINTF(2, 3);

/* Growable, always NUL-terminated buffer. BUF_INIT gives an empty one. */
struct buf {
    char *data;
    size_t len;
    size_t cap;
};
#define BUF_INIT { NULL, 0, 0 }
void buf_add(struct buf *b, const char *s, size_t n);
/* Make room for extra more bytes (and the NUL), for writers that then
 * fill data directly. */
void buf_reserve(struct buf *b, size_t extra);
void buf_adds(struct buf *b, const char *s);
/* Inline: lexers and encoders add one character at a time, millions of
 * times in a run over a large profile. */
static inline void buf_addc(struct buf *b, char c)
{
    if (b->len + 2 > b->cap) {
        buf_add(b, &c, 1);
        return;
    }
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}
void buf_addf(struct buf *b, const char *fmt, ...) ATTR_PRINTF(2, 3);
/* The contents (never NULL; "" when empty). */
const char *buf_str(struct buf *b);
/* Hand the storage to the caller (never NULL) and reset the buffer. */
char *buf_detach(struct buf *b);
void buf_free(struct buf *b);

/* A 64-bit digest of n bytes at data, from h: HASH64_INIT to start, or an
 * earlier result to chain pieces. For telling whether something changed
 * (as ninja does with its command lines), not for anything an adversary
 * chooses. Word at a time (xxHash64's round and finaliser, one lane); the
 * length is part of each piece's digest, so hash64(hash64(h, a), b) is not
 * hash64(h, ab): feed the same pieces to get the same value. The same on
 * every machine (bytes read little-endian). Values are stored only in
 * caches (the rendered record), so the function may change. */
#define HASH64_INIT 14695981039346656037ULL
unsigned long long hash64(unsigned long long h, const void *data, size_t n);

/* Seconds on CLOCK_MONOTONIC, for durations. */
double mono_seconds(void);

bool str_starts_with(const char *s, const char *prefix);
bool str_ends_with(const char *s, const char *suffix);
/* True when s is NULL or "". */
bool str_empty(const char *s);
/* Is word one of list's words (separated by spaces, tabs or newlines, as a
 * tag list's value)? */
bool str_has_word(const char *list, const char *word);

/* v in decimal, as printf's "%llu" writes it, at buf (which holds at least
 * U64_TEXT_MAX bytes), NUL-terminated; returns the length. For numbers
 * made per guest, where printf's machinery costs most. */
#define U64_TEXT_MAX 21
size_t u64_text(char *buf, unsigned long long v);

/* Parse a decimal unsigned integer (digits only, no sign, no leading zeros
 * except "0") with overflow checking. Returns false on any defect. */
bool parse_u64(const char *s, unsigned long long *ret);

#endif
