/* test-plan.c: the planner's rules (src/plan.c), which configure, status
 * and run share: a running domain's memory and vcpus against its guest's,
 * and what becomes of a renamed guest's disk. Pure functions: no files,
 * no hypervisor. */
#include "testutil.h"

#include "methods_impl.h"
#include "util.h"

static struct guest guest(enum guest_type type, unsigned long memory, unsigned long vcpus)
{
    struct guest g = { 0 };
    g.type = type;
    g.memory = memory;
    g.vcpus = vcpus;
    return g;
}

static struct hv_domain domain(unsigned long long target_mb, unsigned long long max_mb,
                               unsigned vcpus, unsigned max_vcpus)
{
    struct hv_domain d = { 0 };
    d.target_kb = target_mb * 1024;
    d.max_kb = max_mb * 1024;
    d.vcpus = vcpus;
    d.max_vcpus = max_vcpus;
    return d;
}

static void test_memory(void **state)
{
    (void)state;
    struct guest pv = guest(GUEST_PV, 512, 1), hvm = guest(GUEST_HVM, 512, 1);
    struct hv_domain d = domain(512, 1024, 1, 2);
    assert_int_equal(plan_memory(&pv, &d), CH_NONE);
    assert_int_equal(plan_memory(&hvm, &d), CH_NONE);
    /* libxl takes an HVM guest's video RAM (8-16 MB) out of its target. */
    d = domain(504, 1024, 1, 2);
    assert_int_equal(plan_memory(&pv, &d), CH_LIVE);
    assert_int_equal(plan_memory(&hvm, &d), CH_NONE);
    d = domain(496, 1024, 1, 2);
    assert_int_equal(plan_memory(&hvm, &d), CH_NONE);
    d = domain(495, 1024, 1, 2);
    assert_int_equal(plan_memory(&hvm, &d), CH_LIVE);
    d = domain(600, 1024, 1, 2);
    assert_int_equal(plan_memory(&hvm, &d), CH_LIVE);
    /* Above the running domain's maximum: a restart. */
    d = domain(256, 256, 1, 2);
    assert_int_equal(plan_memory(&pv, &d), CH_RESTART);
    assert_int_equal(plan_memory(&hvm, &d), CH_RESTART);
}

static void test_vcpus(void **state)
{
    (void)state;
    struct guest g = guest(GUEST_PV, 512, 2);
    struct hv_domain d = domain(512, 1024, 2, 4);
    assert_int_equal(plan_vcpus(&g, &d), CH_NONE);
    d = domain(512, 1024, 1, 4);
    assert_int_equal(plan_vcpus(&g, &d), CH_LIVE);
    d = domain(512, 1024, 1, 1);
    assert_int_equal(plan_vcpus(&g, &d), CH_RESTART);
}

/* The pending lines of status are the same rule in words. */
static void test_pending_agrees(void **state)
{
    (void)state;
    struct guest g = guest(GUEST_HVM, 512, 1);
    g.maxmem = 1024;
    g.maxvcpus = 2;
    struct hv_domain d = domain(504, 1024, 1, 2);
    char **v;
    size_t n = pending_changes(&g, &d, &v);
    assert_int_equal(n, 0);
    strs_free(v, n);
    d = domain(256, 1024, 1, 2);
    n = pending_changes(&g, &d, &v);
    assert_int_equal(n, 1);
    assert_string_equal(v[0], "memory 512 MB: configure applies it live (the running domain has "
                              "256 MB)");
    strs_free(v, n);
}

static void test_disk_follow(void **state)
{
    (void)state;
    const struct seen none = { 0 }, file = { true, true, 1, 10 }, same = { true, true, 1, 10 },
                      other = { true, true, 1, 11 }, dir = { true, false, 1, 12 };
    assert_int_equal(plan_disk_follow(DISK_IMAGE, false, &none, &none), DF_NOTHING);
    assert_int_equal(plan_disk_follow(DISK_IMAGE, false, &none, &other), DF_NOTHING);
    assert_int_equal(plan_disk_follow(DISK_IMAGE, false, &file, &none), DF_MOVE);
    assert_int_equal(plan_disk_follow(DISK_IMAGE, true, &file, &none), DF_HOLD_RUNNING);
    /* Both names have a disk: two spellings of one file are one disk. */
    assert_int_equal(plan_disk_follow(DISK_IMAGE, false, &file, &same), DF_NOTHING);
    assert_int_equal(plan_disk_follow(DISK_IMAGE, false, &file, &other), DF_HOLD_TAKEN);
    assert_int_equal(plan_disk_follow(DISK_IMAGE, true, &file, &other), DF_HOLD_TAKEN);
    assert_int_equal(plan_disk_follow(DISK_IMAGE, false, &dir, &none), DF_HOLD_NOT_FILE);
    assert_int_equal(plan_disk_follow(DISK_LVM, false, &file, &none), DF_HOLD_VOLUME);
}

