/* hostsetup.c: the Xen host's own set-up (see hostsetup.h). */
#include "hostsetup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "diff.h"
#include "exec.h"
#include "fsutil.h"
#include "hv.h"
#include "util.h"

#define QUERY_TIMEOUT_MS (60 * 1000)
#define INSTALL_TIMEOUT_MS (30 * 60 * 1000)
#define GRUB_TIMEOUT_MS (5 * 60 * 1000)
#define SERVICE_TIMEOUT_MS (5 * 60 * 1000)

static const char *const family_names[] = { "debian", "el" };
/* Used when xen.packages / xen.daemons are empty. */
static const char *const default_packages[] = { "xen-system-amd64 xen-utils-common",
                                                "xen xen-hypervisor xen-runtime" };
static const char *const default_daemons[] = { "xen", "xenstored xenconsoled xen-init-dom0" };

const char *const host_owned_files[] = { PATH_GRUB_DROPIN, PATH_XENDOMAINS_DEFAULT,
                                         PATH_REBOOT_REQUIRED, PATH_REBOOT_REQUIRED_PKGS, NULL };

/* GRUB 2 (Debian; EL7 and later, Fedora), then GRUB legacy (EL5, EL6). */
const char *const grub_configs[] = { "/boot/grub/grub.cfg", "/boot/grub2/grub.cfg",
                                     "/boot/grub/grub.conf", "/boot/grub/menu.lst", NULL };

bool host_yes(const char *v)
{
    const char *canon = "";
    return check_boolean(v, &canon) && canon[0];
}

#define add host_report_add

void host_report_add(struct host_report *rep, enum host_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = xvasprintf(fmt, ap);
    va_end(ap);
    rep->v = xrealloc(rep->v, (rep->n + 1) * sizeof(*rep->v));
    rep->v[rep->n].level = level;
    rep->v[rep->n].text = text;
    rep->v[rep->n].diff = NULL;
    rep->n++;
    if (level == HL_ERROR)
        rep->errors++;
}

void host_report_free(struct host_report *rep)
{
    for (size_t i = 0; i < rep->n; i++) {
        free(rep->v[i].text);
        free(rep->v[i].diff);
    }
    free(rep->v);
    rep->v = NULL;
    rep->n = rep->errors = 0;
}

static enum host_family family(const struct host *h, const char *root)
{
    const char *d = h->res[HF_distro];
    if (!str_empty(d))
        return strcmp(d, "el") ? FAM_DEBIAN : FAM_EL;
    if (!fs_exists_under(root, "/etc/debian_version") && fs_exists_under(root, "/etc/redhat-release"))
        return FAM_EL;
    return FAM_DEBIAN; /* the reference platform */
}

/* Split a space-separated resource value into words (*n of them). */
static char **words(const char *v, size_t *n)
{
    char *copy = xstrdup(v);
    char **w = NULL;
    *n = 0;
    for (char *save = NULL, *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
        w = xrealloc(w, (*n + 1) * sizeof(*w));
        w[(*n)++] = xstrdup(t);
    }
    free(copy);
    return w;
}

static void words_free(char **w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(w[i]);
    free(w);
}

static char *joined(char *const *w, size_t n)
{
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < n; i++)
        buf_addf(&b, "%s%s", i ? " " : "", w[i]);
    return buf_detach(&b);
}

/* Is a line of out exactly "name" (rpm) or "name installed" (dpkg)? */
static bool listed(const char *out, const char *name, const char *suffix)
{
    size_t n = strlen(name), m = strlen(suffix);
    for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        size_t len = strcspn(l, "\n");
        if (len == n + m && !strncmp(l, name, n) && !strncmp(l + n, suffix, m))
            return true;
    }
    return false;
}

/* Which of the packages are not installed (the package database is asked
 * once for all of them). */
