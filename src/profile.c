/* profile.c: resource readers for the XML profile and the environment (the
 * status file's are in statusfile.c). */
#include "profile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "context.h"
#include "lcfgfmt.h"
#include "util.h"

#define COMP "xen"
#define CFG_NS "http://www.lcfg.org/namespace/cfg-1.0"
#define ENV_PREFIX "LCFG_" COMP "_"
#define ENV_LIST "LCFG_" COMP "__RESOURCES"
#define ENV_TYPE_PREFIX "LCFGTYPE_" COMP "_"
#define MAX_NESTING 8

/* ------------------------------------------------------------------ XML */

/* The profile is read with libxml2's SAX2 parser, pulling it in chunks: it builds
 * nothing, and costs half of what its streaming reader does. What the
 * callbacks see is kept on a stack of open elements, one frame each. */
enum frame_kind {
    FR_PATH,   /* profile, lcfg, components: on the way to <xen> */
    FR_SKIP,   /* anything else outside <xen>: ignored to its end */
    FR_XEN,    /* the component */
    FR_VALUE,  /* a resource: its text is the value */
    FR_LIST,   /* a tag list (cfg:template): its children are records */
    FR_RECORD, /* one record of a tag list: its children are resources */
};

#define MAX_TEMPLATES 64

/* A value cannot hold elements, so at most one FR_VALUE frame is open at
 * a time: its name, derivation and text live in the context (struct
 * xml_ctx's value buffers), made without an allocation per resource. The
 * frames that can enclose others own theirs. */
struct frame {
    enum frame_kind kind;
    int level;       /* FR_PATH: how far down the path */
    long line;       /* where the element starts, for messages */
    /* FR_LIST only: */
    char *name;      /* the resource's name */
    char *elem;      /* the element's own name (its records') */
    char *deriv;
    char *context;   /* its cfg:context with its list's (its records'
                      * resources take it), or NULL */
    int prio;        /* its context's priority: < 0 is not applied */
    char *type;      /* "list: " and the templates, as lcfg-core writes it */
    char *templates; /* cfg:template, split in place into tv */
    char *stripped;  /* each template without its "_$"s, in sv */
    char *tv[MAX_TEMPLATES];
    const char *sv[MAX_TEMPLATES];
    bool shadowed[MAX_TEMPLATES]; /* an earlier template strips to the same */
    unsigned char places[MAX_TEMPLATES]; /* each template's "$"s (at most 255 count) */
    int nt;
    int next;        /* the template most likely to match next */
    struct buf value; /* the tags */
};

struct xml_ctx {
    xmlParserCtxtPtr p;
    const char *path;
    const struct xml_source *src;
    struct resset *rs;
    char *err;          /* first error */
    int root_seen, root_closed, found;
    struct frame *st;   /* open elements */
    int depth, cap;
    char *tags[MAX_NESTING]; /* enclosing record tags, outermost first */
    int ntags;
    /* The open FR_VALUE frame's (see struct frame); also where a
     * resource's name is made before its frame is pushed. */
    struct buf vname, vderiv, vtext, vtype;
    int vprio;          /* its context's priority */
    int base_prio;      /* the priority of src->base_context */
    char last;          /* the last byte read: a document that ends early is
                         * said at its last line, not the empty one after */
    bool has_deriv, has_type;
};

static long xml_line(struct xml_ctx *c)
{
    return c->p && c->p->input ? c->p->input->line : -1;
}

static void xml_stop(struct xml_ctx *c)
{
    if (c->p)
        xmlStopParser(c->p);
}

