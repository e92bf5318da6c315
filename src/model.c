/* model.c: resources -> typed host model, validating everything first.
 *
 * The effective resource set (what configure saves as the status file) is
 * the input with the schema's defaults filled in and booleans made
 * canonical. Every check appends to an error list instead of stopping, so
 * that one run reports every problem in the profile. */
#include "model.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "check.h"
#include "model_groups.h"
#include "model_impl.h"
#include "profile.h"
#include "span.h"
#include "util.h"

#define MAX_TIMEOUT_S 86400ULL
#define MAX_PARALLEL 64ULL

void errlist_add(struct errlist *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = xvasprintf(fmt, ap);
    va_end(ap);
    e->v = xrealloc(e->v, (e->n + 1) * sizeof(*e->v));
    e->v[e->n++] = m;
}

void errlist_free(struct errlist *e)
{
    for (size_t i = 0; i < e->n; i++)
        free(e->v[i]);
    free(e->v);
    e->v = NULL;
    e->n = 0;
}

/* A value as it may appear in a message: control and non-ASCII bytes
 * escaped, long values shortened, so that a hostile value cannot forge log
 * lines. Caller frees. */
char *model_value_shown(const char *v)
{
    struct buf b = BUF_INIT;
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++, n++) {
        if (n == 64) {
            buf_adds(&b, "...");
            break;
        }
        if (*p == '\n')
            buf_adds(&b, "\\n");
        else if (*p == '\t')
            buf_adds(&b, "\\t");
        else if (*p == '\\')
            buf_adds(&b, "\\\\");
        else if (*p < 0x20 || *p >= 0x7f)
            buf_addf(&b, "\\x%02x", *p);
        else
            buf_addc(&b, (char)*p);
    }
    return buf_detach(&b);
}

void model_bad(const struct where *w, int field, const char *value, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *why = xvasprintf(fmt, ap);
    va_end(ap);
    char *v = value ? model_value_shown(value) : NULL;
    if (w->g && w->item) {
        /* A list item's resource: NAME_GUEST_ITEM. */
        const char *res = schema_item[field].name;
        if (v)
            errlist_add(w->errs, "guest '%s': resource %s_%s_%s: '%s' %s", w->g->tag, res,
                        w->g->tag, w->item, v, why);
        else
            errlist_add(w->errs, "guest '%s': resource %s_%s_%s: %s", w->g->tag, res, w->g->tag,
                        w->item, why);
    } else if (w->g) {
        const char *res = schema_guest[field].name;
        if (v)
            errlist_add(w->errs, "guest '%s': resource %s_%s: '%s' %s", w->g->tag,
                        res, w->g->tag, v, why);
        else
            errlist_add(w->errs, "guest '%s': resource %s_%s: %s", w->g->tag, res,
                        w->g->tag, why);
    } else {
        const char *res = schema_host[field].name;
        if (v)
            errlist_add(w->errs, "resource %s: '%s' %s", res, v, why);
        else
            errlist_add(w->errs, "resource %s: %s", res, why);
    }
    free(v);
    free(why);
}

/* An integer resource within [min, max]; empty is "missing" when required,
 * otherwise *out is left as it is. Returns false on error. */
bool model_get_uint(const struct where *w, int field, const char *v,
                     unsigned long long min, unsigned long long max,
                     const char *unit, bool required, unsigned long *out)
{
    unsigned long long n;
    if (str_empty(v)) {
        if (required) {
            model_bad(w, field, NULL, "missing (an integer in %s is required)", unit);
            return false;
        }
        return true;
    }
    if (!parse_u64(v, &n)) {
        model_bad(w, field, v, "is not a whole number");
        return false;
    }
    if (n < min || n > max) {
        model_bad(w, field, v, "is out of range (%llu-%llu%s%s)", min, max, *unit ? " " : "", unit);
        return false;
    }
    *out = (unsigned long)n;
    return true;
}

bool model_get_path(const struct where *w, int field, const char *v)
{
    const char *why = check_path(v);
    if (why) {
        model_bad(w, field, v, "%s", why);
        return false;
    }
    return true;
}

int model_lookup_enum(const char *v, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v, names[i]))
            return (int)i;
    return -1;
}

static const char *const guest_types[] = { "pv", "pvh", "hvm" };
static const char *const actions[] = {
    "destroy", "restart", "rename-restart", "preserve",
    "coredump-destroy", "coredump-restart", "soft-reset",
};
static const char *const bootloaders[] = { "pygrub" };
static const char *const formats[] = { "xl", "xm" };
static const char *const autostarts[] = { "component", "xendomains" };
static const char *const onremoves[] = { "shutdown", "keep" };
static const char *const onhostshutdowns[] = { "shutdown", "save" };

/* An absolute path without repeated slashes, "." components or a
 * trailing slash, in out (as long as path, plus one). */
void model_path_lexical(const char *path, char *out)
{
    char *o = out;
    for (const char *p = path; *p;) {
        if (*p == '/') {
            while (*p == '/' || (*p == '.' && (p[1] == '/' || !p[1]) && p[-1] == '/'))
                p++;
            *o++ = '/';
            continue;
        }
        *o++ = *p++;
    }
    if (o > out + 1 && o[-1] == '/')
        o--;
    *o = '\0';
}

/* Do two absolute paths name one directory, spelled with extra slashes
 * or "." components? (Lexically: symbolic links are the host's business.) */
static bool same_dir_path(const char *a, const char *b)
{
    char *x = xmalloc(strlen(a) + 2), *y = xmalloc(strlen(b) + 2);
    model_path_lexical(a, x);
    model_path_lexical(b, y);
    bool same = !strcmp(x, y);
    free(x);
    free(y);
    return same;
}

static const char *const allocs[] = { "sparse", "full" };
static char *joined(const char *const *v, size_t n)
{
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_adds(&b, i + 1 == n ? " or " : ", ");
        buf_adds(&b, v[i]);
    }
    return buf_detach(&b);
}

int model_get_enum(const struct where *w, int field, const char *v,
                    const char *const *names, size_t n, const char *what)
{
    int i = model_lookup_enum(v, names, n);
    if (i < 0) {
        char *j = joined(names, n);
        model_bad(w, field, v, "is not a %s (%s)", what, j);
        free(j);
    }
    return i;
}