static void check_packages(const struct host *h, const char *root, struct host_plan *p)
{
    const char *list = h->res[HF_packages];
    size_t n;
    char **pk = words(str_empty(list) ? default_packages[p->family] : list, &n);
    p->npackages = n;
    if (n == 0)
        return;
    bool deb = p->family == FAM_DEBIAN;
    char *prog = root_path(root, h->res[deb ? HF_dpkgquery : HF_rpm]);
    char **argv = xcalloc(n + 5, sizeof(*argv));
    size_t a = 0;
    argv[a++] = prog;
    if (deb) {
        argv[a++] = "-W";
        argv[a++] = "-f=${Package} ${db:Status-Status}\\n";
    } else {
        argv[a++] = "-q";
        argv[a++] = "--qf";
        argv[a++] = "%{NAME}\\n";
    }
    for (size_t i = 0; i < n; i++)
        argv[a++] = pk[i];
    struct exec_result res = { 0 };
    char *err = NULL;
    if (exec_run(argv, NULL, QUERY_TIMEOUT_MS, &res, &err) < 0) {
        p->pkg_err = err;
        err = NULL;
    } else if (res.status < 0 || (deb && res.status > 1) ||
               (!deb && res.status != 0 && str_empty(res.out))) {
        /* dpkg-query exits 1 when some package is unknown; rpm exits with
         * the number missing but still prints a line for each. */
        char *how = exec_describe(&res, QUERY_TIMEOUT_MS);
        p->pkg_err = xasprintf("%s: %s", h->res[deb ? HF_dpkgquery : HF_rpm], how);
        free(how);
    } else {
        for (size_t i = 0; i < n; i++) {
            if (listed(res.out, pk[i], deb ? " installed" : ""))
                continue;
            p->missing = xrealloc(p->missing, (p->nmissing + 1) * sizeof(*p->missing));
            p->missing[p->nmissing++] = xstrdup(pk[i]);
        }
    }
    exec_result_free(&res);
    free(err);
    free(argv);
    free(prog);
    words_free(pk, n);
}

static char *xen_cmdline(const struct host *h)
{
    struct buf b = BUF_INIT;
    if (h->dom0mem)
        buf_addf(&b, "dom0_mem=%luM,max:%luM", h->dom0mem, h->dom0maxmem);
    if (h->dom0vcpus)
        buf_addf(&b, "%sdom0_max_vcpus=%lu", b.len ? " " : "", h->dom0vcpus);
    size_t n;
    char **w = words(h->res[HF_xenopts], &n);
    for (size_t i = 0; i < n; i++)
        buf_addf(&b, "%s%s", b.len ? " " : "", w[i]);
    words_free(w, n);
    return buf_detach(&b);
}

static char *grub_dropin(const struct host *h, const char *cmdline)
{
    struct buf b = BUF_INIT;
    buf_adds(&b, "# Written by the LCFG xen component from this host's profile (lcfg-xen(8)).\n"
                 "# Change xen.dom0mem, xen.dom0maxmem, xen.dom0vcpus, xen.xenopts or\n"
                 "# xen.grubdefault in the profile, not this file.\n");
    /* Values were checked (model.c): no quote, backslash, $ or ` inside. */
    buf_addf(&b, "GRUB_CMDLINE_XEN_DEFAULT=\"%s\"\n", cmdline);
    if (!str_empty(h->res[HF_grubdefault]))
        buf_addf(&b, "GRUB_DEFAULT=\"%s\"\n", h->res[HF_grubdefault]);
    return buf_detach(&b);
}

/* Is a service enabled at boot: a systemd wants link, or a SysV start
 * link in runlevel 2 (Debian's default)? */
static bool service_enabled(const char *root, const char *name)
{
    char *unit = xasprintf("/etc/systemd/system/multi-user.target.wants/%s.service", name);
    bool on = fs_exists_under(root, unit);
    free(unit);
    if (on)
        return true;
    char *dir = root_path(root, "/etc/rc2.d");
    DIR *d = opendir(dir);
    free(dir);
    if (!d)
        return false;
    size_t n = strlen(name);
    for (struct dirent *e; (e = readdir(d));) {
        const char *s = e->d_name;
        if (s[0] != 'S')
            continue;
        s++;
        while (*s >= '0' && *s <= '9')
            s++;
        if (strlen(s) == n && !strcmp(s, name))
            on = true;
    }
    closedir(d);
    return on;
}

/* Is a XENDOMAINS_SAVE value empty ("", '' or nothing)? */
static bool empty_value(const char *v, size_t len)
{
    while (len && (v[len - 1] == ' ' || v[len - 1] == '\t'))
        len--;
    return len == 0 || (len == 2 && (!strncmp(v, "\"\"", 2) || !strncmp(v, "''", 2)));
}

