/* test-model-lists.c: a guest's disks and NICs as the model builds them
 * (src/model_lists.c): the seed's first, then the items of disks_<tag> and
 * nics_<tag> in list order; their names (NAME_GUEST_ITEM, as lcfg-core
 * makes them), defaults, vdevs, lookups and status text. The messages for
 * bad values are checked by the 71-devlists scenario. */
#include "testutil.h"
#include "testmodel.h"

#include "model.h"
#include "profile.h"
#include "util.h"

#define WEB1                                                  \
    "xen.virtualmachines=web1 a_b\n"                          \
    "xen.uuid_web1=00000001-1111-4222-8333-444444444444\n"    \
    "xen.memory_web1=512\nxen.disk_web1=1\n"                  \
    "xen.uuid_a_b=00000002-1111-4222-8333-444444444444\n"     \
    "xen.memory_a_b=256\nxen.disktype_a_b=none\n"

/* An item field's name has no "_" and is no guest field's or host
 * resource's, so NAME_GUEST_ITEM reads one way only. */
static void test_item_names_read_one_way(void **state)
{
    (void)state;
    for (int f = 0; f < IF_COUNT; f++) {
        const char *n = schema_item[f].name;
        assert_null(strchr(n, '_'));
        for (int g = 0; g < GF_COUNT; g++)
            assert_string_not_equal(n, schema_guest[g].name);
        for (int g = 0; g < HF_COUNT; g++)
            assert_string_not_equal(n, schema_host[g].name);
    }
    for (int sl = 0; sl < SL_COUNT; sl++)
        assert_int_equal(schema_guest[schema_sublist[sl].field].type, RT_LIST);
}

static void test_disks_in_order_with_vdevs(void **state)
{
    (void)state;
    struct host *h = test_host(WEB1
        "xen.cdpath_web1=/srv/a.iso\n"
        "xen.disks_web1=z d1 d2 d3\n"
        "xen.dsize_web1_z=3\nxen.dvdev_web1_z=xvde\n"
        "xen.dsize_web1_d1=1\nxen.dname_web1_d1=data\nxen.daccess_web1_d1=ro\n"
        "xen.dsize_web1_d2=2\nxen.dformat_web1_d2=qcow2\nxen.dpath_web1_d2=/srv/img/\n"
        "xen.dtype_web1_d3=lvm\nxen.dvg_web1_d3=vg0\nxen.dsize_web1_d3=4\n"
        "xen.disks_a_b=x\nxen.dtype_a_b_x=physical\nxen.ddev_a_b_x=/dev/sdc\n");
    const struct guest *g = host_find_guest(h, "web1");
    assert_int_equal(g->ndisks, 5);
    const char *want[][4] = {
        { "", "xvda", "/var/lib/xen/images/web1.img", "rw" },
        { "z", "xvde", "/var/lib/xen/images/web1-z.img", "rw" },
        /* A default skips the given xvde, and the cdrom's xvdc. */
        { "d1", "xvdd", "/var/lib/xen/images/data.img", "ro" },
        { "d2", "xvdf", "/srv/img/web1-d2.img", "rw" },
        { "d3", "xvdg", "/dev/vg0/web1-d3", "rw" },
    };
    for (size_t k = 0; k < 5; k++) {
        assert_string_equal(g->disks[k].item, want[k][0]);
        assert_string_equal(g->disks[k].vdev, want[k][1]);
        assert_string_equal(g->disks[k].path, want[k][2]);
        assert_int_equal(g->disks[k].readonly, !strcmp(want[k][3], "ro"));
        assert_int_equal(g->disks[k].seed, k == 0);
    }
    assert_int_equal(g->disks[1].size_gb, 3);
    assert_int_equal(g->disks[3].format, FORMAT_QCOW2);
    assert_int_equal(g->disks[4].type, DISK_LVM);
    assert_string_equal(g->disks[4].vg, "vg0");
    assert_string_equal(g->disks[4].file, "web1-d3");
    /* A guest without seed disks: the list's start at xvdd all the same. */
    const struct guest *ab = host_find_guest(h, "a_b");
    assert_int_equal(ab->ndisks, 1);
    assert_string_equal(ab->disks[0].vdev, "xvdd");
    assert_int_equal(ab->disks[0].type, DISK_PHYSICAL);
    assert_string_equal(ab->disks[0].path, "/dev/sdc");
    host_free(h);
}

