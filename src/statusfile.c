/* statusfile.c: LCFG status files, read as lcfg-core's
 * lcfgcomponent_from_status_file reads them (with LCFG_OPT_USE_META, so
 * that derivations are kept) and written as lcfgresource_to_status writes
 * each resource (resources/components/component.c, resources/resource.c
 * in lcfg-core 1.54.7). */
#include "profile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lcfgfmt.h"
#include "util.h"

#define COMP "xen"

/* ---------------------------------------------------------------- read */

static bool is_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static const char *type_word(enum lcfg_type t)
{
    static const char *const w[] = { "string", "integer", "boolean", "list", "publish",
                                     "subscribe" };
    return w[t];
}

/* A status file being read: the resources that have a value so far (rs,
 * with their types and derivations), and what type and derivation lines
 * said of resources that have no value line yet (meta, value unused;
 * lcfg-core keeps such a resource without a value, so it is not used). */
struct status_read {
    const char *name;
    int lineno;
    struct resset *rs, *meta;
    struct buf scratch;
    char **err;
};

static int line_error(struct status_read *s, const char *fmt, ...) ATTR_PRINTF(2, 3);
static int line_error(struct status_read *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = xvasprintf(fmt, ap);
    va_end(ap);
    set_error(s->err, "resources %s:%d: %s", s->name, s->lineno, m);
    free(m);
    return -1;
}

/* The resource's entry in meta, made when there is none. */
static void meta_entry(struct status_read *s, const char *res)
{
    if (!resset_find(s->meta, res))
        resset_set(s->meta, res, "", NULL);
}

static int type_line(struct status_read *s, const char *res, const char *value)
{
    char *why = NULL;
    char *type = lcfg_type_canon(value, &why);
    if (!type) {
        line_error(s, "resource %s: %s", res, why);
        free(why);
        return -1;
    }
    const struct resource *r = resset_find(s->rs, res);
    enum lcfg_type kind = lcfg_type_kind(type);
    int rc = 0;
    if (r && !lcfg_valid_value(kind, r->value)) {
        rc = line_error(s, "resource %s: its value '%s' is not a valid %s", res, r->value,
                        type_word(kind));
    } else if (r) {
        resset_set_type(s->rs, res, type);
    } else {
        meta_entry(s, res);
        resset_set_type(s->meta, res, type);
    }
    free(type);
    return rc;
}

static int derivation_line(struct status_read *s, const char *res, const char *value)
{
    struct buf *d = &s->scratch;
    d->len = 0;
    buf_add(d, "", 0);
    if (*value && !lcfg_deriv_canon(value, d))
        return line_error(s, "resource %s: '%s' is not a valid derivation", res, value);
    const struct resource *r = resset_find(s->rs, res);
    if (r) {
        resset_set(s->rs, res, r->value, buf_str(d)); /* keeps its value and type */
    } else {
        meta_entry(s, res);
        resset_set(s->meta, res, "", buf_str(d));
    }
    return 0;
}

static int value_line(struct status_read *s, const char *res, const char *value)
{
    char *decoded = strchr(value, '&') ? lcfg_decode_value(value) : NULL;
    const char *v = decoded ? decoded : value;
    const struct resource *r = resset_find(s->rs, res);
    const struct resource *m = !r && resset_count(s->meta) ? resset_find(s->meta, res) : NULL;
    const char *type = r ? r->type : m ? m->type : "";
    int rc = 0;
    if (*type && !lcfg_valid_value(lcfg_type_kind(type), v)) {
        rc = line_error(s, "resource %s: '%s' is not a valid %s", res, v,
                        type_word(lcfg_type_kind(type)));
    } else if (r) { /* a repeated line replaces the value, as in lcfg-core */
        resset_set(s->rs, res, v, r->derivation);
    } else {
        resset_set(s->rs, res, v, m ? m->derivation : NULL);
        if (m && *m->type)
            resset_set_type(s->rs, res, m->type);
    }
    free(decoded);
    return rc;
}

/* One line (its end of line gone): "[SYM][[HOST.]COMP.]RES=VALUE", SYM
 * one of '#' (derivation), '%' (type) and '^' (priority). */
