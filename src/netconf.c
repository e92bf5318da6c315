/* netconf.c: the host's bridges (see netconf.h): the plan (the files to
 * write or remove, from netfiles.c's renders and what exists), applying
 * it through struct net_ops, and the check before a boot. */
#include "netconf.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diff.h"
#include "util.h"

#define add host_report_add

/* ---- planning ---- */

/* The files the profile wants (netconf_render's). */
struct files {
    char **paths, **texts;
    size_t n;
};

/* Is this file the component's: its first line is the header? */
static bool own_file(const char *text)
{
    size_t n = strlen(NETCONF_HEADER);
    return !strncmp(text, NETCONF_HEADER, n) && (text[n] == '\n' || text[n] == '\0');
}

static void plan_file(struct net_plan *p, char *path, char *text, char *old)
{
    p->files = xrealloc(p->files, (p->nfiles + 1) * sizeof(*p->files));
    struct net_file *f = &p->files[p->nfiles++];
    f->path = path;
    f->text = text;
    f->old = old;
    f->change = !old ? FS_CREATED : !text || strcmp(old, text) ? FS_UPDATED : FS_UNCHANGED;
}

/* The bridge a file of the component's is about (NULL: none). */
static char *file_bridge(const char *path)
{
    const char *base = strrchr(path, '/') + 1;
    size_t ip = strlen(NETCONF_IFUPDOWN_PREFIX), np = strlen(NETCONF_NETWORKD_PREFIX);
    if (!strncmp(base, NETCONF_IFUPDOWN_PREFIX, ip))
        return xstrdup(base + ip);
    if (!strncmp(base, NETCONF_NETWORKD_PREFIX "br-", np + 3) && str_ends_with(base, ".netdev"))
        return xstrndup(base + np + 3, strlen(base) - np - 3 - strlen(".netdev"));
    return NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The component's files in dir that are not wanted (removed). */
static void plan_stale(struct net_plan *p, const char *root, const char *dir, const char *prefix,
                       const struct files *want)
{
    char *rdir = root_path(root, dir);
    DIR *d = opendir(rdir);
    if (!d) {
        free(rdir);
        return;
    }
    /* In name order: the same plan on every run. */
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (strncmp(e->d_name, prefix, strlen(prefix)))
            continue;
        names = xrealloc(names, (n + 1) * sizeof(*names));
        names[n++] = xstrdup(e->d_name);
    }
    closedir(d);
    if (n) /* qsort wants an array, even an empty one */
        qsort(names, n, sizeof(*names), cmp_str);
    for (size_t i = 0; i < n; i++) {
        char *path = xasprintf("%s/%s", dir, names[i]);
        bool wanted = false;
        for (size_t k = 0; k < want->n && !wanted; k++)
            wanted = !strcmp(want->paths[k], path);
        char *rpath = root_path(root, path), *old = NULL;
        struct stat st;
        if (!wanted && lstat(rpath, &st) == 0 && S_ISREG(st.st_mode) &&
            fs_read_file(rpath, &old, NULL, NULL) == 0 && own_file(old)) {
            plan_file(p, path, NULL, old);
            char *br = file_bridge(path);
            if (br) {
                p->gone = xrealloc(p->gone, (p->ngone + 1) * sizeof(*p->gone));
                p->gone[p->ngone++] = br;
            }
        } else {
            free(old);
            free(path);
        }
        free(rpath);
        free(names[i]);
    }
    free(names);
    free(rdir);
}

