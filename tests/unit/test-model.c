/* test-model.c: how the model reads resource names and gives them back
 * (src/model.c): FIELD_TAG names read from the input, looked up by full
 * name, and written as status text. Validation itself is tested by the
 * 20-validate scenario. */
#include "testutil.h"
#include "testmodel.h"

#include "model.h"
#include "profile.h"
#include "util.h"

/* The model reads FIELD_TAG by splitting at an underscore: that is only
 * unambiguous while no guest field is another's name, "_" and more, and no
 * host resource (nor ngeneric's ng_ prefix) reads as a guest field's. */
static void test_schema_names_read_one_way(void **state)
{
    (void)state;
    for (size_t a = 0; a < GF_COUNT; a++) {
        const char *na = schema_guest[a].name;
        assert_string_not_equal(na, "ng");
        for (size_t b = 0; b < GF_COUNT; b++) {
            size_t nb = strlen(schema_guest[b].name);
            if (a != b && !strncmp(na, schema_guest[b].name, nb) && na[nb] == '_')
                fail_msg("guest field %s reads as %s_...", na, schema_guest[b].name);
        }
        for (size_t f = 0; f < HF_COUNT; f++) {
            size_t n = strlen(na);
            if (!strncmp(schema_host[f].name, na, n) && schema_host[f].name[n] == '_')
                fail_msg("host resource %s reads as %s_...", schema_host[f].name, na);
        }
    }
}

static const char *const two_guests =
    "xen.virtualmachines=web a_b\n"
    "xen.uuid_web=00000001-1111-4222-8333-444444444444\n"
    "xen.memory_web=512\n"
    "xen.boot_web=TRUE\n"
    "xen.disktype_web=none\n"
    "xen.uuid_a_b=00000002-1111-4222-8333-444444444444\n"
    "xen.memory_a_b=256\n"
    "xen.disktype_a_b=none\n"
    "xen.ng_cfg=x\n";

static void test_full_names_are_found(void **state)
{
    (void)state;
    struct errlist errs = { 0 };
    struct host *h = test_host_build(two_guests, &errs);
    if (!h)
        fail_msg("%s", errs.v[0]);
    const struct guest *g = NULL;
    const char *d = NULL;
    assert_string_equal(host_lookup(h, "memory_web", &d, &g), "512");
    assert_string_equal(d, "");
    assert_string_equal(g->tag, "web");
    /* A tag with an underscore: the field is the part before the first
     * underscore that names one. */
    assert_string_equal(host_lookup(h, "memory_a_b", NULL, &g), "256");
    assert_string_equal(g->tag, "a_b");
    /* Booleans canonical, defaults filled in. */
    assert_string_equal(host_lookup(h, "boot_web", NULL, NULL), "yes");
    assert_string_equal(host_lookup(h, "type_a_b", NULL, NULL), "pv");
    /* ngeneric's and the host's, by their own names. */
    assert_string_equal(host_lookup(h, "ng_cfg", NULL, &g), "x");
    assert_null(g);
    assert_string_equal(host_lookup(h, "format", NULL, NULL), "xl");
    /* Nothing of the kind. */
    assert_null(host_lookup(h, "memory_nobody", NULL, NULL));
    assert_null(host_lookup(h, "memory", NULL, NULL));
    assert_null(host_lookup(h, "colour_web", NULL, NULL));
    assert_null(host_lookup(h, "memory_", NULL, NULL));
    host_free(h);
    errlist_free(&errs);
}

static void test_derivations_are_kept(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    buf_adds(&b, two_guests);
    buf_adds(&b, "#xen.memory_web=site.h:12\n");
    struct errlist errs = { 0 };
    struct host *h = test_host_build(buf_str(&b), &errs);
    if (!h)
        fail_msg("%s", errs.v[0]);
    const char *d = NULL;
    assert_string_equal(host_lookup(h, "memory_web", &d, NULL), "512");
    assert_string_equal(d, "site.h:12");
    assert_string_equal(host_lookup(h, "memory_a_b", &d, NULL), "256");
    assert_string_equal(d, "");
    host_free(h);
    errlist_free(&errs);
    buf_free(&b);
}

