/* paths.h: the host paths the component itself owns (all resolved under
 * --root at run time). Guest-facing paths are resources (xen-1.def). */
#ifndef LCFGXEN_PATHS_H
#define LCFGXEN_PATHS_H

#define COMPONENT "xen"
/* The resources applied by the last successful configure (ngeneric's
 * status file); stop and run act on this copy. */
#define PATH_STATUS_DIR "/run/lcfg/status"
#define PATH_STATUS PATH_STATUS_DIR "/" COMPONENT
/* The component's own state: which guest each disk was made for. */
#define PATH_STATE_DIR "/var/lib/lcfg/xen"
#define PATH_PROVENANCE PATH_STATE_DIR "/disks"
#define PATH_RENDERED PATH_STATE_DIR "/rendered"
/* The guests the component manages, by UUID (managed.h). */
#define PATH_MANAGED PATH_STATE_DIR "/guests"
/* The guests' installs (install.h), by UUID. */
#define PATH_INSTALLS PATH_STATE_DIR "/installs"
/* A cache of what qemu-img found in each existing image (format, backing
 * file, size), by identity, size, mtime and ctime. */
#define PATH_PROBES PATH_STATE_DIR "/probes"
/* Held by every method that changes something. */
#define PATH_LOCK "/run/lcfg/lock/xen"
/* Present while the component is started (start creates, stop removes). */
#define PATH_STARTED "/run/lcfg/xen.started"

#ifndef LCFGXEN_PROFILE_PATH
#define LCFGXEN_PROFILE_PATH "/var/lcfg/conf/profile/xml/%s.xml"
#endif
#ifndef LCFGXEN_VERSION
#define LCFGXEN_VERSION "unknown"
#endif

#endif
