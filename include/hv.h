/* hv.h: the hypervisor, behind one small interface with two backends:
 * "xen" (libxenctrl + libxenstore to observe and ask, xl for what needs
 * the toolstack) and "sim" (a simulated hypervisor with Xen's semantics,
 * its state kept under the root, for tests and the demo). */
#ifndef LCFGXEN_HV_H
#define LCFGXEN_HV_H

#include <stdbool.h>
#include <stddef.h>

enum dom_state {
    DOM_RUNNING,  /* running or blocked: alive */
    DOM_PAUSED,
    DOM_SHUTDOWN, /* shut down (reason in shutdown_reason), not yet destroyed */
    DOM_CRASHED,
    DOM_DYING,
};

/* Xen's SHUTDOWN_* reasons (xen/sched.h). */
enum { HV_SHUTDOWN_POWEROFF = 0, HV_SHUTDOWN_REBOOT = 1, HV_SHUTDOWN_SUSPEND = 2,
       HV_SHUTDOWN_CRASH = 3 };

struct hv_domain {
    unsigned domid;
    char name[65];           /* from xenstore /local/domain/<id>/name ("" if unknown) */
    char uuid[37];           /* lower-case 8-4-4-4-12 */
    enum dom_state state;
    int shutdown_reason;     /* HV_SHUTDOWN_*, when state is DOM_SHUTDOWN */
    unsigned long long mem_kb;    /* current allocation */
    unsigned long long target_kb; /* balloon target (memory/target) */
    unsigned long long max_kb;    /* maxmem cap */
    unsigned vcpus;          /* online */
    unsigned max_vcpus;
    double cpu_seconds;
    long long start_time;    /* seconds since 1970, 0 when unknown */
    bool hvm;                /* an HVM guest (XEN_DOMINF_hvm_guest): it has an
                              * ACPI power button (power_button) */
    bool request_pending;    /* a shutdown or reboot request sits in its
                              * control/shutdown node, not yet taken by the
                              * guest (which clears the node when it acts):
                              * an HVM guest without PV drivers never takes it */
};

/* What a create made: the domain it built (its uuid, a domid new since
 * the create began), whether the create worked or not. */
struct hv_made {
    bool made;      /* false: nothing of this create's is known to be left */
    unsigned domid; /* when made */
};

/* Domain domid of a list in domid order (as list returns it), or NULL. */
static inline const struct hv_domain *hv_find_domid(const struct hv_domain *doms, size_t n,
                                                    unsigned domid)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (doms[mid].domid < domid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && doms[lo].domid == domid ? &doms[lo] : NULL;
}

/* What the host's hypervisor can do to move a guest (Xen's physinfo
 * capabilities, XEN_SYSCTL_PHYSCAP_hap and _shadow). A live migration
 * needs log-dirty mode: a PV guest's needs shadow paging, an HVM or PVH
 * guest's HAP or shadow paging. Debian 12's Xen is built without shadow
 * paging, so there no PV guest can be live-migrated. */
enum { HV_CAP_HAP = 1u << 0, HV_CAP_SHADOW = 1u << 1 };

/* Why a host with caps (HV_CAP_*) cannot live-migrate a guest (hvm: an
 * HVM or PVH guest, hv_domain.hvm), in the words both backends' migrate
 * refuse with ("live migration of PV guests needs shadow paging, which
 * this hypervisor lacks"), or NULL when it can. */
const char *hv_cannot_live_migrate(unsigned caps, bool hvm);

/* Another host, for migrate, send and restore_at. */
struct hv_peer {
    const char *host; /* its name, as remote and copy take it */
    /* The program and options that run a command on host (xen.migrateremote,
     * "ssh" by default): host, then the command, are appended. NULL or
     * empty: host is this host (a move to itself, as the tests and
     * "xl migrate -s '' DOMID 'xl migrate-receive'" do); so is a host
     * named "localhost", or (xen) this host's uname, or (sim) the
     * basename of this host's root. */
    const char *const *remote;
    /* The program and options that copy a file to host (xen.migratecopy,
     * "scp -q -p" by default): the local path and HOST:PATH are appended. */
    const char *const *copy;
    unsigned timeout_ms; /* how long one stage may take (0: xl's create
                          * timeout) */
};