/* The xendomains settings with every XENDOMAINS_SAVE line made empty (or
 * one appended); NULL when nothing has to change. Other lines are kept
 * byte for byte. */
static char *xendomains_fixed(const char *old)
{
    struct buf b = BUF_INIT;
    bool seen = false, changed = false;
    const char *key = "XENDOMAINS_SAVE=";
    for (const char *l = old; *l;) {
        size_t len = strcspn(l, "\n");
        bool nl = l[len] == '\n';
        if (!strncmp(l, key, strlen(key))) {
            seen = true;
            if (!empty_value(l + strlen(key), len - strlen(key))) {
                buf_adds(&b, key);
                buf_adds(&b, "\n");
                changed = true;
                l += len + nl;
                continue;
            }
        }
        buf_add(&b, l, len + nl);
        l += len + nl;
    }
    if (!seen) {
        if (b.len && buf_str(&b)[b.len - 1] != '\n')
            buf_addc(&b, '\n');
        buf_adds(&b, "XENDOMAINS_SAVE=\n");
        changed = true;
    }
    if (!changed) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b);
}

/* The boot loader is lcfg-grub's: read (never write) what it made. */
static void check_grub(const char *root, struct host_plan *p)
{
    p->dropin_left = fs_exists_under(root, PATH_GRUB_DROPIN);
    for (size_t i = 0; grub_configs[i] && !p->grubcfg; i++) {
        char *path = root_path(root, grub_configs[i]);
        struct stat st;
        if (stat(path, &st) == 0) {
            char *text = NULL, *err = NULL;
            p->grubcfg = xstrdup(grub_configs[i]);
            if (fs_read_file(path, &text, NULL, &err) < 0)
                p->grubcfg_err = err;
            else
                grub_xen_scan(text, p->xen_cmdline, &p->gx);
            free(text);
        }
        free(path);
    }
}

void host_plan(const struct host *h, const char *root, struct host_plan *p)
{
    memset(p, 0, sizeof(*p));
    p->manage = host_yes(h->res[HF_managehost]);
    p->family = family(h, root);
    p->xendomains_enabled = service_enabled(root, "xendomains");
    p->libvirtd_enabled = service_enabled(root, "libvirtd");
    if (!p->manage)
        return;
    check_packages(h, root, p);

    char *type = root_path(root, "/sys/hypervisor/type"), *t = NULL;
    if (fs_read_file(type, &t, NULL, NULL) == 0) {
        t[strcspn(t, "\n")] = '\0';
        p->on_xen = !strcmp(t, "xen");
    }
    free(t);
    free(type);

    p->xen_cmdline = xen_cmdline(h);
    if (!strcmp(h->res[HF_grubowner], "lcfg-grub"))
        check_grub(root, p);
    p->grub_write = !strcmp(h->res[HF_grubowner], "component") && p->family == FAM_DEBIAN;
    if (p->grub_write) {
        p->grub_text = grub_dropin(h, p->xen_cmdline);
        char *path = root_path(root, PATH_GRUB_DROPIN);
        if (fs_read_file(path, &p->grub_old, NULL, NULL) < 0)
            p->grub_change = FS_CREATED;
        else
            p->grub_change = strcmp(p->grub_old, p->grub_text) ? FS_UPDATED : FS_UNCHANGED;
        free(path);
    }

    /* Debian's xendomains saves running guests to disk at host shutdown
     * (XENDOMAINS_SAVE=/var/lib/xen/save) and restores them at boot, behind
     * the profile's back: when the component owns autostart it must not. */
    if (p->family == FAM_DEBIAN && !strcmp(h->res[HF_autostart], "component")) {
        char *path = root_path(root, PATH_XENDOMAINS_DEFAULT);
        if (fs_read_file(path, &p->xd_old, NULL, NULL) == 0)
            p->xd_text = xendomains_fixed(p->xd_old);
        free(path);
    }
}

void host_plan_free(struct host_plan *p)
{
    words_free(p->missing, p->nmissing);
    free(p->pkg_err);
    free(p->grub_text);
    free(p->grub_old);
    free(p->xen_cmdline);
    free(p->grubcfg);
    free(p->grubcfg_err);
    grub_xen_free(&p->gx);
    free(p->xd_text);
    free(p->xd_old);
    memset(p, 0, sizeof(*p));
}

