/* template_parse.c: the parser of the LCFG::Template language (see
 * template.c for the design and template.h for the language): text ->
 * tree of nodes. */
#include "template_impl.h"
#include "util.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Bounds the parser's recursion on hostile input. */
#define MAX_NESTING 100

/* A node list under construction: tail makes appending O(1). */
struct nlist {
    struct node *head;
    struct node **tail;
};

void tmpl_free_nodes(struct node *n)
{
    while (n) {
        struct node *next = n->next;
        tmpl_free_nodes(n->arg);
        tmpl_free_nodes(n->body);
        tmpl_free_nodes(n->alt);
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

/* ---- parser ---- */

/* What ended a sequence: end of input, the "%>" closing the enclosing
 * directive, or the <%else:%>, <%end:%>, <%}%> or <%*\/%> of a block. */
enum term { T_NONE, T_EOF, T_CLOSE, T_ELSE, T_END, T_ENDSKIP, T_ENDCOMMENT, T_COUNT };

struct parser {
    const char *p;    /* current position */
    int line;         /* line of p */
    int depth;        /* directive nesting */
    int comment;      /* comments around p: nothing there is evaluated */
    int open[T_COUNT]; /* enclosing blocks each terminator would close */
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
    advance(ps, ws_len(ps->p));
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

/* Next "<%" or "%>", NULL at end of input. Plain loops rather than
 * strstr()/strpbrk(): sanitizer interceptors scan the whole remaining
 * string on each call, which made big inputs quadratic under ASan. */
static const char *find_next(const char *p)
{
    for (; *p; p++) {
        if (p[0] == '<' && p[1] == '%')
            return p;
        if (p[0] == '%' && p[1] == '>')
            return p;
    }
    return NULL;
}

static int stray_term(struct parser *ps, enum term t, int line)
{
    switch (t) {
    case T_ELSE:
        return perr(ps, line, "<%%else:%%> without <%%if:%%> or <%%ifdef:%%>");
    case T_END:
        return perr(ps, line,
                    "<%%end:%%> without <%%if:%%>, <%%ifdef:%%> or <%%for:%%>");
    case T_ENDSKIP:
        return perr(ps, line, "<%%}%%> without <%%{%%>");
    default:
        return perr(ps, line, "<%%*/%%> without <%%/*%%>");
    }
}

/* A block opened at line ended with t (at tl), which is not its own
 * terminator: the block was left open if t is the end of input or would
 * close an enclosing block; otherwise t closes nothing. */
static int bad_end(struct parser *ps, const char *what, int line, enum term t,
                   int tl)
{
    if (t == T_EOF || ps->open[t] > 0)
        return perr(ps, line, "unclosed %s", what);
    return stray_term(ps, t, tl);
}

static int parse_directive(struct parser *ps, struct nlist *l,
                           enum term *term, int *term_line);

/* Parse text and directives until the end of input or, with in_arg, the
 * "%>" that closes the enclosing directive. Stops early at a block's
 * terminator; *term says what ended the sequence and *term_line where. */
static int parse_seq(struct parser *ps, bool in_arg, struct node **ret,
                     enum term *term, int *term_line)
{
    if (ps->depth > MAX_NESTING)
        return perr(ps, ps->line, "directives nested more than %d deep",
                    MAX_NESTING);
    struct nlist l;
    nlist_init(&l);
    for (;;) {
        const char *q = find_next(ps->p);
        if (!q) {
            add_text(&l, ps, strlen(ps->p));
            *term = T_EOF;
            *term_line = ps->line;
            break;
        }
        add_text(&l, ps, (size_t)(q - ps->p));
        if (q[0] == '%') {
            if (!in_arg) {
                /* As in LCFG::Template: text cannot hold a "%>". */
                tmpl_free_nodes(l.head);
                return perr(ps, ps->line, "unexpected %%> (no matching <%%)");
            }
            advance(ps, 2);
            *term = T_CLOSE;
            *term_line = ps->line;
            break;
        }
        enum term t = T_NONE;
        if (parse_directive(ps, &l, &t, term_line) < 0) {
            tmpl_free_nodes(l.head);
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

/* The rest of a directive, up to its "%>"; line is where it started. A
 * block opened inside must close inside, so no enclosing block counts. */
static int parse_arg(struct parser *ps, int line, struct node **ret)
{
    struct node *arg;
    enum term t;
    int tl;
    int saved[T_COUNT];
    memcpy(saved, ps->open, sizeof(saved));
    memset(ps->open, 0, sizeof(ps->open));
    int r = parse_seq(ps, true, &arg, &t, &tl);
    memcpy(ps->open, saved, sizeof(saved));
    if (r < 0)
        return -1;
    if (t == T_CLOSE) {
        *ret = arg;
        return 0;
    }
    tmpl_free_nodes(arg);
    if (t == T_EOF)
        return perr(ps, line, "unterminated <%% (no matching %%>)");
    return stray_term(ps, t, tl);
}

/* A block's body, up to a terminator: t1 and t2 are the ones it accepts. */
static int parse_body(struct parser *ps, enum term t1, enum term t2,
                      struct node **ret, enum term *t, int *tl)
{
    ps->open[t1]++;
    ps->open[t2]++;
    int r = parse_seq(ps, false, ret, t, tl);
    ps->open[t1]--;
    ps->open[t2]--;
    return r;
}

/* <%name%>, <%#name%> (after the "<%"), or anything LCFG::Template would
 * take for one: whether it is a derivation and whether the name is valid
 * are found when it is evaluated, as there. */
static int parse_ref(struct parser *ps, int line, struct nlist *l)
{
    struct node *n = new_node(N_REF, line);
    if (parse_arg(ps, line, &n->arg) < 0) {
        tmpl_free_nodes(n);
        return -1;
    }
    /* Most names are literal: trimmed once here, not at every use. */
    if (!n->arg || (n->arg->kind == N_TEXT && !n->arg->next)) {
        const char *s = n->arg ? n->arg->text : "";
        size_t len = n->arg ? n->arg->len : 0;
        while (len > 0 && is_ws(s[len - 1]))
            len--;
        size_t lead = 0;
        while (lead < len && is_ws(s[lead]))
            lead++;
        n->var = xstrndup(s + lead, len - lead);
    }
    nlist_add(l, n);
    return 0;
}

/* The "VAR=" of <%for:%> and <%set:%>. The name must be literal, so it is
 * checked here (even in branches never taken), not at run time: a loop
 * variable is letters and "_" (LCFG::Template checks [a-zA-Z_]+), a set
 * variable may hold digits too (any name <%name%> can find). The blanks
 * after "=" are skipped, as there. Inside a comment nothing is checked,
 * and without "=" *ret_var stays NULL: LCFG::Template reads that as a
 * reference, which a comment never evaluates. */
static int parse_var(struct parser *ps, bool loop, int line, char **ret_var)
{
    const char *kw = loop ? "for" : "set";
    skip_ws(ps);
    const char *s = ps->p;
    size_t i = 0;
    while (s[i] && s[i] != '=' && !(s[i] == '%' && s[i + 1] == '>') &&
           !(s[i] == '<' && s[i + 1] == '%'))
        i++;
    *ret_var = NULL;
    if (s[i] != '=') {
        if (ps->comment)
            return 0;
        return perr(ps, line, "bad <%%%s:%%>: expected <%%%s: VAR=%s%%>", kw,
                    kw, loop ? "LIST" : "VALUE");
    }
    size_t end = i;
    while (end > 0 && is_ws(s[end - 1]))
        end--;
    bool ok = end > 0 || ps->comment;
    for (size_t j = 0; ok && !ps->comment && j < end; j++)
        ok = loop ? is_letter(s[j]) : is_ident(s[j]);
    if (!ok)
        return perr(ps, line, "bad variable name '%.*s' in <%%%s:%%> (%s only)",
                    (int)end, s, kw, loop ? "letters and _" : "letters, digits and _");
    *ret_var = xstrndup(s, end);
    advance(ps, i + 1);
    skip_ws(ps);
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
        parse_body(ps, T_ELSE, T_END, &n->body, &t, &tl) < 0)
        goto fail;
    if (t == T_ELSE) {
        if (parse_body(ps, T_END, T_NONE, &n->alt, &t, &tl) < 0)
            goto fail;
        if (t == T_ELSE) {
            perr(ps, tl, "second <%%else:%%> for <%%%s:%%> at line %d", kw,
                 line);
            goto fail;
        }
    }
    if (t != T_END) {
        bad_end(ps, ifdef ? "<%ifdef:%>" : "<%if:%>", line, t, tl);
        goto fail;
    }
    nlist_add(l, n);
    return 0;
fail:
    tmpl_free_nodes(n);
    return -1;
}

static int parse_for(struct parser *ps, int line, struct nlist *l)
{
    struct node *n = new_node(N_FOR, line);
    enum term t;
    int tl;
    if (parse_var(ps, true, line, &n->var) < 0)
        goto fail;
    if (!n->var) {
        tmpl_free_nodes(n);
        return parse_ref(ps, line, l);
    }
    if (parse_arg(ps, line, &n->arg) < 0 ||
        parse_body(ps, T_END, T_NONE, &n->body, &t, &tl) < 0)
        goto fail;
    if (t != T_END) {
        bad_end(ps, "<%for:%>", line, t, tl);
        goto fail;
    }
    nlist_add(l, n);
    return 0;
fail:
    tmpl_free_nodes(n);
    return -1;
}

static int parse_set(struct parser *ps, int line, struct nlist *l)
{
    struct node *n = new_node(N_SET, line);
    if (parse_var(ps, false, line, &n->var) < 0)
        goto fail;
    if (!n->var) {
        tmpl_free_nodes(n);
        return parse_ref(ps, line, l);
    }
    if (parse_arg(ps, line, &n->arg) < 0)
        goto fail;
    nlist_add(l, n);
    return 0;
fail:
    tmpl_free_nodes(n);
    return -1;
}

/* <%{%> ... <%}%>, after the opening mark. LCFG::Template leaves such
 * text out only of a second, "skip" rendering, which this component does
 * not make (nor does the Xenon port): it is written like any other, so
 * the body joins the enclosing list and costs nothing at run time. */
static int parse_skip(struct parser *ps, int line, struct nlist *l)
{
    struct node *body;
    enum term t;
    int tl;
    if (parse_body(ps, T_ENDSKIP, T_NONE, &body, &t, &tl) < 0)
        return -1;
    if (t != T_ENDSKIP) {
        tmpl_free_nodes(body);
        return bad_end(ps, "<%{%>", line, t, tl);
    }
    if (body) {
        *l->tail = body;
        while (body->next)
            body = body->next;
        l->tail = &body->next;
    }
    return 0;
}

/* A comment, after its opening mark: parsed like any text, so it must be
 * well formed and may nest, then dropped (as in LCFG::Template). */
static int parse_comment(struct parser *ps, int line)
{
    struct node *body;
    enum term t;
    int tl;
    ps->comment++;
    int r = parse_body(ps, T_ENDCOMMENT, T_NONE, &body, &t, &tl);
    ps->comment--;
    if (r < 0)
        return -1;
    tmpl_free_nodes(body);
    if (t != T_ENDCOMMENT)
        return bad_end(ps, "comment <%/*%>", line, t, tl);
    return 0;
}

/* A "<%KEYWORD:" directive; ps->p is just after the colon. In a comment,
 * whatever LCFG::Template would take for a reference (perl:, shell:, an
 * unknown keyword, <%end: x%>) is one, never evaluated. */
static int parse_keyword(struct parser *ps, const char *kw, size_t k,
                         int line, struct nlist *l, enum term *term,
                         int *term_line)
{
#define IS(w) (k == sizeof(w) - 1 && memcmp(kw, w, k) == 0)
    if (IS("else") || IS("end")) {
        skip_ws(ps);
        if (strncmp(ps->p, "%>", 2) == 0) {
            advance(ps, 2);
            *term = IS("else") ? T_ELSE : T_END;
            *term_line = line;
            return 0;
        }
        if (ps->comment || !*ps->p)
            return parse_ref(ps, line, l);
        return perr(ps, line, "<%%%.*s:%%> takes no argument", (int)k, kw);
    }
    if (IS("if") || IS("ifdef"))
        return parse_if(ps, IS("ifdef"), line, l);
    if (IS("for"))
        return parse_for(ps, line, l);
    if (IS("set"))
        return parse_set(ps, line, l);
    if (IS("include")) {
        struct node *n = new_node(N_INCLUDE, line);
        if (parse_arg(ps, line, &n->arg) < 0) {
            tmpl_free_nodes(n);
            return -1;
        }
        nlist_add(l, n);
        return 0;
    }
    if (ps->comment)
        return parse_ref(ps, line, l);
    if (IS("perl") || IS("shell"))
        return perr(ps, line,
                    "<%%%.*s:%%> is not supported (templates cannot run code)",
                    (int)k, kw);
#undef IS
    return perr(ps, line, "unknown directive <%%%.*s:%%>", (int)k, kw);
}

/* The marks LCFG::Template recognises after "<%" and blanks, each alone
 * up to its "%>": the swallow \, skip { and }, comment slash-star and
 * star-slash. The mark's first character, or 0 for none; *end is after
 * its "%>". */
static char parse_mark(const char *w, const char **end)
{
    size_t m = 0;
    if (w[0] == '\\' || w[0] == '{' || w[0] == '}')
        m = 1;
    else if ((w[0] == '/' && w[1] == '*') || (w[0] == '*' && w[1] == '/'))
        m = 2;
    if (!m)
        return 0;
    const char *c = w + m;
    c += ws_len(c);
    if (c[0] != '%' || c[1] != '>')
        return 0;
    *end = c + 2;
    return w[0];
}

/* One directive; ps->p is at its "<%". Appends a node to l, or sets *term
 * for a block's terminator; comments and swallows produce nothing. */
static int parse_directive1(struct parser *ps, struct nlist *l,
                            enum term *term, int *term_line)
{
    int line = ps->line;
    const char *w = ps->p + 2;
    w += ws_len(w);

    const char *end;
    switch (parse_mark(w, &end)) {
    case '\\':
        advance(ps, (size_t)(end - ps->p));
        skip_ws(ps);
        return 0;
    case '{':
        advance(ps, (size_t)(end - ps->p));
        return parse_skip(ps, line, l);
    case '/':
        advance(ps, (size_t)(end - ps->p));
        return parse_comment(ps, line);
    case '}':
    case '*':
        advance(ps, (size_t)(end - ps->p));
        *term = *w == '}' ? T_ENDSKIP : T_ENDCOMMENT;
        *term_line = line;
        return 0;
    }

    size_t k = 0;
    if (is_letter(w[0]))
        for (k = 1; is_ident(w[k]); k++)
            continue;
    if (k > 0) {
        const char *c = w + k + ws_len(w + k);
        if (*c == ':') {
            advance(ps, (size_t)(c + 1 - ps->p));
            return parse_keyword(ps, w, k, line, l, term, term_line);
        }
    }
    advance(ps, 2);
    return parse_ref(ps, line, l);
}

/* Depth counts the directives around the text being parsed; parse_seq
 * checks it, so a deep <%end:%> costs nothing. */
static int parse_directive(struct parser *ps, struct nlist *l,
                           enum term *term, int *term_line)
{
    ps->depth++;
    int r = parse_directive1(ps, l, term, term_line);
    ps->depth--;
    return r;
}

int tmpl_parse_tree(const char *text, const char *file, char **err, struct node **ret)
{
    struct parser ps = { .p = text, .line = 1, .file = file, .err = err };
    struct node *tree;
    enum term t;
    int tl;
    if (parse_seq(&ps, false, &tree, &t, &tl) < 0)
        return -1;
    if (t != T_EOF) {
        tmpl_free_nodes(tree);
        return stray_term(&ps, t, tl);
    }
    *ret = tree;
    return 0;
}
