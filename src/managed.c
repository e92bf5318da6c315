/* managed.c: the record of the guests the component manages (see
 * managed.h).
 *
 * The file, one guest a line, in UUID order:
 *
 *   UUID STATE NAME [HOST]
 *
 * STATE: profile, held, kept, gone or moved (then HOST: where it went). Written whole, atomically and fsync'd;
 * anything else in it makes it unreadable, said with its line, rather
 * than guessed at: it decides which domains are the component's. */
#include "managed.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fsutil.h"
#include "paths.h"
#include "util.h"

static const char *const state_names[] = { "profile", "held", "kept", "gone", "moved" };
_Static_assert(ARRAY_SIZE(state_names) == MG_STATE_COUNT, "a name for every managed_state");

void uuid_lower(const char *uuid, char out[37])
{
    size_t i = 0;
    for (; uuid[i] && i < 36; i++)
        out[i] = (char)tolower((unsigned char)uuid[i]);
    out[i] = '\0';
}

/* 1 + each hex digit's value; 0: not one. */
static const unsigned char hexv[256] = {
    ['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7,
    ['7'] = 8, ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14,
    ['e'] = 15, ['f'] = 16, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15,
    ['F'] = 16,
};

/* n hex digits at u appended to *v; false when one is not. */
static inline __attribute__((always_inline)) bool hex_group(const unsigned char *u, int n,
                                                            unsigned long long *v)
{
    unsigned long long x = *v;
    for (int i = 0; i < n; i++) {
        unsigned d = hexv[u[i]];
        if (!d)
            return false;
        x = x << 4 | (d - 1);
    }
    *v = x;
    return true;
}

/* The 128 bits of a UUID in any case ("8-4-4-4-12" hex digits), or false
 * when s is not one. In lower case, text order is their numeric order. */
static bool uuid_key(const char *s, unsigned long long k[2])
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned long long hi = 0, lo = 0;
    /* The groups of 8, 4, 4, 4 and 12 digits; a NUL is neither a digit
     * nor a hyphen, so nothing past an early one is read. */
    if (!hex_group(u, 8, &hi) || u[8] != '-' || !hex_group(u + 9, 4, &hi) || u[13] != '-' ||
        !hex_group(u + 14, 4, &hi) || u[18] != '-' || !hex_group(u + 19, 4, &lo) ||
        u[23] != '-' || !hex_group(u + 24, 12, &lo) || u[36])
        return false;
    k[0] = hi;
    k[1] = lo;
    return true;
}

static bool key_less(const unsigned long long a[2], const unsigned long long b[2])
{
    return a[0] < b[0] || (a[0] == b[0] && a[1] < b[1]);
}

/* The entry whose uuid is uuid's very text (already in lower case, as
 * the profile and Xen mostly give it), or -1: by the index. */
static long by_text(const struct managed *m, const char *uuid)
{
    if (!m->slot || strlen(uuid) != 36)
        return -1;
    for (size_t k = (size_t)hash64(HASH64_INIT, uuid, 36) & m->mask; m->slot[k];
         k = (k + 1) & m->mask)
        if (!memcmp(m->v[m->slot[k] - 1].uuid, uuid, 36))
            return (long)(m->slot[k] - 1);
    return -1;
}

/* The entry of uuid (any case), or where it would go. By its text when it
 * is an entry's; by its bits, as long as every entry's is a UUID; by its
 * lower-case text otherwise. */
static size_t position(const struct managed *m, const char *uuid, bool *found)
{
    long t = by_text(m, uuid);
    if (t >= 0) {
        *found = true;
        return (size_t)t;
    }
    size_t lo = 0, hi = m->n;
    unsigned long long k[2];
    if (!m->unkeyed && uuid_key(uuid, k)) {
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (key_less(m->v[mid].key, k))
                lo = mid + 1;
            else
                hi = mid;
        }
        *found = lo < m->n && m->v[lo].key[0] == k[0] && m->v[lo].key[1] == k[1];
        return lo;
    }
    char u[37];
    uuid_lower(uuid, u);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(m->v[mid].uuid, u) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < m->n && !strcmp(m->v[lo].uuid, u);
    return lo;
}

const struct managed_guest *managed_find(const struct managed *m, const char *uuid)
{
    bool found;
    size_t i = position(m, uuid, &found);
    return found ? &m->v[i] : NULL;
}

/* Room for one more entry. */
static void grow(struct managed *m)
{
    if (m->n < m->cap)
        return;
    m->cap = m->cap ? 2 * m->cap : 64;
    m->v = xrealloc(m->v, m->cap * sizeof(*m->v));
}

