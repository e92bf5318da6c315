/* hv_sim_control.c: the simulator's control file (hv_sim.c), the test
 * API: written by tests, never by the simulator; read at the start of
 * every operation; absent means defaults:
 *
 *   # comment lines, blank lines
 *   GUEST key=value ...
 *   * key=value ...
 *
 *   GUEST is a guest name; "*" sets the default for every guest (a guest's
 *   own line wins) and holds the global keys. Later lines override earlier
 *   ones. Keys:
 *   shutdown_ms=N      how long the guest takes to complete a shutdown or
 *                      reboot request (default 200)
 *   ignore_shutdown=1  the guest never answers shutdown or reboot requests
 *   create_ms=N        how long create takes to build the guest (default
 *                      0); it waits without holding the lock, so creates
 *                      from several processes overlap, as on Xen
 *   fail_create=1      create fails ("xl create: simulated failure for
 *                      GUEST") and leaves nothing behind
 *   half_create=1      create fails half-way, as an xl killed mid-create:
 *                      the domain stays behind, paused ("xl create:
 *                      simulated failure for GUEST after its domain was
 *                      built")
 *   race_create=1      while the create runs (after create_ms), another
 *                      domain of the guest's name appears (another uuid:
 *                      the guest's with its last group all f, or all e),
 *                      as xendomains or an admin would make it; the create
 *                      then fails ("xl create: a domain named 'GUEST'
 *                      already exists (domid N)") having made nothing
 *   pv_drivers=0       the guest has no PV drivers: a shutdown or reboot
 *                      request stays in its control node, untaken
 *                      (hv_domain.request_pending), and the guest never acts
 *                      on it; the ACPI power button (power_button, HVM
 *                      guests only) makes it power off after shutdown_ms,
 *                      unless ignore_shutdown=1, which ignores both. With PV
 *                      drivers (the default) a request is taken at once
 *   crash=1            the guest crashes right after it is created (and
 *                      after each reboot): state crashed, reason crash; it
 *                      stays listed until destroyed (on_crash=preserve)
 *   hv_fail=OP,...     ("*" line only) these operations fail with
 *                      "simulated hypervisor failure" and change nothing:
 *                      list (lookup, lookup_uuid too) create shutdown
 *                      reboot destroy set_memory set_vcpus wait rename
 *                      power_button caps save restore (restore_at too)
 *                      migrate send devices attach_disk attach_nic. A
 *                      receiving host's hv_fail=list fails a migration to it
 *   hang=OP,...        these operations on the guest hang, as an xl that
 *                      never ends: create destroy set_memory set_vcpus
 *                      rename power_button save restore migrate
 *                      attach_disk attach_nic (those that run xl on Xen,
 *                      "xl rename", "xl trigger ID power", "xl
 *                      block-attach", "xl network-attach"). Each waits for xl's timeout (hv.h: struct
 *                      hv_xl; xlcreatetimeout for create, save and restore,
 *                      the peer's timeout_ms for migrate, xltimeout for the
 *                      others), without holding the lock, then fails with
 *                      the xen backend's words ("xl destroy 5: timed out
 *                      after 60 s") and changes nothing; but a create or a
 *                      restore leaves its domain behind, paused, as an xl
 *                      killed mid-create does. A create_ms (save_ms,
 *                      restore_ms, migrate_ms) longer than its timeout
 *                      hangs the same way. An empty list ("hang=")
 *                      overrides a "*" line.
 *   install_ms=N       an install boot (a domain created from a config file in a
 *                      directory named "install", as the component writes
 *                      them) ends on its own N ms after it was created, as
 *                      install_end says; without it the installer runs until
 *                      it is stopped
 *   install_end=E      how it ends: poweroff (default) or reboot (state
 *                      shutdown with that reason), or crash (state crashed):
 *                      its domain stays listed until destroyed, as xl's
 *                      on_*=preserve keeps it. A shutdown or reboot request
 *                      made before then replaces the end (EVENT end-poweroff,
 *                      end-reboot, end-crash in the state file)
 *   hap=0|1, shadow=0|1 ("*" line only) the host's capabilities (caps:
 *                      HV_CAP_HAP, HV_CAP_SHADOW; both 1 by default). A
 *                      live migration needs shadow for a PV guest (PVH
 *                      guests count as PV here: only type "hvm" sets
 *                      hv_domain.hvm), HAP or shadow for an HVM guest,
 *                      else it is refused ("live migration of PV guests
 *                      needs shadow paging, which this hypervisor lacks")
 *   save_ms=N          how long a save takes (default 0), the guest running
 *                      meanwhile, without the lock
 *   fail_save=1        save fails ("xl save ID PATH: simulated failure for
 *                      GUEST"): the guest runs on, no image is left
 *   restore_ms=N       how long a restore takes before its domain appears
 *   fail_restore=1     restore fails, having made nothing (for restore_at,
 *                      the receiving host's control file says)
 *   migrate_ms=N       how long a live migration takes; the guest runs on
 *                      here meanwhile, and moves at its end
 *   fail_migrate=1     migrate fails ("xl migrate ID HOST: simulated failure
 *                      for GUEST"): the guest runs on here
 *   fail_attach=1      attaching a disk or NIC to the guest's domain fails
 *                      ("xl block-attach ID SPEC: simulated failure for
 *                      GUEST", "xl network-attach ID ...") and plugs nothing
 *   The 0/1 keys also take 0, to override a "*" line.
 */
