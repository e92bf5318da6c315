/* xlcfg.h: check a rendered guest configuration before it is written.
 *
 * Whatever the template, a rendered file may only contain the allow-listed
 * keys, each once, with well-formed values; dangerous settings (a boot
 * loader other than pygrub, a vif script outside the permitted ones, a
 * block script in a disk, PCI passthrough, device-model options, ...) can
 * never reach xl. This is the last line of defence behind validation.
 *
 * Accepted text: comments from '#' to the end of the line; statements
 * KEY = VALUE ended by a newline or ';'; VALUE a "..." or '...' string
 * without backslashes, control or non-ASCII characters, a number (decimal
 * without leading zeros, or 0x and lower-case hex; at most LONG_MAX), or
 * a list [ ... ] of those, across lines, trailing comma allowed. Where xl
 * and Python (which reads the xm format) could read a text differently it
 * is refused: empty statements, CR or other control characters in
 * comments; for xm also indented statements and non-ASCII comments; for
 * xl also a comment without a final newline.
 *
 * Keys (xl):  name uuid type memory maxmem vcpus maxvcpus kernel ramdisk
 *             cmdline extra root bootloader disk vif on_poweroff on_reboot
 *             on_crash boot serial vnc vnclisten sdl firmware cpus cpus_soft
 *             cpu_weight cap pool
 * Keys (xm):  the same without type, maxvcpus, cmdline and the last six,
 *             plus builder.
 * name is required. Values are checked too: name (a guest name), uuid,
 * kernel and ramdisk (safe absolute paths), bootloader (pygrub; for xm
 * also /usr/bin/pygrub, /usr/lib/xen-default/bin/pygrub), type, builder,
 * on_*, boot (1-4 of a c d n), serial (pty or none), vnclisten (an IPv4
 * address), vnc and sdl (0 or 1), firmware (bios or uefi), cpus and
 * cpus_soft (CPU lists: N, N-M, ^N, all), cpu_weight (1-65535), cap
 * (0-51200), pool (Pool-0 or an LCFG tag). disk and vif are lists of strings:
 * - xl disk: key=value items (format, vdev, access, devtype, backendtype,
 *   each at most once) ending with target=PATH, PATH a safe absolute path;
 *   no script=, no positional items.
 * - xm disk: PREFIX:PATH,VDEV,MODE, PREFIX file, phy, tap:aio or tap:qcow2,
 *   MODE r or w; a cdrom is VDEV:cdrom with mode r.
 * - vif: key=value items mac, bridge, script (vif-bridge, vif-route,
 *   vif-nat, vif-openvswitch, and with xlcfg_check_sites the site's
 *   deployed scripts), type (ioemu, vif), model (e1000, rtl8139,
 *   virtio-net), vifname, each at most once.
 * Blanks before a disk or vif item are skipped, as xl does; blanks after
 * one belong to its value (as for xl), which then fails its check.
 */
#ifndef LCFGXEN_XLCFG_H
#define LCFGXEN_XLCFG_H

enum xlcfg_format {
    XLCFG_XL, /* xl.cfg(5), Xen >= 4.5 */
    XLCFG_XM, /* the legacy xm format of Xen 3.x */
};

/* Check text. Returns 0, or -1 with *err = "LINE: what is wrong" for the
 * first defect in file order (caller frees; any old *err is freed; err
 * may be NULL). LINE counts from 1. Values quoted in a message are
 * escaped and cut to 60 characters, so a message is one line. */
int xlcfg_check(const char *text, enum xlcfg_format format, char **err);

/* The same, a vif's script= also allowed to name one of sites (the site
 * vif scripts the component deploys, xen.vifscripts; NULL-terminated,
 * NULL for none). */
int xlcfg_check_sites(const char *text, enum xlcfg_format format, const char *const *sites,
                      char **err);

#endif
