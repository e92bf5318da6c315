/* profile.c: resource readers (XML profile, status file, environment) and
 * the status-file writer's formatting. */
#include "profile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlreader.h>

#include "util.h"

#define COMP "xen"
#define CFG_NS "http://www.lcfg.org/namespace/cfg-1.0"
#define ENV_PREFIX "LCFG_" COMP "_"
#define ENV_LIST "LCFG_" COMP "__RESOURCES"
#define MAX_NESTING 8

/* LCFG resource names: [A-Za-z][A-Za-z0-9_]* (keeps them safe as shell
 * variable names, which ngeneric relies on). */
static int valid_resource_name(const char *s)
{
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
        return 0;
    for (s++; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
              (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

/* ------------------------------------------------------------------ XML */

struct xml_ctx {
    xmlTextReaderPtr r;
    const char *path;
    struct resset *rs;
    char *err;          /* first error */
    int root_seen, root_closed;
    char *tags[MAX_NESTING]; /* enclosing record tags, outermost first */
    int ntags;
};

static void xml_error_cb(void *arg, xmlErrorPtr e)
{
    struct xml_ctx *c = arg;
    if (c->err || !e)
        return;
    char *m = xstrdup(e->message ? e->message : "unknown error");
    /* libxml2's reader reports a document that stops early (a truncated
     * download) or has no content as "Extra content at the end". */
    if (strstr(m, "Extra content at the end") && !c->root_closed) {
        free(m);
        m = xstrdup(c->root_seen ? "the document ends early (truncated?)"
                                 : "the document is empty");
    }
    size_t n = strlen(m);
    while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == ' '))
        m[--n] = '\0';
    c->err = xasprintf("profile %s:%d: malformed XML: %s", c->path, e->line, m);
    free(m);
}

static void xml_fail(struct xml_ctx *c, const char *fmt, ...) ATTR_PRINTF(2, 3);
static void xml_fail(struct xml_ctx *c, const char *fmt, ...)
{
    if (c->err)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *m = xvasprintf(fmt, ap);
    va_end(ap);
    /* The node's own line: the parser itself may have read ahead. */
    xmlNodePtr node = xmlTextReaderCurrentNode(c->r);
    long line = node ? xmlGetLineNo(node) : -1;
    if (line <= 0)
        line = xmlTextReaderGetParserLineNumber(c->r);
    c->err = xasprintf("profile %s:%ld: %s", c->path, line, m);
    free(m);
}

/* Read one node; 1 = positioned on a node, 0 = end of document, -1 = error. */
static int xml_next(struct xml_ctx *c)
{
    int rc = xmlTextReaderRead(c->r);
    if (rc < 0 && !c->err)
        xml_fail(c, "malformed XML");
    if (rc == 1 && xmlTextReaderDepth(c->r) == 0) {
        int type = xmlTextReaderNodeType(c->r);
        if (type == XML_READER_TYPE_ELEMENT)
            c->root_seen = 1;
        if (type == XML_READER_TYPE_END_ELEMENT ||
            (type == XML_READER_TYPE_ELEMENT && xmlTextReaderIsEmptyElement(c->r)))
            c->root_closed = 1;
    }
    /* LCFG profiles have no DTD; refusing one up front keeps every entity
     * trick (in text or in attributes, internal or external) out. */
    if (rc == 1 && xmlTextReaderNodeType(c->r) == XML_READER_TYPE_DOCUMENT_TYPE) {
        if (!c->err) /* no line: the reader has parsed past the DTD by now */
            c->err = xasprintf("profile %s: a DOCTYPE is not allowed in an LCFG profile",
                               c->path);
        return -1;
    }
    if (rc == 1 && xmlTextReaderNodeType(c->r) == XML_READER_TYPE_ENTITY_REFERENCE) {
        xml_fail(c, "entity references are not allowed");
        return -1;
    }
    return c->err ? -1 : rc;
}

static char *xml_attr(struct xml_ctx *c, const char *local)
{
    /* Most resource elements have no attribute at all: two lookups each
     * would cost more than reading them. */
    if (xmlTextReaderHasAttributes(c->r) != 1)
        return NULL;
    xmlChar *v = xmlTextReaderGetAttributeNs(c->r, BAD_CAST local, BAD_CAST CFG_NS);
    if (!v) {
        char *q = str_join("cfg", ':', local);
        v = xmlTextReaderGetAttribute(c->r, BAD_CAST q);
        free(q);
    }
    if (!v)
        return NULL;
    char *s = xstrdup((const char *)v);
    xmlFree(v);
    return s;
}

static const char *xml_name(struct xml_ctx *c)
{
    const xmlChar *n = xmlTextReaderConstLocalName(c->r);
    return n ? (const char *)n : "";
}

/* Skip the subtree of the element the reader is on. */
static int xml_skip(struct xml_ctx *c)
{
    int rc = xmlTextReaderNext(c->r);
    if (rc < 0 && !c->err)
        xml_fail(c, "malformed XML");
    return c->err ? -1 : rc;
}

/* Expand a tag-list template ("memory_$", "foo_$_$") with the enclosing
 * tags: the innermost tag replaces the first "$" (LCFG applies tags
 * backwards). */
static char *expand_template(const char *tmpl, char *const *tags, int ntags)
{
    struct buf b = BUF_INIT;
    int t = ntags - 1;
    for (const char *p = tmpl; *p; p++) {
        if (*p == '$' && t >= 0)
            buf_adds(&b, tags[t--]);
        else
            buf_addc(&b, *p);
    }
    return buf_detach(&b);
}

/* Does elem name the template, i.e. equal its text with every "_$" removed? */
static int template_matches(const char *tmpl, const char *elem)
{
    size_t i = 0;
    for (const char *p = tmpl; *p; p++) {
        if (p[0] == '_' && p[1] == '$') {
            p++;
            continue;
        }
        if (elem[i++] != *p)
            return 0;
    }
    return elem[i] == '\0';
}

static int xml_read_resource(struct xml_ctx *c, const char *name);

/* On a list element with cfg:template: read its *_RECORD children. */
static int xml_read_list(struct xml_ctx *c, const char *name, const char *tmpl,
                         const char *deriv)
{
    char *templates = xstrdup(tmpl);
    char *tv[64];
    int nt = 0;
    for (char *save = NULL, *t = strtok_r(templates, " \t\n", &save);
         t && nt < (int)ARRAY_SIZE(tv); t = strtok_r(NULL, " \t\n", &save))
        tv[nt++] = t;
    struct buf value = BUF_INIT;
    char *record = str_join(xml_name(c), '_', "RECORD");
    int depth = xmlTextReaderDepth(c->r);
    int rc = -1;

    if (!xmlTextReaderIsEmptyElement(c->r)) {
        for (;;) {
            if (xml_next(c) != 1)
                goto out;
            int type = xmlTextReaderNodeType(c->r);
            if (type == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth(c->r) == depth)
                break;
            if (type != XML_READER_TYPE_ELEMENT)
                continue;
            if (strcmp(xml_name(c), record) != 0) {
                xml_fail(c, "resource %s: unexpected element <%s> in a tag list",
                         name, xml_name(c));
                goto out;
            }
            char *tag = xml_attr(c, "name");
            if (!tag) {
                xml_fail(c, "resource %s: <%s> without cfg:name", name, record);
                goto out;
            }
            /* The server prefixes "_" to tags that start with a digit or "_". */
            if (tag[0] == '_' && tag[1] != '\0')
                memmove(tag, tag + 1, strlen(tag));
            if (c->ntags == MAX_NESTING) {
                free(tag);
                xml_fail(c, "resource %s: tag lists nested too deeply", name);
                goto out;
            }
            if (value.len)
                buf_addc(&value, ' ');
            buf_adds(&value, tag);
            c->tags[c->ntags++] = tag;
            int rdepth = xmlTextReaderDepth(c->r);
            int ok = 1;
            if (!xmlTextReaderIsEmptyElement(c->r)) {
                for (;;) {
                    if (xml_next(c) != 1) {
                        ok = 0;
                        break;
                    }
                    int t2 = xmlTextReaderNodeType(c->r);
                    if (t2 == XML_READER_TYPE_END_ELEMENT &&
                        xmlTextReaderDepth(c->r) == rdepth)
                        break;
                    if (t2 != XML_READER_TYPE_ELEMENT)
                        continue;
                    const char *el = xml_name(c);
                    int k;
                    for (k = 0; k < nt; k++)
                        if (template_matches(tv[k], el))
                            break;
                    if (k == nt) {
                        xml_fail(c, "resource %s: <%s> in record '%s' matches no template of the list",
                                 name, el, tag);
                        ok = 0;
                        break;
                    }
                    char *full = expand_template(tv[k], c->tags, c->ntags);
                    int r2 = xml_read_resource(c, full);
                    free(full);
                    if (r2 < 0) {
                        ok = 0;
                        break;
                    }
                }
            }
            free(c->tags[--c->ntags]);
            if (!ok)
                goto out;
        }
    }
    if (resset_set(c->rs, name, buf_str(&value), deriv)) {
        xml_fail(c, "resource %s appears twice", name);
        goto out;
    }
    rc = 0;
out:
    free(record);
    free(templates);
    buf_free(&value);
    return rc;
}

/* On a resource element: read its value (text) or its tag list. */
static int xml_read_resource(struct xml_ctx *c, const char *name)
{
    if (!valid_resource_name(name)) {
        xml_fail(c, "'%s' is not a valid resource name", name);
        return -1;
    }
    char *tmpl = xml_attr(c, "template");
    char *deriv = xml_attr(c, "derivation");
    int rc = -1;
    if (tmpl) {
        rc = xml_read_list(c, name, tmpl, deriv);
        goto out;
    }
    struct buf value = BUF_INIT;
    if (!xmlTextReaderIsEmptyElement(c->r)) {
        int depth = xmlTextReaderDepth(c->r);
        for (;;) {
            if (xml_next(c) != 1) {
                buf_free(&value);
                goto out;
            }
            int type = xmlTextReaderNodeType(c->r);
            if (type == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth(c->r) == depth)
                break;
            if (type == XML_READER_TYPE_ELEMENT) {
                xml_fail(c, "resource %s: unexpected element <%s> in a value",
                         name, xml_name(c));
                buf_free(&value);
                goto out;
            }
            if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
                type == XML_READER_TYPE_WHITESPACE ||
                type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE) {
                const xmlChar *v = xmlTextReaderConstValue(c->r);
                if (v)
                    buf_adds(&value, (const char *)v);
            }
        }
    }
    if (resset_set(c->rs, name, buf_str(&value), deriv))
        xml_fail(c, "resource %s appears twice", name);
    else
        rc = 0;
    buf_free(&value);
out:
    free(tmpl);
    free(deriv);
    return rc;
}