static int status_line(struct status_read *s, char *line)
{
    char *spec = line;
    while (is_space(*spec))
        spec++;
    if (!*spec)
        return line_error(s, "an empty line (lcfg-core refuses it)");
    char *eq = strchr(spec, '=');
    if (!eq || eq == spec)
        return line_error(s, "expected '%s.resource=value', got '%s'", COMP, line);
    *eq = '\0';
    const char *value = eq + 1;
    char sym = 0;
    if (*spec == '#' || *spec == '%' || *spec == '^')
        sym = *spec++;
    /* The resource is after the last '.', its component before it, and
     * anything before that (a host name) is ignored, as lcfg-core does;
     * without a '.' the line is the component's. */
    const char *res = spec, *comp = NULL;
    char *dot = strrchr(spec, '.');
    bool bad_key = false;
    if (dot) {
        *dot = '\0';
        res = dot + 1;
        char *d2 = strrchr(spec, '.');
        comp = d2 ? d2 + 1 : spec;
        bad_key = !*res || (d2 && !d2[1]);
    }
    if (bad_key) {
        *eq = '=';
        *dot = '.';
        return line_error(s, "expected '%s.resource=value', got '%s'", COMP, line);
    }
    if (!lcfg_valid_name(res))
        return line_error(s, "'%s' is not a valid resource name", res);
    if (comp && strcmp(comp, COMP)) {
        *eq = '=';
        *dot = '.';
        return line_error(s, "expected '%s.resource=value', got '%s'", COMP, line);
    }
    switch (sym) {
    case '%':
        return type_line(s, res, value);
    case '#':
        return derivation_line(s, res, value);
    case '^':
        if (*value && !lcfg_valid_integer(value))
            return line_error(s, "resource %s: priority '%s' is not an integer", res, value);
        return 0;
    default:
        return value_line(s, res, value);
    }
}

int profile_parse_status(const char *text, const char *name, struct resset *rs, char **err)
{
    struct status_read s = { name, 0, resset_new(), resset_new(), BUF_INIT, err };
    char *copy = xstrdup(text); /* split into lines in place */
    int rc = 0;
    for (char *p = copy; *p && rc == 0;) {
        char *line = p, *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        p += len + (nl ? 1 : 0);
        line[len] = '\0';
        s.lineno++;
        /* lcfg-core's chomp: every CR at the end, but never the first byte. */
        while (len > 1 && line[len - 1] == '\r')
            line[--len] = '\0';
        rc = status_line(&s, line);
    }
    /* Nothing is added to rs unless the whole text reads. */
    if (rc == 0 && resset_count(rs) == 0) {
        resset_swap(rs, s.rs);
    } else if (rc == 0) {
        for (size_t i = 0; i < resset_count(s.rs); i++) {
            const struct resource *r = resset_at(s.rs, i);
            resset_set(rs, r->name, r->value, r->derivation);
            resset_set_type(rs, r->name, r->type);
        }
    }
    free(copy);
    buf_free(&s.scratch);
    resset_free(s.rs);
    resset_free(s.meta);
    return rc;
}

int profile_read_status(const char *path, struct resset *rs, char **err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        set_error(err, "resources %s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    struct buf b = BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_add(&b, chunk, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        set_error(err, "resources %s: read error", path);
        buf_free(&b);
        return -1;
    }
    /* lcfg-core would read a line only up to a NUL byte and go on with the
     * next: what follows the NUL would be there unseen. */
    if (memchr(buf_str(&b), '\0', b.len)) {
        set_error(err, "resources %s: contains a NUL byte", path);
        buf_free(&b);
        return -1;
    }
    int rc = profile_parse_status(buf_str(&b), path, rs, err);
    buf_free(&b);
    return rc;
}

/* --------------------------------------------------------------- write */

/* "SYMxen.NAME[_TAG]=" at p; returns the end. */
static inline char *put_key(char *p, char sym, const char *name, size_t nl, const char *tag,
                            size_t tl)
{
    if (sym)
        *p++ = sym;
    memcpy(p, COMP ".", strlen(COMP "."));
    p += strlen(COMP ".");
    memcpy(p, name, nl);
    p += nl;
    if (tag) {
        *p++ = '_';
        memcpy(p, tag, tl);
        p += tl;
    }
    *p++ = '=';
    return p;
}

