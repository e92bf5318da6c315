/* model_devices.c: a guest's disks and NICs, checked and built: the
 * seed's (disk_<tag>, disksec_<tag>; eth0 and eth1) first, then the items
 * of its lists disks_<tag> and nics_<tag> (model_lists.c) in list order.
 * The options are those of xl.cfg(5) and xl-disk-configuration(5) of Xen
 * 4.17 (its disk and vif specs). */
#include "model_impl.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"

#define MAX_IPS 8

static const char *const disk_types[] = { "none", "image", "physical", "lvm" };
static const char *const disk_formats[] = { "raw", "qcow2" };
/* Xen's vif scripts (model_xen_vif_scripts, model_net.c), in this order. */
enum { VIF_BRIDGE, VIF_ROUTE, VIF_NAT, VIF_OPENVSWITCH };
static const char *const accesses[] = { "rw", "ro" };

/* ---- the seed's disks and NICs ---- */

/* One of the seed's disks (i = 0 first, 1 second) of a guest, into d
 * (type DISK_NONE when absent). Its strings are made in a, the host's. */
static void check_seed_disk(struct arena *a, struct guest *g, struct errlist *errs, int i,
                            struct disk *d)
{
    struct where w = { errs, g, NULL };
    int f_size = i ? GF_disksec : GF_disk;
    int f_type = i ? GF_disktypesec : GF_disktype;
    int f_path = i ? GF_diskpathsec : GF_diskpath;
    int f_format = i ? GF_diskformatsec : GF_diskformat;
    int f_dev = i ? GF_diskdevsec : GF_diskdev;
    int f_vg = i ? GF_diskvgsec : GF_diskvg;

    int t = model_get_enum(&w, f_type, g->res[f_type], disk_types, ARRAY_SIZE(disk_types),
                     "disk type");
    int fmt = model_get_enum(&w, f_format, g->res[f_format], disk_formats,
                       ARRAY_SIZE(disk_formats), "disk format");
    if (t < 0 || fmt < 0)
        return;
    /* The second disk exists only when asked for: a size, or a device. */
    if (i == 1 && t == DISK_IMAGE && str_empty(g->res[f_size]))
        t = DISK_NONE;
    if (i == 1 && t == DISK_LVM && str_empty(g->res[f_size]) && str_empty(g->res[f_vg]))
        t = DISK_NONE;
    d->type = (enum disk_type)t;
    d->format = (enum disk_format)fmt;
    const char *tname = schema_guest[f_type].name;

    /* Every value given is checked, used or not: a bad one is a mistake
     * in the profile either way, and it is saved with the others. */
    bool path_ok = model_get_path(&w, f_path, g->res[f_path]);
    bool dev_ok = str_empty(g->res[f_dev]) || model_get_path(&w, f_dev, g->res[f_dev]);
    bool vg_ok = str_empty(g->res[f_vg]) || check_vgname(g->res[f_vg]);
    if (!vg_ok)
        model_bad(&w, f_vg, g->res[f_vg], "is not a volume group name");

    if (fmt == FORMAT_QCOW2 && t != DISK_IMAGE && t != DISK_NONE)
        model_bad(&w, f_format, g->res[f_format], "is only possible for image disks");