/* Walk down to /profile/lcfg/components/xen and read its children; every
 * other subtree is skipped unread. */
static int xml_walk(struct xml_ctx *c)
{
    static const char *const path[] = { "profile", "lcfg", "components", COMP };
    int found = 0;
    int have = 0; /* the reader already sits on a node not yet looked at */
    for (;;) {
        if (!have) {
            int rc = xml_next(c);
            if (rc < 0)
                return -1;
            if (rc == 0)
                break;
        }
        have = 0;
        if (xmlTextReaderNodeType(c->r) != XML_READER_TYPE_ELEMENT)
            continue;
        int depth = xmlTextReaderDepth(c->r);
        const char *name = xml_name(c);
        if (depth == 0 && strcmp(name, path[0]) != 0) {
            xml_fail(c, "root element is <%s>, not <profile>", name);
            return -1;
        }
        if (depth < 4 && strcmp(name, path[depth]) == 0) {
            if (depth == 3 && found++) {
                xml_fail(c, "component %s appears twice", COMP);
                return -1;
            }
            continue; /* descend */
        }
        if (depth == 4) {
            char *n = xstrdup(name);
            int r = xml_read_resource(c, n);
            free(n);
            if (r < 0)
                return -1;
            continue;
        }
        int rc = xml_skip(c);
        if (rc < 0)
            return -1;
        if (rc == 0)
            break;
        have = 1;
    }
    if (!found) {
        free(c->err);
        c->err = xasprintf("profile %s: no %s component (is %s in profile.components?)",
                           c->path, COMP, COMP);
        return -1;
    }
    return 0;
}

