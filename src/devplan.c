/* devplan.c: a running guest's disks and NICs against its saved
 * configuration: what configure attaches live (xl block-attach, xl
 * network-attach), what needs a restart.
 *
 * What the guest should have is what its config gives it: the disk and
 * vif items of its render (devspec.h), the very specs xl boots it from
 * and that an attach is given. What it has is asked of the hypervisor
 * each time (hv_ops.devices), never taken from a record: an attach that a
 * killed run did not record, or a device an admin detached by hand, is
 * seen as it is by the next run.
 *
 * A disk is its vdev (the name the guest knows it by); the same vdev on a
 * running domain is the same disk when its target is the same file or
 * device (compared by what the path resolves to under the root: device
 * and inode of a file, the device number of a block device) and its
 * access is the same. A NIC is its MAC; a NIC of the config without one
 * (xl makes one up) is the running domain's NIC of its index. */
#include "methods_impl.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "devspec.h"
#include "configs.h"
#include "fsutil.h"
#include "log.h"
#include "render.h"
#include "util.h"

/* Do paths a and b (host paths, taken under root) name the same disk? */
static bool same_target(const char *root, const char *a, const char *b)
{
    if (!strcmp(a, b))
        return true;
    if (!*a || !*b)
        return false;
    char *ra = root_path(root, a), *rb = root_path(root, b);
    struct stat sa, sb;
    bool same = false;
    if (stat(ra, &sa) == 0 && stat(rb, &sb) == 0) {
        if (S_ISBLK(sa.st_mode) && S_ISBLK(sb.st_mode))
            same = sa.st_rdev == sb.st_rdev;
        else
            same = sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    }
    free(ra);
    free(rb);
    return same;
}

static char *disk_text(const struct hv_disk *d)
{
    return xasprintf("%s %s (%s)", d->cdrom ? "cdrom" : "disk", d->vdev,
                     *d->target ? d->target : "empty");
}

static char *nic_text(const struct hv_nic *n)
{
    return *n->mac ? xasprintf("NIC %u (%s on %s)", n->devid, n->mac, n->bridge)
                   : xasprintf("NIC %u (MAC chosen by xl, on %s)", n->devid, n->bridge);
}

static void add(struct devplan *p, enum devact act, bool disk, size_t want, char *text,
                char *why)
{
    p->v = xrealloc(p->v, (p->n + 1) * sizeof(*p->v));
    p->v[p->n++] = (struct devchange){ act, disk, want, text, why };
}

/* Can a disk be plugged into a running guest of this type? An HVM
 * guest's emulated drives (hd*, sd*) and a cdrom drive cannot: only a PV
 * disk (xvd*), which the guest sees through its PV drivers. */
static const char *disk_not_hotpluggable(const struct hv_disk *d, enum guest_type type)
{
    if (d->cdrom)
        return "a cdrom drive cannot be hot-plugged";
    if (type == GUEST_HVM && strncmp(d->vdev, "xvd", 3))
        return "an HVM guest's emulated disk cannot be hot-plugged";
    return NULL;
}

void plan_devices(const struct devspecs *want, const struct hv_devices *have,
                  enum guest_type type, const char *root, struct devplan *p)
{
    const struct hv_devices *w = &want->dev;
    bool *seen = xcalloc(have->ndisks + have->nnics + 1, sizeof(*seen));
    for (size_t i = 0; i < w->ndisks; i++) {
        const struct hv_disk *d = &w->disks[i];
        const struct hv_disk *o = NULL;
        for (size_t k = 0; k < have->ndisks && !o; k++)
            if (!strcmp(have->disks[k].vdev, d->vdev)) {
                o = &have->disks[k];
                seen[k] = true;
            }
        if (!o) {
            const char *no = disk_not_hotpluggable(d, type);
            add(p, no ? DEV_RESTART : DEV_ATTACH, true, i, disk_text(d),
                no ? xasprintf("added: needs restart (%s)", no) : NULL);
        } else if (!same_target(root, d->target, o->target)) {
            add(p, DEV_RESTART, true, i, disk_text(d),
                xasprintf("the running domain has %s there: needs restart",
                          *o->target ? o->target : "an empty drive"));
        } else if (d->readonly != o->readonly) {
            add(p, DEV_RESTART, true, i, disk_text(d),
                xasprintf("access %s, the running domain's is %s: needs restart",
                          d->readonly ? "ro" : "rw", o->readonly ? "ro" : "rw"));
        }
    }
    for (size_t k = 0; k < have->ndisks; k++)
        if (!seen[k])
            add(p, DEV_RESTART, true, SIZE_MAX, disk_text(&have->disks[k]),
                xstrdup("removed from the config: needs restart (the running domain has it "
                        "until then)"));

