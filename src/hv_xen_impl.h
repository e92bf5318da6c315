/* hv_xen_impl.h: between hv_xen.c (the handle, xenstore and xl) and its
 * helpers hv_xen_cpu.c (CPU placement) and hv_xen_devices.c (a domain's
 * devices, hot-plug). Includes <xenctrl.h>, so only those may include it.
 * Not public. */
#ifndef LCFGXEN_HV_XEN_IMPL_H
#define LCFGXEN_HV_XEN_IMPL_H

#include <xenctrl.h>
#include <xenstore.h>

#include <stdbool.h>

#include "hv.h"

/* A library log message kept for an error report. */
#define LOG_MAX 256

/* The logger given to libxenctrl. Without one, it prints its errors to
 * stderr itself (e.g. "xencall: error: Could not obtain handle on
 * privileged command interface" off dom0), and only the method layer may
 * print. So it prints nothing and keeps the last error, which an error
 * report may quote. */
struct xen_logger {
    xentoollog_logger vtable; /* first: the library sees only this */
    char last[LOG_MAX];       /* "" when nothing was logged */
};

struct xen {
    struct hv hv;
    struct xen_logger log;
    xc_interface *xch;
    struct xs_handle *xsh;
    int watch_fd;  /* xs_fileno(xsh): readable while watch events are queued */
    bool watching; /* the @releaseDomain watch is registered */
    char *xl;      /* the xl program, under the root */
    char *xl_host; /* the same as a host sees it (for another host's xl) */
    char *root;    /* the --root prefix: ssh, scp are taken under it */
    bool readonly; /* HV_OPEN_READONLY: observe only */
    /* How long one run of xl may take (hv.h: struct hv_xl): create builds
     * a domain (disks, device model, hotplug scripts), the others are
     * quick requests. */
    unsigned create_timeout_ms, timeout_ms;
};

enum xs_got { XS_GOT, XS_MISSING, XS_FAILED };

/* Read path in transaction t (XBT_NULL: none). XS_MISSING when the node
 * is not there; XS_FAILED with *err on any other error. */
enum xs_got hv_xen_xs_get(struct xen *x, xs_transaction_t t, const char *path, char **ret,
                          char **err);
/* Run an xl command line; what names it in messages ("xl destroy 5"). */
int hv_xen_run_xl(char **argv, unsigned timeout_ms, const char *what, char **err);
/* Never Domain-0, and a domain that is there. */
int hv_xen_target(struct xen *x, unsigned domid, char **err);
/* A dry run's handle observes only: "read-only hypervisor handle: OP refused". */
int hv_xen_refuse_readonly(struct xen *x, const char *op, char **err);

/* CPU placement (hv_xen_cpu.c): hv.h's operations of that name. */
int hv_xen_cpu_get(struct hv *hv, unsigned domid, struct hv_cpu *ret, char **err);
int hv_xen_vcpu_pin(struct hv *hv, unsigned domid, const char *hard, const char *soft,
                    char **err);
int hv_xen_sched_set(struct hv *hv, unsigned domid, const char *sched, unsigned weight,
                     unsigned cap, char **err);
int hv_xen_pool_migrate(struct hv *hv, unsigned domid, const char *pool, char **err);
int hv_xen_pools(struct hv *hv, struct hv_pool **ret, size_t *n, unsigned *ncpus, char **err);
int hv_xen_pool_create(struct hv *hv, const char *name, const char *sched, char **err);
int hv_xen_pool_destroy(struct hv *hv, const char *name, char **err);
int hv_xen_pool_cpu(struct hv *hv, const char *pool, unsigned cpu, bool add, char **err);

/* hv_xen_devices.c: the ops. */
int hv_xen_devices(struct hv *hv, unsigned domid, struct hv_devices *ret, char **err);
int hv_xen_attach_disk(struct hv *hv, unsigned domid, const char *spec, char **err);
int hv_xen_attach_nic(struct hv *hv, unsigned domid, const char *spec, char **err);

#endif
