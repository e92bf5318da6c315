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
/* The guests saved by stop (xen.onhostshutdown save), by UUID (saverec.h). */
#define PATH_SAVED_DIR PATH_STATE_DIR "/saved"
/* A cache of what qemu-img found in each existing image (format, backing
 * file, size), by identity, size, mtime and ctime. */
#define PATH_PROBES PATH_STATE_DIR "/probes"
/* Held by every method that changes something, with flock(2), also by the
 * children that boot guests (hv_batch.c): the component's own lock. Where
 * LCFG's lcfglock is installed, it is taken first (lock.h). */
#define PATH_LOCK "/run/lcfg/xen.lock"
/* lcfglock (lcfg-ngeneric), and the lock directory given to it with -d
 * under a --root other than / (LCFGLOCK of LCFG's build layout). */
#define PATH_LCFGLOCK "/usr/sbin/lcfglock"
#define PATH_LCFGLOCK_DIR "/var/lcfg/lock"
/* Present while the component is suspended (suspend creates, resume
 * removes); under /run, so a reboot ends a suspension. */
#define PATH_SUSPENDED "/run/lcfg/xen.suspended"
/* Present while the component is started (start creates, stop removes). */
#define PATH_STARTED "/run/lcfg/xen.started"

/* The LCFG client's copies of this node's profile (sources.h); %s is the
 * node name. The DB as rdxprof writes it, and the XML profile it reads. */
#ifndef LCFGXEN_PROFILE_DB
#define LCFGXEN_PROFILE_DB "/var/lcfg/conf/profile/dbm/%s.DB2.db"
#endif
#ifndef LCFGXEN_PROFILE_PATH
#define LCFGXEN_PROFILE_PATH "/var/lcfg/conf/profile/xml/%s.xml"
#endif
/* The client's active contexts (context.h) and context override profiles
 * (NAME/VALUE.xml), and its local overrides of components (COMPONENT.xml):
 * the directories of lcfg-core's xml/lcfg_xml_reader.c. */
#define PATH_CONTEXT_DIR "/var/lcfg/conf/profile/context"
#define PATH_LOCAL_DIR "/var/lcfg/conf/profile/local"
#ifndef LCFGXEN_VERSION
#define LCFGXEN_VERSION "unknown"
#endif

#endif