static void apply_packages(const struct host_plan *p, const struct host *h, const char *root,
                           bool dry, struct host_report *rep)
{
    if (p->pkg_err) {
        add(rep, HL_ERROR, "packages: cannot ask the package database: %s", p->pkg_err);
        return;
    }
    if (p->npackages == 0)
        return;
    if (p->nmissing == 0) {
        add(rep, HL_INFO, "packages: all %zu installed", p->npackages);
        return;
    }
    char *names = joined(p->missing, p->nmissing);
    bool deb = p->family == FAM_DEBIAN;
    const char *tool = deb ? "apt-get" : "dnf";
    if (!host_yes(h->res[HF_pkginstall])) {
        add(rep, HL_WARN, "packages: missing: %s (the LCFG package manager installs them; "
            "xen.pkginstall lets the component do it)", names);
    } else if (dry) {
        add(rep, HL_INFO, "packages: %s would be installed with %s", names, tool);
    } else {
        char *prog = root_path(root, h->res[deb ? HF_aptget : HF_dnf]);
        char **argv = xcalloc(p->nmissing + 7, sizeof(*argv));
        size_t a = 0;
        argv[a++] = prog;
        argv[a++] = "install";
        argv[a++] = "-y";
        argv[a++] = "-q";
        if (deb)
            argv[a++] = "--no-install-recommends";
        for (size_t i = 0; i < p->nmissing; i++)
            argv[a++] = p->missing[i];
        char *env[] = { "DEBIAN_FRONTEND=noninteractive", NULL };
        struct exec_result res = { 0 };
        char *err = NULL;
        if (exec_run(argv, env, INSTALL_TIMEOUT_MS, &res, &err) < 0) {
            add(rep, HL_ERROR, "packages: cannot install %s: %s", names, err);
        } else if (res.status != 0) {
            char *how = exec_describe(&res, INSTALL_TIMEOUT_MS);
            add(rep, HL_ERROR, "packages: %s install %s: %s", tool, names, how);
            free(how);
        } else {
            add(rep, HL_INFO, "packages: installed %s with %s", names, tool);
        }
        exec_result_free(&res);
        free(err);
        free(argv);
        free(prog);
    }
    free(names);
}

/* Put back what the drop-in was before a failed update-grub, so that the
 * next configure sees a change and tries again. */
static void grub_restore(const char *path, const char *old)
{
    enum fs_change ch;
    if (old)
        (void)fs_write_atomic(path, old, strlen(old), 0644, &ch, NULL);
    else
        (void)unlink(path);
}

/* What lcfg-grub's GRUB configuration says, against the Xen options the
 * profile asks for. Only reported: the boot loader is not the
 * component's to change. */
static void report_grub_check(const struct host_plan *p, struct host_report *rep)
{
    const char *cl = p->xen_cmdline;
    const char *with = str_empty(cl) ? "" : " with \"", *end = str_empty(cl) ? "" : "\"";
    const struct grub_xen *g = &p->gx;
    if (p->dropin_left)
        add(rep, HL_WARN, "grub: %s is left from xen.grubowner component and update-grub still "
            "reads it: remove it (the boot loader belongs to lcfg-grub now)", PATH_GRUB_DROPIN);
    if (!p->grubcfg) {
        struct buf b = BUF_INIT;
        for (size_t i = 0; grub_configs[i]; i++)
            buf_addf(&b, "%s%s", i ? ", " : "", grub_configs[i]);
        add(rep, HL_WARN, "grub: the boot loader belongs to lcfg-grub (xen.grubowner) and there is "
            "no GRUB configuration to check (%s): it must boot Xen by default%s%s%s",
            buf_str(&b), with, cl, end);
        buf_free(&b);
    } else if (p->grubcfg_err) {
        add(rep, HL_WARN, "grub: cannot check lcfg-grub's GRUB configuration: %s", p->grubcfg_err);
    } else if (g->nxen == 0) {
        add(rep, HL_WARN, "grub: %s has no Xen entry: lcfg-grub (xen.grubowner) must boot Xen by "
            "default%s%s%s", p->grubcfg, with, cl, end);
    } else {
        bool ok = true;
        if (g->missing[0]) {
            add(rep, HL_WARN, "grub: no Xen entry of %s has \"%s\" (the closest lacks %s): "
                "lcfg-grub (xen.grubowner) must give Xen these options", p->grubcfg, cl,
                g->missing);
            ok = false;
        }
        if (g->default_xen == 0) {
            if (g->default_title)
                add(rep, HL_WARN, "grub: %s boots \"%s\" by default (default %ld), not Xen: "
                    "lcfg-grub (xen.grubowner) must make a Xen entry the default", p->grubcfg,
                    g->default_title, g->dflt);
            else
                add(rep, HL_WARN, "grub: %s has no entry %ld to boot by default: lcfg-grub "
                    "(xen.grubowner) must make a Xen entry the default", p->grubcfg, g->dflt);
            ok = false;
        }
        if (ok && g->default_xen == 1)
            add(rep, HL_INFO, "grub: %s boots Xen by default%s%s%s (lcfg-grub's: checked, not "
                "changed)", p->grubcfg, with, cl, end);
        else if (ok)
            add(rep, HL_INFO, "grub: %s has a Xen entry%s%s%s (lcfg-grub's: checked, not "
                "changed; its default entry is not checked)", p->grubcfg, with,
                cl, end);
    }
}