/* A kernel command line: printable text without quotes or backslash (it
 * is written inside a quoted string), at most 1024 characters. */
static void check_cmdline(const struct where *w, int field, const char *v)
{
    if (str_empty(v))
        return;
    if (!check_safe_text(v))
        model_bad(w, field, v, "contains a quote, backslash, control or non-ASCII character");
    else if (strlen(v) > 1024)
        model_bad(w, field, v, "is longer than 1024 characters");
}

static const char *const install_modes[] = { "", "kernel", "pxe", "cdrom" };

/* install_<tag> and its installer (the guest's, else the host's). */
static void check_install(const struct host *h, struct guest *g, const struct where *w)
{
    const char **r = g->res;
    int m = model_lookup_enum(r[GF_install], install_modes, ARRAY_SIZE(install_modes));
    if (m < 0)
        model_bad(w, GF_install, r[GF_install], "is not an install mode (empty, kernel, pxe or cdrom)");
    g->install = m < 0 ? INSTALL_NONE : (enum install_mode)m;
    static const int paths[] = { GF_installkernel, GF_installramdisk };
    for (size_t i = 0; i < ARRAY_SIZE(paths); i++)
        if (!str_empty(r[paths[i]]))
            model_get_path(w, paths[i], r[paths[i]]);
    check_cmdline(w, GF_installextra, r[GF_installextra]);
    g->install_kernel = str_empty(r[GF_installkernel]) ? h->res[HF_installkernel]
                                                       : r[GF_installkernel];
    g->install_ramdisk = str_empty(r[GF_installramdisk]) ? h->res[HF_installramdisk]
                                                         : r[GF_installramdisk];
    g->install_extra = str_empty(r[GF_installextra]) ? h->res[HF_installextra]
                                                     : r[GF_installextra];
    switch (g->install) {
    case INSTALL_NONE:
        break;
    case INSTALL_KERNEL:
        if (g->type == GUEST_HVM)
            model_bad(w, GF_install, r[GF_install],
                "is for pv and pvh guests (an hvm guest installs by pxe or cdrom)");
        if (str_empty(g->install_kernel))
            model_bad(w, GF_installkernel, NULL, "missing (install_%s is kernel: name the installer's "
                "kernel here or in xen.installkernel)", g->tag);
        break;
    case INSTALL_PXE:
    case INSTALL_CDROM:
        if (g->type != GUEST_HVM)
            model_bad(w, GF_install, r[GF_install],
                "is for hvm guests (a pv or pvh guest installs by kernel)");
        if (g->install == INSTALL_CDROM && str_empty(r[GF_cdpath]))
            model_bad(w, GF_cdpath, NULL, "missing (install_%s is cdrom: the installer's ISO image)",
                g->tag);
        break;
    }
    /* @mac@ needs a MAC: xl would choose one only when the guest boots. */
    if (g->install != INSTALL_NONE && strstr(g->install_extra, "@mac@") &&
        str_empty(r[GF_mac]))
        model_bad(w, GF_mac, NULL, "missing (the installer's command line passes @mac@)");
}

static const char *const grubowners[] = { "component", "lcfg-grub", "none" };
static const char *const distros[] = { "debian", "el" };

/* Host set-up words: package and service names (they become program
 * arguments, so nothing that could read as an option or a path). */
static bool check_word(const char *s, const char *extra)
{
    if (!s[0] || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
                   (s[0] >= '0' && s[0] <= '9')))
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              strchr(extra, *p)))
            return false;
    return strlen(s) <= 128 && !strstr(s, "..");
}

/* Each space-separated word of a list resource. */
static void check_words(const struct where *w, int field, const char *v, const char *extra,
                        const char *what)
{
    char *copy = xstrdup(v);
    for (char *save = NULL, *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save))
        if (!check_word(t, extra))
            model_bad(w, field, t, "is not a %s", what);
    free(copy);
}

/* Moving guests (move.h): the policy, the image directory, the stage
 * timeout, the programs of the transport and the evacuation targets. A
 * program's words become its argv (never a shell's): the first is a
 * program name or an absolute path, each other an option or a value. */
static const char *const coldmoves[] = { "auto", "never", "always" };

static void check_argv_words(const struct where *w, int field, const char *v)
{
    char *copy = xstrdup(v);
    bool first = true;
    for (char *save = NULL, *t = strtok_r(copy, " \t", &save); t;
         t = strtok_r(NULL, " \t", &save), first = false) {
        bool ok = first ? (t[0] == '/' ? !check_path(t) : check_word(t, "._+-"))
                        : (t[0] == '-' || t[0] == '/' ? t[1] != '\0' : true);
        for (const char *p = t; ok && *p; p++)
            ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                 (*p >= '0' && *p <= '9') || strchr("_.,:=/@+-", *p);
        if (!ok)
            model_bad(w, field, t, "is not a %s (letters, digits and _.,:=/@+-)",
                first ? "program name or absolute path" : "program argument");
    }
    free(copy);
}

static void check_move(struct host *h, const struct where *w)
{
    model_get_enum(w, HF_coldmove, h->res[HF_coldmove], coldmoves, ARRAY_SIZE(coldmoves),
             "cold move policy");
    model_get_path(w, HF_movedir, h->res[HF_movedir]);
    unsigned long t;
    model_get_uint(w, HF_migratetimeout, h->res[HF_migratetimeout], 1, MAX_TIMEOUT_S, "seconds", true,
             &t);
    check_argv_words(w, HF_migrateremote, h->res[HF_migrateremote]);
    check_argv_words(w, HF_migratecopy, h->res[HF_migratecopy]);
    check_words(w, HF_evacuateto, h->res[HF_evacuateto], "._-", "host name");
}

/* The host set-up resources (used when managehost is yes, checked always:
 * a bad value is a mistake in the profile either way). */
