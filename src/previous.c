/* previous.c: the saved configuration against the current one, block by
 * block (see previous.h).
 *
 * The status text is written from the model's resource set, whose order
 * is fixed: ngeneric's own resources, then every host resource in schema
 * order (virtualmachines last), then one block per guest, in list order,
 * of every guest resource in schema order followed by its list items'
 * resources (disks_<tag>, nics_<tag>: each item's, in list order). Each resource is a record: its
 * value line, then its type and derivation lines, if any. Both texts are
 * checked against that layout record by record; whatever does not fit it
 * is PREV_FULL, so a text written by another schema or by lcfg-core (which
 * sorts by name), or edited by hand, is read as before. */
#include "previous.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define PREFIX "xen."

/* Record i of a text is [at[i], at[i + 1]); at[n] is the text's end. */
struct lines {
    const char **at;
    size_t n;
};

static struct lines split(const char *text)
{
    size_t cap = 1024, n = 0;
    const char **at = xmalloc(cap * sizeof(*at));
    const char *p = text;
    while (*p) {
        if (n + 2 > cap) {
            cap *= 2;
            at = xrealloc(at, cap * sizeof(*at));
        }
        at[n++] = p;
        do { /* the value line, then the lines that describe it */
            const char *nl = strchr(p, '\n');
            p = nl ? nl + 1 : p + strlen(p);
        } while (*p == '%' || *p == '#' || *p == '^');
    }
    at[n] = p;
    return (struct lines){ at, n };
}

static size_t len_of(const struct lines *l, size_t from, size_t to)
{
    return (size_t)(l->at[to] - l->at[from]);
}

static bool same_range(const struct lines *a, size_t af, size_t at, const struct lines *b,
                       size_t bf, size_t bt)
{
    size_t n = len_of(a, af, at);
    return n == len_of(b, bf, bt) && !memcmp(a->at[af], b->at[bf], n);
}

/* Does record i say "xen.<name>[_<tag>]=..."? */
static bool names(const struct lines *l, size_t i, const char *name, const char *tag, size_t tlen)
{
    const char *p = l->at[i], *end = l->at[i + 1];
    size_t pn = strlen(PREFIX), nn = strlen(name);
    if ((size_t)(end - p) < pn + nn + (tag ? tlen + 1 : 0) + 1)
        return false;
    if (memcmp(p, PREFIX, pn) || memcmp(p + pn, name, nn))
        return false;
    p += pn + nn;
    if (tag) {
        if (*p != '_' || memcmp(p + 1, tag, tlen))
            return false;
        p += tlen + 1;
    }
    return *p == '=';
}

static size_t count_ng(const struct lines *l)
{
    size_t i = 0;
    while (i < l->n && !strncmp(l->at[i], PREFIX "ng_", strlen(PREFIX "ng_")))
        i++;
    return i;
}

/* The records of a guest's block: its fields, then its list items' (each
 * item's fields of its list, in list order). */
static size_t cur_block_len(const struct guest *g)
{
    size_t n = GF_COUNT;
    for (int sl = 0; sl < SL_COUNT; sl++)
        n += g->nitems[sl] * (size_t)schema_sublist[sl].count;
    return n;
}

/* The value of record i, which names "xen.<name>_<tag>=", up to its line's
 * end, in [*v, *vend); false when it needs decoding. */
static bool plain_value(const struct lines *l, size_t i, const char *name, size_t tl,
                        const char **v, const char **vend)
{
    const char *p = l->at[i] + strlen(PREFIX) + strlen(name) + 1 + tl + 1, *end = l->at[i + 1];
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    *v = p;
    *vend = nl ? nl : end;
    return !memchr(p, '&', (size_t)(*vend - p));
}

/* A saved guest block at b0, of the guest tagged t (tl bytes), laid out as
 * the model writes it: its fields by name, then each list's items' fields
 * named NAME_<tag>_<item>. Its number of records, or 0 when it is not. */
static size_t old_block_len(const struct lines *o, size_t b0, const char *t, size_t tl)
{
    if (o->n < b0 + GF_COUNT)
        return 0;
    for (size_t f = 0; f < GF_COUNT; f++)
        if (!names(o, b0 + f, schema_guest[f].name, t, tl))
            return 0;
    size_t n = GF_COUNT;
    struct buf tag = BUF_INIT;
    for (int sl = 0; sl < SL_COUNT; sl++) {
        const char *v, *vend;
        int field = schema_sublist[sl].field;
        if (!plain_value(o, b0 + (size_t)field, schema_guest[field].name, tl, &v, &vend))
            goto bad;
        for (const char *w = v; w < vend;) {
            while (w < vend && (*w == ' ' || *w == '\t' || *w == '\r'))
                w++;
            if (w == vend)
                break;
            const char *we = w;
            while (we < vend && *we != ' ' && *we != '\t' && *we != '\r')
                we++;
            tag.len = 0;
            buf_add(&tag, t, tl);
            buf_addc(&tag, '_');
            buf_add(&tag, w, (size_t)(we - w));
            for (int f = 0; f < schema_sublist[sl].count; f++, n++)
                if (b0 + n >= o->n ||
                    !names(o, b0 + n, schema_item[schema_sublist[sl].first + f].name,
                           buf_str(&tag), tag.len))
                    goto bad;
            w = we;
        }
    }
    buf_free(&tag);
    return n;
bad:
    buf_free(&tag);
    return 0;
}

