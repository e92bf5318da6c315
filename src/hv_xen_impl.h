/* hv_xen_impl.h: between hv_xen.c (the handle, xenstore and xl) and
 * hv_xen_devices.c (a domain's devices, hot-plug). Not public. Only
 * files that include <xenctrl.h> and <xenstore.h> first include it. */
#ifndef LCFGXEN_HV_XEN_IMPL_H
#define LCFGXEN_HV_XEN_IMPL_H

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
enum xs_got xen_xs_get(struct xen *x, xs_transaction_t t, const char *path, char **ret,
                       char **err);
/* Run an xl command line within timeout_ms; what names it in messages. */
int xen_run_xl(char **argv, unsigned timeout_ms, const char *what, char **err);
/* Not Domain-0, and there. */
int xen_target(struct xen *x, unsigned domid, char **err);
/* A read-only handle refuses op. */
int xen_refuse_readonly(struct xen *x, const char *op, char **err);

/* hv_xen_devices.c: the ops. */
int xen_devices(struct hv *hv, unsigned domid, struct hv_devices *ret, char **err);
int xen_attach_disk(struct hv *hv, unsigned domid, const char *spec, char **err);
int xen_attach_nic(struct hv *hv, unsigned domid, const char *spec, char **err);

#endif
