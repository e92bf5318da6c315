/* test-span.c: the spanning map as a subscriber receives it (src/span.c):
 * the per-node words, the map's resources, and the look-ups. */
#include "testutil.h"

#include "model.h"
#include "resources.h"
#include "span.h"
#include "util.h"

#define U1 "6f1c4b52-8d0e-4c3a-9a57-1f2e3d4c5b6a"
#define U2 "1b2c3d4e-5f60-4172-8394-a5b6c7d8e9f0"

static void test_parse_words(void **state)
{
    (void)state;
    struct span_map m = { 0 };
    char *err = NULL;
    assert_true(span_parse(&m, "alpha", "alpha.example.org",
                           "web1/" U1 "/00:16:3e:00:00:01,00:16:3e:00:01:01/web db1/" U2 "//",
                           &err));
    assert_null(err);
    assert_int_equal(m.n, 2);
    assert_string_equal(m.v[0].node, "alpha");
    assert_string_equal(m.v[0].host, "alpha.example.org");
    assert_string_equal(m.v[0].guest, "web1");
    assert_string_equal(m.v[0].uuid, U1);
    assert_int_equal(m.v[0].nmacs, 2);
    assert_string_equal(m.v[0].macs[1], "00:16:3e:00:01:01");
    assert_string_equal(m.v[0].group, "web");
    assert_string_equal(m.v[1].guest, "db1");
    assert_int_equal(m.v[1].nmacs, 0);
    assert_string_equal(m.v[1].group, "");
    /* A node that published no host name is known by its tag. */
    assert_true(span_parse(&m, "beta", "", "", &err));
    assert_true(span_parse(&m, "beta", "", "x/" U2 "//", &err));
    assert_string_equal(m.v[2].host, "beta");
    free(m.v);
    arena_free(&m.strings);
}

static void test_parse_bad_words(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "web1",                                   /* no fields */
        "web1/" U1 "/",                           /* three fields */
        "web1/" U1 "///",                         /* five */
        "web1/not-a-uuid//",                      /* UUID */
        "web1/" U1 "/00:16:3e:00:00/",            /* MAC */
        "web1/" U1 "/00:16:3e:00:00:01,,/",       /* an empty MAC */
        "web1/" U1 "/,00:16:3e:00:00:01/",        /* an empty MAC */
        "web1/" U1 "/a,b,c/",                     /* MACs */
        "web1/" U1 "//web-1",                     /* group: a tag */
        "-x/" U1 "//",                            /* name */
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        struct span_map m = { 0 };
        char *err = NULL;
        assert_false(span_parse(&m, "n", "h", bad[i], &err));
        char *want = xasprintf("'%s' is not NAME/UUID/MAC[,MAC]/GROUP", bad[i]);
        assert_string_equal(err, want);
        assert_int_equal(m.n, 0);
        free(want);
        free(err);
        free(m.v);
        arena_free(&m.strings);
    }
}

static struct span_map *three_hosts(struct errlist *errs)
{
    struct resset *rs = resset_new();
    resset_set(rs, "spanhost_alpha", "alpha", NULL);
    resset_set(rs, "spanguests_alpha", "web1/" U1 "/00:16:3e:00:00:01/web", NULL);
    resset_set(rs, "spanhost_2beta", "2beta", NULL);
    resset_set(rs, "spanguests_2beta", "web2/" U2 "/00:16:3e:00:00:02/web", NULL);
    resset_set(rs, "spanguests_gamma", "web3/" U2 "/00:16:3E:00:00:03/web", NULL);
    struct span_map *m = span_read("alpha 2beta gamma", rs, errs);
    resset_free(rs);
    return m;
}

