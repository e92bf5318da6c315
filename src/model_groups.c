/* model_groups.c: groups of guests (xen.groups). Each item of the list
 * carries defaults for its members, the guests whose group_<tag> names
 * it; a member's own value wins, its empty one takes the group's. The
 * model resolves them before the guests are checked, so that everything
 * after (checks, render, plans, status) sees the effective values; the
 * status file keeps the input (host_format_status).
 *
 * group_<tag> was there before the groups (the spanning map publishes it,
 * antiaffinity spreads a group's guests over the hosts): a profile without
 * xen.groups may name any group, and one with it may still name a group
 * that only antiaffinity lists. */
#include "model_groups.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "util.h"

/* The inheritable fields: the guest's field, the group's, and the value
 * an empty one has without a group's ("": none, the guest's own rules). */
static const struct {
    int gf, grf;
    const char *fallback;
} inherit[] = {
    { GF_memory, GR_memory, "" },
    { GF_maxmem, GR_maxmem, "" },
    { GF_vcpus, GR_vcpus, "1" },
    { GF_disk, GR_disk, "" },
    { GF_template, GR_template, "" },
    { GF_bridge, GR_bridge, "xenbr0" },
    { GF_bootorder, GR_bootorder, "0" },
};

/* A group's fields are the items of xen.groups in schema_hlist, in order. */
_Static_assert(HL_groupbootorder - HL_groupmemory + 1 == GR_COUNT, "one field per group resource");
#define GROUP_DEF(f) (&schema_hlist[HL_groupmemory + (f)])

void groups_read(struct host *h, const struct resset *input, struct errlist *errs)
{
    const char *lname = schema_host[HF_groups].name;
    char *list = xstrdup(resset_get(h->rs, lname));
    struct buf norm = BUF_INIT;
    size_t cap = 0;
    for (char *save = NULL, *t = strtok_r(list, " \t\n", &save); t;
         t = strtok_r(NULL, " \t\n", &save)) {
        char *v = model_value_shown(t);
        bool twice = false;
        for (size_t i = 0; i < h->ngroups && !twice; i++)
            twice = !strcmp(h->groups[i].tag, t);
        if (!check_tag(t))
            errlist_add(errs, "resource groups: '%s' is not a valid LCFG tag (letters, digits "
                        "and _)", v);
        else if (twice)
            errlist_add(errs, "resource groups: '%s' is listed twice", v);
        free(v);
        if (!check_tag(t) || twice)
            continue;
        if (h->ngroups == cap) {
            cap = cap ? cap * 2 : 8;
            h->groups = xrealloc(h->groups, cap * sizeof(*h->groups));
        }
        struct group *gr = &h->groups[h->ngroups++];
        memset(gr, 0, sizeof(*gr));
        gr->tag = arena_strdup(&h->strings, t);
        if (norm.len)
            buf_addc(&norm, ' ');
        buf_adds(&norm, t);
    }
    free(list);
    if (h->ngroups) {
        char *deriv = xstrdup(resset_find(h->rs, lname)->derivation);
        resset_set(h->rs, lname, buf_str(&norm), deriv);
        free(deriv);
    }
    buf_free(&norm);
    if (!h->hlrs)
        h->hlrs = resset_new();
    for (size_t i = 0; i < h->ngroups; i++)
        for (size_t f = 0; f < GR_COUNT; f++) {
            char *name = str_join(GROUP_DEF(f)->name, '_', h->groups[i].tag);
            const struct resource *r = resset_find(input, name);
            resset_set(h->hlrs, name, r ? r->value : GROUP_DEF(f)->dflt, r ? r->derivation : NULL);
            resset_set_type(h->hlrs, name, GROUP_DEF(f)->ltype);
            free(name);
        }
}

const char *groups_unlisted_tag(const char *name)
{
    for (size_t f = 0; f < GR_COUNT; f++) {
        size_t n = strlen(GROUP_DEF(f)->name);
        if (!strncmp(name, GROUP_DEF(f)->name, n) && name[n] == '_' && check_tag(name + n + 1))
            return name + n + 1;
    }
    return NULL;
}

static void group_bad(struct errlist *errs, struct group *gr, int f, const char *fmt, ...)
    ATTR_PRINTF(4, 5);
static void group_bad(struct errlist *errs, struct group *gr, int f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *why = xvasprintf(fmt, ap);
    va_end(ap);
    char *v = model_value_shown(gr->res[f]);
    errlist_add(errs, "group '%s': resource %s_%s: '%s' %s", gr->tag, GROUP_DEF(f)->name,
                gr->tag, v, why);
    free(v);
    free(why);
    gr->bad |= 1u << f;
}

/* A whole number within [min, max] (empty: not set, *out left as it is). */
static void group_uint(struct errlist *errs, struct group *gr, int f, unsigned long long min,
                       unsigned long long max, const char *unit, unsigned long long *out)
{
    unsigned long long n;
    if (str_empty(gr->res[f]))
        return;
    if (!parse_u64(gr->res[f], &n))
        group_bad(errs, gr, f, "is not a whole number");
    else if (n < min || n > max)
        group_bad(errs, gr, f, "is out of range (%llu-%llu%s%s)", min, max, *unit ? " " : "",
                  unit);
    else
        *out = n;
}

