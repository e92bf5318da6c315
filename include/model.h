/* model.h: the typed host model (host settings + guests) built from the
 * xen resources, with every validation error collected. */
#ifndef LCFGXEN_MODEL_H
#define LCFGXEN_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "resources.h"
#include "schema-gen.h"

struct span_map;

enum guest_type { GUEST_PV, GUEST_PVH, GUEST_HVM };
enum disk_type { DISK_NONE, DISK_IMAGE, DISK_PHYSICAL, DISK_LVM };
enum disk_format { FORMAT_RAW, FORMAT_QCOW2 };
/* A guest's firmware (firmware_<tag>): grub-xen images for pv and pvh,
 * SeaBIOS or OVMF for hvm. */
enum firmware { FW_NONE, FW_PVGRUB32, FW_PVGRUB64, FW_PVHGRUB, FW_BIOS, FW_UEFI };
/* How a guest's OS is installed on its first boot (install_<tag>). */
enum install_mode { INSTALL_NONE, INSTALL_KERNEL, INSTALL_PXE, INSTALL_CDROM };

/* A guest's disk: the seed's (disk_<tag>, disksec_<tag>) or an item of
 * its disks_<tag> list. */
struct disk {
    enum disk_type type;
    enum disk_format format;
    unsigned long long size_gb; /* image, lvm */
    char *path;  /* image: <dir>/<file>.img; physical: device; lvm: /dev/<vg>/<lv> */
    char *dir;   /* image: the image directory */
    char *file;  /* image: file name; lvm: logical volume name */
    const char *vg; /* lvm */
    const char *vdev;  /* the guest's device: xvda, xvdb, then dvdev */
    bool readonly;     /* access=ro */
    const char *item;  /* its item tag in disks_<tag>; "" for the seed's */
    int seed;          /* 1: disk_<tag>, 2: disksec_<tag>; 0: a list item */
};

/* A guest's NIC: the seed's eth0 (mac_, bridge_, script_), eth1 (macsec_
 * ...) or an item of its nics_<tag> list. */
struct nic {
    const char *mac;    /* "" when xl should choose one */
    const char *bridge;
    const char *script;
    const char *model;  /* hvm: the emulated NIC; "" for xl's default */
    const char *rate;   /* xl's form (10MB/s); "" for no limit */
    const char *ip;     /* IPv4 addresses, space separated; "" for none */
    const char *vifname; /* the backend interface; "" for xl's */
    unsigned long mtu;  /* 0: xl's default */
    unsigned long vlan; /* Open vSwitch VLAN; 0: none */
    const char *item;   /* its item tag in nics_<tag>; "" for the seed's */
    int seed;           /* 1: eth0, 2: eth1; 0: a list item */
};

/* An item of a guest's nested list (disks_<tag>, nics_<tag>): its tag and
 * its resources (those of its list: schema_sublist) as the guest's are. */
struct listitem {
    const char *tag;
    bool bad;           /* its tag was refused (reported) */
    const char *res[IF_COUNT];
    const char *deriv[IF_COUNT];
};

struct group;

