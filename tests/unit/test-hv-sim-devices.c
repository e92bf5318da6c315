/* test-hv-sim-devices.c: the simulator's devices (src/hv_sim_devices.c)
 * and the parsing of a config's disk and vif items (src/devspec.c). Each
 * test works in its own root under /tmp, which it removes again. */
#include "testutil.h"

#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "devspec.h"
#include "fsutil.h"
#include "hv.h"
#include "util.h"
#include "testroot.h"

#define UUID1 "11111111-2222-3333-4444-555555555555"
#define SIMDIR "/var/lib/lcfg/xen/sim"

static int setup_root(void **state)
{
    char *dir = strdup("/tmp/lcfgxen-hvdev-XXXXXX");
    if (!dir || !mkdtemp(dir)) {
        free(dir);
        return -1;
    }
    *state = dir;
    return 0;
}

static int teardown_root(void **state)
{
    char *dir = *state;
    int rc = nftw(dir, test_rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
    return rc;
}

#define CONFIG                                                                     \
    "name = \"web1\"\nuuid = \"" UUID1 "\"\ntype = \"pvh\"\nmemory = 512\n"        \
    "disk = [\n"                                                                   \
    "    \"format=raw, vdev=xvda, access=rw, target=/var/lib/xen/images/web1.img\",\n" \
    "    \"format=qcow2, vdev=xvdb, access=ro, target=/var/lib/xen/images/b.qcow2\", # x\n" \
    "]\n"                                                                          \
    "vif = [ 'mac=00:16:3E:00:00:01, bridge=xenbr1, script=vif-bridge', \"bridge=xenbr0\" ]\n"

static struct hv *open_sim_with(const char *root, const struct hv_xl *xl, unsigned flags)
{
    struct hv *hv = NULL;
    char *err = NULL;
    if (hv_open_flags("sim", root, xl, flags, &hv, &err) != 0)
        fail_msg("hv_open: %s", err);
    return hv;
}

/* web1 from CONFIG, running; its domid. */
static unsigned make_web1(struct hv *hv, const char *root)
{
    put_file(root, "/etc/xen/web1.cfg", CONFIG);
    put_file(root, "/var/lib/xen/images/web1.img", "");
    put_file(root, "/var/lib/xen/images/c.img", "");
    char *rpath = root_path(root, "/etc/xen/web1.cfg"), *err = NULL;
    struct hv_made made;
    if (hv->ops->create(hv, "/etc/xen/web1.cfg", rpath, &made, &err) != 0)
        fail_msg("create: %s", err);
    free(rpath);
    return made.domid;
}

static char *devices_text(struct hv *hv, unsigned domid)
{
    struct hv_devices d;
    char *err = NULL;
    if (hv->ops->devices(hv, domid, &d, &err) != 0)
        fail_msg("devices: %s", err);
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < d.ndisks; i++)
        buf_addf(&b, "disk %s %s%s%s\n", d.disks[i].vdev, d.disks[i].target,
                 d.disks[i].readonly ? " ro" : "", d.disks[i].cdrom ? " cdrom" : "");
    for (size_t i = 0; i < d.nnics; i++)
        buf_addf(&b, "nic %u %s %s\n", d.nics[i].devid, d.nics[i].mac, d.nics[i].bridge);
    hv_devices_free(&d);
    return buf_detach(&b);
}

#define assert_fails_with(call, want)                                                        \
    do {                                                                                     \
        char *err_ = NULL;                                                                   \
        char **errp = &err_;                                                                 \
        assert_int_equal((call), -1);                                                        \
        assert_non_null(err_);                                                               \
        assert_string_equal(err_, (want));                                                   \
        free(err_);                                                                          \
    } while (0)

/* The devices are the config's; a NIC without mac= gets one made up, the
 * same each time. */
static void test_devices_of_config(void **state)
{
    const char *root = *state;
    struct hv *hv = open_sim_with(root, NULL, 0);
    unsigned id = make_web1(hv, root);
    char *text = devices_text(hv, id);
    char *again = devices_text(hv, id);
    assert_string_equal(text, again);
    char mac[18];
    const char *nic1 = strstr(text, "nic 1 ");
    assert_non_null(nic1);
    memcpy(mac, nic1 + 6, 17);
    mac[17] = '\0';
    assert_memory_equal(mac, "00:16:3e:", 9);
    char *want = xasprintf("disk xvda /var/lib/xen/images/web1.img\n"
                           "disk xvdb /var/lib/xen/images/b.qcow2 ro\n"
                           "nic 0 00:16:3e:00:00:01 xenbr1\n"
                           "nic 1 %s xenbr0\n", mac);
    assert_string_equal(text, want);
    free(want);
    free(text);
    free(again);
    assert_fails_with(hv->ops->devices(hv, 0, &(struct hv_devices){ 0 }, errp),
                      "refusing to touch Domain-0");
    assert_fails_with(hv->ops->devices(hv, 9, &(struct hv_devices){ 0 }, errp),
                      "no domain with id 9");
    hv->ops->close(hv);
}

