/* test-managed.c: the record of managed guests (src/managed.c): its file
 * format, what is refused, and that nothing unchanged is written. Each
 * test works in its own root under /tmp. */
#include "testutil.h"

#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "managed.h"
#include "paths.h"
#include "util.h"

#define U1 "00000001-1111-4222-8333-444444444444"
#define U2 "00000002-1111-4222-8333-444444444444"
#define U3 "0000000A-1111-4222-8333-44444444444B"

static char *record_path(void **state)
{
    return root_path(*state, PATH_MANAGED);
}

static void write_record(void **state, const char *text)
{
    char *err = NULL;
    assert_int_equal(fs_save_under(*state, PATH_MANAGED, text, strlen(text), 0644, &err), 0);
    assert_null(err);
}

/* No file: an empty record, no error; saving an unchanged empty one
 * makes no file. */
static void test_missing_is_empty(void **state)
{
    struct managed m;
    char *err = NULL;
    assert_int_equal(managed_load(*state, &m, &err), 0);
    assert_null(err);
    assert_int_equal(m.n, 0);
    assert_int_equal(managed_save(&m, *state, &err), 0);
    char *path = record_path(state);
    assert_int_equal(access(path, F_OK), -1);
    free(path);
    managed_free(&m);
}

/* Entries sorted by lower-case UUID, whatever order and case they were
 * set in; a state or name change replaces the entry. */
static void test_set_sorts_and_saves(void **state)
{
    struct managed m = { 0 };
    managed_set(&m, U3, "web3", MG_KEPT);
    managed_set(&m, U2, "web2", MG_HELD);
    managed_set(&m, U1, "web1", MG_PROFILE);
    managed_set(&m, U2, "db2", MG_GONE);
    char *err = NULL;
    assert_int_equal(managed_save(&m, *state, &err), 0);
    char *path = record_path(state);
    char *text = test_read_file(path);
    assert_string_equal(text, U1 " profile web1\n" U2 " gone db2\n"
                              "0000000a-1111-4222-8333-44444444444b kept web3\n");
    free(text);
    const struct managed_guest *e = managed_find(&m, "0000000a-1111-4222-8333-44444444444B");
    assert_non_null(e);
    assert_string_equal(e->name, "web3");
    assert_null(managed_find(&m, "00000009-1111-4222-8333-444444444444"));
    managed_free(&m);

    /* Read back: the same; set again to the same: not written. */
    assert_int_equal(managed_load(*state, &m, &err), 0);
    assert_int_equal(m.n, 3);
    assert_int_equal(m.v[1].state, MG_GONE);
    managed_set(&m, U1, "web1", MG_PROFILE);
    assert_false(m.dirty);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(managed_save(&m, *state, &err), 0);
    assert_int_equal(access(path, F_OK), -1);
    managed_set(&m, U1, "web1", MG_HELD);
    assert_true(m.dirty);
    assert_int_equal(managed_save(&m, *state, &err), 0);
    assert_int_equal(access(path, F_OK), 0);
    free(path);
    managed_free(&m);
}

/* A moved guest keeps the host it went to; moved again, or back into
 * the profile, its host changes or goes. */
static void test_moved_keeps_its_host(void **state)
{
    struct managed m = { 0 };
    managed_set(&m, U1, "web1", MG_PROFILE);
    managed_set_moved(&m, U1, "web1", "hostb.example.org");
    managed_set(&m, U2, "web2", MG_PROFILE);
    char *err = NULL;
    assert_int_equal(managed_save(&m, *state, &err), 0);
    managed_free(&m);
    char *path = record_path(state);
    char *text = test_read_file(path);
    assert_string_equal(text, U1 " moved web1 hostb.example.org\n" U2 " profile web2\n");
    free(text);
    assert_int_equal(managed_load(*state, &m, &err), 0);
    const struct managed_guest *e = managed_find(&m, U1);
    assert_int_equal(e->state, MG_MOVED);
    assert_string_equal(e->host, "hostb.example.org");
    assert_null(managed_find(&m, U2)->host);
    /* The same again: nothing to write; its own host passed back: kept. */
    managed_set_moved(&m, U1, "web1", e->host);
    assert_false(m.dirty);
    managed_set_moved(&m, U1, "web1b", managed_find(&m, U1)->host);
    assert_true(m.dirty);
    assert_string_equal(managed_find(&m, U1)->host, "hostb.example.org");
    managed_set_moved(&m, U1, "web1b", "hostc");
    managed_set(&m, U1, "web1b", MG_PROFILE);
    assert_null(managed_find(&m, U1)->host);
    assert_int_equal(managed_save(&m, *state, &err), 0);
    text = test_read_file(path);
    assert_string_equal(text, U1 " profile web1b\n" U2 " profile web2\n");
    free(text);
    free(path);
    managed_free(&m);
}

/* A damaged record is refused with its line: it says which domains are
 * the component's, so it is never guessed at. */
static void test_damaged_is_refused(void **state)
{
    static const struct {
        const char *text;
        const char *why;
    } cases[] = {
        { U1 " profile web1\nnot a line\n", "line 2" },
        { U1 " running web1\n", "line 1" },
        { "0000001-1111-4222-8333-444444444444 profile web1\n", "line 1" },
        { U1 " profile web/1\n", "line 1" },
        { U2 " profile b\n" U1 " profile a\n", "line 2" },
        { U1 " profile a\n" U1 " gone b\n", "line 2" },
        { U1 " moved web1\n", "line 1" },
        { U1 " moved web1 -oProxyCommand=x\n", "line 1" },
        { U1 " profile web1 hostb\n", "line 1" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        write_record(state, cases[i].text);
        struct managed m;
        char *err = NULL;
        assert_int_equal(managed_load(*state, &m, &err), -1);
        assert_non_null(err);
        char *path = record_path(state);
        char *want = xasprintf("%s, %s: not \"UUID profile|held|kept|gone NAME\" or \"UUID moved "
                               "NAME HOST\" in UUID order, each UUID once", path, cases[i].why);
        assert_string_equal(err, want);
        assert_int_equal(m.n, 0);
        free(want);
        free(path);
        free(err);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_missing_is_empty, test_tmpdir_setup, test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_set_sorts_and_saves, test_tmpdir_setup, test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_damaged_is_refused, test_tmpdir_setup, test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_moved_keeps_its_host, test_tmpdir_setup, test_tmpdir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