static void xml_error_cb(void *arg, xmlErrorPtr e)
{
    struct xml_ctx *c = arg;
    if (c->err || !e)
        return;
    char *m = xstrdup(e->message ? e->message : "unknown error");
    int line = e->line;
    /* A document that stops early (a truncated download) or has no
     * content at all: say so, not how the parser noticed at its end. */
    if (!c->root_closed &&
        (e->code == XML_ERR_DOCUMENT_END || e->code == XML_ERR_TAG_NOT_FINISHED ||
         e->code == XML_ERR_DOCUMENT_EMPTY)) {
        free(m);
        m = xstrdup(c->root_seen ? "the document ends early (truncated?)"
                                 : "the document is empty");
        if (c->last == '\n' && line > 1)
            line--;
    }
    size_t n = strlen(m);
    while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == ' '))
        m[--n] = '\0';
    c->err = xasprintf("profile %s:%d: malformed XML: %s", c->path, line, m);
    free(m);
    xml_stop(c);
}

/* A problem with the content at line (an element's start). */
static void xml_fail(struct xml_ctx *c, long line, const char *fmt, ...) ATTR_PRINTF(3, 4);
static void xml_fail(struct xml_ctx *c, long line, const char *fmt, ...)
{
    if (c->err)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *m = xvasprintf(fmt, ap);
    va_end(ap);
    c->err = xasprintf("profile %s:%ld: %s", c->path, line, m);
    free(m);
    xml_stop(c);
}

/* Empty b, keeping its storage (buf_str never NULL after). */
static void buf_reset(struct buf *b)
{
    if (b->data) {
        b->len = 0;
        b->data[0] = '\0';
    } else {
        buf_add(b, "", 0);
    }
}

/* The cfg attributes of an element. SAX2 gives five pointers per
 * attribute: local name, prefix, URI, value start, value end. */
enum cfg_attr { A_TEMPLATE, A_TYPE, A_DERIVATION, A_CONTEXT, A_NAME, A_COUNT };

struct attr_text {
    const char *v, *end; /* NULL when absent */
};

/* Every cfg attribute of an element in one pass: resources carry up to
 * three of them. */
static void cfg_attrs(int n, const xmlChar **attrs, struct attr_text out[A_COUNT])
{
    static const char *const names[A_COUNT] = { "template", "type", "derivation", "context",
                                                "name" };
    memset(out, 0, A_COUNT * sizeof(*out));
    for (int i = 0; i < n; i++) {
        const xmlChar **a = attrs + 5 * i;
        const char *name = (const char *)a[0];
        /* By the first letter, then the whole name: one strcmp each. */
        int k = name[0] == 't' ? (name[1] == 'e' ? A_TEMPLATE : A_TYPE)
              : name[0] == 'd' ? A_DERIVATION
              : name[0] == 'c' ? A_CONTEXT : name[0] == 'n' ? A_NAME : A_COUNT;
        if (k == A_COUNT || strcmp(name, names[k]) || !a[2] || strcmp((const char *)a[2], CFG_NS))
            continue;
        out[k].v = (const char *)a[3];
        out[k].end = (const char *)a[4];
    }
}

/* An attribute's value decoded into b (emptied first). */
static void attr_to(const struct attr_text *t, struct buf *b)
{
    /* Without entity substitution the parser leaves each '&' of a value
     * as "&#38;" (so that a tree builder can tell it from a reference):
     * that is the only decoding left to do. */
    const char *v = t->v, *end = t->end;
    buf_reset(b);
    while (v < end) {
        const char *amp = memchr(v, '&', (size_t)(end - v));
        if (!amp) {
            buf_add(b, v, (size_t)(end - v));
            break;
        }
        buf_add(b, v, (size_t)(amp - v));
        v = amp;
        if (end - v >= 5 && !memcmp(v, "&#38;", 5)) {
            buf_addc(b, '&');
            v += 5;
        } else {
            buf_addc(b, *v++);
        }
    }
}

/* The same in a new string, or NULL when absent. */
static char *attr_dup(const struct attr_text *t)
{
    if (!t->v)
        return NULL;
    struct buf b = BUF_INIT;
    attr_to(t, &b);
    return buf_detach(&b);
}

