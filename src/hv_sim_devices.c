/* hv_sim_devices.c: the simulator's devices: the disks and NICs of a
 * domain, and plugging more into a running one.
 *
 * A domain's devices are those of the config the simulator keeps for it
 * (sim_config_path: root/SIM_DIR/config/UUID, written by create, restore
 * and a move), as libxl keeps a domain's configuration: the items of its
 * disk and vif lists (devspec.h). An attach appends the device to that
 * config, as libxl adds a hot-plugged device to the configuration it
 * keeps, so that the device stays through a reboot and goes with a save
 * image and a move:
 *
 *   disk += [ "SPEC" ]
 *   vif += [ "SPEC" ]
 *
 * (libxlu's list append). The config is written whole with a rename:
 * a process killed during an attach leaves the device plugged or not,
 * never half. A NIC without mac= gets 00:16:3e (Xen's OUI) and three
 * bytes of a digest of the domain's uuid and its devid, as xl makes one
 * up at random; the same every time it is looked at.
 *
 * The checks xl and libxl make that the component could meet: the domain
 * must be running or paused; a disk's vdev must be free in it; a disk's
 * target must exist (the block hotplug script fails otherwise). The
 * control file's fail_attach and hang (attach_disk, attach_nic) make an
 * attach fail or hang (hv_sim_control.c). */
#include "hv_impl.h"
#include "hv_sim_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "devspec.h"
#include "fsutil.h"
#include "util.h"

/* The config kept for domain d: its path line and its text (both NULL
 * when none is kept, as for a domain written into the state by hand). */
static void read_kept(struct sim *s, const struct sim_dom *d, char **path, char **text)
{
    *path = *text = NULL;
    char *where = sim_config_path(s, d->d.uuid), *all = NULL;
    if (fs_read_file(where, &all, NULL, NULL) == 0) {
        char *nl = strchr(all, '\n');
        *path = xstrndup(all, nl ? (size_t)(nl - all) : strlen(all));
        *text = xstrdup(nl ? nl + 1 : "");
    }
    free(all);
    free(where);
}

/* The devices of d's kept config; 0, or -1 with *err. */
static int kept_devices(struct sim *s, const struct sim_dom *d, struct devspecs *ret, char **err)
{
    char *path = NULL, *text = NULL;
    read_kept(s, d, &path, &text);
    int rc = 0;
    if (!text) {
        memset(ret, 0, sizeof(*ret));
    } else if (devspec_parse_config(text, ret, err) < 0) {
        char *e = *err;
        *err = NULL;
        set_error(err, "the config of domain %u (%s): %s", d->d.domid, d->d.name, e);
        free(e);
        rc = -1;
    }
    free(path);
    free(text);
    if (rc == 0) {
        for (size_t i = 0; i < ret->dev.nnics; i++) {
            struct hv_nic *n = &ret->dev.nics[i];
            if (n->mac[0])
                continue;
            unsigned long long h = hash64(HASH64_INIT, d->d.uuid, strlen(d->d.uuid));
            h = hash64(h, &n->devid, sizeof(n->devid));
            snprintf(n->mac, sizeof(n->mac), "00:16:3e:%02x:%02x:%02x",
                     (unsigned)(h & 0x7f), (unsigned)((h >> 8) & 0xff),
                     (unsigned)((h >> 16) & 0xff));
        }
    }
    return rc;
}

int sim_devices(struct hv *hv, unsigned domid, struct hv_devices *ret, char **err)
{
    struct sim *s = hv->priv;
    memset(ret, 0, sizeof(*ret));
    if (sim_op_begin(s, OP_DEVICES, err) < 0)
        return -1;
    struct sim_dom *d = sim_target(s, domid, err);
    struct devspecs ds = { 0 };
    int rc = d ? kept_devices(s, d, &ds, err) : -1;
    rc = sim_op_end(s, rc, err);
    if (rc == 0) {
        devspecs_detach(&ds, ret);
    } else {
        devspecs_free(&ds);
    }
    return rc;
}

