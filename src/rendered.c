/* rendered.c: the record of rendered config files (see rendered.h).
 *
 * The file, PATH_RENDERED, is text: a version line, then the lists of
 * questions ("n ID NAMES...", shared by the guests that asked the same),
 * then one line per config file: "f ID DIGEST LENGTH TEXT-DIGEST PATH".
 * Any line not understood makes the whole record empty. */
#include "rendered.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "paths.h"
#include "resources.h"
#include "util.h"

#define VERSION_LINE "lcfg-xen rendered 1"

struct entry {
    char *path;
    const char *names; /* owned by the record's name lists */
    unsigned long long digest, out_hash;
    size_t out_len;
};

struct rendered {
    struct entry *v;
    size_t n, cap;
    struct resset *by_path;  /* path -> "" (position = entry) */
    struct resset *lists;    /* names -> "" (the set owns the strings) */
    bool changed;            /* something was added, not only kept */
    const char *kept_from, *kept_as; /* the last list kept: most are one */
};

struct rendered *rendered_new(void)
{
    struct rendered *r = xcalloc(1, sizeof(*r));
    r->by_path = resset_new();
    r->lists = resset_new();
    return r;
}

void rendered_free(struct rendered *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        free(r->v[i].path);
    free(r->v);
    resset_free(r->by_path);
    resset_free(r->lists);
    free(r);
}

static const char *intern(struct rendered *r, const char *names)
{
    resset_set(r->lists, names, "", NULL);
    return resset_find(r->lists, names)->name;
}

/* names: interned in r already. */
static void put(struct rendered *r, const char *path, const char *names,
                unsigned long long digest, unsigned long long out_hash, size_t out_len)
{
    if (path[0] != '/' || strchr(path, '\n') || resset_set(r->by_path, path, "", NULL))
        return; /* not written back as read, or already there */
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 64;
        r->v = xrealloc(r->v, r->cap * sizeof(*r->v));
    }
    r->v[r->n++] = (struct entry){ xstrdup(path), names, digest, out_hash, out_len };
}

/* strtoull(s, end, base) (base 10 or 16), without its cost for what this
 * file is written with: plain digits that cannot overflow, then a space.
 * Anything else is left to strtoull itself. */
static unsigned long long num(const char *s, char **end, int base)
{
    unsigned long long v = 0;
    const char *p = s;
    for (;; p++) {
        unsigned d;
        if (*p >= '0' && *p <= '9')
            d = (unsigned)(*p - '0');
        else if (base == 16 && *p >= 'a' && *p <= 'f')
            d = (unsigned)(*p - 'a' + 10);
        else if (base == 16 && *p >= 'A' && *p <= 'F')
            d = (unsigned)(*p - 'A' + 10);
        else
            break;
        v = v * (unsigned)base + d;
    }
    size_t n = (size_t)(p - s);
    if (*p != ' ' || n == 0 || n > (base == 16 ? 16 : 19))
        return strtoull(s, end, base);
    *end = (char *)p;
    return v;
}

/* The same for strtoul(s, end, 10). */
static unsigned long num_ul(const char *s, char **end)
{
    unsigned long long v = num(s, end, 10);
    return v <= ULONG_MAX ? (unsigned long)v : strtoul(s, end, 10);
}

/* One "f" line's fields after the "f ": 0, or -1 when malformed. */
static int parse_file_line(struct rendered *r, char *s, const char **lists, size_t nlists)
{
    char *end;
    errno = 0;
    unsigned long id = num_ul(s, &end);
    if (end == s || *end != ' ' || id >= nlists)
        return -1;
    unsigned long long digest = num(end + 1, &s, 16);
    if (*s != ' ')
        return -1;
    unsigned long long len = num(s + 1, &end, 10);
    if (*end != ' ')
        return -1;
    unsigned long long out = num(end + 1, &s, 16);
    if (*s != ' ' || s[1] != '/' || errno)
        return -1;
    put(r, s + 1, lists[id], digest, out, (size_t)len);
    return 0;
}

struct rendered *rendered_load(const char *root)
{
    struct rendered *r = rendered_new();
    char *path = root_path(root, PATH_RENDERED), *text = NULL;
    const char **lists = NULL;
    size_t nlists = 0;
    if (fs_read_file(path, &text, NULL, NULL) < 0)
        goto out;
    char *save = NULL;
    char *line = strtok_r(text, "\n", &save);
    if (!line || strcmp(line, VERSION_LINE))
        goto out;
    bool bad = false;
    while (!bad && (line = strtok_r(NULL, "\n", &save))) {
        if (line[0] == 'n' && line[1] == ' ') {
            char *end;
            unsigned long id = num_ul(line + 2, &end);
            if (id != nlists || *end != ' ') {
                bad = true;
                break;
            }
            lists = xrealloc(lists, (nlists + 1) * sizeof(*lists));
            lists[nlists++] = intern(r, end + 1);
        } else if (line[0] == 'f' && line[1] == ' ') {
            bad = parse_file_line(r, line + 2, lists, nlists) < 0;
        } else if (line[0] != '#') {
            bad = true;
        }
    }
    if (bad) {
        rendered_free(r);
        r = rendered_new();
    }
out:
    free(lists);
    free(text);
    free(path);
    return r;
}