/* A new frame; only what its kind uses is set (see open_list). */
static struct frame *push(struct xml_ctx *c, enum frame_kind kind, long line)
{
    if (c->depth == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 16;
        c->st = xrealloc(c->st, (size_t)c->cap * sizeof(*c->st));
    }
    struct frame *f = &c->st[c->depth++];
    f->kind = kind;
    f->line = line;
    f->level = 0;
    return f;
}

static void frame_free(struct frame *f)
{
    if (f->kind != FR_LIST)
        return;
    free(f->name);
    free(f->elem);
    free(f->deriv);
    free(f->context);
    free(f->type);
    free(f->templates);
    free(f->stripped);
    buf_free(&f->value);
}

/* The name of the resource frame f is reading. */
static const char *frame_name(const struct xml_ctx *c, const struct frame *f)
{
    return f->kind == FR_VALUE ? buf_str((struct buf *)&c->vname) : f->name;
}

/* Expand a tag-list template ("memory_$", "foo_$_$") with the enclosing
 * tags into b. lcfg-core fills the "$"s from the last one backwards with
 * the tags from the innermost outwards (lcfgtemplate_substitute,
 * resources/templates.c), so with as many tags as "$"s the outermost tag
 * replaces the first "$": guest web1's disk d1 has foo_web1_d1, as
 * lcfg-oracle shows (tests/data/lcfgformats). */
static void expand_template(struct buf *b, const char *tmpl, int places, char *const *tags,
                            int ntags)
{
    /* The last "$" takes the innermost tag: the first takes the tag that
     * many places out (fewer tags than places leave the first "$"s). */
    int t = ntags - places;
    buf_reset(b);
    for (const char *p = tmpl;;) {
        const char *d = strchr(p, '$');
        if (!d) {
            if (*p)
                buf_adds(b, p);
            return;
        }
        buf_add(b, p, (size_t)(d - p));
        if (t >= 0)
            buf_adds(b, tags[t]);
        else
            buf_addc(b, '$');
        t++;
        p = d + 1;
    }
}

/* A template with every "_$" removed: what a record's element for it is
 * named. */
static void strip_template(struct buf *b, const char *tmpl)
{
    for (const char *p = tmpl; *p; p++) {
        if (p[0] == '_' && p[1] == '$') {
            p++;
            continue;
        }
        buf_addc(b, *p);
    }
}

/* A resource's derivation: the reader's base derivation (the file of an
 * override profile), then its own; NULL when it has neither. */
static char *derivation_of(const struct xml_ctx *c, const struct attr_text *own)
{
    const char *base = c->src->base_derivation;
    char *d = attr_dup(own);
    if (str_empty(base))
        return d;
    char *r = str_empty(d) ? xstrdup(base) : str_join(base, ' ', d);
    free(d);
    return r;
}

/* The context of a resource: its own cfg:context with base (its list's,
 * or the reader's, of priority base_prio), as one expression into *ret
 * when ret is not NULL (NULL when neither has one), and its priority into
 * *prio (0 without a context). Returns -1 when the expression is not
 * valid (the parse is stopped). */
static int context_of(struct xml_ctx *c, const char *base, int base_prio,
                      const struct attr_text *own, long line, char **ret, int *prio)
{
    if (ret)
        *ret = NULL;
    *prio = base_prio;
    if (own->v == own->end) { /* none, or empty: the base's */
        if (ret && !str_empty(base))
            *ret = xstrdup(base);
        return 0;
    }
    char *mine = attr_dup(own);
    char *expr = ctx_combine(base, mine);
    free(mine);
    char *err = NULL;
    int rc = 0;
    if (ctx_eval(c->src->contexts, expr, prio, &err) < 0) {
        xml_fail(c, line, "resource %s: %s", buf_str(&c->vname), err);
        free(err);
        rc = -1;
    }
    if (ret && rc == 0)
        *ret = expr;
    else
        free(expr);
    return rc;
}

