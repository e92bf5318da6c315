/* test-netconf: the host's bridges (netconf.c, netsys.c, model_net.c):
 * detection, the files rendered (golden), the actions applied through
 * fake tools, the check before a boot, the items in the status text. */
#include "testmodel.h"

#include <errno.h>

#include "fsutil.h"
#include "netconf.h"
#include "netsys.h"
#include "util.h"

#define GUEST "xen.virtualmachines=g1\nxen.uuid_g1=00000001-1111-4222-8333-444444444444\n" \
              "xen.memory_g1=128\nxen.disk_g1=1\n"
#define THREE "xen.bridges=xenbr5 br1 br2\nxen.bridgeif_xenbr5=eth0\n" \
              "xen.bridgevlan_xenbr5=100\nxen.bridgestp_br1=yes\nxen.bridgeif_br2=eth0\n"

/* The fake network: which bridges exist (a space-separated list, with
 * "!" after an Open vSwitch one), the commands run, one a line. */
struct fake {
    char exists[256];
    struct buf log;
    bool fail;       /* every run fails */
    bool ports;      /* every bridge has a guest's port */
    bool exists_err; /* exists cannot tell */
};

static int fake_run(void *ctx, char *const argv[], char **err)
{
    struct fake *f = ctx;
    const char *base = strrchr(argv[0], '/') + 1;
    buf_adds(&f->log, base);
    for (size_t i = 1; argv[i]; i++)
        buf_addf(&f->log, " %s", argv[i]);
    buf_addc(&f->log, '\n');
    if (f->fail) {
        set_error(err, "exited 1: no");
        return -1;
    }
    if (!strcmp(base, "ifup") && !strchr(argv[1], '.')) {
        strcat(f->exists, " ");
        strcat(f->exists, argv[1]);
    }
    return 0;
}

static int fake_exists(void *ctx, const char *bridge, bool ovs, char **err)
{
    struct fake *f = ctx;
    if (f->exists_err) {
        set_error(err, "no sysfs");
        return -1;
    }
    char *word = xasprintf(" %s%s", bridge, ovs ? "!" : "");
    size_t n = strlen(word);
    bool found = false;
    for (const char *p = strstr(f->exists, word); p && !found; p = strstr(p + 1, word))
        found = p[n] == ' ' || p[n] == '\0';
    free(word);
    return found;
}

static bool fake_ports(void *ctx, const char *bridge)
{
    (void)bridge;
    return ((struct fake *)ctx)->ports;
}

static struct net_ops fake_ops(struct fake *f)
{
    return (struct net_ops){ fake_run, fake_exists, fake_ports, f };
}

static void put(const char *root, const char *path, const char *text)
{
    char *p = root_path(root, path), *dir = xstrdup(p), *err = NULL;
    *strrchr(dir, '/') = '\0';
    assert_int_equal(fs_mkdir_p(dir, 0755, &err), 0);
    enum fs_change ch;
    assert_int_equal(fs_write_atomic(p, text, strlen(text), 0644, &ch, &err), 0);
    free(dir);
    free(p);
}

static void ifupdown_root(const char *root)
{
    put(root, "/etc/network/interfaces",
        "auto lo\niface lo inet loopback\n\n  source   /etc/network/interfaces.d/*  \n");
}

static void report_is(struct host_report *rep, const char *want)
{
    struct buf b = BUF_INIT;
    static const char *const lv[] = { "I", "W", "E" };
    for (size_t i = 0; i < rep->n; i++)
        buf_addf(&b, "%s %s\n", lv[rep->v[i].level], rep->v[i].text);
    assert_string_equal(buf_str(&b), want);
    buf_free(&b);
}

/* ---- rendering ---- */

static void golden(const char *path, const char *text)
{
    char *want = test_read_file(path);
    assert_string_equal(text, want);
    free(want);
}