/* Does the regular file at path hold exactly len bytes with this digest?
 * One read of len + 1 bytes tells: a file with more gives more, and
 * anything unexpected (a short read, an error) only says no, so that the
 * file is rendered again. */
static bool holds(const char *path, size_t len, unsigned long long hash)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return false;
    char *text = xmalloc(len + 1);
    ssize_t n;
    while ((n = read(fd, text, len + 1)) < 0 && errno == EINTR)
        ;
    close(fd);
    bool ok = n == (ssize_t)len && hash64(HASH64_INIT, text, len) == hash;
    free(text);
    return ok;
}

bool rendered_current(const struct rendered *r, const struct host *h, const struct guest *g,
                      const char *path, const char *root, struct render_cache *rc)
{
    long i = resset_index(r->by_path, path);
    if (i < 0)
        return false;
    const struct entry *e = &r->v[i];
    unsigned long long d;
    if (render_replay(h, g, root, rc, e->names, &d) < 0 || d != e->digest)
        return false;
    char *rpath = root_path(root, path);
    struct stat st;
    bool ok = lstat(rpath, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0600 &&
              (size_t)st.st_size == e->out_len && holds(rpath, e->out_len, e->out_hash);
    free(rpath);
    return ok;
}

void rendered_add(struct rendered *r, const char *path, const struct render_trace *t)
{
    if (t->usable && t->names) {
        put(r, path, intern(r, t->names), t->digest, t->out_hash, t->out_len);
        r->changed = true;
    }
}

void rendered_keep(struct rendered *r, const struct rendered *from, const char *path)
{
    long i = resset_index(from->by_path, path);
    if (i >= 0) {
        const struct entry *e = &from->v[i];
        if (e->names != r->kept_from) {
            r->kept_from = e->names;
            r->kept_as = intern(r, e->names);
        }
        put(r, path, r->kept_as, e->digest, e->out_hash, e->out_len);
    }
}

static void add_dec(struct buf *b, unsigned long long v)
{
    char d[24];
    int n = 0;
    do
        d[n++] = (char)('0' + v % 10);
    while ((v /= 10));
    while (n)
        buf_addc(b, d[--n]);
}

static void add_hex(struct buf *b, unsigned long long v)
{
    for (int s = 60; s >= 0; s -= 4)
        buf_addc(b, "0123456789abcdef"[(v >> s) & 15]);
}

int rendered_save(const struct rendered *r, const struct rendered *was, const char *root,
                  char **err)
{
    /* Only kept, and all of it: it says what the saved one says. */
    if (!r->changed && r->n == was->n)
        return 0;
    struct buf b = BUF_INIT;
    buf_adds(&b, VERSION_LINE "\n# The guest config files as the LCFG xen component last rendered "
                 "them: a cache (removing it costs one slower configure).\n");
    char num[64];
    for (size_t i = 0; i < resset_count(r->lists); i++) {
        snprintf(num, sizeof(num), "n %zu ", i);
        buf_adds(&b, num);
        buf_adds(&b, resset_at(r->lists, i)->name);
        buf_addc(&b, '\n');
    }
    /* A line per guest: numbers by hand, as printf costs more than the
     * rest of saving. */
    for (size_t i = 0; i < r->n; i++) {
        const struct entry *e = &r->v[i];
        buf_adds(&b, "f ");
        add_dec(&b, (unsigned long long)resset_index(r->lists, e->names));
        buf_addc(&b, ' ');
        add_hex(&b, e->digest);
        buf_addc(&b, ' ');
        add_dec(&b, e->out_len);
        buf_addc(&b, ' ');
        add_hex(&b, e->out_hash);
        buf_addc(&b, ' ');
        buf_adds(&b, e->path);
        buf_addc(&b, '\n');
    }
    /* A cache, checked against the files at every use (rendered.h): a
     * crash that loses it only costs renders, so it is not fsync'd. */
    int rc = fs_save_under_ex(root, PATH_RENDERED, b.data, b.len, 0644,
                              FS_NO_SYNC | FS_KNOWN_CHANGED, err);
    buf_free(&b);
    return rc;
}