void netconf_plan(const struct host *h, const char *root, struct net_plan *p)
{
    memset(p, 0, sizeof(*p));
    char *why = NULL;
    p->kind = netconf_detect(h, root, &why);
    struct files want = { 0 };
    if (p->kind == NET_NONE && h->nbridges)
        p->err = why;
    else
        free(why);
    netconf_render(h->bridges, h->nbridges, p->kind, &want.paths, &want.texts, &want.n);
    for (size_t i = 0; i < want.n; i++) {
        char *rpath = root_path(root, want.paths[i]), *old = NULL;
        if (fs_read_file(rpath, &old, NULL, NULL) < 0)
            old = NULL;
        plan_file(p, want.paths[i], want.texts[i], old);
        free(rpath);
    }
    /* What the component wrote before and the profile no longer has: in
     * both places, so that a host that changed its network system loses
     * the old files too. A bridge is only gone when neither has it. Not
     * when the network system cannot be told (a broken
     * /etc/network/interfaces must not take the bridges down), nor with
     * netconfig none (hands off). */
    if (p->kind == NET_NONE) {
        free(want.paths);
        free(want.texts);
        return;
    }
    struct files nothing = { 0 };
    plan_stale(p, root, NETCONF_IFUPDOWN_DIR, NETCONF_IFUPDOWN_PREFIX,
               p->kind == NET_IFUPDOWN ? &want : &nothing);
    plan_stale(p, root, NETCONF_NETWORKD_DIR, NETCONF_NETWORKD_PREFIX,
               p->kind == NET_NETWORKD ? &want : &nothing);
    size_t k = 0;
    for (size_t i = 0; i < p->ngone; i++) {
        bool kept = false;
        for (size_t b = 0; b < h->nbridges && !kept; b++)
            kept = !strcmp(h->bridges[b].name, p->gone[i]);
        for (size_t j = 0; j < k && !kept; j++)
            kept = !strcmp(p->gone[j], p->gone[i]);
        if (kept)
            free(p->gone[i]);
        else
            p->gone[k++] = p->gone[i];
    }
    p->ngone = k;
    free(want.paths);
    free(want.texts);
}

void netconf_plan_free(struct net_plan *p)
{
    for (size_t i = 0; i < p->nfiles; i++) {
        free(p->files[i].path);
        free(p->files[i].text);
        free(p->files[i].old);
    }
    free(p->files);
    for (size_t i = 0; i < p->ngone; i++)
        free(p->gone[i]);
    free(p->gone);
    free(p->err);
    memset(p, 0, sizeof(*p));
}

/* ---- applying ---- */

struct applying {
    const struct host *h;
    const char *root;
    const struct net_ops *ops;
    bool dry;
    struct host_report *rep;
};

/* The running guest that uses bridge, NULL when none is known to. */
static const char *busy_guest(const struct net_busy *busy, size_t n, const char *bridge)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(busy[i].bridge, bridge))
            return busy[i].guest;
    return NULL;
}

/* Run a tool (prog: a host resource), as "what NAME": said, or (dry)
 * said that it would run. Returns 0, or -1 (reported). */
static int tool(struct applying *a, int prog, const char *verb, const char *name,
                const char *why)
{
    const char *path = a->h->res[prog];
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    char *shown = verb ? xasprintf("%s %s %s", base, verb, name) : xasprintf("%s %s", base, name);
    if (a->dry) {
        add(a->rep, HL_INFO, "bridges: would run %s (%s)", shown, why);
        free(shown);
        return 0;
    }
    char *prog_path = root_path(a->root, path), *err = NULL;
    char *argv[] = { prog_path, verb ? (char *)verb : (char *)name, verb ? (char *)name : NULL,
                     NULL };
    int rc = a->ops->run(a->ops->ctx, argv, &err);
    if (rc < 0)
        add(a->rep, HL_ERROR, "bridges: %s failed: %s", shown, err);
    else
        add(a->rep, HL_INFO, "bridges: ran %s (%s)", shown, why);
    free(err);
    free(prog_path);
    free(shown);
    return rc;
}

/* The interfaces an ifupdown drop-in defines ("iface NAME ..."), in order. */
static size_t ifaces_of(const char *text, char ***ret)
{
    char **v = NULL;
    size_t n = 0;
    for (const char *l = text; *l;) {
        size_t len = strcspn(l, "\n");
        if (!strncmp(l, "iface ", 6)) {
            size_t k = strcspn(l + 6, " \t\n");
            v = xrealloc(v, (n + 1) * sizeof(*v));
            v[n++] = xstrndup(l + 6, k);
        }
        l += len + (l[len] == '\n');
    }
    *ret = v;
    return n;
}