static void test_render_ifupdown(void **state)
{
    (void)state;
    struct host *h = test_host(THREE);
    char **paths, **texts;
    size_t n;
    netconf_render(h->bridges, h->nbridges, NET_IFUPDOWN, &paths, &texts, &n);
    assert_int_equal(n, 3);
    assert_string_equal(paths[0], "/etc/network/interfaces.d/lcfg-xen-xenbr5");
    assert_string_equal(paths[1], "/etc/network/interfaces.d/lcfg-xen-br1");
    assert_string_equal(paths[2], "/etc/network/interfaces.d/lcfg-xen-br2");
    golden(TEST_DATA "/bridges/lcfg-xen-xenbr5", texts[0]);
    golden(TEST_DATA "/bridges/lcfg-xen-br1", texts[1]);
    assert_non_null(strstr(texts[2], "\tbridge_ports eth0\n\tbridge_stp off\n"));
    for (size_t i = 0; i < n; i++) {
        free(paths[i]);
        free(texts[i]);
    }
    free(paths);
    free(texts);
    host_free(h);
}

static void test_render_networkd(void **state)
{
    (void)state;
    struct host *h = test_host(THREE);
    char **paths, **texts;
    size_t n;
    netconf_render(h->bridges, h->nbridges, NET_NETWORKD, &paths, &texts, &n);
    static const char *const names[] = {
        "50-lcfg-xen-br-xenbr5.netdev", "50-lcfg-xen-br-xenbr5.network",
        "50-lcfg-xen-vlan-eth0.100.netdev", "50-lcfg-xen-vlan-eth0.100.network",
        "50-lcfg-xen-br-br1.netdev", "50-lcfg-xen-br-br1.network",
        "50-lcfg-xen-br-br2.netdev", "50-lcfg-xen-br-br2.network",
        "50-lcfg-xen-if-eth0.network",
    };
    assert_int_equal(n, ARRAY_SIZE(names));
    for (size_t i = 0; i < n; i++) {
        char *want = xasprintf("/etc/systemd/network/%s", names[i]);
        assert_string_equal(paths[i], want);
        char *g = xasprintf(TEST_DATA "/bridges/networkd/%s", names[i]);
        golden(g, texts[i]);
        free(g);
        free(want);
        free(paths[i]);
        free(texts[i]);
    }
    free(paths);
    free(texts);
    host_free(h);
}

/* ---- detection ---- */

static void test_detect(void **state)
{
    const char *root = *state;
    struct host *h = test_host(THREE);
    char *why = NULL;
    assert_int_equal(netconf_detect(h, root, &why), NET_NONE);
    assert_string_equal(why, "cannot tell how this host configures its network: "
                        "systemd-networkd is not enabled and there is no "
                        "/etc/network/interfaces (set xen.netconfig)");
    free(why);
    put(root, "/etc/network/interfaces", "auto lo\niface lo inet loopback\n"
        "# source /etc/network/interfaces.d/*\nsource /etc/network/interfaces.d/*.cfg\n");
    assert_int_equal(netconf_detect(h, root, &why), NET_NONE);
    assert_string_equal(why, "ifupdown's /etc/network/interfaces does not read "
                        "/etc/network/interfaces.d (it needs the line \"source "
                        "/etc/network/interfaces.d/*\", which is Debian's default)");
    free(why);
    put(root, "/etc/network/interfaces", "source-directory\tinterfaces.d\n");
    assert_int_equal(netconf_detect(h, root, &why), NET_IFUPDOWN);
    assert_null(why);
    ifupdown_root(root);
    assert_int_equal(netconf_detect(h, root, &why), NET_IFUPDOWN);
    put(root, NETCONF_NETWORKD_WANTS, "");
    assert_int_equal(netconf_detect(h, root, &why), NET_NETWORKD);
    host_free(h);
    h = test_host(THREE "xen.netconfig=ifupdown\n");
    assert_int_equal(netconf_detect(h, root, &why), NET_IFUPDOWN);
    host_free(h);
    h = test_host(THREE "xen.netconfig=none\n");
    assert_int_equal(netconf_detect(h, root, &why), NET_NONE);
    assert_null(why);
    host_free(h);
}

