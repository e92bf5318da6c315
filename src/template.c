/* template.c: the LCFG::Template language (see template.h).
 *
 * Two passes. A recursive-descent parser turns the text into a tree of
 * nodes that remember their line; an evaluator then walks the tree and
 * appends to one output buffer. Parsing first means syntax errors (an
 * unclosed block, <%perl:%>, a bad <%for:%>) are reported even in branches
 * that are not taken, and a loop body is parsed once however often it runs.
 * Literal text nodes point into the source, so the tree is small and the
 * work is linear in the size of the input plus the size of the output.
 */
#include "template.h"
#include "util.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Deep enough for any sane template, shallow enough to catch recursion. */
#define MAX_INCLUDE_DEPTH 16
/* Bounds the parser's (and evaluator's) recursion on hostile input. */
#define MAX_NESTING 100

enum node_kind {
    N_TEXT,    /* literal text */
    N_VALUE,   /* <%name%> */
    N_DERIV,   /* <%#name%> */
    N_IF,      /* <%if: arg%> body <%else:%> alt <%end:%> */
    N_IFDEF,   /* <%ifdef: arg%> body <%else:%> alt <%end:%> */
    N_FOR,     /* <%for: var=arg%> body <%end:%> */
    N_SET,     /* <%set: var=arg%> */
    N_INCLUDE, /* <%include: arg%> */
};

struct node {
    enum node_kind kind;
    int line;           /* where the directive starts, for errors */
    struct node *next;
    const char *text;   /* N_TEXT: borrowed from the template source */
    size_t len;
    char *var;          /* N_FOR, N_SET */
    struct node *arg;   /* name, condition, list, value or file name */
    struct node *body;
    struct node *alt;
};

/* A node list under construction: tail makes appending O(1). */
struct nlist {
    struct node *head;
    struct node **tail;
};

static void free_nodes(struct node *n)
{
    while (n) {
        struct node *next = n->next;
        free_nodes(n->arg);
        free_nodes(n->body);
        free_nodes(n->alt);
        free(n->var);
        free(n);
        n = next;
    }
}

static struct node *new_node(enum node_kind kind, int line)
{
    struct node *n = xcalloc(1, sizeof(*n));
    n->kind = kind;
    n->line = line;
    return n;
}

static void nlist_init(struct nlist *l)
{
    l->head = NULL;
    l->tail = &l->head;
}

static void nlist_add(struct nlist *l, struct node *n)
{
    *l->tail = n;
    l->tail = &n->next;
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f';
}

