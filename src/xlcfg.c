/* xlcfg.c: the allow-list checker for rendered guest configurations (see
 * xlcfg.h).
 *
 * One pass over the text, no tree: a hand-written scanner for the subset of
 * the xl.cfg(5) grammar that libxlutil parses (and that Python, which reads
 * the legacy xm format, reads the same way), checking each statement as
 * soon as its value is read, so the first defect in file order is the one
 * reported. Everything not known to be safe is refused: the checker must
 * interpret the file exactly as xl (or xm) would, so wherever the two
 * could disagree (escapes, octal numbers, trailing blanks in a disk or vif
 * item) the text is refused rather than guessed at.
 */
#include "xlcfg.h"
#include "check.h"
#include "cpulist.h"
#include "util.h"

#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Messages show at most this many characters of a value... */
#define SHOW_CHARS 60
/* ...each escaped to at most 4 bytes, then "..." and the NUL. */
#define SHOW_MAX (SHOW_CHARS * 4 + 4)

/* Copy s[0..n) into out for a message: printable ASCII as is, anything
 * else escaped (so a message is always one line), cut after SHOW_CHARS
 * characters with "...". Returns out. */
static const char *show(char out[SHOW_MAX], const char *s, size_t n)
{
    size_t o = 0;
    size_t lim = n > SHOW_CHARS ? SHOW_CHARS : n;
    for (size_t i = 0; i < lim; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\') {
            out[o++] = '\\';
            out[o++] = '\\';
        } else if (c == '\n') {
            out[o++] = '\\';
            out[o++] = 'n';
        } else if (c == '\t') {
            out[o++] = '\\';
            out[o++] = 't';
        } else if (c == '\r') {
            out[o++] = '\\';
            out[o++] = 'r';
        } else if (c >= 0x20 && c < 0x7f) {
            out[o++] = (char)c;
        } else {
            o += (size_t)snprintf(out + o, SHOW_MAX - o, "\\x%02x", c);
        }
    }
    if (n > lim) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
    return out;
}

static bool one_of(const char *v, const char *const *set)
{
    for (; *set; set++)
        if (!strcmp(v, *set))
            return true;
    return false;
}

/* The index of s[0..n) in the NULL-terminated set, or -1. */
static int index_of(const char *const *set, const char *s, size_t n)
{
    for (int i = 0; set[i]; i++)
        if (strlen(set[i]) == n && !memcmp(set[i], s, n))
            return i;
    return -1;
}

/* "KIND 'ITEM': " followed by the formatted detail (caller frees). */
static char *item_msg(const char *kind, const char *item, const char *fmt, ...)
    ATTR_PRINTF(3, 4);
static char *item_msg(const char *kind, const char *item, const char *fmt, ...)
{
    char s[SHOW_MAX];
    va_list ap;
    va_start(ap, fmt);
    char *detail = xvasprintf(fmt, ap);
    va_end(ap);
    char *m = xasprintf("%s '%s': %s", kind, show(s, item, strlen(item)), detail);
    free(detail);
    return m;
}

/* ---- values of single keys ----
 *
 * Each check returns NULL when the value is fine, else the message without
 * the line number (caller frees). */

typedef char *(*check_fn)(const char *key, const char *v, enum xlcfg_format fmt);

static char *refuse(const char *key, const char *v, const char *why)
{
    char s[SHOW_MAX];
    return xasprintf("%s '%s' %s", key, show(s, v, strlen(v)), why);
}

/* A guest name ends up in xenstore paths and dom0 file names (logs, the
 * save file), so it must be as strict as the resource check. */
static char *check_name(const char *key, const char *v, enum xlcfg_format fmt)
{
    (void)fmt;
    return check_guest_name(v) ? NULL : refuse(key, v, "is not a guest name");
}

static char *check_uuid_value(const char *key, const char *v, enum xlcfg_format fmt)
{
    (void)fmt;
    return check_uuid(v) ? NULL : refuse(key, v, "is not a UUID");
}

/* kernel and ramdisk are dom0 files read by the toolstack (as root) and
 * loaded into the guest: only safe absolute paths. */
static char *check_dom0_path(const char *key, const char *v, enum xlcfg_format fmt)
{
    (void)fmt;
    const char *why = check_path(v);
    return why ? refuse(key, v, why) : NULL;
}

