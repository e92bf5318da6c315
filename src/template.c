/* template.c: the LCFG::Template language (see template.h).
 *
 * Two passes. A recursive-descent parser (template_parse.c) turns the text
 * into a tree of nodes that remember their line; the evaluator (here) walks
 * the tree and appends to one output buffer. Parsing first means syntax errors (an
 * unclosed block, <%perl:%>, a bad <%for:%>) are reported even in branches
 * that are not taken, and a loop body is parsed once however often it runs.
 * Literal text nodes point into the source, so the tree is small and the
 * work is linear in the size of the input plus the size of the output.
 *
 * The grammar follows LCFG::Template's scanner as ported in sjquinney/Xenon
 * lib/Xenon/File/LCFG.pm: blanks may surround a keyword and its colon, and
 * the marks \ { } slash-star and star-slash; "%>" outside a directive is an
 * error; comments are parsed (and nest) but never evaluated.
 */
#include "template.h"
#include "template_impl.h"
#include "util.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Deep enough for any sane template, shallow enough to catch recursion. */
#define MAX_INCLUDE_DEPTH 16

/* ---- evaluator ---- */

struct binding {
    char *name;
    char *value;
};

/* The <%set:%> variables of one template file: LCFG::Template keeps one
 * table per file, searched before everything else. */
struct sets {
    struct binding *v;
    size_t n;
    size_t cap;
};

/* A running <%for:%>'s variable, innermost first. The chain goes on into
 * included files, which see the loops around their <%include:%>. */
struct loopvar {
    const struct loopvar *up;
    const char *name;   /* borrowed from the tree */
    const char *value;  /* the current word */
};

struct eval {
    const struct tmpl_env *env;
    const char *file;
    int depth;              /* of <%include:%> */
    struct sets *sets;      /* this file's */
    const struct loopvar *loops;
    char **err;
};

static int eerr(struct eval *ev, int line, const char *fmt, ...)
    ATTR_PRINTF(3, 4);

static int eerr(struct eval *ev, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    set_error(ev->err, "%s:%d: %s", ev->file, line, msg);
    free(msg);
    return -1;
}

static void free_sets(struct sets *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i].name);
        free(s->v[i].value);
    }
    free(s->v);
}

/* LCFG::Template's order: this file's <%set:%>s, then the loops from the
 * innermost out, so a set variable hides a loop variable of its name. */
static const char *find_var(const struct eval *ev, const char *name)
{
    const struct sets *s = ev->sets;
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i].name, name) == 0)
            return s->v[i].value;
    for (const struct loopvar *lv = ev->loops; lv; lv = lv->up)
        if (strcmp(lv->name, name) == 0)
            return lv->value;
    return NULL;
}

static void set_var(struct sets *s, const char *name, const char *value)
{
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->v[i].name, name) == 0) {
            free(s->v[i].value);
            s->v[i].value = xstrdup(value);
            return;
        }
    }
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 8;
        s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
    }
    s->v[s->n].name = xstrdup(name);
    s->v[s->n].value = xstrdup(value);
    s->n++;
}

/* Variables first, then resources. */
static const char *lookup(struct eval *ev, const char *name)
{
    const char *v = find_var(ev, name);
    if (v || !ev->env->lookup)
        return v;
    return ev->env->lookup(ev->env->ctx, name, NULL);
}

#define TMPL_MAX_OUTPUT (16 << 20)

static int eval_seq(struct eval *ev, const struct node *n, struct buf *out);

/* Expand a directive's argument into tmp (which the caller frees) and
 * return it, with surrounding whitespace trimmed when trim is set. */
static int expand(struct eval *ev, const struct node *arg, struct buf *tmp,
                  bool trim, char **ret)
{
    if (eval_seq(ev, arg, tmp) < 0)
        return -1;
    if (tmp->len == 0) {
        *ret = (char *)"";
        return 0;
    }
    char *s = tmp->data;
    if (!trim) {
        *ret = s;
        return 0;
    }
    size_t end = tmp->len;
    while (end > 0 && is_ws(s[end - 1]))
        end--;
    s[end] = '\0';
    while (is_ws(*s))
        s++;
    *ret = s;
    return 0;
}

