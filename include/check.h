/* check.h: pure syntax checks for the values resources may hold. */
#ifndef LCFGXEN_CHECK_H
#define LCFGXEN_CHECK_H

#include <stdbool.h>
#include <stddef.h>

/* ^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$, not all digits: guest names become
 * file names and xenstore keys; an all-digit name reads as a domid. */
bool check_guest_name(const char *s);
/* A host name as ssh and scp take it: [A-Za-z0-9][A-Za-z0-9_.-]{0,252}
 * (never an option, never a path or HOST:PATH). */
bool check_host_name(const char *s);
/* LCFG tag: [A-Za-z0-9_]+ */
bool check_tag(const char *s);
/* 8-4-4-4-12 hexadecimal digits. */
bool check_uuid(const char *s);
/* Six colon-separated pairs of hex digits. */
bool check_mac(const char *s);
/* The first octet's group bit is clear. (Call after check_mac.) */
bool check_mac_unicast(const char *s);
/* A dotted-quad IPv4 address, no leading zeros. */
bool check_ipv4(const char *s);
/* 1 to max IPv4 addresses, one space between (a vif's ip); their number
 * in *count. */
bool check_ipv4_list(const char *s, size_t max, size_t *count);
/* A vif rate as xl reads it (xl.cfg(5)): RATE[unit]/s[@INTERVAL[unit]],
 * RATE's unit GB MB KB B Gb Mb Kb b, INTERVAL's s ms us; both non-zero. */
bool check_vif_rate(const char *s);
/* Linux interface name: [A-Za-z0-9_.-]{1,15} */
bool check_ifname(const char *s);
/* A file name: [A-Za-z0-9][A-Za-z0-9_.-]{0,127}, no "..". */
bool check_filename(const char *s);
/* An absolute path of safe characters ([A-Za-z0-9/_.+@~-]), no "." or ".."
 * components, at most 1024 bytes. Returns NULL when fine, else the reason. */
const char *check_path(const char *s);
/* LVM volume group name: [A-Za-z0-9+_.-]{1,127}, not starting with '-',
 * not "." or "..". */
bool check_vgname(const char *s);
/* Printable ASCII without quotes, backslash or control characters. */
bool check_safe_text(const char *s);
/* An LCFG boolean: yes/true/on/1 -> "yes", no/false/off/0/"" -> "".
 * Returns false when the value is neither. */
bool check_boolean(const char *s, const char **canonical);

#endif
