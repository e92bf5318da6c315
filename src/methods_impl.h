/* methods_impl.h: what the method files share (not a public API): the
 * pass of every method is read -> validate -> observe -> plan -> apply ->
 * record, and its files are named for those steps: observe.c, plan.c,
 * lifecycle.c (apply, on the hypervisor), configure.c, report.c
 * (status), guests.c (start, stop, run, per-guest methods), methods.c
 * (the table). */
#ifndef LCFGXEN_METHODS_IMPL_H
#define LCFGXEN_METHODS_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "configs.h"
#include "devspec.h"
#include "disks.h"
#include "hv.h"
#include "managed.h"
#include "methods.h"
#include "model.h"
#include "netsys.h"

struct installs; /* install.c */

/* The current resources, from (in order) --profile, --resources, the
 * environment, or the host's XML profile. *ret_src names the source. */
int read_current(struct ctx *c, struct resset *rs, char **ret_src, char **err);

/* Build the model, printing every validation error. */
struct host *build_model(const struct resset *rs, const char *method);

/* The saved configuration (status file); NULL with a message when there
 * is none or it is unusable. */
struct host *load_saved(struct ctx *c, const char *method);

/* The previously applied configuration, for retiring guests that left the
 * profile and reporting what changed: NULL when there is none, when it is
 * unusable (said once), or when no saved guest differs from cur (text:
 * cur's status text; *same then tells the file holds exactly that, and
 * *differs that it was read and holds something else).
 * Usually only the guests that differ are read back (previous.h). */
struct host *load_previous(struct ctx *c, const struct host *cur, const char *text,
                           bool *same, bool *differs);

/* Running or paused: a domain that is there to be used. */
bool alive(const struct hv_domain *d);

/* A list's domains by name (then in list order), so that finding every
 * guest's domain costs a binary search each, not a walk of the list. */
struct dom_index {
    const struct hv_domain **by_name, **by_uuid;
    size_t n;
};

struct dom_index dom_index_new(const struct hv_domain *doms, size_t n);

void dom_index_free(struct dom_index *ix);

/* The first domain of the list called name, or NULL: for names only
 * (two domains cannot share one); a guest's domain is found by UUID. */
const struct hv_domain *find_domain(const struct dom_index *ix, const char *name);

/* The domain of UUID uuid (any case), a live one first, or NULL: a guest
 * is its UUID, whatever its domain is called. */
const struct hv_domain *find_uuid(const struct dom_index *ix, const char *uuid);

/* The toolstack as the host's resources say: xl, xlcreatetimeout,
 * xltimeout (validated: 1-86400 s). */
struct hv_xl xl_of(const struct host *h);

/* The network (netsys.h): the simulator's on the sim backend, else the
 * host's. s must outlive ops. */
void net_of(struct ctx *c, const struct host *h, struct netsys *s, struct net_ops *ops);

/* The check before a guest boots (netconf_check_guest): false after
 * saying why the guest is not booted. net_boot_problem says nothing:
 * NULL, or why (caller frees). */
bool net_boot_ok(struct ctx *c, const struct host *h, const struct guest *g);
char *net_boot_problem(struct ctx *c, const struct host *h, const struct guest *g);

/* Format xm: the guests of a Xen 3.x host, run by xm, which the
 * component cannot drive (it drives Xen 4.5 and later, with xl and
 * libxenctrl): configure renders their xm files and creates their disks,
 * and no method looks at or acts on their domains (lcfg-xen(8),
 * PLATFORMS). */
bool host_xm(const struct host *h);

/* Say that method refuses to act on the guests of an xm host. Returns 1,
 * the method's exit status. */
int xm_refuse(const char *method);

/* The hypervisor backend, or NULL after saying why. */
struct hv *open_hv(struct ctx *c, const struct host *h, const char *method);

/* Is there a hypervisor to ask (without creating simulator state on a
 * plain host)? */
bool hv_reachable(struct ctx *c);

/* Fields whose change a running guest only sees after a restart (memory
 * and vcpus within their maxima are changed live; the rest below does not
 * concern the running domain). */
bool needs_restart_field(int f);

enum cfg_state { CFGST_CURRENT, CFGST_MISSING, CFGST_DIFFERS, CFGST_UNKNOWN };

/* What telling whether config files are current takes: templates, and
 * the record of what configure rendered. */