/* ---- applying ---- */

static void apply(const char *root, const char *res, struct fake *f, const struct net_busy *busy,
                  size_t nbusy, bool dry, const char *want_report, const char *want_log)
{
    struct host *h = test_host(res);
    struct net_plan p;
    struct host_report rep = { 0 };
    struct net_ops ops = fake_ops(f);
    netconf_plan(h, root, &p);
    buf_free(&f->log);
    netconf_apply(&p, h, root, &ops, busy, nbusy, dry, &rep);
    report_is(&rep, want_report);
    assert_string_equal(f->log.len ? buf_str(&f->log) : "", want_log);
    host_report_free(&rep);
    netconf_plan_free(&p);
    host_free(h);
}

static void test_ifupdown_apply(void **state)
{
    const char *root = *state;
    ifupdown_root(root);
    struct fake f = { .exists = " xenbr0" };
    apply(root, THREE, &f, NULL, 0, true,
          "I bridges: /etc/network/interfaces.d/lcfg-xen-xenbr5 would be created\n"
          "I bridges: /etc/network/interfaces.d/lcfg-xen-br1 would be created\n"
          "I bridges: /etc/network/interfaces.d/lcfg-xen-br2 would be created\n"
          "I bridges: would run ifup eth0.100 (new in xen.bridges)\n"
          "I bridges: would run ifup xenbr5 (new in xen.bridges)\n"
          "I bridges: would run ifup br1 (new in xen.bridges)\n"
          "I bridges: would run ifup br2 (new in xen.bridges)\n", "");
    char *p = root_path(root, "/etc/network/interfaces.d/lcfg-xen-br1");
    assert_int_equal(access(p, F_OK), -1);
    apply(root, THREE, &f, NULL, 0, false,
          "I bridges: /etc/network/interfaces.d/lcfg-xen-xenbr5 created\n"
          "I bridges: /etc/network/interfaces.d/lcfg-xen-br1 created\n"
          "I bridges: /etc/network/interfaces.d/lcfg-xen-br2 created\n"
          "I bridges: ran ifup eth0.100 (new in xen.bridges)\n"
          "I bridges: ran ifup xenbr5 (new in xen.bridges)\n"
          "I bridges: ran ifup br1 (new in xen.bridges)\n"
          "I bridges: ran ifup br2 (new in xen.bridges)\n",
          "ifup eth0.100\nifup xenbr5\nifup br1\nifup br2\n");
    char *made = test_read_file(p);
    golden(TEST_DATA "/bridges/lcfg-xen-br1", made);
    free(made);
    /* Again: nothing. */
    apply(root, THREE, &f, NULL, 0, false, "", "");
    /* A file of someone else's, named like the component's, is left. */
    put(root, "/etc/network/interfaces.d/lcfg-xen-mine", "auto mine\niface mine inet manual\n");
    /* br1 leaves (busy: g1 runs on it), br2 leaves (free), xenbr5's STP
     * changes (a guest's vif is on every bridge: left). */
    struct net_busy busy[] = { { "br1", "g1" } };
    apply(root, "xen.bridges=xenbr5\nxen.bridgeif_xenbr5=eth0\nxen.bridgevlan_xenbr5=100\n"
          "xen.bridgestp_xenbr5=yes\n", &f, busy, 1, false,
          "W bridges: br1 left xen.bridges, but running guest 'g1' uses it: it is left up\n"
          "I bridges: ran ifdown br2 (it left xen.bridges)\n"
          "I bridges: /etc/network/interfaces.d/lcfg-xen-xenbr5 updated\n"
          "I bridges: /etc/network/interfaces.d/lcfg-xen-br1 removed\n"
          "I bridges: /etc/network/interfaces.d/lcfg-xen-br2 removed\n"
          "I bridges: ran ifdown xenbr5 (its drop-in changed)\n"
          "I bridges: ran ifdown eth0.100 (its drop-in changed)\n"
          "I bridges: ran ifup eth0.100 (its drop-in changed)\n"
          "I bridges: ran ifup xenbr5 (its drop-in changed)\n",
          "ifdown br2\nifdown xenbr5\nifdown eth0.100\nifup eth0.100\nifup xenbr5\n");
    assert_int_equal(access(p, F_OK), -1);
    free(p);
    p = root_path(root, "/etc/network/interfaces.d/lcfg-xen-mine");
    assert_int_equal(access(p, F_OK), 0);
    free(p);
    /* A bridge with a guest's port is left up when it changes. */
    f.ports = true;
    apply(root, "xen.bridges=xenbr5\nxen.bridgeif_xenbr5=eth0\nxen.bridgevlan_xenbr5=100\n", &f,
          NULL, 0, false,
          "I bridges: /etc/network/interfaces.d/lcfg-xen-xenbr5 updated\n"
          "W bridges: xenbr5 changed, but a running guest's interface is on it: it is left up\n",
          "");
    buf_free(&f.log);
}