static void check_host_setup(struct host *h, const struct where *w)
{
    const char *canon;
    static const int bools[] = { HF_managehost, HF_pkginstall, HF_daemonstop };
    for (size_t i = 0; i < ARRAY_SIZE(bools); i++)
        if (!check_boolean(h->res[bools[i]], &canon))
            model_bad(w, bools[i], h->res[bools[i]], "is not a boolean (yes or empty)");
    if (!str_empty(h->res[HF_distro]))
        model_get_enum(w, HF_distro, h->res[HF_distro], distros, ARRAY_SIZE(distros),
                 "distribution family");
    model_get_enum(w, HF_grubowner, h->res[HF_grubowner], grubowners, ARRAY_SIZE(grubowners),
             "boot loader owner");
    check_words(w, HF_packages, h->res[HF_packages], "+._-", "package name");
    check_words(w, HF_daemons, h->res[HF_daemons], "_.@-", "service name");
    static const int progs[] = { HF_dpkgquery, HF_rpm, HF_aptget, HF_dnf, HF_updategrub,
                                 HF_systemctl, HF_initdir };
    for (size_t i = 0; i < ARRAY_SIZE(progs); i++)
        model_get_path(w, progs[i], h->res[progs[i]]);
    /* dom0 memory in MB: at least 128 MB, at most 16 TB. */
    model_get_uint(w, HF_dom0mem, h->res[HF_dom0mem], 128, 16777216, "MB", false, &h->dom0mem);
    model_get_uint(w, HF_dom0maxmem, h->res[HF_dom0maxmem], 128, 16777216, "MB", false,
             &h->dom0maxmem);
    model_get_uint(w, HF_dom0vcpus, h->res[HF_dom0vcpus], 1, 4096, "vcpus", false, &h->dom0vcpus);
    if (h->dom0maxmem && !h->dom0mem)
        model_bad(w, HF_dom0maxmem, h->res[HF_dom0maxmem], "needs dom0mem (the memory dom0 starts with)");
    else if (h->dom0maxmem && h->dom0maxmem < h->dom0mem)
        model_bad(w, HF_dom0maxmem, h->res[HF_dom0maxmem], "is below dom0mem (%lu MB)", h->dom0mem);
    else if (!h->dom0maxmem)
        h->dom0maxmem = h->dom0mem;
    /* Xen options end up inside a double-quoted shell assignment that
     * grub-mkconfig sources: only option characters, no quotes, no $. */
    check_words(w, HF_xenopts, h->res[HF_xenopts], "_.,:=+/-", "Xen command-line option");
    if (!check_safe_text(h->res[HF_grubdefault]) || strchr(h->res[HF_grubdefault], '$') ||
        strchr(h->res[HF_grubdefault], '`'))
        model_bad(w, HF_grubdefault, h->res[HF_grubdefault],
            "is not a GRUB menu entry (printable text without quotes, backslash, $ or `)");
}

static void check_span_host(struct host *h, const struct where *w);

static void check_host(struct host *h, struct errlist *errs)
{
    struct where w = { errs, NULL, NULL };
    static const int paths[] = { HF_configdir, HF_retiredir, HF_templatedir, HF_xl, HF_autodir };
    for (size_t i = 0; i < ARRAY_SIZE(paths); i++)
        model_get_path(&w, paths[i], h->res[paths[i]]);
    model_get_enum(&w, HF_autostart, h->res[HF_autostart], autostarts, ARRAY_SIZE(autostarts),
             "guest autostart owner");
    /* xendomains starts every file in autodir: config files there would
     * be booted behind the component's back, or replaced by links to
     * themselves. */
    if (h->res[HF_autodir][0] == '/' && same_dir_path(h->res[HF_autodir], h->res[HF_configdir]))
        model_bad(&w, HF_autodir, h->res[HF_autodir],
            "is the config directory (xen.configdir): the autostart links need a directory "
            "of their own");
    model_get_enum(&w, HF_onremove, h->res[HF_onremove], onremoves, ARRAY_SIZE(onremoves),
             "policy for a guest that left the profile");
    model_get_enum(&w, HF_onhostshutdown, h->res[HF_onhostshutdown], onhostshutdowns,
             ARRAY_SIZE(onhostshutdowns), "policy for the running guests at stop");
    /* xendomains restores at boot every image in its XENDOMAINS_SAVE
     * directory (/var/lib/xen/save), behind the component's back: with
     * autostart xendomains, saving is xendomains' own business. */
    if (!strcmp(h->res[HF_onhostshutdown], "save") && !strcmp(h->res[HF_autostart], "xendomains"))
        model_bad(&w, HF_onhostshutdown, h->res[HF_onhostshutdown],
            "needs autostart component: with autostart xendomains, xendomains saves and "
            "restores the guests itself (XENDOMAINS_SAVE)");
    model_get_path(&w, HF_savedir, h->res[HF_savedir]);
    static const int progs[] = { HF_qemuimg, HF_lvs, HF_lvcreate };
    for (size_t i = 0; i < ARRAY_SIZE(progs); i++)
        model_get_path(&w, progs[i], h->res[progs[i]]);
    model_get_enum(&w, HF_diskalloc, h->res[HF_diskalloc], allocs, ARRAY_SIZE(allocs),
             "disk allocation");
    const char *canon;
    if (!check_boolean(h->res[HF_diskdirs], &canon))
        model_bad(&w, HF_diskdirs, h->res[HF_diskdirs], "is not a boolean (yes or empty)");
    char *roots = xstrdup(h->res[HF_diskroots]);
    size_t nroots = 0;
    for (char *save = NULL, *r = strtok_r(roots, " \t", &save); r; r = strtok_r(NULL, " \t", &save)) {
        model_get_path(&w, HF_diskroots, r);
        nroots++;
    }
    if (nroots == 0)
        model_bad(&w, HF_diskroots, NULL, "missing (at least one directory for image files)");
    free(roots);
    if (!str_empty(h->res[HF_template]) && !check_filename(h->res[HF_template]))
        model_bad(&w, HF_template, h->res[HF_template],
            "is not a template file name (letters, digits, _ . -; no '/' or '..')");
    model_get_enum(&w, HF_format, h->res[HF_format], formats, ARRAY_SIZE(formats),
             "config format");
    model_get_uint(&w, HF_shutdowntimeout, h->res[HF_shutdowntimeout], 1, MAX_TIMEOUT_S,
             "seconds", true, &h->shutdown_timeout);
    model_get_uint(&w, HF_parallel, h->res[HF_parallel], 1, MAX_PARALLEL, "guests",
             true, &h->parallel);
    model_get_uint(&w, HF_xlcreatetimeout, h->res[HF_xlcreatetimeout], 1, MAX_TIMEOUT_S,
             "seconds", true, &h->xl_create_timeout);
    model_get_uint(&w, HF_xltimeout, h->res[HF_xltimeout], 1, MAX_TIMEOUT_S, "seconds", true,
             &h->xl_timeout);
    model_get_uint(&w, HF_installtimeout, h->res[HF_installtimeout], 1, MAX_TIMEOUT_S, "seconds",
             true, &h->install_timeout);
    static const int ipaths[] = { HF_installkernel, HF_installramdisk };
    for (size_t i = 0; i < ARRAY_SIZE(ipaths); i++)
        if (!str_empty(h->res[ipaths[i]]))
            model_get_path(&w, ipaths[i], h->res[ipaths[i]]);
    check_cmdline(&w, HF_installextra, h->res[HF_installextra]);
    check_host_setup(h, &w);
    check_move(h, &w);
    check_span_host(h, &w);
}

