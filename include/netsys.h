/* netsys.h: the network as netconf.h's struct net_ops sees it: the host's
 * (tools run with exec, bridges in /sys/class/net, Open vSwitch asked
 * with ovs-vsctl) or the simulator's (sim backend: the tools' runs are
 * recorded in PATH_SIM_SERVICES and the bridges are the lines of
 * PATH_SIM_BRIDGES). */
#ifndef LCFGXEN_NETSYS_H
#define LCFGXEN_NETSYS_H

#include <stdbool.h>

#include "model.h"
#include "netconf.h"

/* The simulated host's bridges, one a line: NAME, or "NAME ovs" for an
 * Open vSwitch bridge; '#' comments. Absent: xenbr0 and xenbr1 (the
 * bridges the seed's guests use), as on a Xen host set up by hand. ifup
 * and "networkctl delete" change it as they would the host. */
#define PATH_SIM_BRIDGES "/var/lib/lcfg/xen/sim/bridges"
#define SIM_BRIDGES_DEFAULT "xenbr0\nxenbr1\n"

struct netsys {
    const char *root;
    const struct host *h;
    bool sim;
};

/* Fill ops to act through s (which must outlive ops). */
void netsys_ops(struct netsys *s, const char *root, const struct host *h, bool sim,
                struct net_ops *ops);

#endif