    bool *nseen = seen + have->ndisks;
    const struct hv_nic **match = xcalloc(w->nnics + 1, sizeof(*match));
    /* By MAC first, then a NIC without one by its index. */
    for (size_t i = 0; i < w->nnics; i++)
        for (size_t k = 0; *w->nics[i].mac && k < have->nnics && !match[i]; k++)
            if (!nseen[k] && !strcmp(have->nics[k].mac, w->nics[i].mac)) {
                match[i] = &have->nics[k];
                nseen[k] = true;
            }
    for (size_t i = 0; i < w->nnics; i++)
        for (size_t k = 0; !*w->nics[i].mac && k < have->nnics && !match[i]; k++)
            if (!nseen[k] && have->nics[k].devid == w->nics[i].devid) {
                match[i] = &have->nics[k];
                nseen[k] = true;
            }
    for (size_t i = 0; i < w->nnics; i++) {
        const struct hv_nic *n = &w->nics[i], *o = match[i];
        if (!o)
            add(p, DEV_ATTACH, false, i, nic_text(n), NULL);
        else if (*o->bridge && strcmp(o->bridge, n->bridge))
            add(p, DEV_RESTART, false, i, nic_text(n),
                xasprintf("the running domain's is on %s: needs restart", o->bridge));
    }
    for (size_t k = 0; k < have->nnics; k++)
        if (!nseen[k])
            add(p, DEV_RESTART, false, SIZE_MAX, nic_text(&have->nics[k]),
                xstrdup("removed from the config: needs restart (the running domain has it "
                        "until then)"));
    free(match);
    free(seen);
}

/* g's config text: its file when it is known to hold the render (cheaper
 * than rendering, at hundreds of guests), else the render. */
static int config_text(struct ctx *c, const struct host *h, const struct guest *g,
                       struct render_cache *rc, bool file_current, char **text, char **err)
{
    if (file_current) {
        char *cp = configs_path(h, g), *rcp = root_path(c->o->root, cp);
        int r = fs_read_file(rcp, text, NULL, NULL);
        free(rcp);
        free(cp);
        if (r == 0)
            return 0;
    }
    char *e = NULL;
    if (render_guest(h, g, c->o->root, rc, text, &e) < 0) {
        set_error(err, "cannot render its config: %s", e);
        free(e);
        return -1;
    }
    return 0;
}

int devplan_observe(struct ctx *c, const struct host *h, const struct guest *g, struct hv *hv,
                    const struct hv_domain *d, struct render_cache *rc, bool file_current,
                    struct devplan *p, char **err)
{
    memset(p, 0, sizeof(*p));
    if (!hv->ops->devices)
        return 0;
    char *text = NULL, *e = NULL;
    if (config_text(c, h, g, rc, file_current, &text, err) < 0)
        return -1;
    int rc2 = devspec_parse_config(text, &p->want, &e);
    free(text);
    if (rc2 < 0) {
        set_error(err, "its config: %s", e);
        free(e);
        return -1;
    }
    struct hv_devices have;
    if (hv->ops->devices(hv, d->domid, &have, &e) < 0) {
        set_error(err, "cannot see its devices: %s", e);
        free(e);
        devspecs_free(&p->want);
        return -1;
    }
    plan_devices(&p->want, &have, g->type, c->o->root, p);
    hv_devices_free(&have);
    return 0;
}

void devplan_free(struct devplan *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].text);
        free(p->v[i].why);
    }
    free(p->v);
    devspecs_free(&p->want);
    memset(p, 0, sizeof(*p));
}

char *devchange_line(const struct devchange *ch)
{
    if (ch->act == DEV_ATTACH)
        return xasprintf("%s: added: configure attaches it live", ch->text);
    return xasprintf("%s: %s", ch->text, ch->why);
}

size_t devplan_apply(const struct guest *g, struct hv *hv, const struct hv_domain *d,
                     const struct devplan *p, bool dry, bool *need_restart)
{
    size_t failed = 0;
    for (size_t i = 0; i < p->n; i++) {
        const struct devchange *ch = &p->v[i];
        if (ch->act == DEV_RESTART) {
            *need_restart = true;
            char *line = devchange_line(ch);
            msg_warn("guest '%s': %s", g->name, line);
            free(line);
            continue;
        }
        if (dry) {
            msg_info("guest '%s': %s would be attached live", g->name, ch->text);
            continue;
        }
        char *err = NULL;
        int rc = ch->disk ? hv->ops->attach_disk(hv, d->domid, p->want.disk_spec[ch->want], &err)
                          : hv->ops->attach_nic(hv, d->domid, p->want.nic_spec[ch->want], &err);
        if (rc < 0) {
            msg_error("guest '%s': cannot attach %s live: %s", g->name, ch->text, err);
            failed++;
        } else {
            msg_info("guest '%s': %s attached live", g->name, ch->text);
        }
        free(err);
    }
    return failed;
}

size_t device_pending(struct ctx *c, const struct host *h, const struct guest *g, struct hv *hv,
                      const struct hv_domain *d, struct render_cache *rc, bool file_current,
                      char ***ret)
{
    *ret = NULL;
    if (!hv)
        return 0;
    struct devplan p;
    char *err = NULL;
    if (devplan_observe(c, h, g, hv, d, rc, file_current, &p, &err) < 0) {
        *ret = xcalloc(1, sizeof(**ret));
        (*ret)[0] = xasprintf("devices unknown: %s", err);
        free(err);
        return 1;
    }
    char **v = xcalloc(p.n + 1, sizeof(*v));
    for (size_t i = 0; i < p.n; i++)
        v[i] = devchange_line(&p.v[i]);
    size_t n = p.n;
    devplan_free(&p);
    *ret = v;
    return n;
}
