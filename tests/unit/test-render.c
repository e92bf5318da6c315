/* test-render.c: a guest's config text from its template (src/render.c),
 * and the replay that lets configure leave a file alone: the same
 * questions asked again must give the same digest while their answers are
 * the same, and another digest as soon as one answer differs. */
#include "testutil.h"
#include "testmodel.h"

#include "model.h"
#include "profile.h"
#include "render.h"
#include "resources.h"
#include "util.h"

#define UUID1 "00000001-1111-4222-8333-444444444444"

static const char *const base =
    "xen.templatedir=/tmpl\n"
    "xen.template=t.tmpl\n"
    "xen.virtualmachines=web\n"
    "xen.uuid_web=" UUID1 "\n"
    "xen.memory_web=512\n"
    "xen.disktype_web=none\n";

static void put_template(const char *root, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/tmpl", root);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/tmpl/t.tmpl", root);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static const char *const tmpl =
    "name = \"<%name%>\"\nuuid = \"<%uuid%>\"\nmemory = <%memory%>\nmaxmem = <%maxmem%>\n";

static void test_renders_the_guest(void **state)
{
    const char *root = *state;
    put_template(root, tmpl);
    struct host *h = test_host(base);
    struct render_cache *rc = render_cache_new();
    char *text = NULL, *err = NULL;
    assert_int_equal(render_guest(h, &h->guests[0], root, rc, &text, &err), 0);
    /* maxmem: empty in the profile, derived from memory. */
    assert_string_equal(text, "name = \"web\"\nuuid = \"" UUID1 "\"\nmemory = 512\nmaxmem = 512\n");
    free(text);
    render_cache_free(rc);
    host_free(h);
}

/* Trace a render of base, then replay it against the host that text
 * builds: the digest it gives, and whether the replay could be made. */
static int replay_against(const char *root, const char *text, unsigned long long *traced,
                          unsigned long long *replayed)
{
    struct host *h = test_host(base);
    struct render_cache *rc = render_cache_new();
    char *out = NULL, *err = NULL;
    struct render_trace t = { 0 };
    assert_int_equal(render_guest_traced(h, &h->guests[0], root, rc, &out, &t, &err), 0);
    assert_true(t.usable);
    *traced = t.digest;
    free(out);
    render_cache_free(rc);
    host_free(h);

    h = test_host(text);
    rc = render_cache_new();
    int r = render_replay(h, &h->guests[0], root, rc, t.names, replayed);
    render_cache_free(rc);
    host_free(h);
    render_trace_free(&t);
    return r;
}

static void test_replay_same_inputs_same_digest(void **state)
{
    put_template(*state, tmpl);
    unsigned long long a, b;
    assert_int_equal(replay_against(*state, base, &a, &b), 0);
    assert_true(a == b);
}

static void test_replay_sees_a_changed_answer(void **state)
{
    put_template(*state, tmpl);
    char *text = xasprintf("%sxen.memory_web=768\n", base);
    unsigned long long a, b;
    assert_int_equal(replay_against(*state, text, &a, &b), 0);
    assert_true(a != b);
    free(text);
}

/* maxmem is asked for, and derived from memory: setting it to what it
 * was derived as gives the same answer, and the same digest. */
static void test_replay_compares_answers_not_sources(void **state)
{
    put_template(*state, tmpl);
    char *text = xasprintf("%sxen.maxmem_web=512\n", base);
    unsigned long long a, b;
    assert_int_equal(replay_against(*state, text, &a, &b), 0);
    assert_true(a == b);
    free(text);
}

static void test_replay_ignores_what_was_not_asked(void **state)
{
    put_template(*state, tmpl);
    char *text = xasprintf("%sxen.cmdline_web=console=hvc0\n", base);
    unsigned long long a, b;
    assert_int_equal(replay_against(*state, text, &a, &b), 0);
    assert_true(a == b);
    free(text);
}

/* A new template is another render: its questions start another digest. */
static void test_replay_sees_a_changed_template(void **state)
{
    put_template(*state, tmpl);
    struct host *h = test_host(base);
    struct render_cache *rc = render_cache_new();
    char *out = NULL, *err = NULL;
    struct render_trace t = { 0 };
    assert_int_equal(render_guest_traced(h, &h->guests[0], *state, rc, &out, &t, &err), 0);
    render_cache_free(rc);
    free(out);
    put_template(*state, "# another\nname = \"<%name%>\"\nuuid = \"<%uuid%>\"\n"
                         "memory = <%memory%>\nmaxmem = <%maxmem%>\n");
    rc = render_cache_new();
    unsigned long long d = 0;
    assert_int_equal(render_replay(h, &h->guests[0], *state, rc, t.names, &d), 0);
    assert_true(d != t.digest);
    render_cache_free(rc);
    render_trace_free(&t);
    host_free(h);
}

static void test_template_error_names_guest(void **state)
{
    put_template(*state, "name = \"<%name%>\"\n<%if: <%memory%>%>unclosed\n");
    struct host *h = test_host(base);
    struct render_cache *rc = render_cache_new();
    char *out = NULL, *err = NULL;
    assert_int_equal(render_guest(h, &h->guests[0], *state, rc, &out, &err), -1);
    char *want = xasprintf("guest 'web': template %s/tmpl/t.tmpl:2: unclosed <%%if:%%>",
                           (const char *)*state);
    assert_string_equal(err, want);
    free(want);
    free(err);
    render_cache_free(rc);
    host_free(h);
}

static void test_missing_template_is_named(void **state)
{
    struct host *h = test_host(base);
    struct render_cache *rc = render_cache_new();
    char *out = NULL, *err = NULL;
    assert_int_equal(render_guest(h, &h->guests[0], *state, rc, &out, &err), -1);
    char *want = xasprintf("guest 'web': template cannot open %s/tmpl/t.tmpl: No such file or "
                           "directory", (const char *)*state);
    assert_string_equal(err, want);
    free(want);
    free(err);
    render_cache_free(rc);
    host_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_renders_the_guest, test_tmpdir_setup,
                                        test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_replay_same_inputs_same_digest, test_tmpdir_setup,
                                        test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_replay_sees_a_changed_answer, test_tmpdir_setup,
                                        test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_replay_compares_answers_not_sources,
                                        test_tmpdir_setup, test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_replay_ignores_what_was_not_asked,
                                        test_tmpdir_setup, test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_replay_sees_a_changed_template, test_tmpdir_setup,
                                        test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_template_error_names_guest, test_tmpdir_setup,
                                        test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_missing_template_is_named, test_tmpdir_setup,
                                        test_tmpdir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