static const char *const onmoves[] = { "shutdown", "migrate" };
static const char *const leases[] = { "auto", "yes", "no" };

/* The resources of the spanning map, the leases and anti-affinity. */
static void check_span_host(struct host *h, const struct where *w)
{
    model_get_enum(w, HF_onmove, h->res[HF_onmove], onmoves, ARRAY_SIZE(onmoves),
             "policy for a guest that moved to another host");
    if (!str_empty(h->res[HF_leasedir]))
        model_get_path(w, HF_leasedir, h->res[HF_leasedir]);
    check_words(w, HF_antiaffinity, h->res[HF_antiaffinity], "_", "group");
    static const int names[] = { HF_spanhost, HF_spanpub, HF_spansub };
    for (size_t i = 0; i < ARRAY_SIZE(names); i++)
        if (!str_empty(h->res[names[i]]) && !check_word(h->res[names[i]], "_.-"))
            model_bad(w, names[i], h->res[names[i]],
                "is not a name (letters, digits, _ . -)");
}

/* This host's name in the spanning map: spanhost, else the short host
 * name (what the server's node names are). */
static const char *span_host_name(struct host *h)
{
    if (!str_empty(h->res[HF_spanhost]))
        return h->res[HF_spanhost];
    char name[256] = "localhost";
    if (gethostname(name, sizeof(name) - 1) < 0)
        strcpy(name, "localhost");
    name[strcspn(name, ".")] = '\0';
    return arena_strdup(&h->strings, name);
}

static void check_guest(struct host *h, struct guest *g, struct errlist *errs)
{
    struct where w = { errs, g, NULL };
    const char **r = g->res;

    g->name = str_empty(r[GF_name]) ? g->tag : r[GF_name];
    if (!check_guest_name(g->name))
        model_bad(&w, GF_name, g->name,
            "is not a guest name (1-64 letters, digits, _ . -, starting with a letter or digit, not all digits)");
    else if (!strcasecmp(g->name, "Domain-0"))
        model_bad(&w, GF_name, g->name, "is reserved for dom0");

    if (!str_empty(r[GF_group]) && !check_tag(r[GF_group]))
        model_bad(&w, GF_group, r[GF_group], "is not a group name (an LCFG tag: letters, digits and _)");
    model_get_enum(&w, GF_lease, r[GF_lease], leases, ARRAY_SIZE(leases), "lease policy");

    g->uuid = r[GF_uuid];
    if (str_empty(g->uuid))
        model_bad(&w, GF_uuid, NULL, "missing (every guest needs a fixed UUID)");
    else if (!check_uuid(g->uuid))
        model_bad(&w, GF_uuid, g->uuid, "is not a UUID (8-4-4-4-12 hexadecimal digits)");
    else if (!strcmp(g->uuid, "00000000-0000-0000-0000-000000000000"))
        model_bad(&w, GF_uuid, g->uuid, "is the nil UUID, which belongs to dom0");

    int t = model_get_enum(&w, GF_type, r[GF_type], guest_types, ARRAY_SIZE(guest_types),
                     "guest type");
    g->type = t < 0 ? GUEST_PV : (enum guest_type)t;
    if (g->type == GUEST_PVH && !strcmp(h->res[HF_format], "xm"))
        model_bad(&w, GF_type, r[GF_type], "needs the xl format (xm, for Xen 3.x, has no PVH guests)");

    bool mem_ok = model_get_uint(&w, GF_memory, r[GF_memory], MIN_MEMORY_MB, MAX_MEMORY_MB,
                           "MB", true, &g->memory);
    g->maxmem = g->memory;
    bool max_ok = model_get_uint(&w, GF_maxmem, r[GF_maxmem], MIN_MEMORY_MB, MAX_MEMORY_MB,
                           "MB", false, &g->maxmem);
    if (mem_ok && max_ok && g->memory > g->maxmem)
        model_bad(&w, GF_memory, r[GF_memory], "is more than maxmem_%s (%lu MB)", g->tag, g->maxmem);

    bool v_ok = model_get_uint(&w, GF_vcpus, r[GF_vcpus], 1, MAX_VCPUS, "vcpus", true, &g->vcpus);
    g->maxvcpus = g->vcpus;
    bool mv_ok = model_get_uint(&w, GF_maxvcpus, r[GF_maxvcpus], 1, MAX_VCPUS, "vcpus", false,
                          &g->maxvcpus);
    if (v_ok && mv_ok && g->vcpus > g->maxvcpus)
        model_bad(&w, GF_vcpus, r[GF_vcpus], "is more than maxvcpus_%s (%lu)", g->tag, g->maxvcpus);
    model_check_cpu(h, g, errs);

    /* Boot method: a kernel in dom0, or (pv only) the pygrub boot loader. */
    bool has_kernel = !str_empty(r[GF_kernel]);
    if (has_kernel)
        model_get_path(&w, GF_kernel, r[GF_kernel]);
    if (!str_empty(r[GF_ramdisk])) {
        if (model_get_path(&w, GF_ramdisk, r[GF_ramdisk]) && !has_kernel)
            model_bad(&w, GF_ramdisk, r[GF_ramdisk], "is set without kernel_%s", g->tag);
    }
    check_cmdline(&w, GF_cmdline, r[GF_cmdline]);
    /* xl 4.17 runs a boot loader for PV and PVH guests alike. */
    if (!str_empty(r[GF_bootloader])) {
        if (model_get_enum(&w, GF_bootloader, r[GF_bootloader], bootloaders,
                     ARRAY_SIZE(bootloaders), "permitted boot loader") >= 0) {
            if (has_kernel)
                model_bad(&w, GF_bootloader, r[GF_bootloader], "is set as well as kernel_%s (choose one)",
                    g->tag);
            else if (g->type == GUEST_HVM)
                model_bad(&w, GF_bootloader, r[GF_bootloader], "is only possible for type pv or pvh");
        }
    }
    model_check_boot(h, g, errs);
    if (g->type == GUEST_PVH && !has_kernel && str_empty(r[GF_bootloader]) &&
        str_empty(r[GF_firmware]))
        model_bad(&w, GF_kernel, NULL, "missing (type pvh boots a kernel from dom0, pvh-grub "
                  "(firmware_%s) or pygrub (bootloader_%s))", g->tag, g->tag);

    model_devices_check(h, g, errs);
    if (!str_empty(r[GF_cdpath]))
        model_get_path(&w, GF_cdpath, r[GF_cdpath]);
    check_install(h, g, &w);


    static const int acts[] = { GF_on_poweroff, GF_on_reboot, GF_on_crash };
    for (size_t i = 0; i < ARRAY_SIZE(acts); i++)
        model_get_enum(&w, acts[i], r[acts[i]], actions, ARRAY_SIZE(actions), "domain action");

    if (!str_empty(r[GF_diskalloc]))
        model_get_enum(&w, GF_diskalloc, r[GF_diskalloc], allocs, ARRAY_SIZE(allocs), "disk allocation");
    const char *canon;
    if (!check_boolean(r[GF_diskreuse], &canon))
        model_bad(&w, GF_diskreuse, r[GF_diskreuse], "is not a boolean (yes or empty)");
    else
        g->disk_reuse = *canon != '\0';
    if (!check_boolean(r[GF_boot], &canon))
        model_bad(&w, GF_boot, r[GF_boot], "is not a boolean (yes or empty)");
    else
        g->boot = *canon != '\0';

    if (!check_boolean(r[GF_restart], &canon))
        model_bad(&w, GF_restart, r[GF_restart], "is not a boolean (yes or empty)");
    else
        g->restart = *canon != '\0';
    g->boot_order = 0;
    model_get_uint(&w, GF_bootorder, r[GF_bootorder], 0, MAX_BOOT_ORDER, "", false, &g->boot_order);

    g->shutdown_timeout = h->shutdown_timeout;
    model_get_uint(&w, GF_shutdowntimeout, r[GF_shutdowntimeout], 1, MAX_TIMEOUT_S, "seconds",
             false, &g->shutdown_timeout);

    if (!str_empty(r[GF_template]) && !check_filename(r[GF_template]))
        model_bad(&w, GF_template, r[GF_template],
            "is not a template file name (letters, digits, _ . -; no '/' or '..')");
}