    switch (d->type) {
    case DISK_NONE:
        if (!str_empty(g->res[f_size]))
            model_bad(&w, f_size, g->res[f_size], "is set but %s_%s is none", tname, g->tag);
        break;
    case DISK_IMAGE: {
        unsigned long size = 0;
        if (str_empty(g->res[f_size])) {
            model_bad(&w, f_size, NULL, "missing (%s_%s is image: give its size in GB, or set %s_%s to none)",
                tname, g->tag, tname, g->tag);
        } else if (model_get_uint(&w, f_size, g->res[f_size], 1, MAX_DISK_GB, "GB", true, &size)) {
            d->size_gb = size;
        }
        if (!path_ok)
            break;
        if (i == 0) {
            d->file = arena_cat(a, g->name, ".img", NULL);
        } else if (!str_empty(g->res[GF_disknamesec])) {
            if (!check_filename(g->res[GF_disknamesec])) {
                struct where w2 = w;
                model_bad(&w2, GF_disknamesec, g->res[GF_disknamesec],
                    "is not a file name (letters, digits, _ . -; no '/' or '..')");
                break;
            }
            d->file = arena_cat(a, g->res[GF_disknamesec], ".img", NULL);
        } else {
            d->file = arena_cat(a, g->name, "-2.img", NULL);
        }
        d->dir = arena_strdup(a, g->res[f_path]);
        size_t dl = strlen(d->dir);
        d->path = arena_cat(a, d->dir, dl && d->dir[dl - 1] == '/' ? "" : "/", d->file, NULL);
        /* Each part may be within bounds and the whole not (found by
         * fuzzing: xl's config check refuses such a target). */
        if (strlen(d->path) > 1024)
            model_bad(&w, f_path, g->res[f_path],
                "with the image file %s makes a path longer than 1024 characters", d->file);
        break;
    }
    case DISK_PHYSICAL:
        if (!str_empty(g->res[f_size]))
            model_bad(&w, f_size, g->res[f_size], "is set but a physical disk has the size of its device");
        if (str_empty(g->res[f_dev]))
            model_bad(&w, f_dev, NULL, "missing (%s_%s is physical: name its block device)", tname, g->tag);
        else if (dev_ok)
            d->path = arena_strdup(a, g->res[f_dev]);
        break;
    case DISK_LVM: {
        unsigned long size = 0;
        if (str_empty(g->res[f_size]))
            model_bad(&w, f_size, NULL, "missing (%s_%s is lvm: give its size in GB)", tname, g->tag);
        else if (model_get_uint(&w, f_size, g->res[f_size], 1, MAX_DISK_GB, "GB", true, &size))
            d->size_gb = size;
        if (str_empty(g->res[f_vg])) {
            model_bad(&w, f_vg, NULL, "missing (%s_%s is lvm: name its volume group)", tname, g->tag);
            break;
        }
        if (!vg_ok)
            break;
        d->vg = g->res[f_vg];
        if (i == 0)
            d->file = arena_strdup(a, g->name);
        else if (!str_empty(g->res[GF_disknamesec]) && check_filename(g->res[GF_disknamesec]))
            d->file = arena_strdup(a, g->res[GF_disknamesec]);
        else if (!str_empty(g->res[GF_disknamesec])) {
            model_bad(&w, GF_disknamesec, g->res[GF_disknamesec],
                "is not a file name (letters, digits, _ . -; no '/' or '..')");
            break;
        } else
            d->file = arena_cat(a, g->name, "-2", NULL);
        d->path = arena_cat(a, "/dev/", d->vg, "/", d->file, NULL);
        break;
    }
    }
}

/* The seed's eth0 (i = 0) and eth1 (i = 1), into n; false when absent. */
static bool check_seed_nic(const struct host *h, struct guest *g, struct errlist *errs, int i,
                           struct nic *n)
{
    struct where w = { errs, g, NULL };
    int f_mac = i ? GF_macsec : GF_mac;
    int f_bridge = i ? GF_bridgesec : GF_bridge;
    int f_script = i ? GF_scriptsec : GF_script;
    /* eth0 exists unless its bridge is none (xl picks a MAC when none is
     * given); eth1 only when macsec is set. */
    if (i == 0 && !strcmp(g->res[f_bridge], "none")) {
        if (!str_empty(g->res[f_mac]))
            model_bad(&w, f_mac, g->res[f_mac], "is set but bridge_%s is none (no eth0)", g->tag);
        return false;
    }
    if (i == 1 && str_empty(g->res[f_mac]))
        return false;
    n->mac = g->res[f_mac];
    if (!str_empty(n->mac)) {
        if (!check_mac(n->mac))
            model_bad(&w, f_mac, n->mac, "is not a MAC address");
        else if (!check_mac_unicast(n->mac))
            model_bad(&w, f_mac, n->mac, "is a multicast MAC address (a NIC needs a unicast one)");
        else if (!strcmp(n->mac, "00:00:00:00:00:00"))
            model_bad(&w, f_mac, n->mac, "is the all-zero MAC address");
    }
    n->bridge = g->res[f_bridge];
    if (!check_ifname(n->bridge))
        model_bad(&w, f_bridge, n->bridge, "is not a bridge name (1-15 letters, digits, _ . -)");
    n->script = g->res[f_script];
    model_vif_script(h, &w, f_script, n->script);
    n->model = n->rate = n->ip = n->vifname = n->item = "";
    n->seed = i + 1;
    return true;
}


