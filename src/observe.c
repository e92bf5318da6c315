/* observe.c: what is: the current profile's resources, the saved
 * configuration (the status file), and the domains running. Nothing here
 * decides; validation errors are printed by build_model, as every method
 * reports them the same way. */
#include "methods_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "hv.h"
#include "log.h"
#include "managed.h"
#include "model.h"
#include "paths.h"
#include "previous.h"
#include "profile.h"
#include "sources.h"
#include "util.h"

/* The current resources (sources.h says from where); what was passed
 * over is said as a warning. *ret_src names the source. */
int read_current(struct ctx *c, struct resset *rs, char **ret_src, char **err)
{
    const struct opts *o = c->o;
    struct source_opts so = { .root = o->root, .profile = o->profile,
                              .resources = o->resources, .envp = c->envp };
    struct errlist warn = { 0 };
    int rc = sources_read(&so, rs, ret_src, &warn, err);
    for (size_t i = 0; i < warn.n; i++)
        msg_warn("%s", warn.v[i]);
    errlist_free(&warn);
    return rc;
}

/* Build the model, printing every validation error. */
struct host *build_model(const struct resset *rs, const char *method)
{
    struct errlist errs = { 0 };
    struct host *h = model_build(rs, &errs);
    if (!h) {
        for (size_t i = 0; i < errs.n; i++)
            msg_error("%s", errs.v[i]);
        msg_fail("%s: %zu error%s in the resources; nothing changed", method, errs.n,
                 errs.n == 1 ? "" : "s");
    }
    errlist_free(&errs);
    return h;
}

/* The saved configuration (status file); NULL with a message when there
 * is none or it is unusable. */
struct host *load_saved(struct ctx *c, const char *method)
{
    char *path = root_path(c->o->root, PATH_STATUS);
    struct resset *rs = resset_new();
    char *err = NULL;
    struct host *h = NULL;
    struct stat st;
    if (stat(path, &st) < 0 && errno == ENOENT) {
        msg_fail("%s: no saved configuration at %s (run configure first)", method, path);
    } else if (profile_read_status(path, rs, &err) < 0) {
        msg_fail("%s: %s", method, err);
    } else {
        h = build_model(rs, method);
    }
    free(err);
    resset_free(rs);
    free(path);
    return h;
}

/* The previously applied configuration, for retiring guests that left the
 * profile and reporting what changed: NULL when there is none, when it is
 * unusable (said once), or when no saved guest differs from cur (text:
 * cur's status text; *same then tells the file holds exactly that, and
 * *differs that it was read and holds something else).
 * Usually only the guests that differ are read back (previous.h). */
struct host *load_previous(struct ctx *c, const struct host *cur, const char *text,
                           bool *same, bool *differs)
{
    *same = *differs = false;
    char *path = root_path(c->o->root, PATH_STATUS);
    struct resset *rs = resset_new();
    char *err = NULL, *old = NULL, *part = NULL;
    size_t len = 0;
    struct host *h = NULL;
    if (access(path, F_OK) < 0)
        goto out;
    /* Read once; a text with a NUL is left to profile_read_status to name. */
    bool readable = fs_read_file(path, &old, &len, NULL) == 0 && !memchr(old, '\0', len);
    if (readable) {
        enum prev_kind k = previous_compare(cur, text, old, &part);
        /* PREV_SAME says only that no saved guest differs: the profile may
         * have guests the file lacks, and the file must then be written. */
        *same = !strcmp(old, text);
        *differs = !*same;
        if (k == PREV_SAME)
            goto out;
        if (k == PREV_PART) {
            struct errlist errs = { 0 };
            if (profile_parse_status(part, path, rs, &err) == 0)
                h = model_build(rs, &errs);
            errlist_free(&errs);
            free(err);
            err = NULL;
            resset_free(rs);
            rs = resset_new();
            if (h)
                goto out;
        }
    }
    /* All of it, as it is: this also says what is wrong with it. */
    struct errlist errs = { 0 };
    int r = readable ? profile_parse_status(old, path, rs, &err)
                     : profile_read_status(path, rs, &err);
    if (r == 0)
        h = model_build(rs, &errs);
    if (!h)
        msg_warn("configure: the saved configuration %s is unusable (%s): guests that left "
                 "the profile cannot be retired this time",
                 path, err ? err : errs.n ? errs.v[0] : "invalid");
    errlist_free(&errs);
out:
    free(part);
    free(old);
    free(err);
    resset_free(rs);
    free(path);
    return h;
}

bool alive(const struct hv_domain *d)
{
    return d->state == DOM_RUNNING || d->state == DOM_PAUSED;
}

