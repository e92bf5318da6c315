/* render.c: guest -> configuration text, through the LCFG template engine,
 * then checked by xlcfg. */
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "fsutil.h"
#include "template.h"
#include "util.h"
#include "xlcfg.h"

#define DEFAULT_XL_TEMPLATE "xen-guest.cfg.tmpl"
#define DEFAULT_XM_TEMPLATE "xen-guest-xm.cfg.tmpl"

/* The guest-scoped names: every guest field by its short name, then the
 * helpers. Their values go in an array per guest, found through one index
 * per run: a set of 50 names made afresh for every guest cost more than
 * rendering it. */
static const char *const helper_names[] = {
    "tag", "hvm", "cdrom_vdev",
    "disk_target", "disk_format", "disk_vdev", "disk_xmtype",
    "disksec_target", "disksec_format", "disksec_vdev", "disksec_xmtype",
    "installing", "install_boot", "eth0",
};
enum { H_tag, H_hvm, H_cdrom_vdev, H_disk, H_disksec = H_disk + 4, H_installing = H_disksec + 4,
       H_install_boot, H_eth0, H_COUNT };
#define NVARS (GF_COUNT + H_COUNT)
_Static_assert(ARRAY_SIZE(helper_names) == H_COUNT, "one name per helper");

struct rctx {
    const struct host *h;
    const struct guest *g;
    const char *root;
    const struct resset *index; /* guest-scoped name -> position in vals */
    const char *vals[NVARS];
    char num[5][U64_TEXT_MAX]; /* maxmem, maxvcpus, shutdowntimeout, weight,
                                * cap as text */
    char *safe_deriv;    /* the last derivation handed out, made safe */
    char *xlbridge;      /* the last nxlbridge handed out */
    struct render_trace *trace; /* NULL: not traced */
    bool install;        /* the install config (render_guest_install) */
    bool replay;
    struct buf names;    /* the trace's names */
};

const char *render_template_name(const struct host *h, const struct guest *g)
{
    if (!str_empty(g->res[GF_template]))
        return g->res[GF_template];
    if (!str_empty(h->res[HF_template]))
        return h->res[HF_template];
    return strcmp(h->res[HF_format], "xm") ? DEFAULT_XL_TEMPLATE : DEFAULT_XM_TEMPLATE;
}

static struct resset *vars_index(void)
{
    struct resset *ix = resset_new();
    for (size_t f = 0; f < GF_COUNT; f++)
        resset_set(ix, schema_guest[f].name, "", NULL);
    for (size_t i = 0; i < ARRAY_SIZE(helper_names); i++)
        if (resset_set(ix, helper_names[i], "", NULL))
            abort(); /* a helper named like a guest resource: positions would shift */
    return ix;
}

static void set_disk(struct rctx *c, int at, const struct disk *d, bool first)
{
    static const char *const xmtype[] = { "", "file", "phy", "phy" };
    bool present = d->type != DISK_NONE;
    const char **v = &c->vals[GF_COUNT + at];
    v[0] = present ? d->path : "";
    v[1] = present ? (d->format == FORMAT_QCOW2 ? "qcow2" : "raw") : "";
    v[2] = present ? (first ? "xvda" : "xvdb") : "";
    v[3] = !present ? "" : d->format == FORMAT_QCOW2 ? "tap:qcow2" : xmtype[d->type];
}

/* The guest-scoped variables: resources by their short names, derived
 * defaults applied, and the helper values. */
