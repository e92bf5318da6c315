/* htmlent.h: HTML's named character entities, as lcfg-core decodes them
 * in status files. */
#ifndef LCFGXEN_HTMLENT_H
#define LCFGXEN_HTMLENT_H

#include <stddef.h>

/* The code point of the entity named by the n bytes at name (without '&'
 * and ';'; case matters), or -1 when there is none. */
long html_entity(const char *name, size_t n);

#endif
