/* netconf.h: the host's bridges (xen.bridges), made the way the host
 * configures its network: an ifupdown drop-in in /etc/network/interfaces.d
 * or systemd-networkd .netdev/.network files in /etc/systemd/network
 * (detected; xen.netconfig), brought up with that system's own tools; and
 * the check before a guest boots that each bridge its NICs use exists.
 *
 * Only the component's own files are written or removed: their names
 * start with NETCONF_IFUPDOWN_PREFIX or NETCONF_NETWORKD_PREFIX and their
 * first line is NETCONF_HEADER. Programs and the look at the network go
 * through struct net_ops (netsys.c: the host's, or the simulator's). */
#ifndef LCFGXEN_NETCONF_H
#define LCFGXEN_NETCONF_H

#include <stdbool.h>
#include <stddef.h>

#include "fsutil.h"
#include "hostsetup.h"
#include "model.h"

#define NETCONF_IFUPDOWN_DIR "/etc/network/interfaces.d"
#define NETCONF_IFUPDOWN_PREFIX "lcfg-xen-"
#define NETCONF_NETWORKD_DIR "/etc/systemd/network"
#define NETCONF_NETWORKD_PREFIX "50-lcfg-xen-"
#define NETCONF_HEADER "# Written by the LCFG xen component from this host's profile (lcfg-xen(8))."
/* systemd-networkd is enabled when this link exists (systemctl enable). */
#define NETCONF_NETWORKD_WANTS "/etc/systemd/system/multi-user.target.wants/systemd-networkd.service"

enum net_kind { NET_NONE, NET_IFUPDOWN, NET_NETWORKD };

/* The network as the component sees and changes it. */
struct net_ops {
    /* Run a network tool: argv[0] an absolute path under the root.
     * Returns 0, or -1 with *err saying how it failed. */
    int (*run)(void *ctx, char *const argv[], char **err);
    /* Does the bridge exist (ovs: an Open vSwitch bridge)? 1 yes, 0 no,
     * -1 with *err when it cannot be told. */
    int (*exists)(void *ctx, const char *bridge, bool ovs, char **err);
    /* Has the bridge a guest's interface (vif*, tap*) among its ports? */
    bool (*guest_ports)(void *ctx, const char *bridge);
    void *ctx;
};

/* A running guest and a bridge one of its NICs is on. */
struct net_busy {
    const char *bridge;
    const char *guest;
};

struct net_file {
    char *path;  /* host path */
    char *text;  /* NULL: the file is removed */
    char *old;   /* its content now, NULL: absent */
    enum fs_change change;
};

struct net_plan {
    enum net_kind kind;
    char *err;             /* the bridges cannot be made (detection): why */
    struct net_file *files;
    size_t nfiles;
    char **gone;           /* bridges whose files are removed (left the profile) */
    size_t ngone;
};

/* How the host configures its network: xen.netconfig, or (auto) looked
 * for under root. NET_NONE with *why when it cannot be told or is not
 * usable (*why NULL: netconfig none). Caller frees *why. */
enum net_kind netconf_detect(const struct host *h, const char *root, char **why);

/* The files of the n bridges b for kind (text only; no I/O): file i is
 * (*paths)[i] (a host path) with (*texts)[i]; *count of them. Caller
 * frees each and both arrays. */
void netconf_render(const struct hbridge *b, size_t n, enum net_kind kind, char ***paths,
                    char ***texts, size_t *count);

/* Look at the host: the files to write, change or remove. Read-only. */
void netconf_plan(const struct host *h, const char *root, struct net_plan *p);
void netconf_plan_free(struct net_plan *p);

/* Apply (dry: say what would happen, with the diffs): write and remove
 * the files, bring the bridges up, take removed bridges down unless a
 * running guest uses one (busy; then it is said). Adds lines to rep. */
void netconf_apply(const struct net_plan *p, const struct host *h, const char *root,
                   const struct net_ops *ops, const struct net_busy *busy, size_t nbusy, bool dry,
                   struct host_report *rep);

/* The check before a guest boots: each bridge its NICs use exists.
 * Returns 0, or -1 with *err naming the NIC's resource and the bridge
 * (the caller names the guest). */
int netconf_check_guest(const struct guest *g, const struct net_ops *ops, char **err);

#endif