/* A tag list opens: the resource name is in c->vname. tmpl is taken. */
static void open_list(struct xml_ctx *c, char *tmpl, const char *elem, long line,
                      const struct attr_text *at, char *context, int prio)
{
    struct frame *f = push(c, FR_LIST, line);
    f->name = xstrdup(buf_str(&c->vname));
    f->deriv = derivation_of(c, &at[A_DERIVATION]);
    f->context = context;
    f->prio = prio;
    char *decl = str_join("list:", ' ', tmpl);
    f->type = lcfg_type_canon(decl, NULL);
    free(decl);
    f->elem = xstrdup(elem);
    f->templates = tmpl;
    f->nt = 0;
    f->next = 0;
    f->value = (struct buf)BUF_INIT;
    for (char *save = NULL, *t = strtok_r(tmpl, " \t\n", &save);
         t && f->nt < MAX_TEMPLATES; t = strtok_r(NULL, " \t\n", &save)) {
        int np = 0;
        for (const char *d = t; (d = strchr(d, '$')) && np < 255; d++)
            np++;
        f->places[f->nt] = (unsigned char)np;
        f->tv[f->nt++] = t;
    }
    /* The stripped forms, NUL-separated, so that a record's element is
     * matched with one strcmp. */
    struct buf sb = BUF_INIT;
    size_t off[MAX_TEMPLATES];
    for (int k = 0; k < f->nt; k++) {
        off[k] = sb.len;
        strip_template(&sb, f->tv[k]);
        buf_add(&sb, "", 1); /* the NUL between them */
    }
    f->stripped = buf_detach(&sb);
    for (int k = 0; k < f->nt; k++) {
        f->sv[k] = f->stripped + off[k];
        f->shadowed[k] = false;
        for (int j = 0; j < k && !f->shadowed[k]; j++)
            f->shadowed[k] = !strcmp(f->sv[j], f->sv[k]);
    }
}

/* A resource element opens: a value, or a tag list. Its name is in
 * c->vname; base is the context it inherits (its list's), or NULL. */
static void open_resource(struct xml_ctx *c, const char *elem, long line, int nattr,
                          const xmlChar **attrs, const char *base, int base_prio)
{
    const char *name = buf_str(&c->vname);
    if (!lcfg_valid_name(name)) {
        xml_fail(c, line, "'%s' is not a valid resource name", name);
        return;
    }
    struct attr_text at[A_COUNT];
    cfg_attrs(nattr, attrs, at);
    bool list = at[A_TEMPLATE].v != NULL;
    char *context = NULL;
    int prio = base_prio;
    /* Most resources have no context of their own, and a value needs only
     * its priority. */
    if ((at[A_CONTEXT].v != at[A_CONTEXT].end || (list && base)) &&
        context_of(c, base, base_prio, &at[A_CONTEXT], line, list ? &context : NULL, &prio) < 0)
        return;
    if (list) {
        open_list(c, attr_dup(&at[A_TEMPLATE]), elem, line, at, context, prio);
        return;
    }
    push(c, FR_VALUE, line);
    c->vprio = prio;
    if (c->src->base_derivation) {
        char *d = derivation_of(c, &at[A_DERIVATION]);
        buf_reset(&c->vderiv);
        if ((c->has_deriv = d != NULL))
            buf_adds(&c->vderiv, d);
        free(d);
    } else if ((c->has_deriv = at[A_DERIVATION].v != NULL)) {
        attr_to(&at[A_DERIVATION], &c->vderiv);
    }
    if ((c->has_type = at[A_TYPE].v != NULL))
        attr_to(&at[A_TYPE], &c->vtype);
    buf_reset(&c->vtext);
}

/* The first template of list that elem names, or -1. Records mostly name
 * their resources in the templates' order: the one after the last match
 * is tried first, and is the first that matches unless an earlier one
 * strips to the same name. */
static int match_template(struct frame *list, const char *el)
{
    int k = list->next < list->nt ? list->next : 0;
    if (k < list->nt && !list->shadowed[k] && !strcmp(list->sv[k], el)) {
        list->next = k + 1;
        return k;
    }
    for (k = 0; k < list->nt; k++)
        if (!strcmp(list->sv[k], el)) {
            list->next = k + 1;
            return k;
        }
    return -1;
}

