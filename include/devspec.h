/* devspec.h: the disks and NICs an xl.cfg(5) text gives a domain: the
 * items of its disk and vif lists, each with its spec (what xl
 * block-attach and network-attach take) and what it names. Pure: the
 * planner reads a guest's rendered config with it (what a running domain
 * should have), the simulator the configs it keeps of its domains. */
#ifndef LCFGXEN_DEVSPEC_H
#define LCFGXEN_DEVSPEC_H

#include "hv.h"

struct devspecs {
    struct hv_devices dev; /* NICs: devid in list order, mac "" when unset */
    char **disk_spec;      /* per disk: its item, as written */
    char **nic_spec;       /* per NIC */
};

/* The items of text's "disk" and "vif" lists, in file order: statements
 * KEY = [ ... ] and KEY += [ ... ] (appending, as libxlu reads it), "..."
 * or '...' strings, # comments. Disk items: key=value (format, vdev,
 * access, devtype, backendtype, target last, as xl.cfg(5) and
 * xl-disk-configuration(5) say) or positional (target, format, vdev,
 * access); xm's "PREFIX:PATH,VDEV[:cdrom],MODE" too. NIC items: key=value
 * split at commas (xl's strtok), bridge xenbr0 when unset (libxl's
 * default). Returns 0, or -1 with *err naming the item or the line. */
int devspec_parse_config(const char *text, struct devspecs *ret, char **err);

/* One disk item (spec) into *ret (free its strings with hv_devices_free's
 * rules: vdev and target). */
int devspec_disk(const char *spec, struct hv_disk *ret, char **err);

/* One vif item into *ret (devid: its index). */
int devspec_nic(const char *spec, unsigned devid, struct hv_nic *ret, char **err);

void devspecs_free(struct devspecs *s);
/* Move s's devices into *ret (the caller's, free with hv_devices_free)
 * and free the rest of s. */
void devspecs_detach(struct devspecs *s, struct hv_devices *ret);

/* Strip a backend's format prefix from a target as xenstore holds it
 * ("qcow2:/path" -> "/path"; "aio:", "raw:", "vhd:", "qed:", "qcow:"). */
const char *devspec_strip_format(const char *target);

#endif