/* ---- the lists' disks ---- */

/* vdev xvdX or xvdXY: its disk index (a 0, z 25, aa 26), or -1. */
static int vdev_index(const char *v)
{
    if (strncmp(v, "xvd", 3))
        return -1;
    const char *l = v + 3;
    if (l[0] >= 'a' && l[0] <= 'z' && !l[1])
        return l[0] - 'a';
    if (l[0] >= 'a' && l[0] <= 'z' && l[1] >= 'a' && l[1] <= 'z' && !l[2])
        return 26 * (l[0] - 'a' + 1) + (l[1] - 'a');
    return -1;
}

static const char *vdev_name(struct arena *a, int i)
{
    char v[8] = "xvd";
    if (i < 26) {
        v[3] = (char)('a' + i);
    } else {
        v[3] = (char)('a' + i / 26 - 1);
        v[4] = (char)('a' + i % 26);
    }
    return arena_strdup(a, v);
}

/* The seed's devices own xvda, xvdb and the cdrom's xvdc (hdc, the same
 * disk, for an hvm guest): the lists' default vdevs start at xvdd. */
#define FIRST_ITEM_VDEV 3
#define MAX_VDEV (26 + 26 * 26)

static void check_item_disk(struct arena *a, struct guest *g, struct errlist *errs,
                            const struct listitem *it, struct disk *d)
{
    struct where w = { errs, g, it->tag };
    const char *const *r = it->res;
    int t = model_get_enum(&w, IF_dtype, r[IF_dtype], disk_types + 1,
                           ARRAY_SIZE(disk_types) - 1, "disk type");
    int fmt = model_get_enum(&w, IF_dformat, r[IF_dformat], disk_formats,
                             ARRAY_SIZE(disk_formats), "disk format");
    int acc = model_get_enum(&w, IF_daccess, r[IF_daccess], accesses, ARRAY_SIZE(accesses),
                             "disk access");
    bool path_ok = model_get_path(&w, IF_dpath, r[IF_dpath]);
    bool dev_ok = str_empty(r[IF_ddev]) || model_get_path(&w, IF_ddev, r[IF_ddev]);
    bool vg_ok = str_empty(r[IF_dvg]) || check_vgname(r[IF_dvg]);
    if (!vg_ok)
        model_bad(&w, IF_dvg, r[IF_dvg], "is not a volume group name");
    bool name_ok = str_empty(r[IF_dname]) || check_filename(r[IF_dname]);
    if (!name_ok)
        model_bad(&w, IF_dname, r[IF_dname],
                  "is not a file name (letters, digits, _ . -; no '/' or '..')");
    if (t < 0 || fmt < 0 || acc < 0)
        return;
    t++; /* past "none" */
    d->type = (enum disk_type)t;
    d->format = (enum disk_format)fmt;
    d->readonly = acc == 1;
    d->item = it->tag;
    if (fmt == FORMAT_QCOW2 && t != DISK_IMAGE)
        model_bad(&w, IF_dformat, r[IF_dformat], "is only possible for image disks");
    const char *tname = schema_item[IF_dtype].name;
    unsigned long size = 0;
    if (t != DISK_PHYSICAL && !str_empty(r[IF_ddev]))
        model_bad(&w, IF_ddev, r[IF_ddev], "is set but %s_%s_%s is %s", tname, g->tag, it->tag,
                  r[IF_dtype]);
    if (t != DISK_LVM && !str_empty(r[IF_dvg]))
        model_bad(&w, IF_dvg, r[IF_dvg], "is set but %s_%s_%s is %s", tname, g->tag, it->tag,
                  r[IF_dtype]);
    if (t == DISK_PHYSICAL) {
        if (!str_empty(r[IF_dsize]))
            model_bad(&w, IF_dsize, r[IF_dsize],
                      "is set but a physical disk has the size of its device");
        if (!str_empty(r[IF_dname]))
            model_bad(&w, IF_dname, r[IF_dname], "is set but a physical disk is its device");
        if (str_empty(r[IF_ddev]))
            model_bad(&w, IF_ddev, NULL, "missing (%s_%s_%s is physical: name its block device)",
                      tname, g->tag, it->tag);
        else if (dev_ok)
            d->path = arena_strdup(a, r[IF_ddev]);
        return;
    }
    if (str_empty(r[IF_dsize]))
        model_bad(&w, IF_dsize, NULL, "missing (%s_%s_%s is %s: give its size in GB)", tname,
                  g->tag, it->tag, r[IF_dtype]);
    else if (model_get_uint(&w, IF_dsize, r[IF_dsize], 1, MAX_DISK_GB, "GB", true, &size))
        d->size_gb = size;
    if (!name_ok)
        return;
    /* Named after the guest unless dname says otherwise: a renamed guest's
     * disk follows its name (identity.c). */
    const char *base = str_empty(r[IF_dname]) ? arena_cat(a, g->name, "-", it->tag, NULL)
                                              : r[IF_dname];
    if (t == DISK_LVM) {
        if (str_empty(r[IF_dvg])) {
            model_bad(&w, IF_dvg, NULL, "missing (%s_%s_%s is lvm: name its volume group)",
                      tname, g->tag, it->tag);
            return;
        }
        if (!vg_ok)
            return;
        d->vg = r[IF_dvg];
        d->file = arena_strdup(a, base);
        d->path = arena_cat(a, "/dev/", d->vg, "/", d->file, NULL);
        return;
    }
    if (!path_ok)
        return;
    d->file = arena_cat(a, base, ".img", NULL);
    d->dir = arena_strdup(a, r[IF_dpath]);
    size_t dl = strlen(d->dir);
    d->path = arena_cat(a, d->dir, dl && d->dir[dl - 1] == '/' ? "" : "/", d->file, NULL);
    if (strlen(d->path) > 1024)
        model_bad(&w, IF_dpath, r[IF_dpath],
                  "with the image file %s makes a path longer than 1024 characters", d->file);
}