static void guest_vars(struct rctx *c, const struct guest *g, const char *template)
{
    for (size_t f = 0; f < GF_COUNT; f++)
        c->vals[f] = g->res[f];
    c->vals[GF_name] = g->name;
    u64_text(c->num[0], g->maxmem);
    u64_text(c->num[1], g->maxvcpus);
    u64_text(c->num[2], g->shutdown_timeout);
    c->vals[GF_maxmem] = c->num[0];
    c->vals[GF_maxvcpus] = c->num[1];
    c->vals[GF_shutdowntimeout] = c->num[2];
    /* A pv guest with neither kernel nor boot loader boots with pygrub,
     * as the seed's guests always did. */
    if (g->type == GUEST_PV && str_empty(g->res[GF_kernel]) && str_empty(g->res[GF_bootloader]) &&
        g->firmware == FW_NONE)
        c->vals[GF_bootloader] = "pygrub";
    /* Firmware: grub-xen's image is the kernel (xl's own firmware =
     * "pvgrub64" wants XENFIRMWAREDIR/pvgrub64.bin, which Debian does not
     * ship); bios and uefi are xl's firmware values (uefi: OVMF). */
    c->vals[GF_firmware] = g->firmware == FW_BIOS || g->firmware == FW_UEFI
                           ? firmware_name(g->firmware) : "";
    if (g->firmware_kernel && *g->firmware_kernel)
        c->vals[GF_kernel] = g->firmware_kernel;
    /* The install boot's order (install_boot) replaces the guest's own. */
    c->vals[GF_hvmboot] = c->install ? "" : g->hvm_boot;
    u64_text(c->num[3], g->weight);
    u64_text(c->num[4], g->cap);
    c->vals[GF_weight] = g->weight ? c->num[3] : "";
    c->vals[GF_cap] = g->cap ? c->num[4] : "";
    c->vals[GF_template] = template;
    c->vals[GF_COUNT + H_tag] = g->tag;
    c->vals[GF_COUNT + H_hvm] = g->type == GUEST_HVM ? "yes" : "";
    static const struct disk none = { .type = DISK_NONE };
    const struct disk *seed[2] = { &none, &none };
    for (size_t k = 0; k < g->ndisks && k < 2; k++)
        if (g->disks[k].seed)
            seed[g->disks[k].seed - 1] = &g->disks[k];
    set_disk(c, H_disk, seed[0], true);
    set_disk(c, H_disksec, seed[1], false);
    c->vals[GF_COUNT + H_eth0] = g->nnics && g->nics[0].seed == 1 ? "yes" : "";
    c->vals[GF_COUNT + H_cdrom_vdev] = str_empty(g->res[GF_cdpath]) ? "" :
                                       g->type == GUEST_HVM ? "hdc" : "xvdc";
    c->vals[GF_COUNT + H_installing] = c->install ? "yes" : "";
    c->vals[GF_COUNT + H_install_boot] = !c->install ? ""
                                         : g->install == INSTALL_PXE ? "n"
                                         : g->install == INSTALL_CDROM ? "d" : "";
}

/* Every value handed to a template is one validation accepted, so none
 * can end a string or start a line; this re-checks it all the same. */
static bool value_safe(const char *s)
{
    /* One table look-up a character (every answer of every guest passes
     * here): 1 for the end of the string and each character refused. */
    static const unsigned char stop[256] = {
        [0x00 ... 0x1f] = 1, [0x7f] = 1, ['"'] = 1, ['\''] = 1, ['\\'] = 1,
    };
    const unsigned char *p = (const unsigned char *)s;
    while (!stop[*p])
        p++;
    return *p == '\0';
}

/* A name that could not be written back as one word in a trace. */
static bool name_unusable(const char *name)
{
    return !*name || name[strcspn(name, " \t\n\r#")];
}

static const char *lookup_answer(struct rctx *c, const char *name, long at,
                                 const char **derivation);

/* Every question a traced render asks goes into its trace, with the
 * answer (see render.h). */
static const char *traced(struct rctx *c, const char *name, long at, const char **derivation)
{
    const char *v = lookup_answer(c, name, at, derivation);
    struct render_trace *t = c->trace;
    if (!t)
        return v;
    if (!c->replay) { /* a replay knows its names already, checked by
                       * questions_of */
        /* A name that could not be written back as one word is not
         * replayed. */
        if (name_unusable(name))
            t->usable = false;
        if (c->names.len)
            buf_addc(&c->names, ' ');
        if (derivation)
            buf_addc(&c->names, '#');
        buf_adds(&c->names, name);
    }
    /* The names need no digest: a replay asks the recorded ones. An
     * answer is digested with its NUL, so a piece of length 0 is "not
     * found"; only a found value comes with a derivation. */
    unsigned long long h = t->digest;
    if (!v) {
        h = hash64(h, "", 0);
    } else {
        h = hash64(h, v, strlen(v) + 1);
        if (derivation)
            h = hash64(h, *derivation, strlen(*derivation) + 1);
    }
    t->digest = h;
    return v;
}