static void test_nics_in_order(void **state)
{
    (void)state;
    struct host *h = test_host(WEB1
        "xen.mac_web1=00:16:3e:00:00:01\nxen.macsec_web1=00:16:3e:00:00:02\n"
        "xen.nics_web1=b a\n"
        "xen.nscript_web1_b=vif-openvswitch\nxen.nbridge_web1_b=ovs0\nxen.nvlan_web1_b=12\n"
        "xen.nmtu_web1_b=9000\n"
        "xen.nscript_web1_a=vif-route\nxen.nip_web1_a=10.1.2.3\nxen.nrate_web1_a=5MB/s\n"
        "xen.nvifname_web1_a=w1a\n"
        "xen.bridge_a_b=none\nxen.nics_a_b=x\nxen.nmac_a_b_x=00:16:3e:00:00:03\n");
    const struct guest *g = host_find_guest(h, "web1");
    assert_int_equal(g->nnics, 4);
    assert_int_equal(g->nics[0].seed, 1);
    assert_string_equal(g->nics[0].mac, "00:16:3e:00:00:01");
    assert_int_equal(g->nics[1].seed, 2);
    assert_string_equal(g->nics[1].bridge, "xenbr1");
    assert_string_equal(g->nics[2].item, "b");
    assert_string_equal(g->nics[2].bridge, "ovs0");
    assert_int_equal(g->nics[2].vlan, 12);
    assert_int_equal(g->nics[2].mtu, 9000);
    assert_string_equal(g->nics[2].ip, "");
    assert_string_equal(g->nics[3].item, "a");
    assert_string_equal(g->nics[3].script, "vif-route");
    assert_string_equal(g->nics[3].ip, "10.1.2.3");
    assert_string_equal(g->nics[3].rate, "5MB/s");
    assert_string_equal(g->nics[3].vifname, "w1a");
    assert_int_equal(g->nics[3].vlan, 0);
    char *r = model_nic_mac_resource(g, &g->nics[3]);
    assert_string_equal(r, "nmac_web1_a");
    free(r);
    /* bridge none: no eth0, the list's NIC is the first. */
    const struct guest *ab = host_find_guest(h, "a_b");
    assert_int_equal(ab->nnics, 1);
    assert_string_equal(ab->nics[0].item, "x");
    r = model_nic_mac_resource(ab, &ab->nics[0]);
    assert_string_equal(r, "nmac_a_b_x");
    free(r);
    host_free(h);
}

/* Full names: the guest's tag first, then the item's (a guest tag may
 * hold "_"); derivations kept; defaults filled in. */
static void test_item_lookup(void **state)
{
    (void)state;
    struct host *h = test_host(WEB1
        "xen.disks_web1=d1\nxen.dsize_web1_d1=7\n#xen.dsize_web1_d1=site.h:3\n"
        "xen.disks_a_b=d1\nxen.dsize_a_b_d1=9\n");
    const struct guest *g = NULL;
    const char *d = NULL;
    assert_string_equal(host_lookup(h, "dsize_web1_d1", &d, &g), "7");
    assert_string_equal(d, "site.h:3");
    assert_string_equal(g->tag, "web1");
    assert_string_equal(host_lookup(h, "dsize_a_b_d1", &d, &g), "9");
    assert_string_equal(d, "");
    assert_string_equal(g->tag, "a_b");
    assert_string_equal(host_lookup(h, "dtype_a_b_d1", NULL, NULL), "image");
    assert_string_equal(host_lookup(h, "daccess_web1_d1", NULL, NULL), "rw");
    assert_null(host_lookup(h, "dsize_d1_web1", NULL, NULL));
    assert_null(host_lookup(h, "dsize_web1_d2", NULL, NULL));
    assert_null(host_lookup(h, "nmac_web1_d1", NULL, NULL));
    assert_string_equal(model_item_value(g, SL_disks, "d1", IF_dsize), "9");
    assert_string_equal(model_item_value(g, SL_disks, "zz", IF_dsize), "");
    host_free(h);
}

