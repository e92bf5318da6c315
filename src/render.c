/* render.c: guest -> configuration text, through the LCFG template engine,
 * then checked by xlcfg. */
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fsutil.h"
#include "template.h"
#include "util.h"
#include "xlcfg.h"

#define DEFAULT_XL_TEMPLATE "xen-guest.cfg.tmpl"
#define DEFAULT_XM_TEMPLATE "xen-guest-xm.cfg.tmpl"

struct rctx {
    const struct host *h;
    const struct guest *g;
    const char *root;
    const char *template;
    struct resset *vars; /* guest-scoped names -> values */
    char *safe_deriv;    /* the last derivation handed out, made safe */
};

const char *render_template_name(const struct host *h, const struct guest *g)
{
    if (!str_empty(g->res[GF_template]))
        return g->res[GF_template];
    if (!str_empty(h->res[HF_template]))
        return h->res[HF_template];
    return strcmp(h->res[HF_format], "xm") ? DEFAULT_XL_TEMPLATE : DEFAULT_XM_TEMPLATE;
}

static void set_num(struct resset *v, const char *name, unsigned long n)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%lu", n);
    resset_set(v, name, buf, NULL);
}

static void set_disk(struct resset *v, const char *prefix, const struct disk *d)
{
    char *n;
    static const char *const xmtype[] = { "", "file", "phy", "phy" };
    bool present = d->type != DISK_NONE;
#define SETD(suffix, value)                                  \
    do {                                                     \
        n = str_join(prefix, '_', suffix);                   \
        resset_set(v, n, value, NULL);                       \
        free(n);                                             \
    } while (0)
    SETD("target", present ? d->path : "");
    SETD("format", present ? (d->format == FORMAT_QCOW2 ? "qcow2" : "raw") : "");
    SETD("vdev", present ? (strcmp(prefix, "disk") ? "xvdb" : "xvda") : "");
    SETD("xmtype", !present ? "" : d->format == FORMAT_QCOW2 ? "tap:qcow2" : xmtype[d->type]);
#undef SETD
}

/* The guest-scoped variables: resources by their short names, derived
 * defaults applied, and the helper values. */
static struct resset *guest_vars(const struct guest *g, const char *template)
{
    struct resset *v = resset_new();
    for (size_t f = 0; f < GF_COUNT; f++)
        resset_set(v, schema_guest[f].name, g->res[f], NULL);
    resset_set(v, "tag", g->tag, NULL);
    resset_set(v, "name", g->name, NULL);
    set_num(v, "maxmem", g->maxmem);
    set_num(v, "maxvcpus", g->maxvcpus);
    set_num(v, "shutdowntimeout", g->shutdown_timeout);
    /* A pv guest with neither kernel nor boot loader boots with pygrub,
     * as the seed's guests always did. */
    if (g->type == GUEST_PV && str_empty(g->res[GF_kernel]) && str_empty(g->res[GF_bootloader]))
        resset_set(v, "bootloader", "pygrub", NULL);
    resset_set(v, "template", template, NULL);
    resset_set(v, "hvm", g->type == GUEST_HVM ? "yes" : "", NULL);
    set_disk(v, "disk", &g->disks[0]);
    set_disk(v, "disksec", &g->disks[1]);
    resset_set(v, "cdrom_vdev", str_empty(g->res[GF_cdpath]) ? "" :
               g->type == GUEST_HVM ? "hdc" : "xvdc", NULL);
    return v;
}

/* Every value handed to a template is one validation accepted, so none
 * can end a string or start a line; this re-checks it all the same. */
static bool value_safe(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f || c == '"' || c == '\'' || c == '\\')
            return false;
    }
    return true;
}

