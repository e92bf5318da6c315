/* profiledb.h: the xen component's resources from an LCFG client's profile
 * DB: the Berkeley DB (hash) file that rdxprof writes with lcfg-core
 * (bdb/write.c), in which contexts and local overrides are already
 * resolved. Read as lcfg-core reads it (bdb/read.c, lcfgcomponent_from_bdb):
 * the key "xen" lists the component's resource names; each resource's
 * value is at NAMESPACE.xen.NAME and its derivation at #NAMESPACE.xen.NAME
 * (lcfgresource_build_key), where the namespace is the profile's
 * profile.node, or nothing when the profile has none. */
#ifndef LCFGXEN_PROFILEDB_H
#define LCFGXEN_PROFILEDB_H

#include "resources.h"

/* Read the xen resources of the DB at path into rs. node is the name the
 * DB is kept under (the file's name, without its suffix): the namespace is
 * that name, its first label (profile.node is the short name), or none,
 * whichever holds the values. Returns 0, or -1 with *err set (the DB
 * cannot be read, has no xen component, or does not hold what its list
 * names). */
int profiledb_read(const char *path, const char *node, struct resset *rs, char **err);

#endif