static char *check_bootloader(const char *key, const char *v, enum xlcfg_format fmt)
{
    /* xm resolves a bare name itself only from Xen 3.3 on, hence paths. */
    static const char *const xl[] = { "pygrub", NULL };
    static const char *const xm[] = {
        "pygrub", "/usr/bin/pygrub", "/usr/lib/xen-default/bin/pygrub", NULL,
    };
    return one_of(v, fmt == XLCFG_XM ? xm : xl) ? NULL : refuse(key, v, "is not allowed");
}

/* The boot order goes into qemu's -boot option: drive letters only, so no
 * ',' can smuggle in another option. */
static char *check_boot(const char *key, const char *v, enum xlcfg_format fmt)
{
    (void)fmt;
    size_t n = strlen(v);
    if (n < 1 || n > 4 || strspn(v, "acdn") != n)
        return refuse(key, v, "is not a boot order (1-4 of the letters a, c, d, n)");
    return NULL;
}

/* qemu reads vnclisten as part of its -vnc option: a plain IPv4 address,
 * nothing that could carry a ',' or a "unix:" socket path. */
static char *check_vnclisten(const char *key, const char *v, enum xlcfg_format fmt)
{
    (void)fmt;
    const char *p = v;
    for (int i = 0; i < 4; i++) {
        size_t n = strspn(p, "0123456789");
        if (n < 1 || n > 3 || (n > 1 && p[0] == '0') || strtoul(p, NULL, 10) > 255)
            return refuse(key, v, "is not an IPv4 address");
        p += n;
        if (i < 3 && *p++ != '.')
            return refuse(key, v, "is not an IPv4 address");
    }
    return *p ? refuse(key, v, "is not an IPv4 address") : NULL;
}

/* cpus, cpus_soft: a CPU list (cpulist.h): no "node:" or "socket:". */
static char *check_cpus(const char *key, const char *v, enum xlcfg_format fmt)
{
    (void)fmt;
    struct cpuset set;
    const char *why = cpulist_parse(v, true, &set);
    return why ? refuse(key, v, why) : NULL;
}

/* pool: a pool the component makes (an LCFG tag) or Xen's Pool-0. */
static char *check_pool(const char *key, const char *v, enum xlcfg_format fmt)
{
    (void)fmt;
    return !strcmp(v, "Pool-0") || check_tag(v) ? NULL
           : refuse(key, v, "is not a CPU pool name (Pool-0 or letters, digits and _)");
}

static char *check_weight(const char *key, const char *v, enum xlcfg_format fmt)
{
    (void)fmt;
    unsigned long long n;
    return parse_u64(v, &n) && n >= 1 && n <= 65535 ? NULL
           : refuse(key, v, "is not a weight (1-65535)");
}

static char *check_cap(const char *key, const char *v, enum xlcfg_format fmt)
{
    (void)fmt;
    unsigned long long n;
    return parse_u64(v, &n) && n <= 100ULL * 512 ? NULL
           : refuse(key, v, "is not a cap (0-51200 percent of one CPU)");
}

static char *check_flag(const char *key, const char *v, enum xlcfg_format fmt)
{
    (void)fmt;
    return strcmp(v, "0") && strcmp(v, "1") ? refuse(key, v, "is not 0 or 1") : NULL;
}

/* A virtual device name: xvda, hdc, sdb1, d0p1. */
static bool vdev_ok(const char *v)
{
    size_t n = strlen(v);
    if (n < 1 || n > 15 || v[0] < 'a' || v[0] > 'z')
        return false;
    return strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789") == n;
}

/* An xl disk spec (xl-disk-configuration): "key=value, ..., target=PATH".
 * xl skips blanks before an item but keeps those after it in the value;
 * the value checks below then refuse them, as xl would not read what a
 * reader of the file expects. */
