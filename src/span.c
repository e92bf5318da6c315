/* span.c: the spanning map of every host's guests, and the one-host-only
 * checks made with it (span.h). What a subscriber receives was checked
 * with lcfg-core itself (lcfg-oracle on the profiles in tests/data/span): the
 * subscription's tag list holds one tag per publishing node (the server's
 * leading "_" before a digit removed), and each published resource R
 * arrives as R_<node>. */
#include "span.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "check.h"
#include "model.h"
#include "resources.h"
#include "util.h"

static void add(struct span_map *m, const struct span_entry *e)
{
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 16;
        m->v = xrealloc(m->v, m->cap * sizeof(*m->v));
    }
    m->v[m->n++] = *e;
}

/* One word NAME/UUID/MACS/GROUP into e (its strings in a). */
static bool parse_word(struct arena *a, const char *w, struct span_entry *e)
{
    const char *f[4];
    size_t len[4], k = 0;
    const char *p = w;
    for (; k < 4; k++) {
        const char *s = strchr(p, '/');
        f[k] = p;
        len[k] = s ? (size_t)(s - p) : strlen(p);
        if (!s) {
            k++;
            break;
        }
        p = s + 1;
    }
    if (k != 4 || strchr(f[3], '/'))
        return false;
    char *name = arena_strndup(a, f[0], len[0]), *uuid = arena_strndup(a, f[1], len[1]);
    char *macs = arena_strndup(a, f[2], len[2]), *group = arena_strndup(a, f[3], len[3]);
    if (!check_guest_name(name) || !check_uuid(uuid) || (*group && !check_tag(group)))
        return false;
    size_t ml = strlen(macs);
    if (ml && (macs[0] == ',' || macs[ml - 1] == ',' || strstr(macs, ",,")))
        return false;
    e->guest = name;
    e->uuid = uuid;
    e->group = group;
    e->nmacs = 0;
    for (char *save = NULL, *mac = strtok_r(macs, ",", &save); mac;
         mac = strtok_r(NULL, ",", &save)) {
        if (e->nmacs == 2 || !check_mac(mac))
            return false;
        e->macs[e->nmacs++] = mac;
    }
    return true;
}

bool span_parse(struct span_map *m, const char *node, const char *host, const char *value,
                char **err)
{
    const char *nd = arena_strdup(&m->strings, node);
    const char *ho = arena_strdup(&m->strings, str_empty(host) ? node : host);
    char *copy = xstrdup(value ? value : "");
    bool ok = true;
    for (char *save = NULL, *w = strtok_r(copy, " \t\n", &save); w;
         w = strtok_r(NULL, " \t\n", &save)) {
        struct span_entry e = { .node = nd, .host = ho };
        if (!parse_word(&m->strings, w, &e)) {
            set_error(err, "'%s' is not NAME/UUID/MAC[,MAC]/GROUP", w);
            ok = false;
            break;
        }
        add(m, &e);
    }
    free(copy);
    return ok;
}

static const char *node_value(const struct resset *rs, const char *field, const char *node)
{
    char *name = xasprintf("%s_%s", field, node);
    const char *v = rs ? resset_get(rs, name) : NULL;
    free(name);
    return v ? v : "";
}

struct span_map *span_read(const char *nodes, const struct resset *rs, struct errlist *errs)
{
    struct span_map *m = xcalloc(1, sizeof(*m));
    char *list = xstrdup(nodes ? nodes : "");
    for (char *save = NULL, *t = strtok_r(list, " \t\n", &save); t;
         t = strtok_r(NULL, " \t\n", &save)) {
        if (!check_tag(t)) {
            errlist_add(errs, "resource %s: '%s' is not a valid LCFG tag (letters, digits and _)",
                        SCHEMA_MAPLIST, t);
            continue;
        }
        char *err = NULL;
        if (!span_parse(m, t, node_value(rs, schema_map[MF_spanhost].name, t),
                        node_value(rs, schema_map[MF_spanguests].name, t), &err)) {
            errlist_add(errs, "resource %s_%s (spanning map, node %s): %s",
                        schema_map[MF_spanguests].name, t, t, err);
            free(err);
        }
    }
    free(list);
    return m;
}

void span_free(struct span_map *m)
{
    if (!m)
        return;
    free(m->v);
    arena_free(&m->strings);
    free(m);
}

bool span_is_map_resource(const char *nodes, const char *name)
{
    for (size_t f = 0; f < MF_COUNT; f++) {
        size_t n = strlen(schema_map[f].name);
        if (strncmp(name, schema_map[f].name, n) || name[n] != '_' || !name[n + 1])
            continue;
        if (str_has_word(nodes, name + n + 1))
            return true;
    }
    return false;
}

const struct span_entry *span_find_uuid(const struct span_map *m, const char *uuid,
                                        const char *self)
{
    for (size_t i = 0; m && i < m->n; i++)
        if (strcmp(m->v[i].host, self) && !strcasecmp(m->v[i].uuid, uuid))
            return &m->v[i];
    return NULL;
}

const struct span_entry *span_find_mac(const struct span_map *m, const char *mac,
                                       const char *self)
{
    for (size_t i = 0; m && i < m->n; i++)
        for (size_t k = 0; k < m->v[i].nmacs; k++)
            if (strcmp(m->v[i].host, self) && !strcasecmp(m->v[i].macs[k], mac))
                return &m->v[i];
    return NULL;
}