static void test_ifupdown_tool_fails(void **state)
{
    const char *root = *state;
    ifupdown_root(root);
    struct fake f = { .exists = "", .fail = true };
    apply(root, "xen.bridges=br1\n", &f, NULL, 0, false,
          "I bridges: /etc/network/interfaces.d/lcfg-xen-br1 created\n"
          "E bridges: ifup br1 failed: exited 1: no\n"
          "E bridges: br1 is still missing after ifup\n", "ifup br1\n");
    /* The file is there: the next run brings it up when it is missing. */
    f.fail = false;
    apply(root, "xen.bridges=br1\n", &f, NULL, 0, false,
          "I bridges: ran ifup br1 (it is missing)\n", "ifup br1\n");
    buf_free(&f.log);
}

static void test_networkd_apply(void **state)
{
    const char *root = *state;
    put(root, NETCONF_NETWORKD_WANTS, "");
    struct fake f = { .exists = " br1 br2" }; /* networkd makes them: the fake does not */
    apply(root, "xen.bridges=br1 br2\n", &f, NULL, 0, false,
          "I bridges: /etc/systemd/network/50-lcfg-xen-br-br1.netdev created\n"
          "I bridges: /etc/systemd/network/50-lcfg-xen-br-br1.network created\n"
          "I bridges: /etc/systemd/network/50-lcfg-xen-br-br2.netdev created\n"
          "I bridges: /etc/systemd/network/50-lcfg-xen-br-br2.network created\n"
          "I bridges: ran networkctl reload (the bridges' files changed)\n",
          "networkctl reload\n");
    apply(root, "xen.bridges=br1 br2\nxen.bridgestp_br2=yes\n", &f, NULL, 0, false,
          "I bridges: /etc/systemd/network/50-lcfg-xen-br-br2.netdev updated\n"
          "I bridges: ran networkctl delete br2 (its .netdev changed)\n"
          "I bridges: ran networkctl reload (the bridges' files changed)\n",
          "networkctl delete br2\nnetworkctl reload\n");
    struct net_busy busy[] = { { "br2", "g7" } };
    apply(root, "xen.bridges=\n", &f, busy, 1, false,
          "I bridges: /etc/systemd/network/50-lcfg-xen-br-br1.netdev removed\n"
          "I bridges: /etc/systemd/network/50-lcfg-xen-br-br1.network removed\n"
          "I bridges: /etc/systemd/network/50-lcfg-xen-br-br2.netdev removed\n"
          "I bridges: /etc/systemd/network/50-lcfg-xen-br-br2.network removed\n"
          "I bridges: ran networkctl reload (the bridges' files changed)\n"
          "I bridges: ran networkctl delete br1 (it left xen.bridges)\n"
          "W bridges: br2 left xen.bridges, but running guest 'g7' uses it: it is left up\n",
          "networkctl reload\nnetworkctl delete br1\n");
    buf_free(&f.log);
}

/* ---- the check before a boot ---- */