/* The longest key: "SYMxen.NAME_TAG=". */
#define KEY_MAX(nl, tl) (strlen(COMP ".") + (nl) + (tl) + 3)

/* The type line of a value, when there is one (put_value). */
static char *put_type(char *p, const char *name, size_t nl, const char *tag, size_t tl,
                      const char *value, const char *type)
{
    if (!lcfg_valid_value(lcfg_type_kind(type), value))
        return p;
    p = put_key(p, '%', name, nl, tag, tl);
    size_t yl = strlen(type);
    memcpy(p, type, yl);
    p += yl;
    *p++ = '\n';
    return p;
}

/* The value line, and the type line when there is one, at p (room for
 * both reserved by the caller); returns the end. Inline: run for every
 * resource of every guest. */
static inline __attribute__((always_inline)) char *put_value(char *p, const char *name, size_t nl,
                                                             const char *tag, size_t tl,
                                                             const char *value, const char *type)
{
    p = put_key(p, 0, name, nl, tag, tl);
    p = lcfg_encode_value(p, value);
    *p++ = '\n';
    /* lcfg-core writes nothing for a resource without a value: the line
     * alone keeps it empty here (the schema's default is for resources not
     * given at all), and reads the same in lcfg-core. A type is written
     * only with a value it accepts, so that lcfg-core can read the file. */
    if (*type && *value)
        p = put_type(p, name, nl, tag, tl, value, type);
    return p;
}

/* The derivation line, when the value is not empty and lcfg-core can read
 * the derivation back (lcfg_deriv_write); else nothing. */
static void add_deriv(struct buf *b, const char *name, size_t nl, const char *tag, size_t tl,
                      const char *value, const char *deriv)
{
    if (!*value || !deriv || !*deriv)
        return;
    size_t mark = b->len;
    buf_reserve(b, KEY_MAX(nl, tl));
    b->len = (size_t)(put_key(b->data + b->len, '#', name, nl, tag, tl) - b->data);
    if (lcfg_deriv_write(deriv, b)) {
        buf_addc(b, '\n');
    } else {
        b->len = mark;
        b->data[mark] = '\0';
    }
}

void profile_status_add(struct buf *b, const char *name, size_t nl, const char *tag, size_t tl,
                        const char *value, const char *type, const char *deriv)
{
    if (!tag)
        tl = 0;
    buf_reserve(b, 2 * (KEY_MAX(nl, tl) + 1) + LCFG_ENC_MAX * strlen(value) + strlen(type));
    char *p = put_value(b->data + b->len, name, nl, tag, tl, value, type);
    *p = '\0';
    b->len = (size_t)(p - b->data);
    add_deriv(b, name, nl, tag, tl, value, deriv);
}

void profile_status_add_fields(struct buf *b, const char *const *names, const size_t *nl,
                               const char *const *types, size_t n, const char *tag,
                               const char *const *values, const char *const *derivs)
{
    size_t tl = strlen(tag), need = 0;
    for (size_t i = 0; i < n; i++)
        need += 2 * (KEY_MAX(nl[i], tl) + 1) + LCFG_ENC_MAX * strlen(values[i]) +
                (*types[i] ? strlen(types[i]) : 0); /* most fields are strings */
    buf_reserve(b, need);
    char *p = b->data + b->len;
    for (size_t i = 0; i < n; i++) {
        p = put_value(p, names[i], nl[i], tag, tl, values[i], types[i]);
        if (derivs && *derivs[i] && *values[i]) { /* needs the buffer as it is */
            *p = '\0';
            b->len = (size_t)(p - b->data);
            add_deriv(b, names[i], nl[i], tag, tl, values[i], derivs[i]);
            /* Room for the rest, as reserved above. */
            buf_reserve(b, need);
            p = b->data + b->len;
        }
    }
    *p = '\0';
    b->len = (size_t)(p - b->data);
}

char *profile_format_status(const struct resset *rs)
{
    struct buf b = BUF_INIT;
    buf_add(&b, "", 0);
    for (size_t i = 0; i < resset_count(rs); i++) {
        const struct resource *r = resset_at(rs, i);
        profile_status_add(&b, r->name, strlen(r->name), NULL, 0, r->value, r->type,
                           r->derivation);
    }
    return buf_detach(&b);
}