static char *check_xl_disk(const char *v)
{
    static const char *const keys[] = {
        "format", "vdev", "access", "devtype", "backendtype", NULL,
    };
    static const char *const formats[] = { "raw", "qcow2", NULL };
    static const char *const accesses[] = { "ro", "rw", "r", "w", NULL };
    static const char *const devtypes[] = { "disk", "cdrom", NULL };
    static const char *const backends[] = { "phy", "qdisk", "tap", NULL };
    static const char *const *const values[] = {
        formats, NULL, accesses, devtypes, backends,
    };
    bool seen[ARRAY_SIZE(keys)] = { false };
    char s[SHOW_MAX];
    const char *p = v;

    for (;;) {
        while (*p == ' ')
            p++;
        if (*p == '\0')
            return item_msg("disk", v, "no target");
        if (str_starts_with(p, "target=")) {
            /* target takes the rest of the string, commas included. */
            const char *t = p + strlen("target=");
            if (!*t)
                return item_msg("disk", v, "empty target");
            if (strchr(t, ','))
                return item_msg("disk", v, "target must be the last item");
            const char *why = check_path(t);
            if (why)
                return item_msg("disk", v, "target '%s' %s", show(s, t, strlen(t)), why);
            return NULL;
        }
        size_t n = strcspn(p, ",");
        if (n == 0)
            return item_msg("disk", v, "empty item");
        const char *eq = memchr(p, '=', n);
        if (!eq)
            return item_msg("disk", v, "item '%s' is not key=value", show(s, p, n));
        size_t kl = (size_t)(eq - p);
        int k = index_of(keys, p, kl);
        if (k < 0)
            return item_msg("disk", v, "key '%s' is not allowed", show(s, p, kl));
        if (seen[k])
            return item_msg("disk", v, "key '%s' appears twice", keys[k]);
        seen[k] = true;
        char *val = xstrndup(eq + 1, n - kl - 1);
        bool ok = values[k] ? one_of(val, values[k]) : vdev_ok(val);
        char *m = ok ? NULL : item_msg("disk", v, "%s '%s' is not allowed", keys[k],
                                       show(s, val, strlen(val)));
        free(val);
        if (m)
            return m;
        p += n;
        if (*p == ',')
            p++;
    }
}

/* A legacy xm disk: "PREFIX:PATH,VDEV,MODE", a cdrom as VDEV:cdrom. */
static char *check_xm_disk(const char *v)
{
    static const char *const prefixes[] = {
        "tap:aio:", "tap:qcow2:", "file:", "phy:", NULL,
    };
    char s[SHOW_MAX];
    const char *p = NULL;
    for (size_t i = 0; prefixes[i] && !p; i++)
        if (str_starts_with(v, prefixes[i]))
            p = v + strlen(prefixes[i]);
    if (!p)
        return item_msg("disk", v, "prefix must be file:, phy:, tap:aio: or tap:qcow2:");
    const char *c1 = strchr(p, ',');
    const char *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
    if (!c2 || strchr(c2 + 1, ','))
        return item_msg("disk", v, "expected PREFIX:PATH,VDEV,MODE");

    char *path = xstrndup(p, (size_t)(c1 - p));
    char *vdev = xstrndup(c1 + 1, (size_t)(c2 - c1 - 1));
    const char *mode = c2 + 1;
    char *m = NULL;
    const char *why = check_path(path);
    bool cdrom = str_ends_with(vdev, ":cdrom");
    if (cdrom)
        vdev[strlen(vdev) - strlen(":cdrom")] = '\0';
    if (why)
        m = item_msg("disk", v, "path '%s' %s", show(s, path, strlen(path)), why);
    else if (!vdev_ok(vdev))
        m = item_msg("disk", v, "vdev '%s' is not allowed", show(s, vdev, strlen(vdev)));
    else if (strcmp(mode, "r") && strcmp(mode, "w"))
        m = item_msg("disk", v, "mode '%s' is not allowed", show(s, mode, strlen(mode)));
    else if (cdrom && strcmp(mode, "r"))
        m = item_msg("disk", v, "a cdrom must have mode r");
    free(path);
    free(vdev);
    return m;
}

static char *check_disk(const char *key, const char *v, enum xlcfg_format fmt)
{
    (void)key;
    return fmt == XLCFG_XM ? check_xm_disk(v) : check_xl_disk(v);
}

/* A vif spec, the same for xl and xm: "key=value, ...". Like xl, blanks
 * before an item are skipped; after one they stay in the value. */
static char *check_vif_sites(const char *v, const char *const *sites);

static char *check_vif(const char *key, const char *v, enum xlcfg_format fmt)
{
    (void)key;
    (void)fmt;
    return check_vif_sites(v, NULL);
}