static int cmp_dom_by_name(const void *a, const void *b)
{
    const struct hv_domain *x = *(const struct hv_domain *const *)a;
    const struct hv_domain *y = *(const struct hv_domain *const *)b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x > y) - (x < y);
}

/* By UUID, a live domain before the remains of another of that UUID. */
static int cmp_dom_by_uuid(const void *a, const void *b)
{
    const struct hv_domain *x = *(const struct hv_domain *const *)a;
    const struct hv_domain *y = *(const struct hv_domain *const *)b;
    int c = strcmp(x->uuid, y->uuid);
    if (!c)
        c = (int)alive(y) - (int)alive(x);
    return c ? c : (x > y) - (x < y);
}

struct dom_index dom_index_new(const struct hv_domain *doms, size_t n)
{
    struct dom_index ix = { xcalloc(n ? n : 1, sizeof(*ix.by_name)),
                            xcalloc(n ? n : 1, sizeof(*ix.by_uuid)), n };
    for (size_t i = 0; i < n; i++)
        ix.by_name[i] = ix.by_uuid[i] = &doms[i];
    qsort(ix.by_name, n, sizeof(*ix.by_name), cmp_dom_by_name);
    qsort(ix.by_uuid, n, sizeof(*ix.by_uuid), cmp_dom_by_uuid);
    return ix;
}

void dom_index_free(struct dom_index *ix)
{
    free(ix->by_name);
    free(ix->by_uuid);
    ix->by_name = ix->by_uuid = NULL;
    ix->n = 0;
}

/* The first of v (sorted by key) whose key is k, or NULL. */
static const struct hv_domain *search(const struct hv_domain **v, size_t n, const char *k,
                                      bool by_uuid)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(by_uuid ? v[mid]->uuid : v[mid]->name, k) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && !strcmp(by_uuid ? v[lo]->uuid : v[lo]->name, k) ? v[lo] : NULL;
}

const struct hv_domain *find_domain(const struct dom_index *ix, const char *name)
{
    return search(ix->by_name, ix->n, name, false);
}

const struct hv_domain *find_uuid(const struct dom_index *ix, const char *uuid)
{
    char u[37];
    uuid_lower(uuid, u);
    return search(ix->by_uuid, ix->n, u, true);
}

/* The toolstack as the host's resources say: xl, xlcreatetimeout,
 * xltimeout (validated: 1-86400 s). */
struct hv_xl xl_of(const struct host *h)
{
    return (struct hv_xl){ .path = h->res[HF_xl],
                           .create_timeout_ms = (unsigned)h->xl_create_timeout * 1000,
                           .timeout_ms = (unsigned)h->xl_timeout * 1000 };
}

void net_of(struct ctx *c, const struct host *h, struct netsys *s, struct net_ops *ops)
{
    bool sim = c->o->hypervisor && !strcmp(c->o->hypervisor, "sim");
    netsys_ops(s, c->o->root, h, sim, ops);
}

char *net_boot_problem(struct ctx *c, const struct host *h, const struct guest *g)
{
    struct netsys s;
    struct net_ops ops;
    char *err = NULL;
    net_of(c, h, &s, &ops);
    if (netconf_check_guest(g, &ops, &err) == 0)
        return NULL;
    return err;
}

bool net_boot_ok(struct ctx *c, const struct host *h, const struct guest *g)
{
    char *err = net_boot_problem(c, h, g);
    if (!err)
        return true;
    msg_error("guest '%s': not booted: %s", g->name, err);
    free(err);
    return false;
}

bool host_xm(const struct host *h)
{
    return !strcmp(h->res[HF_format], "xm");
}

int xm_refuse(const char *method)
{
    msg_fail("%s: format xm (xen.format): the guests of an xm host (Xen 3.x) cannot be driven "
             "by this component, which drives Xen 4.5 and later with xl; configure still renders "
             "their xm files, and xendomains boots the boot guests (xen.autostart xendomains)",
             method);
    return 1;
}

struct hv *open_hv(struct ctx *c, const struct host *h, const char *method)
{
    struct hv *hv = NULL;
    char *err = NULL;
    struct hv_xl xl = xl_of(h);
    /* A dry run only looks: the simulator then writes no file. */
    if (hv_open_flags(c->o->hypervisor, c->o->root, &xl, c->o->dry_run ? HV_OPEN_READONLY : 0,
                      &hv, &err) < 0) {
        msg_fail("%s: %s", method, err);
        free(err);
        return NULL;
    }
    msg_debug("%s: hypervisor backend %s", method, hv->ops->name);
    return hv;
}

/* Is there a hypervisor to ask: a dom0, or a backend asked for by name
 * (the simulator runs only then)? */
bool hv_reachable(struct ctx *c)
{
    return c->o->hypervisor || hv_is_dom0(c->o->root);
}