static void strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static bool in_use(struct applying *a, const struct net_busy *busy, size_t nbusy,
                   const char *bridge, const char **guest)
{
    *guest = busy_guest(busy, nbusy, bridge);
    return *guest || a->ops->guest_ports(a->ops->ctx, bridge);
}

static void say_busy(struct applying *a, const char *bridge, const char *guest, const char *what)
{
    if (guest)
        add(a->rep, HL_WARN, "bridges: %s %s, but running guest '%s' uses it: it is left up", bridge,
            what, guest);
    else
        add(a->rep, HL_WARN, "bridges: %s %s, but a running guest's interface is on it: it is "
            "left up", bridge, what);
}

/* ifupdown takes a bridge down with the stanza that made it: before its
 * drop-in goes. The bridge, then its VLAN interface. */
static void ifupdown_gone(struct applying *a, const struct net_file *f,
                          const struct net_busy *busy, size_t nbusy)
{
    char *br = file_bridge(f->path);
    const char *guest = NULL;
    bool kept = false;
    for (size_t i = 0; br && i < a->h->nbridges && !kept; i++)
        kept = !strcmp(a->h->bridges[i].name, br);
    /* Still in the profile (the host changed its network system): the
     * new system's files take it over. */
    if (!br || kept || in_use(a, busy, nbusy, br, &guest)) {
        if (br && !kept)
            say_busy(a, br, guest, "left xen.bridges");
        free(br);
        return;
    }
    char **ifs;
    size_t n = ifaces_of(f->old, &ifs);
    for (size_t i = n; i-- > 0;)
        tool(a, HF_ifdown, NULL, ifs[i], "it left xen.bridges");
    strv_free(ifs, n);
    free(br);
}

static int write_file(struct applying *a, const struct net_file *f)
{
    const char *what = f->change == FS_CREATED ? "created" : !f->text ? "removed" : "updated";
    if (a->dry) {
        add(a->rep, HL_INFO, "bridges: %s would be %s", f->path,
            f->change == FS_CREATED ? "created" : !f->text ? "removed" : "updated");
        a->rep->v[a->rep->n - 1].diff =
            diff_unified(f->old ? f->old : "", f->text ? f->text : "",
                         f->old ? f->path : "/dev/null", f->text ? f->path : "/dev/null");
        return 0;
    }
    char *path = root_path(a->root, f->path), *err = NULL;
    int rc = 0;
    if (!f->text) {
        if (unlink(path) < 0 && errno != ENOENT) {
            add(a->rep, HL_ERROR, "bridges: cannot remove %s: %s", f->path, strerror(errno));
            rc = -1;
        }
    } else {
        char *dir = xstrdup(path);
        *strrchr(dir, '/') = '\0';
        enum fs_change ch;
        if (fs_mkdir_p(dir, 0755, &err) < 0 ||
            fs_write_atomic(path, f->text, strlen(f->text), 0644, &ch, &err) < 0) {
            add(a->rep, HL_ERROR, "bridges: %s", err);
            rc = -1;
        }
        free(dir);
    }
    if (rc == 0)
        add(a->rep, HL_INFO, "bridges: %s %s", f->path, what);
    free(err);
    free(path);
    return rc;
}

static int exists(struct applying *a, const char *bridge)
{
    char *err = NULL;
    int r = a->ops->exists(a->ops->ctx, bridge, false, &err);
    if (r < 0) {
        add(a->rep, HL_ERROR, "bridges: cannot tell whether %s exists: %s", bridge, err);
        r = 0;
    }
    free(err);
    return r;
}