/* sites: the site's deployed vif scripts (NULL-terminated; NULL: none). */
static char *check_vif_sites(const char *v, const char *const *sites)
{
    static const char *const keys[] = {
        "mac", "bridge", "script", "type", "model", "vifname", "rate", "ip", "mtu", NULL,
    };
    enum { MAC, BRIDGE, SCRIPT, TYPE, MODEL, VIFNAME, RATE, IP, MTU };
    /* Relative names resolve in the hotplug script directory; a path
     * would run any program as root in dom0. */
    static const char *const scripts[] = {
        "vif-bridge", "vif-route", "vif-nat", "vif-openvswitch", NULL,
    };
    static const char *const types[] = { "ioemu", "vif", NULL };
    /* The model becomes a qemu -device name: emulated NICs only. */
    static const char *const models[] = { "e1000", "rtl8139", "virtio-net", NULL };
    bool seen[ARRAY_SIZE(keys)] = { false };
    char s[SHOW_MAX];
    const char *p = v;

    for (;;) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, ",");
        if (n == 0)
            return item_msg("vif", v, "empty item");
        const char *eq = memchr(p, '=', n);
        if (!eq)
            return item_msg("vif", v, "item '%s' is not key=value", show(s, p, n));
        size_t kl = (size_t)(eq - p);
        int k = index_of(keys, p, kl);
        if (k < 0)
            return item_msg("vif", v, "key '%s' is not allowed", show(s, p, kl));
        if (seen[k])
            return item_msg("vif", v, "key '%s' appears twice", keys[k]);
        seen[k] = true;
        char *val = xstrndup(eq + 1, n - kl - 1);
        const char *why = NULL;
        switch (k) {
        case MAC:
            why = check_mac(val) ? NULL : "is not a MAC address";
            break;
        case BRIDGE:
        case VIFNAME:
            why = check_ifname(val) ? NULL : "is not an interface name";
            break;
        case SCRIPT:
            why = one_of(val, scripts) || (sites && one_of(val, sites)) ? NULL : "is not allowed";
            break;
        case TYPE:
            why = one_of(val, types) ? NULL : "is not allowed";
            break;
        case MODEL:
            why = one_of(val, models) ? NULL : "is not allowed";
            break;
        case RATE:
            why = check_vif_rate(val) ? NULL : "is not a rate (RATE/s[@INTERVAL])";
            break;
        case IP: {
            /* The addresses vif-route and vif-nat route to the guest. */
            size_t count;
            why = check_ipv4_list(val, 8, &count) ? NULL : "is not 1-8 IPv4 addresses";
            break;
        }
        case MTU: {
            unsigned long long m;
            why = parse_u64(val, &m) && m >= 68 && m <= 65535 ? NULL : "is not an MTU (68-65535)";
            break;
        }
        }
        char *m = why ? item_msg("vif", v, "%s '%s' %s", keys[k], show(s, val, strlen(val)), why)
                      : NULL;
        free(val);
        if (m)
            return m;
        p += n;
        if (*p == '\0')
            return NULL;
        p++;
    }
}

/* ---- the allow-list ---- */

enum kind { STRING, NUMBER, LIST };

#define F_XL (1u << XLCFG_XL)
#define F_XM (1u << XLCFG_XM)
#define F_BOTH (F_XL | F_XM)

struct keydef {
    const char *name;
    enum kind kind;
    unsigned formats;            /* F_XL, F_XM */
    const char *const *allowed;  /* when set, the only values allowed */
    check_fn check;              /* further checks (each list item) */
};

static const char *const guest_types[] = { "pv", "pvh", "hvm", NULL };
static const char *const builders[] = { "linux", "hvm", NULL };
static const char *const actions[] = {
    "destroy", "restart", "rename-restart", "preserve",
    "coredump-destroy", "coredump-restart", "soft-reset", NULL,
};
/* HVM firmware; pvgrub is booted as a kernel (model_cpu.c), and anything
 * else xl would take as a path to a firmware file. */
static const char *const firmwares[] = { "bios", "uefi", NULL };
/* serial = "file:..." would have qemu (root in dom0) create or truncate
 * any file; "/dev/ttyS0" would hand over a host serial port. */
static const char *const serials[] = { "pty", "none", NULL };