/* Names, UUIDs, MACs and disk paths must be unique across guests. The
 * keys claimed so far, in an open-addressing table (the strings are the
 * model's own; nothing is copied). UUIDs and MACs are compared without
 * regard to case. */
struct claimed {
    unsigned long long hash; /* of kind and key (lower case when folded) */
    const char *kind;        /* one of the literals below: compared by address */
    const char *key;
    const struct guest *g;
};

struct claims {
    struct claimed *v;
    size_t mask;
};

static unsigned long long claim_hash(const char *kind, const char *key, bool fold)
{
    unsigned long long h = hash64(HASH64_INIT, kind, strlen(kind));
    size_t n = strlen(key);
    if (!fold)
        return hash64(h, key, n);
    /* Folded keys are short (36 and 17 characters): hex digits, '-', ':'. */
    char low[64];
    if (n > sizeof(low))
        n = sizeof(low);
    for (size_t i = 0; i < n; i++)
        low[i] = (char)(key[i] | 0x20); /* '-' and ':' | 0x20 are themselves */
    return hash64(h, low, n);
}

/* item: the list item whose resource field is (field an item_field), or
 * NULL (a guest_field). */
static void claim(struct claims *cl, struct errlist *errs, const struct guest *g,
                  const char *item, int field, const char *kind, const char *key, bool fold,
                  const char *value)
{
    unsigned long long h = claim_hash(kind, key, fold);
    size_t i = (size_t)h & cl->mask;
    for (; cl->v[i].key; i = (i + 1) & cl->mask) {
        const struct claimed *e = &cl->v[i];
        if (e->hash != h || e->kind != kind ||
            (fold ? strcasecmp(e->key, key) : strcmp(e->key, key)))
            continue;
        struct where w = { errs, g, item };
        const char *owner = e->g->tag;
        bool same = e->g == g;
        if (!value && same) /* a disk: name the path, not the resource's value */
            model_bad(&w, field, NULL, "disk %s is used twice by this guest", key);
        else if (!value)
            model_bad(&w, field, NULL, "disk %s is already used by guest '%s'", key, owner);
        else if (same)
            model_bad(&w, field, value, "is used twice by this guest");
        else
            model_bad(&w, field, value, "is already used by guest '%s'", owner);
        return;
    }
    cl->v[i] = (struct claimed){ h, kind, key, g };
}