/* An attached disk and NIC are the domain's: seen, kept through a reboot
 * (a new domid), written into the kept config as libxl keeps them. */
static void test_attach(void **state)
{
    const char *root = *state;
    struct hv *hv = open_sim_with(root, NULL, 0);
    unsigned id = make_web1(hv, root);
    char *err = NULL;
    const char *spec = "format=raw, vdev=xvdc, access=rw, target=/var/lib/xen/images/c.img";
    assert_int_equal(hv->ops->attach_disk(hv, id, spec, &err), 0);
    assert_int_equal(hv->ops->attach_nic(hv, id, "mac=00:16:3e:00:00:09, bridge=xenbr2", &err), 0);
    assert_null(err);
    char *text = devices_text(hv, id);
    assert_non_null(strstr(text, "disk xvdb /var/lib/xen/images/b.qcow2 ro\n"
                                 "disk xvdc /var/lib/xen/images/c.img\nnic 0 "));
    assert_non_null(strstr(text, "xenbr0\nnic 2 00:16:3e:00:00:09 xenbr2\n"));
    char *kept = get_file(root, SIMDIR "/config/" UUID1);
    assert_non_null(strstr(kept, "\ndisk += [ \"format=raw, vdev=xvdc, access=rw, "
                                 "target=/var/lib/xen/images/c.img\" ]\n"
                                 "vif += [ \"mac=00:16:3e:00:00:09, bridge=xenbr2\" ]\n"));
    free(kept);

    /* The same vdev again, a target that is not there. */
    assert_fails_with(hv->ops->attach_disk(hv, id, spec, errp),
                      "xl block-attach 1 'format=raw, vdev=xvdc, access=rw, "
                      "target=/var/lib/xen/images/c.img': domain 1 (web1) has a disk xvdc "
                      "already");
    assert_fails_with(hv->ops->attach_disk(hv, id, "vdev=xvdd, target=/nowhere.img", errp),
                      "xl block-attach 1 'vdev=xvdd, target=/nowhere.img': the block hotplug "
                      "script failed: /nowhere.img does not exist");
    assert_fails_with(hv->ops->attach_disk(hv, 0, spec, errp), "refusing to touch Domain-0");
    assert_fails_with(hv->ops->attach_nic(hv, 7, "bridge=xenbr0", errp), "no domain with id 7");

    /* A reboot keeps them. */
    assert_int_equal(hv->ops->reboot(hv, id, &err), 0);
    struct hv_domain d;
    for (int i = 0; i < 100; i++) {
        if (hv->ops->lookup(hv, "web1", &d, &err) == 0 && d.domid != id)
            break;
        struct timespec ts = { 0, 20 * 1000000L };
        nanosleep(&ts, NULL);
    }
    assert_int_not_equal(d.domid, id);
    char *after = devices_text(hv, d.domid);
    assert_string_equal(after, text);
    free(after);
    free(text);
    hv->ops->close(hv);
}

/* fail_attach and hang; a read-only handle observes only; hv_fail. */
static void test_attach_fails(void **state)
{
    const char *root = *state;
    struct hv_xl xl = { NULL, 5000, 200 };
    struct hv *hv = open_sim_with(root, &xl, 0);
    unsigned id = make_web1(hv, root);
    char *before = devices_text(hv, id);
    put_file(root, SIMDIR "/control", "web1 fail_attach=1\n");
    assert_fails_with(hv->ops->attach_disk(hv, id, "vdev=xvdc, target=/var/lib/xen/images/c.img",
                                           errp),
                      "xl block-attach 1 'vdev=xvdc, target=/var/lib/xen/images/c.img': "
                      "simulated failure for web1");
    assert_fails_with(hv->ops->attach_nic(hv, id, "mac=00:16:3e:00:00:09, bridge=xenbr0", errp),
                      "xl network-attach 1 mac=00:16:3e:00:00:09 bridge=xenbr0: simulated "
                      "failure for web1");
    put_file(root, SIMDIR "/control", "web1 hang=attach_disk,attach_nic\n");
    assert_fails_with(hv->ops->attach_disk(hv, id, "vdev=xvdc, target=/var/lib/xen/images/c.img",
                                           errp),
                      "xl block-attach 1 'vdev=xvdc, target=/var/lib/xen/images/c.img': "
                      "timed out after 200 ms");
    assert_fails_with(hv->ops->attach_nic(hv, id, "bridge=xenbr0", errp),
                      "xl network-attach 1 bridge=xenbr0: timed out after 200 ms");
    char *after = devices_text(hv, id);
    assert_string_equal(before, after);
    free(after);

    put_file(root, SIMDIR "/control", "");
    struct hv *ro = open_sim_with(root, &xl, HV_OPEN_READONLY);
    after = devices_text(ro, id);
    assert_string_equal(before, after);
    free(after);
    assert_fails_with(ro->ops->attach_disk(ro, id, "vdev=xvdc, target=/var/lib/xen/images/c.img",
                                           errp),
                      "read-only hypervisor handle: attach_disk refused");
    ro->ops->close(ro);
    put_file(root, SIMDIR "/control", "* hv_fail=devices\n");
    assert_fails_with(hv->ops->devices(hv, id, &(struct hv_devices){ 0 }, errp),
                      "simulated hypervisor failure");
    put_file(root, SIMDIR "/control", "* hang=devices\n");
    char *want = xasprintf("%s" SIMDIR "/control:1: hang=devices: hang: only create, destroy, "
                           "set_memory, set_vcpus, rename, power_button, save, restore, "
                           "migrate, attach_disk and attach_nic can hang", root);
    assert_fails_with(hv->ops->devices(hv, id, &(struct hv_devices){ 0 }, errp), want);
    free(want);
    free(before);
    hv->ops->close(hv);
}