/* Unknown names: a guest that is not listed, and not a resource at all. */
static void test_unknown_names_are_errors(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    buf_adds(&b, two_guests);
    buf_adds(&b, "xen.memory_gone=1\nxen.colour_web=red\n");
    struct errlist errs = { 0 };
    assert_null(test_host_build(buf_str(&b), &errs));
    assert_int_equal(errs.n, 2);
    assert_string_equal(errs.v[0], "resource memory_gone: guest 'gone' is not in virtualmachines");
    assert_string_equal(errs.v[1],
                        "resource colour_web: not a resource of the xen component (schema 1)");
    errlist_free(&errs);
    buf_free(&b);
}

/* The status text: ngeneric's and the host's first, then each guest's
 * fields in schema order, defaults included, each value with its type
 * (from the schema; ngeneric's as it came) and derivation lines as
 * lcfg-core writes them; read back, it builds the same model and writes
 * the same text. */
static void test_status_text_round_trips(void **state)
{
    (void)state;
    struct errlist errs = { 0 };
    struct buf in = BUF_INIT;
    buf_adds(&in, two_guests);
    buf_adds(&in, "xen.ng_cfg=3\n%xen.ng_cfg=integer(cfg)\n#xen.memory_web=g.h:9,2 g.h:2\n");
    struct host *h = test_host_build(buf_str(&in), &errs);
    if (!h)
        fail_msg("%s", errs.v[0]);
    char *text = host_format_status(h);
    assert_true(str_starts_with(text, "xen.ng_cfg=3\n%xen.ng_cfg=integer(cfg)\n"
                                      "xen.configdir=/etc/xen\n"));
    /* vcpus and bootorder are saved as the input gave them (empty): the
     * model fills them (model_groups.c). */
    char *web = xasprintf("xen.virtualmachines=web a_b\n%%xen.virtualmachines=list: %s\n"
                          "xen.groups=\n"
                          "xen.name_web=\nxen.uuid_web=00000001-1111-4222-8333-444444444444\n"
                          "xen.type_web=pv\nxen.maxmem_web=\nxen.memory_web=512\n"
                          "#xen.memory_web=g.h:2,9\nxen.vcpus_web=\nxen.maxvcpus_web=\n",
                          schema_host[HF_virtualmachines].ltype + strlen("list: "));
    assert_non_null(strstr(text, web));
    assert_non_null(strstr(text, "\nxen.memory_a_b=256\n"));
    assert_non_null(strstr(text, "\nxen.boot_web=yes\n%xen.boot_web=boolean\n"));
    assert_non_null(strstr(text, "\nxen.boot_a_b=\nxen.bootorder_a_b=\nxen.restart_a_b=\n"));
    assert_non_null(strstr(text, "\nxen.xltimeout=60\n%xen.xltimeout=integer\n"));
    size_t values = 0;
    for (const char *p = text; *p; p = strchr(p, '\n') + 1)
        values += *p != '%' && *p != '#';
    assert_int_equal(values, 1 + HF_COUNT + 2 * GF_COUNT);
    struct host *again = test_host_build(text, &errs);
    assert_non_null(again);
    char *text2 = host_format_status(again);
    assert_string_equal(text2, text);
    free(text2);
    host_free(again);
    free(web);
    free(text);
    host_free(h);
    errlist_free(&errs);
    buf_free(&in);
}

/* Values that would break a line are encoded as lcfg-core encodes them. */
static void test_status_text_encodes_values(void **state)
{
    (void)state;
    struct resset *rs = resset_new();
    resset_set(rs, "a", "x&y\nz\r", NULL);
    resset_set(rs, "b", "", NULL);
    char *text = profile_format_status(rs);
    assert_string_equal(text, "xen.a=x&#x26;y&#xA;z&#xD;\nxen.b=\n");
    free(text);
    resset_free(rs);
    rs = resset_new();
    text = profile_format_status(rs);
    assert_string_equal(text, "");
    free(text);
    resset_free(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_names_read_one_way),
        cmocka_unit_test(test_full_names_are_found),
        cmocka_unit_test(test_derivations_are_kept),
        cmocka_unit_test(test_unknown_names_are_errors),
        cmocka_unit_test(test_status_text_round_trips),
        cmocka_unit_test(test_status_text_encodes_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
