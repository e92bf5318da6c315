/* hv_sim_impl.h: between hv_sim.c (the simulator's state, journal and
 * control file) and hv_sim_move.c (saving, restoring and moving guests
 * between simulated hosts). Not public: the format is in hv_sim.c. */
#ifndef LCFGXEN_HV_SIM_IMPL_H
#define LCFGXEN_HV_SIM_IMPL_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "hv.h"
#include "util.h"

#define SIM_DIR "/var/lib/lcfg/xen/sim"
/* Xen's DOMID_FIRST_RESERVED: ordinary domids stay below it. */
#define DOMID_LIMIT 0x7FF0u

/* EV_END_*: an installer ending on its own (install_ms), its domain kept
 * (on_*=preserve), shut down or crashed. */
enum ev_kind { EV_NONE, EV_SHUTDOWN, EV_REBOOT, EV_END_POWEROFF, EV_END_REBOOT, EV_END_CRASH };

/* The operations, for hv_fail and hang (op_names in hv_sim.c). */
enum sim_op { OP_LIST, OP_CREATE, OP_SHUTDOWN, OP_REBOOT, OP_DESTROY, OP_SET_MEMORY,
              OP_SET_VCPUS, OP_WAIT, OP_RENAME, OP_POWER_BUTTON, OP_CAPS, OP_SAVE,
              OP_RESTORE, OP_MIGRATE, OP_SEND, OP_DEVICES, OP_ATTACH_DISK, OP_ATTACH_NIC,
              OP_COUNT };

struct sim_dom {
    struct hv_domain d; /* d.start_time unused here: start_ms is kept */
    long long start_ms;
    enum ev_kind ev;
    long long ev_requested;
    long long ev_due; /* NEVER when the guest ignores the request */
    bool touched;     /* changed by the current operation (in sim.changed) */
    bool gone;        /* removed: a place kept until the array is compacted */
};

/* One line of the control file; -1 means "not set on this line". */
struct ctl_entry {
    char *name; /* a guest name or "*" */
    long long shutdown_ms, create_ms;
    int ignore_shutdown, fail_create, half_create, crash, race_create, pv_drivers;
    int hang; /* bit per enum sim_op */
    long long install_ms;
    int install_end; /* an index in install_ends */
    long long save_ms, restore_ms, migrate_ms;
    int fail_save, fail_restore, fail_migrate, fail_attach;
};

/* What the control file says about one guest. */
struct guest_ctl {
    long long shutdown_ms, create_ms;
    bool ignore_shutdown, fail_create, half_create, crash, race_create, pv_drivers;
    unsigned hang;
    long long install_ms; /* -1: the installer never ends on its own */
    int install_end;
    long long save_ms, restore_ms, migrate_ms;
    bool fail_save, fail_restore, fail_migrate, fail_attach;
};

/* The operations that run xl on Xen, and so may hang. */
#define HANG_OPS ((1u << OP_CREATE) | (1u << OP_DESTROY) | (1u << OP_SET_MEMORY) | \
                  (1u << OP_SET_VCPUS) | (1u << OP_RENAME) | (1u << OP_POWER_BUTTON) | \
                  (1u << OP_SAVE) | (1u << OP_RESTORE) | (1u << OP_MIGRATE) | \
                  (1u << OP_ATTACH_DISK) | (1u << OP_ATTACH_NIC))

/* Who a file is (see file_id_of). */
struct file_id {
    bool exists;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
};

struct sim {
    char *root; /* the --root this host's simulator lives under */
    char *dir, *state_path, *journal_path, *control_path, *lock_path;
    int lock_fd; /* -1 in a read-only handle when there is no state yet */
    bool readonly; /* HV_OPEN_READONLY: writes no file, changes nothing */
    pid_t pid; /* the process that opened it */
    bool peer; /* another host's, opened for a move (sim_peer_open) */
    /* The state as this handle last read it, kept between operations and
     * brought up to date at the start of each (refresh). */
    bool loaded;
    unsigned next_domid;
    struct sim_dom *doms; /* in domid order, with ngone of them gone */
    size_t n, cap, ngone;
    unsigned long long serial; /* of the last change in it */
    struct file_id state_id;   /* the "domains" it was read from */
    struct file_id journal_id; /* the journal read (dev and ino) */
    off_t jpos;                /* the journal's bytes read: whole records */
    off_t jsize;               /* and any record cut short after them */
    size_t jlines;             /* its records read, for messages */
    /* What the current operation changes, for its journal record. */
    unsigned *changed; /* domids changed, added or removed */
    size_t nchanged, capchanged;
    bool next_changed; /* next_domid */
    bool rewrite;      /* write "domains" whole (fresh or repaired) */
    size_t applied;    /* events applied by the current operation */
    /* The control file. */
    struct ctl_entry *ctl;
    size_t nctl;
    unsigned hv_fail; /* bit per enum sim_op */
    int hap, shadow;  /* the "*" line's caps (-1: not set, 1 by default) */
    /* xl's timeouts (hv_open fills in the defaults). */
    unsigned create_timeout_ms, timeout_ms;
};