struct cfgcheck {
    struct render_cache *rc;
    struct rendered *was;
};

struct cfgcheck cfgcheck_new(struct ctx *c);

void cfgcheck_free(struct cfgcheck *cc);

/* Guest g's config file against a render of the saved configuration:
 * edited by hand, removed, or not yet written. *why: for CFGST_UNKNOWN.
 * A file the record knows to be current is not rendered (rendered.h). */
enum cfg_state config_state(struct ctx *c, const struct host *h, const struct guest *g,
                            struct cfgcheck *cc, char **why);

extern const char *const cfg_state_text[];

extern const char *const cfg_state_json[];

/* What a running domain needs for a setting of its guest: nothing, a
 * live change, or a restart (beyond the domain's maximum). The one rule,
 * used by configure (live changes), status and run (pending, drift). */
enum change { CH_NONE, CH_LIVE, CH_RESTART };
enum change plan_memory(const struct guest *g, const struct hv_domain *d);
enum change plan_vcpus(const struct guest *g, const struct hv_domain *d);

/* What lstat saw at a path. */
struct seen {
    bool there, regular;
    dev_t dev;
    ino_t ino;
};

/* A renamed guest's disk named after the guest: what becomes of the disk
 * under its old name (from) when the new name's path is to. */
enum disk_follow {
    DF_NOTHING,       /* nothing under the old name, or it is the new one */
    DF_MOVE,          /* rename it to the new name */
    DF_HOLD_TAKEN,    /* both names have a disk: neither is handed over */
    DF_HOLD_VOLUME,   /* a volume is never renamed by the component */
    DF_HOLD_NOT_FILE, /* not a regular file: left alone */
    DF_HOLD_RUNNING,  /* its domain runs on it: renamed once it is down */
};
enum disk_follow plan_disk_follow(enum disk_type type, bool running, const struct seen *from,
                                  const struct seen *to);

/* What the running domain d has that the saved configuration of g does
 * not, each as a line in *ret (free with strs_free). */
size_t pending_changes(const struct guest *g, const struct hv_domain *d, char ***ret);

void strs_free(char **v, size_t n);

/* devplan.c: a running guest's disks and NICs against its saved
 * configuration (the disk and vif items of its render): what configure
 * attaches live, what needs a restart. */
struct render_cache;
enum devact { DEV_ATTACH, DEV_RESTART };
struct devchange {
    enum devact act;
    bool disk;   /* else a NIC */
    size_t want; /* DEV_ATTACH: its index among the config's disks or NICs */
    char *text;  /* "disk xvdc (/var/lib/xen/images/web1-c.img)", "NIC 1 (... on xenbr0)" */
    char *why;   /* DEV_RESTART: why, ending in "needs restart ..." */
};
struct devplan {
    struct devspecs want; /* the config's devices, with their specs */
    struct devchange *v;
    size_t n;
};
/* Pure: what the running domain's devices (have) lack of want, or have
 * beyond it, for a guest of type (disk targets compared under root).
 * Appends to p->v; p->want is the caller's. */
void plan_devices(const struct devspecs *want, const struct hv_devices *have,
                  enum guest_type type, const char *root, struct devplan *p);
/* g's config (its file when file_current: known to hold what a render
 * gives; else rendered), d's devices asked of hv, and the plan. 0, or -1
 * with *err. */
int devplan_observe(struct ctx *c, const struct host *h, const struct guest *g, struct hv *hv,
                    const struct hv_domain *d, struct render_cache *rc, bool file_current,
                    struct devplan *p, char **err);
void devplan_free(struct devplan *p);
/* A change as status and run say it ("...: configure attaches it live",
 * "...: needs restart ..."). Caller frees. */
char *devchange_line(const struct devchange *ch);
/* configure: attach what is to be attached (a dry run says it would),
 * warn of what needs a restart (*need_restart set). Returns the failures. */
size_t devplan_apply(const struct guest *g, struct hv *hv, const struct hv_domain *d,
                     const struct devplan *p, bool dry, bool *need_restart);
/* status and run: d's device changes as lines (devchange_line; one
 * "devices unknown: ..." when they cannot be seen), in *ret (free with
 * strs_free); none without hv. */
size_t device_pending(struct ctx *c, const struct host *h, const struct guest *g, struct hv *hv,
                      const struct hv_domain *d, struct render_cache *rc, bool file_current,
                      char ***ret);