static void apply_grub(const struct host_plan *p, const struct host *h, const char *root,
                       bool dry, struct host_report *rep)
{
    const char *owner = h->res[HF_grubowner];
    const char *cl = p->xen_cmdline;
    if (!strcmp(owner, "none"))
        return;
    if (!strcmp(owner, "lcfg-grub")) {
        report_grub_check(p, rep);
    } else if (!p->grub_write) {
        add(rep, HL_WARN, "grub: the component edits GRUB only on Debian (xen.distro %s): make Xen "
            "the default entry%s%s%s yourself, or with lcfg-grub (xen.grubowner lcfg-grub)",
            family_names[p->family], str_empty(cl) ? "" : " with \"", cl, str_empty(cl) ? "" : "\"");
    } else if (p->grub_change == FS_UNCHANGED) {
        add(rep, HL_INFO, "grub: %s unchanged", PATH_GRUB_DROPIN);
    } else if (dry) {
        add(rep, HL_INFO, "grub: %s would be %s; update-grub would run", PATH_GRUB_DROPIN,
            p->grub_change == FS_CREATED ? "created" : "updated");
        rep->v[rep->n - 1].diff = diff_unified(p->grub_old ? p->grub_old : "", p->grub_text,
                                               p->grub_old ? PATH_GRUB_DROPIN : "/dev/null",
                                               PATH_GRUB_DROPIN);
    } else {
        char *path = root_path(root, PATH_GRUB_DROPIN), *err = NULL;
        const char *old = p->grub_old;
        char *dir = root_path(root, "/etc/default/grub.d");
        enum fs_change ch;
        if (fs_mkdir_p(dir, 0755, &err) < 0 ||
            fs_write_atomic(path, p->grub_text, strlen(p->grub_text), 0644, &ch, &err) < 0) {
            add(rep, HL_ERROR, "grub: %s", err);
        } else {
            char *prog = root_path(root, h->res[HF_updategrub]);
            char *argv[] = { prog, NULL };
            struct exec_result res = { 0 };
            const char *what = ch == FS_CREATED ? "created" : "updated";
            if (exec_run(argv, NULL, GRUB_TIMEOUT_MS, &res, &err) < 0 || res.status != 0) {
                char *how = err ? xstrdup(err) : exec_describe(&res, GRUB_TIMEOUT_MS);
                grub_restore(path, old);
                add(rep, HL_ERROR, "grub: %s failed: %s (%s put back as it was, so the next "
                    "configure tries again)", h->res[HF_updategrub], how, PATH_GRUB_DROPIN);
                free(how);
            } else {
                add(rep, HL_INFO, "grub: %s %s; update-grub ran", PATH_GRUB_DROPIN, what);
                if (p->on_xen)
                    add(rep, HL_INFO, "grub: the new Xen options take effect at the next reboot");
            }
            exec_result_free(&res);
            free(prog);
        }
        free(err);
        free(dir);
        free(path);
    }
    if (!p->on_xen) {
        add(rep, HL_WARN, "host: reboot into Xen required (/sys/hypervisor/type is not xen)");
        rep->reboot = true;
    }
}