static void test_check_guest(void **state)
{
    (void)state;
    struct fake f = { .exists = " xenbr0 ovs0!" };
    struct net_ops ops = fake_ops(&f);
    char *err = NULL;
    struct host *h = test_host(GUEST);
    assert_int_equal(netconf_check_guest(&h->guests[0], &ops, &err), 0);
    host_free(h);
    h = test_host(GUEST "xen.macsec_g1=00:16:3e:00:00:01\nxen.bridgesec_g1=xenbr9\n");
    assert_int_equal(netconf_check_guest(&h->guests[0], &ops, &err), -1);
    assert_string_equal(err, "bridge xenbr9 of NIC eth1 (bridgesec_g1) does not exist");
    host_free(h);
    /* Open vSwitch: asked as such; a Linux bridge of its name is not one. */
    h = test_host(GUEST "xen.bridge_g1=ovs0\nxen.script_g1=vif-openvswitch\n");
    assert_int_equal(netconf_check_guest(&h->guests[0], &ops, &err), 0);
    host_free(h);
    h = test_host(GUEST "xen.bridge_g1=xenbr0\nxen.script_g1=vif-openvswitch\n");
    assert_int_equal(netconf_check_guest(&h->guests[0], &ops, &err), -1);
    assert_string_equal(err, "bridge xenbr0 of NIC eth0 (bridge_g1) does not exist "
                        "(ovs-vsctl br-exists)");
    host_free(h);
    /* vif-route uses no bridge. */
    h = test_host(GUEST "xen.bridge_g1=nothere\nxen.script_g1=vif-route\n");
    assert_int_equal(netconf_check_guest(&h->guests[0], &ops, &err), 0);
    f.exists_err = true;
    host_free(h);
    h = test_host(GUEST);
    assert_int_equal(netconf_check_guest(&h->guests[0], &ops, &err), -1);
    assert_string_equal(err, "cannot tell whether bridge xenbr0 of NIC eth0 (bridge_g1) "
                        "exists: no sysfs");
    free(err);
    host_free(h);
}

/* The host's network: sysfs under the root. */
static void test_netsys_host(void **state)
{
    const char *root = *state;
    struct host *h = test_host(GUEST);
    struct netsys s;
    struct net_ops ops;
    netsys_ops(&s, root, h, false, &ops);
    char *err = NULL;
    put(root, "/sys/class/net/eth0/address", "x\n");
    put(root, "/sys/class/net/xenbr0/bridge/stp_state", "0\n");
    assert_int_equal(ops.exists(ops.ctx, "xenbr0", false, &err), 1);
    assert_int_equal(ops.exists(ops.ctx, "eth0", false, &err), 0);
    assert_int_equal(ops.exists(ops.ctx, "nothere", false, &err), 0);
    assert_false(ops.guest_ports(ops.ctx, "xenbr0"));
    put(root, "/sys/class/net/xenbr0/brif/eth0/x", "");
    assert_false(ops.guest_ports(ops.ctx, "xenbr0"));
    put(root, "/sys/class/net/xenbr0/brif/vif3.0/x", "");
    assert_true(ops.guest_ports(ops.ctx, "xenbr0"));
    /* ovs-vsctl missing under the root: cannot tell. */
    assert_int_equal(ops.exists(ops.ctx, "ovs0", true, &err), -1);
    assert_non_null(strstr(err, "ovs-vsctl"));
    free(err);
    host_free(h);
}