static void sax_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                      const xmlChar *uri, int nns, const xmlChar **ns, int nattr, int ndefaulted,
                      const xmlChar **attrs)
{
    (void)prefix, (void)uri, (void)nns, (void)ns, (void)ndefaulted;
    static const char *const path[] = { "profile", "lcfg", "components", COMP };
    struct xml_ctx *c = ctx;
    if (c->err)
        return;
    const char *el = (const char *)localname;
    long line = xml_line(c);
    if (c->depth == 0) {
        if (c->root_seen || strcmp(el, path[0])) {
            xml_fail(c, line, "root element is <%s>, not <profile>", el);
            return;
        }
        c->root_seen = 1;
        push(c, FR_PATH, line)->level = 1;
        return;
    }
    struct frame *top = &c->st[c->depth - 1];
    switch (top->kind) {
    case FR_PATH:
        if (strcmp(el, path[top->level])) {
            push(c, FR_SKIP, line);
        } else if (top->level < 3) {
            push(c, FR_PATH, line)->level = top->level + 1;
        } else if (c->found++) {
            xml_fail(c, line, "component %s appears twice", COMP);
        } else {
            push(c, FR_XEN, line);
        }
        return;
    case FR_SKIP:
        push(c, FR_SKIP, line);
        return;
    case FR_XEN:
        buf_reset(&c->vname);
        buf_adds(&c->vname, el);
        open_resource(c, el, line, nattr, attrs, c->src->base_context, c->base_prio);
        return;
    case FR_VALUE:
        xml_fail(c, line, "resource %s: unexpected element <%s> in a value", frame_name(c, top),
                 el);
        return;
    case FR_LIST: {
        size_t n = strlen(top->elem);
        if (strncmp(el, top->elem, n) || strcmp(el + n, "_RECORD")) {
            xml_fail(c, line, "resource %s: unexpected element <%s> in a tag list", top->name, el);
            return;
        }
        struct attr_text at[A_COUNT];
        cfg_attrs(nattr, attrs, at);
        char *tag = attr_dup(&at[A_NAME]);
        if (!tag) {
            xml_fail(c, line, "resource %s: <%s> without cfg:name", top->name, el);
            return;
        }
        /* The server prefixes "_" to tags that start with a digit or "_". */
        if (tag[0] == '_' && tag[1] != '\0')
            memmove(tag, tag + 1, strlen(tag));
        if (c->ntags == MAX_NESTING) {
            free(tag);
            xml_fail(c, line, "resource %s: tag lists nested too deeply", top->name);
            return;
        }
        if (top->value.len)
            buf_addc(&top->value, ' ');
        buf_adds(&top->value, tag);
        c->tags[c->ntags++] = tag;
        top->next = 0; /* a record starts again at the first template */
        push(c, FR_RECORD, line);
        return;
    }
    case FR_RECORD: {
        struct frame *list = &c->st[c->depth - 2];
        int k = match_template(list, el);
        if (k < 0) {
            xml_fail(c, line, "resource %s: <%s> in record '%s' matches no template of the list",
                     list->name, el, c->tags[c->ntags - 1]);
            return;
        }
        expand_template(&c->vname, list->tv[k], list->places[k], c->tags, c->ntags);
        open_resource(c, el, line, nattr, attrs, list->context, list->prio);
        return;
    }
    }
}

/* A resource read is applied as lcfg-core applies one (xml/resource.c):
 * not at all when its context does not hold, else merged by priority;
 * this says why one could not be. */
static void __attribute__((noinline)) conflict(struct xml_ctx *c, long line, const char *name,
                                               int prio)
{
    if (prio == 0)
        xml_fail(c, line, "resource %s appears twice", name);
    else
        xml_fail(c, line, "resource %s appears twice with context priority %d", name, prio);
}