/* A guest being stopped: its domain, when it was asked, and whether it
 * is done. */
struct stopping {
    const struct guest *g;
    unsigned domid;
    double asked;
    bool done;
    bool pressed; /* the ACPI power button was pressed */
    bool saved;   /* saved by stop (xen.onhostshutdown save), not shut down:
                   * it is still this host's, to restore at its start */
};

/* Live changes: for each managed guest that is running, apply memory and
 * vcpus within what the running domain allows, and report every other
 * change as needing a restart. Never touches a domain not in the profile.
 * Returns the number of failures. */
struct ident;
size_t live_changes(struct ctx *c, const struct host *h, const struct ident *id, bool dry,
                    bool may_restart);

/* Boot these guests (not running, no remains): one boot group after the
 * other in rising order, a group's guests side by side, at most the host's
 * parallel at once. list is sorted in place. Returns the failures. */
size_t boot_list(struct ctx *c, const struct host *h, struct hv *hv,
                 const struct guest **list, size_t n, const char *method,
                 struct installs *in);

/* guestplan.c: what a method does to each guest, as a list of actions
 * decided from what was observed (pure); lifecycle.c applies it. */
enum act {
    ACT_NONE,        /* nothing to do, nothing to say */
    ACT_RUNNING,     /* running already (said) */
    ACT_BOOT,        /* down: boot it */
    ACT_REVIVE,      /* down, though it should run (run): said, then booted */
    ACT_CLEAR_BOOT,  /* its remains (crashed, shut down) destroyed, then booted */
    ACT_HELD,        /* not booted: configure held it back */
    ACT_NAME_TAKEN,  /* not booted: a domain of another UUID (d) has its name */
    ACT_SHUTDOWN,    /* asked to shut down; destroyed at its timeout */
    ACT_REBOOT,      /* asked to reboot */
    ACT_DESTROY,     /* destroyed at once */
    ACT_NOT_RUNNING, /* nothing to stop (said) */
    ACT_REFUSED,     /* an argument refused (why) */
    ACT_INSTALLING,  /* its installer runs (said: why) */
    ACT_NOT_INSTALLED, /* not booted: its install failed before, or its
                        * installer is missing (why) */
    ACT_ADOPT,       /* running here, but this host has no record of it: it
                      * arrived from another host (configure adopts it) */
    ACT_MOVED,       /* not booted: moved to another host (why: which) */
};
struct action {
    enum act act;
    const struct guest *g;     /* NULL: a refused argument, or a forced destroy */
    const struct hv_domain *d; /* its domain (ACT_NAME_TAKEN: the other one) */
    const char *name;
    char *why;                 /* ACT_REFUSED, ACT_INSTALLING, ACT_NOT_INSTALLED;
                                * with install: the installer */
    bool install;              /* a boot: of its install config (install.c) */
};
struct plan {
    struct action *v;
    size_t n;
    struct guest *kept;        /* guests that left the profile, kept running */
    size_t nkept;
    struct installs *in;       /* the installs (install.c), or NULL: not owned */
};
/* start (revive false) and run (true): every guest with boot set. */
void plan_boots(const struct host *h, const struct managed *rec, const struct dom_index *ix,
                bool revive, struct plan *p);
/* stop: every running guest of the profile, and the kept ones. */
void plan_stop(const struct host *h, const struct managed *rec, const struct dom_index *ix,
               struct plan *p);
/* boot, shutdown, reboot, destroy (act: ACT_BOOT, ACT_SHUTDOWN, ACT_REBOOT,
 * ACT_DESTROY) of the guests these names name; a tag is refused, a name
 * that is another guest's tag is ambiguous, a guest named twice is acted
 * on once, a domain that is no guest is taken only by destroy --force. */
void plan_named(const struct host *h, const struct managed *rec, const struct dom_index *ix,
                enum act act, bool force, char *const *names, size_t n, struct plan *p);
void plan_free(struct plan *p);

/* A dry run's report of a plan: what each action would do. Returns how
 * many would fail. */
size_t print_plan(struct ctx *c, const struct host *h, const struct plan *p, const char *method);

/* Carry a plan out, saying what each action did; boots side by side and
 * shutdowns all at once (stop: in boot groups). Returns the failures. */
size_t apply_plan(struct ctx *c, const struct host *h, struct hv *hv, const struct plan *p,
                  const char *method);

