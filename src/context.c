/* context.c: LCFG contexts: the active-contexts file and cfg:context
 * expressions. The rules are lcfg-core's (common/context/): the file
 * format of lcfgctxlist_from_file and lcfgcontext_from_string, the tokens
 * of lexer.l, the grammar of parser.y (one precedence for the three
 * binary operators, left to right) and the priorities of
 * lcfgctxlist_simple_query. Checked against lcfg-core's own evaluation
 * (tests/scenario/15-sources.sh, oracle case). */
#include "context.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fsutil.h"
#include "util.h"

struct context {
    char *name;
    char *value; /* NULL: none */
    int prio;    /* the line it was set on */
};

struct ctxlist {
    struct context *v;
    size_t n;
};

static bool is_word(int c)
{
    return isalnum(c) || c == '_';
}

static bool valid_name(const char *s, size_t n)
{
    if (n == 0 || !isalpha((unsigned char)s[0]))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!is_word((unsigned char)s[i]))
            return false;
    return true;
}

static const struct context *find(const struct ctxlist *l, const char *name)
{
    for (size_t i = 0; l && i < l->n; i++)
        if (!strcmp(l->v[i].name, name))
            return &l->v[i];
    return NULL;
}

/* One line's context into l (lcfgctxlist_update: the same name and value
 * again changes nothing, not even the priority). */
static int add_line(struct ctxlist *l, const char *s, size_t len, int lineno, const char *file,
                    char **err)
{
    const char *eq = memchr(s, '=', len);
    if (!eq) {
        set_error(err, "contexts %s:%d: '%.*s' is not NAME=VALUE", file, lineno, (int)len, s);
        return -1;
    }
    size_t nl = (size_t)(eq - s);
    while (nl > 0 && isspace((unsigned char)s[nl - 1]))
        nl--;
    if (!valid_name(s, nl)) {
        set_error(err, "contexts %s:%d: '%.*s' is not a valid context name", file, lineno,
                  (int)nl, s);
        return -1;
    }
    const char *v = eq + 1, *end = s + len;
    while (v < end && isspace((unsigned char)*v))
        v++;
    while (end > v && isspace((unsigned char)end[-1]))
        end--;
    struct context c = { xstrndup(s, nl), end > v ? xstrndup(v, (size_t)(end - v)) : NULL,
                         lineno };
    for (size_t i = 0; i < l->n; i++) {
        struct context *o = &l->v[i];
        if (strcmp(o->name, c.name))
            continue;
        if (!strcmp(o->value ? o->value : "", c.value ? c.value : "")) {
            free(c.name);
            free(c.value);
        } else {
            free(o->name);
            free(o->value);
            *o = c;
        }
        return 0;
    }
    l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
    l->v[l->n++] = c;
    return 0;
}

static int by_prio(const void *a, const void *b)
{
    const struct context *x = a, *y = b;
    return (x->prio > y->prio) - (x->prio < y->prio);
}

int ctx_parse(const char *text, const char *name, struct ctxlist **ret, char **err)
{
    struct ctxlist *l = xcalloc(1, sizeof(*l));
    int lineno = 0;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        lineno++;
        const char *s = p, *end = p + len;
        p = nl ? nl + 1 : end;
        while (s < end && isspace((unsigned char)*s))
            s++;
        if (s == end || *s == '#')
            continue;
        if (add_line(l, s, (size_t)(end - s), lineno, name, err) < 0) {
            ctx_free(l);
            return -1;
        }
    }
    /* Priorities are distinct line numbers: the order is total. */
    if (l->n > 1)
        qsort(l->v, l->n, sizeof(*l->v), by_prio);
    *ret = l;
    return 0;
}

int ctx_load(const char *path, struct ctxlist **ret, char **err)
{
    char *text = NULL, *rerr = NULL;
    size_t len = 0;
    if (fs_read_file(path, &text, &len, &rerr) < 0) {
        if (errno == ENOENT) {
            free(rerr);
            *ret = xcalloc(1, sizeof(**ret));
            return 0;
        }
        set_error(err, "contexts %s: cannot read: %s", path, strerror(errno));
        free(rerr);
        return -1;
    }
    int rc;
    if (memchr(text, '\0', len)) {
        set_error(err, "contexts %s: contains a NUL byte", path);
        rc = -1;
    } else {
        rc = ctx_parse(text, path, ret, err);
    }
    free(text);
    return rc;
}

void ctx_free(struct ctxlist *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].name);
        free(l->v[i].value);
    }
    free(l->v);
    free(l);
}

