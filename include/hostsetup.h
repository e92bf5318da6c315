/* hostsetup.h: the Xen host itself (managehost): the packages, GRUB booting Xen
 * with the dom0 options, the Xen daemons, and the peers (xendomains,
 * libvirtd) that could also manage the guests. Plan, then apply; nothing
 * here prints: each step adds a report line (level + text) for the method
 * layer. Programs run through exec (argv only), every path under the root. */
#ifndef LCFGXEN_HOSTSETUP_H
#define LCFGXEN_HOSTSETUP_H

#include <stdbool.h>
#include <stddef.h>

#include "fsutil.h"
#include "grubcfg.h"
#include "model.h"

/* The component's own GRUB drop-in: "zz" so that grub-mkconfig sources it
 * after the xen package's /etc/default/grub.d/xen.cfg, whose GRUB_DEFAULT
 * it overrides. */
#define PATH_GRUB_DROPIN "/etc/default/grub.d/zz-lcfg-xen.cfg"
#define PATH_XENDOMAINS_DEFAULT "/etc/default/xendomains"
/* The files above, which configure writes atomically (managehost), for
 * the removal of the temporaries an interrupted run left beside them:
 * their directories hold other programs' files, so only these files'
 * own. NULL-terminated. */
extern const char *const host_owned_files[];
/* Where GRUB's configuration is looked for when another component owns
 * the boot loader (xen.grubowner lcfg-grub): the first that exists.
 * NULL-terminated. */
extern const char *const grub_configs[];
/* Debian's way of saying a reboot is needed (Debian Policy 9.12): the
 * file, and the packages that need it, one a line. /run is emptied at
 * boot, which clears them. */
#define PATH_REBOOT_REQUIRED "/run/reboot-required"
#define PATH_REBOOT_REQUIRED_PKGS "/run/reboot-required.pkgs"
/* Simulated services (sim backend): the commands that would have run. */
#define PATH_SIM_SERVICES "/var/lib/lcfg/xen/sim/services"

enum host_level { HL_INFO, HL_WARN, HL_ERROR };

struct host_line {
    enum host_level level;
    char *text;
    char *diff; /* dry run: the unified diff of a file it would change, or NULL */
};

struct host_report {
    struct host_line *v;
    size_t n;
    size_t errors; /* lines at HL_ERROR */
    bool reboot;   /* GRUB is set up to boot Xen, but the host does not run on Xen */
};

enum host_family { FAM_DEBIAN, FAM_EL };

/* What configure will do to the host, from what exists now. */
struct host_plan {
    bool manage;              /* managehost is yes */
    enum host_family family;
    char **missing;           /* packages not installed */
    size_t nmissing;
    size_t npackages;
    char *pkg_err;            /* the package database could not be asked */
    bool grub_write;          /* the component writes the drop-in (Debian, owner component) */
    char *grub_text;          /* the drop-in's content */
    enum fs_change grub_change;
    char *grub_old;           /* its current content (NULL: absent) */
    char *xen_cmdline;        /* the Xen options: "dom0_mem=... ..." */
    /* grubowner lcfg-grub: the GRUB configuration checked (NULL: none of
     * grub_configs exists), why it could not be read, what it says; and
     * whether the component's drop-in is left from grubowner component. */
    char *grubcfg;
    char *grubcfg_err;
    struct grub_xen gx;
    bool dropin_left;
    bool on_xen;              /* /sys/hypervisor/type says xen */
    char *xd_text;            /* new /etc/default/xendomains, when it must change */
    char *xd_old;
    bool xendomains_enabled, libvirtd_enabled;
};

/* Look at the host (packages, drop-in, xendomains settings, peers).
 * Read-only. Fills plan (free with host_plan_free). */
void host_plan(const struct host *h, const char *root, struct host_plan *plan);

/* Apply the plan (dry: only say what would happen): install missing
 * packages when pkginstall is yes, write the drop-in and run update-grub
 * only when it changed, set XENDOMAINS_SAVE empty. Adds lines to rep.
 * When GRUB boots Xen but the host is not on Xen yet, warns (every run
 * until the reboot), sets rep->reboot, and on Debian (not dry) flags the
 * reboot in PATH_REBOOT_REQUIRED with lcfg-xen in its .pkgs. */
void host_apply(const struct host_plan *plan, const struct host *h, const char *root, bool dry,
                struct host_report *rep);

void host_plan_free(struct host_plan *plan);

/* Is root booted into Xen as its dom0: running, or with its daemons not
 * started yet (XENFEAT_dom0 in /sys/hypervisor/properties/features)? */
bool host_booted_xen(const char *root);

/* start (true) or stop the daemons (managehost; stop only with
 * daemonstop), with systemctl when <root>/run/systemd/system exists, else
 * the init scripts in initdir; simulated: recorded in PATH_SIM_SERVICES. */
void host_daemons(const struct host *h, const char *root, bool simulate, bool start,
                  struct host_report *rep);

void host_report_free(struct host_report *rep);

/* Add a line to rep (netconf.c's steps report here too). */
void host_report_add(struct host_report *rep, enum host_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Is a boolean resource value true? */
bool host_yes(const char *v);

#endif