#include "hv_impl.h"
#include "hv_sim_impl.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fsutil.h"
#include "util.h"

#define DEFAULT_SHUTDOWN_MS 200
#define MAX_SHUTDOWN_MS (24LL * 3600 * 1000)

static const char *const install_ends[] = { "poweroff", "reboot", "crash" };


void sim_control_clear(struct sim *s)
{
    for (size_t i = 0; i < s->nctl; i++)
        free(s->ctl[i].name);
    free(s->ctl);
    s->ctl = NULL;
    s->nctl = 0;
    s->hv_fail = 0;
    s->hap = s->shadow = -1;
}

static int parse_flag(const char *v, int *ret)
{
    if (strcmp(v, "0") && strcmp(v, "1"))
        return -1;
    *ret = v[0] == '1';
    return 0;
}

/* The control keys that hold a duration or a 0/1 flag, in one table for
 * reading them (control_setting) and for merging a guest's lines
 * (merge_ctl): a ctl_entry holds -1 for a key its line does not set. */
enum ctl_kind { CTL_MS, CTL_FLAG };
static const struct ctl_key {
    const char *name;
    enum ctl_kind kind;
    size_t entry_off; /* in struct ctl_entry: long long (CTL_MS) or int (CTL_FLAG) */
    size_t guest_off; /* in struct guest_ctl: long long or bool */
} ctl_keys[] = {
#define CTL_KEY(f, k) { #f, k, offsetof(struct ctl_entry, f), offsetof(struct guest_ctl, f) }
    CTL_KEY(shutdown_ms, CTL_MS),    CTL_KEY(create_ms, CTL_MS),
    CTL_KEY(install_ms, CTL_MS),     CTL_KEY(save_ms, CTL_MS),
    CTL_KEY(restore_ms, CTL_MS),     CTL_KEY(migrate_ms, CTL_MS),
    CTL_KEY(ignore_shutdown, CTL_FLAG), CTL_KEY(half_create, CTL_FLAG),
    CTL_KEY(fail_create, CTL_FLAG),  CTL_KEY(crash, CTL_FLAG),
    CTL_KEY(race_create, CTL_FLAG),  CTL_KEY(pv_drivers, CTL_FLAG),
    CTL_KEY(fail_save, CTL_FLAG),    CTL_KEY(fail_restore, CTL_FLAG),
    CTL_KEY(fail_migrate, CTL_FLAG), CTL_KEY(fail_attach, CTL_FLAG),
#undef CTL_KEY
};

static void ctl_entry_init(struct ctl_entry *e, const char *name)
{
    memset(e, 0, sizeof(*e));
    e->name = xstrdup(name);
    for (size_t i = 0; i < ARRAY_SIZE(ctl_keys); i++) {
        char *at = (char *)e + ctl_keys[i].entry_off;
        if (ctl_keys[i].kind == CTL_MS)
            *(long long *)at = -1;
        else
            *(int *)at = -1;
    }
    e->hang = e->install_end = -1;
}

/* One "key=value" of a control line into e (and s->hv_fail). Returns NULL,
 * or what is wrong (caller frees). */
