/* test-groups.c: groups of guests (src/model_groups.c): a member's empty
 * fields take its group's defaults, else the built-in ones; its own values
 * win; the status text keeps the input; the checks of the groups and of
 * the group a guest names; @GROUP's members in boot order. */
#include "testutil.h"
#include "testmodel.h"

#include "model.h"
#include "profile.h"
#include "util.h"

/* The errors of a profile the model refuses, one a line. */
static char *errors_of(const char *text)
{
    struct errlist errs = { 0 };
    struct host *h = test_host_build(text, &errs);
    assert_null(h);
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < errs.n; i++)
        buf_addf(&b, "%s\n", errs.v[i]);
    errlist_free(&errs);
    return buf_detach(&b);
}

#define GUEST(t, n) \
    "xen.uuid_" t "=0000000" n "-1111-4222-8333-444444444444\nxen.disktype_" t "=none\n"

/* A group with every default, a member taking them all, one overriding
 * them all, one of no group. */
static const char *const cluster =
    "xen.groups=hpc\n"
    "xen.groupmemory_hpc=512\n#xen.groupmemory_hpc=site/hpc.h:3\n"
    "xen.groupmaxmem_hpc=1024\n"
    "xen.groupvcpus_hpc=4\n"
    "xen.groupdisk_hpc=4\n"
    "xen.grouptemplate_hpc=hpc.tmpl\n"
    "xen.groupbridge_hpc=xenbr1\n"
    "xen.groupbootorder_hpc=20\n"
    "xen.virtualmachines=n1 n2 lone\n"
    GUEST("n1", "1") "xen.group_n1=hpc\n"
    GUEST("n2", "2") "xen.group_n2=hpc\nxen.memory_n2=2048\nxen.maxmem_n2=4096\n"
    "xen.vcpus_n2=1\nxen.template_n2=own.tmpl\nxen.bridge_n2=xenbr2\nxen.bootorder_n2=0\n"
    GUEST("lone", "3") "xen.memory_lone=256\n";

static void test_members_take_the_groups_defaults(void **state)
{
    (void)state;
    struct host *h = test_host(cluster);
    const struct guest *n1 = host_find_guest(h, "n1"), *n2 = host_find_guest(h, "n2"),
                       *lone = host_find_guest(h, "lone");
    assert_non_null(n1->group);
    assert_string_equal(n1->group->tag, "hpc");
    assert_int_equal(n1->memory, 512);
    assert_int_equal(n1->maxmem, 1024);
    assert_int_equal(n1->vcpus, 4);
    assert_int_equal(n1->boot_order, 20);
    assert_string_equal(n1->res[GF_template], "hpc.tmpl");
    assert_string_equal(n1->nics[0].bridge, "xenbr1");
    /* Where each value came from: the group's resource. */
    assert_string_equal(n1->deriv[GF_memory], "site/hpc.h:3");
    assert_ptr_equal(guest_inherits(n1, GF_memory), n1->group);
    assert_ptr_equal(guest_inherits(n1, GF_bridge), n1->group);
    assert_null(guest_inherits(n1, GF_mac));
    /* The member's own values win. */
    assert_int_equal(n2->memory, 2048);
    assert_int_equal(n2->maxmem, 4096);
    assert_int_equal(n2->vcpus, 1);
    assert_int_equal(n2->boot_order, 0);
    assert_string_equal(n2->res[GF_template], "own.tmpl");
    assert_string_equal(n2->nics[0].bridge, "xenbr2");
    assert_null(guest_inherits(n2, GF_memory));
    assert_null(guest_inherits(n2, GF_vcpus));
    /* No group: the built-in defaults. */
    assert_null(lone->group);
    assert_int_equal(lone->vcpus, 1);
    assert_int_equal(lone->boot_order, 0);
    assert_string_equal(lone->res[GF_vcpus], "1");
    assert_string_equal(lone->res[GF_bootorder], "0");
    assert_string_equal(lone->nics[0].bridge, "xenbr0");
    assert_string_equal(lone->res[GF_template], "");
    assert_null(guest_inherits(lone, GF_vcpus));
    /* A full name is its effective value. */
    assert_string_equal(host_lookup(h, "vcpus_n1", NULL, NULL), "4");
    assert_string_equal(host_lookup(h, "groupvcpus_hpc", NULL, NULL), "4");
    host_free(h);
}

/* The status text keeps what the input said (a member's empty fields stay
 * empty), with the groups' resources after the host's; read back, it
 * makes the same model and the same text. */
