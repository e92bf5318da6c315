/* profile.h: read the xen component's resources from the places LCFG keeps
 * them, and write them back in status-file form. No validation happens
 * here beyond the syntax of each source; see model.h. */
#ifndef LCFGXEN_PROFILE_H
#define LCFGXEN_PROFILE_H

#include <stdbool.h>

#include "resources.h"
#include "util.h"

struct ctxlist;

/* An LCFG resource name: [A-Za-z][A-Za-z0-9_]* (safe as a shell variable
 * name, which ngeneric relies on). */
bool profile_valid_name(const char *s);

/* A compiled LCFG XML profile: /profile/lcfg/components/xen. Read with
 * libxml2's SAX parser, network and entity expansion off, skipping every
 * other component. Tag lists (cfg:template, *_RECORD cfg:name) are
 * expanded into per-tag resources. Values with a cfg:context are taken as
 * lcfg-core takes them (xml/resource.c): not at all when the context does
 * not hold, else the highest priority wins (context.h); the same priority
 * twice is an error unless the value is the same. This reads with no
 * context active. Returns 0, or -1 with *err set. */
int profile_read_xml(const char *path, struct resset *rs, char **err);

/* How profile_read_xml_ex reads. */
struct xml_source {
    const struct ctxlist *contexts; /* the active contexts; NULL: none */
    const char *base_context;       /* every resource's context is this and its own
                                     * (a context override profile's NAME=VALUE) */
    const char *base_derivation;    /* put before every derivation (its file) */
};

/* The same, merged by priority into rs, which may hold resources already
 * (with resset_merge: an override profile over the main one). found, when
 * not NULL, says whether the profile has the component (then a profile
 * without it is no error). */
int profile_read_xml_ex(const char *path, const struct xml_source *src, struct resset *rs,
                        bool *found, char **err);

/* An LCFG status file: "xen.res=value" lines ("#xen.res=" derivation and
 * "%xen.res=" type lines are accepted; values are HTML-entity decoded).
 * Returns 0, or -1 with *err set. */
int profile_read_status(const char *path, struct resset *rs, char **err);
/* The same from text in memory (what profile_read_status reads); name is
 * used in messages. */
int profile_parse_status(const char *text, const char *name,
                         struct resset *rs, char **err);

/* The environment as ngeneric and qxprof -e export it: the names listed in
 * LCFG_xen__RESOURCES, each value in LCFG_xen_<name>. envp is an environ-
 * style array. Returns 0, or -1 with *err set. */
int profile_read_env(char *const *envp, struct resset *rs, char **err);
/* True when envp carries exported resources (LCFG_xen__RESOURCES is set). */
int profile_env_present(char *const *envp);

/* The resources as status-file text ("xen.name=value\n" per resource, in
 * the set's order, values encoded so that each stays on one line).
 * Caller frees. */
char *profile_format_status(const struct resset *rs);
/* Append one such line to b, for writers of their own: NAME (nl bytes),
 * or NAME_TAG when tag (tl bytes) is not NULL. */
void profile_status_add(struct buf *b, const char *name, size_t nl, const char *tag, size_t tl,
                        const char *value);
/* One line for each of n fields of a guest: NAMES[i]_TAG = VALUES[i], each
 * name nl[i] bytes long. */
void profile_status_add_fields(struct buf *b, const char *const *names, const size_t *nl,
                               size_t n, const char *tag, const char *const *values);

#endif