int profile_read_xml(const char *path, struct resset *rs, char **err)
{
    struct xml_ctx c = { .path = path, .rs = rs };
    /* No network, no entity substitution, no DTD loading (LSN-2014-0003). */
    c.r = xmlReaderForFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOCDATA);
    if (!c.r) {
        set_error(err, "profile %s: cannot open: %s", path,
                  strerror(errno ? errno : EIO));
        return -1;
    }
    xmlTextReaderSetStructuredErrorHandler(c.r, xml_error_cb, &c);
    int rc = xml_walk(&c);
    xmlFreeTextReader(c.r);
    for (int i = 0; i < c.ntags; i++)
        free(c.tags[i]);
    if (rc < 0) {
        set_error(err, "%s", c.err ? c.err : "malformed XML");
        free(c.err);
        return -1;
    }
    free(c.err);
    return 0;
}

/* ---------------------------------------------------------- status file */

/* Decode the entities LCFG uses to keep a value on one line. */
static char *decode_value(const char *s)
{
    struct buf b = BUF_INIT;
    static const struct { const char *ent; char c; } named[] = {
        { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
        { "&quot;", '"' }, { "&apos;", '\'' },
    };
    while (*s) {
        if (*s == '&') {
            size_t k;
            for (k = 0; k < ARRAY_SIZE(named); k++)
                if (str_starts_with(s, named[k].ent))
                    break;
            if (k < ARRAY_SIZE(named)) {
                buf_addc(&b, named[k].c);
                s += strlen(named[k].ent);
                continue;
            }
            if (s[1] == '#' && s[2] >= '0' && s[2] <= '9') {
                char *end;
                long v = strtol(s + 2, &end, 10);
                if (end != s + 2 && *end == ';' && v > 0 && v < 128) {
                    buf_addc(&b, (char)v);
                    s = end + 1;
                    continue;
                }
            }
        }
        buf_addc(&b, *s++);
    }
    return buf_detach(&b);
}

int profile_parse_status(const char *text, const char *name, struct resset *rs,
                         char **err)
{
    int lineno = 0;
    const char *p = text;
    struct resset *deriv = resset_new();
    int rc = 0;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char *line = xstrndup(p, len);
        p += len + (nl ? 1 : 0);
        lineno++;
        if (len && line[len - 1] == '\r')
            line[--len] = '\0';
        if (len == 0) {
            free(line);
            continue;
        }
        char kind = 0;
        char *spec = line;
        if (*spec == '#' || *spec == '%' || *spec == '=' || *spec == '^') {
            kind = *spec;
            spec++;
        }
        char *eq = strchr(spec, '=');
        if (!eq || !str_starts_with(spec, COMP ".")) {
            set_error(err, "resources %s:%d: expected '%s.resource=value', got '%s'",
                      name, lineno, COMP, line);
            free(line);
            rc = -1;
            break;
        }
        *eq = '\0';
        const char *res = spec + strlen(COMP ".");
        if (!valid_resource_name(res)) {
            set_error(err, "resources %s:%d: '%s' is not a valid resource name",
                      name, lineno, res);
            free(line);
            rc = -1;
            break;
        }
        char *value = decode_value(eq + 1);
        if (kind == '#') {
            resset_set(deriv, res, value, NULL);
        } else if (kind == 0) {
            if (resset_set(rs, res, value, NULL)) {
                set_error(err, "resources %s:%d: resource %s appears twice",
                          name, lineno, res);
                rc = -1;
            }
        }
        /* '%' (type), '=' (context) and '^' (priority) carry nothing we use. */
        free(value);
        free(line);
        if (rc < 0)
            break;
    }
    if (rc == 0) {
        for (size_t i = 0; i < resset_count(deriv); i++) {
            const struct resource *d = resset_at(deriv, i);
            const struct resource *r = resset_find(rs, d->name);
            if (r) {
                char *v = xstrdup(r->value);
                resset_set(rs, d->name, v, d->value);
                free(v);
            }
        }
    }
    resset_free(deriv);
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
    if (memchr(buf_str(&b), '\0', b.len)) {
        set_error(err, "resources %s: contains a NUL byte", path);
        buf_free(&b);
        return -1;
    }
    int rc = profile_parse_status(buf_str(&b), path, rs, err);
    buf_free(&b);
    return rc;
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
        if (!valid_resource_name(n)) {
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
    }
    free(names);
    return rc;
}

/* ---------------------------------------------------------- status text */

char *profile_format_status(const struct resset *rs)
{
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < resset_count(rs); i++) {
        const struct resource *r = resset_at(rs, i);
        buf_adds(&b, COMP ".");
        buf_adds(&b, r->name);
        buf_addc(&b, '=');
        /* Runs of plain characters are copied whole: most values have no
         * character to encode at all. */
        for (const char *v = r->value; *v;) {
            size_t n = strcspn(v, "&\n\r");
            buf_add(&b, v, n);
            v += n;
            if (*v == '&')
                buf_adds(&b, "&amp;");
            else if (*v == '\n')
                buf_adds(&b, "&#10;");
            else if (*v == '\r')
                buf_adds(&b, "&#13;");
            if (*v)
                v++;
        }
        buf_addc(&b, '\n');
    }
    return buf_detach(&b);
}