/* Each list disk's vdev: dvdev, else the first free one from xvdd (the
 * given ones taken first, so that a default never lands on one). Two
 * disks of a guest never share one. */
static void assign_vdevs(struct arena *a, struct guest *g, struct errlist *errs, size_t from)
{
    if (g->ndisks == from)
        return;
    /* The indexes taken, with whose they are: the seed's disks, the
     * cdrom, the given ones (at most 3 + MAX_ITEMS: a scan is enough). */
    int taken[3 + MAX_ITEMS + 1];
    const char *who[3 + MAX_ITEMS + 1], *whoitem[3 + MAX_ITEMS + 1];
    size_t nt = 0;
    for (size_t k = 0; k < from; k++, nt++) {
        taken[nt] = vdev_index(g->disks[k].vdev);
        who[nt] = g->disks[k].seed == 1 ? "disk" : "disksec";
        whoitem[nt] = NULL;
    }
    if (!str_empty(g->res[GF_cdpath])) {
        taken[nt] = 2;
        who[nt] = "cdpath";
        whoitem[nt++] = NULL;
    }
    const struct listitem *items = g->items[SL_disks];
    size_t k = from;
    for (size_t j = 0; j < g->nitems[SL_disks] && k < g->ndisks; j++) {
        if (items[j].bad || strcmp(items[j].tag, g->disks[k].item))
            continue;
        struct disk *d = &g->disks[k++];
        const char *v = items[j].res[IF_dvdev];
        if (str_empty(v))
            continue;
        struct where w = { errs, g, items[j].tag };
        int i = vdev_index(v);
        if (i < 0) {
            model_bad(&w, IF_dvdev, v, "is not a virtual disk (xvd and one or two letters)");
            continue;
        }
        size_t t = 0;
        while (t < nt && taken[t] != i)
            t++;
        if (t < nt && whoitem[t])
            model_bad(&w, IF_dvdev, v, "is used twice by this guest (also %s_%s_%s)", who[t],
                      g->tag, whoitem[t]);
        else if (t < nt)
            model_bad(&w, IF_dvdev, v, "is used twice by this guest (also %s_%s)", who[t], g->tag);
        if (t < nt)
            continue;
        taken[nt] = i;
        who[nt] = "dvdev";
        whoitem[nt++] = items[j].tag;
        d->vdev = arena_strdup(a, v);
    }
    int next = FIRST_ITEM_VDEV;
    for (k = from; k < g->ndisks; k++) {
        if (g->disks[k].vdev)
            continue;
        for (size_t t = 0; t < nt;)
            if (taken[t] == next) {
                next++;
                t = 0;
            } else {
                t++;
            }
        if (next >= MAX_VDEV || nt == ARRAY_SIZE(taken))
            break; /* at most MAX_ITEMS items: never */
        taken[nt++] = next;
        g->disks[k].vdev = vdev_name(a, next);
    }
}