/* Ask every target to shut down at once, then wait for them together
 * (event-driven), destroying those that outlive their timeout: the whole
 * takes about as long as the slowest guest. Returns failures. */
size_t stop_guests(struct hv *hv, struct stopping *st, size_t n);

/* configure: read, validate, plan, apply, record. *saved tells that the
 * profile's resources are now the saved ones (though guests may be held
 * back, or a hypervisor action failed). Returns the exit status. */
int configure(struct ctx *c, bool *saved);

/* The methods (methods.c's table). */
int m_configure(struct ctx *c, const struct margs *a);

/* start/stop's daemons; simulated on the sim backend. Returns failures. */
size_t run_daemons(struct ctx *c, const struct host *h, bool start);

int m_status(struct ctx *c, const struct margs *a);

int m_isstarted(struct ctx *c, const struct margs *a);

int m_start(struct ctx *c, const struct margs *a);

int m_run(struct ctx *c, const struct margs *a);

int m_stop(struct ctx *c, const struct margs *a);

int m_boot(struct ctx *c, const struct margs *a);

int m_shutdown(struct ctx *c, const struct margs *a);

int m_reboot(struct ctx *c, const struct margs *a);

int m_destroy(struct ctx *c, const struct margs *a);
int m_unlease(struct ctx *c, const struct margs *a);

/* Leases (leasing.c, lease.h): take g's lease before it boots (0: taken or
 * none needed; -1: refused, said why, naming the holder); release the
 * lease of a guest that stopped on this host; the same for those of st
 * whose domains are gone. */
int lease_before_boot(struct ctx *c, const struct host *h, const struct guest *g);
void lease_after_stop(struct ctx *c, const struct host *h, const char *name, const char *uuid);
/* configure: the lease of each guest of the profile that runs here is this
 * host's (taken when free, or kept fresh); one another host holds (a guest
 * moved here by hand, without it) is said, not broken. */
struct ident;
void lease_running(struct ctx *c, const struct host *h, const struct ident *id);
void lease_release_stopped(struct ctx *c, const struct host *h, struct hv *hv,
                           const struct stopping *st, size_t n);
/* Migration: hand this host's lease of uuid over to target (the target's
 * spanhost) once the guest runs there; the target takes it as its own
 * when it adopts the guest (lease_before_boot or lease_take). 0 when
 * handed over, 1 when there was none of this host's (or no leasedir), -1
 * on error (*err). */
int lease_hand_to(struct ctx *c, const struct host *h, const char *uuid, const char *target,
                  char **err);

/* migrate.c: moving guests to other hosts (move.h). */
int m_migrate(struct ctx *c, const struct margs *a);

int m_evacuate(struct ctx *c, const struct margs *a);


/* install.c: installing a guest's OS on its first boot (install.h). */
/* configure, before disks_apply creates dp's disks at now: a pending
 * install for each guest with install set that gets a new disk. Returns 0,
 * or -1 after saying why (then no disk may be created). */
int install_mark(struct ctx *c, const struct host *h, const struct disk_plan *dp, long long now,
                 bool dry);
/* The installs of h's guests: the record, and which guests are due to be
 * installed. NULL after saying why (the record is unreadable). */
struct installs *installs_open(struct ctx *c, const struct host *h, const char *method);
void installs_close(struct installs *in);
/* Record how the installs that ended did (installed: powered off or
 * rebooted; failed: crashed, gone, or past xen.installtimeout, then
 * destroyed) and clear their domains' remains; a dry run only says.
 * Returns the failures. */
size_t installs_settle(struct installs *in, struct hv *hv);
/* Make the plan's boots of guests due to be installed boots of their
 * install configs (or refusals: failed before and not named by boot, an
 * installer file missing); an installing guest is said to be, stop
 * destroys it, shutdown and reboot refuse it. */
void installs_plan(struct installs *in, struct plan *p, const char *method);
/* Is g booted for its install by this run? */
bool installs_booting(const struct installs *in, const struct guest *g);
/* Render and write g's install config and record its install as running.
 * Returns 0 with its path in *path (caller frees), or -1 with *err. */
int installs_begin(struct installs *in, const struct guest *g, char **path, char **err);
/* Record that g's installer could not be booted (and say so). */
void installs_boot_failed(struct installs *in, const struct guest *g, const char *why);
/* status: g's install as a line, or NULL when there is nothing to say;
 * d: its domain, seen: whether the domains are known. */
