/* sources.h: where the xen component's current resources come from, in
 * this order:
 *   1. --profile FILE (an XML profile) or --resources FILE (a status file);
 *   2. the environment, when LCFG_xen__RESOURCES is set (as ngeneric and
 *      qxprof -e export resources);
 *   3. the client's profile DB (profiledb.h), as rdxprof keeps it;
 *   4. the client's XML profile, read as rdxprof reads it before it writes
 *      the DB: the active contexts, the context override profiles and the
 *      local override of the component applied.
 * The node name in the client's file names is the one LCFG gave them: the
 * node of the one DB (or XML profile) there, or the host name's when there
 * are several. Everything is read under the root. */
#ifndef LCFGXEN_SOURCES_H
#define LCFGXEN_SOURCES_H

#include "model.h"
#include "resources.h"

struct source_opts {
    const char *root;      /* "/" normally */
    const char *profile;   /* --profile FILE, or NULL */
    const char *resources; /* --resources FILE, or NULL */
    char *const *envp;     /* the environment */
};

/* Read the current resources into rs (empty). *ret_src names where they
 * came from (caller frees); what was passed over is appended to warn (an
 * override profile that cannot be used, as the client passes over it).
 * Returns 0, or -1 with *err set (the source chosen cannot be read). */
int sources_read(const struct source_opts *o, struct resset *rs, char **ret_src,
                 struct errlist *warn, char **err);

/* The name the client's file pattern (e.g. /var/lcfg/conf/profile/dbm/
 * %s.DB2.db, under root) gives this node: the one node that has a file
 * there; with several, the one named as this host (host: its name as
 * gethostname gives it; its first label is tried next). *ret_node is NULL
 * (and 0 returned) when no file matches. Returns -1 with *err set when
 * several match and none is this host's. */
int sources_node(const char *root, const char *pattern, const char *host, char **ret_node,
                 char **err);

#endif