/* ---- the guest planner (guestplan.c) ---- */

#define UA "0000000a-1111-4222-8333-444444444444"
#define UB "0000000b-1111-4222-8333-444444444444"
#define UC "0000000c-1111-4222-8333-444444444444"
#define UX "0000000a-1111-4222-8333-ffffffffffff"

static struct hv_domain dom(unsigned domid, const char *name, const char *uuid, enum dom_state st)
{
    struct hv_domain d = { 0 };
    d.domid = domid;
    snprintf(d.name, sizeof(d.name), "%s", name);
    snprintf(d.uuid, sizeof(d.uuid), "%s", uuid);
    d.state = st;
    return d;
}

/* Three guests: a (tag ta), b (tag a: another guest's name), c. */
static void three(struct host *h, struct guest g[3])
{
    memset(h, 0, sizeof(*h));
    memset(g, 0, 3 * sizeof(*g));
    const char *names[] = { "a", "b", "c" }, *tags[] = { "ta", "a", "tc" },
               *uuids[] = { UA, UB, UC };
    for (int i = 0; i < 3; i++) {
        g[i].name = names[i];
        g[i].tag = tags[i];
        g[i].uuid = uuids[i];
        g[i].boot = true;
        g[i].shutdown_timeout = 10;
    }
    h->guests = g;
    h->nguests = 3;
    h->shutdown_timeout = 60;
}

static void test_plan_boots(void **state)
{
    (void)state;
    struct host h;
    struct guest g[3];
    three(&h, g);
    /* a runs under another name (renamed: found by UUID); a domain of
     * another UUID has b's name; c crashed. */
    struct hv_domain d[3] = { dom(1, "old", UA, DOM_RUNNING), dom(2, "b", UX, DOM_RUNNING),
                              dom(3, "c", UC, DOM_CRASHED) };
    struct dom_index ix = dom_index_new(d, 3);
    struct managed rec = { 0 };
    struct plan p = { 0 };
    /* No record of a: its domain arrived from another host (adopted by
     * configure), never booted again. */
    plan_boots(&h, &rec, &ix, false, &p);
    assert_int_equal(p.v[0].act, ACT_ADOPT);
    assert_int_equal(p.v[0].d->domid, 1);
    plan_free(&p);
    managed_set(&rec, UA, "a", MG_PROFILE);
    plan_boots(&h, &rec, &ix, false, &p);
    assert_int_equal(p.n, 3);
    assert_int_equal(p.v[0].act, ACT_RUNNING);
    assert_int_equal(p.v[0].d->domid, 1);
    assert_int_equal(p.v[1].act, ACT_NAME_TAKEN);
    assert_int_equal(p.v[1].d->domid, 2);
    assert_int_equal(p.v[2].act, ACT_CLEAR_BOOT);
    plan_free(&p);
    /* Held back by configure: not booted, whatever runs. */
    managed_set(&rec, UC, "c", MG_HELD);
    plan_boots(&h, &rec, &ix, true, &p);
    assert_int_equal(p.v[2].act, ACT_HELD);
    plan_free(&p);
    managed_free(&rec);
    dom_index_free(&ix);
    /* Nothing runs: run revives, start boots. */
    ix = dom_index_new(NULL, 0);
    plan_boots(&h, &rec, &ix, true, &p);
    assert_int_equal(p.v[0].act, ACT_REVIVE);
    plan_free(&p);
    plan_boots(&h, &rec, &ix, false, &p);
    assert_int_equal(p.v[0].act, ACT_BOOT);
    plan_free(&p);
    /* Moved to another host: not booted here; back here: adopted. */
    managed_set_moved(&rec, UA, "a", "hostb");
    plan_boots(&h, &rec, &ix, false, &p);
    assert_int_equal(p.v[0].act, ACT_MOVED);
    assert_string_equal(p.v[0].why, "hostb");
    plan_free(&p);
    dom_index_free(&ix);
    ix = dom_index_new(d, 3);
    plan_boots(&h, &rec, &ix, false, &p);
    assert_int_equal(p.v[0].act, ACT_ADOPT);
    plan_free(&p);
    managed_free(&rec);
    dom_index_free(&ix);
}

