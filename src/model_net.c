/* model_net.c: the host's own tag lists in the model: the bridges
 * configure makes (xen.bridges) and the site vif scripts it deploys
 * (xen.vifscripts). Their per-item resources (TEMPLATE_TAG, as the guests'
 * are) are gathered in h->itemrs, checked, put in list order after the
 * other host lists' items in h->hlrs, and read into h->bridges and
 * h->vifscripts. */
#include "model_impl.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "util.h"

#define MAX_VLAN 4094ULL

/* An item resource of one of this module's lists (the groups' and the
 * pools' are read by model_groups.c and model.c). */
static bool net_item(size_t f)
{
    return schema_hlist_list[f] == HF_bridges || schema_hlist_list[f] == HF_vifscripts;
}

bool model_items_take(struct host *h, const struct resource *r)
{
    for (size_t f = 0; f < HL_COUNT; f++) {
        if (!net_item(f))
            continue;
        size_t n = strlen(schema_hlist[f].name);
        if (strncmp(r->name, schema_hlist[f].name, n) || r->name[n] != '_')
            continue;
        const char *list = resset_get(h->rs, schema_host[schema_hlist_list[f]].name);
        if (!list || !str_has_word(list, r->name + n + 1))
            continue;
        resset_set(h->itemrs, r->name, r->value, r->derivation);
        return true;
    }
    return false;
}

const char *model_item_unlisted(const char *name)
{
    for (size_t f = 0; f < HL_COUNT; f++) {
        if (!net_item(f))
            continue;
        size_t n = strlen(schema_hlist[f].name);
        if (!strncmp(name, schema_hlist[f].name, n) && name[n] == '_' && check_tag(name + n + 1))
            return schema_host[schema_hlist_list[f]].name;
    }
    return NULL;
}

static void item_bad(struct errlist *errs, int f, const char *tag, const char *value,
                     const char *fmt, ...) ATTR_PRINTF(5, 6);
static void item_bad(struct errlist *errs, int f, const char *tag, const char *value,
                     const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *why = xvasprintf(fmt, ap);
    va_end(ap);
    if (value) {
        char *v = model_value_shown(value);
        errlist_add(errs, "resource %s_%s: '%s' %s", schema_hlist[f].name, tag, v, why);
        free(v);
    } else {
        errlist_add(errs, "resource %s_%s: %s", schema_hlist[f].name, tag, why);
    }
    free(why);
}

static void list_bad(struct errlist *errs, int field, const char *tag, const char *why)
{
    char *v = model_value_shown(tag);
    errlist_add(errs, "resource %s: '%s' %s", schema_host[field].name, v, why);
    free(v);
}

/* The tags of a host list, checked: each an LCFG tag, once. */
static char **list_tags(const struct host *h, int field, struct errlist *errs, size_t *n)
{
    char *copy = xstrdup(h->res[field]);
    char **v = NULL;
    *n = 0;
    for (char *save = NULL, *t = strtok_r(copy, " \t\n", &save); t;
         t = strtok_r(NULL, " \t\n", &save)) {
        bool twice = false;
        for (size_t i = 0; i < *n && !twice; i++)
            twice = !strcmp(v[i], t);
        if (!check_tag(t)) {
            list_bad(errs, field, t, "is not a valid LCFG tag (letters, digits and _)");
        } else if (twice) {
            list_bad(errs, field, t, "is listed twice");
        } else {
            v = xrealloc(v, (*n + 1) * sizeof(*v));
            v[(*n)++] = xstrdup(t);
        }
    }
    free(copy);
    return v;
}

/* Each item's resources in list order, the input's value or the default
 * (booleans canonical), into a new itemrs. */
static void items_order(struct host *h, int field, char **tags, size_t n, struct resset *out)
{
    for (size_t i = 0; i < n; i++)
        for (size_t f = 0; f < HL_COUNT; f++) {
            if ((int)schema_hlist_list[f] != field)
                continue;
            char *name = xasprintf("%s_%s", schema_hlist[f].name, tags[i]);
            const struct resource *r = resset_find(h->itemrs, name);
            const char *v = r ? r->value : schema_hlist[f].dflt, *canon;
            if (schema_hlist[f].type == RT_BOOLEAN && check_boolean(v, &canon))
                v = canon;
            resset_set(out, name, v, r ? r->derivation : NULL);
            resset_set_type(out, name, schema_hlist[f].ltype);
            free(name);
        }
}