struct guest {
    const char *tag;
    const char *res[GF_COUNT];   /* effective values: input, else the group's
                                  * (model_groups.c), else the default */
    const char *deriv[GF_COUNT]; /* their derivations; "" when unknown */
    const char *name;
    const char *uuid;
    enum guest_type type;
    unsigned long memory, maxmem;  /* MB */
    unsigned long vcpus, maxvcpus;
    bool boot;
    bool restart;               /* configure may restart it to apply changes */
    unsigned long boot_order;   /* boot group: rising at start, falling at stop */
    bool disk_reuse;            /* may use a disk created for another guest */
    unsigned long shutdown_timeout; /* seconds */
    /* The devices present, in order: the seed's, then the lists' items
     * (in the host's arena). */
    struct disk *disks;
    size_t ndisks;
    struct nic *nics;
    size_t nnics;
    /* The nested lists' items, in list order (for the status text). */
    struct listitem *items[SL_COUNT];
    size_t nitems[SL_COUNT];
    enum install_mode install;
    /* The installer: the guest's installkernel, installramdisk and
     * installextra, else the host's ("" when neither is set). */
    const char *install_kernel, *install_ramdisk, *install_extra;
    /* Its group (group_<tag> naming an item of xen.groups), or NULL. */
    const struct group *group;
    /* The inheritable fields (model_groups.c) whose empty input the model
     * filled, one bit each: from the group (inherited), or from the group
     * or the built-in default (filled: the status file shows the input). */
    unsigned char inherited, filled;
    /* Firmware and boot (model_cpu.c). */
    enum firmware firmware;
    const char *firmware_kernel; /* pv, pvh: the grub-xen image booted as the
                                  * kernel; "" otherwise */
    const char *hvm_boot;       /* boot order letters; "" for xl's default */
    /* CPU placement (model_cpu.c): "" when not set. cpus and cpus_soft
     * as given (canonical CPU lists are for comparing, see cpulist.h). */
    const char *cpus, *cpus_soft;
    unsigned long weight, cap;  /* 0: not set (the scheduler's default, no cap) */
    const char *cpupool;        /* "" (Pool-0) or a pool's name */
    bool cpu_placed;            /* any of the five is set */
};

/* An item of xen.groups: defaults for the guests whose group_<tag> names
 * it. */
enum group_field { GR_memory, GR_maxmem, GR_vcpus, GR_disk, GR_template, GR_bridge,
                   GR_bootorder, GR_COUNT }; /* HL_groupmemory ... in schema_hlist */
struct group {
    const char *tag;
    const char *res[GR_COUNT];   /* "" when not set */
    const char *deriv[GR_COUNT];
    unsigned bad;                /* bit f: res[f] was refused */
};

/* A CPU pool of the host (cpupools). */
struct cpupool {
    const char *name;   /* its tag */
    const char *cpus;   /* cpupoolcpus, as given */
    const char *sched;  /* cpupoolsched */
};

/* A bridge of the host (xen.bridges; model_net.c), which configure makes
 * (netconf.h). */
struct hbridge {
    const char *name;   /* the tag */
    const char *ifname; /* bridgeif: the physical interface; "" none */
    unsigned vlan;      /* bridgevlan: 1-4094; 0 none */
    bool stp;
};

/* A site vif script (xen.vifscripts): scriptdir/NAME from a template. */
struct vifscript {
    const char *tag;
    const char *name;     /* vif-<tag> */
    const char *template; /* a file name in templatedir */
};

#define MODEL_FIELD_SLOTS 128

struct host {
    struct resset *rs;         /* ngeneric's and the host's effective resources,
                                * in saved (status) order; the guests' are in
                                * each guest's res and deriv */
    struct arena strings;      /* the guests' tags, values and derivations */
    const char *res[HF_COUNT];
    unsigned long shutdown_timeout, parallel;
    unsigned long xl_create_timeout, xl_timeout; /* seconds */
    unsigned long install_timeout; /* seconds */
    unsigned long dom0mem, dom0maxmem, dom0vcpus; /* MB, MB, count; 0: not set */
    size_t nguests;
    struct guest *guests;
    size_t ngroups;
    struct group *groups;          /* xen.groups, in list order */
    /* host_find_guest's index: open addressing over guests, i + 1. */
    size_t *tag_index;
    size_t tag_buckets;
    /* The spanning map (span.h): the subscribed per-node resources (not
     * saved), the map read from them, and this host's name in it. */
    struct resset *maprs;
    struct span_map *span;
    const char *span_self;
    /* The host tag lists' items (groupmemory_<group>, cpupoolcpus_<pool>,
     * bridgeif_<bridge>, ...), effective values, in list order; the pools
     * read from them; the bridges' and vif scripts' items as the input
     * gave them (model_net.c), and what they describe. */
    struct resset *hlrs;
    struct cpupool *pools;
    size_t npools;
    struct resset *itemrs;
    struct hbridge *bridges;
    size_t nbridges;
    struct vifscript *vifscripts;
    size_t nvifscripts;
    /* The guest fields by name: see model.c. */
    unsigned char field_slot[MODEL_FIELD_SLOTS];
};