/* Debian Policy 9.12: touch /run/reboot-required (its text is what
 * update-notifier writes there, shown at login) and name the package in
 * /run/reboot-required.pkgs once. Returns 0, or -1 with *err. */
static int flag_reboot(const char *root, char **err)
{
    char *flag = root_path(root, PATH_REBOOT_REQUIRED);
    char *pkgs = root_path(root, PATH_REBOOT_REQUIRED_PKGS);
    char *old = NULL;
    char *run = root_path(root, "/run");
    int rc = -1;
    struct stat st;
    if (fs_mkdir_p(run, 0755, err) < 0)
        goto out;
    if (lstat(flag, &st) != 0) {
        static const char text[] = "*** System restart required ***\n";
        enum fs_change ch;
        if (fs_write_atomic(flag, text, strlen(text), 0644, &ch, err) < 0)
            goto out;
    }
    if (fs_read_file(pkgs, &old, NULL, NULL) < 0)
        old = NULL;
    bool named = false;
    for (const char *l = old; l && *l;) {
        size_t n = strcspn(l, "\n");
        if (n == strlen("lcfg-xen") && !strncmp(l, "lcfg-xen", n))
            named = true;
        l += n + (l[n] == '\n');
    }
    if (!named) {
        size_t len = old ? strlen(old) : 0;
        char *text = xasprintf("%s%slcfg-xen\n", old ? old : "",
                               len && old[len - 1] != '\n' ? "\n" : "");
        enum fs_change ch;
        int w = fs_write_atomic(pkgs, text, strlen(text), 0644, &ch, err);
        free(text);
        if (w < 0)
            goto out;
    }
    rc = 0;
out:
    free(run);
    free(old);
    free(pkgs);
    free(flag);
    return rc;
}

static void apply_xendomains(const struct host_plan *p, const char *root, bool dry,
                             struct host_report *rep)
{
    if (!p->xd_text)
        return;
    const char *why = "host shutdown shuts the guests down instead of saving them";
    if (dry) {
        add(rep, HL_INFO, "xendomains: XENDOMAINS_SAVE would be set empty in %s (%s)",
            PATH_XENDOMAINS_DEFAULT, why);
        rep->v[rep->n - 1].diff = diff_unified(p->xd_old, p->xd_text, PATH_XENDOMAINS_DEFAULT,
                                               PATH_XENDOMAINS_DEFAULT);
        return;
    }
    char *path = root_path(root, PATH_XENDOMAINS_DEFAULT), *err = NULL;
    struct stat st;
    mode_t mode = stat(path, &st) == 0 ? (st.st_mode & 07777) : 0644;
    enum fs_change ch;
    if (fs_write_atomic(path, p->xd_text, strlen(p->xd_text), mode, &ch, &err) < 0)
        add(rep, HL_ERROR, "xendomains: %s", err);
    else
        add(rep, HL_INFO, "xendomains: XENDOMAINS_SAVE set empty in %s (%s)",
            PATH_XENDOMAINS_DEFAULT, why);
    free(err);
    free(path);
}

void host_apply(const struct host_plan *p, const struct host *h, const char *root, bool dry,
                struct host_report *rep)
{
    if (p->manage) {
        apply_packages(p, h, root, dry, rep);
        apply_grub(p, h, root, dry, rep);
        apply_xendomains(p, root, dry, rep);
        char *err = NULL;
        if (rep->reboot && !dry && p->family == FAM_DEBIAN && flag_reboot(root, &err) < 0)
            add(rep, HL_WARN, "host: cannot flag the reboot in %s: %s", PATH_REBOOT_REQUIRED, err);
        free(err);
    }
    /* Two toolstacks must not fight over the same guests. */
    if (p->xendomains_enabled && !strcmp(h->res[HF_autostart], "component"))
        add(rep, HL_WARN, "xendomains is enabled: it also starts guests from /etc/xen/auto and "
            "stops every running guest at host shutdown, while the component owns autostart "
            "(xen.autostart component)");
    if (p->libvirtd_enabled)
        add(rep, HL_WARN, "libvirtd is enabled: the guests must be managed by one toolstack only "
            "(libvirt does not see the component's xl guests)");
}

/* Read a small file under the root, trimmed at the first newline; NULL
 * when it cannot be read. */
