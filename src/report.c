/* report.c: the status and isstarted methods: the saved configuration
 * and what runs, printed as text or JSON. */
#include "methods_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "disks.h"
#include "fsutil.h"
#include "hv.h"
#include "log.h"
#include "managed.h"
#include "model.h"
#include "paths.h"
#include "util.h"

/* One disk of the saved configuration, with what exists now. */
/* ethK: the K-th NIC of the guest's vif list (xl numbers them so). */
static void print_nic(FILE *out, const struct nic *n, size_t k)
{
    fprintf(out, "  eth%zu      %s on %s", k, str_empty(n->mac) ? "(MAC chosen by xl)" : n->mac,
            n->bridge);
    if (n->vlan)
        fprintf(out, " VLAN %lu", n->vlan);
    fprintf(out, " (%s", n->script);
    if (!str_empty(n->ip))
        fprintf(out, ", ip %s", n->ip);
    if (!str_empty(n->rate))
        fprintf(out, ", rate %s", n->rate);
    if (!str_empty(n->model))
        fprintf(out, ", model %s", n->model);
    if (!str_empty(n->vifname))
        fprintf(out, ", vifname %s", n->vifname);
    if (n->mtu)
        fprintf(out, ", mtu %lu", n->mtu);
    fprintf(out, ")\n");
}

static void print_disk(FILE *out, const struct disk *d, const struct disk_plan *dp,
                       const struct disk_item *it, bool held)
{
    /* A list disk says which item it is and its device. */
    char *what = d->seed ? xstrdup("") : xasprintf(" (%s: %s%s)", d->item, d->vdev,
                                                    d->readonly ? ", read-only" : "");
    char *size = disks_size_str(d->size_gb * GIB);
    switch (d->type) {
    case DISK_NONE:
        break;
    case DISK_IMAGE:
        fprintf(out, "  disk      %s %s image %s%s\n", d->path,
                d->format == FORMAT_QCOW2 ? "qcow2" : "raw", size, what);
        break;
    case DISK_PHYSICAL:
        fprintf(out, "  disk      %s physical%s\n", d->path, what);
        break;
    case DISK_LVM:
        fprintf(out, "  disk      %s LVM volume %s%s\n", d->path, size, what);
        break;
    }
    free(what);
    free(size);
    if (!it)
        return;
    char *have = disks_size_str(it->have);
    switch (it->action) {
    case DK_CREATE:
        fprintf(out, held ? "            missing (not created while the guest is held back)\n"
                          : "            missing (configure creates it)\n");
        break;
    case DK_OK:
        fprintf(out, "            present, size ok\n");
        break;
    case DK_DIFFERS:
        fprintf(out, "            present, size differs: %s\n", have);
        break;
    case DK_DEVICE:
        fprintf(out, "            present (block device)\n");
        break;
    case DK_REFUSED:
        fprintf(out, "            refused: %s\n", it->note);
        break;
    }
    const char *owner = disks_owner(dp, it);
    if (owner)
        fprintf(out, "            created for %s\n", owner);
    free(have);
}

/* The component's guests: the saved configuration's and the record's
 * (managed.h), by UUID, so that a domain is judged by what it is, not by
 * what it is called. */
static struct managed ours_of(struct ctx *c, const struct host *h)
{
    struct managed m = { 0 };
    char *err = NULL;
    if (managed_load(c->o->root, &m, &err) < 0) {
        msg_warn("status: the record of managed guests is unreadable: %s", err);
        free(err);
    }
    for (size_t i = 0; i < h->nguests; i++)
        if (!managed_find(&m, h->guests[i].uuid))
            managed_set(&m, h->guests[i].uuid, h->guests[i].name, MG_PROFILE);
    return m;
}

/* What status says of a domain that is no guest of the saved
 * configuration: NULL for Domain-0 (and the guests, in the table). */
static const char *other_domain(const struct host *h, const struct managed *ours,
                                const struct hv_domain *d)
{
    if (d->domid == 0)
        return NULL;
    const struct managed_guest *e = managed_find(ours, d->uuid);
    if (!e)
        return "not in the profile: never touched";
    for (size_t i = 0; i < h->nguests; i++)
        if (!strcasecmp(h->guests[i].uuid, d->uuid))
            return NULL;
    return e->state == MG_KEPT   ? "left the profile: kept running (xen.onremove keep); stop "
                                   "shuts it down"
           : e->state == MG_GONE ? "left the profile, and was started again without the "
                                   "component: never touched"
                                 : "the component's, not in the saved configuration";
}