/* Append "key += [ 'spec' ]" to d's kept config. */
static int append_kept(struct sim *s, const struct sim_dom *d, const char *key, const char *spec,
                       const char *what, char **err)
{
    char *path = NULL, *text = NULL;
    read_kept(s, d, &path, &text);
    struct buf b = BUF_INIT;
    buf_adds(&b, text ? text : "");
    if (b.len && b.data[b.len - 1] != '\n')
        buf_addc(&b, '\n');
    char q = strchr(spec, '"') ? '\'' : '"';
    buf_addf(&b, "%s += [ %c%s%c ]\n", key, q, spec, q);
    char *dir = xasprintf("%s/config", s->dir), *where = sim_config_path(s, d->d.uuid), *e = NULL;
    enum fs_change ch;
    int rc = fs_mkdir_p(dir, 0755, &e) < 0
                 ? -1
                 : fs_write_atomic_ex(where, buf_str(&b), b.len, 0644, FS_NO_SYNC, &ch, &e);
    if (rc < 0)
        set_error(err, "%s: %s", what, e);
    free(e);
    free(dir);
    free(where);
    buf_free(&b);
    free(path);
    free(text);
    return rc;
}

/* The checks of an attach to d; 0 or -1 with *err (what: the command). */
static int attach_ok(struct sim *s, const struct sim_dom *d, const char *what, char **err)
{
    if (d->d.state != DOM_RUNNING && d->d.state != DOM_PAUSED) {
        set_error(err, "%s: domain %u (%s) is not running", what, d->d.domid, d->d.name);
        return -1;
    }
    if (sim_guest_ctl(s, d->d.name).fail_attach) {
        set_error(err, "%s: simulated failure for %s", what, d->d.name);
        return -1;
    }
    return 0;
}

static int do_attach_disk(struct sim *s, unsigned domid, const char *spec, const char *what,
                          char **err)
{
    struct sim_dom *d = sim_target(s, domid, err);
    if (!d || attach_ok(s, d, what, err) < 0)
        return -1;
    struct hv_disk disk;
    char *e = NULL;
    if (devspec_disk(spec, &disk, &e) < 0) {
        set_error(err, "%s: %s", what, e);
        free(e);
        return -1;
    }
    struct devspecs have;
    int rc = kept_devices(s, d, &have, err);
    for (size_t i = 0; rc == 0 && i < have.dev.ndisks; i++)
        if (!strcmp(have.dev.disks[i].vdev, disk.vdev)) {
            set_error(err, "%s: domain %u (%s) has a disk %s already", what, domid, d->d.name,
                      disk.vdev);
            rc = -1;
        }
    struct stat st;
    char *rtarget = root_path(s->root, disk.target);
    if (rc == 0 && (!disk.target[0] || stat(rtarget, &st) < 0)) {
        set_error(err, "%s: the block hotplug script failed: %s does not exist", what,
                  disk.target);
        rc = -1;
    }
    free(rtarget);
    if (rc == 0)
        rc = append_kept(s, d, "disk", spec, what, err);
    devspecs_free(&have);
    free(disk.vdev);
    free(disk.target);
    return rc;
}

int sim_attach_disk(struct hv *hv, unsigned domid, const char *spec, char **err)
{
    struct sim *s = hv->priv;
    if (sim_op_begin(s, OP_ATTACH_DISK, err) < 0)
        return -1;
    char *what = xasprintf("xl block-attach %u '%s'", domid, spec);
    int rc;
    if (!sim_hung(s, domid, OP_ATTACH_DISK, what, &rc, err))
        rc = sim_op_end(s, do_attach_disk(s, domid, spec, what, err), err);
    free(what);
    return rc;
}

static int do_attach_nic(struct sim *s, unsigned domid, const char *spec, const char *what,
                         char **err)
{
    struct sim_dom *d = sim_target(s, domid, err);
    if (!d || attach_ok(s, d, what, err) < 0)
        return -1;
    struct hv_nic nic;
    char *e = NULL;
    if (devspec_nic(spec, 0, &nic, &e) < 0) {
        set_error(err, "%s: %s", what, e);
        free(e);
        return -1;
    }
    free(nic.bridge);
    return append_kept(s, d, "vif", spec, what, err);
}

int sim_attach_nic(struct hv *hv, unsigned domid, const char *spec, char **err)
{
    struct sim *s = hv->priv;
    if (sim_op_begin(s, OP_ATTACH_NIC, err) < 0)
        return -1;
    /* xl's command line: the spec split at its commas. */
    struct buf b = BUF_INIT;
    buf_addf(&b, "xl network-attach %u", domid);
    char *copy = xstrdup(spec), *save = NULL;
    for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save))
        buf_addf(&b, " %s", w + strspn(w, " \t"));
    free(copy);
    char *what = buf_detach(&b);
    int rc;
    if (!sim_hung(s, domid, OP_ATTACH_NIC, what, &rc, err))
        rc = sim_op_end(s, do_attach_nic(s, domid, spec, what, err), err);
    free(what);
    return rc;
}
