/* template_impl.h: what the template parser (template_parse.c) and the
 * evaluator (template.c) share: the tree of a parsed template, and the
 * character classes of LCFG::Template's grammar. Not a public API. */
#ifndef LCFGXEN_TEMPLATE_IMPL_H
#define LCFGXEN_TEMPLATE_IMPL_H

#include <stdbool.h>
#include <stddef.h>

enum node_kind {
    N_TEXT,    /* literal text */
    N_REF,     /* <%name%> or <%#name%>: which, is known once expanded */
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
    char *var;          /* N_FOR, N_SET; N_REF: its literal name, trimmed */
    struct node *arg;   /* name, condition, list, value or file name */
    struct node *body;
    struct node *alt;
};

/* Parse text (which the tree's text nodes point into: keep it) into a
 * tree. file names the template in messages. Returns 0, or -1 with *err. */
int tmpl_parse_tree(const char *text, const char *file, char **err, struct node **ret);
void tmpl_free_nodes(struct node *n);

static inline bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f';
}

static inline size_t ws_len(const char *s)
{
    size_t n = 0;
    while (is_ws(s[n]))
        n++;
    return n;
}

static inline bool is_letter(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static inline bool is_ident(char c)
{
    return is_letter(c) || (c >= '0' && c <= '9');
}

/* A name <%name%> can look up: LCFG::Template's Lookup takes
 * [a-zA-Z_0-9]+ and nothing else. */
static inline bool valid_name(const char *s)
{
    static const unsigned char ok[256] = {
        ['0' ... '9'] = 1, ['A' ... 'Z'] = 1, ['_'] = 1, ['a' ... 'z'] = 1,
    };
    const unsigned char *p = (const unsigned char *)s;
    while (ok[*p])
        p++;
    return *p == '\0' && p != (const unsigned char *)s;
}

#endif