size_t ctx_count(const struct ctxlist *l)
{
    return l ? l->n : 0;
}

void ctx_at(const struct ctxlist *l, size_t i, const char **name, const char **value, int *prio)
{
    *name = l->v[i].name;
    *value = l->v[i].value;
    *prio = l->v[i].prio;
}

/* ------------------------------------------------------------ evaluation */

enum tok { T_END, T_NAME, T_STRING, T_BOOL, T_EQ, T_NE, T_OR, T_XOR, T_AND, T_NOT, T_LP, T_RP };

struct eval {
    const struct ctxlist *l;
    const char *p;
    enum tok tok;
    struct buf text; /* a T_NAME's or T_STRING's text */
    bool truth;      /* a T_BOOL's */
    char *err;       /* the first error (the lexer's comes before the parser's) */
};

static void eval_fail(struct eval *e, const char *fmt, ...) ATTR_PRINTF(2, 3);
static void eval_fail(struct eval *e, const char *fmt, ...)
{
    if (e->err)
        return;
    va_list ap;
    va_start(ap, fmt);
    e->err = xvasprintf(fmt, ap);
    va_end(ap);
}

/* The boolean words, matched whole and in any case (flex takes the longer
 * match, so "yesterday" is a name). */
static int bool_word(const char *s, size_t n)
{
    static const char *const t[] = { "yes", "true", "on" }, *const f[] = { "no", "false", "off" };
    for (size_t i = 0; i < 3; i++) {
        if (strlen(t[i]) == n && !strncasecmp(s, t[i], n))
            return 1;
        if (strlen(f[i]) == n && !strncasecmp(s, f[i], n))
            return 0;
    }
    return -1;
}

static void text_reset(struct eval *e)
{
    buf_add(&e->text, "", 0); /* allocated, so that data can be reset */
    e->text.len = 0;
    e->text.data[0] = '\0';
}

/* A quoted string: the quote doubled stands for itself; no line breaks. */
static void lex_quoted(struct eval *e, char q)
{
    text_reset(e);
    for (const char *p = e->p + 1;; p++) {
        if (*p == q && p[1] == q) {
            buf_addc(&e->text, q);
            p++;
        } else if (*p == q) {
            e->p = p + 1;
            e->tok = T_STRING;
            return;
        } else if (*p == '\0' || *p == '\n' || *p == '\r') {
            eval_fail(e, "unterminated %s-quoted string", q == '"' ? "double" : "single");
            e->tok = T_END;
            return;
        } else {
            buf_addc(&e->text, *p);
        }
    }
}

static void lex(struct eval *e)
{
    while (*e->p == ' ' || *e->p == '\t' || *e->p == '\n' || *e->p == '\r' || *e->p == '\f')
        e->p++;
    const char *s = e->p;
    size_t n = 0;
    while (is_word((unsigned char)s[n]))
        n++;
    if (n) {
        int b = bool_word(s, n);
        e->p += n;
        if (b >= 0) {
            e->tok = T_BOOL;
            e->truth = b;
            return;
        }
        text_reset(e);
        buf_add(&e->text, s, n);
        e->tok = isalpha((unsigned char)*s) ? T_NAME : T_STRING;
        return;
    }
    static const struct { char c; enum tok t; } one[] = {
        { '=', T_EQ }, { '|', T_OR }, { '^', T_XOR }, { '&', T_AND }, { '(', T_LP }, { ')', T_RP },
    };
    if (*s == '\0') {
        e->tok = T_END;
        return;
    }
    if (s[0] == '!') {
        e->tok = s[1] == '=' ? T_NE : T_NOT;
        e->p += s[1] == '=' ? 2 : 1;
        return;
    }
    if (*s == '"' || *s == '\'') {
        lex_quoted(e, *s);
        return;
    }
    for (size_t i = 0; i < ARRAY_SIZE(one); i++)
        if (*s == one[i].c) {
            e->tok = one[i].t;
            e->p++;
            return;
        }
    eval_fail(e, "invalid character '%c'", *s);
    e->tok = T_END;
}

/* lcfgctxlist_simple_query: the context's priority (1 when it is not
 * active), positive when the test holds. */
enum test { IS_TRUE, IS_FALSE, IS_EQ, IS_NE };

static bool is_false_value(const char *v)
{
    static const char *const f[] = { "false", "no", "off", "0" };
    if (str_empty(v))
        return true;
    for (size_t i = 0; i < ARRAY_SIZE(f); i++)
        if (!strcasecmp(v, f[i]))
            return true;
    return false;
}

