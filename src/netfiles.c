/* netfiles.c: how the host configures its network (detected), and the
 * files of its bridges in that system's syntax (netconf.h). No I/O but
 * the detection's reads. */
#include "netconf.h"

#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "util.h"

/* Does /etc/network/interfaces read the drop-in directory? Debian's
 * default has "source /etc/network/interfaces.d/\*" (interfaces(5):
 * "source" globs, "source-directory" runs run-parts' names; relative
 * paths are relative to /etc/network). */
static bool sources_dropins(const char *text)
{
    static const char *const forms[] = {
        "source /etc/network/interfaces.d/*", "source interfaces.d/*",
        "source-directory /etc/network/interfaces.d", "source-directory interfaces.d",
        "source-directory /etc/network/interfaces.d/", "source-directory interfaces.d/",
    };
    for (const char *l = text; *l;) {
        size_t n = strcspn(l, "\n");
        const char *s = l, *e = l + n;
        while (s < e && (*s == ' ' || *s == '\t'))
            s++;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
            e--;
        for (size_t i = 0; i < ARRAY_SIZE(forms); i++) {
            /* Blanks between the keyword and the path count as one. */
            const char *f = forms[i], *p = s;
            while (*f && p < e) {
                if (*f == ' ' && (*p == ' ' || *p == '\t')) {
                    while (p < e && (*p == ' ' || *p == '\t'))
                        p++;
                    f++;
                } else if (*f == *p) {
                    f++;
                    p++;
                } else {
                    break;
                }
            }
            if (!*f && p == e)
                return true;
        }
        l += n + (l[n] == '\n');
    }
    return false;
}

static enum net_kind ifupdown_usable(const char *root, char **why)
{
    char *path = root_path(root, "/etc/network/interfaces"), *text = NULL;
    enum net_kind k = NET_NONE;
    if (fs_read_file(path, &text, NULL, NULL) < 0)
        *why = xstrdup("ifupdown: /etc/network/interfaces cannot be read");
    else if (!sources_dropins(text))
        *why = xstrdup("ifupdown's /etc/network/interfaces does not read "
                       NETCONF_IFUPDOWN_DIR " (it needs the line "
                       "\"source " NETCONF_IFUPDOWN_DIR "/*\", which is Debian's default)");
    else
        k = NET_IFUPDOWN;
    free(text);
    free(path);
    return k;
}

enum net_kind netconf_detect(const struct host *h, const char *root, char **why)
{
    const char *how = h->res[HF_netconfig];
    *why = NULL;
    if (!strcmp(how, "none"))
        return NET_NONE;
    if (!strcmp(how, "networkd"))
        return NET_NETWORKD;
    if (!strcmp(how, "ifupdown"))
        return ifupdown_usable(root, why);
    /* auto: networkd when it is enabled, else ifupdown. */
    if (fs_exists_under(root, NETCONF_NETWORKD_WANTS))
        return NET_NETWORKD;
    if (fs_exists_under(root, "/etc/network/interfaces"))
        return ifupdown_usable(root, why);
    *why = xstrdup("cannot tell how this host configures its network: systemd-networkd is not "
                   "enabled and there is no /etc/network/interfaces (set xen.netconfig)");
    return NET_NONE;
}

/* ---- rendering ---- */

struct files {
    char **paths, **texts;
    size_t n;
};

static void file_add(struct files *f, char *path, char *text)
{
    f->paths = xrealloc(f->paths, (f->n + 1) * sizeof(*f->paths));
    f->texts = xrealloc(f->texts, (f->n + 1) * sizeof(*f->texts));
    f->paths[f->n] = path;
    f->texts[f->n] = text;
    f->n++;
}

static void header(struct buf *b, const char *what)
{
    buf_addf(b, NETCONF_HEADER "\n# %s of xen.bridges: change the profile, not this file.\n",
             what);
}

/* ifupdown: one drop-in per bridge, with its VLAN interface (ifupdown
 * makes IF.VLAN itself; bridge_* are bridge-utils-interfaces(5)'s). The
 * bridge carries no address of dom0's: it is the guests'. */
