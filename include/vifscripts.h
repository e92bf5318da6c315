/* vifscripts.h: the site's vif scripts (xen.vifscripts): each rendered
 * from its template in templatedir (the component's template language,
 * template.h) and written as scriptdir/vif-<tag>, mode 0755, where Xen's
 * hotplug looks for a vif's script= name. The resources are the
 * component's (<%bridges%>, <%bridgeif_xenbr1%>, ...), plus <%script%>
 * (the script's name) and <%tag%>. A file there that is not the
 * component's (its first or, after a "#!" line, second line is not
 * NETCONF_HEADER) is never overwritten. */
#ifndef LCFGXEN_VIFSCRIPTS_H
#define LCFGXEN_VIFSCRIPTS_H

#include <stdbool.h>

#include "hostsetup.h"
#include "model.h"

/* Render one script's text (with the header line). Returns 0, or -1 with
 * *err. */
int vifscript_render(const struct host *h, const struct vifscript *s, const char *root,
                     char **ret, char **err);

/* Write the changed scripts (dry: say so, with the diffs). Adds lines to
 * rep. */
void vifscripts_apply(const struct host *h, const char *root, bool dry, struct host_report *rep);

#endif