char *span_group_hosts(const struct span_map *m, const char *group)
{
    struct buf b = BUF_INIT;
    buf_adds(&b, "");
    for (size_t i = 0; m && i < m->n; i++) {
        if (str_empty(group) || strcmp(m->v[i].group, group))
            continue;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = !strcmp(m->v[j].group, group) && !strcmp(m->v[j].host, m->v[i].host);
        if (seen)
            continue;
        if (b.len)
            buf_addc(&b, ' ');
        buf_adds(&b, m->v[i].host);
    }
    return buf_detach(&b);
}

char *span_word(const struct guest *g)
{
    /* The seed's eth0 and eth1 (the map's form: MAC[,MAC]). */
    const char *m1 = "", *m2 = "";
    for (size_t k = 0; k < g->nnics; k++) {
        if (g->nics[k].seed == 1)
            m1 = g->nics[k].mac;
        else if (g->nics[k].seed == 2)
            m2 = g->nics[k].mac;
    }
    return xasprintf("%s/%s/%s%s%s/%s", g->name, g->uuid, m1 ? m1 : "",
                     !str_empty(m1) && !str_empty(m2) ? "," : "", m2 ? m2 : "",
                     g->res[GF_group]);
}

const char *span_self(const struct host *h)
{
    return h->span_self;
}

/* Is the published word w the same as want (UUIDs and MACs in any case)? */
static bool same_word(const char *w, const char *want)
{
    return !strcasecmp(w, want) && !strncmp(w, want, strcspn(want, "/"));
}

static void check_published(const struct host *h, struct errlist *errs)
{
    const char *res = schema_host[HF_spanguests].name;
    char *copy = xstrdup(h->res[HF_spanguests]);
    bool *found = xcalloc(h->nguests + 1, sizeof(*found));
    for (char *save = NULL, *w = strtok_r(copy, " \t\n", &save); w;
         w = strtok_r(NULL, " \t\n", &save)) {
        size_t nl = strcspn(w, "/");
        const struct guest *g = NULL;
        size_t i = 0;
        for (; i < h->nguests && !g; i++)
            if (strlen(h->guests[i].name) == nl && !strncmp(h->guests[i].name, w, nl))
                g = &h->guests[i];
        if (!g) {
            errlist_add(errs, "resource %s: '%.*s' is published in the spanning map %s but is "
                        "not a guest of this profile", res, (int)nl, w, h->res[HF_spanpub]);
            continue;
        }
        char *want = span_word(g);
        if (found[i - 1])
            errlist_add(errs, "resource %s: guest '%s' is published twice", res, g->name);
        else if (!same_word(w, want))
            errlist_add(errs, "resource %s: guest '%s' is published as '%s', but its resources "
                        "say '%s'", res, g->name, w, want);
        found[i - 1] = true;
        free(want);
    }
    for (size_t i = 0; i < h->nguests; i++)
        if (!found[i]) {
            char *want = span_word(&h->guests[i]);
            errlist_add(errs, "resource %s: guest '%s' is not published in the spanning map %s "
                        "(add '%s')", res, h->guests[i].name, h->res[HF_spanpub], want);
            free(want);
        }
    free(found);
    free(copy);
}

/* Is group one of the antiaffinity list's? */
static bool spread(const struct host *h, const char *group)
{
    size_t gl = strlen(group);
    for (const char *p = h->res[HF_antiaffinity]; *group && *p;) {
        p += strspn(p, " \t\n");
        size_t wl = strcspn(p, " \t\n");
        if (wl == gl && !strncmp(p, group, gl))
            return true;
        p += wl;
    }
    return false;
}

void span_check(const struct host *h, struct errlist *errs)
{
    const char *self = h->span_self, *map = h->res[HF_spansub];
    if (!str_empty(h->res[HF_spanpub]))
        check_published(h, errs);
    for (size_t i = 0; i < h->nguests; i++) {
        const struct guest *g = &h->guests[i];
        const struct span_entry *e = span_find_uuid(h->span, g->uuid, self);
        if (e)
            errlist_add(errs, "guest '%s': resource uuid_%s: '%s' is also in host %s's profile "
                        "(guest '%s', spanning map %s): a guest runs on one host only",
                        g->tag, g->tag, g->uuid, e->host, e->guest, map);
        for (size_t n = 0; n < g->nnics; n++) {
            const char *mac = g->nics[n].mac;
            if (str_empty(mac))
                continue;
            e = span_find_mac(h->span, mac, self);
            if (e) {
                char *res = model_nic_mac_resource(g, &g->nics[n]);
                errlist_add(errs, "guest '%s': resource %s: '%s' is also in host %s's profile "
                            "(guest '%s', spanning map %s)", g->tag, res, mac, e->host,
                            e->guest, map);
                free(res);
            }
        }
        const char *group = g->res[GF_group];
        if (!spread(h, group))
            continue;
        /* Anti-affinity: the first member on this host is fine, each
         * further one is refused. */
        for (size_t j = 0; j < i; j++)
            if (!strcmp(h->guests[j].res[GF_group], group)) {
                errlist_add(errs, "guest '%s': resource group_%s: group '%s' asks for "
                            "anti-affinity (xen.antiaffinity), but guest '%s' of the same group "
                            "is on this host (%s) too", g->tag, g->tag, group,
                            h->guests[j].name, self);
                break;
            }
    }
}

const char *span_moved_to(const struct host *h, const char *uuid)
{
    const struct span_entry *e = span_find_uuid(h->span, uuid, h->span_self);
    return e ? e->host : NULL;
}