char *installs_status(const struct installs *in, const struct guest *g,
                      const struct hv_domain *d, bool seen, long long now);

/* hostsave.c: keeping guests' state across a host shutdown
 * (xen.onhostshutdown save, xen.savedir). */
bool hostsave_on(const struct host *h);
/* The free space a save of a domain of mem_kb KiB needs to start. */
unsigned long long hostsave_need(unsigned long long mem_kb);
/* stop: save the guests of st (one boot group) that can be, each in turn
 * (space checked first), saying what became of each; those not saved (a
 * save refused or failed) are moved to the front of st, to be shut down.
 * Returns how many they are. */
size_t hostsave_stop(struct ctx *c, const struct host *h, struct hv *hv, struct stopping *st,
                     size_t n);
/* start and run (m), before their boots: restore each saved guest of the profile whose
 * config file is what it was saved with; move the others' images aside
 * (they boot fresh), keep those of guests not in the profile. *fresh: the
 * guests to boot fresh that start's plan does not boot (boot unset).
 * Returns the failures. */
size_t hostsave_start(struct ctx *c, const struct host *h, struct hv *hv, const char *m,
                      const struct guest ***fresh, size_t *nfresh);
/* status: g's save (its image, when), or NULL when it has none. */
char *hostsave_status(struct ctx *c, const struct guest *g);

/* identity.c: who each guest is, for configure. */
struct guest_index {
    const struct guest **v; /* by UUID */
    size_t n;
};

struct ident {
    struct guest_index cur_ix, prev_ix; /* the profile's guests, prev's */
    struct managed rec;        /* the record, as loaded (then updated) */
    struct hv *hv;             /* NULL: no hypervisor to ask */
    struct hv_domain *doms;
    size_t ndoms;
    struct dom_index ix;
    const char **renamed_from; /* per guest: its previous name, or NULL */
    bool *held;                /* per guest: held back (not written, not booted) */
    bool *rename_pending;      /* per guest: its disks still carry its old name */
    const struct hv_domain **adopted; /* per guest: its domain, running here
                                       * though this host has no record of it
                                       * (it arrived, moved here): adopted */
    const char **moved_to;     /* per guest: the host it was moved to (it runs
                                * there: not booted, configured or shut down here) */
    char **held_why;
    struct gone {              /* guests that left the profile */
        char uuid[37];
        char *name;
        bool running, still;   /* its domain ran; still runs after configure */
    } *gone;
    size_t ngone;
};

/* The guest of the previous configuration with g's UUID, or NULL. */
const struct guest *prev_guest(const struct ident *id, const struct guest *g);
/* Read the record, find renames and guests that left the profile, list
 * the domains. Returns 0, or -1 after saying why (a damaged record). */
int ident_observe(struct ctx *c, const struct host *h, const struct host *prev, struct ident *id);
/* Rename the disks named after renamed guests that are down; hold those
 * whose data cannot follow their name now. Returns failures. */
size_t ident_rename_disks(struct ctx *c, const struct host *h, struct ident *id, bool dry);
/* No disk is made for a guest held back before the disks were planned
 * (its data is elsewhere): such creates become refusals. */
void ident_hold_disks(const struct host *h, struct disk_plan *dp, const struct ident *id);
/* Hold the guests with a refused or failed disk. */
void ident_hold_refused(const struct host *h, const struct disk_plan *dp, struct ident *id);
/* Turn the config writes of held guests into warnings; returns how many. */
size_t ident_hold_configs(const struct host *h, struct cfg_plan *plan, const struct ident *id);
/* Say which guests were adopted (removing the image a cold move left
 * here) and which run on another host. */
void ident_report_moves(struct ctx *c, const struct host *h, const struct ident *id, bool dry);
/* Rename running domains to their guests' names. Returns failures. */
size_t ident_rename_domains(const struct host *h, struct ident *id, bool dry);
/* Apply xen.onremove to the running domains of guests that left. */
size_t ident_gone(struct ctx *c, const struct host *h, struct ident *id, bool dry);
/* Update and save the record. Returns failures (0 or 1). */
size_t ident_record(struct ctx *c, const struct host *h, struct ident *id);
void ident_free(struct ident *id, const struct host *h);

#endif