/* CPU lists as xl prints them ("all", "0-3,6"), at most this long. */
#define HV_CPUS_TEXT 512

/* A domain's CPU placement: the hard and soft affinity of its vcpus ("all",
 * "0-1"; "mixed" when its vcpus differ), its weight and cap (0 and 0 in a
 * pool whose scheduler has none), and its pool. */
struct hv_cpu {
    char hard[HV_CPUS_TEXT], soft[HV_CPUS_TEXT];
    unsigned weight, cap;
    char pool[65];
};

/* A CPU pool: its name, scheduler (credit2, credit, rtds, null), CPUs and
 * how many domains it has. */
struct hv_pool {
    char name[65];
    char sched[16];
    char cpus[HV_CPUS_TEXT];
    unsigned ndoms;
};

/* A disk a domain has (hv_ops.devices), or that a config file gives it
 * (devspec.h). */
struct hv_disk {
    char *vdev;    /* as the guest sees it: "xvdb" */
    char *target;  /* the backing path as xl was given it (a file, a block
                    * device), without a format prefix ("qcow2:") */
    bool readonly; /* access=ro (xenstore mode "r") */
    bool cdrom;    /* devtype=cdrom */
};

/* A network interface a domain has, or a config file gives it. */
struct hv_nic {
    unsigned devid; /* its vif index: ethN in the guest, in config order */
    char mac[18];   /* lower case; "" when unknown (a config's NIC without
                     * mac=, whose MAC xl makes up) */
    char *bridge;   /* "" when unknown */
};

struct hv_devices {
    struct hv_disk *disks;
    size_t ndisks;
    struct hv_nic *nics;
    size_t nnics;
};

void hv_devices_free(struct hv_devices *d);

struct hv;