static const char *item(const struct host *h, int f, const char *tag)
{
    char *name = xasprintf("%s_%s", schema_hlist[f].name, tag);
    const char *v = resset_get(h->hlrs, name);
    free(name);
    return v ? v : "";
}

static void check_bridges(struct host *h, char **tags, size_t n, struct errlist *errs)
{
    h->bridges = xcalloc(n ? n : 1, sizeof(*h->bridges));
    for (size_t i = 0; i < n; i++) {
        const char *t = tags[i];
        struct hbridge *b = &h->bridges[h->nbridges];
        bool ok = true;
        b->name = arena_strdup(&h->strings, t);
        if (!check_ifname(t)) {
            list_bad(errs, HF_bridges, t, "is not a bridge name (at most 15 characters)");
            ok = false;
        }
        const char *ifn = item(h, HL_bridgeif, t);
        if (*ifn && !check_ifname(ifn)) {
            item_bad(errs, HL_bridgeif, t, ifn, "is not an interface name (1-15 letters, digits, "
                     "_ . -)");
            ok = false;
        } else if (*ifn && str_has_word(h->res[HF_bridges], ifn)) {
            item_bad(errs, HL_bridgeif, t, ifn, "is a bridge of xen.bridges, not a physical "
                     "interface");
            ok = false;
        }
        b->ifname = *ifn ? arena_strdup(&h->strings, ifn) : "";
        const char *vl = item(h, HL_bridgevlan, t);
        unsigned long long vlan = 0;
        if (*vl && (!parse_u64(vl, &vlan) || vlan < 1 || vlan > MAX_VLAN)) {
            item_bad(errs, HL_bridgevlan, t, vl, "is not a VLAN (1-%llu)", MAX_VLAN);
            ok = false;
        } else if (*vl && !*ifn) {
            item_bad(errs, HL_bridgevlan, t, vl, "needs bridgeif_%s (the interface that "
                     "carries the VLAN)", t);
            ok = false;
        } else if (*vl && strlen(ifn) + 1 + strlen(vl) > 15) {
            item_bad(errs, HL_bridgevlan, t, vl, "makes the interface name %s.%s longer than "
                     "15 characters", ifn, vl);
            ok = false;
        }
        b->vlan = (unsigned)vlan;
        const char *stp = item(h, HL_bridgestp, t), *canon;
        if (!check_boolean(stp, &canon)) {
            item_bad(errs, HL_bridgestp, t, stp, "is not a boolean (yes or empty)");
            ok = false;
        }
        b->stp = check_boolean(stp, &canon) && *canon;
        /* A port joins one bridge. */
        for (size_t k = 0; ok && *ifn && k < h->nbridges; k++) {
            const struct hbridge *o = &h->bridges[k];
            if (!strcmp(o->ifname, ifn) && o->vlan == b->vlan) {
                if (b->vlan)
                    item_bad(errs, HL_bridgevlan, t, vl, "on %s is already bridge %s's", ifn,
                             o->name);
                else
                    item_bad(errs, HL_bridgeif, t, ifn, "is already bridge %s's", o->name);
                ok = false;
            }
        }
        if (ok)
            h->nbridges++;
    }
}

const char *const model_xen_vif_scripts[] = {
    "vif-bridge", "vif-route", "vif-nat", "vif-openvswitch", NULL,
};

bool model_vif_script_ok(const struct host *h, const char *name)
{
    for (size_t i = 0; model_xen_vif_scripts[i]; i++)
        if (!strcmp(name, model_xen_vif_scripts[i]))
            return true;
    for (size_t i = 0; i < h->nvifscripts; i++)
        if (!strcmp(name, h->vifscripts[i].name))
            return true;
    return false;
}

/* The other files of Xen's script directory (Xen 4.17's
 * tools/hotplug/Linux): a site script must not take their names. */