static void render_ifupdown(const struct hbridge *b, struct files *f)
{
    struct buf t = BUF_INIT;
    char *what = xasprintf("Bridge %s", b->name);
    header(&t, what);
    free(what);
    char *port = !b->ifname[0] ? xstrdup("none")
               : b->vlan ? xasprintf("%s.%u", b->ifname, b->vlan) : xstrdup(b->ifname);
    if (b->vlan)
        buf_addf(&t, "\niface %s inet manual\n\tvlan-raw-device %s\n", port, b->ifname);
    /* With spanning tree the kernel takes a forward delay of 2-30 s only
     * (br_set_forward_delay): its default, 15 s, is left. */
    buf_addf(&t, "\nauto %s\niface %s inet manual\n\tbridge_ports %s\n\tbridge_stp %s\n%s"
             "\tbridge_maxwait 0\n", b->name, b->name, port, b->stp ? "on" : "off",
             b->stp ? "" : "\tbridge_fd 0\n");
    free(port);
    file_add(f, xasprintf(NETCONF_IFUPDOWN_DIR "/" NETCONF_IFUPDOWN_PREFIX "%s", b->name),
             buf_detach(&t));
}

/* systemd-networkd (systemd.netdev(5), systemd.network(5)): the bridge's
 * .netdev and .network; a VLAN's .netdev and .network (joining the
 * bridge); and one .network per physical interface, which joins its
 * bridge and carries its VLANs (networkd applies only the first .network
 * that matches an interface, so one file says it all). */
static void render_networkd(const struct hbridge *v, size_t n, struct files *f)
{
    const char *dir = NETCONF_NETWORKD_DIR "/" NETCONF_NETWORKD_PREFIX;
    for (size_t i = 0; i < n; i++) {
        const struct hbridge *b = &v[i];
        struct buf t = BUF_INIT;
        char *what = xasprintf("Bridge %s", b->name);
        header(&t, what);
        buf_addf(&t, "\n[NetDev]\nName=%s\nKind=bridge\n\n[Bridge]\nSTP=%s\n%s", b->name,
                 b->stp ? "yes" : "no", b->stp ? "" : "ForwardDelaySec=0\n");
        file_add(f, xasprintf("%sbr-%s.netdev", dir, b->name), buf_detach(&t));
        header(&t, what);
        buf_addf(&t, "\n[Match]\nName=%s\n\n[Network]\nLinkLocalAddressing=no\n"
                 "ConfigureWithoutCarrier=yes\n", b->name);
        file_add(f, xasprintf("%sbr-%s.network", dir, b->name), buf_detach(&t));
        free(what);
        if (!b->vlan)
            continue;
        what = xasprintf("VLAN %u of %s for bridge %s", b->vlan, b->ifname, b->name);
        header(&t, what);
        buf_addf(&t, "\n[NetDev]\nName=%s.%u\nKind=vlan\n\n[VLAN]\nId=%u\n", b->ifname, b->vlan,
                 b->vlan);
        file_add(f, xasprintf("%svlan-%s.%u.netdev", dir, b->ifname, b->vlan), buf_detach(&t));
        header(&t, what);
        buf_addf(&t, "\n[Match]\nName=%s.%u\n\n[Network]\nBridge=%s\nLinkLocalAddressing=no\n",
                 b->ifname, b->vlan, b->name);
        file_add(f, xasprintf("%svlan-%s.%u.network", dir, b->ifname, b->vlan), buf_detach(&t));
        free(what);
    }
    /* The physical interfaces, each once, in the order first named. */
    for (size_t i = 0; i < n; i++) {
        const char *ifn = v[i].ifname;
        bool first = ifn[0] != '\0';
        for (size_t k = 0; first && k < i; k++)
            first = strcmp(v[k].ifname, ifn) != 0;
        if (!first)
            continue;
        struct buf t = BUF_INIT, lines = BUF_INIT;
        for (size_t k = i; k < n; k++) {
            if (strcmp(v[k].ifname, ifn))
                continue;
            if (v[k].vlan)
                buf_addf(&lines, "VLAN=%s.%u\n", ifn, v[k].vlan);
            else
                buf_addf(&lines, "Bridge=%s\n", v[k].name);
        }
        char *what = xasprintf("Interface %s, a port", ifn);
        header(&t, what);
        free(what);
        buf_addf(&t, "\n[Match]\nName=%s\n\n[Network]\nLinkLocalAddressing=no\n%s", ifn,
                 buf_str(&lines));
        buf_free(&lines);
        file_add(f, xasprintf("%sif-%s.network", dir, ifn), buf_detach(&t));
    }
}

void netconf_render(const struct hbridge *b, size_t n, enum net_kind kind, char ***paths,
                    char ***texts, size_t *count)
{
    struct files f = { 0 };
    if (kind == NET_IFUPDOWN)
        for (size_t i = 0; i < n; i++)
            render_ifupdown(&b[i], &f);
    else if (kind == NET_NETWORKD)
        render_networkd(b, n, &f);
    *paths = f.paths;
    *texts = f.texts;
    *count = f.n;
}
