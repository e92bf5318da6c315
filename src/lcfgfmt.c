/* lcfgfmt.c: lcfg-core's status-file text forms (see lcfgfmt.h). Each
 * function follows the lcfg-core function it names, quirks included, so
 * that a file means to the component what it means to LCFG. */
#include "lcfgfmt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "htmlent.h"

/* Character classes in the C locale, as lcfg-core (which never sets a
 * locale) sees them. */
static bool is_alpha(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_word(char c)
{
    return is_alpha(c) || is_digit(c) || c == '_';
}

static bool is_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* ------------------------------------------------------------- values */

/* cp as UTF-8 (lcfg-core's putc_utf8: surrogates too, as three bytes). */
static void add_utf8(struct buf *b, unsigned long cp)
{
    if (cp <= 0x7F) {
        buf_addc(b, (char)cp);
    } else if (cp <= 0x7FF) {
        buf_addc(b, (char)(0xC0 | (cp >> 6)));
        buf_addc(b, (char)(0x80 | (cp & 0x3F)));
    } else if (cp <= 0xFFFF) {
        buf_addc(b, (char)(0xE0 | (cp >> 12)));
        buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        buf_addc(b, (char)(0x80 | (cp & 0x3F)));
    } else {
        buf_addc(b, (char)(0xF0 | (cp >> 18)));
        buf_addc(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
        buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        buf_addc(b, (char)(0x80 | (cp & 0x3F)));
    }
}

/* The reference at s ('&'): its code point, with *next after its ';'; -1
 * when it is none. The ';' is the first one after the '&', wherever it is;
 * a numeric one is read with strtoul (leading blanks, a sign and, in hex,
 * "0x" are taken, as lcfg-core takes them). */
static long reference(const char *s, const char **next)
{
    const char *end = strchr(s, ';');
    if (!end)
        return -1;
    *next = end + 1;
    if (s[1] != '#')
        return html_entity(s + 1, (size_t)(end - s - 1));
    bool hex = s[2] == 'x' || s[2] == 'X';
    char *tail;
    int saved = errno;
    errno = 0;
    unsigned long cp = strtoul(s + (hex ? 3 : 2), &tail, hex ? 16 : 10);
    bool bad = errno || tail != end || cp > 0x10FFFF;
    errno = saved;
    return bad ? -1 : (long)cp;
}

char *lcfg_decode_value(const char *s)
{
    struct buf b = BUF_INIT;
    buf_add(&b, "", 0);
    const char *amp;
    while ((amp = strchr(s, '&'))) {
        buf_add(&b, s, (size_t)(amp - s));
        const char *next;
        long cp = reference(amp, &next);
        if (cp < 0) {
            buf_addc(&b, '&');
            s = amp + 1;
            continue;
        }
        if (cp == 0) /* lcfg-core writes a NUL: its value ends here */
            return buf_detach(&b);
        add_utf8(&b, (unsigned long)cp);
        s = next;
    }
    buf_adds(&b, s);
    return buf_detach(&b);
}

/* -------------------------------------------------------------- types */

bool lcfg_valid_integer(const char *v)
{
    if (*v == '-')
        v++;
    if (!*v || (*v == '0' && v[1]))
        return false;
    for (; *v; v++)
        if (!is_digit(*v))
            return false;
    return true;
}

bool lcfg_valid_boolean(const char *v)
{
    return !*v || !strcmp(v, "yes");
}

bool lcfg_valid_list(const char *v)
{
    for (; *v; v++)
        if (!is_word(*v) && *v != ' ')
            return false;
    return true;
}

bool lcfg_valid_value(enum lcfg_type t, const char *v)
{
    switch (t) {
    case LCFG_TYPE_INTEGER:
        return lcfg_valid_integer(v);
    case LCFG_TYPE_BOOLEAN:
        return lcfg_valid_boolean(v);
    case LCFG_TYPE_LIST:
        return lcfg_valid_list(v);
    default:
        return true;
    }
}

/* lcfg-core's type names, in enum lcfg_type's order; a declaration names
 * one by its first letters only ("integers" is an integer). */
static const char *const type_names[] = { "string", "integer", "boolean",
                                          "list",   "publish", "subscribe" };

enum lcfg_type lcfg_type_kind(const char *canon)
{
    /* Canonical names differ by their first letters. */
    switch (canon[0]) {
    case 'i':
        return LCFG_TYPE_INTEGER;
    case 'b':
        return LCFG_TYPE_BOOLEAN;
    case 'l':
        return LCFG_TYPE_LIST;
    case 'p':
        return LCFG_TYPE_PUBLISH;
    case 's':
        return canon[1] == 'u' ? LCFG_TYPE_SUBSCRIBE : LCFG_TYPE_STRING;
    default:
        return LCFG_TYPE_STRING;
    }
}

/* lcfgresource_valid_template, and the "_$" lcfgtemplate_set_tmpl needs:
 * a letter, then letters, digits, '_' and one to five '$'. */
static bool valid_template(const char *t, size_t n)
{
    if (!n || !is_alpha(t[0]))
        return false;
    int dollars = 0;
    bool split = false;
    for (size_t i = 1; i < n; i++) {
        if (t[i] == '$') {
            dollars++;
            split = split || t[i - 1] == '_';
        } else if (!is_word(t[i])) {
            return false;
        }
    }
    return dollars >= 1 && dollars <= 5 && split;
}

char *lcfg_type_canon(const char *decl, char **why)
{
    const char *t = decl;
    while (is_space(*t))
        t++;
    if (!*t)
        return xstrdup("");
    if (*t == '%')
        t++;
    int kind = -1;
    for (size_t k = 0; k < ARRAY_SIZE(type_names) && kind < 0; k++)
        if (str_starts_with(t, type_names[k]))
            kind = (int)k;
    if (kind < 0) {
        set_error(why, "invalid resource type '%s'", t);
        return NULL;
    }
    struct buf b = BUF_INIT;
    buf_adds(&b, type_names[kind]);
    /* A comment: from the first '(' to the next ')'; templates follow it. */
    const char *after = t, *open = strchr(t, '(');
    const char *close = open ? strchr(open, ')') : NULL;
    if (close) {
        after = close + 1;
        if (close - open > 1) {
            buf_addc(&b, '(');
            buf_add(&b, open + 1, (size_t)(close - open - 1));
            buf_addc(&b, ')');
        }
    }
    if (kind == LCFG_TYPE_LIST) {
        buf_adds(&b, ": ");
        const char *tm = strstr(after, ": ");
        bool first = true;
        for (const char *p = tm ? tm + 2 : ""; *p;) {
            if (strchr(" \n\r\t", *p)) {
                p++;
                continue;
            }
            size_t n = strcspn(p, " \n\r\t");
            if (!valid_template(p, n)) {
                set_error(why, "bad resource template '%.*s'", (int)n, p);
                buf_free(&b);
                return NULL;
            }
            if (!first)
                buf_addc(&b, ' ');
            buf_add(&b, p, n);
            first = false;
            p += n;
        }
    } else if (kind == LCFG_TYPE_STRING && b.len == strlen("string")) {
        b.len = 0;
        b.data[0] = '\0';
    }
    return buf_detach(&b);
}

/* -------------------------------------------------------- derivations */

struct deriv_file {
    const char *name;
    unsigned *lines;
    size_t n, cap;
};

static int uint_cmp(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    return x < y ? -1 : x > y;
}

/* One "file[:lines]" entry (NUL-terminated, in place) merged into files. */
static bool deriv_entry(char *tok, struct deriv_file **files, size_t *nf, size_t *cap)
{
    char *sep = strrchr(tok, ':');
    char *lines = NULL;
    if (sep) {
        *sep = '\0';
        lines = sep + 1;
    }
    if (!*tok)
        return false;
    struct deriv_file *f = NULL;
    for (size_t i = 0; i < *nf && !f; i++)
        if (!strcmp((*files)[i].name, tok))
            f = &(*files)[i];
    if (!f) {
        if (*nf == *cap) {
            *cap = *cap ? 2 * *cap : 4;
            *files = xrealloc(*files, *cap * sizeof(**files));
        }
        f = &(*files)[(*nf)++];
        *f = (struct deriv_file){ tok, NULL, 0, 0 };
    }
    for (const char *p = lines; p && *p;) {
        if (*p == ',') {
            p++;
            continue;
        }
        char *end;
        /* lcfg-core reads line numbers as strtoul(..., 0) into an
         * unsigned int: "0x1f" and "010" are numbers too. */
        unsigned line = (unsigned)strtoul(p, &end, 0);
        if (end == p)
            return false;
        p = end;
        bool have = false;
        for (size_t i = 0; i < f->n && !have; i++)
            have = f->lines[i] == line;
        if (have)
            continue;
        if (f->n == f->cap) {
            f->cap = f->cap ? 2 * f->cap : 4;
            f->lines = xrealloc(f->lines, f->cap * sizeof(*f->lines));
        }
        f->lines[f->n++] = line;
    }
    return true;
}

/* "file:N" (no blank or ':' in file, N without a leading zero, at most
 * nine digits): already as lcfg-core writes it. Most derivations are. */
static bool deriv_simple(const char *d)
{
    const char *colon = NULL, *p;
    for (p = d; *p; p++) {
        if (is_space(*p) || (*p == ':' && colon))
            return false;
        if (*p == ':')
            colon = p;
    }
    size_t digits = colon ? (size_t)(p - colon - 1) : 0;
    if (!colon || colon == d || !digits || digits > 9 || (colon[1] == '0' && digits > 1))
        return false;
    for (p = colon + 1; *p; p++)
        if (!is_digit(*p))
            return false;
    return true;
}

bool lcfg_deriv_canon(const char *d, struct buf *out)
{
    if (deriv_simple(d)) {
        buf_adds(out, d);
        return true;
    }
    size_t mark = out->len;
    buf_add(out, "", 0);
    char *copy = xstrdup(d);
    struct deriv_file *files = NULL;
    size_t nf = 0, cap = 0;
    bool ok = true;
    for (char *save = NULL, *tok = strtok_r(copy, " \n\r\t", &save); tok && ok;
         tok = strtok_r(NULL, " \n\r\t", &save))
        ok = deriv_entry(tok, &files, &nf, &cap);
    ok = ok && nf > 0;
    for (size_t i = 0; i < nf; i++) {
        struct deriv_file *f = &files[i];
        if (ok) {
            if (i)
                buf_addc(out, ' ');
            buf_adds(out, f->name);
            if (f->n)
                qsort(f->lines, f->n, sizeof(*f->lines), uint_cmp);
            for (size_t k = 0; k < f->n; k++) {
                char num[U64_TEXT_MAX];
                buf_addc(out, k ? ',' : ':');
                buf_add(out, num, u64_text(num, f->lines[k]));
            }
        }
        free(f->lines);
    }
    free(files);
    free(copy);
    if (!ok) {
        out->len = mark;
        out->data[mark] = '\0';
    }
    return ok;
}

bool lcfg_deriv_write(const char *d, struct buf *out)
{
    if (deriv_simple(d)) {
        buf_adds(out, d);
        return true;
    }
    size_t at = out->len;
    if (!lcfg_deriv_canon(d, out))
        return false;
    struct buf again = BUF_INIT;
    bool same = lcfg_deriv_canon(out->data + at, &again) && !strcmp(buf_str(&again), out->data + at);
    buf_free(&again);
    if (!same) {
        out->len = at;
        out->data[at] = '\0';
    }
    return same;
}