void groups_check(struct host *h, struct errlist *errs)
{
    for (size_t i = 0; i < h->ngroups; i++) {
        struct group *gr = &h->groups[i];
        for (size_t f = 0; f < GR_COUNT; f++) {
            char *name = str_join(GROUP_DEF(f)->name, '_', gr->tag);
            const struct resource *r = resset_find(h->hlrs, name);
            free(name);
            gr->res[f] = r->value;
            gr->deriv[f] = r->derivation ? r->derivation : "";
        }
        unsigned long long mem = 0, max = 0, n;
        group_uint(errs, gr, GR_memory, MIN_MEMORY_MB, MAX_MEMORY_MB, "MB", &mem);
        group_uint(errs, gr, GR_maxmem, MIN_MEMORY_MB, MAX_MEMORY_MB, "MB", &max);
        if (mem && max && mem > max)
            group_bad(errs, gr, GR_memory, "is more than groupmaxmem_%s (%llu MB)",
                      gr->tag, max);
        group_uint(errs, gr, GR_vcpus, 1, MAX_VCPUS, "vcpus", &n);
        group_uint(errs, gr, GR_disk, 1, MAX_DISK_GB, "GB", &n);
        group_uint(errs, gr, GR_bootorder, 0, MAX_BOOT_ORDER, "", &n);
        const char *t = gr->res[GR_template];
        if (!str_empty(t) && !check_filename(t))
            group_bad(errs, gr, GR_template,
                      "is not a template file name (letters, digits, _ . -; no '/' or '..')");
        const char *b = gr->res[GR_bridge];
        if (!str_empty(b) && !check_ifname(b))
            group_bad(errs, gr, GR_bridge,
                      "is not a bridge name (1-15 letters, digits, _ . -)");
    }
}

const struct group *host_find_group(const struct host *h, const char *tag)
{
    for (size_t i = 0; i < h->ngroups; i++)
        if (!strcmp(h->groups[i].tag, tag))
            return &h->groups[i];
    return NULL;
}

void groups_resolve(struct host *h, struct errlist *errs)
{
    for (size_t i = 0; i < h->nguests; i++) {
        struct guest *g = &h->guests[i];
        const char *name = g->res[GF_group];
        /* A name that is no tag is check_guest's to report. */
        if (!str_empty(name) && check_tag(name)) {
            g->group = host_find_group(h, name);
            if (!g->group && h->ngroups && !str_has_word(h->res[HF_antiaffinity], name))
                errlist_add(errs, "guest '%s': resource group_%s: '%s' is not a group of "
                            "xen.groups (nor of xen.antiaffinity)", g->tag, g->tag, name);
        }
        for (size_t k = 0; k < ARRAY_SIZE(inherit); k++) {
            int f = inherit[k].gf, gf = inherit[k].grf;
            if (!str_empty(g->res[f]))
                continue;
            /* A disk size is for an image or lvm disk (none, physical: no
             * size). */
            if (f == GF_disk && strcmp(g->res[GF_disktype], "image") &&
                strcmp(g->res[GF_disktype], "lvm"))
                continue;
            const struct group *gr = g->group;
            if (gr && !str_empty(gr->res[gf]) && !(gr->bad & (1u << gf))) {
                g->res[f] = gr->res[gf];
                g->deriv[f] = gr->deriv[gf];
                g->inherited |= (unsigned char)(1u << k);
                g->filled |= (unsigned char)(1u << k);
            } else if (*inherit[k].fallback) {
                g->res[f] = inherit[k].fallback;
                g->deriv[f] = "";
                g->filled |= (unsigned char)(1u << k);
            }
        }
    }
}

_Static_assert(ARRAY_SIZE(inherit) <= 8, "one bit each in a guest's inherited and filled");

const struct group *guest_inherits(const struct guest *g, int f)
{
    for (size_t k = 0; k < ARRAY_SIZE(inherit); k++)
        if (inherit[k].gf == f)
            return g->inherited & (1u << k) ? g->group : NULL;
    return NULL;
}

bool groups_input(const struct guest *g, const char **res)
{
    if (!g->filled)
        return false;
    memcpy(res, g->res, GF_COUNT * sizeof(*res));
    for (size_t k = 0; k < ARRAY_SIZE(inherit); k++)
        if (g->filled & (1u << k))
            res[inherit[k].gf] = "";
    return true;
}

/* Rising boot order, then profile order: the order boot takes them in. */
static int by_boot_order(const void *a, const void *b)
{
    const struct guest *x = *(const struct guest *const *)a, *y = *(const struct guest *const *)b;
    if (x->boot_order != y->boot_order)
        return x->boot_order < y->boot_order ? -1 : 1;
    return x < y ? -1 : x > y;
}

long host_group_members(const struct host *h, const char *group, const struct guest ***members,
                        char **err)
{
    *members = NULL;
    if (!check_tag(group)) {
        char *v = model_value_shown(group);
        set_error(err, "'%s' is not a group name (an LCFG tag: letters, digits and _)", v);
        free(v);
        return -1;
    }
    size_t n = 0;
    const struct guest **v = xcalloc(h->nguests + 1, sizeof(*v));
    for (size_t i = 0; i < h->nguests; i++)
        if (!strcmp(h->guests[i].res[GF_group], group))
            v[n++] = &h->guests[i];
    /* Known: listed, or some guest's (a profile without xen.groups, or a
     * group of antiaffinity only). */
    if (!n && !host_find_group(h, group)) {
        free(v);
        set_error(err, "no group '%s' in the saved configuration (xen.groups, group_<tag>)", group);
        return -1;
    }
    qsort(v, n, sizeof(*v), by_boot_order);
    *members = v;
    return (long)n;
}