struct hv_ops {
    const char *name; /* "xen" or "sim" */
    /* Every domain, dom0 included, sorted by domid. *ret: caller frees. */
    int (*list)(struct hv *hv, struct hv_domain **ret, size_t *n, char **err);
    /* The domain called name, as list would show it: 0 with *ret filled,
     * 1 when no domain has that name, -1 with *err. */
    int (*lookup)(struct hv *hv, const char *name, struct hv_domain *ret, char **err);
    /* The domain whose uuid is uuid (either case), as lookup. Of several
     * (a reboot's old and new domain), the first that is not dying. */
    int (*lookup_uuid)(struct hv *hv, const char *uuid, struct hv_domain *ret, char **err);
    /* Create and unpause a domain from a config file (path: as the host
     * sees it; rpath: under the root), like "xl create -q -f path".
     * *made (when not NULL) says which domain this create built, also when
     * it fails: the only domain a caller may destroy after a failed create
     * (a domain of the guest's name may be someone else's, made meanwhile
     * by xendomains or an admin). The config must set uuid, or nothing is
     * known as made. */
    int (*create)(struct hv *hv, const char *path, const char *rpath, struct hv_made *made,
                  char **err);
    /* Ask the guest to power off (PV control/shutdown = "poweroff"). */
    int (*shutdown)(struct hv *hv, unsigned domid, char **err);
    /* Ask the guest to reboot. */
    int (*reboot)(struct hv *hv, unsigned domid, char **err);
    /* Press the ACPI power button of an HVM guest ("xl trigger ID power"):
     * the shutdown request of a guest without PV drivers. */
    int (*power_button)(struct hv *hv, unsigned domid, char **err);
    /* Rename a domain ("xl rename ID NAME"); fails when another domain has
     * that name. */
    int (*rename)(struct hv *hv, unsigned domid, const char *new_name, char **err);
    /* Destroy at once ("xl destroy"). */
    int (*destroy)(struct hv *hv, unsigned domid, char **err);
    /* Set the balloon target, in KiB ("xl mem-set"); capped by max_kb. */
    int (*set_memory)(struct hv *hv, unsigned domid, unsigned long long kb, char **err);
    /* Set the online vcpus ("xl vcpu-set"); capped by max_vcpus. */
    int (*set_vcpus)(struct hv *hv, unsigned domid, unsigned n, char **err);
    /* Wait until a domain may have changed state (xenstore @releaseDomain)
     * or timeout_ms passes. Returns 0 (something happened), 1 (timeout),
     * -1 (error). */
    int (*wait)(struct hv *hv, unsigned timeout_ms, char **err);
    /* The host's HV_CAP_* bits. */
    int (*caps)(struct hv *hv, unsigned *ret, char **err);
    /* Save a domain to a file and destroy it ("xl save DOMID PATH"; path
     * as the host sees it, rpath under the root), within xl's create
     * timeout. On failure the domain runs on (xl resumes it) and nothing
     * is left at path. */
    int (*save)(struct hv *hv, unsigned domid, const char *path, const char *rpath,
                char **err);
    /* Build and unpause the domain a save image holds ("xl restore PATH":
     * the config is the one saved in the image), within xl's create
     * timeout. *made as for create. */
    int (*restore)(struct hv *hv, const char *path, const char *rpath, struct hv_made *made,
                   char **err);
    /* Live-migrate a domain to peer ("xl migrate DOMID HOST", within
     * peer->timeout_ms). On success the domain is gone from this host and
     * runs on peer, same name and uuid; on failure it runs on here. */
    int (*migrate)(struct hv *hv, unsigned domid, const struct hv_peer *peer, char **err);
    /* Copy a file to the same path on peer (a cold move's transfer). */
    int (*send)(struct hv *hv, const char *path, const char *rpath, const struct hv_peer *peer,
                char **err);
    /* Restore on peer the save image at path there ("xl restore PATH" run
     * through peer->remote). */
    int (*restore_at)(struct hv *hv, const struct hv_peer *peer, const char *path, char **err);
    /* Bring what the handle keeps in memory up to date with the
     * hypervisor (NULL: it keeps nothing). hv_create_all calls it before
     * each child it forks, which starts from that state and so reads only
     * what changed since, not every create of the batch before it. */
    int (*sync)(struct hv *hv, char **err);
    void (*close)(struct hv *hv);
    /* ---- CPU placement (hv_sim_cpu.c, hv_xen_cpu.c) ---- */
    /* A domain's placement as the hypervisor has it. */
    int (*cpu_get)(struct hv *hv, unsigned domid, struct hv_cpu *ret, char **err);
    /* Pin every vcpu ("xl vcpu-pin DOMID all HARD SOFT"): CPU lists as
     * xl takes them ("all" for none). */
    int (*vcpu_pin)(struct hv *hv, unsigned domid, const char *hard, const char *soft,
                    char **err);
    /* Scheduler weight and cap of a domain in a credit2 or credit pool
     * ("xl sched-credit2 -d DOMID -w W -c C", sched-credit for credit). */
    int (*sched_set)(struct hv *hv, unsigned domid, const char *sched, unsigned weight,
                     unsigned cap, char **err);
    /* Move a domain to another pool ("xl cpupool-migrate DOMID POOL"). */
    int (*pool_migrate)(struct hv *hv, unsigned domid, const char *pool, char **err);
    /* The host's pools (Pool-0 first; *ret: caller frees) and its
     * number of CPUs. */
    int (*pools)(struct hv *hv, struct hv_pool **ret, size_t *n, unsigned *ncpus, char **err);
    /* Make an empty pool ("xl cpupool-create name=NAME sched=SCHED"). */
    int (*pool_create)(struct hv *hv, const char *name, const char *sched, char **err);
    /* Destroy an empty pool that has no CPU ("xl cpupool-destroy"). */
    int (*pool_destroy)(struct hv *hv, const char *name, char **err);
    /* Add a free CPU to a pool, or remove one from it
     * ("xl cpupool-cpu-add POOL CPU", "xl cpupool-cpu-remove POOL CPU"). */
    int (*pool_cpu)(struct hv *hv, const char *pool, unsigned cpu, bool add, char **err);
    /* The disks and NICs domain domid has now (*ret: free with
     * hv_devices_free), disks in vdev order, NICs in devid order: the
     * xen backend reads them from dom0's backend directories in xenstore
     * (XEN.md), which libxl writes on create and on every attach and
     * removes on a detach, whoever ran it. */
    int (*devices)(struct hv *hv, unsigned domid, struct hv_devices *ret, char **err);
    /* Plug a disk into a running domain ("xl block-attach DOMID SPEC",
     * SPEC a disk item of xl.cfg(5): "format=raw, vdev=xvdc, access=rw,
     * target=/path"), within xl's timeout. */
    int (*attach_disk)(struct hv *hv, unsigned domid, const char *spec, char **err);
    /* Plug a NIC into a running domain ("xl network-attach DOMID KEY=VALUE
     * ...": SPEC a vif item of xl.cfg(5), "mac=..., bridge=xenbr0", split
     * at its commas as xl splits it), within xl's timeout. */
    int (*attach_nic)(struct hv *hv, unsigned domid, const char *spec, char **err);
};