long long sim_now_ms(void);
void sim_sleep_ms(long long ms);
size_t sim_split_fields(char *line, char **f, size_t max);
struct guest_ctl sim_guest_ctl(const struct sim *s, const char *name);
/* The control file (hv_sim_control.c): read it again into s (0, or -1
 * with *err naming the line), or forget what it said. */
int sim_load_control(struct sim *s, char **err);
void sim_control_clear(struct sim *s);
/* The names of the operations (enum sim_op), as hv_fail and hang take them. */
extern const char *const sim_op_names[OP_COUNT];
/* The index of s in names, or -1. */
int sim_name_index(const char *const *names, size_t count, const char *s);

struct sim_dom *sim_find_dom(struct sim *s, unsigned domid);
void sim_remove_dom(struct sim *s, size_t i);
void sim_touch(struct sim *s, struct sim_dom *d);
void sim_touch_gone(struct sim *s, unsigned domid);
/* A new domain from tmpl (its name, uuid, sizes, flags) under the next
 * domid, running (or crashed: crash=1), at the end of s->doms. */
void sim_start_dom(struct sim *s, const struct sim_dom *tmpl, long long when);
/* A domain's fields, as the state file has them. */
const char *sim_parse_dom(char **f, size_t nf, struct sim_dom *d);
void sim_format_dom(struct buf *b, const struct sim_dom *d);

/* An operation: refused on a read-only handle (but list, wait, caps). */
int sim_refuse_readonly(const struct sim *s, enum sim_op op, char **err);
/* Lock, read the control file and the state, apply due events. */
int sim_op_begin(struct sim *s, enum sim_op op, char **err);
/* sim_op_begin once the lock is held (two hosts' locks, taken in order);
 * unlocks on failure. */
int sim_op_begin_locked(struct sim *s, enum sim_op op, char **err);
/* Write what changed as one journal record, keeping the lock. */
int sim_op_commit(struct sim *s, int rc, char **err);
/* sim_op_commit, then unlock. */
int sim_op_end(struct sim *s, int rc, char **err);
int sim_lock(struct sim *s, char **err);
void sim_unlock(struct sim *s);
struct sim_dom *sim_target(struct sim *s, unsigned domid, char **err);
/* After op_begin, for an operation on domid that runs xl on Xen (what:
 * its command line): when the control file makes it hang, end the
 * operation, wait for xl's timeout and fail as the xen backend does
 * (true, *rc -1); false to go on (still locked). */
bool sim_hung(struct sim *s, unsigned domid, enum sim_op op, const char *what, int *rc,
              char **err);
void sim_set_timed_out(char **err, const char *what, unsigned ms);

/* Where the simulator keeps the config a domain was created from (as
 * libxl keeps it): root/SIM_DIR/config/UUID, its path on the first line,
 * its text after. Caller frees. */
char *sim_config_path(const struct sim *s, const char *uuid);
/* Keep that copy: path, then the config's text. */
void sim_keep_config(struct sim *s, const char *uuid, const char *path, const char *text,
                     size_t len);

/* Another simulated host's simulator (root: that host's root), for a
 * move: it counts as no handle of this process's, and its close folds
 * its journal (the state is all in "domains" between runs). */
struct sim *sim_peer_open(const char *root, const struct sim *like, char **err);
void sim_peer_close(struct sim *s);

/* hv_sim_move.c: the ops. */
int sim_caps(struct hv *hv, unsigned *ret, char **err);
int sim_save(struct hv *hv, unsigned domid, const char *path, const char *rpath, char **err);
int sim_restore(struct hv *hv, const char *path, const char *rpath, struct hv_made *made,
                char **err);
int sim_migrate(struct hv *hv, unsigned domid, const struct hv_peer *peer, char **err);
int sim_send(struct hv *hv, const char *path, const char *rpath, const struct hv_peer *peer,
             char **err);
int sim_restore_at(struct hv *hv, const struct hv_peer *peer, const char *path, char **err);

/* CPU placement (hv_sim_cpu.c): hv.h's operations of that name. */
int sim_cpu_get(struct hv *hv, unsigned domid, struct hv_cpu *ret, char **err);
int sim_vcpu_pin(struct hv *hv, unsigned domid, const char *hard, const char *soft, char **err);
int sim_sched_set(struct hv *hv, unsigned domid, const char *sched, unsigned weight, unsigned cap,
                  char **err);
int sim_pool_migrate(struct hv *hv, unsigned domid, const char *pool, char **err);
int sim_pools(struct hv *hv, struct hv_pool **ret, size_t *n, unsigned *ncpus, char **err);
int sim_pool_create(struct hv *hv, const char *name, const char *sched, char **err);
int sim_pool_destroy(struct hv *hv, const char *name, char **err);
int sim_pool_cpu(struct hv *hv, const char *pool, unsigned cpu, bool add, char **err);
/* hv_sim_devices.c: the ops. */
int sim_devices(struct hv *hv, unsigned domid, struct hv_devices *ret, char **err);
int sim_attach_disk(struct hv *hv, unsigned domid, const char *spec, char **err);
int sim_attach_nic(struct hv *hv, unsigned domid, const char *spec, char **err);

#endif