static const struct keydef keys[] = {
    { "name", STRING, F_BOTH, NULL, check_name },
    { "uuid", STRING, F_BOTH, NULL, check_uuid_value },
    { "type", STRING, F_XL, guest_types, NULL },
    { "builder", STRING, F_XM, builders, NULL },
    { "memory", NUMBER, F_BOTH, NULL, NULL },
    { "maxmem", NUMBER, F_BOTH, NULL, NULL },
    { "vcpus", NUMBER, F_BOTH, NULL, NULL },
    { "maxvcpus", NUMBER, F_XL, NULL, NULL },
    { "kernel", STRING, F_BOTH, NULL, check_dom0_path },
    { "ramdisk", STRING, F_BOTH, NULL, check_dom0_path },
    { "cmdline", STRING, F_XL, NULL, NULL },
    { "extra", STRING, F_BOTH, NULL, NULL },
    { "root", STRING, F_BOTH, NULL, NULL },
    { "bootloader", STRING, F_BOTH, NULL, check_bootloader },
    { "disk", LIST, F_BOTH, NULL, check_disk },
    { "vif", LIST, F_BOTH, NULL, check_vif },
    { "on_poweroff", STRING, F_BOTH, actions, NULL },
    { "on_reboot", STRING, F_BOTH, actions, NULL },
    { "on_crash", STRING, F_BOTH, actions, NULL },
    { "boot", STRING, F_BOTH, NULL, check_boot },
    { "serial", STRING, F_BOTH, serials, NULL },
    { "vnc", NUMBER, F_BOTH, NULL, check_flag },
    { "vnclisten", STRING, F_BOTH, NULL, check_vnclisten },
    { "sdl", NUMBER, F_BOTH, NULL, check_flag },
    { "firmware", STRING, F_XL, firmwares, NULL },
    { "cpus", STRING, F_XL, NULL, check_cpus },
    { "cpus_soft", STRING, F_XL, NULL, check_cpus },
    { "cpu_weight", NUMBER, F_XL, NULL, check_weight },
    { "cap", NUMBER, F_XL, NULL, check_cap },
    { "pool", STRING, F_XL, NULL, check_pool },
};

static const struct keydef *find_key(const char *k, size_t n, enum xlcfg_format fmt)
{
    for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
        if ((keys[i].formats & (1u << fmt)) && strlen(keys[i].name) == n &&
            !memcmp(keys[i].name, k, n))
            return &keys[i];
    return NULL;
}

static const char *kind_name(enum kind k)
{
    return k == STRING ? "a string" : k == NUMBER ? "a number" : "a list of strings";
}

/* ---- the scanner ---- */

struct parser {
    const char *p;       /* next character */
    unsigned line;       /* of p, from 1 */
    enum xlcfg_format fmt;
    const char *const *sites; /* site vif scripts (xlcfg_check_sites) */
    char **err;
    bool seen[ARRAY_SIZE(keys)];
};

/* A string or number as written. */
struct atom {
    bool is_string;
    char *text;          /* contents without quotes; allocated */
    unsigned line;
};

static int fail(struct parser *ps, unsigned line, const char *fmt, ...) ATTR_PRINTF(3, 4);
static int fail(struct parser *ps, unsigned line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = xvasprintf(fmt, ap);
    va_end(ap);
    set_error(ps->err, "%u: %s", line, m);
    free(m);
    return -1;
}

