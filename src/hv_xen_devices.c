/* hv_xen_devices.c: the xen backend's devices: what disks and NICs a
 * domain has, and hot-plugging more (xl block-attach, xl network-attach).
 *
 * A domain's devices are read from xenstore, from the backend
 * directories dom0's toolstack writes for it (XEN.md §2):
 *
 *   /local/domain/0/backend/vbd/DOMID/DEVID/    dev, params, mode, device-type
 *   /local/domain/0/backend/qdisk/DOMID/DEVID/  (QEMU's: qcow2 images)
 *   /local/domain/0/backend/vif/DOMID/DEVID/    mac, bridge
 *
 * libxl writes them when it creates the domain and on every attach, and
 * removes them on a detach, whoever runs it (an admin's xl block-detach
 * included). Not "xl block-list" and "xl network-list": they show no
 * disk's target (xenstore would have to be read anyway), and they are a
 * process per domain where these are a few reads on the open handle. Not
 * the frontend directories under /local/domain/DOMID/device: the guest
 * may write those, dom0's backend directories only dom0. */
#include <xenctrl.h>
#include <xenstore.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devspec.h"
#include "hv_impl.h"
#include "hv_xen_decode.h"
#include "hv_xen_impl.h"
#include "util.h"

static int cmp_uint(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    return (x > y) - (x < y);
}

/* The devids under dir (none when it is missing), in numeric order. */
static int list_devids(struct xen *x, const char *dir, unsigned **ret, size_t *n, char **err)
{
    *ret = NULL;
    *n = 0;
    unsigned num = 0;
    errno = 0;
    char **ents = xs_directory(x->xsh, XBT_NULL, dir, &num);
    if (!ents) {
        if (errno == ENOENT)
            return 0;
        set_error(err, "cannot list %s in xenstore: %s", dir, strerror(errno ? errno : EIO));
        return -1;
    }
    unsigned *v = xcalloc(num ? num : 1, sizeof(*v));
    size_t k = 0;
    for (unsigned i = 0; i < num; i++) {
        unsigned long long id;
        if (parse_u64(ents[i], &id) && id <= 0xffffffffULL)
            v[k++] = (unsigned)id;
    }
    free(ents); /* one block, as libxenstore returns it */
    qsort(v, k, sizeof(*v), cmp_uint);
    *ret = v;
    *n = k;
    return 0;
}

/* dir/leaf into *val (NULL when missing). */
static int read_leaf(struct xen *x, const char *dir, unsigned devid, const char *leaf,
                     char **val, char **err)
{
    char *path = xasprintf("%s/%u/%s", dir, devid, leaf);
    enum xs_got got = hv_xen_xs_get(x, XBT_NULL, path, val, err);
    free(path);
    if (got == XS_FAILED)
        return -1;
    if (got == XS_MISSING)
        *val = NULL;
    return 0;
}

static int read_disks(struct xen *x, const char *kind, unsigned domid, struct hv_devices *d,
                      char **err)
{
    char *dir = xasprintf("/local/domain/0/backend/%s/%u", kind, domid);
    unsigned *ids = NULL;
    size_t n = 0;
    int rc = list_devids(x, dir, &ids, &n, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char *dev = NULL, *params = NULL, *mode = NULL, *type = NULL;
        if (read_leaf(x, dir, ids[i], "dev", &dev, err) < 0 ||
            read_leaf(x, dir, ids[i], "params", &params, err) < 0 ||
            read_leaf(x, dir, ids[i], "mode", &mode, err) < 0 ||
            read_leaf(x, dir, ids[i], "device-type", &type, err) < 0) {
            rc = -1;
        } else if (dev) {
            /* Without dev, a device being torn down (or not yet written). */
            d->disks = xrealloc(d->disks, (d->ndisks + 1) * sizeof(*d->disks));
            struct hv_disk *k = &d->disks[d->ndisks++];
            k->vdev = xstrdup(dev);
            k->target = xstrdup(devspec_strip_format(params ? params : ""));
            k->readonly = mode && !strcmp(mode, "r");
            k->cdrom = type && !strcmp(type, "cdrom");
        }
        free(dev);
        free(params);
        free(mode);
        free(type);
    }
    free(ids);
    free(dir);
    return rc;
}

