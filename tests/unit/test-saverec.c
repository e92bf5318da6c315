/* test-saverec.c: the records of guests saved by stop (src/saverec.c):
 * their exact file, read back whole (the config's text byte for byte),
 * listed by UUID, removed; a damaged one refused. */
#include "testutil.h"

#include "fsutil.h"
#include "paths.h"
#include "saverec.h"
#include "util.h"

#define U1 "00000001-1111-4222-8333-444444444444"
#define U2 "0000000A-1111-4222-8333-44444444444B"
#define U2L "0000000a-1111-4222-8333-44444444444b"

static const char config[] = "name = \"web1\"\nuuid = \"" U1 "\"\nmemory = 128\n\n# no newline at the end";

static void test_written_read_listed_removed(void **state)
{
    struct saverec r = { .image = "/var/lib/xen/save/" U1 ".save", .name = "web1",
                         .when = 1764772000, .cfgpath = "/etc/xen/web1.cfg",
                         .config = (char *)config };
    memcpy(r.uuid, U1, sizeof(U1));
    char *err = NULL;
    assert_int_equal(saverec_write(*state, &r, &err), 0);
    struct saverec r2 = r;
    memcpy(r2.uuid, U2, sizeof(U2));
    r2.name = "db2";
    assert_int_equal(saverec_write(*state, &r2, &err), 0);
    /* The file, exactly; named by the lower-case UUID, mode 0600. */
    char *path = root_path(*state, PATH_SAVED_DIR "/" U1);
    char *text = test_read_file(path);
    assert_string_equal(text,
                        "# lcfg-xen save record 1: the guest's save image, its name, when, and the "
                        "config file it ran from (then its text)\n"
                        "image /var/lib/xen/save/" U1 ".save\nname web1\nsaved 1764772000\n"
                        "config /etc/xen/web1.cfg\n" "name = \"web1\"\nuuid = \"" U1
                        "\"\nmemory = 128\n\n# no newline at the end");
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0600);
    free(text);
    free(path);
    char **v;
    size_t n;
    assert_int_equal(saverec_list(*state, &v, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(v[0], U1);
    assert_string_equal(v[1], U2L);
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
    struct saverec got;
    assert_int_equal(saverec_read(*state, U2, &got, &err), 0);
    assert_string_equal(got.uuid, U2L);
    assert_string_equal(got.name, "db2");
    assert_string_equal(got.image, r.image);
    assert_string_equal(got.cfgpath, "/etc/xen/web1.cfg");
    assert_true(got.when == 1764772000);
    assert_string_equal(got.config, config);
    saverec_free(&got);
    assert_int_equal(saverec_remove(*state, U2, &err), 0);
    assert_int_equal(saverec_read(*state, U2, &got, &err), 1);
    assert_null(err);
    assert_int_equal(saverec_remove(*state, U2, &err), 0);
    assert_int_equal(saverec_list(*state, &v, &n, &err), 0);
    assert_int_equal(n, 1);
    free(v[0]);
    free(v);
}

/* No directory: nothing listed, no error. */
static void test_none(void **state)
{
    char **v;
    size_t n;
    char *err = NULL;
    assert_int_equal(saverec_list(*state, &v, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_null(v);
}

/* A damaged record is refused, naming it; temporaries are not listed. */
static void test_damaged_refused(void **state)
{
    char *err = NULL;
    const char *bad = "# lcfg-xen save record 1: the guest's save image, its name, when, and the "
                      "config file it ran from (then its text)\nimage /x\nname a\nsaved soon\n";
    assert_int_equal(fs_save_under(*state, PATH_SAVED_DIR "/" U1, bad, strlen(bad), 0600, &err), 0);
    assert_int_equal(fs_save_under(*state, PATH_SAVED_DIR "/.lcfg-xen." U1 ".AbC123", "", 0, 0600,
                                   &err), 0);
    struct saverec got;
    assert_int_equal(saverec_read(*state, U1, &got, &err), -1);
    char *path = root_path(*state, PATH_SAVED_DIR "/" U1);
    char *want = xasprintf("%s: not a save record of this component (damaged?)", path);
    assert_string_equal(err, want);
    free(want);
    free(path);
    free(err);
    char **v;
    size_t n;
    assert_int_equal(saverec_list(*state, &v, &n, &err), 0);
    assert_int_equal(n, 1);
    free(v[0]);
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_written_read_listed_removed, test_tmpdir_setup, test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_none, test_tmpdir_setup, test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_damaged_refused, test_tmpdir_setup, test_tmpdir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