static void test_status_keeps_the_input(void **state)
{
    (void)state;
    struct host *h = test_host(cluster);
    char *text = host_format_status(h);
    assert_non_null(strstr(text, "\nxen.groups=hpc\n%xen.groups=list: groupmemory_$ "));
    assert_non_null(strstr(text, "\nxen.groupmemory_hpc=512\n#xen.groupmemory_hpc=site/hpc.h:3\n"
                                 "xen.groupmaxmem_hpc=1024\nxen.groupvcpus_hpc=4\n"));
    assert_non_null(strstr(text, "\nxen.memory_n1=\nxen.vcpus_n1=\nxen.maxvcpus_n1=\n"));
    assert_non_null(strstr(text, "\nxen.maxmem_n1=\n"));
    assert_non_null(strstr(text, "\nxen.bridge_n1=\nxen.script_n1=vif-bridge\n"));
    assert_non_null(strstr(text, "\nxen.bootorder_n1=\n"));
    assert_non_null(strstr(text, "\nxen.template_n1=\n"));
    assert_non_null(strstr(text, "\nxen.vcpus_n2=1\n"));
    assert_non_null(strstr(text, "\nxen.vcpus_lone=\n"));
    struct host *again = test_host(text);
    assert_int_equal(host_find_guest(again, "n1")->vcpus, 4);
    char *text2 = host_format_status(again);
    assert_string_equal(text2, text);
    free(text2);
    free(text);
    host_free(again);
    host_free(h);
}

/* A guest naming a group: one of groups', or (groups set) refused; one
 * named only by antiaffinity stays valid, as does any without groups. */
static void test_a_guests_group_must_be_known(void **state)
{
    (void)state;
    char *e = errors_of("xen.groups=hpc db\nxen.virtualmachines=a b\n" GUEST("a", "1")
                        "xen.memory_a=64\nxen.group_a=hcp\n" GUEST("b", "2")
                        "xen.memory_b=64\nxen.group_b=db\n");
    assert_string_equal(e, "guest 'a': resource group_a: 'hcp' is not a group of xen.groups "
                           "(nor of xen.antiaffinity)\n");
    free(e);
    struct host *h = test_host("xen.groups=hpc\nxen.antiaffinity=spread\nxen.virtualmachines=a\n"
                              GUEST("a", "1") "xen.memory_a=64\nxen.group_a=spread\n");
    assert_null(host_find_guest(h, "a")->group);
    host_free(h);
    h = test_host("xen.virtualmachines=a\n" GUEST("a", "1") "xen.memory_a=64\nxen.group_a=any\n");
    assert_null(host_find_guest(h, "a")->group);
    host_free(h);
    /* No memory of its own and none from the group: the guest's error. */
    e = errors_of("xen.groups=hpc\nxen.virtualmachines=a\n" GUEST("a", "1") "xen.group_a=hpc\n");
    assert_string_equal(e, "guest 'a': resource memory_a: missing (an integer in MB is required)\n");
    free(e);
    /* The group's disk size is for a member's image or lvm disk only. */
    h = test_host("xen.groups=hpc\nxen.groupdisk_hpc=8\nxen.groupmemory_hpc=64\n"
                 "xen.virtualmachines=a b c\n" GUEST("a", "1") "xen.group_a=hpc\n"
                 "xen.uuid_b=00000002-1111-4222-8333-444444444444\nxen.group_b=hpc\n"
                 "xen.uuid_c=00000003-1111-4222-8333-444444444444\nxen.group_c=hpc\n"
                 "xen.disktype_c=physical\nxen.diskdev_c=/dev/sdc\n");
    assert_int_equal(host_find_guest(h, "a")->disks[0].type, DISK_NONE);
    assert_string_equal(host_find_guest(h, "a")->res[GF_disk], "");
    assert_int_equal(host_find_guest(h, "b")->disks[0].size_gb, 8);
    assert_string_equal(host_find_guest(h, "b")->disks[0].path, "/var/lib/xen/images/b.img");
    assert_string_equal(host_find_guest(h, "c")->res[GF_disk], "");
    host_free(h);
    /* The group's maxmem is the member's ceiling. */
    e = errors_of("xen.groups=hpc\nxen.groupmaxmem_hpc=512\nxen.virtualmachines=a\n" GUEST("a", "1")
                  "xen.group_a=hpc\nxen.memory_a=1024\n");
    assert_string_equal(e, "guest 'a': resource memory_a: '1024' is more than maxmem_a (512 MB)\n");
    free(e);
}

/* The groups' own values: each refusal names the group, its resource and
 * the value (escaped); a refused value is not handed to the members. */