/* <%name%>: a variable or resource, which must exist. <%#name%>: a
 * resource's derivation; variables have none and are passed over, and an
 * undefined resource's is "" (LCFG::Template's Lookup). */
static int eval_ref(struct eval *ev, const struct node *n, struct buf *out)
{
    struct buf tmp = BUF_INIT;
    char *key = n->var;
    int r = -1;
    if (!key && expand(ev, n->arg, &tmp, true, &key) < 0)
        goto out;
    bool deriv = *key == '#';
    const char *name = key + deriv;
    if (!valid_name(name)) {
        eerr(ev, n->line, "invalid resource name '%s'", key);
        goto out;
    }
    if (deriv) {
        const char *d = NULL;
        if (ev->env->lookup && ev->env->lookup(ev->env->ctx, name, &d) && d)
            buf_adds(out, d);
        r = 0;
    } else {
        const char *v = lookup(ev, name);
        if (v) {
            buf_adds(out, v);
            r = 0;
        } else {
            eerr(ev, n->line, "unknown resource '%s'", name);
        }
    }
out:
    buf_free(&tmp);
    return r;
}

static int eval_if(struct eval *ev, const struct node *n, struct buf *out)
{
    struct buf tmp = BUF_INIT;
    char *s;
    if (expand(ev, n->arg, &tmp, true, &s) < 0) {
        buf_free(&tmp);
        return -1;
    }
    /* A name that cannot be looked up is simply not defined. */
    bool cond = n->kind == N_IF ? *s != '\0'
                                : valid_name(s) && lookup(ev, s) != NULL;
    buf_free(&tmp);
    return eval_seq(ev, cond ? n->body : n->alt, out);
}

static int eval_for(struct eval *ev, const struct node *n, struct buf *out)
{
    struct buf list = BUF_INIT;
    char *p;
    int r = 0;
    if (expand(ev, n->arg, &list, true, &p) < 0) {
        buf_free(&list);
        return -1;
    }
    struct loopvar lv = { ev->loops, n->var, NULL };
    ev->loops = &lv;
    /* Split in place: each word is NUL-terminated where it ends. */
    for (;;) {
        while (is_ws(*p))
            p++;
        if (!*p)
            break;
        lv.value = p;
        while (*p && !is_ws(*p))
            p++;
        if (*p)
            *p++ = '\0';
        if (eval_seq(ev, n->body, out) < 0) {
            r = -1;
            break;
        }
    }
    ev->loops = lv.up;
    buf_free(&list);
    return r;
}

/* The value is kept as expanded (LCFG::Template does not trim it; the
 * blanks after "=" were skipped by the parser). */
static int eval_set(struct eval *ev, const struct node *n)
{
    struct buf tmp = BUF_INIT;
    char *s;
    if (expand(ev, n->arg, &tmp, false, &s) < 0) {
        buf_free(&tmp);
        return -1;
    }
    set_var(ev->sets, n->var, s);
    buf_free(&tmp);
    return 0;
}

static int eval_include(struct eval *ev, const struct node *n,
                        struct buf *out)
{
    struct buf tmp = BUF_INIT;
    char *name, *text = NULL, *ierr = NULL;
    struct node *tree = NULL;
    int r = -1;