static inline void take(struct xml_ctx *c, long line, const char *name, const char *value,
                        const char *deriv, int prio)
{
    if (prio >= 0 && resset_merge(c->rs, name, value, deriv, prio) == RS_CONFLICT)
        conflict(c, line, name, prio);
}

/* A resource's cfg:type (or exported LCFGTYPE_), kept for the status file
 * in the form lcfg-core writes it, when lcfg-core can read it and it fits
 * on one line; the values are checked by the model, per resource. */
static void set_type(struct resset *rs, const char *name, const char *decl)
{
    char *type = lcfg_type_canon(decl, NULL);
    /* A line break in a comment would break the status file's line. */
    if (type && *type && !strpbrk(type, "\r\n"))
        resset_set_type(rs, name, type);
    free(type);
}

static void sax_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                    const xmlChar *uri)
{
    (void)localname, (void)prefix, (void)uri;
    struct xml_ctx *c = ctx;
    if (c->err || c->depth == 0)
        return;
    struct frame *f = &c->st[--c->depth];
    switch (f->kind) {
    case FR_VALUE:
        take(c, f->line, buf_str(&c->vname), buf_str(&c->vtext),
             c->has_deriv ? buf_str(&c->vderiv) : NULL, c->vprio);
        if (c->has_type && c->vprio >= 0)
            set_type(c->rs, buf_str(&c->vname), buf_str(&c->vtype));
        break;
    case FR_LIST:
        take(c, f->line, f->name, buf_str(&f->value), f->deriv, f->prio);
        if (f->type && f->prio >= 0)
            resset_set_type(c->rs, f->name, f->type);
        break;
    case FR_RECORD:
        free(c->tags[--c->ntags]);
        break;
    default:
        break;
    }
    if (c->depth == 0)
        c->root_closed = 1;
    frame_free(f);
}

static void sax_text(void *ctx, const xmlChar *text, int len)
{
    struct xml_ctx *c = ctx;
    if (!c->err && c->depth && c->st[c->depth - 1].kind == FR_VALUE)
        buf_add(&c->vtext, (const char *)text, (size_t)len);
}

/* LCFG profiles have no DTD; refusing one up front keeps every entity
 * trick (in text or in attributes, internal or external) out. */
static void sax_doctype(void *ctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
    (void)name, (void)ext, (void)sys;
    struct xml_ctx *c = ctx;
    if (!c->err) /* no line: where the DTD ends is no help */
        c->err = xasprintf("profile %s: a DOCTYPE is not allowed in an LCFG profile", c->path);
    xml_stop(c);
}

/* An entity reference that reaches the application (only possible with
 * declarations, which the DOCTYPE check refuses first). */
static void sax_reference(void *ctx, const xmlChar *name)
{
    (void)name;
    struct xml_ctx *c = ctx;
    xml_fail(c, xml_line(c), "entity references are not allowed");
}

/* libxml2 pulls the profile through this: a streamed read (a profile may
 * be tens of megabytes), without the push parser's look-ahead over every
 * chunk. A read error is said as such, and ends the parse. */
struct xml_input {
    int fd;
    struct xml_ctx *c;
};

static int xml_read_cb(void *arg, char *buffer, int len)
{
    struct xml_input *in = arg;
    for (;;) {
        ssize_t n = read(in->fd, buffer, (size_t)len);
        if (n > 0)
            in->c->last = buffer[n - 1];
        if (n >= 0)
            return (int)n;
        if (errno == EINTR)
            continue;
        if (!in->c->err)
            in->c->err = xasprintf("profile %s: cannot read: %s", in->c->path, strerror(errno));
        return -1;
    }
}

int profile_read_xml(const char *path, struct resset *rs, char **err)
{
    static const struct xml_source none = { 0 };
    return profile_read_xml_ex(path, &none, rs, NULL, err);
}