static const char *state_name(const struct hv_domain *d)
{
    static const char *const n[] = { "running", "paused", "shut down", "crashed", "dying" };
    return d ? n[d->state] : "stopped";
}

static void json_str(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(out, "\\u%04x", ch);
        else
            fputc(ch, out);
    }
    fputc('"', out);
}

static const char *disk_state(const struct disk_item *it)
{
    if (!it)
        return "unknown";
    static const char *const n[] = { "missing", "present", "size-differs", "present", "refused" };
    return n[it->action];
}

static void status_json(struct ctx *c, FILE *out, const struct host *h,
                        const struct disk_plan *dp, const struct hv_domain *doms, size_t n,
                        bool have_hv, long long now, struct cfgcheck *rc,
                        const struct managed *ours, const struct installs *in)
{
    fputs("{\n  \"hypervisor\": ", out);
    fputs(have_hv ? "true" : "false", out);
    fputs(",\n  \"guests\": [", out);
    struct dom_index ix = dom_index_new(doms, n);
    for (size_t i = 0; i < h->nguests; i++) {
        const struct guest *g = &h->guests[i];
        const struct hv_domain *d = find_uuid(&ix, g->uuid);
        fprintf(out, "%s\n    {\"name\": ", i ? "," : "");
        json_str(out, g->name);
        fputs(", \"tag\": ", out);
        json_str(out, g->tag);
        const struct managed_guest *e = managed_find(ours, g->uuid);
        fprintf(out, ", \"uuid\": \"%s\", \"boot\": %s, \"held\": %s, \"memory_mb\": %lu, "
                "\"maxmem_mb\": %lu, \"vcpus\": %lu, \"maxvcpus\": %lu, \"state\": ", g->uuid,
                g->boot ? "true" : "false", e && e->state == MG_HELD ? "true" : "false", g->memory,
                g->maxmem, g->vcpus, g->maxvcpus);
        json_str(out, have_hv ? state_name(d) : "unknown");
        if (d)
            fprintf(out, ", \"domid\": %u, \"mem_kb\": %llu, \"target_kb\": %llu, \"max_kb\": %llu, "
                    "\"online_vcpus\": %u, \"max_vcpus\": %u, \"uptime_s\": %lld", d->domid,
                    d->mem_kb, d->target_kb, d->max_kb, d->vcpus, d->max_vcpus,
                    d->start_time > 0 ? now - d->start_time : -1LL);
        char *why = NULL;
        enum cfg_state cs = config_state(c, h, g, rc, &why);
        fprintf(out, ", \"config\": \"%s\"", cfg_state_json[cs]);
        if (why) {
            fputs(", \"config_error\": ", out);
            json_str(out, why);
            free(why);
        }
        char *inst = in ? installs_status(in, g, d, have_hv, now) : NULL;
        if (inst) {
            fputs(", \"install\": ", out);
            json_str(out, inst);
            free(inst);
        }
        if (d && alive(d)) {
            char **pend;
            size_t np = pending_changes(g, d, &pend);
            fputs(", \"pending\": [", out);
            for (size_t k = 0; k < np; k++) {
                fputs(k ? ", " : "", out);
                json_str(out, pend[k]);
            }
            fputc(']', out);
            strs_free(pend, np);
        }
        fputs(", \"disks\": [", out);
        int nd = 0;
        for (size_t j = 0; j < dp->n; j++) {
            const struct disk_item *it = &dp->v[j];
            if (it->g != g)
                continue;
            fprintf(out, "%s{\"path\": ", nd++ ? ", " : "");
            json_str(out, it->d->path);
            fprintf(out, ", \"type\": \"%s\", \"state\": \"%s\", \"size_bytes\": %llu",
                    disk_type_name(it->d->type), disk_state(it), it->want);
            if (it->action == DK_OK || it->action == DK_DIFFERS)
                fprintf(out, ", \"actual_bytes\": %llu", it->have);
            const char *owner = disks_owner(dp, it);
            if (owner) {
                fputs(", \"created_for\": ", out);
                json_str(out, owner);
            }
            fputc('}', out);
        }
        fputs("]}", out);
    }
    dom_index_free(&ix);
    fputs("\n  ],\n  \"unmanaged\": [", out);
    int nu = 0;
    for (size_t k = 0; k < n; k++) {
        const char *what = other_domain(h, ours, &doms[k]);
        if (!what)
            continue;
        fprintf(out, "%s\n    {\"domid\": %u, \"name\": ", nu++ ? "," : "", doms[k].domid);
        json_str(out, doms[k].name);
        fputs(", \"uuid\": ", out);
        json_str(out, doms[k].uuid);
        fputs(", \"state\": ", out);
        json_str(out, state_name(&doms[k]));
        fputs(", \"note\": ", out);
        json_str(out, what);
        fputc('}', out);
    }
    fputs(nu ? "\n  ]\n}\n" : "]\n}\n", out);
}