static bool is_ident_start(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool is_ident(char c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9');
}

/* ---- parser ---- */

/* What ended a sequence: end of input, the "%>" closing the enclosing
 * directive, or an <%else:%> / <%end:%> for the enclosing block. */
enum term { T_NONE, T_EOF, T_CLOSE, T_ELSE, T_END };

struct parser {
    const char *p;    /* current position */
    int line;         /* line of p */
    int depth;        /* directive nesting */
    const char *file;
    char **err;
};

static int perr(struct parser *ps, int line, const char *fmt, ...)
    ATTR_PRINTF(3, 4);

static int perr(struct parser *ps, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    set_error(ps->err, "%s:%d: %s", ps->file, line, msg);
    free(msg);
    return -1;
}

/* Move forward n bytes, counting the newlines passed over. */
static void advance(struct parser *ps, size_t n)
{
    const char *end = ps->p + n;
    const char *q = ps->p;
    while ((q = memchr(q, '\n', (size_t)(end - q))) != NULL) {
        ps->line++;
        q++;
    }
    ps->p = end;
}

static void skip_ws(struct parser *ps)
{
    size_t n = 0;
    while (is_ws(ps->p[n]))
        n++;
    advance(ps, n);
}

static void add_text(struct nlist *l, struct parser *ps, size_t len)
{
    if (len == 0)
        return;
    struct node *n = new_node(N_TEXT, ps->line);
    n->text = ps->p;
    n->len = len;
    nlist_add(l, n);
    advance(ps, len);
}

/* Next "<%" (or, inside a directive, "<%" or "%>"), NULL at end of input.
 * Plain loops rather than strstr()/strpbrk(): sanitizer interceptors scan
 * the whole remaining string on each call, which made big inputs
 * quadratic under ASan. */
static const char *find_next(const char *p, bool in_arg)
{
    for (; *p; p++) {
        if (p[0] == '<' && p[1] == '%')
            return p;
        if (in_arg && p[0] == '%' && p[1] == '>')
            return p;
    }
    return NULL;
}

/* Where a template comment ends (its closing directive), NULL if never. */
static const char *find_comment_end(const char *p)
{
    while ((p = find_next(p, false)) != NULL) {
        if (strncmp(p, "<%*/%>", 6) == 0)
            return p;
        p += 2;
    }
    return NULL;
}

static int stray_term(struct parser *ps, enum term t, int line)
{
    if (t == T_ELSE)
        return perr(ps, line, "<%%else:%%> without <%%if:%%> or <%%ifdef:%%>");
    return perr(ps, line,
                "<%%end:%%> without <%%if:%%>, <%%ifdef:%%> or <%%for:%%>");
}

static int parse_directive(struct parser *ps, struct nlist *l,
                           enum term *term, int *term_line);

/* Parse text and directives until the end of input or, with in_arg, the
 * "%>" that closes the enclosing directive. Stops early at an <%else:%> or
 * <%end:%>; *term says what ended the sequence and *term_line where. */
static int parse_seq(struct parser *ps, bool in_arg, struct node **ret,
                     enum term *term, int *term_line)
{
    if (ps->depth > MAX_NESTING)
        return perr(ps, ps->line, "directives nested more than %d deep",
                    MAX_NESTING);
    struct nlist l;
    nlist_init(&l);
    for (;;) {
        const char *q = find_next(ps->p, in_arg);
        if (!q) {
            add_text(&l, ps, strlen(ps->p));
            *term = T_EOF;
            *term_line = ps->line;
            break;
        }
        add_text(&l, ps, (size_t)(q - ps->p));
        if (q[0] == '%') {
            advance(ps, 2);
            *term = T_CLOSE;
            *term_line = ps->line;
            break;
        }
        enum term t = T_NONE;
        if (parse_directive(ps, &l, &t, term_line) < 0) {
            free_nodes(l.head);
            return -1;
        }
        if (t != T_NONE) {
            *term = t;
            break;
        }
    }
    *ret = l.head;
    return 0;
}

/* The rest of a directive, up to its "%>"; line is where it started. */
static int parse_arg(struct parser *ps, int line, struct node **ret)
{
    struct node *arg;
    enum term t;
    int tl;
    if (parse_seq(ps, true, &arg, &t, &tl) < 0)
        return -1;
    if (t == T_CLOSE) {
        *ret = arg;
        return 0;
    }
    free_nodes(arg);
    if (t == T_EOF)
        return perr(ps, line, "unterminated <%% (no matching %%>)");
    return stray_term(ps, t, tl);
}

/* The "VAR=" of <%for:%> and <%set:%>. The name must be literal, so it is
 * checked here (even in branches never taken), not at run time. */
static int parse_var(struct parser *ps, const char *kw, const char *what,
                     int line, char **ret_var)
{
    skip_ws(ps);
    const char *s = ps->p;
    size_t i = 0;
    while (s[i] && s[i] != '=' && !(s[i] == '%' && s[i + 1] == '>') &&
           !(s[i] == '<' && s[i + 1] == '%'))
        i++;
    if (s[i] != '=')
        return perr(ps, line, "bad <%%%s:%%>: expected <%%%s: VAR=%s%%>", kw,
                    kw, what);
    size_t end = i;
    while (end > 0 && is_ws(s[end - 1]))
        end--;
    bool ok = end > 0 && is_ident_start(s[0]);
    for (size_t j = 1; ok && j < end; j++)
        ok = is_ident(s[j]);
    if (!ok)
        return perr(ps, line, "bad variable name '%.*s' in <%%%s:%%>",
                    (int)end, s, kw);
    *ret_var = xstrndup(s, end);
    advance(ps, i + 1);
    return 0;
}

/* <%if:%> or <%ifdef:%>, after the colon. */
static int parse_if(struct parser *ps, bool ifdef, int line, struct nlist *l)
{
    const char *kw = ifdef ? "ifdef" : "if";
    struct node *n = new_node(ifdef ? N_IFDEF : N_IF, line);
    enum term t;
    int tl;
    if (parse_arg(ps, line, &n->arg) < 0 ||
        parse_seq(ps, false, &n->body, &t, &tl) < 0)
        goto fail;
    if (t == T_ELSE) {
        if (parse_seq(ps, false, &n->alt, &t, &tl) < 0)
            goto fail;
        if (t == T_ELSE) {
            perr(ps, tl, "second <%%else:%%> for <%%%s:%%> at line %d", kw,
                 line);
            goto fail;
        }
    }
    if (t == T_EOF) {
        perr(ps, line, "unclosed <%%%s:%%>", kw);
        goto fail;
    }
    nlist_add(l, n);
    return 0;
fail:
    free_nodes(n);
    return -1;
}

static int parse_for(struct parser *ps, int line, struct nlist *l)
{
    struct node *n = new_node(N_FOR, line);
    enum term t;
    int tl;
    if (parse_var(ps, "for", "LIST", line, &n->var) < 0 ||
        parse_arg(ps, line, &n->arg) < 0 ||
        parse_seq(ps, false, &n->body, &t, &tl) < 0)
        goto fail;
    if (t == T_ELSE) {
        stray_term(ps, t, tl);
        goto fail;
    }
    if (t == T_EOF) {
        perr(ps, line, "unclosed <%%for:%%>");
        goto fail;
    }
    nlist_add(l, n);
    return 0;
fail:
    free_nodes(n);
    return -1;
}

static int parse_set(struct parser *ps, int line, struct nlist *l)
{
    struct node *n = new_node(N_SET, line);
    if (parse_var(ps, "set", "VALUE", line, &n->var) < 0 ||
        parse_arg(ps, line, &n->arg) < 0) {
        free_nodes(n);
        return -1;
    }
    nlist_add(l, n);
    return 0;
}

/* A "<%KEYWORD:" directive; ps->p is just after the colon. */
static int parse_keyword(struct parser *ps, const char *kw, size_t k,
                         int line, struct nlist *l, enum term *term,
                         int *term_line)
{
#define IS(w) (k == sizeof(w) - 1 && memcmp(kw, w, k) == 0)
    if (IS("else") || IS("end")) {
        skip_ws(ps);
        if (!*ps->p)
            return perr(ps, line, "unterminated <%% (no matching %%>)");
        if (strncmp(ps->p, "%>", 2) != 0)
            return perr(ps, line, "<%%%.*s:%%> takes no argument", (int)k,
                        kw);
        advance(ps, 2);
        *term = IS("else") ? T_ELSE : T_END;
        *term_line = line;
        return 0;
    }
    if (IS("perl") || IS("shell"))
        return perr(ps, line,
                    "<%%%.*s:%%> is not supported (templates cannot run code)",
                    (int)k, kw);
    if (IS("if") || IS("ifdef"))
        return parse_if(ps, IS("ifdef"), line, l);
    if (IS("for"))
        return parse_for(ps, line, l);
    if (IS("set"))
        return parse_set(ps, line, l);
    if (IS("include")) {
        struct node *n = new_node(N_INCLUDE, line);
        if (parse_arg(ps, line, &n->arg) < 0) {
            free_nodes(n);
            return -1;
        }
        nlist_add(l, n);
        return 0;
    }
#undef IS
    return perr(ps, line, "unknown directive <%%%.*s:%%>", (int)k, kw);
}

/* One directive; ps->p is at its "<%". Appends a node to l, or sets *term
 * for <%else:%> / <%end:%>; comments and swallows produce nothing. */
static int parse_directive1(struct parser *ps, struct nlist *l,
                            enum term *term, int *term_line)
{
    int line = ps->line;
    const char *s = ps->p + 2;

    if (strncmp(s, "\\%>", 3) == 0) {
        advance(ps, 5);
        skip_ws(ps);
        return 0;
    }
    if (strncmp(s, "/*%>", 4) == 0) {
        /* Not nested, and nothing inside is parsed: a comment can hide
         * anything, even an unbalanced "<%". */
        const char *e = find_comment_end(s + 4);
        if (!e)
            return perr(ps, line, "unclosed comment <%%/*%%>");
        advance(ps, (size_t)(e + 6 - ps->p));
        return 0;
    }
    if (strncmp(s, "*/%>", 4) == 0)
        return perr(ps, line, "<%%*/%%> without <%%/*%%>");

    size_t k = 0;
    if (is_ident_start(s[0]))
        for (k = 1; is_ident(s[k]); k++)
            continue;
    if (k > 0 && s[k] == ':') {
        advance(ps, 2 + k + 1);
        return parse_keyword(ps, s, k, line, l, term, term_line);
    }

    bool deriv = s[0] == '#';
    advance(ps, deriv ? 3 : 2);
    struct node *n = new_node(deriv ? N_DERIV : N_VALUE, line);
    if (parse_arg(ps, line, &n->arg) < 0) {
        free_nodes(n);
        return -1;
    }
    nlist_add(l, n);
    return 0;
}

/* Depth counts the directives around the text being parsed; parse_seq
 * checks it, so a deep <%end:%> or comment costs nothing. */
static int parse_directive(struct parser *ps, struct nlist *l,
                           enum term *term, int *term_line)
{
    ps->depth++;
    int r = parse_directive1(ps, l, term, term_line);
    ps->depth--;
    return r;
}

static int parse_template(const char *text, const char *file, char **err,
                          struct node **ret)
{
    struct parser ps = { text, 1, 0, file, err };
    struct node *tree;
    enum term t;
    int tl;
    if (parse_seq(&ps, false, &tree, &t, &tl) < 0)
        return -1;
    if (t != T_EOF) {
        free_nodes(tree);
        return stray_term(&ps, t, tl);
    }
    *ret = tree;
    return 0;
}

/* ---- evaluator ---- */

struct binding {
    char *name;
    char *value;
};

/* Variables form a chain of frames, innermost first. A template (the main
 * one or an included one) has a file frame holding its <%set:%> variables;
 * each running <%for:%> has a loop frame binding one name. */
struct scope {
    struct scope *up;
    bool is_file;
    const char *name;       /* loop frame: borrowed from the tree */
    const char *value;      /* loop frame: the current word */
    struct binding *sets;   /* file frame */
    size_t nsets;
    size_t cap;
};

struct eval {
    const struct tmpl_env *env;
    const char *file;
    int depth;              /* of <%include:%> */
    struct scope *scope;
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

static void free_scope(struct scope *s)
{
    for (size_t i = 0; i < s->nsets; i++) {
        free(s->sets[i].name);
        free(s->sets[i].value);
    }
    free(s->sets);
}

static const char *find_var(const struct scope *s, const char *name)
{
    for (; s; s = s->up) {
        if (!s->is_file) {
            if (strcmp(s->name, name) == 0)
                return s->value;
            continue;
        }
        for (size_t i = 0; i < s->nsets; i++)
            if (strcmp(s->sets[i].name, name) == 0)
                return s->sets[i].value;
    }
    return NULL;
}

/* <%set:%> binds in the current template's frame, whatever loops are
 * running, so the value outlives the loop that set it. */
static void set_var(struct scope *s, const char *name, const char *value)
{
    while (!s->is_file)
        s = s->up;
    for (size_t i = 0; i < s->nsets; i++) {
        if (strcmp(s->sets[i].name, name) == 0) {
            free(s->sets[i].value);
            s->sets[i].value = xstrdup(value);
            return;
        }
    }
    if (s->nsets == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 8;
        s->sets = xrealloc(s->sets, s->cap * sizeof(*s->sets));
    }
    s->sets[s->nsets].name = xstrdup(name);
    s->sets[s->nsets].value = xstrdup(value);
    s->nsets++;
}

/* Variables first, then resources. A variable's derivation is "". */
static const char *lookup(struct eval *ev, const char *name,
                          const char **deriv)
{
    const char *v = find_var(ev->scope, name);
    if (v) {
        if (deriv)
            *deriv = "";
        return v;
    }
    if (!ev->env->lookup)
        return NULL;
    const char *d = NULL;
    v = ev->env->lookup(ev->env->ctx, name, deriv ? &d : NULL);
    if (deriv)
        *deriv = d ? d : "";
    return v;
}

#define TMPL_MAX_OUTPUT (16 << 20)

static int eval_seq(struct eval *ev, const struct node *n, struct buf *out);

/* Expand a directive's argument into tmp (which the caller frees) and
 * return it with surrounding whitespace trimmed. */
static int expand(struct eval *ev, const struct node *arg, struct buf *tmp,
                  char **ret)
{
    if (eval_seq(ev, arg, tmp) < 0)
        return -1;
    if (tmp->len == 0) {
        *ret = (char *)"";
        return 0;
    }
    char *s = tmp->data;
    size_t end = tmp->len;
    while (end > 0 && is_ws(s[end - 1]))
        end--;
    s[end] = '\0';
    while (is_ws(*s))
        s++;
    *ret = s;
    return 0;
}

static int eval_value(struct eval *ev, const struct node *n, struct buf *out)
{
    struct buf tmp = BUF_INIT;
    const char *deriv = NULL, *v = NULL;
    char *name;
    if (expand(ev, n->arg, &tmp, &name) == 0) {
        v = lookup(ev, name, n->kind == N_DERIV ? &deriv : NULL);
        if (v)
            buf_adds(out, n->kind == N_DERIV ? deriv : v);
        else
            eerr(ev, n->line, "unknown resource '%s'", name);
    }
    buf_free(&tmp);
    return v ? 0 : -1;
}

static int eval_if(struct eval *ev, const struct node *n, struct buf *out)
{
    struct buf tmp = BUF_INIT;
    char *s;
    if (expand(ev, n->arg, &tmp, &s) < 0) {
        buf_free(&tmp);
        return -1;
    }
    bool cond = n->kind == N_IF ? *s != '\0' : lookup(ev, s, NULL) != NULL;
    buf_free(&tmp);
    return eval_seq(ev, cond ? n->body : n->alt, out);
}

static int eval_for(struct eval *ev, const struct node *n, struct buf *out)
{
    struct buf list = BUF_INIT;
    char *p;
    int r = 0;
    if (expand(ev, n->arg, &list, &p) < 0) {
        buf_free(&list);
        return -1;
    }
    struct scope frame = { .up = ev->scope, .name = n->var };
    ev->scope = &frame;
    /* Split in place: each word is NUL-terminated where it ends. */
    for (;;) {
        while (is_ws(*p))
            p++;
        if (!*p)
            break;
        frame.value = p;
        while (*p && !is_ws(*p))
            p++;
        if (*p)
            *p++ = '\0';
        if (eval_seq(ev, n->body, out) < 0) {
            r = -1;
            break;
        }
    }
    ev->scope = frame.up;
    buf_free(&list);
    return r;
}

static int eval_set(struct eval *ev, const struct node *n)
{
    struct buf tmp = BUF_INIT;
    char *s;
    if (expand(ev, n->arg, &tmp, &s) < 0) {
        buf_free(&tmp);
        return -1;
    }
    set_var(ev->scope, n->var, s);
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

    if (expand(ev, n->arg, &tmp, &name) < 0)
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
    if (parse_template(text ? text : "", name, ev->err, &tree) < 0)
        goto out;
    {
        /* The included template sees the includer's variables; its own
         * <%set:%>s stay in its frame. */
        struct scope frame = { .up = ev->scope, .is_file = true };
        struct eval sub = { ev->env, name, ev->depth + 1, &frame, ev->err };
        r = eval_seq(&sub, tree, out);
        free_scope(&frame);
    }
out:
    free_nodes(tree);
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
        case N_VALUE:
        case N_DERIV:
            r = eval_value(ev, n, out);
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
    if (parse_template(copy, filename, err, &tree) < 0) {
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
    struct scope root = { .is_file = true };
    struct eval ev = { env, t->filename, 0, &root, err };
    struct buf out = BUF_INIT;
    int r = eval_seq(&ev, t->tree, &out);
    free_scope(&root);
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
    free_nodes(t->tree);
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