int profile_read_xml_ex(const char *path, const struct xml_source *src, struct resset *rs,
                        bool *found, char **err)
{
    struct xml_ctx c = { .path = path, .src = src, .rs = rs };
    if (!str_empty(src->base_context)) {
        char *e = NULL;
        if (ctx_eval(src->contexts, src->base_context, &c.base_prio, &e) < 0) {
            set_error(err, "profile %s: %s", path, e);
            free(e);
            return -1;
        }
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        set_error(err, "profile %s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    xmlSAXHandler sax;
    memset(&sax, 0, sizeof(sax));
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = sax_start;
    sax.endElementNs = sax_end;
    sax.characters = sax_text;
    sax.cdataBlock = sax_text;
    sax.ignorableWhitespace = sax_text;
    sax.internalSubset = sax_doctype;
    sax.reference = sax_reference;
    sax.serror = xml_error_cb;
    struct xml_input in = { fd, &c };
    c.p = xmlCreateIOParserCtxt(&sax, &c, xml_read_cb, NULL, &in, XML_CHAR_ENCODING_NONE);
    if (!c.p) {
        close(fd);
        set_error(err, "profile %s: cannot parse: out of memory", path);
        return -1;
    }
    /* No network, no entity substitution, no DTD loading (LSN-2014-0003). */
    xmlCtxtUseOptions(c.p, XML_PARSE_NONET | XML_PARSE_NOCDATA);
    if (c.p->input && c.p->input->filename == NULL)
        c.p->input->filename = (char *)xmlStrdup((const xmlChar *)path);
    (void)xmlParseDocument(c.p);
    close(fd);
    xmlFreeParserCtxt(c.p);
    c.p = NULL;
    for (int i = 0; i < c.ntags; i++)
        free(c.tags[i]);
    for (int i = 0; i < c.depth; i++)
        frame_free(&c.st[i]);
    free(c.st);
    buf_free(&c.vname);
    buf_free(&c.vderiv);
    buf_free(&c.vtype);
    buf_free(&c.vtext);
    if (found)
        *found = c.found;
    else if (!c.err && !c.found)
        c.err = xasprintf("profile %s: no %s component (is %s in profile.components?)", path,
                          COMP, COMP);
    if (c.err) {
        set_error(err, "%s", c.err);
        free(c.err);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------- environment */

static const char *env_get(char *const *envp, const char *key)
{
    size_t n = strlen(key);
    for (char *const *e = envp; e && *e; e++)
        if (strncmp(*e, key, n) == 0 && (*e)[n] == '=')
            return *e + n + 1;
    return NULL;
}

int profile_env_present(char *const *envp)
{
    return env_get(envp, ENV_LIST) != NULL;
}

int profile_read_env(char *const *envp, struct resset *rs, char **err)
{
    const char *list = env_get(envp, ENV_LIST);
    if (!list) {
        set_error(err, "environment: %s is not set", ENV_LIST);
        return -1;
    }
    char *names = xstrdup(list);
    int rc = 0;
    for (char *save = NULL, *n = strtok_r(names, " \t\n", &save); n;
         n = strtok_r(NULL, " \t\n", &save)) {
        if (!lcfg_valid_name(n)) {
            set_error(err, "environment: %s names '%s', not a valid resource name",
                      ENV_LIST, n);
            rc = -1;
            break;
        }
        char *key = xasprintf(ENV_PREFIX "%s", n);
        const char *v = env_get(envp, key);
        free(key);
        if (resset_set(rs, n, v ? v : "", NULL)) {
            set_error(err, "environment: %s names %s twice", ENV_LIST, n);
            rc = -1;
            break;
        }
        /* ngeneric's own resources keep their type (exported when the
         * resources are, with LCFG_OPT_USE_META); the schema types the
         * component's. */
        if (str_starts_with(n, "ng_")) {
            key = xasprintf(ENV_TYPE_PREFIX "%s", n);
            const char *t = env_get(envp, key);
            free(key);
            if (t)
                set_type(rs, n, t);
        }
    }
    free(names);
    return rc;
}
