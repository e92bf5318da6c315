/* profile.h: read the xen component's resources from the places LCFG keeps
 * them, and write them back in status-file form. No validation happens
 * here beyond the syntax of each source; see model.h. */
#ifndef LCFGXEN_PROFILE_H
#define LCFGXEN_PROFILE_H

#include "resources.h"
#include "util.h"

/* A compiled LCFG XML profile: /profile/lcfg/components/xen. Read with
 * libxml2's streaming reader, network and entity expansion off, skipping
 * every other component. Tag lists (cfg:template, *_RECORD cfg:name) are
 * expanded into per-tag resources. Returns 0, or -1 with *err set. */
int profile_read_xml(const char *path, struct resset *rs, char **err);

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
