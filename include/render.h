/* render.h: a guest's configuration file, rendered from its template.
 *
 * The template sees, by name: the guest's resources without the tag
 * (memory, mac, ...), with the derived defaults applied (name, maxmem,
 * maxvcpus, bootloader), helper values (tag, template, hvm, disk_target,
 * disk_vdev, disk_format, disk_xmtype, and the same for disksec_*,
 * cdrom_vdev), the host resources, and every resource by its full name
 * (memory_testVMxen). The result must pass xlcfg_check. */
#ifndef LCFGXEN_RENDER_H
#define LCFGXEN_RENDER_H

#include "model.h"

/* The template file name a guest uses (its own, the host's, or the
 * default for the host's format). Borrowed. */
const char *render_template_name(const struct host *h, const struct guest *g);

/* Parsed templates, kept between the guests of one run (most guests
 * share one template). */
struct render_cache;
struct render_cache *render_cache_new(void);
void render_cache_free(struct render_cache *rc);

/* Render guest g. Templates are read from root + templatedir, through
 * cache. Returns 0 and the text in
 * *ret_text (caller frees), or -1 with *err naming the guest and the
 * template file and line. */
int render_guest(const struct host *h, const struct guest *g, const char *root,
                 struct render_cache *cache, char **ret_text, char **err);

#endif