static char *read_line(const char *root, const char *path)
{
    char *p = root_path(root, path), *t = NULL;
    if (fs_read_file(p, &t, NULL, NULL) == 0)
        t[strcspn(t, "\n")] = '\0';
    free(p);
    return t;
}

bool host_booted_xen(const char *root)
{
    if (hv_is_dom0(root))
        return true;
    /* A dom0 whose daemons have not started yet has no /proc/xen (the xen
     * init script mounts it): its hypervisor features say XENFEAT_dom0
     * (bit 11), as systemd checks. */
    char *type = read_line(root, "/sys/hypervisor/type");
    bool xen = type && !strcmp(type, "xen");
    free(type);
    if (!xen)
        return false;
    char *f = read_line(root, "/sys/hypervisor/properties/features");
    char *end = NULL;
    unsigned long bits = f ? strtoul(f, &end, 16) : 0;
    bool dom0 = f && end != f && *end == '\0' && (bits & (1UL << 11));
    free(f);
    return dom0;
}

/* Record a simulated command. */
static int sim_record(const char *root, const char *shown, char **err)
{
    char *path = root_path(root, PATH_SIM_SERVICES);
    char *dir = xstrdup(path);
    *strrchr(dir, '/') = '\0';
    int rc = -1;
    if (fs_mkdir_p(dir, 0755, err) == 0) {
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0) {
            set_error(err, "cannot open %s: %s", path, strerror(errno));
        } else {
            char *line = xasprintf("%s\n", shown);
            ssize_t w = write(fd, line, strlen(line));
            if (w == (ssize_t)strlen(line))
                rc = 0;
            else
                set_error(err, "cannot write %s: %s", path, strerror(errno));
            free(line);
            close(fd);
        }
    }
    free(dir);
    free(path);
    return rc;
}

void host_daemons(const struct host *h, const char *root, bool simulate, bool start,
                  struct host_report *rep)
{
    if (!host_yes(h->res[HF_managehost]))
        return;
    if (!start && !host_yes(h->res[HF_daemonstop])) {
        add(rep, HL_INFO, "daemons: left running (xen.daemonstop is not set)");
        return;
    }
    const char *list = h->res[HF_daemons];
    size_t n;
    char **d = words(str_empty(list) ? default_daemons[family(h, root)] : list, &n);
    char *sd = root_path(root, "/run/systemd/system");
    struct stat st;
    bool systemd = stat(sd, &st) == 0 && S_ISDIR(st.st_mode);
    free(sd);
    const char *verb = start ? "start" : "stop";
    for (size_t k = 0; k < n; k++) {
        /* Stop in the reverse order of start. */
        const char *svc = d[start ? k : n - 1 - k];
        char *unit = strchr(svc, '.') ? xstrdup(svc) : xasprintf("%s.service", svc);
        char *script = xasprintf("%s/%s", h->res[HF_initdir], svc);
        char *shown = systemd ? xasprintf("%s %s %s", h->res[HF_systemctl], verb, unit)
                              : xasprintf("%s %s", script, verb);
        char *err = NULL;
        if (simulate) {
            if (sim_record(root, shown, &err) < 0)
                add(rep, HL_ERROR, "daemon %s: %s", svc, err);
            else
                add(rep, HL_INFO, "daemon %s: %s (simulated: %s)", svc,
                    start ? "started" : "stopped", shown);
        } else {
            char *prog = root_path(root, systemd ? h->res[HF_systemctl] : script);
            char *argv[] = { prog, (char *)verb, systemd ? unit : NULL, NULL };
            struct exec_result res = { 0 };
            if (exec_run(argv, NULL, SERVICE_TIMEOUT_MS, &res, &err) < 0) {
                add(rep, HL_ERROR, "daemon %s: %s", svc, err);
            } else if (res.status != 0) {
                char *how = exec_describe(&res, SERVICE_TIMEOUT_MS);
                add(rep, HL_ERROR, "daemon %s: %s: %s", svc, shown, how);
                free(how);
            } else {
                add(rep, HL_INFO, "daemon %s: %s (%s)", svc, start ? "started" : "stopped", shown);
            }
            exec_result_free(&res);
            free(prog);
        }
        free(err);
        free(shown);
        free(script);
        free(unit);
    }
    words_free(d, n);
}