struct hv {
    const struct hv_ops *ops;
    void *priv;
};

/* The xl toolstack (host resources xl, xltimeout, xlcreatetimeout): the
 * program, a host path taken under the root, and how long one run of it
 * may take before it is killed (SIGTERM to its process group, SIGKILL 2 s
 * later) and its operation fails with "<xl command>: timed out after N s".
 * A timeout of 0 means the default. */
struct hv_xl {
    const char *path;
    unsigned create_timeout_ms; /* xl create */
    unsigned timeout_ms;        /* xl destroy, mem-set, vcpu-set */
};

#define HV_XL_CREATE_TIMEOUT_MS (120 * 1000)
#define HV_XL_TIMEOUT_MS (60 * 1000)

/* What hv_open says when the xen backend is asked for (or chosen by
 * default) on a host that is not a running Xen dom0. */
#define HV_NOT_DOM0                                                                     \
    "this host is not running Xen (it is not a Xen dom0): reboot into the Xen entry of " \
    "its boot menu (set up by configure) first"

/* Open a backend: "xen" (NULL: the default), or "sim", the simulator,
 * which runs only when asked for. "xen" on a host that is not a running
 * dom0 fails with HV_NOT_DOM0. root: the --root prefix; xl: the toolstack (NULL: the
 * default timeouts and no program, which only the simulator can do
 * without). The simulator keeps xl's timeouts: an operation that hangs
 * there (its control file's hang) fails when xl's would. Returns 0, or -1
 * with *err (e.g. "this host is not a running Xen dom0 (cannot open the
 * hypervisor interface: No such file or directory)"). */
int hv_open(const char *which, const char *root, const struct hv_xl *xl, struct hv **ret,
            char **err);

/* hv_open's flags. */
enum {
    /* Observe only (a dry run): list, lookup, lookup_uuid and wait work;
     * every operation that would change something fails with "read-only
     * hypervisor handle: <op> refused". The simulator creates, writes and
     * removes no file: without its state it is a fresh hypervisor with
     * only Domain-0. */
    HV_OPEN_READONLY = 1u << 0,
};

/* hv_open with flags (HV_OPEN_*). */
int hv_open_flags(const char *which, const char *root, const struct hv_xl *xl, unsigned flags,
                  struct hv **ret, char **err);

/* Is root a running Xen dom0 (/sys/hypervisor/type is xen and
 * /proc/xen/capabilities has control_d)? */
bool hv_is_dom0(const char *root);

/* One domain to create with hv_create_all. */
struct hv_create_job {
    const char *path, *rpath; /* as for create */
    void *data;               /* the caller's */
    int rc;                   /* after: 0, or -1 with err */
    char *err;                /* after: why it failed (caller frees) */
    double seconds;           /* after: how long the create took */
    bool made;                /* after: the domain this create built (hv_made), */
    unsigned domid;           /* failed or not: the only one to destroy on failure */
};

/* Create the jobs' domains side by side, at most parallel at once: xl
 * create takes seconds (disks, hotplug scripts, device model), so a host
 * of many guests boots in about the time of its slowest guests, not their
 * sum. Each create runs in a child process with its own handle on hv's
 * backend, root and xl as for hv_open.
 * done(arg, job) is called in this process as each one ends, in the order
 * they end. Returns the number that failed.
 *
 * The children keep the component lock (PATH_LOCK under root) when this
 * process holds it: should this process die (SIGKILL) mid-create, the next
 * run waits for its creates to end (within its lock timeout) instead of
 * racing them; they ignore SIGINT and SIGHUP (a Ctrl-C that kills this
 * process does not leave xl building unlocked). A child whose parent has
 * died destroys what its failed create made, as done() would have had it
 * destroyed. */
size_t hv_create_all(struct hv *hv, const char *root, const struct hv_xl *xl,
                     struct hv_create_job *jobs, size_t n, unsigned parallel,
                     void (*done)(void *arg, const struct hv_create_job *job), void *arg);

#endif