/* Append records [from, to) to b, each line ending in a newline. */
static void add_lines(struct buf *b, const struct lines *l, size_t from, size_t to)
{
    size_t n = len_of(l, from, to);
    buf_add(b, l->at[from], n);
    if (n && l->at[to][-1] != '\n')
        buf_addc(b, '\n');
}

enum prev_kind previous_compare(const struct host *cur, const char *cur_text, const char *old,
                                char **part)
{
    *part = NULL;
    if (!strcmp(cur_text, old))
        return PREV_SAME;
    enum prev_kind kind = PREV_FULL;
    struct lines c = split(cur_text), o = split(old);
    struct resset *seen = resset_new();
    struct buf tags = BUF_INIT, blocks = BUF_INIT;
    size_t ng = count_ng(&c), H = ng + HF_COUNT, vm = ng + HF_virtualmachines;
    /* Where each current guest's block starts. */
    size_t *cb = xmalloc((cur->nguests + 1) * sizeof(*cb));
    cb[0] = H;
    for (size_t i = 0; i < cur->nguests; i++)
        cb[i + 1] = cb[i] + cur_block_len(&cur->guests[i]);
    if (c.n != cb[cur->nguests] || count_ng(&o) != ng || o.n < H)
        goto out;
    /* ngeneric's and the host's resources: all the same, but the list. */
    for (size_t i = 0; i < H; i++)
        if (i == vm ? !names(&o, i, SCHEMA_LIST, NULL, 0) : !same_range(&c, i, i + 1, &o, i, i + 1))
            goto out;

    /* The saved list, as the model writes it (tags need no decoding), and
     * the lines that describe it. */
    const char *v = o.at[vm] + strlen(PREFIX SCHEMA_LIST "="), *rend = o.at[vm + 1];
    const char *vend = memchr(v, '\n', (size_t)(rend - v));
    vend = vend ? vend : rend;
    if (memchr(v, '&', (size_t)(vend - v)))
        goto out;
    size_t b0 = H;
    for (const char *t = v; t < vend;) {
        while (t < vend && (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r'))
            t++;
        if (t == vend)
            break;
        const char *te = t;
        while (te < vend && *te != ' ' && *te != '\t' && *te != '\n' && *te != '\r')
            te++;
        size_t tl = (size_t)(te - t);
        char *tag = xstrndup(t, tl);
        bool twice = resset_set(seen, tag, "", NULL);
        const struct guest *g = twice ? NULL : host_find_guest(cur, tag);
        if (twice) {
            free(tag);
            goto out;
        }
        size_t i = g ? (size_t)(g - cur->guests) : 0;
        /* A block the same as the current guest's is laid out right (its
         * item lists too, so it is as long); another is checked record by
         * record, and read back. */
        size_t len = g ? cb[i + 1] - cb[i] : 0;
        if (!g || b0 + len > o.n || !same_range(&c, cb[i], cb[i + 1], &o, b0, b0 + len)) {
            len = old_block_len(&o, b0, t, tl);
            if (!len) {
                free(tag);
                goto out;
            }
            if (tags.len)
                buf_addc(&tags, ' ');
            buf_adds(&tags, tag);
            add_lines(&blocks, &o, b0, b0 + len);
        }
        free(tag);
        t = te;
        b0 += len;
    }
    if (o.n != b0)
        goto out;
    if (!blocks.len) {
        kind = PREV_SAME;
        goto out;
    }
    struct buf p = BUF_INIT;
    add_lines(&p, &o, 0, vm);
    buf_adds(&p, PREFIX SCHEMA_LIST "=");
    buf_adds(&p, buf_str(&tags));
    buf_addc(&p, '\n');
    if (vend < rend)
        buf_add(&p, vend + 1, (size_t)(rend - vend - 1));
    if (p.len && p.data[p.len - 1] != '\n')
        buf_addc(&p, '\n');
    add_lines(&p, &o, vm + 1, H);
    buf_add(&p, blocks.data, blocks.len);
    *part = buf_detach(&p);
    kind = PREV_PART;
out:
    free(cb);
    buf_free(&tags);
    buf_free(&blocks);
    resset_free(seen);
    free(c.at);
    free(o.at);
    return kind;
}