struct errlist {
    char **v;
    size_t n;
};

/* Build and validate the model from the resources read. Every error found
 * is appended to errs (each names the guest, the resource and the value).
 * Returns the model (caller frees with host_free) when errs stays empty,
 * otherwise NULL. */
struct host *model_build(const struct resset *input, struct errlist *errs);
void host_free(struct host *h);

/* Look a guest up by tag; NULL when absent. */
const struct guest *host_find_guest(const struct host *h, const char *tag);

/* A resource of the model by its full name (ng_..., a host resource,
 * FIELD_TAG of a listed guest or FIELD_TAG_ITEM of one of its list items): its value, with its derivation in *deriv
 * ("" when unknown) when deriv is not NULL; NULL when there is none. *g
 * (when not NULL) is set to the guest it belongs to, or NULL. */
const char *host_lookup(const struct host *h, const char *name, const char **deriv,
                        const struct guest **g);

/* The model's resources as status-file text (profile_format_status's
 * format): ngeneric's and the host's in h->rs's order, then each guest's
 * fields in schema order. Caller frees. */
char *host_format_status(const struct host *h);

/* The group whose default g's field f is, or NULL (g's own, or a
 * built-in default). */
const struct group *guest_inherits(const struct guest *g, int f);

/* The group called tag, or NULL. */
const struct group *host_find_group(const struct host *h, const char *tag);

/* The guests an argument of a per-guest method names: "@GROUP" is the
 * members of GROUP (the guests whose group_<tag> is GROUP) in boot order
 * (rising bootorder, then profile order). Returns their number (0: a group
 * without members) with *members (caller frees), or -1 with *err ("no
 * group 'X' in the saved configuration" or "'X' is not a group name"). */
long host_group_members(const struct host *h, const char *group, const struct guest ***members,
                        char **err);

/* A value as it may appear in a message: control and non-ASCII bytes
 * escaped, long values shortened, so that a hostile value cannot forge log
 * lines. Caller frees. */
char *model_value_shown(const char *v);

/* Is name a vif script a guest may use: one of Xen's, or a site script
 * of xen.vifscripts (model_net.c)? */
bool model_vif_script_ok(const struct host *h, const char *name);
/* Xen's own vif scripts, NULL-terminated. */
extern const char *const model_xen_vif_scripts[];

void errlist_add(struct errlist *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void errlist_free(struct errlist *e);

static inline const char *disk_type_name(enum disk_type t)
{
    static const char *const n[] = { "none", "image", "physical", "lvm" };
    return n[t];
}

/* The value of resource field (an item_field of list sl) of g's list
 * item tagged item; "" when there is none. */
const char *model_item_value(const struct guest *g, int sl, const char *item, int field);

/* Append to out (", " between) the full name of each resource of g's
 * list items that differs from the same item's in pg (the previous
 * configuration of the guest); items new or gone are changes of the list
 * resource itself. */
struct buf;
void model_items_changed(const struct guest *pg, const struct guest *g, struct buf *out);

/* The full name of the resource giving a NIC's MAC: mac_<tag>,
 * macsec_<tag> or nmac_<tag>_<item>. Caller frees. */
char *model_nic_mac_resource(const struct guest *g, const struct nic *n);

static inline const char *install_mode_name(enum install_mode m)
{
    static const char *const n[] = { "", "kernel", "pxe", "cdrom" };
    return n[m];
}

static inline const char *firmware_name(enum firmware f)
{
    static const char *const n[] = { "", "pvgrub32", "pvgrub64", "pvh-grub", "bios", "uefi" };
    return n[f];
}

/* The pool a guest wants ("Pool-0" when cpupool is empty). */
static inline const char *guest_pool(const struct guest *g)
{
    return g->cpupool && *g->cpupool ? g->cpupool : "Pool-0";
}

static inline const char *guest_type_name(enum guest_type t)
{
    static const char *const n[] = { "pv", "pvh", "hvm" };
    return n[t];
}

#endif