/* ---- the lists' NICs ---- */

/* The emulated NICs the allow-list takes (xlcfg.c: a qemu -device name). */
static const char *const nic_models[] = { "e1000", "rtl8139", "virtio-net" };

static void check_mac_value(const struct where *w, int field, const char *mac)
{
    if (str_empty(mac))
        return;
    if (!check_mac(mac))
        model_bad(w, field, mac, "is not a MAC address");
    else if (!check_mac_unicast(mac))
        model_bad(w, field, mac, "is a multicast MAC address (a NIC needs a unicast one)");
    else if (!strcmp(mac, "00:00:00:00:00:00"))
        model_bad(w, field, mac, "is the all-zero MAC address");
}

static bool check_item_nic(const struct host *h, struct guest *g, struct errlist *errs, const struct listitem *it,
                           struct nic *n, bool xm)
{
    struct where w = { errs, g, it->tag };
    const char *const *r = it->res;
    size_t before = errs->n;
    const char *sname = schema_item[IF_nscript].name;
    n->item = it->tag;
    n->mac = r[IF_nmac];
    check_mac_value(&w, IF_nmac, n->mac);
    n->bridge = r[IF_nbridge];
    if (!check_ifname(n->bridge))
        model_bad(&w, IF_nbridge, n->bridge, "is not a bridge name (1-15 letters, digits, _ . -)");
    n->script = r[IF_nscript];
    int s = model_vif_script(h, &w, IF_nscript, n->script);
    n->model = r[IF_nmodel];
    if (!str_empty(n->model) &&
        model_get_enum(&w, IF_nmodel, n->model, nic_models, ARRAY_SIZE(nic_models),
                       "permitted NIC model") >= 0 && g->type != GUEST_HVM)
        model_bad(&w, IF_nmodel, n->model,
                  "is for hvm guests (a pv or pvh guest's NIC is not emulated)");
    n->rate = r[IF_nrate];
    if (!str_empty(n->rate) && !check_vif_rate(n->rate))
        model_bad(&w, IF_nrate, n->rate,
                  "is not a rate as xl takes it (RATE/s or RATE/s@INTERVAL: 10MB/s, "
                  "100Mb/s@20ms)");
    n->ip = r[IF_nip];
    size_t nips = 0;
    if (!str_empty(n->ip) && !check_ipv4_list(n->ip, MAX_IPS, &nips))
        model_bad(&w, IF_nip, n->ip,
                  "is not a list of IPv4 addresses (1-%d, one space between)", MAX_IPS);
    else if (s == VIF_ROUTE || s == VIF_NAT) {
        if (str_empty(n->ip))
            model_bad(&w, IF_nip, NULL, "missing (%s_%s_%s is %s: give the guest's IPv4 address)",
                      sname, g->tag, it->tag, n->script);
        else if (s == VIF_NAT && nips > 1)
            model_bad(&w, IF_nip, n->ip, "has %zu addresses (vif-nat takes one)", nips);
    } else if (s >= 0 && !str_empty(n->ip)) {
        model_bad(&w, IF_nip, n->ip, "is set but %s_%s_%s is %s (only vif-route and vif-nat "
                  "use it)", sname, g->tag, it->tag, n->script);
    }
    n->vifname = r[IF_nvifname];
    if (!str_empty(n->vifname)) {
        /* An hvm guest's emulated twin is VIFNAME-emu: 15 characters in all. */
        size_t max = g->type == GUEST_HVM ? 11 : 15;
        if (!check_ifname(n->vifname) || strlen(n->vifname) > max)
            model_bad(&w, IF_nvifname, n->vifname,
                      "is not an interface name (1-%zu letters, digits, _ . -%s)", max,
                      g->type == GUEST_HVM ? "; xl adds -emu for an hvm guest" : "");
    }
    n->mtu = 0;
    if (!str_empty(r[IF_nmtu]))
        model_get_uint(&w, IF_nmtu, r[IF_nmtu], 68, 65535, "", true, &n->mtu);
    n->vlan = 0;
    if (!str_empty(r[IF_nvlan])) {
        if (model_get_uint(&w, IF_nvlan, r[IF_nvlan], 1, 4094, "", true, &n->vlan) &&
            s >= 0 && s != VIF_OPENVSWITCH)
            model_bad(&w, IF_nvlan, r[IF_nvlan], "is set but %s_%s_%s is %s (a VLAN needs "
                      "vif-openvswitch)", sname, g->tag, it->tag, n->script);
    }
    /* xm (Xen 3.x) has neither a vif mtu nor Open vSwitch. */
    static const int xl_only[] = { IF_nmtu, IF_nvlan };
    for (size_t k = 0; xm && k < ARRAY_SIZE(xl_only); k++)
        if (!str_empty(r[xl_only[k]]))
            model_bad(&w, xl_only[k], r[xl_only[k]], "needs the xl format (xm has no vif %s)",
                      xl_only[k] == IF_nmtu ? "mtu" : "VLAN");
    /* vif-openvswitch reads BRIDGE.VLAN: a "." in the bridge's own name
     * would be taken for one. */
    if (s == VIF_OPENVSWITCH && strchr(n->bridge, '.'))
        model_bad(&w, IF_nbridge, n->bridge,
                  "contains '.', which vif-openvswitch reads as a VLAN (give it in nvlan_%s_%s)",
                  g->tag, it->tag);
    return errs->n == before;
}