    if (expand(ev, n->arg, &tmp, true, &name) < 0)
        goto out;
    if (!*name) {
        eerr(ev, n->line, "<%%include:%%> needs a file name");
        goto out;
    }
    if (!ev->env->include) {
        eerr(ev, n->line, "cannot include '%s': includes are not available",
             name);
        goto out;
    }
    if (ev->depth >= MAX_INCLUDE_DEPTH) {
        eerr(ev, n->line,
             "cannot include '%s': includes nested more than %d deep "
             "(recursive <%%include:%%>?)",
             name, MAX_INCLUDE_DEPTH);
        goto out;
    }
    if (ev->env->include(ev->env->ctx, name, &text, &ierr) < 0) {
        eerr(ev, n->line, "cannot include '%s': %s", name,
             ierr ? ierr : "failed");
        goto out;
    }
    /* Errors inside name the included file and its own lines. */
    if (tmpl_parse_tree(text ? text : "", name, ev->err, &tree) < 0)
        goto out;
    {
        /* As LCFG::Template's Transform of an included file: its own
         * <%set:%> table, starting empty (the includer's are not seen,
         * and its own do not leak back), and the loops around it. */
        struct sets sets = { NULL, 0, 0 };
        struct eval sub = { ev->env, name, ev->depth + 1, &sets, ev->loops,
                            ev->err };
        r = eval_seq(&sub, tree, out);
        free_sets(&sets);
    }
out:
    tmpl_free_nodes(tree);
    free(text);
    free(ierr);
    buf_free(&tmp);
    return r;
}

static int eval_seq(struct eval *ev, const struct node *n, struct buf *out)
{
    for (; n; n = n->next) {
        int r = 0;
        switch (n->kind) {
        case N_TEXT:
            buf_add(out, n->text, n->len);
            break;
        case N_REF:
            r = eval_ref(ev, n, out);
            break;
        case N_IF:
        case N_IFDEF:
            r = eval_if(ev, n, out);
            break;
        case N_FOR:
            r = eval_for(ev, n, out);
            break;
        case N_SET:
            r = eval_set(ev, n);
            break;
        case N_INCLUDE:
            r = eval_include(ev, n, out);
            break;
        }
        if (r < 0)
            return -1;
        /* A few directives can double a value per loop turn; the fuzzer
         * made 2 GB from 700 bytes. No guest config is near this. */
        if (out->len > TMPL_MAX_OUTPUT)
            return eerr(ev, n->line, "the output grows beyond %d MB (a runaway <%%for:%%> or "
                        "<%%set:%%>?)", TMPL_MAX_OUTPUT >> 20);
    }
    return 0;
}

struct tmpl {
    struct node *tree;
    char *filename;
    char *text; /* the nodes point into it */
};

int tmpl_parse(const char *text, const char *filename, struct tmpl **ret, char **err)
{
    if (!filename)
        filename = "template";
    char *copy = xstrdup(text ? text : "");
    struct node *tree;
    if (tmpl_parse_tree(copy, filename, err, &tree) < 0) {
        free(copy);
        return -1;
    }
    struct tmpl *t = xcalloc(1, sizeof(*t));
    t->tree = tree;
    t->text = copy;
    t->filename = xstrdup(filename);
    *ret = t;
    return 0;
}

int tmpl_eval(const struct tmpl *t, const struct tmpl_env *env, char **ret_out, char **err)
{
    static const struct tmpl_env no_env = { NULL, NULL, NULL };
    if (!env)
        env = &no_env;
    struct sets sets = { NULL, 0, 0 };
    struct eval ev = { env, t->filename, 0, &sets, NULL, err };
    struct buf out = BUF_INIT;
    int r = eval_seq(&ev, t->tree, &out);
    free_sets(&sets);
    if (r < 0) {
        buf_free(&out);
        return -1;
    }
    *ret_out = buf_detach(&out);
    return 0;
}

void tmpl_free(struct tmpl *t)
{
    if (!t)
        return;
    tmpl_free_nodes(t->tree);
    free(t->filename);
    free(t->text);
    free(t);
}

int tmpl_render(const char *text, const char *filename,
                const struct tmpl_env *env, char **ret_out, char **err)
{
    struct tmpl *t;
    if (tmpl_parse(text, filename, &t, err) < 0)
        return -1;
    int r = tmpl_eval(t, env, ret_out, err);
    tmpl_free(t);
    return r;
}
