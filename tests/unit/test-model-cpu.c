/* test-model-cpu.c: CPU lists (src/cpulist.c) and what the model makes of
 * firmware, boot order, placement and the host's CPU pools
 * (src/model_cpu.c, the cpupools tag list in src/model.c). The messages
 * of refused values are tested by the 63-cpu scenario. */
#include "testutil.h"
#include "testmodel.h"

#include "cpulist.h"
#include "model.h"
#include "profile.h"
#include "util.h"

static void test_cpulist_parse_and_format(void **state)
{
    (void)state;
    struct cpuset s;
    assert_null(cpulist_parse("0-3,6", true, &s));
    char *t = cpulist_format(&s, 8);
    assert_string_equal(t, "0-3,6");
    free(t);
    assert_null(cpulist_parse("all,^0", true, &s));
    t = cpulist_format(&s, 4);
    assert_string_equal(t, "1-3");
    free(t);
    assert_null(cpulist_parse("all", true, &s));
    t = cpulist_format(&s, 4);
    assert_string_equal(t, "all");
    free(t);
    assert_null(cpulist_parse("1-6,^2-3,5", true, &s));
    t = cpulist_format(&s, 16);
    assert_string_equal(t, "1,4-6");
    free(t);
    assert_null(cpulist_parse("1023", false, &s));
    assert_true(cpuset_has(&s, 1023));
    memset(&s, 0, sizeof(s));
    t = cpulist_format(&s, 8);
    assert_string_equal(t, "none");
    free(t);

    static const char *const bad[] = { "", "-1", "01", "1-", "1,,2", "1 2", "a", "0x1",
                                       "1024", "2-1", "^1", "1,^1", "all,", ",1" };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
        assert_non_null(cpulist_parse(bad[i], true, &s));
    assert_string_equal(cpulist_parse("all", false, &s),
                        "is not a CPU list here (no \"all\": name the CPUs, 2-3,6)");
    assert_string_equal(cpulist_parse("1-3,^2", false, &s),
                        "is not a CPU list here (no ^ items: name the CPUs)");

    struct cpuset a, b;
    assert_null(cpulist_parse("2-3", true, &a));
    assert_null(cpulist_parse("1-4", true, &b));
    assert_true(cpuset_subset(&a, &b));
    assert_false(cpuset_subset(&b, &a));
    unsigned c = 99;
    assert_true(cpuset_overlap(&a, &b, &c));
    assert_int_equal(c, 2);
}

static const char host_text[] =
    "xen.cpupools=batch rt\n"
    "xen.cpupoolcpus_batch=2-3\n"
    "#xen.cpupoolcpus_batch=pools.h:3\n"
    "xen.cpupoolcpus_rt=4\n"
    "xen.cpupoolsched_rt=credit\n"
    "xen.virtualmachines=web pvh\n"
    "xen.uuid_web=00000001-1111-4222-8333-444444444444\n"
    "xen.memory_web=512\n"
    "xen.disktype_web=none\n"
    "xen.vcpus_web=2\n"
    "xen.cpus_web=3\n"
    "xen.weight_web=512\n"
    "xen.cap_web=150\n"
    "xen.cpupool_web=batch\n"
    "xen.uuid_pvh=00000002-1111-4222-8333-444444444444\n"
    "xen.memory_pvh=512\n"
    "xen.disk_pvh=1\n"
    "xen.type_pvh=pvh\n"
    "xen.firmware_pvh=pvh-grub\n"
    "xen.grubxendir=/opt/grub/\n";

static void test_pools_and_placement(void **state)
{
    (void)state;
    struct errlist errs = { 0 };
    struct host *h = test_host_build(host_text, &errs);
    if (!h)
        fail_msg("%s", errs.v[0]);
    assert_int_equal(h->npools, 2);
    assert_string_equal(h->pools[0].name, "batch");
    assert_string_equal(h->pools[0].cpus, "2-3");
    assert_string_equal(h->pools[0].sched, "credit2"); /* the default */
    assert_string_equal(h->pools[1].name, "rt");
    assert_string_equal(h->pools[1].sched, "credit");

    const struct guest *g = host_find_guest(h, "web");
    assert_true(g->cpu_placed);
    assert_string_equal(g->cpus, "3");
    assert_int_equal(g->weight, 512);
    assert_int_equal(g->cap, 150);
    assert_string_equal(guest_pool(g), "batch");
    assert_int_equal(g->firmware, FW_NONE);

    const struct guest *p = host_find_guest(h, "pvh");
    assert_false(p->cpu_placed);
    assert_string_equal(guest_pool(p), "Pool-0");
    assert_int_equal(p->firmware, FW_PVHGRUB);
    assert_string_equal(p->firmware_kernel, "/opt/grub/grub-i386-xen_pvh.bin");

    /* The pools' resources by name, with their derivation. */
    const char *d = NULL;
    assert_string_equal(host_lookup(h, "cpupoolcpus_batch", &d, NULL), "2-3");
    assert_string_equal(d, "pools.h:3");
    assert_string_equal(host_lookup(h, "cpupoolsched_batch", NULL, NULL), "credit2");

    /* The status text has them after the host's, before the guests'. */
    char *text = host_format_status(h);
    assert_non_null(strstr(text, "\nxen.cpupools=batch rt\n%xen.cpupools=list: cpupoolcpus_$ "
                                 "cpupoolsched_$\n"));
    const char *items = strstr(text, "\nxen.cpupoolcpus_batch=2-3\n"
                                     "#xen.cpupoolcpus_batch=pools.h:3\n"
                                     "xen.cpupoolsched_batch=credit2\n"
                                     "xen.cpupoolcpus_rt=4\nxen.cpupoolsched_rt=credit\n");
    assert_non_null(items);
    assert_true(items < strstr(text, "\nxen.name_web="));
    /* Read back, it builds the same model and writes the same text. */
    struct host *h2 = test_host_build(text, &errs);
    if (!h2)
        fail_msg("%s", errs.v[0]);
    char *text2 = host_format_status(h2);
    assert_string_equal(text, text2);
    free(text);
    free(text2);
    host_free(h2);
    host_free(h);
}

/* An item of a pool not listed is no resource; a pool listed twice. */
static void test_pool_resources_of_unlisted_pools(void **state)
{
    (void)state;
    struct errlist errs = { 0 };
    struct host *h = test_host_build("xen.cpupools=a a\nxen.cpupoolcpus_a=1\nxen.cpupoolcpus_b=2\n", &errs);
    assert_null(h);
    assert_int_equal(errs.n, 2);
    assert_string_equal(errs.v[0], "resource cpupools: 'a' is listed twice");
    assert_string_equal(errs.v[1],
                        "resource cpupoolcpus_b: not a resource of the xen component (schema 1)");
    errlist_free(&errs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cpulist_parse_and_format),
        cmocka_unit_test(test_pools_and_placement),
        cmocka_unit_test(test_pool_resources_of_unlisted_pools),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