/* The state of a bridge's drop-in in the plan. */
static const struct net_file *ifupdown_file(const struct net_plan *p, const char *bridge)
{
    for (size_t i = 0; i < p->nfiles; i++) {
        char *br = file_bridge(p->files[i].path);
        bool it = br && p->files[i].text && !strcmp(br, bridge) &&
                  str_starts_with(p->files[i].path, NETCONF_IFUPDOWN_DIR "/");
        free(br);
        if (it)
            return &p->files[i];
    }
    return NULL;
}

static void ifupdown_up(struct applying *a, const struct net_plan *p,
                        const struct net_busy *busy, size_t nbusy)
{
    for (size_t i = 0; i < a->h->nbridges; i++) {
        const struct hbridge *b = &a->h->bridges[i];
        const struct net_file *f = ifupdown_file(p, b->name);
        if (!f)
            continue;
        char **ifs;
        size_t n = ifaces_of(f->text, &ifs);
        const char *guest = NULL;
        if (f->change == FS_UPDATED && exists(a, b->name)) {
            if (in_use(a, busy, nbusy, b->name, &guest)) {
                say_busy(a, b->name, guest, "changed");
                strv_free(ifs, n);
                continue;
            }
            /* Down with the stanza it was made from, up with the new. */
            char **olds;
            size_t no = ifaces_of(f->old, &olds);
            for (size_t k = no; k-- > 0;)
                tool(a, HF_ifdown, NULL, olds[k], "its drop-in changed");
            strv_free(olds, no);
            for (size_t k = 0; k < n; k++)
                tool(a, HF_ifup, NULL, ifs[k], "its drop-in changed");
        } else if (f->change != FS_UNCHANGED || !exists(a, b->name)) {
            const char *why = f->change == FS_CREATED ? "new in xen.bridges"
                            : f->change == FS_UPDATED ? "its drop-in changed" : "it is missing";
            for (size_t k = 0; k < n; k++)
                tool(a, HF_ifup, NULL, ifs[k], why);
        }
        strv_free(ifs, n);
    }
}

static void networkd_apply(struct applying *a, const struct net_plan *p,
                           const struct net_busy *busy, size_t nbusy)
{
    bool reload = false;
    for (size_t i = 0; i < p->nfiles; i++)
        reload = reload || (p->files[i].change != FS_UNCHANGED &&
                            str_starts_with(p->files[i].path, NETCONF_NETWORKD_DIR "/"));
    for (size_t i = 0; i < a->h->nbridges && !reload && p->kind == NET_NETWORKD; i++)
        reload = !exists(a, a->h->bridges[i].name);
    /* networkd does not change a netdev that exists: a changed bridge is
     * deleted first (when no guest uses it), then made again. */
    for (size_t i = 0; i < p->nfiles; i++) {
        const struct net_file *f = &p->files[i];
        if (!str_starts_with(f->path, NETCONF_NETWORKD_DIR "/"))
            continue;
        char *br = file_bridge(f->path);
        const char *guest = NULL;
        if (br && f->text && f->change == FS_UPDATED && exists(a, br)) {
            if (in_use(a, busy, nbusy, br, &guest))
                say_busy(a, br, guest, "changed");
            else
                tool(a, HF_networkctl, "delete", br, "its .netdev changed");
        }
        free(br);
    }
    if (reload && p->kind == NET_NETWORKD)
        tool(a, HF_networkctl, NULL, "reload", "the bridges' files changed");
    /* What left the profile: the bridges and their VLANs. */
    for (size_t i = 0; i < p->nfiles; i++) {
        const struct net_file *f = &p->files[i];
        const char *base = strrchr(f->path, '/') + 1;
        size_t np = strlen(NETCONF_NETWORKD_PREFIX);
        if (f->text || strncmp(base, NETCONF_NETWORKD_PREFIX, np) ||
            !str_ends_with(base, ".netdev"))
            continue;
        char *br = file_bridge(f->path);
        const char *guest = NULL;
        if (br && in_use(a, busy, nbusy, br, &guest)) {
            say_busy(a, br, guest, "left xen.bridges");
        } else if (br) {
            tool(a, HF_networkctl, "delete", br, "it left xen.bridges");
        } else if (!strncmp(base + np, "vlan-", 5)) {
            char *vl = xstrndup(base + np + 5, strlen(base) - np - 5 - strlen(".netdev"));
            tool(a, HF_networkctl, "delete", vl, "its bridge left xen.bridges");
            free(vl);
        }
        free(br);
    }
}