static char *control_setting(struct sim *s, struct ctl_entry *e, char *kv)
{
    char *eq = strchr(kv, '=');
    if (!eq)
        return xstrdup("expected key=value");
    *eq = '\0';
    const char *k = kv;
    char *v = eq + 1;
    unsigned long long u;
    for (size_t i = 0; i < ARRAY_SIZE(ctl_keys); i++) {
        const struct ctl_key *c = &ctl_keys[i];
        if (strcmp(k, c->name))
            continue;
        char *at = (char *)e + c->entry_off;
        if (c->kind == CTL_FLAG)
            return parse_flag(v, (int *)at) < 0 ? xasprintf("%s must be 0 or 1", k) : NULL;
        if (!parse_u64(v, &u) || u > (unsigned long long)MAX_SHUTDOWN_MS)
            return xasprintf("%s must be a number of milliseconds (at most a day)", k);
        *(long long *)at = (long long)u;
        return NULL;
    }
    if (!strcmp(k, "install_end")) {
        e->install_end = sim_name_index(install_ends, ARRAY_SIZE(install_ends), v);
        if (e->install_end < 0)
            return xstrdup("install_end must be poweroff, reboot or crash");
    } else if (!strcmp(k, "hap") || !strcmp(k, "shadow")) {
        if (strcmp(e->name, "*"))
            return xasprintf("%s belongs on the \"*\" line", k);
        if (parse_flag(v, k[0] == 'h' ? &s->hap : &s->shadow) < 0)
            return xasprintf("%s must be 0 or 1", k);
    } else if (!strcmp(k, "hv_fail")) {
        if (strcmp(e->name, "*"))
            return xstrdup("hv_fail belongs on the \"*\" line");
        char *save = NULL;
        for (char *op = strtok_r(v, ",", &save); op; op = strtok_r(NULL, ",", &save)) {
            int i = sim_name_index(sim_op_names, OP_COUNT, op);
            if (i < 0)
                return xstrdup("hv_fail: unknown operation");
            s->hv_fail |= 1u << i;
        }
    } else if (!strcmp(k, "hang")) {
        char *save = NULL;
        e->hang = 0;
        for (char *op = strtok_r(v, ",", &save); op; op = strtok_r(NULL, ",", &save)) {
            int i = sim_name_index(sim_op_names, OP_COUNT, op);
            if (i < 0 || !(HANG_OPS & (1u << i)))
                return xstrdup("hang: only create, destroy, set_memory, set_vcpus, rename, "
                               "power_button, save, restore, migrate, attach_disk and "
                               "attach_nic can hang");
            e->hang |= 1 << i;
        }
    } else {
        return xstrdup("unknown key");
    }
    return NULL;
}

/* Read the control file again: tests may change it between operations. */
int sim_load_control(struct sim *s, char **err)
{
    sim_control_clear(s);
    char *text = NULL, *rerr = NULL;
    if (fs_read_file(s->control_path, &text, NULL, &rerr) < 0) {
        int rc = errno == ENOENT ? 0 : -1;
        if (rc < 0)
            set_error(err, "%s", rerr);
        free(rerr);
        return rc;
    }
    size_t lineno = 0;
    int rc = 0;
    /* strtok_r skips empty lines, so count them by hand. */
    for (char *line = text, *next; line && rc == 0; line = next) {
        lineno++;
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *f[64];
        size_t nf = sim_split_fields(line, f, ARRAY_SIZE(f));
        if (nf == 0)
            continue;
        if (nf > ARRAY_SIZE(f)) {
            set_error(err, "%s:%zu: too many settings", s->control_path, lineno);
            rc = -1;
            break;
        }
        if (strcmp(f[0], "*") && !check_guest_name(f[0])) {
            set_error(err, "%s:%zu: '%s' is neither a guest name nor *", s->control_path,
                      lineno, f[0]);
            rc = -1;
            break;
        }
        s->ctl = xrealloc(s->ctl, (s->nctl + 1) * sizeof(*s->ctl));
        struct ctl_entry *e = &s->ctl[s->nctl++];
        ctl_entry_init(e, f[0]);
        for (size_t i = 1; i < nf; i++) {
            char *kv = xstrdup(f[i]);
            char *why = control_setting(s, e, kv);
            if (why) {
                set_error(err, "%s:%zu: %s: %s", s->control_path, lineno, f[i], why);
                rc = -1;
            }
            free(why);
            free(kv);
            if (rc < 0)
                break;
        }
    }
    free(text);
    if (rc < 0)
        sim_control_clear(s);
    return rc;
}

static void merge_ctl(struct guest_ctl *g, const struct ctl_entry *e)
{
    for (size_t i = 0; i < ARRAY_SIZE(ctl_keys); i++) {
        const char *from = (const char *)e + ctl_keys[i].entry_off;
        char *to = (char *)g + ctl_keys[i].guest_off;
        if (ctl_keys[i].kind == CTL_MS && *(const long long *)from >= 0)
            *(long long *)to = *(const long long *)from;
        else if (ctl_keys[i].kind == CTL_FLAG && *(const int *)from >= 0)
            *(bool *)to = *(const int *)from != 0;
    }
    if (e->hang >= 0)
        g->hang = (unsigned)e->hang;
    if (e->install_end >= 0)
        g->install_end = e->install_end;
}

struct guest_ctl sim_guest_ctl(const struct sim *s, const char *name)
{
    struct guest_ctl g = { .shutdown_ms = DEFAULT_SHUTDOWN_MS, .pv_drivers = true,
                           .install_ms = -1 };
    /* "*" first, so that a guest's own lines win wherever they are. */
    for (size_t i = 0; i < s->nctl; i++)
        if (!strcmp(s->ctl[i].name, "*"))
            merge_ctl(&g, &s->ctl[i]);
    for (size_t i = 0; i < s->nctl; i++)
        if (!strcmp(s->ctl[i].name, name))
            merge_ctl(&g, &s->ctl[i]);
    return g;
}