int model_vif_script(const struct host *h, const struct where *w, int field, const char *v)
{
    for (int i = 0; model_xen_vif_scripts[i]; i++)
        if (!strcmp(v, model_xen_vif_scripts[i]))
            return i;
    if (model_vif_script_ok(h, v))
        return -2;
    /* Xen's, then the site's. */
    struct buf b = BUF_INIT;
    size_t n = 0;
    while (model_xen_vif_scripts[n])
        n++;
    for (size_t i = 0; i < n + h->nvifscripts; i++) {
        if (i)
            buf_adds(&b, i + 1 == n + h->nvifscripts ? " or " : ", ");
        buf_adds(&b, i < n ? model_xen_vif_scripts[i] : h->vifscripts[i - n].name);
    }
    model_bad(w, field, v, "is not a permitted vif script (%s)", buf_str(&b));
    buf_free(&b);
    return -1;
}

static const char *const xen_script_files[] = {
    "vif-common.sh", "vif-setup", "vif2", "vif-openvswitch", NULL,
};

static void check_vifscripts(struct host *h, char **tags, size_t n, struct errlist *errs)
{
    h->vifscripts = xcalloc(n ? n : 1, sizeof(*h->vifscripts));
    for (size_t i = 0; i < n; i++) {
        const char *t = tags[i];
        char *name = xasprintf("vif-%s", t);
        bool xens = model_vif_script_ok(h, name);
        for (size_t k = 0; xen_script_files[k]; k++)
            xens = xens || !strcmp(name, xen_script_files[k]);
        const char *tmpl = item(h, HL_vifscripttemplate, t);
        if (xens) {
            list_bad(errs, HF_vifscripts, t, "would make a site script of Xen's own name");
        } else if (!check_filename(name)) {
            list_bad(errs, HF_vifscripts, t, "is not a script name");
        } else if (!*tmpl) {
            item_bad(errs, HL_vifscripttemplate, t, NULL, "missing (the template of %s, in "
                     "xen.templatedir)", name);
        } else if (!check_filename(tmpl)) {
            item_bad(errs, HL_vifscripttemplate, t, tmpl, "is not a template file name "
                     "(letters, digits, _ . -; no '/' or '..')");
        } else {
            struct vifscript *s = &h->vifscripts[h->nvifscripts++];
            s->tag = arena_strdup(&h->strings, t);
            s->name = arena_strdup(&h->strings, name);
            s->template = arena_strdup(&h->strings, tmpl);
        }
        free(name);
    }
}

static const char *const netconfigs[] = { "auto", "ifupdown", "networkd", "none", NULL };

void model_items_check(struct host *h, struct errlist *errs)
{
    size_t nb, ns;
    char **bt = list_tags(h, HF_bridges, errs, &nb);
    char **st = list_tags(h, HF_vifscripts, errs, &ns);
    struct resset *ordered = resset_new();
    items_order(h, HF_bridges, bt, nb, ordered);
    items_order(h, HF_vifscripts, st, ns, ordered);
    if (!h->hlrs)
        h->hlrs = resset_new();
    for (size_t i = 0; i < resset_count(ordered); i++) {
        const struct resource *r = resset_at(ordered, i);
        resset_set(h->hlrs, r->name, r->value, r->derivation);
        resset_set_type(h->hlrs, r->name, r->type);
    }
    resset_free(ordered);
    check_bridges(h, bt, nb, errs);
    check_vifscripts(h, st, ns, errs);
    bool known = false;
    for (size_t i = 0; netconfigs[i]; i++)
        known = known || !strcmp(h->res[HF_netconfig], netconfigs[i]);
    if (!known) {
        char *v = model_value_shown(h->res[HF_netconfig]);
        errlist_add(errs, "resource netconfig: '%s' is not a network configuration (auto, "
                    "ifupdown, networkd or none)", v);
        free(v);
    }
    static const int progs[] = { HF_ifup, HF_ifdown, HF_networkctl, HF_ovsvsctl, HF_scriptdir };
    for (size_t i = 0; i < ARRAY_SIZE(progs); i++) {
        const char *why = check_path(h->res[progs[i]]);
        if (why) {
            char *v = model_value_shown(h->res[progs[i]]);
            errlist_add(errs, "resource %s: '%s' %s", schema_host[progs[i]].name, v, why);
            free(v);
        }
    }
    for (size_t i = 0; i < nb; i++)
        free(bt[i]);
    for (size_t i = 0; i < ns; i++)
        free(st[i]);
    free(bt);
    free(st);
}