static int read_nics(struct xen *x, unsigned domid, struct hv_devices *d, char **err)
{
    char *dir = xasprintf("/local/domain/0/backend/vif/%u", domid);
    unsigned *ids = NULL;
    size_t n = 0;
    int rc = list_devids(x, dir, &ids, &n, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char *mac = NULL, *bridge = NULL;
        if (read_leaf(x, dir, ids[i], "mac", &mac, err) < 0 ||
            read_leaf(x, dir, ids[i], "bridge", &bridge, err) < 0) {
            rc = -1;
        } else if (mac) {
            d->nics = xrealloc(d->nics, (d->nnics + 1) * sizeof(*d->nics));
            struct hv_nic *k = &d->nics[d->nnics++];
            k->devid = ids[i];
            snprintf(k->mac, sizeof(k->mac), "%s", mac);
            for (char *c = k->mac; *c; c++)
                if (*c >= 'A' && *c <= 'F')
                    *c = (char)(*c - 'A' + 'a');
            k->bridge = xstrdup(bridge ? bridge : "");
        }
        free(mac);
        free(bridge);
    }
    free(ids);
    free(dir);
    return rc;
}

int hv_xen_devices(struct hv *hv, unsigned domid, struct hv_devices *ret, char **err)
{
    struct xen *x = hv->priv;
    memset(ret, 0, sizeof(*ret));
    if (hv_xen_target(x, domid, err) < 0)
        return -1;
    if (read_disks(x, "vbd", domid, ret, err) < 0 || read_disks(x, "qdisk", domid, ret, err) < 0 ||
        read_nics(x, domid, ret, err) < 0) {
        hv_devices_free(ret);
        return -1;
    }
    return 0;
}

char **hv_xen_argv_block_attach(const char *xl, unsigned domid, const char *spec)
{
    char **argv = xcalloc(5, sizeof(*argv));
    argv[0] = xstrdup(xl);
    argv[1] = xstrdup("block-attach");
    argv[2] = xasprintf("%u", domid);
    argv[3] = xstrdup(spec);
    return argv;
}

char **hv_xen_argv_network_attach(const char *xl, unsigned domid, const char *spec)
{
    size_t n = 3;
    for (const char *c = spec; *c; c++)
        n += *c == ',';
    char **argv = xcalloc(n + 2, sizeof(*argv));
    argv[0] = xstrdup(xl);
    argv[1] = xstrdup("network-attach");
    argv[2] = xasprintf("%u", domid);
    size_t k = 3;
    char *copy = xstrdup(spec), *save = NULL;
    /* As xl splits a vif item (strtok at commas, leading blanks skipped):
     * each KEY=VALUE is one word of network-attach's command line. */
    for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        w += strspn(w, " \t");
        if (*w)
            argv[k++] = xstrdup(w);
    }
    free(copy);
    return argv;
}

/* "xl network-attach 5 mac=... bridge=..." */
static char *argv_text(char **argv)
{
    struct buf b = BUF_INIT;
    buf_adds(&b, "xl");
    for (size_t i = 1; argv[i]; i++)
        buf_addf(&b, " %s", argv[i]);
    return buf_detach(&b);
}

int hv_xen_attach_disk(struct hv *hv, unsigned domid, const char *spec, char **err)
{
    struct xen *x = hv->priv;
    if (hv_xen_refuse_readonly(x, "attach_disk", err) < 0 || hv_xen_target(x, domid, err) < 0)
        return -1;
    char *what = xasprintf("xl block-attach %u '%s'", domid, spec);
    char **argv = hv_xen_argv_block_attach(x->xl, domid, spec);
    int rc = hv_xen_run_xl(argv, x->timeout_ms, what, err);
    hv_xen_argv_free(argv);
    free(what);
    return rc;
}

int hv_xen_attach_nic(struct hv *hv, unsigned domid, const char *spec, char **err)
{
    struct xen *x = hv->priv;
    if (hv_xen_refuse_readonly(x, "attach_nic", err) < 0 || hv_xen_target(x, domid, err) < 0)
        return -1;
    char **argv = hv_xen_argv_network_attach(x->xl, domid, spec);
    char *what = argv_text(argv);
    int rc = hv_xen_run_xl(argv, x->timeout_ms, what, err);
    hv_xen_argv_free(argv);
    free(what);
    return rc;
}