/* The simulator's: its bridges file, changed by the tools. */
static void test_netsys_sim(void **state)
{
    const char *root = *state;
    struct host *h = test_host(GUEST);
    struct netsys s;
    struct net_ops ops;
    netsys_ops(&s, root, h, true, &ops);
    char *err = NULL;
    assert_int_equal(ops.exists(ops.ctx, "xenbr1", false, &err), 1);
    assert_int_equal(ops.exists(ops.ctx, "xenbr", false, &err), 0);
    char *up[] = { "/r/sbin/ifup", "br7", NULL }, *down[] = { "/r/sbin/ifdown", "xenbr0", NULL };
    assert_int_equal(ops.run(ops.ctx, up, &err), 0);
    assert_int_equal(ops.run(ops.ctx, down, &err), 0);
    char *p = root_path(root, PATH_SIM_BRIDGES), *t = test_read_file(p);
    assert_string_equal(t, "xenbr1\nbr7\n");
    free(t);
    free(p);
    p = root_path(root, "/var/lib/lcfg/xen/sim/services");
    t = test_read_file(p);
    assert_string_equal(t, "ifup br7\nifdown xenbr0\n");
    free(t);
    free(p);
    put(root, PATH_SIM_BRIDGES, "# mine\novs0 ovs\n");
    assert_int_equal(ops.exists(ops.ctx, "ovs0", true, &err), 1);
    assert_int_equal(ops.exists(ops.ctx, "ovs0", false, &err), 0);
    host_free(h);
}

/* ---- the model ---- */

static void test_items_in_the_status_text(void **state)
{
    (void)state;
    struct host *h = test_host("xen.vifscripts=site\nxen.vifscripttemplate_site=s.tmpl\n"
                               "xen.bridges=b2 b1\nxen.bridgestp_b1=yes\n");
    char *st = host_format_status(h);
    const char *want = "xen.bridgeif_b2=\nxen.bridgevlan_b2=\nxen.bridgestp_b2=\n"
                       "xen.bridgeif_b1=\nxen.bridgevlan_b1=\nxen.bridgestp_b1=yes\n"
                       "%xen.bridgestp_b1=boolean\nxen.vifscripttemplate_site=s.tmpl\n";
    assert_non_null(strstr(st, want));
    assert_string_equal(host_lookup(h, "bridgestp_b1", NULL, NULL), "yes");
    assert_int_equal(h->nbridges, 2);
    assert_string_equal(h->bridges[0].name, "b2");
    assert_true(h->bridges[1].stp);
    assert_string_equal(h->vifscripts[0].name, "vif-site");
    assert_true(model_vif_script_ok(h, "vif-site"));
    assert_true(model_vif_script_ok(h, "vif-nat"));
    assert_false(model_vif_script_ok(h, "vif-other"));
    /* It reads back as it was. */
    struct host *again = test_host(st);
    char *st2 = host_format_status(again);
    assert_string_equal(st2, st);
    free(st2);
    free(st);
    host_free(again);
    host_free(h);
}

static void test_items_refused(void **state)
{
    (void)state;
    struct resset *rs = resset_new();
    char *err = NULL;
    assert_int_equal(profile_parse_status("xen.bridges=b1 b2\nxen.bridgeif_b1=eth0\n"
                                          "xen.bridgeif_b2=eth0\nxen.bridgeif_b3=eth1\n",
                                          "t", rs, &err), 0);
    struct errlist errs = { 0 };
    assert_null(model_build(rs, &errs));
    assert_int_equal(errs.n, 2);
    assert_string_equal(errs.v[0], "resource bridgeif_b3: its tag is not in bridges");
    assert_string_equal(errs.v[1], "resource bridgeif_b2: 'eth0' is already bridge b1's");
    errlist_free(&errs);
    resset_free(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_ifupdown),
        cmocka_unit_test(test_render_networkd),
        cmocka_unit_test_setup_teardown(test_detect, test_tmpdir_setup, test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_ifupdown_apply, test_tmpdir_setup,
                                        test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_ifupdown_tool_fails, test_tmpdir_setup,
                                        test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_networkd_apply, test_tmpdir_setup,
                                        test_tmpdir_teardown),
        cmocka_unit_test(test_check_guest),
        cmocka_unit_test_setup_teardown(test_netsys_host, test_tmpdir_setup,
                                        test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_netsys_sim, test_tmpdir_setup,
                                        test_tmpdir_teardown),
        cmocka_unit_test(test_items_in_the_status_text),
        cmocka_unit_test(test_items_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