static void check_unique(struct host *h, struct errlist *errs)
{
    /* The keys: name, uuid, and per device a MAC, a vifname or a path. */
    size_t keys = 0;
    for (size_t i = 0; i < h->nguests; i++)
        keys += 2 + h->guests[i].ndisks + 2 * h->guests[i].nnics;
    /* At most half full. */
    struct claims cl = { NULL, 15 };
    while (cl.mask + 1 < 2 * keys)
        cl.mask = cl.mask * 2 + 1;
    cl.v = xcalloc(cl.mask + 1, sizeof(*cl.v));
    for (size_t i = 0; i < h->nguests; i++) {
        const struct guest *g = &h->guests[i];
        if (check_guest_name(g->name))
            claim(&cl, errs, g, NULL, GF_name, "name", g->name, false, g->name);
        if (check_uuid(g->uuid))
            claim(&cl, errs, g, NULL, GF_uuid, "uuid", g->uuid, true, g->uuid);
        for (size_t n = 0; n < g->nnics; n++) {
            const struct nic *nic = &g->nics[n];
            const char *item = nic->seed ? NULL : nic->item;
            if (!str_empty(nic->mac) && check_mac(nic->mac))
                claim(&cl, errs, g, item,
                      nic->seed ? (nic->seed == 2 ? GF_macsec : GF_mac) : IF_nmac, "mac",
                      nic->mac, true, nic->mac);
            /* Two backends of one name: the second guest's would not come up. */
            if (!str_empty(nic->vifname))
                claim(&cl, errs, g, item, IF_nvifname, "vifname", nic->vifname, false,
                      nic->vifname);
        }
        for (size_t d = 0; d < g->ndisks; d++) {
            const struct disk *dk = &g->disks[d];
            if (!dk->path)
                continue;
            int field;
            if (dk->seed) {
                bool sec = dk->seed == 2;
                field = dk->type == DISK_PHYSICAL ? (sec ? GF_diskdevsec : GF_diskdev)
                      : dk->type == DISK_LVM ? (sec ? GF_diskvgsec : GF_diskvg)
                      : (sec ? GF_diskpathsec : GF_diskpath);
            } else {
                field = dk->type == DISK_PHYSICAL ? IF_ddev
                      : dk->type == DISK_LVM ? IF_dvg : IF_dpath;
            }
            /* The same spelling; a disk reached by two paths is found
             * when the disks are planned (disks.c: by what it resolves to). */
            claim(&cl, errs, g, dk->seed ? NULL : dk->item, field, "disk", dk->path, false,
                  NULL);
        }
    }
    free(cl.v);
}

/* A name that may be a list item's resource (NAME_GUEST_ITEM, NAME an
 * item field): model_lists_take decides once the lists are read. */
static bool is_item_candidate(const char *name)
{
    size_t n = strcspn(name, "_");
    if (!name[n])
        return false;
    for (size_t f = 0; f < IF_COUNT; f++)
        if (!strncmp(schema_item[f].name, name, n) && !schema_item[f].name[n])
            return true;
    return false;
}

/* Which guest a per-guest resource name would belong to, for messages
 * about resources of guests that are not listed. */
static void index_tags(struct host *h);

static const char *unlisted_tag(const char *name)
{
    size_t best = 0;
    for (size_t f = 0; f < GF_COUNT; f++) {
        size_t n = strlen(schema_guest[f].name);
        if (n > best && !strncmp(name, schema_guest[f].name, n) && name[n] == '_' &&
            check_tag(name + n + 1))
            best = n;
    }
    return best ? name + best + 1 : NULL;
}

/* The guest fields by name, for reading FIELD_TAG names: open addressing
 * over a small table (field + 1; 0 = empty), kept in the host. */
_Static_assert(2 * GF_COUNT <= MODEL_FIELD_SLOTS, "the field table is at most half full");

static size_t field_hash(const char *s, size_t n)
{
    size_t x = 5381;
    for (size_t i = 0; i < n; i++)
        x = x * 33 + (unsigned char)s[i];
    return x & (MODEL_FIELD_SLOTS - 1);
}

static void index_fields(struct host *h)
{
    for (size_t f = 0; f < GF_COUNT; f++) {
        const char *n = schema_guest[f].name;
        size_t k = field_hash(n, strlen(n));
        while (h->field_slot[k])
            k = (k + 1) & (MODEL_FIELD_SLOTS - 1);
        h->field_slot[k] = (unsigned char)(f + 1);
    }
}

static int find_field(const struct host *h, const char *s, size_t n)
{
    for (size_t k = field_hash(s, n); h->field_slot[k]; k = (k + 1) & (MODEL_FIELD_SLOTS - 1)) {
        const char *fn = schema_guest[h->field_slot[k] - 1].name;
        if (!strncmp(fn, s, n) && !fn[n])
            return h->field_slot[k] - 1;
    }
    return -1;
}

/* The listed guest whose resource FIELD_TAG name is, with the field in
 * *field; NULL when it is none. No guest field is another's name, "_"
 * and more (test-model checks the schema), so at most one reading fits. */
static struct guest *guest_of(const struct host *h, const char *name, int *field)
{
    for (const char *u = strchr(name, '_'); u; u = strchr(u + 1, '_')) {
        int f = find_field(h, name, (size_t)(u - name));
        if (f < 0)
            continue;
        const struct guest *g = host_find_guest(h, u + 1);
        if (g) {
            *field = f;
            return (struct guest *)g;
        }
    }
    return NULL;
}

const char *host_lookup(const struct host *h, const char *name, const char **deriv,
                        const struct guest **ret_g)
{
    if (ret_g)
        *ret_g = NULL;
    const struct resource *r = resset_find(h->rs, name);
    if (r) {
        if (deriv)
            *deriv = r->derivation;
        return r->value;
    }
    r = resset_find(h->hlrs, name);
    if (r) {
        if (deriv)
            *deriv = r->derivation;
        return r->value;
    }
    int f;
    const struct guest *g = guest_of(h, name, &f);
    if (!g)
        return model_item_lookup(h, name, deriv, ret_g);
    if (deriv)
        *deriv = g->deriv[f];
    if (ret_g)
        *ret_g = g;
    return g->res[f];
}

char *host_format_status(const struct host *h)
{
    struct buf b = BUF_INIT;
    /* About 34 bytes a line, and a type line for some: one allocation for
     * a typical host. */
    buf_reserve(&b, (resset_count(h->rs) + h->nguests * GF_COUNT) * 48);
    /* ngeneric's resources (first, with the type they came with), then the
     * host's in schema order (model_build). */
    size_t n = resset_count(h->rs), ng = n - HF_COUNT;
    for (size_t i = 0; i < n; i++) {
        const struct resource *r = resset_at(h->rs, i);
        profile_status_add(&b, r->name, strlen(r->name), NULL, 0, r->value,
                           i < ng ? r->type : schema_host[i - ng].ltype, r->derivation);
    }
    /* The host tag lists' items (groupmemory_<group>, cpupoolcpus_<pool>, ...). */
    for (size_t i = 0; i < resset_count(h->hlrs); i++) {
        const struct resource *r = resset_at(h->hlrs, i);
        profile_status_add(&b, r->name, strlen(r->name), NULL, 0, r->value, r->type,
                           r->derivation);
    }
    const char *names[GF_COUNT], *types[GF_COUNT];
    size_t nl[GF_COUNT];
    for (size_t f = 0; f < GF_COUNT; f++) {
        names[f] = schema_guest[f].name;
        nl[f] = strlen(names[f]);
        types[f] = schema_guest[f].ltype;
    }
    for (size_t i = 0; i < h->nguests; i++) {
        const struct guest *g = &h->guests[i];
        /* The input of the fields the model filled (model_groups.c): the
         * saved configuration is what the profile said. */
        const char *input[GF_COUNT];
        const char *const *res = groups_input(g, input) ? input : g->res;
        profile_status_add_fields(&b, names, nl, types, GF_COUNT, g->tag, res, g->deriv);
        model_lists_status(&b, g);
    }
    return buf_detach(&b);
}