/* ---- devspec ---- */

static char *parsed(const char *text)
{
    struct devspecs s;
    char *err = NULL;
    if (devspec_parse_config(text, &s, &err) < 0)
        return err;
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < s.dev.ndisks; i++)
        buf_addf(&b, "disk %s [%s]%s%s <%s>\n", s.dev.disks[i].vdev, s.dev.disks[i].target,
                 s.dev.disks[i].readonly ? " ro" : "", s.dev.disks[i].cdrom ? " cdrom" : "",
                 s.disk_spec[i]);
    for (size_t i = 0; i < s.dev.nnics; i++)
        buf_addf(&b, "nic %u [%s] %s <%s>\n", s.dev.nics[i].devid, s.dev.nics[i].mac,
                 s.dev.nics[i].bridge, s.nic_spec[i]);
    devspecs_free(&s);
    return buf_detach(&b);
}

static void test_devspec(void **state)
{
    (void)state;
    char *t = parsed("# c\nname = 'x' ; memory = 0x10\n"
                     "disk = [ '/dev/vg/a,raw,xvda,rw', 'file:/i/b.img,xvdb,w',\n"
                     "  'phy:/dev/sr0,hdc:cdrom,r', 'vdev=hdd, devtype=cdrom, access=ro, target=' ]\n"
                     "disk += [ \"vdev=xvde, target=/i/x,y.img\" ]\n"
                     "vif = [ '', 'mac=AA:00:00:00:00:01,model=e1000' ]\n"
                     "vif += [ 'bridge=br0.5, script=vif-openvswitch' ]\n");
    assert_string_equal(t, "disk xvda [/dev/vg/a] </dev/vg/a,raw,xvda,rw>\n"
                           "disk xvdb [/i/b.img] <file:/i/b.img,xvdb,w>\n"
                           "disk hdc [/dev/sr0] ro cdrom <phy:/dev/sr0,hdc:cdrom,r>\n"
                           "disk hdd [] ro cdrom <vdev=hdd, devtype=cdrom, access=ro, target=>\n"
                           "disk xvde [/i/x,y.img] <vdev=xvde, target=/i/x,y.img>\n"
                           "nic 0 [] xenbr0 <>\n"
                           "nic 1 [aa:00:00:00:00:01] xenbr0 <mac=AA:00:00:00:00:01,model=e1000>\n"
                           "nic 2 [] br0.5 <bridge=br0.5, script=vif-openvswitch>\n");
    free(t);
    t = parsed("disk = [ 'target=/x' ]\n");
    assert_string_equal(t, "disk 'target=/x': no vdev");
    free(t);
    t = parsed("vif = [ 'mac=00:16' ]\n");
    assert_string_equal(t, "vif 'mac=00:16': bad mac");
    free(t);
    t = parsed("disk = [ 'vdev=xvda, target=/x'\nname = 1\n");
    assert_string_equal(t, "line 2: unterminated list");
    free(t);
    t = parsed("= 3\n");
    assert_string_equal(t, "line 1: expected KEY = VALUE");
    free(t);
    assert_string_equal(devspec_strip_format("qcow2:/a"), "/a");
    assert_string_equal(devspec_strip_format("/b"), "/b");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup_root, teardown_root)
    const struct CMUnitTest tests[] = {
        T(test_devices_of_config),
        T(test_attach),
        T(test_attach_fails),
        cmocka_unit_test(test_devspec),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
