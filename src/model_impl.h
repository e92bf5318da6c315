/* model_impl.h: what model.c shares with the modules that read parts of
 * the model (model_net.c). */
#ifndef LCFGXEN_MODEL_IMPL_H
#define LCFGXEN_MODEL_IMPL_H

#include <stdbool.h>

#include "model.h"
#include "resources.h"

/* A value as a message shows it: control and non-ASCII bytes escaped,
 * long values cut. Caller frees. */
char *model_shown(const char *v);

/* Is r a per-item resource (TEMPLATE_TAG) of one of the host's own tag
 * lists, for a listed tag? Then it is kept in h->itemrs. */
bool model_items_take(struct host *h, const struct resource *r);

/* Is name TEMPLATE_TAG of a host list's template, for a tag the list
 * does not have? Then the list's name. */
const char *model_item_unlisted(const char *name);

/* After the input is read (h->res set): the items' defaults, in list
 * order, and their checks; fills h->bridges and h->vifscripts. */
void model_items_check(struct host *h, struct errlist *errs);

#endif
