/* model_lists.c: a guest's nested tag lists disks_<tag> and nics_<tag>:
 * their items read from the input, their defaults, lookups by full name,
 * status text and changes (model_devices.c makes the disks and NICs of
 * them and of the seed's resources). The items' resources are
 * NAME_<tag>_<item>: lcfg-core fills a template's "$"s from the last, with
 * the innermost tag (lcfgtemplate_substitute in resources/templates.c),
 * so the guest's tag comes first, as lcfg-oracle shows for
 * tests/data/lcfgformats/profile.xml (c-programmers-guide.tex says the
 * opposite; the code wins). */
#include "model_impl.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "profile.h"

#define MAX_ITEM_TAG 32


/* ---- the lists and their items' resources ---- */

/* An item tag: letters and digits only. "_" would make NAME_A_X_B both
 * item X_B of guest A and item B of guest A_X. */
static bool item_tag_ok(const char *t)
{
    size_t n = 0;
    for (; t[n]; n++)
        if (!((t[n] >= 'a' && t[n] <= 'z') || (t[n] >= 'A' && t[n] <= 'Z') ||
              (t[n] >= '0' && t[n] <= '9')))
            return false;
    return n > 0 && n <= MAX_ITEM_TAG;
}

void model_lists_read(struct host *h, struct guest *g, struct errlist *errs)
{
    struct where w = { errs, g, NULL };
    for (int sl = 0; sl < SL_COUNT; sl++) {
        int field = schema_sublist[sl].field;
        g->items[sl] = NULL;
        g->nitems[sl] = 0;
        if (!g->res[field][strspn(g->res[field], " \t\n")])
            continue; /* most guests: no items */
        char *copy = xstrdup(g->res[field]);
        size_t n = 0;
        for (char *save = NULL, *t = strtok_r(copy, " \t\n", &save); t;
             t = strtok_r(NULL, " \t\n", &save))
            n++;
        g->items[sl] = n ? arena_alloc(&h->strings, n * sizeof(struct listitem)) : NULL;
        g->nitems[sl] = 0;
        strcpy(copy, g->res[field]);
        for (char *save = NULL, *t = strtok_r(copy, " \t\n", &save); t;
             t = strtok_r(NULL, " \t\n", &save)) {
            struct listitem *it = &g->items[sl][g->nitems[sl]++];
            it->tag = arena_strdup(&h->strings, t);
            if (!item_tag_ok(t)) {
                model_bad(&w, field, t, "is not an item tag (1-%d letters and digits; no _)",
                          MAX_ITEM_TAG);
                it->bad = true;
                continue;
            }
            for (size_t k = 0; k + 1 < g->nitems[sl]; k++)
                if (!strcmp(g->items[sl][k].tag, t)) {
                    model_bad(&w, field, t, "is listed twice");
                    it->bad = true;
                    break;
                }
        }
        free(copy);
        if (n > MAX_ITEMS)
            model_bad(&w, field, NULL, "has %zu items (at most %d)", n, MAX_ITEMS);
    }
}

/* The item field named s (n bytes), or -1. */
static int item_field(const char *s, size_t n)
{
    for (int f = 0; f < IF_COUNT; f++)
        if (!strncmp(schema_item[f].name, s, n) && !schema_item[f].name[n])
            return f;
    return -1;
}

static int list_of(int f)
{
    for (int sl = 0; sl < SL_COUNT; sl++)
        if (f >= schema_sublist[sl].first && f < schema_sublist[sl].first + schema_sublist[sl].count)
            return sl;
    return -1;
}

/* The list item whose resource NAME_GUEST_ITEM name is, with its field in
 * *field; NULL when it is none. When a reading of name names a listed
 * guest but no item of it, that guest is in *guest and the item in
 * *item (a pointer into name), else *guest is NULL. The guest's tag may
 * hold "_", an item's not (a bad one, already reported, is matched all
 * the same), so each "_" is tried. */
static struct listitem *item_of(const struct host *h, const char *name, int *field,
                                const struct guest **guest, const char **item)
{
    *guest = NULL;
    const char *u = strchr(name, '_');
    if (!u)
        return NULL;
    int f = item_field(name, (size_t)(u - name));
    if (f < 0)
        return NULL;
    *field = f;
    int sl = list_of(f);
    char *copy = xstrdup(name);
    struct listitem *found = NULL;
    for (const char *v = strchr(u + 1, '_'); v && !found; v = strchr(v + 1, '_')) {
        copy[v - name] = '\0';
        const struct guest *cg = host_find_guest(h, copy + (u + 1 - name));
        copy[v - name] = '_';
        if (!cg)
            continue;
        for (size_t k = 0; k < cg->nitems[sl] && !found; k++)
            if (!strcmp(cg->items[sl][k].tag, v + 1))
                found = &cg->items[sl][k];
        if (!found && !*guest) {
            *guest = cg;
            *item = v + 1;
        }
    }
    free(copy);
    return found;
}

