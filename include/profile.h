/* profile.h: read the xen component's resources from the places LCFG keeps
 * them, and write them back in status-file form. No validation happens
 * here beyond the syntax of each source; see model.h. */
#ifndef LCFGXEN_PROFILE_H
#define LCFGXEN_PROFILE_H

#include <stdbool.h>

#include "resources.h"
#include "util.h"

struct ctxlist;

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

/* An LCFG status file, read as lcfg-core reads it with LCFG_OPT_USE_META
 * (statusfile.c): "xen.res=value" lines, values HTML-entity decoded;
 * "%xen.res=type" lines, whose type each value must fit (lcfg-core's
 * integer, boolean and list); "#xen.res=derivation" lines, kept in the
 * form lcfg-core writes them; "^xen.res=priority" lines, checked and
 * ignored. A line may also name no component or a host before it
 * ("res=v", "host.xen.res=v"); a repeated value line replaces the value.
 * An empty line, another component's line or a bad name, type, value,
 * derivation or priority is refused with its line number. Returns 0, or -1
 * with *err set. */
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

/* The resources as status-file text, each as lcfg-core's
 * lcfgresource_to_status writes it (profile_status_add), in the set's
 * order. Caller frees. */
char *profile_format_status(const struct resset *rs);
/* Append one resource to b: "xen.NAME=VALUE" (NAME_TAG when tag, tl bytes
 * long, is not NULL; VALUE encoded as lcfg-core does: '&', newline and CR
 * as "&#x26;", "&#xA;", "&#xD;"), then, when the value is not empty,
 * "%xen.NAME=TYPE" when type (lcfgfmt.h's form, "" for a string) is not a
 * plain string and accepts the value, and "#xen.NAME=DERIVATION" when
 * deriv (may be NULL) is one lcfg-core can read, in its form. An empty
 * value is its line alone (lcfg-core would write nothing; it reads the
 * line as no value). */
void profile_status_add(struct buf *b, const char *name, size_t nl, const char *tag, size_t tl,
                        const char *value, const char *type, const char *deriv);
/* The same for each of n fields of a guest: NAMES[i]_TAG, nl[i] bytes
 * long, with TYPES[i], VALUES[i] and DERIVS[i] (derivs may be NULL). */
void profile_status_add_fields(struct buf *b, const char *const *names, const size_t *nl,
                               const char *const *types, size_t n, const char *tag,
                               const char *const *values, const char *const *derivs);

#endif