/* A value as the model keeps it: booleans canonical, the rest copied. */
static const char *kept(struct host *h, enum res_type type, const char *v)
{
    const char *canon;
    if (type == RT_BOOLEAN && check_boolean(v, &canon))
        return canon;
    return *v ? arena_strdup(&h->strings, v) : "";
}

/* The host tag list cpupools (the groups' are model_groups.c's): each item's resources, from the input
 * or their defaults, in h->hlrs (in list order), and the pools. A
 * resource of an item not listed is left for the "not a resource"
 * error. */
static void read_hlists(struct host *h, const struct resset *input, const struct where *w)
{
    if (!h->hlrs) /* groups_read's come first */
        h->hlrs = resset_new();
    char *list = xstrdup(resset_get(h->rs, schema_host[HF_cpupools].name));
    struct buf norm = BUF_INIT;
    for (char *save = NULL, *t = strtok_r(list, " \t\n", &save); t;
         t = strtok_r(NULL, " \t\n", &save)) {
        char *probe = str_join(schema_hlist[HL_cpupoolcpus].name, '_', t);
        bool twice = resset_find(h->hlrs, probe) != NULL;
        free(probe);
        if (!check_tag(t)) {
            model_bad(w, HF_cpupools, t, "is not a valid LCFG tag (letters, digits and _)");
            continue;
        }
        if (twice) {
            model_bad(w, HF_cpupools, t, "is listed twice");
            continue;
        }
        for (size_t f = 0; f < HL_COUNT; f++) {
            if (schema_hlist_list[f] != HF_cpupools)
                continue;
            char *name = str_join(schema_hlist[f].name, '_', t);
            const struct resource *r = resset_find(input, name);
            resset_set(h->hlrs, name, r ? r->value : schema_hlist[f].dflt,
                       r ? r->derivation : NULL);
            resset_set_type(h->hlrs, name, schema_hlist[f].ltype);
            free(name);
        }
        h->pools = xrealloc(h->pools, (h->npools + 1) * sizeof(*h->pools));
        struct cpupool *p = &h->pools[h->npools++];
        p->name = arena_strdup(&h->strings, t);
        if (norm.len)
            buf_addc(&norm, ' ');
        buf_adds(&norm, t);
    }
    free(list);
    /* The values, now that the set no longer moves. */
    for (size_t i = 0; i < h->npools; i++) {
        struct cpupool *p = &h->pools[i];
        char *c = str_join(schema_hlist[HL_cpupoolcpus].name, '_', p->name);
        char *s = str_join(schema_hlist[HL_cpupoolsched].name, '_', p->name);
        p->cpus = arena_strdup(&h->strings, resset_get(h->hlrs, c));
        p->sched = arena_strdup(&h->strings, resset_get(h->hlrs, s));
        free(c);
        free(s);
    }
    const struct resource *l = resset_find(h->rs, schema_host[HF_cpupools].name);
    char *deriv = xstrdup(l->derivation);
    resset_set(h->rs, schema_host[HF_cpupools].name, buf_str(&norm), deriv);
    free(deriv);
    buf_free(&norm);
}

struct host *model_build(const struct resset *input, struct errlist *errs)
{
    struct host *h = xcalloc(1, sizeof(*h));
    h->rs = resset_new();
    h->maprs = resset_new();
    h->itemrs = resset_new();
    size_t errs_before = errs->n;
    struct where hw = { errs, NULL, NULL };

    /* ngeneric's own resources are kept (and saved) as they are. */
    for (size_t i = 0; i < resset_count(input); i++) {
        const struct resource *r = resset_at(input, i);
        if (str_starts_with(r->name, "ng_")) {
            resset_set(h->rs, r->name, r->value, r->derivation);
            resset_set_type(h->rs, r->name, r->type);
        }
    }
    for (size_t f = 0; f < HF_COUNT; f++) {
        const struct resource *r = resset_find(input, schema_host[f].name);
        const char *v = r ? r->value : schema_host[f].dflt;
        const char *canon;
        if (schema_host[f].type == RT_BOOLEAN && check_boolean(v, &canon))
            v = canon;
        resset_set(h->rs, schema_host[f].name, v, r ? r->derivation : NULL);
    }
    /* The groups' resources (model_groups.c), in h->hlrs. */
    groups_read(h, input, errs);

    read_hlists(h, input, &hw);

    /* The tag list. */
    char *list = xstrdup(resset_get(h->rs, SCHEMA_LIST));
    struct buf norm = BUF_INIT;
    size_t cap = 0;
    struct resset *seen = resset_new();
    for (char *save = NULL, *t = strtok_r(list, " \t\n", &save); t;
         t = strtok_r(NULL, " \t\n", &save)) {
        if (!check_tag(t)) {
            model_bad(&hw, HF_virtualmachines, t, "is not a valid LCFG tag (letters, digits and _)");
            continue;
        }
        if (resset_set(seen, t, "", NULL)) {
            model_bad(&hw, HF_virtualmachines, t, "is listed twice");
            continue;
        }
        if (h->nguests == cap) {
            cap = cap ? cap * 2 : 16;
            h->guests = xrealloc(h->guests, cap * sizeof(*h->guests));
        }
        struct guest *g = &h->guests[h->nguests++];
        memset(g, 0, sizeof(*g));
        g->tag = arena_strdup(&h->strings, t);
        if (norm.len)
            buf_addc(&norm, ' ');
        buf_adds(&norm, t);
    }
    resset_free(seen);
    free(list);
    const struct resource *vm = resset_find(h->rs, SCHEMA_LIST);
    char *deriv = xstrdup(vm->derivation);
    resset_set(h->rs, SCHEMA_LIST, buf_str(&norm), deriv);
    free(deriv);
    buf_free(&norm);
    index_tags(h);
    index_fields(h);