static void test_plan_stop_and_named(void **state)
{
    (void)state;
    struct host h;
    struct guest g[3];
    three(&h, g);
    g[2].boot = false; /* booted by hand: stopped too */
    struct hv_domain d[4] = { dom(1, "a", UA, DOM_RUNNING), dom(3, "c", UC, DOM_RUNNING),
                              dom(4, "gone", "0000000d-1111-4222-8333-444444444444", DOM_RUNNING),
                              dom(5, "alien", UX, DOM_RUNNING) };
    struct dom_index ix = dom_index_new(d, 4);
    struct managed rec = { 0 };
    managed_set(&rec, "0000000d-1111-4222-8333-444444444444", "gone", MG_KEPT);
    struct plan p = { 0 };
    plan_stop(&h, &rec, &ix, &p);
    assert_int_equal(p.n, 3);
    assert_string_equal(p.v[0].name, "a");
    assert_string_equal(p.v[1].name, "c");
    assert_string_equal(p.v[2].name, "gone");
    assert_int_equal(p.v[2].g->shutdown_timeout, 60);
    plan_free(&p);

    char *names[] = { "ta", "a", "c", "c", "gone", "alien", "nobody" };
    plan_named(&h, &rec, &ix, ACT_DESTROY, false, names, 7, &p);
    assert_int_equal(p.n, 6); /* c once */
    assert_int_equal(p.v[0].act, ACT_REFUSED);
    assert_string_equal(p.v[0].why, "'ta' is the tag of guest 'a', not a guest's name: name "
                                    "guests by their names");
    assert_int_equal(p.v[1].act, ACT_REFUSED);
    assert_string_equal(p.v[1].why, "'a' is the name of guest 'a' and the tag of guest 'b': "
                                    "ambiguous, left alone");
    assert_int_equal(p.v[2].act, ACT_DESTROY);
    assert_int_equal(p.v[2].d->domid, 3);
    assert_int_equal(p.v[3].act, ACT_DESTROY);
    assert_int_equal(p.v[3].d->domid, 4);
    assert_int_equal(p.v[4].act, ACT_REFUSED);
    assert_string_equal(p.v[4].why, "'alien' (domid 5) is not a guest of this profile: left "
                                    "alone (destroy --force to insist)");
    assert_string_equal(p.v[5].why, "no guest 'nobody' in the saved configuration");
    plan_free(&p);
    /* --force takes a domain by its name; boot never a kept guest. */
    char *alien[] = { "alien" };
    plan_named(&h, &rec, &ix, ACT_DESTROY, true, alien, 1, &p);
    assert_int_equal(p.v[0].act, ACT_DESTROY);
    assert_null(p.v[0].g);
    plan_free(&p);
    char *gone[] = { "gone" };
    plan_named(&h, &rec, &ix, ACT_BOOT, false, gone, 1, &p);
    assert_int_equal(p.v[0].act, ACT_REFUSED);
    plan_free(&p);
    managed_free(&rec);
    dom_index_free(&ix);
}

/* ---- devices (devplan.c's plan_devices) ---- */

/* The plan of a config text against what the domain has (have: a config
 * text too, its NICs given MACs by hand), one line per change. */
static char *dev_plan(const char *want_text, const char *have_text, enum guest_type type)
{
    struct devplan p = { 0 };
    struct devspecs have;
    char *err = NULL;
    assert_int_equal(devspec_parse_config(want_text, &p.want, &err), 0);
    assert_int_equal(devspec_parse_config(have_text, &have, &err), 0);
    plan_devices(&p.want, &have.dev, type, "/nonexistent-root", &p);
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < p.n; i++) {
        char *line = devchange_line(&p.v[i]);
        buf_addf(&b, "%s%s\n", line,
                 p.v[i].act == DEV_ATTACH
                     ? (p.v[i].disk ? p.want.disk_spec[p.v[i].want] : p.want.nic_spec[p.v[i].want])
                     : "");
        free(line);
    }
    devspecs_free(&have);
    devplan_free(&p);
    return buf_detach(&b);
}