static void uptime_str(char *buf, size_t size, long long secs)
{
    if (secs < 0)
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%lld:%02lld:%02lld", secs / 3600, secs / 60 % 60, secs % 60);
}

int m_status(struct ctx *c, const struct margs *a)
{
    bool json = margs_has(a, "--json");
    char *since = NULL;
    if (suspended_since(c->o->root, &since)) {
        msg_info("status: the component is suspended (since %s): om xen resume ends it", since);
        free(since);
    }
    struct host *h = load_saved(c, "status");
    if (!h)
        return 1;
    FILE *out = stdout;
    struct disk_plan dplan = { 0 };
    char *err = NULL;
    if (disks_plan(h, c->o->root, &dplan, &err) < 0) {
        msg_warn("status: cannot look at the disks: %s", err);
        free(err);
        err = NULL;
    }
    struct hv_domain *doms = NULL;
    size_t n = 0;
    bool have_hv = false;
    /* An xm host's domains are not the component's to look at. */
    if (!host_xm(h) && hv_reachable(c)) {
        struct hv *hv = NULL;
        struct hv_xl xl = xl_of(h);
        if (hv_open_flags(c->o->hypervisor, c->o->root, &xl, HV_OPEN_READONLY, &hv, &err) < 0 ||
            hv->ops->list(hv, &doms, &n, &err) < 0)
            msg_warn("status: running guests unknown: %s", err);
        else
            have_hv = true;
        if (hv)
            hv->ops->close(hv);
        free(err);
        err = NULL;
    }
    long long now = (long long)time(NULL);
    struct cfgcheck rc = cfgcheck_new(c);
    struct dom_index ix = dom_index_new(doms, n);
    struct managed ours = ours_of(c, h);
    struct installs *in = installs_open(c, h, "status");
    if (json) {
        status_json(c, out, h, &dplan, doms, n, have_hv, now, &rc, &ours, in);
        goto out;
    }
    fprintf(out, "Configured guests: %zu%s\n", h->nguests,
             have_hv     ? ""
             : host_xm(h) ? " (running state unknown: format xm, whose domains this component "
                            "does not look at)"
                          : " (running state unknown: the hypervisor is unavailable here)");
    if (have_hv) {
        fprintf(out, "\n%-16s %-5s %-10s %5s  %-22s %-6s %s\n", "GUEST", "BOOT", "STATE", "DOMID",
                "MEMORY MB now/tgt/max", "VCPUS", "UPTIME");
        for (size_t i = 0; i < h->nguests; i++) {
            const struct guest *g = &h->guests[i];
            const struct hv_domain *d = find_uuid(&ix, g->uuid);
            char mem[80] = "-", cpus[32] = "-", up[64] = "-", id[16] = "-";
            if (d) {
                snprintf(id, sizeof(id), "%u", d->domid);
                snprintf(mem, sizeof(mem), "%llu/%llu/%llu", d->mem_kb / 1024, d->target_kb / 1024,
                         d->max_kb / 1024);
                snprintf(cpus, sizeof(cpus), "%u/%u", d->vcpus, d->max_vcpus);
                uptime_str(up, sizeof(up), d->start_time > 0 ? now - d->start_time : -1);
            }
            fprintf(out, "%-16s %-5s %-10s %5s  %-22s %-6s %s\n", g->name, g->boot ? "yes" : "no",
                    state_name(d), id, mem, cpus, up);
        }
        for (size_t k = 0; k < n; k++) {
            const char *what = other_domain(h, &ours, &doms[k]);
            if (what)
                fprintf(out, "%-16s %-5s %-10s %5u  (%s)\n", doms[k].name, "-",
                        state_name(&doms[k]), doms[k].domid, what);
        }
    }
    for (size_t i = 0; i < h->nguests; i++) {
        const struct guest *g = &h->guests[i];
        fprintf(out, "\n%s\n", g->name);
        fprintf(out, "  uuid      %s\n", g->uuid);
        fprintf(out, "  boot      %s\n", g->boot ? "yes (started with the component)" : "no");
        fprintf(out, "  type      %s\n", guest_type_name(g->type));
        fprintf(out, "  memory    %lu MB (max %lu MB)\n", g->memory, g->maxmem);
        fprintf(out, "  vcpus     %lu (max %lu)\n", g->vcpus, g->maxvcpus);
        char *why = NULL;
        enum cfg_state cs = config_state(c, h, g, &rc, &why);
        const struct managed_guest *e = managed_find(&ours, g->uuid);
        bool held = e && e->state == MG_HELD;
        /* A guest held back keeps its previous file, or has none. */
        const char *cst = !held ? cfg_state_text[cs]
                          : cs == CFGST_MISSING ? "not written (the guest is held back)"
                          : cs == CFGST_DIFFERS ? "the previous one (the guest is held back)"
                                                : cfg_state_text[cs];
        fprintf(out, "  config    %s/%s.cfg %s%s%s\n", h->res[HF_configdir], g->name, cst,
                why ? ": " : "", why ? why : "");
        free(why);
        if (held)
            fprintf(out, "  held      configure held it back (a disk refused, or its data not yet "
                    "under its new name): not booted\n");
        const struct hv_domain *d = have_hv ? find_uuid(&ix, g->uuid) : NULL;
        bool moved = e && e->state == MG_MOVED;
        if (moved && !(d && alive(d)))
            fprintf(out, "  moved     to %s by a migration: not booted here\n", e->host);
        else if ((moved || (e && e->state == MG_GONE)) && d && alive(d))
            fprintf(out, "  arrived   running here, moved from another host: configure adopts "
                    "it\n");
        char *inst = in ? installs_status(in, g, d, have_hv, now) : NULL;
        if (inst)
            fprintf(out, "  install   %s\n", inst);
        free(inst);
        char *saved = hostsave_status(c, g);
        if (saved)
            fprintf(out, "  saved     %s\n", saved);
        free(saved);
        if (d && alive(d)) {
            char **pend;
            size_t np = pending_changes(g, d, &pend);
            for (size_t k = 0; k < np; k++)
                fprintf(out, "  pending   %s\n", pend[k]);
            strs_free(pend, np);
        }
        /* The seed's disks, the cdrom, then the list's (xl.cfg's order). */
        bool cd = !str_empty(g->res[GF_cdpath]);
        for (size_t k = 0; k < g->ndisks; k++) {
            if (cd && !g->disks[k].seed) {
                fprintf(out, "  cdrom     %s\n", g->res[GF_cdpath]);
                cd = false;
            }
            const struct disk_item *it = NULL;
            for (size_t j = 0; j < dplan.n; j++)
                if (dplan.v[j].g == g && dplan.v[j].index == (int)k)
                    it = &dplan.v[j];
            print_disk(out, &g->disks[k], &dplan, it, held);
        }
        if (cd)
            fprintf(out, "  cdrom     %s\n", g->res[GF_cdpath]);
        for (size_t k = 0; k < g->nnics; k++)
            print_nic(out, &g->nics[k], k);
    }
out:
    installs_close(in);
    managed_free(&ours);
    dom_index_free(&ix);
    cfgcheck_free(&rc);
    free(doms);
    disks_plan_free(&dplan);
    host_free(h);
    return 0;
}

int m_isstarted(struct ctx *c, const struct margs *a)
{
    bool quiet = margs_has(a, "-q");
    char *path = root_path(c->o->root, PATH_STARTED);
    bool started = access(path, F_OK) == 0;
    free(path);
    if (!quiet)
        msg_info("%s", started ? "started" : "not started");
    return started ? 0 : 1;
}