/* A bad item tag is reported once: its resources are not "not in the
 * list" as well; a resource for an item not listed is. */
static void test_bad_items_reported_once(void **state)
{
    (void)state;
    struct errlist errs = { 0 };
    assert_null(test_host_build(WEB1 "xen.disks_web1=a_x d1\nxen.dsize_web1_a_x=1\nxen.dsize_web1_d1=1\n"
                           "xen.nmac_web1_n9=00:16:3e:00:00:09\nxen.nmtu_web9_n1=1500\n", &errs));
    assert_int_equal(errs.n, 3);
    assert_string_equal(errs.v[0], "guest 'web1': resource disks_web1: 'a_x' is not an item tag "
                                   "(1-32 letters and digits; no _)");
    assert_string_equal(errs.v[1], "resource nmac_web1_n9: item 'n9' is not in nics_web1");
    assert_string_equal(errs.v[2], "resource nmtu_web9_n1: guest 'web9' is not in virtualmachines");
    errlist_free(&errs);
    /* Unique across the host: MACs and backend names of list NICs. */
    assert_null(test_host_build(WEB1 "xen.mac_web1=00:16:3e:00:00:01\nxen.nics_a_b=n\n"
                           "xen.nmac_a_b_n=00:16:3E:00:00:01\nxen.nics_web1=v\n"
                           "xen.nvifname_web1_v=vif9\nxen.nvifname_a_b_n=vif9\n", &errs));
    assert_int_equal(errs.n, 2);
    assert_string_equal(errs.v[0], "guest 'a_b': resource nmac_a_b_n: '00:16:3E:00:00:01' is "
                                   "already used by guest 'web1'");
    assert_string_equal(errs.v[1], "guest 'a_b': resource nvifname_a_b_n: 'vif9' is already used "
                                   "by guest 'web1'");
    errlist_free(&errs);
}

/* The status text holds each item's resources after its guest's (its
 * list's fields, in schema order, defaults included); read back it builds
 * the same text. */
static void test_status_round_trip(void **state)
{
    (void)state;
    struct host *h = test_host(WEB1
        "xen.disks_web1=d1\nxen.dsize_web1_d1=7\n#xen.dsize_web1_d1=site.h:3\n"
        "xen.nics_web1=n1\nxen.nrate_web1_n1=1Mb/s\n");
    char *text = host_format_status(h);
    char *want = xasprintf("xen.disks_web1=d1\n%%xen.disks_web1=%s\n", schema_guest[GF_disks].ltype);
    assert_non_null(strstr(text, want));
    free(want);
    assert_non_null(strstr(text, "\nxen.dsize_web1_d1=7\n#xen.dsize_web1_d1=site.h:3\n"
                                 "xen.dtype_web1_d1=image\nxen.dformat_web1_d1=raw\n"));
    assert_non_null(strstr(text, "\nxen.daccess_web1_d1=rw\nxen.nmac_web1_n1=\n"
                                 "xen.nbridge_web1_n1=xenbr0\n"));
    assert_non_null(strstr(text, "\nxen.nrate_web1_n1=1Mb/s\n"));
    size_t values = 0;
    for (const char *p = text; *p; p = strchr(p, '\n') + 1)
        values += *p != '%' && *p != '#';
    size_t nd = (size_t)schema_sublist[SL_disks].count, nn = (size_t)schema_sublist[SL_nics].count;
    assert_int_equal(values, HF_COUNT + 2 * GF_COUNT + nd + nn);
    struct host *again = test_host(text);
    char *text2 = host_format_status(again);
    assert_string_equal(text, text2);
    free(text);
    free(text2);
    host_free(again);
    host_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_item_names_read_one_way),
        cmocka_unit_test(test_disks_in_order_with_vdevs),
        cmocka_unit_test(test_nics_in_order),
        cmocka_unit_test(test_item_lookup),
        cmocka_unit_test(test_bad_items_reported_once),
        cmocka_unit_test(test_status_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