static const char *lookup(void *ctx, const char *name, const char **derivation)
{
    struct rctx *c = ctx;
    const struct resource *r = resset_find(c->vars, name);
    if (!r) {
        /* Host resources and full names; for a guest field, its own
         * derivation is that of name_<tag>... (set below). */
        r = resset_find(c->h->rs, name);
    }
    if (!r)
        return NULL;
    if (derivation) {
        const char *d = r->derivation;
        if (resset_find(c->vars, name) && *d == '\0') {
            char *full = str_join(name, '_', c->g->tag);
            const struct resource *fr = resset_find(c->h->rs, full);
            free(full);
            if (fr)
                d = fr->derivation;
        }
        /* Derivations come from the profile unvalidated: keep them to one
         * line of safe characters. */
        free(c->safe_deriv);
        c->safe_deriv = xstrdup(d);
        for (char *p = c->safe_deriv; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == '"' || *p == '\'' || *p == '\\' ||
                (unsigned char)*p >= 0x7f)
                *p = '?';
        *derivation = c->safe_deriv;
    }
    return value_safe(r->value) ? r->value : NULL;
}

static int include(void *ctx, const char *name, char **ret_text, char **err)
{
    struct rctx *c = ctx;
    if (!check_filename(name)) {
        set_error(err, "not a template file name (no '/' or '..')");
        return -1;
    }
    char *dir = root_path(c->root, c->h->res[HF_templatedir]);
    char *path = xasprintf("%s/%s", dir, name);
    char *e = NULL;
    int rc = fs_read_file(path, ret_text, NULL, &e);
    if (rc < 0)
        set_error(err, "%s", e);
    free(e);
    free(path);
    free(dir);
    return rc;
}

struct cached {
    char *path;
    struct tmpl *t;
};

struct render_cache {
    struct cached *v;
    size_t n;
};

struct render_cache *render_cache_new(void)
{
    return xcalloc(1, sizeof(struct render_cache));
}

void render_cache_free(struct render_cache *rc)
{
    if (!rc)
        return;
    for (size_t i = 0; i < rc->n; i++) {
        free(rc->v[i].path);
        tmpl_free(rc->v[i].t);
    }
    free(rc->v);
    free(rc);
}

/* The parsed template at path: from the cache, or read, parsed and
 * cached. */
static int get_template(struct render_cache *rc, const char *path, const struct tmpl **ret,
                        char **err)
{
    for (size_t i = 0; i < rc->n; i++)
        if (!strcmp(rc->v[i].path, path)) {
            *ret = rc->v[i].t;
            return 0;
        }
    char *text = NULL, *e = NULL;
    struct tmpl *t = NULL;
    if (fs_read_file(path, &text, NULL, &e) < 0 || tmpl_parse(text, path, &t, &e) < 0) {
        set_error(err, "%s", e);
        free(e);
        free(text);
        return -1;
    }
    free(text);
    rc->v = xrealloc(rc->v, (rc->n + 1) * sizeof(*rc->v));
    rc->v[rc->n++] = (struct cached){ xstrdup(path), t };
    *ret = t;
    return 0;
}

int render_guest(const struct host *h, const struct guest *g, const char *root,
                 struct render_cache *cache, char **ret_text, char **err)
{
    const char *tname = render_template_name(h, g);
    struct rctx c = { .h = h, .g = g, .root = root, .template = tname };
    char *dir = root_path(root, h->res[HF_templatedir]);
    char *path = str_join(dir, '/', tname);
    char *text = NULL, *out = NULL, *e = NULL;
    const struct tmpl *t;
    int rc = -1;
    if (get_template(cache, path, &t, &e) < 0) {
        set_error(err, "guest '%s': template %s", g->name, e);
        goto out;
    }
    c.vars = guest_vars(g, tname);
    struct tmpl_env env = { .lookup = lookup, .include = include, .ctx = &c };
    if (tmpl_eval(t, &env, &out, &e) < 0) {
        set_error(err, "guest '%s': template %s", g->name, e);
        goto out;
    }
    enum xlcfg_format fmt = strcmp(h->res[HF_format], "xm") ? XLCFG_XL : XLCFG_XM;
    if (xlcfg_check(out, fmt, &e) < 0) {
        set_error(err, "guest '%s': the config rendered from %s is refused: line %s", g->name,
                  path, e);
        goto out;
    }
    *ret_text = out;
    out = NULL;
    rc = 0;
out:
    resset_free(c.vars);
    free(c.safe_deriv);
    free(out);
    free(e);
    free(text);
    free(path);
    free(dir);
    return rc;
}
