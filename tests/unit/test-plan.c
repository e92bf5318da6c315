/* test-plan.c: the planner's rules (src/plan.c), which configure, status
 * and run share: a running domain's memory and vcpus against its guest's,
 * and what becomes of a renamed guest's disk. Pure functions: no files,
 * no hypervisor. */
#include "testutil.h"

#include "methods_impl.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory),
        cmocka_unit_test(test_vcpus),
        cmocka_unit_test(test_pending_agrees),
        cmocka_unit_test(test_disk_follow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