#define D(v, t) "'vdev=" v ", target=" t "'"

static void test_plan_devices(void **state)
{
    (void)state;
    const char *have = "disk = [ " D("xvda", "/i/a") ", 'vdev=xvdb, access=ro, target=/i/b' ]\n"
                       "vif = [ 'mac=00:16:3e:00:00:01', 'mac=00:16:3e:00:00:02, bridge=br1' ]\n";
    /* The same: nothing. A NIC without a MAC is the domain's of its index. */
    char *t = dev_plan(have, have, GUEST_PV);
    assert_string_equal(t, "");
    free(t);
    t = dev_plan("disk = [ " D("xvda", "/i/a") ", 'vdev=xvdb, access=ro, target=/i/b' ]\n"
                 "vif = [ '', 'mac=00:16:3E:00:00:02, bridge=br1' ]\n", have, GUEST_PV);
    assert_string_equal(t, "");
    free(t);
    /* Added: attached live, with the config's spec. */
    t = dev_plan("disk = [ " D("xvda", "/i/a") ", 'vdev=xvdb, access=ro, target=/i/b', "
                 D("xvdc", "/i/c") " ]\n"
                 "vif = [ 'mac=00:16:3e:00:00:01', 'mac=00:16:3e:00:00:02, bridge=br1', "
                 "'bridge=br2' ]\n", have, GUEST_PV);
    assert_string_equal(t, "disk xvdc (/i/c): added: configure attaches it live"
                           "vdev=xvdc, target=/i/c\n"
                           "NIC 2 (MAC chosen by xl, on br2): added: configure attaches it live"
                           "bridge=br2\n");
    free(t);
    /* Removed, changed target, access, bridge: restart. */
    t = dev_plan("disk = [ " D("xvda", "/i/z") ", 'vdev=xvdb, access=rw, target=/i/b' ]\n"
                 "vif = [ 'mac=00:16:3e:00:00:02, bridge=br9' ]\n", have, GUEST_PV);
    assert_string_equal(t, "disk xvda (/i/z): the running domain has /i/a there: needs restart\n"
                           "disk xvdb (/i/b): access rw, the running domain's is ro: needs "
                           "restart\n"
                           "NIC 0 (00:16:3e:00:00:02 on br9): the running domain's is on br1: "
                           "needs restart\n"
                           "NIC 0 (00:16:3e:00:00:01 on xenbr0): removed from the config: needs "
                           "restart (the running domain has it until then)\n");
    free(t);
    /* An HVM guest's emulated disk and a cdrom drive are not hot-plugged;
     * its PV disks and NICs are. */
    t = dev_plan("disk = [ " D("xvda", "/i/a") ", 'vdev=xvdb, access=ro, target=/i/b', "
                 D("hdc", "/i/c") ", 'vdev=hdd, devtype=cdrom, target=/i/d.iso', "
                 D("xvde", "/i/e") " ]\n"
                 "vif = [ 'mac=00:16:3e:00:00:01', 'mac=00:16:3e:00:00:02, bridge=br1' ]\n",
                 have, GUEST_HVM);
    assert_string_equal(t, "disk hdc (/i/c): added: needs restart (an HVM guest's emulated disk "
                           "cannot be hot-plugged)\n"
                           "cdrom hdd (/i/d.iso): added: needs restart (a cdrom drive cannot be "
                           "hot-plugged)\n"
                           "disk xvde (/i/e): added: configure attaches it live"
                           "vdev=xvde, target=/i/e\n");
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory),
        cmocka_unit_test(test_vcpus),
        cmocka_unit_test(test_pending_agrees),
        cmocka_unit_test(test_disk_follow),
        cmocka_unit_test(test_plan_boots),
        cmocka_unit_test(test_plan_stop_and_named),
        cmocka_unit_test(test_plan_devices),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