static void test_read_and_find(void **state)
{
    (void)state;
    struct errlist errs = { 0 };
    struct span_map *m = three_hosts(&errs);
    assert_int_equal(errs.n, 0);
    assert_int_equal(m->n, 3);
    /* UUID -> host, any case, this host's own entries left out. */
    const struct span_entry *e = span_find_uuid(m, "6F1C4B52-8D0E-4C3A-9A57-1F2E3D4C5B6A", "beta");
    assert_non_null(e);
    assert_string_equal(e->host, "alpha");
    assert_null(span_find_uuid(m, U1, "alpha"));
    e = span_find_uuid(m, U2, "2beta");
    assert_non_null(e);
    assert_string_equal(e->host, "gamma");
    /* MAC -> host. */
    e = span_find_mac(m, "00:16:3e:00:00:03", "alpha");
    assert_non_null(e);
    assert_string_equal(e->guest, "web3");
    assert_null(span_find_mac(m, "00:16:3e:00:00:09", "alpha"));
    /* group -> hosts. */
    char *hosts = span_group_hosts(m, "web");
    assert_string_equal(hosts, "alpha 2beta gamma");
    free(hosts);
    hosts = span_group_hosts(m, "db");
    assert_string_equal(hosts, "");
    free(hosts);
    span_free(m);
    errlist_free(&errs);
}

static void test_read_errors(void **state)
{
    (void)state;
    struct errlist errs = { 0 };
    struct resset *rs = resset_new();
    resset_set(rs, "spanguests_a", "web1:" U1, NULL);
    struct span_map *m = span_read("a b-c", rs, &errs);
    assert_int_equal(errs.n, 2);
    assert_string_equal(errs.v[0], "resource spanguests_a (spanning map, node a): 'web1:" U1
                                   "' is not NAME/UUID/MAC[,MAC]/GROUP");
    assert_string_equal(errs.v[1], "resource spannodes: 'b-c' is not a valid LCFG tag (letters, "
                                   "digits and _)");
    span_free(m);
    resset_free(rs);
    errlist_free(&errs);
}

static void test_map_resources(void **state)
{
    (void)state;
    assert_true(span_is_map_resource("alpha 2beta", "spanhost_alpha"));
    assert_true(span_is_map_resource("alpha 2beta", "spanguests_2beta"));
    assert_false(span_is_map_resource("alpha 2beta", "spanguests_beta"));
    assert_false(span_is_map_resource("alpha 2beta", "spanguests_alph"));
    assert_false(span_is_map_resource("alpha", "spanguests_"));
    assert_false(span_is_map_resource("alpha", "spanhost"));
    assert_false(span_is_map_resource("", "spanhost_alpha"));
    assert_false(span_is_map_resource("alpha", "memory_alpha"));
}

/* The map through the model: onmove's detection. */
static void test_moved_to(void **state)
{
    (void)state;
    struct resset *rs = resset_new();
    resset_set(rs, "virtualmachines", "g1", NULL);
    resset_set(rs, "uuid_g1", U1, NULL);
    resset_set(rs, "memory_g1", "128", NULL);
    resset_set(rs, "disktype_g1", "none", NULL);
    resset_set(rs, "spanhost", "alpha", NULL);
    resset_set(rs, "spannodes", "alpha beta", NULL);
    resset_set(rs, "spanguests_alpha", "g1/" U1 "//", NULL);
    resset_set(rs, "spanguests_beta", "g2/" U2 "//", NULL);
    struct errlist errs = { 0 };
    struct host *h = model_build(rs, &errs);
    assert_int_equal(errs.n, 0);
    assert_non_null(h);
    assert_string_equal(span_self(h), "alpha");
    assert_string_equal(span_moved_to(h, U2), "beta");
    assert_null(span_moved_to(h, U1));
    assert_null(span_moved_to(h, "00000000-1111-4222-8333-444444444444"));
    host_free(h);
    resset_free(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_words),
        cmocka_unit_test(test_parse_bad_words),
        cmocka_unit_test(test_read_and_find),
        cmocka_unit_test(test_read_errors),
        cmocka_unit_test(test_map_resources),
        cmocka_unit_test(test_moved_to),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