void netconf_apply(const struct net_plan *p, const struct host *h, const char *root,
                   const struct net_ops *ops, const struct net_busy *busy, size_t nbusy, bool dry,
                   struct host_report *rep)
{
    struct applying a = { h, root, ops, dry, rep };
    if (p->err) {
        struct buf names = BUF_INIT;
        for (size_t i = 0; i < h->nbridges; i++)
            buf_addf(&names, "%s%s", i ? " " : "", h->bridges[i].name);
        add(rep, HL_ERROR, "bridges: %s cannot be made: %s", buf_str(&names), p->err);
        buf_free(&names);
    } else if (p->kind == NET_NONE && h->nbridges) {
        add(rep, HL_INFO, "bridges: xen.netconfig is none: the component makes no bridge (each "
            "guest's are checked before it boots)");
    }
    for (size_t i = 0; i < p->nfiles; i++)
        if (!p->files[i].text && str_starts_with(p->files[i].path, NETCONF_IFUPDOWN_DIR "/"))
            ifupdown_gone(&a, &p->files[i], busy, nbusy);
    bool written = true;
    for (size_t i = 0; i < p->nfiles; i++)
        if (p->files[i].change != FS_UNCHANGED && write_file(&a, &p->files[i]) < 0)
            written = false;
    if (!written)
        return;
    if (p->kind == NET_IFUPDOWN)
        ifupdown_up(&a, p, busy, nbusy);
    networkd_apply(&a, p, busy, nbusy);
    if (dry || p->kind == NET_NONE)
        return;
    /* Said once: the tools' failures above say why. */
    size_t before = rep->errors;
    for (size_t i = 0; i < h->nbridges && rep->errors == before; i++)
        if (!exists(&a, h->bridges[i].name))
            add(rep, HL_ERROR, "bridges: %s is still missing after %s", h->bridges[i].name,
                p->kind == NET_IFUPDOWN ? "ifup" : "networkctl reload");
}

/* ---- the check before a boot ---- */

int netconf_check_guest(const struct guest *g, const struct net_ops *ops, char **err)
{
    for (size_t i = 0; i < g->nnics; i++) {
        const struct nic *n = &g->nics[i];
        /* vif-route and vif-nat use no bridge; a site script's use of it
         * is its own. An Open vSwitch NIC's VLAN is a port of its bridge. */
        bool ovs = !strcmp(n->script, "vif-openvswitch");
        if (!ovs && strcmp(n->script, "vif-bridge"))
            continue;
        /* The guest's ethN is its Nth NIC; the resource that names the
         * bridge: bridge_<tag>, bridgesec_<tag> or nbridge_<tag>_<item>. */
        char *res = n->seed ? xasprintf("%s_%s", n->seed == 1 ? "bridge" : "bridgesec", g->tag)
                            : xasprintf("nbridge_%s_%s", g->tag, n->item);
        char *e = NULL;
        int r = ops->exists(ops->ctx, n->bridge, ovs, &e);
        if (r < 0)
            set_error(err, "cannot tell whether bridge %s of NIC eth%zu (%s) exists: %s",
                      n->bridge, i, res, e);
        else if (r == 0)
            set_error(err, "bridge %s of NIC eth%zu (%s) does not exist%s", n->bridge, i, res,
                      ovs ? " (ovs-vsctl br-exists)" : "");
        free(e);
        free(res);
        if (r <= 0)
            return -1;
    }
    return 0;
}