static bool is_ident_start(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool is_ident(char c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9');
}

/* Lower case only: libxlutil's number token is [0-9][0-9a-fx]*. */
static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* Decimal without leading zeros (xl's strtol(..., 0) and Python 2 would
 * both read 010 as octal 8), or 0x hex; at most LONG_MAX, which is as far
 * as xl's strtol reads without clamping. */
static bool number_ok(const char *s, size_t n)
{
    unsigned long long v = 0;
    if (n > 2 && s[0] == '0' && s[1] == 'x') {
        for (size_t i = 2; i < n; i++) {
            if (!is_hex(s[i]) || v > (unsigned long long)LONG_MAX >> 4)
                return false;
            v = v * 16 + (unsigned)(s[i] <= '9' ? s[i] - '0' : s[i] - 'a' + 10);
        }
    } else {
        char *d = xstrndup(s, n);
        bool ok = parse_u64(d, &v);
        free(d);
        if (!ok)
            return false;
    }
    return v <= (unsigned long long)LONG_MAX;
}

static void skip_spaces(struct parser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\t')
        ps->p++;
}

/* ps->p at '#': skip to the end of the line. Python (xm) also ends a line
 * at a lone CR, which would let a comment hide a statement: no control
 * characters. Python 2 refuses non-ASCII source without a coding line;
 * libxlutil only ends a comment at a newline. */
static int skip_comment(struct parser *ps)
{
    for (ps->p++; *ps->p && *ps->p != '\n'; ps->p++) {
        unsigned char c = (unsigned char)*ps->p;
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return fail(ps, ps->line, "control character in a comment");
        if (c > 0x7f && ps->fmt == XLCFG_XM)
            return fail(ps, ps->line,
                        "non-ASCII character in a comment (xm reads the file as Python)");
    }
    if (!*ps->p && ps->fmt == XLCFG_XL)
        return fail(ps, ps->line, "comment without a newline at the end of the file");
    return 0;
}

/* Skip blanks and comments, and newlines too when nl (inside a list). */
static int skip_blank(struct parser *ps, bool nl)
{
    for (;;) {
        skip_spaces(ps);
        if (*ps->p == '#') {
            if (skip_comment(ps) < 0)
                return -1;
        } else if (nl && *ps->p == '\n') {
            ps->p++;
            ps->line++;
        } else {
            return 0;
        }
    }
}

/* Read a string or a number. Returns 0, 1 when there is neither (nothing
 * consumed; the caller says what it expected), or -1 with the error set. */
static int lex_atom(struct parser *ps, struct atom *a)
{
    const char *s = ps->p;
    a->line = ps->line;
    if (*s == '"' || *s == '\'') {
        /* No escapes: xl and Python would each decode them their own way. */
        const char *e = s + 1;
        for (; *e != *s; e++) {
            unsigned char c = (unsigned char)*e;
            if (c == '\0')
                return fail(ps, a->line, "unterminated string");
            if (c == '\n')
                return fail(ps, a->line, "newline in a string");
            if (c == '\\')
                return fail(ps, a->line, "backslash in a string");
            if (c < 0x20 || c == 0x7f)
                return fail(ps, a->line, "control character in a string");
            if (c > 0x7f)
                return fail(ps, a->line, "non-ASCII character in a string");
        }
        a->is_string = true;
        a->text = xstrndup(s + 1, (size_t)(e - s - 1));
        ps->p = e + 1;
        return 0;
    }
    if (*s >= '0' && *s <= '9') {
        /* Take the whole word, so 512M or 1.5 is one bad number. */
        const char *e = s;
        while (is_ident(*e) || *e == '.')
            e++;
        if (!number_ok(s, (size_t)(e - s))) {
            char b[SHOW_MAX];
            return fail(ps, a->line, "bad number '%s'", show(b, s, (size_t)(e - s)));
        }
        a->is_string = false;
        a->text = xstrndup(s, (size_t)(e - s));
        ps->p = e;
        return 0;
    }
    return 1;
}

/* Type and value checks of one atom: the whole value of a scalar key, or
 * one item of a list. */
static int check_atom(struct parser *ps, const struct keydef *def, const struct atom *a)
{
    bool type_ok = def->kind == NUMBER ? !a->is_string : a->is_string;
    if (!type_ok)
        return fail(ps, a->line, "key '%s' must be %s", def->name, kind_name(def->kind));
    if (def->allowed && !one_of(a->text, def->allowed)) {
        char s[SHOW_MAX];
        return fail(ps, a->line, "%s '%s' is not allowed", def->name,
                    show(s, a->text, strlen(a->text)));
    }
    char *m = def->check == check_vif ? check_vif_sites(a->text, ps->sites)
              : def->check ? def->check(def->name, a->text, ps->fmt) : NULL;
    if (m) {
        fail(ps, a->line, "%s", m);
        free(m);
        return -1;
    }
    return 0;
}

/* "[ atom, atom, ... ]", newlines and comments allowed anywhere inside,
 * a trailing comma too; no nesting (xl has none). */
static int parse_list(struct parser *ps, const struct keydef *def)
{
    unsigned line = ps->line;
    char s[SHOW_MAX];
    if (def->kind != LIST)
        return fail(ps, line, "key '%s' must be %s", def->name, kind_name(def->kind));
    ps->p++;
    for (;;) {
        if (skip_blank(ps, true) < 0)
            return -1;
        if (*ps->p == ']')
            break;
        if (*ps->p == '\0')
            return fail(ps, line, "unterminated list for '%s'", def->name);
        struct atom a;
        int r = lex_atom(ps, &a);
        if (r < 0)
            return -1;
        if (r > 0)
            return fail(ps, ps->line, "unexpected '%s' in the list for '%s'",
                        show(s, ps->p, 1), def->name);
        r = check_atom(ps, def, &a);
        free(a.text);
        if (r < 0 || skip_blank(ps, true) < 0)
            return -1;
        if (*ps->p == ',') {
            ps->p++;
            continue;
        }
        if (*ps->p == ']')
            break;
        if (*ps->p == '\0')
            return fail(ps, line, "unterminated list for '%s'", def->name);
        return fail(ps, ps->line, "expected ',' or ']' in the list for '%s'", def->name);
    }
    ps->p++;
    return 0;
}

/* "KEY = VALUE", ps->p at the key. The key is judged before its value, so
 * a refused key is named even when its value would not parse. */
static int parse_statement(struct parser *ps, const struct keydef **ret)
{
    unsigned line = ps->line;
    const char *k = ps->p;
    while (is_ident(*ps->p))
        ps->p++;
    size_t n = (size_t)(ps->p - k);
    char ks[SHOW_MAX];
    show(ks, k, n);

    const struct keydef *def = find_key(k, n, ps->fmt);
    if (!def)
        return fail(ps, line, "key '%s' is not allowed", ks);
    /* xl keeps the last of two settings and xm the last assignment; a
     * reader may well look at the first. */
    if (ps->seen[def - keys])
        return fail(ps, line, "key '%s' appears twice", ks);
    ps->seen[def - keys] = true;
    *ret = def;

    skip_spaces(ps);
    if (*ps->p != '=')  /* "+=" (xl's append) included */
        return fail(ps, line, "expected '=' after '%s'", ks);
    ps->p++;
    skip_spaces(ps);
    if (*ps->p == '[')
        return parse_list(ps, def);
    struct atom a;
    int r = lex_atom(ps, &a);
    if (r < 0)
        return -1;
    if (r > 0)
        return fail(ps, line, "expected a value for '%s'", ks);
    if (def->kind == LIST)
        r = fail(ps, line, "key '%s' must be %s", def->name, kind_name(def->kind));
    else
        r = check_atom(ps, def, &a);
    free(a.text);
    return r;
}

static int parse_file(struct parser *ps)
{
    char s[SHOW_MAX];
    bool line_start = true; /* no statement yet on this line */
    for (;;) {
        const char *before = ps->p;
        skip_spaces(ps);
        bool indented = ps->p != before;
        char c = *ps->p;
        if (c == '\0')
            return 0;
        if (c == '#') {
            if (skip_comment(ps) < 0)
                return -1;
            continue;
        }
        if (c == '\n') {
            ps->p++;
            ps->line++;
            line_start = true;
            continue;
        }
        /* This also refuses an empty statement (";;", a line starting
         * with ';'): xl takes it, Python does not. */
        if (!is_ident_start(c))
            return fail(ps, ps->line, "unexpected '%s'", show(s, ps->p, 1));
        if (ps->fmt == XLCFG_XM && line_start && indented)
            return fail(ps, ps->line, "indented statement (xm reads the file as Python)");

        const struct keydef *def = NULL;
        if (parse_statement(ps, &def) < 0 || skip_blank(ps, false) < 0)
            return -1;
        c = *ps->p;
        if (c == ';') {
            ps->p++;
            line_start = false;
        } else if (c != '\n' && c != '\0') {
            return fail(ps, ps->line, "unexpected '%s' after the value of '%s'",
                        show(s, ps->p, 1), def->name);
        }
    }
}

int xlcfg_check(const char *text, enum xlcfg_format format, char **err)
{
    return xlcfg_check_sites(text, format, NULL, err);
}

int xlcfg_check_sites(const char *text, enum xlcfg_format format, const char *const *sites,
                      char **err)
{
    if (format != XLCFG_XL && format != XLCFG_XM) {
        set_error(err, "1: unknown config format %d", (int)format);
        return -1;
    }
    struct parser ps = { .p = text, .line = 1, .fmt = format, .sites = sites, .err = err };
    if (parse_file(&ps) < 0)
        return -1;
    if (!ps.seen[find_key("name", 4, format) - keys]) {
        /* Name the file's last line: where the key was looked for last. */
        size_t n = strlen(text);
        unsigned last = ps.line - (n > 0 && text[n - 1] == '\n' && ps.line > 1);
        set_error(err, "%u: no 'name' key", last);
        return -1;
    }
    return 0;
}