bool model_lists_take(struct host *h, const struct resource *r, struct errlist *errs)
{
    int f;
    const struct guest *g;
    const char *item;
    struct listitem *it = item_of(h, r->name, &f, &g, &item);
    if (it) {
        if (!it->bad) {
            it->res[f] = arena_strdup(&h->strings, r->value);
            it->deriv[f] = *r->derivation ? arena_strdup(&h->strings, r->derivation) : "";
        }
        return true;
    }
    if (g) {
        errlist_add(errs, "resource %s: item '%s' is not in %s_%s", r->name, item,
                    schema_sublist[list_of(f)].name, g->tag);
        return true;
    }
    /* NAME_GUEST_ITEM of a guest that is not listed. */
    const char *u = strchr(r->name, '_'), *v = strrchr(r->name, '_');
    if (!u || v == u || !item_tag_ok(v + 1))
        return false;
    errlist_add(errs, "resource %s: guest '%.*s' is not in virtualmachines", r->name,
                (int)(v - u - 1), u + 1);
    return true;
}

const char *model_item_lookup(const struct host *h, const char *name, const char **deriv,
                              const struct guest **ret_g)
{
    int f;
    const struct guest *g;
    const char *item;
    const struct listitem *it = item_of(h, name, &f, &g, &item);
    if (!it || it->bad || !it->res[f])
        return NULL;
    if (ret_g) {
        /* The guest whose list holds it. */
        for (size_t i = 0; i < h->nguests; i++)
            for (int sl = 0; sl < SL_COUNT; sl++)
                if (h->guests[i].nitems[sl] && it >= h->guests[i].items[sl] &&
                    it < h->guests[i].items[sl] + h->guests[i].nitems[sl])
                    *ret_g = &h->guests[i];
    }
    if (deriv)
        *deriv = it->deriv[f];
    return it->res[f];
}

void model_lists_defaults(struct host *h)
{
    for (size_t i = 0; i < h->nguests; i++)
        for (int sl = 0; sl < SL_COUNT; sl++)
            for (size_t k = 0; k < h->guests[i].nitems[sl]; k++) {
                struct listitem *it = &h->guests[i].items[sl][k];
                for (int f = schema_sublist[sl].first;
                     f < schema_sublist[sl].first + schema_sublist[sl].count; f++)
                    if (!it->res[f]) {
                        it->res[f] = schema_item[f].dflt;
                        it->deriv[f] = "";
                    }
            }
}

void model_lists_status(struct buf *b, const struct guest *g)
{
    bool any = false;
    for (int sl = 0; sl < SL_COUNT; sl++)
        any = any || g->nitems[sl];
    if (!any)
        return;
    const char *names[IF_COUNT], *types[IF_COUNT];
    size_t nl[IF_COUNT];
    for (int f = 0; f < IF_COUNT; f++) {
        names[f] = schema_item[f].name;
        nl[f] = strlen(names[f]);
        types[f] = schema_item[f].ltype;
    }
    struct buf tag = BUF_INIT;
    for (int sl = 0; sl < SL_COUNT; sl++) {
        int first = schema_sublist[sl].first;
        for (size_t k = 0; k < g->nitems[sl]; k++) {
            const struct listitem *it = &g->items[sl][k];
            tag.len = 0;
            buf_adds(&tag, g->tag);
            buf_addc(&tag, '_');
            buf_adds(&tag, it->tag);
            profile_status_add_fields(b, names + first, nl + first, types + first,
                                      (size_t)schema_sublist[sl].count, buf_str(&tag),
                                      it->res + first, it->deriv + first);
        }
    }
    buf_free(&tag);
}

const char *model_item_value(const struct guest *g, int sl, const char *item, int field)
{
    for (size_t k = 0; k < g->nitems[sl]; k++)
        if (!strcmp(g->items[sl][k].tag, item))
            return g->items[sl][k].res[field] ? g->items[sl][k].res[field] : "";
    return "";
}

void model_items_changed(const struct guest *pg, const struct guest *g, struct buf *out)
{
    for (int sl = 0; sl < SL_COUNT; sl++)
        for (size_t k = 0; k < g->nitems[sl]; k++) {
            const struct listitem *it = &g->items[sl][k], *was = NULL;
            for (size_t j = 0; j < pg->nitems[sl] && !was; j++)
                if (!strcmp(pg->items[sl][j].tag, it->tag))
                    was = &pg->items[sl][j];
            if (!was) /* a new item: the list itself changed */
                continue;
            int first = schema_sublist[sl].first;
            for (int f = first; f < first + schema_sublist[sl].count; f++) {
                const char *a = was->res[f] ? was->res[f] : "", *b = it->res[f] ? it->res[f] : "";
                /* MACs are the same in any case, as their validation says. */
                if (f == IF_nmac ? !strcasecmp(a, b) : !strcmp(a, b))
                    continue;
                if (out->len)
                    buf_adds(out, ", ");
                buf_addf(out, "%s_%s_%s", schema_item[f].name, g->tag, it->tag);
            }
        }
}

char *model_nic_mac_resource(const struct guest *g, const struct nic *n)
{
    if (n->seed)
        return xasprintf("%s_%s", n->seed == 1 ? "mac" : "macsec", g->tag);
    return xasprintf("nmac_%s_%s", g->tag, n->item);
}