static void test_group_values_are_checked(void **state)
{
    (void)state;
    char *e = errors_of("xen.groups=g\nxen.groupmemory_g=lots\nxen.groupmaxmem_g=8\n"
                        "xen.groupvcpus_g=0\nxen.groupdisk_g=0\nxen.grouptemplate_g=../x\n"
                        "xen.groupbridge_g=br&#x1B;[0m&#xA;x\nxen.groupbootorder_g=1000\n"
                        "xen.virtualmachines=a\n" GUEST("a", "1") "xen.group_a=g\n"
                        "xen.memory_a=64\n");
    assert_string_equal(e,
        "group 'g': resource groupmemory_g: 'lots' is not a whole number\n"
        "group 'g': resource groupmaxmem_g: '8' is out of range (16-16777216 MB)\n"
        "group 'g': resource groupvcpus_g: '0' is out of range (1-512 vcpus)\n"
        "group 'g': resource groupdisk_g: '0' is out of range (1-1048576 GB)\n"
        "group 'g': resource groupbootorder_g: '1000' is out of range (0-999)\n"
        "group 'g': resource grouptemplate_g: '../x' is not a template file name (letters, "
        "digits, _ . -; no '/' or '..')\n"
        "group 'g': resource groupbridge_g: 'br\\x1b[0m\\nx' is not a bridge name (1-15 letters, "
        "digits, _ . -)\n");
    free(e);
    e = errors_of("xen.groups=g\nxen.groupmemory_g=1024\nxen.groupmaxmem_g=512\n"
                  "xen.virtualmachines=\n");
    assert_string_equal(e, "group 'g': resource groupmemory_g: '1024' is more than "
                           "groupmaxmem_g (512 MB)\n");
    free(e);
}

/* The list itself, and resources of groups it does not list. */
static void test_group_list_is_checked(void **state)
{
    (void)state;
    char *e = errors_of("xen.groups=a a b-c\nxen.groupvcpus_z=2\nxen.virtualmachines=\n");
    assert_string_equal(e, "resource groups: 'a' is listed twice\n"
                           "resource groups: 'b-c' is not a valid LCFG tag (letters, digits "
                           "and _)\n"
                           "resource groupvcpus_z: group 'z' is not in groups\n");
    free(e);
    struct host *h = test_host("xen.groups= x  y\nxen.virtualmachines=\n");
    assert_int_equal(h->ngroups, 2);
    assert_string_equal(host_lookup(h, "groups", NULL, NULL), "x y");
    host_free(h);
}

static const char *const ordered =
    "xen.groups=web empty\nxen.groupbootorder_web=5\nxen.virtualmachines=w1 head w2 other\n"
    GUEST("w1", "1") "xen.memory_w1=64\nxen.group_w1=web\n"
    GUEST("head", "2") "xen.memory_head=64\nxen.group_head=web\nxen.bootorder_head=1\n"
    GUEST("w2", "3") "xen.memory_w2=64\nxen.group_w2=web\n"
    GUEST("other", "4") "xen.memory_other=64\n";

/* @GROUP: the members in boot order (rising bootorder, then profile
 * order); a listed group without members; an unknown group; not a tag. */
static void test_group_members_in_boot_order(void **state)
{
    (void)state;
    struct host *h = test_host(ordered);
    const struct guest **m;
    char *err = NULL;
    assert_int_equal(host_group_members(h, "web", &m, &err), 3);
    assert_string_equal(m[0]->tag, "head");
    assert_string_equal(m[1]->tag, "w1");
    assert_string_equal(m[2]->tag, "w2");
    free(m);
    assert_int_equal(host_group_members(h, "empty", &m, &err), 0);
    free(m);
    assert_int_equal(host_group_members(h, "nope", &m, &err), -1);
    assert_null(m);
    assert_string_equal(err, "no group 'nope' in the saved configuration (xen.groups, "
                             "group_<tag>)");
    assert_int_equal(host_group_members(h, "a\nb", &m, &err), -1);
    assert_string_equal(err, "'a\\nb' is not a group name (an LCFG tag: letters, digits and _)");
    assert_int_equal(host_group_members(h, "", &m, &err), -1);
    assert_string_equal(err, "'' is not a group name (an LCFG tag: letters, digits and _)");
    free(err);
    host_free(h);
}

/* A group no guest field, host resource or other group field can be read
 * as (the model reads NAME_TAG by its prefix). */
static void test_group_names_read_one_way(void **state)
{
    (void)state;
    for (size_t a = HL_groupmemory; a <= HL_groupbootorder; a++) {
        const char *na = schema_hlist[a].name;
        size_t n = strlen(na);
        for (size_t f = 0; f < GF_COUNT; f++) {
            const char *g = schema_guest[f].name;
            size_t gl = strlen(g);
            assert_string_not_equal(na, g);
            if (!strncmp(na, g, gl) && na[gl] == '_')
                fail_msg("group field %s reads as %s_...", na, g);
        }
        for (size_t f = 0; f < HF_COUNT; f++)
            if (!strncmp(schema_host[f].name, na, n) && schema_host[f].name[n] == '_')
                fail_msg("host resource %s reads as %s_...", schema_host[f].name, na);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_members_take_the_groups_defaults),
        cmocka_unit_test(test_status_keeps_the_input),
        cmocka_unit_test(test_a_guests_group_must_be_known),
        cmocka_unit_test(test_group_values_are_checked),
        cmocka_unit_test(test_group_list_is_checked),
        cmocka_unit_test(test_group_members_in_boot_order),
        cmocka_unit_test(test_group_names_read_one_way),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