static int query(const struct ctxlist *l, const char *name, const char *want, enum test t)
{
    const struct context *c = find(l, name);
    int prio = c ? c->prio : 1;
    const char *v = c ? c->value : NULL;
    bool holds;
    switch (t) {
    case IS_TRUE:
        holds = !is_false_value(v);
        break;
    case IS_FALSE:
        holds = is_false_value(v);
        break;
    default: {
        bool same = str_empty(want) || str_empty(v) ? str_empty(want) && str_empty(v)
                                                    : !strcmp(want, v);
        holds = same == (t == IS_EQ);
        break;
    }
    }
    return holds ? prio : -prio;
}

static int max_i(int a, int b)
{
    return a > b ? a : b;
}

static int min_i(int a, int b)
{
    return a < b ? a : b;
}

static int expression(struct eval *e);

static int term(struct eval *e)
{
    if (e->tok == T_LP) {
        lex(e);
        int v = expression(e);
        if (e->tok != T_RP)
            eval_fail(e, "syntax error");
        lex(e);
        return v;
    }
    if (e->tok == T_NOT) {
        lex(e);
        if (e->tok == T_LP)
            return -term(e);
        if (e->tok != T_NAME) {
            eval_fail(e, "syntax error");
            return 0;
        }
        int v = query(e->l, buf_str(&e->text), NULL, IS_FALSE);
        lex(e);
        return v;
    }
    if (e->tok != T_NAME) {
        eval_fail(e, "syntax error");
        return 0;
    }
    char *name = xstrdup(buf_str(&e->text));
    int v;
    lex(e);
    if (e->tok != T_EQ && e->tok != T_NE) {
        v = query(e->l, name, NULL, IS_TRUE);
    } else {
        bool eq = e->tok == T_EQ;
        lex(e);
        if (e->tok == T_BOOL) {
            v = query(e->l, name, NULL, e->truth ? IS_TRUE : IS_FALSE) * (eq ? 1 : -1);
        } else if (e->tok == T_NAME || e->tok == T_STRING) {
            v = query(e->l, name, buf_str(&e->text), eq ? IS_EQ : IS_NE);
        } else {
            eval_fail(e, "syntax error");
            v = 0;
        }
        lex(e);
    }
    free(name);
    return v;
}

/* parser.y's expression rules: all three operators at one level, from the
 * left; a false side is a negative priority. */
static int expression(struct eval *e)
{
    int v = term(e);
    while (!e->err && (e->tok == T_OR || e->tok == T_XOR || e->tok == T_AND)) {
        enum tok op = e->tok;
        lex(e);
        int r = term(e);
        if (op == T_OR)
            v = v < 0 && r < 0 ? min_i(v, r) : max_i(v, r);
        else if (op == T_AND)
            v = v > 0 && r > 0 ? max_i(v, r) : min_i(v, r);
        else if (v < 0 && r < 0)
            v = min_i(v, r);
        else
            v = v > 0 && r > 0 ? -max_i(v, r) : max_i(v, r);
    }
    return v;
}

int ctx_eval(const struct ctxlist *l, const char *expr, int *ret_prio, char **err)
{
    struct eval e = { .l = l, .p = expr };
    lex(&e);
    int v = 0;
    if (e.tok != T_END) { /* an empty expression is priority 0 */
        v = expression(&e);
        if (e.tok != T_END)
            eval_fail(&e, "syntax error");
    }
    buf_free(&e.text);
    if (e.err) {
        set_error(err, "context '%s': %s", expr, e.err);
        free(e.err);
        return -1;
    }
    *ret_prio = v;
    return 0;
}

/* lcfgcontext_bracketify_expression. */
static char *bracketed(const char *s)
{
    return s[0] == '(' ? xstrdup(s) : xasprintf("(%s)", s);
}

char *ctx_combine(const char *a, const char *b)
{
    if (str_empty(a))
        return xstrdup(str_empty(b) ? "" : b);
    if (str_empty(b) || !strcmp(a, b))
        return xstrdup(a);
    char *x = bracketed(a), *y = bracketed(b);
    /* lcfg-core puts them in "sort order" but tests strcmp's result for
     * exactly -1; glibc's strcmp returns the difference of the first bytes
     * that differ, so the order is the first one's only when that is 1. */
    size_t i = 0;
    while (x[i] && x[i] == y[i])
        i++;
    int d = (unsigned char)x[i] - (unsigned char)y[i];
    char *r = d == 0 ? xstrdup(x) : d == -1 ? xasprintf("%s & %s", x, y)
                                            : xasprintf("%s & %s", y, x);
    free(x);
    free(y);
    return r;
}