/* ---- all of a guest's devices ---- */

void model_devices_check(struct host *h, struct guest *g, struct errlist *errs)
{
    struct arena *a = &h->strings;
    struct where w = { errs, g, NULL };
    size_t nd = 2 + g->nitems[SL_disks], nn = 2 + g->nitems[SL_nics];
    g->disks = arena_alloc(a, nd * sizeof(*g->disks));
    g->nics = arena_alloc(a, nn * sizeof(*g->nics));
    g->ndisks = g->nnics = 0;
    for (int i = 0; i < 2; i++) {
        struct disk d = { 0 };
        check_seed_disk(a, g, errs, i, &d);
        if (i == 1 && !str_empty(g->res[GF_disknamesec]) && d.type == DISK_NONE)
            model_bad(&w, GF_disknamesec, g->res[GF_disknamesec],
                      "is set but there is no second disk");
        if (d.type == DISK_NONE)
            continue;
        d.vdev = i ? "xvdb" : "xvda";
        d.item = "";
        d.seed = i + 1;
        g->disks[g->ndisks++] = d;
    }
    size_t seeds = g->ndisks;
    for (size_t k = 0; k < g->nitems[SL_disks]; k++) {
        const struct listitem *it = &g->items[SL_disks][k];
        if (it->bad)
            continue;
        struct disk d = { 0 };
        check_item_disk(a, g, errs, it, &d);
        if (d.type != DISK_NONE)
            g->disks[g->ndisks++] = d;
    }
    assign_vdevs(a, g, errs, seeds);
    for (int i = 0; i < 2; i++) {
        struct nic n = { 0 };
        if (check_seed_nic(h, g, errs, i, &n))
            g->nics[g->nnics++] = n;
    }
    for (size_t k = 0; k < g->nitems[SL_nics]; k++) {
        const struct listitem *it = &g->items[SL_nics][k];
        if (it->bad)
            continue;
        struct nic n = { 0 };
        if (check_item_nic(h, g, errs, it, &n, !strcmp(h->res[HF_format], "xm")))
            g->nics[g->nnics++] = n;
    }
}
