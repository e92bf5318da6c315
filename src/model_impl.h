/* model_impl.h: what the model's modules (model.c, model_lists.c,
 * model_devices.c, model_cpu.c, model_net.c) share: where a message comes
 * from and the checks that name a resource in it. Not a public API. */
#ifndef LCFGXEN_MODEL_IMPL_H
#define LCFGXEN_MODEL_IMPL_H

#include <stdbool.h>

#include "model.h"
#include "resources.h"

/* model_net.c: the host's own tag lists (bridges, vifscripts). */
struct where;
/* A NIC's vif script (field of w): the index of one of Xen's in
 * model_xen_vif_scripts, -2 for a site script of xen.vifscripts, or -1
 * (reported) for anything else. */
int model_vif_script(const struct host *h, const struct where *w, int field, const char *v);
/* Is r a per-item resource (TEMPLATE_TAG) of one of the host's own tag
 * lists, for a listed tag? Then it is kept in h->itemrs. */
bool model_items_take(struct host *h, const struct resource *r);

/* Is name TEMPLATE_TAG of a host list's template, for a tag the list
 * does not have? Then the list's name. */
const char *model_item_unlisted(const char *name);

/* After the input is read (h->res set): the items' defaults, in list
 * order, and their checks; fills h->bridges and h->vifscripts. */
void model_items_check(struct host *h, struct errlist *errs);

#include "util.h"

#define MAX_DISK_GB 1048576ULL     /* 1 PB */
/* Items a list may have: beyond any real guest's, small enough that the
 * default vdevs stay two letters. */
#define MAX_ITEMS 64

/* Where a message comes from: "guest 'web1': resource mac_web1",
 * "guest 'web1': resource dsize_web1_d1" (item set: field is an
 * item_field) or "resource configdir" (g NULL: a host_field). */
struct where {
    struct errlist *errs;
    const struct guest *g;
    const char *item;
};

/* Append "guest 'T': resource R: 'VALUE' WHY" (without the value when
 * value is NULL; the value shown escaped and shortened). */
void model_bad(const struct where *w, int field, const char *value, const char *fmt, ...)
    ATTR_PRINTF(4, 5);
/* An integer within [min, max] (see model.c). */
bool model_get_uint(const struct where *w, int field, const char *v, unsigned long long min,
                    unsigned long long max, const char *unit, bool required,
                    unsigned long *out);
bool model_get_path(const struct where *w, int field, const char *v);
int model_lookup_enum(const char *v, const char *const *names, size_t n);
int model_get_enum(const struct where *w, int field, const char *v, const char *const *names,
                   size_t n, const char *what);
/* An absolute path without repeated slashes, "." components or a
 * trailing slash, in out (as long as path, plus one). */
void model_path_lexical(const char *path, char *out);

/* model_lists.c: the guests' nested lists. */
/* Read the item tags of g's nested lists (disks_<tag>, nics_<tag>). */
void model_lists_read(struct host *h, struct guest *g, struct errlist *errs);
/* Take an input resource that may be a list item's (NAME_GUEST_ITEM):
 * false when it is none; true when it was taken or reported. */
bool model_lists_take(struct host *h, const struct resource *r, struct errlist *errs);
/* The items' resources not given take the schema's defaults. */
void model_lists_defaults(struct host *h);
/* A list item's resource by its full name (NAME_GUEST_ITEM): as
 * host_lookup; NULL when there is none. */
const char *model_item_lookup(const struct host *h, const char *name, const char **deriv,
                              const struct guest **g);
/* Append the status lines of g's list items to b. */
void model_lists_status(struct buf *b, const struct guest *g);

/* model_devices.c: check g's disks and NICs, the seed's and the lists',
 * and build g->disks and g->nics. */
void model_devices_check(struct host *h, struct guest *g, struct errlist *errs);

/* model_cpu.c: firmware and boot order, CPU placement (a guest's), and
 * the host's CPU pools. */
void model_check_boot(struct host *h, struct guest *g, struct errlist *errs);
void model_check_cpu(struct host *h, struct guest *g, struct errlist *errs);
void model_check_cpupools(struct host *h, struct errlist *errs);

#endif