static const char *lookup(void *ctx, const char *name, const char **derivation)
{
    struct rctx *c = ctx;
    return traced(c, name, resset_index(c->index, name), derivation);
}

/* The guest's list items by short names, NAME_ITEM: each item resource
 * (dsize_d1: dsize_<tag>_d1), with the effective dvdev, and the helpers
 * of the template header (dtarget, dxmtype; nxlbridge). NULL when name is
 * none of these. */
static const char *item_answer(struct rctx *c, const char *name, const char **deriv)
{
    const struct guest *g = c->g;
    size_t n = strcspn(name, "_");
    if (!name[n] || (name[0] != 'd' && name[0] != 'n'))
        return NULL;
    const char *item = name + n + 1;
    static const char *const xmtype[] = { "", "file", "phy", "phy" };
    if (name[0] == 'd') {
        const struct disk *d = NULL;
        for (size_t k = 0; k < g->ndisks && !d; k++)
            if (!g->disks[k].seed && !strcmp(g->disks[k].item, item))
                d = &g->disks[k];
        if (!d)
            return NULL;
        if (n == 7 && !strncmp(name, "dtarget", n))
            return d->path;
        if (n == 7 && !strncmp(name, "dxmtype", n))
            return d->format == FORMAT_QCOW2 ? "tap:qcow2" : xmtype[d->type];
        if (n == 5 && !strncmp(name, "dvdev", n))
            return d->vdev;
        if (n == 9 && !strncmp(name, "dreadonly", n))
            return d->readonly ? "yes" : "";
    } else {
        const struct nic *nic = NULL;
        for (size_t k = 0; k < g->nnics && !nic; k++)
            if (!g->nics[k].seed && !strcmp(g->nics[k].item, item))
                nic = &g->nics[k];
        if (!nic)
            return NULL;
        if (n == 9 && !strncmp(name, "nxlbridge", n)) {
            /* vif-openvswitch takes the VLAN as BRIDGE.VLAN (xl.cfg(5)). */
            free(c->xlbridge);
            c->xlbridge = nic->vlan ? xasprintf("%s.%lu", nic->bridge, nic->vlan)
                                    : xstrdup(nic->bridge);
            return c->xlbridge;
        }
    }
    for (int sl = 0; sl < SL_COUNT; sl++)
        for (int f = schema_sublist[sl].first;
             f < schema_sublist[sl].first + schema_sublist[sl].count; f++) {
            if (strncmp(schema_item[f].name, name, n) || schema_item[f].name[n])
                continue;
            for (size_t k = 0; k < g->nitems[sl]; k++)
                if (!strcmp(g->items[sl][k].tag, item)) {
                    *deriv = g->items[sl][k].deriv[f];
                    return g->items[sl][k].res[f];
                }
            return NULL;
        }
    return NULL;
}

