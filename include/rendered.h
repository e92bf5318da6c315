/* rendered.h: the guest config files as configure last rendered them, so
 * that a guest is rendered again only when something it depends on may
 * have changed.
 *
 * For each file it keeps the render's trace (render.h: the questions the
 * template asked, and a digest of the program, the template and the
 * answers) and a digest of the text written. A file is current when
 * replaying the questions now gives the same digest and the file still
 * holds that text, read back and digested: a hand edit, a changed
 * template, resource, derivation or program each make it render again.
 * It is a cache in the state directory: without it, or with a damaged
 * one, every guest is rendered, as if it were the first run. */
#ifndef LCFGXEN_RENDERED_H
#define LCFGXEN_RENDERED_H

#include <stdbool.h>

#include "model.h"
#include "render.h"

struct rendered;

/* The saved record under root; empty when there is none or it is not
 * understood. Never NULL. */
struct rendered *rendered_load(const char *root);
struct rendered *rendered_new(void);
void rendered_free(struct rendered *r);

/* Does the file at path (host path, without root) hold what rendering g
 * now would write, as a regular file of mode 0600? */
bool rendered_current(const struct rendered *r, const struct host *h, const struct guest *g,
                      const char *path, const char *root, struct render_cache *rc);

/* Record path as written from trace (ignored unless usable). */
void rendered_add(struct rendered *r, const char *path, const struct render_trace *t);
/* Copy from's record of path, if any. */
void rendered_keep(struct rendered *r, const struct rendered *from, const char *path);

/* Save r under root unless it says what was (the loaded one) says.
 * Returns 0, or -1 with *err. */
int rendered_save(const struct rendered *r, const struct rendered *was, const char *root,
                  char **err);

#endif