static void set_entry(struct managed *m, const char *uuid, const char *name,
                      enum managed_state st, const char *host)
{
    bool found;
    size_t i = position(m, uuid, &found);
    if (found) {
        const char *h = m->v[i].host;
        if (m->v[i].state == st && !strcmp(m->v[i].name, name) &&
            (h && host ? !strcmp(h, host) : h == host))
            return; /* the usual case: nothing to write */
        /* name or host may be this entry's own: copied before freed */
        char *n = xstrdup(name), *hs = host ? xstrdup(host) : NULL;
        if (m->v[i].name_owned)
            free(m->v[i].name);
        if (m->v[i].host_owned)
            free(m->v[i].host);
        m->v[i].name = n;
        m->v[i].name_owned = true;
        m->v[i].host = hs;
        m->v[i].host_owned = hs != NULL;
        m->v[i].state = st;
        m->dirty = true;
        return;
    } else {
        grow(m);
        free(m->slot); /* its positions move */
        m->slot = NULL;
        memmove(&m->v[i + 1], &m->v[i], (m->n - i) * sizeof(*m->v));
        m->n++;
        uuid_lower(uuid, m->v[i].uuid);
        if (!uuid_key(m->v[i].uuid, m->v[i].key))
            m->unkeyed = true;
    }
    m->v[i].name = xstrdup(name);
    m->v[i].name_owned = true;
    m->v[i].host = host ? xstrdup(host) : NULL;
    m->v[i].host_owned = host != NULL;
    m->v[i].state = st;
    m->dirty = true;
}

void managed_set(struct managed *m, const char *uuid, const char *name, enum managed_state st)
{
    set_entry(m, uuid, name, st, NULL);
}

void managed_set_moved(struct managed *m, const char *uuid, const char *name, const char *host)
{
    set_entry(m, uuid, name, MG_MOVED, host);
}

/* The index by_text reads. */
static void index_uuids(struct managed *m)
{
    size_t mask = 63;
    while (mask + 1 < 2 * m->n)
        mask = mask * 2 + 1;
    m->slot = xcalloc(mask + 1, sizeof(*m->slot));
    m->mask = mask;
    for (size_t i = 0; i < m->n; i++) {
        size_t k = (size_t)hash64(HASH64_INIT, m->v[i].uuid, 36) & mask;
        while (m->slot[k])
            k = (k + 1) & mask;
        m->slot[k] = i + 1;
    }
}

void managed_free(struct managed *m)
{
    for (size_t i = 0; i < m->n; i++) {
        if (m->v[i].name_owned)
            free(m->v[i].name);
        if (m->v[i].host_owned)
            free(m->v[i].host);
    }
    free(m->v);
    free(m->text);
    free(m->slot);
    *m = (struct managed){ 0 };
}

static char *format(const struct managed *m)
{
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < m->n; i++)
        buf_addf(&b, "%s %s %s%s%s\n", m->v[i].uuid, state_names[m->v[i].state], m->v[i].name,
                 m->v[i].host ? " " : "", m->v[i].host ? m->v[i].host : "");
    return buf_detach(&b);
}

int managed_load(const char *root, struct managed *m, char **err)
{
    *m = (struct managed){ 0 };
    char *path = root_path(root, PATH_MANAGED), *text = NULL;
    int rc = 0;
    if (fs_read_file(path, &text, NULL, err) < 0) {
        if (errno == ENOENT) {
            free(*err);
            *err = NULL;
        } else {
            rc = -1;
        }
        goto out;
    }
    size_t lineno = 0;
    for (char *line = text, *nl; *line; line = nl ? nl + 1 : line + strlen(line)) {
        nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (!*line)
            continue; /* an empty line is no line */
        lineno++;
        char *st = strchr(line, ' ');
        char *name = st ? strchr(st + 1, ' ') : NULL;
        int s = -1;
        if (name) {
            *st = *name = '\0';
            for (int k = 0; k < MG_STATE_COUNT && s < 0; k++)
                if (!strcmp(st + 1, state_names[k]))
                    s = k;
        }
        /* A moved guest's line ends with the host it went to. */
        char *host = s == MG_MOVED ? strchr(name + 1, ' ') : NULL;
        if (host)
            *host++ = '\0';
        unsigned long long key[2];
        /* Written in UUID order: each line follows the last one. */
        if (s < 0 || (s == MG_MOVED && (!host || !check_host_name(host))) ||
            !uuid_key(line, key) || !check_guest_name(name + 1) ||
            (m->n && !key_less(m->v[m->n - 1].key, key))) {
            set_error(err, "%s, line %zu: not \"UUID profile|held|kept|gone NAME\" or \"UUID moved NAME HOST\" "
                      "in UUID order, "
                      "each UUID once", path, lineno);
            managed_free(m);
            rc = -1;
            goto out;
        }
        grow(m);
        struct managed_guest *e = &m->v[m->n++];
        /* A UUID's characters (digits, hex letters, '-') lower with one bit. */
        for (int k = 0; k < 36; k++)
            e->uuid[k] = (char)(line[k] | 0x20);
        e->uuid[36] = '\0';
        e->key[0] = key[0];
        e->key[1] = key[1];
        e->name = name + 1;
        e->name_owned = false;
        e->host = host;
        e->host_owned = false;
        e->state = (enum managed_state)s;
    }
    m->text = text; /* the names are in it */
    text = NULL;
    index_uuids(m);
out:
    free(text);
    free(path);
    return rc;
}

int managed_save(const struct managed *m, const char *root, char **err)
{
    if (!m->dirty)
        return 0;
    char *text = format(m);
    int rc = fs_save_under(root, PATH_MANAGED, text, strlen(text), 0644, err);
    free(text);
    return rc;
}