/* at: name's position among the guest-scoped names, or -1. */
static const char *lookup_answer(struct rctx *c, const char *name, long at,
                                 const char **derivation)
{
    const char *value, *d = "";
    if (at >= 0) {
        value = c->vals[at];
        /* A guest-scoped name's derivation is that of its full name. */
        if (derivation && at < GF_COUNT) {
            d = c->g->deriv[at];
        } else if (derivation) {
            char *full = str_join(name, '_', c->g->tag);
            if (!host_lookup(c->h, full, &d, NULL))
                d = "";
            free(full);
        }
    } else if ((value = item_answer(c, name, &d))) {
        /* A list item's resource or helper (dsize_d1, dtarget_d1). */
    } else {
        /* Host resources and full names. */
        value = host_lookup(c->h, name, &d, NULL);
        if (!value)
            return NULL;
    }
    if (derivation) {
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
    return value_safe(value) ? value : NULL;
}

static int include(void *ctx, const char *name, char **ret_text, char **err)
{
    struct rctx *c = ctx;
    /* Included files are not part of a trace: such a render is always
     * done again. */
    if (c->trace)
        c->trace->usable = false;
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
    unsigned long long text_hash;
};

/* A trace's names, parsed, with their positions among the guest-scoped
 * names: most guests ask the same questions. */
struct question {
    char *name;
    long at;
    bool deriv;
};
struct questions {
    char *names; /* the list these were made from */
    bool unusable; /* a name is not one word (see traced) */
    struct question *v;
    size_t n;
};

/* What names the template the last guest replayed with (root,
 * templatedir, template name, format), and the digest its traces start
 * from: most guests share one, and finding it by path and making the
 * digest again cost more than the rest of a replay. */
struct last_template {
    bool set;
    char *root, *dir, *tname, *format;
    unsigned long long start; /* see start_digest */
};

struct render_cache {
    struct cached *v;
    size_t n;
    struct questions q;
    struct resset *index; /* see vars_index */
    unsigned long long exe; /* this program's file, hashed; 0: unknown */
    struct last_template last;
};

static void last_clear(struct last_template *l)
{
    free(l->root);
    free(l->dir);
    free(l->tname);
    free(l->format);
    memset(l, 0, sizeof(*l));
}

struct render_cache *render_cache_new(void)
{
    struct render_cache *rc = xcalloc(1, sizeof(struct render_cache));
    rc->index = vars_index();
    /* A trace holds for the program that made it: another build may
     * render the same answers differently. Its file changes with it. */
    struct stat st;
    if (stat("/proc/self/exe", &st) == 0) {
        unsigned long long id[5] = { st.st_dev, st.st_ino, (unsigned long long)st.st_size,
                                     (unsigned long long)st.st_mtim.tv_sec,
                                     (unsigned long long)st.st_mtim.tv_nsec };
        rc->exe = hash64(HASH64_INIT, id, sizeof(id));
    }
    return rc;
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
    for (size_t i = 0; i < rc->q.n; i++)
        free(rc->q.v[i].name);
    free(rc->q.v);
    free(rc->q.names);
    resset_free(rc->index);
    last_clear(&rc->last);
    free(rc);
}

/* names, parsed: kept for the next guest, which most likely asks the
 * same. */
static const struct questions *questions_of(struct render_cache *rc, const char *names)
{
    struct questions *q = &rc->q;
    if (q->names && !strcmp(q->names, names))
        return q;
    for (size_t i = 0; i < q->n; i++)
        free(q->v[i].name);
    q->n = 0;
    q->unusable = false;
    free(q->names);
    q->names = xstrdup(names);
    size_t cap = 0;
    for (const char *p = names; *p;) {
        size_t n = strcspn(p, " ");
        bool deriv = *p == '#';
        if (q->n == cap) {
            cap = cap ? 2 * cap : 64;
            q->v = xrealloc(q->v, cap * sizeof(*q->v));
        }
        char *name = xstrndup(p + deriv, n - deriv);
        if (name_unusable(name))
            q->unusable = true;
        q->v[q->n++] = (struct question){ name, resset_index(rc->index, name), deriv };
        p += n + (p[n] == ' ');
    }
    return q;
}

/* The parsed template at path: from the cache, or read, parsed and
 * cached. */
static int get_template(struct render_cache *rc, const char *path, const struct cached **ret,
                        char **err)
{
    for (size_t i = 0; i < rc->n; i++)
        if (!strcmp(rc->v[i].path, path)) {
            *ret = &rc->v[i];
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
    unsigned long long th = hash64(HASH64_INIT, text, strlen(text));
    free(text);
    rc->v = xrealloc(rc->v, (rc->n + 1) * sizeof(*rc->v));
    rc->v[rc->n++] = (struct cached){ xstrdup(path), t, th };
    *ret = &rc->v[rc->n - 1];
    return 0;
}

/* A trace starts from what every answer is read with: the program, the
 * template file's name and text, and the format the text is checked as. */
static unsigned long long start_digest(const struct render_cache *rc, const struct cached *ct,
                                       const char *tname, const char *format)
{
    unsigned long long h = hash64(HASH64_INIT, &rc->exe, sizeof(rc->exe));
    h = hash64(h, &ct->text_hash, sizeof(ct->text_hash));
    h = hash64(h, tname, strlen(tname) + 1);
    return hash64(h, format, strlen(format) + 1);
}

/* A new trace, from start_digest's digest. */
static void trace_start(struct render_trace *t, const struct render_cache *rc,
                        unsigned long long start)
{
    memset(t, 0, sizeof(*t));
    t->usable = rc->exe != 0;
    t->digest = start;
}

void render_trace_free(struct render_trace *t)
{
    free(t->names);
    t->names = NULL;
}

/* The template g renders with, parsed (through cache): its name, with its
 * path in *ret_path (caller frees, even on failure), or NULL with *err. */
static const char *template_for(const struct host *h, const struct guest *g, const char *root,
                                struct render_cache *cache, char **ret_path,
                                const struct cached **ret, char **err)
{
    const char *tname = render_template_name(h, g);
    char *dir = root_path(root, h->res[HF_templatedir]);
    *ret_path = str_join(dir, '/', tname);
    free(dir);
    return get_template(cache, *ret_path, ret, err) < 0 ? NULL : tname;
}

static int render_with(const struct host *h, const struct guest *g, const char *root,
                       struct render_cache *cache, bool install, char **ret_text,
                       struct render_trace *trace, char **err);

int render_guest(const struct host *h, const struct guest *g, const char *root,
                 struct render_cache *cache, char **ret_text, char **err)
{
    return render_with(h, g, root, cache, false, ret_text, NULL, err);
}

int render_guest_traced(const struct host *h, const struct guest *g, const char *root,
                        struct render_cache *cache, char **ret_text, struct render_trace *trace,
                        char **err)
{
    return render_with(h, g, root, cache, false, ret_text, trace, err);
}

/* The installer's command line: @name@, @mac@, @uuid@ and @tag@ replaced
 * by the guest's (each a validated value: the result is as safe). */
static char *install_cmdline(const struct guest *g)
{
    static const char *const words[] = { "@name@", "@mac@", "@uuid@", "@tag@" };
    const char *vals[] = { g->name, g->res[GF_mac], g->uuid, g->tag };
    struct buf b = BUF_INIT;
    for (const char *p = g->install_extra; *p;) {
        size_t k = 0;
        while (k < ARRAY_SIZE(words) && strncmp(p, words[k], strlen(words[k])))
            k++;
        if (k < ARRAY_SIZE(words)) {
            buf_adds(&b, vals[k]);
            p += strlen(words[k]);
        } else {
            buf_addc(&b, *p++);
        }
    }
    return buf_detach(&b);
}

int render_guest_install(const struct host *h, const struct guest *g, const char *root,
                         struct render_cache *cache, char **ret_text, char **err)
{
    struct guest ig = *g;
    char *extra = install_cmdline(g);
    bool kernel = g->install == INSTALL_KERNEL;
    ig.res[GF_kernel] = kernel ? g->install_kernel : "";
    ig.res[GF_ramdisk] = kernel ? g->install_ramdisk : "";
    ig.res[GF_cmdline] = kernel ? extra : "";
    ig.res[GF_bootloader] = "";
    if (kernel) { /* the installer's kernel, not the guest's firmware */
        ig.firmware = FW_NONE;
        ig.firmware_kernel = "";
    }
    /* The domain stays, shut down, with its shutdown reason, until the
     * component has read how the install ended (install.h). */
    ig.res[GF_on_poweroff] = ig.res[GF_on_reboot] = ig.res[GF_on_crash] = "preserve";
    int rc;
    if (strlen(extra) > 1024) {
        set_error(err, "guest '%s': the installer's command line (installextra, its @...@ "
                  "replaced) is longer than 1024 characters", g->name);
        rc = -1;
    } else {
        rc = render_with(h, &ig, root, cache, true, ret_text, NULL, err);
    }
    free(extra);
    return rc;
}

static int render_with(const struct host *h, const struct guest *g, const char *root,
                       struct render_cache *cache, bool install, char **ret_text,
                       struct render_trace *trace, char **err)
{
    struct rctx c = { .h = h, .g = g, .root = root, .index = cache->index, .install = install };
    char *path = NULL, *out = NULL, *e = NULL;
    const struct cached *ct;
    struct render_trace t;
    int rc = -1;
    const char *tname = template_for(h, g, root, cache, &path, &ct, &e);
    if (!tname) {
        set_error(err, "guest '%s': template %s", g->name, e);
        goto out;
    }
    guest_vars(&c, g, tname);
    if (trace) {
        trace_start(&t, cache, start_digest(cache, ct, tname, h->res[HF_format]));
        c.trace = &t;
    }
    struct tmpl_env env = { .lookup = lookup, .include = include, .ctx = &c };
    if (tmpl_eval(ct->t, &env, &out, &e) < 0) {
        set_error(err, "guest '%s': template %s", g->name, e);
        goto out;
    }
    enum xlcfg_format fmt = strcmp(h->res[HF_format], "xm") ? XLCFG_XL : XLCFG_XM;
    /* The site's vif scripts are allowed as well as Xen's. */
    const char **sites = xcalloc(h->nvifscripts + 1, sizeof(*sites));
    for (size_t i = 0; i < h->nvifscripts; i++)
        sites[i] = h->vifscripts[i].name;
    int checked = xlcfg_check_sites(out, fmt, sites, &e);
    free(sites);
    if (checked < 0) {
        set_error(err, "guest '%s': the config rendered from %s is refused: line %s", g->name,
                  path, e);
        goto out;
    }
    if (trace) {
        t.names = buf_detach(&c.names);
        t.out_len = strlen(out);
        t.out_hash = hash64(HASH64_INIT, out, t.out_len);
        *trace = t;
    }
    *ret_text = out;
    out = NULL;
    rc = 0;
out:
    buf_free(&c.names);
    free(c.safe_deriv);
    free(c.xlbridge);
    free(out);
    free(e);
    free(path);
    return rc;
}

/* The last template's, when g's is the same. */
static bool last_matches(const struct last_template *l, const char *root, const char *dir,
                         const char *tname, const char *format)
{
    return l->set && !strcmp(l->tname, tname) && !strcmp(l->dir, dir) &&
           !strcmp(l->format, format) && !strcmp(l->root, root ? root : "");
}

int render_replay(const struct host *h, const struct guest *g, const char *root,
                  struct render_cache *cache, const char *names, unsigned long long *digest)
{
    struct rctx c = { .h = h, .g = g, .root = root, .index = cache->index, .replay = true };
    char *path = NULL, *e = NULL;
    const struct cached *ct;
    struct render_trace t;
    int rc = -1;
    const char *tname = render_template_name(h, g);
    struct last_template *l = &cache->last;
    if (!last_matches(l, root, h->res[HF_templatedir], tname, h->res[HF_format])) {
        last_clear(l);
        tname = template_for(h, g, root, cache, &path, &ct, &e);
        if (tname)
            *l = (struct last_template){ true, xstrdup(root ? root : ""),
                                         xstrdup(h->res[HF_templatedir]), xstrdup(tname),
                                         xstrdup(h->res[HF_format]),
                                         start_digest(cache, ct, tname, h->res[HF_format]) };
    }
    if (tname) {
        guest_vars(&c, g, tname);
        trace_start(&t, cache, l->start);
        c.trace = &t;
        /* The same questions, in the same order, through the same lookup;
         * the names of a list are looked up in the index once. */
        const struct questions *q = questions_of(cache, names);
        if (q->unusable)
            t.usable = false;
        for (size_t i = 0; i < q->n; i++) {
            const char *d = NULL;
            (void)traced(&c, q->v[i].name, q->v[i].at, q->v[i].deriv ? &d : NULL);
        }
        *digest = t.digest;
        rc = t.usable ? 0 : -1;
    }
    buf_free(&c.names);
    free(c.safe_deriv);
    free(c.xlbridge);
    free(e);
    free(path);
    return rc;
}