    /* Each input resource is ngeneric's, the host's or a listed guest's
     * FIELD_TAG. Anything else is an error: most likely a typing mistake
     * in the profile. The guests' values are read from the input (9 per
     * guest, say), not looked up field by field (40 per guest). */
    size_t *rest = xmalloc((resset_count(input) + 1) * sizeof(*rest)), nrest = 0;
    for (size_t i = 0; i < resset_count(input); i++) {
        const struct resource *r = resset_at(input, i);
        int f;
        struct guest *g = guest_of(h, r->name, &f);
        if (g) {
            g->res[f] = kept(h, schema_guest[f].type, r->value);
            g->deriv[f] = *r->derivation ? arena_strdup(&h->strings, r->derivation) : "";
            continue;
        }
        if (resset_find(h->rs, r->name) || resset_find(h->hlrs, r->name) || model_items_take(h, r))
            continue;
        if (is_item_candidate(r->name)) {
            rest[nrest++] = i;
            continue;
        }
        if (span_is_map_resource(resset_get(h->rs, SCHEMA_MAPLIST), r->name)) {
            resset_set(h->maprs, r->name, r->value, r->derivation);
            continue;
        }
        const char *tag = unlisted_tag(r->name), *gtag = groups_unlisted_tag(r->name);
        const char *in = model_item_unlisted(r->name);
        if (gtag)
            errlist_add(errs, "resource %s: group '%s' is not in groups", r->name, gtag);
        else if (in)
            errlist_add(errs, "resource %s: its tag is not in %s", r->name, in);
        else if (tag)
            errlist_add(errs, "resource %s: guest '%s' is not in virtualmachines", r->name, tag);
        else
            errlist_add(errs, "resource %s: not a resource of the xen component (schema %d)",
                        r->name, SCHEMA_VERSION);
    }
    /* The rest take their defaults, booleans canonical. */
    const char *dflt[GF_COUNT];
    for (size_t f = 0; f < GF_COUNT; f++)
        dflt[f] = kept(h, schema_guest[f].type, schema_guest[f].dflt);
    for (size_t i = 0; i < h->nguests; i++)
        for (size_t f = 0; f < GF_COUNT; f++)
            if (!h->guests[i].res[f]) {
                h->guests[i].res[f] = dflt[f];
                h->guests[i].deriv[f] = "";
            }
    /* The lists' items, now that every guest's lists are read. */
    for (size_t i = 0; i < h->nguests; i++)
        model_lists_read(h, &h->guests[i], errs);
    for (size_t k = 0; k < nrest; k++) {
        const struct resource *r = resset_at(input, rest[k]);
        if (model_lists_take(h, r, errs))
            continue;
        const char *tag = unlisted_tag(r->name);
        if (tag)
            errlist_add(errs, "resource %s: guest '%s' is not in virtualmachines", r->name, tag);
        else
            errlist_add(errs, "resource %s: not a resource of the xen component (schema %d)",
                        r->name, SCHEMA_VERSION);
    }
    free(rest);
    model_lists_defaults(h);

    /* Now that the set is complete its values no longer move. */
    for (size_t f = 0; f < HF_COUNT; f++)
        h->res[f] = resset_get(h->rs, schema_host[f].name);
    check_host(h, errs);
    model_check_cpupools(h, errs);
    model_items_check(h, errs);
    /* The groups' defaults are applied before anything reads a guest. */
    groups_check(h, errs);
    groups_resolve(h, errs);

    for (size_t i = 0; i < h->nguests; i++)
        check_guest(h, &h->guests[i], errs);
    check_unique(h, errs);
    /* The map is read and checked against guests that are valid. */
    h->span_self = span_host_name(h);
    h->span = span_read(h->res[HF_spannodes], h->maprs, errs);
    if (errs->n == errs_before)
        span_check(h, errs);

    if (errs->n > errs_before) {
        host_free(h);
        return NULL;
    }
    return h;
}

void host_free(struct host *h)
{
    if (!h)
        return;
    free(h->guests);
    free(h->groups);
    free(h->tag_index);
    resset_free(h->rs);
    resset_free(h->maprs);
    resset_free(h->hlrs);
    free(h->pools);
    resset_free(h->itemrs);
    free(h->bridges);
    free(h->vifscripts);
    span_free(h->span);
    arena_free(&h->strings);
    free(h);
}

static size_t tag_hash(const char *s)
{
    uint64_t x = 5381;
    for (; *s; s++)
        x = x * 33 + (unsigned char)*s;
    /* Tags are often a stem and a count (web1, web2, ...), which this sum
     * makes neighbours: mixed, they do not cluster in the table. */
    x *= 0x9e3779b97f4a7c15ULL;
    return (size_t)(x ^ (x >> 29));
}

/* Looking guests up by tag is done per guest (previous configuration,
 * live changes): a linear search would make those quadratic. */
static void index_tags(struct host *h)
{
    free(h->tag_index);
    h->tag_buckets = 16;
    while (h->tag_buckets < 2 * h->nguests)
        h->tag_buckets *= 2;
    h->tag_index = xcalloc(h->tag_buckets, sizeof(*h->tag_index));
    for (size_t i = 0; i < h->nguests; i++) {
        size_t k = tag_hash(h->guests[i].tag) & (h->tag_buckets - 1);
        while (h->tag_index[k])
            k = (k + 1) & (h->tag_buckets - 1);
        h->tag_index[k] = i + 1;
    }
}

const struct guest *host_find_guest(const struct host *h, const char *tag)
{
    if (!h->tag_index)
        return NULL;
    for (size_t k = tag_hash(tag) & (h->tag_buckets - 1); h->tag_index[k];
         k = (k + 1) & (h->tag_buckets - 1))
        if (!strcmp(h->guests[h->tag_index[k] - 1].tag, tag))
            return &h->guests[h->tag_index[k] - 1];
    return NULL;
}
