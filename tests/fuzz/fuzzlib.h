/* fuzzlib.h: what the fuzz targets share: a sandbox root holding the
 * default templates, and the invariant every target checks on what it
 * reads: resources that validate render, with the default templates, to a
 * file that xl's own parser (libxlutil) reads back with the same name,
 * uuid, memory and the same number of disks and NICs, so that no value
 * can have added or changed a key. */
#ifndef LCFGXEN_FUZZLIB_H
#define LCFGXEN_FUZZLIB_H

#include <stddef.h>
#include <stdint.h>

#include "resources.h"

/* The sandbox root (made once per process). */
const char *fuzz_root(void);

/* Build the model from rs; when it validates, render every guest and
 * check the invariant, aborting (a finding) when it does not hold. */
void fuzz_check_resources(const struct resset *rs);

#endif
